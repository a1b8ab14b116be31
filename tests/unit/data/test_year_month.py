"""An ISO year-month (``2023-01``) is the month's first day without a format, and the error
for other month formats names theirs (byod10b D24)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data._load import timestamp_hint
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

TRENDS = "Month,NordicBrew,BrewBox\n2023-01,40,<1\n2023-02,42,3\n2023-12,41,9\n"
MARKET = {"file": "trends.csv", "na_values": ["<1"],
          "unpivot": {"keep": ["Month"], "names_to": "company", "values_to": "interest"},
          "columns": {"period": "Month", "sales": "interest"}}  # fmt: skip


def test_iso_year_month_is_the_first_day_in_the_business_zone(tmp_path: Path) -> None:
    """Google Trends' monthly export: 5 rows, 2023-01-01 .. 2023-12-01 at midnight, also with
    a business zone (a month has no time of day to shift); demand too."""
    cfg = write_dataset(tmp_path, {"trends.csv": TRENDS}, {"market": MARKET})
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["data"]["timezone"] = "Asia/Shanghai"
    data["data"]["tables"]["demand"] = {"file": "sales.csv"}
    (tmp_path / "sales.csv").write_text("item_id,timestamp,quantity\nA,2024-3,5\nA,2024-04,7\n")
    cfg.write_text(yaml.safe_dump(data), encoding="utf-8")
    with open_workspace(cfg) as ws:
        m = ws.to_pandas("market").sort_values(["period", "company"])
        d = ws.to_pandas("demand")
    assert len(m) == 5
    assert sorted(m["period"].astype(str).unique()) == ["2023-01-01", "2023-02-01", "2023-12-01"]
    assert d["timestamp"].tolist() == pd.to_datetime(["2024-03-01", "2024-04-01"]).tolist()


def test_iso_year_month_from_a_database(tmp_path: Path) -> None:
    import duckdb

    with duckdb.connect(str(tmp_path / "m.duckdb")) as con:
        con.execute("CREATE TABLE market (month VARCHAR, company VARCHAR, sales DOUBLE)")
        con.execute("INSERT INTO market VALUES ('2023-01', 'us', 1), ('2023-11', 'them', 2)")
    cfg = tmp_path / "db.yaml"
    spec = {"columns": {"period": "month"}}
    cfg.write_text(json.dumps({"data": {"source": "m.duckdb", "tables": {"market": spec}}}))
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("market").sort_values("period")["period"]
    assert got.tolist() == pd.to_datetime(["2023-01-01", "2023-11-01"]).tolist()


@pytest.mark.parametrize(
    ("values", "want"),
    [
        (["2024/03", "2024/11"], "'%Y/%m'"),
        (["Jan 2024", "Feb 2024"], "'%b %Y'"),
        (["03.2024", "12.2024"], "'%m.%Y'"),
        (["2024-03-05", "2024-03-06"], "'%Y-%m-%d'"),  # a date is still a date
    ],
)
def test_the_hint_names_a_month_format(values: list[str], want: str) -> None:
    assert timestamp_hint(values) == want


def test_a_month_written_otherwise_gets_its_format_in_the_error(tmp_path: Path) -> None:
    cfg = write_dataset(tmp_path, {"trends.csv": TRENDS.replace("-", "/")}, {"market": MARKET})
    with pytest.raises(
        SchemaError,
        match=r"e\.g\. '2023/01'.+timestamp_format to their strptime format \('%Y/%m'\)",
    ):
        open_workspace(cfg)
