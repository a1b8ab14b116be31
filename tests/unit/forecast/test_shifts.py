"""Per-series level shifts: the recent weeks against the weeks before and a year before."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import TOTAL_ID, level_shift_finding, level_shifts

pytestmark = pytest.mark.unit

DAYS = pd.date_range("2013-06-01", "2015-07-31")


def _stores(drop_from: str | None = "2015-06-15", season: bool = True) -> pd.DataFrame:
    """20 stores of about 1,000 a day with a shared weekly and yearly pattern; store s07 loses
    26% from ``drop_from``; store s03 sells twice as much every July (a summer store)."""
    rng = np.random.default_rng(1)
    week = 1 + 0.3 * (DAYS.day_of_week == 5)
    year = 1 + 0.2 * np.sin(2 * np.pi * DAYS.day_of_year / 365)
    frames = []
    for k in range(20):
        mean = 1000.0 * week * year
        if k == 3 and season:
            mean = mean * np.where(DAYS.month == 7, 2.0, 1.0)
        if k == 7 and drop_from:
            mean = mean * np.where(pd.Timestamp(drop_from) <= DAYS, 0.74, 1.0)
        frames.append(pd.DataFrame({ITEM_ID: f"s{k:02d}", TIMESTAMP: DAYS,
                                    QUANTITY: rng.normal(mean, 0.1 * mean)}))  # fmt: skip
    items = pd.concat(frames, ignore_index=True)
    total = items.groupby(TIMESTAMP, as_index=False)[QUANTITY].sum().assign(**{ITEM_ID: TOTAL_ID})
    return pd.concat([total, items], ignore_index=True)


def test_a_store_that_lost_a_quarter_of_its_sales_lately_is_named() -> None:
    """byod9a D23: Rossmann store 7 lost 25.5% from 2015-06-15 (a competitor opened), the
    chain +0.3%, and chapter 04 named it nowhere."""
    df = _stores()
    ids = [f"s{k:02d}" for k in range(20)]
    shifts = level_shifts(df, freq="D", ids=ids)
    # the summer store's July is against its June, but it was the same a year before: no shift
    assert list(shifts.index) == ["s07"]
    s = shifts.loc["s07"]
    assert s["since"] == pd.Timestamp("2015-06-15")
    # the summer slope all stores share, times the store's own 26% loss
    assert s["change"] == pytest.approx(0.74 * (1 + s["total_change"]) - 1, abs=0.02)
    # all OTHER demand over the same days (byod12a D19: the store's own loss left out)
    others = df[~df[ITEM_ID].isin([TOTAL_ID, "s07"])].groupby(TIMESTAMP)[QUANTITY].sum()
    split = pd.Timestamp("2015-06-15")
    after = others[others.index >= split].mean()
    ahead = others[(others.index < split) & (others.index >= split - pd.Timedelta(days=91))]
    assert s["total_change"] == pytest.approx(after / ahead.mean() - 1, abs=1e-9)
    assert s["total_change"] == pytest.approx(-0.137, abs=0.005) and s["p_value"] < 1e-6
    assert s["relative_change"] == pytest.approx(-0.26, abs=0.02)
    assert s["change_vs_year"] == pytest.approx(-0.26, abs=0.03)
    assert shifts.attrs["tested"] == 20 and shifts.attrs["year"] is True
    f = level_shift_finding(shifts, freq="D")
    assert f is not None and f.name == "level_shift" and f.severity == "high"
    assert f.text.startswith(
        f"The level of 1 series shifted lately, beyond the business as a whole: item s07's "
        f"sales fell {-s['change']:.1%} since 2015-06-15 ("
    )
    assert (  # byod12a D19: the windows the figures are over, all other demand's own
        f" in the 91 days before, {s['change_vs_year']:+.1%} on a year before) while all "
        f"other demand changed {s['total_change']:+.1%} over the same days" in f.text
    )
    named = level_shift_finding(shifts, freq="D", titles={"s07": "Latte Rg", "s01": "Tea"})
    assert named is not None and "item s07 (Latte Rg)'s sales fell" in named.text  # byod12a D5
    assert named.evidence["titles"] == {"s07": "Latte Rg"} and "titles" not in f.evidence
    assert (
        "the last 42 days against the 91 before and the same days a year before, beyond their "
        "usual change in 1 earlier year(s); each series against all other demand" in f.text
    )
    assert "Bonferroni over 20 series" in f.text and "a competitor opening" in f.text
    assert f.evidence["series"] == ["s07"] and f.evidence["since"] == ["2015-06-15"]
    # without a year of history the summer store's July rise is a shift against its spring
    short = df[df[TIMESTAMP] >= "2015-01-01"]
    found = level_shifts(short, freq="D", ids=ids)
    assert set(found.index) == {"s03", "s07"} and found.attrs["year"] is False
    assert found.loc["s03", "since"] == pd.Timestamp("2015-07-01")
    # doubled against the other stores, s07's loss among them (lower by about 4%)
    assert found.loc["s03", "relative_change"] == pytest.approx(1.0, abs=0.1)
    # the other stores' shares dip as s03 doubles, and all sell 13% less in July: no shift


def test_no_shift_is_said_and_no_test_is_silent() -> None:
    flat = _stores(drop_from=None, season=False)
    shifts = level_shifts(flat, freq="D")
    assert shifts.empty and shifts.attrs["tested"] == 20
    f = level_shift_finding(shifts, freq="D")
    assert f is not None and f.severity == "info"
    assert f.text.startswith("No series' level shifted significantly (the last 42 days")
    few = flat[flat[TIMESTAMP] >= "2015-06-01"]  # shorter than 42 + 91 days: nothing tested
    assert level_shift_finding(level_shifts(few, freq="D"), freq="D") is None


PHARMACY_DAYS = pd.date_range("2015-01-01", "2019-10-08")


def _pharmacy() -> tuple[pd.DataFrame, list[str]]:
    """byod10a's pharmacy: a best seller peaking each mid-January (+/-35%) and growing 12% a
    year, five flat items of 5 a day, and one of 9 a day that sells nothing from 2019-08-15."""
    rng = np.random.default_rng(3)
    doy = PHARMACY_DAYS.day_of_year.to_numpy()
    years = (PHARMACY_DAYS - PHARMACY_DAYS[0]).days.to_numpy() / 365.25
    winter = 1 + 0.35 * np.cos(2 * np.pi * (doy - 15) / 365.25)
    means = {"best": 30 * winter * 1.12**years,
             "stop": np.where(PHARMACY_DAYS < "2019-08-15", 9.0, 0.0)}  # fmt: skip
    means |= {f"o{k}": np.full(len(PHARMACY_DAYS), 5.0) for k in range(5)}
    items = pd.concat(
        [pd.DataFrame({ITEM_ID: k, TIMESTAMP: PHARMACY_DAYS,
                       QUANTITY: rng.poisson(m).astype(float)}) for k, m in means.items()],
        ignore_index=True,
    )  # fmt: skip
    total = items.groupby(TIMESTAMP, as_index=False)[QUANTITY].sum().assign(**{ITEM_ID: TOTAL_ID})
    return pd.concat([total, items], ignore_index=True), list(means)


def test_a_seasonal_rise_every_year_is_no_shift_nor_is_a_stopped_items_share() -> None:
    """byod10a D10: pharma's N02BE rises ~30% each autumn (five years running) and was
    flagged "rose 22.3% since 2019-08-17 ... Find out why: a competitor opening", its
    year-on-year test passing only because N05B stopped and every other share jumped. The
    best seller's autumn rise lies within its earlier years' and the stopped item leaves
    all demand."""
    df, ids = _pharmacy()
    shifts = level_shifts(df, freq="D", ids=ids)
    assert "best" not in shifts.index
    assert shifts.attrs["stopped"] == ["stop"] and shifts.attrs["years"] == 4
    # a real drop of the best seller (a competitor, from 2019-09-01) is still named
    hit = df.copy()
    late = (hit[ITEM_ID] == "best") & (hit[TIMESTAMP] >= "2019-09-01")
    hit.loc[late, QUANTITY] *= 0.6
    moved = level_shifts(hit[hit[ITEM_ID] != TOTAL_ID], freq="D", ids=ids)
    assert "best" in moved.index and moved.loc["best", "since"] == pd.Timestamp("2019-09-01")
    assert moved.loc["best", "usual_change"] == pytest.approx(0.3, abs=0.15)


def test_a_stopped_item_is_not_a_level_shift_too() -> None:
    """byod10a D11: N05B sold nothing from 2019-08-15; the plan listed it twice, "stopped
    selling ... 8.33 units a day lost" and "sales fell 100% ... a competitor opening ... 8.71
    units a day lost". The sales-stopped test names it; the level-shift test leaves it out."""
    df, ids = _pharmacy()
    shifts = level_shifts(df, freq="D", ids=ids)
    assert shifts.empty and shifts.attrs["tested"] == 6 and shifts.attrs["stopped"] == ["stop"]
    f = level_shift_finding(shifts, freq="D")
    assert f is not None and f.severity == "info"
    assert "Bonferroni over 6 series; left out as stopped: stop)." in f.text
    given = level_shifts(df, freq="D", ids=ids, stopped=[])  # the caller found none: tested
    assert "stop" in given.index and given.loc["stop", "change"] == -1.0


def test_one_item_is_not_tested_and_said_so() -> None:
    """byod11a D17: DataCo with ``SERIES_FILTER: item_id=1004`` (one steady seller) crashed
    chapter 04 with ``IndexError`` in level_shifts: its share of "all other demand" is 0/0
    in every period, the empty test passed as p = 0 and the empty span was indexed."""
    days = pd.date_range("2017-01-01", "2018-01-31")
    rng = np.random.default_rng(0)
    item = pd.DataFrame({ITEM_ID: "1004", TIMESTAMP: days,
                         QUANTITY: rng.poisson(39, len(days)).astype(float)})  # fmt: skip
    df = pd.concat([item.assign(**{ITEM_ID: TOTAL_ID}), item], ignore_index=True)
    shifts = level_shifts(df, freq="D", ids=["1004"])
    assert shifts.empty and shifts.attrs["tested"] == 0 and shifts.attrs["alone"] is True
    f = level_shift_finding(shifts, freq="D")
    assert f is not None and f.severity == "info" and f.evidence["tested"] == 0
    assert f.text.startswith("Level shifts were not tested: each series is read against all "
                             "other demand, and item 1004 is the only series sold here")  # fmt: skip
    # a second item that sells only at the start leaves 1004 no others lately: not tested
    early = item[item[TIMESTAMP] < "2017-03-01"].assign(**{ITEM_ID: "7"})
    two = pd.concat([item, early], ignore_index=True)
    assert level_shifts(two, freq="D", ids=["1004", "7"]).empty


def test_a_store_whose_every_department_stepped_down_is_named(tmp_path: object) -> None:
    """byod11b D5: Walmart's store 5 sold 40% less in every department from 2012-03-02; 04
    sums the stores per department, so no series moved against the others ("No series'
    level shifted significantly") and no page named the store. Each store's total against
    the other stores, the last half year against the half year before and a year before."""
    from pathlib import Path

    from opsai.data import open_workspace
    from opsai.forecast import store_shifts, store_totals
    from tests.conftest import write_dataset

    weeks = pd.date_range("2010-02-05", "2012-10-26", freq="W-FRI")
    rng = np.random.default_rng(5)
    season = 1 + 0.3 * (weeks.month == 12) + 0.15 * np.sin(2 * np.pi * weeks.day_of_year / 365)
    rows = []
    for store in range(1, 11):
        for dept in range(1, 6):
            mean = 1000.0 * store**0.5 * season
            if store == 5:
                mean = mean * np.where(weeks >= "2012-03-02", 0.6, 1.0)
            rows.append(pd.DataFrame({"Store": store, "Dept": dept, "Date": weeks.date,
                                      "Weekly_Sales": rng.normal(mean, 0.05 * mean)}))  # fmt: skip
    data = pd.concat(rows, ignore_index=True)
    spec = {"demand": {"columns": {"item_id": "Dept", "timestamp": "Date",
                                   "amount": "Weekly_Sales", "store": "Store"}}}  # fmt: skip
    cfg = write_dataset(Path(str(tmp_path)), {"demand.csv": data.to_csv(index=False)}, spec)
    with open_workspace(cfg) as ws:
        totals = store_totals(ws, freq="W")
        one = store_totals(ws, freq="W", where={"store": ["5"]})
    assert (
        one is None and totals is not None and sorted(totals[ITEM_ID].unique())[:2] == ["1", "10"]
    )
    assert len(totals) == 10 * len(weeks)
    shifts = store_shifts(totals, freq="W")
    assert list(shifts.index) == ["5"] and shifts.attrs["tested"] == 10
    s = shifts.loc["5"]
    assert s["since"] == pd.Timestamp("2012-02-27")  # the week (from Monday) of 2012-03-02
    assert s["change"] == pytest.approx(-0.4, abs=0.03)
    assert s["change_vs_year"] == pytest.approx(-0.4, abs=0.05)
    f = level_shift_finding(shifts, freq="W")
    assert f is not None and f.name == "store_level_shift" and f.severity == "high"
    assert f.text.startswith("The level of 1 store shifted lately, beyond the business as a "
                             "whole: store 5's sales fell ")  # fmt: skip
    assert "each store against the other stores, Welch t-test, Bonferroni over 10 stores" in f.text
    assert f.evidence["series"] == ["5"] and f.evidence["noun"] == "store"
    # the partial week after the series' end is left out; no step: said, under its own name
    quiet = store_shifts(totals[totals[ITEM_ID] != "5"], freq="W", end=weeks[-2])
    assert quiet.empty and quiet.attrs["end"] == pd.Timestamp("2012-10-15")
    g = level_shift_finding(quiet, freq="W")
    assert g is not None and g.name == "store_level_shift"
    assert g.text.startswith("No store's level shifted significantly (the last 26 weeks")
    assert store_shifts(None, freq="W").attrs["tested"] == 0


def _coffee_stores(days: pd.DatetimeIndex, grow: float = 1.67) -> pd.DataFrame:
    """Three stores of about 80 units a day; ``Astoria`` grows x``grow`` over the span, the
    other two x1.1 (Maven Roasters' Jan-Jun 2023, byod12a D3)."""
    rng = np.random.default_rng(3)
    t = np.linspace(0, 1, len(days))
    frames = []
    for store, g in (("Astoria", grow), ("Hell's Kitchen", 1.1), ("Lower Manhattan", 1.1)):
        mean = 80.0 * (1 + (g - 1) * t)
        frames.append(pd.DataFrame({ITEM_ID: store, TIMESTAMP: days,
                                    QUANTITY: rng.poisson(mean).astype(float)}))  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def test_six_months_of_stores_are_compared_on_the_last_third() -> None:
    """byod12a D3: on six months of data the half-year windows held no store, so Astoria's
    x1.67 against x1.1 went unnamed and nothing said the stores were not tested."""
    from opsai.forecast import store_shifts

    days = pd.date_range("2023-01-01", "2023-06-30")
    shifts = store_shifts(_coffee_stores(days), freq="D")
    assert shifts.attrs["tested"] == 3 and shifts.attrs["scaled"]
    assert (shifts.attrs["recent"], shifts.attrs["before"]) == (60, 121)
    assert shifts.index[0] == "Astoria"
    s = shifts.loc["Astoria"]
    assert s["change"] > 0.25 and s["relative_change"] > 0.12
    f = level_shift_finding(shifts, freq="D")
    assert f is not None and f.name == "store_level_shift"
    assert "store Astoria's sales rose " in f.text
    assert "the last 60 days against the 121 before, the last third of the data" in f.text
    # too short to test: said, not silent
    short = store_shifts(_coffee_stores(days[:40]), freq="D")
    assert short.attrs["tested"] == 0 and short.attrs["short"] == 40
    g = level_shift_finding(short, freq="D")
    assert g is not None and g.name == "store_level_shift" and g.severity == "info"
    assert g.text.startswith("The 3 stores were not compared with each other: their sales "
                             "cover 40 days, and the test needs 56")  # fmt: skip


def test_a_product_down_on_a_year_ago_is_named_without_a_recent_shift() -> None:
    """byod12a D11: P0012 lost 35% nine months before the data's end (a competitor undercut
    it); the last 42 days against the 91 before moved -5.8%, so level_shifts said "No series'
    level shifted" and no page named the 35% drop on a year ago."""
    from opsai.forecast import year_shift_finding, year_shifts

    days = pd.date_range("2022-01-01", "2023-06-30")
    rng = np.random.default_rng(7)
    frames = []
    for k in range(20):
        mean = np.full(len(days), 400.0)
        if k == 12:
            mean = np.where(days >= pd.Timestamp("2022-10-01"), 264.0, 404.0)
        frames.append(pd.DataFrame({ITEM_ID: f"P{k:04d}", TIMESTAMP: days,
                                    QUANTITY: rng.normal(mean, 0.2 * mean)}))  # fmt: skip
    df = pd.concat(frames, ignore_index=True)
    ids = sorted(df[ITEM_ID].unique())
    assert level_shifts(df, freq="D", ids=ids).empty  # the step is too old for the recent test
    found = year_shifts(df, freq="D", ids=ids)
    assert list(found.index) == ["P0012"] and found.attrs["tested"] == 20
    s = found.loc["P0012"]
    assert s["change"] == pytest.approx(-0.35, abs=0.03)
    assert abs(s["total_change"]) < 0.02 and s["relative_change"] < -0.3
    assert abs(s["since"] - pd.Timestamp("2022-10-01")) <= pd.Timedelta(days=3)
    f = year_shift_finding(found, freq="D", titles={"P0012": "Widget"})
    assert f is not None and f.name == "year_shift" and f.severity == "high"
    assert f.text.startswith("1 series sold well apart from a year before in the last 42 days "
                             "(from 2023-05-20) against the same days a year earlier")  # fmt: skip
    assert "item P0012 (Widget) sold 3" in f.text and "Bonferroni over 20 series" in f.text
    assert year_shifts(df, freq="D", ids=ids, exclude=["P0012"]).empty  # said once
    assert year_shift_finding(year_shifts(df[df[TIMESTAMP] < "2022-06-01"], freq="D"),
                              freq="D") is None  # under a year: nothing to compare  # fmt: skip
