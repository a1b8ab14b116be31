"""User attributes that live on the orders or events.

:func:`order_attributes` lifts a column that every order (or event) of a customer carries with
the same value, such as an order export's ``Country``, into a user attribute, so segments, the
churn gaps and the churn model see it.

Example:
    >>> users, lifted = order_attributes(orders, events=events, users=users)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from opsai.behavior._engine import TableLike, as_table, to_frame
from opsai.data.schema import ORDER_ID, TABLES, TIMESTAMP, USER_ID
from opsai.report.finding import Finding

MIN_CONSTANT_SHARE = 0.99
"""Share of the customers with two or more orders whose orders all carry one value."""
MAX_VALUES = 50
"""Most distinct values of a lifted attribute (a country or a channel, not a free text)."""
MIN_REPEAT_CUSTOMERS = 10
"""Fewest customers with two or more orders for the rule to be judged at all."""

_ID_WORD = re.compile(r"(^|[_\W])(id|key|uuid|guid|number|no|nr|code)$", re.IGNORECASE)


def _candidates(t: Any, table: str, skip: set[str]) -> list[str]:
    """Text or boolean columns of ``t`` outside the contract, not named like an id."""
    contract = {c.name for c in TABLES[table].columns}
    out = []
    for col, dtype in t.schema().items():
        if col in contract or col in skip or _ID_WORD.search(str(col)):
            continue
        if dtype.is_string() or dtype.is_boolean():
            out.append(str(col))
    return out


def _constant(t: Any, table: str, cols: list[str], col_user: str) -> dict[str, pd.Series]:
    """Per user value of each column of ``cols`` that passes the constancy rule."""
    t = t.filter(t[col_user].notnull())
    key = t[ORDER_ID] if ORDER_ID in t.columns else t[TIMESTAMP]
    per = t.group_by(_u=t[col_user]).aggregate(
        _n=key.nunique(), **{f"_k{i}": t[c].nunique() for i, c in enumerate(cols)}
    )
    counts = to_frame(per).set_index("_u")
    repeat = counts[counts["_n"] >= 2]
    if len(repeat) < MIN_REPEAT_CUSTOMERS:
        return {}
    out = {}
    for i, c in enumerate(cols):
        share = float((repeat[f"_k{i}"] <= 1).mean())
        distinct = int(t[c].nunique().execute())
        if share < MIN_CONSTANT_SHARE or not 2 <= distinct <= MAX_VALUES:
            continue
        mode = to_frame(t.group_by(_u=t[col_user]).aggregate(_v=t[c].mode())).set_index("_u")
        out[c] = mode["_v"].rename(c)
    return out


def order_attributes(
    orders: TableLike | None,
    events: TableLike | None = None,
    users: pd.DataFrame | None = None,
    *,
    col_user: str = USER_ID,
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Users with the order and event columns that are constant per customer as attributes.

    An order export often carries the customer's country, channel or region on every row and
    has no users table (nor can one be taken from it without ``drop_duplicates``). Rule: a
    text or boolean column of ``orders`` (then ``events``) outside the contract, not named like
    an id (``*_id``, ``*_code``, ``*_no`` ...), is lifted when at least 99% of the customers
    with two or more orders (distinct ``order_id``, else timestamps; at least 10 such
    customers) have one value on all their rows and it has 2 to 50 distinct values. Each
    user's value is their most common one. Columns the users table already has are left as
    they are.

    Returns:
        ``(users, lifted)``: ``users`` with the lifted columns (a left join on the users
        table; without one, one row per customer), and ``{column: table}`` naming where each
        came from. ``users`` is returned unchanged when nothing is lifted.
    """
    have = set(users.columns) if users is not None else set()
    got: dict[str, pd.Series] = {}
    lifted: dict[str, str] = {}
    for table, src in (("orders", orders), ("events", events)):
        if src is None:
            continue
        t = as_table(src, name=table)
        if col_user not in t.columns:
            continue
        cols = _candidates(t, table, have | set(got))
        for c, values in _constant(t, table, cols, col_user).items():
            got[c], lifted[c] = values, table
    if not got:
        return users, {}
    attrs = pd.DataFrame(got)
    attrs.index = attrs.index.astype(str)
    attrs = attrs.rename_axis(col_user).reset_index()
    if users is None:
        return attrs, lifted
    ids = users[col_user].astype(str)
    merged = users.join(attrs.set_index(col_user).reindex(ids).set_axis(users.index))
    return merged, lifted


def lifted_attributes(lifted: dict[str, str]) -> Finding:
    """The note naming the attributes :func:`order_attributes` took from orders or events."""
    cols = ", ".join(f"{t}.{c}" for c, t in lifted.items())
    text = (
        f"User attributes taken from the activity: {cols} (one value on every row of a "
        "customer), used for segments, churn gaps and the churn model like a users column."
    )
    return Finding(text, "info", {"columns": dict(lifted)}, name="attributes_from_activity")
