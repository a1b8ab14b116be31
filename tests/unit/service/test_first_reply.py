"""The first reply beside the resolution time (byod10b D22)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.service import resolution_time

pytestmark = pytest.mark.unit


def _tickets() -> pd.DataFrame:
    t0 = pd.Timestamp("2024-01-01 08:00")
    return pd.DataFrame(
        {
            "timestamp": [t0] * 5,
            "channel": ["email", "email", "email", "chat", "chat"],
            "resolved_at": [t0 + pd.Timedelta(hours=h) for h in (30, 20, 40, 2, 4)],
            "first_reply_at": [t0 + pd.Timedelta(minutes=m) for m in (240, 300, 0, 20, 40)],
        }
    ).assign(first_reply_at=lambda d: d["first_reply_at"].where(d.index != 2))  # one unanswered


def test_median_first_reply_beside_resolution_per_channel() -> None:
    """Email: resolved in a median 30 h, first replied in 4.5 h (240 and 300 min; one ticket
    unanswered); chat: 3 h and 0.5 h."""
    rt = resolution_time(_tickets(), by=["channel"]).to_dict("records")
    assert rt == [
        {"channel": "email", "tickets": 3, "open": 0, "median_hours": 30.0, "p90_hours": 38.0,
         "median_first_reply_hours": 4.5, "unanswered": 1},
        {"channel": "chat", "tickets": 2, "open": 0, "median_hours": 3.0, "p90_hours": 3.8,
         "median_first_reply_hours": 0.5, "unanswered": 0},
    ]  # fmt: skip


def test_first_reply_alone_gives_the_table() -> None:
    """A reply-chain export (TWCS) has the first reply and no resolution: the table still comes,
    slowest first reply first."""
    rt = resolution_time(_tickets().drop(columns="resolved_at"), by=["channel"])
    assert rt.columns.tolist() == ["channel", "tickets", "median_first_reply_hours", "unanswered"]
    assert rt["channel"].tolist() == ["email", "chat"]
    assert rt["median_first_reply_hours"].tolist() == [4.5, 0.5]
    early = _tickets().assign(first_reply_at=pd.Timestamp("2023-12-31"))  # before it was opened
    assert np.isnan(resolution_time(early, by=["channel"])["median_first_reply_hours"]).all()
