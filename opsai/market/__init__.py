"""Chapter 6: market structure, competitors, price response, trends and scenarios.

Everything takes the contract's ``market`` table (period, company, sales and optionally
users, price, share, marketing_spend, segment) as a DataFrame or an Ibis table, or our own
sales series (the ``demand`` table) for :class:`LogLogElasticity`.

Example:
    >>> from opsai.market import concentration, detect_moves, LogitDemand   # doctest: +SKIP
"""

from __future__ import annotations

from opsai.market.demand import LogitDemand, nested_shares
from opsai.market.positioning import positioning_map, price_index, strengths_weaknesses
from opsai.market.pricing import LogLogElasticity, blp_instruments, company_panel, percent_effect
from opsai.market.response import (
    SpendResponse,
    adstock,
    hill,
    reallocate,
    response_curve,
    spend_what_if,
)
from opsai.market.scenario import simulate
from opsai.market.share import (
    concentration,
    growth_decomposition,
    market_shares,
    market_size,
    segment_changes,
    share_changes,
)
from opsai.market.trends import (
    band_findings,
    change_points,
    company_prices,
    decompose,
    detect_moves,
    event_study,
    product_price_index,
    product_price_moves,
    trend_forecast,
)

__all__ = [
    "LogLogElasticity",
    "LogitDemand",
    "SpendResponse",
    "adstock",
    "band_findings",
    "blp_instruments",
    "change_points",
    "company_panel",
    "company_prices",
    "concentration",
    "decompose",
    "detect_moves",
    "event_study",
    "growth_decomposition",
    "hill",
    "market_shares",
    "market_size",
    "nested_shares",
    "percent_effect",
    "positioning_map",
    "price_index",
    "product_price_index",
    "product_price_moves",
    "reallocate",
    "response_curve",
    "segment_changes",
    "share_changes",
    "simulate",
    "spend_what_if",
    "strengths_weaknesses",
    "trend_forecast",
]
