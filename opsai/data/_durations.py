"""``data.tables.<t>.durations``: a time column given as a number counted from the row's
``timestamp`` (a help desk's SLA figures: Zendesk's ``reply_time_in_minutes.calendar``).

The number is read as any number column is (``na_values``, ``decimal``, ``thousands``), then
added to the row's timestamp as the business's wall-clock time; an empty number, or a row
without a timestamp, gives an empty time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opsai.data import _load
from opsai.data._load import q
from opsai.data.schema import TIMESTAMP, Column
from opsai.errors import SchemaError

if TYPE_CHECKING:
    import duckdb

    from opsai.config import TableSpec

MICROSECONDS = {"seconds": 1_000_000, "minutes": 60_000_000, "hours": 3_600_000_000,
                "days": 86_400_000_000}  # fmt: skip
"""Microseconds in one unit of a duration."""


def duration_sql(
    con: duckdb.DuckDBPyConnection,
    name: str,
    raw: str,
    spec: TableSpec,
    src: dict[str, str],
    rawtypes: dict[str, str],
    exprs: dict[str, str],
    zone: str | None,
) -> dict[str, str]:
    """The SQL of each ``durations`` column of a file table: its timestamp plus the number.

    Raises:
        SchemaError: values that are not numbers, with examples and the fix.
    """
    out: dict[str, str] = {}
    if spec.durations and TIMESTAMP not in exprs:
        raise no_timestamp(name, spec)
    for c, unit in spec.durations.items():
        s = src[c]
        number = _load.typed_expr(Column(c, "float"), s, rawtypes[s], spec, False, zone)
        v = _load._na(q(s), spec)
        filled = f"({v}) IS NOT NULL AND trim(CAST({v} AS VARCHAR)) <> ''"
        bad = f"SELECT DISTINCT CAST({q(s)} AS VARCHAR) FROM {q(raw)} WHERE {filled} AND ({number}) IS NULL"
        ex = _load.examples(con, bad)
        if ex:
            raise SchemaError(
                f"{name}: column {s!r} ({c}) is a duration in {unit} (data.tables.{name}."
                f"durations) but holds values that are no numbers, e.g. "
                f"{', '.join(map(repr, ex))} (source type {rawtypes[s]}). Fix: map the column "
                f"holding the {unit}, or set data.tables.{name}.na_values; a time (not a "
                f"duration) needs no durations entry"
            )
        steps = f"CAST(round(({number}) * {MICROSECONDS[unit]}) AS BIGINT)"
        out[c] = f"(({exprs[TIMESTAMP]}) + to_microseconds({steps}))"
    return out


def no_timestamp(name: str, spec: TableSpec) -> SchemaError:
    """A duration with no timestamp to count it from."""
    cols = ", ".join(spec.durations)
    return SchemaError(
        f"{name}: {cols} (data.tables.{name}.durations) is counted from the row's timestamp, "
        f"but the table has none. Fix: map it (data.tables.{name}.columns.timestamp: <your "
        f"column name>) or remove data.tables.{name}.durations"
    )


def duration_ibis(
    name: str, numbers: dict[str, Any], out: dict[str, Any], spec: TableSpec
) -> dict[str, Any]:
    """The same on a database table: ``numbers`` holds each ``durations`` column read as a
    number, ``out`` the table's other contract columns (its ``timestamp`` among them)."""
    if numbers and TIMESTAMP not in out:
        raise no_timestamp(name, spec)
    return {
        c: out[TIMESTAMP]
        + (n * MICROSECONDS[spec.durations[c]]).round().cast("int64").as_interval("us")
        for c, n in numbers.items()
    }
