"""Chapter 03a when every order is a guest order (no customer column) but events are there:
before, the whole chapter was skipped ("every one of the N orders is a guest order"), losing
the funnel, paths and retention the events still give. Now only the per-customer sections
(segments, churn, lifetime value) are skipped, each saying why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.report import build

pytestmark = pytest.mark.notebooks


def test_guest_orders_with_events_keep_the_funnel_and_retention(
    tiny_demo: Path, tmp_path: Path
) -> None:
    src = tiny_demo.parent
    orders = pd.read_csv(src / "orders.csv", dtype=str).drop(columns="user_id")
    orders.to_csv(tmp_path / "orders.csv", index=False)
    events = next(src.glob("events.*"))
    shutil.copy(events, tmp_path / events.name)
    tables = {"orders": {"file": "orders.csv"}, "events": {"file": events.name}}
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": str(tmp_path), "tables": tables}}))
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["03a_user_behavior"])  # fmt: skip
    data = json.loads((run.path / "results" / "03a_user_behavior.json").read_text("utf-8"))
    assert data["status"] == "ok", data.get("reason")
    n = orders.loc[orders["amount"].astype(float) >= 0, "order_id"].nunique()
    found = {f["name"]: f["text"] for f in data["findings"]}
    assert found["customers_skipped"].startswith(
        f"Segments, churn and lifetime value were skipped: every one of the {n:,} orders is a "
        "guest order (orders.user_id is empty or not mapped)"
    )
    assert "guest_orders" not in found  # no '100% of orders are anonymous' beside it
    m = data["metrics"]
    assert m["segments.count"] is None and m["churn.auc"] is None
    assert m["clv.holdout_total_error_pct"] is None
    assert 0 < m["funnel.overall_conversion"] < 1  # the events' funnel
    assert len(data["tables"]["retention.table"]) > 0
