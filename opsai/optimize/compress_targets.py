"""The chapters' torch models as compression :class:`~opsai.optimize.compress.Target` s.

Each builder trains the chapter's own model with its own code (nothing re-implemented):

* :func:`intent_target` — :class:`opsai.service.IntentClassifier` ``model="torch"`` (a
  fastText-style ``EmbeddingBag`` + ``Linear``); metric: accuracy on held-out tickets;
  student: the same architecture with a narrower embedding;
* :func:`forecast_target` — :class:`opsai.forecast.neural.GlobalMLP`; metric: WAPE of the
  recursive forecast over the last ``h`` periods (held out); student: one narrow hidden layer
  trained on the teacher's outputs (MSE);
* :func:`churn_target` — :class:`opsai.behavior.mlp.MLPClassifier` with the churn chapter's
  default parameters; metric: ROC-AUC on the test rows; student: one narrow hidden layer
  trained on the teacher's softened probabilities.

Latency is timed on the network itself (a fixed held-out batch already encoded), the part
compression changes; tokenising and feature building cost the same for every variant.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, SchemaError
from opsai.optimize.compress import Target, distill

__all__ = ["churn_target", "forecast_target", "intent_target"]


def _capture(net: Any, call: Callable[[], Any]) -> Any:
    """The tensors ``net`` receives while ``call()`` runs, concatenated along rows."""
    import torch

    seen: list[Any] = []
    hook = net.register_forward_pre_hook(lambda _m, args: seen.append(args[0].detach()))
    try:
        call()
    finally:
        hook.remove()
    return torch.cat(seen)


def _mlp(width: int, hidden: int, out: int, seed: int) -> Any:
    import torch
    from torch import nn

    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, out))


def intent_target(
    train_texts: Sequence[str],
    train_labels: Sequence[object],
    test_texts: Sequence[str],
    test_labels: Sequence[object],
    *,
    epochs: int = 12,
    student_dim: int = 16,
    distill_epochs: int = 20,
    temperature: float = 2.0,
    seed: int = 0,
) -> Target:
    """Train the torch intent classifier and wrap it (metric: held-out accuracy)."""
    import torch
    from torch import nn

    from opsai.service import IntentClassifier

    if student_dim < 1:
        raise ConfigError(f"intent_target: student_dim must be >= 1, got {student_dim}")
    tx, tt = [str(t) for t in train_texts], [str(t) for t in test_texts]
    clf = IntentClassifier(model="torch", threshold=None, epochs=epochs, seed=seed)
    clf.fit(tx, [str(y) for y in train_labels])
    ft = clf.pipeline_
    y_test = np.asarray([str(y) for y in test_labels], dtype=object)

    def evaluate(net: Any) -> float:
        m = copy.copy(ft)
        m.net_ = net
        return float(np.mean(m.predict(tt) == y_test))

    def run(net: Any, ids: Any, offs: Any) -> Any:
        return net.out(net.emb(ids, offs))

    ids, offs = ft._encode(tt)

    def student(s: int) -> Any:
        rows = ft._rows(tx)  # the ids _encode packs, without a tensor per text
        with torch.no_grad():
            teacher = run(ft.net_, *ft._pack(rows))
        hard = torch.tensor(
            np.searchsorted(ft.classes_.astype(str), [str(y) for y in train_labels])
        )
        torch.manual_seed(s)
        net = nn.Sequential()
        net.add_module("emb", nn.EmbeddingBag(len(ft.vocab_) + 1, student_dim, mode="mean"))
        net.add_module("out", nn.Linear(student_dim, len(ft.classes_)))
        return distill(net, lambda idx: ft._pack([rows[i] for i in idx]), teacher,
                       kind="softmax", hard=hard, temperature=temperature, epochs=distill_epochs,
                       lr=0.02, batch_size=64, forward=run, seed=s)  # fmt: skip

    return Target(name="intent", net=ft.net_, evaluate=evaluate, metric="accuracy",
                  higher_is_better=True, forward=lambda net: run(net, ids, offs),
                  n_items=len(tt), student=student)  # fmt: skip


def forecast_target(
    df: pd.DataFrame,
    *,
    h: int = 28,
    season_length: int = 7,
    epochs: int = 20,
    student_hidden: int = 8,
    distill_epochs: int = 30,
    seed: int = 0,
) -> Target:
    """Train :class:`~opsai.forecast.neural.GlobalMLP` on all but the last ``h`` periods of each
    series and wrap it (metric: WAPE of the ``h``-step forecast of those periods)."""
    import torch

    from opsai.forecast.metrics import wape
    from opsai.forecast.neural import GlobalMLP

    if h < 1:
        raise ConfigError(f"forecast_target: h must be >= 1, got {h}")
    for c in (ITEM_ID, TIMESTAMP, QUANTITY):
        if c not in df.columns:
            raise SchemaError(f"forecast_target: df has no {c!r} column (long demand frame)")
    g = df.groupby(ITEM_ID, sort=False)
    train, test = g.head(-h), g.tail(h)
    m: Any = GlobalMLP(season_length=season_length, epochs=epochs, seed=seed).fit(train)
    est = m.model_

    def with_net(net: Any) -> Any:
        mm = copy.copy(m)
        mm.model_ = copy.copy(est)
        mm.model_.net_ = net
        return mm

    def evaluate(net: Any) -> float:
        f = with_net(net).predict(h, X_future=test).merge(test, on=[ITEM_ID, TIMESTAMP])
        return float(wape(f[QUANTITY].to_numpy(float), f[m.name].to_numpy(float)))

    batch = _capture(est.net_, lambda: m.predict(h, X_future=test))

    def student(s: int) -> Any:
        X, _, _ = m._design(train, skip=1)
        Z = torch.from_numpy(est._prep(X[:, m.keep_]))
        with torch.no_grad():
            teacher = est.net_(Z).squeeze(-1)
        net = _mlp(Z.shape[1], student_hidden, 1, s)
        return distill(net, lambda idx: (Z[idx],), teacher, kind="mse",
                       epochs=distill_epochs, lr=3e-3, batch_size=256, seed=s)  # fmt: skip

    return Target(name="forecast", net=est.net_, evaluate=evaluate, metric="wape",
                  higher_is_better=False, forward=lambda net: net(batch),
                  n_items=int(batch.shape[0]), student=student)  # fmt: skip


def churn_target(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    features: Sequence[str] | None = None,
    label: str = "churned",
    student_hidden: int = 8,
    distill_epochs: int = 60,
    temperature: float = 2.0,
    seed: int = 0,
) -> Target:
    """Train the churn chapter's torch MLP (default parameters) and wrap it (metric: test
    ROC-AUC)."""
    import torch
    from sklearn.metrics import roc_auc_score

    from opsai.behavior.churn_model import DEFAULTS
    from opsai.behavior.mlp import MLPClassifier

    for name, frame in (("train", train), ("test", test)):
        if label not in frame.columns:
            raise SchemaError(f"churn_target: {name} has no {label!r} column; pass label=")
    cols = list(features) if features is not None else [
        c for c in train.columns if c not in (label, "future_value")
    ]  # fmt: skip
    Xtr, Xte = train[cols].to_numpy(float), test[cols].to_numpy(float)
    ytr, yte = train[label].astype(int).to_numpy(), test[label].astype(int).to_numpy()
    est = MLPClassifier(seed=seed, **DEFAULTS["mlp"]).fit(Xtr, ytr)

    def evaluate(net: Any) -> float:
        e = copy.copy(est)
        e.net_ = net
        return float(roc_auc_score(yte, e.predict_proba(Xte)[:, 1]))

    batch = _capture(est.net_, lambda: est.decision_function(Xte))

    def student(s: int) -> Any:
        Z = _capture(est.net_, lambda: est.decision_function(Xtr))
        with torch.no_grad():
            teacher = est.net_(Z).squeeze(1)
        hard = torch.from_numpy((ytr == est.classes_[-1]).astype(np.float32))
        net = _mlp(Z.shape[1], student_hidden, 1, s)
        return distill(net, lambda idx: (Z[idx],), teacher, kind="sigmoid", hard=hard,
                       temperature=temperature, epochs=distill_epochs, lr=3e-3,
                       batch_size=128, seed=s)  # fmt: skip

    return Target(name="churn", net=est.net_, evaluate=evaluate, metric="roc_auc",
                  higher_is_better=True, forward=lambda net: net(batch),
                  n_items=int(batch.shape[0]), student=student)  # fmt: skip
