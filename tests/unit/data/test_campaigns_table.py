"""The ``campaigns`` contract table (byod10a D5): Dunnhumby's targeting file (one row per
household and campaign) with its windows joined from the campaign file, in day numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.errors import SchemaError

pytestmark = pytest.mark.unit

CAMPAIGNS = {
    "file": "campaign_table.csv",
    "join": {"file": "campaign_desc.csv", "on": "CAMPAIGN"},
    "timestamp_format": "days since 2023-12-31",
    "columns": {
        "user_id": "household_key",
        "campaign": "CAMPAIGN",
        "type": "DESCRIPTION",
        "start": "START_DAY",
        "end": "END_DAY",
    },
}


def write_folder(folder: Path, desc: list[tuple[str, int, int, int]] | None = None) -> None:
    """Transactions of households 1..6 over days 1..60, households 1-3 in campaign 8 and
    households 3-4 in campaign 13 (household 3 in both), household 99 in campaign 13 only."""
    tx = pd.DataFrame(
        [(h, d, f"b{h}-{d}", 2.0) for h in range(1, 7) for d in range(1, 61, 3)],
        columns=["household_key", "DAY", "BASKET_ID", "SALES_VALUE"],
    )
    tx.to_csv(folder / "transaction_data.csv", index=False)
    table = [("TypeA", h, 8) for h in (1, 2, 3)] + [("TypeB", h, 13) for h in (3, 4, 99)]
    pd.DataFrame(table, columns=["DESCRIPTION", "household_key", "CAMPAIGN"]).to_csv(
        folder / "campaign_table.csv", index=False
    )
    desc = desc or [("TypeA", 8, 30, 40), ("TypeB", 13, 10, 20)]
    pd.DataFrame(desc, columns=["DESCRIPTION", "CAMPAIGN", "START_DAY", "END_DAY"]).to_csv(
        folder / "campaign_desc.csv", index=False
    )


def config(folder: Path, **campaigns: Any) -> Path:
    orders = {
        "file": "transaction_data.csv",
        "timestamp_format": "days since 2023-12-31",
        "columns": {
            "user_id": "household_key",
            "timestamp": "DAY",
            "order_id": "BASKET_ID",
            "amount": "SALES_VALUE",
        },
    }
    spec = {k: v for k, v in {**CAMPAIGNS, **campaigns}.items() if v is not None}
    tables = {"orders": orders, "campaigns": spec}
    cfg = folder / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": str(folder), "tables": tables}}))
    return cfg


def test_one_row_per_household_and_campaign_with_windows_from_the_campaign_file(
    tmp_path: Path,
) -> None:
    write_folder(tmp_path)
    with open_workspace(config(tmp_path)) as ws:
        c = ws.to_pandas("campaigns").sort_values(["campaign", "user_id"])
        said = [w.message for w in ws.warnings if w.table == "campaigns"]
    assert len(c) == 6  # household 3 is in both campaigns: two rows
    assert c.groupby("campaign").user_id.apply(list).to_dict() == {
        "13": ["3", "4", "99"],
        "8": ["1", "2", "3"],
    }
    eight = c[c.campaign == "8"].iloc[0]
    assert (eight["start"], eight["end"]) == (
        pd.Timestamp("2024-01-30"),
        pd.Timestamp("2024-02-09"),
    )
    assert eight["type"] == "TypeA"
    assert said == [  # household 99 never bought: no orphan id (the overview's orphan_ids)
        "1 targeted id(s) have no orders: customers who never bought (or ids written unlike the "
        "orders'), left out of 03a's campaign uplift"
    ]


def test_a_campaign_ending_before_it_starts_is_an_error_naming_it(tmp_path: Path) -> None:
    write_folder(tmp_path, desc=[("TypeA", 8, 40, 30), ("TypeB", 13, 10, 20)])
    with pytest.raises(
        SchemaError, match=r"campaigns: 3 row\(s\) end before they start \(e\.g\. campaign '8'"
    ):
        open_workspace(config(tmp_path))


def test_a_campaign_with_two_windows_is_an_error(tmp_path: Path) -> None:
    write_folder(tmp_path)
    t = pd.read_csv(tmp_path / "campaign_table.csv")
    t.assign(START_DAY=[30, 30, 31, 10, 10, 10], END_DAY=40).to_csv(
        tmp_path / "campaign_table.csv", index=False
    )
    cfg = config(tmp_path, join=None)
    with pytest.raises(SchemaError, match=r"1 campaign\(s\) have more than one start/end .*'8'"):
        open_workspace(cfg)


def test_start_and_end_are_required(tmp_path: Path) -> None:
    write_folder(tmp_path)
    cols = {"user_id": "household_key", "campaign": "CAMPAIGN"}
    with pytest.raises(SchemaError, match=r"campaigns.*start"):
        open_workspace(config(tmp_path, join=None, columns=cols))
