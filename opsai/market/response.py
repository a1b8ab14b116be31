"""Marketing response: adstock (carry-over) and Hill saturation curves, marginal returns and
budget reallocation.

:class:`SpendResponse` fits, for every group (a company, or a channel of ours)::

    target[g, t] = base[g] + season[t mod m] + beta[g] * hill(adstock(spend[g], decay), half[g], shape)

The carry-over ``decay`` and the curve's ``shape`` are shared, the half-saturation point is a
multiple of each group's median spend; these are chosen on a grid by generalised
cross-validation, and the linear part is a ridge regression (``ridge`` shrinks the ``beta``
and seasonal terms, standardised). The band of marginal returns comes from a seeded residual
bootstrap of the linear part. :func:`reallocate` moves a fixed budget between groups until the
marginal returns are equal; with one spend series per company (no channels), :func:`spend_what_if`
moves our own budget up or down and :func:`response_curve` draws our curve, both with bands.

Example:
    >>> model = SpendResponse().fit(market)                          # doctest: +SKIP
    >>> model.marginal_return()                                      # doctest: +SKIP
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.errors import NotFittedError, OpsaiError
from opsai.market._frame import as_frame

__all__ = ["SpendResponse", "adstock", "hill", "reallocate", "response_curve", "spend_what_if"]

CURRENT_PERIODS = 12
"""A group's current spend is its mean spend over this many last periods (all it has when
fewer): the base of the marginal return, the what-if and the spend-elasticity finding."""


def adstock(spend: np.ndarray, decay: float) -> np.ndarray:
    """Geometric carry-over, normalised so a constant spend ``x`` settles at ``x``:
    ``a[t] = (1 - decay) * x[t] + decay * a[t - 1]`` with ``a[-1] = x[0]``."""
    x = np.asarray(spend, dtype=float)
    out = np.empty_like(x)
    prev = x[0] if x.size else 0.0
    for t, v in enumerate(x):
        prev = (1 - decay) * v + decay * prev
        out[t] = prev
    return out


def hill(x: np.ndarray, half: float | np.ndarray, shape: float) -> np.ndarray:
    """Saturation in [0, 1): ``x^s / (x^s + half^s)`` (0.5 at ``x = half``)."""
    z = np.clip(np.asarray(x, dtype=float), 0.0, None) / half
    return z**shape / (1.0 + z**shape)


def _hill_slope(x: np.ndarray, half: float, shape: float) -> np.ndarray:
    z = np.clip(np.asarray(x, dtype=float), 1e-12, None) / half
    return shape * z ** (shape - 1) / (1 + z**shape) ** 2 / half


class SpendResponse:
    """Adstock + Hill response of a target (sales) to marketing spend, per group.

    Args:
        col_group: the group column (company, or channel).
        col_period: period column (rows are sorted by it within each group).
        col_spend: spend column.
        col_target: the outcome (sales).
        decays: carry-over rates to try.
        shapes: Hill shapes to try (1 = concave, 2+ = S-shaped).
        half_multiples: half-saturation points to try, as multiples of each group's median
            spend.
        ridge: ridge penalty on the standardised spend and season columns.
        season: periods per season for seasonal terms (used with two full seasons or more).
        controls: other drivers of the target entered linearly with a slope per group (own
            price, market size, ...); without them spend takes the credit for whatever moves
            with it.
        n_boot: bootstrap refits for the bands.
        seed: seed of the bootstrap.
    """

    def __init__(
        self,
        *,
        col_group: str = S.COMPANY,
        col_period: str = S.PERIOD,
        col_spend: str = S.MARKETING_SPEND,
        col_target: str = S.SALES,
        decays: Sequence[float] = (0.0, 0.2, 0.4, 0.6, 0.8),
        shapes: Sequence[float] = (1.0, 2.0),
        half_multiples: Sequence[float] = (0.5, 1.0, 2.0, 4.0),
        ridge: float = 1.0,
        season: int = 12,
        controls: Sequence[str] = (),
        n_boot: int = 200,
        seed: int = 0,
    ) -> None:
        self.col_group = col_group
        self.col_period = col_period
        self.col_spend = col_spend
        self.col_target = col_target
        self.decays = decays
        self.shapes = shapes
        self.half_multiples = half_multiples
        self.ridge = ridge
        self.season = season
        self.controls = controls
        self.n_boot = n_boot
        self.seed = seed

    def _design(self, decay: float, shape: float, mult: float) -> np.ndarray:
        cols = []
        for g in range(len(self.groups_)):
            mask = self._codes == g
            a = np.zeros(len(self._codes))
            a[mask] = adstock(self._spend[mask], decay)
            cols.append(np.where(mask, hill(a, mult * self._median[g], shape), 0.0))
        return np.column_stack(cols)

    def _solve(self, h: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
        """Ridge on [hill columns, season] after removing group means; returns coef and GCV."""
        x = np.column_stack([h, self._season_x]) if self._season_x.size else h
        xc = x - self._group_mean(x)
        yc = y - self._group_mean(y[:, None])[:, 0]
        scale = xc.std(axis=0)
        scale[scale == 0] = 1.0
        z = xc / scale
        gram = z.T @ z + self.ridge * np.eye(z.shape[1])
        coef = np.linalg.solve(gram, z.T @ yc)
        hat_trace = float(np.trace(np.linalg.solve(gram, z.T @ z))) + len(self.groups_)
        resid = yc - z @ coef
        n = len(y)
        gcv = n * float(resid @ resid) / max(n - hat_trace, 1.0) ** 2
        return coef / scale, gcv

    def _group_mean(self, x: np.ndarray) -> np.ndarray:
        sums = np.zeros((len(self.groups_), x.shape[1]))
        np.add.at(sums, self._codes, x)
        return (sums / np.bincount(self._codes)[:, None])[self._codes]

    def fit(self, frame: Any) -> SpendResponse:
        """Choose decay, shape and half-saturation by GCV; fit the ridge; bootstrap bands."""
        cols = [self.col_group, self.col_period, self.col_spend, self.col_target, *self.controls]
        df = as_frame(frame, cols).dropna(subset=cols)
        how = {c: "sum" for c in cols[2:4]} | {c: "mean" for c in self.controls}
        df = df.groupby([self.col_group, self.col_period], as_index=False).agg(how)
        df = df.sort_values([self.col_group, self.col_period], ignore_index=True)
        if (df[self.col_spend] < 0).any():
            raise OpsaiError(f"market: column {self.col_spend!r} has negative spend")
        codes, groups = pd.factorize(df[self.col_group])
        self.groups_ = [str(g) for g in groups]
        self._codes, self._spend = codes, df[self.col_spend].to_numpy(float)
        self._median = np.array(
            [max(float(np.median(self._spend[codes == g])), 1e-9) for g in range(len(groups))]
        )
        periods = pd.factorize(df[self.col_period], sort=True)[0]
        use = self.season > 1 and periods.max() + 1 >= 2 * self.season
        extra = [(periods % self.season == k).astype(float) for k in range(1, self.season) if use]
        for c in self.controls:  # one slope per group
            extra += [np.where(codes == g, df[c].to_numpy(float), 0.0) for g in range(len(groups))]
        self._season_x = np.column_stack(extra) if extra else np.zeros((len(df), 0))
        y = df[self.col_target].to_numpy(float)
        best: tuple[float, float, float, float] | None = None
        for decay, shape, mult in itertools.product(self.decays, self.shapes, self.half_multiples):
            _, gcv = self._solve(self._design(decay, shape, mult), y)
            if best is None or gcv < best[0]:
                best = (gcv, decay, shape, mult)
        if best is None:
            raise OpsaiError("decays, shapes and half_multiples must each have a value")
        _, self.decay_, self.shape_, mult = best
        self.half_ = pd.Series(mult * self._median, index=self.groups_)
        h = self._design(self.decay_, self.shape_, mult)
        coef, self.gcv_ = self._solve(h, y)
        k = len(self.groups_)
        self.beta_ = pd.Series(coef[:k], index=self.groups_)
        x = np.column_stack([h, self._season_x]) if self._season_x.size else h
        fitted_wo = x @ coef
        base = np.bincount(codes, weights=y - fitted_wo) / np.bincount(codes)
        self.base_ = pd.Series(base, index=self.groups_)
        fitted = fitted_wo + base[codes]
        resid = y - fitted
        self.resid_sd_ = float(resid.std(ddof=1))
        self.spend_range_ = {
            g: (float(self._spend[codes == i].min()), float(self._spend[codes == i].max()))
            for i, g in enumerate(self.groups_)
        }
        counts = [min(CURRENT_PERIODS, int((codes == g).sum())) for g in range(k)]
        self.current_spend_ = pd.Series(
            [self._spend[codes == g][-n:].mean() for g, n in enumerate(counts)], index=self.groups_
        )
        self.current_periods_ = pd.Series(counts, index=self.groups_)
        rng = np.random.default_rng(self.seed)
        draws = []
        for _ in range(self.n_boot):
            yb = fitted + rng.choice(resid, size=resid.size, replace=True)
            draws.append(self._solve(h, yb)[0][:k])
        self.beta_draws_ = np.array(draws) if draws else np.zeros((0, k))
        return self

    def _check(self) -> None:
        if not hasattr(self, "beta_"):
            raise NotFittedError("This SpendResponse is not fitted yet: call fit(...) first")

    def response(self, group: str, spend: np.ndarray | float) -> np.ndarray:
        """Steady-state incremental target per period at a constant spend level."""
        self._check()
        return float(self.beta_[group]) * hill(
            np.asarray(spend), float(self.half_[group]), self.shape_
        )

    def marginal_return(self, level: float = 0.9) -> pd.DataFrame:
        """Per group: current spend (mean of the last 12 periods; ``spend_periods``: how many,
        fewer when the group has fewer), incremental target per unit of extra spend there, and
        its bootstrap band."""
        self._check()
        rows = []
        a = (1 - level) / 2
        for i, g in enumerate(self.groups_):
            m = float(self.current_spend_[g])
            slope = float(_hill_slope(np.array([m]), float(self.half_[g]), self.shape_)[0])
            mr = float(self.beta_[g]) * slope
            band = self.beta_draws_[:, i] * slope if len(self.beta_draws_) else np.array([mr])
            lo, hi = np.quantile(band, [a, 1 - a])
            rows.append(
                {
                    "group": g,
                    "spend": m,
                    "spend_periods": int(self.current_periods_[g]),
                    "marginal_return": mr,
                    "lo": lo,
                    "hi": hi,
                    "saturation": float(hill(np.array([m]), float(self.half_[g]), self.shape_)[0]),
                }
            )
        return pd.DataFrame(rows)


def reallocate(
    model: SpendResponse,
    groups: Sequence[str],
    *,
    budget: float | None = None,
    bounds: Literal["observed", "free"] = "observed",
) -> pd.DataFrame:
    """Split ``budget`` (default: the groups' current total) between ``groups`` to maximise
    the summed steady-state response (SLSQP from the current split).

    Args:
        bounds: ``"observed"`` keeps each group's spend within the range it was observed in
            (the curves are not extrapolated); ``"free"`` allows 0 .. budget.

    Returns:
        Per group: spend_now, spend_new, response_now, response_new; ``.attrs["gain"]`` holds
        the total expected change of the target per period (never negative: the current
        split is kept when no better one is found) and ``gain_lo`` / ``gain_hi`` its 90%
        bootstrap band (when the model has bootstrap draws).
    """
    from scipy.optimize import minimize

    model._check()
    groups = list(groups)
    unknown = [g for g in groups if g not in model.groups_]
    if unknown:
        raise OpsaiError(f"groups {unknown} not in the fitted groups ({', '.join(model.groups_)})")
    now = model.current_spend_[groups].to_numpy(float)
    total = float(now.sum() if budget is None else budget)
    if bounds == "observed":
        box = [(float(model.spend_range_[g][0]), float(model.spend_range_[g][1])) for g in groups]
    else:
        box = [(0.0, total)] * len(groups)
    lo_sum, hi_sum = sum(b[0] for b in box), sum(b[1] for b in box)
    if not lo_sum <= total <= hi_sum:
        raise OpsaiError(
            f"budget {total:,.0f} is outside what the observed spend ranges allow "
            f"({lo_sum:,.0f} .. {hi_sum:,.0f}); pass bounds='free' to extrapolate"
        )

    def loss(x: np.ndarray) -> float:
        return -sum(float(model.response(g, v)) for g, v in zip(groups, x, strict=True))

    start = np.clip(now * total / now.sum(), [b[0] for b in box], [b[1] for b in box])
    res = minimize(
        loss,
        start,
        method="SLSQP",
        bounds=box,
        constraints=[{"type": "eq", "fun": lambda x: float(x.sum() - total)}],
    )
    alloc = res.x if res.success and loss(res.x) <= loss(start) else start
    out = pd.DataFrame({"group": groups, "spend_now": now, "spend_new": alloc})
    out["response_now"] = [float(model.response(g, s)) for g, s in zip(groups, now, strict=True)]
    out["response_new"] = [float(model.response(g, s)) for g, s in zip(groups, alloc, strict=True)]
    out.attrs["gain"] = float(out["response_new"].sum() - out["response_now"].sum())
    if len(model.beta_draws_):
        idx = [model.groups_.index(g) for g in groups]
        half = model.half_[groups].to_numpy(float)
        lift = hill(alloc, half, model.shape_) - hill(now, half, model.shape_)
        gains = model.beta_draws_[:, idx] @ lift
        out.attrs["gain_lo"], out.attrs["gain_hi"] = (
            float(q) for q in np.quantile(gains, [0.05, 0.95])
        )
    return out


def _band(model: SpendResponse, group: str, lift: np.ndarray, level: float) -> np.ndarray:
    """``(2, k)`` bootstrap quantiles of ``beta[group] * lift`` (the point when no draws)."""
    i = model.groups_.index(group)
    if not len(model.beta_draws_):
        point = float(model.beta_[group]) * lift
        return np.vstack([point, point])
    a = (1 - level) / 2
    return np.quantile(np.outer(model.beta_draws_[:, i], lift), [a, 1 - a], axis=0)


def _group(model: SpendResponse, group: str) -> None:
    model._check()
    if group not in model.groups_:
        raise OpsaiError(f"group {group!r} not in the fitted groups ({', '.join(model.groups_)})")


def spend_what_if(
    model: SpendResponse,
    group: str,
    *,
    changes: Sequence[float] = (-0.2, -0.1, 0.1, 0.2),
    level: float = 0.9,
) -> pd.DataFrame:
    """What moving ``group``'s spend up or down (and holding it there) does to its target.

    Args:
        changes: relative changes of the current spend (mean of the last 12 periods).
        level: width of the bootstrap band.

    Returns:
        One row per change: change, spend_now, spend_new, extra_spend, extra_target (steady
        state, per period), lo, hi (its band), return_per_unit (extra_target / extra_spend)
        with return_lo, return_hi, and observed (the new spend lies in the range the curve was
        fitted on; outside it the curve is extrapolated).
    """
    _group(model, group)
    now = float(model.current_spend_[group])
    new = now * (1 + np.asarray(changes, dtype=float))
    half = float(model.half_[group])
    lift = hill(new, half, model.shape_) - hill(np.array([now]), half, model.shape_)
    lo, hi = _band(model, group, lift, level)
    extra = float(model.beta_[group]) * lift
    d_spend = new - now
    lo_s, hi_s = model.spend_range_[group]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.vstack([extra, lo, hi]) / d_spend
    return pd.DataFrame(
        {
            "change": np.asarray(changes, dtype=float),
            "spend_now": now,
            "spend_new": new,
            "extra_spend": d_spend,
            "extra_target": extra,
            "lo": lo,
            "hi": hi,
            "return_per_unit": ratio[0],
            "return_lo": np.minimum(ratio[1], ratio[2]),
            "return_hi": np.maximum(ratio[1], ratio[2]),
            "observed": (new >= lo_s) & (new <= hi_s),
        }
    )


def response_curve(
    model: SpendResponse, group: str, *, points: int = 41, level: float = 0.9
) -> pd.DataFrame:
    """``group``'s steady-state response from zero to twice its largest observed spend.

    Returns:
        spend, response (incremental target per period), lo, hi (bootstrap band), observed;
        ``.attrs["current"]`` is the current spend.
    """
    _group(model, group)
    lo_s, hi_s = model.spend_range_[group]
    spend = np.linspace(0.0, 2 * hi_s, int(points))
    curve = hill(spend, float(model.half_[group]), model.shape_)
    lo, hi = _band(model, group, curve, level)
    out = pd.DataFrame(
        {
            "spend": spend,
            "response": float(model.beta_[group]) * curve,
            "lo": lo,
            "hi": hi,
            "observed": (spend >= lo_s) & (spend <= hi_s),
        }
    )
    out.attrs["current"] = float(model.current_spend_[group])
    return out
