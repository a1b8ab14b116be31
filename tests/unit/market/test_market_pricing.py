"""Log-log elasticities and the linear (IV) estimation underneath."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data import schema as S
from opsai.errors import NotFittedError, OpsaiError, SchemaError
from opsai.market import LogLogElasticity, company_panel, percent_effect
from opsai.market._linear import demean, fit_linear

pytestmark = pytest.mark.unit


def _demand(seed: int = 0, n_items: int = 20, n_weeks: int = 52, slope: float = -1.7):
    """Weekly item demand: ln q = item level + slope ln p + 0.4 promo + noise."""
    rng = np.random.default_rng(seed)
    item = np.repeat([f"i{k:02d}" for k in range(n_items)], n_weeks)
    level = np.repeat(rng.normal(3, 1, n_items), n_weeks)
    base = np.repeat(rng.uniform(5, 50, n_items), n_weeks)
    promo = rng.random(item.size) < 0.15
    price = base * np.exp(rng.normal(0, 0.1, item.size)) * np.where(promo, 0.8, 1.0)
    lq = level + slope * np.log(price / base) + 0.4 * promo + rng.normal(0, 0.2, item.size)
    return pd.DataFrame(
        {
            S.ITEM_ID: item,
            S.PRICE: price,
            S.PROMO: promo.astype(float),
            S.QUANTITY: np.exp(lq),
        }
    )


def test_recovers_a_known_elasticity_within_its_interval() -> None:
    df = _demand()
    m = LogLogElasticity(controls=[S.PROMO], fixed_effects=[S.ITEM_ID]).fit(df)
    lo, hi = m.conf_int_
    assert lo < -1.7 < hi
    assert m.elasticity_ == pytest.approx(-1.7, abs=0.1)
    assert m.coef_[S.PROMO] == pytest.approx(0.4, abs=0.05)
    assert m.n_obs_ == len(df)
    assert list(m.summary().columns) == ["term", "coef", "se", "lo", "hi"]


def test_interval_coverage_near_nominal() -> None:
    hits = 0
    for seed in range(40):
        m = LogLogElasticity(controls=[S.PROMO], fixed_effects=[S.ITEM_ID]).fit(
            _demand(seed, n_items=5, n_weeks=20)
        )
        hits += m.conf_int_[0] < -1.7 < m.conf_int_[1]
    assert 32 <= hits <= 40  # 95% nominal; HC0 is a little liberal in small samples


def test_revenue_input_gives_the_same_elasticity() -> None:
    df = _demand()
    df["revenue"] = df[S.QUANTITY] * df[S.PRICE]
    a = LogLogElasticity(controls=[S.PROMO], fixed_effects=[S.ITEM_ID]).fit(df)
    b = LogLogElasticity(
        col_quantity="revenue", quantity_is="revenue", controls=[S.PROMO], fixed_effects=[S.ITEM_ID]
    ).fit(df)
    assert b.elasticity_ == pytest.approx(a.elasticity_, rel=1e-10)


def test_fixed_effects_equal_dummies() -> None:
    df = _demand(n_items=4, n_weeks=15)
    fe = LogLogElasticity(controls=[S.PROMO], fixed_effects=[S.ITEM_ID], se_type="unadjusted")
    fe.fit(df)
    dummies = pd.get_dummies(df[S.ITEM_ID], dtype=float)
    x = np.column_stack([np.log(df[S.PRICE]), df[S.PROMO], dummies])
    y = np.log(df[S.QUANTITY])
    beta, ssr, *_ = np.linalg.lstsq(x, y, rcond=None)
    assert fe.elasticity_ == pytest.approx(beta[0], rel=1e-9)
    cov = np.linalg.inv(x.T @ x) * ssr[0] / (len(y) - x.shape[1])
    assert fe.elasticity_se_ == pytest.approx(np.sqrt(cov[0, 0]), rel=1e-9)


def test_two_way_demeaning_converges_to_dummies() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 5, 200), rng.integers(0, 7, 200)
    x = rng.normal(size=200) + a * 0.3 - b * 0.2
    y = 2.0 * x + a - 0.5 * b + rng.normal(size=200)
    fit = fit_linear(y, x[:, None], groups=[a, b], se_type="unadjusted")
    d = np.column_stack([x, pd.get_dummies(a, dtype=float), pd.get_dummies(b, dtype=float)])
    beta = np.linalg.lstsq(d, y, rcond=None)[0]
    assert fit.coef[0] == pytest.approx(beta[0], rel=1e-8)
    _, levels = demean(np.zeros((200, 1)), [a, b])
    assert levels == 5 + 7 - 1


def test_robust_and_clustered_errors_match_closed_forms() -> None:
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(100), rng.normal(size=100)])
    y = x @ [1.0, 2.0] + rng.normal(size=100) * (1 + np.abs(x[:, 1]))
    g = np.repeat(np.arange(10), 10)
    bread = np.linalg.inv(x.T @ x)
    u = y - x @ (bread @ x.T @ y)
    hc0 = bread @ (x.T * u**2) @ x @ bread
    assert fit_linear(y, x).cov == pytest.approx(hc0, rel=1e-10)
    s = np.array([(x[g == c] * u[g == c, None]).sum(axis=0) for c in range(10)])
    cr0 = bread @ s.T @ s @ bread
    assert fit_linear(y, x, se_type="clustered", clusters=g).cov == pytest.approx(cr0, rel=1e-10)


def test_iv_removes_endogeneity_bias() -> None:
    rng = np.random.default_rng(2)
    n = 5000
    cost = rng.normal(size=n)
    xi = rng.normal(size=n)
    lp = 0.5 * cost + 0.5 * xi  # price responds to the demand shock
    lq = -1.5 * lp + xi + rng.normal(scale=0.1, size=n)
    df = pd.DataFrame({S.QUANTITY: np.exp(lq), S.PRICE: np.exp(lp), "cost": cost})
    ols = LogLogElasticity().fit(df)
    iv = LogLogElasticity(instruments=["cost"]).fit(df)
    assert ols.elasticity_ > -1.0  # biased towards zero
    assert iv.conf_int_[0] < -1.5 < iv.conf_int_[1]
    zx = np.column_stack([np.ones(n), cost]).T @ np.column_stack([np.ones(n), lp])
    just = np.linalg.solve(zx, np.column_stack([np.ones(n), cost]).T @ lq)
    assert iv.elasticity_ == pytest.approx(just[1], rel=1e-9)  # just-identified IV formula
    assert iv.fit_.first_stage_f is not None and iv.fit_.first_stage_f[0] > 100


def test_effect_and_reading() -> None:
    m = LogLogElasticity(controls=[S.PROMO], fixed_effects=[S.ITEM_ID]).fit(_demand())
    eff = m.effect(-0.10)
    assert eff["quantity_change"] == pytest.approx(0.9**m.elasticity_ - 1)
    assert eff["lo"] < eff["quantity_change"] < eff["hi"]
    assert m.reading().startswith("A 10% price cut raises units sold by")
    assert percent_effect(-2.0, -0.5) == pytest.approx(3.0)


def test_contract_errors() -> None:
    m = LogLogElasticity()
    with pytest.raises(NotFittedError):
        m.summary()
    with pytest.raises(OpsaiError, match="quantity_is"):
        LogLogElasticity(quantity_is="litres").fit(_demand())  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="'promo' not found"):
        LogLogElasticity(controls=[S.PROMO]).fit(_demand().drop(columns=S.PROMO))
    bad = _demand()
    bad.loc[0, S.PRICE] = 0.0
    with pytest.raises(SchemaError, match="'price' must be > 0"):
        LogLogElasticity().fit(bad)


def test_zero_sales_rows_are_dropped_and_counted() -> None:
    df = _demand()
    df.loc[:9, S.QUANTITY] = 0.0
    m = LogLogElasticity(fixed_effects=[S.ITEM_ID]).fit(df)
    assert m.n_dropped_ == 10
    assert m.n_obs_ == len(df) - 10


def test_company_panel_recovers_the_share_elasticity(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market(noise=0.01)
    ours = company_panel(m, "co0")
    assert len(ours) == 24
    assert ours["units"].to_numpy() == pytest.approx((ours[S.SALES] / ours[S.PRICE]).to_numpy())
    fit = LogLogElasticity(
        col_quantity="units", log_controls=["market_units", "rival_price", S.MARKETING_SPEND]
    ).fit(ours)
    truth = -2.0 * (1 - m[m[S.COMPANY] == "co0"][S.SHARE].mean())
    assert fit.elasticity_ == pytest.approx(truth, abs=0.25)
    with pytest.raises(OpsaiError, match="'nobody'"):
        company_panel(m, "nobody")
