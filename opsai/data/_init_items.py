"""``opsai init``: the catalogue (``items``) read from the order or demand lines themselves.

A point-of-sale export of line items carries the product's name and category on every line
(Maven Roasters' ``coffee_shop_sales.csv``: ``product_id`` 1 is ``Latte Rg`` in ``Coffee`` on
each of its 3,000 lines). Without an ``items`` table every page names the products by their id
("item 1"); with ``items`` read from the same file, one row per product id (``drop_duplicates:
[product_id]``), they are named (byod12a D4).

A column is the title when it is named as one (``product_name``, ``product_detail``, a short
``Description``) and the category when named as one (``product_category``), and each holds one
value per item id over the sampled lines (names of customers or stores vary per item).

Example:
    >>> lines = {"product_id": ["1", "2", "3"] * 2, "product_detail": ["Latte", "Mocha", "Scone"] * 2,
    ...          "product_category": ["Coffee", "Coffee", "Bakery"] * 2}
    >>> catalogue_columns(lines, "product_id", set())
    {'title': 'product_detail', 'category': 'product_category'}
"""

from __future__ import annotations

from collections import defaultdict

from opsai.data._synonyms import name_score, name_words
from opsai.data.schema import TABLES

TITLE_WORDS = {"name", "title", "detail", "label", "bezeichnung", "artikelname"}
"""Words of a column that names an item (``product_detail``, ``Lineitem name``)."""
NOT_ITEM_WORDS = {"customer", "client", "user", "buyer", "guest", "member", "first", "last",
                  "fname", "lname", "contact", "agent", "staff", "employee", "cashier", "seller",
                  "vendor", "supplier", "store", "shop", "city", "country", "region", "state",
                  "location", "street", "address", "billing", "shipping", "payment", "email",
                  "company", "account", "file", "image", "url", "order", "campaign"}  # fmt: skip
"""Words of a column that names something other than the item (a customer, a store)."""
CONSTANT_SHARE = 0.95
"""Share of the repeated item ids whose lines all hold the same value of the column."""
MIN_REPEATED = 3
"""Item ids seen on two lines or more that the constancy check needs."""
TITLE_LENGTH = 80
"""A ``Description`` is a title when its values average at most this many characters."""


def _filled(values: list[str | None]) -> list[str]:
    return [(v or "").strip() for v in values]


def _per_key(keys: list[str], values: list[str]) -> dict[str, set[str]] | None:
    """Each repeated key's set of non-empty values; None when fewer than
    :data:`MIN_REPEATED` keys repeat or the column varies within more than 5% of them."""
    seen: dict[str, set[str]] = defaultdict(set)
    rows: dict[str, int] = defaultdict(int)
    for k, v in zip(keys, values, strict=False):
        if not k:
            continue
        rows[k] += 1
        if v:
            seen[k].add(v)
    repeated = [k for k, n in rows.items() if n >= 2 and seen[k]]
    if len(repeated) < MIN_REPEATED:
        return None
    constant = sum(len(seen[k]) == 1 for k in repeated)
    return dict(seen) if constant >= CONSTANT_SHARE * len(repeated) else None


def _texty(values: list[str]) -> bool:
    """Most non-empty values hold a letter (names, not codes or amounts)."""
    filled = [v for v in values if v]
    return bool(filled) and sum(any(c.isalpha() for c in v) for v in filled) >= 0.8 * len(filled)


def _kind(column: str) -> str | None:
    """``title``, ``category`` or ``description`` by the column's name, or None."""
    words = set(name_words(column))
    if words & NOT_ITEM_WORDS:
        return None
    items = TABLES["items"]
    if name_score(column, "category", items) >= 0.6:
        return "category"
    if name_score(column, "title", items) >= 0.6 or words & TITLE_WORDS:
        return "title"
    if name_score(column, "description", items) >= 0.6:
        return "description"
    return None


def catalogue_columns(
    values: dict[str, list[str | None]], key: str, mapped: set[str]
) -> dict[str, str]:
    """``{"title": column, "category": column}`` (either may be missing) among the sampled
    line columns other than ``key`` and ``mapped`` that hold one value per ``key``: a title
    with at least half as many distinct values as there are items and other than the key, a
    category with 2 or more values and fewer than the items. Empty when ``key`` does not
    repeat over the lines (a catalogue already: one row per item)."""
    keys = _filled(values.get(key, []))
    ids = {k for k in keys if k}
    if len(ids) < 2 or len(ids) == sum(bool(k) for k in keys):
        return {}
    found: dict[str, str] = {}
    described: str | None = None
    for col, raw in values.items():
        kind = _kind(col)
        if col == key or col in mapped or kind is None:
            continue
        vals = _filled(raw)
        if not _texty(vals) or (per := _per_key(keys, vals)) is None:
            continue
        names = {next(iter(s)) for s in per.values() if len(s) == 1}
        if kind == "category" and 2 <= len(names) < len(ids):
            found.setdefault("category", col)
        elif kind in ("title", "description") and len(names) >= 0.5 * len(ids):
            if names <= ids:
                continue  # the key itself again (a name used as the id)
            if kind == "title":
                found.setdefault("title", col)
            elif sum(map(len, names)) <= TITLE_LENGTH * len(names):
                described = described or col  # Online Retail's Description: the name
    if "title" not in found and described:
        found["title"] = described
    return found
