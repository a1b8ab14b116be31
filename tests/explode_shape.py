"""A WooCommerce-shaped order export listing each order's lines in one cell, the lines
``explode`` should give, and the same table in a database (a file, DuckDB and PostgreSQL give
the same rows)."""

from __future__ import annotations

import pandas as pd

COLUMNS = {
    "order_id": "Order Number",
    "user_id": "Billing Email Address",
    "timestamp": "Order Date",
    "amount": "Order Total Amount",
}
EXPLODE = {"column": "Order Items", "sep": ", ", "pattern": r"(?P<item_id>.+) x (?P<quantity>\d+)"}

PLAIN = (  # the export with plain numbers (a database column has its own type), a line of 12
    "Order Number,Order Date,Order Status,Billing Email Address,Order Items,Order Total Amount\n"
    '1001,2024-04-21 21:09:00,completed,a@x.com,"Logo Tee x 2, Cap x 1",45.00\n'
    "1002,2024-04-22 10:00:00,completed,b@x.com,Sticker Pack x 12,14.95\n"
    '1003,2024-04-23 11:30:00,cancelled,c@x.com,"Cap x 1, Mug x 1",30.00\n'
    '1004,2024-04-24 12:00:00,completed,a@x.com,"Mug x 1, Cap x 1, Logo Tee x 2",1000.00\n'
    "1005,2024-04-25 09:00:00,completed,d@x.com,,20.00\n"  # no lines: no row
    '1006,2024-04-26 08:00:00,completed,d@x.com,"Cap x 3,  , Mug x 1",9.00\n'  # a blank line
)
WANT = [  # order, item, quantity, amount, customer
    ("1001", "Cap", 1.0, 15.0, "a@x.com"), ("1001", "Logo Tee", 2.0, 30.0, "a@x.com"),
    ("1002", "Sticker Pack", 12.0, 14.95, "b@x.com"), ("1004", "Cap", 1.0, 250.0, "a@x.com"),
    ("1004", "Logo Tee", 2.0, 500.0, "a@x.com"), ("1004", "Mug", 1.0, 250.0, "a@x.com"),
    ("1006", "Cap", 3.0, 6.75, "d@x.com"), ("1006", "Mug", 1.0, 2.25, "d@x.com"),
]  # fmt: skip


def exploded_rows(o: pd.DataFrame) -> list[tuple[object, ...]]:
    """The lines as (order, item, quantity, amount, customer), sorted."""
    got = o[["order_id", "item_id", "quantity", "amount", "user_id"]].itertuples(index=False)
    return sorted((str(a), str(b), float(c), round(float(d), 6), str(e)) for a, b, c, d, e in got)
