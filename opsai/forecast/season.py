"""The yearly season of all demand: its peak and trough months, their share, year by year.

Two summers of hotel data and no page named the peak (byod12a D18: August held 21.6% of a
year's room nights, January a fraction of it): the models read the season, the reader did
not. :func:`yearly_season` averages each calendar month's demand a day over the whole months
the data hold and checks the peak month in every run of twelve whole months;
:func:`yearly_season_finding` words it.

Example:
    >>> season = yearly_season(hs.df, freq="D")          # doctest: +SKIP
    >>> yearly_season_finding(season, unit="units")      # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast.series import TOTAL_ID
from opsai.report.finding import Finding

MIN_RATIO = 1.25
"""Smallest peak-to-trough ratio (demand a day) reported as a season."""
_MONTHS = pd.date_range("2000-01-01", periods=12, freq="MS").strftime("%B").tolist()


def yearly_season(df: pd.DataFrame, *, freq: str, series: str = TOTAL_ID) -> dict[str, Any]:
    """Each calendar month's share of a year's demand, from the whole months of two years
    or more of daily or weekly data (weeks counted in the month they start in).

    A month counts when the data cover it from its first day to its last (the first and last
    months of an export are often partial). Each calendar month's rate is its mean demand a
    day over the years it was seen; its share is that rate times its days over the year's
    sum. Each run of twelve whole months in a row (a season year) names its own peak month:
    the season is ``stable`` when every one names the same or an adjacent month.

    Args:
        df: long series frame ``[ITEM_ID, TIMESTAMP, QUANTITY]`` (``HierarchicalSeries.df``).
        freq: ``H``, ``D`` or ``W`` (rates per day of each); monthly data and shorter
            histories give ``{}``.
        series: the series read (default all demand, :data:`~opsai.forecast.TOTAL_ID`; the
            items summed when it is absent).

    Returns:
        ``{}`` without two years of whole months, else ``share`` (month name -> share of a
        year), ``rate`` (month name -> demand a day), ``peak``, ``second``, ``trough``
        (month names), ``ratio`` (peak rate over trough rate), ``years`` (season years
        read, as ``YYYY-MM..YYYY-MM``), ``peaks`` (each one's peak month), ``stable``.
    """
    if freq not in ("H", "D", "W", "M"):
        raise ConfigError(f"yearly_season: freq must be 'H', 'D', 'W' or 'M', got {freq!r}")
    if freq == "M" or df.empty:
        return {}
    d = df[df[ITEM_ID].astype(str) == series]
    if d.empty:
        d = df[df[ITEM_ID].astype(str) != TOTAL_ID]
    y = d.groupby(TIMESTAMP)[QUANTITY].sum().sort_index()
    if y.empty:
        return {}
    first, last = y.index.min(), y.index.max() + (pd.Timedelta(days=6) if freq == "W" else pd.Timedelta(0))  # fmt: skip
    month = y.index.to_period("M")
    per = y.groupby(month).sum()
    whole = [m for m in per.index if m.start_time >= first and m.end_time.normalize() <= last]
    if len(whole) < 24:
        return {}
    per = per.loc[whole]
    days = np.array([m.days_in_month for m in per.index], dtype=float)
    if freq == "W":  # weeks counted in the month they start in: per week, not per day
        days = np.array([(month == m).sum() * 7.0 for m in per.index], dtype=float)
    rate = pd.Series(per.to_numpy(float) / days, index=per.index)
    by_month = rate.groupby(rate.index.month).mean().reindex(range(1, 13))
    if by_month.isna().any() or (by_month <= 0).all():
        return {}
    weight = by_month * np.array([pd.Period(f"2001-{m:02d}").days_in_month for m in range(1, 13)])
    share = weight / weight.sum()
    order = by_month.sort_values(ascending=False).index
    years, peaks = [], []
    periods = list(rate.index)
    for i in range(0, len(periods) - 11, 12):
        block = periods[i : i + 12]
        if (block[-1] - block[0]).n != 11:  # not twelve months in a row
            continue
        r = rate.loc[block]
        years.append(f"{block[0]}..{block[-1]}")
        peaks.append(_MONTHS[int(r.idxmax().month) - 1])
    peak = int(order[0])
    near = {_MONTHS[(peak - 2) % 12], _MONTHS[peak - 1], _MONTHS[peak % 12]}
    trough = int(order[-1])
    return {
        "share": {_MONTHS[m - 1]: float(share[m]) for m in range(1, 13)},
        "rate": {_MONTHS[m - 1]: float(by_month[m]) for m in range(1, 13)},
        "peak": _MONTHS[peak - 1],
        "second": _MONTHS[int(order[1]) - 1],
        "trough": _MONTHS[trough - 1],
        "ratio": float(by_month[peak] / by_month[trough]) if by_month[trough] > 0 else np.inf,
        "years": years,
        "peaks": peaks,
        "stable": bool(peaks) and all(p in near for p in peaks),
        "unit": "week" if freq == "W" else "day",
    }


def yearly_season_finding(season: dict[str, Any], *, unit: str = "units") -> Finding | None:
    """The yearly season :func:`yearly_season` read, in the finding ``yearly_season``
    ("Demand peaks in August (21.6% of a year's units) and July, and is lowest in January
    (4.9%) ..."); ``None`` without two years of whole months or when the peak month sells
    under :data:`MIN_RATIO` times the trough's."""
    if not season or not season["ratio"] >= MIN_RATIO:
        return None
    s, peak, second, trough = season["share"], season["peak"], season["second"], season["trough"]
    per = season["unit"]
    n = len(season["peaks"])
    steady = (
        f"{peak} or a month beside it was the peak in each of the {n} season years read "
        f"({', '.join(f'{y}: {p}' for y, p in zip(season['years'], season['peaks'], strict=True))})"
        if season["stable"]
        else "the peak moved between the season years read ("
        + ", ".join(f"{y}: {p}" for y, p in zip(season["years"], season["peaks"], strict=True))
        + "), so plan on it loosely"
    )
    text = (
        f"Demand follows a yearly season: it peaks in {peak} ({s[peak]:.1%} of a year's "
        f"{unit}, {season['rate'][peak]:,.1f} a {per}) and {second} ({s[second]:.1%}), and is "
        f"lowest in {trough} ({s[trough]:.1%}, {season['rate'][trough]:,.1f} a {per}): "
        f"{season['ratio']:.1f} times as much at the peak; {steady}. Staff, stock and "
        "purchase plans should follow it; the forecasts read it from the same history."
    )
    evidence = {
        "peak": peak,
        "second": second,
        "trough": trough,
        "ratio": round(float(season["ratio"]), 3),
        "share": {k: round(v, 4) for k, v in s.items()},
        "years": season["years"],
        "peaks": season["peaks"],
        "stable": season["stable"],
    }
    return Finding(text, "info", evidence, name="yearly_season")
