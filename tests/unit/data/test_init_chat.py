"""``opsai init`` on chat and comment exports with one row per message: it proposes
``tickets`` with a ``messages`` block (one ticket per conversation), not ``events`` keyed by
the sender or one ticket per message."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.cli import main
from opsai.data import open_workspace

pytestmark = pytest.mark.unit

T0 = 1704114480  # 2024-01-01 13:08 UTC


def _parts() -> list[dict[str, object]]:
    """Intercom conversation parts: the customer (user), a human reply (admin) and a bot's
    auto-close 12 hours in; conversation 3 has the bot only after the customer."""
    rows: list[dict[str, object]] = []
    for conv, texts, reply_h in (
        ("1", ["Where is my refund?", "ok thanks"], 2),
        ("2", ["I was charged twice"], 5),
        ("3", ["Can I get an invoice?"], None),
    ):
        user = {"type": "user", "id": f"usr_{conv}", "email": f"usr_{conv}@mail.com"}
        for i, text in enumerate(texts):
            t = T0 + 10_000 * int(conv) + (0 if i == 0 else 3 * 3600)
            rows.append({"conversation_id": conv, "created_at": t, "author": user, "body": text})
        if reply_h is not None:
            rows.append(
                {
                    "conversation_id": conv,
                    "created_at": T0 + 10_000 * int(conv) + reply_h * 3600,
                    "author": {"type": "admin", "id": "agent_7", "email": "agent@shop.com"},
                    "body": "Let me check that for you.",
                }
            )
        rows.append(
            {
                "conversation_id": conv,
                "created_at": T0 + 10_000 * int(conv) + 12 * 3600,
                "author": {"type": "bot", "id": "bot_1"},
                "body": "This conversation was closed automatically.",
            }
        )
    return rows


def _init(folder: Path) -> tuple[dict[str, dict[str, object]], Path]:
    cfg = folder.parent / "opsai.yaml"
    assert main(["init", str(folder), "--out", str(cfg)]) == 0
    return yaml.safe_load(cfg.read_text("utf-8"))["data"]["tables"], cfg


def test_intercom_parts_are_tickets_with_messages(tmp_path: Path) -> None:
    """Intercom's conversation parts (``{"data": [...]}``, ``author.type`` user/admin/bot) were
    proposed as events with ``event = author.type``; now tickets with ``messages`` by
    ``conversation_id``, ``sender: author.type``, ``customer: user`` and ``staff: [admin]`` (the
    bot's auto-close is no reply), said in a comment. Validation groups them: one ticket per
    conversation, resolved at the admin's reply."""
    (tmp_path / "raw").mkdir()
    doc = {"type": "conversation_part.list", "data": _parts(), "pages": {"next": None}}
    (tmp_path / "raw" / "conversation_parts.json").write_text(json.dumps(doc), "utf-8")
    tables, cfg = _init(tmp_path / "raw")
    assert list(tables) == ["tickets"]
    spec = tables["tickets"]
    assert spec["messages"] == {
        "by": "conversation_id",
        "sender": "author.type",
        "customer": "user",
        "staff": ["admin"],
    }
    assert spec["columns"] == {
        "ticket_id": "conversation_id",
        "timestamp": "created_at",
        "text": "body",
        "user_id": "author.email",
    }
    text = cfg.read_text("utf-8")
    assert (
        "# a chat log, one row per message ('author.type' in the sample: user 4, bot 3, admin 2): "
        "messages makes one ticket per 'conversation_id'"
    ) in text
    assert "staff is admin only: bot is no reply" in text
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
        notes = [str(w) for w in ws.warnings]
    assert t["ticket_id"].tolist() == ["1", "2", "3"]
    assert t["text"].tolist() == [
        "Where is my refund?",
        "I was charged twice",
        "Can I get an invoice?",
    ]
    assert t["user_id"].tolist() == ["usr_1@mail.com", "usr_2@mail.com", "usr_3@mail.com"]
    hours = (t["resolved_at"] - t["timestamp"]).dt.total_seconds() / 3600
    assert hours.iloc[:2].tolist() == [2.0, 5.0]  # the admin's reply, not the bot's 12 h
    assert pd.isna(hours.iloc[2])  # the bot alone never replied
    assert any("9 message(s) grouped into 3 ticket(s)" in n for n in notes)


def test_comment_csv_is_tickets_with_messages(tmp_path: Path) -> None:
    """A Zendesk/Freshdesk comments export (ticket_id repeated, author_role end-user/agent)
    was one ticket per comment; now messages by ticket_id, no staff list (no bot)."""
    (tmp_path / "raw").mkdir()
    rows = [
        ("101", "end-user", "My parcel is late", "2024-03-01T09:00:00Z"),
        ("101", "agent", "Sorry, checking", "2024-03-01T10:30:00Z"),
        ("101", "end-user", "Any news?", "2024-03-01T12:00:00Z"),
        ("102", "end-user", "Refund please", "2024-03-02T08:00:00Z"),
        ("102", "agent", "Done", "2024-03-02T09:00:00Z"),
        ("103", "agent", "Your order shipped", "2024-03-03T08:00:00Z"),  # staff only
    ]
    pd.DataFrame(rows, columns=["ticket_id", "author_role", "body", "created_at"]).to_csv(
        tmp_path / "raw" / "ticket_comments.csv", index=False
    )
    tables, cfg = _init(tmp_path / "raw")
    spec = tables["tickets"]
    assert spec["messages"] == {"by": "ticket_id", "sender": "author_role", "customer": "end-user"}
    assert spec["columns"] == {"timestamp": "created_at", "text": "body"}
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
    assert t["ticket_id"].tolist() == ["101", "102"]
    assert t["text"].tolist() == ["My parcel is late\nAny news?", "Refund please"]
    hours = (t["resolved_at"] - t["timestamp"]).dt.total_seconds() / 3600
    assert hours.tolist() == [1.5, 1.0]


def test_chinese_chat_log_is_tickets_with_messages(tmp_path: Path) -> None:
    """Qianniu's 聊天记录 (会话ID, 时间, 买家昵称, 发送方 买家/客服, 内容) was mapped per message
    (timestamp and text only); now messages by 会话ID with customer 买家."""
    (tmp_path / "raw").mkdir()
    rows = [
        ("S1", "2026-01-05 09:00:00", "amy", "买家", "快递太慢了，三天还没发货"),
        ("S1", "2026-01-05 09:00:05", "amy", "客服", "亲，您好，我帮您查一下"),
        ("S1", "2026-01-05 09:10:00", "amy", "买家", "到底什么时候能到"),
        ("S2", "2026-02-01 10:00:00", "bob", "买家", "优惠券怎么用不了"),
        ("S2", "2026-02-01 10:01:00", "bob", "客服", "亲，满一百才能用哦"),
    ]
    pd.DataFrame(rows, columns=["会话ID", "时间", "买家昵称", "发送方", "内容"]).to_csv(
        tmp_path / "raw" / "聊天记录.csv", index=False
    )
    tables, cfg = _init(tmp_path / "raw")
    spec = tables["tickets"]
    assert spec["messages"] == {"by": "会话ID", "sender": "发送方", "customer": "买家"}
    assert spec["columns"] == {"ticket_id": "会话ID", "timestamp": "时间", "text": "内容",
                               "user_id": "买家昵称"}  # fmt: skip
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
    assert t["text"].tolist() == ["快递太慢了，三天还没发货\n到底什么时候能到", "优惠券怎么用不了"]


def test_one_row_per_ticket_gets_no_messages(tmp_path: Path) -> None:
    """A ticket export (unique ticket_id) with a requester column is no chat log."""
    (tmp_path / "raw").mkdir()
    rows = [
        ("T1", "customer", "My parcel is late", "2024-03-01T09:00:00Z"),
        ("T2", "agent", "Internal: refund issued", "2024-03-02T08:00:00Z"),
        ("T3", "customer", "Refund please", "2024-03-03T08:00:00Z"),
    ]
    pd.DataFrame(rows, columns=["ticket_id", "opened_by", "description", "created_at"]).to_csv(
        tmp_path / "raw" / "tickets.csv", index=False
    )
    tables, _ = _init(tmp_path / "raw")
    assert "messages" not in tables["tickets"]
