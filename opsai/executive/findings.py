"""The executive report's own findings: one per cross-chapter view, with its numbers."""

from __future__ import annotations

import pandas as pd

from opsai.executive.results import BEHAVIOR, DEMAND, MARKET, RECOMMEND, SERVICE, RunResults
from opsai.report.finding import Finding
from opsai.report.wording import money


def _missing(run: RunResults, *chapters: str) -> str:
    return "; ".join(run.why_missing(c) for c in chapters if run.why_missing(c))


def outreach(table: pd.DataFrame, run: RunResults, *, currency: str = "") -> Finding:
    """How many at-risk high-value users also complained, and the value they hold (in
    ``currency``, the config's code; "" writes bare numbers)."""
    gap = _missing(run, BEHAVIOR, SERVICE)
    if gap:
        return Finding(f"No priority outreach list: {gap}.", name="outreach")
    skipped = run.finding(BEHAVIOR, "churn_skipped")
    if skipped is not None:  # no churn model, so nobody is at risk by its score
        why = (skipped.get("evidence") or {}).get("reason") or "see the behaviour chapter"
        return Finding(
            f"No priority outreach list: the behaviour chapter trained no churn model ({why}).",
            evidence={"reason": why},
            name="outreach",
        )
    weak = run.churn_unusable()
    if weak:  # the at-risk list is noise, so there is nobody to call on its strength
        return Finding(
            f"No priority outreach list: churn could not be predicted from this data ({weak}).",
            evidence={"reason": weak},
            name="outreach",
        )
    at_risk = run.table(BEHAVIOR, "churn.at_risk")
    if table.empty:
        return Finding(
            f"None of the {len(at_risk):,} high-value users at churn risk filed a negative "
            "ticket (or tickets carry no user ids).",
            evidence={"at_risk": len(at_risk), "outreach": 0},
            name="outreach",
        )
    n = int(table["negative_tickets"].sum())
    if "value_at_risk" not in at_risk:  # orders without values: no spend to quote
        return Finding(
            f"{len(table):,} of the {len(at_risk):,} frequent buyers at churn risk also filed "
            f"negative tickets ({n:,} in all). Call them first.",
            "high",
            {"users": len(table), "at_risk": len(at_risk)},
            name="outreach",
        )
    v, total = float(table["value_at_risk"].sum()), float(at_risk["value_at_risk"].sum())
    return Finding(
        f"{len(table):,} of the {len(at_risk):,} high-value users at churn risk also filed "
        f"negative tickets ({n:,} in all); they hold "
        f"{money(v, currency)} of the {money(total, currency)} spend at risk "
        f"({v / total:.0%}). Call them first.",
        "high",
        {
            "users": len(table),
            "at_risk": len(at_risk),
            "value_at_risk": v,
            "total_value_at_risk": total,
        },
        name="outreach",
    )


def stockout_recommendations(table: pd.DataFrame, run: RunResults) -> Finding:
    """Which recommended items will stock out, and how many users see them."""
    gap = _missing(run, RECOMMEND, DEMAND)
    if gap:
        return Finding(
            f"No check of recommended items against stock: {gap}.", name="stockout_recommended"
        )
    if run.table(DEMAND, "plan.table").empty:  # forecasts only: the data has no stock levels
        return Finding(
            f"No check of recommended items against stock: {DEMAND} had no inventory table.",
            name="stockout_recommended",
        )
    if table.empty:
        return Finding(
            "No item the recommender shows is expected to stock out within its lead time.",
            evidence={"items": 0},
            name="stockout_recommended",
        )
    top = table.iloc[0]
    return Finding(
        f"{len(table)} recommended item(s) will likely stock out within their lead time; "
        f"{top['item_id']} is in {int(top['users_recommended']):,} users' top recommendations "
        f"with {float(top['on_hand']):,.0f} on hand. Reorder it and hold it out of "
        "recommendations until stock arrives.",
        "high",
        {
            "items": len(table),
            "top_item": str(top["item_id"]),
            "users": int(top["users_recommended"]),
        },
        name="stockout_recommended",
    )


def intents_after_moves(table: pd.DataFrame, run: RunResults) -> Finding:
    """Support intents that rose after a competitor's move."""
    gap = _missing(run, SERVICE, MARKET)
    if gap:
        return Finding(
            f"No link of ticket intents to competitor moves: {gap}.", name="intents_after_moves"
        )
    if table.empty:
        return Finding(
            "No ticket intent rose significantly after a competitor's move.",
            evidence={"intents": 0},
            name="intents_after_moves",
        )
    r = table.iloc[0]
    return Finding(
        f"After {r['company']}'s {r['move']} in {r['period']}, '{r['intent']}' tickets rose "
        f"from {r['share_before']:.0%} to {r['share_after']:.0%} of volume (median month, "
        f"{r['ratio']:.1f}x; one-sided rank test p = {r['p_value']:.3f}): customers are asking "
        "us to match.",
        "high",
        {
            k: r[k]
            for k in (
                "company",
                "move",
                "period",
                "intent",
                "share_before",
                "share_after",
                "ratio",
                "p_value",
            )
        },
        name="intents_after_moves",
    )
