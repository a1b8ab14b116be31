"""``join``: columns of other files (an order header, a customer map) added to each row of a
table by a key, as a LEFT join in DuckDB (files, SQLite) or Ibis (database sources).

Order-lines exports (Olist's ``order_items.csv``, Instacart's ``order_products.csv``, a dbt
``fct_order_lines``) hold no customer and no purchase time: those are on the order header,
and the header's customer id may need a third file to name the person (Olist's
``customers.csv``: ``customer_id -> customer_unique_id``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from opsai.config import Join, TableSpec
from opsai.data import _load
from opsai.data._load import q
from opsai.data._mapping import ValidationWarning, database_table
from opsai.errors import SchemaError

HIT = "__opsai_joined"
"""A column that is TRUE on every row of the joined file: NULL after the join marks a line
the joined file has no row for."""
_LINE = "__opsai_line"


def entry(name: str, i: int, j: Join) -> str:
    """How messages name a join entry: ``data.tables.orders.join[1]`` (1-based)."""
    return f"data.tables.{name}.join[{i + 1}]"


def _what(j: Join) -> str:
    return j.file or f"table {j.table}"


def file_spec(j: Join) -> TableSpec:
    """The reading options of a join entry, as a table's (its own, not the table's)."""
    return TableSpec(
        file=j.file,
        table=j.table,
        format=j.format,
        sheet=j.sheet,
        records=j.records,
        skip_rows=j.skip_rows,
        sep=j.sep,
        encoding=j.encoding,
        header=j.header,
    )


def _check_keys(
    name: str, i: int, j: Join, line_cols: list[str], other_cols: list[str], shown: str
) -> dict[str, str]:
    keys = j.keys
    where = entry(name, i, j)
    for mine, theirs in keys.items():
        if mine not in line_cols:
            raise SchemaError(
                f"{name}: {where}.on names {mine!r}, which is not a column of the {name} rows "
                f"(they have: {', '.join(line_cols[:20])}). Fix {where}.on: name this "
                f"table's key column, or map it to {shown}'s: {{{mine}: <its column>}}"
            )
        if theirs not in other_cols:
            raise SchemaError(
                f"{name}: {where}.on names {theirs!r}, which is not a column of {shown} (it "
                f"has: {', '.join(other_cols[:20])}). Fix {where}.on, e.g. "
                f"{{{mine}: <{shown}'s key column>}}"
            )
    return keys


def _new_names(
    j: Join, line_cols: list[str], other_cols: list[str], keys: dict[str, str]
) -> dict[str, str]:
    """The other file's non-key columns -> their names in the joined table: their own, or
    ``<column>_<label>`` when the table has one of that name (which keeps its value)."""
    out: dict[str, str] = {}
    taken = set(line_cols)
    for c in other_cols:
        if c in keys.values() or c == HIT:
            continue
        new = c if c not in taken else f"{c}_{j.label}"
        n = 2
        while new in taken:
            new = f"{c}_{j.label}{n}"
            n += 1
        taken.add(new)
        out[c] = new
    return out


def _repeats_error(
    name: str, i: int, j: Join, keys: dict[str, str], n: int, ex: list[Any]
) -> SchemaError:
    where = entry(name, i, j)
    key = ", ".join(keys.values())
    shown = ", ".join(repr(v[0] if len(v) == 1 else tuple(v)) for v in ex)
    return SchemaError(
        f"{name}: {where}: the key {key} repeats in {_what(j)} ({n:,} value(s) on more than "
        f"one row, e.g. {shown}), so each matching line would be counted once per repeat. "
        f"Fix: join on the key that is unique there ({where}.on), or set "
        f"{where}.drop_duplicates: true to keep the first row of each key"
    )


def _list_warning(name: str, j: Join, key: str, n: int, example: str) -> ValidationWarning:
    """Rows whose key holds a list of ids (``124054,124060``): joined by the first."""
    return ValidationWarning(
        name,
        key,
        f"{n:,} row(s) hold a list of keys in {key} (e.g. {example!r}): each is joined to "
        f"{_what(j)}'s row of the first one; the others are not read",
    )


def _unmatched_warning(
    name: str, j: Join, keys: dict[str, str], total: int, missing: int, empty: int
) -> ValidationWarning:
    """Rows whose key the other file lacks (and, on the first join, rows with no key): a
    key emptied by an earlier join is that join's warning, not this one's."""
    blank = f" ({empty:,} more have no {', '.join(keys)})" if empty else ""
    return ValidationWarning(
        name,
        None,
        f"{missing:,} of {total:,} rows ({missing / total:.1%}) have no row in {_what(j)} by "
        f"{', '.join(keys)}{blank}: they lack its columns (a customer or a time read from it "
        "is empty on them)",
    )


def join_file(
    con: duckdb.DuckDBPyConnection,
    base: Path,
    name: str,
    spec: TableSpec,
    raw: str,
    raw_kind: str,
    tmp: Path,
    warnings: list[ValidationWarning],
    db: Path | None = None,
) -> tuple[str, str]:
    """``raw`` with the columns of each of ``spec.join`` added (a LEFT join in DuckDB, lines
    in their order); ``raw`` is dropped. Returns the new table's name and kind."""
    for i, j in enumerate(spec.join):
        label = f"{name}.join[{i + 1}]"  # read_raw names data.tables.<label>.<key> in errors
        if db is not None:
            from opsai.data._sqlite import copy_table

            other = copy_table(con, db, label, TableSpec(table=j.table or j.label))
            shown = f"table {j.table or j.label}"
        else:
            if j.file is None:
                raise SchemaError(
                    f"{name}: {entry(name, i, j)} names table {j.table!r}, but data.source is a "
                    f"folder of files. Name its file instead: {entry(name, i, j)}.file"
                )
            from opsai.data._files import records_rows

            jspec = file_spec(j)
            paths = _load.resolve_file(base, label, jspec)
            other = _load.read_raw(con, label, paths, jspec, tmp)
            other, _ = records_rows(  # {"data": [...]}: the list's records are the rows
                con, name, jspec, other, paths, warnings, entry=entry(name, i, j),
                wanted=list(j.keys.values()),
            )  # fmt: skip
            shown = paths[0].name if len(paths) == 1 else j.file
        line_types = _load.describe(con, raw)
        other_types = _load.describe(con, other)
        keys = _check_keys(name, i, j, list(line_types), list(other_types), shown)
        if j.drop_duplicates:
            by = ", ".join(q(c) for c in keys.values())
            con.execute(  # the first row of each key, in file order
                f"CREATE OR REPLACE TEMP TABLE {q(other + '_u')} AS SELECT * EXCLUDE (_n) "
                f"FROM (SELECT *, row_number() OVER () AS _n FROM {q(other)}) "
                f"QUALIFY row_number() OVER (PARTITION BY {by} ORDER BY _n) = 1"
            )
            _drop(con, other)
            other = other + "_u"
        else:
            by = ", ".join(q(c) for c in keys.values())
            keyed = " AND ".join(f"{q(c)} IS NOT NULL" for c in keys.values())  # none joins
            repeats = f"FROM {q(other)} WHERE {keyed} GROUP BY {by} HAVING count(*) > 1"
            n = con.execute(f"SELECT count(*) FROM (SELECT 1 {repeats})").fetchall()[0][0]
            if n:
                ex = con.execute(
                    f"SELECT {by} {repeats} ORDER BY count(*) DESC, {by} LIMIT 3"
                ).fetchall()
                _drop(con, other)
                raise _repeats_error(name, i, j, keys, int(n), [list(r) for r in ex])
        renamed = _new_names(j, list(line_types), list(other_types), keys)
        cond = " AND ".join(
            _eq(f"l.{q(a)}", line_types[a], f"h.{q(b)}", other_types[b]) for a, b in keys.items()
        )
        added = ", ".join(f"h.{q(c)} AS {q(new)}" for c, new in renamed.items())
        joined = f"{raw}_j{i + 1}"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {q(joined)} AS SELECT * EXCLUDE ({q(_LINE)}) FROM ("
            f"SELECT l.*{', ' + added if added else ''}, h.{q(HIT)} FROM "
            f"(SELECT *, row_number() OVER () AS {q(_LINE)} FROM {q(raw)}) l LEFT JOIN "
            f"(SELECT *, TRUE AS {q(HIT)} FROM {q(other)}) h ON {cond} ORDER BY l.{q(_LINE)})"
        )
        has_key = " AND ".join(f"{q(a)} IS NOT NULL" for a in keys)
        total, missing, empty = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {q(HIT)} IS NULL AND {has_key}), "
            f"count(*) FILTER (WHERE NOT ({has_key})) FROM {q(joined)}"
        ).fetchall()[0]
        if missing and missing == total - empty:  # not one line matched: a spelling
            ours = con.execute(
                f"SELECT DISTINCT {', '.join(q(a) for a in keys)} FROM {q(joined)} "
                f"WHERE {has_key} LIMIT 3"
            ).fetchall()
            by = ", ".join(q(c) for c in keys.values())
            theirs = con.execute(f"SELECT DISTINCT {by} FROM {q(other)} LIMIT 3").fetchall()
            for rel in (other, joined):
                _drop(con, rel)
            raise _no_match_error(
                name, i, j, keys, [list(r) for r in ours], [list(r) for r in theirs]
            )
        _drop(con, other)
        for a in (k for k in keys if line_types[k] == "VARCHAR"):
            n, ex = con.execute(
                f"SELECT count(*), any_value({q(a)}) FROM {q(joined)} "
                f"WHERE regexp_matches(trim({q(a)}), '{LIST}')"
            ).fetchall()[0]
            if n:
                warnings.append(_list_warning(name, j, a, int(n), str(ex)))
        con.execute(f"DROP {raw_kind} {q(raw)}")
        con.execute(f"ALTER TABLE {q(joined)} DROP COLUMN {q(HIT)}")
        empty = int(empty) if i == 0 else 0
        if missing or empty:
            warnings.append(_unmatched_warning(name, j, keys, int(total), int(missing), empty))
        raw, raw_kind = joined, "TABLE"
    return raw, raw_kind


def _drop(con: duckdb.DuckDBPyConnection, rel: str) -> None:
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ?", [rel]
    ).fetchall()
    con.execute(f"DROP {'VIEW' if kind and kind[0][0] == 'VIEW' else 'TABLE'} {q(rel)}")


WHOLE = r"^(-?[0-9]+)\.0+$"
"""A whole number written as a float (``11101.0``: a key pandas or Excel wrote after the
column once held a blank): compared as ``11101``."""


LIST = r"^\s*(-?[0-9]+)(\.0+)?\s*(,\s*-?[0-9]+(\.0+)?\s*)+$"
"""A list of ids in one cell (TWCS' ``response_tweet_id`` ``124054,124060``: a tweet with two
replies): compared by its first id."""


def _text(col: str) -> str:
    first = f"regexp_replace(trim(CAST({col} AS VARCHAR)), '{LIST}', '\\1')"
    return f"regexp_replace({first}, '{WHOLE}', '\\1')"


def _eq(a: str, ta: str, b: str, tb: str) -> str:
    """Equality of two key columns; of their trimmed text when they are text or their types
    differ (an integer id in one file, text in the other), a whole number written
    ``11101.0`` read as ``11101``."""
    if ta == tb and ta != "VARCHAR":
        return f"{a} = {b}"
    return f"{_text(a)} = {_text(b)}"


def _no_match_error(
    name: str, i: int, j: Join, keys: dict[str, str], ours: list[Any], theirs: list[Any]
) -> SchemaError:
    """No line found its row in the other file: the keys are spelt differently."""
    where = entry(name, i, j)

    def show(rows: list[Any]) -> str:
        return ", ".join(repr(r[0] if len(r) == 1 else tuple(r)) for r in rows) or "none"

    return SchemaError(
        f"{name}: {where}: no row found its row in {_what(j)} by "
        f"{', '.join(f'{a} = {b}' for a, b in keys.items())}: the keys read e.g. {show(ours)} "
        f"here and {show(theirs)} there. Fix: join on columns that hold the same values "
        f"({where}.on), or map the key columns so they are spelt alike"
    )


def join_database(
    backend: Any, raw: ir.Table, name: str, spec: TableSpec, warnings: list[ValidationWarning]
) -> ir.Table:
    """``raw`` with the columns of each of ``spec.join`` (tables of the database) added, as
    LEFT joins in Ibis."""
    for i, j in enumerate(spec.join):
        where = entry(name, i, j)
        if j.table is None:
            raise SchemaError(
                f"{name}: {where} names file {j.file!r}, but data.source is a database. Name "
                f"its table instead: {where}.table"
            )
        other = database_table(backend, j.table, f"{name}: {where}", f"{where}.table")
        line_cols, other_cols = list(raw.columns), list(other.columns)
        keys = _check_keys(name, i, j, line_cols, other_cols, f"table {j.table}")
        if j.drop_duplicates:
            other = other.distinct(on=list(keys.values()), keep="first")
        else:
            keyed = other.filter(ibis.and_(*(other[c].notnull() for c in keys.values())))
            counts = keyed.group_by(list(keys.values())).aggregate(_n=keyed.count())
            rep = counts.filter(counts._n > 1)
            n = int(rep.count().execute())
            if n:
                ex = rep.order_by([ibis.desc("_n"), *keys.values()]).limit(3).execute()
                rows = [list(r) for r in ex[list(keys.values())].itertuples(index=False)]
                raise _repeats_error(name, i, j, keys, n, rows)
        renamed = _new_names(j, line_cols, other_cols, keys)
        hk = {b: f"__opsai_key{k}" for k, b in enumerate(keys.values())}
        right = other.select(
            **{hk[b]: other[b] for b in keys.values()},
            **{new: other[c] for c, new in renamed.items()},
            **{HIT: ibis.literal(True)},
        )
        preds = []
        for a, b in keys.items():
            la, rb = raw[a], right[hk[b]]
            if la.type() != rb.type() or la.type().is_string():  # '11101.0' read as '11101'
                la, rb = (
                    x.cast("string").strip().re_replace(LIST, r"\1").re_replace(WHOLE, r"\1")
                    for x in (la, rb)
                )  # '124054,124060' read as '124054'; '11101.0' as '11101'
            preds.append(la == rb)
        out = raw.left_join(right, preds)
        out = out.select(*line_cols, *renamed.values(), HIT)
        has_key = ibis.and_(*(out[a].notnull() for a in keys))
        total, missing, empty = (
            int(x or 0)
            for x in out.aggregate(
                t=out.count(),
                m=(out[HIT].isnull() & has_key).ifelse(1, 0).sum(),  # PostgreSQL: no bool->int
                e=has_key.ifelse(0, 1).sum(),
            )
            .execute()
            .iloc[0]
        )
        if missing and missing == total - empty:  # not one line matched: a spelling
            ours = raw.filter(ibis.and_(*(raw[a].notnull() for a in keys))).select(*keys)
            theirs = other.select(*keys.values())
            raise _no_match_error(
                name, i, j, keys,
                [list(r) for r in ours.distinct().limit(3).execute().itertuples(index=False)],
                [list(r) for r in theirs.distinct().limit(3).execute().itertuples(index=False)],
            )  # fmt: skip
        empty = empty if i == 0 else 0
        if missing or empty:
            warnings.append(_unmatched_warning(name, j, keys, total, missing, empty))
        raw = out.drop(HIT)
    return raw
