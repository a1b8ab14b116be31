"""Rolling-origin backtests, accuracy tables and the best model per series.

:func:`cross_validation` refits every model at ``n_windows`` cutoffs and forecasts the next
``h`` periods (statsforecast's ``cross_validation`` layout: one row per series, period and
cutoff, one column per model). :func:`evaluate` scores each series and model,
:func:`leaderboard` sums that up per model (and per hierarchy level), :func:`select_best`
picks the model per series on the backtest only.

Example:
    >>> cv = cross_validation([Theta(), SeasonalNaive()], df, h=28, n_windows=3)  # doctest: +SKIP
    >>> leaderboard(evaluate(cv, df, season_length=7))                            # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, SchemaError
from opsai.forecast.base import Forecaster, check_level, infer_freq, positions
from opsai.forecast.metrics import mase_scale

CUTOFF = "cutoff"
"""Column of a backtest frame: the last training period of the window."""
MODEL = "model"
METRICS = ("mase", "smape", "wape", "bias")


def model_names(models: Sequence[Forecaster]) -> list[str]:
    names = [m.name for m in models]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(
            f"model names must be unique, got {dup} more than once. Set alias= on those models"
        )
    return names


MIN_TRAIN = 8
"""Periods a series needs before a backtest cutoff to take part in that window."""


def cutoffs(
    df: pd.DataFrame, *, h: int, n_windows: int, step: int | None = None
) -> list[pd.Timestamp]:
    """The ``n_windows`` cutoffs, oldest first, the last one ``h`` periods before the end."""
    ts = np.sort(df[TIMESTAMP].unique())
    step = h if step is None else int(step)
    pos = [len(ts) - 1 - h - k * step for k in range(n_windows)][::-1]
    if pos[0] < 1:
        raise ConfigError(
            f"{n_windows} windows of h={h} (step {step}) need more than "
            f"{h + (n_windows - 1) * step + 1} periods, the data has {len(ts)}. Lower n_windows "
            "or h (in the report: N_WINDOWS or HORIZON under "
            "chapters.04_demand_inventory.parameters)"
        )
    return [pd.Timestamp(ts[p]) for p in pos]


def cross_validation(
    models: Sequence[Forecaster],
    df: pd.DataFrame,
    *,
    h: int,
    n_windows: int = 3,
    step: int | None = None,
    level: Sequence[int] | None = (80, 95),
    freq: str | None = None,
    min_train: int = MIN_TRAIN,
) -> pd.DataFrame:
    """Refit every model at each cutoff and forecast the next ``h`` periods.

    Exogenous columns of the test periods (e.g. a planned promotion calendar) are passed to
    the models as ``X_future``; the target of those periods is never shown to them, and the
    global models read only the regressors known in advance from it
    (:func:`opsai.forecast.ml.known_in_advance`).

    Args:
        models: forecasters (unique names).
        df: long frame ``[ITEM_ID, TIMESTAMP, QUANTITY, ...]``.
        h: horizon in periods.
        n_windows: number of cutoffs.
        step: periods between cutoffs (default ``h``).
        level: interval levels in percent.
        freq: pandas frequency (inferred when ``None``).
        min_train: series with fewer training periods at a cutoff sit that window out.

    Returns:
        ``[ITEM_ID, TIMESTAMP, CUTOFF, QUANTITY, <model>, <model>-lo-<lv>, ...]``.
    """
    names = model_names(models)
    if not {ITEM_ID, TIMESTAMP, QUANTITY} <= set(df.columns):
        raise SchemaError(f"cross_validation: df needs {ITEM_ID}, {TIMESTAMP}, {QUANTITY}")
    df = df.assign(**{ITEM_ID: df[ITEM_ID].astype(str), TIMESTAMP: pd.to_datetime(df[TIMESTAMP])})
    freq = freq or infer_freq(df[TIMESTAMP])
    off = pd.tseries.frequencies.to_offset(freq)
    lv = check_level(level)
    out = []
    for cut in cutoffs(df, h=h, n_windows=n_windows, step=step):
        train = df[df[TIMESTAMP] <= cut]
        sizes = train.groupby(ITEM_ID).size()
        train = train[train[ITEM_ID].isin(sizes[sizes >= min_train].index)]
        test = df[(df[TIMESTAMP] > cut) & (df[TIMESTAMP] <= cut + h * off)]
        if train.empty:
            continue
        test = test[test[ITEM_ID].isin(train[ITEM_ID].unique())]
        frame = test[[ITEM_ID, TIMESTAMP, QUANTITY]].assign(**{CUTOFF: cut})
        for m, name in zip(models, names, strict=True):
            f = m.fit(train, freq=freq).predict(h, level=lv or None, X_future=test)
            frame = frame.merge(f, on=[ITEM_ID, TIMESTAMP], how="left")
            if frame[name].isna().any():
                raise SchemaError(f"{name}: forecasts do not cover the test periods at {cut}")
        out.append(frame)
    if not out:
        raise ConfigError(
            f"cross_validation: no series has {min_train} training periods at any of the "
            f"{n_windows} cutoffs (h={h}). Lower n_windows or h (in the report: N_WINDOWS or "
            "HORIZON under chapters.04_demand_inventory.parameters), or give longer series"
        )
    cols = [ITEM_ID, TIMESTAMP, CUTOFF, QUANTITY]
    res = pd.concat(out, ignore_index=True)
    return res[cols + [c for c in res.columns if c not in cols]]


def evaluate(
    cv: pd.DataFrame,
    df: pd.DataFrame,
    *,
    season_length: int = 1,
    models: Sequence[str] | None = None,
    level: Sequence[int] | None = (80, 95),
) -> pd.DataFrame:
    """Accuracy per series and model, over every window of a backtest.

    MASE scales each window's errors by the seasonal-naive error of the data up to its cutoff.

    Args:
        cv: output of :func:`cross_validation`.
        df: the series the backtest ran on (for MASE's scale).
        season_length: ``m`` of MASE's seasonal naive.
        models: model columns to score (default every point column of ``cv``).
        level: interval levels to report coverage for (those present in ``cv``).

    Returns:
        ``[ITEM_ID, MODEL, mase, smape, wape, bias, mae, coverage_<lv>...]`` one row per pair.
        ``mase`` is NaN where the history up to a cutoff is constant (its naive error is 0);
        ``mae`` still ranks the models of such a series (see :func:`select_best`).
    """
    names = list(models) if models is not None else _point_columns(cv)
    scale = _scales(cv, df, season_length)
    y = cv[QUANTITY].to_numpy(dtype=float)
    rows = []
    for name in names:
        f = cv[name].to_numpy(dtype=float)
        err = np.abs(y - f)
        den = np.abs(y) + np.abs(f)
        with np.errstate(divide="ignore", invalid="ignore"):
            part = pd.DataFrame(
                {
                    ITEM_ID: cv[ITEM_ID].to_numpy(),
                    "ae": err,
                    "se": err / scale,
                    "sm": np.where(den == 0, 0.0, 200 * err / den),
                    "e": f - y,
                    "y": np.abs(y),
                }
            )
        for lv in check_level(level):
            lo, hi = f"{name}-lo-{lv}", f"{name}-hi-{lv}"
            if lo in cv:
                part[f"coverage_{lv}"] = ((y >= cv[lo]) & (y <= cv[hi])).to_numpy(dtype=float)
        g = part.groupby(ITEM_ID, sort=False)
        res = pd.DataFrame(
            {
                "mase": g["se"].mean(),
                "smape": g["sm"].mean(),
                "wape": g["ae"].sum() / g["y"].sum().replace(0, np.nan),
                "bias": g["e"].sum() / g["y"].sum().replace(0, np.nan),
                "mae": g["ae"].mean(),
            }
        )
        for c in part.columns:
            if c.startswith("coverage_"):
                res[c] = g[c].mean()
        rows.append(res.reset_index().assign(**{MODEL: name}))
    out = pd.concat(rows, ignore_index=True)
    cols = [ITEM_ID, MODEL, *METRICS]
    return out[cols + [c for c in out.columns if c not in cols]]


def _point_columns(cv: pd.DataFrame) -> list[str]:
    skip = {ITEM_ID, TIMESTAMP, CUTOFF, QUANTITY}
    return [c for c in cv.columns if c not in skip and "-lo-" not in c and "-hi-" not in c]


def _scales(cv: pd.DataFrame, df: pd.DataFrame, m: int) -> np.ndarray:
    keys = cv[[ITEM_ID, CUTOFF]].drop_duplicates()
    rows = dict(positions(df[ITEM_ID]))  # row positions per series (no pandas group per key)
    ts, y = df[TIMESTAMP].to_numpy(), df[QUANTITY].to_numpy()
    vals = {}
    for sid, cut in keys.itertuples(index=False):
        at = rows[sid]
        vals[(sid, cut)] = mase_scale(y[at][ts[at] <= cut], m)
    return np.array([vals[k] for k in zip(cv[ITEM_ID], cv[CUTOFF], strict=True)])


def series_level(ids: pd.Series, tags: dict[str, list[str]]) -> pd.Series:
    """The hierarchy level (a key of ``tags``) of each series id; NaN for an id in none."""
    name = {str(sid): lvl for lvl, members in tags.items() for sid in members}
    return ids.astype(str).map(name)


def in_band(cv: pd.DataFrame, model: str, level: int) -> pd.Series:
    """Whether each backtest actual lies inside ``model``'s ``level``% interval."""
    return (cv[QUANTITY] >= cv[f"{model}-lo-{level}"]) & (cv[QUANTITY] <= cv[f"{model}-hi-{level}"])


def leaderboard(
    metrics: pd.DataFrame, *, tags: dict[str, list[str]] | None = None, sort_by: str = "mase"
) -> pd.DataFrame:
    """Mean of each metric per model (and per hierarchy level when ``tags`` is given).

    MASE and sMAPE are averaged over series (NaN MASE of constant series skipped); WAPE and
    bias are averaged over series too, so a large series does not hide the small ones.
    """
    m = metrics
    by = [MODEL]
    if tags:
        m = m.assign(level=series_level(m[ITEM_ID], tags))
        by = ["level", MODEL]
    num = [c for c in m.columns if c in METRICS or c.startswith("coverage_")]
    out = m.groupby(by, sort=False)[num].mean().reset_index()
    out["series"] = m.groupby(by, sort=False).size().to_numpy()
    return out.sort_values([*by[:-1], sort_by]).reset_index(drop=True)


def overall_best(metrics: pd.DataFrame, *, metric: str = "mase") -> str:
    """The model with the lowest mean ``metric`` over series (NaN skipped).

    Where ``metric`` is NaN for every series (MASE of constant series), sMAPE decides, then
    the order of the models.
    """
    for col in dict.fromkeys((metric, "smape", "wape")):
        if col in metrics:
            mean = metrics.groupby(MODEL, sort=False)[col].mean()
            if mean.notna().any():
                return str(mean.idxmin())
    return str(metrics[MODEL].iloc[0])


def select_best(metrics: pd.DataFrame, *, metric: str = "mase") -> pd.Series:
    """The model with the lowest ``metric`` per series.

    A series whose ``metric`` is NaN for every model (MASE of a constant history, WAPE of an
    all-zero one) is ranked by its mean absolute error; ties go to the overall best model
    (:func:`overall_best`), which also fills series with no score at all.
    """
    if metric not in ("mase", "smape", "wape") or metric not in metrics:
        raise ConfigError(f"metric must be one of 'mase', 'smape', 'wape', got {metric!r}")
    overall = overall_best(metrics, metric=metric)
    first = metrics[MODEL] == overall  # the overall best first, so ties go to it
    m = pd.concat([metrics[first], metrics[~first]], ignore_index=True)
    ok = m.dropna(subset=[metric])
    best = ok.loc[ok.groupby(ITEM_ID, sort=False)[metric].idxmin(), [ITEM_ID, MODEL]]
    if "mae" in m:
        rest = m[~m[ITEM_ID].isin(best[ITEM_ID])].dropna(subset=["mae"])
        if len(rest):
            extra = rest.loc[rest.groupby(ITEM_ID, sort=False)["mae"].idxmin(), [ITEM_ID, MODEL]]
            best = pd.concat([best, extra], ignore_index=True)
    best = best.set_index(ITEM_ID)[MODEL]
    ids = metrics[ITEM_ID].unique()
    return best.reindex(ids).fillna(overall).rename(MODEL)
