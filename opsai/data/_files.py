"""Files -> DuckDB: read a table's files as text or typed columns, cast them to the contract."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import duckdb

from opsai.config import TableSpec
from opsai.data import _derive, _load, _rows
from opsai.data._durations import duration_sql
from opsai.data._explode import explode_file
from opsai.data._join import join_file
from opsai.data._load import q
from opsai.data._mapping import (
    INDEX_RE,
    NUMBER_WITH_N,
    ValidationWarning,
    absent_columns,
    constant_sql,
    dropped_warning,
    duplicate_keys,
    duplicates_warning,
    joined_parts,
    keys_after_where,
    list_index,
    nested_error,
    nested_paths,
    null_sql,
    pivot_columns,
    pivot_keys,
    renames,
    scale_sql,
    source_columns,
    unpivot_columns,
)
from opsai.data.schema import TABLES, Table
from opsai.errors import SchemaError

_TYPE_WORDS = {
    "float": "a number",
    "int": "an integer",
    "timestamp": "a timestamp",
    "period": "a date or an integer period",
    "id": "an id",
    "string": "text",
}

_NESTED = re.compile(r"(STRUCT|MAP|UNION)\(|.*\]$")
"""DuckDB types of nested values: objects, maps, lists and arrays."""
_NUMBER_TYPES = ("BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "UINTEGER", "DOUBLE", "FLOAT")


def load_file_table(
    con: duckdb.DuckDBPyConnection,
    base: Path,
    name: str,
    spec: TableSpec,
    tmp: Path,
    warnings: list[ValidationWarning],
    raw: str | None = None,
    zone: str | None = None,
    db: Path | None = None,
    after: dict[str, list[str]] | None = None,
    read_where: set[str] | None = None,
) -> None:
    """Read (or, with ``raw``, take the typed table of that name already in ``con``: a SQLite
    table copied there) and cast a table's columns to the contract as table ``name``;
    timestamps become wall-clock times in the business's zone ``zone`` (``data.timezone``);
    the tables ``spec.join`` names are copied from the SQLite file ``db`` when given. A key
    ``drop_duplicates`` that must wait for the ``where`` (:func:`keys_after_where`) is left to
    the caller, which passes ``after``: it gets the keys by their loaded names. A ``where``
    that reads mapped columns by their own names (:func:`_rows.where_on_rows_read`) runs
    here, on the rows as read, when the caller passes ``read_where``: it gets ``name``."""
    table = TABLES[name]
    if raw is None:
        paths = _load.resolve_file(base, name, spec)
        raw = _load.read_raw(con, name, paths, spec, tmp)
        raw, unwrapped = records_rows(con, name, spec, raw, paths, warnings)
        from_text = _load.is_text(_load.file_format(paths, spec))
        raw_kind = "TABLE" if from_text or unwrapped else "VIEW"  # text parsed into a table
    else:
        from_text, raw_kind = False, "TABLE"
    if spec.unpivot:  # a wide table: one column per competitor, turned into rows
        raw, raw_kind = _unpivot(con, name, spec, raw, raw_kind), "TABLE"
    if spec.pivot:  # key-value rows (item, property, value): one row per id
        raw, raw_kind = _pivot(con, name, spec, raw, raw_kind), "TABLE"
    if spec.explode:  # a cell listing an order's lines: one row per line
        raw, raw_kind = explode_file(con, name, spec, raw, raw_kind, zone), "TABLE"
    if spec.join:  # order lines: the customer and time are on the order header
        raw, raw_kind = join_file(con, base, name, spec, raw, raw_kind, tmp, warnings, db)
    rawtypes = _load.describe(con, raw)
    rows_read: str = raw

    def as_read(cols: list[str]) -> bool:  # attributes of a text file typed as they are read
        text = [c for c in cols if rawtypes[c] == "VARCHAR"] if from_text else []
        types = _load.infer_extra(con, rows_read, text, spec, markers=True)
        return all(t == "VARCHAR" for t in types.values())

    early = read_where is not None and _rows.where_on_rows_read(name, spec, list(rawtypes), as_read)
    if early and read_where is not None and spec.where:  # before drop_duplicates and the casts
        total, kept = _rows.where_rows_read(con, name, spec, raw, raw_kind)
        raw_kind = "TABLE"
        said = _rows.where_said(name, spec.where, total, kept)
        if said is not None:
            warnings.append(said)
        read_where.add(name)
    later = (
        keys_after_where(name, spec, list(rawtypes)) if after is not None and not early else None
    )
    if later is not None and after is not None:  # the first row of each key the where keeps
        after[name] = later
    elif spec.drop_duplicates:
        by = duplicate_keys(name, spec, list(rawtypes))
        total, kept = _rows.drop_duplicate_rows(con, raw, by or list(rawtypes), raw_kind)
        raw_kind = "TABLE"
        if total > kept:
            warnings.append(duplicates_warning(name, total, kept, by))
    if spec.fill_down:  # before the casts: drop_incomplete and where see the filled values
        note = _rows.fill_down_file(con, name, spec, raw, raw_kind, rawtypes)
        raw_kind = "TABLE"
        if note:
            warnings.append(note)
    made = [(raw, raw_kind)]  # dropped at the end, the last made first
    nested = nested_paths(spec, list(rawtypes))
    if nested:  # fields of JSON objects / Parquet structs, mapped by a dotted path
        raw, raw_kind = _with_paths(con, name, spec, raw, rawtypes, nested), "VIEW"
        made.append((raw, raw_kind))
        rawtypes = _load.describe(con, raw)
    joined = joined_parts(name, spec, list(rawtypes))
    if joined:  # a date and a time of day in two columns, read as one
        raw, raw_kind = _with_parts(con, spec, raw, rawtypes, joined), "VIEW"
        made.append((raw, raw_kind))
        rawtypes = _load.describe(con, raw)
    src = source_columns(name, table, spec, list(rawtypes))
    for cname, s in src.items():
        if _NESTED.match(rawtypes[s]):
            raise _nested(con, raw, name, cname, s, rawtypes[s])
    used = set(src.values()) | {p for parts in joined.values() for p in parts}
    used |= {d.from_ for d in spec.derive.values()}  # a full address: only its province kept
    derived = _derive.derive_sql(name, table, spec, rawtypes, set(src))
    renamed = renames(name, table, spec, list(rawtypes))
    new_name = {s: n for n, s in renamed.items()}
    extras = [c for c in rawtypes if c not in used and table.extra_columns]
    extras = [c for c in extras if new_name.get(c, c) not in derived]
    extras += [s for s in renamed.values() if s not in extras]  # also a contract column's
    clash = [c for c in extras if c in table.names and c not in new_name]
    if clash:
        warnings.append(
            ValidationWarning(
                name,
                None,
                f"column(s) {', '.join(clash)} dropped: another column is mapped to that name",
            )
        )
        extras = [c for c in extras if c not in clash]
    exprs: dict[str, str] = {}
    numbers = [s for c, s in src.items() if table.column(c).dtype in ("float", "int")]
    plain = _load.plain_numbers(con, raw, [s for s in numbers if rawtypes[s] == "VARCHAR"], spec)
    for cname, s in src.items():
        col = table.column(cname)
        rtype = rawtypes[s]
        if (
            col.dtype == "timestamp"
            and rtype == "VARCHAR"
            and not spec.timestamp_format
            and not (spec.timezone or zone)
        ):
            with_off, without = _load.ts_offset_counts(con, raw, s)
            if with_off and without:
                raise _load.mixed_offsets_error(name, s, with_off, without)
        if col.dtype == "float" and rtype == "VARCHAR":
            symbols = _load.currency_symbols(con, raw, s)
            if len(symbols) > 1:
                raise SchemaError(
                    f"{name}: column {s!r} ({cname}) mixes currencies ({', '.join(symbols)}); "
                    "money must be in one currency. Convert the values to one currency, or "
                    f"map another column in data.tables.{name}.columns.{cname}"
                )
        cspec = spec  # a column of years (2018, 2019 ...) is dates: each year's 1 January
        years = col.dtype in ("timestamp", "period") and not spec.timestamp_format
        if years and _load.all_years(con, raw, s, rtype, spec):
            cspec = spec.model_copy(update={"timestamp_format": "%Y"})
        # an integer period is a count (week 1, 2 ...) only when no timestamp_format reads it
        is_int = (
            col.dtype == "period"
            and not cspec.timestamp_format
            and _load.period_is_int(con, raw, s, rtype)
        )
        exprs[cname] = _load.typed_expr(col, s, rtype, cspec, is_int, zone, plain=s in plain)
        if col.dtype == "id" and rtype == "VARCHAR" and _load.float_ids(con, raw, s):
            # '17850.0' in every row: a float artefact of a spreadsheet export; the same id
            # written '17850' in another table must match
            exprs[cname] = f"regexp_replace({exprs[cname]}, '\\.0+$', '')"
        if cname in spec.scale:  # money in cents, say
            exprs[cname] = scale_sql(exprs[cname], col, spec.scale[cname])
    timed = {c: e for c, e in exprs.items() if c not in spec.durations}
    _check_casts(con, name, raw, table, src, timed, rawtypes, spec)
    exprs |= duration_sql(con, name, raw, spec, src, rawtypes, exprs, zone)  # SLA minutes
    for c, v in spec.constants.items():
        exprs[c] = constant_sql(table.column(c), v)
    for col in absent_columns(name, table, spec, src, warnings):  # every order a guest's
        exprs[col.name] = null_sql(col)
    exprs |= derived  # the province of an address, say
    for target, a, b in table.derived:
        if target not in exprs and a in exprs and (not b or b in exprs):  # b "": a copy of a
            exprs[target] = f"({exprs[a]}) * ({exprs[b]})" if b else exprs[a]
    if table.key and table.key not in src and table.generated_key:
        # numbered in file order (DuckDB keeps the insertion order of a scan)
        prefix = table.generated_key.replace("'", "''")
        exprs = {table.key: f"printf('{prefix}%06d', row_number() OVER ())", **exprs}
    # Text files carry no types: detect numeric attributes. Parquet/JSON types are kept.
    text_cols = [c for c in extras if rawtypes[c] == "VARCHAR"] if from_text else []
    inferred = _load.infer_extra(con, raw, text_cols, spec, markers=True)  # 'NULL' is missing
    select = [f"{e} AS {q(c)}" for c, e in exprs.items()]
    words = _load.attribute_na(spec)  # na_values that are no number: every column's
    for c in extras:
        t = inferred.get(c)
        out = q(new_name.get(c, c))  # an attribute renamed in columns, or its own name
        cell = _load._na(q(c), words) if rawtypes[c] == "VARCHAR" else q(c)
        if rawtypes[c].startswith("TIMESTAMP WITH TIME ZONE"):  # as the contract's: naive
            select.append(f"{_load.wall_time(q(c), zone)} AS {out}")  # in the business's zone
        elif t and t != "VARCHAR":
            select.append(f"TRY_CAST({cell} AS {t}) AS {out}")
        else:
            select.append(f"{cell} AS {out}")
    where = ""
    need = [c for c in table.non_empty if c in src or (c in exprs and c != table.key)]
    if spec.drop_incomplete and need:
        cond = " AND ".join(f"({exprs[c]}) IS NOT NULL" for c in need)
        total, kept = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {cond}) FROM {q(raw)}"
        ).fetchall()[0]
        if total > kept:
            warnings.append(dropped_warning(name, need, total, kept, filled=bool(spec.fill_down)))
        where = f" WHERE {cond}"
    con.execute(
        f"CREATE OR REPLACE TABLE {q(name)} AS SELECT {', '.join(select)} FROM {q(raw)}{where}"
    )
    for rel, kind in reversed(made):
        con.execute(f"DROP {kind} {q(rel)}")


def _is_records(kind: str) -> bool:
    """A list of objects: rows, when a JSON file is one object holding them."""
    return kind.startswith("STRUCT(") and kind.endswith("[]")


def _is_arrays(kind: str) -> bool:
    """A list of arrays (``[["text", "intent"], ...]``): rows of columns by position."""
    return kind.endswith("[][]") and not kind.startswith(("STRUCT(", "MAP("))


def is_rows(kind: str) -> bool:
    """A list whose elements are rows: objects, or arrays of values."""
    return _is_records(kind) or _is_arrays(kind)


ROWS_LIST = "records"
"""The column naming each row's list when ``records`` reads several lists."""


def records_names(spec_records: str | list[str], fields: list[str]) -> list[str]:
    """The fields ``records`` names (a name, a glob, or a list of them), in the file's order."""
    import fnmatch

    wanted = [spec_records] if isinstance(spec_records, str) else list(spec_records)
    return [f for f in fields if any(f == w or fnmatch.fnmatchcase(f, w) for w in wanted)]


def rows_sql(con: duckdb.DuckDBPyConnection, raw: str, field: str, kind: str, label: bool) -> str:
    """A SELECT of the rows in the list ``field`` of ``raw``: an object's fields, or an
    array's values as ``column0``, ``column1``, ...; with ``label``, a column ``records``
    holding the list's name."""
    named = f", {_load.lit(field)} AS {q(ROWS_LIST)}" if label else ""
    inner = f"(SELECT unnest({q(field)}) AS _r FROM {q(raw)})"
    if _is_records(kind):
        return f"SELECT _r.*{named} FROM {inner}"
    width = con.execute(f"SELECT max(len(_r)) FROM {inner}").fetchall()[0][0] or 0
    json = kind.startswith("JSON")
    cols = [f"_r[{i + 1}]" + (" ->> '$'" if json else "") + f" AS column{i}" for i in range(width)]
    return f"SELECT {', '.join(cols) or 'NULL AS column0'}{named} FROM {inner}"


def records_rows(
    con: duckdb.DuckDBPyConnection,
    name: str,
    spec: TableSpec,
    raw: str,
    paths: list[Path],
    warnings: list[ValidationWarning],
    *,
    entry: str | None = None,
    wanted: list[str] | None = None,
) -> tuple[str, bool]:
    """The rows of a JSON file that is one object holding its records in a list (an API
    export: ``{"tickets": [...], "next_page": ...}``): a view of the list's records, per
    ``spec.records`` or found when the object has one such list holding the mapped columns
    (with a warning), and True; ``raw`` itself and False otherwise.

    ``records`` may name several lists (names or globs: CLINC150's ``{"train": [...],
    "test": [...], "oos_train": [...]}``): their rows one after another, with a column
    ``records`` naming each row's list. Rows that are arrays (``["text", "intent"]``) give
    the columns ``column0``, ``column1``, ...

    A ``join`` entry's file passes ``entry`` (``data.tables.orders.join[1]``, whose
    ``records`` the messages name) and ``wanted``, the columns its rows must hold (its keys).
    ``records`` on a file that is not JSON is an error naming that key."""
    key = f"{entry or f'data.tables.{name}'}.records"
    fmt = _load.file_format(paths, spec)
    if fmt != "json":
        if spec.records:
            raise SchemaError(
                f"{name}: {key} is for JSON files; {paths[0].name} is {fmt}. Remove {key}"
            )
        return raw, False
    types = _load.describe(con, raw)
    lists = [c for c, t in types.items() if is_rows(t)]
    rows = f"rows of {entry}" if entry else name
    file = paths[0].name
    if spec.records:
        fields = records_names(spec.records, list(types))
        bad = [f for f in fields if not is_rows(types[f])]
        asked = [spec.records] if isinstance(spec.records, str) else spec.records
        unmatched = [w for w in asked if not records_names(w, list(types))]
        if unmatched or bad:
            named = bad[0] if bad else unmatched[0]
            what = "is not a list of objects or arrays" if bad else "is not a field"
            found = f"; lists of rows there: {', '.join(lists)}" if lists else ""
            raise SchemaError(
                f"{name}: {key} names {named!r}, which {what} of {file} (its top-level "
                f"fields: {', '.join(types)}){found}. Fix {key}"
            )
        kinds = {f: types[f] for f in fields}
        if len({_is_records(k) for k in kinds.values()}) > 1:
            raise SchemaError(
                f"{name}: {key} names lists of objects and lists of arrays in {file} "
                f"({', '.join(f'{f}: {k}' for f, k in kinds.items())}); their rows cannot be "
                f"one table. Fix {key}: name lists of one kind"
            )
    else:
        if not lists or int(con.execute(f"SELECT count(*) FROM {q(raw)}").fetchall()[0][0]) > len(
            paths
        ):
            return raw, False  # records one per line (or in a top-level array): the usual case
        if wanted is None:
            table = TABLES[name]
            wanted = [spec.columns.get(c.name, c.name) for c in table.columns if c.required]
            wanted += list(spec.columns.values())
        missing = {w.split(".")[0].split("[")[0] for w in wanted} - set(types)
        if not missing:
            return raw, False
        inside = {f: _fields(con, raw, f"{q(f)}[1]", types[f][:-2]) for f in lists}
        if spec.join and entry is None:  # a column in none of the lists may come from a join
            missing &= set().union(*inside.values())
            if not missing:
                return raw, False
        fit = [f for f in lists if missing <= set(inside[f])]
        if len(fit) != 1:
            arrays = [f for f in lists if _is_arrays(types[f])]
            shown = "; ".join(
                f"{f!r} (fields {', '.join(inside[f][:8])})"
                if f not in arrays
                else f"{f!r} (arrays: columns column0, column1, ...)"
                for f in lists
            )
            several = (
                f"; several lists are read one after another with records: [{', '.join(lists)}]"
                if len(lists) > 1
                else ""
            )
            nowhere = missing - set().union(*inside.values())  # a typo, not the list's
            best = max(lists, key=lambda f: len(missing & set(inside[f])))  # holds the most
            raise SchemaError(
                f"{name}: {file} is one object holding lists of records, not its rows one per "
                f"line: {shown}; the {'key' if entry else 'mapped'} column(s) "
                f"{', '.join(sorted(nowhere if nowhere and not fit else missing))} are "
                f"{'in several' if fit else 'in none'} of them. Fix: set {key} to the field "
                f"holding the {rows} (e.g. records: {(fit or [best])[0]}) and map its fields"
                f"{several}"
            )
        fields = fit
    view = f"{raw}_records"
    label = isinstance(spec.records, list) or len(fields) > 1
    parts = [rows_sql(con, raw, f, types[f], label) for f in fields]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {q(view)} AS "
        + " UNION ALL BY NAME ".join(f"({p})" for p in parts)
    )
    con.execute(f"DROP VIEW {q(raw)}")
    if not spec.records:
        field = fields[0]
        n = int(con.execute(f"SELECT count(*) FROM {q(view)}").fetchall()[0][0])
        others = [c for c in types if c != field]
        beside = f" (beside {', '.join(others[:5])})" if others else ""
        warnings.append(
            ValidationWarning(
                name,
                None,
                f"{file} is one object holding its {n:,} records in the list {field!r}"
                f"{beside}, as an API export is: read those records as the rows. Set "
                f"{key}: {field} to say so (and silence this warning)",
            )
        )
    return view, True


def _unpivot(
    con: duckdb.DuckDBPyConnection, name: str, spec: TableSpec, raw: str, raw_kind: str
) -> str:
    """The long table of a wide ``raw`` (which is dropped), per ``spec.unpivot``: one row per
    row and wide column with a value; columns of mixed types are turned into text first."""
    assert spec.unpivot is not None
    u = spec.unpivot
    types = _load.describe(con, raw)
    wide, kept = unpivot_columns(name, u, list(types))
    text = len({types[c] for c in wide}) > 1
    src = q(raw)
    if text:  # a number column beside a text one (SQLite, Parquet): the cast reads both
        cols = [q(c) if c in kept else f"CAST({q(c)} AS VARCHAR) AS {q(c)}" for c in types]
        src = f"(SELECT {', '.join(cols)} FROM {q(raw)})"
    value = q(u.values_to)
    blank = ""
    if text or types[wide[0]] == "VARCHAR":  # a blank cell (or an na_values marker) is no
        blank = f" WHERE trim({value}) <> ''"  # value, like an empty one: no row
        if spec.na_values:
            blank += f" AND {value} NOT IN ({', '.join(_load.lit(v) for v in spec.na_values)})"
    long = f"{raw}_long"
    _create(
        con,
        f"CREATE OR REPLACE TEMP TABLE {q(long)} AS SELECT * FROM (UNPIVOT {src} ON "
        f"{', '.join(q(c) for c in wide)} INTO NAME {q(u.names_to)} VALUE {value}){blank}",
        lambda msg: (
            f"{name}: cannot unpivot the columns {', '.join(wide[:5])}: {msg}. Fix "
            f"data.tables.{name}.unpivot"
        ),
    )
    con.execute(f"DROP {raw_kind} {q(raw)}")
    return long


def _pivot(
    con: duckdb.DuckDBPyConnection, name: str, spec: TableSpec, raw: str, raw_kind: str
) -> str:
    """The wide table of key-value rows ``raw`` (which is dropped), per ``spec.pivot``: one
    row per id, one column per key holding its latest value (by ``latest_by``, then file
    order); a row with an empty id, key or value is no value. A key whose every value is a
    number behind an ``n`` (Retail Rocket's ``n12345.000``) loses the ``n``."""
    types = _load.describe(con, raw)
    ident, p = pivot_columns(name, TABLES[name], spec, list(types))
    k, v = f"CAST({q(p.key)} AS VARCHAR)", _load._na(q(p.value), spec)
    text = types[p.value] == "VARCHAR"
    cond = f"{q(ident)} IS NOT NULL AND {k} IS NOT NULL AND ({v}) IS NOT NULL"
    if text:
        cond += f" AND trim({v}) <> ''"
    with_n = f"bool_and(regexp_matches(trim({v}), {_load.lit(NUMBER_WITH_N)}))" if text else "false"
    rows = con.execute(
        f"SELECT {k}, count(*), {with_n} FROM {q(raw)} WHERE {cond} GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    keys = pivot_keys(name, p, ident, [r[0] for r in rows])
    numbers = {r[0] for r in rows if r[2]}
    order = _latest_order(con, name, spec, raw, types[p.latest_by]) if p.latest_by else "NULL"
    listed = ", ".join(_load.lit(x) for x in keys)
    latest = (
        f"SELECT {q(ident)} AS _id, {k} AS _k, {v} AS _v FROM (SELECT *, row_number() OVER () "
        f"AS _n FROM {q(raw)}) WHERE {cond} AND {k} IN ({listed}) QUALIFY row_number() OVER "
        f"(PARTITION BY {q(ident)}, {k} ORDER BY {order} DESC NULLS LAST, _n DESC) = 1"
    )

    def value(key: str) -> str:
        got = "regexp_replace(trim(_v), '^n', '')" if key in numbers else "_v"
        return f"max({got}) FILTER (WHERE _k = {_load.lit(key)}) AS {q(p.column(key))}"

    wide = f"{raw}_wide"
    _create(
        con,
        f"CREATE OR REPLACE TEMP TABLE {q(wide)} AS SELECT _id AS {q(ident)}, "
        f"{', '.join(value(x) for x in keys)} FROM ({latest}) GROUP BY _id ORDER BY _id",
        lambda msg: f"{name}: cannot pivot the key-value rows: {msg}. Fix data.tables.{name}.pivot",
    )
    if text:  # numbers written as text are numbers, as in a text file (a SQLite copy too)
        found = _load.infer_extra(con, wide, [p.column(x) for x in keys])
        for c, t in found.items():
            if t != "VARCHAR":
                con.execute(f"ALTER TABLE {q(wide)} ALTER {q(c)} TYPE {t}")
    con.execute(f"DROP {raw_kind} {q(raw)}")
    return wide


def _latest_order(
    con: duckdb.DuckDBPyConnection, name: str, spec: TableSpec, raw: str, kind: str
) -> str:
    """The SQL ordering ``pivot.latest_by``'s values: the column as typed, text as numbers
    (Unix times), as ``timestamp_format`` reads it, or as timestamps."""
    assert spec.pivot is not None and spec.pivot.latest_by is not None
    c = q(spec.pivot.latest_by)
    if kind != "VARCHAR":
        return c
    fmt = spec.timestamp_format
    tries = [f"TRY_CAST(trim({c}) AS DOUBLE)"]
    if fmt and "%" in fmt:
        tries.append(f"try_strptime(trim({c}), {_load.lit(fmt)})")
    tries.append(f"TRY_CAST(trim({c}) AS TIMESTAMP)")
    filled = f"{c} IS NOT NULL AND trim({c}) <> ''"
    for expr in tries:
        bad = con.execute(
            f"SELECT count(*) FROM {q(raw)} WHERE {filled} AND {expr} IS NULL"
        ).fetchall()[0][0]
        if not bad:
            return expr
    ex = _load.examples(con, f"SELECT DISTINCT {c} FROM {q(raw)} WHERE {filled}")
    raise SchemaError(
        f"{name}: data.tables.{name}.pivot.latest_by {spec.pivot.latest_by!r} holds values that "
        f"are neither numbers nor timestamps, e.g. {', '.join(map(repr, ex))}, so the latest "
        f"value cannot be told. Fix: set data.tables.{name}.timestamp_format to their strptime "
        f"format, or name another column in data.tables.{name}.pivot.latest_by"
    )


def _fields(con: duckdb.DuckDBPyConnection, rel: str, expr: str, kind: str) -> list[str]:
    """The fields of a STRUCT expression (none for a list, a map or a plain value)."""
    if not kind.startswith("STRUCT(") or kind.endswith("]"):
        return []
    sql = f"DESCRIBE SELECT _x.* FROM (SELECT {expr} AS _x FROM {q(rel)})"
    return [r[0] for r in con.execute(sql).fetchall()]


def _kind(con: duckdb.DuckDBPyConnection, rel: str, expr: str) -> str:
    """The DuckDB type of an expression over ``rel``."""
    return str(con.execute(f"DESCRIBE SELECT {expr} FROM {q(rel)}").fetchall()[0][1])


def _nested(
    con: duckdb.DuckDBPyConnection, raw: str, name: str, cname: str, s: str, kind: str
) -> SchemaError:
    """The error for contract column ``cname`` mapped to the nested column ``s``: an object
    names its fields, a list its elements' fields or one row's values."""
    if not kind.endswith("]"):
        return nested_error(name, cname, s, kind, _fields(con, raw, q(s), kind))
    element = re.sub(r"\[\d*\]$", "", kind)
    fields = _fields(con, raw, f"{q(s)}[1]", element)
    example = None
    if not fields and not _NESTED.match(element):
        row = con.execute(
            f"SELECT list_slice({q(s)}, 1, 4), len({q(s)}) FROM {q(raw)} "
            f"WHERE len({q(s)}) > 0 LIMIT 1"
        ).fetchall()
        if row:
            values, n = row[0]
            example = "[" + ", ".join(repr(v) for v in values) + (", ...]" if n > 4 else "]")
    return nested_error(name, cname, s, kind, fields, is_list=True, example=example)


def _with_paths(
    con: duckdb.DuckDBPyConnection,
    name: str,
    spec: TableSpec,
    raw: str,
    rawtypes: dict[str, str],
    nested: dict[str, tuple[str, list[str]]],
) -> str:
    """A view of ``raw`` with one more column per path (named by the path): fields of objects
    by dots, elements of lists by a 1-based index (``tags[1]``, ``comments[1].body``)."""
    exprs = []
    for path, (head, steps) in nested.items():
        contract = next(c for c, p in spec.columns.items() if p == path)
        key = f"data.tables.{name}.columns.{contract}"
        expr, kind, where = q(head), rawtypes[head], head
        for i, f in enumerate(steps):
            index = INDEX_RE.fullmatch(f)
            if index:
                n = list_index(name, path, contract, where, kind, kind.endswith("]"), f)
                expr = f"({expr})[{n}]"
            elif kind.endswith("]"):
                raise SchemaError(
                    f"{name}: column path {path!r} ({contract}): {where!r} is a list ({kind}), "
                    f"not an object; take one element first, e.g. {where}[1].{f} (indexes "
                    f"start at 1). Fix the path in {key}"
                )
            elif kind.startswith("STRUCT("):
                have = _fields(con, raw, expr, kind)
                if f not in have:
                    raise SchemaError(
                        f"{name}: column path {path!r} ({contract}): {where!r} has no field "
                        f"{f!r} (its fields: {', '.join(have)}). Fix the path in {key}"
                    )
                expr = f"struct_extract({expr}, {_load.lit(f)})"
            elif i == 0:
                raise SchemaError(
                    f"{name}: column path {path!r} ({contract}): {head!r} is {kind}, not an "
                    f"object (STRUCT); a dotted path reads a field of an object. Fix the path "
                    f"in {key}"
                )
            else:  # a map or JSON below an object: the engine decides
                expr = f"struct_extract({expr}, {_load.lit(f)})"
            where += f if index else f".{f}"
            if i < len(steps) - 1:
                try:
                    kind = _kind(con, raw, expr)
                except duckdb.Error:
                    break  # the view below reports it
        exprs.append(f"{expr} AS {q(path)}")
    view = f"{raw}_paths"
    _create(
        con,
        f"CREATE OR REPLACE TEMP VIEW {q(view)} AS SELECT *, {', '.join(exprs)} FROM {q(raw)}",
        lambda msg: (
            f"{name}: a dotted path in data.tables.{name}.columns does not lead to a "
            f"field: {msg}. Fix the path (column.field)"
        ),
    )
    return view


def part_sql(col: str, raw_type: str, spec: TableSpec) -> str:
    """SQL of one part of a joined column as text: trimmed, empty (or one of ``na_values``)
    as NULL, a whole number written ``2016.0`` (a spreadsheet's) as ``2016``, a timestamp at
    midnight (a spreadsheet's date) as its date."""
    v = _load._na(q(col), spec)
    if raw_type in ("DOUBLE", "FLOAT"):
        v = f"CASE WHEN {v} = floor({v}) THEN CAST(CAST({v} AS HUGEINT) AS VARCHAR) ELSE CAST({v} AS VARCHAR) END"
    elif raw_type in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"):
        v = f"CASE WHEN {v} = date_trunc('day', {v}) THEN CAST(CAST({v} AS DATE) AS VARCHAR) ELSE CAST({v} AS VARCHAR) END"
    text = f"regexp_replace(trim(CAST({v} AS VARCHAR)), '^(\\d+)\\.0+$', '\\1')"
    return f"NULLIF({text}, '')"


def _with_parts(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    raw: str,
    rawtypes: dict[str, str],
    joined: dict[str, list[str]],
) -> str:
    """A view of ``raw`` with one more column per list of columns in ``columns`` (named by
    the joined names): the parts' values joined with a space, missing when a part is."""
    exprs = [
        " || ' ' || ".join(part_sql(p, rawtypes[p], spec) for p in parts) + f" AS {q(joined_name)}"
        for joined_name, parts in joined.items()
    ]
    view = f"{raw}_parts"
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {q(view)} AS SELECT *, {', '.join(exprs)} FROM {q(raw)}"
    )
    return view


def _create(con: duckdb.DuckDBPyConnection, sql: str, error: Callable[[str], str]) -> None:
    """Run ``sql``; the engine's refusal becomes a :class:`SchemaError` worded by ``error``
    from the engine's message (one line, at most 200 characters)."""
    try:
        con.execute(sql)
    except duckdb.Error as e:
        raise SchemaError(error(" ".join(str(e).split())[:200])) from None


_WORDED_NUMBER = re.compile(r"\d.*[^\W\d_]|[^\W\d_].*\d")


def _number_fix(name: str, c: str, ex: list[str], spec: TableSpec) -> str:
    """What to do about numbers that do not parse: a word beside the number is said to be
    no currency read (those in letters are: ``1 299,00 kr``, ``SEK 1 299``), and the reading
    options not set yet are offered."""
    unset = [o for o in ("na_values", "thousands", "decimal") if not getattr(spec, o)]
    opts = f", or set data.tables.{name}.{' / '.join(unset)}" if unset else ""
    worded = [v for v in ex if _WORDED_NUMBER.search(v)]
    if not worded:
        return f"clean the column, map another one (data.tables.{name}.columns.{c}){opts}"
    return (
        f"{worded[0]!r} holds letters beside the number that are no currency: a currency "
        f"written with a symbol or in letters before or after the number is read (€, $, kr, "
        f"SEK, NOK, DKK, zł, Kč, CHF, Fr., Ft, lei, RM, Rp or any 3-letter ISO code); clean "
        f"the other words from the column, or map another one (data.tables.{name}.columns.{c})"
        f"{opts}"
    )


NUMBER_NA = _load.NUMBER_NA
_NUMERIC = ("float", "int")


def _totals_fix(name: str, column: str, values: list[str], n: int) -> str:
    """The fix for values that do not parse when they are all a totals row's label: leave
    those rows out with a ``where`` on the column's own name, which reads the rows as read
    (byod12b D11). "" otherwise (``values``: the distinct ones, all of them below 5)."""
    cond = _load.totals_where(column, values) if 0 < len(values) < 5 else None
    if cond is None or not all(_load.TOTALS_LABEL.match(v) for v in values):
        return ""
    it, look = (
        ("it", "it looks like a totals row") if n == 1 else ("them", "they look like totals rows")
    )
    return f'{look}: leave {it} out with data.tables.{name}.where: "{cond}"'


def _check_casts(
    con: duckdb.DuckDBPyConnection,
    name: str,
    raw: str,
    table: Table,
    src: dict[str, str],
    exprs: dict[str, str],
    rawtypes: dict[str, str],
    spec: TableSpec,
) -> None:
    """Every non-empty value must parse as its contract type."""
    typed = [c for c in exprs if table.column(c).dtype not in ("id", "string")]
    if not typed:
        return

    def nonempty(c: str) -> str:
        v = _load._na(q(src[c]), spec)
        word = f"trim(CAST({v} AS VARCHAR))"
        na = ", ".join(_load.lit(m) for m in NUMBER_NA)
        marker = f" AND upper({word}) NOT IN ({na})" if table.column(c).dtype in _NUMERIC else ""
        return f"({v}) IS NOT NULL AND {word} <> ''{marker}"

    parts = [f"count(*) FILTER (WHERE {nonempty(c)} AND ({exprs[c]}) IS NULL)" for c in typed]
    counts = con.execute(f"SELECT {', '.join(parts)} FROM {q(raw)}").fetchall()[0]
    for c, n in zip(typed, counts, strict=True):
        if not n:
            continue
        col = table.column(c)
        ex = _load.examples(
            con,
            f"SELECT DISTINCT CAST({q(src[c])} AS VARCHAR) FROM {q(raw)} "
            f"WHERE {nonempty(c)} AND ({exprs[c]}) IS NULL",
        )
        shown = ", ".join(repr(v) for v in ex)
        unit = _load.epoch_unit(ex) if col.dtype in ("timestamp", "period") else None
        counted = (
            _load.counted_fix(ex, f"data.tables.{name}.timestamp_format")
            if col.dtype in ("timestamp", "period") and not spec.timestamp_format
            else None
        )
        totals = _totals_fix(name, src[c], [str(v) for v in ex], n)
        if totals:
            fix = totals
        elif counted:
            fix = counted
        elif unit:
            fix = (
                f"they are Unix times: set data.tables.{name}.timestamp_format: "
                f"{_load.epoch_fix(unit)}"
            )
        elif col.dtype in ("timestamp", "period") and rawtypes[src[c]] in _NUMBER_TYPES:
            fix = (
                f"numbers are read as Unix times: set data.tables.{name}.timestamp_format to "
                "epoch (seconds, 10 digits), epoch_ms (13), epoch_us (16) or epoch_ns (19); "
                "day numbers counted from a date take 'days since 2023-01-01' (0 on that day)"
            )
        elif col.dtype in ("timestamp", "period"):
            every = _load.spread(
                con,
                f"SELECT DISTINCT CAST({q(src[c])} AS VARCHAR) FROM {q(raw)} "
                f"WHERE {nonempty(c)} AND ({exprs[c]}) IS NULL",
            )
            fix = (
                f"set data.tables.{name}.timestamp_format to their strptime format "
                f"({_load.timestamp_hint(every, spec.timestamp_format)})"
            )
        else:
            fix = _number_fix(name, c, [str(v) for v in ex], spec)
        raise SchemaError(
            f"{name}: column {src[c]!r} ({c}) expected {_TYPE_WORDS[col.dtype]}, but {n} "
            f"value(s) do not parse, e.g. {shown} (source type {rawtypes[src[c]]}). Fix: {fix}"
        )
