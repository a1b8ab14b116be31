"""Customer-service figures stay legible on many intents and lose no ticket."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.service.analytics import volume_by_intent
from opsai.service.plots import volume_figure

pytestmark = pytest.mark.unit


def test_volume_figure_groups_the_long_tail_of_intents() -> None:
    rng = np.random.default_rng(0)
    p = rng.lognormal(0, 1.0, 77)
    rows = [
        {"timestamp": pd.Timestamp(2024, m, 3), "intent": f"intent_{i:02d}"}
        for m in range(1, 13)
        for i, c in enumerate(rng.multinomial(275, p / p.sum()))
        for _ in range(c)
    ]
    vol = volume_by_intent(pd.DataFrame(rows))
    totals = vol.groupby("intent")["tickets"].sum().sort_values(ascending=False)
    rare = totals.index[-1]
    spikes = pd.DataFrame({"period": ["2024-05"], "intent": [rare]})
    fig = volume_figure(vol, spikes)
    bars = [t for t in fig.data if t.type == "bar"]
    names = [t.name for t in bars]
    assert len(bars) == 11  # the 9 largest, the spiked rare intent, the rest as one bar
    assert set(names) == set(totals.index[:9]) | {rare, "67 other intents"}
    stacked = sum(np.asarray(t.y, dtype=float) for t in bars)
    np.testing.assert_array_equal(stacked, vol.groupby("period")["tickets"].sum().to_numpy())


def test_volume_figure_keeps_every_intent_when_few() -> None:
    vol = volume_by_intent(
        pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-02"] * 3), "intent": ["a", "b", "c"]})
    )
    assert [t.name for t in volume_figure(vol).data] == ["a", "b", "c"]
