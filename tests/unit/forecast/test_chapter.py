"""The demand chapter's findings."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import fill_gaps
from opsai.forecast.chapter import coverage_finding, empty_periods_finding, pattern_finding

pytestmark = pytest.mark.unit


def test_weeks_missing_from_the_export_are_named() -> None:
    """A weekly export without its rows of two weeks: zero-filled, and said so."""
    weeks = pd.date_range("2024-01-01", periods=8, freq="W-MON")
    rows = [(i, w, 5.0) for i in ("A", "B") for k, w in enumerate(weeks) if k not in (2, 5)]
    raw = pd.DataFrame(rows, columns=[ITEM_ID, TIMESTAMP, QUANTITY])
    bottom = fill_gaps(raw, freq="W")
    f = empty_periods_finding(bottom, freq="W")
    assert f is not None and f.severity == "medium" and f.name == "empty_periods"
    assert f.text.startswith("2 of 8 weeks inside the data's span have no sales of any item ")
    assert "(2024-01-15, 2024-02-05)" in f.text
    assert (
        empty_periods_finding(fill_gaps(raw[raw[ITEM_ID] == "A"].iloc[:2], freq="W"), freq="W")
        is None
    )


def test_coverage_finding_names_safety_stocks_only_when_there_is_stock() -> None:
    with_stock = coverage_finding(0.74, model="Theta").text
    assert with_stock.endswith("(too narrow); safety stocks are sized from them.")
    assert coverage_finding(0.74, model="Theta", stock=False).text.endswith("(too narrow).")


def test_pattern_finding_writes_thousands_as_the_others_do() -> None:
    patterns = pd.DataFrame({"pattern": ["lumpy"] * 13314 + ["smooth"]})
    assert pattern_finding(patterns).text.startswith("13,314 of 13,315 items (100%) sell")
