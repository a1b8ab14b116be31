"""Contact-centre figures (byod11b D12): a call centre's export carries whether the caller
hung up in the queue and how long they waited; 05 had no place for either, so a 7.8% abandon
rate, a 27% service level and Monday's doubled waits were on no page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.errors import SchemaError
from opsai.service.contact import (
    contact_centre,
    contact_finding,
    hour_wait_finding,
    wait_by_hour,
    wait_by_weekday,
    weekday_wait_finding,
)
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _calls(n: int = 1400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ts = pd.Timestamp("2025-09-01") + pd.to_timedelta(rng.integers(0, 28 * 24 * 60, n), unit="min")
    monday = ts.day_of_week == 0
    wait = rng.exponential(40, n) * np.where(monday, 2.0, 1.0)
    return pd.DataFrame({
        "timestamp": ts, "intent": np.where(np.arange(n) % 2, "Billing", "Technical"),
        "channel": np.where(np.arange(n) % 7 == 0, "Outbound", "inbound"),
        "abandoned": (np.arange(n) % 10 == 1).astype(float), "wait_seconds": wait.round(),
    })  # fmt: skip


def test_abandon_rate_service_level_and_speed_of_answer() -> None:
    t = _calls()
    inbound = t[t["channel"] == "inbound"]
    table = contact_centre(t, answer_seconds=20)
    top = table.iloc[0]
    assert (top["column"], top["value"], top["calls"]) == (
        "all",
        "all",
        len(inbound),
    )  # no outbound
    assert top["abandoned"] == int(inbound["abandoned"].sum())
    answered = inbound[inbound["abandoned"] == 0]
    assert top["service_level"] == pytest.approx(
        (answered["wait_seconds"] <= 20).sum() / len(inbound)
    )
    assert top["median_wait_seconds"] == answered["wait_seconds"].median()
    assert table["value"].tolist() == ["all", "Billing", "Technical"]
    f = contact_finding(table, answer_seconds=20)
    assert f is not None and f.text.startswith(
        f"{top['abandon_rate']:.1%} of {len(inbound):,} customer calls were abandoned (most in "
    )
    assert f"; {top['service_level']:.0%} were answered within 20 seconds; answered calls" in f.text
    assert contact_centre(t.drop(columns=["abandoned", "wait_seconds"])).empty


def test_a_weekday_whose_waits_double_is_named() -> None:
    t = _calls()
    days = wait_by_weekday(t).set_index("weekday")
    assert days.index[0] == "Monday" and len(days) == 7
    inbound = t[t["channel"] == "inbound"]
    mon = inbound[inbound["timestamp"].dt.day_of_week == 0]["wait_seconds"]
    assert days.loc["Monday", "median_wait_seconds"] == mon.median()
    f = weekday_wait_finding(t)
    assert f is not None and f.evidence["weekday"] == "Monday"
    rest = inbound[inbound["timestamp"].dt.day_of_week != 0]["wait_seconds"].median()
    assert f.text.startswith(
        f"Callers wait longest on Mondays: median {mon.median():.0f} s against {rest:.0f} s"
    )
    flat = t.assign(wait_seconds=np.random.default_rng(1).exponential(40, len(t)).round())
    assert weekday_wait_finding(flat) is None


def test_the_contract_reads_abandoned_flags_and_waits(tmp_path: Path) -> None:
    calls = ("call_id,started_at,queue,wait_seconds,abandoned\n"
             "C1,2025-11-03 09:00:00,Billing,40,N\nC2,2025-11-03 09:05:00,Billing,82,Y\n")  # fmt: skip
    cols = {"ticket_id": "call_id", "timestamp": "started_at", "intent": "queue"}
    cfg = write_dataset(tmp_path, {"c.csv": calls}, {"tickets": {"file": "c.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id")
    assert t["abandoned"].tolist() == [0.0, 1.0] and t["wait_seconds"].tolist() == [40.0, 82.0]


def test_an_abandoned_call_has_no_resolution_time() -> None:
    from opsai.service.analytics import resolution_hours

    t = pd.DataFrame({"timestamp": pd.to_datetime(["2025-11-03 09:00"] * 3),
                      "resolved_at": pd.to_datetime(["2025-11-03 09:09", "2025-11-03 09:00", None]),
                      "abandoned": [0.0, 1.0, 0.0]})  # fmt: skip
    hours = resolution_hours(t)
    assert hours.iloc[0] == pytest.approx(0.15) and hours.isna().tolist() == [False, True, True]


def test_handle_time_counts_talk_and_hold_of_answered_calls() -> None:
    """byod11b D12: no handle time, and no place for the hold seconds; the call centre's
    Technical queue talks 10.3 min with hold (truth: 619 s) against 5.2-7.8 for the others."""
    t = _calls()
    talk = np.where(t["intent"] == "Technical", 600.0, 300.0)
    hold = np.where(np.arange(len(t)) % 3 == 0, 60.0, 0.0)
    gone = t["abandoned"] > 0
    t = t.assign(resolved_at=t["timestamp"] + pd.to_timedelta(np.where(gone, 0, talk), unit="s"),
                 hold_seconds=np.where(gone, 0.0, hold))  # fmt: skip
    table = contact_centre(t).set_index("value")
    inbound = t[(t["channel"] == "inbound") & ~gone]
    assert table.loc["all", "handled"] == len(inbound)
    want = (np.where(inbound["intent"] == "Technical", 600.0, 300.0) + inbound["hold_seconds"]) / 60
    assert table.loc["all", "handle_minutes"] == pytest.approx(want.mean())
    assert table.loc["all", "hold_minutes"] == pytest.approx(inbound["hold_seconds"].mean() / 60)
    tech = inbound[inbound["intent"] == "Technical"]
    assert table.loc["Technical", "handle_minutes"] == pytest.approx(
        10 + tech["hold_seconds"].mean() / 60
    )
    f = contact_finding(contact_centre(t))
    assert f is not None and (
        f"answered calls took {want.mean():.1f} min on average including "
        f"{inbound['hold_seconds'].mean() / 60:.1f} min on hold (handle time; longest in "
        "'Technical': 10.3 min)." in f.text
    )
    no_hold = contact_centre(t.drop(columns="hold_seconds")).set_index("value")
    assert "hold_minutes" not in no_hold and no_hold.loc["Technical", "handle_minutes"] == 10
    assert "handle_minutes" not in contact_centre(t.drop(columns="resolved_at"))


def test_waits_per_weekday_and_hour_and_the_hour_that_stands_out() -> None:
    """byod11b D12: the weekday x hour profile of waits; a lunch hour whose waits double is
    named, Monday's doubled waits (spread over every hour) name no hour."""
    t = _calls()
    profile = wait_by_hour(t)
    inbound = t[t["channel"] == "inbound"]
    mon9 = inbound[(inbound["timestamp"].dt.day_of_week == 0) & (inbound["timestamp"].dt.hour == 9)]
    row = profile[(profile["weekday"] == "Monday") & (profile["hour"] == 9)].iloc[0]
    assert (row["calls"], row["median_wait_seconds"]) == (len(mon9), mon9["wait_seconds"].median())
    assert profile["calls"].sum() == len(inbound) and profile["weekday"].iloc[0] == "Monday"
    assert hour_wait_finding(t) is None  # the Monday doubling is no hour's
    noon = t["timestamp"].dt.hour == 12
    lunch = t.assign(wait_seconds=np.where(noon, 3 * t["wait_seconds"], t["wait_seconds"]))
    f = hour_wait_finding(lunch)
    assert f is not None and f.evidence["hour"] == 12 and f.name == "wait_hour"
    ib = lunch[lunch["channel"] == "inbound"]
    slow = ib.loc[ib["timestamp"].dt.hour == 12, "wait_seconds"]
    rest = ib.loc[ib["timestamp"].dt.hour != 12, "wait_seconds"].median()
    assert f.text.startswith(
        f"Callers wait longest between 12:00 and 12:59: median {slow.median():.0f} s against "
        f"{rest:.0f} s at the other hours"
    )
    assert f.evidence["calls"] == len(slow)


def test_the_contract_reads_hold_seconds(tmp_path: Path) -> None:
    calls = ("call_id,started_at,queue,wait_seconds,hold_seconds\n"
             "C1,2025-11-03 09:00:00,Billing,40,0\nC2,2025-11-03 09:05:00,Billing,82,35\n")  # fmt: skip
    cols = {"ticket_id": "call_id", "timestamp": "started_at", "intent": "queue"}
    cfg = write_dataset(tmp_path, {"c.csv": calls}, {"tickets": {"file": "c.csv", "columns": cols}})
    with open_workspace(cfg) as ws:
        t = ws.to_pandas("tickets").sort_values("ticket_id")
    assert t["hold_seconds"].tolist() == [0.0, 35.0]
    bad = calls.replace("Billing,82,35", "Billing,82,-35")  # a contract column: checked
    cfg = write_dataset(tmp_path, {"c.csv": bad}, {"tickets": {"file": "c.csv", "columns": cols}})
    with pytest.raises(SchemaError, match=r"hold_seconds"):
        open_workspace(cfg)
