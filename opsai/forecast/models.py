"""Local statistical forecasters: naive, seasonal naive, window average, Theta.

Written with numpy because the maintained library for them (statsforecast) does not install
beside pandas 3; each follows the statsforecast/R ``forecast`` definition it names, and Theta
is checked against its published M3 score by ``benchmarks/forecast_m3.py``.

Example:
    >>> fc = SeasonalNaive(season_length=7).fit(df).predict(14, level=[80, 95])  # doctest: +SKIP
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter
from scipy.stats import norm

from opsai.forecast.base import LocalForecaster


class Naive(LocalForecaster):
    """The last value, repeated."""

    def __init__(self, *, alias: str | None = None, conformal_windows: int = 20) -> None:
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        return float(y[-1])

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        return np.full(h, state)


class SeasonalNaive(LocalForecaster):
    """The value one season earlier: ``y[T + j] = y[T + j - m]``.

    Args:
        season_length: ``m`` (7 for daily data with a weekly cycle, 12 for monthly).
        alias: column name in predictions.
        conformal_windows: rolling origins used to calibrate intervals.
    """

    def __init__(
        self, *, season_length: int = 7, alias: str | None = None, conformal_windows: int = 20
    ) -> None:
        self.season_length = season_length
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        m = max(1, min(int(self.season_length), len(y)))
        return y[-m:].copy()

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        return np.resize(state, h)


class WindowAverage(LocalForecaster):
    """The mean of the last ``window`` values (a robust baseline for noisy demand)."""

    def __init__(
        self, *, window: int = 28, alias: str | None = None, conformal_windows: int = 20
    ) -> None:
        self.window = window
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        return float(np.mean(y[-int(self.window) :]))

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        return np.full(h, state)


# ---- simple exponential smoothing ------------------------------------------------------------
def ses_levels(y: np.ndarray, alpha: float, l0: float) -> np.ndarray:
    """Levels ``l_t = alpha * y_t + (1 - alpha) * l_{t-1}`` for t = 1..n (vectorised)."""
    out, _ = lfilter([alpha], [1.0, alpha - 1.0], y, zi=[(1.0 - alpha) * l0])
    return np.asarray(out)


def ses_fit(y: np.ndarray, *, alpha: float | None = None) -> tuple[float, float]:
    """``(alpha, final level)`` of SES fitted by least squares on one-step errors.

    The initial level is optimal for each ``alpha`` (the errors are linear in it, so it has a
    closed form), as R's ``ses(initial="optimal")``; ``alpha`` is searched in [0.01, 0.99] when
    not given.
    """
    y = np.asarray(y, dtype=float)
    if len(y) < 2:
        return (alpha or 0.5), float(y[-1]) if len(y) else 0.0

    def profile(a: float) -> tuple[float, float]:
        """``(sse, l0)`` with the best initial level for smoothing ``a``."""
        base = np.concatenate([[0.0], ses_levels(y[:-1], a, 0.0)])  # forecasts when l0 = 0
        c = (1.0 - a) ** np.arange(len(y))  # how l0 enters forecast t
        l0 = float(np.dot(c, y - base) / np.dot(c, c))
        return float(np.sum((y - base - c * l0) ** 2)), l0

    if alpha is None:
        alpha = float(
            minimize_scalar(lambda a: profile(a)[0], bounds=(0.01, 0.99), method="bounded").x
        )
    l0 = profile(alpha)[1]
    return alpha, float(ses_levels(y, alpha, l0)[-1])


# ---- Theta -----------------------------------------------------------------------------------
def seasonality_test(y: np.ndarray, m: int, *, confidence: float = 0.90) -> bool:
    """The Theta method's test (Assimakopoulos & Nikolopoulos 2000; R ``forecast::thetaf``).

    Seasonal when ``|r_m| > z * sqrt((1 + 2 * sum_{k<m} r_k^2) / n)`` with ``z`` the two-sided
    normal quantile of ``confidence`` (1.645 for 90%).
    """
    n = len(y)
    if m <= 1 or n < 2 * m:
        return False
    x = y - y.mean()
    denom = float(np.sum(x * x))
    if denom == 0:
        return False
    r = np.array([np.sum(x[k:] * x[: n - k]) / denom for k in range(1, m + 1)])
    stat = np.sqrt((1 + 2 * np.sum(r[:-1] ** 2)) / n)
    return bool(abs(r[-1]) / stat > _two_sided_z(confidence))


@functools.lru_cache(maxsize=8)
def _two_sided_z(confidence: float) -> float:
    """The two-sided normal quantile of ``confidence`` (scipy's ``ppf`` costs ~0.1 ms a call)."""
    return float(norm.ppf(0.5 + confidence / 2))


def deseasonalise(y: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray | None]:
    """``y`` divided by its seasonal indices when it is positive and passes
    :func:`seasonality_test` at period ``m`` (``m <= 1`` never), and the indices (or ``None``)."""
    if m > 1 and np.all(y > 0) and seasonality_test(y, m):
        season = seasonal_indices(y, m)
        return y / np.resize(season, len(y)), season
    return y, None


def reseasonalise(f: np.ndarray, season: np.ndarray | None, n: int) -> np.ndarray:
    """Forecasts ``f`` of the steps after ``n`` observations times their seasonal indices."""
    if season is not None:
        f = f * season[(n + np.arange(len(f))) % len(season)]
    return np.asarray(f, dtype=float)


def seasonal_indices(y: np.ndarray, m: int) -> np.ndarray:
    """Classical multiplicative decomposition indices (mean 1), aligned so index 0 is ``y[0]``."""
    n = len(y)
    w = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    trend = np.convolve(y, w, mode="valid")
    off = (len(w) - 1) // 2
    ratio = np.full(n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio[off : off + len(trend)] = y[off : off + len(trend)] / trend
    idx = np.array([np.nanmean(ratio[k::m]) for k in range(m)])
    idx = np.where(np.isfinite(idx) & (idx > 0), idx, 1.0)
    return idx / idx.mean()


def theta_states(ys: Sequence[np.ndarray], m: int) -> list[Any]:
    """Fitted :class:`Theta` states of many series: ``(level, slope / 2, alpha, n, season)``.

    The SES searches of all series run together (:func:`opsai.forecast.smoothing.ses_fit_many`,
    same results as one :func:`ses_fit` per series, several times faster).
    """
    from opsai.forecast.smoothing import ses_fit_many

    adjusted = [deseasonalise(np.asarray(y, dtype=float), m) for y in ys]
    fits = iter(ses_fit_many([y for y, _ in adjusted if len(y) >= 3]))
    out: list[Any] = []
    for y, season in adjusted:
        n = len(y)
        if n < 3:
            out.append((float(y[-1]) if n else 0.0, 0.0, 1.0, n, season))
            continue
        alpha, level = next(fits)
        slope = float(np.polyfit(np.arange(n), y, 1)[0])
        out.append((level, slope / 2.0, alpha, n, season))
    return out


class Theta(LocalForecaster):
    """The standard Theta method (Hyndman & Billah 2003 form; the M3 winner).

    Deseasonalise with classical multiplicative decomposition when the series passes
    :func:`seasonality_test` (and is positive), forecast with SES plus half the slope of the
    linear trend, reseasonalise.

    Args:
        season_length: ``m``; 1 disables the seasonal step.
        alias: column name in predictions.
        conformal_windows: rolling origins used to calibrate intervals.
    """

    def __init__(
        self, *, season_length: int = 7, alias: str | None = None, conformal_windows: int = 20
    ) -> None:
        self.season_length = season_length
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        return theta_states([y], int(self.season_length))[0]

    def _fit_many(self, ys: Sequence[np.ndarray]) -> list[Any]:
        if type(self)._fit_one is not Theta._fit_one:  # a subclass that fits its own way
            return [self._fit_one(y) for y in ys]
        return theta_states(ys, int(self.season_length))

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        level, b, alpha, n, season = state
        steps = np.arange(h)
        f = level + b * (steps + (1 - (1 - alpha) ** n) / alpha)
        return reseasonalise(f, season, n)


# ---- damped trend ----------------------------------------------------------------------------
_ALPHA = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.95])
_BETA = np.array([0.01, 0.03, 0.06, 0.1, 0.2])  # as a share of alpha (beta* = beta / alpha)
_PHI = np.array([0.8, 0.9, 0.95, 0.98])


def damped_fit(y: np.ndarray) -> tuple[float, float, float, float, float]:
    """Additive damped-trend exponential smoothing (Gardner & McKenzie 1985), ETS(A,Ad,N).

    Smoothing ``alpha``, trend ``beta`` and damping ``phi`` are chosen on a grid by the sum of
    squared one-step errors, every grid point filtered at once (vectorised over the grid).

    Returns:
        ``(level, trend, alpha, beta, phi)`` at the end of ``y``.
    """
    y = np.asarray(y, dtype=float)
    a, b, p = (g.ravel() for g in np.meshgrid(_ALPHA, _BETA, _PHI, indexing="ij"))
    b = a * b
    k = min(len(y) - 1, 4)
    level = np.full(a.shape, y[0])
    trend = np.full(a.shape, (y[k] - y[0]) / k if k > 0 else 0.0)
    sse = np.zeros(a.shape)
    for v in y[1:]:
        f = level + p * trend
        e = v - f
        sse += e * e
        new = f + a * e
        trend = p * trend + b * e
        level = new
    i = int(np.argmin(sse))
    return float(level[i]), float(trend[i]), float(a[i]), float(b[i]), float(p[i])


class DampedTrend(LocalForecaster):
    """Damped-trend exponential smoothing on the seasonally adjusted series.

    The series is deseasonalised as in :class:`Theta` (classical multiplicative decomposition
    when it passes the seasonality test), forecast with :func:`damped_fit` (the trend fades
    by ``phi`` each step, so long horizons do not run away), and reseasonalised — the
    "Damped" of the M3/M4 benchmarks (its mean with SES and Holt is their "Comb").

    Args:
        season_length: ``m``; 1 disables the seasonal step.
        alias: column name in predictions.
        conformal_windows: rolling origins used to calibrate intervals.
    """

    def __init__(
        self, *, season_length: int = 7, alias: str | None = None, conformal_windows: int = 20
    ) -> None:
        self.season_length = season_length
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        y, season = deseasonalise(np.asarray(y, dtype=float), int(self.season_length))
        n = len(y)
        if n < 3:
            return (float(y[-1]) if n else 0.0, 0.0, 1.0, n, season)
        level, trend, _, _, phi = damped_fit(y)
        return level, trend, phi, n, season

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        level, trend, phi, n, season = state
        steps = np.arange(1, h + 1)
        f = level + trend * np.cumsum(phi**steps)
        return reseasonalise(f, season, n)
