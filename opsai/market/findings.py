"""Plain-language findings of the market chapter, each with the numbers behind it.

Every function takes results computed elsewhere in :mod:`opsai.market` and returns a
:class:`Finding` (sentence, severity, evidence) that the notebook records; :func:`strategy`
combines them into the positioning recommendation (where we win, where we are exposed, which
move pays best), each sentence naming its evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.market._frame import period_label, period_phrase, period_step
from opsai.report.finding import Finding
from opsai.report.wording import money

__all__ = [
    "Finding",
    "best_move",
    "competitor_finding",
    "concentration_finding",
    "elasticity_finding",
    "growth_finding",
    "marginal_return_finding",
    "move_finding",
    "product_move_finding",
    "segment_finding",
    "share_finding",
    "spend_finding",
    "strategy",
    "what_if_finding",
]


def share_finding(
    changes: pd.DataFrame,
    company: str,
    *,
    col_company: str = S.COMPANY,
    exclude: Sequence[str] = (),
    mentions: bool = False,
) -> Finding:
    """Our share now, its change, and who gained most (from :func:`share_changes`);
    ``exclude``: rest-of-market rows (``Others``), never named as the largest gain;
    ``mentions``: the shares are of mentions (SALES_IS: mentions), read as share of voice."""
    row = changes.set_index(col_company).loc[company]
    named = changes[~changes[col_company].astype(str).isin([str(e) for e in exclude])]
    top = (named if len(named) else changes).iloc[0]
    a = changes.attrs
    w = int(a.get("window", 1))

    def label(period: Any) -> str:
        return period_label(period, a.get("step", "month"))

    now, before = a.get("period_now"), a.get("period_before")
    if w > 1:
        when = f"over the {w} periods to {label(now)}"
        against = f"the {w} periods to {label(before)}"
    else:  # 'in the week of 2025-10-27, -9.0 pp on the week of 2024-10-28'
        when = period_phrase(now, a.get("step", "month"))
        against = f"{'the week of ' if when.startswith('in the week') else ''}{label(before)}"
    of = "of the mentions (share of voice)" if mentions else "of the market"
    text = (
        f"{company} holds {row['share_now']:z.1%} {of} {when}, "
        f"{row['change_pp']:+z.1f} pp on {against} ({row['share_before']:z.1%}); the largest "
        f"gain is {top[col_company]}'s ({top['change_pp']:+z.1f} pp)."
    )
    severity = "high" if row["change_pp"] <= -2 else "medium" if row["change_pp"] < 0 else "info"
    return Finding(
        text,
        severity,
        {
            "share_now": float(row["share_now"]),
            "change_pp": float(row["change_pp"]),
            "top_gainer": str(top[col_company]),
            "top_gain_pp": float(top["change_pp"]),
            "compared": _compared(a),
        }
        | ({"measure": "mentions"} if mentions else {}),
    )


def competitor_finding(
    changes: pd.DataFrame,
    company: str,
    *,
    exclude: Sequence[str] = (),
    since: pd.DataFrame | None = None,
    col_company: str = S.COMPANY,
    mentions: bool = False,
) -> Finding | None:
    """The competitors that lost and gained the most share, with points and periods
    (:func:`share_changes`; byod11b D8); ``since``: the same table over the whole history
    (first period to last), added when given. Us and ``exclude`` (rest-of-market rows) are
    not competitors. ``mentions``: shares of mentions, said as share of voice. None with
    fewer than one competitor."""
    share = "share of voice" if mentions else "share"

    def ends(table: pd.DataFrame) -> tuple[pd.Series, pd.Series, str, str] | None:
        rivals = table[~table[col_company].astype(str).isin([str(company), *map(str, exclude)])]
        if rivals.empty:
            return None
        a = table.attrs
        step = a.get("step", "month")
        w = int(a.get("window", 1))
        now, before = (period_label(a.get(k), step) for k in ("period_now", "period_before"))
        span = f"over the {w} periods to {now}" if w > 1 else f"in {now}"
        on = f"the {w} periods to {before}" if w > 1 else before
        by = rivals.sort_values("change_pp")
        return by.iloc[0], by.iloc[-1], span, on

    def moved(r: pd.Series) -> str:
        return (
            f"{r[col_company]} {r['change_pp']:+z.1f} pp ({r['share_before']:z.1%} -> "
            f"{r['share_now']:z.1%})"
        )

    got = ends(changes)
    if got is None:
        return None
    loser, gainer, span, on = got
    text = f"Among competitors {span}, against {on}: "
    if loser["change_pp"] < 0:
        text += f"{moved(loser)} lost the most {share}"
    else:
        text += f"none lost {share}"
    text += f"; {moved(gainer)} gained the most." if gainer["change_pp"] > 0 else "; none gained."
    evidence: dict[str, Any] = {
        "loser": str(loser[col_company]),
        "loser_pp": float(loser["change_pp"]),
        "gainer": str(gainer[col_company]),
        "gainer_pp": float(gainer["change_pp"]),
        "compared": _compared(changes.attrs),
    } | ({"measure": "mentions"} if mentions else {})
    long = ends(since) if since is not None else None
    if long is not None:
        lo, hi, _, first = long
        text += (
            f" Since {first}: {moved(lo)} lost the most"
            if lo["change_pp"] < 0
            else f" Since {first}: none lost {share}"
        )
        text += f", {moved(hi)} gained the most." if hi["change_pp"] > 0 else "."
        evidence |= {
            "since": first,
            "loser_since": str(lo[col_company]),
            "loser_since_pp": float(lo["change_pp"]),
            "gainer_since": str(hi[col_company]),
            "gainer_since_pp": float(hi["change_pp"]),
        }
    severity = "medium" if float(gainer["change_pp"]) >= 2 else "info"
    return Finding(text, severity, evidence, name="competitors")


def segment_finding(seg: pd.DataFrame, company: str, *, label: str = "segment") -> Finding | None:
    """Where ``company`` wins and loses share, segment by segment (:func:`segment_changes`);
    ``None`` with fewer than two segments."""
    if len(seg) < 2:
        return None
    parts = [
        f"{r.share_now:z.1%} in {r.segment} ({r.change_pp:+z.1f} pp)" for r in seg.itertuples()
    ]
    worst, best = seg.iloc[0], seg.iloc[-1]
    text = (
        f"By {label}: {company} holds {', '.join(parts)}. It "
        + (
            f"loses most in {worst['segment']} ({worst['change_pp']:+z.1f} pp; "
            f"{worst['top_gainer']} gains {worst['top_gain_pp']:+z.1f} pp there)"
            if worst["change_pp"] < 0
            else f"gains in every {label}"
        )
        + (
            f" and {'loses least' if best['change_pp'] < 0 else 'does best'} in "
            f"{best['segment']} ({best['change_pp']:+z.1f} pp)."
            if best["segment"] != worst["segment"]
            else "."
        )
    )
    spread = float(seg["change_pp"].max() - seg["change_pp"].min())
    evidence = {
        "segments": {str(r.segment): round(float(r.change_pp), 3) for r in seg.itertuples()},
        "worst": str(worst["segment"]),
        "spread_pp": round(spread, 3),
    }
    sev = "high" if worst["change_pp"] <= -2 else "info"
    return Finding(text, sev, evidence, name="share_by_segment")


def _compared(a: Mapping[str, Any]) -> str:
    """What a share change compares, for a scorecard: ``last 7 days vs the 7 before`` or
    ``2024-09 vs 2023-09``."""
    w, step = int(a.get("window", 1)), a.get("step", "month")
    unit = f"{step}s" if isinstance(a.get("period_now"), pd.Timestamp) else "periods"
    if w > 1:
        return f"last {w} {unit} vs the {w} before"
    now, before = (period_label(a.get(k), step) for k in ("period_now", "period_before"))
    return f"{now} vs {before}"


def concentration_finding(
    conc: pd.DataFrame, *, basis: str = S.SALES, mentions: bool = False, book: bool = False
) -> Finding:
    """Latest HHI with the US merger-guideline reading (1,500 / 2,500 thresholds, 2010);
    ``basis``: the column the shares are of (the data's ``share`` column is named, since the
    sales shares of :func:`strategy` may then rank the companies otherwise); ``mentions``:
    the shares are of mentions (share of voice), so the mentions are what is concentrated;
    ``book``: of bookings on the books, whose first period is named (not "the start": the
    book runs ahead, and its far end is the thinnest)."""
    last, first = conc.iloc[-1], conc.iloc[0]
    hhi = float(last["hhi"])
    level = "unconcentrated" if hhi < 1500 else "moderately" if hhi <= 2500 else "highly"
    level = level if level == "unconcentrated" else f"{level} concentrated"
    if S.PERIOD in conc.columns:  # the last period's, beside a share that may be a mean
        level += f" {period_phrase(conc[S.PERIOD].iloc[-1], period_step(conc[S.PERIOD]))}"
    named = rest = ""
    if "rest" in conc.columns and float(last["rest"]) > 0:  # Others: no firm of the HHI
        named = " among the named companies"
        rest = (
            f"; {float(last['hhi_with_rest']):z,.0f} if the rest of the market, "
            f"{last['rest']:z.1%}, counted as one company"
        )
    what = "The mentions are" if mentions else "The market is"
    start = "the start"
    if book:
        what = "The bookings on the books are"
        if S.PERIOD in conc.columns:
            start = period_phrase(conc[S.PERIOD].iloc[0], period_step(conc[S.PERIOD]))
    text = (
        f"{what} {level}: HHI {hhi:z,.0f}{named} (as if "
        f"{last['equivalent_companies']:z.1f} equal-sized companies; {first['hhi']:z,.0f} "
        f"{'at ' * (start == 'the start')}{start}{rest}), the "
        f"{'most mentioned' if mentions else 'largest'} company "
        f"holds {last['top1']:z.1%} and the top three {last['top3']:z.1%}"
        + ("." if basis == S.SALES else f" (market shares from the data's {basis} column).")
    )
    evidence: dict[str, Any] = {"hhi": hhi, "hhi_start": float(first["hhi"])}
    if mentions:
        evidence["measure"] = "mentions"
    if rest:
        evidence["hhi_with_rest"] = float(last["hhi_with_rest"])
    return Finding(text, "info", evidence)


def growth_finding(decomp: pd.DataFrame) -> Finding:
    """How much of our sales growth came from the market vs share (:func:`growth_decomposition`)."""
    a = decomp.attrs
    # floating-point noise (16 x 37.5% - 18 x 33.3% = 3.3e-16) is no change: below a
    # billionth of the market, a component reads 0
    tol = 1e-9 * max(abs(float(a["market_before"])), abs(float(a["market_now"])), 1e-300)
    v = decomp.set_index("component")["value"].astype(float)
    v = v.where(v.abs() >= tol, 0.0)
    total = float(v["total"])
    frac = float(v["market_growth"] / total) if total else float("nan")
    step = a.get("step", "month")
    text = (  # 3 significant digits: sales in millions (or shares) would all read "-0"
        f"{a['company']}'s sales "
        + (f"changed by {_num(total, '+')}" if total else "were unchanged")
        + " between "
        f"{period_label(a['period_before'], step)} and {period_label(a['period_now'], step)}: "
        f"{_num(v['market_growth'], '+')} from market growth (market "
        f"{_num(a['market_before'])} -> {_num(a['market_now'])}), {_num(v['share_change'], '+')} "
        f"from share ({a['share_before']:z.1%} -> {a['share_now']:z.1%}) and "
        f"{_num(v['interaction'], '+')} from both."
    )
    severity = "medium" if v["share_change"] < 0 < total else "info"
    return Finding(text, severity, {"total": total, "market_fraction": frac})


def _num(v: float, sign: str = "") -> str:
    if abs(v) >= 1000:
        return f"{v:{sign}z,.0f}"
    text = f"{v:{sign}z.3g}"
    if "e" in text:  # below 1e-4: fixed notation, still 3 significant digits
        text = f"{v:{sign}z.{2 - math.floor(math.log10(abs(v)))}f}"
    return text


def move_finding(
    move: Mapping[str, Any], event: Mapping[str, Any], *, step: str = "month"
) -> Finding:
    """A competitor's move (a row of :func:`detect_moves`) and its :func:`event_study`.

    ``step`` is how far apart the periods are: year, quarter, month, week or day.
    """
    verb = "cut" if move["change"] < 0 else "raised"
    when = period_label(event["event"], step)
    size = f"{abs(move['change']):z.0%}"
    moved = f"{verb} its {move['metric']} by {size}"  # a price or spend is set by the mover
    if move["metric"] == S.SHARE:  # a share is won or lost, not cut: 'lost 36% of its share'
        lost = move["change"] < 0
        moved = f"lost {size} of its share" if lost else f"grew its share by {size}"
    if event["metric"] == "share":  # shares read as percentages, their changes as points
        before, after = f"{event['before']:z.1%}", f"{event['after']:z.1%}"
        change, lo, hi = (f"{100 * event[k]:+z.1f}" for k in ("change", "lo", "hi"))
        change, hi = f"{change} pp", f"{hi} pp"
    else:  # 3 significant digits, whole numbers from 1,000 on (no 1.2e+03)
        before, after = (_num(event[k]) for k in ("before", "after"))
        change, lo, hi = (_num(event[k], "+") for k in ("change", "lo", "hi"))
    began = move.get("began", event["event"])
    if began is None or pd.isna(began) or began == event["event"]:
        text = (
            f"{event['company']} {moved} {period_phrase(event['event'], step)}; its "
            f"{event['metric']} went from {before} to {after} over the next {event['n_after']} "
            f"periods ({change}, 95% interval {lo} to {hi})."
        )
    else:  # a ramp: dated where it began, measured where most of it was done
        text = (
            f"{event['company']} {moved}, starting {period_phrase(began, step)}; its "
            f"{event['metric']} went from {before} in the {event['n_before']} periods before "
            f"{when} to {after} in the {event['n_after']} from it ({change}, 95% interval "
            f"{lo} to {hi})."
        )
    significant = event["lo"] > 0 or event["hi"] < 0
    return Finding(
        text,
        "high" if significant else "low",
        {k: event[k] for k in ("before", "after", "change", "lo", "hi")}
        | {"company": str(event["company"]), "period": when}
        | (
            {"began": period_label(began, step)} if began is not None and not pd.isna(began) else {}
        ),
    )


def product_move_finding(move: Mapping[str, Any], *, product: str, step: str = "week") -> Finding:
    """A company's move on one product against our price of it (a row of
    :func:`product_price_moves`; byod12b D16): "Competitor cut P0012 by 21% from the week of
    2022-09-26: its price went from 1.02x ours to 0.80x ...". When our own price of the
    product moved more than theirs, the move is named as ours."""
    began = move.get("began", move[S.PERIOD])
    began = move[S.PERIOD] if began is None or pd.isna(began) else began
    label = period_label(began, step)
    when = f"from the week of {label}" if step == "week" else f"from {label}"
    item, who = move[product], move[S.COMPANY]
    ratio = f"{move['before'] / 100:z.2f}x ours to {move['after'] / 100:z.2f}x"
    test = (
        f"adjusted p {_p(move['p_adjusted'])} over the {move.get('tested', 'all')} "
        "product-company series"
    )
    theirs, ours = float(move["their_change"]), float(move["our_change"])
    if abs(theirs) >= abs(ours):
        verb = "cut" if theirs < 0 else "raised"
        text = (
            f"{who} {verb} {item} by {abs(theirs):z.0%} {when}: its price went from {ratio} "
            f"(ours {ours:+z.0%}; {test})."
        )
        undercut = theirs < 0 and float(move["after"]) < 100
        severity = "high" if undercut else "medium"
    else:
        text = (
            f"Our own move: our price of {item} moved {ours:+z.0%} {when}, so {who}'s price "
            f"went from {ratio} (theirs {theirs:+z.0%}; {test})."
        )
        severity = "medium"
    evidence = {
        "company": str(who),
        "product": str(item),
        "period": label,
        "index_before": float(move["before"]),
        "index_after": float(move["after"]),
        "their_change": theirs,
        "our_change": ours,
        "p_adjusted": float(move["p_adjusted"]),
    }
    return Finding(text, severity, evidence)


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


POTENTIAL = " of all potential buyers"
"""Said of the demand model's shares when they count non-buyers (an outside good): a car
maker's 0.3% of households is 3.8% of the cars sold, the share the structure section shows."""


def elasticity_finding(
    elasticity: float, se: float, *, company: str, share: float, potential: bool = False
) -> Finding:
    """Our own-price elasticity with the plain-language reading of a 10% price cut.

    An elasticity whose 95% interval reaches zero or above is reported as not identified
    (prices moving with unobserved demand shocks make demand look flat or upward-sloping).
    ``potential``: the share is of all potential buyers (the demand model has an outside good,
    ``LogitDemand.outside_ == "share"``), not of the market's sales, and the text says so.
    """
    if elasticity + 1.96 * se >= 0:
        text = (
            f"The demand model finds no downward-sloping price response for {company} "
            f"(elasticity {elasticity:z.2f} ± {1.96 * se:z.2f}, 95%): prices here probably move "
            "with demand shocks. Give the model product rows and instruments (PRODUCT, "
            "CHARACTERISTICS, INSTRUMENTS) before acting on price; the price scenarios below "
            "are not reliable."
        )
        return Finding(text, "high", {"elasticity": elasticity, "se": se, "identified": False})
    units = (0.9**elasticity) - 1
    revenue = 0.9 * (1 + units) - 1
    text = (
        f"{company}'s own-price elasticity is {elasticity:z.2f} (± {1.96 * se:z.2f}, 95%): a 10% "
        f"price cut raises units by about {units:z.0%} and revenue by {revenue:+z.0%} at a "
        f"{share:z.1%} share{POTENTIAL if potential else ''}; demand is "
        f"{'elastic' if elasticity < -1 else 'inelastic'}."
    )
    return Finding(text, "info", {"elasticity": elasticity, "se": se, "units_10pct_cut": units})


def best_move(
    scenarios: Mapping[str, pd.DataFrame], company: str, *, margin: float | None = None
) -> tuple[str, pd.DataFrame]:
    """The scenario with the largest expected revenue (or gross profit) change for us.

    Args:
        scenarios: name -> :func:`~opsai.market.scenario.simulate` table.
        margin: gross margin on price; when given, profit change replaces revenue change
            (profit = units x (price - (1 - margin) x old price)).

    Returns:
        The best name and a table of every scenario's effect on us; ``""`` and an empty
        table without scenarios (no demand model).
    """
    if not scenarios:
        cols = ["scenario", "share", "share_new", "units_change", "revenue_change"]
        cols += ["revenue_change_lo", "revenue_change_hi"]
        return "", pd.DataFrame(columns=cols + (["profit_change"] if margin is not None else []))
    rows = []
    for name, t in scenarios.items():
        r = t[t["product"].astype(str) == company].iloc[0]
        row = {
            "scenario": name,
            "share": r["share"],
            "share_new": r["share_new"],
            "units_change": r["units_change"],
            "revenue_change": r["revenue_change"],
            "revenue_change_lo": r.get("revenue_change_lo", np.nan),
            "revenue_change_hi": r.get("revenue_change_hi", np.nan),
        }
        if margin is not None:
            cost = (1 - margin) * r["price"]
            old = r["price"] - cost
            row["profit_change"] = (1 + r["units_change"]) * (r["price_new"] - cost) / old - 1
        rows.append(row)
    table = pd.DataFrame(rows)
    key = "profit_change" if margin is not None else "revenue_change"
    return str(table.loc[table[key].idxmax(), "scenario"]), table


_METRIC_LABELS = {
    "sales_share": "share of sales",
    "sales_share_change_pp": "change in share of sales",
    "sales_growth": "sales growth",
    "sales_per_user": "sales per user",
    "sales_per_spend": "sales per unit of marketing spend",
    "price_vs_market": "price against the market mean",
}


def _metric_label(metric: str) -> str:
    return _METRIC_LABELS.get(metric, metric.replace("_", " "))


def _metric_value(metric: str, v: float) -> str:
    """Shares and growth rates as percentages, share changes in points, the rest as numbers."""
    if metric.endswith("_pp"):
        return f"{v:+z.1f} pp"
    if metric == "sales_share":
        return f"{v:z.1%}"
    if metric in ("sales_growth", "price_vs_market"):
        return f"{v:+z.1%}"
    return _num(v)


def strategy(
    sw: pd.DataFrame,
    moves: pd.DataFrame,
    cross: pd.Series,
    moves_table: pd.DataFrame,
    best: str,
    *,
    company: str,
    price_identified: bool = True,
    potential: bool = False,
    share_column: bool = False,
    mentions: bool = False,
) -> list[Finding]:
    """The positioning recommendation, one finding per claim.

    Args:
        sw: :func:`strengths_weaknesses` table.
        moves: the scenario effects from :func:`best_move`.
        cross: elasticity of our share to each competitor's price (a column of
            :meth:`LogitDemand.elasticity_matrix`, our row), competitor-indexed.
        moves_table: :func:`detect_moves` output (competitor moves).
        best: the best scenario's name (``""`` with no scenarios: the wins and lags only).
        price_identified: False when the price response is not identified (see
            :func:`elasticity_finding`): no exposure or move is then claimed.
        potential: the demand model's shares are of all potential buyers (see
            :func:`elasticity_finding`); the best move's share says so.
        share_column: the market shares elsewhere (share, concentration) are the data's
            ``share`` column; the wins and lags, whose shares are of the sales column, say so.
        mentions: market.sales counts mentions (SALES_IS: mentions): shares of voice.
    """
    out: list[Finding] = []
    window = (
        f", {sw.attrs['compared']}" if sw.attrs.get("compared") else ""
    )  # 'in 2024 against 2023'
    wins = sw[sw["verdict"] == "strength"]
    lags = sw[sw["verdict"] == "weakness"]

    def label(metric: str) -> str:
        text = _metric_label(metric)
        return text.replace("share of sales", "share of voice") if mentions else text

    def basis(rows: pd.DataFrame) -> str:  # two notions of share on one page: name this one's
        shares = rows["metric"].astype(str).str.startswith("sales_share").any()
        return (
            " Shares here are of the sales column; the market share and concentration findings "
            "use the data's share column."
            if share_column and shares
            else ""
        )

    if len(wins):
        parts = [
            f"{label(r.metric)} {_metric_value(r.metric, r.value)} (rank {r.rank} of {r.companies})"
            for r in wins.itertuples()
        ]
        out.append(
            Finding(
                f"Where {company} wins: {'; '.join(parts)}{window}.{basis(wins)}",
                "info",
                {"metrics": wins["metric"].tolist()},
            )
        )
    if len(lags):
        parts = [
            f"{label(r.metric)} {_metric_value(r.metric, r.value)} against "
            f"{_metric_value(r.metric, r.best_value)} at {r.best_company} "
            f"(rank {r.rank} of {r.companies})"
            for r in lags.itertuples()
        ]
        out.append(
            Finding(
                f"Where {company} lags: {'; '.join(parts)}{window}.{basis(lags)}",
                "medium",
                {"metrics": lags["metric"].tolist()},
            )
        )
    if not best:  # no demand model (no price): no exposure or move to claim
        return out
    if not price_identified:
        out.append(
            Finding(
                f"No price move is recommended for {company}: the price response is not "
                "identified in this data (see the elasticity finding).",
                "high",
                {"identified": False},
            )
        )
        return out
    rivals = cross.drop(index=company, errors="ignore").sort_values(ascending=False)
    if len(rivals):
        top = str(rivals.index[0])
        recent = moves_table[(moves_table[S.COMPANY] == top) & (moves_table["metric"] == S.PRICE)]
        step = moves_table.attrs.get("step", "month")
        extra = (
            f"; it already moved its price {period_phrase(recent.iloc[0][S.PERIOD], step)}"
            if len(recent)
            else ""
        )
        out.append(
            Finding(
                f"{company} is most exposed to {top}: each 1% cut in {top}'s price costs us "
                f"{rivals.iloc[0]:z.2f}% of our share{extra}.",
                "high" if len(recent) else "medium",
                {"competitor": top, "cross_elasticity": float(rivals.iloc[0])},
            )
        )
    b = moves.set_index("scenario").loc[best]
    band = ""
    if np.isfinite(b["revenue_change_lo"]):
        band = f" (90% band {b['revenue_change_lo']:+z.1%} to {b['revenue_change_hi']:+z.1%})"
    out.append(
        Finding(
            f"Best expected move of those tried: {best}, revenue {b['revenue_change']:+z.1%}{band}, "
            f"share{POTENTIAL if potential else ''} {b['share']:z.1%} -> {b['share_new']:z.1%}, "
            "competitors' prices held.",
            "medium",
            {"scenario": best, "revenue_change": float(b["revenue_change"])},
        )
    )
    return out


def _spend_base(periods: Any) -> str:
    """What "current spend" is: ``the mean of its last 12 periods``."""
    from opsai.market.response import CURRENT_PERIODS

    n = CURRENT_PERIODS if periods is None or pd.isna(periods) else int(periods)
    return f"the mean of its last {n} periods" if n > 1 else "its last period"


def spend_finding(response: Mapping[str, float], company: str, *, currency: str = "") -> Finding:
    """Our units' response to marketing spend (from :func:`~opsai.market.chapter.spend_response`);
    spend is written with ``currency`` (the config's code; "" writes bare numbers). The 10% is
    of the current spend, the mean of the last periods (as in :func:`marginal_return_finding`)."""
    e = response["elasticity"]
    spend = response["spend"]
    lo = (response["gamma"] - 1.96 * response["gamma_se"]) * (1 - response["share"])
    hi = (response["gamma"] + 1.96 * response["gamma_se"]) * (1 - response["share"])
    text = (
        f"Marketing spend moves {company}'s units with an elasticity of {e:z.2f} (95% "
        f"{lo:z.2f} to {hi:z.2f}): 10% more spend ({money(0.1 * spend, currency)} a period on its "
        f"current {money(spend, currency)}, {_spend_base(response.get('spend_periods'))}) "
        f"brings about {(1.1**e - 1):z.1%} more units, with diminishing returns (log response)."
    )
    return Finding(text, "info", {"elasticity": e, "lo": lo, "hi": hi})


def marginal_return_finding(
    table: pd.DataFrame, company: str, *, decay: float, currency: str = ""
) -> Finding:
    """Our marginal return on spend (a :meth:`SpendResponse.marginal_return` table); the
    current spend is written with ``currency`` (the config's code; "" writes a bare number)."""
    t = table.set_index("group")
    r = t.loc[company]
    rank = int(t["marginal_return"].rank(ascending=False)[company])
    text = (
        f"At {company}'s current spend ({money(r['spend'], currency)} a period, "
        f"{_spend_base(r.get('spend_periods'))}) one more unit of spend "
        f"brings about {r['marginal_return']:z,.2f} of sales (90% band {r['lo']:z,.2f} to "
        f"{r['hi']:z,.2f}; rank {rank} of {len(t)} companies; carry-over {decay:z.0%} a period)."
    )
    severity = "medium" if r["hi"] < 1 else "info"
    return Finding(
        text,
        severity,
        {
            "marginal_return": float(r["marginal_return"]),
            "lo": float(r["lo"]),
            "hi": float(r["hi"]),
        },
    )


def what_if_finding(
    table: pd.DataFrame, company: str, *, sales_is: str = "revenue", currency: str = ""
) -> Finding:
    """What a little more or less marketing spend does to our sales (a
    :func:`~opsai.market.response.spend_what_if` table), and which way to move the budget.

    The suggestion compares the sales returned per unit of extra spend with 1 (when sales are
    revenue: break-even on revenue, before the cost of the goods sold). Spend, and sales when
    they are revenue, are written with ``currency`` (the config's code; "" for bare numbers).
    """
    up = table[table["change"] > 0].sort_values("change").iloc[0]
    down = table[table["change"] < 0].sort_values("change").iloc[-1]
    revenue = sales_is == "revenue"
    unit, cur = ("of sales", currency) if revenue else ("units", "")

    def sales(v: float) -> str:  # the amount then its unit: "1,234 USD of sales", "1,234 units"
        return f"{money(v, cur)} {unit}"

    text = (
        f"Raising {company}'s marketing spend by {up['change']:z.0%} "
        f"({money(up['extra_spend'], currency)} a period) is expected to add "
        f"{sales(up['extra_target'])} a period (90% band {up['lo']:z,.0f} to "
        f"{money(up['hi'], cur)}), {up['return_per_unit']:z,.2f} per unit spent; cutting it by "
        f"{-down['change']:z.0%} saves {money(-down['extra_spend'], currency)} and loses "
        f"{money(-down['extra_target'], cur)} (band {-down['hi']:z,.0f} to {money(-down['lo'], cur)})"
    )
    if not (bool(up["observed"]) and bool(down["observed"])):
        text += ", partly beyond the spend levels seen, so extrapolated"
    severity = "info"
    if sales_is != "revenue":
        verdict = "compare the units per unit spent with the margin per unit to decide."
    elif up["return_hi"] < 1:
        verdict = "move budget out of marketing: even the band's top returns less than it costs."
        severity = "medium"
    elif up["return_lo"] > 1:
        verdict = (
            "move budget into marketing: even the band's bottom returns more than it costs "
            "in revenue (check it against the gross margin)."
        )
        severity = "medium"
    else:
        verdict = "keep the budget: the data cannot tell whether more spend pays for itself."
    return Finding(
        f"{text}. Suggestion: {verdict}",
        severity,
        {
            "change": float(up["change"]),
            "extra_spend": float(up["extra_spend"]),
            "extra_sales": float(up["extra_target"]),
            "lo": float(up["lo"]),
            "hi": float(up["hi"]),
            "return_per_unit": float(up["return_per_unit"]),
            "return_lo": float(up["return_lo"]),
            "return_hi": float(up["return_hi"]),
            "sales_is": "revenue" if revenue else "units",
        },
    )
