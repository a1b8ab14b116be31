"""Orders read from purchase events (``opsai.behavior.orders_from_events``)."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.behavior import orders_from_events, rfm
from opsai.behavior._engine import to_frame
from opsai.errors import OpsaiError


def _events(**extra: list) -> pd.DataFrame:
    e = pd.DataFrame(
        {
            "user_id": ["a", "a", "b", "b", "c", "c"],
            "timestamp": pd.to_datetime(
                ["2023-01-01", "2023-01-02", "2023-01-03", "2023-01-03", "2023-01-04", "2023-02-01"]
            ),
            "event": ["view", "Transaction", "Transaction", "Transaction", "view", "Transaction"],
            "item_id": ["i1", "i1", "i2", "i3", "i1", "i4"],
        }
    )
    for k, v in extra.items():
        e[k] = v
    return e


def test_value_and_order_id_properties() -> None:
    e = _events(
        transactionid=[None, 5.0, 7.0, 7.0, None, 9.0], Revenue=[None, 10, 3, None, None, 4]
    )
    orders, info = orders_from_events(e)
    got = to_frame(orders.order_by(["timestamp", "item_id"]))
    assert got.columns.tolist() == ["user_id", "timestamp", "amount", "order_id", "item_id"]
    assert got["user_id"].tolist() == ["a", "b", "b", "c"]
    assert got["amount"].tolist() == [10.0, 3.0, 0.0, 4.0]  # a purchase without a value counts 0
    assert got["order_id"].tolist() == ["5", "7", "7", "9"]  # 5.0 -> '5'
    assert info["event"] == "Transaction" and info["rows"] == 4
    assert (info["value"], info["order_id"], info["missing_values"]) == (
        "Revenue",
        "transactionid",
        1,
    )
    assert "4 'Transaction' events are read as orders" in info["text"]
    assert "'Revenue'; 1 without one count as 0" in info["text"]
    # the two item rows of order 7 are one order for RFM
    assert rfm(orders).loc["b", "frequency"] == 1 and rfm(orders).loc["b", "monetary"] == 3.0


def test_without_a_value_each_purchase_counts_one() -> None:
    orders, info = orders_from_events(_events(price_band=["x"] * 6))  # a text property is no value
    got = to_frame(orders)
    assert info["value"] is None and info["order_id"] is None
    assert got["amount"].tolist() == [1.0, 1.0, 1.0, 1.0]
    # b's two purchases at one time are one basket (byod11a D4)
    assert (got["order_id"].nunique(), info["orders"], info["basket"]) == (3, 3, "time")
    one = orders_from_events(_events().drop(index=3))[0]  # no two at one time: rows as orders
    assert "order_id" not in to_frame(one).columns
    assert "each counts as 1" in info["text"] and "ORDER_VALUE" in info["text"]


def test_named_value_column_and_event() -> None:
    e = _events(total=[0, 1, 2, 3, 4, 5], paid=[0.0, 20.0, 30.0, 40.0, 0.0, 50.0])
    e.loc[e["event"] == "view", "event"] = "checkout"
    orders, info = orders_from_events(e, purchase="checkout", value="paid")
    assert info["event"] == "checkout" and info["value"] == "paid"
    assert to_frame(orders)["amount"].tolist() == [0.0, 0.0]
    _, auto = orders_from_events(e)  # the first known name wins: total
    assert auto["value"] == "total"


def test_errors_name_the_parameter_and_the_fix() -> None:
    with pytest.raises(
        OpsaiError, match=r"no 'signup' event .*events include: Transaction, view.*PURCHASE_EVENT"
    ):
        orders_from_events(_events(), purchase="signup")
    with pytest.raises(
        OpsaiError, match=r"ORDER_VALUE 'item_id' is not a numeric column .*numeric: none"
    ):
        orders_from_events(_events(), value="item_id")
    with pytest.raises(OpsaiError, match=r"ORDER_VALUE 'amount_eur' is not a numeric"):
        orders_from_events(_events(), value="amount_eur")
    with pytest.raises(OpsaiError, match=r"events: column 'event' not found"):
        orders_from_events(_events().drop(columns="event"))


def test_a_game_in_app_purchase_is_the_purchase() -> None:
    """A game names its purchase iap_purchase: 03a/04 said "no 'purchase' event (nor
    transaction, order or buy)" unless PURCHASE_EVENT was set in each chapter. The event whose
    name holds the word purchase is taken, and the text says which; one that did not happen
    (purchase_failed, iap_purchase_start) never is."""
    from opsai.behavior import match_steps

    e = _events()
    e["event"] = ["ad_view", "iap_purchase", "iap_purchase", "purchase_failed", "ad_view",
                  "iap_purchase"]  # fmt: skip
    orders, info = orders_from_events(e, value=None)
    assert info["event"] == "iap_purchase" and info["rows"] == 3
    assert to_frame(orders.order_by("timestamp"))["user_id"].tolist() == ["a", "b", "c"]
    assert info["text"].startswith(
        "No orders table: 3 'iap_purchase' events are read as orders (no 'purchase' event: "
        "'iap_purchase' is the one whose name says purchase; PURCHASE_EVENT names another)"
    )
    assert match_steps(e, ["view", "purchase"]) == (["iap_purchase"], ["view"])  # not ad_view
    from opsai.behavior.funnels import purchase_like

    assert purchase_like(["in_app_purchase", "iap_purchase_start", "PurchaseFailed"]) == (
        "in_app_purchase"
    )
    assert purchase_like(["PurchaseCompleted", "level_up"]) == "PurchaseCompleted"
    assert purchase_like(["purchase_failed", "iap_purchase_start", "view"]) is None
    # an exact or alias name still wins, with no remark
    e["event"] = ["view", "iap_purchase", "transaction", "transaction", "view", "view"]
    _, info = orders_from_events(e)
    assert info["event"] == "transaction" and "whose name says" not in info["text"]


def test_a_sessions_purchase_rows_are_one_order() -> None:
    """byod11a D4: REES46 writes one purchase row per product, with the user_session; each
    row was an order, so a 3-item basket made 3 orders (orders +25%, average order -20%).
    A user's purchases in one session are one order; the text says how many."""
    e = pd.DataFrame({
        "user_id": ["a", "a", "a", "a", "b", "b", "c"],
        "session_id": ["s1", "s1", "s1", "s2", "s3", "s3", None],
        "timestamp": pd.to_datetime(["2023-01-01 10:00:00", "2023-01-01 10:00:01",
                                     "2023-01-01 10:00:03", "2023-01-05 09:00:00", "2023-01-02 08:00:00",
                                     "2023-01-02 08:00:02", "2023-01-03 07:00:00"]),
        "event": ["purchase", "purchase", "purchase", "purchase", "purchase", "view", "purchase"],
        "price": [10.0, 20.0, 30.0, 5.0, 7.0, 9.0, 4.0],
    })  # fmt: skip
    orders, info = orders_from_events(e)
    got = to_frame(orders.order_by("timestamp"))
    assert got["order_id"].nunique() == 4 and (info["rows"], info["orders"]) == (6, 4)
    assert info["basket"] == "session" and info["order_id"] is None
    assert info["text"].startswith(
        "No orders table: 6 'purchase' events are read as 4 orders, one per user and session"
    )
    r = rfm(orders)
    assert r.loc["a", "frequency"] == 2 and r.loc["a", "monetary"] == pytest.approx(65.0)
