"""The executive report's store table: read from the data overview's store figures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.executive import RunResults, store_scorecard
from opsai.executive.results import OVERVIEW
from opsai.overview import store_finding, store_summary
from opsai.report.results import _records, empty_result
from tests.conftest import write_dataset


def _run(stores: pd.DataFrame) -> RunResults:
    f = store_finding(stores, currency="USD")
    overview = empty_result(OVERVIEW)
    overview["tables"]["store_summary"] = _records(stores)
    if f is not None:
        overview["findings"] = [{"name": "stores", "text": f.text, "severity": f.severity,
                                 "evidence": f.evidence}]  # fmt: skip
    return RunResults({OVERVIEW: overview})


def test_the_fastest_slowest_and_largest_store_come_from_the_overview(tmp_path: Path) -> None:
    """07 showed no store while 00 found Astoria growing +50% and Lower Manhattan falling."""
    days = pd.date_range("2023-01-01", "2023-03-31")
    rows = []
    for store, (units, late) in {"Astoria": (30, 45), "Hell's Kitchen": (40, 38),
                                 "Lower Manhattan": (20, 15)}.items():  # fmt: skip
        for d in days:
            q = late if d > pd.Timestamp("2023-03-03") else units
            rows.append({"store_location": store, "product_id": "1", "date": d.date(),
                         "qty": q, "unit_price": 2.0})  # fmt: skip
    spec = {"demand": {"columns": {"item_id": "product_id", "timestamp": "date",
                                   "quantity": "qty", "price": "unit_price",
                                   "store": "store_location"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"demand.csv": pd.DataFrame(rows).to_csv(index=False)}, spec)
    with open_workspace(cfg) as ws:
        stores = store_summary(ws)
    t = store_scorecard(_run(stores)).set_index("role")
    assert list(t.index) == ["Fastest-growing store", "Slowest-growing store", "Largest revenue"]
    assert list(t["store"]) == ["Astoria", "Lower Manhattan", "Hell's Kitchen"]
    assert t.loc["Fastest-growing store", "growth"] == pytest.approx(0.5)
    assert t.loc["Fastest-growing store", "value"] == pytest.approx(2.0 * (30 * 62 + 45 * 28))
    assert t.loc["Slowest-growing store", "growth"] == pytest.approx(-0.25)
    total = 2.0 * (62 * (30 + 40 + 20) + 28 * (45 + 38 + 15))  # 62 days before, 28 after
    largest = 2.0 * (40 * 62 + 38 * 28)
    assert t.loc["Largest revenue", "value"] == pytest.approx(largest)
    assert t.loc["Largest revenue", "share"] == pytest.approx(largest / total)
    assert t.loc["Largest revenue", "growth"] == pytest.approx(38 / 40 - 1)
    assert t.loc["Slowest-growing store", "period"] == "last 28 days to 2023-03-31 vs 28 before"
    assert t.loc["Largest revenue", "measure"] == "revenue"


def test_one_store_or_no_overview_gives_no_store_table() -> None:
    one = pd.DataFrame({"store": ["A"], "revenue": [10.0], "share": [1.0], "recent": [5.0],
                        "recent_change": [0.1]})  # fmt: skip
    assert store_scorecard(_run(one)).empty
    assert store_scorecard(RunResults({})).empty
    short = pd.DataFrame({"store": ["A", "B"], "units": [30.0, 10.0], "share": [0.75, 0.25],
                          "recent": [30.0, 10.0], "recent_change": [float("nan")] * 2})  # fmt: skip
    short.attrs.update(measure="units", end="2024-01-20", days=28)
    t = store_scorecard(_run(short))  # under 56 days: no growth, only the largest
    assert list(t["role"]) == ["Largest units"] and list(t["store"]) == ["A"]
    assert t["value"].iloc[0] == 30.0 and pd.isna(t["growth"].iloc[0])
