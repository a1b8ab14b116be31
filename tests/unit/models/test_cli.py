"""``opsai score`` argument handling and its errors (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.cli import build_parser, main
from opsai.models.score import find_run

pytestmark = pytest.mark.unit


def test_parser_has_score() -> None:
    args = build_parser().parse_args(["score", "--run", "r", "--config", "c.yaml", "--top-k", "5"])
    assert (args.run, args.config, args.out, args.top_k) == ("r", "c.yaml", None, 5)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["score", "--run", "r", "--config", "c", "--top-k", "0"])


def test_run_without_models_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["score", "--run", str(tmp_path), "--config", "missing.yaml"]) == 1
    err = capsys.readouterr().err
    assert "no saved models" in err and "opsai report --config FILE" in err
    assert main(["score", "--run", str(tmp_path / "nope"), "--config", "x.yaml"]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_reports_folder_means_its_latest_run(tmp_path: Path) -> None:
    run = tmp_path / "20250101-000000"
    (run / "models").mkdir(parents=True)
    (tmp_path / "latest").symlink_to(run.name)
    assert find_run(tmp_path) == run.resolve()
    assert find_run(run) == run.resolve()


def _run_without_churn(run: Path) -> str:
    """A run whose chapter 3a skipped the churn model (4 churners), as the chapter records
    it; returns the reason the finding holds."""
    import numpy as np

    from opsai.behavior.churn_model import churn_model_problem
    from opsai.behavior.findings import churn_skipped
    from opsai.report.results import empty_result, results_path, write_result

    why = churn_model_problem(np.r_[np.ones(4), np.zeros(116)], np.r_[1, 0, 0])
    f = churn_skipped(why)
    result = empty_result("03a_user_behavior")
    result["findings"].append(
        {"name": f.name, "text": f.text, "severity": f.severity, "evidence": f.evidence}
    )
    write_result(results_path(run, "03a_user_behavior"), result)
    return why


def test_a_run_whose_chapter_skipped_churn_says_why_there_is_no_model(
    tmp_path: Path, capsys
) -> None:
    """3a skipped churn (fewer than 10 churners), so the run saved no models: `opsai score`
    said 'no saved models ... Build a report with this version of opsai', which the user had
    just done. It names the skip, the count and what to do."""
    run = tmp_path / "run"
    why = _run_without_churn(run)
    assert (
        why
        == "only 4 of the 120 training users churned, fewer than the 10 a churn model needs to learn from"
    )
    assert main(["score", "--run", str(run), "--config", "missing.yaml"]) == 1
    assert capsys.readouterr().err == (
        f"opsai: error: --run {run}: no saved models: chapter 03a_user_behavior trained no "
        f"churn model in that run ({why}), so there is no churn model to score with. "
        "churn_risk.csv needs a report run whose orders hold enough customers who churned and "
        "who stayed: build the report again on a longer order history (opsai report --config "
        "FILE) and pass that run\n"
    )
    # the run's reports folder (its latest run) says the same
    (tmp_path / "latest").symlink_to("run")
    assert main(["score", "--run", str(tmp_path), "--config", "missing.yaml"]) == 1
    assert f"trained no churn model in that run ({why})" in capsys.readouterr().err


def test_other_chapters_scored_and_churn_skipped_with_the_reason(tmp_path: Path) -> None:
    """Other chapters saved models, 3a skipped churn: churn is skipped with the reason, not
    'the run has no saved models for 03a_user_behavior'."""
    from opsai.models.score import score
    from tests.conftest import ORDERS_CSV, write_dataset

    run = tmp_path / "run"
    why = _run_without_churn(run)
    (run / "models").mkdir()
    cfg = write_dataset(tmp_path / "data", {"orders.csv": ORDERS_CSV}, {"orders": {}})
    said: list[str] = []
    result = score(run, cfg, out=tmp_path / "out", log=said.append)
    reason = result.skipped["03a_user_behavior"]
    assert reason.startswith(
        f"chapter 03a_user_behavior trained no churn model in that run ({why})"
    )
    assert f"skipped 03a_user_behavior: {reason}" in said
    assert (
        result.skipped["04_demand_inventory"]
        == "the run has no saved models for 04_demand_inventory"
    )
