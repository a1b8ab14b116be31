"""A synthetic Olist-shaped folder: order lines, an order header, a customer map.

``order_items.csv`` (order_id, order_item_id, product_id, seller_id, price, freight_value)
holds no customer and no time; ``orders.csv`` (order_id, customer_id, order_status,
order_purchase_timestamp, ...) has one row per order and a customer id per order;
``customers.csv`` maps that id to the person (``customer_unique_id``), who may have several.
A few lines name an order the header lacks (``missing`` of them).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

STATUSES = ("delivered", "delivered", "delivered", "delivered", "shipped", "canceled")


def write_olist(
    folder: Path, lines: int = 300, seed: int = 7, missing: int = 5
) -> dict[str, pd.DataFrame]:
    """Write the three files into ``folder``; returns them as frames (text as written)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_orders = max(lines * 10 // 12, 1)  # about 1.2 lines per order
    n_people = max(n_orders * 10 // 15, 1)
    people = [f"u{k:06x}{seed:02d}" for k in range(n_people)]
    order_ids = [f"o{k:07x}" for k in range(n_orders)]
    cust_ids = [f"c{k:07x}" for k in range(n_orders)]  # Olist: one customer_id per order
    start = np.datetime64("2024-01-01T00:00:00")
    seconds = rng.integers(0, 365 * 86400, n_orders)
    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "customer_id": cust_ids,
            "order_status": rng.choice(STATUSES, n_orders),
            "order_purchase_timestamp": [
                str(start + np.timedelta64(int(s), "s")).replace("T", " ") for s in seconds
            ],
            "order_delivered_customer_date": "",
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": cust_ids,
            "customer_unique_id": rng.choice(people, n_orders),
            "customer_city": rng.choice(["sao paulo", "rio de janeiro", "curitiba"], n_orders),
        }
    )
    first = np.arange(n_orders)  # every order has a line, some more
    extra = rng.integers(0, n_orders, max(lines - n_orders - missing, 0))
    idx = np.sort(np.concatenate([first, extra]))
    line_orders = [order_ids[i] for i in idx] + [f"x{k:07x}" for k in range(missing)]
    items = pd.DataFrame(
        {
            "order_id": line_orders,
            "order_item_id": pd.Series(line_orders).groupby(line_orders).cumcount() + 1,
            "product_id": [f"p{k:04d}" for k in rng.integers(0, 200, len(line_orders))],
            "seller_id": [f"s{k:03d}" for k in rng.integers(0, 40, len(line_orders))],
            "price": np.round(rng.gamma(2.0, 40.0, len(line_orders)) + 1, 2),
            "freight_value": np.round(rng.uniform(5, 30, len(line_orders)), 2),
        }
    )
    items.to_csv(folder / "order_items.csv", index=False)
    orders.to_csv(folder / "orders.csv", index=False)
    customers.to_csv(folder / "customers.csv", index=False)
    return {"order_items": items, "orders": orders, "customers": customers}


def pandas_truth(frames: dict[str, pd.DataFrame], status: str | None = "delivered") -> pd.DataFrame:
    """The lines joined in pandas (left merges), kept by ``order_status`` when given."""
    m = frames["order_items"].merge(frames["orders"], on="order_id", how="left")
    m = m.merge(frames["customers"], on="customer_id", how="left")
    return m if status is None else m[m["order_status"] == status]


JOIN = [{"file": "orders.csv", "on": "order_id"}, {"file": "customers.csv", "on": "customer_id"}]
COLUMNS = {
    "user_id": "customer_unique_id",
    "timestamp": "order_purchase_timestamp",
    "item_id": "product_id",
    "amount": "price",
}
