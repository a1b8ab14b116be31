"""Demand rows dated after the data's as-of date: bookings on the books, not sales.

A booking calendar (a rental host's, a hotel's, a venue's reservations) exported on 14 June
holds the year ahead: its booked days thin the further ahead they lie, because fewer
bookings have been made for them yet. Summed as sales they read as falling demand (byod13b:
"store Staten Island's sales fell 59.4%"). :func:`forward_book` finds those rows (the as-of
date of :func:`opsai.data.forward.as_of`); the chapter leaves them out of training,
backtests and shift findings, and :func:`forward_book_finding` says what is on the books.

Example:
    >>> book = forward_book(ws)                                       # doctest: +SKIP
    >>> hs, stores = drop_thin_tail(hs, book, stores=stores) if book else (hs, stores)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from opsai.data.forward import as_of, booked_rate
from opsai.data.schema import CATEGORY, ITEM_ID, PRICE, STORE, TIMESTAMP
from opsai.errors import NothingToAnalyse
from opsai.forecast.series import _filtered
from opsai.report.finding import Finding


def forward_book(
    ws: Any, *, where: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Any] | None:
    """The demand table's rows after the data's as-of date, as occupancy ahead; else ``None``.

    Returns:
        ``as_of`` (``YYYY-MM-DD``), ``source`` (``data.as_of`` or the tables whose latest date
        it is), ``forward`` and ``rows`` (booked rows after it, of all), ``cut`` (the first
        day left out, for :func:`~opsai.forecast.periods.drop_thin_tail`), ``items`` (the
        items in the book) and the booked share of the items' days: ``months`` (per month),
        ``stores`` and ``categories`` (over the whole book; empty without the column).
    """
    at = as_of(ws, "demand")
    if at is None:
        return None
    t = _filtered(
        ws.item_lines("demand"),
        {k: v for k, v in (where or {}).items() if not k.startswith("items.")},
        "demand",
    )
    cut = at.date + pd.Timedelta(days=1)
    every = t.filter(t[TIMESTAMP] >= cut.to_pydatetime()).to_pandas()  # attributes: sell-outs
    if every.empty:
        return None
    every[ITEM_ID] = every[ITEM_ID].astype(str)
    rows = every[[c for c in (ITEM_ID, TIMESTAMP, STORE, PRICE) if c in every.columns]]
    if ws.has("items") and CATEGORY in ws.columns("items"):
        cats = ws.to_pandas("items", [ITEM_ID, CATEGORY]).drop_duplicates(ITEM_ID)
        rows = rows.merge(cats.astype({ITEM_ID: str}), on=ITEM_ID, how="left")

    def whole(by: str) -> pd.Series:
        if by not in rows.columns or rows[by].nunique() < 2:
            return pd.Series(dtype=float)
        r = booked_rate(rows.dropna(subset=[by]), by=by).groupby(by)[["booked", "capacity"]].sum()
        return (r["booked"] / r["capacity"]).sort_values(ascending=False)

    months = booked_rate(rows).set_index("month")
    price = (
        ws.to_pandas("items", [ITEM_ID, PRICE])
        if ws.has("items") and PRICE in ws.columns("items")
        else None
    )
    return {
        "as_of": f"{at.date:%Y-%m-%d}",
        "source": at.source,
        "forward": len(rows),
        "rows": int(at.rows),
        "cut": f"{cut:%Y-%m-%d}",
        "items": int(rows[ITEM_ID].nunique()),
        "months": months,
        "stores": whole(STORE),
        "categories": whole(CATEGORY),
        "priced": priced_above(rows, price),
        "sold_out": sold_out(every),
    }


HIGH = 1.3
"""An item priced over this many times its peers' median is priced high (:func:`priced_above`)."""


def priced_above(rows: pd.DataFrame, listed: pd.DataFrame | None = None) -> dict[str, Any] | None:
    """The price response across items in a forward book: the booked share of the days ahead of
    the items priced over :data:`HIGH` times the median of their peers (same store and
    category, where the book has them) against the rest's. A rate schedule every item applies
    on the same days (weekends, December) is no price decision; this is. An item's price is
    ``listed`` (the items table's), else the median of its booked days' prices. None without
    prices or with fewer than 5 items on either side."""
    if listed is not None:
        price = (
            listed.dropna()
            .astype({ITEM_ID: str})
            .drop_duplicates(ITEM_ID)
            .set_index(ITEM_ID)[PRICE]
        )
    elif PRICE in rows:
        price = rows.groupby(ITEM_ID)[PRICE].median()
    else:
        return None
    days = (rows[TIMESTAMP].max() - rows[TIMESTAMP].min()).days + 1
    items = rows.groupby(ITEM_ID).agg(
        booked=(TIMESTAMP, "size"),
        **{c: (c, "first") for c in (STORE, CATEGORY) if c in rows},
    )
    items["price"] = price.reindex(items.index)
    items = items.dropna(subset=["price"])
    peers = [c for c in (STORE, CATEGORY) if c in items]
    median = items.groupby(peers)["price"].transform("median") if peers else items["price"].median()
    high = items["price"] > HIGH * median
    if high.sum() < 5 or (~high).sum() < 5:
        return None
    rate = items["booked"] / days
    return {
        "high": int(high.sum()), "rest": int((~high).sum()), "peers": peers,
        "high_rate": float(rate[high].mean()), "rest_rate": float(rate[~high].mean()),
        "listed": listed is not None,
    }  # fmt: skip


def _pct(s: pd.Series) -> str:
    return ", ".join(f"{k} {v:.1%}" for k, v in s.items())


def forward_book_finding(book: Mapping[str, Any] | None, *, noun: str = "item") -> Finding | None:
    """What is on the books after the as-of date, and that it is no history to forecast from."""
    if not book:
        return None
    m: pd.DataFrame = book["months"]
    rate = m["rate"]
    whole = m[m["capacity"] >= m["capacity"].max() * 0.9]  # months the book covers whole
    peak = (whole if len(whole) else m)["rate"].idxmax()
    near = [p for p in (peak - 1, peak + 1) if p in rate.index]
    first, last = (whole if len(whole) else m).index[[0, -1]]
    since = (
        "the data's as-of date (data.as_of)"
        if book["source"] == "data.as_of"
        else f"the latest date of the other tables ({book['source']})"
    )
    share = "all" if book["forward"] == book["rows"] else f"{book['forward']:,} of {book['rows']:,}"
    text = (
        f"The demand table is a forward booking calendar: {share} of its rows lie after "
        f"{book['as_of']}, {since}. They are bookings on the books, not sales that happened, and "
        f"thin the further ahead they lie ({first} {rate[first]:.1%} of the {book['items']:,} "
        f"{noun}s' days booked, {last} {rate[last]:.1%}): no fall in demand. They are left out "
        "of training, backtests, shift findings and stock-out alerts. On the books: "
        f"{peak} is already {rate[peak]:.1%} booked, the highest month ahead"
        + (f" ({_pct(rate[near])})" if near else "")
    )
    if len(book["stores"]):
        text += f"; by store over the book: {_pct(book['stores'])}"
    if len(book["categories"]):
        text += f"; by category: {_pct(book['categories'])}"
    text += "."
    out = book.get("sold_out")
    if out is not None and len(out):
        text += (
            " Sold out ahead (every item of the group booked): "
            + "; ".join(
                f"{r.column} {r.group} ({r.items} {noun}s) {r.start:%Y-%m-%d} to {r.end:%Y-%m-%d}"
                for r in out.head(3).itertuples()
            )
            + "."
        )
    if p := book.get("priced"):
        among = " and ".join(p["peers"]) or "all items"
        text += (
            f" Price answers across {noun}s, not over the calendar (a rate every {noun} applies on "
            f"the same days, weekends or December, is no price decision): the {p['high']} {noun}s "
            f"priced over {HIGH:g}x the median of their {among} are booked {p['high_rate']:.1%} "
            f"of the days ahead against {p['rest_rate']:.1%} for the other {p['rest']}."
        )
    if book["forward"] == book["rows"]:
        text += (
            " These forward days are all the demand the data holds (no past calendar): "
            "no forecast is made from them; export the calendar again later, or add past "
            "bookings, to forecast."
        )
    return Finding(
        text,
        "medium",
        {
            "as_of": book["as_of"],
            "source": book["source"],
            "forward_rows": book["forward"],
            "rows": book["rows"],
            "peak_month": str(peak),
            "peak_rate": float(rate[peak]),
            "month_rate": {str(k): float(v) for k, v in rate.items()},
            "store_rate": {str(k): float(v) for k, v in book["stores"].items()},
            "category_rate": {str(k): float(v) for k, v in book["categories"].items()},
            "priced_above": book.get("priced"),
            "sold_out": []
            if out is None
            else out.head(3).astype({"start": str, "end": str}).to_dict("records"),
        },
        name="forward_book",
    )


def require_history(book: Mapping[str, Any] | None, finding: Finding | None = None) -> None:
    """Raise :class:`~opsai.errors.NothingToAnalyse` (the chapter is skipped with the on-the-books
    finding as its reason) when every demand row lies after the as-of date: no past demand to
    train or backtest on."""
    if book and book["forward"] == book["rows"]:
        said = finding or forward_book_finding(book)
        raise NothingToAnalyse(f"04_demand_inventory: {said.text if said else ''}")


MIN_SOLD_OUT_ITEMS = 5
"""Fewest items a group has for its fully booked days to count as a sell-out."""
MIN_SOLD_OUT_DAYS = 3
"""Fewest consecutive fully booked days that make a sell-out."""


def sold_out(rows: pd.DataFrame, *, exclude: Sequence[str] = ()) -> pd.DataFrame:
    """Stretches of days on which every item of a group was booked: per store and per text
    attribute of the items (a neighbourhood, a room type: a column constant within each
    item, 2 to 500 groups), groups of :data:`MIN_SOLD_OUT_ITEMS` or more items, runs of
    :data:`MIN_SOLD_OUT_DAYS` or more days, each less likely by chance (every item booked
    at its group's rate over the book, any day) than 5% over all the groups tested. Columns ``column``, ``group``, ``items``,
    ``start``, ``end``, ``days``; longest first."""
    skip = {ITEM_ID, TIMESTAMP, *exclude}
    found, tested = [], 0
    for col in [c for c in rows.columns if c not in skip]:
        s = rows[col]
        if not (pd.api.types.is_object_dtype(s) or isinstance(s.dtype, pd.StringDtype)):
            continue
        per_item = rows.groupby(ITEM_ID)[col].nunique()
        groups = s.nunique()
        if per_item.max() > 1 or not 2 <= groups <= 500:
            continue
        items = rows.groupby(col)[ITEM_ID].nunique()
        items = items[items >= MIN_SOLD_OUT_ITEMS]
        day = rows[TIMESTAMP].dt.normalize()
        booked = (
            rows[rows[col].isin(items.index)].assign(_d=day).groupby([col, "_d"])[ITEM_ID].nunique()
        )
        full = booked[
            booked.to_numpy() == items.reindex(booked.index.get_level_values(0)).to_numpy()
        ]
        span = int((day.max() - day.min()).days) + 1
        rate = booked.groupby(level=0).sum() / (items * span)
        for g, days in full.reset_index().groupby(col)["_d"]:
            d = days.sort_values()
            run = (d.diff() != pd.Timedelta(days=1)).cumsum()
            for _, r in d.groupby(run.to_numpy()):
                chance = float(rate[g]) ** (int(items[g]) * len(r)) * span  # such runs by chance
                if len(r) >= MIN_SOLD_OUT_DAYS:
                    found.append((col, g, int(items[g]), r.iloc[0], r.iloc[-1], len(r), chance))
        tested += len(items)
    cols = ["column", "group", "items", "start", "end", "days", "chance"]
    out = pd.DataFrame(found, columns=cols)
    out = out[out["chance"] * tested < 0.05].drop(columns="chance")  # Bonferroni over the groups
    out = out.sort_values(["days", "items"], ascending=False, ignore_index=True)
    return out.drop_duplicates(
        ["start", "end"], ignore_index=True
    )  # the largest group that sold out
