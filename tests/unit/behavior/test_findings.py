"""Behaviour findings written from hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.behavior import findings

pytestmark = pytest.mark.unit

PERSONAS = pd.DataFrame(
    {"name": ["Loyal big spenders", "Occasional buyers"], "share": [0.2, 0.8],
     "revenue_share": [0.6, 0.4], "aov": [1234.5, 40.0], "frequency": [5.0, 1.2]}
)  # fmt: skip


def test_top_segment_quotes_the_average_order_in_the_currency() -> None:
    f = findings.top_segment(PERSONAS, currency="TWD")
    assert f.text == (
        "'Loyal big spenders' are 20% of buyers but bring 60% of revenue (average order "
        "1,234.50 TWD, 5.0 orders each)."
    )
    assert "(average order 1,234.50, 5.0" in findings.top_segment(PERSONAS).text


def test_top_segment_without_order_values_names_no_currency() -> None:
    f = findings.top_segment(PERSONAS, money=False, currency="TWD")
    assert f.text == (
        "'Loyal big spenders' are 20% of buyers but bring 60% of purchases (5.0 orders each)."
    )
