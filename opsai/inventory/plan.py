"""Purchase plan: what to order, how much and by when, from a policy table and a forecast.

Each item's stock is projected forward with the point forecast; the order is due in the first
period the projection reaches the reorder point (now, when it already has), for the larger of
the EOQ and what lifts the position back to the order-up-to level.

Example:
    >>> plan = purchase_plan(policy, fc, model="Auto")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, LEAD_TIME_DAYS, ON_HAND, ON_ORDER, TIMESTAMP, UNIT_COST
from opsai.errors import SchemaError

PLAN_COLUMNS = [
    ITEM_ID,
    "action",
    "order_by",
    "quantity",
    "arrives",
    "order_value",
    ON_HAND,
    ON_ORDER,
    "reorder_point",
    "stockout_date",
]


def _valued(row: pd.Series) -> bool:
    """The row has a unit cost (or a selling price) of its own, not the default of 1."""
    return UNIT_COST in row and row.get("cost_basis", "unit_cost") != "default"


def projected_stock(fc: pd.DataFrame, on_hand: pd.Series, *, model: str) -> pd.DataFrame:
    """Expected closing stock per item and period without new orders (may go negative).

    Returns:
        ``[ITEM_ID, TIMESTAMP, projected]`` for the items in ``on_hand``.
    """
    f = fc[fc[ITEM_ID].isin(on_hand.index)].sort_values([ITEM_ID, TIMESTAMP])
    cum = f.groupby(ITEM_ID, sort=False)[model].cumsum()
    return pd.DataFrame(
        {
            ITEM_ID: f[ITEM_ID].to_numpy(),
            TIMESTAMP: f[TIMESTAMP].to_numpy(),
            "projected": f[ITEM_ID].map(on_hand).to_numpy(float) - cum.to_numpy(float),
        }
    )


def purchase_plan(
    policy: pd.DataFrame,
    fc: pd.DataFrame,
    *,
    model: str,
    freq: Literal["D", "W", "M"] = "D",
) -> pd.DataFrame:
    """One row per item: ``order now``, ``order by <date>`` or ``no order in horizon``.

    Args:
        policy: output of :func:`opsai.inventory.policy.policy_table`.
        fc: the item forecasts the policy was built on.
        model: the forecast column.
        freq: the forecast's frequency.

    Returns:
        Columns :data:`PLAN_COLUMNS`, orders due first. ``order_by`` is the period start the
        order must be placed in; ``arrives`` adds the lead time in days; ``stockout_date`` is
        when the stock on hand, without any order, first runs out (NaT if not within the
        horizon). Decisions and quantities are on the inventory position, on hand + on order
        (``on_order`` in the policy, 0 without it): 774 units inbound are not re-ordered.
    """
    need = {ITEM_ID, ON_HAND, "reorder_point", "order_up_to", "eoq", LEAD_TIME_DAYS}
    if missing := sorted(need - set(policy.columns)):
        raise SchemaError(f"purchase_plan: policy lacks {missing}. Build it with policy_table")
    pol = policy.set_index(ITEM_ID)
    inbound = pol[ON_ORDER].fillna(0.0) if ON_ORDER in pol else pd.Series(0.0, index=pol.index)
    proj = projected_stock(fc, pol[ON_HAND] + inbound, model=model)
    bare = projected_stock(fc, pol[ON_HAND], model=model).groupby(ITEM_ID, sort=False)
    first = fc[TIMESTAMP].min()
    off = pd.tseries.frequencies.to_offset({"H": "h", "D": "D", "W": "W-MON", "M": "MS"}[freq])
    as_of = first - off
    rows = []
    for sid, g in proj.groupby(ITEM_ID, sort=False):
        p = pol.loc[sid]
        on_hand, rop = float(p[ON_HAND]), float(p["reorder_point"])
        on_order = float(inbound[sid])
        ts = pd.DatetimeIndex(g[TIMESTAMP])
        level = g["projected"].to_numpy()
        out = np.flatnonzero(bare.get_group(sid)["projected"].to_numpy() <= 0)
        stockout = ts[out[0]] if len(out) else pd.NaT
        if on_hand + on_order <= rop:
            action, when, position = "order now", as_of, on_hand + on_order
        else:
            hit = np.flatnonzero(level <= rop)
            if len(hit) == 0:
                rows.append(
                    [
                        sid,
                        "no order in horizon",
                        pd.NaT,
                        0.0,
                        pd.NaT,
                        0.0,
                        on_hand,
                        on_order,
                        rop,
                        stockout,
                    ]
                )
                continue
            action, when, position = "order by", ts[hit[0]], float(level[hit[0]])
        qty = float(np.ceil(max(float(p["eoq"]), float(p["order_up_to"]) - position, 0.0)))
        arrives = when + pd.Timedelta(days=float(p[LEAD_TIME_DAYS]))
        value = qty * float(p[UNIT_COST]) if _valued(p) else float("nan")
        rows.append([sid, action, when, qty, arrives, value, on_hand, on_order, rop, stockout])
    plan = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    rank = plan["action"].map({"order now": 0, "order by": 1}).fillna(2)
    return (
        plan.assign(_r=rank)
        .sort_values(["_r", "order_by", ITEM_ID])
        .drop(columns="_r")
        .reset_index(drop=True)
    )
