"""Coherent prediction intervals: reconcile sample paths, then take their quantiles.

Quantiles do not add up, so intervals cannot be reconciled like means. Following Panagiotelis,
Gamakumara, Athanasopoulos & Hyndman (2023, "Probabilistic forecast reconciliation"), every
series' base forecast distribution is sampled jointly, each joint sample is reconciled with the
same projection as the means (bottom-up or MinT), and the reconciled samples give the
intervals; the reconciled means are the reconciled point forecasts, so they add up exactly.

Sampling (a Gaussian copula):

- each series and step has a marginal distribution read from its base forecast: the quantile
  function runs piecewise-linearly, in normal-score space, through the interval bounds
  (``lo-95`` at z = -1.96, ``lo-80`` at -1.28, the point at 0, ...) and continues the outer
  slope beyond them;
- the dependence between series is the Schäfer–Strimmer shrunk correlation of their backtest
  errors (the same as MinT's ``W``), drawn without forming the matrix:
  ``z = sqrt(1 - lam) * X' g / sqrt(n) + sqrt(lam) * e`` with ``X`` the standardised error
  rows, ``g`` and ``e`` standard normal, has covariance ``(1 - lam) R + lam I``.

Example:
    >>> out = reconcile_intervals(fc, hs.S, model="Auto", residuals=auto.backtest_)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, SchemaError
from opsai.forecast.backtest import CUTOFF, series_level
from opsai.forecast.base import check_level, conformal_quantile
from opsai.forecast.reconcile import Method, projection, shrinkage

__all__ = [
    "backtest_reconciled",
    "calibrate_backtest",
    "interval_scales",
    "reconcile_intervals",
    "rescale_intervals",
    "sample_marginals",
]


def _knots(fc: pd.DataFrame, model: str, level: list[int]) -> tuple[np.ndarray, list[str]]:
    """Normal scores and the columns holding each series' quantile at them (ascending)."""
    pairs = [(0.0, model)]
    for lv in level:
        z = float(norm.ppf(0.5 + lv / 200))
        pairs += [(-z, f"{model}-lo-{lv}"), (z, f"{model}-hi-{lv}")]
    missing = [c for _, c in pairs if c not in fc]
    if missing:
        raise SchemaError(
            f"reconcile_intervals: column(s) {missing} not in the forecasts. Predict with "
            f"level={level} (e.g. model.predict(h, level={level}))"
        )
    pairs.sort()
    return np.array([z for z, _ in pairs]), [c for _, c in pairs]


def sample_marginals(q: np.ndarray, zk: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Values at normal scores ``z`` of piecewise-linear quantile functions.

    Args:
        q: ``(n, k)`` quantiles of ``n`` distributions at the ascending scores ``zk`` (``k``),
            made non-decreasing first.
        zk: normal scores of the columns of ``q``.
        z: ``(s, n)`` normal scores to evaluate.

    Returns:
        ``(s, n)`` values; beyond the outer knots the outer segments' slopes continue.
    """
    q = np.maximum.accumulate(q, axis=1)
    k = len(zk)
    if k == 1:
        return np.broadcast_to(q[:, 0], z.shape).copy()
    seg = np.clip(np.searchsorted(zk, z, side="right") - 1, 0, k - 2)  # (s, n)
    cols = np.arange(q.shape[0])
    z0, z1 = zk[seg], zk[seg + 1]
    q0, q1 = q[cols, seg], q[cols, seg + 1]
    return np.asarray(q0 + (q1 - q0) * (z - z0) / (z1 - z0))


def _error_rows(residuals: pd.DataFrame, model: str, ids: list[str]) -> np.ndarray:
    """Backtest errors ``(n_obs, n_series)``, one row per cutoff and period."""
    if model not in residuals:
        raise ConfigError(f"residuals= needs a {model!r} column (a backtest frame)")
    e = residuals.assign(e=residuals[QUANTITY] - residuals[model])
    r = e.pivot_table(index=[TIMESTAMP, CUTOFF], columns=ITEM_ID, values="e", dropna=False)
    return np.asarray(r.reindex(columns=ids).to_numpy(dtype=float))


def _normal_scores(
    err: np.ndarray | None, n_series: int, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``(n, n_series)`` standard normals with the shrunk correlation of ``err``."""
    if err is None:
        return rng.standard_normal((n, n_series))
    r = err[~np.isnan(err).any(axis=1)]
    if len(r) < 3:
        return rng.standard_normal((n, n_series))
    c = r - r.mean(axis=0)
    sd = c.std(axis=0)
    x = np.where(sd > 0, c / np.where(sd > 0, sd, 1.0), 0.0)
    lam = shrinkage(x)
    g = rng.standard_normal((n, len(x)))
    z = np.sqrt(1 - lam) * (g @ x) / np.sqrt(len(x)) + np.sqrt(lam) * rng.standard_normal(
        (n, n_series)
    )
    # a series without error variance gets an independent draw (its correlation is undefined)
    flat = sd == 0
    z[:, flat] = rng.standard_normal((n, int(flat.sum())))
    return np.asarray(z)


def reconcile_intervals(
    fc: pd.DataFrame,
    S: pd.DataFrame,
    *,
    model: str,
    level: Sequence[int] = (80, 95),
    method: Method = "bottom_up",
    residuals: pd.DataFrame | None = None,
    n_samples: int = 1000,
    nonnegative: bool = True,
    seed: int = 0,
) -> pd.DataFrame:
    """Reconciled point forecasts and intervals of every series in ``S``.

    Args:
        fc: base forecasts ``[ITEM_ID, TIMESTAMP, model, model-lo-<lv>, model-hi-<lv>, ...]``
            for every row of ``S`` (e.g. ``AutoForecaster.predict(h, level=[80, 95])``).
        S: summing matrix (series ids x bottom ids).
        model: the model column to reconcile.
        level: interval levels in percent (those of ``fc``).
        method: ``bottom_up`` (sample the items, sum them up) or ``mint_shrink``.
        residuals: a backtest frame of ``model`` on every series (``AutoForecaster.backtest_``):
            its errors set the correlation of the samples and MinT's ``W``. Without it the
            series are sampled independently (``bottom_up`` only).
        n_samples: joint sample paths per period.
        nonnegative: demand: clip samples at 0 before reconciling, and the reconciled items
            (means and samples) at 0 after, their aggregates re-summed from them, so the result
            stays coherent. MinT can move an item with little demand below zero (a shop's
            promotion-driven item at -1.2 units a day), which a purchase plan would read as
            no demand at all.
        seed: random seed.

    Returns:
        ``fc`` with ``model`` replaced by the reconciled means (``S P`` times the base points,
        so every aggregate equals the sum of its items exactly) and the interval columns by
        the quantiles of the reconciled samples.
    """
    lv = check_level(level)
    if method not in ("bottom_up", "mint_shrink"):
        raise ConfigError(f"method must be 'bottom_up' or 'mint_shrink', got {method!r}")
    if method == "mint_shrink" and residuals is None:
        raise ConfigError("method='mint_shrink' needs residuals= (a backtest frame of the model)")
    if int(n_samples) < 50:
        raise ConfigError(f"n_samples must be at least 50 to read quantiles, got {n_samples}")
    ids = [str(i) for i in S.index]
    missing = sorted(set(ids) - set(fc[ITEM_ID].astype(str)))
    if missing:
        raise SchemaError(
            f"reconcile_intervals: forecasts missing for {len(missing)} series, e.g. "
            f"{missing[:3]}. Forecast every level of the hierarchy"
        )
    zk, cols = _knots(fc, model, lv)
    Sm = S.to_numpy(dtype=float)
    err = _error_rows(residuals, model, ids) if residuals is not None else None
    P = projection(Sm, None)
    if method == "mint_shrink":
        from opsai.forecast.reconcile import shrunk_covariance

        P = projection(Sm, shrunk_covariance(np.asarray(err)))
    base = fc.assign(**{ITEM_ID: fc[ITEM_ID].astype(str)}).set_index([ITEM_ID, TIMESTAMP])
    rng = np.random.default_rng(seed)
    probs = [(50 - v / 2) / 100 for v in lv] + [(50 + v / 2) / 100 for v in lv]
    names = [f"{model}-lo-{v}" for v in lv] + [f"{model}-hi-{v}" for v in lv]
    parts = []
    for ts, g in base.groupby(level=TIMESTAMP, sort=True):
        g = g.droplevel(TIMESTAMP).reindex(ids)
        if g[cols].isna().any().any():
            raise SchemaError(f"reconcile_intervals: missing forecasts at {ts} for some series")
        q = g[cols].to_numpy(dtype=float)
        z = _normal_scores(err, len(ids), int(n_samples), rng)
        x = sample_marginals(q, zk, z)
        if nonnegative:
            x = np.maximum(x, 0.0)
        items = x @ P.T  # (samples, bottom series)
        point = P @ g[model].to_numpy(dtype=float)
        if nonnegative:
            items, point = np.maximum(items, 0.0), np.maximum(point, 0.0)
        rec = items @ Sm.T  # (samples, series)
        quant = np.quantile(rec, probs, axis=0)  # (2 * levels, series)
        mean = Sm @ point
        frame = pd.DataFrame({ITEM_ID: ids, TIMESTAMP: ts, model: mean})
        for name, row in zip(names, quant, strict=True):
            frame[name] = row
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    for v in lv:  # the band holds the mean (a skewed sample can push a bound past it)
        lo, hi = f"{model}-lo-{v}", f"{model}-hi-{v}"
        out[lo] = np.minimum(out[lo], out[model])
        out[hi] = np.maximum(out[hi], out[model])
    key = fc[[ITEM_ID, TIMESTAMP]].assign(**{ITEM_ID: fc[ITEM_ID].astype(str)})
    res = key.merge(out, on=[ITEM_ID, TIMESTAMP], how="left")
    keep = fc.drop(columns=[model, *names], errors="ignore").drop(columns=[ITEM_ID, TIMESTAMP])
    res.index = fc.index
    return pd.concat([res, keep], axis=1)[list(fc.columns)]


def backtest_reconciled(
    cv: pd.DataFrame,
    S: pd.DataFrame,
    *,
    model: str,
    level: Sequence[int] = (80, 95),
    method: Method = "bottom_up",
    n_samples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Reconcile every window of a backtest the way the forecasts are, to check coverage.

    The correlation (and MinT's ``W``) of window ``k`` comes from the errors of the other
    windows only (all windows when there is one), so no window is scored on its own errors.

    Args:
        cv: backtest frame ``[ITEM_ID, TIMESTAMP, CUTOFF, QUANTITY, model, bounds...]`` on every
            series of ``S`` (e.g. ``AutoForecaster.backtest_``).
        S: summing matrix.
        model: the model column.
        level: interval levels in percent.
        method: ``bottom_up`` or ``mint_shrink``.
        n_samples: joint samples per period.
        seed: random seed.

    Returns:
        ``cv`` with the model's columns reconciled window by window. In a window that some
        items sat out (launched too late to have a history at that cutoff, so no forecast was
        made for them) the items that took part are reconciled, their aggregates summing
        them: two new products must not leave every other item's bands and lead-time demand
        unchecked. The frame is empty only when no window has any series.
    """
    S = S.set_axis([str(i) for i in S.index], axis=0).set_axis([str(c) for c in S.columns], axis=1)
    cv = cv.assign(**{ITEM_ID: cv[ITEM_ID].astype(str)})
    cuts = sorted(cv[CUTOFF].unique())
    out = []
    for k, cut in enumerate(cuts):
        win = cv[cv[CUTOFF] == cut]
        have = set(win[ITEM_ID])
        sub = S.loc[[i for i in S.index if i in have], [c for c in S.columns if c in have]]
        sub = sub[sub.sum(axis=1) > 0]  # an aggregate none of whose items took part
        if sub.empty:
            continue
        win = win[win[ITEM_ID].isin(sub.index)]
        others = cv[cv[CUTOFF] != cut] if len(cuts) > 1 else cv
        rec = reconcile_intervals(
            win, sub, model=model, level=level, method=method, residuals=others,
            n_samples=n_samples, seed=seed + k,
        )  # fmt: skip
        out.append(rec)
    if not out:
        return cv.iloc[:0]
    return pd.concat(out, ignore_index=True)


SCALE_COLUMNS = ["level", "interval", "lower", "upper", "points"]


def _tail_scores(y: np.ndarray, mid: np.ndarray, bound: np.ndarray, side: int) -> np.ndarray:
    """How far past the point forecast each actual fell on one side, in units of that side's
    half-width (``side`` +1: upper, -1: lower); an actual on the other side scores <= 0."""
    width = side * (bound - mid)
    gap = side * (y - mid)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(
            width > 0, gap / np.where(width > 0, width, 1.0), np.where(gap > 0, np.inf, 0.0)
        )
    return np.asarray(r)


def interval_scales(
    cv: pd.DataFrame,
    tags: dict[str, list[str]],
    *,
    model: str,
    level: Sequence[int] = (80, 95),
) -> pd.DataFrame:
    """Per hierarchy level, the factors that make reconciled bands hold their level on a backtest.

    Reconciled intervals inherit whatever the sampled dependence between series misses: with
    few backtest periods the error correlation is shrunk towards none, so aggregates come out
    too narrow (on the demo the 95% band of the total held 79%). This recalibrates them the
    split-conformal way, each side on its own so that a biased point forecast gets a longer
    tail on the side it misses: the upper bound becomes ``mean + u * (hi - mean)`` with ``u``
    the conformal ``(1 + level) / 2`` quantile of ``(y - mean) / (hi - mean)`` over the
    level's backtest points, and likewise below. Bands are only ever widened (factors are at
    least 1): a few backtest windows can say a band was too narrow, but narrowing it on their
    word fails the next window that differs (on the tiny demo it took the total from 94% to
    75% out of sample).

    Args:
        cv: reconciled backtest (:func:`backtest_reconciled`) with ``QUANTITY``.
        tags: hierarchy level -> series ids (``HierarchicalSeries.tags``).
        model: the model column.
        level: interval levels in percent.

    Returns:
        ``[level, interval, lower, upper, points]``: one row per hierarchy and interval level
        (no rows when ``cv`` is empty); ``inf`` where the backtest is too short for the level.
    """
    lv = check_level(level)
    rows = []
    if not cv.empty:
        for h, g in cv.groupby(series_level(cv[ITEM_ID], tags), sort=False):
            y, mid = g[QUANTITY].to_numpy(float), g[model].to_numpy(float)
            for v in lv:
                p = (1 + v / 100) / 2
                lo = _tail_scores(y, mid, g[f"{model}-lo-{v}"].to_numpy(float), -1)
                hi = _tail_scores(y, mid, g[f"{model}-hi-{v}"].to_numpy(float), +1)
                rows.append(
                    {
                        "level": str(h),
                        "interval": v,
                        "lower": max(conformal_quantile(lo, p), 1.0),
                        "upper": max(conformal_quantile(hi, p), 1.0),
                        "points": len(g),
                    }
                )
    return pd.DataFrame(rows, columns=SCALE_COLUMNS)


def rescale_intervals(
    fc: pd.DataFrame,
    scales: pd.DataFrame,
    tags: dict[str, list[str]],
    *,
    model: str,
    nonnegative: bool = True,
) -> pd.DataFrame:
    """``fc`` with every interval stretched by :func:`interval_scales`' factors of its
    hierarchy level (series or levels without a factor, or with an infinite one, keep their
    band; bounds stay at or above 0 when ``nonnegative``)."""
    out = fc.copy()
    if scales.empty or out.empty:
        return out
    lvl_of = series_level(out[ITEM_ID], tags)
    mid = out[model].to_numpy(float)
    for _, r in scales.iterrows():
        lo, hi = f"{model}-lo-{int(r['interval'])}", f"{model}-hi-{int(r['interval'])}"
        if lo not in out or hi not in out:
            continue
        rows = (lvl_of == r["level"]).to_numpy()
        if np.isfinite(r["lower"]):
            new = mid - r["lower"] * (mid - out[lo].to_numpy(float))
            out.loc[rows, lo] = np.maximum(new, 0.0)[rows] if nonnegative else new[rows]
        if np.isfinite(r["upper"]):
            out.loc[rows, hi] = (mid + r["upper"] * (out[hi].to_numpy(float) - mid))[rows]
    return out


def calibrate_backtest(
    cv: pd.DataFrame,
    tags: dict[str, list[str]],
    *,
    model: str,
    level: Sequence[int] = (80, 95),
    nonnegative: bool = True,
) -> pd.DataFrame:
    """The reconciled backtest with each window's bands rescaled by factors learnt on the
    other windows only, so the coverage it shows is out of sample (with one window there is
    nothing to learn from and the bands are returned unchanged)."""
    if cv.empty or cv[CUTOFF].nunique() < 2:
        return cv.copy()
    flat = cv.reset_index(drop=True)  # positions, whatever the index holds
    parts = []
    for cut in sorted(flat[CUTOFF].unique()):
        win = flat[CUTOFF] == cut
        scales = interval_scales(flat[~win], tags, model=model, level=level)
        parts.append(
            rescale_intervals(flat[win], scales, tags, model=model, nonnegative=nonnegative)
        )
    out = pd.concat(parts).sort_index()
    out.index = cv.index
    return out
