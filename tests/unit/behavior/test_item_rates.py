"""Per item attribute: view -> cart and remove-from-cart rates (byod11a D1 remainder)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.behavior.item_rates import item_rate_findings, item_rates

pytestmark = pytest.mark.unit

CATS = ["apparel.shoes", "sport.bicycle", "kids.toys", "computers.notebook", "electronics.tv"]
BRANDS = ["apple", "xiaomi", "nike", "bosch"]


def _events(n_users: int = 1500, seed: int = 0, remove: str = "remove_from_cart") -> pd.DataFrame:
    """byod11a's REES46 generator: every viewed item is carted with probability 0.25 whatever
    its category or brand; a carted pair of shoes is removed 70% of the time, others 10%."""
    rng = np.random.default_rng(seed)
    item_cat = rng.integers(0, len(CATS), 200)
    item_brand = rng.integers(0, len(BRANDS), 200)
    rows = []
    t0 = pd.Timestamp("2019-10-01")
    for u in range(n_users):
        for s in range(int(rng.integers(1, 4))):
            t = t0 + pd.Timedelta(
                days=int(rng.integers(0, 60)), seconds=int(rng.integers(0, 86400))
            )
            for it in rng.choice(200, size=int(rng.integers(1, 8)), replace=False):
                cat, brand = CATS[item_cat[it]], BRANDS[item_brand[it]]
                row = (f"u{u}", f"u{u}s{s}", f"p{it}", cat, brand)
                rows.append((t, "view", *row))
                t += pd.Timedelta(seconds=30)
                if rng.random() < 0.25:
                    rows.append((t, "cart", *row))
                    t += pd.Timedelta(seconds=30)
                    if rng.random() < (0.7 if cat == "apparel.shoes" else 0.1):
                        rows.append((t, remove, *row))
                        t += pd.Timedelta(seconds=10)
    cols = ["timestamp", "event", "user_id", "session_id", "item_id", "category_code", "brand"]
    return pd.DataFrame(rows, columns=cols)


def _truth(ev: pd.DataFrame, by: str) -> pd.DataFrame:
    pairs = ev.groupby(["session_id", "item_id", by]).event.agg(set).reset_index()
    viewed, carted = pairs.event.map({"view"}.issubset), pairs.event.map({"cart"}.issubset)
    removed = pairs.event.map({"remove_from_cart"}.issubset)
    g = pairs.assign(v=viewed, c=carted & viewed, ca=carted, r=carted & removed).groupby(by)
    s = g[["v", "c", "ca", "r"]].sum()
    return pd.DataFrame({"cart_rate": s.c / s.v, "remove_rate": s.r / s.ca})


def test_remove_rate_of_a_category_stands_out_and_no_cart_rate_does() -> None:
    """REES46 (byod11a D1): shoes, 73% of carts removed against about 10% elsewhere, was in no
    finding, and a session split by category_code read bicycles "26% against 73%" though every
    item is carted 25% of the time. Per session and item, the remove-from-cart rate of shoes
    stands out (rate, rest and a corrected interval); no category or brand gets a cart-rate
    finding, nor another category a remove-rate one for the rest being lifted by shoes."""
    ev = _events()
    table, note = item_rates(ev, steps=["view", "cart", "purchase"])
    assert note == ""
    assert set(table["attribute"]) == {"category_code", "brand"}
    truth = _truth(ev, "category_code")
    got = table[table["attribute"] == "category_code"].set_index(["metric", "value"])["rate"]
    for metric in ("cart_rate", "remove_rate"):
        for cat in CATS:
            assert got[(metric, cat)] == pytest.approx(truth.loc[cat, metric])
    cart = table[table["metric"] == "cart_rate"]
    assert cart["rate"].between(0.22, 0.28).all() and not cart["stands_out"].any()
    out = table[table["stands_out"]]
    assert out[["attribute", "value", "metric"]].values.tolist() == [
        ["category_code", "apparel.shoes", "remove_rate"]
    ]
    shoes = out.iloc[0]
    rest = ev[ev["category_code"] != "apparel.shoes"]
    assert shoes["rest_rate"] == pytest.approx(
        (rest.event == "remove_from_cart").sum() / (rest.event == "cart").sum(), abs=0.01
    )
    assert shoes["difference"] == pytest.approx(shoes["rate"] - shoes["rest_rate"])
    assert 0.45 < shoes["low"] < shoes["difference"] < shoes["high"] < 0.75
    (f,) = item_rate_findings(table)
    assert f.name == "funnel_item_remove_rate" and f.severity == "high"
    assert f.text.startswith("Items whose remove-from-cart rate stands out: category_code="
                             f"apparel.shoes: {shoes['rate']:.0%} of the sessions that carted one")  # fmt: skip
    assert f"corrected for {len(table)} comparisons" in f.text
    assert f.evidence["rate"] == pytest.approx(truth.loc["apparel.shoes", "remove_rate"])


def test_item_attributes_from_the_items_table_and_no_remove_event() -> None:
    """The events carry only the item id: category and brand come from the items table. A shop
    without a remove-from-cart event gets the cart rates and one line saying why no remove
    rate; one without a cart step, one line and nothing else."""
    ev = _events(600, seed=1, remove="cart_remove")
    items = ev[["item_id", "category_code", "brand"]].drop_duplicates("item_id")
    items = items.rename(columns={"category_code": "category"})
    bare = ev.drop(columns=["category_code", "brand"])
    table, note = item_rates(bare, steps=["view", "cart"], items=items)  # REMOVE_EVENT's default
    assert note == "" and set(table["source"]) == {"items"}  # the data's cart_remove matched
    assert set(table["metric"]) == {"cart_rate", "remove_rate"}
    t = table.set_index(["attribute", "metric", "value"])
    truth = _truth(ev.replace({"event": {"cart_remove": "remove_from_cart"}}), "category_code")
    assert t.loc[("category", "remove_rate", "apparel.shoes"), "rate"] == pytest.approx(
        truth.loc["apparel.shoes", "remove_rate"]
    )
    assert t.loc[("category", "remove_rate", "apparel.shoes"), "stands_out"]
    gone = bare[bare["event"] != "cart_remove"]
    table, note = item_rates(gone, steps=["view", "cart"], items=items)
    assert note == (
        "No remove-from-cart rate: the events have no 'remove_from_cart' event (REMOVE_EVENT "
        "names it)"
    )
    assert set(table["metric"]) == {"cart_rate"} and not table["stands_out"].any()
    table, note = item_rates(gone, steps=["view", "purchase"], items=items)
    assert (
        table.empty
        and note == "No per-item cart rate: the funnel has no add-to-cart step (FUNNEL_STEPS)"
    )
