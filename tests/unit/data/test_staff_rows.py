"""Staff messages read as tickets are named in validation and the data overview (byod10b D23)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.overview import quality_findings
from opsai.overview.measures import validation_warnings
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

COLUMNS = {
    "ticket_id": "tweet_id",
    "text": "text",
    "timestamp": "created_at",
    "user_id": "author_id",
}


def _thread(folder: Path, where: str | None = None, flag: str = "inbound") -> Path:
    """A TWCS-like reply thread: 300 customer tweets opening a thread (customers c0..c299),
    each answered by AcmeSupport (200) or ShopHelp (100), and 50 follow-ups of a customer.
    ``flag`` names the who-wrote-it column (``inbound`` true on customers; ``is_agent`` true
    on staff, written 1/0)."""
    staff_true = flag != "inbound"
    rows = [f"tweet_id,author_id,{flag},created_at,text,in_response_to_tweet_id"]

    def mark(customer: bool) -> str:
        if staff_true:
            return "0" if customer else "1"
        return "True" if customer else "False"

    for i in range(300):
        day = f"2024-01-{1 + i % 28:02d} 10:00:00"
        rows.append(f"{i},c{i},{mark(True)},{day},my order is late {i},")
        who = "AcmeSupport" if i < 200 else "ShopHelp"
        rows.append(f"{1000 + i},{who},{mark(False)},{day},sorry to hear that,{i}")
    for i in range(50):
        rows.append(f"{2000 + i},c{i},{mark(True)},2024-01-28 11:00:00,still nothing,{1000 + i}")
    spec: dict[str, object] = {"file": "t.csv", "columns": COLUMNS}
    if where:
        spec["where"] = where
    return write_dataset(folder, {"t.csv": "\n".join(rows) + "\n"}, {"tickets": spec})


def test_a_naive_mapping_of_a_reply_thread_is_warned_with_the_where_that_fixes_it(
    tmp_path: Path,
) -> None:
    """byod10b D23: TWCS mapped row for row validated silently as 21,824 tickets, 9,797 of
    them the companies' replies (AppleSupport alone 3,779)."""
    with open_workspace(_thread(tmp_path)) as ws:
        (w,) = [w for w in ws.warnings if w.message.startswith("the tickets hold staff")]
        frame = validation_warnings(ws)
    assert (w.table, w.column, w.count) == ("tickets", "inbound", 300)
    assert w.message.startswith(
        "the tickets hold staff messages? column 'inbound' says who wrote each row (350 True, "
        "300 False) and no where keeps the customers' rows: 300 of 650 tickets (46%) are staff "
        "messages; a few user ids author a large share of the tickets (AcmeSupport: 200 tickets "
        "(31%), ShopHelp: 100 tickets (15%)) — staff replies? The counts"
    )
    assert w.message.endswith(
        "Keep the customers' rows with data.tables.tickets.where: 'inbound'; a reply thread "
        "('in_response_to_tweet_id' names the message a row answers) reads as one ticket per "
        "thread with where: 'inbound AND in_response_to_tweet_id IS NULL' and its first reply "
        "joined as resolved_at: run opsai init on the folder for that mapping"
    )
    empty = pd.DataFrame(columns=["a"])
    found = dict(quality_findings(empty, pd.DataFrame({"duplicates": []}), frame, empty, empty))
    f = found["staff_rows"]
    assert f.severity == "medium" and f.evidence == {"rows": 300, "column": "inbound"}
    assert f.text.startswith(
        "The tickets may hold the staff's own messages: column 'inbound' says who wrote each row"
    )


def test_the_suggested_where_silences_the_warning_and_a_staff_flag_reads_the_other_way(
    tmp_path: Path,
) -> None:
    """The fix the warning names keeps 300 opening tickets and no warning; a flag true on the
    staff's rows written 1/0 (``is_agent``) gets its own where."""
    where = "inbound AND in_response_to_tweet_id IS NULL"
    with open_workspace(_thread(tmp_path / "fixed", where)) as ws:
        assert not [w for w in ws.warnings if w.message.startswith("the tickets hold staff")]
        assert ws.table("tickets").count().to_pandas() == 300
    with open_workspace(_thread(tmp_path / "agent", flag="is_agent")) as ws:
        (w,) = [w for w in ws.warnings if w.message.startswith("the tickets hold staff")]
    assert (w.column, w.count) == ("is_agent", 300)
    assert "(350 0, 300 1)" in w.message
    assert "data.tables.tickets.where: 'is_agent = 0'; " in w.message
    with open_workspace(_thread(tmp_path / "agentfixed", "is_agent = 0", flag="is_agent")) as ws:
        assert not [w for w in ws.warnings if w.message.startswith("the tickets hold staff")]


def test_one_author_of_many_tickets_is_named_without_a_flag(tmp_path: Path) -> None:
    """No flag column: an id writing over 10% (and 100+) of the tickets is named; a help desk
    whose busiest customer files 3 of 150 tickets gets no warning."""
    rows = ["ticket_id,user_id,timestamp,text"]
    rows += [f"{i},agent_kim,2024-01-01,we replied {i}" for i in range(120)]
    rows += [f"{1000 + i},u{i},2024-01-02,help {i}" for i in range(500)]
    spec = {"file": "t.csv"}
    with open_workspace(
        write_dataset(tmp_path / "a", {"t.csv": "\n".join(rows)}, {"tickets": spec})
    ) as ws:
        (w,) = [w for w in ws.warnings if w.message.startswith("the tickets hold staff")]
    assert (w.column, w.count) == ("user_id", 120)
    assert (
        "a few user ids author a large share of the tickets (agent_kim: 120 tickets (19%)) — "
        "staff replies? " in w.message
    )
    rows = ["ticket_id,user_id,timestamp,text"]
    rows += [f"{i},u{i % 50},2024-01-01,help {i}" for i in range(150)]
    with open_workspace(
        write_dataset(tmp_path / "b", {"t.csv": "\n".join(rows)}, {"tickets": spec})
    ) as ws:
        assert not [w for w in ws.warnings if w.message.startswith("the tickets hold staff")]
