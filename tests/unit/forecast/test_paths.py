"""Coherent intervals from reconciled sample paths."""

from __future__ import annotations

from typing import Any

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


def test_mint_never_forecasts_negative_demand() -> None:
    """Item a1 sells half a unit a day; its category's own forecast (2) is far below its
    items' (20.5), so MinT pulls every item down and a1 below zero. Items are clipped at 0
    and their aggregates re-summed: coherent, and no 'no forecast demand' for a1."""
    fc, S = base()
    cols = ["M", "M-lo-95", "M-hi-95", "M-lo-80", "M-hi-80"]
    fc.loc[fc[ITEM_ID] == "a1", cols] -= 9.5
    fc.loc[fc[ITEM_ID] == "category:A", cols] -= 8.0
    raw = reconcile_intervals(fc, S, model="M", method="mint_shrink", nonnegative=False,
                              residuals=residuals(False), n_samples=500)  # fmt: skip
    assert (raw.loc[raw[ITEM_ID] == "a1", "M"] < 0).all()  # what MinT alone gives
    rec = reconcile_intervals(fc, S, model="M", method="mint_shrink",
                              residuals=residuals(False), n_samples=500)  # fmt: skip
    assert coherence_gap(rec, S, "M") < 1e-9
    r = rec[rec[ITEM_ID] == "a1"]
    assert (r["M"] == 0.0).all() and (r["M-lo-95"] == 0.0).all()
    a2 = raw[raw[ITEM_ID] == "a2"]["M"].to_numpy()
    assert rec[rec[ITEM_ID] == "a2"]["M"].to_numpy() == pytest.approx(a2)  # others unchanged
    assert (rec[cols].to_numpy() >= 0).all()


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


def test_a_new_item_does_not_empty_the_reconciled_backtest() -> None:
    """Item a3 launched in the last week (a shop's new product): it has no forecast in any
    backtest window. The other series are still reconciled and scored in every window, their
    category summing the items that took part, instead of no window at all."""
    d = demand()
    d = d[(d[ITEM_ID] != "a3") | (d[TIMESTAMP] >= d[TIMESTAMP].max() - pd.Timedelta(days=5))]
    hs = hierarchy(d, CATS, freq="D")
    models = [SeasonalNaive(season_length=7, conformal_windows=30), WindowAverage(window=7)]
    auto = AutoForecaster(models, h=7, n_windows=3, season_length=7).fit(hs.df)
    assert "a3" not in set(auto.backtest_[ITEM_ID])
    cv = backtest_reconciled(auto.backtest_, hs.S, model="Auto", method="mint_shrink",
                             n_samples=200, seed=0)  # fmt: skip
    assert cv[CUTOFF].nunique() == 3 and "a3" not in set(cv[ITEM_ID])
    wide = cv.pivot_table(index=[CUTOFF, TIMESTAMP], columns=ITEM_ID, values="Auto")
    assert np.allclose(wide["category:A"], wide["a1"] + wide["a2"])
    assert np.allclose(wide["total"], wide["a1"] + wide["a2"] + wide["b1"])


def _backtest(errors: dict[str, list[float]], half: float = 2.0) -> pd.DataFrame:
    """A reconciled-backtest frame: point 10, bands +-half (95%) and +-half/2 (80%), actual =
    10 + error, one cutoff per key of ``errors`` (a '|' splits cutoff and series id)."""
    rows = []
    for key, errs in errors.items():
        cut, sid = key.split("|")
        for k, e in enumerate(errs):
            rows.append(
                {
                    ITEM_ID: sid,
                    TIMESTAMP: pd.Timestamp(cut) + pd.Timedelta(days=k + 1),
                    CUTOFF: pd.Timestamp(cut),
                    QUANTITY: 10.0 + e,
                    "M": 10.0,
                    "M-lo-80": 10.0 - half / 2,
                    "M-hi-80": 10.0 + half / 2,
                    "M-lo-95": 10.0 - half,
                    "M-hi-95": 10.0 + half,
                }
            )
    return pd.DataFrame(rows)


TAGS = {"total": ["T"], "item": ["i1", "i2"]}


def test_interval_scales_are_conformal_per_side_and_never_narrow() -> None:
    from opsai.forecast.paths import interval_scales

    # total: 79 points whose upper misses are 0.1 .. 7.9 half-widths; nothing below the point
    up = [0.2 * k for k in range(1, 80)]  # errors in units; half-width 2 -> scores 0.1 .. 7.9
    cv = _backtest({"2024-01-01|T": up, "2024-01-01|i1": [0.5] * 10, "2024-01-01|i2": [-0.5] * 10})
    s = interval_scales(cv, TAGS, model="M").set_index(["level", "interval"])
    # 95%: upper side at the ceil(80 * 0.975) = 78th smallest score -> 7.8 half-widths
    assert s.loc[("total", 95), "upper"] == pytest.approx(7.8)
    # 80%: half-width 1, rank ceil(80 * 0.9) = 72 -> 14.4 half-widths
    assert s.loc[("total", 80), "upper"] == pytest.approx(0.2 * 72)
    assert s.loc[("total", 95), "lower"] == 1.0  # no miss below: never narrowed
    # items inside their bands (scores 0.25): factors stay 1; 20 points are too few for the
    # 95% rank (ceil(21 * 0.975) = 21 > 20): infinite, i.e. "cannot tell"
    assert s.loc[("item", 80), "upper"] == 1.0 and s.loc[("item", 80), "points"] == 20
    assert np.isinf(s.loc[("item", 95), "upper"])


def test_rescale_intervals_stretches_each_side_around_the_point() -> None:
    from opsai.forecast.paths import SCALE_COLUMNS, rescale_intervals

    fc = _backtest({"2024-01-01|T": [0.0], "2024-01-01|i1": [0.0], "2024-01-01|x": [0.0]}, half=8)
    scales = pd.DataFrame(
        [["total", 95, 1.0, 3.0, 9], ["item", 95, 2.0, float("inf"), 9]], columns=SCALE_COLUMNS
    )
    out = rescale_intervals(fc, scales, TAGS, model="M").set_index(ITEM_ID)
    assert out.loc["T", "M-hi-95"] == 10 + 3 * 8 and out.loc["T", "M-lo-95"] == 2.0
    assert out.loc["i1", "M-lo-95"] == 0.0  # 10 - 2 * 8 = -6, clipped at 0
    assert out.loc["i1", "M-hi-95"] == 18.0  # infinite factor: band kept
    assert out.loc["x", "M-hi-95"] == 18.0  # a series outside the tags: kept
    assert (out["M-hi-80"] == 14.0).all() and (out["M"] == 10.0).all()  # 80% had no factor


def test_calibrate_backtest_scales_each_window_from_the_others_only() -> None:
    from opsai.forecast.paths import calibrate_backtest

    wild = [0.2 * k for k in range(1, 80)]  # misses up to 7.9 half-widths
    calm = [0.0] * 79
    cv = _backtest({"2024-01-01|T": wild, "2024-06-01|T": calm})
    out = calibrate_backtest(cv, {"total": ["T"]}, model="M")
    assert out.index.equals(cv.index)
    first = out[CUTOFF] == pd.Timestamp("2024-01-01")
    # the wild window is scored with the calm window's factors (1): its band is unchanged
    assert (out.loc[first, "M-hi-95"] == 12.0).all()
    # the calm window gets the wild window's factor (7.8): out-of-sample, widened
    assert out.loc[~first, "M-hi-95"].iloc[0] == pytest.approx(10 + 7.8 * 2)
    doubled = calibrate_backtest(cv.set_axis([0] * len(cv)), {"total": ["T"]}, model="M")
    assert (doubled.to_numpy() == out.to_numpy()).all()  # a repeated index changes nothing
    one = calibrate_backtest(cv[first], {"total": ["T"]}, model="M")  # one window: nothing to learn
    assert one.equals(cv[first])


def test_worst_window_and_the_coverage_finding() -> None:
    from opsai.forecast.chapter import reconciled_coverage, worst_window
    from opsai.forecast.chapter import reconciled_coverage_finding as finding
    from opsai.report.finding import Finding

    def reconciled_coverage_finding(*args: Any, **kwargs: Any) -> Finding:
        f = finding(*args, **kwargs)
        assert f is not None
        return f

    # total: the first window misses 3 of 4 points by +5 (bands +-2); the second holds all
    cv = _backtest(
        {
            "2024-01-01|T": [5.0, 5.0, 5.0, 0.0],
            "2024-06-01|T": [0.0, 1.0, -1.0, 0.0],
            "2024-01-01|i1": [0.0] * 4,
            "2024-06-01|i1": [0.0] * 4,
        }
    )
    w = worst_window(cv, TAGS, model="M")
    assert w == {
        "level": "total",
        "cutoff": "2024-01-01",
        "coverage_95": 0.25,
        "others_95": 1.0,
        "actual_vs_forecast": pytest.approx(15 / 40),
    }
    wider = cv.assign(**{"M-hi-95": np.where(cv[ITEM_ID] == "T", 20.0, 12.0)})
    table = reconciled_coverage(wider, TAGS, model="M", before=cv).set_index("level")
    assert (
        table.loc["total", "coverage_95_before"] == 5 / 8 and table.loc["total", "coverage_95"] == 1
    )
    f = reconciled_coverage_finding(table.reset_index(), method="mint_shrink", window=w)
    assert "before the recalibration" in f.text and "total 62%" in f.text
    assert f.severity == "info" and "window after" not in f.text  # all levels >= 85% now
    f = reconciled_coverage_finding(
        reconciled_coverage(cv, TAGS, model="M"), method="mint_shrink", window=w
    )
    assert f.severity == "medium" and "window after 2024-01-01: its bands held 25% there" in f.text
    assert "+38% against the forecast, a shift" in f.text
    assert f.evidence["worst_window.others_95"] == 1.0
    small = dict(w, actual_vs_forecast=0.05)  # a small miss on tight bands: no "shift" claimed
    f = reconciled_coverage_finding(
        reconciled_coverage(cv, TAGS, model="M"), method="mint_shrink", window=small
    )
    assert f.text.endswith("+5% against the forecast.")
    spread = dict(w, coverage_95=0.6, others_95=0.7)  # misses not gathered in one window
    assert (
        "window after"
        not in reconciled_coverage_finding(
            reconciled_coverage(cv, TAGS, model="M"), method="mint_shrink", window=spread
        ).text
    )


def test_the_coverage_finding_names_only_the_levels_present() -> None:
    from opsai.forecast.chapter import reconciled_coverage, reconciled_coverage_finding

    cv = _backtest({"2024-01-01|T": [0.0] * 4, "2024-01-01|i1": [0.0] * 4})
    table = reconciled_coverage(cv, TAGS, model="M")
    # items and a total, no category: the sentence names no category
    f = reconciled_coverage_finding(table, method="mint_shrink", tags=TAGS)
    assert f is not None and f.text.endswith("; the item and total forecasts add up exactly.")
    assert "category" not in f.text
    three = {"total": ["T"], "category": ["c1"], "item": ["i1", "i2"]}
    f = reconciled_coverage_finding(table, method="mint_shrink", tags=three)
    assert f is not None and "; the item, category and total forecasts add up exactly." in f.text
    # without tags, the table's levels
    f = reconciled_coverage_finding(table, method="mint_shrink")
    assert f is not None and "the item and total forecasts add up exactly." in f.text
    # one series (no item ids, or a single item): nothing reconciled, no sentence
    assert (
        reconciled_coverage_finding(
            table, method="mint_shrink", tags={"total": ["T"], "item": ["all_items"]}
        )
        is None
    )
    one = {"total": ["T"], "category": ["c1"], "item": ["i1"]}
    assert reconciled_coverage_finding(table, method="mint_shrink", tags=one) is None


def test_bands_that_hold_everything_far_too_wide_are_called_too_wide() -> None:
    """byod11b D18b: the Walmart total's 95% bands held 39 of 39 backtest points at several
    times the width its 2% errors needed, and the page read 'total 100%' as success."""
    from opsai.forecast.chapter import reconciled_coverage, reconciled_coverage_finding

    errs = [0.1, -0.2, 0.3, -0.4, 0.5] * 4  # 20 points, 95% of errors within 0.5
    cv = _backtest({"2024-01-01|T": errs, "2024-01-01|i1": errs}, half=2.0)  # +-2 bands
    table = reconciled_coverage(cv, TAGS, model="M").set_index("level")
    assert table.loc["total", "coverage_95"] == 1.0
    assert table.loc["total", "width_ratio"] == pytest.approx(2.0 / 0.5)
    f = reconciled_coverage_finding(table.reset_index(), method="mint_shrink", tags=TAGS)
    assert f is not None and f.severity == "low"
    assert (
        "too wide (median half-width over the distance that held 95% of the backtest's errors: total 4.0x, item 4.0x)"
        in f.text
    )
    assert f.evidence["width_ratio.total"] == 4.0
    snug = reconciled_coverage(_backtest({"2024-01-01|T": errs, "2024-01-01|i1": errs}, half=0.6),
                               TAGS, model="M")  # fmt: skip
    f = reconciled_coverage_finding(snug, method="mint_shrink", tags=TAGS)
    assert f is not None and "too wide" not in f.text and f.severity == "info"


def test_the_coverage_finding_says_when_95_is_extrapolated() -> None:
    """byod11b D18a: FAST calibrates the local models on 8 origins, too few for a conformal
    95% band; the finding says the 95% band is a normal stretch (x1.23) of the largest error."""
    from opsai.forecast import SeasonalNaive, Theta
    from opsai.forecast.chapter import calibration_windows, coverage_finding

    models = [SeasonalNaive(season_length=7, conformal_windows=8), Theta(conformal_windows=20)]
    assert calibration_windows(models) == 8
    f = coverage_finding(0.96, model="Theta", stock=False, windows=8)
    assert "calibrated on 8 past origins, too few for a conformal 95% band" in f.text
    assert "vouches for 89% only, so the 95% band is that error times 1.23" in f.text
    assert f.evidence["calibration_windows"] == 8
    assert "calibrated" not in coverage_finding(0.96, model="Theta", windows=20).text
