"""Inventory policy: safety stock, reorder point, EOQ, and a per-item policy table from a forecast.

Textbook formulas (Silver, Pyke & Peterson, *Inventory and Production Management*, ch. 4–7):

- ``safety_stock = z * sigma * sqrt(L)`` for i.i.d. per-period demand with s.d. ``sigma`` and a
  lead time of ``L`` periods (``z`` the normal quantile of the cycle service level);
- ``reorder_point = mean * L + safety_stock``;
- ``eoq = sqrt(2 * D * K / h)`` for annual demand ``D``, order cost ``K`` and annual holding
  cost per unit ``h``;
- for a *fill-rate* target ``beta`` with order quantity ``Q``, ``z`` solves
  ``sigma_L * G(z) = (1 - beta) * Q`` with ``G`` the standard normal loss function.

Example:
    >>> round(eoq(1200, order_cost=100, holding_cost=6), 1)
    200.0
    >>> round(safety_stock(10, lead_time=4, service_level=0.95), 2)
    32.9
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import norm

from opsai.data.schema import (
    HOLDING_RATE,
    ITEM_ID,
    LEAD_TIME_DAYS,
    ON_HAND,
    ON_ORDER,
    ORDER_COST,
    SERVICE_LEVEL,
    TIMESTAMP,
    UNIT_COST,
)
from opsai.errors import ConfigError, SchemaError
from opsai.forecast.series import SEASON_LENGTH

ServiceType = Literal["cycle", "fill_rate"]
DAYS_PER_PERIOD: dict[str, float] = {"H": 1 / 24, "D": 1.0, "W": 7.0, "M": 365.25 / 12}
PERIODS_PER_YEAR: dict[str, float] = {"H": 365.25 * 24, "D": 365.25, "W": 365.25 / 7, "M": 12.0}
DEFAULTS: dict[str, float] = {
    LEAD_TIME_DAYS: 14.0,
    ORDER_COST: 50.0,
    HOLDING_RATE: 0.25,
    SERVICE_LEVEL: 0.95,
    UNIT_COST: 1.0,
    ON_ORDER: 0.0,
}
"""Values used where the inventory table lacks a column or has a missing value."""
POSITION = "position"
"""Policy column: the inventory position, ``on_hand + on_order`` (stock already ordered counts
against the reorder point; days of cover stay on what is on hand)."""
COST_BASIS = "cost_basis"
"""Policy column saying where an item's ``unit_cost`` comes from: ``unit_cost`` (mapped),
``price`` (its selling price, :func:`~opsai.inventory.chapter.inventory_table`) or ``default``
(:data:`DEFAULTS`' 1.0, a placeholder for the EOQ: money figures built on it are left out)."""
NO_DEMAND = 1e-3
"""Forecast units per period (over the whole horizon) below which an item has no demand: its
stock covers no finite time. A forecast of 2e-9 units a day is a zero that floating point did
not round away; dividing by it gave '25 units on hand cover 7834994272 weeks'."""


def _check_service(service_level: float) -> None:
    if not 0 < service_level < 1:
        raise ConfigError(f"service_level must be in (0, 1), got {service_level!r}. E.g. 0.95")


def normal_loss(z: np.ndarray | float) -> np.ndarray:
    """Standard normal loss ``G(z) = phi(z) - z * (1 - Phi(z))``: expected shortfall per sigma."""
    z = np.asarray(z, dtype=float)
    return np.asarray(norm.pdf(z) - z * norm.sf(z))


def z_cycle(service_level: float) -> float:
    """Safety factor for a cycle service level (probability of no stock-out per cycle)."""
    _check_service(service_level)
    return float(norm.ppf(service_level))


def z_fill_rate(fill_rate: float, *, sigma_lt: float, order_qty: float) -> float:
    """Safety factor that gives a fill rate ``beta``: ``sigma_L * G(z) = (1 - beta) * Q``.

    Bounded to ``[-3, 5]``; a target already met with no safety stock gives a negative z.
    """
    _check_service(fill_rate)
    if sigma_lt <= 0:
        return 0.0
    target = (1 - fill_rate) * max(order_qty, 1e-9) / sigma_lt
    if target >= float(normal_loss(-3.0)):
        return -3.0
    if target <= float(normal_loss(5.0)):
        return 5.0
    return float(brentq(lambda z: float(normal_loss(z)) - target, -3.0, 5.0))


def safety_stock(
    sigma: float | np.ndarray,
    *,
    lead_time: float | np.ndarray,
    service_level: float = 0.95,
) -> np.ndarray:
    """``z * sigma * sqrt(L)`` for a cycle service level.

    Args:
        sigma: standard deviation of demand per period.
        lead_time: lead time in periods.
        service_level: target probability of no stock-out in a replenishment cycle.
    """
    return np.asarray(z_cycle(service_level) * np.asarray(sigma) * np.sqrt(np.asarray(lead_time)))


def reorder_point(
    mean: float | np.ndarray,
    sigma: float | np.ndarray,
    *,
    lead_time: float | np.ndarray,
    service_level: float = 0.95,
) -> np.ndarray:
    """``mean * L + z * sigma * sqrt(L)``: expected lead-time demand plus safety stock."""
    ss = safety_stock(sigma, lead_time=lead_time, service_level=service_level)
    return np.asarray(np.asarray(mean) * np.asarray(lead_time) + ss)


def eoq(
    annual_demand: float | np.ndarray,
    *,
    order_cost: float | np.ndarray,
    holding_cost: float | np.ndarray,
) -> np.ndarray:
    """Economic order quantity ``sqrt(2 D K / h)`` (Harris 1913); 0 where demand is 0.

    Args:
        annual_demand: units per year.
        order_cost: fixed cost per order.
        holding_cost: cost of holding one unit for a year (unit cost x holding rate).
    """
    d, k, h = (np.asarray(v, dtype=float) for v in (annual_demand, order_cost, holding_cost))
    if np.any(h <= 0):
        raise ConfigError("holding_cost must be > 0 (unit_cost x holding_rate per year)")
    return np.asarray(np.sqrt(2 * np.maximum(d, 0) * k / h))


LTD_COLUMNS = [ITEM_ID, "mean_per_period", "sd_per_period", "lt_mean", "lt_sd", "horizon_mean",
               "horizon_periods"]  # fmt: skip


def tail_rate(values: np.ndarray, season_length: int | None = None) -> float:
    """Mean of a forecast's last whole seasons: the rate to continue it beyond its horizon.

    The largest number of whole seasons that fits in the forecast, counted back from its end
    (all of it when it is shorter than one season, or without ``season_length``). Never the
    last period alone: that is one day of a weekly pattern.

    Example:
        >>> tail_rate(np.array([9.0, 0, 0, 0, 0, 0, 0, 2]), 7)  # the last 7 periods: 2 / 7
        0.2857142857142857
    """
    v = np.asarray(values, dtype=float)
    m = int(season_length or 0)
    k = len(v) // m * m if m > 0 else 0
    return float(np.mean(v[-k:] if k else v))


def lead_time_demand(
    fc: pd.DataFrame,
    *,
    model: str,
    lead_periods: pd.Series,
    level: int = 95,
    season_length: int | None = None,
) -> pd.DataFrame:
    """Mean and s.d. of demand over each item's lead time, from a forecast with intervals.

    The per-period s.d. is read off the ``level`` interval (``(hi - lo) / (2 z)``) and periods
    are taken as independent. A lead time longer than the horizon continues at the forecast's
    mean rate over the whole seasons at its end (:func:`tail_rate`; the whole horizon when it
    is shorter than a season), with the root-mean-square s.d. of those periods. Before, the
    last period was repeated: a seasonal naive forecast of a spare part that sells 2 units on
    Sundays, whose 28-day horizon ended on a Sunday, made a 90-day lead time 8 + 62 x 2 = 132
    units against 8 + 62 x 2/7 = 26 at its own weekly rate.

    Args:
        fc: forecasts ``[ITEM_ID, TIMESTAMP, <model>, <model>-lo-<level>, <model>-hi-<level>]``.
        model: the model column.
        lead_periods: item id -> lead time in periods (may be fractional).
        level: which interval gives the spread.
        season_length: periods per season (e.g. 7 for daily data); None: the tail rate is the
            whole horizon's mean.

    Returns:
        ``[ITEM_ID, mean_per_period, sd_per_period, lt_mean, lt_sd, horizon_mean,
        horizon_periods]``: ``horizon_mean`` is the forecast's mean per period over its whole
        horizon of ``horizon_periods`` periods (whatever the lead time).
    """
    lo, hi = f"{model}-lo-{level}", f"{model}-hi-{level}"
    if lo not in fc or hi not in fc:
        raise SchemaError(
            f"lead_time_demand: {lo!r}/{hi!r} not in the forecast. Predict with level=[{level}]"
        )
    z = norm.ppf(0.5 + level / 200)
    rows = []
    for sid, g in fc.sort_values(TIMESTAMP).groupby(ITEM_ID, sort=False):
        if sid not in lead_periods.index:
            continue
        mu = g[model].to_numpy(float)
        sd = (g[hi].to_numpy(float) - g[lo].to_numpy(float)) / (2 * z)
        L = float(lead_periods[sid])
        full = int(np.floor(L))
        need = int(np.ceil(L))
        horizon_mean, n = float(mu.mean()), len(mu)
        if need > n:
            more = need - n
            mu = np.r_[mu, np.repeat(tail_rate(mu, season_length), more)]
            sd = np.r_[sd, np.repeat(np.sqrt(tail_rate(sd[:n] ** 2, season_length)), more)]
        frac = L - full
        w = np.r_[np.ones(full), [frac] if frac > 0 else []]
        rows.append(
            {
                ITEM_ID: sid,
                "mean_per_period": float(mu[: max(need, 1)].mean()),
                "sd_per_period": float(np.sqrt(np.mean(sd[: max(need, 1)] ** 2))),
                "lt_mean": float(np.sum(w * mu[: len(w)])),
                "lt_sd": float(np.sqrt(np.sum(w * sd[: len(w)] ** 2))),
                "horizon_mean": horizon_mean,
                "horizon_periods": n,
            }
        )
    return pd.DataFrame(rows, columns=LTD_COLUMNS)


def level_shock_sd(
    spread: float | np.ndarray,
    *,
    lt_mean: float | np.ndarray,
    lt_sd: float | np.ndarray,
) -> np.ndarray:
    """S.d. ``c`` of a per-path demand multiplier that widens lead-time demand ``spread`` times.

    :func:`~opsai.inventory.simulate.simulate_policy` multiplies each sample path's demand by
    ``M`` (mean 1, s.d. ``c``). A lead time's demand, of mean ``m`` and s.d. ``s`` without the
    shock, then has variance ``(1 + c^2) s^2 + c^2 m^2``; setting it to ``(k s)^2`` gives

        ``c^2 = (k^2 - 1) s^2 / (s^2 + m^2)``.

    A single period (mean ``mu``, s.d. ``sigma``) gets ``(1 + c^2) sigma^2 + c^2 mu^2``, far
    below the ``k^2 sigma^2`` that widening every period independently draws when the lead
    time is long. ``c`` is 0 for ``k = 1`` and when there is no spread to widen (``s = 0``).

    Example:
        >>> float(level_shock_sd(2.0, lt_mean=0.0, lt_sd=5.0)[()])  # no mean: c^2 = 3
        1.7320508075688772
    """
    k, m, sd = (np.asarray(v, dtype=float) for v in (spread, lt_mean, lt_sd))
    den = sd**2 + m**2
    with np.errstate(divide="ignore", invalid="ignore"):
        c2 = np.where(den > 0, (np.maximum(k, 1.0) ** 2 - 1) * sd**2 / np.where(den > 0, den, 1), 0)
    return np.asarray(np.sqrt(c2))


def with_defaults(inventory: pd.DataFrame) -> pd.DataFrame:
    """The inventory table with every optional policy column present (see :data:`DEFAULTS`)."""
    if ITEM_ID not in inventory or ON_HAND not in inventory:
        raise SchemaError(
            f"inventory: columns {ITEM_ID!r} and {ON_HAND!r} are required "
            f"(have: {', '.join(map(str, inventory.columns))}). Map them under data.tables.inventory"
        )
    inv = inventory.copy()
    inv[ITEM_ID] = inv[ITEM_ID].astype(str)
    if COST_BASIS not in inv:
        known = inv[UNIT_COST].notna() if UNIT_COST in inv else pd.Series(False, index=inv.index)
        inv[COST_BASIS] = np.where(known, "unit_cost", "default")
    for col, v in DEFAULTS.items():
        inv[col] = inv[col].fillna(v) if col in inv else v
    return inv


def policy_table(
    fc: pd.DataFrame,
    inventory: pd.DataFrame,
    *,
    model: str,
    freq: Literal["D", "W", "M"] = "D",
    level: int = 95,
    service: ServiceType = "cycle",
    spread: float = 1.0,
) -> pd.DataFrame:
    """Per item: lead-time demand, safety stock, reorder point, EOQ and order-up-to level.

    Args:
        fc: item forecasts with a ``level`` interval (see :func:`lead_time_demand`).
        inventory: the contract's inventory table (missing optional columns use
            :data:`DEFAULTS`).
        model: the forecast column to plan on.
        freq: the forecast's frequency (lead times in days are converted to periods).
        level: interval used for the demand spread.
        service: ``cycle`` (no stock-out in a cycle with probability ``service_level``) or
            ``fill_rate`` (share of demand served from stock).
        spread: factor on the s.d. of lead-time demand, e.g.
            :func:`~opsai.inventory.backtest.spread_factor` of the forecast backtest. The
            per-period s.d. stays the forecast's: the widening stands for errors that last
            over the lead time, and the simulation draws them as one shock per path of s.d.
            ``level_sd`` (:func:`level_shock_sd`), not as lumpier single periods.

    Returns:
        One row per item present in both frames, with ``lead_periods, lt_mean, lt_sd,
        level_sd, z, safety_stock, reorder_point, eoq, eoq_periods, order_up_to, annual_demand,
        holding_cost, no_demand, days_of_cover, position`` beside the inventory columns
        (``position``: on hand + on order; ``days_of_cover`` is of the stock on hand).
        ``eoq_periods``: periods of forecast demand one EOQ covers (infinite without demand);
        below 1 a single EOQ-sized order per period cannot keep up, and the plan orders up to
        ``order_up_to`` instead (more than the EOQ).
        ``no_demand``: the forecast's mean over its horizon is below :data:`NO_DEMAND` units
        per period; ``days_of_cover`` is then infinite (missing in recorded tables).
    """
    if service not in ("cycle", "fill_rate"):
        raise ConfigError(f"service must be 'cycle' or 'fill_rate', got {service!r}")
    if not (np.isfinite(spread) and spread > 0):
        raise ConfigError(f"spread must be a positive number, got {spread!r}")
    inv = with_defaults(inventory)
    dpp = DAYS_PER_PERIOD[freq]
    lead = inv.set_index(ITEM_ID)[LEAD_TIME_DAYS] / dpp
    ltd = lead_time_demand(
        fc, model=model, lead_periods=lead, level=level, season_length=SEASON_LENGTH[freq]
    )
    ltd["level_sd"] = level_shock_sd(float(spread), lt_mean=ltd["lt_mean"], lt_sd=ltd["lt_sd"])
    ltd["lt_sd"] *= float(spread)
    out = inv.merge(ltd, on=ITEM_ID, how="inner")
    out["lead_periods"] = out[LEAD_TIME_DAYS] / dpp
    out["annual_demand"] = out["mean_per_period"] * PERIODS_PER_YEAR[freq]
    out["holding_cost"] = out[UNIT_COST] * out[HOLDING_RATE]
    out["eoq"] = np.ceil(
        eoq(
            out["annual_demand"],
            order_cost=out[ORDER_COST],
            holding_cost=out["holding_cost"].clip(lower=1e-6),
        )
    )
    if service == "cycle":
        out["z"] = [z_cycle(s) for s in out[SERVICE_LEVEL]]
    else:
        out["z"] = [
            z_fill_rate(s, sigma_lt=sd, order_qty=q)
            for s, sd, q in zip(out[SERVICE_LEVEL], out["lt_sd"], out["eoq"], strict=True)
        ]
    out["safety_stock"] = np.maximum(out["z"] * out["lt_sd"], 0.0)
    out["reorder_point"] = out["lt_mean"] + out["safety_stock"]
    out["order_up_to"] = out["reorder_point"] + out["eoq"]
    per = out["mean_per_period"]
    out["eoq_periods"] = np.where(per > 0, out["eoq"] / per.where(per > 0, 1.0), np.inf)
    daily = out["mean_per_period"] / dpp
    out["no_demand"] = ~(out["horizon_mean"] >= NO_DEMAND)
    live = (daily > 0) & ~out["no_demand"]
    out["days_of_cover"] = np.where(live, out[ON_HAND] / daily.where(live, 1.0), np.inf)
    out[POSITION] = out[ON_HAND] + out[ON_ORDER]
    return out
