"""Pareto/NBD: likelihood against the integral it solves, and the published CDNOW fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import gammaln

from opsai.behavior.pareto import ParetoNBD, pnbd_log_likelihood
from opsai.errors import ConfigError, NotFittedError

pytestmark = pytest.mark.unit

PARAMS = (0.55, 10.58, 0.61, 11.67)  # Fader, Hardie & Lee (2005 note), CDNOW


def _integral_ll(r: float, al: float, s: float, be: float, x: float, tx: float, T: float) -> float:
    """The likelihood as the mixture it is: x purchases at rate lam, alive to T or dead in (tx, T]."""

    def given(lam: float, mu: float) -> float:
        poisson = lam**x * np.exp(-(lam + mu) * T) + (
            lam**x * mu / (lam + mu) * (np.exp(-(lam + mu) * tx) - np.exp(-(lam + mu) * T))
        )
        dens_l = np.exp(r * np.log(al) + (r - 1) * np.log(lam) - al * lam - gammaln(r))
        dens_m = np.exp(s * np.log(be) + (s - 1) * np.log(mu) - be * mu - gammaln(s))
        return float(poisson * dens_l * dens_m)

    v, _ = integrate.dblquad(given, 0, np.inf, 0, np.inf, epsabs=1e-13, epsrel=1e-8)
    return float(np.log(v))


OTHER = (0.5, 3.0, 0.8, 12.0)  # alpha < beta: the other branch of the hypergeometric form


@pytest.mark.parametrize(
    ("params", "x", "tx", "T"),
    [(PARAMS, 0, 0.0, 30.0), (PARAMS, 2, 10.0, 38.0), (OTHER, 2, 10.0, 38.0), (OTHER, 1, 5.0, 5.0)],
)
def test_log_likelihood_matches_the_double_integral(
    params: tuple[float, float, float, float], x: int, tx: float, T: float
) -> None:
    got = pnbd_log_likelihood(params, np.array([x]), np.array([tx]), np.array([T]))[0]
    assert got == pytest.approx(_integral_ll(*params, x, tx, T), abs=1e-5)


def _simulate(n: int, seed: int) -> pd.DataFrame:
    """Customers from the Pareto/NBD story (Gamma rates, exponential lifetimes), 39 weeks."""
    rng = np.random.default_rng(seed)
    lam, mu = rng.gamma(0.6, 1 / 4.0, n), rng.gamma(0.8, 1 / 10.0, n)
    T = rng.uniform(30, 39, n)
    death = rng.exponential(1 / mu)
    rows = []
    for lam_i, d, T_i in zip(lam, death, T, strict=True):
        times = np.cumsum(rng.exponential(1 / lam_i, 200))
        times = times[times < min(d, T_i)]
        rows.append((len(times), times[-1] if len(times) else 0.0, T_i))
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


def test_fit_recovers_simulated_parameters_and_predictions_behave() -> None:
    s = _simulate(4000, seed=1)
    pn = ParetoNBD().fit(s)
    assert pn.converged_
    got = pn.params_
    assert got["r"] / got["alpha"] == pytest.approx(0.6 / 4.0, rel=0.15)  # mean purchase rate
    assert got["s"] / got["beta"] == pytest.approx(0.8 / 10.0, rel=0.3)  # mean dropout rate
    pa, e = pn.probability_alive(s), pn.expected_purchases(s, t=10)
    assert ((pa > 0) & (pa <= 1)).all() and (e >= 0).all()
    busy = pd.DataFrame({"frequency": [8.0, 8.0], "recency": [38.0, 5.0], "T": [39.0, 39.0]})
    pa2 = pn.probability_alive(busy)
    assert pa2[0] > 0.9 > 0.2 > pa2[1]  # same purchases, one lapsed for 34 weeks
    assert pn.expected_purchases(busy, t=10)[0] > pn.expected_purchases(busy, t=5)[0]


def test_not_fitted_and_bad_frame() -> None:
    with pytest.raises(NotFittedError):
        ParetoNBD().expected_purchases(pd.DataFrame({"frequency": [1.0]}), t=1)
    with pytest.raises(ConfigError, match="recency"):
        ParetoNBD().fit(pd.DataFrame({"frequency": [1.0], "T": [3.0]}))


@pytest.mark.network
def test_cdnow_reproduces_the_published_pareto_nbd_fit(cdnow_cohort: pd.DataFrame) -> None:
    s = cdnow_cohort
    pn = ParetoNBD().fit(s)
    assert pn.log_likelihood_ == pytest.approx(-9595.0, abs=0.05)
    assert {k: round(v, 2) for k, v in pn.params_.items()} == dict(
        zip(("r", "alpha", "s", "beta"), PARAMS, strict=True)
    )
    assert pn.expected_purchases(s, t=39).sum() == pytest.approx(1665.5, abs=1)
