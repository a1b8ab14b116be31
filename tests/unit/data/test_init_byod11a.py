"""byod11a: ``opsai init`` on DataCo's supply-chain order lines (Latin-1, 53 columns, dates
``1/31/2018 22:56`` under ``order date (DateOrders)``) and a telco's monthly billing file."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from opsai.data.init import Guess, plan_folder

pytestmark = pytest.mark.unit

HEADER = (
    "Type,Days for shipping (real),Days for shipment (scheduled),Benefit per order,"
    "Sales per customer,Delivery Status,Late_delivery_risk,Category Id,Category Name,"
    "Customer City,Customer Country,Customer Email,Customer Fname,Customer Id,Customer Lname,"
    "Customer Password,Customer Segment,Customer State,Customer Street,Customer Zipcode,"
    "Department Id,Department Name,Latitude,Longitude,Market,Order City,Order Country,"
    "Order Customer Id,order date (DateOrders),Order Id,Order Item Cardprod Id,"
    "Order Item Discount,Order Item Discount Rate,Order Item Id,Order Item Product Price,"
    "Order Item Profit Ratio,Order Item Quantity,Sales,Order Item Total,Order Profit Per Order,"
    "Order Region,Order State,Order Status,Order Zipcode,Product Card Id,Product Category Id,"
    "Product Description,Product Image,Product Name,Product Price,Product Status,"
    "shipping date (DateOrders),Shipping Mode"
)
DATACO = HEADER.split(",")
PRODUCTS = [(1004, 9, "Cardio Equipment", 99.99), (1073, 48, "Water Sports", 199.99),
            (365, 17, "Cleats", 59.99), (502, 24, "Women's Apparel", 50.0),
            (1014, 45, "Fishing", 49.98), (403, 18, "Men's Footwear", 129.99),
            (627, 29, "Shop By Sport", 39.99), (957, 43, "Camping & Hiking", 299.98)]  # fmt: skip
STATES = ["COMPLETE"] * 8 + ["PENDING_PAYMENT"] * 5 + ["PROCESSING"] * 3 + ["PENDING"] * 3
STATES += ["CLOSED"] * 3 + ["ON_HOLD"] * 2 + ["PAYMENT_REVIEW", "CANCELED", "SUSPECTED_FRAUD"]


def _dataco(folder: Path, orders: int = 250, date: str = "order date (DateOrders)") -> None:
    """DataCo's order lines as Kaggle ships them: one department, products repeated over
    orders, Sales = price x quantity and Order Item Total after the line's discount."""
    rng = random.Random(11)
    rows, line = [], 1
    for o in range(1, orders + 1):
        day, hour = 1 + o % 28, o % 24
        when = f"{1 + o % 12}/{day}/2017 {hour}:{o % 60:02d}"
        shipped = f"{1 + o % 12}/{min(28, day + 3)}/2017 {hour}:{o % 60:02d}"
        customer, status = 100 + rng.randrange(80), rng.choice(STATES)
        real, scheduled = rng.randint(0, 6), rng.choice([1, 2, 4])
        for pid, cat, cat_name, price in rng.sample(PRODUCTS, rng.randint(1, 3)):
            qty = rng.randint(1, 3)
            rate = rng.choice([0, 0.04, 0.1, 0.18])
            sales = round(price * qty, 2)
            total = round(sales * (1 - rate), 2)
            value = {
                "Type": "DEBIT", "Days for shipping (real)": real,
                "Days for shipment (scheduled)": scheduled, "Benefit per order": round(total * 0.1, 2),
                "Sales per customer": total, "Delivery Status": "Late delivery",
                "Late_delivery_risk": int(real > scheduled), "Category Id": cat,
                "Category Name": cat_name, "Customer City": "Caguas", "Customer Country": "Puerto Rico",
                "Customer Email": "XXXXXXXXX", "Customer Fname": rng.choice(["Mary", "José"]),
                "Customer Id": customer, "Customer Lname": "Smith", "Customer Password": "XXXXXXXXX",
                "Customer Segment": "Consumer", "Customer State": "PR", "Customer Street": "5365 Noble",
                "Customer Zipcode": 725.0, "Department Id": 2, "Department Name": "Fitness",
                "Latitude": 18.25, "Longitude": -66.03, "Market": rng.choice(["LATAM", "Europe"]),
                "Order City": "México", "Order Country": "México", "Order Customer Id": customer,
                "order date (DateOrders)": when, "Order Id": o, "Order Item Cardprod Id": pid,
                "Order Item Discount": round(sales - total, 2), "Order Item Discount Rate": rate,
                "Order Item Id": line, "Order Item Product Price": price, "Order Item Profit Ratio": 0.1,
                "Order Item Quantity": qty, "Sales": sales, "Order Item Total": total,
                "Order Profit Per Order": round(total * 0.1, 2), "Order Region": "Centroamérica",
                "Order State": "México", "Order Status": status, "Order Zipcode": "",
                "Product Card Id": pid, "Product Category Id": cat, "Product Description": "",
                "Product Image": f"http://images.acmesports.sports/{pid}",
                "Product Name": f"Product {pid}", "Product Price": price, "Product Status": 0,
                "shipping date (DateOrders)": shipped, "Shipping Mode": "Standard Class",
            }  # fmt: skip
            rows.append([value[c] for c in DATACO])
            line += 1
    header = [date if c == "order date (DateOrders)" else c for c in DATACO]
    with (folder / "DataCoSupplyChainDataset.csv").open("w", encoding="latin-1", newline="") as f:
        csv.writer(f).writerows([header, *rows])


def _orders(folder: Path, items: bool = True) -> Guess:
    """The orders guess; DataCo's lines' Product Name also gives the items (byod12a D4)."""
    plan = plan_folder(folder)
    assert [g.table for g in plan.guesses] == ["orders", "items"] if items else ["orders"]
    if items:
        assert plan.guesses[1].spec()["columns"] == {"item_id": "Product Card Id",
                                                     "title": "Product Name"}  # fmt: skip
        assert plan.guesses[1].options["drop_duplicates"] == ["Product Card Id"]
    return plan.guesses[0]


def test_dataco_order_lines_are_orders_keyed_by_product(tmp_path: Path) -> None:
    """byod11a D2, D14: 'Orders' inside ``order date (DateOrders)`` made the order date "a
    count over a time", so the file was read as items (item_id = Order Item Id, one per line);
    with the date read, the orders were keyed by ``Department Id`` (a stand-in, one value)
    over ``Product Card Id``. Now: orders by Order Id, Customer Id, the order date and the
    product card."""
    _dataco(tmp_path)
    got = {m.contract: m.source for m in _orders(tmp_path).matches}
    assert got["order_id"] == "Order Id"
    assert got["user_id"] == "Customer Id"
    assert got["timestamp"] == "order date (DateOrders)"
    assert got["item_id"] == "Product Card Id"
    assert got["quantity"] == "Order Item Quantity"


def test_dataco_revenue_is_the_net_line_total_without_void_orders(tmp_path: Path) -> None:
    """byod11a D15: init mapped the gross ``Sales`` (price x quantity) beside ``Order Item
    Total`` (after ``Order Item Discount``) and proposed no ``where`` for an ``Order Status``
    holding CANCELED and SUSPECTED_FRAUD among seven other states: revenue +13.2%. Now the
    amount is the net total and ``where`` leaves out the void states only (PENDING and
    ON_HOLD orders stay, named in the note)."""
    _dataco(tmp_path)
    guess = _orders(tmp_path)
    got = {m.contract: m.source for m in guess.matches}
    assert got["amount"] == "Order Item Total"
    assert guess.options["where"] == "\"Order Status\" NOT IN ('CANCELED', 'SUSPECTED_FRAUD')"
    void = next(n for n in guess.notes if n.startswith("where leaves out"))
    assert "it keeps 'CLOSED', 'ON_HOLD', 'PAYMENT_REVIEW', 'PENDING', 'PENDING_PAYMENT'" in void
    assert "set where to \"Order Status\" IN ('COMPLETE', 'PROCESSING')" in void
    net = next(n for n in guess.notes if n.startswith("amount is 'Order Item Total'"))
    assert "'Sales' (before the discount)" in net


def test_a_gross_amount_stays_without_a_matching_net_total(tmp_path: Path) -> None:
    """The net total is taken only where gross - discount equals it: a ``Total`` that also
    holds shipping leaves the mapped amount as it was, and a status of paid and refunded
    states keeps the payment-status rule's ``where``."""
    rows = ["order_id,customer_id,created_at,Sales,Discount,Total,status"]
    for i in range(60):
        sales, off = 10.0 + i, (2.0 if i % 3 else 0.0)
        state = ["completed", "refunded", "completed", "processing"][i % 4]
        rows.append(
            f"{i},{i % 9},2024-01-{1 + i % 28:02d},{sales},{off},{sales - off + 4.5},{state}"
        )
    (tmp_path / "orders.csv").write_text("\n".join(rows), "utf-8")
    guess = _orders(tmp_path, items=False)
    assert {m.contract: m.source for m in guess.matches}["amount"] == "Sales"
    assert guess.options["where"] == "status IN ('completed', 'processing')"


def test_shipping_days_and_a_late_flag_are_no_shipping_charge(tmp_path: Path) -> None:
    """byod11a D16: init called DataCo's 'Days for shipping (real)' and 'Late_delivery_risk'
    "a shipping charge" of revenue (+2%, +0%). A shipping column that is a duration or a 0/1
    flag is no charge; a freight value still is."""
    rows = ["order_id,customer_id,order_date,price,quantity,freight_value,"
            "Days for shipping (real),Late_delivery_risk"]  # fmt: skip
    for i in range(60):
        rows.append(f"{i},{i % 9},2024-01-{1 + i % 28:02d},{20 + i},1,{5 + i % 3},{i % 6},{i % 2}")
    (tmp_path / "orders.csv").write_text("\n".join(rows), "utf-8")
    notes = [n for n in _orders(tmp_path, items=False).notes if "a shipping charge" in n]
    assert [n.split("'")[1] for n in notes] == ["freight_value"]
    assert "+12% on the sample's revenue" in notes[0]


def test_a_monthly_billing_file_is_placed_as_orders(tmp_path: Path) -> None:
    """byod11a D5: a telco's billing file (customerID, month '2024-01', amount) beside its
    customer file was "not placed: no timestamp column". A year and month is a time the
    loader reads (the month's first day): the file is the customers' orders."""
    people = ["customerID,gender,Contract,Churn"]
    bills = ["customerID,month,amount"]
    for i in range(40):
        people.append(f"{1000 + i}-ABCDE,{'Male' if i % 2 else 'Female'},Month-to-month,No")
        bills += [f"{1000 + i}-ABCDE,2024-{m:02d},{50 + i % 7}.5" for m in range(1, 13)]
    (tmp_path / "customers.csv").write_text("\n".join(people), "utf-8")
    (tmp_path / "monthly_billing.csv").write_text("\n".join(bills), "utf-8")
    plan = plan_folder(tmp_path)
    orders = next(g for g in plan.guesses if g.table == "orders")
    assert orders.sample.path.name == "monthly_billing.csv"
    got = {m.contract: (m.source, m.timestamp_format) for m in orders.matches}
    assert got["timestamp"] == ("month", "%Y-%m")
    assert got["user_id"][0] == "customerID"
    assert not plan.unplaced


def test_dataco_delivery_columns_are_mapped_and_void_orders_still_left_out(tmp_path: Path) -> None:
    """f13ops: init left DataCo's shipping days, mode and status as attributes, so no chapter
    read delivery. Now they map onto the orders' delivery columns, and the status, though
    mapped, still gives revenue its ``where`` on the void states."""
    _dataco(tmp_path)
    guess = _orders(tmp_path)
    got = {m.contract: m.source for m in guess.matches}
    assert got["delivery_days"] == "Days for shipping (real)"
    assert got["promised_days"] == "Days for shipment (scheduled)"
    assert got["ship_mode"] == "Shipping Mode"
    assert got["order_status"] == "Order Status"
    assert guess.options["where"] == "\"Order Status\" NOT IN ('CANCELED', 'SUSPECTED_FRAUD')"


def test_olist_delivered_and_estimated_dates_are_mapped(tmp_path: Path) -> None:
    """Olist's header carries the delivered and the estimated delivery dates."""
    rows = ["order_id,customer_id,order_status,order_purchase_timestamp,"
            "order_delivered_customer_date,order_estimated_delivery_date,price"]  # fmt: skip
    for i in range(60):
        rows.append(f"o{i},c{i % 17},delivered,2018-01-{1 + i % 20:02d} 10:00:00,"
                    f"2018-02-{1 + i % 20:02d} 12:00:00,2018-02-{3 + i % 20:02d} 00:00:00,{10 + i}")  # fmt: skip
    (tmp_path / "orders.csv").write_text("\n".join(rows), "utf-8")
    got = {m.contract: m.source for m in _orders(tmp_path, items=False).matches}
    assert got["timestamp"] == "order_purchase_timestamp"
    assert got["delivered_at"] == "order_delivered_customer_date"
    assert got["promised_at"] == "order_estimated_delivery_date"
