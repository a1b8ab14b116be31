"""Price response of our own demand: own-price and cross-price elasticity from the demand table.

Units per item (and store) and period regressed in logs on our price and, when the demand table
maps ``competitor_price`` (the Kaggle retail file's ``Competitor Pricing``), on the competitor's
price, with item (item-store) fixed effects: :class:`opsai.market.LogLogElasticity`, the one
log-log estimator, with its cross-price term. The arc elasticities of
:func:`~opsai.forecast.chapter.price_moves` read single price steps; this reads every price the
rows hold.

Example:
    >>> r = price_response(ws, freq="D")                          # doctest: +SKIP
    >>> price_response_finding(r).text                            # doctest: +SKIP
    'When the competitor cuts its price by 10%, our units fall about 6.9% (...'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.promo import promo_flags
from opsai.data.schema import COMPETITOR_PRICE, ITEM_ID, PRICE, PROMO, QUANTITY, STORE, TIMESTAMP
from opsai.forecast.series import _IBIS_UNIT, _filtered
from opsai.report.finding import Finding

MIN_ROWS = 30
"""Periods with a sale (item-store-periods) below which no elasticity is estimated."""
SPARSE_SHARE = 0.25
"""Daily rows of which more than this share sold nothing are summed to weeks first (a log-log
regression reads only periods with a sale)."""
MIN_CLUSTERS = 30
"""Series from which on the intervals are clustered by series (errors of one item-store go
together from day to day); below it they are heteroskedasticity-robust."""
MAX_ROWS = 2_000_000
"""Item-store-periods brought back at most: above it the periods are summed to weeks, then
months (Favorita's 54 stores x thousands of items x years of days), and above it by month no
estimate is made."""
_UNIT = {"H": "hour", "D": "day", "W": "week", "M": "month"}
_COARSER = {"H": ("H", "D", "W", "M"), "D": ("D", "W", "M"), "W": ("W", "M"), "M": ("M",)}


@dataclass
class PriceResponse:
    """A fitted :class:`~opsai.market.LogLogElasticity` and what it was fitted on."""

    model: Any
    unit: str
    """``day``, ``week`` or ``month``: the period of the rows regressed."""
    series: int
    """Items (item-stores with a store column) whose fixed effects were absorbed."""
    stores: bool
    cross: bool
    """Whether the competitor's price entered (``demand.competitor_price`` mapped)."""


def price_response(
    ws: Any,
    where: Mapping[str, Sequence[str]] | None = None,
    *,
    freq: str = "D",
    items: Sequence[str] | None = None,
    before: Any = None,
    level: float = 0.95,
) -> PriceResponse | None:
    """Own-price and (with ``demand.competitor_price``) cross-price elasticity of our units.

    Per item (and store) and ``freq`` period: units summed, our price and the competitor's
    averaged, the promotion share (:func:`~opsai.data.promo.promo_flags`) as a control when it
    varies. Daily rows of which over :data:`SPARSE_SHARE` sold nothing are summed to weeks.
    ``log units = e log price + c log competitor price + b promo + item(-store) effect``; the
    periods without a sale are left out (the elasticity is conditional on selling). Intervals
    are clustered by series from :data:`MIN_CLUSTERS` series on.

    Args:
        ws: an open workspace.
        where: the chapter's SERIES_FILTER (its ``items.`` keys are not applied).
        freq: the chapter's period, ``D``, ``W`` or ``M`` (coarser above :data:`MAX_ROWS`).
        items: keep only these item ids (the series kept under the chapter's cap).
        before: leave out the periods from this day on (the export's thinning tail,
            :func:`~opsai.forecast.thin_tail_period`'s ``cut``).
        level: the intervals' confidence level.

    Returns:
        ``None`` without a demand table with a price, when our price never moves within a
        series, with under :data:`MIN_ROWS` periods with a sale, or over :data:`MAX_ROWS`
        item-store-months.
    """
    from opsai.market.pricing import LogLogElasticity

    if not ws.has("demand") or PRICE not in ws.columns("demand"):
        return None
    rows = {k: v for k, v in (where or {}).items() if not k.startswith("items.")}
    t = _filtered(promo_flags(ws.item_lines("demand")), rows, "demand")
    if before is not None:
        t = t.filter(t[TIMESTAMP] < pd.Timestamp(before).to_pydatetime())
    if items is not None:
        t = t.filter(t[ITEM_ID].cast("string").isin([str(i) for i in items]))
    cols = set(t.columns)
    cross, stores = COMPETITOR_PRICE in cols, STORE in cols
    for period in _COARSER[freq]:  # the finest period whose rows fit in memory
        if int(t.select(_keys(t, period, stores)).distinct().count().to_pandas()) <= MAX_ROWS:
            break
    else:
        return None
    freq, panel = period, _panel(t, period, cross=cross, stores=stores)
    if freq == "D" and len(panel) and (panel["units"] <= 0).mean() > SPARSE_SHARE:
        freq, panel = "W", _panel(t, "W", cross=cross, stores=stores)
    priced = panel[PRICE] > 0
    if cross:
        priced &= panel[COMPETITOR_PRICE] > 0
    panel = panel[priced].reset_index(drop=True)
    sold = panel[panel["units"] > 0]
    if len(sold) < MIN_ROWS or not _varies(np.log(sold[PRICE]), sold["series"]):
        return None
    cross = cross and _varies(np.log(sold[COMPETITOR_PRICE]), sold["series"])  # else absorbed
    controls = [PROMO] if PROMO in sold and _varies(sold[PROMO], sold["series"]) else []
    n = int(panel["series"].nunique())
    model = LogLogElasticity(
        col_quantity="units",
        col_cross_price=COMPETITOR_PRICE if cross else None,
        controls=controls,
        fixed_effects=["series"],
        se_type="clustered" if n >= MIN_CLUSTERS else "robust",
        cluster="series" if n >= MIN_CLUSTERS else None,
        level=level,
    ).fit(panel, table="demand")
    return PriceResponse(model, _UNIT[freq], n, stores, cross)


def _varies(values: pd.Series, series: pd.Series) -> bool:
    """Whether ``values`` move within some series (a regressor the fixed effects leave)."""
    return bool((values.groupby(series).std().fillna(0.0) > 1e-9).any())


def _keys(t: Any, freq: str, stores: bool) -> Any:
    """The distinct item (item-store) and ``freq`` period keys of ``t``'s rows."""
    keys = [t[ITEM_ID].cast("string").name(ITEM_ID)]
    if stores:
        keys.append(t[STORE].cast("string").name(STORE))
    keys.append(t[TIMESTAMP].truncate(_IBIS_UNIT[freq]).cast("timestamp").name(TIMESTAMP))
    return keys


def _panel(t: Any, freq: str, *, cross: bool, stores: bool) -> pd.DataFrame:
    """Units, mean prices and promotion share per item (and store) and ``freq`` period."""
    keys = _keys(t, freq, stores)
    aggs = {"units": t[QUANTITY].cast("float64").sum(), PRICE: t[PRICE].cast("float64").mean()}
    if cross:
        aggs[COMPETITOR_PRICE] = t[COMPETITOR_PRICE].cast("float64").mean()
    if PROMO in t.columns:
        aggs[PROMO] = t[PROMO].cast("float64").mean()
    out = t.group_by(keys).aggregate(**aggs).to_pandas()
    out = out.dropna(subset=[PRICE, *([COMPETITOR_PRICE] if cross else [])])
    if PROMO in out:
        out[PROMO] = out[PROMO].fillna(0.0)
    key = out[ITEM_ID].astype(str)
    out["series"] = key + "|" + out[STORE].astype(str) if stores else key
    return out


def price_response_finding(
    response: PriceResponse | None, *, who: str = "the competitor"
) -> Finding | None:
    """What :func:`price_response` estimated: our own price's effect and, with the
    competitor's price, its effect when its interval leaves out 0 ("When the competitor cuts
    its price by 10%, our units fall about 6.9% (95% interval ...)"; severity medium), else
    that it shows no clear effect. ``None`` without an estimate."""
    if response is None:
        return None
    m = response.model
    lv = f"{100 * m.level:.0f}%"
    own = m.effect(-0.10)
    noun = "item-store" if response.stores else "item"
    text = (
        f"A 10% cut of our price goes with {abs(100 * own['quantity_change']):.1f}% "
        f"{'more' if own['quantity_change'] >= 0 else 'fewer'} units sold ({lv} interval "
        f"{100 * own['lo']:+.1f}% to {100 * own['hi']:+.1f}%; own-price elasticity "
        f"{m.elasticity_:.2f}, {lv} interval {m.conf_int_[0]:.2f} to {m.conf_int_[1]:.2f})"
    )
    evidence: dict[str, Any] = {
        "elasticity": round(m.elasticity_, 4),
        "interval": [round(v, 4) for v in m.conf_int_],
        "n_obs": int(m.n_obs_),
        "unit": response.unit,
        "series": response.series,
        "periods_without_sale": int(m.n_dropped_),
    }
    severity = "info"
    if response.cross:
        lo, hi = m.cross_conf_int_
        evidence |= {
            "cross_elasticity": round(m.cross_elasticity_, 4),
            "cross_interval": [round(lo, 4), round(hi, 4)],
        }
        if lo > 0 or hi < 0:  # clearly non-zero
            cut = m.effect(-0.10, cross=True)
            move = "fall" if cut["quantity_change"] < 0 else "rise"
            text = (
                f"When {who} cuts its price by 10%, our units {move} about "
                f"{abs(100 * cut['quantity_change']):.1f}% ({lv} interval "
                f"{100 * cut['lo']:+.1f}% to {100 * cut['hi']:+.1f}%; cross-price elasticity "
                f"{m.cross_elasticity_:.2f}, {lv} interval {lo:.2f} to {hi:.2f}). {text}."
            )
            severity = "medium"
        else:
            text += (
                f". {who[:1].upper()}{who[1:]}'s price shows no clear effect on our units "
                f"(cross-price elasticity {m.cross_elasticity_:.2f}, {lv} interval {lo:.2f} "
                f"to {hi:.2f}, which holds 0)."
            )
    else:
        text += "."
    text += (
        f" Log-log regression over {m.n_obs_:,} {noun}-{response.unit}s with a sale "
        f"({response.series} {noun}s, each at its own level: fixed effects); prices set in "
        "answer to demand (a cut when sales slow) bias it, so read it as association, not a "
        "tested effect."
    )
    return Finding(text, severity, evidence, name="price_response")
