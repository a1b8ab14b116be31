"""Sales that stopped because the shelf was empty: lost sales, not demand.

An item with nothing on hand whose sales stopped abruptly after a steady history was most
likely out of stock since its last sale; the zeros after it are censored demand. Forecast from
them, its lead-time demand is far too low (byod6 D11: 48 units against about 245) and its
backtest error 'drifts'. :func:`censored_items` finds such items, :func:`censoring_finding`
names them, and :func:`uncensor_forecast` lifts their forecast back to the rate they sold at
before the run of zeros.

Without an inventory table (real store x item sales exports often have none) the same test runs
on every item, more strictly (a longer run, the 1% chance shared among the items tested): a
best seller whose sales stopped abruptly is out of stock or delisted, and nothing in the data
tells which; the finding asks (byod8 D15).

Example:
    >>> cens = censored_items(hs.bottom, inventory, freq="D")   # doctest: +SKIP
    >>> items_fc = uncensor_forecast(items_fc, cens, model="Auto")   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from opsai.data.schema import ITEM_ID, ON_HAND, QUANTITY, STORE, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast.series import PANDAS_FREQ
from opsai.report.finding import Finding

CENSORED_COLUMNS = [
    ITEM_ID,
    "since",
    "periods",
    "rate_before",
    "sd_before",
    "sold_share_before",
    "stock_known",
    STORE,
    "others_selling",
]
_UNIT = {"H": "hour", "D": "day", "W": "week", "M": "month"}
_MIN_RUN_UNKNOWN = {"H": 7 * 24, "D": 7, "W": 3, "M": 2}
"""Without stock data a run of zeros must last this long (a week of days) to be reported."""
MIN_HISTORY = {"H": (8 * 24, 28 * 24), "D": (8, 28), "W": (4, 8), "M": (3, 3)}
"""The history a stop is judged after: periods with a sale, and periods from the first sale to
the last (8 selling days over 4 weeks; 4 weeks over 8; 3 months). An item-store that sold once
on the data's second day has no history to stop (byod10a D19: '1.5 a day' from 3 units)."""


def censored_items(
    history: pd.DataFrame,
    inventory: pd.DataFrame | None,
    *,
    freq: str = "D",
    chance: float = 0.01,
    min_periods: int = 2,
    steady: float = 0.5,
) -> pd.DataFrame:
    """Items probably out of stock since their last sale.

    An item qualifies when it has nothing on hand (``on_hand <= 0`` in ``inventory``), its
    sales are zero for a trailing run of at least ``min_periods`` periods up to the history's
    end, and the run is unlikely at the rate it sold before: ``exp(-rate * run) < chance``
    (a Poisson rate over the ``max(3 * run, 8)`` periods before the run, from its first sale
    on), with a sale in at least ``steady`` of those periods (a lumpy seller's gaps are
    normal). It needs a history before the stop (:data:`MIN_HISTORY`: 8 days with a sale over
    at least 4 weeks from its first sale, for days): a one-off purchase has none.

    Without stock data (``inventory`` ``None``, empty or without ``ON_HAND``) every item is
    tested, with a run of at least a week of days (3 weeks, 2 months) and ``chance`` shared
    among the items tested (Bonferroni): such an item stopped selling, out of stock or
    delisted; ``stock_known`` is then ``False``.

    Args:
        history: demand per item and period ``[ITEM_ID, TIMESTAMP, QUANTITY]`` (``hs.bottom``),
            or per item, store and period (with ``STORE``: :func:`opsai.forecast.store_demand`,
            periods without a row sold nothing): each item-store is then tested on its own,
            the chance shared among item-stores, since a stock-out in one store hides in the
            chain's sum (byod9a D2). An item that stopped in every store is one row without a
            store.
        inventory: the inventory table (``ITEM_ID``, ``ON_HAND``), or ``None`` for none; with
            ``STORE`` (:func:`store_stock`) and a ``history`` per store, an item-store is tested
            when that store has nothing on hand, though the chain's summed stock is positive.
        freq: the history's frequency.

    Returns:
        :data:`CENSORED_COLUMNS`: the run's first period (``since``), its length, the mean and
        s.d. of demand per period before it, the share of those periods with a sale and
        whether an inventory row said nothing was on hand (``stock_known``); per store, the
        ``store`` and how many of the item's other stores sold it after the run began
        (``others_selling``).
    """
    if not 0 < chance < 1:
        raise ConfigError(f"chance must be in (0, 1), got {chance!r}")
    empty = pd.DataFrame(columns=CENSORED_COLUMNS)
    if history.empty:
        return empty
    known = inventory is not None and not inventory.empty and ON_HAND in inventory
    by_stores = known and inventory is not None and STORE in inventory and STORE in history
    if by_stores:  # each store's own stock (byod12a D9)
        assert inventory is not None
        out = inventory[inventory[ON_HAND].fillna(0) <= 0]
        tested = set(out[ITEM_ID].astype(str) + "\x1f" + out[STORE].astype(str))
        h = history[
            (history[ITEM_ID].astype(str) + "\x1f" + history[STORE].astype(str)).isin(tested)
        ]
        pool = history[history[ITEM_ID].astype(str).isin(set(h[ITEM_ID].astype(str)))]
    elif known:
        assert inventory is not None
        tested = set(inventory.loc[inventory[ON_HAND].fillna(0) <= 0, ITEM_ID].astype(str))
        h = pool = history[history[ITEM_ID].astype(str).isin(tested)]
    else:  # no stock data: every item, a longer run, the chance shared among them
        h = pool = history
        min_periods = max(min_periods, _MIN_RUN_UNKNOWN.get(freq, 2))
        series = h[[ITEM_ID, STORE]] if STORE in h.columns else h[[ITEM_ID]]
        chance = chance / max(1, len(series.drop_duplicates()))
    grid = pd.DatetimeIndex(sorted(history[TIMESTAMP].unique()))
    end = max(grid[-1], pd.Timestamp(history.attrs.get("end") or grid[-1]))  # store_demand's
    if freq in PANDAS_FREQ:  # a sparse history (store_demand) has no rows on days without sales
        grid = grid.union(pd.date_range(grid[0], end, freq=PANDAS_FREQ[freq]))
    min_sold, min_span = MIN_HISTORY.get(freq, MIN_HISTORY["M"])
    by = [ITEM_ID, STORE] if STORE in h.columns else [ITEM_ID]
    keys = [h[c].astype(str) for c in by]
    sold_rows = pool[pool[QUANTITY] > 0]  # the item's other stores too: selling on?
    last = sold_rows.groupby([sold_rows[c].astype(str) for c in by])[TIMESTAMP].max()
    late = last[last < grid[-1] - (min_periods - 1) * _step(grid)]  # a run long enough, roughly
    rows = []
    for key, g in h.groupby(keys):
        sid = key[0] if len(by) == 1 else key  # a one-key group's name is a 1-tuple
        if sid not in late.index:
            continue
        q = g.groupby(TIMESTAMP)[QUANTITY].sum().reindex(grid, fill_value=0.0).to_numpy(float)
        sold = np.flatnonzero(q > 0)
        if not len(sold):
            continue
        run = len(q) - 1 - int(sold[-1])
        if run < min_periods or len(sold) < min_sold or sold[-1] - sold[0] + 1 < min_span:
            continue
        before = q[max(int(sold[0]), sold[-1] + 1 - max(3 * run, 8)) : sold[-1] + 1]
        rate, share = float(before.mean()), float((before > 0).mean())
        if share >= steady and np.exp(-rate * run) < chance:
            item, store = (sid, None) if len(by) == 1 else sid
            rows.append([item, grid[sold[-1] + 1], run, rate, float(before.std()), share, known,
                         store, 0])  # fmt: skip
    if not rows:
        return empty
    out = pd.DataFrame(rows, columns=CENSORED_COLUMNS)
    if len(by) == 2 and history.attrs.get("capped"):  # the other stores' rows are not here
        return out.sort_values("rate_before", ascending=False).reset_index(drop=True)
    return _by_store(out, last) if len(by) == 2 else out


STORE_STOCK_COLUMNS = [ITEM_ID, STORE, ON_HAND, "zero_since"]


def store_stock(history: pd.DataFrame | None) -> pd.DataFrame:
    """Each item-store's latest stock from an on-hand history ``[ITEM_ID, STORE, TIMESTAMP,
    ON_HAND]`` (:meth:`opsai.data.workspace.Workspace.stock_history`): its last snapshot's
    ``on_hand`` and, when that is 0 or less, the first day of the run of such snapshots it
    ends (``zero_since``; missing otherwise). Empty without a history naming stores: the
    chain's summed stock hides one store's empty shelf (byod12a D9: P0015 at S004, 0 on hand
    for 10 days, the other four stores holding stock)."""
    if history is None or history.empty or STORE not in history or history[STORE].isna().all():
        return pd.DataFrame(columns=STORE_STOCK_COLUMNS)
    h = history.dropna(subset=[STORE]).sort_values([ITEM_ID, STORE, TIMESTAMP])
    rows = []
    for (item, store), g in h.groupby([h[ITEM_ID].astype(str), h[STORE].astype(str)], sort=True):
        empty = g[ON_HAND].fillna(0).to_numpy(float) <= 0
        since = pd.NaT
        if empty[-1]:
            stocked = np.flatnonzero(~empty)
            since = g[TIMESTAMP].iloc[int(stocked[-1]) + 1 if len(stocked) else 0]
        rows.append([item, store, float(g[ON_HAND].iloc[-1]), since])
    return pd.DataFrame(rows, columns=STORE_STOCK_COLUMNS)


def censoring_stock(
    inventory: pd.DataFrame, stores: pd.DataFrame, by_store: pd.DataFrame | None
) -> pd.DataFrame:
    """The stock :func:`censored_items` tests: each store's (``stores``, :func:`store_stock`)
    when the demand is per store too (``by_store``, not capped) and names the same stores,
    else the chain's ``inventory``."""
    if by_store is None or by_store.attrs.get("capped") or stores.empty:
        return inventory
    if not set(stores[STORE].astype(str)) & set(by_store[STORE].astype(str)):
        return inventory
    return stores


def _step(grid: pd.DatetimeIndex) -> pd.Timedelta:
    """The smallest gap between two periods of ``grid`` (a day when it has one period)."""
    return pd.Series(grid).diff().min() if len(grid) > 1 else pd.Timedelta(days=1)


def _by_store(out: pd.DataFrame, last: pd.Series) -> pd.DataFrame:
    """Store rows of :func:`censored_items`: ``others_selling`` counts the item's other stores
    that sold it after the run began; an item that stopped in every store it sold in is one
    chain row (``store`` missing) from the latest stop, with the stores' rates summed."""
    last_by = last.reset_index()
    last_by.columns = [ITEM_ID, STORE, "last"]
    keep, chain = [], []
    for item, g in out.groupby(ITEM_ID, sort=False):
        others = last_by[(last_by[ITEM_ID] == item) & ~last_by[STORE].isin(g[STORE])]
        if len(others) == 0:  # every store it sold in stopped: the item stopped
            r = g.iloc[0].copy()
            r["since"], r["periods"] = g["since"].max(), int(g["periods"].min())
            r["rate_before"] = float(g["rate_before"].sum())
            r["sd_before"] = float(np.sqrt((g["sd_before"] ** 2).sum()))
            r["sold_share_before"], r[STORE] = float(g["sold_share_before"].max()), None
            chain.append(r.to_frame().T)
            continue
        g = g.copy()
        g["others_selling"] = [int((others["last"] >= t).sum()) for t in g["since"]]
        keep.append(g)
    res = pd.concat([*chain, *keep], ignore_index=True)[CENSORED_COLUMNS]
    res["periods"] = res["periods"].astype(int)
    for c in ("rate_before", "sd_before", "sold_share_before"):
        res[c] = res[c].astype(float)
    return res.sort_values("rate_before", ascending=False).reset_index(drop=True)


def censoring_finding(censored: pd.DataFrame, *, freq: str = "D") -> Finding | None:
    """Names the items :func:`censored_items` found (``None`` when there are none)."""
    if censored.empty:
        return None
    unit = _UNIT.get(freq, "period")
    if not bool(censored.get("stock_known", pd.Series([True])).all()):
        return _stopped_finding(censored, unit)
    listed = _listed(
        censored,
        lambda r: (
            f"{_where(r)} since {pd.Timestamp(r['since']):%Y-%m-%d} (it sold "
            f"{r['rate_before']:,.1f} a {unit} before, none in the {int(r['periods'])} {unit}s "
            f"since{_others(r)})"
        ),
    )
    text = (
        f"{len(censored)} item(s) with nothing on hand stopped selling abruptly after a steady "
        f"history, probably out of stock: {listed}. Sales after that are lost "
        "sales, not demand: their stock plan uses the demand they had before (rate and spread) "
        "in place of the forecast from the zeros; their backtest still scores the zeros. "
        "Restock them first."
    )
    return Finding(text, "high", _evidence(censored), name="stock_censored")


def _stopped_finding(stopped: pd.DataFrame, unit: str) -> Finding:
    """Items whose sales stopped abruptly, with no inventory table to say why (byod8 D15)."""
    ev = _evidence(stopped)
    listed = _listed(
        stopped,
        lambda r: (
            f"{_where(r)} on {pd.Timestamp(r['since']):%Y-%m-%d} after "
            f"{r['rate_before']:,.1f} a {unit} (none in the {int(r['periods'])} {unit}s "
            f"since{_others(r)})"
        ),
    )
    text = (
        f"Sales of {len(stopped)} {'item-store(s)' if any(ev['stores']) else 'item(s)'} stopped "
        f"abruptly after a steady history: "
        f"{listed}. At the rate each sold before, a run of zeros that long has "
        "under 1% chance. Out of stock or delisted? There is no inventory table to tell. The "
        "forecasts on this page read the zeros as demand (close to nothing ahead): if the item "
        "is out of stock, its demand is about the rate before and those are lost sales; restock "
        "it. If it was delisted, the forecast is right."
    )
    evidence = ev | {"periods": [int(v) for v in stopped["periods"]], "unit": unit}
    return Finding(text, "high", evidence, name="sales_stopped")


def store_stockout_alerts(
    censored: pd.DataFrame, stores: pd.DataFrame, *, freq: str = "D"
) -> list[Finding]:
    """One alert per item-store out of stock now (:func:`censored_items`' rows with a store
    and known stock), named ``stockout.<item>@<store>`` so the scorecard's stock-outs count
    it (byod12a D9: P0015 at S004 had 0 on hand for 10 days after 111 a day, and 'Items
    about to stock out: 0'): since when the shelf is empty (``stores``' ``zero_since``, else
    the day after the last sale), the rate it sold at before, the sales lost so far and the
    item's other stores holding stock to transfer from."""
    if censored.empty:
        return []
    unit = _UNIT.get(freq, "period")
    out = []
    for _, r in censored.iterrows():
        store = _store(r)
        if not store or not bool(r.get("stock_known", False)):
            continue
        item = str(r[ITEM_ID])
        mine = stores[stores[ITEM_ID].astype(str) == item] if len(stores) else stores
        here = mine[mine[STORE].astype(str) == store] if len(mine) else mine
        zero = here["zero_since"].iloc[0] if len(here) else pd.NaT
        since = pd.Timestamp(r["since"]) if pd.isna(zero) else pd.Timestamp(zero)
        held = mine[(mine[STORE].astype(str) != store) & (mine[ON_HAND] > 0)] if len(mine) else mine
        rate, periods = float(r["rate_before"]), int(r["periods"])
        lost = rate * periods
        source = (
            f"transfer from {', '.join(held[STORE].astype(str))} "
            f"({held[ON_HAND].sum():,.0f} on hand there) or reorder"
            if len(held)
            else "reorder"
        )
        text = (
            f"{item} at {store}: 0 on hand since {since:%Y-%m-%d}, {rate:,.0f} a {unit} before "
            f"(about {lost:,.0f} units of sales lost in the {periods} {unit}s since): {source}."
        )
        evidence = {
            ITEM_ID: item,
            STORE: store,
            ON_HAND: 0.0,
            "since": f"{since:%Y-%m-%d}",
            "rate_before": round(rate, 2),
            "sd_before": round(float(r.get("sd_before", 0.0) or 0.0), 2),
            "periods": periods,
            "lost_units": round(lost, 1),
            "transfer_from": held[STORE].astype(str).tolist(),
        }
        out.append(Finding(text, "high", evidence, name=f"stockout.{item}@{store}"))
    return out


def _store(r: pd.Series) -> str:
    """The row's store, or ``""`` for a row of the whole chain."""
    v = r.get(STORE)
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)


def _where(r: pd.Series) -> str:
    """``FOODS_1_003 at CA_1``, or the item alone for a row of the whole chain."""
    return f"{r[ITEM_ID]} at {_store(r)}" if _store(r) else str(r[ITEM_ID])


def _others(r: pd.Series) -> str:
    """``; 2 other stores kept selling it: out of stock there?`` for a store row."""
    n = int(r.get("others_selling", 0) or 0)
    if not _store(r) or not n:
        return ""
    ask = "" if bool(r.get("stock_known", False)) else ": out of stock there?"  # 0 on hand: known
    return f"; {n} other store{'s' if n > 1 else ''} kept selling it{ask}"


def _listed(rows: pd.DataFrame, line: Callable[[pd.Series], str]) -> str:
    """The first ten rows as ``line`` writes each, and how many more there are."""
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return "; ".join(line(r) for _, r in rows.head(10).iterrows()) + more


def _evidence(rows: pd.DataFrame) -> dict[str, Any]:
    """The items, the day each stopped and the rate it sold at before."""
    return {
        "items": rows[ITEM_ID].astype(str).tolist(),
        "stores": [_store(r) for _, r in rows.iterrows()],
        "since": [f"{pd.Timestamp(t):%Y-%m-%d}" for t in rows["since"]],
        "rate_before": [round(float(v), 2) for v in rows["rate_before"]],
    }


def uncensor_forecast(fc: pd.DataFrame, censored: pd.DataFrame, *, model: str) -> pd.DataFrame:
    """The item forecasts with a censored item's ``model`` columns replaced by the demand it
    had before the stock-out, when the forecast is lower: its rate per period (``rate_before``)
    as the point forecast, and ``rate -/+ z * sd_before`` as the ``<model>-lo/hi-<level>``
    intervals (the lower bound at least 0). The forecast from the zeros is lost sales, not
    demand; scaling it up instead would also scale its wide, zero-driven intervals. An item
    whose stock is not known (``stock_known`` false: no inventory table) keeps its forecast:
    it may have been delisted."""
    if censored.empty:
        return fc
    out = fc.copy()
    bands = {}
    for c in out.columns:
        name = str(c)
        for side in ("lo", "hi"):
            if name.startswith(f"{model}-{side}-"):
                level = float(name.rsplit("-", 1)[1])
                bands[c] = (-1 if side == "lo" else 1) * float(norm.ppf(0.5 + level / 200))
    for _, r in censored.iterrows():
        if not r.get("stock_known", True):  # stopped, maybe delisted: as forecast, and said so
            continue
        if _store(r):  # one store's stock-out: the item's forecast is the chain's
            continue
        rows = out[ITEM_ID].astype(str) == str(r[ITEM_ID])
        rate = float(r["rate_before"])
        if not rows.any() or not float(out.loc[rows, model].mean()) < rate:
            continue
        sd = float(r.get("sd_before", 0.0) or 0.0)
        out.loc[rows, model] = rate
        for c, z in bands.items():
            out.loc[rows, c] = max(rate + z * sd, 0.0)
    return out
