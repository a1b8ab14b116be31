"""summarize_study / study_from_summary / summary records: the report's view of a study."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import optuna
import pytest

from opsai.errors import ConfigError
from opsai.optimize import (
    study_from_summary,
    summarize_study,
    summary_from_results,
    summary_records,
    tune,
)
from opsai.optimize.tuning import WORKER_ATTR, fail_stale_trials

pytestmark = pytest.mark.unit


def _bowl(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -5, 5)
    y = trial.suggest_int("y", 0, 10)
    return (x - 1) ** 2 + 0.01 * (y - 3) ** 2


def test_summary_metrics_history_and_importances() -> None:
    study = tune(_bowl, n_trials=25, direction="minimize", seed=3, enqueue=[{"x": 4.0, "y": 0}])
    s = summarize_study(study)
    json.dumps(s)  # plain JSON all the way down
    m = s["metrics"]
    assert m["best"] == pytest.approx(study.best_value)
    assert m["default"] == pytest.approx(9.0 + 0.09)  # trial 0 ran the enqueued defaults
    assert m["gain"] == pytest.approx(m["default"] - m["best"]) and m["gain"] > 8
    assert m["n_trials"] == 25 and m["n_pruned"] == 0
    h = s["history"]
    assert [r["number"] for r in h] == list(range(25))
    assert h[0]["default"] is True and not any(r["default"] for r in h[1:])
    best_so_far = [r["best_so_far"] for r in h]
    assert all(a >= b for a, b in itertools.pairwise(best_so_far))
    assert best_so_far[-1] == pytest.approx(study.best_value)
    assert {"params_x", "params_y", "value", "state"} <= set(h[3])
    imp = {r["param"]: r["importance"] for r in s["importances"]}
    assert set(imp) == {"x", "y"} and imp["x"] > imp["y"]  # x drives the value
    assert sum(imp.values()) == pytest.approx(1.0)
    assert s["distributions"]["y"]["name"] == "IntDistribution"


def test_default_given_explicitly_and_maximize_gain() -> None:
    study = tune(lambda t: -_bowl(t), n_trials=8, seed=0, enqueue=[{"x": 0.0, "y": 3}])
    s = summarize_study(study, default_params={"x": 0.0, "y": 3})
    assert s["direction"] == "maximize"
    assert s["metrics"]["default"] == pytest.approx(-1.0)
    assert s["metrics"]["gain"] == pytest.approx(s["metrics"]["best"] + 1.0)
    none = summarize_study(study, default_params={"x": 0.5, "y": 3})
    assert none["metrics"]["default"] is None and none["metrics"]["gain"] is None


def test_pruned_trials_are_counted_and_rebuilt() -> None:
    def iterative(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-3, 1.0, log=True)
        width = trial.suggest_int("width", 1, 4)
        loss = 1.0
        for step in range(10):
            loss *= 1 - lr / width
            trial.report(loss, step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    study = tune(iterative, n_trials=30, direction="minimize", seed=0)
    s = summarize_study(study)
    n_pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    assert s["metrics"]["n_pruned"] == n_pruned > 0
    rebuilt = study_from_summary(s)
    assert len(rebuilt.trials) == 30
    assert sum(t.state == optuna.trial.TrialState.PRUNED for t in rebuilt.trials) == n_pruned


def test_study_from_recorded_results_draws_optuna_figures() -> None:
    study = tune(_bowl, n_trials=12, direction="minimize", seed=1, enqueue=[{"x": 4.0, "y": 0}])
    recs = summary_records("toy", summarize_study(study))
    names = [n for n, _, _ in recs]
    assert names[:2] == ["tuning.toy.history", "tuning.toy.importances"]
    assert {"tuning.toy.best", "tuning.toy.gain", "tuning.toy.distributions"} <= set(names)
    # what a results JSON file holds after report.record(...) of each triple
    result = {"chapter": "x", "metrics": {}, "tables": {}}
    for name, value, kind in recs:
        result["tables" if kind == "table" else "metrics"][name] = value
    result = json.loads(json.dumps(result))
    rebuilt = study_from_summary(summary_from_results(result, "toy"))
    assert rebuilt.direction == optuna.study.StudyDirection.MINIMIZE
    assert rebuilt.best_value == pytest.approx(study.best_value)
    assert rebuilt.best_params == pytest.approx(study.best_params)
    assert [t.value for t in rebuilt.trials] == pytest.approx([t.value for t in study.trials])
    pytest.importorskip("plotly")
    hist = optuna.visualization.plot_optimization_history(rebuilt)
    assert list(hist.data[0].y) == pytest.approx([t.value for t in study.trials])
    imp = optuna.visualization.plot_param_importances(rebuilt)
    assert set(imp.data[0].y) == {"x", "y"}


def test_summary_of_empty_study_and_bad_inputs() -> None:
    s = summarize_study(optuna.create_study())
    assert s["metrics"]["best"] is None and s["importances"] == [] and s["history"] == []
    assert len(study_from_summary(s).trials) == 0
    with pytest.raises(ConfigError, match="history"):
        study_from_summary({"metrics": {}})
    with pytest.raises(ConfigError, match="no tuning summary for 'gbm'"):
        summary_from_results({"chapter": "03a", "metrics": {}, "tables": {}}, "gbm")
    bad = {"history": [{"state": "COMPLETE", "value": 1.0, "params_z": 2.0}], "distributions": {}}
    with pytest.raises(ConfigError, match="no distribution for z"):
        study_from_summary(bad)


def test_stale_trial_of_dead_worker_is_failed_and_default_enqueued_again(tmp_path: Path) -> None:
    log = tmp_path / "s.log"
    study = tune(_bowl, n_trials=2, direction="minimize", study_name="s", storage=log)
    # a worker that died mid-trial: RUNNING forever in a journal file, tagged with its pid
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    trial = study.ask({"x": optuna.distributions.FloatDistribution(-5, 5)})
    trial.set_user_attr(WORKER_ATTR, f"{os.uname().nodename}:{dead}")
    live = study.ask()
    live.set_user_attr(WORKER_ATTR, f"{os.uname().nodename}:{os.getpid()}")
    assert fail_stale_trials(study) == [trial.number]
    states = {t.number: t.state for t in study.get_trials()}
    assert states[trial.number] == optuna.trial.TrialState.FAIL
    assert states[live.number] == optuna.trial.TrialState.RUNNING
    # defaults run and finished: not enqueued twice on resume
    again = tune(_bowl, n_trials=3, direction="minimize", study_name="s", storage=log,
                 enqueue=[{"x": 4.0, "y": 0}])  # fmt: skip
    again = tune(_bowl, n_trials=4, direction="minimize", study_name="s", storage=log,
                 enqueue=[{"x": 4.0, "y": 0}])  # fmt: skip
    fixed = [t for t in again.trials if t.params == {"x": 4.0, "y": 0}]
    assert len(fixed) == 1
    done = [t for t in again.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(done) == 4


def test_direction_mismatch_on_resume(tmp_path: Path) -> None:
    log = tmp_path / "d.log"
    tune(_bowl, n_trials=1, direction="minimize", study_name="d", storage=log)
    with pytest.raises(ConfigError, match="created to minimize"):
        tune(_bowl, n_trials=2, direction="maximize", study_name="d", storage=log)


def test_a_trial_killed_before_it_named_its_worker_is_failed_once_every_worker_is_dead(
    tmp_path: Path,
) -> None:
    """A worker killed between starting a trial and recording its pid left the trial RUNNING
    after a resume (it was failed only two minutes after it started)."""
    from opsai.optimize.tuning import make_storage

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    study = optuna.create_study(study_name="k", storage=make_storage(tmp_path / "k.log"))
    study.set_user_attr(f"{WORKER_ATTR}:{os.uname().nodename}:{dead}", True)
    orphan = study.ask()  # started, never tagged: its worker died first
    assert fail_stale_trials(study) == [orphan.number]
    study.set_user_attr(f"{WORKER_ATTR}:{os.uname().nodename}:{os.getpid()}", True)
    running = study.ask()  # a live worker may still tag it: left alone
    assert fail_stale_trials(study) == []
    assert study.trials[running.number].state == optuna.trial.TrialState.RUNNING
