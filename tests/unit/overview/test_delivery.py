"""Delivery performance on small DataCo- and Olist-shaped exports."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.overview.delivery import delivery_findings, delivery_orders, late_rates
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

MODES = {"First Class": (1, 0.95), "Second Class": (2, 0.45), "Standard Class": (4, 0.45),
         "Same Day": (0, 0.45)}  # fmt: skip
"""Each mode's scheduled days and late share: DataCo's First Class is late 95% of the time."""


def _dataco(folder: Path, orders: int = 800) -> Path:
    """DataCo's order lines (Latin-1, dates ``1/31/2018 22:56``): 1-2 lines an order, First
    Class late 95% of the time and the other modes 45%, 1 order in 8 suspected fraud in
    'Africa Occidental' (TRANSFER payments) and none elsewhere, a few CANCELED."""
    rng = random.Random(3)
    head = ["Type", "Days for shipping (real)", "Days for shipment (scheduled)",
            "Delivery Status", "Late_delivery_risk", "Customer Id", "order date (DateOrders)",
            "Order Id", "Order Item Quantity", "Order Item Total", "Order Region", "Order Status",
            "Product Card Id", "shipping date (DateOrders)", "Shipping Mode"]  # fmt: skip
    rows = []
    for o in range(1, orders + 1):
        mode = list(MODES)[o % 4]
        scheduled, share = MODES[mode]
        late = rng.random() < share
        real = scheduled + (rng.randint(1, 3) if late else -min(scheduled, rng.randint(0, 1)))
        region = ["Africa Occidental", "Europa Occidental", "Centroamérica"][o % 3]
        status = "COMPLETE"
        if region == "Africa Occidental" and o % 8 == 0:
            status = "SUSPECTED_FRAUD"
        elif o % 50 == 1:
            status = "CANCELED"
        when = pd.Timestamp("2017-01-01") + pd.Timedelta(hours=7 * o)
        date = f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}"
        for line in range(1 + o % 2):
            rows.append(["TRANSFER" if status == "SUSPECTED_FRAUD" else "DEBIT", real, scheduled,
                         "Late delivery" if late else "Shipping on time", int(late),
                         1000 + o % 150, date, o, 1, 50.0 + line, region, status, 365 + line,
                         date, mode])  # fmt: skip
    with (folder / "DataCo.csv").open("w", encoding="latin-1", newline="") as f:
        csv.writer(f).writerows([head, *rows])
    columns = {"user_id": "Customer Id", "timestamp": "order date (DateOrders)",
               "amount": "Order Item Total", "order_id": "Order Id",
               "item_id": "Product Card Id", "quantity": "Order Item Quantity",
               "delivery_days": "Days for shipping (real)",
               "promised_days": "Days for shipment (scheduled)", "ship_mode": "Shipping Mode",
               "order_status": "Order Status"}  # fmt: skip
    spec = {"orders": {"file": "DataCo.csv", "encoding": "latin-1", "columns": columns,
                       "timestamp_format": "%m/%d/%Y %H:%M"}}  # fmt: skip
    return write_dataset(folder, {}, spec)


def test_dataco_late_rate_by_ship_mode_names_first_class(tmp_path: Path) -> None:
    cfg = _dataco(tmp_path)
    with open_workspace(cfg) as ws:
        orders = delivery_orders(ws)
        rates = late_rates(orders)
        found = {f.name: f for f in delivery_findings(orders, rates, ws)}
    assert len(orders) == 800 and orders.attrs["basis"] == "days"
    void = orders["void"]
    assert int(void.sum()) == 33 + 16 - 0  # 33 suspected fraud, 16 canceled (o % 50 == 1)
    assert orders.loc[void, "late"].isna().all()
    d = orders[~void]
    by = rates[rates["by"] == "ship_mode"].set_index("segment")
    first = d[d["ship_mode"] == "First Class"]
    assert by.loc["First Class", "orders"] == len(first)
    assert by.loc["First Class", "rate"] == pytest.approx(first["late"].mean())
    assert (
        by.loc["First Class", "low"] < by.loc["First Class", "rate"] < by.loc["First Class", "high"]
    )
    assert set(rates["by"]) == {"ship_mode", "region", "month"}
    w = found["delivery.worst"]
    rest = d[d["ship_mode"] != "First Class"]["late"].mean()
    assert w.evidence["segment"] == "First Class" and w.evidence["by"] == "ship_mode"
    assert w.evidence["rest_rate"] == pytest.approx(rest, abs=1e-4)
    assert w.evidence["rate"] > 0.9 and 0.35 < rest < 0.55 and w.severity == "high"
    assert w.text.startswith(
        f"First Class (ship mode): {first['late'].mean():.0%} delivered late ("
    )
    o = found["delivery"]
    assert o.evidence["delivered"] == len(d) and o.evidence["void"] == 49
    assert o.evidence["on_time_rate"] == pytest.approx(1 - d["late"].mean(), abs=1e-4)
    assert o.evidence["days_late"] == pytest.approx(d.loc[d["late"] == 1, "days"].sub(
        d.loc[d["late"] == 1, "promised"]).mean(), abs=0.01)  # fmt: skip
    assert "49 orders (CANCELED, SUSPECTED_FRAUD) are counted apart" in o.text
    f = found["delivery.fraud"]
    assert f.evidence["segment"] in {"Africa Occidental", "TRANSFER"}
    assert f.evidence["rest_share"] == 0.0 or f.evidence["share"] > 3 * f.evidence["rest_share"]


def test_olist_dates_reviews_and_repeat_orders(tmp_path: Path) -> None:
    """Olist's delivered and estimated dates; late orders reviewed 2 stars, on-time 4.5; a
    customer whose first order came late never orders again."""
    rng = random.Random(5)
    orders, reviews = [], []
    for i in range(400):
        bought = pd.Timestamp("2018-01-02 10:00") + pd.Timedelta(hours=20 * i)
        late = i % 4 == 0
        promised = (bought + pd.Timedelta(days=10)).normalize()
        delivered = promised + pd.Timedelta(days=3 if late else -2, hours=15)
        user = f"u{i % 250}" if not late or i >= 250 else f"late{i}"
        status = "canceled" if i % 40 == 7 else "delivered"
        orders.append({"order_id": f"o{i}", "customer_unique_id": user, "order_status": status,
                       "order_purchase_timestamp": bought, "price": 20.0,
                       "order_delivered_customer_date": "" if status != "delivered" else delivered,
                       "order_estimated_delivery_date": promised})  # fmt: skip
        score = rng.choice([1, 2, 3]) if late else rng.choice([4, 5])
        reviews.append({"review_id": f"r{i}", "order_id": f"o{i}", "review_score": score,
                        "review_comment_message": "ok"})  # fmt: skip
    files = {"orders.csv": pd.DataFrame(orders).to_csv(index=False),
             "reviews.csv": pd.DataFrame(reviews).to_csv(index=False)}  # fmt: skip
    spec = {"orders": {"file": "orders.csv", "columns": {
                "user_id": "customer_unique_id", "timestamp": "order_purchase_timestamp",
                "amount": "price", "order_id": "order_id", "order_status": "order_status",
                "delivered_at": "order_delivered_customer_date",
                "promised_at": "order_estimated_delivery_date"}},
            "tickets": {"file": "reviews.csv", "columns": {
                "ticket_id": "review_id", "text": "review_comment_message",
                "sentiment": "review_score"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, files, spec)
    with open_workspace(cfg) as ws:
        d = delivery_orders(ws)
        found = {f.name: f for f in delivery_findings(d, late_rates(d), ws)}
    assert d.attrs["basis"] == "dates" and int(d["void"].sum()) == 10
    assert d.loc[d["order"] == "o0", "days_late"].iloc[0] == 3  # dates compared by day
    assert d.loc[d["order"] == "o1", "late"].iloc[0] == 0
    ok = d[~d["void"]]
    assert found["delivery"].evidence["on_time_rate"] == pytest.approx(
        1 - ok["late"].mean(), abs=1e-4
    )
    assert found["delivery"].evidence["days_late"] == 3.0
    r = found["delivery.reviews"].evidence
    late_scores = [x["review_score"] for x, o in zip(reviews, orders, strict=True)
                   if o["order_status"] == "delivered" and int(o["order_id"][1:]) % 4 == 0]  # fmt: skip
    assert r["score_late"] == pytest.approx(sum(late_scores) / len(late_scores), abs=1e-3)
    assert r["score_on_time"] >= 4 and found["delivery.reviews"].severity == "high"
    rep = found["delivery.repeat"].evidence
    assert rep["repeat_late"] == 0.0 and rep["repeat_on_time"] > 0.3


def test_orders_without_delivery_columns_give_nothing(tmp_path: Path) -> None:
    from tests.conftest import ORDERS_CSV

    cfg = write_dataset(tmp_path, {"orders.csv": ORDERS_CSV}, {"orders": {"file": "orders.csv"}})
    with open_workspace(cfg) as ws:
        d = delivery_orders(ws)
    assert d.empty and delivery_findings(d, late_rates(d)) == []
