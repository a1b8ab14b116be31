"""``opsai init`` on exports whose customer and time columns no synonym names.

byod10a D1: Dunnhumby's transaction_data.csv (``household_key``, ``BASKET_ID``, ``DAY`` 1..711,
``SALES_VALUE``) and hh_demographic.csv were "fits no table: no timestamp column"; the day
numbers now read as ``'days since 2023-12-31'`` (with a note), the household as the customer.

byod10a D2: KKBox's four files (``msno`` member codes, ``20170119`` integer dates) were all
"fits no table"; the member code every file shares is now the customer, the dates
``'%Y%m%d'``, the daily usage log events of one constant type."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data._init_keys import day_numbers, shared_customer
from opsai.data._synonyms import name_score
from opsai.data.init import init_config, plan_folder
from opsai.data.schema import TABLES

pytestmark = pytest.mark.unit


def _mapped(plan: object) -> dict[str, tuple[str, dict[str, str], dict[str, object]]]:
    return {
        g.table: (g.label, {m.contract: m.source for m in g.matches}, g.options)
        for g in plan.guesses  # type: ignore[attr-defined]
    }


def _dunnhumby(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["household_key,BASKET_ID,DAY,PRODUCT_ID,QUANTITY,SALES_VALUE,TRANS_TIME,WEEK_NO"]
    for i in range(60):
        hh, day = 1 + i % 12, 1 + (i * 7) % 364
        rows.append(f"{hh},{26984851700 + i // 2},{day},{54577 + i % 9},1,{2.5 + i % 4},"
                    f"{1000 + i},{1 + (day - 1) // 7}")  # fmt: skip
    (folder / "transaction_data.csv").write_text("\n".join(rows) + "\n", "utf-8")
    demo = ["AGE_DESC,INCOME_DESC,HOUSEHOLD_SIZE_DESC,household_key"]
    demo += [f"{25 + hh}-{34 + hh},35-49K,{1 + hh % 3},{hh}" for hh in range(1, 7)]
    (folder / "hh_demographic.csv").write_text("\n".join(demo) + "\n", "utf-8")
    return folder


def test_dunnhumby_day_numbers_and_households_are_placed(tmp_path: Path) -> None:
    folder = _dunnhumby(tmp_path / "dh")
    got = _mapped(plan_folder(folder))
    assert set(got) == {"orders", "users"}
    label, cols, options = got["orders"]
    assert label == "transaction_data.csv"
    assert {k: cols[k] for k in ("user_id", "timestamp", "order_id", "amount")} == {
        "user_id": "household_key", "timestamp": "DAY", "order_id": "BASKET_ID",
        "amount": "SALES_VALUE",
    }  # fmt: skip
    assert options["timestamp_format"] == "days since 2023-12-31"
    assert got["users"][:2] == ("hh_demographic.csv", {"user_id": "household_key"})
    path, plan = init_config(folder)
    (orders,) = [g for g in plan.guesses if g.table == "orders"]
    assert any("'DAY' holds day numbers" in n for n in orders.notes)
    with open_workspace(path) as ws:
        o = ws.to_pandas("orders")
    assert len(o) == 60
    assert o["timestamp"].min() == pd.Timestamp("2024-01-01")  # DAY 1
    assert o["timestamp"].max() == pd.Timestamp("2024-12-23")  # DAY 358 (i = 51)


def test_day_numbers_need_a_day_name_and_more_than_a_month() -> None:
    assert day_numbers("DAY", ["1", "132", "364"])
    assert day_numbers("day_no", ["12", "700"])
    assert not day_numbers("day", ["1", "15", "31"])  # a day of the month
    assert not day_numbers("WEEK_NO", ["1", "52"])
    assert not day_numbers("START_DAY", ["100", "200"])  # a campaign's start: no time word alone
    assert not day_numbers("DAY", ["2024-01-05"])
    assert not day_numbers("days", ["5", "99999"])  # beyond a century


def _token(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "+/") for _ in range(44))


def _kkbox(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    ids = [_token(rng) for _ in range(20)]
    members = ["msno,city,bd,gender,registered_via,registration_init_time"]
    members += [f"{m},{1 + i % 5},{20 + i},,7,2013{1 + i % 9:02d}{10 + i % 18:02d}"
                for i, m in enumerate(ids)]  # fmt: skip
    trans = ["msno,payment_method_id,payment_plan_days,plan_list_price,actual_amount_paid,"
             "is_auto_renew,transaction_date,membership_expire_date,is_cancel"]  # fmt: skip
    trans += [f"{ids[i % 20]},{38 + i % 3},30,149,{149 - 20 * (i % 2)},1,2017{1 + i // 30:02d}"
              f"{1 + i % 28:02d},2017{2 + i // 30:02d}{1 + i % 28:02d},0" for i in range(60)]  # fmt: skip
    logs = ["msno,date,num_25,num_100,num_unq,total_secs"]
    logs += [f"{ids[i % 20]},201611{1 + i % 28:02d},{i % 4},{30 + i},{20 + i},{7404.8 + i}"
             for i in range(60)]  # fmt: skip
    train = ["msno,is_churn", *[f"{m},{int(i % 7 == 0)}" for i, m in enumerate(ids)]]
    for name, lines in (("members", members), ("transactions", trans), ("user_logs", logs),
                        ("train", train)):  # fmt: skip
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def test_kkbox_shared_member_code_and_integer_dates_are_placed(tmp_path: Path) -> None:
    folder = _kkbox(tmp_path / "kk")
    plan = plan_folder(folder)
    got = _mapped(plan)
    assert dict(plan.unplaced)["train.csv"].endswith(
        "; to add its columns (is_churn) to users, set data.tables.users.join: "
        "{file: train.csv, on: msno}"
    )
    assert set(got) == {"users", "events", "orders"}
    assert got["users"][:2] == (
        "members.csv", {"user_id": "msno", "signup_at": "registration_init_time"}
    )  # fmt: skip
    assert got["orders"][:2] == (
        "transactions.csv",
        {"user_id": "msno", "timestamp": "transaction_date", "amount": "actual_amount_paid",
         "price": "plan_list_price"},
    )  # fmt: skip
    assert got["events"][:2] == ("user_logs.csv", {"user_id": "msno", "timestamp": "date"})
    assert got["events"][2]["constants"] == {"event": "visit"}
    assert {t: o["timestamp_format"] for t, (_, _, o) in got.items()} == dict.fromkeys(
        got, "%Y%m%d"
    )
    path, _ = init_config(folder)
    with open_workspace(path) as ws:
        o, e = ws.to_pandas("orders"), ws.to_pandas("events")
        assert len(o) == 60 and o["amount"].sum() == pytest.approx(60 * 149 - 30 * 20)
        assert o["timestamp"].min() == pd.Timestamp("2017-01-01")
        assert len(e) == 60 and set(e["event"]) == {"visit"}
        assert ws.to_pandas("users")["signup_at"].min() == pd.Timestamp("2013-01-10")
    spec = yaml.safe_load(path.read_text("utf-8"))
    assert set(spec["data"]["tables"]) == {"users", "events", "orders"}
    spec["data"]["tables"]["users"]["join"] = {"file": "train.csv", "on": "msno"}  # the hint
    path.write_text(yaml.safe_dump(spec), "utf-8")
    with open_workspace(path) as ws:
        u = ws.to_pandas("users")
    assert len(u) == 20 and u["is_churn"].sum() == 3  # members 0, 7 and 14


def test_a_shared_code_is_no_customer_without_a_timed_file_or_with_a_name() -> None:
    from opsai.data._sniff import Sample

    def s(name: str, **cols: list[str | None]) -> Sample:
        return Sample(Path(name), values=cols)

    a = s("aisles.csv", aisle_ref=["1", "2", "3"], aisle=["x", "y", "z"])
    b = s("products.csv", aisle_ref=["1", "1", "2"], product_id=["p1", "p2", "p3"])
    assert shared_customer([a, b], [False, False]) is None  # no activity with a time
    assert shared_customer([a, b], [False, True]) == "aisle_ref"
    c = s("stores.csv", store_nbr=["1", "2"])
    d = s("train.csv", store_nbr=["1", "1", "2"])
    assert shared_customer([c, d], [False, True]) is None  # a store by its name
    # byod13a D1: a date (day.csv's dteday, repeated by the hour in hour.csv) is nobody's id
    e = s("day.csv", dteday=["2011-01-01", "2011-01-02", "2011-01-03"])
    f = s("hour.csv", dteday=["2011-01-01", "2011-01-01", "2011-01-02"])
    assert shared_customer([e, f], [True, True]) is None
    g = s("hour.csv", day_ref=["2011-01-01", "2011-01-01"], dteday=["C1", "C1"])
    assert shared_customer([e, g], [True, True]) is None  # dates in one of the files


@pytest.mark.parametrize("column", ["payment_plan_days", "total_secs", "duration_minutes"])
def test_a_duration_is_never_money(column: str) -> None:
    assert name_score(column, "amount", TABLES["orders"]) == 0.0
    assert name_score("actual_amount_paid", "amount", TABLES["orders"]) == 0.6


def _cookie_cats(folder: Path) -> Path:
    """A mobile game's installs, its daily sessions (``userid``, ``session_date``,
    ``rounds_played``: no event name) and its in-app purchases priced in ``price_usd``."""
    folder.mkdir(parents=True, exist_ok=True)
    installs = ["userid,install_date,country,platform"]
    installs += [f"{100 + i},2024-03-{1 + i % 20:02d},US,ios" for i in range(30)]
    sessions = ["userid,session_date,rounds_played"]
    sessions += [f"{100 + i % 30},2024-03-{1 + i % 28:02d},{1 + i % 9}" for i in range(90)]
    buys = ["userid,purchase_time,product_sku,price_usd"]
    buys += [f"{100 + i % 7},2024-03-{1 + i:02d}T10:00:00Z,gold_pack_{'sl'[i % 2]},"
             f"{(0.99, 4.99)[i % 2]}" for i in range(20)]  # fmt: skip
    for name, lines in (("installs", installs), ("sessions", sessions), ("purchases", buys)):
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def test_a_named_usage_log_and_money_named_with_its_currency_are_placed(tmp_path: Path) -> None:
    """byod13a D3, D4: Cookie Cats' purchases.csv ('fits no table': its money column is
    ``price_usd``) and sessions.csv (a player's day and rounds, no event name) were not
    placed, so 03a had no revenue and no activity. The currency code is read off the name
    (``price_usd`` is the price), and a log keyed by a named, repeated customer column is
    events of one type, as KKBox's log keyed by a shared code is."""
    folder = _cookie_cats(tmp_path / "cc")
    path, plan = init_config(folder)
    got = _mapped(plan)
    assert not plan.unplaced
    assert got["users"][:2] == ("installs.csv", {"user_id": "userid", "signup_at": "install_date"})
    assert got["events"][:2] == ("sessions.csv", {"user_id": "userid", "timestamp": "session_date"})
    assert got["events"][2]["constants"] == {"event": "visit"}
    assert got["orders"][:2] == (
        "purchases.csv",
        {"user_id": "userid", "timestamp": "purchase_time", "amount": "price_usd",
         "item_id": "product_sku"},
    )  # fmt: skip
    with open_workspace(path) as ws:
        o, e = ws.to_pandas("orders"), ws.to_pandas("events")
    assert len(o) == 20 and o["amount"].sum() == pytest.approx(10 * 0.99 + 10 * 4.99)
    assert len(e) == 90 and e["user_id"].nunique() == 30


@pytest.mark.parametrize(
    ("column", "contract"),
    [("price_usd", "price"), ("revenue_usd", "amount"), ("amount_eur", "amount"),
     ("Price (USD)", "price"), ("unit_price_try", "price")],
)  # fmt: skip
def test_a_currency_code_in_a_money_name_is_read_off(column: str, contract: str) -> None:
    assert name_score(column, contract, TABLES["orders"]) == 1.0
    assert name_score("usd", "price", TABLES["orders"]) == 0.0
    assert name_score("try_count", "amount", TABLES["orders"]) == 0.0  # no money contract word


def test_a_file_one_column_short_says_which(tmp_path: Path) -> None:
    """byod13a D3: "fits no table (columns: ...)" gave no hint which column was missing."""
    (tmp_path / "buys.csv").write_text(
        "sku,purchase_time,cost\na,2024-01-01T10:00:00Z,1\nb,2024-01-02T10:00:00Z,2\n"
        "a,2024-01-03T10:00:00Z,2\n", "utf-8"
    )  # fmt: skip
    assert dict(plan_folder(tmp_path).unplaced)["buys.csv"] == (
        "fits no table: found item_id 'sku', timestamp 'purchase_time', but no column is named "
        "as quantity for demand (columns: sku, purchase_time, cost)"
    )
