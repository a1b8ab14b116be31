from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from opsai import executive as ex
from opsai.errors import ChapterError, ConfigError
from opsai.executive.results import BEHAVIOR, DEMAND, MARKET, OVERVIEW, RECOMMEND, SERVICE
from opsai.report.results import load_result, write_result

from .conftest import make_run, volume_rows

pytestmark = pytest.mark.unit


def test_load_run_reads_chapters_but_not_itself(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    assert "07_integration" not in run.chapters
    assert run.metric(BEHAVIOR, "churn.auc") == 0.8
    assert run.metric(BEHAVIOR, "nope", 5) == 5
    assert list(run.table(RECOMMEND, "recommendations.items")["item_id"]) == ["i1", "i2"]
    assert run.span() == "2023-01-01 to 2024-12-31"


def test_a_failed_chapter_is_absent_and_says_why(run_folder: Path) -> None:
    path = run_folder / "results" / f"{SERVICE}.json"
    r = load_result(path)
    r["status"], r["reason"] = "failed", "boom in cell 3"
    write_result(path, r)
    run = ex.load_run(run_folder)
    assert run.table(SERVICE, "volume.table").empty
    assert run.why_missing(SERVICE) == f"{SERVICE} failed: boom in cell 3"
    assert "did not run" in run.why_missing("99_other")
    assert SERVICE not in set(run.findings()["chapter"])
    assert run.usable(BEHAVIOR) and not run.usable(BEHAVIOR, SERVICE) and not run.usable("99_other")


def test_load_run_needs_a_run_folder(tmp_path: Path) -> None:
    with pytest.raises(ChapterError, match="OUTPUT_DIR must be a report run folder"):
        ex.load_run(tmp_path)


def test_previous_run_is_latest_when_it_is_another_run(run_folder: Path) -> None:
    reports = run_folder.parent
    old = make_run(reports / "run0")
    os.symlink(old.name, reports / "latest")
    prev = ex.previous_run(run_folder)
    assert prev is not None and prev.path == old.resolve()
    assert ex.previous_run(old) is None  # latest is this very run
    assert ex.previous_run(run_folder, str(reports / "missing")) is None


def test_outreach_joins_at_risk_with_negative_users(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    out = ex.outreach_list(
        run.table(BEHAVIOR, "churn.at_risk"), run.table(SERVICE, "sentiment.negative_users")
    )
    assert list(out["user_id"]) == ["u2"]  # u9 is not at risk, u1/u3 did not complain
    assert out.loc[0, "value_at_risk"] == 300.0 and out.loc[0, "negative_tickets"] == 3
    with pytest.raises(ConfigError, match=r"churn\.at_risk: no user_id"):
        ex.outreach_list(pd.DataFrame({"uid": [1]}), run.table(SERVICE, "sentiment.negative_users"))


def test_stockout_recommendations_merges_alerts_and_plan(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    out = ex.stockout_recommendations(
        run.table(RECOMMEND, "recommendations.items"), run.table(DEMAND, "alerts.table"),
        run.table(DEMAND, "plan.table"),
    )  # fmt: skip
    assert list(out["item_id"]) == ["i2"]
    row = out.iloc[0]
    assert row["users_recommended"] == 70 and row["share_of_users"] == pytest.approx(0.7)
    assert row["action"] == "order now" and row["order_quantity"] == 80.0


def test_intents_after_moves_finds_the_sustained_rise_not_the_spike(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    out = ex.intents_after_competitor_moves(
        run.table(SERVICE, "volume.table"), run.table(MARKET, "competitor_events")
    )
    assert list(out["intent"]) == ["coupon"]  # refund's one-month spike does not count
    r = out.iloc[0]
    assert (r["company"], r["period"], r["move"]) == ("Rival", "2024-04", "price -20%")
    assert r["share_before"] == pytest.approx(10 / 100) and r["share_after"] == pytest.approx(
        20 / 110
    )
    assert r["extra_tickets_per_period"] == pytest.approx(10.0)
    assert r["p_value"] < 0.01


def test_intents_after_moves_edge_cases() -> None:
    vol = pd.DataFrame(volume_rows())
    moves = pd.DataFrame({"company": ["R"], "period": [15], "change": [-0.1]})  # integer periods
    assert ex.intents_after_competitor_moves(vol, moves).empty
    with pytest.raises(ConfigError, match="window must be >= 2"):
        ex.intents_after_competitor_moves(vol, moves, window=1)
    weekly = vol.assign(period=vol["period"] + "-01/" + vol["period"] + "-07")
    real = pd.DataFrame({"company": ["R"], "period": ["2024-04"], "change": [-0.1]})
    assert list(ex.intents_after_competitor_moves(weekly, real)["intent"]) == ["coupon"]


def test_no_inventory_table_is_not_reported_as_no_stockout(run_folder: Path) -> None:
    from opsai.executive import findings as fd

    run = ex.load_run(run_folder)
    assert "expected to stock out" in fd.stockout_recommendations(pd.DataFrame(), run).text
    run.chapters[DEMAND]["tables"]["plan.table"] = []  # forecasts only: no stock levels
    f = fd.stockout_recommendations(pd.DataFrame(), run)
    assert f.text == (
        "No check of recommended items against stock: 04_demand_inventory had no inventory table."
    )
    assert f.evidence == {}


def test_at_risk_without_values_quotes_no_spend(run_folder: Path) -> None:
    """Orders read from value-less purchase events: the at-risk list counts purchases, so the
    outreach finding, the action plan and the scorecard name no spend (and do not fail)."""
    from opsai.executive import findings as fd

    run = ex.load_run(run_folder)
    rows = run.chapters[BEHAVIOR]["tables"]["churn.at_risk"]
    for r in rows:
        r["purchases"], r["purchases_at_risk"] = r.pop("value") / 100, r.pop("value_at_risk") / 100
    at_risk, negative = (
        run.table(BEHAVIOR, "churn.at_risk"),
        run.table(SERVICE, "sentiment.negative_users"),
    )
    out = ex.outreach_list(at_risk, negative)
    assert list(out["user_id"]) == ["u2"] and out["value_at_risk"].isna().all()
    f = fd.outreach(out, run)
    assert (
        f.text
        == "1 of the 3 frequent buyers at churn risk also filed negative tickets (3 in all). Call them first."
    )
    assert f.evidence == {"users": 1, "at_risk": 3}
    assert "outreach" not in set(ex.action_plan(run, {"outreach": out})["rule"])
    assert "value_at_risk" not in set(ex.kpi_scorecard(run)["key"])  # no spend to show


def test_sales_read_from_purchase_events_say_so_on_the_scorecard(run_folder: Path) -> None:
    """Events only (a GA4 export): the overview's revenue and orders are purchase events, and
    the scorecard's labels say so; with an orders table they stay as they were."""
    run = ex.load_run(run_folder)
    plain = ex.kpi_scorecard(run).set_index("key")
    assert plain.loc["revenue_28d", "kpi"] == "Revenue, last 28 days"
    assert plain.loc["orders_28d", "kpi"] == "Orders, last 28 days"
    run.finding(OVERVIEW, "activity")["evidence"]["sales_event"] = "purchase"
    sc = ex.kpi_scorecard(run).set_index("key")
    assert sc.loc["revenue_28d", "kpi"] == "Revenue, last 28 days (from 'purchase' events)"
    assert sc.loc["orders_28d", "kpi"] == "Orders, last 28 days (from 'purchase' events)"
    assert (sc.loc["revenue_28d", "value"], sc.loc["orders_28d", "value"]) == (1000.0, 40.0)
