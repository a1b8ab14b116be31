"""Chapter 3b: personalised recommendation — interactions, splits, metrics, models, hybrid.

Example:
    >>> from opsai import recommend as rec
    >>> pairs = rec.build_interactions(events)                          # doctest: +SKIP
    >>> train, test = rec.stratified_split(pairs, seed=42)              # doctest: +SKIP
    >>> model = rec.EASE(l2=500).fit(rec.InteractionMatrix.from_frame(train, binary=True))  # doctest: +SKIP
    >>> rec.evaluate(model.recommend(test["user_id"].unique(), 10), test, k=10)  # doctest: +SKIP

ALS and BPR need the ``implicit`` package, imported only when they are fitted.
"""

from __future__ import annotations

from opsai.recommend.content import ContentRecommender, item_text
from opsai.recommend.explain import explain
from opsai.recommend.hybrid import Hybrid
from opsai.recommend.interactions import (
    DEFAULT_WEIGHTS,
    InteractionMatrix,
    build_interactions,
    interactions_from_workspace,
    resolve_weights,
)
from opsai.recommend.linear import RP3beta, SeqEASE, sequence_cooccurrence
from opsai.recommend.metrics import (
    catalog_coverage,
    evaluate,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    novelty,
    per_user,
    precision_at_k,
    recall_at_k,
)
from opsai.recommend.mf import ALS, BPR
from opsai.recommend.models import EASE, ItemKNN, Popularity, Recommender
from opsai.recommend.rerank import Reranker
from opsai.recommend.split import (
    leaked_pairs,
    leave_last_out,
    parse_split_method,
    stratified_split,
    validation_split,
)
from opsai.recommend.tuning import (
    MODELS,
    SPACES,
    make_model,
    params_from_trial,
    tune_hybrid,
    tune_model,
)

__all__ = [
    "ALS",
    "BPR",
    "DEFAULT_WEIGHTS",
    "EASE",
    "MODELS",
    "SPACES",
    "ContentRecommender",
    "Hybrid",
    "InteractionMatrix",
    "ItemKNN",
    "Popularity",
    "RP3beta",
    "Recommender",
    "Reranker",
    "SeqEASE",
    "build_interactions",
    "catalog_coverage",
    "evaluate",
    "explain",
    "hit_rate_at_k",
    "interactions_from_workspace",
    "item_text",
    "leaked_pairs",
    "leave_last_out",
    "make_model",
    "map_at_k",
    "ndcg_at_k",
    "novelty",
    "params_from_trial",
    "parse_split_method",
    "per_user",
    "precision_at_k",
    "recall_at_k",
    "resolve_weights",
    "sequence_cooccurrence",
    "stratified_split",
    "tune_hybrid",
    "tune_model",
    "validation_split",
]
