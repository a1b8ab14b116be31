"""Good data in its many real shapes is accepted and lands in the contract's types."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.schema import TABLES
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _database(folder: Path, statements: list[str], tables: str) -> Path:
    """Run ``statements`` on ``folder/shop.duckdb`` and write a config reading that database
    as the data source (the database path of the loader) with ``tables`` as its mapping."""
    import duckdb

    with duckdb.connect(str(folder / "shop.duckdb")) as con:
        for sql in statements:
            con.execute(sql)
    cfg = folder / "db.yaml"
    cfg.write_text(f"data: {{source: shop.duckdb, tables: {tables}}}", encoding="utf-8")
    return cfg


def test_small_dataset(small_config: Path) -> None:
    with open_workspace(small_config) as ws:
        assert ws.present == ("users", "orders", "items")
        assert ws.has("users", "orders") and not ws.has("events")
        assert ws.missing("orders", "tickets") == ["tickets"]
        users = ws.to_pandas("users")
        assert users["user_id"].tolist() == ["001", "002", "003"]  # leading zeros kept
        assert users["age"].tolist()[:2] == [31, 45] and pd.isna(users["age"].iloc[2])
        orders = ws.to_pandas("orders")
        assert str(orders["timestamp"].dtype).startswith("datetime64")
        assert orders["amount"].sum() == pytest.approx(54.75)
        assert [str(w) for w in ws.warnings] == ["orders.user_id: 1 distinct id(s) not in users"]
        s = ws.summary().set_index("table")
        assert s.loc["orders", "rows"] == 4
        assert str(s.loc["orders", "start"]) == "2024-01-03 10:00:00"
        assert s.loc["users", "time_column"] == "signup_at"


def test_absent_table_and_columns(small_config: Path) -> None:
    with open_workspace(small_config) as ws:
        with pytest.raises(
            SchemaError, match=r"tickets: table not in this workspace.*data\.tables\.tickets"
        ):
            ws.table("tickets")
        with pytest.raises(SchemaError, match=r"'basket' is not a contract table"):
            ws.table("basket")
        with pytest.raises(SchemaError, match=r"column\(s\) nope not present"):
            ws.to_pandas("orders", ["user_id", "nope"])


def test_mapping_gbk_and_chinese(tmp_path: Path) -> None:
    text = "客户,日期,金额,渠道\n张三,2024-03-01,12.5,微信\n李四,2024-03-02,8,抖音\n"
    cfg = write_dataset(
        tmp_path,
        {"订单.csv": text.encode("gbk")},
        {"orders": {"file": "订单.csv", "encoding": "gbk",
                    "columns": {"user_id": "客户", "timestamp": "日期", "amount": "金额"}}},
    )  # fmt: skip
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("orders")
        assert df["user_id"].tolist() == ["张三", "李四"]
        assert df["渠道"].tolist() == ["微信", "抖音"]  # extra columns keep their names


def test_reencoded_copies_do_not_outlive_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notebook seldom closes its workspace: the UTF-8 copies must not pile up in /tmp."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    text = "客户,日期,金额\n张三,2024-03-01,12.5\n"
    cfg = write_dataset(
        tmp_path / "data",
        {"订单.csv": text.encode("gbk")},
        {"orders": {"file": "订单.csv", "encoding": "gbk",
                    "columns": {"user_id": "客户", "timestamp": "日期", "amount": "金额"}}},
    )  # fmt: skip
    ws = open_workspace(cfg)  # never closed
    assert list(scratch.iterdir()) == []
    assert ws.to_pandas("orders")["user_id"].tolist() == ["张三"]
    bad = write_dataset(tmp_path / "bad", {"o.csv": "x\n1\n".encode("gbk")},
                        {"orders": {"file": "o.csv", "encoding": "gbk"}})  # fmt: skip
    with pytest.raises(SchemaError):
        open_workspace(bad)
    assert list(scratch.iterdir()) == []


def test_time_zones_become_naive_utc(tmp_path: Path) -> None:
    rows = "user_id,timestamp,amount\n1,2024-01-01T10:00:00+08:00,1\n2,2024-01-01T02:00:00Z,2\n"
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(cfg) as ws:
        ts = ws.to_pandas("orders")["timestamp"].astype(str).tolist()
        assert ts == ["2024-01-01 02:00:00", "2024-01-01 02:00:00"]
    mixed = "user_id,timestamp,amount\n1,2024-01-01 10:00:00+08:00,1\n2,2024-01-01 10:00:00,2\n"
    cfg = write_dataset(tmp_path, {"orders.csv": mixed}, {"orders": {"timezone": "Asia/Shanghai"}})
    with open_workspace(cfg) as ws:
        ts = ws.to_pandas("orders")["timestamp"].astype(str).tolist()
        assert ts == ["2024-01-01 02:00:00", "2024-01-01 02:00:00"]


def test_whitespace_file_without_header(tmp_path: Path) -> None:
    """The CDNOW layout: runs of spaces, no header, compact dates."""
    text = "00001 19970101  1  11.77\n00002 19970112  2  89.00\n00002 19970112  1  10.00\n"
    cfg = write_dataset(
        tmp_path,
        {"CDNOW_master.txt": text},
        {"orders": {"file": "CDNOW_master.txt", "sep": r"\s+", "header": False,
                    "timestamp_format": "%Y%m%d",
                    "columns": {"user_id": "column0", "timestamp": "column1",
                                "quantity": "column2", "amount": "column3"}}},
    )  # fmt: skip
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("orders")
        assert df["user_id"].tolist() == ["00001", "00002", "00002"]
        assert df["amount"].tolist() == [11.77, 89.0, 10.0]
        assert df["quantity"].tolist() == [1.0, 2.0, 1.0]
        assert str(df["timestamp"].iloc[1]) == "1997-01-12 00:00:00"
    titled = "CDNOW sample, Jan 1997\n\n" + text  # two lines above the data: skip_rows
    spec = yaml.safe_load(cfg.read_text())["data"]["tables"]["orders"] | {"skip_rows": 2}
    cfg = write_dataset(tmp_path, {"CDNOW_master.txt": titled}, {"orders": spec})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["00001", "00002", "00002"]


def test_parquet_native_types_and_huge_ids(tmp_path: Path) -> None:
    df = pd.DataFrame(
        {
            "user_id": [12345678901234567890, 7],
            "timestamp": pd.to_datetime(["2024-01-01 08:00", "2024-01-02 00:00"]).tz_localize(
                "Asia/Tokyo"
            ),
            "amount": [1.5, 2.5],
        }
    )
    df["user_id"] = df["user_id"].astype("uint64")
    df.to_parquet(tmp_path / "orders.parquet")
    cfg = write_dataset(tmp_path, {}, {"orders": {}})
    with open_workspace(cfg) as ws:
        out = ws.to_pandas("orders")
        assert out["user_id"].tolist() == ["12345678901234567890", "7"]
        assert str(out["timestamp"].iloc[0]) == "2023-12-31 23:00:00"


def test_na_values_thousands_and_int_periods(tmp_path: Path) -> None:
    cfg = write_dataset(
        tmp_path,
        {
            "orders.csv": 'user_id,timestamp,amount,quantity\n1,2024-01-01,"1,200.50",n/a\n',
            "market.csv": "period,company,sales,share\n1,us,10,0.5\n2,us,12,0.55\n",
        },
        {"orders": {"thousands": ",", "na_values": ["n/a"]}, "market": {}},
    )
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
        assert o["amount"].iloc[0] == 1200.5 and pd.isna(o["quantity"].iloc[0])
        m = ws.to_pandas("market")
        assert m["period"].tolist() == [1, 2]


def test_negative_order_amounts_are_a_warning(tmp_path: Path) -> None:
    rows = "user_id,timestamp,amount,quantity\n1,2024-01-01,10,1\n1,2024-01-02,-10,-1\n"
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(cfg) as ws:
        msgs = sorted(str(w) for w in ws.warnings)
        assert msgs == [
            "orders.amount: 1 negative value(s) (returns or refunds?)",
            "orders.quantity: 1 negative value(s) (returns or refunds?)",
        ]


def test_duckdb_file_source(small_config: Path, tmp_path: Path) -> None:
    db = tmp_path / "shop.duckdb"
    with open_workspace(small_config) as ws:
        ws.export(db)
    cfg = tmp_path / "db.yaml"
    cfg.write_text(
        f"data: {{source: {db.name}, tables: {{users: {{}}, orders: {{}}}}}}", encoding="utf-8"
    )
    with open_workspace(cfg) as ws:
        assert ws.summary()["rows"].tolist() == [3, 4]
        assert ws.to_pandas("users")["user_id"].tolist() == ["001", "002", "003"]


def test_labelled_texts_without_id_or_time(tmp_path: Path) -> None:
    """An intent dataset is often just text and label: the tickets are numbered in file order
    (a file source and a database source alike) and have no timestamp."""
    text = (
        "utterance,category\nlost my card,card_lost\n转账失败了,transfer\nlost it again,card_lost\n"
    )
    cfg = write_dataset(
        tmp_path,
        {"intents.csv": text},
        {
            "tickets": {
                "file": "intents.csv",
                "columns": {"text": "utterance", "intent": "category"},
            }
        },
    )
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets")
        assert t["ticket_id"].tolist() == ["t000001", "t000002", "t000003"]
        assert t["text"].tolist()[1] == "转账失败了" and "timestamp" not in t.columns
        assert ws.summary().set_index("table").loc["tickets", "time_column"] is None
        ws.export(tmp_path / "shop.duckdb")
    # the export has ids now; drop them to exercise the database path
    db = _database(tmp_path, ["ALTER TABLE tickets DROP COLUMN ticket_id"], "{tickets: {}}")
    with open_workspace(db) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id")
        assert t["ticket_id"].tolist() == ["t000001", "t000002", "t000003"]
        assert sorted(t["intent"]) == ["card_lost", "card_lost", "transfer"]


def test_online_retail_shape(tmp_path: Path) -> None:
    """UCI Online Retail: quantity and unit price but no amount, guest orders without a
    customer id (they stopped validation; now they load with an empty user_id), ids exported
    as floats ('17850.0')."""
    text = (
        "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
        "536365,85123A,6,12/1/2010 8:26,2.55,17850.0\n"
        "536366,22633,6,12/1/2010 8:28,1.85,\n"
        "C536379,D,-1,12/1/2010 9:41,27.5,14527.0\n"
    )
    cols = {"order_id": "InvoiceNo", "item_id": "StockCode", "quantity": "Quantity",
            "timestamp": "InvoiceDate", "price": "UnitPrice", "user_id": "CustomerID"}  # fmt: skip
    spec = {"file": "retail.csv", "timestamp_format": "%m/%d/%Y %H:%M", "columns": cols}
    cfg = write_dataset(tmp_path, {"retail.csv": text}, {"orders": spec})
    with open_workspace(cfg) as ws:  # the guest order loads, with no customer (not dropped)
        o = ws.to_pandas("orders")
        assert o["user_id"].fillna("-").tolist() == ["17850", "-", "14527"]  # no '.0' artefact
        assert o["amount"].tolist() == pytest.approx([15.3, 11.1, -27.5])  # quantity x price
        assert not any("dropped" in str(w) for w in ws.warnings)
        ws.export(tmp_path / "shop.duckdb")
    sql = ["ALTER TABLE orders DROP COLUMN amount",
           "INSERT INTO orders (user_id, timestamp, price, quantity) "
           "VALUES ('  ', '2010-12-02', 1.0, 2.0), ('u9', NULL, 1.0, 1.0)"]  # fmt: skip
    db = _database(tmp_path, sql, "{orders: {drop_incomplete: true}}")  # the database path
    with open_workspace(db) as ws:  # a blank customer is a guest too; no timestamp: dropped
        o = ws.to_pandas("orders").sort_values("amount")
        assert o["amount"].tolist() == pytest.approx([-27.5, 2.0, 11.1, 15.3])
        assert o["user_id"].fillna("-").tolist() == ["14527", "-", "-", "17850"]
        assert "1 of 5 row(s) (20.0%) dropped: empty timestamp" in str(ws.warnings[0])


def test_contract_is_consistent() -> None:
    for t in TABLES.values():
        assert t.required, t.name
        assert len(set(t.names)) == len(t.names)
        if t.key:
            assert t.key in t.required


def test_epoch_milliseconds_and_decimal_comma(tmp_path: Path) -> None:
    """RetailRocket-style Unix milliseconds; European numbers."""
    events = "timestamp,visitorid,event,itemid\n1433221332117,257597,view,355908\n"
    orders = "user_id;timestamp;amount\n1;1433221332;1.234,50\n"
    cfg = write_dataset(
        tmp_path,
        {"events.csv": events, "orders.csv": "\ufeff" + orders},
        {
            "events": {"timestamp_format": "epoch_ms",
                       "columns": {"user_id": "visitorid", "item_id": "itemid"}},
            "orders": {"sep": ";", "timestamp_format": "epoch", "thousands": ".", "decimal": ","},
        },
    )  # fmt: skip
    with open_workspace(cfg) as ws:
        e = ws.to_pandas("events")
        assert str(e["timestamp"].iloc[0]) == "2015-06-02 05:02:12.117000"
        assert e["item_id"].iloc[0] == "355908"
        o = ws.to_pandas("orders")
        assert o["amount"].iloc[0] == 1234.5
        assert str(o["timestamp"].iloc[0]) == "2015-06-02 05:02:12"


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        ("1433221332", "'epoch' (Unix seconds, 10"),
        ("1433221332117", "'epoch_ms' (Unix milliseconds, 13"),
        ("1717015057000000", "'epoch_us' (Unix microseconds, 16"),
        ("1717015057000000123", "'epoch_ns' (Unix nanoseconds, 19"),
    ],
)
def test_epoch_hint(tmp_path: Path, value: str, unit: str) -> None:
    """Unix times are named by their digits (16 digits were offered a strptime format)."""
    cfg = write_dataset(
        tmp_path, {"orders.csv": f"user_id,timestamp,amount\n1,{value},3\n"}, {"orders": {}}
    )
    with pytest.raises(SchemaError, match=re.escape(f"timestamp_format: {unit} digits")):
        open_workspace(cfg)


def test_epoch_units_from_parquet_and_a_database(tmp_path: Path) -> None:
    """GA4's BIGINT event_timestamp (microseconds): the fix names epoch_us, and epoch_us and
    epoch_ns read the same instant from a file and from a database."""
    us = [1717015057123456, 1717015090000001]
    want = ["2024-05-29 20:37:37.123456", "2024-05-29 20:38:10.000001"]
    pd.DataFrame({"user_id": ["a", "b"], "timestamp": us, "event": ["view", "view"]}).to_parquet(
        tmp_path / "events.parquet"
    )
    cfg = write_dataset(tmp_path, {}, {"events": {}})
    with pytest.raises(SchemaError, match=r"\(source type BIGINT\)\. Fix: they are Unix times: "
                       r"set data\.tables\.events\.timestamp_format: 'epoch_us'"):  # fmt: skip
        open_workspace(cfg)
    cfg = write_dataset(tmp_path, {}, {"events": {"timestamp_format": "epoch_us"}})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("events")["timestamp"].astype(str).tolist() == want
    ns = [u * 1000 + 789 for u in us]
    pd.DataFrame({"user_id": ["a", "b"], "timestamp": ns, "event": ["view", "view"]}).to_parquet(
        tmp_path / "events.parquet"
    )
    cfg = write_dataset(tmp_path, {}, {"events": {"timestamp_format": "epoch_ns"}})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("events")["timestamp"].astype(str).tolist() == want
    rows = [
        "CREATE TABLE ev (user_id VARCHAR, ts BIGINT, ts_ns BIGINT, event VARCHAR)",
        f"INSERT INTO ev VALUES ('a', {us[0]}, {ns[0]}, 'view'), ('b', {us[1]}, {ns[1]}, 'view')",
    ]
    for fmt, col in (("epoch_us", "ts"), ("epoch_ns", "ts_ns")):
        spec = f"{{table: ev, timestamp_format: {fmt}, columns: {{timestamp: {col}}}}}"
        with open_workspace(
            _database(tmp_path, rows if col == "ts" else [], f"{{events: {spec}}}")
        ) as ws:
            got = ws.to_pandas("events").sort_values("user_id")["timestamp"].astype(str).tolist()
            assert got == want


def test_numbers_counted_from_a_date(tmp_path: Path) -> None:
    """Dunnhumby's day numbers (DAY 1..711) and Keepa's minutes since 2011-01-01 read as
    '<unit> since <origin>': day numbers are dates, minutes are times of day in the table's
    zone; a day number without the format gets that fix, on files and databases alike."""
    days = "household_key,DAY,SALES_VALUE\n1,1,2.5\n2,366,4.0\n"
    fix = "Fix: they look like numbers counted from a date (day numbers): set data.tables.orders"
    cols = {"user_id": "household_key", "timestamp": "DAY", "amount": "SALES_VALUE"}
    cfg = write_dataset(tmp_path, {"orders.csv": days}, {"orders": {"columns": cols}})
    with pytest.raises(SchemaError, match=re.escape(fix + ".timestamp_format: 'days since")):
        open_workspace(cfg)
    spec = {"columns": cols, "timestamp_format": "days since 2023-12-31"}
    cfg = write_dataset(tmp_path, {"orders.csv": days}, {"orders": spec})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("orders").sort_values("user_id")["timestamp"].astype(str).tolist()
        assert got == ["2024-01-01", "2024-12-31"]  # 2024 is a leap year
    keepa = "asin,keepa_time,price\nB01,7358400,1999\nB01,7358430.5,1899\n"
    spec = {"timestamp_format": "minutes since 2011-01-01", "timezone": "UTC",
            "columns": {"user_id": "asin", "timestamp": "keepa_time", "amount": "price"}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"orders.csv": keepa}, {"orders": spec})
    cfg.write_text(cfg.read_text() + "\n  timezone: Asia/Tokyo\n", encoding="utf-8")
    with open_workspace(cfg) as ws:  # 7,358,400 min = 5,110 days: 2024-12-28 00:00 UTC
        got = ws.to_pandas("orders")["timestamp"].astype(str).tolist()
        assert got == ["2024-12-28 09:00:00", "2024-12-28 09:30:30"]
    rows = ["CREATE TABLE tx (hh VARCHAR, day_no INTEGER, sales DOUBLE)",
            "INSERT INTO tx VALUES ('1', 1, 2.5), ('2', 366, 4.0)"]  # fmt: skip
    mapping = "{orders: {table: tx, columns: {user_id: hh, timestamp: day_no, amount: sales}}}"
    with pytest.raises(SchemaError, match=re.escape(fix + ".timestamp_format: 'days since")):
        open_workspace(_database(tmp_path, rows, mapping))
    mapping = mapping.replace("{table: tx,", "{table: tx, timestamp_format: days since 2023-12-31,")
    with open_workspace(_database(tmp_path, [], mapping)) as ws:
        got = ws.to_pandas("orders").sort_values("user_id")["timestamp"].astype(str).tolist()
        assert got == ["2024-01-01", "2024-12-31"]


def test_attribute_types_are_detected_without_rounding(tmp_path: Path) -> None:
    items = "item_id,hpwt,doors,zip,note\nA,0.53,2,01234,x\nB,1.25,4,02134,\nC,-3e-2,5,10000,y\n"
    cfg = write_dataset(tmp_path, {"items.csv": items}, {"items": {}})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("items")
        assert df["hpwt"].tolist() == [0.53, 1.25, -0.03]
        assert df["doors"].tolist() == [2, 4, 5] and str(df["doors"].dtype) == "int64"
        assert df["zip"].tolist() == ["01234", "02134", "10000"]  # leading zeros stay text
        assert df["note"].iloc[0] == "x"


def test_constants_stand_in_for_columns_the_export_lacks(tmp_path: Path) -> None:
    """A ratings export (user, item, stars, time) has no event column: `constants` gives every
    row one, on files and on databases alike; a constant must name a text or number column
    the data does not already have."""
    text = "uid,mid,stars,ts\n1,10,4,2024-01-01 10:00\n2,10,2,2024-01-02 11:00\n"
    cols = {"user_id": "uid", "item_id": "mid", "timestamp": "ts"}
    spec = {"file": "ratings.csv", "columns": cols, "constants": {"event": "rate"}}
    items = "item_id,title\n10,Heat\n"
    cfg = write_dataset(
        tmp_path, {"ratings.csv": text, "items.csv": items},
        {"events": spec, "items": {"constants": {"price": "9.5", "category": 7}}},
    )  # fmt: skip
    with open_workspace(cfg) as ws:
        ev = ws.to_pandas("events")
        assert ev["event"].tolist() == ["rate", "rate"] and ev["stars"].tolist() == [4, 2]
        it = ws.to_pandas("items")
        assert it["price"].tolist() == [9.5] and it["category"].tolist() == ["7"]
        ws.export(tmp_path / "shop.duckdb")
    sql = ["ALTER TABLE events DROP COLUMN event"]  # the database path
    db = _database(tmp_path, sql, "{events: {constants: {event: rated}}}")
    with open_workspace(db) as ws:
        assert ws.to_pandas("events")["event"].tolist() == ["rated", "rated"]
    bad = {
        "evnt": r"constants names 'evnt', which is not a column of the events table.*'event'",
        "timestamp": r"constants\.timestamp: a timestamp column cannot be one value",
        "user_id": r"column 'user_id' is both in data\.tables\.events\.columns and in",
    }
    for col, message in bad.items():
        cfg = write_dataset(tmp_path, {}, {"events": spec | {"constants": {col: "x"}}})
        with pytest.raises(SchemaError, match=message):
            open_workspace(cfg)
    cfg = write_dataset(tmp_path, {}, {"events": spec | {"constants": {"event": "rate"}},
                                       "items": {"constants": {"price": "cheap"}}})  # fmt: skip
    with pytest.raises(
        SchemaError,
        match=r"items: data\.tables\.items\.constants\.price must be a number, got 'cheap'",
    ):
        open_workspace(cfg)


def test_blank_text_is_missing(tmp_path: Path) -> None:
    """A ticket whose text is only spaces is as empty as one with no text: a required value
    missing (dropped with drop_incomplete), not a text of language 'und'; file and database
    sources alike. Text that has content keeps its spaces."""
    text = "text,intent\nlost my card,card\n   ,card\n\t ,card\n  转账失败了 ,transfer\n"
    spec: dict[str, object] = {"file": "t.csv"}
    cfg = write_dataset(tmp_path, {"t.csv": text}, {"tickets": spec})
    with pytest.raises(SchemaError, match=r"tickets: required column 'text' is empty in 2 row"):
        open_workspace(cfg)
    cfg = write_dataset(tmp_path, {"t.csv": text}, {"tickets": spec | {"drop_incomplete": True}})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("tickets")["text"].tolist() == ["lost my card", "  转账失败了 "]
    sql = ["CREATE TABLE tickets (ticket_id VARCHAR, text VARCHAR)",
           "INSERT INTO tickets VALUES ('a', 'hello'), ('b', '  ')"]  # fmt: skip
    db = _database(tmp_path, sql, "{tickets: {drop_incomplete: true}}")  # the database path
    with open_workspace(db) as ws:
        assert ws.to_pandas("tickets")["text"].tolist() == ["hello"]


def test_currency_symbols_are_dropped_from_numbers(tmp_path: Path) -> None:
    """Shop exports write money with its symbol: '¥1,234.50', '-￥46.00', '12,00 €'."""
    rows = (
        "user_id,timestamp,amount\n"
        '007,2024-01-01,"¥1,234.50"\n007,2024-01-02,"-￥46.00"\n008,2024-01-03,CN¥ 12\n'
    )
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {"thousands": ","}})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [1234.5, -46.0, 12.0]
    eu = "user_id;timestamp;amount\n1;2024-01-01;1.234,50 €\n"
    cfg = write_dataset(
        tmp_path / "eu", {"orders.csv": eu},
        {"orders": {"sep": ";", "thousands": ".", "decimal": ","}},
    )  # fmt: skip
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [1234.5]


def test_money_grouped_by_commas_needs_no_thousands_key(tmp_path: Path) -> None:
    """'￥1,358.13' (a Taobao export) is read as the README says, without thousands: ','; a
    comma is a thousands mark only with a currency symbol and three digits after it."""
    rows = (
        "user_id,timestamp,amount\n"
        '1,2024-01-01,"￥1,358.13"\n2,2024-01-02,"-￥12,345"\n3,2024-01-03,"CN¥ 1,200,000"\n'
        '4,2024-01-04,￥393.91\n5,2024-01-05,"1,234.50"\n'
    )
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with pytest.raises(SchemaError, match=r"1 value\(s\) do not parse, e.g. '1,234.50'"):
        open_workspace(cfg)  # no symbol: the comma's meaning is the user's to say
    cfg = write_dataset(
        tmp_path / "ok", {"orders.csv": rows.replace('"1,234.50"', "1234.50")}, {"orders": {}}
    )
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [
            1358.13,
            -12345.0,
            1200000.0,
            393.91,
            1234.5,
        ]
    eu = "user_id;timestamp;amount\n1;2024-01-01;12,00 €\n2;2024-01-02;1.234,50 €\n"
    cfg = write_dataset(
        tmp_path / "eu", {"orders.csv": eu}, {"orders": {"sep": ";", "decimal": ","}}
    )  # a decimal comma stays one
    with pytest.raises(SchemaError, match=r"'1\.234,50 €'"):
        open_workspace(cfg)  # '.' is no thousands mark unless set
    cfg = write_dataset(
        tmp_path / "eu2", {"orders.csv": eu.replace("1.234,50", "234,50")},
        {"orders": {"sep": ";", "decimal": ","}},
    )  # fmt: skip
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [12.0, 234.5]


def test_mixed_currencies_are_an_error(tmp_path: Path) -> None:
    rows = "user_id,timestamp,amount\n1,2024-01-01,$12\n2,2024-01-02,€10\n"
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with pytest.raises(SchemaError, match=r"'amount' \(amount\) mixes currencies \(\$, €\)"):
        open_workspace(cfg)


def test_time_zone_leaves_dates_without_a_time_on_their_day(tmp_path: Path) -> None:
    """A date is a calendar day: Berlin's 01.01.2024 is not 2023-12-31 23:00 UTC."""
    rows = "user_id;timestamp;amount\n1;01.01.2024;5\n"
    tz = {"sep": ";", "timezone": "Europe/Berlin"}
    cfg = write_dataset(
        tmp_path / "a", {"orders.csv": rows}, {"orders": tz | {"timestamp_format": "%d.%m.%Y"}}
    )
    with open_workspace(cfg) as ws:
        assert str(ws.to_pandas("orders")["timestamp"].iloc[0]) == "2024-01-01 00:00:00"
    rows = "user_id;timestamp;amount\n1;2024-01-01;5\n2;2024-01-01 10:00;5\n"
    cfg = write_dataset(tmp_path / "b", {"orders.csv": rows}, {"orders": tz})
    with open_workspace(cfg) as ws:
        ts = ws.to_pandas("orders")["timestamp"].astype(str).tolist()
        assert ts == ["2024-01-01 00:00:00", "2024-01-01 09:00:00"]
    pd.DataFrame(
        {"user_id": ["1"], "timestamp": [pd.Timestamp("2024-01-01").date()], "amount": [5.0]}
    ).to_parquet(tmp_path / "o.parquet")
    cfg = write_dataset(
        tmp_path, {}, {"orders": {"file": "o.parquet", "timezone": "Europe/Berlin"}}
    )
    with open_workspace(cfg) as ws:
        assert str(ws.to_pandas("orders")["timestamp"].iloc[0]) == "2024-01-01 00:00:00"


def test_time_zone_keeps_database_dates_at_local_midnight_on_their_day(tmp_path: Path) -> None:
    """A Taipei shop's database stores each day's sales as TIMESTAMP WITH TIME ZONE at local
    midnight (16:00 UTC the day before): with timezone set they stay on their calendar day,
    in a database source and in a Parquet file alike; a sale with a time of day is UTC."""
    rows = [
        "CREATE TABLE pos (sku BIGINT, sold_at TIMESTAMPTZ, qty DECIMAL(12, 3))",
        "INSERT INTO pos VALUES (1, '2000-11-01 00:00:00+08', 3), (1, '2000-11-02 10:30+08', 2)",
    ]
    spec = "{table: pos, timezone: Asia/Taipei, columns: {item_id: sku, timestamp: sold_at, quantity: qty}}"
    cfg = _database(tmp_path, rows, f"{{demand: {spec}}}")
    want = ["2000-11-01 00:00:00", "2000-11-02 02:30:00"]
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("demand")["timestamp"].astype(str).tolist() == want
    cfg.write_text(cfg.read_text().replace("timezone: Asia/Taipei, ", ""), encoding="utf-8")
    with open_workspace(cfg) as ws:  # without it: the instants in UTC
        ts = ws.to_pandas("demand")["timestamp"].astype(str).tolist()
        assert ts == ["2000-10-31 16:00:00", "2000-11-02 02:30:00"]
    stamps = pd.to_datetime(["2000-11-01 00:00", "2000-11-02 10:30"]).tz_localize("Asia/Taipei")
    pd.DataFrame({"item_id": ["1", "1"], "timestamp": stamps, "quantity": [3.0, 2.0]}).to_parquet(
        tmp_path / "d.parquet"
    )
    cfg = write_dataset(tmp_path, {}, {"demand": {"file": "d.parquet", "timezone": "Asia/Taipei"}})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("demand")["timestamp"].astype(str).tolist() == want


def test_orphan_ids_that_lost_their_leading_zeros_are_explained(tmp_path: Path) -> None:
    """A users file saved from a spreadsheet: '007' became '7', so no order finds its user."""
    users = "user_id,region\n7,north\n8,south\n9,east\n"
    orders = "user_id,timestamp,amount\n007,2024-01-01,5\n008,2024-01-02,6\n042,2024-01-03,7\n"
    cfg = write_dataset(
        tmp_path, {"users.csv": users, "orders.csv": orders}, {"users": {}, "orders": {}}
    )
    with open_workspace(cfg) as ws:
        (w,) = [str(w) for w in ws.warnings]
        assert w == (
            "orders.user_id: 3 distinct id(s) not in users; 2 of them match once leading zeros "
            "are ignored (e.g. '007' and '7'): a spreadsheet may have dropped the zeros. Export "
            "user_id as text in both files"
        )


def test_drop_duplicates_keeps_the_first_of_repeated_rows(tmp_path: Path) -> None:
    """An export loaded twice: with drop_duplicates the repeats go (file order kept) and a
    warning counts them; without it every row stays. File and database sources alike."""
    rows = (
        "user_id,timestamp,amount,note\n"
        "007,2024-01-01,10,\n007,2024-01-01,10,\n"  # a repeat (empty note equal too)
        "008,2024-01-02,5,a\n008,2024-01-02,5,b\n"  # differ in one column: both stay
        "009,2024-01-03,7,\n007,2024-01-01,10,\n"
    )
    files = {"o.csv": rows}
    keep = write_dataset(tmp_path, files, {"orders": {"file": "o.csv"}})
    with open_workspace(keep) as ws:
        assert len(ws.to_pandas("orders")) == 6
    cfg = write_dataset(tmp_path, files, {"orders": {"file": "o.csv", "drop_duplicates": True}})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("orders")
        said = [w.message for w in ws.warnings]
    assert got["user_id"].tolist() == ["007", "008", "008", "009"]
    assert got["note"].tolist()[1:3] == ["a", "b"]
    assert said == ["2 of 6 row(s) (33.3%) dropped: exact repeats of an earlier row "
                    "(data.tables.orders.drop_duplicates)"]  # fmt: skip
    pd.DataFrame({"user_id": ["1", "1", "2"], "timestamp": pd.to_datetime(["2024-01-01"] * 3),
                  "amount": [3.0, 3.0, 3.0]}).to_parquet(tmp_path / "o.parquet")  # fmt: skip
    typed = write_dataset(tmp_path, {}, {"orders": {"file": "o.parquet", "drop_duplicates": True}})
    with open_workspace(typed) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["1", "2"]
    sql = ["CREATE TABLE orders (user_id VARCHAR, timestamp TIMESTAMP, amount DOUBLE)",
           "INSERT INTO orders VALUES ('a', '2024-01-01', 1), ('a', '2024-01-01', 1), "
           "('b', '2024-01-02', 2)"]  # fmt: skip
    db = _database(tmp_path, sql, "{orders: {drop_duplicates: true}}")
    with open_workspace(db) as ws:
        assert sorted(ws.to_pandas("orders")["user_id"]) == ["a", "b"]
        assert "1 of 3 row(s) (33.3%) dropped: exact repeats" in ws.warnings[0].message


def test_where_keeps_the_rows_a_condition_holds_for(tmp_path: Path) -> None:
    """Failed and refunded invoices out of revenue: the condition reads the loaded table
    (contract names for mapped columns, typed), file order is kept, a warning counts the rows
    left out, and a bad condition is an error naming the key and the columns there are."""
    rows = (
        "acct,paid_at,total,status\n"
        "a1,2024-01-01,29,paid\na2,2024-01-02,29,failed\na1,2024-02-01,99,paid\n"
        "a3,2024-02-02,-29,refunded\na3,2024-02-03,9,paid\n"
    )
    cols = {"user_id": "acct", "timestamp": "paid_at", "amount": "total"}
    spec = {"file": "inv.csv", "columns": cols, "where": "status = 'paid' AND amount < 50"}
    cfg = write_dataset(tmp_path, {"inv.csv": rows}, {"orders": spec})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("orders")
        said = [w.message for w in ws.warnings]
    assert got["user_id"].tolist() == ["a1", "a3"] and got["amount"].tolist() == [29.0, 9.0]
    assert said == ["3 of 5 row(s) (60.0%) left out by data.tables.orders.where "
                    "(status = 'paid' AND amount < 50)"]  # fmt: skip
    bad = write_dataset(tmp_path, {"inv.csv": rows}, {"orders": spec | {"where": "total > 0"}})
    with pytest.raises(SchemaError, match=r"orders: the condition data\.tables\.orders\.where "
                       r"\('total > 0'\) cannot be applied: .+ runs on the rows as read, before "
                       r"the casts \(columns: acct, paid_at, total, status; .+TRY_CAST\(total AS "
                       r"DOUBLE\) > 0\), or name the contract column, which is typed: amount "
                       r"\(for total\)"):  # fmt: skip
        open_workspace(bad)
    unknown = write_dataset(tmp_path, {"inv.csv": rows}, {"orders": spec | {"where": "cost > 0"}})
    with pytest.raises(SchemaError, match=r"\('cost > 0'\) cannot be applied: .+ whose columns "
                       r"are: user_id, timestamp, amount, status"):  # fmt: skip
        open_workspace(unknown)  # a column of neither: the loaded table's columns
    everything = write_dataset(tmp_path, {"inv.csv": rows}, {"orders": spec | {"where": "true"}})
    with open_workspace(everything) as ws:
        assert len(ws.to_pandas("orders")) == 5
        assert not [w for w in ws.warnings if "where" in w.message]
    none = write_dataset(tmp_path, {"inv.csv": rows}, {"orders": spec | {"where": "status='Paid'"}})
    with pytest.raises(
        SchemaError, match=r"where \(\"status='Paid'\"\) holds for none of its 5 rows"
    ):
        open_workspace(none)
    sql = ["CREATE TABLE invoices (acct VARCHAR, paid_at TIMESTAMP, total DOUBLE, status VARCHAR)",
           "INSERT INTO invoices VALUES ('a1', '2024-01-01', 29, 'paid'), "
           "('a2', '2024-01-02', 29, 'failed'), ('a3', '2024-01-03', 9, 'paid')"]  # fmt: skip
    db = _database(
        tmp_path, sql, "{orders: {table: invoices, where: \"status = 'paid'\", columns: "
        "{user_id: acct, timestamp: paid_at, amount: total}}}",
    )  # fmt: skip
    with open_workspace(db) as ws:
        assert sorted(ws.to_pandas("orders")["user_id"]) == ["a1", "a3"]
        assert "1 of 3 row(s) (33.3%) left out" in ws.warnings[0].message


def test_dates_written_with_an_offset_keep_their_day_with_timezone(tmp_path: Path) -> None:
    """'2024-01-05T00:00:00+08:00' (a Taipei shop's daily export) is 16:00 UTC the day before:
    without timezone a warning says every value sits at 16:00 and names the key; with it the
    calendar day is kept, and other times still become UTC."""
    rows = (
        "user_id,timestamp,amount\nu1,2024-01-05T00:00:00+08:00,5\nu2,2024-01-06T00:00:00+08:00,6\n"
    )
    bare = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(bare) as ws:
        assert ws.to_pandas("orders")["timestamp"].tolist()[0] == pd.Timestamp("2024-01-04 16:00")
        (w,) = ws.warnings
    assert (w.table, w.column) == ("orders", "timestamp")
    assert w.message.startswith(
        "every value is at 16:00 UTC, as dates at midnight in a zone 8 hours ahead"
    )
    assert "set data.timezone to the business's zone (e.g. 'Asia/Shanghai'), or " in w.message
    assert "data.tables.orders.timezone if only this table's differ" in w.message
    timed = rows + "u3,2024-01-07T09:30:00+08:00,7\n"
    zoned = write_dataset(tmp_path, {"orders.csv": timed}, {"orders": {"timezone": "Asia/Taipei"}})
    with open_workspace(zoned) as ws:
        assert ws.to_pandas("orders")["timestamp"].tolist() == [
            pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06"), pd.Timestamp("2024-01-07 01:30")]  # fmt: skip
        assert not ws.warnings


def test_zoned_attribute_columns_become_naive_utc(tmp_path: Path) -> None:
    """A warehouse export's TIMESTAMP WITH TIME ZONE extras (deleted_at, _dbt_loaded_at) are
    naive UTC like the contract's timestamps, the same instant, in a Parquet file and in a
    database: tz-aware ones crashed the churn features ('Cannot subtract tz-naive and
    tz-aware')."""
    loaded = pd.to_datetime(["2024-03-01 09:30", "2024-03-02 23:15"]).tz_localize("Asia/Taipei")
    pd.DataFrame(
        {
            "user_id": ["1", "2"],
            "signup_at": pd.to_datetime(["2024-01-01", "2024-01-02"]),
            "_dbt_loaded_at": loaded,
            "deleted_at": pd.Series([None, None], dtype="datetime64[us, UTC]"),
        }
    ).to_parquet(tmp_path / "users.parquet")
    want = ["2024-03-01 01:30:00", "2024-03-02 15:15:00"]
    cfg = write_dataset(tmp_path, {}, {"users": {"where": "deleted_at IS NULL"}})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("users")
        assert str(df["_dbt_loaded_at"].dtype).startswith("datetime64") and (
            df["_dbt_loaded_at"].dt.tz is None and df["deleted_at"].dt.tz is None
        )
        assert df["_dbt_loaded_at"].astype(str).tolist() == want
    rows = [
        "CREATE TABLE dim_customers (user_id VARCHAR, _loaded_at TIMESTAMPTZ)",
        "INSERT INTO dim_customers VALUES ('1', '2024-03-01 09:30+08'), ('2', '2024-03-02 23:15+08')",
    ]
    cfg = _database(tmp_path, rows, "{users: {table: dim_customers}}")
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("users")
        assert df["_loaded_at"].dt.tz is None
        assert df["_loaded_at"].astype(str).tolist() == want


def test_scale_reads_money_in_cents(tmp_path: Path) -> None:
    """A warehouse's order_total_cents with scale 0.01 is the amount in whole units (every
    figure was 100x before), exactly (999 cents is 9.99), from a file and a database; a price
    in cents scales the amount derived from it."""
    orders = "customer_id,ordered_at,order_total_cents\nc1,2024-01-01,1250\nc2,2024-01-02,999\n"
    lines = "user_id,timestamp,quantity,unit_price_cents\nc1,2024-01-01,3,199\n"
    cols = {"user_id": "customer_id", "timestamp": "ordered_at", "amount": "order_total_cents"}
    cfg = write_dataset(
        tmp_path,
        {"orders.csv": orders, "lines.csv": lines},
        {"orders": {"columns": cols, "scale": {"amount": 0.01}}},
    )
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [12.5, 9.99]
    lines_spec = {"file": "lines.csv", "columns": {"price": "unit_price_cents"},
                  "scale": {"price": 0.01}}  # fmt: skip
    cfg = write_dataset(tmp_path, {}, {"orders": lines_spec})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("orders")
        assert df["price"].tolist() == [1.99] and df["amount"].round(9).tolist() == [5.97]
    rows = [
        "CREATE TABLE fct_orders (customer_id VARCHAR, ordered_at DATE, order_total_cents BIGINT)",
        "INSERT INTO fct_orders VALUES ('c1', '2024-01-01', 1250), ('c2', '2024-01-02', 999)",
    ]
    spec = f"{{table: fct_orders, scale: {{amount: 0.01}}, columns: {cols}}}"
    with open_workspace(_database(tmp_path, rows, f"{{orders: {spec}}}")) as ws:
        assert sorted(ws.to_pandas("orders")["amount"].tolist()) == [9.99, 12.5]


@pytest.mark.parametrize(
    ("scale", "message"),
    [
        ({"amout": 0.01}, r"scale names 'amout', not a column of the orders table; .+ amount, "),
        ({"user_id": 0.01}, r"'user_id', not a number column of the orders table"),
        ({"amount": 0}, r"data\.tables\.orders\.scale: factors must be positive .+ amount: 0"),
    ],
)
def test_scale_names_number_columns_and_positive_factors(scale: dict, message: str) -> None:
    from opsai.config import config_from_dict
    from opsai.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        config_from_dict({"data": {"tables": {"orders": {"scale": scale}}}})


def test_dotted_paths_read_fields_of_nested_json(tmp_path: Path) -> None:
    """Zendesk's nested via/satisfaction_rating: a dotted path reads the field ('good'), where
    the object came out as the text "{'score': good}" without a word; mapping the object
    itself is an error naming the path to write, and a wrong field lists the fields."""
    rows = [
        {"id": 1, "description": "Late parcel", "via": {"channel": "email"},
         "satisfaction_rating": {"score": "bad", "comment": {"body": "slow"}}},
        {"id": 2, "description": "Thanks!", "via": {"channel": "chat"},
         "satisfaction_rating": {"score": "good", "comment": {"body": "ok"}}},
    ]  # fmt: skip
    pd.DataFrame(rows).to_json(tmp_path / "tickets.jsonl", orient="records", lines=True)
    cols = {"ticket_id": "id", "text": "description", "channel": "via.channel",
            "sentiment": "satisfaction_rating.score", "language": "satisfaction_rating.comment.body"}  # fmt: skip
    cfg = write_dataset(tmp_path, {}, {"tickets": {"file": "tickets.jsonl", "columns": cols}})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("tickets")
        assert df["sentiment"].tolist() == ["bad", "good"]
        assert df["channel"].tolist() == ["email", "chat"]
        assert df["language"].tolist() == ["slow", "ok"]
    bad = {**cols, "sentiment": "satisfaction_rating"}
    cfg = write_dataset(tmp_path, {}, {"tickets": {"file": "tickets.jsonl", "columns": bad}})
    with pytest.raises(SchemaError, match=r"'satisfaction_rating' \(sentiment\) holds nested .+"
                       r"columns\.sentiment: satisfaction_rating\.score"):  # fmt: skip
        open_workspace(cfg)
    bad = {**cols, "sentiment": "satisfaction_rating.scor"}
    cfg = write_dataset(tmp_path, {}, {"tickets": {"file": "tickets.jsonl", "columns": bad}})
    with pytest.raises(SchemaError, match=r"has no field 'scor' \(its fields: score, comment\)"):
        open_workspace(cfg)
    db = [
        "CREATE TABLE zd (id BIGINT, description VARCHAR, via STRUCT(channel VARCHAR))",
        "INSERT INTO zd VALUES (1, 'Late', {'channel': 'email'}), (2, 'Hi', {'channel': 'chat'})",
    ]
    spec = "{table: zd, columns: {ticket_id: id, text: description, channel: via.channel}}"
    with open_workspace(_database(tmp_path, db, f"{{tickets: {spec}}}")) as ws:
        assert ws.to_pandas("tickets").sort_values("ticket_id")["channel"].tolist() == [
            "email",
            "chat",
        ]
    spec = "{table: zd, columns: {ticket_id: id, text: description, channel: via}}"
    with pytest.raises(SchemaError, match=r"columns\.channel: via\.channel \(its fields"):
        open_workspace(_database(tmp_path, [], f"{{tickets: {spec}}}"))


def test_database_json_and_map_columns_are_read_by_dotted_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A DuckDB file with Mixpanel-style properties in a JSON column and attributes in a MAP:
    properties.distinct_id stopped with "'properties' is json, not an object (STRUCT)"; now
    dotted paths read keys at any depth, cast to the contract's types, a missing key is NULL."""
    db = [
        "CREATE TABLE ev (ts TIMESTAMP, properties JSON, attrs MAP(VARCHAR, VARCHAR), "
        "codes MAP(INTEGER, VARCHAR))",
        """INSERT INTO ev VALUES
        ('2024-01-01 10:00', '{"distinct_id": "u1", "price": 3.5, "page": {"url": "/a"},
          "order_id": "o1", "paid_at": "2024-01-01T17:30:00+08:00"}',
          MAP {'qty': '2', 'sku': 'A1'}, MAP {1: 'x'}),
        ('2024-01-02 10:00', '{"distinct_id": 7, "price": "4", "page": {},
          "order_id": null, "paid_at": "2024-01-02 11:00:00+00:00"}', MAP {'sku': 'B2'}, MAP {1: 'y'})
        """,
    ]
    cols = {"user_id": "properties.distinct_id", "timestamp": "properties.paid_at",
            "amount": "properties.price", "order_id": "properties.order_id",
            "item_id": "attrs.sku", "quantity": "attrs.qty", "url": "properties.page.url"}  # fmt: skip

    def config(columns: dict[str, str], statements: list[str] | None = None) -> Path:
        spec = {"orders": {"table": "ev", "columns": columns}}
        flow = yaml.safe_dump(spec, default_flow_style=True).strip()
        return _database(tmp_path, statements or [], flow)

    with open_workspace(config(cols, db)) as ws:
        df = ws.to_pandas("orders").sort_values("amount")
    assert df["user_id"].tolist() == ["u1", "7"]  # a JSON number as written
    assert df["amount"].tolist() == [3.5, 4.0]  # a number and a number written as text
    assert [str(t) for t in df["timestamp"]] == ["2024-01-01 09:30:00", "2024-01-02 11:00:00"]
    assert df["order_id"].tolist()[0] == "o1" and pd.isna(df["order_id"].tolist()[1])  # null
    assert df["item_id"].tolist() == ["A1", "B2"]
    assert df["quantity"].tolist()[0] == 2.0 and pd.isna(df["quantity"].tolist()[1])  # no key
    assert df["url"].tolist()[0] == "/a" and pd.isna(df["url"].tolist()[1])  # nested, absent

    with pytest.raises(SchemaError, match=r"column 'propertie\.distinct_id' \(mapped to user_id"
                       r"\) not found .+did you mean 'properties.+columns\.user_id"):  # fmt: skip
        open_workspace(config({**cols, "user_id": "propertie.distinct_id"}))
    with pytest.raises(SchemaError, match=r"'properties' \(user_id\) holds nested values \(json\)"
                       r".+columns\.user_id: properties\.<key>"):  # fmt: skip
        open_workspace(config({**cols, "user_id": "properties"}))
    with pytest.raises(SchemaError, match=r"'codes' is map<int32, string>, not an object .+"
                       r"Fix the path in data\.tables\.orders\.columns\.item_id"):  # fmt: skip
        open_workspace(config({**cols, "item_id": "codes.1"}))
    from ibis.backends.sql.compilers.duckdb import DuckDBCompiler
    from ibis.common.exceptions import OperationNotDefinedError

    def unsupported(*args: object, **kwargs: object) -> None:
        raise OperationNotDefinedError("No translation rule for JSONGetItem")

    monkeypatch.setattr(DuckDBCompiler, "visit_JSONGetItem", unsupported)  # another engine's
    with pytest.raises(SchemaError) as err:
        open_workspace(config({"user_id": "properties.user.id", "timestamp": "ts"}))
    assert (
        "orders: column path 'properties.user.id' (user_id): the duckdb database cannot read "
        "'properties' (type json) by a dotted path here (No translation rule for JSONGetItem). "
        "Fix: flatten it in the database, e.g. a view with the value as its own column (CREATE "
        "VIEW ... AS SELECT ..., properties->'user'->>'id' AS id ...), and map that view's "
        "column: data.tables.orders.table and data.tables.orders.columns.user_id"
    ) in str(err.value)


def test_negative_ledger_rows_point_to_where(tmp_path: Path) -> None:
    """A stock ledger's ADJ/RETURN rows are negative: the error offers where (it said only
    'fix the data or map another column'), and the where it offers loads the sales."""
    ledger = (
        "item_id,timestamp,quantity,movement\nP1,2024-01-01,3,SALE\nP1,2024-01-02,-2,ADJ\n"
        "P1,2024-01-03,1,SALE\n"
    )
    cfg = write_dataset(tmp_path, {"demand.csv": ledger}, {"demand": {}})
    with pytest.raises(SchemaError, match=r"found 1 negative value\(s\) \(returns\?\)\. Fix: leave "
                       r"them out with data\.tables\.demand\.where: \"quantity >= 0\" \(or keep a "
                       r"ledger's sales: where: \"movement = 'SALE'\"\)"):  # fmt: skip
        open_workspace(cfg)
    cfg = write_dataset(tmp_path, {}, {"demand": {"where": "quantity >= 0"}})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("demand")["quantity"].tolist() == [3.0, 1.0]


def test_database_numbers_as_timestamps_get_the_epoch_hint(tmp_path: Path) -> None:
    """A BIGINT of Unix milliseconds mapped to orders.timestamp on a DuckDB source was read as
    seconds (2024-01-01 became the year 55969) without a word; now the fix names epoch_ms, as
    it does for files, and integers written as dates take a strptime format."""
    ms = [1704067200000, 1704153600000]
    rows = [
        "CREATE TABLE o (user_id VARCHAR, ts BIGINT, day INTEGER, amount DOUBLE)",
        f"INSERT INTO o VALUES ('a', {ms[0]}, 20240101, 3), ('b', {ms[1]}, 20240102, 4)",
    ]
    cfg = _database(tmp_path, rows, "{orders: {table: o, columns: {timestamp: ts}}}")
    with pytest.raises(SchemaError) as err:
        open_workspace(cfg)
    assert (
        "orders: column 'ts' (timestamp) expected a timestamp, but it holds numbers, e.g. "
        "'1704067200000', '1704153600000' (source type int64). Fix: they are Unix times: set "
        "data.tables.orders.timestamp_format: 'epoch_ms' (Unix milliseconds, 13 digits;"
    ) in str(err.value)
    want = ["2024-01-01", "2024-01-02"]
    spec = "{orders: {table: o, timestamp_format: epoch_ms, columns: {timestamp: ts}}}"
    with open_workspace(_database(tmp_path, [], spec)) as ws:
        got = ws.to_pandas("orders").sort_values("user_id")["timestamp"].astype(str).tolist()
    assert got == want
    spec = "{orders: {table: o, columns: {timestamp: day}}}"
    with pytest.raises(SchemaError, match=r"\(source type int32\)\. Fix: set data\.tables\.orders"
                       r"\.timestamp_format to their strptime format \('%Y%m%d'\)"):  # fmt: skip
        open_workspace(_database(tmp_path, [], spec))
    spec = "{orders: {table: o, timestamp_format: '%Y%m%d', columns: {timestamp: day}}}"
    with open_workspace(_database(tmp_path, [], spec)) as ws:
        got = ws.to_pandas("orders").sort_values("user_id")["timestamp"].astype(str).tolist()
    assert got == want


def test_a_language_column_of_country_codes_is_a_warning(tmp_path: Path) -> None:
    """App Store Connect's territory mapped to language: USA is no language, and JPN/KOR in a
    column of countries are countries (byod6 D20); the languages are then detected."""
    rows = "text,language\nCrashes,USA\nCrashes again,USA\n落ちます,JPN\n꺼져요,KOR\nok,Klingon\n"
    cfg = write_dataset(tmp_path, {"t.csv": rows}, {"tickets": {"file": "t.csv"}})
    with open_workspace(cfg) as ws:
        msgs = [str(w) for w in ws.warnings]
    assert len(msgs) == 2
    assert msgs[0].startswith(
        "tickets.language: values 'USA' (2), 'JPN' (1), 'KOR' (1) look like country codes"
    )
    assert "Leave data.tables.tickets.columns.language unmapped" in msgs[0]
    assert msgs[1].startswith("tickets.language: values 'Klingon' (1) are no language code")
    ok = "text,language\nhola,Español\nhi,en-US\n你好,zh_CN\nhallo,deu\n"
    cfg = write_dataset(tmp_path, {"t.csv": ok}, {"tickets": {"file": "t.csv"}})
    with open_workspace(cfg) as ws:
        assert ws.warnings == []


def test_lists_name_their_elements_and_an_index_reads_one(tmp_path: Path) -> None:
    """Zendesk's comments (a list of objects) crashed validate with a DuckDB BinderException;
    tags (a list of text) were worded as an object ("{'score': good} ... tags.<field>"). Now
    both are errors naming the list and the path to write, and tags[1] / comments[-1].body
    read one element (1-based), from a file and from a database alike."""
    rows = [
        {"id": 1, "tags": ["bad", "es", "shipping"], "description": "Late",
         "comments": [{"id": 1, "body": "Late"}, {"id": 2, "body": "Sorry"}]},
        {"id": 2, "tags": ["good"], "description": "Thanks",
         "comments": [{"id": 3, "body": "Thanks"}]},
    ]  # fmt: skip
    pd.DataFrame(rows).to_json(tmp_path / "tickets.jsonl", orient="records", lines=True)
    cols = {"ticket_id": "id", "text": "description"}

    def cfg(extra: dict[str, str]) -> Path:
        spec = {"file": "tickets.jsonl", "columns": {**cols, **extra}}
        return write_dataset(tmp_path, {}, {"tickets": spec})

    with pytest.raises(SchemaError, match=r"'comments' \(text\) is a list of objects \(with "
                       r"fields id, body\).+columns\.text: comments\[1\]\.body \(indexes start "
                       r"at 1"):  # fmt: skip
        open_workspace(cfg({"text": "comments"}))
    with pytest.raises(SchemaError, match=r"'tags' \(intent\) is a list \(e\.g\. \['bad', 'es', "
                       r"'shipping'\]\).+columns\.intent: tags\[1\]"):  # fmt: skip
        open_workspace(cfg({"intent": "tags"}))
    with pytest.raises(SchemaError, match=r"list indexes start at 1"):
        open_workspace(cfg({"intent": "tags[0]"}))
    with pytest.raises(SchemaError, match=r"'comments' is a list .+ e\.g\. comments\[1\]\.body"):
        open_workspace(cfg({"text": "comments.body"}))
    with open_workspace(cfg({"intent": "tags[1]", "text": "comments[-1].body"})) as ws:
        df = ws.to_pandas("tickets").sort_values("ticket_id")
    assert df["intent"].tolist() == ["bad", "good"]
    assert df["text"].tolist() == ["Sorry", "Thanks"]
    db = [
        "CREATE TABLE zd (id BIGINT, tags VARCHAR[], comments STRUCT(id BIGINT, body VARCHAR)[])",
        "INSERT INTO zd VALUES (1, ['bad', 'es'], [{'id': 1, 'body': 'Late'}, "
        "{'id': 2, 'body': 'Sorry'}]), (2, ['good'], [{'id': 3, 'body': 'Thanks'}])",
    ]
    spec = "{table: zd, columns: {ticket_id: id, text: comments, intent: 'tags[1]'}}"
    with pytest.raises(SchemaError, match=r"'comments' \(text\) is a list of objects .+"
                       r"comments\[1\]\.body"):  # fmt: skip
        open_workspace(_database(tmp_path, db, f"{{tickets: {spec}}}"))
    spec = "{table: zd, columns: {ticket_id: id, text: 'comments[-1].body', intent: tags}}"
    with pytest.raises(SchemaError, match=r"'tags' \(intent\) is a list \(e\.g\. \['bad', 'es'\]"):
        open_workspace(_database(tmp_path, [], f"{{tickets: {spec}}}"))
    spec = "{table: zd, columns: {ticket_id: id, text: 'comments[-1].body', intent: 'tags[1]'}}"
    with open_workspace(_database(tmp_path, [], f"{{tickets: {spec}}}")) as ws:
        df = ws.to_pandas("tickets").sort_values("ticket_id")
    assert df["intent"].tolist() == ["bad", "good"]
    assert df["text"].tolist() == ["Sorry", "Thanks"]


def test_json_object_holding_its_records_in_a_list(tmp_path: Path) -> None:
    """Zendesk's API export ({"tickets": [...], "next_page": ...}) stopped with "column 'id'
    not found (have: tickets, next_page, ...)"; now its records are the rows (with a warning,
    or silently with records: tickets), and two candidate lists ask for records."""
    import json

    tickets = [{"id": 7, "description": "Late parcel", "via": {"channel": "email"}},
               {"id": 8, "description": "Thanks", "via": {"channel": "chat"}},
               {"id": 9, "description": "Broken", "via": {"channel": "web"}}]  # fmt: skip
    body = {"tickets": tickets, "next_page": None, "count": 3}
    (tmp_path / "tickets.json").write_text(json.dumps(body), encoding="utf-8")
    cols = {"ticket_id": "id", "text": "description", "channel": "via.channel"}

    def cfg(**extra: object) -> Path:
        spec = {"file": "tickets.json", "columns": cols, **extra}
        return write_dataset(tmp_path, {}, {"tickets": spec})

    with open_workspace(cfg()) as ws:
        df = ws.to_pandas("tickets").sort_values("ticket_id")
        notes = [str(w) for w in ws.warnings]
    assert df["ticket_id"].tolist() == ["7", "8", "9"]
    assert df["channel"].tolist() == ["email", "chat", "web"]
    assert notes == [
        "tickets: tickets.json is one object holding its 3 records in the list 'tickets' "
        "(beside next_page, count), as an API export is: read those records as the rows. Set "
        "data.tables.tickets.records: tickets to say so (and silence this warning)"
    ]
    with open_workspace(cfg(records="tickets")) as ws:
        assert len(ws.to_pandas("tickets")) == 3 and not ws.warnings
    with pytest.raises(SchemaError, match=r"records names 'count', which is not a list of obj"):
        open_workspace(cfg(records="count"))
    body = {"data": tickets, "included": tickets[:1]}
    (tmp_path / "tickets.json").write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(SchemaError, match=r"lists of records.+'data' \(fields id, description, "
                       r"via\); 'included'.+in several of them.+set data\.tables\.tickets\.records"):  # fmt: skip
        open_workspace(cfg())
    with open_workspace(cfg(records="data")) as ws:
        assert ws.to_pandas("tickets")["text"].tolist() == ["Late parcel", "Thanks", "Broken"]
    from opsai.errors import ConfigError

    db = ["CREATE TABLE tickets (ticket_id VARCHAR, text VARCHAR)"]
    with pytest.raises(ConfigError, match=r"data\.tables\.tickets\.records: applies to files"):
        open_workspace(_database(tmp_path, db, "{tickets: {records: data}}"))


def test_orders_in_several_currencies_stop_or_are_converted(tmp_path: Path) -> None:
    """A marketplace's orders in EUR, GBP and USD were summed and labelled EUR without a word;
    now that is an error naming the counts and fixes, fx converts them by the given rates, one
    currency that is not the config's is a warning, and currency must be an ISO code."""
    from opsai.config import config_from_dict
    from opsai.errors import ConfigError

    orders = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            "timestamp": ["2025-01-01 10:00"] * 4,
            "amount": [10.0, 20.0, 30.0, 40.0],
            "Currency": ["EUR", "gbp", "USD", "EUR"],
        }
    )

    def cfg(**spec: object) -> Path:
        csv = orders.to_csv(index=False)
        path = write_dataset(tmp_path, {"orders.csv": csv}, {"orders": spec})
        text = path.read_text(encoding="utf-8")
        path.write_text("currency: EUR\n" + text, encoding="utf-8")
        return path

    with pytest.raises(SchemaError, match=r"orders: column 'Currency' holds 3 currencies \(EUR 2 "
                       r"rows, GBP 1 rows, USD 1 rows\).+labelled EUR\. Fix: convert them to EUR "
                       r"with data\.tables\.orders\.fx.+where: \"Currency = 'EUR'\", or"):  # fmt: skip
        open_workspace(cfg())
    fx = {"column": "Currency", "rates": {"GBP": 1.2, "usd": 0.9}}
    with open_workspace(cfg(fx=fx)) as ws:
        df = ws.to_pandas("orders").sort_values("user_id")
        notes = [str(w) for w in ws.warnings]
    assert df["amount"].tolist() == pytest.approx([10.0, 24.0, 27.0, 40.0])
    assert notes == [
        "orders: amount converted to EUR by data.tables.orders.fx: GBP (1 rows at 1.2), USD "
        "(1 rows at 0.9); 2 row(s) already in EUR"
    ]
    with pytest.raises(SchemaError, match=r"fx\.rates has no rate for USD \(1 rows\) in column"):
        open_workspace(cfg(fx={"column": "Currency", "rates": {"GBP": 1.2}}))
    one = orders.assign(Currency="USD")
    path = write_dataset(tmp_path, {"orders.csv": one.to_csv(index=False)}, {"orders": {}})
    path.write_text("currency: EUR\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with open_workspace(path) as ws:
        assert [str(w) for w in ws.warnings] == [
            "orders.Currency: every row is in USD (column 'Currency'), but the config's currency "
            "is EUR: every money figure would be labelled EUR. Set currency: USD, or convert "
            "with data.tables.orders.fx"
        ]
    assert config_from_dict({"currency": " usd"}).currency == "USD"
    with pytest.raises(ConfigError, match=r"3-letter ISO 4217 code .+\(got 'US Dollar'\)"):
        config_from_dict({"currency": "US Dollar"})


def test_ids_differing_in_letter_case_are_named_and_lowercase_ids_joins_them(
    tmp_path: Path,
) -> None:
    """E-mails as customer ids, typed 'Ann@X.io' in orders and 'ann@x.io' in users, were two
    customers with only "1 distinct id(s) not in users"; the warning now says they match once
    case is ignored and names lowercase_ids, which makes them one (files and databases)."""
    users = "user_id,signup_at\nann@x.io,2024-01-01\nbob@y.io,2024-01-01\n"
    orders = "user_id,timestamp,amount\nAnn@X.io ,2024-01-02,5\nbob@y.io,2024-01-03,7\n"
    files = {"users.csv": users, "orders.csv": orders}
    cfg = write_dataset(tmp_path, files, {"users": {}, "orders": {}})
    with open_workspace(cfg) as ws:
        assert [str(w) for w in ws.warnings] == [
            "orders.user_id: 1 distinct id(s) not in users; 1 of them match an id in users once "
            "letter case and surrounding spaces are ignored (e.g. 'Ann@X.io' and 'ann@x.io') "
            "(e-mails, kept as typed?), so one customer counts as two. Fix: set "
            "data.tables.orders.lowercase_ids: true and data.tables.users.lowercase_ids: true "
            "(and on every other table with these ids)"
        ]
    lc = {"lowercase_ids": True}
    cfg = write_dataset(tmp_path, files, {"users": lc, "orders": lc})
    with open_workspace(cfg) as ws:
        assert not ws.warnings
        assert sorted(ws.to_pandas("orders")["user_id"]) == ["ann@x.io", "bob@y.io"]
    db = [
        "CREATE TABLE users (user_id VARCHAR, signup_at TIMESTAMP)",
        "INSERT INTO users VALUES ('ann@x.io', '2024-01-01')",
        "CREATE TABLE orders (user_id VARCHAR, timestamp TIMESTAMP, amount DOUBLE)",
        "INSERT INTO orders VALUES (' Ann@X.io', '2024-01-02', 5)",
    ]
    with open_workspace(
        _database(tmp_path, db, "{users: {}, orders: {lowercase_ids: true}}")
    ) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["ann@x.io"] and not ws.warnings


def test_users_from_an_order_export_keep_the_first_row_per_id(tmp_path: Path) -> None:
    """One export, two tables (UCI Online Retail): orders as they are, users by
    drop_duplicates on the raw id column, which runs before the users' uniqueness check; without
    it the uniqueness error names the option."""
    rows = (
        "Invoice,InvoiceDate,Price,Customer ID,Country\n"
        "1,2024-01-01,10,12851,EIRE\n1,2024-01-01,5,12851,EIRE\n2,2024-02-01,7,12851,EIRE\n"
        "3,2024-01-05,3,12588,France\n4,2024-03-05,9,12588,France\n5,2024-03-06,4,13092,\n"
    )
    orders = {"file": "r.csv", "columns": {"user_id": "Customer ID", "timestamp": "InvoiceDate",
              "amount": "Price", "order_id": "Invoice"}}  # fmt: skip
    users = {"file": "r.csv", "columns": {"user_id": "Customer ID"}}
    tables = {"orders": orders, "users": users | {"drop_duplicates": ["Customer ID"]}}
    cfg = write_dataset(tmp_path, {"r.csv": rows}, tables)
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("users")
        assert len(ws.to_pandas("orders")) == 6
    assert got["user_id"].tolist() == ["12851", "12588", "13092"]
    assert got["Country"].tolist()[:2] == ["EIRE", "France"]
    bad = write_dataset(tmp_path, {"r.csv": rows}, {"orders": orders, "users": users})
    with pytest.raises(SchemaError, match=r"2 id\(s\) repeat.+data\.tables\.users\.drop_duplicates: "
                       r"\[<its id column>\]"):  # fmt: skip
        open_workspace(bad)


def test_demand_in_money_from_a_database_table(tmp_path: Path) -> None:
    """byod9a D3: a demand table mapping amount and no quantity reads the amount as its
    quantity from a database as from a file."""
    import duckdb

    db = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE train (Store INTEGER, Date DATE, Sales DOUBLE)")
    con.execute("INSERT INTO train VALUES (1, '2024-01-01', 5097), (2, '2024-01-01', 812.5)")
    con.close()
    cfg = tmp_path / "db.yaml"
    cols = {"item_id": "Store", "timestamp": "Date", "amount": "Sales"}
    spec = {"data": {"source": db.name, "tables": {"demand": {"table": "train", "columns": cols}}}}
    cfg.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with open_workspace(cfg) as ws:
        d = ws.to_pandas("demand").sort_values("item_id")
        assert d["quantity"].tolist() == d["amount"].tolist() == [5097.0, 812.5]
        assert ws.demand_in_money()


def test_stray_times_are_left_out_and_counted(tmp_path: Path) -> None:
    """byod9a D13: a 9-day clickstream with rows dated 1970 and 2037 (Taobao's strays) had its
    latest day, the report's "now", in 2037 and every headline 0, without a word. The strays
    are left out when the table is read, a warning counts them by day and names the where to
    use instead; a where turns the check off, and a history without strays keeps every row."""
    days = pd.date_range("2017-11-25", "2017-12-03 23:50", freq="10min")
    bulk = [f"u{i % 7},{int(d.timestamp())},pv" for i, d in enumerate(days)]
    strays = ["x,1176,pv", "x,1176,pv", "y,2122867355,buy"]
    rows = "user,at,what\n" + "\n".join(bulk[:100] + strays + bulk[100:]) + "\n"
    cols = {"user_id": "user", "timestamp": "at", "event": "what"}
    spec = {"file": "ev.csv", "columns": cols, "timestamp_format": "epoch"}
    cfg = write_dataset(tmp_path, {"ev.csv": rows}, {"events": spec})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("events")
        said = [w for w in ws.warnings if w.column == "timestamp"]
    assert len(got) == len(days) == 1296 and got["timestamp"].max() == days[-1]
    assert [(w.count, w.major) for w in said] == [(3, True)]
    assert said[0].message.startswith(
        "3 of 1,299 row(s) (0.23%) are dated far outside the rest (2017-11-25 to 2017-12-03): "
        "2 on 1970-01-01, 1 on 2037-04-09. They were left out, so the report's latest day is "
        "2017-12-03. To choose the rows yourself set data.tables.events.where (e.g. where: "
        "\"timestamp >= '2017-11-25' AND timestamp < '2017-12-04'\")"
    )
    chosen = write_dataset(tmp_path, {"ev.csv": rows}, {"events": spec | {"where": "true"}})
    with open_workspace(chosen) as ws:
        assert len(ws.to_pandas("events")) == 1299 and not ws.warnings
    years = pd.date_range("2019-01-01", "2024-12-31", freq="7D")
    history = "user,at,what\n" + "\n".join(f"u,{int(d.timestamp())},pv" for d in years) + "\n"
    cfg = write_dataset(tmp_path, {"ev.csv": history}, {"events": spec})
    with open_workspace(cfg) as ws:  # a long, even history has no strays
        assert len(ws.to_pandas("events")) == len(years) and not ws.warnings


def test_stray_times_in_a_database_are_left_out(tmp_path: Path) -> None:
    """The same check runs in a database source, as SQL over its table."""
    cfg = _database(
        tmp_path,
        [
            "CREATE TABLE ev AS SELECT 'u' || (i % 5) AS usr, "
            "TIMESTAMP '2024-03-01' + i * INTERVAL 1 HOUR AS at, 'pv' AS what "
            "FROM range(500) t(i)",
            "INSERT INTO ev VALUES ('z', TIMESTAMP '2037-01-01', 'pv')",
        ],
        "{events: {table: ev, columns: {user_id: usr, timestamp: at, event: what}}}",
    )
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("events")
        assert len(got) == 500 and str(got["timestamp"].max()) == "2024-03-21 19:00:00"
        assert [w.count for w in ws.warnings] == [1]


def test_user_ids_that_are_sessions_are_named(tmp_path: Path) -> None:
    """byod9a D11: YOOCHOOSE has only a session id, mapped as user_id and session_id; 03a then
    counted 2,967 "new users" and 3,075 "gone dormant", without a word in validation. A major
    warning says the ids are visits, when each is the session_id or when over 4 weeks 99% of
    100+ ids are seen on one day only; customers who come back on other days get none."""
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    rows = "sess,at,item\n" + "".join(
        f"s{i},{days[i % 60]:%Y-%m-%d} 10:0{i % 10},x\n" for i in range(300)
    )
    cols = {"user_id": "sess", "session_id": "sess", "timestamp": "at", "item_id": "item"}
    spec = {"file": "ev.csv", "columns": cols, "constants": {"event": "view"}}
    cfg = write_dataset(tmp_path, {"ev.csv": rows}, {"events": spec})
    with open_workspace(cfg) as ws:
        said = [w for w in ws.warnings if w.column == "user_id"]
    assert [(w.table, w.count, w.major) for w in said] == [("events", 300, True)]
    assert said[0].message.startswith(
        "the user ids look like session ids: 300 of 300 (100.0%) are seen on one day only over "
        "60 days and each is the row's session_id. They are visits, not customers"
    )
    back = "sess,at,item\n" + "".join(  # 50 of 250 customers come back 10 days later
        f"c{i % 250},{days[i % 60]:%Y-%m-%d} 10:00,x\n" for i in range(300)
    )
    cols = {"user_id": "sess", "timestamp": "at", "item_id": "item"}
    cfg = write_dataset(tmp_path, {"ev.csv": back}, {"events": spec | {"columns": cols}})
    with open_workspace(cfg) as ws:
        assert not [w for w in ws.warnings if w.column == "user_id"]
