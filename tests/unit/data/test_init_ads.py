"""``opsai init`` places Google Ads' and Meta's campaign reports as ``ad_spend`` and maps the
orders' UTM columns; validation names negative spend, another currency and utm_campaign values
no campaign has."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config
from opsai.errors import SchemaError
from tests.conftest import write_dataset
from tests.unit.data.test_totals_footer import REPORT

pytestmark = pytest.mark.unit

META = (
    "Reporting starts,Reporting ends,Campaign name,Campaign delivery,Amount spent (USD),"
    "Impressions,Link clicks,Results,Result indicator\n"
    + "".join(
        f"2024-01-0{d},2024-01-0{d},{name},active,{spend + d}.25,{1000 * d},{10 * d},{d % 3},"
        "actions:offsite_conversion.fb_pixel_purchase\n"
        for d in range(1, 8)
        for name, spend in (("Spring Sale - Prospecting", 50), ("Retargeting", 20))
    )
)
ORDERS = (
    "Name,Customer ID,Created at,Total,utm_source,utm_campaign,Landing Site\n"
    "#1001,c1,2024-01-02 10:00:00,40.00,facebook,retargeting,/\n"
    "#1002,c2,2024-01-03 11:00:00,25.50,,,/p?utm_source=fb&utm_campaign=Spring%20Sale%20-%20Prospecting\n"
    "#1003,c3,2024-01-04 12:00:00,19.00,newsletter,jan-news,/\n"
    "#1004,c1,2024-01-05 13:00:00,60.00,,,/\n"
)


def _pandas_google() -> pd.DataFrame:
    """The report read by pandas: two title lines, thousands commas, no footer."""
    df = pd.read_csv(io.StringIO(REPORT), skiprows=2, thousands=",")
    return df[~df["Day"].str.startswith("Total")]


def test_init_places_a_google_ads_report_as_ad_spend(tmp_path: Path) -> None:
    (tmp_path / "Campaign report.csv").write_text(REPORT, encoding="utf-8")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["ad_spend"] and not plan.unplaced
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["ad_spend"]
    assert spec["skip_rows"] == 2 and spec["where"] == "Day NOT LIKE 'Total%'"
    assert spec["constants"] == {"channel": "google"} and "drop_incomplete" not in spec
    assert spec["columns"] == {
        "timestamp": "Day", "campaign": "Campaign", "spend": "Cost", "impressions": "Impr.",
        "clicks": "Clicks", "conversions": "Conversions", "conversion_value": "Conv. value",
    }  # fmt: skip
    want = _pandas_google().groupby("Campaign")[["Cost", "Impr.", "Conv. value"]].sum()
    with open_workspace(path) as ws:
        got = ws.to_pandas("ad_spend").groupby("campaign")[["spend", "impressions", "conversion_value"]].sum()  # fmt: skip
        assert set(ws.to_pandas("ad_spend")["channel"]) == {"google"}
    assert got.to_numpy().tolist() == want.to_numpy().tolist()  # 112.5 and 162.5 of 275.0
    assert got["spend"].sum() == pytest.approx(275.0)


def test_init_places_a_meta_report_and_the_orders_utm_columns(tmp_path: Path) -> None:
    (tmp_path / "meta_ads.csv").write_text(META, encoding="utf-8")
    (tmp_path / "orders.csv").write_text(ORDERS, encoding="utf-8")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert sorted(g.table for g in plan.guesses) == ["ad_spend", "orders"]
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert tables["ad_spend"]["columns"] == {
        "timestamp": "Reporting starts", "campaign": "Campaign name",
        "spend": "Amount spent (USD)", "impressions": "Impressions", "clicks": "Link clicks",
        "conversions": "Results",
    }  # fmt: skip
    assert tables["ad_spend"]["constants"] == {"channel": "facebook"}
    orders = next(g for g in plan.guesses if g.table == "orders")
    assert {"utm_source", "utm_campaign"} <= {m.contract for m in orders.matches}  # as named
    assert tables["orders"]["columns"]["landing_url"] == "Landing Site"
    notes = " ".join(next(g for g in plan.guesses if g.table == "ad_spend").notes)
    assert "spend is in USD ('Amount spent (USD)')" in notes
    want = pd.read_csv(io.StringIO(META)).groupby("Campaign name")["Amount spent (USD)"].sum()
    with open_workspace(path) as ws:
        got = ws.to_pandas("ad_spend").groupby("campaign")["spend"].sum()
        said = [w.message for w in ws.warnings if w.column == "utm_campaign"]
    assert got.to_dict() == want.to_dict()  # 7 days of 50-57.25 and 20-27.25
    assert said == [
        "1 utm_campaign value(s) name no campaign of ad_spend ('jan-news'): their orders count "
        "in no campaign's return on ad spend. An e-mail's or an organic tag is fine; an ad "
        "campaign named otherwise: rename the tag or the campaign (case, spaces and "
        "punctuation do not matter)"
    ]  # 'retargeting' is 'Retargeting'


AD_SPEND = {"file": "ads.csv", "columns": {"timestamp": "day", "campaign": "name", "spend": "cost"}}


def test_negative_spend_is_an_error_naming_the_column(tmp_path: Path) -> None:
    files = {"ads.csv": "day,name,cost\n2024-01-01,Brand,10\n2024-01-02,Brand,-4\n"}
    with pytest.raises(SchemaError, match=r"ad_spend: column 'spend'.*negative"):
        open_workspace(write_dataset(tmp_path, files, {"ad_spend": AD_SPEND}))


def test_spend_in_another_currency_is_a_warning(tmp_path: Path) -> None:
    files = {"ads.csv": "day,name,cost,Currency code\n2024-01-01,Brand,10,EUR\n"}
    with open_workspace(write_dataset(tmp_path, files, {"ad_spend": AD_SPEND})) as ws:
        said = [w.message for w in ws.warnings if w.table == "ad_spend"]
    assert any(m.startswith("every row is in EUR (column 'Currency code'), but the config's "
                            "currency is USD") for m in said)  # fmt: skip


def test_a_second_ad_report_is_listed_with_how_to_read_both(tmp_path: Path) -> None:
    (tmp_path / "Campaign report.csv").write_text(REPORT, encoding="utf-8")
    (tmp_path / "meta_ads.csv").write_text(META, encoding="utf-8")
    _, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.sample.label for g in plan.guesses] == ["Campaign report.csv"]
    ((label, why),) = plan.unplaced
    assert label == "meta_ads.csv"
    assert why.startswith(
        "also looks like ad_spend (score 9.0); kept Campaign report.csv (score 10.0): one "
        "ad_spend table per config, so its campaigns count in no return on ad spend."
    )
