"""Guest orders: orders without a customer id (a walk-in, a guest checkout).

The contract lets ``orders.user_id`` be empty: such an order loads with a missing ``user_id``
(never a made-up id). Business totals (revenue, orders, demand) count it; per-customer
analyses (segments, retention, churn, lifetime value, recommendations) cannot, and read
:func:`known_customers` instead, the one place that filters them out. Engines differ on
missing keys (DuckDB and Ibis make a group of them, pandas drops them), so the filter is
explicit rather than left to a group-by.

Example:
    >>> import pandas as pd
    >>> o = pd.DataFrame({"user_id": ["u1", None, None, "u2"], "amount": [10.0, 5.0, 5.0, 20.0]})
    >>> len(known_customers(o))
    2
    >>> g = guest_share(o)
    >>> g.guest_orders, g.orders, round(g.guest_revenue_share, 3)
    (2, 4, 0.25)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, TypeVar, cast

import ibis
import pandas as pd

from opsai.data.schema import AMOUNT, ORDER_ID, SESSION_ID, TIMESTAMP, USER_ID

T = TypeVar("T")

MATERIAL_SHARE = 0.05
"""Share of orders from guests above which the per-customer chapters say so in a finding."""


def known_customers(orders: T, *, col_user: str = USER_ID) -> T:
    """The rows of ``orders`` (an Ibis table or a pandas frame) that have a customer id."""
    t: Any = orders
    if isinstance(t, pd.DataFrame):
        return cast(T, t[t[col_user].notna()])
    return cast(T, t.filter(t[col_user].notnull()))


@dataclass(frozen=True)
class GuestShare:
    """How many orders, and how much revenue, come from guests (no customer id).

    ``orders`` counts distinct ``order_id`` values when the table has them (an order of
    several lines is one order), rows otherwise, leaving out returns (negative amounts) as
    the overview's order counts do; an order is a guest order when its lines carry no
    customer id. Revenue is net of returns.
    """

    orders: int
    guest_orders: int
    revenue: float
    guest_revenue: float

    @property
    def known_orders(self) -> int:
        return self.orders - self.guest_orders

    @property
    def guest_order_share(self) -> float:
        return self.guest_orders / self.orders if self.orders else 0.0

    @property
    def guest_revenue_share(self) -> float:
        return self.guest_revenue / self.revenue if self.revenue else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "guest_order_share": self.guest_order_share,
            "guest_revenue_share": self.guest_revenue_share,
        }


def guest_share(orders: Any, *, col_user: str = USER_ID) -> GuestShare:
    """Orders and revenue in all, and those of guest orders, of an Ibis table or a frame."""
    res: Any
    df = orders if isinstance(orders, pd.DataFrame) else None
    if df is None:  # aggregated by the engine: four numbers come back
        t = orders
        guest = t[col_user].isnull()
        has_amount = AMOUNT in t.columns
        buy = t[AMOUNT] >= 0 if has_amount else ibis.literal(True)
        if ORDER_ID in t.columns:
            n, g = t[ORDER_ID].nunique(where=buy), t[ORDER_ID].nunique(where=buy & guest)
        else:
            n, g = t.count(where=buy), t.count(where=buy & guest)
        aggs = {"n": n, "g": g}
        if has_amount:
            aggs |= {"r": t[AMOUNT].sum(), "gr": t[AMOUNT].sum(where=guest)}
        res = t.aggregate(**aggs).to_pandas().iloc[0]
    else:
        guest = df[col_user].isna()
        has_amount = AMOUNT in df.columns
        buy = df[AMOUNT] >= 0 if has_amount else pd.Series(True, index=df.index)
        if ORDER_ID in df.columns:
            res = {
                "n": df.loc[buy, ORDER_ID].nunique(),
                "g": df.loc[buy & guest, ORDER_ID].nunique(),
            }
        else:
            res = {"n": int(buy.sum()), "g": int((buy & guest).sum())}
        if has_amount:
            res |= {"r": df[AMOUNT].sum(), "gr": df.loc[guest, AMOUNT].sum()}

    def num(key: str) -> float:
        v = res.get(key) if has_amount or key in ("n", "g") else 0.0
        return 0.0 if v is None or pd.isna(v) else float(v)

    return GuestShare(int(num("n")), int(num("g")), num("r"), num("gr"))


FEW_IDS = 4
"""Fewer distinct customer ids than this, each holding :data:`IDS_ORDERS` orders or more on
average, are a flag or a code, not customers (:func:`few_ids`)."""
IDS_ORDERS = 100


def few_ids(orders: Any, *, col_user: str = USER_ID) -> str:
    """Why per-customer analyses are skipped when ``orders.user_id`` holds a handful of values
    over many orders (hotel_bookings' ``is_repeated_guest`` mapped as the customer: 0 and 1
    over 15,932 bookings made 03a segment two "customers" and fail, byod12a D20), else "".
    ``orders``: an Ibis table."""
    if orders is None or col_user not in orders.columns:
        return ""
    t = orders
    key = t[ORDER_ID].nunique() if ORDER_ID in t.columns else t.count()
    row = t.aggregate(ids=t[col_user].nunique(), n=key).to_pandas().iloc[0]
    ids, n = int(row["ids"] or 0), int(row["n"] or 0)
    if not 0 < ids < FEW_IDS or n < ids * IDS_ORDERS:
        return ""
    shown = t.select(v=t[col_user].cast("string")).distinct().order_by("v").limit(3).to_pandas()
    values = ", ".join(str(v) for v in shown["v"])
    return (
        f"orders.user_id holds {ids} distinct value{'s' * (ids > 1)} ({values}) over {n:,} "
        "orders: a flag or a code, not customers, so there is no one to segment, follow or "
        "score; map data.tables.orders.columns.user_id to a column holding a customer id, or "
        "leave it unmapped (every order a guest's)"
    )


def all_guests_reason(share: GuestShare) -> str:
    """Why per-customer analyses are skipped when every order is a guest order."""
    return (
        f"every one of the {share.orders:,} orders is a guest order (orders.user_id is empty or not mapped), "
        "so there are no customers to segment, follow or score; map "
        "data.tables.orders.columns.user_id to a column holding a customer (member, loyalty "
        "card, e-mail) id to get these analyses"
    )


def no_tastes_reason(share: GuestShare) -> str:
    """Why recommendations (chapter 03b) are skipped when every order is a guest order."""
    return (
        f"no customer ids to learn tastes from: every order is a guest order (all {share.orders:,} "
        "have an empty orders.user_id), so no customer's purchases can be told apart; map "
        "data.tables.orders.columns.user_id to a column holding a customer (member, loyalty "
        "card, e-mail) id, or add events with an item_id, to get recommendations"
    )


VISIT_SHARE = 0.99
"""Share of user ids seen on one day only from which they are visits (:func:`visit_ids`)."""


@dataclass(frozen=True)
class VisitIds:
    """The events' user ids are visits, not customers (YOOCHOOSE maps its session as user_id):
    ``users`` ids, ``one_day`` of them seen on one day only, over ``days`` days; ``same``: each
    is the row's session_id."""

    users: int
    one_day: int
    days: int
    same: bool

    @property
    def one_day_share(self) -> float:
        return self.one_day / self.users if self.users else 0.0


def visit_ids(
    events: Any,
    *,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_session: str = SESSION_ID,
) -> VisitIds | None:
    """The facts when the events' user ids are visits (byod9a D11), else ``None``: each is the
    row's session_id, or over four weeks or more at least 99% of at least 100 ids are seen on
    one day only. One test for validation's warning and chapter 03a's skipped sections.

    Example:
        >>> ev = pd.DataFrame({"user_id": ["s1", "s2"], "session_id": ["s1", "s2"],
        ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-03-01"])})
        >>> visit_ids(ev)
        VisitIds(users=2, one_day=2, days=61, same=True)
        >>> visit_ids(ev.assign(session_id=["a", "b"])) is None  # 2 ids: too few to tell
        True
    """
    t: Any = events if not isinstance(events, pd.DataFrame) else ibis.memtable(events)
    if t is None or not {col_user, col_time} <= set(t.columns):
        return None
    per = t.group_by(_u=t[col_user]).aggregate(_days=t[col_time].date().nunique())
    row = per.aggregate(users=per.count(), one=ibis.ifelse(per["_days"] == 1, 1, 0).sum())
    users, one = (int(v or 0) for v in row.to_pandas().iloc[0])
    span = t.aggregate(a=t[col_time].min(), b=t[col_time].max()).to_pandas().iloc[0]
    if pd.isna(span["a"]):  # no times (a timeless interaction matrix): nothing to tell
        return None
    days = int((span["b"] - span["a"]).days) + 1 if users else 0
    same = False
    if col_session in t.columns:
        differ = t[col_user].cast("string") != t[col_session].cast("string")
        same = int(t.aggregate(n=ibis.ifelse(differ, 1, 0).sum()).to_pandas().iloc[0, 0] or 0) == 0
    if not users or not (same or (users >= 100 and days >= 28 and one >= VISIT_SHARE * users)):
        return None
    return VisitIds(users, one, days, same)


def visits_reason(v: VisitIds) -> str:
    """Why chapter 03a skips its per-customer sections when the user ids are visits."""
    also = ", each the row's session_id" if v.same else ""
    return (
        f"the user ids are visits ({v.one_day_share:.1%} of {v.users:,} seen on one day only"
        f"{also}): retention, segments, churn and lifetime value need a customer id; map "
        "data.tables.events.columns.user_id to one (a member, account or e-mail id)"
    )
