"""User attributes that live elsewhere, and those that give the churn outcome away.

:func:`order_attributes` lifts a column that every order (or event) of a customer carries with
the same value, such as an order export's ``Country``, into a user attribute, so segments, the
churn gaps and the churn model see it. :func:`outcome_attributes` names the attributes whose
values nearly determine who churns on the training window, and :func:`restated_attributes`
those that restate each customer's order history as of the export (a ``Total Orders``, a
``Last Order Date``); both are left out like the lifecycle states of
:func:`~opsai.behavior.churn.leaky_attributes`. :func:`model_attributes` applies all of them,
as chapter 03a and ``opsai tune`` do.

Example:
    >>> users, lifted = order_attributes(orders, events=events, users=users)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

import ibis
import pandas as pd
from sklearn.metrics import roc_auc_score

from opsai.behavior._engine import TableLike, as_table, to_frame
from opsai.data._synonyms import name_words
from opsai.data.schema import AMOUNT, ORDER_ID, SIGNUP_AT, TABLES, TIMESTAMP, USER_ID
from opsai.errors import ConfigError
from opsai.report.finding import Finding

MIN_CONSTANT_SHARE = 0.99
"""Share of the customers with two or more orders whose orders all carry one value."""
MAX_VALUES = 50
"""Most distinct values of a lifted attribute (a country or a channel, not a free text)."""
MIN_REPEAT_CUSTOMERS = 10
"""Fewest customers with two or more orders for the rule to be judged at all."""
OUTCOME_AUC = 0.95
"""Single-attribute ROC-AUC on the training labels from which an attribute gives churn away."""
MIN_LABELLED = 30
"""Fewest training users holding an attribute for :func:`outcome_attributes` to judge it."""

RESTATED_RHO = 0.9
"""Rank correlation with a user's orders, revenue or last order over the whole data from which a
number or a date restates the order history (with :data:`RESTATED_RATIO`)."""
RESTATED_RATIO = 2.0
"""How many times further (in ``1 - |rho|``) from the same measure at the training cut-off than
from the whole data's a restating attribute must be: it counts the orders after the cut-off."""
RESTATED_GAP = 0.02
"""Least ``|rho|`` by which the whole data's measure must beat the cut-off's (noise below)."""

_ID_WORD = re.compile(r"(^|[_\W])(id|key|uuid|guid|number|no|nr|code)$", re.IGNORECASE)

MAX_CODES = 12
"""Most distinct values of an integer column read as a category (a 0/1 flag, a city code)."""
_MEASURE_WORDS = frozenset({
    "count", "counts", "cnt", "num", "n", "qty", "quantity", "amount", "amt", "total", "sum",
    "price", "cost", "spend", "spent", "paid", "revenue", "sales", "value", "fee", "fees",
    "balance", "days", "secs", "seconds", "minutes", "mins", "hours", "weeks", "months", "years",
    "age", "duration", "tenure", "length", "size", "score", "rating", "stars", "orders", "items",
    "units", "visits", "sessions", "points", "times", "rate", "pct", "percent", "share", "avg",
    "mean", "max", "min", "children", "members", "people", "dependents",
})  # fmt: skip
"""Words of a count, an amount or a measure: an integer column named so is a number, however
few its values (``payment_plan_days`` 7/30, ``num_children`` 0..3)."""


_OUTCOME_WORDS = frozenset({
    "retention", "retained", "retain", "churn", "churned", "churner", "converted", "conversion",
    "attrition", "repurchase", "repurchased", "cancelled", "canceled", "returned", "survived",
})  # fmt: skip
"""Words of an outcome recorded after the fact (Cookie Cats' ``retention_7``: the player came
back on day 7): what the business wants to move, never a group to act on (byod13a D13)."""


def outcome_name(name: object) -> bool:
    """A column named like an outcome (:data:`_OUTCOME_WORDS`): ``retention_1``,
    ``is_churned``, ``Converted``."""
    return bool(set(name_words(str(name))) & _OUTCOME_WORDS)


def measure_name(name: object) -> bool:
    """A column named like a count, an amount or a measure (:data:`_MEASURE_WORDS`)."""
    return bool(set(name_words(str(name))) & _MEASURE_WORDS)


def integer_codes(v: pd.Series, name: object, *, max_levels: int = MAX_CODES) -> pd.Series | None:
    """An integer column with 2..``max_levels`` distinct values (a 0/1 flag ``is_auto_renew``,
    a ``city`` coded 1/4/5/13/22) not named like a count or an amount, as nullable integers
    (a CSV's column with a gap reads as float: 1.0 -> 1); ``None`` for anything else.

    Exports write yes/no flags and categories as integers as often as text; read as numbers
    they were never split by value (byod10a D7).
    """
    if pd.api.types.is_bool_dtype(v) or not pd.api.types.is_numeric_dtype(v):
        return None
    if measure_name(name):
        return None
    x = v.dropna()
    if not 2 <= x.nunique() <= max_levels:
        return None
    if not pd.api.types.is_integer_dtype(x) and not bool((x == x.round()).all()):
        return None
    return v.astype("Int64")


def integer_dates(users: pd.DataFrame, *, col_user: str = USER_ID) -> pd.DataFrame:
    """``users`` with its integer columns that hold ``YYYYMMDD`` dates read as dates.

    An export that writes dates as 8-digit integers (KKBox's ``transaction_date`` 20150101,
    ``membership_expire_date``) has its mapped timestamp read by the table's
    ``timestamp_format``, its other date columns stay numbers: as attributes they read
    "transaction_date 20,150,101-20,151,028" (byod10a D15). Rule: an integer column (or a
    float one holding integers), not the user id, whose non-missing values (two or more
    distinct) all lie in 1900-01-01..2100-12-31 and parse as ``%Y%m%d``.
    """
    out = users
    for col in users.columns:
        v = users[col]
        if col == col_user or pd.api.types.is_bool_dtype(v):
            continue
        if not pd.api.types.is_numeric_dtype(v):
            continue
        x = v.dropna()
        if x.nunique() < 2 or not bool(((x >= 19000101) & (x <= 21001231)).all()):
            continue
        if not bool((x == x.round()).all()):
            continue
        text = v.astype("Int64").astype("string")
        ts = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
        if ts.notna().sum() < x.size:  # 20151345 is no date
            continue
        out = out.assign(**{str(col): ts})
    return out


PERSONAL = "personal data"
"""How the reason of a personal field begins (:func:`personal_field`)."""
_PERSON_NAMES = frozenset({
    "fname", "lname", "firstname", "lastname", "surname", "forename", "givenname",
    "familyname", "fullname", "nickname", "username", "vorname", "nachname", "prenom",
})  # fmt: skip
_PERSONAL_WORDS = frozenset({
    "email", "emails", "password", "passwort", "ssn", "passport", "street", "zipcode",
    "postcode", "zip", "postal", "iban", "address", "phonenumber", "telephone",
})  # fmt: skip
_NAME_OWNERS = frozenset({
    "customer", "user", "client", "contact", "first", "last", "full", "given", "family",
    "middle", "buyer", "person", "member", "recipient", "billing", "shipping", "holder", "owner",
    "patient", "employee", "guest", "sur", "nick", "display", "account", "card",
})  # fmt: skip
_PHONE_WORDS = frozenset({"phone", "tel", "mobile", "cell", "fax", "whatsapp"})
_NUMBER_WORDS = frozenset({"number", "no", "nr", "num"})
_EMAIL_VALUE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE_VALUE = re.compile(r"^\+?[\d\s().-]{7,}$")
MAX_DISTINCT_SHARE = 0.5
"""Share of distinct values among a text column's values above which (with more than
:data:`MAX_VALUES` of them) it is free text written per customer, not a category."""


def personal_field(name: object, values: pd.Series | None = None) -> str | None:
    """Why a column is personal data that must never be an attribute, else ``None``.

    By name: a person's name (``first_name``, ``Customer Fname``, ``Full Name``, a bare
    ``name``, not ``Product Name``), an e-mail, a phone number (``phone_number``, not
    ``PhoneService``), a street, address or zip code, a password, an SSN, a passport or an
    IBAN. By values (text): most of them e-mail addresses or phone numbers, or free text
    written per customer (more than :data:`MAX_VALUES` distinct values, over half of them
    distinct). A segment, a churn driver or an at-risk score keyed by a customer's first name
    means nothing and is a privacy and fairness problem (byod11a D8).
    """
    words = set(name_words(str(name)))
    why = None
    if words & _PERSON_NAMES or ("name" in words and (words == {"name"} or words & _NAME_OWNERS)):
        why = "a person's name"
    elif words & _PERSONAL_WORDS or {"e", "mail"} <= words:
        why = "an e-mail, a password, an address or another personal identifier"
    elif words & _PHONE_WORDS and (len(words) == 1 or words & _NUMBER_WORDS):
        why = "a phone number"
    elif values is not None and not pd.api.types.is_numeric_dtype(values):
        text = values.dropna().astype(str).str.strip()
        text = text[text != ""]
        if len(text):
            if text.str.match(_EMAIL_VALUE).mean() >= 0.5:
                why = "its values are e-mail addresses"
            elif (
                text.str.match(_PHONE_VALUE).mean() >= 0.5
                and text.str.count(r"\d").ge(7).mean() >= 0.5
            ):
                why = "its values are phone numbers"
            elif text.nunique() > MAX_VALUES and text.nunique() > MAX_DISTINCT_SHARE * len(text):
                why = f"free text, {text.nunique():,} distinct values in {len(text):,} rows"
    return None if why is None else f"{PERSONAL}: {why}"


def _candidates(t: Any, table: str, skip: set[str]) -> list[str]:
    """Text or boolean columns of ``t`` outside the contract, not named like an id, and
    integer ones not named like a count or an amount (flags and codes: :func:`integer_codes`
    keeps those with at most :data:`MAX_CODES` values)."""
    contract = {c.name for c in TABLES[table].columns}
    out = []
    for col, dtype in t.schema().items():
        if col in contract or col in skip or _ID_WORD.search(str(col)) or personal_field(col):
            continue
        flag = dtype.is_integer() and not measure_name(col)  # a 0/1 flag or a code
        if dtype.is_string() or dtype.is_boolean() or flag:
            out.append(str(col))
    return out


def _constant(t: Any, table: str, cols: list[str], col_user: str) -> dict[str, pd.Series]:
    """Per user value of each column of ``cols`` that passes the constancy rule."""
    t = t.filter(t[col_user].notnull())
    key = t[ORDER_ID] if ORDER_ID in t.columns else t[TIMESTAMP]
    per = t.group_by(_u=t[col_user]).aggregate(
        _n=key.nunique(), **{f"_k{i}": t[c].nunique() for i, c in enumerate(cols)}
    )
    counts = to_frame(per).set_index("_u")
    repeat = counts[counts["_n"] >= 2]
    if len(repeat) < MIN_REPEAT_CUSTOMERS:
        return {}
    out = {}
    for i, c in enumerate(cols):
        share = float((repeat[f"_k{i}"] <= 1).mean())
        distinct = int(t[c].nunique().execute())
        most = MAX_CODES if t.schema()[c].is_integer() else MAX_VALUES  # a flag or a code
        if share < MIN_CONSTANT_SHARE or not 2 <= distinct <= most:
            continue
        mode = to_frame(t.group_by(_u=t[col_user]).aggregate(_v=t[c].mode())).set_index("_u")
        out[c] = mode["_v"].rename(c)
    return out


def order_attributes(
    orders: TableLike | None,
    events: TableLike | None = None,
    users: pd.DataFrame | None = None,
    *,
    col_user: str = USER_ID,
) -> tuple[pd.DataFrame | None, dict[str, str]]:
    """Users with the order and event columns that are constant per customer as attributes.

    An order export often carries the customer's country, channel or region on every row and
    has no users table (nor can one be taken from it without ``drop_duplicates``). Rule: a
    text or boolean column of ``orders`` (then ``events``) outside the contract, not named like
    an id (``*_id``, ``*_code``, ``*_no`` ...), or an integer one not named like a count or an
    amount with at most 12 values (a 0/1 ``is_auto_renew``, a region code), is lifted when at least 99% of the customers
    with two or more orders (distinct ``order_id``, else timestamps; at least 10 such
    customers) have one value on all their rows and it has 2 to 50 distinct values. Each
    user's value is their most common one. Columns the users table already has are left as
    they are.

    Returns:
        ``(users, lifted)``: ``users`` with the lifted columns (a left join on the users
        table; without one, one row per customer), and ``{column: table}`` naming where each
        came from. ``users`` is returned unchanged when nothing is lifted.
    """
    have = set(users.columns) if users is not None else set()
    got: dict[str, pd.Series] = {}
    lifted: dict[str, str] = {}
    for table, src in (("orders", orders), ("events", events)):
        if src is None:
            continue
        t = as_table(src, name=table)
        if col_user not in t.columns:
            continue
        cols = _candidates(t, table, have | set(got))
        for c, values in _constant(t, table, cols, col_user).items():
            got[c], lifted[c] = values, table
    if not got:
        return users, {}
    attrs = pd.DataFrame(got)
    attrs.index = attrs.index.astype(str)
    attrs = attrs.rename_axis(col_user).reset_index()
    if users is None:
        return attrs, lifted
    ids = users[col_user].astype(str)
    merged = users.join(attrs.set_index(col_user).reindex(ids).set_axis(users.index))
    return merged, lifted


def lifted_attributes(lifted: dict[str, str]) -> Finding:
    """The note naming the attributes :func:`order_attributes` took from orders or events."""
    cols = ", ".join(f"{t}.{c}" for c, t in lifted.items())
    text = (
        f"User attributes taken from the activity: {cols} (one value on every row of a "
        "customer), used for segments, churn gaps and the churn model like a users column."
    )
    return Finding(text, "info", {"columns": dict(lifted)}, name="attributes_from_activity")


def _scores(v: pd.Series, y: pd.Series, cut: pd.Timestamp) -> pd.Series | None:
    """A score ranking users by ``v``: text by its values' churn rates, numbers as they are."""
    if pd.api.types.is_datetime64_any_dtype(v):
        ts = pd.to_datetime(v, errors="coerce")
        v = ((cut - ts).dt.total_seconds() / 86400).where(ts < cut)
    if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
        if v.nunique() < 2:
            return None
        return v.astype(float).fillna(float(v.min()) - 1.0)  # missing ranks lowest
    s = v.astype("string").fillna("(missing)")
    counts = s.value_counts()
    top = counts[counts >= max(2.0, 0.01 * len(s))].index[:8]  # the levels the model sees
    s = s.where(s.isin(top), "(other)")
    if s.nunique() < 2:
        return None
    return s.map(y.groupby(s).mean()).astype(float)


def training_cutoff(orders: TableLike, horizon_days: int) -> pd.Timestamp:
    """The churn model's training cut-off: its label window ends ``horizon_days`` before the
    data's last day (:func:`~opsai.behavior.churn.snapshots` with its default cut-off)."""
    from opsai.behavior.churn import last_timestamp

    return last_timestamp(orders).normalize() - pd.Timedelta(days=2 * horizon_days - 1)


_MEASURES = {"orders": "orders", "revenue": "revenue", "last": "last order"}


def _history(orders: TableLike, cut: pd.Timestamp, col_user: str) -> pd.DataFrame:
    """Per user who ordered before ``cut``: orders, revenue and last order time (seconds) over
    the whole data and before ``cut`` (``*_cut``); returns are money, not orders."""
    t = as_table(orders, name="orders")
    key = t[ORDER_ID] if ORDER_ID in t.columns else t[TIMESTAMP]
    buy, before = t[AMOUNT] >= 0, t[TIMESTAMP] < ibis.literal(cut.to_pydatetime())
    when = t[TIMESTAMP].epoch_seconds()
    per = t.group_by(_u=t[col_user].cast("string")).aggregate(
        orders=key.nunique(where=buy), revenue=t[AMOUNT].sum(), last=when.max(where=buy),
        orders_cut=key.nunique(where=buy & before), revenue_cut=t[AMOUNT].sum(where=before),
        last_cut=when.max(where=buy & before),
    )  # fmt: skip
    return to_frame(per.filter(per.orders_cut > 0)).set_index("_u").astype(float)


_DATE_TEXT = re.compile(r"^\s*(\d{4}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})")


def _as_number(v: pd.Series) -> tuple[pd.Series | None, bool]:
    """``(values, is_date)``: a date as seconds since 1970 (a timezone's in UTC; also text that
    is dates, ``2024-10-05`` or ``10/05/2024``, as a CSV export's), a number as is, else None."""
    if pd.api.types.is_numeric_dtype(v) and not pd.api.types.is_bool_dtype(v):
        return v.astype(float), False
    if not pd.api.types.is_datetime64_any_dtype(v):
        text = v.dropna()
        if text.empty or not pd.api.types.is_string_dtype(text):
            return None, False
        if not text.astype(str).str.match(_DATE_TEXT).mean() >= 0.9:
            return None, False
    ts = pd.to_datetime(v, errors="coerce", utc=True)  # one format, read at once
    if ts.notna().sum() < 0.9 * v.notna().sum():  # several formats: each value on its own
        ts = pd.to_datetime(v, errors="coerce", utc=True, format="mixed")
    return (ts - pd.Timestamp(0, tz="UTC")).dt.total_seconds(), True


def restated_attributes(
    orders: TableLike,
    users: pd.DataFrame | None,
    *,
    horizon_days: int,
    col_user: str = USER_ID,
) -> dict[str, str]:
    """Number and date attributes that restate each user's order history as of the export.

    A customers export computes ``Total Orders``, ``Total Spent``, ``Last Order Date``,
    ``orders_count`` or ``days_since_last_order`` over the customer's whole history, so on the
    churn model's training users they count the orders after its cut-off (the label) too.
    Rule, on the users who ordered before the training cut-off
    (:func:`training_cutoff`; at least 30 holding a value): for each of the user's orders,
    revenue and last order time (for a date attribute, or text holding dates, the last order
    time only), the attribute's absolute Spearman rank correlation with the measure over the
    whole data (``rho_all``) and with the measure before the cut-off (``rho_cut``). It restates the
    history when, for one measure, ``rho_all >= 0.9``, ``rho_all >= rho_cut + 0.02`` and
    ``1 - rho_cut >= 2 (1 - rho_all)``: it is much closer to the whole data's than to the
    cut-off's. A ``Total Orders`` reads 1.00 against 0.87 (the demo's users given one: 1.00
    against 0.80); a count kept as of the cut-off, a first order date, a signup date, an age
    or a plan price does not. Fast: one engine query, then pandas rank correlations.

    Returns:
        ``{column: reason}`` (the reason names the measure and both correlations) in column
        order; empty when nothing restates the history or nobody ordered before the cut-off.
    """
    if users is None or col_user not in users.columns:
        return {}
    cut = training_cutoff(orders, horizon_days)
    hist = _history(orders, cut, col_user)
    ids = users[col_user].astype(str)
    u = users.set_axis(ids)[~ids.duplicated().to_numpy()].reindex(hist.index)
    out: dict[str, str] = {}
    for col in users.columns:
        v, is_date = (None, False) if col in (col_user, SIGNUP_AT) else _as_number(u[col])
        if v is None or v.notna().sum() < MIN_LABELLED or v.nunique() < 2:
            continue
        names = ["last"] if is_date else list(_MEASURES)
        whole = hist[names].corrwith(v, method="spearman").abs()
        at_cut = hist[[f"{m}_cut" for m in names]].corrwith(v, method="spearman").abs()
        at_cut = at_cut.set_axis(whole.index).fillna(0.0)  # constant before the cut: no tie
        hit = (
            (whole >= RESTATED_RHO)
            & (whole >= at_cut + RESTATED_GAP)
            & (1 - at_cut >= RESTATED_RATIO * (1 - whole))
        )
        if hit.any():
            m = str((whole - at_cut)[hit].idxmax())
            out[str(col)] = (
                f"it restates the order history as of the export: rank correlation "
                f"{whole[m]:.2f} with each user's {_MEASURES[m]} over the whole data, "
                f"{at_cut[m]:.2f} with it before the model's cut-off {cut:%Y-%m-%d}"
            )
    return out


def outcome_attributes(
    orders: TableLike,
    users: pd.DataFrame | None,
    *,
    horizon_days: int,
    col_user: str = USER_ID,
) -> dict[str, str]:
    """User attributes whose values nearly determine the churn label, with why.

    The label is the churn model's training label (no order in the ``horizon_days`` after the
    training cut-off of :func:`~opsai.behavior.churn.snapshots`). Rule: an attribute is left
    out when ranking the training users by it alone reaches ROC-AUC >= 0.95 (a text attribute
    by its values' churn rates, over the levels the model would see; a number or a date as
    it is, either direction; at least 30 users holding it and both outcomes present). One
    value that always churns is not enough: the demo's channel=social (2.0x churn) reads
    about 0.6, an order export's EIRE (every customer lapsed, 8% of customers) about 0.6,
    while a status of active/cancelled written at export time reads near 1.

    Returns:
        ``{column: reason}`` in column order; empty when nothing is left out or the label
        cannot be built.
    """
    from opsai.behavior.churn import LABEL, churn_frame

    if users is None or col_user not in users.columns:
        return {}
    cut = training_cutoff(orders, horizon_days)
    try:
        y = churn_frame(orders, cutoff=cut, horizon_days=horizon_days)[LABEL]
    except ConfigError:  # no orders before the training cut-off: nothing to judge on
        return {}
    ids = users[col_user].astype(str)
    u = users.set_axis(ids)[~ids.duplicated().to_numpy()].reindex(y.index.astype(str))
    y = y.set_axis(u.index)
    if y.nunique() < 2:
        return {}
    out: dict[str, str] = {}
    for col in users.columns:
        if col in (col_user, SIGNUP_AT) or u[col].notna().sum() < MIN_LABELLED:
            continue
        score = _scores(u[col], y, cut)
        if score is None:
            continue
        auc = float(roc_auc_score(y, score))
        auc = max(auc, 1.0 - auc)
        if auc >= OUTCOME_AUC:
            out[str(col)] = f"its values nearly determine the outcome (ROC-AUC {auc:.2f})"
    return out


def model_attributes(
    orders: TableLike,
    events: TableLike | None,
    users: pd.DataFrame | None,
    *,
    horizon_days: int,
    col_user: str = USER_ID,
) -> tuple[pd.DataFrame | None, dict[str, str], dict[str, str]]:
    """The users table as chapter 03a's segments, churn findings and churn model see it.

    The attributes constant on each customer's orders or events are added
    (:func:`order_attributes`), integer ``YYYYMMDD`` dates are read as dates
    (:func:`integer_dates`); personal data (:func:`personal_field`), lifecycle states (:func:`~opsai.behavior.churn.leaky_attributes`),
    totals restating the order history as of the export (:func:`restated_attributes`) and
    what nearly determines the training label (:func:`outcome_attributes`) are left out.

    Returns:
        ``(users, lifted, left_out)``: the users table (``None`` without one and nothing to
        lift), ``{column: table}`` of the lifted attributes and ``{column: reason}`` of those
        left out, in the order the rules found them.
    """
    from opsai.behavior.churn import leaky_attributes

    users, lifted = order_attributes(orders, events, users, col_user=col_user)
    if users is None:
        return None, lifted, {}
    users = integer_dates(users, col_user=col_user)  # 20150101: a date, not 20 million
    left = {
        str(c): why
        for c in users.columns
        if c not in (col_user, SIGNUP_AT) and (why := personal_field(c, users[c])) is not None
    }  # names, e-mails, phones, addresses: never an attribute
    left |= {c: w for c, w in leaky_attributes(users, col_user=col_user).items() if c not in left}
    for rule in (restated_attributes, outcome_attributes):
        kept = users.drop(columns=list(left))
        left |= rule(orders, kept, horizon_days=horizon_days, col_user=col_user)
    return (users.drop(columns=list(left)) if left else users), lifted, left
