"""A last period the data does not cover to its end (byod9b D20)."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import (
    drop_last_period,
    fill_gaps,
    hierarchy,
    partial_last_period,
    partial_period_finding,
)

pytestmark = pytest.mark.unit


def _monthly(days: pd.DatetimeIndex, late: bool = False) -> tuple:
    """Two items selling 1 unit a day each over ``days``, summed by month; with ``late`` a third
    item first sells in the last month."""
    daily = pd.DataFrame({ITEM_ID: "a", TIMESTAMP: days, QUANTITY: 1.0})
    daily = pd.concat([daily, daily.assign(**{ITEM_ID: "b"})])
    if late:
        daily = pd.concat([daily, pd.DataFrame({ITEM_ID: ["new"], TIMESTAMP: [days[-1]],
                                                QUANTITY: [5.0]})])  # fmt: skip
    raw = daily.assign(**{TIMESTAMP: daily[TIMESTAMP].dt.to_period("M").dt.to_timestamp()})
    raw = raw.groupby([ITEM_ID, TIMESTAMP], as_index=False)[QUANTITY].sum()
    cats = pd.Series({"a": "x", "b": "x", "new": "y"})
    return hierarchy(fill_gaps(raw, freq="M"), cats, freq="M"), days


def test_a_month_the_data_stops_in_is_found_left_out_and_said() -> None:
    """The Amazon reviews end on 2014-07-19: July (19 of 31 days, 273 reviews after 479) was
    backtested, drove the drift alerts and was the forecasts' last observation."""
    hs, days = _monthly(pd.date_range("2014-01-01", "2014-07-19"), late=True)
    part = partial_last_period(hs, days)
    assert part == {"period": "2014-07-01", "last_day": "2014-07-19", "next_period": "2014-08-01",
                    "days": 19, "of": 31, "units": 43.0, "units_before": 60.0, "unit": "month"}  # fmt: skip
    short = drop_last_period(hs)
    assert short.df[TIMESTAMP].max() == pd.Timestamp("2014-06-01")
    assert short.tags == {"total": ["total"], "category": ["category:x"], "item": ["a", "b"]}
    assert list(short.S.index) == ["total", "category:x", "a", "b"]
    assert list(short.S.columns) == ["a", "b"]
    assert short.df.groupby(ITEM_ID)[QUANTITY].sum().to_dict() == {
        "a": 181.0, "b": 181.0, "category:x": 362.0, "total": 362.0}  # fmt: skip
    f = partial_period_finding(part)
    assert f is not None and f.name == "partial_period" and f.severity == "low"
    assert f.text == (
        "The last month in the data, 2014-07, is not over: the data stops on 2014-07-19, 19 of "
        "its 31 days (43 units against 60 in the month before). Summed as a whole month it "
        "would read as a slump, so it is left out: the backtest, the drift alerts and the "
        "forecasts use the months before it, and the first forecast month is 2014-07, whole."
    )
    assert partial_period_finding(None) is None


def test_a_whole_last_period_is_kept() -> None:
    hs, days = _monthly(pd.date_range("2014-01-01", "2014-07-31"))
    assert partial_last_period(hs, days) is None
    # weekly rows (a Saturday each, Nielsen): the last one closes its month's data
    sat = pd.date_range("2024-01-06", "2024-07-27", freq="W-SAT")
    hs_w, _ = _monthly(sat)
    assert partial_last_period(hs_w, sat) is None
    # a shop closed on Sundays has its whole week on Saturday; daily series are never partial
    open_days = pd.date_range("2024-01-01", "2024-03-30")
    open_days = open_days[open_days.day_of_week < 6]
    raw = pd.DataFrame({ITEM_ID: "a", TIMESTAMP: open_days, QUANTITY: 1.0})
    raw[TIMESTAMP] = raw[TIMESTAMP].dt.to_period("W-SUN").dt.start_time
    raw = raw.groupby([ITEM_ID, TIMESTAMP], as_index=False)[QUANTITY].sum()
    weekly = hierarchy(fill_gaps(raw, freq="W"), freq="W")
    assert partial_last_period(weekly, open_days) is None
    friday = open_days[open_days <= "2024-03-29"]
    got = partial_last_period(weekly, friday)
    assert got is not None and (got["days"], got["of"], got["unit"]) == (5, 7, "week")


def test_monthly_totals_whose_last_month_is_the_month_so_far() -> None:
    """byod10a D16: pharma's salesmonthly.csv, one row per month dated the 1st, October 2019
    holding its first 8 days (474 units after 1,672): the dates cannot tell, so 04 read it as
    a whole month. A last month under half the months before is left out and said."""
    months = pd.date_range("2019-01-01", "2019-10-01", freq="MS")
    raw = pd.DataFrame({ITEM_ID: "a", TIMESTAMP: months, QUANTITY: 100.0})
    raw.loc[raw.index[-1], QUANTITY] = 30.0
    hs = hierarchy(fill_gaps(raw, freq="M"), freq="M")
    part = partial_last_period(hs, months)
    assert part == {"period": "2019-10-01", "last_day": None, "days": None, "units": 30.0,
                    "units_before": 100.0, "next_period": "2019-11-01", "of": 31,
                    "unit": "month"}  # fmt: skip
    f = partial_period_finding(part)
    assert f is not None and f.text.startswith(
        "The last month in the data, 2019-10, holds 30 units against 100 in the month before: "
        "its rows are monthly totals that cannot say which days they cover"
    )
    raw.loc[raw.index[-1], QUANTITY] = 80.0  # a slow month, not a partial one
    assert partial_last_period(hierarchy(fill_gaps(raw, freq="M"), freq="M"), months) is None
