"""Mapping a source's columns onto the contract, shared by files and databases: which source
column is which contract column, constants, and the warnings loading can raise."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from opsai.config import PARTS_SEP, Pivot, TableSpec, Unpivot
from opsai.data import _load
from opsai.data.schema import TABLES, Column, Table
from opsai.errors import SchemaError


@dataclass(frozen=True)
class ValidationWarning:
    """Something odd in the data that does not stop the run (e.g. orphan ids)."""

    table: str
    column: str | None
    message: str
    count: int = 0
    major: bool = False
    """Figures from the table are far off (most of its rows dropped): the report shows it
    above its summary, not only among the data warnings."""

    def __str__(self) -> str:
        col = f".{self.column}" if self.column else ""
        return f"{self.table}{col}: {self.message}"


def database_table(backend: Any, table: str, name: str, key: str) -> ir.Table:
    """The database's table ``table``, or an error opening with ``name`` (the contract table,
    or it and a join entry) that lists the tables there and the config ``key`` naming it."""
    try:
        return backend.table(table)
    except Exception:
        have = ", ".join(sorted(backend.list_tables())[:20])
        raise SchemaError(
            f"{name}: table {table!r} not found in the database (has: {have}). Fix {key}"
        ) from None


def suggest(name: str, have: list[str]) -> str:
    close = difflib.get_close_matches(name, have, n=1, cutoff=0.6)
    lower = [h for h in have if h.lower() == name.lower()]
    guess = (lower or close or [""])[0]
    return f" (did you mean {guess!r}?)" if guess else ""


def _header_hint(name: str, have: list[str]) -> str:
    """A hint when the header is not what it seems: a title line above it, or a whole header
    in one column (the separator is wrong)."""
    untitled = [bool(re.fullmatch(r"column\d+", c)) for c in have]
    if len(have) > 1 and all(untitled[1:]) and not untitled[0]:  # all: no header (header: false)
        return (
            f" (the first line looks like a title above the table, not a header: set "
            f"data.tables.{name}.skip_rows to the number of lines above the header)"
        )
    if len(have) != 1:
        return ""
    for sep, word in ((";", "';'"), ("\t", "'\\t'"), ("|", "'|'"), (",", "','")):
        if sep in have[0]:
            return f" (the header looks separated by {word}: set data.tables.{name}.sep)"
    return ""


def unpivot_columns(name: str, u: Unpivot, have: list[str]) -> tuple[list[str], list[str]]:
    """(the wide columns turned into rows, the columns kept) of ``data.tables.<name>.unpivot``
    over a table with columns ``have``.

    Raises:
        SchemaError: a listed column is not in the table, nothing is left to turn into rows,
            or ``names_to``/``values_to`` is the name of a kept column.
    """
    key = f"data.tables.{name}.unpivot"
    field, listed = ("columns", u.columns) if u.columns is not None else ("keep", u.keep or [])
    missing = [c for c in listed if c not in have]
    if missing:
        raise SchemaError(
            f"{name}: {key}.{field} names {', '.join(map(repr, missing))}, not a column of the "
            f"table (have: {', '.join(have)}){suggest(missing[0], have)}. Fix {key}.{field}"
        )
    wide = list(listed) if u.columns is not None else [c for c in have if c not in listed]
    kept = [c for c in have if c not in wide]
    if not wide:
        raise SchemaError(
            f"{name}: {key}.keep lists every column ({', '.join(have)}), so none is left to "
            f"turn into rows. Keep only the id columns (the period, say) in {key}.keep"
        )
    for k in ("names_to", "values_to"):
        new = getattr(u, k)
        if new in kept:
            raise SchemaError(
                f"{name}: {key}.{k} is {new!r}, a column the table keeps. Name the new "
                f"column differently in {key}.{k}, or turn {new!r} into rows too"
            )
    return wide, kept


PIVOT_AT_MOST = 100
"""Keys a ``pivot`` without ``keys`` turns into columns at most."""
NUMBER_WITH_N = "^n-?[0-9]+([.][0-9]+)?$"
"""Retail Rocket writes numeric property values with a leading ``n`` (``n12345.000``)."""


def pivot_columns(name: str, table: Table, spec: TableSpec, have: list[str]) -> tuple[str, Pivot]:
    """(the id column, the options) of ``data.tables.<name>.pivot`` over a table with columns
    ``have``: the id is the column mapped to the table's key.

    Raises:
        SchemaError: the table has no key, or a named column is not in the table.
    """
    assert spec.pivot is not None
    key = f"data.tables.{name}.pivot"
    if not table.key:
        raise SchemaError(
            f"{name}: {key} makes one row per {name} id, and {name} has no id column. Remove "
            f"{key}; pivot users, items or inventory"
        )
    ident = spec.columns.get(table.key, table.key)
    p = spec.pivot
    named = [(f"columns.{table.key}", ident), ("key", p.key), ("value", p.value)]
    named += [("latest_by", p.latest_by)] if p.latest_by else []
    for field, col in named:
        if col not in have:
            fix = f"data.tables.{name}.{field}" if field.startswith("columns") else f"{key}.{field}"
            raise SchemaError(
                f"{name}: {fix} names {col!r}, not a column of the table (have: "
                f"{', '.join(have)}){suggest(col, have)}. Fix {fix}"
            )
    if ident in (p.key, p.value, p.latest_by):
        raise SchemaError(
            f"{name}: the id column {ident!r} ({table.key}) is also {key}'s key, value or "
            f"latest_by. Map {table.key} to the column naming the {name} in "
            f"data.tables.{name}.columns.{table.key}"
        )
    return ident, p


def pivot_keys(name: str, p: Pivot, ident: str, found: list[str]) -> list[str]:
    """The keys that become columns, of the keys ``found`` (most frequent first).

    Raises:
        SchemaError: a listed key is in no row, too many keys without a list, or a key's
            column would be named as the id column or another key's.
    """
    key = f"data.tables.{name}.pivot"
    if p.keys is not None:
        missing = [k for k in p.keys if k not in found]
        if missing:
            raise SchemaError(
                f"{name}: {key}.keys lists {', '.join(map(repr, missing))}, which no row has "
                f"(keys found: {', '.join(found[:20])}){suggest(missing[0], found)}. Fix "
                f"{key}.keys"
            )
        keys = list(dict.fromkeys(p.keys))
    elif len(found) > PIVOT_AT_MOST:
        raise SchemaError(
            f"{name}: {key} would make {len(found):,} columns, one per key (the most frequent: "
            f"{', '.join(found[:10])}). List the keys you need in {key}.keys, e.g. "
            f"keys: [{', '.join(found[:3])}]"
        )
    else:
        keys = found
    cols = [p.column(k) for k in keys]
    clash = [c for c in cols if c == ident or cols.count(c) > 1]
    if clash:
        raise SchemaError(
            f"{name}: {key} would make two columns named {clash[0]!r} (the id column, or two "
            f"keys). Rename the key in {key}.names"
        )
    return keys


def source_columns(name: str, table: Table, spec: TableSpec, have: list[str]) -> dict[str, str]:
    """Contract column -> source column, for the contract columns that are present."""
    _check_constants(name, table, spec, have)
    out: dict[str, str] = {}
    there = {c.name for c in table.columns if spec.columns.get(c.name, c.name) in have}
    derivable = {t for t, a, b in table.derived if a in there and (not b or b in there)}
    for col in table.columns:
        src = spec.columns.get(col.name, col.name)
        if col.name in spec.constants:
            continue
        if src in have:
            out[col.name] = src
        elif col.name in spec.columns:
            raise SchemaError(
                f"{name}: column {src!r} (mapped to {col.name}) not found (have: "
                f"{', '.join(have)}){suggest(src, have)}. Fix the mapping in config: "
                f"data.tables.{name}.columns.{col.name}{_header_hint(name, have)}"
            )
        elif col.required and not (
            (col.name == table.key and table.generated_key)
            or col.name in derivable
            or (col.absent and not _look_alike(col, table, spec, have))
        ):
            close = _look_alike(col, table, spec, have) if col.absent else ""
            hint = f" (did you mean {close!r}?)" if close else suggest(col.name, have)
            alt = [a for t, a, b in table.derived if t == col.name and not b]
            other = (  # demand's amount: sales in money stand in for units
                f" (or, for sales in money, {name}.columns.{alt[0]}: <your column name>)"
                if alt
                else ""
            )
            raise SchemaError(
                f"{name}: required column {col.name!r} not found (have: {', '.join(have)})"
                f"{hint}. Map it in config: data.tables.{name}.columns."
                f"{col.name}: <your column name>{other}{_header_hint(name, have)}"
            )
    return out


def _look_alike(col: Column, table: Table, spec: TableSpec, have: list[str]) -> str:
    """An unmapped column that looks like ``col`` (``User_ID``, ``customer_id``, ``会员卡号``):
    a column the data may lack (``Column.absent``) is not taken as lacking when one is there."""
    from opsai.data._synonyms import name_score

    mapped = set(spec.columns.values()) | set(table.names)  # order_id is no customer
    at_least = 0.6 if col.dtype == "timestamp" else 0.8  # event_date: a time by its last word
    close = [h for h in have if h not in mapped and name_score(h, col.name, table) >= at_least]
    return close[0] if close else ""


def absent_columns(
    name: str, table: Table, spec: TableSpec, src: dict[str, str], warnings: list[ValidationWarning]
) -> list[Column]:
    """The required columns the data may lack (``Column.absent``) that it lacks: they load as
    all-missing values; one warning each says what that means."""
    out = [
        c for c in table.columns if c.absent and c.name not in src and c.name not in spec.constants
    ]
    warnings.extend(ValidationWarning(name, c.name, c.absent) for c in out)
    return out


def renames(name: str, table: Table, spec: TableSpec, have: list[str]) -> dict[str, str]:
    """Keys of ``columns`` that are not contract columns: an attribute column kept under a new
    name (``revenue: params.revenue``), new name -> source column.

    Raises:
        SchemaError: the source column is missing, or the new name is another column's.
    """
    out = {k: v for k, v in spec.columns.items() if k not in table.names}
    moved = set(out.values())
    for new, src in out.items():
        key = f"data.tables.{name}.columns.{new}"
        if src not in have:
            raise SchemaError(
                f"{name}: column {src!r} (renamed to {new}) not found (have: {', '.join(have)})"
                f"{suggest(src, have)}. Fix {key}; keys other than the contract's "
                f"({', '.join(table.names)}) rename an attribute column"
            )
        if new in have and new not in moved:
            raise SchemaError(
                f"{name}: {key} renames {src!r} to {new!r}, but the data has a column "
                f"{new!r} already. Choose another name in {key}"
            )
    return out


INDEX_RE = re.compile(r"\[(-?\d+)\]")
"""One element of a list in a column path: ``tags[1]`` (1-based, as DuckDB's lists)."""


def list_index(
    name: str, path: str, contract: str, where: str, kind: str, is_list: bool, step: str
) -> int:
    """The 1-based index a path step ``[n]`` takes, after checking it applies: the value at
    ``where`` (of type ``kind``) must be a list, and 0 is no index (``[1]`` is the first
    element, ``[-1]`` the last). The same errors for files and databases."""
    key = f"data.tables.{name}.columns.{contract}"
    n = int(INDEX_RE.fullmatch(step)[1])  # type: ignore[index]
    if not is_list:
        raise SchemaError(
            f"{name}: column path {path!r} ({contract}): {where!r} is {kind}, not a "
            f"list; [n] takes an element of a list. Fix the path in {key}"
        )
    if n == 0:
        raise SchemaError(
            f"{name}: column path {path!r} ({contract}): list indexes start at 1 "
            f"({where}[1] is the first element, [-1] the last). Fix the path in {key}"
        )
    return n


def joined_parts(name: str, spec: TableSpec, have: list[str]) -> dict[str, list[str]]:
    """Mapped names that list several columns (``columns.timestamp: [transaction_date,
    transaction_time]``, kept as ``'transaction_date + transaction_time'``): joined name ->
    the parts, whose values the loader joins with a space into a column of that name. A
    column of the data named so is itself, not a list.

    Raises:
        SchemaError: a part is not a column of the table.
    """
    out: dict[str, list[str]] = {}
    for contract, src in spec.columns.items():
        if src in have or PARTS_SEP not in src:
            continue
        parts = src.split(PARTS_SEP)
        missing = [p for p in parts if p not in have]
        if missing:
            key = f"data.tables.{name}.columns.{contract}"
            raise SchemaError(
                f"{name}: {key} lists [{', '.join(parts)}], and {missing[0]!r} is not a column "
                f"of the table (have: {', '.join(have)}){suggest(missing[0], have)}. Fix the "
                f"list in {key}: the columns whose values, joined with a space, make the {contract}"
            )
        out[src] = parts
    return out


def path_parts(path: str) -> list[str]:
    """A column path cut at its dots and list indexes: ``comments[1].body`` -> ``comments``,
    ``[1]``, ``body``."""
    return INDEX_RE.sub(r".[\1]", path).split(".")


def nested_paths(spec: TableSpec, have: list[str]) -> dict[str, tuple[str, list[str]]]:
    """Mapped names that are paths into a column: fields of objects by dots
    (``satisfaction_rating.score``), elements of lists by a 1-based index (``tags[1]``,
    ``comments[1].body``): path -> (the column, the steps below it, an index as ``[1]``). The
    longest column name that starts the path wins (a column may have a dot in its name)."""
    out: dict[str, tuple[str, list[str]]] = {}
    for path in spec.columns.values():
        if path in have or ("." not in path and not INDEX_RE.search(path)):
            continue
        parts = path_parts(path)
        for i in range(len(parts) - 1, 0, -1):
            head = ".".join(parts[:i])
            if head in have:
                out[path] = (head, parts[i:])
                break
    return out


def _text_field(fields: list[str]) -> str:
    """The field of a list's objects to show in a path: the message body if there is one."""
    for f in ("body", "text", "message", "content", "value", "plain_body", "html_body"):
        if f in fields:
            return f
    return fields[0]


def nested_error(
    name: str,
    contract: str,
    src: str,
    kind: str,
    fields: list[str],
    keyed: bool = False,
    *,
    is_list: bool = False,
    example: str | None = None,
) -> SchemaError:
    """A contract column mapped to a nested column (a JSON object, a list): read as text it
    would be ``{'score': good}``. ``keyed``: a database's MAP or JSON column, whose keys a
    dotted path reads. ``is_list``: a list, whose elements are objects with ``fields`` (none
    for a list of plain values); ``example``: one row's list, as text."""
    key = f"data.tables.{name}.columns.{contract}"
    if is_list:
        first = "indexes start at 1: [1] is the first element, [-1] the last"
        if fields:
            f = _text_field(fields)
            what = f"a list of objects (with fields {', '.join(fields)})"
            how = (
                f"take one element's field with a path, e.g. {key}: {src}[1].{f} ({first}); "
                "or map a flat column instead (a Zendesk ticket's description is its first "
                "comment), or flatten the list in the export"
            )
        else:
            what = "a list" + (f" (e.g. {example})" if example else "")
            how = (
                f"take one element with a path, e.g. {key}: {src}[1] ({first}); or flatten "
                "it in the export (or a database view) and map the flat column"
            )
        return SchemaError(
            f"{name}: column {src!r} ({contract}) is {what}{'' if fields else f' ({kind})'}; "
            "opsai reads one value "
            f"per row, not a list. Fix: {how}"
        )
    if keyed:
        how = (
            f"map one of its keys with a dotted path: {key}: "
            f"{src}.<key> (e.g. {src}.distinct_id; nested keys: {src}.page.url)"
        )
    elif fields:
        how = f"map one of its fields with a dotted path: {key}: {src}.{fields[0]} (its fields: {', '.join(fields)})"
    else:
        how = (
            "flatten it in the export (or a database view) and map the flat column; opsai "
            f"reads fields of objects (STRUCT) with a dotted path, e.g. {src}.<field>"
        )
    return SchemaError(
        f"{name}: column {src!r} ({contract}) holds nested values ({kind}), which would be read "
        f"as text such as {{'score': good}}. Fix: {how}"
    )


def _check_constants(name: str, table: Table, spec: TableSpec, have: list[str]) -> None:
    """``constants`` name contract columns of text or number type that the data lacks."""
    key = f"data.tables.{name}.constants"
    for c, v in spec.constants.items():
        if c not in table.names:
            raise SchemaError(
                f"{name}: {key} names {c!r}, which is not a column of the {name} table "
                f"(its columns: {', '.join(table.names)}){suggest(c, list(table.names))}"
            )
        col = table.column(c)
        if col.dtype not in ("id", "string", "float", "int"):
            raise SchemaError(
                f"{name}: {key}.{c}: a {col.dtype} column cannot be one value for every row; "
                f"map it from the data instead (data.tables.{name}.columns.{c})"
            )
        if c in spec.columns or c in have:
            where = f"data.tables.{name}.columns" if c in spec.columns else "the data"
            raise SchemaError(
                f"{name}: column {c!r} is both in {where} and in {key}; keep one of the two"
            )
        if _typed_constant(col, v) is None:
            raise SchemaError(f"{name}: {key}.{c} must be a number, got {v!r}")


def _typed_constant(col: Column, v: str | int | float) -> str | int | float | None:
    """A constant in its column's type; ``None`` when a number column gets no number."""
    if col.dtype not in ("float", "int"):
        return str(v)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if col.dtype == "float" else int(x)


def constant_sql(col: Column, v: str | int | float) -> str:
    x = _typed_constant(col, v)
    if isinstance(x, str):
        return f"CAST({_load.lit(x)} AS VARCHAR)"
    return f"CAST({x!r} AS {'DOUBLE' if col.dtype == 'float' else 'BIGINT'})"


def null_sql(col: Column) -> str:
    """An all-missing value of a column's type (a column the data may lack)."""
    kind = {"float": "DOUBLE", "int": "BIGINT", "timestamp": "TIMESTAMP"}.get(col.dtype, "VARCHAR")
    return f"CAST(NULL AS {kind})"


def null_ibis(col: Column) -> ir.Value:
    kind = {"float": "float64", "int": "int64", "timestamp": "timestamp"}.get(col.dtype, "string")
    return ibis.null(kind)


def constant_ibis(col: Column, v: str | int | float) -> ir.Value:
    dtype = {"float": "float64", "int": "int64"}.get(col.dtype, "string")
    return ibis.literal(_typed_constant(col, v), dtype)


def _divisor(factor: float) -> int | None:
    """The whole number a factor is one over (100 for 0.01), or None: dividing by it keeps
    cents exact (999 / 100 is 9.99; 999 * 0.01 is 9.990000000000002)."""
    inv = 1 / factor
    n = round(inv)
    return n if n > 1 and abs(inv - n) < 1e-9 * inv else None


def scale_sql(expr: str, col: Column, factor: float) -> str:
    """``data.tables.<t>.scale``: a number column's SQL times its factor."""
    n = _divisor(factor)
    v = f"({expr}) / {n}.0" if n else f"({expr}) * {factor!r}"
    return f"CAST(round({v}) AS BIGINT)" if col.dtype == "int" else v


def scale_ibis(v: ir.Value, col: Column, factor: float) -> ir.Value:
    n = _divisor(factor)
    out = v / float(n) if n else v * factor
    return out.round().cast("int64") if col.dtype == "int" else out


def rows_out(total: int, kept: int) -> str:
    """``'2 of 6 row(s) (33.3%)'``: the rows a table option left out."""
    return f"{total - kept:,} of {total:,} row(s) ({(total - kept) / max(total, 1):.1%})"


def duplicates_warning(
    name: str, total: int, kept: int, by: list[str] | None = None
) -> ValidationWarning:
    what = f"later rows of the same {', '.join(by)}" if by else "exact repeats of an earlier row"
    return ValidationWarning(
        name, None, f"{rows_out(total, kept)} dropped: {what} (data.tables.{name}.drop_duplicates)"
    )


def duplicate_keys(name: str, spec: TableSpec, have: list[str]) -> list[str] | None:
    """The columns ``drop_duplicates`` compares: None for every column (``true``), else the
    listed ones, each by its own name or the contract name it is mapped to.

    Raises:
        SchemaError: a listed column is not in the data.
    """
    if spec.drop_duplicates is True or not spec.drop_duplicates:
        return None
    out = []
    for c in spec.drop_duplicates:
        col = c if c in have else spec.columns.get(c)
        if col not in have:
            raise SchemaError(
                f"{name}: data.tables.{name}.drop_duplicates names {c!r}, which is not a column "
                f"of the data (have: {', '.join(have)}){suggest(c, have)}. List the columns "
                "whose repeats are dropped (the order id: [订单号]), or write true"
            )
        out.append(str(col))
    return out


def keys_after_where(name: str, spec: TableSpec, have: list[str]) -> list[str] | None:
    """The loaded table's names of the key columns ``drop_duplicates`` lists (of the columns
    ``have`` as read), when that dedup waits for ``where``: the first row of each key among the
    rows the condition keeps (the first DISC15 order of each customer, not each customer's first
    order, usually another: byod12b D10). None when the dedup runs on the rows as read: no
    ``where``, ``drop_duplicates: true``, or a key column the loaded table does not keep.

    Raises:
        SchemaError: a listed column is not in the data.
    """
    by = duplicate_keys(name, spec, have)
    if by is None or not spec.where:
        return None
    names = TABLES[name].names
    out = []
    for r in by:
        mapped = next((k for k, v in spec.columns.items() if v == r), None)
        if mapped is None and r in names and spec.columns.get(r, r) != r:
            return None  # a contract column mapped from another: this one is dropped
        out.append(mapped or r)
    return out


MAJOR_DROP = 0.2
"""Share of a table's rows whose drop (``drop_incomplete``) makes a :class:`ValidationWarning`
major."""

_DROP_EFFECT = {
    "orders": "totals such as revenue will be too low",
    "returns": "returned amounts will be too low",
    "demand": "totals such as units sold will be too low",
    "users": "counts of users will be too low",
}
"""What a table's dropped rows do to the report's figures (the rest: every figure from it
counts only the rows left)."""


def dropped_warning(
    name: str, need: list[str], total: int, kept: int, *, filled: bool = False
) -> ValidationWarning:
    """``drop_incomplete`` dropped ``total - kept`` rows; ``filled``: the table sets
    ``fill_down`` (so it is not suggested).

    Dropping more than :data:`MAJOR_DROP` of a table's rows is major (the report opens with
    it), saying what it does to that table's figures: revenue for orders, counts of users for
    users. Tickets are the exception: a review export where most rows are a star rating without
    a comment is normal, and no money comes from them, so it is a plain warning saying what
    counts only the tickets with a text."""
    text = (
        f"{rows_out(total, kept)} dropped: empty {' or '.join(need)} "
        f"(data.tables.{name}.drop_incomplete)"
    )
    if name == "tickets":
        text += (
            f": ticket counts, sentiment shares and the text analyses count only the {kept:,} "
            f"ticket{'s' if kept != 1 else ''} with a text (a review without a comment, say, "
            "is left out); revenue and the other tables are not affected"
        )
        return ValidationWarning(name, None, text, total - kept, False)
    major = total - kept > MAJOR_DROP * total
    if major:
        effect = _DROP_EFFECT.get(name, "")
        text += f". Every figure from {name} counts only the rows left" + (
            f", so {effect}" if effect else ""
        )
        key = TABLES[name].group_key
        if key and not filled:
            text += (
                f"; if the export writes an order's fields on its first line only, "
                f"data.tables.{name}.fill_down (by: {key}) carries them to its other lines"
            )
    return ValidationWarning(name, None, text, total - kept, major)
