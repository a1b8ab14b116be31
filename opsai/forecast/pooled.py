"""A pooled (global) direct multi-horizon network on windows normalised by their level.

One small torch MLP is trained across every series on all their windows: the last
``input_size`` values, divided by the mean of the window's last season (its *level*), map to the
next ``horizon`` values divided by the same level; the network adds its output to 1 (a forecast
of "the level") and is trained on the mean absolute error of the scaled values. The whole
horizon comes out at once (no recursion). Global models trained this way beat per-series
statistical models on the M3 monthly data (Oreshkin et al. 2020, N-BEATS; Montero-Manso &
Hyndman 2021, "Principles and algorithms for forecasting groups of time series: locality and
globality"), with a few networks of different seeds averaged. Intervals are split-conformal
on the scaled errors of a refit with each series' last ``horizon`` periods held out, pooled over
series, per step.

Example:
    >>> PooledMLP(season_length=12, horizon=18, seed=0).fit(df).predict(18)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast.base import Forecaster, conformal_halfwidths
from opsai.threads import torch_threads

Bands = dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]]


def _levels(x: np.ndarray, m: int) -> np.ndarray:
    """Mean of each row's last ``m`` values; the row's mean absolute value (or 1) when that
    is not positive."""
    lv = x[:, -m:].mean(axis=1)
    alt = np.abs(x).mean(axis=1)
    return np.where(lv > 0, lv, np.where(alt > 0, alt, 1.0))


def _pad(y: np.ndarray, size: int) -> np.ndarray:
    """The last ``size`` values, left-padded with the first value when the series is short."""
    y = y[-size:]
    return np.r_[np.full(size - len(y), y[0] if len(y) else 0.0), y]


class PooledMLP(Forecaster):
    """Global direct multi-horizon MLP (an N-BEATS-like model without the stacks).

    Args:
        season_length: ``m``; the level is the mean of the window's last ``m`` values.
        horizon: steps the network outputs at once; longer forecasts feed them back.
        input_size: window length (default ``3 * m``, at least 8), or several: ``n_models``
            networks are trained per length and all are combined (N-BEATS ensembles
            look-backs the same way).
        hidden: units per hidden layer.
        layers: hidden layers.
        epochs: passes over the windows.
        n_models: networks with different seeds, averaged (median).
        learning_rate: Adam step (cosine-annealed to 0).
        batch_size: windows per step (smaller on little data: at least ~16 steps an epoch).
        max_windows: at most this many training windows (a seeded sample of them).
        clip: scaled inputs and targets are clipped to ``[0, clip]`` (demand is non-negative;
            a burst 10 times the level is rare and must not dominate the loss).
        n_jobs: torch CPU threads.
        alias: column name in predictions.
        seed: random seed (weights, batches, window sample).
    """

    def __init__(
        self,
        *,
        season_length: int = 12,
        horizon: int = 18,
        input_size: int | Sequence[int] | None = None,
        hidden: int = 128,
        layers: int = 2,
        epochs: int = 15,
        n_models: int = 3,
        learning_rate: float = 1e-3,
        batch_size: int = 1024,
        max_windows: int = 200_000,
        clip: float = 10.0,
        n_jobs: int | None = 1,
        alias: str | None = None,
        seed: int = 0,
    ) -> None:
        self.season_length = season_length
        self.horizon = horizon
        self.input_size = input_size
        self.hidden = hidden
        self.layers = layers
        self.epochs = epochs
        self.n_models = n_models
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_windows = max_windows
        self.clip = clip
        self.n_jobs = n_jobs
        self.alias = alias
        self.seed = seed

    # ---- windows -------------------------------------------------------------------------
    def _sizes(self) -> tuple[int, list[int], int]:
        m = max(1, int(self.season_length))
        raw = self.input_size
        if raw is None:
            sizes = [max(8, 3 * m)]
        elif isinstance(raw, (int, np.integer)):
            sizes = [int(raw)]
        else:
            sizes = [int(v) for v in raw]
        H = int(self.horizon)
        if not sizes or min(sizes) < max(2, m) or H < 1:
            raise ConfigError(
                f"PooledMLP needs input_size >= season_length >= 1 and horizon >= 1, got "
                f"input_size={raw}, season_length={m}, horizon={H}"
            )
        return m, sizes, H

    def _windows(self, ys: list[np.ndarray], L: int) -> tuple[np.ndarray, np.ndarray]:
        m, _, H = self._sizes()
        xs, ts = [], []
        for y in ys:
            n = len(y) - L - H + 1
            if n <= 0:
                continue
            idx = np.arange(n)[:, None]
            xs.append(y[idx + np.arange(L)])
            ts.append(y[idx + L + np.arange(H)])
        if not xs:
            raise ConfigError(
                f"PooledMLP: no series has input_size + horizon = {L + H} periods to train on. "
                "Lower input_size or horizon"
            )
        X, Y = np.vstack(xs), np.vstack(ts)
        if len(X) > int(self.max_windows):
            keep = np.random.default_rng(self.seed).choice(len(X), int(self.max_windows), False)
            X, Y = X[np.sort(keep)], Y[np.sort(keep)]
        lv = _levels(X, m)[:, None]
        c = float(self.clip)
        return np.clip(X / lv, 0.0, c).astype(np.float32), np.clip(Y / lv, 0.0, c).astype(
            np.float32
        )

    # ---- fit / predict -------------------------------------------------------------------
    def _train(self, X: np.ndarray, Y: np.ndarray, seed: int) -> Any:
        import torch

        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        blocks: list[torch.nn.Module] = []
        width = X.shape[1]
        for _ in range(int(self.layers)):
            blocks += [torch.nn.Linear(width, int(self.hidden)), torch.nn.ReLU()]
            width = int(self.hidden)
        blocks.append(torch.nn.Linear(width, Y.shape[1]))
        net = torch.nn.Sequential(*blocks)
        opt = torch.optim.Adam(net.parameters(), lr=float(self.learning_rate))
        epochs = int(self.epochs)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, epochs))
        xt, yt = torch.from_numpy(X), torch.from_numpy(Y)
        bs = min(int(self.batch_size), max(32, len(xt) // 16))  # at least ~16 steps an epoch
        for _ in range(epochs):
            perm = torch.randperm(len(xt), generator=gen)
            for k in range(0, len(xt), bs):
                idx = perm[k : k + bs]
                loss = torch.mean(torch.abs(net(xt[idx]) + 1.0 - yt[idx]))
                opt.zero_grad()
                loss.backward()
                opt.step()
            sched.step()
        return net.eval()

    def _fit(self, df: pd.DataFrame) -> None:
        import torch  # noqa: F401  (loaded before its thread count is set)

        with torch_threads(int(self.n_jobs or 1)):
            ys = [self.y_[sid] for sid in self.ids_]
            self.nets_ = []
            for j, L in enumerate(self._sizes()[1]):
                X, Y = self._windows(ys, L)
                for k in range(int(self.n_models)):
                    self.nets_.append((L, self._train(X, Y, int(self.seed) + 100 * j + k)))
        self.history_ = df[[ITEM_ID, TIMESTAMP, QUANTITY]]
        self._calib: dict[int, np.ndarray] = {}

    def _forward(self, ys: list[np.ndarray], h: int) -> np.ndarray:
        """``(n_series, h)`` forecasts from the end of each history."""
        import torch

        m = self._sizes()[0]
        ext = [np.asarray(y, dtype=float) for y in ys]
        out = np.empty((len(ext), 0))
        while out.shape[1] < h:
            preds = []
            for L, net in self.nets_:
                x = np.vstack([_pad(y, L) for y in ext])
                lv = _levels(x, m)[:, None]
                xt = torch.from_numpy(np.clip(x / lv, 0.0, float(self.clip)).astype(np.float32))
                with torch.no_grad():
                    preds.append((net(xt) + 1.0).numpy().astype(float) * lv)
            f = np.maximum(np.median(preds, axis=0), 0.0)
            out = np.hstack([out, f])
            ext = [np.r_[y, row] for y, row in zip(ext, f, strict=True)]
        return out[:, :h]

    def _predict(
        self, h: int, level: list[int], X_future: pd.DataFrame | None
    ) -> tuple[dict[Any, np.ndarray], Bands]:
        import torch  # noqa: F401  (loaded before its thread count is set)

        with torch_threads(int(self.n_jobs or 1)):
            f = self._forward([self.y_[sid] for sid in self.ids_], h)
            scores = self._scores(h) if level else None
        point = {sid: f[k] for k, sid in enumerate(self.ids_)}
        bands: Bands = {}
        if scores is not None:
            m = self._sizes()[0]
            w = conformal_halfwidths(scores, level)
            for sid in self.ids_:
                sc = float(_levels(_pad(self.y_[sid], max(m, 1))[None, :], m)[0])
                bands[sid] = {
                    lv: (point[sid] - w[lv] * sc, point[sid] + w[lv] * sc) for lv in level
                }
        return point, bands

    def _scores(self, h: int) -> np.ndarray:
        """Level-scaled absolute errors ``(n_series, h)`` of a refit with ``h`` held out."""
        if h not in self._calib:
            m, sizes, H = self._sizes()
            ok = [sid for sid in self.ids_ if len(self.y_[sid]) > h + max(max(sizes) + H, 8)]
            if not ok:
                ok = [sid for sid in self.ids_ if len(self.y_[sid]) > h + 2]
            kw = {k: v for k, v in vars(self).items() if not k.endswith("_") and k[0] != "_"}
            clone = type(self)(**kw)
            hist = self.history_[self.history_[ITEM_ID].isin(ok)]
            train = hist.groupby(ITEM_ID, sort=False).head(-h)
            clone.fit(train, freq=self.freq_)
            f = clone._forward([clone.y_[sid] for sid in clone.ids_], h)
            actual = np.vstack([self.y_[sid][-h:] for sid in clone.ids_])
            sc = _levels(np.vstack([_pad(clone.y_[sid], m) for sid in clone.ids_]), m)
            self._calib[h] = np.abs(actual - f) / sc[:, None]
        return self._calib[h]
