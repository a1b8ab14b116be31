"""``opsai init`` on sales written with the dates down and one column per product across
(Kaggle's pharma sales ``salesdaily.csv``: ``datum, M01AB, M01AE, ..., Year, Month, Hour,
Weekday Name``; every "units by SKU" spreadsheet): read as the long ``demand`` table
``unpivot`` gives, one row per day and product. The transposed orientation of
:mod:`opsai.data._init_wide` (one row per series, one column per period)."""

from __future__ import annotations

import dataclasses
import re
import statistics
from dataclasses import dataclass
from typing import Any

import pandas as pd

from opsai.data import _init_parts, _sniff
from opsai.data._init_template import row_numbers
from opsai.data._sniff import Sample
from opsai.data._synonyms import name_score, name_words
from opsai.data.schema import TABLES

AT_LEAST = 3
"""Product columns that make a dated file wide by product (two are a comparison, not a range)."""
NAMES_TO = "item_id"
VALUES_TO = "units"

_CALENDAR_WORDS = frozenset(
    {
        "year", "yr", "month", "mon", "mth", "week", "wk", "weekday", "wday", "dow", "day",
        "dayofweek", "dayofyear", "doy", "hour", "hr", "minute", "quarter", "qtr", "season",
        "fiscal", "period", "date", "time", "name", "num", "number", "no", "of", "the", "iso",
        "holiday", "weekend", "is", "has", "flag", "open", "closed", "promo", "event",
        "mnth", "workingday", "workday", "businessday", "working",
    }
)  # fmt: skip
"""Words of a calendar part or a day flag (``Year``, ``Weekday Name``, ``is_holiday``, UCI Bike
Sharing's ``mnth`` and ``workingday``): kept beside the date, never a product."""
_WEATHER_STEMS = ("weather", "wind", "humid", "precip", "temperat")
"""Starts of a weather reading's one-word name (UCI's ``weathersit``, ``windspeed``): no product."""
_METRIC_WORDS = frozenset(
    {
        "sessions", "session", "users", "user", "visits", "visitors", "pageviews", "views",
        "orders", "order", "revenue", "sales", "customers", "clicks", "impressions",
        "conversions", "conversion", "rate", "ratio", "avg", "average", "mean", "median",
        "total", "sum", "all", "count", "amount", "spend", "cost", "profit", "margin",
        "tickets", "calls", "bounce", "temperature", "temp", "rain", "precipitation",
        "humidity", "wind", "weather", "index", "share", "pct", "percent", "stock", "price",
        "cpi", "unemployment", "fuel", "oil", "markdown", "discount", "gdp", "inflation",
        "interest", "size", "area", "population", "income", "age", "score", "weight",
        "distance", "duration", "balance", "budget", "target", "forecast", "plan",
        "seconds", "secs", "sec", "minutes", "mins", "hours", "hrs", "days", "csat", "nps",
        "rating", "stars",
    }
)  # fmt: skip
"""Words of a measure of the whole day (``Sessions``, ``Revenue``, ``Total``, ``Temperature``,
Walmart's ``CPI``, ``MarkDown1``): a daily KPI or features sheet, not products. Such columns
are kept beside the date."""
_NOT_SALES_FILES = frozenset(
    {
        "features", "feature", "weather", "calendar", "holidays", "holiday", "events",
        "economics", "macro", "oil", "prices", "price", "promotions", "promo", "kpis", "kpi",
        "traffic", "stock", "inventory", "forecast", "forecasts", "budget", "targets", "plan",
    }
)  # fmt: skip
"""Words of a file name that holds no sales (Walmart's ``features.csv``)."""
_COMPANY = re.compile(
    r".*(\.[a-z]{2,6}|\b(inc|ltd|llc|gmbh|plc|corp|co|ag|ab|sa|bv|nv|oy|as)\.?|:\s*\(.+\))$",
    re.IGNORECASE,
)
"""A company's name (``a.se``, ``Acme Inc``, Google Trends' ``NordicBrew: (Sweden)``): a
market table wide by company, left to :func:`opsai.data._init_wide.wide_market`."""
_GRAINS = (
    ("hourly", 1 / 24),
    ("daily", 1.0),
    ("weekly", 7.0),
    ("monthly", 30.4),
    ("quarterly", 91.3),
)
_PLAIN_NUMBER = re.compile(r"[-+]?\d[\d.,' ]*|[-+]?[.,]\d+")
"""A number as written in a cell, no letter (``B1`` and ``K7`` are codes, not units sold)."""
AT_LEAST_ROWS = 7
"""Dated rows that make a series (two order lines on two days are no sales sheet)."""
_BELOW = re.compile(r"<\s*\d+(\.\d+)?")


@dataclass
class Across:
    """A sample written with dates down and products across."""

    sample: Sample
    date: str
    items: list[str]
    keep: list[str]
    step_days: float | None
    """The median days between the sampled dates (1 daily, 7 weekly, ~30 monthly)."""
    when: pd.Series
    """Each sampled row's date (NaT where unread)."""
    totals: list[str] = dataclasses.field(default_factory=list)
    """Columns holding the sum of two or more product columns (UCI's ``cnt`` = ``casual`` +
    ``registered``): kept beside them, so no unit is counted twice."""
    hour: _init_parts.Parts | None = None
    """The date joined with the hour of the day when each date has a row per hour (UCI Bike
    Sharing's ``hour.csv``: ``dteday`` and ``hr``)."""

    @property
    def by(self) -> str:
        """The rows' time as the notes name it: ``'dteday'``, ``'dteday' + 'hr'``."""
        return " + ".join(repr(c) for c in (self.hour.columns if self.hour else [self.date]))

    @property
    def timestamp(self) -> str:
        """The rows' time as the config maps it: ``dteday``, ``[dteday, hr]``."""
        return f"[{', '.join(self.hour.columns)}]" if self.hour else self.date

    @property
    def grain(self) -> str:
        d = self.step_days
        if d is None:
            return "unknown grain"
        for name, days in _GRAINS:
            if abs(d - days) <= 0.25 * days:
                return name
        return f"every {d:g} days"

    @property
    def regular(self) -> bool:
        """Whether the dates fall on a calendar grain (hours, days, weeks, months, quarters),
        most of them one step apart."""
        d = self.step_days
        if d is None or self.grain.startswith("every"):
            return False
        gaps = (
            self.when.dropna().drop_duplicates().sort_values().diff().dropna().dt.total_seconds()
            / 86400
        )
        return bool(((gaps - d).abs() <= 0.25 * d).mean() >= 0.5)


def _filled(values: list[str | None]) -> list[str]:
    return [v.strip() for v in values if v is not None and v.strip()]


def _fractions(values: list[str | None]) -> bool:
    """Whether every value is a number from 0 to 1 and some are not whole: a reading or a
    share scaled to 0-1 (UCI's normalised ``temp``, ``hum``), never units sold."""
    got = pd.to_numeric(pd.Series(_filled(values)), errors="coerce")
    return bool(len(got) and got.notna().all() and got.between(0, 1).all() and (got % 1).any())


def _totals(sample: Sample, items: list[str]) -> list[str]:
    """The columns of ``items`` equal, on every sampled row, to the sum of two or more of the
    others (a pair of them, or all the others): totals, not products."""
    frame = pd.DataFrame({c: pd.to_numeric(pd.Series(sample.values[c]), errors="coerce")
                          for c in items}).fillna(0.0)  # fmt: skip
    if len(items) < 3 or len(frame) < AT_LEAST_ROWS or not frame.abs().to_numpy().any():
        return []
    out = []
    for c in items:
        rest = [x for x in items if x != c and x not in out]
        sums = [frame[rest].sum(axis=1)] if len(rest) > 2 else []
        if len(rest) <= 30:
            sums += [frame[a] + frame[b] for i, a in enumerate(rest) for b in rest[i + 1 :]]
        if frame[c].abs().sum() and any(((frame[c] - t).abs() <= 1e-6 + 1e-9 * t.abs()).all()
                                        for t in sums):  # fmt: skip
            out.append(c)
    return out


def _dates(values: list[str], fmt: str | None) -> pd.Series:
    """The values as naive timestamps (UTC's wall time for zoned ones), NaT where unread."""
    raw = pd.Series(values)
    if fmt in ("epoch", "epoch_ms"):
        unit = "s" if fmt == "epoch" else "ms"
        return pd.to_datetime(pd.to_numeric(raw, errors="coerce"), unit=unit, errors="coerce")
    if fmt:
        return pd.to_datetime(raw, format=fmt, errors="coerce")
    return pd.to_datetime(raw, errors="coerce", format="mixed", utc=True).dt.tz_convert(None)


def items_across(sample: Sample, at_least_rows: int = AT_LEAST_ROWS) -> Across | None:
    """The products-across reading of ``sample``: exactly one column of dates (not bare
    numbers), one row per date (and store, when a column names one; or per date and hour of
    the day, :func:`opsai.data._init_parts.date_and_hour`), and at least :data:`AT_LEAST` numeric columns that name
    no calendar part or day flag, id, price or other contract column and no measure of the
    whole day (a KPI sheet's ``Sessions, Revenue``), nor companies (a market table: Google
    Trends' ``<1``, shares in ``%``); None otherwise."""
    demand = TABLES["demand"]
    where = " ".join(x for x in (sample.table, sample.sheet, sample.path.stem) if x)
    if set(name_words(where)) & _NOT_SALES_FILES:
        return None
    dates: list[tuple[str, str | None]] = []
    numeric: list[str] = []
    for c in sample.columns:
        vals = _filled(sample.values[c])
        if not vals:
            continue
        plain = sum(bool(_PLAIN_NUMBER.fullmatch(v)) for v in vals) >= 0.9 * len(vals)
        is_number = plain and _sniff.numeric_share(vals, sample.options) >= 0.9
        if is_number:
            numeric.append(c)
            continue
        share, fmt = _sniff.timestamp_format(vals)
        if share >= 0.95:
            dates.append((c, fmt))
    if len(dates) != 1:
        return None
    date, fmt = dates[0]
    got = sample.values[date]
    stores = [c for c in sample.columns if c != date and name_score(c, "store", demand) >= 0.6]
    rows = list(zip(*(sample.values[c] for c in [date, *stores]), strict=True))
    if len(rows) < at_least_rows or any(v is None or not v.strip() for v in got):
        return None
    hour = None
    if len(set(rows)) != len(rows):  # a row per hour of each date, or a long table
        hour = _init_parts.date_and_hour(sample.values, date, set(), fmt)
        hours = sample.values[hour.columns[1]] if hour else []
        if not hour or len(set(zip(hours, rows, strict=True))) != len(rows):
            return None  # a long table (date, product, units): dates repeat (within a store)
    for c in sample.columns:  # a log of records (call_id, order_no): one row per record
        ids = set(name_words(c)) & {"id", "key", "no", "nr", "number", "uuid", "code"}
        vals = _filled(sample.values[c])
        if c != date and ids and len(vals) == len(got) and len(set(vals)) == len(vals):
            return None
    others = [c for c in demand.columns if c.name not in ("quantity", "amount", "item_id")]
    items = []
    for c in numeric:
        if row_numbers(sample.values[c]):
            continue  # an index written with the sheet (0, 1, 2, ...): no product
        words = set(name_words(c))
        if words & (_CALENDAR_WORDS | _METRIC_WORDS) or words & {"id", "key", "code"}:
            continue
        if any(w.startswith(_WEATHER_STEMS) for w in words):
            continue
        if any(name_score(c, o.name, demand) >= 0.6 for o in others):
            continue
        if _fractions(sample.values[c]):
            continue  # UCI's temp, hum, windspeed: readings scaled to 0-1, no units sold
        items.append(c)
    totals = _totals(sample, items)
    items = [c for c in items if c not in totals]
    if len(items) < (2 if totals else AT_LEAST):  # two parts beside their total are a range
        return None
    cells = [v.strip() for c in items for v in _filled(sample.values[c])]
    if any(_COMPANY.fullmatch(c.strip()) for c in items) or any(
        _BELOW.fullmatch(v) or v.endswith("%") for v in cells
    ):
        return None  # companies across: a market table
    if hour:
        when = _dates([v or "" for v in _init_parts.joined(sample.values, hour.columns)],
                      hour.timestamp_format)  # fmt: skip
    else:
        when = _dates([v or "" for v in got], fmt)
    gaps = when.dropna().drop_duplicates().sort_values().diff().dropna().dt.total_seconds() / 86400
    step = round(statistics.median(gaps), 2) if len(gaps) else None
    keep = [c for c in sample.columns if c not in set(items)]
    found = Across(sample, date, items, keep, step, when, totals, hour)
    return found if found.regular else None  # a log at irregular times is no sheet of periods


def long_sample(a: Across) -> Sample:
    """The sample of the long table ``unpivot`` gives: each sampled date's products in turn
    (date by date, so the sample holds every product), up to the sample's size."""
    s = a.sample
    rows = len(s.values[a.date])
    cells = [(i, c) for i in range(rows) for c in a.items][: _sniff.SAMPLE_ROWS]
    values: dict[str, list[str | None]] = {k: [s.values[k][i] for i, _ in cells] for k in a.keep}
    values[NAMES_TO] = [c for _, c in cells]
    values[VALUES_TO] = [s.values[c][i] for i, c in cells]
    return dataclasses.replace(s, values=values)


def unpivot(a: Across) -> dict[str, Any]:
    return {"keep": a.keep, "names_to": NAMES_TO, "values_to": VALUES_TO}


def note(a: Across) -> str:
    shown = ", ".join(a.items[:6]) + (", ..." if len(a.items) > 6 else "")
    total = (
        f"; {', '.join(repr(t) for t in a.totals)} holds their sum (a total, kept beside them "
        "so no unit is counted twice)"
        if a.totals
        else ""
    )
    return (
        f"sales by product across: {a.grain} rows by {a.by} and {len(a.items)} product "
        f"columns ({shown}): unpivoted to one row per {a.by} and product ({NAMES_TO}, "
        f"{VALUES_TO}); {', '.join(repr(k) for k in a.keep if k not in a.by) or 'no column'} "
        f"kept beside them{total}"
    )


def finest(found: list[Across]) -> tuple[list[Across], list[tuple[Across, str]]]:
    """Of files with the same product columns at different grains (``salesdaily``,
    ``salesweekly``, ``salesmonthly``), the finest: the ones kept, and each other one with
    why it is not placed."""
    kept: list[Across] = []
    dropped: list[tuple[Across, str]] = []
    groups: dict[frozenset[str], list[Across]] = {}
    for a in found:
        groups.setdefault(frozenset(a.items), []).append(a)
    for group in groups.values():
        group.sort(key=lambda a: (a.step_days is None, a.step_days or 0.0))
        best = group[0]
        kept.append(best)
        for a in group[1:]:
            n = _sums_of(a, best)
            sums = (
                f"its first {n} whole periods are the sums of {best.sample.label}'s rows (so it adds "
                "nothing)"
                if n
                else "only the finest grain is placed"
            )
            freq = {"daily": "D", "weekly": "W", "monthly": "M"}.get(a.grain)
            to = (
                f"; to forecast by its grain set chapters.04_demand_inventory.parameters.FREQ: "
                f"{freq}"
                if freq
                else ""
            )
            dropped.append(
                (
                    a,
                    f"the same {len(a.items)} product columns as {best.sample.label} at a "
                    f"coarser grain ({a.grain} rows against {best.grain}): {best.sample.label} "
                    f"is placed as demand, and {sums}{to}",
                )
            )
    return kept, dropped


def _numbers(a: Across, rows: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({c: [a.sample.values[c][i] for i in rows.index] for c in a.items})
    return frame.apply(pd.to_numeric, errors="coerce").fillna(0.0)


def _period_sums(
    coarse: Across, fine: Across, c: pd.Series, f: pd.Series, k: int, start: bool
) -> bool:
    """Whether the coarse row at ``c``'s k-th date holds the sums of the fine rows within
    its period (from that date to the next, or from the one before to it)."""
    lo, hi = (c.iloc[k], c.iloc[k + 1]) if start else (c.iloc[k - 1], c.iloc[k])
    inside = f[(f >= lo) & (f < hi)] if start else f[(f > lo) & (f <= hi)]
    if inside.empty or hi > f.max():
        return False
    want = _numbers(coarse, c.iloc[[k]]).iloc[0]
    got = _numbers(fine, inside).sum()
    return bool(((want - got).abs() <= 0.01 * want.abs() + 0.011).all())


def _sums_of(coarse: Across, fine: Across, at_most: int = 4) -> int:
    """How many of the coarse file's first whole periods hold the sums of the fine file's
    rows within them (a period labelled by its first day, as monthly files are, or by its
    last, as weekly ones often are), checked on up to ``at_most``; 0 when any differs."""
    c = coarse.when.dropna().sort_values()
    f = fine.when.dropna()
    if len(c) < 3 or f.empty:
        return 0
    ks = range(1, min(at_most, len(c) - 2) + 1)
    for start in (True, False):
        if ks and all(_period_sums(coarse, fine, c, f, k, start) for k in ks):
            return len(ks)
    return 0


def place(
    samples: list[Sample], said: dict[int, tuple[str, str]], unplaced: list[tuple[str, str]]
) -> list[Sample]:
    """``samples`` with each products-across sample replaced by its long sample (its note
    and the reason to give should it fit no demand table added to ``said``, by the long
    sample's ``id``), the coarser grains of the same products left out (in ``unplaced``)."""
    found = [a for s in samples if id(s) not in said and (a := items_across(s)) is not None]
    groups = {frozenset(a.items) for a in found}
    seen = {id(a.sample) for a in found}
    for s in samples:  # a few months of the same products: short, yet the same sheet
        if id(s) in said or id(s) in seen:
            continue
        if (a := items_across(s, 3)) is not None and frozenset(a.items) in groups:
            found.append(a)
    kept, dropped = finest(found)
    out: dict[int, Sample | None] = {id(a.sample): None for a, _ in dropped}
    unplaced += [(a.sample.label, why) for a, why in dropped]
    for a in kept:
        long = long_sample(a)
        long.options = {**a.sample.options, "unpivot": unpivot(a)}
        out[id(a.sample)] = long
        u = unpivot(a)
        why = (
            f"looks like sales by product across ({len(a.items)} product columns beside "
            f"{a.by}) but does not read as demand: map it as demand with unpivot: "
            f"{{keep: [{', '.join(u['keep'])}], names_to: {NAMES_TO}, values_to: {VALUES_TO}}} "
            f"and columns: {{item_id: {NAMES_TO}, timestamp: {a.timestamp}, quantity: {VALUES_TO}}}"
        )
        said[id(long)] = (note(a), why)
    return [x for s in samples if (x := out.get(id(s), s)) is not None]
