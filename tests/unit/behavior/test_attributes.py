"""Attributes taken from the orders (a Country on every order line)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.behavior import findings
from opsai.behavior.attributes import lifted_attributes, order_attributes
from opsai.behavior.churn import inactivity_by

pytestmark = pytest.mark.unit

COUNTRIES = ["United Kingdom", "Germany", "France", "EIRE"]


def _retail(seed: int = 0) -> pd.DataFrame:
    """Order lines of 240 customers over 2024; every EIRE customer stops after June."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(240):
        country = COUNTRIES[i % 4]
        end = pd.Timestamp("2024-06-30" if country == "EIRE" else "2024-12-31")
        days = rng.integers(0, (end - pd.Timestamp("2024-01-01")).days, size=rng.integers(2, 8))
        if country != "EIRE" and i % 8 < 6:  # three in four of the others still buy
            days = np.append(days, 350)
        for j, d in enumerate(sorted(set(days.tolist()))):
            when = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d))
            for line in range(2):  # two lines per order, each with its own description
                rows.append({"user_id": f"C{i:03d}", "timestamp": when, "order_id": f"{i}-{j}",
                             "amount": 10.0 + line, "Country": country,
                             "Description": f"item {rng.integers(0, 50)}",
                             "channel": "web" if j or i % 3 else "app",  # varies for a third
                             "batch_code": f"B{i % 5}"})  # fmt: skip
    return pd.DataFrame(rows)


def test_a_column_constant_per_customer_on_the_orders_becomes_a_user_attribute() -> None:
    """Country is the same on every line of a customer: it is lifted (from orders) and the
    churn gap finds the EIRE customers who all lapsed; a per-line description, a channel that
    differs between a third of the customers' orders and an id-like code are not lifted."""
    orders = _retail()
    users, lifted = order_attributes(orders)
    assert lifted == {"Country": "orders"}
    assert users is not None and list(users.columns) == ["user_id", "Country"]
    assert len(users) == 240 and users.set_index("user_id").loc["C003", "Country"] == "EIRE"
    rates = inactivity_by(orders, users, attribute="Country", inactive_days=90,
                          min_tenure_days=0, asof="2025-01-01").set_index("Country")  # fmt: skip
    assert rates.loc["EIRE", "churn_rate"] == 1.0
    f = findings.churn_gaps(orders, users, inactive_days=90, min_tenure_days=0)[0]
    assert f.evidence["attribute"] == "Country" and f.evidence["value"] == "EIRE"
    note = lifted_attributes(lifted)
    assert note.text.startswith("User attributes taken from the activity: orders.Country (")
    given = pd.DataFrame({"user_id": ["C000", "C003", "X9"], "plan": ["a", "b", "a"]})
    merged, again = order_attributes(orders, users=given)
    assert again == {"Country": "orders"} and merged["plan"].tolist() == ["a", "b", "a"]
    assert merged["Country"].tolist()[:2] == ["United Kingdom", "EIRE"]
    assert pd.isna(merged["Country"].iloc[2])  # no orders: no value
    kept, none = order_attributes(orders, users=given.assign(Country="UK"))
    assert none == {} and kept["Country"].tolist() == ["UK"] * 3  # the users table's own wins


def test_a_column_that_varies_for_more_than_one_percent_of_customers_stays_on_the_orders() -> None:
    orders = _retail()
    repeat = orders.groupby("user_id")["order_id"].nunique() >= 2
    moved = repeat[repeat].index[:3]  # 3 of ~240 repeat customers (over 1%) change country
    first = orders[orders["user_id"].isin(moved)].groupby("user_id").head(1).index
    orders.loc[first, "Country"] = "Netherlands"
    assert order_attributes(orders) == (None, {})
