"""``opsai init``: a file of days with an event or holiday column becomes the ``calendar`` table.

M5's ``calendar.csv`` (``date, wm_yr_wk, ..., d, event_name_1, event_type_1, ...``) runs past
the sales' last day: placed as the calendar (``timestamp: date, event_day: event_name_1``),
its coming event days reach chapter 04's forecast (byod9a D6). The file may also be joined
to a wide sales table for its dates; the calendar reads it once more, on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opsai.data._synonyms import name_score
from opsai.data.schema import EVENT_DAY, TABLES, TIMESTAMP, fold_name

if TYPE_CHECKING:
    from opsai.data._sniff import Sample
    from opsai.data.init import Guess

EVENT_WORDS = ("event", "holiday", "feiertag", "festivo", "ferie", "festival")
"""Folded words of a column that names event or holiday days."""
MIN_DAYS = 28
"""Fewest distinct days a calendar file has."""
DAY_SHARE = 0.9
"""Share of its rows whose day is distinct: one row per day (a few repeat: two events)."""


def _event_column(sample: Sample, cols: dict[str, Any]) -> str | None:
    """The column naming event days: a text column named as an event or holiday, set on
    some rows and empty on most (an ordinary day), ``event_name_1`` before ``event_type_1``."""
    found = []
    for src, v in cols.items():
        key = fold_name(src)
        rows = len(sample.values.get(src, []))
        if not any(w in key for w in EVENT_WORDS) or not v.values or v.numeric > 0.5:
            continue
        if len(v.values) < 0.5 * rows:
            found.append(src)
    return min(found, key=lambda c: ("name" not in fold_name(c), found.index(c)), default=None)


def calendar_guess(sample: Sample, cols: dict[str, Any]) -> Guess | None:
    """``sample`` read as the calendar table, or ``None``: one row per day (at least
    :data:`MIN_DAYS`) and an event or holiday column set on under half of them."""
    from opsai.data.init import Guess, Match, values_fit

    table = TABLES["calendar"]
    event = _event_column(sample, cols)
    if event is None:
        return None
    days = []
    for src, v in cols.items():
        ok, fmt = values_fit(v, table.column(TIMESTAMP), table)
        named = name_score(src, TIMESTAMP, table)
        if ok and v.numeric < 0.5 and v.distinct >= max(MIN_DAYS, DAY_SHARE * len(v.values)):
            days.append((named, src, fmt))
    if not days:
        return None
    named, day, fmt = max(days, key=lambda d: d[0])
    matches = [Match(TIMESTAMP, day, max(named, 0.6), fmt), Match(EVENT_DAY, event, 1.0)]
    note = (
        f"a calendar: one row per {day}, {event} names the event days (empty: an ordinary "
        "day); chapter 04 reads its coming ones in the forecast beyond the sales' last day"
    )
    return Guess("calendar", sample, matches, 2.0, notes=[note])


def place(
    samples: list[Sample], profile: Any, kept: dict[str, Guess], unplaced: list[tuple[str, str]]
) -> None:
    """Adds the first of ``samples`` that :func:`calendar_guess` reads as a calendar to
    ``kept`` (unless one is there), and drops it from ``unplaced``."""
    if "calendar" in kept:
        return
    for s in samples:
        if any(g.sample is s for g in kept.values()):
            continue  # placed as a table of its own (a join only reads it)
        g = calendar_guess(s, profile(s))
        if g is not None:
            kept["calendar"] = g
            unplaced[:] = [u for u in unplaced if u[0] != s.label]
            return
