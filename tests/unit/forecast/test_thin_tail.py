"""An export whose last days thin out (rows still arriving): chapter 04 leaves them out as 00 does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai import forecast as fc
from opsai.data.schema import ITEM_ID, STORE, TIMESTAMP
from opsai.data.workspace import open_workspace
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _demand(tmp_path: Path, *, days: int, share: float, stores: bool = False) -> Path:
    """Three items selling about 60, 40 and 30 a day (Poisson, seed 0) from 2024-01-01 to
    2024-06-30, their last ``days`` days at ``share`` of that (item a at a fifth of it)."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2024-01-01", "2024-06-30")
    frames = []
    for item, rate in (("a", 60), ("b", 40), ("c", 30)):
        y = rng.poisson(rate, len(dates)).astype(float)
        y[-days:] = np.round(y[-days:] * (share / 5 if item == "a" else share))
        frame = pd.DataFrame({"item": item, "day": dates.date, "units": y})
        if stores:  # two stores, each half of the units
            half = frame.assign(units=frame["units"] / 2)
            frame = pd.concat([half.assign(shop="s1"), half.assign(shop="s2")])
        frames.append(frame)
    cols = {"item_id": "item", "timestamp": "day", "quantity": "units"}
    if stores:
        cols["store"] = "shop"
    spec = {"demand": {"file": "demand.csv", "columns": cols}}
    data = pd.concat(frames).to_csv(index=False)
    return write_dataset(tmp_path, {"demand.csv": data}, spec)


def test_a_thinning_tail_is_left_out_of_training_and_shift_findings(tmp_path: Path) -> None:
    """The forecasts started low (97.9 a day against 130) and the last days' "fall" was a
    level-shift finding for every item; chapter 00 already left those days out of its trend."""
    from opsai.data.tail import thin_tail
    from opsai.overview import measures

    assert measures.thin_tail is thin_tail  # one rule, both chapters
    with open_workspace(_demand(tmp_path, days=10, share=0.5, stores=True)) as ws:
        tail = fc.thin_tail_period(ws)
        hs = fc.build_series(ws, freq="D")
        by_store = fc.store_demand(ws, freq="D")
        weekly = fc.thin_tail_period(ws, freq="W")
    assert tail is not None and weekly is not None
    assert (tail["from"], tail["to"], tail["days"], tail["cut"]) == (
        "2024-06-21", "2024-06-30", 10, "2024-06-21")  # fmt: skip
    assert weekly["cut"] == "2024-06-17"  # the Monday of the week holding the first thin day
    cut, stores = fc.drop_thin_tail(hs, tail, stores=by_store)
    assert cut.df[TIMESTAMP].max() == pd.Timestamp("2024-06-20")
    assert stores is not None and stores[TIMESTAMP].max() == pd.Timestamp("2024-06-20")
    assert stores.attrs["end"] == pd.Timestamp("2024-06-20") and set(stores[STORE]) == {"s1", "s2"}

    def level(series: fc.HierarchicalSeries) -> float:
        f = fc.WindowAverage(window=28).fit(series.df).predict(7)
        return float(f.loc[f[ITEM_ID] == fc.TOTAL_ID, "WindowAverage"].iloc[0])

    assert level(hs) == pytest.approx(97.89, abs=0.01)  # before: the thin days pull it down
    assert level(cut) == pytest.approx(129.79, abs=0.01)  # after: the three items' 60+40+30
    before = fc.level_shifts(hs.df, freq="D", ids=hs.tags["item"])
    assert sorted(before.index) == ["a", "b", "c"] and (before["change"] < -0.3).all()
    after = fc.level_shifts(cut.df, freq="D", ids=cut.tags["item"])
    assert after.empty
    f = fc.level_shift_finding(after, freq="D")
    assert f is not None and f.evidence["series"] == [] and "fell" not in f.text
    said = fc.thin_tail_finding(tail)
    assert said is not None and said.name == "thin_tail"
    assert said.text.startswith(
        "The last 10 days (2024-06-21 to 2024-06-30), still filling in the export, are left "
        "out: 42.2 units a day against 130.8 before on the same weekdays"
    )
    assert fc.thin_tail_finding(None) is None


def test_a_fall_longer_than_the_rule_allows_is_kept(tmp_path: Path) -> None:
    """20 days at 40% of the usual is a real fall (over THIN_MAX days): nothing is cut and the
    shift finding names it."""
    from opsai.data.tail import THIN_MAX

    assert THIN_MAX == 14
    with open_workspace(_demand(tmp_path, days=20, share=0.4)) as ws:
        assert fc.thin_tail_period(ws) is None
        hs = fc.build_series(ws, freq="D")
    shifts = fc.level_shifts(hs.df, freq="D", ids=hs.tags["item"])
    assert "a" in shifts.index and float(shifts.loc["a", "change"]) < -0.5
