"""The KPI scorecard: one row per business figure with its change on the period before.

Each figure comes from what a chapter recorded (a metric, a finding's evidence or a table);
the change is the data's own period-over-period change (last 28 days against the 28 before,
last month against the month before, last 12 months against the 12 before; months of
users less what their lengths alone make), and, when an earlier report exists, the change
since that report. Where the overview also compared the same days a year before, that change
is shown too and is the one assessed: it leaves the season out. Figures a run lacks are left
out.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from opsai.executive.results import (
    BEHAVIOR,
    DEMAND,
    MARKET,
    OVERVIEW,
    RECOMMEND,
    SERVICE,
    RunResults,
)
from opsai.report.quality import finite as _num

COLUMNS = [
    "area",
    "kpi",
    "value",
    "change",
    "change_unit",
    "period",
    "assessment",
    "since_last_report",
    "chapter",
    "key",
]
Better = Literal["up", "down", "none"]


@dataclass(frozen=True)
class KPI:
    """How to read one figure: ``get`` returns ``(value, change, change_unit, period)``."""

    key: str
    area: str
    label: str
    chapter: str
    better: Better
    get: Callable[[RunResults], tuple[Any, Any, str, str]]
    label_of: Callable[[RunResults], str] | None = None
    """The label from what the run recorded (e.g. its period), when it is not fixed."""


def _evidence(run: RunResults, chapter: str, finding: str, key: str) -> Any:
    f = run.finding(chapter, finding)
    return None if f is None else f.get("evidence", {}).get(key)


def _outcome_label(run: RunResults) -> str:
    """The churn label's KPI named by its outcome when it is none (``is_canceled``: "Rows
    canceled (label)", byod12a D15)."""
    f = run.finding(BEHAVIOR, "churn_label.rate") if hasattr(run, "finding") else None
    ev = (f or {}).get("evidence") or {}
    word, rows = ev.get("outcome"), ev.get("rows") or "rows"
    if not word:
        return "Customers who have left (churn label)"
    return f"{str(rows).capitalize()} {word} (users.churned label)"


def _period_label(v: Any) -> str:
    """``2024-12`` for a month start, ``2024-12-09`` for another date, else the text."""
    try:
        ts = pd.Timestamp(v)
    except (TypeError, ValueError):
        return str(v)
    if pd.isna(ts):
        return str(v)
    return ts.strftime("%Y-%m") if ts.day == 1 and ts == ts.normalize() else ts.strftime("%Y-%m-%d")


def _lifecycle_words(run: RunResults) -> tuple[str, str]:
    """Who is counted and over what: ``("buyers", "month")`` when the behaviour chapter's
    activity is purchases, ``("users", "week")`` when it is events (or events and purchases)
    by week. Runs that did not record the activity source (older runs) were purchases or
    events: they read "users"; without a recorded period, months."""
    source = run.metric(BEHAVIOR, "retention.activity")
    period = run.metric(BEHAVIOR, "retention.period") or "month"
    who = "buyers" if source == "purchases" else "users"
    return who, str(period)


def _lifecycle_label(template: str) -> Callable[[RunResults], str]:
    def label(run: RunResults) -> str:
        who, period = _lifecycle_words(run)
        text = template.format(who=who, period=period)
        return text[0].upper() + text[1:]

    return label


EARLY_DAYS = 91
"""New users are first seen in the data: while the period a change is measured from starts
within this many days of the data's first (a quarter), most of them are earlier customers
seen for the first time, so their fall is the export's start, not acquisition (byod11a D3)."""


def _lifecycle(column: str) -> Callable[[RunResults], tuple[Any, Any, str, str]]:
    def get(run: RunResults) -> tuple[Any, Any, str, str]:
        t = run.table(BEHAVIOR, "retention.lifecycle")
        if t.empty or column not in t or len(t) < 1:
            return None, None, "", ""
        t = t.sort_values("period")
        now = _num(t[column].iloc[-1])
        before = _num(t[column].iloc[-2]) if len(t) > 1 else None
        change = (now / before - 1) if now is not None and before else None
        who, period = _lifecycle_words(run)
        compared = f"{_period_label(t['period'].iloc[-1])} vs {period} before"
        start = pd.Timestamp(t["period"].iloc[0])
        if column == "new" and len(t) > 1 and _days_after(t["period"].iloc[-2], start) < EARLY_DAYS:
            return (
                now,
                None,
                "%",
                (
                    f"{_period_label(t['period'].iloc[-1])}; {who} first seen in the data, which "
                    f"start in {_period_label(start)}: so close to the start most are earlier "
                    f"{who} seen for the first time, and their change on the {period} before "
                    "(they fall as the data go on) is no acquisition trend"
                ),
            )
        if period == "month" and change is not None and column in ("active", "new"):
            change, compared = _month_lengths(t, column, compared)
        return now, change, "%", compared

    return get


def _month_lengths(t: pd.DataFrame, column: str, compared: str) -> tuple[float | None, str]:
    """The last month's count against the month before's, less what their lengths alone
    make: February's 3,480 buyers read -9.3% on January's 3,835, but per day that is +0.4%
    (28 days against 31, byod13a D6). Newcomers arrive by the day: their counts compare per
    day. Active users do as far as they come rarely; one who comes every week is counted in
    any month, so the lengths' part follows the share of the month before's users who came
    back (``returning``): a month of ``L`` days holds a user who comes at rate ``r`` with
    chance ``1 - exp(-rL)``, ``r`` read from that share (none back: per day)."""
    now, before = float(t[column].iloc[-1]), float(t[column].iloc[-2])
    a, b = (pd.Timestamp(p).days_in_month for p in t["period"].iloc[-2:].iloc[::-1])
    if a == b or not before:
        return (now / before - 1 if before else None), compared
    ratio = a / b
    if column == "active" and "returning" in t:
        back = min(float(t["returning"].iloc[-1]) / before, 0.999)
        if back > 0:
            rate = -math.log(1 - back) / a
            ratio = (1 - math.exp(-rate * a)) / (1 - math.exp(-rate * b))
    return (
        now / (before * ratio) - 1,
        f"{compared}, less the month lengths' part ({a} days against {b}: {ratio - 1:+.1%})",
    )


def _stub_period(run: RunResults) -> tuple[str, str] | None:
    """The tickets' last period and why it is left out, when it holds under half its days
    (an export ending on a Tuesday, with weekly periods: 31 tickets in 2 of 7 days, byod11b
    D17): the scorecard then shows the last complete period."""
    days, length = (
        _num(run.metric(SERVICE, f"volume.last_period_{k}")) for k in ("days", "length")
    )
    v = run.table(SERVICE, "volume.table")
    if not days or not length or days >= length / 2 or v.empty or "period" not in v:
        return None
    last = str(sorted(v["period"].astype(str).unique())[-1])
    return (
        last,
        f"the last complete period; {last} has {days:.0f} of {length:.0f} days",
    )


def _days_after(period: Any, start: pd.Timestamp) -> float:
    """Days from ``start`` to the start of ``period``."""
    return float((pd.Timestamp(period) - start).days)


def _ticket_volume(run: RunResults) -> tuple[Any, Any, str, str]:
    v = run.table(SERVICE, "volume.table")
    if v.empty or "period" not in v or "tickets" not in v:
        return None, None, "", ""
    if "period_total" in v:  # every intent's tickets, also of a period whose rows were cut
        per = v.groupby("period")["period_total"].max().sort_index()
    else:
        per = v.groupby("period")["tickets"].sum().sort_index()
    if list(per.index) == ["all"]:  # tickets without timestamps: one period, no trend
        return float(per.iloc[0]), None, "", "all tickets (no timestamps)"
    stub = _stub_period(run)
    if stub is not None and len(per) >= 3 and str(per.index[-1]) == stub[0]:
        done, prev = float(per.iloc[-2]), float(per.iloc[-3])
        label = f"{_period_label(per.index[-2])} vs period before ({stub[1]})"
        return done, (done / prev - 1 if prev else None), "%", label
    now = float(per.iloc[-1])
    before = float(per.iloc[-2]) if len(per) > 1 else None
    change = now / before - 1 if before else None
    label = f"{_period_label(per.index[-1])} vs period before"
    days, length, prior = (
        _num(run.metric(SERVICE, f"volume.last_period_{k}"))
        for k in ("days", "length", "before_length")
    )
    if days and length and prior and days < length:  # the export ends mid-period: per day
        change = (now / days) / (before / prior) - 1 if before else None
        label = (
            f"{_period_label(per.index[-1])}, {days:.0f} of {length:.0f} days, "
            "per day vs period before"
        )
    return now, change, "%", label


def _ticket_label(run: RunResults) -> str:
    """The card's name: "Support tickets, last period", or "Support tickets (no dates in the
    data)" when the tickets carry no time: their count is every ticket ever (byod12b D4)."""
    v = run.table(SERVICE, "volume.table")
    if not v.empty and "period" in v and set(v["period"].astype(str)) == {"all"}:
        return "Support tickets (no dates in the data)"
    return "Support tickets, last period"


def _negative_share(run: RunResults) -> tuple[Any, Any, str, str]:
    """The last period's share of negative tickets, and its change in points on the one before."""
    t = run.table(SERVICE, "sentiment.trend")
    if t.empty or not {"period", "negative_share"} <= set(t.columns):
        return None, None, "", ""
    t = t.sort_values("period")
    if set(t["period"].astype(str)) == {"all"}:  # tickets without dates: every one, no trend
        r = t.iloc[-1]
        base = {"rated": "rated", "tool": "labelled by the listening tool"}.get(
            str(r.get("base", "")), "with a sentiment"
        )
        of = f" of {int(r['tickets']):,} {base}" if "tickets" in t else ""
        return _num(r["negative_share"]), None, "", f"all tickets (no timestamps){of}"
    stub, why = _stub_period(run) or ("", "")
    if (
        stub and len(t) >= 3 and str(t["period"].iloc[-1]) == stub
    ):  # 2 days of a week: the one before
        t = t.iloc[:-1]
    now = _num(t["negative_share"].iloc[-1])
    before = _num(t["negative_share"].iloc[-2]) if len(t) > 1 else None
    change = 100 * (now - before) if now is not None and before is not None else None
    base = str(t["base"].iloc[-1]) if "base" in t else ""  # 05's ratings, or ratings and guesses
    noun = {
        "rated": "rated tickets",
        "tool": "tickets by the listening tool's sentiment (not customers' ratings)",
    }.get(base, "tickets with a sentiment")
    of = f", of {int(t['tickets'].iloc[-1]):,} {noun}" if "tickets" in t else ""
    labels = base in ("rated", "tool")  # the data's own labels, not opsai's guesses
    guessed = _num(t["predicted"].iloc[-1]) if "predicted" in t and not labels else None
    if "tickets" in t and float(t["tickets"].iloc[-1]) < 20:  # 6 rated tickets: no trend
        change = None
    if guessed and "tickets" in t and guessed > 0.5 * float(t["tickets"].iloc[-1]):
        of += f", {guessed:,.0f} of them predicted"
        change = None  # a share mostly of guesses is called neither better nor worse
    vs = " vs period before" if before is not None else " (no period before)"
    of += f"; {why}" if why and stub not in set(t["period"].astype(str)) else ""
    return now, change, "pp", f"{_period_label(t['period'].iloc[-1])}{vs}{of}"


def _negative_label(run: RunResults) -> str:
    """ "Negative tickets, last period", or "Negative tickets (no dates in the data)" when the
    tickets carry no time: the share is of every ticket ever (byod12b D16)."""
    t = run.table(SERVICE, "sentiment.trend")
    if not t.empty and "period" in t and set(t["period"].astype(str)) == {"all"}:
        return "Negative tickets (no dates in the data)"
    return "Negative tickets, last period"


def _funnel(run: RunResults) -> tuple[Any, Any, str, str]:
    """Entrants reaching the last step: by any path where optional middle steps (a
    favourite, a cart) make the strict funnel's figure much smaller, which is then named."""
    strict = _num(run.metric(BEHAVIOR, "funnel.overall_conversion"))
    reach = _num(run.metric(BEHAVIOR, "funnel.reach"))
    if reach is not None and strict is not None and reach - strict >= 0.01:
        return reach, None, "", f"by any path; {strict:.1%} take every step in order"
    return strict, None, "", ""


def _at_risk_value(run: RunResults) -> tuple[Any, Any, str, str]:
    t = run.table(BEHAVIOR, "churn.at_risk")
    why = run.churn_unusable()
    if why:  # the list is noise: say so rather than quote a spend figure
        return "not available", None, "", f"churn could not be predicted: {why}"
    if t.empty:
        return None, None, "", ""
    col = next((c for c in ("value_at_risk", "value") if c in t), None)
    if col is None:  # orders without values: the list ranks purchases, there is no spend
        return None, None, "", ""
    return float(t[col].sum()), None, "", f"{len(t):,} high-value users likely to churn"


def _metric(
    chapter: str, name: str, change: str | None = None, unit: str = "%", period: str = ""
) -> Callable[[RunResults], tuple[Any, Any, str, str]]:
    def get(run: RunResults) -> tuple[Any, Any, str, str]:
        return (
            run.metric(chapter, name),
            run.metric(chapter, change) if change else None,
            unit if change else "",
            period,
        )

    return get


def _window(run: RunResults) -> str:
    """What the overview's activity compared: "last 28 days vs 28 before", or for weekly or
    monthly totals the last complete period against the one before ("2019-09 vs 2019-08,
    monthly totals", byod10a D16)."""
    compared = _evidence(run, OVERVIEW, "activity", "compared")
    text = str(compared) if compared else "last 28 days vs 28 before"
    if ended := _signups_end(run):
        text += f"; {ended}"
    return text


def _signups_end(run: RunResults) -> str:
    """Why the overview's activity falls when no user signed up for weeks before its end
    (its ``signups_end``, byod13a D14): "no signups after 2024-04-29: ageing cohorts"; ""
    otherwise."""
    ended = _evidence(run, OVERVIEW, "activity", "signups_end")
    if not isinstance(ended, dict) or not ended.get("date"):
        return ""
    return f"no signups after {ended['date']}: the last cohorts ageing, not the business"


def _windowed(label: str, run: RunResults) -> str:
    """``label`` ("Units sold, last 28 days") with the period the overview compared."""
    unit = _evidence(run, OVERVIEW, "activity", "period_unit")
    return label.replace("last 28 days", f"last complete {unit}") if unit else label


def _activity(key: str) -> Callable[[RunResults], tuple[Any, Any, str, str]]:
    def get(run: RunResults) -> tuple[Any, Any, str, str]:
        value = _evidence(run, OVERVIEW, "activity", key)
        change = _evidence(run, OVERVIEW, "activity", f"{key}_change")
        return value, change, "%", _window(run)

    return get


def _revenue(run: RunResults) -> tuple[Any, Any, str, str]:
    value, change, unit, _ = _metric(OVERVIEW, "revenue_28d", "revenue_28d_change", "%")(run)
    return value, change, unit, _window(run)


def _active_users(run: RunResults) -> tuple[Any, Any, str, str]:
    """Daily active users; with guest orders (no customer id), the customers with an id only."""
    value, change, unit, period = _activity("active_users")(run)
    end = _evidence(run, OVERVIEW, "activity", "active_users_end")
    if end:  # the activity tables end apart: the days they all cover (byod10a D8)
        period = f"28 days to {end}, the last day every activity table covers, vs 28 before"
    guests = _num(_evidence(run, OVERVIEW, "activity", "guest_orders"))
    orders = _num(_evidence(run, OVERVIEW, "activity", "orders"))
    if guests and orders and guests >= orders and not _num(value):  # no ids: unknown, not 0
        return None, None, unit, period  # an anonymous till (byod12a D2)
    if guests and orders:
        period += f"; customers with an id only ({guests / orders:.0%} of orders are guests)"
    return value, change, unit, period


def _order_value(run: RunResults) -> tuple[Any, Any, str, str]:
    """Revenue per order over the overview's activity window, and its change on the window
    before (from the revenue's and the orders' own changes): the average ticket, which a shop
    without customer ids reads in place of its active users (byod12a D2)."""
    revenue = _num(_evidence(run, OVERVIEW, "activity", "revenue"))
    orders = _num(_evidence(run, OVERVIEW, "activity", "orders"))
    if not revenue or not orders:
        return None, None, "%", _window(run)
    rc = _num(_evidence(run, OVERVIEW, "activity", "revenue_change"))
    oc = _num(_evidence(run, OVERVIEW, "activity", "orders_change"))
    change = None if rc is None or oc is None or oc <= -1 else (1 + rc) / (1 + oc) - 1
    return revenue / orders, change, "%", _window(run)


def _sales_label(label: str) -> Callable[[RunResults], str]:
    """``label``, with the events it counts when the overview read orders from purchase
    events (no orders table): "Revenue, last 28 days (from 'purchase' events)"."""

    def get(run: RunResults) -> str:
        event = _evidence(run, OVERVIEW, "activity", "sales_event")
        text = _windowed(label, run)
        return f"{text} (from {event!r} events)" if event else text

    return get


def _share(run: RunResults) -> tuple[Any, Any, str, str]:
    """Our share and its change over what the chapter compared (a year of months, a week of
    days ...), as its share finding says: the value is the finding's share over the compared
    span (a mean of 12 months' shares, say), on the basis of its change, not the latest
    period's share beside a change of means."""
    value, change, unit, _ = _metric(MARKET, "share.latest", "share.change_12m", "pp")(run)
    compared = _evidence(run, MARKET, "share", "compared")
    now = _num(_evidence(run, MARKET, "share", "share_now"))
    moved = _num(_evidence(run, MARKET, "share", "change_pp"))
    if compared and now is not None and moved is not None:
        value, change = now, moved
        if str(compared).startswith("last "):  # a change of means: say the value is one too
            compared = f"mean of the {compared}"
    return value, change, unit, compared or "last 12 periods vs 12 before"


def _share_label(run: RunResults) -> str:
    """The share KPI's label: share of voice when 06 counted mentions (SALES_IS: mentions, as
    its share finding's evidence says), else market share (byod12b D7)."""
    voice = _evidence(run, MARKET, "share", "measure") == "mentions"
    return "Share of voice (mentions)" if voice else "Market share"


KPIS: tuple[KPI, ...] = (
    KPI("revenue_28d", "Sales", "Revenue, last 28 days", OVERVIEW, "up", _revenue,
        _sales_label("Revenue, last 28 days")),
    KPI("orders_28d", "Sales", "Orders, last 28 days", OVERVIEW, "up", _activity("orders"),
        _sales_label("Orders, last 28 days")),
    KPI("order_value_28d", "Sales", "Average order value, last 28 days", OVERVIEW, "up",
        _order_value, _sales_label("Average order value, last 28 days")),
    KPI("units_28d", "Sales", "Units sold, last 28 days", OVERVIEW, "up", _activity("units"),
        _sales_label("Units sold, last 28 days")),
    KPI("daily_active_users", "Users", "Daily active users (28-day mean)", OVERVIEW, "up",
        _active_users),
    KPI("active_users_month", "Users", "Active users this period", BEHAVIOR, "up",
        _lifecycle("active"), _lifecycle_label("active {who} this {period}")),
    KPI("new_users_month", "Users", "New users this period", BEHAVIOR, "up", _lifecycle("new"),
        _lifecycle_label("new {who} this {period}")),
    KPI("dormant_month", "Users", "Users gone dormant this period", BEHAVIOR, "down",
        _lifecycle("dormant"), _lifecycle_label("{who} gone dormant this {period}")),
    KPI("funnel_conversion", "Users", "Funnel conversion (first step to purchase)", BEHAVIOR,
        "up", _funnel),
    KPI("value_at_risk", "Users", "Spend at risk (high-value users' next-horizon spend x churn probability)", BEHAVIOR, "down",
        _at_risk_value),
    KPI("churn_label_rate", "Users", "Customers who have left (churn label)", BEHAVIOR, "down",
        _metric(BEHAVIOR, "churn_label.rate", period="users.churned, a snapshot"),
        _outcome_label),
    KPI("reco_lift", "Recommendation", "Recommendation quality vs bestsellers (x)", RECOMMEND,
        "up", _metric(RECOMMEND, "lift_over_popularity")),
    KPI("stockouts", "Inventory", "Items about to stock out", DEMAND, "down",
        _metric(DEMAND, "alerts.stockout_count", period="within lead time")),
    KPI("order_now", "Inventory", "Items to order now", DEMAND, "none",
        _metric(DEMAND, "plan.order_now")),
    KPI("fill_rate", "Inventory", "Simulated fill rate of the plan", DEMAND, "up",
        _metric(DEMAND, "simulation.fill_rate")),
    KPI("tickets", "Service", "Support tickets, last period", SERVICE, "down", _ticket_volume,
        _ticket_label),
    KPI("negative_share", "Service", "Negative tickets, last period", SERVICE, "down",
        _negative_share, _negative_label),
    KPI("share", "Market", "Market share", MARKET, "up", _share, _share_label),
    KPI("market_growth", "Market", "Market growth, year on year", MARKET, "up",
        _metric(MARKET, "market.growth_yoy")),
)  # fmt: skip
"""The figures of the scorecard, in display order."""

WINDOW_KPIS = frozenset(
    {"revenue_28d", "orders_28d", "order_value_28d", "units_28d", "daily_active_users"}
)
"""Scorecard keys over the overview's activity window: a fall is neither better nor worse when
no one signed up for weeks before it ends (:func:`_signups_end`)."""

MONEY_KPIS = frozenset({"revenue_28d", "order_value_28d", "value_at_risk"})
"""Scorecard keys whose value is money: shown with the config's currency."""


YEAR_AGO = {"revenue_28d": "revenue", "orders_28d": "orders", "units_28d": "units",
            "daily_active_users": "active_users", "order_value_28d": ""}  # fmt: skip
"""Scorecard keys the overview's activity finding also compares with the same days a year
before (``{measure}_yoy``); the average order value's is the revenue's over the orders'."""


def _year_change(run: RunResults, key: str) -> tuple[float | None, str]:
    """The figure's change on the same days (or period) a year before, and which those are
    (the activity finding's ``compared_year``); ``(None, "")`` when the overview has none."""
    if key not in YEAR_AGO:
        return None, ""
    compared = _evidence(run, OVERVIEW, "activity", "compared_year")
    if not compared:
        return None, ""

    def yoy(measure: str) -> float | None:
        return _num(_evidence(run, OVERVIEW, "activity", f"{measure}_yoy"))

    if key == "order_value_28d":
        r, o = yoy("revenue"), yoy("orders")
        return (None if r is None or o is None or o <= -1 else (1 + r) / (1 + o) - 1), compared
    return yoy(YEAR_AGO[key]), str(compared)


def _assess(change: float | None, better: Better, threshold: float) -> str:
    if change is None or better == "none" or abs(change) < threshold:
        return "steady" if change is not None else ""
    good = (change > 0) == (better == "up")
    return "better" if good else "worse"


USER_KPIS = frozenset(
    {
        "daily_active_users",
        "active_users_month",
        "new_users_month",
        "dormant_month",
        "value_at_risk",
    }
)
"""Scorecard keys that count users: left out when the user ids are sessions."""


def users_are_sessions(run: RunResults) -> bool:
    """Whether the overview's data warnings say the events' user ids are session ids
    (:func:`~opsai.data._checks.check_session_ids`): anonymous visits, no customers."""
    from opsai.data._checks import SESSION_IDS

    issues = run.table(OVERVIEW, "quality_issues")
    if issues.empty or "detail" not in issues:
        return False
    return bool(issues["detail"].astype(str).str.startswith(SESSION_IDS).any())


def kpi_scorecard(
    run: RunResults,
    previous: RunResults | None = None,
    *,
    kpis: tuple[KPI, ...] = KPIS,
    steady: float = 0.02,
    steady_pp: float = 0.5,
) -> pd.DataFrame:
    """The scorecard of a run.

    Args:
        run: this run's results.
        previous: an earlier report's results; adds ``since_last_report`` (relative change).
        kpis: the figures to show.
        steady: relative changes smaller than this count as steady.
        steady_pp: changes in percentage points (shares) smaller than this count as steady.

    Returns:
        One row per figure the run has: ``area, kpi, value, change, change_unit, period,
        assessment ("better"/"worse"/"steady"; of the change on the same days a year before
        where the overview has one, :data:`YEAR_AGO`), since_last_report, chapter, key``.
    """
    rows: list[dict[str, Any]] = []
    visits = any(k.key in USER_KPIS for k in kpis) and users_are_sessions(run)
    for k in kpis:
        if visits and k.key in USER_KPIS:  # counts of visits, not of customers
            continue
        value, change, unit, period = k.get(run)
        value = _num(value) if not isinstance(value, str) else value
        if value is None:
            continue
        change = _num(change)
        judged = change
        yoy, then = _year_change(run, k.key)
        if yoy is not None:  # the season left out: a December slide is no decline (byod13a D7)
            period = f"{period}; {format_change(yoy, unit)} on {then}, the change assessed"
            judged = yoy
        since = None
        if previous is not None:
            old = _num(k.get(previous)[0])
            if old and isinstance(value, float):
                since = value / old - 1
        rows.append(
            {
                "area": k.area,
                "kpi": k.label_of(run) if k.label_of is not None else k.label,
                "value": value,
                "change": change,
                "change_unit": unit,
                "period": period,
                "assessment": ""  # a fall of ageing cohorts: no verdict on the business
                if k.key in WINDOW_KPIS and judged is not None and judged < 0 and _signups_end(run)
                else _assess(judged, k.better, steady_pp if unit == "pp" else steady),
                "since_last_report": since,
                "chapter": k.chapter,
                "key": k.key,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def format_change(change: float | None, unit: str) -> str:
    """``+2.1%``, ``-1.3 pp`` or ``""``."""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    return f"{change:+.1f} pp" if unit == "pp" else f"{change:+.1%}"


STORE_COLUMNS = ["role", "store", "growth", "value", "measure", "share", "period"]


def store_scorecard(run: RunResults) -> pd.DataFrame:
    """The stores a chain's boss asks about, from the overview's ``stores`` finding and its
    ``store_summary`` table (:func:`~opsai.overview.store_finding`): the fastest- and the
    slowest-growing store over its comparison period (the last 28 days against the 28 before)
    and the store with the largest revenue (else units), each with its growth, its revenue and
    its share. Empty without two stores, as the overview records none then.

    Returns:
        ``role, store, growth, value, measure, share, period``; ``growth`` is the store's last
        days against the days before (NaN when the data are too short), ``value`` and
        ``share`` its revenue (else units) and share over the data.
    """
    f = run.finding(OVERVIEW, "stores")
    ev = (f or {}).get("evidence") or {}
    t = run.table(OVERVIEW, "store_summary")
    measure = str(ev.get("measure") or ("revenue" if "revenue" in t else "units"))
    if t.empty or "store" not in t or measure not in t or t["store"].nunique() < 2:
        return pd.DataFrame(columns=STORE_COLUMNS)
    t = t.assign(store=t["store"].astype(str)).set_index("store")
    days, end = ev.get("days", 28), ev.get("end")
    compared = f"last {days} days to {end} vs {days} before" if end else f"last {days} days"
    roles = [("Fastest-growing store", ev.get("fastest"), compared)]
    roles += [("Slowest-growing store", ev.get("slowest"), compared)]
    roles += [(f"Largest {measure}", str(t[measure].idxmax()), "over the data")]
    rows = []
    for role, store, period in roles:
        if store is None or str(store) not in t.index:  # too little data for a change
            continue
        r = t.loc[str(store)]
        rows.append(
            {
                "role": role,
                "store": str(store),
                "growth": _num(r.get("recent_change")),
                "value": _num(r[measure]),
                "measure": measure,
                "share": _num(r.get("share")),
                "period": period,
            }
        )
    return pd.DataFrame(rows, columns=STORE_COLUMNS)
