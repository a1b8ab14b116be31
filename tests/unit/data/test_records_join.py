"""An API export's list of records is found although a mapped column comes from a join
(byod10b D25)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsai.data import open_workspace
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

TICKETS = [{"id": 7, "created_at": "2024-01-01T10:00:00Z", "description": "Late parcel"},
           {"id": 8, "created_at": "2024-01-02T10:00:00Z", "description": "Refund"}]  # fmt: skip
METRICS = [{"ticket_id": 7, "solved_at": "2024-01-01T15:00:00Z"},
           {"ticket_id": 8, "solved_at": "2024-01-03T10:00:00Z"}]  # fmt: skip


def _config(tmp_path: Path, columns: dict[str, str]) -> Path:
    body = {"tickets": TICKETS, "next_page": None, "count": 2}
    (tmp_path / "tickets.json").write_text(json.dumps(body), encoding="utf-8")
    (tmp_path / "ticket_metrics.json").write_text(json.dumps({"ticket_metrics": METRICS}))
    join = {"file": "ticket_metrics.json", "records": "ticket_metrics", "on": {"id": "ticket_id"}}
    spec = {"file": "tickets.json", "join": [join], "columns": columns}
    return write_dataset(tmp_path, {}, {"tickets": spec})


def test_a_joined_column_does_not_hide_the_list(tmp_path: Path) -> None:
    """Zendesk's tickets.json without records, solved_at from ticket_metrics.json: the error
    said created_at, description, id and solved_at 'are in none' of the lists while listing them
    in 'tickets'; now the list is found (with its warning) and solved_at joined."""
    cols = {"ticket_id": "id", "timestamp": "created_at", "text": "description",
            "resolved_at": "solved_at"}  # fmt: skip
    with open_workspace(_config(tmp_path, cols)) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id")
        notes = [str(w) for w in ws.warnings]
    assert t["ticket_id"].tolist() == ["7", "8"]
    assert t["resolved_at"].astype(str).tolist() == ["2024-01-01 15:00:00", "2024-01-03 10:00:00"]
    assert any("holding its 2 records in the list 'tickets'" in n for n in notes)


def test_a_typo_is_named_alone(tmp_path: Path) -> None:
    """A column in no list and no join is named alone, with the list holding the others."""
    cols = {"ticket_id": "id", "text": "descripton"}
    with pytest.raises(
        SchemaError,
        match=r"column 'descripton' \(mapped to text\) not found \(have: id, created_at, description, ",
    ):
        open_workspace(_config(tmp_path, cols))
    body = {"tickets": TICKETS, "meta": [{"page": 1}]}
    (tmp_path / "tickets.json").write_text(json.dumps(body), encoding="utf-8")
    cfg = write_dataset(tmp_path, {}, {"tickets": {"file": "tickets.json", "columns": cols}})
    with pytest.raises(SchemaError, match=r"the mapped column\(s\) descripton are in none of them\. "
                       r"Fix: set data\.tables\.tickets\.records to the field holding the tickets "
                       r"\(e\.g\. records: tickets\)"):  # fmt: skip
        open_workspace(cfg)
