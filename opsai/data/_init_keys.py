"""``opsai init`` on exports whose time column is named by no synonym.

A **day number** (Dunnhumby's ``DAY`` 1..711: a whole-number column named ``day``, ``day_no``,
``days``) is a time counted from a date the export does not give: it is proposed with
``timestamp_format: 'days since 2023-12-31'`` (the placeholder validation also names) and a
note asking for the real day before day 1.

Example:
    >>> day_numbers("DAY", ["1", "132", "364"]), day_numbers("day", ["1", "15", "31"])
    (True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opsai.data import _load
from opsai.data._synonyms import name_words

DAY_ORIGIN = "days since 2023-12-31"
"""The placeholder origin init proposes for day numbers (day 1 is 2024-01-01)."""
_DAY_WORDS = {"day", "days", "tag"}
_DAY_NAME_WORDS = {"day", "days", "tag", "no", "nr", "num", "number", "index", "idx"}
DAY_NUMBERS_MAX = 40_000
"""Day numbers stay below about a century: larger whole numbers are no day count."""


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


def notes(options: dict[str, Any], notes: list[str], found: Sequence[Any]) -> None:
    """The note on day numbers, on a guess's notes."""
    for m in found:
        if m.timestamp_format == DAY_ORIGIN and options.get("timestamp_format") == DAY_ORIGIN:
            notes.append(day_numbers_note(m.source))
