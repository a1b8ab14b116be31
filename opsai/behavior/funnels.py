"""Ordered funnels and frequent paths, computed by the engine through Ibis.

Every function takes an Ibis table (DuckDB, PostgreSQL, ...) or a pandas frame and issues a
handful of grouped joins: no Python loop ever runs over users, so 10M+ events stay in the
engine and only the small result comes back.

Funnel semantics (the common "first entry" rule): a unit (user or session) enters at its first
``steps[0]`` event; step *k* is reached at the first ``steps[k]`` event at or after the time
step *k-1* was reached and within ``window`` of the entry.

Example:
    >>> table = funnel(ws.table("events"), window="7D", users=ws.table("users"),
    ...                breakdown="channel")                                  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Literal

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd

from opsai.behavior._engine import TableLike, as_table, require, to_frame
from opsai.behavior.attributes import outcome_name
from opsai.data._synonyms import name_words
from opsai.data.schema import (
    DEFAULT_FUNNEL,
    EVENT,
    ORDER_ID,
    SESSION_ID,
    TIMESTAMP,
    USER_ID,
    canonical_event,
)
from opsai.errors import ConfigError

Unit = Literal["user", "session"]
MISSING = "(missing)"
EXIT = "(exit)"


def _seconds(window: str | pd.Timedelta | float | None) -> int | None:
    if window is None:
        return None
    try:
        td = pd.Timedelta(window) if not isinstance(window, int | float) else None
    except ValueError as e:
        raise ConfigError(
            f"funnel: window={window!r} is not a duration. Use e.g. '7D', '30min' or None"
        ) from e
    sec = float(window) * 86400 if td is None else td.total_seconds()
    if sec <= 0:
        raise ConfigError(f"funnel: window must be positive, got {window!r}")
    return int(sec)


def _keys(unit: Unit, col_user: str, col_session: str) -> list[str]:
    if unit == "user":
        return [col_user]
    if unit == "session":
        return [col_user, col_session]
    raise ConfigError(f"funnel: unit must be 'user' or 'session', got {unit!r}")


def funnel_times(
    events: TableLike,
    *,
    steps: Sequence[str] = DEFAULT_FUNNEL,
    window: str | pd.Timedelta | float | None = "7D",
    unit: Unit = "user",
    col_user: str = USER_ID,
    col_session: str = SESSION_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
    breakdown: str | None = None,
) -> ir.Table:
    """When each unit reached each step, as a lazy Ibis table.

    Args:
        events: the events table.
        steps: event names in funnel order (at least two).
        window: the longest time from entry to any later step (``'7D'``, a Timedelta, a
            number of days, or ``None`` for no limit).
        unit: count users (``'user'``) or sessions (``'session'``, needs ``col_session``).
        col_user: user id column. col_session: session id column. col_time: timestamp
            column. col_event: event-name column.
        breakdown: an events column (a session property such as ``device``) carried along,
            taken from the unit's first entry event by time (never a smallest value: a
            ``min()`` over an item's category labels a long session by whichever category
            sorts first, so the split measured session length).

    Returns:
        One row per unit that entered: the key columns and ``t0 .. t{n-1}`` (the time the
        step was reached, null when it was not).
    """
    steps = list(steps)
    if len(steps) < 2:
        raise ConfigError(f"funnel: steps needs at least two events, got {steps!r}")
    keys = _keys(unit, col_user, col_session)
    t = as_table(events, name="events")
    require(t, [*keys, col_time, col_event], table="events")
    sec = _seconds(window)
    first = t.filter(t[col_event] == steps[0])
    extra = {}
    if breakdown is not None:
        require(t, [breakdown], table="events")
        value = first[breakdown].cast("string")
        extra[breakdown] = value.argmin(first[col_time]).fill_null(MISSING)
    cur = first.group_by(keys).aggregate(t0=first[col_time].min(), **extra)
    for i, step in enumerate(steps[1:], start=1):
        ev = t.filter(t[col_event] == step)
        ev = ev.select(**{f"_k{j}": ev[k] for j, k in enumerate(keys)}, _ts=ev[col_time])
        cond = [cur[k] == ev[f"_k{j}"] for j, k in enumerate(keys)]
        cond.append(ev._ts >= cur[f"t{i - 1}"])
        if sec is not None:
            cond.append(ev._ts <= cur.t0 + ibis.interval(seconds=sec))
        j = cur.left_join(ev, cond)
        prev = {c: j[c].min() for c in [*extra, *(f"t{p}" for p in range(i))]}
        cur = j.group_by(keys).aggregate(**prev, **{f"t{i}": j._ts.min()})
    return cur


def _attach(
    ft: ir.Table, users: TableLike | None, breakdown: str | None, col_user: str
) -> tuple[ir.Table, list[str]]:
    if breakdown is None:
        return ft, []
    if users is None:
        raise ConfigError(f"funnel: breakdown={breakdown!r} needs the users table (users=...)")
    u = as_table(users, name="users")
    require(u, [col_user, breakdown], table="users")
    u = u.select(_u=u[col_user], _b=u[breakdown].cast("string").fill_null(MISSING))
    j = ft.left_join(u, ft[col_user] == u._u)
    return j.mutate(**{breakdown: j._b.fill_null(MISSING)}).drop("_u", "_b"), [breakdown]


def _units(
    events: TableLike,
    steps: list[str],
    window: str | pd.Timedelta | float | None,
    unit: Unit,
    users: TableLike | None,
    breakdown: str | None,
    col_user: str,
    col_session: str,
    col_time: str,
    col_event: str,
) -> tuple[ir.Table, list[str]]:
    """:func:`funnel_times` with the breakdown column, from the events (a session property)
    or from ``users``, and the columns to group by."""
    ev = as_table(events, name="events")
    on_events = breakdown is not None and users is None and breakdown in ev.columns
    ft = funnel_times(
        ev, steps=steps, window=window, unit=unit, col_user=col_user,
        col_session=col_session, col_time=col_time, col_event=col_event,
        breakdown=breakdown if on_events else None,
    )  # fmt: skip
    if on_events and breakdown is not None:
        return ft, [breakdown]
    return _attach(ft, users, breakdown, col_user)


def funnel(
    events: TableLike,
    *,
    steps: Sequence[str] = DEFAULT_FUNNEL,
    window: str | pd.Timedelta | float | None = "7D",
    unit: Unit = "user",
    users: TableLike | None = None,
    breakdown: str | None = None,
    col_user: str = USER_ID,
    col_session: str = SESSION_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
) -> pd.DataFrame:
    """Conversion and drop-off per step, optionally per value of a user attribute.

    Args:
        events: the events table.
        steps: event names in order. window: see :func:`funnel_times`. unit: ``'user'`` or
            ``'session'``.
        users: the users table; when given, ``breakdown`` is read from it.
        breakdown: an attribute to split the funnel by: a users column (``'age'``,
            ``'channel'``) when ``users`` is given, else an events column (a session
            property such as ``'device'``) read on the entry event.
        col_user, col_session, col_time, col_event: column overrides.

    Returns:
        One row per (breakdown value and) step: ``step`` (1-based), ``event``, ``units``
        (reached it), ``conversion`` (share of entrants), ``step_conversion`` (share of the
        previous step), ``drop_off`` (1 - step_conversion), ``median_hours_from_previous``
        and ``median_hours_from_start`` (time to convert, among units that reached it).
    """
    steps = list(steps)
    ft, by = _units(
        events, steps, window, unit, users, breakdown, col_user, col_session, col_time, col_event
    )
    aggs: dict[str, ir.Value] = {}
    for i in range(len(steps)):
        aggs[f"n{i}"] = ft[f"t{i}"].count()
        if i:
            gap = ft[f"t{i}"].epoch_seconds() - ft[f"t{i - 1}"].epoch_seconds()
            aggs[f"p{i}"] = gap.cast("float64").median()
            aggs[f"s{i}"] = (
                (ft[f"t{i}"].epoch_seconds() - ft.t0.epoch_seconds()).cast("float64").median()
            )
    wide = to_frame(ft.group_by(by).aggregate(**aggs) if by else ft.aggregate(**aggs))
    rows = []
    for _, r in wide.iterrows():  # one row per breakdown value, never per user
        n0 = float(r["n0"])
        for i, ev in enumerate(steps):
            n = float(r[f"n{i}"])
            prev = float(r[f"n{i - 1}"]) if i else n0
            step_conv = n / prev if prev else float("nan")
            rows.append(
                {
                    **{b: r[b] for b in by},
                    "step": i + 1,
                    "event": ev,
                    "units": int(n),
                    "conversion": n / n0 if n0 else float("nan"),
                    "step_conversion": step_conv,
                    "drop_off": 1.0 - step_conv,
                    "median_hours_from_previous": float(r[f"p{i}"]) / 3600 if i else 0.0,
                    "median_hours_from_start": float(r[f"s{i}"]) / 3600 if i else 0.0,
                }
            )
    out = pd.DataFrame(rows)
    return out.sort_values([*by, "step"], ignore_index=True) if len(out) else out


def funnel_by_user(
    events: TableLike,
    *,
    steps: Sequence[str] = DEFAULT_FUNNEL,
    window: str | pd.Timedelta | float | None = "7D",
    unit: Unit = "user",
    users: TableLike | None = None,
    breakdown: str | None = None,
    col_user: str = USER_ID,
    col_session: str = SESSION_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
) -> pd.DataFrame:
    """Per user (and breakdown value): how many of their units reached each step.

    The sessions of one user are not independent (a keen buyer converts in many of them), so
    a test of a funnel difference resamples or clusters users, not sessions: this is the
    table it needs (:func:`~opsai.behavior.findings.funnel_gap`). Arguments as :func:`funnel`.

    Returns:
        One row per (breakdown value and) user: ``user_id`` and ``n0 .. n{k-1}`` (units of the
        user that reached each step).
    """
    steps = list(steps)
    ft, by = _units(
        events, steps, window, unit, users, breakdown, col_user, col_session, col_time, col_event
    )
    aggs = {f"n{i}": ft[f"t{i}"].count() for i in range(len(steps))}
    return to_frame(ft.group_by([*by, col_user]).aggregate(**aggs))


_NOT_DONE = {"fail", "failed", "failure", "error", "cancel", "cancelled", "canceled", "refund",
             "refunded", "abandon", "abandoned", "start", "started", "begin", "attempt",
             "initiated", "click", "view", "shown", "prompt", "dialog"}  # fmt: skip
"""Words of an event name that say the purchase did not (yet) happen: ``purchase_failed``,
``iap_purchase_start``, ``purchase_dialog``."""


def purchase_like(names: Sequence[str]) -> str | None:
    """The event name holding the word purchase when none is the purchase itself: a game's
    ``iap_purchase`` or ``in_app_purchase``, ``PurchaseCompleted``. A name saying it did not
    happen (``purchase_failed``, ``purchase_start``) is never taken; among several, the one
    ending in purchase, then the shortest."""
    cands = [
        n for n in names
        if "purchase" in (w := name_words(n)) and not set(w) & _NOT_DONE
    ]  # fmt: skip
    return min(cands, key=lambda n: (name_words(n)[-1] != "purchase", len(n), n), default=None)


def match_steps(
    events: TableLike, steps: Sequence[str], *, col_event: str = EVENT
) -> tuple[list[str], list[str]]:
    """The funnel steps as the data names them, and the steps the data does not have.

    Each step is matched to an event name of the data exactly, else by
    :func:`~opsai.data.schema.canonical_event` (RetailRocket's ``addtocart`` is the default
    ``add_to_cart``, ``transaction`` is ``purchase``); the purchase step, else, by the word
    purchase in a name (:func:`purchase_like`: a game's ``iap_purchase``).

    Example:
        >>> match_steps(ev, ["visit", "view", "add_to_cart", "purchase"])  # doctest: +SKIP
        (['view', 'addtocart', 'transaction'], ['visit'])
    """
    t = as_table(events, name="events")
    require(t, [col_event], table="events")
    names = [str(n) for n in to_frame(t.select(col_event).distinct())[col_event].dropna()]
    by_canon = {canonical_event(n): n for n in sorted(names)}
    found: list[str] = []
    missing: list[str] = []
    for step in steps:
        name = step if step in names else by_canon.get(canonical_event(step))
        if name is None and canonical_event(step) == "purchase":
            name = purchase_like(names)
        if name is None:
            missing.append(step)
        else:
            found.append(name)
    return found, missing


def funnel_skip_reason(
    events: TableLike | None, wanted: Sequence[str], *, col_event: str = EVENT, top: int = 8
) -> str:
    """Why there is no funnel, naming the data's most common event names and the parameter to
    set (a SaaS product's 'Page Viewed', 'Report Created' are no shop funnel)."""
    if events is None:
        return "the data has no events table"
    t = as_table(events, name="events")
    counts = to_frame(
        t.group_by(col_event).aggregate(n=t.count()).order_by(ibis.desc("n")).limit(top)
    )
    names = [str(e) for e in counts[col_event]]
    have = ", ".join(f"{e} ({n:,})" for e, n in zip(names, counts["n"], strict=True))
    if len(names) < 2:  # a one-step FUNNEL_STEPS is no funnel: say what would make one
        return (
            f"the events hold one kind only ({have or 'none'}), and a funnel needs two steps "
            "or more in order: map an orders table (its orders are then the funnel's purchase "
            "step) or events of other kinds (add to cart, checkout)"
        )
    example = ", ".join(names[:3])
    return (
        f"fewer than two of the FUNNEL_STEPS ({', '.join(wanted)}) are in the events, whose most "
        f"common names are {have or 'none'}. Set chapters.03a_user_behavior.parameters."
        f"FUNNEL_STEPS to your steps in order (e.g. '{example}')"
    )


def with_order_purchases(
    events: TableLike | None,
    orders: TableLike | None,
    steps: str | Sequence[str],
    *,
    unit: Unit = "user",
    col_event: str = EVENT,
    visits: bool = False,
) -> tuple[ir.Table | None, str | None]:
    """The events with each order added as the funnel's purchase step, when the steps name
    one (``purchase``), the events hold none and another step, and ``orders`` is given (a
    click log beside a buy log: YOOCHOOSE's clicks and buys); and a sentence saying so. Else
    the events as they are and None.

    An order is one purchase at its first line's time, by its customer (guest orders are left
    out); counted by session, it belongs to its customer's session that began last before it.
    ``visits``: the user ids are sessions (:func:`~opsai.data.customers.visit_ids`), and the
    sentence says so rather than speak of customers.
    """
    if events is None or orders is None:
        return (None if events is None else as_table(events, name="events")), None
    ev = as_table(events, name="events")
    wanted = (
        [x.strip() for x in steps.split(",") if x.strip()]
        if isinstance(steps, str)
        else list(steps)
    )
    purchase = next((x for x in wanted if canonical_event(x) == "purchase"), None)
    found, missing = match_steps(ev, wanted, col_event=col_event)
    if purchase is None or purchase not in missing or not found:
        return ev, None
    o = as_table(orders, name="orders")
    o = o.filter(o[USER_ID].notnull())
    key = [USER_ID, ORDER_ID] if ORDER_ID in o.columns else [USER_ID, TIMESTAMP]
    bought = o.group_by(key).aggregate(_t=o[TIMESTAMP].min())
    how = "by customer"
    if unit == "session" and SESSION_ID in ev.columns:
        sess = ev.group_by([USER_ID, SESSION_ID]).aggregate(_start=ev[TIMESTAMP].min())
        sess = sess.rename(_u=USER_ID)
        j = bought.join(sess, [bought[USER_ID] == sess._u, sess._start <= bought._t])
        bought = j.group_by([*key, "_t"]).aggregate(_s=j[SESSION_ID].argmax(j._start))
        bought = bought.rename(**{SESSION_ID: "_s"})
        how = "each in its customer's session that began last before it"
    if visits:  # YOOCHOOSE: the user id is the session, there is no customer
        how = "each in the session that placed it: the ids are sessions, not customers"
    bought = bought.mutate(**{TIMESTAMP: bought._t}) if TIMESTAMP not in bought.columns else bought
    cols = {}
    for c, kind in ev.schema().items():
        if c == col_event:
            cols[c] = ibis.literal(purchase).cast(kind)
        elif c in bought.columns:
            cols[c] = bought[c].cast(kind)
        else:
            cols[c] = ibis.null().cast(kind)
    rows = bought.select(**cols)
    n = int(to_frame(rows.aggregate(n=rows.count()))["n"].iloc[0])
    note = (
        f"The events hold no '{purchase}' step: the {n:,} orders are the funnel's "
        f"'{purchase}' step ({how})."
    )
    return ev.union(rows), note


def funnel_unit(
    wanted: str, events: TableLike | None, *, col_session: str = SESSION_ID
) -> tuple[Unit, str | None]:
    """The unit a funnel counts (``FUNNEL_UNIT``) and, when it is not the one asked for, why.

    Sessions need a session id in the events; without one each user's journey is counted
    instead, and the sentence says so (a Retail Rocket export has visitors, no sessions).

    Example:
        >>> funnel_unit("session", pd.DataFrame(columns=["user_id", "event"]))[1][:47]
        "FUNNEL_UNIT is 'session' but the events have no"
        >>> funnel_unit("session", pd.DataFrame(columns=["user_id", "session_id"]))
        ('session', None)
    """
    if wanted not in ("user", "session"):
        raise ConfigError(
            f"chapters.03a_user_behavior.parameters.FUNNEL_UNIT={wanted!r}: use 'session' or 'user'"
        )
    if wanted == "user" or events is None:
        return "user", None
    if col_session in events.columns:
        return "session", None
    return "user", (
        f"FUNNEL_UNIT is 'session' but the events have no {col_session} column: the funnel, its "
        "splits and the paths count users (each user's journey from their first step) instead. "
        f"Map data.tables.events.columns.{col_session} to count sessions."
    )


def overall_conversion(table: pd.DataFrame) -> float:
    """Share of entrants reaching the last step, from an un-split :func:`funnel` table."""
    if table.empty:
        return float("nan")
    last = table[table["step"] == table["step"].max()]["units"].sum()
    first = table[table["step"] == 1]["units"].sum()
    return float(last / first) if first else float("nan")


def optional_steps(
    events: TableLike,
    *,
    steps: Sequence[str],
    window: str | pd.Timedelta | float | None = "7D",
    unit: Unit = "user",
    col_user: str = USER_ID,
    col_session: str = SESSION_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
) -> pd.DataFrame:
    """What the strict funnel hides when its middle steps are optional (Taobao's ``fav`` and
    ``cart`` before ``buy``): how many entrants reach the last step within the window
    whatever steps come between, and per middle step the last step's rate among entrants
    who took that step on the way and among those who did not.

    Returns:
        One row per middle step: ``event``, ``entrants``, ``reached`` (entrants reaching the
        last step, any path), ``reach`` (their share), ``took`` (entrants taking the step
        before the last), ``took_reached``, ``rate_took`` and ``rate_not`` (the last step's
        rate among the others; they may take the step after it); empty for two steps.
    """
    steps = list(steps)
    kw = {"window": window, "unit": unit, "col_user": col_user, "col_session": col_session,
          "col_time": col_time, "col_event": col_event}  # fmt: skip
    if len(steps) < 3:
        return pd.DataFrame()
    direct = funnel(events, steps=[steps[0], steps[-1]], **kw)  # type: ignore[arg-type]
    entrants, reached = (int(x) for x in direct["units"])
    rows = []
    for mid in steps[1:-1]:
        via = funnel(events, steps=[steps[0], mid, steps[-1]], **kw)  # type: ignore[arg-type]
        took, took_reached = int(via["units"].iloc[1]), int(via["units"].iloc[2])
        rest = entrants - took
        rows.append(
            {
                "event": mid,
                "entrants": entrants,
                "reached": reached,
                "reach": reached / entrants if entrants else float("nan"),
                "took": took,
                "took_reached": took_reached,
                "rate_took": took_reached / took if took else float("nan"),
                "rate_not": (reached - took_reached) / rest if rest else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def _ordered(
    events: TableLike, keys: list[str], col_time: str, col_event: str, collapse: bool
) -> ir.Table:
    t = as_table(events, name="events")
    require(t, [*keys, col_time, col_event], table="events")
    t = t.select(*keys, _ts=t[col_time], _ev=t[col_event].cast("string"))
    w = ibis.window(group_by=[t[k] for k in keys], order_by=[t._ts, t._ev])
    if collapse:
        t = t.mutate(_prev=t._ev.lag().over(w))
        t = t.filter(t._prev.isnull() | (t._prev != t._ev)).drop("_prev")
        w = ibis.window(group_by=[t[k] for k in keys], order_by=[t._ts, t._ev])
    return t.mutate(_pos=ibis.row_number().over(w), _next=t._ev.lead().over(w))


def _duckdb_version() -> tuple[int, ...]:
    import duckdb

    return tuple(int(p) for p in re.findall(r"\d+", duckdb.__version__)[:2])


def _paths_duckdb(
    events: TableLike,
    keys: list[str],
    col_time: str,
    col_event: str,
    max_steps: int,
    sep: str,
    collapse: bool,
) -> ir.Table | None:
    """One ``path`` per unit from a single grouped pass, on a DuckDB table (else ``None``).

    Each unit's events are gathered into one time-ordered list, repeats are collapsed with a
    list filter and the list is cut to ``max_steps``: one hash aggregation instead of two
    window sorts over every event (about half the CPU time on 10M events). Ibis writes list
    lambdas in the arrow syntax DuckDB 2 rejects, so this pass is written in SQL; in-memory
    frames, other engines and DuckDB before 1.3 take the portable window path.
    """
    if not isinstance(events, ir.Table) or events.op().find(ops.InMemoryTable):
        return None
    try:
        be = events.get_backend()
    except Exception:  # an unbound table
        return None
    if getattr(be, "name", None) != "duckdb" or _duckdb_version() < (1, 3):
        return None  # DuckDB < 1.3 has no `lambda x, i:` syntax
    require(events, [*keys, col_time, col_event], table="events")
    sel = events.select(
        **{f"_k{j}": events[k] for j, k in enumerate(keys)},
        _ts=events[col_time],
        _ev=events[col_event].cast("string"),
    )
    lst = "list_filter(l, lambda x, i: i = 1 OR x <> l[i - 1])" if collapse else "l"
    by = ", ".join(f"_k{j}" for j in range(len(keys)))
    quoted = "'" + sep.replace("'", "''") + "'"
    sql = (
        f"SELECT array_to_string(({lst})[1:{int(max_steps)}], {quoted}) AS path FROM "
        f"(SELECT list(_ev ORDER BY _ts, _ev) FILTER (WHERE _ev IS NOT NULL) AS l "
        f"FROM ({be.compile(sel)}) AS _e GROUP BY {by}) AS _p"
    )
    # the schema is given, so ibis does not DESCRIBE the query (that leaves a DuckDB 2
    # result open and blocks the connection)
    return be.sql(sql, schema=ibis.schema({"path": "string"}))


def top_paths(
    events: TableLike,
    *,
    unit: Unit = "session",
    max_steps: int = 5,
    top: int = 10,
    collapse_repeats: bool = True,
    sep: str = " > ",
    col_user: str = USER_ID,
    col_session: str = SESSION_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
) -> pd.DataFrame:
    """The most frequent event sequences (their first ``max_steps`` events) per unit.

    Args:
        events: the events table. unit: ``'session'`` or ``'user'``.
        max_steps: events kept from the start of each unit's sequence.
        top: how many paths to return.
        collapse_repeats: merge consecutive identical events (view, view -> view).
        sep: separator in the path string.
        col_user, col_session, col_time, col_event: column overrides.

    Returns:
        ``path``, ``units`` and ``share`` (of all units), most frequent first.
    """
    if max_steps < 1 or top < 1:
        raise ConfigError(f"top_paths: max_steps and top must be >= 1, got {max_steps}, {top}")
    keys = _keys(unit, col_user, col_session)
    per = _paths_duckdb(events, keys, col_time, col_event, max_steps, sep, collapse_repeats)
    if per is None:  # any other engine: window functions
        t = _ordered(events, keys, col_time, col_event, collapse_repeats)
        t = t.filter(t._pos < max_steps)
        per = t.group_by(keys).aggregate(path=t._ev.group_concat(sep=sep, order_by=[t._pos]))
    counts = per.group_by("path").aggregate(units=per.count())
    total = counts.units.sum().as_scalar()
    counts = counts.mutate(share=counts.units.cast("float64") / total)
    out = to_frame(counts.order_by([ibis.desc("units"), "path"]).limit(top))
    out["units"] = out["units"].astype(int)
    return out


def path_links(
    events: TableLike,
    *,
    unit: Unit = "session",
    max_steps: int = 5,
    collapse_repeats: bool = True,
    col_user: str = USER_ID,
    col_session: str = SESSION_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
) -> pd.DataFrame:
    """Step-to-step transitions for a Sankey diagram.

    Returns:
        ``position`` (0-based step), ``source``, ``target`` (``'(exit)'`` when the sequence
        ends) and ``units``.
    """
    keys = _keys(unit, col_user, col_session)
    t = _ordered(events, keys, col_time, col_event, collapse_repeats)
    t = t.filter(t._pos < max_steps)
    last = t._pos == max_steps - 1
    t = t.mutate(_tgt=ibis.ifelse(last, ibis.null("string"), t._next).fill_null(EXIT))
    g = t.group_by(position=t._pos, source=t._ev, target=t._tgt).aggregate(units=t.count())
    out = to_frame(g.order_by(["position", ibis.desc("units"), "source", "target"]))
    out["position"] = out["position"].astype(int)
    out["units"] = out["units"].astype(int)
    return out


def breakdown_candidates(
    events: TableLike,
    users: TableLike | None = None,
    *,
    max_levels: int = 12,
    exclude: Sequence[str] = (USER_ID, SESSION_ID, TIMESTAMP, EVENT, "item_id", "signup_at"),
    left_out: Collection[str] = (),
    unit: Unit | None = None,
    constant_share: float = 0.95,
) -> list[tuple[str, str]]:
    """Text columns worth splitting a funnel by: ``(column, 'events' | 'users')`` pairs.

    Event properties (e.g. ``device``) come first, then user attributes not already seen;
    only columns with 2..``max_levels`` distinct values qualify (counted in the engine).
    An event property must describe the journey, not an item in it: of the units holding
    two or more values of it, at least ``constant_share`` hold a single one (a session's
    ``device`` or ``country``). A product's ``category_code`` or ``brand`` changes from one
    viewed item to the next; a session labelled by one of them compares long sessions (which
    view many categories) with one-view bounces, not categories.

    Args:
        unit: the funnel's unit; ``None``: sessions when the events have a ``session_id``,
            else users.
        left_out: users columns the churn model leaves out, the third value of
            :func:`~opsai.behavior.attributes.model_attributes` (a lifecycle ``status`` of
            active/cancelled, a ``Total Orders`` restating the whole order history): they say
            who has left rather than who converts, so a funnel split by them would read "fix
            the checkout for status=cancelled". They are not offered from ``users``. Columns
            named like an outcome (:func:`~opsai.behavior.attributes.outcome_name`: Cookie
            Cats' ``retention_7``, a player who came back on day 7 has had more days to buy)
            are never offered either: "fix the purchase step for retention_7=False" is no
            lever (byod13a D13).
    """

    out: list[tuple[str, str]] = []
    for src, obj in (("events", events), ("users", users)):
        if obj is None:
            continue
        t = as_table(obj, name=src)
        skip = {*exclude, *(left_out if src == "users" else ())}
        cols = [c for c, dt in t.schema().items()
                if c not in skip and (dt.is_string() or dt.is_boolean()) and not outcome_name(c)
                and c not in {o[0] for o in out}]  # fmt: skip
        if not cols:
            continue
        n = to_frame(t.aggregate(**{c: t[c].nunique() for c in cols})).iloc[0]
        cols = [c for c in cols if 2 <= int(n[c]) <= max_levels]
        if src == "events" and cols:
            if unit is None:
                unit = "session" if SESSION_ID in t.columns else "user"
            cols = _constant_within(t, cols, _keys(unit, USER_ID, SESSION_ID), constant_share)
        out += [(c, src) for c in cols]
    return out


def _constant_within(t: ir.Table, cols: list[str], keys: list[str], share: float) -> list[str]:
    """The columns that hold one value in at least ``share`` of the units holding two or
    more non-null values of them (counted in the engine)."""
    require(t, keys, table="events")
    g = t.group_by(keys).aggregate(
        **{f"_n{i}": t[c].nunique() for i, c in enumerate(cols)},
        **{f"_k{i}": t[c].count() for i, c in enumerate(cols)},
    )
    agg = {}
    for i in range(len(cols)):
        many = g[f"_k{i}"] >= 2
        agg[f"m{i}"] = ibis.ifelse(many, 1, 0).sum()
        agg[f"v{i}"] = ibis.ifelse(many & (g[f"_n{i}"] > 1), 1, 0).sum()
    r = to_frame(g.aggregate(**agg)).iloc[0]
    m = [int(r[f"m{i}"] or 0) for i in range(len(cols))]
    v = [int(r[f"v{i}"] or 0) for i in range(len(cols))]
    return [c for c, mi, vi in zip(cols, m, v, strict=True) if vi <= (1 - share) * mi]
