"""Intermittent demand: Croston, SBA, TSB, ADIDA, and a model chosen by demand pattern.

Demand patterns follow Syntetos, Boylan & Croston (2005): ``ADI`` is the mean interval between
non-zero demands, ``CV²`` the squared coefficient of variation of the non-zero sizes; cut-offs
1.32 and 0.49 split series into *smooth*, *erratic*, *intermittent* and *lumpy*.

Example:
    >>> demand_pattern(np.array([0, 0, 3, 0, 0, 0, 2, 0, 4.0]))   # doctest: +SKIP
    'intermittent'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY
from opsai.forecast.base import LocalForecaster
from opsai.forecast.models import Theta, ses_fit, ses_levels

Pattern = Literal["smooth", "erratic", "intermittent", "lumpy", "zero"]
ADI_CUT = 1.32
CV2_CUT = 0.49


def adi_cv2(y: np.ndarray) -> tuple[float, float]:
    """``(ADI, CV²)`` of a demand series; ``(inf, nan)`` when it has no demand."""
    y = np.asarray(y, dtype=float)
    nz = y[y > 0]
    if len(nz) == 0:
        return float("inf"), float("nan")
    adi = len(y) / len(nz)
    cv2 = float((nz.std() / nz.mean()) ** 2) if len(nz) > 1 else 0.0
    return float(adi), cv2


def demand_pattern(y: np.ndarray) -> Pattern:
    """The Syntetos–Boylan class of one series."""
    adi, cv2 = adi_cv2(y)
    if not np.isfinite(adi):
        return "zero"
    if adi < ADI_CUT:
        return "smooth" if cv2 < CV2_CUT else "erratic"
    return "intermittent" if cv2 < CV2_CUT else "lumpy"


def demand_patterns(
    df: pd.DataFrame, *, col_id: str = ITEM_ID, col_y: str | None = None
) -> pd.DataFrame:
    """``[col_id, adi, cv2, pattern]`` for every series of a long frame."""
    col = col_y or QUANTITY
    rows = []
    for sid, g in df.groupby(col_id, sort=True):
        y = g[col].to_numpy(dtype=float)
        adi, cv2 = adi_cv2(y)
        rows.append({col_id: sid, "adi": adi, "cv2": cv2, "pattern": demand_pattern(y)})
    return pd.DataFrame(rows, columns=[col_id, "adi", "cv2", "pattern"])


def _croston_state(y: np.ndarray, alpha: float) -> tuple[float, float]:
    """Smoothed ``(size, interval)`` after the last demand."""
    idx = np.flatnonzero(y > 0)
    if len(idx) == 0:
        return 0.0, 1.0
    sizes = y[idx]
    gaps = np.diff(np.r_[-1, idx]).astype(float)
    z = ses_levels(sizes, alpha, sizes[0])[-1]
    p = ses_levels(gaps, alpha, gaps[0])[-1]
    return float(z), float(max(p, 1.0))


class Croston(LocalForecaster):
    """Croston's method: SES on non-zero sizes and on intervals, forecast ``size / interval``.

    Args:
        alpha: smoothing of both (0.1 is the classic choice).
        variant: ``classic`` or ``sba`` (Syntetos–Boylan approximation, multiplies by
            ``1 - alpha / 2`` to remove Croston's bias).
        alias: column name in predictions.
        conformal_windows: rolling origins used to calibrate intervals.
    """

    def __init__(
        self,
        *,
        alpha: float = 0.1,
        variant: Literal["classic", "sba"] = "classic",
        alias: str | None = None,
        conformal_windows: int = 20,
    ) -> None:
        self.alpha = alpha
        self.variant = variant
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        z, p = _croston_state(y, float(self.alpha))
        f = z / p
        return f * (1 - float(self.alpha) / 2) if self.variant == "sba" else f

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        return np.full(h, state)


class TSB(LocalForecaster):
    """Teunter–Syntetos–Babai: smooths the demand probability every period, so it decays.

    Args:
        alpha_d: smoothing of the demand probability.
        alpha_z: smoothing of the non-zero sizes.
        alias: column name in predictions.
        conformal_windows: rolling origins used to calibrate intervals.
    """

    def __init__(
        self,
        *,
        alpha_d: float = 0.1,
        alpha_z: float = 0.1,
        alias: str | None = None,
        conformal_windows: int = 20,
    ) -> None:
        self.alpha_d = alpha_d
        self.alpha_z = alpha_z
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        d = (y > 0).astype(float)
        if not d.any():
            return 0.0
        prob = float(ses_levels(d, float(self.alpha_d), d[0])[-1])
        nz = y[y > 0]
        z = float(ses_levels(nz, float(self.alpha_z), nz[0])[-1])
        return prob * z

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        return np.full(h, state)


class ADIDA(LocalForecaster):
    """Aggregate–disaggregate (Nikolopoulos et al. 2011).

    Sums non-overlapping buckets as long as the mean inter-demand interval, forecasts the
    bucket totals with optimised SES, and spreads the forecast evenly back over the periods.
    """

    def __init__(self, *, alias: str | None = None, conformal_windows: int = 20) -> None:
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _fit_one(self, y: np.ndarray) -> Any:
        adi, _ = adi_cv2(y)
        if not np.isfinite(adi):
            return 0.0
        k = max(1, round(adi))
        n = (len(y) // k) * k
        if n < 2 * k:
            return float(y.mean())
        buckets = y[len(y) - n :].reshape(-1, k).sum(axis=1)
        _, level = ses_fit(buckets)
        return level / k

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        return np.full(h, state)


class AutoPattern(LocalForecaster):
    """One model per series chosen by its demand pattern.

    ``smooth``/``erratic`` series get Theta (seasonal with ``season_length``), ``intermittent``
    ones Croston-SBA, ``lumpy`` ones TSB and all-zero ones a zero forecast. The choice is in
    ``patterns_`` (id -> pattern) after ``fit``.

    Args:
        season_length: ``m`` for the Theta branch.
        alias: column name in predictions.
        conformal_windows: rolling origins used to calibrate intervals.
    """

    def __init__(
        self, *, season_length: int = 7, alias: str | None = None, conformal_windows: int = 20
    ) -> None:
        self.season_length = season_length
        self.alias = alias
        self.conformal_windows = conformal_windows

    def _models(self) -> dict[str, LocalForecaster]:
        return {
            "smooth": Theta(season_length=self.season_length),
            "erratic": Theta(season_length=self.season_length),
            "intermittent": Croston(variant="sba"),
            "lumpy": TSB(),
        }

    def _fit(self, df: pd.DataFrame) -> None:
        self.patterns_ = {sid: demand_pattern(y) for sid, y in self.y_.items()}
        super()._fit(df)

    def _fit_one(self, y: np.ndarray) -> Any:
        return self._fit_patterns([y])[0]

    def _fit_many(self, ys: Sequence[np.ndarray]) -> list[Any]:
        if type(self)._fit_one is not AutoPattern._fit_one:  # a subclass that fits its own way
            return [self._fit_one(y) for y in ys]
        return self._fit_patterns(ys)

    def _fit_patterns(self, ys: Sequence[np.ndarray]) -> list[Any]:
        """One model per pattern fits all of its series together (Theta's in one batch)."""
        patterns = [demand_pattern(y) for y in ys]
        out: list[Any] = [(None, 0.0)] * len(ys)  # "zero": no demand, a zero forecast
        for pattern, model in self._models().items():
            rows = [i for i, p in enumerate(patterns) if p == pattern]
            for i, state in zip(rows, model._fit_many([ys[i] for i in rows]), strict=True):
                out[i] = (model, state)
        return out

    def _predict_one(self, state: Any, h: int) -> np.ndarray:
        model, inner = state
        if model is None:
            return np.zeros(h)
        return model._predict_one(inner, h)
