"""Figures and plain-language findings for notebook 03b, from the chapter's computed tables.

Example:
    >>> f = comparison_finding(cmp)                     # doctest: +SKIP
    >>> report.record("models", f.text, kind="finding", severity=f.severity,
    ...               evidence=f.evidence)               # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsai.data.schema import ITEM_ID, USER_ID
from opsai.recommend.chapter import Comparison
from opsai.recommend.outliers import FENCE_K, GAP, MIN_COVERAGE, heavy_users
from opsai.report.finding import Finding


def _pct(x: float) -> str:
    """A share as a percentage, with a decimal below 10% so small shares do not read as 0%."""
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def comparison_figure(cmp: Comparison) -> Any:
    """nDCG@k and precision@k on the held-out split, one bar pair per model."""
    import plotly.express as px

    k = cmp.k
    cols = {f"ndcg_at_{k}": f"nDCG@{k}", f"precision_at_{k}": f"precision@{k}"}
    long = cmp.table.melt(id_vars="model", value_vars=list(cols), var_name="metric")
    long["metric"] = long["metric"].map(cols)
    fig = px.bar(
        long, x="model", y="value", color="metric", barmode="group",
        title=f"Held-out top-{k} quality by model (best on validation: {cmp.best})",
    )  # fmt: skip
    fig.update_layout(width=820, height=420, yaxis_title="", xaxis_title="")
    return fig


def segment_figure(segments: pd.DataFrame) -> Any:
    """nDCG by user-history segment."""
    import plotly.express as px

    fig = px.bar(segments, x="segment", y="ndcg", text_auto=".3f",
                 title="Recommendation quality (nDCG) by length of user history")  # fmt: skip
    fig.update_layout(width=620, height=380, yaxis_title="nDCG", xaxis_title="")
    return fig


def comparison_finding(cmp: Comparison) -> Finding:
    """How much the chosen model beats popularity on held-out data."""
    k, t = cmp.k, cmp.table.set_index("model")
    best = t.loc[cmp.best]
    nd, pr = float(best[f"ndcg_at_{k}"]), float(best[f"precision_at_{k}"])
    ev: dict[str, Any] = {"model": cmp.best, "ndcg": round(nd, 4), "precision": round(pr, 4)}
    if "popularity" not in t.index or cmp.best == "popularity":
        sev = "high" if cmp.best == "popularity" else "info"
        text = (
            f"The best model on validation is {cmp.best}: held-out nDCG@{k} {nd:.3f}, "
            f"precision@{k} {pr:.3f}."
            + (" Personalisation does not beat the bestseller list here." if sev == "high" else "")
        )
        return Finding(text, sev, ev)
    base = float(t.loc["popularity", f"ndcg_at_{k}"])
    lift = nd / base if base > 0 else float("inf")
    ev |= {"popularity_ndcg": round(base, 4), "lift": round(lift, 3)}
    sev = "info" if lift >= 1.2 else "medium"
    text = (
        f"{cmp.best} was chosen on validation data; on held-out data it reaches nDCG@{k} "
        f"{nd:.3f} and precision@{k} {pr:.3f}, {lift:.1f}x the bestseller list "
        f"(nDCG@{k} {base:.3f})."
    )
    if sev == "medium":
        text += " The gain over popularity is small: check that the interactions carry taste."
    return Finding(text, sev, ev)


def coverage_finding(cmp: Comparison) -> Finding:
    """Share of the catalogue the chosen model recommends, against popularity's."""
    t = cmp.table.set_index("model")
    cov = float(t.loc[cmp.best, "coverage"])
    ev: dict[str, Any] = {"coverage": round(cov, 4)}
    text = f"{cmp.best} recommends {_pct(cov)} of the catalogue to at least one user"
    if "popularity" in t.index:
        pc = float(t.loc["popularity", "coverage"])
        ev["popularity_coverage"] = round(pc, 4)
        text += f" (the bestseller list: {_pct(pc)})"
    sev = "medium" if cov < 0.1 else "info"
    text += "." if sev == "info" else "; most of the catalogue is never shown."
    return Finding(text, sev, ev)


def segment_finding(segments: pd.DataFrame) -> Finding:
    """Quality gap between users with short and long histories."""
    if len(segments) < 2:
        return Finding("Users have similar history lengths; no segment comparison.", "info")
    lo, hi = segments.iloc[0], segments.iloc[-1]
    ev = {
        f"{lo['segment']}_ndcg": round(float(lo["ndcg"]), 4),
        f"{hi['segment']}_ndcg": round(float(hi["ndcg"]), 4),
    }
    shortest = (
        f"Users with no history ({int(lo['users']):,} held-out users, new)"
        if lo["segment"] == "new"
        else f"Users with the shortest histories ({lo['segment']}, {int(lo['history_min'])}-"
        f"{int(lo['history_max'])} items)"
    )
    text = (
        f"{shortest} get nDCG {lo['ndcg']:.3f}, those with the longest "
        f"({hi['segment']}, {int(hi['history_min'])}-{int(hi['history_max'])}) {hi['ndcg']:.3f}."
    )
    sev = "medium" if lo["ndcg"] < 0.5 * hi["ndcg"] else "info"
    if sev == "medium":
        text += " New users need the content/popularity fallback most."
    return Finding(text, sev, ev)


def cold_start_finding(
    train: pd.DataFrame, test: pd.DataFrame, items: pd.DataFrame | None
) -> Finding:
    """How many users and catalogue items have no training history."""
    cold_users = ~test[USER_ID].isin(set(train[USER_ID]))
    n_cold_users = int(test.loc[cold_users, USER_ID].nunique())
    ev: dict[str, Any] = {"cold_test_users": n_cold_users}
    n_test = int(test[USER_ID].nunique())
    share = f" ({n_cold_users / n_test:.1%})" if n_test else ""
    text = f"{n_cold_users:,} held-out users{share} have no training history"
    if items is not None:
        untouched = int((~items[ITEM_ID].astype(str).isin(set(train[ITEM_ID]))).sum())
        ev |= {"untouched_items": untouched, "catalog": len(items)}
        if untouched:
            text += (
                f"; {untouched:,} of {len(items):,} catalogue items were never interacted with "
                "and can only be recommended through their content"
            )
        else:
            text += f"; every one of the {len(items):,} catalogue items has training interactions"
    return Finding(text + ".", "info", ev)


def heavy_users_finding(pairs: pd.DataFrame) -> Finding:
    """Whether a handful of users (bots, staff?) hold an outsized share of the interactions.

    The rule is :func:`~opsai.recommend.outliers.heavy_users`'; nothing is dropped here.
    """
    flagged = heavy_users(pairs)
    a = flagged.attrs
    ev: dict[str, Any] = {"fence_items": a["fence"], "median_items": a["median"], "users": 0}
    gone = pairs.attrs.get("excluded_users") or []
    before = ""
    if gone:
        ev |= {"excluded_users": len(gone), "excluded_pairs": pairs.attrs["excluded_pairs"]}
        before = (f"{len(gone)} account(s) named in EXCLUDE_USERS were left out "
                  f"({pairs.attrs['excluded_pairs']:,} interactions). ")  # fmt: skip
    rule = (
        f"fence {a['fence']:,.0f} items = Q3 x (Q3/Q1)^{FENCE_K:g} of history lengths, at "
        f"least {MIN_COVERAGE:.0%} of the catalogue, and at least {GAP:g}x the longest history "
        "not flagged"
    )
    if flagged.empty:
        longest, beyond = a.get("longest", 0), a.get("beyond", [])
        text = (
            f"{before}No user's history is far beyond the others' (longest {longest:,} items, "
            f"median {a['median']:,.0f}; {rule})."
        )
        if beyond:
            ev["beyond_fence"] = len(beyond)
            lengths = ", ".join(f"{x:,}" for x in beyond[:5]) + (" …" if len(beyond) > 5 else "")
            text += (
                f" {len(beyond)} user(s) pass the fence and the catalogue share ({lengths} items "
                f"of {a['catalog']:,}) but continue the spread of the others (next "
                f"{a['next']:,} items, no {GAP:g}x gap): heavy customers of a small catalogue, "
                "not bots by their history alone."
            )
        return Finding(text, "info", ev)
    n, ids = len(flagged), flagged[USER_ID].tolist()
    share, lo, hi = flagged["share"].sum(), flagged["items"].min(), flagged["items"].max()
    span = f"{lo:,}-{hi:,}" if hi > lo else f"{lo:,}"
    cov = "-".join(
        dict.fromkeys(_pct(x) for x in (flagged["coverage"].min(), flagged["coverage"].max()))
    )
    named = ", ".join(ids[:10]) + (f" and {n - 10} more" if n > 10 else "")
    how = f'EXCLUDE_USERS: "{",".join(ids)}"' if n <= 10 else "EXCLUDE_USERS"
    ev |= {"users": n, "share": round(float(share), 4), "user_ids": ids[:10],
           "coverage_min": round(float(flagged["coverage"].min()), 4)}  # fmt: skip
    text = before + (
        f"{n} of {a['users']:,} users ({named}) hold {_pct(share)} of the interactions: "
        f"{span} items each, {cov} of the catalogue, against a median user's "
        f"{a['median']:,.0f} ({rule}). Histories like these are usually bots, crawlers, staff or "
        "test accounts, which distort item-item similarities. They are kept; if they are "
        f"not customers, leave them out with {how} in chapters.03b_recommendation.parameters "
        "or remove them from the data."
    )
    return Finding(text, "medium", ev)
