"""Price response of our own demand: own-price and cross-price elasticity from the demand table.

Units per item (and store) and period regressed in logs on our price and, when the demand table
maps ``competitor_price`` (the Kaggle retail file's ``Competitor Pricing``), on the competitor's
price, with item (item-store) fixed effects and, when our prices do not all move together,
period fixed effects: :class:`opsai.market.LogLogElasticity`, the one log-log estimator, with
its cross-price term. The period effects absorb what every item shares on a day (the season,
the weekday, a holiday, the trend); without them a price raised for the busy season reads as
demand that rises with price. The arc elasticities of
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
PERIOD_MOVES = 0.01
"""Standard deviation of our price in logs (about 1%) that must be left once both the series'
and the periods' means are removed, for period fixed effects to enter; the competitor's price
must keep as much. Below it the prices move together (a chain-wide sale, one competitor price
a day) and the periods would absorb the price's own movement, so only the series effects enter
and the finding says the season is not separated."""
PROMO_ONLY = 0.99
"""Share of our price's movement (after the fixed effects) the promotion flag explains above
which the price moves only in promotions: the two are one regressor, and the flag is left out
(with both, neither is identified: the demo's 20%-off windows gave an elasticity of -668)."""
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
    periods: bool = False
    """Whether period fixed effects entered (prices that move apart across items)."""
    in_promos: bool = False
    """Whether our price moves only with the promotion flag, which then is no control: the
    estimate holds the promotions' whole lift."""


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
    varies. Daily rows of which over :data:`SPARSE_SHARE` sold nothing are summed to weeks,
    and so are periods that each sell the same units within their series (a booking
    calendar's one night a day: nights booked per week respond to price, a booked day cannot).
    ``log units = e log price + c log competitor price + b promo + item(-store) effect +
    period effect``; the period effects enter when the prices keep :data:`PERIOD_MOVES` of
    movement without them. The periods without a sale are left out (the elasticity is
    conditional on selling). Intervals are clustered by series from :data:`MIN_CLUSTERS`
    series on.

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
        series, with under :data:`MIN_ROWS` periods with a sale, when even months with a sale
        sell the same units within each series, or over :data:`MAX_ROWS` item-store-months.
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
    panel, sold = _priced(panel, cross)
    while len(sold) and not _varies(np.log(sold["units"].to_numpy(float)), sold["series"]):
        coarser = _COARSER[freq][1:]  # one unit on every day with a sale: nights per week
        if not coarser:
            return None
        freq, panel = coarser[0], _panel(t, coarser[0], cross=cross, stores=stores)
        panel, sold = _priced(panel, cross)
    own = np.log(sold[PRICE].to_numpy(float))
    if len(sold) < MIN_ROWS or not _varies(own, sold["series"]):
        return None
    rival = np.log(sold[COMPETITOR_PRICE].to_numpy(float)) if cross else None
    cross = cross and _varies(rival, sold["series"])  # else absorbed
    promo = [sold[PROMO].to_numpy(float)] if PROMO in sold else []
    moves = [own, rival] if cross else [own]  # the prices, then the promotion flag if any
    effects = ["series", TIMESTAMP]
    left = _absorbed([*moves, *promo], sold, effects)
    periods = sold["series"].nunique() > 1 and bool(
        (left[:, : len(moves)].var(axis=0) >= PERIOD_MOVES**2).all()
    )
    if not periods:
        effects = ["series"]
        left = _absorbed([*moves, *promo], sold, effects)
    controls = [PROMO] if promo and left[:, -1].var() > 1e-12 else []
    in_promos = bool(controls) and _explained(left[:, 0], left[:, -1]) > PROMO_ONLY
    controls = [] if in_promos else controls  # one move: the price's and the promotion's
    n = int(panel["series"].nunique())
    model = LogLogElasticity(
        col_quantity="units",
        col_cross_price=COMPETITOR_PRICE if cross else None,
        controls=controls,
        fixed_effects=effects,
        se_type="clustered" if n >= MIN_CLUSTERS else "robust",
        cluster="series" if n >= MIN_CLUSTERS else None,
        level=level,
    ).fit(panel, table="demand")
    return PriceResponse(model, _UNIT[freq], n, stores, cross, periods, in_promos)


def _priced(panel: pd.DataFrame, cross: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``panel``'s priced periods, and those with a sale (the rows the log-log regression
    reads; the others it counts as periods without a sale)."""
    priced = panel[PRICE] > 0
    if cross:
        priced &= panel[COMPETITOR_PRICE] > 0
    panel = panel[priced].reset_index(drop=True)
    return panel, panel[panel["units"] > 0].reset_index(drop=True)


def _varies(values: Any, series: pd.Series) -> bool:
    """Whether ``values`` move within some series (a regressor the fixed effects leave)."""
    return bool((pd.Series(values).groupby(series.to_numpy()).std().fillna(0.0) > 1e-9).any())


def _absorbed(columns: list[Any], frame: pd.DataFrame, effects: Sequence[str]) -> np.ndarray:
    """The ``columns`` once the ``effects`` columns' fixed effects are absorbed (demeaned as
    the regression demeans them), one column each."""
    from opsai.market._linear import demean

    groups = [frame[c].to_numpy() for c in effects]
    return demean(np.column_stack([np.asarray(c, float) for c in columns]), groups)[0]


def _explained(y: np.ndarray, x: np.ndarray) -> float:
    """R-squared of the demeaned ``y`` on the demeaned ``x``."""
    if float(y @ y) <= 0 or float(x @ x) <= 0:
        return 0.0
    return float((y @ x) ** 2 / ((y @ y) * (x @ x)))


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
        "period_effects": response.periods,
        "price_moves_only_in_promotions": response.in_promos,
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
    if response.periods:
        swings = (
            "the season's and the weekdays'"
            if response.unit in ("hour", "day")
            else ("the season's and the holidays'")
        )
        levels = (
            f"each {noun} at its own level and each {response.unit} at the level all "
            f"{noun}s share, so {swings} swings are not read as price effects"
        )
    elif response.series > 1:
        levels = (
            f"each at its own level; our prices move together across {noun}s, so the "
            f"{response.unit}s' common swings (season, holidays) are not separated from them"
        )
    else:
        levels = (
            f"one {noun}, so the {response.unit}s' swings (season, holidays) are not separated "
            "from its price's"
        )
    text += (
        f" Log-log regression over {m.n_obs_:,} {noun}-{response.unit}s with a sale "
        f"({response.series} {noun}s, {levels}); prices set in answer to demand (a cut when "
        "sales slow) bias it, so read it as association, not a tested effect."
    )
    if response.in_promos:
        text += (
            " Our price moves only in promotions here, so this holds the promotions' whole "
            "lift (the display and the advertising that come with the cut), not the price's "
            "alone."
        )
    return Finding(text, severity, evidence, name="price_response")
