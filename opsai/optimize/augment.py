"""Data augmentation: EDA for Chinese and English intent texts, rebalancing for churn labels.

Text augmentation follows EDA (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for
Boosting Performance on Text Classification Tasks"): synonym replacement, random insertion,
random swap and random deletion, each changing about ``alpha`` of the words of a text. Chinese
is split into words with jieba (as :mod:`opsai.service` does), English on spaces. Synonyms
come from a lexicon you pass (``{"refund": ["reimbursement"], "退款": ["退钱"]}``) or from
:func:`embedding_synonyms`, which finds each training word's nearest neighbours among the
training vocabulary with a sentence-embedding model carried by a package (:mod:`opsai.embed`,
no network). Every augmented text keeps the label of the text it came from.

Churn labels are rebalanced with imbalanced-learn (random oversampling or SMOTE) on training
rows only. :mod:`opsai.optimize.augment_eval` measures both on held-out original data.

Example:
    >>> aug = TextAugmenter(n_aug=2, seed=0, ops=("swap",))
    >>> texts, labels = aug.fit_resample(["where is my parcel", "我要退款"], ["ship", "refund"])
    >>> len(texts), list(labels[-2:])
    (6, ['refund', 'refund'])
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.errors import ConfigError, SchemaError

__all__ = [
    "OPS",
    "TextAugmenter",
    "embedding_synonyms",
    "rebalance",
    "split_words",
    "vocabulary",
]

Op = Literal["synonym", "insert", "swap", "delete"]
OPS: tuple[Op, ...] = ("synonym", "insert", "swap", "delete")
RebalanceMethod = Literal["random", "smote"]

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]$")
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_STRIP = re.compile(r"^\W+|\W+$", re.UNICODE)

_STOP = """a an the i me my we our you your he she it its they them is are was were be been am do
    does did to of in on at for with by from and or but not no so this that these those please
    hi hello hey there can could would will should have has had let know what when where how
    的 了 是 我 你 他 她 它 们 在 和 与 或 也 都 就 吗 呢 吧 啊 呀 哦 请 您 一下 这 那 有 没 没有 个 把
    被 给 还 又 很 亲 好"""
STOPWORDS = frozenset(_STOP.split())
"""Words EDA never replaces or inserts synonyms for (function words, greetings)."""


def _is_zh(text: str) -> bool:
    return bool(_HAN.search(text))


def split_words(text: str, *, user_words: Sequence[str] = ()) -> list[str]:
    """Words of a text: jieba for Chinese (punctuation kept as tokens), spaces for English."""
    if not _is_zh(text):
        return text.split()
    from opsai.service.text import Tokenizer

    tok = Tokenizer(user_words=tuple(user_words), language="zh", normalise=False, drop_punct=False)
    return [w for w in tok(text) if w]


def join_words(words: Sequence[str], *, zh: bool) -> str:
    """Inverse of :func:`split_words`: Chinese joins without spaces (but keeps one between two
    Latin/digit tokens), English with spaces."""
    if not zh:
        return " ".join(words)
    out = ""
    for w in words:
        if out and _ASCII_WORD.search(out) and w[:1].isascii() and w[:1].isalnum():
            out += " "
        out += w
    return out


def _key(word: str) -> str:
    return _STRIP.sub("", word).lower()


def vocabulary(
    texts: Iterable[str], *, min_count: int = 2, user_words: Sequence[str] = ()
) -> list[str]:
    """Content words seen at least ``min_count`` times (no stopwords, digits or punctuation)."""
    counts: Counter[str] = Counter()
    for t in texts:
        counts.update({_key(w) for w in split_words(str(t), user_words=user_words)})
    return sorted(
        w
        for w, c in counts.items()
        if c >= min_count and w and w not in STOPWORDS and _WORDLIKE.search(w)
        and not any(ch.isdigit() for ch in w) and (_is_zh(w) or len(w) > 2)
    )  # fmt: skip


def embedding_synonyms(
    words: Sequence[str],
    *,
    k: int = 3,
    min_similarity: float = 0.7,
    model: str = "use",
    embed_fn: Callable[[list[str]], np.ndarray] | None = None,
) -> dict[str, list[str]]:
    """Each word's nearest neighbours (cosine) among ``words`` of the same script.

    Args:
        words: the candidate vocabulary, e.g. :func:`vocabulary` of the training texts; only
            words from it are proposed, so a synonym is always a word the domain uses.
        k: most neighbours kept per word.
        min_similarity: cosine similarity a neighbour must reach.
        model: the :func:`opsai.embed.embed` model (``"use"`` is multilingual zh+en).
        embed_fn: a function from a list of words to L2-normalised row vectors, used instead
            of :func:`opsai.embed.embed` (e.g. a cached or a different model).

    Returns:
        ``{word: [neighbour, ...]}`` for the words that have at least one neighbour.
    """
    if k < 1:
        raise ConfigError(f"embedding_synonyms: k must be >= 1, got {k}")
    if not -1.0 <= min_similarity <= 1.0:
        raise ConfigError(
            f"embedding_synonyms: min_similarity must be in [-1, 1], got {min_similarity}"
        )
    words = list(dict.fromkeys(str(w) for w in words))
    if len(words) < 2:
        return {}
    if embed_fn is None:
        from opsai.embed import embed

        def embed_fn(ws: list[str]) -> np.ndarray:
            return np.asarray(embed(ws, model=model))  # type: ignore[arg-type]

    V = np.asarray(embed_fn(words), dtype=np.float64)
    V = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
    sim = V @ V.T
    zh = np.array([_is_zh(w) for w in words])
    sim[zh[:, None] != zh[None, :]] = -np.inf  # a Chinese word's synonym is Chinese
    np.fill_diagonal(sim, -np.inf)
    out: dict[str, list[str]] = {}
    for i, w in enumerate(words):
        order = np.argsort(-sim[i], kind="stable")[:k]
        near = [words[j] for j in order if sim[i, j] >= min_similarity]
        near = [n for n in near if n not in w and w not in n]  # no "refund" -> "refunds"
        if near:
            out[w] = near
    return out


class TextAugmenter:
    """EDA text augmentation that keeps labels; seeded.

    Args:
        ops: operations to use, cycled over the ``n_aug`` copies of each text: ``"synonym"``
            (replace words by a synonym), ``"insert"`` (insert a synonym of a word),
            ``"swap"`` (swap two words), ``"delete"`` (drop each word with probability
            ``alpha``; never empties a text).
        alpha: share of the words changed (EDA's alpha; 0.1 is the paper's default).
        n_aug: augmented copies per original text.
        synonyms: ``{word: [synonym, ...]}`` (keys lower-case); needed by ``"synonym"`` and
            ``"insert"``, which leave a text without known words unchanged.
        user_words: words jieba must keep whole (product names).
        seed: random seed.
    """

    def __init__(
        self,
        *,
        ops: Sequence[Op] = OPS,
        alpha: float = 0.1,
        n_aug: int = 4,
        synonyms: Mapping[str, Sequence[str]] | None = None,
        user_words: Sequence[str] = (),
        seed: int = 0,
    ) -> None:
        self.ops = ops
        self.alpha = alpha
        self.n_aug = n_aug
        self.synonyms = synonyms
        self.user_words = user_words
        self.seed = seed

    def _check(self) -> None:
        bad = [o for o in self.ops if o not in OPS]
        if bad or not self.ops:
            raise ConfigError(f"TextAugmenter: ops must be a non-empty subset of {OPS}, got {bad}")
        if not 0.0 < self.alpha <= 1.0:
            raise ConfigError(f"TextAugmenter: alpha must be in (0, 1], got {self.alpha}")
        if int(self.n_aug) < 0:
            raise ConfigError(f"TextAugmenter: n_aug must be >= 0, got {self.n_aug}")
        needs = {"synonym", "insert"} & set(self.ops)
        if needs and not self.synonyms:
            raise ConfigError(
                f"TextAugmenter: ops {sorted(needs)} need synonyms=...; pass a lexicon or "
                "embedding_synonyms(vocabulary(texts)), or drop those ops"
            )

    def _syn(self, word: str, rng: np.random.Generator) -> str | None:
        key = _key(word)
        if not key or key in STOPWORDS or not self.synonyms:
            return None
        cands = [s for s in self.synonyms.get(key, ()) if s != key]
        if not cands:
            return None
        new = str(cands[int(rng.integers(len(cands)))])
        i = word.lower().find(key)  # keep the punctuation around an English word
        return word[:i] + new + word[i + len(key) :] if i >= 0 else new

    def augment_one(self, text: str, op: Op, rng: np.random.Generator) -> str:
        """One augmented copy of ``text`` made with ``op``."""
        words = split_words(text, user_words=self.user_words)
        zh = _is_zh(text)
        if len(words) < 2 and op != "synonym":
            return text
        n = max(1, round(self.alpha * len(words)))
        if op == "synonym":
            pos = [int(i) for i in rng.permutation(len(words))]
            done = 0
            for i in pos:
                s = self._syn(words[i], rng)
                if s is not None:
                    words[i], done = s, done + 1
                    if done >= n:
                        break
        elif op == "insert":
            for _ in range(n):
                pool = [s for s in (self._syn(w, rng) for w in words) if s is not None]
                if not pool:
                    break
                words.insert(
                    int(rng.integers(len(words) + 1)), _key(pool[int(rng.integers(len(pool)))])
                )
        elif op == "swap":
            for _ in range(n):
                i, j = rng.choice(len(words), size=2, replace=False)
                words[i], words[j] = words[j], words[i]
        elif op == "delete":
            keep = rng.random(len(words)) >= self.alpha
            if not keep.any():
                keep[int(rng.integers(len(words)))] = True
            words = [w for w, k in zip(words, keep, strict=True) if k]
        else:
            raise ConfigError(f"TextAugmenter: unknown op {op!r}; use one of {OPS}")
        return join_words(words, zh=zh)

    def augment_frame(self, texts: Iterable[object], labels: Iterable[object]) -> pd.DataFrame:
        """The augmented copies only: ``text``, ``label``, ``source`` (position of the original)
        and ``op``. Copies identical to their original are dropped."""
        self._check()
        xs = ["" if not isinstance(t, str) else t for t in texts]
        ys = list(labels)
        if len(xs) != len(ys):
            raise SchemaError(
                f"TextAugmenter: {len(xs)} texts but {len(ys)} labels; pass one label per text"
            )
        rng = np.random.default_rng(self.seed)
        rows: list[tuple[str, Any, int, str]] = []
        for i, (t, y) in enumerate(zip(xs, ys, strict=True)):
            seen = {t}
            for j in range(int(self.n_aug)):
                op = self.ops[j % len(self.ops)]
                new = self.augment_one(t, op, rng)
                if new not in seen and new.strip():
                    seen.add(new)
                    rows.append((new, y, i, op))
        return pd.DataFrame(rows, columns=["text", "label", "source", "op"])

    def fit_resample(
        self, texts: Iterable[object], labels: Iterable[object]
    ) -> tuple[list[str], np.ndarray]:
        """Originals followed by their augmented copies, with labels (imblearn's naming)."""
        xs = ["" if not isinstance(t, str) else t for t in texts]
        ys = list(labels)
        aug = self.augment_frame(xs, ys)
        out_y = np.asarray(ys + aug["label"].tolist(), dtype=object)
        return xs + aug["text"].tolist(), out_y


def rebalance(
    X: pd.DataFrame | np.ndarray,
    y: Iterable[object],
    *,
    method: RebalanceMethod = "smote",
    ratio: float = 1.0,
    k_neighbors: int = 5,
    seed: int = 0,
) -> tuple[Any, np.ndarray]:
    """Oversample the minority class of the training rows (imbalanced-learn).

    Call it on training rows only, after the split: synthetic or repeated rows in a test set
    would score a model on copies of its training data.

    Args:
        X: numeric training features (no missing values for SMOTE).
        y: the binary or multi-class labels.
        method: ``"random"`` (repeat minority rows) or ``"smote"`` (interpolate between a
            minority row and one of its ``k_neighbors`` minority neighbours; Chawla et al. 2002).
        ratio: wanted minority/majority count after resampling, in (0, 1] (binary labels).
        k_neighbors: SMOTE neighbours (capped at the minority count minus one).
        seed: random seed.

    Returns:
        ``(X_res, y_res)``: the original rows first, in order, then the new minority rows.
    """
    from imblearn.over_sampling import SMOTE, RandomOverSampler

    yv = np.asarray(list(y))
    classes, counts = np.unique(yv, return_counts=True)
    if len(classes) < 2:
        raise SchemaError(
            f"rebalance: y has one class only ({classes.tolist()}); nothing to balance"
        )
    if not 0.0 < ratio <= 1.0:
        raise ConfigError(f"rebalance: ratio must be in (0, 1], got {ratio}")
    if k_neighbors < 1:
        raise ConfigError(f"rebalance: k_neighbors must be >= 1, got {k_neighbors}")
    strategy: Any = ratio if len(classes) == 2 else "not majority"
    if len(classes) == 2 and counts.min() / counts.max() >= ratio:
        return X, yv  # already as balanced as asked
    if method == "random":
        sampler: Any = RandomOverSampler(sampling_strategy=strategy, random_state=seed)
    elif method == "smote":
        if counts.min() < 2:
            raise SchemaError(
                "rebalance: SMOTE needs at least 2 minority rows; use method='random'"
            )
        Xn = np.asarray(X, dtype=float)
        if not np.isfinite(Xn).all():
            raise SchemaError(
                "rebalance: X has missing or infinite values; SMOTE needs complete numeric "
                "features (fill them, e.g. X.fillna(0), or use method='random')"
            )
        k = int(min(k_neighbors, counts.min() - 1))
        sampler = SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed)
    else:
        raise ConfigError(f"rebalance: method must be 'random' or 'smote', got {method!r}")
    X_res, y_res = sampler.fit_resample(X, yv)
    return X_res, np.asarray(y_res)
