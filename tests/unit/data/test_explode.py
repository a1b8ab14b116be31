"""``explode``: a cell listing an order's lines becomes one row per line before mapping."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from opsai.config import config_from_dict
from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from tests.explode_shape import COLUMNS, EXPLODE, PLAIN, WANT, exploded_rows

pytestmark = pytest.mark.unit

WOO = (
    "Order Number,Order Date,Order Status,Billing Email Address,Order Items,Order Total Amount\n"
    '1001,2024-04-21 21:09:00,completed,a@x.com,"Logo Tee x 2, Cap x 1",$45.00\n'
    "1002,2024-04-22 10:00:00,completed,b@x.com,Sticker Pack x 3,$14.95\n"
    '1003,2024-04-23 11:30:00,cancelled,c@x.com,"Cap x 1, Mug x 1",$30.00\n'
    '1004,2024-04-24 12:00:00,completed,a@x.com,"Mug x 1, Cap x 1, Logo Tee x 2","$1,000.00"\n'
)


def _config(folder: Path, text: str = WOO, **spec: object) -> Path:
    (folder / "orders.csv").write_text(text)
    table = {"columns": COLUMNS, "where": "\"Order Status\" = 'completed'", **spec}
    cfg = folder / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"orders": table}}}))
    return cfg


def test_lines_in_one_cell_become_order_lines_and_revenue_is_unchanged(tmp_path: Path) -> None:
    with open_workspace(_config(tmp_path)) as ws:
        whole = ws.to_pandas("orders")
    with open_workspace(_config(tmp_path, explode=EXPLODE)) as ws:
        o = ws.to_pandas("orders")
    assert whole["amount"].sum() == pytest.approx(1059.95)
    assert o["amount"].sum() == pytest.approx(1059.95)  # the order's total split, not repeated
    assert o.groupby("item_id")["quantity"].sum().to_dict() == {
        "Cap": 2.0,
        "Logo Tee": 4.0,
        "Mug": 1.0,
        "Sticker Pack": 3.0,
    }
    first = o[o["order_id"] == "1001"].set_index("item_id")
    assert first["amount"].to_dict() == pytest.approx({"Logo Tee": 30.0, "Cap": 15.0})  # by qty
    assert set(first["user_id"]) == {"a@x.com"}  # order fields on every line
    assert o.groupby("order_id")["amount"].sum().to_dict() == pytest.approx(
        {"1001": 45.0, "1002": 14.95, "1004": 1000.0}
    )


def test_without_a_quantity_the_total_is_split_equally(tmp_path: Path) -> None:
    explode = {"column": "Order Items", "sep": ", ", "pattern": r"(?P<item_id>.+) x \d+"}
    with open_workspace(_config(tmp_path, explode=explode)) as ws:
        o = ws.to_pandas("orders")
    assert o[o["order_id"] == "1004"]["amount"].tolist() == pytest.approx([1000 / 3] * 3)


def test_a_line_the_pattern_does_not_read_is_an_error_with_examples(tmp_path: Path) -> None:
    text = WOO.replace("Sticker Pack x 3", "Sticker Pack")
    with pytest.raises(SchemaError, match=r"1 line\(s\) of 'Order Items' do not match "
                       r"data.tables.orders.explode.pattern .*e.g. 'Sticker Pack'"):  # fmt: skip
        open_workspace(_config(tmp_path, text, explode=EXPLODE))


def test_an_unknown_column_names_the_key(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"explode.column 'Items' is not a column"):
        open_workspace(_config(tmp_path, explode={**EXPLODE, "column": "Items"}))


def test_a_pattern_without_named_groups_is_a_config_error() -> None:
    raw = {"data": {"tables": {"orders": {"explode": {"column": "x", "pattern": r".+ x \d+"}}}}}
    with pytest.raises(ConfigError, match="has no named group"):
        config_from_dict(raw)


def db_config(folder: Path, source: str, **spec: object) -> Path:
    table = {"table": "orders", "columns": COLUMNS, "where": "\"Order Status\" = 'completed'"}
    cfg = folder / "db.yaml"
    tables = {"orders": table | spec}
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": tables}}))
    return cfg


def test_a_duckdb_table_explodes_as_the_same_csv_does(tmp_path: Path) -> None:
    """Before, a DuckDB (or PostgreSQL) source stopped: "explode applies to files and SQLite
    only"; now the cell is split in the database with the file's rows, units and amounts."""
    with open_workspace(_config(tmp_path, PLAIN, explode=EXPLODE)) as ws:
        from_file = exploded_rows(ws.to_pandas("orders"))
        times = ws.to_pandas("orders").sort_values(["order_id", "item_id"])["timestamp"]
    assert from_file == WANT
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute(f"CREATE TABLE orders AS SELECT * FROM read_csv('{tmp_path / 'orders.csv'}')")
    with open_workspace(db_config(tmp_path, "shop.duckdb", explode=EXPLODE)) as ws:
        o = ws.to_pandas("orders")
    assert exploded_rows(o) == WANT
    got = o.sort_values(["order_id", "item_id"])["timestamp"]
    assert got.tolist() == times.tolist()
    equal = {**EXPLODE, "pattern": r"(?P<item_id>.+) x \d+"}  # no quantity: split equally
    with open_workspace(db_config(tmp_path, "shop.duckdb", explode=equal)) as ws:
        o = ws.to_pandas("orders")
    assert o[o["order_id"] == "1004"]["amount"].tolist() == pytest.approx([1000 / 3] * 3)
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute(
            'UPDATE orders SET "Order Items" = \'Sticker Pack\' WHERE "Order Number" = 1002'
        )
    with pytest.raises(SchemaError, match=r"1 line\(s\) of 'Order Items' do not match "
                       r"data.tables.orders.explode.pattern .*e.g. 'Sticker Pack'"):  # fmt: skip
        open_workspace(db_config(tmp_path, "shop.duckdb", explode=EXPLODE))
