"""Shares and money as findings write them."""

from __future__ import annotations

import pytest

from opsai.report.wording import money, share_pct

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("x", "text"),
    [(0.0, "0%"), (1.0, "100%"), (0.25, "25%"), (0.005, "0.5%"), (0.004, "0.4%"),
     (0.0004, "under 0.1%"), (0.998, "99.8%"), (0.9996, "over 99.9%"), (0.995, "99.5%")],
)  # fmt: skip
def test_share_pct_reads_0_or_100_only_when_exact(x: float, text: str) -> None:
    assert share_pct(x) == text


@pytest.mark.parametrize(
    ("x", "currency", "decimals", "text"),
    [(11738.4, "USD", 0, "11,738 USD"), (11738.4, "", 0, "11,738"), (-1500.0, "CNY", 0, "-1,500 CNY"),
     (12.5, "TWD", 2, "12.50 TWD"), (0.0, "USD", 0, "0 USD")],
)  # fmt: skip
def test_money_puts_the_currency_code_after_the_amount(
    x: float, currency: str, decimals: int, text: str
) -> None:
    assert money(x, currency, decimals=decimals) == text
