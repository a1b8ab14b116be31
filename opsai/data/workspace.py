"""The workspace: a user's data, validated once against the contract, as Ibis tables.

The default engine is DuckDB in-process over the files; a ``.duckdb`` file or any Ibis URL
(``postgres://user@host/db``) works the same, so chapters write portable Ibis expressions
and only modelling-sized frames come back to pandas.

Example:
    >>> ws = open_workspace("demo/opsai.yaml")                     # doctest: +SKIP
    >>> ws.table("orders").group_by("user_id").agg(n=ws.table("orders").count())  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

from opsai.config import Config, TableSpec, load_config
from opsai.data import _load, _rows
from opsai.data._load import q
from opsai.data.schema import REFERENCES, TABLES, Column, Table
from opsai.errors import SchemaError

_TIME_COLUMNS = ("timestamp", "signup_at", "period")


@dataclass(frozen=True)
class ValidationWarning:
    """Something odd in the data that does not stop the run (e.g. orphan ids)."""

    table: str
    column: str | None
    message: str
    count: int = 0

    def __str__(self) -> str:
        col = f".{self.column}" if self.column else ""
        return f"{self.table}{col}: {self.message}"


class Workspace:
    """Validated contract tables on one Ibis backend. Build it with :func:`open_workspace`."""

    def __init__(
        self,
        config: Config,
        backend: Any,
        tables: dict[str, ir.Table],
        warnings: list[ValidationWarning],
        *,
        tmp: Path | None = None,
    ) -> None:
        self.config = config
        self.backend = backend
        self._tables = tables
        self.warnings = warnings
        self._tmp = tmp

    @property
    def present(self) -> tuple[str, ...]:
        """The contract tables this workspace has, in contract order."""
        return tuple(t for t in TABLES if t in self._tables)

    def has(self, *names: str) -> bool:
        return all(n in self._tables for n in names)

    def missing(self, *names: str) -> list[str]:
        return [n for n in names if n not in self._tables]

    def table(self, name: str) -> ir.Table:
        """The validated table as an Ibis expression."""
        if name not in self._tables:
            if name not in TABLES:
                raise SchemaError(f"{name!r} is not a contract table (have: {', '.join(TABLES)})")
            raise SchemaError(
                f"{name}: table not in this workspace (present: {', '.join(self.present) or 'none'}). "
                f"Add it to the config under data.tables.{name}"
            )
        return self._tables[name]

    def to_pandas(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A table (or some of its columns) as pandas; ids are strings, timestamps naive UTC."""
        t = self.table(name)
        if columns is not None:
            missing = [c for c in columns if c not in t.columns]
            if missing:
                raise SchemaError(
                    f"{name}: column(s) {', '.join(missing)} not present (have: {', '.join(t.columns)})"
                )
            t = t.select(columns)
        return t.to_pandas()

    def columns(self, name: str) -> list[str]:
        return list(self.table(name).columns)

    def summary(self) -> pd.DataFrame:
        """One row per present table: rows, columns, and the span of its time column."""
        rows = []
        for name in self.present:
            t = self._tables[name]
            tcol = next((c for c in _TIME_COLUMNS if c in t.columns), None)
            aggs: dict[str, Any] = {"rows": t.count()}
            if tcol:
                aggs |= {"start": t[tcol].min(), "end": t[tcol].max()}
            rec = t.aggregate(**aggs).to_pandas().iloc[0].to_dict()
            rows.append(
                {
                    "table": name,
                    "rows": int(rec["rows"]),
                    "columns": len(t.columns),
                    "time_column": tcol,
                    "start": rec.get("start"),
                    "end": rec.get("end"),
                }
            )
        return pd.DataFrame(
            rows, columns=["table", "rows", "columns", "time_column", "start", "end"]
        )

    def export(self, target: str | os.PathLike[str]) -> None:
        """Copy every table to another engine (a ``.duckdb`` path or an Ibis URL)."""
        target = os.fspath(target)
        dest = ibis.connect(target) if "://" in target else ibis.duckdb.connect(target)
        try:
            for name in self.present:
                dest.create_table(name, self._tables[name].to_pyarrow(), overwrite=True)
        finally:
            dest.disconnect()

    def close(self) -> None:
        try:
            self.backend.disconnect()
        finally:
            if self._tmp is not None:
                shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace(source={self.config.data.source!r}, tables={list(self.present)})"


def open_workspace(config: Config | str | os.PathLike[str]) -> Workspace:
    """Open and validate the configured tables.

    Args:
        config: a :class:`~opsai.config.Config` or the path of a YAML config.

    Raises:
        SchemaError: one message listing every problem found, each naming the table, the
            column, what was expected, what was found and the config key that fixes it.
    """
    cfg = load_config(config)
    errors: list[str] = []
    warnings: list[ValidationWarning] = []
    tables: dict[str, ir.Table] = {}
    tmp: Path | None = None
    con: duckdb.DuckDBPyConnection | None = None  # files are loaded into it
    kind = cfg.source_kind
    if kind == "folder":
        base = cfg.resolve(cfg.data.source)
        if not base.is_dir():
            raise SchemaError(
                f"data source folder {base} not found. Fix data.source in {cfg.path or 'the config'}"
            )
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        with contextlib.suppress(duckdb.Error):  # inside Jupyter DuckDB wants ipywidgets here
            con.execute("SET enable_progress_bar = false")
        tmp = _load.tmpdir()
        for name, spec in cfg.data.tables.items():
            try:
                _load_file_table(con, base, name, spec, tmp, warnings)
            except SchemaError as e:
                errors.append(str(e))
        backend = ibis.duckdb.from_connection(con)
        for name in cfg.data.tables:
            if name in {r[0] for r in con.execute("SHOW TABLES").fetchall()}:
                tables[name] = backend.table(name)
    else:
        backend = _connect(cfg)
        for name, spec in cfg.data.tables.items():
            try:
                tables[name] = _map_db_table(backend, name, spec, warnings)
            except SchemaError as e:
                errors.append(str(e))
    for name, spec in cfg.data.tables.items():
        if spec.where and name in tables:
            try:
                tables[name] = _where(name, spec.where, tables[name], backend, con, warnings)
            except SchemaError as e:
                errors.append(str(e))
                tables.pop(name)
    for name, t in list(tables.items()):
        try:
            _check(name, t, errors, warnings)
        except SchemaError as e:  # a cast the engine refused while scanning
            errors.append(str(e))
            tables.pop(name)
    _check_references(tables, warnings)
    if errors:
        backend.disconnect()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        where = f" ({cfg.path})" if cfg.path else ""
        n = len(errors)
        raise SchemaError(
            f"{n} problem{'s' * (n > 1)} in the data{where}:\n- " + "\n- ".join(errors)
        )
    return Workspace(cfg, backend, tables, warnings, tmp=tmp)


# ---- files -> DuckDB ----------------------------------------------------------------------
def _suggest(name: str, have: list[str]) -> str:
    close = difflib.get_close_matches(name, have, n=1, cutoff=0.6)
    lower = [h for h in have if h.lower() == name.lower()]
    guess = (lower or close or [""])[0]
    return f" (did you mean {guess!r}?)" if guess else ""


def _header_hint(name: str, have: list[str]) -> str:
    """A hint when the header is not what it seems: a title line above it, or a whole header
    in one column (the separator is wrong)."""
    if len(have) > 1 and all(re.fullmatch(r"column\d+", c) for c in have[1:]):
        return (
            f" (the first line looks like a title above the table, not a header: set "
            f"data.tables.{name}.skip_rows to the number of lines above the header)"
        )
    if len(have) != 1:
        return ""
    for sep, word in ((";", "';'"), ("\t", "'\\t'"), ("|", "'|'"), (",", "','")):
        if sep in have[0]:
            return f" (the header looks separated by {word}: set data.tables.{name}.sep)"
    return ""


def _source_columns(name: str, table: Table, spec: TableSpec, have: list[str]) -> dict[str, str]:
    """Contract column -> source column, for the contract columns that are present."""
    _check_constants(name, table, spec, have)
    out: dict[str, str] = {}
    there = {c.name for c in table.columns if spec.columns.get(c.name, c.name) in have}
    derivable = {t for t, a, b in table.derived if a in there and b in there}
    for col in table.columns:
        src = spec.columns.get(col.name, col.name)
        if col.name in spec.constants:
            continue
        if src in have:
            out[col.name] = src
        elif col.name in spec.columns:
            raise SchemaError(
                f"{name}: column {src!r} (mapped to {col.name}) not found (have: "
                f"{', '.join(have)}){_suggest(src, have)}. Fix the mapping in config: "
                f"data.tables.{name}.columns.{col.name}{_header_hint(name, have)}"
            )
        elif col.required and not (
            (col.name == table.key and table.generated_key) or col.name in derivable
        ):
            raise SchemaError(
                f"{name}: required column {col.name!r} not found (have: {', '.join(have)})"
                f"{_suggest(col.name, have)}. Map it in config: data.tables.{name}.columns."
                f"{col.name}: <your column name>{_header_hint(name, have)}"
            )
    return out


def _check_constants(name: str, table: Table, spec: TableSpec, have: list[str]) -> None:
    """``constants`` name contract columns of text or number type that the data lacks."""
    key = f"data.tables.{name}.constants"
    for c, v in spec.constants.items():
        if c not in table.names:
            raise SchemaError(
                f"{name}: {key} names {c!r}, which is not a column of the {name} table "
                f"(its columns: {', '.join(table.names)}){_suggest(c, list(table.names))}"
            )
        col = table.column(c)
        if col.dtype not in ("id", "string", "float", "int"):
            raise SchemaError(
                f"{name}: {key}.{c}: a {col.dtype} column cannot be one value for every row; "
                f"map it from the data instead (data.tables.{name}.columns.{c})"
            )
        if c in spec.columns or c in have:
            where = f"data.tables.{name}.columns" if c in spec.columns else "the data"
            raise SchemaError(
                f"{name}: column {c!r} is both in {where} and in {key}; keep one of the two"
            )
        if _typed_constant(col, v) is None:
            raise SchemaError(f"{name}: {key}.{c} must be a number, got {v!r}")


def _typed_constant(col: Column, v: str | int | float) -> str | int | float | None:
    """A constant in its column's type; ``None`` when a number column gets no number."""
    if col.dtype not in ("float", "int"):
        return str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if col.dtype == "float" else int(x)


def _constant_sql(col: Column, v: str | int | float) -> str:
    x = _typed_constant(col, v)
    if isinstance(x, str):
        return f"CAST({_load.lit(x)} AS VARCHAR)"
    return f"CAST({x!r} AS {'DOUBLE' if col.dtype == 'float' else 'BIGINT'})"


def _constant_ibis(col: Column, v: str | int | float) -> ir.Value:
    dtype = {"float": "float64", "int": "int64"}.get(col.dtype, "string")
    return ibis.literal(_typed_constant(col, v), dtype)


def _load_file_table(
    con: duckdb.DuckDBPyConnection,
    base: Path,
    name: str,
    spec: TableSpec,
    tmp: Path,
    warnings: list[ValidationWarning],
) -> None:
    table = TABLES[name]
    paths = _load.resolve_file(base, name, spec)
    raw = _load.read_raw(con, name, paths, spec, tmp)
    raw_kind = "TABLE" if _load.is_text(_load.file_format(paths, spec)) else "VIEW"
    rawtypes = _load.describe(con, raw)
    if spec.drop_duplicates:
        total, kept = _load.drop_duplicate_rows(con, raw, list(rawtypes), raw_kind)
        raw_kind = "TABLE"
        if total > kept:
            warnings.append(_duplicates_warning(name, total, kept))
    src = _source_columns(name, table, spec, list(rawtypes))
    used = set(src.values())
    extras = [c for c in rawtypes if c not in used and table.extra_columns]
    clash = [c for c in extras if c in table.names]
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
    for cname, s in src.items():
        col = table.column(cname)
        rtype = rawtypes[s]
        if (
            col.dtype == "timestamp"
            and rtype == "VARCHAR"
            and not spec.timestamp_format
            and not spec.timezone
        ):
            with_off, without = _load.ts_offset_counts(con, raw, s)
            if with_off and without:
                raise SchemaError(
                    f"{name}: column {s!r} mixes {with_off} timestamps with a UTC offset and "
                    f"{without} without one, so their time zone is ambiguous. Set the zone of "
                    f"the ones without in config: data.tables.{name}.timezone (e.g. 'UTC')"
                )
        if col.dtype == "float" and rtype == "VARCHAR":
            symbols = _load.currency_symbols(con, raw, s)
            if len(symbols) > 1:
                raise SchemaError(
                    f"{name}: column {s!r} ({cname}) mixes currencies ({', '.join(symbols)}); "
                    "money must be in one currency. Convert the values to one currency, or "
                    f"map another column in data.tables.{name}.columns.{cname}"
                )
        is_int = col.dtype == "period" and _load.period_is_int(con, raw, s, rtype)
        exprs[cname] = _load.typed_expr(col, s, rtype, spec, is_int)
        if col.dtype == "id" and rtype == "VARCHAR" and _load.float_ids(con, raw, s):
            # '17850.0' in every row: a float artefact of a spreadsheet export; the same id
            # written '17850' in another table must match
            exprs[cname] = f"regexp_replace({exprs[cname]}, '\\.0+$', '')"
    _check_casts(con, name, raw, table, src, exprs, rawtypes, spec)
    for c, v in spec.constants.items():
        exprs[c] = _constant_sql(table.column(c), v)
    for target, a, b in table.derived:
        if target not in exprs and a in exprs and b in exprs:
            exprs[target] = f"({exprs[a]}) * ({exprs[b]})"
    if table.key and table.key not in src and table.generated_key:
        # numbered in file order (DuckDB keeps the insertion order of a scan)
        prefix = table.generated_key.replace("'", "''")
        exprs = {table.key: f"printf('{prefix}%06d', row_number() OVER ())", **exprs}
    # Text files carry no types: detect numeric attributes. Parquet/JSON types are kept.
    from_text = _load.is_text(_load.file_format(paths, spec))
    text_cols = [c for c in extras if rawtypes[c] == "VARCHAR"] if from_text else []
    inferred = _load.infer_extra(con, raw, text_cols)
    select = [f"{e} AS {q(c)}" for c, e in exprs.items()]
    for c in extras:
        t = inferred.get(c)
        select.append(f"TRY_CAST({q(c)} AS {t}) AS {q(c)}" if t and t != "VARCHAR" else q(c))
    where = ""
    need = [c for c in table.required if c in src or (c in exprs and c != table.key)]
    if spec.drop_incomplete and need:
        cond = " AND ".join(f"({exprs[c]}) IS NOT NULL" for c in need)
        total, kept = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE {cond}) FROM {q(raw)}"
        ).fetchall()[0]
        if total > kept:
            warnings.append(_dropped_warning(name, need, total, kept))
        where = f" WHERE {cond}"
    con.execute(
        f"CREATE OR REPLACE TABLE {q(name)} AS SELECT {', '.join(select)} FROM {q(raw)}{where}"
    )
    con.execute(f"DROP {raw_kind} {q(raw)}")


def _where(
    name: str,
    cond: str,
    t: ir.Table,
    backend: Any,
    con: duckdb.DuckDBPyConnection | None,
    warnings: list[ValidationWarning],
) -> ir.Table:
    """The table with only the rows ``cond`` (data.tables.<name>.where) holds for."""
    if con is not None:  # files loaded into DuckDB: filter the table in place
        total, kept = _rows.where_file(con, name, cond)
        t = backend.table(name)
    else:
        t, total, kept = _rows.where_database(backend, t, name, cond)
    warnings.append(
        ValidationWarning(
            name,
            None,
            f"{total - kept:,} of {total:,} row(s) ({(total - kept) / max(total, 1):.1%}) left "
            f"out by data.tables.{name}.where ({cond})",
            total - kept,
        )
    )
    return t


def _duplicates_warning(name: str, total: int, kept: int) -> ValidationWarning:
    return ValidationWarning(
        name,
        None,
        f"{total - kept:,} of {total:,} row(s) ({(total - kept) / total:.1%}) dropped: exact "
        f"repeats of an earlier row (data.tables.{name}.drop_duplicates)",
    )


def _dropped_warning(name: str, need: list[str], total: int, kept: int) -> ValidationWarning:
    return ValidationWarning(
        name,
        None,
        f"{total - kept:,} of {total:,} row(s) ({(total - kept) / total:.1%}) dropped: empty "
        f"{' or '.join(need)} (data.tables.{name}.drop_incomplete)",
    )


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
        return f"({v}) IS NOT NULL AND trim(CAST({v} AS VARCHAR)) <> ''"

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
        if col.dtype in ("timestamp", "period"):
            fix = (
                f"set data.tables.{name}.timestamp_format to their strptime format "
                f"({_load.timestamp_hint(ex)})"
            )
        else:
            fix = (
                f"clean the column, map another one (data.tables.{name}.columns.{c}), or set "
                f"data.tables.{name}.na_values / thousands"
            )
        raise SchemaError(
            f"{name}: column {src[c]!r} ({c}) expected {_TYPE_WORDS[col.dtype]}, but {n} "
            f"value(s) do not parse, e.g. {shown} (source type {rawtypes[src[c]]}). Fix: {fix}"
        )


_TYPE_WORDS = {
    "float": "a number",
    "int": "an integer",
    "timestamp": "a timestamp",
    "period": "a date or an integer period",
    "id": "an id",
    "string": "text",
}


# ---- database sources ---------------------------------------------------------------------
def _connect(cfg: Config) -> Any:
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


def _map_db_table(
    backend: Any, name: str, spec: TableSpec, warnings: list[ValidationWarning]
) -> ir.Table:
    table = TABLES[name]
    tname = spec.table or name
    try:
        raw = backend.table(tname)
    except Exception:
        have = ", ".join(sorted(backend.list_tables())[:20])
        raise SchemaError(
            f"{name}: table {tname!r} not found in the database (has: {have}). "
            f"Fix data.tables.{name}.table"
        ) from None
    src = _source_columns(name, table, spec, list(raw.columns))
    used = set(src.values())

    def contract(t: ir.Table) -> dict[str, ir.Value]:
        out = {c: _cast_ibis(t[s], table.column(c), spec) for c, s in src.items()}
        out |= {c: _constant_ibis(table.column(c), v) for c, v in spec.constants.items()}
        for target, a, b in table.derived:
            if target not in out and a in out and b in out:
                out[target] = out[a] * out[b]
        return out

    if spec.drop_duplicates:
        total, kept = int(raw.count().execute()), int(raw.distinct().count().execute())
        if total > kept:
            warnings.append(_duplicates_warning(name, total, kept))
        raw = raw.distinct()
    need = [c for c in table.required if c in src or c in {t for t, _, _ in table.derived}]
    if spec.drop_incomplete and need:
        typed = contract(raw)
        need = [c for c in need if c in typed]
        keep = ibis.and_(*(typed[c].notnull() for c in need))
        total, kept = int(raw.count().execute()), int(raw.filter(keep).count().execute())
        if total > kept:
            warnings.append(_dropped_warning(name, need, total, kept))
        raw = raw.filter(keep)
    out: dict[str, ir.Value] = {}
    if table.key and table.key not in src and table.generated_key:
        width = max(6, len(str(int(raw.count().execute()))))  # lpad cuts longer strings
        number = (ibis.row_number() + 1).cast("string").lpad(width, "0")
        out[table.key] = ibis.literal(table.generated_key) + number
    out |= contract(raw)
    for c in raw.columns:
        if c not in used and c not in table.names and table.extra_columns:
            out[c] = raw[c]
    return raw.select(**out)


def _cast_ibis(v: ir.Value, col: Column, spec: TableSpec) -> ir.Value:
    dt = v.type()
    if col.dtype in ("id", "string"):
        if col.dtype == "id" and dt.is_floating():
            v = v.cast("int64")
        v = v.cast("string")
        if col.dtype == "id":
            return v
        return ibis.ifelse(v.re_search(r"^\s*$"), ibis.null("string"), v)  # blank: missing
    if col.dtype in ("float", "int"):
        return v.cast("float64" if col.dtype == "float" else "int64")
    if col.dtype == "period" and dt.is_integer():
        return v
    if spec.timestamp_format in _load.EPOCH_UNITS:
        unit = {"epoch": "s", "epoch_s": "s", "epoch_ms": "ms", "epoch_us": "us"}
        v = v.cast("int64").as_timestamp(unit[spec.timestamp_format])
    elif dt.is_string() and spec.timestamp_format:
        v = v.as_timestamp(spec.timestamp_format)
    elif not dt.is_timestamp():
        v = v.cast("timestamp")
    if v.type().timezone is not None:
        utc = v.cast("timestamp")  # the session runs in UTC, so this is naive UTC
        if not spec.timezone:
            return utc
        local = _wall_time(spec.timezone, v)  # midnight there: a date, kept on its day
        return ibis.ifelse(local == local.truncate("D"), local, utc)
    return v


@ibis.udf.scalar.builtin(name="timezone")
def _wall_time(zone: str, ts: dt.Timestamp(timezone="UTC")) -> dt.timestamp:  # type: ignore[valid-type]
    """The wall-clock time in ``zone`` of an instant (DuckDB's and Postgres's ``timezone``)."""


# ---- checks that run on any engine --------------------------------------------------------
def _scalar(expr: Any) -> Any:
    return expr.execute()


def _check(name: str, t: ir.Table, errors: list[str], warnings: list[ValidationWarning]) -> None:
    table = TABLES[name]
    present = [c for c in table.columns if c.name in t.columns]
    aggs: dict[str, Any] = {"__rows": t.count()}
    for c in present:
        if c.required:
            aggs[f"null__{c.name}"] = t[c.name].isnull().sum()
        if c.dtype == "float":
            aggs[f"neg__{c.name}"] = (t[c.name] < 0).sum()
            aggs[f"inf__{c.name}"] = (t[c.name].abs() > 1e300).sum()
        if c.bounds:
            lo, hi = c.bounds
            aggs[f"oob__{c.name}"] = ((t[c.name] < lo) | (t[c.name] > hi)).sum()
    try:
        res = t.aggregate(**aggs).to_pandas().iloc[0].to_dict()
    except Exception as e:
        raise SchemaError(
            f"{name}: the engine could not convert the columns to the contract's types: "
            f"{str(e).splitlines()[0][:200]}. Cast them in the database or fix "
            f"data.tables.{name}.columns / timestamp_format"
        ) from None
    if int(res["__rows"]) == 0:
        errors.append(
            f"{name}: the table has no rows. Export the data again, or remove data.tables.{name} "
            "from the config"
        )
        return
    for c in present:
        nulls = int(res.get(f"null__{c.name}", 0) or 0)
        if nulls:
            errors.append(
                f"{name}: required column {c.name!r} is empty in {nulls} row(s). Fill or drop "
                f"those rows, or map another column in data.tables.{name}.columns.{c.name}"
            )
        neg = int(res.get(f"neg__{c.name}", 0) or 0)
        if neg and c.nonnegative:
            errors.append(
                f"{name}: column {c.name!r} expected >= 0, found {neg} negative value(s). "
                f"Fix the data or map another column in data.tables.{name}.columns.{c.name}"
            )
        elif neg and name == "orders":
            warnings.append(
                ValidationWarning(
                    name, c.name, f"{neg} negative value(s) (returns or refunds?)", neg
                )
            )
        inf = int(res.get(f"inf__{c.name}", 0) or 0)
        if inf:
            errors.append(
                f"{name}: column {c.name!r} has {inf} value(s) too large to be real (over 1e300 "
                "or infinite). Fix the data or set na_values"
            )
        oob = int(res.get(f"oob__{c.name}", 0) or 0)
        if oob and c.bounds:
            lo, hi = c.bounds
            pct = " (percentages? divide by 100)" if hi == 1.0 else ""
            errors.append(
                f"{name}: column {c.name!r} expected values in [{lo}, {hi}], found {oob} outside{pct}. "
                f"Fix the data or map another column in data.tables.{name}.columns.{c.name}"
            )
    if name == "market" and not any("'share'" in e for e in errors):
        _check_share_sums(t, errors)
    if table.key and table.key in t.columns:
        k = table.key
        dup = t.group_by(k).aggregate(n=t.count()).filter(lambda d: d.n > 1)
        ndup = int(_scalar(dup.count()))
        if ndup:
            ex = dup.order_by(ibis.desc("n"), k).limit(5).to_pandas()[k].tolist()
            errors.append(
                f"{name}: column {k!r} must be unique, but {ndup} id(s) repeat, e.g. "
                f"{', '.join(map(repr, ex))}. Remove the duplicates or map another id column "
                f"in data.tables.{name}.columns.{k}"
            )


def _check_share_sums(t: ir.Table, errors: list[str]) -> None:
    """Market shares of one period (and segment) must not add up to more than 1: shares
    written in percent below 1% each (a product-level table's 0.38 for 0.38%) pass the [0, 1]
    bounds, and would otherwise be read as 38%."""
    if "share" not in t.columns or "period" not in t.columns:
        return
    by = ["period", "segment"] if "segment" in t.columns else ["period"]
    sums = t.group_by(by).aggregate(total=t.share.sum())
    over = sums.filter(sums.total > 1.01)
    n = int(_scalar(over.count()))
    if not n:
        return
    top = over.order_by(ibis.desc("total")).limit(1).to_pandas()  # a frame: ints stay ints
    where = ", ".join(str(top[c].iloc[0])[: 10 if c == "period" else None] for c in by)
    errors.append(
        f"market: column 'share' adds up to more than 1 within {n} of "
        f"{int(_scalar(sums.count()))} {' and '.join(by)} group(s), e.g. "
        f"{top['total'].iloc[0]:.4g} in "
        f"{where} (percentages? divide by 100; shares are fractions of the market). Fix the "
        "data or map another column in data.tables.market.columns.share"
    )


def _check_references(tables: dict[str, ir.Table], warnings: list[ValidationWarning]) -> None:
    for name, refs in REFERENCES.items():
        if name not in tables:
            continue
        t = tables[name]
        for col, target in refs:
            if target not in tables or col not in t.columns:
                continue
            ids = t.select(col).filter(t[col].notnull()).distinct()
            known = tables[target].select(tables[target][col]).distinct()
            try:
                n = int(_scalar(ids.anti_join(known, col).count()))
            except Exception:  # a check, not a blocker
                continue
            if n:
                hint = _zeros_hint(t, tables[target], col, n)
                warnings.append(
                    ValidationWarning(name, col, f"{n} distinct id(s) not in {target}{hint}", n)
                )


def _zeros_hint(t: ir.Table, other: ir.Table, col: str, n: int) -> str:
    """Why ids of ``t`` may be missing from ``other``: they match its ids once leading zeros
    are ignored (a spreadsheet read one export's ids as numbers and dropped them)."""
    a = t.select(a=t[col]).distinct()
    b = other.select(b=other[col]).distinct()
    a = a.mutate(bare_a=a.a.re_replace(r"^0+", ""))
    b = b.mutate(bare_b=b.b.re_replace(r"^0+", ""))
    try:
        pairs = a.join(b, a.bare_a == b.bare_b).filter(lambda x: x.a != x.b)
        m = min(int(_scalar(pairs.a.nunique())), n)
        ex = pairs.order_by("a").limit(1).to_pandas()
    except Exception:  # a hint, not a check
        return ""
    if not m:
        return ""
    return (
        f"; {m} of them match once leading zeros are ignored (e.g. {ex['a'].iloc[0]!r} and "
        f"{ex['b'].iloc[0]!r}): a spreadsheet may have dropped the zeros. Export {col} as text "
        f"in both files"
    )
