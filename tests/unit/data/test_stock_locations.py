"""Inventory with one row per item and location (stock per warehouse) is summed to one row
per item, with a warning naming the locations; one location kept by ``where`` is not."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
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


def test_daily_snapshots_keep_the_latest_per_item_and_location(tmp_path: Path) -> None:
    """Amazon's daily inventory ledger (snapshot-date x sku x fulfilment centre) was summed as
    if each date were a warehouse (2.53M units for 7,493 on hand) and the warning suggested a
    where on the first date and a SERIES_FILTER on it; now each item's latest snapshot is
    kept (per centre, then summed), and a location's own date (last count) is no snapshot."""
    ledger = (
        "snapshot-date,sku,fulfillment-center-id,afn-fulfillable-quantity\n"
        "2025-11-28,A,PHX7,100\n2025-11-28,A,ONT8,50\n2025-11-28,B,PHX7,9\n"
        "2025-11-29,A,PHX7,90\n2025-11-29,A,ONT8,40\n2025-11-29,B,PHX7,8\n"
        "2025-11-30,A,PHX7,80\n2025-11-30,A,ONT8,30\n"  # B missing from the last day
    )
    spec = {
        "file": "ledger.csv",
        "columns": {"item_id": "sku", "on_hand": "afn-fulfillable-quantity"},
    }
    cfg = write_dataset(tmp_path, {"ledger.csv": ledger}, {"inventory": spec})
    with open_workspace(cfg) as ws:
        inv = ws.to_pandas("inventory").sort_values("item_id", ignore_index=True)
        notes = " ".join(str(w) for w in ws.warnings)
    assert inv["item_id"].tolist() == ["A", "B"]
    assert inv["on_hand"].tolist() == [110.0, 8.0]  # A: 80 + 30 on 11-30; B: its 11-29
    assert "snapshot-date" not in inv.columns
    assert (
        "'snapshot-date' dates the rows (3 snapshots, 2025-11-28 .. 2025-11-30): they are stock "
        "snapshots, not locations, so only each item's latest (2025-11-30 for 1 of 2 items) is "
        "kept per item (and fulfillment-center-id); 5 older row(s) of 8 left out"
    ) in notes
    assert "SERIES_FILTER" in notes and "'2025-11-28'" not in notes
    assert "where (\"fulfillment-center-id\" = 'ONT8')" in notes
    counted = "sku,wh,last_count,qty\nA,X,2025-01-03,10\nA,Y,2025-02-01,5\nB,X,2025-01-03,7\n"
    spec = {"file": "c.csv", "columns": {"item_id": "sku", "on_hand": "qty"}}
    cfg = write_dataset(tmp_path, {"c.csv": counted}, {"inventory": spec})
    with open_workspace(cfg) as ws:
        inv = ws.to_pandas("inventory").sort_values("item_id", ignore_index=True)
    assert inv["on_hand"].tolist() == [15.0, 7.0]  # summed over warehouses, no date kept


def test_a_column_that_varies_with_the_day_is_no_location(tmp_path: Path) -> None:
    """byod12a D23: the Kaggle retail file's Weather Condition varies per store and day; it
    was taken for a location, so each store's latest row per weather was kept and summed
    (4x the stock: P0001 66,778 on hand where the last day's five stores hold 16,723). The
    store alone gives an item one row per place and date: the last day's rows, summed."""
    rows = ["Date,Store ID,Region,Product ID,Inventory Level,Weather Condition"]
    weather = ["Sunny", "Rainy", "Cloudy", "Snowy"]
    for d, day in enumerate(f"2023-06-{k}" for k in range(23, 31)):  # 8 days
        for s, (store, region) in enumerate([("S001", "North"), ("S002", "South"),
                                             ("S003", "North")]):  # fmt: skip
            level = 100 * (s + 1) + d
            rows.append(f"{day},{store},{region},P0001,{level},{weather[(d + s) % 4]}")
    spec = {"file": "r.csv", "columns": {"item_id": "Product ID", "on_hand": "Inventory Level"}}
    cfg = write_dataset(tmp_path, {"r.csv": "\n".join(rows) + "\n"}, {"inventory": spec})
    with open_workspace(cfg) as ws:
        inv = ws.to_pandas("inventory")
        notes = " ".join(str(w) for w in ws.warnings)
    assert inv["on_hand"].sum() == 107 + 207 + 307  # the 2023-06-30 snapshot of 3 stores
    assert "is kept per item (and Store ID);" in notes


RETAIL = (  # the Kaggle retail file's shape: date x store x product, weather per store and day
    "Date,Store ID,Product ID,Inventory Level,Weather Condition\n"
    "2023-06-28,S001,P1,50,Sunny\n2023-06-28,S004,P1,7,Rainy\n2023-06-28,S001,P2,9,Sunny\n"
    "2023-06-29,S001,P1,45,Sunny\n2023-06-29,S004,P1,0,Rainy\n2023-06-29,S001,P2,8,Sunny\n"
    "2023-06-30,S001,P1,40,Snowy\n2023-06-30,S004,P1,0,Sunny\n2023-06-30,S001,P2,6,Snowy\n"
)


def test_dated_store_snapshots_keep_the_latest_per_store_and_their_history(
    tmp_path: Path,
) -> None:
    """byod12a D9/D10: the weather varying across a store's rows was taken for a location
    too, so each store kept its older snapshots of other weathers beside its latest (400 rows
    of the retail file's 100 on its last day summed: P0001's chain stock 66,778 for 16,723);
    and the on-hand history (S004 empty since 06-29) was dropped with the older rows. Now
    only the last day per store is summed and the history stays, in a report's copy too."""
    from opsai.inventory import store_stock
    from opsai.report import build

    spec = {"file": "r.csv", "columns": {"item_id": "Product ID", "on_hand": "Inventory Level"}}
    cfg = write_dataset(tmp_path, {"r.csv": RETAIL}, {"inventory": spec})
    with open_workspace(cfg) as ws:
        inv = ws.to_pandas("inventory").sort_values("item_id", ignore_index=True)
        notes = " ".join(str(w) for w in ws.warnings)
        hist = ws.stock_history()
        db = tmp_path / "copy.duckdb"
        build._export(ws, db, list(ws.present))
        copy_cfg = build._attached_config(ws.config, db, list(ws.present), tmp_path)
    assert inv["on_hand"].tolist() == [40.0, 6.0]  # P1: 40 at S001 + 0 at S004 on 06-30
    assert "kept per item (and Store ID); 6 older row(s) of 9 left out" in notes
    assert hist is not None and len(hist) == 9
    shelves = store_stock(hist)
    assert shelves.values.tolist()[:2] == [
        ["P1", "S001", 40.0, pd.NaT], ["P1", "S004", 0.0, pd.Timestamp("2023-06-29")]
    ]  # fmt: skip
    with open_workspace(copy_cfg) as ws:  # chapter 04 reads the report's copy
        again = ws.stock_history()
    assert again is not None
    assert again.sort_values(["item_id", "store", "timestamp"]).values.tolist() == (
        hist.sort_values(["item_id", "store", "timestamp"]).values.tolist()
    )


def test_the_chapters_stock_comes_by_item_whatever_order_the_sum_gives(tmp_path: Path) -> None:
    """The summed table comes back in no fixed order, and the policy simulation draws each
    item's demand paths by row: chapter 04 reads the stock sorted by item."""
    from opsai.inventory.chapter import inventory_table

    rows = "".join(f"{k},WH-{w},{i},7,1.0\n" for i, k in enumerate("ZYXCBA") for w in "12")
    head = "Item No.,Location Code,Qty. on Hand,Lead Time (days),Unit Cost\n"
    cfg = write_dataset(tmp_path, {"stock.csv": head + rows}, {"inventory": SPEC})
    with open_workspace(cfg) as ws:
        stock = inventory_table(ws)
    assert stock["item_id"].tolist() == ["A", "B", "C", "X", "Y", "Z"]
    assert stock["on_hand"].tolist() == [10.0, 8.0, 6.0, 4.0, 2.0, 0.0]
