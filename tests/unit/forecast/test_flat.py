"""AutoForecaster on degenerate series: constant, all zero, shorter than a season, one sale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast import (
    AutoForecaster,
    AutoPattern,
    Naive,
    SeasonalNaive,
    Theta,
    WindowAverage,
    cross_validation,
    evaluate,
    select_best,
)

pytestmark = pytest.mark.unit

N = 48
TS = pd.date_range("2020-01-01", periods=N, freq="MS")


def series(sid: str, y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({ITEM_ID: sid, TIMESTAMP: TS[-len(y) :], QUANTITY: y.astype(float)})


def degenerate() -> pd.DataFrame:
    one = np.zeros(N)
    one[20] = 4.0
    return pd.concat(
        [
            series("flat", np.full(N, 7.0)),
            series("zero", np.zeros(N)),
            series("one", one),
            series("short", np.array([3, 5, 4, 6, 5, 7, 6, 8, 5, 6.0])),  # 10 < season 12
        ],
        ignore_index=True,
    )


def models() -> list:
    return [Theta(season_length=12), SeasonalNaive(season_length=12), AutoPattern(season_length=12)]


@pytest.mark.parametrize("metric", ["mase", "smape", "wape"])
def test_auto_on_only_flat_series(metric: str) -> None:
    # every series has an undefined MASE: this crashed with "Encountered all NA values"
    df = pd.concat([series("flat", np.full(N, 7.0)), series("zero", np.zeros(N))])
    auto = AutoForecaster(models(), h=6, n_windows=2, season_length=12, metric=metric)
    fc = auto.fit(df, freq="MS").predict(6, level=[95])
    assert auto.metrics_["mase"].isna().all() and (auto.metrics_["mae"] == 0).all()
    got = fc.groupby(ITEM_ID)["Auto"]
    np.testing.assert_allclose(got.get_group("flat"), 7.0)  # a constant stays constant
    np.testing.assert_allclose(got.get_group("zero"), 0.0)
    np.testing.assert_allclose(fc["Auto-lo-95"], fc["Auto"])  # no error seen, no width
    np.testing.assert_allclose(fc["Auto-hi-95"], fc["Auto"])


@pytest.mark.parametrize("metric", ["mase", "smape", "wape"])
def test_auto_fits_degenerate_series(metric: str) -> None:
    auto = AutoForecaster(models(), h=6, n_windows=2, season_length=12, metric=metric)
    fc = auto.fit(degenerate(), freq="MS").predict(6, level=[80, 95])
    assert set(auto.choice_) == {"flat", "zero", "one", "short"}
    assert not fc.isna().any().any() and len(fc) == 4 * 6
    m = auto.metrics_.set_index(ITEM_ID)
    assert m.loc[["flat", "zero"], "mase"].isna().all()
    assert m.loc["one", "mase"].notna().all()  # the sale is in the history of both cutoffs
    p, lo, hi = (fc[c].to_numpy() for c in ("Auto", "Auto-lo-95", "Auto-hi-95"))
    assert (lo <= p + 1e-9).all() and (p <= hi + 1e-9).all() and (lo >= 0).all()
    one = fc[fc[ITEM_ID] == "one"]
    # rare sale: an intermittent level below one unit, not the seasonal naive's zero copy
    assert auto.choice_["one"] == "AutoPattern" and 0 < one["Auto"].min() <= one["Auto"].max() < 1


def test_short_series_sits_out_the_backtest_and_gets_the_overall_best() -> None:
    rng = np.random.default_rng(0)
    long = 50 + 10 * np.sin(np.arange(N) * np.pi / 6) + rng.normal(0, 1, N)
    df = pd.concat([degenerate(), series("long", long)], ignore_index=True)
    auto = AutoForecaster(models(), h=6, n_windows=2, season_length=12).fit(df, freq="MS")
    assert "short" not in set(auto.metrics_[ITEM_ID])
    assert auto.choice_["short"] == auto.choice_["long"]  # the only series MASE could rank
    fc = auto.predict(6)
    assert len(fc[fc[ITEM_ID] == "short"]) == 6 and fc["Auto"].notna().all()


def test_mae_ranks_series_whose_metric_is_undefined() -> None:
    # WAPE is undefined when nothing sold in the backtest windows; MAE still ranks the models
    rng = np.random.default_rng(1)
    y = np.r_[rng.poisson(6, N - 12), np.zeros(12)].astype(float)
    df = series("stopped", y)
    models = [WindowAverage(window=12), Naive()]
    cv = cross_validation(models, df, h=6, n_windows=2, level=None)
    m = evaluate(cv, df, season_length=12)
    assert m["wape"].isna().all()
    mae = m.set_index("model")["mae"]
    assert mae["Naive"] < mae["WindowAverage"]  # naive repeats the last zero
    assert select_best(m, metric="wape")["stopped"] == "Naive"


def test_no_series_long_enough_is_a_clear_error() -> None:
    df = series("s", np.arange(10.0))
    with pytest.raises(ConfigError, match=r"Lower n_windows or h \(in the report: N_WINDOWS or"):
        AutoForecaster(models(), h=3, n_windows=2, season_length=12).fit(df, freq="MS")
