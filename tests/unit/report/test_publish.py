from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from opsai.cli import build_parser
from opsai.config import REPORTS_DIR, config_from_dict
from opsai.errors import ConfigError
from opsai.report import build, pdf

pytestmark = pytest.mark.unit
T0 = dt.datetime(2025, 1, 2, 3, 4, 5)


def _tmp_run(reports: Path, text: str) -> Path:
    tmp = reports / f"{build.TMP_PREFIX}{os.getpid()}-x{text}"
    tmp.mkdir(parents=True)
    (tmp / "index.html").write_text(text, "utf-8")
    return tmp


def test_publish_renames_and_swaps_latest(tmp_path: Path) -> None:
    first = build.publish(_tmp_run(tmp_path, "one"), tmp_path, T0)
    assert first.name == "20250102-030405"
    assert os.readlink(tmp_path / "latest") == "20250102-030405"  # relative: the folder can move
    second = build.publish(_tmp_run(tmp_path, "two"), tmp_path, T0)  # same second
    assert second.name == "20250102-030405-1"
    assert (tmp_path / "latest" / "index.html").read_text("utf-8") == "two"
    assert (first / "index.html").read_text("utf-8") == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, second.name, "latest"]


def test_publish_refuses_a_real_latest_folder(tmp_path: Path) -> None:
    (tmp_path / "latest").mkdir()
    with pytest.raises(ConfigError, match="not a symlink"):
        build.publish(_tmp_run(tmp_path, "x"), tmp_path, T0)


def test_sweep_removes_only_dead_runs(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f"{build.TMP_PREFIX}{dead.pid}-abcd"
    live = tmp_path / f"{build.TMP_PREFIX}{os.getpid()}-abcd"
    stale.mkdir()
    live.mkdir()
    build.sweep_stale(tmp_path)
    assert not stale.exists() and live.exists()


def test_reports_dir_precedence(tmp_path: Path) -> None:
    cfg = config_from_dict({}, path=tmp_path / "c.yaml")
    assert build.reports_dir(cfg, None) == REPORTS_DIR
    assert build.reports_dir(cfg, tmp_path / "o") == tmp_path / "o"
    cfg = config_from_dict({"report": {"out": "out"}}, path=tmp_path / "c.yaml")
    assert build.reports_dir(cfg, None) == tmp_path / "out"


def test_cli_registers_report_and_lab() -> None:
    p = build_parser()
    a = p.parse_args(
        [
            "report",
            "--config",
            "c.yaml",
            "--chapters",
            "00_a, 01_b.ipynb",
            "--jobs",
            "2",
            "--fast",
            "--pdf",
            "--show-code",
        ]
    )
    assert a.chapters == ["00_a", "01_b"] and a.jobs == 2 and a.fast and a.pdf and a.show_code
    assert p.parse_args(["lab", "--no-browser"]).no_browser
    with pytest.raises(SystemExit):
        p.parse_args(["report", "--config", "c.yaml", "--jobs", "0"])


def test_missing_chromium_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPSAI_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pdf.ChromiumNotFoundError, match="apt-get install chromium"):
        pdf.find_chromium()
    monkeypatch.setenv("OPSAI_CHROMIUM", "/nonexistent/chrome")
    with pytest.raises(pdf.ChromiumNotFoundError, match="OPSAI_CHROMIUM"):
        pdf.find_chromium()


def test_report_command_fails_fast_without_chromium(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_config: Path
) -> None:
    from opsai.cli import main

    monkeypatch.setenv("OPSAI_CHROMIUM", "/nonexistent/chrome")
    assert (
        main(["report", "--config", str(small_config), "--out", str(tmp_path / "r"), "--pdf"]) == 1
    )
    assert not (tmp_path / "r").exists()  # nothing started
