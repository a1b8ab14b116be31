"""Orders without any customer column (a till or marketplace payout export): ``user_id`` need
not be mapped; every order is a guest order, the column loads all-missing, validation says so
once, and the per-customer chapters are skipped with that reason before they run.

Before, such an export stopped validation with "orders: required column 'user_id' not found"
and ``opsai init`` placed nothing ("fits no table")."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.customers import guest_share
from opsai.data.init import init_config
from opsai.data.schema import NO_CUSTOMER_COLUMN
from opsai.errors import SchemaError
from opsai.overview.measures import daily_activity, missing_values
from opsai.overview.story import activity_finding
from opsai.report import runner
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

BILLS = (
    "bill,paid_at,total,dish\n"
    "b1,2025-11-01 12:00,30,noodles\nb1,2025-11-01 12:01,10,tea\n"
    "b2,2025-11-01 13:00,50,duck\nb3,2025-11-02 19:00,20,noodles\n"
)
MAPPING = {"order_id": "bill", "timestamp": "paid_at", "amount": "total", "item_id": "dish"}


def _check(ws: object) -> None:
    from opsai.data.workspace import Workspace

    assert isinstance(ws, Workspace)
    said = [str(w) for w in ws.warnings if w.column == "user_id"]
    assert said == [f"orders.user_id: {NO_CUSTOMER_COLUMN}"]  # once, in plain words
    assert NO_CUSTOMER_COLUMN == (
        "orders has no customer id column: every order is a guest order; segments, churn, "
        "lifetime value and recommendations from orders need customer ids (03a and 03b still "
        "use events, if there are any)"
    )
    assert ws.absent == {"orders.user_id": NO_CUSTOMER_COLUMN}
    assert ws.table("orders")["user_id"].type().is_string()  # the id type, all missing
    o = ws.to_pandas("orders").sort_values(["order_id", "amount"])
    assert o["user_id"].isna().all() and len(o) == 4
    share = guest_share(ws.table("orders"))
    assert (share.orders, share.guest_orders, share.revenue, share.guest_revenue) == (
        3, 3, 110.0, 110.0
    )  # fmt: skip
    daily = daily_activity(ws).set_index("date")
    assert daily["revenue"].tolist() == [90.0, 20.0]  # revenue and orders count every bill
    assert daily["orders"].tolist() == [2, 1]
    # the overview names no 100%-empty user_id: the column is not there (validation said so)
    assert missing_values(ws)["column"].tolist() == []
    change = {"days": 1, "enough_history": True, "end": "2025-11-02", "revenue": 20.0,
              "revenue_change": -0.78, "orders": 1.0, "active_users": 0.0, "guest_orders": 1.0}  # fmt: skip
    assert activity_finding(change, currency="CNY").text == (
        "Over the last 1 days (to 2025-11-02) revenue was 20 CNY (-78.0% on the 1 days before), "
        "1 orders, every one a guest order (no customer ids, so no daily active users)."
    )
    events = change | {"active_users": 3.0}  # events name their users: those are counted
    assert "3 daily active users on average (customers with an id only: 1 of the 1 orders" in (
        activity_finding(events, currency="CNY").text
    )


def test_files_without_a_customer_column_load_every_order_as_a_guest(tmp_path: Path) -> None:
    cfg = write_dataset(
        tmp_path, {"bills.csv": BILLS}, {"orders": {"file": "bills.csv", "columns": MAPPING}}
    )
    with open_workspace(cfg) as ws:
        _check(ws)


def test_a_database_table_without_a_customer_column(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "pos.duckdb")) as con:
        con.execute(
            "CREATE TABLE bills (bill VARCHAR, paid_at TIMESTAMP, total DOUBLE, dish VARCHAR)"
        )
        con.execute(
            "INSERT INTO bills VALUES ('b1', '2025-11-01 12:00', 30, 'noodles'), "
            "('b1', '2025-11-01 12:01', 10, 'tea'), ('b2', '2025-11-01 13:00', 50, 'duck'), "
            "('b3', '2025-11-02 19:00', 20, 'noodles')"
        )
    cfg = tmp_path / "db.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "data": {
                    "source": "pos.duckdb",
                    "tables": {"orders": {"table": "bills", "columns": MAPPING}},
                }
            }
        ),
        encoding="utf-8",
    )
    with open_workspace(cfg) as ws:
        _check(ws)


def test_events_still_need_their_user_id(tmp_path: Path) -> None:
    """Only orders may lack the customer column: an event without a user is no event."""
    cfg = write_dataset(
        tmp_path,
        {"e.csv": "timestamp,event\n2025-11-01,view\n"},
        {"events": {"file": "e.csv"}},
    )
    with pytest.raises(SchemaError, match="events: required column 'user_id' not found"):
        open_workspace(cfg)


def test_the_customer_chapters_are_skipped_before_running(tmp_path: Path) -> None:
    chapters = {c.stem: c for c in runner.discover(["03a_user_behavior", "03b_recommendation"])}
    absent = {"orders.user_id": NO_CUSTOMER_COLUMN}
    a, b = chapters["03a_user_behavior"], chapters["03b_recommendation"]
    assert a.missing(["orders"], absent) == ["orders.user_id|events.timestamp|users.churned"]
    assert b.missing(["orders"], absent) == ["events|orders.user_id"]
    assert a.missing(["orders", "events"], absent) == []  # events give 03a's funnel
    assert a.missing(["orders"]) == []  # a customer column: ready
    runs = runner.run_chapters(
        list(chapters.values()),
        tmp_path,
        present=["orders"],
        absent=absent,
        parameters=lambda c: {},
        timeout=lambda c: 1.0,
    )
    assert [(r.state, r.reason) for r in runs] == [("skipped", NO_CUSTOMER_COLUMN)] * 2
    none = runner.run_chapters(
        [a], tmp_path, present=[], parameters=lambda c: {}, timeout=lambda c: 1.0
    )
    assert none[0].reason == "needs table orders or events or users, absent from the data"


def test_init_places_a_till_export_without_customers_as_orders(tmp_path: Path) -> None:
    """A POS payment log without its member-card column (结账单号/原单号/结账时间/支付方式/实收金额)
    fitted no table; now it is orders, with a note that every order is a guest order."""
    pays = (
        "结账单号,原单号,结账时间,支付方式,实收金额\n"
        "B001-1,B001,2025/08/01 12:30,微信支付,20\nB001-2,B001,2025/08/01 12:31,现金,24\n"
        "B002-1,B002,2025/08/01 13:00,支付宝,38\n"
    )  # fmt: skip
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "结账流水.csv").write_text(pays, encoding="gbk")
    path, plan = init_config(tmp_path / "raw")
    assert not plan.unplaced
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["orders"]
    assert spec["columns"] == {"timestamp": "结账时间", "amount": "实收金额", "order_id": "原单号"}
    assert (
        "# no customer id column: every order is a guest order (counted in revenue, orders "
        "and demand); segments, churn, lifetime value and recommendations need customer ids"
    ) in path.read_text("utf-8")
    with open_workspace(path) as ws:
        o = ws.to_pandas("orders")
        assert ws.absent == {"orders.user_id": NO_CUSTOMER_COLUMN}
    assert o["user_id"].isna().all()
    assert sorted(o["amount"]) == [20.0, 24.0, 38.0]
    assert isinstance(o, pd.DataFrame)


def test_a_customer_column_left_unmapped_is_still_an_error(tmp_path: Path) -> None:
    """Only data without one is all guests: an unmapped column that looks like a customer id
    (by its name, or close to 'user_id') still stops validation, naming it."""
    cfg = write_dataset(
        tmp_path,
        {"bills.csv": "bill,Kundennummer,paid_at,total\nb1,K7,2025-11-01 12:00,30\n"},
        {
            "orders": {
                "file": "bills.csv",
                "columns": {k: MAPPING[k] for k in MAPPING if k != "item_id"},
            }
        },
    )
    with pytest.raises(
        SchemaError, match=r"required column 'user_id' not found .*did you mean 'Kundennummer'"
    ):
        open_workspace(cfg)
    for name in ("User_ID", "customer id"):
        cfg.with_name("bills.csv").write_text(f"bill,{name},paid_at,total\nb1,K7,2025-11-01,30\n")
        with pytest.raises(SchemaError, match=f"did you mean '{name}'"):
            open_workspace(cfg)
    # an order_id under its own name is no customer id (difflib calls it close to user_id)
    cfg.with_name("bills.csv").write_text("order_id,paid_at,total\nb1,2025-11-01,30\n")
    orders = {"file": "bills.csv", "columns": {"timestamp": "paid_at", "amount": "total"}}
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"orders": orders}}}))
    with open_workspace(cfg) as ws:
        assert ws.absent == {"orders.user_id": NO_CUSTOMER_COLUMN}
