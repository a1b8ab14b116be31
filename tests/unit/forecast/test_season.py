"""The yearly season of all demand (byod12a D18)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import TOTAL_ID, yearly_season, yearly_season_finding

pytestmark = pytest.mark.unit


def _hotel(start: str = "2015-07-01", end: str = "2017-09-08") -> pd.DataFrame:
    """Room nights a day: 100 in August, 40 in January, 60 otherwise, July 75."""
    days = pd.date_range(start, end)
    level = {1: 40.0, 7: 75.0, 8: 100.0}
    q = np.array([level.get(d.month, 60.0) for d in days])
    return pd.DataFrame({ITEM_ID: TOTAL_ID, TIMESTAMP: days, QUANTITY: q})


def test_two_summers_name_the_peak_month_and_its_share() -> None:
    """byod12a D18: two summers of hotel data and no page named August's peak."""
    season = yearly_season(_hotel(), freq="D")
    assert (season["peak"], season["second"], season["trough"]) == ("August", "July", "January")
    year = 31 * 100 + 31 * 75 + 31 * 40 + (365 - 93) * 60
    assert season["share"]["August"] == pytest.approx(3100 / year, rel=1e-3)
    assert season["ratio"] == pytest.approx(2.5)
    assert season["years"] == ["2015-07..2016-06", "2016-07..2017-06"]
    assert season["peaks"] == ["August", "August"] and season["stable"]
    f = yearly_season_finding(season, unit="room nights")
    assert f is not None and f.name == "yearly_season"
    assert f.text.startswith(
        f"Demand follows a yearly season: it peaks in August ({3100 / year:.1%} of a year's room "
        "nights, 100.0 a day) and July"
    )
    assert "August or a month beside it was the peak in each of the 2 season years" in f.text
    # under two years of whole months, or no season: nothing said
    assert yearly_season(_hotel(end="2017-05-31"), freq="D") == {}
    flat = _hotel().assign(**{QUANTITY: 60.0})
    assert yearly_season_finding(yearly_season(flat, freq="D")) is None
    assert yearly_season(_hotel(), freq="M") == {}
