"""Overview findings written from hand-built numbers."""

from __future__ import annotations

import pytest

from opsai.overview.story import activity_finding

pytestmark = pytest.mark.unit

CHANGE = {"enough_history": True, "days": 28, "end": "2024-12-31", "revenue": 11738.4,
          "revenue_change": -0.05, "orders": 412.0}  # fmt: skip


def test_activity_finding_writes_revenue_in_the_currency() -> None:
    f = activity_finding(CHANGE, currency="CNY")
    assert f.text == (
        "Over the last 28 days (to 2024-12-31) revenue was 11,738 CNY (-5.0% on the 28 days "
        "before), 412 orders."
    )
    assert "revenue was 11,738 (-5.0%" in activity_finding(CHANGE).text  # unit not known


def test_an_activity_finding_says_the_change_its_severity_comes_from() -> None:
    """Events only (a game): 'high' on a sentence that gave no change at all."""
    events = {"enough_history": True, "days": 28, "end": "2025-12-01", "active_users": 191.0,
              "active_users_change": -0.283}  # fmt: skip
    f = activity_finding(events)
    assert f.severity == "high"
    assert f.text == (
        "Over the last 28 days (to 2025-12-01) 191 daily active users on average (-28.3% on "
        "the 28 days before)."
    )
    both = activity_finding(CHANGE | {"active_users": 50.0, "active_users_change": -0.3})
    assert "(-5.0% on the 28 days before), 412 orders, 50 daily active users on average." in (
        both.text
    )
