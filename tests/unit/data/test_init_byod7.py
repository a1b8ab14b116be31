"""``opsai init`` on export shapes of BYOD round 7: WooCommerce orders, fashion order lines
with ``*_ref`` ids, hotel reservations, a subscription box, UCI's non-product codes and a
dateless order history."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data.init import plan_folder, render

pytestmark = pytest.mark.unit

_ITEMS = (
    "Logo Tee x 2, Baseball Cap x 1",
    "Ceramic Mug x 2, Sticker Pack x 1",
    "Sticker Pack x 2, Hoodie x 1",
    "Hoodie x 1, Baseball Cap x 3",
)
_STATES = ("completed", "completed", "processing", "cancelled", "completed", "failed", "refunded")


def _woo(folder: Path, email: str = "Billing Email Address") -> Path:
    """A WooCommerce order export: one row per order, the lines listed in one cell."""
    rows = [
        f"Order Number,Order Date,Order Status,{email},Order Items,Order Total Amount,"
        "Order Shipping Amount,Payment Method Title"
    ]
    for i in range(70):
        rows.append(
            f"{10000 + i},2024-{1 + i % 12:02d}-{1 + i % 27:02d} 10:{i % 60:02d}:00,"
            f'{_STATES[i % 7]},cust{i % 23}@example.com,"{_ITEMS[i % 4]}",${10 + i}.95,4.95,wc'
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "orders-2024-export.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_woocommerce_export_is_orders_keyed_by_billing_email(tmp_path: Path) -> None:
    """D5: WooCommerce's 'Billing Email Address' was no customer column, so the export was
    read as tickets with the 'Order Items' cell as their text. Now it is orders keyed by it."""
    (g,) = plan_folder(_woo(tmp_path)).guesses
    assert g.table == "orders"
    got = {m.contract: m.source for m in g.matches}
    assert got["user_id"] == "Billing Email Address"
    assert got["amount"] == "Order Total Amount"
    assert got["order_id"] == "Order Number"


def test_order_export_without_customer_is_no_tickets(tmp_path: Path) -> None:
    """D5: without a customer column the line-items cell ('Mug x 2, Tee x 1') beside an order
    number and total is no ticket text: the file is orders (every order a guest order, as it
    has no customer column), never tickets."""
    plan = plan_folder(_woo(tmp_path, email="Payment Reference"))
    assert [g.table for g in plan.guesses] == ["orders"]
    assert "user_id" not in {m.contract for m in plan.guesses[0].matches}
    assert any(n.startswith("no customer id column: every order") for n in plan.guesses[0].notes)


def test_woocommerce_order_status_gets_a_where_with_its_revenue_share(tmp_path: Path) -> None:
    """D9: WooCommerce's 'Order Status' (completed/processing/cancelled/failed/refunded) got
    no where, so cancelled, failed and refunded orders counted as revenue. Now where keeps the
    completed and processing ones and the note gives the sampled revenue it leaves out."""
    (g,) = plan_folder(_woo(tmp_path)).guesses
    assert g.options["where"] == "\"Order Status\" IN ('completed', 'processing')"
    states = [_STATES[i % 7] for i in range(70)]
    money = [10.95 + i for i in range(70)]
    out = sum(
        m for m, s in zip(money, states, strict=True) if s in ("cancelled", "failed", "refunded")
    )
    note = next(n for n in g.notes if n.startswith("where keeps"))
    assert "(cancelled 10, failed 10, refunded 10 of 70 sampled rows)" in note
    assert (
        f"{out / sum(money):.1%} of the sampled revenue ({out:,.2f} of {sum(money):,.2f})" in note
    )
    assert "for completed only, set where to \"Order Status\" = 'completed'" in note


def _fashion(folder: Path) -> Path:
    lines = ["order_ref,customer_ref,placed_at,sku,qty,unit_price"]
    returns = ["return_id,order_ref,sku,returned_qty,refund_amount,returned_on,reason"]
    for i in range(60):
        sku = f"DRS-00{i % 5}-{('S', 'M', 'L')[i % 3]}"
        lines.append(f"FR5{i // 2:05d},C{i % 9:05d},2024-05-{1 + i // 3:02d}T11:40:00+01:00,"
                     f"{sku},{1 + i % 2},{40 + i % 5}.0")  # fmt: skip
        returns.append(f"R{i:06d},FR5{i:05d},{sku},1,45.0,2024-03-{1 + i % 28:02d},too small")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "order_lines.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "returns.csv").write_text("\n".join(returns) + "\n", encoding="utf-8")
    return folder


def test_ref_ids_make_order_lines_orders_not_demand(tmp_path: Path) -> None:
    """D6: 'customer_ref'/'order_ref' were no ids, so fashion order lines were demand and the
    customer chapters were skipped. Now they are user_id and order_id, orders wins with no
    demand runner-up, and the returns file is not taken for demand."""
    plan = plan_folder(_fashion(tmp_path))
    by = {g.table: g for g in plan.guesses}
    g = by["orders"]
    assert g.sample.label == "order_lines.csv" and "demand" not in by
    got = {m.contract: (m.source, m.score) for m in g.matches}
    assert got["user_id"] == ("customer_ref", 0.8)
    assert got["order_id"] == ("order_ref", 0.8)
    assert g.runner_up is None or g.runner_up[0] != "demand"
    assert all(u != "returns.csv" or "demand" not in why for u, why in plan.unplaced)


def _hotel(folder: Path, guest: str = "guest_id") -> Path:
    rows = [f"reservation_id,{guest},booking_date,arrival_date,nights,room_type,total_price,"
            "reservation_status,channel"]  # fmt: skip
    states = ("Check-Out", "Canceled", "Check-Out", "No-Show")
    for i in range(40):
        rows.append(f"BK{100000 + i},G{i % 13:05d},{1 + i % 28:02d}.09.2024 02:00,"
                    f"{1 + i % 28:02d}.10.2024,2,{('Standard', 'Deluxe', 'Suite')[i % 3]},"
                    f"{100 + i}.50,{states[i % 4]},Direct")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reservations.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_hotel_reservations_are_orders_without_cancellations(tmp_path: Path) -> None:
    """D13: 'guest_id' was no customer column (nothing placed) and with one, room_type was the
    event of an events table. Now reservations are orders of total_price, cancellations
    left out by where and No-Show named as kept."""
    (g,) = plan_folder(_hotel(tmp_path)).guesses
    assert g.table == "orders"
    got = {m.contract: (m.source, m.how) for m in g.matches}
    assert got["user_id"] == ("guest_id", "name")
    assert got["amount"] == ("total_price", "name")
    assert g.options["where"] == "reservation_status NOT IN ('Canceled')"
    note = next(n for n in g.notes if n.startswith("where keeps"))
    assert "(Canceled 10 of 40 sampled rows)" in note
    assert "it keeps 'No-Show' (neither paid nor failed: check them)" in note


def test_room_type_is_no_event(tmp_path: Path) -> None:
    """D13: with a customer_id, the reservations were events with event = 'room_type' (by part
    of the name): a *_type beside money and a status is an attribute, so no events guess."""
    plan = plan_folder(_hotel(tmp_path, guest="customer_id"))
    (g,) = plan.guesses
    assert g.table == "orders"
    assert g.runner_up is None or g.runner_up[0] != "events"


def _subbox(folder: Path) -> Path:
    subs = ["subscription_id,email,started_on,plan,status"]
    ships = ["shipment_id,subscription_id,ship_date,shipment_status,box_value,plan"]
    for i in range(30):
        subs.append(f"SUB{i:05d},sub{i}@box.com,2023-09-{1 + i % 28:02d},Premium,active")
        for m in range(3):
            skipped = (i + m) % 4 == 0
            ships.append(f"SH{i * 3 + m:07d},SUB{i:05d},2023-{10 + m}-{1 + i % 28:02d},"
                         f"{'skipped' if skipped else 'shipped'},{0 if skipped else 49}.0,Premium")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "subscriptions.csv").write_text("\n".join(subs) + "\n", encoding="utf-8")
    (folder / "shipments.csv").write_text("\n".join(ships) + "\n", encoding="utf-8")
    return folder


def test_subscription_box_joins_on_subscription_id(tmp_path: Path) -> None:
    """D16: 'subscription_id' was no customer id: users were keyed by 'email' and the
    shipments fitted no table. Now both are keyed by it (said in a note), the shipments are
    orders of box_value and the skipped boxes are left out by where."""
    plan = plan_folder(_subbox(tmp_path))
    by = {g.table: g for g in plan.guesses}
    assert set(by) == {"users", "orders"} and plan.unplaced == []
    assert {m.contract: m.source for m in by["users"].matches}["user_id"] == "subscription_id"
    got = {m.contract: m.source for m in by["orders"].matches}
    assert (got["user_id"], got["amount"]) == ("subscription_id", "box_value")
    assert by["orders"].options["where"] == "shipment_status = 'shipped'"
    assert "user_id 'subscription_id' is also shipments.csv's (orders): the tables join on it" in (
        by["users"].notes
    )


def test_users_are_keyed_by_the_column_orders_share(tmp_path: Path) -> None:
    """D16: a users file with two customer columns takes the one its orders carry."""
    users = "customer,account_id,joined\n" + "".join(
        f"Name {i},A{i:04d},2024-01-{1 + i:02d}\n" for i in range(20)
    )
    orders = "account_id,date,total\n" + "".join(
        f"A{i % 20:04d},2024-02-{1 + i % 28:02d},{5 + i}\n" for i in range(40)
    )
    (tmp_path / "users.csv").write_text(users, encoding="utf-8")
    (tmp_path / "orders.csv").write_text(orders, encoding="utf-8")
    by = {g.table: g for g in plan_folder(tmp_path).guesses}
    assert {m.contract: m.source for m in by["users"].matches}["user_id"] == "account_id"
    assert (
        "user_id is 'account_id', the customer column orders.csv (orders) shares, not 'customer' "
        "(kept as an attribute): the tables join on it" in by["users"].notes
    )


def test_uci_non_product_codes_are_named_not_dropped(tmp_path: Path) -> None:
    """D23: POST (postage), M (manual) and B (bad debt) in StockCode were taken as products;
    then a note suggested a where that dropped their revenue too. Now init sets non_items
    (every UCI code, sampled or not): revenue keeps them, the item chapters do not."""
    rows = ["Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country"]
    for i in range(30):
        rows.append(f"{493270 + i},85123A,LANTERN,2,12/1/2023 8:41,10.0,{13100 + i % 7}.0,EIRE")
        rows.append(f"{493270 + i},POST,POSTAGE,1,12/1/2023 8:41,5.0,{13100 + i % 7}.0,EIRE")
    rows.append("493400,M,Manual,1,12/2/2023 9:00,-50.0,13100.0,EIRE")
    (tmp_path / "online_retail_II.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (g,) = plan_folder(tmp_path).guesses
    assert g.table == "orders" and "where" not in g.options
    total = 30 * 20.0 + 30 * 5.0 - 50.0
    note = next(n for n in g.notes if "no product" in n)
    assert note.startswith(
        f"'StockCode' holds codes that are no product (POST 30 lines, {150 / total:.1%} of the "
        f"sampled revenue; M 1 lines, {-50 / total:.1%} of the sampled revenue; of 61 sampled lines)"
    )
    assert note.endswith(
        "out of the analyses per item (recommendations, demand, top items); "
        "remove any that is a product"
    )
    assert g.options["non_items"] == ["POST", "M", "DOT", "B", "C2", "BANK CHARGES",
                                      "AMAZONFEE", "CRUK", "D", "S"]  # fmt: skip


def test_shopify_shipping_tip_and_gift_card_lines_are_non_items(tmp_path: Path) -> None:
    """D23: a line-item export's Shipping and Tip lines and its gift cards (one name per
    amount) are proposed as non_items, the cards as a glob; the written config loads, its
    revenue whole and its top items products only."""
    from opsai.data import open_workspace
    from opsai.overview import top_items

    rows = ["Name,Email,Created at,Product,Quantity,Price"]
    for i in range(12):
        when = f"2024-03-{1 + i:02d} 10:00:00"
        rows.append(f"#{1001 + i},c{i % 4}@x.io,{when},Logo Tee,1,20")
        rows.append(f"#{1001 + i},c{i % 4}@x.io,{when},Shipping,1,30")
    rows.append("#1100,c1@x.io,2024-03-20 10:00:00,$25 Gift Card,1,25")
    rows.append("#1101,c2@x.io,2024-03-21 10:00:00,$50 Gift Card,1,50")
    rows.append("#1102,c2@x.io,2024-03-21 10:00:00,Tip,1,5")
    (tmp_path / "orders_export.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    plan = plan_folder(tmp_path)
    (g,) = plan.guesses
    assert g.table == "orders"
    assert g.options["non_items"] == ["Shipping", "Tip", "*Gift Card*"]
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(render(plan, source=".", company="Shop", currency="USD"), encoding="utf-8")
    with open_workspace(cfg) as ws:
        assert float(ws.table("orders").amount.sum().execute()) == 12 * 50 + 25 + 50 + 5
        assert top_items(ws)["item_id"].tolist() == ["Logo Tee"]


def test_a_dateless_order_history_says_it_has_no_timestamp(tmp_path: Path) -> None:
    """D20: Instacart's orders (order_number, days_since_prior_order, no date) were 'fits no
    table' without a why. Now the reason says there is no timestamp column and what the
    time-based tables need; a file with a date keeps the plain reason."""
    rows = "order_id,user_id,eval_set,order_number,order_dow,order_hour_of_day,days_since_prior_order\n"
    rows += "".join(
        f"{i},{i % 5},prior,{1 + i // 5},{i % 7},{8 + i % 10},{7 + i % 3}\n" for i in range(30)
    )
    (tmp_path / "orders.csv").write_text(rows, encoding="utf-8")
    (tmp_path / "notes.csv").write_text("a,when\n1,2024-01-01\n2,2024-01-02\n", encoding="utf-8")
    plan = plan_folder(tmp_path)
    assert dict(plan.unplaced) == {
        "notes.csv": "fits no table (columns: a, when)",
        "orders.csv": "fits no table: no timestamp column (orders need user_id, timestamp, "
        "amount; events user_id, timestamp, event; demand item_id, timestamp, quantity) "
        "(columns: order_id, user_id, eval_set, order_number, order_dow, order_hour_of_day, "
        "days_since_prior_order)",
    }


def test_woocommerce_order_items_cell_gets_explode(tmp_path: Path) -> None:
    """N7: init kept 'Order Items' ('Logo Tee x 2, Baseball Cap x 1') as an attribute, so 03b
    was skipped for want of item_id. Now it proposes explode, the pattern's groups give item_id
    and quantity, and the written config splits each order into its lines, revenue unchanged."""
    from opsai.data import open_workspace
    from opsai.data.init import init_config

    (g,) = plan_folder(_woo(tmp_path)).guesses
    assert g.options["explode"] == {
        "column": "Order Items",
        "sep": ", ",
        "pattern": r"(?P<item_id>.+) x (?P<quantity>\d+)",
    }
    note = next(n for n in g.notes if n.startswith("'Order Items' lists each order's lines"))
    assert "('Logo Tee x 2, Baseball Cap x 1')" in note
    assert "(140 lines in 70 sampled orders)" in note
    assert "split across its lines in proportion to their quantity" in note
    path, _ = init_config(tmp_path)
    with open_workspace(path) as ws:
        o = ws.to_pandas("orders")
    kept = [i for i in range(70) if _STATES[i % 7] in ("completed", "processing")]
    assert len(o) == 2 * len(kept)
    assert o["amount"].sum() == pytest.approx(sum(10.95 + i for i in kept))
    units: dict[str, float] = {}
    for i in kept:
        for line in _ITEMS[i % 4].split(", "):
            name, qty = line.rsplit(" x ", 1)
            units[name] = units.get(name, 0.0) + float(qty)
    assert o.groupby("item_id")["quantity"].sum().to_dict() == units
    first = o[o["order_id"] == "10000"].set_index("item_id")["amount"].to_dict()
    assert first == pytest.approx({"Logo Tee": 10.95 * 2 / 3, "Baseball Cap": 10.95 / 3})


@pytest.mark.parametrize(
    ("cells", "sep", "pattern"),
    [
        (("Mug × 2; Tee × 1", "Cap × 3"), "; ", r"(?P<item_id>.+) × (?P<quantity>\d+)"),
        (("2 x Mug|1 x Tee", "3 x Cap"), "|", r"(?P<quantity>\d+) x (?P<item_id>.+)"),
        (("Mug (2), Tee (1)", "Cap (3)"), ", ", r"(?P<item_id>.+) \((?P<quantity>\d+)\)"),
    ],
)
def test_other_line_item_shapes_get_the_pattern_that_reads_them(
    tmp_path: Path, cells: tuple[str, str], sep: str, pattern: str
) -> None:
    """N7: 'name × qty', 'qty x name' and 'name (qty)' lists get the pattern reading every cell."""
    rows = ["Order Number,Order Date,Customer Email,Items,Order Total"]
    rows += [
        f'{100 + i},2024-01-{1 + i:02d},c{i}@x.com,"{cells[i % 2]}",{5 + i}.5' for i in range(20)
    ]
    tmp_path.joinpath("orders.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (g,) = plan_folder(tmp_path).guesses
    assert g.options["explode"] == {"column": "Items", "sep": sep, "pattern": pattern}


def test_a_column_of_single_values_or_sizes_gets_no_explode(tmp_path: Path) -> None:
    """N7: a cell with one 'name x qty' per order, or sizes ('10 x 20'), is no list of lines."""
    rows = ["Order Number,Order Date,Customer Email,Box,Order Total"]
    rows += [f"{100 + i},2024-01-{1 + i:02d},c{i}@x.com,10 x {20 + i},{5 + i}.5" for i in range(20)]
    tmp_path.joinpath("orders.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (g,) = plan_folder(tmp_path).guesses
    assert "explode" not in g.options
