"""Years written as whole numbers, read as dates: one rule for the loader and chapter 06.

A column of years (``2018``, ``'2018'``, a spreadsheet's ``2018.0``; an annual export's
periods, an unpivoted sheet's year headers) is each year's 1 January. The data loader reads
a timestamp or period column this way (:func:`opsai.data._load.all_years`), and chapter 06
its market periods given as a frame (:func:`opsai.market.chapter.year_periods`): both call
:func:`year_dates`, so a column reads the same whichever path it takes.

Example:
    >>> year_dates(pd.Series([2018, "2019", 2020.0])).dt.year.tolist()
    [2018, 2019, 2020]
    >>> year_dates(pd.Series([1, 2, 3])) is None  # period numbers, not years
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

YEARS = (1800, 2200)
"""Bounds of the whole numbers read as years (inclusive)."""

YEAR_TEXT = re.compile(r"[0-9]{4}(?:\.0+)?")
"""A year as written: four digits, a spreadsheet's ``.0`` allowed (ASCII digits only)."""


def year_dates(values: Iterable[Any]) -> pd.Series | None:
    """Each value's 1 January when every filled value is a year: four digits (``.0`` allowed)
    between :data:`YEARS`, as a number or as text; ``None`` when one is not (period numbers
    1, 2, 3, labels such as ``2024H1``, ``20240115``), or when no value is filled. Empty and
    missing values stay missing (``NaT``); booleans and dates are no years."""
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return None
    text = s.astype("string").str.strip()
    filled = text.notna() & (text != "")
    if not filled.any() or s[filled].map(lambda v: isinstance(v, bool)).any():
        return None
    written = text[filled].astype(str)
    if not written.map(lambda t: YEAR_TEXT.fullmatch(t) is not None).all():
        return None
    year = written.map(lambda t: int(float(t)))
    lo, hi = YEARS
    if not year.between(lo, hi).all():
        return None
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    out[filled] = pd.to_datetime(year.astype(str), format="%Y").astype("datetime64[ns]")
    return out


__all__ = ["YEARS", "YEAR_TEXT", "year_dates"]
