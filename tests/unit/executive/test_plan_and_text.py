from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from opsai import executive as ex
from opsai.errors import ConfigError, OpsaiError
from opsai.executive import findings as efd
from opsai.executive.results import BEHAVIOR, DEMAND, MARKET, OVERVIEW, RECOMMEND, SERVICE

pytestmark = pytest.mark.unit


def joins(run: ex.RunResults) -> dict[str, pd.DataFrame]:
    return {
        "outreach": ex.outreach_list(run.table(BEHAVIOR, "churn.at_risk"), run.table(SERVICE, "sentiment.negative_users")),
        "stockout_recommendations": ex.stockout_recommendations(
            run.table(RECOMMEND, "recommendations.items"), run.table(DEMAND, "alerts.table")),
        "intents_after_moves": ex.intents_after_competitor_moves(
            run.table(SERVICE, "volume.table"), run.table(MARKET, "competitor_events")),
    }  # fmt: skip


def test_scorecard_values_changes_and_assessment(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    sc = ex.kpi_scorecard(run, run).set_index("key")
    assert sc.loc["revenue_28d", "value"] == 1000.0 and sc.loc["revenue_28d", "change"] == 0.1
    assert sc.loc["revenue_28d", "assessment"] == "better"
    assert sc.loc["orders_28d", "assessment"] == "worse"  # -5%
    # 110 users in December's 31 days against 100 in November's 30: +6.5% past the extra day
    assert sc.loc["active_users_month", "change"] == pytest.approx(110 / (100 * 31 / 30) - 1)
    assert sc.loc["active_users_month", "period"] == (
        "2024-12 vs month before, less the month lengths' part (31 days against 30: +3.3%)"
    )
    assert sc.loc["dormant_month", "assessment"] == "steady"
    assert sc.loc["share", "change_unit"] == "pp" and sc.loc["share", "assessment"] == "worse"
    assert sc.loc["share", "period"] == "last 12 periods vs 12 before"  # said by no finding
    assert sc.loc["value_at_risk", "value"] == 1340.0
    assert (sc["since_last_report"].dropna() == 0).all()
    assert "fill_rate" not in sc.index  # not recorded: left out


def test_month_counts_leave_the_month_lengths_out(run_folder: Path) -> None:
    """byod13a D6: February's 3,480 buyers read "-9.3%, 2023-02 vs month before - worse"
    against January's 3,835 though each of them buys once: per day, 124.3 against 123.7
    (+0.4%). Users who come back each month are counted in any month: no length part."""
    run = ex.load_run(run_folder)
    t = run.chapters[BEHAVIOR]["tables"]
    t["retention.lifecycle"] = [
        {"period": "2022-10-01", "new": 3709, "returning": 0, "active": 3709, "dormant": 3683},
        {"period": "2022-11-01", "new": 3583, "returning": 0, "active": 3583, "dormant": 3709},
        {"period": "2022-12-01", "new": 4978, "returning": 0, "active": 4978, "dormant": 3583},
        {"period": "2023-01-01", "new": 3835, "returning": 0, "active": 3835, "dormant": 4978},
        {"period": "2023-02-01", "new": 3480, "returning": 0, "active": 3480, "dormant": 3835},
    ]  # fmt: skip
    sc = ex.kpi_scorecard(run).set_index("key")
    per_day = (3480 / 28) / (3835 / 31) - 1
    for key in ("active_users_month", "new_users_month"):
        assert sc.loc[key, "change"] == pytest.approx(per_day)  # +0.45%
        assert sc.loc[key, "assessment"] == "steady"
        assert sc.loc[key, "period"] == (
            "2023-02 vs month before, less the month lengths' part (28 days against 31: -9.7%)"
        )
    assert sc.loc["dormant_month", "change"] == pytest.approx(3835 / 4978 - 1)  # as it was
    # a game's players, 990 of January's 1,000 back in February: 1,000 is no rise per day
    t["retention.lifecycle"] = [
        {"period": "2023-01-01", "new": 50, "returning": 950, "active": 1000, "dormant": 40},
        {"period": "2023-02-01", "new": 10, "returning": 990, "active": 1000, "dormant": 10},
    ]  # fmt: skip
    row = ex.kpi_scorecard(run).set_index("key").loc["active_users_month"]
    # 99% back in 28 days: a rate whose 31 days would hold 1 - 0.01 ** (31 / 28) = 99.4%
    assert row["change"] == pytest.approx((1 - 0.01 ** (31 / 28)) / 0.99 - 1)  # +0.4%
    assert row["assessment"] == "steady"  # per day it would read +10.7%, "better"


def test_the_activity_change_is_assessed_on_the_same_days_a_year_before(
    run_folder: Path,
) -> None:
    """byod13a D7: a bike hire's December, 26,044 rentals, -15.0% on the 28 days before
    ("worse") but +64.2% on the same 28 days a year before: the scorecard shows both and
    assesses the one that leaves the season out."""
    run = ex.load_run(run_folder)
    (activity,) = [
        f for f in run.chapters["00_data_overview"]["findings"] if f["name"] == "activity"
    ]
    activity["evidence"] |= {
        "units": 26044.0, "units_change": -0.1502, "units_yoy": 0.6419, "revenue": 1000.0,
        "revenue_change": 0.1,
        "revenue_yoy": 0.21, "orders_yoy": 0.1,
        "compared_year": "the same 28 days a year before, 2011-12-04 to 2011-12-31",
    }  # fmt: skip
    sc = ex.kpi_scorecard(run).set_index("key")
    row = sc.loc["units_28d"]
    assert row["change"] == -0.1502 and row["assessment"] == "better"
    assert row["period"] == (
        "last 28 days vs 28 before; +64.2% on the same 28 days a year before, "
        "2011-12-04 to 2011-12-31, the change assessed"
    )
    assert sc.loc["orders_28d", "assessment"] == "better"  # -5% on the days before, +10% a year
    assert "+10.0% on the same 28 days" in sc.loc["order_value_28d", "period"]  # 1.21 / 1.1
    del activity["evidence"]["compared_year"]  # no year before in the data: as before
    assert ex.kpi_scorecard(run).set_index("key").loc["units_28d", "assessment"] == "worse"


def test_user_counts_are_left_out_when_the_user_ids_are_sessions(run_folder: Path) -> None:
    """byod9a D11: YOOCHOOSE's sessions mapped as user_id: the summary headlined "New users
    this month: 2,967" and "Users gone dormant this month: 3,075 - worse", visits counted as
    customers. With the overview's warning that the ids are sessions those figures go."""
    from opsai.data._checks import SESSION_IDS
    from opsai.executive.results import OVERVIEW

    run = ex.load_run(run_folder)
    users = {"daily_active_users", "active_users_month", "new_users_month", "dormant_month"}
    assert users | {"value_at_risk"} <= set(ex.kpi_scorecard(run)["key"])
    issue = {"check": "validation warning", "table": "events", "column": "user_id",
             "count": 9000, "detail": f"{SESSION_IDS}: 8,970 of 9,000 (99.7%) ..."}  # fmt: skip
    run.chapters[OVERVIEW].setdefault("tables", {})["quality_issues"] = [issue]
    sc = ex.kpi_scorecard(run).set_index("key")
    assert not (users | {"value_at_risk"}) & set(sc.index)
    assert sc.loc["revenue_28d", "value"] == 1000.0 and "orders_28d" in sc.index


def test_lifecycle_labels_follow_the_activity_and_the_period(run_folder: Path) -> None:
    """A game's weekly player activity read "Active buyers this month" (277 players active,
    22 of them paying)."""
    run = ex.load_run(run_folder)
    metrics = run.chapters[BEHAVIOR].setdefault("metrics", {})
    metrics.update({"retention.activity": "events", "retention.period": "week"})
    sc = ex.kpi_scorecard(run).set_index("key")
    assert sc.loc["active_users_month", "kpi"] == "Active users this week"
    assert sc.loc["new_users_month", "kpi"] == "New users this week"
    assert sc.loc["dormant_month", "kpi"] == "Users gone dormant this week"
    assert sc.loc["active_users_month", "period"] == "2024-12 vs week before"
    metrics.update({"retention.activity": "purchases", "retention.period": "month"})
    sc = ex.kpi_scorecard(run).set_index("key")
    assert sc.loc["active_users_month", "kpi"] == "Active buyers this month"
    assert sc.loc["dormant_month", "kpi"] == "Buyers gone dormant this month"


def test_daily_active_users_say_guest_orders_are_left_out(run_folder: Path) -> None:
    """A restaurant whose bills are 70% walk-ins: daily active users count the members only,
    and the scorecard says so next to the figure."""
    run = ex.load_run(run_folder)
    assert ex.kpi_scorecard(run).set_index("key").loc["daily_active_users", "period"] == (
        "last 28 days vs 28 before"
    )  # every order has a customer
    (activity,) = [
        f for f in run.chapters["00_data_overview"]["findings"] if f["name"] == "activity"
    ]
    activity["evidence"]["guest_orders"] = 28
    sc = ex.kpi_scorecard(run).set_index("key")
    assert sc.loc["daily_active_users", "value"] == 30
    assert sc.loc["daily_active_users", "period"] == (
        "last 28 days vs 28 before; customers with an id only (70% of orders are guests)"
    )


def test_daily_active_users_say_the_days_every_activity_table_covers(run_folder: Path) -> None:
    """byod10a D8: events ending a month before the orders; the overview compared the days
    both cover, and the scorecard names them instead of "last 28 days"."""
    run = ex.load_run(run_folder)
    (activity,) = [
        f for f in run.chapters["00_data_overview"]["findings"] if f["name"] == "activity"
    ]
    activity["evidence"] |= {"active_users_end": "2017-02-28", "active_users_change": -0.02}
    row = ex.kpi_scorecard(run).set_index("key").loc["daily_active_users"]
    assert row["period"] == (
        "28 days to 2017-02-28, the last day every activity table covers, vs 28 before"
    )
    assert row["change"] == -0.02


def test_ticket_volume_without_timestamps() -> None:
    from opsai.executive.scorecard import _ticket_volume

    one = pd.DataFrame({"period": ["all", "all"], "intent": ["a", "b"], "tickets": [5, 7]})
    run = SimpleNamespace(table=lambda chapter, name: one, metric=lambda chapter, name: None)
    assert _ticket_volume(run) == (12.0, None, "", "all tickets (no timestamps)")  # type: ignore[arg-type]
    # byod12b D4: the card's name says there is no period, not "last period: 24,000"
    from opsai.executive.scorecard import KPIS

    (kpi,) = [k for k in KPIS if k.key == "tickets"]
    assert (
        kpi.label_of is not None and kpi.label_of(run) == "Support tickets (no dates in the data)"
    )  # type: ignore[arg-type]
    two = pd.DataFrame(
        {"period": ["2024-11", "2024-12"], "intent": ["a", "a"], "tickets": [10, 12]}
    )
    run = SimpleNamespace(table=lambda chapter, name: two, metric=lambda chapter, name: None)
    assert _ticket_volume(run)[:3] == (12.0, pytest.approx(0.2), "%")  # type: ignore[arg-type]
    assert kpi.label_of(run) == "Support tickets, last period"  # type: ignore[arg-type]


def test_ticket_volume_reads_every_period_of_the_volume_table() -> None:
    """byod9b D8: 12 topics x 42 months of reviews: volume.table was recorded cut to its first
    500 rows, so the scorecard's "Support tickets, last period" was 283 (8 of 12 topics of
    2014-06, "-40.7%") where June had 479 (+0.4%) and July came after. 05 records every row,
    and a period's tickets are its period_total, however many of its intent rows there are."""
    import ast

    import nbformat

    from opsai.executive.scorecard import _ticket_volume
    from opsai.report.results import MAX_TABLE_ROWS
    from opsai.service.analytics import last_periods_days

    nb = nbformat.read(Path(__file__).parents[3] / "notebooks/05_customer_service.ipynb", 4)
    calls = [
        n
        for c in nb.cells
        if c.cell_type == "code"
        for n in ast.walk(ast.parse(c.source))
        if isinstance(n, ast.Call)
        and n.args
        and getattr(n.args[0], "value", None) == "volume.table"
    ]
    kept = {k.arg: ast.unparse(k.value) for k in calls[0].keywords}
    volume = list(range(12 * 42))  # the table's rows
    assert len(calls) == 1 and eval(kept["max_rows"], {"volume": volume}) == 504 > MAX_TABLE_ROWS
    cut = pd.DataFrame(
        {"period": ["2014-05"] * 3 + ["2014-06"] * 2, "intent": list("abcab"),
         "tickets": [200, 177, 100, 150, 133], "period_total": [477] * 3 + [479] * 2}
    )  # fmt: skip
    run = SimpleNamespace(table=lambda chapter, name: cut, metric=lambda chapter, name: None)
    assert _ticket_volume(run) == (  # type: ignore[arg-type]
        479.0, pytest.approx(479 / 477 - 1), "%", "2014-06 vs period before"
    )  # fmt: skip
    cut = pd.DataFrame({"period": ["2014-06", "2014-07"], "intent": "a", "tickets": [479, 273],
                        "period_total": [479, 273]})  # fmt: skip
    days = {"volume.last_period_days": 19, "volume.last_period_length": 31,
            "volume.last_period_before_length": 30}  # fmt: skip
    run = SimpleNamespace(table=lambda chapter, name: cut, metric=lambda c, name: days.get(name))
    assert _ticket_volume(run) == (  # type: ignore[arg-type]
        273.0, pytest.approx((273 / 19) / (479 / 30) - 1), "%",
        "2014-07, 19 of 31 days, per day vs period before",
    )  # fmt: skip
    tickets = pd.DataFrame({"timestamp": pd.to_datetime(["2014-05-02 09:00", "2014-07-19 10:00"])})
    assert last_periods_days(tickets, freq="M") == {"days": 19, "length": 31, "before_length": 30}


def test_negative_share_of_the_last_period() -> None:
    """The scorecard showed ticket volume only; a 0% -> 56% jump of negative tickets had no
    figure on 07's page."""
    from opsai.executive.narrative import format_value
    from opsai.executive.scorecard import KPIS, _negative_share

    trend = pd.DataFrame(
        {"period": ["2024-09", "2024-08"], "tickets": [374, 350], "negative": [211, 0],
         "negative_share": [211 / 374, 0.0]}
    )  # fmt: skip
    run = SimpleNamespace(
        table=lambda chapter, name: trend if name == "sentiment.trend" else pd.DataFrame(),
        metric=lambda chapter, name: None,
    )
    value, change, unit, period = _negative_share(run)  # type: ignore[arg-type]
    assert value == pytest.approx(0.5642, abs=1e-4) and unit == "pp"
    assert change == pytest.approx(56.42, abs=0.01) and period == (
        "2024-09 vs period before, of 374 tickets with a sentiment"
    )
    one = SimpleNamespace(table=lambda chapter, name: trend.iloc[:1], metric=lambda c, n: None)
    assert _negative_share(one)[1:] == (  # type: ignore[arg-type]
        None,
        "pp",
        "2024-09 (no period before), of 374 tickets with a sentiment",
    )
    sc = ex.kpi_scorecard(run, kpis=tuple(k for k in KPIS if k.key == "negative_share"))  # type: ignore[arg-type]
    assert sc["kpi"].tolist() == ["Negative tickets, last period"]
    assert sc["assessment"].tolist() == ["worse"]
    assert format_value(value, "negative_share") == "56.4%"


def test_negative_share_names_its_base() -> None:
    """byod11b D11: 2.5% of 2,633 calls (85% of them the lexicon's reading of "Resolved") stood
    for 66 negative of 381 rated calls (17.6%). 05 now heads with the ratings and says so; a
    share mostly of predictions is called neither better nor worse."""
    from opsai.executive.scorecard import _negative_share

    def run(t: pd.DataFrame) -> SimpleNamespace:
        return SimpleNamespace(table=lambda chapter, name: t, metric=lambda chapter, name: None)

    rated = pd.DataFrame({"period": ["2025-10", "2025-11"], "tickets": [400, 381],
                          "negative": [69, 66], "negative_share": [69 / 400, 66 / 381],
                          "base": "rated", "predicted": [2400, 2252]})  # fmt: skip
    value, change, _, label = _negative_share(run(rated))  # type: ignore[arg-type]
    assert value == pytest.approx(0.1732, abs=1e-4) and change == pytest.approx(0.07, abs=0.01)
    assert label == "2025-11 vs period before, of 381 rated tickets"
    guessed = rated.assign(base="rated and predicted", tickets=[2800, 2633], predicted=[2400, 2252])
    _, change, _, label = _negative_share(run(guessed))  # type: ignore[arg-type]
    assert change is None
    assert label == (
        "2025-11 vs period before, of 2,633 tickets with a sentiment, 2,252 of them predicted"
    )


def test_action_plan_effects_ranges_and_evidence(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    a = ex.Assumptions(save_rate=(0.1, 0.3), gap_closure=(0.5, 1.0))
    plan = ex.action_plan(run, joins(run), assumptions=a).set_index("rule")
    out = plan.loc["outreach"]
    assert (out["low"], out["mid"], out["high"]) == pytest.approx((30.0, 60.0, 90.0))
    assert out["severity"] == "high" and "1 of the 3" in out["why"]
    st = plan.loc["stockout"]
    assert st["mid"] == pytest.approx(40.0)  # 50 demand - 10 on hand
    assert st["low"] == pytest.approx(50 - 1.645 * 10 - 10) and "70 users" in st["action"]
    assert st["evidence"][0]["href"] == "04_demand_inventory.html#finding-stockout.i2"
    fn = plan.loc["funnel"]
    assert (fn["low"], fn["high"]) == pytest.approx((20.0, 40.0)) and "checkout -> purchase" in fn[
        "action"
    ]
    comp = plan.loc["competitor"]
    assert (comp["low"], comp["mid"], comp["high"]) == pytest.approx((2.0, 4.0, 6.0))
    assert "'coupon'" in comp["why"]
    assert list(plan["priority"]) == list(range(1, len(plan) + 1))
    sev = plan["severity"].map({"high": 0, "medium": 1, "low": 2, "info": 3})
    assert sev.is_monotonic_increasing


def test_assumptions_are_checked() -> None:
    with pytest.raises(ConfigError, match="save_rate"):
        ex.Assumptions(save_rate=(0.5, 0.2))


def test_rank_findings_by_severity_then_money(run_folder: Path) -> None:
    ranked = ex.rank_findings(ex.load_run(run_folder))
    assert list(ranked["severity"][:2]) == ["high", "high"]
    assert ranked.iloc[-1]["name"] == "activity"
    assert ranked.set_index("name").loc["overstock.i9", "impact"] == 400.0
    assert ranked.loc[0, "href"].endswith(".html#finding-" + ranked.loc[0, "name"])


def test_summary_is_written_from_the_numbers_and_escaped(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    plan = ex.action_plan(run, joins(run))
    plan.loc[0, "action"] = "<script>alert(1)</script>"
    plan.loc[1, "action"] = "Hold it out of users' top recommendations & reorder."
    text = ex.summary(
        ex.kpi_scorecard(run), plan, company="Acme", span=run.span(), missing=["x was skipped"]
    )
    assert "**Acme: where operations stand (2023-01-01 to 2024-12-31).**" in text
    assert "users' top recommendations & reorder." in text and "&#39;" not in text
    assert "1,000 (+10.0%" in text
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "_Not covered in this run_: x was skipped." in text


class FakeLLM:
    def __init__(self, answer: str | None, fail: bool = False) -> None:
        self.config = SimpleNamespace(enabled=True)
        self.answer, self.fail, self.sent = answer, fail, []

    def complete(self, messages):
        self.sent.append(messages)
        if self.fail:
            raise OpsaiError("down")
        return self.answer


def test_rephrase_keeps_numbers_or_falls_back() -> None:
    text = "Revenue was 1,234.50 (+2.1%) and 7 items stock out.\n"
    assert ex.rephrase(text, None)[0] == text
    ok, note = ex.rephrase(text, FakeLLM("Revenue: 1234.5, up 2.1%; 7 items short."))
    assert ok.startswith("Revenue: 1234.5") and "numbers checked" in note
    bad, note = ex.rephrase(text, FakeLLM("Revenue was 1,300 and 7 items."))
    assert bad == text and "1300" in note
    failed, note = ex.rephrase(text, FakeLLM(None, fail=True))
    assert failed == text and "failed" in note


def test_model_cards_from_recorded_results(run_folder: Path) -> None:
    cards = ex.model_cards(ex.load_run(run_folder)).set_index("chapter")
    churn = cards.loc[BEHAVIOR].iloc[0]
    assert churn["model"] == "Churn (gbm)" and "ROC-AUC 0.8" in churn["metrics"]
    assert churn["drivers"] == "recency_days" and any("Base rate 40%" in x for x in churn["limits"])
    assert "orders (500 rows, 2023-01-01 to 2024-12-31)" in churn["data"]
    assert "05_customer_service" in cards.index and "03b_recommendation" in cards.index


def test_privacy_scan_finds_pii_but_not_dates_or_masks(tmp_path: Path) -> None:
    assert ex.scan_text("write to a.b@example.com or +86 138 1234 5678")["email"] == 1
    assert not ex.scan_text("[EMAIL] [PHONE] o****1234 on 2024-12-31 12:07:35, 1,234,567.89")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "x.json").write_text(
        '{"tables": {"t": [{"text": "card 4111 1111 1111 1111"}]}}'
    )
    (tmp_path / "page.html").write_text("<script>var a='x@y.com'</script><p>clean</p>")
    hits = ex.scan_run(tmp_path)
    assert hits.to_dict(orient="records") == [
        {"file": "results/x.json", "kind": "card", "count": 1}
    ]


def test_html_views_escape_and_link(run_folder: Path) -> None:
    run = ex.load_run(run_folder)
    plan = ex.action_plan(run, joins(run))
    plan.loc[0, "why"] = "<b>x</b>"
    page = ex.actions_html(plan)
    assert (
        "&lt;b&gt;x&lt;/b&gt;" in page
        and 'href="04_demand_inventory.html#finding-stockout.i2"' in page
    )
    assert "1,000" in ex.scorecard_html(ex.kpi_scorecard(run))


def test_index_page_leads_with_the_executive_summary(run_folder: Path, tmp_path: Path) -> None:
    from opsai.report import render
    from opsai.report.results import empty_result

    run = ex.load_run(run_folder)
    plan = ex.action_plan(run, joins(run))
    exec_result = empty_result("07_integration", title="Executive report")
    exec_result["tables"] = {
        "scorecard": ex.kpi_scorecard(run).to_dict(orient="records"),
        "actions": plan.to_dict(orient="records"),
    }
    meta = {"title": "T", "company": "C", "finished": "now", "seconds": 1.0, "source": "s",
            "config": "c", "span": "", "tables": [], "parameters": {}, "started": "", "run": "r",
            "version": "0", "warnings": []}  # fmt: skip
    results = [*run.chapters.values(), exec_result]
    page = render.render_index(
        tmp_path / "index.html", results, meta=meta, pages={"07_integration": "07_integration.html"}
    )
    html = page.read_text("utf-8")
    assert html.index("Executive summary") < html.index("Key figures by chapter")
    assert 'href="04_demand_inventory.html#finding-stockout.i2"' in html
    assert "1,000" in html and "+10.0%" in html
    failed = {**exec_result, "status": "failed"}
    html = render.render_index(
        tmp_path / "i2.html", [*run.chapters.values(), failed], meta=meta, pages={}
    ).read_text("utf-8")
    assert "Executive summary" not in html


def test_a_run_with_one_chapter_still_gives_a_report(run_folder: Path) -> None:
    for p in (run_folder / "results").glob("0[3-6]*.json"):
        p.unlink()
    run = ex.load_run(run_folder)
    empty = {
        "outreach": ex.outreach_list(run.table(BEHAVIOR, "churn.at_risk"), run.table(SERVICE, "x")),
        "stockout_recommendations": ex.stockout_recommendations(
            run.table(RECOMMEND, "recommendations.items"), run.table(DEMAND, "alerts.table")
        ),
        "intents_after_moves": ex.intents_after_competitor_moves(
            run.table(SERVICE, "volume.table"), run.table(MARKET, "competitor_events")
        ),
    }
    assert all(df.empty for df in empty.values())
    plan = ex.action_plan(run, empty)
    assert plan.empty and list(plan.columns)[:3] == ["priority", "area", "action"]
    sc = ex.kpi_scorecard(run)
    assert set(sc["chapter"]) == {"00_data_overview"}
    missing = [run.why_missing(c) for c in ex.CHAPTERS if run.why_missing(c)]
    text = ex.summary(sc, plan, company="Acme", missing=missing)
    assert "No action could be derived" in text and "03a_user_behavior did not run" in text
    assert ex.model_cards(run).empty and ex.rank_findings(run)["name"].tolist() == ["activity"]
    assert ex.tuning_studies(run).table.empty


def test_signed_decimals_are_not_phone_numbers() -> None:
    text = "share 0.00542 to 0.00804 (+0.000871, 95% interval +0.000263 to +0.0013)"
    assert not ex.scan_text(text)
    assert ex.scan_text("call +44 20 7946 0958")["phone"] == 1


def test_product_barcodes_are_not_card_numbers() -> None:
    # Ta Feng item ids: valid EAN-13 that also pass the Luhn check
    assert not ex.scan_text("top items 4710088410139, 9300644131711 and 4714981010038")
    assert ex.scan_text("card 4710088410138")["card"] == 0  # neither checksum: not a card either
    assert ex.scan_text("card 4111 1111 1111 1111 or 4111111111111111")["card"] == 2
    assert ex.scan_text("paid with 4222222222222")["card"] == 1  # Luhn-valid, not a barcode


def test_hex_ids_are_not_card_numbers() -> None:
    # Olist's product ids are 32-hex MD5s: the digit run 9259282436206 inside this one passes
    # Luhn, and the page "drifted for d3a06af2..." was flagged as holding a card
    text = "Forecast accuracy drifted for d3a06af2b96c6a44d9259282436206e7 (item level)"
    assert ex.scan_text(text) == {}
    assert ex.scan_text("seller a13812345678bcdeffa0a0a0a0a0a0a0") == {}  # no phone either
    # real cards, with or without separators and next to punctuation, are still found
    text = "cards 4111 1111 1111 1111, 4111-1111-1111-1111 and (4111111111111111)."
    assert ex.scan_text(text) == {"card": 3}


def test_forecast_card_counts_drift_alerts_per_level(run_folder: Path) -> None:
    import json

    path = run_folder / "results" / "04_demand_inventory.json"
    demand = json.loads(path.read_text(encoding="utf-8"))
    demand["findings"] += [
        {"name": f"drift.{sid}", "text": "drifted", "severity": "low",
         "evidence": {"item_id": sid, "level": level}}
        for sid, level in [("i1", "item"), ("i3", "item"), ("total", "total")]
    ] + [{"name": "drift.i4", "text": "drifted", "severity": "low", "evidence": {"item_id": "i4"}}]  # fmt: skip
    path.write_text(json.dumps(demand), encoding="utf-8")
    card = ex.model_cards(ex.load_run(run_folder)).set_index("chapter").loc["04_demand_inventory"]
    limits = card.iloc[0]["limits"] if isinstance(card, pd.DataFrame) else card["limits"]
    # an alert recorded before levels existed counts as an item's
    assert "Accuracy drifted for 3 items and total demand in the latest window." in limits


@pytest.mark.parametrize(
    ("model", "reads", "evaluation"),
    [
        ("tfidf", "character n-grams", "chosen by cross-validation"),
        ("embedding", "sentence embeddings (USE)", "chosen by cross-validation"),
        ("torch-int8", "fastText-style", "chosen by cross-validation"),
        ("topics", "discovered topic", "not scored"),
    ],
)
def test_service_card_says_what_the_chosen_intent_model_reads(
    run_folder: Path, model: str, reads: str, evaluation: str
) -> None:
    path = run_folder / "results" / "05_customer_service.json"
    data = json.loads(path.read_text("utf-8"))
    data["metrics"]["intent.model"] = model
    path.write_text(json.dumps(data), "utf-8")
    card = ex.model_cards(ex.load_run(run_folder)).set_index("chapter").loc["05_customer_service"]
    assert card["model"] == f"Intent + sentiment ({model})"
    assert reads in card["drivers"] and evaluation in card["evaluation"]
    assert card["evaluation"].endswith("sentiment by cross-validation per language")


def test_forecast_card_leaves_smape_out_when_most_periods_sold_nothing(run_folder: Path) -> None:
    """sMAPE is ~200% on periods without a sale whatever the model: a spare-parts run quoted
    196.8%. With 80% of the item backtest periods at 0 the card drops it and says why."""
    path = run_folder / "results" / "04_demand_inventory.json"
    demand = json.loads(path.read_text(encoding="utf-8"))
    demand["metrics"] |= {"best.smape": 196.8, "best.mase": 0.92}
    path.write_text(json.dumps(demand), encoding="utf-8")
    card = ex.model_cards(ex.load_run(run_folder)).set_index("chapter").loc["04_demand_inventory"]
    assert "sMAPE 197" in card["metrics"]
    demand["metrics"]["best.zero_share"] = 0.8
    path.write_text(json.dumps(demand), encoding="utf-8")
    card = ex.model_cards(ex.load_run(run_folder)).set_index("chapter").loc["04_demand_inventory"]
    assert "sMAPE" not in card["metrics"] and "MASE 0.92" in card["metrics"]
    assert (
        "sMAPE left out: 80% of the item backtest periods sold nothing, and sMAPE scores each as "
        "a 200% error." in card["limits"]
    )


def test_a_churn_model_worse_than_chance_drives_no_retention_action(run_folder: Path) -> None:
    """A gbm churn model with ROC-AUC 0.46 and top-decile lift 0.92 (woo_hand) still gave
    "Run a retention offer ... about 1,739 USD" and a spend-at-risk figure; now it gives
    neither, and the scorecard says why."""
    run = ex.load_run(run_folder)
    metrics = run.chapters[BEHAVIOR]["metrics"]
    metrics.update({"churn.auc": 0.46, "churn.top_decile_lift": 0.92})
    plan = ex.action_plan(run, joins(run))
    assert not set(plan["rule"]) & {"outreach", "retention_offer"}
    sc = ex.kpi_scorecard(run).set_index("key")
    assert sc.loc["value_at_risk", "value"] == "not available"
    assert "ROC-AUC 0.46 and top-decile lift 0.92" in sc.loc["value_at_risk", "period"]
    f = efd.outreach(joins(run)["outreach"], run)
    assert f.text.startswith("No priority outreach list: churn could not be predicted")
    metrics.update({"churn.auc": 0.8, "churn.top_decile_lift": 2.0})  # clears the bar: as before
    assert ex.kpi_scorecard(run).set_index("key").loc["value_at_risk", "value"] == 1340.0
    assert "outreach" in set(ex.action_plan(run, joins(run))["rule"])


def test_lapsed_customers_give_a_win_back_action_without_a_churn_model(run_folder: Path) -> None:
    """UCI: 03a listed 23 lapsed high-value customers who spent 25,661 GBP, with no at-risk
    user and no ticket; the plan read "No action could be derived"."""
    run = ex.load_run(run_folder)
    b = run.chapters[BEHAVIOR]
    b["tables"]["churn.at_risk"] = []
    b["metrics"].update({"churn.auc": 0.55, "churn.top_decile_lift": 0.9})  # too weak to act on
    b["tables"]["churn.lapsed"] = [
        {"user_id": "a", "value": 3000.0, "recency_days": 120.0, "frequency": 5.0},
        {"user_id": "b", "value": 1000.0, "recency_days": 100.0, "frequency": 3.0},
    ]
    ev = {"customers": 2, "value": 4000.0, "horizon_days": 90, "comeback_lapsed": 40,
          "comeback_came_back": 10, "comeback_rate": 0.25, "comeback_rate_low": 0.14,
          "comeback_rate_high": 0.40, "comeback_spend_per_returner": 200.0}  # fmt: skip
    b["findings"].append(
        {"name": "churn_lapsed", "text": "2 lapsed.", "severity": "medium", "evidence": ev}
    )
    plan = ex.action_plan(run, {}, currency="GBP").set_index("rule")
    wb = plan.loc["win_back"]
    assert (wb["low"], wb["mid"], wb["high"]) == pytest.approx(
        (56.0, 100.0, 160.0)
    )  # 2 x rate x 200
    assert wb["unit"] == "money" and wb["expected_effect"] == "about 100 GBP (56 to 160 GBP)"
    assert (
        "2 high-value customers have placed no order in 90 days; they spent 4,000 GBP" in wb["why"]
    )
    assert "25% (10 of 40 at earlier cut-offs; 95% interval 14% to 40%)" in wb["why"]
    assert wb["evidence"][0]["href"] == "03a_user_behavior.html#finding-churn_lapsed"
    assert "retention_offer" not in plan.index


def test_a_win_back_list_nobody_came_back_from_gives_no_effect(run_folder: Path) -> None:
    """subbox: 0 of 108 lapsed high-value subscribers came back; the effect read "about 0.00
    (0.00 to 1.72) customers back"."""
    run = ex.load_run(run_folder)
    b = run.chapters[BEHAVIOR]
    b["tables"]["churn.lapsed"] = [{"user_id": "a", "value": 30.0, "recency_days": 120.0}]
    ev = {"horizon_days": 90, "comeback_lapsed": 108, "comeback_came_back": 0, "comeback_rate": 0.0,
          "comeback_rate_low": 0.0, "comeback_rate_high": 0.034, "comeback_spend_per_returner": None}  # fmt: skip
    b["findings"].append(
        {"name": "churn_lapsed", "text": "1.", "severity": "medium", "evidence": ev}
    )
    wb = ex.action_plan(run, {}).set_index("rule").loc["win_back"]
    assert pd.isna(wb["mid"]) and wb["expected_effect"] == "" and wb["severity"] == "low"
    assert "0% (0 of 108 at earlier cut-offs; 95% interval 0% to 3%), and none did" in wb["why"]


def test_one_incident_is_one_service_action() -> None:
    """07 listed 'Find and fix the cause of the 'charged / now / same' spike' and the same for
    'card / charge / double': two actions for one double-charge incident."""
    from opsai.executive.actions import _service

    ev = {"period": "2024-09", "intent": "charged / now / same", "tickets": 211, "share": 0.564,
          "baseline_share": 0.0026, "intents": ["charged / now / same", "card / charge / double"]}  # fmt: skip
    findings = pd.DataFrame(
        [{"chapter": SERVICE, "name": "spike_charged_now_same_2024-09", "severity": "high",
          "text": "...", "evidence": ev}]
    )  # fmt: skip
    run = SimpleNamespace(findings=lambda: findings)
    out = _service(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert len(out) == 1
    assert out[0]["action"] == (
        "Find and fix the cause of the 'charged / now / same' and 'card / charge / double' spike "
        "in 2024-09."
    )


def test_a_stopped_item_without_stock_data_is_an_action_to_check() -> None:
    """byod8 D15: without an inventory file the best seller's stop reached no action."""
    from opsai.executive.actions import _stopped

    ev = {"items": ["1329984"], "since": ["2017-07-25"], "rate_before": [216.9],
          "periods": [22], "unit": "day"}  # fmt: skip
    found = {"name": "sales_stopped", "severity": "high", "text": "...", "evidence": ev}
    run = SimpleNamespace(finding=lambda chapter, name: found if name == "sales_stopped" else None)
    (a,) = _stopped(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Check why item 1329984 stopped selling on 2017-07-25: out of stock or delisted?"
    )
    assert a["why"].startswith("It sold 216.9 a day before and none in the 22 days since;")
    assert (a["mid"], a["severity"], a["rule"]) == (216.9, "high", "stopped")
    assert a["evidence"][0]["href"] == "04_demand_inventory.html#finding-sales_stopped"
    none = SimpleNamespace(finding=lambda chapter, name: None)
    assert _stopped(none, {}, ex.Assumptions(), "USD") == []  # type: ignore[arg-type]
    ev |= {"stores": ["CA_1"]}  # byod9a D2: one store's stop names the store
    (a,) = _stopped(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Check why item 1329984 stopped selling at CA_1 on 2017-07-25: out of stock or delisted?"
    )


def test_the_funnel_tile_gives_the_reach_by_any_path_when_middle_steps_are_optional() -> None:
    """byod9a D17: the tile read 5.4% (every step in order) where 34% of viewers bought."""
    from opsai.executive.scorecard import _funnel

    def run(metrics: dict[str, float]) -> SimpleNamespace:
        return SimpleNamespace(metric=lambda chapter, name, default=None: metrics.get(name))

    got = _funnel(run({"funnel.overall_conversion": 0.054, "funnel.reach": 0.338}))  # type: ignore[arg-type]
    assert got == (0.338, None, "", "by any path; 5.4% take every step in order")
    assert _funnel(run({"funnel.overall_conversion": 0.2, "funnel.reach": 0.203}))[0] == 0.2  # type: ignore[arg-type]
    assert _funnel(run({"funnel.overall_conversion": 0.2}))[:2] == (0.2, None)  # type: ignore[arg-type]


def test_a_store_whose_level_fell_is_an_action_to_investigate() -> None:
    """byod9a D23: store 7 lost 26% since a competitor opened; 07 said 'No action could be
    derived from the recorded results.'"""
    from opsai.executive.actions import _shifted

    ev = {"series": ["7", "category:b"], "change": [-0.258, 0.15], "since": ["2015-06-15", "2015-07-01"],
          "rate_before": [10199.17, 500.0], "rate_after": [7565.98, 575.0],
          "total_change": [0.0061, 0.0061], "unit": "day"}  # fmt: skip
    found = {"name": "level_shift", "severity": "high", "text": "...", "evidence": ev}
    run = SimpleNamespace(finding=lambda chapter, name: found if name == "level_shift" else None)
    a, b = _shifted(run, {}, ex.Assumptions(), "EUR")  # type: ignore[arg-type]
    assert a["action"] == (
        "Investigate why item 7's sales fell 26% since 2015-06-15 (a competitor opening, a "
        "closure, a lost customer, a range or price change?)."
    )
    assert a["why"] == (
        "It sells 7,566 a day since 2015-06-15 against 10,199 before, while all other demand "
        "changed +0.6% over the same days."
    )
    assert (a["mid"], a["unit"], a["severity"], a["rule"]) == (
        pytest.approx(2633.19),
        "units a day lost",
        "high",
        "shift",
    )
    assert a["evidence"][0]["href"] == "04_demand_inventory.html#finding-level_shift"
    assert b["action"].startswith("Investigate why category b's sales rose 15% since 2015-07-01")
    assert (b["unit"], b["severity"]) == ("units a day gained", "medium")
    none = SimpleNamespace(finding=lambda chapter, name: None)
    assert _shifted(none, {}, ex.Assumptions(), "EUR") == []  # type: ignore[arg-type]


def test_a_product_down_on_a_year_ago_is_an_action_to_investigate() -> None:
    """byod12a D11: P0012 sold 34.9% less than a year before (a competitor undercut it nine
    months earlier) and no page named it."""
    from opsai.executive.actions import _shifted

    ev = {"series": ["P0012"], "change": [-0.3486], "since": ["2022-10-01"],
          "rate_before": [418.17], "rate_after": [272.4], "total_change": [-0.007],
          "unit": "day"}  # fmt: skip
    found = {"name": "year_shift", "severity": "high", "text": "...", "evidence": ev}
    run = SimpleNamespace(finding=lambda chapter, name: found if name == "year_shift" else None)
    (a,) = _shifted(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"].startswith("Investigate why item P0012's sales fell 35% since 2022-10-01")
    assert a["why"] == (
        "It sold 272 a day over the last weeks against 418 in the same weeks a year before, "
        "while all other demand changed -0.7%."
    )
    assert a["mid"] == pytest.approx(145.77) and a["severity"] == "high"
    assert a["evidence"][0]["href"] == "04_demand_inventory.html#finding-year_shift"


def test_a_price_move_that_cut_sales_reaches_the_action_plan() -> None:
    """byod9a D7: HOBBIES_1_005's +50% price and -48% units a day reached no action."""
    from opsai.executive.actions import _price

    ev = {"items": ["HOBBIES_1_005", "B"], "since": ["2011-08-29", "2011-09-05"],
          "price_change": [0.4995, 0.12], "units_change": [-0.4769, -0.05],
          "rate_before": [13.143, 4.0], "rate_after": [6.875, 3.8]}  # fmt: skip
    found = {"name": "price_moves", "severity": "medium", "text": "...", "evidence": ev}
    run = SimpleNamespace(finding=lambda chapter, name: found if name == "price_moves" else None)
    (a,) = _price(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]  # B: -5% only
    assert a["action"] == (
        "Review the price of item HOBBIES_1_005: +50% from the week of 2011-08-29, and -48% "
        "units a day since."
    )
    assert a["why"].startswith("It sold 13.1 a day before the move and 6.9 after;")
    assert (round(a["mid"], 3), a["severity"], a["rule"]) == (6.268, "medium", "price")
    ev["titles"] = {"HOBBIES_1_005": "Toy drum"}  # 04 named it by its title (byod12a D5)
    (a,) = _price(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"].startswith("Review the price of item HOBBIES_1_005 (Toy drum): +50% from")
    none = SimpleNamespace(finding=lambda chapter, name: None)
    assert _price(none, {}, ex.Assumptions(), "USD") == []  # type: ignore[arg-type]


def test_event_days_that_sell_more_are_an_action() -> None:
    """byod9a D6: FOODS sold 2.06x on M5's 13 event days and 07 said nothing: unmapped, the
    action says which column to map as event_day; mapped, to order ahead of event days."""
    from opsai.executive.actions import _events

    ev = {"column": "event_name_1", "days": 13, "median_ratio": 1.61, "largest": "SuperBowl",
          "categories": {"FOODS": 1.97, "HOBBIES": 1.02}, "feature": False, "usual_total": 100.0}  # fmt: skip

    def run(evidence: dict[str, object]) -> SimpleNamespace:
        found = {"name": "event_days", "severity": "medium", "text": "...", "evidence": evidence}
        return SimpleNamespace(
            finding=lambda chapter, name: found if name == "event_days" else None
        )

    (a,) = _events(run(ev), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Map event_name_1 as the demand table's event_day (columns: {event_day: event_name_1}) "
        "so the forecasts learn event days, and plan stock for them: category FOODS sells "
        "1.97x a usual day on them."
    )
    assert a["why"] == (
        "On the data's 13 event days (event_name_1) all demand sold a median 1.61x a usual day "
        "of the same weekday, category FOODS 1.97x."
    )
    assert (a["mid"], a["unit"], a["rule"]) == (pytest.approx(61.0), "units more on an event "
                                                "day, in total", "events")  # fmt: skip
    assert a["evidence"][0]["href"] == "04_demand_inventory.html#finding-event_days"
    (b,) = _events(run(ev | {"feature": True}), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert b["action"].startswith(
        "Plan stock ahead of coming event days: category FOODS sells 1.97x"
    )
    assert "(a calendar table of the coming event days lets them know)" in b["action"]
    ahead = {"2012-04-08": "Easter", "2012-04-14": "Pesach End", "2012-04-15": "OrthodoxEaster"}
    (c,) = _events(run(ev | {"feature": True, "ahead": ahead}), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert c["action"] == (  # a calendar table: the forecast took the coming days
        "Plan stock for the 3 coming event day(s) the forecast takes (2012-04-08 (Easter), "
        "2012-04-14 (Pesach End), 2012-04-15 (OrthodoxEaster)): category FOODS sells 1.97x a "
        "usual day on them."
    )
    flat = ev | {"median_ratio": 1.05, "categories": {"FOODS": 1.1}}
    assert _events(run(flat), {}, ex.Assumptions(), "USD") == []  # type: ignore[arg-type]
    # byod13a D11: casual riders 9.8x, registered 0.46x on holidays: each item's own ratio
    riders = {"column": "holiday", "days": 21, "median_ratio": 1.24, "feature": True,
              "usual_total": 1150.0, "items": {"casual": 9.8, "registered": 0.46},
              "items_opposite": True}  # fmt: skip
    (d,) = _events(run(riders), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert d["why"] == (
        "On the data's 21 event days (holiday) all demand sold a median 1.24x a usual day of "
        "the same weekday. Items move opposite ways on them (casual 9.80x, registered 0.46x): "
        "plan each item by its own ratio."
    )


def test_a_sentiment_driver_is_a_service_action() -> None:
    """byod10b D8: 'refund' tickets rated bad 58% of the time against 9% reached no action."""
    from opsai.executive.actions import _service

    ev = {"column": "intent", "value": "refund", "tickets": 458, "negative": 264,
          "share": 0.5764, "others_share": 0.0929, "negative_total": 440, "rated": True}  # fmt: skip
    findings = pd.DataFrame(
        [{"chapter": SERVICE, "name": "sentiment_driver_intent_refund", "severity": "high",
          "text": "...", "evidence": ev}]
    )  # fmt: skip
    run = SimpleNamespace(findings=lambda: findings)
    (a,) = _service(run, {}, ex.Assumptions(), "EUR")  # type: ignore[arg-type]
    assert a["action"] == (
        "Find and fix what goes wrong for customers in 'refund' tickets: 58% are rated "
        "negative against 9% of the others."
    )
    excess = 264 - 458 * 0.0929  # the negative ratings above the others' share
    assert (a["low"], a["high"]) == pytest.approx((0.25 * excess, excess))
    assert a["unit"] == "fewer negative ratings" and a["severity"] == "high"
    read = findings.assign(evidence=[ev | {"rated": False}])  # the lexicon's reading: none
    assert _service(SimpleNamespace(findings=lambda: read), {}, ex.Assumptions(), "EUR") == []  # type: ignore[arg-type]


def test_a_spike_action_names_its_week_and_words() -> None:
    """byod10b D2/D16: the outage spike (2.2x the month, 4.7x its week) reached no action, and
    its finding named only the topic's usual words ('apple / store / pay')."""
    from opsai.executive.actions import _service

    ev = {"period": "2017-11", "intent": "apple / store / pay", "tickets": 412, "share": 0.211,
          "baseline_share": 0.096, "terms": ["down", "icloud", "anything", "sign", "outage"],
          "week": "2017-11-13..2017-11-19", "week_tickets": 304, "week_ratio": 4.65}  # fmt: skip
    findings = pd.DataFrame(
        [{"chapter": SERVICE, "name": "spike_apple_store_pay_2017-11", "severity": "high",
          "text": "...", "evidence": ev}]
    )  # fmt: skip
    run = SimpleNamespace(findings=lambda: findings)
    (a,) = _service(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Find and fix the cause of the 'apple / store / pay' spike in the week "
        "2017-11-13..2017-11-19 (its own words: down, icloud, anything, sign)."
    )


def test_a_two_week_spike_is_one_action() -> None:
    """byod11b D17: the HubSpot 'Envío' delay (152 + 167 tickets in 2024-10-14..27) filled two
    action slots, 'about 146 extra tickets' and 'about 131'; it is one action of 277."""
    from opsai.executive.actions import _service
    from opsai.service.findings import spike_findings

    cols = ["period", "intent", "tickets", "share", "baseline_share", "ratio", "z"]
    spikes = pd.DataFrame([["2024-10-21/2024-10-27", "Envío", 167, 167 / 244, 0.086, 7.956, 33.3],
                           ["2024-10-14/2024-10-20", "Envío", 152, 152 / 242, 0.086, 7.302, 30.1]],
                          columns=cols)  # fmt: skip
    findings = pd.DataFrame([{"chapter": SERVICE, "name": f.name, "severity": f.severity,
                              "text": f.text, "evidence": f.evidence}
                             for f in spike_findings(spikes, freq="W")])  # fmt: skip
    (a,) = _service(SimpleNamespace(findings=lambda: findings), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Find and fix the cause of the 'Envío' spike from 2024-10-14 to 2024-10-27: 319 "
        "tickets, about 277 extra."
    )
    assert a["mid"] == pytest.approx(277.2, abs=0.1) and a["unit"] == "extra tickets"


def test_chapter_5_changes_over_time_are_service_actions() -> None:
    """byod10b D16: a restaurant whose reviews turned from 2% to 24% negative, a month whose
    negative share rose and a medium spike got "No action could be derived"; a driver read
    by the lexicon (not rated) makes none (D8)."""
    from opsai.executive.actions import _service

    item = {"item_id": "1007", "title": "老北京涮肉坊", "since": "2023-07-03",
            "share_before": 0.0206, "share_after": 0.2442, "before": 388, "after": 389}  # fmt: skip
    neg = {"period": "2024-05", "tickets": 663.0, "negative": 238.0, "share": 0.359,
           "baseline_share": 0.19, "intent": "login", "intent_negative": 122}  # fmt: skip
    shift = {"intent": "上菜 / 排队", "first_period": "2023-07", "last_period": "2023-12",
             "periods": 6, "share_min": 0.067, "share_max": 0.083, "baseline_share": 0.013,
             "tickets": 329, "share_after": 0.076}  # fmt: skip
    spike = {"period": "2024-03", "intent": "login", "tickets": 40, "share": 0.2,
             "baseline_share": 0.09}  # fmt: skip
    unrated = {"column": "intent", "value": "x", "tickets": 466, "negative": 466,
               "others_share": 0.03, "rated": False}  # fmt: skip
    rows = [("item_sentiment_1007", "high", item), ("negative_share_2024-05", "medium", neg),
            ("shift_x", "medium", shift), ("spike_login_2024-03", "medium", spike),
            ("spike_login_2024-04", "low", spike), ("sentiment_driver_intent_x", "medium", unrated)]  # fmt: skip
    findings = pd.DataFrame([{"chapter": SERVICE, "name": n, "severity": s, "text": "...",
                              "evidence": e} for n, s, e in rows])  # fmt: skip
    out = _service(SimpleNamespace(findings=lambda: findings), {}, ex.Assumptions(), "CNY")  # type: ignore[arg-type]
    by = {a["rule"]: a for a in out}
    assert sorted(by) == ["intent_shift", "item_sentiment", "negative_share", "spike"]
    assert len(out) == 4  # the low spike and the unrated driver make none
    a = by["item_sentiment"]
    assert a["action"] == (
        "Check what changed at 老北京涮肉坊 (1007) around 2023-07-03: 24% of its reviews since "
        "are negative, against 2% before."
    )
    assert a["high"] == pytest.approx((0.2442 - 0.0206) * 389) and a["severity"] == "high"
    n = by["negative_share"]
    assert n["action"] == (
        "Find what went wrong for customers in 2024-05: 36% of tickets were negative against a "
        "usual 19% (most are 'login' tickets)."
    )
    assert n["mid"] == pytest.approx(238 - 663 * 0.19) and n["severity"] == "medium"
    assert by["intent_shift"]["action"].startswith(
        "Find what changed around 2023-07 for '上菜 / 排队' tickets: 7%-8% of tickets since"
    )
    assert by["intent_shift"]["mid"] == pytest.approx(329 * (1 - 0.013 / 0.076))
    assert by["intent_shift"]["unit"] == "extra tickets" and by["spike"]["severity"] == "medium"
    step = {"intent": "q", "first_period": "2023-07", "share_before": 0.012, "share_after": 0.076,
            "tickets": 329}  # fmt: skip
    one = pd.DataFrame([{"chapter": SERVICE, "name": "shift_q", "severity": "high", "text": "...",
                         "evidence": step}])  # fmt: skip
    (s,) = _service(SimpleNamespace(findings=lambda: one), {}, ex.Assumptions(), "CNY")  # type: ignore[arg-type]
    assert s["action"] == (
        "Find what changed around 2023-07 for 'q' tickets: 8% of tickets since, against a usual 1%."
    )


def test_an_item_action_names_the_aspect_that_fell() -> None:
    """byod10b D18 (4): which aspect of restaurant 1007 collapsed reaches the action."""
    from opsai.executive.actions import _service

    item = {"item_id": "1007", "since": "2023-07-03", "share_before": 0.02, "share_after": 0.24,
            "before": 388, "after": 389, "aspect": "service", "aspect_before": 3.943,
            "aspect_after": 1.808}  # fmt: skip
    findings = pd.DataFrame([{"chapter": SERVICE, "name": "item_sentiment_1007",
                              "severity": "high", "text": "...", "evidence": item}])  # fmt: skip
    (a,) = _service(SimpleNamespace(findings=lambda: findings), {}, ex.Assumptions(), "CNY")  # type: ignore[arg-type]
    assert a["action"].endswith("against 2% before. Its service score fell most: 3.9 -> 1.8.")


def test_demand_in_money_is_said_in_money_in_the_actions() -> None:
    """byod11b D1: Walmart's demand maps amount: Weekly_Sales (no quantity); 07 read dept 45's
    stop as "about 233,339 units a week lost while out of stock" (USD of sales)."""
    from opsai.executive.actions import _events, _price, _shifted, _stopped

    evs = {
        "sales_stopped": {"items": ["45"], "since": ["2011-08-08"], "rate_before": [233338.6],
                          "periods": [64], "unit": "week"},
        "level_shift": {"series": ["5"], "change": [-0.4], "since": ["2012-03-05"],
                        "rate_before": [1000.0], "rate_after": [600.0], "total_change": [0.0],
                        "unit": "week"},
        "price_moves": {"items": ["A"], "since": ["2011-08-29"], "price_change": [0.5],
                        "units_change": [-0.5], "rate_before": [10.0], "rate_after": [5.0]},
        "event_days": {"median_ratio": 1.6, "column": "IsHoliday", "days": 10,
                       "usual_total": 1000.0},
    }  # fmt: skip

    def run(unit: str | None) -> SimpleNamespace:
        return SimpleNamespace(
            finding=lambda chapter, name: (
                {"name": name, "evidence": evs[name]} if name in evs else None
            ),
            metric=lambda chapter, name, default=None: unit if name == "series.unit" else None,
        )

    usd = run("USD")
    (a,) = _stopped(usd, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["unit"] == "USD of sales a week lost while out of stock"
    assert ex.describe_effect(a["low"], a["mid"], a["high"], a["unit"], currency="USD") == (
        "about 233,339 USD of sales a week lost while out of stock"
    )
    (b,) = _shifted(usd, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert (b["unit"], b["mid"]) == ("USD of sales a week lost", 400.0)
    (c,) = _price(usd, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert c["action"].endswith("and -50% sales a day since.")
    assert c["unit"] == "USD of sales a day fewer since the price move"
    (d,) = _events(usd, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert d["unit"] == "USD of sales more on an event day, in total"
    assert d["mid"] == pytest.approx(600.0)
    (e,) = _stopped(run("money"), {}, ex.Assumptions(), "")  # type: ignore[arg-type]
    assert e["unit"] == "sales value a week lost while out of stock"
    for unit in ("units", None):  # units, or a run recorded before series.unit: units
        (u,) = _stopped(run(unit), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
        assert u["unit"] == "units a week lost while out of stock"
        (p,) = _price(run(unit), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
        assert p["action"].endswith("and -50% units a day since.")


def test_event_weeks_are_said_in_weeks_in_the_plan() -> None:
    """byod11b D2: weekly event findings compare event weeks with the weeks around them; the
    plan says weeks, not 'a usual day of the same weekday'."""
    from opsai.executive.actions import _events

    ev = {"median_ratio": 1.5, "column": "IsHoliday", "days": 10, "usual_total": 1000.0,
          "feature": True, "period": "week"}  # fmt: skip
    run = SimpleNamespace(finding=lambda chapter, name: {"name": name, "evidence": ev})
    (a,) = _events(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"].startswith(
        "Plan stock ahead of coming event weeks: demand sells 1.50x a usual week on them"
    )
    assert (
        a["why"]
        == "On the data's 10 event weeks (IsHoliday) all demand sold a median 1.50x the weeks around them."
    )
    assert (a["unit"], a["mid"]) == ("units more in an event week, in total", 500.0)


def test_a_stub_last_period_gives_way_to_the_last_complete_one() -> None:
    """byod11b D17: weekly periods and an export ending on a Tuesday: the scorecard showed
    '31 (+16.7%, 2024-12-30, 2 of 7 days, per day ...)' and a negative share of 29 tickets;
    the last complete week (93 tickets against 97) is the figure to show."""
    from opsai.executive.scorecard import _negative_share, _ticket_volume

    weeks = ["2024-12-16/2024-12-22", "2024-12-23/2024-12-29", "2024-12-30/2025-01-05"]
    volume = pd.DataFrame({"period": weeks, "intent": "a", "tickets": [97, 93, 31],
                           "period_total": [97, 93, 31]})  # fmt: skip
    trend = pd.DataFrame({"period": weeks, "tickets": [90, 88, 29], "negative": [22, 22, 6],
                          "negative_share": [22 / 90, 22 / 88, 6 / 29], "base": "rated",
                          "predicted": 0})  # fmt: skip
    days = {"volume.last_period_days": 2, "volume.last_period_length": 7,
            "volume.last_period_before_length": 7}  # fmt: skip
    run = SimpleNamespace(
        table=lambda chapter, name: volume if name == "volume.table" else trend,
        metric=lambda chapter, name: days.get(name),
    )
    assert _ticket_volume(run) == (  # type: ignore[arg-type]
        93.0, pytest.approx(93 / 97 - 1), "%",
        "2024-12-23/2024-12-29 vs period before (the last complete period; "
        "2024-12-30/2025-01-05 has 2 of 7 days)",
    )  # fmt: skip
    value, change, _, label = _negative_share(run)  # type: ignore[arg-type]
    assert value == pytest.approx(0.25) and change == pytest.approx(100 * (0.25 - 22 / 90))
    assert label == (
        "2024-12-23/2024-12-29 vs period before, of 88 rated tickets; the last complete "
        "period; 2024-12-30/2025-01-05 has 2 of 7 days"
    )
    few = trend.assign(tickets=[9, 6, 29])  # 6 rated tickets: a share, but no better or worse
    run.table = lambda chapter, name: volume if name == "volume.table" else few
    assert _negative_share(run)[1] is None  # type: ignore[arg-type]
    days["volume.last_period_days"] = 5  # most of the week: kept, compared per day
    assert _ticket_volume(run)[3] == "2024-12-30, 5 of 7 days, per day vs period before"


def test_a_churn_label_rate_is_on_the_scorecard() -> None:
    """byod11a D10: the Telco users file alone gave 07 "No business figures were recorded";
    03a's churn rate from users.churned is a scorecard figure."""
    from opsai.executive.narrative import format_value
    from opsai.executive.scorecard import KPIS

    metrics = {("03a_user_behavior", "churn_label.rate"): 0.232}
    run = SimpleNamespace(metric=lambda chapter, name: metrics.get((chapter, name)))
    sc = ex.kpi_scorecard(run, kpis=tuple(k for k in KPIS if k.key == "churn_label_rate"))  # type: ignore[arg-type]
    assert sc["kpi"].tolist() == ["Customers who have left (churn label)"]
    assert sc["value"].tolist() == [0.232]
    assert format_value(0.232, "churn_label_rate") == "23.2%"
    # byod12a D15: a bookings file's is_canceled is no churn, and the figure says what it is
    ev = {"outcome": "canceled", "rows": "rows"}
    run.finding = lambda chapter, name: {"evidence": ev} if name == "churn_label.rate" else None
    sc = ex.kpi_scorecard(run, kpis=tuple(k for k in KPIS if k.key == "churn_label_rate"))  # type: ignore[arg-type]
    assert sc["kpi"].tolist() == ["Rows canceled (users.churned label)"]


def test_new_users_near_the_data_start_are_not_rated(run_folder: Path) -> None:
    """byod11a D3: REES46 (events 2019-10 .. 2019-12, no signup date) read "New users this
    month: 191 (-71.4%) - worse": users first seen in an export fall as it goes on, whatever
    acquisition does. While the month compared with starts within a quarter of the data's
    first, the card keeps its count, gives no change and says why; later it is rated."""
    run = ex.load_run(run_folder)
    life = [
        {"period": "2019-10-01", "new": 2142, "active": 2142, "dormant": 0},
        {"period": "2019-11-01", "new": 667, "active": 2200, "dormant": 750},
        {"period": "2019-12-01", "new": 191, "active": 2183, "dormant": 612},
    ]
    run.chapters[BEHAVIOR]["tables"]["retention.lifecycle"] = life
    run.chapters[BEHAVIOR].setdefault("metrics", {})["retention.activity"] = "events"
    sc = ex.kpi_scorecard(run).set_index("key")
    new = sc.loc["new_users_month"]
    assert new["value"] == 191 and pd.isna(new["change"]) and new["assessment"] == ""
    assert new["period"].startswith("2019-12; users first seen in the data, which start in 2019-10")
    assert "no acquisition trend" in new["period"]
    assert sc.loc["dormant_month", "change"] == pytest.approx(612 / 750 - 1)  # still rated
    life.insert(0, {"period": "2019-09-01", "new": 3000, "active": 3000, "dormant": 0})
    life.insert(0, {"period": "2019-08-01", "new": 4000, "active": 4000, "dormant": 0})
    new = ex.kpi_scorecard(run).set_index("key").loc["new_users_month"]  # Nov: 92 days in
    assert new["change"] == pytest.approx((191 / 31) / (667 / 30) - 1)  # per day
    assert new["assessment"] == "worse"
    assert new["period"].startswith("2019-12 vs month before, less the month lengths")


def test_an_anonymous_till_has_no_active_users_card_but_its_average_order(
    run_folder: Path,
) -> None:
    """byod12a D2: a coffee shop's POS without customer ids (every order a guest) showed
    "0 Daily active users" among its headline figures. The users are unknown, not 0: the
    card goes, and the average order value (revenue / orders) is there with its change."""
    run = ex.load_run(run_folder)
    (activity,) = [
        f for f in run.chapters["00_data_overview"]["findings"] if f["name"] == "activity"
    ]
    activity["evidence"] |= {"guest_orders": 40, "active_users": 0.0, "active_users_change": None,
                             "revenue": 200.0, "revenue_change": 0.1}  # fmt: skip
    sc = ex.kpi_scorecard(run).set_index("key")
    assert "daily_active_users" not in sc.index
    assert sc.loc["order_value_28d", "value"] == pytest.approx(5.0)  # 200 / 40
    # revenue +10% on 5% fewer orders: the ticket grew 1.1 / 0.95 - 1 = +15.8%
    assert sc.loc["order_value_28d", "change"] == pytest.approx(1.1 / 0.95 - 1)
    assert sc.loc["order_value_28d", "assessment"] == "better"


def test_all_guest_days_draw_no_active_user_line() -> None:
    from opsai.overview.story import activity_figure

    daily = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=3), "active_users": 0.0,
                          "orders": [5.0, 6, 7], "guest_orders": [5.0, 6, 7], "revenue": 1.0})  # fmt: skip
    titles = [a.text for a in activity_figure(daily).layout.annotations]
    assert titles == ["Orders", "Revenue"]
    daily.loc[1, "active_users"] = 2.0  # one customer with an id: the line stays
    assert activity_figure(daily).layout.annotations[0].text == "Active users"


def test_share_of_mentions_is_named_share_of_voice() -> None:
    """With SALES_IS: mentions 06's share is of mentions: the scorecard called it 'Market
    share'; now 'Share of voice (mentions)', while a share of sales stays 'Market share'
    (byod12b D7)."""
    from opsai.executive.scorecard import KPIS

    def run(measure: str | None) -> SimpleNamespace:
        ev = {"share_now": 0.265, "change_pp": -11.6, "compared": "2024-06-24 vs 2024-01-01"}
        share = {"name": "share", "evidence": ev | ({"measure": measure} if measure else {})}
        return SimpleNamespace(
            finding=lambda chapter, name: share if name == "share" else None,
            metric=lambda chapter, name: {"share.latest": 0.265, "share.change_12m": -11.6}.get(
                name
            ),
        )

    kpis = tuple(k for k in KPIS if k.key == "share")
    voice = ex.kpi_scorecard(run("mentions"), kpis=kpis)  # type: ignore[arg-type]
    assert voice["kpi"].tolist() == ["Share of voice (mentions)"]
    assert voice["value"].tolist() == [pytest.approx(0.265)]
    assert ex.kpi_scorecard(run(None), kpis=kpis)["kpi"].tolist() == ["Market share"]  # type: ignore[arg-type]


def test_activity_after_the_last_signup_is_neither_better_nor_worse(run_folder: Path) -> None:
    """byod13a D14: Cookie Cats' installs end 2024-04-29 and its sessions a month later; the
    scorecard read the ageing cohorts' fall as four "worse" figures without saying why."""
    run = ex.load_run(run_folder)
    assert ex.kpi_scorecard(run).set_index("key").loc["orders_28d", "assessment"] == "worse"
    run.finding(OVERVIEW, "activity")["evidence"]["signups_end"] = {
        "date": "2024-04-29",
        "days": 29,
    }
    sc = ex.kpi_scorecard(run).set_index("key")
    for key in ("revenue_28d", "orders_28d"):
        assert sc.loc[key, "period"] == (
            "last 28 days vs 28 before; no signups after 2024-04-29: the last cohorts ageing, "
            "not the business"
        )
    assert sc.loc["revenue_28d", "assessment"] == "better"  # +10%: a rise keeps its verdict
    assert sc.loc["orders_28d", "assessment"] == ""  # -5%
    assert sc.loc["active_users_month", "assessment"] == "better"  # 03a's months: as before
