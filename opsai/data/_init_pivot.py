"""``opsai init`` on key-value rows: a file of ``(id, property, value[, time])`` rows
(Retail Rocket's ``item_properties``) read as the table it becomes once pivoted."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from opsai.data._mapping import NUMBER_WITH_N
from opsai.data._sniff import Sample
from opsai.data._synonyms import fold, name_score
from opsai.data.schema import TABLES

KEY_NAMES = frozenset(
    ("property", "propertyname", "key", "attribute", "attributename", "attr", "prop",
     "field", "fieldname", "parameter", "param", "feature", "metakey", "属性", "属性名")
)  # fmt: skip
"""Folded names of a key-value file's key column."""
VALUE_NAMES = frozenset(
    ("value", "val", "propertyvalue", "attributevalue", "fieldvalue", "metavalue", "属性值", "值")
)
"""Folded names of its value column."""
KEYED_TABLES = ("items", "users", "inventory")
"""Tables a key-value file may become: one row per item or customer."""


@dataclass
class KeyValues:
    """A key-value sample, and the sample of the wide table it becomes."""

    ident: str
    key: str
    value: str
    latest_by: str | None
    wide: Sample
    """One column per key (most frequent first), one row per id, each key's latest value;
    numbers behind an ``n`` without it, as the loader reads them."""
    numbers_with_n: list[str]

    def option(self, keys: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "value": self.value}
        if self.latest_by:
            out["latest_by"] = self.latest_by
        out["keys"] = keys
        return out


def _order(values: list[str | None]) -> list[Any]:
    """Sort keys of a time column's values: numbers when all are, else the text."""
    try:
        return [float(v) if v else float("-inf") for v in values]
    except ValueError:
        return [v or "" for v in values]


def key_values(sample: Sample, looks_like_time: dict[str, bool]) -> KeyValues | None:
    """The key-value reading of ``sample`` when it has a key column and a value column named
    as such, the key's values repeating, an id column named
    as a customer or item id, and at most a time column besides (``looks_like_time``)."""
    cols = sample.columns
    if not 3 <= len(cols) <= 4 or sample.structs:
        return None
    key = next((c for c in cols if fold(c) in KEY_NAMES), None)
    value = next((c for c in cols if fold(c) in VALUE_NAMES), None)
    if key is None or value is None:
        return None
    names = [v for v in sample.values[key] if v]
    distinct = list(dict.fromkeys(names))
    if not names or len(distinct) * 2 > len(names):  # keys repeat (any number: init lists them)
        return None
    rest = [c for c in cols if c not in (key, value)]
    ids = [
        c
        for c in rest
        if any(name_score(c, TABLES[t].key or "", TABLES[t]) >= 0.8 for t in KEYED_TABLES)
    ]
    if len(ids) != 1:
        return None
    ident = ids[0]
    times = [c for c in rest if c != ident]
    if times and not looks_like_time.get(times[0]):
        return None
    latest_by = times[0] if times else None
    n = len(sample.values[key])
    when = _order(sample.values[latest_by]) if latest_by else list(range(n))
    latest: dict[tuple[str, str], tuple[Any, int, str]] = {}
    for i in range(n):
        who, k, v = sample.values[ident][i], sample.values[key][i], sample.values[value][i]
        if not (who and k and v and v.strip()):
            continue
        seen = latest.get((who, k))
        if seen is None or (when[i], i) >= seen[:2]:
            latest[(who, k)] = (when[i], i, v.strip())
    counts = {k: names.count(k) for k in distinct}
    keys = sorted(distinct, key=lambda k: -counts[k])
    with_n = [
        k
        for k in keys
        if all(re.search(NUMBER_WITH_N, v) for (_, kk), (_, _, v) in latest.items() if kk == k)
    ]
    who_all = list(dict.fromkeys(w for w, _ in latest))
    values: dict[str, list[str | None]] = {ident: list(who_all)}
    for k in keys:
        got = [latest.get((w, k)) for w in who_all]
        values[k] = [None if g is None else (g[2][1:] if k in with_n else g[2]) for g in got]
    wide = dataclasses.replace(sample, values=values, fields={}, structs={})
    return KeyValues(ident, key, value, latest_by, wide, with_n)


def on_hand_flag(guess: Any, kv: KeyValues) -> bool:
    """Whether an inventory guess takes its ``on_hand`` from a 0/1 flag (Retail Rocket's
    ``available``): an availability flag is no stock count."""
    if guess.table != "inventory":
        return False
    src = next((m.source for m in guess.matches if m.contract == "on_hand"), None)
    vals = {v for v in kv.wide.values.get(src or "", []) if v is not None}
    return bool(vals) and vals <= {"0", "1"}


def with_id_keys(guess: Any, kv: KeyValues, match: Any) -> Any:
    """``guess`` with its unmatched text columns (category, brand) taken from keys named as
    their ids (``categoryid``: the key's values are the category's codes)."""
    table = TABLES[guess.table]
    used = {m.source for m in guess.matches} | {m.contract for m in guess.matches}
    for col in table.columns:
        if col.dtype != "string" or col.name in used:
            continue
        key = next((k for k in kv.wide.columns[1:] if fold(k) == fold(col.name) + "id"), None)
        if key and key not in used:
            guess.matches.append(match(col.name, key, 0.6))
            guess.score = round(guess.score + 0.6, 2)
            used |= {key, col.name}
    return guess
