"""A small torch multi-layer perceptron with the scikit-learn classifier interface.

torch is imported when the model is fitted, not when :mod:`opsai.behavior` is imported.

Example:
    >>> clf = MLPClassifier(hidden=32, epochs=30, seed=0).fit(X, y)     # doctest: +SKIP
    >>> clf.predict_proba(X)[:, 1]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import StandardScaler

from opsai.errors import NotFittedError
from opsai.threads import torch_threads


def _prep(X: Any) -> np.ndarray:
    M = np.asarray(X, dtype=np.float64)
    M = np.where(np.isfinite(M), M, 0.0)
    return np.sign(M) * np.log1p(np.abs(M))  # tames counts and money


class MLPClassifier(ClassifierMixin, BaseEstimator):
    """Binary classifier: log1p + standardise, then Linear-ReLU-Dropout blocks and a logit.

    Args:
        hidden: units per hidden layer. layers: number of hidden layers.
        dropout: dropout rate. lr: Adam learning rate. weight_decay: L2 penalty.
        epochs: passes over the data. batch_size: mini-batch size.
        seed: seeds the weights and the batch order.

    Attributes:
        classes_: the two labels. scaler_: the fitted scaler. net_: the torch module.
    """

    def __init__(
        self,
        *,
        hidden: int = 32,
        layers: int = 2,
        dropout: float = 0.1,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        epochs: int = 40,
        batch_size: int = 256,
        seed: int = 0,
    ) -> None:
        self.hidden = hidden
        self.layers = layers
        self.dropout = dropout
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed

    def fit(
        self, X: Any, y: Any, *, on_epoch: Callable[[int, Any], None] | None = None
    ) -> MLPClassifier:
        """Train; ``on_epoch(epoch, self)`` runs after each epoch in eval mode (e.g. to report a
        validation score to an Optuna trial, which may raise ``optuna.TrialPruned``)."""
        import torch
        from torch import nn

        with torch_threads(1):
            return self._fit(torch, nn, X, y, on_epoch)

    def _fit(
        self,
        torch: Any,
        nn: Any,
        X: Any,
        y: Any,
        on_epoch: Callable[[int, Any], None] | None = None,
    ) -> MLPClassifier:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        target = (y == self.classes_[-1]).astype(np.float32)
        self.scaler_ = StandardScaler().fit(_prep(X))
        Z = self.scaler_.transform(_prep(X)).astype(np.float32)
        torch.manual_seed(self.seed)
        blocks: list[Any] = []
        width = Z.shape[1]
        for _ in range(self.layers):
            blocks += [nn.Linear(width, self.hidden), nn.ReLU(), nn.Dropout(self.dropout)]
            width = self.hidden
        self.net_ = nn.Sequential(*blocks, nn.Linear(width, 1))
        opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        loss_fn = nn.BCEWithLogitsLoss()
        xt, yt = torch.from_numpy(Z), torch.from_numpy(target)
        gen = torch.Generator().manual_seed(self.seed)
        self.net_.train()
        for epoch in range(self.epochs):
            order = torch.randperm(len(xt), generator=gen)
            for start in range(0, len(xt), self.batch_size):
                idx = order[start : start + self.batch_size]
                opt.zero_grad()
                loss = loss_fn(self.net_(xt[idx]).squeeze(1), yt[idx])
                loss.backward()
                opt.step()
            if on_epoch is not None:
                self.net_.eval()
                on_epoch(epoch, self)
                self.net_.train()
        self.net_.eval()
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        if not hasattr(self, "net_"):
            raise NotFittedError("MLPClassifier is not fitted yet: call fit(X, y) first")
        import torch

        Z = self.scaler_.transform(_prep(X)).astype(np.float32)
        with torch.no_grad():
            return self.net_(torch.from_numpy(Z)).squeeze(1).numpy().astype(np.float64)

    def predict_proba(self, X: Any) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]
