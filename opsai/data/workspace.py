"""The workspace: a user's data, validated once against the contract, as Ibis tables.

The default engine is DuckDB in-process over the files (a SQLite file's tables are copied
into it and read as files are); a ``.duckdb`` file or any Ibis URL
(``postgres://user@host/db``) works the same, so chapters write portable Ibis expressions
and only modelling-sized frames come back to pandas.

Example:
    >>> ws = open_workspace("demo/opsai.yaml")                     # doctest: +SKIP
    >>> ws.table("orders").group_by("user_id").agg(n=ws.table("orders").count())  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd

from opsai.config import Config, TableSpec, load_config
from opsai.data import _rows
from opsai.data._checks import (
    check_case_ids,
    check_currency,
    check_references,
    check_session_ids,
    check_table,
)
from opsai.data._database import check_source_keys, connect, map_db_table
from opsai.data._files import load_file_table
from opsai.data._mapping import ValidationWarning, duplicates_warning, rows_out
from opsai.data._returns import refund_lines
from opsai.data._sqlite import copy_table, sqlite_path
from opsai.data._strays import stray_times
from opsai.data.schema import CAMPAIGN, CATEGORY, ITEM_ID, TABLES, TIMESTAMP, USER_ID
from opsai.errors import SchemaError

_TIME_COLUMNS = ("timestamp", "signup_at", "period")
LOAD_WARNINGS = "opsai_load_warnings"
"""A table of the report's validated copy of the data (see :meth:`Workspace.save_load_warnings`):
the warnings raised when the user's data was read (rows dropped, left out or filled), which
the chapters, reading the copy, would not see otherwise."""
SOURCE_COLUMNS = "opsai_source_columns"
"""A table of the report's validated copy of the data (see :meth:`Workspace.save_source_columns`):
each table's contract columns and the user's columns they were read from, which the copy's
config (its tables mapped already) no longer holds."""
STOCK_HISTORY = "opsai_stock_history"
"""The on-hand history of an inventory of dated snapshots (:func:`opsai.data._rows.stock_history`),
which the inventory table itself keeps only the latest of; in a report's copy of the data too."""


class Workspace:
    """Validated contract tables on one Ibis backend. Build it with :func:`open_workspace`."""

    def __init__(
        self,
        config: Config,
        backend: Any,
        tables: dict[str, ir.Table],
        warnings: list[ValidationWarning],
        load_warnings: list[ValidationWarning] | None = None,
        sources: dict[str, dict[str, str]] | None = None,
        history: ir.Table | None = None,
    ) -> None:
        self.config = config
        self._history = history
        self._sources = sources
        self.backend = backend
        self._tables = tables
        self.warnings = warnings
        self.load_warnings = load_warnings or []
        """The warnings about reading the data (table options), not about checking it."""

    @property
    def present(self) -> tuple[str, ...]:
        """The contract tables this workspace has, in contract order."""
        return tuple(t for t in TABLES if t in self._tables)

    @property
    def absent(self) -> dict[str, str]:
        """The contract columns the data lacks and that load all-missing (``Column.absent``:
        orders without a customer column), ``"table.column"`` -> what validation said."""
        out: dict[str, str] = {}
        for w in self.warnings:
            t = TABLES.get(w.table)
            col = t.column(w.column) if t and w.column and t.has(w.column) else None
            if w.table in self._tables and col is not None and col.absent == w.message:
                out[f"{w.table}.{w.column}"] = w.message
        return out

    def where(self, name: str) -> str:
        """The table's ``data.tables.<name>.where``, or "" without one; in a report's copy of
        the data (whose config has no ``where``: its rows are already filtered) the condition
        its load warning names."""
        spec = self.config.data.tables.get(name)
        if spec is not None and spec.where:
            return spec.where
        said = re.compile(rf"left out by data\.tables\.{re.escape(name)}\.where \((.*)\)$")
        for w in self.warnings:
            if w.table == name and (m := said.search(w.message)):
                return m.group(1)
        return ""

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
        """A table (or some of its columns) as pandas; ids are strings, timestamps naive (the
        business's wall-clock time: ``data.timezone``, UTC by default)."""
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

    def timed(self, name: str) -> bool:
        """Whether table ``name`` has times: a ``timestamp`` column the data has (events
        without one, a timeless interaction matrix, load it all-missing: ``absent``)."""
        return (
            self.has(name)
            and TIMESTAMP in self.columns(name)
            and f"{name}.{TIMESTAMP}" not in self.absent
        )

    def sentiment_by(self) -> str:
        """Who gave the tickets' ``sentiment``: ``"customer"`` (a rating) or ``"tool"`` (a
        social-listening tool's label; ``data.tables.tickets.sentiment_by``)."""
        spec = self.config.data.tables.get("tickets")
        return spec.sentiment_by if spec is not None else "customer"

    def demand_in_money(self) -> bool:
        """Whether the ``demand`` table measures sales in money, not units: it maps an
        ``amount`` (store turnover: Rossmann's ``Sales``) and no quantity, which is then the
        amount (byod9a D3: 4.3 million EUR read "units sold"). Its forecasts and headlines
        are in the config's currency."""
        if not self.has("demand") or "amount" not in self.columns("demand"):
            return False
        if not hasattr(self, "_demand_money"):
            t = self.table("demand")
            differ = t.filter(t["quantity"].cast("float64") != t["amount"].cast("float64"))
            self._demand_money = int(differ.count().to_pandas()) == 0
        return self._demand_money

    def demand_unit(self, *, plural: bool = True) -> str:
        """What a demand figure counts: ``units`` (``unit``), or the currency when
        :meth:`demand_in_money` (``EUR``; ``money`` without a currency)."""
        if self.demand_in_money():
            return self.config.currency or "money"
        return "units" if plural else "unit"

    def non_items(self, name: str) -> list[str]:
        """The item ids (and globs) ``data.tables.<name>.non_items`` lists: lines that are no
        product (postage, fees), in revenue but not in the analyses per item."""
        spec = self.config.data.tables.get(name)
        return list(spec.non_items) if spec is not None else []

    def non_item_ids(self) -> list[str]:
        """Every table's :meth:`non_items`, once each: an id one table lists is no item in
        any (the catalogue and the inventory included)."""
        return list(dict.fromkeys(x for n in self.present for x in self.non_items(n)))

    def is_non_item(self, name: str, t: ir.Table | None = None) -> ir.BooleanValue:
        """Per row of ``t`` (default: the table ``name``), whether its item is one of
        :meth:`non_item_ids` (False without any, or without an item_id column)."""
        t = self.table(name) if t is None else t
        return non_item_rows(t, self.non_item_ids())

    def category_items(self) -> ir.Table | None:
        """The ``items`` table; without one, when the orders' ``item_id`` is read from a column
        named as a category (an Istanbul mall export's ``category``, which ``opsai init`` takes
        as the item of order lines naming none), one row per item whose ``category`` is the
        item itself, so 03a's segments name their top categories (byod13a D5); else ``None``."""
        from opsai.data._synonyms import name_score

        if self.has("items"):
            return self.table("items")
        src = self.source_columns("orders").get(ITEM_ID) if self.has("orders") else None
        if src is None or name_score(src, CATEGORY, TABLES["items"]) < 0.6:
            return None
        o = self.table("orders")
        ids = o.select(o[ITEM_ID].cast("string").name(ITEM_ID)).distinct()
        return ids.mutate(**{CATEGORY: ids[ITEM_ID]})

    def item_lines(self, name: str, t: ir.Table | None = None) -> ir.Table:
        """``t`` (default: the table ``name``) without the rows of :meth:`non_item_ids`: the
        rows the analyses per item (recommendations, demand series, top items) read."""
        t = self.table(name) if t is None else t
        ids = self.non_item_ids()
        return t.filter(~non_item_rows(t, ids)) if ids else t

    def non_items_note(self) -> str | None:
        """One sentence per table with :meth:`non_items`: how many of its lines (and how much
        revenue) they are, kept in revenue and left out of the analyses per item; ``None``
        when no table lists any."""
        parts = []
        for name in self.present:
            ids = self.non_items(name)
            if not ids:
                continue
            t = self.table(name)
            hit = non_item_rows(t, ids)
            aggs: dict[str, Any] = {"lines": ibis.ifelse(hit, 1, 0).sum(), "rows": t.count()}
            if "amount" in t.columns:
                aggs |= {"money": t["amount"].sum(where=hit), "total": t["amount"].sum()}
            r = t.aggregate(**aggs).to_pandas().iloc[0]
            lines, rows = int(r["lines"] or 0), int(r["rows"])
            money = ""
            if "money" in r and pd.notna(r["total"]) and r["total"]:
                got = 0.0 if pd.isna(r["money"]) else float(r["money"])
                money = (
                    f" holding {got:,.2f} {self.config.currency} "
                    f"({got / float(r['total']):.1%} of its revenue, still counted in it)"
                )
            parts.append(
                f"{lines:,} of the {rows:,} {_LINES.get(name, name)} lines are no product "
                f"(data.tables.{name}.non_items: {', '.join(ids)}){money}; they are left out "
                "of the analyses per item."
            )
        return " ".join(parts) or None

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
            if self._history is not None:
                dest.create_table(STOCK_HISTORY, self._history.to_pyarrow(), overwrite=True)
        finally:
            dest.disconnect()

    def save_load_warnings(self, con: duckdb.DuckDBPyConnection, schema: str = "main") -> None:
        """Write :attr:`load_warnings` into the DuckDB database ``schema`` of ``con`` (a copy of
        this workspace's tables), where :func:`open_workspace` reads them back."""
        if not self.load_warnings:
            return
        rows = pd.DataFrame([dataclasses.asdict(w) for w in self.load_warnings])
        con.register("opsai_load_rows", rows)
        try:
            con.execute(f'CREATE TABLE {schema}."{LOAD_WARNINGS}" AS SELECT * FROM opsai_load_rows')
        finally:
            con.unregister("opsai_load_rows")

    def stock_history(self) -> pd.DataFrame | None:
        """The inventory's on-hand history ``[item_id, store, timestamp, on_hand]`` when its
        rows are dated stock snapshots (a daily ``Inventory Level`` per store and product), of
        which the ``inventory`` table keeps each item's latest; ``store`` is empty when no
        location column names the rows. ``None`` for a single snapshot (byod12a D9, D10)."""
        if self._history is None:
            return None
        out = self._history.to_pandas()
        out[TIMESTAMP] = pd.to_datetime(out[TIMESTAMP])
        return out

    def source_columns(self, name: str) -> dict[str, str]:
        """The user's columns that table ``name``'s contract columns were read from, e.g.
        ``{"item_id": "Store", "timestamp": "Date"}`` (``data.tables.<name>.columns``; in a
        report's copy of the data, what :meth:`save_source_columns` kept). Columns named as
        the contract already are not listed."""
        if self._sources is not None:
            return dict(self._sources.get(name, {}))
        spec = self.config.data.tables.get(name)
        return dict(spec.columns) if spec is not None else {}

    def save_source_columns(self, con: duckdb.DuckDBPyConnection, schema: str = "main") -> None:
        """Write :meth:`source_columns` of every table into the DuckDB database ``schema`` of
        ``con`` (a copy of this workspace's tables), where :func:`open_workspace` reads them."""
        rows = pd.DataFrame(
            [(n, k, v) for n in self.present for k, v in self.source_columns(n).items()],
            columns=["table", "contract", "source"],
        )
        con.register("opsai_source_rows", rows)
        try:
            con.execute(
                f'CREATE TABLE {schema}."{SOURCE_COLUMNS}" AS SELECT * FROM opsai_source_rows'
            )
        finally:
            con.unregister("opsai_source_rows")

    def close(self) -> None:
        self.backend.disconnect()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workspace(source={self.config.data.source!r}, tables={list(self.present)})"


_GLOB = set("*?")
_LINES = {"orders": "order", "events": "event"}


def non_item_rows(t: ir.Table, ids: list[str]) -> ir.BooleanValue:
    """Per row of ``t``, whether its ``item_id`` (as text, blanks trimmed) is one of ``ids``
    or matches one of them holding ``*`` (any text) or ``?`` (one character); False for a
    missing item, for no ``ids`` and for a table without item_id."""
    if not ids or "item_id" not in t.columns:
        return ibis.literal(False)
    code = t["item_id"].cast("string").strip()
    exact = [x for x in ids if not _GLOB & set(x)]
    hit: ir.BooleanValue = code.isin(exact) if exact else ibis.literal(False)
    for g in (x for x in ids if _GLOB & set(x)):
        pattern = "".join(
            ".*" if c == "*" else "." if c == "?" else "\\" + c if c in "\\.^$|+()[]{}" else c
            for c in g
        )
        hit = hit | code.re_search(f"^{pattern}$")
    return hit.fill_null(False)


def open_workspace(config: Config | str | os.PathLike[str]) -> Workspace:
    """Open and validate the configured tables.

    Args:
        config: a :class:`~opsai.config.Config` or the path of a YAML config.

    Raises:
        ConfigError: a table of a database source sets a key only files read (``sep``...).
        SchemaError: one message listing every problem found, each naming the table, the
            column, what was expected, what was found and the config key that fixes it.
    """
    cfg = load_config(config)
    errors: list[str] = []
    warnings: list[ValidationWarning] = []
    tables: dict[str, ir.Table] = {}
    after: dict[str, list[str]] = {}  # drop_duplicates keys that wait for the where
    read_where: set[str] = set()  # tables whose where ran on the rows as read
    history: ir.Table | None = None  # dated stock snapshots: the on-hand history
    sources: dict[str, dict[str, str]] | None = None  # a report's copy: the columns read from
    con: duckdb.DuckDBPyConnection | None = None  # files are loaded into it
    kind = cfg.source_kind
    zone = cfg.data.timezone  # timestamps become the business's wall-clock times
    check_source_keys(cfg)  # a file-reading key on a database source is not silently ignored
    if kind == "sqlite":  # copied into DuckDB, then read as files are
        db = sqlite_path(cfg)
        base = db.parent
    elif kind == "folder":
        base = cfg.resolve(cfg.data.source)
        if not base.is_dir():
            raise SchemaError(
                f"data source folder {base} not found. Fix data.source in {cfg.path or 'the config'}"
            )
    if kind in ("folder", "sqlite"):
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        with contextlib.suppress(duckdb.Error):  # inside Jupyter DuckDB wants ipywidgets here
            con.execute("SET enable_progress_bar = false")
        # Re-encoded copies of non-UTF-8 files live only while they are parsed into tables.
        with tempfile.TemporaryDirectory(prefix="opsai-load-") as tmp:
            for name, spec in cfg.data.tables.items():
                try:
                    raw = copy_table(con, db, name, spec) if kind == "sqlite" else None
                    load_file_table(
                        con,
                        base,
                        name,
                        spec,
                        Path(tmp),
                        warnings,
                        raw,
                        zone,
                        db if kind == "sqlite" else None,
                        after=after,
                        read_where=read_where,
                    )
                except SchemaError as e:
                    errors.append(str(e))
        backend = ibis.duckdb.from_connection(con)
        for name in cfg.data.tables:
            if name in {r[0] for r in con.execute("SHOW TABLES").fetchall()}:
                tables[name] = backend.table(name)
    else:
        backend = connect(cfg)
        warnings += _saved_load_warnings(backend)  # a report's copy of the data
        sources = _saved_source_columns(backend)
        history = backend.table(STOCK_HISTORY) if _saved(backend, STOCK_HISTORY) else None
        for name, spec in cfg.data.tables.items():
            try:
                tables[name] = map_db_table(backend, name, spec, warnings, zone, after=after)
            except SchemaError as e:
                errors.append(str(e))
    for name, spec in cfg.data.tables.items():
        if spec.where and name in tables and name not in read_where:
            try:
                tables[name] = _where(name, spec.where, tables[name], backend, con, warnings)
                if name in after:  # drop_duplicates among the rows the where kept (byod12b D10)
                    tables[name] = _unique(
                        name, spec, after[name], tables[name], backend, con, warnings
                    )
            except SchemaError as e:
                errors.append(str(e))
                tables.pop(name)
        if name == "campaigns" and name in tables and not spec.drop_duplicates:
            pair = [USER_ID, CAMPAIGN]  # one row per customer and campaign (the contract)
            tables[name] = _unique(name, spec, pair, tables[name], backend, con, warnings)
        if spec.amount_per_order and name in tables:  # an order's total on each of its lines
            try:
                t, split = _rows.split_order_amount(tables[name], name)
                warnings.append(split)
                tables[name] = _materialize(t, name, backend, con)
            except SchemaError as e:
                errors.append(str(e))
                tables.pop(name)
        if spec.fx and name in tables:  # money in several currencies: into the config's
            try:
                t, text = _rows.convert_fx(tables[name], name, spec, cfg.currency)
                warnings.append(ValidationWarning(name, None, text))
                tables[name] = _materialize(t, name, backend, con)
            except SchemaError as e:
                errors.append(str(e))
                tables.pop(name)
        if name == "inventory" and name in tables:  # stock per warehouse: one row per item
            try:
                found = _rows.dated_snapshots(tables[name])  # read once for both below
                h = _rows.stock_history(found)  # dated snapshots: kept for chapter 04
                history = history if h is None else _keep(h, STOCK_HISTORY, backend, con)
                t, note = _rows.stock_over_locations(tables[name], name, found)
                if note is not None:
                    warnings.append(note)
                    tables[name] = _materialize(t, name, backend, con)
            except SchemaError as e:
                errors.append(str(e))
                tables.pop(name)
        if spec.messages and name in tables:  # a chat log: one ticket per conversation
            try:
                if con is not None:
                    warnings.append(_rows.messages_file(con, name, spec))
                    tables[name] = backend.table(name)
                else:
                    tables[name], note = _rows.messages_database(tables[name], name, spec)
                    warnings.append(note)
            except SchemaError as e:
                errors.append(str(e))
                tables.pop(name)
    if "returns" in tables:  # refunds: negative order lines, then no table of their own
        try:
            _net_returns(cfg, tables, backend, con, errors, warnings)
        except SchemaError as e:
            errors.append(str(e))
        tables.pop("returns", None)
    for name in list(tables):  # a 1970 or 2037 row must not become the report's "now"
        if not cfg.data.tables[name].where:
            _drop_strays(name, tables, backend, con, warnings)
    loaded = list(warnings)
    for name, t in list(tables.items()):
        try:
            zoned = bool(cfg.data.tables[name].timezone or zone)
            columns = dict(cfg.data.tables[name].columns)
            by = cfg.data.tables[name].sentiment_by
            check_table(name, t, errors, warnings, zoned=zoned, columns=columns, sentiment_by=by)
            converted = cfg.data.tables[name].fx is not None
            check_currency(name, t, cfg.currency, converted, errors, warnings)
        except SchemaError as e:  # a cast the engine refused while scanning
            errors.append(str(e))
            tables.pop(name)
    check_references(tables, warnings)
    check_session_ids(tables, warnings)
    check_case_ids(tables, warnings)
    if errors:
        backend.disconnect()
        where = f" ({cfg.path})" if cfg.path else ""
        n = len(errors)
        raise SchemaError(
            f"{n} problem{'s' * (n > 1)} in the data{where}:\n- " + "\n- ".join(errors)
        )
    if "orders" in tables:  # item lines without an order number: one order per basket
        baskets = _rows.baskets_as_orders(tables["orders"])
        if baskets is not None:
            tables["orders"] = _materialize(baskets[0], "orders", backend, con)
            warnings.append(baskets[1])
            loaded.append(baskets[1])  # kept in a report's copy, which has the order_id
    return Workspace(cfg, backend, tables, warnings, loaded, sources, history)


def _net_returns(
    cfg: Config,
    tables: dict[str, ir.Table],
    backend: Any,
    con: duckdb.DuckDBPyConnection | None,
    errors: list[str],
    warnings: list[ValidationWarning],
) -> None:
    """Append the checked ``returns`` to ``orders`` as negative lines (see
    :func:`~opsai.data._returns.refund_lines`)."""
    if "orders" not in tables:
        if "orders" not in cfg.data.tables:  # else orders failed: its error says why
            errors.append(
                "returns: refunds are netted against orders, and the config maps no orders "
                "table. Add data.tables.orders, or remove data.tables.returns"
            )
        return
    before = len(errors)
    zoned = bool(cfg.data.tables["returns"].timezone or cfg.data.timezone)
    check_table("returns", tables["returns"], errors, warnings, zoned=zoned)
    if len(errors) == before:
        t = refund_lines(tables["orders"], tables["returns"], warnings)
        tables["orders"] = _materialize(t, "orders", backend, con)


def _drop_strays(
    name: str,
    tables: dict[str, ir.Table],
    backend: Any,
    con: duckdb.DuckDBPyConnection | None,
    warnings: list[ValidationWarning],
) -> None:
    """Leave out the rows of ``tables[name]`` dated far outside the rest (see
    :func:`~opsai.data._strays.stray_times`)."""
    try:
        found = stray_times(tables[name], name)
    except Exception:  # a time the engine cannot read: check_table names it next
        return
    if found is not None:
        tables[name] = _materialize(found[0], name, backend, con)
        warnings.append(found[1])


def _saved(backend: Any, name: str) -> bool:
    """Whether a DuckDB database holds the table ``name`` (a report's copy of the data)."""
    if backend.name != "duckdb":
        return False
    found = (
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ?"
    )
    return bool(backend.con.execute(found, [name]).fetchall()[0][0])


def _saved_source_columns(backend: Any) -> dict[str, dict[str, str]] | None:
    """The source columns :meth:`Workspace.save_source_columns` left in a DuckDB database
    (``None`` when it holds none: not a report's copy)."""
    if not _saved(backend, SOURCE_COLUMNS):
        return None
    out: dict[str, dict[str, str]] = {}
    for r in backend.table(SOURCE_COLUMNS).to_pandas().itertuples(index=False):
        out.setdefault(str(r.table), {})[str(r.contract)] = str(r.source)
    return out


def _saved_load_warnings(backend: Any) -> list[ValidationWarning]:
    """The warnings :meth:`Workspace.save_load_warnings` left in a DuckDB database."""
    if not _saved(backend, LOAD_WARNINGS):
        return []
    rows = backend.table(LOAD_WARNINGS).to_pandas().to_dict("records")
    return [
        ValidationWarning(
            str(r["table"]),
            r["column"] if isinstance(r["column"], str) else None,
            str(r["message"]),
            int(r["count"]),
            bool(r["major"]),
        )
        for r in rows
    ]


def _materialize(
    t: ir.Table, name: str, backend: Any, con: duckdb.DuckDBPyConnection | None
) -> ir.Table:
    """Files: the table ``name`` in DuckDB replaced by ``t`` (computed from it); a database's
    table stays the expression ``t``."""
    if con is None:
        return t
    sql = ibis.to_sql(t, dialect="duckdb")
    con.execute(f"CREATE OR REPLACE TABLE {name}_new AS {sql}")
    con.execute(f"DROP TABLE {name}")
    con.execute(f"ALTER TABLE {name}_new RENAME TO {name}")
    return backend.table(name)


def _keep(t: ir.Table, name: str, backend: Any, con: duckdb.DuckDBPyConnection | None) -> ir.Table:
    """Files: ``t`` stored as the new DuckDB table ``name``; a database's stays the expression."""
    if con is None:
        return t
    con.execute(f"CREATE OR REPLACE TABLE {name} AS {ibis.to_sql(t, dialect='duckdb')}")
    return backend.table(name)


def _unique(
    name: str,
    spec: TableSpec,
    keys: list[str],
    t: ir.Table,
    backend: Any,
    con: duckdb.DuckDBPyConnection | None,
    warnings: list[ValidationWarning],
) -> ir.Table:
    """The table with the first row of each ``keys`` (the loaded names of the key columns
    data.tables.<name>.drop_duplicates lists), after its ``where``."""
    if con is not None:  # files loaded into DuckDB: in file order, in place
        total, kept = _rows.drop_duplicate_rows(con, name, keys, "TABLE")
        t = backend.table(name)
    else:
        unique = t.distinct(on=keys, keep="first").order_by(keys)  # no fixed order otherwise
        total, kept = int(t.count().execute()), int(unique.count().execute())
        t = unique
    if total > kept and not spec.drop_duplicates:  # campaigns' own (user_id, campaign)
        warnings.append(
            ValidationWarning(
                name,
                None,
                f"{rows_out(total, kept)} dropped: later rows of the same {' and '.join(keys)} "
                "(one row per customer a campaign targeted: a customer who used the code twice "
                f"is targeted once; data.tables.{name}.drop_duplicates chooses the columns)",
                total - kept,
            )
        )
    elif total > kept:
        listed = spec.drop_duplicates if isinstance(spec.drop_duplicates, list) else keys
        warnings.append(duplicates_warning(name, total, kept, [str(c) for c in listed]))
    return t


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
    said = _rows.where_said(name, cond, total, kept)
    if said is not None:
        warnings.append(said)
    return t
