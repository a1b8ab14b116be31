"""The demo's users, their sessions of events and the orders those sessions end in.

Everything is vectorised over users, sessions and events (no Python loop over them): a user
lives an exponential lifetime whose hazard depends on the acquisition channel, visits at a
Gamma-distributed rate while alive, and each session walks the funnel with step
probabilities that depend on the session's channel (cart) and device (checkout, purchase).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from opsai.data import schema as S
from opsai.data._demo_base import (
    AS_OF,
    DAY_S,
    N_DAYS,
    choice,
    dict_ids,
    ids,
    seconds_to_ts,
)
from opsai.data._demo_catalog import CATEGORIES, PROMO_PRICE, Catalog

REGIONS = ("Shanghai", "Beijing", "Guangdong", "Zhejiang", "Sichuan",
           "US", "UK", "Canada", "Australia", "Singapore")  # fmt: skip
REGION_P = (0.12, 0.10, 0.12, 0.08, 0.06, 0.22, 0.10, 0.07, 0.07, 0.06)
N_CHINA = 5
CHANNELS = ("ads", "seo", "social", "referral", "email", "direct")
CHANNEL_P = (0.24, 0.20, 0.26, 0.12, 0.08, 0.10)
CART_P = (0.17, 0.22, 0.10, 0.26, 0.34, 0.22)  # view -> add_to_cart, by session channel
DEVICES = ("mobile", "desktop", "tablet")
CHECKOUT_P = (0.50, 0.58, 0.54)  # add_to_cart -> checkout, by device
PURCHASE_P = (0.38, 0.80, 0.62)  # checkout -> purchase, by device
EVENTS = ("visit", "search", "view", "add_to_cart", "checkout", "purchase")
BASE_HAZARD = 1 / 2500  # per day: mean lifetime ~7 years
CHURNY = "social"
HAZARD_RATIO = 3.0
VIP_AGE = (30, 45)
CHURN_INACTIVE_DAYS = 90
CHURN_MIN_TENURE_DAYS = 180
HOURS = np.array([1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 4, 4.5,
                  5, 4.5, 4, 4, 4.2, 4.5, 5, 6, 7, 7, 5, 2.5])  # fmt: skip


@dataclass
class People:
    users: pd.DataFrame
    events: pa.Table
    orders: pd.DataFrame
    user_ids: np.ndarray
    signup: np.ndarray
    """Signup second (since START) per user, ascending."""
    region: np.ndarray
    facts: list[dict[str, Any]]


def _hour_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    return choice(rng, HOURS, n) * 3600 + rng.integers(0, 3600, n)


def make_people(rng: np.random.Generator, n_users: int, rate: float, cat: Catalog) -> People:
    """Users, events and orders; ``rate`` is the mean sessions per active day."""
    end = N_DAYS * DAY_S - 3600
    # signups ramp up: density proportional to 1 + 2x over the two years
    a, u = 2.0, rng.random(n_users)
    x = (-1 + np.sqrt(1 + 2 * a * (1 + a / 2) * u)) / a
    day = np.minimum(np.floor(x * (N_DAYS - 1)), N_DAYS - 2)
    signup = np.sort(day * DAY_S + _hour_seconds(rng, n_users))
    region = choice(rng, REGION_P, n_users)
    china = region < N_CHINA
    age = np.clip(np.round(rng.normal(34, 10, n_users)), 18, 70).astype(int)
    in_band = (age >= VIP_AGE[0]) & (age < VIP_AGE[1])
    vip = rng.random(n_users) < 1 / (1 + np.exp(3.2 - 2.2 * in_band - 0.4 * (region < 2)))
    gender = choice(rng, [0.52, 0.45, 0.03], n_users)
    channel = choice(rng, CHANNEL_P, n_users)
    dev_p = np.where(china[:, None], [0.72, 0.22, 0.06], [0.5, 0.4, 0.1])
    device = (rng.random(n_users)[:, None] > np.cumsum(dev_p, axis=1)).sum(axis=1)
    cat_w = np.bincount(cat.category, weights=cat.level, minlength=len(CATEGORIES))
    pref = choice(rng, cat_w, n_users)
    user_ids = ids("u", n_users, 6)
    users = pd.DataFrame(
        {
            S.USER_ID: user_ids,
            S.SIGNUP_AT: seconds_to_ts(signup),
            "age": age,
            "gender": np.array(["female", "male", "other"])[gender],
            "region": np.array(REGIONS)[region],
            S.CHANNEL: np.array(CHANNELS)[channel],
            "device": np.array(DEVICES)[device],
        }
    )

    # lifetimes and sessions
    hazard = BASE_HAZARD * np.where(channel == CHANNELS.index(CHURNY), HAZARD_RATIO, 1.0)
    # stratified uniforms per channel: each channel's lifetimes follow its law closely even
    # in the tiny demo, so the planted churn gap does not hinge on a lucky draw
    u = np.empty(n_users)
    for c in range(len(CHANNELS)):
        idx = np.flatnonzero(channel == c)
        u[idx] = (rng.permutation(len(idx)) + rng.random(len(idx))) / max(len(idx), 1)
    last = np.minimum(signup - np.log1p(-u) / hazard * DAY_S, end)
    urate = rng.gamma(8.0, rate / 8, n_users) * np.where(vip, 3.5, 1.0)
    n_sess = 1 + rng.poisson(urate * (last - signup) / DAY_S)
    owner = np.repeat(np.arange(n_users), n_sess)
    first = np.r_[0, np.cumsum(n_sess)[:-1]]
    t = signup[owner] + rng.random(len(owner)) * (last - signup)[owner]
    t = np.floor(t / DAY_S) * DAY_S + _hour_seconds(rng, len(owner))
    t = np.clip(t, signup[owner], last[owner])
    t[first] = signup
    order = np.argsort(t, kind="stable")
    owner, t = owner[order], t[order]
    is_first = np.zeros(len(order), dtype=bool)
    is_first[np.argsort(order)[first]] = True
    n_s = len(owner)
    s_dev = np.where(rng.random(n_s) < 0.85, device[owner], rng.integers(0, 3, n_s))
    later = choice(rng, [0.5, 0.3, 0.2], n_s)  # own channel, direct, email
    s_chan = np.where(later == 0, channel[owner], np.where(later == 1, 5, 4))
    s_chan[is_first] = channel[owner[is_first]]

    # the funnel
    boost = np.where(vip[owner], 1.5, 1.0)
    search = rng.random(n_s) < 0.35
    n_view = np.where(rng.random(n_s) < 0.82, rng.geometric(0.5, n_s), 0)
    cart = (n_view > 0) & (rng.random(n_s) < np.minimum(np.array(CART_P)[s_chan] * boost, 0.9))
    checkout = cart & (rng.random(n_s) < np.array(CHECKOUT_P)[s_dev])
    purchase = checkout & (rng.random(n_s) < np.array(PURCHASE_P)[s_dev])

    # viewed items: 70% from the user's favourite category, the rest from anywhere
    v_sess = np.repeat(np.arange(n_s), n_view)
    v_cat = np.where(rng.random(len(v_sess)) < 0.7, pref[owner[v_sess]], choice(rng, cat_w, len(v_sess)))  # fmt: skip
    v_item = np.zeros(len(v_sess), dtype=np.int64)
    for k in range(len(CATEGORIES)):
        m = v_cat == k
        members = np.flatnonzero(cat.category == k)
        w = cat.level[members]
        v_item[m] = members[choice(rng, w, int(m.sum()))]
    v_first = np.r_[0, np.cumsum(n_view)[:-1]]
    cart_item = np.where(n_view > 0, v_item[np.maximum(v_first + n_view - 1, 0)], -1)

    # lay the events out session by session, in funnel order, without sorting
    n_ev = 1 + search + n_view + cart + checkout + purchase
    off = np.r_[0, np.cumsum(n_ev)[:-1]]
    total = int(n_ev.sum())
    ev = np.empty(total, dtype=np.int8)
    item = np.full(total, -1, dtype=np.int64)
    ev[off] = 0
    ev[(off + 1)[search]] = 1
    v_pos = off[v_sess] + 1 + search[v_sess] + (np.arange(len(v_sess)) - v_first[v_sess])
    ev[v_pos], item[v_pos] = 2, v_item
    nxt = off + 1 + search + n_view
    for code, flag in ((3, cart), (4, checkout), (5, purchase)):
        ev[nxt[flag]], item[nxt[flag]] = code, cart_item[flag]
        nxt = nxt + flag
    sess = np.repeat(np.arange(n_s), n_ev)
    gap = np.floor(rng.exponential(40.0, total)) + 1
    gap[off] = 0
    csum = np.cumsum(gap)
    ts = np.minimum(t[sess] + csum - csum[off][sess], N_DAYS * DAY_S - 1)

    events = pa.table(
        {
            S.USER_ID: dict_ids(user_ids, owner[sess]),
            S.SESSION_ID: dict_ids(ids("s", n_s, 8), sess),
            S.TIMESTAMP: pa.array(seconds_to_ts(ts).astype("datetime64[ms]")),
            S.EVENT: dict_ids(np.array(EVENTS, dtype=object), ev),
            S.ITEM_ID: pa.DictionaryArray.from_arrays(
                pa.array(item.astype(np.int32), mask=item < 0), pa.array(cat.item_ids, pa.string())
            ),
            "device": dict_ids(np.array(DEVICES, dtype=object), s_dev[sess]),
            S.CHANNEL: dict_ids(np.array(CHANNELS, dtype=object), s_chan[sess]),
        }
    )

    # orders: one line per purchase, priced on the day (promotion price when on promo)
    p_pos = nxt[purchase] - 1
    p_user, p_item, p_ts = owner[purchase], cart_item[purchase], ts[p_pos]
    qty = 1 + rng.poisson(np.where(vip[p_user], 1.6, 0.25))
    promo = cat.promo[p_item, (p_ts // DAY_S).astype(int)]
    unit = np.round(cat.price[p_item] * np.where(promo, PROMO_PRICE, 1.0), 2)
    orders = pd.DataFrame(
        {
            S.ORDER_ID: ids("o", len(p_user), 8),
            S.USER_ID: user_ids[p_user],
            S.TIMESTAMP: seconds_to_ts(p_ts),
            S.ITEM_ID: cat.item_ids[p_item],
            S.QUANTITY: qty.astype(float),
            S.AMOUNT: np.round(qty * unit, 2),
        }
    )

    facts = _facts(
        n_users, signup, channel, owner, t, s_dev, s_chan, n_view, cart, checkout, purchase,
        p_user, orders[S.AMOUNT].to_numpy(), in_band, v_sess, v_item, cat,
    )  # fmt: skip
    return People(users, events, orders, user_ids, signup, region, facts)


def _facts(
    n_users: int,
    signup: np.ndarray,
    channel: np.ndarray,
    owner: np.ndarray,
    t: np.ndarray,
    s_dev: np.ndarray,
    s_chan: np.ndarray,
    n_view: np.ndarray,
    cart: np.ndarray,
    checkout: np.ndarray,
    purchase: np.ndarray,
    p_user: np.ndarray,
    amount: np.ndarray,
    in_band: np.ndarray,
    v_sess: np.ndarray,
    v_item: np.ndarray,
    cat: Catalog,
) -> list[dict[str, Any]]:
    # churn: no session in the last 90 days, among users signed up 180+ days before AS_OF
    last_seen = np.zeros(n_users)
    np.maximum.at(last_seen, owner, t)
    horizon = N_DAYS * DAY_S
    eligible = signup < horizon - CHURN_MIN_TENURE_DAYS * DAY_S
    churned = last_seen < horizon - CHURN_INACTIVE_DAYS * DAY_S
    k = CHANNELS.index(CHURNY)
    rate = {c: float(churned[eligible & (channel == i)].mean()) for i, c in enumerate(CHANNELS)}
    others = float(churned[eligible & (channel != k)].mean())
    ratio = rate[CHURNY] / others
    # checkout -> purchase by device
    conv = {d: float(purchase[checkout & (s_dev == i)].mean()) for i, d in enumerate(DEVICES)}
    cart_rate = {
        c: float(cart[(n_view > 0) & (s_chan == i)].mean()) for i, c in enumerate(CHANNELS)
    }
    # revenue concentration
    rev = np.bincount(p_user, weights=amount, minlength=n_users)
    top = np.argsort(-rev, kind="stable")[: max(1, n_users // 10)]
    top_share = float(rev[top].sum() / rev.sum())
    band_index = float(in_band[top].mean() / in_band.mean())
    # taste: share of each user's views in their most viewed category
    vu = owner[v_sess]
    counts = np.bincount(vu * len(CATEGORIES) + cat.category[v_item],
                         minlength=n_users * len(CATEGORIES)).reshape(n_users, -1)  # fmt: skip
    many = counts.sum(axis=1) >= 5
    affinity = float((counts.max(axis=1)[many] / counts.sum(axis=1)[many]).mean())
    return [
        {
            "id": "churn_by_channel",
            "chapter": "03a_user_behavior",
            "text": (
                f"Users acquired through {CHURNY} churn {ratio:.1f}x as often as the others "
                f"({100 * rate[CHURNY]:.0f}% vs {100 * others:.0f}% inactive for "
                f"{CHURN_INACTIVE_DAYS}+ days)."
            ),
            "channel": CHURNY,
            "ratio": round(ratio, 2),
            "planted_hazard_ratio": HAZARD_RATIO,
            "churn_rate": {c: round(v, 4) for c, v in rate.items()},
            "definition": {
                "inactive_days": CHURN_INACTIVE_DAYS,
                "min_tenure_days": CHURN_MIN_TENURE_DAYS,
                "as_of": str(AS_OF),
                "channel_column": "users.channel",
            },
        },
        {
            "id": "mobile_checkout_conversion",
            "chapter": "03a_user_behavior",
            "text": (
                f"Mobile checkout converts far worse than desktop: {100 * conv['mobile']:.0f}% "
                f"of mobile sessions that reach checkout buy, against "
                f"{100 * conv['desktop']:.0f}% on desktop."
            ),
            "device": "mobile",
            "step": ["checkout", "purchase"],
            "conversion": {d: round(v, 4) for d, v in conv.items()},
            "planted": dict(zip(DEVICES, PURCHASE_P, strict=True)),
            "unit": "session",
        },
        {
            "id": "cart_rate_by_channel",
            "chapter": "03a_user_behavior",
            "text": (
                f"Email sessions add to cart most often ({100 * cart_rate['email']:.0f}% of "
                f"sessions with a view), social least ({100 * cart_rate['social']:.0f}%)."
            ),
            "best": "email",
            "worst": "social",
            "step": ["view", "add_to_cart"],
            "rate": {c: round(v, 4) for c, v in cart_rate.items()},
            "channel_column": "events.channel",
        },
        {
            "id": "top_segment_revenue",
            "chapter": "03a_user_behavior",
            "text": (
                f"The top 10% of users by revenue bring {100 * top_share:.0f}% of it; they are "
                f"aged {VIP_AGE[0]}-{VIP_AGE[1] - 1} {band_index:.1f}x as often as users overall."
            ),
            "user_share": 0.1,
            "revenue_share": round(top_share, 4),
            "over_index": {
                "attribute": "age",
                "range": [VIP_AGE[0], VIP_AGE[1] - 1],
                "index": round(band_index, 3),
            },
        },
        {
            "id": "category_affinity",
            "chapter": "03b_recommendation",
            "text": (
                f"Users have a favourite category: on average {100 * affinity:.0f}% of a "
                "user's views fall in their most viewed one, so collaborative models should "
                "beat popularity clearly."
            ),
            "mean_top_category_share": round(affinity, 4),
            "min_views": 5,
        },
    ]
