"""The learning-to-rank reranker: features, the nDCG it stops on, and what it learns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, TIMESTAMP, USER_ID
from opsai.errors import ConfigError
from opsai.recommend import InteractionMatrix, Popularity, Reranker, evaluate, stratified_split
from opsai.recommend.rerank import _Context, _ndcg


@pytest.fixture(scope="module")
def periods() -> pd.DataFrame:
    """Three eras 100 days apart, 20 items and 40 users each; users only pick their era's
    items, in one session. Overall every item is about as popular: only time tells them apart."""
    rng = np.random.default_rng(0)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for u in range(120):
        era = u % 3
        day = start + pd.Timedelta(days=100 * era + int(rng.integers(0, 5)))
        for j, it in enumerate(rng.choice(20, size=10, replace=False)):
            rows.append((f"u{u:03d}", f"i{era * 20 + it:02d}", day + pd.Timedelta(minutes=j)))
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP])


def test_ndcg_matches_a_hand_computed_list() -> None:
    # one user, candidates scored 3, 2, 1; the second is relevant; 2 held-out items; k=2
    got = _ndcg(np.zeros(3, int), np.array([3.0, 2.0, 1.0]), np.array([0, 1, 0]), np.array([2]), 2)
    assert got == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))


def test_interaction_matrix_carries_times_and_counts_them_in_windows() -> None:
    t = pd.to_datetime(["2024-01-01 00:00:10", "2024-01-01 00:00:20", "2024-01-01 00:00:30",
                        "2024-01-01 00:00:15"])  # fmt: skip
    pairs = pd.DataFrame(
        {USER_ID: ["a", "b", "c", "a"], ITEM_ID: ["x", "x", "x", "y"], TIMESTAMP: t}
    )
    im = InteractionMatrix.from_frame(pairs)
    back = im.to_frame().sort_values([USER_ID, ITEM_ID])
    assert back[TIMESTAMP].tolist() == [t[0], t[3], t[1], t[2]]
    ctx = _Context(im, [], None, windows=())
    t0 = pd.Timestamp("2024-01-01").timestamp()
    x = im.item_index(["x"])
    # item x at 10, 20, 30 s: two of them fall in [15, 30]; every item: three in [10, 20]
    assert ctx.count_between(x, np.array([t0 + 15]), np.array([t0 + 30]))[0] == 2
    assert ctx.total_between(np.array([t0 + 10]), np.array([t0 + 20]))[0] == 3


def test_reranker_learns_the_time_signal_popularity_lacks(periods: pd.DataFrame) -> None:
    train, test = stratified_split(periods, ratio=0.75, seed=1)
    im = InteractionMatrix.from_frame(train, binary=True)
    users = test[USER_ID].unique()
    pop = evaluate(Popularity().fit(im).recommend(users, 5), test, k=5)["ndcg_at_5"]
    rr = Reranker(models=[("pop", Popularity())], candidates=60, max_iter=15, k=5, seed=0)
    reco = rr.fit(im).recommend(users, 5)
    got = evaluate(reco, test, k=5)["ndcg_at_5"]
    # within an era the picks are random: ordering the era's unseen items at random scores
    # 0.336 here, so the reranker has learnt all there is (popularity: 0.075)
    assert pop < 0.1 and got > 0.33
    assert rr.valid_ndcg_ > rr.base_valid_ndcg_ + 0.25
    assert {"near_1d_share", "active_window_share", "pop_score"} <= set(rr.feature_names_)
    # the list format of every model, seen items excluded
    assert list(reco.columns) == [USER_ID, ITEM_ID, "score", "rank"]
    assert reco.groupby(USER_ID)["rank"].apply(list).map(lambda r: r == [1, 2, 3, 4, 5]).all()
    seen = set(zip(train[USER_ID], train[ITEM_ID], strict=True))
    assert not any((u, i) in seen for u, i in zip(reco[USER_ID], reco[ITEM_ID], strict=True))


def test_reranker_without_times_still_ranks(planted: pd.DataFrame) -> None:
    train, test = stratified_split(planted, ratio=0.75, seed=0)
    rr = Reranker(models=[("pop", Popularity())], candidates=40, max_iter=20, k=5)
    reco = rr.fit(train).recommend(test[USER_ID].unique(), 5)
    assert not any("share" in n for n in rr.feature_names_)
    assert len(reco) == 5 * test[USER_ID].nunique()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"models": []}, "models is empty"),
        ({"holdout": 1.5}, "holdout must be in"),
        ({"split": "weekly"}, "split must be"),
        ({"candidates": 0}, "must be >= 1"),
    ],
)
def test_reranker_bad_options_say_how_to_fix(
    planted: pd.DataFrame, options: dict, message: str
) -> None:
    kw = {"models": [("pop", Popularity())]} | options
    with pytest.raises(ConfigError, match=message):
        Reranker(**kw).fit(planted)
