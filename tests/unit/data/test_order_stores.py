"""byod13a D5: a mall is the store of order lines. ``orders.store`` (init maps a mall, branch
or outlet column to it) reaches 00's store records, 04's per-store series when demand is read
from the orders, and 03a's segments name their top categories when the item is a category."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from opsai import behavior as bh
from opsai.data import open_workspace
from opsai.data.init import plan_folder
from opsai.forecast import store_demand, store_totals
from opsai.overview import store_finding, store_summary
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

MALLS = {"Kanyon": 0.5, "Metrocity": 0.3, "Zorlu Center": 0.2}
CATS = ["Clothing", "Shoes", "Technology"]


def _export(folder: Path) -> Path:
    rng = random.Random(3)
    rows = ["invoice_no,customer_id,category,quantity,price,invoice_date,shopping_mall"]
    for i in range(300):
        mall = rng.choices(list(MALLS), weights=list(MALLS.values()))[0]
        rows.append(f"I{1000 + i},C{5000 + i % 120},{CATS[i % 3]},{1 + i % 3},10,"
                    f"{1 + i % 28:02d}/{1 + i % 3:02d}/2022,{mall}")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "customer_shopping_data.csv").write_text("\n".join(rows) + "\n", "utf-8")
    return folder


def test_a_mall_is_the_store_of_order_lines_through_00_04_and_03a(tmp_path: Path) -> None:
    folder = _export(tmp_path / "raw")
    (orders,) = plan_folder(folder).guesses
    got = {m.contract: m.source for m in orders.matches}
    assert got["store"] == "shopping_mall" and got["item_id"] == "category"
    path = folder / "opsai.yaml"  # the config init writes, without its validation run
    spec = {"file": "customer_shopping_data.csv", "timestamp_format": "%d/%m/%Y", "columns": got}
    path.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"orders": spec}}}))
    with open_workspace(path) as ws:
        o = ws.to_pandas("orders")
        stores = store_summary(ws)
        totals = store_totals(ws, freq="M")
        lines = store_demand(ws, freq="M")
        items = ws.category_items()
        assert items is not None
        feats = bh.rfm(ws.table("orders"))
        labels = [int(x) for x in feats["monetary"] > feats["monetary"].median()]
        personas = bh.personas(feats, labels, orders=ws.table("orders"), items=items)
    revenue = o.groupby("store")["amount"].sum()
    assert stores["store"].tolist() == revenue.sort_values(ascending=False).index.tolist()
    assert stores.set_index("store")["revenue"].to_dict() == pytest.approx(revenue.to_dict())
    assert stores["share"].sum() == pytest.approx(1.0)
    f = store_finding(stores)
    assert f is not None and f.text.startswith("3 stores, revenue and share over the data: Kanyon")
    units = o.groupby("store")["quantity"].sum()
    assert totals.groupby("item_id")["quantity"].sum().to_dict() == units.to_dict()
    assert set(lines["item_id"]) == set(CATS) and lines["quantity"].sum() == o["quantity"].sum()
    assert all(set(c.split(", ")) <= set(CATS) and c for c in personas["top_categories"])


def test_without_a_category_item_there_are_no_category_items(tmp_path: Path) -> None:
    folder = tmp_path / "raw"
    path = write_dataset(
        folder,
        {
            "orders.csv": "order_id,user_id,timestamp,amount,sku\n1,u1,2024-01-01,5,A\n2,u2,2024-01-02,6,B\n"
        },
        {"orders": {"columns": {"item_id": "sku"}}},
    )
    with open_workspace(path) as ws:
        assert ws.category_items() is None
