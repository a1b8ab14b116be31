"""The demand table's own forecast column scored beside opsai's (byod12a D12)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import own_forecast, own_forecast_finding
from tests.conftest import write_dataset


def test_your_forecast_is_scored_on_the_backtest_rows(tmp_path: Path) -> None:
    """Two items in two stores over 60 days; the file's forecast is 20% over each store's
    sales, opsai's backtest 5% under the item's (stores summed) on the last 14 days: WAPE
    0.20 against 0.05 on the same 28 item-days, pooled alike."""
    days = pd.date_range("2024-01-01", periods=60)
    rng = np.random.default_rng(0)
    rows, series = [], []
    for item, level in (("a", 20), ("b", 50)):
        total = np.zeros(len(days))
        for store in ("s1", "s2"):
            q = rng.poisson(level, len(days)).astype(float)
            total += q
            rows += [
                f"{item},{store},{d:%Y-%m-%d},{v:.0f},{1.2 * v:.1f}"
                for d, v in zip(days, q, strict=True)
            ]
        series.append(pd.DataFrame({ITEM_ID: item, TIMESTAMP: days, QUANTITY: total}))
    csv = "item_id,store,timestamp,quantity,forecast\n" + "\n".join(rows) + "\n"
    cfg = write_dataset(tmp_path, {"d.csv": csv}, {"demand": {"file": "d.csv"}})
    df = pd.concat(series, ignore_index=True)
    cv = df[df[TIMESTAMP] >= days[-14]].assign(cutoff=days[-15])
    cv["Auto"] = 0.95 * cv[QUANTITY]
    with open_workspace(cfg) as ws:
        table = own_forecast(ws, cv, df, freq="D", ids=["a", "b"], season_length=7)
    assert table is not None
    yours, ours = table.set_index("model").loc[["your forecast", "Auto"]].to_dict("records")
    assert yours["wape"] == pytest.approx(0.2, abs=1e-3) and ours["wape"] == pytest.approx(0.05)
    assert yours["pooled_wape"] == pytest.approx(0.2, abs=1e-3)
    assert (yours["rows"], yours["series"]) == (28, 2)
    f = own_forecast_finding(table, windows=1)
    assert f is not None and f.name == "own_forecast" and f.severity == "info"
    assert "opsai's per-series choice (Auto) is more accurate (0.25x your error)" in f.text
    assert f.evidence["yours_wape"] == pytest.approx(0.2, abs=1e-3)


def test_without_a_forecast_column_nothing_is_scored(tmp_path: Path) -> None:
    csv = "item_id,timestamp,quantity\na,2024-01-01,3\n"
    cfg = write_dataset(tmp_path, {"d.csv": csv}, {"demand": {"file": "d.csv"}})
    with open_workspace(cfg) as ws:
        assert own_forecast(ws, pd.DataFrame(), pd.DataFrame(), freq="D", ids=["a"]) is None
    assert own_forecast_finding(None, windows=3) is None
