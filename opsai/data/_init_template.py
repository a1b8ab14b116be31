"""``opsai init`` on a forecasting competition's folder (Kaggle's Rossmann: ``train.csv``,
``test.csv``, ``sample_submission.csv``): the files holding the rows to predict are no data to
report on, and their bare row number (``Id``: 1, 2, 3, … in row order) is nobody's id.

- a **forecast template** has another file's columns less its numbers (``test.csv`` is
  ``train.csv`` without ``Sales`` and ``Customers``), plus perhaps a row number, and its dates
  come after the other file's (or it has the row number): the future rows to forecast;
- a **submission template** is a row number and some of another file's numbers, each one
  value throughout (``sample_submission.csv``: ``Id``, ``Sales`` all 0): the answer sheet.

Both are named in the config's comments instead of being placed on a table.

Example:
    >>> [(s.path.name, why[:11]) for s, why in templates(samples)]  # doctest: +SKIP
    [('test.csv', 'a forecast '), ('sample_submission.csv', 'a submissio')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from opsai.data import _init_values, _sniff
from opsai.data._synonyms import FILE_NAMES, file_stem, fold

ROW_NAMES = frozenset(("id", "index", "row", "rowid", "rownumber", "no", "nr", "", "unnamed0"))
"""Folded names a bare row number goes by (``Id``, ``index``, pandas' ``Unnamed: 0``)."""


def row_numbers(values: Sequence[str | None]) -> bool:
    """Whether sampled values are the row's number: 1, 2, 3, … (or 0, 1, 2, …) in row order,
    at least 3 of them."""
    got = [v.strip() for v in values if v is not None]
    if len(got) < 3 or len(got) != len(values) or got[0] not in ("0", "1"):
        return False
    start = int(got[0])
    return all(v == str(start + i) for i, v in enumerate(got))


def bare_row_number(name: str, values: Sequence[str | None], sample: Any) -> bool:
    """A column named as a row number (:data:`ROW_NAMES`) holding row numbers, in a file not
    named as customers (a ``users.csv`` keyed by its database's ``id`` 1..n keeps it)."""
    where = sample.table or sample.sheet or sample.path.name
    if any(file_stem(where) == fold(n) for n in FILE_NAMES["users"]):
        return False
    return fold(name) in ROW_NAMES and row_numbers(values)


def _numeric(sample: _sniff.Sample, col: str) -> bool:
    vals = [v.strip() for v in sample.values.get(col, []) if v and v.strip()]
    return bool(vals) and _sniff.numeric_share(vals, sample.options) >= 0.9


def _time(sample: _sniff.Sample, col: str) -> tuple[float, float] | None:
    """The earliest and latest time of a column that reads as timestamps (not as numbers)."""
    vals = [v.strip() for v in sample.values.get(col, []) if v and v.strip()]
    if not vals or all(v.isdigit() for v in vals):
        return None
    share, fmt = _sniff.timestamp_format(vals)
    if share < 0.9:
        return None
    got = [t for t in _init_values.seconds(vals, fmt) if t is not None]
    return (min(got), max(got)) if got else None


def _day(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d")


def _template(t: _sniff.Sample, s: _sniff.Sample) -> str | None:
    """Why ``t`` is a template of ``s``'s rows, or None."""
    rows = [c for c in t.columns if fold(c) in ROW_NAMES and row_numbers(t.values[c])]
    mine = [c for c in t.columns if c not in rows]
    theirs = {fold(c): c for c in s.columns}
    if not mine or any(fold(c) not in theirs for c in mine):
        return None
    extra = [c for c in s.columns if fold(c) not in {fold(x) for x in t.columns}]
    n = len(next(iter(t.values.values()), []))
    if rows and all(_numeric(s, theirs[fold(c)]) for c in mine):
        fixed = all(len({v for v in t.values[c] if v is not None}) <= 1 for c in mine)
        if fixed:
            return (
                f"a submission template: a row number ({rows[0]}) and {s.label}'s "
                f"{', '.join(theirs[fold(c)] for c in mine)}, one value throughout: the answers "
                "a forecast would fill in, no data"
            )
    if len(mine) < 2 or not extra or not all(_numeric(s, c) for c in extra):
        return None
    span = next(
        ((c, a, b) for c in mine if (a := _time(t, c)) and (b := _time(s, theirs[fold(c)]))),
        None,
    )
    if span is None:
        return None
    col, (lo, hi), (_, last) = span
    future = lo > last
    if not future and not rows:
        return None
    when = (
        f"{col} {_day(lo)} .. {_day(hi)}, after {s.label}'s last {_day(last)}"
        if future
        else f"{col} {_day(lo)} .. {_day(hi)}"
    )
    return (
        f"a forecast template: {s.label}'s columns without its numbers {', '.join(extra)}"
        + (f", with a row number ({rows[0]})" if rows else "")
        + f": the rows to forecast ({n} sampled, {when}), not data to report on. Its other "
        "columns (promotions, opening days) are the plan for those days"
    )


def templates(samples: list[_sniff.Sample]) -> list[tuple[_sniff.Sample, str]]:
    """The samples that are another sample's forecast or submission template, and why."""
    out = []
    for t in samples:
        for s in samples:
            if s is t:
                continue
            why = _template(t, s)
            if why:
                out.append((t, why))
                break
    return out
