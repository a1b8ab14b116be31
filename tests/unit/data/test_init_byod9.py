"""byod9: export shapes ``opsai init`` and the loader missed: CLINC150's lists of
``[text, intent]`` arrays under train/val/test/oos_*, M5's wide daily sales with a calendar,
gzipped JSON lines (Amazon reviews), JDDC's Q/A chat roles and session labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsai.data import open_workspace
from opsai.data.init import plan_folder
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

_INTENTS = ("play_music", "balance", "lost_luggage", "timezone")


def _clinc(folder: Path) -> None:
    """A CLINC150-shaped data_full.json: 40 train, 8 test, 4 oos_train, 2 oos_test rows."""

    def rows(n: int, oos: bool = False) -> list[list[str]]:
        return [
            [f"question number {i} about {'something else' if oos else _INTENTS[i % 4]}",
             "oos" if oos else _INTENTS[i % 4]]
            for i in range(n)
        ]  # fmt: skip

    doc = {
        "train": rows(40),
        "test": rows(8),
        "oos_train": rows(4, True),
        "oos_test": rows(2, True),
    }
    (folder / "data_full.json").write_text(json.dumps(doc), "utf-8")


def test_lists_of_arrays_are_rows_and_several_lists_one_table(tmp_path: Path) -> None:
    """CLINC150's data_full.json could not be read ("records names 'train', which is not a list
    of objects"); its arrays are now rows (column0, column1, ...), and records takes several
    lists or globs, each row naming its list in the column 'records'."""
    _clinc(tmp_path)
    cols = {"text": "column0", "intent": "column1"}

    def cfg(records: object) -> Path:
        spec = {"file": "data_full.json", "records": records, "columns": cols}
        return write_dataset(tmp_path, {}, {"tickets": spec})

    with open_workspace(cfg("train")) as ws:
        df = ws.to_pandas("tickets")
    assert len(df) == 40 and "records" not in df.columns
    assert df["intent"].value_counts().to_dict() == dict.fromkeys(_INTENTS, 10)
    with open_workspace(cfg(["train", "test", "oos_*"])) as ws:
        df = ws.to_pandas("tickets")
    assert df["records"].value_counts().to_dict() == {
        "train": 40, "test": 8, "oos_train": 4, "oos_test": 2
    }  # fmt: skip
    assert (df.loc[df["records"] == "oos_test", "intent"] == "oos").all()
    assert df["text"].iloc[0] == "question number 0 about play_music"
    with pytest.raises(SchemaError, match=r"records names 'dev', which is not a field"):
        open_workspace(cfg(["train", "dev"]))


def test_init_proposes_every_list_of_a_labelled_set(tmp_path: Path) -> None:
    """init said "data_full.json: fits no table (columns: train, val, test, ...)"; it now
    reads the lists one after another and places the unnamed text and labels on tickets."""
    _clinc(tmp_path)
    plan = plan_folder(tmp_path)
    assert [g.table for g in plan.guesses] == ["tickets"]
    g = plan.guesses[0]
    assert g.spec()["records"] == ["train", "test", "oos_train", "oos_test"]
    assert {m.contract: m.source for m in g.matches} == {"text": "column0", "intent": "column1"}
    assert any("'records' naming each row's list" in n for n in g.notes)


def _m5(folder: Path, calendar: bool = True, dated: bool = False) -> None:
    """M5-shaped wide sales: 4 item x store series, 30 daily columns d_1..d_30 (or dates),
    a calendar (d -> date, wm_yr_wk) and weekly prices by store, item and week."""
    import pandas as pd

    days = pd.date_range("2011-01-29", periods=30, freq="D")
    names = [d.strftime("%Y-%m-%d") for d in days] if dated else [f"d_{i + 1}" for i in range(30)]
    series = [
        ("FOODS_1", "CA_1"),
        ("FOODS_1", "TX_1"),
        ("HOBBIES_1", "CA_1"),
        ("HOBBIES_1", "TX_1"),
    ]
    rows = [
        {
            "id": f"{i}_{s}",
            "item_id": i,
            "store_id": s,
            **{n: (k + j) % 7 for j, n in enumerate(names)},
        }
        for k, (i, s) in enumerate(series)
    ]
    wide = pd.DataFrame(rows)
    wide.to_csv(folder / "sales_train_validation.csv", index=False)
    if not calendar:
        return
    weeks = [11101 + i // 7 for i in range(30)]
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "wm_yr_wk": weeks, "d": names}).to_csv(
        folder / "calendar.csv", index=False
    )
    prices = [
        {"store_id": s, "item_id": i, "wm_yr_wk": w, "sell_price": 2.5 + (i == "HOBBIES_1")}
        for i, s in series
        for w in sorted(set(weeks))
    ]
    pd.DataFrame(prices).to_csv(folder / "sell_prices.csv", index=False)


def test_wide_daily_sales_are_demand_with_the_calendar_and_prices_joined(tmp_path: Path) -> None:
    """M5's wide file (id, item_id, store_id, d_1..d_N) was placed on users (one 'customer'
    per series with N attributes) and calendar.csv and sell_prices.csv on nothing; it is now
    demand, unpivoted, the calendar joined on d for the date and the prices on the series and
    week, and it loads as one row per series and day."""
    _m5(tmp_path)
    plan = plan_folder(tmp_path)
    assert [g.table for g in plan.guesses] == ["demand"] and not plan.unplaced
    g = plan.guesses[0]
    spec = g.spec()
    assert spec["unpivot"] == {
        "keep": ["id", "item_id", "store_id"], "names_to": "d", "values_to": "units"
    }  # fmt: skip
    assert spec["join"] == [
        {"file": "calendar.csv", "on": "d"},
        {"file": "sell_prices.csv", "on": ["store_id", "item_id", "wm_yr_wk"]},
    ]
    assert spec["columns"] == {
        "timestamp": "date", "quantity": "units", "price": "sell_price", "store": "store_id"
    }  # fmt: skip
    cfg = write_dataset(tmp_path, {}, {"demand": spec})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("demand")
    assert len(df) == 4 * 30
    assert str(df["timestamp"].min().date()) == "2011-01-29"
    assert str(df["timestamp"].max().date()) == "2011-02-27"
    assert df.groupby("item_id")["price"].first().to_dict() == {"FOODS_1": 2.5, "HOBBIES_1": 3.5}


def test_dates_as_headers_are_unpivoted_and_a_wide_file_without_dates_is_no_users(
    tmp_path: Path,
) -> None:
    """Dates as column headers ('no timestamp column') are the timestamps once unpivoted; a
    wide d_1..d_N file with no calendar is not placed (on users, before) and the reason names
    unpivot and the calendar join."""
    _m5(tmp_path, calendar=False, dated=True)
    g = plan_folder(tmp_path).guesses[0]
    assert (g.table, g.spec()["unpivot"]["names_to"]) == ("demand", "date")
    with open_workspace(write_dataset(tmp_path, {}, {"demand": g.spec()})) as ws:
        assert len(ws.to_pandas("demand")) == 120
    (tmp_path / "sales_train_validation.csv").unlink()
    _m5(tmp_path, calendar=False)
    plan = plan_folder(tmp_path)
    assert plan.guesses == []
    assert plan.unplaced[0][0] == "sales_train_validation.csv"
    assert "looks like wide sales (30 period columns d_1 .. d_30)" in plan.unplaced[0][1]
    assert "unpivot: {keep: [id, item_id, store_id], names_to: period" in plan.unplaced[0][1]


def _amazon(folder: Path) -> None:
    """McAuley's Amazon dumps: gzipped review JSON lines and a meta file of Python dicts."""
    import gzip

    lines = [
        {"reviewerID": f"A{i % 5}", "asin": f"B00{i % 3}", "reviewerName": "M.",
         "reviewText": f"Works well, review number {i}", "overall": float(1 + i % 5),
         "summary": "ok", "unixReviewTime": 1321747200 + 86400 * i, "reviewTime": "11 20, 2011"}
        for i in range(30)
    ]  # fmt: skip
    with gzip.open(folder / "reviews_Electronics_5.json.gz", "wt") as fh:
        fh.write("".join(json.dumps(r) + "\n" for r in lines))
    with gzip.open(folder / "meta_Electronics.json.gz", "wt") as fh:
        fh.write("".join(repr({"asin": f"B00{i}", "title": f"Cable {i}"}) + "\n" for i in range(3)))


def test_gzipped_review_json_is_tickets_and_rating_events(tmp_path: Path) -> None:
    """init said the folder 'holds no data file' (no .json.gz); the reviews are now read and
    proposed as rating events and as tickets with the stars as sentiment, and the meta file of
    Python dicts (not JSON: 'Malformed JSON at byte 2') is read through a JSON-lines copy and
    placed as items."""
    _amazon(tmp_path)
    plan = plan_folder(tmp_path)
    by = {g.table: g for g in plan.guesses}
    assert set(by) == {"events", "tickets", "items"}  # the meta file of Python dicts: items
    assert by["tickets"].spec()["columns"] == {
        "timestamp": "unixReviewTime", "text": "reviewText", "user_id": "reviewerID",
        "sentiment": "overall", "item_id": "asin",  # the review's product (byod9b D9)
    }  # fmt: skip
    assert by["tickets"].spec()["timestamp_format"] == "epoch"
    assert by["events"].spec()["constants"] == {"event": "rate"}
    assert by["events"].parameters == {"03b_recommendation": {"RATING": "overall"}}
    assert plan.unplaced == []
    assert by["items"].spec()["file"] == "meta_Electronics.json.gz"
    cfg = write_dataset(tmp_path, {}, {"tickets": by["tickets"].spec()})
    with open_workspace(cfg) as ws:
        df = ws.to_pandas("tickets")
    assert len(df) == 30 and sorted(df["sentiment"].unique()) == ["1.0", "2.0", "3.0", "4.0", "5.0"]
    items = {"file": "meta_Electronics.json.gz", "columns": {"item_id": "asin"}}
    with open_workspace(write_dataset(tmp_path, {}, {"items": items})) as ws:
        got = ws.to_pandas("items")  # read through a JSON-lines copy
    assert got.set_index("item_id")["title"].to_dict() == {
        f"B00{i}": f"Cable {i}" for i in range(3)
    }
    (tmp_path / "bad.json").write_text("{'a': 1}\n{'a': oops}\n")
    bad = {"file": "bad.json", "columns": {"item_id": "a"}}
    with pytest.raises(SchemaError, match=r"bad\.json: line 2 is neither JSON nor a Python dict"):
        open_workspace(write_dataset(tmp_path, {}, {"items": bad}))


def _chat(folder: Path, roles: tuple[str, str], name: str = "chat.tsv") -> None:
    """A JDDC-style log: 12 sessions of customer / agent turns, tab-separated."""
    rows = ["session_id\tturn\trole\tcontent\ttime"]
    for k in range(12):
        for t, role in enumerate((roles[0], roles[1], roles[0], roles[1])):
            text = f"我的快递到哪了 订单{k}" if role == roles[0] else "亲，请您提供一下订单号哦"
            rows.append(f"S{k:04d}\t{t + 1}\t{role}\t{text}\t2025/03/{k + 1:02d} 09:1{t}:00")
    (folder / name).write_text("\n".join(rows) + "\n", "utf-8")


def test_q_and_a_roles_are_a_chat_log_and_session_labels_are_joined(tmp_path: Path) -> None:
    """JDDC's own roles Q/A 'fit no table', and a session-level label file (会话ID, 意图, 评价)
    beside a log was not placed; Q is now the customer (A the staff, with a note to check
    it) and the label file is joined to the log on its conversation key, intent and sentiment
    mapped."""
    _chat(tmp_path, ("Q", "A"))
    g = plan_folder(tmp_path).guesses[0]
    assert g.table == "tickets"
    assert g.spec()["messages"] == {"by": "session_id", "sender": "role", "customer": "Q"}
    assert any("Q / A read as customer / staff" in n for n in g.notes)
    with open_workspace(write_dataset(tmp_path, {}, {"tickets": g.spec()})) as ws:
        df = ws.to_pandas("tickets")
    assert len(df) == 12 and df["text"].str.count("订单").eq(2).all()
    labels = "session_id,意图,评价\n" + "".join(
        f"S{k:04d},{'物流' if k % 2 else '退货'},{'满意' if k % 3 else '不满意'}\n"
        for k in range(8)
    )
    (tmp_path / "会话标注.csv").write_text(labels, "utf-8")
    plan = plan_folder(tmp_path)
    assert not plan.unplaced
    spec = plan.guesses[0].spec()
    assert spec["join"] == [{"file": "会话标注.csv", "on": "session_id"}]
    assert spec["columns"]["intent"] == "意图" and spec["columns"]["sentiment"] == "评价"
    with open_workspace(write_dataset(tmp_path, {}, {"tickets": spec})) as ws:
        df = ws.to_pandas("tickets").set_index("ticket_id")
    assert df["intent"].notna().sum() == 8 and df.loc["S0003", "intent"] == "物流"
    assert df.loc["S0003", "sentiment"] == "不满意"


def _buys(folder: Path) -> Path:
    """YOOCHOOSE-style buys, headerless: 10 sessions, each with two priced lines of different
    prices and one line of unknown value (price and quantity 0)."""
    rows = []
    for k in range(10):
        rows += [
            f"{k},2014-04-0{1 + k % 9}T10:0{j}:00.000Z,{100 + j},{10 * (j + 1)},1" for j in (0, 1)
        ]
        rows.append(f"{k},2014-04-0{1 + k % 9}T10:05:00.000Z,300,0,0")
    (folder / "buys.dat").write_text("\n".join(rows) + "\n", "utf-8")
    return folder


_BUY_COLUMNS = {"user_id": "column0", "order_id": "column0", "timestamp": "column1",
                "item_id": "column2", "price": "column3", "quantity": "column4"}  # fmt: skip


def test_unknown_value_lines_warn_and_get_no_fill_down_advice(tmp_path: Path) -> None:
    """YOOCHOOSE's buys with price/quantity 0 (unknown) loaded as 0-value orders without a
    word; with na_values '0' the error suggested fill_down: {columns: [amount]} (a derived
    column: 'not a column of the data') for line-level prices. Now the zeros get a warning,
    and line prices that differ within an order get no fill_down advice."""
    _buys(tmp_path)
    base = {"file": "buys.dat", "format": "csv", "header": False, "columns": _BUY_COLUMNS}
    with open_workspace(write_dataset(tmp_path, {}, {"orders": base})) as ws:
        (w,) = [w for w in ws.warnings if w.column == "amount"]
    assert w.count == 10
    assert str(w).startswith(
        "orders.amount: 10 of 30 order lines (33.3%) have an amount of exactly 0 (price 0 on 10, "
        "quantity 0 on 10): purchases of unknown value?"
    )
    with pytest.raises(SchemaError) as e:
        open_workspace(write_dataset(tmp_path, {}, {"orders": {**base, "na_values": ["0"]}}))
    msg = str(e.value)
    assert "required column 'amount' is empty in 10 row(s). Fill those rows, set " in msg
    assert "fill_down" not in msg
    spec = {**base, "na_values": ["0"], "fill_down": {"by": "order_id", "columns": ["amount"]}}
    with pytest.raises(SchemaError, match=r"names 'amount', which is not a column of the data: "
                       r"amount is quantity x price here \(column4, column3\)"):  # fmt: skip
        open_workspace(write_dataset(tmp_path, {}, {"orders": spec}))
    rows = "".join(f"{k},2014-04-01T10:00:00Z,{100 + j},{'' if j else 5},{'' if j else 2}\n"
                   for k in range(4) for j in (0, 1))  # fmt: skip
    (tmp_path / "buys.dat").write_text(rows, "utf-8")
    with pytest.raises(SchemaError) as e:
        open_workspace(write_dataset(tmp_path, {}, {"orders": base}))
    assert (
        "fill_down: {by: order_id, columns: [column4, column3]} (amount is quantity x price "
        "here: column4, column3)"
    ) in str(e.value)
