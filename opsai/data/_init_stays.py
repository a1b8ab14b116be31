"""``opsai init`` on a hotel's bookings without a customer or a booking total (the Kaggle
``hotel_bookings.csv``: ``adr``, ``stays_in_weekend_nights``, ``stays_in_week_nights``,
``is_canceled``, ``reservation_status_date``; byod12a D7).

Its revenue is the average daily rate times the nights, and the nights are split over two
columns. The file is proposed as ``demand``: the nights columns unpivoted into ``nights``
(one row per booking and kind of night), ``quantity: nights`` (room nights), ``price: adr``,
so that revenue is adr x nights; the hotel is the item, cancelled bookings are left out.
Per-booking figures (orders, the average booking value, customers) need a booking total and
a guest id, which the file lacks: a note says so.

Example:
    >>> rate_column(["hotel", "adr", "lead_time"])
    'adr'
    >>> night_columns(["stays_in_weekend_nights", "stays_in_week_nights", "adults"])
    ['stays_in_weekend_nights', 'stays_in_week_nights']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from opsai.data._synonyms import fold, name_words

RATE_NAMES = {"adr", "average_daily_rate", "avg_daily_rate", "daily_rate", "nightly_rate",
              "rate_per_night", "price_per_night", "room_rate", "night_rate"}  # fmt: skip
"""Names of a night's price (``adr``: the average daily rate)."""
NIGHT_NAMES = {"nights", "length_of_stay", "los", "stay_length", "number_of_nights", "num_nights"}
"""Names of one column holding the nights of a stay."""
PROPERTY_WORDS = {"hotel", "property", "listing", "resort"}
"""Words of the column naming the hotel (the item whose nights are sold)."""
CANCEL_NAMES = {"iscanceled", "iscancelled", "canceled", "cancelled"}
"""Folded names of a 0/1 column marking cancelled bookings (``is_canceled``)."""
NIGHTS_TO = "nights"
"""The unpivoted nights column."""


@dataclass
class Stays:
    """The demand mapping of a bookings file and what it says."""

    columns: dict[str, str]
    options: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def rate_column(columns: list[str]) -> str | None:
    """The column of a night's price (``adr``), or None."""
    return next((c for c in columns if fold(c) in RATE_NAMES), None)


def night_columns(columns: list[str]) -> list[str]:
    """One column of nights (``nights``), or the columns that split them (``stays_in_weekend_nights``,
    ``stays_in_week_nights``); empty when there are none."""
    one = [c for c in columns if fold(c) in NIGHT_NAMES]
    if one:
        return one[:1]
    return [c for c in columns if name_words(c)[-1:] == ["nights"] and len(name_words(c)) > 1]


def _whole(values: list[str]) -> bool:
    return bool(values) and all(re.fullmatch(r"\d+(\.0+)?", v) for v in values)


def bookings(
    columns: list[str],
    values: dict[str, list[str]],
    time: str | None,
    time_format: str | None,
    negative_rates: int = 0,
    arrival: str = "",
) -> Stays | None:
    """A bookings file's demand mapping (see the module), or None when ``columns`` hold no
    night's price, no nights or no time (``time``: the first column read as one;
    ``negative_rates``: the file's rows with a negative rate, left out by ``where``;
    ``arrival``: the note of a time read from the arrival's year, month and day columns)."""
    rate = rate_column(columns)
    nights = night_columns(columns)
    if rate is None or not nights or time is None:
        return None
    if not all(_whole(values.get(c, [])) for c in nights):
        return None
    item = next((c for c in columns if set(name_words(c)) & PROPERTY_WORDS and c != rate), None)
    cols = {"timestamp": time, "quantity": NIGHTS_TO if len(nights) > 1 else nights[0],
            "price": rate}  # fmt: skip
    options: dict[str, Any] = {}
    if time_format:
        options["timestamp_format"] = time_format
    if len(nights) > 1:
        options["unpivot"] = {"columns": nights, "names_to": "night_type", "values_to": NIGHTS_TO}
    if item:
        cols = {"item_id": item, **cols}
    else:
        options["constants"] = {"item_id": "rooms"}
    cancel = next((c for c in columns if fold(c) in CANCEL_NAMES), None)
    keep = []
    if cancel and set(values.get(cancel, [])) <= {"0", "1"}:
        keep.append(f"{_sql(cancel)} = 0")
    if negative_rates:
        keep.append("price >= 0")
    if keep:
        options["where"] = " AND ".join(keep)
    nights_said = " + ".join(repr(c) for c in nights)
    per = f" per {item!r}" if item else ""
    split = (
        ", the nights columns unpivoted into 'nights' (one row per booking and kind of night)"
        if len(nights) > 1
        else ""
    )
    notes = [
        f"a hotel's bookings: no guest id and no booking total, so no orders; revenue is "
        f"{rate!r} (the price of a night) x nights ({nights_said}): demand counts the room "
        f"nights{per}, each priced at {rate!r}{split}",
        arrival
        or f"{time!r} is the timestamp: to follow arrivals instead, map the arrival date (a "
        "date split over year, month and day columns is a list: timestamp: [year, month, day])",
    ]
    if cancel and keep and keep[0].startswith(_sql(cancel)):
        notes.append(f"where leaves out the cancelled bookings ({cancel!r} = 1): no nights sold")
    if negative_rates:
        notes.append(
            f"{rate!r} is negative on {negative_rates:,} row(s) of the file (corrections?): "
            "where leaves them out"
        )
    return Stays(cols, options, notes)


def _sql(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_]\w*", name) else '"' + name.replace('"', '""') + '"'
