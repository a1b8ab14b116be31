"""The measured effect of augmentation: trained with and without, scored on held-out originals.

:func:`evaluate_augmentation` trains the customer-service chapter's
:class:`~opsai.service.IntentClassifier` on a small stratified sample of original tickets
(``per_class`` per intent, the low-resource case EDA targets) with and without EDA copies, and
scores both on held-out original tickets only. :func:`evaluate_rebalancing` trains the
behaviour chapter's churn model (its default hyper-parameters) on the original training rows
and on rebalanced ones, and scores both on the untouched test rows (a time-based split from
:func:`opsai.behavior.snapshots`, or any split you pass).

Example:
    >>> evaluate_augmentation(tickets, per_class=(8, 16), synonyms=syn, seed=0)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.errors import ConfigError, SchemaError
from opsai.optimize.augment import OPS, Op, RebalanceMethod, TextAugmenter, rebalance

__all__ = ["evaluate_augmentation", "evaluate_rebalancing"]

Lexicon = Mapping[str, Sequence[str]]


def _sample(train: pd.DataFrame, col: str, n: int | None, seed: int) -> pd.DataFrame:
    if n is None:
        return train
    return (
        train.groupby(col, group_keys=False)
        .sample(frac=1.0, random_state=seed)
        .groupby(col, group_keys=False)
        .head(n)
    )


def evaluate_augmentation(
    tickets: pd.DataFrame,
    *,
    per_class: Sequence[int | None] = (8, 16, 32),
    repeats: int = 3,
    test_size: float = 0.3,
    synonyms: Lexicon | Callable[[list[str]], Lexicon] | None = None,
    ops: Sequence[Op] = OPS,
    alpha: float = 0.1,
    n_aug: int = 4,
    model: Literal["tfidf", "torch"] = "tfidf",
    col_text: str = S.TEXT,
    col_intent: str = S.INTENT,
    seed: int = 0,
) -> pd.DataFrame:
    """Intent accuracy with and without EDA, on held-out original tickets.

    The tickets are split once (stratified, ``test_size``); for each training size and repeat a
    stratified sample of ``per_class`` training tickets per intent is drawn (``None``: all),
    the model is fitted on it and on it plus its EDA copies, and both are scored on the same
    held-out originals. Augmented texts never reach the test set.

    Args:
        tickets: labelled tickets (``col_text``, ``col_intent``).
        per_class: training tickets per intent; ``None`` means the whole training split.
        repeats: samples drawn per size (different seeds); the table reports their mean and
            standard deviation.
        test_size: share of tickets held out.
        synonyms: the lexicon for the ``"synonym"``/``"insert"`` ops (without one those ops
            are dropped), or a function called once with the training split's texts that
            returns one (e.g. ``lambda t: embedding_synonyms(vocabulary(t))``: unlabelled
            training words only, never the test texts).
        ops, alpha, n_aug: see :class:`~opsai.optimize.augment.TextAugmenter`.
        model: the intent model (``"tfidf"`` or ``"torch"``).
        col_text, col_intent: column overrides.
        seed: seeds the split, the samples, the augmentation and the models.

    Returns:
        One row per ``(per_class, variant)``: ``per_class``, ``variant`` (``"original"`` or
        ``"eda"``), ``n_train`` (mean texts trained on), ``accuracy``, ``accuracy_std``,
        ``macro_f1``, ``gain`` (EDA minus original accuracy, on the EDA row), ``n_test``.
    """
    from sklearn.metrics import accuracy_score, f1_score

    from opsai.service import IntentClassifier
    from opsai.service._features import reuse_analysis, stratified_split

    for c in (col_text, col_intent):
        if c not in tickets.columns:
            raise SchemaError(
                f"evaluate_augmentation: tickets has no {c!r} column; pass col_text=/col_intent="
            )
    if repeats < 1:
        raise ConfigError(f"evaluate_augmentation: repeats must be >= 1, got {repeats}")
    if not 0.0 < test_size < 1.0:
        raise ConfigError(f"evaluate_augmentation: test_size must be in (0, 1), got {test_size}")
    bad = [n for n in per_class if n is not None and int(n) < 2]
    if bad or not per_class:
        raise ConfigError(
            f"evaluate_augmentation: per_class must list sizes >= 2 (or None), got {list(per_class)}"
        )
    d = tickets[tickets[col_intent].notna()]
    d = d[d[col_intent].map(d[col_intent].value_counts()) >= 2]
    train, test = stratified_split(d, d[col_intent], test_size=test_size, seed=seed)
    y_test = test[col_intent].astype(str).to_numpy()
    lexicon = synonyms(train[col_text].astype(str).tolist()) if callable(synonyms) else synonyms
    use_ops = [o for o in ops if lexicon or o not in ("synonym", "insert")]
    rows: list[dict[str, Any]] = []
    with reuse_analysis():  # the held-out tickets are cut once, not once per model
        for n in per_class:
            res: dict[str, list[tuple[int, float, float]]] = {"original": [], "eda": []}
            for r in range(repeats):
                s = _sample(train, col_intent, n, seed + r)
                X, y = s[col_text].astype(str).tolist(), s[col_intent].astype(str).tolist()
                aug = TextAugmenter(ops=use_ops, alpha=alpha, n_aug=n_aug, synonyms=lexicon,
                                    seed=seed + r)  # fmt: skip
                Xa, ya = aug.fit_resample(X, y)
                for variant, (tx, ty) in {"original": (X, y), "eda": (Xa, list(ya))}.items():
                    clf = IntentClassifier(model=model, threshold=None, seed=seed + r).fit(tx, ty)
                    pred = clf.predict(test[col_text].astype(str).tolist())
                    res[variant].append(
                        (len(tx), accuracy_score(y_test, pred),
                         f1_score(y_test, pred, average="macro"))
                    )  # fmt: skip
            base = float(np.mean([a for _, a, _ in res["original"]]))
            for variant, vals in res.items():
                acc = np.array([a for _, a, _ in vals])
                rows.append({
                    "per_class": "all" if n is None else int(n), "variant": variant,
                    "n_train": float(np.mean([k for k, _, _ in vals])),
                    "accuracy": float(acc.mean()), "accuracy_std": float(acc.std()),
                    "macro_f1": float(np.mean([f for _, _, f in vals])),
                    "gain": float(acc.mean() - base) if variant == "eda" else 0.0,
                    "n_test": len(test),
                })  # fmt: skip
    return pd.DataFrame(rows)


def _churn_estimator(kind: str, seed: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    from opsai.behavior.churn_model import DEFAULTS
    from opsai.behavior.mlp import MLPClassifier

    if kind == "gbm":
        return HistGradientBoostingClassifier(random_state=seed, **DEFAULTS["gbm"])
    if kind == "mlp":
        return MLPClassifier(seed=seed, **DEFAULTS["mlp"])
    raise ConfigError(f"evaluate_rebalancing: model must be 'gbm' or 'mlp', got {kind!r}")


def evaluate_rebalancing(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    label: str = "churned",
    methods: Sequence[Literal["none"] | RebalanceMethod] = ("none", "random", "smote"),
    ratio: float = 1.0,
    model: Literal["gbm", "mlp"] = "mlp",
    seed: int = 0,
) -> pd.DataFrame:
    """Churn model scores with and without rebalancing the training rows.

    Only ``train`` is resampled; ``test`` is scored as it is. The minority class is the rarer
    label in ``train`` (with the demo's 90-day horizon it is the users who stay).

    Args:
        train, test: frames with the features and ``label`` (e.g. from
            :func:`opsai.behavior.snapshots`, a time-based split).
        features: feature columns (default: every column but ``label`` and ``future_value``).
        label: the 0/1 label column.
        methods: ``"none"`` (the original rows), ``"random"`` or ``"smote"``.
        ratio: minority/majority after resampling.
        model: the behaviour chapter's ``"mlp"`` (torch) or ``"gbm"``, default parameters.
        seed: seeds the resampling and the model.

    Returns:
        One row per method: ``method``, ``n_train``, ``minority_share`` (in the rows trained
        on), ``roc_auc``, ``pr_auc`` (minority class as positive), ``minority_recall`` and
        ``minority_precision`` (at the 0.5 cut-off), ``balanced_accuracy``.
    """
    from sklearn.metrics import (
        average_precision_score,
        balanced_accuracy_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    for name, frame in (("train", train), ("test", test)):
        if label not in frame.columns:
            raise SchemaError(f"evaluate_rebalancing: {name} has no {label!r} column; pass label=")
    cols = list(features) if features is not None else [
        c for c in train.columns if c not in (label, "future_value")
    ]  # fmt: skip
    missing = [c for c in cols if c not in test.columns]
    if missing:
        raise SchemaError(f"evaluate_rebalancing: test lacks feature columns {missing}")
    Xtr = train[cols].astype(float).fillna(0.0)
    Xte = test[cols].astype(float).fillna(0.0)
    ytr = train[label].astype(int).to_numpy()
    yte = test[label].astype(int).to_numpy()
    vals, counts = np.unique(ytr, return_counts=True)
    if len(vals) < 2 or len(np.unique(yte)) < 2:
        raise SchemaError(f"evaluate_rebalancing: {label!r} needs both classes in train and test")
    minority = int(vals[counts.argmin()])
    rows = []
    for m in methods:
        if m == "none":
            Xr, yr = Xtr, ytr
        else:
            Xr, yr = rebalance(Xtr, ytr, method=m, ratio=ratio, seed=seed)
        est = _churn_estimator(model, seed).fit(np.asarray(Xr, float), yr)
        proba = est.predict_proba(Xte.to_numpy())
        p_min = proba[:, list(est.classes_).index(minority)]
        pred = np.where(p_min >= 0.5, minority, 1 - minority)
        rows.append({
            "method": m, "n_train": len(yr), "minority_share": float(np.mean(yr == minority)),
            "roc_auc": float(roc_auc_score(yte == minority, p_min)),
            "pr_auc": float(average_precision_score(yte == minority, p_min)),
            "minority_recall": float(recall_score(yte, pred, pos_label=minority)),
            "minority_precision": float(precision_score(yte, pred, pos_label=minority,
                                                        zero_division=0)),
            "balanced_accuracy": float(balanced_accuracy_score(yte, pred)),
        })  # fmt: skip
    return pd.DataFrame(rows)
