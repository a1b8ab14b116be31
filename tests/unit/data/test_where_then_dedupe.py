"""A key ``drop_duplicates`` keeps the first row of each key among the rows ``where`` keeps
(byod12b D10), and ``campaigns`` holds one row per customer and campaign."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from opsai.data import open_workspace
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

# Each customer's first order is without the code; a later one used it (cust b twice).
ORDERS = (
    "order_id,created_at,email,total,code,start,end\n"
    "1,2024-01-01,a@x.io,10,,,\n"
    "2,2024-01-02,b@x.io,11,,,\n"
    "3,2024-01-03,c@x.io,12,,,\n"
    "4,2024-04-02,a@x.io,13,DISC15,2024-04-01,2024-04-30\n"
    "5,2024-04-03,b@x.io,14,DISC15,2024-04-01,2024-04-30\n"
    "6,2024-04-09,b@x.io,15,DISC15,2024-04-01,2024-04-30\n"
    "7,2024-04-10,d@x.io,16,DISC15,2024-04-01,2024-04-30\n"
)
COLUMNS = {"user_id": "email", "campaign": "code", "start": "start", "end": "end"}


def test_drop_duplicates_keeps_each_customers_first_row_the_where_keeps(tmp_path: Path) -> None:
    """The customers who used DISC15, one row each: a, b and d (b's first DISC15 order, 5),
    not the one customer (d) whose first order used the code; file and database alike."""
    spec = {"file": "o.csv", "where": "campaign = 'DISC15'", "drop_duplicates": ["email"]}
    cfg = write_dataset(tmp_path, {"o.csv": ORDERS}, {"campaigns": spec | {"columns": COLUMNS}})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("campaigns")
        said = [w.message for w in ws.warnings]
    assert got["user_id"].tolist() == ["a@x.io", "b@x.io", "d@x.io"]
    assert got["order_id"].tolist() == [4, 5, 7]
    assert said == [
        "3 of 7 row(s) (42.9%) left out by data.tables.campaigns.where (campaign = 'DISC15')",
        "1 of 4 row(s) (25.0%) dropped: later rows of the same email "
        "(data.tables.campaigns.drop_duplicates)",
    ]
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute(f"CREATE TABLE campaigns AS SELECT * FROM read_csv('{tmp_path / 'o.csv'}')")
    db = tmp_path / "db.yaml"
    db.write_text(
        "data: {source: shop.duckdb, tables: {campaigns: {where: \"campaign = 'DISC15'\", "
        "drop_duplicates: [email], columns: {user_id: email, campaign: code, start: start, "
        "end: end}}}}",
        encoding="utf-8",
    )
    with open_workspace(db) as ws:
        assert sorted(ws.to_pandas("campaigns")["user_id"]) == ["a@x.io", "b@x.io", "d@x.io"]


def test_users_key_dedupe_without_a_where_stays_on_the_rows_as_read(tmp_path: Path) -> None:
    """Without a where the key dedup is unchanged: each customer's first row of the file."""
    spec = {"file": "o.csv", "drop_duplicates": ["email"], "columns": {"user_id": "email"}}
    cfg = write_dataset(tmp_path, {"o.csv": ORDERS}, {"users": spec})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("users")
    assert got["user_id"].tolist() == ["a@x.io", "b@x.io", "c@x.io", "d@x.io"]
    assert got["order_id"].tolist() == [1, 2, 3, 7]


def test_campaigns_hold_one_row_per_customer_and_campaign(tmp_path: Path) -> None:
    """Without drop_duplicates, b's second DISC15 order is not a second targeting: dropped
    with a note saying why."""
    spec = {"file": "o.csv", "where": "campaign = 'DISC15'", "columns": COLUMNS}
    cfg = write_dataset(tmp_path, {"o.csv": ORDERS}, {"campaigns": spec})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("campaigns")
        said = [w.message for w in ws.warnings]
    assert got["order_id"].tolist() == [4, 5, 7]
    assert said[-1] == (
        "1 of 4 row(s) (25.0%) dropped: later rows of the same user_id and campaign (one row "
        "per customer a campaign targeted: a customer who used the code twice is targeted "
        "once; data.tables.campaigns.drop_duplicates chooses the columns)"
    )
