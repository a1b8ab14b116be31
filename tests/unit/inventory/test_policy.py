"""Policy formulas against textbook numbers, and the per-item policy table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from opsai.data.schema import (
    HOLDING_RATE,
    ITEM_ID,
    LEAD_TIME_DAYS,
    ON_HAND,
    ORDER_COST,
    SERVICE_LEVEL,
    TIMESTAMP,
    UNIT_COST,
)
from opsai.errors import ConfigError, SchemaError
from opsai.inventory import (
    eoq,
    lead_time_demand,
    normal_loss,
    policy_table,
    reorder_point,
    safety_stock,
    z_fill_rate,
)

pytestmark = pytest.mark.unit


def test_eoq_textbook() -> None:
    # D = 1200 units/yr, K = 100 per order, h = 6 per unit-year -> sqrt(2*1200*100/6) = 200
    assert float(eoq(1200, order_cost=100, holding_cost=6)) == pytest.approx(200.0)
    # Harris-style example: D = 10,000, K = 50, h = 2 -> 707.1
    assert float(eoq(10_000, order_cost=50, holding_cost=2)) == pytest.approx(707.1068, abs=1e-3)
    with pytest.raises(ConfigError, match="holding_cost"):
        eoq(100, order_cost=10, holding_cost=0)


def test_safety_stock_and_reorder_point() -> None:
    # z(0.95) = 1.6449, sigma 10 per day, L = 4 days -> 1.6449 * 10 * 2
    assert float(safety_stock(10, lead_time=4, service_level=0.95)) == pytest.approx(
        32.897, abs=1e-3
    )
    assert float(reorder_point(50, 10, lead_time=4, service_level=0.95)) == pytest.approx(
        232.897, abs=1e-3
    )
    with pytest.raises(ConfigError, match="service_level"):
        safety_stock(1, lead_time=1, service_level=1.2)


def test_fill_rate_safety_factor_solves_the_loss_equation() -> None:
    assert float(normal_loss(0.0)) == pytest.approx(norm.pdf(0))  # G(0) = 0.3989
    z = z_fill_rate(0.98, sigma_lt=40, order_qty=200)
    assert 40 * float(normal_loss(z)) == pytest.approx(0.02 * 200, rel=1e-6)


def _forecast(model: str = "m") -> pd.DataFrame:
    z95 = norm.ppf(0.975)
    rows = []
    for sid, mu, sd in (("a", 10.0, 2.0), ("b", 1.0, 0.5)):
        for t in pd.date_range("2025-01-01", periods=10):
            rows.append(
                {
                    ITEM_ID: sid,
                    TIMESTAMP: t,
                    model: mu,
                    f"{model}-lo-95": mu - z95 * sd,
                    f"{model}-hi-95": mu + z95 * sd,
                }
            )
    return pd.DataFrame(rows)


def test_lead_time_demand_from_interval_widths() -> None:
    ltd = lead_time_demand(
        _forecast(), model="m", lead_periods=pd.Series({"a": 4.0, "b": 12.0})
    ).set_index(ITEM_ID)
    assert ltd.loc["a", "lt_mean"] == pytest.approx(40.0)
    assert ltd.loc["a", "lt_sd"] == pytest.approx(2.0 * 2)  # sqrt(4) * 2
    assert ltd.loc["b", "lt_mean"] == pytest.approx(12.0)  # beyond the horizon: its mean rate
    with pytest.raises(SchemaError, match="level"):
        lead_time_demand(_forecast(), model="m", lead_periods=pd.Series({"a": 1.0}), level=80)


def test_lead_time_beyond_the_horizon_continues_at_the_weekly_rate_not_the_last_day() -> None:
    """A spare part's seasonal naive forecast: 2 units on Sundays, 0 on other days, 14 days
    ending on a Sunday. A 30-day lead time is the 4 units of the horizon plus 16 days at the
    weekly rate 2/7: 4 + 32/7 = 8.571 (repeating the last day gave 4 + 16 x 2 = 36). Its s.d.
    (1 on Sundays) carries on at the same rate: var = 2 + 16/7."""
    z95 = norm.ppf(0.975)
    mu = np.array([0, 0, 0, 0, 0, 0, 2.0] * 2)
    sd = np.array([0, 0, 0, 0, 0, 0, 1.0] * 2)
    fc = pd.DataFrame({ITEM_ID: "p", TIMESTAMP: pd.date_range("2024-07-15", periods=14),
                       "m": mu, "m-lo-95": mu - z95 * sd, "m-hi-95": mu + z95 * sd})  # fmt: skip
    assert fc[TIMESTAMP].iloc[-1].day_name() == "Sunday"
    lead = pd.Series({"p": 30.0})
    ltd = lead_time_demand(fc, model="m", lead_periods=lead, season_length=7).iloc[0]
    assert ltd["lt_mean"] == pytest.approx(4 + 16 * 2 / 7)
    assert ltd["lt_sd"] == pytest.approx(np.sqrt(2 + 16 / 7))
    assert ltd["mean_per_period"] == pytest.approx((4 + 16 * 2 / 7) / 30)  # what the sim draws
    assert ltd["horizon_mean"] == pytest.approx(4 / 14) and ltd["horizon_periods"] == 14
    # 10 periods with a season of 7: the last whole week [1, 1, 1, 1, 1, 1, 2] sets the rate
    odd = fc.iloc[:10].assign(m=[5.0, 5, 5, 1, 1, 1, 1, 1, 1, 2])
    odd = lead_time_demand(odd.assign(**{"m-lo-95": odd["m"], "m-hi-95": odd["m"]}), model="m",
                           lead_periods=pd.Series({"p": 12.0}), season_length=7)  # fmt: skip
    assert odd["lt_mean"].iloc[0] == pytest.approx(23 + 2 * 8 / 7)
    inv = pd.DataFrame({ITEM_ID: ["p"], ON_HAND: [13.0], LEAD_TIME_DAYS: [30.0]})
    pol = policy_table(fc, inv, model="m", freq="D").iloc[0]  # daily: a season of 7
    assert pol["lt_mean"] == pytest.approx(4 + 16 * 2 / 7)


def test_policy_table() -> None:
    inv = pd.DataFrame(
        {ITEM_ID: ["a", "b"], ON_HAND: [30.0, 100.0], LEAD_TIME_DAYS: [4.0, np.nan], UNIT_COST: [10.0, 2.0],
         ORDER_COST: [50.0, 50.0], HOLDING_RATE: [0.2, 0.2], SERVICE_LEVEL: [0.95, 0.9]}
    )  # fmt: skip
    pol = policy_table(_forecast(), inv, model="m", freq="D").set_index(ITEM_ID)
    a = pol.loc["a"]
    assert a["safety_stock"] == pytest.approx(norm.ppf(0.95) * 4.0)
    assert a["reorder_point"] == pytest.approx(40 + norm.ppf(0.95) * 4.0)
    assert a["eoq"] == np.ceil(np.sqrt(2 * 10 * 365.25 * 50 / 2.0))
    assert a["order_up_to"] == pytest.approx(a["reorder_point"] + a["eoq"])
    assert a["days_of_cover"] == pytest.approx(3.0)
    assert pol.loc["b", LEAD_TIME_DAYS] == 14.0  # default for a missing lead time
    weekly = policy_table(_forecast(), inv, model="m", freq="W").set_index(ITEM_ID)
    assert weekly.loc["a", "lead_periods"] == pytest.approx(4 / 7)
    fr = policy_table(_forecast(), inv, model="m", service="fill_rate").set_index(ITEM_ID)
    assert fr.loc["a", "safety_stock"] < a["safety_stock"]  # a large EOQ needs less protection
    with pytest.raises(SchemaError, match="on_hand"):
        policy_table(_forecast(), inv.drop(columns=ON_HAND), model="m")
