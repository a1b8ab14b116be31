"""07 turns 03a's ``ads.budget_move`` into an action: move budget from a campaign returning
less than it costs to the one returning most."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from opsai import executive as ex
from opsai.executive.actions import RULES, _ad_budget
from opsai.executive.results import BEHAVIOR, FINDING_COLUMNS

pytestmark = pytest.mark.unit


def _run(evidence: dict[str, object], chapter: str = BEHAVIOR) -> SimpleNamespace:
    row = {"chapter": chapter, "title": "", "name": "ads.budget_move", "severity": "high",
           "text": "...", "evidence": evidence, "href": ""}  # fmt: skip
    return SimpleNamespace(findings=lambda: pd.DataFrame([row], columns=FINDING_COLUMNS))


def test_a_losing_campaigns_budget_moves_to_the_best_one() -> None:
    ev = {"from": "PMax", "to": "Brand", "amount": 60.0, "roas_from": 0.25, "roas_to": 4.75,
          "revenue": 270.0, "basis": "roas_shop", "days": 8}  # fmt: skip
    (a,) = _ad_budget(_run(ev), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Move 60 USD of the ad budget from campaign 'PMax' (ROAS 0.25) to 'Brand' (ROAS 4.75)."
    )
    assert a["why"] == (
        "Over the ad report's 8 days 'PMax' brought 0.25 of revenue per 1 spent and 'Brand' "
        "4.75 (by the shop's tagged orders)."
    )
    gain = 60 * (4.75 - 0.25)  # 270: the high end; gap_closure's 0.25 of it the low end
    assert (a["low"], a["high"]) == (pytest.approx(0.25 * gain), pytest.approx(gain))
    assert a["severity"] == "high" and a["area"] == "Marketing"
    assert a["evidence"][0]["href"].endswith("ads.budget_move")
    assert _ad_budget in RULES
    assert _ad_budget(_run(ev, "06_market_competition"), {}, ex.Assumptions(), "USD") == []  # type: ignore[arg-type]
