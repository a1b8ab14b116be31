"""What the chapters recorded about model optimisation: Optuna studies, augmentation and
compression, gathered for the executive report.

Tuning records follow :mod:`opsai.optimize.tuning` (``tuning.<model>.history``,
``.importances``, ``.best``, ``.default``, ``.gain``, ``.n_trials``, ``.n_pruned``,
``.direction``, ``.distributions``); augmentation and compression tables are any table whose
name starts with ``augment`` or ``compress``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from opsai.executive.results import RunResults

TUNING_COLUMNS = [
    "chapter",
    "model",
    "direction",
    "default",
    "best",
    "gain",
    "n_trials",
    "n_pruned",
]


@dataclass
class Studies:
    """The tuned models of a run: a summary table and the rebuilt Optuna studies."""

    table: pd.DataFrame
    studies: dict[str, Any] = field(default_factory=dict)


def _models(metrics: dict[str, Any]) -> list[str]:
    return sorted(
        {
            k[len("tuning.") : -len(".best")]
            for k in metrics
            if k.startswith("tuning.") and k.endswith(".best")
        }
    )


def tuning_studies(run: RunResults) -> Studies:
    """Every study a chapter recorded, as a table and as Optuna studies for Optuna's figures."""
    from opsai.optimize.tuning import study_from_summary

    rows, studies = [], {}
    for chapter in run.chapters:
        metrics = run.metrics(chapter)
        for model in _models(metrics):
            key = f"tuning.{model}"
            rows.append(
                {
                    "chapter": chapter,
                    "model": model,
                    **{c: metrics.get(f"{key}.{c}") for c in TUNING_COLUMNS[2:]},
                }
            )
            summary = {
                "history": run.table(chapter, f"{key}.history").to_dict(orient="records"),
                "importances": run.table(chapter, f"{key}.importances").to_dict(orient="records"),
                "metrics": {c: metrics.get(f"{key}.{c}") for c in TUNING_COLUMNS[2:]},
                "direction": metrics.get(f"{key}.direction"),
                "distributions": metrics.get(f"{key}.distributions"),
            }
            try:
                studies[f"{chapter} / {model}"] = study_from_summary(summary)
            except Exception:  # an unreadable record must not stop the report; the table stays
                continue
    return Studies(pd.DataFrame(rows, columns=TUNING_COLUMNS), studies)


def optimisation_tables(run: RunResults) -> dict[str, pd.DataFrame]:
    """Augmentation and compression tables the chapters recorded, keyed ``chapter: name``."""
    out = {}
    for chapter in run.chapters:
        for name in run.tables(chapter):
            if name.startswith(("augment", "compress")):
                out[f"{chapter}: {name}"] = run.table(chapter, name)
    return out
