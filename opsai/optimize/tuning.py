"""Hyper-parameter tuning through Optuna: seeded, prunable, resumable, shareable.

:func:`tune` runs (or resumes) a study; :func:`summarize_study` turns a study into plain JSON
(history, importances, metrics, distributions) for the report, and :func:`study_from_summary`
rebuilds an in-memory study from it so Optuna's own figures can be drawn from recorded results.

Recorded keys (:func:`summary_records`), for a model named ``<model>`` (e.g. ``churn_gbm``)::

    tuning.<model>.history        table: number, value, best_so_far, state, default,
                                  params_<name>... (one row per trial, in order)
    tuning.<model>.importances    table: param, importance (fANOVA; empty when it cannot
                                  be computed: fewer than 2 complete trials or 1 parameter)
    tuning.<model>.best           metric: best objective value
    tuning.<model>.default        metric: value of the default parameters (trial 0), or null
    tuning.<model>.gain           metric: improvement of best over default, in the direction
                                  of the study (positive is better), or null
    tuning.<model>.n_trials       metric: finished trials (complete + pruned)
    tuning.<model>.n_pruned       metric: pruned trials
    tuning.<model>.direction      metric: "maximize" or "minimize"
    tuning.<model>.distributions  metric: JSON text {param: Optuna distribution JSON}

Example:
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -10, 10)
    ...     return (x - 2) ** 2
    >>> study = tune(objective, n_trials=30, direction="minimize", seed=0)
    >>> round(study.best_params["x"])
    2
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import socket
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import optuna
from optuna.trial import TrialState

from opsai.errors import ConfigError

Objective = Callable[[optuna.Trial], float]
WORKER_ATTR = "opsai_worker"
_DEFAULT = "opsai_default"
_STALE_WITHOUT_WORKER_S = 120.0
_METRIC_KEYS = ("best", "default", "gain", "n_trials", "n_pruned")


def make_storage(storage: str | os.PathLike[str] | None) -> optuna.storages.BaseStorage | None:
    """An Optuna storage from a path or URL.

    ``None`` keeps the study in memory; a file path (``*.log``/``*.jsonl`` or anything that is
    not a URL) uses ``JournalStorage(JournalFileBackend(path))`` — fast and safe for several
    processes on one machine; an RDB URL (``postgresql://...``, ``sqlite:///...``) lets several
    machines work on one study (with a heartbeat, so a killed worker's trial is failed).
    """
    if storage is None:
        return None
    s = os.fspath(storage)
    if "://" in s:
        with warnings.catch_warnings():  # heartbeat_interval is "experimental" since optuna 2.9
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                _sqlalchemy_url(s), heartbeat_interval=30, grace_period=90
            )
    from optuna.storages.journal import JournalFileBackend

    Path(s).parent.mkdir(parents=True, exist_ok=True)
    return optuna.storages.JournalStorage(JournalFileBackend(s))


def _sqlalchemy_url(url: str) -> str:
    """``postgres://`` / ``postgresql://`` with the installed driver (psycopg 3 or psycopg2)."""
    scheme, rest = url.split("://", 1)
    if scheme not in ("postgres", "postgresql"):
        return url
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        return f"postgresql+psycopg://{rest}"
    return f"postgresql://{rest}"


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str) -> bool:
    """Whether a worker id names a live process (other hosts: assumed alive)."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Mark RUNNING trials whose worker process died (e.g. killed) as FAIL; their numbers.

    A trial of a dead process on this machine, or one that never recorded its worker (killed
    between its start and that record) and started more than two minutes ago or whose every
    registered worker is dead, can never finish; without this a journal study keeps
    it RUNNING forever. Trials of live processes and of other machines are left alone (RDB
    storages fail those through their heartbeat).
    """
    now = dt.datetime.now()
    failed = []
    # every worker that ever ran trials of the study registered itself first: when all of
    # them are dead, a trial killed before it could record its worker is stale too
    workers = [k.split(":", 1)[1] for k in study.user_attrs if k.startswith(f"{WORKER_ATTR}:")]
    all_dead = bool(workers) and not any(_alive(w) for w in workers)
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = t.user_attrs.get(WORKER_ATTR)
        if worker is None:
            started = t.datetime_start or now
            stale = all_dead or (now - started).total_seconds() > _STALE_WITHOUT_WORKER_S
        else:
            stale = not _alive(str(worker))
        if stale:
            study.tell(t.number, state=TrialState.FAIL)
            failed.append(t.number)
    return failed


def _same_params(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a.keys() != b.keys():
        return False
    for k, v in a.items():
        w = b[k]
        if isinstance(v, (int, float)) and isinstance(w, (int, float)):
            if not math.isclose(float(v), float(w), rel_tol=1e-12, abs_tol=0.0):
                return False
        elif v != w:
            return False
    return True


def _enqueue_missing(study: optuna.Study, enqueue: list[dict[str, Any]]) -> None:
    """Enqueue each parameter set unless a live or finished-well trial already has it."""
    keep = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.WAITING, TrialState.RUNNING)
    trials = study.get_trials(deepcopy=False, states=keep)
    for params in enqueue:
        if not any(
            _same_params(t.system_attrs.get("fixed_params", t.params), params) for t in trials
        ):
            study.enqueue_trial(params, user_attrs={_DEFAULT: True})


def tune(
    objective: Objective,
    *,
    n_trials: int | None = 20,
    timeout: float | None = None,
    direction: Literal["minimize", "maximize"] = "maximize",
    study_name: str | None = None,
    storage: str | os.PathLike[str] | None = None,
    seed: int = 0,
    pruner: optuna.pruners.BasePruner | None = None,
    enqueue: list[dict[str, Any]] | None = None,
) -> optuna.Study:
    """Run (or resume) a study with a seeded TPE sampler and a median pruner.

    Args:
        objective: called with an ``optuna.Trial``; returns the score. Iterative models call
            ``trial.report(value, step)`` and ``if trial.should_prune(): raise optuna.TrialPruned()``.
        n_trials: finished (complete or pruned) trials the study should have after this call
            (``None`` with a ``timeout``: until time is up). A resumed study runs only the
            trials still missing: finished ones are kept, and the trials of a killed worker
            are marked failed and do not count.
        timeout: seconds for this call.
        direction: whether larger or smaller scores are better.
        study_name: names the study in ``storage`` so a later call resumes it.
        storage: ``None`` (memory), a journal file path, or an RDB URL; see :func:`make_storage`.
        seed: seeds the TPE sampler, so the same study gives the same trials.
        pruner: default ``MedianPruner(n_startup_trials=5, n_warmup_steps=1)``.
        enqueue: parameter sets tried first (e.g. the library defaults, so the gain over
            defaults is measured in the same study); tagged as defaults, enqueued again on
            resume only if no trial has run them.

    Returns:
        The study; ``study.best_params``, ``study.best_value``, ``study.trials_dataframe()``.
    """
    if n_trials is None and timeout is None:
        raise ConfigError("tune: give n_trials or timeout (or both), got neither")
    if n_trials is not None and n_trials < 1:
        raise ConfigError(f"tune: n_trials must be >= 1, got {n_trials}")
    if timeout is not None and timeout <= 0:
        raise ConfigError(f"tune: timeout must be > 0 seconds, got {timeout}")
    if storage is not None and study_name is None:
        raise ConfigError("tune: a storage needs a study_name so the study can be resumed")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name,
        storage=make_storage(storage),
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=pruner or optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1),
        direction=direction,
        load_if_exists=True,
    )
    if study.direction.name.lower() != direction:
        raise ConfigError(
            f"tune: study {study_name!r} in {storage} was created to "
            f"{study.direction.name.lower()}, not {direction}; use another study_name"
        )
    if storage is not None:
        fail_stale_trials(study)
    if enqueue:
        _enqueue_missing(study, enqueue)
    done = len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)))
    todo = None if n_trials is None else max(n_trials - done, 0)
    if todo != 0:
        worker = worker_id()
        if storage is not None:  # before any trial: see fail_stale_trials
            study.set_user_attr(f"{WORKER_ATTR}:{worker}", True)

        def tagged(trial: optuna.Trial) -> float:
            if storage is not None:
                trial.set_user_attr(WORKER_ATTR, worker)
            return objective(trial)

        study.optimize(tagged, n_trials=todo, timeout=timeout, gc_after_trial=False)
    return study


# ---- summaries for the report ----------------------------------------------------------------


def _is_default(t: optuna.trial.FrozenTrial, default_params: Mapping[str, Any] | None) -> bool:
    if default_params is not None:
        return _same_params(t.params, default_params)
    return bool(t.user_attrs.get(_DEFAULT))


def _importances(study: optuna.Study, seed: int) -> list[dict[str, Any]]:
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    names = {p for t in complete for p in t.params}
    if len(complete) < 2 or len(names) < 2:
        return []
    from optuna.importance import FanovaImportanceEvaluator, get_param_importances

    try:
        imp = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=seed))
    except (RuntimeError, ValueError):  # e.g. every trial has the same parameter values
        return []
    return [{"param": k, "importance": float(v)} for k, v in imp.items()]


def summarize_study(
    study: optuna.Study, *, default_params: Mapping[str, Any] | None = None, seed: int = 0
) -> dict[str, Any]:
    """A study as JSON-serialisable tables and metrics (the report records these).

    Args:
        study: a finished (or partly finished) study.
        default_params: the parameter set whose value is "default"; ``None`` uses the trial
            :func:`tune` enqueued as defaults.
        seed: seeds the fANOVA importance estimate.

    Returns:
        ``{"study_name", "direction", "history": [...], "importances": [...],
        "metrics": {best, default, gain, n_trials, n_pruned, n_failed}, "best_params",
        "default_params", "distributions": {param: distribution JSON}}``. ``history`` rows
        have ``number, value, best_so_far, state, default, params_<name>...``.
    """
    maximize = study.direction == optuna.study.StudyDirection.MAXIMIZE
    trials = study.get_trials(deepcopy=False)
    names = sorted({p for t in trials for p in t.params})
    history: list[dict[str, Any]] = []
    best: float | None = None
    default: float | None = None
    dists: dict[str, Any] = {}
    for t in trials:
        v = t.value if t.state in (TrialState.COMPLETE, TrialState.PRUNED) else None
        if t.state == TrialState.COMPLETE and v is not None and math.isfinite(v):
            best = v if best is None else (max(best, v) if maximize else min(best, v))
        is_default = t.state == TrialState.COMPLETE and _is_default(t, default_params)
        if is_default and default is None:
            default = v
        row = {
            "number": t.number,
            "value": v,
            "best_so_far": best,
            "state": t.state.name,
            "default": is_default,
        }
        row |= {f"params_{n}": t.params.get(n) for n in names}
        history.append(row)
        for n, d in t.distributions.items():
            dists.setdefault(n, json.loads(optuna.distributions.distribution_to_json(d)))
    gain = None
    if best is not None and default is not None:
        gain = best - default if maximize else default - best
    states = [t.state for t in trials]
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    return {
        "study_name": study.study_name,
        "direction": "maximize" if maximize else "minimize",
        "history": history,
        "importances": _importances(study, seed),
        "metrics": {
            "best": best,
            "default": default,
            "gain": gain,
            "n_trials": sum(s in (TrialState.COMPLETE, TrialState.PRUNED) for s in states),
            "n_pruned": states.count(TrialState.PRUNED),
            "n_failed": states.count(TrialState.FAIL),
        },
        "best_params": dict(study.best_params) if complete else {},
        "default_params": dict(default_params) if default_params is not None else None,
        "distributions": dists,
    }


def study_from_summary(summary: Mapping[str, Any]) -> optuna.Study:
    """An in-memory study rebuilt from :func:`summarize_study` output (or recorded results).

    Complete and pruned trials are added with their values, parameters and distributions,
    so ``optuna.visualization.plot_optimization_history(study)`` and
    ``plot_param_importances(study)`` draw from recorded numbers only.

    Raises:
        ConfigError: the summary lacks ``history``/``distributions`` or is malformed.
    """
    try:
        history = list(summary["history"])
        raw = summary["distributions"]
        direction = summary.get("direction", "maximize")
    except (KeyError, TypeError) as e:
        raise ConfigError(
            f"study_from_summary: the summary needs 'history' and 'distributions' ({e})"
        ) from None
    if isinstance(raw, str):
        raw = json.loads(raw)
    dists = {
        n: optuna.distributions.json_to_distribution(json.dumps(d) if not isinstance(d, str) else d)
        for n, d in raw.items()
    }
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=direction, study_name=summary.get("study_name"))
    keep = {"COMPLETE": TrialState.COMPLETE, "PRUNED": TrialState.PRUNED}
    trials = []
    for row in history:
        state = keep.get(str(row.get("state")))
        value = row.get("value")
        if state is None or value is None:
            continue
        params = {
            k[len("params_") :]: v
            for k, v in row.items()
            if k.startswith("params_") and v is not None
        }
        missing = sorted(set(params) - set(dists))
        if missing:
            raise ConfigError(f"study_from_summary: no distribution for {', '.join(missing)}")
        trials.append(
            optuna.trial.create_trial(
                state=state,
                value=float(value),
                params=params,
                distributions={k: dists[k] for k in params},
                user_attrs={"number": row.get("number"), _DEFAULT: bool(row.get("default"))},
            )
        )
    study.add_trials(trials)
    return study


def summary_records(model: str, summary: Mapping[str, Any]) -> list[tuple[str, Any, str]]:
    """``(name, value, kind)`` triples to pass to ``opsai.report.record`` (keys: module doc).

    Example:
        >>> for name, value, kind in summary_records("churn_gbm", summary):  # doctest: +SKIP
        ...     report.record(name, value, kind=kind)
    """
    p = f"tuning.{model}"
    m = summary["metrics"]
    out: list[tuple[str, Any, str]] = [
        (f"{p}.history", list(summary["history"]), "table"),
        (f"{p}.importances", list(summary["importances"]), "table"),
    ]
    for key in _METRIC_KEYS:
        out.append((f"{p}.{key}", m.get(key), "metric"))
    out.append((f"{p}.direction", summary["direction"], "metric"))
    out.append((f"{p}.distributions", json.dumps(summary["distributions"]), "metric"))
    return out


def summary_from_results(result: Mapping[str, Any], model: str) -> dict[str, Any]:
    """The summary of ``model`` read back from a chapter's results file (see module doc).

    Raises:
        ConfigError: the results do not hold ``tuning.<model>.*``.
    """
    p = f"tuning.{model}"
    metrics, tables = result.get("metrics", {}), result.get("tables", {})
    if f"{p}.history" not in tables or f"{p}.distributions" not in metrics:
        have = sorted({k.split(".")[1] for k in tables if k.startswith("tuning.")})
        raise ConfigError(
            f"results of {result.get('chapter')!r} have no tuning summary for {model!r} "
            f"(have: {', '.join(have) or 'none'})"
        )
    return {
        "study_name": model,
        "direction": metrics.get(f"{p}.direction", "maximize"),
        "history": tables[f"{p}.history"],
        "importances": tables.get(f"{p}.importances", []),
        "metrics": {k: metrics.get(f"{p}.{k}") for k in _METRIC_KEYS},
        "distributions": json.loads(metrics[f"{p}.distributions"]),
    }
