"""Rows dated after the data's as-of date: a forward book, not history.

A booking calendar (Inside Airbnb's ``calendar.csv``, a hotel's or a venue's reservations)
runs from the export date into the future: its booked days are bookings on the books, which
thin the further ahead they lie. Read as history they look like falling demand. The as-of
date is ``data.as_of`` when the config sets it; else, when a demand or market table starts
after the latest date of the other dated tables (reviews, orders, tickets that end at the
export), that latest date. A table of past and booked days together (a hotel's stays and
reservations) needs ``data.as_of``: its start says nothing. Chapters leave the rows after it out of training, backtests,
shifts and growth, and show them as what is on the books instead.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import pandas as pd

from opsai.data.schema import ITEM_ID, PERIOD, TIMESTAMP

FORWARD_TABLES = {"demand": TIMESTAMP, "market": PERIOD}
"""The tables whose rows can be a forward book, and the column dating them."""


@dataclass(frozen=True)
class AsOf:
    """The as-of date of a table and where it comes from."""

    date: pd.Timestamp
    source: str
    """``"data.as_of"``, or the tables whose latest date it is (``"tickets, events"``)."""
    forward: int
    """The table's rows dated after ``date``."""
    rows: int

    @property
    def all_forward(self) -> bool:
        return self.forward == self.rows


def _span(ws, name: str, col: str) -> tuple[pd.Timestamp, int] | None:
    """The table's first date and its dated rows, computed in the engine; None when the
    column holds period numbers, not dates, or no date."""
    t = ws.table(name)
    kind = t[col].type()
    if not (kind.is_timestamp() or kind.is_date()):
        return None
    got = t.aggregate(lo=t[col].min(), n=t[col].count()).to_pandas().iloc[0]
    if not int(got["n"]):
        return None
    return pd.Timestamp(got["lo"]), int(got["n"])


def latest_other(ws, name: str) -> tuple[pd.Timestamp, list[str]] | None:
    """The latest date of the dated tables other than the demand and market tables, and which
    tables reach it; None without any."""
    found: dict[str, pd.Timestamp] = {}
    for other in ws.present:
        if other == name or other in FORWARD_TABLES or not ws.timed(other):
            continue
        t = ws.table(other)
        last = t[TIMESTAMP].max().to_pandas()
        if last is not None and not pd.isna(last):
            found[other] = pd.Timestamp(last)
    if not found:
        return None
    last = max(found.values())
    return last, [k for k, v in found.items() if v.normalize() == last.normalize()]


_MEMO: weakref.WeakKeyDictionary[Any, dict[str, AsOf | None]] = weakref.WeakKeyDictionary()
""":func:`as_of` per workspace and table: chapters ask several times (00's store summary,
04's book, 06's share of it) and each answer reads every dated table."""


def as_of(ws, name: str) -> AsOf | None:
    """The as-of date after which table ``name``'s rows are a forward book; None when the
    config sets none and the table does not start after the other tables end (a market
    export of years beside a shop's own months is no book). Computed once per workspace."""
    col = FORWARD_TABLES.get(name)
    if col is None or not ws.has(name):
        return None
    memo = _MEMO.setdefault(ws, {})
    if name not in memo:
        memo[name] = _as_of(ws, name, col)
    return memo[name]


def _as_of(ws, name: str, col: str) -> AsOf | None:
    span = _span(ws, name, col)
    if span is None:
        return None
    first, rows = span
    set_ = ws.config.data.as_of
    if set_ is not None:
        date, source = pd.Timestamp(set_), "data.as_of"
    else:
        other = latest_other(ws, name)
        if other is None:
            return None
        date, source = other[0].normalize(), ", ".join(other[1])
    cut = date + pd.Timedelta(days=1)  # the as-of day itself is history
    t = ws.table(name)
    forward = int(t.filter(t[col] >= cut).count().to_pandas())
    if forward == 0 or (set_ is None and first < cut):
        return None  # detected only where the table starts after the others end
    return AsOf(date, source, forward, rows)


def history(frame: pd.DataFrame, at: AsOf | None, col: str = TIMESTAMP) -> pd.DataFrame:
    """``frame``'s rows up to the as-of day (all of them without one)."""
    if at is None:
        return frame
    return frame[frame[col] < at.date + pd.Timedelta(days=1)]


def booked_rate(
    rows: pd.DataFrame, *, by: str | None = None, col: str = TIMESTAMP, freq: str = "M"
) -> pd.DataFrame:
    """Occupancy ahead from a forward book of booked days (one row per item and day booked).

    The capacity of a month is the items seen in the book (per ``by`` group) times its days
    within the book's span, so the first and last months count only the days they hold.
    Returns one row per month (and group): ``booked`` days, ``capacity``, ``rate``.
    """
    d = rows.assign(_m=rows[col].dt.to_period(freq))
    start, end = d[col].min().normalize(), d[col].max().normalize()
    days = pd.Series(pd.date_range(start, end, freq="D")).dt.to_period(freq).value_counts()
    if by is None:
        booked = d.groupby("_m").size().reindex(days.index.sort_values(), fill_value=0)
        out = booked.rename("booked").rename_axis("month").reset_index()
        out["capacity"] = out["month"].map(days) * d[ITEM_ID].nunique()
    else:  # every group in every month: a month without a booking is 0% booked
        items = d.groupby(by, observed=True)[ITEM_ID].nunique()
        grid = pd.MultiIndex.from_product(
            [items.index, days.index.sort_values()], names=[by, "month"]
        )
        out = d.groupby([by, "_m"], observed=True).size().reindex(grid, fill_value=0)
        out = out.rename("booked").reset_index()
        out["capacity"] = out["month"].map(days) * out[by].map(items)
    out["rate"] = out["booked"] / out["capacity"]
    return out
