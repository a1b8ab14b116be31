"""``opsai init`` on a file without a header (``column0``, ``column1``, …): its columns read by
their values alone, since their names say nothing.

Taobao's ``UserBehavior.csv`` (user, item, category, ``pv``/``buy``/``cart``/``fav``, Unix
seconds) is an events table; YOOCHOOSE's clicks (session, ISO time, item, category code) are
events keyed by a session; its buys (session, ISO time, item, price, quantity) are orders.

Each column gets one role from its values: a **time** (every sampled value parses; an ISO
time before a number read as Unix time), an **action** (a text column of at most 20 values,
half of them action words: ``pv``, ``click``, ``buy``, ``cart``, ``fav``), a **measure** (numbers
with a zero, a negative or a fraction, or small whole numbers of at most 20 values: a price,
a quantity), an **id** (any other short token without spaces). The first id is the customer
(or the session, when each one's rows span less than a day), the second the item; a file with
measures is orders (demand with one id), else events.

Example:
    >>> read = read_roles(cols, times)                            # doctest: +SKIP
    >>> read.table, read.columns                                  # doctest: +SKIP
    ('events', {'user_id': 'column0', 'timestamp': 'column4', 'event': 'column3', ...})
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from opsai.data import _load
from opsai.data._synonyms import ACTION_VALUES, fold
from opsai.data.schema import DEFAULT_FUNNEL, EVENT_ALIASES, canonical_event

UNNAMED = re.compile(r"column\d+")
"""The names the loader gives the columns of a file without a header."""
ACTIONS_AT_MOST = 20
"""An action column holds at most this many distinct values in the sample."""
SESSION_SPAN_S = 86_400
"""A session's rows span less than a day; a customer's, over a sample of several days, more."""
SHARED_AT_LEAST = 5
"""Two header-less files whose first ids share this many sampled values key the same things."""
_TOKEN = re.compile(r"[^\s]{1,64}")
_UNITS = {"epoch": "Unix seconds", "epoch_ms": "Unix milliseconds", "epoch_us": "Unix microseconds",
          "epoch_ns": "Unix nanoseconds"}  # fmt: skip


def headerless(sample: Any) -> bool:
    """Whether a sample was read without a header, every column named ``column<n>``."""
    return sample.options.get("header") is False and all(
        UNNAMED.fullmatch(c) for c in sample.columns
    )


@dataclass
class Roles:
    """What a header-less file is, read from its values."""

    table: str
    columns: dict[str, str]
    """Contract column -> source column (a source may serve two: a session is user and order)."""
    timestamp_format: str | None
    constants: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _is_action(v: Any) -> bool:
    """A text column of few values, half of them (or more) action words (``pv``, ``cart``)."""
    if v.numeric >= 0.5 or not 1 <= v.distinct <= ACTIONS_AT_MOST:
        return False
    known = set(DEFAULT_FUNNEL) | set(EVENT_ALIASES) | set(EVENT_ALIASES.values())
    distinct = {x for x in v.values}
    acts = [x for x in distinct if canonical_event(x) in known or fold(x) in ACTION_VALUES]
    return len(acts) >= 0.5 * len(distinct)


def _is_measure(v: Any) -> bool:
    """Numbers summed or multiplied: a zero, a negative or a fraction among them (no id has
    one), or whole numbers up to 100 of at most 20 values (a quantity)."""
    if v.numeric < 0.9:
        return False
    nums = v.numbers()
    if not nums:
        return False
    if any(x <= 0 or not x.is_integer() for x in nums):
        return True
    return max(nums) <= 100 and v.distinct <= ACTIONS_AT_MOST


def _is_id(v: Any) -> bool:
    return bool(v.values) and v.distinct > 1 and all(_TOKEN.fullmatch(x) for x in v.values)


def seconds(values: Sequence[str | None], fmt: str | None) -> list[float | None]:
    """Each value as seconds since 1970 (None where it does not parse) under ``fmt``."""
    if fmt in _load.EPOCH_UNITS:
        per_s = 1_000_000 / _load.EPOCH_UNITS[fmt]
        out: list[float | None] = []
        for x in values:
            try:
                out.append(float(x or "") / per_s)
            except ValueError:
                out.append(None)
        return out
    if fmt is None:
        zoned = f"CAST(TRY_CAST({_load.attach_offset('v')} AS TIMESTAMPTZ) AS TIMESTAMP)"
        expr = f"coalesce(TRY_CAST(v AS TIMESTAMP), {zoned})"
    elif _load.since(fmt) is None:
        expr = f"try_strptime(v, {_load.lit(fmt)})"
    else:
        return [None] * len(values)
    sql = f"SELECT list_transform($1, lambda v: epoch({expr}))"
    got = _load.scratch().execute(sql, [[(x or "").strip() for x in values]]).fetchall()[0][0]
    return [None if s is None else float(s) for s in got]


def sessions(ids: list[str | None], times: list[float | None]) -> bool:
    """Whether the ids are sessions: over a sample spanning more than a day, nearly every id
    seen on several rows (at least 5 such ids) has them all within a day."""
    spans: dict[str, tuple[float, float]] = {}
    for k, t in zip(ids, times, strict=False):
        if k is None or t is None or not k.strip():
            continue
        lo, hi = spans.get(k, (t, t))
        spans[k] = (min(lo, t), max(hi, t))
    got = [t for k, t in zip(ids, times, strict=False) if k and t is not None]
    if not got or max(got) - min(got) <= SESSION_SPAN_S:
        return False
    seen = [hi - lo for lo, hi in spans.values() if hi > lo]
    return len(seen) >= 5 and sum(s < SESSION_SPAN_S for s in seen) >= 0.95 * len(seen)


def read_roles(
    sample: Any, cols: dict[str, Any], times: dict[str, tuple[bool, str | None]]
) -> Roles | None:
    """The table a header-less sample is and its columns' roles, or None when its values do
    not say (no time column, or no id).

    Args:
        sample: the file's :class:`~opsai.data._sniff.Sample`.
        cols: its profiled columns (``init._Values``: values, numeric share, numbers).
        times: per column, whether its values read as timestamps, and their format.
    """
    parsed = [c for c in cols if times[c][0]]
    native = [c for c in parsed if times[c][1] is None]
    time = next(iter(native or parsed), None)
    if time is None:
        return None
    fmt = times[time][1]
    rest = [c for c in cols if c != time]
    action = next((c for c in rest if _is_action(cols[c])), None)
    measures = [c for c in rest if c != action and _is_measure(cols[c])]
    ids = [c for c in rest if c != action and c not in measures and _is_id(cols[c])]
    if not ids:
        return None
    who = ids[0]
    is_session = sessions(sample.values[who], seconds(sample.values[time], fmt))
    out: dict[str, str]
    if measures and len(ids) == 1:
        out = {"item_id": who, "timestamp": time}
        table = "demand"
        out.update(_money(cols, measures, "quantity"))
    elif measures:
        table = "orders"
        out = {"user_id": who, "timestamp": time}
        if is_session:
            out["order_id"] = who
        out["item_id"] = ids[1]
        out.update(_money(cols, measures, "amount"))
    else:
        table = "events"
        out = {"user_id": who, "timestamp": time}
        if action:
            out["event"] = action
        if is_session:
            out["session_id"] = who
        if len(ids) > 1:
            out["item_id"] = ids[1]
    read = Roles(table, out, fmt, notes=[_said(cols, out, time, fmt, action, ids)])
    if table == "events" and not action:
        read.constants = {"event": "view"}
        read.notes.append(
            "no column of actions: every row is read as a 'view' (constants: {event: view}); "
            "change it if the rows are other actions (clicks, plays)"
        )
    if is_session:
        kinds = "order_id (each session's lines one order)" if table == "orders" else "session_id"
        read.notes.append(
            f"{who!r} reads as sessions, not customers (each one's rows span less than a day "
            f"while the sample spans several): read as {kinds}, and as user_id for want of a "
            "customer id, so every session counts as a customer"
        )
    return read


def _said(
    cols: dict[str, Any],
    out: dict[str, str],
    time: str,
    fmt: str | None,
    action: str | None,
    ids: list[str],
) -> str:
    """The note naming what each column was read as, and the contract column it became."""
    parts = []
    for c, v in cols.items():
        if c == time:
            kind = "times" + (f" ({_UNITS.get(fmt, fmt)})" if fmt else "")
        elif c == action:
            kind = "actions " + "/".join(sorted(set(v.values)))
        elif c in ids:
            kind = "ids"
        elif c in out.values():
            kind = "numbers"
        else:
            kind = "other values"
        got = [k for k, src in out.items() if src == c]
        parts.append(f"{c}: {kind} -> {', '.join(got) if got else 'kept as an attribute'}")
    return (
        f"no header: the columns were read by their values alone ({'; '.join(parts)}); check "
        "each against the file and rename under columns: where one is wrong"
    )


def _money(cols: dict[str, Any], measures: list[str], single: str) -> dict[str, str]:
    """Two measures: the whole numbers of the smaller median are the quantity, the other the
    price (orders' amount is their product); one measure: ``single``."""
    if len(measures) == 1:
        return {single: measures[0]}

    def key(c: str) -> tuple[bool, float]:
        nums = sorted(cols[c].numbers())
        return (not all(x.is_integer() for x in nums), nums[len(nums) // 2])

    qty, price = sorted(measures[:2], key=key)
    return {"quantity": qty, "price": price}
