"""``opsai init`` on pre-aggregated sales (the demand table): a sales column in money, a
holiday flag, and the side files keyed by the demand's store and date.

Walmart's Kaggle folder (byod11b D3): ``train.csv`` (Store, Dept, Date, Weekly_Sales in
dollars, IsHoliday), ``features.csv`` (Store, Date, Temperature, MarkDown1..5, CPI, IsHoliday)
and ``stores.csv`` (Store, Type, Size). ``Weekly_Sales`` is the demand's ``amount`` (money
written in cents, named as sales, no quantity beside it), ``IsHoliday`` its ``event_day``, and
the two side files are joined on the columns they share with it.

Example:
    >>> money_column("Weekly_Sales", ["17386.9", "19805.69", "-139.5"])
    True
    >>> money_column("units_sold", ["1.5", "2.25"])
    False
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from opsai.data import _load
from opsai.data._synonyms import fold, name_words
from opsai.data.schema import FLAG_FALSE, FLAG_TRUE, NO_EVENT
from opsai.errors import OpsaiError

SALES_WORDS = {"sales", "sale", "revenue", "turnover", "umsatz", "receipts", "takings"}
"""Words of a sales column that may hold money (``Weekly_Sales``, ``revenue``)."""
UNIT_WORDS = {"unit", "units", "qty", "quantity", "quantities", "volume", "sold", "pieces",
              "pcs", "count", "absatz", "menge", "kg", "litres", "liters", "cases"}  # fmt: skip
"""Words of a sales column that counts units (Favorita's ``unit_sales``, ``units_sold``)."""
CENTS_SHARE = 0.2
"""Share of sampled non-zero values with a fraction (cents) that makes a sales column money."""
EVENT_WORDS = {"holiday", "holidays", "isholiday", "event", "events", "feiertag", "节假日"}
"""Words of a column that marks event or holiday days (``IsHoliday``, ``StateHoliday``)."""
EVENT_SHARE = 0.5
"""An event column marks at most this share of the sampled rows as events."""


def money_column(name: str, values: Sequence[str]) -> bool:
    """Whether a demand column mapped as the quantity is money: named as sales or revenue
    (no unit word), with cents on at least :data:`CENTS_SHARE` of its non-zero values."""
    words = set(name_words(name)) | {fold(name)}
    if not words & SALES_WORDS or words & UNIT_WORDS:
        return False
    nums = [x for x in (_number(v) for v in values) if x]
    if not nums:
        return False
    cents = sum(abs(x - round(x)) > 1e-9 for x in nums)
    return cents >= CENTS_SHARE * len(nums)


def event_column(columns: dict[str, Sequence[str]], used: set[str]) -> str | None:
    """The column marking event or holiday days: named holiday or event, its values yes/no
    flags or labels beside an ordinary-day value (``0``, empty, ``False``) on most rows. Among
    several the first (Rossmann's StateHoliday before SchoolHoliday, M5's event_name_1)."""
    for c, values in columns.items():
        words = set(name_words(c)) | {fold(c)}
        if c in used or not words & EVENT_WORDS:
            continue
        vals = [(v or "").strip().lower() for v in values]
        if not vals:
            continue
        marked = sum(v not in ("", *NO_EVENT) for v in vals)
        flags = {v for v in vals if v} <= {*FLAG_TRUE, *FLAG_FALSE, "0", "1", "0.0", "1.0"}
        labels = len({v for v in vals if v not in ("", *NO_EVENT)}) <= max(20, len(vals) // 10)
        if marked <= EVENT_SHARE * len(vals) and (flags or labels):
            return c
    return None


def shared_keys(
    demand: dict[str, Sequence[str | None]],
    keys: Sequence[str],
    side: dict[str, Sequence[str | None]],
) -> list[str] | None:
    """The columns of a side file (Walmart's ``features.csv``) it shares by name with the
    demand's key columns ``keys`` (its store, date, item source columns), in the demand's
    order, when the side file has one row per combination of them in the sample and their
    values are the demand's (at least one in 20 rows found there); else ``None``."""
    on = [k for k in keys if k in side]
    if not on:
        return None
    rows = list(zip(*(side[k] for k in on), strict=True))
    filled = [r for r in rows if all(v not in (None, "") for v in r)]
    if not filled or len(set(filled)) < len(filled):
        return None
    have = set(zip(*(demand[k] for k in on), strict=True))
    found = sum(r in have for r in filled)
    return on if found >= max(1, 0.05 * len(filled)) else None


PROMO_WORDS = {
    "markdown",
    "promo",
    "promotion",
    "promotions",
    "discount",
    "discounts",
    "onpromotion",
}
"""Words of a joined column that may be the demand's ``promo`` (Walmart's ``MarkDown1``)."""


def money_and_events(guess: Any, cols: dict[str, Any]) -> None:
    """On a demand guess (:class:`opsai.data.init.Guess`; ``cols`` its sampled columns'
    values): a quantity that is money (:func:`money_column`) becomes the ``amount``, and a
    holiday or event flag (:func:`event_column`) the ``event_day``, each with a note."""
    qty = next((m for m in guess.matches if m.contract == "quantity"), None)
    contracts = {m.contract for m in guess.matches}
    if (
        qty is not None
        and "amount" not in contracts
        and money_column(qty.source, cols[qty.source].values)
    ):
        guess.matches[guess.matches.index(qty)] = dataclasses.replace(qty, contract="amount")
        guess.notes.append(
            f"{qty.source!r} is read as sales in money (amount: named as sales, with cents, "
            "no quantity beside it): forecasts and headlines are in the currency; if it counts "
            "units, map it as quantity"
        )
    if "event_day" in contracts or not guess.matches:
        return
    used = {m.source for m in guess.matches}
    rows = guess.sample.values
    col = event_column({c: rows[c] for c in cols if c in rows}, used)
    if col is not None:
        guess.matches.append(
            dataclasses.replace(
                guess.matches[0], contract="event_day", source=col, score=0.6, timestamp_format=None
            )
        )
        guess.notes.append(
            f"{col!r} marks holiday or event days: mapped as event_day, a feature of chapter "
            "04's models and its event-day lift"
        )


def side_joins(
    demand: Any,
    unfit: list[tuple[Any, dict[str, Any]]],
    unplaced: list[tuple[str, str]],
    join_entry: Callable[[Any, str | list[str]], dict[str, Any]],
) -> None:
    """Files placed on no table that hold one row per demand store, date or store and date
    (Walmart's ``features.csv`` on Store, Date; ``stores.csv`` on Store) are joined to the
    demand (:func:`shared_keys`), with a note naming promotion candidates among their columns
    (``MarkDown1``..``5``) for ``promo``; ``join_entry`` builds a ``join`` item."""
    keys = [m.source for m in demand.matches if m.contract in ("store", "timestamp", "item_id")]
    order = {c: i for i, c in enumerate(demand.sample.columns)}
    keys.sort(key=lambda c: order.get(c, len(order)))
    labels = {u[0] for u in unplaced}
    for s, _cols in unfit:
        if s.label not in labels:
            continue
        on = shared_keys(demand.sample.values, keys, s.values)
        if on is None:
            continue
        demand.options["join"] = [
            *demand.options.get("join", []),
            join_entry(s, on if len(on) > 1 else on[0]),
        ]
        unplaced[:] = [u for u in unplaced if u[0] != s.label]
        rest = [c for c in s.columns if c not in on]
        promo = [
            c
            for c in rest
            if set(name_words(c)) & PROMO_WORDS or fold(c).rstrip("0123456789") in PROMO_WORDS
        ]
        note = (
            f"{s.label} has one row per {', '.join(map(repr, on))} of the demand: joined on "
            f"{' and '.join(on)}, its columns ({', '.join(rest[:8])}{', ...' if len(rest) > 8 else ''}) "
            "kept as attributes"
        )
        if promo:
            note += (
                f"; {', '.join(map(repr, promo))} may mark promotions: map one as "
                "data.tables.demand.columns.promo (empty or 0 is no promotion)"
            )
        demand.notes.append(note)


def _whole_csv(sample: Any) -> tuple[str, list[Any]] | None:
    """The ``read_csv`` call (and its parameters) that reads every row of a sample's plain
    UTF-8 CSV (one file, no sheet or table); None for any other source."""
    opts = sample.options
    if (
        sample.sheet
        or sample.table
        or sample.pattern
        or opts.get("encoding")
        or opts.get("sep") == r"\s+"
    ):
        return None
    if sample.path.suffix.lower() not in (".csv", ".tsv", ".txt"):
        return None
    sep = opts.get("sep", "\t" if sample.path.suffix.lower() == ".tsv" else ",")
    header = opts.get("header") is not False
    sql = "read_csv(?, all_varchar = true, header = ?, delim = ?, skip = ?)"
    return sql, [str(sample.path), header, sep, int(opts.get("skip_rows", 0))]


def negatives_in_file(sample: Any, column: str) -> int:
    """Rows of a plain UTF-8 CSV (one file, no sheet or table) whose ``column`` is a negative
    number, over the whole file: Walmart's 7 return rows of 27,652 fall outside any sample,
    and validation stops on them. 0 when the file cannot be counted so."""
    whole = _whole_csv(sample)
    if whole is None or sample.options.get("header") is False:
        return 0
    col = '"' + column.replace('"', '""') + '"'
    try:
        with duckdb.connect() as con:
            row = con.execute(
                f"SELECT count(*) FROM {whole[0]} WHERE TRY_CAST(trim({col}) AS DOUBLE) < 0",
                whole[1],
            ).fetchone()
    except duckdb.Error:
        return 0
    return int(row[0]) if row else 0


SPREAD_VALUES = 2000
"""Most distinct values of a whole column :func:`spread_in_file` returns."""


def spread_in_file(sample: Any, column: str, n: int = SPREAD_VALUES) -> list[str]:
    """Up to ``n`` distinct non-empty values of ``column`` over the whole of a plain CSV,
    spread by a hash over all of them (not the file's first rows): a file sorted by date
    starts with days that are all 12 or less, which read day-first as well as month-first
    (byod12a D1: Maven Roasters' ``1/1/2023`` .. ``6/30/2023``). Empty when the file cannot
    be read so (a sheet, a database table, another encoding)."""
    if sample.table or sample.pattern or column not in sample.values:
        return []
    key = (str(sample.path), repr(sample.options), column, n, sample.path.stat().st_mtime)
    if key in _SPREADS:
        return list(_SPREADS[key])
    col = '"' + column.replace('"', '""') + '"'
    pick = f"WHERE v <> '' ORDER BY hash(v) LIMIT {int(n)}"
    try:
        with duckdb.connect() as con:
            if (whole := _whole_csv(sample)) is not None:
                rows = con.execute(
                    f"SELECT v FROM (SELECT DISTINCT trim({col}) AS v FROM {whole[0]}) {pick}",
                    whole[1],
                ).fetchall()
            else:  # a workbook, Parquet, JSON, another encoding: as the loader reads it
                with tempfile.TemporaryDirectory(prefix="opsai-init-") as tmp:
                    raw = _load.read_raw(con, "spread", [sample.path], sample.spec, Path(tmp))
                    rows = con.execute(
                        f"SELECT v FROM (SELECT DISTINCT trim(CAST({col} AS VARCHAR)) AS v "
                        f"FROM {_load.q(raw)}) {pick}"
                    ).fetchall()
    except (duckdb.Error, OpsaiError, OSError):
        return []
    _SPREADS[key] = tuple(str(r[0]) for r in rows)
    return list(_SPREADS[key])


_SPREADS: dict[tuple[Any, ...], tuple[str, ...]] = {}
""":func:`spread_in_file`'s answers: init fits a file to several tables, each asking again."""


def _number(v: str | None) -> float | None:
    try:
        return float((v or "").replace(",", ""))
    except ValueError:
        return None
