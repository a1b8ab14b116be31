"""The executive report on the tiny demo: reads only recorded results, finds the planted
cross-chapter fact, links every action to evidence that exists, and leads the index page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from opsai.report import build

pytestmark = pytest.mark.notebooks


def _results(run: build.ReportRun, stem: str) -> dict[str, Any]:
    data = json.loads((run.path / "results" / f"{stem}.json").read_text("utf-8"))
    assert data["status"] == "ok", data.get("reason")
    return data


@pytest.fixture(scope="module")
def truth(tiny_demo: Path) -> dict[str, dict[str, Any]]:
    facts = json.loads((tiny_demo.parent / "ground_truth.json").read_text("utf-8"))["facts"]
    return {f["id"]: f for f in facts}


def test_runs_last_and_finds_the_price_match_tickets(
    tiny_report: build.ReportRun, truth: dict
) -> None:
    assert [r.chapter.stem for r in tiny_report.runs][-1] == "07_integration"
    data = _results(tiny_report, "07_integration")
    fact = truth["price_match_tickets"]
    rose = data["tables"]["intents_after_moves"]
    top = rose[0]
    assert (top["intent"], top["company"], top["period"]) == (
        fact["intent"],
        fact["company"],
        fact["month"],
    )
    assert top["share_before"] == pytest.approx(fact["share_before_6m"], abs=0.05)
    assert top["share_after"] == pytest.approx(fact["share_after_6m"], abs=0.06)
    assert top["p_value"] < 0.05
    finding = {f["name"]: f for f in data["findings"]}["intents_after_moves"]
    assert finding["severity"] == "high" and fact["company"] in finding["text"]


def test_actions_link_to_evidence_that_exists(tiny_report: build.ReportRun, truth: dict) -> None:
    data = _results(tiny_report, "07_integration")
    actions = data["tables"]["actions"]
    assert data["metrics"]["actions.count"] == len(actions) >= 3
    stockout = truth["stockout_item"]["item_id"]
    assert any(stockout in a["action"] for a in actions)
    for a in actions:
        assert a["area"] and a["action"] and a["expected_effect"], a
        assert a["low"] is None or a["low"] <= a["mid"] <= a["high"] or a["unit"] == "pp", a
        for ev in a["evidence"]:
            page, _, anchor = ev["href"].partition("#")
            html = (tiny_report.path / page).read_text("utf-8")
            if anchor:
                assert f'id="{anchor}"' in html, ev
    scorecard = {r["key"]: r for r in data["tables"]["scorecard"]}
    assert {"revenue_28d", "share", "stockouts", "tickets"} <= set(scorecard)
    assert data["metrics"]["privacy.hits"] == 0
    assert {c["chapter"] for c in data["tables"]["model_cards"]} >= {
        "03a_user_behavior",
        "04_demand_inventory",
        "05_customer_service",
    }


def test_index_opens_on_the_executive_summary(tiny_report: build.ReportRun) -> None:
    index = (tiny_report.path / "index.html").read_text("utf-8")
    first = index.index("Executive summary")
    assert first < index.index("Key figures by chapter") < index.index("<h2>Findings</h2>")
    assert 'href="07_integration.html"' in index
    actions = re.findall(r'<tr class="sev-\w+"><td class="num">(\d+)</td>', index)
    assert actions[:3] == ["1", "2", "3"]
    run = json.loads((tiny_report.path / "run.json").read_text("utf-8"))
    assert not [w for w in run["warnings"] if w.startswith("Privacy")]
