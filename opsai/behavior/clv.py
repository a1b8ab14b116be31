"""Customer lifetime value: BG/NBD purchase frequency and Gamma-Gamma spend.

Both likelihoods are written here with scipy (``lifetimes`` is unmaintained and does not run
on pandas 3) and validated against the published CDNOW figures (Fader, Hardie & Lee 2005:
r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.43; Gamma-Gamma p = 6.25,
q = 3.74, gamma = 15.44) in ``tests/unit/behavior/test_clv.py``.

Example:
    >>> s = summary(orders, calibration_end="1997-09-30", holdout_end="1998-06-30")  # doctest: +SKIP
    >>> bg = BetaGeo().fit(s)
    >>> s["predicted"] = bg.expected_purchases(s, t=39)
"""

from __future__ import annotations

from typing import Any, Self

import ibis
import numpy as np
import pandas as pd
from scipy import optimize, special
from sklearn.base import BaseEstimator, clone

from opsai.behavior._engine import TableLike, as_table, require, to_frame
from opsai.data.schema import AMOUNT, TIMESTAMP, USER_ID
from opsai.errors import ConfigError, NotFittedError

FREQ, RECENCY, AGE, MONETARY = "frequency", "recency", "T", "monetary_value"
HOLDOUT = "frequency_holdout"


def summary(
    orders: TableLike,
    *,
    calibration_end: str | pd.Timestamp,
    holdout_end: str | pd.Timestamp | None = None,
    unit_days: float = 7.0,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_amount: str = AMOUNT,
) -> pd.DataFrame:
    """Per-customer (frequency, recency, T, monetary value) for a calibration period.

    Purchases are counted per day (several lines on one day are one transaction); a day
    with only returns (negative amounts) is not a purchase. Only customers whose first
    purchase falls on or before ``calibration_end`` are kept.

    Args:
        orders: the orders table.
        calibration_end: last day of the calibration period (inclusive).
        holdout_end: last day of the holdout period (inclusive); adds ``frequency_holdout``
            (purchase days in the holdout) and the holdout length ``T_holdout``.
        unit_days: the time unit of ``recency`` and ``T`` (7: weeks, as in the paper).
        col_user, col_time, col_amount: column overrides.

    Returns:
        Indexed by user: ``frequency`` (repeat purchase days), ``recency`` (first to last
        purchase), ``T`` (first purchase to calibration end), ``monetary_value`` (mean
        value of the repeat purchase days, 0 when none) and the holdout columns.
    """
    cal = pd.Timestamp(calibration_end).normalize()
    end = cal if holdout_end is None else pd.Timestamp(holdout_end).normalize()
    if end < cal:
        raise ConfigError(f"holdout_end ({end.date()}) is before calibration_end ({cal.date()})")
    t = as_table(orders, name="orders")
    require(t, [col_user, col_time, col_amount], table="orders")
    day = t[col_time].date()
    t = t.filter(day <= end.date())
    daily = t.group_by(_u=t[col_user], _d=t[col_time].date()).aggregate(
        _v=t[col_amount].sum(), _buys=ibis.ifelse(t[col_amount] >= 0, 1, 0).sum()
    )
    df = to_frame(daily)
    df = df[df["_buys"] > 0]  # a day with only returns (negative amounts) is no purchase
    df["_d"] = pd.to_datetime(df["_d"])
    c = df[df["_d"] <= cal].sort_values(["_u", "_d"])
    g = c.groupby("_u", sort=True)
    first, last, n = g["_d"].min(), g["_d"].max(), g["_d"].size()
    first_val = g["_v"].first()
    out = pd.DataFrame(
        {
            FREQ: (n - 1).astype(float),
            RECENCY: (last - first).dt.days / unit_days,
            AGE: (cal - first).dt.days / unit_days,
        }
    )
    repeat_total = g["_v"].sum() - first_val
    out[MONETARY] = np.where(out[FREQ] > 0, repeat_total / out[FREQ].clip(lower=1), 0.0)
    out.index.name = col_user
    if holdout_end is not None:
        h = df[(df["_d"] > cal) & df["_u"].isin(out.index)].groupby("_u")["_d"].size()
        out[HOLDOUT] = h.reindex(out.index, fill_value=0).astype(float)
        out["T_holdout"] = (end - cal).days / unit_days
    return out


def _cols(data: pd.DataFrame, cols: tuple[str, ...]) -> list[np.ndarray]:
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise ConfigError(
            f"clv: column(s) {', '.join(missing)} missing (have: {', '.join(data.columns)}). "
            "Build the frame with opsai.behavior.clv.summary(...)"
        )
    return [data[c].to_numpy(dtype=float) for c in cols]


LOG_BOUND = 15.0
"""Largest ``|log parameter|`` a fit may reach (about 3e-7 to 3e6): customers who buy like
clockwork push an unbounded BG/NBD towards 0 and infinity, where its formulas overflow."""


def _minimize(nll: Any, n: int) -> Any:
    """BFGS on log-parameters from 1.0; a Nelder-Mead restart when BFGS stalls. A search that
    leaves ``|log p| <= LOG_BOUND`` (or ends on a non-finite point) is redone within it
    (L-BFGS-B from the clipped point), so a well-posed fit is untouched."""
    res = optimize.minimize(nll, np.zeros(n), method="BFGS", options={"gtol": 1e-7})
    if not res.success:
        nm = optimize.minimize(nll, res.x, method="Nelder-Mead", options={"maxiter": 4000})
        res = optimize.minimize(nll, nm.x, method="BFGS", options={"gtol": 1e-7})
        res.success = res.success or bool(nm.success)
    if not np.all(np.isfinite(res.x)) or np.abs(res.x).max() > LOG_BOUND:
        start = np.clip(np.nan_to_num(res.x), -LOG_BOUND, LOG_BOUND)
        res = optimize.minimize(nll, start, method="L-BFGS-B", bounds=[(-LOG_BOUND, LOG_BOUND)] * n)
    return res


def fit_counts(
    log_likelihood: Any, data: pd.DataFrame, names: tuple[str, ...], *, penalizer: float = 0.0
) -> tuple[dict[str, float], float, bool]:
    """Maximum likelihood of a purchase-count model on a :func:`summary` frame.

    Customers with the same ``(frequency, recency, T)`` are counted once, with a weight.
    ``log_likelihood(params, x, t_x, T)`` gives per-customer values; parameters are fitted on
    the log scale (L2 ``penalizer`` there). A trial step where the likelihood is not finite
    counts as very unlikely instead of stopping the search.

    Returns:
        ``(params, total log-likelihood, converged)``.
    """
    x, t_x, T = _cols(data, (FREQ, RECENCY, AGE))
    keys, w = np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_counts=True)
    kx, kt, kT = keys.T

    def nll(logp: np.ndarray) -> float:
        with np.errstate(all="ignore"):  # a trial step far out may overflow
            v = -(w * log_likelihood(np.exp(logp), kx, kt, kT)).sum() / w.sum()
        v += penalizer * (logp**2).sum()
        return float(v) if np.isfinite(v) else 1e10

    res = _minimize(nll, len(names))
    p = np.exp(res.x)
    with np.errstate(invalid="ignore"):  # NaN, not a warning, when a fit ran off
        total = float((w * log_likelihood(p, kx, kt, kT)).sum())
    return dict(zip(names, map(float, p), strict=True)), total, bool(res.success)


def _hyp2f1(A: Any, B: Any, C: Any, z: Any, *, terms: int = 2000) -> np.ndarray:
    """scipy's 2F1, summed as its series where scipy gives up (``|z| < 1`` with a huge ``A``,
    as for buyers who order like clockwork: r and alpha near the bounds)."""
    A, B, C, z = np.broadcast_arrays(*(np.asarray(v, float) for v in (A, B, C, z)))
    with np.errstate(all="ignore"):
        out = np.array(special.hyp2f1(A, B, C, z), dtype=float, ndmin=1)
    bad = ~np.isfinite(out) & (np.abs(z) < 1)
    if bad.any():
        a, b, c, w = (np.ravel(v)[np.ravel(bad)] for v in (A, B, C, z))
        term, total = np.ones_like(w), np.ones_like(w)
        for k in range(terms):
            term = term * (a + k) * (b + k) / ((c + k) * (k + 1)) * w
            total += term
            if (np.abs(term) <= 1e-16 * np.abs(total)).all():
                break
        flat = out.ravel()
        flat[np.ravel(bad)] = total
        out = flat.reshape(out.shape)
    return out


def bgnbd_log_likelihood(
    params: np.ndarray | tuple[float, float, float, float],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6)."""
    r, alpha, a, b = params
    x, t_x, T = np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)
    a1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a3 = np.where(
            x > 0,
            special.betaln(a + 1, np.maximum(b + x - 1, 1e-12))
            - special.betaln(a, b)
            - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    return a1 + np.logaddexp(a2, a3)


class CountModel(BaseEstimator):
    """What BG/NBD and Pareto/NBD share: a penalised maximum-likelihood fit of their
    likelihood (:func:`fit_counts`) and the fitted parameters in order.

    Args:
        penalizer: L2 penalty on the log-parameters (0: plain maximum likelihood).
    """

    _names: tuple[str, ...] = ()

    @staticmethod
    def _log_likelihood(
        params: np.ndarray, x: np.ndarray, t_x: np.ndarray, T: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

    def __init__(self, *, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    def fit(self, data: pd.DataFrame) -> Self:
        """Fit on a :func:`summary` frame (``frequency``, ``recency``, ``T``)."""
        self.params_, self.log_likelihood_, self.converged_ = fit_counts(
            self._log_likelihood, data, self._names, penalizer=self.penalizer
        )
        return self

    def _p(self) -> tuple[float, ...]:
        if not hasattr(self, "params_"):
            raise NotFittedError(
                f"{type(self).__name__} is not fitted yet: call fit(summary_frame) first"
            )
        return tuple(self.params_[n] for n in self._names)


class BetaGeo(CountModel):
    """The BG/NBD model fitted by maximum likelihood.

    Args:
        penalizer: L2 penalty on the log-parameters (0: plain maximum likelihood).

    Attributes:
        params_: ``{'r', 'alpha', 'a', 'b'}``. log_likelihood_: total log-likelihood.
    """

    _names = ("r", "alpha", "a", "b")
    _log_likelihood = staticmethod(bgnbd_log_likelihood)

    def expected_purchases(self, data: pd.DataFrame, *, t: float) -> np.ndarray:
        """Expected purchases in the next ``t`` units given each customer's history."""
        r, alpha, a, b = self._p()
        x, t_x, T = _cols(data, (FREQ, RECENCY, AGE))
        with np.errstate(all="ignore"):  # eq. 10 as published
            hyp = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
            power = ((alpha + T) / (alpha + T + t)) ** (r + x)
            num = (a + b + x - 1) / (a - 1) * (1 - power * hyp)
        bad = ~np.isfinite(num)
        if bad.any():
            # Pfaff's transformation of its 2F1: the power in front cancels, and it stays
            # finite where r and b are very large (buyers who order like clockwork) and the
            # published form overflows; the published form is kept wherever it is finite
            xb = x[bad]
            hyp2 = _hyp2f1(r + xb, a - 1, a + b + xb - 1, -t / (alpha + T[bad]))
            num[bad] = (a + b + xb - 1) / (a - 1) * (1 - hyp2)
        return num / (1 + (x > 0) * a / (b + x - 1).clip(min=1e-12) * self._odds(x, t_x, T))

    def _odds(self, x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> np.ndarray:
        r, alpha, _, _ = self._p()
        return ((alpha + T) / (alpha + t_x)) ** (r + x)

    def probability_alive(self, data: pd.DataFrame) -> np.ndarray:
        """P(still active) for each customer."""
        _, _, a, b = self._p()
        x, t_x, T = _cols(data, (FREQ, RECENCY, AGE))
        return 1.0 / (1 + (x > 0) * a / (b + x - 1).clip(min=1e-12) * self._odds(x, t_x, T))

    def expected_purchases_new(self, t: np.ndarray | float) -> np.ndarray:
        """Expected purchases of a new customer by time ``t`` (cumulative tracking curve)."""
        r, alpha, a, b = self._p()
        t = np.asarray(t, float)
        hyp = special.hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)


def gamma_gamma_log_likelihood(
    params: np.ndarray | tuple[float, float, float], x: np.ndarray, m: np.ndarray
) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of mean spend ``m`` over ``x`` purchases."""
    p, q, g = params
    return (
        special.gammaln(p * x + q) - special.gammaln(p * x) - special.gammaln(q)
        + q * np.log(g) + (p * x - 1) * np.log(m) + p * x * np.log(x)
        - (p * x + q) * np.log(g + m * x)
    )  # fmt: skip


class GammaGamma(BaseEstimator):
    """The Gamma-Gamma spend model, fitted on customers with at least one repeat purchase.

    Attributes:
        params_: ``{'p', 'q', 'gamma'}``. log_likelihood_: total log-likelihood.
    """

    def __init__(self, *, penalizer: float = 0.0) -> None:
        self.penalizer = penalizer

    def fit(self, data: pd.DataFrame) -> GammaGamma:
        """Fit on a :func:`summary` frame (``frequency``, ``monetary_value``)."""
        x, m = _cols(data, (FREQ, MONETARY))
        keep = (x > 0) & (m > 0)
        if keep.sum() < 3:
            raise ConfigError("GammaGamma: needs at least 3 customers with repeat purchases")
        x, m = x[keep], m[keep]

        def nll(logp: np.ndarray) -> float:
            ll = gamma_gamma_log_likelihood(np.exp(logp), x, m)
            return float(-ll.mean() + self.penalizer * (logp**2).sum())

        res = _minimize(nll, 3)
        p = np.exp(res.x)
        self.params_ = dict(zip(("p", "q", "gamma"), map(float, p), strict=True))
        self.log_likelihood_ = float(gamma_gamma_log_likelihood(p, x, m).sum())
        return self

    def expected_spend(self, data: pd.DataFrame) -> np.ndarray:
        """Expected value per transaction for each customer (population mean when x = 0)."""
        if not hasattr(self, "params_"):
            raise NotFittedError("GammaGamma is not fitted yet: call fit(summary_frame) first")
        p, q, g = self.params_["p"], self.params_["q"], self.params_["gamma"]
        x, m = _cols(data, (FREQ, MONETARY))
        return (p * (g + x * m)) / (p * x + q - 1)


def holdout_check(data: pd.DataFrame, predicted: np.ndarray, *, max_freq: int = 7) -> pd.DataFrame:
    """Predicted vs actual holdout purchases per calibration frequency (the classic figure).

    Returns:
        ``frequency`` (``'7+'`` groups the tail), ``customers``, ``actual``, ``predicted``
        (means per customer), with a final ``'total'`` row holding sums.
    """
    (actual,) = _cols(data, (HOLDOUT,))
    x = data[FREQ].to_numpy(dtype=float)
    grp = np.where(x >= max_freq, f"{max_freq}+", x.astype(int).astype(str))
    df = pd.DataFrame({"frequency": grp, "actual": actual, "predicted": predicted})
    order = [str(i) for i in range(max_freq)] + [f"{max_freq}+"]
    g = df.groupby("frequency").agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    )
    g = g.reindex([o for o in order if o in g.index]).reset_index()
    tot = {"frequency": "total", "customers": len(df), "actual": actual.sum(),
           "predicted": float(np.sum(predicted))}  # fmt: skip
    return pd.concat([g, pd.DataFrame([tot])], ignore_index=True)


def total_error_pct(data: pd.DataFrame, predicted: np.ndarray) -> float:
    """(predicted - actual) / actual holdout purchases in total, in percent; NaN when there
    was no repeat purchase in the holdout (nothing to compare with)."""
    (actual,) = _cols(data, (HOLDOUT,))
    if not actual.sum():
        return float("nan")
    return float((np.sum(predicted) - actual.sum()) / actual.sum() * 100)


def customer_value(
    data: pd.DataFrame, bg: BetaGeo, gg: GammaGamma | None, *, t: float
) -> pd.DataFrame:
    """Expected purchases, spend per purchase and value over the next ``t`` units.

    ``gg=None`` (orders without values) gives the purchase forecast only.

    Returns:
        Indexed like ``data``: ``p_alive``, ``expected_purchases`` and, with ``gg``,
        ``expected_spend`` and ``clv``.
    """
    out = pd.DataFrame(index=data.index)
    out["p_alive"] = bg.probability_alive(data)
    out["expected_purchases"] = bg.expected_purchases(data, t=t)
    if gg is None:
        return out
    out["expected_spend"] = gg.expected_spend(data)
    out["clv"] = out["expected_purchases"] * out["expected_spend"]
    return out


def split_dates(
    orders: TableLike, *, holdout_share: float = 1 / 3, col_time: str = TIMESTAMP
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Calibration and holdout end dates that leave the last ``holdout_share`` for holdout."""
    if not 0 < holdout_share < 1:
        raise ConfigError(f"split_dates: holdout_share must be in (0, 1), got {holdout_share}")
    t = as_table(orders, name="orders")
    span = to_frame(t.aggregate(lo=t[col_time].min(), hi=t[col_time].max())).iloc[0]
    lo, hi = pd.Timestamp(span["lo"]).normalize(), pd.Timestamp(span["hi"]).normalize()
    return (lo + (hi - lo) * (1 - holdout_share)).normalize(), hi


def bgnbd_features(
    orders: TableLike,
    *,
    cutoff: str | pd.Timestamp,
    horizon_days: float,
    unit_days: float = 7.0,
    penalizer: float = 0.0,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_amount: str = AMOUNT,
) -> pd.DataFrame:
    """BG/NBD scores per customer from the orders strictly before ``cutoff`` (model inputs).

    A BG/NBD model is fitted on the purchase days before the cut-off day only (no label, no
    later row is read), so the scores can join a :func:`opsai.behavior.churn_frame` built
    at the same cut-off without leakage.

    Args:
        orders: the orders table.
        cutoff: the first day not observed (as in ``churn_frame``); must leave at least one
            day of history.
        horizon_days: the window of ``bg_expected`` (days after the cut-off).
        unit_days: the model's time unit (7: weeks).
        penalizer: passed to :class:`BetaGeo`.
        col_user, col_time, col_amount: column overrides.

    Returns:
        Indexed by user: ``bg_p_alive`` and ``bg_expected`` (expected purchase days in the
        horizon).
    """
    if horizon_days <= 0:
        raise ConfigError(f"bgnbd_features: horizon_days must be > 0, got {horizon_days}")
    last_day = pd.Timestamp(cutoff).normalize() - pd.Timedelta(days=1)
    s = summary(orders, calibration_end=last_day, unit_days=unit_days, col_user=col_user,
                col_time=col_time, col_amount=col_amount)  # fmt: skip
    if s.empty:
        raise ConfigError(
            f"bgnbd_features: no orders before cutoff {pd.Timestamp(cutoff).date()}; "
            "choose a later cutoff"
        )
    # T runs to the cut-off itself (the start of the first unobserved day), where the horizon starts
    s[AGE] = s[AGE] + 1.0 / unit_days
    bg = BetaGeo(penalizer=penalizer).fit(s)
    out = pd.DataFrame(index=s.index)
    out["bg_p_alive"] = bg.probability_alive(s)
    out["bg_expected"] = bg.expected_purchases(s, t=horizon_days / unit_days)
    return out


def inner_backtest(
    orders: TableLike,
    *,
    calibration_end: str | pd.Timestamp,
    shares: tuple[float, ...] = (0.4, 0.45, 0.5, 0.55, 0.6),
    models: dict[str, Any] | None = None,
    unit_days: float = 7.0,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_amount: str = AMOUNT,
) -> pd.DataFrame:
    """Holdout checks inside the calibration period, to choose a model without the holdout.

    For each share, the calibration period (first order to ``calibration_end``) is cut at that
    share of its length; each model is fitted before the inner cut and predicts the repeat
    purchases up to ``calibration_end``. No row after ``calibration_end`` is read.

    Args:
        orders: the orders table.
        calibration_end: last day of the real calibration period (inclusive).
        shares: inner cut-offs as shares of the calibration period, each in (0, 1).
        models: name -> unfitted estimator with ``fit(summary)`` and
            ``expected_purchases(summary, t=...)``; default BG/NBD and Pareto/NBD.
        unit_days, col_user, col_time, col_amount: as in :func:`summary`.

    Returns:
        One row per (share, model): ``share``, ``cutoff``, ``model``, ``actual``,
        ``predicted`` (totals) and ``factor`` (actual / predicted). A share that leaves fewer
        than 10 customers or no repeat purchase after its cut is skipped.
    """
    if not shares or not all(0 < s < 1 for s in shares):
        raise ConfigError(f"inner_backtest: shares must lie in (0, 1), got {shares}")
    if models is None:
        from opsai.behavior.pareto import ParetoNBD

        models = {"BG/NBD": BetaGeo(), "Pareto/NBD": ParetoNBD()}
    t = as_table(orders, name="orders")
    require(t, [col_time], table="orders")
    lo = pd.Timestamp(to_frame(t.aggregate(lo=t[col_time].min()))["lo"].iloc[0]).normalize()
    cal = pd.Timestamp(calibration_end).normalize()
    rows = []
    for share in shares:
        cut = lo + pd.Timedelta(days=round(((cal - lo).days + 1) * share) - 1)
        s = summary(orders, calibration_end=cut, holdout_end=cal, unit_days=unit_days,
                    col_user=col_user, col_time=col_time, col_amount=col_amount)  # fmt: skip
        if len(s) < 10 or s[HOLDOUT].sum() == 0:  # too early a cut to check anything
            continue
        actual, horizon = float(s[HOLDOUT].sum()), float(s["T_holdout"].iloc[0])
        for name, est in models.items():
            pred = float(np.sum(clone(est).fit(s).expected_purchases(s, t=horizon)))
            rows.append({"share": share, "cutoff": cut, "model": name, "actual": actual,
                         "predicted": pred, "factor": actual / pred})  # fmt: skip
    return pd.DataFrame(rows, columns=["share", "cutoff", "model", "actual", "predicted", "factor"])


def fit_problem(model: Any, data: pd.DataFrame, predicted: np.ndarray) -> str:
    """Why a fitted frequency model cannot be used ("" when it can): the fit did not converge,
    its log-likelihood is not finite, or a prediction is negative or not finite."""
    if not getattr(model, "converged_", True):
        return "the fit did not converge"
    if not np.isfinite(getattr(model, "log_likelihood_", 0.0)):
        return "its log-likelihood is not finite"
    p = np.asarray(predicted, float)
    if not np.isfinite(p).all():
        return f"{int((~np.isfinite(p)).sum()):,} of {len(p):,} predictions are not finite"
    if (p < 0).any():
        return f"{int((p < 0).sum()):,} of {len(p):,} predictions are negative"
    return ""


def fit_frequency(
    data: pd.DataFrame, *, t: float, prefer: str = "BG/NBD", fallback: bool = True
) -> tuple[str | None, Any, np.ndarray | None, str]:
    """Fit ``prefer`` (``"BG/NBD"`` or ``"Pareto/NBD"``) and predict ``t`` units ahead; when its
    fit is unusable (:func:`fit_problem`) and ``fallback``, the other model instead.

    Returns:
        ``(name, fitted model, predicted, note)``: ``note`` says why a model was rejected
        ("" when ``prefer`` was used); name, model and predictions are ``None`` when none fits.
    """
    from opsai.behavior.pareto import ParetoNBD

    kinds: dict[str, Any] = {"BG/NBD": BetaGeo, "Pareto/NBD": ParetoNBD}
    if prefer not in kinds:
        raise ConfigError(f"fit_frequency: prefer must be one of {sorted(kinds)}, got {prefer!r}")
    order = [prefer] + ([k for k in kinds if k != prefer] if fallback else [])
    notes: list[str] = []
    for name in order:
        model = kinds[name]().fit(data)
        with np.errstate(all="ignore"):
            predicted = model.expected_purchases(data, t=t)
        why = fit_problem(model, data, predicted)
        if not why:
            return name, model, predicted, "; ".join(notes)
        notes.append(f"{name}: {why}")
    return None, None, None, "; ".join(notes)


def best_model(backtest: pd.DataFrame, *, default: str = "BG/NBD") -> str:
    """The model of an :func:`inner_backtest` with the smallest mean ``|log(factor)|``; a
    negative or non-finite prediction (a fit that ran off) counts as infinitely wrong."""
    if backtest.empty:
        return default
    f = backtest["factor"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.where(np.isfinite(f) & (f > 0), np.abs(np.log(f)), np.inf)
    err = pd.Series(e, index=backtest.index).groupby(backtest["model"]).mean()
    return str(err.idxmin()) if np.isfinite(err).any() else default
