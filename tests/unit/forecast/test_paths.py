"""Coherent intervals from reconciled sample paths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, SchemaError
from opsai.forecast import (
    CUTOFF,
    AutoForecaster,
    SeasonalNaive,
    WindowAverage,
    coherence_gap,
    hierarchy,
)
from opsai.forecast.paths import backtest_reconciled, reconcile_intervals, sample_marginals

pytestmark = pytest.mark.unit

ITEMS = ["a1", "a2", "a3", "b1"]
CATS = pd.Series({"a1": "A", "a2": "A", "a3": "A", "b1": "B"})
TS = pd.date_range("2024-01-01", periods=5)


def base(sigma: float = 2.0, mean: float = 10.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normal base forecasts N(mean, sigma^2) for every series of a 4-item hierarchy."""
    bottom = pd.DataFrame(
        [(i, t, 1.0) for i in ITEMS for t in TS], columns=[ITEM_ID, TIMESTAMP, QUANTITY]
    )
    hs = hierarchy(bottom, CATS, freq="D")
    rows = []
    for sid in hs.S.index:
        for t in TS:
            r = {ITEM_ID: sid, TIMESTAMP: t, "M": mean}
            for lv in (80, 95):
                z = norm.ppf(0.5 + lv / 200)
                r[f"M-lo-{lv}"], r[f"M-hi-{lv}"] = mean - z * sigma, mean + z * sigma
            rows.append(r)
    return pd.DataFrame(rows), hs.S


def residuals(common: bool, n: int = 60, seed: int = 0) -> pd.DataFrame:
    """Backtest-shaped errors for every series: identical across items, or independent."""
    rng = np.random.default_rng(seed)
    _, S = base()
    shared = rng.normal(size=n)
    rows = []
    for sid in S.index:
        e = shared if common else rng.normal(size=n)
        for k in range(n):
            rows.append({ITEM_ID: sid, TIMESTAMP: TS[0] + pd.Timedelta(days=k),
                         CUTOFF: TS[0], QUANTITY: e[k], "M": 0.0})  # fmt: skip
    return pd.DataFrame(rows)


def test_marginals_interpolate_and_extend() -> None:
    zk = np.array([-1.0, 0.0, 1.0])
    q = np.array([[8.0, 10.0, 14.0]])
    z = np.array([[-2.0], [-0.5], [0.0], [0.5], [2.0]])
    np.testing.assert_allclose(sample_marginals(q, zk, z)[:, 0], [6, 9, 10, 12, 18])


@pytest.mark.parametrize("common", [False, True])
def test_bottom_up_sums_independent_and_dependent_items(common: bool) -> None:
    fc, S = base()
    res = residuals(common)
    rec = reconcile_intervals(fc, S, model="M", residuals=res, n_samples=20000,
                              nonnegative=False, seed=1)  # fmt: skip
    assert coherence_gap(rec, S, "M") < 1e-9  # means add up exactly
    r = rec.set_index(ITEM_ID)
    np.testing.assert_allclose(r.loc["total", "M"], 40.0)
    np.testing.assert_allclose(r.loc["category:A", "M"], 30.0)
    # total of 4 items with sd 2: sd 4 if independent, 8 if they move together
    sd = 8.0 if common else 4.0
    half = (r.loc["total", "M-hi-95"] - r.loc["total", "M-lo-95"]) / 2
    np.testing.assert_allclose(half, 1.96 * sd, rtol=0.05)
    item = (r.loc["a1", "M-hi-95"] - r.loc["a1", "M-lo-95"]) / 2
    np.testing.assert_allclose(item, 1.96 * 2.0, rtol=0.05)  # items keep their own band
    assert (r["M-lo-80"] >= r["M-lo-95"]).all() and (r["M-hi-80"] <= r["M-hi-95"]).all()


def test_mint_is_coherent_and_keeps_columns() -> None:
    fc, S = base()
    cols = ["M", "M-lo-95", "M-hi-95", "M-lo-80", "M-hi-80"]
    fc.loc[fc[ITEM_ID] == "category:A", cols] += 20.0  # coherent with its 3 items
    fc.loc[fc[ITEM_ID] == "total", cols] += 60.0  # 70 against the items' 40
    fc["extra"] = 1.5
    rec = reconcile_intervals(fc, S, model="M", method="mint_shrink",
                              residuals=residuals(False), n_samples=500)  # fmt: skip
    assert coherence_gap(rec, S, "M") < 1e-9
    assert list(rec.columns) == list(fc.columns) and (rec["extra"] == 1.5).all()
    tot = rec[rec[ITEM_ID] == "total"]
    assert 40.0 < tot["M"].min() < 70.0  # pulled between the items' 40 and the total's 70
    assert (tot["M-lo-95"] <= tot["M"]).all() and (tot["M"] <= tot["M-hi-95"]).all()


def test_errors() -> None:
    fc, S = base()
    with pytest.raises(ConfigError, match="residuals"):
        reconcile_intervals(fc, S, model="M", method="mint_shrink")
    with pytest.raises(SchemaError, match="level"):
        reconcile_intervals(fc.drop(columns="M-hi-80"), S, model="M")
    with pytest.raises(SchemaError, match="missing"):
        reconcile_intervals(fc[fc[ITEM_ID] != "a1"], S, model="M")


def demand(n_days: int = 140, seed: int = 0) -> pd.DataFrame:
    """Poisson item demand with a weekly cycle and a shared daily shock."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_days)
    shock = np.exp(rng.normal(0, 0.15, n_days))
    rows = []
    for k, sid in enumerate(ITEMS):
        lam = (8 + 3 * k) * (1 + 0.3 * np.sin(2 * np.pi * t / 7)) * shock
        rows.append(pd.DataFrame({ITEM_ID: sid, TIMESTAMP: pd.date_range("2024-01-01",
                    periods=n_days), QUANTITY: rng.poisson(lam).astype(float)}))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("method", ["bottom_up", "mint_shrink"])
def test_reconciled_intervals_cover_on_a_backtest(method: str) -> None:
    hs = hierarchy(demand(), CATS, freq="D")
    models = [SeasonalNaive(season_length=7, conformal_windows=30), WindowAverage(window=7)]
    auto = AutoForecaster(models, h=7, n_windows=6, season_length=7).fit(hs.df)
    cv = backtest_reconciled(auto.backtest_, hs.S, model="Auto", method=method,  # type: ignore[arg-type]
                             n_samples=400, seed=0)  # fmt: skip
    assert cv[CUTOFF].nunique() == 6
    for _, w in cv.groupby(CUTOFF):
        assert coherence_gap(w, hs.S, "Auto") < 1e-8
    inside = (cv[QUANTITY] >= cv["Auto-lo-95"]) & (cv[QUANTITY] <= cv["Auto-hi-95"])
    cov = inside.groupby(cv[ITEM_ID].isin(ITEMS)).mean()
    assert cov[True] >= 0.85 and cov[False] >= 0.80  # items; categories and total
    inside80 = (cv[QUANTITY] >= cv["Auto-lo-80"]) & (cv[QUANTITY] <= cv["Auto-hi-80"])
    assert inside80.mean() < inside.mean()
