"""Classifiers on sentence embeddings.

* :class:`EmbeddingClassifier` embeds texts with :func:`opsai.embed.embed` (``"use"``:
  multilingual, Chinese + English; ``"minilm"``: English; several names are concatenated) and
  fits a logistic regression, or a small torch network (``head="mlp"``: one hidden layer,
  dropout, early stopping on a 10 % hold-out) on the vectors. Vectors are cached by text
  hash, so refitting on other folds costs only the head.
* :class:`~opsai.service.sentiment.SentimentEnsemble` stacks them with the sparse NB-LR model
  and the lexicon for sentiment.

Example:
    >>> clf = EmbeddingClassifier(encoder="use", seed=0).fit(texts, labels)   # doctest: +SKIP
    >>> clf.predict(["退款什么时候到账", "where is my refund?"])             # doctest: +SKIP
    array(['refund', 'refund'], dtype=object)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from opsai.embed import MODELS, embed
from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service._features import as_labels, as_texts

__all__ = ["EmbeddingClassifier", "embed_texts"]

EncoderSpec = str | Sequence[str] | Callable[[list[str]], Any]


def embed_texts(texts: list[str], encoder: EncoderSpec, *, cache: bool = True) -> np.ndarray:
    """Vectors of ``texts`` for an encoder spec: a model name, several names
    (concatenated, each block of unit length) or a callable ``texts -> array``."""
    if callable(encoder):
        E = np.asarray(encoder(texts), dtype=np.float32)
        if E.ndim != 2 or len(E) != len(texts):
            raise OpsaiError(
                f"encoder: expected a 2-D array with one row per text, got shape {E.shape}"
            )
        return E
    names = [encoder] if isinstance(encoder, str) else list(encoder)
    if not names:
        raise ConfigError("encoder: name at least one model, e.g. encoder='use'")
    for n in names:
        if n not in MODELS:
            raise ConfigError(
                f"encoder={n!r} is unknown; choose from {sorted(MODELS)} or pass a callable"
            )
    blocks = [embed(texts, model=n, cache=cache) for n in names]  # type: ignore[arg-type]
    return blocks[0] if len(blocks) == 1 else np.hstack(blocks)


class EmbeddingClassifier(ClassifierMixin, BaseEstimator):
    """A classifier on sentence embeddings.

    Args:
        encoder: ``"use"`` (multilingual), ``"minilm"`` (English), a tuple of both
            (concatenated) or a callable ``list of texts -> 2-D array``.
        head: ``"logreg"`` (logistic regression) or ``"mlp"`` (torch, one hidden layer).
        C: inverse regularisation of the logistic regression.
        hidden: hidden units of the ``"mlp"`` head.
        dropout: dropout of the ``"mlp"`` head.
        epochs: maximum epochs of the ``"mlp"`` head (early stopping on a 10 % hold-out).
        cache: cache vectors on disk (see :func:`opsai.embed.embed`).
        seed: random seed (solver, torch initialisation, hold-out and batches).
    """

    def __init__(
        self,
        *,
        encoder: EncoderSpec = "use",
        head: Literal["logreg", "mlp"] = "logreg",
        C: float = 4.0,
        hidden: int = 256,
        dropout: float = 0.3,
        epochs: int = 40,
        cache: bool = True,
        seed: int = 0,
    ) -> None:
        self.encoder = encoder
        self.head = head
        self.C = C
        self.hidden = hidden
        self.dropout = dropout
        self.epochs = epochs
        self.cache = cache
        self.seed = seed

    def _vectors(self, texts: Iterable[str]) -> np.ndarray:
        return embed_texts(as_texts(texts), self.encoder, cache=self.cache)

    def fit(self, texts: Iterable[str], y: Iterable[object]) -> EmbeddingClassifier:
        """Embed ``texts`` and fit the head on ``y`` (at least two classes)."""
        X = as_texts(texts)
        labels = as_labels(y, len(X))
        self.classes_ = np.unique(labels)
        if len(self.classes_) < 2:
            raise OpsaiError(f"y: need at least two classes, got {list(self.classes_)}")
        E = self._vectors(X)
        if self.head == "logreg":
            self.model_: Any = LogisticRegression(
                C=self.C, max_iter=3000, random_state=self.seed
            ).fit(E, labels)
        elif self.head == "mlp":
            from opsai.service._torch_head import MLPHead

            self.model_ = MLPHead(
                hidden=self.hidden, dropout=self.dropout, epochs=self.epochs, seed=self.seed
            ).fit(E, labels)
        else:
            raise ConfigError(f"head={self.head!r}: use 'logreg' or 'mlp'")
        self.dim_ = int(E.shape[1])
        return self

    def _check(self) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError("EmbeddingClassifier is not fitted yet: call fit(texts, y) first")

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probabilities, one column per class in ``classes_``."""
        self._check()
        return np.asarray(self.model_.predict_proba(self._vectors(texts)))

    def predict(self, texts: Iterable[str]) -> np.ndarray:
        """The most likely class per text."""
        self._check()
        return np.asarray(self.classes_[self.predict_proba(texts).argmax(axis=1)], dtype=object)

    @property
    def holdout_(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The torch head's calibrated hold-out probabilities and labels (else ``None``)."""
        return getattr(getattr(self, "model_", None), "holdout_", None)

    def quantized(self) -> EmbeddingClassifier:
        """A copy with a dynamic-int8 torch head (``head="mlp"`` only)."""
        import copy

        self._check()
        if self.head != "mlp":
            raise ConfigError("quantized(): only head='mlp' has a torch network to quantise")
        q = copy.copy(self)
        q.model_ = self.model_.quantized()
        return q

    def size_bytes(self) -> int:
        """Bytes of the fitted head (the encoder's weights are shared and not counted)."""
        import pickle

        self._check()
        if hasattr(self.model_, "size_bytes"):
            return int(self.model_.size_bytes())
        return len(pickle.dumps(self.model_))

    def decision_function(self, texts: Iterable[str]) -> np.ndarray:
        """Log-odds of the positive class (two classes) or log-probabilities."""
        p = np.clip(self.predict_proba(texts), 1e-7, 1 - 1e-7)
        return np.log(p[:, 1] / p[:, 0]) if p.shape[1] == 2 else np.log(p)
