"""A key of ``columns`` that is not a contract column renames an attribute column (a game's
``revenue: params.revenue``), from files and databases; a near-miss of a contract column is
a typo, not a new attribute."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import yaml

from opsai.config import config_from_dict
from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

EVENTS = [
    {"ts": "2024-01-01 10:00:00", "player_id": "p1", "event": "iap_purchase",
     "params": {"revenue": 4.99, "level": 3}, "Store": "ios"},
    {"ts": "2024-01-02 11:00:00", "player_id": "p2", "event": "session_start",
     "params": {"revenue": None, "level": 1}, "Store": "android"},
]  # fmt: skip
COLUMNS = {"user_id": "player_id", "timestamp": "ts", "revenue": "params.revenue", "store": "Store"}


def _jsonl() -> str:
    return "".join(json.dumps(e) + "\n" for e in EVENTS)


def test_extra_keys_rename_attribute_columns(tmp_path: Path) -> None:
    cfg = write_dataset(
        tmp_path,
        {"events.jsonl": _jsonl()},
        {"events": {"file": "events.jsonl", "columns": COLUMNS}},
    )
    with open_workspace(cfg) as ws:
        e = ws.to_pandas("events")
    assert e["revenue"].tolist()[0] == 4.99 and e["revenue"].isna().tolist() == [False, True]
    assert e["store"].tolist() == ["ios", "android"]
    assert "Store" not in e.columns and "params.revenue" not in e.columns


def test_extra_keys_rename_in_a_database(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute(
            "CREATE TABLE ev AS SELECT * FROM (VALUES ('2024-01-01 10:00:00'::TIMESTAMP, 'p1', "
            "'buy', {'revenue': 4.99::DOUBLE}, 'ios')) t(ts, player_id, event, params, Store)"
        )
    spec = {"table": "ev", "columns": COLUMNS}
    (tmp_path / "c.yaml").write_text(
        yaml.safe_dump({"data": {"source": "g.duckdb", "tables": {"events": spec}}})
    )
    with open_workspace(tmp_path / "c.yaml") as ws:
        e = ws.to_pandas("events")
    assert e["revenue"].tolist() == [4.99] and e["store"].tolist() == ["ios"]
    assert "Store" not in e.columns


def test_rename_of_a_missing_column(tmp_path: Path) -> None:
    cols = COLUMNS | {"store": "Shop"}
    cfg = write_dataset(
        tmp_path, {"events.jsonl": _jsonl()}, {"events": {"file": "events.jsonl", "columns": cols}}
    )
    with pytest.raises(SchemaError, match=r"column 'Shop' \(renamed to store\) not found"):
        open_workspace(cfg)


def test_a_near_miss_of_a_contract_column_is_a_typo() -> None:
    spec = {"columns": {"user_id": "player_id", "timestmp": "ts"}}
    with pytest.raises(ConfigError, match=r"'timestmp' is not a column of the events contract "
                       r"\(did you mean 'timestamp'\?\)"):  # fmt: skip
        config_from_dict({"data": {"tables": {"events": spec}}})
