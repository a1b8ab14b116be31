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


def _session_clicks(path: Path) -> None:
    """300 anonymous visits over 60 days (YOOCHOOSE-like): each a view, half add to cart and a
    fifth buy, all within minutes; the session is the only id."""
    rows = []
    for i in range(300):
        t = pd.Timestamp("2024-01-01 09:00") + pd.Timedelta(days=i % 60, minutes=i)
        steps = ["view"] + ["add_to_cart"] * (i % 2 == 0) + ["purchase"] * (i % 5 == 0)
        rows += [(f"s{i}", t + pd.Timedelta(minutes=2 * k), e, 10.0 + i % 7 if e == "purchase" else None)
                 for k, e in enumerate(steps)]  # fmt: skip
    pd.DataFrame(rows, columns=["sess", "at", "action", "amount"]).to_csv(path, index=False)


def test_visits_as_user_ids_skip_retention_churn_and_value(tmp_path: Path) -> None:
    """byod9a D11: YOOCHOOSE maps its session as user_id and session_id. 03a then followed
    9,000 visits as customers ("On average 0% of a cohort is active again one month later ...
    3,075 went dormant", "Mid-value one-timers are 74% of buyers", "only 0 of the 535 training
    users stayed"). Now retention, segments, churn and lifetime value are skipped with one
    reason, recorded as skipped, the funnel and paths count sessions, and 07 runs on it."""
    _session_clicks(tmp_path / "clicks.csv")
    cols = {"user_id": "sess", "session_id": "sess", "timestamp": "at", "event": "action"}
    tables = {"events": {"file": "clicks.csv", "columns": cols}}
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": str(tmp_path), "tables": tables}}))
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["03a_user_behavior", "07_integration"])  # fmt: skip
    data = json.loads((run.path / "results" / "03a_user_behavior.json").read_text("utf-8"))
    assert data["status"] == "ok", data.get("reason")
    found = {f["name"]: f for f in data["findings"]}
    assert found["visits_skipped"]["severity"] == "medium"
    assert found["visits_skipped"]["text"] == (
        "The user ids are visits (100.0% of 300 seen on one day only, each the row's session_id): "
        "retention, segments, churn and lifetime value need a customer id; map "
        "data.tables.events.columns.user_id to one (a member, account or e-mail id). The funnel "
        "and paths below count sessions."
    )
    assert not {"retention", "top_segment", "churn_skipped", "clv_holdout"} & set(found)
    m, tables = data["metrics"], data["tables"]
    assert m["segments.count"] is None and m["churn.auc"] is None
    assert m["clv.holdout_total_error_pct"] is None
    assert tables["retention.table"] == [] and tables["retention.lifecycle"] == []
    assert m["funnel.overall_conversion"] == pytest.approx(30 / 300, abs=0.001)  # view, cart, buy
    assert [r["units"] for r in tables["funnel.table"]] == [300, 150, 30]
    page = (run.path / "03a_user_behavior.html").read_text("utf-8")
    assert "<th>sessions</th>" in page  # the funnel and the paths say what they count
    ex = json.loads((run.path / "results" / "07_integration.json").read_text("utf-8"))
    assert ex["status"] == "ok", ex.get("reason")
    kpis = {r["key"] for r in ex["tables"]["scorecard"]}
    assert "funnel_conversion" in kpis
    assert not kpis & {"active_users_month", "new_users_month", "dormant_month"}
