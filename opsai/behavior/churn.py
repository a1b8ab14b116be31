"""Churn / repeat-purchase frames with a strictly time-based split, and the at-risk list.

Features use only rows strictly before the cut-off; the label uses only rows in
``[cutoff, cutoff + horizon)``. :func:`snapshots` builds the honest pair: a training frame at
``cutoff - horizon`` (its label window ends where the test features end) and a test frame at
``cutoff``.

Example:
    >>> train, test = snapshots(ws.table("orders"), horizon_days=90,
    ...                         events=ws.table("events"), users=ws.to_pandas("users"))  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import numpy as np
import pandas as pd

from opsai.behavior._engine import TableLike, as_table, require, to_frame
from opsai.behavior.attributes import _DATE_TEXT
from opsai.behavior.segments import behaviour_features
from opsai.data._synonyms import name_words
from opsai.data.schema import AMOUNT, ORDER_ID, SIGNUP_AT, TIMESTAMP, USER_ID
from opsai.errors import ConfigError
from opsai.report.wording import money

LABEL = "churned"
"""1 when the user places no order in the horizon after the cut-off."""
FUTURE_VALUE = "future_value"


def last_timestamp(orders: TableLike, *, col_time: str = TIMESTAMP) -> pd.Timestamp:
    """The latest order timestamp (the end of the data)."""
    t = as_table(orders, name="orders")
    return pd.Timestamp(t[col_time].max().to_pandas())


def usable_horizon(orders: TableLike, horizon_days: int, *, col_time: str = TIMESTAMP) -> int:
    """The churn horizon that fits the data: ``horizon_days``, or a third of the span if less.

    :func:`snapshots` needs two label windows and at least one window of history before the
    training cut-off, so the order history must span three horizons (a 120-day history gets
    a 40-day horizon instead of 90).

    Raises:
        ConfigError: when the orders span fewer than three days.
    """
    if horizon_days < 1:
        raise ConfigError(f"churn: horizon_days must be >= 1, got {horizon_days}")
    t = as_table(orders, name="orders")
    require(t, [col_time], table="orders")
    span = to_frame(t.aggregate(lo=t[col_time].min(), hi=t[col_time].max())).iloc[0]
    days = (pd.Timestamp(span["hi"]).normalize() - pd.Timestamp(span["lo"]).normalize()).days + 1
    if days < 3:
        raise ConfigError(
            f"churn: the orders span {days} day(s); a time-split churn model needs at least 3 "
            "(three horizons of history). Add more order history"
        )
    return int(min(horizon_days, days // 3))


def churn_frame(
    orders: TableLike,
    *,
    cutoff: str | pd.Timestamp,
    horizon_days: int = 90,
    events: TableLike | None = None,
    users: pd.DataFrame | None = None,
    max_levels: int = 8,
    levels: Mapping[str, Sequence[str]] | None = None,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_amount: str = AMOUNT,
    col_order: str = ORDER_ID,
) -> pd.DataFrame:
    """Features before ``cutoff`` and the label after it, one row per user who had ordered.

    Args:
        orders: the orders table.
        cutoff: features use rows with timestamp < cutoff; the label, rows in
            ``[cutoff, cutoff + horizon_days)``.
        horizon_days: the label window.
        events: the events table (adds activity features), optional.
        users: the users table as pandas (adds attributes: numeric as is, dates as days
            before the cut-off, text one-hot for the ``max_levels`` most common values held by
            at least 1% of users, and ``signup_days``; columns named like an id, such as
            ``crm_id``, are left out), optional.
        max_levels: levels kept per text attribute.
        levels: the one-hot levels of each text attribute to use instead of choosing them
            from ``users`` (a saved model scoring new data needs the levels it was trained on,
            whatever their counts in the new users table); attributes not named are chosen.
        col_user, col_time, col_amount, col_order: column overrides.

    Returns:
        Indexed by user: numeric features, ``churned`` (0/1) and ``future_value`` (spend in
        the label window; for evaluation only, never a feature). Rows with a negative amount
        (returns) count in the money features but not as orders: a user with only returns
        before the cut-off is left out, and one with only returns after it has churned.
    """
    if horizon_days < 1:
        raise ConfigError(f"churn: horizon_days must be >= 1, got {horizon_days}")
    cut = pd.Timestamp(cutoff)
    end = cut + pd.Timedelta(days=horizon_days)
    t = as_table(orders, name="orders")
    require(t, [col_user, col_time, col_amount], table="orders")
    c, e = ibis.literal(cut.to_pydatetime()), ibis.literal(end.to_pydatetime())
    past = t.filter(t[col_time] < c)
    key = past[col_order] if col_order in past.columns else past[col_time]
    age = (c.epoch_seconds() - past[col_time].epoch_seconds()) / 86400
    buy = past[col_amount] >= 0  # negative lines are returns: money, not purchases
    feats = past.group_by(_u=past[col_user]).aggregate(
        recency_days=age.min(where=buy), tenure_days=age.max(where=buy),
        frequency=key.nunique(where=buy), monetary=past[col_amount].sum(),
        orders_30d=ibis.ifelse((age <= 30) & buy, 1, 0).sum(),
        orders_90d=ibis.ifelse((age <= 90) & buy, 1, 0).sum(),
        amount_90d=ibis.ifelse(age <= 90, past[col_amount], 0.0).sum(),
    )  # fmt: skip
    feats = feats.filter(feats.frequency > 0)
    fut = t.filter((t[col_time] >= c) & (t[col_time] < e))
    lab = fut.group_by(_v=fut[col_user]).aggregate(
        future_value=fut[col_amount].sum(), _orders=ibis.ifelse(fut[col_amount] >= 0, 1, 0).sum()
    )
    j = feats.left_join(lab, feats._u == lab._v)
    df = to_frame(j.drop("_v")).set_index("_u").sort_index()
    df.index.name = col_user
    if df.empty:
        raise ConfigError(f"churn: no orders before cutoff {cut.date()}; choose a later cutoff")
    df = df.astype({k: float for k in df.columns if k not in (FUTURE_VALUE, "_orders")})
    df["aov"] = df["monetary"] / df["frequency"].clip(lower=1)
    df["mean_gap_days"] = (df["tenure_days"] - df["recency_days"]) / (df["frequency"] - 1).clip(
        lower=1
    )
    if events is not None:
        b = behaviour_features(events, asof=cut, col_user=col_user, col_time=col_time)
        b = b.add_prefix("ev_").reindex(df.index).fillna({c: 0.0 for c in b.add_prefix("ev_")})
        b["ev_days_since_event"] = b["ev_days_since_event"].fillna(df["recency_days"])
        df = df.join(b)
    if users is not None:
        df = df.join(_user_features(users, cut, max_levels, col_user, levels))
    df[FUTURE_VALUE] = df[FUTURE_VALUE].fillna(0.0).astype(float)
    df[LABEL] = (df.pop("_orders").fillna(0) <= 0).astype(int)
    return df


_ID_NAME = re.compile(r"(^|[_\W])id$", re.IGNORECASE)

LIFECYCLE_VALUES = frozenset({
    "active", "inactive", "cancelled", "canceled", "churned", "paused", "closed", "expired",
    "suspended", "terminated", "lapsed", "ended", "deleted", "trialing", "past_due", "unpaid",
    "on_hold", "pending_cancellation",
})  # fmt: skip
"""Values of a current lifecycle state (a subscription's or an account's status)."""
_LIFECYCLE_TOKENS = frozenset({
    "status", "lifecycle", "active", "inactive", "isactive", "end", "ended", "terminated",
    "termination", "expired", "expiry", "unsubscribed", "closed", "deleted", "lapsed",
})  # fmt: skip
_WEAK_TOKENS = frozenset({"status", "end"})
"""Words that name a lifecycle state only when the values agree: a ``MARITAL_STATUS_CODE``
of A/B/U or an ``end_station`` is no outcome (byod10a D4)."""
_NOT_LIFECYCLE = frozenset({
    "marital", "marriage", "married", "employment", "employed", "job", "occupation", "work",
    "student", "education", "home", "homeowner", "homeownership", "housing", "residence",
    "residential", "tax", "vip", "credit", "relationship", "civil", "family", "household",
    "citizenship", "immigration", "veteran", "smoking", "smoker", "health", "loyalty", "tier",
    "kyc", "verification", "verified",
})  # fmt: skip
"""Words of a property a ``*status*`` column may describe that records no churn outcome."""


def _lifecycle_values(v: pd.Series) -> bool:
    """Whether ``v`` looks like a lifecycle state or its date: a date (text of dates too), a
    yes/no, or values of which at least 10% are :data:`LIFECYCLE_VALUES`."""
    if pd.api.types.is_datetime64_any_dtype(v) or pd.api.types.is_bool_dtype(v):
        return True
    if pd.api.types.is_numeric_dtype(v):
        return False
    text = v.dropna().astype(str).str.strip()
    if text.empty:
        return False
    if text.str.match(_DATE_TEXT).mean() >= 0.9:
        return True
    norm = text.str.lower().str.replace(r"[\s-]+", "_", regex=True)
    return bool(norm.isin(LIFECYCLE_VALUES).mean() >= 0.1)


def leaky_attributes(users: pd.DataFrame, *, col_user: str = USER_ID) -> dict[str, str]:
    """User attributes that record the churn outcome rather than predict it, with why.

    A users export is written today: its ``status`` (active / paused / cancelled), its
    ``cancelled_on`` or ``is_active`` say who has left, which is the label the churn model is
    to predict, so as features they inflate its accuracy and as churn findings they name the
    outcome as its own cause. Rule: an attribute is left out when its name denotes a
    lifecycle state (a word ``lifecycle``, ``active``, ``inactive``, ``ended``, ``closed``,
    ``expired``, ``deleted``, ``terminated``, ``lapsed``, ``unsubscribed``, or a word starting
    ``cancel`` or ``churn``: ``cancelled_on``, ``isActive``; or a word ``status`` or ``end``
    whose values agree, dates, yes/no or at least 10% lifecycle values, and with no word of a
    property such as ``marital``, ``employment``, ``student``, ``homeowner`` or ``vip``:
    ``subscription_status`` of active/paused, ``end_date``, not ``MARITAL_STATUS_CODE`` of
    A/B/U), or when at least half of its values are lifecycle states
    (:data:`LIFECYCLE_VALUES`; a ``state`` column of US states is kept, one of
    active/cancelled is not).

    Returns:
        ``{column: reason}`` in column order; empty when nothing leaks.
    """
    out: dict[str, str] = {}
    for col in users.columns:
        if col in (col_user, SIGNUP_AT):
            continue
        tokens, v = name_words(str(col)), users[col]
        strong = any(
            (t in _LIFECYCLE_TOKENS and t not in _WEAK_TOKENS) or t.startswith(("cancel", "churn"))
            for t in tokens
        )
        weak = bool(_WEAK_TOKENS & set(tokens)) and not _NOT_LIFECYCLE & set(tokens)
        if strong or (weak and _lifecycle_values(v)):
            out[str(col)] = "its name denotes a lifecycle state"
            continue
        if pd.api.types.is_numeric_dtype(v) or pd.api.types.is_datetime64_any_dtype(v):
            continue
        norm = (
            v.dropna().astype(str).str.strip().str.lower().str.replace(r"[\s-]+", "_", regex=True)
        )
        hits = norm[norm.isin(LIFECYCLE_VALUES)]
        if len(norm) and len(hits) >= 0.5 * len(norm):
            top = ", ".join(hits.value_counts().index[:4])
            out[str(col)] = f"its values are lifecycle states ({top})"
    return out


def _user_features(
    users: pd.DataFrame,
    cut: pd.Timestamp,
    max_levels: int,
    col_user: str,
    levels: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    u = users.set_index(col_user) if col_user in users.columns else users
    out = pd.DataFrame(index=u.index)
    for col in u.columns:
        v = u[col]
        if _ID_NAME.search(str(col)):
            continue  # an identifier (crm_id) is no attribute: its order is noise or leakage
        if v.isna().all():
            continue  # nothing to learn from: a soft delete's deleted_at once deleted rows are out
        if col == SIGNUP_AT or pd.api.types.is_datetime64_any_dtype(v):
            ts = pd.to_datetime(v, errors="coerce")
            days = (cut - ts).dt.total_seconds().where(ts < cut) / 86400
            out["signup_days" if col == SIGNUP_AT else f"u_{col}_days"] = days
        elif pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
            out[f"u_{col}"] = v.astype(float)
        else:
            counts = v.astype("string").value_counts()
            # a level held by under 1% of users (one postcode of 2,000) is noise to a model
            top = counts[counts >= max(2.0, 0.01 * len(v))].index[:max_levels]
            if levels is not None and str(col) in levels:
                top = list(levels[str(col)])
            for level in top:
                out[f"u_{col}={level}"] = (v.astype("string") == level).astype(float)
    return out


def snapshots(
    orders: TableLike,
    *,
    horizon_days: int = 90,
    cutoff: str | pd.Timestamp | None = None,
    events: TableLike | None = None,
    users: pd.DataFrame | None = None,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_amount: str = AMOUNT,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A training frame at ``cutoff - horizon`` and a test frame at ``cutoff``.

    Args:
        cutoff: the test cut-off; default the end of the data minus ``horizon_days`` (the
            latest date whose label window is fully observed).

    Returns:
        ``(train, test)``, both from :func:`churn_frame`, with the same feature columns.
    """
    if cutoff is None:
        cutoff = last_timestamp(orders, col_time=col_time).normalize() - pd.Timedelta(
            days=horizon_days - 1
        )
    cut = pd.Timestamp(cutoff)
    kw = {"horizon_days": horizon_days, "events": events, "users": users, "col_user": col_user,
          "col_time": col_time, "col_amount": col_amount}  # fmt: skip
    train = churn_frame(orders, cutoff=cut - pd.Timedelta(days=horizon_days), **kw)  # type: ignore[arg-type]
    test = churn_frame(orders, cutoff=cut, **kw)  # type: ignore[arg-type]
    cols = [c for c in train.columns if c in test.columns]
    return train[cols], test[cols]


def still_active(frame: pd.DataFrame, *, horizon_days: int) -> pd.Series:
    """The churn model's population in a :func:`churn_frame`: customers still ordering at its
    cut-off, an order within ``horizon_days`` (the churn horizon) before it.

    A customer whose last order is older has churned already by the model's own definition:
    kept in, every long-lapsed customer is a churner that recency alone "predicts" (a
    subscription service's payers since 2015 read ROC-AUC 0.99 and a 35% base rate where 5%
    of the live subscribers stop paying, byod10a D6). They are :func:`lapsed`'s win-back list
    instead, which :func:`at_risk` (``horizon_days``) already leaves out.

    Returns:
        A boolean Series on ``frame``'s index.
    """
    return frame["recency_days"] <= horizon_days


def population_note(customers: int, everyone: int, *, horizon_days: int) -> str:
    """The churn population in words: "the 1,466 customers still ordering (an order in the 60
    days before the cut-off; 1,287 of the 2,753 who had ordered before it had lapsed already
    and are left to the win-back list)"."""
    gone = everyone - customers
    text = (
        f"the {customers:,} customers still ordering (an order in the {horizon_days} days "
        "before the cut-off"
    )
    if gone:
        text += (
            f"; {gone:,} of the {everyone:,} who had ordered before it had lapsed already and "
            "are left to the win-back list"
        )
    return text + ")"


def feature_columns(frame: pd.DataFrame) -> list[str]:
    """The model inputs of a :func:`churn_frame` (everything but the label columns)."""
    return [c for c in frame.columns if c not in (LABEL, FUTURE_VALUE)]


def at_risk(
    frame: pd.DataFrame,
    churn_probability: np.ndarray | pd.Series,
    *,
    value_col: str = "monetary",
    value_quantile: float = 0.8,
    min_probability: float = 0.5,
    top: int = 50,
    horizon_days: int | None = None,
) -> pd.DataFrame:
    """High-value users likely to churn, ordered by value at risk (probability x value).

    Args:
        frame: a :func:`churn_frame` (index: user).
        churn_probability: P(churn) for each row.
        value_col: the value column. value_quantile: users at or above this value quantile
            count as high-value. min_probability: the churn probability to be listed.
        top: the longest list returned.
        horizon_days: the churn horizon. With it, only users who ordered within it are listed
            (one whose last order is older has churned already: see :func:`lapsed`), and the
            value at risk is what they would spend over the next ``horizon_days`` at the rate
            of their last 90 days (``spend_next``), times the probability, not their lifetime
            spend: a subscriber who stopped paying a year ago put nothing at risk.

    Returns:
        ``churn_probability``, ``value``, (``spend_next``,) ``value_at_risk``,
        ``recency_days``, ``frequency``.
    """
    if value_col not in frame.columns:
        raise ConfigError(f"at_risk: value_col {value_col!r} not in the frame")
    p = pd.Series(np.asarray(churn_probability, float), index=frame.index)
    value = frame[value_col]
    keep = (value >= value.quantile(value_quantile)) & (p >= min_probability)
    stake = value
    if horizon_days is not None:
        keep &= frame["recency_days"] <= horizon_days
        stake = frame["amount_90d"].clip(lower=0) * horizon_days / 90
    out = pd.DataFrame(
        {
            "churn_probability": p[keep],
            "value": value[keep],
            **({"spend_next": stake[keep]} if horizon_days is not None else {}),
            "value_at_risk": (p * stake)[keep],
            "recency_days": frame.loc[keep, "recency_days"],
            "frequency": frame.loc[keep, "frequency"],
        }
    )
    return out.sort_values("value_at_risk", ascending=False).head(top)


def lapsed(
    frame: pd.DataFrame,
    *,
    horizon_days: int,
    value_col: str = "monetary",
    value_quantile: float = 0.8,
    top: int = 50,
) -> pd.DataFrame:
    """High-value users who have churned already: no order within ``horizon_days`` (the
    churn horizon) before the frame's cut-off; a win-back list, kept apart from
    :func:`at_risk`. Ordered by lifetime value.

    Returns:
        ``value``, ``recency_days``, ``frequency``, indexed by user.
    """
    if value_col not in frame.columns:
        raise ConfigError(f"lapsed: value_col {value_col!r} not in the frame")
    value = frame[value_col]
    keep = (value >= value.quantile(value_quantile)) & (frame["recency_days"] > horizon_days)
    out = pd.DataFrame(
        {
            "value": value[keep],
            "recency_days": frame.loc[keep, "recency_days"],
            "frequency": frame.loc[keep, "frequency"],
        }
    )
    return out.sort_values("value", ascending=False).head(top)


def comeback_rate(frames: Sequence[pd.DataFrame], *, horizon_days: int) -> dict[str, Any]:
    """How often high-value customers who had lapsed came back on their own, in this data.

    For each labelled :func:`churn_frame` (the training and test snapshots, whose label
    windows are fully observed), the customers :func:`lapsed` would have listed at its cut-off
    (every one, not the top 50) are followed over the next ``horizon_days``: those who ordered
    again came back. The rate is the data's own win-back base rate, with a Wilson 95% interval.

    Returns:
        ``lapsed`` (customers followed), ``came_back``, ``rate``, ``rate_low``, ``rate_high``
        (``None`` when nobody had lapsed) and ``spend_per_returner`` (mean spend of those who
        came back over the window; ``None`` when none did).
    """
    from scipy.stats import binomtest

    rows = [f.loc[lapsed(f, horizon_days=horizon_days, top=len(f)).index] for f in frames]
    seen = pd.concat(rows) if rows else pd.DataFrame(columns=[LABEL, FUTURE_VALUE])
    n, back = len(seen), int((seen[LABEL] == 0).sum())
    out: dict[str, Any] = {"lapsed": n, "came_back": back, "rate": None, "rate_low": None,
                           "rate_high": None, "spend_per_returner": None}  # fmt: skip
    if n:
        ci = binomtest(back, n).proportion_ci(method="wilson")
        out.update(rate=back / n, rate_low=float(ci.low), rate_high=float(ci.high))
    if back:
        out["spend_per_returner"] = float(seen.loc[seen[LABEL] == 0, FUTURE_VALUE].mean())
    return out


def at_risk_summary(
    risk: pd.DataFrame, *, valued: bool, currency: str = "", horizon_days: int | None = None
) -> tuple[pd.DataFrame, str]:
    """The :func:`at_risk` list as the operations team reads it, and one sentence on it.

    Without order values (every purchase counts 1) the value columns are purchases and are
    named so (``purchases``, ``purchases_at_risk``) and ``currency`` is not used; with them,
    spend is written with ``currency`` (the config's code; "" writes bare numbers).
    """
    if not valued:
        risk = risk.rename(
            columns={"value": "purchases", "value_at_risk": "purchases_at_risk",
                     "spend_next": "purchases_next"}
        )  # fmt: skip
    who = "high-value users" if valued else "frequent buyers"
    active = f" still ordering (within {horizon_days} days)" if horizon_days else ""
    if risk.empty:
        return risk, f"No {who}{active} are more likely than not to churn."
    n = f"1 {who[:-1]}{active} is" if len(risk) == 1 else f"{len(risk):,} {who}{active} are"
    if not valued:
        return risk, (
            f"{n} more likely than not to churn; they made "
            f"{risk['purchases'].sum():,.0f} purchases."
        )
    if "spend_next" in risk:
        return risk, (
            f"{n} more likely than not to churn; they spent "
            f"{money(risk['value'].sum(), currency)} in all, and at the rate of their last 90 "
            f"days would spend {money(risk['spend_next'].sum(), currency)} over the next "
            f"{horizon_days} days: {money(risk['value_at_risk'].sum(), currency)} once weighted "
            "by their churn probability (the spend at risk)."
        )
    return risk, (
        f"{n} more likely than not to churn; they spent {money(risk['value'].sum(), currency)}, "
        f"{money(risk['value_at_risk'].sum(), currency)} once weighted by their churn probability "
        "(the spend at risk)."
    )


def inactivity_by(
    activity: TableLike,
    users: pd.DataFrame,
    *,
    attribute: str,
    inactive_days: int = 90,
    min_tenure_days: int = 180,
    asof: str | pd.Timestamp | None = None,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_signup: str = SIGNUP_AT,
) -> pd.DataFrame:
    """Share of users inactive for ``inactive_days``+ per value of a user attribute.

    Only users with at least ``min_tenure_days`` since signup (or first activity, without
    ``signup_at``) count, so new users do not look loyal.

    Args:
        activity: events or orders. users: the users table as pandas.
        attribute: the users column to split by. asof: reference date (default: the day
            after the last activity).

    Returns:
        One row per value: ``users``, ``churned``, ``churn_rate`` and ``ratio_to_others``.
    """
    t = as_table(activity, name="activity")
    require(t, [col_user, col_time], table="activity")
    require(users, [col_user, attribute], table="users")
    last = to_frame(
        t.group_by(_u=t[col_user]).aggregate(_last=t[col_time].max(), _first=t[col_time].min())
    ).set_index("_u")
    ref = (
        pd.Timestamp(asof)
        if asof is not None
        else last["_last"].max().normalize() + pd.Timedelta(days=1)
    )
    u = users.set_index(col_user)
    start = (
        pd.to_datetime(u[col_signup])
        if col_signup in u.columns
        else last["_first"].reindex(u.index)
    )
    start = start.fillna(last["_first"].reindex(u.index))
    seen = last["_last"].reindex(u.index)
    ok = start <= ref - pd.Timedelta(days=min_tenure_days)
    churned = (seen.isna() | (seen < ref - pd.Timedelta(days=inactive_days))).astype(float)
    df = pd.DataFrame(
        {"value": u[attribute].astype("string").fillna("(missing)"), "churned": churned}
    )[ok]
    g = df.groupby("value")["churned"].agg(users="size", churned="sum")
    g["churn_rate"] = g["churned"] / g["users"]
    tot_u, tot_c = g["users"].sum(), g["churned"].sum()
    others = (tot_c - g["churned"]) / (tot_u - g["users"]).clip(lower=1)
    g["ratio_to_others"] = g["churn_rate"] / others.replace(0, np.nan)
    g.index.name = attribute
    return g.sort_values("churn_rate", ascending=False).reset_index()
