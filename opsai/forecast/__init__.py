"""Demand forecasting: series, forecasters, backtests, ensembles and reconciliation.

Example:
    >>> from opsai.forecast import build_series, Theta, AutoForecaster    # doctest: +SKIP
    >>> hs = build_series(ws, freq="D")                                    # doctest: +SKIP
    >>> auto = AutoForecaster([Theta(), SeasonalNaive()], h=28).fit(hs.df)  # doctest: +SKIP
"""

from __future__ import annotations

from opsai.forecast.backtest import (
    CUTOFF,
    cross_validation,
    cutoffs,
    evaluate,
    leaderboard,
    select_best,
)
from opsai.forecast.base import Forecaster, LocalForecaster, conformal_halfwidths, infer_freq
from opsai.forecast.book import forward_book, forward_book_finding, require_history
from opsai.forecast.ensemble import AutoForecaster, Ensemble
from opsai.forecast.intermittent import (
    ADIDA,
    TSB,
    AutoPattern,
    Croston,
    adi_cv2,
    demand_pattern,
    demand_patterns,
)
from opsai.forecast.launches import new_items, new_items_finding
from opsai.forecast.metrics import bias, coverage, mase, mase_scale, smape, wape
from opsai.forecast.ml import GlobalGBM, GlobalModel
from opsai.forecast.models import DampedTrend, Naive, SeasonalNaive, Theta, WindowAverage
from opsai.forecast.neural import GlobalMLP
from opsai.forecast.own import own_forecast, own_forecast_finding
from opsai.forecast.paths import (
    backtest_reconciled,
    calibrate_backtest,
    interval_scales,
    reconcile_intervals,
    rescale_intervals,
)
from opsai.forecast.periods import (
    drop_last_period,
    drop_thin_tail,
    partial_last_period,
    partial_period,
    partial_period_finding,
    thin_tail_finding,
    thin_tail_period,
)
from opsai.forecast.pooled import PooledMLP
from opsai.forecast.reconcile import coherence_gap, reconcile
from opsai.forecast.response import PriceResponse, price_response, price_response_finding
from opsai.forecast.season import yearly_season, yearly_season_finding
from opsai.forecast.series import (
    CATEGORY_PREFIX,
    OTHER_CATEGORIES,
    OTHER_LEVEL,
    OTHER_PREFIX,
    SEASON_LENGTH,
    TOTAL_ID,
    HierarchicalSeries,
    aggregate_demand,
    build_series,
    calendar_days,
    cap_items,
    event_calendar,
    fill_gaps,
    future_events,
    hierarchy,
    item_titles,
    parse_filter,
    series_are_stores,
    series_events,
    store_demand,
    store_totals,
    titled,
)
from opsai.forecast.shifts import (
    level_shift_finding,
    level_shifts,
    store_shifts,
    year_shift_finding,
    year_shifts,
)

__all__ = [
    "ADIDA",
    "CATEGORY_PREFIX",
    "CUTOFF",
    "OTHER_CATEGORIES",
    "OTHER_LEVEL",
    "OTHER_PREFIX",
    "SEASON_LENGTH",
    "TOTAL_ID",
    "TSB",
    "AutoForecaster",
    "AutoPattern",
    "Croston",
    "DampedTrend",
    "Ensemble",
    "Forecaster",
    "GlobalGBM",
    "GlobalMLP",
    "GlobalModel",
    "HierarchicalSeries",
    "LocalForecaster",
    "Naive",
    "PooledMLP",
    "PriceResponse",
    "SeasonalNaive",
    "Theta",
    "WindowAverage",
    "adi_cv2",
    "aggregate_demand",
    "backtest_reconciled",
    "bias",
    "build_series",
    "calendar_days",
    "calibrate_backtest",
    "cap_items",
    "coherence_gap",
    "conformal_halfwidths",
    "coverage",
    "cross_validation",
    "cutoffs",
    "demand_pattern",
    "demand_patterns",
    "drop_last_period",
    "drop_thin_tail",
    "evaluate",
    "event_calendar",
    "fill_gaps",
    "forward_book",
    "forward_book_finding",
    "future_events",
    "hierarchy",
    "infer_freq",
    "interval_scales",
    "item_titles",
    "leaderboard",
    "level_shift_finding",
    "level_shifts",
    "mase",
    "mase_scale",
    "new_items",
    "new_items_finding",
    "own_forecast",
    "own_forecast_finding",
    "parse_filter",
    "partial_last_period",
    "partial_period",
    "partial_period_finding",
    "price_response",
    "price_response_finding",
    "reconcile",
    "reconcile_intervals",
    "require_history",
    "rescale_intervals",
    "select_best",
    "series_are_stores",
    "series_events",
    "smape",
    "store_demand",
    "store_shifts",
    "store_totals",
    "thin_tail_finding",
    "thin_tail_period",
    "titled",
    "wape",
    "year_shift_finding",
    "year_shifts",
    "yearly_season",
    "yearly_season_finding",
]
