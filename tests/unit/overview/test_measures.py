"""The data overview's measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data import open_workspace
from opsai.overview.measures import daily_activity
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def test_returns_are_money_back_not_orders_or_active_users(tmp_path: Path) -> None:
    rows = (
        "order_id,user_id,timestamp,amount\n"
        "o1,1,2024-01-01,30\no1,1,2024-01-01,10\no2,2,2024-01-01,5\n"
        "r1,1,2024-01-02,-10\n"
    )
    cfg = write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}})
    with open_workspace(cfg) as ws:
        d = daily_activity(ws).set_index("date")
    assert d["orders"].tolist() == [2, 0] and d["active_users"].tolist() == [2, 0]
    assert d["revenue"].tolist() == [45.0, -10.0]
    no_ids = "\n".join(line.split(",", 1)[1] for line in rows.splitlines()) + "\n"
    cfg = write_dataset(tmp_path / "no_ids", {"orders.csv": no_ids}, {"orders": {}})
    with open_workspace(cfg) as ws:
        assert daily_activity(ws)["orders"].tolist() == [3, 0]  # lines, without order ids
