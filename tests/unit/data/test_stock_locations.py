"""Inventory with one row per item and location (stock per warehouse) is summed to one row
per item, with a warning naming the locations; one location kept by ``where`` is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data import open_workspace
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

STOCK = (
    "Item No.,Location Code,Qty. on Hand,Lead Time (days),Unit Cost\n"
    "A,WH-Chicago,10,14,2.0\nA,WH-Dallas,5,30,4.0\nB,WH-Chicago,7,14,1.0\n"
)
SPEC = {
    "file": "stock.csv",
    "columns": {"item_id": "Item No.", "on_hand": "Qty. on Hand",
                "lead_time_days": "Lead Time (days)", "unit_cost": "Unit Cost"},
}  # fmt: skip


def test_stock_is_summed_over_locations(tmp_path: Path) -> None:
    cfg = write_dataset(tmp_path, {"stock.csv": STOCK}, {"inventory": SPEC})
    with open_workspace(cfg) as ws:
        inv = ws.to_pandas("inventory").sort_values("item_id", ignore_index=True)
        notes = [str(w) for w in ws.warnings]
    assert inv["item_id"].tolist() == ["A", "B"]
    assert inv["on_hand"].tolist() == [15.0, 7.0]
    assert inv["lead_time_days"].tolist() == [30.0, 14.0]  # the longest
    assert inv["unit_cost"].tolist() == [3.0, 1.0]
    assert "Location Code" not in inv.columns
    assert (
        "inventory: 1 of 2 item(s) have stock in several locations (Location Code: WH-Chicago, "
        "WH-Dallas): the 3 rows are summed to one per item"
    ) in " ".join(notes)
    assert "where (\"Location Code\" = 'WH-Chicago')" in " ".join(notes)


def test_one_location_kept_by_where_is_not_summed(tmp_path: Path) -> None:
    spec = SPEC | {"where": "\"Location Code\" = 'WH-Dallas'"}
    cfg = write_dataset(tmp_path, {"stock.csv": STOCK}, {"inventory": spec})
    with open_workspace(cfg) as ws:
        inv = ws.to_pandas("inventory")
        notes = [str(w) for w in ws.warnings]
    assert inv["on_hand"].tolist() == [5.0]
    assert inv["Location Code"].tolist() == ["WH-Dallas"]
    assert not any("several locations" in n for n in notes)
