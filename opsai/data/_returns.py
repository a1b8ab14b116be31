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
    out, with a warning giving their count.

    Raises:
        SchemaError: ``orders`` has no order_id to match refunds to.
    """
    if ORDER_ID not in orders.columns:
        raise SchemaError(
            "returns: refunds are matched to their orders by order_id, but orders has no "
            "order_id column. Map it in data.tables.orders.columns.order_id, or remove "
            "data.tables.returns"
        )
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
