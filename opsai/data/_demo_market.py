"""Monthly market figures for the demo company and its competitors.

Shares come from a logit over companies: utility = quality + BETA * log(price) +
GAMMA * log(marketing spend) + noise, so our own-price elasticity of share is
``BETA * (1 - share)``. Our price moves month to month (promotional pricing), which
identifies it; one competitor cuts its price for good in :data:`CUT_MONTH`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.data._demo_base import COMPANY, START, month_label

BETA = -2.0
GAMMA = 0.25
CUT_COMPANY = "BlueHarbor"
CUT_MONTH = 15  # 2024-04
CUT = -0.18
N_MONTHS = 24
# name, segment, quality, price level, marketing spend (thousands / month)
COMPANIES = (
    (COMPANY, "mid-market", 0.55, 42.0, 160.0),
    ("Oakridge Mart", "value", 0.10, 30.0, 220.0),
    (CUT_COMPANY, "mid-market", 0.40, 44.0, 150.0),
    ("Lumen & Co", "premium", 1.10, 68.0, 120.0),
    ("Pinecone Direct", "value", -0.10, 28.0, 90.0),
    ("Hanfeng Mall", "mid-market", 0.45, 40.0, 180.0),
    ("Crestline Outfitters", "premium", 0.80, 61.0, 70.0),
)
SEASON = np.array([1.0, 0.85, 0.95, 0.97, 1.0, 1.02, 1.0, 1.0, 1.03, 1.05, 1.35, 1.25])


def make_market(rng: np.random.Generator) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The market table and its planted facts."""
    t = np.arange(N_MONTHS)
    k = len(COMPANIES)
    size = 5_000.0 * np.exp(0.12 * t / 12) * SEASON[t % 12]  # thousand units
    base_price = np.array([c[3] for c in COMPANIES])[:, None] * (1 + 0.02 * t / 12)
    wiggle = np.exp(rng.normal(0, 0.015, (k, N_MONTHS)))
    wiggle[0] = np.exp(rng.normal(0, 0.07, N_MONTHS))  # our promotional pricing
    price = base_price * wiggle
    cut_row = [c[0] for c in COMPANIES].index(CUT_COMPANY)
    price[cut_row, CUT_MONTH:] *= 1 + CUT
    spend = np.array([c[4] for c in COMPANIES])[:, None] * np.exp(rng.normal(0, 0.1, (k, N_MONTHS)))
    spend *= SEASON[t % 12]
    quality = np.array([c[2] for c in COMPANIES])[:, None]
    util = (
        quality + BETA * np.log(price) + GAMMA * np.log(spend) + rng.normal(0, 0.03, (k, N_MONTHS))
    )
    share = np.exp(util - util.max(axis=0))
    share /= share.sum(axis=0)
    units = share * size[None, :]
    per_user = np.array([1.8, 1.6, 1.7, 2.2, 1.5, 1.7, 2.0])[:, None]
    periods = START.astype("datetime64[M]") + t.astype("timedelta64[M]")
    market = pd.DataFrame(
        {
            S.PERIOD: np.tile(periods.astype("datetime64[s]"), k),
            S.COMPANY: np.repeat([c[0] for c in COMPANIES], N_MONTHS),
            S.SALES: np.round((units * price).ravel(), 1),
            S.USERS: np.round((units / per_user).ravel(), 1),
            S.PRICE: np.round(price.ravel(), 2),
            S.SHARE: np.round(share.ravel(), 5),
            S.MARKETING_SPEND: np.round(spend.ravel(), 1),
            S.SEGMENT: np.repeat([c[1] for c in COMPANIES], N_MONTHS),
        }
    ).sort_values([S.PERIOD, S.COMPANY], kind="stable", ignore_index=True)

    s_cut = share[cut_row]
    before = float(s_cut[CUT_MONTH - 3 : CUT_MONTH].mean())
    after = float(s_cut[CUT_MONTH : CUT_MONTH + 3].mean())
    ours = share[0]
    elasticity = BETA * (1 - float(ours.mean()))
    return market, [
        {
            "id": "competitor_price_cut",
            "chapter": "06_market_competition",
            "text": (
                f"{CUT_COMPANY} cut its price by {-100 * CUT:.0f}% in {month_label(CUT_MONTH)}; "
                f"its share rose from {100 * before:.1f}% to {100 * after:.1f}% "
                "(3-month means)."
            ),
            "company": CUT_COMPANY,
            "month": month_label(CUT_MONTH),
            "price_change": CUT,
            "share_before_3m": round(before, 4),
            "share_after_3m": round(after, 4),
        },
        {
            "id": "own_price_elasticity",
            "chapter": "06_market_competition",
            "text": (
                f"Our own-price elasticity is about {elasticity:.2f}: a 10% price cut raises "
                f"our units by about {-10 * elasticity:.0f}%."
            ),
            "company": COMPANY,
            "value": round(elasticity, 3),
            "tolerance": 0.4,
            "logit_beta_log_price": BETA,
            "method": "log(share) ~ log(price) + controls for our company, or a logit on log price",
        },
        {
            "id": "our_share",
            "chapter": "06_market_competition",
            "text": (
                f"{COMPANY} holds {100 * ours[-12:].mean():.1f}% of the market over the last "
                f"12 months against {100 * ours[:12].mean():.1f}% the year before."
            ),
            "company": COMPANY,
            "share_last_12m": round(float(ours[-12:].mean()), 4),
            "share_prev_12m": round(float(ours[:12].mean()), 4),
            "competitors": [c[0] for c in COMPANIES[1:]],
        },
    ]
