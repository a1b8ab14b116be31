"""A returns/refunds table netted against orders: each refund becomes a negative order line.

The chapters already read a negative order line as a return (money back, units taken off the
customer's purchases, netted against the sales of its period), so appending refunds to
``orders`` that way is all it takes for every figure to be net of them.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from opsai.data._mapping import ValidationWarning
from opsai.data.schema import (
    AMOUNT,
    ITEM_ID,
    ORDER_ID,
    PRICE,
    QUANTITY,
    TABLES,
    TIMESTAMP,
    USER_ID,
)
from opsai.errors import SchemaError

_CONTRACT = set(TABLES["orders"].names)


def _scalar(v: ir.Scalar) -> float:
    out = v.to_pandas() if hasattr(v, "to_pandas") else v.execute()
    return float(out or 0)


def refund_lines(
    orders: ir.Table, returns: ir.Table, warnings: list[ValidationWarning]
) -> ir.Table:
    """``orders`` with one negative line per refund of ``returns`` whose order it holds.

    A line's amount is minus the refund (a partial refund is a smaller negative amount), its
    quantity minus the units returned (empty when ``returns`` has no quantity), its customer
    and time those of the refund, else of the order; without an item, the order's item when
    the order holds one only; its unit price that of the order's line of the item; its other
    columns (attributes) the order's. Refunds whose order_id is not in ``orders``, and refunds
    dated after the last order (a returns export running on past the orders export), are left
    out, with a warning giving their count. A ``returns`` without an amount lists returned
    orders: each is returned in full (see :func:`_whole_orders`).

    Raises:
        SchemaError: ``orders`` has no order_id to match refunds (or listed orders) to.
    """
    if ORDER_ID not in orders.columns:
        if AMOUNT not in returns.columns:
            raise SchemaError(
                "returns: the table maps no amount, so each order it lists is read as "
                "returned in full, and that order's lines are found by order_id; but orders "
                "has no order_id column. Map data.tables.orders.columns.order_id, or "
                "data.tables.returns.columns.amount (the money refunded), or remove "
                "data.tables.returns"
            )
        raise SchemaError(
            "returns: refunds are matched to their orders by order_id, but orders has no "
            "order_id column. Map it in data.tables.orders.columns.order_id, or remove "
            "data.tables.returns"
        )
    if AMOUNT not in returns.columns:  # a flag sheet (Returned = Yes): whole orders
        return _whole_orders(orders, returns, warnings)
    o = orders
    agg: dict[str, ir.Value] = {"_ts": o[TIMESTAMP].max(), "_user": o[USER_ID].max()}
    attrs = [c for c in o.columns if c not in _CONTRACT]
    agg |= {f"_a_{c}": o[c].max() for c in attrs}  # the order's attributes (channel, status)
    if ITEM_ID in o.columns:
        agg |= {"_items": o[ITEM_ID].nunique(), "_item": o[ITEM_ID].max()}
    per_order = o.group_by(ORDER_ID).aggregate(**agg)
    r = returns.select(*returns.columns, _oid=returns[ORDER_ID])
    joined = r.inner_join(per_order, r._oid == per_order[ORDER_ID])
    total, n_total = _scalar(returns[AMOUNT].abs().sum()), int(_scalar(returns.count()))
    n_kept = int(_scalar(joined.count()))
    if n_kept < n_total:
        lost = returns.anti_join(per_order, returns[ORDER_ID] == per_order[ORDER_ID])
        money = _scalar(lost[AMOUNT].abs().sum())
        ex = lost.select(ORDER_ID).distinct().order_by(ORDER_ID).limit(3).to_pandas()
        warnings.append(
            ValidationWarning(
                "returns",
                ORDER_ID,
                f"{n_total - n_kept:,} of {n_total:,} refund(s) ({money:,.2f} of {total:,.2f}) "
                f"name an order not in orders (e.g. {', '.join(map(repr, ex[ORDER_ID]))}): "
                "left out. Are those orders outside the orders export, or left out by "
                "data.tables.orders.where?",
                n_total - n_kept,
                major=n_kept < 0.8 * n_total,
            )
        )
    if n_kept == 0:
        return orders
    j = joined
    item: ir.Value | None = None
    if ITEM_ID in o.columns:
        only = ibis.ifelse(j._items == 1, j._item, ibis.null().cast(o[ITEM_ID].type()))
        item = j[ITEM_ID].coalesce(only) if ITEM_ID in returns.columns else only
        j = j.mutate(_line_item=item)
    if PRICE in o.columns and ITEM_ID in o.columns:
        prices = o.group_by([ORDER_ID, ITEM_ID]).aggregate(_price=o[PRICE].max())
        j = j.left_join(
            prices, [j._oid == prices[ORDER_ID], j._line_item == prices[ITEM_ID]]
        ).select(*j.columns, "_price")
    cols: dict[str, ir.Value] = {}
    for c in o.columns:
        typ = o[c].type()
        if c == ORDER_ID:
            v: ir.Value = j._oid
        elif c == AMOUNT:
            v = -j[AMOUNT].abs()
        elif c == USER_ID:
            v = j[USER_ID].coalesce(j._user) if USER_ID in returns.columns else j._user
        elif c == TIMESTAMP:
            v = j[TIMESTAMP].coalesce(j._ts) if TIMESTAMP in returns.columns else j._ts
        elif c == ITEM_ID:
            v = j._line_item
        elif c == QUANTITY and QUANTITY in returns.columns:
            v = -j[QUANTITY].abs()
        elif c == PRICE and "_price" in j.columns:
            v = j._price
        elif c in attrs:
            v = j[f"_a_{c}"]
        else:
            v = ibis.null()
        cols[c] = v.cast(typ)
    lines = j.select(**cols)
    lines, n_kept = _before_last_order(o, lines, n_kept, warnings)
    if n_kept == 0:
        return orders
    warnings.append(
        ValidationWarning(
            "returns",
            None,
            f"{n_kept:,} refund(s) ({_scalar(lines[AMOUNT].sum()) * -1:,.2f}) appended to orders "
            "as negative lines: revenue is net of them",
            n_kept,
        )
    )
    return o.union(lines)


def _before_last_order(
    o: ir.Table, lines: ir.Table, n_kept: int, warnings: list[ValidationWarning]
) -> tuple[ir.Table, int]:
    """The refund ``lines`` dated up to the last order, and how many of ``n_kept`` remain; a
    warning counts those left out."""
    last = o.filter(o[AMOUNT] >= 0)[TIMESTAMP].max()
    late = lines.filter(lines[TIMESTAMP] > last)
    n_late = int(_scalar(late.count()))
    if n_late:  # the returns export runs on past the orders export: outside its window
        when = pd.Timestamp(last.execute())
        warnings.append(
            ValidationWarning(
                "returns",
                TIMESTAMP,
                f"{n_late:,} refund(s) ({-_scalar(late[AMOUNT].sum()):,.2f}) are dated after "
                f"the last order ({when:%Y-%m-%d %H:%M}): left out, so the data still ends "
                "at its last sale (counted, they would make the last days look like days "
                "of refunds and no sales). Export returns up to the same day as orders",
                n_late,
            )
        )
        lines = lines.filter(lines[TIMESTAMP] <= last)
        n_kept -= n_late
    return lines, n_kept


def _whole_orders(
    orders: ir.Table, returns: ir.Table, warnings: list[ValidationWarning]
) -> ir.Table:
    """``orders`` with a refund line for each line of an order ``returns`` lists without an
    amount (Superstore's ``Returns`` sheet: ``Order ID``, ``Returned = Yes``): the order is
    returned in full. A listed item (``returns`` maps an ``item_id``) takes back only that
    item's lines of the order; an empty item, the whole order. Each refund line is the
    order line with minus its amount and quantity, dated at the return's ``timestamp`` when
    ``returns`` has one, else at its order's time (as a refund without a date); an order
    listed twice is refunded once."""
    o = orders
    r = returns
    keys: dict[str, ir.Value] = {"_oid": r[ORDER_ID]}
    itemised = ITEM_ID in r.columns and ITEM_ID in o.columns
    if itemised:
        keys["_ritem"] = r[ITEM_ID]
    agg: dict[str, ir.Value] = {}
    if TIMESTAMP in r.columns:
        agg["_rts"] = r[TIMESTAMP].min()
    if USER_ID in r.columns:
        agg["_ruser"] = r[USER_ID].max()
    listed = r.group_by(**keys).aggregate(**agg) if agg else r.select(**keys).distinct()
    if itemised:  # an order listed whole as well as by item is returned whole, once
        whole = listed.filter(listed._ritem.isnull())
        listed = listed.filter(listed._ritem.isnull()).union(
            listed.filter(listed._ritem.notnull()).anti_join(whole, "_oid")
        )
    known = o.select(_known=o[ORDER_ID]).distinct()
    lost = listed.anti_join(known, listed._oid == known._known)
    n_listed, n_lost = int(_scalar(listed.count())), int(_scalar(lost.count()))
    if n_lost:
        ex = lost.select("_oid").distinct().order_by("_oid").limit(3).to_pandas()
        warnings.append(
            ValidationWarning(
                "returns",
                ORDER_ID,
                f"{n_lost:,} of {n_listed:,} returned order(s) listed are not in orders "
                f"(e.g. {', '.join(map(repr, ex['_oid']))}): left out. Are those orders "
                "outside the orders export, or left out by data.tables.orders.where?",
                n_lost,
                major=n_lost > 0.2 * n_listed,
            )
        )
    sold = o.filter(o[AMOUNT] >= 0)  # the order's sales, not an earlier refund of it
    when = sold.group_by(_wid=sold[ORDER_ID]).aggregate(_ots=sold[TIMESTAMP].max())
    cond = [sold[ORDER_ID] == listed._oid]
    if itemised:
        cond = [cond[0] & (listed._ritem.isnull() | (sold[ITEM_ID] == listed._ritem))]
    j = sold.inner_join(listed, cond)
    j = j.inner_join(when, j[ORDER_ID] == when._wid)
    cols: dict[str, ir.Value] = {}
    for c in o.columns:
        v: ir.Value = j[c]
        if c == AMOUNT:
            v = -j[AMOUNT].abs()
        elif c == QUANTITY:
            v = -j[QUANTITY].abs()
        elif c == TIMESTAMP:
            v = j._rts.coalesce(j._ots) if "_rts" in j.columns else j._ots
        elif c == USER_ID and "_ruser" in j.columns:
            v = j._ruser.coalesce(j[USER_ID])
        cols[c] = v.cast(o[c].type())
    lines = j.select(**cols)
    n_lines = int(_scalar(lines.count()))
    lines, n_kept = _before_last_order(o, lines, n_lines, warnings)
    if n_kept == 0:
        return orders
    stats = lines.aggregate(n=lines[ORDER_ID].nunique(), money=-lines[AMOUNT].sum())
    got = stats.to_pandas().iloc[0]
    dated = "the return's date" if TIMESTAMP in r.columns else "its order's date"
    part = " (or the listed items' lines)" if itemised else ""
    warnings.append(
        ValidationWarning(
            "returns",
            AMOUNT,
            f"no amount mapped: each order listed is returned in full{part}: "
            f"{int(got['n']):,} order(s), {n_kept:,} line(s), {float(got['money'] or 0):,.2f} "
            f"refunded, appended to orders as negative lines dated at {dated}: revenue is net "
            "of them. Map data.tables.returns.columns.amount if the file holds the money "
            "refunded",
            n_kept,
        )
    )
    return o.union(lines)
