"""Logit and nested-logit demand: inversion, estimation, elasticities, instruments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data import schema as S
from opsai.errors import NotFittedError, OpsaiError, SchemaError
from opsai.market import LogitDemand, blp_instruments, nested_shares

pytestmark = pytest.mark.unit


def _products(
    seed: int = 0,
    n_markets: int = 30,
    per_market: int = 8,
    rho: float = 0.0,
    xi_sd: float = 0.0,
    endogenous: bool = False,
) -> pd.DataFrame:
    """Markets with an outside good; delta = 1 + 0.8 x - 0.5 p + xi; two nests."""
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(n_markets):
        x = rng.normal(size=per_market)
        cost = rng.normal(size=per_market)
        xi = rng.normal(scale=xi_sd, size=per_market)
        p = 5 + 0.5 * x + cost + (1.0 * xi if endogenous else 0.0)
        nest = np.arange(per_market) % 2
        delta = 1 + 0.8 * x - 0.5 * p + xi
        s = nested_shares(delta, rho, nest, outside=True)
        for j in range(per_market):
            rows.append((t, f"p{j}", f"f{j % 3}", s[j], p[j], x[j], cost[j], f"n{nest[j]}"))
    return pd.DataFrame(
        rows, columns=[S.PERIOD, "product", S.COMPANY, S.SHARE, S.PRICE, "x", "cost", "nest"]
    )


def test_nested_shares_reduce_to_logit_and_invert() -> None:
    delta = np.array([0.5, -0.2, 1.0, 0.1])
    logit = np.exp(delta) / (1 + np.exp(delta).sum())
    assert nested_shares(delta, 0.0, np.arange(4), outside=True) == pytest.approx(logit)
    closed = nested_shares(delta, 0.4, np.array([0, 0, 1, 1]), outside=False)
    assert closed.sum() == pytest.approx(1.0)
    s = nested_shares(delta, 0.4, np.array([0, 0, 1, 1]), outside=True)
    within = s / np.array([s[:2].sum()] * 2 + [s[2:].sum()] * 2)
    back = np.log(s) - np.log(1 - s.sum()) - 0.4 * np.log(within)
    assert back == pytest.approx(delta)  # the Berry inversion recovers delta


def test_plain_logit_recovers_exact_parameters() -> None:
    m = LogitDemand(col_product="product", characteristics=["x"]).fit(_products())
    assert m.outside_ == "share"
    assert m.coef_.to_dict() == pytest.approx({S.PRICE: -0.5, "const": 1.0, "x": 0.8}, abs=1e-9)
    d = m.data_
    assert m.own_elasticities_.to_numpy() == pytest.approx(
        (-0.5 * d["price"] * (1 - d["share"])).to_numpy()
    )


def test_nested_logit_recovers_rho() -> None:
    m = LogitDemand(col_product="product", characteristics=["x"], nest="nest").fit(
        _products(rho=0.6)
    )
    assert m.rho_ == pytest.approx(0.6, abs=1e-9)
    assert m.alpha_ == pytest.approx(-0.5, abs=1e-9)


@pytest.mark.parametrize("rho", [0.0, 0.5])
def test_elasticity_matrix_matches_numerical_derivatives(rho: float) -> None:
    df = _products(rho=rho, n_markets=2)
    m = LogitDemand(col_product="product", characteristics=["x"], nest="nest").fit(df)
    mat = m.elasticity_matrix(period=1).to_numpy()
    mk = df[df[S.PERIOD] == 1]
    p, x = mk[S.PRICE].to_numpy(), mk["x"].to_numpy()
    nest = mk["nest"].to_numpy()
    h = 1e-6
    base = nested_shares(1 + 0.8 * x - 0.5 * p, m.rho_, nest, outside=True)
    for k in range(len(p)):
        bumped = p.copy()
        bumped[k] *= 1 + h
        s = nested_shares(1 + 0.8 * x - 0.5 * bumped, m.rho_, nest, outside=True)
        numeric = (np.log(s) - np.log(base)) / np.log1p(h)
        assert mat[:, k] == pytest.approx(numeric, rel=1e-4, abs=1e-8)


def test_iv_fixes_price_endogeneity() -> None:
    df = _products(xi_sd=0.5, endogenous=True, n_markets=80)
    ols = LogitDemand(col_product="product", characteristics=["x"]).fit(df)
    iv = LogitDemand(col_product="product", characteristics=["x"], instruments=["cost"]).fit(df)
    lo, hi = iv.fit_.conf_int()[0]
    assert lo < -0.5 < hi
    assert ols.alpha_ > -0.5 + 2 * ols.alpha_se_  # OLS biased towards zero
    assert iv.first_stage_f_ is not None and iv.first_stage_f_[0] > 10


def test_closed_market_uses_period_fixed_effects(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = LogitDemand(
        price="log", log_characteristics=[S.MARKETING_SPEND], fixed_effects=[S.COMPANY]
    ).fit(logit_market(noise=0.0))
    assert m.outside_ == "none"
    assert m.alpha_ == pytest.approx(-2.0, abs=1e-8)
    assert m.coef_[f"log({S.MARKETING_SPEND})"] == pytest.approx(0.25, abs=1e-8)
    e = m.elasticities()
    assert e["own_elasticity"].to_numpy() == pytest.approx((-2.0 * (1 - e["share"])).to_numpy())


def test_blp_instruments_by_hand() -> None:
    df = pd.DataFrame(
        {
            S.PERIOD: [1, 1, 1, 2, 2],
            S.COMPANY: ["a", "a", "b", "a", "b"],
            "x": [1.0, 2.0, 4.0, 3.0, 5.0],
        }
    )
    z = blp_instruments(df, ["x"])
    assert z["own_count"].tolist() == [1, 1, 0, 0, 0]
    assert z["own_x"].tolist() == [2, 1, 0, 0, 0]
    assert z["rival_count"].tolist() == [1, 1, 2, 1, 1]
    assert z["rival_x"].tolist() == [4, 4, 3, 5, 3]


def test_blp_instruments_estimate() -> None:
    df = _products(xi_sd=0.3, endogenous=True, n_markets=60)
    m = LogitDemand(col_product="product", characteristics=["x"], instruments="blp").fit(df)
    assert np.isfinite(m.alpha_) and m.alpha_ < 0


def test_errors() -> None:
    with pytest.raises(NotFittedError):
        LogitDemand().elasticities()
    df = _products()
    with pytest.raises(SchemaError, match="sum to >= 1"):
        LogitDemand(col_product="product", outside="share").fit(
            df.assign(**{S.SHARE: df[S.SHARE] * 10})
        )
    with pytest.raises(OpsaiError, match="price must be one of"):
        LogitDemand(price="sqrt").fit(df)  # type: ignore[arg-type]
    with pytest.raises(OpsaiError, match="needs characteristics"):
        LogitDemand(col_product="product", instruments="blp").fit(df)


def test_matches_pyblp_on_the_blp_cars() -> None:
    """Figures printed by pyblp 1.3.0 on its own copy of the BLP (1995) product data."""
    pyblp = pytest.importorskip("pyblp")
    cars = pd.read_csv(pyblp.data.BLP_PRODUCTS_LOCATION)
    chars = ["hpwt", "air", "mpd", "space"]
    common = dict(
        col_period="market_ids",
        col_product="car_ids",
        col_share="shares",
        col_price="prices",
        characteristics=chars,
    )
    ols = LogitDemand(**common).fit(cars)  # type: ignore[arg-type]
    assert ols.alpha_ == pytest.approx(-0.08863926, rel=1e-6)
    assert ols.alpha_se_ == pytest.approx(0.00432502, rel=1e-5)
    assert ols.n_inelastic_ == 1502
    ivs = [f"demand_instruments{i}" for i in range(8)]
    iv = LogitDemand(**common, instruments=ivs).fit(cars)  # type: ignore[arg-type]
    assert iv.alpha_ == pytest.approx(-0.1340836, rel=1e-6)
    assert iv.mean_own_elasticity_ == pytest.approx(-1.5759026, rel=1e-6)
    nl = LogitDemand(**common, instruments=ivs, nest="region").fit(cars)  # type: ignore[arg-type]
    assert nl.rho_ == pytest.approx(0.119277, rel=1e-5)
    assert nl.mean_own_elasticity_ == pytest.approx(-1.9118189, rel=1e-6)
