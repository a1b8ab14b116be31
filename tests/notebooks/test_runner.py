"""The runner on 3-cell fixture notebooks: pass, fail, skip, timeout, parameter injection."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from opsai.errors import ConfigError
from opsai.report import runner
from opsai.report.results import validate_result

from .conftest import FIXTURES

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, runner.ChapterRun]]:
    run_dir = tmp_path_factory.mktemp("run")
    chapters = runner.discover(
        ["pass", "fail", "slow", "needs_tickets", "params"], notebooks_dir=FIXTURES
    )

    def params(c: runner.Chapter) -> dict:
        base = {"CONFIG": "c.yaml", "OUTPUT_DIR": str(run_dir), "SEED": 7, "FAST": True}
        return base | ({"GREETING": "bonjour"} if c.stem == "params" else {})

    out = runner.run_chapters(
        chapters,
        run_dir,
        present=["orders"],
        parameters=params,
        timeout=lambda c: 4.0 if c.stem == "slow" else 120.0,
        jobs=2,
    )
    return run_dir, {r.chapter.stem: r for r in out}


def _result(run_dir: Path, stem: str) -> dict:
    data = json.loads((run_dir / "results" / f"{stem}.json").read_text("utf-8"))
    validate_result(data)
    return data


def test_pass(runs: tuple[Path, dict]) -> None:
    run_dir, r = runs
    assert r["pass"].state == "ok" and r["pass"].reason is None
    res = _result(run_dir, "pass")
    assert res["status"] == "ok" and res["title"] == "Passes"
    assert res["metrics"] == {"answer": 42, "done": 1} and res["kpis"] == ["answer"]
    assert res["timings"]["seconds"] > 0 and res["timings"]["code_seconds"] > 0
    assert "OUTPUT_DIR" not in res["parameters"]
    assert (run_dir / "notebooks" / "pass.ipynb").is_file()


def test_fail_does_not_stop_others(runs: tuple[Path, dict]) -> None:
    run_dir, r = runs
    assert r["fail"].state == "failed"
    assert r["fail"].reason == "ValueError: planted failure"
    res = _result(run_dir, "fail")
    assert res["status"] == "failed" and "planted failure" in res["reason"]
    nb = nbformat.read(run_dir / "notebooks" / "fail.ipynb", as_version=4)
    assert any(c.metadata.get("papermill", {}).get("exception") for c in nb.cells)
    assert r["params"].state == "ok"  # ran after the failure


def test_skip_when_tables_are_absent(runs: tuple[Path, dict]) -> None:
    run_dir, r = runs
    assert r["needs_tickets"].state == "skipped"
    assert r["needs_tickets"].reason == "needs table tickets, absent from the data"
    assert r["needs_tickets"].notebook is None
    assert _result(run_dir, "needs_tickets")["status"] == "skipped"
    assert not (run_dir / "notebooks" / "needs_tickets.ipynb").exists()


def test_timeout_kills_the_chapter(runs: tuple[Path, dict]) -> None:
    run_dir, r = runs
    assert r["slow"].state == "failed"
    assert r["slow"].reason == "timed out after 4 s (raise chapters.slow.timeout or shorten its sleep)"
    assert r["slow"].seconds < 30
    assert _result(run_dir, "slow")["status"] == "failed"


def test_the_demand_chapter_names_its_item_cap_on_a_timeout() -> None:
    from opsai.config import NOTEBOOKS_DIR

    chapter = runner.read_chapter(Path(NOTEBOOKS_DIR) / "04_demand_inventory.ipynb")
    assert "chapters.04_demand_inventory.parameters.MAX_SERIES" in chapter.timeout_hint


def test_parameters_and_environment_are_injected(runs: tuple[Path, dict]) -> None:
    run_dir, _ = runs
    res = _result(run_dir, "params")
    assert res["metrics"] == {
        "greeting": "bonjour",
        "seed": 7,
        "fast": True,
        "env_chapter": "params",
        "done": 1,
    }
    assert res["parameters"]["GREETING"] == "bonjour"
    nb = nbformat.read(run_dir / "notebooks" / "params.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
    assert (run_dir / "logs" / "params.log").is_file()  # the kernel's own output


def test_discover_orders_and_checks_names(tmp_path: Path) -> None:
    for stem in ("07_integration", "01_b", "00_a"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# Chapter {stem}")])
        nbformat.write(nb, tmp_path / f"{stem}.ipynb")
    got = runner.discover(notebooks_dir=tmp_path)
    assert [c.stem for c in got] == ["00_a", "01_b", "07_integration"]
    assert got[-1].after_all and got[0].title == "Chapter 00_a"
    got = runner.discover(["07_integration", "01_b"], notebooks_dir=tmp_path)
    assert [c.stem for c in got] == ["01_b", "07_integration"]
    with pytest.raises(ConfigError, match="no chapter notebook named 99_x"):
        runner.discover(["99_x"], notebooks_dir=tmp_path)


def test_requirements_with_alternatives() -> None:
    c = runner.read_chapter(FIXTURES / "needs_tickets.ipynb")
    assert c.requires == ("tickets", "orders|demand")
    assert c.missing(["tickets", "demand"]) == []
    assert c.missing(["orders"]) == ["tickets"]
