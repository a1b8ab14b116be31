"""Data-overview measures: what tables there are, their quality, activity over time.

Every function takes a :class:`~opsai.data.workspace.Workspace` and aggregates in its engine
(DuckDB by default), so only small frames come back to pandas.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import ibis
import pandas as pd

from opsai.data import schema as S
from opsai.data._load import TEXT_NA
from opsai.data._synonyms import NON_PRODUCTS
from opsai.data.promo import promo_flags
from opsai.data.tail import signups_end, thin_tail
from opsai.data.workspace import Workspace
from opsai.errors import NothingToAnalyse

MARKUP = r"<\s*/?\s*[A-Za-z][^>]*>"
"""A regular expression for an HTML/XML tag inside a text value."""
_TEXT_COLUMNS = {
    "items": (S.TITLE, S.DESCRIPTION),
    "tickets": (S.TEXT,),
    "kb": (S.ANSWER, S.QUESTION),
}


# ---- what there is ------------------------------------------------------------------------
def table_overview(ws: Workspace) -> pd.DataFrame:
    """One row per table: rows, columns, time column, first and last timestamp, days spanned."""
    s = ws.summary()
    start = pd.to_datetime(s["start"], errors="coerce")
    end = pd.to_datetime(s["end"], errors="coerce")
    s["days"] = ((end.dt.normalize() - start.dt.normalize()).dt.days + 1).astype("Int64")
    return s


def activity_span(overview: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last timestamp of the tables that record activity, or ``None`` when no table
    has a time column; ``overview`` is :func:`table_overview`'s (or a frame with its ``table``,
    ``start`` and ``end``). Sign-up dates count only when no other table has a time: customers
    who signed up years before the first order would stretch the span over years without data
    (a warehouse export read "1999-10-01 to 2001-02-28" for orders from 2000-11-01). A
    ``calendar`` table (coming event days) never counts."""
    if overview.empty or not {"start", "end"} <= set(overview.columns):
        return None
    timed = overview.dropna(subset=["start", "end"])
    if "table" in timed:  # a calendar's coming days are no activity
        timed = timed[timed["table"] != "calendar"]
    active = timed[timed["table"] != "users"] if "table" in timed else timed
    use = active if len(active) else timed
    start = pd.to_datetime(use["start"], errors="coerce").dropna()
    end = pd.to_datetime(use["end"], errors="coerce").dropna()
    if start.empty or end.empty:
        return None
    return start.min(), end.max()


def days_covered(overview: pd.DataFrame) -> int | None:
    """Calendar days of :func:`activity_span` (both ends counted), or ``None``."""
    span = activity_span(overview)
    if span is None:
        return None
    return (span[1].normalize() - span[0].normalize()).days + 1


def coverage(ws: Workspace) -> pd.DataFrame:
    """How much the tables cover each other: users with events/orders, items ordered/stocked."""
    rows: list[dict[str, Any]] = []

    def add(measure: str, n: int, of: int) -> None:
        rows.append({"measure": measure, "count": n, "of": of, "share": n / of if of else None})

    if ws.has("users"):
        users = ws.table("users")
        n_users = int(users.count().execute())
        for name in ("events", "orders", "tickets"):
            if ws.has(name) and S.USER_ID in ws.columns(name):
                t = ws.table(name)
                ids = t.select(S.USER_ID).distinct()
                n = int(users.semi_join(ids, S.USER_ID).count().execute())
                add(f"users with {name}", n, n_users)
    if ws.has("items"):
        items = ws.table("items")
        n_items = int(items.count().execute())
        for name in ("orders", "demand", "inventory"):
            if ws.has(name) and S.ITEM_ID in ws.columns(name):
                ids = ws.table(name).select(S.ITEM_ID).distinct()
                n = int(items.semi_join(ids, S.ITEM_ID).count().execute())
                add(f"items in {name}", n, n_items)
    for name in ("events", "orders", "demand", "tickets"):
        if ws.has(name) and ws.timed(name):
            t = ws.table(name)
            agg = (
                t.aggregate(
                    days=t[S.TIMESTAMP].date().nunique(),
                    first=t[S.TIMESTAMP].min(),
                    last=t[S.TIMESTAMP].max(),
                )
                .to_pandas()
                .iloc[0]
            )
            span = (
                pd.Timestamp(agg["last"]).normalize() - pd.Timestamp(agg["first"]).normalize()
            ).days + 1
            add(f"days with {name}", int(agg["days"]), int(span))
    return pd.DataFrame(rows, columns=["measure", "count", "of", "share"])


# ---- quality ------------------------------------------------------------------------------
SPARSE_SHARE = 0.9
SPARSE_LABELS = 50
"""A text attribute set on under 10% of rows with at most this many distinct values is sparse
by design (M5's event_name_1: 13 event names on 3% of days), not missing data (byod9a D6)."""


def kept_empty(where: str, column: str) -> bool:
    """Whether a ``where`` keeps only rows on which ``column`` is empty (``inbound AND
    in_response_to_tweet_id IS NULL``: a thread's opening tweet answers nothing)."""
    name = re.escape(column)
    return bool(re.search(rf'(?<![\w"])"?{name}"?\s+IS\s+NULL\b', where, re.IGNORECASE))


def missing_values(ws: Workspace) -> pd.DataFrame:
    """Per column with any: missing (null or blank text) count and share of the table's rows.

    ``empty`` marks a column missing in every row (it carries no data at all, often because a
    ``data.tables.<name>.where`` filter kept only rows without it); ``where`` is that table's
    filter, or empty; ``sparse`` marks a text attribute set on under 10% of rows that repeats
    a few labels (an event or holiday name: :data:`SPARSE_LABELS`). Partly missing columns
    come first, worst first, then the empty ones. A text cell holding a missing-value marker
    (:data:`~opsai.data._load.TEXT_NA`: Kaggle's ``NULL``) is missing too: ``markers`` counts
    them and ``marker`` is the commonest as written, for the ``na_values`` that reads it so.
    """
    rows = []
    absent = ws.absent  # a column the data lacks (orders without customers): said by validation
    for name in ws.present:
        t = ws.table(name)
        aggs: dict[str, Any] = {"__n": t.count()}
        contract = set(S.TABLES[name].names) if name in S.TABLES else set()
        texts = [c for c in t.columns if t[c].type().is_string()]
        for c in t.columns:
            miss = t[c].isnull()
            if c in texts:
                marked = t[c].strip().upper().isin(list(TEXT_NA))
                aggs[f"__m_{c}"] = ibis.ifelse(marked, 1, 0).sum()
                miss = miss | (t[c].strip() == "") | marked
                if c not in contract:  # an attribute: how many labels it repeats
                    aggs[f"__d_{c}"] = t[c].nunique()
            aggs[c] = miss.sum()
        res = t.aggregate(**aggs).to_pandas().iloc[0]
        n = int(res["__n"])
        where = ws.where(name)
        for c in t.columns:
            k = int(res[c] or 0)
            if k == n and kept_empty(where, c):
                continue  # where: "in_response_to_tweet_id IS NULL" keeps it empty on purpose
            if k and f"{name}.{c}" not in absent:
                share = k / n if n else 0.0
                labels = int(res.get(f"__d_{c}", 0) or 0)
                sparse = k < n and share >= SPARSE_SHARE and 0 < labels <= SPARSE_LABELS
                sparse |= name in ("demand", "calendar") and c == S.EVENT_DAY and k < n  # no event
                markers = int(res.get(f"__m_{c}", 0) or 0)
                sparse &= not markers  # 'NULL' written in most rows is missing, not sparse
                rows.append({"table": name, "column": c, "missing": k, "share": share,
                             "empty": k == n, "where": where, "sparse": sparse,
                             "markers": markers, "marker": _marker(t, c) if markers else ""})  # fmt: skip
    cols = ["table", "column", "missing", "share", "empty", "where", "sparse", "markers", "marker"]
    out = pd.DataFrame(rows, columns=cols).astype({"empty": bool, "sparse": bool})
    return out.sort_values(["empty", "share"], ascending=[True, False], ignore_index=True)


def _marker(t: Any, c: str) -> str:
    """The commonest missing-value marker of text column ``c`` as written (``NULL``)."""
    word = t[c].strip()
    marked = t.filter(word.upper().isin(list(TEXT_NA)))
    top = marked.group_by(v=marked[c].strip()).aggregate(n=marked.count())
    got = top.order_by([ibis.desc("n"), "v"]).limit(1).to_pandas()
    return str(got["v"].iloc[0]) if len(got) else ""


def duplicate_rows(ws: Workspace) -> pd.DataFrame:
    """Per table: rows that repeat another row in every column (the ``order_id`` the workspace
    gives order lines without one aside: each guest line's is its own)."""
    rows = []
    for name in ws.present:
        t = ws.table(name)
        if name == "orders" and _baskets_note(ws):
            t = t.drop(S.ORDER_ID)
        n = int(t.count().execute())
        d = n - int(t.distinct().count().execute())
        rows.append({"table": name, "rows": n, "duplicates": d, "share": d / n if n else 0.0})
    return pd.DataFrame(rows, columns=["table", "rows", "duplicates", "share"])


def validation_warnings(ws: Workspace) -> pd.DataFrame:
    """The workspace's validation warnings (orphan ids, refunds, dropped columns) as rows;
    ``major``: figures from the table are far off (most of its rows dropped)."""
    return pd.DataFrame(
        [
            {"table": w.table, "column": w.column, "count": w.count, "message": w.message,
             "major": w.major}
            for w in ws.warnings
        ],
        columns=["table", "column", "count", "message", "major"],
    )  # fmt: skip


def outliers(ws: Workspace, *, k: float = 3.0, common: float = 0.01) -> pd.DataFrame:
    """Numeric contract columns: values beyond ``k`` inter-quartile ranges from the quartiles.

    A value beyond the fences that at least ``common`` of the column's rows hold (and at least
    five) is a regular level, not an outlier (a 99.00 plan price beside 9.00 and 29.00 ones),
    and is not counted; ``max``/``min`` are the largest/smallest value counted (the column's
    when none is), ``below``/``above`` how many of them lie below the ``low`` fence and above
    the ``high`` one.

    Numeric attributes of users and properties of events (any other column, with over
    :data:`CODE_VALUES` distinct values: fewer are codes) are scanned too (KKBox's
    ``total_secs`` of +/-9.2e15, byod10a D9); a users' ``age`` counts the values outside
    :data:`AGE_RANGE` as ``impossible`` (860 ages of 0 and 32 of 1051 on 3,000 members are
    placeholders, not people, and too common for the fences), ``impossible_values`` the most
    frequent of them with their counts.
    """
    rows = []
    for name in ws.present:
        t = ws.table(name)
        cols = [
            c.name for c in S.TABLES[name].columns if c.dtype == "float" and c.name in t.columns
        ]
        if name == "demand" and ws.demand_in_money():  # its quantity is a copy of the amount
            cols = [c for c in cols if c != S.QUANTITY]
        if name in ("users", "events"):  # attributes and properties
            cols += _numeric_attributes(t, set(S.TABLES[name].names))
        for c in cols:
            if name == "users" and c.lower() == "age":
                rows.append(_ages(t, c) | {"table": name, "column": c})
                continue
            if name in _PER_ITEM and S.ITEM_ID in t.columns:  # a best seller is no outlier
                rows.append(_item_outliers(t, name, c, k=k, common=common))
                continue
            q = (
                t.aggregate(
                    q1=t[c].quantile(0.25),
                    q3=t[c].quantile(0.75),
                    max=t[c].max(),
                    min=t[c].min(),
                    rows=t[c].count(),
                )
                .to_pandas()
                .iloc[0]
            )
            if pd.isna(q["q1"]):
                continue
            iqr = float(q["q3"] - q["q1"])
            if iqr <= 0:  # a flag or a near-constant column: the rule means nothing there
                continue
            lo, hi = float(q["q1"]) - k * iqr, float(q["q3"]) + k * iqr
            if (
                lo < 0 <= float(q["min"])
            ):  # no negative value: a usual range from -233,700 reads as nonsense
                lo = 0.0
            out = t.filter((t[c] < lo) | (t[c] > hi))
            per_value = out.group_by(c).aggregate(n=out.count())
            rare = per_value.filter(per_value.n < max(5.0, common * float(q["rows"])))
            counted = (
                rare.aggregate(
                    n=rare.n.sum(),
                    below=rare.n.sum(where=rare[c] < lo),
                    top=rare[c].max(),
                    bottom=rare[c].min(),
                )
                .to_pandas()
                .iloc[0]
            )
            n = int(0 if pd.isna(counted["n"]) else counted["n"])
            below = int(0 if pd.isna(counted["below"]) else counted["below"])
            rows.append(
                {
                    "table": name,
                    "column": c,
                    "outliers": n,
                    "low": lo,
                    "high": hi,
                    "max": float(q["max"] if pd.isna(counted["top"]) else counted["top"]),
                    "below": below,
                    "above": n - below,
                    "min": float(q["min"] if pd.isna(counted["bottom"]) else counted["bottom"]),
                }
            )
    cols = ["table", "column", "outliers", "low", "high", "max", "below", "above", "min", "item",
            "items", "impossible", "impossible_values", "promo"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


CODE_VALUES = 20
"""A numeric attribute with this many distinct values or fewer is a code (city 1-22, a 0/1
flag), not a measure: no fences."""
AGE_RANGE = (10, 110)
"""Ages outside this range (years) are impossible: a placeholder (0) or a typing error."""


def _numeric_attributes(t: ibis.Table, contract: set[str]) -> list[str]:
    """The columns of ``t`` outside the contract that hold numbers (not flags or codes)."""
    cand = [c for c in t.columns if c not in contract and t[c].type().is_numeric()
            and not t[c].type().is_boolean()]  # fmt: skip
    if not cand:
        return []
    n = t.aggregate(**{c: t[c].nunique() for c in cand}).to_pandas().iloc[0]
    return [c for c in cand if int(n[c]) > CODE_VALUES or c.lower() == "age"]


def _ages(t: ibis.Table, c: str, top: int = 3) -> dict[str, Any]:
    """A users' age column: the values outside :data:`AGE_RANGE` (no fences: an age is
    impossible, not unusual), the ``top`` most frequent with their counts."""
    lo, hi = AGE_RANGE
    bad = t.filter((t[c] < lo) | (t[c] > hi))
    per = bad.group_by(c).aggregate(n=bad.count()).order_by([ibis.desc("n"), c]).to_pandas()
    whole = t.aggregate(max=t[c].max(), min=t[c].min()).to_pandas().iloc[0]
    n = int(per["n"].sum()) if len(per) else 0
    below = int(per.loc[per[c] < lo, "n"].sum()) if len(per) else 0
    return {"outliers": n, "low": float(lo), "high": float(hi), "max": float(whole["max"]),
            "below": below, "above": n - below, "min": float(whole["min"]), "item": None,
            "items": 0, "impossible": n,
            "impossible_values": {float(v): int(k) for v, k in
                                  zip(per[c].head(top), per["n"].head(top), strict=True)}}  # fmt: skip


_PER_ITEM = ("demand", "orders", "inventory")
"""Tables whose numeric columns are fenced per item: the best seller's every day lay above a
ceiling computed over all items together (pharma: 1,638 of N02BE's 2,106 days, byod10a D12)."""
MIN_ITEM_ROWS = 8
"""Rows an item needs for its own quartiles; items with fewer are not fenced."""


def _item_outliers(t: ibis.Table, name: str, c: str, *, k: float, common: float) -> dict:
    """:func:`outliers` of column ``c`` with fences per item (its own quartiles; per item and
    store with a ``store`` column, and apart on promotion days and other days with a
    ``promo`` column: the retail file's 237 'outliers' were all promotion days, byod12a D13),
    those with :data:`MIN_ITEM_ROWS` rows or more; ``low``/``high`` are then those of
    ``item``, the item with the most outliers (``items`` have any)."""
    v = t.filter(t[c].notnull() & t[S.ITEM_ID].notnull())
    store = v[S.STORE].cast("string").fill_null("") if S.STORE in t.columns else ibis.literal("")
    promo, apart = ibis.literal(0), S.PROMO in t.columns and c != S.PROMO
    if apart:  # a promotion day's uplift is no outlier either
        flag = promo_flags(v)[S.PROMO]
        promo = ibis.ifelse(flag.fill_null(0) != 0, 1, 0)
    v = v.select(S.ITEM_ID, c, _store=store, _promo=promo)  # a big store's days neither
    keys = [S.ITEM_ID, "_store", "_promo"]
    per = v.group_by(keys).aggregate(
        _q1=v[c].quantile(0.25), _q3=v[c].quantile(0.75), _min=v[c].min(), _rows=v.count()
    )
    per = per.filter((per._rows >= MIN_ITEM_ROWS) & (per._q3 > per._q1))
    j = v.inner_join(per, keys)
    iqr = j._q3 - j._q1
    lo = ibis.ifelse((j._q1 - k * iqr < 0) & (j._min >= 0), 0.0, j._q1 - k * iqr)
    j = j.mutate(_lo=lo, _hi=j._q3 + k * iqr)
    out = j.filter((j[c] < j._lo) | (j[c] > j._hi))
    per_value = out.group_by([*keys, c, "_lo", "_hi", "_rows"]).aggregate(n=out.count())
    rare = per_value.filter(per_value.n < ibis.greatest(5.0, common * per_value._rows))
    by_item = (
        rare.group_by([*keys, "_lo", "_hi"])
        .aggregate(
            n=rare.n.sum(),
            below=rare.n.sum(where=rare[c] < rare._lo),
            top=rare[c].max(),
            bottom=rare[c].min(),
        )
        .order_by([ibis.desc("n"), S.ITEM_ID])
        .to_pandas()
    )
    whole = t.aggregate(max=t[c].max(), min=t[c].min()).to_pandas().iloc[0]
    if by_item.empty:
        return {"table": name, "column": c, "outliers": 0, "low": float("nan"),
                "high": float("nan"), "max": float(whole["max"]), "below": 0, "above": 0,
                "min": float(whole["min"]), "item": None, "items": 0, "promo": apart}  # fmt: skip
    w = by_item.iloc[0]
    n, below = int(by_item["n"].sum()), int(by_item["below"].sum())
    return {"table": name, "column": c, "outliers": n, "low": float(w["_lo"]),
            "high": float(w["_hi"]), "max": float(by_item["top"].max()), "below": below,
            "above": n - below, "min": float(by_item["bottom"].min()), "item": str(w[S.ITEM_ID]),
            "items": int(by_item[S.ITEM_ID].nunique()), "promo": apart}  # fmt: skip


def markup_in_text(ws: Workspace, *, examples: int = 3) -> pd.DataFrame:
    """Text values holding HTML tags (they need cleaning before text models, and escaping)."""
    rows = []
    for name, cols in _TEXT_COLUMNS.items():
        if not ws.has(name):
            continue
        t = ws.table(name)
        for c in (c for c in cols if c in t.columns):
            hit = t.filter(t[c].re_search(MARKUP))
            n = int(hit.count().execute())
            if n:
                ex = hit.select(c).distinct().order_by(c).limit(examples).to_pandas()[c].tolist()
                rows.append({"table": name, "column": c, "values": n, "examples": ex})
    return pd.DataFrame(rows, columns=["table", "column", "values", "examples"])


def quality_issues(
    duplicates: pd.DataFrame, warnings: pd.DataFrame, outlier: pd.DataFrame, markup: pd.DataFrame
) -> pd.DataFrame:
    """One row per issue found by the checks above (empty when the data is clean)."""
    rows = [
        {
            "check": "duplicate rows",
            "table": r.table,
            "column": "",
            "count": r.duplicates,
            "detail": f"{r.share:.1%} of rows",
        }
        for r in duplicates.itertuples()
        if r.duplicates
    ]
    rows += [
        {
            "check": "validation warning",
            "table": r.table,
            "column": r.column or "",
            "count": r.count,
            "detail": r.message,
        }
        for r in warnings.itertuples()
    ]
    rows += [
        {
            "check": "outliers (3 IQR)",
            "table": r.table,
            "column": r.column,
            "count": r.outliers,
            "detail": (
                f"impossible ages (outside {AGE_RANGE[0]}..{AGE_RANGE[1]}): "
                + ", ".join(f"{k:,} of {v:g}" for v, k in dict(r.impossible_values).items())
                if (getattr(r, "impossible", 0) or 0) > 0
                else f"fenced per item, {int(r.items):,} item(s) with any; item {r.item}: usual range "
                f"{r.low:,.2f} .. {r.high:,.2f}, max {r.max:,.2f}"
                if isinstance(getattr(r, "item", None), str)
                else f"usual range {r.low:,.2f} .. {r.high:,.2f}, max {r.max:,.2f}"
            ),
        }
        for r in outlier.itertuples()
        if r.outliers
    ]
    rows += [
        {
            "check": "HTML markup in text",
            "table": r.table,
            "column": r.column,
            "count": r.values,
            "detail": f"e.g. {r.examples[0]!r}",
        }
        for r in markup.itertuples()
    ]
    return pd.DataFrame(rows, columns=["check", "table", "column", "count", "detail"])


# ---- activity -----------------------------------------------------------------------------
_MIDNIGHT = datetime.time(0, 0)


def daily_activity(ws: Workspace) -> pd.DataFrame:
    """Per day: active users (with any event or purchase), orders and revenue (orders), and
    ``guest_orders`` when some orders have no ``user_id`` (guest orders: counted in orders
    and revenue, but no active user).

    A buyer is active: active users are the distinct users with an event or a purchase that
    day, as in the behaviour chapter. Revenue is net of returns; a negative amount is a return
    (money back), so its line makes no order and no active user.

    A last day the data cover less than half of, with under half the activity of the week
    before it (an export taken at 00:00:41 ends on a day of 41 seconds), is left out, so it
    does not read as a day of almost no activity; ``attrs["partial_day"]`` then names it.
    Dates without a time of day are whole days.

    Without an ``orders`` table, orders and revenue are the ``purchase`` events read as orders
    (:func:`opsai.behavior.orders_from_events`, as chapter 03a reads them: each worth its
    value property); ``attrs["sales_from"]`` then says which events and ``attrs["sales_event"]``
    names the event (both absent with orders). Order lines without an order number count
    one order per customer and time (the workspace gives them an ``order_id``);
    ``attrs["orders_from"]`` then says so with the figures.

    With no events, orders or demand, a ``tickets`` table with times gives ``tickets`` opened
    per day (``attrs["tickets_from"]``; a call centre's log, byod11b D20).

    Without an ``orders`` table, a ``demand`` table (store x item sales per day) gives
    ``units`` sold per day, and ``revenue`` (units x ``price``) when it maps a price and no
    purchase events gave revenue; ``attrs["units_from"]`` then names the table.

    When the events' user ids are visits (:func:`~opsai.data.customers.visit_ids`: YOOCHOOSE's
    sessions), ``attrs["visits"]`` is ``"sessions"``: the active users are daily sessions.
    """
    from opsai.behavior.retention import activity_of
    from opsai.data.customers import visit_ids

    parts = []
    end: pd.Timestamp | None = None
    sales: dict[str, str] = {}
    if ws.timed("events") or ws.has("orders"):  # events without times: no activity
        a, _ = activity_of(
            ws.table("events") if ws.timed("events") else None,
            ws.table("orders") if ws.has("orders") else None,
        )
        parts.append(
            a.group_by(date=a[S.TIMESTAMP].date())
            .aggregate(active_users=a[S.USER_ID].nunique(), _rows=a.count())
            .to_pandas()
        )
        last = a.aggregate(
            end=a[S.TIMESTAMP].max(), timed=(a[S.TIMESTAMP].time() != _MIDNIGHT).any()
        )
        row = last.to_pandas().iloc[0]
        if bool(row["timed"]) and pd.notna(row["end"]):
            end = pd.Timestamp(row["end"])
        spans = _activity_spans(ws)
        if ws.timed("events") and visit_ids(ws.table("events")):  # ids that are sessions
            sales["visits"] = "sessions"
    if ws.has("orders"):
        o = ws.table("orders")
        daily = o.group_by(date=o[S.TIMESTAMP].date()).aggregate(revenue=o[S.AMOUNT].sum())
        daily = daily.to_pandas().merge(_orders_per_day(o), on="date", how="outer")
        baskets = _baskets_note(ws)  # item lines without an order number: per basket
        if baskets:
            sales["orders_from"] = baskets
        if not daily["guest_orders"].any():  # every order has a customer: no column
            daily = daily.drop(columns="guest_orders")
        parts.append(daily)
    elif ws.timed("events"):  # no orders: the purchase events, read as orders as chapter 03a does
        bought = _purchases_daily(ws)
        if bought is not None:
            parts.append(bought)
            sales = {k: str(bought.attrs[k]) for k in ("sales_from", "sales_event")}
    if not ws.has("orders") and ws.has("demand") and not _all_ahead(ws):  # store x item sales
        units = _demand_daily(ws, revenue="revenue" not in (parts[-1] if parts else ()))
        parts.append(units)
        sales["units_from"] = str(units.attrs["units_from"])
    if not parts and ws.timed("tickets"):  # support tickets only: their count is the activity
        t = ws.table("tickets")
        per = t.group_by(date=t[S.TIMESTAMP].date()).aggregate(tickets=t.count())
        parts.append(per.to_pandas().dropna(subset=["date"]))
        sales["tickets_from"] = "the tickets table (no events, orders or demand)"
    if not parts:
        out = pd.DataFrame(columns=["date", "active_users", "orders", "revenue"])
        if ws.has("events"):  # events without times (a timeless interaction matrix)
            out.attrs["why"] = ws.absent.get(f"events.{S.TIMESTAMP}", "")
        return out
    out = parts[0]
    for p in parts[1:]:
        out = out.merge(p, on="date", how="outer")
    out["date"] = pd.to_datetime(out["date"])
    full = pd.date_range(out["date"].min(), out["date"].max(), freq="D", name="date")
    out = out.set_index("date").reindex(full).fillna(0).reset_index()
    rows = out["_rows"].to_numpy() if "_rows" in out else None
    cols = ("active_users", "orders", "units", "revenue", "guest_orders", "tickets")
    out = out[["date", *[c for c in cols if c in out]]]
    out.attrs.update(sales)
    if periodic := _periods(ws):
        out.attrs["periods"] = periodic
    if ws.has("events") or ws.has("orders"):
        out.attrs["active_spans"] = spans
    ended = None if out.attrs.get("periods") else _signups_end(ws, out)
    if ended:  # activity after the last signup winds down as those cohorts age
        out.attrs["signups_end"] = ended
    early = end is not None and (end - end.normalize()) < pd.Timedelta(hours=12)
    if (
        early
        and end is not None
        and out["date"].iloc[-1] == end.normalize()
        and rows is not None
        and len(rows) > 7
        and rows[-1] < 0.5 * rows[-8:-1].mean()
    ):
        out = out.iloc[:-1].reset_index(drop=True)
        out.attrs["partial_day"] = f"{end:%Y-%m-%d} (the data end at {end:%H:%M:%S})"
    elif not out.attrs.get("periods") and (
        tail := thin_tail(out, signups_end=ended["date"] if ended else None)
    ):
        out = out.iloc[: -tail["days"]].reset_index(drop=True)
        out.attrs["thin_tail"] = tail
    return out


def _all_ahead(ws: Workspace) -> bool:
    """Whether every demand row lies after the data's as-of date (a booking calendar exported
    ahead, :func:`opsai.data.forward.as_of`): bookings on the books, which thin into the
    future, so their last 28 days against the 28 before would read as falling sales
    (byod13b D15); chapter 04 shows them as the book."""
    from opsai.data.forward import as_of

    at = as_of(ws, "demand")
    return at is not None and at.all_forward


def _signups_end(ws: Workspace, daily: pd.DataFrame) -> dict[str, Any] | None:
    """:func:`opsai.data.tail.signups_end` at the last day of ``daily``."""
    return None if daily.empty else signups_end(ws, daily["date"].iloc[-1])


def _periods(ws: Workspace) -> dict[str, Any] | None:
    """``{"freq": "W" | "M", "dates": [...]}`` when the sales rows (demand, else orders)
    are weekly or monthly totals, as chapter 04's FREQ "auto" reads them
    (:func:`~opsai.forecast.series.data_freq`), else ``None``. With an events table (single
    actions, never period totals) the days stay days."""
    from opsai.errors import OpsaiError
    from opsai.forecast.series import data_freq, source_dates

    if ws.has("events") or not (ws.has("demand") or ws.has("orders")):
        return None
    try:
        dates, _ = source_dates(ws)
    except OpsaiError:  # nothing to take sales from: no periods
        return None
    spacing = data_freq(dates)
    if not spacing:
        return None
    return {"freq": str(spacing["freq"]), "dates": [f"{d:%Y-%m-%d}" for d in dates]}


def _activity_spans(ws: Workspace) -> dict[str, tuple[str, str]]:
    """First and last day (YYYY-MM-DD) of each table active users are counted from (events,
    orders), those with a time; daily active users compare windows only over days they all
    cover (:func:`recent_change`)."""
    spans = {}
    for name in ("events", "orders"):
        if ws.has(name) and S.TIMESTAMP in ws.columns(name):
            t = ws.table(name)
            row = t.aggregate(a=t[S.TIMESTAMP].min(), b=t[S.TIMESTAMP].max()).to_pandas()
            a, b = row.iloc[0]["a"], row.iloc[0]["b"]
            if pd.notna(a) and pd.notna(b):
                spans[name] = (f"{pd.Timestamp(a):%Y-%m-%d}", f"{pd.Timestamp(b):%Y-%m-%d}")
    return spans


def _orders_per_day(o: ibis.Table) -> pd.DataFrame:
    """``orders`` and ``guest_orders`` (no customer) per ``date``, an order on the day of its
    first line, so that one whose lines fall on two dates counts once (byod9a D10); without
    an order_id each line (not a refund's) is an order."""
    buy = o.filter(o[S.AMOUNT] >= 0)
    if S.ORDER_ID not in o.columns:
        guest = ibis.ifelse(buy[S.USER_ID].isnull(), 1, 0)
        per = buy.group_by(date=buy[S.TIMESTAMP].date())
        return per.aggregate(orders=buy.count(), guest_orders=guest.sum()).to_pandas()
    first = buy.group_by(buy[S.ORDER_ID]).aggregate(
        date=buy[S.TIMESTAMP].min().date(), _guest=buy[S.USER_ID].max().isnull()
    )
    guest = ibis.ifelse(first["_guest"], 1, 0)
    per = first.group_by("date").aggregate(orders=first.count(), guest_orders=guest.sum())
    return per.to_pandas()


def _baskets_note(ws: Workspace) -> str | None:
    """The first sentence of the workspace's warning that order lines without an order number
    were read as one order per customer and time (with the figures), else ``None``."""
    from opsai.data._rows import NO_ORDER_NUMBER

    for w in ws.warnings:
        if (w.table, w.column) == ("orders", S.ORDER_ID) and w.message.startswith(NO_ORDER_NUMBER):
            return w.message.split(". ")[0]
    return None


def _purchases_daily(ws: Workspace, purchase: str = "purchase") -> pd.DataFrame | None:
    """Orders and revenue per day from the purchase events (``None`` without any; no revenue
    when they carry no value), with ``attrs["sales_from"]`` naming them ("1,013 'purchase'
    events, each worth its 'value'")."""
    from opsai.behavior.purchases import orders_from_events

    try:
        o, info = orders_from_events(ws.table("events"), purchase=purchase)
    except NothingToAnalyse:
        return None
    out = _orders_per_day(o).drop(columns="guest_orders")
    if info["value"]:
        money = o.group_by(date=o[S.TIMESTAMP].date()).aggregate(revenue=o[S.AMOUNT].sum())
        out = out.merge(money.to_pandas(), on="date", how="outer")
    worth = f", each worth its {info['value']!r}" if info["value"] else " (no value: no revenue)"
    if info.get("basket"):  # a user's purchase rows of one session are one order (byod11a D4)
        per = "session" if info["basket"] == "session" else "time"
        worth += f", read as {int(info['orders']):,} orders, one per user and {per}"
    out.attrs["sales_from"] = f"{int(info['rows']):,} {info['event']!r} events{worth}"
    out.attrs["sales_event"] = str(info["event"])
    return out


def store_summary(ws: Workspace, *, days: int = 28, end: Any = None) -> pd.DataFrame:
    """Units and revenue per store from the ``demand`` table, else the ``orders`` (the malls
    of an Istanbul mall export, byod13a D5), when it maps ``store``, with the
    last ``days`` (to the table's last day) against the ``days`` before; empty with no
    store column or one store. Astoria grew x1.67 from January to June while the other two
    stores grew x1.14 and x1.09, and no page said so (byod12a D3).

    Columns: ``store``, ``units`` (absent when demand is in money), ``revenue`` (absent
    without ``price`` or ``amount``), ``share`` (of revenue, else units), ``recent``
    (revenue, else units, in the last ``days``) and ``recent_change`` (against the ``days``
    before; NaN with too short a history), largest first. ``attrs``: ``measure``
    (``revenue`` or ``units``), ``end``, ``days``. ``end``: the last day read (the overview's
    activity end, a thinning tail or partial day left out as there), default the table's."""
    name = next((n for n in ("demand", "orders") if ws.has(n)), None)  # as chapter 04 reads
    if name is None or S.STORE not in ws.table(name).columns:
        return pd.DataFrame()
    if name == "demand" and _all_ahead(ws):  # a forward booking calendar: no sales history
        return pd.DataFrame()
    d = ws.table(name) if name == "orders" else ws.item_lines(name)  # postage is revenue too
    units = S.QUANTITY in d.columns and not (name == "demand" and ws.demand_in_money())
    agg: dict[str, Any] = {"units": d[S.QUANTITY].sum()} if units else {}
    if S.AMOUNT in d.columns:
        agg["revenue"] = d[S.AMOUNT].sum()
    elif S.PRICE in d.columns:
        agg["revenue"] = (d[S.QUANTITY] * d[S.PRICE]).sum()
    if not agg:
        return pd.DataFrame()
    store = d[S.STORE].cast("string").fill_null("(no store)")
    daily = d.group_by(store=store, date=d[S.TIMESTAMP].date()).aggregate(**agg).to_pandas()
    if daily["store"].nunique() < 2:
        return pd.DataFrame()
    daily["date"] = pd.to_datetime(daily["date"])
    if end is not None and pd.notna(end):
        daily = daily[daily["date"] <= pd.Timestamp(end)]
    measure = "revenue" if "revenue" in agg else "units"
    end = daily["date"].max()
    last = daily["date"] > end - pd.Timedelta(days=days)
    prev = (daily["date"] > end - pd.Timedelta(days=2 * days)) & ~last
    out = daily.groupby("store")[list(agg)].sum()
    out["share"] = out[measure] / out[measure].sum()
    out["recent"] = daily[last].groupby("store")[measure].sum().reindex(out.index, fill_value=0)
    before = daily[prev].groupby("store")[measure].sum().reindex(out.index)
    whole = daily["date"].min() <= end - pd.Timedelta(days=2 * days - 1)
    out["recent_change"] = (out["recent"] / before - 1).where(before > 0) if whole else float("nan")
    out = out.sort_values(measure, ascending=False).reset_index()
    out.attrs.update(measure=measure, end=f"{end:%Y-%m-%d}", days=days)
    return out


def _demand_daily(ws: Workspace, *, revenue: bool = True) -> pd.DataFrame:
    """Units sold per day from the ``demand`` table, with revenue (its ``amount``, else units x
    ``price``) when it maps one and ``revenue``; ``attrs["units_from"]`` says so (byod8 D21).
    Demand measured in money (an ``amount`` and no quantity: store turnover) gives revenue
    only, never "units" (byod9a D3)."""
    d = ws.item_lines("demand")  # postage, fees (non_items): no units
    money = ws.demand_in_money()
    agg: dict[str, Any] = {} if money else {"units": d[S.QUANTITY].sum()}
    amount = S.AMOUNT in d.columns
    priced = revenue and (amount or S.PRICE in d.columns)
    if priced:
        agg["revenue"] = d[S.AMOUNT].sum() if amount else (d[S.QUANTITY] * d[S.PRICE]).sum()
    by = d.group_by(date=d[S.TIMESTAMP].date())
    out = (by.aggregate(**agg) if agg else by.aggregate(_n=d.count()).drop("_n")).to_pandas()
    how = "amount" if amount else "units x price"
    out.attrs["units_from"] = (
        "the demand table's amount (sales value; the table has no units)"
        if money
        else "the demand table" + (f" (revenue: {how})" if priced else "")
    )
    return out


PARTIAL_SHARE = 0.5
"""A last week or month of weekly/monthly totals holding under this share of the periods
before it (their median) is read as one the export ended in (a partial period)."""
_PERIOD_UNIT = {"W": "week", "M": "month"}


def period_label(date: Any, freq: str) -> str:
    """``2019-09`` for a month, ``the week dated 2019-09-29`` for a week."""
    d = pd.Timestamp(date)
    return f"{d:%Y-%m}" if freq == "M" else f"the week dated {d:%Y-%m-%d}"


def _period_change(daily: pd.DataFrame) -> dict[str, Any]:
    """Weekly or monthly totals (``daily.attrs["periods"]``): the last complete period
    against the one before. A monthly export's last row is often the month so far (8 days of
    October read "474.2 units (-71.6%, last 28 days vs 28 before)" against a whole September,
    byod10a D16); a last period under :data:`PARTIAL_SHARE` of the usual is named in
    ``partial_period`` and left out. With the same period a year before in the data, each
    measure's change on it too (``{col}_yoy``, ``compared_year`` names the period)."""
    per = daily.attrs["periods"]
    freq, unit = per["freq"], _PERIOD_UNIT[per["freq"]]
    starts = pd.DatetimeIndex(pd.to_datetime(per["dates"]))
    cols = [c for c in ("orders", "units", "revenue", "guest_orders") if c in daily]
    daily = daily[daily["date"] >= starts[0]]
    at = starts[starts.searchsorted(daily["date"], side="right") - 1]
    totals = daily[cols].groupby(at).sum().reindex(starts, fill_value=0.0)
    out: dict[str, Any] = {"period_unit": unit, "days": None}
    main = next((c for c in ("revenue", "units", "orders") if c in totals), None)
    if main is None or len(totals) < 2:
        return out | {"enough_history": False}
    usual = float(totals[main].iloc[-4:-1].median())
    last = float(totals[main].iloc[-1])
    if usual > 0 and last < PARTIAL_SHARE * usual:
        out["partial_period"] = {
            "period": period_label(totals.index[-1], freq),
            main: last,
            "share": last / float(totals[main].iloc[-2]) if totals[main].iloc[-2] else None,
            "measure": main,
        }
        totals = totals.iloc[:-1]
    if len(totals) < 2:
        return out | {"enough_history": False}
    now, before = totals.iloc[-1], totals.iloc[-2]
    out |= {
        "enough_history": True,
        "end": period_label(totals.index[-1], freq),
        "period_before": period_label(totals.index[-2], freq),
        "compared": f"{period_label(totals.index[-1], freq)} vs "
        f"{period_label(totals.index[-2], freq)}, {unit}ly totals",
    }
    for col in cols:
        a, b = float(now[col]), float(before[col])
        out[col] = a
        out[f"{col}_change"] = (a - b) / b if b else None
    ago = totals.index[-1] - (pd.DateOffset(years=1) if freq == "M" else pd.Timedelta(days=364))
    near = abs(totals.index - ago)
    if near.min() <= pd.Timedelta(days=3):  # the same period a year before (byod13a D7)
        then = totals.iloc[int(near.argmin())]
        label = period_label(totals.index[int(near.argmin())], freq)
        out |= {"year_before": {"period": label}, "compared_year": f"{label}, a year before"}
        for col in cols:
            if col != "guest_orders":
                b = float(then[col])
                out[f"{col}_yoy"] = float(now[col]) / b - 1 if b else None
    return out


def recent_change(daily: pd.DataFrame, *, days: int = 28) -> dict[str, Any]:
    """The last ``days`` against the ``days`` before: means/sums and relative changes.

    Weekly or monthly totals (``daily.attrs["periods"]``, :func:`daily_activity`) compare
    the last complete period with the one before instead (``period_unit``, ``end`` and
    ``period_before`` name them, ``compared`` says both; ``partial_period`` names a last
    period left out), without daily active users (a day's count means nothing there).

    When the data cover the same days (or period) a year before, each measure's change on
    them too: ``{col}_yoy``, with ``compared_year`` saying which days (:func:`_year_before`)."""
    if daily.attrs.get("periods"):
        whole = _period_change(daily)
        for key in ("sales_from", "sales_event", "orders_from", "units_from"):
            if daily.attrs.get(key):
                whole[key] = daily.attrs[key]
        return whole
    if len(daily) < 2 * days:
        return {"days": days, "enough_history": False}
    last, prev = daily.iloc[-days:], daily.iloc[-2 * days : -days]
    out: dict[str, Any] = {
        "days": days,
        "enough_history": True,
        "end": daily["date"].iloc[-1].date().isoformat(),
    }
    if daily.attrs.get("partial_day"):  # left out by daily_activity
        out["partial_day"] = daily.attrs["partial_day"]
    if daily.attrs.get("thin_tail"):  # the export's thinning last days, left out too
        out["thin_tail"] = daily.attrs["thin_tail"]
    if daily.attrs.get("signups_end"):  # no signups since: the last cohorts ageing
        out["signups_end"] = daily.attrs["signups_end"]
    for key in ("sales_from", "sales_event", "orders_from", "units_from", "visits", "tickets_from"):
        if daily.attrs.get(key):
            out[key] = daily.attrs[key]
    for col, how in _MEASURES:
        if col in daily:
            a, b = float(getattr(last[col], how)()), float(getattr(prev[col], how)())
            out[col] = a
            out[f"{col}_change"] = (a - b) / b if b else None
    if "active_users" in daily:
        out |= _common_active(daily, days)
    return out | _year_before(daily, days, out)


_MEASURES = (
    ("active_users", "mean"),
    ("orders", "sum"),
    ("units", "sum"),
    ("revenue", "sum"),
    ("guest_orders", "sum"),
    ("tickets", "sum"),
)


def _year_before(daily: pd.DataFrame, days: int, now: dict[str, Any]) -> dict[str, Any]:
    """The last ``days`` against the same calendar days a year before, when the data cover
    them: a bike hire's December read "-15.0% on the 28 days before" (the season's slide)
    where the same 28 days of the year before had 15,862 rentals against 26,044, +64.2%
    (byod13a D7). ``year_before`` names the days, ``{col}_yoy`` each measure's change
    (not daily active users counted over the days every table covers, :func:`_common_active`:
    another window). Empty when the data start after that window does."""
    end = daily["date"].iloc[-1] - pd.DateOffset(years=1)
    start = end - pd.Timedelta(days=days - 1)
    if start < daily["date"].iloc[0]:
        return {}
    then = daily[(daily["date"] >= start) & (daily["date"] <= end)]
    out: dict[str, Any] = {
        "year_before": {"from": f"{start:%Y-%m-%d}", "to": f"{end:%Y-%m-%d}"},
        "compared_year": f"the same {days} days a year before, {start:%Y-%m-%d} to {end:%Y-%m-%d}",
    }
    for col, how in _MEASURES:
        if col not in daily or now.get(col) is None or col == "guest_orders":
            continue
        if col == "active_users" and now.get("active_users_end"):
            continue
        b = float(getattr(then[col], how)())
        out[f"{col}_yoy"] = now[col] / b - 1 if b else None
    return out


def _common_active(daily: pd.DataFrame, days: int) -> dict[str, Any]:
    """Daily active users over the last ``days`` every activity table covers against the
    ``days`` before, when the tables end (or start) apart: events ending a month before the
    orders left the last window with payers only (KKBox: 65.64 a day against 293.29, -77.6%,
    where payers alone went -1.9%; byod10a D8). ``active_users_end`` names the window's last
    day and ``active_ends`` each table's; ``active_users`` is ``None`` when the days they all
    cover are too few for two windows."""
    spans = daily.attrs.get("active_spans") or {}
    if len(spans) < 2:
        return {}
    first = max(pd.Timestamp(a) for a, _ in spans.values())
    final = min(pd.Timestamp(b) for _, b in spans.values())
    dates = daily["date"]
    if final >= dates.iloc[-1] and first <= dates.iloc[-2 * days]:
        return {}  # every table covers both windows
    out: dict[str, Any] = {"active_ends": {k: b for k, (_, b) in spans.items()}}
    common = daily[(dates >= first) & (dates <= final)]
    out["active_users_end"] = f"{final:%Y-%m-%d}"
    if len(common) < 2 * days:
        return out | {"active_users": None, "active_users_change": None}
    a = float(common["active_users"].iloc[-days:].mean())
    b = float(common["active_users"].iloc[-2 * days : -days].mean())
    return out | {"active_users": a, "active_users_change": (a - b) / b if b else None}


def top_items(ws: Workspace, *, n: int = 10) -> pd.DataFrame:
    """The ``n`` items with the most revenue (not the lines ``data.tables.orders.non_items``
    lists: postage, fees), with their title and share of all revenue (theirs included).
    Without orders, a demand table's best sellers (:func:`_top_demand_items`, with units)."""
    if not ws.has("orders") or S.ITEM_ID not in ws.columns("orders"):
        if ws.has("demand") and S.ITEM_ID in ws.columns("demand"):
            return _top_demand_items(ws, n=n)
        return pd.DataFrame(columns=["item_id", "title", "revenue", "share"])
    o = ws.table("orders")
    total = float(o[S.AMOUNT].sum().execute() or 0.0)  # all revenue, postage and fees included
    o = ws.item_lines("orders")  # their lines (non_items) are no item
    top = (
        o.group_by(S.ITEM_ID)
        .aggregate(revenue=o[S.AMOUNT].sum())
        .order_by(ibis.desc("revenue"))
        .limit(n)
    )
    df = top.to_pandas()
    if ws.has("items") and S.TITLE in ws.columns("items"):
        df = df.merge(ws.to_pandas("items", [S.ITEM_ID, S.TITLE]), on=S.ITEM_ID, how="left")
    else:
        df[S.TITLE] = None
    df["share"] = df["revenue"] / total if total else None
    return df[[S.ITEM_ID, S.TITLE, "revenue", "share"]]


def _top_demand_items(ws: Workspace, *, n: int) -> pd.DataFrame:
    """A sales series' best sellers (no orders): by revenue, units x price where the demand
    table has a price (rows without one add units only), else by units; ``share`` is of all
    revenue, or of all units."""
    d = ws.table("demand")
    cols = ws.columns("demand")
    agg: dict[str, Any] = {"units": d[S.QUANTITY].sum()}
    if S.PRICE in cols:
        agg["revenue"] = (d[S.QUANTITY] * d[S.PRICE]).sum()
    by = "revenue" if "revenue" in agg else "units"
    per = d.group_by(S.ITEM_ID).aggregate(**agg)
    total = float(per[by].sum().execute() or 0.0)
    df = per.order_by([ibis.desc(by), S.ITEM_ID]).limit(n).to_pandas()
    if ws.has("items") and S.TITLE in ws.columns("items"):
        df = df.merge(ws.to_pandas("items", [S.ITEM_ID, S.TITLE]), on=S.ITEM_ID, how="left")
    else:
        df[S.TITLE] = None
    if "revenue" not in df:
        df["revenue"] = None
    df["share"] = df[by] / total if total else None
    return df[[S.ITEM_ID, S.TITLE, "units", "revenue", "share"]]


# ---- when customers buy -------------------------------------------------------------------
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TIMED_SHARE = 0.5
"""Share of sales rows with a time of day other than midnight above which the data have
times of day (else they are dates, and the profile is per weekday only)."""


def weekly_profile(ws: Workspace) -> pd.DataFrame:
    """When sales happen: per weekday and hour of day (per weekday only when the times are
    dates), the orders and units sold (``orders`` when the orders table has them, its
    quantity as units; else the ``demand`` table's units, or its amount as ``revenue`` when
    it counts money) over the whole span, and ``days``, the dates of that weekday in it (a
    weekday that occurs 26 times against 25 is compared per day). Refunds (negative amounts)
    are left out. Empty without timed orders or demand, and for weekly or monthly totals
    (each dated on one weekday: no day of the week to read).

    ``attrs``: ``measure`` (the column read: units, else orders, else revenue), ``table``,
    ``timed`` (times of day), ``daily`` (the measure per date, every date of the span, 0
    where nothing sold: :func:`~opsai.overview.story.weekly_finding` tests weekends on it),
    ``ahead`` (the demand rows are all a forward book, :func:`_all_ahead`: bookings on the
    books by the weekday they fall on, not sales).
    """
    if ws.timed("orders"):
        name, t = "orders", ws.table("orders")
        t = t.filter(t[S.AMOUNT] >= 0)
    elif ws.timed("demand"):
        name, t = "demand", ws.item_lines("demand")
    else:
        return pd.DataFrame()
    if _periods(ws):  # Walmart's weekly sales, all dated Fridays
        return pd.DataFrame()
    t = t.filter(t[S.TIMESTAMP].notnull())
    agg: dict[str, Any] = {}
    if name == "orders":
        has_id = S.ORDER_ID in t.columns
        agg["orders"] = t[S.ORDER_ID].nunique() if has_id else t.count()
    if S.QUANTITY in t.columns and not (name == "demand" and ws.demand_in_money()):
        agg["units"] = t[S.QUANTITY].sum()
    elif name == "demand" and S.AMOUNT in t.columns:
        agg["revenue"] = t[S.AMOUNT].sum()
    if not agg:
        return pd.DataFrame()
    measure = next(m for m in ("units", "orders", "revenue") if m in agg)
    ts = t[S.TIMESTAMP]
    stats = t.aggregate(
        n=t.count(),
        timed=ibis.ifelse(ts.time() != _MIDNIGHT, 1, 0).sum(),
        first=ts.min(),
        last=ts.max(),
    ).to_pandas()
    row = stats.iloc[0]
    if not row["n"]:
        return pd.DataFrame()
    timed = int(row["timed"] or 0) > TIMED_SHARE * int(row["n"])
    keys = {"weekday": ts.day_of_week.index()} | ({"hour": ts.hour()} if timed else {})
    out = t.group_by(**keys).aggregate(**agg).to_pandas()
    dates = pd.date_range(
        pd.Timestamp(row["first"]).normalize(), pd.Timestamp(row["last"]).normalize()
    )
    days = pd.Series(dates.day_of_week).value_counts()
    out["weekday"] = out["weekday"].astype(int)
    out.insert(1, "day", out["weekday"].map(dict(enumerate(WEEKDAYS))))
    out["days"] = out["weekday"].map(days).fillna(0).astype(int)
    sort = ["weekday", "hour"] if timed else ["weekday"]
    out = out.sort_values(sort).reset_index(drop=True)
    if timed:
        out["hour"] = out["hour"].astype(int)
    per = t.group_by(date=ts.date()).aggregate(value=agg[measure]).to_pandas()
    per["date"] = pd.to_datetime(per["date"])
    daily = per.set_index("date")["value"].reindex(dates, fill_value=0).astype(float)
    ahead = name == "demand" and _all_ahead(ws)
    out.attrs.update(measure=measure, table=name, timed=timed, daily=daily, ahead=ahead)
    return out


# ---- returns ------------------------------------------------------------------------------
def _non_product(o: ibis.Table) -> Any:
    """Whether an order line's item is a code that is no product (UCI's ``M`` manual
    adjustment, ``B`` bad debt, ``POST`` postage: :data:`NON_PRODUCTS`); False without items."""
    if S.ITEM_ID not in o.columns:
        return ibis.literal(False)
    code = o[S.ITEM_ID].cast("string").strip().upper()
    return code.isin(list(NON_PRODUCTS)).fill_null(False)


def returns_summary(ws: Workspace) -> dict[str, Any]:
    """Gross sales, refunds (negative order lines: a ``returns`` table or the export's own)
    and net revenue over the whole window, and units sold and returned (not when no refund
    line carries a quantity: refunds of money alone leave the units unknown); empty without
    orders or without any negative line. Negative lines of codes that are no product
    (:data:`NON_PRODUCTS`: bad debt, manual adjustments, postage) are ``adjustments``, by
    code in ``adjusted``, not refunds or returned units; net revenue is after both."""
    if not ws.has("orders"):
        return {}
    o = ws.table("orders")
    other = _non_product(o) | ws.is_non_item("orders", o)  # and those the config lists
    neg = o[S.AMOUNT] < 0
    back = neg & ~other
    agg: dict[str, Any] = {
        "gross": o[S.AMOUNT].sum(where=~neg),
        "refunds": -o[S.AMOUNT].sum(where=back),
        "refund_lines": back.sum(),
        "adjustments": -o[S.AMOUNT].sum(where=neg & other),
        "adjustment_lines": (neg & other).sum(),
        "start": o[S.TIMESTAMP].min(),
        "end": o[S.TIMESTAMP].max(),
    }
    if S.QUANTITY in o.columns:
        q = o[S.QUANTITY]
        sold, returned = (q > 0) & ~other, (q < 0) & ~other
        agg |= {
            "units_sold": q.sum(where=sold),
            "units_returned": -q.sum(where=returned),
            "unit_refund_lines": (back & (q < 0)).sum(),
        }
    row = o.aggregate(**agg).to_pandas().iloc[0]
    if not row["refund_lines"] and not row["adjustment_lines"]:
        return {}
    out: dict[str, Any] = {
        k: 0.0 if pd.isna(row[k]) else float(row[k]) for k in agg if k not in ("start", "end")
    }
    out |= {"start": str(row["start"])[:10], "end": str(row["end"])[:10]}
    out["adjusted"] = {}
    if out["adjustment_lines"]:
        t = o.filter(neg & other)
        by = (
            t.group_by(code=t[S.ITEM_ID].cast("string").strip().upper())
            .aggregate(money=-t[S.AMOUNT].sum(), lines=t.count())
            .order_by([ibis.desc("money"), "code"])
            .to_pandas()
        )
        out["adjusted"] = {
            r.code: {"money": float(r.money), "lines": int(r.lines)} for r in by.itertuples()
        }
    out["net"] = out["gross"] - out["refunds"] - out["adjustments"]
    out["refund_share"] = out["refunds"] / out["gross"] if out["gross"] else None
    if out.get("units_sold") and (out.get("unit_refund_lines") or not out["refund_lines"]):
        out["unit_return_rate"] = out["units_returned"] / out["units_sold"]
    # refunds of money alone (a returns table without a quantity, byod13b D11): the units
    # returned are unknown, not 0, so no unit return rate is given
    return out


RATE_RATIO = 1.5
"""An item's return rate stands out only at this many times the overall rate or more..."""
RATE_POINTS = 0.05
"""...and this much (5 points) above it: a large sample makes a small difference significant."""


def return_rates(
    ws: Workspace, *, min_sold: int = 20, min_returned: int = 5, alpha: float = 0.05
) -> pd.DataFrame:
    """Per item: units sold and returned (order lines when there is no quantity), the return
    rate, and whether it stands out: a one-sided binomial test against the overall rate,
    Bonferroni-corrected over the items tested (those with ``min_sold`` sold and
    ``min_returned`` returned), below ``alpha``, and a rate at least :data:`RATE_RATIO` times
    the overall rate and :data:`RATE_POINTS` above it. Codes that are no product
    (:data:`NON_PRODUCTS`) are left out. Sorted by rate, highest first."""
    from scipy.stats import binom

    cols = ["item_id", "title", "sold", "returned", "rate", "p_value", "stands_out"]
    if not ws.has("orders") or S.ITEM_ID not in ws.columns("orders"):
        return pd.DataFrame(columns=cols)
    o = ws.item_lines("orders")
    o = o.filter(~_non_product(o))
    if S.QUANTITY not in o.columns:  # order lines without a quantity: one unit each
        o = o.mutate(**{S.QUANTITY: ibis.literal(1.0)})  # as a quantity column: float
    q = o[S.QUANTITY].abs()
    neg = o[S.AMOUNT] < 0
    per = o.group_by(S.ITEM_ID).aggregate(sold=q.sum(where=~neg), returned=q.sum(where=neg))
    df = per.to_pandas().fillna({"sold": 0, "returned": 0})
    if df.empty or not df["returned"].sum() or not df["sold"].sum():
        return pd.DataFrame(columns=cols)
    p0 = df["returned"].sum() / df["sold"].sum()
    sold = df["sold"].round().astype(int)
    returned = df["returned"].round().astype(int).clip(upper=sold)
    df["rate"] = df["returned"] / df["sold"].where(df["sold"] > 0)
    tested = (sold >= min_sold) & (returned >= min_returned)
    df["p_value"] = binom.sf(returned - 1, sold, p0)  # P(X >= returned)
    df.loc[~tested, "p_value"] = float("nan")
    large = (df["rate"] >= RATE_RATIO * p0) & (df["rate"] - p0 >= RATE_POINTS)
    df["stands_out"] = tested & (df["p_value"] * max(int(tested.sum()), 1) < alpha) & large
    if ws.has("items") and S.TITLE in ws.columns("items"):
        df = df.merge(ws.to_pandas("items", [S.ITEM_ID, S.TITLE]), on=S.ITEM_ID, how="left")
    else:
        df[S.TITLE] = None
    df = df.sort_values(["rate", S.ITEM_ID], ascending=[False, True], ignore_index=True)
    df.attrs["overall_rate"] = float(p0)
    df.attrs["tested"] = int(tested.sum())
    return df[cols]


SPIKE_REFUNDS = 10
"""Fewest refunds in an item's month for :func:`return_spikes` to test it."""
SPIKE_RATIO = 3.0
"""A month's refund rate must be at least this many times the item's rate in its other
months..."""
SPIKE_POINTS = 0.10
"""...and this much above it, besides the test."""


def return_spikes(
    ws: Workspace, *, min_refunds: int = SPIKE_REFUNDS, min_sold: int = 20, alpha: float = 0.05
) -> pd.DataFrame:
    """Per item and month: the months whose refunds stand out against the item's own other
    months (a product incident: a bad batch, a wrong listing; byod13b D12). Refund lines
    (negative order lines, dated at the refund when the returns table has a date) against
    the item's sold lines of that month; a one-sided binomial test of the month's refunds at
    the item's rate in its other months (floored at half a refund), Bonferroni over the
    item-months tested (``min_refunds`` refunds, ``min_sold`` lines sold), below ``alpha``,
    and a rate :data:`SPIKE_RATIO` times the other months' and :data:`SPIKE_POINTS` above
    it. ``excess`` is the refund money above what the other months' rate gives. Lines are
    counted, not units: a refund of money alone has no quantity. Largest excess first."""
    from scipy.stats import binom

    cols = ["item_id", "title", "month", "sold", "refunds", "refund_money", "rate",
            "rate_other", "excess", "p_value"]  # fmt: skip
    if not ws.has("orders") or S.ITEM_ID not in ws.columns("orders"):
        return pd.DataFrame(columns=cols)
    o = ws.item_lines("orders")
    o = o.filter(~_non_product(o))
    neg = o[S.AMOUNT] < 0
    per = o.group_by([S.ITEM_ID, o[S.TIMESTAMP].truncate("M").name("month")]).aggregate(
        sold=(~neg).sum(), refunds=neg.sum(), refund_money=-o[S.AMOUNT].sum(where=neg)
    )
    df = per.to_pandas().fillna({"refund_money": 0.0})
    if df.empty or not df["refunds"].sum():
        return pd.DataFrame(columns=cols)
    total = df.groupby(S.ITEM_ID)[["sold", "refunds"]].transform("sum")
    other_sold = (total["sold"] - df["sold"]).astype(float)
    other = (total["refunds"] - df["refunds"]) / other_sold.where(other_sold > 0)
    df["rate_other"] = other.clip(lower=0.5 / other_sold.where(other_sold > 0))
    df["rate"] = df["refunds"] / df["sold"].where(df["sold"] > 0)
    tested = (
        (df["refunds"] >= min_refunds)
        & (df["sold"] >= min_sold)
        & (other_sold >= min_sold)
        & df["rate_other"].notna()
    )
    n = df["sold"].astype(int)
    k = df["refunds"].astype(int).clip(upper=n)
    df["p_value"] = binom.sf(k - 1, n, df["rate_other"].fillna(1.0).clip(upper=1.0))
    large = (df["rate"] >= SPIKE_RATIO * df["rate_other"]) & (
        df["rate"] - df["rate_other"] >= SPIKE_POINTS
    )
    keep = tested & (df["p_value"] * max(int(tested.sum()), 1) < alpha) & large
    df = df[keep].copy()
    expected = df["rate_other"] * df["sold"]
    df["excess"] = (df["refunds"] - expected).clip(lower=0) * df["refund_money"] / df["refunds"]
    df["month"] = pd.to_datetime(df["month"]).dt.strftime("%Y-%m")
    if ws.has("items") and S.TITLE in ws.columns("items"):
        df = df.merge(ws.to_pandas("items", [S.ITEM_ID, S.TITLE]), on=S.ITEM_ID, how="left")
    else:
        df[S.TITLE] = None
    df = df.sort_values(["excess", S.ITEM_ID], ascending=[False, True], ignore_index=True)
    df.attrs["tested"] = int(tested.sum())
    return df[cols]
