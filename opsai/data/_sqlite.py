"""SQLite sources: copy a mapped table into the in-process DuckDB, then map it as a file is.

DuckDB reads SQLite only through an extension it downloads, and Ibis's SQLite backend cannot
compile what the chapters need (quantiles, sub-second epochs, ``strptime``). Python's own
``sqlite3`` needs neither: each mapped table (or view) is read in chunks into a typed DuckDB
table ``raw_<table>``, and from there takes the path of a file (casts and their checks,
``timestamp_format``/epochs, ``where``, ``drop_duplicates``, ``drop_incomplete``).

SQLite types a value, not a column, so a column's type is what its values are: only integers
is ``BIGINT``, integers and reals ``DOUBLE``, anything with text (or a blob) ``VARCHAR``
(numbers in it written as SQLite writes them), nothing but nulls ``VARCHAR``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import pyarrow as pa

from opsai.config import Config, TableSpec, is_sqlite_file
from opsai.data._load import q
from opsai.errors import SchemaError

CHUNK_ROWS = 50_000
"""Rows fetched from SQLite and inserted into DuckDB at a time (memory stays flat)."""


def sqlite_path(cfg: Config) -> Path:
    """The SQLite file of ``data.source`` (a path, or ``sqlite:///abs/path``,
    ``sqlite://relative/path``), checked to be one."""
    src = cfg.data.source
    if src.lower().startswith("sqlite:"):
        rest = src.split(":", 1)[1].split("?", 1)[0]
        rest = rest[2:] if rest.startswith("//") else rest
        if not rest.strip("/"):
            raise SchemaError(
                f"data.source {src!r} names no file (an in-memory SQLite database holds no "
                "data). Write sqlite:///absolute/path/shop.db or the file's path"
            )
        path = cfg.resolve(rest)
        relative = cfg.resolve(rest.lstrip("/"))  # SQLAlchemy's sqlite:///relative.db
        if not path.exists() and relative.is_file():
            path = relative
    else:
        path = cfg.resolve(src)
    if not path.is_file():
        raise SchemaError(f"SQLite file {path} not found. Fix data.source in the config")
    if not is_sqlite_file(path):
        raise SchemaError(
            f"{path} is not a SQLite database (it does not start with 'SQLite format 3'). "
            "Fix data.source in the config: a .duckdb file, a SQLite file or a folder of files"
        )
    return path


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)


def _tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [r[0] for r in rows]


def _column_types(db: sqlite3.Connection, source: str, columns: list[str]) -> list[str]:
    """DuckDB type per column from the storage classes its values have (one scan)."""
    if not columns:
        return []
    parts = []
    for c in columns:
        t = f"typeof({q(c)})"
        parts += [f"sum({t} = 'integer')", f"sum({t} = 'real')", f"sum({t} IN ('text', 'blob'))"]
    row = db.execute(f"SELECT {', '.join(parts)} FROM {q(source)}").fetchone() or ()
    out = []
    for i in range(len(columns)):
        ints, reals, texts = (int(v or 0) for v in row[3 * i : 3 * i + 3])
        out.append("VARCHAR" if texts or not (ints or reals) else "DOUBLE" if reals else "BIGINT")
    return out


def _unique(names: list[str]) -> list[str]:
    """Column names made unique (a view's ``SELECT *, x`` can repeat one): ``x``, ``x_2``."""
    seen: set[str] = set()
    out = []
    for n in names:
        m, i = n, 1
        while m.lower() in seen:
            i += 1
            m = f"{n}_{i}"
        seen.add(m.lower())
        out.append(m)
    return out


def _copy_rows(
    db: sqlite3.Connection,
    sql: str,
    con: duckdb.DuckDBPyConnection,
    raw: str,
    names: list[str],
    types: list[str],
) -> None:
    """Insert the rows of ``sql`` into DuckDB's ``raw``, :data:`CHUNK_ROWS` at a time."""
    arrow = {"BIGINT": pa.int64(), "DOUBLE": pa.float64()}
    schema = pa.schema([(c, arrow.get(t, pa.string())) for c, t in zip(names, types, strict=True)])
    view = f"_opsai_sqlite_{raw}"
    cur = db.execute(sql)
    while rows := cur.fetchmany(CHUNK_ROWS):
        arrays = [
            pa.array(values, type=f.type)
            for values, f in zip(zip(*rows, strict=True), schema, strict=True)
        ]
        con.register(view, pa.Table.from_arrays(arrays, schema=schema))
        try:
            con.execute(f"INSERT INTO {q(raw)} SELECT * FROM {q(view)}")
        finally:
            con.unregister(view)


def copy_table(con: duckdb.DuckDBPyConnection, path: Path, name: str, spec: TableSpec) -> str:
    """Copy the SQLite table (or view) of contract table ``name`` into ``raw_<name>``;
    returns that name."""
    source = spec.table or name
    db = _connect(path)
    try:
        have = _tables(db)
        found = next((t for t in have if t.lower() == source.lower()), None)
        if found is None:
            key = f"data.tables.{name}.table"
            raise SchemaError(
                f"{name}: table {source!r} not found in {path.name} (it has: "
                f"{', '.join(have[:30]) or 'no tables'}). Name the table in config: {key}"
            )
        try:
            cur = db.execute(f"SELECT * FROM {q(found)} LIMIT 0")
            columns = [d[0] for d in cur.description]
            types = _column_types(db, found, columns)
            names = _unique(columns)
            raw = f"raw_{name}"
            cols = ", ".join(f"{q(c)} {t}" for c, t in zip(names, types, strict=True))
            con.execute(f"CREATE OR REPLACE TEMP TABLE {q(raw)} ({cols})")
            select = ", ".join(
                f"CAST({q(c)} AS TEXT)" if t == "VARCHAR" else q(c)
                for c, t in zip(columns, types, strict=True)
            )
            sql = f"SELECT {select} FROM {q(found)}"
            try:
                _copy_rows(db, sql, con, raw, names, types)
            except sqlite3.OperationalError as e:
                if "decode" not in str(e):
                    raise
                # text that is not UTF-8 (a blob read as text): the bytes that do not
                # decode become U+FFFD; decoding every value in Python is slower, so only now
                db.text_factory = lambda b: b.decode("utf-8", errors="replace")
                con.execute(f"DELETE FROM {q(raw)}")
                _copy_rows(db, sql, con, raw, names, types)
        except sqlite3.Error as e:  # a view over a missing table or an unknown function
            raise SchemaError(
                f"{name}: cannot read {found!r} from {path.name}: {e}. Fix the view in the "
                f"database or name another table in config: data.tables.{name}.table"
            ) from None
    finally:
        db.close()
    return raw
