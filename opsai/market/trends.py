"""Trends and competitor moves: decomposition, change points, event studies, trend forecasts.

* :func:`change_points` finds shifts in the mean of a series by binary segmentation with a
  least-squares cost and a BIC-style penalty (noise scale from first differences, so a trend
  or a step does not inflate it).
* :func:`detect_moves` runs it on every company's price, share and spend, relative to the
  market (the period's mean across companies is removed, so seasonality and common shocks
  are not "moves"), and reports each move with its period, size and t statistic.
* :func:`event_study` compares a metric before and after a date with a Welch interval.
* :func:`decompose` is the classical moving-average trend / seasonal split, and
  :func:`trend_forecast` a log-linear trend with seasonal terms and prediction intervals.

Example:
    >>> moves = detect_moves(market)                                # doctest: +SKIP
    >>> event_study(market, "BlueHarbor", moves.period.iloc[0])     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from opsai.data import schema as S
from opsai.errors import OpsaiError
from opsai.market._frame import as_frame, check_choice

__all__ = ["change_points", "decompose", "detect_moves", "event_study", "trend_forecast"]


def _noise_scale(y: np.ndarray) -> float:
    """Robust noise s.d. from first differences (MAD / 0.6745 / sqrt 2), ignoring a few steps."""
    d = np.diff(y)
    if d.size == 0:
        return 0.0
    mad = float(np.median(np.abs(d - np.median(d))))
    return mad / 0.6745 / np.sqrt(2.0)


def _best_split(y: np.ndarray, min_size: int) -> tuple[int, float]:
    """Index and cost reduction of the best single mean shift in ``y`` (-1 if none allowed)."""
    n = y.size
    if n < 2 * min_size:
        return -1, 0.0
    c1, c2 = np.cumsum(y), np.cumsum(y**2)
    k = np.arange(min_size, n - min_size + 1)
    left = c2[k - 1] - c1[k - 1] ** 2 / k
    right = (c2[-1] - c2[k - 1]) - (c1[-1] - c1[k - 1]) ** 2 / (n - k)
    total = c2[-1] - c1[-1] ** 2 / n
    gain = total - (left + right)
    i = int(np.argmax(gain))
    return int(k[i]), float(gain[i])


def change_points(
    values: Sequence[float] | np.ndarray,
    *,
    max_changes: int = 3,
    min_size: int = 3,
    penalty: float | None = None,
) -> list[int]:
    """Positions where the mean of ``values`` shifts, by binary segmentation.

    Args:
        values: the series in time order (no missing values).
        max_changes: most change points to return.
        min_size: fewest observations in a segment.
        penalty: least cost reduction (sum of squares) a split must bring; default
            ``5 * sigma^2 * ln(n)`` with ``sigma`` the robust noise scale (a BIC-style rule,
            raised from 2 because the best split is a maximum over candidates: on pure
            Gaussian noise it flags a change in about 3% of 24-point series).

    Returns:
        Sorted indices ``i`` such that a new level starts at ``values[i]``.
    """
    y = np.asarray(values, dtype=float)
    if np.isnan(y).any():
        raise OpsaiError("values: change_points needs a series without missing values")
    n = y.size
    if penalty is None:
        penalty = 5.0 * _noise_scale(y) ** 2 * np.log(max(n, 2))
    segments = [(0, n)]
    found: list[int] = []
    while len(found) < max_changes:
        best: tuple[float, int, int] | None = None
        for a, b in segments:
            k, gain = _best_split(y[a:b], min_size)
            if k > 0 and gain > penalty and (best is None or gain > best[0]):
                best = (gain, a, a + k)
        if best is None:
            break
        _, a, cut = best
        found.append(cut)
        seg = next(s for s in segments if s[0] == a)
        segments.remove(seg)
        segments += [(seg[0], cut), (cut, seg[1])]
    return sorted(found)


def _welch(
    before: np.ndarray, after: np.ndarray, level: float
) -> tuple[float, float, float, float]:
    """Difference of means (after - before), its interval and the Welch t statistic."""
    diff = float(after.mean() - before.mean())
    va = after.var(ddof=1) / after.size if after.size > 1 else 0.0
    vb = before.var(ddof=1) / before.size if before.size > 1 else 0.0
    se = float(np.sqrt(va + vb))
    if se == 0.0:
        return diff, diff, diff, float("inf") if diff else 0.0
    dof = (va + vb) ** 2 / (
        (va**2 / (after.size - 1) if after.size > 1 else 0.0)
        + (vb**2 / (before.size - 1) if before.size > 1 else 0.0)
        or 1.0
    )
    q = float(stats.t.ppf(0.5 + level / 2, max(dof, 1.0)))
    return diff, diff - q * se, diff + q * se, diff / se


def detect_moves(
    market: Any,
    *,
    metrics: Sequence[str] = (S.PRICE, S.SHARE, S.MARKETING_SPEND),
    companies: Sequence[str] | None = None,
    relative: bool = True,
    min_change: float = 0.05,
    max_changes: int = 2,
    min_size: int = 3,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
) -> pd.DataFrame:
    """Change points in each company's price, share or spend, with dates and sizes.

    Each metric is taken in logs (so a move is a relative change); with ``relative=True`` the
    period's mean log value across companies is subtracted first, which removes seasonality,
    inflation and market-wide shocks. Metrics absent from the table are skipped.

    Args:
        metrics: columns to scan (positive values).
        companies: restrict to these companies (default all).
        relative: compare each company with the market in the same period.
        min_change: smallest relative change (``after / before - 1`` of the raw metric,
            segment means) reported.
        max_changes: most moves per company and metric.
        min_size: fewest periods on each side of a move.

    Returns:
        One row per move: company, metric, period, index (position in the period order),
        before, after (raw means of the adjacent segments), change (relative) and t (Welch t
        of the log values), sorted by ``|t|`` descending.
    """
    df = as_frame(market, [col_period, col_company])
    present = [m for m in metrics if m in df.columns]
    periods = np.sort(df[col_period].unique())
    rows: list[dict[str, Any]] = []
    for metric in present:
        how = "mean" if metric == S.PRICE else "sum"  # several products per company
        wide = df.pivot_table(index=col_period, columns=col_company, values=metric, aggfunc=how)
        wide = wide.reindex(periods)
        logs = np.log(wide.where(wide > 0))
        if relative:
            logs = logs.sub(logs.mean(axis=1), axis=0)
        for company in wide.columns if companies is None else companies:
            if company not in wide.columns:
                raise OpsaiError(f"company {company!r} not in column {col_company!r}")
            series = logs[company].to_numpy()
            raw = wide[company].to_numpy(float)
            ok = ~np.isnan(series)
            if ok.sum() < 2 * min_size:
                continue
            idx = np.flatnonzero(ok)
            cuts = change_points(series[ok], max_changes=max_changes, min_size=min_size)
            bounds = [0, *cuts, int(ok.sum())]
            for j, cut in enumerate(cuts):
                seg_b = idx[bounds[j] : cut]
                seg_a = idx[cut : bounds[j + 2]]
                before, after = float(raw[seg_b].mean()), float(raw[seg_a].mean())
                change = after / before - 1 if before > 0 else np.nan
                if not abs(change) >= min_change:
                    continue
                _, _, _, t = _welch(series[seg_b], series[seg_a], 0.95)
                rows.append(
                    {
                        col_company: company,
                        "metric": metric,
                        col_period: periods[idx[cut]],
                        "index": int(idx[cut]),
                        "before": before,
                        "after": after,
                        "change": change,
                        "t": t,
                    }
                )
    cols = [col_company, "metric", col_period, "index", "before", "after", "change", "t"]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    return out.sort_values("t", key=np.abs, ascending=False, ignore_index=True)


def event_study(
    market: Any,
    company: str,
    event: Any,
    *,
    metric: str = S.SHARE,
    window: int = 3,
    level: float = 0.95,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
) -> dict[str, Any]:
    """Mean of ``metric`` for ``company`` in the ``window`` periods before vs from ``event``.

    Returns:
        A dict with company, metric, event, before, after, change (after - before), lo, hi
        (the Welch ``level`` interval of the change), change_rel, t, n_before, n_after.
    """
    df = as_frame(market, [col_period, col_company, metric])
    mine = df[df[col_company] == company].groupby(col_period)[metric].sum().sort_index()
    if mine.empty:
        raise OpsaiError(f"company {company!r} not in column {col_company!r}")
    periods = mine.index
    pos = int(np.searchsorted(periods.to_numpy(), np.asarray(event, dtype=periods.dtype)))
    if pos <= 0 or pos >= len(periods):
        raise OpsaiError(
            f"event {event!r} must fall after the first and on or before the last period "
            f"({periods[0]} .. {periods[-1]})"
        )
    before = mine.iloc[max(0, pos - window) : pos].to_numpy(float)
    after = mine.iloc[pos : pos + window].to_numpy(float)
    diff, lo, hi, t = _welch(before, after, level)
    return {
        "company": company,
        "metric": metric,
        "event": periods[pos],
        "before": float(before.mean()),
        "after": float(after.mean()),
        "change": diff,
        "lo": lo,
        "hi": hi,
        "change_rel": diff / before.mean() if before.mean() else np.nan,
        "t": t,
        "n_before": int(before.size),
        "n_after": int(after.size),
    }


def decompose(
    values: pd.Series,
    *,
    season: int = 12,
    model: Literal["additive", "multiplicative"] = "additive",
) -> pd.DataFrame:
    """Classical decomposition: centred moving-average trend, mean seasonal profile, residual.

    Args:
        values: the series, indexed by period, in time order; at least two full seasons.
        season: periods per season (12 for monthly data).
        model: ``"multiplicative"`` divides instead of subtracting (positive series).

    Returns:
        Columns observed, trend, seasonal, resid on the series' index (trend is NaN for the
        first and last ``season // 2`` periods).
    """
    check_choice(model, "model", ("additive", "multiplicative"))
    y = pd.Series(values, dtype=float)
    if len(y) < 2 * season:
        raise OpsaiError(f"decompose needs at least {2 * season} periods, got {len(y)}")
    if season % 2 == 0:
        w = np.r_[0.5, np.ones(season - 1), 0.5] / season
    else:
        w = np.ones(season) / season
    trend = pd.Series(np.convolve(y.to_numpy(), w, mode="same"), index=y.index)
    half = len(w) // 2
    trend.iloc[:half] = np.nan
    trend.iloc[len(y) - half :] = np.nan
    detr = y / trend if model == "multiplicative" else y - trend
    pos = np.arange(len(y)) % season
    prof = detr.groupby(pos).mean()
    prof = prof / prof.mean() if model == "multiplicative" else prof - prof.mean()
    seasonal = pd.Series(prof.reindex(pos).to_numpy(), index=y.index)
    resid = y / (trend * seasonal) if model == "multiplicative" else y - trend - seasonal
    return pd.DataFrame({"observed": y, "trend": trend, "seasonal": seasonal, "resid": resid})


def trend_forecast(
    values: pd.Series,
    *,
    horizon: int,
    season: int = 12,
    transform: Literal["log", "logit", "none"] = "log",
    level: float = 0.9,
) -> pd.DataFrame:
    """Linear trend plus seasonal dummies on a transformed series, with prediction intervals.

    ``transform="log"`` suits market size (growth is multiplicative), ``"logit"`` a share
    (forecasts stay in (0, 1)). Intervals are OLS prediction intervals (parameter and noise
    uncertainty, t quantiles) mapped back through the transform.

    Returns:
        ``horizon`` rows (step 1..horizon) with forecast, lo, hi.
    """
    check_choice(transform, "transform", ("log", "logit", "none"))
    y = np.asarray(values, dtype=float)
    if transform == "log":
        z = np.log(y)
    elif transform == "logit":
        z = np.log(y / (1 - y))
    else:
        z = y
    n = y.size
    use_season = season > 1 and n >= 2 * season
    n_par = 2 + (season - 1 if use_season else 0)
    if n < n_par + 2 or not np.isfinite(z).all():
        raise OpsaiError(
            f"trend_forecast needs {n_par + 2}+ finite periods (values > 0, < 1 for logit), got {n}"
        )

    def design(t: np.ndarray) -> np.ndarray:
        cols = [np.ones_like(t, dtype=float), t.astype(float)]
        if use_season:
            cols += [(t % season == k).astype(float) for k in range(1, season)]
        return np.column_stack(cols)

    x = design(np.arange(n))
    beta, *_ = np.linalg.lstsq(x, z, rcond=None)
    resid = z - x @ beta
    dof = n - x.shape[1]
    s2 = float(resid @ resid) / dof
    xf = design(np.arange(n, n + horizon))
    xtx_inv = np.linalg.pinv(x.T @ x)
    se = np.sqrt(s2 * (1 + np.einsum("ij,jk,ik->i", xf, xtx_inv, xf)))
    q = float(stats.t.ppf(0.5 + level / 2, dof))
    mean = xf @ beta

    def back(v: np.ndarray) -> np.ndarray:
        if transform == "log":
            return np.exp(v)
        if transform == "logit":
            return 1 / (1 + np.exp(-v))
        return v

    return pd.DataFrame(
        {
            "step": np.arange(1, horizon + 1),
            "forecast": back(mean),
            "lo": back(mean - q * se),
            "hi": back(mean + q * se),
        }
    )
