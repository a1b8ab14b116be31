"""The tickets' warning that staff messages were read as tickets (byod10b D23).

A reply thread exported as one row per message (Kaggle's TWCS support tweets, a chat log)
mapped row for row makes every company reply and every follow-up a ticket: 9,797 of TWCS'
21,824 rows are the companies' own tweets (``inbound`` False), and ``AppleSupport`` alone
"authors" 3,779 tickets. Nothing stopped it: the counts, intents and sentiment then mix
agents' replies with complaints. Two signs say so:

- a flag saying who wrote the row (``inbound``, ``is_agent``, ``from_customer``,
  ``sender_type`` ...) that holds both values, i.e. no ``where`` keeps the customers' rows;
- a few user ids each authoring a large share of the tickets (> 10% and at least 100).

Example:
    >>> staff_warning(tickets)                                      # doctest: +SKIP
    ValidationWarning('tickets', 'inbound', "the tickets hold staff messages? ...")
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from opsai.data._init_thread import _answers, _sql
from opsai.data._mapping import ValidationWarning
from opsai.data._synonyms import name_words
from opsai.data.schema import TABLES, USER_ID

STAFF_ROWS = "the tickets hold staff messages?"
"""Opens the warning (and chapter 00's ``staff_rows`` finding reads it by this)."""

_CUSTOMER_FLAGS = {"inbound", "incoming", "from_customer", "is_customer", "by_customer",
                   "from_client", "is_inbound", "is_incoming", "from_user", "customer_message"}  # fmt: skip
"""Names of a flag that is true on the customer's rows."""
_STAFF_FLAGS = {"outbound", "outgoing", "is_outbound", "is_outgoing", "is_agent", "from_agent",
                "by_agent", "is_staff", "from_staff", "is_employee", "is_operator", "is_admin",
                "from_company", "is_company", "from_business", "from_me", "agent_message"}  # fmt: skip
"""Names of a flag that is true on the staff's rows."""
_ROLE_NAMES = {"sender_type", "sender_role", "author_type", "author_role", "sender", "role",
               "direction", "message_direction", "from_type", "user_type", "participant_type"}  # fmt: skip
"""Names of a column saying who wrote the row in words (``agent`` / ``customer``)."""
_STAFF_VALUES = {"agent", "staff", "admin", "operator", "support", "company", "business",
                 "employee", "bot", "outbound", "outgoing", "brand", "team", "internal"}  # fmt: skip
_CUSTOMER_VALUES = {"customer", "user", "end-user", "enduser", "end_user", "end user", "client",
                    "requester", "contact", "visitor", "inbound", "incoming", "lead", "guest"}  # fmt: skip
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}
MIN_AUTHOR_TICKETS = 100
"""Tickets an id must author (and over :data:`AUTHOR_SHARE` of them) to be named."""
AUTHOR_SHARE = 0.10
"""Share of the tickets one user id authoring it makes the warning (at least one id)."""
NAMED_SHARE = 0.05
"""Share above which further ids are named beside the first (up to five)."""


def _kind(name: str) -> str | None:
    """``customer`` / ``staff`` for a flag true on that side's rows, ``role`` for a column
    naming the side in words, else None."""
    words = name_words(name)
    joined = {"_".join(words), "_".join(words[-2:]), words[-1] if words else ""}
    if joined & _CUSTOMER_FLAGS:
        return "customer"
    if joined & _STAFF_FLAGS:
        return "staff"
    if {"_".join(words), "_".join(words[-2:])} & _ROLE_NAMES:
        return "role"
    return None


def _flag(t: ir.Table, col: str, kind: str) -> tuple[str, int, int, str] | None:
    """(the customers' ``where``, staff rows, customer rows, values said) of a who-wrote-it
    column holding both sides, else None."""
    counts = t.group_by(v=t[col].cast("string")).aggregate(n=t.count()).to_pandas()
    counts = counts[counts["v"].notna()]
    got = {
        str(v).strip().lower(): (str(v), int(n))
        for v, n in zip(counts["v"], counts["n"], strict=True)
    }
    said = ", ".join(f"{n:,} {v}" for v, n in sorted(got.values(), key=lambda x: -x[1]))
    boolean = t[col].type().is_boolean()
    if kind == "role":
        staff = {k: v for k, v in got.items() if k in _STAFF_VALUES}
        cust = {k: v for k, v in got.items() if k in _CUSTOMER_VALUES}
        if not staff or not cust:
            return None
        values = ", ".join("'" + v[0].replace("'", "''") + "'" for v in cust.values())
        where = f"{_sql(col)} IN ({values})" if len(cust) > 1 else f"{_sql(col)} = {values}"
        return (where, sum(n for _, n in staff.values()), sum(n for _, n in cust.values()), said)
    true = {k: v for k, v in got.items() if k in _TRUE}
    false = {k: v for k, v in got.items() if k in _FALSE}
    if len(true) != 1 or len(false) != 1 or len(got) != 2:
        return None
    (tv, tn), (fv, fn) = next(iter(true.values())), next(iter(false.values()))
    customer_true = kind == "customer"
    if boolean or {tv.lower(), fv.lower()} == {"true", "false"}:  # DuckDB reads 'True' so
        where = _sql(col) if customer_true else f"NOT {_sql(col)}"
    else:
        value = tv if customer_true else fv
        where = f"{_sql(col)} = " + (value if value.isdigit() else "'" + value + "'")
    return (where, fn if customer_true else tn, tn if customer_true else fn, said)


def _reply_column(t: ir.Table) -> str | None:
    """A column naming the message a row answers (TWCS' ``in_response_to_tweet_id``)."""
    for c in t.columns:
        if c not in TABLES["tickets"].names and _answers(name_words(c)):
            return c
    return None


def _authors(t: ir.Table, n: int) -> list[tuple[str, int]]:
    """The user ids authoring a large share of the ``n`` tickets (the first over
    :data:`AUTHOR_SHARE`, then any over :data:`NAMED_SHARE`; at least
    :data:`MIN_AUTHOR_TICKETS` each, five at most), else []."""
    if USER_ID not in t.columns or n < MIN_AUTHOR_TICKETS:
        return []
    u = t.select(u=t[USER_ID].cast("string"))
    u = u.filter(u.u.notnull())
    top = (
        u.group_by("u").aggregate(k=u.count()).order_by([ibis.desc("k"), "u"]).limit(5).to_pandas()
    )
    rows = [
        (str(u), int(k)) for u, k in zip(top["u"], top["k"], strict=True) if k >= MIN_AUTHOR_TICKETS
    ]
    if not rows or rows[0][1] <= AUTHOR_SHARE * n:
        return []
    return [r for r in rows if r[1] > NAMED_SHARE * n]


def staff_warning(t: ir.Table) -> ValidationWarning | None:
    """The warning that a tickets table holds staff messages (see the module), or None."""
    contract = set(TABLES["tickets"].names)
    n = int(t.count().to_pandas())
    flag: tuple[str, tuple[str, int, int, str]] | None = None
    for c in t.columns:
        kind = None if c in contract else _kind(c)
        found = _flag(t, c, kind) if kind else None
        if found is not None:
            flag = (c, found)
            break
    authors = _authors(t, n)
    if flag is None and not authors:
        return None
    bits: list[str] = []
    count = 0
    if flag is not None:
        col, (_where, staff, _cust, said) = flag
        bits.append(
            f"column {col!r} says who wrote each row ({said}) and no where keeps the "
            f"customers' rows: {staff:,} of {n:,} tickets ({staff / n:.0%}) are staff messages"
        )
        count = staff
    if authors:
        named = ", ".join(f"{u}: {k:,} tickets ({k / n:.0%})" for u, k in authors)
        bits.append(
            f"a few user ids author a large share of the tickets ({named}) — staff replies?"
        )
        count = count or sum(k for _, k in authors)
    reply = _reply_column(t)
    fix = (
        f"Keep the customers' rows with data.tables.tickets.where: {flag[1][0]!r}"
        if flag is not None
        else "Keep the customers' rows with data.tables.tickets.where on the column saying who "
        "wrote each row (or leave those user ids out)"
    )
    if reply is not None:  # a reply thread: one ticket per thread, as opsai init maps it
        first = f"{flag[1][0]} AND {_sql(reply)} IS NULL" if flag else f"{_sql(reply)} IS NULL"
        fix += (
            f"; a reply thread ({reply!r} names the message a row answers) reads as one ticket "
            f"per thread with where: {first!r} and its first reply joined as resolved_at: "
            "run opsai init on the folder for that mapping"
        )
    said = "; ".join(bits)
    column: Any = flag[0] if flag is not None else USER_ID
    return ValidationWarning(
        "tickets", column, f"{STAFF_ROWS} {said}{'' if said.endswith('?') else '.'} The counts, "
        f"intents and sentiment would mix agents' replies with customers' requests. {fix}", count,
    )  # fmt: skip
