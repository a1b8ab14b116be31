"""byod10b: export shapes ``opsai init`` and the loader missed: Zendesk's ticket_metrics.json
(one row per ticket, joined, never users), Kaggle's TWCS support tweets, analyst market exports
(Google Trends, SimilarWeb, a price scrape) and prices written with a letter currency."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config, plan_folder

pytestmark = pytest.mark.unit


def _zendesk(folder: Path, n: int = 60) -> None:
    """tickets.json in no id order, ticket_metrics.json (its own id, ticket_id once each)."""
    rng = random.Random(3)
    ids = list(range(10000, 10000 + n))
    rng.shuffle(ids)
    tickets = [
        {
            "id": t,
            "created_at": f"2024-03-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            "description": f"My order number {t} did not arrive, please help me with it",
            "requester_id": 3000000 + i % 20,
            "via": {"channel": "email" if i % 2 else "web"},
        }
        for i, t in enumerate(ids)
    ]
    metrics = [
        {
            "id": 500000 + i,
            "ticket_id": 10000 + i,
            "reply_time_in_minutes": {"calendar": 30 + i, "business": 20},
            "solved_at": f"2024-04-{1 + i % 28:02d}T12:00:00Z",
        }
        for i in range(n)
    ]
    (folder / "tickets.json").write_text(json.dumps({"tickets": tickets, "count": n}), "utf-8")
    doc = {"ticket_metrics": metrics, "next_page": None}
    (folder / "ticket_metrics.json").write_text(json.dumps(doc), "utf-8")


def test_ticket_metrics_are_joined_to_tickets_not_read_as_users(tmp_path: Path) -> None:
    """byod10b D4: ticket_metrics.json was placed as users (metric ids as customers, solved_at
    as sign-up) and the tickets got no resolved_at; it is now joined on ticket_id, solved_at
    mapped as resolved_at, and no users table is proposed from a file without a person."""
    _zendesk(tmp_path)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["tickets"]
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["tickets"]
    assert spec["join"] == [
        {"file": "ticket_metrics.json", "on": {"id": "ticket_id"}, "records": "ticket_metrics"}
    ]
    assert spec["columns"]["resolved_at"] == "solved_at"
    with open_workspace(path) as ws:
        df = ws.to_pandas("tickets")
    assert len(df) == 60 and df["resolved_at"].notna().sum() == 60
    row = df[df["ticket_id"] == "10007"].iloc[0]
    assert str(row["resolved_at"]).startswith("2024-04-08 12:00")


def test_a_users_file_needs_a_person(tmp_path: Path) -> None:
    """A plain id beside a ticket id and a time is no customer table; a plain id beside an
    e-mail (or in customers.csv) still is."""
    rows = "\n".join(f"{i},{100 + i},2024-01-{1 + i:02d}T10:00:00Z" for i in range(20))
    (tmp_path / "ticket_stats.csv").write_text("id,ticket_id,solved_at\n" + rows, "utf-8")
    assert "users" not in [g.table for g in plan_folder(tmp_path).guesses]
    mails = "\n".join(f"{i},u{i}@x.com,2024-01-{1 + i:02d}" for i in range(20))
    (tmp_path / "ticket_stats.csv").write_text("id,email,signup_date\n" + mails, "utf-8")
    assert [g.table for g in plan_folder(tmp_path).guesses] == ["users"]
