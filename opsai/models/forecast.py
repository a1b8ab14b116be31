"""Chapter 4's saved models: the forecasting model chosen per series and the inventory policy.

The statistical forecasters are local (one small fit per series), so what is worth keeping is
the *choice*: which candidate won the backtest for each series, and each candidate's settings
(with the tuned parameters of the global models). :class:`SavedChoice` re-fits exactly that
choice on new history, without a new backtest; a series the run never saw gets the model that
was best overall. The inventory policy (safety stock, reorder point, EOQ per item, and the
settings behind them) is kept as a table.

Example:
    >>> save_forecasts(run_dir, auto=auto, freq="D", h=28, level=[80, 95],
    ...                series=hs.df, policy=policy[cols], service="cycle")   # doctest: +SKIP
    >>> saved = load_forecasts(run_dir)                                       # doctest: +SKIP
    >>> saved.forecaster().fit(new_df).predict(saved.h, level=saved.level)   # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from opsai.data.schema import TIMESTAMP
from opsai.errors import NotFittedError
from opsai.forecast.backtest import overall_best
from opsai.forecast.base import Forecaster
from opsai.forecast.ensemble import ENSEMBLE, AutoForecaster
from opsai.forecast.intermittent import ADIDA, TSB, AutoPattern, Croston
from opsai.forecast.ml import GlobalGBM
from opsai.forecast.models import DampedTrend, Naive, SeasonalNaive, Theta, WindowAverage
from opsai.forecast.neural import GlobalMLP
from opsai.forecast.pooled import PooledMLP
from opsai.models.store import BundleWriter, ModelStoreError, models_dir, open_bundle

CHAPTER = "04_demand_inventory"
TYPES: dict[str, type[Forecaster]] = {
    c.__name__: c
    for c in (Naive, SeasonalNaive, WindowAverage, Theta, DampedTrend, AutoPattern, Croston, TSB, ADIDA,
              GlobalGBM, GlobalMLP, PooledMLP)
}  # fmt: skip
"""Forecaster classes a saved spec may name; anything else is refused."""


class SavedChoice(AutoForecaster):
    """An :class:`AutoForecaster` whose per-series choice is given, not backtested.

    Args:
        models: the candidate forecasters (unfitted).
        choice: series id -> model name (a candidate's name or ``Ensemble``).
        fallback: the model for series missing from ``choice``.
        combos: combination name -> its member models (default: ``Ensemble``, the mean of
            every candidate).
        alias: column name in predictions (default ``Auto``).
    """

    def __init__(
        self,
        models: Sequence[Forecaster],
        *,
        choice: Mapping[str, str],
        fallback: str,
        combos: Mapping[str, Sequence[str]] | None = None,
        alias: str | None = None,
    ) -> None:
        super().__init__(models, alias=alias)
        self.choice = choice
        self.fallback = fallback
        self.combos = combos

    def _fit(self, df: pd.DataFrame) -> None:
        single = [m.name for m in self.models]
        combos = {ENSEMBLE: single} if self.combos is None else dict(self.combos)
        self.combos_ = {str(k): [str(n) for n in v] for k, v in combos.items()}
        names = {*single, *self.combos_}
        wanted = {*self.choice.values(), self.fallback}
        wanted |= {n for members in self.combos_.values() for n in members}
        bad = sorted(wanted - names)
        if bad:
            raise ModelStoreError(
                f"saved forecast choice names unknown model(s) {', '.join(bad)} "
                f"(candidates: {', '.join(sorted(names))})"
            )
        self.choice_ = {sid: str(self.choice.get(sid, self.fallback)) for sid in self.ids_}
        used = set(self.choice_.values())
        for cname in used & set(self.combos_):
            used |= set(self.combos_[cname])
        self.fitted_ = {m.name: m.fit(df, freq=self.freq_) for m in self.models if m.name in used}


@dataclass
class SavedForecasts:
    """What :func:`load_forecasts` returns."""

    specs: list[dict[str, Any]]
    choice: dict[str, str]
    fallback: str
    combos: dict[str, list[str]]
    freq: str
    h: int
    level: list[int]
    policy: pd.DataFrame | None
    settings: dict[str, Any]
    manifest: dict[str, Any]

    def models(self) -> list[Forecaster]:
        """Fresh (unfitted) candidates built from the saved specs.

        The local models calibrate their intervals on the chapter's ``CONFORMAL_WINDOWS``
        (``settings["conformal_windows"]``) when the run kept it, not on the windows the run's
        candidates used: a ``--fast`` run calibrates on 8, too few for a 95% band, and scoring
        takes no backtest that would need the speed.
        """
        cw = self.settings.get("conformal_windows")
        specs = self.specs
        if cw:
            specs = [
                {**s, "params": {**s["params"], "conformal_windows": int(cw)}}
                if "conformal_windows" in (s.get("params") or {})
                else s
                for s in specs
            ]
        return [_from_spec(s) for s in specs]

    def forecaster(self) -> SavedChoice:
        """The saved choice as an unfitted forecaster: ``fit(new_history).predict(h)``."""
        return SavedChoice(
            self.models(), choice=self.choice, fallback=self.fallback, combos=self.combos
        )


def _spec(model: Forecaster) -> dict[str, Any]:
    cls = type(model)
    if TYPES.get(cls.__name__) is not cls:
        raise ModelStoreError(
            f"save_forecasts: {cls.__name__} is not a forecaster opsai can save "
            f"(known: {', '.join(TYPES)})"
        )
    names = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    params = {p: getattr(model, p) for p in names if hasattr(model, p)}
    tuned = getattr(model, "best_params_", None)
    if tuned:  # keep what tuning found; the refit does not tune again
        params.update({k: v for k, v in tuned.items() if k in names})
        params["tune_trials"] = 0
    return {"name": model.name, "type": cls.__name__, "params": params}


def _from_spec(spec: Mapping[str, Any]) -> Forecaster:
    cls = TYPES.get(str(spec.get("type")))
    if cls is None:
        raise ModelStoreError(
            f"saved forecaster: unknown type {spec.get('type')!r} (known: {', '.join(TYPES)})"
        )
    try:
        return cls(**dict(spec.get("params") or {}))
    except TypeError as e:
        raise ModelStoreError(f"saved forecaster {spec.get('name')!r}: bad parameters ({e})") from e


def save_forecasts(
    output_dir: str | os.PathLike[str],
    *,
    auto: AutoForecaster,
    freq: str,
    h: int,
    level: Sequence[int] = (80, 95),
    series: pd.DataFrame | None = None,
    policy: pd.DataFrame | None = None,
    settings: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> Path:
    """Save the per-series model choice and the inventory policy into ``<output_dir>/models/04_demand_inventory``.

    Args:
        output_dir: the run folder.
        auto: the fitted :class:`AutoForecaster` of the chapter.
        freq: the chapter's frequency (``D``, ``W`` or ``M``).
        h: the forecast horizon in periods. level: interval levels.
        series: the history it was fitted on (for the data window).
        policy: the inventory policy table (one row per item).
        settings: other chapter settings kept beside them (service definition, reconciliation).
        metrics: the chosen model's backtest metrics, kept in the manifest.
    """
    if not hasattr(auto, "choice_"):
        raise NotFittedError("save_forecasts: the AutoForecaster is not fitted")
    fallback = overall_best(auto.metrics_, metric=auto.metric)
    combos = getattr(auto, "combos_", {})
    used = {*auto.choice_.values(), fallback}
    w = BundleWriter(models_dir(output_dir) / CHAPTER)
    w.json(
        "forecast",
        {
            "candidates": [_spec(m) for m in auto.models],
            "choice": auto.choice_,
            "fallback": fallback,
            "combos": {name: list(members) for name, members in combos.items() if name in used},
            "freq": freq,
            "h": int(h),
            "level": [int(x) for x in level],
            "settings": dict(settings or {}),
        },
    )
    if policy is not None:
        w.json("inventory_policy", policy.to_dict(orient="records"))
    window = (None, None)
    if series is not None and TIMESTAMP in series.columns:
        window = (series[TIMESTAMP].min(), series[TIMESTAMP].max())
    return w.finish(
        chapter=CHAPTER,
        metrics=dict(metrics or {}),
        data_window=window,
        info={"series": len(auto.choice_), "h": int(h), "freq": freq},
    )


def load_forecasts(run_dir: str | os.PathLike[str]) -> SavedForecasts:
    """Load (and verify) chapter 4's saved choice and policy from a run folder."""
    b = open_bundle(models_dir(run_dir) / CHAPTER)
    spec = b.json("forecast")
    policy = pd.DataFrame(b.json("inventory_policy")) if b.has("inventory_policy", "json") else None
    return SavedForecasts(
        specs=list(spec["candidates"]),
        choice={str(k): str(v) for k, v in spec["choice"].items()},
        fallback=str(spec["fallback"]),
        combos={str(k): [str(n) for n in v] for k, v in spec.get("combos", {}).items()},
        freq=str(spec["freq"]),
        h=int(spec["h"]),
        level=[int(x) for x in spec["level"]],
        policy=policy,
        settings=dict(spec.get("settings") or {}),
        manifest=b.manifest,
    )
