"""The data overview (chapter ``00_data_overview``): what data there is, its quality, activity.

Every function takes a :class:`~opsai.data.workspace.Workspace` and aggregates in its engine
(DuckDB by default), so only small frames come back to pandas. The ``*_figure`` functions
return plotly figures of a fixed size (they print and export the same everywhere), and the
``*_finding(s)`` functions turn the numbers into plain-language :class:`Finding` sentences.

Example:
    >>> from opsai import overview
    >>> ws = open_workspace("demo/opsai.yaml")                    # doctest: +SKIP
    >>> daily = overview.daily_activity(ws)                        # doctest: +SKIP
    >>> overview.activity_finding(overview.recent_change(daily)).text  # doctest: +SKIP
    'Over the last 28 days revenue was 61,234 (-4.1% on the 28 days before) ...'
"""

from __future__ import annotations

from opsai.overview.delivery import delivery_findings, delivery_orders, late_rates
from opsai.overview.measures import (
    MARKUP,
    coverage,
    daily_activity,
    days_covered,
    duplicate_rows,
    markup_in_text,
    missing_values,
    outliers,
    quality_issues,
    recent_change,
    return_rates,
    return_spikes,
    returns_summary,
    store_summary,
    table_overview,
    top_items,
    validation_warnings,
    weekly_profile,
)
from opsai.overview.shares import attribute_shares, share_finding, share_table
from opsai.overview.story import (
    WIDTH,
    Finding,
    activity_figure,
    activity_finding,
    coverage_finding,
    missing_figure,
    quality_findings,
    return_spike_findings,
    returns_findings,
    rows_figure,
    store_finding,
    table_ends_finding,
    weekly_figure,
    weekly_finding,
)

__all__ = [
    "MARKUP",
    "WIDTH",
    "Finding",
    "activity_figure",
    "activity_finding",
    "attribute_shares",
    "coverage",
    "coverage_finding",
    "daily_activity",
    "days_covered",
    "delivery_findings",
    "delivery_orders",
    "duplicate_rows",
    "late_rates",
    "markup_in_text",
    "missing_figure",
    "missing_values",
    "outliers",
    "quality_findings",
    "quality_issues",
    "recent_change",
    "return_rates",
    "return_spike_findings",
    "return_spikes",
    "returns_findings",
    "returns_summary",
    "rows_figure",
    "share_finding",
    "share_table",
    "store_finding",
    "store_summary",
    "table_ends_finding",
    "table_overview",
    "top_items",
    "validation_warnings",
    "weekly_figure",
    "weekly_finding",
    "weekly_profile",
]
