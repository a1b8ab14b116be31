"""``fill_down``: an order's fields written on one of its lines only (a Shopify order export)
are carried to its other lines, from every kind of source, before ``drop_incomplete`` and
``where``; and the errors that lead a user there."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
import yaml

from opsai.config import config_from_dict
from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from opsai.overview.measures import validation_warnings
from opsai.overview.story import quality_findings
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

COLUMNS = ["Name", "Email", "Financial Status", "Created at", "Lineitem quantity",
           "Lineitem price", "Lineitem sku"]  # fmt: skip
LINES = [
    ["#1001", "a@x.com", "paid", "2024-03-05 14:22:10 -0500", 1, 10.0, "A"],
    ["#1002", "b@x.com", "refunded", "2024-03-06 09:00:00 -0500", 2, 5.0, "B"],
    ["#1001", None, None, None, 3, 2.5, "B"],  # an order's lines need not be adjacent
    ["#1002", None, None, None, 1, 4.0, "C"],
    ["#1003", None, None, None, 2, 1.0, "A"],  # the order's fields on its second line
    ["#1003", "c@x.com", "paid", "2024-03-07 23:30:00 -0500", 1, 6.0, "C"],
]
MAPPING = {"order_id": "Name", "user_id": "Email", "timestamp": "Created at",
           "item_id": "Lineitem sku", "quantity": "Lineitem quantity", "price": "Lineitem price"}  # fmt: skip
SPEC: dict[str, Any] = {
    "columns": MAPPING,
    # contract names (mapped) and the export's own names both work
    "fill_down": {"by": "order_id", "columns": ["user_id", "Created at", "Financial Status"]},
    "where": "\"Financial Status\" = 'paid'",
}
FILLED = (
    "3 of 6 row(s) (50.0%) took Email, Created at, Financial Status from another row of their Name"
)


def _frame(lines: list[list[Any]] = LINES) -> pd.DataFrame:
    return pd.DataFrame(lines, columns=COLUMNS)


def _write(folder: Path, kind: str, df: pd.DataFrame) -> Path:
    """The export as ``kind`` (a file format, or a database) and a config reading it."""
    spec = dict(SPEC)
    source = "."
    if kind == "csv":
        df.to_csv(folder / "orders_export.csv", index=False)
        spec["file"] = "orders_export.csv"
    elif kind == "parquet":
        df.to_parquet(folder / "orders_export.parquet", index=False)
        spec["file"] = "orders_export.parquet"
    elif kind == "json":
        df.to_json(folder / "orders_export.jsonl", orient="records", lines=True)
        spec["file"] = "orders_export.jsonl"
    elif kind == "excel":
        df.to_excel(folder / "orders_export.xlsx", index=False)
        spec["file"] = "orders_export.xlsx"
    elif kind == "sqlite":
        with sqlite3.connect(folder / "shop.db") as con:
            df.to_sql("orders_export", con, index=False)
        source, spec["table"] = "shop.db", "orders_export"
    else:  # a DuckDB database, mapped lazily through Ibis; its times are typed
        with duckdb.connect(str(folder / "shop.duckdb")) as con:
            con.register("df", df)
            ts = "strptime(\"Created at\", '%Y-%m-%d %H:%M:%S %z')"
            con.execute(
                f'CREATE TABLE orders_export AS SELECT * REPLACE ({ts} AS "Created at") FROM df'
            )
        source, spec["table"] = "shop.duckdb", "orders_export"
    cfg = folder / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"orders": spec}}}))
    return cfg


@pytest.mark.parametrize("kind", ["csv", "parquet", "json", "excel", "sqlite", "duckdb"])
def test_fills_an_orders_lines_before_where(tmp_path: Path, kind: str) -> None:
    with open_workspace(_write(tmp_path, kind, _frame())) as ws:
        o = ws.to_pandas("orders").sort_values(["order_id", "item_id"], ignore_index=True)
        warnings = [str(w) for w in ws.warnings]
    # every line of the paid orders is kept (where reads the filled status), none of #1002
    assert o["order_id"].tolist() == ["#1001", "#1001", "#1003", "#1003"]
    assert o["user_id"].tolist() == ["a@x.com", "a@x.com", "c@x.com", "c@x.com"]
    utc = ["2024-03-05 19:22:10", "2024-03-08 04:30:00"]  # '-0500' after a space: an offset
    assert o["timestamp"].astype(str).tolist() == [utc[0], utc[0], utc[1], utc[1]]
    assert o["amount"].tolist() == pytest.approx([10.0, 7.5, 2.0, 6.0])
    assert f"orders: {FILLED} (data.tables.orders.fill_down)" in warnings
    assert any("2 of 6 row(s) (33.3%) left out by data.tables.orders.where" in w for w in warnings)


def test_file_order_kept_and_rows_without_a_key_untouched(tmp_path: Path) -> None:
    keyless = [[None, "z@x.com", "paid", "2024-03-08 10:00:00 -0500", 1, 1.0, "D"],
               [None, None, None, None, 1, 1.0, "E"]]  # fmt: skip
    text = _frame([*LINES, *keyless]).to_csv(index=False).replace("a@x.com", "n/a", 1)
    spec = SPEC | {"file": "o.csv", "where": None, "drop_incomplete": True, "na_values": ["n/a"]}
    cfg = write_dataset(tmp_path, {"o.csv": text}, {"orders": spec})
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
        notes = [str(w) for w in ws.warnings]
    # #1001 has no email left ('n/a' is empty): a guest order, kept with no customer; rows
    # without a Name are no group (the one without a timestamp is dropped)
    assert o["order_id"].fillna("-").tolist() == ["#1001", "#1002", "#1001", "#1002", "#1003",
                                                  "#1003", "-"]  # fmt: skip
    assert o["Financial Status"].tolist() == ["paid", "refunded", "paid", "refunded", "paid",
                                              "paid", "paid"]  # fmt: skip
    assert o["user_id"].fillna("-").tolist() == ["-", "b@x.com", "-", "b@x.com", "c@x.com",
                                                 "c@x.com", "z@x.com"]  # fmt: skip
    assert any("1 of 8 row(s) (12.5%) dropped: empty timestamp" in n for n in notes)


@pytest.mark.parametrize("kind", ["csv", "duckdb"])
def test_two_values_in_one_order_is_an_error(tmp_path: Path, kind: str) -> None:
    lines = [list(r) for r in LINES]
    lines[2][1] = "other@x.com"  # #1001's second line names another customer
    with pytest.raises(SchemaError) as e:
        open_workspace(_write(tmp_path, kind, _frame(lines)))
    assert (
        "orders: data.tables.orders.fill_down: 'Email' has two different values within 1 "
        "group(s) of 'Name', e.g. '#1001' has 'a@x.com' and 'other@x.com'"
    ) in str(e.value)
    assert "leave 'Email' out of fill_down.columns" in str(e.value)


def test_unknown_column_names_the_fix(tmp_path: Path) -> None:
    spec = SPEC | {"file": "o.csv", "fill_down": {"by": "Name", "columns": ["E-mail"]}}
    cfg = write_dataset(tmp_path, {"o.csv": _frame().to_csv(index=False)}, {"orders": spec})
    with pytest.raises(SchemaError, match=r"fill_down names 'E-mail'.*did you mean 'Email'"):
        open_workspace(cfg)


def test_config_rejects_a_key_among_the_columns() -> None:
    for fill, msg in [
        ({"by": "Name", "columns": ["Name", "Email"]}, "the column the rows are grouped by"),
        ({"by": "Name", "columns": ["Email", "Email"]}, "names 'Email' twice"),
        ({"by": "Name", "columns": []}, "at least 1 item"),
    ]:
        with pytest.raises(ConfigError, match=msg):
            config_from_dict({"data": {"tables": {"orders": {"fill_down": fill}}}})


def test_empty_required_column_suggests_fill_down(tmp_path: Path) -> None:
    """The error spots the shape (the empty lines' order has the value on another line) and
    suggests fill_down; lines whose order has no value at all still go to drop_incomplete."""
    lines = [*LINES, ["#1004", None, "paid", "2024-03-08 10:00:00 -0500", 1, 1.0, "D"]]
    spec = {"file": "o.csv", "columns": MAPPING}
    cfg = write_dataset(tmp_path, {"o.csv": _frame(lines).to_csv(index=False)}, {"orders": spec})
    with pytest.raises(SchemaError) as e:
        open_workspace(cfg)
    msg = str(e.value)
    assert (
        "orders: required column 'user_id' is empty in 4 row(s), and 3 of them share their "
        "order_id with a row that has one"
    ) in msg
    assert "fill_down: {by: order_id, columns: [user_id, timestamp]}" in msg
    assert (
        "the other 1, which have no user_id in their order_id, are guest orders and load as such"
    ) in msg  # not drop_incomplete: an order without a customer is a guest order
    assert "'timestamp' is empty in 3 row(s), and 3 of them share" in msg


def test_dropping_most_rows_is_a_major_warning(tmp_path: Path) -> None:
    spec = {"file": "o.csv", "columns": MAPPING, "drop_incomplete": True}
    cfg = write_dataset(tmp_path, {"o.csv": _frame().to_csv(index=False)}, {"orders": spec})
    with open_workspace(cfg) as ws:
        (w,) = ws.warnings
        frame = validation_warnings(ws)
    assert w.major and w.count == 3
    # the lines without their order's fields: empty timestamp (user_id may be empty: a guest)
    assert str(w).startswith("orders: 3 of 6 row(s) (50.0%) dropped: empty timestamp")
    assert "so totals such as revenue will be too low" in w.message
    assert "data.tables.orders.fill_down (by: order_id)" in w.message
    empty = pd.DataFrame(columns=["a"])
    found = dict(quality_findings(empty, pd.DataFrame({"duplicates": []}), frame, empty, empty))
    assert found["rows_dropped"].severity == "high"
    assert found["rows_dropped"].text.startswith("orders: 3 of 6 row(s) (50.0%) dropped")


def test_read_warnings_reach_the_reports_copy(tmp_path: Path) -> None:
    """The report's chapters read a validated copy of the data: the warnings about reading
    it (the rows dropped) travel with the copy, so the data overview can flag them."""
    from opsai.report.build import _export

    spec = {"file": "o.csv", "columns": MAPPING, "drop_incomplete": True}
    cfg = write_dataset(tmp_path, {"o.csv": _frame().to_csv(index=False)}, {"orders": spec})
    with open_workspace(cfg) as ws:
        _export(ws, tmp_path / "copy.duckdb", list(ws.present))
        read = ws.warnings
    copy = tmp_path / "copy.yaml"
    copy.write_text("data: {source: copy.duckdb, tables: {orders: {}}}", encoding="utf-8")
    with open_workspace(copy) as ws:
        assert ws.warnings == read and ws.warnings[0].major
        assert ws.present == ("orders",)


def test_reviews_without_a_comment_are_no_revenue_warning(tmp_path: Path) -> None:
    """byod8 D6: an Olist-style review export (most rows a score without a comment) opened the
    report with "the data behind these figures is incomplete ... totals such as revenue will
    be too low"; the tickets carry no money: a plain warning saying what counts fewer rows."""
    reviews = pd.DataFrame(
        {
            "review_id": [f"r{i}" for i in range(10)],
            "review_score": [5, 1, 4, 5, 3, 5, 2, 4, 5, 1],
            "review_comment_message": ["Gostei muito", None, None, "Ótimo", None, None, None,
                                       "Chegou antes do prazo", None, None],
            "review_creation_date": ["2018-08-01"] * 10,
        }
    )  # fmt: skip
    spec = {
        "file": "r.csv",
        "drop_incomplete": True,
        "columns": {"ticket_id": "review_id", "text": "review_comment_message",
                    "sentiment": "review_score", "timestamp": "review_creation_date"},
    }  # fmt: skip
    cfg = write_dataset(tmp_path, {"r.csv": reviews.to_csv(index=False)}, {"tickets": spec})
    with open_workspace(cfg) as ws:
        (w,) = ws.warnings
        frame = validation_warnings(ws)
    assert (w.major, w.count) == (False, 7)
    assert str(w) == (
        "tickets: 7 of 10 row(s) (70.0%) dropped: empty ticket_id or text "
        "(data.tables.tickets.drop_incomplete): ticket counts, sentiment shares and the text "
        "analyses count only the 3 tickets with a text (a review without a comment, say, is "
        "left out); revenue and the other tables are not affected"
    )
    empty = pd.DataFrame(columns=["a"])
    found = dict(quality_findings(empty, pd.DataFrame({"duplicates": []}), frame, empty, empty))
    assert "rows_dropped" not in found  # no "Read this first" banner, no high finding


def test_dropping_most_users_names_user_counts_not_revenue(tmp_path: Path) -> None:
    users = "user_id,signup_at\n001,2024-01-01\n,2024-01-02\n,2024-01-03\n004,2024-01-04\n"
    spec = {"file": "u.csv", "drop_incomplete": True}
    cfg = write_dataset(tmp_path, {"u.csv": users}, {"users": spec})
    with open_workspace(cfg) as ws:
        (w,) = ws.warnings
    assert w.major and str(w) == (
        "users: 2 of 4 row(s) (50.0%) dropped: empty user_id (data.tables.users.drop_incomplete)."
        " Every figure from users counts only the rows left, so counts of users will be too low"
    )
