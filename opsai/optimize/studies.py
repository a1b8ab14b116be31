"""The chapters' tuning studies, so ``opsai tune`` can run or resume them outside the report.

Each chapter that tunes a model registers a builder: from a workspace opened on the config
and the chapter's parameters in that config, it rebuilds the data split the chapter's
notebook uses and returns one :class:`StudySpec` per model — the same search space and
validation metric as the chapter, with the library defaults to enqueue as trial 0. Iterative
models report intermediate scores so the pruner can stop bad trials early (churn gradient
boosting per stage of trees, the churn MLP per epoch).

Study names are ``<chapter stem>.<model>.s<seed>`` (``.fast`` appended for ``fast``), in a
journal file ``<config folder>/.opsai/studies.log`` unless another storage is given.

Example:
    >>> results = run_chapter("configs/demo.yaml", "behavior", n_trials=30)  # doctest: +SKIP
    >>> results[0].summary["metrics"]["gain"]                                 # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import optuna

from opsai.config import Config, load_config
from opsai.errors import ChapterError, ConfigError
from opsai.optimize.tuning import WORKER_ATTR, Objective, summarize_study, tune, worker_id


@dataclass(frozen=True)
class StudySpec:
    """One model's study: objective, direction, default parameters and what is measured."""

    objective: Objective
    direction: Literal["minimize", "maximize"]
    defaults: dict[str, Any]
    metric: str


Builder = Callable[[Any, Mapping[str, Any], Sequence[str], int, bool], dict[str, StudySpec]]


@dataclass(frozen=True)
class ChapterStudies:
    """A chapter's tunable models and what its builder needs."""

    stem: str
    short: str
    models: tuple[str, ...]
    needs: tuple[tuple[str, ...], ...]
    """Alternatives of tables: each inner tuple lists tables of which at least one is needed."""
    builder: Builder = field(repr=False)


# ---- 03a user behaviour: churn gradient boosting and MLP ------------------------------------


def _behavior(
    ws: Any, p: Mapping[str, Any], models: Sequence[str], seed: int, fast: bool
) -> dict[str, StudySpec]:
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    from opsai.behavior import feature_columns, model_attributes, snapshots, still_active
    from opsai.behavior.churn_model import DEFAULTS, make_objective

    events = ws.table("events") if ws.has("events") else None
    orders, horizon = ws.table("orders"), int(p.get("HORIZON_DAYS", 90))
    users, _, _ = model_attributes(  # as the chapter: what records the outcome is left out
        orders, events, ws.to_pandas("users") if ws.has("users") else None, horizon_days=horizon
    )
    train, _ = snapshots(orders, horizon_days=horizon, events=events, users=users)
    train = train[still_active(train, horizon_days=horizon)]  # as the chapter: the lapsed are out
    cols = feature_columns(train)
    y = train["churned"].to_numpy().astype(int)
    if len(np.unique(y)) < 2:
        raise ChapterError(
            "03a_user_behavior: the churn label has one class only; "
            "change HORIZON_DAYS in the config's chapter parameters"
        )
    # as ChurnModel.fit: a stratified 25% validation part of the training users
    Xt, Xv, yt, yv = train_test_split(
        train[cols].to_numpy(dtype=float), y, test_size=0.25, stratify=y, random_state=seed
    )

    def single_threaded(kind: Literal["gbm", "mlp"]) -> Objective:
        objective = make_objective(kind, Xt, yt, Xv, yv, fast=fast, seed=seed)

        def run(trial: optuna.Trial) -> float:
            with threadpool_limits(1):  # as ChurnModel(threads=1)
                return objective(trial)

        return run

    return {
        m: StudySpec(
            single_threaded("gbm" if m == "churn_gbm" else "mlp"),
            "maximize",
            dict(DEFAULTS[m.split("_")[1]]),
            "validation ROC-AUC",
        )
        for m in models
    }


# ---- 03b recommendation: the collaborative models --------------------------------------------


def _recommend(
    ws: Any, p: Mapping[str, Any], models: Sequence[str], seed: int, fast: bool
) -> dict[str, StudySpec]:
    from opsai.data.schema import ITEM_ID
    from opsai.recommend import chapter as ch
    from opsai.recommend.interactions import InteractionMatrix
    from opsai.recommend.metrics import evaluate
    from opsai.recommend.split import stratified_split
    from opsai.recommend.tuning import (
        DEFAULTS,
        MODELS,
        SPACES,
        _valid_users,
        params_from_trial,
    )

    weights = p.get("EVENT_WEIGHTS", {"view": 1.0, "add_to_cart": 3.0, "purchase": 5.0})
    rating = p.get("RATING", "auto")
    k = int(p.get("TOP_K", 10))
    pairs, items = ch.load_data(ws, weights=weights, rating=rating or None)
    train, _ = ch.split(pairs, method=p.get("SPLIT", "stratified"), seed=seed)
    # as compare_models: validation carved from the training part, never the test
    fit_part, valid = stratified_split(train, ratio=0.75, seed=seed + 1)
    catalog = items[ITEM_ID].astype(str) if items is not None else None
    im = InteractionMatrix.from_frame(fit_part, items=catalog, binary=True)
    valid, users = _valid_users(valid, im, int(p.get("EVAL_USERS") or 0) or 5000, seed)
    missing = [m for m in models if m not in SPACES or m not in DEFAULTS]
    if missing:
        raise ConfigError(f"03b_recommendation: no search space for {', '.join(missing)}")

    def make(name: str) -> Objective:
        seeded = {"seed": seed} if name in ("als", "bpr") else {}

        def objective(trial: optuna.Trial) -> float:
            params = params_from_trial(name, SPACES[name](trial)) | seeded
            model = MODELS[name](**params).fit(im)
            return float(evaluate(model.recommend(users, k), valid, k=k)[f"ndcg_at_{k}"])

        return objective

    return {
        m: StudySpec(make(m), "maximize", dict(DEFAULTS[m]), f"validation nDCG@{k}") for m in models
    }


# ---- 04 demand: the global forecasters --------------------------------------------------------


def _forecast(
    ws: Any, p: Mapping[str, Any], models: Sequence[str], seed: int, fast: bool
) -> dict[str, StudySpec]:
    from opsai import forecast as fc
    from opsai.data.schema import ITEM_ID, QUANTITY
    from opsai.forecast.chapter import AUTO_FREQ, candidates, resolve_freq
    from opsai.forecast.metrics import wape

    freq, _ = resolve_freq(ws, str(p.get("FREQ", AUTO_FREQ)))  # 'auto': from the dates
    m = fc.SEASON_LENGTH[freq]
    df = fc.build_series(ws, freq=freq).df
    cands = {c.name: c for c in candidates(m, fast=fast, neural=True, seed=seed)}
    base = {"gbm": cands["GlobalGBM"], "mlp": cands["GlobalMLP"]}
    # as GlobalModel._tune: the last two seasons of every series are the validation window
    hold = 2 * m
    g = df.groupby(ITEM_ID, sort=False)
    train, test = g.head(-hold), g.tail(hold)
    if train.empty:
        raise ChapterError(f"04_demand_inventory: series shorter than {hold} periods")

    def make(model: Any) -> Objective:
        def objective(trial: optuna.Trial) -> float:
            fitted = model._clone(model._space(trial)).fit(train, freq=freq)
            f = fitted.predict(hold, X_future=test)
            return wape(test[QUANTITY].to_numpy(), f[fitted.name].to_numpy())

        return objective

    def defaults(model: Any) -> dict[str, Any]:
        keys = (
            "learning_rate",
            "max_leaf_nodes",
            "min_samples_leaf",
            "l2_regularization",
            "hidden",
            "layers",
            "weight_decay",
        )
        d = {k: getattr(model, k) for k in keys if hasattr(model, k)}
        if "l2_regularization" in d:  # 0 is outside the log-scale range: its lower end
            d["l2_regularization"] = max(float(d["l2_regularization"]), 1e-4)
        return d

    return {
        k: StudySpec(
            make(base[k.split("_")[1]]),
            "minimize",
            defaults(base[k.split("_")[1]]),
            f"validation WAPE (last {hold} periods)",
        )
        for k in models
    }


CHAPTERS: dict[str, ChapterStudies] = {
    c.stem: c
    for c in (
        ChapterStudies(
            "03a_user_behavior", "behavior", ("churn_gbm", "churn_mlp"), (("orders",),), _behavior
        ),
        ChapterStudies(
            "03b_recommendation",
            "recommend",
            ("ease", "seqease", "rp3beta", "itemknn", "als", "bpr"),
            (("events", "orders"),),
            _recommend,
        ),
        ChapterStudies(
            "04_demand_inventory",
            "forecast",
            ("forecast_gbm", "forecast_mlp"),
            (("demand", "orders"),),
            _forecast,
        ),
    )
}
"""Tunable chapters by notebook stem."""
UNTUNED = {
    "05_customer_service": "service",
    "00_data_overview": "overview",
    "06_market_competition": "market",
}


def resolve_chapter(name: str) -> ChapterStudies:
    """A chapter by notebook stem or short name (``behavior``, ``recommend``, ``forecast``).

    Raises:
        ConfigError: unknown chapter, or one whose notebook tunes no model.
    """
    key = name.strip().removesuffix(".ipynb")
    for c in CHAPTERS.values():
        if key in (c.stem, c.short):
            return c
    choices = ", ".join(f"{c.short} ({c.stem})" for c in CHAPTERS.values())
    for stem, short in UNTUNED.items():
        if key in (stem, short):
            raise ConfigError(f"chapter {key!r} tunes no model yet; tunable chapters: {choices}")
    raise ConfigError(f"unknown chapter {key!r}; choose one of {choices}")


def study_name(stem: str, model: str, *, seed: int = 0, fast: bool = False) -> str:
    """``<stem>.<model>.s<seed>`` (+ ``.fast``): one study per chapter, model and data split."""
    return f"{stem}.{model}.s{seed}" + (".fast" if fast else "")


def default_storage(cfg: Config) -> Path:
    """``<config folder>/.opsai/studies.log`` (a journal file)."""
    return cfg.base_dir / ".opsai" / "studies.log"


@dataclass
class StudyResult:
    """What one model's run gave: the study, its summary and the trials this call ran."""

    model: str
    name: str
    metric: str
    study: optuna.Study
    summary: dict[str, Any]
    ran: int


def run_chapter(
    config: str | os.PathLike[str] | Config,
    chapter: str,
    *,
    n_trials: int | None = 20,
    timeout: float | None = None,
    models: Sequence[str] | None = None,
    storage: str | os.PathLike[str] | None = None,
    seed: int = 0,
    fast: bool = False,
) -> list[StudyResult]:
    """Run or resume a chapter's studies (one per model) on the config's data.

    Args:
        config: the YAML config (its chapter parameters set horizons, splits and so on).
        chapter: notebook stem or short name, see :func:`resolve_chapter`.
        n_trials: finished trials each study should have after this call.
        timeout: seconds for the whole call, shared out evenly between the models.
        models: a subset of the chapter's models (default all).
        storage: journal file or RDB URL; default :func:`default_storage`.
        seed: seeds the data split, the sampler and the models (part of the study name).
        fast: the chapter's ``FAST`` search ranges (part of the study name).

    Raises:
        ChapterError: the data lacks the tables the chapter needs.
        ConfigError: unknown chapter or model.
    """
    from opsai.data.workspace import open_workspace

    spec = resolve_chapter(chapter)
    chosen = list(models or spec.models)
    unknown = [m for m in chosen if m not in spec.models]
    if unknown:
        raise ConfigError(
            f"{spec.stem}: unknown model(s) {', '.join(unknown)}; "
            f"choose from {', '.join(spec.models)}"
        )
    cfg = load_config(config)
    where = storage if storage is not None else default_storage(cfg)
    per_model = None if timeout is None else timeout / len(chosen)
    out = []
    with open_workspace(cfg) as ws:
        for alts in spec.needs:
            if not any(ws.has(t) for t in alts):
                raise ChapterError(
                    f"{spec.stem}: the data has no {' or '.join(alts)} table, so there is "
                    f"nothing to tune; map one under data.tables in {cfg.path or 'the config'}"
                )
        params = cfg.chapter(spec.stem).parameters
        specs = spec.builder(ws, params, chosen, seed, fast)
        for model in chosen:
            s = specs[model]
            name = study_name(spec.stem, model, seed=seed, fast=fast)
            started = dt.datetime.now()
            study = tune(
                s.objective,
                n_trials=n_trials,
                timeout=per_model,
                direction=s.direction,
                study_name=name,
                storage=where,
                seed=seed,
                enqueue=[s.defaults],
            )
            me = worker_id()
            ran = sum(
                t.user_attrs.get(WORKER_ATTR) == me and (t.datetime_start or started) >= started
                for t in study.trials
            )
            out.append(
                StudyResult(model, name, s.metric, study, summarize_study(study, seed=seed), ran)
            )
    return out


def tuned_params(
    config: str | os.PathLike[str] | Config,
    chapter: str,
    model: str,
    *,
    seed: int = 0,
    fast: bool = False,
    storage: str | os.PathLike[str] | None = None,
) -> dict[str, Any] | None:
    """The best parameters ``opsai tune`` found for a chapter's model, or ``None``.

    Reads the study named by :func:`study_name` from ``storage`` (default the journal beside
    the config) without running anything, so a chapter can start from tuned parameters.
    """
    from opsai.optimize.tuning import make_storage

    spec = resolve_chapter(chapter)
    cfg = load_config(config)
    where = storage if storage is not None else default_storage(cfg)
    if "://" not in os.fspath(where) and not Path(where).is_file():
        return None
    name = study_name(spec.stem, model, seed=seed, fast=fast)
    store = make_storage(where)
    try:
        study = optuna.load_study(study_name=name, storage=store) if store else None
    except KeyError:
        return None
    if study is None:
        return None
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return dict(study.best_params) if done else None
