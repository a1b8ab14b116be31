"""The bad-input corpus: each broken dataset fails with the right error and names the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from tests.conftest import ORDERS_CSV, USERS_CSV, write_dataset

pytestmark = pytest.mark.unit

O = "user_id,timestamp,amount\n"  # noqa: E741 - the orders header used by most cases


def _orders(rows: str, **spec: Any) -> tuple[dict[str, str | bytes], dict[str, Any]]:
    return {"orders.csv": O + rows}, {"orders": spec}


GBK = "user_id,timestamp,amount,note\n1,2024-01-01,3,优惠券\n".encode("gbk")

CASES: list[tuple[str, dict[str, str | bytes], dict[str, Any], type[Exception], str]] = [
    (
        "missing_required_column",
        {"orders.csv": "user_id,timestamp\n1,2024-01-01\n"},
        {"orders": {}},
        SchemaError,
        r"required column 'amount' not found .*data\.tables\.orders\.columns\.amount",
    ),
    (
        "mapped_column_absent",
        {"orders.csv": "cust,date,value\n1,2024-01-01,2\n"},
        {"orders": {"columns": {"user_id": "cust", "timestamp": "date", "amount": "valu"}}},
        SchemaError,
        r"'valu'.*did you mean 'value'.*columns\.amount",
    ),
    (
        "case_mismatch_suggests",
        {"orders.csv": "User_ID,timestamp,amount\n1,2024-01-01,2\n"},
        {"orders": {}},
        SchemaError,
        r"did you mean 'User_ID'",
    ),
    (
        "text_in_amount",
        *_orders("1,2024-01-01,abc\n2,2024-01-02,3\n"),
        SchemaError,
        r"'amount' \(amount\) expected a number, but 1 value.*'abc'.*na_values",
    ),
    (
        "unparseable_timestamp",
        *_orders("1,not a date,3\n"),
        SchemaError,
        r"expected a timestamp.*'not a date'.*timestamp_format",
    ),
    (
        "compact_dates_need_format",
        *_orders("1,20240105,3\n2,20240106,4\n"),
        SchemaError,
        r"timestamp_format.*'%Y%m%d'",
    ),
    (
        "slash_dates_ambiguous",
        *_orders("1,01/02/2024,3\n"),
        SchemaError,
        r"'%m/%d/%Y' or '%d/%m/%Y'",
    ),
    (
        "slash_dates_settled_by_a_later_day",  # byod11a D11: 1/31/2018 after 100 early days
        *_orders(
            "".join(
                f"1,{1 + i % 12}/{1 + i // 12}/2017 {i % 24}:{i % 60:02d},3\n" for i in range(100)
            )
            + "1,1/31/2018 22:56,3\n"
        ),
        SchemaError,
        r"strptime format \('%m/%d/%Y %H:%M'\)",
    ),
    (
        "slash_dates_day_first",
        *_orders("1,13/01/2024,3\n"),
        SchemaError,
        r"strptime format \('%d/%m/%Y'\)",
    ),
    (
        "format_without_the_offset",  # the hint reads the offset: never the format already set
        *_orders("1,13/01/2024 10:00:00 -0500,3\n", timestamp_format="%d/%m/%Y %H:%M:%S"),
        SchemaError,
        r"strptime format \('%d/%m/%Y %H:%M:%S %z'\)",
    ),
    (
        "wrong_timestamp_format",  # an ISO 8601 value is read whatever the format (byod12b D1)
        *_orders("1,05/01/2024,3\n", timestamp_format="%d.%m.%Y"),
        SchemaError,
        r"'05/01/2024'.*timestamp_format",
    ),
    (
        "empty_file",
        {"orders.csv": ""},
        {"orders": {}},
        SchemaError,
        r"is empty.*data\.tables\.orders",
    ),
    (
        "header_only",
        {"orders.csv": O},
        {"orders": {}},
        SchemaError,
        r"no rows.*data\.tables\.orders",
    ),
    (
        "duplicate_user_ids",
        {"users.csv": "user_id\n001\n002\n001\n"},
        {"users": {}},
        SchemaError,
        r"'user_id' must be unique.*'001'.*data\.tables\.users\.columns\.user_id",
    ),
    (
        "duplicate_item_ids",
        {"items.csv": "item_id,title\nA,x\nA,y\nB,z\n"},
        {"items": {}},
        SchemaError,
        r"must be unique.*'A'",
    ),
    (
        "non_utf8_file",
        {"orders.csv": GBK},
        {"orders": {}},
        SchemaError,
        r"not UTF-8.*data\.tables\.orders\.encoding",
    ),
    (
        "wrong_declared_encoding",
        {"orders.csv": GBK},
        {"orders": {"encoding": "ascii"}},
        SchemaError,
        r"not valid ascii.*data\.tables\.orders\.encoding",
    ),
    (
        "mixed_time_zones",
        *_orders("1,2024-01-01 10:00:00+08:00,3\n2,2024-01-01 10:00:00,4\n"),
        SchemaError,
        r"mixes 1 timestamps with a UTC offset and 1 without.*data\.tables\.orders\.timezone",
    ),
    ("infinite_amount", *_orders("1,2024-01-01,1e999\n"), SchemaError, r"too large|do not parse"),
    (
        "inf_literal",
        *_orders("1,2024-01-01,inf\n"),
        SchemaError,
        r"'amount' has 1 value\(s\) too large",
    ),
    (
        "negative_demand",
        {"demand.csv": "item_id,timestamp,quantity\nA,2024-01-01,-3\n"},
        {"demand": {}},
        SchemaError,
        r"'quantity' expected >= 0, found 1 negative.*data\.tables\.demand\.columns\.quantity",
    ),
    (
        "negative_on_hand",
        {"inventory.csv": "item_id,on_hand\nA,-1\n"},
        {"inventory": {}},
        SchemaError,
        r"'on_hand' expected >= 0",
    ),
    (
        "share_in_percent",
        {"market.csv": "period,company,sales,share\n2024-01-01,us,10,35\n"},
        {"market": {}},
        SchemaError,
        r"'share' expected values in \[0.0, 1.0\], found 1 outside \(percentages\? set "
        r"data\.tables\.market\.scale: \{share: 0\.01\} to read 20\.0 as 0\.2\)",
    ),
    (
        "product_shares_in_percent_below_one",
        {
            "market.csv": "period,company,product,sales,share\n"
            "1990,GM,a,4,0.62\n1990,GM,b,3,0.55\n1990,Ford,c,2,0.21\n"
            "1991,GM,a,4,0.3\n1991,Ford,c,2,0.2\n"
        },
        {"market": {}},
        SchemaError,
        r"'share' adds up to more than 1 within 1 of 2 period group\(s\), e.g. 1.38 in 1990-01-01 "
        r"\(percentages\? set data\.tables\.market\.scale: \{share: 0\.01\}.*"
        r"data\.tables\.market\.columns\.share",
    ),
    (
        "service_level_in_percent",
        {"inventory.csv": "item_id,on_hand,service_level\nA,1,95\n"},
        {"inventory": {}},
        SchemaError,
        r"service_level.*percentages\? set data\.tables\.inventory\.scale: "
        r"\{service_level: 0\.01\}",
    ),
    (
        "null_required_id",
        {"events.csv": "user_id,timestamp,event\n,2024-01-01,view\n1,2024-01-01,view\n"},
        {"events": {}},
        SchemaError,
        r"required column 'user_id' is empty in 1 row.*data\.tables\.events\.drop_incomplete: "
        r"true to drop them.*columns\.user_id",
    ),
    ("null_required_timestamp", *_orders("1,,3\n"), SchemaError, r"'timestamp' is empty in 1 row"),
    (
        "missing_file",
        {},
        {"orders": {"file": "orders_2024.csv"}},
        SchemaError,
        r"orders_2024\.csv not found.*data\.tables\.orders\.file",
    ),
    (
        "default_file_missing",
        {},
        {"orders": {}},
        SchemaError,
        r"no file orders\.csv.*data\.tables\.orders\.file",
    ),
    (
        "semicolon_separated",
        {"orders.csv": "user_id;timestamp;amount\n1;2024-01-01;3\n"},
        {"orders": {}},
        SchemaError,
        r"separated by ';': set data\.tables\.orders\.sep",
    ),
    (
        "ragged_rows",
        {"orders.csv": O + "1,2024-01-01,3\n2,2024-01-02,4,5,6\n"},
        {"orders": {}},
        SchemaError,
        r"cannot read orders\.csv.*data\.tables\.orders\.sep",
    ),
    (
        "json_lines_cut_off",  # a Mixpanel export cut off mid-download: not sep/encoding advice
        {
            "events.jsonl": '{"user_id": "1", "timestamp": "2024-01-01", "event": "view"}\n'
            '{"user_id": "2", "timestamp": "2024-01-02", "ev'
        },
        {"events": {"file": "events.jsonl", "format": "json"}},
        SchemaError,
        r"- events: cannot read events\.jsonl as json: line 2 is not complete JSON \(an export "
        r"cut off while downloading\?\)\. Fix: export it again, or remove that line$",
    ),
    (
        "thousands_separator",
        {"orders.csv": 'user_id,timestamp,amount\n1,2024-01-01,"1,200.50"\n'},
        {"orders": {}},
        SchemaError,
        r"'1,200.50'.*thousands",
    ),
    (
        "market_period_garbage",
        {"market.csv": "period,company,sales\n1,us,3\nQ2,us,4\n"},
        {"market": {}},
        SchemaError,
        r"expected a date or an integer period.*'Q2'",
    ),
    (
        "chinese_header_unmapped",
        {"orders.csv": "用户,时间,金额\n1,2024-01-01,3\n"},
        {"orders": {}},
        SchemaError,
        r"have: 用户, 时间, 金额.*columns\.user_id",
    ),
    (
        "several_problems_at_once",
        {"orders.csv": O + "1,2024-01-01,x\n", "users.csv": "user_id\n1\n1\n"},
        {"orders": {}, "users": {}},
        SchemaError,
        r"2 problems.*orders.*users",
    ),
]
CONFIG_CASES: list[tuple[str, str, str]] = [
    ("unknown_table", "data: {tables: {customers: {}}}", r"unknown table\(s\) customers"),
    (
        "unknown_table_key",
        "data: {tables: {orders: {delimiter: ';'}}}",
        r"data\.tables\.orders\.delimiter: unknown key",
    ),
    ("unknown_top_key", "dta: {}", r"dta: unknown key"),
    (
        "unknown_encoding",
        "data: {tables: {orders: {encoding: utf-9}}}",
        r"unknown encoding 'utf-9'",
    ),
    ("not_yaml", "data: [unclosed", r"not valid YAML"),
    ("wrong_type", "data: {tables: {orders: {header: maybe}}}", r"data\.tables\.orders\.header"),
]


@pytest.mark.parametrize(
    ("name", "files", "tables", "exc", "pattern"), CASES, ids=[c[0] for c in CASES]
)
def test_broken_dataset(
    tmp_path: Path, name: str, files: dict, tables: dict, exc: type[Exception], pattern: str
) -> None:
    cfg = write_dataset(tmp_path, files, tables)
    with pytest.raises(exc) as info:
        open_workspace(cfg)
    assert type(info.value) is exc
    import re

    assert re.search(pattern, str(info.value), re.S), str(info.value)


@pytest.mark.parametrize(
    ("name", "text", "pattern"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES]
)
def test_broken_config(tmp_path: Path, name: str, text: str, pattern: str) -> None:
    p = tmp_path / "opsai.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=pattern):
        open_workspace(p)


def test_missing_source_folder(tmp_path: Path) -> None:
    p = tmp_path / "opsai.yaml"
    p.write_text("data: {source: nowhere, tables: {orders: {}}}", encoding="utf-8")
    with pytest.raises(SchemaError, match=r"nowhere not found\. Fix data\.source"):
        open_workspace(p)


def test_corpus_is_large_enough() -> None:
    assert len(CASES) + len(CONFIG_CASES) >= 25


def test_no_half_state_after_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed open leaves no temp folders behind (in a scratch folder of its own: other
    jobs' loads come and go in the shared one)."""
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    cfg = write_dataset(tmp_path, {"users.csv": USERS_CSV, "orders.csv": ORDERS_CSV + "x,y,z\n"},
                        {"users": {}, "orders": {}})  # fmt: skip
    with pytest.raises(SchemaError):
        open_workspace(cfg)
    assert list(scratch.iterdir()) == []


def test_parquet_wrong_type(tmp_path: Path) -> None:
    df = pd.DataFrame({"user_id": ["1"], "timestamp": ["2024-01-01"], "amount": ["lots"]})
    df.to_parquet(tmp_path / "orders.parquet")
    cfg = write_dataset(tmp_path, {}, {"orders": {}})
    with pytest.raises(SchemaError, match=r"'lots'.*source type VARCHAR"):
        open_workspace(cfg)


def test_timestamp_hint_reads_offsets_and_never_repeats_the_format() -> None:
    """The hint is a format that reads the values (a UTC offset too), and never the format
    already configured (which did not read them)."""
    from opsai.data._load import timestamp_hint

    assert timestamp_hint(["2023-12-01 21:01:04 -0500"]) == "'%Y-%m-%d %H:%M:%S %z'"
    assert timestamp_hint(["2024-03-05T14:22:10.5+05:30"]) == "'%Y-%m-%dT%H:%M:%S.%f%z'"
    assert timestamp_hint(["2011-01-01 0", "2011-01-01 17"]) == "'%Y-%m-%d %H'"  # date + hour
    # nothing fits: an example, with %z for values ending in an offset
    assert timestamp_hint(["Tue 2024-03-05 14:22 -0500"]) == "e.g. '%Y-%m-%d %H:%M:%S %z'"
    hint = timestamp_hint(["Tue 2024-03-05 14:22"], "%Y-%m-%d %H:%M:%S")
    assert (
        hint == "the configured '%Y-%m-%d %H:%M:%S' does not read them: write what their text has"
    )
