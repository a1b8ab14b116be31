"""Attributes taken from the orders (a Country on every order line) and attributes that give
the churn label away."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.behavior import findings
from opsai.behavior.attributes import lifted_attributes, order_attributes, outcome_attributes
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


def _labelled(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders of 400 users in the year before and a churn window of 90 days; users carry an
    honest channel (social churns about twice as often) and a segment written from the
    outcome (whether they bought in the training label window)."""
    rng = np.random.default_rng(seed)
    start, cut = pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-01")
    rows, users = [], []
    for i in range(400):
        social = i % 4 == 0
        stays = rng.random() > (0.6 if social else 0.3)
        days = rng.integers(0, (cut - start).days, size=3)
        when = [start + pd.Timedelta(days=int(d)) for d in days]
        if stays:
            when.append(cut + pd.Timedelta(days=int(rng.integers(1, 80))))
        when.append(cut + pd.Timedelta(days=179))  # everyone is seen later: the data runs on
        rows += [{"user_id": f"u{i}", "timestamp": w, "amount": 5.0} for w in when]
        users.append({"user_id": f"u{i}", "channel": "social" if social else "search",
                      "segment": "regular" if stays else "gone", "age": int(rng.integers(18, 70))})  # fmt: skip
    orders = pd.DataFrame(rows)
    orders["order_id"] = [f"o{k}" for k in range(len(orders))]
    return orders, pd.DataFrame(users)


def test_an_attribute_that_nearly_determines_the_training_label_is_left_out() -> None:
    """The label window of training ends 90 days before the data's last day, so with the data
    ending 2024-05-28 the training cut-off is 2023-12-01: the segment written from who bought
    after it reads ROC-AUC 1.00 and is left out; the channel with its 2x churn gap and the
    age are kept."""
    orders, users = _labelled()
    assert orders["timestamp"].max() == pd.Timestamp("2024-05-28")
    got = outcome_attributes(orders, users, horizon_days=90)
    assert got == {"segment": "its values nearly determine the outcome (ROC-AUC 1.00)"}
    rates = users.assign(gone=users["segment"] == "gone").groupby("channel")["gone"].mean()
    assert rates["social"] / rates["search"] > 1.7  # an honest strong driver, kept
    assert outcome_attributes(orders, users.drop(columns="segment"), horizon_days=90) == {}
    f = findings.leaky_attributes(got)
    assert "users.segment (its values nearly determine the outcome (ROC-AUC 1.00))" in f.text
