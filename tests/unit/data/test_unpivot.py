"""``unpivot``: a wide table (one column per competitor) turned into long rows before mapping."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.errors import ConfigError, SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

SHARES = [  # a German market report: a title, one column per competitor, shares in percent
    ["Marktanteile nach Umsatz (%)"],
    [],
    ["Monat", "Alpenmarkt AG", "Nordlicht GmbH", "Sonnenkauf SE"],
    ["01.2024", "43,0 %", "29,3\u00a0%", "27,7 %"],
    ["02.2024", "42,8 %", "k.A.", "30,1%"],
    ["03.2024", "41,0 %", None, "31,0 %"],
]
WIDE = {"keep": ["Monat"], "names_to": "company", "values_to": "share"}


def _shares(folder: Path, **spec: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Marktanteile"
    for r in SHARES:
        ws.append(r)
    wb.save(folder / "bericht.xlsx")
    market = {
        "file": "bericht.xlsx",
        "skip_rows": 2,
        "decimal": ",",
        "na_values": ["k.A."],
        "timestamp_format": "%m.%Y",
        "unpivot": WIDE,
        "columns": {"period": "Monat", "sales": "share"},
    } | spec
    return write_dataset(folder, {}, {"market": market})


def test_wide_percent_shares_become_rows_with_fractions(tmp_path: Path) -> None:
    """Each month x competitor with a value is one row; '29,3 %' (a no-break space before the
    sign, decimal comma) reads 0.293; an empty cell and an na_values marker give no row."""
    with open_workspace(_shares(tmp_path)) as ws:
        df = ws.to_pandas("market").sort_values(["period", "company"], ignore_index=True)
    assert len(df) == 7
    assert df["company"].tolist() == ["Alpenmarkt AG", "Nordlicht GmbH", "Sonnenkauf SE",
        "Alpenmarkt AG", "Sonnenkauf SE", "Alpenmarkt AG", "Sonnenkauf SE"]  # fmt: skip
    assert df["share"].tolist() == pytest.approx([0.43, 0.293, 0.277, 0.428, 0.301, 0.41, 0.31])
    assert df["period"].tolist()[::3] == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-03-01")]  # fmt: skip


def test_named_columns_with_thousands_keep_the_rest(tmp_path: Path) -> None:
    """``columns`` names the wide columns; every other column is kept and mapped; European
    thousands and decimal marks compose with it."""
    csv = "Monat;Region;Acme;Beta\n2024-01-01;Nord;1.234,5;987\n2024-02-01;Süd;2.000,0;\n"
    spec = {
        "file": "m.csv",
        "sep": ";",
        "thousands": ".",
        "decimal": ",",
        "unpivot": {"columns": ["Acme", "Beta"], "names_to": "Anbieter", "values_to": "Umsatz"},
        "columns": {"period": "Monat", "segment": "Region", "company": "Anbieter",
                    "sales": "Umsatz"},
    }  # fmt: skip
    with open_workspace(write_dataset(tmp_path, {"m.csv": csv}, {"market": spec})) as ws:
        df = ws.to_pandas("market").sort_values(["period", "company"], ignore_index=True)
    assert df[["segment", "company"]].values.tolist() == [["Nord", "Acme"], ["Nord", "Beta"],
        ["Süd", "Acme"]]  # fmt: skip
    assert df["sales"].tolist() == [1234.5, 987.0, 2000.0]


def test_sqlite_and_duckdb_sources_unpivot_too(tmp_path: Path) -> None:
    """A SQLite table (copied, read as files are; mixed INTEGER and REAL columns) and a DuckDB
    table (Ibis pivot_longer) give the same long rows."""
    db = tmp_path / "m.sqlite"
    con = sqlite3.connect(db)
    con.execute('CREATE TABLE wide (month TEXT, "Acme Co" INTEGER, "Beta AG" REAL)')
    con.executemany("INSERT INTO wide VALUES (?, ?, ?)", [("2024-01-01", 10, 5.5),
                                                          ("2024-02-01", 12, None)])  # fmt: skip
    con.commit()
    con.close()
    duck = tmp_path / "m.duckdb"
    with duckdb.connect(str(duck)) as d:
        d.execute(
            "CREATE TABLE wide AS SELECT * FROM (VALUES ('2024-01-01', 10, 5.5), "
            """('2024-02-01', 12, NULL)) t(month, "Acme Co", "Beta AG")"""
        )
    spec = {
        "table": "wide",
        "unpivot": {"keep": ["month"], "names_to": "company", "values_to": "sales"},
        "columns": {"period": "month"},
    }
    for src in (db, duck):
        cfg = tmp_path / f"{src.suffix[1:]}.yaml"
        cfg.write_text(yaml.safe_dump({"data": {"source": str(src), "tables": {"market": spec}}}))
        with open_workspace(cfg) as ws:
            df = ws.to_pandas("market").sort_values(["period", "company"], ignore_index=True)
        assert df["company"].tolist() == ["Acme Co", "Beta AG", "Acme Co"], src
        assert df["sales"].tolist() == [10.0, 5.5, 12.0], src


def test_unpivot_mistakes_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"unpivot.keep names 'Month'.*did you mean 'Monat'"):
        open_workspace(_shares(tmp_path, unpivot=WIDE | {"keep": ["Month"]}))
    clash = WIDE | {"names_to": "Monat"}
    with pytest.raises(SchemaError, match=r"unpivot.names_to is 'Monat', a column the table"):
        open_workspace(_shares(tmp_path, unpivot=clash))
    both = WIDE | {"columns": ["Alpenmarkt AG"]}
    with pytest.raises(ConfigError, match="exactly one of columns"):
        open_workspace(_shares(tmp_path, unpivot=both))
