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
    assert s["total_change"] == pytest.approx(-0.148, abs=0.01) and s["p_value"] < 1e-6
    assert s["relative_change"] == pytest.approx(-0.26, abs=0.02)
    assert s["change_vs_year"] == pytest.approx(-0.26, abs=0.03)
    assert shifts.attrs["tested"] == 20 and shifts.attrs["year"] is True
    f = level_shift_finding(shifts, freq="D")
    assert f is not None and f.name == "level_shift" and f.severity == "high"
    assert f.text.startswith(
        f"The level of 1 series shifted lately, beyond the business as a whole: item s07's "
        f"sales fell {-s['change']:.1%} since 2015-06-15 ("
    )
    assert "the last 42 days against the 91 before and the same days a year before; each " in f.text
    assert "Bonferroni over 20 series" in f.text and "a competitor opening" in f.text
    assert f.evidence["series"] == ["s07"] and f.evidence["since"] == ["2015-06-15"]
    # without a year of history the summer store's July rise is a shift against its spring
    short = df[df[TIMESTAMP] >= "2015-01-01"]
    found = level_shifts(short, freq="D", ids=ids)
    assert set(found.index) == {"s03", "s07"} and found.attrs["year"] is False
    assert found.loc["s03", "since"] == pd.Timestamp("2015-07-01")
    assert found.loc["s03", "relative_change"] == pytest.approx(1.0, abs=0.05)  # doubled
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
