"""Model optimisation: tuning (Optuna), augmentation (EDA, rebalancing), compression."""

from __future__ import annotations

from opsai.optimize.augment import TextAugmenter, embedding_synonyms, rebalance, vocabulary
from opsai.optimize.augment_eval import evaluate_augmentation, evaluate_rebalancing
from opsai.optimize.compress import (
    Target,
    choose,
    compression_table,
    distill,
    prune,
    quantize,
    sparsity,
)
from opsai.optimize.compress_targets import churn_target, forecast_target, intent_target
from opsai.optimize.tuning import (
    make_storage,
    study_from_summary,
    summarize_study,
    summary_from_results,
    summary_records,
    tune,
)

__all__ = [
    "Target",
    "TextAugmenter",
    "choose",
    "churn_target",
    "compression_table",
    "distill",
    "embedding_synonyms",
    "evaluate_augmentation",
    "evaluate_rebalancing",
    "forecast_target",
    "intent_target",
    "make_storage",
    "prune",
    "quantize",
    "rebalance",
    "sparsity",
    "study_from_summary",
    "summarize_study",
    "summary_from_results",
    "summary_records",
    "tune",
    "vocabulary",
]
