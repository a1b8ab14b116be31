"""``durations``: a help desk's SLA figures (minutes after the ticket was opened) as times
(byod10b D22)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

TICKETS = [
    {"id": 1, "created_at": "2024-03-01T09:00:00Z", "description": "Where is my parcel?",
     "metrics": {"reply_time_in_minutes": {"calendar": 57, "business": 40}}},
    {"id": 2, "created_at": "2024-03-01T10:00:00Z", "description": "Refund please",
     "metrics": {"reply_time_in_minutes": {"calendar": 90.5, "business": 60}}},
    {"id": 3, "created_at": "2024-03-02T11:00:00Z", "description": "Login broken",
     "metrics": {"reply_time_in_minutes": {"calendar": None, "business": None}}},
]  # fmt: skip
COLUMNS = {"ticket_id": "id", "timestamp": "created_at", "text": "description",
           "first_reply_at": "metrics.reply_time_in_minutes.calendar"}  # fmt: skip


def test_minutes_after_the_timestamp_are_the_first_reply(tmp_path: Path) -> None:
    """Zendesk's reply_time_in_minutes.calendar (57, 90.5, none) read as the first reply's
    time in the business's zone: 57 minutes after 10:00 Berlin is 10:57; no reply is empty.
    Without ``durations`` the number cannot be a time and validation stops."""
    (tmp_path / "tickets.json").write_text(json.dumps({"tickets": TICKETS}), encoding="utf-8")
    spec = {"file": "tickets.json", "records": "tickets", "columns": COLUMNS}
    cfg = write_dataset(
        tmp_path, {}, {"tickets": spec | {"durations": {"first_reply_at": "minutes"}}}
    )
    text = cfg.read_text(encoding="utf-8").replace(
        "source: .", "source: .\n  timezone: Europe/Berlin"
    )
    cfg.write_text(text, encoding="utf-8")
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id")
    assert t["first_reply_at"].dtype.kind == "M"
    assert [str(x) for x in t["first_reply_at"]] == [
        "2024-03-01 10:57:00", "2024-03-01 12:30:30", "NaT"]  # fmt: skip
    cfg = write_dataset(tmp_path, {}, {"tickets": spec})
    with pytest.raises(SchemaError, match="first_reply_at"):
        open_workspace(cfg)


def test_durations_from_a_database_and_in_hours(tmp_path: Path) -> None:
    """The same on a database table (the Ibis path), with hours as the unit."""
    import duckdb

    with duckdb.connect(str(tmp_path / "desk.duckdb")) as con:
        con.execute("CREATE TABLE tickets (id INT, opened TIMESTAMP, body VARCHAR, reply_h DOUBLE)")
        con.execute(
            "INSERT INTO tickets VALUES (1, '2024-03-01 09:00', 'a', 1.5), (2, '2024-03-01 10:00', 'b', NULL)"
        )
    spec = {"columns": {"ticket_id": "id", "timestamp": "opened", "text": "body",
                        "first_reply_at": "reply_h"}, "durations": {"first_reply_at": "hours"}}  # fmt: skip
    cfg = tmp_path / "db.yaml"
    cfg.write_text(json.dumps({"data": {"source": "desk.duckdb", "tables": {"tickets": spec}}}))
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id")
    assert t["first_reply_at"].dtype.kind == "M"
    assert [str(x) for x in t["first_reply_at"]] == ["2024-03-01 10:30:00", "NaT"]


def test_a_duration_that_is_no_number_is_an_error(tmp_path: Path) -> None:
    csv = "id,opened,body,reply_min\n1,2024-03-01 09:00,a,30\n2,2024-03-01 10:00,b,soon\n"
    cols = {"ticket_id": "id", "timestamp": "opened", "text": "body", "resolved_at": "reply_min"}
    cfg = write_dataset(tmp_path, {"tickets.csv": csv},
                        {"tickets": {"columns": cols, "durations": {"resolved_at": "minutes"}}})  # fmt: skip
    with pytest.raises(
        SchemaError, match=r"'reply_min' \(resolved_at\) is a duration in minutes .+'soon'"
    ):
        open_workspace(cfg)
    ok = csv.replace("soon", "45")
    cfg = write_dataset(tmp_path, {"tickets.csv": ok},
                        {"tickets": {"columns": cols, "durations": {"resolved_at": "minutes"}}})  # fmt: skip
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("tickets").sort_values("ticket_id")["resolved_at"]
    assert got.tolist() == pd.to_datetime(["2024-03-01 09:30", "2024-03-01 10:45"]).tolist()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"durations": {"timestamp": "minutes"}},
            r"durations names 'timestamp'.+resolved_at, first_reply_at",
        ),
        (
            {"durations": {"first_reply_at": "minutes"}},
            r"durations\.first_reply_at: map first_reply_at",
        ),
        (
            {"columns": {"first_reply_at": "x"}, "durations": {"first_reply_at": "mins"}},
            r"durations",
        ),
    ],
)
def test_durations_name_mapped_time_columns(spec: dict, message: str) -> None:
    from opsai.config import config_from_dict

    with pytest.raises(ConfigError, match=message):
        config_from_dict({"data": {"tables": {"tickets": spec}}})
