"""The demo company: valid, reproducible, and every planted fact recoverable from its tables."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from opsai.config import load_config
from opsai.data import schema as S
from opsai.data.demo import _write, load_ground_truth, make_demo
from opsai.data.workspace import open_workspace
from opsai.errors import ConfigError

pytestmark = pytest.mark.unit

AS_OF = pd.Timestamp("2025-01-01")
TABLES = ("users", "events", "orders", "demand", "items", "inventory", "tickets", "kb", "market",
          "ad_spend")  # fmt: skip


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("demo") / "northwind", scale="tiny", seed=0)


@pytest.fixture(scope="module")
def data(demo: Path) -> dict[str, pd.DataFrame]:
    with open_workspace(demo / "opsai.yaml") as ws:
        assert ws.present == TABLES
        return {name: ws.to_pandas(name) for name in TABLES}


@pytest.fixture(scope="module")
def truth(demo: Path) -> dict[str, dict[str, Any]]:
    return load_ground_truth(demo)


@pytest.fixture(scope="module")
def sessions(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per session: its device, channel and which funnel steps it reached."""
    ev = data["events"]
    steps = pd.crosstab(ev[S.SESSION_ID], ev[S.EVENT]) > 0
    attrs = ev.groupby(S.SESSION_ID)[["device", S.CHANNEL]].first()
    return steps.join(attrs)


# ---- the folder -----------------------------------------------------------------------------
def test_tiny_demo_validates_with_every_table(demo: Path) -> None:
    with open_workspace(demo / "opsai.yaml") as ws:
        assert ws.present == TABLES
        assert not [w for w in ws.warnings if "not in" in w.message]  # no orphan ids
    cfg = load_config(demo / "opsai.yaml")
    assert cfg.resolve(cfg.data.source) == demo
    assert not list(demo.parent.glob(".northwind.*"))  # no temporary folder left behind


def test_same_seed_same_bytes_other_seed_differs(demo: Path, tmp_path: Path) -> None:
    again = make_demo(tmp_path / "again", scale="tiny", seed=0)
    other = make_demo(tmp_path / "other", scale="tiny", seed=1)
    first = _hashes(demo)
    assert _hashes(again) == first
    differ = {k for k, v in _hashes(other).items() if first[k] != v}
    assert differ >= {"users.csv", "events.csv", "orders.csv", "demand.csv", "tickets.csv"}


def test_parquet_writer_is_deterministic(tmp_path: Path) -> None:
    table = pa.table(
        {
            "user_id": pa.DictionaryArray.from_arrays(
                pa.array([0, 1, 0]), pa.array(["u01", "u02"])
            ),
            "timestamp": pa.array(
                np.array(["2024-01-01", "2024-01-02", "2024-01-03"], "datetime64[ms]")
            ),
        }
    )
    _write(table, tmp_path / "a.parquet", "parquet")
    _write(table, tmp_path / "b.parquet", "parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    back = pd.read_parquet(tmp_path / "a.parquet")
    assert back["user_id"].astype(str).tolist() == ["u01", "u02", "u01"]


def test_rerun_replaces_a_demo_but_never_other_folders(tmp_path: Path) -> None:
    out = make_demo(tmp_path / "d", scale="tiny", seed=3)
    assert make_demo(out, scale="tiny", seed=3) == out
    busy = tmp_path / "mine"
    busy.mkdir()
    (busy / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="out_dir"):
        make_demo(busy, scale="tiny")
    assert (busy / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(("kwargs", "word"), [({"scale": "huge"}, "scale"), ({"seed": -1}, "seed")])
def test_bad_options_say_how_to_fix(tmp_path: Path, kwargs: dict[str, Any], word: str) -> None:
    with pytest.raises(ConfigError, match=word) as err:
        make_demo(tmp_path / "x", **kwargs)
    assert "Pass" in str(err.value)
    assert not (tmp_path / "x").exists()


def test_ids_keep_leading_zeros(data: dict[str, pd.DataFrame]) -> None:
    assert data["users"][S.USER_ID].str.fullmatch(r"u\d{6}").all()
    assert data["users"][S.USER_ID].iloc[0] == "u000001"
    assert data["items"][S.ITEM_ID].str.fullmatch(r"i\d{4}").all()
    assert data["orders"][S.ORDER_ID].str.fullmatch(r"o\d{8}").all()
    assert data["events"][S.SESSION_ID].str.fullmatch(r"s\d{8}").all()


def test_orders_match_purchase_events(data: dict[str, pd.DataFrame]) -> None:
    ev, orders, items = data["events"], data["orders"], data["items"]
    buys = ev[ev[S.EVENT] == "purchase"]
    assert len(buys) == len(orders) > 100
    keys = [S.USER_ID, S.TIMESTAMP, S.ITEM_ID]
    merged = buys[keys].merge(orders[keys], on=keys, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    unit = orders[S.AMOUNT] / orders[S.QUANTITY]
    price = orders[S.ITEM_ID].map(items.set_index(S.ITEM_ID)[S.PRICE])
    assert np.isclose(unit, price, atol=0.01).mean() > 0.8  # the rest were on promotion
    assert (unit <= price + 0.01).all()


def test_funnel_order_within_sessions(
    data: dict[str, pd.DataFrame], sessions: pd.DataFrame
) -> None:
    assert (sessions["purchase"] <= sessions["checkout"]).all()
    assert (sessions["checkout"] <= sessions["add_to_cart"]).all()
    assert (sessions["add_to_cart"] <= sessions["view"]).all()
    assert sessions["visit"].all()
    ev = data["events"]
    assert ev[S.TIMESTAMP].max() < AS_OF and ev[S.TIMESTAMP].min() >= pd.Timestamp("2023-01-01")


def test_tickets_are_bilingual_varied_and_labelled(data: dict[str, pd.DataFrame]) -> None:
    t = data["tickets"]
    assert set(t[S.LANGUAGE]) == {"en", "zh"}
    assert t[S.INTENT].nunique() >= 8
    assert set(t[S.SENTIMENT]) == {"negative", "neutral", "positive"}
    assert t[S.TEXT].nunique() > 0.9 * len(t)
    zh = t.loc[t[S.LANGUAGE] == "zh", S.TEXT]
    assert zh.str.contains(r"[\u4e00-\u9fff]").all()
    assert (t[S.RESOLVED_AT].dropna() > t.loc[t[S.RESOLVED_AT].notna(), S.TIMESTAMP]).all()
    kb = data["kb"]
    assert set(kb[S.INTENT]) == set(t[S.INTENT]) and set(kb[S.LANGUAGE]) == {"en", "zh"}


def test_ground_truth_lists_enough_facts(
    demo: Path, data: dict[str, pd.DataFrame], truth: dict[str, dict[str, Any]]
) -> None:
    assert len(truth) >= 8
    raw = json.loads((demo / "ground_truth.json").read_text(encoding="utf-8"))
    assert raw["rows"] == {name: len(frame) for name, frame in data.items()}
    assert raw["scale"] == "tiny" and raw["seed"] == 0
    for fact in truth.values():
        assert fact["text"] and fact["chapter"]


# ---- every planted fact, recomputed directly from the tables ---------------------------------
def test_fact_churn_by_channel(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["churn_by_channel"]
    users = data["users"].set_index(S.USER_ID)
    last = data["events"].groupby(S.USER_ID)[S.TIMESTAMP].max()
    d = f["definition"]
    old = users[users[S.SIGNUP_AT] < AS_OF - pd.Timedelta(days=d["min_tenure_days"])]
    churned = last.reindex(old.index) < AS_OF - pd.Timedelta(days=d["inactive_days"])
    is_ch = old[S.CHANNEL] == f["channel"]
    ratio = churned[is_ch].mean() / churned[~is_ch].mean()
    assert ratio >= 1.6
    assert ratio == pytest.approx(f["ratio"], abs=0.01)
    by_channel = churned.groupby(old[S.CHANNEL]).mean()
    assert by_channel.idxmax() == f["channel"]


def test_fact_mobile_checkout_conversion(sessions: pd.DataFrame, truth: dict[str, Any]) -> None:
    f = truth["mobile_checkout_conversion"]
    at_checkout = sessions[sessions["checkout"]]
    conv = at_checkout.groupby("device")["purchase"].mean()
    assert conv["mobile"] < 0.6 * conv["desktop"]
    assert conv["mobile"] == pytest.approx(f["conversion"]["mobile"], abs=1e-3)


def test_fact_cart_rate_by_channel(sessions: pd.DataFrame, truth: dict[str, Any]) -> None:
    f = truth["cart_rate_by_channel"]
    rate = sessions[sessions["view"]].groupby(S.CHANNEL)["add_to_cart"].mean()
    assert rate.idxmax() == f["best"] and rate.idxmin() == f["worst"]


def test_fact_top_segment_revenue(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["top_segment_revenue"]
    users = data["users"].set_index(S.USER_ID)
    rev = data["orders"].groupby(S.USER_ID)[S.AMOUNT].sum().reindex(users.index, fill_value=0)
    top = rev.sort_values(ascending=False, kind="stable").index[: int(len(users) * f["user_share"])]
    assert rev[top].sum() / rev.sum() >= 0.5
    lo, hi = f["over_index"]["range"]
    band = users["age"].between(lo, hi)
    assert band[top].mean() / band.mean() >= 1.25


def test_fact_category_affinity(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    views = data["events"][data["events"][S.EVENT] == "view"]
    cats = views[S.ITEM_ID].map(data["items"].set_index(S.ITEM_ID)[S.CATEGORY])
    counts = pd.crosstab(views[S.USER_ID], cats)
    counts = counts[counts.sum(axis=1) >= truth["category_affinity"]["min_views"]]
    assert (counts.max(axis=1) / counts.sum(axis=1)).mean() >= 0.6


def _daily_mean(demand: pd.DataFrame, days: int) -> pd.Series:
    recent = demand[demand[S.TIMESTAMP] >= AS_OF - pd.Timedelta(days=days)]
    return recent.groupby(S.ITEM_ID)[S.QUANTITY].mean()


def test_fact_stockout_item(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["stockout_item"]
    inv = data["inventory"].set_index(S.ITEM_ID)
    need = _daily_mean(data["demand"], 28) * inv[S.LEAD_TIME_DAYS]
    short = inv.index[inv[S.ON_HAND] < need].tolist()
    assert short == [f["item_id"]]
    assert inv.loc[f["item_id"], S.ON_HAND] == f["on_hand"]


def test_fact_overstock_item(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["overstock_item"]
    inv = data["inventory"].set_index(S.ITEM_ID)
    weeks = inv[S.ON_HAND] / (_daily_mean(data["demand"], 91) * 7)
    assert weeks.idxmax() == f["item_id"]
    assert weeks.max() > f["min_weeks_of_cover"] > weeks.drop(f["item_id"]).max()


def test_fact_seasonal_category(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["seasonal_category"]
    d = data["demand"].merge(data["items"][[S.ITEM_ID, S.CATEGORY]], on=S.ITEM_ID)
    by = d.groupby([d[S.TIMESTAMP].dt.month, S.CATEGORY])[S.QUANTITY].sum().unstack()
    share = by.div(by.sum(axis=1), axis=0)
    ratio = share.max() / share.min()
    assert ratio.idxmax() == f["category"] and ratio.max() >= 3
    assert share[f["category"]].idxmax() in (6, 7, 8)


def test_fact_promo_lift_and_growth(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    d = data["demand"]
    per_item = d.groupby([S.ITEM_ID, S.PROMO])[S.QUANTITY].mean().unstack()
    per_item = per_item[per_item.min(axis=1) >= 1]  # skip the intermittent tail
    lift = per_item[1.0].sum() / per_item[0.0].sum()
    assert 1.3 <= lift <= 2.2
    assert lift == pytest.approx(truth["promo_lift"]["lift"], rel=0.15)
    promo_price = d[d[S.PROMO] == 1].groupby(S.ITEM_ID)[S.PRICE].mean()
    full_price = d[d[S.PROMO] == 0].groupby(S.ITEM_ID)[S.PRICE].mean()
    assert ((promo_price / full_price.reindex(promo_price.index)).round(2) == 0.8).all()
    year = d.groupby(d[S.TIMESTAMP].dt.year)[S.QUANTITY].sum()
    assert year[2024] / year[2023] - 1 == pytest.approx(
        truth["demand_growth"]["yoy_growth"], abs=1e-3
    )
    assert 0.2 <= year[2024] / year[2023] - 1 <= 0.5


def _ticket_months(t: pd.DataFrame) -> pd.Series:
    return t[S.TIMESTAMP].dt.strftime("%Y-%m")


def test_fact_refund_spike(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["refund_spike"]
    t = data["tickets"]
    counts = pd.crosstab(_ticket_months(t), t[S.INTENT])
    counts = counts[counts.sum(axis=1) >= 20]  # months with enough tickets to judge
    share = counts[f["intent"]] / counts.sum(axis=1)
    assert counts[f["intent"]].idxmax() == share.idxmax() == f["month"]
    assert share.max() >= 2 * share.median()
    spike = t[(_ticket_months(t) == f["month"]) & (t[S.INTENT] == f["intent"])]
    words = "|".join(re.escape(k.lower()) for k in f["item_keywords"])
    assert spike[S.TEXT].str.lower().str.contains(words).mean() >= 0.5
    assert f["item_id"] in set(data["items"][S.ITEM_ID])


def test_fact_price_match_tickets(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["price_match_tickets"]
    t = data["tickets"]
    share = pd.crosstab(_ticket_months(t), t[S.INTENT], normalize="index")[f["intent"]]
    months = list(share.index)
    k = months.index(f["month"])
    assert share.iloc[k : k + 6].mean() >= 1.4 * share.iloc[k - 6 : k].mean()


def test_fact_pii_and_xss(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["pii_in_tickets"]
    text = data["tickets"][S.TEXT]
    for kind, rx in f["regex"].items():
        n = int(text.str.contains(rx, regex=True).sum())
        assert n == f["counts"][kind] > 0
    assert text.str.contains(r"(?<!\d)1[3-9]\d{9}(?!\d)").any()  # Chinese mobile numbers
    x = truth["xss_probe"]
    tickets = data["tickets"].set_index(S.TICKET_ID)
    assert x["payload"] in tickets.loc[x["ticket_id"], S.TEXT]
    assert x["payload"] in data["items"].set_index(S.ITEM_ID).loc[x["item_id"], S.TITLE]


def test_fact_competitor_price_cut(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["competitor_price_cut"]
    m = data["market"]
    assert m[S.COMPANY].nunique() >= 6
    assert m.groupby(S.PERIOD)[S.SHARE].sum().between(0.999, 1.001).all()
    price = m.pivot(index=S.PERIOD, columns=S.COMPANY, values=S.PRICE)
    change = price.drop(columns="Northwind Goods").pct_change()
    when, who = change.stack().idxmin()
    assert who == f["company"] and when.strftime("%Y-%m") == f["month"]
    assert change.loc[when, who] == pytest.approx(f["price_change"], abs=0.05)
    share = m.pivot(index=S.PERIOD, columns=S.COMPANY, values=S.SHARE)[who]
    k = list(share.index).index(when)
    assert share.iloc[k : k + 3].mean() > share.iloc[k - 3 : k].mean() + 0.02


def test_fact_own_price_elasticity(data: dict[str, pd.DataFrame], truth: dict[str, Any]) -> None:
    f = truth["own_price_elasticity"]
    m = data["market"]
    us = m[m[S.COMPANY] == f["company"]].sort_values(S.PERIOD)
    t = np.arange(len(us))
    post = (us[S.PERIOD] >= pd.Timestamp(truth["competitor_price_cut"]["month"])).to_numpy()
    x = np.column_stack([np.ones(len(us)), np.log(us[S.PRICE]), t, post])
    coef, *_ = np.linalg.lstsq(x, np.log(us[S.SHARE].to_numpy()), rcond=None)
    assert coef[1] == pytest.approx(f["value"], abs=f["tolerance"])
    assert coef[1] < -1


def test_the_planted_losing_campaign_is_in_the_files(data: dict[str, pd.DataFrame], truth) -> None:
    """Each campaign's ROAS recomputed from ad_spend and the orders' utm_campaign (folded)."""
    fact = truth["ads_losing_campaign"]
    ads, orders = data["ad_spend"], data["orders"]
    key = ads[S.CAMPAIGN].map(S.fold_name)
    spend = ads.groupby(key)[S.SPEND].sum()
    tagged = orders[orders[S.UTM_CAMPAIGN].notna() & (orders[S.TIMESTAMP] >= "2024-10-01")]
    revenue = tagged.groupby(tagged[S.UTM_CAMPAIGN].map(S.fold_name))[S.AMOUNT].sum()
    roas = (revenue.reindex(spend.index) / spend).to_dict()
    assert {S.fold_name(k): v for k, v in fact["roas"].items()} == pytest.approx(roas, abs=1e-3)
    assert roas[S.fold_name(fact["campaign"])] < 1 < roas[S.fold_name(fact["best"])]
    assert set(tagged[S.UTM_CAMPAIGN].map(S.fold_name)) - set(spend.index) == {"newsletter"}
