"""User attributes that live elsewhere, and those that give the churn outcome away.

:func:`order_attributes` lifts a column that every order (or event) of a customer carries with
the same value, such as an order export's ``Country``, into a user attribute, so segments, the
churn gaps and the churn model see it. :func:`outcome_attributes` names the attributes whose
values nearly determine who churns on the training window, which are left out like the
lifecycle states of :func:`~opsai.behavior.churn.leaky_attributes`.

Example:
    >>> users, lifted = order_attributes(orders, events=events, users=users)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from sklearn.metrics import roc_auc_score

from opsai.behavior._engine import TableLike, as_table, to_frame
from opsai.data.schema import ORDER_ID, SIGNUP_AT, TABLES, TIMESTAMP, USER_ID
from opsai.errors import ConfigError
from opsai.report.finding import Finding

MIN_CONSTANT_SHARE = 0.99
"""Share of the customers with two or more orders whose orders all carry one value."""
MAX_VALUES = 50
"""Most distinct values of a lifted attribute (a country or a channel, not a free text)."""
MIN_REPEAT_CUSTOMERS = 10
"""Fewest customers with two or more orders for the rule to be judged at all."""
OUTCOME_AUC = 0.95
"""Single-attribute ROC-AUC on the training labels from which an attribute gives churn away."""
MIN_LABELLED = 30
"""Fewest training users holding an attribute for :func:`outcome_attributes` to judge it."""

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


def _scores(v: pd.Series, y: pd.Series, cut: pd.Timestamp) -> pd.Series | None:
    """A score ranking users by ``v``: text by its values' churn rates, numbers as they are."""
    if pd.api.types.is_datetime64_any_dtype(v):
        ts = pd.to_datetime(v, errors="coerce")
        v = ((cut - ts).dt.total_seconds() / 86400).where(ts < cut)
    if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
        if v.nunique() < 2:
            return None
        return v.astype(float).fillna(float(v.min()) - 1.0)  # missing ranks lowest
    s = v.astype("string").fillna("(missing)")
    counts = s.value_counts()
    top = counts[counts >= max(2.0, 0.01 * len(s))].index[:8]  # the levels the model sees
    s = s.where(s.isin(top), "(other)")
    if s.nunique() < 2:
        return None
    return s.map(y.groupby(s).mean()).astype(float)


def outcome_attributes(
    orders: TableLike,
    users: pd.DataFrame | None,
    *,
    horizon_days: int,
    col_user: str = USER_ID,
) -> dict[str, str]:
    """User attributes whose values nearly determine the churn label, with why.

    The label is the churn model's training label (no order in the ``horizon_days`` after the
    training cut-off of :func:`~opsai.behavior.churn.snapshots`). Rule: an attribute is left
    out when ranking the training users by it alone reaches ROC-AUC >= 0.95 (a text attribute
    by its values' churn rates, over the levels the model would see; a number or a date as
    it is, either direction; at least 30 users holding it and both outcomes present). One
    value that always churns is not enough: the demo's channel=social (2.0x churn) reads
    about 0.6, an order export's EIRE (every customer lapsed, 8% of customers) about 0.6,
    while a status of active/cancelled written at export time reads near 1.

    Returns:
        ``{column: reason}`` in column order; empty when nothing is left out or the label
        cannot be built.
    """
    from opsai.behavior.churn import LABEL, churn_frame, last_timestamp

    if users is None or col_user not in users.columns:
        return {}
    cut = last_timestamp(orders).normalize() - pd.Timedelta(days=2 * horizon_days - 1)
    try:
        y = churn_frame(orders, cutoff=cut, horizon_days=horizon_days)[LABEL]
    except ConfigError:  # no orders before the training cut-off: nothing to judge on
        return {}
    ids = users[col_user].astype(str)
    u = users.set_axis(ids)[~ids.duplicated().to_numpy()].reindex(y.index.astype(str))
    y = y.set_axis(u.index)
    if y.nunique() < 2:
        return {}
    out: dict[str, str] = {}
    for col in users.columns:
        if col in (col_user, SIGNUP_AT) or u[col].notna().sum() < MIN_LABELLED:
            continue
        score = _scores(u[col], y, cut)
        if score is None:
            continue
        auc = float(roc_auc_score(y, score))
        auc = max(auc, 1.0 - auc)
        if auc >= OUTCOME_AUC:
            out[str(col)] = f"its values nearly determine the outcome (ROC-AUC {auc:.2f})"
    return out
