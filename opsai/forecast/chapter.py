"""Building blocks of the demand chapter: the candidate models and the plain-language findings.

Findings are :class:`~opsai.report.finding.Finding` objects the notebook records.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, cast

import ibis
import numpy as np
import pandas as pd

from opsai.data.promo import discount_rows, promo_flags
from opsai.data.schema import (
    EVENT_DAY,
    ITEM_ID,
    ON_HAND,
    PRICE,
    PROMO,
    QUANTITY,
    STORE,
    TIMESTAMP,
    canonical_event,
)
from opsai.errors import ConfigError, NothingToAnalyse
from opsai.forecast.backtest import MIN_TRAIN
from opsai.forecast.base import Forecaster, conformal_rank, conformal_reach
from opsai.forecast.drivers import daily_attributes, driver_effects, driver_finding  # noqa: F401 (04 reads them as ch.*)
from opsai.forecast.intermittent import AutoPattern
from opsai.forecast.ml import GlobalGBM
from opsai.forecast.models import DampedTrend, SeasonalNaive, Theta, WindowAverage
from opsai.forecast.neural import GlobalMLP
from opsai.forecast.series import (
    ALL_ITEMS,
    OTHER_CATEGORIES,
    OTHER_LEVEL,
    PANDAS_FREQ,
    TOTAL_ID,
    Freq,
    HierarchicalSeries,
    by_day,
    data_freq,
    series_are_stores,
    source_dates,
    titled,
)
from opsai.report.finding import Finding

DEFAULT_CANDIDATES = "SeasonalNaive, WindowAverage, Theta, AutoPattern, GlobalGBM, GlobalMLP"
"""The chapter's default candidate models (``DampedTrend`` and ``PooledMLP`` are on offer too)."""


MAX_SERIES_KEY = "chapters.04_demand_inventory.parameters.MAX_SERIES"
"""Where a user sets the item cap (see :func:`series_cap`)."""
FAST_MAX_SERIES = 300
"""The item cap under ``FAST``, whatever ``MAX_SERIES`` says."""


def series_cap(max_series: Any, *, fast: bool = False) -> int | None:
    """The number of items forecast one by one: ``MAX_SERIES`` (0: every item), at most
    :data:`FAST_MAX_SERIES` with ``fast``; ``None`` is no cap.

    Raises:
        ConfigError: not a whole number >= 0.
    """
    whole = isinstance(max_series, (int, np.integer)) and not isinstance(max_series, bool)
    if not whole or max_series < 0:
        raise ConfigError(
            f"{MAX_SERIES_KEY} must be a whole number of items (0: forecast every item), got "
            f"{max_series!r}. Set it in the config, e.g. MAX_SERIES: 500"
        )
    cap = int(max_series) or None
    return min(cap or FAST_MAX_SERIES, FAST_MAX_SERIES) if fast else cap


def cap_finding(
    hs: HierarchicalSeries, *, cap: int | None, fast: bool = False, stocked: Iterable[str] = ()
) -> Finding | None:
    """How many items the item cap left out of item-level forecasts and their share of units,
    which of them have an inventory row (``stocked``) and so get no stock policy, and how to
    change the cap; ``None`` when no item was left out."""
    if not hs.left_out:
        return None
    units = hs.df.groupby(ITEM_ID)[QUANTITY].sum()
    every = float(units.reindex(hs.S.columns).sum())  # the bottom: items, other:, leaf categories
    share = 1 - float(units.reindex(hs.tags["item"]).sum()) / every if every > 0 else 0.0
    kept, n_out = len(hs.tags["item"]), len(hs.left_out)
    stock = set(map(str, stocked))
    unstocked = sorted(stock & set(hs.left_out))
    first = " (items with an inventory row first)" if stock else ""
    text = (
        f"Only the {kept:,} items that sell the most units{first} of {kept + n_out:,} are "
        f"forecast one by one; the other {n_out:,} ({share:.1%} of units sold) are forecast "
        "together per category (in an 'other items' series beside the category's kept items, "
        "or as the category itself when none of its items is kept), so the category and total "
        "forecasts still count them, but they get no forecast of their own"
    )
    if hs.merged_categories:
        n_cat = len(hs.tags.get("category", [])) - 1 + len(hs.merged_categories)
        text += (
            f"; the {len(hs.merged_categories):,} of {n_cat:,} categories none of whose items "
            f"is kept are forecast as one, '{OTHER_CATEGORIES}'"
        )
    if unstocked:
        shown = ", ".join(unstocked[:3]) + (", ..." if len(unstocked) > 3 else "")
        text += f" and {len(unstocked):,} of them with an inventory row no stock policy ({shown})"
    if fast:
        how = (
            f"run without --fast (FAST forecasts at most {FAST_MAX_SERIES:,} items) and raise "
            f"{MAX_SERIES_KEY} if needed (0: every item)"
        )
    else:
        how = f"raise {MAX_SERIES_KEY} (now {cap:,}; 0: every item)"
    text += f". To forecast more items one by one, {how}; the run time grows about in proportion."
    sev = "medium" if unstocked else "low" if share >= 0.1 else "info"
    evidence = {"items": kept + n_out, "forecast_items": kept, "left_out": n_out,
                "left_out_units_share": round(share, 4), "max_series": cap,
                "stocked_left_out": len(unstocked), "merged_categories": len(hs.merged_categories)}  # fmt: skip
    return Finding(text, sev, evidence, name="series_cap")


def candidates(
    season_length: int,
    *,
    names: str | None = None,
    fast: bool = False,
    neural: bool = False,
    tune_trials: int = 0,
    pooled: bool = False,
    horizon: int = 28,
    conformal_windows: int | None = None,
    seed: int = 0,
    freq: str = "D",
) -> list[Forecaster]:
    """The chapter's candidate models: baselines, Theta, the pattern-chosen model, global GBM
    (the global torch MLP with ``neural``, the pooled direct network with ``pooled``). At
    ``freq`` ``H`` the seasonal naive of the week (168 hours, ``SeasonalNaiveWeek``) joins
    the day's, and the models of :data:`NOT_HOURLY` are left out (:func:`hourly_skip_finding`).

    Args:
        season_length: ``m`` (7 daily, 52 weekly, 12 monthly).
        names: comma-separated model names to keep (e.g. ``"Theta, PooledMLP"``); overrides
            ``neural``/``pooled``. See :data:`DEFAULT_CANDIDATES`.
        fast: smaller budgets (fewer trees, epochs and conformal windows) for tests.
        neural: add :class:`~opsai.forecast.neural.GlobalMLP`.
        tune_trials: Optuna trials for the global models (0 keeps their defaults).
        pooled: add :class:`~opsai.forecast.pooled.PooledMLP` (direct ``horizon`` steps).
        horizon: the forecast horizon (for the pooled network).
        conformal_windows: rolling origins that calibrate the local models' intervals
            (default 8 with ``fast``, else 20; fewer is faster on thousands of series).
        seed: random seed.
        freq: the series' frequency.

    Raises:
        ConfigError: an unknown name in ``names``.
    """
    m = int(season_length)
    cw = int(conformal_windows) if conformal_windows else 8 if fast else 20
    window = (8 * 7 * m if freq == "H" else 8 * m) if fast else 52 * m if m < 20 else None
    lags = [1, 2, 3, m, 2 * m, 7 * m] if freq == "H" else None  # the hour a week before too
    build: dict[str, Callable[[], Forecaster]] = {
        "SeasonalNaive": lambda: SeasonalNaive(season_length=m, conformal_windows=cw),
        "WindowAverage": lambda: WindowAverage(window=4 * m if m < 20 else m, conformal_windows=cw),
        "Theta": lambda: Theta(season_length=m, conformal_windows=cw),
        "DampedTrend": lambda: DampedTrend(season_length=m, conformal_windows=cw),
        "AutoPattern": lambda: AutoPattern(season_length=m, conformal_windows=cw),
        "GlobalGBM": lambda: GlobalGBM(
            season_length=m,
            lags=lags,
            max_iter=40 if fast else 150,
            train_window=window,
            tune_trials=tune_trials,
            seed=seed,
        ),
        "GlobalMLP": lambda: GlobalMLP(
            season_length=m,
            lags=lags,
            epochs=30 if fast else 20,
            train_window=window,
            tune_trials=tune_trials,
            seed=seed,
        ),
        "PooledMLP": lambda: _pooled(m, horizon, fast=fast, seed=seed),
    }
    if names is None:
        keep = [n.strip() for n in DEFAULT_CANDIDATES.split(",")]
        keep = [n for n in keep if neural or n != "GlobalMLP"] + (["PooledMLP"] if pooled else [])
    else:
        keep = [n.strip() for n in names.split(",") if n.strip()]
    bad = [n for n in keep if n not in build]
    if bad or not keep:
        raise ConfigError(
            f"candidate model(s) {bad or names!r} unknown or none given; choose among "
            f"{', '.join(build)} (chapter parameter CANDIDATES)"
        )
    if freq == "H":
        keep = [n for n in keep if n not in NOT_HOURLY]
        if "SeasonalNaive" in keep:
            keep.insert(keep.index("SeasonalNaive") + 1, "SeasonalNaiveWeek")
        build["SeasonalNaiveWeek"] = lambda: SeasonalNaive(
            season_length=7 * m, alias="SeasonalNaiveWeek", conformal_windows=cw
        )
    return [build[n]() for n in dict.fromkeys(keep)]


NOT_HOURLY: dict[str, str] = {
    "Theta": "one 24-hour season per series, fitted anew at every backtest and calibration "
    "origin on the whole hourly history (minutes per series), and no 168-hour week",
    "AutoPattern": "its statistical models (ETS, Theta) fit one 24-hour season per series at "
    "every origin on the whole hourly history (minutes per series), and no 168-hour week",
    "DampedTrend": "one 24-hour season per series, fitted anew at every origin on the whole "
    "hourly history, and no 168-hour week",
}
"""Candidates left out at FREQ ``H``, and why: the seasonal naive of the day and of the week
and the global models (lags of the day and the week as features) serve hourly series."""


def peak_hours_finding(
    forecast: pd.DataFrame, *, model: str, freq: str, top: int = 3
) -> Finding | None:
    """By the hour (``freq`` ``H``): each forecast day's ``top`` busiest hours of the total
    (:data:`TOTAL_ID`, else the sum of the series), what docks or staff are set up before;
    ``None`` at other frequencies."""
    if freq != "H" or forecast.empty:
        return None
    f = forecast[forecast[ITEM_ID].astype(str) == TOTAL_ID]
    f = f if len(f) else forecast.groupby(TIMESTAMP, as_index=False)[model].sum()
    y = f.set_index(pd.to_datetime(f[TIMESTAMP]))[model].astype(float)
    days, parts = {}, []
    for day, v in y.groupby(y.index.normalize()):
        if len(v) < 24:
            continue  # a day the horizon only starts: no peak to name
        peak = v.nlargest(top)
        days[f"{day:%Y-%m-%d}"] = {f"{t:%H}:00": round(float(q), 1) for t, q in peak.items()}
        hours = ", ".join(f"{t:%H}:00 ({q:,.0f})" for t, q in peak.items())
        parts.append(f"{day:%a %Y-%m-%d} at {hours}, {peak.sum() / v.sum():.0%} of its day")
    if not parts:
        return None
    text = (
        f"By the hour, the forecast peaks on {'; '.join(parts)}: the hours to have stock, "
        "docks or staff in place before."
    )
    return Finding(text, "info", {"peaks": days, "model": model}, name="peak_hours")


def hourly_skip_finding(names: str | None, freq: str) -> Finding | None:
    """The candidates of ``names`` (the chapter's CANDIDATES) left out at ``freq`` ``H``, and
    why; ``None`` at other frequencies or when none is left out."""
    if freq != "H":
        return None
    asked = [n.strip() for n in (names or DEFAULT_CANDIDATES).split(",") if n.strip()]
    left = [n for n in dict.fromkeys(asked) if n in NOT_HOURLY]
    if not left:
        return None
    why = "; ".join(f"{n}: {NOT_HOURLY[n]}" for n in left)
    text = (
        f"Forecasting by the hour, {', '.join(left)} {'is' if len(left) == 1 else 'are'} left "
        f"out of the candidates ({why}). The seasonal naive of the day (24 hours) and of the "
        "week (168 hours) and the global models compete instead."
    )
    return Finding(text, "info", {"skipped": left, "freq": freq}, name="hourly_models")


def _pooled(m: int, horizon: int, *, fast: bool, seed: int) -> Forecaster:
    from opsai.forecast.pooled import PooledMLP

    return PooledMLP(
        season_length=m,
        horizon=horizon,
        input_size=max(3 * m, 8) if m < 20 else 2 * m,
        epochs=5 if fast else 15,
        n_models=1 if fast else 3,
        seed=seed,
    )


def reconciled_coverage(
    cv: pd.DataFrame,
    tags: dict[str, list[str]],
    *,
    model: str,
    level: int = 95,
    before: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Share of backtest actuals inside the reconciled ``level``% interval, per hierarchy
    level (``cv`` from :func:`~opsai.forecast.paths.backtest_reconciled`, or its recalibrated
    copy from :func:`~opsai.forecast.paths.calibrate_backtest`); empty when no window held
    every series. ``before``: the backtest before recalibration, whose coverage is added as
    ``coverage_<level>_before``. ``width_ratio``: the level's median half-width (the narrower
    side) over the ``level``% quantile of its absolute errors (about 1 when the bands fit the
    errors; 100% coverage with a ratio of 3 is a band three times wider than needed, not a
    success)."""
    from opsai.data.schema import ITEM_ID, QUANTITY
    from opsai.forecast.backtest import in_band, series_level

    col = f"coverage_{level}"
    if cv.empty:
        cols = ["level", col, *([f"{col}_before"] if before is not None else []), "points"]
        return pd.DataFrame(columns=[*cols, "width_ratio"])

    def share(frame: pd.DataFrame) -> pd.core.groupby.SeriesGroupBy:
        inside = in_band(frame, model, level)
        return inside.groupby(series_level(frame[ITEM_ID], tags), sort=False)

    g = share(cv)
    out = pd.DataFrame({col: g.mean()})
    if before is not None:
        out[f"{col}_before"] = share(before).mean()
    out["points"] = g.size()
    mid = cv[model]  # the narrower side: a skewed band is not called too wide on its long one
    half = np.minimum(cv[f"{model}-hi-{level}"] - mid, mid - cv[f"{model}-lo-{level}"])
    err = (cv[QUANTITY] - cv[model]).abs()
    lvl = series_level(cv[ITEM_ID], tags)
    need = err.groupby(lvl, sort=False).quantile(level / 100)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["width_ratio"] = half.groupby(lvl, sort=False).median() / need.where(need > 0)
    return out.rename_axis("level").reset_index()


def worst_window(
    cv: pd.DataFrame, tags: dict[str, list[str]], *, model: str, level: str | None = None
) -> dict[str, Any] | None:
    """The backtest window where a hierarchy level's 95% bands held least: its cutoff, the
    coverage there and in the other windows, and how far actual demand ran from the forecast.

    ``level`` defaults to the level whose bands held least overall; None with fewer than two
    windows.
    """
    from opsai.data.schema import ITEM_ID, QUANTITY
    from opsai.forecast.backtest import CUTOFF, in_band, series_level

    if cv.empty or cv[CUTOFF].nunique() < 2:
        return None
    lvl = series_level(cv[ITEM_ID], tags)
    inside = in_band(cv, model, 95)
    if level is None:
        level = str(inside.groupby(lvl).mean().idxmin())
    at = (lvl == level).to_numpy()
    w, ok = cv[at], inside[at]
    if w.empty:
        return None
    by = ok.groupby(w[CUTOFF]).mean()
    cut = by.idxmin()
    here = (w[CUTOFF] == cut).to_numpy()
    forecast = float(w.loc[here, model].sum())
    return {
        "level": level,
        "cutoff": str(pd.Timestamp(cut).date()),
        "coverage_95": round(float(by[cut]), 4),
        "others_95": round(float(ok[~here].mean()), 4),
        "actual_vs_forecast": round(float(w.loc[here, QUANTITY].sum()) / forecast - 1, 4)
        if forecast > 0
        else float("nan"),
    }


_PERIOD_WORDS = {"H": "hour", "D": "day", "W": "week", "M": "month"}
_PERIODIC = {"H": "hourly", "D": "daily", "W": "weekly", "M": "monthly"}


AUTO_FREQ = "auto"
"""FREQ's default: the frequency the demand table's timestamps are recorded at."""
_FINER = {"H": -1, "D": 0, "W": 1, "M": 2}


HOURLY_AT_LEAST = 0.5
"""Share of the hours of the day the median day holds for ``FREQ: auto`` to forecast by the
hour (a day of 24 hourly counts, a shop's 13 opening hours; two readings a day stay daily)."""


def _hours(
    ws: Any, where: Mapping[str, Sequence[str]] | None, purchase: str
) -> dict[str, Any] | None:
    """How the demand rows fill the hours of their days when every time is on the hour and
    the days hold several: hours, days, the median day's hours, the share of days with all 24
    (byod13a D10: UCI Bike Sharing's 17,379 hours over 731 days); ``None`` for dates or
    transaction times."""
    from opsai.forecast.series import _filtered, _source

    t, name = _source(ws, purchase)
    t = _filtered(t, {k: v for k, v in (where or {}).items() if not k.startswith("items.")}, name)
    ts = t[TIMESTAMP]
    if not bool(((ts.minute() == 0) & (ts.second() == 0)).all().to_pandas()):
        return None
    per_day = t.group_by(day=ts.truncate("D")).aggregate(n=ts.hour().nunique()).to_pandas()["n"]
    hours, days = int(per_day.sum()), len(per_day)
    if days == 0 or hours < 2 * days:
        return None
    return {"table": name, "hours": hours, "days": days, "median_hours": float(per_day.median()),
            "full_days": round(float((per_day == 24).mean()), 4)}  # fmt: skip


def _source_name(ws: Any, purchase: str) -> str:
    from opsai.forecast.series import _source

    return str(_source(ws, purchase)[1])


def _hourly_finding(found: dict[str, Any], freq: str, *, auto: bool = True) -> Finding:
    """What ``FREQ`` made of hourly rows: forecasts by the hour (``H``, 'auto' on days that
    hold most hours), or each day's hours summed into the day."""
    held = (
        f"the {found['table']} table's timestamps hold 24 hours a day on "
        f"{found['full_days']:.0%} of days ({found['hours']:,} hours over {found['days']:,} days, "
        f"{found['median_hours']:g} on the median day)"
    )
    if freq == "H":
        text = (
            f"FREQ {'auto' if auto else 'H'!r} forecasts by the hour: {held}. HORIZON counts hours (left at 0 it is "
            f"{AUTO_HORIZON['H']}), the seasonal naive baselines repeat the day (24 hours) and "
            "the week (168). Set FREQ to D, W or M to sum the hours."
        )
    else:
        text = (
            f"The chapter sums each day's hours: {held}, so its series and forecasts are "
            f"{_PERIODIC[freq]} (FREQ {freq!r}; set FREQ: H to forecast by the hour). The "
            "hours of the day are in chapter 00's weekday x hour profile (its peak hours)."
        )
    evidence = {"freq": freq, **{k: v for k, v in found.items() if k != "table"}}
    return Finding(text, "info", evidence, name="frequency")


def resolve_freq(
    ws: Any,
    freq: str,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    purchase: str = "purchase",
) -> tuple[Freq, Finding | None]:
    """The chapter's frequency (``D``, ``W`` or ``M``) and a finding about it, or ``None``.

    ``FREQ: auto`` takes it from the demand rows' dates (:func:`~opsai.forecast.series.data_freq`):
    weekly when they all fall on one weekday, monthly when on one day of the month, else daily;
    the finding says what was picked and why. A FREQ set finer than the dates (``D`` on a
    weekly export) is kept, and the finding names the parameter to set: at ``D`` a weekly
    export reads as 6 days without a sale in every 7 ('852 of 995 days have no sales',
    'every item intermittent').

    Hourly rows (every time on the hour) are forecast by the hour at ``H``, and 'auto' picks
    ``H`` when the median day holds :data:`HOURLY_AT_LEAST` of the 24 hours or more; at ``D``
    the finding says each day's hours are summed.

    Raises:
        ConfigError: ``freq`` is not ``auto``, ``H``, ``D``, ``W`` or ``M``.
    """
    if freq != AUTO_FREQ and freq not in PANDAS_FREQ:
        raise ConfigError(
            f"04_demand_inventory: FREQ must be 'auto', 'H', 'D', 'W' or 'M', got {freq!r}. Set "
            "chapters.04_demand_inventory.parameters.FREQ (or leave it out: 'auto' reads it "
            "from the dates)"
        )
    if freq == "H":
        hourly = _hours(ws, where, purchase)
        if hourly:
            return "H", _hourly_finding(hourly, "H", auto=False)
        text = (
            f"FREQ is 'H', but the {_source_name(ws, purchase)} table's times are not hourly "
            "counts (some are off the hour, or days hold under 2 hours each), so every hour "
            "without a row counts as one without a sale. Set FREQ: D (or leave FREQ out: its "
            "default 'auto' reads the frequency from the dates) under "
            "chapters.04_demand_inventory.parameters in the config."
        )
        return "H", Finding(text, "high", {"freq": "H", "set": "H"}, name="frequency")
    dates, table = source_dates(ws, where=where, purchase=purchase)
    found = data_freq(dates)
    seen = cast(Freq, str(found["freq"]) if found else "D")
    if freq != AUTO_FREQ and _FINER[freq] >= _FINER[seen]:
        hourly = _hours(ws, where, purchase) if freq in ("H", "D") else None
        return cast(Freq, freq), _hourly_finding(hourly, freq) if hourly else None
    if found is None:  # auto on dates that are neither weekly nor monthly
        hourly = _hours(ws, where, purchase)
        if hourly is None:
            return "D", None
        by_hour = hourly["median_hours"] >= HOURLY_AT_LEAST * 24
        return ("H" if by_hour else "D"), _hourly_finding(hourly, "H" if by_hour else "D")
    unit = _PERIOD_WORDS[seen]
    how = (
        f"Every date in the {table} table is a {found['day']}, 7 days apart"
        if seen == "W"
        else f"Every date in the {table} table falls on {found['day']} of a month, one a month"
    )
    missing = int(str(found["missing"]))
    gaps = (
        f"{missing} {unit}{'s' if missing != 1 else ''} missing"
        if missing
        else f"no {unit} missing"
    )
    how += f" ({found['dates']} dates from {found['first']} to {found['last']}, {gaps})"
    evidence = {"freq": seen, "set": freq, **found}
    if freq == AUTO_FREQ:
        text = (
            f"{how}: the data is {unit}ly, so FREQ 'auto' made {unit}ly series "
            f"({'weeks starting on Monday; ' if seen == 'W' else ''}HORIZON counts {unit}s; "
            f"left at 0 it is {AUTO_HORIZON[seen]}). "
            "Set FREQ to D, W or M to choose another."
        )
        return seen, Finding(text, "info", evidence, name="frequency")
    text = (
        f"{how}: the data is {unit}ly, but FREQ is {freq!r}, so every {_PERIOD_WORDS[freq]} "
        f"between two dates counts as one without a sale (in the empty-period and intermittency "
        f"findings, and in every forecast). Set FREQ: {seen} under "
        f"chapters.04_demand_inventory.parameters in the config (or leave FREQ out: its default "
        f"'auto' reads the frequency from the dates)."
    )
    return cast(Freq, freq), Finding(text, "high", evidence, name="frequency")


AUTO_HORIZON: dict[str, int] = {"H": 48, "D": 28, "W": 13, "M": 6}
"""HORIZON 0 (the default) per frequency: four weeks of days, a quarter of weeks, half a
year of months."""


def resolve_horizon(horizon: int, freq: str) -> int:
    """The periods to forecast: ``horizon``, or for 0 :data:`AUTO_HORIZON` at ``freq`` (28
    days, 13 weeks or 6 months: 28 of a monthly export's months would need 84 months of
    history for the three backtest windows alone).

    Raises:
        ConfigError: ``horizon`` is negative.
    """
    if horizon < 0:
        raise ConfigError(
            f"04_demand_inventory: HORIZON must be 0 (from the frequency) or a number of "
            f"periods, got {horizon}. Set chapters.04_demand_inventory.parameters.HORIZON"
        )
    return horizon or AUTO_HORIZON[freq]


UNIT_NAMES: dict[str, str] = {"H": "hour", "D": "day", "W": "week", "M": "month"}


def fit_backtest(
    df: pd.DataFrame, horizon: int, n_windows: int, freq: str
) -> tuple[int, int, Finding | None]:
    """``horizon`` and ``n_windows`` shrunk to what the history of ``df`` allows (each window's
    cutoff with :data:`MIN_TRAIN` periods before it), with a finding saying so; as given,
    and no finding, when they fit.

    Raises:
        NothingToAnalyse: fewer than ``MIN_TRAIN + 1`` periods: too short for any backtest
            (the chapter is skipped with this reason).
    """
    ts = pd.DatetimeIndex(df[TIMESTAMP].unique()).sort_values()
    room = len(ts) - MIN_TRAIN  # periods a backtest can test on
    unit = UNIT_NAMES.get(freq, "period")
    if horizon * n_windows <= room:
        return horizon, n_windows, None
    span = f"{len(ts)} {unit}s of demand ({ts[0]:%Y-%m-%d} to {ts[-1]:%Y-%m-%d})" if len(ts) else ""
    if room < 1:
        raise NothingToAnalyse(
            f"04_demand_inventory: {span or 'no demand'}: too short to backtest a forecast, "
            f"which needs at least {MIN_TRAIN + 1} {unit}s ({MIN_TRAIN} to learn from and one to "
            "test on); run it again when the data covers more"
        )
    windows = max(1, min(n_windows, room))  # windows kept, each shorter, while they fit
    h = max(1, min(horizon, room // windows))
    text = (
        f"The data holds {span}: too short for {n_windows} backtest windows of {horizon} "
        f"{unit}s, each after at least {MIN_TRAIN} {unit}s to learn from. The backtest uses "
        f"{windows} window(s) of {h} {unit}(s) and the forecast looks {h} {unit}(s) ahead "
        "(HORIZON and N_WINDOWS under chapters.04_demand_inventory.parameters); with this "
        "little history the accuracy figures are rough."
    )
    evidence = {
        "periods": len(ts),
        "horizon": h,
        "n_windows": windows,
        "asked": [horizon, n_windows],
    }
    return h, windows, Finding(text, "medium", evidence, name="short_history")


def series_noun(ws: Any) -> str:
    """What one demand series is, for every text of the chapter: ``"item"``, or ``"store"``
    when the demand table's item_id is a store (byod9a D16: Rossmann's sales per store and day,
    ``item_id: Store``, read "an item sold a median 1.41x ... Largest uplift: 19"): mapped to
    the same source column as ``store``, or, with no store mapped, to a column named as one
    (``Store``, ``shop``, ``store_nbr``, ``Filiale``). Demand from orders or events: items."""
    return "store" if series_are_stores(ws) else "item"


def _a(noun: str) -> str:
    """``an item``, ``a store``."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def stores_finding(ws: Any, where: Mapping[str, Sequence[str]] | None = None) -> Finding | None:
    """A word when the demand table names several stores and they were summed per item, so
    every forecast and reorder point is for the whole chain; ``None`` when there is one store,
    no store column, or ``where`` (the chapter's SERIES_FILTER) picks stores already."""
    if not ws.has("demand") or STORE not in ws.columns("demand") or STORE in (where or {}):
        return None
    t = ws.table("demand")
    counts = t.group_by(STORE).aggregate(units=t[QUANTITY].sum()).to_pandas()
    counts = counts.dropna(subset=[STORE]).sort_values("units", ascending=False)
    if len(counts) < 2:
        return None
    names = [str(s) for s in counts[STORE]]
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    text = (
        f"The demand table holds {len(names):,} stores ({shown}); their sales are summed per item, "
        "so forecasts, safety stocks and reorder points are for the whole chain. To plan one "
        f"store, set SERIES_FILTER to 'store={names[0]}' (alternatives with |)."
    )
    evidence: dict[str, Any] = {"stores": len(names), "largest": names[0]}
    spec = ws.config.data.tables.get("inventory") if ws.has("inventory") else None
    if spec is not None and spec.where:  # stock of one location against the chain's demand
        text += (
            f" The inventory keeps only the rows of data.tables.inventory.where ({spec.where}), "
            "so the chain's demand is planned against part of its stock, and purchase orders "
            "come out too large: set SERIES_FILTER to the store that condition keeps, or drop "
            "the condition (stock in several locations is summed per item)."
        )
        evidence["inventory_where"] = spec.where
        return Finding(text, "medium", evidence, name="stores")
    return Finding(text, "info", evidence, name="stores")


UPLIFT_COLUMNS = [ITEM_ID, STORE, "units_promo", "units_other", "days_promo", "days_other", "ratio"]
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_GAPS_FILTERED = 200
"""Closed stretches (:func:`closed_stretches`) :func:`promo_uplift` leaves out, the longest first."""


def promo_uplift(
    ws: Any,
    where: Mapping[str, Sequence[str]] | None = None,
    *,
    min_days: int = 3,
    gaps: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per item and store: mean units on the demand table's promotion rows (``promo > 0``)
    against its other rows, and their ratio (byod8: Favorita's ``onpromotion`` doubled sales,
    and the report used it only as a model feature).

    Only rows with a promo value count, and only item-stores with at least ``min_days`` rows
    each way and sales on the other rows; without a ``store`` column each item is one
    "item-store". The means are over the rows the export has (a sparse export leaves days
    without a sale out). Empty without a varying ``promo`` column. ``where``: the chapter's
    SERIES_FILTER (its ``items.`` keys are not applied here).

    Closed days are neither demand nor days without a promotion (byod9a D15: Rossmann's
    closed Sundays and holidays, Sales 0 and never on promotion, made 1.41x read 1.83x):
    rows of weekdays promotions never run on (under 5% of the busiest weekday's promotion
    rows) are left out, as are rows on days the store (without a ``store`` column: the whole
    table) sold nothing, and rows inside ``gaps`` (:func:`closed_stretches`: one store closed
    for weeks). A promo set on promoted rows only (no value of 0 or below anywhere: a scanner
    export's "Any Promo Price", byod9b D14) has its empty rows read as no promotion, as the
    forecasting models read them. A discount written as a negative amount (Dunnhumby's
    ``RETAIL_DISC``, none above 0: byod10a D18) is a promotion where it is set
    (:func:`opsai.data.promo.promo_flags`). ``attrs``: ``weekdays`` compared, ``closed_rows``
    left out, ``empty_as_none`` (the empty promo rows read so) and ``discount`` (the rows a
    negative discount made promotion rows, when it did).
    """
    from opsai.forecast.series import _filtered

    empty = pd.DataFrame(columns=UPLIFT_COLUMNS)
    if not ws.has("demand") or PROMO not in ws.columns("demand"):
        return empty
    rows = {k: v for k, v in (where or {}).items() if not k.startswith("items.")}
    disc = discount_rows(ws.table("demand"))  # a negative discount: promotion where set
    t = _filtered(promo_flags(ws.table("demand"), disc), rows, "demand")
    stats = t.aggregate(
        off=ibis.ifelse(t[PROMO] <= 0, 1, 0).sum(),
        empty=ibis.ifelse(t[PROMO].isnull(), 1, 0).sum(),
        rate=ibis.ifelse((t[PROMO] > 0) & (t[PROMO] < 1), 1, 0).sum(),  # 0.05: a rate, no flag
    ).to_pandas()
    off, blank = (int(stats[c].iloc[0] or 0) for c in ("off", "empty"))
    if not off and blank:  # set on promoted rows only (a promo price): empty reads as none
        t = t.mutate(**{PROMO: t[PROMO].fill_null(0)})
    t = t.filter(t[PROMO].notnull())
    by = [ITEM_ID, STORE] if STORE in t.columns else [ITEM_ID]
    on = ibis.ifelse(t[PROMO] > 0, 1, 0)
    t = t.mutate(_dow=t[TIMESTAMP].day_of_week.index(), _day=t[TIMESTAMP].truncate("D"), _on=on)
    per_day = t.group_by("_dow").aggregate(n=t._on.sum()).to_pandas()
    if per_day.empty or not per_day["n"].max():
        return empty
    weekdays = sorted(
        int(d) for d in per_day.loc[per_day["n"] >= 0.05 * per_day["n"].max(), "_dow"]
    )
    t = t.filter(t._dow.isin(weekdays))
    before = int(t.count().to_pandas())
    scope = [STORE] if STORE in t.columns else []
    tot = t.group_by([*scope, "_day"]).aggregate(_tot=t[QUANTITY].sum())
    t = t.anti_join(tot.filter(tot._tot <= 0), [*scope, "_day"])
    for _, g in (gaps if gaps is not None else pd.DataFrame()).head(MAX_GAPS_FILTERED).iterrows():
        inside = (t[ITEM_ID].cast("string") == str(g[ITEM_ID])) & t[TIMESTAMP].between(
            pd.Timestamp(g["start"]),
            pd.Timestamp(g["end"]) + pd.Timedelta(days=1) - pd.Timedelta(1),
        )
        if STORE in t.columns and pd.notna(g.get(STORE)):
            inside = inside & (t[STORE].cast("string") == str(g[STORE]))
        t = t.filter(~inside)
    g = t.group_by([*by, "_on"]).aggregate(units=t[QUANTITY].mean(), days=t.count()).to_pandas()
    closed = before - int(g["days"].sum()) if len(g) else before
    if g.empty or g["_on"].nunique() < 2:
        return empty
    g = g.rename(columns={"_on": "on"})
    g["on"] = g["on"].astype(int)
    w = g.pivot_table(index=by, columns="on", values=["units", "days"], aggfunc="first")
    w.columns = [f"{a}_{'promo' if b == 1 else 'other'}" for a, b in w.columns]
    w = w.reset_index()
    if STORE not in w:
        w[STORE] = None
    keep = (w["days_promo"] >= min_days) & (w["days_other"] >= min_days) & (w["units_other"] > 0)
    w = w[keep.fillna(False)].assign(ratio=lambda d: d["units_promo"] / d["units_other"])
    out = w[UPLIFT_COLUMNS].reset_index(drop=True)
    every = len(weekdays) == len(per_day)  # weekly rows all on one weekday: no restriction
    out.attrs = {"weekdays": [] if every else [_WEEKDAYS[d] for d in weekdays]}
    on_rows = float(g.loc[g["on"] == 1, "days"].sum() / max(int(g["days"].sum()), 1))
    out.attrs |= {"on_share": round(on_rows, 4),
                  "rate": int(stats["rate"].iloc[0] or 0) > 0,  # byod11a D7: a discount rate
                  "row": "week" if len(per_day) == 1 else "day"}  # fmt: skip
    out.attrs |= {"closed_rows": closed, "empty_as_none": 0 if off else blank}
    if disc:
        out.attrs["discount"] = disc
    if ws.demand_in_money():  # store turnover: sales in money, not units (byod9a D3)
        out.attrs["measure"] = "sales"
    return out


def promo_finding(
    uplift: pd.DataFrame, *, seed: int = 0, min_pairs: int = 5, noun: str = "item"
) -> Finding | None:
    """How much more an item sells on promotion days than on its other days in the same store:
    the median of :func:`promo_uplift`'s ratios over item-stores, a 95% bootstrap interval of
    that median, the middle half of the ratios, and the items (median over their stores) with
    the largest and smallest uplift. ``None`` with fewer than ``min_pairs`` item-stores.
    ``noun``: what a series is (:func:`series_noun`); a store's series is its own store."""
    if len(uplift) < min_pairs:
        return None
    r = uplift["ratio"].to_numpy(float)
    med, q1, q3 = (float(v) for v in np.quantile(r, [0.5, 0.25, 0.75]))
    rng = np.random.default_rng(seed)
    boot = np.median(r[rng.integers(0, len(r), (2000, len(r)))], axis=1)
    lo, hi = (float(v) for v in np.quantile(boot, [0.025, 0.975]))
    per_item = uplift.groupby(uplift[ITEM_ID].astype(str))["ratio"].median().sort_values()
    stores = noun == "item" and bool(uplift[STORE].notna().any())
    unit = "item-stores" if stores else f"{noun}s"
    where = " in the same store" if stores else ""
    big, small = per_item.index[-1], per_item.index[0]
    if noun != "item":  # "store 19", not a bare number
        big, small = f"{noun} {big}", f"{noun} {small}"
    up = float((r > 1).mean())
    row = str(uplift.attrs.get("row", "day"))  # weekly rows: promotion weeks (byod11b D4)
    flat = lo <= 1 <= hi or round(med, 2) == 1  # 1.00x is no rise (byod11a D7)
    head = (
        f"Promotion {row}s sold no differently"
        if flat
        else f"Promotions go with {'higher' if med >= 1 else 'lower'} sales"
    )
    text = (
        f"{head}: on promotion {row}s {_a(noun)} "
        f"sold a median {med:.2f}x its mean {uplift.attrs.get('measure', 'units')} on other {row}s{where} (over {len(r):,} {unit} "
        f"with both; 95% interval of that median {lo:.2f}x to {hi:.2f}x; the middle half of "
        f"{unit} {q1:.2f}x to {q3:.2f}x; {up:.0%} sold more on promotion). Largest uplift: "
        f"{big} ({per_item.iloc[-1]:.2f}x{', median over its stores' if stores else ''}); "
        f"smallest: {small} ({per_item.iloc[0]:.2f}x).{_compared(uplift.attrs)} Promotions are "
        "not assigned at random "
        "(they may fall on days that sell well anyway), so this is what promotion days sold, "
        "not a tested effect; the global models use promo as a feature of their forecasts."
    )
    on = float(uplift.attrs.get("on_share", 0.0))
    if on > 0.5:  # most rows "on promotion": a discount rate or a price, no flag (byod11a D7)
        text += (
            f" Note: promo is above 0 on {on:.0%} of the rows compared"
            + (" (values between 0 and 1: a discount rate?)" if uplift.attrs.get("rate") else "")
            + ", and every row above 0 reads as a promotion, so this compares the usual rows "
            "with the few at 0; map a 0/1 flag of the real promotions as promo instead."
        )
    evidence = {
        "median_ratio": round(med, 4),
        "ci95": [round(lo, 4), round(hi, 4)],
        "iqr": [round(q1, 4), round(q3, 4)],
        "pairs": len(r),
        "share_up": round(up, 4),
        "largest": str(per_item.index[-1]),
        "largest_ratio": round(float(per_item.iloc[-1]), 4),
        "smallest": str(per_item.index[0]),
        "smallest_ratio": round(float(per_item.iloc[0]), 4),
        "weekdays": list(uplift.attrs.get("weekdays", [])),
        "closed_rows": int(uplift.attrs.get("closed_rows", 0)),
        "empty_as_none": int(uplift.attrs.get("empty_as_none", 0)),
        "discount_rows": int(uplift.attrs.get("discount", 0)),
        "on_share": round(on, 4),
    }
    material = med >= 1.2 or med <= 1 / 1.2
    return Finding(text, "medium" if material else "info", evidence, name="promo_uplift")


def _compared(attrs: Mapping[str, Any]) -> str:
    """Which rows :func:`promo_uplift` compared: the weekdays promotions run on and the rows
    of closed days it left out (empty when it says nothing)."""
    days, closed = list(attrs.get("weekdays", [])), int(attrs.get("closed_rows", 0))
    out = []
    if days and len(days) < 7:
        run = _WEEKDAYS.index(days[-1]) - _WEEKDAYS.index(days[0]) == len(days) - 1
        span = f"{days[0]}-{days[-1]}" if len(days) > 2 and run else ", ".join(days)
        out.append(f"only {span}, the weekdays promotions run on, were compared")
    if closed:
        out.append(
            f"{closed:,} rows on days a store sold nothing (closed) were left out, neither "
            "demand nor days without a promotion"
        )
    if blank := int(attrs.get("empty_as_none", 0)):
        out.append(
            f"promo is set on promoted rows only (no 0 anywhere), so its {blank:,} empty "
            "rows read as days without a promotion, as the forecasting models read them"
        )
    if disc := int(attrs.get("discount", 0)):
        out.append(
            f"promo holds a discount written as a negative amount (none above 0), so its "
            f"{disc:,} rows below 0 read as promotion rows, as the forecasting models read them"
        )
    said = "; ".join(out)
    return f" ({said[:1].upper()}{said[1:]}.)" if out else ""


PRICE_MOVE_COLUMNS = [
    ITEM_ID, "since", "price_before", "price_after", "price_change", "rate_before",
    "rate_after", "units_change", "elasticity",
]  # fmt: skip


def price_moves(
    ws: Any,
    where: Mapping[str, Sequence[str]] | None = None,
    *,
    min_move: float = 0.1,
    min_weeks: int = 4,
    until: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Items whose price in the demand table moved to a new level, with their sales before and
    after (byod9a D7: M5's HOBBIES_1_005 went from 12.51 to 18.76, +50%, and its weekly units
    halved, and no finding said so).

    Per item and week: the mean ``price`` of its rows (stores together) and the units per day
    of the weeks' days. The move is the week that splits the item's priced weeks into two with
    the largest change of median price, at least ``min_weeks`` each side; it counts when that
    change is at least ``min_move`` (10%). Units per day are compared over the priced weeks
    before and after; ``elasticity`` is the arc elasticity ``log(units ratio) / log(price
    ratio)``. Empty without a varying ``price`` column. ``where``: the chapter's SERIES_FILTER
    (its ``items.`` keys are not applied here).

    A new level is one the item's price did not have a year before at the same weeks: a
    hotel's summer rates, +46% in June as every June, are a season (byod12a D14: "price move
    ... elasticity +0.7"). A move whose later weeks were priced within ``min_move`` of the
    same weeks a year before (half of them priced then, at least) is left out and named in
    ``attrs["seasonal"]``. ``until``: rows from then on are left out (a forward book's
    bookings after the as-of date and the last days still filling in, as the series leave
    them out: a book's rates for the months ahead are no price moves).
    """
    from opsai.forecast.series import _filtered

    empty = pd.DataFrame(columns=PRICE_MOVE_COLUMNS)
    if not ws.has("demand") or PRICE not in ws.columns("demand"):
        return empty
    rows = {k: v for k, v in (where or {}).items() if not k.startswith("items.")}
    t = _filtered(ws.item_lines("demand"), rows, "demand")
    if until is not None:
        t = t.filter(t[TIMESTAMP] < until)
    week = t[TIMESTAMP].truncate("W").cast("timestamp").name("week")
    g = (
        t.group_by([t[ITEM_ID].cast("string").name(ITEM_ID), week])
        .aggregate(
            price=t[PRICE].cast("float64").mean(),
            units=t[QUANTITY].cast("float64").sum(),
            days=t[TIMESTAMP].truncate("D").nunique(),
        )
        .to_pandas()
    )
    g = g[g["price"] > 0].sort_values([ITEM_ID, "week"])
    out, seasonal = [], []
    for item, w in g.groupby(ITEM_ID):
        p, u = w["price"].to_numpy(float), (w["units"] / w["days"].clip(lower=1)).to_numpy(float)
        if len(p) < 2 * min_weeks:
            continue
        lp = np.log(p)  # the one split that leaves the least spread of log price each side
        ks = range(min_weeks, len(p) - min_weeks + 1)
        sse = [float(((lp[:k] - lp[:k].mean()) ** 2).sum() + ((lp[k:] - lp[k:].mean()) ** 2).sum())
               for k in ks]  # fmt: skip
        at = ks[int(np.argmin(sse))]
        p0, p1 = float(np.median(p[:at])), float(np.median(p[at:]))
        if abs(p1 / p0 - 1) < min_move:
            continue
        weekly = pd.Series(p, index=pd.DatetimeIndex(w["week"]))
        before = weekly.reindex(weekly.index[at:] - pd.Timedelta(weeks=52)).dropna()
        if len(before) * 2 >= len(p) - at and abs(p1 / float(np.median(before)) - 1) < min_move:
            seasonal.append(str(item))  # the same level a year before at these weeks
            continue
        r0, r1 = float(u[:at].mean()), float(u[at:].mean())
        el = float(np.log(r1 / r0) / np.log(p1 / p0)) if r0 > 0 and r1 > 0 else float("nan")
        out.append([item, w["week"].iloc[at], p0, p1, p1 / p0 - 1, r0, r1,
                    (r1 / r0 - 1) if r0 else float("nan"), el])  # fmt: skip
    empty.attrs["seasonal"] = seasonal
    if not out:
        return empty
    res = pd.DataFrame(out, columns=PRICE_MOVE_COLUMNS)
    order = res["price_change"].abs().sort_values(ascending=False).index
    res = res.loc[order].reset_index(drop=True)
    res.attrs["seasonal"] = seasonal
    return res


def price_finding(
    moves: pd.DataFrame, *, currency: str = "", titles: Mapping[str, str] | None = None
) -> Finding | None:
    """Names :func:`price_moves`' items, the largest moves first (``None`` without any), each
    with its title from ``titles`` (:func:`~opsai.forecast.series.item_titles`) when known.
    Items whose move a year before repeated (``attrs["seasonal"]``) are named as a season; a
    positive median elasticity is said to be no price response."""
    seasonal = list(moves.attrs.get("seasonal") or [])
    said = (
        f" The price of {len(seasonal)} item(s) changed as much at the same weeks a year "
        f"before ({', '.join(titled(i, titles) for i in seasonal[:5])}"
        f"{' and more' if len(seasonal) > 5 else ''}): a season, not a new level."
        if seasonal
        else ""
    )
    if moves.empty:
        if not seasonal:
            return None
        return Finding(said.strip(), "info", {"items": [], "seasonal": seasonal[:50]},
                       name="price_moves")  # fmt: skip
    cur = f" {currency}" if currency else ""

    def line(r: pd.Series) -> str:
        units = (
            f"units a day {r['rate_before']:,.1f} -> {r['rate_after']:,.1f} "
            f"({r['units_change']:+.0%})"
            if pd.notna(r["units_change"])
            else "no units to compare"
        )
        return (
            f"{titled(r[ITEM_ID], titles)} from the week of {pd.Timestamp(r['since']):%Y-%m-%d}: price "
            f"{r['price_before']:,.2f} -> {r['price_after']:,.2f}{cur} "
            f"({r['price_change']:+.0%}), {units}"
        )

    more = f" and {len(moves) - 5} more" if len(moves) > 5 else ""
    el = moves["elasticity"].dropna()
    pooled = (
        f" The median arc elasticity over them is {el.median():.1f} (units' change over "
        "price's, in logs)"
        + (
            ": positive, sales rose with the price, so something else (a season, a "
            "promotion, demand) moved them; it is no price response."
            if el.median() > 0
            else "."
        )
        if len(el)
        else ""
    )
    text = (
        f"The price of {len(moves)} item(s) moved by 10% or more to a new level: "
        + "; ".join(line(r) for _, r in moves.head(5).iterrows())
        + f"{more}.{pooled} These are sales before and after the move, not a tested effect "
        "(a season or a promotion may fall on either side); the global models read the price "
        f"as a feature.{said}"
    )
    big = moves.iloc[0]
    evidence = {
        "items": moves[ITEM_ID].astype(str).tolist()[:50],
        "since": [f"{pd.Timestamp(t):%Y-%m-%d}" for t in moves["since"]][:50],
        "price_change": [round(float(v), 4) for v in moves["price_change"]][:50],
        "units_change": [None if pd.isna(v) else round(float(v), 4) for v in moves["units_change"]][
            :50
        ],
        "rate_before": [round(float(v), 3) for v in moves["rate_before"]][:50],
        "rate_after": [round(float(v), 3) for v in moves["rate_after"]][:50],
        "elasticity": None if not len(el) else round(float(el.median()), 3),
    }
    if seasonal:
        evidence["seasonal"] = seasonal[:50]
    if shown := {i: titles[i] for i in evidence["items"] if titles and i in titles}:
        evidence["titles"] = shown  # 07's action names the item so too (byod12a D5)
    material = (
        abs(float(big["price_change"])) >= 0.2
        and pd.notna(big["units_change"])
        and abs(float(big["units_change"])) >= 0.2
    )
    return Finding(text, "medium" if material else "info", evidence, name="price_moves")


EVENT_SHARE, EVENT_LABELS = 0.1, 50
"""A text column of the demand table set on under 10% of its days, with at most 50 labels, is
an event calendar (M5's event_name_1, a holiday name): the same rule that keeps it out of the
overview's missing values (byod9a D6)."""
_EVENT_WORDS = ("event", "holiday", "feiertag", "节日")
_FLAG_ON = ("1", "1.0", "true", "yes", "y", "t")
"""Labels of a mapped ``event_day`` that is a flag (UCI's holiday 0/1): the day is named after
the column, not "1" (byod13a D11)."""


def event_days(ws: Any, where: Mapping[str, Sequence[str]] | None = None) -> pd.Series | None:
    """The demand table's event days: day -> label from its mapped ``event_day`` column (named
    after its source column), else
    from its sparse label column (an event or holiday name set on under 10% of days, at most
    50 labels; a column named event or holiday first), named after that column; ``None`` when
    it has none. ``where``: SERIES_FILTER."""
    from opsai.data.schema import NO_EVENT, TABLES
    from opsai.forecast.series import _filtered, calendar_days

    if not ws.has("demand"):
        return None
    t = _filtered(ws.table("demand"), {k: v for k, v in (where or {}).items()
                                       if not k.startswith("items.")}, "demand")  # fmt: skip
    day = t[TIMESTAMP].truncate("D").cast("timestamp")
    parts, source = [], ""
    if EVENT_DAY in t.columns:  # mapped: its labels, whatever their share (snap days, 0/1)
        word = t[EVENT_DAY].cast("string").strip()
        on = word.notnull() & (word != "") & ~word.lower().isin(list(NO_EVENT))
        source = ws.source_columns("demand").get(EVENT_DAY, EVENT_DAY)
        got = t.filter(on).select(day=day, label=word).to_pandas()
        if got["label"].str.lower().isin(_FLAG_ON).all():  # a 0/1 flag: its column names it
            got["label"] = str(source)
        parts.append(got)
    cal = calendar_days(ws, where)  # the calendar table: its coming days too
    own, unused = None, None
    if cal is not None:
        rows = cal.to_pandas()
        rows["day"] = pd.to_datetime(rows["day"]).astype("datetime64[ns]")
        mine = rows["store"].notna()
        parts.append(rows.loc[~mine, ["day", "label"]])
        if mine.any() and series_are_stores(ws):  # a store's own days: its series' only
            own = rows[mine].reset_index(drop=True)
        elif mine.any():  # the series sum the stores: no series is that store's
            unused = {"rows": int(mine.sum()), "stores": int(rows.loc[mine, "store"].nunique())}
        source = source or f"calendar.{ws.source_columns('calendar').get(EVENT_DAY, EVENT_DAY)}"
    if parts:
        both = pd.concat(parts)
        if both.empty and own is not None:  # only stores' own days
            both = own[["day", "label"]].iloc[:0]
        got = both.groupby("day")["label"].max()
        got.index = pd.to_datetime(got.index).astype("datetime64[ns]")
        out = got.astype(str).rename(str(source)).sort_index()
        if own is not None:
            out.attrs["stores"] = own  # [day, label, store]: read by event_finding
        if unused is not None:
            out.attrs["unused_stores"] = unused
        return out
    cols = [c for c in t.columns if c not in TABLES["demand"].names and t[c].type().is_string()]
    if not cols:
        return None
    aggs = {"__days": day.nunique()}
    for k, c in enumerate(cols):
        on = t[c].notnull() & (t[c].strip() != "")
        aggs[f"d{k}"] = day.nunique(where=on)
        aggs[f"l{k}"] = t[c].nunique(where=on)
    r = t.aggregate(**aggs).to_pandas().iloc[0]
    n = int(r["__days"])
    ok = [c for k, c in enumerate(cols)
          if 0 < int(r[f"d{k}"]) < EVENT_SHARE * n and 0 < int(r[f"l{k}"]) <= EVENT_LABELS]  # fmt: skip
    if not ok:
        return None
    col = sorted(ok, key=lambda c: not any(w in c.lower() for w in _EVENT_WORDS))[0]
    on = t[col].notnull() & (t[col].strip() != "")
    got = t.filter(on).group_by(day.name("day")).aggregate(label=t[col].max()).to_pandas()
    out = got.set_index(pd.to_datetime(got["day"]).astype("datetime64[ns]"))["label"].astype(str)
    return out.rename(col).sort_index()


def event_finding(
    hs: HierarchicalSeries, days: pd.Series | None, *, horizon: int = 0
) -> Finding | None:
    """How much the total and each category sold on :func:`event_days` against the usual day
    of the same weekday (the median of the ratios over event days), with the event of the
    largest total ratio. Weekly and monthly series compare each period holding an event day
    with the median of the :data:`EVENT_NEIGHBOURS` periods without one on either side
    (byod11b D2: Walmart's IsHoliday weeks, Thanksgiving 1.7x, went unmeasured). ``None``
    without event days. ``horizon``: the days forecast beyond the data's last; the event days
    ``days`` names in them (a ``calendar`` table's coming days) are named as the ones the
    forecast takes. A store's own days (``days.attrs["stores"]``: calendar rows for one store,
    the series being stores) are measured on that store's series: :func:`store_event_part`."""
    if hs.freq == "H":  # event days against usual days, not an hour against the hours beside it
        hs, horizon = by_day(hs), -(-horizon // 24)
    own = days.attrs.get("stores") if days is not None else None
    busy = set(own["day"]) if own is not None else set()  # no usual day of the totals either
    common = (
        _event_finding(hs, days, horizon=horizon, busy=busy)
        if days is not None and len(days)
        else None
    )
    part = store_event_part(hs, own, days, horizon=horizon) if own is not None else None
    unused = days.attrs.get("unused_stores") if days is not None else None
    if common is not None and unused:
        said = (
            f" The calendar's {unused['rows']} row(s) for one store ({unused['stores']} "
            "store(s)) are no series' event days: each series sums the stores, and a store's "
            "own day is no chain-wide one (SERIES_FILTER store=<id> forecasts one store with "
            "its own days)."
        )
        common = dataclasses.replace(
            common,
            text=common.text + said,
            evidence={**common.evidence, "unused_store_rows": unused["rows"]},
        )
    if part is None:
        return common
    text, evidence, material = part
    if common is None:
        return Finding(text, "medium" if material else "info", evidence, name="event_days")
    severity = "medium" if material else common.severity
    return Finding(f"{common.text} {text}", severity, {**common.evidence, **evidence},
                   name="event_days")  # fmt: skip


def store_event_part(
    hs: HierarchicalSeries, own: pd.DataFrame, days: pd.Series | None, *, horizon: int = 0
) -> tuple[str, dict[str, Any], bool] | None:
    """What the stores' own event days (``own``: ``[day, label, store]``, calendar rows for
    one store) sold at their store against its usual day of the same weekday (daily series; a
    day every store holds, in ``days``, is no store's own), and the coming ones the forecast
    takes at that store's series only: ``(text, evidence, material)``; ``None`` when no
    store of ``own`` is a series."""
    stores = sorted(set(own["store"].astype(str)) & set(hs.tags.get("item", [])))
    if not stores:
        return None
    every = set(days.index) if days is not None else set()
    last = pd.Timestamp(hs.df[TIMESTAMP].max())
    ratios: dict[str, float] = {}
    top: tuple[float, str] = (float("nan"), "")
    if hs.freq == "D":
        for st in stores:
            y = hs.df[hs.df[ITEM_ID] == st].set_index(TIMESTAMP)[QUANTITY]
            mine = own[(own["store"].astype(str) == st) & (own["day"] <= last)]
            at = pd.DatetimeIndex(sorted(set(mine["day"]) - every)).intersection(y.index)
            plain = y[~y.index.isin([*at, *every])]
            usual = plain.groupby(plain.index.day_of_week).mean()
            base = usual.reindex(at.day_of_week).to_numpy()
            r = y[at].to_numpy() / np.where(base > 0, base, np.nan)
            if len(at) and np.isfinite(r).any():
                ratios[st] = float(np.nanmedian(r))
                k = int(np.nanargmax(r))
                label = mine.set_index("day")["label"].groupby(level=0).max()[at[k]]
                if not float(r[k]) <= top[0]:
                    top = (float(r[k]), f"{label} at {st}, {at[k]:%Y-%m-%d}")
    ahead = own[(own["day"] > last) & (own["day"] <= last + pd.Timedelta(days=horizon))]
    ahead = ahead[ahead["store"].astype(str).isin(stores)].sort_values("day")
    n = int(own[own["day"] <= last].drop_duplicates(["day", "store"]).shape[0])
    text = f"Stores' own event days (calendar rows for one store: {n} store-days at {len(stores)} "
    text += "store(s)) count at that store's series only and reach the total through it"
    if ratios:
        med = float(np.median(list(ratios.values())))
        shown = ", ".join(f"{k} {v:.2f}x" for k, v in sorted(ratios.items(),
                                                              key=lambda kv: -kv[1])[:5])  # fmt: skip
        text += (f"; the store sold a median {med:.2f}x its usual day of the same weekday on "
                 f"them ({shown}; largest: {top[1]}, {top[0]:.2f}x)")  # fmt: skip
    if len(ahead):
        named = ", ".join(f"{d:%Y-%m-%d} at {st} ({lb})" for d, lb, st in
                          ahead[["day", "label", "store"]].head(8).itertuples(index=False))  # fmt: skip
        text += f"; the forecast takes the coming one(s) at their store: {named}"
    evidence = {
        "stores": {k: round(v, 4) for k, v in ratios.items()},
        "stores_ahead": [
            {"day": f"{d:%Y-%m-%d}", "store": str(st), "label": str(lb)}
            for d, lb, st in ahead[["day", "label", "store"]].itertuples(index=False)
        ],
    }
    return text + ".", evidence, any(v >= 1.2 for v in ratios.values())


def _event_finding(
    hs: HierarchicalSeries, days: pd.Series, *, horizon: int = 0, busy: set[Any] | None = None
) -> Finding | None:
    """:func:`event_finding` of the days every store holds; ``busy``: days of a store's own
    event, left out of the usual days of daily series."""
    ids = [TOTAL_ID, *hs.tags.get("category", [])]
    wide = hs.df[hs.df[ITEM_ID].isin(ids)].pivot_table(
        index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY, aggfunc="sum"
    )
    daily, unit = hs.freq == "D", _PERIOD_WORDS.get(hs.freq, "period")
    if not daily:  # each event day's week or month (Monday, first of the month: the series')
        start = days.index.to_period("W-SUN" if hs.freq == "W" else "M").start_time
        days = days.groupby(start.astype("datetime64[ns]")).max().rename(days.name)
    on = wide.index.isin(days.index)
    if on.sum() < 3 or (~on).sum() < 14:
        return None
    if daily:
        plain = ~on & ~wide.index.isin(list(busy or ()))
        usual = wide[plain].groupby(wide.index[plain].day_of_week).mean()
        base = usual.reindex(wide.index[on].day_of_week).to_numpy()
    else:
        base = _neighbour_base(wide, on, EVENT_NEIGHBOURS)
    ratio = pd.DataFrame(wide[on].to_numpy() / base, index=wide.index[on], columns=wide.columns)
    med = ratio.median()
    total = float(med.get(TOTAL_ID, np.nan))
    cats = med.drop(TOTAL_ID, errors="ignore").sort_values(ascending=False)
    labels = days.reindex(ratio.index)
    if not daily and labels.nunique() < 2:  # a flag (IsHoliday TRUE): the same week each year
        at = ratio.index.isocalendar().week if hs.freq == "W" else ratio.index.month
        dates = pd.Series(ratio.index, index=np.asarray(at)).groupby(level=0)
        names = {k: f"the {unit}s of " + " and ".join(f"{t:%Y-%m-%d}" for t in v) if len(v) > 1
                 else f"the {unit} of {v.iloc[0]:%Y-%m-%d}" for k, v in dates}  # fmt: skip
        labels = pd.Series([names[k] for k in np.asarray(at)], index=ratio.index)
    by_label = ratio[TOTAL_ID].groupby(labels.to_numpy()).median()
    top = str(by_label.idxmax()) if len(by_label) else ""
    shown = ", ".join(
        f"{str(c).removeprefix('category:')} {v:.2f}x" for c, v in cats.head(5).items()
    )
    usual_word = (
        "a usual day of the same weekday"
        if daily
        else f"the {unit}s without one around them ({EVENT_NEIGHBOURS} either side)"
    )
    what = "days with a label" if daily else f"{unit}s holding an event day"
    text = (
        f"Event {unit}s ({days.name}, {int(on.sum())} {what}) sold a median "
        f"{total:.2f}x {usual_word} in total"
        + (f"; per category: {shown}" if shown else "")
        + (f". Largest: {top} ({by_label.max():.2f}x)" if top else "")
    )
    feature = EVENT_DAY in hs.df.columns
    last = pd.Timestamp(hs.df[TIMESTAMP].max())
    later = days[days.index > last]
    ahead = later[later.index <= last + pd.Timedelta(days=horizon)]
    if feature:
        text += (
            f". The global models (GlobalGBM, GlobalMLP) take {EVENT_DAY} as a feature known in "
            "advance: the backtest gives them each window's event days"
        )
        named = ", ".join(f"{d:%Y-%m-%d} ({v})" for d, v in ahead.head(8).items())
        if len(ahead):  # a calendar table's coming days
            text += (
                f"; the forecast of the {horizon} days after the data's last ({last:%Y-%m-%d}) "
                f"takes the calendar's {len(ahead)} event day(s) in them: {named}"
                + (" and more" if len(ahead) > 8 else "")
                + "."
            )
        elif len(later):
            text += (
                f"; the calendar names no event day in the {horizon} days after the data's "
                f"last (the next: {later.index[0]:%Y-%m-%d}, {later.iloc[0]})."
            )
        else:
            text += (
                ". The data holds no day after its last, so the forecasts beyond it take "
                "every day as an ordinary one: give the coming event days as rows of a calendar "
                "table after that day (data.tables.calendar.columns: {timestamp: date, "
                "event_day: event_name_1}) or order ahead of them."
            )
    else:
        text += (
            f". The forecasts do not know the event calendar: map {days.name} as the demand "
            f"table's {EVENT_DAY} (data.tables.demand.columns: {{{EVENT_DAY}: {days.name}}}) and "
            "the global models take it as a feature; until then expect them to fall short on "
            "event days."
        )
    items = _item_event_ratios(hs, days) if daily else pd.Series(dtype=float)
    split = bool(len(items)) and (items >= 1.2).any() and (items <= 1 / 1.2).any()
    if split:  # a total's lift averages items moving the opposite way (one 1.2x up, one down)
        said = ", ".join(
            f"{k} {v:.2f}x" for k, v in items.sort_values(ascending=False).head(8).items()
        )
        text += (
            f" Items move opposite ways on them, so the total's ratio averages them: {said} "
            "(per item, against its usual day of the same weekday): plan each item by its own."
        )
    usual_total = float(wide.loc[~on, TOTAL_ID].mean()) if TOTAL_ID in wide else float("nan")
    evidence = {"column": str(days.name), "days": int(on.sum()), "median_ratio": round(total, 4),
                "categories": {str(c).removeprefix("category:"): round(float(v), 4)
                               for c, v in cats.items()}, "largest": top,
                "feature": feature, "usual_total": round(usual_total, 2),
                "ahead": {f"{d:%Y-%m-%d}": str(v) for d, v in ahead.items()},
                "period": unit, "items": {str(k): round(float(v), 4) for k, v in items.items()},
                "items_opposite": bool(split)}  # fmt: skip
    material = max([total, *cats.tolist()]) >= 1.2 or (not daily and by_label.max() >= 1.2)
    return Finding(text, "medium" if material else "info", evidence, name="event_days")


MAX_EVENT_ITEMS = 50
"""Items above which the event finding measures no item's own ratio (each series' read)."""


def _item_event_ratios(hs: HierarchicalSeries, days: pd.Series) -> pd.Series:
    """Each item's median ratio of its event days to its usual day of the same weekday (daily
    series, at most :data:`MAX_EVENT_ITEMS` items); empty beyond that."""
    bottom = hs.bottom
    if bottom[ITEM_ID].nunique() > MAX_EVENT_ITEMS:
        return pd.Series(dtype=float)
    wide = bottom.pivot_table(index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY, aggfunc="sum")
    on = wide.index.isin(days.index)
    usual = wide[~on].groupby(wide.index[~on].day_of_week).mean()
    base = usual.reindex(wide.index[on].day_of_week).to_numpy()
    ratio = wide[on].to_numpy() / np.where(base > 0, base, np.nan)
    return pd.Series(np.nanmedian(ratio, axis=0), index=wide.columns.astype(str)).dropna()


EVENT_NEIGHBOURS = 4
"""Weekly or monthly event periods are compared with this many periods without an event on
either side (the median of them): the season around a holiday week is its base."""


def _neighbour_base(wide: pd.DataFrame, on: np.ndarray, k: int) -> np.ndarray:
    """Per event period (row of ``wide`` where ``on``), the median of the ``k`` nearest
    periods without an event before it and the ``k`` after it, per column."""
    values, rows = wide.to_numpy(float), np.flatnonzero(~on)
    out = []
    for i in np.flatnonzero(on):
        near = np.concatenate([rows[rows < i][-k:], rows[rows > i][:k]])
        out.append(
            np.nanmedian(values[near], axis=0) if len(near) else np.full(values.shape[1], np.nan)
        )
    return np.array(out)


def demand_source_finding(ws: Any, *, purchase: str = "purchase") -> Finding | None:
    """Which events demand was read from, when the workspace has neither ``demand`` nor
    ``orders`` (``None`` otherwise): the purchase-like event taken (``purchase``,
    ``iap_purchase``, ``order_completed``, ...), how many there are and what each counts as,
    so a reader can tell the right events were read (as chapter 03a says of its orders).

    ``low`` when the event taken is not the one PURCHASE_EVENT names (nor a synonym of it),
    ``info`` otherwise.
    """
    if ws.has("demand") or ws.has("orders") or not ws.has("events"):
        return None
    from opsai.behavior.purchases import orders_from_events

    orders, info = orders_from_events(ws.table("events"), purchase=purchase)
    event, rows = str(info["event"]), int(info["rows"])
    each = (
        f"each selling its '{QUANTITY}'"
        if QUANTITY in orders.columns
        else f"each one unit sold (the events have no '{QUANTITY}')"
    )
    text = f"No demand or orders table: {rows:,} '{event}' events are read as demand, {each}"
    other = canonical_event(event) != canonical_event(purchase)
    if other:
        text += (
            f". There is no {purchase!r} event: {event!r} is the one whose name says purchase; "
            "set PURCHASE_EVENT under chapters.04_demand_inventory.parameters to read another"
        )
    evidence = {"event": event, "rows": rows, "purchase_event": purchase}
    return Finding(text + ".", "low" if other else "info", evidence, name="demand_source")


def returns_finding(hs: HierarchicalSeries) -> Finding | None:
    """Item-periods whose returns outweighed their sales (``HierarchicalSeries.clipped``), or
    ``None``: they count 0 sold, not negative demand, so the series and the models never see
    a negative quantity; the returns of other periods are netted against that period's sales.
    """
    if not hs.clipped:
        return None
    n, units = int(hs.clipped["periods"]), float(hs.clipped["units"])
    unit = _PERIOD_WORDS.get(hs.freq, "period")
    text = (
        f"Returns are netted against the sales of their item and {unit}; on {n:,} item-{unit}{'s' * (n != 1)} "
        f"more units came back than were sold (a cancellation booked apart from its sale), "
        f"and these count 0 sold, not negative demand ({units:,.0f} units returned beyond "
        f"their {unit}'s sales left out)"
    )
    return Finding(text + ".", "info", {"periods": n, "units": units}, name="returns_netted")


def empty_periods_finding(bottom: pd.DataFrame, *, freq: str, noun: str = "item") -> Finding | None:
    """Periods inside the data's span in which no item (``noun``: :func:`series_noun`) sold
    anything, or ``None``.

    The series are zero-filled (an export leaves out the periods without a sale), so a period
    missing from the export altogether reads as one in which nothing sold: worth a word, since
    a missing load then pulls every forecast down.

    Args:
        bottom: the zero-filled item series (``HierarchicalSeries.bottom``).
        freq: their frequency, ``H``, ``D``, ``W`` or ``M``.
    """
    total = bottom.groupby(TIMESTAMP)[QUANTITY].sum().sort_index()
    empty = total.index[total.to_numpy() == 0]
    if not len(empty):
        return None
    unit = _PERIOD_WORDS.get(freq, "period")
    when = "%Y-%m-%d %H:00" if freq == "H" else "%Y-%m-%d"
    shown = ", ".join(f"{t:{when}}" for t in empty[:5]) + (", ..." if len(empty) > 5 else "")
    text = f"{len(empty)} of {len(total)} {unit}s inside the data's span have no sales of any {noun} ({shown})"
    evidence = {"periods": len(empty), "of": len(total), "first": f"{empty[0]:%Y-%m-%d}"}
    sold = data_freq(total.index[total.to_numpy() > 0])
    if sold and _FINER.get(freq, 0) < _FINER[str(sold["freq"])]:  # weekly data read daily
        seen = str(sold["freq"])
        text += (
            f": every {unit} with a sale is {'a ' + str(sold['day']) if seen == 'W' else str(sold['day']) + ' of a month'}, "
            f"so the data is {_PERIOD_WORDS[seen]}ly and FREQ {freq!r} reads the {unit}s between "
            f"as {unit}s without a sale. Set FREQ: {seen} under "
            "chapters.04_demand_inventory.parameters (or leave FREQ at its default, 'auto')."
        )
        # low: resolve_freq's 'frequency' finding says it at high severity already
        return Finding(text, "low", evidence | {"data_freq": seen}, name="empty_periods")
    text += (
        ": closed, or missing from the export? They count as zero demand in every "
        "forecast; if rows are missing, export them again."
    )
    return Finding(text, "low" if freq == "D" else "medium", evidence, name="empty_periods")


GAP_COLUMNS = [ITEM_ID, STORE, "start", "end", "span", "periods", "rate"]
_MIN_GAP = {"H": 7 * 24, "D": 7, "W": 3, "M": 2}
MAX_GAP_SHARE = 1 / 3
"""Stretches covering more of a series' span than this are its selling pattern (an item on
and off the shelf for months), not a closure: :func:`closed_stretches` names none of them."""
MAX_GAP_CELLS = 20_000_000
"""Series x periods above which :func:`closed_stretches` gives up (a wide store x item export)."""


def closed_stretches(
    history: pd.DataFrame, *, freq: str = "D", chance: float = 0.01, steady: float = 0.5
) -> pd.DataFrame:
    """Long stretches inside a series' span without a sale while the other series sold:
    a store closed (a refurbishment) or rows missing from the export, not demand of zero
    (byod9a D5: Rossmann store 13, closed 92 days, its rows left out by ``where``, became 92
    days of zero demand, and no finding named it).

    A stretch counts the periods in which another series sold (a Sunday every store is closed
    does not break it nor lengthen it), lasts at least a week of days (3 weeks, 2 months), has
    sales on both sides, and is unlikely given the share ``p`` of its other periods that had a
    sale: ``periods_in_span * (1 - p) ** periods < chance / series`` (a run of periods without
    a sale, each as likely as its other periods to go without one, anywhere in its span),
    with ``p`` at least ``steady`` (a slow seller's gaps are normal). Periods with a sale, not
    units: DataCo's order lines of 2-7 units sold 1.7 units a day on half the days, and
    ``exp(-1.7 * 11)`` called an 11-day gap a closure (byod11a D6). The series' long
    stretches together cover at most
    :data:`MAX_GAP_SHARE` of its span. A stock-out that lasts to the end is
    :func:`~opsai.inventory.censored_items`' business.

    Args:
        history: ``[ITEM_ID, TIMESTAMP, QUANTITY]`` per item (``hs.bottom``), or with ``STORE``
            per item and store (:func:`~opsai.forecast.store_demand`, periods without a row
            sold nothing; capped to the item-stores that stopped, it gives nothing: pass the
            item series then).
        freq: its frequency.

    Returns:
        :data:`GAP_COLUMNS`: the series (``store`` missing without stores), the first and last
        period of the stretch, its length in periods (``span``) and in periods in which others
        sold (``periods``), and the series' rate
        per such period outside it; the longest first. Empty for a single series or a history
        too large (:data:`MAX_GAP_CELLS`).
    """
    empty = pd.DataFrame(columns=GAP_COLUMNS)
    if history.empty or history.attrs.get("capped"):  # only the stopped item-stores: no others
        return empty
    by = [ITEM_ID, STORE] if STORE in history.columns else [ITEM_ID]
    keys = (
        history[by].astype(str).agg("\x1f".join, axis=1)
        if len(by) == 2
        else history[ITEM_ID].astype(str)
    )
    grid = pd.DatetimeIndex(sorted(history[TIMESTAMP].unique()))
    if freq in PANDAS_FREQ:
        grid = grid.union(pd.date_range(grid[0], grid[-1], freq=PANDAS_FREQ[freq]))
    n = keys.nunique()
    if n < 2 or n * len(grid) > MAX_GAP_CELLS:
        return empty
    wide = (
        history.assign(_k=keys.to_numpy())
        .pivot_table(index="_k", columns=TIMESTAMP, values=QUANTITY, aggfunc="sum", fill_value=0.0)
        .reindex(columns=grid, fill_value=0.0)
    )
    q = np.clip(wide.to_numpy(float), 0, None)
    total = q.sum(axis=0)
    limit, rows = chance / n, []
    for k, sid in enumerate(wide.index):
        others = (total - q[k]) > 0
        x, idx = q[k][others], np.flatnonzero(others)
        sold = np.flatnonzero(x > 0)
        if len(sold) < 2:
            continue
        x, idx = x[sold[0] : sold[-1] + 1], idx[sold[0] : sold[-1] + 1]
        zero = np.concatenate([[0], (x == 0).astype(int), [0]])
        starts, ends = np.flatnonzero(np.diff(zero) == 1), np.flatnonzero(np.diff(zero) == -1)
        long = (ends - starts) >= _MIN_GAP.get(freq, 2)
        if not long.any():
            continue
        inside = np.zeros(len(x), bool)
        for a, b in zip(starts[long], ends[long], strict=True):
            inside[a:b] = True
        if inside.mean() > MAX_GAP_SHARE:  # on and off most of the time: its pattern, no closure
            continue
        rate, share = float(x[~inside].mean()), float((x[~inside] > 0).mean())
        for a, b in zip(starts[long], ends[long], strict=True):  # days with a sale, not units
            if share >= steady and len(x) * (1.0 - share) ** (b - a) < limit:
                item, store = str(sid).split("\x1f") if len(by) == 2 else (str(sid), None)
                span = int(idx[b - 1] - idx[a] + 1)
                rows.append([item, store, grid[idx[a]], grid[idx[b - 1]], span, int(b - a), rate])
    if not rows:
        return empty
    out = pd.DataFrame(rows, columns=GAP_COLUMNS)
    return out.sort_values(["periods", "rate"], ascending=False).reset_index(drop=True)


def stockout_stretches(
    gaps: pd.DataFrame, stock: pd.DataFrame | None, *, freq: str = "D"
) -> pd.DataFrame:
    """:func:`closed_stretches`' stretches with ``stock_out``: the inventory's on-hand history
    (:meth:`~opsai.data.workspace.Workspace.stock_history`, ``[ITEM_ID, STORE, TIMESTAMP,
    ON_HAND]``) had nothing on hand on at least half of its snapshots inside the stretch (of
    that store; summed over the stores for a whole item's stretch), so the zeros are a known
    stock-out, not a closure nor missing rows, and ``lost``: the sales lost, its rate outside
    the stretch times its periods with sales elsewhere (byod12a D10: P0007 at S002, 20 days at
    0 on hand after 45 a day, was 'a store closed, a stock-out, or rows missing' and read as
    zero demand). ``gaps`` itself (without the columns) when there is no history."""
    if gaps.empty or stock is None or stock.empty:
        return gaps
    step = pd.tseries.frequencies.to_offset(PANDAS_FREQ.get(freq, "D"))
    h = stock.assign(**{ITEM_ID: stock[ITEM_ID].astype(str)})
    out, lost = [], []
    for _, g in gaps.iterrows():
        rows = h[h[ITEM_ID] == str(g[ITEM_ID])]
        if pd.notna(g[STORE]):
            rows = rows[rows[STORE].astype(str) == str(g[STORE])]
        start, stop = pd.Timestamp(g["start"]), pd.Timestamp(g["end"]) + step
        inside = rows[(rows[TIMESTAMP] >= start) & (rows[TIMESTAMP] < stop)]
        on = inside.groupby(TIMESTAMP)[ON_HAND].sum()  # a whole item: its stores summed
        out.append(bool(len(on)) and float((on <= 0).mean()) >= 0.5)
        lost.append(float(g["rate"]) * int(g["periods"]))
    return gaps.assign(stock_out=out, lost=lost)


def without_stretches(bottom: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """``bottom`` (item series) without the periods of :func:`closed_stretches`' stretches of
    whole series (a store that is a series: Rossmann), so a closure does not make a steady
    seller 'intermittent' (byod9a D5: store 13's 92 closed days did); an item-store's stretch
    (``store`` set) is part of a chain series and stays."""
    whole = gaps[gaps[STORE].isna()] if len(gaps) else gaps
    if not len(whole):
        return bottom
    drop = pd.Series(False, index=bottom.index)
    for _, g in whole.iterrows():
        drop |= (bottom[ITEM_ID].astype(str) == str(g[ITEM_ID])) & bottom[TIMESTAMP].between(
            pd.Timestamp(g["start"]), pd.Timestamp(g["end"])
        )
    return bottom[~drop]


FILL_SEASONS = 8
"""Periods of the same weekday (of any period, weekly or monthly) before a closure whose mean
:func:`fill_closures` puts in its place."""


def fill_closures(
    hs: HierarchicalSeries,
    gaps: pd.DataFrame,
    *,
    seasons: int = FILL_SEASONS,
    stores: pd.DataFrame | None = None,
) -> HierarchicalSeries:
    """``hs`` with the periods of :func:`closed_stretches`' stretches of whole series (a store
    that is a series; ``store`` missing) filled with the series' level before the closure, so
    the forecasting models do not learn the closure as demand (byod9a D5: Rossmann store 13,
    closed 92 days, was history of 92 zero days for every model).

    Only the periods in which another series sold are filled (a Sunday every store is closed
    stays 0), each with the mean of the series over its last ``seasons`` periods of the same
    weekday (daily data; of any period otherwise) before the stretch in which another series
    sold: nothing after the stretch is looked at, so a backtest cut-off inside it sees no
    future. The levels that sum the series (category, total) take the same amounts. An
    item-store's stretch (``store`` set) is part of a chain series and stays as it is; a
    stock-out that lasts to the end is no stretch (:func:`~opsai.inventory.censored_items`).
    An item-store's stretch the inventory's history calls a stock-out (``stock_out``,
    :func:`stockout_stretches`) is censored demand: the item's series takes that store's level
    (from ``stores``, :func:`~opsai.forecast.store_demand`; its ``rate`` without them) on the
    stretch's periods in which the store sold nothing (byod12a D10).

    Returns:
        ``hs`` with ``filled``: ``[ITEM_ID, TIMESTAMP]`` of every series (the closed ones and
        the levels summing them) and period that holds a filled amount, for
        :class:`~opsai.forecast.AutoForecaster`'s ``skip`` (the backtest does not score them);
        ``hs`` itself when there is nothing to fill.
    """
    out = gaps["stock_out"].astype(bool) if "stock_out" in gaps else False
    whole = gaps[gaps[STORE].isna() | out] if len(gaps) else gaps
    if not len(whole):
        return hs
    bottom = hs.df[hs.df[ITEM_ID].isin(hs.S.columns)]
    wide = bottom.pivot_table(
        index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY, aggfunc="sum", fill_value=0.0
    )
    total = wide.sum(axis=1)
    daily = hs.freq == "D"
    deltas = []
    for _, g in whole.iterrows():
        sid = str(g[ITEM_ID])
        if sid not in wide.columns:
            continue
        open_ = (total - wide[sid]) > 0  # another series sold
        y = wide[sid] if pd.isna(g[STORE]) else _store_series(stores, sid, g[STORE], wide.index)
        start, end = pd.Timestamp(g["start"]), pd.Timestamp(g["end"])
        if y is None:  # a store's stock-out without the store's series: its rate
            at = wide.index[open_ & (wide.index >= start) & (wide.index <= end)]
            deltas.append(pd.DataFrame({ITEM_ID: sid, TIMESTAMP: at, "_d": float(g["rate"])}))
            continue
        ref = y[open_ & (y.index < start)]
        at = y.index[open_ & (y.index >= start) & (y.index <= end) & (y == 0)]
        if not len(ref) or not len(at):
            continue
        if daily:
            by_day = ref.groupby(ref.index.day_of_week).apply(lambda s: s.tail(seasons).mean())
            level = by_day.reindex(at.day_of_week).fillna(ref.tail(seasons).mean()).to_numpy()
        else:
            level = np.full(len(at), ref.tail(seasons).mean())
        deltas.append(pd.DataFrame({ITEM_ID: sid, TIMESTAMP: at, "_d": level}))
    if not deltas:
        return hs
    d = pd.concat(deltas, ignore_index=True)
    d = d.groupby([ITEM_ID, TIMESTAMP], as_index=False)["_d"].sum()
    dw = d.pivot(index=TIMESTAMP, columns=ITEM_ID, values="_d")
    up = dw.fillna(0.0) @ hs.S.loc[:, dw.columns].T  # every series that sums a filled one
    long = up.stack().rename("_d").reset_index()
    long.columns = [TIMESTAMP, ITEM_ID, "_d"]
    long = long[long["_d"] != 0]
    df = hs.df.merge(long, on=[ITEM_ID, TIMESTAMP], how="left")
    df[QUANTITY] = df[QUANTITY] + df["_d"].fillna(0.0)
    filled = long[[ITEM_ID, TIMESTAMP]].sort_values([ITEM_ID, TIMESTAMP]).reset_index(drop=True)
    return dataclasses.replace(hs, df=df.drop(columns="_d"), filled=filled)


def _store_series(
    stores: pd.DataFrame | None, item: str, store: Any, index: pd.Index
) -> pd.Series | None:
    """Item ``item``'s sales at ``store`` per period of ``index`` (0 without a row), from
    :func:`~opsai.forecast.store_demand`'s rows; ``None`` without them."""
    if stores is None or stores.empty or stores.attrs.get("capped"):
        return None
    mine = stores[(stores[ITEM_ID].astype(str) == item) & (stores[STORE].astype(str) == str(store))]
    return mine.groupby(TIMESTAMP)[QUANTITY].sum().reindex(index, fill_value=0.0).astype(float)


def closures_finding(
    gaps: pd.DataFrame,
    *,
    freq: str = "D",
    filled: pd.DataFrame | None = None,
    noun: str = "item",
    titles: Mapping[str, str] | None = None,
) -> Finding | None:
    """Names :func:`closed_stretches`' stretches (``None`` when there are none) and says which
    :func:`fill_closures` filled in (``filled``: its ``hs.filled``) and which the forecasts
    still read as zero demand (an item-store's, inside the item's chain series). ``noun``:
    what a series is (:func:`series_noun`): "store 13", not a bare 13. Stretches the
    inventory's history calls stock-outs (:func:`stockout_stretches`) are named so, with the
    sales lost, not asked about (byod12a D10); when every stretch is one, the finding is
    ``stockout_stretches``. ``titles``: items' titles beside their ids ("3 (Ethiopia Rg) at
    Hell's Kitchen")."""
    if gaps.empty:
        return None
    unit = _PERIOD_WORDS.get(freq, "period")
    done = set(map(str, filled[ITEM_ID])) if filled is not None and len(filled) else set()
    out = gaps["stock_out"].astype(bool) if "stock_out" in gaps else pd.Series(False, gaps.index)
    every, stockouts, gaps = gaps, gaps[out], gaps[~out]
    said = "" if noun == "item" else f"{noun} "
    titles = titles if noun == "item" else None  # a store's id is no item
    parts = [_stockouts_text(stockouts, unit, said, done, titles)] if len(stockouts) else []
    if len(gaps):
        parts.append(_closures_text(gaps, unit, said, done, freq, titles))
    names = [
        f"{r[ITEM_ID]}" + (f"@{r[STORE]}" if pd.notna(r[STORE]) else "")
        for _, r in every.iterrows()
    ]
    whole = every[STORE].isna() | out
    evidence = {
        "series": names[:50],
        "start": [f"{pd.Timestamp(t):%Y-%m-%d}" for t in every["start"]][:50],
        "end": [f"{pd.Timestamp(t):%Y-%m-%d}" for t in every["end"]][:50],
        "span": [int(v) for v in every["span"]][:50],
        "periods": [int(v) for v in every["periods"]][:50],
        "filled": [i for i in dict.fromkeys(every.loc[whole, ITEM_ID].astype(str)) if i in done][:50],
        "stock_out": [bool(v) for v in out][:50],
        "lost": [round(float(v), 1) for v in every.get("lost", pd.Series(0.0, every.index))][:50],
    }  # fmt: skip
    name = "closed_stretches" if len(gaps) else "stockout_stretches"
    return Finding(" ".join(parts), "medium", evidence, name=name)


def _stretch(r: pd.Series, said: str, titles: Mapping[str, str] | None = None) -> str:
    """``P0007 at S002 from 2022-11-01 to 2022-11-20``, an item with its title when known."""
    at = f" at {r[STORE]}" if pd.notna(r[STORE]) else ""
    return (
        f"{said}{titled(r[ITEM_ID], titles)}{at} from {pd.Timestamp(r['start']):%Y-%m-%d} to "
        f"{pd.Timestamp(r['end']):%Y-%m-%d}"
    )


def _stockouts_text(
    rows: pd.DataFrame,
    unit: str,
    said: str,
    done: set[str],
    titles: Mapping[str, str] | None = None,
) -> str:
    """The stock-outs :func:`stockout_stretches` found, the sales they lost and whether the
    forecasts train on the usual level in their place."""
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    listed = "; ".join(
        f"{_stretch(r, said, titles)} ({int(r['span'])} {unit}s at 0 on hand; {r['rate']:,.1f} "
        f"a {unit} otherwise: about {r['lost']:,.0f} units of sales lost)"
        for _, r in rows.head(10).iterrows()
    )
    filled = rows[ITEM_ID].astype(str).isin(done)
    total = f", about {rows['lost'].sum():,.0f} units of sales lost in all" if len(rows) > 1 else ""
    text = (
        f"{len(rows)} stock-out(s) in the inventory's history (nothing on hand while nothing "
        f"sold): {listed}{more}{total}. "
        "Their zeros are lost sales, not demand"
    )
    if filled.all():
        return text + (
            ": the forecasts train on the usual level in their place (its mean over the last "
            f"{FILL_SEASONS} {'days of the same weekday' if unit == 'day' else unit + 's'} "
            "before the stock-out), the backtest does not score those periods and the "
            "promotion comparison leaves them out."
        )
    return text + (
        f"; the forecasts still read {int((~filled).sum())} of them as zero demand (the item "
        "is summed into another series); the promotion comparison leaves them out."
    )


def _closures_text(
    gaps: pd.DataFrame,
    unit: str,
    said: str,
    done: set[str],
    freq: str,
    titles: Mapping[str, str] | None = None,
) -> str:
    """The stretches without a sale nothing explains: closed, a stock-out or rows missing?"""
    whole = gaps[STORE].isna() & gaps[ITEM_ID].astype(str).isin(done)
    names_done = list(dict.fromkeys(gaps.loc[whole, ITEM_ID].astype(str)))
    n_zero = int((~whole).sum())

    def line(r: pd.Series) -> str:
        return (
            f"{_stretch(r, said, titles)} ({int(r['span'])} {unit}s, {int(r['periods'])} "
            f"of them with sales elsewhere; {r['rate']:,.1f} a {unit} otherwise)"
        )

    more = f" and {len(gaps) - 10} more" if len(gaps) > 10 else ""
    text = (
        f"{len(gaps)} long stretch(es) without a sale while the other series sold: "
        + "; ".join(line(r) for _, r in gaps.head(10).iterrows())
        + f"{more}. As often as each sold otherwise, that has under 1% chance: a store closed "
        "(a refurbishment, a move), a stock-out, or rows missing from the export (a `where` "
        "that left closed days out)? The promotion comparison leaves them out."
    )
    if names_done:
        shown = ", ".join(said + titled(n, titles) for n in names_done[:10])
        shown += " and others" if len(names_done) > 10 else ""
        text += (
            f" They are not read as zero demand: the forecasts train on {shown}'s usual level "
            f"in their place (its mean over the last {FILL_SEASONS} "
            f"{'days of the same weekday' if freq == 'D' else unit + 's'} before the closure; "
            f"a {unit} every series sold nothing stays 0), and the backtest does not score "
            "those periods (nor the category and total that sum them)."
        )
    if n_zero:
        text += (
            f" The forecasts read the other {n_zero} as zero demand (a store's stretch of one "
            "item is part of the item's series over all stores), so if they are closures, "
            "that history is lower than its demand."
        )
    return text


def finding_levels(hs: HierarchicalSeries) -> list[str]:
    """The hierarchy levels worth a finding: not the remainders of the item cap, and not the
    item level when the data names no item (its one series is the total again)."""
    levels = [lv for lv in hs.tags if lv != OTHER_LEVEL]
    if list(hs.tags.get("item", [])) == [ALL_ITEMS] and "total" in levels:
        levels.remove("item")
    return levels


def pattern_finding(patterns: pd.DataFrame, *, noun: str = "item") -> Finding:
    """How many items (``noun``: :func:`series_noun`) are smooth, erratic, intermittent or
    lumpy."""
    counts = patterns["pattern"].value_counts().to_dict()
    n = len(patterns)
    sparse = counts.get("intermittent", 0) + counts.get("lumpy", 0)
    if n == 1 and str(patterns.iloc[0, 0]) == ALL_ITEMS:  # no item ids: one series of all sales
        pattern = str(patterns["pattern"].iloc[0])
        text = (
            f"The data names no items, so demand is one series of all sales; its pattern is "
            f"{pattern}" + (" (many periods without a sale)." if sparse else ".")
        )
        return Finding(text, "info", {pattern: 1}, name="demand_patterns")
    text = (
        f"{sparse:,} of {n:,} {noun}s ({sparse / max(n, 1):.0%}) sell intermittently (many periods "
        "without a sale); they get Croston-type forecasts, the others Theta, when the pattern "
        "model is chosen."
    )
    return Finding(text, "info", {k: int(v) for k, v in counts.items()}, name="demand_patterns")


ZERO_SHARE_SMAPE = 0.5
"""Share of backtest periods without a sale from which the findings leave sMAPE out."""


def zero_share(cv: pd.DataFrame, tags: Mapping[str, Sequence[str]], level: str) -> float | None:
    """Share of one hierarchy level's backtest actuals that are 0 (None without any)."""
    y = cv.loc[cv[ITEM_ID].isin(list(tags.get(level, []))), QUANTITY]
    return float((y == 0).mean()) if len(y) else None


def accuracy_finding(
    board: pd.DataFrame,
    *,
    h: int,
    n_windows: int,
    level: str = "item",
    stock: bool = True,
    zeros: float | None = None,
    noun: str = "item",
) -> Finding:
    """The best model on the backtest at one hierarchy level, against the seasonal naive.

    The severity says how far to trust the point forecasts: ``medium`` when no model beat the
    seasonal naive or the errors add up to the whole demand (WAPE 100% or more), ``low`` at
    WAPE 50% or more, else ``info``. ``stock``: the data has an inventory table, whose
    safety stocks are sized from the intervals. ``zeros``: the share of the level's backtest
    actuals that are 0 (:func:`zero_share`); from :data:`ZERO_SHARE_SMAPE` on, the text leaves
    sMAPE out and says why: a period without a sale scores 200% against any forecast above 0,
    so on mostly-zero series sMAPE sits near 200% whatever the model (196.8% on a spare-parts
    export with mostly idle days). The evidence keeps it, with ``zero_share``. ``noun`` names
    the item level in the text (:func:`series_noun`: "store-level demand" for Rossmann).
    """
    b = board[board["level"] == level] if "level" in board else board
    best = b.iloc[0]
    base = b[b["model"] == "SeasonalNaive"]
    gain, g = "", None
    if len(base):
        g = 1 - best["mase"] / float(base["mase"].iloc[0])
        gain = f", {g:.0%} lower MASE than the seasonal naive"
    wape = float(best["wape"])
    sparse = zeros is not None and zeros >= ZERO_SHARE_SMAPE
    shown = noun if level == "item" else level
    text = (
        f"On a backtest of {n_windows} windows of {h} periods, {best['model']} forecast "
        f"{shown}-level demand best: MASE {best['mase']:.2f}, "
        + ("" if sparse else f"sMAPE {best['smape']:.1f}%, ")
        + f"WAPE {wape:.0%}{gain}."
    )
    if sparse:
        text += (
            f" sMAPE is left out: {zeros:.0%} of the backtest's {shown}-level periods sold "
            "nothing, and sMAPE counts each of them as a 200% error against any forecast "
            "above 0."
        )
    sev = "info"
    if g is not None and g <= 0:
        sev = "medium"
        text += (
            " No model beat the seasonal naive (the last season repeated): the history holds "
            "little a model can use."
        )
    elif wape >= 0.5:
        sev = "medium" if wape >= 1 else "low"
        size = "as large as the demand itself" if wape >= 1 else "half the demand or more"
        text += (
            f" Errors {size} make {shown}-level point forecasts rough: plan on the 95% intervals"
            + (" (the safety stocks do)" if stock else "")
            + (", and read trends at a higher level." if level == "item" else ".")
        )
    ev = {k: round(float(best[k]), 4) for k in ("mase", "smape", "wape", "bias") if k in best}
    if zeros is not None:
        ev["zero_share"] = round(float(zeros), 4)
    return Finding(text, sev, {"model": str(best["model"]), **ev}, name=f"accuracy_{level}")


TOO_WIDE = 2.0
"""Bands that held every backtest point at this many times the half-width their errors needed
(:func:`reconciled_coverage`'s ``width_ratio``) are called too wide."""


def calibration_windows(models: Iterable[Any]) -> int | None:
    """The rolling origins calibrating the local candidates' intervals (``None``: none local)."""
    got = [int(m.conformal_windows) for m in models if getattr(m, "conformal_windows", None)]
    return min(got) if got else None


def coverage_finding(
    coverage_95: float, *, model: str, stock: bool = True, windows: int | None = None
) -> Finding:
    """Whether the 95% intervals held about 95% of the backtest actuals (``stock``: the data
    has an inventory table, so safety stocks are sized from these intervals). ``windows``
    (:func:`calibration_windows`): with fewer origins than a 95% conformal band needs (19),
    the text says the 95% band is a normal stretch of the largest error."""
    off = abs(coverage_95 - 0.95)
    sev = "info" if off <= 0.05 else "medium"
    verdict = (
        "as they should"
        if off <= 0.05
        else ("too narrow" if coverage_95 < 0.95 else "wider than needed")
    )
    text = (
        f"{model}'s 95% prediction intervals held {coverage_95:.0%} of the actual demand in the "
        f"backtest ({verdict})" + ("; safety stocks are sized from them." if stock else ".")
    )
    ev: dict[str, Any] = {"coverage_95": round(coverage_95, 4)}
    if windows is not None and conformal_reach(windows) < 95:
        _, stretch = conformal_rank(windows, 95)
        text += (
            f" The local models' bands are calibrated on {windows} past origins, too few for a "
            f"conformal 95% band (19 needed): the largest of {windows} errors vouches for "
            f"{windows / (windows + 1):.0%} only, so the 95% band is that error times "
            f"{stretch:.2f} (a normal approximation), wider than the 80% band. Raise "
            "CONFORMAL_WINDOWS (FAST uses 8)."
        )
        ev |= {"calibration_windows": int(windows), "normal_stretch_95": round(stretch, 3)}
    return Finding(text, sev, ev, name="interval_coverage")


def level_coverage(table: pd.DataFrame, level: str, *, column: str = "coverage_95") -> float | None:
    """One hierarchy level's coverage from :func:`reconciled_coverage` (None when unchecked)."""
    row = table[table["level"] == level]
    return float(row[column].iloc[0]) if len(row) else None


def reconciled_coverage_finding(
    table: pd.DataFrame,
    *,
    method: str,
    window: dict[str, Any] | None = None,
    tags: dict[str, list[str]] | None = None,
    noun: str = "item",
) -> Finding | None:
    """Whether the reconciled 95% intervals held about 95% of the backtest actuals per level
    (and, when the table has ``coverage_95_before``, what recalibration changed); ``window``
    (:func:`worst_window`) names where the worst level's misses gather.

    ``tags`` (the hierarchy's levels and series): the sentence names only the levels present
    (no "category" without categories), and there is no finding when the hierarchy has one
    bottom series (one item, or no items at all: nothing to reconcile). Without ``tags`` the
    levels are the table's. ``noun`` names the item level (:func:`series_noun`)."""
    if tags is not None:
        bottom = [*tags.get("item", []), *tags.get(OTHER_LEVEL, [])]
        if len(bottom) <= 1:
            return None
        named = [lv for lv in tags if lv != OTHER_LEVEL and tags[lv]]
    else:
        named = [str(lv) for lv in table["level"] if str(lv) != OTHER_LEVEL]
    order = {"item": 0, "category": 1, "total": 2}
    named = sorted(named, key=lambda lv: order.get(lv, 1))
    named = [noun if lv == "item" else lv for lv in named]
    named_text = ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 else "".join(named)
    adds = f"the {named_text} forecasts add up exactly."
    if table.empty:
        return Finding(
            "The reconciled intervals could not be checked: no backtest window held "
            f"every series of the hierarchy (some {noun}s are too new).",
            "low",
            {},
            name="reconciled_coverage",
        )
    cov = {str(r["level"]): round(float(r["coverage_95"]), 4) for _, r in table.iterrows()}
    worst = min(cov.values())

    def said(k: str) -> str:
        return noun if k == "item" else k

    parts = ", ".join(f"{said(k)} {v:.0%}" for k, v in cov.items())
    evidence = {f"coverage_95.{k}": v for k, v in cov.items()}
    if "coverage_95_before" in table:
        raw = {str(r["level"]): float(r["coverage_95_before"]) for _, r in table.iterrows()}
        evidence |= {f"coverage_95_before.{k}": round(v, 4) for k, v in raw.items()}
        text = (
            f"After reconciliation ({method}, sample paths reconciled then their quantiles "
            "taken) and a recalibration of each level's bands on the other backtest windows, "
            f"the 95% intervals held {parts} of the backtest's actual demand (before the "
            f"recalibration {', '.join(f'{said(k)} {v:.0%}' for k, v in raw.items())}); " + adds
        )
    else:
        text = (
            f"After reconciliation ({method}, sample paths reconciled then their quantiles "
            f"taken), the 95% intervals held {parts} of the backtest's actual demand; " + adds
        )
    wide = {
        str(r["level"]): float(r["width_ratio"])
        for _, r in table.iterrows()
        if "width_ratio" in table
        and r["coverage_95"] >= 0.995
        and r["points"] >= 20
        and np.isfinite(r["width_ratio"])
        and r["width_ratio"] >= TOO_WIDE
    }
    if wide:
        shown = ", ".join(f"{said(k)} {v:.1f}x" for k, v in wide.items())
        text += (
            " That is no success where the bands held every point: they are too wide (median "
            f"half-width over the distance that held 95% of the backtest's errors: {shown}); "
            "plan on the point forecast and its backtest error, not on these bands."
        )
        evidence |= {f"width_ratio.{k}": round(v, 2) for k, v in wide.items()}
    gathered = window is not None and window["coverage_95"] <= window["others_95"] - 0.15
    if worst < 0.85 and window is not None and gathered:
        text += (
            f" The {said(str(window['level']))} level's misses gather in the backtest window after "
            f"{window['cutoff']}: its bands held {window['coverage_95']:.0%} there (the other "
            f"windows {window['others_95']:.0%}), where actual demand ran "
            f"{window['actual_vs_forecast']:+.0%} against the forecast"
        )
        text += (
            ", a shift the forecasts did not foresee (a festival or a promotion, for example): "
            "plan such periods by hand."
            if abs(window["actual_vs_forecast"]) >= 0.1
            else "."
        )
        evidence |= {f"worst_window.{k}": v for k, v in window.items()}
    sev = "info" if worst >= 0.85 and not wide else "low" if worst >= 0.85 else "medium"
    return Finding(text, sev, evidence, name="reconciled_coverage")
