"""Reports with a totals row, and ad platforms' spend reports, for ``opsai init`` (byod12b D11).

A Google Ads "Campaign report" download ends with a ``Total: Account`` row whose date cell is
a label: no date cast reads it, so a table that maps that column gets ``where: "Day NOT LIKE
'Total%'"`` (a condition on the column's own name runs on the rows as read, before the casts).

An ad platform's report (cost, clicks, impressions and conversions per campaign and day) fits
no contract table: opsai has no ad-spend table, so it computes no ROAS. Init says so rather
than "fits no table", and names the ``where`` a mapping by hand needs for its footer.
"""

from __future__ import annotations

import re
from typing import Any

from opsai.data._load import totals_where

_COST = re.compile(r"^(?:cost|spend|amount spent|ad spend)\b", re.IGNORECASE)
_CAMPAIGN = re.compile(r"^campaign(?: name)?$", re.IGNORECASE)
_REACH = re.compile(r"^(?:impr\.?|impressions|clicks|link clicks|reach)$", re.IGNORECASE)
_RESULTS = re.compile(r"^(?:conversions|conv\.?|results|purchases)\b", re.IGNORECASE)


def totals_rows(
    options: dict[str, Any], notes: list[str], times: list[str], values: dict[str, list[str | None]]
) -> None:
    """Leave out a report's totals rows (a date column holding ``Total: Account``): sets
    ``options["where"]`` on the first of the time columns ``times`` with one among its sampled
    ``values``, with a note, unless a ``where`` is set already."""
    if "where" in options:
        return
    for c in times:
        cond = totals_where(c, values.get(c, []))
        if cond:
            options["where"] = cond
            notes.append(
                f"{c} holds a totals row's label ({cond.split(' NOT ')[0]}: a report's footer), "
                "which no date reads: those rows are left out (where)"
            )
            return


def ad_report(columns: list[str], values: dict[str, list[str | None]]) -> str:
    """Why an ad platform's spend report (a campaign, its cost, clicks or impressions, and
    conversions) is not placed, or "" when the file is none."""
    names = [c.strip() for c in columns]

    def has(rx: re.Pattern[str]) -> bool:
        return any(rx.search(n) for n in names)

    if not (has(_COST) and has(_CAMPAIGN) and has(_REACH) and has(_RESULTS)):
        return ""
    footer = ""
    for c in columns:
        cond = totals_where(c, values.get(c, []))
        if cond:
            footer = f"; a mapping by hand leaves its totals row out with where: {cond!r}"
            break
    return (
        ": an ad platform's spend report (cost, clicks and conversions per campaign and day). "
        "opsai has no ad-spend table, so it computes no ROAS or cost per order per campaign "
        "(market.marketing_spend is a company's spend beside its competitors', campaigns the "
        f"customers a campaign targeted){footer}"
    )
