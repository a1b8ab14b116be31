"""``messages``: a chat log with one row per message becomes one ticket per conversation,
from files and from databases; and the errors that lead a user there."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml

from opsai.config import config_from_dict
from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError

pytestmark = pytest.mark.unit

COLUMNS = ["会话ID", "时间", "买家昵称", "发送方", "内容"]
LOG = [
    ["S2", "2026-02-01 10:00:00", "bob", "买家", "在吗"],
    ["S1", "2026-01-05 09:00:05", "amy", "客服", "亲，您好"],
    ["S1", "2026-01-05 09:00:00", "amy", "买家", "快递太慢了"],  # out of file order: by time
    ["S1", "2026-01-05 09:10:00", "amy", "买家", "还没到"],
    ["S1", "2026-01-05 09:20:00", "amy", "客服", "已经帮您催促快递了"],
    ["S2", "2026-02-01 10:01:00", "bob", "买家", "好的谢谢"],
    ["S3", "2026-02-02 08:00:00", "cat", "客服", "您的订单已发货"],  # staff only: no ticket
]
SPEC: dict[str, Any] = {
    "columns": {"ticket_id": "会话ID", "timestamp": "时间", "text": "内容", "user_id": "买家昵称"},
    "messages": {"by": "会话ID", "sender": "发送方", "customer": "买家"},
}


def _tickets(folder: Path, kind: str, df: pd.DataFrame, spec: dict[str, Any], name: str,
             time: str) -> Path:  # fmt: skip
    """A config reading ``df`` as tickets from a CSV file ``name``.csv, or (``kind`` duckdb)
    from a DuckDB table ``name`` mapped lazily through Ibis, its ``time`` column a TIMESTAMP."""
    spec, source = dict(spec), "."
    if kind == "csv":
        df.to_csv(folder / f"{name}.csv", index=False)
        spec["file"] = f"{name}.csv"
    else:
        with duckdb.connect(str(folder / "shop.duckdb")) as con:
            con.register("df", df)
            con.execute(
                f'CREATE OR REPLACE TABLE {name} AS SELECT * REPLACE (CAST("{time}" AS TIMESTAMP) '
                f'AS "{time}") FROM df'
            )
        source, spec["table"] = "shop.duckdb", name
    cfg = folder / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"tickets": spec}}}))
    return cfg


def _write(folder: Path, kind: str, spec: dict[str, Any] = SPEC) -> Path:
    return _tickets(folder, kind, pd.DataFrame(LOG, columns=COLUMNS), spec, "chat", "时间")


@pytest.mark.parametrize("kind", ["csv", "duckdb"])
def test_one_ticket_per_conversation(tmp_path: Path, kind: str) -> None:
    with open_workspace(_write(tmp_path, kind)) as ws:
        read = ws.to_pandas("tickets")["ticket_id"].tolist()
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
        notes = [str(w) for w in ws.warnings]
    # in a fixed order, as seeded samples and folds need: the file's order of each
    # conversation's first message, or from a database (no row order) the time it began
    assert read == (["S2", "S1"] if kind == "csv" else ["S1", "S2"])
    assert t["ticket_id"].tolist() == ["S1", "S2"]  # S3 has no customer message
    # the customer's messages in time order, staff replies left out
    assert t["text"].tolist() == ["快递太慢了\n还没到", "在吗"]  # 好的谢谢: an acknowledgement
    assert t["user_id"].tolist() == ["amy", "bob"]
    assert t["timestamp"].astype(str).tolist() == ["2026-01-05 09:00:00", "2026-02-01 10:00:00"]
    # the last staff reply closes the ticket; none in S2: open
    assert str(t["resolved_at"][0]) == "2026-01-05 09:20:00"
    assert pd.isna(t["resolved_at"][1])
    assert "发送方" not in t.columns
    assert (
        "tickets: 7 message(s) grouped into 2 ticket(s), one per 会话ID (data.tables.tickets."
        "messages): a ticket's text is its customer's messages (发送方 = 买家; 4 message(s)) in "
        "time order, less 1 acknowledgement(s) (messages such as 'ok thanks' beside a customer's "
        "other messages); the other 3 (staff: 客服 3) are left out of the text, and the last staff "
        "reply's time is the ticket's resolved_at; 1 conversation(s) without a customer message "
        "left out"
    ) in notes


def test_duplicate_ticket_ids_suggest_messages(tmp_path: Path) -> None:
    spec = {k: v for k, v in SPEC.items() if k != "messages"}
    with pytest.raises(SchemaError) as e:
        open_workspace(_write(tmp_path, "csv", spec))
    msg = str(e.value)
    assert "column 'ticket_id' must be unique, but 2 id(s) repeat" in msg
    assert "data.tables.tickets.messages: {by: <conversation id column>" in msg
    assert "Remove the duplicates" not in msg


def test_customer_value_that_matches_nothing(tmp_path: Path) -> None:
    spec = SPEC | {"messages": {"by": "会话ID", "sender": "发送方", "customer": "buyer"}}
    with pytest.raises(SchemaError, match=r"customer \('buyer'\) matches no value of '发送方', "
                       r"whose values are e.g. '买家', '客服'"):  # fmt: skip
        open_workspace(_write(tmp_path, "csv", spec))


def test_messages_only_on_tickets() -> None:
    spec = {"messages": {"by": "conv", "sender": "role", "customer": ["user", "customer"]}}
    with pytest.raises(ConfigError, match=r"data\.tables\.orders\.messages: only tickets"):
        config_from_dict({"data": {"tables": {"orders": spec}}})
    cfg = config_from_dict({"data": {"tables": {"tickets": spec}}})
    assert cfg.data.tables["tickets"].messages.customer == ["user", "customer"]  # type: ignore[union-attr]


def test_where_on_the_sender_leaves_no_reply_to_time(tmp_path: Path) -> None:
    spec = SPEC | {"where": "发送方 = '买家'"}
    with open_workspace(_write(tmp_path, "csv", spec)) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
        notes = " ".join(str(w) for w in ws.warnings)
    assert t["text"].tolist() == ["快递太慢了\n还没到", "在吗"]  # 好的谢谢: an acknowledgement
    assert t["resolved_at"].isna().all()
    assert "4 message(s) grouped into 2 ticket(s)" in notes
    assert "no staff reply is left, so resolved_at is empty" in notes


BOT_LOG = [  # Intercom: the bot closes the conversation hours after the agent's reply
    ["c1", "2024-09-01 08:00:00", "u1", "user", "I was charged twice"],
    ["c1", "2024-09-01 09:00:00", "a7", "admin", "Refunded, sorry"],
    ["c1", "2024-09-01 20:00:00", "b0", "bot", "This conversation was closed"],
    ["c2", "2024-09-02 08:00:00", "u2", "user", "Where is my order?"],
    ["c2", "2024-09-02 20:00:00", "b0", "Bot", "This conversation was closed"],
]


def _bot_config(folder: Path, kind: str, log: list[list[str]] = BOT_LOG, **messages: Any) -> Path:
    df = pd.DataFrame(log, columns=["conv", "at", "author", "who", "body"])
    spec: dict[str, Any] = {
        "columns": {"timestamp": "at", "text": "body", "user_id": "author"},
        "messages": {"by": "conv", "sender": "who", "customer": "user", **messages},
    }
    return _tickets(folder, kind, df, spec, "parts", "at")


@pytest.mark.parametrize("kind", ["csv", "duckdb"])
def test_a_bots_close_is_no_staff_reply(tmp_path: Path, kind: str) -> None:
    with open_workspace(_bot_config(tmp_path, kind)) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
        notes = " ".join(str(w) for w in ws.warnings)
    # the agent's reply an hour in, not the bot's close 12 hours in; c2 had no human reply
    assert t["resolved_at"].astype(str).tolist()[0] == "2024-09-01 09:00:00"
    assert pd.isna(t["resolved_at"][1])
    assert (
        "the other 3 (staff: admin 1; not staff: Bot 1, bot 1, set messages.staff to count them)"
    ) in notes


@pytest.mark.parametrize("kind", ["csv", "duckdb"])
def test_staff_lists_the_senders_counted(tmp_path: Path, kind: str) -> None:
    with open_workspace(_bot_config(tmp_path, kind, staff=["admin", "bot"])) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
        notes = " ".join(str(w) for w in ws.warnings)
    assert str(t["resolved_at"][0]) == "2024-09-01 20:00:00"  # the bot's close, as listed
    assert pd.isna(t["resolved_at"][1])  # 'Bot' is not 'bot'
    assert "(staff: admin 1, bot 1; not staff: Bot 1, set messages.staff" in notes
    with pytest.raises(SchemaError, match=r"messages.staff \('agent'\) matches no value of 'who'"):
        open_workspace(_bot_config(tmp_path, kind, staff="agent"))


@pytest.mark.parametrize("kind", ["csv", "duckdb"])
def test_acknowledgements_are_left_out_of_the_text(tmp_path: Path, kind: str) -> None:
    """Intercom: half the customers answer the agent "ok thanks"; joined into the text, every
    request type came as two topics (k-means chose 12 for 5 request types)."""
    log = [
        ["c1", "2024-09-01 08:00:00", "u1", "user", "<p>Where is my order?</p>"],
        ["c1", "2024-09-01 09:00:00", "a7", "admin", "<p>On its way</p>"],
        ["c1", "2024-09-01 09:05:00", "u1", "user", "<p>ok thanks</p>"],
        ["c1", "2024-09-01 09:06:00", "u1", "user", "<p>Thank you so much!! 👍</p>"],
        ["c2", "2024-09-02 08:00:00", "u2", "user", "<p>Thanks, great service!</p>"],  # no ack only
        ["c2", "2024-09-02 08:01:00", "u2", "user", "OK, thanks, but it came broken"],  # says more
        ["c3", "2024-09-03 08:00:00", "u3", "user", "ok thanks"],  # only acks: kept
        ["c3", "2024-09-03 08:01:00", "u3", "user", "Okay."],
    ]
    with open_workspace(_bot_config(tmp_path, kind, log)) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id", ignore_index=True)
        notes = " ".join(str(w) for w in ws.warnings)
    assert t["text"].tolist() == [
        "<p>Where is my order?</p>",
        "<p>Thanks, great service!</p>\nOK, thanks, but it came broken",
        "ok thanks\nOkay.",
    ]
    assert "in time order, less 2 acknowledgement(s)" in notes
    assert "_acks" not in t.columns
