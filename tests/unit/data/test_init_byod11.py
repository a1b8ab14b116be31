"""byod11b: ``opsai init`` on Walmart's Kaggle folder (weekly sales in dollars per store and
department, a holiday flag, features.csv and stores.csv beside it)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config

pytestmark = pytest.mark.unit

FRIDAYS = [f"2010-{m:02d}-{d:02d}" for m in range(2, 12) for d in (5, 12, 19, 26)]


def _walmart(folder: Path, negative: bool = True) -> None:
    """train.csv (Store, Dept, Date, Weekly_Sales with cents, IsHoliday TRUE/FALSE),
    features.csv (Store, Date, markdowns with NA, IsHoliday), stores.csv (Store, Type, Size)."""
    rng = random.Random(11)
    hol = {"2010-02-12", "2010-09-12", "2010-11-26"}
    rows = ["Store,Dept,Date,Weekly_Sales,IsHoliday"]
    for s in (1, 2, 3):
        for dept in (1, 2, 3, 4):
            for d in FRIDAYS:
                v = round(rng.uniform(5_000, 40_000), 2)
                rows.append(f"{s},{dept},{d},{v},{'TRUE' if d in hol else 'FALSE'}")
    if negative:
        rows.append("3,5,2010-03-05,-139.5,FALSE")
    (folder / "train.csv").write_text("\n".join(rows) + "\n", "utf-8")
    feats = ["Store,Date,Temperature,MarkDown1,MarkDown2,CPI,IsHoliday"]
    for s in (1, 2, 3):
        for i, d in enumerate(FRIDAYS):
            md = f"{rng.uniform(100, 900):.2f}" if i > 20 else "NA"
            feats.append(f"{s},{d},{rng.uniform(20, 90):.1f},{md},NA,211.0,{d in hol}")
    (folder / "features.csv").write_text("\n".join(feats) + "\n", "utf-8")
    (folder / "stores.csv").write_text("Store,Type,Size\n1,A,151315\n2,A,202307\n3,B,37392\n")


def test_walmart_sales_in_dollars_holidays_and_side_files(tmp_path: Path) -> None:
    """byod11b D3: Weekly_Sales was the quantity ('Units sold 4,183,280'), IsHoliday an
    attribute, features.csv and stores.csv placed nowhere. Now: amount, event_day, both files
    joined (on Store and Date, on Store), the markdowns named as promotion candidates, and
    the config loads: 481 rows, the 3 holiday weeks marked on each of 12 series."""
    _walmart(tmp_path, negative=False)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["demand"]
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["demand"]
    assert spec["columns"]["amount"] == "Weekly_Sales"
    assert "quantity" not in spec["columns"]
    assert spec["columns"]["event_day"] == "IsHoliday"
    assert spec["join"] == [
        {"file": "features.csv", "on": ["Store", "Date"]},
        {"file": "stores.csv", "on": "Store"},
    ]
    notes = " ".join(plan.guesses[0].notes)
    assert "'MarkDown1', 'MarkDown2' may mark promotions" in notes
    assert not plan.unplaced
    with open_workspace(path) as ws:
        d = ws.to_pandas("demand")
    assert len(d) == 3 * 4 * len(FRIDAYS)
    assert d["amount"].sum() == pytest.approx(d["quantity"].sum())
    assert sorted(d.loc[d["event_day"].str.lower() == "true", "timestamp"].astype(str).str[:10]
                  .unique()) == ["2010-02-12", "2010-09-12", "2010-11-26"]  # fmt: skip
    assert d["Size"].notna().all() and d["Temperature"].notna().all()


@pytest.mark.parametrize(
    ("name", "values", "money"),
    [
        ("Weekly_Sales", ["17386.9", "19805.69", "3.5", "24924.5"], True),
        ("revenue", ["100.25", "99.99"], True),
        ("sales", ["3", "0", "12"], False),  # M5's units sold: whole numbers
        ("unit_sales", ["1.5", "2.25"], False),  # Favorita's kilos of a unit column
        ("Weekly_Sales", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10.5"], False),
    ],
)
def test_money_sales_needs_a_sales_name_and_cents(
    name: str, values: list[str], money: bool
) -> None:
    from opsai.data._init_demand import money_column

    assert money_column(name, values) is money


def test_event_day_is_the_first_holiday_or_event_column() -> None:
    """Rossmann's StateHoliday (before SchoolHoliday), M5's event_name_1 (before _2); a flag
    set on most rows (a weekday name, 'Open') is none."""
    from opsai.data._init_demand import event_column

    ross = {"Open": ["1"] * 9 + ["0"], "StateHoliday": ["0"] * 9 + ["a"],
            "SchoolHoliday": ["1", "1", "0", "0", "0", "0", "0", "0", "0", "0"]}  # fmt: skip
    assert event_column(ross, set()) == "StateHoliday"
    m5 = {"event_name_1": [""] * 8 + ["SuperBowl", "Easter"], "event_name_2": [""] * 9 + ["X"]}
    assert event_column(m5, set()) == "event_name_1"
    assert event_column({"holiday_type": ["Weekday"] * 9 + ["Holiday"]}, set()) is None
    assert event_column({"IsHoliday": ["TRUE", "FALSE", "FALSE"]}, {"IsHoliday"}) is None


def test_negative_sales_beyond_the_sample_are_left_out(tmp_path: Path) -> None:
    """Walmart's 7 return rows lie past init's sample: the whole CSV is counted, so the
    config proposes where 'amount >= 0' and validates (it stopped on them before)."""
    _walmart(tmp_path)
    text = (tmp_path / "train.csv").read_text("utf-8").splitlines()
    body = text[1:-1] * 5  # 2,400 rows: the negative last one is outside the 2,000 sampled
    (tmp_path / "train.csv").write_text("\n".join([text[0], *body, text[-1]]) + "\n")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["demand"]
    assert spec["where"] == "amount >= 0"
    assert "negative on 1 rows of the file" in " ".join(plan.guesses[0].notes)


def test_negative_sales_in_the_sample_keep_the_amount_where(tmp_path: Path) -> None:
    """A sampled return row (-139.50) proposes where: 'amount >= 0', not 'quantity >= 0'."""
    _walmart(tmp_path)
    text = (tmp_path / "train.csv").read_text("utf-8").splitlines()
    (tmp_path / "train.csv").write_text("\n".join([text[0], text[-1], *text[1:-1]]) + "\n")
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["demand"]
    assert spec["where"] == "amount >= 0"


def _hubspot(folder: Path, n: int = 80) -> None:
    """HubSpot's ticket export: Create date, Close date (empty on open tickets), Associated
    Contact (an e-mail), no first-reply column."""
    rows = ["Ticket ID,Ticket name,Ticket description,Create date,Close date,Ticket status,"
            "Category,Associated Contact"]  # fmt: skip
    for i in range(n):
        closed = f"2024-03-{2 + i % 27:02d} 09:45" if i % 2 else ""
        rows.append(
            f"{7000000 + i},Pedido {i},Mi pedido {i} no ha llegado todavía después de diez días,"
            f"2024-03-{1 + i % 27:02d} 18:47,{closed},{'Closed' if closed else 'Open'},"
            f"Envío,cliente{i % 30}@example.com"
        )
    (folder / "tickets.csv").write_text("\n".join(rows) + "\n", "utf-8")


def test_hubspot_close_date_is_resolved_at_and_the_contact_the_customer(tmp_path: Path) -> None:
    """byod11b D16: 'Close date' was first_reply_at (by values) and 'Associated Contact' an
    attribute; now resolved_at and user_id, and no first_reply_at without a reply's name."""
    _hubspot(tmp_path)
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    cols = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["tickets"]["columns"]
    assert cols["resolved_at"] == "Close date"
    assert cols["user_id"] == "Associated Contact"
    assert "first_reply_at" not in cols
    with open_workspace(path) as ws:
        t = ws.to_pandas("tickets")
    assert t["resolved_at"].notna().sum() == 40
    assert t["user_id"].nunique() == 30


def test_a_reply_named_time_is_still_the_first_reply(tmp_path: Path) -> None:
    """Freshdesk's 'Initial response time' stays first_reply_at (by its name)."""
    _hubspot(tmp_path)
    text = (tmp_path / "tickets.csv").read_text("utf-8").splitlines()
    rows = [text[0] + ",Initial response time"]
    rows += [f"{r},2024-03-{1 + i % 27:02d} 19:30" for i, r in enumerate(text[1:])]
    (tmp_path / "tickets.csv").write_text("\n".join(rows) + "\n", "utf-8")
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    cols = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["tickets"]["columns"]
    assert (cols["first_reply_at"], cols["resolved_at"]) == ("Initial response time", "Close date")


def test_year_headers_and_dashes_are_a_wide_market(tmp_path: Path) -> None:
    """byod11b D21: 'Company,2018,...' was read as a header-less file (column0 ..) and a '-'
    cell defeated the wide-market proposal; now market with unpivot, '%Y' and na_values '-',
    the periods each year's 1 January."""
    (tmp_path / "shares.csv").write_text(
        "Company,2018,2019,2020,2021\nNordicBrew AB,8,10,12.0,14.0\n"
        "Gevalia Kaffe AB,25,23.5,22.0,20.5\nZoégas,-,-,3.0,3.2\n",
        "utf-8",
    )
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["market"]
    assert spec["unpivot"]["keep"] == ["Company"]
    assert (spec["timestamp_format"], spec["na_values"]) == ("%Y", ["-"])
    with open_workspace(path) as ws:
        m = ws.to_pandas("market")
    assert len(m) == 10
    assert sorted(m["period"].dt.year.unique().tolist()) == [2018, 2019, 2020, 2021]


def test_euromonitor_sheet_with_title_owner_forecasts_and_total(tmp_path: Path) -> None:
    """An xlsx sheet of 3 title rows, Company, Brand owner, 2018..2021, 2025F, 2026F, a Total
    row and a Source footnote: market from the year columns only (forecasts and the owner kept
    as attributes, named in a note), the Total row left out: 3 companies x 4 years."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Company Shares"
    ws.append(["Coffee in Sweden: Company Shares"])
    ws.append(["% retail value rsp"])
    ws.append([])
    ws.append(["Company", "Brand owner", 2018, 2019, 2020, 2021, "2025F", "2026F"])
    ws.append(["NordicBrew AB", "NordicBrew", 8.0, 10.0, 12.0, 14.0, 22.0, 24.0])
    ws.append(["Gevalia Kaffe AB", "JDE", 25.0, 23.5, 22.0, 20.5, 15.0, 14.0])
    ws.append(["Others", "-", 67.0, 66.5, 66.0, 65.5, 63.0, 62.0])
    ws.append(["Total", "", 100.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    ws.append(["Source: Euromonitor-style export"])
    wb.save(tmp_path / "coffee.xlsx")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["market"]
    assert spec["unpivot"]["columns"] == ["2018", "2019", "2020", "2021"]
    assert spec["where"] == "company <> 'Total'"
    notes = " ".join(plan.guesses[0].notes)
    assert "2025F, 2026F are the source's own forecast" in notes
    with open_workspace(path) as w:
        m = w.to_pandas("market")
    assert len(m) == 12
    got = m[m["company"] == "NordicBrew AB"].sort_values("period")
    assert got["sales"].tolist() == [8.0, 10.0, 12.0, 14.0]
    assert got["period"].dt.year.tolist() == [2018, 2019, 2020, 2021]
