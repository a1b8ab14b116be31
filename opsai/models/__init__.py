"""Persisted models: a report run's trained models, saved safely and applied to new data.

Each chapter notebook saves what it trained into ``<run>/models/<chapter>/`` (beside
``results/``): scikit-learn estimators with skops, arrays and torch weights with safetensors,
settings and id maps as JSON, and a ``manifest.json`` with every file's SHA-256
(:mod:`opsai.models.store`). ``opsai score --run DIR --config FILE`` loads them, checking
every hash, and writes churn risk, recommendations and forecasts for new data
(:mod:`opsai.models.score`).

Example:
    >>> from opsai.models import save_recommender, score               # doctest: +SKIP
    >>> save_recommender(report.current().output_dir, model=best, name="ease", k=10)  # doctest: +SKIP
    >>> score("reports/latest", "new/opsai.yaml")                      # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "save_user_behavior": "opsai.models.behavior",
    "load_user_behavior": "opsai.models.behavior",
    "save_recommender": "opsai.models.recommend",
    "can_save_recommender": "opsai.models.recommend",
    "load_recommender": "opsai.models.recommend",
    "recommend_for": "opsai.models.recommend",
    "save_forecasts": "opsai.models.forecast",
    "load_forecasts": "opsai.models.forecast",
    "score": "opsai.models.score",
    "BundleWriter": "opsai.models.store",
    "ModelStoreError": "opsai.models.store",
    "TRUSTED_TYPES": "opsai.models.store",
    "open_bundle": "opsai.models.store",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    """Import a submodule only when one of its names is used (chapters load only their own)."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'opsai.models' has no attribute {name!r}")
