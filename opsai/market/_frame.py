"""Small helpers shared by the market modules: accept pandas or Ibis, check columns."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from opsai.errors import OpsaiError, SchemaError


def as_frame(obj: Any, columns: Iterable[str], *, table: str = "market") -> pd.DataFrame:
    """Return ``obj`` as a pandas frame after checking that ``columns`` are present.

    Market tables are small (periods x companies or products), so an Ibis table is executed
    once here and the rest runs in pandas.

    Raises:
        SchemaError: ``obj`` is neither a DataFrame nor an Ibis table, or a column is missing.
    """
    if isinstance(obj, pd.DataFrame):
        frame = obj
    elif hasattr(obj, "to_pandas") and hasattr(obj, "columns"):
        frame = obj.to_pandas()
    else:
        raise SchemaError(
            f"{table}: expected a pandas DataFrame or an Ibis table, got {type(obj).__name__}. "
            f"Pass workspace.table({table!r}) or workspace.to_pandas({table!r})"
        )
    have = [str(c) for c in frame.columns]
    for c in columns:
        if c not in have:
            raise SchemaError(
                f"{table}: column {c!r} not found (have: {', '.join(have)}). "
                f"Map it in the config under data.tables.{table}.columns.{c} "
                f"or pass the col_* argument naming it"
            )
    return frame.reset_index(drop=True)


def period_step(periods: Iterable[Any]) -> str:
    """How far apart the periods are: ``year``, ``quarter``, ``month``, ``week`` or ``day``.

    The median gap between distinct periods decides, so one missing period does not change it.
    Periods that are not dates (labels such as ``"2024H1"``) read as ``month``.
    """
    ts = pd.to_datetime(pd.Index(list(periods)).unique(), errors="coerce").dropna().sort_values()
    if len(ts) < 2:
        return "month"
    days = float(np.median(np.diff(ts.as_unit("s").asi8))) / 86_400
    for step, least in (("year", 360), ("quarter", 85), ("month", 27), ("week", 6.5)):
        if days >= least:
            return step
    return "day"


def period_label(period: Any, step: str = "month") -> str:
    """A period as its readers name it: ``1997``, ``1997-Q4``, ``1997-10`` or ``1997-10-06``."""
    if isinstance(period, float | np.floating) and float(period).is_integer():
        return str(int(period))  # a period number read through a float column: 2024, not 2024.0
    if not isinstance(period, pd.Timestamp | np.datetime64 | datetime.date):
        return str(period)
    t = pd.Timestamp(period)
    if step == "year":
        return str(t.year)
    if step == "quarter":
        return f"{t.year}-Q{t.quarter}"
    return str(t.strftime("%Y-%m" if step == "month" else "%Y-%m-%d"))


def period_phrase(period: Any, step: str = "month") -> str:
    """When something happened, as a sentence says it: ``on 2024-06-01`` for a day, ``in the
    week of 2024-06-03`` for a week, ``in 2024-06`` for a month, quarter or year."""
    label = period_label(period, step)
    if isinstance(period, pd.Timestamp | np.datetime64 | datetime.date):
        if step == "day":
            return f"on {label}"
        if step == "week":
            return f"in the week of {label}"
    return f"in {label}"


def positive(values: pd.Series | np.ndarray, *, column: str, table: str = "market") -> np.ndarray:
    """``values`` as float, raising if any is not strictly positive (they are about to be logged)."""
    arr = np.asarray(values, dtype=float)
    bad = ~(arr > 0)
    if bad.any():
        raise SchemaError(
            f"{table}: column {column!r} must be > 0 to take logs, found {int(bad.sum())} "
            f"row(s) <= 0 or missing. Drop or fill those rows before fitting"
        )
    return arr


def priced(values: pd.Series) -> pd.Series:
    """Whether each price is usable: present and strictly positive (a missing price, such as
    a scrape's out-of-stock ``-1`` read as missing, or a zero cannot be logged)."""
    return pd.to_numeric(values, errors="coerce").gt(0)


def check_choice(value: str, name: str, allowed: Iterable[str]) -> None:
    """Raise :class:`OpsaiError` when a ``Literal`` option got an unknown value."""
    options = tuple(allowed)
    if value not in options:
        raise OpsaiError(f"{name} must be one of {options}, got {value!r}")
