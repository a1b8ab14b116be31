"""Events without any time (byod10a D13): a timeless interaction matrix (Last.fm's ``user,
artist, plays``, Book-Crossing's ratings) maps onto ``events`` without a ``timestamp``. The
column loads all-missing, validation says once which chapters need time, those (03a, 04) are
skipped with that reason, the overview shows no activity over time, and 03b recommends with
its stratified split and refuses ``SPLIT: time`` in plain words.

Before, validation stopped on "events: required column 'timestamp' not found ... set
data.tables.events.skip_rows" (for a file read with ``header: false``), and the only way in
was to borrow another date (each user's signup) as every play's time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.data.customers import visit_ids
from opsai.data.schema import NO_TIME_COLUMN
from opsai.errors import ConfigError, SchemaError
from opsai.overview.measures import coverage, daily_activity
from opsai.recommend.chapter import split
from opsai.report import runner
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

# headerless, tab-separated: user, artist id, artist, plays
PLAYS = "".join(f"u{u}\tm{a}\tartist {a}\t{u * 3 + a}\n" for u in range(6) for a in range(u % 3, 5))
EVENTS = {
    "file": "plays.tsv",
    "format": "csv",
    "sep": "\t",
    "header": False,
    "constants": {"event": "play"},
    "columns": {"user_id": "column0", "item_id": "column2", "plays": "column3"},
}


def test_events_without_a_timestamp_load_and_say_which_chapters_need_time(
    tmp_path: Path,
) -> None:
    cfg = write_dataset(tmp_path, {"plays.tsv": PLAYS}, {"events": EVENTS})
    with open_workspace(cfg) as ws:
        said = [str(w) for w in ws.warnings if w.column == "timestamp"]
        assert said == [f"events.timestamp: {NO_TIME_COLUMN}"]
        assert ws.absent == {"events.timestamp": NO_TIME_COLUMN}
        assert not ws.timed("events")
        ev = ws.to_pandas("events")
        assert len(ev) == 24 and ev["timestamp"].isna().all()
        assert sorted(ev["user_id"].unique()) == [f"u{u}" for u in range(6)]
        assert visit_ids(ws.table("events")) is None  # no times: no "session ids" warning
        # the overview: no "days with events", no activity over time, the reason instead
        assert "days with events" not in coverage(ws)["measure"].tolist()
        daily = daily_activity(ws)
        assert daily.empty and daily.attrs["why"] == NO_TIME_COLUMN
    assert "03b recommends from it with its stratified split" in NO_TIME_COLUMN
    assert "03a and 04" in NO_TIME_COLUMN


def test_a_missing_mapping_on_a_headerless_file_asks_for_no_skip_rows(tmp_path: Path) -> None:
    events = {**EVENTS, "columns": {"item_id": "column2"}}  # user_id left unmapped
    cfg = write_dataset(tmp_path, {"plays.tsv": PLAYS}, {"events": events})
    with pytest.raises(SchemaError, match="required column 'user_id' not found") as e:
        open_workspace(cfg)
    assert "skip_rows" not in str(e.value)  # header: false is set: no title line to skip


def test_chapters_that_need_time_are_skipped_before_running(tmp_path: Path) -> None:
    names = ["03a_user_behavior", "03b_recommendation", "04_demand_inventory"]
    chapters = {c.stem: c for c in runner.discover(names)}
    # users without a churn label (byod11a D10: 03a runs on users.churned alone)
    absent = {"events.timestamp": NO_TIME_COLUMN, "users.churned": "users maps no churned column"}
    a, b, d = (chapters[n] for n in names)
    assert a.missing(["users", "events"], absent) == [
        "orders.user_id|events.timestamp|users.churned"
    ]
    assert a.missing(["users", "events"], {"events.timestamp": NO_TIME_COLUMN}) == []  # a label
    assert d.missing(["users", "events"], absent) == ["demand|orders|events.timestamp"]
    assert b.missing(["users", "events"], absent) == []  # 03b runs
    assert a.missing(["events"]) == [] and d.missing(["events"]) == []  # timed events: ready
    assert a.missing(["orders", "events"], absent) == []  # orders give 03a its times
    runs = runner.run_chapters(
        [a, d],
        tmp_path,
        present=["users", "events"],
        absent=absent,
        parameters=lambda c: {},
        timeout=lambda c: 1.0,
    )
    assert [(r.state, r.reason) for r in runs] == [("skipped", NO_TIME_COLUMN)] * 2


def test_the_time_split_is_refused_without_times() -> None:
    pairs = pd.DataFrame(
        {
            "user_id": [f"u{i // 4}" for i in range(40)],
            "item_id": [f"i{i % 7}" for i in range(40)],
            "weight": 1.0,
            "timestamp": pd.NaT,
        }
    )
    with pytest.raises(ConfigError, match="SPLIT 'time' holds out each user's latest item"):
        split(pairs, method="time")
    with pytest.raises(ConfigError, match=r"parameters\.SPLIT: stratified"):
        split(pairs.drop(columns="timestamp"), method="Time")
    train, test = split(pairs, method="stratified", seed=0)
    assert len(train) == 30 and len(test) == 10  # 75/25 per user
    timed = pairs.assign(timestamp=pd.date_range("2024-01-01", periods=40, freq="D"))
    train, test = split(timed, method="time")
    assert sorted(test["item_id"]) == sorted(f"i{(4 * u + 3) % 7}" for u in range(10))


def test_an_unmapped_time_column_is_asked_for_not_taken_as_lacking(tmp_path: Path) -> None:
    """Only data without any time loads without one: a column named as a time (``ts``,
    ``event_date``) left unmapped still stops validation, naming it."""
    for name in ("ts", "event_date"):
        files = {"e.csv": f"user_id,{name},event\nu1,2025-11-01,view\n"}
        cfg = write_dataset(tmp_path / name, files, {"events": {"file": "e.csv"}})
        with pytest.raises(SchemaError, match=f"'timestamp' not found .*did you mean '{name}'"):
            open_workspace(cfg)


def test_a_users_table_without_a_churn_label_meets_no_requirement_of_03a() -> None:
    """byod11a D10: 03a runs on users.churned alone; the report counts a users table that
    maps no churned column as lacking it, so users with timeless events still skip 03a."""
    from types import SimpleNamespace

    from opsai.report.build import unmapped_requirements

    (a,) = runner.discover(["03a_user_behavior"])
    cols = {"users": ["user_id", "age"], "events": ["user_id", "event", "timestamp"]}
    ws = SimpleNamespace(present=["users", "events"], columns=lambda t: cols[t])
    assert unmapped_requirements(ws, [a]) == {
        "users.churned": "users maps no churned column (data.tables.users.columns.churned)"
    }
    cols["users"].append("churned")
    assert unmapped_requirements(ws, [a]) == {}
