"""Building blocks of the inventory part of the demand chapter: simulate every item's policy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from opsai.data.schema import (
    HOLDING_RATE,
    ITEM_ID,
    LEAD_TIME_DAYS,
    ON_HAND,
    ON_ORDER,
    ORDER_COST,
    PRICE,
    SERVICE_LEVEL,
    UNIT_COST,
)
from opsai.forecast.series import SEASON_LENGTH
from opsai.inventory.policy import COST_BASIS, DEFAULTS, PERIODS_PER_YEAR
from opsai.inventory.simulate import SimulationResult, simulate_policy
from opsai.report.finding import Finding
from opsai.report.wording import money

if TYPE_CHECKING:
    from opsai.data.workspace import Workspace

_UNIT = {"H": "hour", "D": "day", "W": "week", "M": "month"}
SIM_PERIODS: dict[str, int] = {"H": 182 * 24, "D": 182, "W": 26, "M": 6}
"""Periods the policy simulation covers per frequency: about half a year."""
NO_STOCK = "No inventory table: stock policy, purchase plan and stock alerts were skipped."


def inventory_table(ws: Workspace) -> pd.DataFrame:
    """The workspace's inventory table, or an empty one when it has none (the policy, plan
    and alerts are then empty, and the forecasting part of the chapter still runs)."""
    if ws.has("inventory"):
        stock = ws.item_lines("inventory").to_pandas()  # postage, fees (non_items): no stock
        # by item: locations summed and snapshots kept come back in no fixed order, and the
        # policy simulation draws each item's demand by its row
        stock = stock.sort_values(ITEM_ID, kind="stable", ignore_index=True)
        return with_prices(stock, selling_prices(ws))
    return pd.DataFrame({ITEM_ID: pd.Series(dtype=str), ON_HAND: pd.Series(dtype=float)})


def hourly_stock(inventory: pd.DataFrame, freq: str) -> tuple[pd.DataFrame, Finding | None]:
    """The inventory the stock policy reads at ``freq``: at ``H`` none, and a finding that
    says why (lead times are days and the forecast covers HORIZON hours: safety stocks and
    reorder points come from daily forecasts, FREQ ``D``); else ``inventory`` as it is."""
    if freq != "H" or inventory.empty:
        return inventory, None
    text = (
        f"The forecasts are by the hour, so the stock policy for the {len(inventory):,} "
        "stocked items (safety stock, reorder point, purchase plan, stock alerts) is left out: "
        "lead times are counted in days, past an hourly forecast's horizon. Run the chapter "
        "again with FREQ: D under chapters.04_demand_inventory.parameters for them."
    )
    empty = inventory.iloc[0:0]
    return empty, Finding(
        text, "medium", {"freq": freq, "items": len(inventory)}, name="stock_by_day"
    )


def selling_prices(ws: Workspace) -> pd.Series:
    """Item id -> selling price: the catalogue's ``price``, else the median ``price`` of the
    item's demand rows (empty when neither table has prices)."""
    for name in ("items", "demand"):
        if ws.has(name) and PRICE in ws.columns(name):
            t = ws.to_pandas(name, columns=[ITEM_ID, PRICE]).dropna()
            t = t[t[PRICE] > 0]
            if len(t):
                return t.groupby(t[ITEM_ID].astype(str))[PRICE].median()
    return pd.Series(dtype=float)


def with_prices(inventory: pd.DataFrame, prices: pd.Series) -> pd.DataFrame:
    """The inventory with :data:`~opsai.inventory.policy.COST_BASIS`: where ``unit_cost`` is
    missing, the item's selling price stands in (``price``: values are then "at selling
    price", and the EOQ is on the price, which is smaller than on the unknown cost); without
    either, ``default``: the EOQ uses a unit cost of 1 and no money figure is written.
    Before, every item without a cost was worth 1 a unit ("3,824 units, worth 3,824 USD")."""
    inv = inventory.copy()
    given = inv[UNIT_COST].notna() if UNIT_COST in inv else pd.Series(False, index=inv.index)
    price = inv[ITEM_ID].astype(str).map(prices).astype(float)
    use = ~given & price.notna()
    cost = inv[UNIT_COST].astype(float) if UNIT_COST in inv else pd.Series(np.nan, index=inv.index)
    inv[UNIT_COST] = cost.where(~use, price)
    inv[COST_BASIS] = np.where(given, "unit_cost", np.where(use, "price", "default"))
    return inv


def defaults_finding(inventory: pd.DataFrame, *, currency: str = "") -> Finding | None:
    """The inventory settings taken from defaults (not in the data), so the user knows what to
    map; ``None`` when every one is given (or there is no inventory)."""
    if inventory.empty:
        return None
    names = {LEAD_TIME_DAYS: "lead time", ORDER_COST: "order cost", HOLDING_RATE: "holding rate",
             SERVICE_LEVEL: "service level"}  # fmt: skip
    shown = {LEAD_TIME_DAYS: f"{DEFAULTS[LEAD_TIME_DAYS]:g} days",
             ORDER_COST: f"{money(DEFAULTS[ORDER_COST], currency)} per order",
             HOLDING_RATE: f"{DEFAULTS[HOLDING_RATE]:.0%} of the unit cost a year",
             SERVICE_LEVEL: f"{DEFAULTS[SERVICE_LEVEL]:.0%}"}  # fmt: skip
    used, n = [], len(inventory)
    for col, label in names.items():
        k = int(inventory[col].isna().sum()) if col in inventory else n
        if k:
            of = "" if k == n else f" for {k} of {n} items"
            used.append(f"{label} {shown[col]}{of}")
    basis = inventory[COST_BASIS] if COST_BASIS in inventory else pd.Series(["unit_cost"] * n)
    by_price, none = int((basis == "price").sum()), int((basis == "default").sum())
    if not used and not by_price and not none:
        return None
    parts = [f"defaults used: {', '.join(used)}"] if used else []
    if by_price:
        parts.append(
            f"unit cost not given for {by_price} of {n} items: their stock and orders are "
            "valued at selling price (above cost), and their EOQs use it"
        )
    if none:
        parts.append(
            f"unit cost and price not given for {none} of {n} items: their stock and orders "
            "are counted in units only, and their EOQs assume a unit cost of 1 (orders too "
            "large)"
        )
    cols = [c for c in names if c not in inventory or inventory[c].isna().any()]
    cols += [UNIT_COST] if by_price or none else []
    text = (
        "Inventory settings: "
        + "; ".join(parts)
        + ". Map "
        + ", ".join(cols)
        + " under data.tables.inventory.columns (or set one value for every item with "
        "data.tables.inventory.constants) for a plan on your own figures."
    )
    evidence = {"defaults": used, "valued_at_price": by_price, "not_valued": none}
    return Finding(
        text, "medium" if none or by_price else "low", evidence, name="inventory_defaults"
    )


def simulate_items(
    policy: pd.DataFrame,
    *,
    freq: Literal["D", "W", "M"] = "D",
    horizon: int = 180,
    n_paths: int = 500,
    seed: int = 0,
) -> tuple[pd.DataFrame, SimulationResult]:
    """Simulate the policy the purchase plan follows, per item, from its stock: (s, S) with
    ``s`` the reorder point and ``S`` the order-up-to level (reorder point + EOQ).

    :func:`~opsai.inventory.plan.purchase_plan` orders ``max(EOQ, S - position)`` once the
    position is at or below ``s``, which is ``S - position`` (at least the EOQ): this is what is
    simulated. A fixed ``Q = EOQ`` per period instead never catches up with an item whose EOQ
    is below one period's demand (weekly data, fast movers): on a Walmart weekly export it
    served 72.9% of demand against a 95% target, while the plan's orders would have been
    larger (:func:`eoq_finding` names those items).

    Demand per period has the forecast's mean and s.d. (``mean_per_period``/``sd_per_period``);
    when the policy widened lead-time demand (:func:`~opsai.inventory.backtest.spread_factor`)
    each path's demand is scaled by one shock of s.d. ``level_sd``, so the simulated lead-time
    demand spreads as the reorder points assume while single days keep the forecast's spread;
    holding cost per period is ``holding_cost`` spread over the year.

    Returns:
        ``[ITEM_ID, target, fill_rate, stockout_prob, avg_stock, orders, total_cost]`` and the
        full :class:`~opsai.inventory.simulate.SimulationResult` (its ``band`` for charts).
    """
    res = simulate_policy(
        mean=policy["mean_per_period"].to_numpy(),
        sd=policy["sd_per_period"].to_numpy(),
        on_hand=(
            policy[ON_HAND] + policy[ON_ORDER] if ON_ORDER in policy else policy[ON_HAND]
        ).to_numpy(float),  # stock on order counts as arriving within the lead time
        lead_time=np.maximum(np.rint(policy["lead_periods"].to_numpy()), 1),
        reorder_point=policy["reorder_point"].to_numpy(),
        order_up_to=policy["order_up_to"].to_numpy(),
        policy="sS",
        horizon=horizon,
        n_paths=n_paths,
        holding_cost=policy["holding_cost"].to_numpy() / PERIODS_PER_YEAR[freq],
        order_cost=policy[ORDER_COST].to_numpy(),
        level_sd=policy["level_sd"].to_numpy() if "level_sd" in policy else 0.0,
        seed=seed,
    )
    table = pd.concat(
        [
            policy[[ITEM_ID, SERVICE_LEVEL]]
            .reset_index(drop=True)
            .rename(columns={SERVICE_LEVEL: "target"}),
            res.summary,
        ],
        axis=1,
    )
    return table, res


def horizon_finding(policy: pd.DataFrame, *, horizon: int, freq: str = "D") -> Finding | None:
    """Items whose lead time runs past the forecast horizon (None when none does).

    Their lead-time demand beyond the horizon continues at the forecast's mean rate over its
    last whole seasons (:func:`~opsai.inventory.policy.tail_rate`): an assumption, not a
    forecast, so the finding names them and the ``HORIZON`` that would cover every lead time.
    """
    if policy.empty or "lead_periods" not in policy:
        return None
    over = policy[policy["lead_periods"] > horizon]
    if over.empty:
        return None
    unit = {"H": "hours", "D": "days", "W": "weeks", "M": "months"}.get(freq, "periods")
    season = {"H": "days", "D": "weeks", "W": "years", "M": "years"}.get(freq, "seasons")
    rate = (
        f"its last whole {season}"
        if horizon >= SEASON_LENGTH.get(freq, horizon + 1)
        else "its whole horizon"
    )
    longest = over.loc[over["lead_periods"].idxmax()]
    need = int(np.ceil(float(longest["lead_periods"])))
    text = (
        f"{len(over)} of {len(policy)} items have a supplier lead time longer than the "
        f"{horizon}-{unit.removesuffix('s')} forecast horizon (the longest: item "
        f"{longest[ITEM_ID]}, {need} {unit}). Beyond the horizon their lead-time demand "
        f"continues at the forecast's average rate over {rate} (not its last period); "
        f"set HORIZON to {need} or more to forecast the whole lead time."
    )
    evidence = {"items": len(over), "horizon": int(horizon), "longest_lead_periods": need,
                "longest_item": str(longest[ITEM_ID])}  # fmt: skip
    return Finding(text, "low", evidence, name="lead_time_horizon")


def eoq_finding(policy: pd.DataFrame, *, freq: str = "D") -> Finding | None:
    """Items whose EOQ is smaller than one period's forecast demand, or ``None``.

    One EOQ-sized order per period cannot keep up with them, so the purchase plan (and the
    simulation, :func:`simulate_items`) orders up to reorder point + EOQ: every period, more
    than the EOQ. Worth a word: the EOQ column then is not the quantity ordered, and an order
    cost set too low (or a holding cost too high) is the usual cause.
    """
    if policy.empty or "eoq_periods" not in policy:
        return None
    short = policy[(policy["eoq_periods"] < 1) & (policy["mean_per_period"] > 0)]
    if short.empty:
        return None
    unit = _UNIT.get(freq, "period")
    worst = short.loc[short["eoq_periods"].idxmin()]
    text = (
        f"{len(short)} of {len(policy)} items have an EOQ below one {unit}'s forecast demand "
        f"(item {worst[ITEM_ID]}: EOQ {worst['eoq']:,.0f} units against {worst['mean_per_period']:,.0f} "
        f"a {unit}, {worst['eoq_periods']:.2f} of a {unit}). One EOQ-sized order per {unit} "
        f"would never catch up, so the plan and the simulation order them up to the reorder "
        f"point + EOQ each time they reach the reorder point: about every {unit}, for more than "
        f"the EOQ. If they are not bought that often, check order_cost and holding_rate in the "
        f"inventory table (the EOQ grows with the order cost)."
    )
    evidence = {"items": len(short), "of": len(policy), "item": str(worst[ITEM_ID]),
                "eoq": float(worst["eoq"]), "demand_per_period": round(float(worst["mean_per_period"]), 2),
                "eoq_periods": round(float(worst["eoq_periods"]), 4)}  # fmt: skip
    return Finding(text, "low", evidence, name="eoq_below_period")


def service_finding(table: pd.DataFrame) -> Finding:
    """Simulated fill rate against the target service levels, over all items."""
    if table.empty:
        return Finding(NO_STOCK, "info", {}, name="simulated_service")
    fr, target = float(table["fill_rate"].mean()), float(table["target"].mean())
    below = int((table["fill_rate"] < table["target"] - 0.01).sum())
    text = (
        f"Following the recommended reorder points and order quantities from today's stock, "
        f"the simulation serves {fr:.1%} of demand on average against a {target:.1%} target; "
        f"{below} of {len(table)} items fall more than a point short of their target."
    )
    return Finding(
        text,
        "medium" if below else "info",
        {"fill_rate": round(fr, 4), "target": round(target, 4), "items_below": below},
        name="simulated_service",
    )


def plan_finding(
    plan: pd.DataFrame, *, currency: str = "", policy: pd.DataFrame | None = None
) -> Finding:
    """How many items need an order now or within the horizon, and what it costs (in
    ``currency``, the config's code; "" writes the bare number). Orders of items without a
    unit cost (``order_value`` missing) are counted in units only; with ``policy``, values
    from selling prices (its ``cost_basis``) say so."""
    if plan.empty:
        return Finding(NO_STOCK, "info", {}, name="purchase_plan")
    now = plan[plan["action"] == "order now"]
    later = plan[plan["action"] == "order by"]
    vals = now["order_value"] if "order_value" in now else pd.Series(np.nan, index=now.index)
    value = float(vals.sum()) if vals.notna().any() else float("nan")
    basis = (
        policy.set_index(ITEM_ID)[COST_BASIS]
        if policy is not None and COST_BASIS in policy
        else None
    )
    at_price = basis is not None and bool((now[ITEM_ID].map(basis) == "price").any())
    units = f"{now['quantity'].sum():,.0f} units"
    if not len(now) or vals.notna().all():
        worth = f"{units}, worth {money(value, currency)}" if len(now) else units
        worth += " at selling price" if at_price else ""
    elif vals.notna().any():
        worth = (
            f"{units}; {int(vals.notna().sum())} of them worth {money(value, currency)}"
            + (" at selling price" if at_price else "")
            + f", {int(vals.isna().sum())} with no unit cost or price, not valued"
        )
    else:
        worth = f"{units}; not valued: no unit cost or price is mapped"
    text = (
        f"{len(now)} of {len(plan)} items need a purchase order now ({worth}); {len(later)} more "
        "reach their reorder point within the forecast horizon."
    )
    return Finding(
        text,
        "high" if len(now) else "info",
        {
            "order_now": len(now),
            "order_later": len(later),
            "order_now_units": float(now["quantity"].sum()),
            "order_now_value": round(value, 2) if np.isfinite(value) else None,
            "valued_at": "price" if at_price else ("unit_cost" if np.isfinite(value) else None),
        },
        name="purchase_plan",
    )


def lead_time_finding(check: dict[str, Any], *, widened: bool) -> Finding:
    """How often the reorder points held lead-time demand on the forecast backtest
    (:func:`~opsai.inventory.backtest.reorder_check`), and what widening the spread did.

    ``widened`` is ``LEAD_TIME_CHECK``; the spread is widened only when the check says so
    (``check["widen"]``: at least two backtest windows fell short by more than chance), and the
    text says why not otherwise."""
    if not check["windows"]:
        return Finding(
            "The reorder points could not be checked on the backtest: no backtest "
            "window covers an item's lead time (or there is no inventory table).",
            "low" if check["target"] is not None else "info",
            {},
            name="lead_time_check",
        )
    held, target, k = check["held"], check["target"], check["factor"]
    by_window = check.get("by_window", {})
    text = (
        f"Replayed on the forecast backtest ({check['windows']} item windows), the reorder "
        f"points sized from the forecast's spread held the lead-time demand {held:.0%} of the "
        f"time against a {target:.0%} target"
    )
    if len(by_window) > 1:
        text += " (by backtest window: " + ", ".join(f"{v:.0%}" for v in by_window.values()) + ")"
    text += "."
    widen = bool(check.get("widen", k > 1))
    used = widened and widen
    if k > 1 and widen:
        text += (
            " Demand over a lead time strayed further from its forecast than the per-period "
            "spread allows for (a bias, or errors that last from one day to the next): it took "
            f"a spread {k:.2f} times wider to hold the target there"
        )
        text += (
            f"; safety stocks and the simulation below use it (with factors learnt on the "
            f"other windows, the reorder points held {check['held_widened']:.0%} out of sample)."
            if widened
            else f" (out of sample: {check['held_widened']:.0%}). LEAD_TIME_CHECK is off, so "
            "safety stocks do not use it."
        )
    elif k > 1 and check.get("short_windows") == 0:
        text += (
            " No backtest window held fewer lead times than chance allows at that target, so "
            "safety stocks and the simulation keep the forecast's spread."
        )
    elif k > 1:
        worst = min(by_window, key=by_window.__getitem__) if by_window else ""
        where = (
            f"gather in the backtest window after {worst}, the only one that fell short"
            if len(by_window) > 1
            else "come from the one backtest window"
        )
        text += (
            f" The misses {where}: one event (a promotion, a holiday), not a pattern the other "
            f"windows confirm. Sized on it, the spread would be {k:.2f} times wider for every "
            "item, while factors learnt on the other windows hold that window "
            f"{check.get('by_window_widened', {}).get(worst, held):.0%} out of sample (as sized "
            f"{by_window.get(worst, held):.0%}), so safety stocks and the simulation keep the forecast's spread. Demand events "
            "known in advance (promotions, holidays) need orders of their own."
        )
    short = (check["held_widened"] if used else held) < target - 0.05
    return Finding(
        text,
        "medium" if short else "info",
        {k2: v for k2, v in check.items()} | {"widened": used},
        name="lead_time_check",
    )
