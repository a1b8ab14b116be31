"""Series whose level shifted lately: the recent weeks against the weeks before and a year before.

A store whose sales fell 26% over its last 7 weeks (a competitor opened nearby) was named
nowhere (byod9a D23): the drift alerts watch the forecast *error*, and models that follow
the new level through their lags make none. :func:`level_shifts` compares each series' share
of all demand in its last ``recent`` periods with the ``before`` periods preceding them and,
when the data reaches back that far, with the same periods a year earlier (a share, so a
season or a promotion the whole business shares is no shift); Welch t-tests, Bonferroni over
the series tested. A shift found is dated by the split of the span that fits two levels best.
:func:`level_shift_finding` words them; the executive summary turns them into actions.

Example:
    >>> shifts = level_shifts(hs.df, freq="D", ids=hs.tags["item"])   # doctest: +SKIP
    >>> level_shift_finding(shifts, freq="D")                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import ttest_ind

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast.series import CATEGORY_PREFIX, TOTAL_ID, titled
from opsai.report.finding import Finding

RECENT: dict[str, int] = {"H": 42 * 24, "D": 42, "W": 6, "M": 3}
"""Recent periods tested per frequency: six weeks (three months for monthly series)."""
BEFORE: dict[str, int] = {"H": 91 * 24, "D": 91, "W": 13, "M": 6}
"""Periods before them they are compared with: a quarter (half a year for monthly series)."""
YEAR: dict[str, int] = {"H": 364 * 24, "D": 364, "W": 52, "M": 12}
"""A year in periods (52 weeks of days, so weekdays line up)."""
STORE_WINDOW: dict[str, int] = {"H": 182 * 24, "D": 182, "W": 26, "M": 6}
"""Recent and before windows of :func:`store_shifts`: half a year each, so a store that
stepped down eight months ago (Walmart's store 5, byod11b D5) is still in reach. Data
shorter than both windows are read the last third against the two thirds before."""
STORE_MIN: dict[str, int] = {"H": 56 * 24, "D": 56, "W": 12, "M": 9}
"""Fewest periods :func:`store_shifts` tests (a third of them recent): eight weeks of days,
twelve weeks, nine months."""
_UNIT = {"H": "hour", "D": "day", "W": "week", "M": "month"}

COLUMNS = ["change", "since", "rate_before", "rate_after", "change_vs_year", "total_change",
           "relative_change", "p_value", "p_year", "share", "tested", "usual_change"]  # fmt: skip


def _welch(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided Welch t-test p-value; 1.0 when either side is constant and equal."""
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    p = ttest_ind(a, b, equal_var=False).pvalue
    return float(p) if np.isfinite(p) else (1.0 if np.isclose(a.mean(), b.mean()) else 0.0)


def _split(y: np.ndarray, low: int) -> int:
    """The index that splits ``y`` into two levels with the least squared error, at least
    ``low`` points on each side."""
    best, at = np.inf, len(y) // 2
    for k in range(low, len(y) - low + 1):
        sse = ((y[:k] - y[:k].mean()) ** 2).sum() + ((y[k:] - y[k:].mean()) ** 2).sum()
        if sse < best:
            best, at = sse, k
    return at


def level_shifts(
    df: pd.DataFrame,
    *,
    freq: str,
    ids: Sequence[str] | None = None,
    recent: int | None = None,
    before: int | None = None,
    min_change: float = 0.1,
    min_units: float = 50.0,
    alpha: float = 0.05,
    stopped: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Series whose level in the last ``recent`` periods shifted against the ``before``
    periods preceding them (and the same periods a year before, when the data has them).

    Each series is read against all other demand (the :data:`~opsai.forecast.TOTAL_ID`
    series, else the sum of ``ids``, less the series itself) per period, periods where that
    is 0 (all closed) left out. Series whose sales stopped abruptly (``stopped``; by default
    those :func:`opsai.inventory.censored_items` finds without stock data) are neither tested
    (the stop is its own finding, sales_stopped) nor counted in all demand (their fall would
    lift every other series' share, byod10a D10/D11). With earlier years at the same
    periods, the recent-against-before change must lie beyond every one of theirs and
    ``min_change`` beyond their median: a season's rise each autumn is no shift. A shift needs a Welch t-test p-value, Bonferroni-corrected over the series tested,
    below ``alpha`` against the periods before and, with a year of history, against the year
    before too (the larger p-value counts), in the same direction, and a change of at least
    ``min_change`` beyond all demand's (``(1 + change) / (1 + total_change) - 1``: a summer
    slope every series shares is no shift of one).

    Args:
        df: long series frame ``[ITEM_ID, TIMESTAMP, QUANTITY]`` (``HierarchicalSeries.df``).
        freq: ``D``, ``W`` or ``M``.
        ids: the series tested (e.g. the items); default every one but the total.
        recent, before: window lengths in periods (default :data:`RECENT`, :data:`BEFORE`).
        min_change: smallest relative change reported.
        min_units: units a series needs in the ``before`` window to be tested.
        alpha: family-wise error rate over the series tested.
        stopped: series found stopped (out of stock, delisted); ``None`` finds them.

    Returns:
        The shifted series, largest drop or rise first (index: series id): ``change`` (units a
        period since the split against the ``before`` periods ahead of it), ``since`` (the
        split's first period), ``rate_before``/``rate_after`` (units a period),
        ``change_vs_year`` (recent against the year before, NaN without it), ``total_change``
        (all other demand, the series' own left out, over the same periods as ``change``),
        ``relative_change`` (the series' against all other demand's), ``p_value`` (Bonferroni-corrected, the larger
        of the two tests), ``p_year``, ``share`` (of all units), ``tested`` and
        ``usual_change`` (the median change at these periods in earlier years, NaN without
        any). ``attrs``: ``tested``, ``recent``, ``before``, ``end`` (last period), ``year``
        (whether the year before was compared), ``stopped`` (the series left out), ``years``
        (earlier years compared).
    """
    if freq not in RECENT:
        raise ConfigError(f"level_shifts: freq must be 'H', 'D', 'W' or 'M', got {freq!r}")
    if not 0 < alpha < 1:
        raise ConfigError(f"level_shifts: alpha must be in (0, 1), got {alpha!r}")
    r, b = int(recent or RECENT[freq]), int(before or BEFORE[freq])
    if r < 2 or b < 2:
        raise ConfigError(f"level_shifts: recent and before need 2+ periods, got {r}, {b}")
    wide = df.pivot_table(index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY, aggfunc="sum")
    wide = wide.sort_index().fillna(0.0)
    keys = [str(i) for i in (ids if ids is not None else wide.columns) if str(i) != TOTAL_ID]
    keys = [k for k in keys if k in wide.columns]
    total = wide[TOTAL_ID] if TOTAL_ID in wide.columns else wide[keys].sum(axis=1)
    empty = pd.DataFrame(columns=COLUMNS)
    empty.attrs.update(tested=0, recent=r, before=b, end=None, year=False, stopped=[])
    if len(wide) < r + b or not keys:
        return empty
    gone = _stopped(wide, keys, freq) if stopped is None else [str(k) for k in stopped]
    gone = [k for k in gone if k in wide.columns and k in keys]
    keys = [k for k in keys if k not in gone]  # a stock-out is said by sales_stopped, once
    total = total - wide[gone].sum(axis=1)  # a stock-out does not lift every other share
    y_year = YEAR[freq]
    year = len(wide) >= y_year + r
    share = {k: _share(wide[k], total) for k in keys}
    rows: dict[str, dict[str, Any]] = {}
    n = len(wide)
    idx_r, idx_b = np.arange(n - r, n), np.arange(n - r - b, n - r)
    idx_y = np.arange(n - r - y_year, n - y_year) if year else None
    earlier = [j for j in range(1, 10) if n - r - b - j * y_year >= 0]
    for k in keys:
        y = wide[k].to_numpy(float)
        if y[idx_b].sum() < min_units or (y[idx_b] > 0).mean() < 0.5:
            continue
        s = share[k]
        on = np.isfinite(s)
        sr, sb = s[idx_r][on[idx_r]], s[idx_b][on[idx_b]]
        if len(sr) < 2 or len(sb) < 2:  # no other demand to read it against (one item)
            continue
        p = _welch(sr, sb)
        py = float("nan")
        if idx_y is not None:
            sy = s[idx_y][on[idx_y]]
            py = _welch(sr, sy) if y[idx_y].sum() >= min_units else float("nan")
            same = np.sign(sr.mean() - sb.mean()) == np.sign(sr.mean() - sy.mean())
            py = py if same else 1.0
        usual = _usual_changes(s, n=n, r=r, b=b, year=y_year, years=earlier)
        if len(usual) and len(sr) and len(sb) and sb.mean() > 0:
            now = sr.mean() / sb.mean() - 1  # as every year at these weeks: a season
            lo, hi = float(np.min(usual)), float(np.max(usual))
            typical = float(np.median(usual))
            beyond = (1 + now) / (1 + typical) - 1
            if not (now > hi or now < lo) or abs(beyond) < min_change:
                p = 1.0
        rows[k] = {"p_raw": p, "p_year": py,
                   "usual": float(np.median(usual)) if len(usual) else float("nan")}  # fmt: skip
    if not rows:
        alone = not any(np.isfinite(v[n - r - b :]).sum() >= 2 for v in share.values())
        empty.attrs.update(stopped=gone, alone=alone and len(keys) > 0, series=keys[:3])
        return empty
    out = pd.DataFrame.from_dict(rows, orient="index")
    tested = int(out["p_raw"].notna().sum())
    out["p_value"] = (np.fmax(out["p_raw"], out["p_year"].fillna(0.0)) * tested).clip(upper=1.0)
    hit = out[(out["p_value"] <= alpha) & out["p_raw"].notna()]
    found = []
    for k in hit.index:
        span = np.arange(n - r - b, n)
        s = share[k][span]
        on = np.isfinite(share[k])
        ok = on[span]
        at = int(span[ok][_split(s[ok], max(2, r // 3))])  # the first period of the new level
        after = np.arange(at, n)
        ahead = np.arange(max(0, at - b), at)
        y = wide[k].to_numpy(float)
        t = total.to_numpy(float) - y  # all other demand, as the test reads it (byod12a D19)
        rate_b, rate_a = y[ahead][on[ahead]].mean(), y[after][on[after]].mean()
        change = rate_a / rate_b - 1 if rate_b > 0 else float("nan")
        t_b, t_a = t[ahead][on[ahead]].mean(), t[after][on[after]].mean()
        t_change = t_a / t_b - 1 if t_b > 0 else float("nan")
        relative = (1 + change) / (1 + t_change) - 1  # beyond what all demand did
        if not abs(relative) >= min_change:
            continue
        yoy = float("nan")
        if idx_y is not None and y[idx_y][on[idx_y]].mean() > 0:
            yoy = y[idx_r][on[idx_r]].mean() / y[idx_y][on[idx_y]].mean() - 1
        found.append(
            {
                ITEM_ID: k,
                "change": change,
                "since": wide.index[at],
                "rate_before": rate_b,
                "rate_after": rate_a,
                "change_vs_year": yoy,
                "total_change": t_change,
                "relative_change": relative,
                "p_value": float(hit.loc[k, "p_value"]),
                "p_year": float(hit.loc[k, "p_year"]),
                "share": float(y.sum() / total.sum()) if total.sum() > 0 else float("nan"),
                "tested": tested,
                "usual_change": float(hit.loc[k, "usual"]),
            }
        )
    res = pd.DataFrame(found, columns=[ITEM_ID, *COLUMNS]).set_index(ITEM_ID)
    res = res.reindex(res["relative_change"].abs().sort_values(ascending=False).index)
    res.attrs.update(tested=tested, recent=r, before=b, end=wide.index[-1], year=bool(year),
                     stopped=gone, years=len(earlier))  # fmt: skip
    return res


def year_shifts(
    df: pd.DataFrame,
    *,
    freq: str,
    ids: Sequence[str] | None = None,
    recent: int | None = None,
    min_change: float = 0.1,
    min_units: float = 50.0,
    alpha: float = 0.05,
    exclude: Sequence[str] = (),
    stopped: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Series whose last ``recent`` periods moved against the same periods a year before,
    beyond all other demand's move, whether or not they moved against the periods just
    before: a drop nine months old is flat lately (P0012 sold 34.9% less than a year before
    after a competitor undercut it, -5.8% on the quarter before; byod12a D11).

    Each series' share of all other demand (as :func:`level_shifts` reads it) in the recent
    periods against the year before, Welch t-test, Bonferroni over the series tested; a
    change needs ``(1 + change) / (1 + total_change) - 1`` of at least ``min_change``.
    ``exclude``: series already reported (:func:`level_shifts`' index), tested but not
    returned. ``stopped`` as in :func:`level_shifts`.

    Returns:
        Index: series id; ``since`` (the step's first period, the split of the last year
        and ``recent`` periods that fits two levels best), ``change`` (recent against the year before, units a period),
        ``rate_before``/``rate_after``, ``total_change`` (all other demand's),
        ``relative_change``, ``p_value`` (Bonferroni), ``share`` (of all units), largest
        ``relative_change`` first. ``attrs``: ``tested``, ``recent``, ``end``, ``start``
        (the recent window's first period). Empty (``tested`` 0) under a year and ``recent``
        periods of data.
    """
    if freq not in RECENT:
        raise ConfigError(f"year_shifts: freq must be 'H', 'D', 'W' or 'M', got {freq!r}")
    r, y_year = int(recent or RECENT[freq]), YEAR[freq]
    cols = ["since", "change", "rate_before", "rate_after", "total_change", "relative_change",
            "p_value", "share"]  # fmt: skip
    empty = pd.DataFrame(columns=cols)
    empty.attrs.update(tested=0, recent=r, end=None, start=None)
    wide = df.pivot_table(index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY, aggfunc="sum")
    wide = wide.sort_index().fillna(0.0)
    keys = [str(i) for i in (ids if ids is not None else wide.columns) if str(i) != TOTAL_ID]
    keys = [k for k in keys if k in wide.columns]
    n = len(wide)
    if n < y_year + r or len(keys) < 2:
        return empty
    total = wide[TOTAL_ID] if TOTAL_ID in wide.columns else wide[keys].sum(axis=1)
    gone = _stopped(wide, keys, freq) if stopped is None else [str(k) for k in stopped]
    gone = [k for k in gone if k in keys]
    keys = [k for k in keys if k not in gone]
    total = total - wide[gone].sum(axis=1)
    idx_r, idx_y = np.arange(n - r, n), np.arange(n - r - y_year, n - y_year)
    t = total.to_numpy(float)
    rows: dict[str, dict[str, float]] = {}
    for k in keys:
        y = wide[k].to_numpy(float)
        if y[idx_y].sum() < min_units or (y[idx_y] > 0).mean() < 0.5:
            continue
        s = _share(wide[k], total)
        on = np.isfinite(s)
        sr, sy = s[idx_r][on[idx_r]], s[idx_y][on[idx_y]]
        if len(sr) < 2 or len(sy) < 2:
            continue
        a, b = y[idx_r][on[idx_r]].mean(), y[idx_y][on[idx_y]].mean()
        others_a = (t - y)[idx_r][on[idx_r]].mean()
        others_b = (t - y)[idx_y][on[idx_y]].mean()
        change = a / b - 1 if b > 0 else float("nan")
        t_change = others_a / others_b - 1 if others_b > 0 else float("nan")
        rows[k] = {"p_raw": _welch(sr, sy), "change": change, "rate_before": b, "rate_after": a,
                   "total_change": t_change, "relative_change": (1 + change) / (1 + t_change) - 1,
                   "share": float(y.sum() / t.sum()) if t.sum() > 0 else float("nan")}  # fmt: skip
    if not rows:
        return empty
    out = pd.DataFrame.from_dict(rows, orient="index")
    tested = len(out)
    out["p_value"] = (out["p_raw"] * tested).clip(upper=1.0)
    done = {str(k) for k in exclude}
    hit = out[(out["p_value"] <= alpha) & (out["relative_change"].abs() >= min_change)]
    hit = hit[~hit.index.isin(done)]
    hit = hit.reindex(hit["relative_change"].abs().sort_values(ascending=False).index)[cols[1:]]
    span = np.arange(n - r - y_year, n)
    since = []
    for k in hit.index:  # when it began: the split of the year that fits two levels best
        sk = _share(wide[k], total)[span]
        ok = np.isfinite(sk)
        since.append(wide.index[int(span[ok][_split(sk[ok], max(2, r // 3))])])
    hit.insert(0, "since", pd.Series(since, index=hit.index, dtype="datetime64[ns]"))
    hit.attrs.update(tested=tested, recent=r, end=wide.index[-1], start=wide.index[n - r])
    return hit


def year_shift_finding(
    shifts: pd.DataFrame, *, freq: str, titles: Mapping[str, str] | None = None
) -> Finding | None:
    """The series :func:`year_shifts` found, largest first, in the finding ``year_shift``
    ("item P0012 sold 34.9% less in the last 42 days than in the same days a year before
    ..."); ``None`` when none was found."""
    if shifts.empty:
        return None
    unit, r = _UNIT[freq], int(shifts.attrs.get("recent") or 0)
    tested = int(shifts.attrs.get("tested") or 0)
    parts = []
    for sid, s in shifts.head(5).iterrows():
        more_less = "less" if s["change"] < 0 else "more"
        parts.append(
            f"{_label(str(sid), titles=titles)} sold {abs(s['change']):.1%} {more_less} "
            f"({s['rate_after']:,.1f} {'an' if unit == 'hour' else 'a'} {unit} against {s['rate_before']:,.1f}; the step "
            f"about {pd.Timestamp(s['since']):%Y-%m-%d}) while all "
            f"other demand changed {s['total_change']:+.1%}"
        )
    more = f"; and {len(shifts) - 5} more" if len(shifts) > 5 else ""
    start = pd.Timestamp(shifts.attrs["start"])
    text = (
        f"{len(shifts)} series sold well apart from a year before in the last {r} {unit}s "
        f"(from {start:%Y-%m-%d}) against the same {unit}s a year earlier, beyond all other "
        f"demand: {'; '.join(parts)}{more}. The step is older than the recent weeks, so no "
        "recent level shift shows it; find out why: a competitor's price or opening, a "
        f"range, listing or price change (each series' share of all other demand, Welch t-test, "
        f"Bonferroni over {tested} series)."
    )
    evidence = _evidence(shifts, titles) | {"tested": tested, "recent": r, "unit": unit}
    severity = "high" if (shifts["relative_change"] <= -0.2).any() else "medium"
    return Finding(text, severity, evidence, name="year_shift")


def _evidence(shifts: pd.DataFrame, titles: Mapping[str, str] | None) -> dict[str, Any]:
    """The ten largest shifts' figures, and the titles of those that have one."""
    top = shifts.head(10)
    out: dict[str, Any] = {
        "series": [str(i) for i in top.index],
        "change": [round(float(v), 4) for v in top["change"]],
        "since": [f"{pd.Timestamp(v):%Y-%m-%d}" for v in top["since"]],
        "rate_before": [round(float(v), 2) for v in top["rate_before"]],
        "rate_after": [round(float(v), 2) for v in top["rate_after"]],
        "total_change": [round(float(v), 4) for v in top["total_change"]],
        "relative_change": [round(float(v), 4) for v in top["relative_change"]],
        "p_value": [float(f"{v:.3g}") for v in top["p_value"]],
    }
    if shown := {str(i): titles[str(i)] for i in top.index if titles and str(i) in titles}:
        out["titles"] = shown
    return out


def store_shifts(
    totals: pd.DataFrame | None,
    *,
    freq: str,
    end: pd.Timestamp | None = None,
    min_change: float = 0.1,
) -> pd.DataFrame:
    """Stores whose level shifted against the other stores: :func:`level_shifts` on
    :func:`~opsai.forecast.store_totals` (each store's demand, every item summed), the last
    half year against the half year before (:data:`STORE_WINDOW`) and the year before.
    Shorter data (six months of a coffee chain, byod12a D3) are read the last third against
    the two thirds before (``attrs["scaled"]``); under :data:`STORE_MIN` periods nothing is
    tested and ``attrs["short"]`` (periods held) and ``attrs["need"]`` say why.

    Chapter 04 sums the stores per item, so a store whose every department fell 40% moved no
    item's share (byod11b D5: Walmart's store 5 from 2012-03-02 went unnamed). Empty, with
    ``attrs["noun"] = "store"`` as every result, when ``totals`` is ``None`` (one store).
    ``end``: the last period read (the series' last whole period), later ones left out."""
    w = STORE_WINDOW.get(freq)
    if w is None:
        raise ConfigError(f"store_shifts: freq must be 'H', 'D', 'W' or 'M', got {freq!r}")
    if totals is not None and end is not None:
        totals = totals[totals[TIMESTAMP] <= end]
    n = 0 if totals is None else int(totals[TIMESTAMP].nunique())
    r, b = (w, w) if n >= 2 * w else (max(2, n // 3), n - max(2, n // 3))
    if totals is None or totals.empty or n < STORE_MIN[freq]:
        out = pd.DataFrame(columns=COLUMNS)
        out.attrs.update(tested=0, recent=r, before=b, end=None, year=False, stopped=[])
        if totals is not None and not totals.empty:  # stores, too few periods: said
            out.attrs.update(short=n, need=STORE_MIN[freq],
                             stores=int(totals[ITEM_ID].nunique()))  # fmt: skip
    else:
        ids = sorted(totals[ITEM_ID].astype(str).unique())
        out = level_shifts(totals, freq=freq, ids=ids, recent=r, before=b, min_change=min_change)
        out.attrs["scaled"] = n < 2 * w  # six months of data: the last third vs the rest
    out.attrs["noun"] = "store"
    return out


def _share(y: pd.Series, total: pd.Series) -> np.ndarray:
    """``y`` against all other demand (``total`` less ``y``) per period, NaN where the others
    sold nothing: the series' own move does not dilute its measure (byod10a D10)."""
    others = (total - y).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(others > 0, y.to_numpy(float) / np.where(others > 0, others, 1.0), np.nan)


def _usual_changes(
    s: np.ndarray, *, n: int, r: int, b: int, year: int, years: Sequence[int]
) -> np.ndarray:
    """The recent-against-before change of ``s`` at the same periods ``years`` years before:
    what the season does every year (N02BE's autumn: +30% each of five years, byod10a D10)."""
    out = []
    for j in years:
        sr = s[n - r - j * year : n - j * year]
        sb = s[n - r - b - j * year : n - r - j * year]
        sr, sb = sr[np.isfinite(sr)], sb[np.isfinite(sb)]
        if len(sr) and len(sb) and sb.mean() > 0:
            out.append(sr.mean() / sb.mean() - 1)
    return np.array(out, dtype=float)


def _stopped(wide: pd.DataFrame, keys: Sequence[str], freq: str) -> list[str]:
    """The series whose sales stopped abruptly (out of stock or delisted: chapter 04's
    ``sales_stopped`` test without stock data, :func:`opsai.inventory.censored_items`)."""
    from opsai.inventory.censoring import censored_items

    long = wide[list(keys)].rename_axis(columns=ITEM_ID).stack().rename(QUANTITY).reset_index()
    found = censored_items(long[[ITEM_ID, TIMESTAMP, QUANTITY]], None, freq=freq)
    return [str(k) for k in found[ITEM_ID]] if len(found) else []


def _label(sid: str, noun: str = "item", titles: Mapping[str, str] | None = None) -> str:
    if sid.startswith(CATEGORY_PREFIX):
        return f"category {sid.removeprefix(CATEGORY_PREFIX)}"
    return f"{noun} {titled(sid, titles) if noun == 'item' else sid}"


def level_shift_finding(
    shifts: pd.DataFrame, *, freq: str, titles: Mapping[str, str] | None = None
) -> Finding | None:
    """The series :func:`level_shifts` found, largest first (``None`` when none was tested).
    The stores of :func:`store_shifts` (``attrs["noun"]``) are named so ("store 5's sales
    fell 40.1% since ..."), in the finding ``store_level_shift``. ``titles``
    (:func:`~opsai.forecast.series.item_titles`) names items beside their ids ("item 1
    (Latte Rg)"), and the evidence's ``titles`` keeps those shown for 07's actions."""
    tested = int(shifts.attrs.get("tested", 0))
    noun = str(shifts.attrs.get("noun") or "item")
    name = "level_shift" if noun == "item" else f"{noun}_level_shift"
    series, others = (
        ("series", "all other demand") if noun == "item" else (f"{noun}s", f"the other {noun}s")
    )
    found = "series" if noun == "item" else noun + ("s" if len(shifts) > 1 else "")
    if not tested and shifts.attrs.get("alone"):  # one series: no other demand (byod11a D17)
        names = ", ".join(_label(str(k), titles=titles) for k in shifts.attrs.get("series", []))
        text = (
            f"Level shifts were not tested: each series is read against all other demand, and "
            f"{names} is the only series sold here (one item, or a SERIES_FILTER keeping one); "
            "its forecast follows its own level."
        )
        return Finding(text, "info", {"tested": 0, "series": []}, name="level_shift")
    unit = _UNIT[freq]
    if not tested and shifts.attrs.get("short"):  # stores, too short a history (byod12a D3)
        text = (
            f"The {shifts.attrs.get('stores')} stores were not compared with each other: their "
            f"sales cover {shifts.attrs['short']} {unit}s, and the test needs "
            f"{shifts.attrs['need']} (the last third against the two thirds before)."
        )
        evidence = {"tested": 0, "series": [], "noun": noun, "periods": shifts.attrs["short"]}
        return Finding(text, "info", evidence, name=name)
    if not tested:
        return None
    r, b = shifts.attrs.get("recent"), shifts.attrs.get("before")
    how = (
        f"the last {r} {unit}s against the {b} before"
        + (f" and the same {unit}s a year before" if shifts.attrs.get("year") else "")
        + (
            f", beyond their usual change in {yrs} earlier year(s)"
            if (yrs := int(shifts.attrs.get("years") or 0))
            else ""
        )
        + (
            ", the last third of the data against the two thirds before"
            if shifts.attrs.get("scaled")
            else ""
        )
        + f"; each {noun if noun != 'item' else 'series'} against {others}, Welch t-test, "
        f"Bonferroni over {tested} {series}"
        + (
            f"; left out as stopped: {', '.join(gone)}"
            if (gone := shifts.attrs.get("stopped"))
            else ""
        )
    )
    if shifts.empty:
        whose = "series'" if noun == "item" else f"{noun}'s"
        text = f"No {whose} level shifted significantly ({how})."
        return Finding(text, "info", {"tested": tested, "series": [], "noun": noun}, name=name)
    parts = []
    for sid, s in shifts.head(5).iterrows():
        verb = "fell" if s["change"] < 0 else "rose"
        yoy = (
            f", {s['change_vs_year']:+.1%} on a year before"
            if np.isfinite(s["change_vs_year"])
            else ""
        )
        parts.append(
            f"{_label(str(sid), noun, titles)}'s sales {verb} {abs(s['change']):.1%} since "
            f"{pd.Timestamp(s['since']):%Y-%m-%d} ({s['rate_after']:,.0f} {'an' if unit == 'hour' else 'a'} {unit} against "
            f"{s['rate_before']:,.0f} in the {b} {unit}s before{yoy}) while {others} changed "
            f"{s['total_change']:+.1%} over the same {unit}s"
        )
    more = f"; and {len(shifts) - 5} more" if len(shifts) > 5 else ""
    text = (
        f"The level of {len(shifts)} {found} shifted lately, beyond the business as a whole: "
        f"{'; '.join(parts)}{more} ({how}). Find out why: a competitor opening, a closure or "
        "refit, a lost customer, a range or price change; the forecasts follow the new level."
    )
    top = shifts.head(10)
    evidence = _evidence(shifts, titles) | {
        "change_vs_year": [
            round(float(v), 4) if np.isfinite(v) else None for v in top["change_vs_year"]
        ],
        "tested": tested,
        "unit": unit,
        "noun": noun,
    }
    severity = "high" if (shifts["relative_change"] <= -0.2).any() else "medium"
    return Finding(text, severity, evidence, name=name)
