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
    index = (run.path / "index.html").read_text("utf-8")
    assert "<dt>Times in</dt><dd>UTC (data.timezone is not set)" in index
    for name in ("alerts.stockout_count", "plan.order_now", "simulation.fill_rate"):
        assert demand["metrics"][name] is None, name
    texts = [f["text"] for f in demand["findings"]]
    assert sum(t.startswith("No inventory table") for t in texts) == 1
    scorecard = {r["key"] for r in _results(run, "07_integration")["tables"]["scorecard"]}
    assert not scorecard & {"stockouts", "order_now", "fill_rate"}
    # joins whose chapters did not run are unknown, not zero (no "0 outreach users" card)
    integration = _results(run, "07_integration")["metrics"]
    for name in ("outreach.users", "outreach.value_at_risk", "stockout_recommended.items"):
        assert integration[name] is None, name
    kpis = {k["name"] for k in index_context([demand], meta={}, pages={})["kpis"]}
    assert "best.mase" in kpis and "plan.order_now" not in kpis


def test_tickets_only_overview_counts_tickets_over_time(tiny_demo: Path, tmp_path: Path) -> None:
    """byod11b D20: tickets alone carry the overview's activity (tickets opened per day and
    over the last 28 days), rather than "no activity over time to show"; no revenue or users."""
    cfg = _config(tiny_demo, tmp_path, {"tickets": "tickets.csv"})
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["00_data_overview"])  # fmt: skip
    overview = _results(run, "00_data_overview")
    found = {f["name"]: f for f in overview["findings"]}
    assert found["activity"]["text"].startswith("Over the last 28 days (to ")
    assert " support tickets were opened (" in found["activity"]["text"]
    assert found["activity"]["evidence"]["tickets"] > 0
    assert overview["metrics"]["days_covered"] > 56
    assert overview["metrics"]["revenue_28d"] is None
    page = (run.path / "00_data_overview.html").read_text("utf-8")
    assert "there is no activity over time to show" not in page
    assert "Activity per day" in page


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
    tables = {
        "tickets": {"file": "labelled.csv", "columns": {"text": "utterance", "intent": "label"}}
    }
    cfg.write_text(
        yaml.safe_dump({"name": "labelled", "data": {"source": str(tmp_path), "tables": tables}})
    )
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


def _events_only(tiny_demo: Path, tmp_path: Path, *, value: bool) -> Path:
    """The demo's events with no orders table: each purchase event carries its order's id (and,
    with ``value``, its amount as GA4's ``revenue``); without, RetailRocket's names and ids."""
    import pandas as pd

    src = tiny_demo.parent
    e, o = pd.read_csv(src / "events.csv"), pd.read_csv(src / "orders.csv")
    key = ["user_id", "timestamp", "item_id"]
    o = o.groupby(key, as_index=False).agg(
        revenue=("amount", "sum"), transaction_id=("order_id", "first")
    )
    e = e.merge(o, on=key, how="left", validate="many_to_one")
    assert e["transaction_id"].notna().sum() == (e["event"] == "purchase").sum() > 0
    if not value:  # RetailRocket: transaction / addtocart, numeric ids, no value
        e["event"] = e["event"].replace({"purchase": "transaction", "add_to_cart": "addtocart"})
        e["transactionid"] = e.pop("transaction_id").str[1:].astype(float)
        e = e.drop(columns="revenue")
    e.to_csv(tmp_path / "events.csv", index=False)
    cfg = tmp_path / "events_only.yaml"
    tables = {"events": {"file": "events.csv"}, "users": {"file": str(src / "users.csv")},
              "items": {"file": str(src / "items.csv")}}  # fmt: skip
    cfg.write_text(
        yaml.safe_dump({"name": "events only", "data": {"source": str(tmp_path), "tables": tables}})
    )
    return cfg


def test_purchase_events_with_values_stand_in_for_orders(
    tiny_demo: Path, tiny_report: build.ReportRun, tmp_path: Path
) -> None:
    """Events whose purchases carry the order's value and id give chapter 3a the same figures
    as the orders table they came from; without an ad_spend table the advertising section
    says why it is skipped, with no ROAS and no ads finding."""
    cfg = _events_only(tiny_demo, tmp_path, value=True)
    run = build.build_report(
        cfg, out=tmp_path / "reports", fast=True, jobs=1, chapters=["03a_user_behavior"]
    )
    got, want = _results(run, "03a_user_behavior"), _results(tiny_report, "03a_user_behavior")
    for name in ("segments.count", "churn.auc", "churn.pr_auc", "clv.holdout_total_error_pct",
                 "funnel.overall_conversion"):  # fmt: skip
        assert got["metrics"][name] == pytest.approx(want["metrics"][name], rel=1e-9), name
    assert got["metrics"]["orders.valued"] is True and want["metrics"]["orders.from_events"] is None
    assert "'purchase' events are read as orders" in got["metrics"]["orders.from_events"]
    assert got["tables"]["segments.table"] == want["tables"]["segments.table"]
    assert got["metrics"]["ads.roas"] is None and got["tables"]["ads.table"] == []
    assert not [f for f in got["findings"] if f["name"].startswith("ads.")]
    page = (run.path / "03a_user_behavior.html").read_text("utf-8")
    assert "Skipped: the data has no ad_spend table (cost per campaign and day" in page


def test_purchase_events_without_values_count_purchases(
    tiny_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """RetailRocket-style events (transaction, no value): orders are the transactions, each worth
    1; nothing is called revenue or spend, lifetime value is a purchase forecast, and `opsai
    score` reads the new data's orders the same way."""
    import pandas as pd

    from opsai.cli import main

    cfg = _events_only(tiny_demo, tmp_path, value=False)
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=2,
                             chapters=["03a_user_behavior", "04_demand_inventory", "07_integration"])  # fmt: skip
    behaviour = _results(run, "03a_user_behavior")
    m, tables = behaviour["metrics"], behaviour["tables"]
    assert (
        m["orders.valued"] is False
        and "'transaction' events are read as orders" in m["orders.from_events"]
    )
    assert m["funnel.overall_conversion"] > 0 and m["churn.auc"] > 0.5
    texts = {f["name"]: f["text"] for f in behaviour["findings"]}
    assert "of purchases (" in texts["top_segment"] and "revenue_concentration" not in texts
    assert {"purchases", "purchases_at_risk"} <= set(pd.DataFrame(tables["churn.at_risk"]).columns)
    assert set(pd.DataFrame(tables["clv.top_customers"]).columns) == {
        "user_id",
        "p_alive",
        "expected_purchases",
    }
    integration = _results(run, "07_integration")["tables"]
    assert "value_at_risk" not in {r["key"] for r in integration["scorecard"]}
    card = next(c for c in integration["model_cards"] if "BG/NBD" in c["model"])
    assert card["model"] == "Repeat purchases (BG/NBD)" and "spend" not in card["task"]
    demand = _results(run, "04_demand_inventory")  # the transactions per item, one unit each
    assert demand["metrics"]["best.mase"] > 0 and demand["metrics"]["plan.order_now"] is None
    source = next(f for f in demand["findings"] if f["name"] == "demand_source")
    assert source["text"].startswith(
        "No demand or orders table: 688 'transaction' events are read as demand, each one unit sold"
    )
    out = tmp_path / "scores"
    assert main(["score", "--run", str(run.path), "--config", str(cfg), "--out", str(out)]) == 0
    risk = pd.read_csv(out / "churn_risk.csv", dtype={"user_id": str})
    assert len(risk) > 0 and risk["user_id"].is_unique and "clv" not in risk.columns
    assert (
        "note: churn: No orders table: 688 'transaction' events are read as orders"
        in capsys.readouterr().out
    )


def test_events_without_purchases_skip_the_purchase_chapters(
    tiny_demo: Path, tmp_path: Path
) -> None:
    """A clickstream without a single purchase: chapters 3a and 4 have nothing to work on and
    are reported as skipped, naming the events the data has; the report does not fail."""
    import pandas as pd

    e = pd.read_csv(tiny_demo.parent / "events.csv")
    e[e["event"] != "purchase"].to_csv(tmp_path / "clicks.csv", index=False)
    cfg = tmp_path / "clicks.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "name": "clicks",
                "data": {"source": str(tmp_path), "tables": {"events": {"file": "clicks.csv"}}},
            }
        )
    )
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=2,
                             chapters=["03a_user_behavior", "04_demand_inventory"])  # fmt: skip
    for stem in ("03a_user_behavior", "04_demand_inventory"):
        data = json.loads((run.path / "results" / f"{stem}.json").read_text("utf-8"))
        assert data["status"] == "skipped", data.get("reason")
        assert (
            data["reason"].startswith("events: no 'purchase' event")
            and "add_to_cart" in data["reason"]
        )
        assert not (run.path / f"{stem}.html").exists()
    assert run.failed == []


def test_market_shares_only(tiny_demo: Path, tmp_path: Path) -> None:
    """README's market-share sheet (period x company holding '29,3 %'), unpivoted: shares,
    concentration and moves are reported; the positioning map and the price sections, which
    need a price, are skipped with one line each instead of failing the chapter (byod10b D9)."""
    import pandas as pd

    src = pd.read_csv(tiny_demo.parent / "market.csv")
    wide = src.pivot_table(index="period", columns="company", values="share", aggfunc="sum")
    wide = wide.div(wide.sum(axis=1), axis=0)
    out = wide.map(lambda v: f"{100 * v:.1f} %".replace(".", ","))
    out.index = pd.to_datetime(out.index).strftime("%m.%Y")
    out.rename_axis("Monat").reset_index().to_csv(
        tmp_path / "marktanteile.csv", sep=";", index=False
    )
    table = {
        "file": "marktanteile.csv", "sep": ";", "decimal": ",", "timestamp_format": "%m.%Y",
        "unpivot": {"keep": ["Monat"], "names_to": "company", "values_to": "share"},
        "columns": {"period": "Monat", "sales": "share"},
    }  # fmt: skip
    cfg = tmp_path / "shares.yaml"
    spec = {"source": str(tmp_path), "tables": {"market": table}}
    cfg.write_text(yaml.safe_dump({"name": "shares", "company": "BlueHarbor", "data": spec}))
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["06_market_competition"])  # fmt: skip
    market = _results(run, "06_market_competition")
    last = wide.iloc[-1]
    assert market["metrics"]["share.latest"] == pytest.approx(
        round(100 * last["BlueHarbor"], 1) / 100, abs=2e-3
    )
    assert market["metrics"]["elasticity.own_price"] is None
    assert market["metrics"]["elasticity.identified"] is False
    found = {f["name"]: f["text"] for f in market["findings"]}
    assert found["positioning_skipped"].startswith(
        "Skipped the positioning map: the market table gives only share"
    )
    assert found["demand_skipped"].startswith("Skipped the demand model")
    assert "no price column" in found["demand_skipped"]
    assert "elasticity" not in found and "share" in found and "concentration" in found
    assert market["tables"]["scenario"] == []
    # shares as sales add up to 100 every period: no market size of 100 with 0% growth, no
    # decomposition "market_growth 0.0", no "sales growth" ranking (byod11b D6)
    assert found["size_skipped"].startswith(
        "Skipped the market size: market.sales holds shares, not sales: in each of the "
        f"{len(wide)} periods its values add up to 1, so the market's size would read 1"
    )
    assert "growth" not in found and market["metrics"]["market.growth_yoy"] is None
    metrics = [r["metric"] for r in market["tables"]["strengths_weaknesses"]]
    assert "sales_share" in metrics and "sales_growth" not in metrics
    assert "sales_growth" not in market["tables"]["share_changes"][0]
    forecast = market["tables"]["forecast"]  # our share's forecast, without a size forecast
    assert forecast and "forecast_share" in forecast[0] and "forecast_size" not in forecast[0]


def test_market_price_scrape_with_constant_sales(tiny_demo: Path, tmp_path: Path) -> None:
    """A price scrape has no sales; mapped with constants: {sales: 1} its row counts are not
    shares: no share, HHI or elasticity KPI and no price scenario, while the competitor's
    price cut is still found, followed by its price (byod10b D12)."""
    import pandas as pd

    src = pd.read_csv(tiny_demo.parent / "market.csv")
    src[["period", "company", "price"]].to_csv(tmp_path / "scrape.csv", index=False)
    table = {"file": "scrape.csv", "constants": {"sales": 1}}
    cfg = tmp_path / "scrape.yaml"
    spec = {"source": str(tmp_path), "tables": {"market": table}}
    cfg.write_text(yaml.safe_dump({"name": "scrape", "company": "Northwind Goods", "data": spec}))
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["06_market_competition"])  # fmt: skip
    market = _results(run, "06_market_competition")
    for name in ("share.latest", "share.change_12m", "hhi.latest", "elasticity.own_price"):
        assert market["metrics"][name] is None, name
    found = {f["name"]: f for f in market["findings"]}
    assert found["share_skipped"]["severity"] == "medium"
    assert "market.sales holds 1 in every row" in found["share_skipped"]["text"]
    assert not {"share", "concentration", "growth", "elasticity"} & set(found)
    assert market["tables"]["scenario"] == []
    move = found["competitor_move_1"]
    assert move["text"].startswith("BlueHarbor cut its price by 16%")
    assert "; its price went from " in move["text"]


def _mentions(tmp_path: Path, parameters: dict[str, Any] | None = None) -> Path:
    """A listening export: one row per mention (Date, Brand, Text), no sales or price, mapped
    with constants: {sales: 1}. Per week NordBrew 36, BeanCo 34, Kaffa 25 and Roastly 5
    mentions until Roastly's launch on 2024-04-01, then 27, 26, 23 and 24."""
    import pandas as pd

    rows = []
    for week in pd.date_range("2024-01-01", "2024-06-24", freq="7D"):
        late = week >= pd.Timestamp("2024-04-01")
        counts = {"NordBrew": 27 if late else 36, "BeanCo": 26 if late else 34,
                  "Kaffa": 23 if late else 25, "Roastly": 24 if late else 5}  # fmt: skip
        for brand, n in counts.items():
            rows += [
                (week + pd.Timedelta(minutes=97 * i), brand, f"{brand} #{i}") for i in range(n)
            ]
    pd.DataFrame(rows, columns=["Date", "Brand", "Text"]).to_csv(
        tmp_path / "mentions.csv", index=False
    )
    table = {"file": "mentions.csv", "constants": {"sales": 1},
             "columns": {"period": "Date", "company": "Brand"}}  # fmt: skip
    cfg = tmp_path / "mentions.yaml"
    spec = {"source": str(tmp_path), "tables": {"market": table}}
    chapters = {"06_market_competition": {"parameters": {"PERIOD": "week", **(parameters or {})}}}
    doc = {"name": "mentions", "company": "NordBrew", "data": spec, "chapters": chapters}
    cfg.write_text(yaml.safe_dump(doc))
    return cfg


def test_market_mentions_without_price_do_not_fail(tmp_path: Path) -> None:
    """Mention rows with constants: {sales: 1} and no price: the chapter ran into "market:
    column 'price' not found" in the competitor price study; now it runs, skips the price
    studies and says once that there is neither sales nor price (byod12b D6)."""
    run = build.build_report(_mentions(tmp_path), out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["06_market_competition"])  # fmt: skip
    market = _results(run, "06_market_competition")
    found = {f["name"]: f["text"] for f in market["findings"]}
    assert "nothing to read: neither sales nor prices" in found["share_skipped"]
    assert not any(name.startswith(("competitor_move", "own_move")) for name in found)
    assert market["tables"]["competitor_events"] == []
    assert market["metrics"]["share.latest"] is None


def test_market_mentions_as_share_of_voice(tmp_path: Path) -> None:
    """SALES_IS: mentions counts a listening export's rows per brand and week: NordBrew's
    share of voice 36.0% -> 27.0%, Roastly's launch week (2024-04-01) a share move of 5.0% ->
    24.0%, concentration of mentions; the market size and the price sections skipped with a
    line each. Before, every share was refused as 'row counts' (byod12b D7)."""
    cfg = _mentions(tmp_path, {"SALES_IS": "mentions"})
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["06_market_competition"])  # fmt: skip
    market = _results(run, "06_market_competition")
    assert market["metrics"]["share.latest"] == pytest.approx(0.27)
    assert market["metrics"]["share.change_12m"] == pytest.approx(-9.0)
    found = {f["name"]: f["text"] for f in market["findings"]}
    assert found["share"].startswith("NordBrew holds 27.0% of the mentions (share of voice)")
    assert "Roastly +19.0 pp (5.0% -> 24.0%) gained the most" in found["competitors"]
    assert found["concentration"].startswith("The mentions are ")
    moved = [t for n, t in found.items() if n.startswith("competitor_move_")]
    roastly = [t for t in moved if t.startswith("Roastly grew its share by ")]
    assert len(roastly) == 1
    assert "in the week of 2024-04-01; its share went from 5.0% to 24.0%" in roastly[0]
    assert "SALES_IS is mentions" in found["size_skipped"]
    assert "SALES_IS is mentions" in found["demand_skipped"]
    assert "share_skipped" not in found and "elasticity" not in found
    assert market["metrics"]["market.growth_yoy"] is None


def test_market_price_scrape_by_product_finds_a_cut_on_one_product(tmp_path: Path) -> None:
    """A price scrape of 20 products, ours and a rival's, with PRODUCT set: the rival's 20%
    cut on P12 from 2023-06-05 moved the basket index 1% and no move was found
    (competitor_moves empty); now the per-product index finds it, with a finding and a
    product_price_index table, and no other product moves (byod12a D16)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    rows = []
    for j in range(20):
        for w in pd.date_range("2023-01-02", periods=52, freq="7D"):
            cut = 0.80 if j == 12 and w >= pd.Timestamp("2023-06-05") else 1.0
            ours = 10.0 + 3 * j
            theirs = ours * cut * float(np.exp(rng.normal(0, 0.03)))
            rows += [(w.date(), f"P{j:02d}", ours, theirs)]
    frame = pd.DataFrame(rows, columns=["Date", "Product ID", "Price", "Competitor Pricing"])
    frame.to_csv(tmp_path / "scrape.csv", index=False)
    table = {"file": "scrape.csv", "constants": {"sales": 1},
             "unpivot": {"columns": ["Price", "Competitor Pricing"], "names_to": "company",
                         "values_to": "price"},
             "columns": {"period": "Date", "company": "company", "price": "price"}}  # fmt: skip
    params = {"COMPANY": "Price", "PRODUCT": "Product ID", "PERIOD": "week"}
    doc = {"name": "scrape", "data": {"source": str(tmp_path), "tables": {"market": table}},
           "chapters": {"06_market_competition": {"parameters": params}}}  # fmt: skip
    cfg = tmp_path / "scrape.yaml"
    cfg.write_text(yaml.safe_dump(doc))
    run = build.build_report(cfg, out=tmp_path / "reports", fast=True, jobs=1,
                             chapters=["06_market_competition"])  # fmt: skip
    market = _results(run, "06_market_competition")
    moves = [m for m in market["tables"]["competitor_moves"] if m.get("Product ID")]
    assert [(m["company"], m["Product ID"]) for m in moves] == [("Competitor Pricing", "P12")]
    assert moves[0]["began"].startswith("2023-06-05")
    assert moves[0]["their_change"] == pytest.approx(-0.20, abs=0.02)
    found = {f["name"]: f["text"] for f in market["findings"]}
    assert found["product_move_1"].startswith("Competitor Pricing cut P12 by ")
    assert (
        "from the week of 2023-06-05: its price went from 1.00x ours to 0.80x"
        in found["product_move_1"]
    )
    assert "product_move_2" not in found
    p12 = [r for r in market["tables"]["product_price_index"] if r["Product ID"] == "P12"]
    assert p12 and p12[-1]["index"] == pytest.approx(80.0, abs=8.0)
