"""``opsai init`` on sales written with dates down and one column per product across (Kaggle's
pharma sales, byod10a D3), beside the same products at coarser grains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config, plan_folder

pytestmark = pytest.mark.unit

_PRODUCTS = ["M01AB", "M01AE", "N02BA", "N02BE", "N05B", "N05C"]


def _pharma(folder: Path, days: int = 120) -> pd.DataFrame:
    """salesdaily.csv (US dates, calendar parts beside the products), salesweekly.csv (weeks
    labelled by their Sunday) and salesmonthly.csv (months by their first day): their sums."""
    rng = np.random.default_rng(4)
    dates = pd.date_range("2014-01-02", periods=days, freq="D")
    daily = pd.DataFrame({p: rng.integers(0, 9 + 5 * i, days) / 2 for i, p in enumerate(_PRODUCTS)})
    out = pd.DataFrame({"datum": [f"{d.month}/{d.day}/{d.year}" for d in dates]})
    out = pd.concat([out, daily], axis=1)
    out["Year"], out["Month"], out["Hour"] = dates.year, dates.month, 20
    out["Weekday Name"] = dates.day_name()
    out.to_csv(folder / "salesdaily.csv", index=False)
    by = daily.set_index(dates)
    week = by.resample("W-SUN").sum()
    week.insert(0, "datum", [f"{d.month}/{d.day}/{d.year}" for d in week.index])
    week.to_csv(folder / "salesweekly.csv", index=False)
    month = by.resample("MS").sum()
    month.insert(0, "datum", month.index.strftime("%Y-%m-%d"))
    month.to_csv(folder / "salesmonthly.csv", index=False)
    return daily.set_index(dates)


def test_products_across_are_unpivoted_at_the_finest_grain(tmp_path: Path) -> None:
    """byod10a D3: a daily file with one column per product (and Year, Month, Hour, Weekday
    Name beside them) fitted no table (main had even read it as events keyed by the best
    seller N02BE, and the monthly file as a market table); it is now demand, unpivoted to one
    row per day and product, and the weekly and monthly files of the same products are named
    as coarser grains of it, not placed."""
    truth = _pharma(tmp_path)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert list(tables) == ["demand"]
    spec = tables["demand"]
    assert spec["file"] == "salesdaily.csv" and spec["timestamp_format"] == "%m/%d/%Y"
    assert spec["unpivot"] == {
        "keep": ["datum", "Year", "Month", "Hour", "Weekday Name"],
        "names_to": "item_id",
        "values_to": "units",
    }
    assert spec["columns"] == {"timestamp": "datum", "quantity": "units"}
    why = dict(plan.unplaced)
    assert set(why) == {"salesweekly.csv", "salesmonthly.csv"}
    assert "coarser grain (weekly rows against daily)" in why["salesweekly.csv"]
    assert "first 4 whole periods are the sums" in why["salesweekly.csv"]
    assert "FREQ: M" in why["salesmonthly.csv"]
    with open_workspace(path) as ws:
        df = ws.to_pandas("demand")
    assert len(df) == 120 * len(_PRODUCTS)
    assert str(df["timestamp"].min())[:10] == "2014-01-02"
    sums = df.groupby("item_id")["quantity"].sum()
    assert sums.round(2).to_dict() == truth.sum().round(2).to_dict()


def test_a_daily_kpi_sheet_or_a_market_table_is_not_read_as_products(tmp_path: Path) -> None:
    """Measures of the whole day (Sessions, Revenue, Orders, Total), a call log (one row per
    call at irregular times) and companies across (``Acme Inc``, ``b.se``) are no products:
    no demand table is proposed."""
    dates = pd.date_range("2024-01-01", periods=40, freq="D").strftime("%Y-%m-%d")
    kpi = pd.DataFrame(
        {
            "Date": dates,
            "Sessions": range(100, 140),
            "Users": range(80, 120),
            "Revenue": [x * 1.5 for x in range(40)],
            "Orders": range(40),
        }
    )
    kpi.to_csv(tmp_path / "daily_kpis.csv", index=False)
    plan = plan_folder(tmp_path)
    assert "demand" not in [g.table for g in plan.guesses]
    (tmp_path / "daily_kpis.csv").unlink()
    times = pd.Timestamp("2025-07-29 09:42:09") + pd.to_timedelta(
        [i * 2437 + (i * i) % 900 for i in range(40)], unit="s"
    )
    calls = pd.DataFrame(
        {
            "call_id": [f"C{500000 + i}" for i in range(40)],
            "started_at": times.strftime("%m/%d/%Y %H:%M:%S"),
            "queue": ["Technical", "Billing"] * 20,
            "wait_seconds": range(40),
            "talk_seconds": range(100, 140),
            "hold_seconds": [i % 3 for i in range(40)],
        }
    )
    calls.to_csv(tmp_path / "calls.csv", index=False)  # a call log: one row per call
    assert "demand" not in [g.table for g in plan_folder(tmp_path).guesses]
    (tmp_path / "calls.csv").unlink()
    market = pd.DataFrame(
        {"Week": dates, "Acme Inc": range(40), "b.se": range(40), "Brew Ltd": range(40)}
    )
    market.to_csv(tmp_path / "competitors.csv", index=False)
    plan = plan_folder(tmp_path)
    assert [g.table for g in plan.guesses] == ["market"]


def test_products_across_per_store_keep_the_store(tmp_path: Path) -> None:
    """One row per date and store (a date repeats once per store) with SKUs across and the
    sheet's 0, 1, 2, ... index written first: the store is kept (and mapped), the index is
    no product."""
    dates = pd.date_range("2024-01-01", periods=30, freq="D").strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        [(d, s, i, i + 1, 2 * i) for d in dates for s, i in (("North", 1), ("South", 2))],
        columns=["Date", "Store", "SKU-100", "SKU-200", "SKU-300"],
    )
    frame.to_csv(tmp_path / "units_by_sku.csv", index=True, index_label="index")
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["demand"]
    assert spec["unpivot"]["keep"] == ["index", "Date", "Store"]
    assert spec["columns"]["store"] == "Store"
    with open_workspace(path) as ws:
        df = ws.to_pandas("demand")
    assert len(df) == 30 * 2 * 3
    assert df.groupby("store")["quantity"].sum().to_dict() == {"North": 30 * 5.0, "South": 30 * 9.0}


def _bikes(folder: Path, days: int = 60) -> pd.DataFrame:
    """UCI Bike Sharing's day.csv and hour.csv: ``instant`` numbers the rows of each (1..n),
    calendar parts and flags (``mnth``, ``workingday``), a weather code (``weathersit``) and
    readings scaled to 0-1 (``temp``, ``atemp``, ``hum``, ``windspeed``) beside the rentals of
    two rider types and their total ``cnt``."""
    rng = np.random.default_rng(13)
    hours = pd.date_range("2011-01-01", periods=days * 24, freq="h")
    hour = pd.DataFrame({"instant": range(1, len(hours) + 1), "dteday": hours.strftime("%Y-%m-%d")})
    hour["season"], hour["yr"], hour["mnth"] = 1, hours.year - 2011, hours.month
    hour["hr"], hour["holiday"] = hours.hour, (hours.dayofyear == 17).astype(int)
    hour["weekday"], hour["workingday"] = hours.dayofweek, (hours.dayofweek < 5).astype(int)
    hour["weathersit"] = rng.integers(1, 4, len(hours))
    for c in ("temp", "atemp", "hum", "windspeed"):
        hour[c] = rng.uniform(0.05, 0.95, len(hours)).round(4)
    hour["casual"] = rng.integers(0, 30, len(hours))
    hour["registered"] = rng.integers(0, 120, len(hours))
    hour["cnt"] = hour["casual"] + hour["registered"]
    hour.to_csv(folder / "hour.csv", index=False)
    firsts = ["dteday", "season", "yr", "mnth", "holiday", "weekday", "workingday"]
    day = hour.groupby(firsts, as_index=False, sort=False).agg(
        weathersit=("weathersit", "max"), temp=("temp", "mean"), atemp=("atemp", "mean"),
        hum=("hum", "mean"), windspeed=("windspeed", "mean"), casual=("casual", "sum"),
        registered=("registered", "sum"), cnt=("cnt", "sum"),
    )  # fmt: skip
    day.insert(0, "instant", range(1, len(day) + 1))
    day.to_csv(folder / "day.csv", index=False)
    return day


def test_calendar_weather_and_a_total_are_no_products_nor_a_row_number_a_customer(
    tmp_path: Path,
) -> None:
    """byod13a D1, D2: UCI Bike Sharing's day.csv was unpivoted into 9 "products" (mnth,
    workingday, weathersit, atemp, hum, windspeed, casual, registered, cnt: 731 x 9 rows, every
    rental counted twice) and hour.csv became events keyed by its row number ``instant`` (each
    hour a visit of a new customer). The two rider types are now the series, ``cnt`` (their
    sum) and the calendar and weather columns kept beside them, and no row number is a
    customer."""
    day = _bikes(tmp_path)
    (tmp_path / "hour.csv").unlink()  # day.csv alone: beside hour.csv, the finer hour.csv wins
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert "events" not in tables and "users" not in tables
    spec = tables["demand"]
    assert spec["file"] == "day.csv"
    assert [c for c in day.columns if c not in spec["unpivot"]["keep"]] == ["casual", "registered"]
    assert spec["columns"]["event_day"] == "holiday"
    (demand,) = [g for g in plan.guesses if g.table == "demand"]
    assert any("'cnt' holds their sum" in n for n in demand.notes)
    with open_workspace(path) as ws:
        df = ws.to_pandas("demand")
    assert len(df) == 60 * 2
    assert df["quantity"].sum() == day["cnt"].sum()
    assert df.groupby("item_id")["quantity"].sum().to_dict() == {
        "casual": day["casual"].sum(), "registered": day["registered"].sum()
    }  # fmt: skip


def test_hourly_rows_by_a_date_and_an_hour_are_placed_over_the_daily_file(tmp_path: Path) -> None:
    """byod13a D1: hour.csv (a row per ``dteday`` and ``hr``) was "not placed": its dates
    repeat 24 times, read as a long table. The date and the hour now key its rows; it is
    placed as demand by the hour, and day.csv, the same two series summed by day, is left
    out saying why."""
    day = _bikes(tmp_path, days=8)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["demand"]
    assert spec["file"] == "hour.csv"
    assert spec["columns"]["timestamp"] == ["dteday", "hr"]
    assert spec["timestamp_format"] == "%Y-%m-%d %H"
    (demand,) = [g for g in plan.guesses if g.table == "demand"]
    assert any(n.startswith("sales by product across: hourly rows by 'dteday' + 'hr'")
               for n in demand.notes)  # fmt: skip
    (why,) = [w for f, w in plan.unplaced if f == "day.csv"]
    assert why.startswith("the same 2 product columns as hour.csv at a coarser grain (daily rows")
    assert "its first 4 whole periods are the sums of hour.csv's rows" in why
    assert why.endswith("FREQ: D")
    with open_workspace(path) as ws:
        df = ws.to_pandas("demand")
    assert len(df) == 8 * 24 * 2 and df["timestamp"].nunique() == 8 * 24
    assert df["quantity"].sum() == day["cnt"].sum()
    assert df["timestamp"].dt.hour.nunique() == 24
