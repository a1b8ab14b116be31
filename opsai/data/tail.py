"""An export whose last days thin out: rows still arriving when it was taken.

One rule for chapter 00's activity trend (:func:`opsai.overview.measures.daily_activity`) and
chapter 04's series (:func:`opsai.forecast.thin_tail_period`): both call :func:`thin_tail`, so
the days 00 leaves out of its trend are the days 04 leaves out of its training, backtests,
shift findings and stock-out alerts.

Example:
    >>> days = pd.date_range("2024-01-01", periods=84)
    >>> units = [100.0] * 81 + [40.0, 8.0, 9.0]
    >>> thin_tail(pd.DataFrame({"date": days, "units": units}))["days"]
    3
"""

from __future__ import annotations

from typing import Any

import pandas as pd

SIGNUPS_GAP = 7
"""Days the activity must run past the users' last signup for :func:`signups_end` to name it."""
THIN_SHARE = 0.5
"""A last day under this share of its weekday's usual level (the median of the same weekday
over the 8 weeks before the last 2) belongs to a thinning tail (:func:`thin_tail`)."""
THIN_MAX = 14
"""Longest tail :func:`thin_tail` leaves out: a longer fall is a real one, not an export's."""


def thin_tail(daily: pd.DataFrame, *, signups_end: str | None = None) -> dict[str, Any] | None:
    """The trailing run of 2 to :data:`THIN_MAX` days each under :data:`THIN_SHARE` of its
    weekday's usual level, in the first of ``orders``, ``units``, ``tickets``, ``revenue`` or
    ``active_users``: an export of arrivals to 2017-08-31 whose check-outs read 60, 49, 24, 8,
    9 a day against about 110 (byod12a D18), rows still to come, not a slump. ``None`` when
    the last two days are not both that low, or with under 10 weeks of days. Weekdays the
    business is closed (a usual level of 0) never count.

    ``signups_end`` (``YYYY-MM-DD``, the users' last signup): when the tail starts after it,
    ``None``: no one joined since, the fall is the last cohorts ageing, complete data rather
    than an export's missing rows (byod13a D14).

    Returns:
        ``{"from", "to", "days", "measure", "values", "usual"}`` (dates as ``YYYY-MM-DD``,
        ``usual`` the weekday levels of those days)."""
    col = next(
        (c for c in ("orders", "units", "tickets", "revenue", "active_users") if c in daily), None
    )
    if col is None or len(daily) < 70:
        return None
    y = daily[col].to_numpy(float)
    dates = pd.DatetimeIndex(daily["date"])
    ref = daily.iloc[-(THIN_MAX + 56) : -THIN_MAX]
    usual = ref.groupby(pd.DatetimeIndex(ref["date"]).day_of_week)[col].median()
    k = 0
    while k < min(THIN_MAX, len(y)):
        level = float(usual.get(dates[-1 - k].day_of_week, 0.0))
        if not (level > 0 and y[-1 - k] < THIN_SHARE * level):
            break
        k += 1
    if k < 2 or k >= THIN_MAX:
        return None
    if signups_end is not None and dates[-k] > pd.Timestamp(signups_end):
        return None
    return {
        "from": f"{dates[-k]:%Y-%m-%d}",
        "to": f"{dates[-1]:%Y-%m-%d}",
        "days": k,
        "measure": col,
        "values": [float(v) for v in y[-k:]],
        "usual": [float(usual[d.day_of_week]) for d in dates[-k:]],
    }


def signups_end(ws: Any, last_day: Any) -> dict[str, Any] | None:
    """``{"date", "days"}`` when the users' ``signup_at`` ends :data:`SIGNUPS_GAP` days or more
    before ``last_day`` (the activity's last day): no one joined after ``date``, so the last
    ``days`` days' activity is that of ageing cohorts (Cookie Cats' installs end 2024-04-29,
    its sessions 2024-05-28, each within 30 days of install, byod13a D14); else ``None``."""
    from opsai.data.schema import SIGNUP_AT

    if not ws.has("users") or SIGNUP_AT not in ws.columns("users"):
        return None
    u = ws.table("users")
    last = u.aggregate(m=u[SIGNUP_AT].max()).to_pandas().iloc[0]["m"]
    if pd.isna(last):
        return None
    last = pd.Timestamp(last).normalize()
    days = int((pd.Timestamp(last_day).normalize() - last).days)
    return {"date": f"{last:%Y-%m-%d}", "days": days} if days >= SIGNUPS_GAP else None
