"""``opsai init`` on exports whose customer and time columns are named by no synonym.

A **day number** (Dunnhumby's ``DAY`` 1..711: a whole-number column named ``day``, ``day_no``,
``days``) is a time counted from a date the export does not give: it is proposed with
``timestamp_format: 'days since 2023-12-31'`` (the placeholder validation also names) and a
note asking for the real day before day 1.

A **shared customer key** (KKBox's ``msno``: an opaque member code in every file) is the one
column found in two files or more, once unique (the member list) and repeated in a file with a
time (the activity), that no contract name claims and that holds no dates (UCI Bike
Sharing's ``dteday``: one a row in ``day.csv``, 24 in ``hour.csv``). The files are read as
written: an ``unpivot`` repeats its kept columns (``instant``, the row number) by the product.
A file that fits no table by its names is tried again with that key as its ``user_id``; a
file of a customer, a time and no event name (a daily usage log) is then events of one
constant type (``constants: {event: visit}``). So is a file keyed by a column named as the
customer (``userid``) whose values repeat.

Example:
    >>> day_numbers("DAY", ["1", "132", "364"]), day_numbers("day", ["1", "15", "31"])
    (True, False)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from opsai.data import _load, _sniff
from opsai.data._synonyms import name_score, name_words
from opsai.data.schema import TABLES

if TYPE_CHECKING:
    from opsai.data._sniff import Sample

DAY_ORIGIN = "days since 2023-12-31"
"""The placeholder origin init proposes for day numbers (day 1 is 2024-01-01)."""
_DAY_WORDS = {"day", "days", "tag"}
_DAY_NAME_WORDS = {"day", "days", "tag", "no", "nr", "num", "number", "index", "idx"}
DAY_NUMBERS_MAX = 40_000
"""Day numbers stay below about a century: larger whole numbers are no day count."""
SHARED_KEY = 0.61
"""The score of the shared customer key as a ``user_id`` (a part-name match's, told apart)."""
CONSTANT_EVENT = "visit"
"""The event of a usage log that names none (one row per customer and day)."""
_OTHER_KEYS = ("item_id", "order_id", "session_id", "ticket_id", "store")


def day_numbers(src: str, values: Sequence[str]) -> bool:
    """A column named only as a day (``DAY``, ``day_no``, ``days``) holding whole numbers from
    0 to :data:`DAY_NUMBERS_MAX`, some above 31 (1..31 is a day of the month), that
    validation would also read as day numbers (:func:`~opsai.data._load.counted_fix`)."""
    words = set(name_words(src))
    if not words & _DAY_WORDS or not words <= _DAY_NAME_WORDS:
        return False
    vals = [v.strip() for v in values if v and v.strip()]
    if not vals or _load.counted_fix(vals, "") is None:
        return False
    numbers = [float(v) for v in vals]
    return max(numbers) > 31 and max(numbers) < DAY_NUMBERS_MAX


def day_numbers_note(src: str) -> str:
    return (
        f"{src!r} holds day numbers, not dates: read as {DAY_ORIGIN!r} (day 1 = 2024-01-01), "
        "a placeholder: set timestamp_format to 'days since <the day before day 1>' if you "
        "know it (weekdays, months and seasons depend on it)"
    )


def _id_like(values: Sequence[str]) -> bool:
    vals = [v.strip() for v in values if v and v.strip()]
    return bool(vals) and all(len(v) <= 64 and not re.search(r"\s", v) for v in vals)


def _claimed(col: str) -> bool:
    """Whether a contract name other than the customer's claims the column (``product_id``,
    ``store_nbr``, ``session``)."""
    for t in ("orders", "events", "demand", "tickets"):
        table = TABLES[t]
        for c in _OTHER_KEYS:
            if table.has(c) and name_score(col, c, table) > 0:
                return True
        if table.has("timestamp") and name_score(col, "timestamp", table) > 0:
            return True
    return False


def shared_customer(samples: Sequence[Sample], timed: Sequence[bool]) -> str | None:
    """The customer key shared by the files (module doc), or ``None`` when no column, or more
    than one, qualifies. ``timed[i]``: whether ``samples[i]`` has a time column."""
    found: dict[str, list[tuple[bool, bool]]] = {}  # column -> (unique, has a time) per file
    dates: set[str] = set()  # day.csv's dteday, repeated by the hour in hour.csv
    for s, has_time in zip(samples, timed, strict=True):
        for c, vals in s.values.items():
            v = [x for x in vals if x is not None and x.strip()]
            if len(v) < 2 or not _id_like(v):
                continue
            share, fmt = _sniff.timestamp_format(v)
            if share >= 0.95 and fmt not in ("epoch", "epoch_ms"):  # 10 digits may be an id
                dates.add(c)
            found.setdefault(c, []).append((len(set(v)) == len(v), has_time))
    keys = [
        c
        for c, seen in found.items()
        if len(seen) >= 2
        and c not in dates
        and any(u for u, _ in seen)
        and any(not u and t for u, t in seen)
        and name_score(c, "user_id", TABLES["orders"]) == 0
        and not _claimed(c)
    ]
    return keys[0] if len(keys) == 1 else None


def named_customer(sample: Sample) -> str | None:
    """The column named as the customer (``userid``, ``player_id``: a synonym, score 0.8 or
    more) whose sampled values repeat, or ``None``: a file of such a key and a time that fits
    no table by its names is a usage log too (Cookie Cats' ``sessions.csv``: ``userid``,
    ``session_date``, ``rounds_played``), its rows events of one constant type."""
    orders = TABLES["orders"]
    for c, vals in sample.values.items():
        v = [x for x in vals if x is not None and x.strip()]
        if name_score(c, "user_id", orders) >= 0.8 and len(set(v)) < len(v):
            return c
    return None


def usage_event(name: str, matches: dict[str, Any], customer: str | None) -> dict[str, str]:
    """``{"event": "visit"}`` for events keyed by the shared customer key (or a repeated
    :func:`named_customer`) without an event column (KKBox's ``user_logs.csv``: a row per
    member and day), else ``{}``."""
    user = matches.get("user_id")
    if name != "events" or "event" in matches or user is None or user.source != customer:
        return {}
    return {"event": CONSTANT_EVENT}


def notes(
    options: dict[str, Any], notes: list[str], found: Sequence[Any], usage: dict[str, str]
) -> None:
    """The constant event of a usage log and the note on day numbers, on a guess's options
    and notes."""
    if usage:
        options["constants"] = {**options.get("constants", {}), **usage}
        notes.append(
            f"no event column: every row is a {usage['event']!r} (a customer's activity on a "
            "day); its other columns are properties. Rename it in constants if you like"
        )
    for m in found:
        if m.timestamp_format == DAY_ORIGIN and options.get("timestamp_format") == DAY_ORIGIN:
            notes.append(day_numbers_note(m.source))


def join_hint(second: Any, kept: Any) -> str:
    """How a second customer file keyed like the kept one (KKBox's ``train.csv``: ``msno``,
    ``is_churn``) adds its columns to ``users``: a ``join`` on the shared key, else ``""``."""
    key = {m.contract: m.source for m in second.matches}.get("user_id")
    if second.table != "users" or key != {m.contract: m.source for m in kept.matches}.get(
        "user_id"
    ):
        return ""
    others = [c for c in second.sample.columns if c != key]
    if not others or second.pattern or second.sample.table or second.sample.sheet:
        return ""
    shown = ", ".join(others[:4]) + (", ..." if len(others) > 4 else "")
    return (
        f"; to add its columns ({shown}) to users, set data.tables.users.join: "
        f"{{file: {second.sample.path.name}, on: {key}}}"
    )
