"""Small helpers shared by the behaviour modules: accept pandas or Ibis, check columns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from opsai.errors import SchemaError

TableLike = ir.Table | pd.DataFrame
"""An Ibis table (any backend) or a pandas frame (run on in-process DuckDB)."""


def as_table(obj: Any, *, name: str) -> ir.Table:
    """Return ``obj`` as an Ibis table; a pandas frame becomes an in-memory table."""
    if isinstance(obj, ir.Table):
        return obj
    if isinstance(obj, pd.DataFrame):
        return ibis.memtable(obj)
    raise SchemaError(
        f"{name}: expected an Ibis table or a pandas DataFrame, got {type(obj).__name__}. "
        f"Pass workspace.table({name!r}) or a DataFrame"
    )


def require(t: ir.Table | pd.DataFrame, columns: Iterable[str], *, table: str) -> None:
    """Raise :class:`SchemaError` naming the first missing column and how to fix it."""
    have = list(t.columns)
    for c in columns:
        if c not in have:
            raise SchemaError(
                f"{table}: column {c!r} not found (have: {', '.join(map(str, have))}). "
                f"Map it in the config under data.tables.{table}.columns.{c} "
                f"or pass the col_* argument naming it"
            )


def to_frame(t: ir.Table) -> pd.DataFrame:
    """Execute an Ibis expression into pandas with a fresh RangeIndex."""
    return t.to_pandas().reset_index(drop=True)
