"""A timestamp split over several columns (a till's date and time of day, a hotel's arrival
year, month name and day) is mapped as a list, its parts joined with a space (byod12a D6,
D8)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from opsai.config import load_config
from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

POS = (
    "transaction_id,transaction_date,transaction_time,transaction_qty,product_id,unit_price\n"
    "1,1/13/2023,07:06:11,2,5,3.00\n"
    "2,1/13/2023,17:45:00,1,6,4.50\n"
    "3,2/1/2023,08:00:59,1,5,3.00\n"
)
POS_MAP = {"order_id": "transaction_id", "timestamp": ["transaction_date", "transaction_time"],
           "item_id": "product_id", "quantity": "transaction_qty", "price": "unit_price"}  # fmt: skip
HOTEL = (
    "hotel,arrival_date_year,arrival_date_month,arrival_date_day_of_month,nights,adr\n"
    "City Hotel,2016,July,5,2,100\n"
    "Resort Hotel,2017,August,31,3,80.5\n"
)
HOTEL_MAP = {
    "item_id": "hotel",
    "timestamp": ["arrival_date_year", "arrival_date_month", "arrival_date_day_of_month"],
    "quantity": "nights",
    "price": "adr",
}


def _times(cfg: Path, table: str) -> list[str]:
    with open_workspace(cfg) as ws:
        df = ws.to_pandas(table).sort_values("timestamp")
    return [str(t) for t in df["timestamp"]]


def test_a_date_and_a_time_of_day_are_one_timestamp(tmp_path: Path) -> None:
    """Maven Roasters' POS: '1/13/2023' + '07:06:11' is 2023-01-13 07:06:11; the two parts
    are not kept as attributes (as one mapped column is not)."""
    spec = {"file": "pos.csv", "timestamp_format": "%m/%d/%Y %H:%M:%S", "columns": POS_MAP}
    cfg = write_dataset(tmp_path, {"pos.csv": POS}, {"orders": spec})
    assert load_config(cfg).data.tables["orders"].columns["timestamp"] == (
        "transaction_date + transaction_time"
    )
    assert _times(cfg, "orders") == [
        "2023-01-13 07:06:11",
        "2023-01-13 17:45:00",
        "2023-02-01 08:00:59",
    ]
    with open_workspace(cfg) as ws:
        cols = ws.columns("orders")
        assert ws.source_columns("orders")["timestamp"] == "transaction_date + transaction_time"
    assert "transaction_time" not in cols and "transaction_date" not in cols


def test_iso_parts_parse_without_a_format(tmp_path: Path) -> None:
    csv = "order_id,d,t,amount\n1,2024-03-05,14:22,5\n2,2024-03-06,09:01:30,6\n"
    spec = {"file": "o.csv", "columns": {"order_id": "order_id", "timestamp": ["d", "t"]}}
    cfg = write_dataset(tmp_path, {"o.csv": csv}, {"orders": spec})
    assert _times(cfg, "orders") == ["2024-03-05 14:22:00", "2024-03-06 09:01:30"]


@pytest.mark.parametrize(
    ("months", "fmt"), [(("July", "August"), "%Y %B %d"), (("7", "8"), "%Y %m %d")]
)
def test_a_year_a_month_and_a_day_are_one_date(
    tmp_path: Path, months: tuple[str, str], fmt: str
) -> None:
    """hotel_bookings' arrival date: 2016 + July (or 7) + 5 is 2016-07-05."""
    csv = HOTEL.replace("July", months[0]).replace("August", months[1])
    spec = {"file": "h.csv", "timestamp_format": fmt, "columns": HOTEL_MAP}
    cfg = write_dataset(tmp_path, {"h.csv": csv}, {"demand": spec})
    assert _times(cfg, "demand") == ["2016-07-05 00:00:00", "2017-08-31 00:00:00"]


def test_a_missing_part_names_the_table_the_list_and_the_column(tmp_path: Path) -> None:
    cols = POS_MAP | {"timestamp": ["transaction_date", "transaction_tme"]}
    spec = {"file": "pos.csv", "timestamp_format": "%m/%d/%Y %H:%M:%S", "columns": cols}
    cfg = write_dataset(tmp_path, {"pos.csv": POS}, {"orders": spec})
    with pytest.raises(SchemaError) as info:
        open_workspace(cfg)
    msg = str(info.value)
    assert "orders: data.tables.orders.columns.timestamp lists [transaction_date, " in msg
    assert "'transaction_tme' is not a column" in msg
    assert "did you mean 'transaction_time'?" in msg


def test_a_list_of_one_is_a_config_error(tmp_path: Path) -> None:
    spec = {"file": "pos.csv", "columns": POS_MAP | {"timestamp": ["transaction_date"]}}
    cfg = write_dataset(tmp_path, {"pos.csv": POS}, {"orders": spec})
    with pytest.raises(ConfigError, match=r"columns\.timestamp: a list names the columns"):
        load_config(cfg)


def test_the_format_hint_reads_the_joined_text(tmp_path: Path) -> None:
    spec = {"file": "pos.csv", "columns": POS_MAP}
    cfg = write_dataset(tmp_path, {"pos.csv": POS}, {"orders": spec})
    with pytest.raises(SchemaError) as info:
        open_workspace(cfg)
    msg = str(info.value)
    assert "'1/13/2023 07:06:11'" in msg
    assert "timestamp_format to their strptime format ('%m/%d/%Y %H:%M:%S')" in msg


def test_an_empty_or_null_part_leaves_the_timestamp_missing(tmp_path: Path) -> None:
    """A row without its time of day ('' or 'NULL' in na_values) has no timestamp: counted
    as empty, and dropped with drop_incomplete (2 of 4 rows)."""
    csv = POS + "4,2/2/2023,,1,5,3.00\n5,NULL,09:00:00,1,5,3.00\n"
    spec = {"file": "pos.csv", "timestamp_format": "%m/%d/%Y %H:%M:%S", "columns": POS_MAP,
            "na_values": ["NULL"]}  # fmt: skip
    cfg = write_dataset(tmp_path, {"pos.csv": csv}, {"orders": spec})
    with pytest.raises(SchemaError, match=r"required column 'timestamp' is empty in 2 row"):
        open_workspace(cfg)
    spec["drop_incomplete"] = True
    cfg = write_dataset(tmp_path, {"pos.csv": csv}, {"orders": spec})
    assert len(_times(cfg, "orders")) == 3


def test_typed_parts_from_a_database(tmp_path: Path) -> None:
    """A database's year as a number (2016 and 2017.0), a month name and a day: the same
    dates as from text; a DATE and a TIME are one timestamp without a format."""
    with duckdb.connect(str(tmp_path / "h.duckdb")) as con:
        con.execute("CREATE TABLE h (hotel VARCHAR, y DOUBLE, m VARCHAR, d BIGINT, n BIGINT)")
        con.execute(
            "INSERT INTO h VALUES ('A', 2016, 'July', 5, 2), ('B', 2017.0, 'August', 31, 1)"
        )
        con.execute("CREATE TABLE o (id VARCHAR, d DATE, t TIME, amount DOUBLE)")
        con.execute("INSERT INTO o VALUES ('1', '2023-01-13', '07:06:11', 5)")
    hotel = {"table": "h", "timestamp_format": "%Y %B %d",
             "columns": {"item_id": "hotel", "timestamp": ["y", "m", "d"], "quantity": "n"}}  # fmt: skip
    orders = {"table": "o", "columns": {"order_id": "id", "timestamp": ["d", "t"]}}
    cfg = tmp_path / "db.yaml"
    tables = {"demand": hotel, "orders": orders}
    cfg.write_text(json.dumps({"data": {"source": "h.duckdb", "tables": tables}}))
    assert _times(cfg, "demand") == ["2016-07-05 00:00:00", "2017-08-31 00:00:00"]
    assert _times(cfg, "orders") == ["2023-01-13 07:06:11"]


def test_typed_parts_from_parquet(tmp_path: Path) -> None:
    """Parquet's DATE and a year stored as a float (2016.0) join as their text."""
    pd.DataFrame(
        {
            "id": ["1"],
            "d": pd.to_datetime(["2023-01-13"]).date,
            "t": ["07:06:11"],
            "y": [2016.0],
            "m": ["July"],
            "day": [5],
            "amount": [5.0],
        }
    ).to_parquet(tmp_path / "o.parquet")
    spec = {"file": "o.parquet", "columns": {"order_id": "id", "timestamp": ["d", "t"]}}
    demand = {"file": "o.parquet", "timestamp_format": "%Y %B %d",
              "columns": {"item_id": "id", "timestamp": ["y", "m", "day"], "quantity": "day"}}  # fmt: skip
    cfg = write_dataset(tmp_path, {}, {"orders": spec, "demand": demand})
    assert _times(cfg, "orders") == ["2023-01-13 07:06:11"]
    assert _times(cfg, "demand") == ["2016-07-05 00:00:00"]


def test_any_time_column_takes_a_list(tmp_path: Path) -> None:
    """A help desk's opened and closed times, each a date and a time of day."""
    csv = (
        "id,opened_d,opened_t,closed_d,closed_t,text\n"
        "T1,2024-03-05,09:00,2024-03-05,17:30:15,my order never arrived\n"
        "T2,2024-03-06,10:15,,,where is my refund please\n"
    )
    cols = {"ticket_id": "id", "timestamp": ["opened_d", "opened_t"],
            "resolved_at": ["closed_d", "closed_t"]}  # fmt: skip
    cfg = write_dataset(tmp_path, {"t.csv": csv}, {"tickets": {"file": "t.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id")
    assert [str(x) for x in t["timestamp"]] == ["2024-03-05 09:00:00", "2024-03-06 10:15:00"]
    assert str(t["resolved_at"].iloc[0]) == "2024-03-05 17:30:15"
    assert pd.isna(t["resolved_at"].iloc[1])  # not resolved yet
