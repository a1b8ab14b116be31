"""Row options of a table's config: ``where`` keeps the rows a condition holds for, and
``drop_duplicates`` the first of rows that repeat in every column."""

from __future__ import annotations

from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from opsai.data._load import q
from opsai.errors import SchemaError


def _fail(name: str, cond: str, err: Exception, columns: list[str]) -> SchemaError:
    msg = " ".join(str(err).split())[:240]
    return SchemaError(
        f"{name}: the condition data.tables.{name}.where ({cond!r}) cannot be applied: {msg}. "
        f"It is SQL over the table as loaded, whose columns are: {', '.join(columns)} "
        "(mapped columns by their contract names; quote text: status = 'paid')"
    )


def where_file(con: duckdb.DuckDBPyConnection, name: str, cond: str) -> tuple[int, int]:
    """Keep the rows of the loaded table ``name`` for which ``cond`` holds (in file order);
    returns the rows before and after."""
    columns = [r[0] for r in con.execute(f"DESCRIBE {q(name)}").fetchall()]
    before = con.execute(f"SELECT count(*) FROM {q(name)}").fetchall()[0][0]
    try:
        con.execute(f"CREATE OR REPLACE TABLE {q(name)} AS SELECT * FROM {q(name)} WHERE ({cond})")
    except duckdb.Error as e:
        raise _fail(name, cond, e, columns) from None
    after = con.execute(f"SELECT count(*) FROM {q(name)}").fetchall()[0][0]
    return int(before), int(after)


def where_database(backend: Any, t: ir.Table, name: str, cond: str) -> tuple[ir.Table, int, int]:
    """``t`` less the rows ``cond`` does not hold for, as a temporary view in the database
    (SQL in its own dialect); returns the view and the rows before and after."""
    view = f"opsai_where_{name}"
    try:
        cur = backend.raw_sql(
            f"CREATE OR REPLACE TEMP VIEW {q(view)} AS "
            f"SELECT * FROM ({ibis.to_sql(t, dialect=backend.name)}) AS src WHERE ({cond})"
        )
        if backend.name != "duckdb":  # DuckDB hands back its connection itself
            cur.close()
        out = backend.table(view)
        before, after = int(t.count().execute()), int(out.count().execute())
    except Exception as e:  # the backend's own error type: a bad column or syntax
        raise _fail(name, cond, e, list(t.columns)) from None
    return out, before, after


def drop_duplicate_rows(
    con: duckdb.DuckDBPyConnection, raw: str, columns: list[str], kind: str
) -> tuple[int, int]:
    """Replace ``raw`` (a TABLE or VIEW) by a table keeping the first of the rows that repeat
    in every one of ``columns``, in file order; returns the rows before and after."""
    cols = ", ".join(q(c) for c in columns)
    tmp = q(raw + "_unique")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * EXCLUDE (_opsai_row) FROM "
        f"(SELECT *, row_number() OVER () AS _opsai_row FROM {q(raw)}) "
        f"QUALIFY row_number() OVER (PARTITION BY {cols} ORDER BY _opsai_row) = 1 "
        "ORDER BY _opsai_row"
    )
    before = con.execute(f"SELECT count(*) FROM {q(raw)}").fetchall()[0][0]
    after = con.execute(f"SELECT count(*) FROM {tmp}").fetchall()[0][0]
    con.execute(f"DROP {kind} {q(raw)}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {q(raw)}")
    return int(before), int(after)
