"""Reports with a totals row, and ad platforms' spend reports, for ``opsai init`` (byod12b D11).

A Google Ads "Campaign report" download ends with a ``Total: Account`` row whose date cell is
a label: no date cast reads it, so a table that maps that column gets ``where: "Day NOT LIKE
'Total%'"`` (a condition on the column's own name runs on the rows as read, before the casts).

An ad platform's report (cost, clicks, impressions and conversions per campaign and day) is
the ``ad_spend`` table (:func:`place`): Google Ads' ``Day, Campaign, Impr., Clicks, Cost,
Conversions, Conv. value`` and Meta's ``Reporting starts, Campaign name, Amount spent (USD),
Impressions, Link clicks, Results``, their channel a constant (``google``, ``facebook``: what
the orders' ``utm_source`` says), the footer left out with its ``where``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from opsai.data import _sniff
from opsai.data._load import TOTALS_LABEL, totals_where
from opsai.data._synonyms import fold

if TYPE_CHECKING:
    from opsai.data.init import Guess, _Values

_COST = re.compile(r"^(?:cost|spend|amount spent|ad spend)\b", re.IGNORECASE)
_CAMPAIGN = re.compile(r"^campaign(?: name)?$", re.IGNORECASE)
_REACH = re.compile(r"^(?:impr\.?|impressions|clicks|link clicks|reach)$", re.IGNORECASE)
_RESULTS = re.compile(r"^(?:conversions|conv\.?|results|purchases)\b", re.IGNORECASE)
_DAY = re.compile(r"^(?:day|date|reporting starts|week|month)$", re.IGNORECASE)
_CONVERSIONS = re.compile(r"^(?:conversions|(?:website )?purchases|results)$", re.IGNORECASE)
_VALUE = re.compile(r"^(?:conv\. value|conversion value|(?:total )?conv\. value|"
                    r"(?:website )?purchases? conversion value|results value)$", re.IGNORECASE)  # fmt: skip
_IMPRESSIONS = re.compile(r"^(?:impr\.?|impressions)$", re.IGNORECASE)
_CLICKS = re.compile(r"^(?:clicks|link clicks)$", re.IGNORECASE)
_CHANNEL = re.compile(r"^(?:channel|platform|source|network|publisher platform)$", re.IGNORECASE)
_META = ("amountspent", "reportingstarts", "linkclicks", "resultindicator", "campaignname")
"""Folded column names only Meta's Ads Manager export has."""
_CURRENCY = re.compile(r"\(([A-Z]{3})\)")


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


def ad_report(columns: list[str]) -> bool:
    """Whether the columns are an ad platform's spend report: a campaign, its cost, clicks or
    impressions, and conversions."""
    names = [c.strip() for c in columns]

    def has(rx: re.Pattern[str]) -> bool:
        return any(rx.search(n) for n in names)

    return has(_COST) and has(_CAMPAIGN) and has(_REACH) and has(_RESULTS)


def _first(columns: list[str], rx: re.Pattern[str]) -> str | None:
    return next((c for c in columns if rx.search(c.strip())), None)


def place(sample: _sniff.Sample, cols: dict[str, _Values]) -> Guess | None:
    """The ``ad_spend`` guess of an ad platform's campaign report, else None: the day, the
    campaign and its cost by name (:data:`_DAY`, :data:`_CAMPAIGN`, :data:`_COST`), with
    impressions, clicks and conversions beside them, as :func:`ad_report` recognises it."""
    from opsai.data.init import Guess, Match

    names = list(cols)
    if not ad_report(names):
        return None
    day, campaign, cost = _first(names, _DAY), _first(names, _CAMPAIGN), _first(names, _COST)
    if day is None or campaign is None or cost is None:
        return None
    days = [v for v in cols[day].values if not TOTALS_LABEL.match(v)]
    share, fmt = _sniff.timestamp_format(days)
    if share < 0.9:
        return None
    matches = [Match("timestamp", day, 1.0, fmt), Match("campaign", campaign, 1.0)]
    matches.append(Match("spend", cost, 1.0))
    for contract, rx in (
        ("impressions", _IMPRESSIONS),
        ("clicks", _CLICKS),
        ("conversions", _CONVERSIONS),
        ("conversion_value", _VALUE),
    ):
        if (src := _first(names, rx)) is not None:
            matches.append(Match(contract, src, 1.0))
    meta = sum(fold(c).startswith(_META) for c in names) >= 2
    options: dict[str, Any] = dict(sample.options)
    notes = [
        f"an ad platform's campaign report ({'Meta Ads' if meta else 'Google Ads'}-shaped: "
        f"{day!r}, {campaign!r}, {cost!r}): ad_spend, one row per campaign and day. Its "
        "campaigns are matched to the orders' utm_campaign (case and spaces aside)"
    ]
    if (src := _first(names, _CHANNEL)) is not None:
        matches.append(Match("channel", src, 1.0))
    else:  # one platform per file: the orders' utm_source names it so
        options["constants"] = {"channel": "facebook" if meta else "google"}
        notes.append(
            f"channel: {options['constants']['channel']!r} for every row (the platform; set "
            "constants.channel to what your orders' utm_source says)"
        )
    if fmt:
        options["timestamp_format"] = fmt
    rows = zip(sample.values.get(day, []), sample.values.get(campaign, []), strict=False)
    if any(not (c or "").strip() and not TOTALS_LABEL.match(d or "") for d, c in rows):
        options["drop_incomplete"] = True  # Meta's first row: the account's total, no campaign
        notes.append(f"rows without a {campaign!r} (the account's total) are left out")
    totals_rows(options, notes, [day], sample.values)
    if (m := _CURRENCY.search(cost)) is not None:
        notes.append(f"spend is in {m.group(1)} ({cost!r}): set currency: {m.group(1)} if the "
                     "config's is another")  # fmt: skip
    kinds = (
        cols[ind].values if (ind := _first(names, re.compile(r"^result indicator$", re.I))) else []
    )
    if other := sorted({k for k in kinds if "purchase" not in k.lower()}):
        notes.append(
            f"Results count other actions than purchases for some campaigns ({other[0]!r}): "
            "the platform's conversions mix them; the shop's own orders (utm_campaign) do not"
        )
    ends = _first(names, re.compile(r"^reporting ends$", re.IGNORECASE))
    if ends and [v for v in cols[ends].values if not TOTALS_LABEL.match(v)] != days:
        notes.append(
            f"a row spans {day!r} to {ends!r} (several days): its spend counts on its first "
            "day; export with Breakdown: By time: Day for a weekly trend"
        )
    return Guess("ad_spend", sample, matches, 2.0 * 3 + len(matches) - 3, options, notes)


def second_report(guess: Guess) -> str:
    """What to do with a second ad report (Meta's beside Google's): one ad_spend per config."""
    if guess.table != "ad_spend":
        return ""
    return (
        ": one ad_spend table per config, so its campaigns count in no return on ad spend. "
        "Export both platforms' reports with the same columns (day, campaign, cost, clicks, "
        "conversions and a channel column) into one file, or stack them (ad_spend: {file: "
        "'ads_*.csv'} reads files of one header)"
    )
