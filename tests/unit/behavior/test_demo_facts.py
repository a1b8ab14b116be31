"""On the tiny demo company, the chapter's findings surface the planted behaviour facts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsai.behavior import findings
from opsai.behavior.churn import inactivity_by
from opsai.behavior.funnels import funnel
from opsai.behavior.segments import rfm
from opsai.data import open_workspace

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from opsai.data.demo import make_demo

    return make_demo(tmp_path_factory.mktemp("demo") / "northwind", scale="tiny", seed=0)


def test_findings_match_ground_truth(demo: Path) -> None:
    facts = {f["id"]: f for f in json.loads((demo / "ground_truth.json").read_text())["facts"]}
    with open_workspace(demo / "opsai.yaml") as ws:
        ev, users = ws.table("events"), ws.to_pandas("users")
        dev = findings.funnel_gap(
            funnel(ev, unit="session", breakdown="device"), breakdown="device"
        )
        chan = findings.funnel_gap(
            funnel(ev, unit="session", breakdown="channel"), breakdown="channel"
        )
        churn = findings.churn_gap(
            inactivity_by(ev, users, attribute="channel"), attribute="channel"
        )
        rev = findings.revenue_concentration(rfm(ws.table("orders")), users=users)
    mob = facts["mobile_checkout_conversion"]
    assert dev is not None and dev.evidence["worst"] == mob["device"]
    assert dev.evidence["step"] == mob["step"]
    assert dev.evidence["worst_rate"] == pytest.approx(mob["conversion"]["mobile"], abs=0.01)
    cart = facts["cart_rate_by_channel"]
    assert chan is not None and chan.evidence["step"] == cart["step"]
    assert (chan.evidence["worst"], chan.evidence["best"]) == (cart["worst"], cart["best"])
    ch = facts["churn_by_channel"]
    assert churn is not None and churn.evidence["value"] == ch["channel"]
    assert churn.evidence["ratio"] == pytest.approx(ch["ratio"], abs=0.05)
    top = facts["top_segment_revenue"]
    assert rev.evidence["revenue_share"] == pytest.approx(top["revenue_share"], abs=0.01)
    assert top["over_index"]["attribute"] in rev.evidence["over_index"]


def test_the_label_rule_keeps_the_demos_planted_churn_driver(demo: Path) -> None:
    """channel=social churns 2x as often by construction: a strong driver, not the label.
    Neither it nor any other demo attribute nearly determines the training label or restates
    the order history, and the
    demo's orders carry no per-customer constant beyond the users table's own columns."""
    from opsai.behavior.attributes import (
        order_attributes,
        outcome_attributes,
        restated_attributes,
    )
    from opsai.behavior.churn import usable_horizon

    with open_workspace(demo / "opsai.yaml") as ws:
        orders, users = ws.table("orders"), ws.to_pandas("users")
        same, lifted = order_attributes(orders, ws.table("events"), users)
        horizon = usable_horizon(orders, 90)
        left = outcome_attributes(orders, users, horizon_days=horizon)
        restated = restated_attributes(orders, users, horizon_days=horizon)
    assert lifted == {} and same is users
    assert left == {} and "channel" in users.columns
    assert restated == {}  # age and signup_at do not restate the order history
