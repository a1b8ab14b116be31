"""``opsai init``: campaign targeting files placed as the ``campaigns`` table (byod10a D5).

A targeting export (Dunnhumby's ``campaign_table.csv``: DESCRIPTION, household_key, CAMPAIGN)
holds a customer key and a campaign key, a customer on as many rows as campaigns; it fits no
other table (it has no time). Its windows usually live in a second file keyed by the campaign
(``campaign_desc.csv``: DESCRIPTION, CAMPAIGN, START_DAY, END_DAY), joined on that key. Day
numbers (``START_DAY``) take the orders' ``timestamp_format`` when the orders count days too
(Dunnhumby's ``DAY``), so campaign and purchase days line up.

Example:
    >>> is_campaign_key("CAMPAIGN"), is_campaign_key("campaign_id"), is_campaign_key("camp")
    (True, True, False)
    >>> window_column(["DESCRIPTION", "START_DAY", "END_DAY"], "end")
    'END_DAY'
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from opsai.data._synonyms import fold, name_score
from opsai.data.schema import TABLES

if TYPE_CHECKING:
    from opsai.data import _sniff
    from opsai.data.init import Guess

_KEY = re.compile(r"^(campaign|promotion|promo|mailing|treatment)(id|key|code|no|number|name)?$")
_WINDOW = {
    "start": ("start", "begin", "from", "launch", "sent"),
    "end": ("end", "stop", "until", "to", "finish"),
}
_TYPE = ("type", "kind", "description", "desc", "channel", "category")
_DAYS = re.compile(r"-?\d{1,5}")


def is_campaign_key(name: str) -> bool:
    """Whether a column is named as a campaign key (``CAMPAIGN``, ``campaign_id``)."""
    return _KEY.fullmatch(fold(name)) is not None


def window_column(columns: list[str], which: str) -> str | None:
    """The column named as a campaign's ``start`` or ``end`` (``START_DAY``, ``end_date``)."""
    for c in columns:
        words = re.split(r"[^a-z]+", str(c).lower())
        if any(w in _WINDOW[which] for w in words if w) and not is_campaign_key(c):
            return c
    return None


def _desc_key(d: _sniff.Sample) -> str | None:
    """A campaign file's key: a column named as a campaign key, unique over its rows (one row
    per campaign: ``campaign_desc.csv``'s ``CAMPAIGN``)."""
    for c in d.columns:
        vals = [v for v in d.values.get(c, []) if v]
        if is_campaign_key(c) and vals and len(set(vals)) == len(vals):
            return c
    return None


def _bare(s: _sniff.Sample, user: str, key: str) -> bool:
    """Whether a file holds nothing but a customer, a campaign and the campaign's window or
    kind: targeting where each customer is in one campaign (placed as users by its unique
    customer key), not a customer file."""
    rest = [c for c in s.columns if c not in (user, key)]
    kinds = [c for c in rest if any(w in fold(c) for w in _TYPE)]
    windows = [window_column([c], w) for c in rest for w in ("start", "end")]
    return len(rest) <= 3 and all(c in kinds or c in windows for c in rest)


def _user_key(s: _sniff.Sample, known: set[str]) -> str | None:
    """The targeting file's customer column: named as the placed tables' customer key, or a
    customer id by name."""
    users = TABLES["campaigns"]
    return next(
        (c for c in s.columns if c in known or name_score(c, "user_id", users) >= 0.8), None
    )


def _fmt(values: list[str | None], orders_fmt: str | None) -> tuple[str | None, str]:
    """The window columns' ``timestamp_format`` and a note: day numbers take the orders'
    counted format; dates get the format their text needs."""
    from opsai.data import _sniff

    vals = [v.strip() for v in values if v and v.strip()]
    if vals and all(_DAYS.fullmatch(v) for v in vals):
        if orders_fmt and " since " in orders_fmt:
            return orders_fmt, f"day numbers, read as the orders' {orders_fmt!r}"
        return "days since 2023-12-31", (
            "day numbers: read as 'days since 2023-12-31', a placeholder: set timestamp_format "
            "to 'days since <the day before day 1>'"
        )
    return _sniff.timestamp_format(vals)[1], ""


def place(
    kept: dict[str, Guess], loose: list[_sniff.Sample], unplaced: list[tuple[str, str]]
) -> None:
    """Place a loose targeting file (a customer key and a campaign key, the campaign repeated
    over rows) as ``campaigns``, its start and end from its own columns or from a loose file
    keyed by the campaign (joined on it); both files leave ``unplaced``. A targeting file
    without any window gets a note there instead."""
    from opsai.config import join_label
    from opsai.data.init import Guess, Match, _join_entry

    if "campaigns" in kept:
        return
    known = {m.source for g in kept.values() for m in g.matches if m.contract == "user_id"}
    users = kept.get("users")
    for s in [*loose, *([users.sample] if users is not None else [])]:
        user = _user_key(s, known)
        key = next((c for c in s.columns if is_campaign_key(c)), None)
        if user is None or key is None:
            continue
        if users is not None and s is users.sample and not _bare(s, user, key):
            continue  # a customer file with a campaign among its attributes (utm_campaign)
        keys = [v for v in s.values.get(key, []) if v]
        if len(set(keys)) == len(keys):  # one row per campaign: a description, not targeting
            continue
        start, end = window_column(s.columns, "start"), window_column(s.columns, "end")
        options: dict[str, Any] = {}
        source, desc = s, None
        if start is None or end is None:
            desc = next(
                (
                    d
                    for d in loose
                    if d is not s
                    and _desc_key(d) is not None
                    and window_column(d.columns, "start")
                    and window_column(d.columns, "end")
                ),
                None,
            )
            if desc is None:
                unplaced[:] = [
                    (lab, why) if lab != s.label else (lab, why + _NO_WINDOW.format(user, key))
                    for lab, why in unplaced
                ]
                continue
            start, end = window_column(desc.columns, "start"), window_column(desc.columns, "end")
            theirs = _desc_key(desc)
            assert theirs is not None
            options["join"] = [_join_entry(desc, key if theirs == key else {key: theirs})]
            source = desc
        assert start is not None and end is not None
        orders = kept.get("orders")
        fmt, note = _fmt(
            source.values.get(start, []) + source.values.get(end, []),
            orders.options.get("timestamp_format") if orders else None,
        )
        if fmt:
            options["timestamp_format"] = fmt
        label = join_label(None if source.table else source.path.name, source.table)
        if source is not s:  # a name the targeting file has too comes with the join's label
            start, end = (c if c not in s.values else f"{c}_{label}" for c in (start, end))
        matches = [
            Match("user_id", user, 1.0),
            Match("campaign", key, 1.0),
            Match("start", start, 0.8, fmt),
            Match("end", end, 0.8, fmt),
        ]
        kind = next(
            (
                c
                for c in s.columns
                if c not in (user, key) and any(w in fold(c) for w in _TYPE)
                and 0 < len({v for v in s.values[c] if v}) <= 20
            ),
            None,
        )  # fmt: skip
        if kind is not None:
            matches.append(Match("type", kind, 0.6))
        notes = [
            f"campaign targeting: one row per customer ({user!r}) and campaign ({key!r})"
            + (f"; start and end from {desc.label}, joined on the campaign key" if desc else "")
            + (f"; {note}" if note else "")
            + ". Chapter 03a measures each campaign's uplift"
        ]
        kept["campaigns"] = Guess("campaigns", s, matches, 3.0, options, notes)
        if users is not None and s is users.sample:  # each customer in one campaign: no users
            del kept["users"]
        done = {s.label, *([desc.label] if desc else [])}
        unplaced[:] = [u for u in unplaced if u[0] not in done]
        return


_NO_WINDOW = (
    "; it looks like campaign targeting ({!r} and {!r}) but no file gives the campaigns' start "
    "and end: add data.tables.campaigns with start and end (see the README's data contract)"
)
