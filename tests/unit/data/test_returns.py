"""A returns/refunds table: appended to orders as negative lines, netted everywhere."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai import overview as ov
from opsai.data import open_workspace
from opsai.data.init import init_config
from opsai.errors import SchemaError

pytestmark = pytest.mark.unit

ORDERS = (
    "order_ref,customer,placed_at,sku,qty,unit_price\n"
    "A1,c1,2024-01-05 10:00:00,TEE,2,20.0\n"
    "A1,c1,2024-01-05 10:00:00,MUG,1,10.0\n"
    "A2,c2,2024-01-06 11:00:00,TEE,1,20.0\n"
    "A3,c3,2024-01-07 12:00:00,CAP,3,5.0\n"
)
RETURNS = (
    "return_id,order_ref,sku,returned_qty,refund_amount,returned_on\n"
    "R1,A1,TEE,1,20.0,2024-01-06\n"  # full refund of one tee
    "R2,A2,,1,8.0,\n"  # partial refund, no item (the order's only one), no date
    "R3,ZZ9,MUG,1,10.0,2024-01-12\n"  # an order not in orders: left out
)
ORDER_COLS = {
    "order_id": "order_ref",
    "user_id": "customer",
    "timestamp": "placed_at",
    "item_id": "sku",
    "quantity": "qty",
    "price": "unit_price",
}
RETURN_COLS = {
    "order_id": "order_ref",
    "item_id": "sku",
    "quantity": "returned_qty",
    "amount": "refund_amount",
    "timestamp": "returned_on",
}


def _config(folder: Path, tables: dict[str, object], source: str = ".") -> Path:
    cfg = folder / "opsai.yaml"
    cfg.write_text(
        yaml.safe_dump({"currency": "EUR", "data": {"source": source, "tables": tables}})
    )
    return cfg


def _files(folder: Path) -> Path:
    (folder / "order_lines.csv").write_text(ORDERS)
    (folder / "returns.csv").write_text(RETURNS)
    return _config(
        folder,
        {
            "orders": {"file": "order_lines.csv", "columns": ORDER_COLS},
            "returns": {"file": "returns.csv", "columns": RETURN_COLS},
        },
    )


def _check_netted(cfg: Path) -> None:
    with open_workspace(cfg) as ws:
        assert ws.present == ("orders",)  # merged into orders, no table of its own
        o = ws.to_pandas("orders").sort_values(["amount", "order_id"], ignore_index=True)
        neg = o[o["amount"] < 0].reset_index(drop=True)
        assert neg["order_id"].tolist() == ["A1", "A2"]
        assert neg["amount"].tolist() == [-20.0, -8.0]
        assert neg["user_id"].tolist() == ["c1", "c2"]  # the order's customer
        assert neg["item_id"].tolist() == ["TEE", "TEE"]  # A2 holds only TEE
        assert neg["quantity"].tolist() == [-1.0, -1.0]
        assert neg["price"].tolist() == [20.0, 20.0]  # the order line's unit price
        assert neg["timestamp"].tolist() == [
            pd.Timestamp("2024-01-06"),
            pd.Timestamp("2024-01-06 11:00:00"),  # no date: the order's time
        ]
        assert o["amount"].sum() == pytest.approx(85.0 - 28.0)
        texts = [str(w) for w in ws.warnings]
        lost = next(w for w in ws.warnings if w.table == "returns" and w.column == "order_id")
        assert lost.count == 1 and "1 of 3 refund(s) (10.00 of 38.00)" in lost.message
        assert "'ZZ9'" in lost.message
        assert any("2 refund(s) (28.00) appended to orders" in t for t in texts)
        s = ov.returns_summary(ws)
        assert (s["gross"], s["refunds"], s["net"]) == (85.0, 28.0, 57.0)
        assert (s["units_sold"], s["units_returned"]) == (7.0, 2.0)
        top = ov.top_items(ws)
        assert top.set_index("item_id")["revenue"].to_dict() == {
            "TEE": 32.0,
            "CAP": 15.0,
            "MUG": 10.0,
        }


def test_refunds_become_negative_order_lines_from_files(tmp_path: Path) -> None:
    _check_netted(_files(tmp_path))


def test_refunds_become_negative_order_lines_from_a_database(tmp_path: Path) -> None:
    """A DuckDB source: the same lines as from files (the merge runs after either loader)."""
    import duckdb

    _files(tmp_path)
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        for name, file in (("lines", "order_lines.csv"), ("refunds", "returns.csv")):
            con.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv('{tmp_path / file}', all_varchar = true)"
            )
    cfg = _config(
        tmp_path,
        {
            "orders": {"table": "lines", "columns": ORDER_COLS},
            "returns": {"table": "refunds", "columns": RETURN_COLS},
        },
        source="shop.duckdb",
    )
    _check_netted(cfg)


def test_returns_without_orders_is_an_error_naming_the_fix(tmp_path: Path) -> None:
    (tmp_path / "returns.csv").write_text(RETURNS)
    cfg = _config(tmp_path, {"returns": {"file": "returns.csv", "columns": RETURN_COLS}})
    with pytest.raises(SchemaError, match=r"returns: .*no orders table. Add data.tables.orders"):
        open_workspace(cfg)


def test_an_item_returned_far_more_often_stands_out(tmp_path: Path) -> None:
    """40 of 50 XS dresses back against about 5% of everything else: the binomial test
    (Bonferroni over the items tested) flags the dress only."""
    lines, refunds = ["order_ref,customer,placed_at,sku,qty,unit_price"], []
    refunds.append("order_ref,sku,returned_qty,refund_amount")
    for i in range(400):
        sku = "DRS-XS" if i < 50 else f"TEE-{(i // 20) % 5}"
        lines.append(f"O{i},c{i % 40},2024-01-{1 + i % 28:02d} 10:00:00,{sku},1,10.0")
        if (i < 40) or (i >= 50 and i % 20 == 0):
            refunds.append(f"O{i},{sku},1,10.0")
    (tmp_path / "order_lines.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "returns.csv").write_text("\n".join(refunds) + "\n")
    cfg = _config(
        tmp_path,
        {
            "orders": {"file": "order_lines.csv", "columns": ORDER_COLS},
            "returns": {
                "file": "returns.csv",
                "columns": {k: v for k, v in RETURN_COLS.items() if k != "timestamp"},
            },
        },
    )
    with open_workspace(cfg) as ws:
        rates = ov.return_rates(ws)
        summary = ov.returns_summary(ws)
    assert rates.attrs["overall_rate"] == pytest.approx(57 / 400)
    flagged = rates[rates["stands_out"]]
    assert flagged["item_id"].tolist() == ["DRS-XS"]
    assert flagged["rate"].iloc[0] == pytest.approx(0.8)
    assert summary["refund_share"] == pytest.approx(570 / 4000)
    found = dict(ov.returns_findings(summary, rates, currency="EUR"))
    assert "refunds 570 EUR (14.2% of gross)" in found["returns"].text
    assert "net revenue 3,430 EUR" in found["returns"].text
    assert found["return_rates"].text.startswith("1 item(s) are returned far more often")
    assert "DRS-XS 80.0% of 50" in found["return_rates"].text


def test_no_refunds_no_returns_finding(small_config: Path) -> None:
    with open_workspace(small_config) as ws:
        assert ov.returns_summary(ws) == {}
        assert ov.returns_findings({}, ov.return_rates(ws)) == []


def test_init_places_a_refunds_file_as_returns(tmp_path: Path) -> None:
    """returns.csv with refund_amount is returns (it "looked like demand" before), beside the
    orders; a file of order ids and money not named as refunds is not."""
    orders = ORDERS.replace("order_ref,customer,", "order_no,customer_id,")
    (tmp_path / "orders.csv").write_text(orders)
    (tmp_path / "returns.csv").write_text(RETURNS)
    path, _ = init_config(tmp_path)
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert tables["returns"]["file"] == "returns.csv"
    assert tables["returns"]["columns"]["order_id"] == "order_ref"
    assert tables["returns"]["columns"]["amount"] == "refund_amount"
    assert "demand" not in tables
    with open_workspace(path) as ws:
        assert ov.returns_summary(ws)["refunds"] == 28.0


def test_init_leaves_returns_out_without_orders_to_match(tmp_path: Path) -> None:
    """Without orders holding an order_id the refunds cannot be netted: init names the file
    and the fix instead of writing a config that does not validate."""
    (tmp_path / "orders.csv").write_text(ORDERS.replace("order_ref,customer,", "ref,customer_id,"))
    (tmp_path / "returns.csv").write_text(RETURNS)
    path, plan = init_config(tmp_path)
    assert "returns" not in yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    note = dict(plan.unplaced)["returns.csv"]
    assert note.startswith("looks like returns (refunds), which are matched to orders by order_id")


def test_refunds_after_the_last_order_are_left_out_and_refunds_keep_their_orders_attributes(
    tmp_path: Path,
) -> None:
    """A fashion shop's returns export ran 24 days past its orders export: its 71 late refunds
    moved the data's end, and the 28-day headline read 9,470 EUR, -91% (truth, to the last
    sale: 103,021 EUR, -3%). Refund lines also had empty attributes (300 'missing' Order
    Status values); they now carry their order's."""
    orders = ORDERS.replace("unit_price\n", "unit_price,channel\n", 1)
    lines = orders.splitlines()
    orders = "\n".join([lines[0]] + [f"{x},{'web' if 'c1' in x else 'app'}" for x in lines[1:]])
    (tmp_path / "order_lines.csv").write_text(orders + "\n")
    late = RETURNS + "R4,A3,CAP,1,5.0,2024-01-20\n"  # 13 days after the last order
    (tmp_path / "returns.csv").write_text(late)
    cfg = _config(
        tmp_path,
        {
            "orders": {"file": "order_lines.csv", "columns": ORDER_COLS},
            "returns": {"file": "returns.csv", "columns": RETURN_COLS},
        },
    )
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
        neg = o[o["amount"] < 0].sort_values("order_id")
        assert neg["order_id"].tolist() == ["A1", "A2"]  # A3's late refund left out
        assert o["timestamp"].max() == pd.Timestamp("2024-01-07 12:00:00")
        assert neg["channel"].tolist() == ["web", "app"]  # the order's attribute
        w = next(w for w in ws.warnings if w.table == "returns" and w.column == "timestamp")
        assert w.count == 1
        assert w.message.startswith(
            "1 refund(s) (5.00) are dated after the last order (2024-01-07 12:00): left out"
        )
        assert any("2 refund(s) (28.00) appended to orders" in str(x) for x in ws.warnings)


def test_a_returns_flag_sheet_returns_whole_orders(tmp_path: Path) -> None:
    """Superstore's Returns sheet (Order ID, Returned = Yes) has no amount: each listed order
    is returned in full, its lines refunded at the order's date; an order listed twice is
    refunded once."""
    (tmp_path / "order_lines.csv").write_text(ORDERS)
    (tmp_path / "returns.csv").write_text("Returned,order_ref\nYes,A1\nYes,A1\nYes,ZZ9\nNo,A3\n")
    cfg = _config(
        tmp_path,
        {
            "orders": {"file": "order_lines.csv", "columns": ORDER_COLS},
            "returns": {
                "file": "returns.csv",
                "where": "Returned = 'Yes'",
                "columns": {"order_id": "order_ref"},
            },
        },
    )
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
        neg = o[o["amount"] < 0].sort_values("amount", ignore_index=True)
        assert neg["order_id"].tolist() == ["A1", "A1"]
        assert neg["item_id"].tolist() == ["TEE", "MUG"]
        assert neg["amount"].tolist() == [-40.0, -10.0]
        assert neg["quantity"].tolist() == [-2.0, -1.0]
        assert neg["user_id"].tolist() == ["c1", "c1"]
        assert set(neg["timestamp"]) == {pd.Timestamp("2024-01-05 10:00:00")}
        note = next(w for w in ws.warnings if w.table == "returns" and w.column == "amount")
        assert "1 order(s), 2 line(s), 50.00 refunded" in note.message
        assert "dated at its order's date" in note.message
        lost = next(w for w in ws.warnings if w.table == "returns" and w.column == "order_id")
        assert "1 of 2 returned order(s) listed are not in orders (e.g. 'ZZ9')" in lost.message
        s = ov.returns_summary(ws)
        assert (s["gross"], s["refunds"], s["net"]) == (85.0, 50.0, 35.0)
        assert (s["units_sold"], s["units_returned"]) == (7.0, 3.0)


def test_a_returns_list_with_items_and_dates_returns_those_lines(tmp_path: Path) -> None:
    """With an item, only that item's lines of the order; an empty item, the whole order
    (once, though it is listed by item as well); a date dates the refund."""
    (tmp_path / "order_lines.csv").write_text(ORDERS)
    (tmp_path / "returns.csv").write_text(
        "order_ref,sku,returned_on\nA1,MUG,2024-01-06\nA2,,\nA2,TEE,2024-01-07\n"
    )
    cols = {"order_id": "order_ref", "item_id": "sku", "timestamp": "returned_on"}
    cfg = _config(
        tmp_path,
        {
            "orders": {"file": "order_lines.csv", "columns": ORDER_COLS},
            "returns": {"file": "returns.csv", "columns": cols},
        },
    )
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
        neg = o[o["amount"] < 0].sort_values("order_id", ignore_index=True)
        assert neg["order_id"].tolist() == ["A1", "A2"]
        assert neg["item_id"].tolist() == ["MUG", "TEE"]
        assert neg["amount"].tolist() == [-10.0, -20.0]
        assert neg["timestamp"].tolist() == [
            pd.Timestamp("2024-01-06"),
            pd.Timestamp("2024-01-06 11:00:00"),  # listed whole without a date: the order's
        ]
        assert o["amount"].sum() == pytest.approx(55.0)


def test_a_returns_list_without_order_numbers_to_match_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "order_lines.csv").write_text(ORDERS)
    (tmp_path / "returns.csv").write_text("order_ref\nA1\n")
    no_id = {k: v for k, v in ORDER_COLS.items() if k != "order_id"}
    cfg = _config(
        tmp_path,
        {
            "orders": {"file": "order_lines.csv", "columns": no_id},
            "returns": {"file": "returns.csv", "columns": {"order_id": "order_ref"}},
        },
    )
    with pytest.raises(
        SchemaError,
        match=r"returns: the table maps no amount, .*orders has no "
        r"order_id column. Map data.tables.orders.columns.order_id",
    ):
        open_workspace(cfg)


def test_init_places_a_returned_orders_sheet_as_returns(tmp_path: Path) -> None:
    """Superstore's Returns (Returned = Yes, Order ID): returns without an amount, with a
    where keeping the Yes rows and a note that each listed order is returned in full."""
    (tmp_path / "orders.csv").write_text(
        ORDERS.replace("order_ref,customer,", "order_no,customer_id,")
    )
    (tmp_path / "returns.csv").write_text("Returned,Order ID\nYes,A1\nNo,A2\n")
    path, _ = init_config(tmp_path)
    text = path.read_text("utf-8")
    returns = yaml.safe_load(text)["data"]["tables"]["returns"]
    assert returns["columns"] == {"order_id": "Order ID"}
    assert returns["where"] == "Returned = 'Yes'"
    assert "no amount column: each order listed is read as returned in full" in text
    with open_workspace(path) as ws:
        assert ov.returns_summary(ws)["refunds"] == 50.0  # A1 whole: 2 x 20 + 10


def test_refunds_of_money_alone_give_no_unit_return_rate(tmp_path: Path) -> None:
    """A returns table without a quantity (a Taobao seller export's 退款金额): the units
    returned are unknown, so no "0 of 7 units were returned" (byod13b D11)."""
    (tmp_path / "order_lines.csv").write_text(ORDERS)
    (tmp_path / "returns.csv").write_text(
        "order_ref,refund_amount,returned_on\nA1,20.0,2024-01-06\nA2,8.0,2024-01-07\n"
    )
    cols = {"order_id": "order_ref", "amount": "refund_amount", "timestamp": "returned_on"}
    cfg = _config(
        tmp_path,
        {
            "orders": {"file": "order_lines.csv", "columns": ORDER_COLS},
            "returns": {"file": "returns.csv", "columns": cols},
        },
    )
    with open_workspace(cfg) as ws:
        s = ov.returns_summary(ws)
        texts = [f.text for _, f in ov.returns_findings(s, ov.return_rates(ws))]
    assert (s["gross"], s["refunds"], s["refund_lines"]) == (85.0, 28.0, 2.0)
    assert s["unit_refund_lines"] == 0 and "unit_return_rate" not in s
    assert "refunds 28 (32.9% of gross) over 2 refund line(s), net revenue 57." in texts[0]
    assert "units sold were returned" not in texts[0]
