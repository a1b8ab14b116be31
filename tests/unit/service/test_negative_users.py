from __future__ import annotations

import pandas as pd
import pytest

from opsai import service as sv

pytestmark = pytest.mark.unit


def test_negative_users_counts_and_orders() -> None:
    t = pd.DataFrame(
        {
            "ticket_id": list("abcde"),
            "user_id": ["u1", "u1", "u2", None, "u3"],
            "timestamp": pd.to_datetime(
                ["2024-01-01", "2024-02-01", "2024-01-05", "2024-01-01", "2024-03-01"]
            ),
            "intent": ["refund", "delivery", "refund", "x", "refund"],
            "sentiment": ["negative", "negative", "positive", "negative", "neg"],
        }
    )
    out = sv.negative_users(t)
    assert list(out["user_id"]) == ["u1", "u3"]
    assert list(out["negative_tickets"]) == [2, 1] and list(out["tickets"]) == [2, 1]
    assert out.loc[0, "last_intent"] == "delivery"
    assert out.loc[0, "last_negative"] == pd.Timestamp("2024-02-01")
    assert sv.negative_users(t.drop(columns="user_id")).empty
    assert sv.negative_users(t.assign(sentiment="positive")).empty
    # no timestamps (a labelled export): "last" is the last in table order, no date
    untimed = sv.negative_users(t.drop(columns="timestamp"))
    assert list(untimed["user_id"]) == ["u1", "u3"] and untimed.loc[0, "last_intent"] == "delivery"
    assert untimed["last_negative"].isna().all()
