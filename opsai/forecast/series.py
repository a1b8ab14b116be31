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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import ibis
import numpy as np
import pandas as pd

from opsai.data.promo import promo_flags
from opsai.data.schema import (
    AMOUNT,
    CATEGORY,
    COMPETITOR_PRICE,
    EVENT_DAY,
    ITEM_ID,
    NO_EVENT,
    ORDER_ID,
    PRICE,
    PROMO,
    QUANTITY,
    STORE,
    TIMESTAMP,
    TITLE,
)
from opsai.errors import ConfigError, SchemaError

if TYPE_CHECKING:
    from opsai.data.workspace import Workspace

Freq = Literal["H", "D", "W", "M"]
Level = Literal["item", "category", "total"]

TOTAL_ID = "total"
"""Id of the series that sums every item."""
ALL_ITEMS = "all_items"
"""The one bottom series of data without item ids."""
CATEGORY_PREFIX = "category:"
"""Prefix of a category series id (``category:Drinks``); item ids are kept as they are."""
UNKNOWN_CATEGORY = "unknown"
OTHER_PREFIX = "other:"
"""Prefix of the series summing one category's items beyond the item cap (``other:Drinks``;
``other:all`` without categories); see :func:`cap_items`."""
OTHER_LEVEL = "other"
"""Level (key of ``HierarchicalSeries.tags``) of those series."""
OTHER_CATEGORIES = "(other categories)"
"""The category that sums the categories none of whose items is kept under the item cap."""

PANDAS_FREQ: dict[str, str] = {"H": "h", "D": "D", "W": "W-MON", "M": "MS"}
"""opsai frequency -> the pandas offset of its period starts (weeks start on Monday)."""
_IBIS_UNIT: dict[str, str] = {"H": "h", "D": "D", "W": "W", "M": "M"}
SEASON_LENGTH: dict[str, int] = {"H": 24, "D": 7, "W": 52, "M": 12}
"""The usual seasonal period per frequency (daily for hourly data, weekly for daily data,
yearly otherwise)."""


@dataclass
class HierarchicalSeries:
    """Series of several levels in one long frame, with the summing matrix.

    Attributes:
        df: long frame ``[ITEM_ID, TIMESTAMP, QUANTITY]`` (+ ``PROMO``/``PRICE`` for items when
            the data has them, and ``EVENT_DAY`` for every series when the demand table maps
            it: :func:`event_calendar`), every level stacked, zero-filled, sorted.
        S: summing matrix, one row per series id (all levels, aggregates first) and one column
            per bottom (item) id; ``S @ bottom == all``.
        tags: level name -> the series ids of that level.
        freq: the opsai frequency (``D``, ``W`` or ``M``).
        left_out: items beyond the item cap (see :func:`cap_items`): no series of their own,
            their units in the :data:`OTHER_LEVEL` series of their category.
        merged_categories: the categories summed into :data:`OTHER_CATEGORIES` (none of their
            items kept under the cap).
        clipped: item-periods whose returns outweighed their sales (a negative net quantity,
            read as 0 sold; see :func:`aggregate_demand`): ``{"periods": n, "units": u}``
            with ``u`` the negative units left out; empty when there were none.
        filled: ``[ITEM_ID, TIMESTAMP]`` of the periods whose amount a closure filled in
            (:func:`opsai.forecast.chapter.fill_closures`), not sales; empty when none.
    """

    df: pd.DataFrame
    S: pd.DataFrame
    tags: dict[str, list[str]]
    freq: str
    left_out: list[str] = field(default_factory=list)
    merged_categories: list[str] = field(default_factory=list)
    clipped: dict[str, float] = field(default_factory=dict)
    filled: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[ITEM_ID, TIMESTAMP]))

    @property
    def bottom(self) -> pd.DataFrame:
        """The item-level rows only."""
        return self.df[self.df[ITEM_ID].isin(self.tags["item"])].reset_index(drop=True)

    @property
    def season_length(self) -> int:
        return SEASON_LENGTH[self.freq]


def item_titles(ws: Workspace) -> dict[str, str]:
    """Each item's title from the ``items`` table, by its id as text, when the table maps a
    ``title``: what 04's findings and 07's actions name an item by beside its id ("item 1
    (Latte Rg)", byod12a D5). Titles equal to the id, or empty, are left out; empty without
    titles."""
    if not ws.has("items") or TITLE not in ws.columns("items"):
        return {}
    df = ws.to_pandas("items", [ITEM_ID, TITLE]).dropna().drop_duplicates(ITEM_ID)
    out = {str(i): str(t).strip() for i, t in zip(df[ITEM_ID], df[TITLE], strict=True)}
    return {i: t for i, t in out.items() if t and t != i}


def titled(sid: object, titles: Mapping[str, str] | None) -> str:
    """``1 (Latte Rg)``: an item id with its title from :func:`item_titles`, or the id alone."""
    title = (titles or {}).get(str(sid))
    return f"{sid} ({title})" if title else str(sid)


def _check_freq(freq: str) -> None:
    if freq not in PANDAS_FREQ:
        raise ConfigError(
            f"freq must be one of 'H', 'D', 'W', 'M' (hourly, daily, weekly, monthly), got {freq!r}. "
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


def _source(ws: Workspace, purchase: str) -> tuple[ibis.Table, str]:
    """The table demand is read from (``demand``, else ``orders``, else the ``purchase``
    events of ``events`` as order lines) and its name (``orders`` for events)."""
    name = next((n for n in ("demand", "orders", "events") if ws.has(n)), None)
    if name is None:
        raise SchemaError(
            "forecast: no 'demand', 'orders' or 'events' table is in the workspace "
            f"(present: {', '.join(ws.present) or 'none'}). Add one under data.tables in the config"
        )
    if name == "events":  # purchase events as order lines (each one unit without a quantity)
        from opsai.behavior.purchases import orders_from_events

        t, _ = orders_from_events(ws.item_lines("events"), purchase=purchase)
        return t, "orders"
    return ws.item_lines(name), name  # postage, fees (non_items) are no demand to plan


def source_dates(
    ws: Workspace,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    purchase: str = "purchase",
) -> tuple[pd.DatetimeIndex, str]:
    """The distinct calendar days the demand rows fall on (sorted), and the table's name.

    The same rows :func:`aggregate_demand` sums (``where``'s row filters; an ``items.`` key
    is left out: it picks items, not days), so :func:`data_freq` can tell weekly or monthly
    exports from daily ones.
    """
    t, name = _source(ws, purchase)
    t = _filtered(t, {k: v for k, v in (where or {}).items() if not k.startswith("items.")}, name)
    days = t.select(t[TIMESTAMP].truncate("D").cast("timestamp").name(TIMESTAMP)).distinct()
    out = pd.to_datetime(days.to_pandas()[TIMESTAMP]).dropna()
    return pd.DatetimeIndex(sorted(out.unique())), name


MIN_DATES_FOR_FREQ = 4
"""Distinct dates below which :func:`data_freq` does not call data weekly or monthly."""


def data_freq(dates: Iterable[pd.Timestamp] | pd.DatetimeIndex) -> dict[str, object] | None:
    """How the dates are spaced when they are weekly or monthly, else ``None`` (daily).

    Weekly: every date falls on the same weekday (so 7 days apart, or a multiple of 7 where a
    week is missing). Monthly: every date falls on the same day of the month (or every one on
    its month's last day) and no two in the same month. At least :data:`MIN_DATES_FOR_FREQ`
    distinct dates are needed to say either.

    Returns:
        ``{"freq": "W" | "M", "day": "Friday" | "the 1st" | "the last day", "dates": n,
        "first": "YYYY-MM-DD", "last": "YYYY-MM-DD", "missing": periods skipped inside}``.

    Example:
        >>> data_freq(pd.date_range("2010-02-05", periods=10, freq="7D"))["day"]
        'Friday'
    """
    d = pd.DatetimeIndex(pd.to_datetime(list(dates))).normalize().unique().sort_values()
    if len(d) < MIN_DATES_FOR_FREQ:
        return None
    info: dict[str, object] = {"dates": len(d), "first": f"{d[0]:%Y-%m-%d}",
                               "last": f"{d[-1]:%Y-%m-%d}"}  # fmt: skip
    if d.day_of_week.nunique() == 1:
        weeks = (d[-1] - d[0]).days // 7 + 1
        return {"freq": "W", "day": f"{d[0]:%A}", **info, "missing": weeks - len(d)}
    months = d.year * 12 + d.month
    if pd.Index(months).is_unique and (d.day.nunique() == 1 or bool(d.is_month_end.all())):
        day = "the last day" if d.is_month_end.all() and d.day.nunique() > 1 else _ordinal(d[0].day)
        span = int(months[-1] - months[0]) + 1
        return {"freq": "M", "day": day, **info, "missing": span - len(d)}
    return None


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"the {n}{suffix}"


def _returns_at_sale(t: ibis.Table) -> ibis.Table:
    """``t`` (order lines) with each return line (a negative quantity, else amount) dated at
    its order's first sale line when the order has one, so demand nets it against the period
    the units were sold in, not the day they came back."""
    if ORDER_ID not in t.columns:
        return t
    size = t[QUANTITY] if QUANTITY in t.columns else t[AMOUNT] if AMOUNT in t.columns else None
    if size is None:
        return t
    sold = t.filter(size >= 0)
    sale = sold.group_by(_oid=sold[ORDER_ID]).aggregate(_sold=sold[TIMESTAMP].min())
    j = t.left_join(sale, t[ORDER_ID] == sale._oid)
    back = j[QUANTITY] < 0 if QUANTITY in t.columns else j[AMOUNT] < 0
    when = ibis.ifelse(back & j._sold.notnull(), j._sold, j[TIMESTAMP]).cast(t[TIMESTAMP].type())
    return j.select(*[when.name(c) if c == TIMESTAMP else j[c] for c in t.columns])


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
    of promoted rows: a discount written as a negative amount counts where set, see
    :func:`opsai.data.promo.promo_flags`; price as its mean), else ``orders`` (quantity summed, or the count of
    order lines when there is no quantity column; orders without an item id make one series
    under :data:`TOTAL_ID`), else the ``purchase`` events of ``events`` read as order lines
    (:func:`opsai.behavior.orders_from_events`).

    Returns (negative quantities) are netted against the sales of their item and period: the
    period of their own order's sale when the order is in the data (a ``returns`` table's
    refund, dated weeks after the sale), else their own (a cancellation with an invoice of its
    own); a period whose net is negative (a day with only a cancellation) counts 0 sold, not negative
    demand, as a period without rows does: its sum is clipped at 0 and the periods and units
    clipped are kept in ``attrs["clipped"]`` (``{"periods": n, "units": u}``).

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
        ``[ITEM_ID, TIMESTAMP, QUANTITY]`` and, from ``demand``, ``PROMO``/``PRICE`` (and
        ``COMPETITOR_PRICE``, its mean) when present; not zero-filled.

    Raises:
        SchemaError: the workspace has no ``demand``, ``orders`` or ``events``.
        NothingToAnalyse: only ``events``, without a purchase event.
    """
    _check_freq(freq)
    t, name = _source(ws, purchase)
    if name == "demand":  # a discount (-0.60 off the line) is a promotion where set
        t = promo_flags(t)
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
    if name == "orders":
        t = _returns_at_sale(t)
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
    if COMPETITOR_PRICE in cols:
        aggs[COMPETITOR_PRICE] = t[COMPETITOR_PRICE].cast("float64").mean()
    expr = t.group_by([key.name(ITEM_ID), bucket]).aggregate(**aggs)
    out = expr.to_pandas()
    out[ITEM_ID] = out[ITEM_ID].astype(str)
    out[TIMESTAMP] = pd.to_datetime(out[TIMESTAMP]).astype("datetime64[ns]")
    out = out.sort_values([ITEM_ID, TIMESTAMP]).reset_index(drop=True)
    neg = out[QUANTITY] < 0  # returns beyond the period's sales: no negative demand
    clipped = {"periods": int(neg.sum()), "units": float(-out.loc[neg, QUANTITY].sum())}
    out[QUANTITY] = out[QUANTITY].clip(lower=0.0)
    out.attrs["clipped"] = clipped if clipped["periods"] else {}
    return out


def _store_lines(
    ws: Workspace, freq: Freq, where: Mapping[str, Sequence[str]] | None
) -> ibis.Table | None:
    """The lines with a store of the table demand is read from (``demand``, else ``orders``:
    a mall export's malls, byod13a D5), after the chapter's SERIES_FILTER ``where`` (its
    ``items.`` keys are not applied), with a ``QUANTITY`` (one unit per order line without
    one) and an ``ITEM_ID`` (:data:`ALL_ITEMS` without one); ``None`` when that table maps no
    ``store``."""
    _check_freq(freq)
    name = next((n for n in ("demand", "orders") if ws.has(n)), None)
    if name is None or STORE not in ws.columns(name):
        return None
    rows = {k: v for k, v in (where or {}).items() if not k.startswith("items.")}
    t = _filtered(ws.item_lines(name), rows, name)
    if name == "orders":  # as aggregate_demand reads order lines
        t = _returns_at_sale(t)
        if QUANTITY not in t.columns:
            t = t.mutate(**{QUANTITY: ibis.literal(1.0)})
        if ITEM_ID not in t.columns:
            t = t.mutate(**{ITEM_ID: ibis.literal(ALL_ITEMS)})
    return t.filter(t[STORE].notnull())


def store_demand(
    ws: Workspace,
    *,
    freq: Freq = "D",
    where: Mapping[str, Sequence[str]] | None = None,
    items: Iterable[str] | None = None,
    max_rows: int = 2_000_000,
) -> pd.DataFrame | None:
    """Units per item, store and period ``[ITEM_ID, STORE, TIMESTAMP, QUANTITY]`` from the
    ``demand`` table (else the ``orders``), not zero-filled (a period without a row sold
    nothing), or ``None`` when there is neither, it maps no ``store`` or holds fewer than two
    stores.

    The series :func:`build_series` makes sum the stores per item, so a stock-out in one store
    is hidden by the others' sales (byod9a D2: FOODS_1_003 sold nothing at CA_1 for 35 days
    while the chain total only fell from 30.8 to 23.9 a day); tests that look for one store's
    run of zeros need this frame. ``where``: the chapter's SERIES_FILTER (its ``items.`` keys
    are not applied); ``items``: keep only these item ids (the series kept under the cap).
    Above ``max_rows`` item-store-periods (Favorita: 54 stores x thousands of items x years of
    days) only the item-stores whose last sale came before the data's last period are kept
    (the ones a stock-out test can flag), and ``attrs["capped"]`` is true; ``attrs["end"]`` is
    the data's last period.
    """
    t = _store_lines(ws, freq, where)
    if t is None:
        return None
    if items is not None:
        t = t.filter(t[ITEM_ID].cast("string").isin([str(i) for i in items]))
    bucket = t[TIMESTAMP].truncate(_IBIS_UNIT[freq]).cast("timestamp").name(TIMESTAMP)
    keys = [t[ITEM_ID].cast("string").name(ITEM_ID), t[STORE].cast("string").name(STORE), bucket]
    agg = t.group_by(keys).aggregate(**{QUANTITY: t[QUANTITY].cast("float64").sum()})
    if int(agg[STORE].nunique().to_pandas()) < 2:
        return None
    capped = int(agg.count().to_pandas()) > max_rows
    end = pd.Timestamp(agg[TIMESTAMP].max().to_pandas())
    if capped:  # a large export: only the item-stores that stopped selling before the end
        sold = agg.filter(agg[QUANTITY] > 0)
        last = sold.group_by([ITEM_ID, STORE]).aggregate(_last=sold[TIMESTAMP].max())
        stale = last.filter(last._last < end.to_pydatetime()).select(ITEM_ID, STORE)
        agg = agg.semi_join(stale, [ITEM_ID, STORE])
    out = agg.to_pandas()
    if len(out):
        out[TIMESTAMP] = pd.to_datetime(out[TIMESTAMP]).astype("datetime64[ns]")
        out[QUANTITY] = out[QUANTITY].clip(lower=0.0)
        out = out.sort_values([ITEM_ID, STORE, TIMESTAMP]).reset_index(drop=True)
    out.attrs = {"capped": capped, "end": end}  # the data's last period, whatever is kept
    return out


def store_totals(
    ws: Workspace,
    *,
    freq: Freq = "D",
    where: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame | None:
    """Demand per store and period, every item summed, as a series frame ``[ITEM_ID (the
    store), TIMESTAMP, QUANTITY]``, or ``None`` when the ``demand`` table (else the
    ``orders``) maps no ``store`` or holds fewer than two stores.

    The series :func:`build_series` makes sum the stores per item, so a store whose every
    department stepped down 40% moved no item against the others (byod11b D5: Walmart's
    store 5 from 2012-03-02); :func:`opsai.forecast.store_shifts` reads these totals.
    ``where``: the chapter's SERIES_FILTER (its ``items.`` keys are not applied).
    """
    t = _store_lines(ws, freq, where)
    if t is None:
        return None
    bucket = t[TIMESTAMP].truncate(_IBIS_UNIT[freq]).cast("timestamp").name(TIMESTAMP)
    qty = t[QUANTITY].cast("float64").sum()
    out = t.group_by([t[STORE].cast("string").name(ITEM_ID), bucket]).aggregate(**{QUANTITY: qty})
    out = out.to_pandas()
    if out[ITEM_ID].nunique() < 2:
        return None
    out[TIMESTAMP] = pd.to_datetime(out[TIMESTAMP]).astype("datetime64[ns]")
    out[QUANTITY] = out[QUANTITY].clip(lower=0.0)
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
    cols = [c for c in (ITEM_ID, TIMESTAMP, QUANTITY, PROMO, PRICE, COMPETITOR_PRICE) if c in df]
    return pd.concat(parts, ignore_index=True)[cols]


def cap_items(
    df: pd.DataFrame,
    categories: pd.Series | None = None,
    *,
    max_items: int,
    keep: Iterable[str] = (),
) -> tuple[pd.DataFrame, pd.Series | None, list[str]]:
    """Keep the ``max_items`` items that sell the most units; sum the others per category.

    Forecasting every item of a catalogue of thousands one by one takes hours; the items beyond
    the cap still count in the category and total series through one :data:`OTHER_PREFIX`
    series per category (``other:Drinks``, ``other:all`` without categories) that sums them.
    Categories none of whose items is kept are summed into one category, a leaf of the
    hierarchy, :data:`OTHER_CATEGORIES` (a single one keeps its name: ``category:Tea``), or
    a catalogue of many small categories would still forecast thousands of series.

    Args:
        df: long item frame ``[ITEM_ID, TIMESTAMP, QUANTITY]`` (raw or zero-filled).
        categories: item id -> category name (items without one go to ``unknown``).
        max_items: how many items keep a series of their own (at least 1).
        keep: items kept first whatever they sell (e.g. those with an inventory row); the rest
            by total units, ties by id.

    Returns:
        The frame with the kept items and the bucket series (no ``PROMO``/``PRICE``), the
        categories with the ``other:`` buckets added (``None`` stays ``None``), and the
        left-out ids.

    Raises:
        SchemaError: an item id starts with :data:`OTHER_PREFIX`.
    """
    units = df.groupby(ITEM_ID)[QUANTITY].sum()
    if len(units) <= max_items:
        return df, categories, []
    clash = [i for i in units.index if str(i).startswith(OTHER_PREFIX)]
    if clash:
        raise SchemaError(
            f"forecast: item id(s) {clash[:3]} clash with the ids of the series of items beyond "
            f"the item cap ('{OTHER_PREFIX}<category>'). Rename those items"
        )
    rank = pd.DataFrame({"keep": units.index.isin(set(map(str, keep))), "units": units})
    rank = rank.rename_axis("id").reset_index()
    rank = rank.sort_values(["keep", "units", "id"], ascending=[False, False, True])
    kept = set(rank["id"].iloc[:max_items])
    rest = df[~df[ITEM_ID].isin(kept)]
    if categories is None:
        bucket = pd.Series(OTHER_PREFIX + "all", index=rest.index)
    else:
        cat = categories.reindex(rest[ITEM_ID]).fillna(UNKNOWN_CATEGORY).astype(str)
        named = categories.reindex(sorted(kept)).fillna(UNKNOWN_CATEGORY).astype(str)
        bare = ~cat.isin(set(named))
        if cat[bare].nunique() > 1:
            cat[bare] = OTHER_CATEGORIES
        prefix = np.where(bare, CATEGORY_PREFIX, OTHER_PREFIX)
        bucket = pd.Series(prefix + cat.to_numpy().astype(str), index=rest.index)
    other = rest.assign(**{ITEM_ID: bucket}).groupby([ITEM_ID, TIMESTAMP], as_index=False)
    out = pd.concat([df[df[ITEM_ID].isin(kept)], other[QUANTITY].sum()], ignore_index=True)
    if categories is not None:
        ids = [i for i in sorted(bucket.unique()) if i.startswith(OTHER_PREFIX)]
        named = pd.Series([i.removeprefix(OTHER_PREFIX) for i in ids], index=ids, dtype=object)
        categories = pd.concat([categories, named])
    left_out = sorted(set(units.index) - kept)
    return out.sort_values([ITEM_ID, TIMESTAMP]).reset_index(drop=True), categories, left_out


def hierarchy(
    bottom: pd.DataFrame,
    categories: pd.Series | None = None,
    *,
    levels: Sequence[Level] = ("item", "category", "total"),
    freq: Freq = "D",
    left_out: Sequence[str] = (),
) -> HierarchicalSeries:
    """Sum zero-filled item series up to categories and the total.

    Args:
        bottom: zero-filled item series (see :func:`fill_gaps`).
        categories: item id -> category name; items without one go to ``unknown``. Needed for
            the ``category`` level (skipped when ``None``).
        levels: which levels to keep; ``item`` is always the bottom.
        freq: the frame's frequency.
        left_out: the items :func:`cap_items` summed into its ``other:`` series; with them,
            those series are the :data:`OTHER_LEVEL` level, bottom series beside the items,
            and a ``category:`` bottom series is a category that is a leaf (no item kept).

    Returns:
        A :class:`HierarchicalSeries`.
    """
    items = sorted(bottom[ITEM_ID].unique())
    capped = len(left_out) > 0
    leaves = [i for i in items if i.startswith(CATEGORY_PREFIX)] if capped else []
    others = [i for i in items if i.startswith(OTHER_PREFIX)] if capped else []
    leaf_ids, not_items = set(leaves), set(leaves) | set(others)
    clash = {TOTAL_ID} & set(items) or {
        i for i in items if i.startswith(CATEGORY_PREFIX) and i not in leaf_ids
    }
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
        cat[leaves] = [i.removeprefix(CATEGORY_PREFIX) for i in leaves]
        names = sorted(cat.unique())
        tags["category"] = [CATEGORY_PREFIX + c for c in names]
        for c in [c for c in names if CATEGORY_PREFIX + c not in leaf_ids]:
            rows.append(
                pd.Series(
                    (cat == c).astype(float).to_numpy(), index=items, name=CATEGORY_PREFIX + c
                )
            )
    if others:
        tags[OTHER_LEVEL] = others
    tags["item"] = [i for i in items if i not in not_items]
    merged: list[str] = []
    if CATEGORY_PREFIX + OTHER_CATEGORIES in leaf_ids and categories is not None:
        had = categories.reindex([*left_out, *tags["item"]]).fillna(UNKNOWN_CATEGORY).astype(str)
        merged = sorted(set(had.iloc[: len(left_out)]) - set(had.iloc[len(left_out) :]))
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
    return HierarchicalSeries(df.reset_index(drop=True), S, tags, freq, list(left_out), merged)


STORE_NAME_SCORE = 0.6
"""A demand item_id whose column name scores this as a store (``name_score``) is a store,
as :mod:`opsai.data.init` reads a store column (:func:`series_are_stores`)."""


def series_are_stores(ws: Workspace) -> bool:
    """Whether each demand series is a store (byod9a D16: Rossmann's sales per store and day,
    ``item_id: Store``): the demand table's item_id mapped to the same source column as
    ``store``, or, with no store mapped, to a column named as one (``Store``, ``shop``,
    ``store_nbr``, ``Filiale``). Demand from orders or events: no."""
    from opsai.data._synonyms import name_score
    from opsai.data.schema import TABLES

    if not ws.has("demand"):
        return False
    cols = ws.source_columns("demand")  # also in a report's copy, whose config maps nothing
    src = cols.get(ITEM_ID)
    if src is None:
        return False
    if cols.get(STORE) == src:
        return True
    return STORE not in cols and name_score(src, STORE, TABLES["demand"]) >= STORE_NAME_SCORE


def _one_store(where: Mapping[str, Sequence[str]] | None) -> str | None:
    """The store SERIES_FILTER keeps when it keeps one: every series is that store's."""
    kept = [str(v) for v in (where or {}).get(STORE, [])]
    return kept[0] if len(kept) == 1 else None


def calendar_days(
    ws: Workspace, where: Mapping[str, Sequence[str]] | None = None
) -> ibis.Table | None:
    """The event days of the ``calendar`` table, past and coming: ``[day, label, store]``, one
    row per marked row (any label but those in :data:`NO_EVENT`); ``store`` is the store a row
    holds for, null for a row of every store (and for the rows of the one store SERIES_FILTER
    ``where`` keeps: every series is that store's). Another store's row is dropped when
    ``where`` keeps other stores only; ``None`` without a calendar table."""
    if not ws.has("calendar"):
        return None
    t = ws.table("calendar")
    own = ibis.null().cast("string")
    if STORE in t.columns:
        st = t[STORE].cast("string").strip()
        if STORE in (where or {}):
            keep = [str(v) for v in (where or {})[STORE]]
            t = t.filter(st.isnull() | (st == "") | st.isin(keep))
            st = t[STORE].cast("string").strip()
        one = _one_store(where)
        own = ibis.ifelse(st.isnull() | (st == "") | (st == (one or "")), own, st)
    word = t[EVENT_DAY].cast("string").strip()
    on = word.notnull() & (word != "") & ~word.lower().isin(list(NO_EVENT))
    day = t[TIMESTAMP].truncate("D").cast("timestamp")
    return t.filter(on).select(day=day, label=word, store=own)


def by_day(hs: HierarchicalSeries) -> HierarchicalSeries:
    """Hourly series (``freq`` ``H``) summed into days (other columns, an event day's share
    of hours or a price, averaged); other series as they are."""
    if hs.freq != "H":
        return hs
    df = hs.df.assign(**{TIMESTAMP: hs.df[TIMESTAMP].dt.floor("D")})
    keys = [ITEM_ID, TIMESTAMP]
    how = {c: "sum" if c == QUANTITY else "mean" for c in df.columns if c not in keys}
    out = df.groupby(keys, as_index=False, sort=False).agg(how)
    return replace(hs, df=out, freq="D")


def _hours_of(days: pd.DataFrame) -> pd.DataFrame:
    """Rows by day (``TIMESTAMP`` a column or the index) as 24 rows each, one per hour."""
    f = days if TIMESTAMP in days.columns else days.rename_axis(TIMESTAMP).reset_index()
    out = f.loc[f.index.repeat(24)].reset_index(drop=True)
    out[TIMESTAMP] = pd.to_datetime(out[TIMESTAMP]) + pd.to_timedelta(
        np.tile(np.arange(24), len(f)), unit="h"
    )
    return out


def event_calendar(
    ws: Workspace, *, freq: Freq = "D", where: Mapping[str, Sequence[str]] | None = None
) -> pd.Series | None:
    """Event days per period from the demand table's ``event_day`` column and the
    ``calendar`` table (whose coming days reach past the data's last one): period start ->
    the number of days in it that some row marks as an event (any label but those in
    :data:`NO_EVENT`; 0/1 per day of daily data); ``None`` when neither is there.
    ``where``: the row filter of :func:`aggregate_demand` (its ``items.`` keys are ignored:
    a calendar holds for every item).

    A calendar row for one store (its ``store`` column: a local holiday, the store's own
    promotion day) holds for that store's series only: when the series are stores
    (:func:`series_are_stores`), ``attrs["series"]`` holds ``[ITEM_ID, TIMESTAMP, EVENT_DAY]``
    for the store-periods with days of their own (every day of the store counted: its own and
    every store's), read by :func:`series_events`; the totals and categories take the rows of
    every store only (a store's own day reaches them through its series). When the series
    sum several stores (an item sold chain-wide) a store's own row is no series' event day.
    By the hour (``freq`` ``H``) each hour of an event day is marked with it.
    """
    if freq == "H":
        days = event_calendar(ws, freq="D", where=where)
        if days is None:
            return None
        out = _hours_of(days.to_frame()).set_index(TIMESTAMP)[EVENT_DAY]
        if "series" in days.attrs:
            out.attrs["series"] = _hours_of(days.attrs["series"])
        return out
    parts = []
    if ws.has("demand") and EVENT_DAY in ws.columns("demand"):
        rows = {k: v for k, v in (where or {}).items() if not k.startswith("items.")}
        t = _filtered(ws.table("demand"), rows, "demand")
        word = t[EVENT_DAY].cast("string").strip().lower()
        on = word.notnull() & (word != "") & ~word.isin(list(NO_EVENT))
        parts.append(t.filter(on).select(day=t[TIMESTAMP].truncate("D").cast("timestamp")))
    cal = calendar_days(ws, where)
    if cal is not None:
        parts.append(cal.filter(cal.store.isnull()).select("day"))
    if not parts:
        return None
    u = parts[0].union(parts[1]) if len(parts) > 1 else parts[0]

    def bucket(day: ibis.Column) -> ibis.Column:
        return day.truncate(_IBIS_UNIT[freq]).cast("timestamp").name(TIMESTAMP)

    got = u.group_by(bucket(u["day"])).aggregate(n=u["day"].nunique()).to_pandas()
    idx = pd.to_datetime(got[TIMESTAMP]).astype("datetime64[ns]")
    out = pd.Series(got["n"].to_numpy(dtype=float), index=idx, name=EVENT_DAY).sort_index()
    if cal is not None and series_are_stores(ws):
        own = cal.filter(cal.store.notnull()).select("day", "store").distinct()
        own = own.anti_join(u.select("day").distinct(), "day")  # days not every store's already
        extra = own.group_by([own.store.name(ITEM_ID), bucket(own["day"])]).aggregate(
            n=own["day"].nunique()
        )
        mine = extra.to_pandas()
        if len(mine):
            at = pd.to_datetime(mine[TIMESTAMP]).astype("datetime64[ns]")
            days = at.map(out).fillna(0.0).to_numpy(dtype=float) + mine["n"].to_numpy(dtype=float)
            out.attrs["series"] = pd.DataFrame(
                {ITEM_ID: mine[ITEM_ID].astype(str), TIMESTAMP: at, EVENT_DAY: days}
            )
    return out


def series_events(frame: pd.DataFrame, events: pd.Series) -> np.ndarray:
    """Each row's event days (``frame``: ``[ITEM_ID, TIMESTAMP, ...]``): its series' own where
    :func:`event_calendar` gives it some (a store's own days, ``attrs["series"]``), else every
    store's of its period; 0 where none."""
    days = frame[TIMESTAMP].map(events).fillna(0.0).to_numpy(dtype=float)
    own = events.attrs.get("series")
    if own is None or not len(own):
        return days
    key = pd.MultiIndex.from_arrays([frame[ITEM_ID].astype(str), frame[TIMESTAMP]])
    mine = own.set_index([ITEM_ID, TIMESTAMP])[EVENT_DAY].reindex(key).to_numpy(dtype=float)
    return np.where(np.isnan(mine), days, mine)


def future_events(index: pd.DataFrame, events: pd.Series | None) -> pd.DataFrame | None:
    """``X_future`` of the forecast beyond the data's last day: ``index`` (a fitted model's
    ``future_index(h)``) with each series' event days of each period from
    :func:`event_calendar` (a store's own days at that store's series only; 0 where it names
    none); ``None`` without a calendar."""
    if events is None:
        return None
    return index.assign(**{EVENT_DAY: series_events(index, events)})


def build_series(
    ws: Workspace,
    *,
    freq: Freq = "D",
    levels: Sequence[Level] = ("item", "category", "total"),
    start: Literal["series", "global"] = "series",
    where: Mapping[str, Sequence[str]] | None = None,
    items_where: Mapping[str, Sequence[str]] | None = None,
    purchase: str = "purchase",
    max_items: int | None = None,
    keep: Iterable[str] = (),
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
        max_items: keep at most this many items as series of their own, the others summed per
            category (see :func:`cap_items`); ``None``: every item.
        keep: items kept first under ``max_items`` (e.g. those with an inventory row).

    Returns:
        A :class:`HierarchicalSeries`.
    """
    raw = aggregate_demand(ws, freq=freq, where=where, items_where=items_where, purchase=purchase)
    clipped = dict(raw.attrs.get("clipped", {}))
    if raw.empty:
        raise SchemaError(
            f"forecast: no demand rows left after the filters {dict(where or {})} / "
            f"{dict(items_where or {})}. Check {_FILTER_KEY}"
        )
    categories = None
    if "category" in levels and ws.has("items") and CATEGORY in ws.columns("items"):
        it = ws.table("items").select(ITEM_ID, CATEGORY).to_pandas()
        categories = it.assign(**{ITEM_ID: it[ITEM_ID].astype(str)}).set_index(ITEM_ID)[CATEGORY]
    left_out: list[str] = []
    if max_items is not None:  # before the zero-fill: the left-out items need none of their own
        raw, categories, left_out = cap_items(raw, categories, max_items=max_items, keep=keep)
    bottom = fill_gaps(raw, freq=freq, start=start)
    hs = hierarchy(bottom, categories, levels=levels, freq=freq, left_out=left_out)
    hs.clipped = clipped
    days = event_calendar(ws, freq=freq, where=where)
    if days is not None:  # every series, every period: a calendar, known in advance
        hs.df[EVENT_DAY] = series_events(hs.df, days)  # a store's own days: its series only
    return hs
