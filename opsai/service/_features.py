"""Shared text features: normalised character n-grams, optionally with jieba/English words.

Cross-validation fits these features on many overlapping subsets of the same texts (the
sentiment stack: 30 fits per language, each on 2,500-3,100 texts), and cutting a text into
n-grams and words is most of a fit. Inside :func:`reuse_analysis` each text is cut once per
feature setting and the tokens reused, so every fit sees the tokens it would have computed:
the same vocabulary, the same matrix.
"""

from __future__ import annotations

import contextvars
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion

from opsai.errors import OpsaiError
from opsai.service.text import Tokenizer, normalize

_DIGITS = re.compile(r"\d")


class Preprocess:
    """Picklable ``preprocessor``: :func:`normalize`, digits folded to ``0``.

    Emoji stay as they are by default: each is one token of the word block and a few
    character n-grams. Named (``emoji="name"``), 🙏 became "person with folded hands", four
    words and some 80 character n-grams that outweighed the text of a short review and mixed
    with the words people wrote ("black", "heavy", "face").
    """

    def __init__(self, *, fold_digits: bool = True, emoji: str = "keep") -> None:
        self.fold_digits = fold_digits
        self.emoji = emoji

    def __call__(self, text: str) -> str:
        t = normalize(text, emoji=self.emoji)  # type: ignore[arg-type]
        return _DIGITS.sub("0", t) if self.fold_digits else t


_MEMO: contextvars.ContextVar[dict[str, dict[str, list[str]]] | None] = contextvars.ContextVar(
    "opsai_text_features_memo", default=None
)


@contextmanager
def reuse_analysis() -> Iterator[None]:
    """Within the block, :func:`text_features` cut each distinct text once per setting.

    The tokens are kept until the block ends (the outermost one, when nested).

    Example:
        >>> with reuse_analysis():  # doctest: +SKIP
        ...     cross_val_accuracy(model, texts, y, folds=5)
    """
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _setting(x: object) -> str:
    """A preprocessor's or tokenizer's settings as text, the same for equal copies."""
    return repr(x) if x is None else repr((type(x).__qualname__, sorted(vars(x).items())))


_EMPTY = ("empty vocabulary", "After pruning, no terms remain")
"""scikit-learn's messages for a vocabulary with no term left."""


class _TfidfVectorizer(TfidfVectorizer):
    """:class:`~sklearn.feature_extraction.text.TfidfVectorizer` whose analyser reuses the
    tokens of a text already cut with the same settings inside :func:`reuse_analysis`, and
    that keeps no column instead of raising when no term is left (``empty_``): Korean texts
    once gave the word block no words, 15 texts of one fold may share none twice
    (``min_df=2``). :class:`_Union` raises when every block is empty."""

    def fit(self, raw_documents: Any, y: Any = None) -> _TfidfVectorizer:
        self.fit_transform(raw_documents, y)
        return self

    def fit_transform(self, raw_documents: Any, y: Any = None) -> Any:
        docs = list(raw_documents)
        self.empty_ = False
        try:
            return super().fit_transform(docs, y)
        except ValueError as e:
            if not any(m in str(e) for m in _EMPTY):
                raise
        self.empty_ = True
        return sp.csr_matrix((len(docs), 0))

    def transform(self, raw_documents: Any) -> Any:
        if getattr(self, "empty_", False):
            return sp.csr_matrix((len(list(raw_documents)), 0))
        return super().transform(raw_documents)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        if getattr(self, "empty_", False):
            return np.array([], dtype=object)
        return super().get_feature_names_out(input_features)

    def build_analyzer(self) -> Callable[[str], list[str]]:
        analyze = super().build_analyzer()
        memo = _MEMO.get()
        own = (type(None), Preprocess, Tokenizer)  # callables whose settings are their attributes
        if (
            memo is None
            or callable(self.analyzer)
            or not isinstance(self.preprocessor, own)
            or not isinstance(self.tokenizer, own)
        ):
            return analyze
        key = repr(
            (
                self.input, self.analyzer, self.ngram_range, self.lowercase, self.strip_accents,
                self.token_pattern, self.stop_words, self.encoding, self.decode_error,
                _setting(self.preprocessor), _setting(self.tokenizer),
            )
        )  # fmt: skip
        seen = memo.setdefault(key, {})

        def cached(doc: str) -> list[str]:
            out = seen.get(doc)
            if out is None:
                out = seen[doc] = analyze(doc)
            return out

        return cached


def text_features(
    *,
    char_ngrams: tuple[int, int] | None = (1, 4),
    words: bool = True,
    user_words: Sequence[str] = (),
    min_df: int = 1,
    max_features: int | None = 200_000,
    fold_digits: bool = True,
) -> FeatureUnion:
    """TF-IDF (sublinear) over characters within word boundaries and over words.

    Character n-grams work for Chinese and English alike and survive typos; words come from
    :class:`~opsai.service.text.Tokenizer` (jieba for Chinese, with ``user_words``).
    """
    pre = Preprocess(fold_digits=fold_digits)
    parts: list[tuple[str, TfidfVectorizer]] = []
    if char_ngrams is not None:
        parts.append(
            (
                "char",
                _TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=char_ngrams,
                    preprocessor=pre,
                    sublinear_tf=True,
                    min_df=min_df,
                    max_features=max_features,
                    lowercase=False,
                ),
            )
        )
    if words:
        parts.append(
            (
                "word",
                _TfidfVectorizer(
                    tokenizer=Tokenizer(user_words=tuple(user_words), normalise=False),
                    preprocessor=pre,
                    token_pattern=None,
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    min_df=min_df,
                    max_features=max_features,
                    lowercase=False,
                ),
            )
        )
    if not parts:
        raise OpsaiError("text_features: set char_ngrams or words=True (both are off)")
    return _Union(parts)


class _Union(FeatureUnion):
    """The feature blocks side by side; a block with no term left adds no column (a
    language whose texts yield no words keeps its character n-grams), and only when every
    block is empty is there nothing to learn from."""

    def fit(self, X: Any, y: Any = None, **params: Any) -> _Union:
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        out = super().fit_transform(X, y, **params)
        if out.shape[1] == 0:
            raise OpsaiError(
                f"texts: no character or word features in {out.shape[0]:,} texts (empty, or "
                "no term occurs in two of them)"
            )
        return out


def as_texts(texts: Iterable[object], *, name: str = "texts") -> list[str]:
    """A list of strings (``None``/NaN -> ``""``); refuses a bare string."""
    if isinstance(texts, str):
        raise OpsaiError(
            f"{name}: pass a list or Series of texts, not one string (wrap it: [text])"
        )
    out = ["" if not isinstance(t, str) else t for t in texts]
    return out


def as_labels(y: Iterable[object], n: int, *, name: str = "y") -> np.ndarray:
    vals = list(y)
    missing = sum(1 for v in vals if v is None or (isinstance(v, float) and v != v))
    if missing:
        raise OpsaiError(f"{name}: {missing} missing labels; drop unlabelled rows before fit")
    arr = np.asarray([str(v) for v in vals], dtype=object)
    if len(arr) != n:
        raise OpsaiError(f"{name}: {len(arr)} labels for {n} texts; pass one label per text")
    return arr


def stratified_split(
    items: Any, labels: Iterable[object], *, test_size: float, seed: int
) -> tuple[Any, Any]:
    """``train_test_split`` stratified by ``labels``, its test part grown to one row per class.

    scikit-learn refuses a stratified test part smaller than the number of classes: 150
    intents could not be split into 10% of 1,372 tickets (138 rows). The test part then holds
    one row per class; when a class has a single row, or the parts cannot both hold every
    class, the split is not stratified.
    """
    y = np.asarray(list(labels), dtype=object)
    _, counts = np.unique(y.astype(str), return_counts=True)
    k, n = len(counts), len(y)
    n_test = max(math.ceil(test_size * n), k)
    if counts.min() >= 2 and n - n_test >= k:
        size: float | int = n_test if n_test > math.ceil(test_size * n) else test_size
        return tuple(train_test_split(items, test_size=size, random_state=seed, stratify=y))
    return tuple(train_test_split(items, test_size=test_size, random_state=seed))
