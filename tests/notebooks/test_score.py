"""``opsai score`` on the tiny demo report: saved models applied to data, CSVs checked."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.cli import main
from opsai.models.store import open_bundle
from opsai.report import build

pytestmark = pytest.mark.notebooks

CHAPTERS = ("03a_user_behavior", "03b_recommendation", "04_demand_inventory")


@pytest.fixture(scope="module")
def scoring(tiny_report: build.ReportRun, tiny_demo: Path, tmp_path_factory) -> tuple[Path, str]:
    """``opsai score`` on the demo itself: the CSV folder and what it printed."""
    out = tmp_path_factory.mktemp("scores")
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert main(["score", "--run", str(tiny_report.path), "--config", str(tiny_demo),
                     "--out", str(out)]) == 0  # fmt: skip
    return out, said.getvalue()


@pytest.fixture(scope="module")
def scored(scoring: tuple[Path, str]) -> Path:
    return scoring[0]


def _results(run: Path, chapter: str) -> dict:
    return json.loads((run / "results" / f"{chapter}.json").read_text("utf-8"))


def test_report_saves_verified_bundles(tiny_report: build.ReportRun) -> None:
    for chapter in CHAPTERS:
        b = open_bundle(tiny_report.path / "models" / chapter)
        assert b.chapter == chapter and b.manifest["data_window"]["end"]
        assert {Path(f).suffix for f in b.manifest["files"]} <= {".json", ".skops", ".safetensors"}
    churn = open_bundle(tiny_report.path / "models" / "03a_user_behavior").metrics
    assert (
        churn["roc_auc"] == _results(tiny_report.path, "03a_user_behavior")["metrics"]["churn.auc"]
    )


def test_churn_risk_matches_the_chapter(scored: Path, tiny_report: build.ReportRun) -> None:
    risk = pd.read_csv(scored / "churn_risk.csv", dtype={"user_id": str})
    assert list(risk.columns[:3]) == ["user_id", "churn_probability", "risk_rank"]
    assert {"clv", "p_alive", "expected_purchases"} <= set(risk.columns)
    assert risk["churn_probability"].between(0, 1).all() and risk["user_id"].is_unique
    assert sorted(risk["risk_rank"]) == list(range(1, len(risk) + 1))
    assert risk["churn_probability"].is_monotonic_decreasing
    # same data, same cut-off: the chapter's at-risk list and top CLV customers are reproduced
    tables = _results(tiny_report.path, "03a_user_behavior")["tables"]
    at_risk = pd.DataFrame(tables["churn.at_risk"]).set_index("user_id")
    got = risk.set_index("user_id")
    assert len(at_risk) > 0
    pd.testing.assert_series_equal(
        got.loc[at_risk.index, "churn_probability"], at_risk["churn_probability"], check_names=False
    )
    top = pd.DataFrame(tables["clv.top_customers"]).set_index("user_id")
    assert got.loc[top.index, "clv"].to_numpy() == pytest.approx(top["clv"].to_numpy(), rel=1e-9)


def test_one_time_buyers_p_alive_is_explained(scoring: tuple[Path, str]) -> None:
    """BG/NBD's p_alive is 1.0 for a buyer without a repeat purchase, beside any churn
    probability: the run says so, with the count, and which column to act on."""
    out, said = scoring
    risk = pd.read_csv(out / "churn_risk.csv", dtype={"user_id": str})
    once = risk[risk["p_alive"] == 1.0]
    assert len(once) > 0 and once["churn_probability"].max() > 0.5  # the pair that confuses
    note = next(line for line in said.splitlines() if line.startswith("note: clv: "))
    assert "buyers have no repeat purchase" in note and "Rank and act on churn_probability" in note
    n = int(note.removeprefix("note: clv: ").split(" of ")[0].replace(",", ""))
    assert 0 < n <= len(once)  # p_alive is exactly 1 at no repeat purchase (or rounds to it)


def test_recommendations_exclude_history(scored: Path, tiny_demo: Path) -> None:
    from opsai.data.workspace import open_workspace
    from opsai.recommend.chapter import load_data

    recs = pd.read_csv(scored / "recommendations.csv", dtype={"user_id": str, "item_id": str})
    assert list(recs.columns) == ["user_id", "item_id", "score", "rank", "source"]
    with open_workspace(tiny_demo) as ws:
        pairs, _ = load_data(ws)
        users = set(ws.to_pandas("users")["user_id"].astype(str))
    assert set(recs["user_id"]) == users | set(pairs["user_id"])
    assert recs.merge(pairs, on=["user_id", "item_id"]).empty  # nothing they already have
    cold = recs[recs["source"] == "fallback"]
    assert not set(cold["user_id"]) & set(pairs["user_id"])
    assert cold.groupby("user_id")["item_id"].apply(tuple).nunique() <= 1  # one bestseller list
    assert (
        recs.groupby("user_id")["rank"].apply(lambda r: list(r) == list(range(1, len(r) + 1))).all()
    )


def test_forecasts_refit_the_saved_choice(scored: Path, tiny_report: build.ReportRun) -> None:
    fc = pd.read_csv(scored / "forecasts.csv", parse_dates=["ds"])
    result = _results(tiny_report.path, "04_demand_inventory")
    saved = json.loads((tiny_report.path / "models/04_demand_inventory/forecast.json").read_text())
    # HORIZON 0 (the default) is 28 periods of the daily demo
    assert result["parameters"]["HORIZON"] == 0 and result["metrics"]["series.horizon"] == 28
    assert saved["h"] == 28 and fc.groupby("unique_id").size().eq(saved["h"]).all()
    assert set(fc["unique_id"]) == set(saved["choice"]) and "total" in set(fc["unique_id"])
    assert (fc.drop_duplicates("unique_id").set_index("unique_id")["model"]
            == pd.Series(saved["choice"])).all()  # fmt: skip
    assert ((fc["lo_95"] <= fc["lo_80"] + 1e-9) & (fc["lo_80"] <= fc["forecast"] + 1e-9)
            & (fc["forecast"] <= fc["hi_80"] + 1e-9) & (fc["hi_80"] <= fc["hi_95"] + 1e-9)).all()  # fmt: skip
    end = pd.Timestamp(json.loads(
        (tiny_report.path / "models/04_demand_inventory/manifest.json").read_text()
    )["data_window"]["end"])  # fmt: skip
    assert fc["ds"].min() > end


def test_missing_tables_are_skipped_with_reasons(
    tiny_report: build.ReportRun, tiny_demo: Path, tmp_path: Path, capsys
) -> None:
    cfg = tmp_path / "only_users.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": str(tiny_demo.parent),
                                            "tables": {"users": {"file": "users.csv"}}}}))  # fmt: skip
    assert main(["score", "--run", str(tiny_report.path), "--config", str(cfg),
                 "--out", str(tmp_path / "out")]) == 1  # fmt: skip
    said = capsys.readouterr().out
    assert (
        "skipped 03a_user_behavior: the new data has no orders or events table (present: users)"
        in said
    )
    assert "skipped 03b_recommendation: recommend: no events or orders table" in said
    assert "skipped 04_demand_inventory:" in said and "nothing written" in said


def test_tampered_model_is_refused(tiny_report: build.ReportRun, tiny_demo: Path, tmp_path: Path,
                                   capsys) -> None:  # fmt: skip
    run = tmp_path / "run"
    shutil.copytree(tiny_report.path / "models", run / "models")
    target = run / "models" / "03a_user_behavior" / "churn.json"
    spec = json.loads(target.read_text())
    spec["horizon_days"] += 1
    target.write_text(json.dumps(spec))
    assert main(["score", "--run", str(run), "--config", str(tiny_demo),
                 "--out", str(tmp_path / "out")]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert "churn.json: SHA-256" in err and "does not match the manifest" in err
