"""Numbers as findings write them.

Example:
    >>> share_pct(1 / 2985), share_pct(0.998), share_pct(0.25), share_pct(0.0)
    ('under 0.1%', '99.8%', '25%', '0%')
    >>> money(11738.4, "TWD"), money(11738.4), money(12.5, "USD", decimals=2)
    ('11,738 TWD', '11,738', '12.50 USD')
"""

from __future__ import annotations


def share_pct(x: float) -> str:
    """A share as a percentage that reads 0% or 100% only when it is exactly that.

    Whole percents between 1% and 99%; one decimal nearer the ends, so 1 ticket of 2,985
    is not "0%" and 99.8% answered is not "100% ... and routes the rest"; "under 0.1%" and
    "over 99.9%" beyond that.
    """
    p = 100.0 * float(x)
    if p <= 0.0 or p >= 100.0:
        return f"{p:.0f}%"
    if 1.0 <= p <= 99.0:
        return f"{p:.0f}%"
    if p < 0.1:
        return "under 0.1%"
    if p > 99.9:
        return "over 99.9%"
    return f"{p:.1f}%"


def money(x: float, currency: str = "", *, decimals: int = 0) -> str:
    """An amount with thousands separators and the config's currency code after it.

    The ISO code (``11,738 TWD``), not a symbol: ``$`` and ``¥`` each stand for several
    currencies. An empty ``currency`` writes the bare number (the unit is not known).
    """
    text = f"{float(x):,.{decimals}f}"
    return f"{text} {currency}" if currency else text
