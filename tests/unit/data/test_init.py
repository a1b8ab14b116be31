"""``opsai init`` guesses each file's table, its column mapping and its read options, writes
them as a commented config, then validates it (exit 1 with the loader's fixes when it fails)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import yaml

from opsai.cli import main
from opsai.data import _load, _sniff, open_workspace
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
    assert "timezone" not in raw["data"]  # English names: the zone is left to the user
    assert "  # timezone: Europe/Berlin  # the business's time zone" in (
        tmp_path / "opsai.yaml"
    ).read_text("utf-8")
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
    assert yaml.safe_load(path.read_text("utf-8"))["data"]["timezone"] == "Asia/Shanghai"
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


def test_percent_shares_are_mapped_and_read_as_fractions(tmp_path: Path) -> None:
    """Shares written '29,3 %' are numbers with a decimal comma: init maps them as share
    (within [0, 1] once divided by 100) and sets decimal; they read back as fractions."""
    csv = (
        'period,company,sales,share\n2024-01-01,Acme,100,"29,3 %"\n2024-01-01,Beta,200,"70,7 %"\n'
        '2024-02-01,Acme,110,"30,0 %"\n2024-02-01,Beta,220,"70,0 %"\n'
    )
    path, plan = init_config(_write(tmp_path, {"market.csv": csv}))
    assert _tables(path)["market"] == {"file": "market.csv", "decimal": ","}
    assert "share" in {m.contract for m in plan.guesses[0].matches}
    with open_workspace(path) as ws:
        assert ws.to_pandas("market")["share"].tolist() == pytest.approx([0.293, 0.707, 0.3, 0.7])


MARKET_1252 = (
    "period;company;sales;price\n01.01.2021;Nordlicht GmbH;19.953,57;25,92\n"
    "01.01.2021;Müller & Söhne KG;9.735,30;21,22\n01.01.2021;Größer Markt SE;8.100,00;19,90\n"
)


def test_western_cp1252_file_is_not_read_as_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cp1252 export with umlauts decodes without error in gb18030 too ('M黮ler & S鰄ne
    KG'); the guess weighs the decodings and picks cp1252, and init shows how the names read."""
    _write(tmp_path, {"market.csv": MARKET_1252}, encoding="cp1252")
    assert main(["init", str(tmp_path)]) == 0
    assert _tables(tmp_path / "opsai.yaml")["market"]["encoding"] == "cp1252"
    out = " ".join(capsys.readouterr().out.split())
    assert "encoding cp1252 is a guess: its text reads 'Müller & Söhne KG', 'Größer" in out
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        names = ws.to_pandas("market")["company"].tolist()
    assert names == ["Nordlicht GmbH", "Müller & Söhne KG", "Größer Markt SE"]


@pytest.mark.parametrize(
    ("text", "encoding", "guess"),
    [
        (
            "客户ID,姓名,地区,商品名称\nc1,张伟,华东,苹果手机\nc2,李娜,华南,无线耳机\n",
            "gbk",
            "gb18030",
        ),
        ("id,性别\n1,男\n2,女\n", "gbk", "gb18030"),  # one character per cell
        ("客戶編號,地區,商品名稱\nc1,台北市,蘋果手機\nc2,高雄市,無線耳機\n", "big5", "big5"),
        ("姓名\n陳大文\n", "big5", "big5"),
        (
            "顧客ID,地域,商品名\nc1,東京都,ワイヤレスイヤホン\nc2,大阪府,ノートパソコン\n",
            "shift_jis",
            "shift_jis",
        ),
        ("Monat;Ø Preis (EUR)\n01.2021;25,92\n", "cp1252", "cp1252"),  # not 'ﾘ Preis'
        ("client;ville;montant\nc1;Besançon;12,50 €\nc2;Orléans;7,00 €\n", "cp1252", "cp1252"),
        ("Kunde,Straße,Größe\nc1,Hauptstraße 5,XL\nc2,Müllerweg,M\n", "cp1252", "cp1252"),
        ("cliente,ciudad\nc1,Logroño\nc2,Cádiz\n", "cp1252", "cp1252"),
    ],
)
def test_encoding_guess_weighs_the_decodings(text: str, encoding: str, guess: str) -> None:
    """Chinese in GBK and Big5, Japanese in Shift-JIS and Western text in cp1252 are each
    named right, though gb18030 (tried first) decodes most of them without an error."""
    assert _load.detect_encoding(text.encode(encoding)) == guess


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
    assert "# orders <- orders.csv: high (score 10.0)\n" in text  # order lines are no demand


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
    """Orders without a date are placed, but do not validate: exit 1, and the loader's
    message says how to fix it; an unreadable file is listed with the reason."""
    orders = "user_id,timestamp,amount\nu1,2024-01-01,5\nu2,,6\n"
    _write(tmp_path, {"orders.csv": orders, "notes.txt": "just a note\n"})
    sub = tmp_path / "out"
    sub.mkdir()
    assert main(["init", str(tmp_path), "--out", str(sub / "c.yaml")]) == 1
    out = capsys.readouterr().out
    assert "does not validate" in out and "'timestamp' is empty in 1 row(s)" in out
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
        ("instruction", "text", "tickets", 1.0),
        ("Weekly_Sales", "quantity", "demand", 1.0),
        ("Sales", "quantity", "orders", 0.0),
        ("OnHandDollars", "on_hand", "inventory", 0.6),
        ("LeadTimeDays", "lead_time_days", "inventory", 1.0),
        ("Email", "user_id", "orders", 0.7),
        ("Dept", "item_id", "demand", 0.7),
        ("Monat", "period", "market", 1.0),
        ("Marktanteil", "share", "market", 1.0),
        ("utterance", "question", "kb", 1.0),
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
                   "invoice_date", "amount": "amount_due", "order_id": "invoice_number"},
                   "where": "status = 'paid'"},  # a failed invoice is no revenue
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


def _labelled_set() -> str:
    """Bitext's shape: flags, instruction, category, intent, response; 4 intents in 2
    categories, 4 utterances each; the out-of-scope ones have no response."""
    rows = ["flags,instruction,category,intent,response"]
    intents = {"track_order": "ORDER", "cancel_order": "ORDER", "edit_account": "ACCOUNT",
               "oos": "OTHER"}  # fmt: skip
    for intent, category in intents.items():
        answer = (
            "" if intent == "oos" else f'"To {intent.replace("_", " ")}, open the Help Center."'
        )
        for i in range(4):
            rows.append(f"B,please help me with {intent.replace('_', ' ')} number {i},{category},"
                        f"{intent},{answer}")  # fmt: skip
    return "\n".join(rows) + "\n"


def test_a_labelled_intent_set_is_both_tickets_and_kb(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fourth new-user pass: the file was read as a kb only, with intent = the coarse
    'category' and no tickets (chapter 05 skipped). The column named 'intent' wins over its
    synonym, the instruction is the tickets' text, both tables come from the one file, and the
    out-of-scope rows without a response are dropped from the kb only."""
    _write(tmp_path, {"bitext_support.csv": _labelled_set()})
    assert main(["init", str(tmp_path)]) == 0
    assert _tables(tmp_path / "opsai.yaml") == {
        "tickets": {"file": "bitext_support.csv", "columns": {"text": "instruction"}},
        "kb": {"file": "bitext_support.csv", "drop_incomplete": True,
               "columns": {"answer": "response", "question": "instruction"}},
    }  # fmt: skip
    out = capsys.readouterr().out
    assert "05_customer_service      ready" in out
    assert "4 of 16 sampled rows have no answer ('response' empty)" in out
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        tickets, kb = ws.to_pandas("tickets"), ws.to_pandas("kb")
    assert sorted(set(tickets["intent"])) == ["cancel_order", "edit_account", "oos", "track_order"]
    assert tickets["ticket_id"].tolist()[:2] == ["t000001", "t000002"] and len(tickets) == 16
    assert len(kb) == 12 and "oos" not in set(kb["intent"])


def test_an_faq_with_intents_stays_a_kb_and_a_tickets_file_keeps_its_place(
    tmp_path: Path,
) -> None:
    """One question per intent is an FAQ, not training data: no tickets from it. A labelled
    set beside a real tickets file gives the kb only; the tickets stay the tickets file's."""
    faq = "intent,question,answer\nrefund,Where is my refund?,Refunds take 5 days.\n"
    faq += "cancel,How do I cancel?,Go to Settings > Cancel.\n"
    _write(tmp_path / "faq", {"faq.csv": faq})
    assert [g.table for g in plan_folder(tmp_path / "faq").guesses] == ["kb"]
    _write(tmp_path / "both", {"bitext_support.csv": _labelled_set(), "tickets.csv": TICKETS})
    plan = plan_folder(tmp_path / "both")
    assert [(g.table, g.sample.label) for g in plan.guesses] == [
        ("tickets", "tickets.csv"),
        ("kb", "bitext_support.csv"),
    ]


SHOPIFY = (
    "Name,Email,Financial Status,Created at,Total,Lineitem quantity,Lineitem name,"
    "Lineitem price,Lineitem sku,Id\n"
    "#1001,a@example.com,paid,2024-03-05 14:22:10,60.00,1,Mug,20.00,SKU-1,5001\n"
    "#1001,,,,,2,Plate,20.00,SKU-2,\n"
    "#1002,b@example.com,paid,2024-03-06 09:00:00,15.00,1,Cup,15.00,SKU-3,5002\n"
    "#1003,c@example.com,refunded,2024-03-07 10:00:00,35.00,1,Mug,20.00,SKU-1,5003\n"
    "#1003,,,,,1,Cup,15.00,SKU-3,\n"
    "#1004,a@example.com,paid,2024-03-08 11:00:00,55.00,1,Bowl,25.00,SKU-4,5004\n"
    "#1004,,,,,2,Cup,15.00,SKU-3,\n"
)


def test_a_shopify_line_item_export_is_orders(tmp_path: Path) -> None:
    """Shopify's orders_export.csv was guessed as demand, Email and Name unmapped. It is
    orders: Email stands in for the customer, Name ('#1001', on every line) is the order id
    over the Id filled on first lines only, the amount is quantity x price per line (Total is
    the order's), and the draft says the order's fields are on its first line only."""
    _write(tmp_path, {"orders_export.csv": SHOPIFY})
    path, plan = init_config(tmp_path)
    # the order's fields (not its numbers: Total, Id) are carried to its other lines, so the
    # draft validates and reads every line (it only said so in a comment, and did not validate)
    assert _tables(path) == {
        "orders": {"file": "orders_export.csv",
            "fill_down": {"by": "Name", "columns": ["Email", "Financial Status", "Created at"]},
            "where": "\"Financial Status\" = 'paid'",  # a refunded order is no revenue
            "columns": {
            "user_id": "Email", "timestamp": "Created at", "order_id": "Name",
            "item_id": "Lineitem sku", "quantity": "Lineitem quantity", "price": "Lineitem price"}},
    }  # fmt: skip
    text = path.read_text("utf-8")
    assert (
        "# one row per order line: 'Name' repeats on each line, but 'Email', 'Financial Status', "
        "'Created at', 'Total', 'Id' are filled on the order's first line only (3 of 7 sampled "
        "lines lack them)"
    ) in text
    assert (
        "# fill_down by 'Name' carries user_id ('Email'), timestamp ('Created at') and the "
        "order's other fields to its other lines; 'Total', 'Id' (the order's numbers) stay on "
        "its first line"
    ) in text
    with open_workspace(path) as ws:
        df = ws.to_pandas("orders").sort_values(["order_id", "item_id"])
    assert df["user_id"].tolist() == [
        "a@example.com", "a@example.com", "b@example.com", "a@example.com", "a@example.com"]  # fmt: skip
    assert df["Financial Status"].tolist() == ["paid"] * 5  # its refunded order left out
    assert "# amount is quantity x price per line: 'Total' is the order's" in text
    (g,) = plan.guesses
    assert {m.contract: m.how for m in g.matches}[
        "order_id"
    ] == "values, order numbers like '#1001'"
    # one order per row (nothing repeats): no note, and the Total is the amount
    whole = "\n".join(ln for ln in SHOPIFY.splitlines() if ",,,,," not in ln) + "\n"
    _write(tmp_path / "whole", {"orders_export.csv": whole})
    (g,) = plan_folder(tmp_path / "whole").guesses
    assert g.table == "orders" and [n[:25] for n in g.notes] == ["where keeps the paid paym"]
    assert {m.contract: m.source for m in g.matches}["amount"] == "Total"


def test_walmart_weekly_sales_and_a_dept_inventory(tmp_path: Path) -> None:
    """Store x Dept weekly sales and a chain-level dept stock fitted no table. Underscores and
    camel case split into words (Weekly_Sales, OnHandDollars), a demand table's sales in
    dollars (cents) are its amount (byod11b D3: they were its quantity, 'Units sold'), its
    IsHoliday the event_day, and Dept stands in for the item when there is none."""
    sales = "Store,Dept,Date,Weekly_Sales,IsHoliday,MarkDown1\n"
    sales += "1,1,05-02-2010,8023.1,FALSE,NA\n1,2,05-02-2010,5020.5,FALSE,NA\n"
    sales += "2,1,12-02-2010,10181.22,TRUE,NA\n2,2,19-02-2010,2000.0,FALSE,12.5\n"
    stock = "Dept,OnHandDollars,LeadTimeDays,UnitCost\n1,538013.0,7,0.62\n2,1943896.0,7,0.62\n"
    _write(tmp_path, {"train_merged.csv": sales, "dept_inventory.csv": stock})
    path, _ = init_config(tmp_path)
    assert _tables(path) == {
        "demand": {"file": "train_merged.csv", "timestamp_format": "%d-%m-%Y", "columns": {
            "item_id": "Dept", "timestamp": "Date", "amount": "Weekly_Sales", "store": "Store",
            "event_day": "IsHoliday"}},
        "inventory": {"file": "dept_inventory.csv", "columns": {"item_id": "Dept",
            "on_hand": "OnHandDollars", "lead_time_days": "LeadTimeDays", "unit_cost": "UnitCost"}},
    }  # fmt: skip
    with open_workspace(path) as ws:
        assert ws.to_pandas("demand")["quantity"].tolist() == [8023.1, 5020.5, 10181.22, 2000.0]
        assert ws.to_pandas("inventory")["on_hand"].tolist() == [538013.0, 1943896.0]


def test_german_headers_and_a_csv_title_line(tmp_path: Path) -> None:
    """A German market report as Excel-CSV with a title line above the header (the title was
    read as the header) and German order columns: both are placed, and the market's numbers
    read back ('19.953,57' is 19953.57, '01.2021' is January 2021)."""
    market = (
        "Marktbericht DACH Haushaltswaren;;;;\nMonat;Anbieter;Umsatz;Preis;Marktanteil\n"
        "01.2021;Nordlicht GmbH;19.953,57;25,92;0,35\n01.2021;Alpenmarkt AG;36.523,80;22,24;0,65\n"
        "02.2021;Nordlicht GmbH;25.705,31;24,76;0,38\n02.2021;Alpenmarkt AG;42.789,29;22,32;0,62\n"
    )
    orders = "Bestellung,Kunde,Datum,Artikel,Menge,Preis\nB1,K7,2024-01-03,A1,2,9.5\n"
    orders += "B2,K8,2024-01-04,A2,1,12\n"
    _write(tmp_path, {"marktbericht.csv": market, "bestellungen.csv": orders})
    path, _ = init_config(tmp_path)
    tables = _tables(path)
    assert tables["market"] == {
        "file": "marktbericht.csv", "sep": ";", "skip_rows": 1, "decimal": ",",
        "thousands": ".", "timestamp_format": "%m.%Y", "columns": {"period": "Monat",
        "company": "Anbieter", "sales": "Umsatz", "price": "Preis", "share": "Marktanteil"},
    }  # fmt: skip
    assert tables["orders"]["columns"] == {"user_id": "Kunde", "timestamp": "Datum",
        "order_id": "Bestellung", "item_id": "Artikel", "quantity": "Menge", "price": "Preis"}  # fmt: skip
    with open_workspace(path) as ws:
        m = ws.to_pandas("market")
        assert m["sales"].tolist()[:2] == [19953.57, 36523.8]
        assert m["period"].dt.strftime("%Y-%m").tolist() == ["2021-01"] * 2 + ["2021-02"] * 2
        assert ws.to_pandas("orders")["amount"].tolist() == [19.0, 12.0]


def test_a_header_with_an_empty_first_name_is_no_title(tmp_path: Path) -> None:
    """pandas' to_csv with its index writes ',user_id,signup_at': the header has an empty first
    name, and is no title line to skip."""
    _write(tmp_path, {"users.csv": ",user_id,signup_at\n0,u1,2024-01-01\n1,u2,2024-01-02\n"})
    (g,) = plan_folder(tmp_path).guesses
    assert g.table == "users" and "skip_rows" not in g.options
    assert {m.contract: m.source for m in g.matches} == {
        "user_id": "user_id",
        "signup_at": "signup_at",
    }


TAOBAO = (
    "订单编号,买家会员名,买家应付货款,买家实际支付金额,订单状态,订单创建时间,订单付款时间,宝贝标题,宝贝数量,退款状态\n"
    '3562869776334550288,晴天娃娃14680,￥393.91,￥393.91,交易成功,2025-11-01 09:07:13,2025-11-01 09:20:08,电动牙刷 声波,1,没有申请退款\n'
    '3517475288266546247,木子李78342,"￥1,358.13","￥1,358.13",交易成功,2025-11-01 15:57:09,2025-11-01 16:04:41,LED护眼台灯,3,没有申请退款\n'
    '3500571091564043930,小小苹果17783,"￥2,542.07","￥2,542.07",等待买家付款,2025-11-01 16:34:34,,防滑瑜伽垫,2,没有申请退款\n'
    '3530834728367220593,tb70863,￥174.56,￥174.56,卖家已发货，等待买家确认,2025-11-02 16:29:41,2025-11-02 16:40:54,大容量双肩包,3,没有申请退款\n'
    '3530834728367220594,tb70863,￥74.00,￥74.00,交易关闭,2025-11-03 10:00:00,2025-11-03 10:01:00,电动牙刷 声波,1,退款成功\n'
)  # fmt: skip


def test_a_taobao_order_export_is_orders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Taobao/Tmall 订单报表 (GBK, '￥1,358.13') fitted no table: 买家会员名 (user), 宝贝标题
    (title) scored 0. It is orders, dated by creation time, keyed by the title when there is no
    item code, read with thousands ',', and where leaves out the unpaid and closed orders
    (said in the printed summary, with the completed-only condition)."""
    _write(tmp_path, {"ExportOrderList202512.csv": TAOBAO}, encoding="gbk")
    assert main(["init", str(tmp_path), "--out", str(tmp_path / "c.yaml")]) == 0
    out = capsys.readouterr().out
    assert _tables(tmp_path / "c.yaml") == {
        "orders": {"file": "ExportOrderList202512.csv", "encoding": "gb18030", "thousands": ",",
            "where": "订单状态 NOT IN ('等待买家付款', '交易关闭')",
            "columns": {"user_id": "买家会员名", "timestamp": "订单创建时间",
                "amount": "买家实际支付金额", "order_id": "订单编号", "item_id": "宝贝标题",
                "quantity": "宝贝数量", "order_status": "订单状态"}},
    }  # fmt: skip
    assert (
        "note: where keeps the sold orders: it leaves out those '订单状态' says are unpaid or "
        "closed (等待买家付款 1, 交易关闭 1 of 5 sampled rows); for completed orders only, set "
        "where: \"订单状态 = '交易成功'\""
    ) in out
    assert (
        "timestamp is when the order was created ('订单创建时间'), not paid ('订单付款时间'" in out
    )
    assert "item_id is the item's title ('宝贝标题'): no item code is there" in out
    with open_workspace(tmp_path / "c.yaml") as ws:
        df = ws.to_pandas("orders").sort_values("timestamp")
    assert df["amount"].tolist() == [393.91, 1358.13, 174.56]
    assert df["user_id"].tolist() == ["晴天娃娃14680", "木子李78342", "tb70863"]
    assert df["item_id"].tolist() == ["电动牙刷 声波", "LED护眼台灯", "大容量双肩包"]
    # the chat log's buyer nickname is its user
    assert name_score("买家昵称", "user_id", TABLES["tickets"]) == 1.0
    assert name_score("实付款", "amount", TABLES["orders"]) == 1.0
    assert name_score("购买数量", "quantity", TABLES["orders"]) == 1.0


def test_a_game_export_with_nested_params(tmp_path: Path) -> None:
    """A mobile game export: events.jsonl (ts, player_id, event, params: {session_id, level,
    revenue}) was guessed as tickets with the nested params as the text, players.csv (player_id,
    install_date) fitted no table, and the draft did not validate. Now events (a column named
    'event'; a struct is never a text) and users (player_id, install_date), with the struct's
    fields offered as dotted mappings."""
    import json

    rows = [
        ("2025-08-18T13:21:16Z", "p_1", "session_start", {"session_id": "s1", "level": 1}),
        ("2025-08-18T13:28:17Z", "p_1", "level_complete", {"session_id": "s1", "level": 1}),
        ("2025-08-19T10:00:00Z", "p_2", "iap_purchase", {"session_id": "s2", "revenue": 4.99}),
    ]
    events = "".join(
        json.dumps({"ts": t, "player_id": p, "event": e, "params": params}) + "\n"
        for t, p, e, params in rows
    )
    players = (
        "player_id,install_date,country,device\np_1,2025-08-18,JP,iPhone\np_2,2025-08-19,BR,Redmi\n"
    )
    _write(tmp_path, {"events.jsonl": events, "players.csv": players})
    path, plan = init_config(tmp_path)
    assert _tables(path) == {
        "users": {"file": "players.csv", "columns": {"user_id": "player_id", "signup_at": "install_date"}},
        "events": {"file": "events.jsonl", "columns": {"user_id": "player_id", "timestamp": "ts",
                   "session_id": "params.session_id"}},
    }  # fmt: skip
    assert not plan.unplaced
    assert (
        "# 'params' holds nested fields (session_id, level, revenue): mapped session_id: "
        "params.session_id; the rest stay inside 'params'"
    ) in path.read_text("utf-8")
    with open_workspace(path) as ws:
        assert ws.to_pandas("events")["event"].tolist() == [e for _, _, e, _ in rows]
        assert ws.to_pandas("users")["user_id"].tolist() == ["p_1", "p_2"]
    # a struct is never a ticket's text, even when nothing else could be
    _write(tmp_path / "nested", {"log.jsonl": "".join(
        json.dumps({"ts": t, "payload": params}) + "\n" for t, _, _, params in rows)})  # fmt: skip
    plan = plan_folder(tmp_path / "nested")
    assert plan.guesses == [] and plan.unplaced[0][0] == "log.jsonl"


def test_init_reads_the_tables_of_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`opsai init app.db` (a SQLite file) and `opsai init shop.duckdb`: each table is
    sampled like a file and placed by its columns; the config names the database as the
    source and each table by `table:`, and it validates. It stopped with "is not a folder"."""
    import sqlite3

    import duckdb

    db = sqlite3.connect(tmp_path / "app.db")
    db.executescript(
        "CREATE TABLE customers (customer_id TEXT, created_at TEXT, country TEXT);"
        "INSERT INTO customers VALUES ('c1', '2024-01-01 10:00:00', 'DE'), "
        "('c2', '2024-01-03 11:00:00', 'FR');"
        "CREATE TABLE purchases (order_id TEXT, customer_id TEXT, ordered_at TEXT, total REAL);"
        "INSERT INTO purchases VALUES ('o1', 'c1', '05.01.2024 09:30', 12.5), "
        "('o2', 'c2', '17.01.2024 18:00', 30.0);"
        "CREATE TABLE schema_migrations (version INTEGER);"
    )
    db.commit()
    db.close()
    assert main(["init", str(tmp_path / "app.db")]) == 0
    doc = yaml.safe_load((tmp_path / "opsai.yaml").read_text("utf-8"))
    assert doc["data"]["source"] == "app.db"
    assert doc["data"]["tables"] == {
        "users": {"table": "customers", "columns": {"user_id": "customer_id", "signup_at": "created_at"}},
        "orders": {"table": "purchases", "timestamp_format": "%d.%m.%Y %H:%M",
                   "columns": {"user_id": "customer_id", "timestamp": "ordered_at", "amount": "total"}},
    }  # fmt: skip
    out = capsys.readouterr().out
    assert "table(s) from app.db" in out and "2 table(s) valid" in out
    assert "not placed: app.db [schema_migrations]: fits no table" in out
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute("CREATE TABLE orders (user_id VARCHAR, timestamp TIMESTAMP, amount DOUBLE)")
        con.execute("INSERT INTO orders VALUES ('u1', '2024-01-05 09:30', 12.5)")
    path, plan = init_config(tmp_path / "shop.duckdb", tmp_path / "duck.yaml")
    assert [(g.table, g.label) for g in plan.guesses] == [("orders", "shop.duckdb [orders]")]
    assert _tables(path) == {"orders": {"table": "orders"}}
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [12.5]


STRIPE_CHARGES = (
    "id,amount,amount_refunded,currency,created,customer,status,refunded\n"
    "ch_0000001,2900,0,usd,1717242419,cus_a1b2c3,succeeded,False\n"
    "ch_0000002,29900,0,usd,1717410549,cus_b5ed23,failed,False\n"
    "ch_0000003,9900,9900,usd,1717500000,cus_a1b2c3,succeeded,True\n"
)


def test_a_stripe_charges_export_is_read_in_cents_without_failed_charges(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stripe's charges export (ch_ ids, lowercase 'usd', integer cents, status succeeded/
    failed) was mapped unscaled with its failed charges: revenue 105x too high (1,594,200 USD
    for 15,131). Now scale 0.01 and where status = 'succeeded', each with a note, and the
    customers' epoch 'created' is their signup_at."""
    customers = "id,email,created\ncus_a1b2c3,a@x.io,1717000000\ncus_b5ed23,b@x.io,1717100000\n"
    _write(tmp_path, {"charges.csv": STRIPE_CHARGES, "customers.csv": customers})
    assert main(["init", str(tmp_path)]) == 0
    path = tmp_path / "opsai.yaml"
    orders, users = _tables(path)["orders"], _tables(path)["users"]
    assert orders["scale"] == {"amount": 0.01}
    assert orders["where"] == "status = 'succeeded'"
    assert users["columns"] == {"user_id": "id", "signup_at": "created"}
    text = path.read_text("utf-8")
    assert "export (currency written 'usd'), which gives amounts in cents: scale 0.01" in text
    assert "where keeps the succeeded payments: it leaves out those 'status' says are not " in text
    assert "where=\"status = 'succeeded'\"" in capsys.readouterr().out
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [29.0, 99.0]
        assert ws.to_pandas("users")["signup_at"].min() == dt.datetime(2024, 5, 29, 16, 26, 40)
    # a zero-decimal currency is whole units; a shop's uppercase USD is no processor's export
    for name, text in {
        "jpy": STRIPE_CHARGES.replace("usd", "jpy"),
        "shop": "order_id,customer,created,amount,currency\no1,c1,2024-01-03,29,USD\n",
    }.items():
        _write(tmp_path / name, {"charges.csv": text})
        assert "scale" not in _tables(init_config(tmp_path / name)[0])["orders"]
    assert "jpy has none: no scale set" in (tmp_path / "jpy" / "opsai.yaml").read_text("utf-8")


def test_nested_fields_are_mapped_with_dotted_paths(tmp_path: Path) -> None:
    """Mixpanel's raw export (event, properties: {distinct_id, time in ms, $browser}) fitted no
    table: the fields inside a struct were not looked at. They are scored like columns now:
    user_id: properties.distinct_id, timestamp: properties.time read as epoch_ms. Zendesk's
    satisfaction_rating.score is the sentiment, with offered/unoffered as na_values, and a
    struct with no contract field gets a placeholder, not a random contract column."""
    import json

    mixpanel = "".join(
        json.dumps({"event": e, "properties": {"distinct_id": u, "time": t, "$browser": "Chrome"}})
        + "\n"
        for e, u, t in [
            ("Page Viewed", "a@x.io", 1717300573000),
            ("Report Created", "a@x.io", 1717313597000),
            ("Page Viewed", "b@x.io", 1717336309000),
        ]
    )
    _write(tmp_path / "mp", {"mixpanel_export.jsonl": mixpanel})
    path, _ = init_config(tmp_path / "mp")
    assert _tables(path) == {"events": {"file": "mixpanel_export.jsonl",
        "timestamp_format": "epoch_ms", "columns": {"user_id": "properties.distinct_id",
        "timestamp": "properties.time"}}}  # fmt: skip
    with open_workspace(path) as ws:
        ev = ws.to_pandas("events")
    assert ev["user_id"].tolist() == ["a@x.io", "a@x.io", "b@x.io"]
    assert ev["timestamp"].iloc[0] == dt.datetime(2024, 6, 2, 3, 56, 13)
    zendesk = "".join(
        json.dumps({"id": i, "created_at": f"2024-01-0{i}T10:00:00Z",
                    "description": f"My order number {i} has not arrived yet, please help",
                    "via": {"channel": "email"}, "satisfaction_rating": {"score": s},
                    "event_properties": {"plan": "pro"}}) + "\n"
        for i, s in enumerate(["good", "bad", "offered", "unoffered", "bad"], 1)
    )  # fmt: skip
    _write(tmp_path / "zd", {"tickets.jsonl": zendesk})
    path, _ = init_config(tmp_path / "zd")
    spec = _tables(path)["tickets"]
    assert spec["columns"]["sentiment"] == "satisfaction_rating.score"
    assert spec["columns"]["channel"] == "via.channel"
    assert spec["na_values"] == ["offered", "unoffered"]
    text = path.read_text("utf-8")
    assert (
        "'event_properties' holds nested fields (plan): none is a column of the table; to map "
        "one write a dotted path under columns (<contract column>: event_properties.plan)"
    ) in text
    with open_workspace(path) as ws:
        sentiment = ws.to_pandas("tickets")["sentiment"]
    assert sentiment.fillna("-").tolist() == ["good", "bad", "-", "-", "bad"]


def test_a_chinese_pos_export_is_orders_and_demand(tmp_path: Path) -> None:
    """A restaurant POS export (GBK: 菜品销售明细 lines with 单号/菜品名称/数量/单价 and a void
    with a negative quantity; 结账流水 payments with 结账单号/原单号/会员卡号/实收金额, most bills
    without a member card) placed nothing. Now the payments are orders keyed by the original
    bill (原单号, not the split payment's 结账单号), the lines are demand by dish (no customer),
    with where quantity >= 0 for the voids; the walk-in bills without a member card are guest
    orders, named in a note: they load as orders without a customer (validation stopped on
    them, and drop_incomplete dropped their revenue), with no drop_incomplete set."""
    lines = (
        "单号,桌号,下单时间,菜品名称,数量,单价,金额,状态\n"
        "B001,A1,2025/08/01 11:42,宫保鸡丁,1,38,38,正常\nB001,A1,2025/08/01 11:42,米饭,2,3,6,正常\n"
        "B002,A2,2025/08/01 12:05,宫保鸡丁,1,38,38,正常\nB002,A2,2025/08/01 12:06,宫保鸡丁,-1,38,-38,退菜\n"
    )  # fmt: skip
    pays = (
        "结账单号,原单号,结账时间,会员卡号,支付方式,实收金额\n"
        "B001-1,B001,2025/08/01 12:30,,微信支付,20\nB001-2,B001,2025/08/01 12:31,,现金,24\n"
        "B002-1,B002,2025/08/01 13:00,M8801,支付宝,38\n"
    )  # fmt: skip
    _write(tmp_path, {"菜品销售明细.csv": lines, "结账流水.csv": pays}, encoding="gbk")
    path, plan = init_config(tmp_path)
    t = _tables(path)
    assert t["orders"]["columns"] == {"user_id": "会员卡号", "timestamp": "结账时间",
        "amount": "实收金额", "order_id": "原单号"}  # fmt: skip
    assert "drop_incomplete" not in t["orders"]
    assert t["demand"]["columns"] == {"item_id": "菜品名称", "timestamp": "下单时间",
        "quantity": "数量", "price": "单价"}  # fmt: skip
    assert t["demand"]["where"] == "quantity >= 0"
    text = path.read_text("utf-8")
    assert (
        "'会员卡号' (user_id) is empty on 2 of 3 sampled rows (67%): guest orders (walk-ins, "
        "guest checkout). They count in revenue"
    ) in " ".join(text.split()).replace("# ", "")
    assert "'数量' (quantity) is negative on 1 of 4 sampled rows (voids or returns)" in text
    assert not plan.unplaced
    with open_workspace(path) as ws:  # validates as written: the walk-ins are guest orders
        assert ws.to_pandas("demand")["quantity"].tolist() == [1, 2, 1]
        orders = ws.to_pandas("orders").sort_values("amount")
        assert orders["amount"].tolist() == [20.0, 24.0, 38.0]
        assert orders["user_id"].isna().tolist() == [True, True, False]


def test_a_spreadsheet_group_header_above_the_header_is_skipped(tmp_path: Path) -> None:
    """A Google Sheets CSV whose first row is a merged-cell group header ('Order details,,,,
    Customer,') was read with that row as the header: 'fits no table (columns: Order details,
    column1, ...)'. A row with at most half the header's cells filled is a title: skip_rows 1,
    and the orders read with their euro amounts and day-first dates."""
    sheet = (
        "Order details,,,,Customer,\nOrder #,Date,Qty,Total (€),Name,Email\n"
        '1001,03/01/2025,2,"€1.234,50",Anna Müller,anna@x.de\n'
        '1002,13/01/2025,1,"€99,00",Jörg Bauer,jorg@x.de\n'
    )
    _write(tmp_path, {"Bestellungen 2025 - Tabelle1.csv": sheet})
    path, _ = init_config(tmp_path)
    spec = _tables(path)["orders"]
    assert spec["skip_rows"] == 1 and spec["timestamp_format"] == "%d/%m/%Y"
    assert spec["columns"] == {"user_id": "Email", "timestamp": "Date", "amount": "Total (€)",
        "order_id": "Order #", "quantity": "Qty"}  # fmt: skip
    with open_workspace(path) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [1234.5, 99.0]


def test_a_store_level_sales_export_is_demand_per_store_with_store_attributes(
    tmp_path: Path,
) -> None:
    """byod9a D4: Rossmann's train.csv (Store, DayOfWeek, Date, Sales, Customers, Open, Promo)
    and store.csv (one row per Store) placed nothing. Now each store is a demand series, its
    turnover the demand's amount (money: D3), closed days (Open = 0, Sales 0) left out by
    where, and store.csv the items, StoreType their category."""
    days = [dt.date(2015, 7, 1) + dt.timedelta(days=k) for k in range(14)]

    def rows(sales: str, base: int) -> str:
        return f"Store,DayOfWeek,Date,{sales},Customers,Open,Promo\n" + "".join(
            f"{s},{d.isoweekday()},{d:%Y-%m-%d},{0 if d.isoweekday() == 7 else base + 97 * s},"
            f"{0 if d.isoweekday() == 7 else 600},{int(d.isoweekday() != 7)},{int(d.day < 6)}\n"
            for d in days
            for s in (1, 2, 3)
        )

    train = rows("Sales", 5000)
    stores = "Store,StoreType,Assortment,CompetitionDistance\n1,a,a,570\n2,c,a,\n3,a,c,14130\n"
    _write(tmp_path, {"train.csv": train, "store.csv": stores})
    path, plan = init_config(tmp_path)
    t = _tables(path)
    assert t["demand"]["columns"] == {"item_id": "Store", "timestamp": "Date",
                                      "amount": "Sales", "promo": "Promo"}  # fmt: skip
    assert t["demand"]["where"] == "Open = 1"
    assert t["items"]["columns"] == {"item_id": "Store", "category": "StoreType"}
    assert not plan.unplaced
    notes = next(g for g in plan.guesses if g.table == "demand").notes
    assert (
        notes[0] == "one row per store and day, no item column: each 'Store' is one demand series"
    )
    assert notes[1].startswith("'Sales' is read as sales in money (amount; median 5,194 a store")
    (tmp_path / "u").mkdir()
    _write(tmp_path / "u", {"train.csv": rows("Sales", 20)})
    path, _ = init_config(tmp_path / "u")
    assert _tables(path)["demand"]["columns"]["quantity"] == "Sales"  # 100-300 a day: units


def test_a_product_category_is_the_item_of_lines_naming_none(tmp_path: Path) -> None:
    """byod13a D5: the Istanbul malls' export (invoice, customer, category, quantity, price,
    shopping_mall) kept its 8 categories as an attribute, so chapter 04 forecast one series
    of all sales and 03b was skipped. The category now stands in for the item (with a note);
    a mall, a branch or an outlet is a store by its name."""
    cats = ["Clothing", "Shoes", "Technology", "Books"]
    rows = ["invoice_no,customer_id,category,quantity,price,invoice_date,shopping_mall"]
    rows += [f"I{1000 + i},C{5000 + i},{cats[i % 4]},{1 + i % 3},{10.5 + i},{1 + i % 28:02d}/01/2022,"
             f"Kanyon" for i in range(40)]  # fmt: skip
    (tmp_path / "customer_shopping_data.csv").write_text("\n".join(rows) + "\n", "utf-8")
    (orders,) = plan_folder(tmp_path).guesses
    got = {m.contract: m.source for m in orders.matches}
    assert got["item_id"] == "category" and got["order_id"] == "invoice_no"
    assert any(
        n.startswith("item_id is the product category 'category' (4 values") for n in orders.notes
    )
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    with open_workspace(path) as ws:
        o = ws.to_pandas("orders")
    assert o.groupby("item_id")["quantity"].sum().to_dict() == {
        "Books": 19.0, "Clothing": 19.0, "Shoes": 20.0, "Technology": 21.0
    }  # fmt: skip
    demand = TABLES["demand"]
    assert [name_score(c, "store", demand) for c in ("shopping_mall", "Branch", "outlet_id")] == [
        0.6, 1.0, 0.6
    ]  # fmt: skip
