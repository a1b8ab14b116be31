"""Item ids equal once letter case and Unicode forms are ignored (byod10a D14)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.overview import quality_findings
from opsai.overview.measures import validation_warnings
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _plays(folder: Path, lower: bool = False) -> Path:
    """Plays of 'Beyoncé'/'beyoncé', 'Björk'/'björk'/'BJÖRK' and a full-width 'ＡＢＢＡ' next
    to 'ABBA' (Last.fm's artist names, as listeners tagged them), and two plain artists."""
    names = ["Beyoncé", "beyoncé", "Björk", "björk", "BJÖRK", "ＡＢＢＡ", "ABBA", "Air", "Muse"]
    rows = "user_id,item_id,timestamp,event\n" + "".join(
        f"u{i},{n},2024-01-{i + 1:02d},play\n" for i, n in enumerate(names)
    )
    spec: dict[str, object] = {"lowercase_ids": True} if lower else {}
    return write_dataset(folder, {"events.csv": rows}, {"events": spec})


def test_item_ids_differing_only_in_case_are_named_in_validation_and_the_overview(
    tmp_path: Path,
) -> None:
    """byod10a D14: Last.fm's 429 artist names were 420 once case-folded; 03b recommended
    'Beyoncé' to a listener of 'beyoncé' and nothing said so."""
    with open_workspace(_plays(tmp_path)) as ws:
        said = [w for w in ws.warnings if w.column == "item_id"]
        frame = validation_warnings(ws)
    assert len(said) == 1 and said[0].table == "events" and said[0].count == 4
    assert said[0].message.startswith(
        "item ids that differ only in letter case (or in Unicode form): 3 item(s) are written "
        "7 ways, e.g. 'ABBA' and 'ＡＢＢＡ'; 'Beyoncé' and 'beyoncé'; 'BJÖRK' and 'Björk' and "
        "'björk'."
    )
    assert "set lowercase_ids: true on every table with item ids" in said[0].message
    empty = pd.DataFrame(columns=["a"])
    found = dict(quality_findings(empty, pd.DataFrame({"duplicates": []}), frame, empty, empty))
    f = found["case_ids"]
    assert f.severity == "low" and f.evidence == {"ids": 4, "table": "events"}
    assert f.text.startswith(
        "Some item ids differ from another only in letter case or Unicode form (events.item_id): "
        "3 item(s) are written 7 ways, e.g. 'ABBA' and 'ＡＢＢＡ';"
    )
    assert "orphan_ids" not in found
    # lowercase_ids reads item ids in lower case too: only the full-width spelling is left
    with open_workspace(_plays(tmp_path / "lower", lower=True)) as ws:
        (w,) = [w for w in ws.warnings if w.column == "item_id"]
        assert ws.table("events").item_id.nunique().to_pandas() == 6
    assert w.count == 1 and "1 item(s) are written 2 ways, e.g. 'abba' and 'ａｂｂａ'." in w.message
