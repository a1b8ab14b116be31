"""Rule-based ticket sentiment from a bilingual lexicon, and the reading of sentiment labels.

* :class:`LexiconSentiment` needs no training: a short bilingual lexicon with negation and
  intensifiers (the baseline the trained models of :mod:`opsai.service.sentiment` must beat,
  and three of the features :class:`~opsai.service.sentiment.SentimentEnsemble` stacks);
* :func:`canonical_sentiment` reads the common label schemes (stars, polarity numbers,
  ``pos``/``负面``/``好评``) as negative/neutral/positive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from opsai.service import _lexicon as L
from opsai.service._features import as_texts
from opsai.service.text import Tokenizer, detect_language, normalize

__all__ = ["LexiconSentiment", "canonical_sentiment"]

_SYNONYMS = {
    "negative": (
        "negative", "neg", "bad", "bad_with_comment", "负面", "负", "消极", "差评",
        # satisfaction surveys (Freshdesk, Zendesk, Intercom, HubSpot, Help Scout, Trustpilot)
        "unhappy", "dissatisfied", "unsatisfied", "not satisfied", "not happy", "not good",
        "poor", "terrible", "awful", "horrible", "thumbs down", "thumbsdown", "disappointed",
        "不满意", "不满", "差", "不好", "失望", "unzufrieden", "nicht zufrieden", "schlecht",
        "insatisfait", "mécontent", "mauvais", "insatisfecho", "malo", "insatisfeito", "ruim",
        "不満", "悪い", "👎", "😞", "😠", "😡", "☹", "🙁", "😢", "😭", "😟",
    ),
    "neutral": (
        "neutral", "neu", "mixed", "中性", "中立", "中评",
        "okay", "ok", "average", "meh", "so so", "fair", "neither", "indifferent",
        "neither satisfied nor dissatisfied", "一般", "还行", "还可以", "基本满意", "neutre",
        "neutro", "teils teils", "普通", "😐", "😶",
    ),
    "positive": (
        "positive", "pos", "good", "good_with_comment", "正面", "正", "积极", "好评",
        "happy", "satisfied", "great", "amazing", "excellent", "awesome", "thumbs up",
        "thumbsup", "满意", "好", "满足", "zufrieden", "gut", "satisfait", "content", "bon",
        "satisfecho", "bueno", "satisfeito", "bom", "満足", "良い",
        "👍", "😀", "😃", "😄", "😁", "😊", "🙂", "😍", "🤩",
    ),
}  # fmt: skip
_INTENSITY = re.compile(
    r"^(?:very|extremely|really|somewhat|quite|highly|completely|totally|mostly|fairly|rather"
    r"|sehr|eher|ziemlich|très|tres|plutôt|assez|muy|bastante|muito|bem)\s+"
    r"|^(?:非常|很|比较|十分|特别|相当|较|とても|やや)"
)
"""Degree words of a 5- or 7-point survey scale: "Very satisfied", "Extremely unhappy",
"sehr zufrieden", "非常不满意" are read as the label they qualify."""


def _label_key(label: str) -> str:
    """A label as the synonym map spells it: lower case, ``_`` and ``-`` as blanks (``thumbs_up``,
    ``so-so``), one blank between words, no emoji variation selector or skin tone."""
    key = re.sub(r"[\ufe0f\U0001f3fb-\U0001f3ff]", "", label.strip().lower())
    return " ".join(re.sub(r"[_\-/,]+", " ", key).split())


def _lookup() -> dict[str, str]:
    return {_label_key(w): canon for canon, words in _SYNONYMS.items() for w in words}


_LOOKUP = _lookup()


def _canon_label(label: str) -> str | None:
    """The class of one label (``'Very Dissatisfied'``: negative), else ``None``."""
    key = _label_key(label)
    if key in _LOOKUP:
        return _LOOKUP[key]
    bare = _INTENSITY.sub("", key, count=1)
    return _LOOKUP.get(bare.strip()) if bare != key else None


# Survey states that carry no rating (Zendesk's satisfaction score: the survey was sent and not
# answered, or never sent): missing, not a class of their own.
NO_RATING = ("offered", "unoffered", "not_offered", "not offered")
_STARS = re.compile(r"^([1-5])\s*(?:stars?|/\s*5)$")
_GLYPHS = re.compile(r"^[★☆]+$")


def _stars(label: str) -> int | None:
    """``'4 stars'``, ``'1 star'``, ``'4/5'`` and ``'★★★★☆'`` as 4, 1, 4 and 4; else ``None``."""
    m = _STARS.match(label)
    if m:
        return int(m.group(1))
    n = label.count("★")
    return n if _GLYPHS.match(label) and 1 <= n <= 5 else None


def canonical_sentiment(labels: Iterable[object]) -> tuple[pd.Series, str | None]:
    """The data's sentiment labels read as ``negative``/``neutral``/``positive``.

    Recognised, when every non-empty label fits one scheme: star ratings 1-5 (1-2 negative,
    3 neutral, 4-5 positive; also written ``'4 stars'``, ``'1 star'``, ``'4/5'`` or
    ``'★★★★☆'``), 0/1 and 1/2 polarity (the larger positive), -1/0/1, and names in English
    or Chinese (``pos``, ``NEG``, ``Mixed`` (neutral), ``负面``, ``好评``, Zendesk's
    ``good``/``bad``, ...), and the answers of satisfaction surveys: Freshdesk's
    ``Happy``/``Neutral``/``Unhappy``, ``Satisfied``/``Dissatisfied``, ``great``/``okay``/
    ``not good``, thumbs up/down and emoji faces, ``满意``/``一般``/``不满意``,
    ``zufrieden``/``unzufrieden``, ``satisfait``, ``satisfecho``, ``satisfeito``, each also
    with a degree word of a 5- or 7-point scale (``Very dissatisfied``, ``Extremely happy``,
    ``sehr zufrieden``, ``非常满意``). Survey states without a rating (Zendesk's ``offered`` and
    ``unoffered``) become missing whatever the rest is. Anything else is left as it is, so
    the chapter still learns the data's own classes.

    Returns:
        The labels (missing ones stay missing) and a sentence saying how they were read
        (for labels not recognised and none of them negative, that none counts as negative),
        or ``None`` when they were already canonical.

    Example:
        >>> canonical_sentiment([5, 1, 3, 4])[0].tolist()
        ['positive', 'negative', 'neutral', 'positive']
        >>> canonical_sentiment(["good", "offered", "bad"])[0].tolist()
        ['positive', None, 'negative']
        >>> canonical_sentiment(["Happy", "Unhappy", "Very dissatisfied", "一般"])[0].tolist()
        ['positive', 'negative', 'negative', 'neutral']
    """
    s = pd.Series(list(labels) if not isinstance(labels, pd.Series) else labels, dtype=object)
    present = s.dropna()
    low = present.astype(str).str.strip().str.lower()
    unrated = low.isin(NO_RATING)
    blank = ""
    if unrated.any():
        s = s.copy()
        s[present.index[unrated.to_numpy()]] = None
        words = [repr(w) for w in sorted(set(present[unrated].astype(str)))]
        named = " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)
        blank = (
            f"{named} (a survey without an answer) read as no "
            f"rating: {int(unrated.sum()):,} ticket{'s' if unrated.sum() != 1 else ''}."
        )
        present, low = present[~unrated], low[~unrated]
    out, note = _read_scheme(s, present, low)
    if blank and note:
        note = f"{note} Labels {blank}"
    elif blank:
        kept = ", ".join(map(str, present.unique()))
        note = f"Sentiment labels {blank}" + (f" Used as they are: {kept}." if kept else "")
    used = set(out.dropna().astype(str))
    if used and not used & {"negative", "neg"} and not used <= set(_SYNONYMS):
        kept = ", ".join(map(str, present.unique()))
        said = note or f"Sentiment labels used as they are: {kept}."
        note = (
            f"{said} None of them reads as negative, so the negative shares (the scorecard's "
            "'Negative tickets') count none of these labelled tickets; ratings in a known "
            "scheme (1-5 stars, good/bad, happy/unhappy, satisfied/dissatisfied, 满意/不满意) "
            "are read by themselves."
        )
    return out, note


def _read_scheme(s: pd.Series, present: pd.Series, low: pd.Series) -> tuple[pd.Series, str | None]:
    """:func:`canonical_sentiment` on the labels that are not missing (``present``, and
    ``low``: the same stripped and lower-cased)."""
    if present.empty:
        return s, None
    num = pd.to_numeric(present, errors="coerce")
    stars = low.map(_stars)
    written = bool(stars.notna().all())
    if written:
        num = stars.astype(float)
    if num.notna().all() and (num == num.round()).all():
        vals = set(num.astype(int))
        scheme: dict[int, str]
        if vals <= {0, 1} and not written:
            scheme, note = {0: "negative", 1: "positive"}, "0/1 read as negative/positive"
        elif vals <= {-1, 0, 1} and not written:
            scheme = {-1: "negative", 0: "neutral", 1: "positive"}
            note = "-1/0/1 read as negative/neutral/positive"
        elif vals <= {1, 2} and not written:
            scheme, note = {1: "negative", 2: "positive"}, "1/2 read as negative/positive"
        elif vals <= {1, 2, 3, 4, 5}:
            scheme = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}
            note = "1-5 (stars) read as negative (1-2), neutral (3) and positive (4-5)"
        else:
            return s, None
        out = s.copy()
        out[present.index] = num.astype(int).map(scheme)
        return out, f"Sentiment labels {note}."
    mapped = low.map(_canon_label)
    if mapped.isna().any():
        return s, None
    out = s.copy()
    out[present.index] = mapped
    if (mapped == present.astype(str)).all():
        return out, None
    pairs = sorted(set(zip(present.astype(str), mapped, strict=True)), key=lambda p: p[1])
    return out, "Sentiment labels read as " + ", ".join(f"'{a}' = {b}" for a, b in pairs) + "."


class LexiconSentiment:
    """Rule-based sentiment score from a bilingual lexicon (no training).

    The lexicon has English and Chinese words (:data:`LANGUAGES`); a text in another
    language (:func:`~opsai.service.text.detect_language`: Spanish, Japanese, Korean, ...)
    is not scored with them: its score is 0 and :meth:`predict` gives it ``unknown``.

    Args:
        neutral_band: scores with ``|score| <= neutral_band`` are neutral.
        labels: names of the negative, neutral and positive classes.
        unknown: what :meth:`predict` answers for a text in a language the lexicon does not
            cover (``None``: missing; "neutral" would claim that Spanish complaints are not
            complaints).

    Example:
        >>> LexiconSentiment().score(["not good", "很满意"]).round(2).tolist()
        [-0.36, 0.64]
        >>> LexiconSentiment().predict(["terrible", "El paquete llegó roto"]).tolist()
        ['negative', None]
    """

    LANGUAGES = ("en", "zh")
    """The languages the lexicon has words for; text without letters (``und``: "👍",
    "12345") is read with the English rules."""

    def __init__(
        self,
        *,
        neutral_band: float = 0.05,
        labels: tuple[str, str, str] = ("negative", "neutral", "positive"),
        unknown: str | None = None,
    ) -> None:
        self.neutral_band = neutral_band
        self.labels = labels
        self.unknown = unknown

    @classmethod
    def covers_language(cls, language: str) -> bool:
        """Whether texts in ``language`` (a code) are scored."""
        return language in cls.LANGUAGES or language == "und"

    def covers(self, texts: Iterable[str]) -> np.ndarray:
        """Per text, whether its language is one the lexicon scores."""
        return np.array(
            [self.covers_language(detect_language(t)) for t in as_texts(texts)], dtype=bool
        )

    def fit(
        self, texts: Iterable[str] | None = None, y: Iterable[object] | None = None
    ) -> LexiconSentiment:
        """Nothing to learn; present for the estimator interface."""
        return self

    def _parts(self, text: str, tok: Tokenizer) -> tuple[float, float]:
        """Raw sums over the positive and over the negative lexicon words (after negation
        and intensifiers)."""
        lang = detect_language(text)
        if not self.covers_language(lang):  # Spanish is not scored with English words
            return 0.0, 0.0
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
        """``labels[0]``, ``labels[1]`` or ``labels[2]`` by the sign of the score;
        ``unknown`` for a text in a language the lexicon does not cover."""
        X = as_texts(texts)
        s = self.score(X)
        neg, neu, pos = self.labels
        out = np.where(
            s > self.neutral_band, pos, np.where(s < -self.neutral_band, neg, neu)
        ).astype(object)
        out[~self.covers(X)] = self.unknown
        return out


def _squash(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt(x * x + 15.0)  # VADER's normalisation
