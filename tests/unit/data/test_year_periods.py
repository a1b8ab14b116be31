"""Years written as whole numbers are dates (each year's 1 January), with or without
``timestamp_format: '%Y'``, and a ``timestamp_format`` on an integer period column is applied
(byod11b D22: the years stayed integers, so chapter 06 took 12 periods for a season)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.market.chapter import season_for
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

SHARES = "Company,2018,2019,2020\nUs,8.0,10.0,12.0\nThem,25.0,-,21.0\n"
WIDE = {"file": "shares.csv", "na_values": ["-"],
        "unpivot": {"keep": ["Company"], "names_to": "year", "values_to": "pct"},
        "columns": {"period": "year", "company": "Company", "sales": "pct"}}  # fmt: skip
YEARS = pd.to_datetime(["2018-01-01", "2019-01-01", "2020-01-01"]).tolist()


@pytest.mark.parametrize("fmt", ["%Y", None])
def test_unpivoted_year_headers_are_yearly_dates(tmp_path: Path, fmt: str | None) -> None:
    """Euromonitor's year columns: periods 2018-01-01 .. 2020-01-01 (not 2018 .. 2020), so
    SEASON is 1 and changes look back one year."""
    spec = dict(WIDE, **({"timestamp_format": fmt} if fmt else {}))
    cfg = write_dataset(tmp_path, {"shares.csv": SHARES}, {"market": spec})
    with open_workspace(cfg) as ws:
        m = ws.to_pandas("market")
        season, year, finding = season_for(ws.table("market"))
    assert sorted(m["period"].unique().tolist()) == YEARS
    assert (season, year) == (1, 1)
    assert finding is not None and "years" in finding.text


def test_integer_year_and_year_month_columns_read_with_their_format(tmp_path: Path) -> None:
    """A demand table with an integer column of years (no format) and a market with YYYYMM
    integers and '%Y%m'; a spreadsheet's 2019.0 is the year 2019."""
    files = {
        "sales.csv": "item_id,year,quantity\nA,2019,5\nA,2020,7\n",
        "market.csv": "ym,company,sales\n201901,us,1\n201902,us,2\n",
    }
    tables = {
        "demand": {"file": "sales.csv", "columns": {"timestamp": "year"}},
        "market": {"file": "market.csv", "timestamp_format": "%Y%m", "columns": {"period": "ym"}},
    }
    cfg = write_dataset(tmp_path, files, tables)
    with open_workspace(cfg) as ws:
        d = ws.to_pandas("demand").sort_values("timestamp")
        m = ws.to_pandas("market").sort_values("period")
    assert d["timestamp"].tolist() == YEARS[1:]
    assert m["period"].tolist() == pd.to_datetime(["2019-01-01", "2019-02-01"]).tolist()


def test_small_integer_periods_stay_counts(tmp_path: Path) -> None:
    """Week numbers 1, 2, 3 without a format are periods counted, as before."""
    cfg = write_dataset(
        tmp_path, {"m.csv": "period,company,sales\n1,us,3\n2,us,4\n"}, {"market": {"file": "m.csv"}}
    )
    with open_workspace(cfg) as ws:
        m = ws.to_pandas("market").sort_values("period")
    assert m["period"].tolist() == [1, 2]


@pytest.mark.parametrize(
    "years",
    [
        ["1850", "1870", "1890"],  # Maddison's GDP years: 06 read dates, the loader counts
        ["2018", "2019.0", "2020"],  # a spreadsheet's 2019.0
        ["1", "2", "3"],  # period numbers: no years on either path
        ["2150", "2200", "2201"],  # one beyond the range: no years on either path
    ],
)
def test_a_column_of_years_reads_the_same_through_the_loader_and_chapter_06(
    tmp_path: Path, years: list[str]
) -> None:
    """Two layers read years: the loader (1900-2100, four digits) and 06's year_periods
    (1800-2200, any whole number), so a market sheet from 1850 loaded as period numbers
    1850, 1870, 1890 while the same frame given to 06 became dates. One rule
    (opsai.data.years.year_dates) now reads both."""
    from opsai.data.years import year_dates
    from opsai.market.chapter import year_periods

    body = "".join(f"{y},us,{k + 1}\n" for k, y in enumerate(years))
    cfg = write_dataset(tmp_path, {"m.csv": "period,company,sales\n" + body},
                        {"market": {"file": "m.csv"}})  # fmt: skip
    with open_workspace(cfg) as ws:
        loaded = ws.to_pandas("market").sort_values("sales")["period"].reset_index(drop=True)
    given = year_periods(pd.DataFrame({"period": years, "company": "us"}))["period"]
    rule = year_dates(pd.Series(years))
    if rule is None:
        assert not pd.api.types.is_datetime64_any_dtype(loaded)
        assert given.tolist() == years
    else:
        want = [pd.Timestamp(f"{int(float(y))}-01-01") for y in years]
        assert loaded.tolist() == want and given.tolist() == want and rule.tolist() == want


def test_year_dates_reads_numbers_and_text_and_leaves_the_rest() -> None:
    from opsai.data.years import year_dates

    got = year_dates(pd.Series([2018, None, 2020.0]))
    assert got is not None and got.tolist()[0] == pd.Timestamp("2018-01-01") and pd.isna(got[1])
    assert year_dates(pd.Series(["2024H1", "2024H2"])) is None
    assert year_dates(pd.Series([20240115])) is None and year_dates(pd.Series([1799])) is None
    assert year_dates(pd.Series(["２０２４"])) is None  # full-width digits are no year
    assert year_dates(pd.Series([True, False])) is None and year_dates(pd.Series([None])) is None
