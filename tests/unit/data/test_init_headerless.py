"""``opsai init`` on files without a header (byod9a D20): Taobao's UserBehavior.csv and
YOOCHOOSE's clicks and buys, their ``column<n>`` columns read by their values alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data.init import init_config, plan_folder
from opsai.data.workspace import open_workspace

pytestmark = pytest.mark.unit

_ACTIONS = ("pv", "pv", "pv", "cart", "fav", "buy")


def _write(folder: Path, name: str, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def _taobao(folder: Path) -> Path:
    """user, item, category, pv/buy/cart/fav, Unix seconds over 9 days; no header."""
    rows = []
    for i in range(600):
        user, t = 1000 + i % 40, 1_511_539_200 + (i * 7919) % (9 * 86_400)
        rows.append(f"{user},{2_000_000 + i % 53},{1_400_000 + i % 11},{_ACTIONS[i % 6]},{t}")
    return _write(folder, "UserBehavior.csv", rows)


def _yoochoose(folder: Path) -> Path:
    """Sessions of a few minutes each over April: clicks (session, ISO time, item, category
    code) and buys (session, ISO time, item, price, quantity; 0 = unknown)."""
    clicks, buys = [], []
    for s in range(1, 121):
        day, hour = 1 + s % 28, s % 20
        for k in range(4):
            ts = f"2014-04-{day:02d}T{hour:02d}:{10 + 3 * k:02d}:05.{s % 1000:03d}Z"
            clicks.append(f"{s},{ts},{214_500_000 + (s * 7 + k) % 61},{'S' if k == 3 else k}")
        if s % 3 == 0:
            ts = f"2014-04-{day:02d}T{hour:02d}:30:00.000Z"
            price, qty = (0, 0) if s % 9 == 0 else (523 * (1 + s % 4), 1 + s % 2)
            buys.append(f"{s},{ts},{214_500_000 + s % 61},{price},{qty}")
    _write(folder, "yoochoose-clicks.dat", clicks)
    return _write(folder, "yoochoose-buys.dat", buys)


def test_taobao_user_behaviour_is_read_as_events_by_its_values(tmp_path: Path) -> None:
    """D20: 'fits no table (columns: column0, ..., column4)'. Now events: the first id is the
    user, the second the item, the pv/buy/cart/fav column the event, Unix seconds the time;
    low confidence, and a note saying what each column was read as."""
    plan = plan_folder(_taobao(tmp_path))
    assert plan.unplaced == []
    (g,) = plan.guesses
    assert g.table == "events"
    assert {m.contract: m.source for m in g.matches} == {
        "user_id": "column0",
        "item_id": "column1",
        "event": "column3",
        "timestamp": "column4",
    }
    assert g.options["timestamp_format"] == "epoch"
    assert g.confidence == "low"
    assert any("column3: actions buy/cart/fav/pv -> event" in n for n in g.notes)
    assert any("column2: ids -> kept as an attribute" in n for n in g.notes)
    path, _ = init_config(tmp_path)
    with open_workspace(path) as ws:
        ev = ws.to_pandas("events")
    assert len(ev) == 600
    assert ev["event"].value_counts().to_dict() == {"pv": 300, "cart": 100, "fav": 100, "buy": 100}
    assert str(ev["timestamp"].min()) == "2017-11-24 16:00:00"  # 1511539200: midnight in China


def test_yoochoose_clicks_are_session_events_and_buys_orders(tmp_path: Path) -> None:
    """D20: clicks (session, time, item, code) are events keyed by the session, every row a
    view; buys (session, time, item, price, quantity) orders whose amount is price x quantity,
    each session's lines one order."""
    plan = plan_folder(_yoochoose(tmp_path))
    assert plan.unplaced == []
    got = {g.table: g for g in plan.guesses}
    assert set(got) == {"events", "orders"}
    ev, orders = got["events"], got["orders"]
    assert ev.sample.path.name == "yoochoose-clicks.dat"
    assert {m.contract: m.source for m in ev.matches} == {
        "user_id": "column0",
        "session_id": "column0",
        "timestamp": "column1",
        "item_id": "column2",
    }
    assert ev.options["constants"] == {"event": "view"}
    assert "timestamp_format" not in ev.options  # ISO times: read as they are
    assert {m.contract: m.source for m in orders.matches} == {
        "user_id": "column0",
        "order_id": "column0",
        "timestamp": "column1",
        "item_id": "column2",
        "price": "column3",
        "quantity": "column4",
    }
    assert ev.confidence == orders.confidence == "low"
    assert any("reads as sessions" in n for n in orders.notes)
    path, _ = init_config(tmp_path)
    with open_workspace(path) as ws:
        clicks, lines = ws.to_pandas("events"), ws.to_pandas("orders")
    assert len(clicks) == 480 and set(clicks["event"]) == {"view"}
    assert len(lines) == 40
    truth = sum(523 * (1 + s % 4) * (1 + s % 2) for s in range(3, 121, 3) if s % 9)
    assert lines["amount"].sum() == pytest.approx(truth)


def test_headerless_customers_over_days_are_users_not_sessions(tmp_path: Path) -> None:
    """A customer's rows spread over days: user_id only, no session."""
    (g,) = plan_folder(_taobao(tmp_path)).guesses
    assert "session_id" not in {m.contract for m in g.matches}
    assert not any("sessions" in n for n in g.notes)


def test_headerless_file_without_a_time_stays_unplaced(tmp_path: Path) -> None:
    """Ids and numbers but no time: the values say nothing sure, the file is listed."""
    rows = [f"{100 + i},{2000 + i % 7},{i % 5}" for i in range(50)]
    plan = plan_folder(_write(tmp_path, "data.csv", rows))
    assert plan.guesses == []
    assert "fits no table" in plan.unplaced[0][1]
