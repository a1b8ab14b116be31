"""Code paths that handle every series at once give the values of the one-series-at-a-time
computations they replaced (exactly: same floating-point operations, same order)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar

from opsai.data.schema import ITEM_ID, PRICE, PROMO, QUANTITY, TIMESTAMP
from opsai.forecast import AutoPattern, GlobalGBM, GlobalMLP, GlobalModel, Naive, Theta
from opsai.forecast.base import (
    conformal_halfwidths,
    conformal_halfwidths_many,
    normal_halfwidths,
    positions,
)
from opsai.forecast.intermittent import demand_pattern
from opsai.forecast.models import deseasonalise, ses_fit
from opsai.forecast.smoothing import bounded_minimize_many, ses_fit_many

pytestmark = pytest.mark.unit


def ragged(seed: int = 0) -> pd.DataFrame:
    """Series of unequal lengths that end on different days, with a promotion calendar and a
    price recorded only on days with a sale."""
    rng = np.random.default_rng(seed)
    parts = []
    for k, (start, n) in enumerate([("2024-01-01", 70), ("2024-01-20", 45), ("2024-02-01", 12)]):
        y = rng.poisson(2.0 + k, n).astype(float)
        parts.append(
            pd.DataFrame(
                {
                    ITEM_ID: f"s{k}",
                    TIMESTAMP: pd.date_range(start, periods=n, freq="D"),
                    QUANTITY: y,
                    PROMO: (rng.random(n) < 0.2).astype(float),
                    PRICE: np.where(y > 0, 10.0 + k + rng.normal(0, 0.5, n), np.nan),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def future(df: pd.DataFrame, h: int) -> pd.DataFrame:
    last = df.groupby(ITEM_ID)[TIMESTAMP].max()
    rng = np.random.default_rng(1)
    return pd.concat(
        pd.DataFrame(
            {
                ITEM_ID: sid,
                TIMESTAMP: pd.date_range(t + pd.Timedelta(days=1), periods=h),
                PROMO: (rng.random(h) < 0.3).astype(float),
            }
        )
        for sid, t in last.items()
    )


def recursive_one_by_one(model: GlobalModel, h: int, X_future: pd.DataFrame) -> dict:
    """The recursion as it ran before: each step's features built one series at a time (the
    model then predicts every series' row of the step together, as it did)."""
    fut = model.future_index(h).merge(X_future, on=[ITEM_ID, TIMESTAMP], how="left")
    groups = dict(list(fut.groupby(ITEM_ID, sort=False)))
    known = {
        sid: np.hstack([model._calendar(pd.DatetimeIndex(g[TIMESTAMP])), model._future_exog(g)])
        for sid, g in groups.items()
    }
    ext = {sid: np.r_[model.y_[sid], np.zeros(h)] for sid in model.ids_}
    for j in range(h):
        rows = []
        for sid in model.ids_:
            at = np.array([len(model.y_[sid]) + j])
            block = model._block(ext[sid][: at[0]], at, model.scale_[sid])
            rows.append(np.hstack([block, known[sid][j : j + 1]]))
        pred = np.clip(model.model_.predict(np.vstack(rows)[:, model.keep_]), 0.0, model.ymax_)
        for sid, p in zip(model.ids_, pred, strict=True):
            ext[sid][len(model.y_[sid]) + j] = p * model.scale_[sid]
    return {sid: ext[sid][len(model.y_[sid]) :] for sid in model.ids_}


@pytest.mark.parametrize(
    "model", [GlobalGBM(season_length=7, max_iter=10), GlobalMLP(season_length=7, epochs=2)]
)
def test_recursion_over_all_series_equals_one_series_at_a_time(model: GlobalModel) -> None:
    df = ragged()
    model.fit(df)
    assert model.exog_ == [PROMO, PRICE] and model.known_ == [PROMO]
    xf = future(df, 9)
    got = model._recursive(9, xf)
    want = recursive_one_by_one(model, 9, xf)
    assert list(got) == list(want) == ["s0", "s1", "s2"]
    for sid in want:
        np.testing.assert_array_equal(got[sid], want[sid])


def test_past_regressors_are_carried_within_each_series_only() -> None:
    df = ragged()
    model = GlobalGBM(season_length=7, max_iter=5).fit(df)
    hist = model.history_
    got = model._past_exog(hist)
    for sid, g in hist.groupby(ITEM_ID, sort=False):
        rows = (hist[ITEM_ID] == sid).to_numpy()
        price = g[PRICE].ffill().shift(1).to_numpy() / model.price_ref_[sid]  # seen before the day
        np.testing.assert_array_equal(got[rows, 0], g[PROMO].to_numpy())
        np.testing.assert_array_equal(got[rows, 1], np.nan_to_num(price, nan=1.0))
    assert got[(hist[ITEM_ID] == "s1").to_numpy(), 1][0] == 1.0  # not s0's last price


@pytest.mark.parametrize("freq", ["D", "W-MON", "MS"])
def test_future_index_equals_a_date_range_per_series(freq: str) -> None:
    ends = {"b": "2024-03-04", "a": "2024-05-06", "c": "2024-03-04"}
    parts = []
    for sid, end in ends.items():
        ts = pd.date_range(end=end, periods=6, freq=freq)
        parts.append(pd.DataFrame({ITEM_ID: sid, TIMESTAMP: ts, QUANTITY: np.arange(6.0)}))
    m = Naive().fit(pd.concat(parts, ignore_index=True), freq=freq)
    off = pd.tseries.frequencies.to_offset(freq)
    want = pd.concat(
        [
            pd.DataFrame(
                {ITEM_ID: sid, TIMESTAMP: pd.date_range(m.last_[sid] + off, periods=4, freq=off)}
            )
            for sid in m.ids_
        ],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(m.future_index(4), want)


def test_positions_follow_first_appearance() -> None:
    ids = pd.Series(["b", "a", "b", "c", "a"])
    got = [(sid, pos.tolist()) for sid, pos in positions(ids)]
    assert got == [("b", [0, 2]), ("a", [1, 4]), ("c", [3])]


# ---- local models: SES searches of many series in lockstep -------------------------------------
def varied_series(count: int = 300, seed: int = 0) -> list[np.ndarray]:
    """Counts, constants, random walks and lumpy demand of many lengths (2 to 130)."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        n = int(rng.choice([2, 3, 5, 30, 92, 106, int(rng.integers(2, 131))]))
        out.append(
            [
                rng.poisson(rng.uniform(0.05, 40), n).astype(float),
                np.full(n, 3.0),
                10 + np.cumsum(rng.normal(0, 1, n)),
                rng.gamma(0.5, 4, n) * (rng.random(n) < 0.4),
            ][k % 4]
        )
    return out


def test_ses_fit_many_equals_one_scipy_search_per_series() -> None:
    ys = varied_series()
    got = np.array(ses_fit_many(ys))
    want = np.array([ses_fit(y) for y in ys])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize("centre", [-1.0, 0.0, 0.3, 0.5, 0.999, 2.0])
def test_bounded_minimize_many_takes_scipys_steps(centre: float) -> None:
    funcs = [
        lambda x: (x - centre) ** 2,
        lambda x: np.abs(x - centre),
        lambda x: np.cos(7 * x) + 0.1 * (x - centre) ** 2,
        lambda x: np.zeros_like(x),  # flat: every step golden
    ]
    got = bounded_minimize_many(
        lambda rows, x: np.array([funcs[r](x[i]) for i, r in enumerate(rows)]),
        len(funcs),
        (0.0, 1.0),
    )
    want = [minimize_scalar(f, bounds=(0.0, 1.0), method="bounded").x for f in funcs]
    np.testing.assert_array_equal(got, want)


def theta_state_one_by_one(y: np.ndarray, m: int) -> tuple:
    """Theta's state as it was fitted before: scipy's search, one series."""
    y, season = deseasonalise(np.asarray(y, dtype=float), m)
    n = len(y)
    if n < 3:
        return (float(y[-1]) if n else 0.0, 0.0, 1.0, n, season)
    alpha, level = ses_fit(y)
    return level, float(np.polyfit(np.arange(n), y, 1)[0]) / 2.0, alpha, n, season


def assert_states_equal(got: tuple, want: tuple) -> None:
    *num, season = got
    *num_want, season_want = want
    np.testing.assert_allclose(num, num_want, rtol=1e-12, atol=0)
    assert (season is None) == (season_want is None)
    if season is not None:
        np.testing.assert_array_equal(season, season_want)


def test_theta_fits_many_series_as_one_by_one() -> None:
    ys = [np.abs(y) + 1.0 for y in varied_series(120, seed=1)]  # positive: seasonal tests run
    ys += [np.tile([5.0, 3, 3, 4, 6, 9, 12], 6)]  # seasonal
    for got, y in zip(Theta(season_length=7)._fit_many(ys), ys, strict=True):
        assert_states_equal(got, theta_state_one_by_one(y, 7))


def test_auto_pattern_fits_each_pattern_together_as_one_by_one() -> None:
    ys = [*varied_series(160, seed=2), np.zeros(20)]
    model = AutoPattern(season_length=7)
    got = model._fit_many(ys)
    for (inner, state), y in zip(got, ys, strict=True):
        pattern = demand_pattern(y)
        if pattern == "zero":
            assert inner is None and state == 0.0
        elif pattern in ("smooth", "erratic"):
            assert isinstance(inner, Theta)
            assert_states_equal(state, theta_state_one_by_one(y, 7))
        else:
            want = model._models()[pattern]._fit_one(y)
            assert type(inner) is type(model._models()[pattern]) and state == want


def test_local_intervals_refit_every_origin_in_one_batch() -> None:
    df = ragged()
    batch = Theta(season_length=7, conformal_windows=6).fit(df)
    got = batch.predict(9, level=[80, 95])
    for sid, g in got.groupby(ITEM_ID, sort=False):
        y = batch.y_[sid]
        w = batch._halfwidths(y, 9, [80, 95])  # one series: its own batch
        np.testing.assert_allclose(g["Theta-hi-95"] - g["Theta"], w[95], rtol=1e-12)
    # the short series (12 periods) has too few origins: the normal fallback
    short = got[got[ITEM_ID] == "s2"]
    want = normal_halfwidths(batch.y_["s2"], 9, [95])[95]
    np.testing.assert_allclose(short["Theta-hi-95"] - short["Theta"], want, rtol=1e-12)


def test_a_subclass_fitting_its_own_way_is_not_batched() -> None:
    from opsai.market.outlook import SeasonalTheta

    ys = [np.tile([5.0, 3, 3, 4, 6, 9, 12], 4) * (1 + 0.01 * np.arange(28)), np.arange(1.0, 20)]
    model = SeasonalTheta(season_length=7)
    for got, y in zip(model._fit_many(ys), ys, strict=True):
        assert_states_equal(got, model._fit_one(y))
    assert model._fit_many(ys)[0][4] is not None  # its own seasonal step ran


def test_conformal_halfwidths_many_equal_one_series_at_a_time() -> None:
    rng = np.random.default_rng(3)
    scores = [rng.gamma(1.0, 2.0, (n, 6)) for n in (5, 5, 20, 2, 5, 9)]
    scores[4][1, 2] = np.nan  # a row with a missing error is left out, as before
    got = conformal_halfwidths_many(scores, [80, 95])
    for s, g in zip(scores, got, strict=True):
        want = conformal_halfwidths(s, [80, 95])
        assert list(g) == [80, 95]
        for lv in (80, 95):
            np.testing.assert_array_equal(g[lv], want[lv])
