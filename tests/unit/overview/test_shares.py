"""00's growing share of the orders by an attribute: a region whose share rises quarter by
quarter is named with its intervals (byod13b D13: 四川省 9.0% -> 24.6%), flat ones are not."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from opsai.data import open_workspace
from opsai.overview import attribute_shares, share_finding, share_table
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _orders(grow: bool) -> str:
    rng = random.Random(1)
    rows, n = ["order_id,user_id,timestamp,amount,region,note"], 0
    for q, sichuan in enumerate([0.09, 0.16, 0.21, 0.25] if grow else [0.15] * 4):
        for _ in range(800):
            n += 1
            region = (
                "四川省" if rng.random() < sichuan else rng.choice(["广东省", "浙江省", "江苏省"])
            )
            day = f"2024-{3 * q + 1 + rng.randint(0, 2):02d}-{rng.randint(1, 28):02d}"
            rows.append(
                f"o{n},u{rng.randint(1, 300)},{day} 10:00:00,10,{region},{rng.choice('ab')}"
            )
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("grow", [True, False])
def test_a_growing_region_is_named_and_flat_ones_are_not(tmp_path: Path, grow: bool) -> None:
    cols = {"order_id": "order_id", "user_id": "user_id", "timestamp": "timestamp",
            "amount": "amount"}  # fmt: skip
    cfg = write_dataset(tmp_path, {"orders.csv": _orders(grow)}, {"orders": {"columns": cols}})
    with open_workspace(cfg) as ws:
        shares = attribute_shares(ws)
    assert set(shares["attribute"]) == {"region", "note"}
    assert list(dict.fromkeys(shares["period"])) == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert shares.groupby(["attribute", "period"])["share"].sum().round(6).eq(1).all()
    f = share_finding(shares)
    if not grow:
        assert f is None
        return
    assert f is not None and f.name == "growing_share"
    (e,) = f.evidence["grew"]
    assert (e["attribute"], e["value"], e["first"], e["last"]) == (
        "region",
        "四川省",
        "2024Q1",
        "2024Q4",
    )
    assert 0.06 < e["share_first"] < 0.12 and 0.21 < e["share_last"] < 0.29
    assert e["others_grew"] == [] and f.text.startswith(
        "Growing share of the orders: region 四川省 rose"
    )
    assert "95% CI" in f.text
    wide = share_table(shares)
    assert list(wide.columns) == ["attribute", "value", "2024Q1", "2024Q2", "2024Q3", "2024Q4"]
