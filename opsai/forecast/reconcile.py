"""Hierarchical reconciliation: make item, category and total forecasts add up.

``bottom_up`` sums the item forecasts; ``mint_shrink`` is the trace-minimising reconciliation of
Wickramasuriya, Athanasopoulos & Hyndman (2019) with the Schäfer–Strimmer shrunk covariance of
backtest errors (as hierarchicalforecast's ``MinTrace(method="mint_shrink")``):
``y~ = S (S' W^-1 S)^-1 S' W^-1 y^``.

Interval columns are returned as the base model produced them; reconcile them with
:func:`opsai.forecast.paths.reconcile_intervals` (sample paths reconciled, then quantiles).

Example:
    >>> rec = reconcile(fc, hs.S, method="mint_shrink", residuals=cv)  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, SchemaError
from opsai.forecast.backtest import CUTOFF

Method = Literal["bottom_up", "mint_shrink"]


def shrinkage(x: np.ndarray) -> float:
    """Schäfer–Strimmer intensity ``lam`` for the correlation of standardised rows ``x``.

    ``(n_obs, n_series)`` columns with mean 0 and variance 1 (0 for a constant column). Computed
    through ``x x'`` (``n_obs`` square), so thousands of series need no ``n_series``-square array.
    """
    n = len(x)
    if n < 2:
        return 1.0
    x2 = x * x
    # sum over i != j of sum_t (x_ti x_tj - r_ij)^2 = sum_t [(sum_i x_ti^2)^2 - sum_i x_ti^4]
    #   - n * sum_{i != j} r_ij^2, with r = x'x / n
    gram = x @ x.T
    r2_all = float(np.sum(gram * gram)) / n**2  # sum over all i, j of r_ij^2
    r2_diag = float(np.sum(np.sum(x2, axis=0) ** 2)) / n**2
    r2_off = r2_all - r2_diag
    s4 = float(np.sum(np.sum(x2, axis=1) ** 2) - np.sum(x2 * x2))
    var_off = n / (n - 1) ** 3 * (s4 - n * r2_off)
    return 1.0 if r2_off <= 0 else float(np.clip(var_off / r2_off, 0.0, 1.0))


def shrunk_covariance(resid: np.ndarray) -> np.ndarray:
    """Schäfer–Strimmer shrinkage of the covariance of ``(n_obs, n_series)`` errors to its
    diagonal; rows with NaN are dropped.

    With fewer than 3 complete rows (items that started selling after the backtest's first
    windows leave NaN in every early row) the covariance cannot be estimated: each series' own
    error variance on the rows it has is used instead (MinT's ``wls_var``), with a warning.
    """
    r = resid[~np.isnan(resid).any(axis=1)]
    n = len(r)
    if n < 3:
        return _own_variances(resid, n)
    c = r - r.mean(axis=0)
    w = c.T @ c / n
    sd = np.sqrt(np.diag(w))
    sd = np.where(sd > 0, sd, 1.0)
    lam = shrinkage(c / sd)
    cov = (1 - lam) * w
    cov[np.diag_indices_from(cov)] = np.diag(w)
    cov[np.diag_indices_from(cov)] += 1e-9 * max(float(np.diag(w).max()), 1.0)
    return np.asarray(cov)


def _own_variances(resid: np.ndarray, complete: int) -> np.ndarray:
    if resid.size == 0 or np.isnan(resid).all():
        raise SchemaError("mint_shrink: no backtest errors at all; use method='bottom_up'")
    counts = (~np.isnan(resid)).sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # columns with no value give NaN
        var = np.nanvar(resid, axis=0)
    var = np.where(counts >= 2, var, np.nan)
    fill = float(np.nanmedian(var)) if np.isfinite(var).any() else 1.0
    var = np.where(np.isfinite(var) & (var > 0), var, max(fill, 1e-9))
    warnings.warn(
        f"mint_shrink: only {complete} backtest period(s) have an error for every series "
        "(series that start late); reconciled with each series' own error variance (wls_var)",
        stacklevel=3,
    )
    return np.diag(var)


def projection(S: np.ndarray, W: np.ndarray | None = None) -> np.ndarray:
    """``P`` with ``y~ = S @ P @ y^``: bottom-up when ``W`` is None, else MinT with ``W``.

    Bottom-up picks, for each bottom column of ``S``, the row that is exactly that unit vector.
    """
    n, k = S.shape
    if W is None:
        P = np.zeros((k, n))
        for j in range(k):
            unit = np.flatnonzero((S[:, j] == 1) & (S.sum(axis=1) == 1))
            if len(unit) == 0:
                raise SchemaError(f"bottom_up: S has no row for bottom series {j}")
            P[j, unit[0]] = 1.0
        return P
    try:
        return _mint(S, np.linalg.pinv(W, hermitian=True))
    except np.linalg.LinAlgError:  # errors that move together exactly: W cannot be inverted
        d = np.diag(W).astype(float)
        positive = d[np.isfinite(d) & (d > 0)]
        d = np.where(np.isfinite(d) & (d > 0), d, positive.min() if len(positive) else 1.0)
        warnings.warn(
            "mint_shrink: the backtest errors of some series move together exactly (or are all "
            "zero), so their covariance cannot be inverted; reconciled with each series' own "
            "error variance (wls_var)",
            stacklevel=2,
        )
        return _mint(S, np.diag(1.0 / d))


def _mint(S: np.ndarray, Wi: np.ndarray) -> np.ndarray:
    """``(S' Wi S)^-1 S' Wi``; LinAlgError unless it is finite and keeps the items (``P S = I``)."""
    P = np.linalg.solve(S.T @ Wi @ S, S.T @ Wi)
    if not np.isfinite(P).all() or not np.allclose(P @ S, np.eye(S.shape[1]), atol=1e-6):
        raise np.linalg.LinAlgError("S' W^-1 S is too close to singular")
    return np.asarray(P)


def reconcile(
    fc: pd.DataFrame,
    S: pd.DataFrame,
    *,
    models: Sequence[str] | None = None,
    method: Method = "bottom_up",
    residuals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Reconcile point forecasts of every series in ``S``.

    Args:
        fc: long forecasts ``[ITEM_ID, TIMESTAMP, <model>...]`` for every row of ``S``.
        S: summing matrix (series ids x bottom ids).
        models: point columns to reconcile (default every column without ``-lo-``/``-hi-``).
        method: ``bottom_up`` or ``mint_shrink``.
        residuals: for ``mint_shrink``, a backtest frame (``cross_validation`` output) of the
            same models on every series, whose errors give ``W``.

    Returns:
        ``fc`` with the model columns replaced by their reconciled values.
    """
    if method not in ("bottom_up", "mint_shrink"):
        raise ConfigError(f"method must be 'bottom_up' or 'mint_shrink', got {method!r}")
    names = (
        list(models)
        if models is not None
        else [
            c
            for c in fc.columns
            if c not in (ITEM_ID, TIMESTAMP) and "-lo-" not in c and "-hi-" not in c
        ]
    )
    ids = list(S.index)
    missing = sorted(set(ids) - set(fc[ITEM_ID]))
    if missing:
        raise SchemaError(
            f"reconcile: forecasts missing for {len(missing)} series, e.g. {missing[:3]}. "
            "Forecast every level of the hierarchy"
        )
    Sm = S.to_numpy(dtype=float)
    out = fc.copy()
    for name in names:
        wide = fc.pivot(index=ITEM_ID, columns=TIMESTAMP, values=name).reindex(ids)
        W = None
        if method == "mint_shrink":
            if residuals is None or name not in residuals:
                raise ConfigError(
                    f"mint_shrink needs residuals= with a {name!r} column (a backtest frame)"
                )
            e = residuals.assign(e=residuals[QUANTITY] - residuals[name])
            r = e.pivot_table(index=[TIMESTAMP, CUTOFF], columns=ITEM_ID, values="e")
            W = shrunk_covariance(r.reindex(columns=ids).to_numpy(dtype=float))
        rec = Sm @ projection(Sm, W) @ wide.to_numpy(dtype=float)
        long = pd.DataFrame(rec, index=wide.index, columns=wide.columns).stack()
        mapped = pd.MultiIndex.from_frame(out[[ITEM_ID, TIMESTAMP]])
        out[name] = long.reindex(mapped).to_numpy()
    return out


def coherence_gap(fc: pd.DataFrame, S: pd.DataFrame, model: str) -> float:
    """Largest ``|aggregate - sum of its items|`` over every series and period."""
    ids = list(S.index)
    wide = fc.pivot(index=ITEM_ID, columns=TIMESTAMP, values=model)
    bottom = wide.reindex(list(S.columns)).to_numpy(float)
    return float(np.nanmax(np.abs(S.to_numpy(float) @ bottom - wide.reindex(ids).to_numpy(float))))
