"""Collaborative models: the estimator contract, EASE's closed form, popularity, item-kNN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from opsai.errors import ConfigError, NotFittedError
from opsai.recommend import (
    ALS,
    BPR,
    EASE,
    InteractionMatrix,
    ItemKNN,
    Popularity,
    RP3beta,
    SeqEASE,
    evaluate,
)
from opsai.recommend.split import stratified_split

pytestmark = pytest.mark.unit

FACTORIES = {
    "popularity": lambda: Popularity(),
    "itemknn": lambda: ItemKNN(neighbors=10),
    "ease": lambda: EASE(l2=5.0),
    "seqease": lambda: SeqEASE(l2=1.0),
    "rp3beta": lambda: RP3beta(neighbors=10),
    "als": lambda: ALS(factors=8, iterations=3, num_threads=1, seed=0),
    "bpr": lambda: BPR(factors=8, iterations=5, num_threads=1, seed=0),
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_estimator_contract(name: str, planted: pd.DataFrame) -> None:
    if name in ("als", "bpr"):
        pytest.importorskip("implicit")
    model = FACTORIES[name]()
    params = model.get_params()
    with pytest.raises(NotFittedError, match="fit"):
        model.recommend(["u00"], 3)
    assert model.fit(planted) is model
    assert model.get_params() == params  # fit does not change the options
    reco = model.recommend(["u00", "u01", "nobody"], 5)
    assert list(reco.columns) == ["user_id", "item_id", "score", "rank"]
    assert set(reco["user_id"]) == {"u00", "u01"}  # unknown users get no rows here
    assert reco.groupby("user_id")["rank"].apply(list).tolist() == [[1, 2, 3, 4, 5]] * 2
    assert (reco.groupby("user_id")["score"].diff().dropna() <= 1e-6).all()
    seen = set(map(tuple, planted[["user_id", "item_id"]].values))
    assert not any((u, i) in seen for u, i in reco[["user_id", "item_id"]].values)
    with_seen = model.recommend(["u00"], 40, exclude_seen=False)
    assert len(with_seen) == 40


def test_ease_equals_closed_form() -> None:
    X = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1], [1, 1, 1, 0], [0, 0, 1, 1]], float)
    lam = 2.0
    P = np.linalg.inv(X.T @ X + lam * np.eye(4))
    B = np.eye(4) - P @ np.diag(1 / np.diag(P))  # Steck (2019), eq. 8
    pairs = pd.DataFrame(
        [(f"u{u}", f"i{i}") for u, i in zip(*np.nonzero(X), strict=True)],
        columns=["user_id", "item_id"],
    )
    model = EASE(l2=lam).fit(pairs)
    np.testing.assert_allclose(model.similarity_, B, atol=1e-5)
    np.testing.assert_allclose(np.diag(model.similarity_), 0.0)
    np.testing.assert_allclose(model.score([f"u{u}" for u in range(5)]), X @ B, atol=1e-5)
    # the item cap keeps the most popular items and scores the others 0
    capped = EASE(l2=lam, max_items=2).fit(pairs)
    assert sorted(capped.items_.tolist()) == [0, 2]  # i2 (4 users), then i0 (ties: first id)
    assert (capped.score(["u0"])[0, [1, 3]] == 0).all()


def test_popularity_orders_by_users_or_weight() -> None:
    pairs = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "a", "b", "d"],
            "item_id": ["x", "x", "x", "y", "y", "z"],
            "weight": [1.0, 1.0, 1.0, 1.0, 1.0, 10.0],
        }
    )
    reco = Popularity().fit(pairs).recommend(["new_is_skipped", "d"], 3, exclude_seen=False)
    assert reco["item_id"].tolist() == ["x", "y", "z"]
    assert reco["score"].tolist() == [3.0, 2.0, 1.0]
    by_weight = Popularity(by="weight").fit(pairs).recommend(["d"], 3, exclude_seen=False)
    assert by_weight["item_id"].tolist() == ["z", "x", "y"]
    with pytest.raises(ConfigError, match="by must be"):
        Popularity(by="clicks").fit(pairs)  # type: ignore[arg-type]


def test_itemknn_is_shrunk_cosine() -> None:
    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float))
    im = InteractionMatrix(X, np.array(["a", "b", "c"], object), np.array(["x", "y", "z"], object))
    knn = ItemKNN(neighbors=5, shrink=0.0).fit(im)
    S = knn.similarity_.toarray()
    assert S[0, 1] == pytest.approx(2 / np.sqrt(2 * 3))
    assert S[0, 2] == pytest.approx(1 / 2)
    assert np.diag(S).sum() == 0
    shrunk = ItemKNN(neighbors=5, shrink=10.0).fit(im).similarity_.toarray()
    assert shrunk[0, 1] == pytest.approx(2 / (np.sqrt(6) + 10))
    one = ItemKNN(neighbors=1, shrink=0.0).fit(im).similarity_.toarray()
    assert (np.count_nonzero(one, axis=0) == 1).all()  # one neighbour kept per item


def test_set_params_and_planted_taste_beats_popularity(planted: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="unknown parameter"):
        EASE().set_params(lambda_=3)
    train, test = stratified_split(planted, seed=0)
    users = test["user_id"].unique()
    pop = evaluate(Popularity().fit(train).recommend(users, 5), test, k=5)
    ease = evaluate(EASE().set_params(l2=5.0).fit(train).recommend(users, 5), test, k=5)
    assert ease["ndcg_at_5"] > pop["ndcg_at_5"] + 0.1
