"""Chapter 3b's saved recommender: learned arrays, id maps and the training interactions.

Every model of :mod:`opsai.recommend` is written as a JSON spec (its type and constructor
options) plus its learned arrays in safetensors — popularity counts, the item-item matrices of
item-kNN, RP3beta (sparse) and EASE/SeqEASE (dense), ALS/BPR factors, the content model's
item vectors (TF-IDF or embeddings), a hybrid's components, weights and fallback — and the training interaction matrix (CSR arrays
with the user and item ids in JSON), which the models score from and which says which items
each user has already seen.

Example:
    >>> save_recommender(run_dir, model=best, name=cmp.best, k=10, binary=True,
    ...                  weights=EVENT_WEIGHTS, rating=None, pairs=pairs)    # doctest: +SKIP
    >>> saved = load_recommender(run_dir)                                     # doctest: +SKIP
    >>> saved.model.recommend(["u1"], k=10)                                   # doctest: +SKIP
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from opsai.data.schema import ITEM_ID, TIMESTAMP, USER_ID
from opsai.errors import NotFittedError
from opsai.models.store import Bundle, BundleWriter, ModelStoreError, models_dir, open_bundle
from opsai.recommend.content import ContentRecommender
from opsai.recommend.hybrid import SOURCE, Hybrid
from opsai.recommend.interactions import (
    RETURNED,
    WEIGHT,
    InteractionMatrix,
    drop_pairs,
    most_per_user,
)
from opsai.recommend.linear import RP3beta, SeqEASE
from opsai.recommend.mf import ALS, BPR
from opsai.recommend.models import EASE, RANK, ItemKNN, Popularity, Recommender

CHAPTER = "03b_recommendation"
TYPES: dict[str, type[Recommender]] = {
    "popularity": Popularity,
    "itemknn": ItemKNN,
    "ease": EASE,
    "seqease": SeqEASE,
    "rp3beta": RP3beta,
    "als": ALS,
    "bpr": BPR,
    "content": ContentRecommender,
    "hybrid": Hybrid,
}
"""Saved type name -> class; a spec naming anything else is refused."""
LEARNED: dict[str, tuple[str, ...]] = {
    "popularity": ("item_scores_",),
    "itemknn": ("similarity_",),
    "ease": ("similarity_", "items_"),
    "seqease": ("similarity_", "items_"),
    "rp3beta": ("similarity_",),
    "als": ("user_factors_", "item_factors_"),
    "bpr": ("user_factors_", "item_factors_"),
    "content": ("item_vectors_", "has_text_"),
}
"""The arrays each model type learns (everything it needs to score)."""


@dataclass
class SavedRecommender:
    """What :func:`load_recommender` returns."""

    model: Recommender
    name: str
    k: int
    binary: bool
    weights: dict[str, float] | None
    rating: str | None
    manifest: dict[str, Any]
    unweighted: list[str] | None = None
    """Event types of the training data that had no weight (None: not recorded)."""


def can_save_recommender(model: Recommender) -> bool:
    """Whether :func:`save_recommender` can write ``model`` (a hybrid: all its parts)."""
    if type(model) is Hybrid:
        return all(can_save_recommender(m) for _, m in getattr(model, "models_", model.models))
    return any(type(model) is cls for cls in TYPES.values())


def _type_name(model: Recommender) -> str:
    for name, cls in TYPES.items():
        if type(model) is cls:
            return name
    raise ModelStoreError(
        f"save_recommender: {type(model).__name__} is not a model opsai can save "
        f"(known: {', '.join(TYPES)})"
    )


def _spec(model: Recommender, prefix: str, arrays: dict[str, Any]) -> dict[str, Any]:
    """The JSON spec of ``model``; its learned arrays are added to ``arrays`` under ``prefix``."""
    kind = _type_name(model)
    if kind == "hybrid":
        assert isinstance(model, Hybrid)
        parts = []
        for i, (name, comp) in enumerate(model.models_):
            parts.append({"name": name, **_spec(comp, f"{prefix}c{i}.", arrays)})
        arrays[f"{prefix}weights_"] = np.asarray(model.weights_, dtype=np.float64)
        arrays[f"{prefix}fallback.item_scores_"] = model.fallback_.item_scores_
        return {"type": kind, "fallback": model.fallback, "components": parts}
    params = model.get_params()
    for attr in LEARNED[kind]:
        arrays[f"{prefix}{attr}"] = getattr(model, attr)
    return {"type": kind, "params": params}


def _build(
    spec: Mapping[str, Any], prefix: str, arrays: Mapping[str, Any], im: InteractionMatrix
) -> Recommender:
    kind = spec.get("type")
    if kind not in TYPES:
        raise ModelStoreError(
            f"saved recommender: unknown model type {kind!r} (known: {', '.join(TYPES)})"
        )

    def arr(key: str) -> Any:
        if f"{prefix}{key}" not in arrays:
            raise ModelStoreError(f"saved recommender: array {prefix}{key} is missing")
        return arrays[f"{prefix}{key}"]

    if kind == "hybrid":
        comps = [
            (str(c["name"]), _build(c, f"{prefix}c{i}.", arrays, im))
            for i, c in enumerate(spec["components"])
        ]
        w = np.asarray(arr("weights_"), dtype=np.float64)
        hy = Hybrid(models=comps, weights=list(w), fallback=spec.get("fallback", "popularity"))
        hy.interactions_, hy.weights_, hy.models_ = im, w, comps
        hy.fallback_ = Popularity()
        hy.fallback_.interactions_ = im
        hy.fallback_.item_scores_ = np.asarray(arr("fallback.item_scores_"))
        return hy
    params = dict(spec.get("params") or {})
    if kind == "content":
        params["fields"] = tuple(params.get("fields", ()))
        params["ngram_range"] = tuple(params.get("ngram_range", (1, 1)))
    model = TYPES[kind](**params)
    model.interactions_ = im
    for attr in LEARNED[kind]:
        setattr(model, attr, arr(attr))
    return model


def save_recommender(
    output_dir: str | os.PathLike[str],
    *,
    model: Recommender,
    name: str,
    k: int,
    binary: bool = True,
    weights: Mapping[str, float] | None = None,
    rating: str | None = None,
    pairs: pd.DataFrame | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> Path:
    """Save the chosen recommender into ``<output_dir>/models/03b_recommendation``.

    Args:
        output_dir: the run folder.
        model: the fitted recommender chosen in the chapter.
        name: its name in the chapter's comparison (``ease``, ``hybrid``, ...).
        k: the list length the chapter used.
        binary: whether it was fitted on 0/1 interactions (new histories are read the same way).
        weights: event weights used to build interactions; rating: the rating column, if any.
        pairs: the interactions frame (for the data window, and the event types it left out).
        metrics: its held-out metrics, kept in the manifest.
    """
    if not hasattr(model, "interactions_"):
        raise NotFittedError("save_recommender: the model is not fitted")
    im = model.interactions_
    arrays: dict[str, Any] = {"interactions": im.matrix}
    spec = _spec(model, "model.", arrays)
    w = BundleWriter(models_dir(output_dir) / CHAPTER)
    w.arrays("recommender", arrays)
    w.json("recommender", spec)
    w.json("ids", {"user_ids": im.user_ids.tolist(), "item_ids": im.item_ids.tolist()})
    w.json(
        "settings",
        {"name": name, "k": int(k), "binary": bool(binary),
         "weights": dict(weights) if weights is not None else None, "rating": rating,
         "unweighted_events": None if pairs is None else pairs.attrs.get("unweighted_events")},
    )  # fmt: skip
    window = (None, None)
    if pairs is not None and TIMESTAMP in pairs.columns:
        window = (pairs[TIMESTAMP].min(), pairs[TIMESTAMP].max())
    return w.finish(
        chapter=CHAPTER,
        metrics={"model": name, **dict(metrics or {})},
        data_window=window,
        info={"users": len(im.user_ids), "items": len(im.item_ids), "k": int(k)},
    )


def _interactions(b: Bundle, arrays: Mapping[str, Any]) -> InteractionMatrix:
    ids = b.json("ids")
    users = np.asarray(ids["user_ids"], dtype=object)
    items = np.asarray(ids["item_ids"], dtype=object)
    m = arrays.get("interactions")
    if m is None or m.shape != (len(users), len(items)):
        raise ModelStoreError(
            f"{b.folder}: the interaction matrix does not match its id maps "
            f"({None if m is None else m.shape} vs {len(users)} users x {len(items)} items)"
        )
    return InteractionMatrix(m.astype(np.float32), users, items)


def load_recommender(run_dir: str | os.PathLike[str]) -> SavedRecommender:
    """Load (and verify) chapter 3b's recommender from a run folder.

    Raises:
        ModelStoreError: the bundle is missing, changed, or names an unknown model type.
    """
    b = open_bundle(models_dir(run_dir) / CHAPTER)
    arrays = b.arrays("recommender")
    im = _interactions(b, arrays)
    model = _build(b.json("recommender"), "model.", arrays, im)
    s = b.json("settings")
    return SavedRecommender(
        model=model,
        name=str(s["name"]),
        k=int(s["k"]),
        binary=bool(s["binary"]),
        weights=s.get("weights"),
        rating=s.get("rating"),
        manifest=b.manifest,
        unweighted=s.get("unweighted_events"),
    )


def _item_based(model: Recommender) -> bool:
    """True when the model scores a user from their history alone (no per-user parameters)."""
    if isinstance(model, Hybrid):
        return any(_item_based(m) for _, m in model.models_)
    return not isinstance(model, ALS | BPR)


def _rebind(model: Recommender, hist: InteractionMatrix, train: InteractionMatrix) -> Recommender:
    """A shallow copy of ``model`` scoring from ``hist``; factor models get their users' rows
    (zeros for users they never saw)."""
    out = copy.copy(model)
    out.interactions_ = hist
    if isinstance(out, Hybrid):
        out.models_ = [(n, _rebind(m, hist, train)) for n, m in out.models_]
    elif isinstance(out, ALS | BPR):
        rows = train.user_index(hist.user_ids)
        uf = np.zeros((len(rows), out.user_factors_.shape[1]), dtype=out.user_factors_.dtype)
        uf[rows >= 0] = out.user_factors_[rows[rows >= 0]]
        out.user_factors_ = uf
    return out


def popularity_scores(saved: SavedRecommender) -> np.ndarray:
    """The chapter's cold-start list: distinct training users per item (``Popularity``)."""
    m = saved.model
    if isinstance(m, Hybrid):
        return np.asarray(m.fallback_.item_scores_, dtype=np.float64)
    if isinstance(m, Popularity) and m.by == "users":
        return np.asarray(m.item_scores_, dtype=np.float64)
    return np.asarray((m.interactions_.matrix > 0).sum(axis=0), dtype=np.float64).ravel()


def recommend_for(
    saved: SavedRecommender, pairs: pd.DataFrame, user_ids: Sequence[str], *, k: int | None = None
) -> pd.DataFrame:
    """Top-``k`` lists for ``user_ids`` from a saved model and new interactions.

    A user's history is their training interactions plus their new ones (``pairs``, over the
    items the model knows; the larger weight of a pair is kept). Models that score from the
    history (popularity, item-kNN, EASE, content, hybrids holding one of them) use all of it;
    ALS and BPR use the factors learned for their training users. Every item in the history
    is excluded, and so is every pair the user returned in full (``pairs.attrs["returned"]``).
    Users the model cannot score (no known history, or not a training user of a
    factor model) get the most popular items, as in the chapter, less those in their history.

    Returns:
        ``user_id, item_id, score, rank, source`` (``model`` or ``fallback``), users in the
        order given.
    """
    k = int(k or saved.k)
    train = saved.model.interactions_
    users = np.asarray(list(dict.fromkeys(str(u) for u in user_ids)), dtype=object)
    new = pairs[[USER_ID, ITEM_ID, WEIGHT] if WEIGHT in pairs.columns else [USER_ID, ITEM_ID]]
    new = new.assign(**{USER_ID: new[USER_ID].astype(str), ITEM_ID: new[ITEM_ID].astype(str)})
    if WEIGHT not in new.columns:
        new = new.assign(**{WEIGHT: 1.0})
    long = pd.concat([train.to_frame(), new], ignore_index=True)
    long = long[long[USER_ID].isin(set(users.tolist()))]
    col = pd.Index(train.item_ids).get_indexer(long[ITEM_ID])
    long = long[col >= 0].assign(_c=col[col >= 0])
    long = long.groupby([USER_ID, "_c"], as_index=False)[WEIGHT].max()
    row = pd.Index(users).get_indexer(long[USER_ID])
    data = np.ones(len(long)) if saved.binary else long[WEIGHT].to_numpy(dtype=float)
    m = sp.csr_matrix(
        (data.astype(np.float32), (row, long["_c"].to_numpy())),
        shape=(len(users), len(train.item_ids)),
    )
    hist = InteractionMatrix(m, users, train.item_ids)
    scorer = _rebind(saved.model, hist, train)
    known = np.diff(m.indptr) > 0 if _item_based(saved.model) else train.user_index(users) >= 0
    returned = pairs.attrs.get(RETURNED)  # bought and sent back in full: never offered again
    extra = most_per_user(returned, users)
    out = Recommender.recommend(scorer, users[known], k + extra)
    out[SOURCE] = "model"
    cold = users[~known]
    if len(cold):  # the bestsellers, less what each has (a factor model's new user has some)
        pop = Popularity()
        pop.interactions_, pop.item_scores_ = hist, popularity_scores(saved)
        rep = pop.recommend(cold, k + extra)
        rep[SOURCE] = "fallback"
        out = pd.concat([out, rep], ignore_index=True)
    order = pd.Series(np.arange(len(users)), index=users)
    out = out.assign(_o=out[USER_ID].map(order)).sort_values(["_o", RANK], kind="stable")
    return drop_pairs(out.drop(columns="_o").reset_index(drop=True), returned, k)
