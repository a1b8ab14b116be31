"""07's action from the overview's delivery findings."""

from __future__ import annotations

import pytest

from opsai.executive import RunResults, action_plan
from opsai.executive.results import OVERVIEW
from opsai.report.results import empty_result


def test_the_worst_delivery_segment_is_an_action_with_its_gap() -> None:
    overview = empty_result(OVERVIEW)
    overview["findings"] = [
        {"name": "delivery.worst", "severity": "high", "text": "First Class ...",
         "evidence": {"by": "ship_mode", "segment": "First Class", "rate": 0.95, "rest_rate": 0.45,
                      "orders": 400, "days_late": 1.0}},
        {"name": "delivery.fraud", "severity": "high", "text": "12% of Africa Occidental ...",
         "evidence": {"by": "region", "segment": "Africa Occidental", "share": 0.12,
                      "rest_share": 0.0}},
    ]  # fmt: skip
    plan = action_plan(RunResults({OVERVIEW: overview}), {})
    rows = plan.set_index("rule")
    d = rows.loc["delivery"]
    assert d["action"].startswith("Fix deliveries by ship mode First Class")
    assert (
        d["why"]
        == "95% of its 400 orders arrived late against 45% of the rest (1.0 days late on average)."
    )
    assert (d["low"], d["mid"], d["high"]) == pytest.approx((-50.0, -31.25, -12.5))
    assert d["area"] == "Fulfilment" and d["severity"] == "high"
    assert rows.loc["delivery_fraud", "action"].startswith("Review Africa Occidental orders")
    assert action_plan(RunResults({OVERVIEW: empty_result(OVERVIEW)}), {}).empty
