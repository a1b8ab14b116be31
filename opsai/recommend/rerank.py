"""A second-stage learning-to-rank reranker over the candidates of several base recommenders.

Stage one: each base model (e.g. sequence-aware EASE, ALS, RP3beta) proposes its top
``candidates`` items per user; the union is the candidate set. Stage two: a gradient-boosted
classifier (scikit-learn's ``HistGradientBoostingClassifier``, pointwise) scores every
(user, candidate) pair from features no single model sees together: each base model's score
and rank, the item's popularity overall and *in the user's own active time window* (people
rate or buy in sessions, so what was popular while the user was active is a strong hint),
how the item's first appearance relates to the user's activity, the user's history length,
and the user's affinity to the item's category when the catalogue has one.

Honest by construction: ``fit`` carves a validation part out of the interactions it is given
(per-user stratified, seeded), fits the base models on the rest, learns the reranker on the
validation labels (the number of boosting rounds chosen on a held-out group of users), then
refits the base models on everything. The test split is never needed.

MovieLens-100K (benchmarks/recommend_movielens.py): over the tuned sequence-aware EASE, ALS
and RP3beta it scores nDCG@10 0.4956 / P@10 0.4369 on the test split (the blend of the same
models 0.4945 / 0.4345), but fitted on the validation carving (so its own inner base models
see 42% of the data) it scores below the blend on validation and is not chosen there.

Example:
    >>> from opsai.recommend.models import EASE, Popularity
    >>> rr = Reranker(models=[("ease", EASE(l2=10.0)), ("pop", Popularity())])  # doctest: +SKIP
    >>> rr.fit(train_pairs).recommend(["u1"], k=10)                             # doctest: +SKIP
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from opsai.data.schema import CATEGORY, ITEM_ID, USER_ID
from opsai.errors import ConfigError
from opsai.recommend.interactions import InteractionMatrix
from opsai.recommend.models import Recommender, as_matrix
from opsai.recommend.split import leave_last_out, stratified_split

_DAY = 86_400.0
_CELLS = 4_000_000


def _fit_model(model: Recommender, im: InteractionMatrix, items: pd.DataFrame | None) -> None:
    from opsai.recommend.content import ContentRecommender
    from opsai.recommend.hybrid import Hybrid

    if isinstance(model, ContentRecommender | Hybrid):
        model.fit(im, items=items)
    else:
        model.fit(im)


class _Context:
    """What the features of one fitted stage need: the matrix, the models, item statistics."""

    def __init__(
        self,
        im: InteractionMatrix,
        models: list[tuple[str, Recommender]],
        categories: np.ndarray | None,
        windows: Sequence[float],
    ) -> None:
        self.im = im
        self.models = models
        X = im.matrix.tocsr()
        self.binary = (X > 0).astype(np.float32).tocsr()
        self.n_u = np.asarray(self.binary.sum(axis=1)).ravel()
        self.pop = np.asarray(self.binary.sum(axis=0)).ravel()
        self.log_pop = np.log1p(self.pop)
        self.windows = [float(w) * _DAY for w in windows]
        self.categories = categories  # category code per item (-1: none) or None
        t = im.times
        self.has_time = t is not None and len(t) == X.nnz and bool(np.isfinite(t).any())
        if self.has_time:
            assert t is not None
            ok = np.isfinite(t)
            cols = X.indices[ok]
            tt = t[ok]
            self.t0 = float(tt.min())
            self.span = float(tt.max() - self.t0) + 2 * max(self.windows, default=0) + 2 * _DAY
            order = np.lexsort((tt, cols))
            self.key = cols[order] * self.span + (tt[order] - self.t0)
            self.all_t = np.sort(tt)
            first = np.full(X.shape[1], np.nan)
            np.fmin.at(first, cols, tt)
            self.first = first
            self.times = t

    def user_times(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Earliest, median and latest training time of each user (NaN when unknown)."""
        X = self.im.matrix
        lo, med, hi = (np.full(len(rows), np.nan) for _ in range(3))
        for k, r in enumerate(rows):
            t = self.times[X.indptr[r] : X.indptr[r + 1]]
            t = t[np.isfinite(t)]
            if len(t):
                lo[k], med[k], hi[k] = t.min(), np.median(t), t.max()
        return lo, med, hi

    def count_between(self, cols: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Interactions with item ``cols`` whose time lies in ``[a, b]`` (broadcast)."""
        lo = np.clip(a - self.t0, -0.5, self.span - 1)
        hi = np.clip(b - self.t0, -0.5, self.span - 1)
        base = cols * self.span
        return np.searchsorted(self.key, base + hi, "right") - np.searchsorted(
            self.key, base + lo, "left"
        )

    def total_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.all_t, b, "right") - np.searchsorted(self.all_t, a, "left")


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each item within its row (best = 1)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, scores.shape[1] + 1)[None, :], axis=1)
    return ranks


def _candidates_and_features(
    ctx: _Context, rows: np.ndarray, n_cand: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Candidate items of ``rows`` and their feature matrix.

    Returns:
        ``(row_of_pair, item_of_pair, features, feature_names)``.
    """
    X = ctx.binary
    seen = X[rows]
    seen_r = np.repeat(np.arange(len(rows)), np.diff(seen.indptr))
    per_model = []
    pick = np.zeros((len(rows), X.shape[1]), dtype=bool)
    for _, model in ctx.models:
        s = np.nan_to_num(model._score(rows).astype(np.float64), nan=-1e9, neginf=-1e9)
        s[seen_r, seen.indices] = -np.inf
        rk = _ranks(s)
        pick |= rk <= n_cand
        finite = np.where(np.isfinite(s), s, np.nan)
        top = np.nanmax(np.abs(finite), axis=1, keepdims=True)
        per_model.append((np.nan_to_num(finite / np.where(top > 0, top, 1.0)), rk))
    pick[seen_r, seen.indices] = False
    pr, pc = np.nonzero(pick)
    feats: dict[str, np.ndarray] = {}
    for (name, _), (s, rk) in zip(ctx.models, per_model, strict=True):
        feats[f"{name}_score"] = s[pr, pc]
        feats[f"{name}_logrank"] = np.log(rk[pr, pc].astype(np.float64))
    feats["mean_score"] = np.mean([s[pr, pc] for s, _ in per_model], axis=0)
    feats["item_log_pop"] = ctx.log_pop[pc]
    n_u = ctx.n_u[rows]
    feats["user_log_history"] = np.log1p(n_u)[pr]
    hist_pop = np.asarray(seen.multiply(ctx.log_pop[None, :]).sum(axis=1)).ravel()
    user_pop = hist_pop / np.maximum(n_u, 1)
    feats["item_pop_vs_user"] = ctx.log_pop[pc] - user_pop[pr]
    if ctx.has_time:
        lo, med, hi = ctx.user_times(rows)
        lo_p, med_p, hi_p = lo[pr], med[pr], hi[pr]
        inside = ctx.count_between(pc, lo_p - _DAY, hi_p + _DAY)
        total = ctx.total_between(lo_p - _DAY, hi_p + _DAY)
        feats["active_window_share"] = np.log1p(inside) - np.log1p(total)
        feats["active_window_frac"] = inside / np.maximum(ctx.pop[pc], 1)
        for w in ctx.windows:
            near = ctx.count_between(pc, med_p - w, med_p + w)
            feats[f"near_{w / _DAY:g}d_share"] = np.log1p(near) - np.log1p(
                ctx.total_between(med_p - w, med_p + w)
            )
        feats["first_after_user_end_days"] = (ctx.first[pc] - hi_p) / _DAY
        feats["first_before_user_start_days"] = (lo_p - ctx.first[pc]) / _DAY
        feats["user_span_days"] = (hi_p - lo_p) / _DAY
    if ctx.categories is not None:
        cat = ctx.categories
        n_cat = int(cat.max()) + 1 if len(cat) and cat.max() >= 0 else 0
        if n_cat:
            ucat = np.zeros((len(rows), n_cat))
            known = cat[seen.indices] >= 0
            np.add.at(ucat, (seen_r[known], cat[seen.indices][known]), 1.0)
            ucat /= np.maximum(n_u, 1)[:, None]
            c = cat[pc]
            feats["category_affinity"] = np.where(c >= 0, ucat[pr, np.maximum(c, 0)], np.nan)
    names = list(feats)
    F = np.column_stack([feats[n] for n in names]).astype(np.float32)
    return pr, pc, F, names


def _ndcg(
    pr: np.ndarray, score: np.ndarray, label: np.ndarray, n_true: np.ndarray, k: int
) -> float:
    """Mean nDCG@k over the users ``n_true`` counts (held-out items per user)."""
    order = np.lexsort((-score, pr))
    r, lab = pr[order], label[order]
    start = np.r_[0, np.flatnonzero(r[1:] != r[:-1]) + 1]
    pos = np.arange(len(r)) - np.repeat(start, np.diff(np.r_[start, len(r)]))
    hit = (pos < k) & (lab > 0)
    dcg = np.bincount(r[hit], weights=1.0 / np.log2(pos[hit] + 2.0), minlength=len(n_true))
    disc = np.r_[0.0, np.cumsum(1.0 / np.log2(np.arange(k) + 2.0))]
    idcg = disc[np.minimum(n_true, k)]
    ok = n_true > 0
    return float((dcg[ok] / idcg[ok]).mean()) if ok.any() else 0.0


class Reranker(Recommender):
    """Learning-to-rank over the union of several base models' top candidates.

    Args:
        models: ``(name, model)`` base recommenders (configured, e.g. tuned; unfitted).
        candidates: top items taken from each base model per user.
        holdout: share of each user's interactions held out to learn the reranker on
            (``split="stratified"``; the time split holds out each user's latest one).
        split: ``"stratified"`` (random per user, as a random test split) or ``"time"``
            (each user's latest interaction held out, as a leave-last-out test split).
        learning_rate: boosting step.
        max_iter: most boosting rounds; the number used is chosen on held-out users.
        max_leaf_nodes: leaves per tree.
        min_samples_leaf: fewest (user, item) pairs per leaf (small, noisy labels: keep high).
        windows: half-widths in days of the time windows around a user's median time in
            which item popularity is measured.
        k: cut-off of the nDCG that chooses the number of rounds.
        seed: seeds the carving split, the user groups and the booster.
    """

    def __init__(
        self,
        *,
        models: Sequence[tuple[str, Recommender]] = (),
        candidates: int = 100,
        holdout: float = 0.25,
        split: Literal["stratified", "time"] = "stratified",
        learning_rate: float = 0.03,
        max_iter: int = 300,
        max_leaf_nodes: int = 7,
        min_samples_leaf: int = 200,
        windows: Sequence[float] = (1.0, 7.0, 30.0),
        k: int = 10,
        seed: int = 0,
    ) -> None:
        self.models = models
        self.candidates = candidates
        self.holdout = holdout
        self.split = split
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.windows = windows
        self.k = k
        self.seed = seed

    def _check_params(self) -> None:
        if not self.models:
            raise ConfigError("Reranker: models is empty; give [(name, model), ...]")
        names = [n for n, _ in self.models]
        if len(set(names)) != len(names):
            raise ConfigError(f"Reranker: model names must be unique, got {names}")
        if self.candidates < 1 or self.max_iter < 1 or self.k < 1:
            raise ConfigError(
                f"Reranker: candidates, max_iter and k must be >= 1, got {self.candidates}, "
                f"{self.max_iter}, {self.k}"
            )
        if not 0.0 < self.holdout < 1.0:
            raise ConfigError(f"Reranker: holdout must be in (0, 1), got {self.holdout}")
        if self.split not in ("stratified", "time"):
            raise ConfigError(f"Reranker: split must be 'stratified' or 'time', got {self.split!r}")

    def _categories(self, im: InteractionMatrix, items: pd.DataFrame | None) -> np.ndarray | None:
        if items is None or CATEGORY not in items.columns:
            return None
        cat = items.drop_duplicates(ITEM_ID)
        codes, _ = pd.factorize(cat[CATEGORY])  # missing -> -1
        pos = pd.Series(codes, index=cat[ITEM_ID].astype(str).to_numpy())
        return pos.reindex(im.item_ids).fillna(-1).to_numpy(dtype=np.int64)

    def _context(self, im: InteractionMatrix, items: pd.DataFrame | None) -> _Context:
        models = [(n, copy.deepcopy(m)) for n, m in self.models]
        for _, m in models:
            _fit_model(m, im, items)
        return _Context(im, models, self._categories(im, items), self.windows)

    def fit(
        self, interactions: InteractionMatrix | pd.DataFrame, *, items: pd.DataFrame | None = None
    ) -> Reranker:
        """Learn the reranker on a carved validation part, then refit the base models on all.

        Args:
            interactions: training interactions (with ``timestamp`` for the time features).
            items: the catalogue (content components, category affinity).
        """
        from sklearn.ensemble import HistGradientBoostingClassifier

        self._check_params()
        catalog = None if items is None else items[ITEM_ID].astype(str)
        self.interactions_ = as_matrix(interactions, catalog)
        frame = self.interactions_.to_frame()
        if self.split == "time":
            inner, held = leave_last_out(frame, n=1)
        else:
            inner, held = stratified_split(frame, ratio=1.0 - self.holdout, seed=self.seed + 7)
        im_in = InteractionMatrix.from_frame(inner, items=self.interactions_.item_ids)
        ctx = self._context(im_in, items)
        rows = im_in.user_index(held[USER_ID].unique())
        rows = rows[rows >= 0]
        if len(rows) < 2:
            raise ConfigError(
                "Reranker: fewer than 2 users have held-out interactions to learn from; "
                "use a plain model on data this small"
            )
        pr, pc, F, names = _candidates_and_features(ctx, rows, self.candidates)
        n_items = len(im_in.item_ids)
        hu = im_in.user_index(held[USER_ID])
        hi = im_in.item_index(held[ITEM_ID])
        label = np.isin(rows[pr] * n_items + pc, hu * n_items + hi).astype(np.int64)
        where = pd.Index(rows).get_indexer(hu)
        n_true = np.bincount(where[where >= 0], minlength=len(rows))
        # choose the number of rounds on a held-out fifth of the users
        rng = np.random.default_rng(self.seed)
        grp = rng.random(len(rows)) < 0.2
        tr, va = ~grp[pr], grp[pr]
        params = {
            "learning_rate": float(self.learning_rate),
            "max_leaf_nodes": int(self.max_leaf_nodes),
            "min_samples_leaf": int(self.min_samples_leaf),
            "early_stopping": False,
            "random_state": int(self.seed),
        }
        if label.min() == label.max():
            raise ConfigError(
                "Reranker: the held-out interactions are all inside or all outside the "
                f"candidates (labels all {label[0]}); raise candidates or use a plain model"
            )
        self.rounds_ = int(self.max_iter)
        self.valid_curve_: list[tuple[int, float]] = []
        self.valid_ndcg_ = self.base_valid_ndcg_ = float("nan")
        if label[tr].any() and label[va].any():
            probe = HistGradientBoostingClassifier(max_iter=int(self.max_iter), **params)
            probe.fit(F[tr], label[tr])
            va_rows = np.flatnonzero(grp)
            remap = np.full(len(rows), -1)
            remap[va_rows] = np.arange(len(va_rows))
            step = max(1, int(self.max_iter) // 40)
            for it, dec in enumerate(probe.staged_decision_function(F[va]), start=1):
                if it % step and it != self.max_iter:
                    continue
                nd = _ndcg(remap[pr[va]], np.ravel(dec), label[va], n_true[va_rows], self.k)
                self.valid_curve_.append((it, nd))
            self.rounds_ = max(self.valid_curve_, key=lambda x: (x[1], -x[0]))[0]
            # the first base model alone on the same users, for the record
            first = F[va][:, names.index(f"{self.models[0][0]}_score")]
            self.base_valid_ndcg_ = _ndcg(remap[pr[va]], first, label[va], n_true[va_rows], self.k)
            self.valid_ndcg_ = max(v for _, v in self.valid_curve_)
        self.booster_ = HistGradientBoostingClassifier(max_iter=self.rounds_, **params)
        self.booster_.fit(F, label)
        self.feature_names_ = names
        self.context_ = self._context(self.interactions_, items)
        return self

    def _fit(self, X: sp.csr_matrix) -> None:  # pragma: no cover - fit is overridden
        raise NotImplementedError

    def _score(self, rows: np.ndarray) -> np.ndarray:
        ctx = self.context_
        n_items = ctx.im.matrix.shape[1]
        out = np.empty((len(rows), n_items), dtype=np.float32)
        batch = max(1, _CELLS // max(n_items, 1))
        for s in range(0, len(rows), batch):
            r = rows[s : s + batch]
            pr, pc, F, _ = _candidates_and_features(ctx, r, self.candidates)
            # outside the candidates: the first base model's order, below every candidate
            base = np.nan_to_num(ctx.models[0][1]._score(r).astype(np.float64), nan=0.0)
            top = np.abs(base).max(axis=1, keepdims=True)
            block = base / np.where(top > 0, top, 1.0) - 10.0
            if len(pr):
                block[pr, pc] = 10.0 + self.booster_.predict_proba(F)[:, 1]
            out[s : s + batch] = block
        return out
