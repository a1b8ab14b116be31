"""Intent recognition with calibrated confidence and an out-of-scope route to a human.

:class:`IntentClassifier` wraps two models behind one scikit-learn interface:

* ``model="tfidf"`` (default): TF-IDF over character n-grams and jieba/English words, a
  linear SVM, probabilities calibrated by Platt scaling (``CalibratedClassifierCV``);
* ``model="torch"``: a small fastText-style network (hashed n-gram embeddings, one linear
  layer) trained with PyTorch; torch is imported only when this model is fitted or loaded;
* ``model="embedding"``: logistic regression on sentence embeddings (:mod:`opsai.embed`;
  ``encoder="use"`` is multilingual, so a Chinese and an English ticket about the same thing
  land close together), or with ``head="mlp"`` a small torch network on those vectors.

A ticket whose best calibrated probability is below ``threshold`` gets ``unknown_label``
(default ``"other"``) and should go to a human. ``threshold="auto"`` picks the lowest
threshold at which out-of-fold predictions that are kept reach ``target_precision``.
Tickets labelled out of scope (:data:`OUT_OF_SCOPE`: ``other``, ``oos``, ``unknown``,
``其他`` ...) are the examples of what the bot must not answer: one it answers with an
intent is a wrong answer, and one predicted out of scope goes to a human.

Example:
    >>> clf = IntentClassifier(seed=0).fit(texts, labels)           # doctest: +SKIP
    >>> clf.predict(["where is my parcel?", "我要退款"])             # doctest: +SKIP
    array(['shipping_delay', 'refund'], dtype=object)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from opsai.data import schema as S
from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service._features import as_labels, as_texts, text_features

__all__ = [
    "OUT_OF_SCOPE",
    "IntentClassifier",
    "canonical_intent",
    "choose_threshold",
    "out_of_scope",
    "tickets_to_show",
]

IntentModel = Literal["tfidf", "torch", "embedding"]


_CODE = re.compile(r"^-?\d+\.0+$")


def _spelling(x: object) -> str:
    """A label as written, without surrounding spaces; a code a spreadsheet wrote ``17.0``
    reads ``17``."""
    t = str(x).strip()
    return t.split(".")[0] if _CODE.match(t) else t


def _intent_key(x: object) -> str:
    return re.sub(r"[\s_\-]+", "_", _spelling(x).casefold())


OUT_OF_SCOPE = frozenset(
    {"other", "others", "oos", "out_of_scope", "unknown", "none", "其他", "其它", "未知"}
)
"""Intent labels that mean "none of the intents" (compared as :func:`canonical_intent`
compares labels: ``'Out of scope'`` and ``'OTHER'`` count)."""


def out_of_scope(labels: Iterable[object]) -> np.ndarray:
    """Which labels mean "out of scope" (see :data:`OUT_OF_SCOPE`).

    Example:
        >>> out_of_scope(["refund", "Other", "out-of-scope", "其他", None]).tolist()
        [False, True, True, True, False]
    """
    return np.array(
        [x is not None and x == x and _intent_key(x) in OUT_OF_SCOPE for x in labels], dtype=bool
    )


def canonical_intent(
    labels: Iterable[object], *, reference: Iterable[object] | None = None
) -> tuple[pd.Series, str | None]:
    """Intent labels with one spelling per intent.

    Labels that differ only in surrounding spaces, letter case or the ``_``/``-``/space
    between words (``'Card Arrival '``, ``'CARD_ARRIVAL'``, ``'card_arrival'``) are one
    intent, spelt as its most common form; codes written ``17.0`` read ``17``. Missing labels
    stay missing (unlabelled tickets).

    Args:
        labels: the labels to tidy.
        reference: spellings to map onto instead of the labels' own (a kb's intents onto
            the tickets'); keys the reference lacks keep their own tidied spelling.

    Returns:
        The labels and a sentence saying what was merged, or ``None`` when nothing changed.

    Example:
        >>> canonical_intent(["refund", "Refund ", "REFUND", "login", None])[0].tolist()
        ['refund', 'refund', 'refund', 'login', None]
    """
    s = pd.Series(list(labels) if not isinstance(labels, pd.Series) else labels, dtype=object)
    present = s.dropna()
    ref = present if reference is None else pd.Series(list(reference), dtype=object).dropna()
    written = ref.map(_spelling)
    spelling = written.groupby(ref.map(_intent_key).to_numpy()).agg(
        lambda g: g.value_counts().index[0]
    )
    mapped = present.map(lambda x: spelling.get(_intent_key(x), _spelling(x)))
    out = s.copy()
    out[present.index] = mapped
    raw = present.astype(str)
    if (mapped == raw).all():
        return out, None
    changed = sorted(set(zip(raw[mapped != raw], mapped[mapped != raw], strict=True)))
    examples = ", ".join(f"{a!r} -> {b!r}" for a, b in changed[:3])
    return out, (
        f"Intent labels: {raw.nunique():,} spellings read as {mapped.nunique():,} intents "
        f"(spaces, letter case and _/-/space between words ignored), e.g. {examples}."
    )


def tickets_to_show(target_precision: float, *, level: float = 0.95) -> float:
    """The fewest answered tickets that can show ``target_precision``: even if all of them are
    right, fewer leave the lower end of the two-sided Clopper-Pearson interval at ``level``
    below the target (9 of 9 right: 66-100%). 72 for 95%, 17 for 80%; ``inf`` for 100%.

    Example:
        >>> tickets_to_show(0.95), tickets_to_show(0.8)
        (72, 17)
    """
    if not 0 < target_precision <= 1:
        raise ConfigError(f"target_precision={target_precision!r}: a share between 0 and 1")
    if target_precision >= 1:
        return math.inf
    return math.ceil(math.log((1 - level) / 2) / math.log(target_precision))


def choose_threshold(
    proba: np.ndarray,
    y_true: np.ndarray,
    classes: np.ndarray,
    *,
    target_precision: float = 0.95,
    min_answered: float = 1,
) -> float:
    """The lowest confidence threshold whose kept predictions reach ``target_precision``.

    Tickets labelled out of scope (:data:`OUT_OF_SCOPE`) are what sets the threshold apart
    from mere accuracy: answered with an intent, each is a wrong answer. A ticket predicted
    out of scope is not an answer of the bot's (it goes to a human) and does not count.

    Args:
        proba: ``(n, k)`` out-of-fold probabilities.
        y_true: the true labels.
        classes: the label of each column of ``proba``.
        target_precision: wanted accuracy on the tickets the model answers itself.
        min_answered: a threshold must let at least this many tickets be answered, e.g.
            :func:`tickets_to_show` of the target: 9 right answers of 9 do not show 95%.

    Returns:
        A threshold in ``[0, 1]`` (answer when the confidence is at least that; ``1.0`` is
        a real threshold when probabilities saturate), or ``inf`` when no threshold reaches
        the target: every ticket then goes to people.
    """
    pred = np.asarray(classes)[proba.argmax(axis=1)]
    # a ticket predicted out of scope goes to a human: it is no answer of the bot's; one
    # labelled out of scope that the bot answers with an intent is a wrong answer
    answers = ~out_of_scope(pred)
    conf = proba.max(axis=1)[answers]
    correct = (pred == np.asarray(y_true))[answers]
    order = np.argsort(-conf, kind="stable")
    prec = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    # a threshold keeps every ticket tied at it: only the last of each tie is a cut
    cut = np.r_[conf[order][1:] < conf[order][:-1], True]
    enough = np.arange(1, len(order) + 1) >= min_answered
    ok = np.flatnonzero((prec >= target_precision) & cut & enough)
    if len(ok) == 0:
        return math.inf
    return float(conf[order][ok[-1]])


class IntentClassifier(ClassifierMixin, BaseEstimator):
    """Ticket intent classifier with calibrated probabilities and an "other" route.

    Args:
        model: ``"tfidf"`` (linear SVM on TF-IDF, Platt-calibrated), ``"torch"`` (small
            fastText-style network) or ``"embedding"`` (a head on sentence embeddings).
        char_ngrams: character n-gram range of the TF-IDF model.
        words: add word unigrams and bigrams (jieba for Chinese) to the TF-IDF model.
        user_words: product names and other terms jieba must keep whole.
        C: inverse regularisation strength of the linear SVM (logistic regression, used
            with ``calibration="none"``, gets ``10 * C``).
        calibration: ``"sigmoid"`` (Platt), ``"isotonic"`` or ``"none"`` (logistic
            regression's own probabilities).
        threshold: minimum confidence to answer; ``None`` always answers, ``"auto"`` picks
            it for ``target_precision`` from 3-fold out-of-fold predictions (the torch model
            uses its 10 % hold-out instead, saving three refits).
        target_precision: see ``threshold``.
        unknown_label: the label given below the threshold.
        epochs: training epochs of the torch model.
        encoder: sentence-embedding model(s) of ``model="embedding"``: ``"use"``
            (multilingual), ``"minilm"`` (English), both, or a callable.
        head: ``"logreg"`` or ``"mlp"`` (torch) on the embeddings.
        seed: random seed (cross-validation folds, torch initialisation and batches).
    """

    def __init__(
        self,
        *,
        model: IntentModel = "tfidf",
        char_ngrams: tuple[int, int] = (1, 4),
        words: bool = False,
        user_words: Sequence[str] = (),
        C: float = 1.0,
        calibration: Literal["sigmoid", "isotonic", "none"] = "sigmoid",
        threshold: float | Literal["auto"] | None = None,
        target_precision: float = 0.95,
        unknown_label: str = "other",
        epochs: int = 12,
        encoder: Any = "use",
        head: Literal["logreg", "mlp"] = "logreg",
        seed: int = 0,
    ) -> None:
        self.model = model
        self.char_ngrams = char_ngrams
        self.words = words
        self.user_words = user_words
        self.C = C
        self.calibration = calibration
        self.threshold = threshold
        self.target_precision = target_precision
        self.unknown_label = unknown_label
        self.epochs = epochs
        self.encoder = encoder
        self.head = head
        self.seed = seed

    # ---- fitting -------------------------------------------------------------------------
    def _make(self, min_count: int) -> Any:
        if self.model == "torch":
            from opsai.service._torch_text import FastTextClassifier

            return FastTextClassifier(epochs=self.epochs, seed=self.seed)
        if self.model == "embedding":
            from opsai.service.embedding import EmbeddingClassifier

            return EmbeddingClassifier(
                encoder=self.encoder, head=self.head, C=10 * self.C, seed=self.seed
            )
        if self.model != "tfidf":
            raise ConfigError(f"model={self.model!r}: use 'tfidf', 'torch' or 'embedding'")
        feats = text_features(
            char_ngrams=self.char_ngrams, words=self.words, user_words=self.user_words
        )
        if self.calibration == "none" or min_count < 2:
            head: Any = LogisticRegression(C=10 * self.C, max_iter=2000)
        elif self.calibration in ("sigmoid", "isotonic"):
            head = CalibratedClassifierCV(
                LinearSVC(C=self.C, random_state=self.seed),
                method=self.calibration,
                cv=StratifiedKFold(min(3, min_count), shuffle=True, random_state=self.seed),
                # one SVM on all tickets, calibrated on out-of-fold scores: averaging three
                # SVMs fitted on two thirds each cost 9 points on 150 intents of ~11 tickets
                ensemble=False,
            )
        else:
            raise ConfigError(
                f"calibration={self.calibration!r}: use 'sigmoid', 'isotonic' or 'none'"
            )
        return Pipeline([("features", feats), ("clf", head)])

    def fit(self, texts: Iterable[str], y: Iterable[object]) -> IntentClassifier:
        """Fit on ticket texts and their intent labels (at least two intents)."""
        X = as_texts(texts)
        labels = as_labels(y, len(X))
        classes, counts = np.unique(labels, return_counts=True)
        if len(classes) < 2:
            raise OpsaiError(f"y: need at least two intents to learn, got {list(classes)}")
        self.pipeline_ = self._make(int(counts.min())).fit(X, labels)
        self.classes_ = np.asarray(self.pipeline_.classes_, dtype=object)
        thr = self.threshold
        if thr == "auto":
            held = getattr(self.pipeline_, "holdout_", None)
            if held is not None:  # the torch model's own hold-out: no refits needed
                oof, truth, cols = held[0], held[1], self.classes_
            else:
                k = int(min(3, counts.min()))
                if k < 2:
                    raise OpsaiError("threshold='auto' needs at least 2 examples of every intent")
                cv = StratifiedKFold(k, shuffle=True, random_state=self.seed)
                oof = cross_val_predict(
                    self._make(int(counts.min())), X, labels, cv=cv, method="predict_proba"
                )
                truth, cols = labels, np.sort(classes)
            thr = choose_threshold(oof, truth, cols, target_precision=self.target_precision)
        elif thr is not None and not 0.0 <= float(thr) <= 1.0:
            raise ConfigError(f"threshold={thr!r}: use a number in [0, 1], 'auto' or None")
        self.threshold_ = None if thr is None else float(thr)
        return self

    # ---- prediction ----------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise NotFittedError("IntentClassifier is not fitted yet: call fit(texts, y) first")

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Calibrated probabilities, one column per intent in ``classes_``."""
        self._check()
        return np.asarray(self.pipeline_.predict_proba(as_texts(texts)))

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The most likely intent, or ``unknown_label`` below the threshold."""
        proba = self.predict_proba(texts)
        out = self.classes_[proba.argmax(axis=1)].astype(object)
        out[self._below(proba)] = self.unknown_label
        return out

    def _below(self, proba: np.ndarray) -> np.ndarray:
        """Below the threshold (``inf``: no level reached the target, so all)."""
        thr = self.threshold_
        if thr is None:
            return np.zeros(len(proba), bool)
        return proba.max(axis=1) < thr

    def _to_human(self, proba: np.ndarray) -> np.ndarray:
        """Below the threshold, or predicted out of scope (:data:`OUT_OF_SCOPE`)."""
        return self._below(proba) | out_of_scope(self.classes_[proba.argmax(axis=1)])

    def predict_frame(
        self,
        tickets: pd.DataFrame,
        *,
        col_text: str = S.TEXT,
        col_key: str | None = S.TICKET_ID,
    ) -> pd.DataFrame:
        """Long-format predictions: the key, ``intent_pred``, ``confidence`` and ``route``.

        ``route`` is ``"bot"`` when the model answers and ``"human"`` below the threshold
        or when it predicts an out-of-scope intent (:data:`OUT_OF_SCOPE`).
        """
        if col_text not in tickets.columns:
            raise OpsaiError(f"tickets: column {col_text!r} not found; pass col_text=...")
        proba = self.predict_proba(tickets[col_text])
        pred = self.classes_[proba.argmax(axis=1)].astype(object)
        conf = proba.max(axis=1)
        human = self._to_human(proba)
        pred[self._below(proba)] = self.unknown_label
        out = pd.DataFrame(
            {"intent_pred": pred, "confidence": conf, "route": np.where(human, "human", "bot")},
            index=tickets.index,
        )
        if col_key and col_key in tickets.columns:
            out.insert(0, col_key, tickets[col_key].to_numpy())
        return out

    def size_bytes(self) -> int:
        """Size of the fitted model when pickled (what a deployment ships)."""
        import pickle

        self._check()
        return len(pickle.dumps(self.pipeline_))
