"""Code paths that handle every series at once give the values of the one-series-at-a-time
computations they replaced (exactly: same floating-point operations, same order)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, PRICE, PROMO, QUANTITY, TIMESTAMP
from opsai.forecast import GlobalGBM, GlobalMLP, GlobalModel, Naive
from opsai.forecast.base import positions

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
