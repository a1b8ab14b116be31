"""Google Play's catalogue (Kaggle's ``googleplaystore.csv``): installs written as lower bounds
(``10,000+``) and a shifted broken row that a ``where`` on the category leaves out before the
casts (byod13b D3, D4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data import open_workspace
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

CATALOGUE = (
    "App,Category,Rating,Reviews,Installs,Type,Price,Last Updated\n"
    'Snap Pro,PHOTOGRAPHY,4.6,1200,"50,000,000+",Free,0,"July 30, 2018"\n'
    'Lumen RAW,PHOTOGRAPHY,4.7,35,"1,000+",Paid,$5.99,"March 2, 2017"\n'
    'Lumen RAW,PHOTOGRAPHY,4.7,36,"1,000+",Paid,$5.99,"March 2, 2017"\n'
    'Tiny Cam,PHOTOGRAPHY,,0,5+,Free,0,"May 1, 2016"\n'
    'Budget Pal,FINANCE,4.1,90,"100,000+",Free,0,"June 3, 2018"\n'
    # the published file's one shifted row: its Category is '1.9', its Price 'Everyone'
    'Life Made Frame,1.9,19,3.0M,"1,000+",Free,Everyone,1.0.19\n'
)
MARKET = {
    "file": "googleplaystore.csv",
    "where": "Category = 'PHOTOGRAPHY'",
    "drop_duplicates": ["App"],
    "timestamp_format": "%B %d, %Y",
    "columns": {"period": "Last Updated", "company": "App", "sales": "Installs",
                "price": "Price", "users": "Reviews"},
}  # fmt: skip
ITEMS = {
    "file": "googleplaystore.csv",
    "where": "Category <> '1.9'",
    "drop_duplicates": ["App"],
    "columns": {"item_id": "App", "title": "App", "category": "Category", "price": "Price"},
}


def test_installs_read_as_numbers_after_a_where_on_an_unmapped_column(tmp_path: Path) -> None:
    """'10,000+' read as 10,000 (without thousands: a count with a '+' is grouped by its
    commas), and the where on the unmapped Category runs before the casts: the broken row's
    '1.0.19' date and 'Everyone' price are never cast (the error counted every row of the
    file: '10509 value(s) do not parse, e.g. '10,000+'')."""
    cfg = write_dataset(tmp_path, {"googleplaystore.csv": CATALOGUE}, {"market": MARKET})
    with open_workspace(cfg) as ws:
        m = ws.to_pandas("market").set_index("company")
        said = [w.message for w in ws.warnings]
    assert m["sales"].to_dict() == {"Snap Pro": 50_000_000.0, "Lumen RAW": 1000.0, "Tiny Cam": 5.0}
    assert m.loc["Lumen RAW", "price"] == pytest.approx(5.99)
    assert said[0] == (
        "2 of 6 row(s) (33.3%) left out by data.tables.market.where (Category = 'PHOTOGRAPHY')"
    )
    with_th = MARKET | {"thousands": ","}
    cfg = write_dataset(tmp_path, {"googleplaystore.csv": CATALOGUE}, {"market": with_th})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("market")["sales"].sum() == pytest.approx(50_001_005.0)


def test_a_where_on_the_mapped_category_by_its_file_name_runs_before_the_casts(
    tmp_path: Path,
) -> None:
    """Category is mapped as the category, which the contract spells the same but for its
    case: the where ran on the loaded table, after the price cast had failed on 'Everyone'.
    A condition on a number (Rating, an attribute of numbers) still reads the loaded,
    typed table, and the error of a cast the where does not cover counts the kept rows."""
    files = {"googleplaystore.csv": CATALOGUE}
    with open_workspace(write_dataset(tmp_path, files, {"items": ITEMS})) as ws:
        items = ws.to_pandas("items")
    assert sorted(items["item_id"]) == ["Budget Pal", "Lumen RAW", "Snap Pro", "Tiny Cam"]
    assert items["price"].sum() == pytest.approx(5.99)
    typed = MARKET | {"where": "Category = 'PHOTOGRAPHY' AND Rating >= 4.6"}
    whole = {"googleplaystore.csv": CATALOGUE.rsplit("Life Made", 1)[0]}
    with open_workspace(write_dataset(tmp_path, whole, {"market": typed})) as ws:
        assert sorted(ws.to_pandas("market")["company"]) == ["Lumen RAW", "Snap Pro"]
    broken = {**MARKET, "where": "Category <> 'PHOTOGRAPHY'", "drop_duplicates": ["App"]}
    with pytest.raises(SchemaError, match=r"but 1 value\(s\) do not parse, e.g. '1.0.19'"):
        open_workspace(write_dataset(tmp_path, files, {"market": broken}))
