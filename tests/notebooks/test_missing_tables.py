"""Chapters on data that lacks a table they can use: what cannot be measured is said once and
never reported as zero (the M3 and review case studies: demand without inventory, tickets only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsai.report import build
from opsai.report.render import index_context

pytestmark = pytest.mark.notebooks


def _config(tiny_demo: Path, tmp_path: Path, tables: dict[str, str]) -> Path:
    cfg = tmp_path / "opsai.yaml"
    spec = {"source": str(tiny_demo.parent), "tables": {t: {"file": f} for t, f in tables.items()}}
    cfg.write_text(yaml.safe_dump({"name": "partial", "data": spec}))
    return cfg


def _results(run: build.ReportRun, stem: str) -> dict[str, Any]:
    data = json.loads((run.path / "results" / f"{stem}.json").read_text("utf-8"))
    assert data["status"] == "ok", data.get("reason")
    return data


def test_demand_without_inventory_reports_no_stock_figures(tiny_demo: Path, tmp_path: Path) -> None:
    cfg = _config(tiny_demo, tmp_path, {"demand": "demand.csv", "items": "items.csv"})
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["04_demand_inventory", "07_integration"])  # fmt: skip
    demand = _results(run, "04_demand_inventory")
    for name in ("alerts.stockout_count", "plan.order_now", "simulation.fill_rate"):
        assert demand["metrics"][name] is None, name
    texts = [f["text"] for f in demand["findings"]]
    assert sum(t.startswith("No inventory table") for t in texts) == 1
    scorecard = {r["key"] for r in _results(run, "07_integration")["tables"]["scorecard"]}
    assert not scorecard & {"stockouts", "order_now", "fill_rate"}
    kpis = {k["name"] for k in index_context([demand], meta={}, pages={})["kpis"]}
    assert "best.mase" in kpis and "plan.order_now" not in kpis


def test_tickets_only_overview_claims_no_activity(tiny_demo: Path, tmp_path: Path) -> None:
    cfg = _config(tiny_demo, tmp_path, {"tickets": "tickets.csv"})
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["00_data_overview"])  # fmt: skip
    overview = _results(run, "00_data_overview")
    assert "activity" not in {f["name"] for f in overview["findings"]}
    assert overview["metrics"]["days_covered"] > 56
    page = (run.path / "00_data_overview.html").read_text("utf-8")
    assert "No events or orders table: there is no activity over time to show." in page
    assert "Less than" not in page


def test_labelled_texts_only(tiny_demo: Path, tmp_path: Path) -> None:
    """Labelled intent data is often just text and label: no id, no timestamp, nothing else.
    The tickets are numbered, the intent models are trained and scored, and what needs time
    (trends, spikes, the ticket trend on the index) is skipped, not faked."""
    import pandas as pd

    src = pd.read_csv(tiny_demo.parent / "tickets.csv")
    src[["text", "intent"]].rename(columns={"text": "utterance", "intent": "label"}).to_csv(
        tmp_path / "labelled.csv", index=False
    )
    cfg = tmp_path / "labelled.yaml"
    tables = {"tickets": {"file": "labelled.csv", "columns": {"text": "utterance", "intent": "label"}}}
    cfg.write_text(yaml.safe_dump({"name": "labelled", "data": {"source": str(tmp_path), "tables": tables}}))
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["00_data_overview", "05_customer_service", "07_integration"])  # fmt: skip
    service = _results(run, "05_customer_service")
    assert service["metrics"]["intent.accuracy"] > 0.5
    volume = pd.DataFrame(service["tables"]["volume.table"])
    assert volume["period"].unique().tolist() == ["all"]
    assert volume["tickets"].sum() == len(src)
    assert service["tables"]["volume.spikes"] == []
    page = (run.path / "05_customer_service.html").read_text("utf-8")
    assert "No timestamp column: volume is counted over all tickets" in page
    _results(run, "00_data_overview")
    card = {r["key"]: r for r in _results(run, "07_integration")["tables"]["scorecard"]}
    assert card["tickets"]["value"] == len(src) and card["tickets"]["change"] is None
