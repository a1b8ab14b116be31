"""Orders read from an events table, for shops that export behaviour events but no order file.

RetailRocket's export, a GA4 export or a product-analytics dump has one row per event; the
purchases are the events named ``purchase`` (``transaction``, ``order``, ...). This module reads
them as the ``orders`` of the contract so the behaviour chapter can segment buyers, predict churn
and fit lifetime value on such data.

Example:
    >>> orders, info = orders_from_events(ws.table("events"))  # doctest: +SKIP
    >>> info["text"]
    "No orders table: 1,204 'transaction' events are read as orders, ..."
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from opsai.behavior._engine import TableLike, as_table, require, to_frame
from opsai.behavior.funnels import match_steps
from opsai.data.schema import (
    AMOUNT,
    EVENT,
    ITEM_ID,
    ORDER_ID,
    QUANTITY,
    TIMESTAMP,
    USER_ID,
    canonical_event,
    fold_name,
)
from opsai.errors import NothingToAnalyse, SchemaError

VALUE_NAMES = ("amount", "revenue", "value", "price", "total", "purchaserevenue", "ordervalue")
"""Event properties read as a purchase's value, in this order (names folded by ``fold_name``)."""
ORDER_NAMES = ("orderid", "transactionid", "order", "transaction")
"""Event properties read as the order id (several item rows of one order share it)."""


def _pick(t: ir.Table, names: tuple[str, ...], *, numeric: bool) -> str | None:
    folded = {fold_name(c): c for c in t.columns if c not in (USER_ID, TIMESTAMP, EVENT)}
    for n in names:
        c = folded.get(n)
        if c is not None and (not numeric or t[c].type().is_numeric()):
            return c
    return None


def orders_from_events(
    events: TableLike,
    *,
    purchase: str = "purchase",
    value: str | None = None,
    col_event: str = EVENT,
) -> tuple[ir.Table, dict[str, Any]]:
    """The purchase events of ``events`` as an orders table.

    The purchase event is ``purchase`` matched like a funnel step (``transaction``, ``order``
    and ``Purchase`` match too). A purchase's value is the property named by ``value``, else the
    first numeric property called amount, revenue, value, price or total. When there is none,
    every purchase is worth 1: spend figures then count purchases (``info["value"]`` is None).
    An order-id property (order_id, transactionid, ...) becomes ``order_id``, so the item rows
    of one order count as one order.

    Args:
        events: the events table (``user_id``, ``timestamp``, ``event``; other columns are
            properties).
        purchase: the event that marks a purchase. value: the property holding its value.

    Returns:
        ``(orders, info)``: orders with ``user_id``, ``timestamp``, ``amount`` and, when the
        events have them, ``order_id``, ``item_id`` and ``quantity``; info with ``event``, ``rows``,
        ``value``, ``order_id``, ``missing_values`` (purchases without a value, counted as 0)
        and ``text`` (one sentence saying all of this).

    Raises:
        NothingToAnalyse: the events have no purchase event (a chapter is then skipped).
        SchemaError: ``value`` is not a numeric column.
    """
    t = as_table(events, name="events")
    require(t, [USER_ID, TIMESTAMP, col_event], table="events")
    found, _ = match_steps(t, [purchase], col_event=col_event)
    if not found:
        names = to_frame(t.select(col_event).distinct().limit(12))[col_event].astype(str)
        raise NothingToAnalyse(
            f"events: no {purchase!r} event (nor transaction, order or buy), so there are no "
            f"purchases to read as orders (events include: {', '.join(sorted(names))}). Set "
            "PURCHASE_EVENT to the event that marks a purchase, or add an orders table"
        )
    p = t.filter(t[col_event] == found[0])
    if value:
        if value not in t.columns or not t[value].type().is_numeric():
            numeric = [c for c in t.columns if t[c].type().is_numeric()]
            raise SchemaError(
                f"events: ORDER_VALUE {value!r} is not a numeric column of the events (numeric: "
                f"{', '.join(numeric) or 'none'}). Name the property holding a purchase's value, "
                "or leave ORDER_VALUE empty"
            )
    else:
        value = _pick(t, VALUE_NAMES, numeric=True)
    order = _pick(t, ORDER_NAMES, numeric=False) if ORDER_ID not in t.columns else ORDER_ID
    cols: dict[str, Any] = {USER_ID: p[USER_ID], TIMESTAMP: p[TIMESTAMP]}
    cols[AMOUNT] = (
        p[value].cast("float64").fill_null(0.0) if value else ibis.literal(1.0, type="float64")
    )
    if order is not None:
        o = p[order]
        o = o.cast("int64") if o.type().is_floating() else o  # 123.0 -> 123
        cols[ORDER_ID] = o.cast("string")
    if ITEM_ID in t.columns:
        cols[ITEM_ID] = p[ITEM_ID]
    if QUANTITY in t.columns and t[QUANTITY].type().is_numeric():
        cols[QUANTITY] = p[QUANTITY].cast("float64")
    orders = p.select(**cols)
    n = to_frame(
        p.aggregate(n=p.count(), missing=p[value].isnull().sum() if value else ibis.literal(0))
    )
    rows, missing = int(n["n"].iloc[0]), int(n["missing"].iloc[0])
    info = {
        "event": found[0],
        "rows": rows,
        "value": value,
        "order_id": order,
        "missing_values": missing,
    }
    text = f"No orders table: {rows:,} '{found[0]}' events are read as orders"
    if canonical_event(found[0]) != canonical_event(purchase):
        text += (
            f" (no {purchase!r} event: {found[0]!r} is the one whose name says purchase; "
            "PURCHASE_EVENT names another)"
        )
    if order is not None:
        text += f" (rows sharing a '{order}' are one order)"
    if value:
        text += f", each worth its '{value}'" + (
            f"; {missing:,} without one count as 0" if missing else ""
        )
    else:
        text += (
            ". They carry no value (no amount, revenue, value or price property; ORDER_VALUE names"
            " one), so each counts as 1: spend, revenue share and average order below count"
            " purchases, and lifetime value in money is skipped"
        )
    info["text"] = text + "."
    return orders, info


def without_returns(orders: TableLike, *, col_amount: str = AMOUNT) -> ir.Table:
    """The order rows that are purchases: a negative amount is a return (money back, not a
    visit), so it must not make a user active in a period. Rows without an amount stay."""
    t = as_table(orders, name="orders")
    if col_amount not in t.columns:
        return t
    return t.filter(t[col_amount].isnull() | (t[col_amount] >= 0))
