"""A cell listing an order's lines turned into one row per line (``TableSpec.explode``)."""

from __future__ import annotations

import re

import duckdb

from opsai.config import TableSpec
from opsai.data import _load
from opsai.data._load import lit, q
from opsai.data._mapping import suggest
from opsai.data.schema import AMOUNT, QUANTITY, TABLES
from opsai.errors import SchemaError


def explode_groups(name: str, spec: TableSpec, columns: list[str]) -> list[str]:
    """The pattern's named groups, the new columns, after checking the column exists and no
    group is already a column of the data."""
    e = spec.explode
    assert e is not None
    key = f"data.tables.{name}.explode"
    if e.column not in columns:
        raise SchemaError(
            f"{name}: {key}.column {e.column!r} is not a column of the data "
            f"({suggest(e.column, columns)}). Fix {key}.column"
        )
    groups = list(re.compile(e.pattern).groupindex) if e.pattern else []
    clash = [g for g in groups if g in columns and g != e.column]
    if clash:
        raise SchemaError(
            f"{name}: {key}.pattern names group(s) {', '.join(clash)}, already columns of the "
            "data. Rename the groups"
        )
    return groups


def whole_pattern(pattern: str) -> str:
    """``pattern`` matching a whole line, its named groups ``(?P<name>...)`` made plain
    ``(...)`` (same numbers): PostgreSQL's regular expressions have no named groups."""
    return "^(?:" + _NAMED.sub("(", pattern) + ")$"


_NAMED = re.compile(r"(?<!\\)\(\?P<\w+>")


def unmatched_error(name: str, spec: TableSpec, n: int, examples: list[str]) -> SchemaError:
    """Lines of the list cell the pattern does not read whole, with a few of them."""
    e = spec.explode
    assert e is not None
    key = f"data.tables.{name}.explode"
    return SchemaError(
        f"{name}: {n:,} line(s) of {e.column!r} do not match {key}.pattern "
        f"{e.pattern!r}, e.g. {', '.join(map(repr, examples))}. Fix the pattern (or "
        f"{key}.sep if lines run together)"
    )


def explode_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    spec: TableSpec,
    raw: str,
    raw_kind: str,
    zone: str | None = None,
) -> str:
    """The table of ``raw`` (which is dropped) with one row per line of its list cell, the
    pattern's named groups as columns, and the column mapped to ``amount`` split among an
    order's lines in proportion to their quantity (equally without one), as a number."""
    e = spec.explode
    assert e is not None
    types = _load.describe(con, raw)
    groups = explode_groups(name, spec, list(types))
    parts = f"string_split(CAST({q(e.column)} AS VARCHAR), {lit(e.sep)})"
    lines = f"{q(raw)}_lines"
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {q(lines)} AS SELECT * FROM (SELECT *, "
        f"row_number() OVER () AS __row, trim(unnest({parts})) AS __line FROM {q(raw)}) "
        "WHERE __line <> ''"
    )
    if e.pattern:
        bad = con.execute(
            f"SELECT count(*), list(__line ORDER BY __row)[:3] FROM {q(lines)} "
            f"WHERE NOT regexp_full_match(__line, {lit(e.pattern)})"
        ).fetchall()[0]
        if bad[0]:
            con.execute(f"DROP TABLE {q(lines)}")
            raise unmatched_error(name, spec, int(bad[0]), list(bad[1]))
    index = re.compile(e.pattern).groupindex if e.pattern else {}
    whole = lit(whole_pattern(e.pattern or ""))  # the groups of the match of the whole line
    new = [f"regexp_extract(__line, {whole}, {index[g]}) AS {q(g)}" for g in groups]
    cols = [
        q(c) if c != e.column or e.pattern else f"__line AS {q(c)}"
        for c in types
        if not (c == e.column and e.pattern)
    ]
    amount = spec.columns.get(AMOUNT)
    if TABLES[name].has(AMOUNT) and isinstance(amount, str) and amount in types:
        col = TABLES[name].column(AMOUNT)
        value = _load.typed_expr(col, amount, types[amount], spec, False, zone)
        qty = f"TRY_CAST({q(QUANTITY)} AS DOUBLE)"
        weight = f"{qty} / sum({qty}) OVER w" if QUANTITY in groups else "1.0 / count(*) OVER w"
        cols = [f"{value} * ({weight}) AS {q(amount)}" if c == q(amount) else c for c in cols]
    out = f"{raw}_exploded"
    inner = f"(SELECT *, {', '.join(new)} FROM {q(lines)})" if new else q(lines)
    window = " WINDOW w AS (PARTITION BY __row)" if "OVER w" in " ".join(cols) else ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {q(out)} AS SELECT {', '.join(cols)}"
        f"{', ' if new else ''}{', '.join(q(g) for g in groups)} FROM {inner}{window} "
        "ORDER BY __row"
    )
    con.execute(f"DROP TABLE {q(lines)}")
    con.execute(f"DROP {raw_kind} {q(raw)}")
    return out
