"""Items launched after the data's start: their first sale, their rate and share since.

Pumpkin Spice Latte Rg first sold on 2023-03-15, 2,161 units in three and a half months, and
no page said it was new (byod12a D22): each series starts at its first row silently.
:func:`new_items` finds the items whose first sale comes well after the data's first period,
too late to be chance at the rate they sold since; :func:`new_items_finding` names them.
Items whose sales stopped before the end are chapter 04's ``sales_stopped`` finding
(:func:`opsai.inventory.censored_items`) and the overstock alerts' last sale, not this one.

Example:
    >>> new = new_items(hs.bottom, freq="D", ids=hs.tags["item"])   # doctest: +SKIP
    >>> new_items_finding(new, freq="D", titles=item_titles(ws))    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast.series import titled
from opsai.report.finding import Finding

MIN_GAP: dict[str, int] = {"H": 28 * 24, "D": 28, "W": 4, "M": 2}
"""Fewest periods between the data's start and an item's first sale to call it new."""
_UNIT = {"H": "hour", "D": "day", "W": "week", "M": "month"}
COLUMNS = ["first_sale", "periods", "units", "rate", "share", "sold_share"]


def new_items(
    history: pd.DataFrame,
    *,
    freq: str,
    ids: Sequence[str] | None = None,
    chance: float = 0.01,
) -> pd.DataFrame:
    """Items whose first sale is at least :data:`MIN_GAP` periods after the data's first
    period and too late to be chance: with a sale in a share ``p`` of the periods since, no
    sale in the ``gap`` periods before has probability ``(1 - p) ** gap``, below ``chance``
    shared among the items (Bonferroni). A slow seller's late first sale is no launch.

    Args:
        history: ``[ITEM_ID, TIMESTAMP, QUANTITY]`` per period (``hs.bottom``).
        freq: ``D``, ``W`` or ``M``.
        ids: the items read (default every one in ``history``).
        chance: family-wise chance of calling a slow seller new.

    Returns:
        Index: item id; ``first_sale``, ``periods`` (from it to the end), ``units`` since,
        ``rate`` (units a period since), ``share`` (of all items' units since the first
        sale), ``sold_share`` (periods with a sale since), the latest launch first.
        ``attrs``: ``start`` and ``end`` (the data's), ``tested``.
    """
    if freq not in MIN_GAP:
        raise ConfigError(f"new_items: freq must be 'H', 'D', 'W' or 'M', got {freq!r}")
    if not 0 < chance < 1:
        raise ConfigError(f"new_items: chance must be in (0, 1), got {chance!r}")
    out = pd.DataFrame(columns=COLUMNS)
    if history.empty:
        out.attrs.update(start=None, end=None, tested=0)
        return out
    h = history[[ITEM_ID, TIMESTAMP, QUANTITY]].copy()
    h[ITEM_ID] = h[ITEM_ID].astype(str)
    keys = {str(i) for i in ids} if ids is not None else set(h[ITEM_ID])
    grid = pd.DatetimeIndex(sorted(h[TIMESTAMP].unique()))  # periods anything sold in
    wide = h.pivot_table(index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY, aggfunc="sum")
    wide = wide.reindex(grid).fillna(0.0)
    keys = {k for k in keys if k in wide.columns}
    out.attrs.update(start=grid[0], end=grid[-1], tested=len(keys))
    every = wide[sorted(keys)].sum(axis=1).to_numpy(float)
    rows = {}
    for k in sorted(keys):
        y = wide[k].to_numpy(float)
        sold = np.flatnonzero(y > 0)
        if not len(sold) or sold[0] < MIN_GAP[freq]:
            continue
        gap, since = int(sold[0]), y[sold[0] :]
        p = float((since > 0).mean())
        if p >= 1 or (1 - p) ** gap < chance / max(1, len(keys)):
            total = every[sold[0] :].sum()
            rows[k] = {
                "first_sale": grid[sold[0]],
                "periods": len(since),
                "units": float(since.sum()),
                "rate": float(since.mean()),
                "share": float(since.sum() / total) if total > 0 else float("nan"),
                "sold_share": p,
            }
    if rows:
        found = pd.DataFrame.from_dict(rows, orient="index")[COLUMNS]
        found = found.sort_values("first_sale", ascending=False)
        found.attrs.update(out.attrs)
        return found
    return out


def new_items_finding(
    new: pd.DataFrame, *, freq: str, titles: Mapping[str, str] | None = None
) -> Finding | None:
    """The items :func:`new_items` found, latest first, in the finding ``new_items``
    ("new since 2023-03-15: item 17 (Pumpkin Spice Latte Rg), 20.6 a day, 5.8% of units
    sold since"); ``None`` when none is new."""
    if new.empty:
        return None
    unit = _UNIT[freq]
    parts = [
        f"item {titled(k, titles)} since {pd.Timestamp(r['first_sale']):%Y-%m-%d} "
        f"({r['units']:,.0f} units, {r['rate']:,.1f} a {unit}, {r['share']:.1%} of all items' "
        "units since)"
        for k, r in new.head(8).iterrows()
    ]
    more = f"; and {len(new) - 8} more" if len(new) > 8 else ""
    start = pd.Timestamp(new.attrs["start"])
    text = (
        f"{len(new)} item(s) first sold well after the data's start ({start:%Y-%m-%d}): "
        f"{'; '.join(parts)}{more}. They are new (a launch or a listing): their forecasts "
        "rest on the short history since, and other items' changes at the same time (a "
        "price rise, a slowdown) may be customers moving to them."
    )
    top = new.head(20)
    evidence = {
        "items": [str(k) for k in top.index],
        "first_sale": [f"{pd.Timestamp(v):%Y-%m-%d}" for v in top["first_sale"]],
        "units": [round(float(v), 2) for v in top["units"]],
        "rate": [round(float(v), 3) for v in top["rate"]],
        "share": [round(float(v), 4) for v in top["share"]],
        "start": f"{start:%Y-%m-%d}",
        "unit": unit,
        "tested": int(new.attrs.get("tested", 0)),
    }
    shown = {str(k): titles[str(k)] for k in top.index if titles and str(k) in titles}
    if shown:
        evidence["titles"] = shown
    return Finding(text, "info", evidence, name="new_items")
