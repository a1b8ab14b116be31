"""Topic discovery for tickets without intent labels: embed, cluster, name each cluster.

:class:`TopicModel` embeds tickets (by default with the multilingual sentence encoder of
:mod:`opsai.embed` when its package is installed, else TF-IDF over jieba/English words reduced
by truncated SVD; or any ``encoder`` callable), clusters them with k-means (the
number of topics chosen by silhouette when ``n_topics="auto"``) and names each topic by the
words most over-represented in it. The topics then stand in for intents.

Example:
    >>> tm = TopicModel(seed=0).fit(tickets["text"])            # doctest: +SKIP
    >>> tm.topic_table()[["topic", "name", "size"]].head(2)     # doctest: +SKIP
       topic                     name  size
    0      0  refund / money / back    81
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize as l2

from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service import _lexicon as L
from opsai.service._features import Preprocess, _TfidfVectorizer, as_texts
from opsai.service.analytics import STOPWORDS
from opsai.service.text import OTHER_STOP_WORDS, Tokenizer, detect_language

__all__ = ["TopicModel"]


_MOOD_AND_STOP = (
    frozenset(STOPWORDS)
    | OTHER_STOP_WORDS
    | frozenset(L.LEXICON_EN)
    | frozenset(L.LEXICON_ZH)
    | L.NEGATORS_EN
    | L.NEGATORS_ZH
    | frozenset(L.BOOST_EN)
    | frozenset(L.BOOST_ZH)
)
"""Function words and sentiment words: they say how a customer feels, not what about."""


_MASK = "product"  # what a product name in ``stop_words``/``user_words`` becomes


MERGE_COSINE = 0.95
"""Two topics are one when their centroids' cosine similarity is at least this, or when the
terms naming them are the same words: k-means splits one request type in two when its texts
come in two shapes (with and without a follow-up), which silhouette can prefer."""


_MIN_SHARE = 0.05
"""A word names a topic only when at least this share of the topic's tickets hold it."""


_LANGUAGE_SHARE = 0.1
"""A language gives a part of a topic's name when at least this share of its tickets are in
it (and the topic's tickets are in two languages or more)."""


MIN_CENTRED = 20
"""Tickets a language needs for its mean embedding to be taken off its tickets (with two such
languages or more): the mean of a few tickets is their topic, not their language."""


def _most_common_text(texts: pd.Series, width: int = 24) -> str:
    """The topic's most common text, shortened, or a plain label when every text differs."""
    texts = texts[texts != ""]
    if texts.empty:
        return "empty messages"
    counts = texts.value_counts()
    if counts.iloc[0] < 2:
        return "short messages" if texts.str.len().median() <= 12 else "mixed messages"
    top = str(counts.index[0])
    return top if len(top) <= width else top[: width - 1] + "…"


_HIRAGANA = re.compile(r"[\u3041-\u309f\u30fc]+")
"""A word of hiragana only: in Japanese mostly an ending or particle ("くて", "らしい")."""


def _is_term(w: str) -> bool:
    return (
        w not in _MOOD_AND_STOP
        and len(w) > 1
        and not any(c.isdigit() for c in w)
        and all(c.isalnum() or unicodedata.category(c).startswith("M") for c in w)  # हिन्दी
        and not (len(w) < 4 and _HIRAGANA.fullmatch(w))
    )


class TopicModel(BaseEstimator):
    """k-means topics over ticket embeddings, named by their distinctive words.

    Args:
        n_topics: number of topics, or ``"auto"`` to pick it in ``k_range`` by silhouette.
        k_range: smallest and largest number of topics tried with ``"auto"``.
        n_terms: words in each topic's name.
        dim: SVD dimensions of the TF-IDF embedding (ignored with an ``encoder``).
        encoder: ``"auto"`` (sentence embeddings from :func:`opsai.embed.embed` with
            ``model="use"`` when installed, else TF-IDF + SVD), ``"tfidf"``, a model name of
            :mod:`opsai.embed`, or a callable ``list of texts -> 2-D array``. Product names in
            ``stop_words``/``user_words`` are masked before anything else, so topics follow
            what customers ask rather than which product they own.
        user_words: terms jieba must keep whole.
        drop_mood_words: leave the sentiment lexicon's words out, so topics follow what
            customers write about rather than how they feel.
        centre_languages: with sentence embeddings of tickets in two languages or more
            (:data:`MIN_CENTRED` tickets each), take each language's mean embedding off its
            tickets before clustering, as :mod:`opsai.service.intent_pairs` does with label
            centroids: a multilingual embedding carries a strong language component, which
            put English recall mentions in one cluster with unrelated Chinese reviews.
        stop_words: more words to leave out, e.g. product names (they cut across topics).
        seed: k-means and SVD seed.
    """

    def __init__(
        self,
        *,
        n_topics: int | Literal["auto"] = "auto",
        k_range: tuple[int, int] = (3, 12),
        n_terms: int = 3,
        dim: int = 50,
        encoder: str | Callable[[list[str]], Any] | None = "auto",
        user_words: Sequence[str] = (),
        drop_mood_words: bool = True,
        centre_languages: bool = True,
        stop_words: Sequence[str] = (),
        seed: int = 0,
    ) -> None:
        self.centre_languages = centre_languages
        self.stop_words = stop_words
        self.drop_mood_words = drop_mood_words
        self.n_topics = n_topics
        self.k_range = k_range
        self.n_terms = n_terms
        self.dim = dim
        self.encoder = encoder
        self.user_words = user_words
        self.seed = seed

    def _stop(self) -> frozenset[str]:
        base = _MOOD_AND_STOP if self.drop_mood_words else STOPWORDS | OTHER_STOP_WORDS
        return base | frozenset(w.lower() for w in self.stop_words) | {_MASK}

    def _resolve_encoder(self) -> Callable[[list[str]], Any] | None:
        enc = self.encoder
        if enc is None or enc == "tfidf":
            return None
        if callable(enc):
            return enc
        from opsai.embed import MODELS, Encoder, available

        if enc == "auto":
            return Encoder("use") if available("use") else None
        if enc not in MODELS:
            raise ConfigError(
                f"encoder={enc!r}: use 'auto', 'tfidf', one of {sorted(MODELS)} or a callable"
            )
        return Encoder(enc)  # type: ignore[arg-type]

    def _mask(self, X: list[str]) -> list[str]:
        names = sorted(
            {w for w in (*self.stop_words, *self.user_words) if w}, key=len, reverse=True
        )
        if not names:
            return X
        rx = re.compile("|".join(re.escape(w) for w in names), flags=re.IGNORECASE)
        return [rx.sub(_MASK, t) for t in X]

    def _embed(self, X: list[str], fit: bool) -> np.ndarray:
        if fit:
            self.encoder_ = self._resolve_encoder()
            self.language_means_: dict[str, np.ndarray] = {}
        if self.encoder_ is not None:
            return self._centre(X, l2(np.asarray(self.encoder_(X), dtype=float)), fit)
        if fit:  # words, or character n-grams where the texts share no word (Thai phrases)
            self.tfidf_ = (
                self.words_
                if not self.words_.empty_
                else TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 4), preprocessor=Preprocess(),
                    lowercase=False, sublinear_tf=True, min_df=1,
                ).fit(X)
            )  # fmt: skip
        W = self.tfidf_.transform(X)
        if fit:
            k = max(2, min(self.dim, W.shape[1] - 1, len(X) - 1))
            self.svd_ = TruncatedSVD(k, random_state=self.seed).fit(W)
        return l2(self.svd_.transform(W))

    def _centre(self, X: list[str], E: np.ndarray, fit: bool) -> np.ndarray:
        """``E`` less each language's mean embedding (``language_means_``, learnt by ``fit``
        from the languages with :data:`MIN_CENTRED` tickets, when two or more have them):
        distances within a language are kept, the offset between languages goes."""
        if not self.centre_languages:
            return E
        lang = np.array([detect_language(t) for t in X], dtype=object)
        if fit:
            counts = pd.Series(lang).value_counts()
            big = [c for c, n in counts.items() if n >= MIN_CENTRED and c != "und"]
            if len(big) >= 2:
                self.language_means_ = {c: E[lang == c].mean(axis=0) for c in big}
        E = E.copy()
        for code, m in self.language_means_.items():
            E[lang == code] -= m
        return E

    def fit(self, texts: Iterable[str]) -> TopicModel:
        """Cluster the texts (redact them first: names are built from their words)."""
        X = self._mask(as_texts(texts))
        lo, hi = self.k_range
        if self.n_topics != "auto" and (not isinstance(self.n_topics, int) or self.n_topics < 2):
            raise ConfigError(f"n_topics={self.n_topics!r}: use an int >= 2 or 'auto'")
        if len(X) < max(lo, 2) * 2:
            raise OpsaiError(f"texts: {len(X)} are too few to find topics; need {2 * max(lo, 2)}")
        with warnings.catch_warnings():  # jieba splits some stop words differently: harmless
            warnings.filterwarnings("ignore", message="Your stop_words may be inconsistent")
            self.words_ = _TfidfVectorizer(  # no word left (min_df, stop words): no column
                tokenizer=Tokenizer(user_words=tuple(self.user_words), normalise=False),
                preprocessor=Preprocess(emoji="remove"),  # 🙏 names no topic
                token_pattern=None,
                lowercase=False,
                sublinear_tf=True,
                min_df=2 if len(X) >= 50 else 1,
                stop_words=sorted(self._stop()),
            ).fit(X)
        E = self._embed(X, fit=True)
        ks = (
            [self.n_topics]
            if isinstance(self.n_topics, int)
            else range(lo, min(hi, len(X) - 1) + 1)
        )
        best: tuple[float, Any] | None = None
        for k in ks:
            km = KMeans(k, n_init=4, random_state=self.seed).fit(E)
            score = (
                silhouette_score(
                    E, km.labels_, sample_size=min(2000, len(X)), random_state=self.seed
                )
                if len(ks) > 1
                else 0.0
            )
            if best is None or score > best[0]:
                best = (score, km)
        assert best is not None
        self.silhouette_, self.kmeans_ = best
        self.labels_ = self.kmeans_.labels_
        self.n_topics_ = int(self.kmeans_.n_clusters)
        self.merged_ = np.arange(self.n_topics_)
        self._name(X)
        self._merge(X)
        self.split_: dict[tuple[int, str], int] = {}
        if self.language_means_:
            self._split_languages(X, E)
        return self

    def _split_languages(self, X: list[str], E: np.ndarray) -> None:
        """After centring, split a topic whose language parts are not one topic, and join
        parts of two topics that are: each topic's part in a language (a tenth of its
        tickets or more) is paired across languages as :mod:`~opsai.service.intent_pairs`
        pairs labels (centred centroids, mutual nearest, cosine from its ``THRESHOLD``); a
        part that pairs with none becomes a topic of its own. Centring alone moved
        unrelated topics of two languages onto one another when the languages' topics differ
        (English refunds with Chinese coupon questions); the pairing keeps them apart.
        ``split_`` maps a (k-means cluster, language) to its topic where it is not
        ``merged_``'s."""
        from opsai.service.intent_pairs import (
            MIN_LABELS,
            centred_similarity,
            group_labels,
        )

        lang = np.array([detect_language(t) for t in X], dtype=object)
        parts: list[str] = []
        centroids, langs, counts = [], [], {}
        for t in range(self.n_topics_):
            rows = self.labels_ == t
            for code in self.language_means_:
                mine = rows & (lang == code)
                if mine.any() and mine.sum() >= _LANGUAGE_SHARE * rows.sum():
                    parts.append(f"{t}|{code}")
                    centroids.append(E[mine].mean(axis=0))
                    langs.append(code)
                    counts[parts[-1]] = int(mine.sum())
        if (pd.Series(langs).value_counts() < MIN_LABELS).any():
            return  # two parts a language: their centred centroids are opposite, no evidence
        found = group_labels(centred_similarity(np.array(centroids), langs), parts, langs, counts)
        root = {p: g[0] for g in found.groups for p in g}
        main = {
            t: max(
                (p for p in parts if p.startswith(f"{t}|")),
                key=lambda p: counts[p],
                default=f"{t}|",
            )
            for t in range(self.n_topics_)
        }  # tickets of a topic's small parts stay with its largest part
        key = [
            root.get(f"{t}|{c}", f"{t}|{c}" if f"{t}|{c}" in counts else main[t])
            for t, c in zip(self.labels_, lang, strict=True)
        ]
        codes, uniques = pd.factorize(pd.Series(key))
        if len(uniques) == self.n_topics_ and (codes == self.labels_).all():
            return
        number = {str(u): i for i, u in enumerate(uniques)}
        clusters = np.arange(self.kmeans_.n_clusters)
        top = {t: number[root.get(main[t], main[t])] for t in range(self.n_topics_)}
        for c in clusters:
            t = int(self.merged_[c])
            for p in parts:
                if p.startswith(f"{t}|"):
                    self.split_[(int(c), p.split("|", 1)[1])] = number[root.get(p, p)]
        self.merged_ = np.array([top[int(self.merged_[c])] for c in clusters])
        self.labels_ = codes
        self.n_topics_ = len(uniques)
        self._name(X)

    def _merge(self, X: list[str]) -> None:
        """Join topics that are one (:data:`MERGE_COSINE`, or the same naming terms), chained:
        ``merged_`` maps each k-means cluster to its topic, numbered by its first cluster."""
        k = self.n_topics_
        C = l2(np.asarray(self.kmeans_.cluster_centers_, dtype=float))
        root = list(range(k))

        def find(a: int) -> int:
            while root[a] != a:
                a = root[a]
            return a

        for a in range(k):
            for b in range(a + 1, k):
                same = bool(self.terms_[a]) and set(self.terms_[a]) == set(self.terms_[b])
                if same or float(C[a] @ C[b]) >= MERGE_COSINE:
                    root[find(b)] = find(a)
        roots = sorted({find(a) for a in range(k)})
        if len(roots) == k:
            return
        self.merged_ = np.array([roots.index(find(a)) for a in range(k)])
        self.labels_ = self.merged_[self.kmeans_.labels_]
        self.n_topics_ = len(roots)
        self._name(X)

    def _name(self, X: list[str]) -> None:
        """Each topic's name: its words that are both in at least :data:`_MIN_SHARE` of its
        tickets and more common in it than in all tickets, most over-represented first. A
        topic with no such word (greetings such as "在吗" hold only stop words) is named by its
        most common text; names that clash get that text added, then the topic number.

        The words are sought per language (:func:`~opsai.service.text.detect_language`): a
        topic's tickets in a language holding :data:`_LANGUAGE_SHARE` of them give a part of
        its name from their own words, over-represented against all that language's tickets,
        the largest language first, the parts joined by " · " ("recall / glass / fragments ·
        客服 / 太差"). A multilingual embedding clusters tickets of two languages together;
        ranked together, the words of the smaller language named a recall topic by "口味"
        (flavour), which no recall ticket held (byod12b D8)."""
        W = self.words_.transform(X).tocsr()
        vocab = self.words_.get_feature_names_out()
        ok = np.array([_is_term(w) for w in vocab], dtype=bool)
        overall = np.asarray(W.mean(axis=0)).ravel()
        present = (W > 0).astype(float).tocsr()
        share_all = np.asarray(present.mean(axis=0)).ravel()
        texts = pd.Series([re.sub(r"\s+", " ", t).strip() for t in X])
        lang = np.array([detect_language(t) for t in X], dtype=object)
        self.terms_: dict[int, list[str]] = {}
        self.parts_: dict[int, list[list[str]]] = {}
        common: dict[int, str] = {}

        def mean(M: Any, rows: np.ndarray) -> np.ndarray:
            return np.asarray(M[rows].mean(axis=0)).ravel() if rows.any() else np.zeros(len(vocab))

        every: dict[Any, tuple[np.ndarray, np.ndarray]] = {}  # a language's tickets' words
        for t in range(self.n_topics_):
            rows = self.labels_ == t
            share_in = mean(present, rows)
            base = ok & (mean(W, rows) > overall) & (share_in > share_all + 1e-9)
            base &= share_in >= _MIN_SHARE
            langs = pd.Series(lang[rows]).value_counts()
            langs = langs[(langs >= _LANGUAGE_SHARE * rows.sum()) & (langs.index != "und")]
            parts = []
            for k, code in enumerate(list(langs.index) or [None]):
                same = np.ones(len(X), dtype=bool) if code is None else lang == code
                if code not in every:
                    every[code] = mean(W, same), mean(present, same)
                w_all, p_all = every[code]
                inside, share_mine = mean(W, rows & same), mean(present, rows & same)
                keep = (
                    base
                    & (inside > w_all)
                    & (share_mine > p_all + 1e-9)
                    & (share_mine >= _MIN_SHARE)
                )
                lift = np.where(keep, inside - w_all, -np.inf)
                n = self.n_terms if k == 0 else max(1, self.n_terms - 1)
                top = np.argsort(-lift, kind="stable")[:n]
                if words := [str(vocab[i]) for i in top if np.isfinite(lift[i])]:
                    parts.append(words)
            self.parts_[t] = parts
            self.terms_[t] = [w for ws in parts for w in ws]
            common[t] = _most_common_text(texts[rows])
        names = {t: " · ".join(" / ".join(ws) for ws in self.parts_[t]) or common[t]
                 for t in self.terms_}  # fmt: skip
        clash = pd.Series(names).duplicated(keep=False)
        for t in clash[clash].index:
            if self.terms_[t]:
                names[t] = f"{names[t]} (e.g. {common[t]})"
        clash = pd.Series(names).duplicated(keep=False)
        self.names_ = {t: f"{n} #{t}" if clash[t] else n for t, n in names.items()}

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The nearest topic of each text."""
        if not hasattr(self, "kmeans_"):
            raise NotFittedError("TopicModel is not fitted yet: call fit(texts) first")
        X = self._mask(as_texts(texts))
        cluster = self.kmeans_.predict(self._embed(X, fit=False))
        topic = self.merged_[cluster]
        if self.split_:  # a topic split by language: the text's language part
            lang = [detect_language(t) for t in X]
            topic = np.array(
                [
                    self.split_.get((int(c), g), t)
                    for c, g, t in zip(cluster, lang, topic, strict=True)
                ]
            )
        return np.asarray(topic)

    def topic_table(self) -> pd.DataFrame:
        """``topic``, ``name``, ``size``, ``share`` and ``terms`` of each topic, largest first."""
        if not hasattr(self, "kmeans_"):
            raise NotFittedError("TopicModel is not fitted yet: call fit(texts) first")
        size = np.bincount(self.labels_, minlength=self.n_topics_)
        t = pd.DataFrame(
            {
                "topic": range(self.n_topics_),
                "name": [self.names_[i] for i in range(self.n_topics_)],
                "size": size,
                "share": size / size.sum(),
                "terms": [", ".join(self.terms_[i]) for i in range(self.n_topics_)],
            }
        )
        return t.sort_values("size", ascending=False, ignore_index=True)
