"""A global neural forecaster (the book's 4.5): a torch MLP on the global model's features.

Same features, per-series scaling, recursion and conformal intervals as
:class:`~opsai.forecast.ml.GlobalGBM`; the regressor is a small multilayer perceptron with a
log link trained on the Poisson deviance (counts) or squared error. torch is imported only
when the model is fitted.

Example:
    >>> GlobalMLP(season_length=7, epochs=30, seed=0).fit(df).predict(28, level=[95])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np

from opsai.forecast.ml import GlobalModel
from opsai.threads import torch_threads


class _TorchMLP:
    """``fit(X, y)``/``predict(X)`` for a feed-forward network.

    Features are standardised and clipped to 5 s.d. (NaN lags become the mean).
    """

    def __init__(self, *, hidden: int, layers: int, epochs: int, lr: float, weight_decay: float,
                 batch_size: int, loss: str, seed: int, threads: int) -> None:  # fmt: skip
        self.hidden, self.layers, self.epochs = hidden, layers, epochs
        self.lr, self.weight_decay, self.batch_size = lr, weight_decay, batch_size
        self.loss, self.seed, self.threads = loss, seed, threads

    def _prep(self, X: np.ndarray) -> np.ndarray:
        Z = np.clip((X - self.mu_) / self.sd_, -5.0, 5.0)  # no wild extrapolation
        return np.nan_to_num(Z, nan=0.0).astype(np.float32)

    def fit(self, X: np.ndarray, y: np.ndarray) -> _TorchMLP:
        import torch

        self.mu_ = np.nanmean(X, axis=0)
        self.mu_ = np.where(np.isfinite(self.mu_), self.mu_, 0.0)
        sd = np.nanstd(X, axis=0)
        self.sd_ = np.where(np.isfinite(sd) & (sd > 0), sd, 1.0)
        with torch_threads(self.threads):
            gen = torch.Generator().manual_seed(self.seed)
            torch.manual_seed(self.seed)
            blocks: list[torch.nn.Module] = []
            width = X.shape[1]
            for _ in range(self.layers):
                blocks += [torch.nn.Linear(width, self.hidden), torch.nn.ReLU()]
                width = self.hidden
            blocks.append(torch.nn.Linear(width, 1))
            self.net_ = torch.nn.Sequential(*blocks)
            xt = torch.from_numpy(self._prep(X))
            yt = torch.from_numpy(y.astype(np.float32))
            opt = torch.optim.Adam(
                self.net_.parameters(), lr=self.lr, weight_decay=self.weight_decay
            )
            crit: Any = torch.nn.PoissonNLLLoss(log_input=True) if self.loss == "poisson" else None
            for _ in range(self.epochs):
                perm = torch.randperm(len(xt), generator=gen)
                for k in range(0, len(xt), self.batch_size):
                    idx = perm[k : k + self.batch_size]
                    out = self.net_(xt[idx]).squeeze(-1)
                    if crit is not None:
                        loss = crit(out, yt[idx])
                    else:
                        loss = torch.mean((torch.exp(out) - yt[idx]) ** 2)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            out = self.net_(torch.from_numpy(self._prep(X))).squeeze(-1)
        return np.asarray(torch.exp(out).numpy(), dtype=float)


class GlobalMLP(GlobalModel):
    """A multilayer perceptron over all series at once (lags, rolling means, calendar, promo).

    Args:
        season_length: ``m``; sets the default lags ``1, 2, 3, m, 2m`` and rolling windows.
        lags: lags to use instead of the default.
        windows: rolling-mean windows (default ``m`` and ``4m``).
        loss: ``poisson`` (counts; default) or ``squared_error`` (both with a log link).
        hidden: units per hidden layer.
        layers: hidden layers.
        epochs: passes over the training rows.
        learning_rate: Adam step.
        weight_decay: L2 penalty.
        batch_size: rows per step.
        train_window: train on the last ``train_window`` periods of each series only.
        tune_trials: when > 0, tune width, depth, learning rate and weight decay with
            :func:`opsai.optimize.tune` on the last ``2m`` periods before fitting.
        n_jobs: torch CPU threads.
        alias: column name in predictions.
        seed: random seed (initial weights, batches, tuning sampler).
    """

    cyclic_calendar = True

    def __init__(
        self,
        *,
        season_length: int = 7,
        lags: Sequence[int] | None = None,
        windows: Sequence[int] | None = None,
        loss: Literal["poisson", "squared_error"] = "poisson",
        hidden: int = 32,
        layers: int = 2,
        epochs: int = 20,
        learning_rate: float = 3e-3,
        weight_decay: float = 1e-4,
        batch_size: int = 256,
        train_window: int | None = None,
        tune_trials: int = 0,
        n_jobs: int | None = 1,
        alias: str | None = None,
        seed: int = 0,
    ) -> None:
        self.season_length = season_length
        self.lags = lags
        self.windows = windows
        self.loss = loss
        self.hidden = hidden
        self.layers = layers
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.train_window = train_window
        self.tune_trials = tune_trials
        self.n_jobs = n_jobs
        self.alias = alias
        self.seed = seed

    def _estimator(self, params: dict[str, Any]) -> Any:
        return _TorchMLP(
            hidden=int(params.get("hidden", self.hidden)),
            layers=int(params.get("layers", self.layers)),
            epochs=int(self.epochs),
            lr=float(params.get("learning_rate", self.learning_rate)),
            weight_decay=float(params.get("weight_decay", self.weight_decay)),
            batch_size=int(self.batch_size),
            loss=self.loss,
            seed=int(self.seed),
            threads=int(self.n_jobs or 1),
        )

    def _space(self, trial: Any) -> dict[str, Any]:
        return {
            "hidden": trial.suggest_categorical("hidden", [16, 32, 64]),
            "layers": trial.suggest_int("layers", 1, 3),
            "learning_rate": trial.suggest_float("learning_rate", 3e-4, 3e-2, log=True),
            "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        }
