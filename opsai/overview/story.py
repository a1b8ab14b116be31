"""Data-overview charts (plotly, fixed sizes) and plain-language findings."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsai.data._check_staff import STAFF_ROWS
from opsai.data._checks import CASE_IDS, PARTIAL_USERS, SESSION_IDS
from opsai.data.schema import TABLES, TOOL_SENTIMENT
from opsai.overview.measures import RATE_POINTS, RATE_RATIO, activity_span, days_covered
from opsai.report.finding import Finding
from opsai.report.wording import money

WIDTH = 760
"""Figure width in pixels: fits an A4 page printed by Chromium."""


def _pct(x: float) -> str:
    return f"{x:.1%}"


# ---- figures ------------------------------------------------------------------------------
def rows_figure(overview: pd.DataFrame) -> Any:
    """Rows per table (log scale)."""
    import plotly.express as px

    fig = px.bar(
        overview,
        x="rows",
        y="table",
        orientation="h",
        log_x=True,
        text="rows",
        width=WIDTH,
        height=120 + 28 * len(overview),
        title="Rows per table",
    )
    fig.update_layout(yaxis={"categoryorder": "total ascending"}, margin={"l": 90, "r": 30})
    return fig


def missing_figure(missing: pd.DataFrame, *, top: int = 15) -> Any:
    """Share of missing values of the worst ``top`` columns."""
    import plotly.express as px

    d = missing.head(top).assign(column=lambda x: x["table"] + "." + x["column"])
    fig = px.bar(
        d,
        x="share",
        y="column",
        orientation="h",
        width=WIDTH,
        height=140 + 26 * max(len(d), 1),
        title="Missing values (share of rows)",
    )
    fig.update_layout(
        xaxis_tickformat=".0%",
        yaxis={"categoryorder": "total ascending"},
        margin={"l": 160, "r": 30},
    )
    return fig


def _all_guests(daily: pd.DataFrame) -> bool:
    """Whether every order is a guest order and no day has an active user: a till without
    customer ids, whose "active users" are unknown, not zero."""
    need = {"active_users", "orders", "guest_orders"}
    if not need <= set(daily.columns) or not daily["orders"].sum():
        return False
    return bool(
        (daily["guest_orders"] >= daily["orders"]).all() and not daily["active_users"].any()
    )


def activity_figure(daily: pd.DataFrame, *, window: int = 7) -> Any:
    """Daily active users, orders, units (a demand table) and revenue, each with its
    ``window``-day mean."""
    from plotly.subplots import make_subplots

    cols = [c for c in ("active_users", "orders", "units", "revenue", "tickets") if c in daily]
    if _all_guests(daily):  # no customer ids: no line of zero users (byod12a D2)
        cols.remove("active_users")
    fig = make_subplots(
        rows=max(len(cols), 1),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=[c.replace("_", " ").capitalize() for c in cols],
    )
    for i, c in enumerate(cols, start=1):
        fig.add_scatter(
            x=daily["date"],
            y=daily[c],
            row=i,
            col=1,
            mode="lines",
            name=c,
            line={"width": 1, "color": "#b0bccb"},
            showlegend=False,
        )
        fig.add_scatter(
            x=daily["date"],
            y=daily[c].rolling(window, min_periods=1).mean(),
            row=i,
            col=1,
            mode="lines",
            name=f"{c} ({window}-day mean)",
            line={"width": 2, "color": "#1f5fbf"},
            showlegend=False,
        )
    fig.update_layout(
        width=WIDTH,
        height=170 + 190 * len(cols),
        margin={"t": 60, "r": 30},
        title=f"Activity per day (blue: {window}-day mean)",
    )
    return fig


# ---- findings -----------------------------------------------------------------------------
def coverage_finding(overview: pd.DataFrame, cover: pd.DataFrame) -> Finding:
    """What the data covers, in one sentence."""
    span = activity_span(overview)
    largest = overview.sort_values("rows", ascending=False).iloc[0] if len(overview) else None
    parts = [f"The data has {len(overview)} table(s) ({', '.join(overview['table'])})"]
    ev: dict[str, Any] = {"tables": len(overview)}
    if span is not None:
        start, end = span
        days = days_covered(overview)
        parts.append(f"spanning {start:%Y-%m-%d} to {end:%Y-%m-%d} ({days} days)")
        ev |= {"start": start.isoformat(), "end": end.isoformat(), "days": days}
    text = ", ".join(parts) + "."
    if largest is not None:
        text += f" The largest is {largest['table']} with {int(largest['rows']):,} rows."
        ev["largest_rows"] = int(largest["rows"])
    buyers = cover[cover["measure"] == "users with orders"]
    if len(buyers):
        share = float(buyers["share"].iloc[0])
        text += f" {_pct(share)} of users placed at least one order."
        ev["buyer_share"] = share
    return Finding(text, "info", ev)


ENDS_APART = 2
"""Activity tables whose last days lie this many days apart or more are named."""


def table_ends_finding(overview: pd.DataFrame) -> Finding | None:
    """The activity tables (events, orders, demand, tickets) ending on different days, or
    ``None``: events ending a month before the orders leave the last weeks with purchases
    only, and a "last 28 days" over them reads as a collapse (byod10a D8)."""
    if overview.empty or not {"table", "end"} <= set(overview.columns):
        return None
    act = overview[overview["table"].isin(["events", "orders", "demand", "tickets"])]
    ends = pd.to_datetime(act.set_index("table")["end"], errors="coerce").dropna()
    ends = ends.dt.normalize().sort_values()
    if len(ends) < 2 or (ends.iloc[-1] - ends.iloc[0]).days < ENDS_APART:
        return None
    last, latest = ends.iloc[-1], ends.index[-1]
    early = ends[ends < last]
    named = ", ".join(
        f"{t} end {e:%Y-%m-%d}, {(last - e).days} days before {latest} ({last:%Y-%m-%d})"
        for t, e in early.items()
    )
    after = ", ".join(sorted(set(ends.index) - {ends.index[0]}))
    text = (
        f"The tables end on different days: {named}. Activity after {ends.iloc[0]:%Y-%m-%d} "
        f"counts {after} only, so daily active users are compared over the days every "
        "activity table covers; export the tables up to the same day to compare the latest ones."
    )
    evidence = {"ends": {t: f"{e:%Y-%m-%d}" for t, e in ends.items()},
                "days_apart": int((last - ends.iloc[0]).days)}  # fmt: skip
    return Finding(text, "medium", evidence)


def _missing_finding(missing: pd.DataFrame) -> Finding:
    """The worst partly missing column; columns empty in every row are named apart, not ranked."""
    guest = pd.Series(
        [_guest_column(t, c) for t, c in zip(missing["table"], missing["column"], strict=True)],
        index=missing.index,
        dtype=bool,
    )
    guests, missing = missing[guest], missing[~guest]
    sparse_flag = (
        missing["sparse"] if "sparse" in missing else pd.Series(False, index=missing.index)
    )
    sparse, missing = missing[sparse_flag.astype(bool)], missing[~sparse_flag.astype(bool)]
    empty = missing["empty"] if "empty" in missing else pd.Series(False, index=missing.index)
    part, whole = missing[~empty], missing[empty]
    ev: dict[str, Any] = {"columns": len(part)}
    text = "No column is partly missing." if len(part) or not len(guests) else ""
    if len(part):
        w = part.iloc[0]
        ev |= {"worst": f"{w['table']}.{w['column']}", "share": float(w["share"])}
        text = (
            f"{len(part)} column(s) have missing values; the worst is {w['table']}.{w['column']} "
            f"with {int(w['missing']):,} missing ({_pct(w['share'])} of rows)."
        )
    text += _markers_sentence(missing, ev)
    if len(whole):
        ev["empty_columns"] = [
            f"{t}.{c}" for t, c in zip(whole["table"], whole["column"], strict=True)
        ]
        parts, filters = [], []
        for table, g in whole.groupby("table", sort=False):
            names = ", ".join(f"{table}.{c}" for c in g["column"])
            n, where = int(g["missing"].iloc[0]), str(g["where"].iloc[0] or "")
            if where:
                filters.append(f"data.tables.{table}.where")
                parts.append(f"{names} (all {n:,} rows kept by data.tables.{table}.where: {where})")
            else:
                parts.append(f"{names} (all {n:,} rows)")
        fix = f"check {' and '.join(filters)}, or map" if filters else "map"
        text += (
            f" {len(whole)} column(s) are empty in every row, so no chapter has a value to read "
            f"in them: {'; '.join(parts)}. If they should hold data, {fix} a source column "
            "that has it."
        )
    if len(sparse):  # event or holiday names: set on the few days they apply (byod9a D6)
        labels = [f"{t}.{c}" for t, c in zip(sparse["table"], sparse["column"], strict=True)]
        ev["sparse_columns"] = labels
        text += (
            f" {', '.join(labels)} {'is' if len(labels) == 1 else 'are'} set on "
            f"at most {_pct(1 - float(sparse['share'].min()))} of rows, repeating a few labels: "
            "sparse by design (event days, holidays, flags), not missing data."
        )
    for g in guests.itertuples():  # empty on purpose: guest orders, not a defect
        ev[f"guest_{g.table}"] = {"rows": int(g.missing), "share": float(g.share)}
        text += (
            f" {g.table}.{g.column} is empty in {int(g.missing):,} row(s) "
            f"({_pct(float(g.share))}): guest orders (walk-ins, guest checkout), counted in "
            "revenue, orders and demand, and left out of the per-customer analyses."
        )
    sev = "low" if len(part) or len(whole) else "info"  # sparse labels, guests: by design
    return Finding(text.strip(), sev, ev)  # required columns cannot be empty (validation)


def _markers_sentence(missing: pd.DataFrame, ev: dict[str, Any]) -> str:
    """The text columns whose missing cells are written as a marker (Kaggle's ``NULL``), and
    the ``na_values`` that reads them as missing (byod12a D21: hotel_bookings' ``country``)."""
    if "markers" not in missing:
        return ""
    marked = missing[missing["markers"].fillna(0).astype(int) > 0]
    if not len(marked):
        return ""
    ev["markers"] = {
        f"{r.table}.{r.column}": {"marker": r.marker, "rows": int(r.markers)}
        for r in marked.itertuples()
    }
    named = "; ".join(
        f"{r.table}.{r.column} {r.marker!r} in {int(r.markers):,} row(s)"
        for r in marked.itertuples()
    )
    fixes = ", ".join(
        f"data.tables.{t}.na_values: [{', '.join(repr(m) for m in sorted(set(g['marker'])))}]"
        for t, g in marked.groupby("table", sort=False)
    )
    return (
        f" Missing cells written as a marker are counted as missing here, but the chapters "
        f"read the marker as a value (a group of its own): {named}; {fixes} reads them as "
        "missing."
    )


def _guest_column(table: str, column: str) -> bool:
    """A contract column whose empty values mean a guest (``orders.user_id``)."""
    t = TABLES.get(table)
    return t is not None and t.has(column) and t.column(column).may_be_empty


def quality_findings(
    missing: pd.DataFrame,
    duplicates: pd.DataFrame,
    warnings: pd.DataFrame,
    outlier: pd.DataFrame,
    markup: pd.DataFrame,
) -> list[tuple[str, Finding]]:
    """Named findings about missing values, duplicates, orphan ids, outliers and markup."""
    out: list[tuple[str, Finding]] = []
    if len(missing):
        out.append(("missing_values", _missing_finding(missing)))
    else:
        out.append(
            ("missing_values", Finding("No column has missing values.", "info", {"columns": 0}))
        )
    dup = duplicates[duplicates["duplicates"] > 0]
    if len(dup):
        w = dup.sort_values("duplicates", ascending=False).iloc[0]
        out.append(
            (
                "duplicates",
                Finding(
                    f"{int(dup['duplicates'].sum()):,} row(s) repeat another row exactly; most in {w['table']} "
                    f"({int(w['duplicates']):,}, {_pct(w['share'])}). Identical rows can be "
                    "real (the same item bought twice in one order within a minute, on an export "
                    "without line numbers); check a few. Only if the export was loaded twice "
                    f"(whole blocks repeat), set data.tables.{w['table']}.drop_duplicates: true "
                    "to drop them when the data is read.",
                    "medium" if w["share"] > 0.01 else "low",
                    {"rows": int(dup["duplicates"].sum()), "table": w["table"]},
                ),
            )
        )
    if "message" not in warnings:  # no warnings at all
        warnings = pd.DataFrame(columns=["table", "column", "count", "message", "major"])
    major = warnings[warnings["major"].astype(bool)] if "major" in warnings else warnings[:0]
    visits = major["message"].astype(str).str.startswith(SESSION_IDS)
    for name, rows in (("rows_dropped", major[~visits]), ("session_ids", major[visits])):
        if len(rows):  # session ids drop no row (byod10a D20): a finding of their own
            out.append(
                (
                    name,
                    Finding(
                        " ".join(f"{r.table}: {r.message}." for r in rows.itertuples()),
                        "high",
                        {"tables": rows["table"].tolist(), "rows": int(rows["count"].sum())},
                    ),
                )
            )
    orphans = (
        warnings[warnings["message"].str.contains("not in", na=False)]
        if len(warnings)
        else warnings
    )
    partial = orphans["message"].astype(str).str.contains(PARTIAL_USERS, regex=False)
    for r in orphans[partial].itertuples():  # a demographics file for some customers
        said = str(r.message).split(" (", 1)[-1].split(": ", 1)[0]
        out.append(
            (
                "partial_users",
                Finding(
                    f"{said} ({r.table}.{r.column}), so they have no attributes: the users "
                    f"table covers some customers only (nearly all its ids are in {r.table}), "
                    "as a panel's demographics file does.",
                    "low",
                    {"table": r.table, "ids": int(r.count)},
                ),
            )
        )
    orphans = orphans[~partial]
    if len(orphans):
        desc = "; ".join(f"{r.table}.{r.column}: {r.count:,}" for r in orphans.itertuples())
        out.append(
            (
                "orphan_ids",
                Finding(
                    f"Some ids point at nothing: distinct ids missing from their reference table ({desc}).",
                    "medium",
                    {"warnings": len(orphans), "ids": int(orphans["count"].sum())},
                ),
            )
        )
    ages = (
        outlier[outlier["impossible"].fillna(0) > 0]
        if len(outlier) and "impossible" in outlier
        else outlier[:0]
    )
    for r in ages.itertuples():
        out.append(("impossible_ages", _ages_finding(r)))
    flagged = outlier[outlier["outliers"] > 0] if len(outlier) else outlier
    flagged = flagged.drop(index=ages.index)
    if len(flagged):
        w = flagged.sort_values("outliers", ascending=False).iloc[0]
        out.append(
            (
                "outliers",
                Finding(
                    f"{int(flagged['outliers'].sum()):,} value(s) lie far outside the usual range (3 IQR); most "
                    f"in {w['table']}.{w['column']} ({_outlier_sides(w)}).",
                    "low",
                    {
                        "values": int(flagged["outliers"].sum()),
                        "column": f"{w['table']}.{w['column']}",
                    },
                ),
            )
        )
    if len(markup):
        ex = markup.iloc[0]["examples"][0]
        where = ", ".join(f"{r.table}.{r.column} ({r.values})" for r in markup.itertuples())
        out.append(
            (
                "markup",
                Finding(
                    f"{int(markup['values'].sum())} text value(s) contain HTML tags ({where}), e.g. {ex!r}: "
                    "the customer-service chapter reads ticket texts as plain text (tags, "
                    "entities and mail signatures removed); other uses must strip them too and "
                    "never show them unescaped.",
                    "low",
                    {"values": int(markup["values"].sum()), "example": ex},
                ),
            )
        )
    cased = (
        warnings[warnings["message"].str.startswith(CASE_IDS, na=False)]
        if len(warnings)
        else warnings
    )
    if len(cased):  # 'Beyoncé' and 'beyoncé': two items (byod10a D14)
        r = cased.iloc[0]
        text = str(r["message"]).split(": ", 1)[-1]
        out.append(
            (
                "case_ids",
                Finding(
                    "Some item ids differ from another only in letter case or Unicode form "
                    f"({r['table']}.item_id): {text}.",
                    "low",
                    {"ids": int(r["count"]), "table": r["table"]},
                ),
            )
        )
    out += _staff_findings(warnings)
    tool = (
        warnings[warnings["message"] == TOOL_SENTIMENT] if len(warnings) else warnings
    )  # a listening export's Sentiment: the tool's, no customer's rating
    if len(tool):
        out.append(
            (
                "tool_sentiment",
                Finding(
                    f"{int(tool['count'].iloc[0]):,} tickets carry a sentiment from the listening "
                    "tool (sentiment_by: tool), computed from their text, not given by the "
                    "customers: the customer-service chapter and the scorecard call it the "
                    "listening tool's sentiment and compare it with opsai's own model.",
                    "info",
                    {"tickets": int(tool["count"].iloc[0])},
                ),
            )
        )
    return out


def _staff_findings(warnings: pd.DataFrame) -> list[tuple[str, Finding]]:
    """The tickets' staff messages read as tickets (byod10b D23), as the finding ``staff_rows``."""
    said = (
        warnings[warnings["message"].str.startswith(STAFF_ROWS, na=False)]
        if len(warnings)
        else warnings
    )
    if not len(said):
        return []
    r = said.iloc[0]
    text = str(r["message"])[len(STAFF_ROWS) :].strip()
    return [
        (
            "staff_rows",
            Finding(
                f"The tickets may hold the staff's own messages: {text[:1].lower()}{text[1:]}",
                "medium",
                {"rows": int(r["count"]), "column": r["column"]},
            ),
        )
    ]


def activity_finding(change: dict[str, Any], *, currency: str = "") -> Finding:
    """Recent activity against the period before; high severity on a revenue drop over 20%.

    Revenue is written with ``currency``, the config's code ("" writes the bare number).
    Without an orders table, orders and revenue come from purchase events
    (``change["sales_from"]``, see :func:`~opsai.overview.measures.daily_activity`) and the
    finding says so; so it does when order lines without an order number were read as one
    order per customer and time (``change["orders_from"]``); units sold come from a
    demand table (``change["units_from"]``).

    With the same days a year before in the data (``change["compared_year"]``), their change
    is said too, and the severity reads it, not the change on the days just before: a bike
    hire's December, -15.0% on November's end but +64.2% on the December before, is no
    slump (byod13a D7).
    """
    if change.get("period_unit"):  # weekly or monthly totals: whole periods
        return _period_finding(change, currency)
    if not change.get("enough_history"):
        return Finding(
            f"Less than {2 * change['days']} days of activity: no trend is reported.",
            "info",
            change,
        )
    d = change["days"]
    dau = "daily sessions" if change.get("visits") else "daily active users"  # ids: visits
    bits = []
    if "revenue" in change:
        rc = change.get("revenue_change")
        bits.append(
            f"revenue was {money(change['revenue'], currency)}"
            + (f" ({rc:+.1%} on the {d} days before)" if rc is not None else "")
        )
    if "orders" in change:
        bits.append(f"{change['orders']:,.0f} orders")
    if "units" in change:  # no orders table: the demand table's units
        uc = change.get("units_change")
        said = "revenue" in change and change.get("revenue_change") is not None
        bits.append(
            f"{_amount(change['units'])} units were sold"
            + (f" ({uc:+.1%} on the {d} days before)" if uc is not None and not said else "")
        )
    if "tickets" in change:  # no events, orders or demand: the tickets opened
        tc = change.get("tickets_change")
        bits.append(
            f"{change['tickets']:,.0f} support tickets were opened"
            + (f" ({tc:+.1%} on the {d} days before)" if tc is not None else "")
        )
    every = bool(change.get("orders")) and change.get("guest_orders") == change.get("orders")
    if "active_users" in change and every and not change["active_users"]:  # no ids, no events
        bits.append("every one a guest order (no customer ids, so no daily active users)")
    elif change.get("active_users_end") and change.get("active_users") is None:
        bits.append(
            f"no {dau} compared (the activity tables cover the same days only "
            f"to {change['active_users_end']}, too few for two {d}-day windows)"
        )
    elif change.get("active_users_end"):  # the tables end apart: the days they all cover
        ac = change.get("active_users_change")
        bits.append(
            f"{change['active_users']:,.0f} {dau} on average over the {d} days "
            f"to {change['active_users_end']}, the last day every activity table covers"
            + (f" ({ac:+.1%} on the {d} days before)" if ac is not None else "")
        )
    elif "active_users" in change:
        ac = change.get("active_users_change")
        said = "revenue" in change and change.get("revenue_change") is not None
        guests = change.get("guest_orders") or 0
        known = (
            f" (customers with an id only: {guests:,.0f} of the {change['orders']:,.0f} orders, "
            f"{_pct(guests / change['orders'])}, are guest orders without one)"
            if guests and change.get("orders")
            else ""
        )
        bits.append(
            f"{change['active_users']:,.0f} {dau} on average{known}"
            + (f" ({ac:+.1%} on the {d} days before)" if ac is not None and not said else "")
        )
    main = next((k for k in ("revenue", "active_users", "units") if change.get(f"{k}_change")), "")
    rc = change.get(f"{main}_change") or 0.0
    year = _year_sentence(change, {"active_users": dau})
    if change.get(f"{main}_yoy") is not None:  # the season left out: judged on the year before
        if (change[f"{main}_yoy"] > 0) != (rc > 0):
            year += (
                f" The change on the {d} days before goes the other way: it can be the "
                "season's, which the same days a year before leave out."
            )
        rc = change[f"{main}_yoy"]
    sev = "high" if rc < -0.2 else "medium" if rc < -0.1 else "info"
    ended = change.get("signups_end") if rc < 0 else None
    if ended:  # no one joined since: the fall is the last cohorts ageing
        sev = "info"
    partial = change.get("partial_day")
    after = year + (
        f" The last day, {partial}, is left out: it holds too little to count." if partial else ""
    )
    if tail := change.get("thin_tail"):  # an export thinning out at its end (byod12a D18)
        vals = ", ".join(_amount(v) for v in tail["values"])
        after += (
            f" The last {tail['days']} days ({tail['from']} to {tail['to']}) are left out: "
            f"their {tail['measure']} ({vals}) fall far under the usual for their weekdays "
            f"(about {_amount(round(float(np.median(tail['usual']))))} a day), as an export "
            "whose last rows are still to come does; check the data's end before reading them "
            "as a slump."
        )
    if ended:  # byod13a D14: the cause is in the data
        after += (
            f" No user signed up after {ended['date']} (the users' signup dates end "
            f"{ended['days']} days before the activity does): the activity of the last weeks is "
            "that of ageing cohorts, winding down with no new users to replace them; the data are "
            "complete, and a fall here is no slump of the business."
        )
    if change.get("sales_from") and "orders" in change:  # events only: say what orders are
        after += (
            f" No orders table: orders{' and revenue' if 'revenue' in change else ''} are the "
            f"{change['sales_from']} (as chapter 03a reads them)."
        )
    if change.get("orders_from") and "orders" in change:  # lines read as baskets
        note = str(change["orders_from"])
        after += f" {note[:1].upper()}{note[1:]}."
    if change.get("tickets_from") and "tickets" in change:
        after += f" Activity is counted from {change['tickets_from']}."
    if change.get("units_from") and "units" in change:
        after += f" No orders table: units sold are from {change['units_from']}."
    elif change.get("units_from") and "revenue" in change:  # demand measured in money
        after += f" No orders table: revenue is {change['units_from']}."
    return Finding(
        f"Over the last {d} days (to {change['end']}) " + ", ".join(bits) + "." + after,
        sev,
        change,
    )


def _year_sentence(change: dict[str, Any], names: dict[str, str]) -> str:
    """ " Against the same 28 days a year before (2011-12-04 to 2011-12-31): units +64.2%."
    from :func:`~opsai.overview.measures.recent_change`'s ``{col}_yoy``; "" without them."""
    cols = ("revenue", "orders", "units", "active_users", "tickets")
    bits = [
        f"{names.get(c, c)} {change[f'{c}_yoy']:+.1%}"
        for c in cols
        if change.get(f"{c}_yoy") is not None
    ]
    return f" Against {change['compared_year']}: {', '.join(bits)}." if bits else ""


def store_finding(stores: pd.DataFrame, *, currency: str = "") -> Finding | None:
    """Each store's revenue (else units) and share, with its last days against the days
    before, and the fastest-growing and the most-declining store
    (:func:`~opsai.overview.measures.store_summary`); ``None`` without two stores. The
    overview named no store while Astoria grew x1.67 over the half year (byod12a D3)."""
    if stores is None or len(stores) < 2:
        return None
    m, d = stores.attrs.get("measure", "revenue"), int(stores.attrs.get("days", 28))

    def amount(x: float) -> str:
        return money(x, currency) if m == "revenue" else f"{_amount(x)} units"

    parts = []
    for _, r in stores.head(8).iterrows():
        ch = r["recent_change"]
        parts.append(
            f"{r['store']} {amount(r[m])} ({_pct(r['share'])}"
            + (f"; {ch:+.1%} in the last {d} days" if pd.notna(ch) else "")
            + ")"
        )
    more = f"; and {len(stores) - 8} more" if len(stores) > 8 else ""
    text = f"{len(stores)} stores, {m} and share over the data: {'; '.join(parts)}{more}."
    moved = stores.dropna(subset=["recent_change"])
    evidence: dict[str, Any] = {
        "stores": [str(v) for v in stores["store"].head(20)],
        m: [round(float(v), 2) for v in stores[m].head(20)],
        "share": [round(float(v), 4) for v in stores["share"].head(20)],
        "recent_change": [
            None if pd.isna(v) else round(float(v), 4) for v in stores["recent_change"].head(20)
        ],
        "measure": m,
        "days": d,
        "end": stores.attrs.get("end"),
    }
    severity = "info"
    if len(moved) >= 2:
        up, down = (
            moved.loc[moved["recent_change"].idxmax()],
            moved.loc[moved["recent_change"].idxmin()],
        )
        text += (
            f" Over the last {d} days (to {stores.attrs.get('end')}) against the {d} before, "
            f"{up['store']} {'grew fastest' if up['recent_change'] > 0 else 'fell least'} "
            f"({up['recent_change']:+.1%}) and {down['store']} "
            f"{'fell most' if down['recent_change'] < 0 else 'grew least'} "
            f"({down['recent_change']:+.1%})."
        )
        evidence |= {"fastest": str(up["store"]), "slowest": str(down["store"])}
        if down["recent_change"] < -0.2:
            severity = "medium"
    else:
        text += f" Less than {2 * d} days of data: no store's recent change is reported."
    return Finding(text, severity, evidence)


def _period_finding(change: dict[str, Any], currency: str) -> Finding:
    """:func:`activity_finding` for weekly or monthly totals: the last complete period
    against the one before, and the partial last period left out (byod10a D16)."""
    unit = change["period_unit"]
    part = change.get("partial_period")
    after = ""
    if part:
        m = part["measure"]
        held = money(part[m], currency) if m == "revenue" else f"{_amount(part[m])} {m}"
        of = f", {_pct(part['share'])} of the {unit} before" if part.get("share") else ""
        after = (
            f" The last {unit} in the data, {part['period']}, holds {held}{of}: most likely "
            f"the export ended before the {unit} did, so it is left out (were it complete, "
            "sales would have collapsed)."
        )
    if not change.get("enough_history"):
        text = f"Fewer than two complete {unit}s of sales: no trend is reported." + after
        return Finding(text, "info", change)
    bits = []
    for col in ("revenue", "orders", "units"):
        if col not in change:
            continue
        c = change.get(f"{col}_change")
        v = money(change[col], currency) if col == "revenue" else f"{_amount(change[col])} {col}"
        bits.append(v + (f" ({c:+.1%})" if c is not None else ""))
    main = next((c for c in ("revenue", "units", "orders")
                 if change.get(f"{c}_change") is not None), "")  # fmt: skip
    rc = change.get(f"{main}_change") or 0.0
    if change.get(f"{main}_yoy") is not None:  # the same period a year before: no season
        rc = change[f"{main}_yoy"]
    sev = "high" if rc < -0.2 else "medium" if rc < -0.1 else "info"
    after = _year_sentence(change, {}) + after
    if change.get("tickets_from") and "tickets" in change:
        after += f" Activity is counted from {change['tickets_from']}."
    if change.get("units_from") and "units" in change:
        after += f" No orders table: units sold are from {change['units_from']}."
    text = (
        f"The sales are {unit}ly totals, so whole {unit}s are compared: in {change['end']}, "
        f"the last complete {unit}, " + ", ".join(bits)
        + f" on {change['period_before']}." + after
    )  # fmt: skip
    return Finding(text, sev, change)


def _num(x: float) -> str:
    """``1,234.50``; a value of a billion or more as ``9.2e+15`` (a corrupt field's)."""
    return f"{x:.3g}" if abs(x) >= 1e9 else f"{x:,.2f}"


def _ages_finding(r: Any) -> Finding:
    """A users' age column holding impossible ages (:data:`~opsai.overview.measures.AGE_RANGE`),
    with the most frequent: KKBox's ``bd`` 0 (860 of 3,000 members) and 1051 (byod10a D9)."""
    from opsai.overview.measures import AGE_RANGE

    lo, hi = AGE_RANGE
    vals = ", ".join(f"{k:,} of {_amount(v)}" for v, k in dict(r.impossible_values).items())
    n = int(r.impossible)
    text = (
        f"{n:,} value(s) of {r.table}.{r.column} are impossible ages (under {lo} or over "
        f"{hi}: {vals}): placeholders for an unknown age or typing errors, not people. Read "
        "them as unknown: clear them in the export (or the column) before reading age "
        "groups, or every 'age 0' customer forms a segment of its own."
    )
    ev = {"column": f"{r.table}.{r.column}", "values": n,
          "examples": {str(_amount(v)): k for v, k in dict(r.impossible_values).items()}}  # fmt: skip
    return Finding(text, "medium", ev)


def _outlier_sides(w: pd.Series) -> str:
    """Which side of the usual range a column's outliers lie on, with the extreme value each
    side ("99 below the usual floor of -82.08 (min -288.20)"); negative ones are called
    returns or cancellations, which is what a negative amount or quantity usually is."""
    below, above = int(w.get("below", 0)), int(w.get("above", w["outliers"]))
    sides = []
    item = w.get("item")
    if isinstance(item, str) and item:  # fenced per item: the one with the most
        items = int(w.get("items") or 1)
        whose = f"item {item}'s"
        apart = ", promotion days apart" if w.get("promo") in (True, 1) else ""  # byod12a D13
        sides.append(f"each item against its own usual range{apart}, {items:,} item(s) with any")
        if below:
            sides.append(f"{below:,} below ({whose} floor {w['low']:,.2f}, min {w['min']:,.2f})")
        if above:
            sides.append(f"{above:,} above ({whose} ceiling {w['high']:,.2f}, max {w['max']:,.2f})")
    else:
        if below:
            sides.append(
                f"{below:,} below the usual floor of {w['low']:,.2f} (min {_num(w['min'])})"
            )
        if above:
            sides.append(
                f"{above:,} above the usual ceiling of {w['high']:,.2f} (max {_num(w['max'])})"
            )
    text = ", ".join(sides)
    if below and w["min"] < 0 and w["column"] in ("amount", "quantity"):  # a refund's
        text += (
            ": negative values look like returns or cancellations "
            "(see the warning on negative values)"
        )
    return text


def returns_findings(
    summary: dict[str, Any], rates: pd.DataFrame, *, currency: str = "", top: int = 5
) -> list[tuple[str, Finding]]:
    """Gross, refunds and net over the window, and the items whose return rate stands out
    (:func:`~opsai.overview.return_rates`); nothing without refunds."""
    if not summary:
        return []
    s = summary
    share = f" ({_pct(s['refund_share'])} of gross)" if s.get("refund_share") is not None else ""
    units = (
        f"; {s['units_returned']:,.0f} of {s['units_sold']:,.0f} units sold were returned "
        f"({_pct(s['unit_return_rate'])})"
        if s.get("unit_return_rate") is not None
        else ""
    )
    adjusted = s.get("adjusted") or {}
    adjust = (
        f", adjustments {money(s['adjustments'], currency)} over {s['adjustment_lines']:,.0f} "
        "line(s) of codes that are no product, not refunds ("
        + ", ".join(f"{c} {money(v['money'], currency)}" for c, v in adjusted.items())
        + ")"
        if s.get("adjustment_lines")
        else ""
    )
    text = (
        f"From {s['start']} to {s['end']}, gross sales were {money(s['gross'], currency)}, "
        f"refunds {money(s['refunds'], currency)}{share} over {s['refund_lines']:,.0f} "
        f"refund line(s){adjust}, net revenue {money(s['net'], currency)}{units}. Every "
        "revenue figure in this report is net of refunds" + (" and adjustments." if adjust else ".")
    )
    sev = "medium" if (s.get("refund_share") or 0) > 0.1 else "info"
    out = [("returns", Finding(text, sev, s))]
    out_items = rates[rates["stands_out"].astype(bool)] if len(rates) else rates
    if len(out_items):
        unit = "units" if "units_sold" in s else "lines"
        names = "; ".join(
            f"{r.item_id}"
            + (f" ({r.title})" if isinstance(r.title, str) else "")
            + f" {_pct(r.rate)} of {r.sold:,.0f}"
            for r in out_items.head(top).itertuples()
        )
        more = f" and {len(out_items) - top} more" if len(out_items) > top else ""
        overall = rates.attrs.get("overall_rate", 0.0)
        out.append(
            (
                "return_rates",
                Finding(
                    f"{len(out_items)} item(s) are returned far more often than the "
                    f"{_pct(overall)} overall return rate ({unit}): {names}{more} (one-sided "
                    f"binomial test, Bonferroni over {rates.attrs.get('tested', 0)} items, "
                    f"p < 0.05, and a rate at least {RATE_RATIO:g}x the overall and "
                    f"{RATE_POINTS * 100:g} points above it). Check their sizing, description "
                    "or quality.",
                    "high" if out_items["rate"].max() > 3 * overall else "medium",
                    {
                        "overall_rate": overall,
                        "items": out_items.head(top)[["item_id", "rate", "sold"]].to_dict(
                            "records"
                        ),
                        "standing_out": len(out_items),
                    },
                ),
            )
        )
    return out


def return_spike_findings(
    spikes: pd.DataFrame, summary: dict[str, Any], *, currency: str = "", top: int = 3
) -> list[tuple[str, Finding]]:
    """One finding naming the item-months whose refunds stand out against the item's own
    other months (:func:`~opsai.overview.return_spikes`), largest excess money first; none
    when nothing stands out (byod13b D12). High when the excess is a tenth of the window's
    refunds (``summary``, :func:`~opsai.overview.returns_summary`) or more."""
    if spikes is None or spikes.empty:
        return []
    parts = []
    for r in spikes.head(top).itertuples():
        name = str(r.item_id) + (f" ({r.title})" if isinstance(r.title, str) else "")
        parts.append(
            f"{name}: {r.refunds:,.0f} refunds ({money(r.refund_money, currency)}) in "
            f"{r.month}, {_pct(r.rate)} of its {r.sold:,.0f} lines sold that month, against "
            f"{_pct(r.rate_other)} in its other months"
        )
    more = f"; and {len(spikes) - top} more" if len(spikes) > top else ""
    first = spikes.iloc[0]
    text = (
        "Refunds spiked for a product in one month: " + "; ".join(parts) + more + " (one-sided "
        f"binomial test against the item's other months, Bonferroni over "
        f"{spikes.attrs.get('tested', len(spikes))} item-months, p < 0.05). About "
        f"{money(float(spikes['excess'].sum()), currency)} of refunds above the items' usual "
        "rate: find the cause (a batch, the listing, the courier) before it repeats."
    )
    evidence = {
        "item_id": first["item_id"],
        "title": first["title"] if isinstance(first["title"], str) else None,
        "month": first["month"],
        "refunds": int(first["refunds"]),
        "refund_money": float(first["refund_money"]),
        "sold": int(first["sold"]),
        "rate": float(first["rate"]),
        "rate_other": float(first["rate_other"]),
        "excess": float(spikes["excess"].sum()),
        "spikes": spikes.head(top)[["item_id", "month", "refunds", "excess"]].to_dict("records"),
    }
    refunds = float((summary or {}).get("refunds") or 0.0)
    sev = "high" if refunds and evidence["excess"] >= 0.1 * refunds else "medium"
    return [("return_spike", Finding(text, sev, evidence))]


def _amount(x: float) -> str:
    """A quantity as read: ``15,144`` for whole units, ``1,234.5`` for kilograms."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


# ---- when customers buy -------------------------------------------------------------------
PEAK_HOURS = 3
"""Hours of the busiest stretch of the day a finding names (07:00-09:59)."""
PEAK_LIFT = 1.5
"""The busiest hours are a peak when they hold this many times their share of the hours with
sales (3 of 15 open hours: 20%, a peak from 30%)."""
WEEKEND_GAP = 0.10
"""Weekend days differ from weekdays when their mean per day is this much apart..."""
WEEKEND_P = 0.05
"""...and a two-sided Mann-Whitney U test of the daily totals says so at this level."""


def _per_day(profile: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The profile's measure summed over ``by`` and divided by the dates of each weekday."""
    m = profile.attrs["measure"]
    g = profile.groupby(by, as_index=False).agg(value=(m, "sum"), days=("days", "first"))
    return g.assign(per_day=g["value"] / g["days"].clip(lower=1))


def weekly_figure(profile: pd.DataFrame) -> Any:
    """A heatmap of the measure per day by weekday (rows) and hour (columns); with dates
    only, bars of the measure per day by weekday."""
    import plotly.graph_objects as go

    from opsai.overview.measures import WEEKDAYS

    m = profile.attrs["measure"]
    if profile.attrs.get("timed"):
        cells = _per_day(profile, ["weekday", "hour"])
        z = cells.pivot(index="weekday", columns="hour", values="per_day")
        z = z.reindex(index=range(7), columns=range(int(z.columns.min()), int(z.columns.max()) + 1))
        fig = go.Figure(
            go.Heatmap(
                z=z.to_numpy(),
                x=[f"{h:02d}" for h in z.columns],
                y=list(WEEKDAYS),
                colorscale="Blues",
                colorbar={"title": f"{m}/day"},
                hovertemplate="%{y} %{x}h: %{z:,.1f}<extra></extra>",
            )
        )
        fig.update_layout(
            title=f"{m.capitalize()} per day by weekday and hour of day",
            xaxis_title="hour",
            yaxis={"autorange": "reversed"},
            width=WIDTH,
            height=330,
            margin={"t": 60, "r": 30},
        )
        return fig
    days = _per_day(profile, ["weekday"])
    fig = go.Figure(go.Bar(x=[WEEKDAYS[int(d)] for d in days["weekday"]], y=days["per_day"]))
    fig.update_layout(
        title=f"{m.capitalize()} per day by weekday", width=WIDTH, height=300, margin={"r": 30}
    )
    return fig


def _hours(start: int, n: int) -> str:
    return f"{start:02d}:00-{start + n - 1:02d}:59"


def _peaks(share: pd.Series) -> tuple[int, list[tuple[int, float]]]:
    """The hours holding 1% or more each (at least :data:`PEAK_HOURS`), and the busiest
    :data:`PEAK_HOURS` hours' start and share, then a second peak's: the busiest stretch
    apart from the first that stands out as a peak (:data:`PEAK_LIFT`) and is busier than the
    stretches an hour either side of it (a bike hire's weekday commute, 07:00-09:59, beside
    its evening one)."""
    open_hours = max(int((share >= 0.01).sum()), PEAK_HOURS)
    sums = [float(share.iloc[h : h + PEAK_HOURS].sum()) for h in range(25 - PEAK_HOURS)]
    h0 = max(range(len(sums)), key=lambda h: sums[h])
    peaks = [(h0, sums[h0])]
    apart = [
        h
        for h in range(len(sums))
        if abs(h - h0) >= PEAK_HOURS
        and sums[h] >= PEAK_LIFT * PEAK_HOURS / open_hours
        and sums[h] >= max(sums[max(h - 1, 0)], sums[min(h + 1, len(sums) - 1)])
    ]
    if apart:
        h1 = max(apart, key=lambda h: sums[h])
        peaks.append((h1, sums[h1]))
    return open_hours, peaks


def _peak_words(peaks: list[tuple[int, float]], of: str = "") -> str:
    """ "35% of their units 16:00-18:59 and 25% 07:00-09:59" (``of``: " of their units")."""
    return " and ".join(
        f"{x:.0%}{of if i == 0 else ''} {_hours(h, PEAK_HOURS)}" for i, (h, x) in enumerate(peaks)
    )


WEEKEND_DAYS = 4
"""Saturdays and Sundays a profile needs before their busiest hours are told apart."""


def _weekend_peaks(profile: pd.DataFrame, m: str) -> dict[str, list[tuple[int, float]]] | None:
    """Monday to Friday's and the weekend's peaks (:func:`_peaks`, each on its own days'
    hours) when both have one (:data:`PEAK_LIFT`) and their busiest hours lie apart: a bike
    hire's working days peak at 16:00-18:59 (and 07:00-09:59), its weekends at 13:00-15:59,
    where one peak over all days, 16:00-18:59, is wrong for the weekends (byod13a D8)."""
    end = profile["weekday"] >= 5
    if profile.loc[end].groupby("weekday")["days"].first().sum() < WEEKEND_DAYS:
        return None
    out = {}
    for name, rows in (("weekday", profile[~end]), ("weekend", profile[end])):
        by = rows.groupby("hour")[m].sum().reindex(range(24), fill_value=0)
        if by.sum() <= 0:
            return None
        share = by / by.sum()
        open_hours, peaks = _peaks(share)
        if peaks[0][1] < PEAK_LIFT * PEAK_HOURS / open_hours:
            return None
        out[name] = peaks
    if abs(out["weekday"][0][0] - out["weekend"][0][0]) < PEAK_HOURS:
        return None
    return out


def weekly_finding(profile: pd.DataFrame) -> Finding | None:
    """When sales happen: the busiest :data:`PEAK_HOURS` hours of the day and their share
    when they stand out (:data:`PEAK_LIFT`), and weekend days against weekdays per day when
    they differ clearly (:data:`WEEKEND_GAP`, Mann-Whitney at :data:`WEEKEND_P`); the busiest
    and quietest weekday otherwise; of a forward book (``attrs['ahead']``), what is on the
    books for each weekday, not what sold (byod13b). ``None`` for an empty profile."""
    from scipy.stats import mannwhitneyu

    from opsai.overview.measures import WEEKDAYS

    if profile.empty:
        return None
    m = profile.attrs["measure"]
    said: list[str] = []
    ev: dict[str, Any] = {"measure": m, "table": profile.attrs.get("table")}
    if profile.attrs.get("timed"):
        by_hour = profile.groupby("hour")[m].sum().reindex(range(24), fill_value=0)
        total = float(by_hour.sum())
        if total > 0:
            share = by_hour / total
            open_hours, peaks = _peaks(share)
            h0, top = peaks[0]
            each = ", ".join(f"{h:02d}h {share[h]:.1%}" for h in range(h0, h0 + PEAK_HOURS))
            ev |= {"peak_start": h0, "peak_share": round(top, 4), "open_hours": open_hours,
                   "hour_shares": {int(h): round(float(x), 4) for h, x in share.items() if x}}  # fmt: skip
            sold = int((share > 0).sum())
            of = (
                f"the {open_hours} hours with sales"
                if sold <= open_hours
                else f"the {open_hours} hours holding 1% of {m} or more each; the other "
                f"{sold - open_hours} hours with sales hold {share[share < 0.01].sum():.1%}"
            )
            split = _weekend_peaks(profile, m)
            if split:
                ev |= {f"{k}_peaks": [[h, round(x, 4)] for h, x in v] for k, v in split.items()}
                said.append(
                    f"Weekdays and weekends peak at different hours: Monday to Friday sell "
                    f"{_peak_words(split['weekday'], f' of their {m}')}, Saturday and Sunday "
                    f"{_peak_words(split['weekend'], ' of theirs')}: staff and stock for each "
                    f"day's peak, not for the one of all days together ({top:.0%} of {m} "
                    f"{_hours(h0, PEAK_HOURS)}, the busiest {PEAK_HOURS} of {of})"
                )
            elif top >= PEAK_LIFT * PEAK_HOURS / open_hours:
                second = f"; a second peak, {_peak_words(peaks[1:])}" if len(peaks) > 1 else ""
                said.append(
                    f"{top:.0%} of {m} are sold {_hours(h0, PEAK_HOURS)} ({each}), the "
                    f"busiest {PEAK_HOURS} of {of}{second}: staff and stock for "
                    + ("those peaks" if second else "that peak")
                )
            else:
                said.append(
                    f"Sales spread over the day: the busiest {PEAK_HOURS} hours "
                    f"({_hours(h0, PEAK_HOURS)}) hold {top:.0%} of {m}"
                )
    daily = profile.attrs.get("daily")
    if daily is not None and len(daily) >= 14:
        dow = pd.Series(daily.index.day_of_week, index=daily.index)
        end, week = daily[dow >= 5], daily[dow < 5]
        gap = float(end.mean() / week.mean() - 1) if week.mean() > 0 else 0.0
        p = float(mannwhitneyu(end, week, alternative="two-sided").pvalue)
        per = _per_day(profile, ["weekday"]).set_index("weekday")["per_day"]
        ev |= {"weekend_change": round(gap, 4), "weekend_p": p, "days": len(daily),
               "per_weekday": {WEEKDAYS[int(d)]: round(float(v), 2) for d, v in per.items()}}  # fmt: skip
        ahead = bool(profile.attrs.get("ahead"))
        ev["ahead"] = ahead
        if abs(gap) >= WEEKEND_GAP and p < WEEKEND_P:
            sell = "hold" if ahead else "sell"
            books = " on the books" if ahead else ""
            said.append(
                f"Saturdays and Sundays {sell} {abs(gap):.0%} {'fewer' if gap < 0 else 'more'} "
                f"{m} a day{books} than weekdays ({_amount(round(float(end.mean())))} against "
                f"{_amount(round(float(week.mean())))} on average over {len(daily)} days; "
                f"Mann-Whitney p = {p:.2g})"
            )
        elif len(per):
            hi, lo = per.idxmax(), per.idxmin()
            said.append(
                f"{m.capitalize()}{' on the books' if ahead else ''} per day differ little by "
                "weekday: from "
                f"{_amount(round(float(per[lo])))} on {WEEKDAYS[int(lo)]} to "
                f"{_amount(round(float(per[hi])))} on {WEEKDAYS[int(hi)]}"
            )
    if not said:
        return None
    return Finding(". ".join(said) + ".", "info", ev, name="weekly_pattern")
