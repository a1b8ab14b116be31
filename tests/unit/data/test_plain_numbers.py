"""Plain number columns are cast as they are (a fast path), with the values of the full
rewrite that reads currencies, grouping, scales and percents; a column with one formatted
value still goes through the rewrite."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from opsai.config import TableSpec
from opsai.data import _load, open_workspace
from opsai.data.schema import Column
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

PLAIN = ["12", "-3", "+7", "0.25", "007", "  4.5 ", "", None, "1234567.125"]


def test_which_columns_are_plain() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE r AS SELECT * FROM (VALUES ('12', '1,299 kr', '5', '3'), "
        "('4.5', '10', 'NA', '2.5'), (NULL, '', '', '1,5')) t(a, b, c, d)"
    )
    assert _load.plain_numbers(con, "r", ["a", "b", "c", "d"], TableSpec(file="x")) == {"a"}
    # 'NA' read as missing by na_values is no obstacle; with a decimal comma '2.5' is not
    # plain (a point may group thousands there) and '1,5' is not either
    spec = TableSpec(file="x", na_values=["NA"], decimal=",")
    assert _load.plain_numbers(con, "r", ["a", "c", "d"], spec) == {"c"}


@pytest.mark.parametrize("dtype", ["float", "int"])
def test_the_plain_cast_gives_the_full_rewrites_values(dtype: str) -> None:
    col = Column("v", dtype)
    con = duckdb.connect()
    con.execute("CREATE TABLE r (v VARCHAR)")
    con.executemany("INSERT INTO r VALUES (?)", [[v] for v in PLAIN])
    spec = TableSpec(file="x")
    assert _load.plain_numbers(con, "r", ["v"], spec) == {"v"}
    fast = _load.typed_expr(col, "v", "VARCHAR", spec, False, plain=True)
    full = _load.typed_expr(col, "v", "VARCHAR", spec, False)
    assert len(fast) < 100 < 1_000 < len(full) < 4_000  # each step once (was 17,972)
    got = con.execute(f"SELECT {fast}, {full} FROM r").fetchall()
    assert [a for a, _ in got] == [b for _, b in got]
    assert [a for a, _ in got][:3] == [12, -3, 7] and got[6][0] is None and got[7][0] is None
    if dtype == "float":
        assert [a for a, _ in got][3:6] == [0.25, 7.0, 4.5]


def test_a_column_with_one_formatted_value_is_read_in_full(tmp_path: Path) -> None:
    csv = 'item_id,on_hand,unit_cost\na,10,12.5\nb,20,"$1,299.00"\nc,30,7\n'
    cfg = write_dataset(tmp_path, {"i.csv": csv}, {"inventory": {"file": "i.csv"}})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("inventory").sort_values("item_id")
    assert df["on_hand"].tolist() == [10, 20, 30]
    assert df["unit_cost"].tolist() == pytest.approx([12.5, 1299.0, 7.0])
    assert pd.api.types.is_float_dtype(df["unit_cost"])
