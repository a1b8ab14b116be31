"""Cross-validation of intent models: stratified folds and out-of-fold probabilities.

:func:`~opsai.service.chapter.compare_intent_models` picks its model by k-fold
cross-validated macro-F1 on the training tickets and sets each model's out-of-scope threshold
on its out-of-fold probabilities. A single carved-off validation part (106 tickets on the
tiny demo) gave a margin between two models that moved by several points with the carve; the
mean over five folds moves about half as much.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from opsai.errors import SchemaError

__all__ = ["CrossVal", "cv_sample", "intent_folds", "out_of_fold"]

Split = tuple[np.ndarray, np.ndarray]


def intent_folds(
    labels: np.ndarray,
    *,
    folds: int,
    seed: int,
    what: str,
    groups: Sequence[object] | None = None,
) -> list[Split]:
    """Stratified ``(train, held-out)`` row positions for cross-validating intent models.

    There are ``folds`` folds, or as many as the rarest intent has tickets when that is
    fewer (every fold then holds out at least one ticket of each intent). An intent with a
    single ticket cannot be held out and learnt from at once: it stays in every training
    part and is never scored, as :func:`~opsai.service.chapter.split_labelled` keeps it in
    training. With ``groups`` (each ticket's normalised text) the tickets of one group stay
    on one side of every fold, so a repeated text (an FAQ button, a canned phrase) is never
    both learnt and scored, and an intent counts its distinct texts, not its tickets.

    Raises:
        SchemaError: no intent has two tickets; ``what`` names the column.
    """
    y = np.asarray(labels, dtype=object).astype(str)
    g = np.arange(len(y)) if groups is None else pd.factorize(pd.Series(list(groups)))[0]
    per = pd.DataFrame({"y": y, "g": g}).groupby("y")["g"].nunique()
    counts = per.reindex(y).to_numpy()
    many = counts >= 2
    if not many.any():
        raise SchemaError(
            f"{what}: no intent has two labelled training tickets ({len(y):,} tickets, each "
            "of its own intent), so the intent models cannot be cross-validated; label at "
            "least two tickets of each intent, or map another column"
        )
    k = int(min(folds, per[per >= 2].min()))
    rows, once = np.flatnonzero(many), np.flatnonzero(~many)
    if groups is None:
        cv: Any = StratifiedKFold(k, shuffle=True, random_state=seed)
        parts = cv.split(rows, y[rows])
    else:
        cv = StratifiedGroupKFold(k, shuffle=True, random_state=seed)
        parts = cv.split(rows, y[rows], groups=g[rows])
    return [(np.sort(np.r_[rows[tr], once]), rows[te]) for tr, te in parts]


def cv_sample(labels: np.ndarray, *, max_rows: int | None, seed: int) -> np.ndarray:
    """Row positions of at most ``max_rows`` training tickets to cross-validate on, drawn per
    intent in proportion to its tickets (at least two of each intent that has two), sorted.

    Choosing between models and setting a threshold need a few thousand tickets, not all
    of them: with 2,000, a fold holds out 400. Beyond that the folds only multiply the cost
    (five torch trainings per model on the whole training part), so a large ticket set is
    sampled; every model is still fitted on all of it. ``None``, or no more rows than
    ``max_rows``: every row.
    """
    n = len(labels)
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    y = np.asarray(labels, dtype=object).astype(str)
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        take = max(min(len(rows), 2), round(max_rows * len(rows) / n))
        keep.append(rng.choice(rows, size=min(take, len(rows)), replace=False))
    return np.sort(np.concatenate(keep))


@dataclass
class CrossVal:
    """Out-of-fold results of one model: probabilities and per-fold scores."""

    proba: np.ndarray
    """``(n, len(classes))``; rows never held out (intents with one ticket) are NaN."""
    accuracy: list[float] = field(default_factory=list)
    macro_f1: list[float] = field(default_factory=list)
    seconds: float = 0.0
    """Fitting and scoring every fold (shared by the variants of one model)."""

    @property
    def scored(self) -> np.ndarray:
        """Rows that were held out once (and have probabilities)."""
        return ~np.isnan(self.proba[:, 0])


def out_of_fold(
    make: Callable[[], Any],
    texts: Sequence[str],
    labels: np.ndarray,
    splits: Sequence[Split],
    classes: np.ndarray,
    variants: Callable[[Any], list[tuple[str, Any]]],
) -> dict[str, CrossVal]:
    """Fit ``make()`` on each training part and score its held-out part.

    Args:
        make: a new unfitted model (``fit(texts, y)``, ``predict_proba``, ``classes_``).
        texts: the training tickets' texts; ``labels`` their intents.
        splits: from :func:`intent_folds`.
        classes: the column order of the probabilities (the model fitted on all tickets);
            a fold that lacks an intent gives it probability 0.
        variants: the named models to score from one fitted fold model (itself, and e.g.
            its int8 copy), so a copy is scored on the same folds without refitting.
    """
    X, y = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
    col = {c: i for i, c in enumerate(classes)}
    out: dict[str, CrossVal] = {}
    t0 = time.perf_counter()
    for tr, te in splits:
        fitted = make().fit(list(X[tr]), y[tr])
        for name, m in variants(fitted):
            cv = out.setdefault(name, CrossVal(np.full((len(y), len(classes)), np.nan)))
            p = np.asarray(m.predict_proba(list(X[te])))
            full = np.zeros((len(te), len(classes)))
            full[:, [col[c] for c in m.classes_]] = p
            cv.proba[te] = full
            pred = np.asarray(classes, dtype=object)[full.argmax(axis=1)]
            cv.accuracy.append(float(accuracy_score(y[te], pred)))
            cv.macro_f1.append(float(f1_score(y[te], pred, average="macro")))
    for cv in out.values():
        cv.seconds = time.perf_counter() - t0
    return out
