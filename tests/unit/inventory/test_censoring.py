"""Items out of stock whose sales stopped: lost sales, not demand (byod6 D11)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import ITEM_ID, ON_HAND, QUANTITY, STORE, TIMESTAMP
from opsai.forecast import CUTOFF
from opsai.inventory import censored_items, censoring_finding, drift_alerts, uncensor_forecast

pytestmark = pytest.mark.unit

DAYS = pd.date_range("2025-06-01", "2025-11-30")


def _history() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    q = rng.poisson(16, len(DAYS)).astype(float)
    gone = q.copy()
    gone[-20:] = 0  # out of stock from 2025-11-11
    lumpy = np.where(np.arange(len(DAYS)) % 5 == 0, 1.0, 0.0)
    lumpy[-20:] = 0
    return pd.concat(
        [
            pd.DataFrame({ITEM_ID: i, TIMESTAMP: DAYS, QUANTITY: v})
            for i, v in (("gone", gone), ("stocked", gone), ("lumpy", lumpy), ("steady", q))
        ]
    )


def _inventory() -> pd.DataFrame:
    return pd.DataFrame({ITEM_ID: ["gone", "stocked", "lumpy", "steady"], ON_HAND: [0, 5, 0, 0]})


def test_an_item_with_no_stock_whose_sales_stopped_is_flagged_since_its_last_sale() -> None:
    c = censored_items(_history(), _inventory(), freq="D")
    assert c[ITEM_ID].tolist() == ["gone"]  # stock on hand, a lumpy seller, still selling: no
    r = c.iloc[0]
    assert r["since"] == pd.Timestamp("2025-11-11") and r["periods"] == 20
    assert 14 < r["rate_before"] < 18
    f = censoring_finding(c, freq="D")
    assert f is not None and f.severity == "high"
    assert "gone since 2025-11-11 (it sold " in f.text and "none in the 20 days since" in f.text
    assert "lost sales, not demand" in f.text
    assert censoring_finding(c.iloc[:0]) is None


def test_the_forecast_of_a_censored_item_is_lifted_to_its_rate_before() -> None:
    c = censored_items(_history(), _inventory(), freq="D")
    ts = pd.date_range("2025-12-01", periods=28)
    fc = pd.concat(
        [
            pd.DataFrame(
                {ITEM_ID: i, TIMESTAMP: ts, "Auto": 4.4, "Auto-lo-95": 1.0, "Auto-hi-95": 8.0}
            )
            for i in ("gone", "steady")
        ]
    )
    out = uncensor_forecast(fc, c, model="Auto").groupby(ITEM_ID)[["Auto", "Auto-hi-95"]].mean()
    rate, sd = float(c["rate_before"].iloc[0]), float(c["sd_before"].iloc[0])
    assert 3 < sd < 5  # Poisson(16) days before the run
    assert out.loc["gone", "Auto"] == pytest.approx(rate)
    assert out.loc["gone", "Auto-hi-95"] == pytest.approx(rate + 1.959964 * sd)
    assert out.loc["steady", "Auto"] == pytest.approx(4.4)  # not censored: as forecast


def test_drift_of_a_censored_item_names_the_stock_out_first() -> None:
    cut = pd.to_datetime(["2025-10-01", "2025-10-15", "2025-11-01"])
    rows = []
    for k, c in enumerate(cut):
        for d in range(5):
            actual = 0.0 if k == 2 else 16.0
            rows.append(
                {
                    ITEM_ID: "gone",
                    CUTOFF: c,
                    TIMESTAMP: c + pd.Timedelta(days=d + 1),
                    QUANTITY: actual + 1,
                    "Auto": 15.0,
                }
            )
    cv = pd.DataFrame(rows)
    cens = pd.DataFrame({ITEM_ID: ["gone"], "since": [pd.Timestamp("2025-11-11")]})
    (f,) = drift_alerts(cv, model="Auto", censored=cens)
    assert "Most likely a stock-out: it has nothing on hand and no sale since 2025-11-11" in f.text
    assert f.evidence["stocked_out_since"] == "2025-11-11"
    (plain,) = drift_alerts(cv, model="Auto")
    assert "Check for a demand shift" in plain.text and "stock-out" not in plain.text


def test_without_an_inventory_table_a_stopped_best_seller_is_reported_as_stopped() -> None:
    """byod8 D15: Favorita without its stock file; the best seller sold ~213 a day, then no
    sale for 22 days, and 04 said only 'drift ... review the model'."""
    h = _history()
    c = censored_items(h, None, freq="D")
    # every item is tested: 'gone' and 'stocked' both stopped; the lumpy seller's gaps are normal
    assert c[ITEM_ID].tolist() == ["gone", "stocked"]
    assert not c["stock_known"].any() and c["periods"].tolist() == [20, 20]
    assert c["since"].tolist() == [pd.Timestamp("2025-11-11")] * 2
    no_rows = censored_items(h, _inventory().iloc[:0], freq="D")
    assert no_rows[ITEM_ID].tolist() == ["gone", "stocked"]
    f = censoring_finding(c.iloc[:1], freq="D")
    assert f is not None and f.name == "sales_stopped" and f.severity == "high"
    rate = float(c["rate_before"].iloc[0])
    assert f.text.startswith(
        f"Sales of 1 item(s) stopped abruptly after a steady history: gone on 2025-11-11 after "
        f"{rate:,.1f} a day (none in the 20 days since)."
    )
    assert "Out of stock or delisted? There is no inventory table to tell." in f.text
    assert "read the zeros as demand" in f.text
    assert f.evidence["items"] == ["gone"] and f.evidence["periods"] == [20]
    # a week of zeros is needed without stock data: 6 days of a Poisson(16) seller are not reported
    short = h[h[ITEM_ID] == "steady"].copy()
    short.loc[short[TIMESTAMP] > DAYS[-7], QUANTITY] = 0.0
    assert censored_items(short, None, freq="D").empty
    out = pd.DataFrame({ITEM_ID: ["steady"], ON_HAND: [0]})  # with stock data 6 days do
    assert censored_items(short, out)[ITEM_ID].tolist() == ["steady"]
    # its forecast is left as it is (a delisted item sells nothing), and the finding says so
    fc = pd.DataFrame({ITEM_ID: "gone", TIMESTAMP: DAYS[:3], "Auto": 0.5})
    assert uncensor_forecast(fc, c, model="Auto")["Auto"].tolist() == [0.5] * 3


def test_drift_of_a_stopped_item_without_stock_data_names_the_stop_not_the_model() -> None:
    cut = pd.to_datetime(["2025-10-01", "2025-10-15", "2025-11-01"])
    cv = pd.DataFrame(
        [{ITEM_ID: "gone", CUTOFF: c, TIMESTAMP: c + pd.Timedelta(days=d + 1),
          QUANTITY: (0.0 if k == 2 else 16.0) + 1, "Auto": 15.0}
         for k, c in enumerate(cut) for d in range(5)]
    )  # fmt: skip
    cens = pd.DataFrame(
        {ITEM_ID: ["gone"], "since": [pd.Timestamp("2025-11-11")], "stock_known": [False]}
    )
    (f,) = drift_alerts(cv, model="Auto", censored=cens)
    assert "Its sales stopped abruptly on 2025-11-11: out of stock or delisted" in f.text
    assert "no inventory table to tell" in f.text and "review the model" not in f.text
    assert f.evidence["stopped_since"] == "2025-11-11" and "stocked_out_since" not in f.evidence


def test_a_category_drifting_with_a_stocked_out_item_names_the_item_not_the_model() -> None:
    """byod8 D20: 04 found 1329984 out of stock, yet 'drift.category:GROCERY I' still said
    'Check for a demand shift ... and review the model'."""
    cut = pd.to_datetime(["2025-10-01", "2025-10-15", "2025-11-01"])
    actual = {"gone": (17.0, 1.0), "steady": (9.0, 9.0), "other": (50.0, 50.0)}
    fcst = {"gone": 15.0, "steady": 9.0, "other": 50.0}
    bottom = []
    for k, c in enumerate(cut):
        for d in range(5):
            for i, (before, last) in actual.items():
                bottom.append(
                    {ITEM_ID: i, CUTOFF: c, TIMESTAMP: c + pd.Timedelta(days=d + 1),
                     QUANTITY: last if k == 2 else before, "Auto": fcst[i]}
                )  # fmt: skip
    b = pd.DataFrame(bottom)
    members = {"total": ["gone", "steady", "other"], "category:G": ["gone", "steady"],
               "category:B": ["other"]}  # fmt: skip
    agg = [
        b[b[ITEM_ID].isin(m)].groupby([CUTOFF, TIMESTAMP], as_index=False)[[QUANTITY, "Auto"]]
        .sum().assign(**{ITEM_ID: sid})
        for sid, m in members.items()
    ]  # fmt: skip
    cv = pd.concat([*agg, b], ignore_index=True)
    items = ["gone", "steady", "other"]
    summing = pd.DataFrame(
        [[float(i in m) for i in items] for m in members.values()] + np.eye(3).tolist(),
        index=[*members, *items], columns=items,
    )  # fmt: skip
    tags = {"total": ["total"], "category": ["category:G", "category:B"], "item": items}
    cens = pd.DataFrame({ITEM_ID: ["gone"], "since": [pd.Timestamp("2025-11-11")]})
    found = {f.name: f for f in drift_alerts(cv, model="Auto", tags=tags, censored=cens,
                                             summing=summing)}  # fmt: skip
    assert set(found) == {"drift.gone", "drift.category:G", "drift.total"}
    cat = found["drift.category:G"]
    share = (2 * 5 * 17 + 5 * 1) / (2 * 5 * 17 + 5 * 1 + 15 * 9)  # 56.5% of G's backtest units
    assert cat.text.endswith(
        f"It includes the stock-out of gone (nothing on hand, no sale since 2025-11-11; "
        f"{share:.1%} of the category's units in the backtest windows): the zeros after that are lost "
        "sales, not demand, most likely the cause of the drift rather than a demand shift or "
        "the model."
    )
    assert "review the model" not in cat.text and f"{share:.1%}" == "56.5%"
    assert cat.evidence["includes_stopped"] == ["gone"]
    assert cat.evidence["stopped_units_share"] == [round(share, 4)]
    assert found["drift.total"].evidence["stopped_units_share"] == [round(175 / 1060, 4)]
    assert "16.5% of all units in the backtest windows" in found["drift.total"].text
    # no stock data: the item stopped selling, out of stock or delisted
    unknown = cens.assign(stock_known=False)
    (cat2,) = [f for f in drift_alerts(cv, model="Auto", tags=tags, censored=unknown,
                                       summing=summing) if f.name == "drift.category:G"]  # fmt: skip
    assert (
        "It includes gone, whose sales stopped abruptly on 2025-11-11 (out of stock or "
        in cat2.text
    )
    assert "if it is out of stock, the zeros after that are lost sales" in cat2.text
    # without the summing matrix, as before: a demand shift and the model
    (plain,) = [f for f in drift_alerts(cv, model="Auto", tags=tags, censored=cens)
                if f.name == "drift.category:G"]  # fmt: skip
    assert plain.text.endswith(
        "Check for a demand shift (launch, price, promotion) and review the model."
    )


def _stores() -> pd.DataFrame:
    """Sparse store x item rows: 'best' stops at CA_1 for its last 35 days while CA_2 and
    TX_1 keep selling it (the chain's sum only dips); 'all' stops in every store."""
    rng = np.random.default_rng(1)
    rows = []
    for store in ("CA_1", "CA_2", "TX_1"):
        for item in ("best", "all", "other"):
            q = rng.poisson(8, len(DAYS)).astype(float)
            if (item, store) == ("best", "CA_1") or item == "all":
                q[-35:] = 0
            rows.append(pd.DataFrame({ITEM_ID: item, STORE: store, TIMESTAMP: DAYS, QUANTITY: q}))
    out = pd.concat(rows, ignore_index=True)
    return out[out[QUANTITY] > 0]  # days without a sale have no row


def test_a_stock_out_in_one_store_is_found_per_store_and_named() -> None:
    """byod9a D2: the chain's sum per item hid FOODS_1_003's 35 days without a sale at CA_1."""
    h = _stores()
    chain = h.groupby([ITEM_ID, TIMESTAMP], as_index=False)[QUANTITY].sum()
    assert censored_items(chain, None, freq="D")[ITEM_ID].tolist() == ["all"]  # 'best' hidden
    c = censored_items(h, None, freq="D")
    assert sorted(c[ITEM_ID]) == ["all", "best"]
    best = c[c[ITEM_ID] == "best"].iloc[0]
    assert (best[STORE], best["since"], best["periods"]) == ("CA_1", DAYS[-35], 35)
    assert best["others_selling"] == 2 and 6 < best["rate_before"] < 10
    both = c[c[ITEM_ID] == "all"].iloc[0]  # every store stopped: one chain row, rates summed
    assert pd.isna(both[STORE]) and 20 < both["rate_before"] < 28
    f = censoring_finding(c, freq="D")
    assert f is not None and f.name == "sales_stopped"
    assert "best at CA_1 on " + f"{DAYS[-35]:%Y-%m-%d}" in f.text
    assert "2 other stores kept selling it: out of stock there?" in f.text
    assert f.evidence["stores"] == ["", "CA_1"] and f.evidence["items"] == ["all", "best"]
    fc = pd.DataFrame({ITEM_ID: ["best"], TIMESTAMP: [DAYS[-1]], "Auto": [1.0]})
    assert uncensor_forecast(fc, c.assign(stock_known=True), model="Auto")["Auto"].tolist() == [
        1.0
    ]  # one store's stock-out does not replace the chain's forecast


def test_a_large_store_export_keeps_only_the_item_stores_that_stopped(tmp_path: Path) -> None:
    """A store x item export of millions of item-store-days would come back whole to pandas
    for the per-store stop test (byod9a D2); above max_rows only the item-stores whose last
    sale came before the data's end come back, and the run still counts to that end."""
    from opsai.data import open_workspace
    from opsai.forecast import store_demand
    from tests.conftest import write_dataset

    h = _stores()
    rows = h.rename(columns={TIMESTAMP: "timestamp"}).assign(
        timestamp=lambda d: d["timestamp"].dt.date
    )
    cfg = write_dataset(tmp_path, {"demand.csv": rows.to_csv(index=False)}, {"demand": {}})
    with open_workspace(cfg) as ws:
        whole = store_demand(ws, freq="D")
        small = store_demand(ws, freq="D", max_rows=100)
    assert whole is not None and small is not None
    assert not whole.attrs["capped"] and small.attrs["capped"]
    assert sorted(set(zip(small[ITEM_ID], small[STORE], strict=True))) == [
        ("all", "CA_1"), ("all", "CA_2"), ("all", "TX_1"), ("best", "CA_1")
    ]  # fmt: skip
    assert small.attrs["end"] == DAYS[-1]
    c = censored_items(small, None, freq="D")
    best = c[c[ITEM_ID] == "best"].iloc[0]
    assert (best[STORE], best["periods"]) == ("CA_1", 35)  # to the data's end, not CA_1's
    assert sorted(c[STORE]) == ["CA_1", "CA_1", "CA_2", "TX_1"]  # no others: store rows only


def test_a_one_off_sale_is_no_history_to_stop_and_rates_start_at_the_first_sale() -> None:
    """byod10a D19: in a grocery panel item 38475 sold once at store 289 (3 units on the
    data's 2nd day) and 04 said its sales 'stopped abruptly after a steady history ... after
    1.5 a day' (3 units over the 2 days from the data's start). A stop needs a history (8
    selling days over 4 weeks from the first sale), and the rate is over the item-store's own
    selling span: 'late' launched halfway and sold ~8 a day before stopping at CA_1."""
    rng = np.random.default_rng(2)
    rows = [_stores()]
    one = pd.DataFrame({ITEM_ID: "once", STORE: "CA_1", TIMESTAMP: [DAYS[1]], QUANTITY: [3.0]})
    rows.append(one)  # sold once; 'once' sells on in CA_2 every day
    rows.append(pd.DataFrame({ITEM_ID: "once", STORE: "CA_2", TIMESTAMP: DAYS, QUANTITY: 5.0}))
    few = DAYS[[1, 3, 5, 7, 9, 11, 13]]  # 7 selling days: under the 8 needed
    rows.append(pd.DataFrame({ITEM_ID: "few", STORE: "CA_1", TIMESTAMP: few, QUANTITY: 9.0}))
    rows.append(pd.DataFrame({ITEM_ID: "few", STORE: "CA_2", TIMESTAMP: DAYS, QUANTITY: 5.0}))
    late = rng.poisson(8, 60).astype(float)  # launched on day 100, stopped 23 days before the end
    rows.append(
        pd.DataFrame({ITEM_ID: "late", STORE: "CA_1", TIMESTAMP: DAYS[100:160], QUANTITY: late})
    )
    rows.append(pd.DataFrame({ITEM_ID: "late", STORE: "CA_2", TIMESTAMP: DAYS, QUANTITY: 5.0}))
    h = pd.concat(rows, ignore_index=True)
    h = h[h[QUANTITY] > 0]
    c = censored_items(h, None, freq="D")
    assert sorted(c[ITEM_ID]) == ["all", "best", "late"]  # not 'once' nor 'few'
    r = c[c[ITEM_ID] == "late"].iloc[0]
    assert (r[STORE], r["since"], r["periods"]) == ("CA_1", DAYS[160], len(DAYS) - 160)
    assert r["rate_before"] == pytest.approx(late.mean())  # its 60 days, not 69 with 9 unsold
    assert r["sold_share_before"] == pytest.approx((late > 0).mean())


def test_one_store_with_nothing_on_hand_is_tested_though_the_chain_holds_stock() -> None:
    """byod12a D9: P0015 at S004 had 0 on hand (and no sale) for its last 10 days after 111
    a day; the chain's summed stock was positive (the other stores held it), so the item was
    never tested and no alert said so ('Items about to stock out: 0')."""
    from opsai.inventory import censoring_stock, store_stock, store_stockout_alerts

    h = _stores()
    stock = []
    for item, store in h[[ITEM_ID, STORE]].drop_duplicates().itertuples(index=False):
        on = np.full(len(DAYS), 40.0)
        if (item, store) == ("best", "CA_1"):
            on[-37:] = 0  # empty two days before the last sale's run
        if (item, store) == ("all", "CA_2"):  # stopped everywhere, empty at CA_2 alone
            on[-35:] = 0
        stock.append(pd.DataFrame({ITEM_ID: item, STORE: store, TIMESTAMP: DAYS, ON_HAND: on}))
    shelves = store_stock(pd.concat(stock, ignore_index=True))
    out = shelves[shelves[ON_HAND] <= 0]
    assert out[[ITEM_ID, STORE]].values.tolist() == [["all", "CA_2"], ["best", "CA_1"]]
    assert out["zero_since"].tolist() == [DAYS[-35], DAYS[-37]]
    chain = shelves.groupby(ITEM_ID, as_index=False)[ON_HAND].sum()  # best: 80 in the chain
    assert censored_items(h, chain, freq="D").empty
    tested = censoring_stock(chain, shelves, h)
    assert tested is shelves and censoring_stock(chain, shelves, None) is chain
    c = censored_items(h, tested, freq="D").sort_values(ITEM_ID, ignore_index=True)
    assert c[[ITEM_ID, STORE, "periods", "others_selling"]].values.tolist() == [
        ["all", "CA_2", 35, 0],  # not the item at CA_1 and TX_1, which hold 40 each
        ["best", "CA_1", 35, 2],
    ]
    assert c["stock_known"].all()
    a = [f for f in store_stockout_alerts(c, shelves, freq="D") if f.name.startswith("stockout.b")]
    assert len(a) == 1
    a = a[0]
    rate = float(c["rate_before"].iloc[1])
    assert a.name == "stockout.best@CA_1" and a.severity == "high"
    assert a.text == (
        f"best at CA_1: 0 on hand since {DAYS[-37]:%Y-%m-%d}, {rate:,.0f} a day before (about "
        f"{rate * 35:,.0f} units of sales lost in the 35 days since): transfer from CA_2, TX_1 "
        "(80 on hand there) or reorder."
    )
    assert a.evidence["lost_units"] == round(rate * 35, 1)
