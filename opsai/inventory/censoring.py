"""Sales that stopped because the shelf was empty: lost sales, not demand.

An item with nothing on hand whose sales stopped abruptly after a steady history was most
likely out of stock since its last sale; the zeros after it are censored demand. Forecast from
them, its lead-time demand is far too low (byod6 D11: 48 units against about 245) and its
backtest error 'drifts'. :func:`censored_items` finds such items, :func:`censoring_finding`
names them, and :func:`uncensor_forecast` lifts their forecast back to the rate they sold at
before the run of zeros.

Example:
    >>> cens = censored_items(hs.bottom, inventory, freq="D")   # doctest: +SKIP
    >>> items_fc = uncensor_forecast(items_fc, cens, model="Auto")   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from opsai.data.schema import ITEM_ID, ON_HAND, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.report.finding import Finding

CENSORED_COLUMNS = [ITEM_ID, "since", "periods", "rate_before", "sd_before", "sold_share_before"]
_UNIT = {"D": "day", "W": "week", "M": "month"}


def censored_items(
    history: pd.DataFrame,
    inventory: pd.DataFrame,
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

    Args:
        history: zero-filled demand per item and period ``[ITEM_ID, TIMESTAMP, QUANTITY]``
            (``hs.bottom``).
        inventory: the inventory table (``ITEM_ID``, ``ON_HAND``).
        freq: the history's frequency.

    Returns:
        :data:`CENSORED_COLUMNS`: the run's first period (``since``), its length, the mean and
        s.d. of demand per period before it and the share of those periods with a sale.
    """
    if not 0 < chance < 1:
        raise ConfigError(f"chance must be in (0, 1), got {chance!r}")
    empty = pd.DataFrame(columns=CENSORED_COLUMNS)
    if history.empty or inventory.empty or ON_HAND not in inventory:
        return empty
    out_of_stock = set(inventory.loc[inventory[ON_HAND].fillna(0) <= 0, ITEM_ID].astype(str))
    grid = pd.DatetimeIndex(sorted(history[TIMESTAMP].unique()))
    rows = []
    h = history[history[ITEM_ID].astype(str).isin(out_of_stock)]
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
            rows.append([sid, grid[sold[-1] + 1], run, rate, float(before.std()), share])
    return pd.DataFrame(rows, columns=CENSORED_COLUMNS) if rows else empty


def censoring_finding(censored: pd.DataFrame, *, freq: str = "D") -> Finding | None:
    """Names the items :func:`censored_items` found (``None`` when there are none)."""
    if censored.empty:
        return None
    unit = _UNIT.get(freq, "period")
    parts = [
        f"{r[ITEM_ID]} since {pd.Timestamp(r['since']):%Y-%m-%d} (it sold {r['rate_before']:,.1f} "
        f"a {unit} before, none in the {int(r['periods'])} {unit}s since)"
        for _, r in censored.head(10).iterrows()
    ]
    more = f" and {len(censored) - 10} more" if len(censored) > 10 else ""
    text = (
        f"{len(censored)} item(s) with nothing on hand stopped selling abruptly after a steady "
        f"history, probably out of stock: {'; '.join(parts)}{more}. Sales after that are lost "
        "sales, not demand: their stock plan uses the demand they had before (rate and spread) "
        "in place of the forecast from the zeros; their backtest still scores the zeros. "
        "Restock them first."
    )
    evidence = {
        "items": censored[ITEM_ID].astype(str).tolist(),
        "since": [f"{pd.Timestamp(t):%Y-%m-%d}" for t in censored["since"]],
        "rate_before": [round(float(v), 2) for v in censored["rate_before"]],
    }
    return Finding(text, "high", evidence, name="stock_censored")


def uncensor_forecast(fc: pd.DataFrame, censored: pd.DataFrame, *, model: str) -> pd.DataFrame:
    """The item forecasts with a censored item's ``model`` columns replaced by the demand it
    had before the stock-out, when the forecast is lower: its rate per period (``rate_before``)
    as the point forecast, and ``rate -/+ z * sd_before`` as the ``<model>-lo/hi-<level>``
    intervals (the lower bound at least 0). The forecast from the zeros is lost sales, not
    demand; scaling it up instead would also scale its wide, zero-driven intervals."""
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
        rows = out[ITEM_ID].astype(str) == str(r[ITEM_ID])
        rate = float(r["rate_before"])
        if not rows.any() or not float(out.loc[rows, model].mean()) < rate:
            continue
        sd = float(r.get("sd_before", 0.0) or 0.0)
        out.loc[rows, model] = rate
        for c, z in bands.items():
            out.loc[rows, c] = max(rate + z * sd, 0.0)
    return out
