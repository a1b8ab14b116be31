"""Database sources (a ``.duckdb`` file, ``postgres://``, any Ibis URL): map a table lazily."""

from __future__ import annotations

import re
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from opsai.config import Config, TableSpec
from opsai.data import _load, _rows
from opsai.data._durations import duration_ibis
from opsai.data._explode import explode_groups, unmatched_error, whole_pattern
from opsai.data._join import join_database
from opsai.data._mapping import (
    INDEX_RE,
    NUMBER_WITH_N,
    ValidationWarning,
    absent_columns,
    constant_ibis,
    database_table,
    dropped_warning,
    duplicate_keys,
    duplicates_warning,
    joined_parts,
    keys_after_where,
    list_index,
    nested_error,
    nested_paths,
    null_ibis,
    pivot_columns,
    pivot_keys,
    renames,
    scale_ibis,
    source_columns,
    unpivot_columns,
)
from opsai.data.schema import AMOUNT, FLAG_FALSE, FLAG_TRUE, QUANTITY, TABLES, Column
from opsai.errors import ConfigError, SchemaError

FILE_KEYS = (
    "file", "format", "sheet", "skip_rows", "sep", "encoding", "header", "records", "derive",
)  # fmt: skip
"""TableSpec keys that say how to read a file (and ``derive``, a column computed when a
file is read): no database source reads them."""
TEXT_KEYS = ("thousands", "decimal", "na_values")
"""TableSpec keys for numbers and missing-value markers written as text: files and SQLite
(whose copies are read as files are); a DuckDB or PostgreSQL column has its own type."""


def check_source_keys(cfg: Config) -> None:
    """Stop when a table of a database source sets a key only files read (it would be ignored).

    Raises:
        ConfigError: one message naming every such ``data.tables.<name>.<key>``.
    """
    kind = cfg.source_kind
    if kind == "folder":
        return
    what = {"sqlite": "a SQLite database", "duckdb": "a DuckDB database"}.get(kind, "a database")
    files, text = [], []
    for name, spec in cfg.data.tables.items():
        given = spec.model_fields_set
        files += [f"data.tables.{name}.{k}" for k in FILE_KEYS if k in given]
        for i, j in enumerate(spec.join):
            files += [
                f"data.tables.{name}.join[{i + 1}].{k}"
                for k in FILE_KEYS
                if k in j.model_fields_set
            ]
        if kind != "sqlite":
            text += [f"data.tables.{name}.{k}" for k in TEXT_KEYS if k in given]
    if not files and not text:
        return
    lines = []
    if files:
        lines.append(
            f"{', '.join(files)}: {'applies' if len(files) == 1 else 'apply'} to files only"
        )
    if text:
        lines.append(
            f"{', '.join(text)}: {'applies' if len(text) == 1 else 'apply'} to files and SQLite "
            "only (numbers and missing-value markers written as text); a database column "
            "has its own type"
        )
    raise ConfigError(
        f"data.source {cfg.data.source!r} is {what}, so these keys would be ignored: "
        + "; ".join(lines)
        + ". Remove them; a database table is named by data.tables.<name>.table and read "
        "with columns, unpivot, pivot, where, timestamp_format, timezone, scale, constants, "
        "drop_duplicates, fill_down, drop_incomplete, explode and join (by table)"
        f"{', thousands, decimal and na_values' if kind == 'sqlite' else ''}"
    )


def connect(cfg: Config) -> Any:
    src = cfg.data.source
    try:
        if cfg.source_kind == "duckdb":
            path = cfg.resolve(src)
            if not path.is_file():
                raise SchemaError(f"DuckDB file {path} not found. Fix data.source in the config")
            return ibis.duckdb.connect(str(path), read_only=True)
        backend = ibis.connect(src)
        if backend.name == "postgres":
            backend.raw_sql("SET TIME ZONE 'UTC'")
        return backend
    except SchemaError:
        raise
    except Exception as e:
        raise SchemaError(
            f"cannot connect to data.source {src!r}: {str(e).splitlines()[0][:200]}. "
            "Check the URL, the server and the credentials"
        ) from None


def map_db_table(
    backend: Any,
    name: str,
    spec: TableSpec,
    warnings: list[ValidationWarning],
    zone: str | None = None,
    after: dict[str, list[str]] | None = None,
) -> ir.Table:
    """A database table mapped to the contract; timestamps become wall-clock times in the
    business's zone ``zone`` (``data.timezone``). With ``after``, a key ``drop_duplicates``
    that must wait for the ``where`` is left to the caller: ``after`` gets its loaded keys."""
    table = TABLES[name]
    raw = database_table(backend, spec.table or name, name, f"data.tables.{name}.table")
    if spec.unpivot:  # a wide table: one column per competitor, turned into rows
        raw = _unpivot(raw, name, spec)
    if spec.pivot:  # key-value rows (item, property, value): one row per id
        raw = _pivot(raw, name, spec)
    if spec.explode:  # a cell listing an order's lines: one row per line
        raw = _explode(raw, name, spec, zone, postgres=backend.name == "postgres")
    if spec.join:  # order lines: the customer and time are on the order header
        raw = join_database(backend, raw, name, spec, warnings)
    for path, (head, fields) in nested_paths(spec, list(raw.columns)).items():
        raw = raw.mutate(**{path: _field(backend, raw, name, spec, raw[head], path, fields, head)})
    joined = joined_parts(name, spec, list(raw.columns))
    if joined:  # a date and a time of day in two columns, read as one
        raw = raw.mutate(**{j: _joined(raw, parts, spec) for j, parts in joined.items()})
    src = source_columns(name, table, spec, list(raw.columns))
    for cname, s in src.items():
        kind = raw[s].type()
        if kind.is_nested() or kind.is_json():
            if kind.is_array():
                item = kind.value_type
                fields = list(item.names) if item.is_struct() else []
                example = None if fields or item.is_nested() else _list_example(raw, s)
                raise nested_error(name, cname, s, str(kind), fields, is_list=True, example=example)
            fields = list(kind.names) if kind.is_struct() else []
            keyed = kind.is_json() or (kind.is_map() and kind.key_type.is_string())
            raise nested_error(name, cname, s, str(kind), fields, keyed=keyed)
        if cname in spec.durations:  # a number counted from the timestamp
            continue
        if table.column(cname).dtype == "timestamp" and _numbers_as_time(kind, spec):
            raise _number_time_error(raw, name, cname, s)
        if (
            table.column(cname).dtype == "timestamp"
            and kind.is_string()
            and not spec.timestamp_format
            and not (spec.timezone or zone)
        ):
            text = raw[s].strip()
            has = text.re_search(_load.OFFSET_RE)
            counts = raw.filter(text.notnull() & (text != "")).aggregate(
                w=ibis.ifelse(has, 1, 0).sum(),
                n=text.count(),  # PostgreSQL: no bool -> int
            )
            with_off, n = (int(x or 0) for x in counts.execute().iloc[0])
            if with_off and with_off < n:
                raise _load.mixed_offsets_error(name, s, with_off, n - with_off)
    used = set(src.values()) | {p for parts in joined.values() for p in parts}
    absent = absent_columns(name, table, spec, src, warnings)

    def contract(t: ir.Table) -> dict[str, ir.Value]:
        out = {
            c: _cast_ibis(t[s], table.column(c), spec, zone)
            for c, s in src.items()
            if c not in spec.durations
        }
        numbers = {c: _cast_ibis(t[src[c]], Column(c, "float"), spec) for c in spec.durations}
        out |= duration_ibis(name, numbers, out, spec)  # SLA minutes after the timestamp
        for c, f in spec.scale.items():
            if c in out:  # money in cents, say
                out[c] = scale_ibis(out[c], table.column(c), f)
        out |= {c: constant_ibis(table.column(c), v) for c, v in spec.constants.items()}
        out |= {c.name: null_ibis(c) for c in absent}  # every order a guest's
        for target, a, b in table.derived:
            if target not in out and a in out and (not b or b in out):  # b "": a copy of a
                out[target] = out[a] * out[b] if b else out[a]
        return out

    later = keys_after_where(name, spec, list(raw.columns)) if after is not None else None
    if later is not None and after is not None:  # the first row of each key the where keeps
        after[name] = later
    elif spec.drop_duplicates:
        by = duplicate_keys(name, spec, list(raw.columns))
        # ordered by the key: a distinct comes back in no fixed order (seeded splits go by row)
        unique = raw.distinct(on=by, keep="first").order_by(by) if by else raw.distinct()
        total, kept = int(raw.count().execute()), int(unique.count().execute())
        if total > kept:
            warnings.append(duplicates_warning(name, total, kept, by))
        raw = unique
    if spec.fill_down:  # before drop_incomplete and where, which see the filled values
        raw, note = _rows.fill_down_database(raw, name, spec)
        if note:
            warnings.append(note)
    need = [c for c in table.non_empty if c in src or c in {t for t, _, _ in table.derived}]
    if spec.drop_incomplete and need:
        typed = contract(raw)
        need = [c for c in need if c in typed]
        keep = ibis.and_(*(typed[c].notnull() for c in need))
        total, kept = int(raw.count().execute()), int(raw.filter(keep).count().execute())
        if total > kept:
            warnings.append(dropped_warning(name, need, total, kept, filled=bool(spec.fill_down)))
        raw = raw.filter(keep)
    out: dict[str, ir.Value] = {}
    if table.key and table.key not in src and table.generated_key:
        width = max(6, len(str(int(raw.count().execute()))))  # lpad cuts longer strings
        number = (ibis.row_number() + 1).cast("string").lpad(width, "0")
        out[table.key] = ibis.literal(table.generated_key) + number
    out |= contract(raw)
    renamed = renames(name, table, spec, list(raw.columns))
    moved = set(renamed.values())
    for c in raw.columns:
        if c not in used | moved and c not in table.names and table.extra_columns:
            out[c] = _naive(raw[c], zone)
    for new, c in renamed.items():  # an attribute kept under the name columns gives it
        out[new] = _naive(raw[c], zone)
    return raw.select(**out)


def _joined(raw: ir.Table, parts: list[str], spec: TableSpec) -> ir.Value:
    """The values of the columns ``parts`` joined with a space, as files get them
    (:func:`~opsai.data._files.part_sql`): each trimmed, empty (or one of ``na_values``) as
    missing, a whole number (2016.0) without its decimals, a date as ISO text; missing when
    a part is."""
    texts = []
    for p in parts:
        v = raw[p]
        kind = v.type()
        if kind.is_floating():
            v = ibis.ifelse(v == v.floor(), v.cast("int64").cast("string"), v.cast("string"))
        elif kind.is_timestamp():
            v = ibis.ifelse(v == v.truncate("D"), v.date().cast("string"), v.cast("string"))
        text = v.cast("string").strip().re_replace(r"^(\d+)\.0+$", r"\1")  # 2016.0
        na = ["", *spec.na_values]
        texts.append(ibis.ifelse(text.isin(na), ibis.null("string"), text))
    out = texts[0]
    for t in texts[1:]:
        out = out.concat(" ", t)
    return ibis.ifelse(ibis.or_(*(t.isnull() for t in texts)), ibis.null("string"), out)


def _unpivot(raw: ir.Table, name: str, spec: TableSpec) -> ir.Table:
    """The long table of a wide one, per ``spec.unpivot`` (Ibis ``pivot_longer``): one row per
    row and wide column with a value; columns of mixed types are turned into text first."""
    assert spec.unpivot is not None
    u = spec.unpivot
    wide, _ = unpivot_columns(name, u, list(raw.columns))
    if len({raw[c].type() for c in wide}) > 1:
        raw = raw.mutate(**{c: raw[c].cast("string") for c in wide})
    long = raw.pivot_longer(list(wide), names_to=u.names_to, values_to=u.values_to)
    return long.filter(long[u.values_to].notnull())


_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
"""Text a number cast reads (a quantity group): others are no number, as DuckDB's TRY_CAST
says for files (PostgreSQL has no TRY_CAST)."""


_FLAGS = re.compile(r"(?<!\\)\(\?[aiLmsux-]+[:)]")
"""An inline flag group, ``(?i)`` or ``(?i:...)``: PostgreSQL takes none inside a pattern."""


def _explode(
    raw: ir.Table, name: str, spec: TableSpec, zone: str | None, *, postgres: bool = False
) -> ir.Table:
    """One row per line of a list cell, per ``spec.explode``, as
    :func:`~opsai.data._explode.explode_file` does for files, in the database: the cell split
    by ``sep`` and unnested, each line trimmed (blank ones dropped) and read whole by the
    pattern, whose groups become columns (empty: missing), and the column mapped to
    ``amount`` split among an order's lines by their quantity (equally without one).

    Raises:
        SchemaError: on PostgreSQL, a pattern with inline flags (``(?i)``), which its
            regular expressions cannot hold where the whole-line match puts them.
    """
    e = spec.explode
    assert e is not None
    cols = list(raw.columns)
    groups = explode_groups(name, spec, cols)
    flag = _FLAGS.search(e.pattern or "") if postgres else None
    if flag:
        key = f"data.tables.{name}.explode.pattern"
        raise SchemaError(
            f"{name}: {key} {e.pattern!r} holds the inline flag {flag.group()!r}, which "
            "PostgreSQL's regular expressions do not take inside a pattern. Fix "
            f"{key}: spell the cases out ('[Xx]' for a case-insensitive x), or export the "
            "table to a file"
        )
    t = raw.mutate(__row=ibis.row_number(), __parts=raw[e.column].cast("string").split(e.sep))
    t = t.unnest("__parts")
    t = t.mutate(__line=t["__parts"].strip()).drop("__parts")
    t = t.filter(t["__line"] != "")
    if e.pattern:
        whole = whole_pattern(e.pattern)
        bad = t.filter(~t["__line"].re_search(whole))
        n = int(bad.count().execute())
        if n:
            ex = bad.order_by("__row").limit(3)["__line"].execute().tolist()
            raise unmatched_error(name, spec, n, [str(x) for x in ex])
        index = re.compile(e.pattern).groupindex
        t = t.mutate(**{g: t["__line"].re_extract(whole, index[g]).nullif("") for g in groups})
    else:
        t = t.mutate(**{e.column: t["__line"]})
    amount = spec.columns.get(AMOUNT)
    if TABLES[name].has(AMOUNT) and isinstance(amount, str) and amount in cols:
        value = _cast_ibis(t[amount], TABLES[name].column(AMOUNT), spec, zone)
        w = ibis.window(group_by=t["__row"])
        if QUANTITY in groups:
            text = t[QUANTITY]
            qty = ibis.ifelse(text.re_search(_NUMBER), text.cast("float64"), ibis.null("float64"))
            weight = qty / qty.sum().over(w)
        else:
            weight = 1.0 / t["__row"].count().over(w)
        t = t.mutate(**{amount: value * weight})
    return t.select(*(c for c in cols if not (c == e.column and e.pattern)), *groups)


def _pivot(raw: ir.Table, name: str, spec: TableSpec) -> ir.Table:
    """The wide table of key-value rows, per ``spec.pivot``, as files get it: one row per id,
    one column per key holding its latest value by ``latest_by`` (a row with an empty id, key
    or value is no value; a key whose every value is a number behind an ``n`` loses it).

    Raises:
        SchemaError: without ``latest_by``, a key repeats for an id (a table's rows have no
            order to tell the latest by).
    """
    ident, p = pivot_columns(name, TABLES[name], spec, list(raw.columns))
    k, v = raw[p.key].cast("string"), raw[p.value]
    keep = raw[ident].notnull() & k.notnull() & v.notnull()
    if v.type().is_string():
        keep &= v.strip() != ""
    rows = raw.filter(keep).mutate(_k=k)
    text = v.type().is_string()

    def every(pattern: str) -> ir.Value:  # PostgreSQL: no bool -> int, no sum of booleans
        if not text:
            return ibis.literal(0)
        return ibis.ifelse(rows[p.value].strip().re_search(pattern), 1, 0).min()

    found = rows.group_by("_k").aggregate(
        _count=rows._k.count(),
        _n=every(NUMBER_WITH_N),
        _ni=every("^n-?(0|[1-9][0-9]{0,17})$"),
        _i=every("^-?(0|[1-9][0-9]{0,17})$"),  # a leading zero (a code) stays text
        _f=every("^-?(0|[1-9][0-9]*)([.][0-9]+)?$"),
    )
    stats = found.order_by([ibis.desc("_count"), "_k"]).execute()
    keys = pivot_keys(name, p, ident, [str(x) for x in stats["_k"]])
    # text values that are numbers are read as numbers, as a text file's are
    kind = {}
    for r in stats.to_dict("records"):
        n = r["_n"] == 1  # 'n12345.000' (Retail Rocket): a number behind an n
        whole = r["_ni"] == 1 if n else r["_i"] == 1
        kind[str(r["_k"])] = (n, "int64" if whole else "float64" if n or r["_f"] == 1 else None)
    rows = rows.filter(rows._k.isin(keys))
    if p.latest_by is None:
        most = rows.group_by([ident, "_k"]).aggregate(_c=rows._k.count())._c.max().execute()
        if most and int(most) > 1:
            raise SchemaError(
                f"{name}: a key of data.tables.{name}.pivot repeats for one id (up to "
                f"{int(most)} rows), and a database table's rows have no order to tell the "
                f"latest by. Set data.tables.{name}.pivot.latest_by to the column ordering "
                "them (a snapshot's time)"
            )
        latest = rows
    else:
        w = ibis.window(group_by=[rows[ident], rows._k], order_by=ibis.desc(rows[p.latest_by]))
        latest = rows.mutate(_r=ibis.row_number().over(w))
        latest = latest.filter(latest._r == 0)
    val = latest[p.value]
    out = {}
    for key in keys:
        n, cast = kind[key]
        got = (val.strip().re_replace("^n", "") if n else val).max(where=latest._k == key)
        out[p.column(key)] = got.cast(cast) if cast else got  # one value: cast after max
    return latest.group_by(ident).aggregate(**out)


def _numbers_as_time(kind: dt.DataType, spec: TableSpec) -> bool:
    """Whether a number column mapped to a timestamp has no reading: no epoch unit, and no
    strptime format of integers (``20240105`` with ``'%Y%m%d'``)."""
    if not kind.is_numeric() or spec.timestamp_format in _load.EPOCH_UNITS:
        return False
    if _load.since(spec.timestamp_format):  # day numbers: 'days since 2023-01-01'
        return False
    return not (kind.is_integer() and spec.timestamp_format)


def _number_time_error(raw: ir.Table, name: str, cname: str, s: str) -> SchemaError:
    """Numbers where a timestamp belongs, with the ``timestamp_format`` their digits suggest
    (files get the same hint; a database would read them as seconds, or not at all)."""
    values = raw.filter(raw[s].notnull()).select(v=raw[s]).distinct().order_by("v").limit(5)
    ex = [int(v) if float(v).is_integer() else float(v) for v in values.execute()["v"]]
    unit = _load.epoch_unit(ex)
    key = f"data.tables.{name}.timestamp_format"
    counted = _load.counted_fix(ex, key)
    if counted:
        fix = counted
    elif unit:
        fix = f"they are Unix times: set {key}: {_load.epoch_fix(unit)}"
    elif ex and all(len(str(v)) == 8 for v in ex):
        fix = f"set {key} to their strptime format ({_load.timestamp_hint(ex)})"
    else:
        fix = (
            f"numbers are read as Unix times: set {key} to epoch (seconds, 10 digits), "
            "epoch_ms (13), epoch_us (16) or epoch_ns (19)"
        )
    shown = ", ".join(repr(str(v)) for v in ex) or "none (every value is empty)"
    return SchemaError(
        f"{name}: column {s!r} ({cname}) expected a timestamp, but it holds numbers, e.g. "
        f"{shown} (source type {raw[s].type()}). Fix: {fix}"
    )


def _field(
    backend: Any,
    raw: ir.Table,
    name: str,
    spec: TableSpec,
    v: ir.Value,
    path: str,
    fields: list[str],
    head: str,
) -> ir.Value:
    """The value a dotted path names inside an object column: a field of a STRUCT, a key of a
    MAP (DuckDB) or of a JSON object (PostgreSQL's ``json``/``jsonb``, DuckDB's ``JSON``), at
    any depth (``properties.page.url``). A key a MAP or JSON object lacks reads as NULL; a JSON
    value is read as text (a string unquoted, a number as written), cast to the contract
    column's type as any other column is.

    Raises:
        SchemaError: a level is not an object, a STRUCT lacks the field, or the engine cannot
            read the path (naming the column, its type and the fix).
    """
    contract = next(c for c, p in spec.columns.items() if p == path)
    key = f"data.tables.{name}.columns.{contract}"
    top = v.type()
    where = head
    for f in fields:
        kind = v.type()
        if INDEX_RE.fullmatch(f):
            n = list_index(name, path, contract, where, str(kind), kind.is_array(), f)
            v = v[n - 1 if n > 0 else n]  # ibis counts from 0
            where += f
            continue
        if kind.is_array():
            raise SchemaError(
                f"{name}: column path {path!r} ({contract}): {where!r} is a list ({kind}), not "
                f"an object; take one element first, e.g. {where}[1].{f} (indexes start at 1). "
                f"Fix the path in {key}"
            )
        if kind.is_json():
            v = v[f]
        elif kind.is_map() and kind.key_type.is_string():
            v = v.get(f)
        elif kind.is_struct():
            if f not in kind.names:
                raise SchemaError(
                    f"{name}: column path {path!r} ({contract}): {where!r} has no field {f!r} "
                    f"(its fields: {', '.join(kind.names)}). Fix the path in {key}"
                )
            v = v[f]
        else:
            raise SchemaError(
                f"{name}: column path {path!r} ({contract}): {where!r} is {kind}, not an object "
                f"(a STRUCT, a MAP with text keys or JSON). Fix the path in {key}"
            )
        where += f".{f}"
    if v.type().is_json():  # a JSON string unquoted, a number or true as written, null: NULL
        j: Any = v
        v = ibis.coalesce(j.unwrap_as("string"), j.cast("string").nullif("null"))
    try:
        backend.compile(raw.select(_path=v))  # an engine without the operation fails here
    except Exception as e:
        keys = [f for f in fields if not INDEX_RE.fullmatch(f)] or [head]
        sql = head + "".join(f"->'{f}'" for f in keys[:-1]) + f"->>'{keys[-1]}'"
        raise SchemaError(
            f"{name}: column path {path!r} ({contract}): the {backend.name} database cannot "
            f"read {head!r} (type {top}) by a dotted path here ({str(e).splitlines()[0][:120]})."
            f" Fix: flatten it in the database, e.g. a view with the value as its own column "
            f"(CREATE VIEW ... AS SELECT ..., {sql} AS {keys[-1]} ...), "
            f"and map that view's column: data.tables.{name}.table and {key}"
        ) from None
    return v


def _list_example(raw: ir.Table, s: str) -> str | None:
    """One row's values of the list column ``s``, as text (``['bad', 'es', ...]``)."""
    try:
        rows = raw.filter(raw[s].length() > 0).select(v=raw[s]).limit(1).execute()["v"]
    except Exception:  # an example, not a check
        return None
    if rows.empty:
        return None
    values = list(rows.iloc[0])
    return "[" + ", ".join(repr(v) for v in values[:4]) + (", ...]" if len(values) > 4 else "]")


def _naive(v: ir.Value, zone: str | None) -> ir.Value:
    """An attribute column as loaded; a ``TIMESTAMP WITH TIME ZONE`` one as the business's
    wall-clock time, as the contract's timestamps are (a warehouse's ``deleted_at``,
    ``_loaded_at``)."""
    t = v.type()
    if t.is_timestamp() and t.timezone is not None:
        return _wall(v, zone, t.scale)
    return v


def _wall(v: ir.Value, zone: str | None, scale: int | None = None) -> ir.Value:
    """The naive wall-clock time in ``zone`` (UTC when ``None``) of a zoned timestamp."""
    if zone:
        return _wall_time(zone, v)
    return v.cast(dt.Timestamp(scale=scale))  # the session runs in UTC


def _cast_ibis(v: ir.Value, col: Column, spec: TableSpec, zone: str | None = None) -> ir.Value:
    kind = v.type()
    if col.dtype in ("id", "string"):
        if col.dtype == "id" and kind.is_floating():
            v = v.cast("int64")
        v = v.cast("string")
        if col.dtype == "id" and spec.lowercase_ids:  # e-mails typed as customers wrote them
            v = v.strip().lower()
        if col.dtype == "id":  # blank: missing (a guest order's customer), as in files
            return ibis.ifelse(v.strip() == "", ibis.null("string"), v)
        return ibis.ifelse(v.re_search(r"^\s*$"), ibis.null("string"), v)  # blank: missing
    if col.flag and kind.is_boolean():  # PostgreSQL casts no boolean to a float
        return ibis.cases((v, 1.0), (~v, 0.0))  # NULL stays missing
    if col.flag and kind.is_string():  # 'True'/'False', 'yes'/'no', 'Y'/'N', '是'/'否'
        word = v.strip().lower()
        number = ibis.ifelse(word == "", ibis.null("float64"), v.cast("float64"))
        return ibis.cases((word.isin(FLAG_TRUE), 1.0), (word.isin(FLAG_FALSE), 0.0), else_=number)
    if col.dtype in ("float", "int"):
        return v.cast("float64" if col.dtype == "float" else "int64")
    counted = _load.since(spec.timestamp_format)
    if col.dtype == "period" and kind.is_integer() and not counted:
        return v
    written = spec.timezone or zone  # the zone of values without an offset
    if counted and (kind.is_numeric() or kind.is_string()):  # 'days since 2023-01-01'
        micros, origin, dates = counted
        steps = (v.cast("float64") * micros).round().cast("int64")
        naive = ibis.timestamp(origin) + steps.as_interval("us")
        return naive if dates else _naive_in(naive, written, zone)
    if spec.timestamp_format in _load.EPOCH_UNITS:  # Unix times: instants
        utc = _from_epoch(v.cast("int64"), spec.timestamp_format)
        return _wall(utc.cast(dt.Timestamp(timezone="UTC")), zone) if zone else utc
    if kind.is_date():  # a calendar day stays on its day
        return v.cast("timestamp")
    fmt = spec.timestamp_format
    if (kind.is_string() or kind.is_integer()) and fmt:
        v = v.cast("string").as_timestamp(fmt)  # 20240105: '%Y%m%d'
        if "%z" in fmt or "%Z" in fmt:  # an instant
            return _zoned_in(v, written, zone)
        if v.type().timezone is not None:  # PostgreSQL's to_timestamp reads it in UTC
            v = v.cast(dt.Timestamp(scale=v.type().scale))
        return v if not _load.has_time(fmt) else _naive_in(v, written, zone)  # dates keep
    if kind.is_timestamp():
        if kind.timezone is not None:
            return _zoned_in(v, written, zone)
        return _naive_in(v, written, zone)
    text = v.cast("string").strip()
    date_only = text.re_search(r"^\d{4}-\d{1,2}(-\d{1,2})?$")
    month = text.re_search(f"^{_load.ISO_MONTH_RE}$")  # '2023-01': the month's first day
    day = ibis.ifelse(month, text + "-01", text)
    naive = _naive_in(day.cast("timestamp"), written, zone, date_only)
    if not kind.is_string():
        return naive
    # text with a UTC offset ('2024-10-31T17:30:00+08:00', Shopify's '... -0500') is an instant
    offset = text.re_search(_load.OFFSET_RE)
    aware = text.re_replace(_load.SPACED_OFFSET_RE, r"\1").cast(dt.Timestamp(timezone="UTC"))
    return ibis.ifelse(offset, _zoned_in(aware, written, zone), naive)


def _naive_in(
    v: ir.Value, written: str | None, zone: str | None, date_only: ir.Value | None = None
) -> ir.Value:
    """A naive timestamp written in ``written`` as wall-clock time in ``zone``; where
    ``date_only`` holds, the value is a date and stays on its day."""
    if not written or written == zone:
        return v
    shifted = _wall(_instant(written, v), zone)
    return shifted if date_only is None else ibis.ifelse(date_only, v, shifted)


def _zoned_in(v: ir.Value, written: str | None, zone: str | None) -> ir.Value:
    """A zoned timestamp as wall-clock time in ``zone``; one at midnight in the table's zone
    ``written`` (when it is another) is a date, kept on its day."""
    wall = _wall(v, zone)
    if not written or written == zone:
        return wall
    local = _wall(v, written)
    return ibis.ifelse(local == local.truncate("D"), local, wall)


def _from_epoch(v: ir.IntegerValue, fmt: str) -> ir.Value:
    """A Unix time in the unit ``fmt`` names as a naive timestamp: 1970 plus an interval
    (Ibis reads Unix seconds and milliseconds on DuckDB only, and none on PostgreSQL)."""
    unit = {"epoch": "s", "epoch_s": "s", "epoch_ms": "ms"}.get(fmt, "us")
    n = v // 1000 if fmt == "epoch_ns" else v
    return ibis.timestamp("1970-01-01 00:00:00") + n.as_interval(unit)


@ibis.udf.scalar.builtin(name="timezone")
def _wall_time(zone: str, ts: dt.Timestamp(timezone="UTC")) -> dt.timestamp:  # type: ignore[valid-type]
    """The wall-clock time in ``zone`` of an instant (DuckDB's and Postgres's ``timezone``)."""


@ibis.udf.scalar.builtin(name="timezone")
def _instant(zone: str, ts: dt.timestamp) -> dt.Timestamp(timezone="UTC"):  # type: ignore[valid-type]
    """The instant of a wall-clock time in ``zone`` (DuckDB's and Postgres's ``timezone``)."""
