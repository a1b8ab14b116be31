"""Yes/no columns (``promo``): True/False and friends read as 1/0 from text and booleans."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data import schema as S
from opsai.errors import SchemaError

pytestmark = pytest.mark.unit

WORDS = ["True", "False", "true", "false", "yes", "no", "Y", "N", "1", "0", "1.0", "是", "否", ""]
WANT = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 0, np.nan]


def _demand(promo: list[object]) -> pd.DataFrame:
    n = len(promo)
    return pd.DataFrame(
        {
            "item_nbr": ["103665"] * n,
            "date": pd.date_range("2017-01-01", periods=n).strftime("%Y-%m-%d"),
            "unit_sales": np.arange(1.0, n + 1),
            "onpromotion": promo,
        }
    )


def _config(folder: Path, source: str, **spec: object) -> Path:
    cols = {"item_id": "item_nbr", "timestamp": "date", "quantity": "unit_sales"}
    table = {**spec, "columns": cols | {"promo": "onpromotion"}}
    cfg = folder / "shop.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": source, "tables": {"demand": table}}}))
    return cfg


def _promo(cfg: Path) -> list[float]:
    with open_workspace(cfg) as ws:
        d = ws.to_pandas("demand").sort_values(S.TIMESTAMP)
    assert d[S.PROMO].dtype == np.float64
    return d[S.PROMO].tolist()


def test_promo_words_from_a_csv_read_as_one_and_zero(tmp_path: Path) -> None:
    """Favorita's ``onpromotion`` (True/False, empty before promotions were recorded) was
    rejected: '56574 value(s) do not parse, e.g. 'False', 'True''."""
    _demand(WORDS).to_csv(tmp_path / "train.csv", index=False)
    got = _promo(_config(tmp_path, ".", file="train.csv"))
    assert got == pytest.approx(WANT, nan_ok=True)
    (tmp_path / "train.csv").write_text(
        (tmp_path / "train.csv").read_text() + "103665,2017-02-01,1,maybe\n"
    )
    with pytest.raises(SchemaError, match=r"1 value\(s\) do not parse, e.g. 'maybe'"):
        _promo(_config(tmp_path, ".", file="train.csv"))


def test_boolean_promo_columns_from_parquet_and_duckdb(tmp_path: Path) -> None:
    flags = [True, False, None, True]
    frame = _demand(flags).astype({"onpromotion": "boolean"})
    frame.to_parquet(tmp_path / "train.parquet")
    assert _promo(_config(tmp_path, ".", file="train.parquet")) == pytest.approx(
        [1, 0, np.nan, 1], nan_ok=True
    )
    with duckdb.connect(str(tmp_path / "shop.duckdb")) as con:
        con.execute("CREATE TABLE train AS SELECT * FROM frame")
        con.execute("CREATE TABLE train_text AS SELECT * FROM frame")
        con.execute("ALTER TABLE train_text ALTER onpromotion TYPE VARCHAR")
        con.execute("UPDATE train_text SET onpromotion = 'N' WHERE onpromotion = 'false'")
    got = _promo(_config(tmp_path, "shop.duckdb", table="train"))
    assert got == pytest.approx([1, 0, np.nan, 1], nan_ok=True)
    got = _promo(_config(tmp_path, "shop.duckdb", table="train_text"))
    assert got == pytest.approx([1, 0, np.nan, 1], nan_ok=True)


def test_init_maps_a_true_false_onpromotion_to_promo(tmp_path: Path) -> None:
    """Favorita's one-word ``onpromotion`` of True/False was kept as an attribute."""
    from opsai.cli import main

    frame = _demand(["True", "False", "", "False"] * 5).rename(
        columns={"item_nbr": "item_id", "date": "timestamp", "unit_sales": "quantity"}
    )
    frame.to_csv(tmp_path / "demand.csv", index=False)
    assert main(["init", str(tmp_path)]) == 0
    spec = yaml.safe_load((tmp_path / "opsai.yaml").read_text("utf-8"))["data"]["tables"]
    assert spec["demand"]["columns"] == {"promo": "onpromotion"}
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        got = ws.to_pandas("demand").sort_values(S.TIMESTAMP)[S.PROMO].tolist()
    assert got == pytest.approx([1, 0, np.nan, 0] * 5, nan_ok=True)


def test_an_na_marker_in_a_number_column_reads_as_missing(tmp_path: Path) -> None:
    """byod11b D4: Kaggle's Walmart MarkDown1 writes ``NA`` before markdowns were recorded;
    validation stopped ("22407 value(s) do not parse, e.g. 'NA'") until na_values: [NA] was
    set. In a number column (no number is meant) R's and pandas' markers read as missing; a
    text column keeps them, and any other word still stops validation."""
    frame = _demand(["NA", "0.5", "n/a", " NA ", "#N/A", "1"]).assign(region="NA")
    frame.to_csv(tmp_path / "train.csv", index=False)
    cfg = _config(tmp_path, ".", file="train.csv")
    got = _promo(cfg)
    assert got == pytest.approx([np.nan, 0.5, np.nan, np.nan, np.nan, 1.0], nan_ok=True)
    (tmp_path / "train.csv").write_text(
        (tmp_path / "train.csv").read_text() + "103665,2017-02-01,1,NAN?,NA\n"
    )
    with pytest.raises(SchemaError, match=r"1 value\(s\) do not parse, e.g. 'NAN\?'"):
        _promo(cfg)
