"""``opsai init``: columns that part of their name maps onto the contract but whose values
say otherwise (byod12a D7, the Kaggle ``hotel_bookings.csv``).

A name part is a weak hint: ``is_repeated_guest`` holds the word ``guest`` (a customer id)
but is a 0/1 flag; ``total_of_special_requests`` holds ``total`` (an amount) but counts
requests, 0 to 5; ``arrival_date_week_number`` holds ``number`` (a quantity) but is the ISO
week of a date. Each is refused as that contract column, so the file is mapped by what is
left (or a sound mapping is proposed beside it).

Example:
    >>> not_as_named("user_id", "is_repeated_guest", ["0", "1", "0"] * 10)
    True
    >>> not_as_named("amount", "total_of_special_requests", ["0", "1", "2", "0"])
    True
    >>> not_as_named("quantity", "arrival_date_week_number", ["27", "27", "53"])
    True
    >>> not_as_named("amount", "order_total", ["12.50", "3.00"])
    False
"""

from __future__ import annotations

import re

from opsai.data._synonyms import name_words

FLAG_WORDS = {"is", "has", "was", "flag", "ist", "hat"}
"""A first word that names a yes/no flag (``is_repeated_guest``, ``has_account``)."""
FLAG_VALUES = {"0", "1", "true", "false", "yes", "no", "y", "n", "t", "f"}
"""Values of a yes/no flag."""
FEW_DISTINCT = 0.01
"""A customer id takes more distinct values than this share of a large sample's rows."""
LARGE_SAMPLE = 1000
"""Sampled values from which :data:`FEW_DISTINCT` applies."""
COUNT_HEADS = {"total", "number", "num", "no", "count", "nb", "nr", "n"}
"""A first word that, followed by ``of``, names a count (``total_of_special_requests``)."""
COUNT_NOUNS = {"requests", "request", "spaces", "nights", "adults", "children", "babies",
               "guests", "visits", "changes", "cancellations", "bookings", "stays", "rooms",
               "persons", "people", "pax", "calls", "tickets", "reviews", "complaints",
               "clicks", "views", "sessions", "logins", "pages", "days", "times"}  # fmt: skip
"""A last word that names what is counted, not money (``required_car_parking_spaces``)."""
SMALL_COUNT = 100
"""A count's values are whole numbers below this."""
CALENDAR_WORDS = {"year", "years", "week", "weeknumber", "weekofyear", "weekday", "quarter",
                  "dayofmonth", "dayofweek", "dayofyear"}  # fmt: skip
"""Words of a column that numbers a date's part, not a quantity (``arrival_date_year``)."""


def _whole(values: list[str]) -> list[int] | None:
    """The values as whole numbers, or None when one is not."""
    out = []
    for v in values:
        m = re.fullmatch(r"\s*(-?\d+)(?:\.0+)?\s*", v)
        if m is None:
            return None
        out.append(int(m.group(1)))
    return out


def flag_or_few(name: str, values: list[str]) -> bool:
    """A 0/1 (yes/no) flag, a column named as one (``is_*``), or one with fewer distinct
    values than 1% of a large sample: no customer id."""
    words = name_words(name)
    if words and words[0] in FLAG_WORDS:
        return True
    distinct = {v.strip().lower() for v in values}
    if len(values) >= 20 and distinct <= FLAG_VALUES:
        return True
    return len(values) >= LARGE_SAMPLE and len(distinct) < FEW_DISTINCT * len(values)


def counted(name: str, values: list[str]) -> bool:
    """A column named as a count (``total_of_*``, ``number_of_*``, ``*_requests``,
    ``*_spaces``) whose values are small whole numbers: no money."""
    words = name_words(name)
    named = (len(words) > 2 and words[0] in COUNT_HEADS and words[1] == "of") or (
        len(words) > 1 and words[-1] in COUNT_NOUNS
    )
    whole = _whole(values)
    return named and whole is not None and all(0 <= x < SMALL_COUNT for x in whole)


def date_part(name: str, values: list[str]) -> bool:
    """A column that numbers a part of a date (``arrival_date_week_number`` 1-53,
    ``arrival_date_day_of_month``, ``arrival_date_year``): whole numbers, no quantity."""
    words = set(name_words(name))
    named = bool(
        words & CALENDAR_WORDS
        or "date" in words
        or {"week", "number"} <= words
        or {"day", "month"} <= words
    )
    return named and _whole(values) is not None


def not_as_named(contract: str, name: str, values: list[str]) -> bool:
    """Whether a column that (part of) its name maps to ``contract`` is refused by its values."""
    if contract == "user_id":
        return flag_or_few(name, values)
    if contract in ("amount", "price"):
        return counted(name, values)
    if contract == "quantity":
        return date_part(name, values)
    return False
