"""What the customer-service chapter computes, as functions the notebook calls in one line.

Model comparisons return plain tables; the findings (:mod:`opsai.service.findings`, re-exported
here) are sentences with the numbers behind them and a severity, ready for
``opsai.report.record(f.name, f.text, kind="finding", severity=f.severity, evidence=f.evidence)``.

Example:
    >>> table, models = compare_intent_models(train, test, seed=0)   # doctest: +SKIP
    >>> spike_findings(detect_spikes(volume_by_intent(tickets)))     # doctest: +SKIP
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score
from threadpoolctl import threadpool_limits

from opsai.data import schema as S
from opsai.data.languages import CJK
from opsai.errors import ChapterError, ConfigError, OpsaiError, SchemaError
from opsai.report.finding import Finding
from opsai.service._features import as_labels, as_texts, reuse_analysis, stratified_split
from opsai.service._intent_cv import cv_sample, intent_folds, out_of_fold
from opsai.service.analytics import sentiment_trend
from opsai.service.findings import (
    driver_findings,
    escalation_text,
    intent_finding,
    item_rank_findings,
    item_shift_findings,
    language_fallback_findings,
    level_shift_findings,
    negative_shift_findings,
    no_spike_text,
    pii_finding,
    reply_finding,
    resolution_gap_findings,
    resolution_language_finding,
    resolved_before_opened_finding,
    sentiment_finding,
    spike_findings,
    unscored_languages_finding,
)
from opsai.service.intent import (
    IntentClassifier,
    _intent_key,
    canonical_intent,
    choose_threshold,
    out_of_scope,
    tickets_to_show,
)
from opsai.service.intent_pairs import MIN_LABELS, LabelPairing, pair_intent_labels
from opsai.service.sentiment import (
    LexiconSentiment,
    SentimentClassifier,
    SentimentEnsemble,
    cross_val_accuracy,
)
from opsai.service.text import text_keys

__all__ = [
    "INTENT_MODELS",
    "Finding",
    "best_on_validation",
    "changed",
    "chosen_model",
    "compare_intent_models",
    "driver_findings",
    "escalation_text",
    "fill_sentiment",
    "fill_unlabelled",
    "intent_finding",
    "item_rank_findings",
    "item_shift_findings",
    "kb_intents_like",
    "language_fallback_findings",
    "language_split_intents_finding",
    "level_shift_findings",
    "map_intents",
    "map_kb_intents",
    "negative_shift_findings",
    "negative_trend",
    "negative_trend_text",
    "no_spike_text",
    "pii_finding",
    "readable_text",
    "reply_finding",
    "resolution_gap_findings",
    "resolution_language_finding",
    "resolved_before_opened_finding",
    "sentiment_by_language",
    "sentiment_fill_finding",
    "sentiment_finding",
    "sentiment_models",
    "spike_findings",
    "split_labelled",
    "text_keys",
    "unscored_languages_finding",
]


def split_labelled(
    tickets: pd.DataFrame, *, col: str = S.INTENT, test_size: float = 0.3, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Labelled tickets split into train and test, stratified by ``col``, by distinct text.

    The copies of a text (normalised: width, case, spaces) stay on one side, so held-out
    tickets are wordings the model has not learnt: with FAQ-like traffic a row split put 92%
    of held-out texts in training too, and read 88% where new wordings got 30%. Labels with
    fewer than two distinct texts stay in training. Without a text column, rows are split.
    """
    if col not in tickets.columns:
        raise SchemaError(
            f"tickets: no {col!r} column to learn from; map it in config: data.tables.tickets.columns.{col}"
        )
    if not 0 < test_size < 1:
        raise ConfigError(
            f"test_size={test_size!r}: the share of labelled tickets held out, between 0 and 1 "
            "(e.g. 0.3): in a report, chapters.05_customer_service.parameters.TEST_SIZE"
        )
    d = tickets[tickets[col].notna()]
    counts = d[col].value_counts()
    fix = f"map the intent labels in config: data.tables.tickets.columns.{col}"
    if len(counts) < 2:
        raise SchemaError(
            f"tickets: column {col!r} holds {len(counts)} intent(s) "
            f"({', '.join(map(repr, counts.index[:1]))}) in its {len(d):,} labelled rows: "
            f"nothing to tell apart; {fix}, or leave it unmapped to discover topics"
        )
    if counts.max() < 2:
        raise SchemaError(
            f"tickets: no value of column {col!r} occurs twice ({len(counts):,} values in "
            f"{len(d):,} rows, e.g. {', '.join(map(repr, counts.index[:3]))}): an id or free "
            f"text, not intents; {fix}"
        )
    key = text_keys(d[S.TEXT]) if S.TEXT in d.columns else pd.Series(range(len(d)), d.index)
    label = d.groupby(key)[col].agg(lambda s: s.value_counts().index[0])  # a text's intent
    per = label.value_counts()
    once = label.isin(per[per < 2].index)  # an intent with one distinct text: training
    if label[~once].nunique() < 2:  # one text per intent (buttons only): rows, as before
        rare = d[col].isin(counts[counts < 2].index)
        train, test = stratified_split(d[~rare], d.loc[~rare, col], test_size=test_size, seed=seed)
        return pd.concat([train, d[rare]]), test
    # by distinct text: a repeated text (an FAQ button, a canned phrase) is on one side only
    _, te = stratified_split(
        label.index[~once].to_numpy(), label[~once], test_size=test_size, seed=seed
    )
    train, test = d[~key.isin(set(te))], d[key.isin(set(te))]
    return train, test


_BLAS_THREADS = 1
"""OpenBLAS threads while the intent and sentiment models are compared. Their logistic
regressions are small (3,000 texts x 896 embedding dimensions, or x 11,000 sparse TF-IDF
columns), and a second thread makes every small BLAS call of the solver wait for the other
one: on 2 cores beside other jobs one English sentiment fit took 3.7 s with two threads and
0.15 s with one (embedding head), 5.0 s and 0.25 s (NB-LR), the same coefficients to 1e-5.
The sentence encoder sets its own threads (:mod:`opsai.embed`)."""


INTENT_MODELS: dict[str, dict[str, Any]] = {
    "tfidf": {"model": "tfidf"},
    "embedding": {"model": "embedding", "encoder": "use"},
    "embedding-mlp": {"model": "embedding", "encoder": "use", "head": "mlp"},
    "torch": {"model": "torch"},
}
"""The intent models the chapter compares, by name: :class:`IntentClassifier` settings."""


def _latency_ms(clf: IntentClassifier, texts: list[str], n: int = 30) -> float:
    """Milliseconds per ticket, one ticket at a time, embeddings not served from the cache."""
    clf = copy.copy(clf)
    pipe = getattr(clf, "pipeline_", None)
    if hasattr(pipe, "cache"):
        clf.pipeline_ = copy.copy(pipe)
        clf.pipeline_.cache = False
    sample = texts[:n]
    if not sample:
        return float("nan")
    clf.predict_proba(sample[:1])  # warm-up: load the encoder once
    t0 = time.perf_counter()
    for t in sample:
        clf.predict_proba([t])
    return 1000 * (time.perf_counter() - t0) / len(sample)


def compare_intent_models(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    models: Sequence[str] = ("tfidf", "embedding", "embedding-mlp", "torch"),
    threshold: float | str | None = "auto",
    target_precision: float = 0.95,
    folds: int = 5,
    cv_max: int | None = 2_000,
    quantize: bool = True,
    col_text: str = S.TEXT,
    col_intent: str = S.INTENT,
    epochs: int = 12,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, IntentClassifier]]:
    """Cross-validate each intent model on ``train``, fit it on all of ``train``, score it
    once on ``test``.

    The training tickets are split into ``folds`` stratified folds (fewer when the rarest
    intent has fewer tickets; an intent with one ticket stays in every training part); each
    model learns on all folds but one and predicts the one left out, so every training ticket
    gets an out-of-fold prediction. Pick the model with :func:`best_on_validation` (the best
    mean macro-F1 over the folds); the test columns are then an honest estimate for it. With
    ``threshold="auto"`` a model's out-of-scope threshold is the lowest confidence at which
    the out-of-fold tickets it would answer reach ``target_precision``, and at least
    :func:`~opsai.service.intent.tickets_to_show` of them are answered (72 for 95%: 9 right
    answers of 9 do not show 95%; with fewer training tickets the bot answers none); tickets labelled out
    of scope (``other``, ``oos``, ``unknown``, ``其他``, see
    :data:`~opsai.service.intent.OUT_OF_SCOPE`) are the examples it must not answer. A
    ticket predicted out of scope is routed, not answered. Each model is then fitted on all
    training tickets. Sentence embeddings are cached per text, so the folds of the embedding
    models refit only their heads; the torch models cost ``folds`` extra trainings each, on
    at most ``cv_max`` tickets.

    Args:
        models: names in :data:`INTENT_MODELS`; a model whose package is missing is skipped.
        folds: cross-validation folds (at least 2).
        cv_max: training tickets the folds are drawn from (a sample stratified by intent,
            :func:`~opsai.service._intent_cv.cv_sample`); ``None``: all. The models are
            fitted on all training tickets either way.
        quantize: add a dynamic-int8 copy of each torch model (``<name>-int8``), scored on
            int8 copies of the same fold models.

    Returns:
        A table (``model``, ``cv_accuracy``, ``cv_macro_f1`` (means over the folds),
        ``cv_macro_f1_sd`` (their standard deviation: how far apart the folds were),
        ``folds``, ``cv_tickets`` (the training tickets cross-validated on), ``threshold``, ``accuracy``, ``macro_f1``, ``answered`` (share of test
        tickets above the threshold), ``accuracy_answered``, ``ms_per_ticket`` (one at a
        time, embedding included), ``size_kb`` (the fitted model; a shared encoder's weights
        are not counted), ``fit_s`` (on all training tickets), ``cv_s`` (all folds),
        ``out_of_scope_cv`` (training tickets labelled out of scope, each scored out of
        fold: 0 means the threshold was set from in-scope tickets only), ``test_tickets``,
        ``target_precision``, ``out_of_scope_test`` (held-out tickets labelled out of scope),
        ``out_of_scope_routed`` (the share of those sent to an agent: out-of-scope recall),
        ``in_scope_accuracy`` (on the other held-out tickets) and ``repeated_texts`` (the
        share of train and test tickets whose normalised text another ticket repeats; the
        folds keep such copies on one side)) and the fitted models by name.
    """
    from opsai.embed import EmbeddingUnavailableError

    for name in models:
        if name not in INTENT_MODELS:
            raise ConfigError(f"models: {name!r} is unknown; choose from {sorted(INTENT_MODELS)}")
    if not 0 < target_precision <= 1:
        raise ConfigError(
            f"target_precision={target_precision!r}: a share between 0 and 1 (0.95, not 95): in "
            "a report, chapters.05_customer_service.parameters.TARGET_PRECISION"
        )
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ConfigError(
            f"folds={folds!r}: cross-validation needs a whole number of folds, at least 2 "
            "(5 is usual): in a report, chapters.05_customer_service.parameters.INTENT_FOLDS"
        )
    for col, arg in ((col_text, "col_text"), (col_intent, "col_intent")):
        if col not in train.columns:
            raise SchemaError(f"train: column {col!r} not found; pass {arg}=...")
    texts = as_texts(train[col_text])
    labels = as_labels(train[col_intent], len(texts), name=f"train[{col_intent!r}]")
    if cv_max is not None and (
        isinstance(cv_max, bool) or not isinstance(cv_max, int) or cv_max < 2 * folds
    ):
        raise ConfigError(
            f"cv_max={cv_max!r}: the training tickets to cross-validate on must be a whole "
            f"number, at least 2 x folds ({2 * folds}), or None for all"
        )
    sub = cv_sample(labels, max_rows=cv_max, seed=seed)
    cv_texts, cv_labels = [texts[i] for i in sub], labels[sub]
    splits = intent_folds(
        cv_labels, folds=folds, seed=seed, what=f"train[{col_intent!r}]",
        groups=text_keys(pd.Series(cv_texts)).tolist(),
    )  # fmt: skip
    both = text_keys(pd.concat([train[col_text], test[col_text]], ignore_index=True))
    repeated = float(both.duplicated(keep=False).mean()) if len(both) else 0.0
    y = test[col_intent].astype(str).to_numpy()
    rows, fitted = [], {}
    with threadpool_limits(_BLAS_THREADS, "blas"), reuse_analysis():
        for name in models:

            def make(name: str = name) -> IntentClassifier:
                return IntentClassifier(
                    **INTENT_MODELS[name], threshold=None, epochs=epochs, seed=seed
                )

            def variants(
                clf: IntentClassifier, name: str = name
            ) -> list[tuple[str, IntentClassifier]]:
                return _with_int8(name, clf, quantize=quantize)

            t0 = time.perf_counter()
            try:
                clf = make().fit(texts, labels)
            except (ImportError, EmbeddingUnavailableError):
                continue
            fit_s = time.perf_counter() - t0
            cvs = out_of_fold(make, cv_texts, cv_labels, splits, clf.classes_, variants)
            for label, m in variants(clf):
                cv = cvs[label]
                ok = cv.scored
                if threshold == "auto":
                    m.threshold_ = choose_threshold(
                        cv.proba[ok],
                        cv_labels[ok],
                        m.classes_,
                        target_precision=target_precision,
                        min_answered=tickets_to_show(target_precision),
                    )
                else:
                    m.threshold_ = None if threshold is None else float(threshold)
                proba = m.predict_proba(test[col_text])
                top = m.classes_[proba.argmax(axis=1)]
                kept = ~m._to_human(proba)
                oos = out_of_scope(y)
                rows.append(
                    {
                        "model": label,
                        "cv_accuracy": float(np.mean(cv.accuracy)),
                        "cv_macro_f1": float(np.mean(cv.macro_f1)),
                        "cv_macro_f1_sd": float(np.std(cv.macro_f1, ddof=1)),
                        "folds": len(splits),
                        "cv_tickets": len(sub),
                        "threshold": m.threshold_,
                        "accuracy": accuracy_score(y, top),
                        "macro_f1": f1_score(y, top, average="macro"),
                        "answered": float(kept.mean()),
                        "accuracy_answered": float((top[kept] == y[kept]).mean())
                        if kept.any()
                        else np.nan,
                        "ms_per_ticket": _latency_ms(m, test[col_text].astype(str).tolist()),
                        "size_kb": _size_bytes(m) / 1024,
                        "fit_s": fit_s,
                        "cv_s": cv.seconds,
                        "out_of_scope_cv": int(out_of_scope(cv_labels[ok]).sum()),
                        "test_tickets": len(y),
                        "target_precision": target_precision,
                        "out_of_scope_test": int(oos.sum()),
                        "out_of_scope_routed": float((~kept[oos]).mean()) if oos.any() else np.nan,
                        "in_scope_accuracy": float((top[~oos] == y[~oos]).mean())
                        if (~oos).any()
                        else np.nan,
                        "repeated_texts": repeated,
                    }
                )
                fitted[label] = m
    return pd.DataFrame(rows), fitted


def _with_int8(
    name: str, clf: IntentClassifier, *, quantize: bool
) -> list[tuple[str, IntentClassifier]]:
    """``clf`` by ``name``, and its dynamic-int8 copy for the torch models."""
    out = [(name, clf)]
    if (
        quantize
        and hasattr(clf.pipeline_, "quantized")
        and (name == "torch" or INTENT_MODELS[name].get("head") == "mlp")
    ):
        q = copy.copy(clf)
        q.pipeline_ = clf.pipeline_.quantized()
        out.append((f"{name}-int8", q))
    return out


def _size_bytes(clf: IntentClassifier) -> int:
    pipe = clf.pipeline_
    return int(pipe.size_bytes()) if hasattr(pipe, "size_bytes") else clf.size_bytes()


def chosen_model(table: pd.DataFrame, name: str = "auto") -> str:
    """The intent model used downstream: ``name``, or with ``"auto"`` the
    :func:`best_on_validation`.

    Raises:
        ConfigError: ``name`` is neither ``"auto"`` nor a model in the table (a typo, or a
            model whose package is missing), instead of quietly using another one.
    """
    if name == "auto":
        return best_on_validation(table)
    fitted = table["model"].astype(str).tolist()
    if name not in fitted:
        why = " (it was not fitted: its package is missing)" if name in INTENT_MODELS else ""
        raise ConfigError(
            f"INTENT_MODEL={name!r}{why}: use 'auto' or one of {fitted} "
            "(chapters.05_customer_service.parameters.INTENT_MODEL)"
        )
    return name


def best_on_validation(table: pd.DataFrame) -> str:
    """The model with the best cross-validated macro-F1 (``cv_macro_f1``, the mean over the
    folds of :func:`compare_intent_models`; ties: the smaller, then the faster)."""
    if table.empty:
        raise ChapterError("best_on_validation: the comparison table is empty (no model fitted)")
    t = table.assign(_f1=table["cv_macro_f1"].round(4))
    t = t.sort_values(["_f1", "size_kb", "ms_per_ticket"], ascending=[False, True, True])
    return str(t["model"].iloc[0])


def sentiment_by_language(
    tickets: pd.DataFrame,
    *,
    folds: int = 5,
    model: Literal["stack", "nblr"] = "stack",
    max_texts: int | None = None,
    encoders: Mapping[str, Any] | None = None,
    col_text: str = S.TEXT,
    col_sentiment: str = S.SENTIMENT,
    col_language: str = S.LANGUAGE,
    seed: int = 0,
) -> pd.DataFrame:
    """Deduplicated k-fold accuracy of the trained model and the lexicon, per language.

    Args:
        model: ``"stack"`` (:class:`~opsai.service.sentiment.SentimentEnsemble`: NB-LR,
            sentence-embedding models and the lexicon's scores, stacked; NB-LR and the
            lexicon without the embedding packages) or
            ``"nblr"`` (:class:`~opsai.service.sentiment.SentimentClassifier`).
        max_texts: evaluate on a seeded sample of at most this many labelled texts per
            language (run time); ``None`` uses all.
        encoders: per language, the stack's sentence encoder instead of its default, e.g.
            ``{"zh": ("use", "e5")}`` (see :class:`~opsai.service.sentiment.SentimentEnsemble`).

    Returns:
        ``language``, ``model``, ``accuracy``, ``std``, ``n``, ``majority`` (the share of
        the most common label: chance for a model that always answers it); languages with
        fewer than ``2 * folds`` labelled texts or one label, before or after deduplication,
        or whose model cannot be fitted on their texts are skipped (one language must not
        fail the chapter), and ``attrs["skipped"]`` says why per language ("en: 0 usable
        texts after removing 600 texts whose copies carry conflicting labels ..."). A
        language the lexicon has no words for (:attr:`LexiconSentiment.LANGUAGES`: English
        and Chinese) has no ``lexicon`` row.
    """
    if model not in ("stack", "nblr"):
        raise ConfigError(f"model={model!r}: use 'stack' or 'nblr'")
    encoders = dict(encoders or {})
    d = tickets[tickets[col_sentiment].notna()]
    lang = d[col_language] if col_language in d.columns else pd.Series("all", index=d.index)
    rows, skipped = [], {}
    with threadpool_limits(_BLAS_THREADS, "blas"), reuse_analysis():
        for lg, g in d.groupby(lang.fillna("und")):
            if len(g) < 2 * folds or g[col_sentiment].nunique() < 2:
                skipped[str(lg)] = (
                    f"{len(g):,} labelled texts, {g[col_sentiment].nunique()} label(s) (the "
                    f"{folds}-fold check needs {2 * folds} and two labels)"
                )
                continue
            if max_texts is not None and len(g) > max_texts:
                g = g.sample(int(max_texts), random_state=seed)
            texts, y = g[col_text].astype(str).tolist(), g[col_sentiment].astype(str).tolist()
            trained: Any = (
                _Fresh(SentimentEnsemble, seed, language=str(lg), encoder=encoders.get(str(lg)))
                if model == "stack"
                else _Fresh(SentimentClassifier, seed)
            )
            try:
                res = cross_val_accuracy(trained, texts, y, folds=folds, seed=seed)
            except (OpsaiError, ValueError) as e:  # TooFewTexts, or no feature in its texts
                skipped[str(lg)] = _why(e, folds)
                continue
            rows.append({"language": lg, "model": "trained", **res})
            if lg == "all" or LexiconSentiment.covers_language(str(lg)):
                res = cross_val_accuracy(_Lexicon(), texts, y, folds=folds, seed=seed)
                rows.append({"language": lg, "model": "lexicon", **res})
    out = pd.DataFrame(rows, columns=["language", "model", "accuracy", "std", "n", "majority"])
    out.attrs["skipped"] = skipped
    return out


def _why(e: Exception, folds: int) -> str:
    """Why a language could not be evaluated, in words (scikit-learn's fold errors read as
    what they mean for the labels)."""
    text = str(e).splitlines()[0] if str(e) else type(e).__name__
    if "n_splits" in text:
        return (
            f"too few distinct labelled texts for the {folds}-fold check once repeated texts "
            f"are counted once (each label needs {folds})"
        )
    return text


class _Fresh:
    def __init__(self, cls: Any, seed: int, **kw: Any) -> None:
        self.cls, self.seed, self.kw = cls, seed, kw

    def fit(self, X: list[str], y: Any) -> Any:
        return self.cls(seed=self.seed, **self.kw).fit(X, y)


class _Lexicon:
    """The lexicon baseline in the data's own labels. Texts it finds no sentiment in get the
    neutral label when the data has one, else the most common label: with two classes a
    'neutral' answer would always be wrong (zh-reviews: 48.6% instead of 63%)."""

    def fit(self, X: list[str], y: Any) -> _Lexicon:
        counts = pd.Series(list(map(str, y))).value_counts()
        labels = set(counts.index)
        neg = next((v for v in ("negative", "neg") if v in labels), "negative")
        pos = next((v for v in ("positive", "pos") if v in labels), "positive")
        neu = next((v for v in ("neutral", "neu") if v in labels), str(counts.index[0]))
        self.model = LexiconSentiment(labels=(neg, neu, pos), unknown=neu)
        return self

    def predict(self, X: list[str]) -> np.ndarray:
        return self.model.predict(X)


def fill_unlabelled(
    tickets: pd.DataFrame,
    model: IntentClassifier,
    *,
    col_text: str = S.TEXT,
    col_intent: str = S.INTENT,
) -> tuple[pd.DataFrame, int]:
    """Tickets whose intent label is missing get the model's (``unknown_label`` below its
    threshold); labels are kept. The analytics then count every ticket under an intent, not
    a fifth of them under 'unknown' when a labelled export has unlabelled rows.

    Returns:
        A copy of the tickets and how many were filled.
    """
    out = tickets.copy()
    missing = out[col_intent].isna() if col_intent in out.columns else pd.Series(True, out.index)
    if missing.any():
        pred = model.predict(out.loc[missing, col_text])
        out[col_intent] = out[col_intent].astype(object) if col_intent in out.columns else None
        out.loc[missing, col_intent] = pred
    return out, int(missing.sum())


SENTIMENT_SOURCE = "sentiment_source"
TOOL = "tool"
"""``sentiment_source`` of a label a social-listening tool gave (``sentiment_by: tool``), as
against ``label``, the customer's own rating."""
OWN_LABELS = ("label", TOOL)
"""``sentiment_source`` values of a sentiment the data brought (not predicted by opsai)."""


LONG_TEXT_WORDS = 5
"""A text column whose distinct values have this many words or more (the median) is what
customers wrote, however often its values repeat: labels and dispositions are a word or two."""


def _words(text: str) -> int:
    """Words in ``text``: its spaced words, or two CJK characters a word when that is more."""
    return max(len(text.split()), len(CJK.findall(text)) // 2)


def readable_text(
    tickets: pd.DataFrame,
    *,
    min_distinct: int = 20,
    max_repeat: int = 50,
    col_text: str = S.TEXT,
) -> tuple[pd.Series, str]:
    """The tickets' text when a model can read it, else an empty text and why not.

    A call centre's export has no text (``tickets.text`` unmapped loads empty), and a user
    who maps the only always-filled label as text (the queue, or a disposition such as
    Resolved/Callback/Escalated) gives the intent models four distinct texts for 2,001
    tickets and the lexicon a word that is no customer's: "Resolved" read as neutral
    diluted a 17.6% negative share to 2.5% (byod11b D11). A text column with fewer than
    ``min_distinct`` distinct (normalised) values, or whose values repeat ``max_repeat``
    times on average, is such a label, unless its values are sentences (a median of
    :data:`LONG_TEXT_WORDS` words or more: templated reviews, 104 texts for 24,000 tickets).

    Returns:
        The texts (missing, all of them, when unreadable) and "" when they can be read, else
        the reason in words ("the text column holds 3 distinct values for 17,139 tickets
        (Resolved, Callback, Escalated): labels, not what customers wrote").
    """
    if col_text not in tickets.columns:
        return pd.Series(None, index=tickets.index, dtype=object), "no text column is mapped"
    texts = tickets[col_text]
    filled = texts.dropna().astype(str)
    filled = filled[filled.str.strip() != ""]
    if filled.empty:
        return pd.Series(None, index=tickets.index, dtype=object), "the tickets carry no text"
    keys = text_keys(filled).drop_duplicates()
    distinct = len(keys)
    if distinct >= min_distinct and distinct * max_repeat >= len(filled):
        return texts, ""
    if distinct >= min_distinct and float(keys.map(_words).median()) >= LONG_TEXT_WORDS:
        return texts, ""  # sentences, however often repeated, are no queue label (byod12b D5)
    common = ", ".join(map(str, filled.value_counts().index[:3]))
    why = (
        f"the text column holds {distinct:,} distinct value{'s' if distinct > 1 else ''} for "
        f"{len(filled):,} tickets ({common}{', ...' if distinct > 3 else ''}): labels, not "
        "what customers wrote"
    )
    return pd.Series(None, index=tickets.index, dtype=object), why


def sentiment_models(table: pd.DataFrame) -> dict[str, str]:
    """Per language of :func:`sentiment_by_language`'s table, the model to label unrated
    tickets with: ``"trained"`` where it beat both the majority label and the lexicon in the
    cross-validation, ``"lexicon"`` where the lexicon did better and beat the majority label,
    else ``"none"``: neither reads the labels better than always answering the most common
    one, so unrated tickets get no sentiment (left out of the negative share) rather than a
    guess. Languages absent from the table (too few labels) are absent here: the lexicon
    then. A language without a lexicon row (the lexicon has no words for it) uses its trained
    model when that beat the majority label."""
    if table.empty or "model" not in table.columns:
        return {}
    acc = table.pivot_table(index="language", columns="model", values="accuracy")
    chance = table[table["model"] == "trained"].set_index("language")["majority"]
    out = {}
    for lg, r in acc.iterrows():
        lexicon, trained = r.get("lexicon", np.nan), r.get("trained", 0.0)
        floor = chance.get(lg, 1.0) + 1e-9
        if trained > floor and (pd.isna(lexicon) or trained >= lexicon):
            out[str(lg)] = "trained"
        elif not pd.isna(lexicon) and lexicon > floor:
            out[str(lg)] = "lexicon"
        else:
            out[str(lg)] = "none"
    return out


def fill_sentiment(
    tickets: pd.DataFrame,
    table: pd.DataFrame,
    *,
    model: Literal["stack", "nblr"] = "stack",
    encoders: Mapping[str, Any] | None = None,
    max_texts: int | None = None,
    seed: int = 0,
    col_text: str = S.TEXT,
    col_sentiment: str = S.SENTIMENT,
    col_language: str = S.LANGUAGE,
    labels_by: Literal["customer", "tool"] = "customer",
) -> tuple[pd.DataFrame, Finding]:
    """Tickets without a sentiment label get a predicted one; labels are kept.

    CSAT is answered by a minority, so most complaints carry no rating: without this the
    escalation queue and the trends saw only the customers who clicked "bad". Per language
    the model is the one :func:`sentiment_models` picks from ``table``
    (:func:`sentiment_by_language`): the trained model (``model``, fitted on all that
    language's labels) or the lexicon. ``sentiment_source`` says ``label``, ``trained`` or
    ``lexicon`` per ticket; ``tool`` instead of ``label`` with ``labels_by="tool"``: a
    social-listening tool's labels (``sentiment_by: tool``), no customer's rating.

    Returns:
        A copy of the tickets and a finding with the counts.
    """
    out = tickets.copy()
    has = col_sentiment in out.columns
    out[col_sentiment] = out[col_sentiment].astype(object) if has else None
    missing = out[col_sentiment].isna()
    own = TOOL if labels_by == "tool" else "label"
    out[SENTIMENT_SOURCE] = np.where(missing, "lexicon", own).astype(object)
    lang = (
        out[col_language] if col_language in out.columns else pd.Series("all", out.index)
    ).fillna("und")
    use = sentiment_models(table)
    encoders = dict(encoders or {})
    texts = out[col_text] if col_text in out else pd.Series(None, index=out.index, dtype=object)
    texted = texts.fillna("").astype(str).str.strip() != ""
    out.loc[missing & ~texted, SENTIMENT_SOURCE] = "no_text"  # nothing to read: no guess
    missing &= texted
    for lg, idx in out[missing].groupby(lang[missing]).groups.items():
        texts = out.loc[idx, col_text].fillna("").astype(str).tolist()
        train = out[(lang == lg) & ~missing]
        if use.get(str(lg)) == "trained":
            if max_texts is not None and len(train) > max_texts:
                train = train.sample(int(max_texts), random_state=seed)
            with threadpool_limits(_BLAS_THREADS, "blas"), reuse_analysis():
                m: Any = (
                    SentimentEnsemble(language=str(lg), encoder=encoders.get(str(lg)), seed=seed)
                    if model == "stack"
                    else SentimentClassifier(seed=seed)
                ).fit(
                    train[col_text].astype(str).tolist(), train[col_sentiment].astype(str).tolist()
                )
                out.loc[idx, col_sentiment] = m.predict(texts)
            out.loc[idx, SENTIMENT_SOURCE] = "trained"
        elif use.get(str(lg)) == "none":  # no model reads the labels: no guess either
            out.loc[idx, col_sentiment] = None
            out.loc[idx, SENTIMENT_SOURCE] = "no_signal"
        else:  # no word for a language the lexicon lacks: none (not neutral)
            pred = LexiconSentiment().predict(texts)
            out.loc[idx, col_sentiment] = pred
            out.loc[idx[pd.isna(pred)], SENTIMENT_SOURCE] = "none"
    return out, sentiment_fill_finding(out, col_sentiment=col_sentiment)


def negative_trend(
    tickets: pd.DataFrame,
    *,
    freq: str | None = "M",
    min_rated: int = 20,
    col_sentiment: str = S.SENTIMENT,
) -> pd.DataFrame:
    """The negative share per period that the scorecard heads with: over the customers' own
    ratings when there are ``min_rated`` of them, else over every ticket with a sentiment.

    CSAT is answered by a minority; a prediction on the others (the lexicon, a trained model)
    is no rating, and counted in the base it dilutes the share: 66 negative of 381 rated
    November calls (17.6%) read 2.5% of 2,633 once "Resolved" counted as a neutral text
    (byod11b D11). The predicted tickets are given beside, per period. ``freq=None`` (tickets
    without timestamps) gives one period, ``"all"``: the scorecard's share of every ticket
    (byod12b D16).

    Returns:
        :func:`~opsai.service.analytics.sentiment_trend`'s columns (``period``, ``tickets``,
        ``negative``, ``negative_share``) with ``base`` (``"rated"``, ``"tool"``: a listening
        tool's labels, or ``"rated and predicted"``), ``predicted`` and ``predicted_negative`` (the tickets whose sentiment
        is a prediction, and of them the negative ones).
    """
    src = tickets.get(SENTIMENT_SOURCE, pd.Series("label", index=tickets.index))
    rated = src.isin(OWN_LABELS) & tickets[col_sentiment].notna()
    guessed = ~rated & tickets[col_sentiment].notna()
    on_ratings = int(rated.sum()) >= min_rated
    out = sentiment_trend(tickets[rated] if on_ratings else tickets, freq=freq)
    tool = bool((src[rated] == TOOL).any())  # a listening tool's labels: no rating
    out["base"] = (TOOL if tool else "rated") if on_ratings else "rated and predicted"
    pred = sentiment_trend(tickets[guessed], freq=freq).set_index("period")
    out["predicted"] = out["period"].map(pred["tickets"]).fillna(0).astype(int)
    out["predicted_negative"] = out["period"].map(pred["negative"]).fillna(0).astype(int)
    return out


def negative_trend_text(trend: pd.DataFrame) -> str:
    """The last period's negative share of :func:`negative_trend`, with its base, on one line
    ("Negative share, 2025-11: 17.6% of 381 rated tickets; 2,252 unrated tickets have a
    predicted sentiment, 3.0% of them negative, not counted."); "" without periods."""
    if trend.empty or "base" not in trend.columns:
        return ""
    r = trend.sort_values("period").iloc[-1]
    base = {
        "rated": "rated tickets",
        TOOL: "tickets labelled by the listening tool (its sentiment, not customers' ratings)",
    }.get(r["base"], "tickets with a rating or a prediction")
    when = " (no dates in the data)" if r["period"] == "all" else f", {r['period']}"
    text = f"Negative share{when}: {r['negative_share']:.1%} of {int(r['tickets']):,} {base}"
    if r["base"] in ("rated", TOOL) and r["predicted"]:
        unrated = "unrated" if r["base"] == "rated" else "other"
        text += (
            f"; {int(r['predicted']):,} {unrated} tickets have a predicted sentiment, "
            f"{r['predicted_negative'] / r['predicted']:.1%} of them negative, not counted"
        )
    elif r["predicted"]:
        text += f" ({int(r['predicted']):,} of them predicted)"
    return text + ".\n"


def sentiment_fill_finding(tickets: pd.DataFrame, *, col_sentiment: str = S.SENTIMENT) -> Finding:
    """How many tickets carry a sentiment label and how many a prediction, by which model."""
    src = tickets[SENTIMENT_SOURCE].replace(TOOL, "label")
    tool = bool((tickets[SENTIMENT_SOURCE] == TOOL).any())
    n, rated = len(tickets), int((src == "label").sum())
    neg = tickets[col_sentiment].astype(str).isin(("negative", "neg"))
    ev: dict[str, Any] = {
        "rated": rated,
        "predicted": n - rated,
        **({"by": TOOL} if tool else {}),
    }
    if rated == n:
        whose = (
            " from the listening tool (its sentiment, not the customers' ratings)" if tool else ""
        )
        return Finding(
            f"All {n:,} tickets carry a sentiment label{whose}.", "info", ev, name="sentiment_fill"
        )
    names = {"trained": "the model trained on the labels", "lexicon": "the lexicon"}
    by = [f"{int((src == k).sum()):,} by {v}" for k, v in names.items() if (src == k).any()]
    if (src == "none").any():  # see unscored_languages_finding
        by.append(f"{int((src == 'none').sum()):,} get none: their language has no model")
    if (src == "no_text").any():  # a call centre's export, or a rating without a comment
        by.append(f"{int((src == 'no_text').sum()):,} get none: they have no text to read")
    if (src == "no_signal").any():
        by.append(
            f"{int((src == 'no_signal').sum()):,} get none: neither the trained model nor the "
            "lexicon beat always answering the most common label, so they are left out of the "
            "negative share"
        )
    ev.update(
        {
            "predicted_negative": int((neg & (src != "label")).sum()),
            "rated_negative": int((neg & (src == "label")).sum()),
        }
    )
    guessed = int(src.isin(("trained", "lexicon", "pretrained")).sum())
    if not guessed:
        return Finding(
            f"{n - rated:,} of {n:,} tickets ({(n - rated) / n:.0%}) carry no sentiment label "
            f"and get no prediction ({', '.join(by)}): the negative share, trends and "
            f"escalation queue below count the {rated:,} "
            f"{'tickets the listening tool labelled' if tool else 'rated tickets'} only "
            f"({ev['rated_negative']:,} of them negative).",
            "medium",
            ev,
            name="sentiment_fill",
        )
    beside = "labelled negative by the listening tool" if tool else "rated negative"
    text = (
        f"{n - rated:,} of {n:,} tickets ({(n - rated) / n:.0%}) carry no sentiment label and "
        f"get a predicted one ({', '.join(by)}): {ev['predicted_negative']:,} of them read "
        f"negative, beside {ev['rated_negative']:,} {beside}. The trends, complaint terms "
        f"and escalation queue below count both; the '{SENTIMENT_SOURCE}' column tells a label "
        "from a prediction."
    )
    labels = set(tickets.loc[src == "label", col_sentiment].astype(str))
    if (src == "trained").any() and not labels & {"neutral", "neu"}:
        text += (
            " The labels have no neutral class, so the trained model reads every unrated "
            "question as positive or negative: check the predicted negatives before acting."
        )
    return Finding(text, "info" if rated else "medium", ev, name="sentiment_fill")


def tool_agreement_finding(
    tickets: pd.DataFrame,
    *,
    col_text: str = S.TEXT,
    col_sentiment: str = S.SENTIMENT,
    col_language: str = S.LANGUAGE,
) -> Finding | None:
    """How often opsai's own sentiment model (the lexicon) agrees with a listening tool's
    labels (``sentiment_source`` ``tool``), overall and per language, with Cohen's kappa:
    two models' readings of the same text, neither the customers' own rating. ``None``
    without a tool label the lexicon can read."""
    from sklearn.metrics import cohen_kappa_score

    if SENTIMENT_SOURCE not in tickets.columns or col_text not in tickets.columns:
        return None
    t = tickets[(tickets[SENTIMENT_SOURCE] == TOOL) & tickets[col_sentiment].notna()]
    t = t[t[col_text].fillna("").astype(str).str.strip() != ""]
    if t.empty:
        return None
    ours = pd.Series(LexiconSentiment().predict(t[col_text].astype(str)), index=t.index)
    read = ours.notna()
    if not read.any():
        return None
    tool, ours = t.loc[read, col_sentiment].astype(str), ours[read].astype(str)
    same = tool == ours
    lang = t.loc[read, col_language] if col_language in t.columns else pd.Series("all", tool.index)
    per = (
        same.groupby(lang.fillna("und")).agg(["mean", "size"]).sort_values("size", ascending=False)
    )
    kappa = (
        float(cohen_kappa_score(tool, ours)) if tool.nunique() > 1 or ours.nunique() > 1 else 0.0
    )
    parts = ", ".join(f"{lg} {r['mean']:.0%} of {int(r['size']):,}" for lg, r in per.iterrows())
    text = (
        f"The listening tool's sentiment agrees with opsai's own sentiment model (the lexicon) "
        f"on {same.mean():.0%} of the {len(same):,} tickets both read (Cohen's kappa "
        f"{kappa:.2f}; {parts}). Both are models reading the text, not the customers' own "
        "ratings: the shares of negative tickets here are the tool's, and where the two "
        "disagree neither is the ground truth."
    )
    ev = {
        "agreement": round(float(same.mean()), 4),
        "kappa": round(kappa, 4),
        "tickets": len(same),
        "by_language": {str(lg): round(float(r["mean"]), 4) for lg, r in per.iterrows()},
        "tool_negative": int((tool == "negative").sum()),
        "model_negative": int((ours == "negative").sum()),
    }
    return Finding(
        text, "medium" if same.mean() < 0.6 else "info", ev, name="sentiment_tool_agreement"
    )


def map_intents(labels: pd.Series, mapping: str) -> tuple[pd.Series, str]:
    """The labels renamed by ``mapping`` (05's ``INTENT_MAP``: ``"Envío=Shipping,
    Versand=Shipping"``), a label matched as :func:`~opsai.service.intent.canonical_intent`
    matches (case, spaces, ``_``/``-``); one intent written in five languages is then one
    intent, not five compared against each other (byod11b D15).

    Returns:
        The labels and a sentence saying what was merged ("" for an empty mapping).

    Raises:
        ConfigError: an entry that is not ``label=intent``.
    """
    pairs = [p.split("=", 1) for p in mapping.split(",") if p.strip()]
    bad = [p for p in pairs if len(p) != 2 or not p[0].strip() or not p[1].strip()]
    if bad:
        raise ConfigError(
            f"INTENT_MAP: {'='.join(bad[0])!r} is not 'label=intent'. Write it as "
            "'Envío=Shipping, Versand=Shipping' (chapters.05_customer_service.parameters.INTENT_MAP)"
        )
    if not pairs:
        return labels, ""
    to = {_intent_key(a.strip()): b.strip() for a, b in pairs}
    keys = labels.map(lambda x: _intent_key(x) if pd.notna(x) else None)
    out = labels.where(~keys.isin(list(to)), keys.map(to))
    unused = [a.strip() for a, _ in pairs if _intent_key(a.strip()) not in set(keys.dropna())]
    text = (
        f"INTENT_MAP: {labels.nunique():,} intent labels read as {out.nunique():,} intents "
        f"({int(keys.isin(list(to)).sum()):,} tickets relabelled)."
    )
    if unused:
        text += f" No ticket is labelled {', '.join(map(repr, unused[:5]))}: check the spelling."
    return out, text


def map_kb_intents(kb: pd.DataFrame | None, mapping: str) -> pd.DataFrame | None:
    """The kb with its intents renamed by ``mapping`` as :func:`map_intents` renames the
    tickets' ('Envío=Shipping': an answer written for 'Envío' answers 'Shipping' tickets).
    No kb, one without intents or an empty mapping: returned as it is."""
    if kb is None or S.INTENT not in kb.columns or not mapping.strip():
        return kb
    return kb.assign(**{S.INTENT: map_intents(kb[S.INTENT], mapping)[0]})


def _pairing_text(p: LabelPairing, apply: bool) -> tuple[str, bool]:
    """What the pairing found and whether it is applied (``apply`` and unambiguous)."""
    listed = "; ".join(f"{g[0]}: {', '.join(g[1:])}" for g in p.groups[:6])
    more = f"; and {len(p.groups) - 6} more" if len(p.groups) > 6 else ""
    n = sum(map(len, p.groups))
    text = (
        f" Their tickets say the same things across languages for {n} of them, paired by "
        f"the multilingual sentence encoder: {len(p.groups)} intents ({listed}{more})."
    )
    if apply and p.unambiguous:
        return text + (
            f" Merged (INTENT_MAP='auto', every label paired, one per language): the "
            f"{n} labels read as {len(p.groups)} intents below. Set INTENT_MAP to '' to keep "
            "them apart, or to your own 'label=intent' pairs; this pairing, to pin it: "
            f'"{p.intent_map}".'
        ), True
    why = []
    if p.unpaired:
        why.append(f"{', '.join(map(repr, p.unpaired[:5]))} paired with no other label")
    if p.ambiguous:
        why.append(
            f"{', '.join(map(repr, p.ambiguous[0]))} are not each other's nearest "
            "labels, one per language"
        )
    few = pd.Series(p.languages).value_counts()
    few = few[few < MIN_LABELS]
    if len(few):
        why.append(
            f"{', '.join(few.index)} {'has' if len(few) == 1 else 'have'} fewer than "
            f"{MIN_LABELS} such labels, too few to tell translations apart"
        )
    if not apply:
        why.append("INTENT_MAP is not 'auto'")
    return text + (
        f" Not merged ({'; '.join(why)}): check the groups and paste into the 05 parameter "
        f'INTENT_MAP: "{p.intent_map}".'
    ), False


def language_split_intents_finding(
    tickets: pd.DataFrame,
    *,
    min_share: float = 0.9,
    min_tickets: int = 10,
    apply: bool = False,
    encoder: Callable[[list[str]], Any] | None = None,
    col_intent: str = S.INTENT,
    col_language: str = S.LANGUAGE,
    col_text: str = S.TEXT,
) -> Finding | None:
    """Intent labels each used in one language only, in two or more languages: a help desk
    whose categories are written in the customer's language (HubSpot's 'Envío', 'Envio',
    'Versand', 'Shipping', '配送') splits one intent into five, each compared against the
    others' shipping tickets (byod11b D15). Says so and how to merge them (``INTENT_MAP``);
    ``None`` unless half the labels with ``min_tickets`` tickets are ``min_share`` in one
    language and two or more languages have two such labels each.

    With ticket text, the labels that are translations of each other are paired by
    :func:`~opsai.service.intent_pairs.pair_intent_labels` (``encoder``: default the
    multilingual USE) and the finding proposes the ``INTENT_MAP`` that merges them. With
    ``apply`` (05's ``INTENT_MAP="auto"``) and an unambiguous pairing (every such label
    paired, one per language, in languages of three labels or more) ``evidence["applied"]``
    is true: the notebook merges them with :func:`map_intents` (``evidence["intent_map"]``).
    """
    if col_intent not in tickets.columns or col_language not in tickets.columns:
        return None
    d = tickets[[col_intent, col_language]].dropna().astype(str)
    d = d[~d[col_language].isin(["und", ""])]
    counts = d[col_intent].value_counts()
    labels = list(counts[counts >= min_tickets].index)
    if len(labels) < 4:
        return None
    mix = pd.crosstab(d[col_intent], d[col_language]).loc[labels]
    top, share = mix.idxmax(axis=1), mix.max(axis=1) / mix.sum(axis=1)
    single = top[share >= min_share]
    per = single.groupby(single).apply(lambda g: sorted(g.index, key=lambda x: -counts[x]))
    per = per[per.map(len) >= 2]
    if len(single) < 0.5 * len(labels) or len(per) < 2:
        return None
    parts = [f"{lg}: {', '.join(v[:5])}{', ...' if len(v) > 5 else ''}" for lg, v in per.items()]
    a, b = per.iloc[0][0], per.iloc[1][0]
    text = (
        f"{len(single)} of the {len(labels)} intent labels are each used in one language only "
        f"({'; '.join(parts)}). If they are one set of intents written in several languages, "
        "each intent is split into as many labels, and volume, spikes, ratings and resolution "
        "times compare it against itself"
    )
    ev: dict[str, Any] = {"labels": len(labels), "single_language": len(single),
          "by_language": {str(k): list(v) for k, v in per.items()}}  # fmt: skip
    pairing = (
        pair_intent_labels(
            tickets[col_intent],
            tickets[col_language],
            tickets[col_text],
            encoder=encoder,
            min_share=min_share,
            min_tickets=min_tickets,
        )
        if col_text in tickets.columns
        else LabelPairing(reason="no ticket text")
    )
    ev.update(
        intent_map=pairing.intent_map, applied=False, groups=pairing.groups,
        unpaired=pairing.unpaired, ambiguous=pairing.ambiguous, similarity=pairing.similarity,
    )  # fmt: skip
    if not pairing.groups:
        text += (
            ": merge them with the 05 parameter INTENT_MAP, "
            f'one label=intent pair each ("{b}=<intent>, {a}=<intent>, ...").'
        )
        return Finding(text, "medium", ev, name="intent_languages")
    more, ev["applied"] = _pairing_text(pairing, apply)
    return Finding(text + "." + more, "medium", ev, name="intent_languages")


def kb_intents_like(kb: pd.DataFrame | None, labels: pd.Series) -> pd.DataFrame | None:
    """The kb with its intents spelt like the tickets' ``labels`` (see
    :func:`~opsai.service.intent.canonical_intent`: ``'Card Arrival'`` answers
    ``card_arrival`` tickets). No kb, or one without intents, is returned as it is."""
    if kb is None or S.INTENT not in kb.columns:
        return kb
    return kb.assign(**{S.INTENT: canonical_intent(kb[S.INTENT], reference=labels)[0]})


def changed(before: Iterable[str], after: Iterable[str]) -> int:
    """How many texts redaction changed."""
    return int(sum(a != b for a, b in zip(before, after, strict=True)))
