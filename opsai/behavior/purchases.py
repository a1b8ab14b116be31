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
    SESSION_ID,
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
    of one order count as one order. Without one, a shop that writes one purchase row per
    product (REES46, a GA4 item-level export) would count a basket of three items as three
    orders: a user's purchases in one session (with a ``session_id``; else at one time) are
    then one order, whose ``order_id`` is the user and session (or time) as text. When no
    two purchases share a session (or time) no ``order_id`` is added: each row is an order.

    Args:
        events: the events table (``user_id``, ``timestamp``, ``event``; other columns are
            properties).
        purchase: the event that marks a purchase. value: the property holding its value.

    Returns:
        ``(orders, info)``: orders with ``user_id``, ``timestamp``, ``amount`` and, when the
        events have them, ``order_id``, ``item_id`` and ``quantity``; info with ``event``, ``rows``,
        ``value``, ``order_id``, ``orders`` (how many orders the rows are), ``basket``
        (``'session'`` or ``'time'`` when rows were grouped into baskets, else None),
        ``missing_values`` (purchases without a value, counted as 0) and ``text`` (one
        sentence saying all of this).

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
    basket = None if order is not None else ("session" if SESSION_ID in t.columns else "time")
    if order is not None:
        o = p[order]
        o = o.cast("int64") if o.type().is_floating() else o  # 123.0 -> 123
        cols[ORDER_ID] = o.cast("string")
    else:
        cols[ORDER_ID] = _basket_id(p, by_session=basket == "session")
    if ITEM_ID in t.columns:
        cols[ITEM_ID] = p[ITEM_ID]
    if QUANTITY in t.columns and t[QUANTITY].type().is_numeric():
        cols[QUANTITY] = p[QUANTITY].cast("float64")
    missing_expr = p[value].isnull().sum() if value else ibis.literal(0)
    n = to_frame(p.aggregate(n=p.count(), k=cols[ORDER_ID].nunique(), missing=missing_expr))
    rows, missing = int(n["n"].iloc[0]), int(n["missing"].iloc[0])
    n_orders = int(n["k"].iloc[0]) if order is not None or int(n["k"].iloc[0]) < rows else rows
    if order is None and n_orders == rows:  # no two purchases in one basket: each row an order
        del cols[ORDER_ID]
        basket = None
    orders = p.select(**cols)
    info = {
        "event": found[0],
        "rows": rows,
        "value": value,
        "order_id": order,
        "orders": n_orders,
        "basket": basket,
        "missing_values": missing,
    }
    if basket is not None:
        per = "session" if basket == "session" else "time of purchase"
        text = (
            f"No orders table: {rows:,} '{found[0]}' events are read as {n_orders:,} orders, "
            f"one per user and {per} (the items bought together are one basket)"
        )
    else:
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


def _basket_id(p: ir.Table, *, by_session: bool) -> ir.Value:
    """A purchase row's basket: its user and session (a row without a session: its time) as
    text; a row without a user is a guest's, keyed the same way."""
    when = "t " + p[TIMESTAMP].cast("string")
    key = ("s " + p[SESSION_ID].cast("string")).fill_null(when) if by_session else when
    return p[USER_ID].cast("string").fill_null("(guest)") + " " + key


def without_returns(orders: TableLike, *, col_amount: str = AMOUNT) -> ir.Table:
    """The order rows that are purchases: a negative amount is a return (money back, not a
    visit), so it must not make a user active in a period. Rows without an amount stay."""
    t = as_table(orders, name="orders")
    if col_amount not in t.columns:
        return t
    return t.filter(t[col_amount].isnull() | (t[col_amount] >= 0))
