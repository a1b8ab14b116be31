"""The overview's weekday x hour profile (byod12a D6): a café sells most in its morning
hours and less at weekends; with dates only, the weekday profile alone."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai import overview as ov
from opsai.data import open_workspace
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _till(folder: Path, *, times: bool = True) -> Path:
    """8 weeks from Monday 2024-01-01, open 07:00-18:59: 10 units an hour 07-09 and 2 in the
    other 9 hours on weekdays (48 a day), 6 and 1 at weekends (27 a day); one order each."""
    rows = ["id,date,time,qty,price"]
    n = 0
    for day in pd.date_range("2024-01-01", periods=56):
        weekend = day.day_of_week >= 5
        for hour in range(7, 19):
            units = (6 if weekend else 10) if hour <= 9 else (1 if weekend else 2)
            n += 1
            rows.append(f"{n},{day:%m/%d/%Y},{hour:02d}:15:00,{units},3.5")
    cols = {"order_id": "id", "timestamp": ["date", "time"], "quantity": "qty", "price": "price"}
    if not times:
        cols["timestamp"] = "date"
    fmt = "%m/%d/%Y %H:%M:%S" if times else "%m/%d/%Y"
    spec = {"file": "till.csv", "timestamp_format": fmt, "columns": cols}
    return write_dataset(folder, {"till.csv": "\n".join(rows) + "\n"}, {"orders": spec})


def test_weekday_by_hour_profile_and_its_finding(tmp_path: Path) -> None:
    with open_workspace(_till(tmp_path)) as ws:
        p = ov.weekly_profile(ws)
    assert p.attrs["measure"] == "units" and p.attrs["timed"]
    assert len(p) == 7 * 12
    mon8 = p[(p["day"] == "Mon") & (p["hour"] == 8)].iloc[0]
    assert (mon8["units"], mon8["orders"], mon8["days"]) == (80, 8, 8)  # 8 Mondays x 10
    sat12 = p[(p["day"] == "Sat") & (p["hour"] == 12)].iloc[0]
    assert sat12["units"] == 8
    f = ov.weekly_finding(p)
    assert f is not None and f.name == "weekly_pattern"
    # 07-09: (5 x 30 + 2 x 18) / (5 x 48 + 2 x 27) = 186 / 294 = 63.3%
    assert f.evidence["peak_start"] == 7
    assert f.evidence["peak_share"] == pytest.approx(186 / 294, abs=1e-4)
    assert f.text.startswith(
        "63% of units are sold 07:00-09:59 (07h 21.1%, 08h 21.1%, 09h 21.1%), the busiest 3 "
        "of the 12 hours with sales"
    )
    assert f.evidence["weekend_change"] == pytest.approx(27 / 48 - 1, abs=1e-4)
    assert "Saturdays and Sundays sell 44% fewer units a day than weekdays (27 against 48" in (
        f.text
    )
    fig = ov.weekly_figure(p)
    z = fig.data[0].z
    assert z.shape == (7, 12) and z[0][1] == 10  # Monday 08h: 10 units a day


def test_dates_only_give_the_weekday_profile(tmp_path: Path) -> None:
    with open_workspace(_till(tmp_path, times=False)) as ws:
        p = ov.weekly_profile(ws)
    assert not p.attrs["timed"] and "hour" not in p
    assert p.set_index("day")["units"].to_dict() == {
        "Mon": 384, "Tue": 384, "Wed": 384, "Thu": 384, "Fri": 384, "Sat": 216, "Sun": 216
    }  # fmt: skip
    f = ov.weekly_finding(p)
    assert f is not None
    assert "peak_start" not in f.evidence
    assert f.text.startswith("Saturdays and Sundays sell 44% fewer units a day than weekdays")
    assert list(ov.weekly_figure(p).data[0].y) == [48, 48, 48, 48, 48, 27, 27]


def test_no_weekend_gap_names_the_busiest_and_quietest_weekday(tmp_path: Path) -> None:
    rows = ["id,date,qty,price"]
    for i, day in enumerate(pd.date_range("2024-01-01", periods=28)):
        rows.append(f"{i},{day:%Y-%m-%d},{10 + (day.day_of_week == 2) * 2},1")
    spec = {"file": "o.csv", "columns": {"order_id": "id", "timestamp": "date",
                                          "quantity": "qty", "price": "price"}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"o.csv": "\n".join(rows) + "\n"}, {"orders": spec})
    with open_workspace(cfg) as ws:
        f = ov.weekly_finding(ov.weekly_profile(ws))
    assert f is not None
    assert f.text == "Units per day differ little by weekday: from 10 on Mon to 12 on Wed."


def test_weekly_totals_have_no_weekday_profile(tmp_path: Path) -> None:
    """Sales totals dated on each week's Friday (Walmart's): no weekday to read, no profile."""
    rows = ["item,date,qty"]
    for item in ("A", "B"):
        for day in pd.date_range("2024-01-05", periods=30, freq="7D"):
            rows.append(f"{item},{day:%Y-%m-%d},{10 + day.month}")
    spec = {"file": "d.csv", "columns": {"item_id": "item", "timestamp": "date", "quantity": "qty"}}
    cfg = write_dataset(tmp_path, {"d.csv": "\n".join(rows) + "\n"}, {"demand": spec})
    with open_workspace(cfg) as ws:
        p = ov.weekly_profile(ws)
    assert p.empty and ov.weekly_finding(p) is None


def _profile(weekday: dict[int, int], weekend: dict[int, int]) -> pd.DataFrame:
    """8 weeks of units per hour of day: ``weekday`` for Monday to Friday, ``weekend`` for
    Saturday and Sunday (hours not named: 5 units, 00-05: 1 unit)."""
    rows = []
    for wd in range(7):
        hours = weekend if wd >= 5 else weekday
        for h in range(24):
            rows.append({"weekday": wd, "hour": h, "days": 8,
                         "units": 8 * hours.get(h, 1 if h < 6 else 5)})  # fmt: skip
    p = pd.DataFrame(rows)
    p.attrs.update(measure="units", table="demand", timed=True, daily=None)
    return p


def test_weekdays_and_weekends_that_peak_apart_are_told_apart() -> None:
    """byod13a D8: a bike hire's rentals read "30% of units are sold 16:00-18:59 ..., the
    busiest 3 of the 18 hours with sales: staff and stock for that peak", though every hour
    has rentals, working days also peak at 07:00-09:59 (the commute) and weekends at
    13:00-15:59. Each day kind's peaks are named when they lie apart."""
    commute = {7: 20, 8: 20, 9: 20, 16: 30, 17: 30, 18: 30}  # a weekday: 216 units
    f = ov.weekly_finding(_profile(commute, {12: 30, 13: 30, 14: 30}))  # a weekend day: 171
    assert f is not None
    assert f.evidence["weekday_peaks"] == [[16, round(90 / 216, 4)], [7, round(60 / 216, 4)]]
    assert f.evidence["weekend_peaks"] == [[12, round(90 / 171, 4)]]
    # all days: 16-18 hold (5 x 90 + 2 x 15) / (5 x 216 + 2 x 171) = 480 / 1422 = 34%
    assert f.evidence["peak_start"] == 16 and f.evidence["peak_share"] == round(480 / 1422, 4)
    assert f.text.startswith(
        "Weekdays and weekends peak at different hours: Monday to Friday sell 42% of their "
        "units 16:00-18:59 and 28% 07:00-09:59, Saturday and Sunday 53% of theirs "
        "12:00-14:59: staff and stock for each day's peak, not for the one of all days "
        "together (34% of units 16:00-18:59, the busiest 3 of the 18 hours holding 1% of "
        "units or more each; the other 6 hours with sales hold 3.0%)."
    )  # 00-05: 6 x (5 + 2) / 1422 = 3.0%, each under 1%
    same = ov.weekly_finding(_profile(commute, commute))  # one profile: one sentence
    assert same is not None and "weekday_peaks" not in same.evidence
    assert same.text.startswith(
        "42% of units are sold 16:00-18:59 (16h 13.9%, 17h 13.9%, 18h 13.9%), the busiest 3 "
        "of the 18 hours holding 1% of units or more each; the other 6 hours with sales hold "
        "2.8%; a second peak, 28% 07:00-09:59: staff and stock for those peaks."
    )


def test_a_forward_book_is_what_is_on_the_books_by_weekday(tmp_path: Path) -> None:
    """A booking calendar exported ahead (all demand after the reviews' last day): its
    weekday profile is of nights on the books, not of sales (byod13b: "Units per day differ
    little by weekday" on the Airbnb book)."""
    rows = ["listing,date,n"]
    for day in pd.date_range("2025-01-06", periods=28):  # 4 weeks from a Monday
        for k in range(5 if day.day_of_week >= 5 else 3):  # weekend nights: 5 booked, else 3
            rows.append(f"L{k},{day:%Y-%m-%d},1")
    reviews = "id,date,text\n1,2024-06-01,nice\n2,2024-12-31,noisy\n"
    spec = {
        "demand": {"file": "cal.csv",
                   "columns": {"item_id": "listing", "timestamp": "date", "quantity": "n"}},
        "tickets": {"file": "r.csv", "columns": {"ticket_id": "id", "timestamp": "date",
                                                 "text": "text"}},
    }  # fmt: skip
    cfg = write_dataset(tmp_path, {"cal.csv": "\n".join(rows) + "\n", "r.csv": reviews}, spec)
    with open_workspace(cfg) as ws:
        p = ov.weekly_profile(ws)
    assert p.attrs["ahead"] and p.attrs["table"] == "demand"
    f = ov.weekly_finding(p)
    assert f is not None and f.evidence["ahead"] is True
    assert f.text.startswith(
        "Saturdays and Sundays hold 67% more units a day on the books than weekdays (5 against 3"
    )
