"""``opsai init`` guesses each file's table, its column mapping and its read options, writes
them as a commented config, then validates it (exit 1 with the loader's fixes when it fails)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from opsai.cli import main
from opsai.data import _sniff, open_workspace
from opsai.data._synonyms import name_score
from opsai.data.init import init_config, plan_folder
from opsai.data.schema import TABLES
from opsai.errors import ConfigError

pytestmark = pytest.mark.unit

USERS = "user_id,signup_at,region\nu1,2024-01-01,north\nu2,2024-01-02,south\nu3,2024-01-05,\n"
ORDERS = (
    "order_id,user_id,timestamp,item_id,quantity,amount\n"
    "o1,u1,2024-01-03 10:00:00,A1,1,12.5\no2,u1,2024-02-01 09:30:00,B2,2,30\n"
    "o3,u2,2024-01-10 18:00:00,A1,1,7.25\n"
)
TICKETS = (
    "ticket_id,timestamp,text,sentiment\n"
    "t1,2024-01-02 08:00:00,Where is my parcel? It has been a week already.,negative\n"
    't2,2024-01-03 09:00:00,"Thanks a lot, the mug arrived in one piece!",positive\n'
)


def _write(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding=encoding)
    return folder


def _tables(config: Path) -> dict[str, dict[str, object]]:
    return yaml.safe_load(config.read_text("utf-8"))["data"]["tables"]


def test_contract_named_files_map_as_they_are(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo's shape: each file becomes the table it is named and shaped like, every column
    under its own name (no `columns:` needed), and the config validates: exit 0."""
    _write(tmp_path, {"users.csv": USERS, "orders.csv": ORDERS, "tickets.csv": TICKETS})
    assert main(["init", str(tmp_path), "--company", "Acme", "--currency", "EUR"]) == 0
    raw = yaml.safe_load((tmp_path / "opsai.yaml").read_text("utf-8"))
    assert (raw["company"], raw["currency"], raw["data"]["source"]) == ("Acme", "EUR", ".")
    assert raw["data"]["tables"] == {
        "users": {"file": "users.csv"},
        "orders": {"file": "orders.csv"},
        "tickets": {"file": "tickets.csv"},
    }
    out = capsys.readouterr().out
    assert "orders <- orders.csv (high" in out and "amount          = 'amount' (by name)" in out
    assert "kept as attributes: region" in out and "3 table(s) valid" in out
    assert "03a_user_behavior        ready" in out
    assert "06_market_competition    skipped, needs market" in out


def test_chinese_names_semicolons_and_european_numbers(tmp_path: Path) -> None:
    """Chinese headers map by synonym, the ';' separator, '1.234,50' amounts and dd.mm.yyyy
    dates become options, and the data reads back with the right values."""
    orders = (
        "订单编号;会员编号;下单时间;商品编码;数量;实付金额\n"
        "A-1;007;03.01.2024;SKU1;1;1.234,50\nA-2;008;13.01.2024;SKU2;2;12,00\n"
    )
    _write(tmp_path, {"订单.csv": orders})
    path, plan = init_config(tmp_path)
    (g,) = plan.guesses
    assert g.table == "orders"
    assert {m.contract: m.source for m in g.matches} == {
        "user_id": "会员编号",
        "timestamp": "下单时间",
        "amount": "实付金额",
        "order_id": "订单编号",
        "item_id": "商品编码",
        "quantity": "数量",
    }
    assert _tables(path)["orders"] == {
        "file": "订单.csv",
        "sep": ";",
        "decimal": ",",
        "thousands": ".",
        "timestamp_format": "%d.%m.%Y",
        "columns": {m.contract: m.source for m in g.matches},
    }
    with open_workspace(path) as ws:
        df = ws.to_pandas("orders")
    assert df["amount"].tolist() == [1234.5, 12.0]
    assert df["timestamp"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-03", "2024-01-13"]


def test_gbk_file_with_a_title_line(tmp_path: Path) -> None:
    """The loader's encoding detection names GBK; the title above the header is skipped."""
    text = "会员资料导出\n客户ID,注册时间,地区\nc1,2024-01-01,华东\nc2,2024-02-01,华南\n"
    _write(tmp_path, {"members.csv": text}, encoding="gbk")
    path, _ = init_config(tmp_path)
    assert _tables(path)["users"] == {
        "file": "members.csv",
        "encoding": "gb18030",
        "skip_rows": 1,
        "columns": {"user_id": "客户ID", "signup_at": "注册时间"},
    }
    with open_workspace(path) as ws:
        assert ws.to_pandas("users")["地区"].tolist() == ["华东", "华南"]


def test_workbook_sheets_with_a_title_line(tmp_path: Path) -> None:
    """Each sheet is a candidate: users and orders sheets are placed with `sheet` and
    `skip_rows`; a notes sheet fits no table and is listed as not placed."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets: dict[str, list[list[object]]] = {
        "Bestellungen": [["Order export, Q1 2024"], [], ["Customer", "Order Date", "Total", "Qty"],
                         ["007", dt.datetime(2024, 1, 3, 23, 30), 12.5, 1],
                         [17850, dt.datetime(2024, 1, 4), 30, 2]],
        "Kunden": [["Customer ID", "Joined", "Region"], ["007", dt.date(2023, 12, 31), "north"],
                   [17850, dt.date(2024, 1, 1), "south"]],
        "Notes": [["prepared by ops"], ["do not edit"]],
    }  # fmt: skip
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(tmp_path / "shop.xlsx")
    path, plan = init_config(tmp_path)
    tables = _tables(path)
    assert tables["orders"] == {
        "file": "shop.xlsx",
        "sheet": "Bestellungen",
        "skip_rows": 2,
        "columns": {
            "user_id": "Customer",
            "timestamp": "Order Date",
            "amount": "Total",
            "quantity": "Qty",
        },
    }
    assert tables["users"] == {
        "file": "shop.xlsx",
        "sheet": "Kunden",
        "columns": {"user_id": "Customer ID", "signup_at": "Joined"},
    }
    assert [label for label, _ in plan.unplaced] == ["shop.xlsx [Notes]"]
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["007", "17850"]


def test_two_order_files_keep_the_better_one(tmp_path: Path) -> None:
    """Both look like orders: the one matching more of the contract is kept, the other is a
    comment naming both scores."""
    thin = "customer,date,total\nu1,2024-01-01,5\nu2,2024-01-02,6\n"
    _write(tmp_path, {"orders.csv": ORDERS, "orders_2023.csv": thin})
    path, plan = init_config(tmp_path)
    assert [(g.table, g.sample.label) for g in plan.guesses] == [("orders", "orders.csv")]
    assert plan.unplaced == [
        ("orders_2023.csv", "also looks like orders (score 6.0); kept orders.csv (score 10.0)")
    ]
    text = path.read_text("utf-8")
    assert "#   orders_2023.csv: also looks like orders (score 6.0)" in text
    assert "# orders <- orders.csv: high (score 10.0; next best: demand (6.0))" in text


def test_a_split_export_is_read_as_one_table(tmp_path: Path) -> None:
    """orders_2023.csv and orders_2024.csv with one header: one glob, not half the history;
    a file of other columns stays out, and a glob that would catch it is narrowed."""
    head, rows = ORDERS.split("\n", 1)
    later = rows.replace("2024-", "2025-").replace("o1", "o4").replace("o2", "o5")
    other = "order_id,user_id,timestamp,amount\nr1,u1,2024-03-01,-12.5\n"
    _write(tmp_path, {"orders_2024.csv": ORDERS, "orders_2025.csv": f"{head}\n{later}",
                      "orders_refunds.csv": other, "users.csv": USERS})  # fmt: skip
    path, plan = init_config(tmp_path)
    (orders,) = [g for g in plan.guesses if g.table == "orders"]
    assert orders.pattern == "orders_202*.csv"  # orders_*.csv would take the refunds too
    (tmp_path / "orders_refunds.csv").unlink()
    path, plan = init_config(tmp_path, force=True)
    assert _tables(path)["orders"] == {"file": "orders_*.csv"}
    assert "orders <- orders_*.csv" in path.read_text("utf-8")
    assert not [u for u in plan.unplaced if "orders" in u[0]]
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["order_id"].tolist() == ["o1", "o2", "o3", "o4", "o5", "o3"]


def test_a_column_matching_two_names_goes_to_the_better_score(tmp_path: Path) -> None:
    """'total_qty' is part amount (total), part quantity (qty); 'amount' is amount by its
    whole name, so total_qty becomes the quantity."""
    text = "customer_id,created_at,total_qty,amount\nu1,2024-01-01,2,5\nu2,2024-01-02,1,6\n"
    _write(tmp_path, {"sales.csv": text})
    _, plan = init_config(tmp_path)
    (g,) = plan.guesses
    assert {m.contract: (m.source, m.score) for m in g.matches} == {
        "user_id": ("customer_id", 1.0),
        "timestamp": ("created_at", 1.0),
        "amount": ("amount", 1.0),
        "quantity": ("total_qty", 0.6),
    }


def test_retail_export_amount_from_quantity_and_price(tmp_path: Path) -> None:
    """UCI Online Retail's shape: no amount column, so quantity x unit price is the amount;
    US dates with a time need a format."""
    text = (
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
        "536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850,United Kingdom\n"
        "536366,22633,HAND WARMER UNION JACK,6,12/13/2010 8:28,1.85,17850,United Kingdom\n"
    )
    _write(tmp_path, {"Online Retail.csv": text})
    path, _ = init_config(tmp_path)
    assert _tables(path)["orders"] == {
        "file": "Online Retail.csv",
        "timestamp_format": "%m/%d/%Y %H:%M",
        "columns": {
            "user_id": "CustomerID",
            "timestamp": "InvoiceDate",
            "order_id": "InvoiceNo",
            "item_id": "StockCode",
            "quantity": "Quantity",
            "price": "UnitPrice",
        },
    }
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["amount"].round(2).tolist() == [15.3, 11.1]


def test_ratings_file_and_whitespace_columns(tmp_path: Path) -> None:
    """A ratings export (epoch seconds, no event column) is events with a constant event; a
    file aligned by runs of spaces with yyyymmdd dates (CDNOW) gets sep '\\s+'."""
    ratings = "userId,movieId,rating,timestamp\n196,242,3,881250949\n186,302,3,891717742\n"
    cdnow = " customer_id  date number_of_cds  dollar_value\n 00001 19970101  1   11.77\n"
    cdnow += " 00002 19970112  2   12.00\n"
    _write(tmp_path, {"ratings.csv": ratings, "CDNOW_master.txt": cdnow})
    path, _ = init_config(tmp_path)
    tables = _tables(path)
    assert tables["events"] == {
        "file": "ratings.csv",
        "constants": {"event": "rate"},
        "timestamp_format": "epoch",
        "columns": {"user_id": "userId", "item_id": "movieId"},
    }
    assert tables["orders"] == {
        "file": "CDNOW_master.txt",
        "sep": "\\s+",
        "timestamp_format": "%Y%m%d",
        "columns": {
            "user_id": "customer_id",
            "timestamp": "date",
            "amount": "dollar_value",
            "quantity": "number_of_cds",
        },
    }
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["user_id"].tolist() == ["00001", "00002"]


def test_existing_config_is_kept_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, {"orders.csv": ORDERS, "my.yaml": "company: Mine\n"})
    out = str(tmp_path / "my.yaml")
    assert main(["init", str(tmp_path), "--out", out]) == 1
    assert "already exists; pass --force" in capsys.readouterr().err
    assert (tmp_path / "my.yaml").read_text("utf-8") == "company: Mine\n"
    assert main(["init", str(tmp_path), "--out", out, "--force"]) == 0
    assert _tables(tmp_path / "my.yaml") == {"orders": {"file": "orders.csv"}}


def test_invalid_data_exits_1_with_the_loaders_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Guest orders without a customer id are placed, but do not validate: exit 1, and the
    loader's message says how to fix it; an unreadable file is listed with the reason."""
    orders = "user_id,timestamp,amount\nu1,2024-01-01,5\n,2024-01-02,6\n"
    _write(tmp_path, {"orders.csv": orders, "notes.txt": "just a note\n"})
    sub = tmp_path / "out"
    sub.mkdir()
    assert main(["init", str(tmp_path), "--out", str(sub / "c.yaml")]) == 1
    out = capsys.readouterr().out
    assert "does not validate" in out and "'user_id' is empty in 1 row(s)" in out
    assert "not placed: notes.txt: fits no table (columns: just a note)" in out
    assert yaml.safe_load((sub / "c.yaml").read_text("utf-8"))["data"]["source"] == ".."


def test_empty_folder_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path)]) == 1
    assert "holds no data file" in capsys.readouterr().err
    with pytest.raises(ConfigError, match="is not a folder"):
        plan_folder(tmp_path / "missing")


@pytest.mark.parametrize(
    ("name", "contract", "table", "score"),
    [
        ("Customer ID", "user_id", "orders", 1.0),
        ("会员编号", "user_id", "orders", 1.0),
        ("OrderDate", "timestamp", "orders", 1.0),
        ("支付时间", "timestamp", "orders", 0.6),
        ("实付金额", "amount", "orders", 1.0),
        ("商品编码", "item_id", "demand", 1.0),
        ("内容", "text", "tickets", 1.0),
        ("id", "item_id", "items", 0.8),
        ("cust_no", "user_id", "orders", 0.8),
        ("ProductCode", "item_id", "orders", 0.8),
        ("number_of_cds", "item_id", "orders", 0.0),
        ("id", "item_id", "orders", 0.0),
        ("region", "user_id", "users", 0.0),
    ],
)
def test_name_score(name: str, contract: str, table: str, score: float) -> None:
    assert name_score(name, contract, TABLES[table]) == score


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2024-01-03 10:00:00", "2024-01-04"], (1.0, None)),
        (["2024-01-03T10:00:00+08:00"], (1.0, None)),
        (["2024-03-05 14:22:10 -0500"], (1.0, None)),  # Shopify's: read as it is
        (["03.01.2024", "13.01.2024"], (1.0, "%d.%m.%Y")),
        (["01/13/2024 00:04", "01/02/2024 10:35"], (1.0, "%m/%d/%Y %H:%M")),
        (["20240103"], (1.0, "%Y%m%d")),
        (["1700000000000"], (1.0, "epoch_ms")),
        (["abc"], (0.0, None)),
    ],
)
def test_timestamp_format(values: list[str], expected: tuple[float, str | None]) -> None:
    assert _sniff.timestamp_format(values) == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["1.234,50", "12,00"], {"decimal": ",", "thousands": "."}),
        (["12,5", "3"], {"decimal": ","}),
        (["$1,234.50", "12.00"], {"thousands": ","}),
        (["12.5", "3", "abc"], {}),
    ],
)
def test_number_format(values: list[str], expected: dict[str, str]) -> None:
    assert _sniff.number_format({"x": list(values)}) == expected


def test_shapes_written_without_the_synonyms_in_mind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exports a colleague built for other tests, not for this one: a SaaS app (accounts,
    occurred_at, event_name, amount_due with '$', a Q/A kb), a Chinese support desk and a
    market table of shares only. Each maps as the hand-written configs do."""
    saas = _write(tmp_path / "saas", {
        "accounts.csv": "account_id,created_at,plan\nacct_1,2023-09-18T21:57:58Z,Pro\n"
                        "acct_2,2024-02-24T03:26:00Z,Starter\n",
        "app_events.csv": "account_id,occurred_at,event_name,feature\n"
                          "acct_1,2023-09-20T03:04:40+00:00,login,\n"
                          "acct_1,2023-09-20T03:05:10+00:00,feature_used,comedy\n",
        "invoices.csv": "account_id,invoice_number,invoice_date,amount_due,status\n"
                        "acct_1,INV-1,2023-09-22,$29.00,paid\nacct_2,INV-2,2024-03-01,$99.00,failed\n",
        "tickets.csv": "id,opened,requester,subject_and_body,via,closed\n"
                       "T-1,2024-04-18 03:54,acct_1,the export keeps failing on large files,chat,"
                       "2024-04-18 19:54\nT-2,2024-03-08 23:57,acct_2,how do I cancel my plan?,web,\n",
        "help_articles.csv": "q,a\nHow do I cancel?,Go to Settings > Billing > Cancel plan.\n"
                             "Charged twice?,We refund duplicate charges within 5 days.\n",
    })  # fmt: skip
    assert main(["init", str(saas)]) == 0
    assert _tables(saas / "opsai.yaml") == {
        "users": {"file": "accounts.csv", "columns": {"user_id": "account_id", "signup_at": "created_at"}},
        "events": {"file": "app_events.csv", "columns": {"user_id": "account_id",
                   "timestamp": "occurred_at", "event": "event_name"}},
        "orders": {"file": "invoices.csv", "columns": {"user_id": "account_id", "timestamp":
                   "invoice_date", "amount": "amount_due", "order_id": "invoice_number"}},
        "tickets": {"file": "tickets.csv", "columns": {"ticket_id": "id", "timestamp": "opened",
                    "text": "subject_and_body", "user_id": "requester", "channel": "via",
                    "resolved_at": "closed"}},
        "kb": {"file": "help_articles.csv", "columns": {"answer": "a", "question": "q"}},
    }  # fmt: skip
    assert (
        "03b_recommendation       skipped, needs item_id in events or orders"
        in capsys.readouterr().out
    )
    desk = _write(tmp_path / "desk", {
        "tickets.csv": "工单号,创建时间,内容,类别,评价,渠道\nA1,2024-01-02 08:00,屏幕有亮点，要求换货,画质,差评,app\n"
                       "A2,2024-01-03 09:10,电池很耐用，满意,电池,好评,web\n",
        "kb.csv": "意图,问题,回答,语言\n画质,屏幕有问题?,请在7天内申请换货。,zh\n电池,续航多久?,正常使用约两天。,zh\n",
    })  # fmt: skip
    assert main(["init", str(desk)]) == 0
    assert _tables(desk / "opsai.yaml")["tickets"]["columns"] == {"ticket_id": "工单号",
        "timestamp": "创建时间", "text": "内容", "intent": "类别", "sentiment": "评价", "channel": "渠道"}  # fmt: skip
    assert _tables(desk / "opsai.yaml")["kb"]["columns"] == {"answer": "回答", "intent": "意图",
        "question": "问题", "language": "语言"}  # fmt: skip
    market = _write(tmp_path / "market", {"cars.csv": "Model year,Manufacturer,Market share,MSRP\n"
        "1971,GM,0.0012,4.9\n1971,Ford,0.0009,4.1\n1972,GM,0.0013,5.0\n1972,Ford,0.0010,4.2\n"})  # fmt: skip
    assert main(["init", str(market)]) == 0
    assert _tables(market / "opsai.yaml")["market"]["columns"] == {"period": "Model year",
        "company": "Manufacturer", "sales": "Market share", "price": "MSRP", "share": "Market share"}  # fmt: skip
    assert "the shares stand in for sales" in (market / "opsai.yaml").read_text("utf-8")


def test_a_header_that_names_nothing_is_not_placed_on_values_alone(tmp_path: Path) -> None:
    """An accounts file whose created_at is 20 characters long is no kb of answers."""
    _write(
        tmp_path,
        {"accounts.csv": "ref,created_at\nx1,2023-09-18T21:57:58Z\nx2,2024-02-24T03:26:00Z\n"},
    )
    plan = plan_folder(tmp_path)
    assert plan.guesses == [] and plan.unplaced[0][0] == "accounts.csv"


def test_day_and_month_that_cannot_be_told_apart_are_said_so(tmp_path: Path) -> None:
    """Every day 12 or less: %d/%m and %m/%d both read the sample, so the guess says so; a
    day above 12 settles it and no note is written."""
    rows = "user_id,timestamp,amount\nu1,03/04/2024,5\nu2,11/02/2024,7\nu3,05/12/2024,9\n"
    _write(tmp_path / "a", {"orders.csv": rows})
    (g,) = plan_folder(tmp_path / "a").guesses
    assert g.options["timestamp_format"] == "%d/%m/%Y"
    assert any("%d/%m/%Y and %m/%d/%Y both read it; %d/%m/%Y was assumed" in n for n in g.notes)
    _write(tmp_path / "b", {"orders.csv": rows + "u4,12/25/2024,3\n"})
    (g,) = plan_folder(tmp_path / "b").guesses
    assert g.options["timestamp_format"] == "%m/%d/%Y" and not g.notes
    assert _sniff.day_month_swap("%d.%m.%Y %H:%M") == "%m.%d.%Y %H:%M"
    assert _sniff.day_month_swap("%Y%m") is None


def test_warehouse_erp_and_scrape_names(tmp_path: Path) -> None:
    """Names from a dbt dump, an ERP and a price scrape (the third new-user pass): a
    bookkeeping time (deleted_at) is never a business time, fct_/dim_ prefixes do not hide a
    table's name, part numbers are item ids and a retailer is a market's company."""
    _write(
        tmp_path,
        {
            "fct_order_lines.csv": "order_id,product_id,quantity,deleted_at\n"
            "o1,p1,2,\no2,p2,1,2024-03-01T00:00:00Z\no3,p1,4,\n",
            "dim_customers.csv": "customer_id,signup_date,_dbt_loaded_at\n"
            "c1,2024-01-01,2024-05-01T00:00:00Z\nc2,2024-01-02,2024-05-01T00:00:00Z\n",
            "parts_master.csv": "part_number,description,category\n"
            "96831-C,Hydraulic pump seal kit for series C,seals\n"
            "41002-B,Bearing assembly with housing and grease,bearings\n",
            "competitor_prices.csv": "scraped_at,retailer,product_title,price,est_units_sold\n"
            "2024-01-01T05:04:00Z,PixelPeak,Action cam,207.12,37\n"
            "2024-01-01T04:59:00Z,SnapGear,Action cam,199.00,41\n",
        },
    )
    plan = plan_folder(tmp_path)
    got = {
        g.sample.label: (g.table, {m.contract: m.source for m in g.matches}) for g in plan.guesses
    }
    assert "fct_order_lines.csv" not in got  # no time but deleted_at: not demand
    assert got["dim_customers.csv"] == (
        "users",
        {"user_id": "customer_id", "signup_at": "signup_date"},
    )
    assert got["parts_master.csv"][0] == "items"
    assert got["parts_master.csv"][1]["item_id"] == "part_number"
    table, cols = got["competitor_prices.csv"]
    assert table == "market" and cols["period"] == "scraped_at" and cols["company"] == "retailer"
    assert cols["sales"] == "est_units_sold"
    assert name_score("deleted_at", "timestamp", TABLES["orders"]) == 0.0
    assert name_score("part_no", "item_id", TABLES["orders"]) == 0.8


def test_money_in_cents_gets_a_scale(tmp_path: Path) -> None:
    """A dbt export's order_total_cents: init sets scale 0.01 with a note saying why (every
    amount was 100x before); a plain amount column gets none."""
    text = "order_id,customer_id,ordered_at,order_total_cents\no1,c1,2024-01-03,24200\n"
    _write(tmp_path, {"fct_orders.csv": text})
    path, _ = init_config(tmp_path)
    assert _tables(path)["orders"]["scale"] == {"amount": 0.01}
    assert "# 'order_total_cents': money in cents, so scale 0.01" in path.read_text("utf-8")
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [242.0]
    plain = tmp_path / "plain"
    _write(plain, {"orders.csv": ORDERS})
    assert "scale" not in _tables(init_config(plain)[0])["orders"]
