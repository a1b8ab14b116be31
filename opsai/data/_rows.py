"""Row options of a table's config: ``where`` keeps the rows a condition holds for,
``drop_duplicates`` the first of rows that repeat in every column, and ``fill_down`` carries a
group's values (an order's, written on its first line only) to its other rows."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import ibis
import ibis.expr.types as ir

from opsai.config import TableSpec
from opsai.data import _load
from opsai.data._load import q
from opsai.data._mapping import ValidationWarning, rows_out, suggest
from opsai.data.schema import TABLES
from opsai.errors import SchemaError


def _fail(name: str, cond: str, err: Exception, columns: list[str]) -> SchemaError:
    msg = " ".join(str(err).split())[:240]
    return SchemaError(
        f"{name}: the condition data.tables.{name}.where ({cond!r}) cannot be applied: {msg}. "
        f"It is SQL over the table as loaded, whose columns are: {', '.join(columns)} "
        "(mapped columns by their contract names; quote text: status = 'paid')"
    )


def where_file(con: duckdb.DuckDBPyConnection, name: str, cond: str) -> tuple[int, int]:
    """Keep the rows of the loaded table ``name`` for which ``cond`` holds (in file order);
    returns the rows before and after."""
    columns = [r[0] for r in con.execute(f"DESCRIBE {q(name)}").fetchall()]
    before = con.execute(f"SELECT count(*) FROM {q(name)}").fetchall()[0][0]
    try:
        con.execute(f"CREATE OR REPLACE TABLE {q(name)} AS SELECT * FROM {q(name)} WHERE ({cond})")
    except duckdb.Error as e:
        raise _fail(name, cond, e, columns) from None
    after = con.execute(f"SELECT count(*) FROM {q(name)}").fetchall()[0][0]
    return int(before), int(after)


def where_said(name: str, cond: str, total: int, kept: int) -> ValidationWarning | None:
    """The warning counting the rows data.tables.<name>.where (``cond``) left out, None when
    it left none out.

    Raises:
        SchemaError: it holds for no row.
    """
    if total and not kept:
        raise SchemaError(
            f"{name}: the condition data.tables.{name}.where ({cond!r}) holds for none of its "
            f"{total:,} rows. Check the spelling and case of the values it compares "
            "(status = 'paid' does not match 'Paid')"
        )
    if kept == total:  # nothing left out: nothing to say
        return None
    return ValidationWarning(
        name,
        None,
        f"{rows_out(total, kept)} left out by data.tables.{name}.where ({cond})",
        total - kept,
    )


def read_columns(cond: str) -> set[str]:
    """The column names a ``where`` condition reads (empty when it does not parse)."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(cond, read="duckdb")
    except sqlglot.errors.ParseError:
        return set()
    return {c.name for c in tree.find_all(exp.Column)}


def where_on_rows_read(
    name: str,
    spec: TableSpec,
    have: list[str],
    as_read: Callable[[list[str]], bool] | None = None,
) -> bool:
    """Whether ``where`` applies to the rows as read (``have``: the file's columns), before
    ``drop_duplicates`` and the casts: every column it reads is the file's own, and one of
    them is mapped to a contract column, so gone from the loaded table (``Day NOT LIKE
    'Total%'`` with Day the period: a report's ``Total: Account`` footer, which no date cast
    reads, byod12b D11). So does, given ``as_read`` (whether attribute columns are loaded as
    they are read: text stays text) and no ``fill_down``, one whose every column is loaded
    as read: the rows it leaves out are then not cast, and it reads the same there (Google
    Play's ``Category = 'PHOTOGRAPHY'``, mapped as the category or an attribute, leaves out
    a shifted row whose price is ``Everyone``; byod13b D4). Any other condition reads the
    table as loaded."""
    if not spec.where:
        return False
    read = {c.lower() for c in read_columns(spec.where)}
    if not read or not read <= {h.lower() for h in have}:
        return False
    kept = {c.lower() for c in (*TABLES[name].names, *spec.columns)}
    mapped = {v.lower() for v in spec.columns.values()} - kept
    if read & mapped:
        return True
    if as_read is None or spec.fill_down:  # the condition reads the filled values
        return False
    return _loaded_as_read(name, spec, [h for h in have if h.lower() in read], as_read)


def _loaded_as_read(
    name: str, spec: TableSpec, cols: list[str], as_read: Callable[[list[str]], bool]
) -> bool:
    """Whether the file's columns ``cols`` hold the same values in the loaded table: each is
    mapped (or named) as a contract id or text column, or is an attribute ``as_read`` keeps
    as it is read."""
    table = TABLES[name]
    contract = {spec.columns.get(c.name, c.name): c for c in table.columns}
    if any(c in contract and contract[c].dtype not in ("id", "string") for c in cols):
        return False  # a number, a date: the condition may compare it as one
    return as_read([c for c in cols if c not in contract])


def where_rows_read(
    con: duckdb.DuckDBPyConnection, name: str, spec: TableSpec, raw: str, kind: str
) -> tuple[int, int]:
    """Replace ``raw`` (a TABLE or VIEW of the rows as read) by a table of the rows
    ``spec.where`` holds for, in file order; returns the rows before and after."""
    cond = str(spec.where)
    columns = [r[0] for r in con.execute(f"DESCRIBE {q(raw)}").fetchall()]
    tmp = q(raw + "_where")
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * FROM {q(raw)} WHERE ({cond})")
    except duckdb.Error as e:
        msg = " ".join(str(e).split())[:240]
        read = {c.lower() for c in read_columns(cond)}
        mapped = [(k, v) for k, v in spec.columns.items() if v.lower() in read]
        table = TABLES[name]
        numbers = [
            v for k, v in mapped if k in table.names and table.column(k).dtype in ("float", "int")
        ]
        first = (numbers or [v for _, v in mapped] or ["Cost"])[0]
        typed = ", ".join(f"{k} (for {v})" for k, v in mapped)
        raise SchemaError(
            f"{name}: the condition data.tables.{name}.where ({cond!r}) cannot be applied: "
            f"{msg}. It reads a mapped column by the file's own name, so it runs on the rows "
            f"as read, before the casts (columns: {', '.join(columns)}; a CSV's values are "
            f"text there): cast them (TRY_CAST({first} AS DOUBLE) > 0), or name the contract "
            f"column, which is typed: {typed}"
        ) from None
    before = con.execute(f"SELECT count(*) FROM {q(raw)}").fetchall()[0][0]
    after = con.execute(f"SELECT count(*) FROM {tmp}").fetchall()[0][0]
    con.execute(f"DROP {kind} {q(raw)}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {q(raw)}")
    return int(before), int(after)


def where_database(backend: Any, t: ir.Table, name: str, cond: str) -> tuple[ir.Table, int, int]:
    """``t`` less the rows ``cond`` does not hold for, as a temporary view in the database
    (SQL in its own dialect); returns the view and the rows before and after."""
    view = f"opsai_where_{name}"
    try:
        cur = backend.raw_sql(
            f"CREATE OR REPLACE TEMP VIEW {q(view)} AS "
            f"SELECT * FROM ({ibis.to_sql(t, dialect=backend.name)}) AS src WHERE ({cond})"
        )
        if backend.name != "duckdb":  # DuckDB hands back its connection itself
            cur.close()
        out = backend.table(view)
        before, after = int(t.count().execute()), int(out.count().execute())
    except Exception as e:  # the backend's own error type: a bad column or syntax
        raise _fail(name, cond, e, list(t.columns)) from None
    return out, before, after


def drop_duplicate_rows(
    con: duckdb.DuckDBPyConnection, raw: str, columns: list[str], kind: str
) -> tuple[int, int]:
    """Replace ``raw`` (a TABLE or VIEW) by a table keeping the first of the rows that repeat
    in every one of ``columns``, in file order; returns the rows before and after."""
    cols = ", ".join(q(c) for c in columns)
    tmp = q(raw + "_unique")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * EXCLUDE (_opsai_row) FROM "
        f"(SELECT *, row_number() OVER () AS _opsai_row FROM {q(raw)}) "
        f"QUALIFY row_number() OVER (PARTITION BY {cols} ORDER BY _opsai_row) = 1 "
        "ORDER BY _opsai_row"
    )
    before = con.execute(f"SELECT count(*) FROM {q(raw)}").fetchall()[0][0]
    after = con.execute(f"SELECT count(*) FROM {tmp}").fetchall()[0][0]
    con.execute(f"DROP {kind} {q(raw)}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {q(raw)}")
    return int(before), int(after)


def _fill_names(name: str, spec: TableSpec, have: list[str]) -> tuple[str, list[str]]:
    """The source columns of ``fill_down.by`` and ``fill_down.columns``: each is named by its
    own name, or by the contract name it is mapped to."""
    assert spec.fill_down is not None
    out = []
    for c in (spec.fill_down.by, *spec.fill_down.columns):
        src = spec.columns.get(c, c)
        parts = next(((a, b) for t, a, b in TABLES[name].derived if t == c), None)
        if src not in have and parts and all(spec.columns.get(p, p) in have for p in parts):
            cols = [spec.columns.get(p, p) for p in parts]
            raise SchemaError(
                f"{name}: data.tables.{name}.fill_down names {c!r}, which is not a column of "
                f"the data: {c} is {parts[0]} x {parts[1]} here ({', '.join(cols)}). Name "
                f"those columns, if they are the order's and written on its first line only"
            )
        if src not in have:
            raise SchemaError(
                f"{name}: data.tables.{name}.fill_down names {c!r}, which is not a column of "
                f"the data (have: {', '.join(have)}){suggest(src, have)}. Write a column's own "
                "name, or the contract name it is mapped to"
            )
        out.append(src)
    return out[0], out[1:]


def _conflict(name: str, by: str, col: str, groups: int, example: tuple[Any, ...]) -> SchemaError:
    key, a, b = example
    return SchemaError(
        f"{name}: data.tables.{name}.fill_down: {col!r} has two different values within "
        f"{groups:,} group(s) of {by!r}, e.g. {key!r} has {a!r} and {b!r}, so the value to carry "
        f"to its empty rows is unclear. Fix: group by the order number (fill_down.by), or "
        f"leave {col!r} out of fill_down.columns if it is not one value per group"
    )


def _filled(name: str, by: str, cols: list[str], total: int, filled: int) -> ValidationWarning:
    return ValidationWarning(
        name,
        None,
        f"{rows_out(total, total - filled)} took {', '.join(cols)} "
        f"from another row of their {by} (data.tables.{name}.fill_down)",
        filled,
    )


def fill_down_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    spec: TableSpec,
    raw: str,
    kind: str,
    rawtypes: dict[str, str],
) -> ValidationWarning | None:
    """Replace ``raw`` (a TABLE or VIEW) by a table, in file order, whose ``fill_down``
    columns take their group's value where they are empty (blank, or one of ``na_values``);
    a note of the rows filled, if any.

    Raises:
        SchemaError: a named column is missing, or a group has two different values.
    """
    by, cols = _fill_names(name, spec, list(rawtypes))

    def value(c: str) -> str:  # the value, NULL when empty
        v = _load._na(q(c), spec)
        return f"CASE WHEN trim(CAST({v} AS VARCHAR)) = '' THEN NULL ELSE {v} END"

    key = f"NULLIF(trim(CAST({_load._na(q(by), spec)} AS VARCHAR)), '')"
    grouped = f"SELECT {key} AS k, {', '.join(f'{value(c)} AS {q(c)}' for c in cols)} FROM {q(raw)}"
    counts = ", ".join(f"count(DISTINCT {q(c)}) AS {q(c)}" for c in cols)
    per_group = f"SELECT {counts} FROM ({grouped}) WHERE k IS NOT NULL GROUP BY k"
    clashing = ", ".join(f"count(*) FILTER (WHERE {q(c)} > 1)" for c in cols)
    clashes = con.execute(f"SELECT {clashing} FROM ({per_group})").fetchall()[0]
    for c, n in zip(cols, clashes, strict=True):
        if n:
            ex = con.execute(
                f"SELECT k, CAST(min({q(c)}) AS VARCHAR), CAST(max({q(c)}) AS VARCHAR) FROM "
                f"({grouped}) WHERE k IS NOT NULL GROUP BY k HAVING count(DISTINCT {q(c)}) > 1 "
                "ORDER BY k LIMIT 1"
            ).fetchall()[0]
            raise _conflict(name, by, c, int(n), ex)
    group = {c: f"max({value(c)}) OVER g" for c in cols}
    fills = ", ".join(
        f"CASE WHEN {key} IS NULL THEN {q(c)} ELSE coalesce({value(c)}, {group[c]}) END AS {q(c)}"
        for c in cols
    )
    took = " OR ".join(f"({value(c)} IS NULL AND {group[c]} IS NOT NULL)" for c in cols)
    tmp = q(raw + "_filled")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * EXCLUDE (_opsai_row) REPLACE ({fills}), "
        f"coalesce({key} IS NOT NULL AND ({took}), false) AS _opsai_took "
        f"FROM (SELECT *, row_number() OVER () AS _opsai_row FROM {q(raw)}) "
        f"WINDOW g AS (PARTITION BY {key}) ORDER BY _opsai_row"
    )
    total, filled = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _opsai_took) FROM {tmp}"
    ).fetchall()[0]
    con.execute(f"ALTER TABLE {tmp} DROP COLUMN _opsai_took")
    con.execute(f"DROP {kind} {q(raw)}")
    con.execute(f"ALTER TABLE {tmp} RENAME TO {q(raw)}")
    return _filled(name, by, cols, int(total), int(filled)) if filled else None


def fill_down_database(
    t: ir.Table, name: str, spec: TableSpec
) -> tuple[ir.Table, ValidationWarning | None]:
    """:func:`fill_down_file` on a database table, lazily (the engine's own SQL)."""
    by, cols = _fill_names(name, spec, list(t.columns))
    key = t[by].cast("string").strip().nullif("")

    def value(c: str) -> ir.Value:
        v = t[c]
        return ibis.ifelse(v.cast("string").strip() == "", ibis.null(v.type()), v)

    values = {c: value(c) for c in cols}
    keyed = t.filter(key.notnull())
    per_group = keyed.group_by(_k=key).aggregate(
        **{f"n{i}": values[c].nunique() for i, c in enumerate(cols)}
    )
    clashes = per_group.aggregate(
        **{f"n{i}": (per_group[f"n{i}"] > 1).sum() for i in range(len(cols))}
    ).execute()
    for i, c in enumerate(cols):
        n = int(clashes[f"n{i}"].iloc[0] or 0)
        if n:
            ex = (
                keyed.group_by(_k=key)
                .aggregate(n=values[c].nunique(), a=values[c].min(), b=values[c].max())
                .filter(lambda g: g.n > 1)
                .order_by("_k")
                .limit(1)
                .execute()
                .iloc[0]
            )
            raise _conflict(name, by, c, n, (ex["_k"], str(ex["a"]), str(ex["b"])))
    group = {c: values[c].max().over(group_by=key) for c in cols}
    took = ibis.or_(*(values[c].isnull() & group[c].notnull() for c in cols))
    out = t.mutate(
        **{c: ibis.ifelse(key.isnull(), t[c], values[c].coalesce(group[c])) for c in cols},
        _opsai_took=(key.notnull() & took).fill_null(False),
    )
    counts = out.aggregate(total=out.count(), filled=out._opsai_took.sum()).execute()
    total, filled = int(counts["total"].iloc[0]), int(counts["filled"].iloc[0] or 0)
    out = out.drop("_opsai_took")
    return out, (_filled(name, by, cols, total, filled) if filled else None)


def _message_names(name: str, spec: TableSpec, have: list[str]) -> tuple[str, str]:
    """The loaded columns of ``messages.by`` and ``messages.sender``: each is named by its own
    name, or by the contract name it is mapped to (then it is loaded under that name)."""
    assert spec.messages is not None
    out = []
    for field in ("by", "sender"):
        c = getattr(spec.messages, field)
        mapped = [k for k, v in spec.columns.items() if v == c]
        col = c if c in have else next((k for k in mapped if k in have), None)
        if col is None:
            raise SchemaError(
                f"{name}: data.tables.{name}.messages.{field} names {c!r}, which is not a "
                f"column of the data (have: {', '.join(have)}){suggest(c, have)}. Write the "
                "column's own name (the conversation id for by, who wrote the message for "
                "sender)"
            )
        out.append(col)
    if out[0] == out[1]:
        raise SchemaError(
            f"{name}: data.tables.{name}.messages: by and sender are the same column "
            f"{out[0]!r}; by is the conversation id, sender who wrote each message"
        )
    return out[0], out[1]


def _message_paths(spec: TableSpec, have: list[str]) -> dict[str, list[str]]:
    """``messages.by``/``sender`` written as a dotted path into a loaded object column
    (Intercom's ``author.type``), as ``columns`` accept them: path -> its steps."""
    assert spec.messages is not None
    out = {}
    for c in (spec.messages.by, spec.messages.sender):
        steps = c.split(".")
        if c not in have and len(steps) > 1 and steps[0] in have and all(steps):
            out[c] = steps
    return out


def _bad_path(name: str, spec: TableSpec, path: str, err: Exception) -> SchemaError:
    assert spec.messages is not None
    field = "by" if path == spec.messages.by else "sender"
    msg = " ".join(str(err).split())[:200]
    return SchemaError(
        f"{name}: data.tables.{name}.messages names the path {path!r}, which does not lead to "
        f"a field of {path.split('.')[0]!r}: {msg}. Fix the path (column.field) in "
        f"data.tables.{name}.messages.{field}"
    )


def _no_customer(name: str, sender: str, customer: list[str], seen: list[str]) -> SchemaError:
    return SchemaError(
        f"{name}: data.tables.{name}.messages.customer ({', '.join(map(repr, customer))}) "
        f"matches no value of {sender!r}, whose values are e.g. {', '.join(map(repr, seen))}. "
        "Set customer to the value that marks the customer's messages"
    )


BOT_SENDERS = ("bot", "system", "automated", "auto", "robot", "workflow", "机器人", "系统")
"""``sender`` values (in any case) that are no staff when ``messages.staff`` is not set: a
bot's auto-close message is no reply, and its timer would be every ticket's resolution."""


ACKNOWLEDGEMENT = (
    r"(?:[\s[:punct:]，。！？、～…]|\b(?:ok|okay|okey|kk|k|thanks|thank|thx|ty|tks|you|u|so|very|"
    r"much|a|lot|many|cheers|great|perfect|fine|good|cool|got|it|sure|yes|yep|yeah|alright|all|"
    r"right|noted|understood|appreciated?|bye)\b|好的|好|谢谢|多谢|谢了|嗯|哦|收到|知道了|行|可以|"
    r"了|啦|哈|👍|🙏|😊)+"
)
"""A customer's message made only of these words and punctuation (``ok thanks``, ``好的谢谢``,
HTML tags aside, 60 characters at most) is an acknowledgement: it is left out of the ticket's
text unless all the customer's messages are, so a follow-up "ok thanks" does not make every
request type a second topic."""


def _ack_sql(text: str) -> str:
    bare = f"trim(lower(regexp_replace(CAST({text} AS VARCHAR), '<[^>]*>|&[a-z#0-9]+;', ' ', 'g')))"
    return (
        f"coalesce(length({bare}) <= 60 AND regexp_full_match({bare}, "
        f"{_load.lit(ACKNOWLEDGEMENT)}), false)"
    )


def _is_staff(value: str, staff: list[str] | None, customer: list[str]) -> bool:
    if staff is not None:
        return value in staff
    return value not in customer and value.lower() not in BOT_SENDERS


def _staff_sql(sender: str, staff: list[str] | None, is_cust: str) -> str:
    s = f"trim(CAST({q(sender)} AS VARCHAR))"
    if staff is not None:
        return f"coalesce({s} IN ({', '.join(map(_load.lit, staff))}), false)"
    bots = ", ".join(map(_load.lit, BOT_SENDERS))
    return f"coalesce(NOT ({is_cust}) AND lower({s}) NOT IN ({bots}), false)"


def _check_staff(
    name: str, sender: str, staff: list[str] | None, others: list[tuple[str, int]]
) -> None:
    if staff is not None and not set(staff) & {v for v, _ in others}:
        raise SchemaError(
            f"{name}: data.tables.{name}.messages.staff ({', '.join(map(repr, staff))}) "
            f"matches no value of {sender!r} but the customer's, whose other values are "
            f"{', '.join(repr(v) for v, _ in others[:5]) or 'none'}. Set staff to the value(s) "
            "that mark the staff's replies"
        )


def _grouped(
    name: str,
    by: str,
    sender: str,
    customer: list[str],
    counts: tuple[int, int, int, int, int],
    derived: bool,
    others: Sequence[tuple[str, int]] = (),
    staff: list[str] | None = None,
    acks: int = 0,
) -> ValidationWarning:
    rows, convs, cust, kept, nokey = counts
    text = (
        f"{rows:,} message(s) grouped into {kept:,} ticket(s), one per {by} "
        f"(data.tables.{name}.messages): a ticket's text is its customer's messages "
        f"({sender} = {' / '.join(customer)}; {cust:,} message(s)) in time order"
    )
    if acks:
        text += (
            f", less {acks:,} acknowledgement(s) (messages such as 'ok thanks' beside a "
            "customer's other messages)"
        )
    if rows > cust:
        yes = [f"{v} {n:,}" for v, n in others if _is_staff(v, staff, customer)]
        no = [f"{v} {n:,}" for v, n in others if not _is_staff(v, staff, customer)]
        who = f"staff: {', '.join(yes) or 'none'}"
        if no:
            who += f"; not staff: {', '.join(no)}, set messages.staff to count them"
        text += f"; the other {rows - cust:,} ({who}) are left out of the text"
        if derived:
            text += ", and the last staff reply's time is the ticket's resolved_at"
    elif derived:  # a where kept the customer's messages only: no reply to time
        text += "; no staff reply is left, so resolved_at is empty"
    if convs > kept:
        text += f"; {convs - kept:,} conversation(s) without a customer message left out"
    if nokey:
        text += f"; {nokey:,} message(s) without a {by} left out"
    return ValidationWarning(name, None, text, rows - kept)


def messages_file(con: duckdb.DuckDBPyConnection, name: str, spec: TableSpec) -> ValidationWarning:
    """Replace the loaded message log ``name`` by one row per conversation
    (``data.tables.<name>.messages``): the customer's texts joined in time order, the first
    message's time, the last staff reply's time as ``resolved_at`` unless that is mapped.

    Raises:
        SchemaError: a named column is missing, or no message is the customer's.
    """
    assert spec.messages is not None
    have = [r[0] for r in con.execute(f"DESCRIBE {q(name)}").fetchall()]
    for path, steps in _message_paths(spec, have).items():  # author.type: a field of author
        expr = q(steps[0])
        for f in steps[1:]:
            expr = f"struct_extract({expr}, {_load.lit(f)})"
        try:
            con.execute(
                f"CREATE OR REPLACE TABLE {q(name)} AS SELECT *, {expr} AS {q(path)} FROM {q(name)}"
            )
        except duckdb.Error as e:
            raise _bad_path(name, spec, path, e) from None
        have.append(path)
    by, sender = _message_names(name, spec, have)
    customer = spec.messages.customer
    is_cust = f"trim(CAST({q(sender)} AS VARCHAR)) IN ({', '.join(map(_load.lit, customer))})"
    if not con.execute(f"SELECT count(*) FROM {q(name)} WHERE {is_cust}").fetchall()[0][0]:
        seen = [
            str(r[0])
            for r in con.execute(
                f"SELECT DISTINCT {q(sender)} FROM {q(name)} WHERE {q(sender)} IS NOT NULL "
                "ORDER BY 1 LIMIT 5"
            ).fetchall()
        ]
        raise _no_customer(name, sender, customer, seen)
    staff = spec.messages.staff
    others = [
        (str(r[0]), int(r[1]))
        for r in con.execute(
            f"SELECT trim(CAST({q(sender)} AS VARCHAR)), count(*) FROM {q(name)} WHERE NOT "
            f"coalesce({is_cust}, false) AND {q(sender)} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1"
        ).fetchall()
    ]
    _check_staff(name, sender, staff, others)
    ts = "timestamp" in have
    order = f"ORDER BY {'timestamp, ' if ts else ''}_opsai_row"
    derived = ts and "resolved_at" not in have
    key = f"NULLIF(trim(CAST({q(by)} AS VARCHAR)), '')"
    aggs = [f"{key} AS ticket_id"]
    for c in have:
        if c in (by, sender, "ticket_id"):
            continue
        if c == "text":
            aggs.append(
                f"coalesce(string_agg(text, chr(10) {order}) FILTER (WHERE _opsai_cust AND NOT "
                f"_opsai_ack), string_agg(text, chr(10) {order}) FILTER (WHERE _opsai_cust)) AS text"
            )
            aggs.append(
                "CASE WHEN bool_or(_opsai_cust AND NOT _opsai_ack) THEN count(*) FILTER (WHERE "
                "_opsai_cust AND _opsai_ack) ELSE 0 END AS _acks"
            )
        elif c == "timestamp":
            aggs.append("min(timestamp) AS timestamp")
        elif c == "resolved_at" and not derived:
            aggs.append("max(resolved_at) AS resolved_at")
        elif c == "resolved_at":
            continue
        elif c == "user_id":  # the customer's, else any row's
            aggs.append(
                f"coalesce(first(user_id {order}) FILTER (WHERE _opsai_cust AND user_id IS NOT "
                f"NULL), first(user_id {order}) FILTER (WHERE user_id IS NOT NULL)) AS user_id"
            )
        else:
            aggs.append(f"first({q(c)} {order}) FILTER (WHERE {q(c)} IS NOT NULL) AS {q(c)}")
    if derived:
        aggs.append("max(timestamp) FILTER (WHERE _opsai_staff) AS resolved_at")
    tmp = q(name + "_tickets")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * EXCLUDE (_first) FROM (SELECT "
        f"{', '.join(aggs)}, min(_opsai_row) AS _first FROM (SELECT *, row_number() OVER () "
        f"AS _opsai_row, coalesce({is_cust}, false) AS _opsai_cust, "
        f"{_staff_sql(sender, staff, is_cust)} AS _opsai_staff, "
        f"{_ack_sql('text') if 'text' in have else 'false'} AS _opsai_ack FROM {q(name)}) "
        f"WHERE {key} IS NOT NULL GROUP BY {key}) WHERE text IS NOT NULL ORDER BY _first"
    )
    counts = con.execute(
        f"SELECT count(*), count(DISTINCT {key}), count(*) FILTER (WHERE {is_cust}), "
        f"(SELECT count(*) FROM {tmp}), count(*) FILTER (WHERE {key} IS NULL) FROM {q(name)}"
    ).fetchall()[0]
    acks = 0
    if "text" in have:
        acks = int(con.execute(f"SELECT coalesce(sum(_acks), 0) FROM {tmp}").fetchall()[0][0])
    con.execute(f"DROP TABLE {q(name)}")
    drop = " EXCLUDE (_acks)" if "text" in have else ""
    con.execute(f"CREATE TABLE {q(name)} AS SELECT *{drop} FROM {tmp}")
    con.execute(f"DROP TABLE {tmp}")
    n = tuple(int(x) for x in counts)
    return _grouped(
        name,
        spec.messages.by,
        sender,
        customer,
        (n[0], n[1], n[2], n[3], n[4]),
        derived,
        others,
        staff,
        acks,
    )


def messages_database(
    t: ir.Table, name: str, spec: TableSpec
) -> tuple[ir.Table, ValidationWarning]:
    """:func:`messages_file` on a database table, lazily (the engine's own SQL); messages of
    one time keep no file order there."""
    assert spec.messages is not None
    for path, steps in _message_paths(spec, list(t.columns)).items():
        v: Any = t[steps[0]]
        try:
            for f in steps[1:]:
                v = v[f]
        except Exception as e:  # not an object, or no such field
            raise _bad_path(name, spec, path, e) from None
        t = t.mutate(**{path: v})
    have = list(t.columns)
    by, sender = _message_names(name, spec, have)
    customer = spec.messages.customer
    is_cust = t[sender].cast("string").strip().isin(customer).fill_null(False)
    if not int(t.filter(is_cust).count().execute()):
        seen = t.filter(t[sender].notnull()).select(sender).distinct().order_by(sender).limit(5)
        raise _no_customer(name, sender, customer, [str(v) for v in seen.execute()[sender]])
    staff = spec.messages.staff
    sv = t[sender].cast("string").strip()
    o = t.mutate(_v=sv).filter(~is_cust & t[sender].notnull())
    counted = o.group_by("_v").aggregate(_n=o.count())
    others = sorted(
        ((str(v), int(n)) for v, n in counted.execute()[["_v", "_n"]].itertuples(index=False)),
        key=lambda vn: (-vn[1], vn[0]),
    )
    _check_staff(name, sender, staff, others)
    if staff is not None:
        is_staff = sv.isin(staff).fill_null(False)
    else:
        is_staff = (~is_cust & ~sv.lower().isin(list(BOT_SENDERS))).fill_null(False)
    ts = "timestamp" in have
    order = "timestamp" if ts else None
    derived = ts and "resolved_at" not in have
    key = t[by].cast("string").strip().nullif("")
    if "text" in have:
        bare = t.text.cast("string").re_replace(r"<[^>]*>|&[a-z#0-9]+;", " ").lower().strip()
        is_ack = (bare.length() <= 60) & bare.re_search(f"^{ACKNOWLEDGEMENT}$")
    else:
        is_ack = ibis.literal(False)
    m = t.mutate(
        _opsai_key=key,
        _opsai_cust=is_cust,
        _opsai_staff=is_staff,
        _opsai_ack=is_ack.fill_null(False),
    )
    keyed = m.filter(m._opsai_key.notnull())
    aggs: dict[str, ir.Value] = {}
    for c in have:
        if c in (by, sender, "ticket_id") or (c == "resolved_at" and derived):
            continue
        v = keyed[c]
        if c == "text":
            said = keyed._opsai_cust & ~keyed._opsai_ack
            aggs[c] = v.group_concat("\n", where=said, order_by=order).coalesce(
                v.group_concat("\n", where=keyed._opsai_cust, order_by=order)
            )
            aggs["_acks"] = ibis.ifelse(said.any(), (keyed._opsai_cust & keyed._opsai_ack).sum(), 0)
        elif c == "timestamp":
            aggs[c] = v.min()
        elif c == "resolved_at":
            aggs[c] = v.max()
        elif c == "user_id":
            aggs[c] = v.first(where=keyed._opsai_cust & v.notnull(), order_by=order).coalesce(
                v.first(where=v.notnull(), order_by=order)
            )
        else:
            aggs[c] = v.first(where=v.notnull(), order_by=order)
    if derived:
        aggs["resolved_at"] = keyed.timestamp.max(where=keyed._opsai_staff)
    out = keyed.group_by(ticket_id=keyed._opsai_key).aggregate(**aggs)
    out = out.filter(out.text.notnull())
    # in the order conversations began (the file path's ORDER BY _first): a grouping comes
    # back in no fixed order, and seeded samples and folds of the tickets go by row
    out = out.order_by([out.timestamp, out.ticket_id] if ts else [out.ticket_id])
    acks = int(out._acks.sum().execute() or 0) if "text" in have else 0
    out = out.drop("_acks") if "text" in have else out
    counts = m.aggregate(
        rows=m.count(),
        convs=m._opsai_key.nunique(),
        cust=m._opsai_cust.sum(),
        nokey=m._opsai_key.isnull().sum(),
    ).execute()
    kept = int(out.count().execute())
    c = counts.iloc[0]
    return out, _grouped(
        name,
        spec.messages.by,
        sender,
        customer,
        (int(c["rows"]), int(c["convs"]), int(c["cust"] or 0), kept, int(c["nokey"] or 0)),
        derived,
        others,
        staff,
        acks,
    )


SUMMED = {"on_hand", "on_order"}
"""Inventory columns added up over an item's locations; the longest lead time is kept, and
the other numbers are averaged."""


_SNAPSHOT_NAME = re.compile(r"snapshot|date|as[ _-]?of|stichtag|fecha|日期|day$", re.IGNORECASE)
"""Names of the column dating a stock snapshot (Amazon's ``snapshot-date``, ``as_of``)."""


def _snapshot_key(t: ir.Table, c: str) -> ir.Value | None:
    """The orderable value of column ``c`` when it dates the rows (a stock snapshot's day):
    dates or timestamps, text that parses as such in nearly every row, or a column named like
    a date (``snapshot``, ``as_of``) holding numbers (``20250601``); None otherwise."""
    v = t[c]
    kind = v.type()
    if kind.is_date() or kind.is_timestamp():
        return v
    if kind.is_string():
        for to in ("date", "timestamp"):
            parsed = v.try_cast(to)
            n, ok = (
                int(x or 0) for x in t.aggregate(n=v.count(), ok=parsed.count()).execute().iloc[0]
            )
            if n and ok >= 0.9 * n:
                return parsed
    if _SNAPSHOT_NAME.search(c) and kind.is_numeric():
        return v
    return None


def _varying(t: ir.Table, by: list[str], cols: list[str]) -> list[str]:
    """The columns of ``cols`` with more than one value within some group of ``by``."""
    if not cols:
        return []
    spread = t.group_by(by).aggregate(**{f"v{i}": t[c].nunique() for i, c in enumerate(cols)})
    most = spread.aggregate(**{f"v{i}": spread[f"v{i}"].max() for i in range(len(cols))})
    row = most.execute().iloc[0]
    return [c for i, c in enumerate(cols) if int(row[f"v{i}"] or 0) > 1]


def _snapshots(t: ir.Table, varying: list[str]) -> tuple[str, ir.Table, list[str]] | None:
    """The column of ``varying`` dating an item's rows as stock snapshots, the table with its
    orderable value as ``_snap``, and the text columns still varying within an item's
    snapshot (its locations); ``None`` when no column dates the rows."""
    for c in varying:
        key = _snapshot_key(t, c)
        if key is None:
            continue
        others = [o for o in varying if o != c and not t[o].type().is_numeric()]
        dated = t.mutate(_snap=key)
        if others and not _varying(dated, ["item_id", *others], ["_snap"]):
            continue  # one date per item and location: a location's own date (last count)
        return c, dated, _locations(dated, _varying(dated, ["item_id", "_snap"], others))
    return None


_LOCATION_NAME = re.compile(r"store|shop|location|warehouse|site|branch|depot|dc\b", re.I)


def _locations(dated: ir.Table, locs: list[str]) -> list[str]:
    """The one column of ``locs`` that tells an item's rows of one snapshot apart (``Store
    ID``), when one does: a store's weather or region varies across its rows too, and as a
    location of its own it kept a store's older snapshots beside its latest (byod12a D9: 400
    rows of the Kaggle retail file's 100 on its last day summed into the chain's stock);
    ``locs`` itself otherwise."""
    if len(locs) < 2:
        return locs
    by = ["item_id", "_snap"]
    n = int(dated.select(*by, *locs).distinct().count().execute())
    for c in sorted(locs, key=lambda c: not _LOCATION_NAME.search(c)):  # 'Store ID' first
        if int(dated.select(*by, c).distinct().count().execute()) == n:
            return [c]
    return locs


Snapshots = tuple[str, ir.Table, list[str]]
"""What :func:`dated_snapshots` finds: the dating column, the table with ``_snap``, the
locations."""


def dated_snapshots(t: ir.Table) -> Snapshots | None:
    """:func:`_snapshots` of an inventory, its extra columns varying within an item the
    candidates: read once per load for both :func:`stock_history` and
    :func:`stock_over_locations`. ``None`` when no column dates the rows."""
    from opsai.data.schema import TABLES

    contract = set(TABLES["inventory"].names)
    extras = [c for c in t.columns if c not in contract]
    return _snapshots(t, _varying(t, ["item_id"], extras))


def stock_history(found: Snapshots | None) -> ir.Table | None:
    """An inventory of dated stock snapshots (a daily ``Inventory Level`` per date, store and
    product) as its on-hand history, ``[item_id, store, timestamp, on_hand]``: one row per
    item, location and snapshot (``store`` the location when one text column names it, else
    empty, the locations summed), for chapter 04 to tell a stock-out from a closure and to
    test each store's stock (byod12a D9, D10); :func:`stock_over_locations` keeps only the
    latest snapshot for the stock plan. ``None`` without ``on_hand`` or dated rows
    (``found``: :func:`dated_snapshots` of the inventory)."""
    from opsai.data.schema import ON_HAND, STORE, TIMESTAMP

    if found is None or ON_HAND not in found[1].columns:
        return None
    _, dated, locs = found
    store = dated[locs[0]].cast("string") if len(locs) == 1 else ibis.null("string")
    rows = dated.mutate(_store=store)
    day = rows._snap.cast("timestamp") if not rows._snap.type().is_numeric() else None
    if day is None:  # 20250601 as a number: not a day the demand's dates can meet
        return None
    rows = rows.mutate(_day=day)
    out = rows.group_by(["item_id", "_store", "_day"]).aggregate(_on=rows[ON_HAND].sum())
    return out.select(
        item_id=out.item_id.cast("string"),
        **{STORE: out._store, TIMESTAMP: out._day, ON_HAND: out._on.cast("float64")},
    )


def _latest_snapshot(
    t: ir.Table, name: str, varying: list[str], found: Snapshots | None
) -> tuple[ir.Table, list[str], str | None]:
    """Daily (or weekly) stock snapshots, an item's rows dated by a column (``found``:
    :func:`dated_snapshots`): only each item's (and location's) latest snapshot, the columns
    still varying within it (the locations), and a note saying which date was kept and how
    many rows were left out; ``t`` and ``varying`` as they are without dated rows."""
    if found is not None:
        c, dated, locs = found
        by = ["item_id", *locs]
        last = dated.filter(dated._snap == dated._snap.max().over(group_by=by))
        dates = dated.aggregate(lo=dated._snap.min(), hi=dated._snap.max(), n=dated._snap.nunique())
        kept_dates = last.group_by("_snap").aggregate(k=last.item_id.nunique())
        lo, hi, n = dates.execute().iloc[0]
        kd = kept_dates.order_by([ibis.desc("k"), ibis.desc("_snap")]).execute()
        item_last = last._snap.max().over(group_by="item_id")
        stale = int(last.filter(last._snap < item_last).count().execute()) if locs else 0
        rows, kept = int(t.count().execute()), int(last.count().execute())
        out = last.drop("_snap", c)

        def day(v: Any) -> str:
            return str(v)[:10] if hasattr(v, "year") else str(v)

        items = int(out.item_id.nunique().execute())
        newest = day(kd["_snap"].iloc[0])
        which = (
            f"the {newest} snapshot"
            if len(kd) == 1
            else f"each item's latest ({newest} for {int(kd['k'].iloc[0]):,} of {items:,} items)"
        )
        note = (
            f"{c!r} dates the rows ({int(n):,} snapshots, {day(lo)} .. {day(hi)}): they are "
            f"stock snapshots, not locations, so only {which} is kept per item"
            f"{' (and ' + ', '.join(locs) + ')' if locs else ''}; {rows - kept:,} older "
            f"row(s) of {rows:,} left out. To plan from another day, keep it with "
            f"data.tables.{name}.where ({q(c)} = '<date>')"
        )
        if stale:
            note += (
                f". {stale:,} {' and '.join(locs)} row(s) kept are older than their item's "
                "latest snapshot (that location has no row on it); if a missing row means "
                f"nothing in stock, keep the last day only with data.tables.{name}.where"
            )
        return out, locs, note
    return t, varying, None


def stock_over_locations(
    t: ir.Table, name: str, found: Snapshots | None
) -> tuple[ir.Table, ValidationWarning | None]:
    """An inventory with several rows per item (one per warehouse or store) as one row per
    item: its stock summed over the locations, for a plan of the whole chain (as chapter 04
    sums demand over stores); ``t`` itself, and no note, when every item has one row. Rows
    dated by a column (daily snapshots, ``found``: :func:`dated_snapshots`) keep each item's
    latest snapshot first."""
    per_item = t.group_by("item_id").aggregate(n=t.count())
    repeated = int(per_item.filter(per_item.n > 1).count().execute())
    if not repeated:
        return t, None
    from opsai.data.schema import TABLES

    contract = set(TABLES[name].names)
    extras = [c for c in t.columns if c not in contract]
    varying = _varying(t, ["item_id"], extras)
    total = int(t.count().execute())
    t, varying, snapshot = _latest_snapshot(t, name, varying, found)
    if snapshot is not None:
        varying = _varying(t, ["item_id"], [c for c in t.columns if c not in contract])
        per_item = t.group_by("item_id").aggregate(n=t.count())
        repeated = int(per_item.filter(per_item.n > 1).count().execute())
        if not repeated:
            return t, ValidationWarning(name, None, snapshot, total - int(t.count().execute()))
    aggs: dict[str, ir.Value] = {}
    for c in t.columns:
        if c == "item_id" or c in varying:
            continue
        if c in SUMMED:
            aggs[c] = t[c].sum()
        elif c == "lead_time_days":
            aggs[c] = t[c].max()
        elif c in contract:
            aggs[c] = t[c].mean()
        else:
            aggs[c] = t[c].arbitrary()
    out = t.group_by("item_id").aggregate(**aggs)
    rows, items = int(t.count().execute()), int(out.count().execute())
    where, keep = "", "location = '...'"
    if varying:  # a location is named by text (a number column varies with the stock)
        c = min(varying, key=lambda v: t[v].type().is_numeric())
        locs = sorted(str(v) for v in t.select(c).distinct().execute()[c].dropna())
        shown = ", ".join(locs[:5]) + (", ..." if len(locs) > 5 else "")
        where, keep = f" ({c}: {shown})", f"{q(c)} = {_load.lit(locs[0])}"
    text = (
        f"{repeated:,} of {items:,} item(s) have stock in several locations{where}: the "
        f"{rows:,} rows are summed to one per item (on_hand and on_order added up, the longest "
        "lead_time_days kept, costs averaged), so the inventory plan is for the whole chain, "
        "as chapter 04 sums demand over stores. To plan one location, keep its rows with "
        f"data.tables.{name}.where ({keep}) and set chapter 04's SERIES_FILTER to the same "
        "store"
    )
    if snapshot is not None:
        text = f"{snapshot}. Then {text}"
    return out, ValidationWarning(name, None, text, total - items)


def convert_fx(t: ir.Table, name: str, spec: TableSpec, currency: str) -> tuple[ir.Table, str]:
    """The table with its money columns converted to ``currency`` by ``spec.fx``, and a note
    saying how many rows of each currency were converted at which rate.

    Raises:
        SchemaError: the currency column is missing, or rows are in a currency without a rate.
    """
    from opsai.data._checks import MONEY, currency_counts

    assert spec.fx is not None
    fx = spec.fx
    key = f"data.tables.{name}.fx"
    if fx.column not in t.columns:
        raise SchemaError(
            f"{name}: {key}.column names {fx.column!r}, not a column of the table (it has: "
            f"{', '.join(t.columns)}). Fix {key}.column"
        )
    money = [c for c in MONEY.get(name, ()) if c in t.columns]
    if not money:
        raise SchemaError(f"{name}: {key} is set, but the table has no money column to convert")
    counts = currency_counts(t, fx.column)
    rates = {**fx.rates, currency: 1.0}
    unknown = {c: n for c, n in counts.items() if c not in rates}
    if unknown:
        shown = ", ".join(f"{c or '(empty)'} ({n:,} rows)" for c, n in unknown.items())
        raise SchemaError(
            f"{name}: {key}.rates has no rate for {shown} in column {fx.column!r}; rows in "
            f"{currency} keep their values. Fix: add the rate(s) to {key}.rates, or leave "
            f"those rows out with data.tables.{name}.where"
        )
    code = t[fx.column].cast("string").strip().upper()
    rate = code.cases(
        *((c, ibis.literal(float(r), type="float64")) for c, r in rates.items()),
        else_=ibis.null("float64"),
    )
    out = t.mutate(**{c: (t[c] * rate).cast("float64") for c in money})
    done = [f"{c} ({n:,} rows at {rates[c]:g})" for c, n in counts.items() if c != currency]
    kept = counts.get(currency, 0)
    note = (
        f"{', '.join(money)} converted to {currency} by {key}: {', '.join(done) or 'no rows'}"
        f"; {kept:,} row(s) already in {currency}"
    )
    return out, note


def split_order_amount(t: ir.Table, name: str) -> tuple[ir.Table, ValidationWarning]:
    """The table with ``amount``, an order's total written on each of its lines (``amount_per_
    order``), split over those lines by quantity x price (by quantity without a price, evenly
    without either, or when the order's weights sum to 0), and a note counting the orders.

    Raises:
        SchemaError: no ``order_id`` or ``amount`` is mapped, or an order's lines disagree on
            the amount (then it is not the order's total).
    """
    key = f"data.tables.{name}.amount_per_order"
    missing = [c for c in ("order_id", "amount") if c not in t.columns]
    if missing:
        raise SchemaError(
            f"{name}: {key} splits each order's amount over its lines by order_id, and the "
            f"table maps no {' or '.join(missing)}. Map columns.{missing[0]}, or remove {key}"
        )
    keyed = t.filter(t.order_id.notnull())
    per = keyed.group_by("order_id").aggregate(
        spread=keyed.amount.max() - keyed.amount.min(), lines=keyed.count()
    )
    stats = per.aggregate(
        bad=ibis.ifelse(per.spread > 0.005, 1, 0).sum(),
        multi=ibis.ifelse(per.lines > 1, 1, 0).sum(),
        orders=per.count(),
    ).to_pandas()
    bad, multi, orders = (int(stats[c].iloc[0] or 0) for c in ("bad", "multi", "orders"))
    if bad:
        ex = per.filter(per.spread > 0.005).order_by("order_id").limit(3).to_pandas()
        shown = ", ".join(repr(str(v)) for v in ex["order_id"])
        raise SchemaError(
            f"{name}: {key} says amount is each order's total, repeated on its lines, but it "
            f"differs between the lines of {bad:,} order(s), e.g. {shown}: it is each line's "
            f"own amount. Remove {key}, or map the order-level column as amount"
        )
    by = ibis.window(group_by=t.order_id)
    t = t.mutate(__lines=t.order_id.count().over(by))
    if "quantity" in t.columns and "price" in t.columns:
        weight = (t.quantity * t.price).cast("float64")
        basis = "quantity x price"
    elif "quantity" in t.columns:
        weight, basis = t.quantity.cast("float64"), "quantity"
    else:
        weight, basis = ibis.literal(1.0), "evenly"
    t = t.mutate(__w=weight.fill_null(0.0))
    total = t["__w"].sum().over(by)
    share = ibis.ifelse(total != 0, t["__w"] / total, 1.0 / t["__lines"].cast("float64"))
    amount = ibis.ifelse(t.order_id.isnull(), t.amount, t.amount * share).cast("float64")
    out = t.mutate(amount=amount).drop("__lines", "__w")
    how = basis if basis == "evenly" else f"by {basis}"
    note = ValidationWarning(
        name,
        "amount",
        f"amount is each order's total ({key}): split over the lines of {multi:,} of "
        f"{orders:,} order(s) {how}, so the lines add up to the order",
    )
    return out, note


NO_ORDER_NUMBER = "no order number"
"""How the warning of :func:`baskets_as_orders` begins; its first sentence gives the figures."""


def baskets_as_orders(
    t: ir.Table, name: str = "orders"
) -> tuple[ir.Table, ValidationWarning] | None:
    """Order lines without an order number (``order_id`` unmapped, ``item_id`` mapped, as
    H&M's ``transactions_train.csv``: one row per article bought) with an ``order_id`` for
    each basket: a customer's lines at one time are one order, and a line without a customer
    (a guest's) is an order of its own. ``None`` when the table has an order_id or no
    item_id, or when no customer has two lines at one time (each line is an order anyway).

    The id is the customer and the time as text (``c42 2024-05-01 12:00:00``); a guest line's
    is ``guest line <n>``, numbered in a fixed order (time, item, amount), so a database
    source numbers its rows alike in every query. The note gives the lines and orders.
    """
    if "order_id" in t.columns or "item_id" not in t.columns or "user_id" not in t.columns:
        return None
    buy = t.filter(t.amount >= 0)  # a return line (negative) is no order of its own
    known = buy.filter(buy.user_id.notnull())
    per = known.group_by(["user_id", "timestamp"]).aggregate(n=known.count())
    stats = per.aggregate(baskets=per.count(), multi=ibis.ifelse(per.n > 1, 1, 0).sum())
    row = stats.to_pandas().iloc[0]
    multi = int(row["multi"] or 0)
    if not multi:
        return None
    baskets = int(row["baskets"] or 0)
    lines = int(buy.count().to_pandas())
    guests = int(buy.filter(buy.user_id.isnull()).count().to_pandas())
    order = [
        t[c] for c in ("timestamp", "item_id", "amount", "quantity", "price") if c in t.columns
    ]
    seq = ibis.row_number().over(ibis.window(order_by=order)).cast("string")
    basket = t.user_id.cast("string") + " " + t.timestamp.cast("string")
    oid = ibis.ifelse(t.user_id.isnull(), "guest line " + seq, basket)
    guest = (
        f"; each of the {guests:,} lines without a customer is an order of its own"
        if guests
        else ""
    )
    note = ValidationWarning(
        name,
        "order_id",
        f"{NO_ORDER_NUMBER} (data.tables.{name}.columns.order_id is not mapped): {lines:,} item "
        f"lines read as {baskets + guests:,} orders, one per customer and time ({multi:,} of "
        f"them hold several lines){guest}. Order counts, average order value and orders per "
        f"customer count these orders; map data.tables.{name}.columns.order_id if the export "
        "has an order number",
        lines - baskets - guests,
    )
    return t.mutate(order_id=oid), note
