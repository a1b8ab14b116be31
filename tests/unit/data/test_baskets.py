"""Item lines without an order number: a customer's lines at one time are one order."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from opsai import overview as ov
from opsai.data import open_workspace
from opsai.data.customers import guest_share

pytestmark = pytest.mark.unit

# H&M's transactions_train.csv: one row per article bought, no order number.
LINES = (
    "t_dat,customer_id,article_id,price\n"
    "2024-01-01,c1,a1,1.0\n"
    "2024-01-01,c1,a2,2.0\n"
    "2024-01-01,c1,a2,2.0\n"  # the same article twice in one basket
    "2024-01-01,c2,a1,1.0\n"
    "2024-01-02,c1,a3,4.0\n"
    "2024-01-02,,a1,1.0\n"  # guest lines: one order each
    "2024-01-02,,a1,1.0\n"
    "2024-01-03,c2,a1,-1.0\n"  # a return: no order of its own
)
COLS = {"user_id": "customer_id", "timestamp": "t_dat", "item_id": "article_id", "amount": "price"}


def _config(folder: Path, orders: dict[str, object], source: str = ".") -> Path:
    cfg = folder / "opsai.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {"currency": "EUR", "data": {"source": source, "tables": {"orders": orders}}}
        )
    )
    return cfg


def _check(cfg: Path) -> None:
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
        assert len(o) == 8 and o["amount"].sum() == pytest.approx(11.0)  # revenue unchanged
        buy = o[o["amount"] >= 0]
        assert buy["order_id"].nunique() == 5  # c1 day 1, c2 day 1, c1 day 2, two guests
        note = next(w for w in ws.warnings if w.column == "order_id")
        assert "7 item lines read as 5 orders, one per customer and time (1 of them hold " in (
            note.message
        )
        assert "each of the 2 lines without a customer is an order of its own" in note.message
        assert note in ws.load_warnings  # kept in a report's copy of the data
        daily = ov.daily_activity(ws)
        assert daily.attrs["orders_from"].startswith("no order number (data.tables.orders.")
        daily = daily.set_index("date")
        assert daily["orders"].tolist() == [2.0, 3.0, 0.0]
        assert daily["guest_orders"].tolist() == [0.0, 2.0, 0.0]
        assert daily["revenue"].sum() == pytest.approx(11.0)
        dup = ov.duplicate_rows(ws).set_index("table").loc["orders", "duplicates"]
        assert dup == 2  # the repeated article and the repeated guest line, as in the file
        share = guest_share(ws.table("orders"))
        assert (share.orders, share.guest_orders) == (5, 2)


def test_lines_without_order_number_count_one_order_per_customer_and_time(tmp_path: Path) -> None:
    (tmp_path / "transactions.csv").write_text(LINES)
    _check(_config(tmp_path, {"file": "transactions.csv", "columns": COLS}))


def test_the_same_baskets_from_a_database(tmp_path: Path) -> None:
    (tmp_path / "transactions.csv").write_text(LINES)
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute(f"CREATE TABLE tx AS SELECT * FROM read_csv('{tmp_path / 'transactions.csv'}')")
    _check(_config(tmp_path, {"table": "tx", "columns": COLS}, source="shop.duckdb"))


def test_whole_orders_are_left_as_they_are(tmp_path: Path) -> None:
    """Without item_id each row is a whole order (two orders of one day stay two): nothing is
    derived and nothing is said."""
    (tmp_path / "transactions.csv").write_text(LINES)
    whole = {k: v for k, v in COLS.items() if k != "item_id"}
    with open_workspace(_config(tmp_path, {"file": "transactions.csv", "columns": whole})) as ws:
        assert "order_id" not in ws.columns("orders")
        assert not [w for w in ws.warnings if w.column == "order_id"]
        daily = ov.daily_activity(ws)
        assert daily["orders"].tolist() == [4, 3, 0] and "orders_from" not in daily.attrs


def test_the_activity_finding_says_what_an_order_is() -> None:
    change = {"days": 28, "enough_history": True, "end": "2020-09-21", "revenue": 79.89,
              "revenue_change": -0.119, "orders": 1214.0, "active_users": 43.4,
              "orders_from": "no order number (data.tables.orders.columns.order_id is not "
              "mapped): 31,714 item lines read as 13,339 orders, one per customer and time"}  # fmt: skip
    text = ov.activity_finding(change, currency="EUR").text
    assert "1,214 orders" in text
    assert text.endswith(
        " No order number (data.tables.orders.columns.order_id is not mapped): 31,714 item "
        "lines read as 13,339 orders, one per customer and time."
    )
