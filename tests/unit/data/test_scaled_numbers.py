"""Abbreviated counts (``12.3K``, ``1.2M``, ``3.2万``) read as numbers (byod12b D2), and a
``timestamp_format`` that still reads ISO 8601 values (byod12b D1)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from tests.conftest import write_dataset


def test_reach_written_with_k_and_m_reads_as_counts(tmp_path: Path) -> None:
    """A social-listening export's Reach: 15,533 of 30,000 cells carried K or M and validation
    refused them ("'1.1K' holds letters beside the number"); they are thousands and millions.
    A lower-case m (metres, minutes) is no multiplier and stays unread."""
    csv = (
        "period,company,sales\n"
        "2024-01-01,A,1.1K\n2024-01-01,B,12.3k\n2024-01-01,C,1.2M\n2024-01-01,D,850\n"
        "2024-01-01,E,3.2万\n2024-01-01,F,2 Mio.\n2024-01-01,H,1.5B\n"
    )
    cfg = write_dataset(tmp_path, {"m.csv": csv}, {"market": {"file": "m.csv"}})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("market").sort_values("company")
    assert df["sales"].tolist() == pytest.approx(
        [1100.0, 12300.0, 1.2e6, 850.0, 32000.0, 2e6, 1.5e9]
    )
    bad = "period,company,sales\n2024-01-01,A,12m\n"
    cfg = write_dataset(tmp_path / "m2", {"m.csv": bad}, {"market": {"file": "m.csv"}})
    with pytest.raises(Exception, match="'12m'"):
        open_workspace(cfg)


def test_integer_quantities_scale_too(tmp_path: Path) -> None:
    csv = "item_id,timestamp,quantity\na,2024-01-01,2.5K\nb,2024-01-01,7\n"
    cfg = write_dataset(tmp_path, {"d.csv": csv}, {"demand": {"file": "d.csv"}})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("demand").sort_values("item_id")
    assert df["quantity"].tolist() == [2500, 7]


def test_a_format_for_some_values_still_reads_the_iso_ones(tmp_path: Path) -> None:
    """byod12b D1: a Brandwatch-style export merges ISO times ('2024-06-20T23:19:44Z') with a
    forum source's '23/04/2024 18:24'; with timestamp_format set for the second, validation
    refused the 28,520 ISO values and suggested a format that does not read them either."""
    csv = (
        "ticket_id,timestamp,text\n1,2024-06-20T23:19:44Z,a\n2,23/04/2024 18:24,b\n"
        "3,2024-06-21 08:00:00+02:00,c\n4,2024-06-22,d\n5,31/12/2024 23:59,e\n"
    )
    spec = {"file": "t.csv", "timestamp_format": "%d/%m/%Y %H:%M"}
    cfg = write_dataset(tmp_path, {"t.csv": csv}, {"tickets": spec})
    text = cfg.read_text(encoding="utf-8").replace("data:\n", "data:\n  timezone: UTC\n", 1)
    cfg.write_text(text, encoding="utf-8")
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("tickets").sort_values("ticket_id")
    assert df["timestamp"].tolist() == [
        pd.Timestamp("2024-06-20 23:19:44"),
        pd.Timestamp("2024-04-23 18:24"),
        pd.Timestamp("2024-06-21 06:00"),  # +02:00 in UTC
        pd.Timestamp("2024-06-22"),
        pd.Timestamp("2024-12-31 23:59"),
    ]


def test_an_offset_the_format_leaves_out_is_read_on_iso_values(tmp_path: Path) -> None:
    """An ISO time with a UTC offset reads as that instant even when the table's format has
    no %z: '2024-01-05 10:00:00 -0500' is 15:00 UTC, never a failed parse."""
    csv = "order_id,user_id,timestamp,amount\n1,u,2024-01-05 10:00:00 -0500,3\n"
    spec = {"file": "o.csv", "timestamp_format": "%Y-%m-%d %H:%M:%S"}
    cfg = write_dataset(tmp_path, {"o.csv": csv}, {"orders": spec})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("orders")["timestamp"].tolist() == [pd.Timestamp("2024-01-05 15:00")]
