"""``opsai init`` places campaign targeting as ``campaigns`` (byod10a D5): Dunnhumby's
campaign_table.csv with its windows joined from campaign_desc.csv, in the orders' day numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config
from tests.unit.data.test_campaigns_table import write_folder

pytestmark = pytest.mark.unit


def test_dunnhumby_targeting_is_placed_with_the_campaign_file_joined(tmp_path: Path) -> None:
    write_folder(tmp_path)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["orders", "campaigns"]
    assert not [u for u in plan.unplaced if u[0].startswith("campaign_")]
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert tables["campaigns"] == {
        "file": "campaign_table.csv",
        "join": [{"file": "campaign_desc.csv", "on": "CAMPAIGN"}],
        "timestamp_format": tables["orders"]["timestamp_format"],  # the orders' day numbers
        "columns": {"user_id": "household_key", "campaign": "CAMPAIGN", "start": "START_DAY",
                    "end": "END_DAY", "type": "DESCRIPTION"},
    }  # fmt: skip
    with open_workspace(path) as ws:
        c = ws.to_pandas("campaigns")
    eight = c[c.campaign == "8"]
    assert len(eight) == 3 and set(eight["type"]) == {"TypeA"}
    assert (eight["start"].iloc[0], eight["end"].iloc[0]) == (
        pd.Timestamp("2024-01-30"),  # day 30 of 'days since 2023-12-31'
        pd.Timestamp("2024-02-09"),
    )


def test_targeting_with_its_own_dates_needs_no_join(tmp_path: Path) -> None:
    write_folder(tmp_path)
    (tmp_path / "campaign_desc.csv").unlink()
    rows = [(h, "spring", "2024-01-20", "2024-01-31") for h in (1, 2, 3)]
    pd.DataFrame(rows, columns=["customer_id", "campaign_id", "start_date", "end_date"]).to_csv(
        tmp_path / "campaign_table.csv", index=False
    )
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["campaigns"]
    assert "join" not in spec and spec["columns"]["start"] == "start_date"
    with open_workspace(path) as ws:
        c = ws.to_pandas("campaigns")
    assert set(c["end"]) == {pd.Timestamp("2024-01-31")}


def test_targeting_without_windows_is_named_not_placed(tmp_path: Path) -> None:
    write_folder(tmp_path)
    (tmp_path / "campaign_desc.csv").unlink()
    _, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert "campaigns" not in [g.table for g in plan.guesses]
    (why,) = [w for label, w in plan.unplaced if label == "campaign_table.csv"]
    assert why.endswith(
        "it looks like campaign targeting ('household_key' and 'CAMPAIGN') but no file gives the "
        "campaigns' start and end: add data.tables.campaigns with start and end (see the README's "
        "data contract)"
    )


def test_a_campaign_file_keyed_by_another_name_is_joined_by_it(tmp_path: Path) -> None:
    write_folder(tmp_path)
    pd.DataFrame(
        [(h, c) for h, c in ((1, "A"), (2, "A"), (3, "B"), (4, "B"))],
        columns=["household_key", "campaign_id"],
    ).to_csv(tmp_path / "campaign_table.csv", index=False)
    pd.DataFrame(
        [("A", "2024-01-20", "2024-01-31"), ("B", "2024-02-01", "2024-02-10")],
        columns=["campaign_code", "start_date", "end_date"],
    ).to_csv(tmp_path / "campaign_desc.csv", index=False)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    # each household in one campaign: its key is unique, yet the file is no users table
    assert [g.table for g in plan.guesses] == ["orders", "campaigns"]
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["campaigns"]
    assert spec["join"] == [{"file": "campaign_desc.csv", "on": {"campaign_id": "campaign_code"}}]
    with open_workspace(path) as ws:
        c = ws.to_pandas("campaigns").sort_values("user_id")
    assert list(c["start"].dt.day) == [20, 20, 1, 1]
