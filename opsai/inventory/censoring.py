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

from opsai.data.schema import ITEM_ID, ON_HAND, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.report.finding import Finding

CENSORED_COLUMNS = [
    ITEM_ID,
    "since",
    "periods",
    "rate_before",
    "sd_before",
    "sold_share_before",
    "stock_known",
]
_UNIT = {"D": "day", "W": "week", "M": "month"}
_MIN_RUN_UNKNOWN = {"D": 7, "W": 3, "M": 2}
"""Without stock data a run of zeros must last this long (a week of days) to be reported."""


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
    (a Poisson rate over the ``max(3 * run, 8)`` periods before the run), with a sale in at
    least ``steady`` of those periods (a lumpy seller's gaps are normal).

    Without stock data (``inventory`` ``None``, empty or without ``ON_HAND``) every item is
    tested, with a run of at least a week of days (3 weeks, 2 months) and ``chance`` shared
    among the items tested (Bonferroni): such an item stopped selling, out of stock or
    delisted; ``stock_known`` is then ``False``.

    Args:
        history: zero-filled demand per item and period ``[ITEM_ID, TIMESTAMP, QUANTITY]``
            (``hs.bottom``).
        inventory: the inventory table (``ITEM_ID``, ``ON_HAND``), or ``None`` for none.
        freq: the history's frequency.

    Returns:
        :data:`CENSORED_COLUMNS`: the run's first period (``since``), its length, the mean and
        s.d. of demand per period before it, the share of those periods with a sale and
        whether an inventory row said nothing was on hand (``stock_known``).
    """
    if not 0 < chance < 1:
        raise ConfigError(f"chance must be in (0, 1), got {chance!r}")
    empty = pd.DataFrame(columns=CENSORED_COLUMNS)
    if history.empty:
        return empty
    known = inventory is not None and not inventory.empty and ON_HAND in inventory
    if known:
        assert inventory is not None
        tested = set(inventory.loc[inventory[ON_HAND].fillna(0) <= 0, ITEM_ID].astype(str))
        h = history[history[ITEM_ID].astype(str).isin(tested)]
    else:  # no stock data: every item, a longer run, the chance shared among them
        h = history
        min_periods = max(min_periods, _MIN_RUN_UNKNOWN.get(freq, 2))
        chance = chance / max(1, h[ITEM_ID].nunique())
    grid = pd.DatetimeIndex(sorted(history[TIMESTAMP].unique()))
    rows = []
    for sid, g in h.groupby(h[ITEM_ID].astype(str)):
        q = g.groupby(TIMESTAMP)[QUANTITY].sum().reindex(grid, fill_value=0.0).to_numpy(float)
        sold = np.flatnonzero(q > 0)
        if not len(sold):
            continue
        run = len(q) - 1 - int(sold[-1])
        if run < min_periods:
            continue
        before = q[max(0, sold[-1] + 1 - max(3 * run, 8)) : sold[-1] + 1]
        rate, share = float(before.mean()), float((before > 0).mean())
        if share >= steady and np.exp(-rate * run) < chance:
            rows.append([sid, grid[sold[-1] + 1], run, rate, float(before.std()), share, known])
    return pd.DataFrame(rows, columns=CENSORED_COLUMNS) if rows else empty


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
            f"{r[ITEM_ID]} since {pd.Timestamp(r['since']):%Y-%m-%d} (it sold "
            f"{r['rate_before']:,.1f} a {unit} before, none in the {int(r['periods'])} {unit}s since)"
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
    listed = _listed(
        stopped,
        lambda r: (
            f"{r[ITEM_ID]} on {pd.Timestamp(r['since']):%Y-%m-%d} after "
            f"{r['rate_before']:,.1f} a {unit} (none in the {int(r['periods'])} {unit}s since)"
        ),
    )
    text = (
        f"Sales of {len(stopped)} item(s) stopped abruptly after a steady history: "
        f"{listed}. At the rate each sold before, a run of zeros that long has "
        "under 1% chance. Out of stock or delisted? There is no inventory table to tell. The "
        "forecasts on this page read the zeros as demand (close to nothing ahead): if the item "
        "is out of stock, its demand is about the rate before and those are lost sales; restock "
        "it. If it was delisted, the forecast is right."
    )
    evidence = _evidence(stopped) | {"periods": [int(v) for v in stopped["periods"]], "unit": unit}
    return Finding(text, "high", evidence, name="sales_stopped")


def _listed(rows: pd.DataFrame, line: Callable[[pd.Series], str]) -> str:
    """The first ten rows as ``line`` writes each, and how many more there are."""
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    return "; ".join(line(r) for _, r in rows.head(10).iterrows()) + more


def _evidence(rows: pd.DataFrame) -> dict[str, Any]:
    """The items, the day each stopped and the rate it sold at before."""
    return {
        "items": rows[ITEM_ID].astype(str).tolist(),
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
        rows = out[ITEM_ID].astype(str) == str(r[ITEM_ID])
        rate = float(r["rate_before"])
        if not rows.any() or not float(out.loc[rows, model].mean()) < rate:
            continue
        sd = float(r.get("sd_before", 0.0) or 0.0)
        out.loc[rows, model] = rate
        for c, z in bands.items():
            out.loc[rows, c] = max(rate + z * sd, 0.0)
    return out
