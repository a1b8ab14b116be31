"""Time columns that hold one export date on every row."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data import open_workspace
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def test_one_time_on_every_row_is_named(tmp_path: Path) -> None:
    """byod9b D13: an intent set stamped with its export date (2024-05-01 00:00 on all 3,540
    rows) validated without a word, and the report read '1 days' and 'vs period before'."""
    rows = ["text,intent,created_at"] + [f"q{i},i{i % 3},2024-05-01 00:00:00" for i in range(40)]
    rows[5] = "q4,i1,2024-05-02 10:00:00"  # 39 of 40 the same: still an export date
    cfg = write_dataset(tmp_path, {"t.csv": "\n".join(rows) + "\n"},
                        {"tickets": {"file": "t.csv", "columns": {"timestamp": "created_at"}}})  # fmt: skip
    with open_workspace(cfg) as ws:
        said = [w for w in ws.warnings if w.column == "timestamp"]
    assert len(said) == 1 and said[0].count == 39
    assert said[0].message.startswith("39 of 40 rows (98%) hold the same time, 2024-05-01")
    rows = ["text,intent,created_at"] + [
        f"q{i},i{i % 3},2024-05-{1 + i % 20:02d}" for i in range(40)
    ]
    cfg = write_dataset(tmp_path / "b", {"t.csv": "\n".join(rows) + "\n"},
                        {"tickets": {"file": "t.csv", "columns": {"timestamp": "created_at"}}})  # fmt: skip
    with open_workspace(cfg) as ws:
        assert not [w for w in ws.warnings if w.column == "timestamp"]
