"""Linear least squares and two-stage least squares with fixed effects and robust errors.

The logit demand models reduce to a linear IV regression after the Berry inversion, so this is
the one estimation routine of the package. Fixed effects are absorbed by demeaning (alternating
projections when there are several), so an item or period dummy never becomes a matrix column.
It is checked against ``pyblp`` (1-step GMM with the 2SLS weight is 2SLS) in
``benchmarks/market_blp.py`` and against closed forms in the unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from opsai.errors import OpsaiError

SEType = Literal["unadjusted", "robust", "clustered"]


@dataclass(frozen=True)
class LinearFit:
    """Coefficients, covariance and residuals of one (IV) regression."""

    coef: np.ndarray
    cov: np.ndarray
    resid: np.ndarray
    n_obs: int
    dof: int
    first_stage_f: np.ndarray | None = None
    """Per endogenous regressor, the F statistic of the excluded instruments (None for OLS)."""

    @property
    def se(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    def conf_int(self, level: float = 0.95) -> np.ndarray:
        """(k, 2) array of normal-approximation intervals."""
        z = stats.norm.ppf(0.5 + level / 2)
        return np.column_stack([self.coef - z * self.se, self.coef + z * self.se])


def demean(
    arrays: np.ndarray, groups: Sequence[np.ndarray], *, tol: float = 1e-10, max_iter: int = 1000
) -> tuple[np.ndarray, int]:
    """Remove group means of every column of ``arrays`` for each grouping in ``groups``.

    One grouping is exact; several use alternating projections until the largest change is
    below ``tol``. Returns the demeaned array and the number of absorbed levels (degrees of
    freedom used: the levels of the first grouping plus levels minus one of the others).
    """
    out = np.array(arrays, dtype=float, copy=True)
    if not groups:
        return out, 0
    codes = [np.unique(g, return_inverse=True)[1] for g in groups]
    counts = [np.bincount(c).astype(float) for c in codes]
    levels = int(counts[0].size) + sum(int(c.size) - 1 for c in counts[1:])
    if out.shape[1] == 0:  # nothing to demean
        return out, levels
    for _ in range(max_iter if len(codes) > 1 else 1):
        largest = 0.0
        for c, n in zip(codes, counts, strict=True):
            sums = [np.bincount(c, weights=col, minlength=n.size) for col in out.T]
            means = np.column_stack(sums).reshape(n.size, out.shape[1]) / n[:, None]
            step = means[c]
            out -= step
            largest = max(largest, float(np.abs(step).max(initial=0.0)))
        if largest < tol:
            break
    return out, levels


def fit_linear(
    y: np.ndarray,
    exog: np.ndarray,
    endog: np.ndarray | None = None,
    instruments: np.ndarray | None = None,
    *,
    groups: Sequence[np.ndarray] = (),
    se_type: SEType = "robust",
    clusters: np.ndarray | None = None,
) -> LinearFit:
    """OLS of ``y`` on ``[endog, exog]``, or 2SLS when excluded ``instruments`` are given.

    Coefficients come in the order ``endog`` columns, then ``exog`` columns.

    Args:
        y: (n,) outcome.
        exog: (n, k) exogenous regressors (include a constant unless ``groups`` absorb it).
        endog: (n, e) endogenous regressors, or None.
        instruments: (n, m) excluded instruments, m >= e; None means OLS on all regressors.
        groups: fixed-effect groupings to absorb (each an (n,) array of labels).
        se_type: ``"unadjusted"`` (homoskedastic), ``"robust"`` (HC0, as ``pyblp``) or
            ``"clustered"`` (CR0 over ``clusters``).
        clusters: (n,) cluster labels for ``se_type="clustered"``.
    """
    n = len(y)
    x_endog = np.zeros((n, 0)) if endog is None else np.asarray(endog, float).reshape(n, -1)
    x_exog = np.asarray(exog, float).reshape(n, -1)
    z_excl = None if instruments is None else np.asarray(instruments, float).reshape(n, -1)
    e, k_exog = x_endog.shape[1], x_exog.shape[1]
    if z_excl is not None and z_excl.shape[1] < e:
        raise OpsaiError(
            f"instruments: need at least as many excluded instruments as endogenous "
            f"regressors ({e}), got {z_excl.shape[1]}. Add instruments or drop an endogenous term"
        )
    m = 0 if z_excl is None else z_excl.shape[1]
    parts = [np.asarray(y, float)[:, None], x_endog, x_exog]
    if z_excl is not None:
        parts.append(z_excl)
    stacked = np.column_stack(parts)
    stacked, absorbed = demean(stacked, groups)
    yy = stacked[:, 0]
    xx = stacked[:, 1 : 1 + e + k_exog]
    k = xx.shape[1]
    if z_excl is None or e == 0:
        xhat = xx
        f_stats = None
    else:
        zz = np.column_stack([stacked[:, 1 + e : 1 + e + k_exog], stacked[:, 1 + e + k_exog :]])
        first, *_ = np.linalg.lstsq(zz, xx[:, :e], rcond=None)
        xhat = np.column_stack([zz @ first, xx[:, e:]])
        f_stats = _first_stage_f(xx[:, :e], zz, stacked[:, 1 + e : 1 + e + k_exog], m)
    rank = np.linalg.matrix_rank(xhat)
    if rank < k:
        raise OpsaiError(
            f"regressors are collinear (rank {rank} < {k} columns): drop a characteristic that "
            "is constant within a fixed effect or duplicates another"
        )
    bread = np.linalg.inv(xhat.T @ xhat)
    coef = bread @ (xhat.T @ yy)
    resid = yy - xx @ coef
    dof = max(n - k - absorbed, 1)
    if se_type == "unadjusted":
        cov = bread * float(resid @ resid) / dof
    elif se_type == "robust":
        meat = (xhat * resid[:, None] ** 2).T @ xhat
        cov = bread @ meat @ bread
    elif se_type == "clustered":
        if clusters is None:
            raise OpsaiError("se_type='clustered' needs cluster labels: pass cluster=<column>")
        codes = np.unique(np.asarray(clusters), return_inverse=True)[1]
        scores = np.zeros((codes.max() + 1, k))
        np.add.at(scores, codes, xhat * resid[:, None])
        cov = bread @ (scores.T @ scores) @ bread
    else:
        raise OpsaiError(f"se_type must be 'unadjusted', 'robust' or 'clustered', got {se_type!r}")
    return LinearFit(coef, cov, resid, n, dof, f_stats)


def _first_stage_f(
    x_endog: np.ndarray, z_all: np.ndarray, z_exog: np.ndarray, m: int
) -> np.ndarray:
    """Homoskedastic F of the excluded instruments in each first-stage regression."""
    n = len(x_endog)
    out = []
    for j in range(x_endog.shape[1]):
        x = x_endog[:, j]
        r_full = _residual(x, z_all)
        r_restr = _residual(x, z_exog)
        ssr_f, ssr_r = float(r_full @ r_full), float(r_restr @ r_restr)
        df = max(n - z_all.shape[1], 1)
        out.append(((ssr_r - ssr_f) / m) / (ssr_f / df) if ssr_f > 0 else np.inf)
    return np.asarray(out)


def _residual(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Residual of ``x`` after projecting on the columns of ``z`` (``x`` itself if none)."""
    return x - z @ np.linalg.lstsq(z, x, rcond=None)[0] if z.shape[1] else x
