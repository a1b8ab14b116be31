"""Hyper-parameter tuning through Optuna: seeded, prunable, resumable, shareable.

Example:
    >>> def objective(trial):
    ...     x = trial.suggest_float("x", -10, 10)
    ...     return (x - 2) ** 2
    >>> study = tune(objective, n_trials=30, direction="minimize", seed=0)
    >>> round(study.best_params["x"])
    2
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import optuna

from opsai.errors import ConfigError

Objective = Callable[[optuna.Trial], float]


def make_storage(storage: str | os.PathLike[str] | None) -> optuna.storages.BaseStorage | None:
    """An Optuna storage from a path or URL.

    ``None`` keeps the study in memory; a file path (``*.log``/``*.jsonl`` or anything that is
    not a URL) uses ``JournalStorage(JournalFileBackend(path))`` — fast and safe for several
    processes on one machine; an RDB URL (``postgresql://...``, ``sqlite:///...``) lets several
    machines work on one study.
    """
    if storage is None:
        return None
    s = os.fspath(storage)
    if "://" in s:
        return optuna.storages.RDBStorage(s)
    from optuna.storages.journal import JournalFileBackend

    Path(s).parent.mkdir(parents=True, exist_ok=True)
    return optuna.storages.JournalStorage(JournalFileBackend(s))


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
    enqueue: list[dict[str, object]] | None = None,
) -> optuna.Study:
    """Run (or resume) a study with a seeded TPE sampler and a median pruner.

    Args:
        objective: called with an ``optuna.Trial``; returns the score. Iterative models call
            ``trial.report(value, step)`` and ``if trial.should_prune(): raise optuna.TrialPruned()``.
        n_trials: trials to run in this call (``None`` with a ``timeout``: until time is up).
            A resumed study counts only the trials still to run: completed ones are kept.
        timeout: seconds for this call.
        direction: whether larger or smaller scores are better.
        study_name: names the study in ``storage`` so a later call resumes it.
        storage: ``None`` (memory), a journal file path, or an RDB URL; see :func:`make_storage`.
        seed: seeds the TPE sampler, so the same study gives the same trials.
        pruner: default ``MedianPruner(n_startup_trials=5, n_warmup_steps=1)``.
        enqueue: parameter sets tried first (e.g. the library defaults, so the gain over
            defaults is measured in the same study).

    Returns:
        The study; ``study.best_params``, ``study.best_value``, ``study.trials_dataframe()``.
    """
    if n_trials is None and timeout is None:
        raise ConfigError("tune: give n_trials or timeout (or both), got neither")
    if n_trials is not None and n_trials < 1:
        raise ConfigError(f"tune: n_trials must be >= 1, got {n_trials}")
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
    done = sum(t.state.is_finished() for t in study.trials)
    if enqueue and done == 0:
        for params in enqueue:
            study.enqueue_trial(params)
    todo = None if n_trials is None else max(n_trials - done, 0)
    if todo != 0:
        study.optimize(objective, n_trials=todo, timeout=timeout, gc_after_trial=False)
    return study
