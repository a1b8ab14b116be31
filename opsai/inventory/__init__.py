"""Inventory: reorder policy from a forecast, Monte-Carlo simulation, purchase plan, alerts.

Example:
    >>> policy = policy_table(fc, ws.to_pandas("inventory"), model="Auto")   # doctest: +SKIP
    >>> plan = purchase_plan(policy, fc, model="Auto")                        # doctest: +SKIP
    >>> alerts = stockout_alerts(policy) + overstock_alerts(policy)           # doctest: +SKIP
"""

from __future__ import annotations

from opsai.inventory.alerts import (
    alerts_table,
    drift_alerts,
    drift_noise_finding,
    drift_screen,
    last_sales,
    overstock_alerts,
    stockout_alerts,
    stockout_probability,
)
from opsai.inventory.backtest import lead_time_errors, reorder_check, spread_factor
from opsai.inventory.censoring import (
    censored_items,
    censoring_finding,
    censoring_stock,
    store_stock,
    store_stockout_alerts,
    uncensor_forecast,
)
from opsai.inventory.plan import projected_stock, purchase_plan
from opsai.inventory.policy import (
    NO_DEMAND,
    eoq,
    lead_time_demand,
    level_shock_sd,
    normal_loss,
    policy_table,
    reorder_point,
    safety_stock,
    z_cycle,
    z_fill_rate,
)
from opsai.inventory.simulate import SimulationResult, calibrate_reorder_point, simulate_policy

__all__ = [
    "NO_DEMAND",
    "SimulationResult",
    "alerts_table",
    "calibrate_reorder_point",
    "censored_items",
    "censoring_finding",
    "censoring_stock",
    "drift_alerts",
    "drift_noise_finding",
    "drift_screen",
    "eoq",
    "last_sales",
    "lead_time_demand",
    "lead_time_errors",
    "level_shock_sd",
    "normal_loss",
    "overstock_alerts",
    "policy_table",
    "projected_stock",
    "purchase_plan",
    "reorder_check",
    "reorder_point",
    "safety_stock",
    "simulate_policy",
    "spread_factor",
    "stockout_alerts",
    "stockout_probability",
    "store_stock",
    "store_stockout_alerts",
    "uncensor_forecast",
    "z_cycle",
    "z_fill_rate",
]
