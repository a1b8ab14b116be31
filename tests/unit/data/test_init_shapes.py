"""``opsai init`` on export shapes found in the wild: hive-partitioned Parquet folders,
workbooks with one sheet per month, API JSON wrapped in ``{"data": [...]}``, and order exports
repeating an order's totals on each of its lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.cli import main
from opsai.data import open_workspace
from opsai.data.init import plan_folder
from opsai.errors import ConfigError, SchemaError

pytestmark = pytest.mark.unit


def _tables(config: Path) -> dict[str, dict[str, object]]:
    return yaml.safe_load(config.read_text("utf-8"))["data"]["tables"]


def _events(month: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_pseudo_id": [f"u{month}", f"u{month + 1}", f"u{month}"],  # GA4's user key
            "timestamp": pd.to_datetime(
                [
                    f"2024-{month:02d}-03 10:00",
                    f"2024-{month:02d}-04 11:00",
                    f"2024-{month:02d}-05 09:00",
                ]
            ),
            "event": ["page_view", "add_to_cart", "purchase"],
            "device": ["ios", "android", "ios"],  # not the user (device_id would be)
        }
    )


def test_hive_partitioned_parquet_is_read_by_a_recursive_glob(tmp_path: Path) -> None:
    """``events/year=2024/month=MM/part-0.parquet``: init proposes ``events/**/*.parquet``
    (it said the folder held no data file), ``**`` reaches every partition (it matched one
    level only), and the partition columns come in as attributes."""
    for m in (1, 2, 3):
        part = tmp_path / "events" / "year=2024" / f"month={m:02d}"
        part.mkdir(parents=True)
        _events(m).to_parquet(part / "part-0.parquet", index=False)
    out = tmp_path / "opsai.yaml"
    assert main(["init", str(tmp_path), "--out", str(out), "--currency", "EUR"]) == 0
    assert _tables(out)["events"]["file"] == "events/**/*.parquet"
    assert _tables(out)["events"]["columns"]["user_id"] == "user_pseudo_id"  # type: ignore[index]
    events = open_workspace(out).table("events").to_pandas()
    assert len(events) == 9
    assert sorted(events["month"].astype(int).unique()) == [1, 2, 3]


def test_data_only_in_plain_sub_folders_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "exports" / "2024").mkdir(parents=True)
    _events(1).to_csv(tmp_path / "exports" / "2024" / "events.csv", index=False)
    with pytest.raises(ConfigError, match=r"found 1 in sub-folders \(exports\)"):
        plan_folder(tmp_path)


def _parts() -> list[dict[str, object]]:
    rows = []
    for conv, texts in (("1", ["Where is my refund?", "Still waiting"]), ("2", ["Charged twice"])):
        for i, text in enumerate(texts):
            rows.append(
                {
                    "conversation_id": conv,
                    "created_at": 1704114480 + 600 * i + 10_000 * int(conv),
                    "author": {"type": "user", "id": f"usr_{conv}"},
                    "body": text,
                }
            )
        rows.append(
            {
                "conversation_id": conv,
                "created_at": 1704114480 + 3600 + 10_000 * int(conv),
                "author": {"type": "admin", "id": "agent_7"},
                "body": "On it",
            }
        )
    return rows


def test_api_json_wrapped_in_data_is_sampled_inside_its_list(tmp_path: Path) -> None:
    """Intercom's ``{"type": ..., "data": [...], "pages": ...}``: init reads the records in
    ``data`` (it scored the wrapper's keys type/data/pages and placed nothing) and says
    ``records: data``."""
    import json

    doc = {"type": "conversation_part.list", "data": _parts(), "pages": {"next": None}}
    (tmp_path / "conversation_parts.json").write_text(json.dumps(doc), "utf-8")
    plan = plan_folder(tmp_path)
    assert [g.sample.options.get("records") for g in plan.guesses] == ["data"]
    spec = plan.guesses[0].spec()
    assert spec["records"] == "data"
    assert {"created_at", "conversation_id"} <= set(plan.guesses[0].sample.columns)


@pytest.mark.parametrize("kind", ["json", "duckdb"])
def test_messages_sender_takes_a_dotted_path(tmp_path: Path, kind: str) -> None:
    """``messages: {sender: author.type}`` reads the field as ``columns`` do (it was refused:
    'not a column of the data')."""
    import json

    spec: dict[str, object] = {
        "timestamp_format": "epoch",
        "columns": {"ticket_id": "conversation_id", "timestamp": "created_at", "text": "body"},
        "messages": {"by": "conversation_id", "sender": "author.type", "customer": "user"},
    }
    source = "."
    if kind == "json":
        (tmp_path / "parts.json").write_text(json.dumps({"data": _parts()}), "utf-8")
        spec |= {"file": "parts.json", "records": "data"}
    else:
        import duckdb

        with duckdb.connect(str(tmp_path / "chat.duckdb")) as con:
            con.execute(
                "CREATE TABLE parts (conversation_id VARCHAR, created_at TIMESTAMP, "
                "author STRUCT(type VARCHAR, id VARCHAR), body VARCHAR)"
            )
            for r in _parts():
                a = r["author"]
                assert isinstance(a, dict)
                con.execute(
                    "INSERT INTO parts VALUES (?, to_timestamp(?)::TIMESTAMP, {'type': ?, "
                    "'id': ?}, ?)",
                    [r["conversation_id"], r["created_at"], a["type"], a["id"], r["body"]],
                )
        del spec["timestamp_format"]
        source, spec["table"] = "chat.duckdb", "parts"
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"tickets": spec}}}))
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
    assert t["ticket_id"].tolist() == ["1", "2"]
    assert t["text"].tolist() == ["Where is my refund?\nStill waiting", "Charged twice"]
    assert "author.type" not in t.columns


MONTHS = ("Jan 2024", "Feb 2024", "Mar 2024")


def _journal(path: Path, odd: str | None = None) -> None:
    """A workbook with one sheet per month (3 rows each) and a price list sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for m, name in enumerate(MONTHS, start=1):
        ws = wb.create_sheet(name)
        ws.append(["Belegnr", "Datum", "Kundennr", "Betrag"] if name != odd else ["X", "Y"])
        for i in range(3):
            ws.append([f"B{m}{i}", f"2024-{m:02d}-{10 + i} 10:00:00", f"K{i + m}", 10.0 * m + i])
    prices = wb.create_sheet("Preisliste")
    prices.append(["Artikelnr", "Bezeichnung"])
    prices.append(["A1", "Kaffee"])
    wb.save(path)


def test_one_sheet_per_month_is_read_as_one_table(tmp_path: Path) -> None:
    """Init proposes ``sheet: '* 2024'`` for same-header month sheets (it read January only
    and listed the others as 'also looks like orders'), and the loader reads them all."""
    _journal(tmp_path / "Verkaufsjournal_2024.xlsx")
    out = tmp_path / "opsai.yaml"
    assert main(["init", str(tmp_path), "--out", str(out), "--currency", "EUR"]) == 0
    assert _tables(out)["orders"]["sheet"] == "* 2024"
    assert "also looks like orders" not in out.read_text("utf-8")
    with open_workspace(out) as ws:
        orders = ws.to_pandas("orders")
    assert len(orders) == 9
    assert orders["amount"].sum() == pytest.approx(3 * (10 + 20 + 30) + 3 * 3)
    assert sorted(orders["timestamp"].dt.month.unique()) == [1, 2, 3]


@pytest.mark.parametrize(
    ("sheet", "rows"), [("all", None), (["Jan 2024", "Mar 2024"], 6), ("M* 2024", 3)]
)
def test_sheet_takes_a_list_a_glob_or_all(tmp_path: Path, sheet: object, rows: int) -> None:
    _journal(tmp_path / "j.xlsx")
    columns = {"user_id": "Kundennr", "timestamp": "Datum", "amount": "Betrag"}
    spec = {"file": "j.xlsx", "sheet": sheet, "columns": columns | {"order_id": "Belegnr"}}
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"tables": {"orders": spec}}}), "utf-8")
    if rows is None:  # all: the price list has another header, named in the error
        with pytest.raises(ConfigError, match=r"sheet 'Preisliste' of j\.xlsx has columns"):
            open_workspace(cfg)
        return
    with open_workspace(cfg) as ws:
        assert len(ws.to_pandas("orders")) == rows


def test_sheets_with_another_header_are_named(tmp_path: Path) -> None:
    _journal(tmp_path / "j.xlsx", odd="Feb 2024")
    spec = {"file": "j.xlsx", "sheet": "* 2024", "columns": {"user_id": "Kundennr"}}
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"tables": {"orders": spec}}}), "utf-8")
    with pytest.raises(ConfigError, match=r"sheet 'Feb 2024' of j.xlsx has columns X, Y"):
        open_workspace(cfg)


def _youzan(paid: bool = True) -> str:
    """有赞 goods lines: the order's goods total, discount and paid total on each line."""
    head = "订单号,下单时间,订单状态,会员手机号,买家昵称,商品名称,商品数量,商品单价,商品总价"
    lines = [head + (",订单实付金额" if paid else "")]
    orders = [  # (order, status, phone, nickname, [(item, qty, price)], paid)
        ("E1", "交易成功", "13000000001", "微信用户0001", [("咖啡豆", 2, 68.0), ("挂耳", 1, 39.9)], 170.0),
        ("E2", "交易成功", "13000000002", "微信用户0001", [("咖啡豆", 1, 68.0), ("杯子", 2, 25.0)], 110.0),
        ("E3", "退款成功", "13000000003", "微信用户0003", [("挂耳", 3, 39.9), ("杯子", 1, 25.0)], 140.0),
        ("E4", "交易关闭", "13000000004", "微信用户0004", [("咖啡豆", 1, 68.0), ("挂耳", 1, 39.9)], 100.0),
        ("E5", "交易成功", "13000000005", "微信用户0005", [("杯子", 1, 25.0)], 20.0),
        ("E6", "交易成功", "13000000006", "微信用户0006", [("咖啡豆", 1, 68.0), ("杯子", 1, 25.0)], 90.0),
    ]  # fmt: skip
    for i, (oid, status, phone, nick, goods, total_paid) in enumerate(orders):
        total = sum(q * p for _, q, p in goods)
        for item, q, p in goods:
            row = f"{oid},2024-06-{10 + i} 19:37:00,{status},{phone},{nick},{item},{q},{p},{total}"
            lines.append(row + (f",{total_paid}" if paid else ""))
    return "\n".join(lines) + "\n"


def test_order_total_repeated_on_each_line_is_split_over_the_lines(tmp_path: Path) -> None:
    """有赞: 商品总价 (the order's goods total, on each of its lines) was mapped as the line
    amount, so an order counted once per line, refunds in; init now reads the paid total,
    split over the order's lines by quantity x price (amount_per_order), keeps the goods
    lines, keys customers by the member phone, not the nickname, and leaves refunded and
    closed orders out."""
    (tmp_path / "有赞订单导出.csv").write_text("\ufeff" + _youzan(), "utf-8")
    out = tmp_path / "opsai.yaml"
    assert main(["init", str(tmp_path), "--out", str(out), "--currency", "CNY"]) == 0
    spec = _tables(out)["orders"]
    assert spec["amount_per_order"] is True and "drop_duplicates" not in spec
    assert spec["columns"] == {
        "user_id": "会员手机号",
        "timestamp": "下单时间",
        "amount": "订单实付金额",
        "order_id": "订单号",
        "item_id": "商品名称",
        "quantity": "商品数量",
        "price": "商品单价",
        "order_status": "订单状态",  # mapped, and still read for the where
    }
    assert "'退款成功'" in str(spec["where"]) and "'交易关闭'" in str(spec["where"])
    with open_workspace(out) as ws:
        orders = ws.to_pandas("orders")
    assert sorted(orders["order_id"].unique()) == ["E1", "E2", "E5", "E6"]
    assert len(orders) == 7 and orders["quantity"].sum() == 9
    assert orders["amount"].sum() == pytest.approx(170 + 110 + 20 + 90)
    e1 = orders[orders["order_id"] == "E1"].set_index("item_id")["amount"]
    assert e1["咖啡豆"] == pytest.approx(170 * 136 / 175.9)  # 2 x 68 of the 175.90 listed
    assert orders["user_id"].nunique() == 4  # E1 and E2 share a nickname, not a phone


def _youzan_source(tmp_path: Path, kind: str, spec: dict[str, object], text: str = "") -> Path:
    """The 有赞 lines as a CSV file or a DuckDB table, with a config mapping them by ``spec``
    (which gains its file or table)."""
    import duckdb

    source = "."
    (tmp_path / "o.csv").write_text(text or _youzan(), "utf-8")
    if kind == "csv":
        spec["file"] = "o.csv"
    else:
        with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
            con.execute(f"CREATE TABLE o AS SELECT * FROM read_csv('{tmp_path / 'o.csv'}')")
        source, spec["table"] = "shop.duckdb", "o"
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"orders": spec}}}))
    return cfg


@pytest.mark.parametrize("kind", ["csv", "duckdb"])
def test_amount_per_order_splits_and_refuses_line_amounts(tmp_path: Path, kind: str) -> None:
    """The order's total on each line is split by quantity x price (by quantity without a
    price); a line's own amount, which differs between an order's lines, is refused."""

    cols = {"user_id": "会员手机号", "timestamp": "下单时间", "amount": "订单实付金额",
            "order_id": "订单号", "quantity": "商品数量"}  # fmt: skip
    spec: dict[str, object] = {"amount_per_order": True, "columns": cols}
    cfg = _youzan_source(tmp_path, kind, spec)
    source = yaml.safe_load(cfg.read_text())["data"]["source"]
    with open_workspace(cfg) as ws:
        orders = ws.to_pandas("orders")
        notes = " ".join(str(w) for w in ws.warnings)
    assert len(orders) == 11 and orders["amount"].sum() == pytest.approx(630)
    e2 = orders[orders["order_id"] == "E2"].sort_values("quantity")["amount"].tolist()
    assert e2 == pytest.approx([110 / 3, 220 / 3])  # by quantity: 1 and 2 of 3 units
    assert "split over the lines of 5 of 6 order(s) by quantity" in notes
    cols["amount"] = "商品单价"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"orders": spec}}}))
    with pytest.raises(SchemaError, match=r"differs between the lines of 5 order\(s\), e\.g\. "
                       r"'E1', 'E2', 'E3': it is each line's own amount"):  # fmt: skip
        open_workspace(cfg)


def test_order_total_without_a_paid_column_gives_way_to_quantity_times_price(
    tmp_path: Path,
) -> None:
    (tmp_path / "orders.csv").write_text(_youzan(paid=False), "utf-8")
    out = tmp_path / "opsai.yaml"
    assert main(["init", str(tmp_path), "--out", str(out), "--currency", "CNY"]) == 0
    spec = _tables(out)["orders"]
    assert "amount" not in spec["columns"] and "drop_duplicates" not in spec  # type: ignore[operator]
    with open_workspace(out) as ws:
        orders = ws.to_pandas("orders")
    assert orders["amount"].sum() == pytest.approx(2 * 68 + 39.9 + 68 + 50 + 25 + 68 + 25)


@pytest.mark.parametrize("kind", ["csv", "duckdb"])
def test_drop_duplicates_by_listed_columns(tmp_path: Path, kind: str) -> None:

    text = _youzan()
    spec: dict[str, object] = {
        "drop_duplicates": ["order_id"],  # by its contract name, or its own: 订单号
        "columns": {"user_id": "会员手机号", "timestamp": "下单时间", "amount": "订单实付金额"},
    }
    spec["columns"] |= {"order_id": "订单号"}  # type: ignore[operator]
    cfg = _youzan_source(tmp_path, kind, spec, text)
    source = yaml.safe_load(cfg.read_text())["data"]["source"]
    with open_workspace(cfg) as ws:
        orders = ws.to_pandas("orders")
        notes = " ".join(str(w) for w in ws.warnings)
    assert len(orders) == 6 and orders["amount"].sum() == pytest.approx(630)
    assert "5 of 11 row(s)" in notes and "later rows of the same 订单号" in notes
    spec["drop_duplicates"] = ["单号"]
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"orders": spec}}}))
    with pytest.raises(SchemaError, match="drop_duplicates names '单号'"):
        open_workspace(cfg)


def test_a_folder_named_as_the_file_asks_for_a_glob(tmp_path: Path) -> None:
    part = tmp_path / "events" / "year=2024"
    part.mkdir(parents=True)
    _events(1).to_parquet(part / "part-0.parquet", index=False)
    spec = {"file": "events", "columns": {}}
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"tables": {"events": spec}}}), "utf-8")
    with pytest.raises(SchemaError, match=r"is a folder, not a file.*events/\*\*/\*\.parquet"):
        open_workspace(cfg)
