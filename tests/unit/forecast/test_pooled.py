"""The pooled direct multi-horizon network and validated combinations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast import AutoForecaster, Naive, PooledMLP, SeasonalNaive, smape

pytestmark = pytest.mark.unit

H = 6


def panel(n_series: int = 40, n: int = 60, seed: int = 0) -> pd.DataFrame:
    """Monthly series sharing a yearly shape at very different levels, with noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    rows = []
    for k in range(n_series):
        level = 10 ** rng.uniform(1, 4)
        shape = 1 + 0.3 * np.sin(2 * np.pi * (t + k) / 12)
        y = level * shape * np.exp(rng.normal(0, 0.05, n))
        ts = pd.date_range("2010-01-01", periods=n, freq="MS")
        rows.append(pd.DataFrame({ITEM_ID: f"s{k:02d}", TIMESTAMP: ts, QUANTITY: y}))
    return pd.concat(rows, ignore_index=True)


def split(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return df.groupby(ITEM_ID).head(-H), df.groupby(ITEM_ID).tail(H)


def score(test: pd.DataFrame, fc: pd.DataFrame, col: str) -> float:
    got = test.merge(fc, on=[ITEM_ID, TIMESTAMP])
    return float(np.mean([smape(g[QUANTITY], g[col]) for _, g in got.groupby(ITEM_ID)]))


def small(**kw: object) -> PooledMLP:
    args: dict = dict(
        season_length=12, horizon=H, input_size=24, hidden=32, epochs=25, n_models=1, seed=0
    )
    args.update(kw)
    return PooledMLP(**args)


def test_pooled_learns_the_shared_shape_across_levels() -> None:
    train, test = split(panel())
    fc = small().fit(train, freq="MS").predict(H, level=[80, 95])
    naive = Naive().fit(train, freq="MS").predict(H)
    ours, base = score(test, fc, "PooledMLP"), score(test, naive, "Naive")
    assert ours < 0.6 * base  # the seasonal shape is learnt once, for every level
    assert ours < 8.0
    lo95, lo80, p = fc["PooledMLP-lo-95"], fc["PooledMLP-lo-80"], fc["PooledMLP"]
    assert ((lo95 <= lo80 + 1e-9) & (lo80 <= p + 1e-9)).all()
    assert (fc["PooledMLP-hi-95"] >= fc["PooledMLP-hi-80"] - 1e-9).all()
    cover = test.merge(fc, on=[ITEM_ID, TIMESTAMP])
    inside = (cover[QUANTITY] >= cover["PooledMLP-lo-95"]) & (
        cover[QUANTITY] <= cover["PooledMLP-hi-95"]
    )
    assert inside.mean() >= 0.8


def test_same_seed_same_forecast_and_longer_horizons_recurse() -> None:
    train, _ = split(panel(n_series=10))
    a = small(epochs=3).fit(train, freq="MS").predict(2 * H + 1)
    b = small(epochs=3).fit(train, freq="MS").predict(2 * H + 1)
    np.testing.assert_array_equal(a["PooledMLP"], b["PooledMLP"])
    assert a.groupby(ITEM_ID).size().eq(2 * H + 1).all() and (a["PooledMLP"] >= 0).all()


def test_short_series_are_padded_and_too_short_data_is_an_error() -> None:
    df = panel(n_series=8)
    short = df[df[ITEM_ID] == "s00"].tail(20).assign(**{ITEM_ID: "short"})
    fc = small(epochs=2).fit(pd.concat([df, short]), freq="MS").predict(H)
    assert len(fc[fc[ITEM_ID] == "short"]) == H
    with pytest.raises(ConfigError, match="input_size"):
        small().fit(df.groupby(ITEM_ID).head(29), freq="MS")


def test_global_selection_scores_every_subset_on_validation() -> None:
    train, test = split(panel(n_series=20))
    models = [Naive(), SeasonalNaive(season_length=12), small(epochs=5)]
    auto = AutoForecaster(models, h=H, n_windows=1, season_length=12, metric="smape",
                          level=None, combine="subsets", select="global")  # fmt: skip
    auto.fit(train, freq="MS")
    names = set(auto.leaderboard_["model"])
    assert {"mean(Naive, SeasonalNaive)", "mean(Naive, PooledMLP)", "Ensemble"} <= names
    assert len(names) == 3 + 3 + 1
    chosen = set(auto.choice_.values())
    assert chosen == {auto.leaderboard_.iloc[0]["model"]}  # one choice for every series
    fc = auto.predict(H)
    assert score(test, fc, "Auto") <= score(test, Naive().fit(train, freq="MS").predict(H), "Naive")
    with pytest.raises(ConfigError, match="select"):
        AutoForecaster(models, h=H, select="best").fit(train, freq="MS")  # type: ignore[arg-type]
