"""Rolling-origin backtest, evaluation, choice per series, reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, SchemaError
from opsai.forecast import (
    CUTOFF,
    AutoForecaster,
    Naive,
    SeasonalNaive,
    WindowAverage,
    coherence_gap,
    cross_validation,
    cutoffs,
    evaluate,
    hierarchy,
    leaderboard,
    reconcile,
    select_best,
)
from opsai.forecast.reconcile import projection, shrunk_covariance

pytestmark = pytest.mark.unit

WEEK = np.array([5, 3, 3, 4, 6, 9, 12.0])


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ys = {"seasonal": np.tile(WEEK, 10), "flat": 20 + rng.normal(0, 2, 70)}
    return pd.concat(
        [
            pd.DataFrame(
                {ITEM_ID: k, TIMESTAMP: pd.date_range("2024-01-01", periods=70), QUANTITY: v}
            )
            for k, v in ys.items()
        ],
        ignore_index=True,
    )


def test_cutoffs_and_no_leakage() -> None:
    df = frame()
    cuts = cutoffs(df, h=7, n_windows=3)
    assert cuts == [
        pd.Timestamp("2024-02-18"),
        pd.Timestamp("2024-02-25"),
        pd.Timestamp("2024-03-03"),
    ]
    cv = cross_validation([Naive()], df, h=7, n_windows=3, level=None)
    assert len(cv) == 2 * 3 * 7
    assert (cv[TIMESTAMP] > cv[CUTOFF]).all()
    last = df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY]
    expect = [last[(i, c)] for i, c in zip(cv[ITEM_ID], cv[CUTOFF], strict=True)]
    np.testing.assert_allclose(cv["Naive"], expect)  # the forecast is the value at the cutoff
    with pytest.raises(ConfigError, match=r"N_WINDOWS or HORIZON under chapters\.04_demand"):
        cutoffs(df, h=30, n_windows=3)


def test_evaluate_leaderboard_and_best_per_series() -> None:
    df = frame()
    models = [SeasonalNaive(season_length=7), WindowAverage(window=28)]
    cv = cross_validation(models, df, h=7, n_windows=3)
    met = evaluate(cv, df, season_length=7)
    sn = met.set_index([ITEM_ID, "model"])
    assert sn.loc[("seasonal", "SeasonalNaive"), "mase"] == 0.0
    assert sn.loc[("seasonal", "SeasonalNaive"), "smape"] == 0.0
    assert {"coverage_80", "coverage_95"} <= set(met.columns)
    best = select_best(met)
    assert best["seasonal"] == "SeasonalNaive"
    assert best["flat"] == "WindowAverage"
    board = leaderboard(met, tags={"a": ["seasonal"], "b": ["flat"]})
    assert list(board.columns[:2]) == ["level", "model"] and len(board) == 4
    with pytest.raises(ConfigError, match="metric"):
        select_best(met, metric="bias")


def test_auto_forecaster_uses_the_backtest_winner() -> None:
    df = frame()
    auto = AutoForecaster(
        [SeasonalNaive(season_length=7), WindowAverage(window=28)], h=7, n_windows=2
    ).fit(df)
    assert auto.choice_ == {"flat": "WindowAverage", "seasonal": "SeasonalNaive"}
    fc = auto.predict(7, level=[95])
    np.testing.assert_allclose(fc.loc[fc[ITEM_ID] == "seasonal", "Auto"], WEEK)
    assert {"Auto-lo-95", "Auto-hi-95"} <= set(fc.columns)


def test_reconciliation_adds_up() -> None:
    df = frame()
    hs = hierarchy(df, pd.Series({"seasonal": "x", "flat": "y"}), freq="D")
    model = WindowAverage(window=7)
    cv = cross_validation([model], hs.df, h=7, n_windows=4, level=None)
    fc = model.fit(hs.df).predict(7)
    fc.loc[fc[ITEM_ID] == "total", "WindowAverage"] += 50  # incoherent on purpose
    assert coherence_gap(fc, hs.S, "WindowAverage") > 49
    for method in ("bottom_up", "mint_shrink"):
        rec = reconcile(fc, hs.S, method=method, residuals=cv)  # type: ignore[arg-type]
        assert coherence_gap(rec, hs.S, "WindowAverage") < 1e-8
    bu = reconcile(fc, hs.S).set_index([ITEM_ID, TIMESTAMP])["WindowAverage"]
    base = fc.set_index([ITEM_ID, TIMESTAMP])["WindowAverage"]
    pd.testing.assert_series_equal(bu.loc[["flat", "seasonal"]], base.loc[["flat", "seasonal"]])
    with pytest.raises(ConfigError, match="residuals"):
        reconcile(fc, hs.S, method="mint_shrink")


def test_mint_projection_properties() -> None:
    S = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1.0]])
    rng = np.random.default_rng(0)
    W = shrunk_covariance(rng.normal(size=(40, 5)))
    for P in (projection(S), projection(S, W)):
        np.testing.assert_allclose(S @ P @ S, S, atol=1e-9)  # unbiased: coherent input unchanged
    assert np.allclose(W, W.T)


def test_mint_falls_back_to_own_variances_when_no_period_is_complete() -> None:
    """An item that starts selling late has no error in the early windows: with fewer than 3
    complete rows MinT uses each series' own error variance (wls_var) and says so."""
    rng = np.random.default_rng(1)
    resid = rng.normal(scale=[1.0, 2.0, 3.0], size=(12, 3))
    resid[:10, 2] = np.nan  # the new item: 2 errors only
    resid[:, 1][::5] = np.nan  # rows 0, 5, 10: row 11 is the only complete one
    with pytest.warns(UserWarning, match=r"only 1 backtest period\(s\) .*wls_var"):
        W = shrunk_covariance(resid)
    want = np.nanvar(resid, axis=0)
    np.testing.assert_allclose(W, np.diag(want))
    resid[:11, 2] = np.nan  # one error: no variance, the others' median stands in
    with pytest.warns(UserWarning):
        W = shrunk_covariance(resid)
    assert W[2, 2] == pytest.approx(np.median(want[:2]))
    S = np.array([[1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1.0]])
    with pytest.warns(UserWarning):
        P = projection(
            S, shrunk_covariance(np.column_stack([rng.normal(size=(6, 3)), np.full(6, np.nan)]))
        )
    np.testing.assert_allclose(S @ P @ S, S, atol=1e-9)
    with pytest.raises(SchemaError, match="no backtest errors at all"):
        shrunk_covariance(np.full((4, 3), np.nan))


def test_mint_reconciles_items_whose_errors_are_all_zero() -> None:
    """byod9a D9: YOOCHOOSE buys, 88 items, most never sold in the backtest: their error
    variance is 1e-9 beside the total's 1e6, pinv dropped them and chapter 04 failed with
    LinAlgError: Singular matrix. The projection falls back to each series' own variance
    (wls_var, inverted exactly), says so, and keeps the items (P S = I)."""
    k = 88
    S = np.vstack([np.ones((1, k)), np.eye(k)])
    d = np.array([1e6, 3022.0, 1941.0, 860.0, 244.0, 1838.0] + [1e-9] * (k - 5))
    with pytest.warns(UserWarning, match=r"mint_shrink: .* cannot be inverted; .*\(wls_var\)"):
        P = projection(S, np.diag(d))
    np.testing.assert_allclose(P @ S, np.eye(k), atol=1e-9)
    Wi = np.diag(1 / d)
    np.testing.assert_allclose(P, np.linalg.solve(S.T @ Wi @ S, S.T @ Wi), atol=1e-9)
    e = np.array([[2.0, 1, 1, 0], [-2, -1, -1, 0], [0, 0, 0, 0]])  # items 1, 2 move together
    c = e - e.mean(axis=0)
    with pytest.warns(UserWarning, match="cannot be inverted"):
        P = projection(S[[0, 1, 2, 3], :3], c.T @ c / 3)  # a singular covariance
    assert np.isfinite(P).all() and np.allclose(P @ S[[0, 1, 2, 3], :3], np.eye(3))


def test_auto_forecaster_margin_shrinks_to_the_overall_best() -> None:
    df = frame()
    models = [SeasonalNaive(season_length=7), WindowAverage(window=28)]
    auto = AutoForecaster(models, h=7, n_windows=2, combine=False, margin=0.99).fit(df)
    overall = auto.leaderboard_.iloc[0]["model"]
    assert set(auto.choice_.values()) == {overall}


def intermittent_frame() -> pd.DataFrame:
    """An intermittent item (a sale of 1-3 units every few days) whose last five weeks sold 2
    units each Sunday only, and a smooth weekly item."""
    rng = np.random.default_rng(1)
    early = np.where(rng.random(84) < 0.3, rng.integers(1, 4, 84), 0).astype(float)
    sundays = np.tile([0, 0, 0, 0, 0, 0, 2.0], 5)
    ys = {"intermittent": np.r_[early, sundays], "seasonal": np.tile(WEEK, 17)}
    dates = pd.date_range("2024-01-01", periods=119)  # a Monday: the sales fall on Sundays
    return pd.concat(
        [pd.DataFrame({ITEM_ID: k, TIMESTAMP: dates, QUANTITY: v}) for k, v in ys.items()],
        ignore_index=True,
    )


def test_auto_forecaster_gives_intermittent_series_no_seasonal_naive_copy() -> None:
    from opsai.forecast import AutoPattern, demand_pattern

    df = intermittent_frame()
    y = df.loc[df[ITEM_ID] == "intermittent", QUANTITY].to_numpy()
    assert demand_pattern(y) == "intermittent"
    models = [SeasonalNaive(season_length=7), WindowAverage(window=28), AutoPattern()]
    auto = AutoForecaster(models, h=7, n_windows=2, combine=False).fit(df)
    score = auto.metrics_.pivot(index=ITEM_ID, columns="model", values="mase")
    assert score.loc["intermittent"].idxmin() == "SeasonalNaive"  # it won the backtest by luck
    best = score.loc["intermittent", ["WindowAverage", "AutoPattern"]].idxmin()
    assert auto.choice_ == {"intermittent": best, "seasonal": "SeasonalNaive"}
    f = auto.predict(28)
    point = f.loc[f[ITEM_ID] == "intermittent", "Auto"].to_numpy()
    assert np.ptp(point) == pytest.approx(0) and point[0] > 0  # a level, not 2 units on Sundays
