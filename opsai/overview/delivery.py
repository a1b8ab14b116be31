"""Delivery performance: on-time rate, days late, late rates by segment, and what lateness costs.

Reads the optional delivery columns of ``orders`` (:mod:`opsai.data.schema`): the days a
delivery took and was scheduled to take (DataCo's ``Days for shipping (real)`` and ``Days for
shipment (scheduled)``), or the delivered and promised dates (Olist's
``order_delivered_customer_date`` and ``order_estimated_delivery_date``), in any mix. An order
is late when it took more whole days than promised (dates compared by day). Orders whose
``order_status`` says cancelled or fraud are counted apart, never as deliveries.
"""

from __future__ import annotations

import pandas as pd
from scipy import stats

from opsai.data import schema as S
from opsai.data._init_revenue import void_states
from opsai.data._synonyms import fold
from opsai.data.workspace import Workspace
from opsai.report.finding import Finding

SEGMENTS = (S.SHIP_MODE, "region", S.STORE, "month")
"""The breakdowns of the late rate, in order; ``region`` is an orders column named as one
(DataCo's ``Order Region``), ``month`` the order's month."""
MIN_ORDERS = 30
"""A segment needs this many deliveries to be named the worst."""
ALPHA = 0.05
"""Significance of a segment standing out, after Bonferroni over the segments tested."""


def _region(columns: list[str]) -> str | None:
    return next((c for c in columns if fold(c) == "region" or fold(c).endswith("region")), None)


def _payment(columns: list[str]) -> str | None:
    """A payment-type column (DataCo's ``Type``: DEBIT, TRANSFER, CASH, PAYMENT)."""
    return next((c for c in columns if "payment" in fold(c) or fold(c) == "type"), None)


def delivery_orders(ws: Workspace) -> pd.DataFrame:
    """One row per order with its delivery; empty when ``orders`` maps no delivery.

    Columns: ``order``, ``timestamp``, ``user_id``, ``days`` (taken), ``promised`` (days),
    ``late`` (1/0, NaN when not delivered yet), ``days_late`` (days past the promise, 0 when on
    time), ``void`` (cancelled or fraud), ``fraud``, ``status``, ``month`` and the segments
    (``ship_mode``, ``region``, ``store``, ``payment``) the orders carry. ``attrs``: ``basis``
    (``"days"`` or ``"dates"``), ``void_states``."""
    if not ws.has("orders"):
        return pd.DataFrame()
    cols = ws.columns("orders")
    taken = S.DELIVERY_DAYS if S.DELIVERY_DAYS in cols else S.DELIVERED_AT
    promise = S.PROMISED_DAYS if S.PROMISED_DAYS in cols else S.PROMISED_AT
    if taken not in cols or promise not in cols:
        return pd.DataFrame()
    extra = {"region": _region(cols), "payment": _payment(cols)}
    keep = [S.TIMESTAMP, S.USER_ID, taken, promise, S.ORDER_ID, S.SHIP_MODE, S.ORDER_STATUS]
    keep += [S.STORE] + [c for c in extra.values() if c]
    o = ws.to_pandas("orders", [c for c in dict.fromkeys(keep) if c in cols])
    o = o.rename(columns={v: k for k, v in extra.items() if v})
    key = S.ORDER_ID if S.ORDER_ID in o and o[S.ORDER_ID].notna().any() else None
    o = o.groupby(key, sort=False).first().reset_index() if key else o.reset_index()
    o = o.rename(columns={key or "index": "order"})
    day = o[S.TIMESTAMP].dt.normalize()
    if taken == S.DELIVERY_DAYS:
        o["days"] = o[taken].astype(float)
    else:
        o["days"] = (pd.to_datetime(o[taken]).dt.normalize() - day).dt.days.astype(float)
    if promise == S.PROMISED_DAYS:
        o["promised"] = o[promise].astype(float)
    else:
        o["promised"] = (pd.to_datetime(o[promise]).dt.normalize() - day).dt.days.astype(float)
    status = o[S.ORDER_STATUS].astype("string") if S.ORDER_STATUS in o else pd.Series("", o.index)
    void = void_states([str(v) for v in status.dropna().unique()])
    o["status"] = status
    o["void"] = status.isin(void).fillna(False).astype(bool)
    o["fraud"] = status.str.lower().str.contains("fraud").fillna(False).astype(bool)
    done = o["days"].notna() & o["promised"].notna() & ~o["void"]
    o["late"] = (o["days"] > o["promised"]).astype(float).where(done)
    o["days_late"] = (o["days"] - o["promised"]).clip(lower=0).where(done)
    o["month"] = o[S.TIMESTAMP].dt.to_period("M").astype(str)
    o = o.drop(columns=[c for c in (taken, promise, S.ORDER_STATUS) if c in o])
    o.attrs.update(basis="days" if taken == S.DELIVERY_DAYS else "dates", void_states=void)
    return o


def _wilson(k: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(int(k), int(n)).proportion_ci(method="wilson")
    return float(ci.low), float(ci.high)


def late_rates(orders: pd.DataFrame) -> pd.DataFrame:
    """The late rate per segment of each breakdown in :data:`SEGMENTS` the orders carry, with
    its 95% Wilson interval and the mean days late of the late ones.

    Columns: ``by``, ``segment``, ``orders`` (delivered), ``late``, ``rate``, ``low``,
    ``high``, ``days_late`` (mean over the late orders)."""
    cols = ["by", "segment", "orders", "late", "rate", "low", "high", "days_late"]
    d = orders[orders["late"].notna()] if len(orders) else orders
    rows = []
    for by in SEGMENTS:
        if by not in d or d[by].nunique() < 2:
            continue
        for seg, g in d.groupby(d[by].astype(str), sort=True):
            n, k = len(g), int(g["late"].sum())
            lo, hi = _wilson(k, n)
            late = g.loc[g["late"] == 1, "days_late"]
            rows.append([by, seg, n, k, k / n, lo, hi, late.mean() if k else 0.0])
    return pd.DataFrame(rows, columns=cols)


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.1 or x == 0 else f"{x:.1%}"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _worst(rates: pd.DataFrame, orders: pd.DataFrame) -> Finding | None:
    """The segment late most often against the rest of its breakdown (Fisher's exact test,
    Bonferroni over every segment tested); ``None`` when none stands out."""
    d = orders[orders["late"].notna()]
    tests = []
    for _, r in rates[(rates["by"] != "month") & (rates["orders"] >= MIN_ORDERS)].iterrows():
        rest = d[d[r["by"]].astype(str) != r["segment"]]
        k2, n2 = int(rest["late"].sum()), len(rest)
        if not n2:
            continue
        table = [[r["late"], r["orders"] - r["late"]], [k2, n2 - k2]]
        p = float(stats.fisher_exact(table, alternative="greater")[1])
        tests.append((r, k2, n2, p))
    if not tests:
        return None
    m = len(tests)
    sig = [(r, k2, n2, min(1.0, p * m)) for r, k2, n2, p in tests if p * m < ALPHA]
    if not sig:
        return None
    r, k2, n2, p = max(sig, key=lambda t: t[0]["rate"] - t[1] / t[2])
    rest = k2 / n2
    lo, hi = _wilson(k2, n2)
    text = (
        f"{r['segment']} ({r['by'].replace('_', ' ')}): {_pct(r['rate'])} delivered late "
        f"({int(r['late']):,} of {int(r['orders']):,} orders; 95% CI {_pct(r['low'])} to "
        f"{_pct(r['high'])}) against {_pct(rest)} for the rest ({k2:,} of {n2:,}; "
        f"{_pct(lo)} to {_pct(hi)}); {_p(p)} after Bonferroni over {m} segments."
    )
    gap = float(r["rate"] - rest)
    evidence = {
        "by": r["by"],
        "segment": r["segment"],
        "rate": round(float(r["rate"]), 4),
        "low": round(float(r["low"]), 4),
        "high": round(float(r["high"]), 4),
        "orders": int(r["orders"]),
        "late": int(r["late"]),
        "rest_rate": round(rest, 4),
        "rest_orders": n2,
        "days_late": round(float(r["days_late"]), 2),
        "p_value": p,
        "tested": m,
    }
    return Finding(text, "high" if gap >= 0.2 else "medium", evidence, name="delivery.worst")


def _overall(orders: pd.DataFrame) -> Finding:
    d = orders[orders["late"].notna()]
    n, k = len(d), int(d["late"].sum())
    lo, hi = _wilson(n - k, n)
    late = d.loc[d["late"] == 1, "days_late"]
    void, waiting = int(orders["void"].sum()), int((orders["late"].isna() & ~orders["void"]).sum())
    text = (
        f"{_pct(1 - k / n)} of {n:,} delivered orders arrived on time or early (95% CI "
        f"{_pct(lo)} to {_pct(hi)}); the {k:,} late ones arrived {late.mean():.1f} days late "
        f"on average (median {late.median():.0f})."
        if k
        else f"All {n:,} delivered orders arrived on time or early."
    )
    if void:
        states = ", ".join(orders.attrs.get("void_states", []))
        text += f" {void:,} orders {states and f'({states}) '}are counted apart, not as deliveries."
    if waiting:
        text += f" {waiting:,} orders have no delivery yet (in transit or not shipped)."
    evidence = {
        "on_time_rate": round(1 - k / n, 4),
        "low": round(lo, 4),
        "high": round(hi, 4),
        "delivered": n,
        "late": k,
        "days_late": round(float(late.mean()), 2) if k else 0.0,
        "void": void,
        "not_delivered": waiting,
        "basis": orders.attrs.get("basis"),
    }
    sev = "medium" if k / n >= 0.2 else "info"
    return Finding(text, sev, evidence, name="delivery")


def _repeat(orders: pd.DataFrame) -> Finding | None:
    """Whether customers whose first delivery was late ordered again less often."""
    if S.USER_ID not in orders or orders[S.USER_ID].isna().all():
        return None
    o = orders[orders[S.USER_ID].notna() & ~orders["void"]].sort_values(S.TIMESTAMP)
    first = o[~o[S.USER_ID].duplicated()].copy()
    first["again"] = first[S.USER_ID].map(o.groupby(S.USER_ID).size()) > 1
    first = first[first["late"].notna()]
    late, ok = first[first["late"] == 1], first[first["late"] == 0]
    if len(late) < MIN_ORDERS or len(ok) < MIN_ORDERS or not first["again"].any():
        return None
    a, b = float(late["again"].mean()), float(ok["again"].mean())
    table = [[int(late["again"].sum()), len(late) - int(late["again"].sum())],
             [int(ok["again"].sum()), len(ok) - int(ok["again"].sum())]]  # fmt: skip
    p = float(stats.fisher_exact(table)[1])
    verdict = "as often, within chance" if p >= ALPHA else "less often" if a < b else "more often"
    text = (
        f"Customers whose first delivery was late ordered again {verdict}: {_pct(a)} of "
        f"{len(late):,} against {_pct(b)} of {len(ok):,} whose first arrived on time ({_p(p)})."
    )
    sev = "medium" if p < ALPHA and a < b else "info"
    ev = {"repeat_late": round(a, 4), "repeat_on_time": round(b, 4), "late_first": len(late),
          "on_time_first": len(ok), "p_value": p}  # fmt: skip
    return Finding(text, sev, ev, name="delivery.repeat")


def _reviews(orders: pd.DataFrame, ws: Workspace) -> Finding | None:
    """Review scores of late against on-time orders, where the reviews (tickets) carry the
    order id and a numeric score (Olist's ``review_score``)."""
    if not ws.has("tickets") or not {S.ORDER_ID, S.SENTIMENT} <= set(ws.columns("tickets")):
        return None
    t = ws.to_pandas("tickets", [S.ORDER_ID, S.SENTIMENT])
    t["score"] = pd.to_numeric(t[S.SENTIMENT], errors="coerce")
    t = t.dropna(subset=["score"])
    scores = t.groupby(t[S.ORDER_ID].astype(str))["score"].mean()
    o = orders.assign(score=orders["order"].astype(str).map(scores)).dropna(subset=["score"])
    o = o[o["late"].notna()]
    late, ok = o.loc[o["late"] == 1, "score"], o.loc[o["late"] == 0, "score"]
    if len(late) < MIN_ORDERS or len(ok) < MIN_ORDERS:
        return None
    p = float(stats.mannwhitneyu(late, ok, alternative="less").pvalue)
    text = (
        f"Late orders were reviewed {late.mean():.2f} on average ({len(late):,} reviews) "
        f"against {ok.mean():.2f} for orders on time ({len(ok):,}); one-sided Mann-Whitney "
        f"{_p(p)}."
    )
    sev = (
        "high" if p < ALPHA and ok.mean() - late.mean() >= 1 else "medium" if p < ALPHA else "info"
    )
    ev = {"score_late": round(float(late.mean()), 3), "score_on_time": round(float(ok.mean()), 3),
          "reviews_late": len(late), "reviews_on_time": len(ok), "p_value": p}  # fmt: skip
    return Finding(text, sev, ev, name="delivery.reviews")


def _fraud(orders: pd.DataFrame) -> Finding | None:
    """The region or payment type whose share of suspected-fraud orders stands out (a
    one-sided Fisher's exact test against the other orders, Bonferroni over the segments)."""
    if not orders["fraud"].any():
        return None
    tests = []
    for by in ("region", "payment"):
        if by not in orders or orders[by].nunique() < 2:
            continue
        for seg, g in orders.groupby(orders[by].astype(str)):
            rest = orders[orders[by].astype(str) != seg]
            k, n, k2, n2 = int(g["fraud"].sum()), len(g), int(rest["fraud"].sum()), len(rest)
            if n < MIN_ORDERS or not n2:
                continue
            p = stats.fisher_exact([[k, n - k], [k2, n2 - k2]], alternative="greater")[1]
            tests.append((by, seg, k, n, k2 / n2, float(p)))
    sig = [t for t in tests if t[5] * len(tests) < ALPHA]
    if not sig:
        return None
    by, seg, k, n, share, p = max(sig, key=lambda t: t[2] / t[3] - t[4])
    p = min(1.0, float(p) * len(tests))
    what = "payment type" if by == "payment" else by
    text = (
        f"{_pct(k / n)} of {seg} orders ({what}) are suspected fraud ({k:,} of {n:,}) against "
        f"{_pct(share)} of the other orders; {_p(p)} after Bonferroni over {len(tests)} segments."
    )
    ev = {"by": by, "segment": seg, "fraud": k, "orders": n, "share": round(k / n, 4),
          "rest_share": round(share, 4), "p_value": p}  # fmt: skip
    return Finding(text, "high" if k / n >= 2 * share else "medium", ev, name="delivery.fraud")


def delivery_findings(
    orders: pd.DataFrame, rates: pd.DataFrame, ws: Workspace | None = None
) -> list[Finding]:
    """The delivery findings: the on-time rate and days late (``delivery``), the segment late
    most often (``delivery.worst``), whether late deliveries go with fewer repeat orders
    (``delivery.repeat``) and lower review scores (``delivery.reviews``), and a suspected-fraud
    share that stands out by region or payment type (``delivery.fraud``)."""
    if orders is None or orders.empty or not orders["late"].notna().any():
        return []
    found = [_overall(orders), _worst(rates, orders), _repeat(orders)]
    found += [_reviews(orders, ws) if ws is not None else None, _fraud(orders)]
    return [f for f in found if f is not None]
