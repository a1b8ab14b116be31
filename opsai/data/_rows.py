"""Row options of a table's config: ``where`` keeps the rows a condition holds for,
``drop_duplicates`` the first of rows that repeat in every column, and ``fill_down`` carries a
group's values (an order's, written on its first line only) to its other rows."""

from __future__ import annotations

from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from opsai.config import TableSpec
from opsai.data import _load
from opsai.data._load import q
from opsai.data._mapping import ValidationWarning, rows_out, suggest
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


def _fill_names(name: str, spec: TableSpec, have: list[str]) -> tuple[str, list[str]]:
    """The source columns of ``fill_down.by`` and ``fill_down.columns``: each is named by its
    own name, or by the contract name it is mapped to."""
    assert spec.fill_down is not None
    out = []
    for c in (spec.fill_down.by, *spec.fill_down.columns):
        src = spec.columns.get(c, c)
        if src not in have:
            raise SchemaError(
                f"{name}: data.tables.{name}.fill_down names {c!r}, which is not a column of "
                f"the data (have: {', '.join(have)}){suggest(src, have)}. Write a column's own "
                "name, or the contract name it is mapped to"
            )
        out.append(src)
    return out[0], out[1:]


def _conflict(name: str, by: str, col: str, groups: int, example: tuple[Any, ...]) -> SchemaError:
    key, a, b = example
    return SchemaError(
        f"{name}: data.tables.{name}.fill_down: {col!r} has two different values within "
        f"{groups:,} group(s) of {by!r}, e.g. {key!r} has {a!r} and {b!r}, so the value to carry "
        f"to its empty rows is unclear. Fix: group by the order number (fill_down.by), or "
        f"leave {col!r} out of fill_down.columns if it is not one value per group"
    )


def _filled(name: str, by: str, cols: list[str], total: int, filled: int) -> ValidationWarning:
    return ValidationWarning(
        name,
        None,
        f"{rows_out(total, total - filled)} took {', '.join(cols)} "
        f"from another row of their {by} (data.tables.{name}.fill_down)",
        filled,
    )


def fill_down_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    spec: TableSpec,
    raw: str,
    kind: str,
    rawtypes: dict[str, str],
) -> ValidationWarning | None:
    """Replace ``raw`` (a TABLE or VIEW) by a table, in file order, whose ``fill_down``
    columns take their group's value where they are empty (blank, or one of ``na_values``);
    a note of the rows filled, if any.

    Raises:
        SchemaError: a named column is missing, or a group has two different values.
    """
    by, cols = _fill_names(name, spec, list(rawtypes))

    def value(c: str) -> str:  # the value, NULL when empty
        v = _load._na(q(c), spec)
        return f"CASE WHEN trim(CAST({v} AS VARCHAR)) = '' THEN NULL ELSE {v} END"

    key = f"NULLIF(trim(CAST({_load._na(q(by), spec)} AS VARCHAR)), '')"
    grouped = f"SELECT {key} AS k, {', '.join(f'{value(c)} AS {q(c)}' for c in cols)} FROM {q(raw)}"
    counts = ", ".join(f"count(DISTINCT {q(c)}) AS {q(c)}" for c in cols)
    per_group = f"SELECT {counts} FROM ({grouped}) WHERE k IS NOT NULL GROUP BY k"
    clashing = ", ".join(f"count(*) FILTER (WHERE {q(c)} > 1)" for c in cols)
    clashes = con.execute(f"SELECT {clashing} FROM ({per_group})").fetchall()[0]
    for c, n in zip(cols, clashes, strict=True):
        if n:
            ex = con.execute(
                f"SELECT k, CAST(min({q(c)}) AS VARCHAR), CAST(max({q(c)}) AS VARCHAR) FROM "
                f"({grouped}) WHERE k IS NOT NULL GROUP BY k HAVING count(DISTINCT {q(c)}) > 1 "
                "ORDER BY k LIMIT 1"
            ).fetchall()[0]
            raise _conflict(name, by, c, int(n), ex)
    group = {c: f"max({value(c)}) OVER g" for c in cols}
    fills = ", ".join(
        f"CASE WHEN {key} IS NULL THEN {q(c)} ELSE coalesce({value(c)}, {group[c]}) END AS {q(c)}"
        for c in cols
    )
    took = " OR ".join(f"({value(c)} IS NULL AND {group[c]} IS NOT NULL)" for c in cols)
    tmp = q(raw + "_filled")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * EXCLUDE (_opsai_row) REPLACE ({fills}), "
        f"coalesce({key} IS NOT NULL AND ({took}), false) AS _opsai_took "
        f"FROM (SELECT *, row_number() OVER () AS _opsai_row FROM {q(raw)}) "
        f"WINDOW g AS (PARTITION BY {key}) ORDER BY _opsai_row"
    )
    total, filled = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _opsai_took) FROM {tmp}"
    ).fetchall()[0]
    con.execute(f"ALTER TABLE {tmp} DROP COLUMN _opsai_took")
    con.execute(f"DROP {kind} {q(raw)}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {q(raw)}")
    return _filled(name, by, cols, int(total), int(filled)) if filled else None


def fill_down_database(
    t: ir.Table, name: str, spec: TableSpec
) -> tuple[ir.Table, ValidationWarning | None]:
    """:func:`fill_down_file` on a database table, lazily (the engine's own SQL)."""
    by, cols = _fill_names(name, spec, list(t.columns))
    key = t[by].cast("string").strip().nullif("")

    def value(c: str) -> ir.Value:
        v = t[c]
        return ibis.ifelse(v.cast("string").strip() == "", ibis.null(v.type()), v)

    values = {c: value(c) for c in cols}
    keyed = t.filter(key.notnull())
    per_group = keyed.group_by(_k=key).aggregate(
        **{f"n{i}": values[c].nunique() for i, c in enumerate(cols)}
    )
    clashes = per_group.aggregate(
        **{f"n{i}": (per_group[f"n{i}"] > 1).sum() for i in range(len(cols))}
    ).execute()
    for i, c in enumerate(cols):
        n = int(clashes[f"n{i}"].iloc[0] or 0)
        if n:
            ex = (
                keyed.group_by(_k=key)
                .aggregate(n=values[c].nunique(), a=values[c].min(), b=values[c].max())
                .filter(lambda g: g.n > 1)
                .order_by("_k")
                .limit(1)
                .execute()
                .iloc[0]
            )
            raise _conflict(name, by, c, n, (ex["_k"], str(ex["a"]), str(ex["b"])))
    group = {c: values[c].max().over(group_by=key) for c in cols}
    took = ibis.or_(*(values[c].isnull() & group[c].notnull() for c in cols))
    out = t.mutate(
        **{c: ibis.ifelse(key.isnull(), t[c], values[c].coalesce(group[c])) for c in cols},
        _opsai_took=(key.notnull() & took).fill_null(False),
    )
    counts = out.aggregate(total=out.count(), filled=out._opsai_took.sum()).execute()
    total, filled = int(counts["total"].iloc[0]), int(counts["filled"].iloc[0] or 0)
    out = out.drop("_opsai_took")
    return out, (_filled(name, by, cols, total, filled) if filled else None)
