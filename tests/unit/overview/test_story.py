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
