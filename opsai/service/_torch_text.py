"""A small fastText-style text classifier in PyTorch (imported only when used).

Character n-grams (within word boundaries) and words are looked up in a vocabulary built
on the training texts, averaged by an ``EmbeddingBag`` and mapped to intents by one linear
layer (Joulin et al., 2017, "Bag of Tricks for Efficient Text Classification"). A
temperature fitted on a 10 % hold-out calibrates the probabilities; the hold-out's
calibrated probabilities are kept (``holdout_``) for choosing a confidence threshold.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from opsai.errors import NotFittedError
from opsai.service._features import Preprocess
from opsai.service.text import Tokenizer
from opsai.threads import torch_threads


def _grams(text: str, ngrams: tuple[int, int], tok: Tokenizer) -> list[str]:
    out: list[str] = []
    for w in text.split(" "):
        w = f" {w} "
        for n in range(ngrams[0], ngrams[1] + 1):
            out += [w[i : i + n] for i in range(max(len(w) - n + 1, 0))]
    out += ["w:" + t for t in tok(text)]
    return out


class _Adam:
    """Adam (Kingma & Ba 2015) by hand: ``torch.optim`` imports torch._dynamo, which costs
    seconds of start-up for a model that trains in one."""

    def __init__(self, params: list[Any], *, lr: float, b1: float = 0.9, b2: float = 0.999) -> None:
        import torch

        self.params, self.lr, self.b1, self.b2, self.t = params, lr, b1, b2, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def step(self) -> None:
        import torch

        self.t += 1
        with torch.no_grad():
            for p, m, v in zip(self.params, self.m, self.v, strict=True):
                if p.grad is None:
                    continue
                m.mul_(self.b1).add_(p.grad, alpha=1 - self.b1)
                v.mul_(self.b2).addcmul_(p.grad, p.grad, value=1 - self.b2)
                m_hat = m / (1 - self.b1**self.t)
                v_hat = v / (1 - self.b2**self.t)
                p.sub_(self.lr * m_hat / (v_hat.sqrt() + 1e-8))


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising held-out log-loss, searched on a log grid."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20.0), 121))
    best, best_t = np.inf, 1.0
    for t in grid:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        nll = float(-(z[np.arange(len(y)), y] - np.log(np.exp(z).sum(axis=1))).mean())
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


class FastTextClassifier(ClassifierMixin, BaseEstimator):
    """fastText-style classifier; see the module docstring.

    Args:
        dim: embedding size.
        ngrams: character n-gram range.
        max_vocab: keep the most frequent n-grams only.
        epochs: passes over the data.
        lr: Adam learning rate.
        batch_size: texts per step.
        seed: torch and shuffling seed.
    """

    def __init__(
        self,
        *,
        dim: int = 64,
        ngrams: tuple[int, int] = (1, 3),
        max_vocab: int = 50_000,
        epochs: int = 12,
        lr: float = 0.02,
        batch_size: int = 64,
        seed: int = 0,
    ) -> None:
        self.dim = dim
        self.ngrams = ngrams
        self.max_vocab = max_vocab
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.seed = seed

    def _ids(self, grams: list[str]) -> list[int]:
        return [self.vocab_[x] for x in grams if x in self.vocab_] or [0]

    @staticmethod
    def _pack(rows: Sequence[list[int]]) -> tuple[Any, Any]:
        import torch

        offsets = np.cumsum([0] + [len(r) for r in rows[:-1]])
        flat = [i for r in rows for i in r]
        return torch.tensor(flat, dtype=torch.long), torch.tensor(offsets, dtype=torch.long)

    def _rows(self, texts: Sequence[str]) -> list[list[int]]:
        """Each text's vocabulary ids (``[0]`` when it has none)."""
        return [self._ids(_grams(self._pre(t), self.ngrams, self._tok)) for t in texts]

    def _encode(self, texts: Sequence[str]) -> tuple[Any, Any]:
        return self._pack(self._rows(texts))

    def fit(self, texts: Sequence[str], y: Sequence[str]) -> FastTextClassifier:
        """Train (one torch thread: see :mod:`opsai.threads`)."""
        import torch
        from torch import nn

        with torch_threads(1):
            return self._fit(torch, nn, texts, y)

    def _fit(
        self, torch: Any, nn: Any, texts: Sequence[str], y: Sequence[str]
    ) -> FastTextClassifier:
        self._pre = Preprocess()
        self._tok = Tokenizer(normalise=False)
        rng = np.random.default_rng(self.seed)
        torch.manual_seed(self.seed)
        texts = list(texts)
        self.classes_, yi = np.unique(np.asarray(y, dtype=object), return_inverse=True)
        grams = [_grams(self._pre(t), self.ngrams, self._tok) for t in texts]
        counts: Counter[str] = Counter()
        for g in grams:
            counts.update(set(g))  # document frequency
        # ties by the gram itself, not by set order (hashed): the ids, and so the seeded initial
        # weights they index, are the same in every process, whatever PYTHONHASHSEED is
        kept = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: self.max_vocab]
        self.vocab_ = {g: i + 1 for i, (g, _) in enumerate(kept)}
        rows = [self._ids(g) for g in grams]
        perm = rng.permutation(len(texts))
        n_hold = len(texts) // 10 if len(texts) >= 50 else 0
        hold, train = perm[:n_hold], perm[n_hold:]
        self.net_ = nn.Sequential()
        self.net_.add_module("emb", nn.EmbeddingBag(len(self.vocab_) + 1, self.dim, mode="mean"))
        self.net_.add_module("out", nn.Linear(self.dim, len(self.classes_)))
        params = list(self.net_.parameters())
        adam = _Adam(params, lr=self.lr)
        target = torch.tensor(yi, dtype=torch.long)
        loss_fn = nn.CrossEntropyLoss()
        self.net_.train()
        for _ in range(self.epochs):
            order = train[rng.permutation(len(train))]
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                ids, offs = self._pack([rows[i] for i in idx])
                for p in params:
                    p.grad = None
                loss = loss_fn(self._forward(ids, offs), target[idx])
                loss.backward()
                adam.step()
        self.net_.eval()
        self.temperature_ = 1.0
        self.holdout_: tuple[np.ndarray, np.ndarray] | None = None
        if n_hold:
            with torch.no_grad():
                logits = self._forward(*self._pack([rows[i] for i in hold])).numpy()
            self.temperature_ = _fit_temperature(logits, yi[hold])
            z = logits / self.temperature_
            z = np.exp(z - z.max(axis=1, keepdims=True))
            self.holdout_ = (z / z.sum(axis=1, keepdims=True), self.classes_[yi[hold]])
        return self

    def _forward(self, ids: Any, offs: Any) -> Any:
        net: Any = self.net_
        return net.out(net.emb(ids, offs))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        if not hasattr(self, "net_"):
            raise NotFittedError("FastTextClassifier is not fitted yet: call fit(texts, y) first")
        with torch.no_grad():
            logits = self._forward(*self._encode(list(texts))) / self.temperature_
            return torch.softmax(logits, dim=1).numpy().astype(float)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def quantized(self) -> FastTextClassifier:
        """A copy with int8 weights (embedding: per-row float qparams; linear: dynamic)."""
        import copy

        from opsai.optimize.compress import quantize

        q = copy.copy(self)
        q.net_ = quantize(self.net_)
        return q

    def size_bytes(self) -> int:
        """Bytes of the serialised network weights plus the vocabulary."""
        import io
        import pickle

        import torch

        buf = io.BytesIO()
        torch.save(self.net_.state_dict(), buf)
        return buf.getbuffer().nbytes + len(pickle.dumps(self.vocab_))
