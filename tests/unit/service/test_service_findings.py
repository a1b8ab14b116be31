"""Sentences of the customer-service chapter."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.service.findings import escalation_text

pytestmark = pytest.mark.unit


def test_escalation_text_counts_with_separators_and_says_why() -> None:
    queue = pd.DataFrame({"priority": [2] * 3 + [1] * 1232})
    assert escalation_text(queue, valued=True, open_known=True) == (
        "1,235 open tickets need a senior agent (3 of them angry and from a high-value customer)."
    )
    assert escalation_text(queue, valued=False, open_known=False) == (
        "1,235 tickets (no resolution column: all count as open) need a senior agent (angry "
        "customers; no spend to rank them by: that needs orders and user ids on tickets)."
    )
    empty = escalation_text(queue.iloc[:0], valued=True, open_known=True)
    assert empty == "No open tickets need a senior agent: none is angry or high-value."


def test_reply_finding_without_intent_labels_says_the_replies_are_unscored() -> None:
    from opsai.service.findings import reply_finding

    replies = pd.DataFrame(
        {"reply_intent": ["a", "b", "a", "b"], "escalate": [True, False, False, False]}
    )
    f = reply_finding(replies, None, ["a", "b"])
    assert f.evidence == {"hit_rate": None, "escalated": 0.25, "scored": False}
    assert f.text.startswith(
        "Tickets carry no intent labels, so the 4 suggested replies below come"
    )
    assert "25% go to an agent" in f.text and "data.tables.tickets.columns.intent" in f.text
    scored = reply_finding(replies, pd.Series(["a", "a", "a", "b"]), ["a", "b"])
    assert scored.evidence["hit_rate"] == 0.75
