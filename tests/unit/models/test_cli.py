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
