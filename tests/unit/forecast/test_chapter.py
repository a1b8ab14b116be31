"""The demand chapter's findings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.errors import ConfigError, NothingToAnalyse
from opsai.forecast import fill_gaps
from opsai.forecast.chapter import (
    FAST_MAX_SERIES,
    accuracy_finding,
    cap_finding,
    coverage_finding,
    empty_periods_finding,
    fit_backtest,
    pattern_finding,
    series_cap,
    stores_finding,
)
from opsai.forecast.series import HierarchicalSeries, cap_items, hierarchy

pytestmark = pytest.mark.unit


def test_weeks_missing_from_the_export_are_named() -> None:
    """A weekly export without its rows of two weeks: zero-filled, and said so."""
    weeks = pd.date_range("2024-01-01", periods=8, freq="W-MON")
    rows = [(i, w, 5.0) for i in ("A", "B") for k, w in enumerate(weeks) if k not in (2, 5)]
    raw = pd.DataFrame(rows, columns=[ITEM_ID, TIMESTAMP, QUANTITY])
    bottom = fill_gaps(raw, freq="W")
    f = empty_periods_finding(bottom, freq="W")
    assert f is not None and f.severity == "medium" and f.name == "empty_periods"
    assert f.text.startswith("2 of 8 weeks inside the data's span have no sales of any item ")
    assert "(2024-01-15, 2024-02-05)" in f.text
    assert (
        empty_periods_finding(fill_gaps(raw[raw[ITEM_ID] == "A"].iloc[:2], freq="W"), freq="W")
        is None
    )


def test_coverage_finding_names_safety_stocks_only_when_there_is_stock() -> None:
    with_stock = coverage_finding(0.74, model="Theta").text
    assert with_stock.endswith("(too narrow); safety stocks are sized from them.")
    assert coverage_finding(0.74, model="Theta", stock=False).text.endswith("(too narrow).")


def test_pattern_finding_writes_thousands_as_the_others_do() -> None:
    patterns = pd.DataFrame({"pattern": ["lumpy"] * 13314 + ["smooth"]})
    assert pattern_finding(patterns).text.startswith("13,314 of 13,315 items (100%) sell")


def test_series_cap_reads_max_series_and_names_the_parameter() -> None:
    assert series_cap(500) == 500 and series_cap(0) is None  # 0: every item
    assert series_cap(500, fast=True) == series_cap(0, fast=True) == FAST_MAX_SERIES
    assert series_cap(10, fast=True) == 10
    for bad in [-1, 2.5, "2000", True, None]:
        with pytest.raises(
            ConfigError, match=r"chapters\.04_demand_inventory\.parameters\.MAX_SERIES"
        ):
            series_cap(bad)


def _capped(max_items: int, keep: list[str]) -> HierarchicalSeries:
    ts = pd.date_range("2024-01-01", periods=2, freq="D")
    units = {"a": 50.0, "b": 30.0, "c": 15.0, "d": 5.0}
    df = pd.DataFrame(
        [{ITEM_ID: k, TIMESTAMP: t, QUANTITY: v / 2} for k, v in units.items() for t in ts]
    )
    cats = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    out, cats2, left = cap_items(df, cats, max_items=max_items, keep=keep)
    return hierarchy(out, cats2, left_out=left)


def test_cap_finding_says_how_many_items_and_units_were_left_out_and_how_to_change_it() -> None:
    f = cap_finding(_capped(2, []), cap=2)
    assert f is not None and f.name == "series_cap" and f.severity == "low"
    assert "the 2 items that sell the most units of 4" in f.text
    assert "other 2 (20.0% of units sold)" in f.text and "category and total" in f.text
    assert "parameters.MAX_SERIES (now 2; 0: every item)" in f.text
    assert f.evidence["left_out"] == 2 and f.evidence["left_out_units_share"] == 0.2
    assert cap_finding(_capped(4, []), cap=4) is None  # nothing left out: no finding


def test_cap_finding_names_stocked_items_beyond_the_cap_that_get_no_policy() -> None:
    f = cap_finding(_capped(1, ["c", "d"]), cap=1, fast=True, stocked=["c", "d"])
    assert f is not None and f.severity == "medium"
    assert "(items with an inventory row first)" in f.text
    assert "1 of them with an inventory row no stock policy (d)" in f.text  # c was kept
    assert f"run without --fast (FAST forecasts at most {FAST_MAX_SERIES} items)" in f.text


def test_cap_finding_names_the_categories_forecast_as_one() -> None:
    ts = pd.date_range("2024-01-01", periods=2, freq="D")
    df = pd.DataFrame([{ITEM_ID: k, TIMESTAMP: t, QUANTITY: 1.0} for k in "abc" for t in ts])
    out, cats, left = cap_items(df, pd.Series({"a": "x", "b": "y", "c": "z"}), max_items=1)
    f = cap_finding(hierarchy(out, cats, left_out=left), cap=1)
    assert f is not None and "the 2 of 3 categories none of whose items is kept" in f.text
    assert "'(other categories)'" in f.text and f.evidence["merged_categories"] == 2


def _board(wape: float, mase: float, naive_mase: float = 1.2) -> pd.DataFrame:
    return pd.DataFrame({"level": ["item", "item"], "model": ["Theta", "SeasonalNaive"],
                         "mase": [mase, naive_mase], "smape": [40.0, 55.0],
                         "wape": [wape, 1.5], "bias": [0.1, 0.2]})  # fmt: skip


def test_accuracy_finding_warns_when_point_forecasts_are_rough() -> None:
    """WAPE 138% at item level is no 'info': the errors are as large as the demand."""
    ok = accuracy_finding(_board(0.3, 0.8), h=28, n_windows=3)
    assert ok.severity == "info" and "33% lower MASE than the seasonal naive." in ok.text
    rough = accuracy_finding(_board(0.62, 0.8), h=28, n_windows=3, stock=False)
    assert rough.severity == "low"
    assert rough.text.endswith(
        "Errors half the demand or more make item-level point forecasts rough: plan on the 95% "
        "intervals, and read trends at a higher level."
    )
    worst = accuracy_finding(_board(1.38, 0.8), h=28, n_windows=3)
    assert worst.severity == "medium" and "WAPE 138%" in worst.text
    assert "as large as the demand itself" in worst.text and "(the safety stocks do)" in worst.text
    total = _board(1.1, 0.8).assign(level="total")
    assert accuracy_finding(total, h=28, n_windows=3, level="total").text.endswith(
        "(the safety stocks do)."
    )
    lost = accuracy_finding(_board(0.3, 1.3), h=28, n_windows=3)
    assert lost.severity == "medium" and "No model beat the seasonal naive" in lost.text
    assert lost.evidence == {"model": "Theta", "mase": 1.3, "smape": 40.0, "wape": 0.3, "bias": 0.1}


def test_accuracy_finding_leaves_smape_out_of_mostly_zero_series() -> None:
    """sMAPE scores a period without a sale 200% against any forecast above 0: 196.8% on a
    spare-parts export said nothing about the models. From half the actuals at 0 the text
    leaves it out and says why; the evidence keeps it."""
    from opsai.forecast.chapter import zero_share

    cv = pd.DataFrame({ITEM_ID: ["a"] * 4 + ["b"] * 4 + ["t"] * 4,
                       QUANTITY: [0, 0, 0, 2, 0, 0, 1, 0, 3, 1, 1, 2.0]})  # fmt: skip
    tags = {"item": ["a", "b"], "total": ["t"]}
    assert zero_share(cv, tags, "item") == 0.75 and zero_share(cv, tags, "total") == 0.0
    assert zero_share(cv, tags, "category") is None
    sparse = accuracy_finding(_board(0.3, 0.8), h=28, n_windows=3, zeros=0.75)
    assert "sMAPE 40.0%" not in sparse.text
    assert "best: MASE 0.80, WAPE 30%, 33% lower MASE than the seasonal naive." in sparse.text
    assert sparse.text.endswith(
        " sMAPE is left out: 75% of the backtest's item-level periods sold nothing, and sMAPE "
        "counts each of them as a 200% error against any forecast above 0."
    )
    assert sparse.evidence["smape"] == 40.0 and sparse.evidence["zero_share"] == 0.75
    dense = accuracy_finding(_board(0.3, 0.8), h=28, n_windows=3, zeros=0.2)
    assert "MASE 0.80, sMAPE 40.0%, WAPE 30%" in dense.text and "left out" not in dense.text


def test_stores_finding_says_the_chain_is_summed(tmp_path: Path) -> None:
    from opsai.data import open_workspace
    from tests.conftest import write_dataset

    rows = "item_id,timestamp,quantity,store\n" + "".join(
        f"i{j},2024-01-0{d},{q},{s}\n"
        for j in (1, 2)
        for d in (1, 2)
        for s, q in (("Taipei", 5), ("Xinyi", 2))
    )
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        f = stores_finding(ws)
        assert f is not None and f.evidence == {"stores": 2, "largest": "Taipei"}
        assert f.text == (
            "The demand table holds 2 stores (Taipei, Xinyi); their sales are summed per item, so "
            "forecasts, safety stocks and reorder points are for the whole chain. To plan one "
            "store, set SERIES_FILTER to 'store=Taipei' (alternatives with |)."
        )
        assert stores_finding(ws, {"store": ["Xinyi"]}) is None  # one store picked already
    one = write_dataset(
        tmp_path / "one", {"demand.csv": rows.replace("Xinyi", "Taipei")}, {"demand": {}}
    )
    with open_workspace(one) as ws:
        assert stores_finding(ws) is None


def test_stores_finding_warns_when_stock_is_one_store(tmp_path: Path) -> None:
    """Stock kept to one location by where, demand summed over every store: the plan would
    hold one store's stock against the chain's sales."""
    from opsai.data import open_workspace
    from tests.conftest import write_dataset

    rows = "item_id,timestamp,quantity,store\ni1,2024-01-01,5,Taipei\ni1,2024-01-01,2,Xinyi\n"
    stock = "item_id,on_hand,loc\ni1,10,Taipei\ni1,4,Xinyi\n"
    tables = {"demand": {}, "inventory": {"where": "loc = 'Taipei'"}}
    cfg = write_dataset(tmp_path, {"demand.csv": rows, "inventory.csv": stock}, tables)
    with open_workspace(cfg) as ws:
        f = stores_finding(ws)
        assert f is not None and f.severity == "medium"
        assert f.evidence["inventory_where"] == "loc = 'Taipei'"
        assert (
            "inventory keeps only the rows of data.tables.inventory.where (loc = 'Taipei')"
            in f.text
        )
        assert stores_finding(ws, {"store": ["Taipei"]}) is None


def test_without_item_ids_there_is_no_item_level_to_report() -> None:
    """Invoices that name no item: one series of all sales, which the total repeats; the
    findings speak of that series, not of '0 of 1 items', and not twice."""
    from opsai.forecast.chapter import finding_levels
    from opsai.forecast.intermittent import demand_patterns
    from opsai.forecast.series import ALL_ITEMS

    ts = pd.date_range("2024-01-01", periods=40, freq="D")
    df = pd.DataFrame({ITEM_ID: ALL_ITEMS, TIMESTAMP: ts, QUANTITY: [3.0, 0.0, 5.0, 4.0] * 10})
    hs = hierarchy(df, None)
    assert finding_levels(hs) == ["total"]
    f = pattern_finding(demand_patterns(hs.bottom))
    assert f.text.startswith(
        "The data names no items, so demand is one series of all sales; its pattern is "
    )
    assert "0 of 1" not in f.text
    two = pd.concat([df, df.assign(**{ITEM_ID: "tea"})])
    assert finding_levels(hierarchy(two, None)) == ["total", "item"]


def _weekly_rows(dates: pd.DatetimeIndex) -> str:
    return "item_id,timestamp,quantity\n" + "".join(
        f"{i},{d:%Y-%m-%d},{q}\n" for d in dates for i, q in (("a", 100), ("b", 40))
    )


def test_auto_freq_reads_a_weekly_export_as_weekly_and_says_so(tmp_path: Path) -> None:
    """D8: a Walmart weekly export (every date a Friday) at FREQ 'D' read as '852 of 995 days
    have no sales' and '25 of 25 items intermittent'. 'auto' (the default) picks W."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import resolve_freq
    from tests.conftest import write_dataset

    fridays = pd.date_range("2010-02-05", periods=20, freq="7D").delete(7)  # one week missing
    cfg = write_dataset(tmp_path, {"demand.csv": _weekly_rows(fridays)}, {"demand": {}})
    with open_workspace(cfg) as ws:
        freq, f = resolve_freq(ws, "auto")
        assert freq == "W" and f is not None and f.name == "frequency" and f.severity == "info"
        assert f.evidence["freq"] == "W" and f.evidence["missing"] == 1
        assert f.text == (
            "Every date in the demand table is a Friday, 7 days apart (19 dates from 2010-02-05 "
            "to 2010-06-18, 1 week missing): the data is weekly, so FREQ 'auto' made weekly "
            "series (weeks starting on Monday; HORIZON counts weeks; left at 0 it is 13). Set "
            "FREQ to D, W or M to choose another."
        )
        assert build_series(ws, freq=freq).bottom[TIMESTAMP].nunique() == 20  # the gap filled
        assert resolve_freq(ws, "W") == ("W", None)
        assert resolve_freq(ws, "M") == ("M", None)  # coarser than the data: a choice
        kept, hint = resolve_freq(ws, "D")  # finer than the data: kept, and named
        assert kept == "D" and hint is not None and hint.severity == "high"
        assert "but FREQ is 'D'" in hint.text
        assert "Set FREQ: W under chapters.04_demand_inventory.parameters" in hint.text
        with pytest.raises(
            ConfigError, match=r"FREQ must be 'auto', 'H', 'D', 'W' or 'M', got 'w'"
        ):
            resolve_freq(ws, "w")
        # read daily, the empty days name the weekly dates and the parameter to set
        bottom = build_series(ws, freq="D").bottom
        empty = empty_periods_finding(bottom, freq="D")
        assert empty is not None and empty.severity == "low"
        assert empty.evidence["data_freq"] == "W" and empty.evidence["periods"] == 134 - 19
        assert "every day with a sale is a Friday" in empty.text
        assert "Set FREQ: W under chapters.04_demand_inventory.parameters" in empty.text
        assert "missing from the export" not in empty.text


def test_auto_freq_monthly_and_daily(tmp_path: Path) -> None:
    from opsai.data import open_workspace
    from opsai.forecast.chapter import resolve_freq
    from opsai.forecast.series import data_freq
    from tests.conftest import write_dataset

    month_ends = pd.date_range("2023-01-31", periods=12, freq="ME")
    cfg = write_dataset(tmp_path, {"demand.csv": _weekly_rows(month_ends)}, {"demand": {}})
    with open_workspace(cfg) as ws:
        freq, f = resolve_freq(ws, "auto")
        assert freq == "M" and f is not None
        assert f.text.startswith(
            "Every date in the demand table falls on the last day of a month, one a month (12 "
            "dates from 2023-01-31 to 2023-12-31, no month missing): the data is monthly"
        )
        assert resolve_freq(ws, "W")[1] is not None  # weeks finer than months
    days = pd.date_range("2024-01-01", periods=30).delete([5, 6, 12, 13])
    daily = write_dataset(tmp_path / "d", {"demand.csv": _weekly_rows(days)}, {"demand": {}})
    with open_workspace(daily) as ws:
        assert resolve_freq(ws, "auto") == ("D", None)
    assert data_freq(pd.to_datetime(["2024-01-05", "2024-01-12", "2024-01-19"])) is None  # too few
    assert data_freq(pd.date_range("2024-01-01", periods=6, freq="MS"))["day"] == "the 1st"


def test_empty_days_of_a_weekly_export_name_the_freq_to_set() -> None:
    fridays = pd.date_range("2010-02-05", periods=10, freq="7D")
    raw = pd.DataFrame({ITEM_ID: "a", TIMESTAMP: fridays, QUANTITY: 5.0})
    f = empty_periods_finding(fill_gaps(raw, freq="D"), freq="D")
    assert f is not None and f.severity == "low" and f.evidence["data_freq"] == "W"
    assert f.text == (
        "54 of 64 days inside the data's span have no sales of any item (2010-02-06, "
        "2010-02-07, 2010-02-08, 2010-02-09, 2010-02-10, ...): every day with a sale is a Friday, "
        "so the data is weekly and FREQ 'D' reads the days between as days without a sale. Set "
        "FREQ: W under chapters.04_demand_inventory.parameters (or leave FREQ at its default, "
        "'auto')."
    )


def test_horizon_zero_is_read_from_the_frequency() -> None:
    """HORIZON 28 meant 28 months on a monthly export: 84 months of backtest windows."""
    from opsai.forecast.chapter import resolve_horizon

    assert [resolve_horizon(0, f) for f in ("D", "W", "M")] == [28, 13, 6]
    assert resolve_horizon(10, "M") == 10
    with pytest.raises(ConfigError, match="HORIZON must be 0"):
        resolve_horizon(-1, "D")


def test_demand_from_events_names_the_purchase_event_it_read(tmp_path: Path) -> None:
    """Demand built from events: the chapter said nothing of which event it counted, so a
    game export read as 'iap_purchase' could not be told from one read as 'purchase'."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import demand_source_finding
    from tests.conftest import write_dataset

    names = ["ad_view", "iap_purchase", "iap_purchase", "purchase_failed", "iap_purchase"]
    rows = "user_id,timestamp,event,item_id\n" + "".join(
        f"u{k},2024-01-0{k + 1},{e},gems\n" for k, e in enumerate(names)
    )
    cfg = write_dataset(tmp_path, {"events.csv": rows}, {"events": {}})
    with open_workspace(cfg) as ws:
        f = demand_source_finding(ws)
        assert f is not None and f.name == "demand_source" and f.severity == "low"
        assert f.evidence == {"event": "iap_purchase", "rows": 3, "purchase_event": "purchase"}
        assert f.text == (
            "No demand or orders table: 3 'iap_purchase' events are read as demand, each one "
            "unit sold (the events have no 'quantity'). There is no 'purchase' event: "
            "'iap_purchase' is the one whose name says purchase; set PURCHASE_EVENT under "
            "chapters.04_demand_inventory.parameters to read another."
        )
        assert build_series(ws, freq="D").bottom["quantity"].sum() == 3  # what it says it read
        named = demand_source_finding(ws, purchase="iap_purchase")
        assert named is not None and named.severity == "info"
        assert named.text.startswith("No demand or orders table: 3 'iap_purchase' events are")
        assert "There is no" not in named.text
    qty = rows.replace("item_id\n", "item_id,quantity\n").replace("gems\n", "gems,2\n")
    qty = qty.replace("iap_purchase", "transaction")  # RetailRocket's name: a purchase
    cfg = write_dataset(tmp_path / "qty", {"events.csv": qty}, {"events": {}})
    with open_workspace(cfg) as ws:
        f = demand_source_finding(ws)
        assert f is not None and f.evidence["event"] == "transaction" and f.severity == "info"
        assert f.text == (
            "No demand or orders table: 3 'transaction' events are read as demand, each selling "
            "its 'quantity'."
        )
    both = {"events.csv": rows, "orders.csv": "user_id,timestamp,amount\nu1,2024-01-02,5\n"}
    cfg = write_dataset(tmp_path / "orders", both, {"events": {}, "orders": {}})
    with open_workspace(cfg) as ws:
        assert demand_source_finding(ws) is None  # orders are read as they are


def test_promo_uplift_is_measured_per_item_store_and_named(tmp_path: Path) -> None:
    """byod8: Favorita's onpromotion doubled sales (median per item-store ratio 1.98) and the
    report only used promo as a model feature. Here a doubles, b sells 1.5x, c 3x on promotion
    days in both stores; d has too few promotion days; empty promo values are left out."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import promo_finding, promo_uplift
    from tests.conftest import write_dataset

    lift = {"a": (10, 20), "b": (10, 15), "c": (4, 12), "d": (10, 50)}
    lines = []
    for item, (base, promo) in lift.items():
        for store in ("s1", "s2"):
            for day in range(1, 11):
                on = day <= (2 if item == "d" else 4)
                lines.append(f"{item},2024-01-{day:02d},{promo if on else base},{store},{int(on)}")
            lines.append(f"{item},2024-01-11,999,{store},")  # no promo value: not counted
    rows = "item_id,timestamp,quantity,store,promo\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        u = promo_uplift(ws)
        assert promo_uplift(ws, {"store": ["s1"]})[ITEM_ID].tolist() == ["a", "b", "c"]
    u = u.sort_values([ITEM_ID, "store"], ignore_index=True)
    assert u[ITEM_ID].tolist() == ["a", "a", "b", "b", "c", "c"]  # d: 2 promotion days only
    assert u["ratio"].tolist() == pytest.approx([2.0, 2.0, 1.5, 1.5, 3.0, 3.0])
    # Fri-Sun never have a promotion: only Mon-Thu are compared (byod9a D15)
    assert u[["days_promo", "days_other"]].drop_duplicates().values.tolist() == [[4, 3]]
    f = promo_finding(u, seed=0)
    assert f is not None and f.name == "promo_uplift" and f.severity == "medium"
    ev = f.evidence
    assert (ev["median_ratio"], ev["iqr"], ev["pairs"], ev["share_up"]) == (
        2.0,
        [1.625, 2.75],
        6,
        1.0,
    )
    assert 1.5 <= ev["ci95"][0] <= 2.0 <= ev["ci95"][1] <= 3.0
    assert (ev["largest"], ev["largest_ratio"], ev["smallest"], ev["smallest_ratio"]) == (
        "c",
        3.0,
        "b",
        1.5,
    )
    assert f.text.startswith(
        "Promotions go with higher sales: on promotion days an item sold a median 2.00x its mean "
        "units on other days in the same store (over 6 item-stores with both; 95% interval of "
        f"that median {ev['ci95'][0]:.2f}x to {ev['ci95'][1]:.2f}x; the middle half of "
        "item-stores 1.62x to 2.75x; 100% sold more on promotion). Largest uplift: c (3.00x, "
        "median over its stores); smallest: b (1.50x)."
    )
    assert "not a tested effect" in f.text
    assert promo_finding(u.iloc[:4]) is None  # too few item-stores to say
    flat = write_dataset(
        tmp_path / "flat", {"demand.csv": rows.replace(",1\n", ",0\n")}, {"demand": {}}
    )
    with open_workspace(flat) as ws:  # promo never varies: nothing to compare
        assert promo_uplift(ws).empty


def test_closed_days_are_neither_demand_nor_days_without_promotion(tmp_path: Path) -> None:
    """byod9a D15/D5: Rossmann kept its closed days (Sales 0, never on promotion: Sundays,
    holidays) and the uplift read 1.83x for 1.4x; a store closed for weeks went unnamed.
    Six stores (each a series) sell b on Mon-Fri, 0.8b on Saturdays and 1.4b on promotion
    days (Mon-Fri of every other week); all close on Sundays and on a holiday in a promotion
    week; s5 is closed 2024-01-22..2024-02-11."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import closed_stretches, closures_finding, promo_uplift
    from tests.conftest import write_dataset

    lines = []
    for k in range(6):
        for d in pd.date_range("2024-01-01", periods=70):
            on = (d - pd.Timestamp("2024-01-01")).days // 7 % 2 == 0 and d.day_of_week < 5
            q = 100 * (k + 1) * (1.4 if on else 0.8 if d.day_of_week == 5 else 1.0)
            shut = d.day_of_week == 6 or d == pd.Timestamp("2024-01-03")
            shut |= k == 5 and pd.Timestamp("2024-01-22") <= d <= pd.Timestamp("2024-02-11")
            lines.append(f"s{k},{d:%Y-%m-%d},{0 if shut else q:g},{int(on)}")
    rows = "item_id,timestamp,quantity,promo\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        gaps = closed_stretches(build_series(ws, freq="D").bottom, freq="D")
        u = promo_uplift(ws, gaps=gaps)
    assert gaps[[ITEM_ID, "span", "periods"]].values.tolist() == [["s5", 20, 18]]
    assert (gaps["start"].iloc[0], gaps["end"].iloc[0]) == (
        pd.Timestamp("2024-01-22"),
        pd.Timestamp("2024-02-10"),  # the last day another store sold (Sunday the 11th: none)
    )
    assert u["ratio"].tolist() == pytest.approx([1.4] * 6)  # was 1.83 with the closed days
    assert {k: v for k, v in u.attrs.items() if k not in ("on_share", "rate", "row")} == {"weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"], "closed_rows": 21,
                       "empty_as_none": 0}  # fmt: skip
    f = closures_finding(gaps, freq="D")
    assert f is not None and f.name == "closed_stretches" and f.severity == "medium"
    assert f.text.startswith(
        "1 long stretch(es) without a sale while the other series sold: s5 from 2024-01-22 to "
        "2024-02-10 (20 days, 18 of them with sales elsewhere; 690.7 a day otherwise)."
    )
    assert closures_finding(gaps.iloc[:0]) is None
    from opsai.forecast.chapter import promo_finding

    p = promo_finding(u)
    assert (
        p is not None
        and (
            "(Only Mon-Fri, the weekdays promotions run on, were compared; 21 rows on days a store "
            "sold nothing (closed) were left out, neither demand nor days without a promotion.)"
        )
        in p.text
    )


def test_a_price_step_is_named_with_the_sales_before_and_after(tmp_path: Path) -> None:
    """byod9a D7: HOBBIES_1_005's price rose 12.51 -> 18.76 (+50%) and its sales halved; no
    finding said so. Here item a sells 10 a day at 10.00 for 8 weeks, then 5 a day at 15.00
    for 6 weeks, in two stores; b's price wobbles by 5% (no move); c has no price."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import price_finding, price_moves
    from tests.conftest import write_dataset

    lines = []
    for k, d in enumerate(pd.date_range("2024-01-01", periods=98)):
        up = k >= 56
        for store in ("s1", "s2"):
            lines.append(f"a,{store},{d:%Y-%m-%d},{5 if up else 10},{15.0 if up else 10.0}")
            lines.append(f"b,{store},{d:%Y-%m-%d},7,{4.0 if k % 14 < 7 else 4.2}")
            lines.append(f"c,{store},{d:%Y-%m-%d},3,")
    rows = "item_id,store,timestamp,quantity,price\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        m = price_moves(ws)
    assert m[ITEM_ID].tolist() == ["a"]
    r = m.iloc[0]
    assert r["since"] == pd.Timestamp("2024-02-26")
    assert (r["price_before"], r["price_after"], r["rate_before"], r["rate_after"]) == (
        10.0, 15.0, 20.0, 10.0,
    )  # fmt: skip
    assert r["elasticity"] == pytest.approx(-1.7095, abs=1e-4)  # log(0.5) / log(1.5)
    f = price_finding(m, currency="USD")
    assert f is not None and f.name == "price_moves" and f.severity == "medium"
    assert f.text.startswith(
        "The price of 1 item(s) moved by 10% or more to a new level: a from the week of "
        "2024-02-26: price 10.00 -> 15.00 USD (+50%), units a day 20.0 -> 10.0 (-50%). The "
        "median arc elasticity over them is -1.7"
    )
    assert f.evidence["items"] == ["a"] and f.evidence["units_change"] == [-0.5]
    assert "titles" not in f.evidence
    assert price_finding(m.iloc[:0]) is None
    # byod12a D5: with the items' titles, the item is named by its title too
    named = price_finding(m, currency="USD", titles={"a": "Latte Rg", "b": "Tea"})
    assert named is not None and named.text.startswith(
        "The price of 1 item(s) moved by 10% or more to a new level: a (Latte Rg) from the week "
        "of 2024-02-26: price 10.00 -> 15.00 USD"
    )
    assert named.evidence["titles"] == {"a": "Latte Rg"}  # only the items shown
    # rows from ``until`` on (a forward book, the days still filling in) are left out: read
    # until the step, a's price never moved
    with open_workspace(cfg) as ws:
        assert price_moves(ws, until=pd.Timestamp("2024-02-26")).empty
        assert price_moves(ws, until=pd.Timestamp("2024-03-25"))[ITEM_ID].tolist() == ["a"]


def test_a_price_that_rises_every_summer_is_a_season_not_a_new_level(tmp_path: Path) -> None:
    """byod12a D14: a hotel's rates rise 40% every June; with the year before in the data,
    04 said "price moved ... to a new level ... elasticity 0.7". Item h: 100 a night, 140 from
    June to August, both years (the data ends in August); item k: 10.00 to 12.00 for good
    from 2024-05-06, a level it never had, its sales down by a third."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import price_finding, price_moves
    from tests.conftest import write_dataset

    lines = []
    for d in pd.date_range("2023-01-02", "2024-08-25"):
        summer = d.month in (6, 7, 8)
        lines.append(f"h,{d:%Y-%m-%d},{30 if summer else 20},{140.0 if summer else 100.0}")
        up = d >= pd.Timestamp("2024-05-06")
        lines.append(f"k,{d:%Y-%m-%d},{4 if up else 6},{12.0 if up else 10.0}")
    rows = "item_id,timestamp,quantity,price\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        m = price_moves(ws)
    assert m[ITEM_ID].tolist() == ["k"] and m.attrs["seasonal"] == ["h"]
    assert m.iloc[0]["since"] == pd.Timestamp("2024-05-06")
    f = price_finding(m, currency="EUR", titles={"h": "Resort Hotel"})
    assert f is not None and f.evidence["seasonal"] == ["h"]
    assert f.text.endswith(
        "The price of 1 item(s) changed as much at the same weeks a year before (h (Resort "
        "Hotel)): a season, not a new level."
    )
    assert price_finding(pd.DataFrame(columns=m.columns)) is None  # no move, no season
    only = m.iloc[:0].copy()  # every move a season: said on its own
    g = price_finding(only)
    assert g is not None and g.severity == "info" and g.evidence == {"items": [], "seasonal": ["h"]}


def test_a_positive_elasticity_is_said_to_be_no_price_response() -> None:
    from opsai.forecast.chapter import PRICE_MOVE_COLUMNS, price_finding

    m = pd.DataFrame([["a", pd.Timestamp("2024-06-03"), 100.0, 140.0, 0.4, 20.0, 26.0, 0.3,
                       0.78]], columns=PRICE_MOVE_COLUMNS)  # fmt: skip
    f = price_finding(m)
    assert f is not None and (
        "The median arc elasticity over them is 0.8 (units' change over price's, in logs): "
        "positive, sales rose with the price, so something else (a season, a promotion, "
        "demand) moved them; it is no price response." in f.text
    )


def test_items_titles_come_from_the_items_table(tmp_path: Path) -> None:
    """byod12a D5: findings said "item 1" and "3 at Hell's Kitchen" though the items table
    maps titles; a title equal to its id, or empty, names nothing."""
    from opsai.data import open_workspace
    from opsai.forecast import item_titles, titled
    from tests.conftest import write_dataset

    demand = "item_id,timestamp,quantity\n1,2024-01-01,3\n2,2024-01-01,4\n"
    items = "item_id,title\n1,Latte Rg\n2,2\n3,\n"
    cfg = write_dataset(tmp_path, {"demand.csv": demand, "items.csv": items},
                        {"demand": {}, "items": {}})  # fmt: skip
    with open_workspace(cfg) as ws:
        titles = item_titles(ws)
    assert titles == {"1": "Latte Rg"}
    assert (titled(1, titles), titled("2", titles), titled(3, None)) == ("1 (Latte Rg)", "2", "3")


def test_an_item_on_and_off_the_shelf_for_months_is_no_closure() -> None:
    """byod9a D5 follow-up: on the demo an item selling 0.6 a day in blocks, with long breaks
    over half its span, was listed 12 times as 'closed'. Series b sells 2 a day with one
    3-week break (named); c sells 2 a day in alternating 4-week blocks (its pattern, not named)."""
    from opsai.forecast.chapter import closed_stretches

    days = pd.date_range("2024-01-01", periods=196)
    k = np.arange(len(days))
    q = {"a": np.full(len(days), 5.0), "b": np.where((k >= 90) & (k < 111), 0.0, 2.0),
         "c": np.where((k // 28) % 2 == 1, 0.0, 2.0)}  # fmt: skip
    h = pd.concat([pd.DataFrame({ITEM_ID: i, TIMESTAMP: days, QUANTITY: v}) for i, v in q.items()])
    gaps = closed_stretches(h, freq="D")
    assert gaps[[ITEM_ID, "span"]].values.tolist() == [["b", 21]]


def test_event_days_are_read_from_a_sparse_label_column(tmp_path: Path) -> None:
    """byod9a D6: M5's event_name_1 (FOODS sold 2.06x on its 13 event days) reached no
    finding. Food sells 10 a day (20 on the 4 event days), toys 5 a day (5 on event days);
    'note' is set on 40% of days: no calendar."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import event_days, event_finding
    from tests.conftest import write_dataset

    events = {10: "SuperBowl", 30: "Easter", 50: "Easter", 70: "Halloween"}
    lines = []
    for k, d in enumerate(pd.date_range("2024-01-01", periods=84)):
        ev, note = events.get(k, ""), f"n{k}" if k % 5 < 2 else ""
        lines.append(f"food,{d:%Y-%m-%d},{20 if ev else 10},{ev},{note}")
        lines.append(f"toy,{d:%Y-%m-%d},5,{ev},{note}")
    rows = "item_id,timestamp,quantity,event_name,note\n" + "\n".join(lines) + "\n"
    items = "item_id,category\nfood,FOODS\ntoy,HOBBIES\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows, "items.csv": items},
                        {"demand": {}, "items": {}})  # fmt: skip
    with open_workspace(cfg) as ws:
        days = event_days(ws)
        hs = build_series(ws, freq="D")
    assert days is not None and days.name == "event_name" and len(days) == 4
    assert days.iloc[0] == "SuperBowl"
    f = event_finding(hs, days)
    assert f is not None and f.name == "event_days" and f.severity == "medium"
    assert f.evidence["categories"] == {"FOODS": 2.0, "HOBBIES": 1.0}
    assert f.evidence["median_ratio"] == pytest.approx(25 / 15, abs=1e-4)
    assert f.text.startswith(
        "Event days (event_name, 4 days with a label) sold a median 1.67x a usual day of the "
        "same weekday in total; per category: FOODS 2.00x, HOBBIES 1.00x."
    )
    assert event_finding(hs, None) is None


def test_a_closed_stretch_does_not_make_a_store_intermittent() -> None:
    """byod9a D5: Rossmann's store 13 (a series) read 'intermittent' (ADI 1.32) because of its
    92 closed days; without the stretch it is smooth. An item-store's stretch stays."""
    from opsai.forecast import demand_patterns
    from opsai.forecast.chapter import closed_stretches, without_stretches

    days = pd.date_range("2024-01-01", periods=300)
    k = np.arange(len(days))
    q = {"open": np.where(k % 7 == 6, 0.0, 50.0),
         "shut": np.where((k % 7 == 6) | ((k >= 100) & (k < 190)), 0.0, 50.0)}  # fmt: skip
    h = pd.concat([pd.DataFrame({ITEM_ID: i, TIMESTAMP: days, QUANTITY: v}) for i, v in q.items()])
    gaps = closed_stretches(h, freq="D")
    assert gaps[ITEM_ID].tolist() == ["shut"]
    assert demand_patterns(h).set_index(ITEM_ID).loc["shut", "pattern"] == "intermittent"
    kept = without_stretches(h, gaps)
    assert len(h) - len(kept) == int(gaps["span"].iloc[0])
    assert demand_patterns(kept).set_index(ITEM_ID)["pattern"].tolist() == ["smooth", "smooth"]
    assert len(without_stretches(h, gaps.assign(store="CA_1"))) == len(h)


def test_a_short_history_gets_a_shorter_backtest_or_a_skip() -> None:
    """byod9a D14: Taobao's 10 days of 'buy' events failed 04 with "3 windows of h=28 need
    more than 85 periods", then (HORIZON 2, N_WINDOWS 2) with an error naming min_train, no
    parameter of the chapter. The windows shrink to what the history allows, 8 days to learn
    from before each, with a finding; under 9 days the chapter is skipped with the reason."""
    days = pd.date_range("2017-11-25", periods=10, freq="D")
    df = pd.DataFrame({ITEM_ID: "a", TIMESTAMP: days, QUANTITY: 1.0})
    h, n, f = fit_backtest(df, 28, 3, "D")
    assert (h, n) == (1, 2) and f is not None and f.evidence["asked"] == [28, 3]
    assert f.text.startswith(
        "The data holds 10 days of demand (2017-11-25 to 2017-12-04): too short for 3 backtest "
        "windows of 28 days, each after at least 8 days to learn from. The backtest uses 2 "
        "window(s) of 1 day(s) and the forecast looks 1 day(s) ahead"
    )
    long = pd.DataFrame(
        {ITEM_ID: "a", TIMESTAMP: pd.date_range("2024-01-01", periods=40), QUANTITY: 1.0}
    )
    assert fit_backtest(long, 28, 3, "D")[:2] == (10, 3)  # 32 days to test on: 3 of 10
    assert fit_backtest(long, 7, 3, "D") == (7, 3, None)  # fits: as asked
    with pytest.raises(NothingToAnalyse, match=r"8 days of demand \(2017-11-25 to 2017-12-02\): "
                       r"too short to backtest a forecast, which needs at least 9 days"):  # fmt: skip
        fit_backtest(df.iloc[:8], 28, 3, "D")


def test_a_promo_price_on_promoted_rows_only_still_gives_the_uplift(tmp_path: Path) -> None:
    """byod9b D14: promo mapped to a scanner export's 'Any Promo Price' (a price on promoted
    weeks, empty otherwise) validated silently and the promotion finding vanished: no row
    said 'no promotion'. Its empty rows now read as none (as the forecasting models read
    them), the finding says so, and validation names the values above 1."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import promo_finding, promo_uplift
    from tests.conftest import write_dataset

    lines = []
    for k in range(6):  # weekly rows (Saturdays), every third week on promotion at 3.99
        for w, d in enumerate(pd.date_range("2024-01-06", periods=30, freq="W-SAT")):
            on = w % 3 == 0
            lines.append(
                f"u{k},{d:%Y-%m-%d},{(2 if on else 1) * 10 * (k + 1)},{'3.99' if on else ''}"
            )
    rows = "item_id,timestamp,quantity,promo\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        said = [w for w in ws.warnings if w.column == "promo"]
        u = promo_uplift(ws)
    assert len(said) == 1 and said[0].count == 60
    assert "60 row(s) hold promo values above 1 (up to 3.99)" in said[0].message
    assert u["ratio"].tolist() == pytest.approx([2.0] * 6)
    assert u.attrs["weekdays"] == [] and u.attrs["closed_rows"] == 0
    assert u.attrs["empty_as_none"] == 120 and u.attrs["row"] == "week"  # weekly rows
    f = promo_finding(u)
    assert f is not None and "its 120 empty rows read as days without a promotion" in f.text
    assert "on promotion weeks an item sold a median 2.00x its mean units on other weeks" in f.text
    assert "the weekdays promotions run on" not in f.text  # weekly rows: no weekday limit


def test_a_discount_written_as_a_negative_amount_is_a_promotion(tmp_path: Path) -> None:
    """byod10a D18: Dunnhumby's RETAIL_DISC (-0.60 off the line on 20% of lines, 0 elsewhere,
    never above 0) mapped as promo validated silently and read as never on promotion: the
    2x uplift vanished. A promo below 0 and never above is a discount, a promotion where set,
    in validation, the uplift and the models' promo feature alike."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import promo_finding, promo_uplift
    from opsai.forecast.series import aggregate_demand
    from tests.conftest import write_dataset

    lines = []
    for k in range(6):  # every fourth day discounted by 0.60 (item u0: 1.20) and selling 2x
        for i, d in enumerate(pd.date_range("2024-01-01", periods=28)):
            on = i % 4 == 0
            disc = f"-{0.6 * (2 if k == 0 else 1):.2f}" if on else "0"
            lines.append(f"u{k},{d:%Y-%m-%d},{(2 if on else 1) * 10 * (k + 1)},{disc}")
    rows = "item_id,timestamp,quantity,RETAIL_DISC\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(
        tmp_path, {"demand.csv": rows}, {"demand": {"columns": {"promo": "RETAIL_DISC"}}}
    )
    with open_workspace(cfg) as ws:
        said = [w for w in ws.warnings if w.column == "promo"]
        u = promo_uplift(ws)
        df = aggregate_demand(ws, freq="D")
        weekly = aggregate_demand(ws, freq="W")
    assert len(said) == 1 and said[0].count == 42
    assert said[0].message.startswith(
        "42 of 168 rows (25%) hold promo values below 0 (down to -1.2) and none above 0: a "
        "discount written as a negative amount"
    )
    assert u["ratio"].tolist() == pytest.approx([2.0] * 6)
    assert {k: v for k, v in u.attrs.items() if k not in ("on_share", "rate", "row")} == {
        "weekdays": [],
        "closed_rows": 0,
        "empty_as_none": 0,
        "discount": 42,
    }
    f = promo_finding(u, seed=0)
    assert f is not None and f.evidence["median_ratio"] == 2.0
    assert "its 42 rows below 0 read as promotion rows" in f.text
    assert sorted(df["promo"].unique().tolist()) == [0.0, 1.0]  # the models' feature: a flag
    assert df["promo"].sum() == 42
    first = weekly[(weekly[ITEM_ID] == "u0") & (weekly[TIMESTAMP] == "2024-01-01")]
    assert first["promo"].tolist() == pytest.approx([2 / 7])  # Jan 1 and 5 of the week


def test_store_series_are_called_stores(tmp_path: Path) -> None:
    """byod9a D16: Rossmann's sales per store and day (item_id: Store) read "on promotion days
    an item sold a median 1.41x ... Largest uplift: 19", "1 of 20 items (5%) sell
    intermittently", "149 of 941 days ... have no sales of any item". One noun, chosen once
    (series_noun), names the series: 'store' when item_id is the store column (by its name, or
    mapped to the same column as store), else 'item'."""
    import duckdb
    import yaml

    from opsai.data import open_workspace
    from opsai.forecast import build_series, demand_patterns
    from opsai.forecast.chapter import (
        accuracy_finding,
        empty_periods_finding,
        pattern_finding,
        promo_finding,
        promo_uplift,
        series_noun,
    )
    from tests.conftest import write_dataset

    lines = []
    for k in range(6):
        for d in pd.date_range("2024-01-01", periods=28):
            on = d.day % 2 == 0
            if d != pd.Timestamp("2024-01-10"):  # no store sold that day
                lines.append(f"{k + 1},{d:%Y-%m-%d},{100 * (k + 1) * (1.5 if on else 1)},{int(on)}")
    rows = "Store,Date,Sales,Promo\n" + "\n".join(lines) + "\n"
    cols = {"item_id": "Store", "timestamp": "Date", "quantity": "Sales", "promo": "Promo"}
    cfg = write_dataset(
        tmp_path, {"train.csv": rows}, {"demand": {"file": "train.csv", "columns": cols}}
    )
    with open_workspace(cfg) as ws:
        noun = series_noun(ws)
        u = promo_uplift(ws)
        bottom = build_series(ws, freq="D").bottom
        ws.export(tmp_path / "copy.duckdb")  # a report's copy: its config maps nothing
        with duckdb.connect(str(tmp_path / "copy.duckdb")) as con:
            ws.save_source_columns(con)
    assert noun == "store"
    copy = {"data": {"source": str(tmp_path / "copy.duckdb"), "tables": {"demand": {}}}}
    (tmp_path / "copy.yaml").write_text(yaml.safe_dump(copy))
    with open_workspace(tmp_path / "copy.yaml") as ws:  # the chapter's kernel: still stores
        assert ws.source_columns("demand")["item_id"] == "Store" and series_noun(ws) == "store"
    p = promo_finding(u, noun=noun)
    assert p is not None and p.text.startswith(
        "Promotions go with higher sales: on promotion days a store sold a median 1.50x its mean "
        "units on other days (over 6 stores with both; 95% interval of that median 1.50x to "
        "1.50x; the middle half of stores 1.50x to 1.50x; 100% sold more on promotion). Largest "
        "uplift: store "
    )
    assert p.evidence["largest"] in {"1", "2", "3", "4", "5", "6"}  # the id, without the noun
    e = empty_periods_finding(bottom, freq="D", noun=noun)
    assert e is not None and e.text.startswith(
        "1 of 28 days inside the data's span have no sales of any store (2024-01-10)"
    )
    f = pattern_finding(demand_patterns(bottom), noun=noun)
    assert f.text.startswith("0 of 6 stores (0%) sell intermittently")
    board = pd.DataFrame({"level": ["item"], "model": ["Theta"], "mase": [0.4], "smape": [30.0],
                          "wape": [0.1], "bias": [0.0]})  # fmt: skip
    a = accuracy_finding(board, h=7, n_windows=2, noun=noun)
    assert "Theta forecast store-level demand best" in a.text and a.name == "accuracy_item"
    same = cols | {"store": "Store"}  # store and item_id the same column: stores too
    spec = {"file": "train.csv", "columns": same}
    with open_workspace(
        write_dataset(tmp_path / "same", {"train.csv": rows}, {"demand": spec})
    ) as ws:
        assert series_noun(ws) == "store"
    items = rows.replace("Store,", "article,", 1)  # an item column: items
    spec = {"file": "train.csv", "columns": cols | {"item_id": "article"}}
    with open_workspace(
        write_dataset(tmp_path / "items", {"train.csv": items}, {"demand": spec})
    ) as ws:
        assert series_noun(ws) == "item"
        u = promo_uplift(ws)
    p = promo_finding(u)
    assert p is not None and "on promotion days an item sold" in p.text and "over 6 items" in p.text


def _closed_store_series() -> HierarchicalSeries:
    """'open' sells 50 a day; 'shut' 60 on Mondays and 50 on other days, closed days 100-189;
    every Sunday both sell nothing (a closure of all: stays 0)."""
    days = pd.date_range("2024-01-01", periods=300)  # a Monday
    k = np.arange(len(days))
    shut = np.where(days.day_of_week == 0, 60.0, 50.0)
    q = {"open": np.where(k % 7 == 6, 0.0, 50.0),
         "shut": np.where((k % 7 == 6) | ((k >= 100) & (k < 190)), 0.0, shut)}  # fmt: skip
    h = pd.concat([pd.DataFrame({ITEM_ID: i, TIMESTAMP: days, QUANTITY: v}) for i, v in q.items()])
    return hierarchy(h, levels=("item", "total"), freq="D")


def test_a_closed_store_is_trained_on_its_level_before_not_on_zeros() -> None:
    """byod9a D5: Rossmann store 13 (a series), closed 92 days, was 92 days of zero demand for
    every model (its GBM forecast 6,474 a day against 6,996 after the fix). Its closed days
    take its mean of the same weekday before the closure (Mondays 60, others 50; Sundays,
    closed everywhere, stay 0); the total takes the same amounts; the periods are listed."""
    from opsai.forecast.chapter import closed_stretches, closures_finding, fill_closures

    hs = _closed_store_series()
    gaps = closed_stretches(hs.bottom, freq="D")
    out = fill_closures(hs, gaps)
    y = out.df[out.df[ITEM_ID] == "shut"].set_index(TIMESTAMP)[QUANTITY]
    inside = y["2024-04-10":"2024-07-08"]  # days 100-189
    dow = inside.index.day_of_week
    assert (inside[dow == 0] == 60).all() and (inside[dow == 6] == 0).all()
    assert (inside[(dow > 0) & (dow < 6)] == 50).all()
    before = hs.df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY]
    after = out.df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY]
    added = (after - before)[after != before]
    assert float(added.loc["total"].sum()) == float(added.loc["shut"].sum()) == 77 * 50 + 13 * 10
    assert sorted(set(out.filled[ITEM_ID])) == ["shut", "total"] and len(out.filled) == 2 * 77
    assert (after.loc["open"] == before.loc["open"]).all()
    f = closures_finding(gaps, freq="D", filled=out.filled)
    assert f is not None and f.evidence["filled"] == ["shut"]
    assert (
        "They are not read as zero demand: the forecasts train on shut's usual level in their "
        "place (its mean over the last 8 days of the same weekday before the closure; a day "
        "every series sold nothing stays 0), and the backtest does not score those periods"
    ) in f.text
    assert "read as zero demand (a store's stretch" not in f.text
    g = closures_finding(gaps, freq="D", filled=out.filled, noun="store")  # Rossmann: store 13
    assert g is not None and g.evidence["filled"] == ["shut"]
    assert g.text.startswith("1 long stretch(es) without a sale while the other series sold: "
                             "store shut from ")  # fmt: skip
    assert "the forecasts train on store shut's usual level" in g.text
    store_gap = gaps.assign(store="CA_1")  # an item-store's stretch: the chain series stays
    assert fill_closures(hs, store_gap) is hs
    g = closures_finding(store_gap, freq="D", filled=None)
    assert g is not None and "The forecasts read the other 1 as zero demand" in g.text


def test_the_backtest_does_not_score_skipped_periods() -> None:
    """byod9a D5: the periods a closure filled in are no sales; AutoForecaster(skip=) leaves
    them out of the scores (a naive forecast of 10 against 3 closed days of 0: MAE 6 -> 0)."""
    from opsai.forecast import AutoForecaster, Naive

    days = pd.date_range("2024-01-01", periods=60)
    q = np.where(np.arange(60) >= 57, 0.0, 10.0)
    df = pd.DataFrame({ITEM_ID: "a", TIMESTAMP: days, QUANTITY: q})
    plain = AutoForecaster([Naive()], h=5, n_windows=1, season_length=1).fit(df)
    assert float(plain.metrics_["mae"].iloc[0]) == pytest.approx(6.0)
    skip = pd.DataFrame({ITEM_ID: "a", TIMESTAMP: days[57:]})
    auto = AutoForecaster([Naive()], h=5, n_windows=1, season_length=1, skip=skip).fit(df)
    assert float(auto.metrics_["mae"].iloc[0]) == 0.0 and float(auto.metrics_["wape"].iloc[0]) == 0
    assert len(auto.cv_) == 5  # still forecast: the reconciliation and alerts read every period


def test_a_mapped_event_day_is_a_calendar_feature_of_every_series(tmp_path: Path) -> None:
    """byod9a D6: M5's event_name_1 / Rossmann's StateHoliday could not be given to chapter
    04. Mapped as event_day, any label (or 1/yes) marks an event day and '0'/'no'/empty an
    ordinary one; every series (the total too, and days an item did not sell) carries it;
    the overview calls its empties sparse by design, the finding says the models use it, and
    validation warns when most days are marked."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series, event_calendar
    from opsai.forecast.chapter import event_days, event_finding
    from opsai.overview.measures import missing_values
    from tests.conftest import write_dataset

    labels = {10: "SuperBowl", 30: "a", 50: "1", 70: "Easter"}
    lines = []
    for k, d in enumerate(pd.date_range("2024-01-01", periods=84)):
        ev = labels.get(k, "0" if k % 2 else ("no" if k % 3 else ""))
        lines.append(f"food,{d:%Y-%m-%d},{20 if k in labels else 10},{ev}")
        if k % 4:  # toy sells 3 days of 4: its other days still know the calendar
            lines.append(f"toy,{d:%Y-%m-%d},5,{ev}")
    rows = "item_id,timestamp,quantity,hol\n" + "\n".join(lines) + "\n"
    items = "item_id,category\nfood,FOODS\ntoy,HOBBIES\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows, "items.csv": items},
                        {"demand": {"columns": {"event_day": "hol"}}, "items": {}})  # fmt: skip
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D")
        weekly = event_calendar(ws, freq="W")
        days = event_days(ws)
        missing = missing_values(ws)
        said = [w for w in ws.warnings if w.column == "event_day"]
    on = hs.df[hs.df["event_day"] > 0]
    assert sorted(on[TIMESTAMP].dt.strftime("%m-%d").unique()) == [
        "01-11",
        "01-31",
        "02-20",
        "03-11",
    ]
    assert set(on[ITEM_ID]) == {"food", "toy", "total", "category:FOODS", "category:HOBBIES"}
    assert hs.df["event_day"].notna().all() and float(hs.df["event_day"].sum()) == 4 * 5
    assert weekly is not None and float(weekly.sum()) == 4 and float(weekly.max()) == 1
    assert days is not None and days.name == "hol" and days.tolist()[0] == "SuperBowl"
    f = event_finding(hs, days)
    assert f is not None and f.evidence["feature"] is True
    assert f.evidence["usual_total"] == pytest.approx(10 + 5 * 60 / 80, abs=0.5)
    assert f.text.startswith("Event days (hol, 4 days with a label) sold a median")
    assert "The global models (GlobalGBM, GlobalMLP) take event_day as a feature" in f.text
    assert "the forecasts beyond it take every day as an ordinary one" in f.text
    row = missing[missing["column"] == "event_day"]
    assert len(row) == 1 and bool(row["sparse"].iloc[0])
    assert said == []
    flagged = rows.replace(",0\n", ",Y\n").replace(",no\n", ",Y\n").replace(",\n", ",Y\n")
    cfg = write_dataset(tmp_path / "all", {"demand.csv": flagged},
                        {"demand": {"columns": {"event_day": "hol"}}})  # fmt: skip
    with open_workspace(cfg) as ws:
        said = [w for w in ws.warnings if w.column == "event_day"]
    assert len(said) == 1 and said[0].message.startswith(
        "84 of 84 days (100%) are marked as event days: an event or holiday calendar marks a few"
    )


def test_a_calendar_table_gives_the_forecast_its_coming_event_days(tmp_path: Path) -> None:
    """byod9a D6, follow-up: the forecast beyond the data's last day took every day as an
    ordinary one (the demand table has no later rows), though a retailer knows next month's
    holidays (M5's calendar.csv runs past the sales). A calendar table (timestamp, event_day,
    store) gives the event days, past and coming: the history's feature, the forecast's
    X_future, and the finding names the coming ones it took. Its days are no activity span."""
    from opsai.data import open_workspace
    from opsai.forecast import GlobalGBM, build_series, event_calendar, future_events
    from opsai.forecast.chapter import event_days, event_finding
    from opsai.overview.measures import activity_span, missing_values, table_overview
    from tests.conftest import write_dataset

    days = pd.date_range("2024-01-01", periods=140)
    hol = {d for k, d in enumerate(days) if k % 10 == 3}  # 14 event days, every weekday
    coming = pd.Timestamp("2024-05-25")  # 6 days after the last (2024-05-19)
    rows = [f"{i},{d:%Y-%m-%d},{(30 if d in hol else 10) * (1 + (i == 'b'))}"
            for i in "ab" for d in days]  # fmt: skip
    cal = ["date,name,store_id", *(f"{d:%Y-%m-%d},Fest{k}," for k, d in enumerate(sorted(hol))),
           f"{coming:%Y-%m-%d},Pentecost,", "2024-05-27,LocalFair,S9",
           *(f"{d:%Y-%m-%d},," for d in pd.date_range("2024-05-20", periods=40))]  # fmt: skip
    tables = {"demand": {}, "calendar": {"file": "cal.csv",
              "columns": {"timestamp": "date", "event_day": "name", "store": "store_id"}}}  # fmt: skip
    files = {"demand.csv": "item_id,timestamp,quantity\n" + "\n".join(rows) + "\n",
             "cal.csv": "\n".join(cal) + "\n"}  # fmt: skip
    cfg = write_dataset(tmp_path, files, tables)
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D", levels=("item", "total"))
        events = event_calendar(ws, freq="D")
        scoped = event_calendar(ws, freq="D", where={"store": ["S1"]})
        labels = event_days(ws)
        span = activity_span(table_overview(ws))
        sparse = missing_values(ws).set_index(["table", "column"])["sparse"]
    assert span is not None and f"{span[1]:%Y-%m-%d}" == "2024-05-19"  # not the calendar's end
    assert bool(sparse[("calendar", "event_day")])
    on = hs.df[hs.df["event_day"] > 0]
    assert set(on[TIMESTAMP]) == hol and float(hs.df["event_day"].sum()) == 14 * 3
    assert events is not None and events[coming] == 1
    # S9's fair: no series is S9's (each item sums the stores), with or without a store filter
    assert pd.Timestamp("2024-05-27") not in events.index
    assert scoped is not None and pd.Timestamp("2024-05-27") not in scoped.index
    assert labels is not None and labels.name == "calendar.name" and labels[coming] == "Pentecost"
    f = event_finding(hs, labels, horizon=7)
    assert f is not None and f.evidence["ahead"] == {"2024-05-25": "Pentecost"}
    assert (
        "the forecast of the 7 days after the data's last (2024-05-19) takes the calendar's 1 "
        "event day(s) in them: 2024-05-25 (Pentecost)."
    ) in f.text
    assert "every day as an ordinary one" not in f.text
    assert (
        f.evidence["unused_store_rows"] == 1 and "(1 store(s)) are no series' event days" in f.text
    )
    g = event_finding(hs, labels[labels.index <= "2024-05-19"], horizon=7)
    assert g is not None and "every day as an ordinary one: give the coming event days" in g.text
    m = GlobalGBM(season_length=7, seed=0).fit(hs.df)
    X = future_events(m.future_index(7), events)
    assert X is not None and X.groupby(TIMESTAMP)["event_day"].max().tolist() == [0] * 5 + [1, 0]
    fut = m.predict(7, X_future=X).set_index([ITEM_ID, TIMESTAMP])["GlobalGBM"]
    plain = m.predict(7).set_index([ITEM_ID, TIMESTAMP])["GlobalGBM"]
    lift = fut[("a", coming)] / fut["a"].drop(coming).mean()
    assert lift > 2.0 and plain[("a", coming)] / plain["a"].drop(coming).mean() < 1.3  # 3x sold


def test_an_unmapped_event_column_says_which_column_to_map(tmp_path: Path) -> None:
    """byod9a D6: the finding on an event label column that is not mapped names the mapping
    that makes it a feature."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import event_days, event_finding
    from tests.conftest import write_dataset

    lines = [f"a,{d:%Y-%m-%d},{20 if k in (10, 30, 50) else 10},{'X' if k in (10, 30, 50) else ''}"
             for k, d in enumerate(pd.date_range("2024-01-01", periods=84))]  # fmt: skip
    rows = "item_id,timestamp,quantity,event_name_1\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D")
        f = event_finding(hs, event_days(ws))
    assert "event_day" not in hs.df.columns
    assert f is not None and f.evidence["feature"] is False
    assert (
        "map event_name_1 as the demand table's event_day (data.tables.demand.columns: "
        "{event_day: event_name_1}) and the global models take it as a feature"
    ) in f.text


def test_a_lumpy_order_line_sellers_chance_gap_is_no_closure() -> None:
    """byod11a D6: DataCo's Rip Deck 365 at Africa sold 1.7 units a day in order lines of
    2-7 units on about half the days; 04 called its 11 days without a line a closure ("under
    1% chance" from exp(-1.7 * 11)). The chance comes from the days with a sale: 0.5 ** 11
    over ~400 start days is no rare event; a daily seller's 11 dark days still are."""
    from opsai.forecast.chapter import closed_stretches, closures_finding

    days = pd.date_range("2017-01-01", periods=396)
    rng = np.random.default_rng(11)
    lumpy = np.where(rng.random(len(days)) < 0.5, rng.integers(2, 8, len(days)), 0).astype(float)
    lumpy[200:211], lumpy[[199, 211]] = 0.0, 4.0  # an 11-day run by chance, sales either side
    daily = rng.poisson(6.0, len(days)).clip(1).astype(float)
    daily[300:311] = 0.0  # a store that sells every day, dark 11 days: closed
    q = {"365": lumpy, "daily": daily, "other": rng.poisson(20.0, len(days)).astype(float)}
    h = pd.concat([pd.DataFrame({ITEM_ID: i, TIMESTAMP: days, QUANTITY: v}) for i, v in q.items()])
    gaps = closed_stretches(h, freq="D")
    assert gaps[[ITEM_ID, "span", "start"]].values.tolist() == [
        ["daily", 11, pd.Timestamp("2017-10-28")]
    ]
    assert lumpy[lumpy > 0].mean() > 4 and lumpy.mean() > 1.7  # units: exp(-1.7*11) = 8e-9
    f = closures_finding(gaps, freq="D")
    assert f is not None and "As often as each sold otherwise, that has under 1% chance" in f.text


def test_event_weeks_are_measured_against_the_weeks_around_them(tmp_path: Path) -> None:
    """byod11b D2: Walmart's weekly sales map event_day: IsHoliday (TRUE on 10 of 143 weeks,
    Thanksgiving 1.7x) and 04 said nothing: the event finding read daily series only. Each
    event week is compared with the 4 weeks without one on either side; a TRUE/FALSE flag
    names the same week of each year."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import event_days, event_finding
    from tests.conftest import write_dataset

    weeks = pd.date_range("2010-02-05", "2012-10-26", freq="W-FRI")
    thanks = {pd.Timestamp("2010-11-26"), pd.Timestamp("2011-11-25")}
    other = {pd.Timestamp(d) for d in ("2010-02-12", "2010-09-10", "2011-02-11", "2011-09-09",
                                       "2012-02-10", "2012-09-07")}  # fmt: skip
    rows = ["Dept,Date,Weekly_Sales,IsHoliday"]
    for w in weeks:
        sales = 1000.0 * (1.8 if w in thanks else 1.0) + (w.day % 7)  # a little wiggle
        for dept in ("1", "2"):
            rows.append(f"{dept},{w:%Y-%m-%d},{sales},{'TRUE' if w in thanks | other else 'FALSE'}")
    spec = {"demand": {"columns": {"item_id": "Dept", "timestamp": "Date", "amount": "Weekly_Sales",
                                   "event_day": "IsHoliday"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"demand.csv": "\n".join(rows) + "\n"}, spec)
    with open_workspace(cfg) as ws:
        days = event_days(ws)
        hs = build_series(ws, freq="W")
    assert days is not None and len(days) == 8
    f = event_finding(hs, days)
    assert f is not None and f.name == "event_days" and f.severity == "medium"
    assert f.evidence["median_ratio"] == pytest.approx(1.0, abs=0.01)
    assert f.evidence["period"] == "week" and f.evidence["days"] == 8
    assert f.evidence["largest"] == "the weeks of 2010-11-22 and 2011-11-21"
    assert f.text.startswith(
        "Event weeks (IsHoliday, 8 weeks holding an event day) sold a median 1.00x the weeks "
        "without one around them (4 either side) in total. Largest: the weeks of 2010-11-22 "
        "and 2011-11-21 (1.80x)."
    )


def test_a_discount_rate_on_most_rows_is_no_promotion_flag(tmp_path: Path) -> None:
    """byod11a D7: DataCo's Order Item Discount Rate (0.01-0.18 on 91% of lines, 0 on the
    rest) mapped as promo validated silently, and 04 said "Promotions go with higher sales"
    at a median 1.00x (interval 1.00x to 1.02x). Validation names the rate; the finding says
    no difference and why the comparison is hollow."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import promo_finding, promo_uplift
    from tests.conftest import write_dataset

    rng = np.random.default_rng(7)
    lines = []
    for k in range(8):
        for d in pd.date_range("2024-01-01", periods=120):
            rate = 0.0 if rng.random() < 0.09 else round(float(rng.uniform(0.01, 0.18)), 2)
            lines.append(f"i{k},{d:%Y-%m-%d},{10 + (d.day % 3)},{rate}")
    rows = "item_id,timestamp,quantity,promo\n" + "\n".join(lines) + "\n"
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        said = [w for w in ws.warnings if w.column == "promo"]
        u = promo_uplift(ws)
    assert len(said) == 1 and said[0].message.startswith("promo is above 0 on ")
    assert "with values between 0 and 1: a discount rate, not a promotion flag?" in said[0].message
    assert 0.88 < said[0].count / 960 < 0.94
    assert u.attrs["rate"] is True and 0.88 < u.attrs["on_share"] < 0.94
    assert u.attrs["row"] == "day"
    f = promo_finding(u)
    assert f is not None and f.severity == "info"
    assert f.evidence["median_ratio"] == pytest.approx(1.0, abs=0.02)
    assert f.text.startswith("Promotion days sold no differently: on promotion days an item ")
    assert "Promotions go with higher sales" not in f.text
    assert (
        f"Note: promo is above 0 on {u.attrs['on_share']:.0%} of the rows compared (values "
        in f.text
    )
    assert "between 0 and 1: a discount rate?)" in f.text and "map a 0/1 flag" in f.text


def test_a_stores_own_calendar_days_lift_that_store_only(tmp_path: Path) -> None:
    """A calendar row for one store (a local holiday, the store's own promotion day) counted
    for every series: both stores and the total took S2's fair days as event days, so the
    forecast lifted S1 on S2's coming fair too, and the finding pooled them with the chain's
    holidays. Now a store's row holds for its series only (the totals' through it), rows
    without a store for all: only S2's forecast rises on its coming fair day."""
    from opsai.data import open_workspace
    from opsai.forecast import GlobalGBM, build_series, event_calendar, future_events
    from opsai.forecast.chapter import event_days, event_finding
    from tests.conftest import write_dataset

    days = pd.date_range("2024-01-01", periods=140)
    hol = {d for k, d in enumerate(days) if k % 10 == 3}  # every store's: 2x at both
    fair = {d for k, d in enumerate(days) if k % 10 == 7}  # S2's own: 3x at S2 only
    last, coming, local = days[-1], pd.Timestamp("2024-05-23"), pd.Timestamp("2024-05-25")
    rows = [f"{st},{d:%Y-%m-%d},{10 * (2 if d in hol else 3 if d in fair and st == 'S2' else 1)}"
            for st in ("S1", "S2") for d in days]  # fmt: skip
    cal = ["date,name,shop", *(f"{d:%Y-%m-%d},Fest," for d in sorted(hol)),
           *(f"{d:%Y-%m-%d},Fair,S2" for d in sorted(fair)),
           f"{coming:%Y-%m-%d},Fest,", f"{local:%Y-%m-%d},Fair,S2"]  # fmt: skip
    files = {"sales.csv": "shop,date,sales\n" + "\n".join(rows) + "\n",
             "cal.csv": "\n".join(cal) + "\n"}  # fmt: skip
    cols = {"item_id": "shop", "store": "shop", "timestamp": "date", "quantity": "sales"}
    tables = {"demand": {"file": "sales.csv", "columns": cols},
              "calendar": {"file": "cal.csv",
                           "columns": {"timestamp": "date", "event_day": "name", "store": "shop"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, files, tables)
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D", levels=("item", "total"))
        events = event_calendar(ws, freq="D")
        labels = event_days(ws)
    assert last == pd.Timestamp("2024-05-19") and events is not None
    on = hs.df[hs.df["event_day"] > 0].groupby("item_id")[TIMESTAMP].apply(set)
    assert on["S1"] == hol and on["total"] == hol and on["S2"] == hol | fair
    assert events[coming] == 1 and local not in events.index  # every store's days only
    f = event_finding(hs, labels, horizon=7)
    assert f is not None and f.evidence["median_ratio"] == pytest.approx(2.0)  # not diluted
    assert f.evidence["stores"] == {"S2": pytest.approx(3.0)}
    assert f.evidence["stores_ahead"] == [{"day": "2024-05-25", "store": "S2", "label": "Fair"}]
    assert "the store sold a median 3.00x its usual day of the same weekday on them" in f.text
    assert "the forecast takes the coming one(s) at their store: 2024-05-25 at S2 (Fair)" in f.text
    m = GlobalGBM(season_length=7, seed=0).fit(hs.df)
    X = future_events(m.future_index(7), events)
    assert X is not None
    flags = X.set_index([ITEM_ID, TIMESTAMP])["event_day"]
    assert flags[("S2", local)] == 1 and flags[("S1", local)] == 0 and flags[("total", local)] == 0
    fut = m.predict(7, X_future=X).set_index([ITEM_ID, TIMESTAMP])["GlobalGBM"]
    ordinary = [d for d in pd.date_range(last, periods=8)[1:] if d not in (coming, local)]

    def lift(sid: str, day: pd.Timestamp) -> float:
        return float(fut[(sid, day)] / fut[sid][ordinary].mean())

    assert lift("S2", local) > 2.0 and lift("S1", local) < 1.3  # only the fair's store rises
    assert lift("S1", coming) > 1.5 and lift("S2", coming) > 1.5  # every store's holiday


def test_a_stretch_at_zero_stock_is_a_stock_out_filled_with_the_stores_level() -> None:
    """byod12a D10: P0007 at S002, 20 days without a sale and at 0 on hand (45 a day before),
    was 'a store closed, a stock-out, or rows missing' and its zeros were read as demand.
    Item 'x' sells 30 a day at S1 and 45 at S2; S2 is out of stock on days 100-119 (and
    sells nothing then); 'y' at S1 has a 20-day stretch with stock: still a question."""
    from opsai.data.schema import ON_HAND, STORE
    from opsai.forecast.chapter import (
        closed_stretches,
        closures_finding,
        fill_closures,
        stockout_stretches,
    )

    days = pd.date_range("2024-01-01", periods=200)
    k = np.arange(len(days))
    cut = (k >= 100) & (k < 120)
    q = {("x", "S1"): np.full(len(days), 30.0), ("x", "S2"): np.where(cut, 0.0, 45.0),
         ("y", "S1"): np.where((k >= 150) & (k < 170), 0.0, 10.0)}  # fmt: skip
    by_store = pd.concat(
        [
            pd.DataFrame({ITEM_ID: i, STORE: s, TIMESTAMP: days, QUANTITY: v})
            for (i, s), v in q.items()
        ]
    )
    by_store = by_store[by_store[QUANTITY] > 0]
    stock = pd.concat(
        [pd.DataFrame({ITEM_ID: i, STORE: s, TIMESTAMP: days,
                       ON_HAND: np.where(cut, 0.0, 500.0) if (i, s) == ("x", "S2") else 500.0})
         for (i, s) in q]
    )  # fmt: skip
    hs = hierarchy(by_store.groupby([ITEM_ID, TIMESTAMP], as_index=False)[QUANTITY].sum(),
                   levels=("item", "total"), freq="D")  # fmt: skip
    gaps = stockout_stretches(closed_stretches(by_store, freq="D"), stock, freq="D")
    gaps = gaps.sort_values(ITEM_ID, ignore_index=True)
    assert gaps[[ITEM_ID, STORE, "span", "stock_out", "lost"]].values.tolist() == [
        ["x", "S2", 20, True, 45.0 * 20],
        ["y", "S1", 20, False, 10.0 * 20],
    ]
    out = fill_closures(hs, gaps, stores=by_store)
    x = out.df[out.df[ITEM_ID] == "x"].set_index(TIMESTAMP)[QUANTITY]
    assert (x.iloc[100:120] == 75.0).all() and (x.iloc[:100] == 75.0).all()  # 30 + S2's 45
    y = out.df[out.df[ITEM_ID] == "y"].set_index(TIMESTAMP)[QUANTITY]
    assert (y.reindex(days, fill_value=0.0).iloc[150:170] == 0).all()  # stocked: as sold
    assert sorted(set(out.filled[ITEM_ID])) == ["total", "x"] and len(out.filled) == 40
    f = closures_finding(gaps, freq="D", filled=out.filled)
    assert f is not None and f.name == "closed_stretches"
    assert f.text.startswith(
        "1 stock-out(s) in the inventory's history (nothing on hand while nothing sold): x at "
        "S2 from 2024-04-10 to 2024-04-29 (20 days at 0 on hand; 45.0 a day otherwise: about "
        "900 units of sales lost). Their zeros are lost sales, not demand: the forecasts train "
        "on the usual level in their place"
    )
    assert "1 long stretch(es) without a sale while the other series sold: y at S1" in f.text
    assert f.evidence["stock_out"] == [True, False] and f.evidence["lost"] == [900.0, 200.0]
    only = closures_finding(gaps.iloc[:1], freq="D", filled=out.filled)
    assert only is not None and only.name == "stockout_stretches"
    assert "a store closed" not in only.text
    assert stockout_stretches(gaps.iloc[:, :7], None) is not None  # no history: as before


def test_an_hourly_forecast_names_each_days_peak_hours() -> None:
    """byod13a D10: by the hour, each whole forecast day's busiest hours of the total (the
    8:00 and 17:00 commute), a day the horizon only starts left out; nothing at D."""
    from opsai.forecast.chapter import peak_hours_finding

    ts = pd.date_range("2013-01-01", periods=60, freq="h")
    y = 10.0 + 50 * (ts.hour == 17) + 40 * (ts.hour == 8) + 30 * (ts.hour == 18)
    fc = pd.DataFrame({ITEM_ID: "total", TIMESTAMP: ts, "Auto": y})
    f = peak_hours_finding(fc, model="Auto", freq="H")
    assert f is not None and f.name == "peak_hours"
    assert f.evidence["peaks"] == {
        "2013-01-01": {"17:00": 60.0, "08:00": 50.0, "18:00": 40.0},
        "2013-01-02": {"17:00": 60.0, "08:00": 50.0, "18:00": 40.0},
    }
    assert f.text.startswith(
        "By the hour, the forecast peaks on Tue 2013-01-01 at 17:00 (60), 08:00 (50), 18:00 (40), "
        "42% of its day; Wed 2013-01-02 at"
    )
    assert peak_hours_finding(fc, model="Auto", freq="D") is None
