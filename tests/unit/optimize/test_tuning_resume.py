"""A study killed mid-run (SIGKILL) resumes from its journal file (or PostgreSQL) intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import optuna
import pytest

from opsai.optimize import tune

pytestmark = pytest.mark.unit

COMPLETE = optuna.trial.TrialState.COMPLETE
DEFAULTS = {"x": 3.0, "y": 1}

OBJECTIVE = """
import time
import optuna

def objective(trial):
    x = trial.suggest_float("x", -4, 4)
    y = trial.suggest_int("y", 0, 5)
    time.sleep(SLEEP)
    return (x - 1) ** 2 + y
"""


def _objective(sleep: float):  # the same objective, in this process
    ns: dict = {}
    exec(OBJECTIVE.replace("SLEEP", str(sleep)), ns)
    return ns["objective"]


def _finished(log: Path) -> list[optuna.trial.FrozenTrial]:
    from opsai.optimize import make_storage

    try:
        study = optuna.load_study(study_name="killed", storage=make_storage(log))
    except KeyError:  # the file exists, the study is not in it yet
        return []
    return [t for t in study.get_trials(deepcopy=False) if t.state == COMPLETE]


def test_sigkill_mid_study_then_resume_keeps_every_finished_trial(tmp_path: Path) -> None:
    log = tmp_path / "studies.log"
    script = tmp_path / "worker.py"
    script.write_text(
        OBJECTIVE.replace("SLEEP", "0.15")
        + textwrap.dedent(f"""
        from opsai.optimize import tune
        tune(objective, n_trials=40, direction="minimize", study_name="killed",
             storage={str(log)!r}, seed=0, enqueue=[{DEFAULTS!r}])
        """),
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, str(script)], env=os.environ | {"PYTHONHASHSEED": "0"})
    try:
        deadline = time.time() + 120
        while time.time() < deadline:  # wait until a few trials are in the file
            if log.exists() and len(_finished(log)) >= 6:
                break
            assert proc.poll() is None, "the worker ended before it could be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = {t.number: (t.params, t.value) for t in _finished(log)}
    assert 6 <= len(before) < 40

    study = tune(_objective(0.0), n_trials=40, direction="minimize", study_name="killed",
                 storage=log, seed=0, enqueue=[DEFAULTS])  # fmt: skip
    after = {t.number: (t.params, t.value) for t in study.trials if t.state == COMPLETE}
    assert len(after) == 40  # the rest was completed
    for number, (params, value) in before.items():  # nothing finished was lost or changed
        assert after[number] == (params, value)
    assert study.trials[0].params == DEFAULTS  # the defaults ran first, and once
    assert sum(t.params == DEFAULTS for t in study.trials) == 1
    # the trial that was running when the worker died can never finish: it is failed
    states = [t.state for t in study.trials]
    assert optuna.trial.TrialState.RUNNING not in states
    assert states.count(optuna.trial.TrialState.FAIL) <= 1


@pytest.mark.postgres
def test_postgres_study_is_shared_and_resumed(postgres_url: str) -> None:
    pytest.importorskip("sqlalchemy")
    first = tune(_objective(0.0), n_trials=5, direction="minimize", study_name="pg",
                 storage=postgres_url, seed=0, enqueue=[DEFAULTS])  # fmt: skip
    kept = [(t.params, t.value) for t in first.trials]
    assert first.trials[0].params == DEFAULTS
    again = tune(_objective(0.0), n_trials=8, direction="minimize", study_name="pg",
                 storage=postgres_url.replace("postgres://", "postgresql://"), seed=0,
                 enqueue=[DEFAULTS])  # fmt: skip
    assert len(again.trials) == 8
    assert [(t.params, t.value) for t in again.trials[:5]] == kept
