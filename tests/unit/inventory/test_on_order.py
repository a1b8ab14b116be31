"""Stock on order counts in the inventory position (byod6 D10: 'Expedite' for an item whose
774 inbound units cover it)."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, ON_HAND, ON_ORDER, TIMESTAMP
from opsai.inventory import policy_table, purchase_plan, stockout_alerts

pytestmark = pytest.mark.unit


def _fc() -> pd.DataFrame:
    ts = pd.date_range("2025-12-01", periods=28)
    return pd.concat(
        [
            pd.DataFrame({ITEM_ID: i, TIMESTAMP: ts, "m": 10.0, "m-lo-95": 6.0, "m-hi-95": 14.0})
            for i in ("covered", "bare", "short")
        ]
    )


def _policy() -> pd.DataFrame:
    inv = pd.DataFrame(
        {
            ITEM_ID: ["covered", "bare", "short"],
            ON_HAND: [42.0, 42.0, 42.0],
            ON_ORDER: [774.0, None, 50.0],
            "lead_time_days": 14.0,
            "unit_cost": 8.0,
        }
    )
    return policy_table(_fc(), inv, model="m")


def test_on_order_counts_against_the_reorder_point_not_the_days_of_cover() -> None:
    pol = _policy().set_index(ITEM_ID)
    assert pol["position"].tolist() == [816.0, 42.0, 92.0]
    assert pol["days_of_cover"].round(1).tolist() == [4.2, 4.2, 4.2]  # of the stock on hand
    plan = purchase_plan(_policy(), _fc(), model="m").set_index(ITEM_ID)
    assert plan.loc["covered", "action"] == "no order in horizon"  # 816 - 280 > reorder point
    assert plan.loc["covered", ON_ORDER] == 774.0
    assert plan.loc["covered", "stockout_date"] == pd.Timestamp("2025-12-05")  # if it is late
    bare, short = plan.loc["bare"], plan.loc["short"]
    assert bare["action"] == short["action"] == "order now"
    assert short["quantity"] == bare["quantity"] - 50  # the 50 on order are not ordered again


def test_stockout_alert_uses_the_position_and_says_what_is_on_order() -> None:
    alerts = {a.evidence[ITEM_ID]: a for a in stockout_alerts(_policy())}
    assert set(alerts) == {"bare", "short"}  # 774 inbound: no alert for 'covered'
    short = alerts["short"]
    assert "42 on hand (about 4 days) and 50 on order, against 140 ± " in short.text
    assert short.evidence[ON_ORDER] == 50.0
    assert "42 on hand cover about 4 days, against 140" in alerts["bare"].text
