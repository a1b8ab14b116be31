"""A last period the data does not cover to its end.

An export taken on 19 July holds 19 of July's 31 days: summed as a month, July reads as a
slump (273 units after 479 in June on the Amazon reviews, byod9b D20), the backtest scores the
models on it, the drift alerts blame them for it and every forecast starts from it.
:func:`partial_last_period` tells whether the series' last period is such a one, and
:func:`drop_last_period` leaves it out, so the forecasts start after the last whole period (its
first forecast is the partial period, whole).

Example:
    >>> part = partial_period(ws, hs)                               # doctest: +SKIP
    >>> hs = drop_last_period(hs) if part else hs                   # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.data.tail import signups_end, thin_tail
from opsai.forecast.series import HierarchicalSeries, _filtered, _source, data_freq, source_dates
from opsai.report.finding import Finding

_UNIT = {"W": "week", "M": "month"}


_STEP_UNIT = {**_UNIT, "Q": "quarter", "Y": "year"}


def _period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """The first day after the period that starts on ``start`` (``freq`` W, M, Q or Y)."""
    if freq == "W":
        return start + pd.Timedelta(days=7)
    return pd.Timestamp(pd.Period(start, freq).end_time).normalize() + pd.Timedelta(days=1)


def _next_day(days: pd.DatetimeIndex) -> pd.Timestamp:
    """The day the next row would fall on after the last: one step of the data's own spacing
    (a week for weekly exports, a month for monthly ones), else the next weekday on which the
    data usually has rows (a shop closed on Sundays has a whole week by Saturday)."""
    last = days[-1]
    spacing = data_freq(days)
    if spacing and spacing["freq"] == "W":
        return last + pd.Timedelta(days=7)
    if spacing and spacing["freq"] == "M":
        return last + pd.DateOffset(months=1)
    recent = days[days > last - pd.Timedelta(days=91)]
    day = last + pd.Timedelta(days=1)
    usual = _usual_weekdays(recent)
    while day.day_of_week not in usual:
        day += pd.Timedelta(days=1)
    return day


def _usual_weekdays(days: pd.DatetimeIndex) -> set[int]:
    """The weekdays on which the data usually has rows (on half the weeks or more)."""
    weeks = max(1.0, (days[-1] - days[0]).days / 7)
    counts = pd.Series(days.day_of_week).value_counts()
    return set(counts.index[counts >= weeks / 2]) or set(counts.index)


def _previous_day(days: pd.DatetimeIndex) -> pd.Timestamp:
    """The day a row would fall on before the first: :func:`_next_day` backwards."""
    first = days[0]
    spacing = data_freq(days)
    if spacing and spacing["freq"] == "W":
        return first - pd.Timedelta(days=7)
    if spacing and spacing["freq"] == "M":
        return first - pd.DateOffset(months=1)
    usual = _usual_weekdays(days[days < first + pd.Timedelta(days=91)])
    day = first - pd.Timedelta(days=1)
    while day.day_of_week not in usual:
        day -= pd.Timedelta(days=1)
    return day


def partial_last_period(hs: HierarchicalSeries, days: Iterable[Any]) -> dict[str, Any] | None:
    """The series' last period when the data stops before its end, else ``None``.

    Args:
        hs: the series (weekly or monthly; a day is never partial here).
        days: the calendar days the demand rows fall on
            (:func:`~opsai.forecast.series.source_dates`).

    Returns:
        ``{"period", "last_day", "next_period" (YYYY-MM-DD), "days" (covered), "of" (days in
        the period), "units" (in it, all items), "units_before" (in the period before),
        "unit" ("week"/"month")}``. Rows that are weekly or monthly totals cannot say which
        days the last one covers: it is partial when it holds under half of the periods
        before it (``last_day`` and ``days`` ``None``; ``units_before`` the period before).
    """
    if hs.freq not in _UNIT or hs.df.empty:
        return None
    return partial_last(hs.bottom.groupby(TIMESTAMP)[QUANTITY].sum(), hs.freq, days)


def _days(days: Iterable[Any]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(list(days))).normalize().unique().sort_values()


def partial_last(total: pd.Series, freq: str, days: Iterable[Any]) -> dict[str, Any] | None:
    """:func:`partial_last_period` of period totals: ``total`` indexed by period start (any
    measure: units, sales), ``freq`` W, M, Q or Y, ``days`` the days the rows fall on."""
    d = _days(days)
    if freq not in _STEP_UNIT or len(d) < 2 or total.empty:
        return None
    start = pd.Timestamp(total.index.max())
    end = _period_end(start, freq)
    last = d[-1]
    step = pd.Timedelta(days=7) if freq == "W" else None
    before = start - step if step else pd.Timestamp((pd.Period(start, freq) - 1).start_time)
    if start <= last < end and _next_day(d) >= end and data_freq(d) is not None:
        small = small_last(total, start)  # period totals: the dates cannot tell, the size can
        if small is not None:
            return small | {"next_period": f"{end:%Y-%m-%d}", "of": int((end - start).days),
                            "unit": _STEP_UNIT[freq]}  # fmt: skip
    if not start <= last < end or _next_day(d) >= end:
        return None
    return {
        "period": f"{start:%Y-%m-%d}",
        "last_day": f"{last:%Y-%m-%d}",
        "next_period": f"{end:%Y-%m-%d}",
        "days": int((last - start).days) + 1,
        "of": int((end - start).days),
        "units": float(total.get(start, 0.0)),
        "units_before": float(total.get(before, 0.0)) if before in total.index else None,
        "unit": _STEP_UNIT[freq],
    }


def partial_first(total: pd.Series, freq: str, days: Iterable[Any]) -> dict[str, Any] | None:
    """The first period of ``total`` (as in :func:`partial_last`) when the data start after
    its first day, at a day the data would have had a row before (an export starting on a
    Tuesday gives a first week of 6 days), else ``None``.

    Returns:
        ``{"period", "first_day", "days" (covered), "of", "units", "units_after" (the period
        after), "unit"}``.
    """
    d = _days(days)
    if freq not in _STEP_UNIT or len(d) < 2 or total.empty:
        return None
    start = pd.Timestamp(total.index.min())
    end = _period_end(start, freq)
    first = d[0]
    if not start < first < end or _previous_day(d) < start:
        return None
    later = total[total.index > start].sort_index()
    return {
        "period": f"{start:%Y-%m-%d}",
        "first_day": f"{first:%Y-%m-%d}",
        "days": int((end - first).days),
        "of": int((end - start).days),
        "units": float(total.get(start, 0.0)),
        "units_after": float(later.iloc[0]) if len(later) else None,
        "unit": _STEP_UNIT[freq],
    }


def small_last(total: pd.Series, start: pd.Timestamp) -> dict[str, Any] | None:
    """Weekly or monthly totals dated at the period (every row on the 1st): the last period
    when it holds under :data:`~opsai.overview.measures.PARTIAL_SHARE` of the median of the
    three before, the month so far of an export taken mid-month (pharma's salesmonthly.csv:
    October 2019, 8 days, 474 units after 1,672, byod10a D16); ``days`` is then ``None``."""
    from opsai.overview.measures import PARTIAL_SHARE

    total = total.sort_index()
    prior = total[total.index < start].iloc[-3:]
    units = float(total.get(start, 0.0))
    if prior.empty or not units < PARTIAL_SHARE * float(prior.median()):
        return None
    return {"period": f"{start:%Y-%m-%d}", "last_day": None, "days": None, "units": units,
            "units_before": float(prior.iloc[-1])}  # fmt: skip


def partial_period(
    ws: Any,
    hs: HierarchicalSeries,
    *,
    where: Mapping[str, Sequence[str]] | None = None,
    purchase: str = "purchase",
) -> dict[str, Any] | None:
    """:func:`partial_last_period` of ``hs`` built from the workspace ``ws`` with the same
    row filter ``where`` and ``purchase`` event (:func:`~opsai.forecast.series.build_series`)."""
    days, _ = source_dates(ws, where=where, purchase=purchase)
    return partial_last_period(hs, days)


def drop_last_period(hs: HierarchicalSeries, *, since: Any = None) -> HierarchicalSeries:
    """``hs`` without its last period (or, with ``since``, without every period from that one
    on); a series with no period left (an item first sold in it) is left out, and so is an
    aggregate left with no item."""
    cut = hs.df[TIMESTAMP].max() if since is None else pd.Timestamp(since)
    df = hs.df[hs.df[TIMESTAMP] < cut]
    alive = set(df[ITEM_ID])
    S = hs.S.loc[:, [c for c in hs.S.columns if c in alive]]
    S = S[(S.sum(axis=1) > 0) & S.index.isin(alive)]
    keep = set(S.index)
    tags = {lvl: [s for s in ids if s in keep] for lvl, ids in hs.tags.items()}
    df = df[df[ITEM_ID].isin(keep)].reset_index(drop=True)
    return dataclasses.replace(hs, df=df, S=S, tags=tags)


def partial_period_finding(part: dict[str, Any] | None) -> Finding | None:
    """What :func:`partial_last_period` found, and that the period is left out."""
    if not part:
        return None
    unit = part["unit"]
    start = pd.Timestamp(part["period"])
    name = f"{start:%Y-%m}" if unit == "month" else f"the week of {part['period']}"
    had = f"{part['units']:,.0f} units"
    if part.get("units_before") is not None:
        had += f" against {part['units_before']:,.0f} in the {unit} before"
    over = (
        f"is not over: the data stops on {part['last_day']}, {part['days']} of its "
        f"{part['of']} days ({had})"
        if part.get("days")
        else f"holds {had}: its rows are {unit}ly totals that cannot say which days they "
        f"cover, but so small a {unit} is most likely the {unit} so far of an export taken "
        f"before it ended"
    )
    text = (
        f"The last {unit} in the data, {name}, {over}. "
        f"Summed as a whole {unit} it would read as a slump, so it is left out: the "
        f"backtest, the drift alerts and the forecasts use the {unit}s before it, and the "
        f"first forecast {unit} is {name}, whole."
    )
    return Finding(text, "low", dict(part), name="partial_period")


_PERIOD = {"H": "h", "D": "D", "W": "W-SUN", "M": "M"}


def thin_tail_period(
    ws: Any,
    *,
    freq: str = "D",
    where: Mapping[str, Sequence[str]] | None = None,
    purchase: str = "purchase",
) -> dict[str, Any] | None:
    """The export's thinning last days (:func:`opsai.data.tail.thin_tail`, the rule chapter
    00's trend leaves them out by) in the demand rows' units per day, else ``None``.

    The same rows :func:`~opsai.forecast.series.aggregate_demand` sums (``where``'s row
    filters; ``purchase`` events without demand or orders); rows that are weekly or monthly
    totals have no thinning days (``None``, as in chapter 00).

    Returns:
        :func:`~opsai.data.tail.thin_tail`'s dict plus ``cut``: the start (``YYYY-MM-DD``) of
        the ``freq`` period holding the first thin day, the first period left out.
    """
    t, name = _source(ws, purchase)
    t = _filtered(t, {k: v for k, v in (where or {}).items() if not k.startswith("items.")}, name)
    day = t[TIMESTAMP].truncate("D").cast("timestamp").name("date")
    units = t[QUANTITY].cast("float64").sum() if QUANTITY in t.columns else t.count()
    daily = t.group_by(day).aggregate(units=units.cast("float64")).to_pandas().dropna()
    if daily.empty or data_freq(daily["date"]) is not None:
        return None
    daily = daily.set_index(pd.DatetimeIndex(daily["date"]))["units"].sort_index()
    full = pd.date_range(daily.index[0], daily.index[-1], freq="D", name="date")
    ended = signups_end(ws, full[-1])  # no signups since: ageing cohorts, no export's tail
    tail = thin_tail(
        daily.reindex(full, fill_value=0.0).reset_index(),
        signups_end=ended["date"] if ended else None,
    )
    if tail is None:
        return None
    start = pd.Period(pd.Timestamp(tail["from"]), _PERIOD.get(freq, "D")).start_time
    return tail | {"cut": f"{start:%Y-%m-%d}"}


def drop_thin_tail(
    hs: HierarchicalSeries, tail: Mapping[str, Any], *, stores: pd.DataFrame | None = None
) -> tuple[HierarchicalSeries, pd.DataFrame | None]:
    """``hs`` and the per-store units ``stores`` (:func:`~opsai.forecast.series.store_demand`,
    or ``None``) without the periods from ``tail["cut"]`` on (:func:`thin_tail_period`): the
    models train and are backtested, the shifts tested and the stock-outs looked for on the
    periods before it; ``stores.attrs["end"]`` becomes the last period kept."""
    cut = pd.Timestamp(tail["cut"])
    out = drop_last_period(hs, since=cut)
    if stores is None:
        return out, None
    kept = stores[stores[TIMESTAMP] < cut].reset_index(drop=True)
    kept.attrs = {**stores.attrs, "end": out.df[TIMESTAMP].max()}
    return out, kept


def thin_tail_finding(tail: Mapping[str, Any] | None, *, unit: str = "units") -> Finding | None:
    """What :func:`thin_tail_period` found, and that those days are left out."""
    if not tail:
        return None
    level, usual = float(np.mean(tail["values"])), float(np.mean(tail["usual"]))
    cut = (
        ""
        if tail["cut"] == tail["from"]
        else f" (with the rest of their period, from {tail['cut']})"
    )
    text = (
        f"The last {tail['days']} days ({tail['from']} to {tail['to']}), still filling in the "
        f"export, are left out{cut}: {level:,.1f} {unit} a day against {usual:,.1f} before on "
        "the same weekdays, as an export taken while rows still arrive reads (the rule chapter "
        "00 leaves them out of its trend by). The models train and are backtested, level "
        "shifts tested and stock-outs looked for on the days before them, and the forecasts "
        f"start on {tail['cut']}."
    )
    evidence = {**dict(tail), "level": round(level, 3), "usual_level": round(usual, 3)}
    return Finding(text, "low", evidence, name="thin_tail")
