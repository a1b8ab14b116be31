"""``opsai init`` on export shapes found in the wild: hive-partitioned Parquet folders,
workbooks with one sheet per month, API JSON wrapped in ``{"data": [...]}``, and order exports
repeating an order's totals on each of its lines."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.cli import main
from opsai.data import open_workspace
from opsai.data.init import plan_folder
from opsai.errors import ConfigError

pytestmark = pytest.mark.unit


def _tables(config: Path) -> dict[str, dict[str, object]]:
    return yaml.safe_load(config.read_text("utf-8"))["data"]["tables"]


def _events(month: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [f"u{month}", f"u{month + 1}", f"u{month}"],
            "timestamp": pd.to_datetime(
                [
                    f"2024-{month:02d}-03 10:00",
                    f"2024-{month:02d}-04 11:00",
                    f"2024-{month:02d}-05 09:00",
                ]
            ),
            "event": ["page_view", "add_to_cart", "purchase"],
        }
    )


def test_hive_partitioned_parquet_is_read_by_a_recursive_glob(tmp_path: Path) -> None:
    """``events/year=2024/month=MM/part-0.parquet``: init proposes ``events/**/*.parquet``
    (it said the folder held no data file), ``**`` reaches every partition (it matched one
    level only), and the partition columns come in as attributes."""
    for m in (1, 2, 3):
        part = tmp_path / "events" / "year=2024" / f"month={m:02d}"
        part.mkdir(parents=True)
        _events(m).to_parquet(part / "part-0.parquet", index=False)
    out = tmp_path / "opsai.yaml"
    assert main(["init", str(tmp_path), "--out", str(out), "--currency", "EUR"]) == 0
    assert _tables(out)["events"]["file"] == "events/**/*.parquet"
    events = open_workspace(out).table("events").to_pandas()
    assert len(events) == 9
    assert sorted(events["month"].astype(int).unique()) == [1, 2, 3]


def test_data_only_in_plain_sub_folders_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "exports" / "2024").mkdir(parents=True)
    _events(1).to_csv(tmp_path / "exports" / "2024" / "events.csv", index=False)
    with pytest.raises(ConfigError, match=r"found 1 in sub-folders \(exports\)"):
        plan_folder(tmp_path)
