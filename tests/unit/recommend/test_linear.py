"""Sequence-aware EASE and RP3beta: values on hand-computable cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from opsai.errors import ConfigError
from opsai.recommend import (
    EASE,
    InteractionMatrix,
    Popularity,
    RP3beta,
    SeqEASE,
    evaluate,
    sequence_cooccurrence,
    stratified_split,
)

pytestmark = pytest.mark.unit

E1 = np.exp(-1.0)


def _timed() -> pd.DataFrame:
    """User a: x, then y and z in the same second; user b: x, then z four days later."""
    t = pd.to_datetime
    return pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "b", "b"],
            "item_id": ["x", "y", "z", "x", "z"],
            "timestamp": t(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-01", "2024-01-05"]),
        }
    )


def test_order_is_dense_rank_of_time_per_user() -> None:
    im = InteractionMatrix.from_frame(_timed())
    assert im.order is not None
    assert im.order.toarray().tolist() == [[1, 2, 2], [1, 0, 2]]
    assert InteractionMatrix.from_frame(_timed().drop(columns="timestamp")).order is None


def test_sequence_cooccurrence_by_hand() -> None:
    im = InteractionMatrix.from_frame(_timed())
    assert im.order is not None
    T = sequence_cooccurrence(im.order, scale=1.0).toarray()
    # x-y: a, one position apart; x-z: a (1 apart) and b (1 apart); y-z: a, same position
    expected = np.array([[2, E1, 2 * E1], [E1, 1, 1], [2 * E1, 1, 2]])
    np.testing.assert_allclose(T, expected)
    # user weights multiply each user's pairs; a window of 3 * scale drops far pairs
    Tw = sequence_cooccurrence(im.order, scale=1.0, user_weight=np.array([1.0, 0.5])).toarray()
    assert Tw[0, 2] == pytest.approx(E1 + 0.5 * E1)
    far = sp.csr_matrix(np.array([[1.0, 5.0]]))
    assert sequence_cooccurrence(far, scale=1.0).toarray()[0, 1] == 0.0
    with pytest.raises(ConfigError, match="scale"):
        sequence_cooccurrence(im.order, scale=0.0)


def test_seqease_closed_form() -> None:
    pairs = _timed()
    X = np.array([[1, 1, 1], [1, 0, 1]], float)
    # without sequence, emphasis and user weights it is EASE with l2 * mean(diag(X'X))
    plain = SeqEASE(l2=0.5, emphasis=0.0, seq_weight=0.0, user_norm=0.0).fit(pairs)
    ease = EASE(l2=0.5 * np.diag(X.T @ X).mean()).fit(pairs)
    np.testing.assert_allclose(plain.similarity_, ease.similarity_, atol=1e-6)
    assert not plain.used_sequence_
    # the full model, written out: G = Xw'Xw + g T(w^2), Lambda = l2 mean(diag G) + p/(1-p) diag G
    model = SeqEASE(l2=0.5, emphasis=0.3, seq_weight=2.0, seq_scale=1.0, user_norm=0.5)
    model.fit(pairs)
    assert model.used_sequence_
    w = np.array([3.0, 2.0]) ** -0.5
    T = np.array([[2, E1, 2 * E1], [E1, 1, 1], [2 * E1, 1, 2]])  # see the test above
    Tw = np.array([[w[0] ** 2 + w[1] ** 2, 0, 0], [0, w[0] ** 2, 0], [0, 0, 0]])
    Tw[0, 1] = Tw[1, 0] = w[0] ** 2 * E1
    Tw[0, 2] = Tw[2, 0] = (w[0] ** 2 + w[1] ** 2) * E1
    Tw[1, 2] = Tw[2, 1] = w[0] ** 2
    Tw[2, 2] = w[0] ** 2 + w[1] ** 2
    assert Tw[0, 1] / w[0] ** 2 == pytest.approx(T[0, 1])
    Xw = X * w[:, None]
    G = Xw.T @ Xw + 2.0 * Tw
    d = np.diag(G)
    P = np.linalg.inv(G + np.diag(0.5 * d.mean() + 0.3 / 0.7 * d))
    B = np.eye(3) - P / np.diag(P)[None, :]
    np.fill_diagonal(B, 0.0)
    np.testing.assert_allclose(model.similarity_, B, atol=1e-5)
    np.testing.assert_allclose(model.score(["a", "b"]), X @ B, atol=1e-5)
    for bad in ({"l2": 0.0}, {"emphasis": 1.0}, {"seq_weight": -1.0}):
        with pytest.raises(ConfigError, match="SeqEASE"):
            SeqEASE(**bad).fit(pairs)


def test_rp3beta_transition_probabilities() -> None:
    # a: {x, y}; b: {x, z}; c: {z}
    pairs = pd.DataFrame({"user_id": list("aabbc"), "item_id": list("xyxzz")})
    W = RP3beta(alpha=1.0, beta=0.0, neighbors=None).fit(pairs).similarity_.toarray()
    # W[i, j] = sum_u P(i -> u) P(u -> j): x->a (1/2) a->y (1/2) = 0.25; y->a (1) a->x (1/2)
    expected = np.array([[0, 0.25, 0.25], [0.5, 0, 0], [0.25, 0, 0]])
    np.testing.assert_allclose(W, expected)
    # beta divides each target by its popularity^beta (x and z: 2 users, y: 1)
    Wb = RP3beta(alpha=1.0, beta=1.0, neighbors=None).fit(pairs).similarity_.toarray()
    np.testing.assert_allclose(Wb, expected / np.array([2.0, 1.0, 2.0])[None, :])
    # alpha raises each transition probability before the product
    Wa = RP3beta(alpha=2.0, beta=0.0, neighbors=None).fit(pairs).similarity_.toarray()
    assert Wa[1, 0] == pytest.approx(1.0 * 0.25)
    # neighbours keep each item's strongest targets
    W1 = RP3beta(alpha=1.0, beta=1.0, neighbors=1).fit(pairs).similarity_.toarray()
    assert (np.count_nonzero(W1, axis=1) <= 1).all() and W1[0, 1] == pytest.approx(0.25)
    with pytest.raises(ConfigError, match="alpha"):
        RP3beta(alpha=0.0).fit(pairs)
    with pytest.raises(ConfigError, match="neighbors"):
        RP3beta(neighbors=0).fit(pairs)


def test_sequence_signal_helps_on_planted_sessions() -> None:
    """Users browse one of 10 'shelves' of 4 items in a row; the sequence term finds shelf-mates."""
    rng = np.random.default_rng(0)
    rows = []
    for u in range(150):
        day = pd.Timestamp("2024-01-01")
        for shelf in rng.choice(10, size=3, replace=False):
            for it in rng.permutation(4)[:3]:
                rows.append((f"u{u}", f"s{shelf}i{it}", day))
                day += pd.Timedelta(minutes=1)
            rows.append((f"u{u}", f"s{rng.integers(10)}i{rng.integers(4)}", day))  # noise
            day += pd.Timedelta(minutes=1)
    pairs = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    pairs = pairs.drop_duplicates(["user_id", "item_id"]).reset_index(drop=True)
    train, test = stratified_split(pairs, seed=0)
    users = test["user_id"].unique()
    pop = evaluate(Popularity().fit(train).recommend(users, 5), test, k=5)["ndcg_at_5"]
    base = SeqEASE(l2=1.0, seq_weight=0.0).fit(train)
    seq = SeqEASE(l2=1.0, seq_weight=4.0, seq_scale=1.0).fit(train)
    nd_base = evaluate(base.recommend(users, 5), test, k=5)["ndcg_at_5"]
    nd_seq = evaluate(seq.recommend(users, 5), test, k=5)["ndcg_at_5"]
    rp3 = evaluate(RP3beta().fit(train).recommend(users, 5), test, k=5)["ndcg_at_5"]
    assert nd_seq > nd_base > pop
    assert rp3 > pop + 0.05


def test_rp3beta_in_blocks_equals_one_shot(planted: pd.DataFrame, monkeypatch) -> None:
    import opsai.recommend.linear as linear

    one = RP3beta(neighbors=5).fit(planted).similarity_.toarray()
    monkeypatch.setattr(linear, "_CELLS", 3 * 40)  # three source items per block
    blocks = RP3beta(neighbors=5).fit(planted).similarity_.toarray()
    np.testing.assert_array_equal(one, blocks)
    assert np.diag(blocks).sum() == 0 and (np.count_nonzero(blocks, axis=1) <= 5).all()
