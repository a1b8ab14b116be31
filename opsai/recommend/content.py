"""Content-based recommendation: items described by their text, users by what they chose.

Each item's title, category and description (whichever the catalogue has) become one vector —
TF-IDF (scikit-learn) or a sentence embedding (:func:`opsai.embed.embed`: all-MiniLM-L6-v2 for
English, the multilingual Universal Sentence Encoder for Chinese and English, both carried by
packages and cached per text) — a user's profile is the weighted sum of the vectors of their
items and an item's score its cosine similarity to that profile. Items nobody has touched yet are scored like
any other, which is what makes this model the cold-start half of
:class:`~opsai.recommend.hybrid.Hybrid`.

Example:
    >>> import pandas as pd
    >>> items = pd.DataFrame({"item_id": ["a", "b", "c"],
    ...                       "title": ["green tea", "black tea", "steel mug"]})
    >>> pairs = pd.DataFrame({"user_id": ["u"], "item_id": ["a"]})
    >>> model = ContentRecommender().fit(pairs, items=items)
    >>> model.recommend(["u"], k=1)["item_id"].tolist()
    ['b']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from opsai.data.schema import CATEGORY, DESCRIPTION, ITEM_ID, TITLE
from opsai.errors import ConfigError, SchemaError
from opsai.recommend.interactions import InteractionMatrix
from opsai.recommend.models import ItemSimilarity, as_matrix

Encoder = Literal["tfidf", "minilm", "use"]
ENCODERS: tuple[str, ...] = ("tfidf", "minilm", "use")
"""Item text encoders: TF-IDF, or the sentence-embedding models of :mod:`opsai.embed`."""

DEFAULT_FIELDS: tuple[str, ...] = (TITLE, CATEGORY, DESCRIPTION, "genres", "brand")
"""Item columns used when present (extra ones such as MovieLens ``genres`` included)."""


def item_text(items: pd.DataFrame, fields: Sequence[str] = DEFAULT_FIELDS) -> pd.Series:
    """One text per item: the present ``fields`` joined (``|`` separators become spaces).

    The category is repeated as a single token (``cat_<value>``) so two items of one category
    share a feature even when their titles have no word in common.
    """
    present = [f for f in fields if f in items.columns]
    if not present:
        raise SchemaError(
            f"items: none of the text columns {', '.join(fields)} found "
            f"(have: {', '.join(map(str, items.columns))}); map title/category in the config"
        )
    parts = []
    for f in present:
        col = items[f].astype("string").fillna("")
        if f == CATEGORY:
            col = "cat_" + col.str.replace(r"\W+", "_", regex=True).where(col != "", "")
        parts.append(col.str.replace("|", " ", regex=False))
    text = parts[0]
    for p in parts[1:]:
        text = text + " " + p
    return pd.Series(text.str.strip().to_numpy(), index=items[ITEM_ID].astype(str).to_numpy())


def item_sentence(items: pd.DataFrame, fields: Sequence[str] = DEFAULT_FIELDS) -> pd.Series:
    """One readable sentence per item for embedding models: present fields joined by ". "."""
    present = [f for f in fields if f in items.columns]
    if not present:
        item_text(items, fields)  # raises the SchemaError naming the fields
    parts = [
        items[f].astype("string").fillna("").str.replace("|", ", ", regex=False).str.strip()
        for f in present
    ]
    out = [". ".join(p for p in row if p) for row in zip(*parts, strict=True)]
    return pd.Series(out, index=items[ITEM_ID].astype(str).to_numpy(), dtype=object)


def _mostly_chinese(text: pd.Series, sample: int = 2000) -> bool:
    """Whether most of (a sample of) the non-empty texts are Chinese."""
    from opsai.service.text import detect_language

    t = text[text != ""]
    t = t.sample(sample, random_state=0) if len(t) > sample else t
    return bool(len(t)) and float(np.mean([detect_language(x) == "zh" for x in t])) >= 0.5


class ContentRecommender(ItemSimilarity):
    """Item text vectors (TF-IDF or sentence embeddings) and cosine similarity to the history.

    Args:
        fields: item columns to read (the present ones are used).
        encoder: ``"tfidf"``; ``"minilm"`` (English sentence embeddings) or ``"use"``
            (multilingual, Chinese + English) through :func:`opsai.embed.embed`, which needs
            their carrier packages (``EmbeddingUnavailableError`` says what to install).
        analyzer: ``"word"`` for space-separated languages, ``"char_wb"`` for Chinese or
            short noisy titles; ``"auto"``: ``"char_wb"`` when most item texts are Chinese
            (a Chinese title has no spaces, so as words each title is one token shared with
            no other item), else ``"word"``. The one used is ``analyzer_``.
        ngram_range: n-gram sizes (TF-IDF).
        max_features: vocabulary cap (TF-IDF).
        min_df: drop terms in fewer items than this (TF-IDF).
    """

    item_vectors_: np.ndarray | sp.csr_matrix

    def __init__(
        self,
        *,
        fields: Sequence[str] = DEFAULT_FIELDS,
        encoder: Encoder = "tfidf",
        analyzer: Literal["auto", "word", "char_wb"] = "auto",
        ngram_range: tuple[int, int] = (1, 1),
        max_features: int | None = 20_000,
        min_df: int = 1,
    ) -> None:
        self.fields = fields
        self.encoder = encoder
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.max_features = max_features
        self.min_df = min_df

    def fit(
        self,
        interactions: InteractionMatrix | pd.DataFrame,
        *,
        items: pd.DataFrame | None = None,
    ) -> ContentRecommender:
        """Vectorise the catalogue and keep the training interactions.

        Args:
            interactions: training interactions; build them with the catalogue's items
                (``InteractionMatrix.from_frame(pairs, items=...)``) to score cold items too.
            items: the catalogue with ``item_id`` and text columns.
        """
        if items is None or ITEM_ID not in getattr(items, "columns", ()):
            raise ConfigError(
                "ContentRecommender.fit needs items=<catalogue frame with item_id and title/"
                "category/description>"
            )
        if self.encoder not in ENCODERS:
            raise ConfigError(
                f"ContentRecommender: encoder must be one of {', '.join(ENCODERS)}, "
                f"got {self.encoder!r}"
            )
        self.interactions_ = as_matrix(
            interactions, None if items is None else items[ITEM_ID].astype(str)
        )
        catalogue = items.drop_duplicates(ITEM_ID)
        if self.encoder != "tfidf":
            from opsai.embed import embed

            sentences = item_sentence(catalogue, self.fields)
            sentences = sentences.reindex(self.interactions_.item_ids).fillna("")
            V = embed(sentences.tolist(), model=self.encoder)
            V[(sentences == "").to_numpy()] = 0.0
            self.vectorizer_ = None
            self.item_vectors_ = V.astype(np.float32)
            self.has_text_ = (sentences != "").to_numpy()
            return self
        from sklearn.feature_extraction.text import TfidfVectorizer

        text = item_text(catalogue, self.fields)
        text = text.reindex(self.interactions_.item_ids).fillna("")
        self.analyzer_ = self.analyzer
        if self.analyzer == "auto":
            self.analyzer_ = "char_wb" if _mostly_chinese(text) else "word"
        vec = TfidfVectorizer(
            analyzer=self.analyzer_,
            ngram_range=tuple(self.ngram_range),
            max_features=self.max_features,
            min_df=self.min_df,
            sublinear_tf=True,
        )
        try:
            V = vec.fit_transform(text.to_numpy())
        except ValueError as e:  # empty vocabulary
            raise SchemaError(f"items: no usable text in {', '.join(self.fields)} ({e})") from e
        self.vectorizer_ = vec
        self.item_vectors_ = sp.csr_matrix(V, dtype=np.float32)
        self.has_text_ = np.asarray(self.item_vectors_.getnnz(axis=1) > 0)
        return self

    def _fit(self, X: sp.csr_matrix) -> None:  # pragma: no cover - fit is overridden
        raise NotImplementedError

    def _score(self, rows: np.ndarray) -> np.ndarray:
        V = self.item_vectors_
        profile = self.interactions_.matrix[rows] @ V
        if sp.issparse(profile):
            norms = np.sqrt(np.asarray(profile.multiply(profile).sum(axis=1))).ravel()
            out = (profile @ V.T).toarray()
        else:
            profile = np.asarray(profile)
            norms = np.linalg.norm(profile, axis=1)
            out = profile @ V.T
        return (out / np.maximum(norms, 1e-12)[:, None]).astype(np.float32)

    def pair_weights(self, history: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Cosine similarity of the history items to the targets."""
        self._check_fitted()
        V = self.item_vectors_
        sim = V[history] @ V[targets].T
        return np.asarray(sim.toarray() if sp.issparse(sim) else sim, dtype=np.float64)
