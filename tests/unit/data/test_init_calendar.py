"""``opsai init`` places a file of days with an event or holiday column as the calendar table
(byod9a D6, follow-up): M5's calendar.csv runs past the sales' last day, and its coming event
days reach chapter 04's forecast only as a calendar."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.data.init import plan_folder
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _m5(folder: Path) -> None:
    """Wide sales d_1..d_60 of 2 series, a calendar to day 90 with 5 named events."""
    days = pd.date_range("2011-01-29", periods=90, freq="D")
    events = {9: "SuperBowl", 17: "ValentinesDay", 40: "Easter", 70: "MemorialDay", 80: "Fest"}
    wide = pd.DataFrame([{"id": f"{i}_CA_1", "item_id": i, "store_id": "CA_1",
                          **{f"d_{j + 1}": (j + k) % 5 for j in range(60)}}
                         for k, i in enumerate(["FOODS_1", "HOBBIES_1"])])  # fmt: skip
    wide.to_csv(folder / "sales_train_validation.csv", index=False)
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "wday": [d.day_of_week for d in days],
                  "d": [f"d_{j + 1}" for j in range(90)],
                  "event_type_1": [("Cultural" if j in events else None) for j in range(90)],
                  "event_name_1": [events.get(j) for j in range(90)]}).to_csv(
        folder / "calendar.csv", index=False)  # fmt: skip


def test_m5s_calendar_is_joined_for_dates_and_placed_as_the_calendar(tmp_path: Path) -> None:
    """Before: demand only (the calendar joined for its dates, its 2 coming events lost)."""
    _m5(tmp_path)
    plan = plan_folder(tmp_path)
    assert [g.table for g in plan.guesses] == ["demand", "calendar"] and not plan.unplaced
    spec = plan.guesses[1].spec()
    assert spec["file"] == "calendar.csv"
    assert spec["columns"] == {"timestamp": "date", "event_day": "event_name_1"}
    cfg = write_dataset(tmp_path, {}, {"demand": plan.guesses[0].spec(), "calendar": spec})
    with open_workspace(cfg) as ws:
        cal = ws.to_pandas("calendar")
        last = ws.to_pandas("demand")["timestamp"].max()
    coming = cal[(cal["timestamp"] > last) & cal["event_day"].notna()]
    assert coming["event_day"].tolist() == ["MemorialDay", "Fest"]


def test_a_holiday_list_is_a_calendar_and_an_event_log_is_not(tmp_path: Path) -> None:
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    hol = {0: "Neujahr", 45: "Karneval"}
    (tmp_path / "cal").mkdir()
    pd.DataFrame({"Datum": days.strftime("%d.%m.%Y"),
                  "Feiertag": [hol.get(j) for j in range(60)]}).to_csv(
        tmp_path / "cal" / "feiertage.csv", index=False)  # fmt: skip
    plan = plan_folder(tmp_path / "cal")
    assert [g.table for g in plan.guesses] == ["calendar"]
    assert plan.guesses[0].spec()["columns"] == {"timestamp": "Datum", "event_day": "Feiertag"}
    (tmp_path / "log").mkdir()
    pd.DataFrame({"user_id": [f"u{j % 7}" for j in range(60)], "timestamp": days.astype(str),
                  "event": ["view", "purchase"] * 30}).to_csv(
        tmp_path / "log" / "events.csv", index=False)  # fmt: skip
    assert [g.table for g in plan_folder(tmp_path / "log").guesses] == ["events"]
