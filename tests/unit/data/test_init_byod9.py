"""byod9: export shapes ``opsai init`` and the loader missed: CLINC150's lists of
``[text, intent]`` arrays under train/val/test/oos_*, M5's wide daily sales with a calendar,
gzipped JSON lines (Amazon reviews), JDDC's Q/A chat roles and session labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsai.data import open_workspace
from opsai.data.init import plan_folder
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

_INTENTS = ("play_music", "balance", "lost_luggage", "timezone")


def _clinc(folder: Path) -> None:
    """A CLINC150-shaped data_full.json: 40 train, 8 test, 4 oos_train, 2 oos_test rows."""

    def rows(n: int, oos: bool = False) -> list[list[str]]:
        return [
            [f"question number {i} about {'something else' if oos else _INTENTS[i % 4]}",
             "oos" if oos else _INTENTS[i % 4]]
            for i in range(n)
        ]  # fmt: skip

    doc = {
        "train": rows(40),
        "test": rows(8),
        "oos_train": rows(4, True),
        "oos_test": rows(2, True),
    }
    (folder / "data_full.json").write_text(json.dumps(doc), "utf-8")


def test_lists_of_arrays_are_rows_and_several_lists_one_table(tmp_path: Path) -> None:
    """CLINC150's data_full.json could not be read ("records names 'train', which is not a list
    of objects"); its arrays are now rows (column0, column1, ...), and records takes several
    lists or globs, each row naming its list in the column 'records'."""
    _clinc(tmp_path)
    cols = {"text": "column0", "intent": "column1"}

    def cfg(records: object) -> Path:
        spec = {"file": "data_full.json", "records": records, "columns": cols}
        return write_dataset(tmp_path, {}, {"tickets": spec})

    with open_workspace(cfg("train")) as ws:
        df = ws.to_pandas("tickets")
    assert len(df) == 40 and "records" not in df.columns
    assert df["intent"].value_counts().to_dict() == dict.fromkeys(_INTENTS, 10)
    with open_workspace(cfg(["train", "test", "oos_*"])) as ws:
        df = ws.to_pandas("tickets")
    assert df["records"].value_counts().to_dict() == {
        "train": 40, "test": 8, "oos_train": 4, "oos_test": 2
    }  # fmt: skip
    assert (df.loc[df["records"] == "oos_test", "intent"] == "oos").all()
    assert df["text"].iloc[0] == "question number 0 about play_music"
    with pytest.raises(SchemaError, match=r"records names 'dev', which is not a field"):
        open_workspace(cfg(["train", "dev"]))


def test_init_proposes_every_list_of_a_labelled_set(tmp_path: Path) -> None:
    """init said "data_full.json: fits no table (columns: train, val, test, ...)"; it now
    reads the lists one after another and places the unnamed text and labels on tickets."""
    _clinc(tmp_path)
    plan = plan_folder(tmp_path)
    assert [g.table for g in plan.guesses] == ["tickets"]
    g = plan.guesses[0]
    assert g.spec()["records"] == ["train", "test", "oos_train", "oos_test"]
    assert {m.contract: m.source for m in g.matches} == {"text": "column0", "intent": "column1"}
    assert any("'records' naming each row's list" in n for n in g.notes)
