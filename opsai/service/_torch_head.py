"""A small torch classification head on fixed vectors (imported only when used).

One hidden layer with ReLU and dropout, trained with Adam on cross-entropy; training stops
when the log-loss on a stratified 10 % hold-out has not improved for ``patience`` epochs and
the best epoch's weights are kept. A temperature fitted on that hold-out calibrates the
probabilities.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from opsai.errors import NotFittedError
from opsai.service._features import stratified_split
from opsai.service._torch_text import _Adam, _fit_temperature
from opsai.threads import torch_threads


class MLPHead(ClassifierMixin, BaseEstimator):
    """One-hidden-layer network on dense vectors.

    Args:
        hidden: hidden units.
        dropout: dropout before the output layer.
        epochs: maximum epochs.
        lr: Adam learning rate.
        weight_decay: L2 penalty added to the loss.
        batch_size: minibatch size.
        patience: epochs without hold-out improvement before stopping.
        seed: torch initialisation, hold-out split and batch order.
    """

    def __init__(
        self,
        *,
        hidden: int = 256,
        dropout: float = 0.3,
        epochs: int = 40,
        lr: float = 1e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 64,
        patience: int = 4,
        seed: int = 0,
    ) -> None:
        self.hidden = hidden
        self.dropout = dropout
        self.epochs = epochs
        self.lr = lr
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.patience = patience
        self.seed = seed

    def _net(self, d_in: int, k: int) -> Any:
        import torch

        return torch.nn.Sequential(
            torch.nn.Linear(d_in, self.hidden),
            torch.nn.ReLU(),
            torch.nn.Dropout(self.dropout),
            torch.nn.Linear(self.hidden, k),
        )

    def fit(self, X: np.ndarray, y: np.ndarray) -> MLPHead:
        """Train on ``X`` (n, d) and labels ``y`` (one torch thread: see :mod:`opsai.threads`)."""
        import torch

        with torch_threads(1):
            return self._fit(torch, X, y)

    def _fit(self, torch: Any, X: np.ndarray, y: np.ndarray) -> MLPHead:
        X = np.asarray(X, dtype=np.float32)
        self.classes_, yi = np.unique(np.asarray(y), return_inverse=True)
        tr, va = stratified_split(np.arange(len(X)), yi, test_size=0.1, seed=self.seed)
        torch.manual_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        net = self._net(X.shape[1], len(self.classes_))
        params = list(net.parameters())
        opt = _Adam(params, lr=self.lr)
        Xt, yt = torch.from_numpy(X), torch.from_numpy(yi.astype(np.int64))
        loss_fn = torch.nn.CrossEntropyLoss()
        best, best_state, bad = np.inf, None, 0
        for _ in range(self.epochs):
            net.train()
            for b in np.array_split(rng.permutation(tr), max(1, len(tr) // self.batch_size)):
                idx = torch.from_numpy(b)
                loss = loss_fn(net(Xt[idx]), yt[idx])
                loss = loss + self.weight_decay * sum((p * p).sum() for p in params)
                for p in params:
                    p.grad = None
                loss.backward()
                opt.step()
            net.eval()
            with torch.no_grad():
                val = float(loss_fn(net(Xt[va]), yt[va]))
            if val < best - 1e-4:
                best, bad = val, 0
                best_state = {k: v.clone() for k, v in net.state_dict().items()}
            else:
                bad += 1
                if bad >= self.patience:
                    break
        if best_state is not None:
            net.load_state_dict(best_state)
        net.eval()
        with torch.no_grad():
            logits = net(Xt[va]).numpy()
        self.temperature_ = _fit_temperature(logits, yi[va])
        self.net_ = net
        z = logits / self.temperature_
        z = np.exp(z - z.max(axis=1, keepdims=True))
        self.holdout_ = (z / z.sum(axis=1, keepdims=True), self.classes_[yi[va]])
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Calibrated class probabilities."""
        if not hasattr(self, "net_"):
            raise NotFittedError("MLPHead is not fitted yet: call fit(X, y) first")
        import torch

        with torch.no_grad():
            z = self.net_(torch.from_numpy(np.asarray(X, dtype=np.float32))).numpy()
        z = z / self.temperature_
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most likely class."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def quantized(self) -> MLPHead:
        """A copy whose linear layers use dynamic int8 weights."""
        import copy
        import warnings

        import torch
        from torch.ao.quantization import quantize_dynamic

        if not hasattr(self, "net_"):
            raise NotFittedError("MLPHead is not fitted yet: call fit(X, y) first")
        q = copy.copy(self)
        with warnings.catch_warnings():  # torch.ao.quantization is deprecated for torchao
            warnings.simplefilter("ignore")
            q.net_ = quantize_dynamic(
                copy.deepcopy(self.net_), {torch.nn.Linear}, dtype=torch.qint8
            )
        return q

    def size_bytes(self) -> int:
        """Bytes of the serialised network weights."""
        import io

        import torch

        buf = io.BytesIO()
        torch.save(self.net_.state_dict(), buf)
        return buf.getbuffer().nbytes
