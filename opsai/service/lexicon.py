"""Rule-based ticket sentiment from a bilingual lexicon, and the reading of sentiment labels.

* :class:`LexiconSentiment` needs no training: a short bilingual lexicon with negation and
  intensifiers (the baseline the trained models of :mod:`opsai.service.sentiment` must beat,
  and three of the features :class:`~opsai.service.sentiment.SentimentEnsemble` stacks);
* :func:`canonical_sentiment` reads the common label schemes (stars, polarity numbers,
  ``pos``/``负面``/``好评``) as negative/neutral/positive.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from opsai.service import _lexicon as L
from opsai.service._features import as_texts
from opsai.service.text import Tokenizer, detect_language, normalize

__all__ = ["LexiconSentiment", "canonical_sentiment"]

_SYNONYMS = {
    "negative": ("negative", "neg", "bad", "负面", "负", "消极", "差评"),
    "neutral": ("neutral", "neu", "中性", "中立", "中评"),
    "positive": ("positive", "pos", "good", "正面", "正", "积极", "好评"),
}


def canonical_sentiment(labels: Iterable[object]) -> tuple[pd.Series, str | None]:
    """The data's sentiment labels read as ``negative``/``neutral``/``positive``.

    Recognised, when every non-empty label fits one scheme: star ratings 1-5 (1-2 negative,
    3 neutral, 4-5 positive), 0/1 and 1/2 polarity (the larger positive), -1/0/1, and names
    in English or Chinese (``pos``, ``NEG``, ``负面``, ``好评``, ...). Anything else is left as it
    is, so the chapter still learns the data's own classes.

    Returns:
        The labels (missing ones stay missing) and a sentence saying how they were read, or
        ``None`` when they were already canonical or not recognised.

    Example:
        >>> canonical_sentiment([5, 1, 3, 4])[0].tolist()
        ['positive', 'negative', 'neutral', 'positive']
    """
    s = pd.Series(list(labels) if not isinstance(labels, pd.Series) else labels, dtype=object)
    present = s.dropna()
    if present.empty:
        return s, None
    num = pd.to_numeric(present, errors="coerce")
    if num.notna().all() and (num == num.round()).all():
        vals = set(num.astype(int))
        scheme: dict[int, str]
        if vals <= {0, 1}:
            scheme, note = {0: "negative", 1: "positive"}, "0/1 read as negative/positive"
        elif vals <= {-1, 0, 1}:
            scheme = {-1: "negative", 0: "neutral", 1: "positive"}
            note = "-1/0/1 read as negative/neutral/positive"
        elif vals <= {1, 2}:
            scheme, note = {1: "negative", 2: "positive"}, "1/2 read as negative/positive"
        elif vals <= {1, 2, 3, 4, 5}:
            scheme = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
            note = "1-5 (stars) read as negative (1-2), neutral (3) and positive (4-5)"
        else:
            return s, None
        out = s.copy()
        out[present.index] = num.astype(int).map(scheme)
        return out, f"Sentiment labels {note}."
    low = present.astype(str).str.strip().str.lower()
    lookup = {w: canon for canon, words in _SYNONYMS.items() for w in words}
    if not low.isin(set(lookup)).all():
        return s, None
    mapped = low.map(lookup)
    out = s.copy()
    out[present.index] = mapped
    if (mapped == present.astype(str)).all():
        return out, None
    pairs = sorted(set(zip(present.astype(str), mapped, strict=True)), key=lambda p: p[1])
    return out, "Sentiment labels read as " + ", ".join(f"'{a}' = {b}" for a, b in pairs) + "."


class LexiconSentiment:
    """Rule-based sentiment score from a bilingual lexicon (no training).

    Args:
        neutral_band: scores with ``|score| <= neutral_band`` are neutral.
        labels: names of the negative, neutral and positive classes.

    Example:
        >>> LexiconSentiment().score(["not good", "很满意"]).round(2).tolist()
        [-0.36, 0.64]
    """

    def __init__(
        self,
        *,
        neutral_band: float = 0.05,
        labels: tuple[str, str, str] = ("negative", "neutral", "positive"),
    ) -> None:
        self.neutral_band = neutral_band
        self.labels = labels

    def fit(
        self, texts: Iterable[str] | None = None, y: Iterable[object] | None = None
    ) -> LexiconSentiment:
        """Nothing to learn; present for the estimator interface."""
        return self

    def _parts(self, text: str, tok: Tokenizer) -> tuple[float, float]:
        """Raw sums over the positive and over the negative lexicon words (after negation
        and intensifiers)."""
        lang = detect_language(text)
        words = tok(text) if lang == "zh" else normalize(text).replace("n't", " n't").split()
        if lang != "zh":
            words = [w.strip(".,!?;:()\"'") for w in words]
            words = [("not" if w == "n't" else w) for w in words]
        lex, neg, boost = (
            (L.LEXICON_ZH, L.NEGATORS_ZH, L.BOOST_ZH)
            if lang == "zh"
            else (L.LEXICON_EN, L.NEGATORS_EN, L.BOOST_EN)
        )
        sums, since_neg, mult = [0.0, 0.0], 99, 1.0
        for w in words:
            if w in neg:
                since_neg = 0
                continue
            if w in boost:
                mult *= boost[w]
                continue
            if w in lex:
                sums[lex[w] < 0] += lex[w] * mult * (-0.75 if since_neg <= 3 else 1.0)
                mult = 1.0
            since_neg += 1
        return sums[0], sums[1]

    def features(self, texts: Iterable[str]) -> np.ndarray:
        """Three columns per text: the score, and the same computed from the positive and
        from the negative lexicon words alone (a trained model weighs them separately)."""
        tok = Tokenizer(user_words=tuple(L.LEXICON_ZH) + tuple(L.NEGATORS_ZH))
        raw = np.array([self._parts(t, tok) for t in as_texts(texts)], dtype=float)
        raw = raw.reshape(-1, 2)
        return _squash(np.column_stack([raw.sum(axis=1), raw[:, 0], raw[:, 1]]))

    def score(self, texts: Iterable[str]) -> np.ndarray:
        """A score in ``(-1, 1)`` per text: negative below zero."""
        return np.asarray(self.features(texts)[:, 0])

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """``labels[0]``, ``labels[1]`` or ``labels[2]`` by the sign of the score."""
        s = self.score(texts)
        neg, neu, pos = self.labels
        return np.where(
            s > self.neutral_band, pos, np.where(s < -self.neutral_band, neg, neu)
        ).astype(object)


def _squash(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(x * x + 15.0)  # VADER's normalisation
