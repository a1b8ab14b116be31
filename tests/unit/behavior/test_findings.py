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


def test_clv_unfit_says_why_and_reports_no_figure() -> None:
    f = findings.clv_unfit("BG/NBD: 30 of 30 predictions are negative", customers=30)
    assert f.name == "clv_holdout" and f.severity == "medium"
    assert f.evidence == {"reason": "BG/NBD: 30 of 30 predictions are negative", "customers": 30}
    assert f.text.startswith("The lifetime-value model did not fit these 30 buyers (BG/NBD: 30")
    assert "no purchase forecast or customer value is reported" in f.text
