"""The engine seam: the same tables and checks through PostgreSQL as through DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsai.data import open_workspace
from opsai.errors import SchemaError

pytestmark = [pytest.mark.postgres]


def _pg_config(tmp_path: Path, url: str, tables: dict) -> Path:
    p = tmp_path / "pg.yaml"
    p.write_text(yaml.safe_dump({"data": {"source": url, "tables": tables}}), encoding="utf-8")
    return p


def test_postgres_matches_duckdb(small_config: Path, postgres_url: str, tmp_path: Path) -> None:
    with open_workspace(small_config) as ws:
        ws.export(postgres_url)
        want = ws.summary().set_index("table")
        want_orders = ws.to_pandas("orders").sort_values(["user_id", "timestamp"])
        want_warnings = sorted(str(w) for w in ws.warnings)
    cfg = _pg_config(tmp_path, postgres_url, {"users": {}, "orders": {}, "items": {}})
    with open_workspace(cfg) as pg:
        got = pg.summary().set_index("table")
        assert (
            got["rows"].to_dict() == want["rows"].to_dict() == {"users": 3, "orders": 4, "items": 2}
        )
        assert got.loc["orders", "start"] == want.loc["orders", "start"]
        orders = pg.to_pandas("orders").sort_values(["user_id", "timestamp"])
        assert orders["user_id"].tolist() == want_orders["user_id"].tolist()  # '001' kept
        assert orders["amount"].sum() == pytest.approx(want_orders["amount"].sum())
        assert sorted(str(w) for w in pg.warnings) == want_warnings
        # a portable aggregation, the kind every chapter writes
        t = pg.table("orders")
        rev = t.group_by("user_id").aggregate(revenue=t.amount.sum()).to_pandas()
        assert rev.set_index("user_id")["revenue"].to_dict() == {
            "001": 42.5,
            "002": 7.25,
            "009": 5.0,
        }


def test_postgres_mapping_and_errors(small_config: Path, postgres_url: str, tmp_path: Path) -> None:
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS shop_orders")
    con.raw_sql(
        "CREATE TABLE shop_orders (customer text, ts text, value double precision);"
        "INSERT INTO shop_orders VALUES ('07', '20240105', 3.5), ('07', '20240106', 4.0)"
    )
    con.disconnect()
    spec = {
        "table": "shop_orders",
        "timestamp_format": "%Y%m%d",
        "columns": {"user_id": "customer", "timestamp": "ts", "amount": "value"},
    }
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        df = ws.to_pandas("orders")
        assert df["user_id"].tolist() == ["07", "07"]
        assert str(df["timestamp"].min()) == "2024-01-05 00:00:00"
    bad = {**spec, "columns": {**spec["columns"], "amount": "price"}}
    with pytest.raises(SchemaError, match=r"data\.tables\.orders\.columns\.amount"):
        open_workspace(_pg_config(tmp_path, postgres_url, {"orders": bad}))
    with pytest.raises(SchemaError, match=r"data\.tables\.orders\.table"):
        open_workspace(_pg_config(tmp_path, postgres_url, {"orders": {"table": "nope"}}))


def test_postgres_where_filters_in_the_database(postgres_url: str, tmp_path: Path) -> None:
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS invoices")
    con.raw_sql(
        "CREATE TABLE invoices (acct text, paid_at timestamp, total double precision, "
        "status text); INSERT INTO invoices VALUES ('a1', '2024-01-01', 29, 'paid'), "
        "('a2', '2024-01-02', 29, 'failed'), ('a3', '2024-01-03', 9, 'paid')"
    )
    con.disconnect()
    cols = {"user_id": "acct", "timestamp": "paid_at", "amount": "total"}
    spec = {"table": "invoices", "columns": cols, "where": "status = 'paid' AND amount > 10"}
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["a1"]
        assert [w.count for w in ws.warnings] == [2]
    with pytest.raises(SchemaError, match=r"data\.tables\.orders\.where .+ whose columns are"):
        open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec | {"where": "nope"}}))


def test_postgres_zoned_attributes_are_naive_utc(postgres_url: str, tmp_path: Path) -> None:
    """A timestamptz column outside the contract (a soft delete's deleted_at) is naive UTC,
    the same instant, as the contract's timestamps are; in cents, scale gives the amount."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS fct_orders")
    con.raw_sql(
        "CREATE TABLE fct_orders (customer_id text, ordered_at timestamptz, total_cents bigint, "
        "deleted_at timestamptz); INSERT INTO fct_orders VALUES "
        "('c1', '2024-01-01 10:00+08', 1250, '2024-02-01 09:30+08'), "
        "('c2', '2024-01-02 10:00+08', 999, NULL)"
    )
    con.disconnect()
    cols = {"user_id": "customer_id", "timestamp": "ordered_at", "amount": "total_cents"}
    spec = {"table": "fct_orders", "columns": cols, "scale": {"amount": 0.01}}
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        df = ws.to_pandas("orders").sort_values("user_id")
        assert df["amount"].tolist() == [12.5, 9.99]
        assert df["deleted_at"].dt.tz is None
        assert str(df["deleted_at"].iloc[0]) == "2024-02-01 01:30:00"
        assert str(df["timestamp"].iloc[0]) == "2024-01-01 02:00:00"


def test_postgres_business_zone(postgres_url: str, tmp_path: Path) -> None:
    """data.timezone on PostgreSQL: a timestamptz, a naive time written in UTC (the table's
    timezone) and a zoned attribute read as Beijing wall-clock time; a naive time without a
    table zone is already Beijing's; a date stays on its day."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS zoned_orders")
    con.raw_sql(
        "CREATE TABLE zoned_orders (uid text, zoned timestamptz, naive timestamp, d date, "
        "amount double precision); INSERT INTO zoned_orders VALUES "
        "('u1', '2024-10-31 17:30+00', '2024-10-31 17:30', '2024-11-01', 5)"
    )
    con.disconnect()

    def read(col: str, **extra: str) -> list[str]:
        spec = {"table": "zoned_orders", "columns": {"user_id": "uid", "timestamp": col}} | extra
        cfg = _pg_config(tmp_path, postgres_url, {"orders": spec})
        doc = yaml.safe_load(cfg.read_text(encoding="utf-8"))
        doc["data"]["timezone"] = "Asia/Shanghai"
        cfg.write_text(yaml.safe_dump(doc), encoding="utf-8")
        with open_workspace(cfg) as ws:
            df = ws.to_pandas("orders")
            assert df["timestamp"].dt.tz is None
            return [str(v) for v in df["timestamp"]] + [str(v) for v in df.get("zoned", [])]

    con = ibis.connect(postgres_url)
    con.raw_sql("ALTER TABLE zoned_orders ADD COLUMN txt text")
    con.raw_sql("UPDATE zoned_orders SET txt = '2024-10-31 09:30:00 -0800'")
    con.disconnect()
    assert read("txt")[0] == "2024-11-01 01:30:00"  # the offset was dropped: 09:30
    con = ibis.connect(postgres_url)
    con.raw_sql("ALTER TABLE zoned_orders ADD COLUMN ymd text, ADD COLUMN hm text")
    con.raw_sql("UPDATE zoned_orders SET ymd = '20241101', hm = '31.10.2024 17:30'")
    con.disconnect()
    assert read("ymd", timestamp_format="%Y%m%d")[0] == "2024-11-01 00:00:00"  # a date
    hm = {"timestamp_format": "%d.%m.%Y %H:%M"}
    assert read("hm", **hm)[0] == "2024-10-31 17:30:00"  # the business's own wall clock
    assert read("hm", **hm, timezone="UTC")[0] == "2024-11-01 01:30:00"
    assert read("zoned") == ["2024-11-01 01:30:00"]
    assert read("naive", timezone="UTC") == ["2024-11-01 01:30:00", "2024-11-01 01:30:00"]
    assert read("naive")[0] == "2024-10-31 17:30:00"
    assert read("d")[0] == "2024-11-01 00:00:00"


def test_postgres_epoch_microseconds(postgres_url: str, tmp_path: Path) -> None:
    """GA4's event_timestamp in Unix microseconds reads to the microsecond (Ibis reads Unix
    seconds and milliseconds only)."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS ga4")
    con.raw_sql(
        "CREATE TABLE ga4 (user_id text, event_timestamp bigint, event text); "
        "INSERT INTO ga4 VALUES ('a', 1717015057123456, 'view')"
    )
    con.disconnect()
    spec = {"table": "ga4", "timestamp_format": "epoch_us",
            "columns": {"timestamp": "event_timestamp"}}  # fmt: skip
    with open_workspace(_pg_config(tmp_path, postgres_url, {"events": spec})) as ws:
        got = ws.to_pandas("events")["timestamp"].astype(str).tolist()
        assert got == ["2024-05-29 20:37:37.123456"]


def test_postgres_day_numbers(postgres_url: str, tmp_path: Path) -> None:
    """Day numbers counted from a date ('days since 2023-12-31') read as dates in the
    database's own SQL, as they do from a file."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS dunn")
    con.raw_sql(
        "CREATE TABLE dunn (hh text, day_no integer, sales double precision); "
        "INSERT INTO dunn VALUES ('1', 1, 2.5), ('2', 366, 4.0)"
    )
    con.disconnect()
    spec = {"table": "dunn", "timestamp_format": "days since 2023-12-31",
            "columns": {"user_id": "hh", "timestamp": "day_no", "amount": "sales"}}  # fmt: skip
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        got = ws.to_pandas("orders").sort_values("user_id")["timestamp"].astype(str).tolist()
        assert got == ["2024-01-01", "2024-12-31"]


def test_postgres_amount_per_order(postgres_url: str, tmp_path: Path) -> None:
    """An order's paid total on each of its lines is split over them by quantity x price in
    the database's own SQL."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS yz")
    con.raw_sql(
        "CREATE TABLE yz (oid text, buyer text, ts text, qty double precision, "
        "unit double precision, paid double precision); INSERT INTO yz VALUES "
        "('E1', 'a', '2024-06-10', 2, 68, 170), ('E1', 'a', '2024-06-10', 1, 39.9, 170), "
        "('E2', 'b', '2024-06-11', 1, 25, 20)"
    )
    con.disconnect()
    cols = {"order_id": "oid", "user_id": "buyer", "timestamp": "ts", "quantity": "qty",
            "price": "unit", "amount": "paid"}  # fmt: skip
    spec = {"table": "yz", "amount_per_order": True, "columns": cols}
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        got = ws.to_pandas("orders").sort_values(["order_id", "price"])["amount"].tolist()
    assert got == pytest.approx([170 * 39.9 / 175.9, 170 * 136 / 175.9, 20])


def test_postgres_fill_down(postgres_url: str, tmp_path: Path) -> None:
    """An order's fields on one of its lines only, carried to its other lines by the
    database's own SQL, before where."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS shop_lines")
    con.raw_sql(
        'CREATE TABLE shop_lines ("Name" text, "Email" text, "Financial Status" text, '
        '"Created at" timestamptz, qty double precision, price double precision);'
        "INSERT INTO shop_lines VALUES ('#1', 'a@x', 'paid', '2024-03-05 14:22:10-05', 1, 10), "
        "('#2', 'b@x', 'refunded', '2024-03-06 09:00:00-05', 2, 5), "
        "('#1', NULL, '', NULL, 3, 2.5), ('#2', NULL, NULL, NULL, 1, 4)"
    )
    con.disconnect()
    cols = {"order_id": "Name", "user_id": "Email", "timestamp": "Created at", "quantity": "qty"}
    spec = {
        "table": "shop_lines",
        "columns": cols,
        "fill_down": {"by": "Name", "columns": ["Email", "Created at", "Financial Status"]},
        "where": "\"Financial Status\" = 'paid'",
    }
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        o = ws.to_pandas("orders").sort_values("amount")
        notes = [str(w) for w in ws.warnings]
    assert o["user_id"].tolist() == ["a@x", "a@x"]
    assert o["amount"].tolist() == pytest.approx([7.5, 10.0])
    assert o["timestamp"].astype(str).tolist() == ["2024-03-05 19:22:10"] * 2
    assert any("2 of 4 row(s) (50.0%) took Email" in n for n in notes)


def test_init_reads_a_postgres_database(postgres_url: str, tmp_path: Path) -> None:
    """`opsai init postgres://...`: the server's tables are sampled and placed, the URL is the
    source, and the config validates; a password in the URL is not shown in the header."""
    import ibis

    from opsai.data.init import _hide_password, init_config

    con = ibis.connect(postgres_url)  # a database of its own: the others' tables stay out
    con.raw_sql("DROP DATABASE IF EXISTS init_app")
    con.raw_sql("CREATE DATABASE init_app")
    con.disconnect()
    postgres_url = postgres_url.rsplit("/", 1)[0] + "/init_app"
    con = ibis.connect(postgres_url)
    con.raw_sql(
        "CREATE TABLE app_users (id text, created_at timestamptz, plan text);"
        "INSERT INTO app_users VALUES ('u1', '2024-01-01 10:00+00', 'pro'), ('u2', '2024-01-02 10:00+00', 'free');"
        "CREATE TABLE app_orders (id text, user_id text, paid_at timestamp, amount_cents bigint);"
        "INSERT INTO app_orders VALUES ('o1', 'u1', '2024-01-05 09:30', 1250)"
    )
    con.disconnect()
    path, plan = init_config(postgres_url, tmp_path / "pg_init.yaml")
    placed = {g.table: g.sample.table for g in plan.guesses}
    assert placed["users"] == "app_users" and placed["orders"] == "app_orders"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["data"]["source"] == postgres_url
    assert doc["data"]["tables"]["orders"]["columns"]["timestamp"] == "paid_at"
    kept = {"users": doc["data"]["tables"]["users"], "orders": doc["data"]["tables"]["orders"]}
    with open_workspace(_pg_config(tmp_path, postgres_url, kept)) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["u1"]
    assert _hide_password("postgres://me:s3cr@t@db:5432/shop") == "postgres://me:***@db:5432/shop"


def test_postgres_jsonb_and_json_columns_are_read_by_dotted_paths(
    postgres_url: str, tmp_path: Path
) -> None:
    """Segment/Mixpanel events in PostgreSQL keep their properties in jsonb (or json):
    user_id: properties.distinct_id stopped with "'properties' is json, not an object
    (STRUCT)"; now a dotted path reads the key at any depth, cast to the contract's type, and
    a missing key or a JSON null is NULL."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS tracks")
    con.raw_sql(
        "CREATE TABLE tracks (event text, ts timestamp, properties jsonb, context json);"
        """INSERT INTO tracks VALUES
        ('Order Completed', '2024-01-01 10:00',
         '{"distinct_id": "u1", "revenue": 12.5, "sku": "A1", "qty": 2}',
         '{"page": {"url": "/checkout"}, "session": "s1"}'),
        ('Product Viewed', '2024-01-02 11:00', '{"distinct_id": 42, "revenue": "3", "sku": null}',
         '{"page": {}}')"""
    )
    con.disconnect()
    cols = {"user_id": "properties.distinct_id", "timestamp": "ts", "amount": "properties.revenue",
            "item_id": "properties.sku", "quantity": "properties.qty",
            "session": "context.session", "url": "context.page.url"}  # fmt: skip
    spec = {"table": "tracks", "columns": cols}
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        df = ws.to_pandas("orders").sort_values("timestamp")
    assert df["user_id"].tolist() == ["u1", "42"]
    assert df["amount"].tolist() == [12.5, 3.0]
    assert df["item_id"].tolist()[0] == "A1" and df["item_id"].isna().tolist() == [False, True]
    assert df["quantity"].tolist()[0] == 2.0 and df["quantity"].isna().tolist() == [False, True]
    assert df["session"].tolist()[0] == "s1" and df["session"].isna().tolist() == [False, True]
    assert df["url"].tolist()[0] == "/checkout" and df["url"].isna().tolist() == [False, True]
    spec = {**spec, "where": "amount > 5 AND url = '/checkout'"}  # where sees the values
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["u1"]
    bad = {"table": "tracks", "columns": {**cols, "user_id": "propertis.distinct_id"}}
    with pytest.raises(SchemaError, match=r"column 'propertis\.distinct_id' \(mapped to user_id\) "
                       r"not found .+Fix the mapping in config: data\.tables\.orders\.columns\."
                       r"user_id"):  # fmt: skip
        open_workspace(_pg_config(tmp_path, postgres_url, {"orders": bad}))
    bad = {"table": "tracks", "columns": {**cols, "user_id": "properties"}}
    with pytest.raises(SchemaError, match=r"columns\.user_id: properties\.<key>"):
        open_workspace(_pg_config(tmp_path, postgres_url, {"orders": bad}))


def test_postgres_joins_the_order_header(postgres_url: str, tmp_path: Path) -> None:
    """Order lines whose customer and time are on the order header: a LEFT join in the
    database; a line without a header is kept and counted."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS lines; DROP TABLE IF EXISTS heads")
    con.raw_sql(
        "CREATE TABLE lines (order_id bigint, sku text, price double precision, "
        "status text); INSERT INTO lines VALUES (1, 'a', 10, 'x'), (1, 'b', 5, 'x'), "
        "(2, 'a', 10, 'x'), (9, 'c', 7, 'x'); "
        "CREATE TABLE heads (id text, buyer text, at timestamp, status text); "
        "INSERT INTO heads VALUES ('1', 'u1', '2024-01-01', 'paid'), "
        "('2', 'u2', '2024-01-02', 'failed'), (NULL, 'u3', '2024-01-03', 'paid'), "
        "(NULL, 'u4', '2024-01-04', 'paid')"
    )
    con.disconnect()
    cols = {"user_id": "buyer", "timestamp": "at", "item_id": "sku", "amount": "price"}
    spec = {
        "table": "lines",
        "join": {"table": "heads", "on": {"order_id": "id"}},
        "columns": cols,
        "where": "status_heads = 'paid'",
    }
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": spec})) as ws:
        o = ws.to_pandas("orders")
        said = [w.message for w in ws.warnings if "have no row" in w.message]
    assert o.groupby("user_id")["amount"].sum().to_dict() == {"u1": 15.0}
    assert set(o["status"]) == {"x"}  # the line's own status kept
    assert said[0].startswith("1 of 4 rows (25.0%) have no row in table heads by order_id")


def test_postgres_explode_gives_the_files_lines(postgres_url: str, tmp_path: Path) -> None:
    """The same CSV through a file and a PostgreSQL table: the same lines, units and amounts
    (before, a PostgreSQL source stopped: "explode applies to files and SQLite only")."""
    import io

    import ibis
    import pandas as pd

    from tests.explode_shape import COLUMNS, EXPLODE, PLAIN, WANT, exploded_rows

    (tmp_path / "orders.csv").write_text(PLAIN)
    where = "\"Order Status\" = 'completed'"
    spec = {"file": "orders.csv", "columns": COLUMNS, "where": where, "explode": EXPLODE}
    cfg = tmp_path / "files.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"orders": spec}}}))
    with open_workspace(cfg) as ws:
        from_file = ws.to_pandas("orders").sort_values(["order_id", "item_id"])
    assert exploded_rows(from_file) == WANT
    frame = pd.read_csv(io.StringIO(PLAIN), parse_dates=["Order Date"])
    con = ibis.connect(postgres_url)
    con.create_table("woo_orders", frame, overwrite=True)
    con.disconnect()
    db = {"table": "woo_orders", "columns": COLUMNS, "where": where, "explode": EXPLODE}
    with open_workspace(_pg_config(tmp_path, postgres_url, {"orders": db})) as ws:
        o = ws.to_pandas("orders").sort_values(["order_id", "item_id"])
    assert exploded_rows(o) == WANT
    assert o["timestamp"].tolist() == from_file["timestamp"].tolist()
    equal = {**EXPLODE, "pattern": r"(?P<item_id>.+?) x \d+"}  # lazy: PostgreSQL's own rules
    with open_workspace(
        _pg_config(tmp_path, postgres_url, {"orders": db | {"explode": equal}})
    ) as ws:
        o = ws.to_pandas("orders")
    assert sorted(o[o["order_id"] == "1002"]["item_id"]) == ["Sticker Pack"]
    assert o[o["order_id"] == "1004"]["amount"].tolist() == pytest.approx([1000 / 3] * 3)
    flagged = {**EXPLODE, "pattern": r"(?i)(?P<item_id>.+) X (?P<quantity>\d+)"}
    with pytest.raises(SchemaError, match=r"explode\.pattern .* holds the inline flag '\(\?i\)'"):
        open_workspace(_pg_config(tmp_path, postgres_url, {"orders": db | {"explode": flagged}}))


def test_postgres_boolean_and_text_promo_flags(postgres_url: str, tmp_path: Path) -> None:
    """A boolean promo column (PostgreSQL casts no boolean to a float) and a text one
    ('True'/'no'/'是'/'') both read as 1/0, empty and NULL as missing."""
    import ibis

    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS sales_daily")
    con.raw_sql(
        "CREATE TABLE sales_daily (item text, day date, units double precision, "
        "promo boolean, promo_text text);"
        "INSERT INTO sales_daily VALUES ('a', '2024-01-01', 3, true, 'True'), "
        "('a', '2024-01-02', 4, false, 'no'), ('a', '2024-01-03', 5, NULL, ''), "
        "('a', '2024-01-04', 6, true, '是')"
    )
    con.disconnect()
    cols = {"item_id": "item", "timestamp": "day", "quantity": "units"}
    for promo in ("promo", "promo_text"):
        spec = {"table": "sales_daily", "columns": cols | {"promo": promo}}
        with open_workspace(_pg_config(tmp_path, postgres_url, {"demand": spec})) as ws:
            got = ws.to_pandas("demand").sort_values("timestamp")["promo"].tolist()
        assert got == pytest.approx([1.0, 0.0, float("nan"), 1.0], nan_ok=True), promo
