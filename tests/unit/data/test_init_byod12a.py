"""byod12a: ``opsai init`` on Maven Roasters' coffee-shop line items (US ``M/D/YYYY`` dates,
sorted by date; product names on every line) and on the Kaggle ``hotel_bookings.csv``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from opsai.cli import main
from opsai.data import open_workspace
from opsai.data.init import plan_folder

pytestmark = pytest.mark.unit

PRODUCTS = [  # product_id, unit_price, category, type, detail
    (1, "3.00", "Coffee", "Barista Espresso", "Latte Rg"),
    (2, "3.50", "Coffee", "Barista Espresso", "Latte Lg"),
    (3, "3.00", "Coffee", "Drip coffee", "Ethiopia Rg"),
    (4, "2.50", "Tea", "Brewed Chai tea", "Spicy Eye Opener Chai Rg"),
    (5, "3.75", "Bakery", "Scone", "Oatmeal Scone"),
    (6, "0.80", "Flavours", "Regular syrup", "Hazelnut syrup"),
]
STORES = [(3, "Astoria"), (5, "Lower Manhattan"), (8, "Hell's Kitchen")]
HEADER = (
    "transaction_id,transaction_date,transaction_time,transaction_qty,store_id,store_location,"
    "product_id,unit_price,product_category,product_type,product_detail\n"
)


def _coffee(folder: Path, days: int = 40, per_day: int = 200, lines_per_ticket: int = 1) -> Path:
    """Maven Roasters' export: one line per product sold, sorted by date, ``1/13/2023``
    (month first, no leading zeros); the first 2,000 lines are all 1/1 .. 1/10."""
    folder.mkdir(parents=True, exist_ok=True)
    lines, tid = [HEADER], 0
    start = dt.date(2023, 1, 1)
    for d in range(days):
        day = start + dt.timedelta(days=d)
        for k in range(per_day):
            tid += k % lines_per_ticket == 0
            pid, price, cat, kind, detail = PRODUCTS[(k * 7 + d) % len(PRODUCTS)]
            sid, where = STORES[k % len(STORES)]
            lines.append(
                f"{tid},{day.month}/{day.day}/{day.year},{6 + k % 14:02d}:{k % 60:02d}:13,"
                f"{1 + k % 3},{sid},{where},{pid},{price},{cat},{kind},{detail}\n"
            )
    (folder / "coffee_shop_sales.csv").write_text("".join(lines), encoding="utf-8")
    return folder


def test_month_first_dates_past_a_sample_of_early_days_are_read_month_first(
    tmp_path: Path,
) -> None:
    """D1: the first 2,000 lines are 1/1 .. 1/10 (each reads as day or month first); the
    whole column has 1/13/2023, so init writes %m/%d/%Y (before: %d/%m/%Y, and the config
    it wrote failed validation on 24,758 of Maven's 40,451 rows)."""
    folder = _coffee(tmp_path / "coffee")
    g = next(g for g in plan_folder(folder).guesses if g.table == "demand")
    # the date and its time of day joined (byod12a D6), the date part read month first
    assert g.options["timestamp_format"] == "%m/%d/%Y %H:%M:%S"
    assert any("the whole file has dates only %m/%d/%Y reads" in n for n in g.notes)
    assert main(["init", str(folder), "--out", str(tmp_path / "c.yaml")]) == 0
    with open_workspace(tmp_path / "c.yaml") as ws:
        days = ws.to_pandas("demand", ["timestamp"])["timestamp"]
    assert (days.min(), days.max(), days.dt.normalize().nunique()) == (
        pd.Timestamp("2023-01-01 06:00:13"),
        pd.Timestamp("2023-02-09 19:55:13"),  # k = 195: 6 + 195 % 14 h, 195 % 60 min
        40,
    )


def test_line_items_carrying_product_names_give_the_items_table(tmp_path: Path) -> None:
    """D4: the lines carry each product's name and category: init reads items from the same
    file, one row per product_id (before: no items, and every page said 'item 1')."""
    folder = _coffee(tmp_path / "coffee", days=3, per_day=30)
    plan = plan_folder(folder)
    items = next(g for g in plan.guesses if g.table == "items")
    assert items.spec() == {
        "file": "coffee_shop_sales.csv",
        "drop_duplicates": ["product_id"],
        "columns": {"item_id": "product_id", "title": "product_detail",
                    "category": "product_category"},
    }  # fmt: skip
    assert main(["init", str(folder), "--out", str(tmp_path / "c.yaml")]) == 0
    with open_workspace(tmp_path / "c.yaml") as ws:
        got = ws.to_pandas("items").set_index("item_id")[["title", "category"]]
    assert len(got) == len(PRODUCTS)
    assert got.loc["1"].tolist() == ["Latte Rg", "Coffee"]
    assert got.loc["6"].tolist() == ["Hazelnut syrup", "Flavours"]


def test_a_name_that_varies_per_item_is_no_title(tmp_path: Path) -> None:
    """D4: a customer's name or a store's location on the lines changes within one product:
    no items table is made from them."""
    rows = ["order_id,date,product_id,qty,price,Customer Name,store_location\n"]
    for i in range(40):
        rows.append(f"o{i},2024-01-{1 + i % 28:02d},p{i % 4},1,2.50,Ann {i % 7},Town {i % 3}\n")
    folder = tmp_path / "lines"
    folder.mkdir()
    (folder / "sales.csv").write_text("".join(rows), encoding="utf-8")
    assert [g.table for g in plan_folder(folder).guesses if g.table == "items"] == []


HOTEL = (
    "hotel,is_canceled,lead_time,arrival_date_year,arrival_date_month,arrival_date_week_number,"
    "arrival_date_day_of_month,stays_in_weekend_nights,stays_in_week_nights,adults,children,"
    "babies,meal,country,market_segment,distribution_channel,is_repeated_guest,"
    "previous_cancellations,previous_bookings_not_canceled,reserved_room_type,"
    "assigned_room_type,booking_changes,deposit_type,agent,company,days_in_waiting_list,"
    "customer_type,adr,required_car_parking_spaces,total_of_special_requests,"
    "reservation_status,reservation_status_date\n"
)


def _hotel(folder: Path, n: int = 120) -> tuple[Path, float, int]:
    """The Kaggle hotel_bookings.csv's shape: no guest id, no booking total; returns the
    folder, the realised revenue (adr x nights of the bookings not cancelled) and its nights."""
    folder.mkdir(parents=True, exist_ok=True)
    lines, revenue, nights = [HOTEL], 0.0, 0
    for i in range(n):
        day = dt.date(2016, 7, 1) + dt.timedelta(days=i % 60)
        cancelled = i % 3 == 0
        weekend, week = i % 3, 1 + i % 4
        adr = 80.0 + (i % 7) * 12.5
        status = "Canceled" if cancelled else "Check-Out"
        left = day - dt.timedelta(days=20) if cancelled else day + dt.timedelta(days=weekend + week)
        lines.append(
            f"{'City Hotel' if i % 2 else 'Resort Hotel'},{int(cancelled)},{i % 90},{day.year},"
            f"{day.strftime('%B')},{day.isocalendar()[1]},{day.day},{weekend},{week},2,0,0,BB,PRT,"
            f"Online TA,TA/TO,{int(i % 17 == 0)},0,0,A,A,0,No Deposit,9,NULL,0,Transient,{adr},"
            f"0,{i % 3},{status},{left.isoformat()}\n"
        )
        if not cancelled:
            revenue += adr * (weekend + week)
            nights += weekend + week
    (folder / "hotel_bookings.csv").write_text("".join(lines), encoding="utf-8")
    return folder, revenue, nights


def test_hotel_bookings_are_room_nights_at_the_daily_rate_not_a_flag_and_a_count(
    tmp_path: Path,
) -> None:
    """D7: before, init mapped is_repeated_guest (0/1) as the customer, the count of special
    requests as revenue and the ISO week as the quantity, and said 03a was ready. Now no
    flag is a customer, no count is money, no date part is a quantity: the bookings are room
    nights at adr (the two nights columns unpivoted), the cancelled ones left out."""
    folder, revenue, nights = _hotel(tmp_path / "hotel")
    (g,) = plan_folder(folder).guesses
    assert g.table == "demand"
    assert g.spec() == {
        "file": "hotel_bookings.csv",
        "unpivot": {"columns": ["stays_in_weekend_nights", "stays_in_week_nights"],
                    "names_to": "night_type", "values_to": "nights"},
        "where": "is_canceled = 0",
        "timestamp_format": "%Y %B %d",  # the arrival, in three columns (byod12a D8)
        "columns": {"item_id": "hotel",
                    "timestamp": ["arrival_date_year", "arrival_date_month",
                                  "arrival_date_day_of_month"],
                    "quantity": "nights", "price": "adr"},
    }  # fmt: skip
    assert any(n.endswith("not 'reservation_status_date' (kept as an attribute)") for n in g.notes)
    assert any("revenue is 'adr' (the price of a night) x nights" in n for n in g.notes)
    assert main(["init", str(folder), "--out", str(tmp_path / "h.yaml")]) == 0
    with open_workspace(tmp_path / "h.yaml") as ws:
        d = ws.to_pandas("demand")
        assert not ws.has("orders")
    assert d["quantity"].sum() == nights
    assert (d["quantity"] * d["price"]).sum() == pytest.approx(revenue)


@pytest.mark.parametrize(
    ("contract", "name", "values", "refused"),
    [
        ("user_id", "is_repeated_guest", ["0", "1", "0", "0"] * 10, True),
        ("user_id", "repeat_guest", ["0", "1"] * 20, True),  # a 0/1 flag by its values
        ("user_id", "guest", [str(i % 5) for i in range(2000)], True),  # 5 ids in 2,000 rows
        ("user_id", "guest", [f"g{i % 300}" for i in range(2000)], False),
        ("amount", "total_of_special_requests", ["0", "1", "2"] * 5, True),
        ("amount", "required_car_parking_spaces", ["0", "1"] * 5, True),
        ("amount", "number_of_items", ["1", "3"], True),
        ("amount", "total_of_special_requests", ["12.50", "3.99"], False),  # money after all
        ("amount", "order_total", ["12", "3"], False),
        ("quantity", "arrival_date_week_number", ["27", "53", "1"], True),
        ("quantity", "arrival_date_day_of_month", ["1", "31"], True),
        ("quantity", "arrival_date_year", ["2015", "2016"], True),
        ("quantity", "units_sold", ["27", "53"], False),
    ],
)
def test_part_name_matches_refused_by_their_values(
    contract: str, name: str, values: list[str], refused: bool
) -> None:
    """D7: the value checks behind a part-of-the-name match."""
    from opsai.data._init_counts import not_as_named

    assert not_as_named(contract, name, values) is refused


def test_a_tills_receipts_are_orders_too_and_its_stores_are_named(tmp_path: Path) -> None:
    """D17: init placed Maven's file on demand only, with the numeric store_id as the store
    ("3 at 8"), and no orders for the transaction id: no order count, no average ticket.
    Receipts of two lines make the file orders too (every one a guest's), and the stores are
    their names (store_location, one to one with store_id)."""
    folder = _coffee(tmp_path / "coffee", lines_per_ticket=2)
    plan = {g.table: g for g in plan_folder(folder).guesses}
    assert set(plan) == {"orders", "demand", "items"}
    orders = {m.contract: m.source for m in plan["orders"].matches}
    assert orders["order_id"] == "transaction_id" and "user_id" not in orders
    assert {"quantity": "transaction_qty", "price": "unit_price"}.items() <= orders.items()
    store = next(m.source for m in plan["demand"].matches if m.contract == "store")
    assert store == "store_location"
    assert main(["init", str(folder), "--out", str(tmp_path / "c.yaml")]) == 0
    with open_workspace(tmp_path / "c.yaml") as ws:
        o = ws.to_pandas("orders")
        d = ws.to_pandas("demand", ["store"])
    assert o["order_id"].nunique() == 40 * 100  # 200 lines a day, two to a receipt
    assert o["user_id"].isna().all()
    assert sorted(d["store"].unique()) == ["Astoria", "Hell's Kitchen", "Lower Manhattan"]
    one = _coffee(tmp_path / "single")  # a receipt per line: demand only, as before
    assert "orders" not in {g.table for g in plan_folder(one).guesses}
