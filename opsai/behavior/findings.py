"""Plain-language findings, each a sentence with the numbers behind it and a severity.

Each function takes a result computed elsewhere in :mod:`opsai.behavior` and returns a
:class:`Finding` ready for ``opsai.report.record(f.name, f.text, kind="finding",
severity=f.severity, evidence=f.evidence)``, or ``None`` when there is nothing to say.

Example:
    >>> f = funnel_gap(funnel(events, unit="session", breakdown="device"), breakdown="device")  # doctest: +SKIP
    >>> f.text
    "Sessions with device=mobile: 37% of those reaching checkout go on to purchase, against 78% for desktop."
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from opsai.behavior.churn import population_note
from opsai.behavior.personas import over_index
from opsai.data.customers import MATERIAL_SHARE, GuestShare
from opsai.data.schema import SIGNUP_AT, USER_ID
from opsai.report.finding import Finding
from opsai.report.quality import MIN_CHURN_AUC, churn_unusable, near_bar
from opsai.report.wording import money as money_text


def _severity(ratio: float) -> str:
    return "high" if ratio >= 1.8 else "medium" if ratio >= 1.3 else "low"


def _rate(r: float) -> str:
    """A share as a percentage: one decimal below 10% (``1.8%``), none above (``42%``)."""
    return f"{100 * r:.1f}%" if abs(r) < 0.1 else f"{100 * r:.0f}%"


def _clustered(x: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """A ratio of sums and its variance with clusters (users) as the independent units."""
    x, n = x[n > 0], n[n > 0]
    total = float(n.sum())
    p = float(x.sum()) / total
    g = len(n)
    var = g / (g - 1) * float(((x - p * n) ** 2).sum()) / total**2 if g > 1 else np.inf
    return p, var


def optional_steps_finding(
    table: pd.DataFrame, strict: float, steps: list[str], *, unit: str = "users",
    alpha: float = 0.05, min_units: int = 30,
) -> Finding | None:  # fmt: skip
    """The funnel's reach whatever steps come between, beside the strict funnel, and the
    middle steps after which the last step is more (or less) likely, from an
    :func:`~opsai.behavior.funnels.optional_steps` table; ``None`` when the two conversions
    are within a point of each other (the middle steps are not optional in practice).

    A middle step is named when the last step's rate among entrants who took it differs
    from the rate among the others by a two-proportion z-test, Bonferroni over the steps."""
    from scipy.stats import norm

    if table.empty:
        return None
    reach = float(table["reach"].iloc[0])
    if not np.isfinite(reach) or reach - strict < 0.01:
        return None
    first, last = steps[0], steps[-1]
    text = (
        f"{reach:.1%} of {unit} who {first} reach {last} within the funnel's window, whatever "
        f"steps come between; the funnel above ({' -> '.join(steps)}) counts {strict:.1%}, as it "
        "needs every step in that order. "
    )
    named, ev = [], {"reach": reach, "strict": strict, "entrants": int(table["entrants"].iloc[0])}
    for r in table.itertuples():
        rest = r.entrants - r.took
        if r.took < min_units or rest < min_units:
            continue
        pooled = r.reached / r.entrants
        se = float(np.sqrt(pooled * (1 - pooled) * (1 / r.took + 1 / rest)))
        if se == 0:
            continue
        p = 2 * float(norm.sf(abs(r.rate_took - r.rate_not) / se))
        if p < alpha / len(table):
            named.append(
                f"{unit} who {r.event} on the way {last} {r.rate_took:.0%} of the time, against "
                f"{r.rate_not:.0%} of those who do not ({r.took:,} and {rest:,} {unit})"
            )
            ev[f"rate_{r.event}"] = float(r.rate_took)
            ev[f"rate_no_{r.event}"] = float(r.rate_not)
    if named:
        text += _sentence("; ".join(named)) + "."
    else:
        text += "No middle step changes how often the last is reached beyond noise."
    return Finding(text.strip(), "medium", ev, name="funnel_optional_steps")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def funnel_gap(
    table: pd.DataFrame,
    *,
    breakdown: str,
    min_units: int = 30,
    unit: str = "sessions",
    by_user: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> Finding | None:
    """The step where one breakdown value converts worst relative to the best value, if the
    difference is more than noise.

    Each step's worst and best values are compared with a two-proportion z-test. With
    ``by_user`` (:func:`~opsai.behavior.funnels.funnel_by_user`) the variance treats users as
    the independent units (the sessions of one user are not), otherwise units are taken as
    independent. The test is Bonferroni-corrected for every pair of values at every step
    compared, and the interval of the difference is at the corrected level, so it excludes 0
    exactly when the gap is significant. ``None`` when no step has a significant gap.

    Args:
        table: a :func:`~opsai.behavior.funnels.funnel` table split by ``breakdown``.
        breakdown: the split column. min_units: smallest previous-step count considered.
        unit: the word for the funnel's unit in the sentence.
        by_user: units per user and step for the same split (recommended).
        alpha: the family-wise significance level.
    """
    from scipy.stats import norm

    t = table.sort_values([breakdown, "step"]).copy()
    t["prev_units"] = t.groupby(breakdown)["units"].shift(1)
    t["prev_event"] = t.groupby(breakdown)["event"].shift(1)
    t = t[(t["step"] > 1) & (t["prev_units"] >= min_units)]
    pairs = [(g, len(g) * (len(g) - 1) // 2) for _, g in t.groupby("step") if len(g) >= 2]
    tests = max(sum(k for _, k in pairs), 1)
    z_crit = float(norm.ppf(1 - alpha / (2 * tests)))

    def stats(row: pd.Series) -> tuple[float, float]:
        step, n_prev, n = int(row["step"]), float(row["prev_units"]), float(row["units"])
        if by_user is not None:
            u = by_user[by_user[breakdown].astype(str) == str(row[breakdown])]
            if len(u):
                x = u[f"n{step - 1}"].to_numpy(float)
                return _clustered(x, u[f"n{step - 2}"].to_numpy(float))
        p = n / n_prev
        return p, p * (1 - p) / n_prev

    best: tuple[float, Any, Any, float, float, float] | None = None
    for g, _ in pairs:
        if g["step_conversion"].min() <= 0:
            continue
        lo, hi = g.loc[g["step_conversion"].idxmin()], g.loc[g["step_conversion"].idxmax()]
        (p_lo, v_lo), (p_hi, v_hi) = stats(lo), stats(hi)
        se = float(np.sqrt(v_lo + v_hi))
        diff = p_hi - p_lo
        if not np.isfinite(se) or se <= 0 or diff / se < z_crit:
            continue
        ratio = float(hi["step_conversion"] / lo["step_conversion"])
        if best is None or ratio > best[0]:
            p_value = min(1.0, tests * 2 * float(norm.sf(diff / se)))
            best = (ratio, lo, hi, diff, se, p_value)
    if best is None:
        return None
    ratio, lo, hi, diff, se, p_value = best
    ci = (diff - z_crit * se, diff + z_crit * se)
    over = "users" if by_user is not None else unit
    corrected = f", corrected for {tests} comparisons" if tests > 1 else ""
    text = (
        f"{unit.capitalize()} with {breakdown}={lo[breakdown]}: "
        f"{_rate(lo['step_conversion'])} of those reaching {lo['prev_event']} go on to "
        f"{lo['event']}, against {_rate(hi['step_conversion'])} for {hi[breakdown]} "
        f"({ratio:.1f}x; {100 * diff:.1f} pp lower, {100 * (1 - alpha):.0f}% interval "
        f"{100 * ci[0]:.1f} to {100 * ci[1]:.1f} pp with {over} as independent units{corrected})."
    )
    evidence = {
        "breakdown": breakdown, "worst": str(lo[breakdown]), "best": str(hi[breakdown]),
        "step": [str(lo["prev_event"]), str(lo["event"])],
        "worst_rate": round(float(lo["step_conversion"]), 4),
        "best_rate": round(float(hi["step_conversion"]), 4), "ratio": round(ratio, 3),
        "difference": round(diff, 4), "ci": [round(ci[0], 4), round(ci[1], 4)],
        "p_value": round(p_value, 6), "comparisons": tests, "significant": True,
        "independent_units": "users" if by_user is not None else unit,
    }  # fmt: skip
    return Finding(text, _severity(ratio), evidence, name=f"funnel_gap_{breakdown}")


def churn_gap(
    rates: pd.DataFrame, *, attribute: str, inactive_days: int = 90, alpha: float = 0.05
) -> Finding | None:
    """The attribute value whose users go inactive most often, against all the others, when
    the difference is more than noise.

    The value's churned and kept users are compared with the others' by Fisher's exact test,
    Bonferroni-corrected for the values that could have been picked (those with 20+ users):
    "starter churns 1.2x as often (47% vs 39%)" on 246 against 154 users has p = 0.48 and is
    no finding.

    Args:
        rates: a :func:`~opsai.behavior.churn.inactivity_by` table.
        alpha: the family-wise significance level.
    """
    from scipy.stats import fisher_exact

    r = rates[rates["users"] >= 20]
    if r.empty:
        return None
    top = r.iloc[0]
    ratio = float(top["ratio_to_others"])
    n_other = float(rates["users"].sum() - top["users"])
    c_other = float(rates["churned"].sum() - top["churned"])
    others = c_other / max(n_other, 1)
    a, n = float(top["churned"]), float(top["users"])
    table = [[round(a), round(n - a)], [round(c_other), round(n_other - c_other)]]
    p_value = float(fisher_exact(table)[1])
    if p_value > alpha / len(r):
        return None
    if not np.isfinite(ratio) and top["churn_rate"] > 0 and others == 0:  # nobody else churned
        text = (
            f"Users with {attribute}={top[attribute]} are the only ones who churn: "
            f"{100 * top['churn_rate']:.0f}% of them have been inactive for {inactive_days}+ "
            "days, and none of the others."
        )
        evidence = {"attribute": attribute, "value": str(top[attribute]), "ratio": None,
                    "churn_rate": round(float(top["churn_rate"]), 4), "others": 0.0,
                    "p_value": p_value}  # fmt: skip
        return Finding(text, "high", evidence, name=f"churn_by_{attribute}")
    if not np.isfinite(ratio) or ratio < 1.2:
        return None
    text = (
        f"Users with {attribute}={top[attribute]} churn {ratio:.1f}x as often as the others "
        f"({100 * top['churn_rate']:.0f}% vs {100 * others:.0f}% inactive for {inactive_days}+ days)."
    )
    evidence = {"attribute": attribute, "value": str(top[attribute]), "ratio": round(ratio, 3),
                "churn_rate": round(float(top["churn_rate"]), 4), "others": round(float(others), 4),
                "p_value": p_value}  # fmt: skip
    return Finding(text, _severity(ratio), evidence, name=f"churn_by_{attribute}")


def revenue_concentration(
    features: pd.DataFrame,
    *,
    users: pd.DataFrame | None = None,
    top: float = 0.1,
    value_col: str = "monetary",
    col_user: str = USER_ID,
) -> Finding:
    """How much revenue the top ``top`` share of users brings, and who they are.

    Args:
        features: per-user frame with ``value_col`` (e.g. from :func:`~opsai.behavior.rfm`).
        users: the users table: users without orders count (with zero revenue) and its
            attributes are checked for over-indexing in the top group.
    """
    v = features[value_col]
    if users is not None and col_user in users.columns:  # users who never bought count too
        v = v.reindex(pd.Index(users[col_user]).union(v.index), fill_value=0.0)
    v = v.sort_values(ascending=False, kind="stable")
    n = max(1, round(len(v) * top))
    share = float(v.iloc[:n].sum() / v.sum()) if v.sum() else 0.0
    text = f"The top {100 * top:.0f}% of users by revenue bring {100 * share:.0f}% of it"
    evidence: dict[str, Any] = {"user_share": top, "revenue_share": round(share, 4)}
    if users is not None:
        labels = pd.Series(0, index=v.index)
        labels.iloc[:n] = 1
        ov = over_index(users, labels, top=2, bins=5, col_user=col_user).get(1, "")
        if ov:
            text += f"; they over-index on {ov}"
            evidence["over_index"] = ov
    sev = "medium" if share >= 0.5 else "info"
    return Finding(text + ".", sev, evidence, name="revenue_concentration")


def model_quality(
    metrics: dict[str, float],
    *,
    model: str,
    horizon_days: int,
    customers: int | None = None,
    everyone: int | None = None,
) -> Finding:
    """How well the churn model ranks users, in business terms.

    A model below :data:`~opsai.report.quality.CHURN_RULE` (ROC-AUC 0.6, top-decile lift
    above 1) is no basis for an at-risk list: the finding then says churn could not be predicted
    from this data (severity medium, ``evidence["usable"]`` False), and the chapter reports
    no at-risk list or spend at risk.

    ``customers`` (the test customers still ordering, :func:`~opsai.behavior.still_active`) of
    ``everyone`` (all who had ordered before the test cut-off) name the population the
    metrics and the base rate are of (byod10a D6).
    """
    who = (
        population_note(customers, everyone if everyone is not None else customers,
                        horizon_days=horizon_days)
        if customers is not None
        else "users"
    )  # fmt: skip
    ranks = (
        f"the {model} churn model ranks {who} with ROC-AUC "
        f"{near_bar(metrics['roc_auc'], MIN_CHURN_AUC)}; the 10% "
        f"it flags first churn {metrics['top_decile_lift']:.1f}x as often as average "
        f"(base rate {_rate(metrics['base_rate'])} over {horizon_days} days)"
    )
    evidence: dict[str, Any] = {k: round(float(v), 4) for k, v in metrics.items()}
    if customers is not None:
        evidence["customers"] = int(customers)
        evidence["lapsed_left_out"] = int((everyone or customers) - customers)
        evidence["population"] = f"an order in the {horizon_days} days before the cut-off"
    why = churn_unusable(metrics.get("roc_auc"), metrics.get("top_decile_lift"))
    evidence["usable"] = not why
    if why:
        text = (
            f"Churn could not be predicted from this data: {ranks}. That is {why}, so no "
            "list of users likely to churn and no spend at risk is reported; the lapsed "
            "customers (if any) are still a win-back list."
        )
        return Finding(text, "medium", evidence, name="churn_model")
    sev = "info" if metrics["roc_auc"] >= 0.7 else "low"
    return Finding(ranks[0].upper() + ranks[1:] + ".", sev, evidence, name="churn_model")


def lapsed_customers(
    table: pd.DataFrame,
    *,
    horizon_days: int,
    valued: bool,
    currency: str = "",
    comeback: dict[str, Any] | None = None,
) -> Finding | None:
    """High-value customers who have churned already (:func:`~opsai.behavior.lapsed`): a
    win-back list, apart from the at-risk list of customers still ordering. ``None`` when
    there are none.

    ``comeback`` (:func:`~opsai.behavior.comeback_rate`) adds how often such customers came
    back on their own in this data: the base rate a win-back offer is measured against, and
    what the executive summary's win-back effect assumes.
    """
    if table.empty:
        return None
    n = len(table)
    who = "high-value customer has" if n == 1 else "high-value customers have"
    spent = (
        f"they spent {money_text(float(table['value'].sum()), currency)} in all"
        if valued
        else f"they made {table['value'].sum():,.0f} purchases"
    )
    text = (
        f"{n:,} {who} already lapsed: no order in the last {horizon_days} days (median "
        f"{table['recency_days'].median():,.0f} days since the last); {spent}. They are a "
        "win-back list, not part of the spend at risk."
    )
    evidence: dict[str, Any] = {
        "customers": n,
        "value": round(float(table["value"].sum()), 2),
        "median_days_since_last_order": round(float(table["recency_days"].median()), 1),
        "horizon_days": horizon_days,
    }
    if comeback and comeback.get("rate") is not None:
        c = comeback
        text += (
            f" In this data {c['came_back']:,} of the {c['lapsed']:,} high-value customers who "
            f"had lapsed at an earlier cut-off ordered again within {horizon_days} days "
            f"({c['rate']:.0%}, 95% interval {c['rate_low']:.0%} to {c['rate_high']:.0%})."
        )
        evidence.update({f"comeback_{k}": v for k, v in c.items()})
    return Finding(text, "medium", evidence, name="churn_lapsed")


def guest_orders(
    share: GuestShare,
    *,
    covers: str = "segments, retention, churn and lifetime value",
    currency: str = "",
    valued: bool = True,
) -> Finding | None:
    """Guest orders (no customer id) the per-customer analyses (``covers``) leave out; ``None``
    below :data:`~opsai.data.customers.MATERIAL_SHARE` of the orders. ``valued``: the orders
    carry amounts (else no revenue is named)."""
    if not share.guest_orders or share.guest_order_share < MATERIAL_SHARE:
        return None
    rev = (
        f" ({money_text(share.guest_revenue, currency)} of "
        f"{money_text(share.revenue, currency)} revenue, {_rate(share.guest_revenue_share)})"
        if valued and share.revenue > 0
        else ""
    )
    text = (
        f"{_rate(share.guest_order_share)} of orders are anonymous: {share.guest_orders:,} of "
        f"{share.orders:,}{rev} have no customer id (guest checkout, walk-ins). {covers[:1].upper()}"
        f"{covers[1:]} cover the {_rate(1 - share.guest_order_share)} with a customer id "
        f"({share.known_orders:,} orders); revenue, order and demand figures count every order."
    )
    sev = "medium" if share.guest_order_share >= 0.5 else "info"
    return Finding(text, sev, share.as_dict(), name="guest_orders")


def customers_skipped(reason: str) -> Finding:
    """Every order is a guest order but events are there: the per-customer sections (segments,
    churn, lifetime value) are skipped, the event-based ones (funnel, paths, retention) run."""
    text = (
        f"Segments, churn and lifetime value were skipped: {reason}. The funnel, paths and "
        "retention below come from the events."
    )
    return Finding(text, "medium", {"reason": reason}, name="customers_skipped")


def visits_skipped(reason: str) -> Finding:
    """The events' user ids are visits (:func:`~opsai.data.customers.visit_ids`, byod9a D11):
    retention, segments, churn and lifetime value are skipped, the funnel and paths count
    sessions. ``reason``: :func:`~opsai.data.customers.visits_reason` ("the user ids are visits
    (99.7% of 9,000 seen on one day only): retention, segments, ... need a customer id; ...")."""
    text = f"{reason[:1].upper()}{reason[1:]}. The funnel and paths below count sessions."
    return Finding(text, "medium", {"reason": reason}, name="visits_skipped")


def leaky_attributes(left_out: dict[str, str]) -> Finding:
    """The user attributes left out because they record the churn outcome
    (:func:`~opsai.behavior.leaky_attributes`, :func:`~opsai.behavior.restated_attributes`,
    :func:`~opsai.behavior.outcome_attributes`), each with why."""
    from opsai.behavior.attributes import PERSONAL

    mine = {c: w for c, w in left_out.items() if w.startswith(PERSONAL)}
    leaky = {c: w for c, w in left_out.items() if c not in mine}
    parts = []
    if leaky:
        cols = "; ".join(f"users.{c} ({why})" for c, why in leaky.items())
        parts.append(
            f"Left out of segments, churn findings and the churn model: {cols}. A current state "
            "or a total written when the data was exported records who has already left or "
            "ordered again after the model's cut-off, the outcome the model is to predict, so "
            "it would inflate the model's accuracy and be reported as a cause of churn. Map "
            "only attributes known before the outcome (plan, channel, region)."
        )
    if mine:
        cols = "; ".join(
            f"users.{c} ({why.removeprefix(PERSONAL + ': ')})" for c, why in mine.items()
        )
        parts.append(
            f"Personal data is never an attribute, so these are left out of segments, churn "
            f"findings and the churn model: {cols}."
        )
    sev = "medium" if leaky else "info"
    return Finding(" ".join(parts), sev, {"columns": dict(left_out)}, name="leaky_attributes")


def churn_skipped(reason: str) -> Finding:
    """No churn model was trained (too few churners); what the chapter still reports."""
    text = (
        f"No churn model was trained: {reason}. Segments, retention and lifetime value still "
        "apply; there is no churn-risk list until more customers have a history."
    )
    return Finding(text, "medium", {"reason": reason}, name="churn_skipped")


def clv_accuracy(
    error_pct: float, *, actual: float, predicted: float, model: str = "BG/NBD"
) -> Finding:
    """Whether the lifetime-value model's holdout total is close enough to plan with.

    ``model`` names the frequency model that was checked (``"BG/NBD"`` or ``"Pareto/NBD"``).
    With no repeat purchase in the holdout there is nothing to check it against, and the
    finding says so (a customer id that is really an order id looks like this).
    """
    if not actual or not math.isfinite(error_pct):
        return Finding(
            f"{model} predicted {predicted:,.0f} repeat purchases in the holdout, and no "
            "customer bought again in it, so its accuracy cannot be checked. If almost every "
            "customer has a single order, user_id may be an order-level id (the data warnings "
            "say so when it is); the lifetime values below then mean little.",
            "medium",
            {"model": model, "error_pct": None, "actual": actual, "predicted": round(predicted, 1)},
            name="clv_holdout",
        )
    text = (
        f"{model} predicted {predicted:,.0f} repeat purchases in the holdout against "
        f"{actual:,.0f} actual ({error_pct:+.1f}%)."
    )
    sev = "info" if abs(error_pct) <= 10 else "medium"
    return Finding(
        text,
        sev,
        {
            "model": model,
            "error_pct": round(error_pct, 2),
            "actual": actual,
            "predicted": round(predicted, 1),
        },
        name="clv_holdout",
    )


def clv_unfit(reason: str, *, customers: int) -> Finding:
    """The lifetime-value model could not be fitted to these buyers (no figure is reported)."""
    text = (
        f"The lifetime-value model did not fit these {customers:,} buyers ({reason}), so no "
        "purchase forecast or customer value is reported. This happens when customers order "
        "like clockwork (no spread in their rates for BG/NBD or Pareto/NBD to describe) or "
        "when very few of them bought twice."
    )
    return Finding(text, "medium", {"reason": reason, "customers": customers}, name="clv_holdout")


def top_segment(personas: pd.DataFrame, *, money: bool = True, currency: str = "") -> Finding:
    """The persona with the largest revenue share, against its share of users.

    ``money=False`` when the orders carry no value (every purchase counted as 1): the share is
    then a share of purchases and no average order value is quoted. The average order is
    written with ``currency`` (the config's code; "" writes the bare number).
    """
    top = personas.sort_values("revenue_share", ascending=False).iloc[0]
    ratio = float(top["revenue_share"] / top["share"]) if top["share"] else float("nan")
    share = f"{100 * top['revenue_share']:.0f}%"
    what = (
        f"{share} of revenue (average order {money_text(top['aov'], currency, decimals=2)}, "
        if money
        else f"{share} of purchases ("
    )
    text = f"'{top['name']}' are {100 * top['share']:.0f}% of buyers but bring {what}{top['frequency']:.1f} orders each)."
    evidence = {"segment": str(top["name"]), "share": round(float(top["share"]), 4),
                "revenue_share": round(float(top["revenue_share"]), 4), "ratio": round(ratio, 3)}  # fmt: skip
    return Finding(text, "medium" if ratio >= 2 else "info", evidence, name="top_segment")


DAY_MARKS = (1, 7, 14, 30)
"""Days of :func:`day_retention`'s sentence (a mobile game's D1, D7, D14, D30)."""


def day_retention(curve: pd.DataFrame) -> Finding | None:
    """Day-N retention in one sentence from :func:`~opsai.behavior.retention_curve`: the share
    of users active 1, 7, 14 and 30 days after their signup (or first day), each over the
    users whose day lies inside the data (byod13a D15: calendar-month cohorts mixed players
    1 and 30 days old). ``None`` when no mark has eligible users."""
    rows = curve.set_index("day")
    marks = [d for d in DAY_MARKS if d in rows.index and rows.loc[d, "eligible"] > 0]
    if not marks:
        return None
    since = "signup" if curve.attrs.get("since") == "signup" else "first active day"
    bits = [
        f"{rows.loc[d, 'retention']:.1%} on day {d} ({int(rows.loc[d, 'active']):,} of "
        f"{int(rows.loc[d, 'eligible']):,})"
        for d in marks
    ]
    evidence = {
        "since": since,
        **{f"day_{d}": float(rows.loc[d, "retention"]) for d in marks},
        **{f"day_{d}_users": int(rows.loc[d, "eligible"]) for d in marks},
    }
    text = (
        f"Day-N retention since {since}: " + ", ".join(bits) + " (users active that many days "
        f"after their {since}; each day's base leaves out users whose day lies after the data "
        "end)."
    )
    return Finding(text, "info", evidence, name="retention_days")


def retention_summary(
    matrix: pd.DataFrame,
    lifecycle: pd.DataFrame,
    *,
    period: str,
    activity: str | None = None,
    basis: str | None = None,
) -> Finding:
    """Next-period retention, weighted by cohort size, and the latest lifecycle balance (of
    whole periods).

    Args:
        matrix: a :func:`~opsai.behavior.retention.cohort_matrix` (cells outside the data are
            NaN and left out of the average). lifecycle: its lifecycle table.
        period: ``'week'`` or ``'month'``. activity: what counts as active, e.g. ``"events
            (...) and purchases (...)"`` (:func:`~opsai.behavior.retention.activity_of`).
        basis: a sentence saying why cohorts are not by signup
            (:func:`~opsai.behavior.retention.cohort_basis`).
    """
    tail = (f" Activity is {activity}." if activity else "") + (f" {basis}." if basis else "")
    if lifecycle.empty:  # the data ends before its first period does
        text = (
            f"The data does not cover a whole {period} yet, so there is no retention to report"
            + (" (PERIOD='week' counts weeks)." if period == "month" else ".")
        )
        return Finding(text, "info", {"next_period_retention": None}, name="retention")
    # weighted by cohort size (byod10a D17): a panel's 1-household late cohorts at 0% dragged
    # the plain mean over cohorts to 40% where 61% of the households came back
    seen = matrix[[1, "size"]].dropna() if 1 in matrix.columns else pd.DataFrame()
    size = float(seen["size"].sum()) if len(seen) else 0.0
    back = float((seen[1] * seen["size"]).sum()) if size else 0.0
    nxt = back / size if size else float("nan")
    plain = float(seen[1].mean()) if size else float("nan")
    last = lifecycle.iloc[-1]
    gained = int(last["new"] + last["resurrected"])
    when = pd.Timestamp(last["period"]).strftime("%Y-%m" if period == "month" else "%Y-%m-%d")
    if np.isfinite(nxt):
        cohorts = "1 cohort" if len(seen) == 1 else f"the {len(seen):,} cohorts"
        share = (
            f"{_rate(nxt)} of users are active again one {period} after their cohort's first "
            f"({round(back):,} of {round(size):,} in {cohorts} followed that long, weighted by "
            "cohort size"
        )
        if abs(plain - nxt) >= 0.05:  # small cohorts far from the big ones: say both
            share += (
                f"; the plain mean over cohorts, small ones weighing as much, is {_rate(plain)}"
            )
        share += ")"
    else:
        share = f"No cohort has been followed for a whole {period} after its first yet"
    text = (
        f"{share}; in the latest full {period} ({when}) {gained:,} users came (new or back) "
        f"and {int(last['dormant']):,} went dormant.{tail}"
    )
    sev = "medium" if last["dormant"] > gained else "info"
    evidence = {"next_period_retention": round(float(nxt), 4) if np.isfinite(nxt) else None,
                "cohort_mean_retention": round(plain, 4) if np.isfinite(plain) else None,
                "returned": round(back), "cohort_users": round(size), "cohorts": len(seen),
                "period": when, "new": int(last["new"]), "resurrected": int(last["resurrected"]),
                "dormant": int(last["dormant"]), "activity": activity,
                "cohort_by": "first_activity" if basis else None}  # fmt: skip
    return Finding(text, sev, evidence, name="retention")


def churn_gaps(
    activity: Any,
    users: pd.DataFrame | None,
    *,
    inactive_days: int = 90,
    min_tenure_days: int = 180,
    max_levels: int = 12,
) -> list[Finding]:
    """:func:`churn_gap` for every text or boolean attribute of ``users`` with 2..``max_levels``
    values, and every integer one read as a category (a 0/1 ``is_auto_renew``, a ``city``
    coded 1/4/5/13/22: :func:`~opsai.behavior.attributes.integer_codes`, byod10a D7)."""
    from opsai.behavior.attributes import integer_codes
    from opsai.behavior.churn import inactivity_by

    if users is None:
        return []
    out = []
    for col in users.columns:
        v = users[col]
        if col in (USER_ID, SIGNUP_AT):
            continue
        if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
            codes = integer_codes(v, col, max_levels=max_levels)  # a Parquet boolean is yes/no
            if codes is None:  # a number: an age, a price
                continue
            v = codes
        if not 2 <= v.nunique() <= max_levels:
            continue
        rates = inactivity_by(activity, users.assign(**{str(col): v}), attribute=col,
                              inactive_days=inactive_days, min_tenure_days=min_tenure_days)  # fmt: skip
        f = churn_gap(rates, attribute=col, inactive_days=inactive_days)
        if f is not None:
            out.append(f)
    return sorted(out, key=lambda f: -(f.evidence["ratio"] or np.inf))  # None: only they churn
