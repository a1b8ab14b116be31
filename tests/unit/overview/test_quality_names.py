"""Names and severities of the data overview's quality findings (byod10a D20)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.data._checks import SESSION_IDS
from opsai.overview import quality_findings
from opsai.overview.measures import validation_warnings
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

EMPTY = pd.DataFrame(columns=["a"])
NO_DUPS = pd.DataFrame({"duplicates": []})


def test_session_ids_are_a_finding_of_their_own_not_rows_dropped() -> None:
    """Last.fm with the signup date as each play's time: 'the user ids look like session ids'
    was published as a high finding named rows_dropped, though no row was dropped."""
    frame = pd.DataFrame(
        {
            "table": ["events", "orders"],
            "column": ["user_id", None],
            "count": [2000, 3],
            "message": [f"{SESSION_IDS}: 2,000 of 2,000 (100.0%) are seen on one day only",
                        "3 of 6 row(s) (50.0%) dropped"],
            "major": [True, True],
        }
    )  # fmt: skip
    found = dict(quality_findings(EMPTY, NO_DUPS, frame, EMPTY, EMPTY))
    s, d = found["session_ids"], found["rows_dropped"]
    assert s.severity == "high" and s.text.startswith(f"events: {SESSION_IDS}: 2,000 of 2,000")
    assert s.evidence == {"tables": ["events"], "rows": 2000}
    assert d.text == "orders: 3 of 6 row(s) (50.0%) dropped." and d.evidence["rows"] == 3
    alone = dict(quality_findings(EMPTY, NO_DUPS, frame.iloc[:1], EMPTY, EMPTY))
    assert "rows_dropped" not in alone and "session_ids" in alone


def test_a_partial_demographics_file_is_a_low_finding_not_orphan_ids(tmp_path: Path) -> None:
    """Dunnhumby's demographics cover 400 of 1,198 households (398 of them bought): 00 said
    'Some ids point at nothing ... (orders.user_id: 800)' at medium. A users table whose ids
    are nearly all in orders is an attribute file for some customers: a low finding."""
    orders = "user_id,timestamp,amount\n" + "".join(
        f"h{i:02d},2024-01-{i % 28 + 1:02d},5\n" for i in range(30)
    )
    users = "user_id,income\n" + "".join(f"h{i:02d},low\n" for i in range(19)) + "x99,high\n"
    files = {"orders.csv": orders, "users.csv": users}
    cfg = write_dataset(tmp_path, files, {"orders": {}, "users": {}})
    with open_workspace(cfg) as ws:
        (w,) = [w for w in ws.warnings if w.column == "user_id"]
        frame = validation_warnings(ws)
    assert w.message == (
        "11 distinct id(s) not in users (11 of the 30 customers in orders have no users row: "
        "no attributes for them; 19 of the 20 users rows are in orders, a partial attribute "
        "file)"
    )
    found = dict(quality_findings(EMPTY, NO_DUPS, frame, EMPTY, EMPTY))
    assert "orphan_ids" not in found
    f = found["partial_users"]
    assert f.severity == "low" and f.evidence == {"table": "orders", "ids": 11}
    assert f.text.startswith(
        "11 of the 30 customers in orders have no users row (orders.user_id), so they have no "
        "attributes: the users table covers some customers only"
    )
    few = users + "y1,low\ny2,low\n"  # 19 of 22 in orders: orphans
    cfg = write_dataset(tmp_path / "few", {"orders.csv": orders, "users.csv": few},
                        {"orders": {}, "users": {}})  # fmt: skip
    with open_workspace(cfg) as ws:
        found = dict(quality_findings(EMPTY, NO_DUPS, validation_warnings(ws), EMPTY, EMPTY))
    assert found["orphan_ids"].severity == "medium" and "partial_users" not in found
