"""Stock and orders of items without a unit cost: no money figure made from the default of 1
(byod6 D12: "3,824 units, worth 3,824 USD")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, LEAD_TIME_DAYS, ON_HAND, TIMESTAMP, UNIT_COST
from opsai.inventory import chapter as ich
from opsai.inventory import overstock_alerts, policy_table, purchase_plan

pytestmark = pytest.mark.unit


def _fc(items: list[str], per_day: float = 10.0) -> pd.DataFrame:
    ts = pd.date_range("2025-01-01", periods=28)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    ITEM_ID: i,
                    TIMESTAMP: ts,
                    "m": per_day,
                    "m-lo-95": per_day - 4,
                    "m-hi-95": per_day + 4,
                }
            )
            for i in items
        ]
    )


def _inv(**cols: list[float]) -> pd.DataFrame:
    return pd.DataFrame({ITEM_ID: ["low", "fat"], ON_HAND: [20.0, 5000.0], **cols})


def test_no_unit_cost_gives_units_only_and_names_the_defaults() -> None:
    inv = ich.with_prices(_inv(), pd.Series(dtype=float))
    pol = policy_table(_fc(["low", "fat"]), inv, model="m")
    plan = purchase_plan(pol, _fc(["low", "fat"]), model="m")
    assert plan.loc[plan["action"] == "order now", "order_value"].isna().all()
    f = ich.plan_finding(plan, currency="USD", policy=pol)
    n = plan.loc[plan["action"] == "order now", "quantity"].sum()
    assert f.text.startswith(f"1 of 2 items need a purchase order now ({n:,.0f} units; not valued")
    assert "USD" not in f.text and f.evidence["order_now_value"] is None
    over = overstock_alerts(pol, weeks=26, currency="USD")
    assert len(over) == 1 and "USD" not in over[0].text and "worth" not in over[0].text
    assert over[0].evidence["excess_value"] is None and over[0].evidence["excess_units"] > 3000
    d = ich.defaults_finding(inv, currency="USD")
    assert d is not None and d.severity == "medium"
    assert "lead time 14 days, order cost 50 USD per order, holding rate 25%" in d.text
    assert "unit cost and price not given for 2 of 2 items" in d.text
    assert "Map lead_time_days, order_cost, holding_rate, service_level, unit_cost" in d.text


def test_selling_price_values_stock_when_unit_cost_is_missing() -> None:
    inv = ich.with_prices(_inv(), pd.Series({"low": 20.0, "fat": 5.0}))
    assert inv["cost_basis"].tolist() == ["price", "price"]
    pol = policy_table(_fc(["low", "fat"]), inv, model="m")
    # EOQ on the price, not on 1: sqrt(2 * 3652.5 * 50 / (0.25 * 20)) = 270.3
    assert pol.set_index(ITEM_ID).loc["low", "eoq"] == np.ceil(np.sqrt(2 * 3652.5 * 50 / 5.0))
    plan = purchase_plan(pol, _fc(["low", "fat"]), model="m")
    now = plan[plan["action"] == "order now"].iloc[0]
    assert now["order_value"] == now["quantity"] * 20.0
    f = ich.plan_finding(plan, currency="USD", policy=pol)
    assert f"worth {now['order_value']:,.0f} USD at selling price)" in f.text
    over = overstock_alerts(pol, weeks=26, currency="USD")
    assert "USD at selling price are surplus" in over[0].text
    d = ich.defaults_finding(inv, currency="USD")
    assert d is not None and "valued at selling price" in d.text


def test_a_mapped_unit_cost_is_kept_and_nothing_is_said_when_all_is_given() -> None:
    inv = ich.with_prices(
        _inv(unit_cost=[8.0, np.nan], lead_time_days=[7.0, 7.0], order_cost=[10.0, 10.0],
             holding_rate=[0.2, 0.2], service_level=[0.9, 0.9]),
        pd.Series({"low": 20.0}),
    )  # fmt: skip
    assert inv[UNIT_COST].tolist()[0] == 8.0 and inv["cost_basis"].tolist() == [
        "unit_cost",
        "default",
    ]
    d = ich.defaults_finding(inv)
    assert d is not None and "unit cost and price not given for 1 of 2 items" in d.text
    full = inv.iloc[:1]
    assert ich.defaults_finding(full) is None
    assert LEAD_TIME_DAYS in full
