"""The forecaster interface and conformal prediction intervals shared by every model.

Every forecaster follows statsforecast's long format: ``fit(df)`` on ``[ITEM_ID, TIMESTAMP,
QUANTITY]`` (+ exogenous columns), ``predict(h, level=[80, 95])`` returns the key columns, one
column named by the model's alias and ``<alias>-lo-<level>`` / ``<alias>-hi-<level>``.

Local models (one fit per series) derive from :class:`LocalForecaster` and implement
``_fit_one``/``_predict_one``; their intervals are split-conformal on rolling-origin errors of
the series itself (statsforecast's ``ConformalIntervals``, with origins one period apart so a
short series still yields enough scores).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, NotFittedError, SchemaError


def infer_freq(ts: pd.Series) -> str:
    """The pandas frequency of a long frame's period starts (``D``, ``W-MON``, ``MS``, ...)."""
    u = pd.DatetimeIndex(np.sort(ts.unique()))
    if len(u) < 3:
        raise SchemaError(
            f"forecast: cannot infer the frequency from {len(u)} distinct timestamps. Pass "
            "freq= (e.g. 'D', 'W-MON', 'MS') or give longer series"
        )
    tail = u[-min(len(u), 60) :]
    inferred = pd.DatetimeIndex(tail.to_numpy(), freq="infer").freq
    if inferred is None:
        step = pd.Series(u).diff().dropna().mode().iloc[0]
        return str(pd.tseries.frequencies.to_offset(step).freqstr)
    return str(inferred.freqstr)


def interval_columns(alias: str, level: Sequence[int]) -> list[str]:
    """``[alias-lo-80, alias-hi-80, alias-lo-95, ...]`` in statsforecast's naming."""
    return [f"{alias}-{side}-{lv}" for lv in level for side in ("lo", "hi")]


def check_level(level: Sequence[int] | None) -> list[int]:
    if level is None:
        return []
    out = [int(v) for v in level]
    bad = [v for v in out if not 0 < v < 100]
    if bad:
        raise ConfigError(
            f"level must hold percentages in (0, 100), got {bad}. E.g. level=[80, 95]"
        )
    return sorted(out)


class Forecaster:
    """Base of every opsai forecaster; subclasses implement ``_fit``/``_predict``.

    Attributes set by ``fit``: ``ids_`` (series ids in order), ``last_`` (the last timestamp per
    id), ``freq_`` (pandas frequency), ``y_`` (id -> history as a float array).
    """

    alias: str | None = None
    nonnegative: bool = True

    @property
    def name(self) -> str:
        """The model's column name in predictions: its ``alias`` or its class name."""
        return self.alias or type(self).__name__

    # ---- public -----------------------------------------------------------------------
    def fit(
        self,
        df: pd.DataFrame,
        *,
        freq: str | None = None,
    ) -> Forecaster:
        """Fit on a long frame ``[ITEM_ID, TIMESTAMP, QUANTITY]`` (+ exogenous columns).

        Args:
            df: one row per series and period, no gaps (see
                :func:`opsai.forecast.series.fill_gaps`).
            freq: pandas frequency of the periods; inferred when ``None``.

        Returns:
            self
        """
        df = _validate(df)
        self.freq_ = freq or infer_freq(df[TIMESTAMP])
        g = df.groupby(ITEM_ID, sort=False)
        self.ids_ = list(g.groups)
        y = df[QUANTITY].to_numpy(dtype=float)
        self.y_ = {sid: y[pos] for sid, pos in positions(df[ITEM_ID])}
        self.last_ = g[TIMESTAMP].max()
        self._fit(df)
        return self

    def predict(
        self,
        h: int,
        *,
        level: Sequence[int] | None = None,
        X_future: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Forecast ``h`` periods after each series' last timestamp.

        Args:
            h: horizon in periods (>= 1).
            level: interval levels in percent, e.g. ``[80, 95]``.
            X_future: future exogenous values ``[ITEM_ID, TIMESTAMP, ...]`` for models that use
                them (ignored by the others).

        Returns:
            ``[ITEM_ID, TIMESTAMP, <alias>, <alias>-lo-<lv>, <alias>-hi-<lv>, ...]``.
        """
        if not hasattr(self, "ids_"):
            raise NotFittedError(f"{self.name} is not fitted yet: call fit(df) before predict(h)")
        if int(h) < 1:
            raise ConfigError(f"h must be a positive number of periods, got {h!r}")
        lv = check_level(level)
        point, bands = self._predict(int(h), lv, X_future)
        return self._frame(int(h), point, bands, lv)

    # ---- for subclasses -----------------------------------------------------------------
    def _fit(self, df: pd.DataFrame) -> None:
        raise NotImplementedError

    def _predict(
        self, h: int, level: list[int], X_future: pd.DataFrame | None
    ) -> tuple[dict[Any, np.ndarray], dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]]]:
        raise NotImplementedError

    def future_index(self, h: int) -> pd.DataFrame:
        """The ``h`` future timestamps of every series, as ``[ITEM_ID, TIMESTAMP]``."""
        off = pd.tseries.frequencies.to_offset(self.freq_)
        # one date range per distinct last timestamp (most series end together), not per series
        codes, ends = pd.factorize(self.last_.loc[self.ids_])
        ranges = [pd.date_range(end + off, periods=h, freq=off) for end in ends]
        stamps = pd.DatetimeIndex(np.concatenate([r.to_numpy() for r in ranges]))
        take = (codes[:, None] * h + np.arange(h)).ravel()
        ids = np.repeat(np.asarray(self.ids_, dtype=object), h)
        return pd.DataFrame({ITEM_ID: ids, TIMESTAMP: stamps[take]})

    def _frame(
        self,
        h: int,
        point: dict[Any, np.ndarray],
        bands: dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]],
        level: list[int],
    ) -> pd.DataFrame:
        out = self.future_index(h)
        lo0 = 0.0 if self.nonnegative else -np.inf
        p = np.concatenate([point[sid] for sid in self.ids_])
        out[self.name] = np.maximum(p, lo0)
        for lv in level:
            lo = np.concatenate([bands[sid][lv][0] for sid in self.ids_])
            hi = np.concatenate([bands[sid][lv][1] for sid in self.ids_])
            out[f"{self.name}-lo-{lv}"] = np.maximum(lo, lo0)
            out[f"{self.name}-hi-{lv}"] = np.maximum(hi, lo0)
        return out

    def __repr__(self) -> str:
        params = {
            k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")
        }
        inner = ", ".join(f"{k}={v!r}" for k, v in params.items())
        return f"{type(self).__name__}({inner})"


def positions(ids: pd.Series) -> list[tuple[Any, np.ndarray]]:
    """``(id, row positions)`` per series of a long frame's id column: ids in order of first
    appearance (as ``groupby(sort=False)`` iterates them), positions in row order.

    Indexing arrays with these is much cheaper than iterating a ``groupby`` on thousands of
    series.
    """
    codes, uniques = pd.factorize(ids)
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(np.bincount(codes, minlength=len(uniques)))[:-1]
    return list(zip(uniques, np.split(order, bounds), strict=True))


def _validate(df: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in (ITEM_ID, TIMESTAMP, QUANTITY) if c not in df.columns]
    if missing:
        raise SchemaError(
            f"forecast: column(s) {missing} not found (have: {', '.join(map(str, df.columns))}). "
            f"Series frames are long: {ITEM_ID}, {TIMESTAMP}, {QUANTITY} (see build_series)"
        )
    if df.empty:
        raise SchemaError("forecast: the series frame is empty")
    if df[QUANTITY].isna().any():
        n = int(df[QUANTITY].isna().sum())
        raise SchemaError(
            f"forecast: {n} missing {QUANTITY} value(s). Zero-fill with fill_gaps or drop them"
        )
    out = df.copy()
    out[ITEM_ID] = out[ITEM_ID].astype(str)
    out[TIMESTAMP] = pd.to_datetime(out[TIMESTAMP])
    return out.sort_values([ITEM_ID, TIMESTAMP], kind="stable").reset_index(drop=True)


def conformal_rank(n: int, level: float) -> tuple[float, float]:
    """How :func:`conformal_halfwidths` reads ``level``% from ``n`` calibration scores:
    ``(q, factor)``, the half-width being ``factor`` times the scores' ``q`` quantile
    (``method="higher"``).

    The split-conformal rank ``ceil((n + 1) * level)`` is taken when ``n`` reaches it
    (``factor`` 1). Beyond it (a 95% band from fewer than 19 origins) the largest score only
    vouches for ``n / (n + 1)``; capping there would give every such level the same band (80%
    and 95% identical with 8 origins), so the largest score is stretched by the normal
    quantiles' ratio ``z(level) / z(n / (n + 1))`` instead: wider than any level the scores do
    reach, and a normal approximation beyond them.
    """
    from scipy.stats import norm

    rank = math.ceil((n + 1) * level / 100)
    if rank <= n:
        return rank / n, 1.0
    reach = n / (n + 1)
    return 1.0, float(norm.ppf(0.5 + level / 200) / norm.ppf(0.5 + reach / 2))


def conformal_reach(n: int) -> int:
    """The highest whole level in percent that ``n`` calibration scores vouch for by the
    conformal rank alone (:func:`conformal_rank`'s factor is 1 up to it)."""
    return max(0, math.floor(100 * n / (n + 1) + 1e-9)) if n > 0 else 0


def conformal_halfwidths(scores: np.ndarray, level: Sequence[int]) -> dict[int, np.ndarray]:
    """Split-conformal half-widths per horizon step.

    Args:
        scores: ``(n_origins, h)`` absolute errors; NaN rows are ignored.
        level: levels in percent.

    Returns:
        level -> ``(h,)`` half-widths, non-decreasing in the step; the quantile uses the
        finite-sample rank ``ceil((n + 1) * level) / n``; a level beyond the largest score's
        reach is that score stretched by a normal quantile ratio (:func:`conformal_rank`), so
        a higher level is always wider.
    """
    s = scores[~np.isnan(scores).any(axis=1)]
    n = len(s)
    out = {}
    for lv in level:
        q, factor = conformal_rank(n, lv)
        w = np.quantile(s, q, axis=0, method="higher") * factor
        out[lv] = np.maximum.accumulate(w)
    return out


def conformal_halfwidths_many(
    scores: Sequence[np.ndarray], level: Sequence[int]
) -> list[dict[int, np.ndarray]]:
    """:func:`conformal_halfwidths` of many series' scores: those with as many complete rows
    and steps go through one ``np.quantile`` (``higher`` picks a score, so the same values)."""
    clean = [s[~np.isnan(s).any(axis=1)] for s in scores]
    same: dict[tuple[int, ...], list[int]] = {}
    for i, s in enumerate(clean):
        same.setdefault(s.shape, []).append(i)
    out: list[dict[int, np.ndarray]] = [{} for _ in clean]
    for (n, _), members in same.items():
        if n == 0:  # nothing to calibrate on: as conformal_halfwidths does
            for i in members:
                out[i] = conformal_halfwidths(clean[i], level)
            continue
        stack = np.stack([clean[i] for i in members])
        for lv in level:
            q, factor = conformal_rank(n, lv)
            w = np.quantile(stack, q, axis=1, method="higher") * factor
            w = np.maximum.accumulate(w, axis=1)
            for k, i in enumerate(members):
                out[i][lv] = w[k]
    return out


def conformal_quantile(scores: np.ndarray, prob: float) -> float:
    """The split-conformal quantile of one pool of scores: the ``ceil((n + 1) * prob)``-th
    smallest (NaN ignored), or ``inf`` when ``n`` is too small for that rank (no cap: too few
    scores cannot vouch for the level)."""
    s = np.sort(np.asarray(scores, dtype=float)[~np.isnan(scores)])
    rank = math.ceil((len(s) + 1) * prob)
    return float(s[rank - 1]) if 1 <= rank <= len(s) else float("inf")


def normal_halfwidths(y: np.ndarray, h: int, level: Sequence[int]) -> dict[int, np.ndarray]:
    """A fallback for series too short to calibrate: naive one-step errors grown with sqrt(step)."""
    from scipy.stats import norm

    d = np.diff(y)
    sd = float(np.std(d)) if len(d) > 1 else float(np.abs(y).mean() if len(y) else 0.0)
    steps = np.sqrt(np.arange(1, h + 1))
    return {lv: norm.ppf(0.5 + lv / 200) * sd * steps for lv in level}


class LocalForecaster(Forecaster):
    """A model fitted to each series on its own; intervals from its own rolling-origin errors.

    Subclasses implement ``_fit_one(y) -> state`` and ``_predict_one(state, h) -> (h,) array``.
    ``conformal_windows`` origins one period apart (the latest ``h`` periods back) give the
    error scores; a series shorter than ``min_train + h + 1`` falls back to
    :func:`normal_halfwidths`.
    """

    conformal_windows: int = 20
    min_train: int = 3

    def _fit(self, df: pd.DataFrame) -> None:
        self.states_ = dict(zip(self.y_, self._fit_many(list(self.y_.values())), strict=True))

    def _fit_one(self, y: np.ndarray) -> Any:
        raise NotImplementedError

    def _fit_many(self, ys: Sequence[np.ndarray]) -> list[Any]:
        """The states of many series, ``[_fit_one(y) for y in ys]``; a subclass may fit them
        all at once (e.g. :class:`~opsai.forecast.models.Theta`), with the same results."""
        return [self._fit_one(y) for y in ys]

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        raise NotImplementedError

    def _predict(
        self, h: int, level: list[int], X_future: pd.DataFrame | None
    ) -> tuple[dict[Any, np.ndarray], dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]]]:
        point = {sid: self._predict_one(self.states_[sid], h) for sid in self.ids_}
        bands: dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]] = {}
        if level:
            widths = self._halfwidths_many([self.y_[sid] for sid in self.ids_], h, level)
            for sid, w in zip(self.ids_, widths, strict=True):
                bands[sid] = {lv: (point[sid] - w[lv], point[sid] + w[lv]) for lv in level}
        return point, bands

    def _halfwidths(self, y: np.ndarray, h: int, level: list[int]) -> dict[int, np.ndarray]:
        return self._halfwidths_many([y], h, level)[0]

    def _halfwidths_many(
        self, ys: Sequence[np.ndarray], h: int, level: list[int]
    ) -> list[dict[int, np.ndarray]]:
        """Conformal half-widths of each series; every refit at every origin of every series
        goes to one :meth:`_fit_many` call."""
        cuts = []
        for y in ys:
            n_orig = min(self.conformal_windows, len(y) - h - self.min_train + 1)
            cuts.append([len(y) - h - i for i in range(n_orig)] if n_orig >= 2 else [])
        states = iter(
            self._fit_many([y[:cut] for y, cs in zip(ys, cuts, strict=True) for cut in cs])
        )
        scores = []
        for y, cs in zip(ys, cuts, strict=True):
            s = np.empty((len(cs), h))
            for i, cut in enumerate(cs):
                s[i] = np.abs(y[cut : cut + h] - self._predict_one(next(states), h))
            scores.append(s)
        calibrated = iter(conformal_halfwidths_many([s for s in scores if len(s)], level))
        return [
            next(calibrated) if len(s) else normal_halfwidths(y, h, level)
            for y, s in zip(ys, scores, strict=True)
        ]
