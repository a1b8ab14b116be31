"""The executive action plan follows the market chapter's verdict on price (byod9b D6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai import executive as ex
from opsai.executive.results import MARKET

from .test_plan_and_text import joins

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("recorded", ["metric", "finding", None])
def test_no_price_action_when_the_market_chapter_found_no_price_response(
    run_folder: Path, recorded: str | None
) -> None:
    """byod9b D6: 06 said "No price move is recommended ... not identified" while 07's only
    action was "Test the best price move found: our price -5%" at +6.6% (+6.0% to +6.9%)."""
    run = ex.load_run(run_folder)
    market = run.chapters[MARKET]
    market["tables"]["scenario"] = [
        {"scenario": "our price -5%", "revenue_change": 0.0656, "revenue_change_lo": 0.0605,
         "revenue_change_hi": 0.0694},
        {"scenario": "our price +5%", "revenue_change": -0.07, "revenue_change_lo": -0.08,
         "revenue_change_hi": -0.06},
    ]  # fmt: skip
    plan = ex.action_plan(run, joins(run)).set_index("rule")
    assert plan.loc["price", "action"] == "Test the best price move found: our price -5%."
    assert plan.loc["price", "expected_effect"] == "about +6.6% (+6.0% to +6.9%)"
    if recorded == "metric":
        market["metrics"]["elasticity.identified"] = False
    elif recorded == "finding":  # a run saved before the metric
        market["findings"].append({"name": "strategy_3", "severity": "high",
                                   "text": "No price move is recommended for C: ...",
                                   "evidence": {"identified": False}})  # fmt: skip
    else:
        market["metrics"]["elasticity.identified"] = True
    plan = ex.action_plan(run, joins(run))
    assert ("price" in set(plan["rule"])) is (recorded is None)
