"""Combinations: the mean of several forecasters, and the best model per series on a backtest.

Example:
    >>> auto = AutoForecaster([Theta(), AutoPattern(), GlobalGBM()], h=28)  # doctest: +SKIP
    >>> auto.fit(df).predict(28, level=[80, 95])                           # doctest: +SKIP
    >>> auto.leaderboard_                                                   # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast.backtest import (
    CUTOFF,
    MODEL,
    cross_validation,
    evaluate,
    leaderboard,
    model_names,
    overall_best,
    select_best,
)
from opsai.forecast.base import Forecaster, check_level
from opsai.forecast.intermittent import ADIDA, TSB, AutoPattern, Croston, demand_pattern
from opsai.forecast.models import Naive, SeasonalNaive, WindowAverage

Bands = dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]]
ENSEMBLE = "Ensemble"
"""Name of the mean-of-candidates model that :class:`AutoForecaster` scores."""
COPY_MODELS = (Naive, SeasonalNaive)
"""Candidates that repeat the last period or season: not used for intermittent or lumpy series."""
INTERMITTENT_MODELS = (AutoPattern, Croston, TSB, ADIDA, WindowAverage)
"""Candidates that forecast a level of intermittent demand, used instead of :data:`COPY_MODELS`."""


class Ensemble(Forecaster):
    """The mean (or median) of its members' forecasts; bounds are averaged the same way
    (quantile averaging, "Vincentization").

    Args:
        models: member forecasters (unique names).
        combine: ``mean`` or ``median``.
        alias: column name in predictions (default ``Ensemble``).
    """

    def __init__(
        self,
        models: Sequence[Forecaster],
        *,
        combine: Literal["mean", "median"] = "mean",
        alias: str | None = None,
    ) -> None:
        self.models = models
        self.combine = combine
        self.alias = alias

    @property
    def name(self) -> str:
        return self.alias or "Ensemble"

    def _fit(self, df: pd.DataFrame) -> None:
        if not self.models:
            raise ConfigError("Ensemble needs at least one model in models=[...]")
        model_names(self.models)
        self.models_ = [m.fit(df, freq=self.freq_) for m in self.models]

    def _predict(
        self, h: int, level: list[int], X_future: pd.DataFrame | None
    ) -> tuple[dict[Any, np.ndarray], Bands]:
        agg = np.nanmedian if self.combine == "median" else np.nanmean
        fs = [m.predict(h, level=level or None, X_future=X_future) for m in self.models_]
        key = fs[0][[ITEM_ID, TIMESTAMP]]
        cols = {
            m.name: f.set_index([ITEM_ID, TIMESTAMP]) for m, f in zip(self.models_, fs, strict=True)
        }
        idx = pd.MultiIndex.from_frame(key)

        def stack(suffix: str) -> np.ndarray:
            return agg(
                np.column_stack([c.loc[idx, n + suffix].to_numpy() for n, c in cols.items()]),
                axis=1,
            )

        p = stack("")
        lo = {lv: stack(f"-lo-{lv}") for lv in level}
        hi = {lv: stack(f"-hi-{lv}") for lv in level}
        ids = key[ITEM_ID].to_numpy()
        point, bands = {}, {}
        for sid in self.ids_:
            sel = ids == sid
            point[sid] = p[sel]
            bands[sid] = {lv: (lo[lv][sel], hi[lv][sel]) for lv in level}
        return point, bands


class AutoForecaster(Forecaster):
    """Backtests its candidates on the training data, then uses the best one per series.

    ``fit`` runs :func:`~opsai.forecast.backtest.cross_validation` with ``n_windows`` windows of
    ``h`` periods, keeps the per-series winner on ``metric`` and refits every candidate that
    won somewhere on all the data. Nothing after the last training period is looked at.

    Args:
        models: candidate forecasters (unique names).
        h: backtest horizon (use the horizon you will predict).
        n_windows: backtest windows.
        metric: ``mase``, ``smape`` or ``wape``.
        season_length: ``m`` of MASE's scale.
        level: interval levels scored in the backtest.
        combine: also score the mean of all candidates (named ``Ensemble``) as a candidate,
            from the same backtest forecasts (no refits); ``"subsets"`` scores the mean of
            every subset of two or more candidates too (named ``mean(A, B)``), as the
            combination benchmarks of the M competitions do.
        select: ``series`` keeps the best candidate per series; ``global`` uses the one
            candidate (or combination) with the best mean metric over all series for every
            series — steadier when the backtest is one window (validation on the last ``h``
            periods of each series, e.g. M3).
        margin: keep the overall best model for a series unless its own winner beats it by
            more than this share of the metric (0 = always the series' winner); a few
            backtest windows are noisy, and shrinking toward the overall best guards against
            choosing by luck.
        alias: column name in predictions (default ``Auto``).
        skip: ``[ITEM_ID, TIMESTAMP]`` periods the backtest does not score (the closures
            :func:`~opsai.forecast.chapter.fill_closures` filled in: their amounts are not
            sales); the models still train on them.

    A series whose history is intermittent or lumpy (Syntetos-Boylan, see
    :func:`~opsai.forecast.intermittent.demand_pattern`) never gets a naive or seasonal naive
    forecast when an intermittent candidate (:data:`INTERMITTENT_MODELS`) is on offer: on a
    mostly-zero series such a copy wins a few backtest windows by luck (MASE favours zeros)
    and repeats which days happened to sell; the intermittent candidate with the best
    backtest takes its place.

    Attributes:
        cv_: the backtest frame.
        metrics_: per series and model accuracy.
        leaderboard_: per model accuracy.
        choice_: series id -> chosen model name.
    """

    def __init__(
        self,
        models: Sequence[Forecaster],
        *,
        h: int = 28,
        n_windows: int = 3,
        metric: Literal["mase", "smape", "wape"] = "mase",
        season_length: int = 7,
        level: Sequence[int] | None = (80, 95),
        combine: bool | Literal["subsets"] = True,
        select: Literal["series", "global"] = "series",
        margin: float = 0.0,
        alias: str | None = None,
        skip: pd.DataFrame | None = None,
    ) -> None:
        self.models = models
        self.h = h
        self.n_windows = n_windows
        self.metric = metric
        self.season_length = season_length
        self.level = level
        self.combine = combine
        self.select = select
        self.margin = margin
        self.alias = alias
        self.skip = skip

    @property
    def name(self) -> str:
        return self.alias or "Auto"

    def _fit(self, df: pd.DataFrame) -> None:
        names = model_names(self.models)
        if self.select not in ("series", "global"):
            raise ConfigError(f"select must be 'series' or 'global', got {self.select!r}")
        self.combos_ = _combinations(names, self.combine) if len(names) > 1 else {}
        cv = cross_validation(
            self.models, df, h=self.h, n_windows=self.n_windows, level=self.level, freq=self.freq_
        )
        for cname, members in self.combos_.items():
            cv = _add_mean(cv, members, cname, check_level(self.level))
        names = [*names, *self.combos_]
        self.cv_ = cv
        scored = cv
        if self.skip is not None and len(self.skip):
            keys = self.skip[[ITEM_ID, TIMESTAMP]].astype({ITEM_ID: str}).drop_duplicates()
            hit = cv[[ITEM_ID, TIMESTAMP]].merge(keys, how="left", indicator=True)["_merge"]
            scored = cv[(hit == "left_only").to_numpy()]
        self.metrics_ = evaluate(scored, df, season_length=self.season_length, models=names)
        self.leaderboard_ = leaderboard(self.metrics_, sort_by=self.metric)
        choice = select_best(self.metrics_, metric=self.metric)
        fallback = overall_best(self.metrics_, metric=self.metric)
        if self.select == "global":
            choice = pd.Series(fallback, index=list(choice.index))
        if self.margin > 0:
            score = self.metrics_.pivot(index=ITEM_ID, columns="model", values=self.metric)
            for sid, name in choice.items():
                own, glob = score.at[sid, name], score.at[sid, fallback]
                if np.isfinite(own) and np.isfinite(glob) and not own < (1 - self.margin) * glob:
                    choice[sid] = fallback
        self.choice_ = {sid: str(choice.get(sid, fallback)) for sid in self.ids_}
        self._no_copies_of_intermittent()
        used = set(self.choice_.values())
        for cname in used & set(self.combos_):
            used |= set(self.combos_[cname])
        self.fitted_ = {m.name: m.fit(df, freq=self.freq_) for m in self.models if m.name in used}

    def _no_copies_of_intermittent(self) -> None:
        """Intermittent and lumpy series chosen a naive copy get the best intermittent model."""
        copies = {m.name for m in self.models if isinstance(m, COPY_MODELS)}
        pool = [m.name for m in self.models if isinstance(m, INTERMITTENT_MODELS)]
        if not copies or not pool:
            return
        scored = self.metrics_[self.metrics_[MODEL].isin(pool)]
        ranked = scored.sort_values([self.metric, "mae"], na_position="last", kind="stable")
        best = ranked.drop_duplicates(ITEM_ID).set_index(ITEM_ID)[MODEL]
        for sid, name in self.choice_.items():
            if name in copies and demand_pattern(self.y_[sid]) in ("intermittent", "lumpy"):
                self.choice_[sid] = str(best.get(sid, pool[0]))

    @property
    def backtest_(self) -> pd.DataFrame:
        """The backtest of the per-series choice, under this model's name.

        Optimistic: the choice was made on these same windows.
        """
        cv = self.cv_
        pick = cv[ITEM_ID].map(self.choice_)
        out = cv[[ITEM_ID, TIMESTAMP, CUTOFF, QUANTITY]].copy()
        suffixes = [""] + [f"-{s}-{lv}" for lv in check_level(self.level) for s in ("lo", "hi")]
        for suf in suffixes:
            out[self.name + suf] = np.nan
            for name in pick.unique():
                rows = pick == name
                out.loc[rows, self.name + suf] = cv.loc[rows, name + suf]
        return out

    def _predict(
        self, h: int, level: list[int], X_future: pd.DataFrame | None
    ) -> tuple[dict[Any, np.ndarray], Bands]:
        fcs = [m.predict(h, level=level or None, X_future=X_future) for m in self.fitted_.values()]
        f = fcs[0]
        for other in fcs[1:]:
            f = f.merge(other, on=[ITEM_ID, TIMESTAMP])
        for cname in set(self.choice_.values()) & set(self.combos_):
            f = _add_mean(f, self.combos_[cname], cname, level)
        point: dict[Any, np.ndarray] = {}
        bands: Bands = {}
        for sid, g in f.groupby(ITEM_ID, sort=False):
            name = self.choice_[sid]
            point[sid] = g[name].to_numpy()
            bands[sid] = {
                lv: (g[f"{name}-lo-{lv}"].to_numpy(), g[f"{name}-hi-{lv}"].to_numpy())
                for lv in level
            }
        return point, bands


def _combinations(names: list[str], combine: bool | str) -> dict[str, list[str]]:
    """Combination name -> its members: ``Ensemble`` (all), and with ``subsets`` every subset
    of two or more."""
    if combine not in (True, False, "subsets"):
        raise ConfigError(f"combine must be True, False or 'subsets', got {combine!r}")
    if not combine:
        return {}
    if ENSEMBLE in names:
        raise ConfigError(f"a candidate is named {ENSEMBLE!r}; rename it or set combine=False")
    out: dict[str, list[str]] = {}
    if combine == "subsets":
        from itertools import combinations

        for k in range(2, len(names)):
            for sub in combinations(names, k):
                out[f"mean({', '.join(sub)})"] = list(sub)
    out[ENSEMBLE] = list(names)
    return out


def _add_mean(
    frame: pd.DataFrame, names: Sequence[str], alias: str, level: Sequence[int]
) -> pd.DataFrame:
    """Add ``alias`` (and its bounds) as the mean of the ``names`` columns."""
    out = frame.copy()
    out[alias] = out[list(names)].mean(axis=1)
    for lv in level:
        for side in ("lo", "hi"):
            out[f"{alias}-{side}-{lv}"] = out[[f"{n}-{side}-{lv}" for n in names]].mean(axis=1)
    return out
