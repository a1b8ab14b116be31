"""``opsai init`` on exports whose customer and time columns no synonym names.

byod10a D1: Dunnhumby's transaction_data.csv (``household_key``, ``BASKET_ID``, ``DAY`` 1..711,
``SALES_VALUE``) and hh_demographic.csv were "fits no table: no timestamp column"; the day
numbers now read as ``'days since 2023-12-31'`` (with a note), the household as the customer.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.data._init_keys import day_numbers
from opsai.data.init import init_config, plan_folder

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
