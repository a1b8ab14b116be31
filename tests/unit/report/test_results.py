from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ChapterError
from opsai.report import results as rec

pytestmark = pytest.mark.unit


def test_record_writes_the_documented_shape(run_dir: Path) -> None:
    rec.start_chapter("00_x", output_dir=run_dir, title="X", parameters={"SEED": np.int64(3)})
    rec.record("orders", np.int64(12), kpi=True)
    rec.record("share", np.float64(0.25))
    rec.record("nan", float("nan"))
    rec.record(
        "rows", pd.DataFrame({"a": [1, 2], "t": pd.to_datetime(["2024-01-01", None])}), kind="table"
    )
    rec.record(
        "drop", "Revenue fell 12%.", kind="finding", severity="high", evidence={"chg": -0.12}
    )
    data = json.loads((run_dir / "results" / "00_x.json").read_text("utf-8"))
    rec.validate_result(data)
    assert data["chapter"] == "00_x" and data["title"] == "X" and data["status"] == "ok"
    assert data["metrics"] == {"orders": 12, "share": 0.25, "nan": None}
    assert data["kpis"] == ["orders"]
    assert data["parameters"] == {"SEED": 3}
    assert data["tables"]["rows"] == [{"a": 1, "t": "2024-01-01T00:00:00"}, {"a": 2, "t": None}]
    assert data["findings"] == [
        {
            "name": "drop",
            "text": "Revenue fell 12%.",
            "severity": "high",
            "evidence": {"chg": -0.12},
        }
    ]


def test_same_finding_name_replaces(run_dir: Path) -> None:
    rec.start_chapter("c", output_dir=run_dir)
    rec.record("f", "first", kind="finding")
    rec.record("f", "second", kind="finding")
    assert [f["text"] for f in rec.current().result["findings"]] == ["second"]


def test_defaults_from_runner_environment(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rec.ENV_CHAPTER, "05_service")
    monkeypatch.setenv(rec.ENV_OUTPUT_DIR, str(run_dir))
    rec.record("x", 1)  # no start_chapter: started from the environment
    assert (run_dir / "results" / "05_service.json").is_file()


def test_defaults_when_opened_by_hand(run_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/me/notebooks/03a_user_behavior.ipynb")
    r = rec.start_chapter(output_dir="")
    assert r.chapter == "03a_user_behavior"
    assert r.output_dir.name == "scratch" and r.output_dir.parent.name == "reports"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "m", "value": [1, 2]}, "kind='table'"),
        ({"name": "f", "value": "x", "kind": "finding", "severity": "urgent"}, "severity"),
        ({"name": "f", "value": "  ", "kind": "finding"}, "empty"),
        ({"name": "t", "value": [1, 2], "kind": "table"}, "list of dicts"),
        ({"name": "k", "value": 1, "kind": "graph"}, "kind 'graph' unknown"),
        ({"name": "", "value": 1}, "non-empty"),
    ],
)
def test_bad_records_say_how_to_fix(run_dir: Path, kwargs: dict, match: str) -> None:
    rec.start_chapter("c", output_dir=run_dir)
    with pytest.raises(ChapterError, match=match):
        rec.record(**kwargs)


def test_validate_result_names_the_key() -> None:
    bad = rec.empty_result("c")
    bad["findings"] = [{"text": "x", "severity": "urgent", "evidence": {}}]
    with pytest.raises(ChapterError, match="findings/0/severity"):
        rec.validate_result(bad)
    rec.validate_result(rec.empty_result("c"))


def test_load_result_errors(tmp_path: Path) -> None:
    with pytest.raises(ChapterError, match="not found"):
        rec.load_result(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{", "utf-8")
    with pytest.raises(ChapterError, match="not valid JSON"):
        rec.load_result(tmp_path / "bad.json")
