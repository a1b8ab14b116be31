"""Findings ranked across chapters, and the action plan built from them.

Every action names its area, what to do, why (the numbers), the expected effect as a low /
mid / high range in a stated unit, and links to the evidence on the chapter pages. Effects come
from the recorded numbers; where an effect depends on how well the team executes (how many
at-risk customers an outreach saves, how much of a conversion gap a fix closes) the range uses
the :class:`Assumptions` - parameters of the notebook, printed in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opsai.errors import ConfigError
from opsai.executive.results import (
    BEHAVIOR,
    CHAPTERS,
    DEMAND,
    MARKET,
    OVERVIEW,
    RECOMMEND,
    SERVICE,
    RunResults,
    chapter_href,
)
from opsai.report.results import SEVERITIES
from opsai.report.wording import money

ACTION_COLUMNS = [
    "priority",
    "area",
    "action",
    "why",
    "expected_effect",
    "low",
    "mid",
    "high",
    "unit",
    "severity",
    "evidence",
    "rule",
]
MONEY = "money"
MONEY_PER_PERIOD = "money a period"
"""A money effect that recurs every period of the market data (more sales from more spend)."""
_MONEY_KEYS = ("value_at_risk", "order_now_value", "excess_value", "extra_sales", "revenue")


@dataclass(frozen=True)
class Assumptions:
    """Execution ranges the effects depend on (fractions, low and high)."""

    save_rate: tuple[float, float] = (0.10, 0.30)
    """Share of contacted at-risk customers an outreach keeps."""
    gap_closure: tuple[float, float] = (0.25, 1.0)
    """Share of a gap (conversion, churn) a fix closes."""
    clearance_recovery: tuple[float, float] = (0.3, 0.7)
    """Share of surplus stock value a clearance turns back into cash."""

    def __post_init__(self) -> None:
        for name in ("save_rate", "gap_closure", "clearance_recovery"):
            lo, hi = getattr(self, name)
            if not 0 <= lo <= hi <= 1:
                raise ConfigError(f"{name}: need 0 <= low <= high <= 1, got ({lo}, {hi})")


def _sev_rank(s: str) -> int:
    return SEVERITIES.index(s) if s in SEVERITIES else len(SEVERITIES)


def rank_findings(run: RunResults) -> pd.DataFrame:
    """Every finding, most severe first, then by the money at stake in its evidence.

    Adds ``impact`` (the largest money figure in the evidence, if any) and ``rank``.
    """
    f = run.findings()
    if f.empty:
        return f.assign(impact=pd.Series(dtype=float), rank=pd.Series(dtype=int))

    def impact(ev: dict[str, Any]) -> float:
        keys = [k for k in _MONEY_KEYS if not (k == "extra_sales" and _in_units(ev))]
        vals = [abs(float(ev[k])) for k in keys if isinstance(ev.get(k), (int, float))]
        return max(vals) if vals else np.nan

    f["impact"] = f["evidence"].map(impact)
    order = {c: i for i, c in enumerate(CHAPTERS)}
    f["_sev"] = f["severity"].map(_sev_rank)
    f["_ch"] = f["chapter"].map(lambda c: order.get(c, len(order)))
    f["_imp"] = -f["impact"].fillna(-1.0)
    f = f.sort_values(["_sev", "_imp", "_ch"], kind="stable", ignore_index=True)
    f["rank"] = np.arange(1, len(f) + 1)
    return f.drop(columns=["_sev", "_ch", "_imp"])


def _in_units(ev: dict[str, Any]) -> bool:
    """The market chapter's sales are units (``SALES_IS: units``), not money."""
    return ev.get("sales_is") == "units"


def _ev(chapter: str, name: str, label: str) -> dict[str, str]:
    return {"label": label, "href": chapter_href(chapter, name)}


def _action(
    area: str,
    action: str,
    why: str,
    low: float | None,
    mid: float | None,
    high: float | None,
    unit: str,
    severity: str,
    evidence: list[dict[str, str]],
    rule: str,
) -> dict[str, Any]:
    return {
        "area": area,
        "action": action,
        "why": why,
        "expected_effect": "",  # written by action_plan, which knows the currency
        "low": low,
        "mid": mid,
        "high": high,
        "unit": unit,
        "severity": severity,
        "evidence": evidence,
        "rule": rule,
    }


def describe_effect(
    low: float | None, mid: float | None, high: float | None, unit: str, *, currency: str = ""
) -> str:
    """``about 12,300 (4,100 to 16,400) in value`` and friends, from the numbers only.

    A money effect names ``currency`` instead (``about 12,300 USD (4,100 to 16,400 USD)``).
    """
    if mid is None:
        return ""

    is_money = unit in (MONEY, MONEY_PER_PERIOD)

    def f(v: float, cur: str = currency if is_money else "") -> str:
        if unit == "pp":
            return f"{v:+.1f} pp"
        if unit == "%":
            return f"{v:+.1%}"
        return money(v, cur, decimals=0 if abs(v) >= 10 else 2)

    rng = "" if low is None or high is None or low == high else f" ({f(low, '')} to {f(high)})"
    money_label = "" if currency else " in value"
    labels = {"pp": "", "%": "", MONEY: money_label, MONEY_PER_PERIOD: f"{money_label} a period"}
    label = labels.get(unit, f" {unit}")
    return f"about {f(mid)}{rng}{label}"


def _scaled(total: float, rng: tuple[float, float]) -> tuple[float, float, float]:
    lo, hi = total * rng[0], total * rng[1]
    return lo, (lo + hi) / 2, hi


Rule = Callable[[RunResults, dict[str, pd.DataFrame], Assumptions, str], list[dict[str, Any]]]
"""``rule(run, joins, assumptions, currency)``: the actions one rule derives."""


def _outreach(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    at_risk, out = run.table(BEHAVIOR, "churn.at_risk"), j.get("outreach", pd.DataFrame())
    if at_risk.empty or "value_at_risk" not in at_risk or run.churn_unusable():
        return []  # a model no better than chance names nobody at risk
    ev = [_ev(BEHAVIOR, "churn_model", "churn model")]
    if not out.empty:
        v = float(out["value_at_risk"].sum())
        lo, mid, hi = _scaled(v, a.save_rate)
        why = (
            f"{len(out)} of the {len(at_risk)} high-value users likely to churn also filed "
            f"{int(out['negative_tickets'].sum())} negative tickets; they hold "
            f"{money(v, currency)} of spend at risk."
        )
        ev.append({"label": "negative tickets", "href": chapter_href(SERVICE)})
        act = "Call the users on the priority outreach list first and resolve their complaints."
        return [_action("Retention", act, why, lo, mid, hi, MONEY, "high", ev, "outreach")]
    v = float(at_risk["value_at_risk"].sum())
    lo, mid, hi = _scaled(v, a.save_rate)
    why = (
        f"{len(at_risk)} high-value users are likely to churn, holding {money(v, currency)} "
        "of spend at risk."
    )
    act = "Run a retention offer for the high-value users likely to churn, before they lapse."
    return [_action("Retention", act, why, lo, mid, hi, MONEY, "medium", ev, "retention_offer")]


def _win_back(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """The behaviour chapter's lapsed high-value customers, whatever the churn model and the
    tickets say. The effect is the spend of those who come back over the churn horizon at the
    data's own comeback rate of lapsed high-value customers (its 95% interval as the range):
    what the list is worth if an offer does as well as this data's customers did unprompted;
    an offer's extra effect shows only against a held-out part of the list."""
    lapsed = run.table(BEHAVIOR, "churn.lapsed")
    f = run.finding(BEHAVIOR, "churn_lapsed")
    if lapsed.empty or f is None:
        return []
    e, n = f.get("evidence") or {}, len(lapsed)
    days, valued = (
        e.get("horizon_days", "the churn horizon's"),
        run.metric(BEHAVIOR, "orders.valued", True),
    )
    spent = (
        money(float(lapsed["value"].sum()), currency)
        if valued
        else f"{lapsed['value'].sum():,.0f} purchases"
    )
    why = f"{n:,} high-value customers have placed no order in {days} days; they spent {spent} in all."
    ev = [_ev(BEHAVIOR, "churn_lapsed", "lapsed customers")]
    act = "Send a win-back offer to the lapsed high-value customers, holding out a random part to measure it."
    rates = [e.get(f"comeback_{k}") for k in ("rate_low", "rate", "rate_high")]
    per = e.get("comeback_spend_per_returner")
    lo_e: float | None = None
    mid_e: float | None = None
    hi_e: float | None = None
    unit, sev = MONEY, "medium"
    if not all(isinstance(r, (int, float)) for r in rates):  # nobody lapsed before: no rate
        why += " No earlier lapsed customers to learn a comeback rate from, so no effect is given."
    else:
        lo, mid, hi = (float(r) for r in rates if isinstance(r, (int, float)))
        why += (
            f" Assumed: they come back at the data's own rate for lapsed high-value customers, "
            f"{mid:.0%} ({e.get('comeback_came_back')} of {e.get('comeback_lapsed')} at earlier "
            f"cut-offs; 95% interval {lo:.0%} to {hi:.0%})"
        )
        if isinstance(per, (int, float)):  # each one back spends what returners spent
            unit = MONEY if valued else "purchases"
            what = money(per, currency) if valued else f"{per:,.1f} purchases"
            why += f", each spending {what} over the next {days} days as returners did."
            lo_e, mid_e, hi_e = n * lo * per, n * mid * per, n * hi * per
        else:  # nobody came back unprompted: an offer may still work, but no effect from data
            why += (
                ", and none did, so no effect is expected from the data; an offer to a part of "
                "the list is a test."
            )
            sev = "low"
    return [_action("Retention", act, why, lo_e, mid_e, hi_e, unit, sev, ev, "win_back")]


def _stockouts(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    alerts = run.table(DEMAND, "alerts.table")
    if alerts.empty or "name" not in alerts:
        return []
    recs = j.get("stockout_recommendations", pd.DataFrame())
    shown = dict(zip(recs.get("item_id", []), recs.get("users_recommended", []), strict=False))
    out = []
    for _, r in alerts[alerts["name"].astype(str).str.startswith("stockout.")].head(10).iterrows():
        if pd.notna(r.get("store")):  # one store's empty shelf now (byod12a D9)
            out.append(_store_stockout(r, _measure(run)))
            continue
        item, mean = str(r["item_id"]), float(r.get("lead_time_demand") or 0.0)
        sd, on_hand = float(r.get("lead_time_demand_sd") or 0.0), float(r.get("on_hand") or 0.0)
        inbound = r.get("on_order")
        on_order = float(inbound) if inbound is not None and pd.notna(inbound) else 0.0
        have = on_hand + on_order  # stock already ordered covers demand too
        lo, mid, hi = (max(0.0, m - have) for m in (mean - 1.645 * sd, mean, mean + 1.645 * sd))
        stock = f"{on_hand:,.0f} on hand" + (f", {on_order:,.0f} on order" if on_order else "")
        ev = [_ev(DEMAND, str(r["name"]), f"stock-out alert {item}")]
        why = (
            f"{stock} against {mean:,.0f} ± {sd:,.0f} units of demand over its "
            f"{float(r.get('lead_time_days') or 0):.0f}-day lead time."
        )
        if item in shown:
            act = (
                f"Reorder item {item} now and hold it out of recommendations until stock "
                f"arrives: it is in {int(shown[item]):,} users' top recommendations."
            )
            ev.append({"label": "recommendations", "href": chapter_href(RECOMMEND)})
        else:
            act = f"Expedite a purchase order for item {item}."
        out.append(
            _action("Inventory", act, why, lo, mid, hi, "units uncovered", "high", ev, "stockout")
        )
    return out


def _store_stockout(r: pd.Series, unit: str) -> dict[str, Any]:
    """The action for a store out of stock now (chapter 04's ``stockout.<item>@<store>``):
    move stock from the item's other stores or reorder; the effect is the sales lost since the
    shelf emptied (rate before x periods, 90% band from the daily spread)."""
    item, store, periods = str(r["item_id"]), str(r["store"]), int(r.get("periods") or 0)
    rate, sd = float(r.get("rate_before") or 0.0), float(r.get("sd_before") or 0.0)
    mid = rate * periods
    lo, hi = max(0.0, mid - 1.645 * sd * periods**0.5), mid + 1.645 * sd * periods**0.5
    src = r.get("transfer_from")  # a list, or its text in a results file read back
    names = src if isinstance(src, str) else ", ".join(map(str, src if src is not None else []))
    names = names.strip("[]").replace("'", "").replace('"', "")
    act = (
        f"Transfer item {item} to store {store} from {names}, or reorder: "
        if names
        else f"Reorder item {item} for store {store}: "
    ) + f"nothing on hand there since {r.get('since')}."
    why = (
        f"It sold {rate:,.0f} a period there before and none in the {periods} periods since; "
        "the chain's summed stock hides the empty shelf."
    )
    ev = [_ev(DEMAND, str(r["name"]), f"stock-out alert {item} at {store}")]
    return _action("Inventory", act, why, lo, mid, hi, f"{unit} of lost sales", "high", ev,
                   "stockout")  # fmt: skip


def _measure(run: RunResults) -> str:
    """What chapter 04's demand counts, as the effects say it: ``units``, or ``USD of sales``
    when the demand table measures sales in money (an amount and no quantity: Walmart's
    ``Weekly_Sales``, byod11b D1: "233,339 units a week lost" were dollars)."""
    metric = getattr(run, "metric", None)
    word = str(metric(DEMAND, "series.unit") or "units") if metric is not None else "units"
    if word in ("units", "unit"):
        return "units"
    return "sales value" if word == "money" else f"{word} of sales"


def _titled(ev: dict[str, Any], item: object) -> str:
    """``1 (Latte Rg)``: an item id with the title its finding's evidence carries (04 names
    items by their ``items.title``, byod12a D5), or the id alone."""
    title = (ev.get("titles") or {}).get(str(item))
    return f"{item} ({title})" if title else str(item)


def _stopped(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """Items whose sales stopped abruptly with no inventory table to say why (byod8 D15): the
    effect is the units a period they sold before, lost while they stay out of stock."""
    f = run.finding(DEMAND, "sales_stopped")
    if f is None:
        return []
    ev = f.get("evidence", {})
    unit, measure = str(ev.get("unit") or "day"), _measure(run)
    out = []
    items = ev.get("items", [])
    stores = ev.get("stores") or [""] * len(items)
    for item, store, since, rate, n in list(
        zip(items, stores, ev.get("since", []), ev.get("rate_before", []),
            ev.get("periods", []), strict=False)
    )[:5]:  # fmt: skip
        at = f" at {store}" if store else ""  # one store's stop (byod9a D2)
        act = (
            f"Check why item {_titled(ev, item)} stopped selling{at} on {since}: out of stock "
            "or delisted?"
        )
        why = (
            f"It sold {float(rate):,.1f} a {unit}{at} before and none in the {int(n)} {unit}s "
            "since; there is no inventory table to tell a stock-out from a delisting. If it is "
            f"out of stock{at}, restock it."
        )
        links = [_ev(DEMAND, "sales_stopped", f"sales stopped {item}{at}")]
        r, lost = float(rate), f"{measure} a {unit} lost while out of stock"
        out.append(_action("Inventory", act, why, r, r, r, lost, "high", links, "stopped"))
    return out


def _shifted(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """Series whose level shifted lately beyond the business (byod9a D23: a store down 26%
    since a competitor opened was named nowhere): investigate, the effect being the units a
    period gained or lost."""
    out = []
    for key in ("store_level_shift", "level_shift", "year_shift"):  # a store (byod11b D5)
        f = run.finding(DEMAND, key)
        out += [] if f is None else _shifted_rows(run, f.get("evidence", {}), key)
    return out


def _shifted_rows(run: RunResults, ev: dict[str, Any], key: str) -> list[dict[str, Any]]:
    unit, measure = str(ev.get("unit") or "day"), _measure(run)
    noun = str(ev.get("noun") or "item")
    out = []
    for sid, change, since, before, after, total in list(
        zip(ev.get("series", []), ev.get("change", []), ev.get("since", []),
            ev.get("rate_before", []), ev.get("rate_after", []), ev.get("total_change", []),
            strict=False)
    )[:3]:  # fmt: skip
        name = sid.removeprefix("category:") if sid.startswith("category:") else sid
        what = (
            f"category {name}"
            if sid.startswith("category:")
            else f"{noun} {_titled(ev, name) if noun == 'item' else name}"
        )
        verb = "fell" if change < 0 else "rose"
        act = (
            f"Investigate why {what}'s sales {verb} {abs(change):.0%} since {since} (a competitor "
            "opening, a closure, a lost customer, a range or price change?)."
        )
        why = (
            f"It sells {after:,.0f} a {unit} since {since} against {before:,.0f} before, while "
            f"all other demand changed {total:+.1%} over the same {unit}s."
            if key != "year_shift"  # down on a year ago, the step months old (byod12a D11)
            else f"It sold {after:,.0f} a {unit} over the last weeks against {before:,.0f} in "
            f"the same weeks a year before, while all other demand changed {total:+.1%}."
        )
        d = float(after) - float(before)
        lost = f"{measure} a {unit} {'lost' if d < 0 else 'gained'}"
        links = [_ev(DEMAND, key, f"level shift {what}")]
        sev = "high" if change <= -0.2 else "medium"
        out.append(_action("Demand", act, why, abs(d), abs(d), abs(d), lost, sev, links, "shift"))
    return out


def _price(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """Items whose price moved to a new level while their sales fell by 20% or more (byod9a
    D7): the effect is the units a day sold less since the move."""
    f = run.finding(DEMAND, "price_moves")
    if f is None:
        return []
    ev = f.get("evidence", {})
    measure = _measure(run)
    sold = "units" if measure == "units" else "sales"
    out = []
    for item, since, dp, du, r0, r1 in list(
        zip(ev.get("items", []), ev.get("since", []), ev.get("price_change", []),
            ev.get("units_change", []), ev.get("rate_before", []), ev.get("rate_after", []),
            strict=False)
    )[:3]:  # fmt: skip
        if du is None or float(du) > -0.2:
            continue
        act = (
            f"Review the price of item {_titled(ev, item)}: {float(dp):+.0%} from the week of "
            f"{since}, "
            f"and {float(du):+.0%} {sold} a day since."
        )
        why = (
            f"It sold {float(r0):,.1f} a day before the move and {float(r1):,.1f} after; sales "
            "before and after a price move, not a tested effect (a season may fall on either side)."
        )
        lost = float(r0) - float(r1)
        links = [_ev(DEMAND, "price_moves", f"price move {item}")]
        out.append(_action("Pricing", act, why, lost, lost, lost, f"{measure} a day fewer since "
                           "the price move", "medium", links, "price"))  # fmt: skip
    return out


def _events(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """Event days that sold 20% or more above a usual day (byod9a D6: M5's FOODS 2.06x on
    its 13 event days reached no action): plan stock for them, and map the event column as
    ``event_day`` when the forecasts do not read it yet; the effect is the units an event day
    sells above a usual one in total."""
    f = run.finding(DEMAND, "event_days")
    if f is None:
        return []
    ev = f.get("evidence", {})
    cats = {str(k): float(v) for k, v in (ev.get("categories") or {}).items()}
    total = float(ev.get("median_ratio") or float("nan"))
    name, ratio = max(cats.items(), key=lambda kv: kv[1]) if cats else ("", total)
    if not ratio >= 1.2:
        return []
    col, n = str(ev.get("column") or "event"), int(ev.get("days") or 0)
    what = f"category {name}" if name else "demand"
    per = str(ev.get("period") or "day")  # weekly data: event weeks (byod11b D2)
    usual_one = "a usual day" if per == "day" else f"a usual {per}"
    ahead = {str(k): str(v) for k, v in (ev.get("ahead") or {}).items()}
    if ev.get("feature") and ahead:  # a calendar table's coming days: the forecast has them
        coming = ", ".join(f"{d} ({v})" for d, v in list(ahead.items())[:3])
        act = (
            f"Plan stock for the {len(ahead)} coming event day(s) the forecast takes ({coming}"
            f"{', ...' if len(ahead) > 3 else ''}): {what} sells {ratio:.2f}x {usual_one} on "
            "them."
        )
    elif ev.get("feature"):
        act = (
            f"Plan stock ahead of coming event {per}s: {what} sells {ratio:.2f}x {usual_one} "
            "on them, and the forecasts beyond the data take every day as an ordinary one (a "
            "calendar table of the coming event days lets them know)."
        )
    else:
        act = (
            f"Map {col} as the demand table's event_day (columns: {{event_day: {col}}}) so the "
            f"forecasts learn event days, and plan stock for them: {what} sells {ratio:.2f}x "
            f"{usual_one} on them."
        )
    base = "a usual day of the same weekday" if per == "day" else f"the {per}s around them"
    why = (
        f"On the data's {n} event {per}s ({col}) all demand sold a median {total:.2f}x {base}"
        + (f", {what} {ratio:.2f}x" if name else "")
        + "."
    )
    if ev.get("items_opposite"):  # casual riders x9.8, registered -54% (byod13a D11)
        each = ", ".join(f"{k} {float(v):.2f}x" for k, v in (ev.get("items") or {}).items())
        why += f" Items move opposite ways on them ({each}): plan each item by its own ratio."
    usual = ev.get("usual_total")
    extra = (total - 1) * float(usual) if usual is not None and total > 1 else None
    links = [_ev(DEMAND, "event_days", "event days")]
    unit = (
        f"{_measure(run)} more in an event {per}, in total"
        if per != "day"
        else (f"{_measure(run)} more on an event day, in total")
    )
    return [_action("Demand", act, why, extra, extra, extra, unit, "medium", links, "events")]


def _campaigns(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """Campaigns whose targeted customers' spend moved beyond chance (03a's ``campaign_<id>``
    findings, byod10a D5): a lift is a campaign to repeat, a fall one to stop or review. The
    effect is the extra spend of its targeted customers over the campaign, its range from the
    ratio's 95% interval (the extra scales with the ratio less 1). A list that looks like a
    campaign's redeemers (direction ``"redeemers"``, byod12b D14) gives no action: its spend
    during the campaign is high by construction."""
    f = run.findings()
    f = f[(f["chapter"] == BEHAVIOR) & f["name"].str.startswith("campaign_")] if len(f) else f
    out = []
    for r in f.itertuples(index=False):
        e = r.evidence
        if e.get("direction") not in ("up", "down") or not e.get("ratio"):
            continue
        ratio, lo, hi, extra = (float(e[k]) for k in ("ratio", "low", "high", "extra_total"))
        kind = f" ({e['type']})" if e.get("type") else ""
        name = f"campaign {e['campaign']}{kind}, {e['start']} to {e['end']}"
        why = (
            f"Its {e['targeted']:,} targeted customers spent {ratio:.2f}x what their trend "
            f"predicts (95% interval {lo:.2f}-{hi:.2f}) against {e['control']:,} customers in "
            f"no campaign then: {money(extra, currency)} {'more' if extra >= 0 else 'less'} in all."
        )
        span = [extra * (x - 1) / (ratio - 1) for x in (lo, hi)] if ratio != 1 else [extra] * 2
        if e["direction"] == "up":
            act = (
                f"Repeat {name}: send it again to customers like those it targeted, holding out "
                "a random part to measure it."
            )
            low, high = min(span), max(span)
            row = _action("Marketing", act, why, low, extra, high, MONEY, "medium", [], "campaign")
        else:
            act = f"Stop or review {name}: its targeted customers bought less than the others."
            low, high = sorted(-x for x in span)
            row = _action("Marketing", act, why, low, -extra, high, MONEY, "medium", [], "campaign")
        row["evidence"] = [_ev(BEHAVIOR, r.name, f"campaign {e['campaign']}")]
        out.append(row)
    return out


def _ad_budget(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """A campaign returning less than it costs (03a's ``ads.budget_move``): move part of its
    budget to the campaign with the best return on ad spend. The effect is the moved amount
    times the ROAS gap, of which the better campaign keeps ``gap_closure`` (its return falls
    as its spend grows): the high end assumes it keeps all of it."""
    f = run.findings()
    f = f[(f["chapter"] == BEHAVIOR) & (f["name"] == "ads.budget_move")] if len(f) else f
    out = []
    for r in f.itertuples(index=False):
        e = r.evidence
        moved, lo_roas, hi_roas = (float(e[k]) for k in ("amount", "roas_from", "roas_to"))
        gain = moved * (hi_roas - lo_roas)
        act = (
            f"Move {money(moved, currency)} of the ad budget from campaign {e['from']!r} "
            f"(ROAS {lo_roas:.2f}) to {e['to']!r} (ROAS {hi_roas:.2f})."
        )
        basis = "the shop's tagged orders" if e.get("basis") == "roas_shop" else "the platform"
        why = (
            f"Over the ad report's {e.get('days', 0)} days {e['from']!r} brought {lo_roas:.2f} "
            f"of revenue per 1 spent and {e['to']!r} {hi_roas:.2f} (by {basis})."
        )
        low, high = (gain * x for x in a.gap_closure)
        sev = "high" if lo_roas < 1 else "medium"
        row = _action("Marketing", act, why, low, (low + high) / 2, high, MONEY, sev, [], "ads")
        row["evidence"] = [_ev(BEHAVIOR, r.name, "return on ad spend")]
        out.append(row)
    return out


def _overstock(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    alerts = run.table(DEMAND, "alerts.table")
    if alerts.empty or "name" not in alerts:
        return []
    over = alerts[alerts["name"].astype(str).str.startswith("overstock.")]
    values = over["excess_value"] if "excess_value" in over else pd.Series(dtype=float)
    v = float(values.fillna(0).sum())
    units = not over.empty and v <= 0 and "excess_units" in over  # no unit cost: no money
    col = "excess_units" if units else "excess_value"
    total = float(over[col].fillna(0).sum()) if units else v
    if over.empty or total <= 0:
        return []
    lo, mid, hi = _scaled(total, a.clearance_recovery)
    top = over.sort_values(col, ascending=False).iloc[0]
    held = (
        f"{total:,.0f} surplus units (no unit cost is mapped, so no value)"
        if units
        else f"{money(total, currency)} of surplus stock"
    )
    why = f"{len(over)} items hold {held}; the largest is {top['item_id']}."
    act = "Pause orders and clear the overstocked items (largest surplus first)."
    ev = [_ev(DEMAND, str(top["name"]), f"overstock {top['item_id']}")]
    unit = "units cleared" if units else MONEY
    return [_action("Inventory", act, why, lo, mid, hi, unit, "medium", ev, "overstock")]


def _competitor(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    rose = j.get("intents_after_moves", pd.DataFrame())
    events = run.table(MARKET, "competitor_events")
    out = []
    for _, r in rose.drop_duplicates(["company", "period", "intent"]).head(3).iterrows():
        ev = [
            {"label": f"{r['company']} {r['move']}", "href": chapter_href(MARKET)},
            {"label": f"'{r['intent']}' ticket volume", "href": chapter_href(SERVICE)},
        ]
        why = (
            f"After {r['company']}'s {r['move']} in {r['period']}, '{r['intent']}' tickets rose "
            f"from {r['share_before']:.0%} to {r['share_after']:.0%} of volume (median month; "
            f"{r['extra_tickets_per_period']:+,.0f} tickets a month, p = {r['p_value']:.3f})."
        )
        act = (
            f"Answer {r['company']}'s move: publish a price-match or offer answer for "
            f"'{r['intent']}' tickets and review our prices on the overlapping items."
        )
        m = events[(events.get("company") == r["company"])] if not events.empty else events
        if not m.empty and {"share_change", "share_lo", "share_hi"} <= set(m):
            e = m.iloc[0]
            lo, mid, hi = (100 * float(e[k]) for k in ("share_lo", "share_change", "share_hi"))
            unit = f"pp share gained by {r['company']} (at stake)"
            out.append(_action("Market", act, why, lo, mid, hi, unit, "high", ev, "competitor"))
        else:
            x = float(r["extra_tickets_per_period"])
            out.append(
                _action("Service", act, why, x, x, x, "tickets a month", "high", ev, "competitor")
            )
    return out


def _funnel(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    out = []
    f = run.findings()
    for _, r in f[(f["chapter"] == BEHAVIOR) & f["name"].str.startswith("funnel_gap")].iterrows():
        e = r["evidence"]
        try:
            gap = 100 * (float(e["best_rate"]) - float(e["worst_rate"]))
        except (KeyError, TypeError, ValueError):
            continue
        lo, mid, hi = _scaled(gap, a.gap_closure)
        step = e.get("step")
        step = " -> ".join(map(str, step)) if isinstance(step, list) else str(step)
        act = f"Fix the {step} step for {e.get('breakdown')}={e.get('worst')}."
        ev = [_ev(BEHAVIOR, r["name"], "funnel breakdown")]
        unit = "pp"
        out.append(
            _action(
                "Conversion", act, str(r["text"]), lo, mid, hi, unit, r["severity"], ev, "funnel"
            )
        )
    for _, r in f[(f["chapter"] == BEHAVIOR) & (f["name"] == "churn_by_channel")].iterrows():
        e = r["evidence"]
        try:
            gap = 100 * (float(e["churn_rate"]) - float(e["others"]))
        except (KeyError, TypeError, ValueError):
            continue
        lo, mid, hi = _scaled(-gap, (a.gap_closure[1], a.gap_closure[0]))
        act = f"Review acquisition and onboarding of {e.get('attribute')}={e.get('value')} users."
        ev = [_ev(BEHAVIOR, r["name"], "churn by attribute")]
        out.append(
            _action(
                "Retention", act, str(r["text"]), lo, mid, hi, "pp", r["severity"], ev, "churn_gap"
            )
        )
    return out


def _experiment(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """An experiment whose arm differs from the control beyond chance on an outcome (03a's
    ``experiment`` finding, byod13a D12): roll out the better arm, or keep the control when
    the arm is worse. The effect is the difference on the clearest outcome in points (a share)
    or in its unit (a mean), its range the 95% interval. High: it is the decision the test was
    run for; with a sample ratio mismatch the action is to check the assignment first."""
    f = run.finding(BEHAVIOR, "experiment")
    e = (f or {}).get("evidence") or {}
    clear = [c for c in e.get("clear") or [] if isinstance(c, dict)]
    if not clear:
        return []
    c = min(clear, key=lambda r: float(r["p_value"]))
    share = c["kind"] == "share"
    k = 100.0 if share else 1.0
    diff, low, high = (k * float(c[x]) for x in ("diff", "low", "high"))
    good = (diff > 0) == bool(c.get("higher_is_better", True))
    arm, control, col = c["arm"], c["control"], e.get("column")
    act = (
        f"Roll out {col}={arm}: it beat {control} on {c['outcome']}."
        if good
        else f"Keep {col}={control}: {arm} did worse on {c['outcome']}."
    )
    fmt = (lambda v: f"{v:+.2f} pp") if share else (lambda v: f"{v:+,.2f}")
    why = (
        f"{c['outcome']} {fmt(diff)} for {arm} against {control} (95% interval {fmt(low)} to "
        f"{fmt(high)}, p = {float(c['p_value']):.2g}, {int(c['users']):,} and "
        f"{int(c['control_users']):,} users)."
    )
    if e.get("mismatch"):  # the decision stays the data's first; checked before it is taken
        act = f"Check how users were assigned to {col}, then: {act[0].lower()}{act[1:]}"
        why += (
            f" The arms' sizes differ beyond chance (p = {float(e['srm_p']):.2g}), a sample "
            "ratio mismatch that can bias the difference."
        )
    unit = "pp" if share else str(c["outcome"])
    lo, mid, hi = (low, diff, high) if good else (-high, -diff, -low)
    ev = [_ev(BEHAVIOR, "experiment", "experiment arms compared")]
    return [_action("Experiment", act, why, lo, mid, hi, unit, "high", ev, "experiment")]


def _label_segment(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """The churn label's most significant segment (``churn_label.segments``): retain its
    current customers. The effect is on the segment's churn rate, in points: its gap to
    everyone else closed by the assumed share (``gap_closure``), the range from the low end of
    its 95% interval at the smallest closure to the high end at the largest."""
    f = run.finding(BEHAVIOR, "churn_label.segments")
    e = (f or {}).get("evidence") or {}
    try:
        rate, low, high, rest = (float(e[k]) for k in ("churn_rate", "low", "high", "rest_rate"))
        values, current = dict(e["values"]), int(e["current"])
    except (KeyError, TypeError, ValueError):
        return []
    if rest <= 0:
        return []
    who = ", ".join(f"{k}={v}" for k, v in values.items())
    word, rows = str(e.get("outcome") or ""), str(e.get("rows") or "customers")
    act = (
        f"Retain the {current:,} current customers with {who}: {rate:.0%} of that segment "
        f"have left, against {rest:.0%}."
        if not word  # another outcome (is_canceled: 'canceled', byod12a D15) than churn
        else f"Act on the {current:,} {rows} with {who} not {word}: {rate:.0%} of that segment "
        f"are {word}, against {rest:.0%}."
    )
    why = (
        f"{int(e.get('customers', 0)):,} {rows} have {who}; {rate:.0%} of them "
        f"{'have left' if not word else f'are {word}'} (95% interval {low:.0%} to {high:.0%}) "
        f"against {rest:.0%} for everyone else ({rate / rest:.1f}x), and {current:,} "
        f"{'are still customers' if not word else f'are not {word}'}."
    )
    listed, at_risk = e.get("at_risk_in_segment"), run.table(BEHAVIOR, "churn_label.at_risk")
    ev = [_ev(BEHAVIOR, "churn_label.segments", "churn by combination of values")]
    if isinstance(listed, int) and len(at_risk):
        why += (
            f" {listed} of the churn model's {len(at_risk)} at-risk customers are among them: "
            "call those first."
            if not word
            else f" {listed} of the model's {len(at_risk)} {rows} most like those {word} are "
            "among them: look at those first."
        )
        ev.append(_ev(BEHAVIOR, "churn_label.model", "at-risk list"))
    lo, hi = (low - rest) * a.gap_closure[0], (high - rest) * a.gap_closure[1]
    mid = (rate - rest) * sum(a.gap_closure) / 2
    low_e, mid_e, high_e = (-100 * max(v, 0.0) for v in (hi, mid, lo))  # churn points down
    sev = str(f.get("severity", "medium")) if f else "medium"
    rule = "churn_label_segment"
    return [_action("Retention", act, why, low_e, mid_e, high_e, "pp", sev, ev, rule)]


def _price_identified(run: RunResults, market_findings: pd.DataFrame) -> bool:
    """Whether 06 found a downward-sloping price response, so that its price scenarios may
    become an action: its ``elasticity.identified`` metric, else (a run saved before the
    metric) no finding of 06 whose evidence says ``identified: False`` (the strategy's "No
    price move is recommended")."""
    flag = run.metric(MARKET, "elasticity.identified")
    if flag is not None:
        return bool(flag)
    return not any(
        isinstance(e, dict) and e.get("identified") is False for e in market_findings["evidence"]
    )


def _market(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    out = []
    f = run.findings()
    mk = f[f["chapter"] == MARKET]
    for _, r in mk[mk["name"] == "marketing_what_if"].iterrows():
        e = r["evidence"]
        if not all(isinstance(e.get(k), (int, float)) for k in ("extra_sales", "lo", "hi")):
            continue
        act = f"Raise marketing spend by {float(e.get('change', 0)):.0%}."
        ev = [_ev(MARKET, r["name"], "marketing what-if")]
        lo, mid, hi = float(e["lo"]), float(e["extra_sales"]), float(e["hi"])
        out.append(
            _action(
                "Marketing",
                act,
                str(r["text"]),
                lo,
                mid,
                hi,
                "units sold a period" if _in_units(e) else MONEY_PER_PERIOD,
                r["severity"],
                ev,
                "marketing",
            )
        )
    sc = run.table(MARKET, "scenario")
    cols = {"revenue_change", "revenue_change_lo", "revenue_change_hi"}
    if _price_identified(run, mk) and not sc.empty and cols <= set(sc):
        best = sc.sort_values("revenue_change", ascending=False).iloc[0]
        if float(best["revenue_change"]) > 0:
            name = next((n for n, t in zip(mk["name"], mk["text"], strict=False)
                         if n.startswith("strategy") and "Best expected move" in t), None)  # fmt: skip
            ev = [
                _ev(MARKET, name, "price scenarios")
                if name
                else {"label": "price scenarios", "href": chapter_href(MARKET)}
            ]
            act = f"Test the best price move found: {best['scenario']}."
            why = f"Of the scenarios simulated, it raises revenue most ({float(best['revenue_change']):+.1%})."
            lo, mid, hi = (
                float(best[k]) for k in ("revenue_change_lo", "revenue_change", "revenue_change_hi")
            )
            out.append(_action("Pricing", act, why, lo, mid, hi, "%", "medium", ev, "price"))
    return out


def _service(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    out = []
    f = run.findings()
    sp = f[  # a medium spike is worth finding the cause of too (byod10b D16)
        (f["chapter"] == SERVICE)
        & f["name"].str.startswith("spike_")
        & f["severity"].isin(["high", "medium"])
    ]
    for _, r in sp.iterrows():
        e = r["evidence"]
        try:
            tickets, share, base = (
                float(e["tickets"]),
                float(e["share"]),
                float(e["baseline_share"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
        extra = tickets * (1 - base / share) if share > 0 else 0.0
        extra = float(e.get("extra_tickets", extra))  # an incident's periods added up
        names = " and ".join(f"'{i}'" for i in e.get("intents") or [e.get("intent")])
        when = f"the week {e['week']}" if e.get("week") else e.get("period")
        words = f" (its own words: {', '.join(map(str, e['terms'][:4]))})" if e.get("terms") else ""
        act = f"Find and fix the cause of the {names} spike in {when}{words}."
        if e.get("start") and e.get("end"):  # adjacent spike periods: one incident (byod11b D17)
            act = (
                f"Find and fix the cause of the {names} spike from {e['start']} to "
                f"{e['end']}{words}: {tickets:,.0f} tickets, about {extra:,.0f} extra."
            )
        ev = [_ev(SERVICE, r["name"], "ticket spike")]
        out.append(
            _action(
                "Service",
                act,
                str(r["text"]),
                extra,
                extra,
                extra,
                "extra tickets",
                str(r["severity"]),
                ev,
                "spike",
            )
        )
    mine = f[f["chapter"] == SERVICE]
    out += _service_drivers(mine, a) + _service_resolution(mine, a) + _service_items(mine, a)
    return out + _service_shifts(mine, a)


def _service_shifts(f: pd.DataFrame, a: Assumptions) -> list[dict[str, Any]]:
    """Chapter 05's other changes over time (byod10b D16: a restaurant whose reviews turned
    from 2% to 24% negative got "No action could be derived"): a product whose reviews
    turned negative (``item_sentiment_*``: effect the negative reviews fewer were its share
    back to before, ``gap_closure`` of it), a month whose negative share rose
    (``negative_share_*``: the negative tickets above the usual share) and an intent that
    stayed above its usual share (``shift_*``: its tickets above the usual share since; none
    without a ticket count in the evidence)."""
    out = []
    lo: float | None
    mid: float | None
    hi: float | None
    for _, r in f.iterrows():
        name, e, sev = str(r["name"]), r["evidence"], str(r["severity"])
        if not isinstance(e, dict):
            continue
        try:
            if name.startswith("item_sentiment_"):
                item = str(e.get("title") or e["item_id"])
                item += f" ({e['item_id']})" if e.get("title") else ""
                before, after = float(e["share_before"]), float(e["share_after"])
                fell = (
                    f" Its {e['aspect']} score fell most: {float(e['aspect_before']):.1f} -> "
                    f"{float(e['aspect_after']):.1f}."
                    if e.get("aspect")
                    else ""
                )
                act = (
                    f"Check what changed at {item} around {e['since']}: {after:.0%} of its "
                    f"reviews since are negative, against {before:.0%} before.{fell}"
                )
                lo, mid, hi = _scaled(max(after - before, 0.0) * int(e["after"]), a.gap_closure)
                unit, label, rule = "fewer negative reviews", f"reviews of {item}", "item_sentiment"
            elif name.startswith("negative_share_"):
                share, base = float(e["share"]), float(e["baseline_share"])
                most = f" (most are '{e['intent']}' tickets)" if e.get("intent") else ""
                when = f"from {e['start']} to {e['end']}" if e.get("start") else f"in {e['period']}"
                act = (
                    f"Find what went wrong for customers {when}: {share:.0%} of tickets "
                    f"were negative against a usual {base:.0%}{most}."
                )
                x = max(float(e["negative"]) - float(e["tickets"]) * base, 0.0)
                lo = mid = hi = x
                unit, label, rule = "extra negative tickets", "negative share", "negative_share"
            elif name.startswith("shift_"):  # flagged periods, or a step (share_before/after)
                base = float(e["share_before"] if "share_before" in e else e["baseline_share"])
                now = (
                    f"{float(e['share_min']):.0%}-{float(e['share_max']):.0%}"
                    if "share_min" in e
                    else f"{float(e['share_after']):.0%}"
                )
                act = (
                    f"Find what changed around {e['first_period']} for '{e['intent']}' tickets: "
                    f"{now} of tickets since, against a usual {base:.0%}."
                )
                share = float(e["share_after"])  # the step's share, or the flagged periods' mean
                lo = mid = hi = float(e["tickets"]) * max(1 - base / share, 0.0) if share else 0.0
                unit, label, rule = "extra tickets", "lasting shift", "intent_shift"
            else:
                continue
        except (KeyError, TypeError, ValueError):
            continue
        ev = [_ev(SERVICE, name, label)]
        out.append(_action("Service", act, str(r["text"]), lo, mid, hi, unit, sev, ev, rule))
    return out


def _service_resolution(f: pd.DataFrame, a: Assumptions) -> list[dict[str, Any]]:
    """A channel, intent or language whose tickets wait much longer to be resolved than the
    others' (byod10b D3: Delta's replies took 4.2 hours against 44 minutes, 5.8x): check its
    staffing and routing. The effect is the hours a ticket would wait less were the gap to
    the others' median closed (``gap_closure`` of it)."""
    out = []
    for _, r in f[f["name"].str.startswith("resolution_")].iterrows():
        e = r["evidence"]
        try:
            slow, others = float(e["median_hours"]), float(e["others_median_hours"])
            ratio = float(e["ratio"])
        except (KeyError, TypeError, ValueError):
            continue
        if "language" in e:
            who = f"{e['language']} tickets"
        elif e.get("column") == "intent":
            who = f"'{e.get('value')}' tickets"
        else:
            who = f"{e.get('column', 'channel')} '{e.get('value')}'"
        scale, unit = (1.0, "hours") if slow >= 1 else (60.0, "minutes")  # a call: 9 min vs 5
        act = (
            f"Check staffing and routing for {who}: tickets wait {ratio:.1f}x as long to be "
            f"resolved (median {scale * slow:.{1 if scale == 1 else 0}f} {unit} against "
            f"{scale * others:.{1 if scale == 1 else 0}f}{'' if scale == 1 else ' ' + unit})."
        )
        lo, mid, hi = _scaled(max(slow - others, 0.0) * scale, a.gap_closure)
        ev = [_ev(SERVICE, r["name"], "resolution time")]
        out.append(_action("Service", act, str(r["text"]), lo, mid, hi, f"{unit} less a ticket",
                           r["severity"], ev, "resolution"))  # fmt: skip
    return out


def _service_drivers(f: pd.DataFrame, a: Assumptions) -> list[dict[str, Any]]:
    """An intent or channel whose negative share is well above the rest's (byod10b D8:
    'refund' tickets rated bad 58% of the time against 9%, 60% of the bad ratings): fix
    what goes wrong there. The effect is the negative tickets fewer were the gap to the
    others' share closed (``gap_closure`` of it). Only on the customers' own ratings or a
    listening tool's labels (worded as the tool's: ``evidence["by"] == "tool"``): a topic
    named by its words and read as negative by words (the lexicon) is no driver to act on
    unread."""
    out = []
    for _, r in f[f["name"].str.startswith("sentiment_driver_")].iterrows():
        e = r["evidence"]
        tool = isinstance(e, dict) and e.get("by") == "tool"  # a listening tool's labels
        if not isinstance(e, dict) or not (e.get("rated", True) or tool):
            continue
        try:
            n, k, others = int(e["tickets"]), int(e["negative"]), float(e["others_share"])
        except (KeyError, TypeError, ValueError):
            continue
        col, val = str(e.get("column", "intent")), str(e.get("value"))
        what = f"'{val}' tickets" if col == "intent" else f"tickets from {col} '{val}'"
        how = "labelled negative by the listening tool" if tool else "rated negative"
        act = (
            f"Find and fix what goes wrong for customers in {what}: {k / n:.0%} are {how} "
            f"against {others:.0%} of the others."
        )
        lo, mid, hi = _scaled(max(k - n * others, 0.0), a.gap_closure)
        unit = (
            "fewer tickets the listening tool labels negative" if tool else "fewer negative ratings"
        )
        ev = [_ev(SERVICE, r["name"], f"negative share of {val}")]
        out.append(_action("Service", act, str(r["text"]), lo, mid, hi, unit, r["severity"], ev,
                           "sentiment_driver"))  # fmt: skip
    return out


def _service_items(f: pd.DataFrame, a: Assumptions) -> list[dict[str, Any]]:
    """A product whose reviews are negative well above the other products' (chapter 05's
    ranking of reviews without dates; byod13b D7: Google Play reviews of our own app 48.9%
    negative against 21.9%, while the summary read 22.2% and "no action"): find and fix what
    its reviewers complain of. The effect is the negative reviews fewer were the gap to the
    others' share closed (``gap_closure`` of it), as for :func:`_service_drivers`."""
    out = []
    rows = f[f["name"].str.startswith("item_negative_") & f["severity"].isin(["high", "medium"])]
    for _, r in rows.iterrows():
        e = r["evidence"]
        try:
            n, k, others = int(e["tickets"]), int(e["negative"]), float(e["others_share"])
        except (KeyError, TypeError, ValueError):
            continue
        name = str(e.get("title") or e.get("item_id"))
        act = (
            f"Find and fix what reviewers of {name} complain of (read its {k:,} negative "
            f"reviews): {k / n:.0%} of its {n:,} are negative against {others:.0%} for the "
            "other products."
        )
        lo, mid, hi = _scaled(max(k - n * others, 0.0), a.gap_closure)
        ev = [_ev(SERVICE, r["name"], f"negative reviews of {name}")]
        out.append(_action("Service", act, str(r["text"]), lo, mid, hi, "fewer negative ratings",
                           r["severity"], ev, "item_negative"))  # fmt: skip
    return out


def _recommend(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    lift = run.metric(RECOMMEND, "lift_over_popularity")
    model = run.metric(RECOMMEND, "best.model")
    if not isinstance(lift, (int, float)) or lift < 1.2 or not model:
        return []
    act = (
        f"Serve personalised recommendations from the '{model}' model instead of bestseller lists."
    )
    why = f"On held-out interactions it ranks relevant items {lift:.1f}x as well as the bestseller list."
    ev = [_ev(RECOMMEND, "models", "model comparison")]
    return [
        _action(
            "Recommendation",
            act,
            why,
            lift,
            lift,
            lift,
            "x ranking quality",
            "medium",
            ev,
            "recommend",
        )
    ]


def _refund_spike(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """A product's month of refunds far above its other months (00's ``return_spike``):
    find the cause; the effect is the excess refunds a fix keeps from recurring, times the
    share of a gap a fix closes (byod13b D12)."""
    f = run.finding(OVERVIEW, "return_spike")
    if f is None:
        return []
    ev = f.get("evidence", {})
    excess = float(ev.get("excess") or 0.0)
    if excess <= 0:
        return []
    title = ev.get("title")
    item = f"{ev['item_id']}" + (f" ({title})" if title else "")
    why = (
        f"{item} had {ev['refunds']:,} refunds ({money(ev['refund_money'], currency)}) in "
        f"{ev['month']}, {ev['rate']:.0%} of its lines sold that month against "
        f"{ev['rate_other']:.0%} in its other months; "
        f"{money(excess, currency)} of refunds above the usual rate."
    )
    act = (
        f"Find why {item}'s refunds spiked in {ev['month']} (its batch, listing or courier) "
        "and fix it before it repeats."
    )
    lo, mid, hi = _scaled(excess, a.gap_closure)
    evidence = [_ev(OVERVIEW, "return_spike", f"{item} refunds")]
    sev = str(f.get("severity") or "medium")
    return [_action("Quality", act, why, lo, mid, hi, MONEY, sev, evidence, "refund_spike")]


def _delivery(
    run: RunResults, j: dict[str, pd.DataFrame], a: Assumptions, currency: str
) -> list[dict[str, Any]]:
    """The segment delivered late most often (the overview's ``delivery.worst``): fix its
    promise or its carrier. The effect is on its late rate, in points: its gap to the rest
    closed by the assumed share (``gap_closure``); a suspected-fraud share that stands out
    (``delivery.fraud``) adds a review of those orders, without an effect figure."""
    out = []
    w = run.finding(OVERVIEW, "delivery.worst") or {}
    e = w.get("evidence") or {}
    if e.get("segment") is not None and e.get("rate") is not None:
        gap = 100 * (float(e["rate"]) - float(e["rest_rate"]))
        lo, mid, hi = _scaled(-gap, (a.gap_closure[1], a.gap_closure[0]))
        by = str(e.get("by", "")).replace("_", " ")
        act = (
            f"Fix deliveries by {by} {e['segment']}: reset its promised days to what it "
            "achieves, or change its carrier or cut-off."
        )
        why = (
            f"{float(e['rate']):.0%} of its {int(e['orders']):,} orders arrived late against "
            f"{float(e['rest_rate']):.0%} of the rest ({float(e['days_late']):.1f} days late "
            "on average)."
        )
        sev = str(w.get("severity", "medium"))
        ev = [_ev(OVERVIEW, "delivery.worst", f"late deliveries by {by}")]
        unit = f"pp late rate of {e['segment']}"
        out.append(_action("Fulfilment", act, why, lo, mid, hi, unit, sev, ev, "delivery"))
    f = run.finding(OVERVIEW, "delivery.fraud")
    e = (f or {}).get("evidence") or {}
    if f and e.get("segment") is not None:
        act = (
            f"Review {e['segment']} orders before shipping: their suspected-fraud share stands out."
        )
        ev = [_ev(OVERVIEW, "delivery.fraud", "suspected fraud")]
        row = _action("Fulfilment", act, str(f.get("text", "")), None, None, None, "",
                      str(f.get("severity", "medium")), ev, "delivery_fraud")  # fmt: skip
        out.append(row)
    return out


RULES: tuple[Rule, ...] = (_outreach, _win_back, _stockouts, _stopped, _competitor, _service,
                           _funnel, _overstock, _market, _recommend, _price)  # fmt: skip
RULES += (_shifted,)  # byod9a D23
RULES += (_events,)  # byod9a D6
RULES += (_campaigns,)  # byod10a D5
RULES += (_label_segment,)  # byod11a D10
RULES += (_ad_budget,)  # f13ads: ad spend against the orders it brought
RULES += (_refund_spike,)  # byod13b D12
RULES += (_experiment,)  # byod13a D12
RULES += (_delivery,)  # f13ops: late deliveries and suspected fraud


def action_plan(
    run: RunResults,
    joins: dict[str, pd.DataFrame],
    *,
    assumptions: Assumptions | None = None,
    limit: int = 12,
    currency: str = "",
) -> pd.DataFrame:
    """The prioritised action plan.

    Args:
        run: the chapters' results.
        joins: the cross-chapter tables by name (``outreach``, ``stockout_recommendations``,
            ``intents_after_moves``).
        assumptions: execution ranges (defaults: :class:`Assumptions`).
        limit: most actions kept.
        currency: the config's currency code, written with money in ``why`` and
            ``expected_effect`` ("" for none).

    Returns:
        ``priority, area, action, why, expected_effect, low, mid, high, unit, severity,
        evidence, rule``; most severe first, money effects largest first within a severity.
    """
    a = assumptions or Assumptions()
    rows = [r for rule in RULES for r in rule(run, joins, a, currency)]
    if not rows:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    for r in rows:
        r["expected_effect"] = describe_effect(
            r["low"], r["mid"], r["high"], r["unit"], currency=currency
        )
    df = pd.DataFrame(rows)
    df["_sev"] = df["severity"].map(_sev_rank)
    df["_money"] = -df["mid"].where(df["unit"] == MONEY).fillna(0.0)
    df = df.sort_values(["_sev", "_money"], kind="stable", ignore_index=True).head(limit)
    df["priority"] = np.arange(1, len(df) + 1)
    return df[ACTION_COLUMNS]
