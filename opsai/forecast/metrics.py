"""Forecast accuracy: MASE, sMAPE (M3), WAPE, bias and interval coverage.

Definitions (``y`` actuals, ``f`` forecasts over the test periods, ``x`` the training series):

- ``smape`` = mean of ``200 * |y - f| / (|y| + |f|)`` in percent, as in the M3 competition
  (Makridakis & Hibon 2000); a period with ``y = f = 0`` counts as 0.
- ``mase`` = mean ``|y - f|`` / mean ``|x_t - x_{t-m}|`` in training (Hyndman & Koehler
  2006); the scale uses ``m = 1`` where the seasonal one is 0, and is NaN for a constant series.
- ``wape`` = ``sum |y - f| / sum |y|``.
- ``bias`` = ``sum (f - y) / sum |y|`` (positive = over-forecast).
- ``coverage`` = share of actuals inside ``[lo, hi]``.
"""

from __future__ import annotations

import numpy as np


def smape(y: np.ndarray, f: np.ndarray) -> float:
    """Symmetric MAPE in percent, M3 definition (0 where both are 0)."""
    y, f = np.asarray(y, dtype=float), np.asarray(f, dtype=float)
    den = np.abs(y) + np.abs(f)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(den == 0, 0.0, 200.0 * np.abs(y - f) / den)
    return float(np.mean(r))


def mase_scale(x: np.ndarray, season_length: int = 1) -> float:
    """Mean absolute in-sample error of the seasonal naive forecast.

    Falls back to ``m = 1`` when the series is shorter than a season or repeats it exactly
    (seasonal error 0); NaN only for a constant series.
    """
    x = np.asarray(x, dtype=float)
    for m in dict.fromkeys((int(season_length), 1)):
        if 0 < m < len(x):
            s = float(np.mean(np.abs(x[m:] - x[:-m])))
            if s > 0:
                return s
    return float("nan")


def mase(y: np.ndarray, f: np.ndarray, x: np.ndarray, season_length: int = 1) -> float:
    """Mean absolute scaled error against the in-sample seasonal naive of ``x``."""
    return float(np.mean(np.abs(np.asarray(y, float) - np.asarray(f, float)))) / mase_scale(
        x, season_length
    )


def wape(y: np.ndarray, f: np.ndarray) -> float:
    """Weighted absolute percentage error (a ratio, not percent); NaN when ``sum |y| = 0``."""
    y, f = np.asarray(y, dtype=float), np.asarray(f, dtype=float)
    den = float(np.sum(np.abs(y)))
    return float(np.sum(np.abs(y - f)) / den) if den > 0 else float("nan")


def bias(y: np.ndarray, f: np.ndarray) -> float:
    """Relative bias ``sum(f - y) / sum|y|``; positive means over-forecasting."""
    y, f = np.asarray(y, dtype=float), np.asarray(f, dtype=float)
    den = float(np.sum(np.abs(y)))
    return float(np.sum(f - y) / den) if den > 0 else float("nan")


def coverage(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of actuals inside the closed interval ``[lo, hi]``."""
    y = np.asarray(y, dtype=float)
    return float(np.mean((y >= np.asarray(lo, float)) & (y <= np.asarray(hi, float))))
