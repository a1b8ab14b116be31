"""Per item attribute: how often a viewed item is put in the cart, and a carted one removed.

REES46-style events carry the item on every event (``view``, ``cart``, ``remove_from_cart``,
``purchase`` with ``product_id``, ``category_code``, ``brand``). A funnel split by such a column
would label a whole session by one of the items it viewed; here each (session, item) pair is
the unit instead: the view -> cart rate of a category is the share of the session-item pairs
with a view of an item of that category whose item was then carted in the same session, and
the remove-from-cart rate the share of session-item pairs with a cart whose item was then
removed. Everything up to per-user counts runs in the engine (Ibis); the test treats users as
the independent units.

Example:
    >>> table, note = item_rates(ws.table("events"), steps=["view", "cart", "purchase"],
    ...                          remove="remove_from_cart")                 # doctest: +SKIP
    >>> item_rate_findings(table)                                           # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from opsai.behavior._engine import TableLike, as_table, require, to_frame
from opsai.behavior.funnels import MISSING, Unit, _constant_within, _keys, match_steps
from opsai.data.schema import EVENT, ITEM_ID, SESSION_ID, TIMESTAMP, USER_ID, canonical_event
from opsai.report.finding import Finding

METRICS = {
    "cart_rate": ("carted", "viewed", "of the {unit} that viewed one put it in the cart"),
    "remove_rate": ("removed", "carted_all", "of the {unit} that carted one removed it again"),
}
"""Each rate: its numerator, denominator and what it says."""
ITEM_ATTRIBUTES = ("category", "brand")
"""The items table's attributes read (its other columns may be anything a file carried)."""
MAX_VALUES = 50
"""Most values of an item attribute (more: an id or a title, not a category)."""
MIN_USERS = 30
"""Fewest users holding a value's denominator (and the rest's) for it to be tested."""
MAX_NAMED = 5
"""Most values named per rate, one at a time: each against the other items, those named
before it left out (an outlying category lifts the rest's rate, so every other category would
otherwise read low)."""
MIN_RATIO = 1.3
"""Least ratio of a value's rate to the rest's (either way) for a finding."""
TABLE_COLUMNS = ["attribute", "source", "value", "metric", "users", "denominator", "numerator",
                 "rate", "rest_rate", "ratio", "difference", "low", "high", "p_value",
                 "stands_out"]  # fmt: skip
""":func:`item_rates`' columns: ``stands_out`` marks the values named, one at a time, and
their ``rest_rate`` .. ``p_value`` are those of that comparison."""


def _value_users(pairs: ir.Table, col: str, col_user: str) -> pd.DataFrame:
    """Per value of ``col`` and user: the session-item pairs viewed, carted after the view,
    carted, and removed after the cart (counted in the engine)."""
    viewed = pairs._fv.notnull()
    carted = pairs._fc.notnull()
    aggs = {
        "viewed": ibis.ifelse(viewed, 1, 0).sum(),
        "carted_view": ibis.ifelse(viewed & carted & (pairs._lc >= pairs._fv), 1, 0).sum(),
        "cart": ibis.ifelse(carted, 1, 0).sum(),
        "removed": ibis.ifelse(carted & pairs._lr.notnull() & (pairs._lr >= pairs._fc), 1, 0).sum(),
    }
    key = pairs[col].cast("string").fill_null(MISSING).name("value")
    d = to_frame(pairs.group_by([key, pairs[col_user]]).aggregate(**aggs))
    return d.rename(columns={"carted_view": "carted", "cart": "carted_all"})


def _clustered_rest(d: pd.DataFrame, num: str, den: str, col_user: str) -> pd.DataFrame:
    """Per value: the ratio of sums and its variance with users as clusters, for the value and
    for every other value together (the rest), from per (value, user) counts."""
    x, n = d[num].astype(float), d[den].astype(float)
    tot = pd.DataFrame({"X": x, "N": n, col_user: d[col_user]}).groupby(col_user).sum()
    big = d[[col_user, "value"]].join(tot, on=col_user).assign(x=x, n=n)
    big = big.assign(rx=big["X"] - big["x"], rn=big["N"] - big["n"])
    per = big.assign(
        xx=big.x**2, nn=big.n**2, xn=big.x * big.n, gu=(big.n > 0).astype(int),
        # what the rest loses of its all-user sums over the users holding this value
        dXX=big.X**2 - big.rx**2, dNN=big.N**2 - big.rn**2, dXN=big.X * big.N - big.rx * big.rn,
        lost=((big.N > 0) & (big.rn == 0)).astype(int),
    ).groupby("value")[["x", "n", "xx", "nn", "xn", "gu", "dXX", "dNN", "dXN", "lost"]].sum()  # fmt: skip
    allX, allN = float(tot.X.sum()), float(tot.N.sum())
    sXX, sNN, sXN = float((tot.X**2).sum()), float((tot.N**2).sum()), float((tot.X * tot.N).sum())
    G = int((tot.N > 0).sum())

    def var(p: pd.Series, xx: pd.Series, xn: pd.Series, nn: pd.Series, n: pd.Series,
            g: pd.Series) -> pd.Series:  # fmt: skip
        s = xx - 2 * p * xn + p**2 * nn
        return (g / (g - 1)).where(g > 1) * s / n**2

    out = pd.DataFrame(index=per.index)
    out["denominator"], out["numerator"], out["users"] = per.n, per.x, per.gu
    out["rate"] = per.x / per.n.where(per.n > 0)
    out["var"] = var(out["rate"], per.xx, per.xn, per.nn, per.n, per.gu)
    rx, rn = allX - per.x, allN - per.n
    out["rest_denominator"], out["rest_users"] = rn, G - per.lost
    out["rest_rate"] = rx / rn.where(rn > 0)
    out["rest_var"] = var(out["rest_rate"], sXX - per.dXX, sXN - per.dXN, sNN - per.dNN, rn,
                          out["rest_users"])  # fmt: skip
    return out.reset_index()


def remove_event(events: TableLike, name: str, *, col_event: str = EVENT) -> str | None:
    """The data's name for the remove-from-cart event (``name`` exactly or by
    :func:`~opsai.data.schema.canonical_event`: Segment's ``Product Removed``), or ``None``."""
    if not name:
        return None
    found, _ = match_steps(events, [name], col_event=col_event)
    return found[0] if found else None


def item_rates(
    events: TableLike,
    *,
    steps: Sequence[str],
    remove: str = "remove_from_cart",
    items: TableLike | None = None,
    unit: Unit = "session",
    col_user: str = USER_ID,
    col_session: str = SESSION_ID,
    col_item: str = ITEM_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
    alpha: float = 0.05,
) -> tuple[pd.DataFrame, str]:
    """The view -> cart rate and the remove-from-cart rate per value of each item attribute,
    each value against all other items, and a line saying what could not be measured.

    The unit is a (session or user, item) pair: ``cart_rate`` is the share of the pairs with a
    view whose item was carted at or after the view; ``remove_rate`` the share of the pairs
    with a cart whose item was removed at or after the cart (a pair counts once however many
    times its item was viewed or carted). Attributes: the event columns that are the item's
    (one value per item for at least 95% of the items seen with two or more, e.g.
    ``category_code``, ``brand``) and the ``items`` table's ``category`` and ``brand`` (one
    restating an event column, the same values, is left out), each with 2 to
    :data:`MAX_VALUES` values. A value is tested when it and the rest each hold
    :data:`MIN_USERS` users: the difference of the rates with users as the independent units
    (cluster-robust variances), Bonferroni over every value, rate and attribute tested, and its
    interval at that corrected level.

    Args:
        steps: the funnel's steps as the data names them (:func:`match_steps`): the view and
            the cart are those whose :func:`~opsai.data.schema.canonical_event` is ``view`` and
            ``addtocart``.
        remove: the remove-from-cart event (matched as the steps are); absent: no remove rate.
        items: the items table (``item_id`` and attributes such as ``category``, ``brand``).

    Returns:
        :data:`TABLE_COLUMNS` (``source`` is ``events`` or ``items``; ``difference``, ``low``,
        ``high`` the rate less the rest's and its corrected interval), and "" or the line saying
        why nothing (or no remove rate) was measured.
    """
    from scipy.stats import norm

    empty = pd.DataFrame(columns=TABLE_COLUMNS)
    canon = {canonical_event(s): s for s in steps}
    view, cart = canon.get("view"), canon.get("addtocart")
    if view is None or cart is None:
        return empty, (
            "No per-item cart rate: the funnel has no "
            + " and no ".join(w for w, s in (("view", view), ("add-to-cart", cart)) if s is None)
            + " step (FUNNEL_STEPS)"
        )
    t = as_table(events, name="events")
    if col_item not in t.columns:
        return empty, "No per-item cart rate: the events have no item_id (map the item's column)"
    keys = _keys(unit, col_user, col_session)
    require(t, [*keys, col_time, col_event], table="events")
    removal = remove_event(t, remove, col_event=col_event)
    note = "" if removal is not None else (
        f"No remove-from-cart rate: the events have no {remove!r} event (REMOVE_EVENT names it)"
    )  # fmt: skip
    skip = {*keys, col_item, col_time, col_event, USER_ID, SESSION_ID, "order_id"}
    text = [c for c, dt in t.schema().items() if c not in skip and dt.is_string()]
    attrs: list[tuple[str, str]] = []
    seen: list[frozenset[str]] = []
    for src, tab in (("events", t), ("items", as_table(items, name="items") if items is not None
                                       else None)):  # fmt: skip
        if tab is None:
            continue
        cols = text if src == "events" else [
            c for c in ITEM_ATTRIBUTES if c in tab.columns and tab[c].type().is_string()
        ]  # fmt: skip
        if not cols:
            continue
        n = to_frame(tab.aggregate(**{c: tab[c].nunique() for c in cols})).iloc[0]
        cols = [c for c in cols if 2 <= int(n[c]) <= MAX_VALUES]
        if src == "events" and cols:  # the item's own properties, not the journey's
            cols = _constant_within(t.filter(t[col_item].notnull()), cols, [col_item], 0.95)
        for c in cols:
            vals = frozenset(map(str, to_frame(tab.select(c).distinct())[c].dropna()))
            taken = vals in seen or c in {a for a, _ in attrs}  # items.category restating
            if not taken:  # events.category_code, or an items column named like an event one
                seen.append(vals)
                attrs.append((c, src))
    if not attrs:
        return empty, "No per-item cart rate: no item attribute (category, brand) with 2 to " \
            f"{MAX_VALUES} values in the events or the items table"  # fmt: skip
    names = [view, cart, *([removal] if removal else [])]
    ev = t.filter(t[col_event].isin(names) & t[col_item].notnull())
    is_ = {k: ev[col_event] == v for k, v in (("v", view), ("c", cart), ("r", removal)) if v}
    own = [c for c, s in attrs if s == "events"]
    pairs = ev.group_by([*keys, col_item]).aggregate(
        _fv=ev[col_time].min(where=is_["v"]), _fc=ev[col_time].min(where=is_["c"]),
        _lc=ev[col_time].max(where=is_["c"]),
        _lr=ev[col_time].max(where=is_["r"]) if "r" in is_ else ibis.null(ev[col_time].type()),
        **{c: ev[c].min() for c in own},  # one value per item (checked above)
    )  # fmt: skip
    if items is not None and any(s == "items" for _, s in attrs):
        it = as_table(items, name="items")
        cols = [c for c, s in attrs if s == "items"]
        it = it.select(_i=it[col_item].cast(pairs[col_item].type()), **{c: it[c] for c in cols})
        it = it.group_by("_i").aggregate(**{c: it[c].min() for c in cols})
        pairs = pairs.left_join(it, pairs[col_item] == it._i).drop("_i")
    metrics = [m for m in METRICS if m != "remove_rate" or removal is not None]

    def compare(metric: str, left_out: list[tuple[str, str]]) -> pd.DataFrame:
        """Every attribute value's rate against the other items', the pairs of the values in
        ``left_out`` left out on both sides."""
        num, den, _ = METRICS[metric]
        kept = pairs
        for c, v in left_out:
            kept = kept.filter(kept[c].cast("string").fill_null(MISSING) != v)
        rows = [
            _clustered_rest(_value_users(kept, col, col_user), num, den, col_user).assign(
                attribute=col, source=src, metric=metric
            )
            for col, src in attrs
        ]
        r = pd.concat(rows, ignore_index=True)
        ok = (r["users"] >= MIN_USERS) & (r["rest_users"] >= MIN_USERS)
        return r[ok & r["rate"].notna() & r["rest_rate"].notna()].reset_index(drop=True)

    def judge(r: pd.DataFrame, tests: int) -> pd.DataFrame:
        z = float(norm.ppf(1 - alpha / (2 * tests)))
        se = np.sqrt(r["var"] + r["rest_var"])
        r = r.assign(difference=r["rate"] - r["rest_rate"])
        r["low"], r["high"] = r["difference"] - z * se, r["difference"] + z * se
        r["p_value"] = np.minimum(1.0, tests * 2 * norm.sf((r["difference"] / se).abs()))
        r["ratio"] = r["rate"] / r["rest_rate"].where(r["rest_rate"] > 0)
        r["_z"] = (r["difference"] / se).abs()
        return r.assign(significant=(r["low"] > 0) | (r["high"] < 0))

    first = {m: compare(m, []) for m in metrics}
    tests = max(sum(len(r) for r in first.values()), 1)
    tables = []
    for m in metrics:
        table, cur = judge(first[m], tests), judge(first[m], tests)
        named: list[pd.Series] = []
        while len(named) < MAX_NAMED:  # the most extreme value, then the rest without it
            far = np.maximum(cur["ratio"], 1 / cur["ratio"])
            done = cur.set_index(["attribute", "value"]).index.isin(
                [(b["attribute"], b["value"]) for b in named]
            )
            cand = cur[cur["significant"] & (far >= MIN_RATIO) & ~done]  # beyond noise, material
            if cand.empty:
                break
            best = cand.loc[cand["_z"].idxmax()]
            named.append(best)
            cur = judge(compare(m, [(str(b["attribute"]), str(b["value"])) for b in named]), tests)
        table["stands_out"] = False
        for b in named:
            at = (table["attribute"] == b["attribute"]) & (table["value"] == b["value"])
            cols = ["rest_rate", "difference", "low", "high", "p_value", "ratio"]
            table.loc[at, [*cols, "stands_out"]] = [*(b[c] for c in cols), True]
        tables.append(table)
    out = pd.concat(tables, ignore_index=True)
    out = out.sort_values(["metric", "attribute", "rate"], ascending=[True, True, False])
    return out[TABLE_COLUMNS].reset_index(drop=True), note


def item_rate_findings(
    table: pd.DataFrame, *, unit: str = "sessions", top: int = 3
) -> list[Finding]:
    """One finding per rate with the item attribute values that stand out (``stands_out``:
    significant after the table's Bonferroni correction and at least :data:`MIN_RATIO` times,
    or under 1 / :data:`MIN_RATIO` of, the other items' rate); the ``top`` furthest from the
    rest, by ratio."""
    out: list[Finding] = []
    if table.empty:
        return out
    tests = len(table)
    for metric, (_, _, what) in METRICS.items():
        t = table[(table["metric"] == metric) & table["stands_out"].astype(bool)]
        t = t.assign(_far=np.maximum(t["ratio"], 1 / t["ratio"]))
        t = t.sort_values("_far", ascending=False).head(top)
        if t.empty:
            continue
        w = what.format(unit=unit)
        parts = [
            f"{r.attribute}={r.value}: {r.rate:.0%} {w}, against {r.rest_rate:.0%} for other "
            f"items ({r.ratio:.1f}x; {100 * r.difference:+.1f} pp, 95% interval "
            f"{100 * r.low:+.1f} to {100 * r.high:+.1f} pp with users as independent units)"
            for r in t.itertuples()
        ]
        rate = "view -> cart" if metric == "cart_rate" else "remove-from-cart"
        text = (
            f"Items whose {rate} rate stands out: " + "; ".join(parts) + f" (counted per "
            f"{unit[:-1]} and item, corrected for {tests} comparisons)."
        )
        first = t.iloc[0]
        ev = {
            "metric": metric, "attribute": first["attribute"], "value": first["value"],
            "rate": float(first["rate"]), "rest_rate": float(first["rest_rate"]),
            "ratio": float(first["ratio"]), "ci": [float(first["low"]), float(first["high"])],
            "difference": float(first["difference"]), "comparisons": tests,
            "denominator": int(first["denominator"]), "users": int(first["users"]),
        }  # fmt: skip
        sev = "high" if max(first["_far"], 0) >= 1.8 else "medium"
        out.append(Finding(text, sev, ev, name=f"funnel_item_{metric}"))
    return out
