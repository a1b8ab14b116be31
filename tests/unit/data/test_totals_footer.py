"""A report's totals footer (Google Ads' ``Total: Account`` in its Day column) and an ad
platform's spend report (byod12b D11)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

DAYS = [f"2024-01-0{d}" for d in range(1, 6)]
ROWS = "".join(
    f'{day},{name},Search,Enabled,USD,"1,{i}00",{10 + i},{cost + i}.50,{i}.00,"1,{i}00.00"\n'
    for i, day in enumerate(DAYS)
    for name, cost in (("Brand - Search", 20), ("PMax - Shop", 30))
)
REPORT = (
    "Campaign report\nJanuary 1, 2024 - January 5, 2024\n"
    "Day,Campaign,Campaign type,Campaign state,Currency code,Impr.,Clicks,Cost,Conversions,"
    "Conv. value\n" + ROWS + 'Total: Account,,,,USD,"5,500",110,275.00,20.00,"12,000.00"\n'
)
MARKET = {
    "file": "Campaign report.csv",
    "skip_rows": 2,
    "thousands": ",",
    "columns": {"period": "Day", "company": "Campaign", "sales": "Conv. value",
                "marketing_spend": "Cost"},
}  # fmt: skip


def test_a_totals_footer_is_named_and_left_out_by_a_where_on_the_days_own_name(
    tmp_path: Path,
) -> None:
    """Without a where the cast error's fix is the where (not a timestamp format); with it the
    footer goes before the casts, and the spend is the ten days' (275.00), not twice that."""
    files = {"Campaign report.csv": REPORT}
    bad = write_dataset(tmp_path, files, {"market": MARKET})
    with pytest.raises(SchemaError) as e:
        open_workspace(bad)
    assert (
        "1 value(s) do not parse, e.g. 'Total: Account' (source type VARCHAR). Fix: it looks "
        "like a totals row: leave it out with data.tables.market.where: \"Day NOT LIKE 'Total%'\""
    ) in str(e.value)
    cfg = write_dataset(tmp_path, files, {"market": MARKET | {"where": "Day NOT LIKE 'Total%'"}})
    with open_workspace(cfg) as ws:
        m = ws.to_pandas("market")
        said = [w.message for w in ws.warnings]
    assert len(m) == 10 and m["marketing_spend"].sum() == pytest.approx(275.0)
    assert m["sales"].sum() == pytest.approx(12_000.0)
    assert said[0] == "1 of 11 row(s) (9.1%) left out by data.tables.market.where (Day NOT LIKE 'Total%')"  # fmt: skip


def test_init_places_an_ad_report_as_ad_spend_with_its_footers_where(tmp_path: Path) -> None:
    """Once "fits no table" (byod12b D11); ad_spend since f13ads (test_init_ads.py)."""
    (tmp_path / "Campaign report.csv").write_text(REPORT, encoding="utf-8")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["ad_spend"] and not plan.unplaced
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert tables["ad_spend"]["where"] == "Day NOT LIKE 'Total%'"


def test_init_leaves_a_placed_files_totals_row_out(tmp_path: Path) -> None:
    """A brand sales report with a Total footer is placed as market with the where, and the
    config it writes validates."""
    body = "".join(f"{d},{b},{s}\n" for d in DAYS for b, s in (("Acme", 5), ("Bolt", 7)))
    text = "Week,Brand,Sales\n" + body + "Total,,60\n"
    (tmp_path / "brand_sales.csv").write_text(text, encoding="utf-8")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["market"]
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert tables["market"]["where"] == "Week NOT LIKE 'Total%'"
    with open_workspace(path) as ws:
        assert ws.to_pandas("market")["sales"].sum() == 60


def test_a_where_on_a_mapped_columns_own_name_reads_text(tmp_path: Path) -> None:
    """Cost is text before the casts: comparing it with a number is an error saying so, and
    TRY_CAST reads it (the two PMax days above 32.50: 33.50, 34.50)."""
    files = {"Campaign report.csv": REPORT}
    tables = {"market": MARKET | {"where": "Day NOT LIKE 'Total%' AND Cost > 32"}}
    with pytest.raises(SchemaError, match=r"runs on the rows as read, before the casts \(columns: Day, "
                       r"Campaign.+values are text there\): cast them \(TRY_CAST\(Cost AS DOUBLE\) > 0\)"):  # fmt: skip
        open_workspace(write_dataset(tmp_path, files, tables))
    cond = "Day NOT LIKE 'Total%' AND TRY_CAST(Cost AS DOUBLE) > 32.5"
    cfg = write_dataset(tmp_path, files, {"market": MARKET | {"where": cond}})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("market")["marketing_spend"].tolist() == [33.5, 34.5]
