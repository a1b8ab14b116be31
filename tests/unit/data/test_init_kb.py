"""byod10b D20: ``opsai init`` places a help center's articles (Zendesk Guide's articles.json)
as the kb, with the labels as intent only when they are the tickets' intents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config

pytestmark = pytest.mark.unit

LABELS = ["refund", "shipping", "billing", "account"]


def _articles(folder: Path) -> None:
    """Zendesk Guide's export as its API writes it: created_at and author_id too (a ticket's
    time and customer by their names), HTML bodies, English and German, one label each."""
    rows = [
        {
            "id": 360000100 + i,
            "html_url": f"https://acme.zendesk.com/hc/en-us/articles/{360000100 + i}",
            "author_id": 9001,
            "created_at": f"2023-0{1 + i % 9}-01T10:00:00Z",
            "title": f"How {label} works ({lang})",
            "body": f"<p>Everything about <strong>{label}</strong>: go to Settings &gt; {label} "
            "and follow the steps there.</p>",
            "locale": lang,
            "label_names": [label, "faq"],
            "section_id": 1,
            "draft": False,
        }
        for i, (label, lang) in enumerate((x, y) for x in LABELS for y in ("en-us", "de"))
    ]
    (folder / "articles.json").write_text(json.dumps({"articles": rows, "count": 8}), "utf-8")


def _tickets_csv(folder: Path, intents: list[str]) -> None:
    lines = ["ticket_id,created_at,text,customer_id,intent"]
    lines += [
        f"T{i},2024-01-{1 + i % 28:02d} 10:00,I have a question about my {intents[i % len(intents)]} "
        f"and nobody answered yet,{i % 7},{intents[i % len(intents)]}"
        for i in range(40)
    ]
    (folder / "tickets.csv").write_text("\n".join(lines) + "\n", "utf-8")


def test_help_center_articles_are_the_kb_beside_zendesk_tickets(tmp_path: Path) -> None:
    """Before: '# articles.json: also looks like tickets (score 5.2); kept tickets.json'. The
    tickets have no intent, so the labels are named in a note, not mapped."""
    tickets = [
        {
            "id": 100 + i,
            "created_at": f"2024-03-{1 + i % 28:02d}T10:00:00Z",
            "subject": "Where is my parcel?",
            "description": f"My parcel {i} did not arrive, please help me with it soon",
            "requester_id": 300 + i % 9,
            "priority": "normal",
        }
        for i in range(30)
    ]
    (tmp_path / "tickets.json").write_text(json.dumps({"tickets": tickets}), "utf-8")
    _articles(tmp_path)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [(g.table, g.sample.label) for g in plan.guesses] == [
        ("tickets", "tickets.json"),
        ("kb", "articles.json"),
    ]
    kb = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["kb"]
    assert kb == {
        "file": "articles.json",
        "records": "articles",
        "columns": {"answer": "body", "question": "title", "language": "locale"},
    }
    note = next(n for n in plan.guesses[1].notes if n.startswith("'label_names'"))
    assert note.startswith(
        "'label_names' holds labels (account, billing, refund, shipping); no intent was mapped "
        "since the tickets have no intent column to compare them with"
    )
    with open_workspace(path) as ws:
        df = ws.to_pandas("kb")
    assert len(df) == 8 and sorted(set(df["language"])) == ["de", "en-us"]
    assert df["question"].iloc[0] == "How refund works (en-us)"


def test_labels_that_are_the_tickets_intents_become_the_kb_intent(tmp_path: Path) -> None:
    """The first label of each article is the intent when the tickets' intents hold them."""
    _articles(tmp_path)
    _tickets_csv(tmp_path, LABELS)
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    kb = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["kb"]
    assert kb["columns"]["intent"] == "label_names[1]"
    with open_workspace(path) as ws:
        df = ws.to_pandas("kb")
    assert sorted(set(df["intent"])) == sorted(LABELS)
    # other intents: the labels are left out of the kb's columns
    other = tmp_path / "other"
    other.mkdir()
    _articles(other)
    _tickets_csv(other, ["late", "broken", "wrong size"])
    path, _ = init_config(other, other / "opsai.yaml")
    kb = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["kb"]
    assert "intent" not in kb["columns"]


def test_an_issue_tracker_export_stays_tickets(tmp_path: Path) -> None:
    """GitHub issues (title, body, labels, an html_url to /issues/) are requests, not articles."""
    rows = [
        {
            "number": i,
            "html_url": f"https://github.com/acme/app/issues/{i}",
            "title": f"Crash {i}",
            "body": f"The app crashes when I open screen {i}, every time since the update",
            "labels": ["bug"],
            "user": f"dev{i % 5}",
            "created_at": f"2024-02-{1 + i % 28:02d}T09:00:00Z",
        }
        for i in range(30)
    ]
    (tmp_path / "issues.json").write_text(json.dumps(rows), "utf-8")
    _, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["tickets"]
