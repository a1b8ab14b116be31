"""Cross-chapter views that only the joined results can give.

- :func:`outreach_list`: high-value users at churn risk (behaviour) who also filed negative
  tickets (customer service) - the people to call first.
- :func:`stockout_recommendations`: items the recommender shows to many users that inventory
  says will stock out - suppress them or reorder.
- :func:`intents_after_competitor_moves`: support intents whose share of tickets rose after a
  competitor's price move (market) - the customers are telling us about it.

Each returns a DataFrame (empty with its columns when an input is missing) and each input is a
table a chapter recorded, read through :class:`~opsai.executive.results.RunResults`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from opsai.data import schema as S
from opsai.errors import ConfigError

OUTREACH_COLUMNS = [
    S.USER_ID,
    "churn_probability",
    "value",
    "value_at_risk",
    "negative_tickets",
    "tickets",
    "last_negative",
    "last_intent",
]
STOCKOUT_COLUMNS = [
    S.ITEM_ID,
    "users_recommended",
    "share_of_users",
    "on_hand",
    "days_of_cover",
    "stockout_probability",
    "lead_time_days",
    "action",
    "order_quantity",
]
INTENT_COLUMNS = [
    "company",
    "move",
    "period",
    "intent",
    "share_before",
    "share_after",
    "ratio",
    "extra_tickets_per_period",
    "p_value",
    "periods_before",
    "periods_after",
]


def outreach_list(at_risk: pd.DataFrame, negative_users: pd.DataFrame) -> pd.DataFrame:
    """At-risk high-value users who also filed negative tickets, largest value at risk first.

    Args:
        at_risk: the behaviour chapter's ``churn.at_risk`` (``user_id``, ``churn_probability``,
            ``value``, ``value_at_risk``).
        negative_users: the service chapter's ``sentiment.negative_users`` (``user_id``,
            ``negative_tickets``, ``tickets``, ``last_negative``, ``last_intent``).
    """
    if at_risk.empty or negative_users.empty:
        return pd.DataFrame(columns=OUTREACH_COLUMNS)
    for name, df in (("churn.at_risk", at_risk), ("sentiment.negative_users", negative_users)):
        if S.USER_ID not in df:
            raise ConfigError(f"{name}: no {S.USER_ID} column (have {list(df.columns)})")
    a = at_risk.assign(**{S.USER_ID: at_risk[S.USER_ID].astype(str)})
    n = negative_users.assign(**{S.USER_ID: negative_users[S.USER_ID].astype(str)})
    out = a.merge(n, on=S.USER_ID, how="inner")
    if "value_at_risk" not in out:
        out["value_at_risk"] = out.get("value", np.nan) * out.get("churn_probability", np.nan)
    out = out.reindex(columns=OUTREACH_COLUMNS)
    return out.sort_values(
        ["value_at_risk", "negative_tickets"], ascending=False, ignore_index=True
    )


def stockout_recommendations(
    items: pd.DataFrame, alerts: pd.DataFrame, plan: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Recommended items that inventory expects to stock out within their lead time.

    Args:
        items: the recommendation chapter's ``recommendations.items`` (``item_id``, ``users``:
            how many users have the item in their top-K).
        alerts: the inventory chapter's ``alerts.table`` (stock-out alerts are named
            ``stockout.<item>``).
        plan: the inventory chapter's ``plan.table`` (``action``, ``quantity``), optional.

    Returns:
        One row per such item, the most recommended first, with what the plan says to do.
    """
    if items.empty or alerts.empty or "name" not in alerts:
        return pd.DataFrame(columns=STOCKOUT_COLUMNS)
    out_alerts = alerts[alerts["name"].astype(str).str.startswith("stockout.")]
    if S.STORE in out_alerts:  # one store's empty shelf: the item is in stock elsewhere
        out_alerts = out_alerts[out_alerts[S.STORE].isna()]
    if out_alerts.empty:
        return pd.DataFrame(columns=STOCKOUT_COLUMNS)
    rec = items.rename(columns={"users": "users_recommended"})
    rec = rec.assign(**{S.ITEM_ID: rec[S.ITEM_ID].astype(str)})
    total = float(rec["users_recommended"].sum()) or 1.0
    al = out_alerts.assign(**{S.ITEM_ID: out_alerts[S.ITEM_ID].astype(str)})
    out = rec.merge(al, on=S.ITEM_ID, how="inner")
    out["share_of_users"] = out["users_recommended"] / total
    if plan is not None and not plan.empty and S.ITEM_ID in plan:
        p = plan.assign(**{S.ITEM_ID: plan[S.ITEM_ID].astype(str)})
        p = p[[S.ITEM_ID, "action", "quantity"]].rename(columns={"quantity": "order_quantity"})
        out = out.merge(p, on=S.ITEM_ID, how="left")
    out = out.reindex(columns=STOCKOUT_COLUMNS)
    return out.sort_values("users_recommended", ascending=False, ignore_index=True)


def _months(values: pd.Series) -> pd.Series:
    """Period labels (``2024-07``, ``2024-07-01``, weekly ``2024-07-01/2024-07-07``) as months."""
    first = values.astype(str).str.split("/").str[0]
    ts = pd.to_datetime(first, errors="coerce", format="mixed")
    return ts.dt.to_period("M")


def intents_after_competitor_moves(
    volume: pd.DataFrame,
    moves: pd.DataFrame,
    *,
    window: int = 6,
    min_ratio: float = 1.3,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Intents whose share of tickets rose after a competitor's move, and by how much.

    For each move (company, month) and each intent, the intent's monthly share of tickets in
    the ``window`` months before the move is compared with the ``window`` months from the
    move on: the ratio of the medians, the extra tickets a month, and a one-sided Mann-Whitney
    test that the months after have higher shares. Medians and a rank test keep a one-month
    spike of another cause (a defective batch) from reading as a sustained rise.

    Args:
        volume: the service chapter's ``volume.table`` (``period``, ``intent``, ``tickets``).
        moves: the market chapter's ``competitor_events`` or ``competitor_moves``
            (``company``, ``period``, ``change``; ``metric`` when present).
        window: months on each side.
        min_ratio: smallest after/before ratio reported.
        alpha: largest p-value reported.

    Returns:
        Rows for the intents that rose (largest ratio first); empty when periods cannot be
        read as dates (e.g. a market table indexed by integers).
    """
    if window < 2:
        raise ConfigError(f"window must be >= 2 months, got {window}")
    need_v, need_m = {"period", "intent", "tickets"}, {"company", "period"}
    if volume.empty or moves.empty or not need_v <= set(volume) or not need_m <= set(moves):
        return pd.DataFrame(columns=INTENT_COLUMNS)
    v = volume.assign(month=_months(volume["period"])).dropna(subset=["month"])
    counts = v.pivot_table(index="month", columns="intent", values="tickets", aggfunc="sum")
    counts = counts.fillna(0.0).sort_index()
    if counts.empty:
        return pd.DataFrame(columns=INTENT_COLUMNS)
    share = counts.div(counts.sum(axis=1).replace(0, np.nan), axis=0)
    rows = []
    for _, m in moves.assign(month=_months(moves["period"])).dropna(subset=["month"]).iterrows():
        month = m["month"]
        before = share[(share.index < month) & (share.index >= month - window)]
        after = share[(share.index >= month) & (share.index < month + window)]
        if len(before) < 2 or len(after) < 2:
            continue
        for intent in share.columns:
            b, a = before[intent].dropna(), after[intent].dropna()
            mb, ma = float(b.median()), float(a.median())
            if mb <= 0 or ma / mb < min_ratio:
                continue
            p = float(stats.mannwhitneyu(a, b, alternative="greater").pvalue)
            if p > alpha:
                continue
            extra = float(
                counts.loc[after.index, intent].mean() - counts.loc[before.index, intent].mean()
            )
            change = m.get("change")
            metric = m.get("metric", "price")
            move = f"{metric} {change:+.0%}" if isinstance(change, (int, float)) else str(metric)
            rows.append(
                {
                    "company": m["company"],
                    "move": move,
                    "period": str(month),
                    "intent": intent,
                    "share_before": mb,
                    "share_after": ma,
                    "ratio": ma / mb,
                    "extra_tickets_per_period": extra,
                    "p_value": p,
                    "periods_before": len(b),
                    "periods_after": len(a),
                }
            )
    out = pd.DataFrame(rows, columns=INTENT_COLUMNS)
    return out.sort_values("ratio", ascending=False, ignore_index=True)
