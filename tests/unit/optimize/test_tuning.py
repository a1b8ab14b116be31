"""tune(): seeded, resumable after a stop, shareable through a journal file."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from opsai.errors import ConfigError
from opsai.optimize import tune

pytestmark = pytest.mark.unit


def _quadratic(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


def test_finds_minimum_and_is_seeded() -> None:
    a = tune(_quadratic, n_trials=40, direction="minimize", seed=1)
    b = tune(_quadratic, n_trials=40, direction="minimize", seed=1)
    assert a.best_params["x"] == pytest.approx(2, abs=0.3)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]


def test_resume_from_journal(tmp_path: Path) -> None:
    log = tmp_path / "study.log"
    first = tune(_quadratic, n_trials=7, direction="minimize", study_name="q", storage=log)
    assert len(first.trials) == 7
    first_params = [t.params for t in first.trials]
    # a new process (here: a new call) asking for 10 runs only the 3 missing ones
    again = tune(_quadratic, n_trials=10, direction="minimize", study_name="q", storage=log)
    assert len(again.trials) == 10
    assert [t.params for t in again.trials[:7]] == first_params


def test_enqueued_defaults_run_first() -> None:
    study = tune(_quadratic, n_trials=3, direction="minimize", enqueue=[{"x": 0.0}])
    assert study.trials[0].params == {"x": 0.0} and study.trials[0].value == 4.0


def test_pruning_stops_bad_trials() -> None:
    def iterative(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        loss = 1.0
        for step in range(20):
            loss *= 1 - lr
            trial.report(loss, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    study = tune(iterative, n_trials=30, direction="minimize", seed=0)
    states = {t.state for t in study.trials}
    assert optuna.trial.TrialState.PRUNED in states


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n_trials": None}, "n_trials or timeout"),
        ({"n_trials": 0}, "n_trials must be >= 1"),
        ({"storage": "x.log"}, "needs a study_name"),
    ],
)
def test_bad_arguments(kwargs: dict, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        tune(_quadratic, **kwargs)
