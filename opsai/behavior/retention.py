"""Cohort retention, N-day retention curves and lifecycle counts, in the engine via Ibis.

Activity is any table with a user and a timestamp (orders or events). Periods are calendar
weeks (Monday start) or calendar months; cohorts are the first active period or, with a
users table, the signup period.

Example:
    >>> m = cohort_matrix(ws.table("orders"), period="month")          # doctest: +SKIP
"""

from __future__ import annotations

from typing import Literal

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from opsai.behavior._engine import TableLike, as_table, require, to_frame
from opsai.data.schema import SIGNUP_AT, TIMESTAMP, USER_ID
from opsai.errors import ConfigError

Period = Literal["week", "month"]
CohortBy = Literal["first_activity", "signup"]
_EPOCH_MONDAY = pd.Timestamp("1970-01-05")  # the first Monday after the Unix epoch


def _period_index(ts: ir.TimestampValue, period: Period) -> ir.IntegerValue:
    if period == "week":
        days = (ts.epoch_seconds() / 86400).floor()
        return ((days - 4) / 7).floor().cast("int64")  # 1970-01-05 is day 4
    if period == "month":
        return (ts.year() * 12 + ts.month() - 1).cast("int64")
    raise ConfigError(f"retention: period must be 'week' or 'month', got {period!r}")


def period_start(index: pd.Series | np.ndarray, period: Period) -> pd.Series:
    """The start date of each period index produced by this module."""
    idx = pd.Series(np.asarray(index, dtype="int64"))
    if period == "week":
        return _EPOCH_MONDAY + pd.to_timedelta(idx * 7, unit="D")
    return pd.to_datetime(
        pd.DataFrame({"year": idx // 12, "month": idx % 12 + 1, "day": 1})
    ).astype("datetime64[ns]")


def _activity(t: ir.Table, col_user: str, col_time: str, period: Period) -> ir.Table:
    a = t.select(_u=t[col_user], _p=_period_index(t[col_time], period))
    return a.distinct()


def last_complete_period(
    activity: TableLike, *, period: Period = "month", col_time: str = TIMESTAMP
) -> pd.Timestamp:
    """The start of the last period the data covers to its last day.

    That is the period of the latest timestamp, or the one before it when the data stops
    before that period's last day (an export taken on the 11th): counts of a period the data
    covers only partly read as a collapse (few active, everyone of the month before dormant).
    The rule is the overview's and chapter 04's (:func:`~opsai.forecast.periods.partial_last`):
    rows that are monthly (or weekly) totals, every one dated on the 1st, cover their month, so
    a last month dated 2024-12-01 is complete unless it holds under half the rows of the months
    before (monthly billing: the buyer cards spoke of 2024-11 beside revenue of 2024-12,
    byod11a D9).
    """
    from opsai.forecast.periods import partial_last

    t = as_table(activity, name="activity")
    require(t, [col_time], table="activity")
    per = t.group_by(_p=_period_index(t[col_time], period)).aggregate(_n=t.count())
    total = to_frame(per).dropna().sort_values("_p")
    days = to_frame(t.select(_d=t[col_time].date()).distinct())["_d"].dropna()
    p = int(total["_p"].iloc[-1])
    counts = pd.Series(total["_n"].to_numpy(float), index=period_start(total["_p"], period))
    part = partial_last(counts, "W" if period == "week" else "M", days)
    return period_start([p - 1 if part else p], period)[0]


def _first_period(activity: TableLike, period: Period, col_time: str) -> int:
    t = as_table(activity, name="activity")
    return int(to_frame(t.aggregate(_p=_period_index(t[col_time].min(), period)))["_p"].iloc[0])


def signup_coverage(
    activity: TableLike,
    users: TableLike,
    *,
    period: Period = "month",
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_signup: str = SIGNUP_AT,
) -> dict[str, object]:
    """How many active users signed up before the activity data starts.

    Signup cohorts only read true retention when the activity covers the periods after the
    signups: a customer base whose accounts were opened years before the export reads "0%
    active a period later" because those periods are outside the data.

    Returns:
        ``active_users`` (with a signup date), ``before`` (signed up in a period before the
        first period of activity), ``share_before`` and ``data_from`` (that first period's
        start).
    """
    t = as_table(activity, name="activity")
    require(t, [col_user, col_time], table="activity")
    u = as_table(users, name="users")
    require(u, [col_user, col_signup], table="users")
    first = _first_period(t, period, col_time)
    a = t.select(_u=t[col_user]).distinct()
    u = u.filter(u[col_signup].notnull())
    u = u.select(_v=u[col_user], _c=_period_index(u[col_signup], period))
    j = a.join(u, a._u == u._v)
    row = to_frame(j.aggregate(n=j._u.nunique(), before=j._u.nunique(where=j._c < first))).iloc[0]
    n, before = int(row["n"]), int(row["before"] or 0)
    return {
        "active_users": n,
        "before": before,
        "share_before": before / n if n else 0.0,
        "data_from": period_start([first], period)[0],
    }


def cohort_basis(
    activity: TableLike,
    users: TableLike | None,
    *,
    period: Period = "month",
    col_signup: str = SIGNUP_AT,
    most: float = 0.5,
) -> tuple[CohortBy, str | None]:
    """Signup cohorts when the users table has signup dates inside the activity data, else
    first-activity cohorts, with a sentence saying why when signups were set aside.

    Args:
        activity: orders, events or both. users: the users table (or ``None``).
        period: ``'week'`` or ``'month'``. most: the share of active users signed up before the
            data starts above which signup cohorts are set aside.
    """
    if users is None or col_signup not in as_table(users, name="users").columns:
        return "first_activity", None
    cov = signup_coverage(activity, users, period=period, col_signup=col_signup)
    if not cov["active_users"] or float(cov["share_before"]) <= most:  # type: ignore[arg-type]
        return "signup", None
    start = pd.Timestamp(cov["data_from"]).strftime("%Y-%m-%d")
    note = (
        f"{cov['before']:,} of the {cov['active_users']:,} active users signed up before the "
        f"activity data starts ({start}), so cohorts are by first active {period} in the data, "
        "not by signup"
    )
    return "first_activity", note


def cohort_counts(
    activity: TableLike,
    *,
    period: Period = "month",
    cohort_by: CohortBy = "first_activity",
    users: TableLike | None = None,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_signup: str = SIGNUP_AT,
) -> pd.DataFrame:
    """Active users per cohort and periods since the cohort started (long format).

    Returns:
        ``cohort`` (period start), ``age`` (periods since the cohort period), ``active``
        and ``size`` (users in the cohort).
    """
    t = as_table(activity, name="activity")
    require(t, [col_user, col_time], table="activity")
    a = _activity(t, col_user, col_time, period)
    if cohort_by == "first_activity":
        c = a.group_by("_u").aggregate(_c=a._p.min())
    elif cohort_by == "signup":
        if users is None:
            raise ConfigError("cohort_by='signup' needs the users table (users=...)")
        u = as_table(users, name="users")
        require(u, [col_user, col_signup], table="users")
        u = u.filter(u[col_signup].notnull())
        c = u.select(_u=u[col_user], _c=_period_index(u[col_signup], period)).distinct()
    else:
        raise ConfigError(f"cohort_by must be 'first_activity' or 'signup', got {cohort_by!r}")
    sizes = c.group_by("_c").aggregate(size=c.count())
    j = a.join(c, a._u == c._u)
    j = j.filter(j._p >= j._c)
    act = j.group_by(_c=j._c, age=j._p - j._c).aggregate(active=j._u.nunique())
    out = act.join(sizes, "_c")
    df = to_frame(out.order_by(["_c", "age"]))
    df.insert(0, "cohort", period_start(df.pop("_c"), period))
    return df.astype({"age": int, "active": int, "size": int})


def cohort_matrix(
    activity: TableLike,
    *,
    period: Period = "month",
    cohort_by: CohortBy = "first_activity",
    users: TableLike | None = None,
    max_age: int | None = 12,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_signup: str = SIGNUP_AT,
) -> pd.DataFrame:
    """The retention matrix: share of each cohort active *age* periods later.

    Args:
        activity: orders or events (user and timestamp).
        period: ``'week'`` or ``'month'``.
        cohort_by: ``'first_activity'`` or ``'signup'`` (needs ``users`` with ``signup_at``).
        users: the users table. max_age: last age column kept (``None``: all).
        col_user, col_time, col_signup: column overrides.

    Returns:
        Index ``cohort`` (period start), a ``size`` column, then one column per age 0, 1, ...
        with the active share (NaN where the period is after the data ends, or is the last
        period and the data stops before its end: see :func:`last_complete_period`).
    """
    long = cohort_counts(
        activity, period=period, cohort_by=cohort_by, users=users,
        col_user=col_user, col_time=col_time, col_signup=col_signup,
    )  # fmt: skip
    if long.empty:
        return pd.DataFrame(columns=["size"])
    long["share"] = long["active"] / long["size"]
    m = long.pivot(index="cohort", columns="age", values="share")
    if period == "week":
        seen = long["cohort"] + pd.to_timedelta(long["age"] * 7, unit="D")
    else:
        seen = pd.Series(
            [
                c + pd.DateOffset(months=int(a))
                for c, a in zip(long["cohort"], long["age"], strict=True)
            ]
        )
    # the last period with any activity, if the data covers all of it
    last = min(seen.max(), last_complete_period(activity, period=period, col_time=col_time))
    # the first period with any activity: a signup cohort's periods before it are unseen
    first = period_start([int(_first_period(activity, period, col_time))], period)[0]
    m = m[m.index <= last]
    if m.empty:  # no cohort began before the last whole period ended
        return pd.DataFrame(columns=["size"])

    def _age(c: pd.Timestamp) -> int:
        if period == "week":
            return int((last - c).days // 7)
        return (last.year - c.year) * 12 + last.month - c.month

    top = _age(m.index.min()) if max_age is None else min(max_age, _age(m.index.min()))
    m = m.reindex(columns=range(top + 1))
    for cohort in m.index:  # ages the data has not (fully) reached are NaN, others are 0
        m.loc[cohort, : _age(cohort)] = m.loc[cohort, : _age(cohort)].fillna(0.0)
        m.loc[cohort, _age(cohort) + 1 :] = np.nan
        if cohort < first:  # signed up before the data starts: ages before it were not seen
            unseen = _age(cohort) - _age(first)
            m.loc[cohort, : unseen - 1] = np.nan
    sizes = long.groupby("cohort")["size"].first()
    m.insert(0, "size", sizes.reindex(m.index).astype(int))
    m.columns = [str(c) if c == "size" else int(c) for c in m.columns]
    return m


def retention_curve(
    activity: TableLike,
    *,
    days: int = 30,
    users: TableLike | None = None,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_signup: str = SIGNUP_AT,
) -> pd.DataFrame:
    """N-day retention: share of users active exactly *n* days after their first activity,
    or with ``users`` holding signup dates, after their signup (day 1, day 7 after install: a
    mobile game's D1/D7 retention, byod13a D15); every user who signed up is then in the
    base, also those never active.

    Users whose day *n* lies after the last date in the data are left out of day *n*'s base,
    so recent users do not drag the curve down. Activity before a user's signup (or first
    day) does not count.

    Returns:
        ``day`` (0..days), ``active``, ``eligible`` and ``retention``; ``attrs["since"]`` is
        ``"signup"`` or ``"first_activity"``.
    """
    t = as_table(activity, name="activity")
    require(t, [col_user, col_time], table="activity")
    d = t.select(_u=t[col_user], _d=(t[col_time].epoch_seconds() / 86400).floor().cast("int64"))
    d = d.distinct()
    end = d._d.max().as_scalar()
    u = as_table(users, name="users") if users is not None else None
    since = "signup" if u is not None and col_signup in u.columns else "first_activity"
    if u is not None and since == "signup":
        s = u.filter(u[col_signup].notnull())
        day = (s[col_signup].cast("timestamp").epoch_seconds() / 86400).floor().cast("int64")
        s = s.select(_u=s[col_user].cast(t[col_user].type()), _d=day)
        first = s.group_by("_u").aggregate(_f=s._d.min())
    else:
        first = d.group_by("_u").aggregate(_f=d._d.min())
    j = d.join(first, "_u")
    j = j.mutate(day=j._d - j._f).filter(lambda x: (x.day >= 0) & (x.day <= days))
    act = to_frame(j.group_by("day").aggregate(active=j._u.nunique()))
    starts = first.mutate(_room=end - first._f)
    room = to_frame(starts.group_by("_room").aggregate(n=starts.count()))
    curve = pd.DataFrame({"day": np.arange(days + 1)})
    curve = curve.merge(act, on="day", how="left").fillna({"active": 0})
    room = room.sort_values("_room")
    # eligible(n) = users with at least n days of data after their first day
    eligible = [int(room.loc[room["_room"] >= n, "n"].sum()) for n in curve["day"]]
    curve["eligible"] = eligible
    curve["active"] = curve["active"].astype(int)
    curve["retention"] = np.where(
        curve["eligible"] > 0, curve["active"] / curve["eligible"].clip(lower=1), np.nan
    )
    curve.attrs["since"] = since
    return curve


def lifecycle(
    activity: TableLike,
    *,
    period: Period = "month",
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
) -> pd.DataFrame:
    """Lifecycle counts per period: new, returning, resurrected and dormant users.

    * new: first active period;
    * returning: active now and in the previous period;
    * resurrected: active now, not in the previous period, but earlier;
    * dormant: active in the previous period but not now (a positive count).

    A last period the data covers only partly is left out (:func:`last_complete_period`).

    Returns:
        ``period`` (start), ``new``, ``returning``, ``resurrected``, ``dormant``, ``active``.
    """
    t = as_table(activity, name="activity")
    require(t, [col_user, col_time], table="activity")
    a = _activity(t, col_user, col_time, period)
    w = ibis.window(group_by=a._u, order_by=a._p)
    a = a.mutate(_prev=a._p.lag().over(w), _next=a._p.lead().over(w))
    status = ibis.cases(
        (a._prev.isnull(), "new"), (a._prev == a._p - 1, "returning"), else_="resurrected"
    )
    a = a.mutate(_s=status)
    act = to_frame(a.group_by(_p=a._p, _s=a._s).aggregate(n=a.count()))
    last = a._p.max().as_scalar()
    gone = a.filter((a._next.isnull() | (a._next > a._p + 1)) & (a._p < last))
    dorm = to_frame(gone.group_by(_p=gone._p + 1).aggregate(n=gone.count()))
    dorm["_s"] = "dormant"
    both = pd.concat([act, dorm], ignore_index=True)
    wide = both.pivot_table(index="_p", columns="_s", values="n", aggfunc="sum", fill_value=0)
    cols = ["new", "returning", "resurrected", "dormant"]
    wide = wide.reindex(columns=cols, fill_value=0).sort_index()
    full = (
        np.arange(int(wide.index.min()), int(wide.index.max()) + 1)
        if len(wide)
        else np.array([], dtype=int)
    )
    wide = wide.reindex(full, fill_value=0).astype(int)
    wide["active"] = wide["new"] + wide["returning"] + wide["resurrected"]
    out = wide.reset_index(drop=False).rename(columns={"_p": "period"})
    out["period"] = period_start(out["period"], period)
    out.columns.name = None
    full_to = last_complete_period(activity, period=period, col_time=col_time)
    return out[out["period"] <= full_to].reset_index(drop=True)


def activity_of(
    events: TableLike | None,
    orders: TableLike | None,
    *,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
) -> tuple[ir.Table, str]:
    """Who was active when: events and purchases together (a buyer is active).

    Returns (a refund is no visit) are left out of the orders. With only one of the two
    tables, that table. Pass ``orders=None`` when the orders were read from the events.

    Returns:
        The activity (``user_id``, ``timestamp``) and a sentence naming its sources and
        their spans, e.g. ``"events (2025-09-02 to 2025-10-30) and purchases (2025-06-01 to
        2025-10-31)"``.
    """
    from opsai.behavior.purchases import without_returns

    parts: list[tuple[str, ir.Table]] = []
    if events is not None:
        parts.append(("events", as_table(events, name="events")))
    if orders is not None:
        parts.append(("purchases", without_returns(as_table(orders, name="orders"))))
    if not parts:
        raise ConfigError("activity needs an events or an orders table; the data has neither")
    kind = parts[0][1][col_time].type()
    ukind = parts[0][1][col_user].type()
    tables, spans = [], []
    for name, t in parts:
        require(t, [col_user, col_time], table="events" if name == "events" else "orders")
        sel = t.select(**{col_user: t[col_user].cast(ukind), col_time: t[col_time].cast(kind)})
        row = to_frame(sel.aggregate(a=sel[col_time].min(), b=sel[col_time].max())).iloc[0]
        if pd.isna(row["a"]):
            continue
        tables.append(sel)
        day = "%Y-%m-%d"
        spans.append(f"{name} ({pd.Timestamp(row['a']):{day}} to {pd.Timestamp(row['b']):{day}})")
    if not tables:
        return parts[0][1], parts[0][0]
    out = tables[0] if len(tables) == 1 else ibis.union(*tables, distinct=False)
    return out, " and ".join(spans)
