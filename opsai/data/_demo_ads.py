"""The demo company's advertising: four campaigns' daily spend over the last quarter, and the
UTM tags of the orders they brought.

From 2024-10-01 on, a share of the orders carries the ``utm_source``/``utm_medium``/
``utm_campaign`` of the campaign its visit came from (written in lower case with hyphens, as
tags are: ``display-prospecting`` for ``Display - Prospecting``), a few an e-mail's. Each
campaign's spend is set from the revenue its tagged orders bring, so its return on ad spend is
planted: ``Display - Prospecting`` returns less than it costs (:data:`LOSER`), and its spend
doubles in the quarter's second half while its orders do not. The platforms claim more
conversions than the shop sees (:data:`CLAIMED`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S

AD_START = pd.Timestamp("2024-10-01")
AD_END = pd.Timestamp("2024-12-31")
CAMPAIGNS = (  # name, channel, share of the quarter's orders it tags, planted ROAS
    ("Brand - Search", "google", 0.10, 4.0),
    ("Shopping - PMax", "google", 0.08, 2.5),
    ("Display - Prospecting", "google", 0.04, 0.5),
    ("Retargeting", "facebook", 0.06, 3.0),
)
LOSER = "Display - Prospecting"
"""The campaign returning less than it costs; its spend doubles in the second half."""
EMAIL = ("newsletter", "email", 0.03)
"""An e-mail's tag: a utm_campaign no ad campaign has."""
CLAIMED = 1.4
"""Platform conversions (and their value) per order the shop sees."""
CPC = {"google": 0.9, "facebook": 0.6}
CTR = {"google": 0.03, "facebook": 0.012}


def _tag(name: str) -> str:
    return "-".join(w for w in name.lower().replace("-", " ").split())


def make_ads(
    rng: np.random.Generator, orders: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """The ad_spend table, ``orders`` with its UTM columns, and the planted facts."""
    o = orders.copy()
    ts = pd.to_datetime(o[S.TIMESTAMP])
    window = ((ts >= AD_START) & (ts < AD_END + pd.Timedelta(days=1))).to_numpy()
    kinds = [
        (_tag(n), ch, "cpc" if ch == "google" else "paid_social", p) for n, ch, p, _ in CAMPAIGNS
    ]
    kinds.append((EMAIL[0], EMAIL[1], "email", EMAIL[2]))
    p = np.array([k[3] for k in kinds])
    draw = rng.choice(len(kinds) + 1, size=len(o), p=[*p, 1 - p.sum()])
    draw[~window] = len(kinds)  # before the quarter: no tags
    for col, i in ((S.UTM_SOURCE, 1), (S.UTM_MEDIUM, 2), (S.UTM_CAMPAIGN, 0)):
        o[col] = np.array([k[i] for k in kinds] + [None], dtype=object)[draw]
    days = pd.date_range(AD_START, AD_END)
    mid = len(days) // 2
    rows, facts_roas = [], {}
    for j, (name, channel, _, roas) in enumerate(CAMPAIGNS):
        revenue = float(o.loc[draw == j, S.AMOUNT].sum())
        n_orders = int(o.loc[draw == j, S.ORDER_ID].nunique())
        spend = revenue / roas
        weight = np.where(np.arange(len(days)) < mid, 1.0, 2.0 if name == LOSER else 1.0)
        weight = weight * rng.uniform(0.8, 1.2, len(days))
        daily = np.round(spend * weight / weight.sum(), 2)
        clicks = np.round(daily / CPC[channel])
        conv = np.round(CLAIMED * n_orders * weight / weight.sum(), 1)
        for d, s, c, k in zip(days, daily, clicks, conv, strict=True):
            rows.append(
                (d, name, channel, s, round(c / CTR[channel]), c, k, round(s * roas * CLAIMED, 2))
            )
        facts_roas[name] = round(revenue / float(daily.sum()), 4)
    ads = pd.DataFrame(rows, columns=[S.TIMESTAMP, S.CAMPAIGN, S.CHANNEL, S.SPEND, S.IMPRESSIONS,
                                      S.CLICKS, S.CONVERSIONS, S.CONVERSION_VALUE])  # fmt: skip
    ads[S.TIMESTAMP] = ads[S.TIMESTAMP].dt.strftime("%Y-%m-%d")
    best = max(facts_roas, key=lambda k: facts_roas[k])
    facts = [
        {
            "id": "ads_losing_campaign",
            "chapter": "03a_user_behavior",
            "text": (
                f"The ad campaign {LOSER!r} returns {facts_roas[LOSER]:.2f} per 1 spent (by the "
                f"orders tagged with it), less than it costs; {best!r} returns "
                f"{facts_roas[best]:.2f}. Its spend doubled in the quarter's second half while "
                "its orders did not."
            ),
            "campaign": LOSER,
            "roas": facts_roas,
            "best": best,
            "window": [str(AD_START.date()), str(AD_END.date())],
        }
    ]
    return ads, o, facts
