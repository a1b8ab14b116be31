"""Checks that run on any engine, after loading: values, bounds, sums and references."""

from __future__ import annotations

import unicodedata
from typing import Any

import ibis
import ibis.expr.types as ir

from opsai.data._check_staff import staff_warning
from opsai.data._mapping import ValidationWarning
from opsai.data._synonyms import name_score
from opsai.data.customers import few_ids, visit_ids
from opsai.data.languages import read_languages
from opsai.data.promo import is_discount
from opsai.data.schema import (
    ITEM_ID,
    NO_EVENT,
    REFERENCES,
    TABLES,
    TOOL_SENTIMENT,
    Column,
    fold_name,
)
from opsai.errors import SchemaError


def _same_hour_warning(
    name: str, col: str, res: dict[str, Any], warnings: list[ValidationWarning]
) -> None:
    """Every value at one time of day from noon on (UTC): dates at midnight in a zone ahead of
    UTC, moved to the day before when they became UTC."""
    lo, hi = res.get(f"tmin__{col}"), res.get(f"tmax__{col}")
    if lo is None or hi is None or lo != hi or not 43_200 <= int(lo) < 86_400:
        return
    hours = (86_400 - int(lo)) / 3600
    warnings.append(
        ValidationWarning(
            name,
            col,
            f"every value is at {int(lo) // 3600:02d}:{int(lo) % 3600 // 60:02d} UTC, as dates "
            f"at midnight in a zone {hours:g} hours ahead of UTC read once converted: each then "
            "falls on the day before. If they are dates, set data.timezone to the business's "
            f"zone (e.g. 'Asia/Shanghai'), or data.tables.{name}.timezone if only this table's "
            "differ, to keep their calendar day",
        )
    )


def _one_time_warning(
    name: str, t: ir.Table, res: dict[str, Any], warnings: list[ValidationWarning]
) -> None:
    """A time column holding one value on 95% or more of 20+ rows: an export's date stamped
    on every row (an intent set exported on 2024-05-01), not when each row happened.
    ``res``: :func:`check_table`'s aggregate, with each time's count and approximate distinct
    values (many distinct times: nothing more is read)."""
    for col in ("timestamp", "signup_at"):
        total = int(res.get(f"n__{col}", 0) or 0)
        distinct = int(res.get(f"d__{col}", 0) or 0)
        if total < 20 or distinct > 0.06 * total + 2:
            continue
        got = t.group_by(col).aggregate(n=t.count()).order_by(ibis.desc("n")).limit(1).to_pandas()
        if got.empty or int(got["n"].iloc[0]) < 0.95 * total:
            continue
        n, value = int(got["n"].iloc[0]), got[col].iloc[0]
        warnings.append(
            ValidationWarning(
                name,
                col,
                f"{n:,} of {total:,} rows ({n / total:.0%}) hold the same time, {value}: an "
                "export's date, not when each row happened? Trends and 'vs period before' need "
                f"real times; if so, remove data.tables.{name}.columns.{col} (the chapters then "
                "skip what needs time)",
                n,
            )
        )


PROMO_ON_SHARE = 0.5
"""Share of rows above which a fractional ``promo`` reads as a rate, not a flag (validation
warns)."""


def _promo_values_warning(res: dict[str, Any], warnings: list[ValidationWarning]) -> None:
    """A promo above 1: no flag nor share of days, but a measure (a scanner export's "Any
    Promo Price", byod9b D14); above 0 still reads as a promotion. A promo below 0 and never
    above: a discount, read as a promotion where set (byod10a D18). ``res``:
    :func:`check_table`'s aggregate."""
    neg, top = int(res.get("neg__promo", 0) or 0), res.get("max__promo")
    if is_discount(neg, None if top is None or top != top else float(top)):
        rows = int(res["__rows"])
        warnings.append(
            ValidationWarning(
                "demand",
                "promo",
                f"{neg:,} of {rows:,} rows ({neg / rows:.0%}) hold promo values below 0 (down "
                f"to {float(res['min__promo']):g}) and none above 0: a discount written as a "
                "negative amount (as Dunnhumby's RETAIL_DISC), read as a promotion wherever it "
                "is not 0. If a negative value means something else, map a 0/1 promotion column "
                "instead",
                neg,
            )
        )
    on, rate, rows = (int(res.get(k, 0) or 0) for k in ("on__promo", "rate__promo", "__rows"))
    if rate and rows and on > PROMO_ON_SHARE * rows:  # byod11a D7: DataCo's discount rate
        warnings.append(
            ValidationWarning(
                "demand",
                "promo",
                f"promo is above 0 on {on:,} of {rows:,} rows ({on / rows:.0%}), with values "
                "between 0 and 1: a discount rate, not a promotion flag? Every row above 0 reads "
                "as a promotion, so chapter 04 would compare the usual rows with the few at 0. "
                "Map a 0/1 flag of the real promotions (e.g. a database view with "
                "discount >= 0.2) as promo",
                on,
            )
        )
    n = int(res.get("over1__promo", 0) or 0)
    if n:
        warnings.append(
            ValidationWarning(
                "demand",
                "promo",
                f"{n:,} row(s) hold promo values above 1 (up to {float(res['max__promo']):g}): a "
                "flag is 0/1 or a share of days, so this looks like a price or a count on "
                "promoted rows. Above 0 reads as a promotion day; map a 0/1 promotion column "
                "instead if the export has one",
                n,
            )
        )


EVENT_DAY_SHARE = 0.5
"""Share of days above which a mapped ``event_day`` is no calendar of events (validation warns)."""


def _event_day_warning(res: dict[str, Any], warnings: list[ValidationWarning]) -> None:
    """An ``event_day`` that marks most days as events: a label on every row (a weekday
    name, an 'N'), not a calendar of events or holidays (byod9a D6). ``res``:
    :func:`check_table`'s aggregate."""
    n, k = int(res.get("days__event_day", 0) or 0), int(res.get("on__event_day", 0) or 0)
    if n >= 14 and k > EVENT_DAY_SHARE * n:
        warnings.append(
            ValidationWarning(
                "demand",
                "event_day",
                f"{k:,} of {n:,} days ({k / n:.0%}) are marked as event days: an event or "
                "holiday calendar marks a few. Any value but an empty one, 0 or no marks an "
                "event; map a column set only on event or holiday days (M5's event_name_1, "
                "a 0/1 holiday flag) as data.tables.demand.columns.event_day",
                k,
            )
        )


def _language_warning(name: str, t: ir.Table, warnings: list[ValidationWarning]) -> None:
    """A language column holding country codes (App Store Connect's territory: USA, JPN,
    KOR) or values that are no language opsai can read: the models, lexicons and stop words
    go by ISO 639-1 codes, and a country is not a language."""
    col = "language"
    given = t.filter(t[col].notnull())
    top = given.group_by(col).aggregate(n=given.count()).order_by(ibis.desc("n"), col)
    top = top.limit(200).to_pandas()
    if top.empty:
        return
    counts = dict(zip(top[col].astype(str), top["n"].astype(int), strict=True))
    read = read_languages(counts)
    countries = [str(v) for v, (_, kind) in read.items() if kind == "country"]
    unknown = [str(v) for v, (_, kind) in read.items() if kind == "unknown"]

    def listed(values: list[str]) -> str:
        shown = ", ".join(f"{v!r} ({counts[v]:,})" for v in values[:6])
        return shown + (f" and {len(values) - 6} more" if len(values) > 6 else "")

    if countries:
        warnings.append(
            ValidationWarning(
                name,
                col,
                f"values {listed(countries)} look like country codes (ISO 3166), not languages: "
                "a country is not a language (a US customer may write Spanish), so these "
                "tickets' languages are detected from their text instead. Leave "
                f"data.tables.{name}.columns.language unmapped to detect every ticket's "
                "language from its text, or map a column of language codes (en, es, zh-CN) or "
                "names (English, Español)",
                sum(counts[v] for v in countries),
            )
        )
    if unknown:
        warnings.append(
            ValidationWarning(
                name,
                col,
                f"values {listed(unknown)} are no language code or name opsai knows: they are "
                "used as written, and no lexicon, stop words or per-language model knows "
                "them. Use ISO 639-1 codes (en, es, zh-CN) or names (English, Español), or "
                f"leave data.tables.{name}.columns.language unmapped to detect the language "
                "from the text",
                sum(counts[v] for v in unknown),
            )
        )


ONE_ORDER_ORDERS = 1_000
"""Orders at least, for :func:`_one_order_each` to call a customer id that never repeats odd."""
ONE_ORDER_SHARE = 0.99
"""Share of customers with a single order from which their id looks like an order's."""


def _one_order_each(t: ir.Table, warnings: list[ValidationWarning]) -> None:
    """A customer id with one order per customer (Olist's per-order ``customer_id``): no
    retention, churn or lifetime value can follow. Over ``ONE_ORDER_ORDERS`` orders and more,
    a share of one-order customers of ``ONE_ORDER_SHARE`` is rare enough to say so, naming an
    attribute named as a customer whose values do repeat (``customer_unique_id``)."""
    if not {"user_id", "order_id"} <= set(t.columns):
        return
    known = t.filter(t.user_id.notnull() & t.order_id.notnull())
    per = known.group_by("user_id").aggregate(n=known.order_id.nunique())
    got = (
        per.aggregate(
            users=per.count(), one=ibis.ifelse(per.n == 1, 1, 0).sum(), orders=per.n.sum()
        )
        .to_pandas()
        .iloc[0]
    )
    users, one, orders = int(got["users"]), int(got["one"] or 0), int(got["orders"] or 0)
    if orders < ONE_ORDER_ORDERS or one < ONE_ORDER_SHARE * users:
        return
    contract = {c.name for c in TABLES["orders"].columns}
    other = ""
    for c in t.columns:
        if c in contract or not t[c].type().is_string():
            continue
        if name_score(c, "user_id", TABLES["orders"]) < 0.6:
            continue
        people = int(_scalar(known[c].nunique()))
        if 0 < people < 0.95 * users:
            other = (
                f"; {c!r} in the same table repeats ({people:,} values over these orders): "
                f"map it as data.tables.orders.columns.user_id if it is the person"
            )
            break
    warnings.append(
        ValidationWarning(
            "orders",
            "user_id",
            f"{one / users:.1%} of the {users:,} customer ids have exactly one order (over "
            f"{orders:,} orders): is it an order-level id (Olist's customer_id is one per "
            "order)? Retention, churn and lifetime value then find no repeat buyer"
            f"{other or '; map the column that names the person (customer_unique_id, e-mail)'}",
            one,
            major=True,  # 03a's retention, churn and lifetime value are meaningless then
        )
    )


def _few_ids_warning(t: ir.Table, warnings: list[ValidationWarning]) -> None:
    """``orders.user_id`` holding a handful of values over many orders: a flag mapped as the
    customer (hotel_bookings' ``is_repeated_guest``, 0/1 over 15,932 bookings, byod12a D20),
    said when the data is read, in the words 03a skips its per-customer sections with."""
    reason = few_ids(t) if "user_id" in t.columns else ""
    if reason:
        n = int(_scalar(t.count()))
        message = reason.removeprefix("orders.")  # the overview: "orders: user_id holds ..."
        warnings.append(ValidationWarning("orders", "user_id", message, n, major=True))


def _resolved_before_warning(t: ir.Table, warnings: list[ValidationWarning]) -> None:
    """Tickets resolved before they were opened: no resolution time (chapter 05 leaves them
    out); most of them says the two columns are swapped or the timestamp is another time."""
    both = t.filter(t.timestamp.notnull() & t.resolved_at.notnull())
    res = both.aggregate(
        n=both.count(), early=ibis.ifelse(both.resolved_at < both.timestamp, 1, 0).sum()
    ).to_pandas()
    n, early = int(res["n"].iloc[0]), int(res["early"].iloc[0] or 0)
    if not early:
        return
    why = (
        "are the two columns swapped, or is timestamp another time than the ticket's "
        "creation? Map data.tables.tickets.columns.timestamp to the created time and "
        "resolved_at to the resolved (closed) time"
        if early > n / 2
        else "check those tickets' times"
    )
    warnings.append(
        ValidationWarning(
            "tickets",
            "resolved_at",
            f"{early:,} of {n:,} resolved tickets ({100 * early / n:.0f}%) have resolved_at "
            f"before their timestamp; resolution times leave them out: {why}",
            early,
        )
    )


def _scalar(expr: Any) -> Any:
    return expr.execute()


LINE_LEVEL = 0.1
"""Share of orders with an empty and a filled line whose filled lines differ, above which a
column is the line's own (a price per item), not an order field written on one line."""


def _filled_in_group(t: ir.Table, key: str, cols: list[str]) -> dict[str, int]:
    """Per column, its empty rows whose ``key`` (the order id) has a row where it is not
    empty: an export that writes an order's fields on its first line only. A column whose
    filled lines of such an order differ (YOOCHOOSE's prices of unknown-value lines beside
    priced ones) is a line's own value: carrying it down would invent values, so it is left
    out."""
    if not key or key not in t.columns or key in cols:
        return {}
    out = {}
    for c in cols:
        k = t.filter(t[key].notnull())
        g = k.group_by(key).aggregate(e=ibis.ifelse(k[c].isnull(), 1, 0).sum(), d=k[c].nunique())
        both = g.filter((g.e > 0) & (g.d > 0))
        res = both.aggregate(
            n=both.e.sum(), groups=both.count(), varied=ibis.ifelse(both.d > 1, 1, 0).sum()
        ).to_pandas()
        n, groups, varied = (int(res[x].iloc[0] or 0) for x in ("n", "groups", "varied"))
        if n and varied <= LINE_LEVEL * groups:
            out[c] = n
    return out


def _source_names(
    name: str, cols: list[str], columns: dict[str, str] | None
) -> tuple[list[str], str]:
    """The columns ``fill_down`` can name for contract columns ``cols`` (it runs before the
    mapping): a mapped one by its contract name; an amount derived from quantity x price by
    those columns' source names (with a note saying so), since it is no column of the data."""
    columns = columns or {}
    out: list[str] = []
    note = ""
    for c in cols:
        parts = next(((a, b) for t, a, b in TABLES[name].derived if t == c), None)
        if parts and c not in columns and all(p in columns for p in parts):
            out += [columns[p] for p in parts if columns[p] not in out]
            note = f" ({c} is {parts[0]} x {parts[1]} here: {', '.join(columns[p] for p in parts)})"
        elif c not in out:  # a mapped column may be named by its contract name
            out.append(c)
    return out, note


def _empty_error(
    name: str,
    column: Column,
    n: int,
    key: str,
    in_group: dict[str, int],
    columns: dict[str, str] | None = None,
) -> str:
    """A required column empty in ``n`` rows, and the fix: ``fill_down`` when the empty rows'
    order has the value on another row, ``drop_incomplete`` for the rest. A column that may be
    empty (an order's customer) errs only for the rows whose order has it on another row: the
    others are guest orders."""
    col = column.name
    found = f"{name}: required column {col!r} is empty in {n:,} row(s)"
    drop = f"data.tables.{name}.drop_incomplete: true"
    m = in_group.get(col, 0)
    if not m:
        return (
            f"{found}. Fill those rows, set {drop} to drop them (a warning counts them), or map "
            f"another column in data.tables.{name}.columns.{col}"
        )
    if column.may_be_empty:  # the others have no customer in their whole order: guests
        rest = (
            f"; the other {n - m:,}, which have no {col} in their {key}, are guest orders and "
            "load as such"
            if m < n
            else ""
        )
    elif m < n:
        rest = f"; set {drop} for the other {n - m:,}, which have no {col} in their {key}"
    else:
        rest = "; drop_incomplete would drop these rows, and everything they count"
    named, derived = _source_names(name, list(in_group), columns)
    return (
        f"{found}, and {m:,} of them share their {key} with a row that has one: the export "
        f"writes an order's fields on its first line only (as Shopify's does). Fix: carry them "
        f"to the order's other lines with data.tables.{name}.fill_down: {{by: {key}, columns: "
        f"[{', '.join(named)}]}}{derived}, plus any column a where condition reads{rest}"
    )


ZERO_AMOUNTS = 0.05
"""Share of order lines with an amount of exactly 0 above which validation asks whether 0
means unknown."""


def _zero_amounts(t: ir.Table, rows: int, warnings: list[ValidationWarning]) -> None:
    """More than :data:`ZERO_AMOUNTS` of the order lines worth exactly 0 (YOOCHOOSE's buys with
    price and quantity 0, which mean 'unknown'): a warning with what they do and the fixes."""
    if "amount" not in t.columns or not rows:
        return
    n = int(_scalar(ibis.ifelse(t.amount == 0, 1, 0).sum()) or 0)
    if n <= ZERO_AMOUNTS * rows:
        return
    zero = [
        f"{c} 0 on {k:,}"
        for c in ("price", "quantity")
        if c in t.columns and (k := int(_scalar(ibis.ifelse(t[c] == 0, 1, 0).sum()) or 0))
    ]
    why = f" ({', '.join(zero)})" if zero else ""
    warnings.append(
        ValidationWarning(
            "orders",
            "amount",
            f"{n:,} of {rows:,} order lines ({n / rows:.1%}) have an amount of exactly 0{why}: "
            "purchases of unknown value? They count as orders (and their items as bought) but add "
            "nothing to revenue, and pull the average order value and each buyer's spend down (a segment "
            "of zero-value buyers). If 0 means unknown, mark it with "
            "data.tables.orders.na_values: ['0'] and leave those lines out with drop_incomplete: "
            "true (which leaves them out of recommendations and demand too); if they are free "
            "items, nothing to do",
            n,
        )
    )


def _negative_error(name: str, col: str, n: int) -> str:
    """Negative values where the contract wants none; for demand, what leaving them out does."""
    found = f"{name}: column {col!r} expected >= 0, found {n} negative value(s)"
    key = f"data.tables.{name}"
    if (name, col) == ("demand", "quantity"):  # returns in a sales series
        return (
            f'{found} (returns?). Fix: leave them out with {key}.where: "quantity >= 0" (or '
            "keep a ledger's sales: where: \"movement = 'SALE'\"). Chapter 04 then reads each "
            "left-out row as 0 units, as it reads a period without rows: returns are not netted "
            "against the sales of other rows (stores), and a period of returns only counts 0 "
            f"sales, not a negative number. Or fix the data, or map another column in "
            f"{key}.columns.quantity"
        )
    return (
        f"{found}. Fix: keep the rows that count with {key}.where (e.g. where: "
        f'"{col} >= 0", or a ledger\'s movement type: where: "movement = \'SALE\'"), '
        f"fix the data, or map another column in {key}.columns.{col}"
    )


def check_table(
    name: str,
    t: ir.Table,
    errors: list[str],
    warnings: list[ValidationWarning],
    *,
    zoned: bool = False,
    columns: dict[str, str] | None = None,
    sentiment_by: str = "customer",
) -> None:
    """Values, bounds and empties of one loaded table; ``zoned``: the table sets ``timezone``;
    ``columns``: its ``columns`` mapping (contract -> source), for fixes naming source columns;
    ``sentiment_by``: who gave the tickets' sentiment (a listening tool is said)."""
    table = TABLES[name]
    said = {(w.column, w.message) for w in warnings if w.table == name}  # a column the data lacks
    lacking = {c.name for c in table.columns if c.absent and (c.name, c.absent) in said}
    present = [c for c in table.columns if c.name in t.columns and c.name not in lacking]
    aggs: dict[str, Any] = {"__rows": t.count()}
    for c in present:
        if c.dtype == "timestamp" and not zoned:  # seconds into the UTC day, lowest and highest
            sec = t[c.name].hour() * 3600 + t[c.name].minute() * 60 + t[c.name].second()
            aggs[f"tmin__{c.name}"], aggs[f"tmax__{c.name}"] = sec.min(), sec.max()
        if c.required:
            aggs[f"null__{c.name}"] = t[c.name].isnull().sum()
        if c.dtype == "float":
            aggs[f"neg__{c.name}"] = (t[c.name] < 0).sum()
            aggs[f"inf__{c.name}"] = (t[c.name].abs() > 1e300).sum()
        if c.bounds:
            lo, hi = c.bounds
            aggs[f"oob__{c.name}"] = ((t[c.name] < lo) | (t[c.name] > hi)).sum()
        if c.name in ("timestamp", "signup_at"):  # for _one_time_warning
            aggs[f"n__{c.name}"] = t[c.name].count()
            aggs[f"d__{c.name}"] = t[c.name].approx_nunique()
    if name == "demand" and {"event_day", "timestamp"} <= set(t.columns):  # _event_day_warning
        word = t.event_day.cast("string").strip().lower()
        day = t.timestamp.truncate("D")
        aggs["days__event_day"] = day.nunique()
        aggs["on__event_day"] = day.nunique(where=(word != "") & ~word.isin(list(NO_EVENT)))
    if name == "demand" and "promo" in t.columns:  # for _promo_values_warning
        aggs["max__promo"], aggs["min__promo"] = t.promo.max(), t.promo.min()
        aggs["over1__promo"] = ibis.ifelse(t.promo > 1, 1, 0).sum()
        aggs["on__promo"] = ibis.ifelse(t.promo > 0, 1, 0).sum()
        aggs["rate__promo"] = ibis.ifelse((t.promo > 0) & (t.promo < 1), 1, 0).sum()
    try:
        res = t.aggregate(**aggs).to_pandas().iloc[0].to_dict()
    except Exception as e:
        raise SchemaError(
            f"{name}: the engine could not convert the columns to the contract's types: "
            f"{str(e).splitlines()[0][:200]}. Cast them in the database or fix "
            f"data.tables.{name}.columns / timestamp_format"
        ) from None
    if int(res["__rows"]) == 0:
        errors.append(
            f"{name}: the table has no rows. Export the data again, or remove data.tables.{name} "
            "from the config"
        )
        return
    empty = {c.name: int(res.get(f"null__{c.name}", 0) or 0) for c in present}
    in_group = _filled_in_group(t, table.group_key, [c for c, n in empty.items() if n])
    for c in present:
        _same_hour_warning(name, c.name, res, warnings)
        if empty[c.name] and not (c.may_be_empty and not in_group.get(c.name)):
            errors.append(_empty_error(name, c, empty[c.name], table.group_key, in_group, columns))
        neg = int(res.get(f"neg__{c.name}", 0) or 0)
        if neg and c.nonnegative:
            errors.append(_negative_error(name, c.name, neg))
        elif neg and name == "orders":
            warnings.append(
                ValidationWarning(
                    name, c.name, f"{neg} negative value(s) (returns or refunds?)", neg
                )
            )
        inf = int(res.get(f"inf__{c.name}", 0) or 0)
        if inf:
            errors.append(
                f"{name}: column {c.name!r} has {inf} value(s) too large to be real (over 1e300 "
                "or infinite). Fix the data or set na_values"
            )
        oob = int(res.get(f"oob__{c.name}", 0) or 0)
        if oob and c.bounds:
            lo, hi = c.bounds
            pct = f" (percentages? {_per_cent(name, c.name)})" if hi == 1.0 else ""
            errors.append(
                f"{name}: column {c.name!r} expected values in [{lo}, {hi}], found {oob} outside{pct}. "
                f"Fix the data or map another column in data.tables.{name}.columns.{c.name}"
            )
    if name == "market" and not any("'share'" in e for e in errors):
        _check_share_sums(t, errors)
    if name == "orders":
        _few_ids_warning(t, warnings)
        _one_order_each(t, warnings)
        _zero_amounts(t, int(res["__rows"]), warnings)
    if name == "campaigns":
        _campaign_checks(t, errors)
    if name in ("tickets", "kb") and "language" in t.columns:
        _language_warning(name, t, warnings)
    _one_time_warning(name, t, res, warnings)
    _promo_values_warning(res, warnings)
    _event_day_warning(res, warnings)
    if name == "tickets" and {"timestamp", "resolved_at"} <= set(t.columns):
        _resolved_before_warning(t, warnings)
    if name == "tickets" and (staff := staff_warning(t)) is not None:  # byod10b D23
        warnings.append(staff)
    if name == "tickets" and sentiment_by == "tool" and "sentiment" in t.columns:
        n = int(_scalar(t.sentiment.notnull().sum()))
        warnings.append(ValidationWarning("tickets", "sentiment", TOOL_SENTIMENT, n))
    if table.key and table.key in t.columns:
        k = table.key
        dup = t.group_by(k).aggregate(n=t.count()).filter(lambda d: d.n > 1)
        ndup = int(_scalar(dup.count()))
        if ndup:
            ex = dup.order_by(ibis.desc("n"), k).limit(5).to_pandas()[k].tolist()
            found = (
                f"{name}: column {k!r} must be unique, but {ndup} id(s) repeat, e.g. "
                f"{', '.join(map(repr, ex))}."
            )
            if name == "tickets":  # a chat log: one row per message of a conversation
                errors.append(
                    f"{found} One row per message of a conversation (a chat log)? Set "
                    f"data.tables.tickets.messages: {{by: <conversation id column>, sender: "
                    "<column saying who wrote it>, customer: <its value for the customer>} to "
                    "make one ticket per conversation from the customer's messages. Otherwise "
                    f"map another id column in data.tables.{name}.columns.{k}"
                )
            else:
                errors.append(
                    f"{found} Remove the duplicates or map another id column in "
                    f"data.tables.{name}.columns.{k}; a table taken from an export with several "
                    f"rows per id (users from an order file) keeps the first row of each with "
                    f"data.tables.{name}.drop_duplicates: [<its id column>]"
                )


def _campaign_checks(t: ir.Table, errors: list[str]) -> None:
    """A campaign ending before it starts, or one campaign with several windows (start/end
    differing between its rows), cannot be measured: name the campaign and the fix."""
    start, end = t["start"], t["end"]
    back = t.filter(end < start)
    n = int(_scalar(back.count()))
    if n:
        ex = back.limit(1).to_pandas().iloc[0]
        errors.append(
            f"campaigns: {n:,} row(s) end before they start (e.g. campaign {ex['campaign']!r}: "
            f"start {ex['start']}, end {ex['end']}). Fix data.tables.campaigns.columns: are "
            "start and end swapped?"
        )
    window = start.cast("string").fill_null("") + "/" + end.cast("string").fill_null("")
    spans = t.group_by("campaign").aggregate(n=window.nunique())
    many = spans.filter(spans.n > 1)
    m = int(_scalar(many.count()))
    if m:
        ex = many.order_by("campaign").limit(1).to_pandas()["campaign"].iloc[0]
        errors.append(
            f"campaigns: {m:,} campaign(s) have more than one start/end over their rows (e.g. "
            f"{ex!r}), so their window is ambiguous. Fix: give each campaign one start and end "
            "(join them from the campaign file by the campaign key) or map a campaign key that "
            "is unique per window"
        )


def _per_cent(table: str, column: str) -> str:
    """How a column written in percent is read as fractions, with the config's own key
    (byod11b D14): ``set data.tables.market.scale: {share: 0.01} to read 20.0 as 0.2``."""
    return f"set data.tables.{table}.scale: {{{column}: 0.01}} to read 20.0 as 0.2"


def _check_share_sums(t: ir.Table, errors: list[str]) -> None:
    """Market shares of one period (and segment) must not add up to more than 1: shares
    written in percent below 1% each (a product-level table's 0.38 for 0.38%) pass the [0, 1]
    bounds, and would otherwise be read as 38%."""
    if "share" not in t.columns or "period" not in t.columns:
        return
    by = ["period", "segment"] if "segment" in t.columns else ["period"]
    sums = t.group_by(by).aggregate(total=t.share.sum())
    over = sums.filter(sums.total > 1.01)
    n = int(_scalar(over.count()))
    if not n:
        return
    top = over.order_by(ibis.desc("total")).limit(1).to_pandas()  # a frame: ints stay ints
    where = ", ".join(str(top[c].iloc[0])[: 10 if c == "period" else None] for c in by)
    errors.append(
        f"market: column 'share' adds up to more than 1 within {n} of "
        f"{int(_scalar(sums.count()))} {' and '.join(by)} group(s), e.g. "
        f"{top['total'].iloc[0]:.4g} in "
        f"{where} (percentages? {_per_cent('market', 'share')}; shares are fractions of the "
        "market). Fix the "
        "data or map another column in data.tables.market.columns.share"
    )


def check_references(tables: dict[str, ir.Table], warnings: list[ValidationWarning]) -> None:
    for name, refs in REFERENCES.items():
        if name not in tables:
            continue
        t = tables[name]
        for col, target in refs:
            if target not in tables or col not in t.columns:
                continue
            ids = t.select(col).filter(t[col].notnull()).distinct()
            known = tables[target].select(tables[target][col]).distinct()
            try:
                n = int(_scalar(ids.anti_join(known, col).count()))
            except Exception:  # a check, not a blocker
                continue
            if n:
                hint = _zeros_hint(t, tables[target], col, n) or _case_hint(
                    t, tables[target], col, n, name, target
                )
                if not hint and target == "users":
                    hint = _partial_hint(ids, known, col, n, name)
                said = f"{n} distinct id(s) not in {target}{hint}"
                if name == "campaigns":  # no orphan: a targeted customer who never bought
                    said = (
                        f"{n:,} targeted id(s) have no orders{hint}: customers who never bought "
                        "(or ids written unlike the orders'), left out of 03a's campaign uplift"
                    )
                warnings.append(ValidationWarning(name, col, said, n))
    _utm_campaigns(tables, warnings)


def _utm_campaigns(tables: dict[str, ir.Table], warnings: list[ValidationWarning]) -> None:
    """Orders tagged with a utm_campaign that no ad_spend campaign has (compared folded: case,
    spaces and punctuation aside): left out of 03a's return on ad spend."""
    if "ad_spend" not in tables or "orders" not in tables:
        return
    if "utm_campaign" not in tables["orders"].columns:
        return
    try:
        tags = tables["orders"].select("utm_campaign").distinct().to_pandas()["utm_campaign"]
        names = tables["ad_spend"].select("campaign").distinct().to_pandas()["campaign"]
    except Exception:  # a check, not a blocker
        return
    known = {fold_name(x) for x in names.dropna()}
    odd = sorted(
        {str(x).strip() for x in tags.dropna() if fold_name(x) and fold_name(x) not in known}
    )
    if odd:
        shown = ", ".join(map(repr, odd[:5])) + (", ..." if len(odd) > 5 else "")
        warnings.append(
            ValidationWarning(
                "orders",
                "utm_campaign",
                f"{len(odd):,} utm_campaign value(s) name no campaign of ad_spend ({shown}): "
                "their orders count in no campaign's return on ad spend. An e-mail's or an "
                "organic tag is fine; an ad campaign named otherwise: rename the tag or the "
                "campaign (case, spaces and punctuation do not matter)",
                len(odd),
            )
        )


PARTIAL_USERS = "a partial attribute file"
"""Marks an orphan-id warning whose ``users`` table covers some of the customers only (its
ids nearly all found in the referencing table): no attributes for the others, by design."""


def _partial_hint(ids: ir.Table, known: ir.Table, col: str, n: int, name: str) -> str:
    """When nearly all of ``users``' ids (``known``, at least 10 and 95%) are among the
    referencing table's ``ids``, ``users`` is an attribute file for some of them (Dunnhumby's
    demographics cover a third of its households: byod10a D20), not a reference the other ids
    lost their rows from; empty otherwise."""
    try:
        total, have = int(_scalar(ids.count())), int(_scalar(known.count()))
        inside = int(_scalar(known.semi_join(ids, col).count()))
    except Exception:  # a hint, not a check
        return ""
    if have < 10 or inside < 0.95 * have:
        return ""
    return (
        f" ({n:,} of the {total:,} customers in {name} have no users row: no attributes for them; "
        f"{inside:,} of the {have:,} users rows are in {name}, {PARTIAL_USERS})"
    )


def _near_matches(
    t: ir.Table, other: ir.Table, col: str, n: int, bare: Any
) -> tuple[int, Any, Any] | None:
    """How many ids of ``t`` missing from ``other`` match one of its ids once both go through
    ``bare`` (an Ibis string expression -> string expression), with one example pair; ``None``
    when none do (or the engine cannot tell: a hint, not a check)."""
    a = t.select(a=t[col]).filter(t[col].notnull()).distinct()
    b = other.select(b=other[col]).filter(other[col].notnull()).distinct()
    missing = a.anti_join(b, a.a == b.b)
    missing = missing.mutate(bare_a=bare(missing.a))
    b = b.mutate(bare_b=bare(b.b))
    try:
        pairs = missing.join(b, missing.bare_a == b.bare_b)
        m = min(int(_scalar(pairs.a.nunique())), n)
        ex = pairs.order_by("a").limit(1).to_pandas()
    except Exception:
        return None
    return (m, ex["a"].iloc[0], ex["b"].iloc[0]) if m else None


def _case_hint(t: ir.Table, other: ir.Table, col: str, n: int, name: str, target: str) -> str:
    """Why ids of ``t`` may be missing from ``other``: they match its ids once letter case and
    surrounding spaces are ignored (e-mails kept as customers typed them)."""
    found = _near_matches(t, other, col, n, lambda v: v.strip().lower())
    if found is None:
        return ""
    m, a, b = found
    email = " (e-mails, kept as typed?)" if "@" in str(a) else ""
    return (
        f"; {m} of them match an id in {target} once letter case and surrounding spaces are "
        f"ignored (e.g. {a!r} and {b!r}){email}, so one customer "
        f"counts as two. Fix: set data.tables.{name}.lowercase_ids: true and "
        f"data.tables.{target}.lowercase_ids: true (and on every other table with these ids)"
    )


def _zeros_hint(t: ir.Table, other: ir.Table, col: str, n: int) -> str:
    """Why ids of ``t`` may be missing from ``other``: they match its ids once leading zeros
    are ignored (a spreadsheet read one export's ids as numbers and dropped them)."""
    found = _near_matches(t, other, col, n, lambda v: v.re_replace(r"^0+", ""))
    if found is None:
        return ""
    m, a, b = found
    return (
        f"; {m} of them match once leading zeros are ignored (e.g. {a!r} and "
        f"{b!r}): a spreadsheet may have dropped the zeros. Export {col} as text "
        f"in both files"
    )


MONEY = {
    "orders": ("amount", "price"),
    "items": ("price",),
    "demand": ("price",),
    "inventory": ("unit_cost", "order_cost"),
    "ad_spend": ("spend", "conversion_value"),
}
"""The money columns of each table: in the config's one currency."""
_CURRENCY_NAMES = {"currency", "currency_code", "currencycode", "curr", "ccy", "currency code"}


def currency_column(t: ir.Table) -> str | None:
    """The column saying each row's currency (``currency``, ``currency_code``, ``curr``)."""
    return next((c for c in t.columns if c.strip().lower() in _CURRENCY_NAMES), None)


def currency_counts(t: ir.Table, col: str) -> dict[str, int]:
    """Rows per currency code (upper-cased, trimmed; an empty value as '')."""
    code = t[col].cast("string").strip().upper().fill_null("")
    df = t.select(code=code).group_by("code").aggregate(n=ibis._.count()).to_pandas()
    df = df.sort_values(["n", "code"], ascending=[False, True])
    return {str(c): int(n) for c, n in zip(df["code"], df["n"], strict=True)}


def _shown(counts: dict[str, int]) -> str:
    return ", ".join(f"{c or '(empty)'} {n:,} rows" for c, n in counts.items())


def check_currency(
    name: str,
    t: ir.Table,
    currency: str,
    converted: bool,
    errors: list[str],
    warnings: list[ValidationWarning],
) -> None:
    """Money of one table in several currencies (a column named ``currency`` holding EUR, GBP,
    USD) would be added up as one: an error naming the counts and the fixes. One currency that
    is not the config's: a warning (every figure would be labelled with the config's)."""
    money = [c for c in MONEY.get(name, ()) if c in t.columns]
    col = currency_column(t)
    if not money or col is None or converted:
        return
    try:
        counts = currency_counts(t, col)
    except Exception:  # a check, not a blocker
        return
    codes = [c for c in counts if c]
    key = f"data.tables.{name}"
    if len(counts) > 1:
        first = codes[0] if codes else currency
        others = [c for c in codes if c != currency][:2] or ["GBP"]
        rates = ", ".join(f"{c}: <value of 1 {c} in {currency}>" for c in others)
        errors.append(
            f"{name}: column {col!r} holds {len(counts)} currencies ({_shown(counts)}); the "
            f"money columns ({', '.join(money)}) would be added up as if they were one and "
            f"labelled {currency}. Fix: convert them to {currency} with {key}.fx: "
            f"{{column: {col}, rates: {{{rates}}}}}, keep one currency with {key}.where: "
            f"\"{col} = '{first}'\"{f' (and set currency: {first})' if first != currency else ''}"
            ", or convert the amounts in the export"
        )
    elif codes and codes[0] != currency:
        warnings.append(
            ValidationWarning(
                name,
                col,
                f"every row is in {codes[0]} (column {col!r}), but the config's currency is "
                f"{currency}: every money figure would be labelled {currency}. Set currency: "
                f"{codes[0]}, or convert with {key}.fx",
            )
        )


SESSION_IDS = "the user ids look like session ids"
"""Opens the warning that the events' user ids are visits (see :func:`check_session_ids`)."""


def check_session_ids(tables: dict[str, ir.Table], warnings: list[ValidationWarning]) -> None:
    """Warn when the events' user ids are sessions (byod9a D11: YOOCHOOSE maps its session as
    user_id): each is the row's session_id, or over four weeks or more at least 99% of at least
    100 ids are seen on one day only (:func:`~opsai.data.customers.visit_ids`, the test chapter
    03a skips its per-customer sections by). Retention, dormancy and churn would count visits."""
    v = visit_ids(tables.get("events"))
    if v is None:
        return
    users, one, days, same = v.users, v.one_day, v.days, v.same
    also = " and each is the row's session_id" if same else ""
    warnings.append(
        ValidationWarning(
            "events",
            "user_id",
            f"{SESSION_IDS}: {one:,} of {users:,} ({one / users:.1%}) are seen on one day only "
            f"over {days:,} days{also}. They are visits, not customers: 03a skips its "
            "retention, segments, churn and lifetime value and counts its funnel and paths "
            "per session, and the executive summary leaves its user counts out. Map "
            "data.tables.events.columns.user_id to a customer id if the export has one",
            users,
            major=True,
        )
    )


CASE_IDS = "item ids that differ only in letter case"
"""Opens the warning on item ids equal once case and Unicode forms are ignored
(:func:`check_case_ids`)."""
MAX_CASE_IDS = 2_000_000
"""Distinct item ids above which :func:`check_case_ids` does not compare them (a hint)."""


def _folded(v: str) -> str:
    """An id as compared by :func:`check_case_ids`: Unicode NFKC (full-width letters, ligatures
    read as their plain form), case-folded, trimmed."""
    return unicodedata.normalize("NFKC", v).casefold().strip()


def check_case_ids(tables: dict[str, ir.Table], warnings: list[ValidationWarning]) -> None:
    """Warn when distinct item ids are equal once letter case, Unicode forms (NFKC) and
    surrounding spaces are ignored (byod10a D14: Last.fm's 'Beyoncé' and 'beyoncé' were two
    artists, and 03b recommended one to a listener of the other). Over every table with item
    ids; named on ``items`` when there is one, else on the first such table."""
    names = [n for n, t in tables.items() if ITEM_ID in t.columns]
    if not names:
        return
    parts = [tables[n].select(i=tables[n][ITEM_ID].cast("string")) for n in names]
    ids = parts[0].union(*parts[1:], distinct=True) if len(parts) > 1 else parts[0].distinct()
    ids = ids.filter(ids.i.notnull())
    try:
        if int(_scalar(ids.count())) > MAX_CASE_IDS:
            return
        raw = ids.to_pandas()["i"].astype(str)
    except Exception:  # a hint, not a check
        return
    groups = raw.groupby(raw.map(_folded)).agg(list)
    groups = groups[groups.map(len) > 1]
    if groups.empty:
        return
    n = int(groups.map(len).sum() - len(groups))  # ids that are another's spelling
    shown = "; ".join(" and ".join(repr(x) for x in sorted(g)[:3]) for g in groups.iloc[:3])
    table = "items" if "items" in names else names[0]
    warnings.append(
        ValidationWarning(
            table,
            ITEM_ID,
            f"{CASE_IDS} (or in Unicode form): {len(groups):,} item(s) are written {n + len(groups):,} "
            f"ways, e.g. {shown}. Each spelling counts as an item of its own (sales split, "
            "one recommended to a buyer of the other). If they are the same item, set "
            "lowercase_ids: true on every table with item ids (data.tables.<table>."
            "lowercase_ids reads its user and item ids in lower case)",
            n,
        )
    )
