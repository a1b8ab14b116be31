"""What the customer-service chapter computes, as functions the notebook calls in one line.

Model comparisons return plain tables; findings are sentences with the numbers behind them
and a severity, ready for ``opsai.report.record(f.name, f.text, kind="finding",
severity=f.severity, evidence=f.evidence)``.

Example:
    >>> table, models = compare_intent_models(train, test, seed=0)   # doctest: +SKIP
    >>> spike_findings(detect_spikes(volume_by_intent(tickets)))     # doctest: +SKIP
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from opsai.data import schema as S
from opsai.errors import SchemaError
from opsai.service.intent import IntentClassifier
from opsai.service.sentiment import LexiconSentiment, SentimentClassifier, cross_val_accuracy

__all__ = [
    "Finding",
    "changed",
    "compare_intent_models",
    "intent_finding",
    "pii_finding",
    "sentiment_by_language",
    "spike_findings",
    "split_labelled",
]


@dataclass(frozen=True)
class Finding:
    """A plain-language sentence, its severity and the numbers behind it."""

    name: str
    text: str
    severity: str = "info"
    evidence: dict[str, Any] = field(default_factory=dict)


def split_labelled(
    tickets: pd.DataFrame, *, col: str = S.INTENT, test_size: float = 0.3, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Labelled tickets split into train and test, stratified by ``col``.

    Labels seen fewer than twice stay in training.
    """
    if col not in tickets.columns:
        raise SchemaError(
            f"tickets: no {col!r} column to learn from; map it in config: data.tables.tickets.columns.{col}"
        )
    d = tickets[tickets[col].notna()]
    counts = d[col].value_counts()
    rare = d[col].isin(counts[counts < 2].index)
    train, test = train_test_split(
        d[~rare], test_size=test_size, random_state=seed, stratify=d.loc[~rare, col]
    )
    return pd.concat([train, d[rare]]), test


def compare_intent_models(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    models: Sequence[str] = ("tfidf", "torch"),
    threshold: float | str | None = "auto",
    target_precision: float = 0.95,
    col_text: str = S.TEXT,
    col_intent: str = S.INTENT,
    epochs: int = 12,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, IntentClassifier]]:
    """Fit each intent model on ``train`` and score it on ``test``.

    Returns:
        A table (``model``, ``accuracy``, ``macro_f1``, ``answered`` (share above the
        threshold), ``accuracy_answered``, ``ms_per_ticket``, ``size_kb``, ``fit_s``) and the
        fitted models by name. A torch model that cannot be imported is skipped.
    """
    rows, fitted = [], {}
    y = test[col_intent].astype(str).to_numpy()
    for name in models:
        t0 = time.perf_counter()
        try:
            clf = IntentClassifier(
                model=name,  # type: ignore[arg-type]
                threshold=threshold,  # type: ignore[arg-type]
                target_precision=target_precision,
                epochs=epochs,
                seed=seed,
            )
            clf.fit(train[col_text], train[col_intent])
        except ImportError:
            continue
        fit_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = clf.predict_proba(test[col_text])
        ms = 1000 * (time.perf_counter() - t0) / max(len(test), 1)
        top = clf.classes_[proba.argmax(axis=1)]
        kept = proba.max(axis=1) >= (clf.threshold_ or 0.0)
        rows.append(
            {
                "model": name,
                "accuracy": accuracy_score(y, top),
                "macro_f1": f1_score(y, top, average="macro"),
                "answered": float(kept.mean()),
                "accuracy_answered": float((top[kept] == y[kept]).mean()) if kept.any() else np.nan,
                "ms_per_ticket": ms,
                "size_kb": clf.size_bytes() / 1024,
                "fit_s": fit_s,
            }
        )
        fitted[name] = clf
    return pd.DataFrame(rows), fitted


def sentiment_by_language(
    tickets: pd.DataFrame,
    *,
    folds: int = 5,
    col_text: str = S.TEXT,
    col_sentiment: str = S.SENTIMENT,
    col_language: str = S.LANGUAGE,
    seed: int = 0,
) -> pd.DataFrame:
    """Deduplicated k-fold accuracy of the trained model and the lexicon, per language.

    Returns:
        ``language``, ``model``, ``accuracy``, ``std``, ``n``; languages with fewer than
        ``2 * folds`` labelled texts are skipped.
    """
    d = tickets[tickets[col_sentiment].notna()]
    lang = d[col_language] if col_language in d.columns else pd.Series("all", index=d.index)
    rows = []
    for lg, g in d.groupby(lang.fillna("und")):
        if len(g) < 2 * folds or g[col_sentiment].nunique() < 2:
            continue
        texts, y = g[col_text].astype(str).tolist(), g[col_sentiment].astype(str).tolist()
        for name, model in (
            ("trained", _Fresh(SentimentClassifier, seed)),
            ("lexicon", _Lexicon()),
        ):
            res = cross_val_accuracy(model, texts, y, folds=folds, seed=seed)
            rows.append({"language": lg, "model": name, **res})
    return pd.DataFrame(rows, columns=["language", "model", "accuracy", "std", "n"])


class _Fresh:
    def __init__(self, cls: Any, seed: int) -> None:
        self.cls, self.seed = cls, seed

    def fit(self, X: list[str], y: Any) -> Any:
        return self.cls(seed=self.seed).fit(X, y)


class _Lexicon:
    def fit(self, X: list[str], y: Any) -> _Lexicon:
        labels = set(map(str, y))
        neg = next((v for v in ("negative", "neg") if v in labels), "negative")
        pos = next((v for v in ("positive", "pos") if v in labels), "positive")
        self.model = LexiconSentiment(labels=(neg, "neutral", pos))
        return self

    def predict(self, X: list[str]) -> np.ndarray:
        return self.model.predict(X)


def spike_findings(spikes: pd.DataFrame, *, top: int = 3) -> list[Finding]:
    """One finding per spike (strongest first), from :func:`~opsai.service.analytics.detect_spikes`."""
    out = []
    for k, r in enumerate(spikes.head(top).itertuples()):
        slug = re.sub(r"[^0-9a-z]+", "_", str(r.intent).lower()).strip("_") or f"topic{k}"
        sev = "high" if r.ratio >= 3 else "medium" if r.ratio >= 2 else "low"
        out.append(
            Finding(
                f"spike_{slug}_{r.period}",
                f"'{r.intent}' tickets spiked in {r.period}: {r.tickets} tickets, {100 * r.share:.0f}% "
                f"of the month against a usual {100 * r.baseline_share:.0f}% ({r.ratio:.1f}x).",
                sev,
                {
                    "period": r.period,
                    "intent": r.intent,
                    "tickets": int(r.tickets),
                    "share": float(r.share),
                    "baseline_share": float(r.baseline_share),
                    "ratio": float(r.ratio),
                    "z": float(r.z),
                },
            )
        )
    return out


def intent_finding(table: pd.DataFrame, best: str) -> Finding:
    """How well the chosen intent model does, and how much it hands to people."""
    r = table.set_index("model").loc[best]
    sev = "info" if r["accuracy"] >= 0.9 else "medium" if r["accuracy"] >= 0.75 else "high"
    return Finding(
        "intent_quality",
        f"The {best} intent model labels {100 * r['accuracy']:.1f}% of held-out tickets correctly "
        f"(macro-F1 {r['macro_f1']:.2f}); it answers {100 * r['answered']:.0f}% itself at "
        f"{100 * r['accuracy_answered']:.1f}% accuracy and routes the rest to an agent.",
        sev,
        {k: float(r[k]) for k in ("accuracy", "macro_f1", "answered", "accuracy_answered")},
    )


def pii_finding(counts: Mapping[str, int], tickets_with_pii: int, n_tickets: int) -> Finding:
    """How much personal data was redacted before anything was shown."""
    total = int(sum(counts.values()))
    parts = ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    return Finding(
        "pii_redacted",
        f"{tickets_with_pii} of {n_tickets} tickets ({100 * tickets_with_pii / max(n_tickets, 1):.0f}%) "
        f"held personal data; {total} items were masked before any model output or table ({parts}).",
        "medium" if tickets_with_pii else "info",
        {
            "tickets_with_pii": tickets_with_pii,
            "items": total,
            **{k: int(v) for k, v in counts.items()},
        },
    )


def changed(before: Iterable[str], after: Iterable[str]) -> int:
    """How many texts redaction changed."""
    return int(sum(a != b for a, b in zip(before, after, strict=True)))
