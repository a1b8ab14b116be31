"""Alerts for the operations team, as :class:`~opsai.report.finding.Finding` objects.

- :func:`stockout_alerts`: items whose stock on hand will probably not last their lead time
  (an order placed today arrives too late);
- :func:`overstock_alerts`: items with more than ``weeks`` weeks of cover;
- :func:`drift_alerts`: series with volume whose latest backtest window is much, and
  significantly, less accurate than the earlier ones; :func:`drift_noise_finding` sums up in
  one line the rises that are not;

:func:`alerts_table` flattens findings into a frame to export as CSV.

Example:
    >>> alerts = stockout_alerts(policy) + overstock_alerts(policy, weeks=26)  # doctest: +SKIP
    >>> alerts_table(alerts).to_csv("alerts.csv", index=False)                 # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu, norm

from opsai.data.schema import (
    ITEM_ID,
    LEAD_TIME_DAYS,
    ON_HAND,
    ON_ORDER,
    QUANTITY,
    STORE,
    TIMESTAMP,
    UNIT_COST,
)
from opsai.errors import ConfigError, SchemaError
from opsai.report.finding import Finding
from opsai.report.wording import money


def _need(frame: pd.DataFrame, cols: set[str], who: str) -> None:
    if missing := sorted(cols - set(frame.columns)):
        raise SchemaError(f"{who}: columns {missing} missing. Build the policy with policy_table")


def stockout_probability(on_hand: np.ndarray, lt_mean: np.ndarray, lt_sd: np.ndarray) -> np.ndarray:
    """``P(lead-time demand > on hand)`` under a normal lead-time demand."""
    on_hand, lt_mean, lt_sd = (np.asarray(v, dtype=float) for v in (on_hand, lt_mean, lt_sd))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = norm.sf((on_hand - lt_mean) / lt_sd)
    return np.where(lt_sd > 0, p, (on_hand < lt_mean).astype(float))


def stockout_alerts(policy: pd.DataFrame, *, threshold: float = 0.5) -> list[Finding]:
    """Items likely to run out before an order placed today can arrive.

    The stock that counts is the inventory position, on hand + ``on_order`` (stock already
    ordered, which arrives within the lead time): 42 on hand and 774 inbound is no alert.
    Days of cover are of the stock on hand.

    Args:
        policy: output of :func:`~opsai.inventory.policy.policy_table`.
        threshold: smallest stock-out probability that raises an alert.

    Returns:
        Findings, most likely stock-out first; severity ``high`` from 0.8, else ``medium``.
    """
    if not 0 < threshold < 1:
        raise ConfigError(f"threshold must be in (0, 1), got {threshold!r}")
    _need(
        policy,
        {ITEM_ID, ON_HAND, LEAD_TIME_DAYS, "lt_mean", "lt_sd", "days_of_cover"},
        "stockout_alerts",
    )
    inbound = policy[ON_ORDER].fillna(0.0) if ON_ORDER in policy else 0.0 * policy[ON_HAND]
    p = stockout_probability(policy[ON_HAND] + inbound, policy["lt_mean"], policy["lt_sd"])
    if "no_demand" in policy:  # P(demand > 0 on hand) of a zero forecast is a coin flip, not a risk
        p = np.where(policy["no_demand"].fillna(False).astype(bool), 0.0, p)
    out = []
    for k in np.argsort(-p, kind="stable"):
        if p[k] < threshold:
            break
        r = policy.iloc[k]
        days = float(r[LEAD_TIME_DAYS])
        cover = float(r["days_of_cover"])
        more = float(inbound.iloc[k])
        stock = (
            f"{r[ON_HAND]:.0f} on hand (about {cover:.0f} days) and {more:.0f} on order"
            if more > 0
            else f"{r[ON_HAND]:.0f} on hand cover about {cover:.0f} days"
        )
        text = (
            f"Item {r[ITEM_ID]} will likely stock out within its {days:.0f}-day lead time: "
            f"{stock}, against "
            f"{r['lt_mean']:.0f} ± {r['lt_sd']:.0f} units of expected lead-time demand "
            f"(stock-out probability {p[k]:.0%}). Order now and expedite."
        )
        out.append(
            Finding(
                text,
                "high" if p[k] >= 0.8 else "medium",
                {
                    ITEM_ID: str(r[ITEM_ID]),
                    ON_HAND: float(r[ON_HAND]),
                    ON_ORDER: more,
                    LEAD_TIME_DAYS: days,
                    "lead_time_demand": round(float(r["lt_mean"]), 2),
                    "lead_time_demand_sd": round(float(r["lt_sd"]), 2),
                    "stockout_probability": round(float(p[k]), 4),
                    "days_of_cover": round(cover, 1),
                },
                name=f"stockout.{r[ITEM_ID]}",
            )
        )
    return out


def last_sales(history: pd.DataFrame) -> pd.Series:
    """Item id -> the last period with a sale (``QUANTITY > 0``) in a demand history
    ``[ITEM_ID, TIMESTAMP, QUANTITY]``; items that never sold are left out. ``attrs["end"]``
    is the history's last period."""
    _need(history, {ITEM_ID, TIMESTAMP, QUANTITY}, "last_sales")
    sold = history[history[QUANTITY] > 0]
    out = sold.groupby(sold[ITEM_ID].astype(str))[TIMESTAMP].max()
    out.attrs["end"] = history[TIMESTAMP].max()  # how recent "last sale" is, in overstock_alerts
    return out


def overstock_alerts(
    policy: pd.DataFrame,
    *,
    weeks: float = 26,
    material: float = 0.01,
    currency: str = "",
    last_sale: pd.Series | None = None,
) -> list[Finding]:
    """Items whose stock covers more than ``weeks`` weeks of forecast demand.

    Severity ``medium`` beyond twice ``weeks`` when the surplus is material (at least
    ``material`` of all stock: its value with ``unit_cost``, else its units), else ``low``
    (also ``low`` for stock of an item with no forecast demand: dead stock). Eight slow units
    worth 122 are not a medium problem however many weeks they cover. The evidence has the
    excess units and, with ``unit_cost``, the money tied up in them (written with ``currency``,
    the config's code) and its share of all stock.

    An item with no forecast demand (``days_of_cover`` infinite: ``no_demand`` in
    :func:`~opsai.inventory.policy.policy_table`, a forecast below
    :data:`~opsai.inventory.policy.NO_DEMAND` units per period) has all its units surplus and
    no weeks of cover; ``last_sale`` (item id -> date, :func:`last_sales`) adds when it last
    sold. Before, a forecast of 2e-9 units a day gave '25 units on hand cover 7834994272
    weeks'.
    """
    if weeks <= 0:
        raise ConfigError(f"weeks must be > 0, got {weeks!r}")
    if not 0 <= material < 1:
        raise ConfigError(f"material must be in [0, 1), got {material!r}")
    _need(policy, {ITEM_ID, ON_HAND, "days_of_cover", "mean_per_period"}, "overstock_alerts")
    cover = policy["days_of_cover"].to_numpy(float) / 7
    on_hand = policy[ON_HAND].clip(lower=0)
    basis = policy["cost_basis"] if "cost_basis" in policy else pd.Series("unit_cost", policy.index)
    valued = UNIT_COST in policy.columns and bool((basis != "default").all())
    stock = float((on_hand * policy[UNIT_COST]).sum()) if valued else float(on_hand.sum())
    out = []
    for k in np.argsort(-cover, kind="stable"):
        if not cover[k] > weeks:
            break
        r = policy.iloc[k]
        if not float(r[ON_HAND]) > 0:
            continue
        daily = float(r[ON_HAND]) / float(r["days_of_cover"]) if np.isfinite(cover[k]) else 0.0
        excess = float(r[ON_HAND]) - weeks * 7 * daily
        if excess < 0.5:  # 'about 0 units worth 8 USD are surplus' is no alert
            continue
        own = UNIT_COST in r and basis.iloc[k] != "default"  # a cost of 1 is no value
        value = excess * float(r[UNIT_COST]) if own else float("nan")
        worth = f" worth {money(value, currency)}" if np.isfinite(value) else ""
        worth += " at selling price" if worth and basis.iloc[k] == "price" else ""
        if np.isfinite(cover[k]):
            text = (
                f"Item {r[ITEM_ID]} is overstocked: {r[ON_HAND]:.0f} units on hand cover "
                f"{cover[k]:.0f} weeks of forecast demand (limit {weeks:g}); about {excess:.0f} "
                f"units{worth} are surplus. Pause orders or promote it."
            )
            size = value if valued and np.isfinite(value) else excess
            big = stock > 0 and size >= material * stock
            severity = "medium" if cover[k] > 2 * weeks and big else "low"
            extra: dict[str, object] = {}
        else:
            sold = last_sale.get(str(r[ITEM_ID])) if last_sale is not None else None
            day = f"{pd.Timestamp(sold):%Y-%m-%d}" if sold is not None and pd.notna(sold) else None
            when = f" (last sale {day})" if day else ""
            if last_sale is not None and not day:
                when = " (no sale in the history)"
            extra = {"no_demand": True} | ({"last_sale": day} if day else {})
            end = last_sale.attrs.get("end") if last_sale is not None else None
            recent = day is not None and end is not None and (end - pd.Timestamp(sold)).days < 28
            text = (
                f"Item {r[ITEM_ID]} has {r[ON_HAND]:.0f} units on hand{worth} and no demand is "
                f"expected over the forecast horizon{when}: all {r[ON_HAND]:.0f} units are "
                + (
                    "surplus by the forecast, but it sold within the last four weeks: check "
                    "the forecast before a clearance."
                    if recent
                    else "surplus, dead stock. Consider a clearance or delisting."
                )
            )
            severity = "low"
        out.append(
            Finding(
                text,
                severity,
                {
                    ITEM_ID: str(r[ITEM_ID]),
                    ON_HAND: float(r[ON_HAND]),
                    "weeks_of_cover": round(float(cover[k]), 1) if np.isfinite(cover[k]) else None,
                    "max_weeks_of_cover": float(weeks),
                    "excess_units": round(excess, 1),
                    "excess_value": round(value, 2) if np.isfinite(value) else None,
                    "excess_share_of_stock": round(
                        (value if valued and np.isfinite(value) else excess) / stock, 4
                    )
                    if stock > 0
                    else None,
                }
                | extra,
                name=f"overstock.{r[ITEM_ID]}",
            )
        )
    return out


def drift_alerts(
    cv: pd.DataFrame,
    *,
    model: str,
    tags: dict[str, list[str]] | None = None,
    ratio: float = 1.5,
    min_increase: float = 0.1,
    min_windows: int = 3,
    material: float = 0.01,
    censored: pd.DataFrame | None = None,
    summing: pd.DataFrame | None = None,
    min_units: float = 30.0,
    alpha: float = 0.05,
) -> list[Finding]:
    """Series whose latest backtest window's WAPE is ``ratio`` times the earlier windows' mean,
    on enough volume and beyond the noise of their own errors.

    A few units a month make a slow seller's WAPE jump by hundreds of %: 63 of 300 stationary
    items 'drifted' on the Amazon reviews (byod9b D20). A series is tested only with
    ``min_units`` units a backtest window on average; its absolute errors of each period are
    compared, the latest window's against the earlier ones', with a one-sided Mann-Whitney
    test (not scaled by each window's volume: a quieter window would then look worse for its
    noise alone), and the p-values are Bonferroni-corrected over every series tested. :func:`drift_noise_finding`
    sums up in one line the rises left out (from :func:`drift_screen`, the same screen).

    Args:
        cv: a backtest frame (``cross_validation`` output) with at least two cutoffs.
        model: the model column to watch.
        tags: hierarchy level -> series ids (``HierarchicalSeries.tags``). With it, a series'
            share of units is taken within its level (an item's share of item units, not of
            items + categories + total, which counts every unit once per level), the total and
            the categories are named as such, and an aggregate that is the very same series
            as a drifting series below it (a category of one item, the total of one
            category) is not listed twice. Without it every series is one level.
        ratio: relative worsening that raises an alert.
        min_increase: and the absolute WAPE increase it needs (ignores noise on tiny errors).
        min_windows: backtest windows needed (the latest against at least two before it);
            fewer give no alerts.
        censored: items probably out of stock
            (:func:`~opsai.inventory.censoring.censored_items`): their drift names the
            stock-out as the first explanation (zeros after it are lost sales), before a
            demand shift.
        material: share of its level's units a series needs for severity ``medium``; a slow
            seller's error swings are ``low`` (a few units make WAPE jump by 100s of %).
        summing: the summing matrix (``HierarchicalSeries.S``): with it and ``censored``, a
            drifting category (or total) that holds a censored item names that item and its
            share of the aggregate's backtest units instead of blaming a demand shift and the
            model (byod8 D20).
        min_units: mean units a backtest window a series needs to be tested at all.
        alpha: family-wise error rate of the test over the series tested (Bonferroni).
    """
    from opsai.forecast.backtest import series_level
    from opsai.forecast.series import CATEGORY_PREFIX, TOTAL_ID

    screen = drift_screen(
        cv, model=model, ratio=ratio, min_increase=min_increase, min_windows=min_windows,
        min_units=min_units, alpha=alpha,
    )  # fmt: skip
    if screen.empty:
        return []
    last, before, units = screen["wape_latest"], screen["wape_before"], screen["units"]
    ids = units.index.to_series(index=units.index)
    level = series_level(ids, tags).fillna("item") if tags else ids.map(lambda _: "item")
    share = (units / units.groupby(level).transform("sum").replace(0, np.nan)).fillna(0.0)
    w = screen.attrs["windows"]
    rise = (last - before)[screen["alert"]]
    # an aggregate with the same actuals and errors as a drifting series below it is that series
    below = [lvl for lvl in (tags or {}) if lvl != "item"][::-1]
    sig = {sid: (round(float(units[sid]), 6), tuple(np.round(w.loc[sid].to_numpy(), 9)))
           for sid in rise.index}  # fmt: skip
    seen = {sig[sid] for sid in rise.index if level[sid] == "item"}
    for lvl in below:
        members = [sid for sid in rise.index if level[sid] == lvl]
        rise = rise.drop([sid for sid in members if sig[sid] in seen])
        seen |= {sig[sid] for sid in members}
    out = []
    if censored is not None and STORE in censored:  # one store's stop is not the chain's
        censored = censored[censored[STORE].isna()]
    gone = (
        {
            str(i): f"{pd.Timestamp(t):%Y-%m-%d}"
            for i, t in zip(censored[ITEM_ID], censored["since"], strict=True)
        }
        if censored is not None and len(censored)
        else {}
    )
    unknown = (  # no inventory table: stopped, out of stock or delisted
        set(censored.loc[~censored["stock_known"].astype(bool), ITEM_ID].astype(str))
        if censored is not None and len(censored) and "stock_known" in censored
        else set()
    )
    order = pd.DataFrame({"material": share[rise.index] >= material, "rise": rise})
    for sid in order.sort_values(["material", "rise"], ascending=False).index:  # material first
        of_units = f"{share[sid]:.1%}" if share[sid] >= 0.001 else "under 0.1%"
        if sid == TOTAL_ID and level[sid] == "total":
            label = "total demand"
        elif level[sid] == "category":
            label = f"category {str(sid).removeprefix(CATEGORY_PREFIX)} ({of_units} of units)"
        else:
            label = f"{sid} ({of_units} of units)"
        held = _stopped_members(sid, summing, gone, units) if level[sid] != "item" else []
        if held:
            of = "the category's units" if level[sid] == "category" else "all units"
            why = _held_why(held, gone, unknown, of=of)
        elif str(sid) in unknown:
            why = (
                f"Its sales stopped abruptly on {gone[str(sid)]}: out of stock or delisted "
                "(there is no inventory table to tell). If it is out of stock, the zeros after "
                "that are lost sales, not demand; restock it. The model is not the cause."
            )
        elif str(sid) in gone:
            why = (
                f"Most likely a stock-out: it has nothing on hand and no sale since "
                f"{gone[str(sid)]}, so the zeros after that are lost sales, not demand; "
                "restock it. Otherwise check for a demand shift (launch, price, promotion)."
            )
        else:
            why = "Check for a demand shift (launch, price, promotion) and review the model."
        since_key = "stopped_since" if str(sid) in unknown else "stocked_out_since"
        text = (
            f"Forecast accuracy drifted for {label}: {model}'s error "
            f"(WAPE) rose to {last[sid]:.0%} in the latest backtest window from "
            f"{before[sid]:.0%} before (Mann-Whitney test on the errors of each period, "
            f"p = {screen.loc[sid, 'p_value']:.2g}, Bonferroni over {screen.attrs['tested']} "
            f"series with {min_units:g}+ units a window). {why}"
        )
        out.append(
            Finding(
                text,
                "medium" if share[sid] >= material else "low",
                {
                    ITEM_ID: str(sid),
                    "level": str(level[sid]),
                    "model": model,
                    "wape_latest": round(float(last[sid]), 4),
                    "wape_before": round(float(before[sid]), 4),
                    "units_share": round(float(share[sid]), 4),
                    "units_per_window": round(float(screen.loc[sid, "units_per_window"]), 1),
                    "p_value": float(f"{screen.loc[sid, 'p_value']:.3g}"),
                    "tested": int(screen.attrs["tested"]),
                }
                | ({since_key: gone[str(sid)]} if str(sid) in gone else {})
                | (
                    {
                        "includes_stopped": [i for i, _ in held],
                        "stopped_units_share": [round(v, 4) for _, v in held],
                    }
                    if held
                    else {}
                ),
                name=f"drift.{sid}",
            )
        )
    return out


def drift_screen(
    cv: pd.DataFrame,
    *,
    model: str,
    ratio: float = 1.5,
    min_increase: float = 0.1,
    min_windows: int = 3,
    min_units: float = 30.0,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Each series' WAPE in the latest backtest window against the earlier ones, and whether
    its rise is an alert (see :func:`drift_alerts`).

    Returns:
        One row per series: ``wape_latest, wape_before, units`` (backtest units),
        ``units_per_window, rose`` (the rise passes ``ratio`` and ``min_increase``),
        ``tested`` (``min_units`` a window), ``p_value`` (one-sided Mann-Whitney, NaN
        untested), ``p_adjusted`` (Bonferroni over the series tested) and ``alert``.
        ``attrs``: ``tested`` (how many) and ``windows`` (the WAPE per series and window).
        Empty with fewer than ``min_windows`` windows.
    """
    from opsai.forecast.backtest import CUTOFF

    if min_units < 0:
        raise ConfigError(f"drift_alerts: min_units must be >= 0, got {min_units!r}")
    if not 0 < alpha < 1:
        raise ConfigError(f"drift_alerts: alpha must be in (0, 1), got {alpha!r}")
    _need(cv, {ITEM_ID, CUTOFF, QUANTITY, model}, "drift_alerts")
    e = cv.reset_index(drop=True)
    e = e.assign(ae=(e[QUANTITY] - e[model]).abs(), ay=e[QUANTITY].abs())
    g = e.groupby([ITEM_ID, CUTOFF])
    w = g[["ae", "ay"]].sum()
    w = (w["ae"] / w["ay"].replace(0, np.nan)).unstack(CUTOFF)
    if w.shape[1] < max(2, min_windows):
        return pd.DataFrame()
    e["latest"] = e[CUTOFF] == e.groupby(ITEM_ID)[CUTOFF].transform("max")
    out = pd.DataFrame({"wape_latest": w.iloc[:, -1], "wape_before": w.iloc[:, :-1].mean(axis=1)})
    out["units"] = e.groupby(ITEM_ID)["ay"].sum()
    out["units_per_window"] = out["units"] / e.groupby(ITEM_ID)[CUTOFF].nunique()
    rise = out["wape_latest"] - out["wape_before"]
    out["rose"] = (out["wape_latest"] > ratio * out["wape_before"]) & (rise > min_increase)
    out["tested"] = out["units_per_window"] >= min_units
    p = pd.Series(np.nan, index=out.index)
    for sid, rows in e[e[ITEM_ID].isin(out.index[out["tested"]])].groupby(ITEM_ID):
        a = rows.loc[rows["latest"], "ae"].dropna()
        b = rows.loc[~rows["latest"], "ae"].dropna()
        if len(a) and len(b):
            p[sid] = float(mannwhitneyu(a, b, alternative="greater").pvalue)
    out["p_value"] = p
    tested = int(p.notna().sum())
    out["p_adjusted"] = (p * tested).clip(upper=1.0)
    out["alert"] = out["rose"] & (out["p_adjusted"] <= alpha)
    out.attrs.update(tested=tested, windows=w)
    return out


def drift_noise_finding(
    screen: pd.DataFrame,
    *,
    ids: list[str] | None = None,
    min_units: float = 30.0,
    alpha: float = 0.05,
) -> Finding | None:
    """One line for the series whose error rose in the latest backtest window without an
    alert: too small to test (under ``min_units`` units a window) or within their noise.

    Args:
        screen: :func:`drift_screen`'s frame, with the same ``min_units`` and ``alpha``.
        ids: the series to sum up (the items, ``HierarchicalSeries.tags["item"]``); shares
            are of their units. Default: every series of ``screen``.

    Returns:
        ``None`` when no error rose or every rise is an alert.
    """
    if screen.empty:
        return None
    tested = int(screen.attrs.get("tested", 0))
    if ids is not None:
        screen = screen[screen.index.astype(str).isin(set(map(str, ids)))]
    quiet = screen[screen["rose"] & ~screen["alert"]]
    if quiet.empty:
        return None
    small = quiet[~quiet["tested"] | quiet["p_value"].isna()]
    noise = quiet.drop(small.index)
    share = float(small["units"].sum() / screen["units"].sum()) if screen["units"].sum() else 0.0
    parts = []
    if len(small):
        parts.append(
            f"{len(small)} small series (under {min_units:g} units a backtest window each, "
            f"{share:.1%} of units together), where a few units move the error "
            "by 100s of %"
        )
    if len(noise):
        parts.append(
            f"{len(noise)} whose rise is within the noise of their own errors (Mann-Whitney "
            f"test, Bonferroni over {tested} series tested, "
            f"{alpha:.0%} level)"
        )
    text = (
        f"The forecast error (WAPE) rose in the latest backtest window on {len(quiet)} series "
        f"without a drift worth an alert: {'; and '.join(parts)}. No action on them; they "
        f"are not listed one by one ({tested} series had {min_units:g}+ units a window and "
        "were tested)."
    )
    evidence = {
        "series": len(quiet),
        "small": len(small),
        "within_noise": len(noise),
        "small_units_share": round(share, 4),
        "tested": tested,
        "min_units": float(min_units),
        "examples": [str(i) for i in quiet.sort_values("units", ascending=False).index[:10]],
    }
    return Finding(text, "info", evidence, name="drift_noise")


def _stopped_members(
    sid: Any, summing: pd.DataFrame | None, gone: dict[str, str], units: pd.Series
) -> list[tuple[str, float]]:
    """The censored items an aggregate series sums, with their share of its backtest units,
    largest first (empty without a summing matrix or such an item)."""
    if summing is None or not gone or sid not in summing.index or not units.get(sid):
        return []
    row = summing.loc[sid]
    members = [str(c) for c in row.index[row.to_numpy() > 0]]
    held = [(i, float(units.get(i, 0.0)) / float(units[sid])) for i in members if i in gone]
    return sorted(held, key=lambda t: -t[1])


def _held_why(
    held: list[tuple[str, float]], gone: dict[str, str], unknown: set[str], *, of: str
) -> str:
    """Why an aggregate drifted when it sums a stocked-out (or stopped) item."""
    parts = []
    for i, share in held[:5]:
        if i in unknown:
            parts.append(
                f"{i}, whose sales stopped abruptly on {gone[i]} (out of stock or delisted; "
                f"{share:.1%} of {of} in the backtest windows)"
            )
        else:
            parts.append(
                f"the stock-out of {i} (nothing on hand, no sale since {gone[i]}; {share:.1%} "
                f"of {of} in the backtest windows)"
            )
    more = f" and {len(held) - 5} more" if len(held) > 5 else ""
    lost = (
        "if it is out of stock, the zeros after that are lost sales, not demand"
        if any(i in unknown for i, _ in held)
        else "the zeros after that are lost sales, not demand"
    )
    return (
        f"It includes {'; '.join(parts)}{more}: {lost}, most likely the cause of the drift "
        "rather than a demand shift or the model."
    )


def alerts_table(findings: list[Finding]) -> pd.DataFrame:
    """Findings as one row each: ``name, severity, text`` and the evidence fields as columns."""
    rows = [
        {"name": f.name, "severity": f.severity, "text": f.text, **f.evidence} for f in findings
    ]
    return pd.DataFrame(rows, columns=None if rows else ["name", "severity", "text"])
