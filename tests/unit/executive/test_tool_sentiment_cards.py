"""07 words a listening tool's sentiment (05's ``sentiment_by: tool``) as the tool's: the
negative-share card, the driver action and the service model card never call it ratings."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from opsai import executive as ex
from opsai.executive.actions import _service_drivers
from opsai.executive.cards import _service
from opsai.executive.results import SERVICE, RunResults
from opsai.executive.scorecard import _negative_share

pytestmark = pytest.mark.unit

EVIDENCE = {"column": "intent", "value": "recall", "tickets": 100, "negative": 60,
            "share": 0.6, "others_share": 0.1, "negative_total": 80, "p_value": 1e-12}  # fmt: skip


def _findings(**extra: object) -> pd.DataFrame:
    ev = {**EVIDENCE, **extra}
    return pd.DataFrame([{"name": "sentiment_driver_intent_recall", "text": "...",
                          "severity": "medium", "evidence": ev, "chapter": SERVICE}])  # fmt: skip


def test_the_driver_action_names_the_listening_tool() -> None:
    (a,) = _service_drivers(_findings(rated=False, by="tool"), ex.Assumptions())
    assert a["action"] == (
        "Find and fix what goes wrong for customers in 'recall' tickets: 60% are labelled "
        "negative by the listening tool against 10% of the others."
    )
    assert a["unit"] == "fewer tickets the listening tool labels negative"
    (b,) = _service_drivers(_findings(rated=True, by="customer"), ex.Assumptions())
    assert "60% are rated negative" in b["action"] and b["unit"] == "fewer negative ratings"
    assert _service_drivers(_findings(rated=False, by="text"), ex.Assumptions()) == []


def test_the_negative_share_card_says_whose_sentiment_it_is() -> None:
    t = pd.DataFrame({"period": ["2025-10", "2025-11"], "tickets": [400, 381],
                      "negative": [69, 66], "negative_share": [69 / 400, 66 / 381],
                      "base": "tool", "predicted": [2400, 2252]})  # fmt: skip
    run = SimpleNamespace(table=lambda chapter, name: t, metric=lambda chapter, name: None)
    value, change, _, label = _negative_share(run)  # type: ignore[arg-type]
    assert value == pytest.approx(0.1732, abs=1e-4) and change == pytest.approx(0.07, abs=0.01)
    assert label == (
        "2025-11 vs period before, of 381 tickets by the listening tool's sentiment "
        "(not customers' ratings)"
    )


def test_the_service_card_reports_agreement_with_the_tool() -> None:
    metrics = {"intent.model": "topics", "sentiment.labels_by": "tool",
               "sentiment.tool_agreement": 0.75, "sentiment.accuracy_en": 0.8}  # fmt: skip
    run = RunResults({SERVICE: {"status": "ok", "findings": [], "tables": {}, "metrics": metrics}})
    card = _service(run)
    assert card is not None
    assert "the listening tool's labels (not customers' ratings)" in card["evaluation"]
    assert "agrees with the tool on 75% of tickets" in card["evaluation"]
    assert "agreement with the tool" in str(card["metrics"])
    assert "vs listening tool" in str(card["metrics"])
