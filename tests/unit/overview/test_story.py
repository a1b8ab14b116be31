"""Overview findings written from hand-built numbers."""

from __future__ import annotations

import pytest

from opsai.overview.story import activity_finding

pytestmark = pytest.mark.unit

CHANGE = {"enough_history": True, "days": 28, "end": "2024-12-31", "revenue": 11738.4,
          "revenue_change": -0.05, "orders": 412.0}  # fmt: skip


def test_activity_finding_writes_revenue_in_the_currency() -> None:
    f = activity_finding(CHANGE, currency="CNY")
    assert f.text == (
        "Over the last 28 days (to 2024-12-31) revenue was 11,738 CNY (-5.0% on the 28 days "
        "before), 412 orders."
    )
    assert "revenue was 11,738 (-5.0%" in activity_finding(CHANGE).text  # unit not known


def test_an_activity_finding_says_the_change_its_severity_comes_from() -> None:
    """Events only (a game): 'high' on a sentence that gave no change at all."""
    events = {"enough_history": True, "days": 28, "end": "2025-12-01", "active_users": 191.0,
              "active_users_change": -0.283}  # fmt: skip
    f = activity_finding(events)
    assert f.severity == "high"
    assert f.text == (
        "Over the last 28 days (to 2025-12-01) 191 daily active users on average (-28.3% on "
        "the 28 days before)."
    )
    both = activity_finding(CHANGE | {"active_users": 50.0, "active_users_change": -0.3})
    assert "(-5.0% on the 28 days before), 412 orders, 50 daily active users on average." in (
        both.text
    )


def test_the_same_days_a_year_before_are_compared_and_set_the_severity() -> None:
    """byod13a D7: a bike hire's December read "26,044 units were sold (-15.0% on the 28
    days before)", severity medium, though the same 28 days a year before had 15,862
    (+64.2%): the season's slide. With two years of days both changes are said, and the
    severity reads the year-on-year one."""
    import pandas as pd

    from opsai.overview.measures import recent_change

    dates = pd.date_range("2011-01-01", "2012-12-31", name="date")
    units = [100.0 if d.year == 2011 else 120.0 if d.month == 12 else 150.0 for d in dates]
    daily = pd.DataFrame({"date": dates, "units": units})
    change = recent_change(daily)
    # Dec 4-31: 28 x 120 = 3,360; Nov 6 - Dec 3: 25 x 150 + 3 x 120 = 4,110; a year before 2,800
    assert change["units_change"] == pytest.approx(3360 / 4110 - 1)  # -18.2%
    assert change["year_before"] == {"from": "2011-12-04", "to": "2011-12-31"}
    assert change["units_yoy"] == pytest.approx(3360 / 2800 - 1)  # +20%
    f = activity_finding(change)
    assert f.severity == "info"  # "medium" on the -18.2%
    assert f.text == (
        "Over the last 28 days (to 2012-12-31) 3,360 units were sold (-18.2% on the 28 days "
        "before). Against the same 28 days a year before, 2011-12-04 to 2011-12-31: units "
        "+20.0%. The change on the 28 days before goes the other way: it can be the "
        "season's, which the same days a year before leave out."
    )
    assert activity_finding(change | {"units_yoy": -0.25}).severity == "high"
    later = recent_change(daily[daily["date"] >= "2011-12-05"].reset_index(drop=True))
    assert "units_yoy" not in later and "year_before" not in later  # a day short of the year
    assert activity_finding(later).severity == "medium"


def test_monthly_totals_compare_the_same_month_a_year_before() -> None:
    import pandas as pd

    from opsai.overview.measures import recent_change

    starts = pd.date_range("2018-01-01", "2019-09-01", freq="MS")
    totals = {d: 100.0 + 10 * (d.year == 2019) + 5 * (d.month == 8) for d in starts}
    days = pd.date_range(starts[0], "2019-09-30", name="date")
    daily = pd.DataFrame({"date": days, "units": [totals.get(d, 0.0) for d in days]})
    daily.attrs["periods"] = {"freq": "M", "dates": [f"{d:%Y-%m-%d}" for d in starts]}
    change = recent_change(daily)
    assert change["units_change"] == pytest.approx(110 / 115 - 1)  # on August's 115
    assert change["units_yoy"] == pytest.approx(110 / 100 - 1)  # on 2018-09's 100
    assert change["compared_year"] == "2018-09, a year before"
    assert "Against 2018-09, a year before: units +10.0%." in activity_finding(change).text
