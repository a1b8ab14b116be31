"""Kaggle's ``NULL`` and ``NA`` cells in attribute columns (byod12a D21: hotel_bookings.csv).

Before, ``agent`` (agent numbers and ``NULL``) and ``children`` (counts and ``NA``) loaded as
text holding the strings, ``company`` (94% ``NULL``) too, and the overview said "No column has
missing values"; a config's ``na_values: ['NULL', 'NA']`` reached the contract columns only."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.data.workspace import Workspace
from opsai.overview.measures import missing_values
from opsai.overview.story import quality_findings
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

N = 40
BOOKINGS = pd.DataFrame(
    {
        "day": pd.date_range("2024-01-01", periods=N).strftime("%Y-%m-%d"),
        "adr": [100.0 + i for i in range(N)],
        "agent": ["NULL" if i % 4 == 0 else str(9 + i % 3) for i in range(N)],  # 10 NULL
        "children": ["NA" if i == 5 else str(i % 3) for i in range(N)],
        "company": ["NULL" if i % 10 else "40" for i in range(N)],  # 36 NULL
        "country": ["NULL" if i < 2 else "NA" if i < 6 else "PRT" for i in range(N)],
        "booking_changes": [0 if i % 2 else 1 for i in range(N)],
    }
)
COLS = {"timestamp": "day", "amount": "adr"}


def _open(tmp_path: Path, **options: object) -> Workspace:
    spec = {"file": "bookings.csv", "columns": COLS, **options}
    files = {"bookings.csv": BOOKINGS.to_csv(index=False)}
    return open_workspace(write_dataset(tmp_path, files, {"orders": spec}))


def test_numbers_beside_null_markers_load_as_numbers_and_the_overview_counts_them(
    tmp_path: Path,
) -> None:
    with _open(tmp_path) as ws:
        o = ws.to_pandas("orders")
        missing = missing_values(ws).set_index("column")
    assert pd.api.types.is_numeric_dtype(o["agent"]) and o["agent"].isna().sum() == 10
    assert sorted(o["agent"].dropna().unique()) == [9, 10, 11]
    assert pd.api.types.is_numeric_dtype(o["children"]) and o["children"].isna().sum() == 1
    assert o["company"].isna().sum() == 36
    # a text column keeps its markers ('NA' is Namibia there) ...
    assert o["country"].tolist()[:7] == ["NULL", "NULL", "NA", "NA", "NA", "NA", "PRT"]
    # ... and the overview counts 'NULL' (no country is written so) as missing, not 'NA'
    assert missing.loc["company", "missing"] == 36 and missing.loc["agent", "missing"] == 10
    assert (missing.loc["country", "missing"], missing.loc["country", "marker"]) == (2, "NULL")
    empty = pd.DataFrame({"table": [], "duplicates": []})
    (_, f), *_ = quality_findings(missing.reset_index(), empty, *[pd.DataFrame()] * 3)
    assert f.text.startswith(
        "4 column(s) have missing values; the worst is orders.company with 36 missing (90.0%"
    )
    assert "orders.country 'NULL' in 2 row(s); data.tables.orders.na_values: ['NULL']" in f.text
    assert f.evidence["markers"] == {"orders.country": {"marker": "NULL", "rows": 2}}


def test_na_values_that_are_no_number_reach_the_attribute_columns(tmp_path: Path) -> None:
    with _open(tmp_path, na_values=["NULL", "NA", "0"]) as ws:
        o = ws.to_pandas("orders")
    assert o["country"].isna().sum() == 6 and set(o["country"].dropna()) == {"PRT"}
    assert (o["booking_changes"] == 0).sum() == N // 2  # '0' marks a contract value only
