"""``opsai init``: a time split over several columns, proposed as a list of them (byod12a D6,
D8): a POS's date beside its time of day (Maven Roasters' ``transaction_date`` ``1/13/2023``
and ``transaction_time`` ``07:06:11``), a date beside the hour of the day (UCI Bike Sharing's
``dteday`` ``2011-01-01`` and ``hr`` 0..23, byod13a D1), a hotel's arrival written as a year, a month and a
day (hotel_bookings' ``arrival_date_year`` 2016, ``arrival_date_month`` ``July``,
``arrival_date_day_of_month`` 5). The loader joins the parts with a space
(:data:`~opsai.config.PARTS_SEP` keeps the list as one name)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from opsai.config import PARTS_SEP
from opsai.data import _load
from opsai.data._synonyms import name_words

TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*[AaPp]\.?[Mm]\.?)?")
"""A time of day without a date: ``07:06:11``, ``7:06``, ``7:06 PM``."""
_PART = re.compile(r"(?P<prefix>.*?)[\s_.-]*(?P<part>year|month|day_of_month|dayofmonth|day)")
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]  # fmt: skip
_HOUR_WORDS = frozenset({"hour", "hr", "hod", "小时", "时", "stunde", "heure", "hora"})
"""Words of a column that holds the hour of the day (``hr``, ``Hour``, ``hour_of_day``, ``小时``)."""
AT_LEAST = 0.9
"""Share of the sampled rows whose parts must read as one time."""


@dataclass
class Parts:
    """A time proposed from several columns: the parts, their format, a note for the config."""

    columns: list[str]
    timestamp_format: str | None
    note: str

    @property
    def source(self) -> str:
        return PARTS_SEP.join(self.columns)


def joined(values: dict[str, list[str | None]], columns: list[str]) -> list[str | None]:
    """The sampled rows' parts joined with a space as the loader joins them (a row with an
    empty part has none)."""
    rows = zip(*(values[c] for c in columns), strict=True)
    out: list[str | None] = []
    for row in rows:
        parts = [(x or "").strip() for x in row]
        parts = [re.sub(r"^(\d+)\.0+$", r"\1", p) for p in parts]  # 2016.0: a spreadsheet's
        out.append(" ".join(parts) if all(parts) else None)
    return out


def _filled(values: list[str | None]) -> list[str]:
    return [v.strip() for v in values if v is not None and v.strip()]


def _share(values: list[str], test: Callable[[str], bool]) -> float:
    return sum(test(v) for v in values) / len(values) if values else 0.0


def _whole(v: str, lo: int, hi: int) -> bool:
    m = re.fullmatch(r"(\d+)(\.0+)?", v)
    return bool(m) and lo <= int(m.group(1)) <= hi  # type: ignore[union-attr]


def parses(values: list[str], fmt: str) -> float:
    """Share of ``values`` that ``fmt`` reads (DuckDB's strptime, as the loader's)."""
    if not values:
        return 0.0
    sql = "SELECT avg(CASE WHEN try_strptime(v, $2) IS NULL THEN 0 ELSE 1 END) FROM "
    sql += "(SELECT trim(unnest($1)) AS v)"
    return float(_load.scratch().execute(sql, [values, fmt]).fetchall()[0][0] or 0)


def date_and_time(
    values: dict[str, list[str | None]],
    date: str,
    used: set[str],
    fit: Callable[[list[str | None]], tuple[bool, str | None]],
) -> Parts | None:
    """The date column ``date`` (values without a time of day) and a column named as a time
    (``transaction_time``, ``Time``) whose values are times of day, read as one timestamp:
    ``fit`` says whether the joined values read as timestamps, and their format."""
    if date not in values or any(":" in v for v in _filled(values[date])):
        return None  # a nested field (properties.time), or a date with its time already
    words = set(name_words(date)) - {"date", "day"}
    times = [
        c
        for c in values
        if c != date
        and c not in used
        and "time" in name_words(c)
        and _filled(values[c])
        and _share(_filled(values[c]), lambda v: bool(TIME_OF_DAY.fullmatch(v))) >= AT_LEAST
    ]
    times.sort(key=lambda c: not (set(name_words(c)) - {"time"}) <= words)  # same prefix first
    for t in times:
        text = joined(values, [date, t])
        ok, fmt = fit(text)
        if ok:
            example = next((x for x in text if x), "")
            note = (
                f"timestamp: {date!r} and {t!r} (the time of day) joined with a space, "
                f"'{example}'" + (f", read as {fmt!r}" if fmt else "")
            )
            return Parts([date, t], fmt, note)
    return None


def hour_column(values: dict[str, list[str | None]], date: str, used: set[str]) -> str | None:
    """The column beside ``date`` named as the hour of the day (``hr``, ``hour``, ``Hour``,
    ``hour_of_day``, ``小时``; ``pickup_hour`` beside ``pickup_date``) whose values are whole
    hours 0-23, two or more on some date (``hours`` is a duration, not named so; the pharma
    sales' ``Hour`` 20 on every day is when the file was written)."""
    prefix = set(name_words(date)) - {"date", "day"}
    for c in values:
        words = set(name_words(c))
        if c == date or c in used or not words & _HOUR_WORDS:
            continue
        if words - _HOUR_WORDS - {"of", "day"} - prefix:
            continue
        vals = _filled(values[c])
        if not vals or _share(vals, lambda v: _whole(v, 0, 23)) < AT_LEAST:
            continue
        hours: dict[str | None, set[str | None]] = {}
        for d, h in zip(values[date], values[c], strict=True):
            hours.setdefault(d, set()).add(h)
        if any(len(h) > 1 for h in hours.values()):
            return c
    return None


def date_and_hour(
    values: dict[str, list[str | None]], date: str, used: set[str], date_format: str | None
) -> Parts | None:
    """The date column ``date`` (values without a time of day, read as ``date_format``, ISO
    without one) and a column of the hour of the day (:func:`hour_column`), read as one
    timestamp ``'<date_format> %H'``: ``2011-01-01 7`` is 7:00."""
    if date not in values or any(":" in v for v in _filled(values[date])):
        return None
    hour = hour_column(values, date, used)
    if hour is None:
        return None
    text = joined(values, [date, hour])
    fmt = f"{date_format or '%Y-%m-%d'} %H"
    if parses(_filled(text), fmt) < AT_LEAST:
        return None
    example = next((x for x in text if x), "")
    note = (
        f"timestamp: {date!r} and {hour!r} (the hour of the day, 0-23) joined with a space, "
        f"'{example}', read as {fmt!r}"
    )
    return Parts([date, hour], fmt, note)


def year_month_day(values: dict[str, list[str | None]], used: set[str]) -> Parts | None:
    """Columns ``<prefix>_year``, ``<prefix>_month`` and ``<prefix>_day_of_month`` (or
    ``_day``) of years, months (numbers or English names) and days, read as one date."""
    groups: dict[str, dict[str, str]] = {}
    for c in values:
        m = _PART.fullmatch(c.strip().lower())
        if m and c not in used:
            part = "day" if m.group("part") in ("day_of_month", "dayofmonth") else m.group("part")
            have = groups.setdefault(m.group("prefix"), {})
            if part not in have or m.group("part") != "day":  # day_of_month over day
                have[part] = c
    for prefix, cols in groups.items():
        if set(cols) != {"year", "month", "day"}:
            continue
        year, month, day = (_filled(values[cols[k]]) for k in ("year", "month", "day"))
        if not year or _share(year, lambda v: _whole(v, 1900, 2100)) < AT_LEAST:
            continue
        if _share(day, lambda v: _whole(v, 1, 31)) < AT_LEAST:
            continue
        if _share(month, lambda v: _whole(v, 1, 12)) >= AT_LEAST:
            fmt = "%Y %m %d"
        elif _share(month, lambda v: v.lower() in _MONTHS) >= AT_LEAST:
            fmt = "%Y %B %d"
        elif _share(month, lambda v: v.lower() in [n[:3] for n in _MONTHS]) >= AT_LEAST:
            fmt = "%Y %b %d"
        else:
            continue
        columns = [cols["year"], cols["month"], cols["day"]]
        text = joined(values, columns)
        if parses(_filled(text), fmt) < AT_LEAST:
            continue
        example = next((x for x in text if x), "")
        what = f"the {prefix.strip('_ ').replace('_', ' ')}" if prefix.strip("_ ") else "the date"
        note = (
            f"timestamp: {what} from {', '.join(repr(c) for c in columns)} joined with a space, "
            f"'{example}', read as {fmt!r}"
        )
        return Parts(columns, fmt, note)
    return None


def propose(
    values: dict[str, list[str | None]],
    matched: Any,
    used: set[str],
    fit: Callable[[list[str | None]], tuple[bool, str | None]],
) -> Parts | None:
    """The timestamp from several columns for a sample whose timestamp is ``matched`` (a
    :class:`~opsai.data.init.Match` or None), else None. A date beside a time of day joins
    them, and so does a date beside the hour of the day; year, month and day columns are the
    date unless a column named as the time itself (score 1.0: ``order_date``, ``timestamp``)
    is mapped."""
    if matched is not None and PARTS_SEP not in matched.source:
        rest = used - {matched.source}
        pair = date_and_time(values, matched.source, rest, fit) or date_and_hour(
            values, matched.source, rest, matched.timestamp_format
        )
        if pair:
            return pair
    if matched is not None and matched.score >= 1.0:
        return None
    return year_month_day(values, used)
