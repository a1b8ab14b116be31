"""``pivot``: key-value rows (Retail Rocket's ``item_properties``: one row per item, property
and snapshot) turned into one row per item with one column per property before mapping."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

# two part files, snapshots out of time order; the times have 3 and 4 digits (text order
# would put 999 after 1000); 888 is a key left out; 790 is a price behind an 'n'
PART1 = (
    "timestamp,itemid,property,value\n"
    "1000,A,categoryid,7\n"
    "999,A,categoryid,3\n"
    "999,A,790,n120.500\n"
    "1000,A,available,1\n"
    "1000,A,888,111 222\n"
)
PART2 = (
    "timestamp,itemid,property,value\n"
    "1200,A,790,n99.000\n"
    "1100,A,available,0\n"
    "999,B,categoryid,5\n"
    "999,B,790,n4.250\n"
    "1000,B,available,\n"
    "999,B,available,1\n"
    "1300,C,888,5 6\n"
)
PIVOT = {
    "key": "property",
    "value": "value",
    "latest_by": "timestamp",
    "keys": ["categoryid", "available", 790],  # YAML reads 790 as a number
    "names": {790: "price"},
}
WANT = pd.DataFrame(
    {
        "item_id": ["A", "B"],
        "category": ["7", "5"],
        "price": [99.0, 4.25],
        "available": [0, 1],
    }
)


def _spec(**over: object) -> dict[str, object]:
    return {
        "file": "item_properties_part*.csv",
        "pivot": PIVOT,
        "columns": {"item_id": "itemid", "category": "categoryid"},
    } | over


def _items(cfg: Path) -> pd.DataFrame:
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("items").sort_values("item_id", ignore_index=True)
    return df[["item_id", "category", "price", "available"]]


def test_latest_value_of_each_listed_key_wins(tmp_path: Path) -> None:
    """One row per item with a property listed (C has only 888: no row); each key's value is
    the latest snapshot's by number, not by text order (1000 after 999); an empty value is no
    value (B's older 'available' stands); 'n99.000' reads 99.0."""
    files = {"item_properties_part1.csv": PART1, "item_properties_part2.csv": PART2}
    df = _items(write_dataset(tmp_path, files, {"items": _spec()}))
    pd.testing.assert_frame_equal(df, WANT, check_dtype=False)
    assert df["price"].dtype.kind == "f"


def test_without_latest_by_the_last_row_wins_and_every_key_is_a_column(tmp_path: Path) -> None:
    rows = "item_id,property,value\nA,colour,red\nA,colour,blue\nA,size,n-3.5\nB,colour,green\n"
    spec = {"file": "p.csv", "pivot": {"key": "property", "value": "value"}}
    with open_workspace(write_dataset(tmp_path, {"p.csv": rows}, {"items": spec})) as ws:
        df = ws.to_pandas("items").sort_values("item_id", ignore_index=True)
    assert df["item_id"].tolist() == ["A", "B"]
    assert df["colour"].tolist() == ["blue", "green"]
    assert df["size"].tolist()[0] == -3.5  # a number behind an n, read as one


def test_a_key_with_other_text_keeps_its_n(tmp_path: Path) -> None:
    """Only a key whose every value is a number behind an 'n' loses the 'n'."""
    rows = "item_id,k,v\nA,code,n12\nB,code,nx\n"
    spec = {"file": "p.csv", "pivot": {"key": "k", "value": "v"}}
    with open_workspace(write_dataset(tmp_path, {"p.csv": rows}, {"items": spec})) as ws:
        df = ws.to_pandas("items").sort_values("item_id", ignore_index=True)
    assert df["code"].tolist() == ["n12", "nx"]


def test_files_sqlite_and_a_duckdb_table_give_the_same_rows(tmp_path: Path) -> None:
    files = {"item_properties_part1.csv": PART1, "item_properties_part2.csv": PART2}
    write_dataset(tmp_path / "f", files, {"items": _spec()})
    duck = tmp_path / "shop.duckdb"
    glob = str(tmp_path / "f" / "item_properties_part*.csv")
    with duckdb.connect(str(duck)) as d:
        d.execute(
            "CREATE TABLE props AS SELECT CAST(timestamp AS BIGINT) AS timestamp, "
            f"CAST(itemid AS VARCHAR) AS itemid, CAST(property AS VARCHAR) AS property, "
            f"CAST(value AS VARCHAR) AS value FROM read_csv('{glob}', all_varchar = true)"
        )
        rows = d.execute("SELECT * FROM props").df()
    lite = tmp_path / "shop.sqlite"
    with sqlite3.connect(lite) as s:
        rows.to_sql("props", s, index=False)
    spec = {k: v for k, v in _spec().items() if k != "file"} | {"table": "props"}
    cfg = tmp_path / "db.yaml"
    for src in (lite, duck):
        cfg.write_text(yaml.safe_dump({"data": {"source": str(src), "tables": {"items": spec}}}))
        pd.testing.assert_frame_equal(_items(cfg), WANT, check_dtype=False)
    # a database table's rows have no order: a repeating key needs latest_by
    no_order = {k: v for k, v in PIVOT.items() if k != "latest_by"}
    cfg.write_text(
        yaml.safe_dump(
            {"data": {"source": str(duck), "tables": {"items": spec | {"pivot": no_order}}}}
        )
    )
    with pytest.raises(SchemaError, match=r"items.pivot.latest_by"):
        open_workspace(cfg)


def test_pivot_mistakes_name_the_key(tmp_path: Path) -> None:
    files = {"item_properties_part1.csv": PART1, "item_properties_part2.csv": PART2}
    bad = PIVOT | {"keys": ["categoryId"]}
    with pytest.raises(SchemaError, match=r"pivot.keys lists 'categoryId'.*did you mean"):
        open_workspace(write_dataset(tmp_path, files, {"items": _spec(pivot=bad)}))
    bad = PIVOT | {"key": "prop"}
    with pytest.raises(SchemaError, match=r"items.pivot.key names 'prop'"):
        open_workspace(write_dataset(tmp_path, files, {"items": _spec(pivot=bad)}))


@pytest.mark.postgres
def test_postgres_pivots_in_the_database(postgres_url: str, tmp_path: Path) -> None:
    """The same rows from a PostgreSQL table (text values, a bigint snapshot time)."""
    import ibis

    frames = [pd.read_csv(io.StringIO(t), dtype=str) for t in (PART1, PART2)]
    rows = pd.concat(frames, ignore_index=True)
    rows["timestamp"] = rows["timestamp"].astype("int64")
    con = ibis.connect(postgres_url)
    con.raw_sql("DROP TABLE IF EXISTS item_props")
    con.create_table("item_props", rows)
    con.disconnect()
    spec = {k: v for k, v in _spec().items() if k != "file"} | {"table": "item_props"}
    cfg = tmp_path / "pg.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": postgres_url, "tables": {"items": spec}}}))
    pd.testing.assert_frame_equal(_items(cfg), WANT, check_dtype=False)


def _retail_rocket(folder: Path) -> None:
    """events.csv and item properties in two parts, as Retail Rocket ships them: 30 items, 4
    properties, 3 snapshots each; categoryid 'c' changes once (the latest wins), available is
    a 0/1 flag, 790 a price behind an 'n', 888 a list of codes."""
    folder.mkdir(parents=True, exist_ok=True)
    events = ["timestamp,visitorid,event,itemid,transactionid"]
    events += [f"{1433000000000 + i * 3600000},{i % 7},view,{100 + i % 30}," for i in range(60)]
    (folder / "events.csv").write_text("\n".join(events) + "\n")
    rows = []
    for item in range(100, 130):
        for snap, ts in enumerate((1433000000000, 1434000000000, 1435000000000)):
            cat = item % 5 if snap < 2 else item % 5 + 10
            rows += [
                (ts, item, "categoryid", str(cat)),
                (ts, item, "available", str((item + snap) % 2)),
                (ts, item, "790", f"n{item * 10 + snap}.000"),
                (ts, item, "888", f"{item} {snap}"),
            ]
    rows.sort(key=lambda r: (r[1] * 7 + len(r[2])) % 11)  # not in time order
    for i, part in enumerate((rows[::2], rows[1::2])):
        text = "timestamp,itemid,property,value\n"
        text += "".join(f"{t},{item},{k},{v}\n" for t, item, k, v in part)
        (folder / f"item_properties_part{i + 1}.csv").write_text(text)


def test_init_proposes_pivot_for_key_value_item_properties(tmp_path: Path) -> None:
    """Both parts are read as one glob, pivoted into items by the latest snapshot; categoryid
    is the category, the 0/1 'available' flag no inventory count; the other keys are named in
    the comment, 790 as numbers behind an 'n'."""
    _retail_rocket(tmp_path / "rr")
    cfg, plan = init_config(tmp_path / "rr", tmp_path / "rr.yaml")
    items = next(g for g in plan.guesses if g.table == "items")
    assert [g.table for g in plan.guesses] == ["events", "items"]
    spec = yaml.safe_load(cfg.read_text())["data"]["tables"]["items"]
    assert spec == {
        "file": "item_properties_*.csv",
        "pivot": {"key": "property", "value": "value", "latest_by": "timestamp",
                  "keys": ["categoryid"]},
        "columns": {"item_id": "itemid", "category": "categoryid"},
    }  # fmt: skip
    assert "790 (numbers written behind an 'n')" in items.notes[0]
    assert "available" in items.notes[0]
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("items").sort_values("item_id", ignore_index=True)
    assert len(df) == 30
    assert df["category"].tolist() == [str(i % 5 + 10) for i in range(100, 130)]


def test_init_lists_the_keys_when_there_are_hundreds(tmp_path: Path) -> None:
    """The full Retail Rocket dump has about 1,100 properties: the pivot written by init lists
    its keys, so the loader's 100-column cap without a list does not stop it."""
    rows = ["itemid,property,value"]
    rows += [f"{i % 40},p{i % 150},{i}" for i in range(1200)]
    rows += [f"{i},categoryid,{i % 3}" for i in range(40)]
    (tmp_path / "rr").mkdir()
    (tmp_path / "rr" / "item_properties.csv").write_text("\n".join(rows) + "\n")
    cfg, _ = init_config(tmp_path / "rr", tmp_path / "rr.yaml")
    spec = yaml.safe_load(cfg.read_text())["data"]["tables"]["items"]
    assert spec["pivot"] == {"key": "property", "value": "value", "keys": ["categoryid"]}
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("items").sort_values("item_id", key=lambda s: s.astype(int))
    assert df["category"].tolist() == [str(i % 3) for i in range(40)]
