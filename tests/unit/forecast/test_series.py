"""Series building: engine aggregation, zero-filling, the hierarchy and its summing matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, PRICE, PROMO, QUANTITY, TIMESTAMP
from opsai.data.workspace import open_workspace
from opsai.errors import ConfigError, SchemaError
from opsai.forecast import (
    CATEGORY_PREFIX,
    OTHER_CATEGORIES,
    OTHER_LEVEL,
    TOTAL_ID,
    build_series,
    cap_items,
    fill_gaps,
    hierarchy,
    parse_filter,
)
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

DEMAND_CSV = (
    "item_id,timestamp,quantity,promo\n"
    "A1,2024-01-01,2,0\nA1,2024-01-01,1,1\nA1,2024-01-03,4,0\n"
    "B2,2024-01-02,5,0\nB2,2024-01-09,1,1\nC3,2024-01-08,7,0\n"
)
ITEMS_CSV = "item_id,category\nA1,drinks\nB2,kitchen\nC3,drinks\n"


def test_daily_series_from_demand_with_hierarchy(tmp_path: Path) -> None:
    cfg = write_dataset(
        tmp_path, {"demand.csv": DEMAND_CSV, "items.csv": ITEMS_CSV}, {"demand": {}, "items": {}}
    )
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D")
    a1 = hs.df[hs.df[ITEM_ID] == "A1"]
    assert a1[QUANTITY].tolist() == [3.0, 0.0, 4.0, 0, 0, 0, 0, 0, 0]  # to the last day, 01-09
    assert a1[PROMO].iloc[0] == pytest.approx(0.5)
    assert hs.tags == {
        "total": [TOTAL_ID],
        "category": [CATEGORY_PREFIX + "drinks", CATEGORY_PREFIX + "kitchen"],
        "item": ["A1", "B2", "C3"],
    }
    wide = hs.df.pivot(index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY).fillna(0.0)
    np.testing.assert_allclose(
        wide[list(hs.S.index)].to_numpy(), wide[list(hs.S.columns)].to_numpy() @ hs.S.T.to_numpy()
    )
    assert wide[TOTAL_ID].sum() == 20.0
    assert list(hs.df[ITEM_ID].drop_duplicates()) == list(hs.S.index)


def test_returns_left_out_of_demand_read_as_zero(tmp_path: Path) -> None:
    """What the validation error about negative demand says: with ``where: quantity >= 0``
    a return row counts 0 (periods without rows are zero-filled), so returns are not netted
    against other stores' sales and a period of returns only is 0, not missing."""
    demand = (
        "item_id,store,timestamp,quantity\nA,1,2024-01-01,5\nA,1,2024-01-02,-2\n"
        "A,1,2024-01-03,4\nA,2,2024-01-03,-1\nA,2,2024-01-01,3\n"
    )
    cfg = write_dataset(tmp_path, {"demand.csv": demand}, {"demand": {}})
    with pytest.raises(SchemaError, match=r"reads each left-out row as 0 units"):
        open_workspace(cfg)
    cfg = write_dataset(tmp_path, {"demand.csv": demand}, {"demand": {"where": "quantity >= 0"}})
    with open_workspace(cfg) as ws:
        bottom = build_series(ws, freq="D", levels=("item",)).bottom
    assert bottom[QUANTITY].tolist() == [8.0, 0.0, 4.0]  # each row clipped at 0, then summed


def test_weekly_series_from_orders_without_quantity(tmp_path: Path) -> None:
    orders = (
        "user_id,timestamp,amount,item_id\n1,2024-01-01,3,A\n2,2024-01-02,4,A\n1,2024-01-10,5,B\n"
    )
    cfg = write_dataset(tmp_path, {"orders.csv": orders}, {"orders": {}})
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="W", start="global")
    assert set(hs.tags) == {"total", "item"}
    got = hs.df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY]
    assert got[("A", pd.Timestamp("2024-01-01"))] == 2.0  # two order lines, Monday bucket
    assert got[("B", pd.Timestamp("2024-01-01"))] == 0.0  # global start: zero-filled
    assert got[(TOTAL_ID, pd.Timestamp("2024-01-08"))] == 1.0


def test_fill_gaps_and_errors() -> None:
    df = pd.DataFrame(
        {
            ITEM_ID: ["a", "a"],
            TIMESTAMP: pd.to_datetime(["2024-01-01", "2024-03-01"]),
            QUANTITY: [1.0, 2.0],
        }
    )
    out = fill_gaps(df, freq="M")
    assert out[QUANTITY].tolist() == [1.0, 0.0, 2.0]
    # a price or promotion the data does not give stays missing (not known in advance)
    priced = fill_gaps(df.assign(**{PRICE: [3.0, 4.0], PROMO: [1.0, 0.0]}), freq="M")
    assert priced[PRICE].isna().tolist() == [False, True, False]
    assert priced[PROMO].isna().tolist() == [False, True, False]
    with pytest.raises(ConfigError, match="freq"):
        fill_gaps(df, freq="Q")  # type: ignore[arg-type]
    clash = df.assign(**{ITEM_ID: TOTAL_ID})
    with pytest.raises(SchemaError, match="clash"):
        hierarchy(clash)


def test_no_demand_or_orders_names_the_fix(tmp_path: Path) -> None:
    cfg = write_dataset(tmp_path, {"items.csv": ITEMS_CSV}, {"items": {}})
    with open_workspace(cfg) as ws, pytest.raises(SchemaError, match=r"data\.tables"):
        build_series(ws)


def test_series_filters_on_rows_and_item_attributes(tmp_path: Path) -> None:
    demand = DEMAND_CSV.replace(
        "item_id,timestamp,quantity,promo", "item_id,timestamp,quantity,promo,split"
    )
    lines = demand.strip().splitlines()
    demand = "\n".join(
        [lines[0]] + [ln + (",test" if k == 4 else ",train") for k, ln in enumerate(lines[1:])]
    )
    items = "item_id,category,frequency\nA1,drinks,daily\nB2,kitchen,daily\nC3,drinks,weekly\n"
    cfg = write_dataset(
        tmp_path, {"demand.csv": demand + "\n", "items.csv": items}, {"demand": {}, "items": {}}
    )
    where = parse_filter("split=train; items.frequency=daily")
    assert where == {"split": ["train"], "items.frequency": ["daily"]}
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D", where=where)
        assert hs.tags["item"] == ["A1", "B2"]  # C3 is weekly
        b2 = hs.df[hs.df[ITEM_ID] == "B2"]
        assert b2[QUANTITY].sum() == 5.0  # its 01-09 row is in the test split
        with pytest.raises(ConfigError, match=r"'colour'.*parameters\.SERIES_FILTER"):
            build_series(ws, freq="D", where={"colour": ["red"]})
        with pytest.raises(SchemaError, match=r"no demand rows.*parameters\.SERIES_FILTER"):
            build_series(ws, freq="D", where=parse_filter("split=none"))
    with pytest.raises(ConfigError, match="column=value"):
        parse_filter("split")
    assert parse_filter("  ") == {} and parse_filter("a=x|y") == {"a": ["x", "y"]}


def test_orders_without_item_ids_make_one_product_line(tmp_path: Path) -> None:
    orders = (
        "user_id,timestamp,amount,quantity\n1,2024-01-01,3,2\n2,2024-01-01,4,1\n1,2024-01-03,5,4\n"
    )
    cfg = write_dataset(tmp_path, {"orders.csv": orders}, {"orders": {}})
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D")
    assert hs.tags == {"total": [TOTAL_ID], "item": ["all_items"]}
    got = hs.df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY]
    assert got[("all_items", pd.Timestamp("2024-01-01"))] == 3.0
    assert got[(TOTAL_ID, pd.Timestamp("2024-01-03"))] == 4.0


def test_item_cap_keeps_the_best_sellers_and_sums_the_rest_per_category(tmp_path: Path) -> None:
    cfg = write_dataset(
        tmp_path, {"demand.csv": DEMAND_CSV, "items.csv": ITEMS_CSV}, {"demand": {}, "items": {}}
    )
    with open_workspace(cfg) as ws:
        full = build_series(ws, freq="D")
        hs = build_series(ws, freq="D", max_items=1)  # A1 and C3 sell 7 units, B2 6: A1 by id
        stocked = build_series(ws, freq="D", max_items=1, keep=["B2"])
        assert build_series(ws, freq="D", max_items=3).tags == full.tags  # under the cap
    assert hs.tags == {
        "total": [TOTAL_ID],
        "category": [CATEGORY_PREFIX + "drinks", CATEGORY_PREFIX + "kitchen"],
        OTHER_LEVEL: ["other:drinks"],
        "item": ["A1"],
    }
    assert hs.left_out == ["B2", "C3"] and full.left_out == []
    # kitchen keeps no item: the category is one series, not also an identical other:kitchen
    assert list(hs.S.columns) == ["A1", "category:kitchen", "other:drinks"]
    assert list(hs.S.index) == [TOTAL_ID, "category:drinks", *hs.S.columns]
    # the left-out items still count in their category and in the total, period by period
    for sid in [TOTAL_ID, *full.tags["category"]]:
        want = full.df[full.df[ITEM_ID] == sid].set_index(TIMESTAMP)[QUANTITY]
        got = hs.df[hs.df[ITEM_ID] == sid].set_index(TIMESTAMP)[QUANTITY]
        pd.testing.assert_series_equal(got.reindex(want.index, fill_value=0.0), want)
    wide = hs.df.pivot(index=TIMESTAMP, columns=ITEM_ID, values=QUANTITY).fillna(0.0)
    np.testing.assert_allclose(
        wide[list(hs.S.index)].to_numpy(), wide[list(hs.S.columns)].to_numpy() @ hs.S.T.to_numpy()
    )
    assert hs.bottom[ITEM_ID].unique().tolist() == ["A1"]  # the item level only
    assert stocked.tags["item"] == ["B2"]  # an item with an inventory row is kept first


def test_item_cap_without_categories_and_clashing_ids() -> None:
    df = pd.DataFrame(
        {
            ITEM_ID: ["a", "b", "c", "c"],
            TIMESTAMP: pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-02"]),
            QUANTITY: [5.0, 1.0, 2.0, 2.0],
            PROMO: [1.0, 0.0, 0.0, 1.0],
        }
    )
    out, cats, left_out = cap_items(df, max_items=2)
    assert cats is None and left_out == ["b"]
    assert out[ITEM_ID].unique().tolist() == ["a", "c", "other:all"]
    assert out.loc[out[ITEM_ID] == "other:all", QUANTITY].tolist() == [1.0]
    assert out.loc[out[ITEM_ID] == "other:all", PROMO].isna().all()  # not a promotion of its own
    with pytest.raises(SchemaError, match=r"clash.*other:"):
        cap_items(df.assign(**{ITEM_ID: ["other:x", "b", "c", "c"]}), max_items=1)


def test_categories_with_no_item_kept_are_forecast_as_one() -> None:
    ts = pd.to_datetime(["2024-01-01", "2024-01-02"])
    units = {"a": 9.0, "b": 1.0, "c": 3.0, "d": 2.0}
    df = pd.DataFrame(
        [{ITEM_ID: k, TIMESTAMP: t, QUANTITY: v} for k, v in units.items() for t in ts]
    )
    cats = pd.Series({"a": "x", "b": "x", "c": "y", "d": "z"})
    out, cats2, left_out = cap_items(df, cats, max_items=1)
    hs = hierarchy(out, cats2, left_out=left_out)
    merged = CATEGORY_PREFIX + OTHER_CATEGORIES
    assert list(hs.S.columns) == ["a", merged, "other:x"]  # not one series per small category
    assert hs.tags["category"] == [merged, CATEGORY_PREFIX + "x"]
    assert hs.merged_categories == ["y", "z"]
    got = hs.df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY]
    assert got[(merged, ts[0])] == 5.0 and got[(TOTAL_ID, ts[1])] == 15.0


def test_cancellations_netted_per_day_never_give_negative_demand(tmp_path: Path) -> None:
    """UCI Online Retail style: a ``C`` invoice cancels a sale two days later. The return is
    netted against its own day's sales (day 3: 4 - 1 = 3) and a day whose only line is the
    cancellation counts 0, not -2: the global Poisson models stopped on a negative target."""
    orders = (
        "user_id,timestamp,order_id,item_id,quantity,price\n"
        "1,2024-01-01,536365,85123A,2,2.55\n2,2024-01-03,536370,85123A,4,2.55\n"
        "2,2024-01-03,C536371,85123A,-1,2.55\n1,2024-01-03,C536366,85123A,-2,2.55\n"
        "3,2024-01-04,C536372,22633,-3,1.85\n3,2024-01-02,536369,22633,5,1.85\n"
    )
    cfg = write_dataset(tmp_path, {"orders.csv": orders}, {"orders": {}})
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D", levels=("item", "total"))
    got = hs.df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY].unstack(ITEM_ID).fillna(0.0)
    assert got["85123A"].tolist() == [2.0, 0.0, 1.0, 0.0]  # 4 - 1 - 2 on the 3rd
    assert got["22633"].tolist() == [0.0, 5.0, 0.0, 0.0]  # 01-04: -3 read as 0
    assert got[TOTAL_ID].tolist() == [2.0, 5.0, 1.0, 0.0]
    assert hs.clipped == {"periods": 1, "units": 3.0}
    from opsai.forecast.chapter import returns_finding

    f = returns_finding(hs)
    assert f is not None and f.evidence == {"periods": 1, "units": 3.0}
    assert "on 1 item-day more units came back than were sold" in f.text


def test_a_return_of_an_order_in_the_data_is_netted_at_its_sale(tmp_path: Path) -> None:
    """A returns table's refund (or any return line carrying its order's id) came back weeks
    after the sale; netted on the day it came back, it cut an unrelated day's sales or was
    clipped away (a verification run on a fashion shop: 2,229 of 3,211 returned units, 69%,
    dropped). It is netted against its order's sale; a cancellation under an invoice of its
    own (UCI's C536371) still nets on its own day."""
    orders = (
        "user_id,timestamp,order_id,item_id,quantity,price\n"
        "1,2024-01-01,o1,A,3,10\n2,2024-01-05,o2,A,2,10\n"
        "1,2024-01-05,o1,A,-1,10\n"  # o1's return, booked on the 5th
        "3,2024-01-03,o3,B,4,5\n3,2024-01-04,C9,B,-1,5\n"  # own invoice: nets on the 4th
    )
    cfg = write_dataset(tmp_path, {"orders.csv": orders}, {"orders": {}})
    with open_workspace(cfg) as ws:
        hs = build_series(ws, freq="D", levels=("item", "total"))
    got = hs.df.set_index([ITEM_ID, TIMESTAMP])[QUANTITY].unstack(ITEM_ID).fillna(0.0)
    assert got["A"].tolist() == [2.0, 0.0, 0.0, 0.0, 2.0]  # 3 - 1 on the 1st; the 5th keeps 2
    assert got["B"].tolist() == [0.0, 0.0, 4.0, 0.0, 0.0]  # -1 on the 4th read as 0
    assert hs.clipped == {"periods": 1, "units": 1.0}
