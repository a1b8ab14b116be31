"""The config's currency on every money figure of the executive report, and nowhere else."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai import executive as ex
from opsai.executive import findings as fd
from opsai.executive.results import BEHAVIOR, SERVICE

from .test_plan_and_text import joins

pytestmark = pytest.mark.unit


def test_scorecard_money_figures_carry_the_currency(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    sc = ex.kpi_scorecard(run)
    html = ex.scorecard_html(sc, currency="TWD")
    assert "1,000 TWD" in html and "1,340 TWD" in html  # revenue, spend at risk
    assert html.count("TWD") == 2  # not on orders, users, shares or tickets
    assert "TWD" not in ex.scorecard_html(sc)  # no currency given: bare numbers, as before
    text = ex.summary(sc, pd.DataFrame(columns=["area"]), company="Acme", currency="TWD")
    assert "- **Revenue, last 28 days**: 1,000 TWD (+10.0%, last 28 days vs 28 before)" in text


def test_format_value_uses_the_currency_only_for_money() -> None:
    from opsai.executive.narrative import format_value

    assert format_value(11738.4, "revenue_28d", currency="CNY") == "11,738 CNY"
    assert format_value(12.5, "value_at_risk", currency="CNY") == "12.50 CNY"
    assert format_value(11738.4, "orders_28d", currency="CNY") == "11,738"
    assert format_value(0.25, "share", currency="CNY") == "25.0%"


def test_actions_and_outreach_write_money_with_the_currency(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    plan = ex.action_plan(run, joins(run), currency="CNY").set_index("rule")
    out = plan.loc["outreach"]
    assert out["why"].endswith("they hold 300 CNY of spend at risk.")
    assert out["expected_effect"] == "about 60 CNY (30 to 90 CNY)"
    over = plan.loc["overstock"]
    assert over["why"].startswith("1 items hold 400 CNY of surplus stock")
    assert over["expected_effect"] == "about 200 CNY (120 to 280 CNY)"
    assert "CNY" not in plan.loc["funnel", "expected_effect"]  # percentage points
    assert "CNY" not in plan.loc["stockout", "expected_effect"]  # units
    bare = ex.action_plan(run, joins(run)).set_index("rule")
    assert bare.loc["outreach", "expected_effect"] == "about 60 (30 to 90) in value"
    f = fd.outreach(joins(run)["outreach"], run, currency="CNY")
    assert "they hold 300 CNY of the 1,340 CNY spend at risk (22%)" in f.text


def test_no_currency_where_the_orders_have_no_value(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    for r in run.chapters[BEHAVIOR]["tables"]["churn.at_risk"]:
        r["purchases"], r["purchases_at_risk"] = r.pop("value"), r.pop("value_at_risk")
    out = ex.outreach_list(
        run.table(BEHAVIOR, "churn.at_risk"), run.table(SERVICE, "sentiment.negative_users")
    )
    assert "CNY" not in fd.outreach(out, run, currency="CNY").text
    plan = ex.action_plan(run, {"outreach": out}, currency="CNY")
    assert not plan["why"].str.contains("spend at risk").any()
    sc = ex.kpi_scorecard(run)
    assert ex.scorecard_html(sc, currency="CNY").count("CNY") == 1  # revenue only


def test_context_reads_the_currency_from_the_config(tmp_path: Path) -> None:
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text("company: Acme\ncurrency: CNY\n", "utf-8")
    assert ex.context(cfg)[:2] == ("Acme", "CNY")
    (tmp_path / "usd.yaml").write_text("company: Acme\n", "utf-8")
    assert ex.context(tmp_path / "usd.yaml")[1] == "USD"  # the config's default
    assert ex.context(None) == ("Our company", "", None)  # no config: money shown bare


def test_index_page_shows_the_run_currency(run_folder: Path, tmp_path: Path) -> None:
    from opsai.report import render
    from opsai.report.results import empty_result

    run = ex.load_run(run_folder)
    exec_result = empty_result("07_integration", title="Executive report")
    exec_result["tables"] = {"scorecard": ex.kpi_scorecard(run).to_dict(orient="records")}
    meta = {"title": "T", "company": "C", "currency": "TWD", "finished": "now", "seconds": 1.0,
            "source": "s", "config": "c", "span": "", "tables": [], "parameters": {},
            "started": "", "run": "r", "version": "0", "warnings": []}  # fmt: skip
    results = [*run.chapters.values(), exec_result]
    html = render.render_index(tmp_path / "i.html", results, meta=meta, pages={}).read_text()
    scorecard, cards = html.split("Key figures by chapter")
    assert "1,000 TWD" in scorecard and "1,340 TWD" in scorecard
    assert '<div class="value">1,000 TWD</div><div class="name">Revenue 28d</div>' in cards
    assert "<dt>Currency</dt><dd>TWD" in cards
    del meta["currency"]  # a run folder from before: no code, no failure
    html = render.render_index(tmp_path / "j.html", results, meta=meta, pages={}).read_text()
    assert "TWD" not in html and "Currency</dt>" not in html


@pytest.mark.parametrize("sales_is", ["revenue", "units", None])
def test_marketing_action_names_the_unit_of_sales(run_folder: Path, sales_is: str | None) -> None:
    """More spend adds revenue a period (in the currency), or units sold when the market data
    counts units (SALES_IS: units); a run saved before the key existed reads as revenue."""
    from opsai.executive.results import MARKET

    run = ex.load_run(run_folder)
    ev = {"change": 0.1, "extra_spend": 500.0, "extra_sales": 2500.0, "lo": 1500.0, "hi": 3500.0}
    if sales_is:
        ev["sales_is"] = sales_is
    run.chapters[MARKET]["findings"] = [{"name": "marketing_what_if", "severity": "info",
                                         "text": "Raising spend ...", "evidence": ev}]  # fmt: skip
    plan = ex.action_plan(run, joins(run), currency="EUR").set_index("rule")
    effect = plan.loc["marketing", "expected_effect"]
    if sales_is == "units":
        assert effect == "about 2,500 (1,500 to 3,500) units sold a period"
        assert ex.rank_findings(run).set_index("name").loc["marketing_what_if", "impact"] != 2500
    else:
        assert effect == "about 2,500 EUR (1,500 to 3,500 EUR) a period"
        assert ex.rank_findings(run).set_index("name").loc["marketing_what_if", "impact"] == 2500


def test_outreach_says_no_churn_model_was_trained(run_folder: Path) -> None:
    import json

    path = run_folder / "results" / "03a_user_behavior.json"
    r = json.loads(path.read_text("utf-8"))
    reason = "only 3 of the 19 training users churned, fewer than the 10 a churn model needs to learn from"
    r["findings"] = [{"name": "churn_skipped", "text": "No churn model was trained.", "severity": "medium",
                      "evidence": {"reason": reason}}]  # fmt: skip
    r["metrics"]["churn.model"] = None
    r["tables"].pop("churn.at_risk")
    path.write_text(json.dumps(r), "utf-8")
    run = ex.load_run(run_folder)
    out = ex.outreach_list(
        run.table(BEHAVIOR, "churn.at_risk"), run.table(SERVICE, "sentiment.negative_users")
    )
    f = fd.outreach(out, run, currency="CNY")
    assert (
        f.text
        == f"No priority outreach list: the behaviour chapter trained no churn model ({reason})."
    )
    assert f.evidence == {"reason": reason} and out.empty


def test_overstock_without_unit_cost_is_in_units_not_money(run_folder: Path) -> None:
    from opsai.executive.results import DEMAND

    run = ex.load_run(run_folder)
    for r in run.chapters[DEMAND]["tables"]["alerts.table"]:
        if r["name"].startswith("overstock."):  # byod6 D12: no unit_cost mapped
            r["excess_value"], r["excess_units"] = None, 80.0
    over = ex.action_plan(run, joins(run), currency="USD").set_index("rule").loc["overstock"]
    assert over["why"].startswith("1 items hold 80 surplus units (no unit cost is mapped")
    assert over["expected_effect"] == "about 40 (24 to 56) units cleared"
    assert "USD" not in over["why"] + over["expected_effect"]


def test_stockout_action_counts_stock_on_order(run_folder: Path) -> None:
    from opsai.executive.results import DEMAND

    run = ex.load_run(run_folder)
    for r in run.chapters[DEMAND]["tables"]["alerts.table"]:
        if r["name"] == "stockout.i2":  # 10 on hand, 50 +- 10 over the lead time (byod6 D10)
            r["on_order"] = 30.0
    act = ex.action_plan(run, joins(run)).set_index("rule").loc["stockout"]
    assert act["why"].startswith("10 on hand, 30 on order against 50 ± 10 units of demand")
    assert act["expected_effect"] == "about 10 (0.00 to 26) units uncovered"


def test_a_store_out_of_stock_now_is_an_action_to_transfer_or_reorder(run_folder: Path) -> None:
    """byod12a D9: chapter 04's alert for P0015 at S004 (0 on hand for 10 days after 111 a
    day) is an action of its own, not an item short of its lead-time demand; the join of
    recommended items leaves it out (the item is in stock elsewhere)."""
    from opsai.executive.results import DEMAND

    run = ex.load_run(run_folder)
    run.chapters[DEMAND]["tables"]["alerts.table"] = [
        {"name": "stockout.i2@S004", "item_id": "i2", "store": "S004", "on_hand": 0.0,
         "since": "2023-06-21", "rate_before": 111.0, "sd_before": 20.0, "periods": 10,
         "lost_units": 1110.0, "transfer_from": ["S001", "S005"]},
    ]  # fmt: skip
    plan = ex.action_plan(run, joins(run)).set_index("rule")
    act = plan.loc["stockout"]
    assert act["action"] == (
        "Transfer item i2 to store S004 from S001, S005, or reorder: nothing on hand there "
        "since 2023-06-21."
    )
    assert act["mid"] == pytest.approx(1110.0)
    assert act["low"] == pytest.approx(1110.0 - 1.645 * 20 * 10**0.5)
    assert act["unit"] == "units of lost sales"
    assert joins(run)["stockout_recommendations"].empty  # i2 is recommended, but in stock
