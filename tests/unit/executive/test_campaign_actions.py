"""07 turns 03a's campaign findings into actions (byod10a D5): repeat a campaign that lifted
its customers' spend, stop or review one that lowered it."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from opsai import executive as ex
from opsai.executive.actions import RULES, _campaigns
from opsai.executive.results import BEHAVIOR, FINDING_COLUMNS

pytestmark = pytest.mark.unit


def _run(*evidence: dict[str, object]) -> SimpleNamespace:
    rows = [
        {"chapter": BEHAVIOR, "title": "", "name": f"campaign_{e['campaign']}", "severity": "medium",
         "text": "...", "evidence": e, "href": ""}
        for e in evidence
    ]  # fmt: skip
    rows.append({"chapter": "04_demand_inventory", "title": "", "name": "campaign_9",
                 "severity": "high", "text": "", "evidence": {"direction": "up"}, "href": ""})  # fmt: skip
    return SimpleNamespace(findings=lambda: pd.DataFrame(rows, columns=FINDING_COLUMNS))


def test_a_lifting_campaign_is_repeated_and_a_falling_one_reviewed() -> None:
    up = {"campaign": "8", "type": "TypeA", "start": "2024-07-18", "end": "2024-08-27",
          "direction": "up", "ratio": 1.32, "low": 1.12, "high": 1.61, "extra_per_user": 9.86,
          "extra_total": 2947.0, "targeted": 299, "control": 899}  # fmt: skip
    down = up | {"campaign": "18", "type": "", "direction": "down", "ratio": 0.8, "low": 0.7,
                 "high": 0.9, "extra_total": -400.0}  # fmt: skip
    a, b = _campaigns(_run(up, down), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Repeat campaign 8 (TypeA), 2024-07-18 to 2024-08-27: send it again to customers like "
        "those it targeted, holding out a random part to measure it."
    )
    assert a["why"] == (
        "Its 299 targeted customers spent 1.32x what their trend predicts (95% interval "
        "1.12-1.61) against 899 customers in no campaign then: 2,947 USD more in all."
    )
    # the extra spend scales with ratio - 1: 2,947 x 0.12 / 0.32 and x 0.61 / 0.32
    assert (a["low"], a["mid"], a["high"]) == pytest.approx((1105.125, 2947.0, 5617.72), abs=0.01)
    assert a["evidence"][0]["href"] == "03a_user_behavior.html#finding-campaign_8"
    assert b["action"] == (
        "Stop or review campaign 18, 2024-07-18 to 2024-08-27: its targeted customers bought "
        "less than the others."
    )
    assert (b["low"], b["mid"], b["high"]) == pytest.approx((200.0, 400.0, 600.0))
    assert b["why"].endswith("400 USD less in all.")
    assert _campaigns in RULES  # the action plan runs it


def test_a_list_of_redeemers_is_not_repeated() -> None:
    # byod12b D14: 07's first action was "Repeat campaign DISC15 ... about 12,111 USD" from a
    # list of the code's users, whose spend during the campaign is high by construction
    from opsai.behavior import campaigns as cp
    from tests.unit.behavior.test_campaigns import _redeemers_data

    (f,) = cp.findings(cp.uplift(*_redeemers_data(), n_boot=50, seed=0), currency="USD")
    run = _run(f.evidence)
    assert run.findings()["name"].iloc[0] == "campaign_code"
    assert _campaigns(run, {}, ex.Assumptions(), "USD") == []  # type: ignore[arg-type]
