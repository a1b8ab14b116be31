"""Demand series in long format, aggregated in the engine and kept with their hierarchy.

The bottom level (one series per item) is aggregated from raw rows to the chosen frequency by
the workspace's engine through Ibis, from the ``demand`` table when the workspace has one, else
from ``orders`` (the ``quantity`` column, or one unit per order line). Only the per-period
sums come back to pandas, where they are zero-filled and summed up the hierarchy
``item -> category -> total``.

The frame uses the contract's names, as statsforecast uses ``unique_id, ds, y``: the series id
in :data:`~opsai.data.schema.ITEM_ID`, the period start in
:data:`~opsai.data.schema.TIMESTAMP` and the units in :data:`~opsai.data.schema.QUANTITY`.

Example:
    >>> ws = open_workspace("build/demo/opsai.yaml")      # doctest: +SKIP
    >>> hs = build_series(ws, freq="W")                    # doctest: +SKIP
    >>> hs.df.head()                                       # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import ibis
import numpy as np
import pandas as pd

from opsai.data.schema import CATEGORY, ITEM_ID, PRICE, PROMO, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, SchemaError

if TYPE_CHECKING:
    from opsai.data.workspace import Workspace

Freq = Literal["D", "W", "M"]
Level = Literal["item", "category", "total"]

TOTAL_ID = "total"
"""Id of the series that sums every item."""
ALL_ITEMS = "all_items"
"""The one bottom series of data without item ids."""
CATEGORY_PREFIX = "category:"
"""Prefix of a category series id (``category:Drinks``); item ids are kept as they are."""
UNKNOWN_CATEGORY = "unknown"

PANDAS_FREQ: dict[str, str] = {"D": "D", "W": "W-MON", "M": "MS"}
"""opsai frequency -> the pandas offset of its period starts (weeks start on Monday)."""
_IBIS_UNIT: dict[str, str] = {"D": "D", "W": "W", "M": "M"}
SEASON_LENGTH: dict[str, int] = {"D": 7, "W": 52, "M": 12}
"""The usual seasonal period per frequency (weekly for daily data, yearly otherwise)."""


@dataclass
class HierarchicalSeries:
    """Series of several levels in one long frame, with the summing matrix.

    Attributes:
        df: long frame ``[ITEM_ID, TIMESTAMP, QUANTITY]`` (+ ``PROMO``/``PRICE`` for items when
            the data has them), every level stacked, zero-filled, sorted.
        S: summing matrix, one row per series id (all levels, aggregates first) and one column
            per bottom (item) id; ``S @ bottom == all``.
        tags: level name -> the series ids of that level.
        freq: the opsai frequency (``D``, ``W`` or ``M``).
    """

    df: pd.DataFrame
    S: pd.DataFrame
    tags: dict[str, list[str]]
    freq: str

    @property
    def bottom(self) -> pd.DataFrame:
        """The item-level rows only."""
        return self.df[self.df[ITEM_ID].isin(self.tags["item"])].reset_index(drop=True)

    @property
    def season_length(self) -> int:
        return SEASON_LENGTH[self.freq]


def _check_freq(freq: str) -> None:
    if freq not in PANDAS_FREQ:
        raise ConfigError(
            f"freq must be one of 'D', 'W', 'M' (daily, weekly, monthly), got {freq!r}. "
            "Set the chapter parameter FREQ"
        )


def parse_filter(text: str | None) -> dict[str, list[str]]:
    """``"split=train; items.frequency=monthly|quarterly"`` -> ``{"split": ["train"], ...}``.

    Clauses are separated by ``;``, alternatives by ``|``; an empty text is no filter. Keys
    prefixed ``items.`` filter items by their attributes (see :func:`aggregate_demand`).
    """
    out: dict[str, list[str]] = {}
    for clause in (text or "").split(";"):
        if not clause.strip():
            continue
        col, eq, vals = clause.partition("=")
        values = [v.strip() for v in vals.split("|") if v.strip()]
        if not eq or not col.strip() or not values:
            raise ConfigError(
                f"filter clause {clause.strip()!r} is not 'column=value' (alternatives with |, "
                "clauses with ;), e.g. 'split=train; frequency=monthly'"
            )
        out[col.strip()] = values
    return out


_FILTER_KEY = "the filter: chapters.04_demand_inventory.parameters.SERIES_FILTER in the config"
"""Where a user sets the row/item filter (the chapter's and ``opsai score``'s parameter)."""


def _filtered(t: ibis.Table, where: Mapping[str, Sequence[str]] | None, table: str) -> ibis.Table:
    for col, values in (where or {}).items():
        if col not in t.columns:
            raise ConfigError(
                f"forecast: filter column {col!r} is not in the {table} table (have: "
                f"{', '.join(t.columns)}). Fix {_FILTER_KEY}"
            )
        t = t.filter(t[col].cast("string").isin([str(v) for v in values]))
    return t


def aggregate_demand(
    ws: Workspace,
    *,
    freq: Freq = "D",
    where: Mapping[str, Sequence[str]] | None = None,
    items_where: Mapping[str, Sequence[str]] | None = None,
    purchase: str = "purchase",
) -> pd.DataFrame:
    """Per item and period sums, computed in the engine.

    Uses ``demand`` when the workspace has it (quantity summed, promo as the period's mean share
    of promoted rows, price as its mean), else ``orders`` (quantity summed, or the count of
    order lines when there is no quantity column; orders without an item id make one series
    under :data:`TOTAL_ID`), else the ``purchase`` events of ``events`` read as order lines
    (:func:`opsai.behavior.orders_from_events`).

    Args:
        ws: an open workspace.
        freq: ``D`` daily, ``W`` weekly (Monday starts) or ``M`` monthly buckets.
        where: keep only rows whose column holds one of the values, e.g.
            ``{"split": ["train"]}`` (see :func:`parse_filter`); an ``items.<column>`` key
            filters on the ``items`` table instead.
        items_where: keep only items whose ``items`` attributes match, e.g.
            ``{"frequency": ["monthly"]}``.
        purchase: the event read as an order line when there is only ``events``.

    Returns:
        ``[ITEM_ID, TIMESTAMP, QUANTITY]`` and, from ``demand``, ``PROMO``/``PRICE`` when
        present; not zero-filled.

    Raises:
        SchemaError: the workspace has no ``demand``, ``orders`` or ``events``.
        NothingToAnalyse: only ``events``, without a purchase event.
    """
    _check_freq(freq)
    name = next((n for n in ("demand", "orders", "events") if ws.has(n)), None)
    if name is None:
        raise SchemaError(
            "forecast: no 'demand', 'orders' or 'events' table is in the workspace "
            f"(present: {', '.join(ws.present) or 'none'}). Add one under data.tables in the config"
        )
    if name == "events":  # purchase events as order lines (each one unit without a quantity)
        from opsai.behavior.purchases import orders_from_events

        t, _ = orders_from_events(ws.table("events"), purchase=purchase)
        name = "orders"
    else:
        t = ws.table(name)
    where = dict(where or {})
    items_where = dict(items_where or {})
    for key in [k for k in where if k.startswith("items.")]:
        items_where[key.removeprefix("items.")] = where.pop(key)
    t = _filtered(t, where, name)
    if items_where:
        if not ws.has("items") or ITEM_ID not in t.columns:
            raise ConfigError(
                f"forecast: an item filter needs an 'items' table and {ITEM_ID} in {name}"
            )
        items = _filtered(ws.table("items"), items_where, "items")
        t = t.filter(t[ITEM_ID].cast("string").isin(items[ITEM_ID].cast("string")))
    cols = set(t.columns)
    bucket = t[TIMESTAMP].truncate(_IBIS_UNIT[freq]).cast("timestamp").name(TIMESTAMP)
    # without item ids every row is one product line, "all_items" (the total sums it again)
    key = t[ITEM_ID].cast("string") if ITEM_ID in cols else ibis.literal(ALL_ITEMS)
    qty = t[QUANTITY].cast("float64").sum() if QUANTITY in cols else t.count().cast("float64")
    aggs = {QUANTITY: qty}
    if PROMO in cols:
        aggs[PROMO] = t[PROMO].cast("float64").mean()
    if PRICE in cols:
        aggs[PRICE] = t[PRICE].cast("float64").mean()
    expr = t.group_by([key.name(ITEM_ID), bucket]).aggregate(**aggs)
    out = expr.to_pandas()
    out[ITEM_ID] = out[ITEM_ID].astype(str)
    out[TIMESTAMP] = pd.to_datetime(out[TIMESTAMP]).astype("datetime64[ns]")
    return out.sort_values([ITEM_ID, TIMESTAMP]).reset_index(drop=True)


def fill_gaps(
    df: pd.DataFrame,
    *,
    freq: Freq = "D",
    start: Literal["series", "global"] = "series",
    end: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Zero-fill missing periods of each series.

    Args:
        df: long frame with ``ITEM_ID``, ``TIMESTAMP`` (period starts) and ``QUANTITY``.
        freq: the frame's frequency.
        start: ``series`` starts each series at its first row (a product launched later has no
            leading zeros); ``global`` starts every series at the earliest period.
        end: the last period of every series; default the latest period in ``df``.

    Returns:
        The frame with every period present; ``QUANTITY`` is 0 where filled. ``PROMO`` and
        ``PRICE`` stay missing where the data does not give them: a price recorded only on days
        with a sale must not be filled in, or a forecaster would take it for one known in
        advance (see :func:`opsai.forecast.ml.known_in_advance`).
    """
    _check_freq(freq)
    if df.empty:
        return df.copy()
    off = PANDAS_FREQ[freq]
    last = pd.Timestamp(end) if end is not None else df[TIMESTAMP].max()
    first_all = df[TIMESTAMP].min()
    parts = []
    for sid, g in df.groupby(ITEM_ID, sort=True):
        first = g[TIMESTAMP].min() if start == "series" else first_all
        idx = pd.date_range(first, last, freq=off)
        g = g.set_index(TIMESTAMP).reindex(idx)
        g.index.name = TIMESTAMP
        g[ITEM_ID] = sid
        g[QUANTITY] = g[QUANTITY].fillna(0.0)
        parts.append(g.reset_index())
    cols = [c for c in (ITEM_ID, TIMESTAMP, QUANTITY, PROMO, PRICE) if c in df.columns]
    return pd.concat(parts, ignore_index=True)[cols]


def hierarchy(
    bottom: pd.DataFrame,
    categories: pd.Series | None = None,
    *,
    levels: Sequence[Level] = ("item", "category", "total"),
    freq: Freq = "D",
) -> HierarchicalSeries:
    """Sum zero-filled item series up to categories and the total.

    Args:
        bottom: zero-filled item series (see :func:`fill_gaps`).
        categories: item id -> category name; items without one go to ``unknown``. Needed for
            the ``category`` level (skipped when ``None``).
        levels: which levels to keep; ``item`` is always the bottom.
        freq: the frame's frequency.

    Returns:
        A :class:`HierarchicalSeries`.
    """
    items = sorted(bottom[ITEM_ID].unique())
    clash = {TOTAL_ID} & set(items) or {i for i in items if i.startswith(CATEGORY_PREFIX)}
    if clash:
        raise SchemaError(
            f"forecast: item id(s) {sorted(clash)[:3]} clash with the aggregate series ids "
            f"({TOTAL_ID!r}, '{CATEGORY_PREFIX}<name>'). Rename those items"
        )
    wide = bottom.pivot_table(
        index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY, aggfunc="sum", fill_value=0.0
    ).reindex(columns=items, fill_value=0.0)
    rows: list[pd.Series] = []
    tags: dict[str, list[str]] = {}
    if "total" in levels:
        tags["total"] = [TOTAL_ID]
        rows.append(pd.Series(1.0, index=items, name=TOTAL_ID))
    if "category" in levels and categories is not None:
        cat = categories.reindex(items).fillna(UNKNOWN_CATEGORY).astype(str)
        names = sorted(cat.unique())
        tags["category"] = [CATEGORY_PREFIX + c for c in names]
        for c in names:
            rows.append(
                pd.Series(
                    (cat == c).astype(float).to_numpy(), index=items, name=CATEGORY_PREFIX + c
                )
            )
    tags["item"] = items
    agg = pd.DataFrame(rows) if rows else pd.DataFrame(columns=items)
    S = pd.concat([agg, pd.DataFrame(np.eye(len(items)), index=items, columns=items)])
    frames = [bottom]
    if rows:
        upper = wide @ agg.T
        upper.columns.name = ITEM_ID
        long = upper.stack().rename(QUANTITY).reset_index()
        frames.insert(0, long[[ITEM_ID, TIMESTAMP, QUANTITY]])
    df = pd.concat(frames, ignore_index=True)
    order = {sid: k for k, sid in enumerate(S.index)}
    df = df.sort_values(
        [ITEM_ID, TIMESTAMP], key=lambda s: s.map(order) if s.name == ITEM_ID else s
    )
    return HierarchicalSeries(df.reset_index(drop=True), S, tags, freq)


def build_series(
    ws: Workspace,
    *,
    freq: Freq = "D",
    levels: Sequence[Level] = ("item", "category", "total"),
    start: Literal["series", "global"] = "series",
    where: Mapping[str, Sequence[str]] | None = None,
    items_where: Mapping[str, Sequence[str]] | None = None,
    purchase: str = "purchase",
) -> HierarchicalSeries:
    """Item, category and total demand series from a workspace.

    Args:
        ws: an open workspace with ``demand``, ``orders`` or purchase ``events`` (and ``items``
            for categories).
        freq: ``D``, ``W`` or ``M``.
        levels: levels to build.
        start: where each item series starts (see :func:`fill_gaps`).
        where: row filter of the demand/orders table (see :func:`aggregate_demand`).
        items_where: item filter on ``items`` attributes.
        purchase: the event read as an order line when there is only ``events``.

    Returns:
        A :class:`HierarchicalSeries`.
    """
    raw = aggregate_demand(ws, freq=freq, where=where, items_where=items_where, purchase=purchase)
    if raw.empty:
        raise SchemaError(
            f"forecast: no demand rows left after the filters {dict(where or {})} / "
            f"{dict(items_where or {})}. Check {_FILTER_KEY}"
        )
    bottom = fill_gaps(raw, freq=freq, start=start)
    categories = None
    if "category" in levels and ws.has("items") and CATEGORY in ws.columns("items"):
        it = ws.table("items").select(ITEM_ID, CATEGORY).to_pandas()
        categories = it.assign(**{ITEM_ID: it[ITEM_ID].astype(str)}).set_index(ITEM_ID)[CATEGORY]
    return hierarchy(bottom, categories, levels=levels, freq=freq)
