"""``opsai init`` proposes a timestamp from several columns (byod12a D6, D8): a POS's date
beside its time of day or the hour of the day, a hotel's arrival year, month and day."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest

from opsai.data.init import init_config, plan_folder

pytestmark = pytest.mark.unit

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August"]


def _pos(folder: Path, time: str = "transaction_time", clock: bool = True) -> None:
    """Maven Roasters' lines: a US date, its time of day apart (days 13..28: unambiguous)."""
    rng = random.Random(0)
    rows = ["transaction_id,transaction_date,{},transaction_qty,store_id,product_id,unit_price"]
    rows[0] = rows[0].format(time)
    for i in range(300):
        t = (
            f"{7 + i % 12:02d}:{i % 60:02d}:{(i * 7) % 60:02d}"
            if clock
            else str(rng.randint(1, 90))
        )
        rows.append(f"{i},{1 + i % 6}/{13 + i % 16}/2023,{t},{rng.randint(1, 3)},{i % 3},"
                    f"{rng.randint(1, 40)},3.50")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "coffee_shop_sales.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _hotel(folder: Path, numeric: bool = False, date: str = "reservation_status_date") -> None:
    rng = random.Random(1)
    head = ("booking_id,guest_id,hotel,lead_time,arrival_date_year,arrival_date_month,"
            f"arrival_date_week_number,arrival_date_day_of_month,adults,total_price,{date}")  # fmt: skip
    rows = [head]
    for i in range(300):
        m = 1 + i % 8
        month = str(m) if numeric else MONTHS[m - 1]
        rows.append(f"B{i},G{rng.randint(1, 120)},City Hotel,{rng.randint(0, 300)},{2015 + i % 3},"
                    f"{month},{m * 4},{1 + i % 28},2,{rng.uniform(50, 900):.2f},"
                    f"2016-0{m}-{1 + i % 28:02d}")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hotel_bookings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def _spec(folder: Path) -> tuple[dict, list[str]]:
    plan = plan_folder(folder)
    (g,) = plan.guesses
    return g.spec(), g.notes


def test_a_date_beside_a_time_of_day_is_one_timestamp(tmp_path: Path) -> None:
    _pos(tmp_path)
    spec, notes = _spec(tmp_path)
    assert spec["columns"]["timestamp"] == ["transaction_date", "transaction_time"]
    assert spec["timestamp_format"] == "%m/%d/%Y %H:%M:%S"
    assert any(
        "timestamp: 'transaction_date' and 'transaction_time' (the time of day) joined" in n
        for n in notes
    )


def test_the_written_config_validates_with_the_time_of_day(tmp_path: Path) -> None:
    _pos(tmp_path / "data")
    out, _ = init_config(tmp_path / "data", tmp_path / "opsai.yaml")
    text = out.read_text(encoding="utf-8")
    assert "timestamp:\n        - transaction_date\n        - transaction_time" in text
    from opsai.data import open_workspace

    with open_workspace(out) as ws:
        first = ws.to_pandas("demand").sort_values("timestamp")["timestamp"].iloc[0]
    assert str(first) == "2023-01-13 07:00:00"


@pytest.mark.parametrize(("time", "clock"), [("transaction_time", False), ("transaction_tz", True)])
def test_no_time_of_day_no_list(tmp_path: Path, time: str, clock: bool) -> None:
    """Minutes spent (a 'time' of numbers) or a column not named as a time: the date alone."""
    _pos(tmp_path, time, clock)
    spec, _ = _spec(tmp_path)
    assert spec["columns"]["timestamp"] == "transaction_date"


@pytest.mark.parametrize(("numeric", "fmt"), [(False, "%Y %B %d"), (True, "%Y %m %d")])
def test_a_year_a_month_and_a_day_are_the_arrival_date(
    tmp_path: Path, numeric: bool, fmt: str
) -> None:
    """hotel_bookings: the arrival date, not reservation_status_date (check-out or
    cancellation), which is kept as an attribute."""
    _hotel(tmp_path, numeric)
    spec, notes = _spec(tmp_path)
    assert spec["columns"]["timestamp"] == [
        "arrival_date_year",
        "arrival_date_month",
        "arrival_date_day_of_month",
    ]
    assert spec["timestamp_format"] == fmt
    assert any(
        n.startswith("timestamp: the arrival date from 'arrival_date_year'")
        and n.endswith("not 'reservation_status_date' (kept as an attribute)")
        for n in notes
    )


def test_a_time_named_as_such_wins_over_year_month_day(tmp_path: Path) -> None:
    _hotel(tmp_path, date="timestamp")
    spec, _ = _spec(tmp_path)
    assert spec["columns"].get("timestamp", "timestamp") == "timestamp"


def _hourly(folder: Path, date: str, hour: str, fmt: str = "%Y-%m-%d", top: int = 24) -> None:
    """A long demand file by date, the hour of the day (0..top-1) apart, and a product."""
    rng = random.Random(2)
    rows = [f"{date},{hour},product,units"]
    for d in range(1, 11):
        day = f"2024-03-{d:02d}"
        shown = datetime.date.fromisoformat(day).strftime(fmt)
        rows += [f"{shown},{h},{p},{rng.randint(0, 9)}" for h in range(top) for p in ("A", "B")]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sales.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("date", "hour", "fmt"),
    [("dteday", "hr", "%Y-%m-%d"), ("Date", "Hour", "%d/%m/%Y"), ("日期", "小时", "%Y-%m-%d"),
     ("pickup_date", "pickup_hour", "%Y-%m-%d")],
)  # fmt: skip
def test_a_date_beside_the_hour_of_the_day_is_one_timestamp(
    tmp_path: Path, date: str, hour: str, fmt: str
) -> None:
    """byod13a D1: UCI Bike Sharing's ``dteday`` and ``hr`` (0..23) were left apart, the
    hour an attribute, so the hours of a day fell on one time. The two columns are now one
    timestamp read as '<the date's format> %H', and the written config reads 7:00 as 7:00."""
    _hourly(tmp_path / "data", date, hour, fmt)
    spec, notes = _spec(tmp_path / "data")
    assert spec["columns"]["timestamp"] == [date, hour]
    assert spec["timestamp_format"] == f"{fmt} %H"
    assert any(f"timestamp: {date!r} and {hour!r} (the hour of the day, 0-23)" in n for n in notes)
    out, _ = init_config(tmp_path / "data", tmp_path / "opsai.yaml")
    from opsai.data import open_workspace

    with open_workspace(out) as ws:
        ts = ws.to_pandas("demand")["timestamp"]
    assert ts.nunique() == 10 * 24
    assert str(ts.min()) == "2024-03-01 00:00:00" and str(ts.max()) == "2024-03-10 23:00:00"


@pytest.mark.parametrize(("hour", "top"), [("hours", 24), ("hr", 30)])
def test_no_hour_of_the_day_no_list(tmp_path: Path, hour: str, top: int) -> None:
    """``hours`` (a duration) or values past 23: not the hour of the day, the date alone."""
    _hourly(tmp_path, "dteday", hour, top=top)
    spec, _ = _spec(tmp_path)
    assert spec["columns"]["timestamp"] == "dteday"
