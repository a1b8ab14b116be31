"""Items launched after the data's start (byod12a D22)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import new_items, new_items_finding

pytestmark = pytest.mark.unit

DAYS = pd.date_range("2023-01-01", "2023-06-30")


def _history() -> pd.DataFrame:
    """Four items of 20 a day from the start; item 17 from 2023-03-15 at 20 a day; item 9
    sells 3 units every 10th day from day 35 (a slow seller, no launch)."""
    frames = [pd.DataFrame({ITEM_ID: str(k), TIMESTAMP: DAYS, QUANTITY: 20.0}) for k in range(4)]
    late = DAYS[DAYS >= "2023-03-15"]
    frames.append(pd.DataFrame({ITEM_ID: "17", TIMESTAMP: late, QUANTITY: 20.0}))
    slow = DAYS[35::10]
    frames.append(pd.DataFrame({ITEM_ID: "9", TIMESTAMP: slow, QUANTITY: 3.0}))
    return pd.concat(frames, ignore_index=True)


def test_an_item_launched_mid_period_is_named_with_its_rate_and_share() -> None:
    """byod12a D22: Pumpkin Spice Latte Rg first sold on 2023-03-15 (2,161 units since) and
    no page said it was new."""
    new = new_items(_history(), freq="D")
    assert list(new.index) == ["17"] and new.attrs["tested"] == 6
    r = new.loc["17"]
    assert r["first_sale"] == pd.Timestamp("2023-03-15") and r["periods"] == 108
    assert r["units"] == 20.0 * 108 and r["rate"] == pytest.approx(20.0)
    slow = 3.0 * len([d for d in DAYS[35::10] if d >= pd.Timestamp("2023-03-15")])
    assert r["share"] == pytest.approx(20.0 * 108 / (5 * 20.0 * 108 + slow))
    f = new_items_finding(new, freq="D", titles={"17": "Pumpkin Spice Latte Rg"})
    assert f is not None and f.name == "new_items" and f.evidence["first_sale"] == ["2023-03-15"]
    assert f.text.startswith(
        "1 item(s) first sold well after the data's start (2023-01-01): item 17 (Pumpkin Spice "
        "Latte Rg) since 2023-03-15 (2,160 units, 20.0 a day, 19.9% of all items' units since)"
    )
    # an item from the start, or one launched within the first four weeks: nothing new
    assert new_items(_history(), freq="D", ids=["0", "1", "9"]).empty
    assert new_items_finding(new_items(_history()[lambda d: d[ITEM_ID] != "17"], freq="D"),
                             freq="D") is None  # fmt: skip
    early = _history().assign(**{TIMESTAMP: lambda d: d[TIMESTAMP].where(
        d[ITEM_ID] != "17", d[TIMESTAMP] - pd.Timedelta(days=60))})  # fmt: skip
    assert new_items(early, freq="D").empty  # first sale on day 13: under MIN_GAP
    assert np.isfinite(new.loc["17", "sold_share"])
