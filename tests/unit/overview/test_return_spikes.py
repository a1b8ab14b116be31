"""A product's month of refunds far above its other months is a finding of 00 and an action
of 07 (byod13b D12: a Taobao seller's earbuds, 70 refunds in 2024-08, 54% of the month's
orders, against 1-8 in every other month, were reported nowhere)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsai import executive as ex
from opsai import overview as ov
from opsai.data import open_workspace
from opsai.executive.actions import RULES, _refund_spike
from opsai.executive.results import OVERVIEW, RunResults

pytestmark = pytest.mark.unit


def _orders(folder: Path) -> Path:
    """Six months of 40 order lines a month for each of two items at 10.00; EAR is refunded
    once a month except April 2024 (20 refunds), MUG twice a month."""
    rows, n = [], 0
    for month in range(1, 7):
        for item, refunds in (("EAR", 20 if month == 4 else 1), ("MUG", 2)):
            for i in range(40):
                n += 1
                day = f"2024-{month:02d}-{i % 28 + 1:02d} 10:00:00"
                rows.append(f"o{n},c{i},{day},{item},10.0")
                if i < refunds:
                    rows.append(f"o{n},c{i},{day},{item},-10.0")
    (folder / "orders.csv").write_text(
        "order_id,user_id,timestamp,item_id,amount\n" + "\n".join(rows) + "\n"
    )
    cfg = folder / "opsai.yaml"
    cfg.write_text(
        yaml.safe_dump(
            {
                "currency": "CNY",
                "data": {"source": ".", "tables": {"orders": {"file": "orders.csv"}}},
            }
        )
    )
    return cfg


def test_a_month_of_refunds_far_above_the_items_others_is_found(tmp_path: Path) -> None:
    with open_workspace(_orders(tmp_path)) as ws:
        spikes = ov.return_spikes(ws)
        summary = ov.returns_summary(ws)
    assert spikes[["item_id", "month", "sold", "refunds"]].to_dict("records") == [
        {"item_id": "EAR", "month": "2024-04", "sold": 40, "refunds": 20}
    ]
    r = spikes.iloc[0]
    # other months: 5 refunds of 200 lines = 2.5%; excess (20 - 0.025 x 40) x 10.00 = 190
    assert (r["rate"], r["rate_other"]) == pytest.approx((0.5, 0.025))
    assert (r["refund_money"], r["excess"]) == pytest.approx((200.0, 190.0))
    assert spikes.attrs["tested"] == 1  # MUG's months hold 2 refunds each: not tested
    ((name, f),) = ov.return_spike_findings(spikes, summary, currency="CNY")
    assert name == "return_spike" and f.severity == "high"  # 190 of 290 refunds
    assert f.text.startswith(
        "Refunds spiked for a product in one month: EAR: 20 refunds (200 CNY) in 2024-04, "
        "50.0% of its 40 lines sold that month, against 2.5% in its other months"
    )
    assert "About 190 CNY of refunds above the items' usual rate" in f.text

    run = RunResults(
        {OVERVIEW: {"status": "ok", "findings": [
            {"name": name, "text": f.text, "severity": f.severity, "evidence": f.evidence}
        ], "tables": {}, "metrics": {}}}
    )  # fmt: skip
    (a,) = _refund_spike(run, {}, ex.Assumptions(), "CNY")
    assert a["action"] == (
        "Find why EAR's refunds spiked in 2024-04 (its batch, listing or courier) and fix it "
        "before it repeats."
    )
    assert (a["low"], a["mid"], a["high"]) == pytest.approx((47.5, 118.75, 190.0))
    assert a["evidence"][0]["href"] == "00_data_overview.html#finding-return_spike"
    assert _refund_spike in RULES


def test_steady_refunds_are_no_spike(tmp_path: Path) -> None:
    """The same orders with April's refunds as every other month's: nothing stands out."""
    cfg = _orders(tmp_path)
    text = (tmp_path / "orders.csv").read_text().splitlines()
    april = [i for i, ln in enumerate(text) if ",2024-04-" in ln and ",EAR,-10.0" in ln]
    keep = set(april[1:])  # one April refund of EAR left
    (tmp_path / "orders.csv").write_text(
        "\n".join(ln for i, ln in enumerate(text) if i not in keep) + "\n"
    )
    with open_workspace(cfg) as ws:
        spikes = ov.return_spikes(ws)
    assert spikes.empty
    assert ov.return_spike_findings(spikes, {}) == []
