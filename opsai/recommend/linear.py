"""Item-item models beyond EASE: sequence-aware EASE and the RP3beta random walk.

:class:`SeqEASE` is EASE (Steck, 2019) fitted on a Gram matrix that also counts how close in
time two items were chosen by the same user, with two published refinements of the plain
closed form: the emphasised-denoising diagonal penalty of EDLAE (Steck, 2020, "Autoencoders
that don't overfit towards the identity": ``Lambda = l2 + p / (1 - p) * diag(G)``) and
down-weighting very active users (rows of ``X`` divided by ``n_u ** user_norm``). With
``seq_weight=0, user_norm=0, emphasis=0`` and an absolute ``l2`` it is plain EASE.

:class:`RP3beta` (Paudel et al., 2017; Christoffel et al., 2015) scores items by a three-step
random walk user -> item -> user -> item with transition probabilities raised to ``alpha``,
divided by the target's popularity to the power ``beta``.

Example:
    >>>     >>> pairs = pd.DataFrame({"user_id": list("aabbc"), "item_id": list("xyxzz")})
    >>> RP3beta(alpha=1.0, beta=0.0).fit(pairs).recommend(["c"], k=1)["item_id"].tolist()
    ['x']
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from opsai.errors import ConfigError
from opsai.recommend.models import EASE, ItemSimilarity

_MAX_OFFSET = 100_000  # guard on the pair scan (a user with one huge same-time block)
_CELLS = 4_000_000  # RP3beta: source items x catalogue computed at once


def sequence_cooccurrence(
    order: sp.csr_matrix, *, scale: float, user_weight: np.ndarray | None = None
) -> sp.csr_matrix:
    """``T[i, j] = sum_u w_u exp(-|r_ui - r_uj| / scale)`` over the items each user has.

    ``r_ui`` is the position of item ``i`` in user ``u``'s history (``order``, 1-based, equal
    times share a position); pairs further apart than ``3 * scale`` positions are dropped
    (their weight is below 5%). The diagonal is ``sum_u w_u`` over the item's users.

    Args:
        order: users x items CSR of positions (see :class:`InteractionMatrix`).
        scale: positions over which the weight falls by ``e``.
        user_weight: one weight per user (default 1).

    Returns:
        Symmetric items x items CSR (float64).
    """
    if scale <= 0:
        raise ConfigError(f"sequence_cooccurrence: scale must be > 0, got {scale}")
    coo = order.tocoo()
    keep = coo.data > 0
    row, col, pos = coo.row[keep], coo.col[keep], coo.data[keep].astype(np.float64)
    srt = np.lexsort((col, pos, row))
    row, col, pos = row[srt], col[srt], pos[srt]
    w = np.ones(order.shape[0]) if user_weight is None else np.asarray(user_weight, float)
    window = 3.0 * scale
    rows_, cols_, vals_ = [col], [col], [w[row]]
    active = np.arange(len(row))  # pairs (a, a + d) only shrink as d grows: rows are sorted
    for d in range(1, min(len(row), _MAX_OFFSET)):
        active = active[active + d < len(row)]
        other = active + d
        gap = pos[other] - pos[active]
        ok = (row[other] == row[active]) & (gap <= window)
        active, other, gap = active[ok], other[ok], gap[ok]
        if not len(active):
            break
        v = w[row[active]] * np.exp(-gap / scale)
        rows_ += [col[active], col[other]]
        cols_ += [col[other], col[active]]
        vals_ += [v, v]
    n = order.shape[1]
    T = sp.csr_matrix(
        (np.concatenate(vals_), (np.concatenate(rows_), np.concatenate(cols_))), shape=(n, n)
    )
    T.sum_duplicates()
    return T


class SeqEASE(EASE):
    """EASE on co-occurrence plus sequence proximity, with EDLAE emphasis and user weights.

    ``G = X~' X~ + seq_weight * T`` where ``X~`` has each user's row divided by
    ``n_u ** user_norm`` and ``T`` is :func:`sequence_cooccurrence` (same user weights); then
    ``P = (G + Lambda)^-1``, ``B = I - P diag(1 / diag(P))`` with
    ``Lambda = l2 * mean(diag(G)) + emphasis / (1 - emphasis) * diag(G)``. The penalty is
    relative to the average diagonal, so a value tuned on a validation split carries over to
    the (larger) full training part. Without times in the interactions ``T`` is left out.

    Args:
        l2: ridge penalty in units of the mean diagonal of ``G``.
        emphasis: EDLAE dropout probability ``p`` in [0, 1); 0 is EASE's constant penalty.
        seq_weight: weight of the sequence term ``T`` (0: none).
        seq_scale: positions in a user's history over which the proximity weight falls by e.
        user_norm: exponent of the user-activity down-weighting (0: none).
        max_items: cap on the modelled catalogue, as :class:`EASE`.
    """

    def __init__(
        self,
        *,
        l2: float = 5.0,
        emphasis: float = 0.25,
        seq_weight: float = 2.0,
        seq_scale: float = 3.0,
        user_norm: float = 0.15,
        max_items: int | None = 5_000,
    ) -> None:
        self.l2 = l2
        self.emphasis = emphasis
        self.seq_weight = seq_weight
        self.seq_scale = seq_scale
        self.user_norm = user_norm
        self.max_items = max_items

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.l2 <= 0 or not 0 <= self.emphasis < 1 or self.seq_weight < 0:
            raise ConfigError(
                f"SeqEASE: need l2 > 0, 0 <= emphasis < 1 and seq_weight >= 0, got "
                f"l2={self.l2}, emphasis={self.emphasis}, seq_weight={self.seq_weight}"
            )
        n = X.shape[1]
        items = np.arange(n)
        if self.max_items is not None and n > self.max_items:
            pop = np.asarray((X > 0).sum(axis=0)).ravel()
            items = np.sort(np.argsort(-pop, kind="stable")[: self.max_items])
        n_u = np.asarray((X > 0).sum(axis=1), dtype=np.float64).ravel()
        w = np.power(np.maximum(n_u, 1.0), -float(self.user_norm))
        Xs = sp.diags(w) @ X[:, items]
        G = np.asarray((Xs.T @ Xs).todense(), dtype=np.float64)
        order = self.interactions_.order
        self.used_sequence_ = bool(order is not None and self.seq_weight > 0)
        if self.used_sequence_:
            assert order is not None
            T = sequence_cooccurrence(order[:, items], scale=self.seq_scale, user_weight=w * w)
            G += float(self.seq_weight) * T.toarray()
        d = np.diag(G).copy()
        p = float(self.emphasis)
        lam = float(self.l2) * max(float(d.mean()), 1e-12) + p / (1.0 - p) * d
        G[np.diag_indices_from(G)] += lam
        P = np.linalg.inv(G)
        B = -P / np.diag(P)[None, :]
        B[np.diag_indices_from(B)] = 0.0
        self.items_ = items
        self.similarity_ = B.astype(np.float32)


class RP3beta(ItemSimilarity):
    """Random walk of three steps with popularity re-weighting (RP3beta).

    ``W = (P_iu^alpha P_ui^alpha) / pop^beta`` column-wise, where ``P_ui`` (``P_iu``) are the
    row-normalised user->item (item->user) transition matrices of the 0/1 interactions; each
    item keeps its ``neighbors`` strongest targets.

    Args:
        alpha: exponent of the transition probabilities.
        beta: popularity penalty exponent (0: plain P3).
        neighbors: targets kept per item (``None``: all).
    """

    def __init__(self, *, alpha: float = 0.8, beta: float = 0.4, neighbors: int | None = 200):
        self.alpha = alpha
        self.beta = beta
        self.neighbors = neighbors

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.alpha <= 0 or self.beta < 0:
            raise ConfigError(
                f"RP3beta: need alpha > 0 and beta >= 0, got alpha={self.alpha}, beta={self.beta}"
            )
        if self.neighbors is not None and self.neighbors < 1:
            raise ConfigError(f"RP3beta: neighbors must be >= 1 or None, got {self.neighbors}")
        B = sp.csr_matrix(X, dtype=np.float64)
        B.data[:] = 1.0
        n_u = np.asarray(B.sum(axis=1)).ravel()
        n_i = np.asarray(B.sum(axis=0)).ravel()
        Pui = (sp.diags(1.0 / np.maximum(n_u, 1.0)) @ B).tocsr()
        Piu = (sp.diags(1.0 / np.maximum(n_i, 1.0)) @ B.T.tocsr()).tocsr()
        if self.alpha != 1.0:
            Pui, Piu = Pui.power(self.alpha), Piu.power(self.alpha)
        penalty = np.power(np.maximum(n_i, 1.0), -float(self.beta))
        n = X.shape[1]
        block = max(1, _CELLS // max(n, 1))
        parts = []
        for s in range(0, n, block):  # one block of source items at a time: bounded memory
            W = (Piu[s : s + block] @ Pui).tocsr()
            W.data *= penalty[W.indices]
            source = np.repeat(np.arange(W.shape[0]), np.diff(W.indptr)) + s
            W.data[W.indices == source] = 0.0  # no self-transition
            W.eliminate_zeros()
            parts.append(W if self.neighbors is None else _keep_top(W, int(self.neighbors)))
        W = sp.vstack(parts).tocsr() if parts else sp.csr_matrix((n, n))
        self.similarity_ = W.astype(np.float32)


def _keep_top(W: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Each row's ``k`` largest entries (ties: lower column first)."""
    W = W.tocsr()
    W.sort_indices()
    counts = np.diff(W.indptr)
    if counts.max(initial=0) <= k:
        return W
    row = np.repeat(np.arange(W.shape[0]), counts)
    order = np.lexsort((W.indices, -W.data, row))
    start = np.repeat(W.indptr[:-1], counts)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - start
    ok = rank < k
    return sp.csr_matrix((W.data[ok], (row[ok], W.indices[ok])), shape=W.shape)
