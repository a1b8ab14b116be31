"""The data overview's measures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.overview import (
    coverage,
    coverage_finding,
    days_covered,
    missing_values,
    quality_findings,
    table_overview,
)
from opsai.overview.measures import daily_activity, outliers, recent_change
from opsai.overview.story import activity_finding
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _units_card(change: dict) -> pd.DataFrame:
    """The scorecard's units row from 00's activity evidence ``change`` alone."""
    from types import SimpleNamespace

    from opsai.executive.scorecard import KPIS, kpi_scorecard

    run = SimpleNamespace(
        finding=lambda chapter, name: {"evidence": change} if name == "activity" else None,
        metric=lambda chapter, name, default=None: None,
    )
    return kpi_scorecard(run, kpis=tuple(k for k in KPIS if k.key == "units_28d"))  # type: ignore[arg-type]


def _listens_and_payments(
    tmp_path: Path, days: pd.DatetimeIndex, listened: pd.DatetimeIndex
) -> Path:
    """10 listeners a day on ``listened`` (events) and 2 payers a day on ``days`` (orders)."""
    logs = "".join(f"l{u},{d:%Y-%m-%d}\n" for d in listened for u in range(10))
    pay = "".join(f"p{u},{d:%Y-%m-%d},5\n" for d in days for u in range(2))
    return write_dataset(
        tmp_path,
        {"events.csv": "user_id,timestamp\n" + logs,
         "orders.csv": "user_id,timestamp,amount\n" + pay},
        {"events": {"constants": {"event": "listen"}}, "orders": {}},
    )  # fmt: skip


def test_returns_are_money_back_not_orders_or_active_users(tmp_path: Path) -> None:
    rows = (
        "order_id,user_id,timestamp,amount\n"
        "o1,1,2024-01-01,30\no1,1,2024-01-01,10\no2,2,2024-01-01,5\n"
        "r1,1,2024-01-02,-10\n"
    )
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(cfg) as ws:
        d = daily_activity(ws).set_index("date")
    assert d["orders"].tolist() == [2, 0] and d["active_users"].tolist() == [2, 0]
    assert d["revenue"].tolist() == [45.0, -10.0]
    no_ids = "\n".join(line.split(",", 1)[1] for line in rows.splitlines()) + "\n"
    cfg = write_dataset(tmp_path / "no_ids", {"orders.csv": no_ids}, {"orders": {}})
    with open_workspace(cfg) as ws:
        assert daily_activity(ws)["orders"].tolist() == [3, 0]  # lines, without order ids


def test_an_order_whose_lines_straddle_midnight_counts_once(tmp_path: Path) -> None:
    """byod9a D10: YOOCHOOSE buys, one line per item, a session's lines at 23:59 and 00:01:
    "orders, last 28 days" was 516 where 514 sessions bought, each order counted on every date
    its lines fell on. An order counts on the day of its first line; a guest order too."""
    rows = (
        "order_id,user_id,timestamp,amount\n"
        "o1,1,2024-01-01 23:59,30\no1,1,2024-01-02 00:01,10\no2,,2024-01-01 23:58,5\n"
        "o2,,2024-01-02 00:02,5\no3,2,2024-01-02 10:00,7\nr1,1,2024-01-03 09:00,-10\n"
    )
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(cfg) as ws:
        d = daily_activity(ws).set_index("date")
    assert d["orders"].tolist() == [2, 1, 0] and d["guest_orders"].tolist() == [1, 0, 0]
    assert d["revenue"].tolist() == [35.0, 22.0, -10.0] and d["orders"].sum() == 3


def test_days_covered_is_one_number_for_the_card_and_the_finding(tmp_path: Path) -> None:
    """Users signed up before the first order; orders carry times of day. The span is the
    activity's: sign-ups before the first order do not stretch it (they did, to 10 days)."""
    users = "user_id,signup_at\n1,2024-01-01\n2,2024-01-05\n"
    orders = "user_id,timestamp,amount\n1,2024-01-03 23:00,5\n2,2024-01-10 01:00,6\n"
    cfg = write_dataset(
        tmp_path, {"users.csv": users, "orders.csv": orders}, {"users": {}, "orders": {}}
    )
    with open_workspace(cfg) as ws:
        tables, cover = table_overview(ws), coverage(ws)
    assert tables.set_index("table")["days"].to_dict() == {"users": 5, "orders": 8}
    assert days_covered(tables) == 8
    assert "spanning 2024-01-03 to 2024-01-10 (8 days)" in coverage_finding(tables, cover).text
    assert days_covered(tables[tables["table"] == "users"]) == 5  # sign-ups alone: their span


def test_a_common_price_level_is_not_an_outlier(tmp_path: Path) -> None:
    """Subscription invoices: 9 and 29 plans, a 99 plan on 12% of invoices, one stray 990."""
    amounts = [9.0] * 50 + [29.0] * 38 + [99.0] * 12 + [990.0]
    rows = "user_id,timestamp,amount\n" + "".join(
        f"u{i},2024-01-{1 + i % 28:02d},{a}\n" for i, a in enumerate(amounts)
    )
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(cfg) as ws:
        out = outliers(ws).set_index("column").loc["amount"]
    assert out["high"] == pytest.approx(29.0 + 3 * 20.0)  # 99 and 990 lie beyond the fence
    assert out["outliers"] == 1 and out["max"] == 990.0  # the 12 plan invoices are a level
    assert out["low"] == 0.0  # 9 - 3 x 20 = -51 is no usual range for amounts never below 0


def test_a_column_a_filter_emptied_is_named_as_empty_not_as_the_worst(tmp_path: Path) -> None:
    """Only paid orders are kept; the coupon column is filled for refunded ones alone, so after
    the filter it is empty in every row. It was named the worst missing-value column (100.0%)."""
    rows = (
        "order_id,user_id,timestamp,amount,status,coupon,channel\n"
        "o1,1,2024-01-01,30,paid,,web\no2,2,2024-01-02,10,paid,,\no3,3,2024-01-03,5,paid,,app\n"
        "o4,1,2024-01-04,8,paid,,web\no5,2,2024-01-05,7,refunded,SPRING,web\n"
    )
    spec = {"orders": {"where": "status = 'paid'", "columns": {"coupon": "coupon"}}}
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, spec)
    with open_workspace(cfg) as ws:
        missing = missing_values(ws)
    m = missing.set_index("column")
    assert m.loc["coupon", ["missing", "share", "empty"]].tolist() == [4, 1.0, True]
    assert m.loc["channel", ["missing", "share", "empty"]].tolist() == [1, 0.25, False]
    assert missing["column"].tolist()[-1] == "coupon"  # after the partly missing columns
    empty = pd.DataFrame(columns=["a"])
    found = dict(quality_findings(missing, pd.DataFrame({"duplicates": []}), empty, empty, empty))
    f = found["missing_values"]
    assert f.text.startswith("1 column(s) have missing values; the worst is orders.channel")
    assert "with 1 missing (25.0% of rows)" in f.text
    assert "1 column(s) are empty in every row" in f.text
    assert "orders.coupon (all 4 rows kept by data.tables.orders.where: status = 'paid')" in f.text
    assert "check data.tables.orders.where" in f.text
    assert f.evidence == {"columns": 1, "worst": "orders.channel", "share": 0.25,
                          "empty_columns": ["orders.coupon"]}  # fmt: skip


def test_daily_active_users_are_events_and_purchases(tmp_path: Path) -> None:
    """A startup with orders every day and a few events: active users came from the events
    alone (1.54 a day where orders and events together give 3.89)."""
    orders = (
        "order_id,user_id,timestamp,amount\n"
        "o1,1,2025-10-01 10:00,30\no2,2,2025-10-01 11:00,5\no3,3,2025-10-02 09:00,8\n"
        "r1,4,2025-10-02 12:00,-8\n"
    )
    events = "user_id,timestamp,event\n2,2025-10-01 11:05,view\n5,2025-10-01 12:00,view\n"
    tables = {"orders": {}, "events": {}}
    cfg = write_dataset(tmp_path, {"orders.csv": orders, "events.csv": events}, tables)
    with open_workspace(cfg) as ws:
        d = daily_activity(ws).set_index("date")
    # day 1: buyers 1 and 2, visitor 5 (2 both); day 2: buyer 3 (4's refund is no visit)
    assert d["active_users"].tolist() == [3, 1] and d["orders"].tolist() == [2, 1]


def test_daily_active_users_are_daily_sessions_when_the_ids_are_visits(tmp_path: Path) -> None:
    """byod9a D11, follow-up: on YOOCHOOSE (user_id: the session) 00 said '100 daily active
    users on average' and recorded daily_active_users_28d; the ids are visits
    (:func:`~opsai.data.customers.visit_ids`), so they are daily sessions."""
    days = pd.date_range("2025-01-01", periods=60, freq="D")
    rows = [f"s{k}_{j},s{k}_{j},{d:%Y-%m-%d} 10:0{j},view" for k, d in enumerate(days)
            for j in range(2 + k % 3)]  # fmt: skip
    events = "user_id,session_id,timestamp,event\n" + "\n".join(rows) + "\n"
    cfg = write_dataset(tmp_path, {"events.csv": events}, {"events": {}})
    with open_workspace(cfg) as ws:
        daily = daily_activity(ws)
    assert daily.attrs["visits"] == "sessions"
    change = recent_change(daily)
    assert change["visits"] == "sessions" and change["active_users"] == pytest.approx(
        85 / 28
    )  # 2, 3 or 4 a day
    text = activity_finding(change).text
    assert "3 daily sessions on average" in text and "users" not in text
    assert "visits" not in recent_change(daily_activity_of_users(tmp_path))


def daily_activity_of_users(tmp_path: Path) -> pd.DataFrame:
    """The same days with customers seen again and again: no visits."""
    days = pd.date_range("2025-01-01", periods=60, freq="D")
    rows = [f"u{j},{d:%Y-%m-%d} 10:0{j},view" for d in days for j in range(3)]
    cfg = write_dataset(tmp_path / "users", {"events.csv": "user_id,timestamp,event\n"
                                             + "\n".join(rows) + "\n"}, {"events": {}})  # fmt: skip
    with open_workspace(cfg) as ws:
        return daily_activity(ws)


def test_a_last_day_of_41_seconds_is_left_out(tmp_path: Path) -> None:
    """A game's events end at 00:00:41: that day read as a day of almost no players and
    pulled the 28-day mean down (191 daily active users against 201 over whole days)."""
    from opsai.overview import recent_change
    from opsai.overview.story import activity_finding

    days = pd.date_range("2025-10-01", periods=60, freq="D")
    rows = ["user_id,timestamp,event"]
    for d in days:
        rows += [f"{u},{d + pd.Timedelta(hours=9 + u % 10)},session_start" for u in range(20)]
    rows += ["1,2025-11-30 00:00:41,session_start"]  # the export's last 41 seconds
    cfg = write_dataset(tmp_path, {"events.csv": "\n".join(rows) + "\n"}, {"events": {}})
    with open_workspace(cfg) as ws:
        d = daily_activity(ws)
    assert d["date"].iloc[-1] == pd.Timestamp("2025-11-29") and len(d) == 60
    assert d.attrs["partial_day"] == "2025-11-30 (the data end at 00:00:41)"
    change = recent_change(d)
    assert change["active_users"] == 20.0 and change["active_users_change"] == 0.0
    assert activity_finding(change).text.endswith(
        "The last day, 2025-11-30 (the data end at 00:00:41), is left out: it holds too "
        "little to count."
    )
    # a last day with its usual activity, however early it ends, is kept
    rows[-1] = "\n".join(f"{u},2025-11-30 08:{u:02d},session_start" for u in range(20))
    cfg = write_dataset(tmp_path / "whole", {"events.csv": "\n".join(rows) + "\n"}, {"events": {}})
    with open_workspace(cfg) as ws:
        d = daily_activity(ws)
    assert d["date"].iloc[-1] == pd.Timestamp("2025-11-30") and "partial_day" not in d.attrs


def test_duplicate_rows_advice_warns_they_can_be_real() -> None:
    """A POS line export repeats a dish ordered twice in one bill in the same minute: the
    advice read 'Check the export for double loads; if they are, set drop_duplicates', which
    would drop real sales; it now says identical rows can be real and when to drop them."""
    empty = pd.DataFrame(columns=["a"])
    dup = pd.DataFrame({"table": ["demand"], "duplicates": [109], "share": [0.0033]})
    found = dict(quality_findings(empty, dup, empty, empty, empty))
    f = found["duplicates"]
    assert f.text == (
        "109 row(s) repeat another row exactly; most in demand (109, 0.3%). Identical rows can "
        "be real (the same item bought twice in one order within a minute, on an export without "
        "line numbers); check a few. Only if the export was loaded twice (whole blocks repeat), "
        "set data.tables.demand.drop_duplicates: true to drop them when the data is read."
    )
    assert f.severity == "low"


def test_outliers_say_their_side_and_call_negative_amounts_returns(tmp_path: Path) -> None:
    """UCI Online Retail: cancellation lines are far below the usual range. The finding said
    "max -82.72 vs a usual ceiling of 151.44", comparing a low value with the ceiling."""
    amounts = [10.0 + i % 11 for i in range(96)] + [-120.0, -288.2, -95.5, 700.0]
    rows = "user_id,timestamp,amount\n" + "".join(
        f"u{i},2024-01-{1 + i % 28:02d},{a}\n" for i, a in enumerate(amounts)
    )
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(cfg) as ws:
        table = outliers(ws)
    out = table.set_index("column").loc["amount"]
    assert (out["below"], out["above"], out["min"], out["max"]) == (3, 1, -288.2, 700.0)
    warned = pd.DataFrame(columns=["table", "column", "count", "message", "major"])
    dup = pd.DataFrame(columns=["table", "duplicates", "share"])
    found = dict(quality_findings(pd.DataFrame(), dup, warned, table, pd.DataFrame()))
    assert found["outliers"].text == (
        "4 value(s) lie far outside the usual range (3 IQR); most in orders.amount (3 below the "
        f"usual floor of {out['low']:,.2f} (min -288.20), 1 above the usual ceiling of "
        f"{out['high']:,.2f} (max 700.00): negative values look like returns or cancellations "
        "(see the warning on negative values))."
    )


def test_events_only_sales_are_the_purchase_events_as_chapter_03a_reads_them(
    tmp_path: Path,
) -> None:
    """A GA4-like export, no orders table: 03a reads the purchase events as orders, but the
    overview reported no revenue (revenue_28d None) and so the scorecard had none."""
    days = pd.date_range("2024-05-01", periods=56, freq="D")
    rows = "user_id,timestamp,event,value\n" + "".join(
        f"u{i % 3},{d:%Y-%m-%d} 10:00,page_view,\n"
        f"u{i % 3},{d:%Y-%m-%d} 10:05,purchase,{10.0 if i < 28 else 9.0}\n"
        + (f"u9,{d:%Y-%m-%d} 11:00,purchase,5.5\n" if i >= 50 else "")
        for i, d in enumerate(days)
    )
    cfg = write_dataset(tmp_path, {"events.csv": rows}, {"events": {}})
    with open_workspace(cfg) as ws:
        change = recent_change(daily_activity(ws))
    assert (change["orders"], change["revenue"]) == (34.0, 28 * 9.0 + 6 * 5.5)
    assert change["revenue_change"] == pytest.approx((285.0 - 280.0) / 280.0)
    assert change["sales_event"] == "purchase"
    assert activity_finding(change, currency="EUR").text == (
        "Over the last 28 days (to 2024-06-25) revenue was 285 EUR (+1.8% on the 28 days "
        "before), 34 orders, 1 daily active users on average. No orders table: orders and "
        "revenue are the 62 'purchase' events, each worth its 'value' (as chapter 03a reads "
        "them)."
    )


def test_a_demand_only_company_gets_units_sold_over_the_last_28_days(tmp_path: Path) -> None:
    """byod8 D21: Favorita (store x item daily sales, no orders) got no sales volume on the
    overview or the scorecard. Two stores, two items: 10 + 5 units a day for 28 days, then 9 + 4
    (and a price on one store's rows only: revenue is units x price where priced)."""

    days = pd.date_range("2024-05-01", periods=56, freq="D")
    rows = "date,store,item,units,unit_price\n" + "".join(
        f"{d:%Y-%m-%d},s1,A,{6 if i < 28 else 5},2.0\n{d:%Y-%m-%d},s2,A,4,\n"
        f"{d:%Y-%m-%d},s1,B,{5 if i < 28 else 4},1.0\n"
        for i, d in enumerate(days)
    )
    cols = {"item_id": "item", "timestamp": "date", "quantity": "units", "store": "store"}
    cfg = write_dataset(tmp_path, {"d.csv": rows}, {"demand": {"file": "d.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        change = recent_change(daily_activity(ws))
    assert change["units"] == 28 * 13.0 and change["units_change"] == pytest.approx(-2 / 15)
    assert "revenue" not in change and change["units_from"] == "the demand table"
    f = activity_finding(change, currency="USD")
    assert f.text == (
        "Over the last 28 days (to 2024-06-25) 364 units were sold (-13.3% on the 28 days "
        "before). No orders table: units sold are from the demand table."
    )
    assert f.severity == "medium"
    sc = _units_card(change)
    assert sc[["kpi", "value", "period", "assessment"]].values.tolist() == [
        ["Units sold, last 28 days", 364.0, "last 28 days vs 28 before", "worse"]
    ]
    assert sc["change"].iloc[0] == pytest.approx(-2 / 15)
    priced = write_dataset(
        tmp_path / "p", {"d.csv": rows},
        {"demand": {"file": "d.csv", "columns": cols | {"price": "unit_price"}}},
    )  # fmt: skip
    with open_workspace(priced) as ws:
        change = recent_change(daily_activity(ws))
    # s1 A at 2.0 and s1 B at 1.0; s2's rows have no price (no revenue, still units)
    assert change["revenue"] == 28 * (5 * 2.0 + 4 * 1.0) and change["units"] == 364.0
    assert change["revenue_change"] == pytest.approx(14 / 17 - 1)


def test_a_sales_series_lists_its_best_sellers(tmp_path: Path) -> None:
    """byod9a D21: an M5/Rossmann-style company (demand only, no orders) got no best-seller
    table ('top_items': []). Its items are now ranked by units x price summed over stores
    (an item never priced comes last, its revenue unknown), or by units without a price
    column."""
    from opsai.data import open_workspace
    from opsai.overview import top_items
    from tests.conftest import write_dataset

    rows = ["date,store,sku,units,price"]
    for day in range(1, 11):
        rows += [f"2024-01-{day:02d},S1,A,3,2.0", f"2024-01-{day:02d},S2,A,1,2.0",
                 f"2024-01-{day:02d},S1,B,2,5.0", f"2024-01-{day:02d},S1,C,9,"]  # fmt: skip
    cols = {"timestamp": "date", "store": "store", "item_id": "sku", "quantity": "units",
            "price": "price"}  # fmt: skip
    cfg = write_dataset(tmp_path, {"d.csv": "\n".join(rows) + "\n"},
                        {"demand": {"file": "d.csv", "columns": cols}})  # fmt: skip
    with open_workspace(cfg) as ws:
        top = top_items(ws)
    assert top["item_id"].tolist() == ["B", "A", "C"]  # 100, 80, unknown (C has no price)
    assert top["units"].tolist() == [20, 40, 90]
    assert top["revenue"].tolist()[:2] == [100.0, 80.0] and pd.isna(top["revenue"].iloc[2])
    assert top["share"].round(3).tolist()[:2] == [0.556, 0.444]
    del cols["price"]
    bare = [r.rsplit(",", 1)[0] for r in rows]  # no price column
    cfg = write_dataset(tmp_path / "units", {"d.csv": "\n".join(bare) + "\n"},
                        {"demand": {"file": "d.csv", "columns": cols}})  # fmt: skip
    with open_workspace(cfg) as ws:
        top = top_items(ws)
    assert top["item_id"].tolist() == ["C", "A", "B"] and top["revenue"].isna().all()
    assert top["share"].round(3).tolist() == [0.6, 0.267, 0.133]  # of 150 units


def test_demand_measured_in_money_is_revenue_not_units(tmp_path: Path) -> None:
    """byod9a D3: Rossmann's store turnover (Sales, EUR) could only be mapped as quantity and
    the overview said "4,312,458.0 units were sold". Mapped as demand's amount, it is the
    demand measure (quantity = amount), and the overview and scorecard call it revenue.
    Two stores sell 1,000 + 500 EUR a day for 28 days, then 1,100 + 500."""
    from types import SimpleNamespace

    from opsai.executive.scorecard import KPIS, kpi_scorecard
    from opsai.forecast import build_series

    days = pd.date_range("2024-05-01", periods=56, freq="D")
    rows = "Date,Store,Sales\n" + "".join(
        f"{d:%Y-%m-%d},1,{1000 if i < 28 else 1100}\n{d:%Y-%m-%d},2,500\n"
        for i, d in enumerate(days)
    )
    cols = {"item_id": "Store", "timestamp": "Date", "amount": "Sales"}
    cfg = write_dataset(tmp_path, {"t.csv": rows}, {"demand": {"file": "t.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        assert ws.demand_in_money() and ws.demand_unit() == "USD"  # the config's currency
        change = recent_change(daily_activity(ws))
        hs = build_series(ws, freq="D")
    assert hs.bottom.groupby("item_id")["quantity"].sum().to_dict() == {
        "1": 28 * 2100.0,
        "2": 56 * 500.0,
    }  # the series forecast the money
    assert "units" not in change and change["revenue"] == 28 * 1600.0
    assert change["revenue_change"] == pytest.approx(1600 / 1500 - 1)
    assert activity_finding(change, currency="USD").text == (
        "Over the last 28 days (to 2024-06-25) revenue was 44,800 USD (+6.7% on the 28 days "
        "before). No orders table: revenue is the demand table's amount (sales value; the "
        "table has no units)."
    )
    run = SimpleNamespace(
        finding=lambda chapter, name: {"evidence": change} if name == "activity" else None,
        metric=lambda chapter, name, default=None: {
            "revenue_28d": change["revenue"], "revenue_28d_change": change["revenue_change"]
        }.get(name, default),
    )  # fmt: skip
    keys = ("revenue_28d", "units_28d")
    sc = kpi_scorecard(run, kpis=tuple(k for k in KPIS if k.key in keys))  # type: ignore[arg-type]
    assert sc["kpi"].tolist() == ["Revenue, last 28 days"]  # no "units sold" card
    both = write_dataset(
        tmp_path / "b", {"t.csv": "Date,Store,Sales,Units\n2024-05-01,1,1000,40\n"},
        {"demand": {"file": "t.csv", "columns": cols | {"quantity": "Units"}}},
    )  # fmt: skip
    with open_workspace(both) as ws:  # units and their value: units, and revenue from amount
        assert not ws.demand_in_money() and ws.demand_unit() == "units"
    neither = write_dataset(
        tmp_path / "n", {"t.csv": "Date,Store,Turnover\n2024-05-01,1,1000\n"},
        {"demand": {"file": "t.csv", "columns": {"item_id": "Store", "timestamp": "Date"}}},
    )  # fmt: skip
    from opsai.errors import SchemaError

    with pytest.raises(SchemaError, match=r"or, for sales in money, demand\.columns\.amount"):
        open_workspace(neither)
    odd = write_dataset(
        tmp_path / "o",
        {"t.csv": "Date,Store,Sales\n" + "".join(
            f"2024-05-{d:02d},1,{100 + d % 7}\n" for d in range(1, 31)) + "2024-05-31,1,99999\n"},
        {"demand": {"file": "t.csv", "columns": cols}},
    )  # fmt: skip
    with open_workspace(odd) as ws:  # the amount's outlier once, not again as its quantity copy
        assert outliers(ws)[["column", "outliers"]].values.tolist() == [["amount", 1]]


def test_a_sparse_event_column_is_no_missing_data(tmp_path: Path) -> None:
    """byod9a D6: M5's event_name_1 (13 event names on 3% of days) was the overview's worst
    'missing values' column (96.9%). Here 'event' is set on 4 of 100 days with 2 names; 'note'
    on 40 days (free text); price, a contract column, on 5 days."""
    rows = "item_id,timestamp,quantity,price,event,note\n" + "".join(
        f"a,{d:%Y-%m-%d},3,{'2.5' if k % 20 == 0 else ''},"
        f"{('SuperBowl' if k < 50 else 'Easter') if k % 25 == 0 else ''},"
        f"{f'n{k}' if k % 5 < 2 else ''}\n"
        for k, d in enumerate(pd.date_range("2024-01-01", periods=100))
    )
    cfg = write_dataset(tmp_path, {"d.csv": rows}, {"demand": {"file": "d.csv"}})
    with open_workspace(cfg) as ws:
        missing = missing_values(ws)
    m = missing.set_index("column")
    assert m["sparse"].to_dict() == {"price": False, "event": True, "note": False}
    empty = pd.DataFrame(columns=["a"])
    found = dict(quality_findings(missing, pd.DataFrame({"duplicates": []}), empty, empty, empty))
    f = found["missing_values"]
    assert f.text == (
        "2 column(s) have missing values; the worst is demand.price with 95 missing (95.0% of "
        "rows). demand.event is set on at most 4.0% of rows, repeating a few labels: sparse by "
        "design (event days, holidays, flags), not missing data."
    )
    assert f.evidence["sparse_columns"] == ["demand.event"] and f.evidence["columns"] == 2
    only = dict(quality_findings(missing[missing["column"] == "event"],
                                 pd.DataFrame({"duplicates": []}), empty, empty, empty))  # fmt: skip
    assert only["missing_values"].severity == "info"


def test_daily_active_users_compare_only_days_every_activity_table_covers(
    tmp_path: Path,
) -> None:
    """byod10a D8: KKBox's listening logs end a month before its payments; "daily active
    users" over the union read 65.64 against 293.29 (-77.6%) with nothing changed. 10
    listeners a day and 2 payers a day, logs ending 30 days before the payments: the windows
    end on the logs' last day (12 a day, +0.0%), and the overview names the gap."""
    from opsai.overview import table_ends_finding

    days = pd.date_range("2024-01-01", "2024-04-30", freq="D")
    cfg = _listens_and_payments(tmp_path, days, days[days <= "2024-03-31"])
    with open_workspace(cfg) as ws:
        change = recent_change(daily_activity(ws))
        tables = table_overview(ws)
    assert change["end"] == "2024-04-30" and change["orders"] == 56
    assert change["active_users"] == 12.0 and change["active_users_change"] == 0.0
    assert change["active_users_end"] == "2024-03-31"
    text = activity_finding(change).text
    assert "12 daily active users on average over the 28 days to 2024-03-31" in text
    f = table_ends_finding(tables)
    assert f is not None and f.evidence["days_apart"] == 30
    assert "events end 2024-03-31, 30 days before orders (2024-04-30)" in f.text
    assert table_ends_finding(tables[tables["table"] != "events"]) is None


def test_monthly_totals_compare_the_last_complete_month_and_name_a_partial_one(
    tmp_path: Path,
) -> None:
    """byod10a D16: pharma's salesmonthly.csv (one row per month and item, October 2019
    holding its first 8 days) read "474.2 units were sold (-71.6%, last 28 days vs 28
    before)". Two items, 100 + 60 units a month, September 10% up, October the month so far:
    September is compared with August (+10.0%), October is named and left out."""

    months = pd.date_range("2019-01-01", "2019-10-01", freq="MS")
    units = {m: (100.0, 60.0) for m in months}
    units[months[-2]] = (110.0, 66.0)
    units[months[-1]] = (30.0, 18.0)
    rows = "datum,item,units\n" + "".join(
        f"{m:%Y-%m-%d},A,{a}\n{m:%Y-%m-%d},B,{b}\n" for m, (a, b) in units.items()
    )
    cols = {"item_id": "item", "timestamp": "datum", "quantity": "units"}
    cfg = write_dataset(tmp_path, {"d.csv": rows}, {"demand": {"file": "d.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        change = recent_change(daily_activity(ws))
    assert change["units"] == 176.0 and change["units_change"] == pytest.approx(0.1)
    assert change["end"] == "2019-09" and change["period_before"] == "2019-08"
    assert change["partial_period"]["period"] == "2019-10"
    assert change["partial_period"]["units"] == 48.0
    f = activity_finding(change)
    assert f.text.startswith(
        "The sales are monthly totals, so whole months are compared: in 2019-09, the last "
        "complete month, 176 units (+10.0%) on 2019-08. The last month in the data, 2019-10, "
        "holds 48 units, 27.3% of the month before: most likely the export ended"
    )
    assert f.severity == "info"
    sc = _units_card(change)
    assert sc[["kpi", "value", "period", "assessment"]].values.tolist() == [
        ["Units sold, last complete month", 176.0, "2019-09 vs 2019-08, monthly totals",
         "better"]
    ]  # fmt: skip


def test_demand_is_fenced_per_item_so_a_best_sellers_days_are_no_outliers(tmp_path: Path) -> None:
    """byod10a D12: pharma's N02BE sells ~29 a day, the other items 1-9: a ceiling over all
    items together put 1,638 of N02BE's days "far outside the usual range". Each item has its
    own fences: only the one real spike (a slow item's 60) is counted."""
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    rows = "date,item,units\n" + "".join(
        f"{d:%Y-%m-%d},BEST,{28 + i % 5}\n{d:%Y-%m-%d},SLOW,{60 if i == 30 else 1 + i % 3}\n"
        f"{d:%Y-%m-%d},MID,{5 + i % 4}\n"
        for i, d in enumerate(days)
    )
    cols = {"item_id": "item", "timestamp": "date", "quantity": "units"}
    cfg = write_dataset(tmp_path, {"d.csv": rows}, {"demand": {"file": "d.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        table = outliers(ws)
    out = table.set_index("column").loc["quantity"]
    assert (out["outliers"], out["above"], out["max"]) == (1, 1, 60.0)
    assert (out["item"], out["items"]) == ("SLOW", 1)
    assert (out["low"], out["high"]) == (0.0, 9.0)  # SLOW: quartiles 1 and 3, 3 IQR above
    warned = pd.DataFrame(columns=["table", "column", "count", "message", "major"])
    dup = pd.DataFrame(columns=["table", "duplicates", "share"])
    found = dict(quality_findings(pd.DataFrame(), dup, warned, table, pd.DataFrame()))
    assert found["outliers"].text == (
        "1 value(s) lie far outside the usual range (3 IQR); most in demand.quantity (each "
        "item against its own usual range, 1 item(s) with any, 1 above (item SLOW's ceiling "
        "9.00, max 60.00))."
    )


def test_promotion_days_are_fenced_apart_from_other_days(tmp_path: Path) -> None:
    """byod12a D13: with promo mapped, the retail file's 237 'outliers' were all promotion
    days (the uplift chapter 04 measures, 1.51x). Item A sells 10-13 a day and 40-43 on its
    12 promotion days; B has one real spike of 90 on an ordinary day: only it is counted."""
    rows = "date,item,units,promo\n" + "".join(
        f"{d:%Y-%m-%d},A,{(40 if i % 5 == 0 else 10) + i % 4},{int(i % 5 == 0)}\n"
        f"{d:%Y-%m-%d},B,{90 if i == 33 else 5 + i % 3},0\n"
        for i, d in enumerate(pd.date_range("2024-01-01", periods=60, freq="D"))
    )
    cols = {"item_id": "item", "timestamp": "date", "quantity": "units", "promo": "promo"}
    cfg = write_dataset(tmp_path, {"d.csv": rows}, {"demand": {"file": "d.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        table = outliers(ws)
    out = table.set_index("column").loc["quantity"]
    assert (out["outliers"], out["above"], out["max"], out["item"]) == (1, 1, 90.0, "B")
    warned = pd.DataFrame(columns=["table", "column", "count", "message", "major"])
    dup = pd.DataFrame(columns=["table", "duplicates", "share"])
    found = dict(quality_findings(pd.DataFrame(), dup, warned, table, pd.DataFrame()))
    assert "(each item against its own usual range, promotion days apart, 1 item(s) with any, " in (
        found["outliers"].text
    )


def test_attributes_and_event_properties_are_scanned_and_impossible_ages_named(
    tmp_path: Path,
) -> None:
    """byod10a D9: KKBox's members.bd (mapped as age) holds 860 zeros and 32 of 1051 in
    3,000, user_logs.total_secs 65 values of +/-9.2e15; the overview scanned only contract
    columns and said nothing. A city code (5 values) is no measure: not fenced."""
    ages = [20 + i % 50 for i in range(80)] + [0] * 15 + [1051] * 2
    users = "user_id,age,city\n" + "".join(f"u{i},{a},{1 + i % 5}\n" for i, a in enumerate(ages))
    secs = [100.0 + 2 * i for i in range(100)] + [9.2e15, 9.2e15, -9.2e15]
    events = "user_id,timestamp,event,secs\n" + "".join(
        f"u{i % 97},2024-01-{1 + i % 28:02d},listen,{s}\n" for i, s in enumerate(secs)
    )
    cfg = write_dataset(
        tmp_path, {"users.csv": users, "events.csv": events}, {"users": {}, "events": {}}
    )
    with open_workspace(cfg) as ws:
        table = outliers(ws)
    got = table.set_index("column")
    assert set(got.index) == {"age", "secs"}
    assert (got.loc["age", "impossible"], got.loc["age", "impossible_values"]) == (
        17, {0.0: 15, 1051.0: 2})  # fmt: skip
    assert (got.loc["secs", "outliers"], got.loc["secs", "below"], got.loc["secs", "above"]) == (
        3, 1, 2)  # fmt: skip
    warned = pd.DataFrame(columns=["table", "column", "count", "message", "major"])
    dup = pd.DataFrame(columns=["table", "duplicates", "share"])
    found = dict(quality_findings(pd.DataFrame(), dup, warned, table, pd.DataFrame()))
    assert found["impossible_ages"].text.startswith(
        "17 value(s) of users.age are impossible ages (under 10 or over 110: 15 of 0, 2 of "
        "1,051): placeholders for an unknown age"
    )
    assert found["impossible_ages"].severity == "medium"
    assert found["outliers"].text.startswith(
        "3 value(s) lie far outside the usual range (3 IQR); most in events.secs (1 below "
    )
    assert "(max 9.2e+15))." in found["outliers"].text and "returns" not in found["outliers"].text


def test_a_demand_table_with_stores_is_fenced_per_item_and_store(tmp_path: Path) -> None:
    """byod10a D12, stores: a small store's spike of 60 (it sells 4-6) hides among the big
    store's 100s when an item's days are pooled over its stores."""
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    rows = "date,store,item,units\n" + "".join(
        f"{d:%Y-%m-%d},big,A,{98 + i % 5}\n{d:%Y-%m-%d},small,A,{60 if i == 20 else 4 + i % 3}\n"
        for i, d in enumerate(days)
    )
    cols = {"item_id": "item", "timestamp": "date", "quantity": "units", "store": "store"}
    cfg = write_dataset(tmp_path, {"d.csv": rows}, {"demand": {"file": "d.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        out = outliers(ws).set_index("column").loc["quantity"]
    assert (out["outliers"], out["max"], out["item"], out["high"]) == (1, 60.0, "A", 12.0)


def test_purchases_on_one_weekday_beside_daily_events_stay_days(tmp_path: Path) -> None:
    """Weekly/monthly totals are read from demand or orders only: events are single actions,
    so a shop whose few orders fall on Mondays keeps its last 28 days."""
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    events = "user_id,timestamp,event\n" + "".join(f"u{i % 3},{d:%Y-%m-%d},view\n"
                                                   for i, d in enumerate(days))  # fmt: skip
    orders = "user_id,timestamp,amount\n" + "".join(
        f"u1,{d:%Y-%m-%d},10\n" for d in days if d.day_of_week == 0
    )
    cfg = write_dataset(
        tmp_path, {"events.csv": events, "orders.csv": orders}, {"events": {}, "orders": {}}
    )
    with open_workspace(cfg) as ws:
        change = recent_change(daily_activity(ws))
    assert change["days"] == 28 and "period_unit" not in change and change["orders"] == 4


def test_too_few_days_every_activity_table_covers_compare_no_active_users(
    tmp_path: Path,
) -> None:
    """byod10a D8: events covering only March beside orders to the end of April: the days
    both cover are too few for two 28-day windows, so no daily active users are compared
    (the union would read 2 a day after 12)."""
    days = pd.date_range("2024-01-01", "2024-04-30", freq="D")
    cfg = _listens_and_payments(
        tmp_path, days, days[(days >= "2024-03-01") & (days <= "2024-03-31")]
    )
    with open_workspace(cfg) as ws:
        change = recent_change(daily_activity(ws))
    assert change["active_users"] is None and change["active_users_end"] == "2024-03-31"
    assert change["orders"] == 56
    assert (
        "no daily active users compared (the activity tables cover the same days only to "
        "2024-03-31, too few for two 28-day windows)" in activity_finding(change).text
    )


def test_a_column_the_where_keeps_empty_is_not_reported(tmp_path: Path) -> None:
    """byod10b D15: where 'inbound AND in_response_to_tweet_id IS NULL' keeps the openers of
    threads, so in_response_to_tweet_id is empty in every row by design: it was named "empty
    in every row"; it is now left out, also in a report's copy of the data, whose config has no
    where (the condition is read from its load warning)."""
    from opsai.data.workspace import Workspace

    rows = (
        "tweet_id,inbound,text,in_response_to_tweet_id,coupon\n"
        "1,True,my phone is broken,,\n2,False,we can help,1,\n3,True,my bill is wrong,,\n"
        "4,True,thanks a lot,2,\n"
    )
    spec = {"tickets": {"where": "inbound AND in_response_to_tweet_id IS NULL",
                        "columns": {"ticket_id": "tweet_id"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"tickets.csv": rows}, spec)
    with open_workspace(cfg) as ws:
        found = missing_values(ws).set_index("column")
        assert found.index.tolist() == ["coupon"]
        assert found.loc["coupon", ["missing", "empty"]].tolist() == [2, True]
        copy = ws.config.model_copy(deep=True)
        copy.data.tables["tickets"].where = None  # as build_report's attached config
        attached = Workspace(copy, ws.backend, {"tickets": ws.table("tickets")}, ws.warnings)
        assert attached.where("tickets") == "inbound AND in_response_to_tweet_id IS NULL"
        assert missing_values(attached)["column"].tolist() == ["coupon"]


def test_a_tickets_only_company_gets_tickets_per_day_and_the_last_28_days(tmp_path: Path) -> None:
    """byod11b D20: a call centre's log alone (18,429 dated calls) read "No events or orders
    table: there is no activity over time to show". The tickets opened per day carry the
    overview's activity: 3 a day for 28 days, then 4 (the last day at 23:10 is whole)."""
    days = pd.date_range("2024-05-01", periods=56, freq="D")
    rows = "id,opened,queue\n" + "".join(
        f"t{i}-{k},{d:%Y-%m-%d} {8 + k}:10,billing\n"
        for i, d in enumerate(days)
        for k in range(3 if i < 28 else 4)
    )
    rows += f"late,{days[-1]:%Y-%m-%d} 23:10,billing\n"
    cols = {"ticket_id": "id", "timestamp": "opened", "intent": "queue", "text": "queue"}
    cfg = write_dataset(tmp_path, {"t.csv": rows}, {"tickets": {"file": "t.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        daily = daily_activity(ws)
    assert list(daily.columns) == ["date", "tickets"] and len(daily) == 56
    assert daily["tickets"].sum() == 28 * 3 + 28 * 4 + 1
    change = recent_change(daily)
    assert change["tickets"] == 28 * 4 + 1
    assert change["tickets_change"] == pytest.approx(113 / 84 - 1)
    f = activity_finding(change)
    assert f.text == (
        "Over the last 28 days (to 2024-06-25) 113 support tickets were opened (+34.5% on the "
        "28 days before). Activity is counted from the tickets table (no events, orders or "
        "demand)."
    )


def test_revenue_per_store_with_the_last_28_days(tmp_path: Path) -> None:
    """byod12a D3: a demand table mapping store gave the overview no store figure; Astoria
    (39% of revenue, growing) was named nowhere."""
    from opsai.overview import store_finding, store_summary

    days = pd.date_range("2023-01-01", "2023-03-31")
    rows = []
    for store, (units, late) in {"Astoria": (30, 45), "Hell's Kitchen": (20, 20),
                                 "Lower Manhattan": (20, 15)}.items():  # fmt: skip
        for d in days:
            q = late if d > pd.Timestamp("2023-03-03") else units
            rows.append({"store_location": store, "product_id": "1", "date": d.date(),
                         "qty": q, "unit_price": 2.0})  # fmt: skip
    spec = {"demand": {"columns": {"item_id": "product_id", "timestamp": "date",
                                   "quantity": "qty", "price": "unit_price",
                                   "store": "store_location"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"demand.csv": pd.DataFrame(rows).to_csv(index=False)}, spec)
    with open_workspace(cfg) as ws:
        stores = store_summary(ws)
    assert list(stores["store"]) == ["Astoria", "Hell's Kitchen", "Lower Manhattan"]
    a = stores.iloc[0]
    assert a["revenue"] == 2.0 * (30 * 62 + 45 * 28) and a["units"] == 30 * 62 + 45 * 28
    assert a["recent"] == 2.0 * 45 * 28 and a["recent_change"] == pytest.approx(0.5)
    assert stores.iloc[2]["recent_change"] == pytest.approx(-0.25)
    f = store_finding(stores, currency="USD")
    assert f is not None and f.evidence["fastest"] == "Astoria"
    assert f.text.startswith("3 stores, revenue and share over the data: Astoria 6,240 USD (")
    assert "Astoria grew fastest (+50.0%) and Lower Manhattan fell most (-25.0%)" in f.text
    assert f.severity == "medium"
    with open_workspace(cfg) as ws:  # the overview's end: a thinning tail left out there too
        cut = store_summary(ws, end=pd.Timestamp("2023-03-03"))
    assert cut.attrs["end"] == "2023-03-03" and cut.iloc[0]["recent_change"] == pytest.approx(0)
    spec["demand"]["columns"].pop("store")
    cfg = write_dataset(
        tmp_path / "one", {"demand.csv": pd.DataFrame(rows).to_csv(index=False)}, spec
    )
    with open_workspace(cfg) as ws:
        assert store_summary(ws).empty and store_finding(store_summary(ws)) is None


def test_an_export_thinning_out_at_its_end_is_left_out_of_the_28_days() -> None:
    """byod12a D18: the hotel export's last days read 24, 8, 9 room nights against about 85
    a day (arrivals to 2017-08-31 only), and the overview compared them as a whole month."""
    from opsai.overview.measures import thin_tail

    dates = pd.date_range("2017-05-01", "2017-09-08")
    units = [0.0 if d.day_of_week == 6 else 100.0 for d in dates]  # closed on Sundays
    units[-3:] = [40.0, 8.0, 9.0]
    daily = pd.DataFrame({"date": dates, "units": units})
    tail = thin_tail(daily)
    assert tail is not None
    assert (tail["from"], tail["to"], tail["days"]) == ("2017-09-06", "2017-09-08", 3)
    assert tail["values"] == [40.0, 8.0, 9.0] and tail["usual"] == [100.0] * 3
    kept = daily.iloc[:-3].copy()
    kept.attrs["thin_tail"] = tail  # as daily_activity leaves them out
    change = recent_change(kept)
    assert change["end"] == "2017-09-05" and change["thin_tail"]["days"] == 3
    f = activity_finding(change)
    assert (
        "The last 3 days (2017-09-06 to 2017-09-08) are left out: their units (40, 8, 9) fall "
        "far under the usual for their weekdays (about 100 a day)"
    ) in f.text
    # a closed Sunday at the end, or one low day, is no thinning tail
    closed = pd.DataFrame({"date": dates[:-5], "units": units[:-5]})
    assert closed["date"].iloc[-1].day_of_week == 6 and thin_tail(closed) is None
    one = pd.DataFrame({"date": dates, "units": [*units[:-1], 9.0]})
    one.loc[len(one) - 2, "units"] = 100.0
    assert thin_tail(one) is None


def test_a_fall_after_the_last_signup_is_ageing_cohorts_not_an_unfinished_export() -> None:
    """byod13a D14: Cookie Cats' installs end 2024-04-29 and each player plays 30 days, so its
    last days thin out as complete data; the overview left 11 days out as an export's missing
    rows. With the users' last signup before the tail, the tail stays and the cause is said."""
    from opsai.overview.measures import thin_tail

    dates = pd.date_range("2024-03-01", "2024-05-28")
    orders = [100.0] * (len(dates) - 11) + [33.0, 22, 30, 32, 12, 20, 17, 10, 7, 7, 6]
    daily = pd.DataFrame({"date": dates, "orders": orders, "revenue": orders})
    assert thin_tail(daily) is not None  # without the signups: an export thinning out
    assert thin_tail(daily, signups_end="2024-04-29") is None
    assert thin_tail(daily, signups_end="2024-05-27") is not None  # signups into the tail
    daily.attrs["signups_end"] = {"date": "2024-04-29", "days": 29}
    change = recent_change(daily)
    assert change["end"] == "2024-05-28" and change["signups_end"]["days"] == 29
    f = activity_finding(change)
    assert f.severity == "info"
    assert (
        "No user signed up after 2024-04-29 (the users' signup dates end 29 days before the "
        "activity does): the activity of the last weeks is that of ageing cohorts"
    ) in f.text
    assert "left out" not in f.text
    rising = daily.assign(orders=orders[::-1], revenue=orders[::-1])  # a rise is not explained
    rising.attrs["signups_end"] = {"date": "2024-04-29", "days": 29}
    assert "No user signed up" not in activity_finding(recent_change(rising)).text
