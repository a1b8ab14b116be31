"""Each chapter, run by papermill on the tiny demo, finds the facts planted in it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from opsai.report import build

pytestmark = pytest.mark.notebooks


def _results(run: build.ReportRun, stem: str) -> dict[str, Any]:
    data = json.loads((run.path / "results" / f"{stem}.json").read_text("utf-8"))
    assert data["status"] == "ok", data.get("reason")
    return data


def _finding(data: dict[str, Any], name: str) -> dict[str, Any]:
    found = {f["name"]: f for f in data["findings"]}
    assert name in found, sorted(found)
    return found[name]


@pytest.fixture(scope="module")
def truth(tiny_demo: Path) -> dict[str, dict[str, Any]]:
    facts = json.loads((tiny_demo.parent / "ground_truth.json").read_text("utf-8"))["facts"]
    return {f["id"]: f for f in facts}


def test_user_behaviour_finds_planted_facts(tiny_report: build.ReportRun, truth: dict) -> None:
    data = _results(tiny_report, "03a_user_behavior")
    churn = _finding(data, "churn_by_channel")["evidence"]
    assert churn["value"] == truth["churn_by_channel"]["channel"]
    assert churn["ratio"] == pytest.approx(truth["churn_by_channel"]["ratio"], abs=0.05)
    device = _finding(data, "funnel_gap_device")["evidence"]
    assert (device["worst"], device["best"]) == ("mobile", "desktop")
    planted = truth["mobile_checkout_conversion"]["conversion"]
    assert device["worst_rate"] == pytest.approx(planted["mobile"], abs=0.01)
    assert device["best_rate"] == pytest.approx(planted["desktop"], abs=0.01)
    top = _finding(data, "revenue_concentration")["evidence"]
    assert top["revenue_share"] == pytest.approx(
        truth["top_segment_revenue"]["revenue_share"], abs=0.02
    )
    for name in ("segments.table", "funnel.table", "retention.table", "churn.at_risk", "clv.table"):
        assert data["tables"][name], name


def test_user_behaviour_finds_the_losing_ad_campaign(
    tiny_report: build.ReportRun, truth: dict
) -> None:
    """The demo's planted ad campaign returning less than it costs (f13ads): named with its
    ROAS, its budget moved to the best campaign in 07's plan."""
    planted = truth["ads_losing_campaign"]
    data = _results(tiny_report, "03a_user_behavior")
    losing = _finding(data, "ads.losing")
    assert losing["severity"] == "high"
    (first, *_) = losing["evidence"]["campaigns"]
    assert first["campaign"] == planted["campaign"]
    assert first["roas"] == pytest.approx(planted["roas"][planted["campaign"]], abs=0.01)
    assert _finding(data, "ads.spend_rise")["evidence"]["campaign"] == planted["campaign"]
    move = _finding(data, "ads.budget_move")["evidence"]
    assert (move["from"], move["to"]) == (planted["campaign"], planted["best"])
    table = {r["campaign"]: r for r in data["tables"]["ads.table"]}
    assert {k: round(r["roas_shop"], 3) for k, r in table.items()} == pytest.approx(
        planted["roas"], abs=0.001
    )
    actions = _results(tiny_report, "07_integration")["tables"]["actions"]
    assert any(a["rule"] == "ads" and planted["campaign"] in a["action"] for a in actions)


def test_demand_inventory_alerts_the_planted_items(
    tiny_report: build.ReportRun, truth: dict
) -> None:
    data = _results(tiny_report, "04_demand_inventory")
    stockout = truth["stockout_item"]["item_id"]
    assert data["metrics"]["alerts.stockout_count"] >= 1
    alert = _finding(data, f"stockout.{stockout}")
    assert alert["severity"] == "high" and alert["evidence"]["stockout_probability"] > 0.9
    over = _finding(data, f"overstock.{truth['overstock_item']['item_id']}")["evidence"]
    assert over["weeks_of_cover"] > truth["overstock_item"]["min_weeks_of_cover"]
    assert 0.8 <= data["metrics"]["interval.coverage_95"] <= 1.0
    # the demo's price moves only in its promotions: the price response reads their lift
    response = _finding(data, "price_response")["evidence"]
    promo = truth["promo_lift"]
    lo, hi = response["interval"]
    assert response["price_moves_only_in_promotions"] and response["period_effects"]
    assert lo < np.log(promo["lift"]) / np.log(1 - promo["price_discount"]) < hi < -1
    # reconciled bands, recalibrated per level out of sample: only ever widened
    table = {r["level"]: r for r in data["tables"]["interval.reconciled_table"]}
    assert set(table) == {"item", "category", "total"}
    assert all(r["coverage_95"] >= r["coverage_95_before"] for r in table.values())
    assert data["metrics"]["interval.reconciled_coverage_95"] == table["total"]["coverage_95"]
    assert data["tables"]["plan.table"] and data["tables"]["backtest.table"]


def test_market_finds_the_price_cut_and_elasticity(
    tiny_report: build.ReportRun, truth: dict
) -> None:
    data = _results(tiny_report, "06_market_competition")
    cut = truth["competitor_price_cut"]
    move = _finding(data, "competitor_move_1")["evidence"]
    assert (move["company"], move["period"]) == (cut["company"], cut["month"])
    assert move["before"] == pytest.approx(cut["share_before_3m"], abs=0.002)
    assert move["after"] == pytest.approx(cut["share_after_3m"], abs=0.002)
    assert move["lo"] > 0  # the gain is significant
    el = truth["own_price_elasticity"]
    assert data["metrics"]["elasticity.own_price"] == pytest.approx(
        el["value"], abs=el["tolerance"]
    )
