"""SQLite sources: copied into DuckDB through Python's sqlite3 and read as files are."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.behavior.funnels import funnel
from opsai.config import config_from_dict
from opsai.data import _sqlite, open_workspace
from opsai.errors import ConfigError, SchemaError
from opsai.overview.measures import outliers

pytestmark = pytest.mark.unit

US = 1_000_000
T0 = 1_704_067_200  # 2024-01-01 00:00:00 UTC


def _db(path: Path) -> Path:
    """An app database: text timestamps (users, events), epoch-µs ones (orders), a view."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE customers (uid TEXT, created TEXT, first_touch INTEGER, plan TEXT, age);
        CREATE TABLE orders (id INTEGER, uid TEXT, created_us INTEGER, total REAL,
                             status TEXT, qty INTEGER, note);
        CREATE TABLE app_events (uid TEXT, ts TEXT, name TEXT, session INTEGER);
        CREATE VIEW paid AS SELECT * FROM orders WHERE status = 'paid';
        """
    )
    con.executemany(
        "INSERT INTO customers VALUES (?, ?, ?, ?, ?)",
        [
            ("007", "2024-01-01 09:00:00", (T0 + 9 * 3600) * US, "pro", 31),
            ("008", "2024-01-02 10:30:00", (T0 + 86400 + 37800) * US, "free", 40),
            ("009", "2024-01-03", (T0 + 2 * 86400) * US, None, 45.5),
        ],
    )
    amounts = [10.0, 12.5, 11.0, 9.5, 10.5, 11.5, 12.0, 10.0, 11.0, 9000.0]
    con.executemany(
        "INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i + 1,
                ["007", "008", "009"][i % 3],
                (T0 + i * 86400 + 123) * US + 456,  # sub-second: µs kept
                a,
                "refunded" if i == 3 else "paid",
                i % 2 + 1,
                i if i % 2 else f"x{i}",  # integers and text in one column: text
            )
            for i, a in enumerate(amounts)
        ],
    )
    events = []
    for u, reached in (("007", 3), ("008", 2), ("009", 1)):
        for k, e in enumerate(["view", "add_to_cart", "purchase"][:reached]):
            events.append((u, f"2024-01-05 10:{k:02d}:00", e, 17))
    con.executemany("INSERT INTO app_events VALUES (?, ?, ?, ?)", events)
    con.commit()
    con.close()
    return path


def _config(folder: Path, source: str, tables: dict) -> Path:
    cfg = folder / "app.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": tables}}), "utf-8")
    return cfg


TABLES = {
    "users": {
        "table": "customers",
        "columns": {"user_id": "uid", "signup_at": "created"},
    },
    "orders": {
        "table": "orders",
        "timestamp_format": "epoch_us",
        "where": "status = 'paid'",
        "columns": {
            "order_id": "id",
            "user_id": "uid",
            "timestamp": "created_us",
            "amount": "total",
            "quantity": "qty",
        },
    },
    "events": {
        "table": "APP_EVENTS",  # SQLite names are case-insensitive
        "columns": {"user_id": "uid", "timestamp": "ts", "event": "name", "session_id": "session"},
    },
}


def test_sqlite_file_is_read_through_duckdb(tmp_path: Path, monkeypatch) -> None:
    """A '.db' SQLite file (no extension download, no Ibis SQLite backend): text and epoch-µs
    timestamps parse, ``where`` filters, ids keep their zeros, SQLite's per-value types become
    column types, and the chapters' Quantile and epoch-seconds expressions run."""
    monkeypatch.setattr(_sqlite, "CHUNK_ROWS", 3)  # ten orders arrive in four chunks
    _db(tmp_path / "app.db")
    cfg = _config(tmp_path, "app.db", TABLES)
    assert config_from_dict({"data": {"source": str(tmp_path / "app.db")}}).source_kind == "sqlite"
    with open_workspace(cfg) as ws:
        assert ws.backend.name == "duckdb"
        users = ws.to_pandas("users")
        orders = ws.to_pandas("orders")
        said = [w.message for w in ws.warnings]
        stats = outliers(ws).set_index(["table", "column"])
        steps = funnel(ws.table("events"), steps=["view", "add_to_cart", "purchase"], window=None)
        types = ws.table("users").schema()
        note = ws.table("orders").schema()["note"]
    assert users["user_id"].tolist() == ["007", "008", "009"]
    assert users["signup_at"].tolist() == [
        pd.Timestamp("2024-01-01 09:00"),
        pd.Timestamp("2024-01-02 10:30"),
        pd.Timestamp("2024-01-03"),
    ]
    assert types["plan"].is_string() and types["age"].is_floating()  # 31, 40, 45.5
    assert users["age"].tolist() == [31.0, 40.0, 45.5]
    assert note.is_string()  # integers and text in one column
    assert orders["order_id"].tolist() == ["1", "2", "3", "5", "6", "7", "8", "9", "10"]
    assert orders["timestamp"].iloc[0] == pd.Timestamp("2024-01-01 00:02:03.000456")
    assert orders["timestamp"].iloc[-1] == pd.Timestamp("2024-01-10 00:02:03.000456")
    assert orders["amount"].sum() == pytest.approx(9088.5)
    assert orders["quantity"].tolist() == [1, 2, 1, 1, 2, 1, 2, 1, 2]
    assert said == ["1 of 10 row(s) (10.0%) left out by data.tables.orders.where (status = 'paid')"]
    assert stats.loc[("orders", "amount"), "outliers"] == 1  # the 9,000 order
    assert steps["units"].tolist() == [3, 2, 1]
    assert steps["conversion"].round(3).tolist() == [1.0, 0.667, 0.333]


def test_sqlite_url_and_missing_table(tmp_path: Path) -> None:
    """``sqlite:///absolute/path`` is the same file; a table that is not there is an error
    naming the tables and views there are, and the key that names another."""
    db = _db(tmp_path / "shop.sqlite3")
    cfg = _config(tmp_path, f"sqlite://{db}", {"orders": TABLES["orders"] | {"table": "paid"}})
    with open_workspace(cfg) as ws:
        assert len(ws.to_pandas("orders")) == 9
    cfg = _config(tmp_path, f"sqlite://{db}", {"users": {"columns": {"user_id": "uid"}}})
    with pytest.raises(
        SchemaError,
        match=r"users: table 'users' not found in shop\.sqlite3 \(it has: app_events, "
        r"customers, orders, paid\)\. Name the table in config: data\.tables\.users\.table",
    ):
        open_workspace(cfg)
    (tmp_path / "fake.sqlite").write_text("not a database", "utf-8")
    with pytest.raises(SchemaError, match=r"fake\.sqlite is not a SQLite database"):
        open_workspace(_config(tmp_path, "fake.sqlite", {}))


def test_integer_epoch_without_format_is_an_error_not_nulls(tmp_path: Path) -> None:
    """An epoch-µs signup time (an optional column) read without ``timestamp_format`` used to
    become all-null while validation said the data was valid; now it is an error showing the
    numbers, and with ``epoch_us`` the times are right."""
    _db(tmp_path / "app.db")
    spec = {"table": "customers", "columns": {"user_id": "uid", "signup_at": "first_touch"}}
    with pytest.raises(
        SchemaError,
        match=r"users: column 'first_touch' \(signup_at\) expected a timestamp, but 3 value\(s\) "
        r"do not parse, e\.g\. '1704099600000000'.+\(source type BIGINT\)",
    ):
        open_workspace(_config(tmp_path, "app.db", {"users": spec}))
    cfg = _config(tmp_path, "app.db", {"users": spec | {"timestamp_format": "epoch_us"}})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("users")["signup_at"].tolist()
    assert got == [
        pd.Timestamp("2024-01-01 09:00"),
        pd.Timestamp("2024-01-02 10:30"),
        pd.Timestamp("2024-01-03"),
    ]


def test_bytes_that_are_not_utf8_and_repeated_view_columns(tmp_path: Path) -> None:
    """A title stored as bytes that are not UTF-8 is read with U+FFFD for what does not
    decode (not a crash), and a view repeating a column name keeps both (SQLite names the second ``sku:1``)."""
    db = tmp_path / "cat.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE products (sku TEXT, name, price REAL)")
    con.executemany(
        "INSERT INTO products VALUES (?, ?, ?)",
        [("A1", b"Caf\xe9", 3.5), ("B2", "Tea", 2.0)],
    )
    con.execute("CREATE VIEW catalogue AS SELECT *, lower(sku) AS sku FROM products")
    con.commit()
    con.close()
    spec = {"table": "catalogue", "columns": {"item_id": "sku", "title": "name", "price": "price"}}
    with open_workspace(_config(tmp_path, "cat.sqlite", {"items": spec})) as ws:
        items = ws.to_pandas("items")
    assert items["title"].tolist() == ["Caf\ufffd", "Tea"]
    assert items["sku:1"].tolist() == ["a1", "b2"]
    assert items["price"].tolist() == [3.5, 2.0]


def test_file_reading_keys_on_a_database_are_an_error(tmp_path: Path) -> None:
    """sep and encoding on a SQLite source were silently ignored; now they are a ConfigError
    naming each key. Keys SQLite copies do read (thousands, na_values) stay allowed there,
    and a DuckDB source, whose columns are typed, refuses those too."""
    import duckdb

    _db(tmp_path / "app.db")
    orders = TABLES["orders"] | {"sep": ";", "encoding": "latin-1", "na_values": ["-"]}
    with pytest.raises(ConfigError) as err:
        open_workspace(_config(tmp_path, "app.db", {"orders": orders, "users": TABLES["users"]}))
    said = str(err.value)
    assert said.startswith(
        "data.source 'app.db' is a SQLite database, so these keys would be ignored: "
        "data.tables.orders.sep, data.tables.orders.encoding: apply to files only. Remove them"
    )
    assert "na_values" not in said.split(". Remove")[0]
    ok = TABLES["orders"] | {"na_values": ["-"], "thousands": ","}
    with open_workspace(_config(tmp_path, "app.db", {"orders": ok})) as ws:
        assert len(ws.to_pandas("orders")) == 9
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute("CREATE TABLE orders (user_id VARCHAR, timestamp TIMESTAMP, amount DOUBLE)")
    spec = {"orders": {"header": False, "thousands": "."}}
    with pytest.raises(ConfigError) as err:
        open_workspace(_config(tmp_path, "shop.duckdb", spec))
    assert str(err.value).startswith(
        "data.source 'shop.duckdb' is a DuckDB database, so these keys would be ignored: "
        "data.tables.orders.header: applies to files only; data.tables.orders.thousands: "
        "applies to files and SQLite only"
    )
