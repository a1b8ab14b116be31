"""``opsai init`` on wide sales: one row per series (item x store), one column per period
(M5's ``d_1 .. d_1913`` beside ``calendar.csv``, or dates as headers), read as the long
``demand`` table it becomes with ``unpivot`` (and a ``join`` of the calendar that names the
periods' dates, and of a price file keyed by the series and a calendar column)."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from opsai.config import join_label
from opsai.data import _sniff
from opsai.data._sniff import Sample

WIDE_AT_LEAST = 20
"""Period columns that make a table wide (a year of months has 12: a wide market table of
competitors is left to ``market``)."""
_NUMBERED = re.compile(r"([A-Za-z]+)[_\-]?(\d+)")
"""A period column named by a prefix and its number: ``d_1``, ``day12``, ``wk-3``."""
VALUES_TO = "units"
"""The name of the unpivoted values (a quantity by its name)."""


@dataclass
class Wide:
    """A wide sample's period columns and the columns kept beside them."""

    sample: Sample
    periods: list[str]
    keep: list[str]
    dated: bool
    """The period names are dates themselves (``2011-01-29``)."""


def wide_periods(sample: Sample) -> Wide | None:
    """The wide reading of ``sample``: at least :data:`WIDE_AT_LEAST` columns named by one
    prefix and a number (``d_1``..) or by dates, most of the columns, holding numbers."""
    names = sample.columns
    if len(names) < WIDE_AT_LEAST:
        return None
    numbered = [(m.group(1), c) for c in names if (m := _NUMBERED.fullmatch(c))]
    prefix, n = Counter(p for p, _ in numbered).most_common(1)[0] if numbered else ("", 0)
    periods = [c for p, c in numbered if p == prefix] if n >= WIDE_AT_LEAST else []
    dated = False
    if not periods:
        dates = [c for c in names if _iso_date(c)]
        if len(dates) >= WIDE_AT_LEAST:
            periods, dated = dates, True
    if len(periods) < max(WIDE_AT_LEAST, len(names) / 2):
        return None
    probe = [v for c in periods[:20] for v in sample.values[c] if v not in (None, "")]
    if not probe or _sniff.numeric_share(probe, sample.options) < 0.9:
        return None
    keep = [c for c in names if c not in set(periods)]
    return Wide(sample, periods, keep, dated)


def _iso_date(name: str) -> bool:
    """A column named by an ISO date (``2011-01-29``), as DuckDB reads it."""
    try:
        datetime.date.fromisoformat(name.strip())
    except ValueError:
        return False
    return len(name.strip()) == 10


def long_sample(
    wide: Wide, names_to: str, joined: list[tuple[Sample, list[str], list[str]]]
) -> Sample:
    """The sample of the long table ``unpivot`` gives (every series at each period, then the
    next period, up to the sample's size), with each joined sample's other columns added by its
    key (``joined``: the sample, this table's key columns, its own key columns)."""
    w = wide.sample
    rows = len(next(iter(w.values.values()), []))
    cells = [(i, c) for c in wide.periods for i in range(rows)][: _sniff.SAMPLE_ROWS]
    values: dict[str, list[str | None]] = {k: [w.values[k][i] for i, _ in cells] for k in wide.keep}
    values[names_to] = [c for _, c in cells]
    values[VALUES_TO] = [w.values[c][i] for i, c in cells]
    for other, mine, theirs in joined:
        index: dict[tuple[str | None, ...], int] = {}
        n = len(next(iter(other.values.values()), []))
        for r in range(n):
            index.setdefault(tuple(other.values[t][r] for t in theirs), r)
        at = [index.get(tuple(values[m][j] for m in mine)) for j in range(len(cells))]
        for c, col in other.values.items():
            if c in theirs:
                continue
            name = c if c not in values else f"{c}_{join_label(other.path.name, other.table)}"
            values[name] = [None if r is None else col[r] for r in at]
    return dataclasses.replace(w, values=values)


def calendar_for(wide: Wide, others: list[Sample]) -> tuple[Sample, str] | None:
    """A sample with a column holding the period names (M5's ``calendar.csv``: ``d`` ->
    ``date``), one row each: the sample and that column."""
    want = set(wide.periods)
    for s in others:
        for c, vals in s.values.items():
            got = [v for v in vals if v]
            if got and len(set(got)) == len(got) and len(want & set(got)) >= 0.9 * len(want):
                return s, c
    return None


def price_file(
    have: list[str], others: list[Sample], is_price: dict[int, str]
) -> tuple[Sample, list[str]] | None:
    """A sample keyed by two or more of the long table's columns (``store_id, item_id,
    wm_yr_wk``), one row per key in the sample, holding a price column (``is_price``: a
    sample's id -> its price column): the sample and its key."""
    for s in others:
        if id(s) not in is_price:
            continue
        key = [c for c in s.columns if c in have]
        if len(key) < 2 or len([c for c in s.columns if c not in key]) > 3:
            continue
        n = len(next(iter(s.values.values()), []))
        combos = {tuple(s.values[k][r] for k in key) for r in range(n)}
        if len(combos) == n:
            return s, key
    return None


_MONTH_HEADERS = ("%b %Y", "%B %Y", "%b-%y", "%b %y", "%Y-%m", "%m/%Y", "%Y-%m-%d", "%Y")
"""Period headers of an analyst's sheet (SimilarWeb's ``Jan 2024``, Euromonitor's and
Statista's years ``2018``), as strptime reads them."""
_BELOW = re.compile(r"<\s*\d+(\.\d+)?")
"""Google Trends' ``<1``: interest above 0 and below 1."""
NA_MARKERS = ("-", "–", "—", "n/a", "N/A", "n.a.", "na", "NA", "..", "k.A.", "x")
"""A source's own marker of a figure not available (Euromonitor's ``-``, Eurostat's ``..``,
German ``k.A.``): set aside like ``<1`` and proposed as ``na_values``."""
_FORECAST = re.compile(r"((?:19|20)\d\d)\s*[FEfe]")
"""A year column of the source's own forecast or estimate (``2025F``, ``2026E``)."""
_GEO = re.compile(r"^(.+?):\s*\((.+)\)$")
"""Google Trends' term with its region: ``NordicBrew: (Sweden)``."""


@dataclass
class WideMarket:
    """A market table written wide: one column per company (Google Trends' ``Week,
    NordicBrew: (Sweden), …``) or per period (SimilarWeb's ``Domain, Jan 2024, …``)."""

    keep: str
    """The one column kept: the period (``Week``) or the company (``Domain``)."""
    wide: list[str]
    names_to: str
    values_to: str
    timestamp_format: str | None
    na_values: list[str]
    note: str
    left_out: list[str] = dataclasses.field(default_factory=list)
    """Columns beside the kept one and the period columns: other labels of the company
    (Euromonitor's ``Brand owner``) and the source's forecast years (``2025F``), left as they
    are (``unpivot: columns`` then names the period columns)."""


def _header_format(names: list[str]) -> str | None:
    for fmt in _MONTH_HEADERS:
        try:
            for n in names:
                datetime.datetime.strptime(n.strip(), fmt)
        except ValueError:
            continue
        return fmt
    return None


def wide_market(sample: Sample, is_time: dict[str, bool]) -> WideMarket | None:
    """The wide market reading of ``sample``: one kept column and at least two (companies) or
    three (periods) numeric columns, every other column; None otherwise. ``is_time`` says
    which columns read as times (by their values)."""
    names = sample.columns
    if len(names) < 3:
        return None

    def numeric(c: str) -> tuple[bool, list[str]]:
        vals = [v.strip() for v in sample.values[c] if v not in (None, "") and v.strip()]
        below = sorted({v for v in vals if _BELOW.fullmatch(v) or v in NA_MARKERS})
        rest = [v for v in vals if v not in below]
        return bool(rest) and _sniff.numeric_share(rest, sample.options) >= 0.9, below

    first, others = names[0], names[1:]
    by_year = _by_year(sample, first, others, numeric)
    if by_year is not None:
        return by_year
    read = {c: numeric(c) for c in others}
    if not all(ok for ok, _ in read.values()):
        return None
    pct = all(str(v).strip().endswith("%") for c in others for v in sample.values[c][:20] if v)
    below = sorted({b for _, bs in read.values() for b in bs})
    fmt = _header_format(others)
    if fmt is not None and len(others) >= 3 and not is_time.get(first):
        values_to = "share" if pct else "sales"
        note = (
            f"a market table wide by period: {len(others)} period columns ({others[0]} .. "
            f"{others[-1]}) beside {first!r}: unpivoted to one row per company and period "
            f"(period, {values_to})"
        )
        return WideMarket(first, others, "period", values_to, fmt, below, note)
    if is_time.get(first) and len(others) >= 2 and _header_format(others[:1]) is None:
        geo = [m for c in others if (m := _GEO.fullmatch(c))]
        values_to = "share" if pct else ("interest" if geo or below else "sales")
        note = (
            f"a market table wide by company: {len(others)} company columns beside {first!r}: "
            f"unpivoted to one row per period and company (company, {values_to})"
        )
        if below:
            note += (
                f"; {', '.join(below)} (below the smallest figure shown) read as missing "
                "(na_values)"
            )
        if geo and len(geo) == len(others):
            note += (
                f"; the companies are named with their region ({others[0]!r}), and so is "
                "every finding; the chapter finds the config's company in such a name (its "
                "first word), or set chapters.06_market_competition.parameters.COMPANY: "
                f"{others[0]!r}"
            )
        return WideMarket(first, others, "company", values_to, None, below, note)
    return None


def _by_year(
    sample: Sample,
    first: str,
    others: list[str],
    numeric: Callable[[str], tuple[bool, list[str]]],
) -> WideMarket | None:
    """An annual export wide by year (Euromonitor's ``Company, Brand owner, 2018 .. 2024,
    2025F .. 2028F``; Statista's ``Company, 2018, ...``): a text first column, consecutive year
    columns holding numbers (``-`` as missing), one row per company, other text columns and
    forecast years left out. ``None`` unless some column besides the first and the years is there (a plain
    ``Company, 2018, ...`` is read as any period header)."""
    years = [c for c in others if re.fullmatch(r"(?:19|20)\d\d", c.strip())]
    forecast = [c for c in others if _FORECAST.fullmatch(c.strip())]
    extra = [c for c in others if c not in years and c not in forecast]
    if len(years) < 3 or not (forecast or extra):
        return None
    if any(int(b) - int(a) != 1 for a, b in itertools.pairwise(years)):
        return None
    read = {c: numeric(c) for c in years}
    if not all(ok for ok, _ in read.values()) or numeric(first)[0]:
        return None
    names = [v.strip() for v in sample.values[first] if v and v.strip()]
    if len(set(names)) < max(2, len(names)):
        return None  # one row per company; a market-size sheet repeats its Geography
    if any(numeric(c)[0] for c in extra):
        return None  # another figure beside the years: not one company's row
    pct = all(str(v).strip().endswith("%") for c in years for v in sample.values[c][:20] if v)
    values_to = "share" if pct else "sales"
    na = sorted({b for _, bs in read.values() for b in bs})
    note = (
        f"a market table wide by year: {len(years)} year columns ({years[0]} .. {years[-1]}) "
        f"beside {first!r}: unpivoted to one row per company and year (period, {values_to}; "
        "each year's 1 January)"
    )
    if extra:
        note += f"; {', '.join(map(repr, extra))} kept as attributes"
    if forecast:
        note += (
            f"; {', '.join(forecast)} are the source's own forecast, left out of the periods "
            "(kept as attributes of each row)"
        )
    if na:
        note += f"; {', '.join(map(repr, na))} read as missing (na_values)"
    return WideMarket(first, years, "period", values_to, "%Y", na, note, [*extra, *forecast])


def long_market(wide: WideMarket, sample: Sample) -> Sample:
    """The sample of the long market table ``unpivot`` gives (each kept row at each wide
    column, up to the sample's size)."""
    w = Wide(sample, wide.wide, [wide.keep], False)
    long = long_sample(w, wide.names_to, [])
    values = dict(long.values)
    values[wide.values_to] = values.pop(VALUES_TO)
    return dataclasses.replace(long, values=values)
