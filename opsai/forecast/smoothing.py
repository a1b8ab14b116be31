"""Simple exponential smoothing fitted to many series at once.

:func:`~opsai.forecast.models.ses_fit` searches each series' smoothing with scipy's bounded
Brent method (``minimize_scalar(method="bounded")``), one series and one objective at a time:
Theta fits thousands of series (and each again at every conformal origin), and the Python
overhead of those calls was most of a backtest's time on the local models. Here the same
Brent iterations run in lockstep over every series, each array operation the scalar one of
scipy's ``_minimize_scalar_bounded`` applied to all of them, and the objective of all series
is evaluated together: their smoothing recursion on one zero-padded matrix (a padded zero
leaves the level at zero, so the real part starts as ``lfilter`` does), their sums and dot
products per group of equal length (numpy's row sums and stacked ``matmul`` add in the order
of the one-series ``np.sum`` and ``np.dot``). The results are those of :func:`ses_fit`.

Example:
    >>> fits = ses_fit_many([np.array([3.0, 5, 4, 6]), np.array([1.0, 0, 2])])  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from opsai.forecast.models import ses_fit

_XATOL = 1e-5
_MAXFUN = 500
_BOUNDS = (0.01, 0.99)
_CHUNK = 4096


class _Profiles:
    """The SES least-squares profile ``alpha -> (sse, best initial level)`` of many series."""

    def __init__(self, ys: Sequence[np.ndarray]) -> None:
        self.n = np.array([len(y) for y in ys])
        self.width = int(self.n.max())
        self.y = np.zeros((len(ys), self.width))
        for i, y in enumerate(ys):
            self.y[i, self.width - len(y) :] = y
        self.groups = [(n, np.flatnonzero(self.n == n)) for n in np.unique(self.n)]

    def __call__(self, rows: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(sse, l0)`` of series ``rows`` at smoothing ``alpha`` (one per row)."""
        keep = 1.0 - alpha
        y = self.y[rows]
        # one-step forecasts with l0 = 0: base[t] = level after y[t-1] (as lfilter computes it)
        base = np.zeros_like(y)
        z = np.zeros(len(rows))
        first = self.width - int(self.n[rows].max())
        for t in range(first, self.width - 1):
            out = z + alpha * y[:, t]
            base[:, t + 1] = out
            z = out * keep
        sse, l0 = np.empty(len(rows)), np.empty(len(rows))
        where = np.empty(len(self.n), dtype=np.intp)
        where[rows] = np.arange(len(rows))
        for n, members in self.groups:
            at = where[members[np.isin(members, rows)]]
            if not len(at):
                continue
            cols = slice(self.width - n, self.width)
            resid = y[at, cols] - base[at, cols]
            c = keep[at, None] ** np.arange(n)  # how l0 enters each forecast
            lv = _rowdot(c, resid) / _rowdot(c, c)
            sse[at] = np.sum((resid - c * lv[:, None]) ** 2, axis=1)
            l0[at] = lv
        return sse, l0

    def sse(self, rows: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """The sums of squared one-step errors (the objective of the smoothing search)."""
        return self(rows, alpha)[0]

    def last_levels(self, alpha: np.ndarray, l0: np.ndarray) -> np.ndarray:
        """The level after each whole series (``ses_levels(y, alpha, l0)[-1]``)."""
        keep = 1.0 - alpha
        start = self.width - self.n
        z = np.zeros(len(self.n))
        out = z
        for t in range(int(start.min()), self.width):
            z = np.where(start == t, keep * l0, z)  # lfilter's initial state
            out = z + alpha * self.y[:, t]
            z = out * keep
        return out


def _rowdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.dot`` of each row pair (a stacked vector product is the same BLAS dot)."""
    return np.matmul(a[:, None, :], b[:, :, None])[:, 0, 0]


def bounded_minimize_many(
    func: Callable[[np.ndarray, np.ndarray], np.ndarray],
    size: int,
    bounds: tuple[float, float],
    *,
    xatol: float = _XATOL,
    maxfun: int = _MAXFUN,
) -> np.ndarray:
    """scipy's ``minimize_scalar(method="bounded")`` on ``size`` problems in lockstep.

    Args:
        func: ``(rows, x) -> f`` for the problems ``rows`` at their points ``x``.
        size: number of problems.
        bounds: the search interval, shared.
        xatol: absolute tolerance in ``x`` (scipy's default).
        maxfun: most objective evaluations per problem (scipy's ``maxiter``).

    Returns:
        Each problem's minimiser, as scipy returns it (``res.x``).
    """
    sqrt_eps = math.sqrt(2.2e-16)
    golden_mean = 0.5 * (3.0 - math.sqrt(5.0))
    a = np.full(size, float(bounds[0]))
    b = np.full(size, float(bounds[1]))
    xf = a + golden_mean * (b - a)
    nfc, fulc = xf.copy(), xf.copy()
    rat, e = np.zeros(size), np.zeros(size)
    fx = func(np.arange(size), xf)
    fnfc, ffulc = fx.copy(), fx.copy()
    num = np.ones(size, dtype=int)
    xm = 0.5 * (a + b)
    tol1 = sqrt_eps * np.abs(xf) + xatol / 3.0
    tol2 = 2.0 * tol1
    while True:
        act = np.flatnonzero((np.abs(xf - xm) > (tol2 - 0.5 * (b - a))) & (num < maxfun))
        if not len(act):
            return xf
        A, B, X, FX = a[act], b[act], xf[act], fx[act]
        NF, FNF, FU, FFU = nfc[act], fnfc[act], fulc[act], ffulc[act]
        E, RAT, T1, T2, XM = e[act], rat[act], tol1[act], tol2[act], xm[act]
        parab = np.abs(E) > T1
        with np.errstate(all="ignore"):  # rows that take no parabolic step compute junk here
            r = (X - NF) * (FX - FFU)
            q = (X - FU) * (FX - FNF)
            p = (X - FU) * q - (X - NF) * r
            q = 2.0 * (q - r)
            p = np.where(q > 0.0, -p, p)
            q = np.abs(q)
            ok = parab & (np.abs(p) < np.abs(0.5 * q * E)) & (p > q * (A - X)) & (p < q * (B - X))
            step = (p + 0.0) / q
            edge = ((X + step - A) < T2) | ((B - (X + step)) < T2)
        si = np.sign(XM - X) + ((XM - X) == 0)
        step = np.where(edge, T1 * si, step)
        gold = np.where(X >= XM, A - X, B - X)
        E = np.where(ok, RAT, gold)  # a parabolic step keeps the previous step as e
        RAT = np.where(ok, step, golden_mean * gold)
        si = np.sign(RAT) + (RAT == 0)
        x = X + si * np.maximum(np.abs(RAT), T1)
        fu = func(act, x)
        num[act] += 1
        better = fu <= FX
        A = np.where(better, np.where(x >= X, X, A), np.where(x < X, x, A))
        B = np.where(better, np.where(x >= X, B, X), np.where(x < X, B, x))
        second = ~better & ((fu <= FNF) | (NF == X))
        third = ~better & ~second & ((fu <= FFU) | (FU == X) | (FU == NF))
        new_fu = np.where(better | second, NF, np.where(third, x, FU))
        new_ffu = np.where(better | second, FNF, np.where(third, fu, FFU))
        new_nf = np.where(better, X, np.where(second, x, NF))
        new_fnf = np.where(better, FX, np.where(second, fu, FNF))
        xf[act] = np.where(better, x, X)
        fx[act] = np.where(better, fu, FX)
        fulc[act], ffulc[act], nfc[act], fnfc[act] = new_fu, new_ffu, new_nf, new_fnf
        a[act], b[act], e[act], rat[act] = A, B, E, RAT
        xm[act] = 0.5 * (A + B)
        tol1[act] = sqrt_eps * np.abs(xf[act]) + xatol / 3.0
        tol2[act] = 2.0 * tol1[act]


def ses_fit_many(ys: Sequence[np.ndarray]) -> list[tuple[float, float]]:
    """:func:`~opsai.forecast.models.ses_fit` (smoothing searched) of many series at once.

    Returns:
        ``(alpha, final level)`` per series, as ``ses_fit`` gives them.
    """
    ys = [np.asarray(y, dtype=float) for y in ys]
    out: list[tuple[float, float]] = [(0.0, 0.0)] * len(ys)
    long = [i for i, y in enumerate(ys) if len(y) >= 2]
    for i in set(range(len(ys))) - set(long):
        out[i] = ses_fit(ys[i])
    for first in range(0, len(long), _CHUNK):  # a few thousand at a time: bounded memory
        chunk = long[first : first + _CHUNK]
        prof = _Profiles([ys[i] for i in chunk])
        alpha = bounded_minimize_many(prof.sse, len(chunk), _BOUNDS)
        l0 = prof(np.arange(len(chunk)), alpha)[1]
        level = prof.last_levels(alpha, l0)
        for k, i in enumerate(chunk):
            out[i] = (float(alpha[k]), float(level[k]))
    return out
