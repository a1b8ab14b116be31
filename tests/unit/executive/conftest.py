"""A synthetic run: the results files the executive report reads, written by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opsai.report.results import empty_result, write_result


def chapter(stem: str, **parts: Any) -> dict[str, Any]:
    r = empty_result(stem, title=stem.split("_", 1)[1].replace("_", " "))
    for k, v in parts.items():
        r[k] = v
    return r


def months(start: str, n: int) -> list[str]:
    import pandas as pd

    return [str(p) for p in pd.period_range(start, periods=n, freq="M")]


def volume_rows() -> list[dict[str, Any]]:
    """12 months of tickets: 'coupon' doubles from 2024-04 on; 'refund' spikes once (2024-07)."""
    rows = []
    for i, m in enumerate(months("2023-10", 12)):
        after = i >= 6
        counts = {"coupon": 20 if after else 10, "refund": 10, "delivery": 80}
        if m == "2024-07":
            counts["refund"] = 100
        total = sum(counts.values())
        rows += [{"period": m, "intent": k, "tickets": v, "period_total": total, "share": v / total}
                 for k, v in counts.items()]  # fmt: skip
    return rows


def make_run(folder: Path) -> Path:
    """A run folder with the six chapters' results (only what the executive report reads)."""
    res = folder / "results"
    res.mkdir(parents=True)
    overview = chapter(
        "00_data_overview",
        metrics={"revenue_28d": 1000.0, "revenue_28d_change": 0.1},
        kpis=["revenue_28d"],
        tables={"table_overview": [
            {"table": "orders", "rows": 500, "start": "2023-01-01", "end": "2024-12-31"},
            {"table": "tickets", "rows": 90, "start": "2023-02-01", "end": "2024-12-30"}]},
        findings=[{"name": "activity", "text": "Revenue 1,000.", "severity": "info",
                   "evidence": {"orders": 40, "orders_change": -0.05, "active_users": 30,
                                "active_users_change": 0.0}}],
    )  # fmt: skip
    behavior = chapter(
        "03a_user_behavior",
        metrics={"churn.model": "gbm", "churn.auc": 0.8, "clv.holdout_total_error_pct": -3.0},
        tables={
            "churn.at_risk": [
                {"user_id": "u1", "churn_probability": 0.9, "value": 1000.0, "value_at_risk": 900.0},
                {"user_id": "u2", "churn_probability": 0.6, "value": 500.0, "value_at_risk": 300.0},
                {"user_id": "u3", "churn_probability": 0.7, "value": 200.0, "value_at_risk": 140.0},
            ],
            "retention.lifecycle": [
                {"period": "2024-11-01", "new": 10, "active": 100, "dormant": 5},
                {"period": "2024-12-01", "new": 12, "active": 110, "dormant": 5},
            ],
            "churn.table": [{"model": "gbm", "base_rate": 0.4}],
            "churn.importances": [{"feature": "recency_days", "importance": 0.2}],
        },
        findings=[{"name": "funnel_gap_device", "text": "Mobile 40% vs desktop 80%.", "severity": "high",
                   "evidence": {"breakdown": "device", "worst": "mobile", "best": "desktop",
                                "step": ["checkout", "purchase"], "worst_rate": 0.4, "best_rate": 0.8}}],
    )  # fmt: skip
    recommend = chapter(
        "03b_recommendation",
        metrics={"best.model": "ease", "lift_over_popularity": 2.0},
        tables={
            "recommendations.items": [
                {"item_id": "i1", "users": 30},
                {"item_id": "i2", "users": 70},
            ]
        },
    )
    demand = chapter(
        "04_demand_inventory",
        metrics={"best.model": "Theta", "alerts.stockout_count": 1},
        tables={
            "alerts.table": [
                {"name": "stockout.i2", "item_id": "i2", "on_hand": 10.0, "lead_time_days": 7,
                 "lead_time_demand": 50.0, "lead_time_demand_sd": 10.0, "stockout_probability": 0.99,
                 "days_of_cover": 1.4},
                {"name": "overstock.i9", "item_id": "i9", "excess_value": 400.0},
            ],
            "plan.table": [{"item_id": "i2", "action": "order now", "quantity": 80.0}],
        },
        findings=[{"name": "stockout.i2", "text": "Item i2 will stock out.", "severity": "high",
                   "evidence": {"item_id": "i2"}},
                  {"name": "overstock.i9", "text": "Item i9 is overstocked.", "severity": "medium",
                   "evidence": {"excess_value": 400.0}}],
    )  # fmt: skip
    service = chapter(
        "05_customer_service",
        metrics={"intent.model": "tfidf", "intent.accuracy": 0.9},
        tables={
            "volume.table": volume_rows(),
            "sentiment.negative_users": [
                {"user_id": "u2", "negative_tickets": 3, "tickets": 4, "last_negative": "2024-12-01",
                 "last_intent": "refund"},
                {"user_id": "u9", "negative_tickets": 1, "tickets": 1, "last_negative": "2024-11-01",
                 "last_intent": "coupon"},
            ],
        },
    )  # fmt: skip
    market = chapter(
        "06_market_competition",
        metrics={"share.latest": 0.2, "share.change_12m": -1.5},
        tables={"competitor_events": [
            {"company": "Rival", "metric": "price", "period": "2024-04-01T00:00:00", "change": -0.2,
             "share_change": 0.04, "share_lo": 0.02, "share_hi": 0.06}]},
    )  # fmt: skip
    for r in (overview, behavior, recommend, demand, service, market):
        write_result(res / f"{r['chapter']}.json", r)
    (res / "07_integration.json").write_text(json.dumps(chapter("07_integration")))
    return folder


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    return make_run(tmp_path / "reports" / "run1")
