"""Demand drivers: the demand table's own numeric attributes (a weather code, the temperature,
a flag) measured against daily demand, the calendar held fixed (byod13a D9: UCI Bike
Sharing's weathersit 3 days rented 47% less than clear ones, and no finding said the forecast
left the weather out).

Each attribute is read per day (the mean of a continuous one, the most frequent value of a
code) and fitted by least squares with the day's log demand against month and weekday
(``log y ~ month + weekday + attribute``, event days left out): a code's level against its
most frequent level, a continuous attribute per standard deviation, each with a 95% interval.
Attributes the calendar already tells (a year, a month, a season, a working-day flag, a row
number, the hour of the day) are left out: the chapter measures the calendar itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import AMOUNT, QUANTITY, TIMESTAMP
from opsai.report.finding import Finding

MAX_CODES = 10
"""An integer attribute with at most this many values is a code (weathersit 1-4, a 0/1 flag):
measured per level; more values make it continuous."""
MIN_LEVEL_DAYS = 5
"""Days a code's level needs to be measured."""
CALENDAR_R2 = 0.99
"""An attribute whose daily value month and weekday explain to this share (R²) is the
calendar (year, month, working day, a row number), which the chapter measures already."""
MATERIAL = 0.2
"""An effect this large (±20%) whose interval excludes 0 makes the finding ``medium``."""
SAME = 0.95
"""An attribute correlated this much with the day totals is the demand itself (a total column
kept beside the series, UCI's cnt), no driver."""
_Z = 1.96


def _dummies(days: pd.DatetimeIndex) -> np.ndarray:
    """Month (year-month) and weekday indicators of ``days``, one level of each dropped but
    for the intercept the months carry."""
    month = pd.get_dummies(days.to_period("M").astype(str), dtype=float)
    week = pd.get_dummies(days.day_of_week, dtype=float).iloc[:, 1:]
    return np.hstack([month.to_numpy(), week.to_numpy()])


def _ols(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Least-squares coefficients, their standard errors and R² of ``y`` on ``x``."""
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    res = y - x @ beta
    dof = max(len(y) - np.linalg.matrix_rank(x), 1)
    cov = float(res @ res) / dof * np.linalg.pinv(x.T @ x)
    tss = float(((y - y.mean()) ** 2).sum())
    r2 = 1.0 - float(res @ res) / tss if tss > 0 else 1.0
    return beta, np.sqrt(np.clip(np.diag(cov), 0, None)), r2


def daily_attributes(
    ws: Any, where: Mapping[str, Sequence[str]] | None = None
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The demand table's day totals (column ``__y``) beside each numeric attribute of its rows
    that is no contract column, per day (a code's most frequent value, else the mean), and
    each attribute's kind (``code`` or ``continuous``). Attributes that are one value per
    hour of the day (``hr``) are left out. Empty without such attributes."""
    from opsai.data.schema import TABLES
    from opsai.forecast.series import _filtered

    if not ws.has("demand"):
        return pd.DataFrame(), {}
    t = _filtered(ws.table("demand"), {k: v for k, v in (where or {}).items()
                                       if not k.startswith("items.")}, "demand")  # fmt: skip
    size = QUANTITY if QUANTITY in t.columns else AMOUNT if AMOUNT in t.columns else None
    cols = [c for c in t.columns if c not in TABLES["demand"].names
            and (t[c].type().is_numeric() or t[c].type().is_boolean())]  # fmt: skip
    if size is None or not cols or TIMESTAMP not in t.columns:
        return pd.DataFrame(), {}
    t = t.mutate({c: t[c].cast("float64") for c in cols})
    day, hour = t[TIMESTAMP].truncate("D").cast("timestamp"), t[TIMESTAMP].hour()
    aggs: dict[str, Any] = {"__hours": hour.nunique()}
    for k, c in enumerate(cols):
        aggs[f"n{k}"] = t[c].nunique()
        aggs[f"i{k}"] = (t[c] == t[c].round()).all()
        aggs[f"h{k}"] = (hour.cast("string") + "|" + t[c].cast("string")).nunique()
    r = t.aggregate(**aggs).to_pandas().iloc[0]
    hours = int(r["__hours"])
    kinds: dict[str, str] = {}
    for k, c in enumerate(cols):
        n = int(r[f"n{k}"])
        if n < 2 or (hours > 1 and int(r[f"h{k}"]) <= hours):  # constant; the hour of day
            continue
        kinds[c] = "code" if bool(r[f"i{k}"]) and n <= MAX_CODES else "continuous"
    if not kinds:
        return pd.DataFrame(), {}
    means = [c for c, v in kinds.items() if v == "continuous"]
    got = (
        t.group_by(day.name("day"))
        .aggregate(__y=t[size].sum(), **{c: t[c].mean() for c in means})
        .to_pandas()
    )
    out = got.set_index(pd.to_datetime(got["day"]).astype("datetime64[ns]")).drop(columns="day")
    for c in [c for c, v in kinds.items() if v == "code"]:
        n = t.group_by([day.name("day"), t[c].name("v")]).aggregate(n=t.count()).to_pandas()
        n = n.sort_values(["day", "n", "v"], ascending=[True, False, True]).drop_duplicates("day")
        out[c] = n.set_index(pd.to_datetime(n["day"]).astype("datetime64[ns]"))["v"]
    return out.sort_index(), kinds


def driver_effects(
    daily: pd.DataFrame, kinds: Mapping[str, str], *, events: pd.Series | None = None
) -> pd.DataFrame:
    """Each attribute's effect on daily demand with month and weekday held fixed (``daily``,
    ``kinds``: :func:`daily_attributes`; ``events``: the event days, left out: day -> label): one row
    per code level against the code's most frequent level, one per continuous attribute per
    standard deviation. Columns ``attribute, level, kind, days, effect, low, high, mean,
    base_mean, corr, step``: ``effect`` the relative change (-0.41: 41% less) and its 95%
    interval, ``mean`` the level's mean day and ``base_mean`` the reference level's (codes),
    ``corr`` the attribute's correlation with the day totals and ``step`` one standard
    deviation (continuous). Attributes the calendar explains (R² >= :data:`CALENDAR_R2`) are
    left out; ``attrs["calendar"]`` names them, ``attrs["totals"]`` those that are the day totals
    themselves (a kept total column)."""
    if "__y" not in daily:  # no attribute to test (daily_attributes found none)
        daily = pd.DataFrame({"__y": pd.Series(dtype=float)})
    skip = events.index if events is not None else []
    d = daily[(daily["__y"] > 0) & ~daily.index.isin(skip)]
    rows: list[dict[str, Any]] = []
    calendar: list[str] = []
    totals: list[str] = []
    if len(d) < 28:
        out = pd.DataFrame(rows)
        out.attrs.update(calendar=calendar, totals=totals)
        return out
    fe, y = _dummies(pd.DatetimeIndex(d.index)), np.log(d["__y"].to_numpy(float))
    for c, kind in kinds.items():
        x = d[c]
        ok = x.notna().to_numpy()
        if ok.sum() < 28 or _ols(fe[ok], x[ok].to_numpy(float))[2] >= CALENDAR_R2:
            calendar.append(c)
            continue
        xs, ys, base = x[ok], y[ok], fe[ok]
        if abs(float(np.corrcoef(xs, d.loc[ok, "__y"])[0, 1])) >= SAME:
            totals.append(c)
            continue
        if kind == "code":
            counts = xs.value_counts()
            levels = [v for v in counts.index[1:] if counts[v] >= MIN_LEVEL_DAYS]
            if not levels:
                continue
            ref = counts.index[0]
            terms = np.column_stack([(xs == v).to_numpy(float) for v in levels])
            beta, se, _ = _ols(np.hstack([base, terms]), ys)
            raw = d.loc[ok, "__y"].groupby(xs.to_numpy()).mean()
            for j, v in enumerate(levels):
                b, s = beta[base.shape[1] + j], se[base.shape[1] + j]
                rows.append({"attribute": c, "level": _level(v), "reference": _level(ref),
                             "kind": kind, "days": int(counts[v]), "effect": np.expm1(b),
                             "low": np.expm1(b - _Z * s), "high": np.expm1(b + _Z * s),
                             "mean": float(raw[v]), "base_mean": float(raw[ref])})  # fmt: skip
        else:
            sd = float(xs.std())
            beta, se, _ = _ols(np.hstack([base, ((xs - xs.mean()) / sd).to_numpy()[:, None]]), ys)
            b, s = beta[-1], se[-1]
            rows.append({"attribute": c, "level": "", "kind": kind, "days": int(ok.sum()),
                         "effect": np.expm1(b), "low": np.expm1(b - _Z * s),
                         "high": np.expm1(b + _Z * s), "step": sd,
                         "corr": float(np.corrcoef(xs, d.loc[ok, "__y"])[0, 1])})  # fmt: skip
    out = pd.DataFrame(rows)
    out.attrs.update(calendar=calendar, totals=totals)
    return out


def _level(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _number(v: float) -> str:
    return f"{v:,.1f}" if abs(v) < 1000 else f"{v:,.0f}"


def driver_finding(effects: pd.DataFrame, *, noun: str = "units") -> Finding | None:
    """Which of the demand table's attributes move daily demand (:func:`driver_effects`):
    those whose 95% interval excludes no change, largest first, and that the forecasts do not
    take them. ``medium`` when one moves demand by :data:`MATERIAL` or more; ``None``
    without attributes measured."""
    if effects.empty:
        return None
    sig = effects[(effects["low"] > 0) | (effects["high"] < 0)]
    sig = sig.reindex(sig["effect"].abs().sort_values(ascending=False).index)
    parts = []
    for r in sig.head(6).itertuples():
        span = f"95% interval {r.low:+.0%} to {r.high:+.0%}"
        if r.kind == "code":
            parts.append(
                f"{r.attribute} {r.level} {r.effect:+.0%} against {r.attribute} {r.reference} "
                f"({span}; {r.days} days, {_number(r.mean)} {noun} a day against "
                f"{_number(r.base_mean)})"
            )
        else:
            parts.append(
                f"{r.attribute} {r.effect:+.0%} per standard deviation ({r.step:.3g}; {span}; "
                f"correlation with the day's total {r.corr:.2f})"
            )
    flat = sorted(set(effects["attribute"]) - set(sig["attribute"]))
    calendar = list(effects.attrs.get("calendar", []))
    head = "Attributes of the demand rows move daily demand, the same month and weekday compared"
    text = (
        f"{head} (event days left out): {'; '.join(parts)}."
        if parts
        else f"No attribute of the demand rows moves daily demand beyond chance, the same month "
        f"and weekday compared (measured: {', '.join(flat)})."
    )
    if parts and flat:
        text += f" No effect beyond chance: {', '.join(flat)}."
    if totals := list(effects.attrs.get("totals", [])):
        text += f" Left out as the demand itself (correlation with the day's total >= {SAME}): {', '.join(totals)}."
    if calendar:
        text += f" Left out as the calendar (month and weekday tell them): {', '.join(calendar)}."
    if parts:
        text += (
            " The forecasts do not take these attributes (nor a forecast of them, a weather "
            "forecast): their errors are largest on the days they are unusual; plan those days "
            "by the effects above."
        )
    material = bool((sig["effect"].abs() >= MATERIAL).any())
    shown = [
        {k: round(float(v), 4) if isinstance(v, float) else v for k, v in r.items() if v == v}
        for r in sig.to_dict("records")
    ]  # NaN (v != v): a code's corr, a continuous attribute's level means
    evidence = {
        "effects": shown,
        "no_effect": flat,
        "calendar": calendar,
        "totals": list(effects.attrs.get("totals", [])),
        "used_by_forecast": False,
    }
    return Finding(text, "medium" if material else "info", evidence, name="demand_drivers")
