"""The Pareto/NBD purchase-frequency model (Schmittlein, Morrison & Colombo 1987).

Written with scipy (the likelihood of Fader, Hardie & Lee's 2005 note "A note on
implementing the Pareto/NBD model in MATLAB") and validated against the published CDNOW fit
(r = 0.55, alpha = 10.58, s = 0.61, beta = 11.67, LL = -9595.0) in
``tests/unit/behavior/test_pareto.py``. It takes the same :func:`opsai.behavior.clv.summary`
frame as :class:`opsai.behavior.clv.BetaGeo`; unlike BG/NBD, a customer may drop out at any
time, not only right after a purchase.

Example:
    >>> pn = ParetoNBD().fit(s)  # doctest: +SKIP
    >>> s["predicted"] = pn.expected_purchases(s, t=39)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from opsai.behavior.clv import AGE, FREQ, RECENCY, CountModel, _cols


def _terms(
    params: np.ndarray | tuple[float, ...],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log common factor, log 'alive at T' term, log 'died in (t_x, T]' term)."""
    r, alpha, s, beta = params
    x, t_x, T = np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)
    rsx = r + s + x
    if alpha >= beta:  # the hypergeometric argument stays in [0, 1)
        lo, b2 = alpha, s + 1
        z1, z2 = (alpha - beta) / (alpha + t_x), (alpha - beta) / (alpha + T)
    else:
        lo, b2 = beta, r + x
        z1, z2 = (beta - alpha) / (beta + t_x), (beta - alpha) / (beta + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        l1 = np.log(special.hyp2f1(rsx, b2, rsx + 1, z1)) - rsx * np.log(lo + t_x)
        l2 = np.log(special.hyp2f1(rsx, b2, rsx + 1, z2)) - rsx * np.log(lo + T)
        log_a0 = np.where(t_x < T, l1 + np.log1p(-np.exp(np.minimum(l2 - l1, 0.0))), -np.inf)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    return common, alive, np.log(s / rsx) + log_a0


def pnbd_log_likelihood(
    params: np.ndarray | tuple[float, float, float, float],
    x: np.ndarray,
    t_x: np.ndarray,
    T: np.ndarray,
) -> np.ndarray:
    """Per-customer Pareto/NBD log-likelihood (Fader, Hardie & Lee 2005 note, eq. 1-3)."""
    common, alive, died = _terms(params, x, t_x, T)
    return common + np.logaddexp(alive, died)


class ParetoNBD(CountModel):
    """The Pareto/NBD model fitted by maximum likelihood.

    Args:
        penalizer: L2 penalty on the log-parameters (0: plain maximum likelihood).

    Attributes:
        params_: ``{'r', 'alpha', 's', 'beta'}``. log_likelihood_: total log-likelihood.
    """

    _names = ("r", "alpha", "s", "beta")
    _log_likelihood = staticmethod(pnbd_log_likelihood)

    def probability_alive(self, data: pd.DataFrame) -> np.ndarray:
        """P(still active at the end of the calibration period) for each customer."""
        x, t_x, T = _cols(data, (FREQ, RECENCY, AGE))
        _, alive, died = _terms(self._p(), x, t_x, T)
        return np.exp(alive - np.logaddexp(alive, died))

    def expected_purchases(self, data: pd.DataFrame, *, t: float) -> np.ndarray:
        """Expected purchases in the next ``t`` units given each customer's history."""
        r, alpha, s, beta = self._p()
        x, _, T = _cols(data, (FREQ, RECENCY, AGE))
        rate = (r + x) * (beta + T) / (alpha + T)
        if abs(s - 1) < 1e-8:  # the limit of the general form at s = 1
            life = np.log((beta + T + t) / (beta + T))
        else:
            life = (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) / (s - 1)
        return rate * life * self.probability_alive(data)
