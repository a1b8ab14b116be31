"""Retention matrix, N-day curve and lifecycle on a hand-made order log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.behavior.findings import retention_summary
from opsai.behavior.retention import (
    cohort_matrix,
    last_complete_period,
    lifecycle,
    period_start,
    retention_curve,
)
from opsai.errors import ConfigError

pytestmark = pytest.mark.unit


@pytest.fixture
def orders() -> pd.DataFrame:
    # a: Jan, Feb, Apr   b: Jan, Mar   c: Feb   d: Apr (the data covers all of April)
    return pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "b", "b", "c", "d"],
            "timestamp": pd.to_datetime(
                [
                    "2024-01-05",
                    "2024-02-10",
                    "2024-04-01",
                    "2024-01-20",
                    "2024-03-03",
                    "2024-02-01",
                    "2024-04-30",
                ]
            ),
        }
    )


def test_monthly_cohort_matrix_cells(orders: pd.DataFrame) -> None:
    m = cohort_matrix(orders, period="month")
    assert list(m.index) == list(pd.to_datetime(["2024-01-01", "2024-02-01", "2024-04-01"]))
    assert m["size"].tolist() == [2, 1, 1]
    assert m.loc["2024-01-01", [0, 1, 2, 3]].tolist() == [1.0, 0.5, 0.5, 0.5]
    feb = m.loc["2024-02-01", [0, 1, 2, 3]].tolist()
    assert feb[:3] == [1.0, 0.0, 0.0] and np.isnan(feb[3])  # age 3 is after the data ends
    assert m.loc["2024-04-01", 0] == 1.0 and np.isnan(m.loc["2024-04-01", 1])


def test_signup_cohorts_and_weeks(orders: pd.DataFrame) -> None:
    users = pd.DataFrame(
        {"user_id": ["a", "b", "c", "d"],
         "signup_at": pd.to_datetime(["2023-12-20", "2024-01-02", "2024-01-30", None])}
    )  # fmt: skip
    m = cohort_matrix(orders, period="month", cohort_by="signup", users=users, max_age=4)
    assert m["size"].tolist() == [1, 2]  # Dec: a; Jan: b, c (d has no signup date)
    dec = m.loc["2023-12-01", [0, 1, 2, 3, 4]].tolist()  # December is before the data starts
    assert np.isnan(dec[0]) and dec[1:] == [1.0, 1.0, 0.0, 1.0]
    assert m.loc["2024-01-01", [0, 1, 2]].tolist() == [0.5, 0.5, 0.5]
    w = cohort_matrix(orders, period="week", max_age=2)
    assert w.index[0] == pd.Timestamp("2024-01-01")  # weeks start on Monday
    assert w.loc["2024-01-01", [0, 1, 2]].tolist() == [1.0, 0.0, 0.0]
    with pytest.raises(ConfigError, match="users"):
        cohort_matrix(orders, cohort_by="signup")


def test_lifecycle_counts(orders: pd.DataFrame) -> None:
    lc = lifecycle(orders, period="month").set_index("period")
    want = {  # new, returning, resurrected, dormant
        "2024-01-01": [2, 0, 0, 0],
        "2024-02-01": [1, 1, 0, 1],  # a returns, c new, b goes dormant
        "2024-03-01": [0, 0, 1, 2],  # b resurrected, a and c dormant
        "2024-04-01": [1, 0, 1, 1],  # d new, a resurrected, b dormant
    }
    for p, row in want.items():
        assert lc.loc[p, ["new", "returning", "resurrected", "dormant"]].tolist() == row
    assert lc["active"].tolist() == [2, 2, 1, 2]


def test_a_period_the_data_covers_partly_is_left_out(orders: pd.DataFrame) -> None:
    # exported on 10 May: a (Jan, Feb, Apr) and d (Apr) come back in May's first days, b
    # and c do not; May is a third over, so its counts would say most of April went dormant
    cut = pd.concat(
        [orders, pd.DataFrame({"user_id": ["a"], "timestamp": [pd.Timestamp("2024-05-10 09:00")]})]
    )
    assert last_complete_period(cut, period="month") == pd.Timestamp("2024-04-01")
    assert last_complete_period(orders, period="month") == pd.Timestamp("2024-04-01")
    assert last_complete_period(cut, period="week") == pd.Timestamp("2024-04-29")  # Fri 10 May
    lc = lifecycle(cut, period="month")
    assert lc["period"].max() == pd.Timestamp("2024-04-01")  # not May: 1 active, 1 dormant
    assert lc.set_index("period").loc["2024-04-01", ["active", "dormant"]].tolist() == [2, 1]
    m = cohort_matrix(cut, period="month")
    assert m.loc["2024-01-01", [0, 1, 2, 3]].tolist() == [1.0, 0.5, 0.5, 0.5]
    assert list(m.columns) == ["size", 0, 1, 2, 3]  # no age 4 (May, not over): not 0.5
    assert list(m.index)[-1] == pd.Timestamp("2024-04-01")
    f = retention_summary(m, lc, period="month")
    assert "in the latest full month (2024-04) 2 users came (new or back) and 1 went" in f.text


def test_retention_summary_of_histories_shorter_than_two_periods(orders: pd.DataFrame) -> None:
    # 1 March to 20 March: no whole month (it said 'On average nan% ...' or failed)
    march = orders.assign(
        timestamp=pd.Timestamp("2024-03-01") + pd.to_timedelta(range(7), unit="D") * 3
    )
    m, lc = cohort_matrix(march, period="month"), lifecycle(march, period="month")
    assert m.empty and lc.empty
    f = retention_summary(m, lc, period="month")
    assert f.text.startswith("The data does not cover a whole month yet")
    assert f.evidence["next_period_retention"] is None
    # one whole month: nobody can have come back a month later yet
    april = pd.concat([march, march.assign(timestamp=pd.Timestamp("2024-04-02"))])
    m, lc = cohort_matrix(april, period="month"), lifecycle(april, period="month")
    f = retention_summary(m, lc, period="month")
    assert f.text.startswith("No cohort has been followed for a whole month after its first yet;")
    assert "latest full month (2024-03) 4 users came" in f.text


def test_n_day_curve_censors_recent_users() -> None:
    o = pd.DataFrame(
        {"user_id": ["a", "a", "b", "b", "c"],
         "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-04",
                                      "2024-01-04 10:00:00"], format="ISO8601")}
    )  # fmt: skip
    c = retention_curve(o, days=3).set_index("day")
    assert c["active"].tolist() == [3, 0, 2, 0]
    # data ends 01-04: c has 0 days of room, b 2, a 3
    assert c["eligible"].tolist() == [3, 2, 2, 1]
    assert c["retention"].tolist() == pytest.approx([1.0, 0.0, 1.0, 0.0])


def test_period_start_round_trip() -> None:
    assert period_start([24289], "month")[0] == pd.Timestamp("2024-02-01")  # 2024*12 + 1
    assert period_start([0], "week")[0] == pd.Timestamp("1970-01-05")


def test_a_refund_is_no_visit() -> None:
    """Activity read from orders leaves out returns: user a bought in January and got the money
    back in February; that makes a dormant in February, not 'returning'."""
    from opsai.behavior import lifecycle, without_returns

    o = pd.DataFrame(
        {
            "user_id": ["a", "b", "a", "b", "b"],
            "timestamp": pd.to_datetime(
                ["2024-01-05", "2024-01-06", "2024-02-10", "2024-02-11", "2024-03-31"]
            ),
            "amount": [10.0, 5.0, -10.0, 7.0, 3.0],
        }
    )
    raw = lifecycle(o, period="month").set_index("period")
    kept = lifecycle(without_returns(o), period="month").set_index("period")
    feb = pd.Timestamp("2024-02-01")
    assert (raw.loc[feb, "returning"], raw.loc[feb, "dormant"]) == (2, 0)
    assert (kept.loc[feb, "returning"], kept.loc[feb, "dormant"]) == (1, 1)
    assert len(without_returns(o.drop(columns="amount")).execute()) == 5  # no amount: all kept


def test_signups_before_the_data_are_not_zero_retention() -> None:
    """A B2B base whose accounts opened years before the invoices: every signup cohort's
    later months lay outside the data and read 0%, averaged into "0% a month later"."""
    from opsai.behavior import findings
    from opsai.behavior.retention import cohort_basis

    months = pd.date_range("2024-07-01", periods=6, freq="MS")
    orders = pd.DataFrame(
        [(u, m + pd.Timedelta(days=3)) for u in "abcd" for m in months if not (u == "d" and m.month == 8)],
        columns=["user_id", "timestamp"],
    )  # fmt: skip
    users = pd.DataFrame({"user_id": list("abcd"),
                          "signup_at": pd.to_datetime(["2018-03-01", "2019-05-01", "2020-01-01", "2024-08-15"])})  # fmt: skip
    m = cohort_matrix(orders, period="month", cohort_by="signup", users=users)
    assert m.loc["2018-03-01"].drop("size").isna().all()  # months before 2024-07: unseen, not 0
    assert m.loc["2024-08-01", [0, 1, 2]].tolist() == [0.0, 1.0, 1.0]  # d skips August
    basis, note = cohort_basis(orders, users, period="month")
    assert basis == "first_activity"
    assert note is not None and note.startswith("3 of the 4 active users signed up before")
    m = cohort_matrix(orders, period="month", cohort_by=basis)
    lc = lifecycle(orders, period="month")
    f = findings.retention_summary(m, lc, period="month", basis=note)
    assert f.evidence["next_period_retention"] == pytest.approx(0.75)  # d skips August
    assert f.text.startswith(
        "75% of users are active again one month after their cohort's first (3 of 4 in"
    )
    assert "not by signup" in f.text
    assert cohort_basis(orders, users.assign(signup_at=pd.Timestamp("2024-07-02")))[0] == "signup"


def test_activity_is_events_and_purchases() -> None:
    """Events cover only the last two months: a buyer active by orders is active."""
    from opsai.behavior.retention import activity_of

    orders = pd.DataFrame({"user_id": ["a", "a", "b", "b", "c"], "amount": [5.0, 5.0, 5.0, -5.0, 5.0],
                           "timestamp": pd.to_datetime(["2025-06-03", "2025-07-03", "2025-06-04",
                                                        "2025-08-04", "2025-08-05"])})  # fmt: skip
    events = pd.DataFrame({"user_id": ["c", "c", "d"],
                           "timestamp": pd.to_datetime(["2025-08-06", "2025-09-01", "2025-09-02"])})  # fmt: skip
    act, text = activity_of(events, orders)
    assert text == "events (2025-08-06 to 2025-09-02) and purchases (2025-06-03 to 2025-08-05)"
    lc = lifecycle(act, period="month").set_index("period")
    # June: a, b new; July: a back, b dormant; Aug: c new (b's refund is no visit), a dormant
    assert lc[["new", "returning", "dormant"]].values.tolist()[:3] == [
        [2, 0, 0],
        [0, 1, 1],
        [1, 0, 1],
    ]
    assert activity_of(None, orders)[1] == "purchases (2025-06-03 to 2025-08-05)"


def test_next_month_retention_is_weighted_by_cohort_size() -> None:
    """byod10a D17: Dunnhumby's households nearly all start in the first months; the late
    cohorts of 1-7 households at 0% pulled the plain mean over cohorts to 40% ("On average 40%
    of a cohort is active again one month later") where 61% of the households came back."""
    from opsai.behavior import findings

    rows = [(f"big{i}", "2024-01-10") for i in range(20)]
    rows += [(f"big{i}", "2024-02-10") for i in range(12)]  # 12 of the 20 come back
    rows += [("late1", "2024-02-20"), ("late2", "2024-03-20")]  # one-household cohorts, gone
    rows += [(f"big{i}", "2024-04-10") for i in range(20)] + [("x", "2024-05-31")]
    o = pd.DataFrame(rows, columns=["user_id", "timestamp"]).assign(
        timestamp=lambda d: pd.to_datetime(d["timestamp"])
    )
    m = cohort_matrix(o, period="month")
    assert m[1].dropna().tolist() == [0.6, 0.0, 0.0]  # Jan, Feb, Mar (x, May's: not yet)
    f = findings.retention_summary(m, lifecycle(o, period="month"), period="month")
    assert f.evidence["next_period_retention"] == pytest.approx(12 / 22, abs=1e-4)
    assert f.evidence["cohort_mean_retention"] == pytest.approx(0.2)
    assert f.text.startswith(
        "55% of users are active again one month after their cohort's first (12 of 22 in the 3 "
        "cohorts followed that long, weighted by cohort size; the plain mean over cohorts, "
        "small ones weighing as much, is 20%)"
    )


def test_monthly_totals_dated_on_the_first_end_in_a_complete_month() -> None:
    """byod11a D9: monthly billing (every bill dated on the 1st, 2024-01 .. 2024-12) left its
    last month out of the lifecycle as if the data stopped on 2024-12-01, so the scorecard's
    buyer cards spoke of 2024-11 beside the overview's revenue of 2024-12. A month of rows
    dated on its 1st is whole, as the overview and chapter 04 read it, unless it holds under
    half the rows of the months before (the month so far)."""
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    rows = [(u, m) for m in months for u in range(40) if not (m == months[-1] and u < 4)]
    bills = pd.DataFrame(rows, columns=["user_id", "timestamp"])
    assert last_complete_period(bills) == pd.Timestamp("2024-12-01")
    life = lifecycle(bills)
    assert life["period"].iloc[-1] == pd.Timestamp("2024-12-01")
    assert (life["active"].iloc[-1], life["dormant"].iloc[-1]) == (36, 4)
    so_far = bills[(bills["timestamp"] < months[-1]) | (bills["user_id"] < 10)]
    assert last_complete_period(so_far) == pd.Timestamp("2024-11-01")  # 10 rows against 40
    daily = pd.DataFrame({"user_id": 1, "timestamp": pd.date_range("2024-01-01", "2024-03-11")})
    assert last_complete_period(daily) == pd.Timestamp("2024-02-01")  # stops on 11 March


def test_day_n_retention_since_signup_counts_everyone_who_signed_up() -> None:
    """byod13a D15: a game's D1/D7 retention is days since install over every install (also
    those never active); cohorts by calendar month mixed players 1 and 30 days old."""
    from opsai.behavior.findings import day_retention

    users = pd.DataFrame({
        "user_id": ["a", "b", "c", "d"],
        "signup_at": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-03-02", "2024-03-20"]),
    })  # fmt: skip
    activity = pd.DataFrame({  # a: days 0, 1, 7; b: day 1; c: day 0 and (before signup) -1
        "user_id": ["a", "a", "a", "b", "c", "c"],
        "timestamp": pd.to_datetime(["2024-03-01", "2024-03-02", "2024-03-08", "2024-03-02",
                                     "2024-03-02", "2024-03-01"]),
    })  # fmt: skip  # the data end 2024-03-08: d's day 1 and everyone's day 14 lie after it
    c = retention_curve(activity, days=14, users=users).set_index("day")
    assert c.loc[0, ["active", "eligible"]].tolist() == [2, 3]  # d signed up after the end
    assert c.loc[1, ["active", "eligible"]].tolist() == [2, 3]
    assert c.loc[7, ["active", "eligible"]].tolist() == [1, 2]  # c's day 7 is 03-09
    assert c.loc[14, "eligible"] == 0
    curve = retention_curve(activity, days=14, users=users)
    assert curve.attrs["since"] == "signup"
    f = day_retention(curve)
    assert f is not None and f.evidence["day_1"] == pytest.approx(2 / 3)
    assert f.text.startswith(
        "Day-N retention since signup: 66.7% on day 1 (2 of 3), 50.0% on day 7 (1 of 2) "
    )
    # without signups: since the first active day (c's first day is 03-01)
    first = retention_curve(activity, days=14)
    assert first.attrs["since"] == "first_activity"
    assert first.set_index("day").loc[1, ["active", "eligible"]].tolist() == [2, 3]  # a, c
