"""Excel workbooks are read like their CSV export: one sheet per table, typed cells as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)


ORDERS = [
    ["Order export, Q1 2024"],  # a title line above the table, as many tools write
    [],
    ["Customer", "Date", "Total", "Qty", "Note"],
    ["007", dt.datetime(2024, 1, 3, 23, 30), 12.5, 1, None],
    [17850, dt.datetime(2024, 1, 4, 0, 0), 30, 2.0, "gift"],
    [17851, dt.datetime(2024, 2, 1, 9, 15), -7.25, 1, None],
]
USERS = [["user_id", "joined", "Region"], ["007", dt.date(2023, 12, 31), "north"],
         [17850, dt.date(2024, 1, 1), "south"], [17851, dt.date(2024, 1, 2), None]]  # fmt: skip


def _shop(folder: Path, **orders: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    _workbook(folder / "shop.xlsx", {"Users": USERS, "orders": ORDERS, "notes": [["x"], [1]]})
    cols = {"user_id": "Customer", "timestamp": "Date", "amount": "Total", "quantity": "Qty"}
    spec = {"file": "shop.xlsx", "columns": cols, "skip_rows": 2} | orders
    users = {"file": "shop.xlsx", "columns": {"signup_at": "joined"}}
    return write_dataset(folder, {}, {"users": users, "orders": spec})


def test_one_workbook_holds_every_table(tmp_path: Path) -> None:
    """Each table reads the sheet named like it (any letter case); whole-number cells lose
    their '.0' so ids match across sheets; datetimes, dates and money keep their values."""
    with open_workspace(_shop(tmp_path)) as ws:
        orders = ws.to_pandas("orders")
        users = ws.to_pandas("users")
        assert [w.column for w in ws.warnings] == ["amount"]  # the refund; no orphan ids
    assert orders["user_id"].tolist() == ["007", "17850", "17851"]
    assert orders["timestamp"].tolist() == [pd.Timestamp("2024-01-03 23:30"),
        pd.Timestamp("2024-01-04"), pd.Timestamp("2024-02-01 09:15")]  # fmt: skip
    assert orders["amount"].tolist() == [12.5, 30.0, -7.25]
    assert orders["quantity"].tolist() == [1, 2, 1]
    assert orders["Note"].tolist()[1] == "gift" and orders["Note"].isna().sum() == 2
    assert users["signup_at"].tolist() == [pd.Timestamp(d) for d in
        ("2023-12-31", "2024-01-01", "2024-01-02")]  # fmt: skip
    assert users["Region"].tolist()[:2] == ["north", "south"]


def test_timezone_moves_times_but_keeps_dates(tmp_path: Path) -> None:
    """With a zone, a date cell keeps its calendar day (as date-only CSV text does); a column
    holding times converts every value, midnight included, to UTC."""
    cfg = _shop(tmp_path, timezone="Asia/Shanghai")
    with open_workspace(cfg) as ws:
        ts = ws.to_pandas("orders")["timestamp"].tolist()
    assert ts == [pd.Timestamp("2024-01-03 15:30"), pd.Timestamp("2024-01-03 16:00"),
                  pd.Timestamp("2024-02-01 01:15")]  # fmt: skip


def test_csv_and_workbook_of_the_same_rows_load_the_same(tmp_path: Path) -> None:
    rows = [["user_id", "timestamp", "amount"], ["001", dt.datetime(2024, 1, 3, 10), 12.5],
            ["002", dt.datetime(2024, 1, 10, 18), 1234.5]]  # fmt: skip
    _workbook(tmp_path / "orders.xlsx", {"Sheet1": rows})
    text = (
        "user_id,timestamp,amount\n001,2024-01-03 10:00:00,12.5\n002,2024-01-10 18:00:00,1234.5\n"
    )
    (tmp_path / "csv").mkdir()
    by_csv = write_dataset(tmp_path / "csv", {"orders.csv": text}, {"orders": {}})
    by_xlsx = write_dataset(tmp_path, {}, {"orders": {}})  # found as orders.xlsx
    with open_workspace(by_csv) as a, open_workspace(by_xlsx) as b:
        pd.testing.assert_frame_equal(a.to_pandas("orders"), b.to_pandas("orders"))


def test_sheet_by_name_or_position_and_globbed_files(tmp_path: Path) -> None:
    head = ["user_id", "timestamp", "amount"]
    for m in (1, 2):
        _workbook(tmp_path / f"orders_2024-0{m}.xlsx", {"Summary": [["total"], [9]],
                  "Lines": [head, [f"u{m}", dt.datetime(2024, m, 5), 10.0 * m]]})  # fmt: skip
    for sheet in ("Lines", 1):
        cfg = write_dataset(tmp_path, {}, {"orders": {"file": "orders_*.xlsx", "sheet": sheet}})
        with open_workspace(cfg) as ws:
            assert ws.to_pandas("orders")["amount"].tolist() == [10.0, 20.0]


def test_workbook_errors_name_the_sheet_and_the_fix(tmp_path: Path) -> None:
    _workbook(tmp_path / "book.xlsx", {"A": [["x"], [1]], "B": [["y"], [2]]})
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    cases = [
        ({}, r"orders: book\.xlsx has 2 sheets \('A', 'B'\) and none is named 'orders'\. "
             r"Name the one to read in config: data\.tables\.orders\.sheet"),
        ({"sheet": "Orders"}, r"book\.xlsx has no sheet 'Orders' \(it has 'A', 'B'\)"),
        ({"sheet": 5}, r"has 2 sheet\(s\) \('A', 'B'\), so there is no sheet 5 \(0 is the first\)"),
        ({"sheet": "A", "skip_rows": 9}, r"sheet 'A' of book\.xlsx has no rows after skipping 9"),
        ({"file": "broken.xlsx"}, r"orders: cannot read broken\.xlsx as a workbook: .+ save it "
                                  r"again as \.xlsx"),
    ]  # fmt: skip
    for extra, message in cases:
        spec = {"file": "book.xlsx"} | extra
        cfg = write_dataset(tmp_path, {}, {"orders": spec})
        with pytest.raises(SchemaError, match=message):
            open_workspace(cfg)


def test_a_title_above_the_header_points_to_skip_rows(tmp_path: Path) -> None:
    """Without skip_rows the title is read as the header; the error says which key fixes it,
    for a workbook and for a CSV file alike."""
    cfg = _shop(tmp_path, skip_rows=0)
    with pytest.raises(SchemaError, match=r"the first line looks like a title above the table"
                       r".+data\.tables\.orders\.skip_rows"):  # fmt: skip
        open_workspace(cfg)
    text = "Order export\nuser_id,timestamp,amount\n1,2024-01-01,5\n2,2024-01-02,6\n"
    csv = write_dataset(tmp_path / "c", {"orders.csv": text}, {"orders": {}})
    with pytest.raises(SchemaError, match=r"orders: .*skip_rows"):
        open_workspace(csv)
    fixed = write_dataset(tmp_path / "c", {"orders.csv": text}, {"orders": {"skip_rows": 1}})
    with open_workspace(fixed) as ws:
        assert ws.to_pandas("orders")["amount"].tolist() == [5.0, 6.0]
