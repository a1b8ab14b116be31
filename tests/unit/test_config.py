"""Config: YAML -> typed objects; relative paths resolve against the config's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.config import config_from_dict, dump_config, load_config
from opsai.errors import ConfigError

pytestmark = pytest.mark.unit


def test_round_trip_and_resolution(tmp_path: Path) -> None:
    raw = {
        "company": "Acme",
        "data": {
            "source": "data/shop",
            "tables": {"orders": {"file": "o.csv", "sep": ";", "columns": {"amount": "value"}}},
        },
        "chapters": {"03a_user_behavior": {"timeout": 60, "parameters": {"HORIZON_DAYS": 30}}},
    }
    cfg = config_from_dict(raw, path=tmp_path / "cfg" / "opsai.yaml")
    assert cfg.resolve(cfg.data.source) == (tmp_path / "cfg" / "data" / "shop").resolve()
    assert cfg.source_kind == "folder"
    assert cfg.chapter("03a_user_behavior").parameters == {"HORIZON_DAYS": 30}
    assert cfg.chapter("04_demand_inventory").enabled
    out = tmp_path / "again.yaml"
    dump_config(cfg, out)
    again = load_config(out)
    assert again.data.tables["orders"].columns == {"amount": "value"}
    assert again.company == "Acme" and again.data.tables["orders"].sep == ";"


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("postgres://u@h/db", "url"),
        ("shop.duckdb", "duckdb"),
        ("shop.db", "duckdb"),  # no such file: the suffix says
        ("./exports", "folder"),
        ("sqlite:///tmp/app.db", "sqlite"),
        ("app.sqlite3", "sqlite"),
    ],
)
def test_source_kind(source: str, kind: str) -> None:
    assert config_from_dict({"data": {"source": source}}).source_kind == kind


def test_all_errors_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(
            {"data": {"tables": {"orders": {"sepp": ";", "header": "x"}}}, "reprot": {}}
        )
    msg = str(info.value)
    assert "data.tables.orders.sepp: unknown key" in msg
    assert "data.tables.orders.header" in msg
    assert "reprot: unknown key" in msg


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config("/nonexistent/opsai.yaml")


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    p = tmp_path / "c.yaml"
    p.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(p)
