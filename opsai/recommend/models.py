"""Collaborative recommenders: popularity, item-kNN and EASE, on one small base class.

Every model follows the scikit-learn contract — ``__init__`` only stores keyword options,
``fit(interactions)`` returns ``self``, learned attributes end in ``_`` — and answers
``recommend(user_ids, k)`` with a long frame ``user_id, item_id, score, rank``. Matrix
factorisation (ALS, BPR) lives in :mod:`opsai.recommend.mf`, the content model in
:mod:`opsai.recommend.content`, the blend in :mod:`opsai.recommend.hybrid`.

Example:
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"user_id": ["a", "a", "b", "c"], "item_id": ["x", "y", "x", "z"]})
    >>> Popularity().fit(pairs).recommend(["c"], k=2)["item_id"].tolist()
    ['x', 'y']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from opsai.data.schema import ITEM_ID, USER_ID
from opsai.errors import ConfigError, NotFittedError
from opsai.recommend.interactions import InteractionMatrix

RANK = "rank"
SCORE = "score"
_BATCH = 1024
_CELLS = 4_000_000  # users x items scored at once (~32 MB of float64)


def as_matrix(
    interactions: InteractionMatrix | pd.DataFrame, items: Iterable[str] | None = None
) -> InteractionMatrix:
    """An :class:`InteractionMatrix` from itself or from a long frame (weights kept).

    ``items`` (catalogue ids) adds columns for untouched items when building from a frame.
    """
    if isinstance(interactions, InteractionMatrix):
        return interactions
    if isinstance(interactions, pd.DataFrame):
        return InteractionMatrix.from_frame(interactions, items=items)
    raise ConfigError(
        f"interactions must be an InteractionMatrix or a DataFrame, got {type(interactions).__name__}"
    )


class Recommender:
    """Base class: subclasses implement ``_fit(X)`` and ``_score(rows) -> dense scores``."""

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor options (scikit-learn style)."""
        return {k: v for k, v in vars(self).items() if not k.endswith("_") and k[0] != "_"}

    def set_params(self, **params: Any) -> Recommender:
        """Change constructor options; the model must be fitted again."""
        for key, value in params.items():
            if key not in self.get_params():
                raise ConfigError(
                    f"{type(self).__name__}: unknown parameter {key!r} "
                    f"(have: {', '.join(self.get_params())})"
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def fit(self, interactions: InteractionMatrix | pd.DataFrame) -> Recommender:
        """Learn from the training interactions (a matrix or a long frame)."""
        self.interactions_ = as_matrix(interactions)
        self._fit(self.interactions_.matrix.tocsr().astype(np.float32))
        return self

    def _fit(self, X: sp.csr_matrix) -> None:
        raise NotImplementedError

    def _score(self, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "interactions_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted yet; call .fit(interactions) first"
            )

    def score(self, user_ids: Iterable[str]) -> np.ndarray:
        """Dense scores ``(len(user_ids), n_items)`` over ``interactions_.item_ids``.

        Unknown users get a row of NaN.
        """
        self._check_fitted()
        rows = self.interactions_.user_index(user_ids)
        out = np.full((len(rows), len(self.interactions_.item_ids)), np.nan, dtype=np.float32)
        known = rows >= 0
        if known.any():
            out[known] = self._score(rows[known])
        return out

    def recommend(
        self,
        user_ids: Iterable[str] | None = None,
        k: int = 10,
        *,
        exclude_seen: bool = True,
    ) -> pd.DataFrame:
        """The top-``k`` items per user.

        Args:
            user_ids: users to recommend for (default: every training user). Users unknown to
                the model get no rows; :class:`~opsai.recommend.hybrid.Hybrid` falls back for them.
            k: list length.
            exclude_seen: leave out the items each user already has in training.

        Returns:
            ``user_id, item_id, score, rank`` (rank 1 = best), users in the order given.
        """
        self._check_fitted()
        if k < 1:
            raise ConfigError(f"recommend: k must be >= 1, got {k}")
        im = self.interactions_
        users = im.user_ids if user_ids is None else np.asarray(list(user_ids), dtype=object)
        rows = im.user_index(users)
        keep = rows >= 0
        users, rows = users[keep], rows[keep]
        frames = []
        batch = max(1, min(_BATCH, _CELLS // max(len(im.item_ids), 1)))
        for start in range(0, len(rows), batch):
            r = rows[start : start + batch]
            scores = np.asarray(self._score(r), dtype=np.float32)
            if exclude_seen:
                seen = im.matrix[r]
                scores[np.repeat(np.arange(len(r)), np.diff(seen.indptr)), seen.indices] = -np.inf
            frames.append(_top_k(scores, users[start : start + batch], im.item_ids, k))
        if not frames:
            return _empty()
        return pd.concat(frames, ignore_index=True)


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            USER_ID: pd.Series(dtype=object),
            ITEM_ID: pd.Series(dtype=object),
            SCORE: pd.Series(dtype="float64"),
            RANK: pd.Series(dtype="int64"),
        }
    )


def _top_k(scores: np.ndarray, users: np.ndarray, item_ids: np.ndarray, k: int) -> pd.DataFrame:
    """Long top-k frame from a dense score block; -inf and NaN scores are never returned."""
    scores = np.where(np.isnan(scores), -np.inf, scores)
    kk = min(k, scores.shape[1])
    part = np.argpartition(-scores, kk - 1, axis=1)[:, :kk]
    vals = np.take_along_axis(scores, part, axis=1)
    # sort by score desc, then item position asc for deterministic ties
    order = np.lexsort((part, -vals), axis=1)
    idx = np.take_along_axis(part, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    ok = np.isfinite(vals)
    ranks = np.tile(np.arange(1, kk + 1), (len(users), 1))
    return pd.DataFrame(
        {
            USER_ID: np.repeat(users, kk)[ok.ravel()],
            ITEM_ID: item_ids[idx[ok]],
            SCORE: vals[ok],
            RANK: ranks[ok],
        }
    )


class Popularity(Recommender):
    """The most popular items for everyone: the baseline every model must beat.

    Args:
        by: ``"users"`` counts distinct users per item; ``"weight"`` sums interaction weights.
    """

    def __init__(self, *, by: Literal["users", "weight"] = "users") -> None:
        self.by = by

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.by not in ("users", "weight"):
            raise ConfigError(f"Popularity: by must be 'users' or 'weight', got {self.by!r}")
        counts = (X > 0).sum(axis=0) if self.by == "users" else X.sum(axis=0)
        self.item_scores_ = np.asarray(counts, dtype=np.float64).ravel()

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.item_scores_, (len(rows), 1))


def bestseller_lists(pop: Popularity, users: np.ndarray, k: int) -> pd.DataFrame:
    """The same top-``k`` bestsellers of a fitted :class:`Popularity` for each of ``users``
    (users without history: there is nothing to leave out)."""
    top = pop.item_scores_[None, :].astype(np.float32)
    one = _top_k(top, np.array(["?"], dtype=object), pop.interactions_.item_ids, k)
    rep = pd.concat([one] * len(users), ignore_index=True)
    rep[USER_ID] = np.repeat(users, len(one))
    return rep


def in_user_order(reco: pd.DataFrame, users: np.ndarray) -> pd.DataFrame:
    """``reco`` with users in the order of ``users``, each user's rows by rank."""
    order = {u: i for i, u in enumerate(users.tolist())}
    out = reco.assign(_o=reco[USER_ID].map(order))
    return out.sort_values(["_o", RANK], kind="stable").drop(columns="_o").reset_index(drop=True)


class ItemSimilarity(Recommender):
    """A model whose scores are ``X @ W`` for an item-item matrix ``W`` (explainable).

    Subclasses set ``similarity_`` (dense or sparse, ``n_items x n_items``): ``W[j, i]`` is how
    much having item ``j`` adds to the score of item ``i``.
    """

    similarity_: np.ndarray | sp.csr_matrix

    def _score(self, rows: np.ndarray) -> np.ndarray:
        out = self.interactions_.matrix[rows] @ self.similarity_
        return np.asarray(out.todense() if sp.issparse(out) else out, dtype=np.float32)

    def pair_weights(self, history: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """``W[history][:, targets]`` as a dense array (for explanations)."""
        self._check_fitted()
        w = self.similarity_[history][:, targets]
        return np.asarray(w.todense() if sp.issparse(w) else w, dtype=np.float64)


class ItemKNN(ItemSimilarity):
    """Item-based nearest neighbours with shrunk cosine similarity (Sarwar et al., 2001).

    Args:
        neighbors: similar items kept per item.
        shrink: added to the cosine denominator; damps similarities built on few users.
        block: target items per block of the (sparse) co-occurrence product.
    """

    def __init__(self, *, neighbors: int = 100, shrink: float = 10.0, block: int = 1024) -> None:
        self.neighbors = neighbors
        self.shrink = shrink
        self.block = block

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.neighbors < 1:
            raise ConfigError(f"ItemKNN: neighbors must be >= 1, got {self.neighbors}")
        Xc = X.tocsc()
        norms = np.sqrt(np.asarray(Xc.multiply(Xc).sum(axis=0)).ravel())
        n = X.shape[1]
        keep = min(self.neighbors, max(n - 1, 1))
        XT = Xc.T.tocsr()
        rows_, cols_, vals_ = [], [], []
        for s in range(0, n, self.block):  # sparse co-occurrence, one block of items at a time
            sim = (XT @ Xc[:, s : min(s + self.block, n)]).tocsc()
            rows = sim.indices
            cols = s + np.repeat(np.arange(sim.shape[1]), np.diff(sim.indptr))
            vals = sim.data / (norms[rows] * norms[cols] + self.shrink + 1e-12)
            vals[rows == cols] = 0.0  # no self-similarity
            order = np.lexsort((rows, -vals, cols))  # by target item, most similar first
            rows, cols, vals = rows[order], cols[order], vals[order]
            start = np.r_[0, np.flatnonzero(cols[1:] != cols[:-1]) + 1] if len(cols) else cols
            pos = np.arange(len(cols)) - np.repeat(start, np.diff(np.r_[start, len(cols)]))
            ok = (pos < keep) & (vals > 0)
            rows_.append(rows[ok])
            cols_.append(cols[ok])
            vals_.append(vals[ok])
        self.similarity_ = sp.csr_matrix(
            (np.concatenate(vals_), (np.concatenate(rows_), np.concatenate(cols_))), shape=(n, n)
        ).astype(np.float32)


class EASE(ItemSimilarity):
    """Embarrassingly Shallow Autoencoder (Steck, 2019): a closed-form item-item model.

    ``B = I - P diag(1 / diag(P))`` with ``P = (X'X + l2 I)^-1``, so ``diag(B) = 0``; the
    score of a user is ``x_u B``.

    Args:
        l2: ridge penalty (MovieLens-100K: a few hundred).
        max_items: cap on the catalogue the dense ``items x items`` inverse is built on (its
            cost grows with the cube: 5,000 items take seconds, 20,000 minutes and 3 GB);
            the rest (the least popular) are scored 0. ``None``: no cap.
    """

    def __init__(self, *, l2: float = 500.0, max_items: int | None = 5_000) -> None:
        self.l2 = l2
        self.max_items = max_items

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.l2 <= 0:
            raise ConfigError(f"EASE: l2 must be > 0, got {self.l2}")
        n = X.shape[1]
        items = np.arange(n)
        if self.max_items is not None and n > self.max_items:
            pop = np.asarray((X > 0).sum(axis=0)).ravel()
            items = np.sort(np.argsort(-pop, kind="stable")[: self.max_items])
        Xs = X[:, items]
        G = np.asarray((Xs.T @ Xs).todense(), dtype=np.float64)
        G[np.diag_indices_from(G)] += self.l2
        P = np.linalg.inv(G)
        B = -P / np.diag(P)[None, :]
        B[np.diag_indices_from(B)] = 0.0
        self.items_ = items
        self.similarity_ = B.astype(np.float32)

    def _score(self, rows: np.ndarray) -> np.ndarray:
        X = self.interactions_.matrix[rows][:, self.items_]
        out = np.zeros((len(rows), self.interactions_.matrix.shape[1]), dtype=np.float32)
        out[:, self.items_] = np.asarray(X @ self.similarity_, dtype=np.float32)
        return out

    def pair_weights(self, history: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """``B[history][:, targets]``; pairs outside the modelled items weigh 0."""
        self._check_fitted()
        pos = np.full(self.interactions_.matrix.shape[1], -1)
        pos[self.items_] = np.arange(len(self.items_))
        h, t = pos[np.asarray(history)], pos[np.asarray(targets)]
        w = self.similarity_[np.maximum(h, 0)][:, np.maximum(t, 0)].astype(np.float64)
        w[h < 0] = 0.0
        w[:, t < 0] = 0.0
        return w
