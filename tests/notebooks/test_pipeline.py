"""The whole pipeline on the tiny demo, a kill mid-run, and the committed notebooks' hygiene."""

from __future__ import annotations

import ast
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from opsai.config import NOTEBOOKS_DIR, PROJ_ROOT
from opsai.report import build
from opsai.report.render import external_resources
from opsai.report.results import validate_result

pytestmark = pytest.mark.notebooks
CHAPTERS = sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb"))


def test_every_file_exists_and_validates(tiny_report: build.ReportRun) -> None:
    run = tiny_report.path
    assert tiny_report.latest.resolve() == run.resolve()
    assert tiny_report.index.is_file()
    assert [r.chapter.stem for r in tiny_report.runs] == [
        *[c for c in CHAPTERS if c != "07_integration"],
        *[c for c in CHAPTERS if c == "07_integration"],
    ]
    for r in tiny_report.runs:
        stem = r.chapter.stem
        data = json.loads((run / "results" / f"{stem}.json").read_text("utf-8"))
        validate_result(data)
        assert data["status"] == r.state
        if r.state != "skipped":
            assert (run / "notebooks" / f"{stem}.ipynb").is_file()
            page = (run / f"{stem}.html").read_text("utf-8")
            assert external_resources(page) == [], stem
    meta = json.loads((run / "run.json").read_text("utf-8"))
    assert {c["chapter"] for c in meta["chapters"]} == set(CHAPTERS)
    assert not list(run.parent.glob(f"{build.TMP_PREFIX}*"))


def test_index_lists_every_chapter(tiny_report: build.ReportRun) -> None:
    html = tiny_report.index.read_text("utf-8")
    for stem in CHAPTERS:
        assert stem in html
    assert external_resources(html) == []
    assert "<script" not in html  # data is escaped; the index needs no script at all


def test_overview_chapter_results(tiny_report: build.ReportRun) -> None:
    data = json.loads((tiny_report.path / "results" / "00_data_overview.json").read_text("utf-8"))
    assert data["status"] == "ok", data["reason"]
    assert data["metrics"]["tables"] == 10 and data["metrics"]["days_covered"] == 731  # ad_spend
    assert {"coverage", "activity", "markup"} <= {f["name"] for f in data["findings"]}
    assert data["parameters"]["FAST"] is True
    page = (tiny_report.path / "00_data_overview.html").read_text("utf-8")
    assert page.count("* plotly.js v") == 1 and page.count("Plotly.newPlot(") >= 3
    assert '<script>alert("xss")</script>' not in page


def test_a_killed_run_leaves_latest_alone(tiny_demo: Path, tmp_path: Path) -> None:
    import psutil

    good = tmp_path / f"{build.TMP_PREFIX}{os.getpid()}-good"
    good.mkdir()
    (good / "index.html").write_text("good", "utf-8")
    before = build.publish(good, tmp_path, build.dt.datetime(2020, 1, 1))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "opsai.cli",
            "report",
            "--config",
            str(tiny_demo),
            "--out",
            str(tmp_path),
            "--chapters",
            "00_data_overview",
            "--fast",
            "--quiet",
        ],
        cwd=PROJ_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(f"{build.TMP_PREFIX}{proc.pid}-*/notebooks")):
            assert proc.poll() is None and time.monotonic() < deadline, "the run never started"
            time.sleep(0.2)
        time.sleep(1.0)  # mid-chapter
        kids = psutil.Process(proc.pid).children(recursive=True)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    for k in kids:  # the kernel runs in its own session
        with contextlib.suppress(psutil.NoSuchProcess):
            k.kill()
    assert os.readlink(tmp_path / "latest") == before.name
    assert (tmp_path / "latest" / "index.html").read_text("utf-8") == "good"
    assert {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")} == {
        before.name,
        "latest",
    }
    build.sweep_stale(tmp_path)  # what the next run does first
    assert not list(tmp_path.glob(f"{build.TMP_PREFIX}*"))


@pytest.mark.parametrize("stem", CHAPTERS)
def test_committed_notebooks_follow_the_template(stem: str) -> None:
    nb = nbformat.read(NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for c in code:
        assert c.outputs == [] and c.execution_count is None, f"{stem}: strip outputs (nbstripout)"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert any(c.cell_type == "markdown" and c.source.startswith("## 0 Setup") for c in nb.cells)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{stem}: one cell tagged 'parameters'"
    names = {ln.split(":")[0].strip() for ln in params[0].source.splitlines() if ":" in ln}
    assert {"CONFIG", "OUTPUT_DIR", "SEED", "FAST"} <= names
    for c in code:
        tree = ast.parse(c.source)
        assert not any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in ast.walk(tree)), stem
        if c not in params:  # the parameters cell declares, one line each; the rest compute
            assert len(c.source.splitlines()) <= 15, f"{stem}: a cell over 15 lines"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
