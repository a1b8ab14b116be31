"""Calendar periods, gaps in the companies present, and the scenario period (scrape-shaped data)."""

from __future__ import annotations

import pytest

from opsai.market import findings as fd

pytestmark = pytest.mark.unit


def test_no_negative_zero_in_market_text() -> None:
    f = fd.elasticity_finding(-0.001, 0.004, company="us", share=0.2)
    assert "elasticity 0.00 ± 0.01" in f.text and "-0.00" not in f.text
    assert fd._num(-0.0001, "+") == "-0.0001" and fd._num(-1e-9) == "-0.00000000100"
    ev = {"company": "b", "metric": "share", "event": 3, "before": 0.2, "after": 0.2}
    ev |= {"change": -1e-5, "lo": -0.02, "hi": 0.02, "n_after": 3}
    text = fd.move_finding({"change": -0.1, "metric": "price"}, ev).text
    assert "(+0.0 pp," in text and "-0.0" not in text
