"""Monte-Carlo policy simulation: exact answers with fixed demand, fill rate near target."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from opsai.errors import ConfigError
from opsai.inventory import calibrate_reorder_point, level_shock_sd, simulate_policy

pytestmark = pytest.mark.unit


def test_deterministic_demand_without_orders() -> None:
    # 10 units a period, 100 on hand, never reorder: 10 periods served, 10 short
    r = simulate_policy(mean=[10.0], sd=[0.0], on_hand=[100], lead_time=[2], reorder_point=[-1],
                        order_qty=[50], horizon=20, n_paths=3, holding_cost=0.5, seed=0)  # fmt: skip
    s = r.summary.iloc[0]
    assert s["fill_rate"] == pytest.approx(0.5)
    assert s["stockout_prob"] == 1.0
    assert s["stockout_periods"] == pytest.approx(0.5)
    assert s["avg_stock"] == pytest.approx(sum(range(0, 100, 10)) / 20)  # 90, 80, ..., 0, then 0s
    assert s["holding_cost"] == pytest.approx(0.5 * 450)
    assert r.band.shape == (1, 3, 20)


def test_deterministic_sq_cycle() -> None:
    # s = 20 with L = 2: the order lands exactly when stock runs out -> no shortage
    r = simulate_policy(mean=[10.0], sd=[0.0], on_hand=[60], lead_time=[2], reorder_point=[20],
                        order_qty=[40], horizon=40, n_paths=2, order_cost=7.0, seed=0)  # fmt: skip
    s = r.summary.iloc[0]
    assert s["fill_rate"] == 1.0
    assert s["orders"] == pytest.approx(10)  # 40 units every 4 periods
    assert s["order_cost"] == pytest.approx(70)
    sS = simulate_policy(mean=[10.0], sd=[0.0], on_hand=[60], lead_time=[2], reorder_point=[20],
                         order_up_to=[60], policy="sS", horizon=40, n_paths=2, seed=0)  # fmt: skip
    assert sS.summary["fill_rate"].iloc[0] == 1.0


def test_seeded_and_vectorised_over_items() -> None:
    kw = dict(mean=[5.0, 50.0], sd=[2.0, 10.0], on_hand=[30, 300], lead_time=[3, 3],
              reorder_point=[20, 200], order_qty=[30, 300], horizon=100, n_paths=50)  # fmt: skip
    a = simulate_policy(seed=3, **kw)  # type: ignore[arg-type]
    b = simulate_policy(seed=3, **kw)  # type: ignore[arg-type]
    assert a.summary.equals(b.summary)
    assert len(a.summary) == 2


def test_calibrated_reorder_point_meets_fill_rate_on_fresh_paths() -> None:
    targets = np.array([0.9, 0.95, 0.98])
    kw = dict(mean=[20.0] * 3, sd=[6.0] * 3, on_hand=[200] * 3, lead_time=[5] * 3,
              order_qty=[100.0] * 3, horizon=200, n_paths=150, warmup=20)  # fmt: skip
    s = calibrate_reorder_point(targets, low=[0] * 3, high=[200] * 3, seed=0, **kw)  # type: ignore[arg-type]
    assert np.all(np.diff(s) > 0)
    fresh = simulate_policy(reorder_point=s, seed=99, **kw)  # type: ignore[arg-type]
    np.testing.assert_allclose(fresh.summary["fill_rate"], targets, atol=0.01)


def test_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="order_up_to"):
        simulate_policy(
            mean=[1.0], sd=[1.0], on_hand=[1], lead_time=[1], reorder_point=[1], policy="sS"
        )
    with pytest.raises(ConfigError, match="one per item"):
        simulate_policy(
            mean=[1.0, 2.0],
            sd=[1.0, 1.0],
            on_hand=[1],
            lead_time=[1],
            reorder_point=[1, 1],
            order_qty=[1, 1],
        )


def test_periodic_review_orders_only_on_review_days() -> None:
    # R = 5, s = 30, S = 80, 10 a period, L = 1: reviews at t = 0, 5, 10, ... only
    r = simulate_policy(mean=[10.0], sd=[0.0], on_hand=[50], lead_time=[1], reorder_point=[30],
                        order_up_to=[80], policy="sS", review_period=5, horizon=20, n_paths=1,
                        backorders=True, seed=0)  # fmt: skip
    # stock 50 -> 40 after t=0 (above s: no order) ... 0 after t=4; t=5 is short by 10
    # (backordered), the review orders 90 = S - (-10); then 30 left at t=10 and t=15: order 50
    s = r.summary.iloc[0]
    assert s["orders"] == 3
    assert s["fill_rate"] == pytest.approx(190 / 200)  # served from stock when demanded
    assert s["stockout_periods"] == pytest.approx(1 / 20)


def _spread(band: np.ndarray) -> tuple[float, float]:
    """Median and s.d. (from the 5th-95th percentile range, as for a normal) of demand to
    date, read off the closing stock of a run that started with 10**6 and never orders."""
    return float(1e6 - band[1]), float((band[2] - band[0]) / (2 * norm.ppf(0.95)))


def test_level_shock_widens_lead_time_demand_not_single_days() -> None:
    # normal days of mean 30, s.d. 2 over a 9-day lead time: s = 2 * 3 = 6, m = 270; a
    # lead-time spread 3 times wider needs c^2 = (9 - 1) * 36 / (36 + 270^2)
    c = float(level_shock_sd(3.0, lt_mean=270.0, lt_sd=6.0)[()])
    assert c**2 == pytest.approx(8 * 36 / (36 + 270**2))
    assert float(level_shock_sd(1.0, lt_mean=270.0, lt_sd=6.0)[()]) == 0.0  # nothing to widen
    assert float(level_shock_sd(3.0, lt_mean=270.0, lt_sd=0.0)[()]) == 0.0  # no spread: none
    assert float(level_shock_sd(2.0, lt_mean=0.0, lt_sd=5.0)[()]) == pytest.approx(np.sqrt(3))
    kw = dict(mean=[30.0], on_hand=[1e6], lead_time=[1], reorder_point=[-1.0], order_qty=[1.0],
              horizon=9, n_paths=40000, distribution="normal", seed=0)  # fmt: skip
    lumpy = simulate_policy(sd=[6.0], **kw).band[0]  # type: ignore[arg-type]  # each day 3x
    shared = simulate_policy(sd=[2.0], level_sd=c, **kw).band[0]  # type: ignore[arg-type]
    for band in (lumpy, shared):  # both: lead-time demand 270 +- 18 (3 x 6)
        mid, sd = _spread(band[:, 8])
        assert mid == pytest.approx(270, rel=0.005) and sd == pytest.approx(18, rel=0.03)
    # one day: 6 when each day is widened; sqrt((1 + c^2) 4 + c^2 900) = 2.75 with the shock
    assert _spread(lumpy[:, 0])[1] == pytest.approx(6, rel=0.03)
    assert _spread(shared[:, 0])[1] == pytest.approx(np.sqrt((1 + c**2) * 4 + c**2 * 900), rel=0.03)
    with pytest.raises(ConfigError, match="level_sd"):
        simulate_policy(sd=[2.0], level_sd=-1.0, **kw)  # type: ignore[arg-type]


def test_level_shock_keeps_the_per_period_draws() -> None:
    # the shock has a stream of its own: with c = 0 the run is the one without it
    kw = dict(mean=[5.0], sd=[2.0], on_hand=[30], lead_time=[3], reorder_point=[20],
              order_qty=[30], horizon=60, n_paths=50, seed=4)  # fmt: skip
    a = simulate_policy(**kw).summary  # type: ignore[arg-type]
    assert a.equals(simulate_policy(level_sd=0.0, **kw).summary)  # type: ignore[arg-type]


def test_per_period_means_continue_at_their_mean_not_the_last_period() -> None:
    """A week of means [0, 0, 0, 0, 0, 0, 7] simulated for 14 periods: the second week draws
    1 per period (the week's mean), so 14 units leave a stock of 1000 (the last period repeated
    drew 7 + 7 x 7 = 56)."""
    res = simulate_policy(mean=[[0, 0, 0, 0, 0, 0, 7.0]], sd=[[0.0] * 7], on_hand=[1000],
                          lead_time=[1], reorder_point=[-1], order_qty=[1], horizon=14,
                          n_paths=2, distribution="normal")  # fmt: skip
    assert res.band[0, 1, 6] == pytest.approx(993.0)
    assert res.band[0, 1, -1] == pytest.approx(986.0)
