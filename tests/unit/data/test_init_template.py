"""``opsai init`` on a forecasting competition's folder (byod9a D22): Kaggle's Rossmann
``test.csv`` (the rows to forecast) and ``sample_submission.csv`` are templates, named in the
config's comments, and a bare row number ``Id`` is never a customer id."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opsai.data._init_template import row_numbers
from opsai.data.init import init_config, plan_folder

pytestmark = pytest.mark.unit

_LAST = dt.date(2015, 7, 31)


def _write(folder: Path, name: str, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def _rossmann(folder: Path) -> Path:
    """train.csv (newest first, with Sales and Customers), test.csv (Id 1..n, the 20 days after
    train's last), sample_submission.csv (Id, Sales all 0)."""
    train = ["Store,DayOfWeek,Date,Sales,Customers,Open,Promo"]
    for d in range(60):
        day = _LAST - dt.timedelta(days=d)
        for store in range(1, 6):
            train.append(
                f"{store},{day.isoweekday()},{day},{5000 + 37 * store + d},{500 + store},1,{d % 2}"
            )
    test = ["Id,Store,DayOfWeek,Date,Open,Promo"]
    sub = ["Id,Sales"]
    n = 0
    for d in range(20, 0, -1):
        day = _LAST + dt.timedelta(days=d)
        for store in range(1, 6):
            n += 1
            test.append(f"{n},{store},{day.isoweekday()},{day},{'' if store == 3 else 1},{d % 2}")
            sub.append(f"{n},0")
    _write(folder, "train.csv", train)
    _write(folder, "test.csv", test)
    return _write(folder, "sample_submission.csv", sub)


def test_rossmann_test_csv_is_a_forecast_template_not_users(tmp_path: Path) -> None:
    """D22: test.csv was the users table (user_id = Id, signup_at = Date: 960 'customers' who
    signed up in the future). Now no file is users; test.csv and sample_submission.csv are
    named as templates of train.csv in the config's comments."""
    path, plan = init_config(_rossmann(tmp_path))
    assert "users" not in {g.table for g in plan.guesses}
    why = dict(plan.unplaced)
    assert why["test.csv"].startswith(
        "a forecast template: train.csv's columns without its numbers Sales, Customers, "
        "with a row number (Id): the rows to forecast (100 sampled, Date 2015-08-01 .. "
        "2015-08-20, after train.csv's last 2015-07-31)"
    )
    assert why["sample_submission.csv"].startswith(
        "a submission template: a row number (Id) and train.csv's Sales, one value throughout"
    )
    text = path.read_text(encoding="utf-8")
    assert "#   test.csv: a forecast template" in text
    assert "users:" not in text


def test_a_bare_row_number_is_no_user_id(tmp_path: Path) -> None:
    """An 'Id' that numbers the rows (1..n in order) of a file not named as customers is not a
    user_id; a customers file keyed by its database's id 1..n, or an Id out of row order,
    still is."""
    rows = ["Id,Date,Country"] + [f"{i},2024-01-{1 + i % 28:02d},DE" for i in range(1, 41)]
    plan = plan_folder(_write(tmp_path / "a", "visits.csv", rows))
    assert "users" not in {g.table for g in plan.guesses}
    assert all(m.contract != "user_id" for g in plan.guesses for m in g.matches)
    rows = ["id,email,created_at"] + [
        f"{i},u{i}@x.de,2024-01-{1 + i % 28:02d}" for i in range(1, 41)
    ]
    (g,) = plan_folder(_write(tmp_path / "b", "customers.csv", rows)).guesses
    assert (g.table, {m.contract: m.source for m in g.matches}["user_id"]) == ("users", "id")
    rows = ["Id,Date,Country"] + [
        f"{(i * 7) % 41},2024-01-{1 + i % 28:02d},DE" for i in range(1, 41)
    ]
    (g,) = plan_folder(_write(tmp_path / "c", "visits.csv", rows)).guesses
    assert {m.contract: m.source for m in g.matches}["user_id"] == "Id"


def test_row_numbers() -> None:
    assert row_numbers(["1", "2", "3", "4"]) and row_numbers(["0", "1", "2"])
    assert not row_numbers(["1", "3", "2"])
    assert not row_numbers(["5", "6", "7"])
    assert not row_numbers(["1", None, "3"])


def test_split_export_and_random_holdout_are_no_templates(tmp_path: Path) -> None:
    """Files with the same columns (a split export, numbered rows in each) and a holdout of
    the same days without the measure (no row number, not later) are placed as before."""
    a = ["id,customer_id,order_date,amount"] + [
        f"{i},c{i % 9},2023-03-{1 + i % 28:02d},{10 + i}" for i in range(1, 31)
    ]
    b = ["id,customer_id,order_date,amount"] + [
        f"{i},c{i % 9},2024-03-{1 + i % 28:02d},{10 + i}" for i in range(1, 31)
    ]
    folder = _write(tmp_path / "split", "orders_2023.csv", a)
    _write(folder, "orders_2024.csv", b)
    plan = plan_folder(folder)
    assert [g.table for g in plan.guesses] == ["orders"]
    assert not any("template" in why for _, why in plan.unplaced)
