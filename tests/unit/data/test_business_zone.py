"""``data.timezone``: every timestamp read as the business's wall-clock time.

Without it timestamps are naive UTC, so a Beijing shop's order at 01:30 on 1 November (17:30
UTC on 31 October) fell in October: a stray month in every monthly table of a Nov-Feb export.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from opsai.config import load_config
from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from tests.conftest import write_dataset


def _zoned(cfg: Path, zone: str) -> Path:
    """The config at ``cfg`` with ``data.timezone`` set to ``zone``."""
    doc = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    doc["data"]["timezone"] = zone
    cfg.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return cfg


def _times(cfg: Path, table: str = "orders", col: str = "timestamp") -> list[str]:
    with open_workspace(cfg) as ws:
        s = ws.to_pandas(table)[col]
        assert s.dt.tz is None
        return [str(v) for v in s]


# 17:30 UTC on 31 October 2024 is 01:30 on 1 November in Beijing (UTC+8)
ORDERS = (
    "user_id,timestamp,amount\n"
    "u1,2024-10-31T17:30:00Z,5\n"  # an instant with an offset
    "u2,2024-11-01 01:30:00,6\n"  # wall-clock time in the business's zone
    "u3,2024-11-01,7\n"  # a date
)


def test_times_are_the_business_wall_clock(tmp_path: Path) -> None:
    """Offsets become Beijing time; times and dates without one are already Beijing's and
    stay as written. Without data.timezone the file's zone is ambiguous, and the error says
    which key to set."""
    cfg = write_dataset(tmp_path, {"orders.csv": ORDERS}, {"orders": {}})
    with pytest.raises(SchemaError, match=r"ambiguous\. Set the zone .* data\.timezone"):
        open_workspace(cfg)
    assert _times(_zoned(cfg, "Asia/Shanghai")) == [
        "2024-11-01 01:30:00", "2024-11-01 01:30:00", "2024-11-01 00:00:00"]  # fmt: skip


def test_a_table_written_in_another_zone_is_converted(tmp_path: Path) -> None:
    """A payment processor's export in UTC (timezone: UTC on its table) beside a Beijing
    shop: its 17:30 is 01:30 the next day in Beijing; a date stays on its day."""
    rows = "user_id,timestamp,amount\nu1,2024-10-31 17:30:00,5\nu2,2024-11-01,7\n"
    cfg = _zoned(
        write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {"timezone": "UTC"}}),
        "Asia/Shanghai",
    )
    assert _times(cfg) == ["2024-11-01 01:30:00", "2024-11-01 00:00:00"]


def test_unix_times_and_formats_become_wall_clock(tmp_path: Path) -> None:
    """Epoch seconds (1730395800 is 17:30 UTC on 31 October) and a strptime format with an
    offset become Beijing time; a format without a time of day stays a date."""
    rows = "user_id,timestamp,amount\nu1,1730395800,5\n"
    cfg = write_dataset(
        tmp_path / "a", {"orders.csv": rows}, {"orders": {"timestamp_format": "epoch"}}
    )
    assert _times(_zoned(cfg, "Asia/Shanghai")) == ["2024-11-01 01:30:00"]
    rows = "user_id,timestamp,amount\nu1,31/10/2024 17:30 +0000,5\n"
    fmt = {"timestamp_format": "%d/%m/%Y %H:%M %z"}
    cfg = write_dataset(tmp_path / "b", {"orders.csv": rows}, {"orders": fmt})
    assert _times(_zoned(cfg, "Asia/Shanghai")) == ["2024-11-01 01:30:00"]
    rows = "user_id,timestamp,amount\nu1,01.11.2024,5\n"
    cfg = write_dataset(
        tmp_path / "c", {"orders.csv": rows}, {"orders": {"timestamp_format": "%d.%m.%Y"}}
    )
    assert _times(_zoned(cfg, "America/New_York")) == ["2024-11-01 00:00:00"]


def test_west_of_utc_dates_keep_their_day_and_instants_move_back(tmp_path: Path) -> None:
    """New York: 03:00 UTC on 1 November is 23:00 on 31 October there; the date 2024-11-01
    is not moved to the evening before."""
    rows = "user_id,timestamp,amount\nu1,2024-11-01T03:00:00+00:00,5\nu2,2024-11-01,6\n"
    cfg = _zoned(write_dataset(tmp_path, {"orders.csv": rows}, {"orders": {}}), "America/New_York")
    assert _times(cfg) == ["2024-10-31 23:00:00", "2024-11-01 00:00:00"]


def test_parquet_zoned_columns_and_attributes(tmp_path: Path) -> None:
    """A Parquet file's TIMESTAMP WITH TIME ZONE columns, the contract's and an attribute
    (``_loaded_at``), read as Beijing wall-clock time."""
    instants = pd.to_datetime(["2024-10-31 17:30", "2024-11-01 02:00"]).tz_localize("UTC")
    pd.DataFrame(
        {"user_id": ["1", "2"], "timestamp": instants, "amount": [5.0, 6.0], "_loaded_at": instants}
    ).to_parquet(tmp_path / "o.parquet")
    cfg = _zoned(write_dataset(tmp_path, {}, {"orders": {"file": "o.parquet"}}), "Asia/Shanghai")
    want = ["2024-11-01 01:30:00", "2024-11-01 10:00:00"]
    assert _times(cfg) == want
    assert _times(cfg, col="_loaded_at") == want


def test_database_sources_read_the_business_wall_clock(tmp_path: Path) -> None:
    """A DuckDB database: zoned timestamps, naive ones written in UTC (the table's timezone)
    and epoch milliseconds all become Beijing time; a DATE stays on its day."""
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(
            "CREATE TABLE o (uid VARCHAR, zoned TIMESTAMPTZ, naive TIMESTAMP, ms BIGINT, d DATE, "
            "amount DOUBLE)"
        )
        con.execute(
            "INSERT INTO o VALUES ('u1', '2024-10-31 17:30:00+00', '2024-10-31 17:30:00', "
            "1730395800000, '2024-11-01', 5)"
        )

    def mapped(col: str, **extra: str) -> Path:
        spec = {"table": "o", "columns": {"user_id": "uid", "timestamp": col}} | extra
        data = {"source": "shop.duckdb", "timezone": "Asia/Shanghai", "tables": {"orders": spec}}
        cfg = tmp_path / f"{col}{len(extra)}.yaml"
        cfg.write_text(yaml.safe_dump({"data": data}), encoding="utf-8")
        return cfg

    want = ["2024-11-01 01:30:00"]
    assert _times(mapped("zoned")) == want
    assert _times(mapped("naive", timezone="UTC")) == want
    assert _times(mapped("ms", timestamp_format="epoch_ms")) == want
    assert _times(mapped("d")) == ["2024-11-01 00:00:00"]
    assert _times(mapped("naive")) == ["2024-10-31 17:30:00"]  # the business's own by default


@pytest.mark.parametrize("key", ["data.timezone", "data.tables.orders.timezone"])
def test_an_unknown_zone_is_a_config_error_that_suggests_one(tmp_path: Path, key: str) -> None:
    tables = {"orders": {"timezone": "Asia/Shangai"}} if "tables" in key else {"orders": {}}
    cfg = write_dataset(tmp_path, {"orders.csv": ORDERS}, tables)
    if "tables" not in key:
        cfg = _zoned(cfg, "Asia/Shangai")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    msg = str(info.value)
    assert "unknown time zone 'Asia/Shangai'" in msg and "Asia/Shanghai" in msg
    assert "timezone" in msg


def test_database_text_times_keep_their_offset(tmp_path: Path) -> None:
    """Text timestamps in a database with a UTC offset are instants, as in a file: the offset
    was dropped ('17:30+08:00' read as 17:30 UTC). A column where only some carry one is an
    error naming the key, unless a zone says what the others are."""
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute("CREATE TABLE o (uid VARCHAR, ts VARCHAR, amount DOUBLE)")
        con.execute(
            "INSERT INTO o VALUES ('u1', '2024-10-31T17:30:00+08:00', 5), "
            "('u2', '2024-10-31 17:30:00 -0500', 6), ('u3', '2024-10-31 17:30:00Z', 7)"
        )
        con.execute("CREATE TABLE mixed AS SELECT * FROM o")
        con.execute("INSERT INTO mixed VALUES ('u4', '2024-11-01 08:00:00', 8)")

    def mapped(table: str, zone: str | None = None) -> Path:
        spec = {"table": table, "columns": {"user_id": "uid", "timestamp": "ts"}}
        data: dict[str, object] = {"source": "shop.duckdb", "tables": {"orders": spec}}
        if zone:
            data["timezone"] = zone
        cfg = tmp_path / f"{table}{zone is not None}.yaml"
        cfg.write_text(yaml.safe_dump({"data": data}), encoding="utf-8")
        return cfg

    assert _times(mapped("o")) == [
        "2024-10-31 09:30:00",
        "2024-10-31 22:30:00",
        "2024-10-31 17:30:00",
    ]
    with pytest.raises(
        SchemaError, match=r"'ts' mixes 3 timestamps with a UTC offset and 1 without"
    ):
        open_workspace(mapped("mixed"))
    assert _times(mapped("mixed", "Asia/Shanghai")) == [
        "2024-10-31 17:30:00", "2024-11-01 06:30:00", "2024-11-01 01:30:00", "2024-11-01 08:00:00"]  # fmt: skip
