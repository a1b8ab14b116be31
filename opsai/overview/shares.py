"""Order shares by an attribute over time: the region (or channel, or any attribute with a few
values) whose share of the orders grows.

A Taobao export's province, derived from its shipping address (``derive``), rose from 9.0% of
the sold orders in the first quarter to 24.6% in the last while every other province stayed
flat, and no page said so (byod13b D13). :func:`attribute_shares` counts the orders per value
of each such attribute and period (quarters, else months); :func:`share_finding` names the
values whose share of the last period is above the first by :data:`MIN_RISE` or more, a
two-proportion z-test significant after Bonferroni over the values tested, with their 95%
Wilson intervals.

Example:
    >>> shares = attribute_shares(ws)  # doctest: +SKIP
    >>> share_finding(shares).text  # doctest: +SKIP
    'region: 四川省 rose from 9.0% of orders in 2024Q1 ...'
"""

from __future__ import annotations

import ibis
import pandas as pd
from scipy import stats

from opsai.data import schema as S
from opsai.data.workspace import Workspace
from opsai.overview.delivery import _wilson
from opsai.report.finding import Finding

MAX_VALUES = 50
"""Most distinct values of an attribute whose shares are followed (a region, not a text)."""
MIN_FILLED = 0.5
"""Least share of the orders an attribute must be set on."""
MIN_PERIODS = 3
"""Fewest periods (quarters, else months) with orders for shares to be compared."""
MIN_RISE = 0.05
"""Least rise of a share, first period to last (5 points), for a finding."""
ALPHA = 0.05
"""Significance of a rise, after Bonferroni over every value of every attribute tested."""

COLUMNS = ["attribute", "value", "period", "orders", "total", "share"]


def _attributes(o: ibis.Table) -> list[str]:
    """The orders' text attributes (columns outside the contract) and ``store``."""
    contract = set(S.TABLES["orders"].names) - {S.STORE}
    schema = o.schema()
    return [c for c in o.columns if c not in contract and schema[c].is_string()]


def attribute_shares(ws: Workspace) -> pd.DataFrame:
    """Orders per value of each orders attribute with 2 to :data:`MAX_VALUES` values set on
    :data:`MIN_FILLED` of the orders, per calendar quarter (per month when the data spans
    fewer than :data:`MIN_PERIODS` quarters), with each value's share of its period's orders.
    An order is its ``order_id`` (each line otherwise), dated by its first line; refund lines
    are left out. Empty without orders, attributes or periods enough.

    Columns: :data:`COLUMNS`; ``period`` is a label (``2024Q1``, ``2024-01``)."""
    if not ws.has("orders"):
        return pd.DataFrame(columns=COLUMNS)
    o = ws.table("orders")
    attrs = _attributes(o)
    if not attrs:
        return pd.DataFrame(columns=COLUMNS)
    o = o.filter(o[S.AMOUNT] >= 0)
    if S.ORDER_ID in o.columns:
        per = o.group_by(S.ORDER_ID).aggregate(
            _t=o[S.TIMESTAMP].min(), **{a: o[a].max() for a in attrs}
        )
    else:
        per = o.select(_t=o[S.TIMESTAMP], **{a: o[a] for a in attrs})
    per = per.filter(per._t.notnull())
    n = int(per.count().to_pandas())
    quarters = int(per._t.truncate("Q").nunique().to_pandas())
    unit, label = ("Q", "{:%Y}Q{}") if quarters >= MIN_PERIODS else ("M", "{:%Y-%m}")
    if unit == "M" and int(per._t.truncate("M").nunique().to_pandas()) < MIN_PERIODS:
        return pd.DataFrame(columns=COLUMNS)
    frames = []
    for a in attrs:
        counts = per[a].nunique().to_pandas(), per[a].count().to_pandas()
        if not (2 <= int(counts[0]) <= MAX_VALUES and int(counts[1]) >= MIN_FILLED * n):
            continue
        f = (
            per.filter(per[a].notnull())
            .group_by(period=per._t.truncate(unit), value=per[a])
            .aggregate(orders=ibis._.count())
            .to_pandas()
        )
        f["attribute"] = a
        frames.append(f)
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["period"] = pd.to_datetime(out["period"])
    out["total"] = out.groupby(["attribute", "period"])["orders"].transform("sum")
    out["share"] = out["orders"] / out["total"]
    out = out.sort_values(["attribute", "period", "orders"], ascending=[True, True, False])
    out["period"] = [
        label.format(p, p.quarter) if unit == "Q" else label.format(p) for p in out["period"]
    ]
    return out[COLUMNS].reset_index(drop=True)


def growing_shares(shares: pd.DataFrame) -> pd.DataFrame:
    """Each value's share in the first and the last period, with the rise, its two-proportion
    z-test p-value and Bonferroni-significant ``grew`` (a rise of :data:`MIN_RISE` or more)."""
    rows = []
    for a, g in shares.groupby("attribute", sort=False):
        periods = list(dict.fromkeys(g["period"]))
        first, last = periods[0], periods[-1]
        n0 = int(g.loc[g["period"] == first, "total"].iloc[0])
        n1 = int(g.loc[g["period"] == last, "total"].iloc[0])
        for v, h in g.groupby("value", sort=False):
            k0 = int(h.loc[h["period"] == first, "orders"].sum())
            k1 = int(h.loc[h["period"] == last, "orders"].sum())
            p = (k0 + k1) / (n0 + n1)
            se = (p * (1 - p) * (1 / n0 + 1 / n1)) ** 0.5
            z = (k1 / n1 - k0 / n0) / se if se > 0 else 0.0
            path = [float(h.loc[h["period"] == q, "share"].sum()) for q in periods]
            rows.append([a, v, first, last, k0, n0, k1, n1, k1 / n1 - k0 / n0,
                         float(stats.norm.sf(z)), path])  # fmt: skip
    cols = ["attribute", "value", "first", "last", "k0", "n0", "k1", "n1", "rise", "p", "path"]
    out = pd.DataFrame(rows, columns=cols)
    out["grew"] = (out["p"] < ALPHA / max(len(out), 1)) & (out["rise"] >= MIN_RISE)
    return out.sort_values("rise", ascending=False).reset_index(drop=True)


def _pct(x: float) -> str:
    return f"{x:.1%}"


def share_finding(shares: pd.DataFrame) -> Finding | None:
    """The values whose share of the orders grew (:func:`growing_shares`), the largest rise of
    each attribute first, with both shares' 95% Wilson intervals and the shares between;
    ``None`` when none grew."""
    if shares is None or shares.empty:
        return None
    moves = growing_shares(shares)
    grew = moves[moves["grew"]].drop_duplicates("attribute")
    if grew.empty:
        return None
    parts, evidence = [], []
    for r in grew.itertuples():
        lo0, hi0 = _wilson(r.k0, r.n0)
        lo1, hi1 = _wilson(r.k1, r.n1)
        between = ", ".join(_pct(x) for x in r.path[1:-1])
        parts.append(
            f"{r.attribute} {r.value} rose from {_pct(r.k0 / r.n0)} of the orders in {r.first} "
            f"({r.k0:,} of {r.n0:,}; 95% CI {_pct(lo0)}-{_pct(hi0)})"
            + (f" through {between}" if between else "")
            + f" to {_pct(r.k1 / r.n1)} in {r.last} ({r.k1:,} of {r.n1:,}; {_pct(lo1)}-{_pct(hi1)})"
        )
        others = moves[(moves["attribute"] == r.attribute) & (moves["value"] != r.value)]
        evidence.append({
            "attribute": r.attribute, "value": str(r.value), "first": r.first, "last": r.last,
            "share_first": round(r.k0 / r.n0, 4), "share_last": round(r.k1 / r.n1, 4),
            "orders_first": r.k0, "orders_last": r.k1, "p_value": float(r.p),
            "path": [round(x, 4) for x in r.path],
            "others_grew": [str(v) for v in others.loc[others["grew"], "value"]],
        })  # fmt: skip
    rest = "; ".join(parts)
    text = (
        f"Growing share of the orders: {rest}. No other value of "
        f"{', '.join(grew['attribute'].astype(str))} grew by {MIN_RISE * 100:.0f} points or more "
        "(two-proportion z-test, Bonferroni)."
        if all(not e["others_grew"] for e in evidence)
        else f"Growing share of the orders: {rest}."
    )
    return Finding(text, "medium", {"grew": evidence}, name="growing_share")


def share_table(shares: pd.DataFrame) -> pd.DataFrame:
    """Shares as one row per attribute value and one column per period, for display."""
    if shares is None or shares.empty:
        return pd.DataFrame()
    wide = shares.pivot_table(
        index=["attribute", "value"], columns="period", values="share", sort=False
    )
    return wide.reset_index()
