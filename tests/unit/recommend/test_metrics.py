"""Each metric pinned on a hand-computed example (Recommenders' python_evaluation definitions)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from opsai.errors import ConfigError, SchemaError
from opsai.recommend import metrics as M

pytestmark = pytest.mark.unit


def _frame(d: dict[str, list[str]], ranked: bool = True) -> pd.DataFrame:
    rows = [(u, it, r) for u, items in d.items() for r, it in enumerate(items, start=1)]
    df = pd.DataFrame(rows, columns=["user_id", "item_id", "rank"])
    if not ranked:
        df = (
            df.assign(score=-df["rank"].astype(float))
            .drop(columns="rank")
            .sample(frac=1, random_state=0)
        )
    return df


# truth: u1 {a, b, c}; u2 {d}; u3 {e} (gets no recommendations); u5 {f} (no hit)
TRUTH = _frame({"u1": ["a", "b", "c"], "u2": ["d"], "u3": ["e"], "u5": ["f"]})[
    ["user_id", "item_id"]
]
# top-3: u1 hits at ranks 1 and 3, u2 at rank 3, u5 none; u4 is not in truth (ignored)
RECO = _frame(
    {"u1": ["a", "x", "b"], "u2": ["y", "z", "d"], "u4": ["a", "b", "c"], "u5": ["a", "b", "c"]}
)

NDCG_U1 = (1 / math.log(2) + 1 / math.log(4)) / (
    1 / math.log(2) + 1 / math.log(3) + 1 / math.log(4)
)
NDCG_U2 = (1 / math.log(4)) / (1 / math.log(2))


def test_precision_recall_map_average_over_common_users() -> None:
    # common users: u1, u2, u5
    assert M.precision_at_k(RECO, TRUTH, k=3) == pytest.approx((2 / 3 + 1 / 3 + 0) / 3)
    assert M.recall_at_k(RECO, TRUTH, k=3) == pytest.approx((2 / 3 + 1 + 0) / 3)
    # AP u1 = (1/1 + 2/3) / min(3, 3); AP u2 = (1/3) / min(1, 3)
    assert M.map_at_k(RECO, TRUTH, k=3) == pytest.approx(((1 + 2 / 3) / 3 + 1 / 3 + 0) / 3)
    assert M.hit_rate_at_k(RECO, TRUTH, k=3) == pytest.approx(2 / 3)


def test_ndcg_averages_over_every_truth_user() -> None:
    # u3 has no recommendations and counts as 0, as in Recommenders' ndcg_at_k
    assert round(NDCG_U1, 6) == 0.703918
    assert M.ndcg_at_k(RECO, TRUTH, k=3) == pytest.approx((NDCG_U1 + NDCG_U2 + 0 + 0) / 4)


def test_map_normalises_by_min_of_relevant_and_k() -> None:
    truth = _frame({"u": ["a", "b", "c", "d", "e"]})[["user_id", "item_id"]]
    reco = _frame({"u": ["a", "b", "x"]})
    assert M.map_at_k(reco, truth, k=2) == pytest.approx(1.0)  # not 2/5
    assert M.map_at_k(reco, truth, k=3) == pytest.approx((1 + 1) / 3)
    assert M.recall_at_k(reco, truth, k=2) == pytest.approx(2 / 5)


def test_cutoff_and_score_ordering() -> None:
    by_score = _frame({"u1": ["a", "x", "b"], "u2": ["y", "z", "d"]}, ranked=False)
    assert M.precision_at_k(by_score, TRUTH, k=1) == pytest.approx(0.5)  # u1 hit at 1, u2 none
    assert M.evaluate(by_score, TRUTH, k=3)["precision_at_3"] == pytest.approx(0.5)


def test_evaluate_beyond_accuracy() -> None:
    catalog = list("abcdefxyzw")
    # recommended in someone's top 3: a, x, b, y, z, d, c  -> 7 of 10
    assert M.catalog_coverage(RECO, catalog, k=3) == pytest.approx(0.7)
    train = pd.DataFrame(
        {"user_id": ["p", "q", "r", "s", "p"], "item_id": ["a", "a", "b", "c", "c"]}
    )
    reco = _frame({"p": ["a", "b"]})
    # popularity: a 2/4 -> 1 bit, b 1/4 -> 2 bits
    assert M.novelty(reco, train, k=2) == pytest.approx(1.5)
    assert M.mean_popularity(reco, train, k=2) == pytest.approx((0.5 + 0.25) / 2)
    out = M.evaluate(RECO, TRUTH, k=3, train=train, catalog=catalog)
    assert out["coverage"] == pytest.approx(0.7)
    assert out["users"] == 3
    assert set(out) >= {"map_at_3", "ndcg_at_3", "precision_at_3", "recall_at_3", "novelty"}


def test_per_user_frame() -> None:
    pu = M.per_user(RECO, TRUTH, k=3)
    assert list(pu.index) == ["u1", "u2", "u3", "u5"]
    assert pu.loc["u1", "hits"] == 2 and pu.loc["u1", "actual"] == 3
    assert not pu.loc["u3", "in_reco"]


def test_errors_name_the_problem() -> None:
    with pytest.raises(ConfigError, match="k must be >= 1"):
        M.precision_at_k(RECO, TRUTH, k=0)
    with pytest.raises(SchemaError, match="'rank' or a 'score'"):
        M.precision_at_k(RECO.drop(columns="rank"), TRUTH, k=3)
