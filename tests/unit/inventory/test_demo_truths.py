"""On the tiny demo company, the planted stock-out and overstock items are alerted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsai.data.demo import make_demo
from opsai.data.schema import ITEM_ID
from opsai.data.workspace import open_workspace
from opsai.forecast import Theta, build_series
from opsai.inventory import overstock_alerts, policy_table, purchase_plan, stockout_alerts

pytestmark = pytest.mark.unit


def test_planted_items_are_alerted(tmp_path: Path) -> None:
    folder = make_demo(tmp_path / "demo", scale="tiny", seed=0)
    truth = json.loads((folder / "ground_truth.json").read_text())
    facts = {f["id"]: f for f in truth["facts"]}
    with open_workspace(folder / "opsai.yaml") as ws:
        items = build_series(ws, freq="D", levels=("item",)).bottom
        inventory = ws.to_pandas("inventory")
    fc = Theta(season_length=7, conformal_windows=10).fit(items).predict(60, level=[95])
    policy = policy_table(fc, inventory, model="Theta")
    stockouts = [a.evidence[ITEM_ID] for a in stockout_alerts(policy)]
    overstocks = [a.evidence[ITEM_ID] for a in overstock_alerts(policy, weeks=26)]
    assert facts["stockout_item"]["item_id"] in stockouts
    assert facts["overstock_item"]["item_id"] in overstocks
    plan = purchase_plan(policy, fc, model="Theta").set_index(ITEM_ID)
    assert plan.loc[facts["stockout_item"]["item_id"], "action"] == "order now"
