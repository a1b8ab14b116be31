"""``non_items``: lines that are no product (UCI's POST postage, M manual, a gift card) stay in
revenue and order totals and are left out of the analyses per item."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsai.config import load_config
from opsai.data import open_workspace
from opsai.errors import ConfigError
from opsai.forecast.series import aggregate_demand
from opsai.overview import top_items
from opsai.overview.measures import daily_activity, returns_summary
from opsai.recommend.interactions import interactions_from_workspace
from opsai.report.build import _attached_config
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

ORDERS = (
    "order_id,user_id,timestamp,item_id,quantity,price\n"
    "o1,u1,2024-01-01 10:00,A,2,5\n"
    "o1,u1,2024-01-01 10:00,POST,1,18\n"
    "o2,u2,2024-01-02 11:00,A,1,5\n"
    "o2,u2,2024-01-02 11:00,B,1,3\n"
    "o2,u2,2024-01-02 11:00,POST,1,18\n"
    "o3,u1,2024-01-03 09:00,$25 Gift Card,1,25\n"
    "o4,u2,2024-01-03 12:00,M,-1,4\n"
)
"""Revenue 10 + 18 + 5 + 3 + 18 + 25 - 4 = 75; item lines A (15) and B (3)."""


def _config(tmp_path: Path, non_items: list[str] | None) -> Path:
    spec: dict[str, object] = {}
    if non_items is not None:
        spec["non_items"] = non_items
    return write_dataset(tmp_path, {"orders.csv": ORDERS}, {"orders": spec})


def test_non_items_stay_in_revenue_and_leave_every_item_analysis(tmp_path: Path) -> None:
    cfg = _config(tmp_path, ["POST", "M", "*Gift Card"])
    with open_workspace(cfg) as ws:
        assert daily_activity(ws)["revenue"].sum() == pytest.approx(75.0)  # all of it
        top = top_items(ws)
        assert top["item_id"].tolist() == ["A", "B"]  # POST (36) was first, the gift card next
        assert top["share"].tolist() == pytest.approx([15 / 75, 3 / 75])  # of all revenue
        pairs = interactions_from_workspace(ws, source="orders")
        assert sorted(pairs["item_id"].unique()) == ["A", "B"]
        demand = aggregate_demand(ws, freq="D")
        assert sorted(demand["item_id"].unique()) == ["A", "B"]
        assert demand["quantity"].sum() == 4  # A 2 + 1, B 1
        assert returns_summary(ws)["adjusted"] == {"M": {"money": 4.0, "lines": 1}}
        note = ws.non_items_note()
    assert note is not None and note.startswith("4 of the 7 order lines are no product")
    assert "holding 57.00 USD (76.0% of its revenue, still counted in it)" in note


def test_without_non_items_postage_is_the_top_item(tmp_path: Path) -> None:
    with open_workspace(_config(tmp_path, None)) as ws:
        assert top_items(ws)["item_id"].tolist()[:2] == ["POST", "$25 Gift Card"]
        assert "POST" in set(interactions_from_workspace(ws, source="orders")["item_id"])
        assert ws.non_items_note() is None


def test_chapters_read_non_items_from_the_report_copy(tmp_path: Path) -> None:
    """The chapters open a copy of the config whose tables are the validated DuckDB file:
    non_items must travel with it, or every chapter forgets them."""
    cfg = load_config(_config(tmp_path, ["POST"]))
    path = _attached_config(cfg, tmp_path / "copy.duckdb", ["orders"], tmp_path)
    copy = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert copy["data"]["tables"]["orders"] == {"non_items": ["POST"]}


def test_non_items_on_a_table_without_items_is_an_error(tmp_path: Path) -> None:
    cfg = write_dataset(tmp_path, {"orders.csv": ORDERS}, {"orders": {}})
    raw = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    raw["data"]["tables"]["users"] = {"non_items": ["POST"]}
    cfg.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data.tables.users.non_items: the users table has no"):
        load_config(cfg)


def test_numeric_ids_and_one_id_alone_are_read_as_text(tmp_path: Path) -> None:
    """YAML reads ``[22197]`` as a number and ``non_items: POST`` as one string: both are
    the item ids they say, not a validation error."""
    cfg = load_config(_config(tmp_path, [22197, " POST "]))  # type: ignore[list-item]
    assert cfg.data.tables["orders"].non_items == ["22197", "POST"]
    raw = yaml.safe_load((tmp_path / "opsai.yaml").read_text(encoding="utf-8"))
    raw["data"]["tables"]["orders"]["non_items"] = "POST"
    (tmp_path / "opsai.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert load_config(tmp_path / "opsai.yaml").data.tables["orders"].non_items == ["POST"]


def test_an_id_listed_on_orders_is_no_item_in_the_catalogue_or_the_stock(tmp_path: Path) -> None:
    """A catalogue built from the export lists POST too: the content models would offer it
    and the inventory part would plan its stock. An id non_items lists on orders is no
    item in any table."""
    from opsai.inventory.chapter import inventory_table
    from opsai.recommend.chapter import load_data

    files = {
        "orders.csv": ORDERS,
        "items.csv": "item_id,title\nA,Mug\nB,Tea\nPOST,POSTAGE\n",
        "inventory.csv": "item_id,on_hand\nA,10\nPOST,1\n",
    }
    tables = {"orders": {"non_items": ["POST", "M"]}, "items": {}, "inventory": {}}
    with open_workspace(write_dataset(tmp_path, files, tables)) as ws:
        _, items = load_data(ws)
        assert items is not None and items["item_id"].tolist() == ["A", "B"]
        assert inventory_table(ws)["item_id"].tolist() == ["A"]
        note = ws.non_items_note()
    assert note is not None and note.startswith("3 of the 7 order lines are no product")
