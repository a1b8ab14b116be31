"""What advertising returns: each campaign's spend against the orders it brought.

The ``ad_spend`` table (one row per campaign and day: Google Ads' Campaign report, Meta's Ads
Manager export) gives what each campaign cost and what the platform claims it earned (its
conversions and their value). The shop's own orders say what it brought: an order whose
``utm_campaign`` (or the ``utm_campaign`` of its ``landing_url``) names the campaign, case,
spaces and punctuation aside (``brand-search`` is ``Brand - Search``), placed between the ad
report's first and last day. A new customer is one whose first order in the data is that order.

ROAS is revenue per unit of spend, by the platform's conversion value and by the shop's
attributed revenue; below 1 a campaign returns less than it costs (before the cost of the goods
sold). Cost per order and per new customer divide the spend by the shop's orders.

Example:
    >>> ads = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-01", "2024-01-01"]),
    ...     "campaign": ["Brand", "PMax"], "spend": [10.0, 20.0]})
    >>> orders = pd.DataFrame({"order": ["1", "2"], "user_id": ["a", "b"],
    ...     "timestamp": pd.to_datetime(["2024-01-01"] * 2), "amount": [30.0, 5.0],
    ...     "new": [True, False], "utm_source": [None, None], "utm_campaign": ["brand", " PMAX"]})
    >>> t = campaign_table(ads, orders)
    >>> t[["campaign", "roas_shop", "cost_per_order"]].values.tolist()  # highest spend first
    [['PMax', 0.25, 20.0], ['Brand', 3.0, 10.0]]
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from opsai.data.schema import (
    AMOUNT,
    CAMPAIGN,
    CHANNEL,
    CLICKS,
    CONVERSION_VALUE,
    CONVERSIONS,
    IMPRESSIONS,
    LANDING_URL,
    ORDER_ID,
    SPEND,
    TIMESTAMP,
    USER_ID,
    UTM_CAMPAIGN,
    UTM_SOURCE,
    fold_name,
)
from opsai.report.finding import Finding
from opsai.report.wording import money

SPEND_RISE = 1.2
"""A campaign's spend in the second half of the report at least this times the first half's ..."""
REVENUE_FLAT = 1.05
"""... while its attributed revenue grew by at most this factor: spend rose, revenue did not."""
FAR_BELOW = 0.5
"""A campaign whose ROAS is below this share of the other campaigns' is far below the rest."""
MOVE_SHARE = 0.5
"""Share of a losing campaign's spend the budget action moves (a part stays, to keep measuring)."""

COLUMNS = [
    "campaign", "channel", "spend", "impressions", "clicks", "ctr", "cpc", "conversions",
    "conversion_value", "orders", "revenue", "new_customers", "roas_platform", "roas_shop",
    "cost_per_order", "cost_per_new_customer",
]  # fmt: skip
"""The campaign and channel tables' columns (``channel`` is the channel table's key)."""
_SUMS = [SPEND, IMPRESSIONS, CLICKS, CONVERSIONS, CONVERSION_VALUE]


def key(names: pd.Series) -> pd.Series:
    """Campaign names folded for matching: lower case, no spaces or punctuation (empty: NA)."""
    out = names.map(lambda x: fold_name(x) if isinstance(x, str) else "")
    return out.where(out != "")


def utm_from_url(url: object, param: str) -> str | None:
    """One UTM parameter of a landing URL (``/p?utm_campaign=Brand%20Search`` gives ``Brand
    Search``), None when it has none."""
    if not isinstance(url, str) or "?" not in url:
        return None
    query = parse_qs(urlsplit(url.strip()).query)
    got = {k.lower(): v for k, v in query.items()}.get(param)
    return got[0] if got else None


def tagged_orders(
    orders: ir.Table, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.DataFrame, dict[str, float]]:
    """The orders placed from ``start`` up to the end of day ``end`` that carry a UTM tag, one
    row per order (its lines summed: ``order, user_id, timestamp, amount, new, utm_source,
    utm_campaign``), and the totals of all orders then (``orders``, ``revenue``), computed in
    the engine. ``new``: the order is its customer's first in the data."""
    o = orders
    cols = [c for c in (UTM_SOURCE, UTM_CAMPAIGN, LANDING_URL) if c in o.columns]
    order = o[ORDER_ID].cast("string") if ORDER_ID in o.columns else None
    firsts = o.filter(o[USER_ID].notnull()).group_by(USER_ID).aggregate(first=o[TIMESTAMP].min())
    hi = end.normalize() + pd.Timedelta(days=1)
    w = o.filter((o[TIMESTAMP] >= start.normalize()) & (o[TIMESTAMP] < hi))
    if order is not None:
        row = ibis.literal("row ") + ibis.row_number().cast("string")  # a line without an id
        w = w.mutate(order=w[ORDER_ID].cast("string").fill_null(row))
        w = w.group_by("order").aggregate(
            **{USER_ID: w[USER_ID].max(), TIMESTAMP: w[TIMESTAMP].min(), AMOUNT: w[AMOUNT].sum()},
            **{c: w[c].cast("string").max() for c in cols},
        )
    else:  # each row is an order
        w = w.mutate(order=ibis.row_number().cast("string"))
        w = w.select("order", USER_ID, TIMESTAMP, AMOUNT, *cols)
    totals = w.aggregate(orders=w.count(), revenue=w[AMOUNT].sum()).to_pandas().iloc[0]
    if not cols:
        return pd.DataFrame(columns=["order", USER_ID, TIMESTAMP, AMOUNT, "new"]), {
            "orders": float(totals["orders"]),
            "revenue": float(totals["revenue"] or 0.0),
        }
    any_tag = ibis.or_(*(w[c].notnull() & (w[c].strip() != "") for c in cols))
    w = w.filter(any_tag).left_join(firsts, USER_ID)
    w = w.mutate(new=(w["first"] == w[TIMESTAMP]).fill_null(False))
    df = w.select("order", USER_ID, TIMESTAMP, AMOUNT, "new", *cols).to_pandas()
    for c in (UTM_SOURCE, UTM_CAMPAIGN):  # from the landing page where the column is empty
        url = df[LANDING_URL].map(lambda u, c=c: utm_from_url(u, c)) if LANDING_URL in df else None
        if url is not None:
            df[c] = (
                df[c].where(df[c].notna() & (df[c].astype(str).str.strip() != ""), url)
                if c in df
                else url
            )
    df[AMOUNT] = df[AMOUNT].astype(float)
    return df.drop(columns=[LANDING_URL], errors="ignore"), {
        "orders": float(totals["orders"]),
        "revenue": float(totals["revenue"] or 0.0),
    }


def _ratios(t: pd.DataFrame) -> pd.DataFrame:
    def div(a: pd.Series, b: pd.Series) -> pd.Series:
        return (a / b.where(b > 0)).astype(float)

    t["ctr"] = div(t[CLICKS], t[IMPRESSIONS])
    t["cpc"] = div(t[SPEND], t[CLICKS])
    t["roas_platform"] = div(t[CONVERSION_VALUE], t[SPEND])
    t["roas_shop"] = div(t["revenue"], t[SPEND])
    t["cost_per_order"] = div(t[SPEND], t["orders"])
    t["cost_per_new_customer"] = div(t[SPEND], t["new_customers"])
    return t


def _ads(ads: pd.DataFrame) -> pd.DataFrame:
    a = ads.copy()
    for c in _SUMS:
        a[c] = a[c].astype(float) if c in a else np.nan
    a[CHANNEL] = a[CHANNEL].astype("string").str.strip() if CHANNEL in a else pd.NA
    a[CHANNEL] = a[CHANNEL].fillna("(none)").replace("", "(none)")
    a["key"] = key(a[CAMPAIGN].astype("string"))
    return a[a["key"].notna()]


def matched(ads: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The tagged orders with the ad campaign their ``utm_campaign`` names (``key``, NA for
    none)."""
    known = set(_ads(ads)["key"])
    o = orders.copy()
    o["key"] = key(o[UTM_CAMPAIGN].astype("string")) if UTM_CAMPAIGN in o else pd.NA
    o["key"] = o["key"].where(o["key"].isin(known))
    return o


def campaign_table(ads: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Per ad campaign: the ad report's sums (spend, impressions, clicks, the platform's
    conversions and their value), the shop's attributed ``orders``, ``revenue`` and
    ``new_customers``, and the ratios (:data:`COLUMNS`); highest spend first. ``orders`` is
    :func:`tagged_orders`' frame. A campaign written several ways in the ad report (case,
    spaces) is one, named as first written."""
    a = _ads(ads)
    names = a.groupby("key", sort=False).agg(
        campaign=(CAMPAIGN, "first"), channel=(CHANNEL, "first")
    )
    sums = a.groupby("key", sort=False)[_SUMS].sum(min_count=1)
    o = matched(ads, orders)
    o = o[o["key"].notna()]
    o = o.assign(newcomer=o[USER_ID].where(o["new"].astype(bool)))  # two first orders: one customer
    shop = o.groupby("key").agg(
        orders=("order", "nunique"), revenue=(AMOUNT, "sum"), new_customers=("newcomer", "nunique")
    )
    t = names.join(sums).join(shop)
    t[["orders", "revenue", "new_customers"]] = t[["orders", "revenue", "new_customers"]].fillna(0)
    t = _ratios(t.reset_index(drop=True))
    return t.sort_values(SPEND, ascending=False, kind="stable", ignore_index=True)[COLUMNS]


def channel_table(campaigns: pd.DataFrame) -> pd.DataFrame:
    """The campaign table summed per channel (the ratios recomputed from the sums)."""
    sums = [*_SUMS, "orders", "revenue", "new_customers"]
    t = campaigns.groupby(CHANNEL, sort=False)[sums].sum(min_count=1).reset_index()
    t[["orders", "revenue", "new_customers"]] = t[["orders", "revenue", "new_customers"]].fillna(0)
    t = _ratios(t)
    return t.sort_values(SPEND, ascending=False, ignore_index=True)[
        [c for c in COLUMNS if c != CAMPAIGN]
    ]


def weekly(ads: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Per week (starting Monday): ``spend``, the platform's ``conversion_value``, the shop's
    attributed ``revenue`` (orders of an ad campaign) and ``roas_shop``."""
    a = _ads(ads)
    week = pd.to_datetime(a[TIMESTAMP]).dt.to_period("W-SUN").dt.start_time
    t = a.groupby(week.rename("week"))[[SPEND, CONVERSION_VALUE]].sum(min_count=1)
    o = matched(ads, orders)
    o = o[o["key"].notna()]
    got = o.groupby(pd.to_datetime(o[TIMESTAMP]).dt.to_period("W-SUN").dt.start_time.rename("week"))
    t = t.join(got[AMOUNT].sum().rename("revenue"), how="outer").fillna({"revenue": 0.0})
    t["roas_shop"] = t["revenue"] / t[SPEND].where(t[SPEND] > 0)
    return t.reset_index()


def unmatched(ads: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """The orders' ``utm_campaign`` values naming no ad campaign: ``utm_campaign, utm_source,
    orders, revenue``, most revenue first (an e-mail's campaign, or a name the ad report
    writes otherwise)."""
    o = matched(ads, orders)
    if UTM_CAMPAIGN not in o:
        return pd.DataFrame(columns=[UTM_CAMPAIGN, UTM_SOURCE, "orders", "revenue"])
    o = o[o["key"].isna() & key(o[UTM_CAMPAIGN].astype("string")).notna()]
    src = o[UTM_SOURCE].fillna("") if UTM_SOURCE in o else pd.Series("", index=o.index)
    t = o.assign(**{UTM_SOURCE: src, UTM_CAMPAIGN: o[UTM_CAMPAIGN].str.strip()})
    t = t.groupby([UTM_CAMPAIGN, UTM_SOURCE], as_index=False).agg(
        orders=("order", "nunique"), revenue=(AMOUNT, "sum")
    )
    return t.sort_values("revenue", ascending=False, ignore_index=True)


def halves(ads: pd.DataFrame, orders: pd.DataFrame) -> pd.DataFrame:
    """Per campaign: spend and attributed revenue in the first and second half of the ad
    report's days (``spend_before, spend_after, revenue_before, revenue_after``)."""
    a = _ads(ads)
    day = pd.to_datetime(a[TIMESTAMP]).dt.normalize()
    lo, hi = day.min(), day.max()
    mid = lo + (hi - lo + pd.Timedelta(days=1)) / 2
    o = matched(ads, orders)
    o = o[o["key"].notna()]
    late_o = pd.to_datetime(o[TIMESTAMP]) >= mid
    t = pd.DataFrame(
        {
            "campaign": a.groupby("key", sort=False)[CAMPAIGN].first(),
            "spend_before": a[day < mid].groupby("key")[SPEND].sum(),
            "spend_after": a[day >= mid].groupby("key")[SPEND].sum(),
            "revenue_before": o[~late_o].groupby("key")[AMOUNT].sum(),
            "revenue_after": o[late_o].groupby("key")[AMOUNT].sum(),
        }
    )
    nums = ["spend_before", "spend_after", "revenue_before", "revenue_after"]
    t[nums] = t[nums].fillna(0.0)
    return t.reset_index(drop=True)


def basis(table: pd.DataFrame) -> str:
    """The ROAS column findings rank by: the shop's own (``roas_shop``) when any order is
    attributed, else the platform's."""
    return "roas_shop" if table["orders"].sum() > 0 else "roas_platform"


def _measured(table: pd.DataFrame, col: str) -> pd.DataFrame:
    return table[(table[SPEND] > 0) & table[col].notna()]


def losing(table: pd.DataFrame, *, currency: str = "") -> Finding | None:
    """Campaigns returning less than they cost (ROAS below 1), or far below the rest
    (:data:`FAR_BELOW` of the other campaigns' ROAS); None when none is."""
    col = basis(table)
    t = _measured(table, col)
    rows = []
    for r in t.itertuples(index=False):
        rest = t[t[CAMPAIGN] != r.campaign]
        spend = rest[SPEND].sum()
        other = float((rest[SPEND] * rest[col]).sum() / spend) if spend > 0 else float("nan")
        roas = float(getattr(r, col))
        if roas < 1 or (other > 0 and roas < FAR_BELOW * other):
            rows.append((r, roas, other))
    if not rows:
        return None
    rows.sort(key=lambda x: x[1])
    earned = "attributed revenue" if col == "roas_shop" else "platform conversion value"
    parts = [
        f"{r.campaign!r} returned {roas:.2f} per 1 spent ({money(r.spend, currency)} spend, "
        f"{money(roas * r.spend, currency)} {earned}; the other campaigns {other:.2f})"
        for r, roas, other in rows[:3]
    ]
    lose = [r for r, roas, _ in rows if roas < 1]
    what = "return less than they cost" if lose else "return far less than the rest"
    text = f"{len(rows)} campaign(s) {what}: " + "; ".join(parts) + "."
    ev = {
        "basis": col,
        "campaigns": [
            {"campaign": r.campaign, "roas": round(roas, 4), "spend": float(r.spend),
             "others_roas": round(other, 4)} for r, roas, other in rows
        ],
        "spend": float(sum(r.spend for r, _, _ in rows)),
    }  # fmt: skip
    return Finding(text, "high" if lose else "medium", ev, name="ads.losing")


def spend_rise(h: pd.DataFrame, *, currency: str = "") -> Finding | None:
    """The campaign whose spend rose most (:data:`SPEND_RISE`) while its attributed revenue did
    not (:data:`REVENUE_FLAT`), between the two halves of the report."""
    up = h[(h["spend_before"] > 0) & (h["spend_after"] >= SPEND_RISE * h["spend_before"])]
    up = up[
        (up["revenue_before"] > 0) & (up["revenue_after"] <= REVENUE_FLAT * up["revenue_before"])
    ]
    if up.empty:
        return None
    r = up.assign(rise=up["spend_after"] / up["spend_before"]).sort_values("rise").iloc[-1]
    text = (
        f"Spend on {r['campaign']!r} rose {r['rise'] - 1:.0%} from the first half of the ad "
        f"report to the second ({money(r['spend_before'], currency)} to "
        f"{money(r['spend_after'], currency)}) while its attributed revenue went from "
        f"{money(r['revenue_before'], currency)} to {money(r['revenue_after'], currency)}: "
        "the extra budget bought no extra sales."
    )
    ev = {
        k: float(r[k]) for k in ("spend_before", "spend_after", "revenue_before", "revenue_after")
    }
    return Finding(text, "medium", {"campaign": str(r["campaign"]), **ev}, name="ads.spend_rise")


def claimed_gap(table: pd.DataFrame, *, currency: str = "") -> Finding | None:
    """The platforms' claimed conversions (and value) against the orders the shop attributes
    to the same campaigns; None without the platform's conversions."""
    if table[CONVERSIONS].isna().all():
        return None
    claimed, seen = float(table[CONVERSIONS].sum()), float(table["orders"].sum())
    value, revenue = float(table[CONVERSION_VALUE].sum()), float(table["revenue"].sum())
    ratio = claimed / seen if seen else float("inf")
    worth = f" worth {money(value, currency)}" if value else ""
    text = (
        f"The ad platforms claim {claimed:,.0f} conversions{worth}; the shop's orders tagged "
        f"with the same campaigns are {seen:,.0f} ({money(revenue, currency)})"
        + (f": {ratio:.1f}x as many claimed as seen." if seen else ": none are seen.")
        + " Platforms count view-through and cross-device conversions and each claims the "
        "orders of customers who saw several ads; the shop's tags count each order once."
    )
    sev = "medium" if ratio >= 1.5 or ratio <= 1 / 1.5 else "info"
    ev = {"claimed": claimed, "claimed_value": value, "orders": seen, "revenue": revenue,
          "ratio": None if not seen else round(ratio, 4)}  # fmt: skip
    return Finding(text, sev, ev, name="ads.claimed_gap")


def unmatched_finding(
    um: pd.DataFrame, tagged: pd.DataFrame, *, currency: str = ""
) -> Finding | None:
    """Orders whose utm_campaign names no campaign of the ad report."""
    if um.empty:
        return None
    n, rev = int(um["orders"].sum()), float(um["revenue"].sum())
    shown = ", ".join(
        f"{c!r} ({o:,} orders)" for c, o in zip(um[UTM_CAMPAIGN][:3], um["orders"][:3], strict=True)
    )
    text = (
        f"{n:,} of {len(tagged):,} tagged orders ({money(rev, currency)}) carry a utm_campaign "
        f"no campaign of the ad report has: {shown}. They are left out of every ROAS; if they "
        "are an ad campaign named otherwise, rename the tag or the campaign to match."
    )
    ev = {"orders": n, "revenue": rev, "campaigns": um[UTM_CAMPAIGN].head(10).tolist()}
    return Finding(text, "low", ev, name="ads.unmatched")


def summary(
    table: pd.DataFrame, totals: dict[str, float], *, currency: str = "", days: int = 0
) -> Finding:
    """Total spend, what it brought and the share of the shop's revenue that came from ads."""
    spend, revenue = float(table[SPEND].sum()), float(table["revenue"].sum())
    orders, new = float(table["orders"].sum()), float(table["new_customers"].sum())
    share = revenue / totals["revenue"] if totals.get("revenue") else float("nan")
    roas = revenue / spend if spend else float("nan")
    text = (
        f"Over {days} days {len(table)} campaign(s) cost {money(spend, currency)}; the orders "
        f"tagged with them were {orders:,.0f} ({money(revenue, currency)}, {share:.1%} of the "
        f"shop's revenue then) from {new:,.0f} new customers: a ROAS of {roas:.2f}"
        + (f", {money(spend / orders, currency, decimals=2)} per order" if orders else "")
        + "."
    )
    ev = {"spend": spend, "revenue": revenue, "orders": orders, "new_customers": new,
          "roas": roas, "revenue_share": share, "days": days}  # fmt: skip
    return Finding(text, "info", ev, name="ads.summary")


def budget_move(table: pd.DataFrame, *, currency: str = "", days: int = 0) -> Finding | None:
    """Move :data:`MOVE_SHARE` of the lowest-ROAS campaign's spend (ROAS below 1, or far below
    the rest) to the highest-ROAS one; the evidence holds the amount and both ROAS (07's action
    reads it). None when no campaign loses or none earns more."""
    col = basis(table)
    t = _measured(table, col)
    if len(t) < 2:
        return None
    t = t.sort_values(col, kind="stable")
    worst, best = t.iloc[0], t.iloc[-1]
    rest = t.iloc[1:]
    other = float((rest[SPEND] * rest[col]).sum() / rest[SPEND].sum())
    if not (worst[col] < 1 or worst[col] < FAR_BELOW * other) or best[col] <= max(worst[col], 1):
        return None
    moved = MOVE_SHARE * float(worst[SPEND])
    gain = moved * (float(best[col]) - float(worst[col]))
    text = (
        f"Move {money(moved, currency)} of the budget (half its spend over the report's {days} "
        f"days) from {worst[CAMPAIGN]!r} (ROAS {worst[col]:.2f}) to {best[CAMPAIGN]!r} (ROAS "
        f"{best[col]:.2f}): at most {money(gain, currency)} more revenue if the better campaign "
        "keeps its return on the extra spend (returns usually fall as spend grows)."
    )
    ev = {"from": str(worst[CAMPAIGN]), "to": str(best[CAMPAIGN]), "amount": moved,
          "roas_from": float(worst[col]), "roas_to": float(best[col]), "revenue": gain,
          "basis": col, "days": days}  # fmt: skip
    return Finding(text, "high" if worst[col] < 1 else "medium", ev, name="ads.budget_move")


NO_TABLE = (
    "the data has no ad_spend table (cost per campaign and day: a Google Ads or Meta campaign "
    "report); map one to see each campaign's return on ad spend"
)
"""Why the advertising section is skipped."""


def total_roas(table: pd.DataFrame) -> float | None:
    """All campaigns' ROAS by :func:`basis` (revenue or conversion value over spend)."""
    spend = float(table[SPEND].sum())
    earned = table["revenue" if basis(table) == "roas_shop" else CONVERSION_VALUE].sum()
    return float(earned) / spend if spend > 0 and pd.notna(earned) else None


def findings(
    table: pd.DataFrame,
    h: pd.DataFrame,
    um: pd.DataFrame,
    tagged: pd.DataFrame,
    totals: dict[str, float],
    *,
    currency: str = "",
    days: int = 0,
) -> list[Finding]:
    """The section's findings, in the order the notebook records them."""
    found = [
        summary(table, totals, currency=currency, days=days),
        losing(table, currency=currency),
        spend_rise(h, currency=currency),
        claimed_gap(table, currency=currency) if UTM_CAMPAIGN in tagged else None,
        unmatched_finding(um, tagged, currency=currency),
        budget_move(table, currency=currency, days=days),
    ]
    return [f for f in found if f is not None]
