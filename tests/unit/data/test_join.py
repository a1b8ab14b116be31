"""``join``: order lines whose customer and time live on an order header (and a customer map)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config, plan_folder
from opsai.errors import ConfigError, SchemaError
from tests.olist_shape import COLUMNS, JOIN, pandas_truth, write_olist

pytestmark = pytest.mark.unit


def _config(folder: Path, source: str = ".", **spec: Any) -> Path:
    table = {"file": "order_items.csv", "join": JOIN, "columns": COLUMNS, **spec}
    cfg = folder / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"orders": table}}}))
    return cfg


def test_olist_lines_get_the_person_and_time_and_totals_match_pandas(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=300)
    cfg = _config(tmp_path, where="order_status = 'delivered'")
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
    truth = pandas_truth(frames)
    assert len(o) == len(truth)  # lines kept
    assert o["amount"].sum() == pytest.approx(truth["price"].sum())  # revenue
    per = o.groupby("user_id")["order_id"].nunique().sort_index()
    want = truth.groupby("customer_unique_id")["order_id"].nunique().sort_index()
    assert per.to_dict() == want.to_dict()  # orders per person, not per Olist customer_id
    assert o["user_id"].notna().all() and o["timestamp"].notna().all()
    assert "customer_city" in o.columns  # the customer map's other columns come along


def test_lines_without_a_header_are_counted_and_kept(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=300, missing=6)
    with open_workspace(_config(tmp_path, drop_incomplete=True)) as ws:
        o = ws.to_pandas("orders")
        said = [w.message for w in ws.warnings if "have no row in orders.csv" in w.message]
        again = [w.message for w in ws.warnings if "have no row in customers.csv" in w.message]
    n = len(frames["order_items"])
    assert said == [f"6 of {n} rows ({6 / n:.1%}) have no row in orders.csv by order_id: they "
                    "lack its columns (a customer or a time read from it is empty on them)"]  # fmt: skip
    assert again == []  # their customer_id is empty because of the first join: said once
    assert len(o) == n - 6  # without a time they are incomplete, and dropped as such


def test_a_repeating_header_key_is_an_error_naming_file_key_and_values(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=60, missing=0)
    orders = frames["orders"]
    twice = pd.concat([orders, orders.iloc[[3, 3, 5]]])
    twice.to_csv(tmp_path / "orders.csv", index=False)
    with pytest.raises(SchemaError) as e:
        open_workspace(_config(tmp_path))
    msg = str(e.value)
    assert "data.tables.orders.join[1]: the key order_id repeats in orders.csv" in msg
    assert "2 value(s)" in msg and repr(orders.order_id[3]) in msg
    assert "join[1].drop_duplicates: true" in msg
    fixed = [{**JOIN[0], "drop_duplicates": True}, JOIN[1]]
    with open_workspace(_config(tmp_path, join=fixed)) as ws:
        o = ws.to_pandas("orders")
    assert len(o) == len(frames["order_items"])  # each line once, not once per repeat
    assert o["amount"].sum() == pytest.approx(frames["order_items"]["price"].sum())


def test_a_column_on_both_sides_keeps_the_lines_value(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=40, missing=0)
    items = frames["order_items"].assign(order_status="line-level")
    items.to_csv(tmp_path / "order_items.csv", index=False)
    with open_workspace(_config(tmp_path, where="order_status_orders <> 'canceled'")) as ws:
        o = ws.to_pandas("orders")
    assert set(o["order_status"]) == {"line-level"}
    merged = items.merge(frames["orders"], on="order_id", suffixes=("", "_h"))
    kept = merged[merged["order_status_h"] != "canceled"]
    assert sorted(o["order_status_orders"].unique()) == sorted(kept["order_status_h"].unique())
    assert len(o) == len(kept)


def test_keys_by_mapping_and_of_different_types(tmp_path: Path) -> None:
    lines = pd.DataFrame(
        {"oid": [1, 1, 2, 3], "sku": ["a", "b", "a", "c"], "price": [1.0, 2, 4, 8]}
    )
    head = pd.DataFrame({"id": ["1", "2", "3"], "buyer": ["x", "y", "x"], "at": ["2024-01-02"] * 3})
    lines.to_parquet(tmp_path / "lines.parquet")  # an integer key
    head.to_csv(tmp_path / "head.csv", index=False)  # the same key as text
    cols = {"order_id": "oid", "user_id": "buyer", "timestamp": "at", "item_id": "sku",
            "amount": "price"}  # fmt: skip
    table = {"file": "lines.parquet", "join": {"file": "head.csv", "on": {"oid": "id"}},
             "columns": cols}  # fmt: skip
    (tmp_path / "c.yaml").write_text(
        yaml.safe_dump({"data": {"source": ".", "tables": {"orders": table}}})
    )
    with open_workspace(tmp_path / "c.yaml") as ws:
        o = ws.to_pandas("orders")
    assert o.groupby("user_id")["amount"].sum().to_dict() == {"x": 11.0, "y": 4.0}
    assert "id" not in o.columns  # the other file's key is the line's


@pytest.mark.parametrize("kind", ["files", "duckdb"])
def test_a_whole_number_key_written_as_a_float_matches(tmp_path: Path, kind: str) -> None:
    """byod9a D19: sell_prices.csv's week key read '11101.0' (pandas writes a column that
    once held a blank so), the sales' '11101': no row matched, every price was lost and the
    config validated with a warning. Now 11101.0 joins 11101, and a join that matches no line
    at all is an error showing the keys of both sides."""
    lines = pd.DataFrame({"oid": ["o1", "o2", "o3", "o4"], "wk": [11101, 11101, 11102, 11103],
                          "who": ["x", "y", "x", "y"], "at": ["2024-01-02"] * 4,
                          "qty": [1, 2, 3, 4]})  # fmt: skip
    prices = pd.DataFrame({"wk": [11101.0, 11102.0, None], "price": [2.5, 3.0, 9.9]})
    table = {"join": {"on": "wk"}, "columns": {"order_id": "oid", "user_id": "who",
             "timestamp": "at", "quantity": "qty"}, "drop_incomplete": True}  # fmt: skip
    if kind == "files":
        lines.to_csv(tmp_path / "lines.csv", index=False)
        prices.to_csv(tmp_path / "prices.csv", index=False)  # 11101.0, 11102.0 and a blank
        table |= {"file": "lines.csv"}
        table["join"] |= {"file": "prices.csv"}  # type: ignore[operator]
        source = "."
    else:
        con = duckdb.connect(str(tmp_path / "shop.duckdb"))
        _into(con, {"lines": lines, "prices": prices})  # BIGINT beside DOUBLE
        con.close()
        table |= {"table": "lines"}
        table["join"] |= {"table": "prices"}  # type: ignore[operator]
        source = "shop.duckdb"
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"orders": table}}}))
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders").sort_values("order_id")
        said = [w.message for w in ws.warnings if "have no row in" in w.message]
    assert o["amount"].round(2).tolist() == [2.5, 5.0, 9.0]  # quantity x the joined price
    assert said and said[0].startswith("1 of 4 rows (25.0%)")  # week 11103 has no price
    other = prices.assign(wk=["w11101", "w11102", "w11103"])
    if kind == "files":
        other.to_csv(tmp_path / "prices.csv", index=False)
    else:
        con = duckdb.connect(str(tmp_path / "shop.duckdb"))
        con.execute("DROP TABLE prices")
        _into(con, {"prices": other})
        con.close()
    with pytest.raises(SchemaError, match=r"orders: data\.tables\.orders\.join\[1\]: no row "
                       r"found its row in (table )?prices(\.csv)? by wk = wk: the keys read e\.g\. '?11101'?, "
                       r".* here and 'w11101', .* there"):  # fmt: skip
        open_workspace(cfg)


def test_an_unknown_key_column_or_entry_key_names_the_entry(tmp_path: Path) -> None:
    write_olist(tmp_path, lines=30, missing=0)
    bad = [JOIN[0], {"file": "customers.csv", "on": "cust_id"}]
    with pytest.raises(SchemaError, match=r"data\.tables\.orders\.join\[2\]\.on names 'cust_id', "
                       r"which is not a column of the orders rows"):  # fmt: skip
        open_workspace(_config(tmp_path, join=bad))
    bad = [JOIN[0], {"file": "customers.csv", "on": {"customer_id": "cid"}}]
    with pytest.raises(SchemaError, match=r"names 'cid', which is not a column of customers\.csv"):
        open_workspace(_config(tmp_path, join=bad))
    with pytest.raises(ConfigError, match=r"orders\.join\[1\]\.key: unknown key"):
        open_workspace(_config(tmp_path, join={"file": "orders.csv", "key": "order_id"}))
    with pytest.raises(SchemaError, match=r"orders\.join\[1\]: file .*nope\.csv not found"):
        open_workspace(_config(tmp_path, join={"file": "nope.csv", "on": "order_id"}))


def _into(con: Any, frames: dict[str, pd.DataFrame]) -> None:
    for name, df in frames.items():
        con.register("_frame", df)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _frame")
        con.unregister("_frame")


@pytest.mark.parametrize("kind", ["duckdb", "sqlite"])
def test_database_sources_join_tables(tmp_path: Path, kind: str) -> None:
    frames = write_olist(tmp_path / "files", lines=200)
    frames = {k: v.astype(str) for k, v in frames.items()}
    frames["order_items"]["price"] = frames["order_items"]["price"].astype(float)
    if kind == "duckdb":
        con = duckdb.connect(str(tmp_path / "shop.duckdb"))
        _into(con, frames)
        con.close()
        source = "shop.duckdb"
    else:
        db = sqlite3.connect(tmp_path / "shop.sqlite")
        for name, df in frames.items():
            df.to_sql(name, db, index=False)
        db.close()
        source = "shop.sqlite"
    join = [{"table": "orders", "on": "order_id"}, {"table": "customers", "on": "customer_id"}]
    cfg = tmp_path / "opsai.yaml"
    table = {"table": "order_items", "join": join, "columns": COLUMNS,
             "where": "order_status = 'delivered'"}  # fmt: skip
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"orders": table}}}))
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
        said = [w.message for w in ws.warnings if "have no row in table orders" in w.message]
    truth = pandas_truth(frames)
    assert len(o) == len(truth)
    assert o["amount"].sum() == pytest.approx(truth["price"].sum())
    assert o.groupby("user_id").size().sort_index().to_dict() == (
        truth.groupby("customer_unique_id").size().sort_index().to_dict()
    )
    assert said and said[0].startswith("5 of 200 rows (2.5%)")


def test_a_file_key_in_a_join_entry_on_a_database_source_is_an_error(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=20, missing=0)
    con = duckdb.connect(str(tmp_path / "shop.duckdb"))
    _into(con, frames)
    con.close()
    join = {"table": "orders", "on": "order_id", "sep": ";"}
    cfg = tmp_path / "opsai.yaml"
    table = {"table": "order_items", "join": join, "columns": COLUMNS}
    cfg.write_text(yaml.safe_dump({"data": {"source": "shop.duckdb", "tables": {"orders": table}}}))
    with pytest.raises(
        ConfigError, match=r"data\.tables\.orders\.join\[1\]\.sep: applies to files"
    ):
        open_workspace(cfg)
    table["join"] = {"table": "orders", "on": "order_id", "records": "data"}
    cfg.write_text(yaml.safe_dump({"data": {"source": "shop.duckdb", "tables": {"orders": table}}}))
    with pytest.raises(ConfigError, match=r"join\[1\]\.records: applies to files"):
        open_workspace(cfg)
    join = {"file": "orders.csv", "on": "order_id"}
    table = {"table": "order_items", "join": join, "columns": COLUMNS}
    cfg.write_text(yaml.safe_dump({"data": {"source": "shop.duckdb", "tables": {"orders": table}}}))
    with pytest.raises(ConfigError, match=r"join\[1\]\.file: applies to files"):
        open_workspace(cfg)


def test_a_bare_on_key_in_yaml_is_the_join_key_not_true(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=50, missing=0)
    (tmp_path / "opsai.yaml").write_text(
        "data:\n  source: .\n  tables:\n    orders:\n      file: order_items.csv\n"
        "      join:\n        - {file: orders.csv, on: order_id}\n"
        "        - {file: customers.csv, on: customer_id}\n"
        "      columns: {user_id: customer_unique_id, timestamp: order_purchase_timestamp, "
        "item_id: product_id, amount: price}\n"
    )
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        o = ws.to_pandas("orders")
    truth = pandas_truth(frames, status=None)
    assert o["user_id"].nunique() == truth["customer_unique_id"].nunique()


def test_init_proposes_the_olist_joins_with_the_person(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=300)
    path, _ = init_config(tmp_path)
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert list(spec) == ["orders"]  # the header and the customer map are not tables of their own
    o = spec["orders"]
    assert o["file"] == "order_items.csv"
    assert o["join"] == JOIN
    assert o["columns"]["user_id"] == "customer_unique_id"
    assert o["columns"]["timestamp"] == "order_purchase_timestamp"
    assert o["columns"]["amount"] == "price"  # not freight_value
    assert "joined to orders.csv by order_id" in path.read_text("utf-8")
    with open_workspace(path) as ws:
        got = ws.to_pandas("orders")
    truth = pandas_truth(frames, status=None)
    truth = truth[truth["order_status"].isin(["delivered", "shipped"])]  # init's where
    assert got["amount"].sum() == pytest.approx(truth["price"].sum())
    assert got["user_id"].nunique() == truth["customer_unique_id"].nunique()


def test_init_proposes_a_dbt_header_join(tmp_path: Path) -> None:
    lines = pd.DataFrame(
        {
            "order_line_id": range(1, 9),
            "order_id": [1, 1, 2, 3, 3, 3, 4, 5],
            "product_id": ["a", "b", "a", "c", "a", "b", "c", "a"],
            "quantity": [1, 2, 1, 1, 1, 3, 2, 1],
            "unit_price": [10.0, 5, 10, 7, 10, 5, 7, 10],
            "status": ["ok"] * 8,  # the header has a status too: its is status_dim_orders
        }
    )
    head = pd.DataFrame(
        {
            "order_id": [1, 2, 3, 4, 5],
            "customer_id": [11, 12, 11, 13, 12],
            "ordered_at": [
                "2024-03-01 10:00",
                "2024-03-02 11:00",
                "2024-03-05 09:30",
                "2024-03-06 12:00",
                "2024-03-09 16:00",
            ],
            "status": ["completed"] * 5,
        }
    )
    lines.to_csv(tmp_path / "fct_order_lines.csv", index=False)
    head.to_csv(tmp_path / "dim_orders.csv", index=False)
    path, _ = init_config(tmp_path)
    o = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["orders"]
    assert o["file"] == "fct_order_lines.csv"
    assert o["join"] == [{"file": "dim_orders.csv", "on": "order_id"}]
    assert o["columns"]["user_id"] == "customer_id"
    with open_workspace(path) as ws:
        got = ws.to_pandas("orders")
    assert set(got["status"]) == {"ok"} and set(got["status_dim_orders"]) == {"completed"}
    plan = plan_folder(tmp_path)
    assert "status_dim_orders" in plan.guesses[0].sample.columns  # init names it as the loader
    m = lines.merge(head, on="order_id", how="left", suffixes=("", "_h"))
    m["amount"] = m["quantity"] * m["unit_price"]
    assert got.groupby("user_id")["amount"].sum().to_dict() == (
        m.groupby(m["customer_id"].astype(str))["amount"].sum().to_dict()
    )


def test_header_rows_without_a_key_are_no_repeats(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=40, missing=0)
    blank = frames["orders"].iloc[:2].assign(order_id="")  # two header rows with no order id
    pd.concat([frames["orders"], blank]).to_csv(tmp_path / "orders.csv", index=False)
    with open_workspace(_config(tmp_path)) as ws:
        o = ws.to_pandas("orders")
    assert len(o) == 40
    assert o["amount"].sum() == pytest.approx(frames["order_items"]["price"].sum())


def test_an_entry_reads_its_file_with_its_own_options_and_a_list_of_keys(tmp_path: Path) -> None:
    """A header keyed by shop and order number, exported with ';' in Windows-1252 under a
    title line, beside lines in UTF-8 CSV."""
    (tmp_path / "lines.csv").write_text(
        "shop,order_no,sku,amount\nA,1,x,10\nA,1,y,5\nB,1,x,7\nB,2,z,3\n", encoding="utf-8"
    )
    head = "Export 2024\nshop;order_no;Kunde;Datum\nA;1;Müller;2024-01-01\nB;1;Weiß;2024-01-02\n"
    (tmp_path / "head.csv").write_bytes(head.encode("cp1252"))
    entry = {"file": "head.csv", "on": ["shop", "order_no"], "sep": ";", "encoding": "cp1252",
             "skip_rows": 1}  # fmt: skip
    cols = {"user_id": "Kunde", "timestamp": "Datum", "item_id": "sku"}
    table = {"file": "lines.csv", "join": entry, "columns": cols, "drop_incomplete": True}
    (tmp_path / "c.yaml").write_text(
        yaml.safe_dump({"data": {"source": ".", "tables": {"orders": table}}}, allow_unicode=True)
    )
    with open_workspace(tmp_path / "c.yaml") as ws:
        o = ws.to_pandas("orders")
        said = [w.message for w in ws.warnings if "have no row" in w.message]
    assert o.groupby("user_id")["amount"].sum().to_dict() == {"Müller": 15.0, "Weiß": 7.0}
    assert said[0].startswith("1 of 4 rows (25.0%) have no row in head.csv by shop, order_no")


def test_init_proposes_the_joins_by_table_in_a_sqlite_database(tmp_path: Path) -> None:
    frames = write_olist(tmp_path / "files", lines=300)
    db = sqlite3.connect(tmp_path / "shop.sqlite")
    for name, df in frames.items():
        df.to_sql(name, db, index=False)
    db.close()
    path, _ = init_config(tmp_path / "shop.sqlite")
    o = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["orders"]
    assert o["table"] == "order_items"
    assert o["join"] == [{"table": "orders", "on": "order_id"},
                         {"table": "customers", "on": "customer_id"}]  # fmt: skip
    assert o["columns"]["user_id"] == "customer_unique_id"
    with open_workspace(path) as ws:
        got = ws.to_pandas("orders")
    truth = pandas_truth(frames, status=None)
    truth = truth[truth["order_status"].isin(["delivered", "shipped"])]
    assert got["amount"].sum() == pytest.approx(truth["price"].sum())


def _totals(o: pd.DataFrame) -> tuple[int, float, int]:
    return len(o), round(float(o["amount"].sum()), 2), int(o["user_id"].nunique())


def test_a_join_file_holding_its_records_in_a_list_reads_them_as_rows(tmp_path: Path) -> None:
    """An API export's header, {"data": [...], "next_page": ...}: the list's records are the
    rows, found with a warning naming the entry's records key, silenced by setting it."""
    frames = write_olist(tmp_path, lines=120, missing=0)
    with open_workspace(_config(tmp_path)) as ws:
        want = _totals(ws.to_pandas("orders"))
    header = {"data": frames["orders"].to_dict("records"), "next_page": None, "count": 1}
    (tmp_path / "orders.json").write_text(json.dumps(header))
    found = [{"file": "orders.json", "on": "order_id"}, JOIN[1]]
    with open_workspace(_config(tmp_path, join=found)) as ws:
        got = _totals(ws.to_pandas("orders"))
        said = [w.message for w in ws.warnings if "orders.json" in w.message]
    assert got == want and want[0] == len(frames["order_items"])
    n = len(frames["orders"])
    assert said == [
        f"orders.json is one object holding its {n:,} records in the list 'data' (beside "
        "next_page, count), as an API export is: read those records as the rows. Set "
        "data.tables.orders.join[1].records: data to say so (and silence this warning)"
    ]
    named = [{**found[0], "records": "data"}, JOIN[1]]
    with open_workspace(_config(tmp_path, join=named)) as ws:
        assert _totals(ws.to_pandas("orders")) == want
        assert not [w for w in ws.warnings if "orders.json" in w.message]
    wrong = [{**found[0], "records": "next_page"}, JOIN[1]]
    with pytest.raises(SchemaError, match=r"join\[1\]\.records names 'next_page', which is not"):
        open_workspace(_config(tmp_path, join=wrong))


def _workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path) as w:
        for name, frame in sheets.items():
            frame.to_excel(w, sheet_name=name, index=False)


def test_a_join_workbook_reads_the_sheet_named_like_the_file(tmp_path: Path) -> None:
    frames = write_olist(tmp_path, lines=120, missing=0)
    with open_workspace(_config(tmp_path)) as ws:
        want = _totals(ws.to_pandas("orders"))
    notes = pd.DataFrame({"note": ["exported 2024-12-31"]})
    _workbook(tmp_path / "orders.xlsx", {"notes": notes, "Orders": frames["orders"]})
    stem = [{"file": "orders.xlsx", "on": "order_id"}, JOIN[1]]
    with open_workspace(_config(tmp_path, join=stem)) as ws:
        assert _totals(ws.to_pandas("orders")) == want  # the sheet 'Orders', not 'notes'
    _workbook(tmp_path / "shop.xlsx", {"header": frames["orders"]})
    only = [{"file": "shop.xlsx", "on": "order_id"}, JOIN[1]]
    with open_workspace(_config(tmp_path, join=only)) as ws:
        assert _totals(ws.to_pandas("orders")) == want  # the only sheet
    _workbook(tmp_path / "shop.xlsx", {"notes": notes, "header": frames["orders"]})
    with pytest.raises(SchemaError) as e:
        open_workspace(_config(tmp_path, join=only))
    assert str(e.value).splitlines()[1] == (
        "- orders: data.tables.orders.join[1]: shop.xlsx has 2 sheets ('notes', 'header') and "
        "none is named like the file ('shop'). Set sheet: on the entry "
        "(data.tables.orders.join[1].sheet) to the one to join"
    )
    named = [{**only[0], "sheet": "header"}, JOIN[1]]
    with open_workspace(_config(tmp_path, join=named)) as ws:
        assert _totals(ws.to_pandas("orders")) == want
