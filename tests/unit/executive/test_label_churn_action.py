"""07 turns 03a's churn-label segment into an action (byod11a D10): retain the current customers
of the combination of values that churns most."""

from __future__ import annotations

import pytest

from opsai import executive as ex
from opsai.executive.actions import RULES, _label_segment
from opsai.executive.results import BEHAVIOR, RunResults

pytestmark = pytest.mark.unit

EVIDENCE = {
    "segment": "Contract=Month-to-month, InternetService=Fiber optic, PaymentMethod=Electronic check",
    "values": {"Contract": "Month-to-month", "InternetService": "Fiber optic",
               "PaymentMethod": "Electronic check"},
    "customers": 368, "churners": 222, "current": 146, "churn_rate": 0.6033, "low": 0.5525,
    "high": 0.6519, "rest_rate": 0.2025, "ratio": 2.979, "p_value": 6e-65, "tested": 15253,
    "at_risk_in_segment": 97,
}  # fmt: skip


def _run(evidence: dict[str, object] | None) -> RunResults:
    findings = [{"name": "churn_label.rate", "text": "...", "severity": "info", "evidence": {}}]
    if evidence is not None:
        findings.append({"name": "churn_label.segments", "text": "Churn is highest ...",
                         "severity": "high", "evidence": evidence})  # fmt: skip
    tables = {"churn_label.at_risk": [{"user_id": f"c{i}", "risk": 0.6} for i in range(100)]}
    return RunResults({BEHAVIOR: {"status": "ok", "findings": findings, "tables": tables,
                                  "metrics": {"churn_label.rate": 0.232}}})  # fmt: skip


def test_the_churn_label_segment_is_an_action() -> None:
    """The Telco file's 07 had no action for its churn label; the planted segment (60% churn
    against 20%, 146 still customers) is now a retention action whose effect is the
    segment's churn gap closed by 25% to 100%, its range from the rate's 95% interval."""
    (a,) = _label_segment(_run(EVIDENCE), {}, ex.Assumptions(), "USD")
    assert a["action"] == (
        "Retain the 146 current customers with Contract=Month-to-month, InternetService=Fiber "
        "optic, PaymentMethod=Electronic check: 60% of that segment have left, against 20%."
    )
    assert a["why"].startswith("368 customers have Contract=Month-to-month,")
    assert "(95% interval 55% to 65%) against 20% for everyone else (3.0x)" in a["why"]
    assert a["why"].endswith(
        "97 of the churn model's 100 at-risk customers are among them: call those first."
    )
    # (0.5525 - 0.2025) x 0.25 = 8.75 pp, (0.6033 - 0.2025) x 0.625 = 25.05, (0.6519 - 0.2025) x 1
    assert (a["low"], a["mid"], a["high"]) == pytest.approx((-44.94, -25.05, -8.75))
    assert a["unit"] == "pp" and a["severity"] == "high" and a["area"] == "Retention"
    assert a["evidence"][0]["href"] == "03a_user_behavior.html#finding-churn_label.segments"
    assert _label_segment in RULES
    plan = ex.action_plan(_run(EVIDENCE), {})
    assert plan["rule"].tolist() == ["churn_label_segment"]
    assert plan["expected_effect"].iloc[0] == "about -25.0 pp (-44.9 pp to -8.8 pp)"
    # no segment found (the demo's activity-defined churn has none): no action
    assert _label_segment(_run(None), {}, ex.Assumptions(), "USD") == []


def test_an_outcome_label_segment_is_worded_as_its_outcome() -> None:
    """byod12a D15: a bookings file's is_canceled mapped as users.churned is no churn; 07's
    action names the rows not yet canceled, not 'current customers' who 'have left'."""
    evidence = {
        "segment": "deposit_type=Non Refund", "values": {"deposit_type": "Non Refund"},
        "customers": 2802, "churners": 2676, "current": 126, "churn_rate": 0.955, "low": 0.947,
        "high": 0.962, "rest_rate": 0.271, "ratio": 3.52, "p_value": 1e-90, "tested": 300,
        "at_risk_in_segment": 60, "outcome": "canceled", "rows": "rows",
    }  # fmt: skip
    (a,) = _label_segment(_run(evidence), {}, ex.Assumptions(), "EUR")
    assert a["action"] == (
        "Act on the 126 rows with deposit_type=Non Refund not canceled: 96% of that segment "
        "are canceled, against 27%."
    )
    assert a["why"] == (
        "2,802 rows have deposit_type=Non Refund; 96% of them are canceled (95% interval 95% "
        "to 96%) against 27% for everyone else (3.5x), and 126 are not canceled. 60 of the "
        "model's 100 rows most like those canceled are among them: look at those first."
    )
