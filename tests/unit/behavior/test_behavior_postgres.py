"""The same funnel, path and retention numbers from PostgreSQL as from DuckDB."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from opsai.behavior.funnels import funnel, path_links, top_paths
from opsai.behavior.retention import cohort_matrix, lifecycle, retention_curve

pytestmark = [pytest.mark.postgres]

T0 = pd.Timestamp("2024-01-01")


def _events() -> pd.DataFrame:
    rows = []
    for i in range(30):  # 30 users, 2 sessions each, deeper funnels for lower i
        for s in range(2):
            start = T0 + pd.Timedelta(days=7 * i + 20 * s, hours=i % 5)
            steps = ["visit", "view", "view", "add_to_cart", "checkout", "purchase"][
                : 2 + (i + s) % 5
            ]
            for k, e in enumerate(steps):
                rows.append((f"u{i:03d}", f"s{i}_{s}", start + pd.Timedelta(minutes=7 * k), e))
    return pd.DataFrame(rows, columns=["user_id", "session_id", "timestamp", "event"])


def test_postgres_matches_duckdb(postgres_url: str) -> None:
    ev = _events()
    users = pd.DataFrame({"user_id": [f"u{i:03d}" for i in range(30)],
                          "channel": ["ads", "seo", "email"] * 10})  # fmt: skip
    con = ibis.connect(postgres_url)
    try:
        pg_ev = con.create_table("behavior_events", ev, overwrite=True)
        pg_users = con.create_table("behavior_users", users, overwrite=True)
        for unit in ("user", "session"):
            want = funnel(ev, unit=unit, window="1D", users=users, breakdown="channel")
            got = funnel(pg_ev, unit=unit, window="1D", users=pg_users, breakdown="channel")
            pd.testing.assert_frame_equal(got, want, check_dtype=False)
        pd.testing.assert_frame_equal(top_paths(pg_ev), top_paths(ev), check_dtype=False)
        pd.testing.assert_frame_equal(path_links(pg_ev), path_links(ev), check_dtype=False)
        for period in ("week", "month"):
            pd.testing.assert_frame_equal(
                cohort_matrix(pg_ev, period=period), cohort_matrix(ev, period=period),
                check_dtype=False,
            )  # fmt: skip
            pd.testing.assert_frame_equal(
                lifecycle(pg_ev, period=period), lifecycle(ev, period=period), check_dtype=False
            )
        pd.testing.assert_frame_equal(
            retention_curve(pg_ev, days=30), retention_curve(ev, days=30), check_dtype=False
        )
    finally:
        con.disconnect()


def test_postgres_churn_clv_and_activity_match_duckdb(postgres_url: str) -> None:
    """The churn frame, the CLV summary, RFM and event activity run in PostgreSQL too
    (PostgreSQL has no boolean -> bigint cast, which counting conditions had used)."""
    from opsai.behavior.churn import churn_frame
    from opsai.behavior.clv import summary
    from opsai.behavior.segments import behaviour_features, rfm

    rows = [(f"u{i % 12:02d}", T0 + pd.Timedelta(days=3 * i), 10.0 + i % 7 - 12 * (i % 11 == 0))
            for i in range(60)]  # fmt: skip
    orders = pd.DataFrame(rows, columns=["user_id", "timestamp", "amount"])
    ev = _events()
    con = ibis.connect(postgres_url)
    try:
        pg = con.create_table("behavior_orders", orders, overwrite=True)
        pg_ev = con.create_table("behavior_events", ev, overwrite=True)
        cut = T0 + pd.Timedelta(days=120)
        pd.testing.assert_frame_equal(
            churn_frame(pg, cutoff=cut, horizon_days=30),
            churn_frame(orders, cutoff=cut, horizon_days=30), check_dtype=False,
        )  # fmt: skip
        got = summary(pg, calibration_end=cut, holdout_end=cut + pd.Timedelta(days=60))
        want = summary(orders, calibration_end=cut, holdout_end=cut + pd.Timedelta(days=60))
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
        assert want["frequency"].sum() > 0
        pd.testing.assert_frame_equal(rfm(pg), rfm(orders), check_dtype=False)
        names = ["view", "purchase"]
        pd.testing.assert_frame_equal(
            behaviour_features(pg_ev, event_names=names), behaviour_features(ev, event_names=names),
            check_dtype=False,
        )  # fmt: skip
    finally:
        con.disconnect()


def test_item_rates_match_duckdb(postgres_url: str) -> None:
    """byod11a D1: the per-item cart and remove-from-cart rates run in PostgreSQL too."""
    from opsai.behavior.item_rates import item_rates
    from tests.unit.behavior.test_item_rates import _events

    ev = _events(300, seed=2)
    con = ibis.connect(postgres_url)
    try:
        pg_ev = con.create_table("behavior_item_events", ev, overwrite=True)
        want, _ = item_rates(ev, steps=["view", "cart"])
        got, _ = item_rates(pg_ev, steps=["view", "cart"])
        assert len(want) and set(want["metric"]) == {"cart_rate", "remove_rate"}
        pd.testing.assert_frame_equal(got, want, check_dtype=False)
    finally:
        con.disconnect()
