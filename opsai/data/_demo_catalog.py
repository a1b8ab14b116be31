"""The demo catalogue, its two years of daily demand and the inventory snapshot.

Demand per item and day is negative binomial around a mean with a log-linear trend, weekly
and category-specific yearly seasonality, shopping festivals (11.11, Black Friday) and
promotion windows; a third of the catalogue is an intermittent long tail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from opsai.data import schema as S
from opsai.data._demo_base import N_DAYS, START, choice, ids

XSS = '<script>alert("xss")</script>'
GROWTH = 0.30  # log growth per year
PROMO_LIFT = 1.7
PROMO_PRICE = 0.8
WEEKLY = np.array([0.92, 0.93, 0.95, 0.98, 1.05, 1.12, 1.05])  # Mon..Sun


@dataclass(frozen=True)
class Category:
    name: str
    weight: float
    price: float
    amp: float
    """Log-amplitude of the yearly cycle."""
    peak_doy: int
    nouns: tuple[tuple[str, str], ...]
    """(English, Chinese) product nouns."""


CATEGORIES = (
    Category("Home & Kitchen", 0.20, 32, 0.10, 330, (
        ("Bamboo Cutting Board", "竹砧板"), ("Cast Iron Skillet", "铸铁煎锅"),
        ("Ceramic Mug Set", "陶瓷马克杯套装"), ("Glass Food Container", "玻璃保鲜盒"),
        ("Pour-Over Coffee Kettle", "手冲咖啡壶"), ("Knife Block Set", "刀具套装"))),
    Category("Electronics", 0.18, 59, 0.12, 320, (
        ("Wireless Earbuds", "无线耳机"), ("Power Bank 20000mAh", "充电宝"),
        ("USB-C Charger", "USB-C充电器"), ("Smart Desk Lamp", "智能台灯"),
        ("Bluetooth Speaker", "蓝牙音箱"), ("Fitness Tracker", "运动手环"))),
    Category("Apparel", 0.16, 39, 0.15, 290, (
        ("Merino Wool Sweater", "美利奴羊毛衫"), ("Waterproof Rain Jacket", "防水冲锋衣"),
        ("Cotton T-Shirt", "纯棉T恤"), ("Running Shoes", "跑步鞋"), ("Denim Jeans", "牛仔裤"))),
    Category("Outdoor & Garden", 0.14, 49, 0.85, 190, (
        ("Camping Tent 2-Person", "双人帐篷"), ("Folding Camp Chair", "折叠露营椅"),
        ("Insulated Water Bottle", "保温水壶"), ("Solar Garden Lights", "太阳能花园灯"),
        ("Hiking Backpack 30L", "登山背包"))),
    Category("Beauty & Care", 0.12, 24, 0.10, 150, (
        ("Vitamin C Serum", "维C精华"), ("Sunscreen SPF50", "防晒霜"), ("Hair Dryer", "吹风机"),
        ("Electric Toothbrush", "电动牙刷"))),
    Category("Tea & Snacks", 0.10, 16, 0.25, 25, (
        ("Oolong Tea Gift Box", "乌龙茶礼盒"), ("Jasmine Green Tea", "茉莉绿茶"),
        ("Mixed Nuts", "每日坚果"), ("Dried Mango", "芒果干"))),
    Category("Toys & Games", 0.10, 29, 0.30, 355, (
        ("Wooden Puzzle", "木制拼图"), ("Building Blocks Set", "积木套装"),
        ("Board Game", "桌游"), ("Plush Panda", "熊猫毛绒玩具"))),
)  # fmt: skip
SEASONAL = "Outdoor & Garden"
BRANDS = (("Northwind", "北风"), ("Harbor & Pine", "港松"), ("Lumio", "流明"),
          ("Qinghe", "清禾"), ("Atlas Home", "阿特拉斯"), ("Maple Ridge", "枫岭"))  # fmt: skip
ADJECTIVES = (("Classic", "经典"), ("Premium", "高端"), ("Compact", "便携"), ("Eco", "环保"),
              ("Pro", "专业版"), ("Everyday", "日常"), ("Deluxe", "豪华"), ("Lite", "轻量"))  # fmt: skip
VARIANTS = (("", ""), (" - Set of 2", "两件装"), (" - Large", "大号"), (" - Black", "黑色"),
            (" - Blue", "蓝色"), (" - 2024 Edition", "2024款"))  # fmt: skip
FEATURES = ("Backed by a one-year warranty.", "Ships from our Hangzhou warehouse.",
            "Free returns within 30 days.", "A customer favourite since launch.",
            "Designed in Shanghai, tested in London.")  # fmt: skip


@dataclass
class Catalog:
    """Everything the other parts of the demo need from the catalogue."""

    items: pd.DataFrame
    demand: pa.Table
    inventory: pd.DataFrame
    item_ids: np.ndarray
    category: np.ndarray
    """Category index per item."""
    level: np.ndarray
    """Popularity (mean units per day at the start)."""
    price: np.ndarray
    promo: np.ndarray
    """(items, days) bool: the item is on promotion that day."""
    noun_en: np.ndarray
    noun_zh: np.ndarray
    roles: dict[str, int]
    """Planted roles -> item index: stockout, overstock, defective, xss."""
    facts: list[dict[str, Any]] = field(default_factory=list)


def _festivals(days: np.ndarray) -> np.ndarray:
    """Multiplier for 11.11 and Black Friday week."""
    dates = START + days.astype("timedelta64[D]")
    md = (dates - dates.astype("datetime64[Y]")).astype(int)  # day of year, 0-based
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    doy_nov = np.where(year % 4 == 0, 305, 304)  # Nov 1
    out = np.ones(len(days))
    out[(md >= doy_nov + 8) & (md <= doy_nov + 11)] = 1.8  # Nov 9-12
    out[(md >= doy_nov + 23) & (md <= doy_nov + 29)] *= 1.3  # last week of November
    return out


def mean_demand(level: np.ndarray, cat: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Expected units per (item, day) without promotions; ``days`` counted from START."""
    dates = START + days.astype("timedelta64[D]")
    doy = (dates - dates.astype("datetime64[Y]")).astype(int)
    dow = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    amp = np.array([c.amp for c in CATEGORIES])[cat][:, None]
    peak = np.array([c.peak_doy for c in CATEGORIES])[cat][:, None]
    yearly = np.exp(amp * np.cos(2 * np.pi * (doy[None, :] - peak) / 365.25)) / np.i0(amp)
    common = np.exp(GROWTH * days / 365.25) * WEEKLY[dow] * _festivals(days)
    return level[:, None] * yearly * common[None, :]


def make_catalog(rng: np.random.Generator, n_items: int) -> Catalog:
    """Items, demand and inventory for ``n_items`` products."""
    n_cat = len(CATEGORIES)
    cat = np.concatenate(
        [np.arange(n_cat), choice(rng, [c.weight for c in CATEGORIES], n_items - n_cat)]
    )
    tail = rng.random(n_items) < 0.3
    level = np.where(tail, rng.uniform(0.05, 0.5, n_items), np.exp(rng.normal(1.2, 0.8, n_items)))
    level = np.minimum(level, 40.0)
    # planted roles (fixed positions keep them stable across scales)
    steady = [i for i in range(n_items) if CATEGORIES[cat[i]].amp <= 0.15]
    roles = {
        "stockout": next(i for i in steady if CATEGORIES[cat[i]].name != "Electronics"),
        "defective": int(np.flatnonzero(cat == 1)[0]),
    }
    roles["overstock"] = next(i for i in steady if i not in roles.values())
    roles["xss"] = n_items - 1
    level[roles["stockout"]] = max(25.0, level.max())
    level[roles["defective"]] = 12.0
    level[roles["overstock"]] = 3.0
    level[roles["xss"]] = 0.3
    tail[list(roles.values())] = False
    tail[roles["xss"]] = True

    noun_idx = rng.integers(0, 1_000_000, n_items)
    noun_en = np.array([CATEGORIES[c].nouns[k % len(CATEGORIES[c].nouns)][0] for c, k in zip(cat, noun_idx, strict=True)], dtype=object)  # fmt: skip
    noun_zh = np.array([CATEGORIES[c].nouns[k % len(CATEGORIES[c].nouns)][1] for c, k in zip(cat, noun_idx, strict=True)], dtype=object)  # fmt: skip
    b = rng.integers(0, len(BRANDS), n_items)
    a = rng.integers(0, len(ADJECTIVES), n_items)
    v = rng.integers(0, len(VARIANTS), n_items)
    zh = rng.random(n_items) < 0.2
    titles = [
        f"{BRANDS[b[i]][1]}{ADJECTIVES[a[i]][1]}{noun_zh[i]} {VARIANTS[v[i]][1]}".strip()
        if zh[i]
        else f"{BRANDS[b[i]][0]} {ADJECTIVES[a[i]][0]} {noun_en[i]}{VARIANTS[v[i]][0]}"
        for i in range(n_items)
    ]
    titles[roles["xss"]] = f"{titles[roles['xss']]} {XSS}"
    f = rng.integers(0, len(FEATURES), n_items)
    desc = [
        f"{ADJECTIVES[a[i]][0]} {noun_en[i].lower()} by {BRANDS[b[i]][0]}. {FEATURES[f[i]]}"
        for i in range(n_items)
    ]
    base = np.array([c.price for c in CATEGORIES])[cat] * np.exp(rng.normal(0, 0.35, n_items))
    price = np.floor(np.maximum(base, 3.0)) + 0.99
    item_ids = ids("i", n_items, 4)
    items = pd.DataFrame(
        {
            S.ITEM_ID: item_ids,
            S.TITLE: titles,
            S.CATEGORY: [CATEGORIES[c].name for c in cat],
            S.PRICE: price,
            S.DESCRIPTION: desc,
            S.BRAND: [BRANDS[k][0] for k in b],
        }
    )

    # promotions: ~5 windows of 3-7 days per item, none on the snapshot's eve
    n_win = rng.poisson(5, n_items)
    who = np.repeat(np.arange(n_items), n_win)
    start = rng.integers(0, N_DAYS - 10, len(who))
    length = rng.integers(3, 8, len(who))
    diff = np.zeros((n_items, N_DAYS + 8), dtype=np.int16)
    np.add.at(diff, (who, start), 1)
    np.add.at(diff, (who, start + length), -1)
    promo = np.cumsum(diff, axis=1)[:, :N_DAYS] > 0

    days = np.arange(N_DAYS)
    mu = mean_demand(level, cat, days) * np.where(promo, PROMO_LIFT, 1.0)
    r = np.where(tail, 0.8, 3.0)[:, None]
    qty = rng.negative_binomial(r, r / (r + mu)).astype(np.float64)
    unit_price = np.round(np.where(promo, price[:, None] * PROMO_PRICE, price[:, None]), 2)
    demand = pa.table(
        {
            S.ITEM_ID: np.repeat(item_ids, N_DAYS).astype(str),
            S.TIMESTAMP: pa.array(
                np.tile(START + days.astype("timedelta64[D]"), n_items).astype("datetime64[ms]")
            ),
            S.QUANTITY: qty.ravel(),
            S.PRICE: unit_price.ravel(),
            S.PROMO: promo.ravel().astype(np.float64),
        }
    )

    inventory, inv_facts = _inventory(rng, level, cat, price, qty, roles, item_ids)
    facts = inv_facts + _demand_facts(qty, promo, cat, tail, items)
    return Catalog(
        items, demand, inventory, item_ids, cat, level, price, promo, noun_en, noun_zh, roles, facts
    )


def _inventory(
    rng: np.random.Generator,
    level: np.ndarray,
    cat: np.ndarray,
    price: np.ndarray,
    qty: np.ndarray,
    roles: dict[str, int],
    item_ids: np.ndarray,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    n = len(level)
    lead = choice(rng, [0.15, 0.2, 0.25, 0.2, 0.12, 0.08], n)
    lead = np.array([7, 10, 14, 21, 30, 45])[lead]
    future = mean_demand(level, cat, np.arange(N_DAYS, N_DAYS + 120))
    lead_demand = np.array([future[i, : lead[i]].sum() for i in range(n)])
    cover = np.where(level < 1, rng.uniform(2.4, 3.2, n), rng.uniform(1.7, 2.6, n))
    on_hand = np.maximum(np.ceil(lead_demand * cover), 8.0)
    so, ov = roles["stockout"], roles["overstock"]
    lead[so] = 21
    lead_demand[so] = future[so, :21].sum()
    on_hand[so] = np.floor(0.3 * lead_demand[so])
    on_hand[ov] = np.ceil(future[ov, :91].mean() * 7 * 60)
    service = np.array([0.9, 0.95, 0.97, 0.98])[rng.integers(0, 4, n)]
    service[so] = 0.98
    inv = pd.DataFrame(
        {
            S.ITEM_ID: item_ids,
            S.ON_HAND: on_hand,
            S.LEAD_TIME_DAYS: lead.astype(float),
            S.UNIT_COST: np.round(price * rng.uniform(0.45, 0.6, n), 2),
            S.ORDER_COST: np.array([40.0, 60.0, 80.0, 120.0, 150.0])[rng.integers(0, 5, n)],
            S.HOLDING_RATE: np.array([0.18, 0.2, 0.25, 0.3])[rng.integers(0, 4, n)],
            S.SERVICE_LEVEL: service,
        }
    )
    recent28 = qty[:, -28:].mean(axis=1)
    recent91 = qty[:, -91:].mean(axis=1)
    facts = [
        {
            "id": "stockout_item",
            "chapter": "04_demand_inventory",
            "text": (
                f"Item {item_ids[so]} will stock out inside its {lead[so]}-day lead time: "
                f"{on_hand[so]:.0f} on hand against about {lead_demand[so]:.0f} units of "
                "expected lead-time demand."
            ),
            "item_id": str(item_ids[so]),
            "on_hand": float(on_hand[so]),
            "lead_time_days": int(lead[so]),
            "expected_lead_time_demand": round(float(lead_demand[so]), 1),
            "mean_daily_demand_last_28d": round(float(recent28[so]), 2),
            "days_of_cover": round(float(on_hand[so] / max(recent28[so], 1e-9)), 1),
        },
        {
            "id": "overstock_item",
            "chapter": "04_demand_inventory",
            "text": (
                f"Item {item_ids[ov]} is overstocked: {on_hand[ov]:.0f} units on hand cover "
                f"about {on_hand[ov] / max(recent91[ov] * 7, 1e-9):.0f} weeks of demand."
            ),
            "item_id": str(item_ids[ov]),
            "on_hand": float(on_hand[ov]),
            "weeks_of_cover": round(float(on_hand[ov] / max(recent91[ov] * 7, 1e-9)), 1),
            "min_weeks_of_cover": 26,
        },
    ]
    return inv, facts


def _demand_facts(
    qty: np.ndarray, promo: np.ndarray, cat: np.ndarray, tail: np.ndarray, items: pd.DataFrame
) -> list[dict[str, Any]]:
    days = np.arange(N_DAYS)
    month = ((START + days.astype("timedelta64[D]")).astype("datetime64[M]").astype(int)) % 12
    total_by_month = np.array([qty[:, month == m].sum() for m in range(12)])
    ratios: dict[str, float] = {}
    peaks: dict[str, int] = {}
    for k, c in enumerate(CATEGORIES):
        by_m = np.array([qty[cat == k][:, month == m].sum() for m in range(12)])
        share = by_m / total_by_month
        ratios[c.name] = float(share.max() / max(share.min(), 1e-12))
        peaks[c.name] = int(share.argmax()) + 1
    y1, y2 = qty[:, :365].sum(), qty[:, 365:].sum()  # 2023, 2024
    on = np.where(promo, qty, np.nan)
    off = np.where(promo, np.nan, qty)
    has = promo.any(axis=1) & ~tail
    lift = float(np.nanmean(on[has], axis=1).sum() / np.nanmean(off[has], axis=1).sum())
    return [
        {
            "id": "seasonal_category",
            "chapter": "04_demand_inventory",
            "text": (
                f"{SEASONAL} is strongly seasonal: its share of units peaks in month "
                f"{peaks[SEASONAL]} at {ratios[SEASONAL]:.1f}x its low month; no other "
                f"category exceeds {max(v for k, v in ratios.items() if k != SEASONAL):.1f}x."
            ),
            "category": SEASONAL,
            "peak_month": peaks[SEASONAL],
            "peak_to_trough": round(ratios[SEASONAL], 2),
            "method": "category share of monthly units, by calendar month over both years",
        },
        {
            "id": "promo_lift",
            "chapter": "04_demand_inventory",
            "text": (
                f"Promotions ({100 * (1 - PROMO_PRICE):.0f}% off) lift daily units by about "
                f"{100 * (lift - 1):.0f}% (planted x{PROMO_LIFT})."
            ),
            "lift": round(lift, 3),
            "planted_lift": PROMO_LIFT,
            "price_discount": round(1 - PROMO_PRICE, 2),
        },
        {
            "id": "demand_growth",
            "chapter": "04_demand_inventory",
            "text": f"Total units grew {100 * (y2 / y1 - 1):.0f}% from 2023 to 2024.",
            "yoy_growth": round(float(y2 / y1 - 1), 3),
            "planted_log_growth_per_year": GROWTH,
        },
    ]
