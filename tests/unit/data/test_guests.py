"""Guest orders: an order's empty ``user_id`` (a walk-in bill, a guest checkout) loads as a
missing customer, from files and databases, without ``drop_incomplete``; totals count it and
the per-customer analyses leave it out, saying so.

A restaurant's payment log whose bills are 70% walk-ins stopped validation on the empty member
card numbers; with ``drop_incomplete`` the report then led with the members' 29% of revenue
as "Revenue, last 28 days"."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from opsai.behavior import rfm
from opsai.behavior.findings import guest_orders
from opsai.data import open_workspace
from opsai.data.customers import all_guests_reason, guest_share, known_customers
from opsai.errors import NothingToAnalyse
from opsai.overview.measures import daily_activity, missing_values, recent_change
from opsai.overview.story import activity_finding, quality_findings
from opsai.recommend.interactions import GUESTS, interactions_from_workspace
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

# b1 and b3 are members' bills (b1 paid in two parts); b2, b4 and b5 are walk-ins; r1 a refund
BILLS = (
    "bill,card,paid_at,total,dish\n"
    "b1,M01,2025-11-01 12:00,30,noodles\nb1,M01,2025-11-01 12:01,10,tea\n"
    "b2,,2025-11-01 13:00,50,duck\nb3,M02,2025-11-02 19:00,20,noodles\n"
    "b4,,2025-11-02 20:00,60,duck\nb5,  ,2025-11-02 21:00,40,tea\n"
)
MAPPING = {
    "order_id": "bill",
    "user_id": "card",
    "timestamp": "paid_at",
    "amount": "total",
    "item_id": "dish",
}


def _pos(tmp_path: Path, bills: str = BILLS) -> Path:
    return write_dataset(
        tmp_path, {"bills.csv": bills}, {"orders": {"file": "bills.csv", "columns": MAPPING}}
    )


def test_walk_in_bills_load_as_guest_orders_and_count_in_revenue(tmp_path: Path) -> None:
    with open_workspace(_pos(tmp_path)) as ws:
        assert not any("dropped" in str(w) for w in ws.warnings)
        o = ws.to_pandas("orders").sort_values(["order_id", "amount"])
        assert o["user_id"].fillna("-").tolist() == ["M01", "M01", "-", "M02", "-", "-"]
        daily = daily_activity(ws).set_index("date")
        share = guest_share(ws.table("orders"))  # in the engine
        known = known_customers(ws.table("orders")).to_pandas()
    assert daily["revenue"].tolist() == [90.0, 120.0]  # every bill, walk-ins included
    assert daily["orders"].tolist() == [2, 3]
    assert daily["active_users"].tolist() == [1, 1]  # members only: M01, then M02
    assert daily["guest_orders"].tolist() == [1, 2]
    assert (share.orders, share.guest_orders, share.known_orders) == (5, 3, 2)
    assert (share.revenue, share.guest_revenue) == (210.0, 150.0)
    assert guest_share(o) == share  # the same from a pandas frame
    assert sorted(known["order_id"]) == ["b1", "b1", "b3"]
    assert known_customers(o)["user_id"].tolist() == ["M01", "M01", "M02"]


def test_per_customer_tables_leave_guests_out_and_say_so(tmp_path: Path) -> None:
    with open_workspace(_pos(tmp_path)) as ws:
        orders = ws.table("orders")
        share = guest_share(orders)
        feats = rfm(known_customers(orders))
    assert sorted(feats.index) == ["M01", "M02"]  # no NULL customer, no made-up id
    assert feats.loc["M01", "monetary"] == 40.0 and feats.loc["M01", "frequency"] == 1
    f = guest_orders(share, currency="CNY")
    assert f is not None and f.name == "guest_orders" and f.severity == "medium"
    assert f.text == (
        "60% of orders are anonymous: 3 of 5 (150 CNY of 210 CNY revenue, 71%) have no "
        "customer id (guest checkout, walk-ins). Segments, retention, churn and lifetime value "
        "cover the 40% with a customer id (2 orders); revenue, order and demand figures count "
        "every order."
    )
    assert f.evidence["guest_order_share"] == pytest.approx(0.6)
    few = share.__class__(orders=100, guest_orders=4, revenue=1000.0, guest_revenue=30.0)
    assert guest_orders(few) is None  # under 5% of orders: nothing to say


def test_overview_names_the_guests_not_a_missing_column(tmp_path: Path) -> None:
    with open_workspace(_pos(tmp_path)) as ws:
        missing = missing_values(ws)
    found = dict(quality_findings(missing, pd.DataFrame({"duplicates": []}), *[missing[:0]] * 3))
    assert found["missing_values"].text == (
        "orders.user_id is empty in 3 row(s) (50.0%): guest orders (walk-ins, guest checkout), "
        "counted in revenue, orders and demand, and left out of the per-customer analyses."
    )
    change = {"days": 1, "enough_history": True, "end": "2025-11-02", "revenue": 120.0,
              "revenue_change": 0.33, "orders": 3.0, "active_users": 1.0, "guest_orders": 2.0}  # fmt: skip
    assert activity_finding(change, currency="CNY").text == (
        "Over the last 1 days (to 2025-11-02) revenue was 120 CNY (+33.0% on the 1 days "
        "before), 3 orders, 1 daily active users on average (customers with an id only: 2 of "
        "the 3 orders, 66.7%, are guest orders without one)."
    )
    assert "guest_orders" not in recent_change(pd.DataFrame({"date": [], "orders": []}), days=1)


def test_a_database_source_reads_empty_and_null_customers_as_guests(tmp_path: Path) -> None:
    """From a database, '' and NULL alike are a guest (never an id '' or 'None')."""
    with duckdb.connect(str(tmp_path / "pos.duckdb")) as con:
        con.execute("CREATE TABLE bills (bill VARCHAR, card VARCHAR, paid_at TIMESTAMP, "
                    "total DOUBLE, dish VARCHAR)")  # fmt: skip
        con.execute(
            "INSERT INTO bills VALUES ('b1', 'M01', '2025-11-01 12:00', 40, 'noodles'), "
            "('b2', '', '2025-11-01 13:00', 50, 'duck'), "
            "('b3', NULL, '2025-11-02 20:00', 60, 'duck'), "
            "('b4', 'M02', '2025-11-02 21:00', 20, 'tea')"
        )
    cfg = tmp_path / "db.yaml"
    cfg.write_text(
        "data: {source: pos.duckdb, tables: {orders: {table: bills, columns: "
        "{order_id: bill, user_id: card, timestamp: paid_at, amount: total, item_id: dish}}}}",
        encoding="utf-8",
    )
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders").sort_values("order_id")
        share = guest_share(ws.table("orders"))
        pairs = interactions_from_workspace(ws)
    assert o["user_id"].fillna("-").tolist() == ["M01", "-", "-", "M02"]
    assert (share.orders, share.guest_orders, share.revenue, share.guest_revenue) == (
        4, 2, 170.0, 110.0
    )  # fmt: skip
    # recommendations: the members' pairs only, no customer 'None' or ''
    assert sorted(zip(pairs["user_id"], pairs["item_id"], strict=True)) == [
        ("M01", "noodles"), ("M02", "tea")
    ]  # fmt: skip
    assert pairs.attrs[GUESTS] == share


def test_every_order_a_guest_skips_the_customer_analyses(tmp_path: Path) -> None:
    bills = (
        "bill,card,paid_at,total,dish\nb1,,2025-11-01 12:00,30,tea\nb2,,2025-11-01 13:00,5,tea\n"
    )
    with open_workspace(_pos(tmp_path, bills)) as ws:
        share = guest_share(ws.table("orders"))
        assert daily_activity(ws)["revenue"].tolist() == [35.0]
        with pytest.raises(NothingToAnalyse) as skipped:
            interactions_from_workspace(ws)
    assert (share.orders, share.known_orders) == (2, 0)
    # 03b in its own words: tastes, not 03a's segments, follow-ups and scores
    assert str(skipped.value) == (
        "recommend: no customer ids to learn tastes from: every order is a guest order (all 2 "
        "have an empty orders.user_id), so no customer's purchases can be told apart; map "
        "data.tables.orders.columns.user_id to a column holding a customer (member, loyalty "
        "card, e-mail) id, or add events with an item_id, to get recommendations"
    )
    assert all_guests_reason(share).startswith(
        "every one of the 2 orders is a guest order (orders.user_id is empty or not mapped), so there are no "
        "customers to segment, follow or score; map data.tables.orders.columns.user_id"
    )


def test_visit_ids_are_the_facts_validation_and_03a_share() -> None:
    """byod9a D11: one test (customers.visit_ids) says the user ids are visits, for
    validation's warning and for 03a's skipped retention, segments, churn and lifetime value;
    its reason gives the share seen on one day only. Customers who come back are not visits."""
    from opsai.data.customers import VisitIds, visit_ids, visits_reason

    days = pd.date_range("2024-01-01", periods=60, freq="D")
    ev = pd.DataFrame({"user_id": [f"s{i}" for i in range(200)],
                       "timestamp": [days[i % 60] for i in range(200)]})  # fmt: skip
    ev.loc[0:1, "user_id"] = "s0"  # one id on two days: 198 of 199 on one day only
    assert visit_ids(ev) == VisitIds(users=199, one_day=198, days=60, same=False)
    assert visits_reason(VisitIds(199, 198, 60, False)) == (
        "the user ids are visits (99.5% of 199 seen on one day only): retention, segments, "
        "churn and lifetime value need a customer id; map data.tables.events.columns.user_id "
        "to one (a member, account or e-mail id)"
    )
    back = ev.assign(user_id=[f"c{i % 150}" for i in range(200)])  # 50 customers come back
    assert visit_ids(back) is None
    same = ev.head(3).assign(session_id=ev["user_id"].head(3))  # each the row's session: visits
    assert visit_ids(same) == VisitIds(users=2, one_day=1, days=3, same=True)


def test_two_customer_ids_over_thousands_of_orders_are_a_flag() -> None:
    """byod12a D20: hotel_bookings' is_repeated_guest (0/1) mapped as orders.user_id made 03a
    segment two "customers" and fail (Segmenter: 2 rows are too few); 03a now skips the
    per-customer sections with this reason."""
    import ibis

    from opsai.data.customers import few_ids

    flag = pd.DataFrame({"order_id": range(500), "user_id": ["0", "1"] * 250})
    reason = few_ids(ibis.memtable(flag))
    assert reason.startswith(
        "orders.user_id holds 2 distinct values (0, 1) over 500 orders: a flag or a code"
    )
    real = pd.DataFrame({"order_id": range(500), "user_id": [f"c{i % 120}" for i in range(500)]})
    assert few_ids(ibis.memtable(real)) == ""
    three = pd.DataFrame({"order_id": range(90), "user_id": ["a", "b", "c"] * 30})
    assert few_ids(ibis.memtable(three)) == ""  # 30 orders each: a small shop's customers


def test_validation_warns_of_a_flag_mapped_as_the_customer(tmp_path: Path) -> None:
    """byod12a D20: is_repeated_guest (0/1) mapped as orders.user_id over thousands of
    bookings loaded without a word; validation now says it is a flag, not a customer id."""
    n = 1500
    pd.DataFrame(
        {
            "is_repeated_guest": [int(i % 10 == 0) for i in range(n)],
            "day": pd.date_range("2024-01-01", periods=n, freq="h").strftime("%Y-%m-%d"),
            "adr": [100.0] * n,
        }
    ).to_csv(tmp_path / "bookings.csv", index=False)
    cols = {"user_id": "is_repeated_guest", "timestamp": "day", "amount": "adr"}
    cfg = {
        "data": {
            "source": str(tmp_path),
            "tables": {"orders": {"file": "bookings.csv", "columns": cols}},
        }
    }
    (tmp_path / "opsai.yaml").write_text(__import__("yaml").safe_dump(cfg))
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        (w,) = [w for w in ws.warnings if w.column == "user_id"]
    assert w.major and w.count == n
    assert str(w).startswith(
        "orders.user_id: user_id holds 2 distinct values (0, 1) over 1,500 orders: a flag or a code"
    )
