"""What-if scenarios on a fitted logit demand."""

from __future__ import annotations

import numpy as np
import pytest

from opsai.data import schema as S
from opsai.errors import OpsaiError
from opsai.market import LogitDemand, simulate

pytestmark = pytest.mark.unit


@pytest.fixture
def demand(logit_market):  # type: ignore[no-untyped-def]
    return LogitDemand(
        price="log", log_characteristics=[S.MARKETING_SPEND], fixed_effects=[S.COMPANY]
    ).fit(logit_market())


def test_no_change_keeps_shares(demand: LogitDemand) -> None:
    out = simulate(demand, {}, n_draws=0)
    assert out["share_new"].to_numpy() == pytest.approx(out["share"].to_numpy())
    last = demand.data_[demand.data_["period"] == demand.data_["period"].max()]
    assert out["share"].to_numpy() == pytest.approx(last["share"].to_numpy())


def test_own_price_cut_matches_the_closed_form(demand: LogitDemand) -> None:
    out = simulate(demand, {"co0": {S.PRICE: -0.10}}, n_draws=0).set_index("product")
    s = out.loc["co0", "share"]
    g = np.exp(demand.alpha_ * np.log(0.9))
    assert out.loc["co0", "share_new"] == pytest.approx(s * g / (1 - s + s * g))
    others = out.drop(index="co0")
    ratio = others["share_new"] / others["share"]
    assert ratio.to_numpy() == pytest.approx(np.full(len(others), ratio.iloc[0]))  # IIA
    assert out["share_new"].sum() == pytest.approx(1.0)
    assert out.loc["co0", "revenue_change"] == pytest.approx(
        out.loc["co0", "share_new"] * 0.9 / s - 1
    )


def test_band_is_seeded_and_brackets(demand: LogitDemand) -> None:
    a = simulate(demand, {"co2": {S.PRICE: -0.1}, "co0": {S.MARKETING_SPEND: 0.2}}, seed=3)
    b = simulate(demand, {"co2": {S.PRICE: -0.1}, "co0": {S.MARKETING_SPEND: 0.2}}, seed=3)
    assert a.equals(b)
    assert (
        (a["share_lo"] <= a["share_new"] + 1e-12) & (a["share_new"] <= a["share_hi"] + 1e-12)
    ).all()
    units = simulate(demand, {"co0": {S.PRICE: 0.05}}, units={"co0": 100.0}, n_draws=0)
    row = units.set_index("product").loc["co0"]
    assert row["units_new"] == pytest.approx(100 * (1 + row["units_change"]))
    assert row["revenue_new"] == pytest.approx(row["units_new"] * row["price_new"])


def test_scenario_errors(demand: LogitDemand) -> None:
    with pytest.raises(OpsaiError, match="'nobody'"):
        simulate(demand, {"nobody": {S.PRICE: -0.1}})
    with pytest.raises(OpsaiError, match="'colour' is not in the model"):
        simulate(demand, {"co0": {"colour": 0.1}})
    with pytest.raises(OpsaiError, match="> -1"):
        simulate(demand, {"co0": {S.PRICE: -1.5}})
