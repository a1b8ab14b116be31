"""A competitor's price in the demand table (the Kaggle retail file's Competitor Pricing): mapped
by init, a cross-price term of the price response, a regressor of the global models."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai import forecast as fc
from opsai.data.schema import COMPETITOR_PRICE, ITEM_ID, QUANTITY, TIMESTAMP
from opsai.data.workspace import open_workspace
from opsai.errors import OpsaiError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _retail(tmp_path: Path, *, cross: float, mapped: bool = True) -> Path:
    """10 products x 2 stores x 180 days shaped like the Kaggle retail file: units Poisson
    around a store-product level times ``(price/base)^-1.2 (competitor/base)^cross
    e^(0.2 promo)``, both prices moving about 12% a day around the product's base."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2023-01-01", periods=180)
    frames = []
    for p in range(10):
        base = rng.uniform(10, 100)
        for store in ("S001", "S002"):
            level = rng.uniform(20, 80)
            price = base * np.exp(rng.normal(0, 0.12, len(days)))
            comp = base * np.exp(rng.normal(0, 0.12, len(days)))
            promo = rng.integers(0, 2, len(days))
            mu = level * (price / base) ** -1.2 * (comp / base) ** cross * np.exp(0.2 * promo)
            frames.append(pd.DataFrame({
                "Date": days.date, "Store ID": store, "Product ID": f"P{p:04d}",
                "Units Sold": rng.poisson(mu), "Price": price.round(2),
                "Holiday/Promotion": promo, "Competitor Pricing": comp.round(2),
            }))  # fmt: skip
    cols = {"item_id": "Product ID", "timestamp": "Date", "quantity": "Units Sold",
            "price": "Price", "promo": "Holiday/Promotion", "store": "Store ID"}  # fmt: skip
    if mapped:
        cols[COMPETITOR_PRICE] = "Competitor Pricing"
    spec = {"demand": {"file": "retail.csv", "columns": cols}}
    return write_dataset(tmp_path, {"retail.csv": pd.concat(frames).to_csv(index=False)}, spec)


@pytest.mark.parametrize(
    "name", ["Competitor Pricing", "competitor_price", "comp_price", "Wettbewerbspreis", "竞品价格"]
)
def test_init_maps_the_competitors_price(tmp_path: Path, name: str) -> None:
    from opsai.data.init import plan_folder

    rows = [f"Date,Product ID,Units Sold,Price,{name}"]
    rows += [
        f"2024-01-{d:02d},P{i},{d + i},{10 + i}.5,{11 + i}.25"
        for d in range(1, 29)
        for i in range(3)
    ]
    (tmp_path / "sales.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    plan = plan_folder(tmp_path)
    (demand,) = [g for g in plan.guesses if g.table == "demand"]
    got = {m.contract: m.source for m in demand.matches}
    assert got[COMPETITOR_PRICE] == name and got["price"] == "Price"


def test_the_planted_cross_elasticity_is_recovered(tmp_path: Path) -> None:
    """Planted: own -1.2, cross +0.8 (a 10% competitor cut costs 8.1% of our units)."""
    with open_workspace(_retail(tmp_path, cross=0.8)) as ws:
        r = fc.price_response(ws, freq="D")
    assert r is not None and r.cross and r.stores and (r.unit, r.series) == ("day", 20)
    m = r.model
    assert m.conf_int_[0] < -1.2 < m.conf_int_[1]
    assert m.cross_conf_int_[0] < 0.8 < m.cross_conf_int_[1]
    assert m.elasticity_ == pytest.approx(-1.2, abs=0.03)
    assert m.cross_elasticity_ == pytest.approx(0.8, abs=0.03)
    assert r.periods and not r.in_promos  # prices move apart; the promotions on their own days
    assert m.coef_["promo"] == pytest.approx(0.2, abs=0.03)
    assert m.n_obs_ == 3600 and m.se_type == "robust"  # 20 series: under MIN_CLUSTERS
    f = fc.price_response_finding(r)
    assert f is not None and f.name == "price_response" and f.severity == "medium"
    cut = 100 * (1 - 0.9**m.cross_elasticity_)
    assert f.text.startswith(
        f"When the competitor cuts its price by 10%, our units fall about {cut:.1f}% (95% interval"
    )
    assert f.evidence["cross_interval"][0] > 0 and f.evidence["n_obs"] == 3600


def test_no_clear_cross_effect_and_no_column(tmp_path: Path) -> None:
    with open_workspace(_retail(tmp_path / "none", cross=0.0)) as ws:
        r = fc.price_response(ws, freq="D")
    assert r is not None and r.model.cross_conf_int_[0] < 0 < r.model.cross_conf_int_[1]
    f = fc.price_response_finding(r)
    assert f is not None and f.severity == "info"
    assert "The competitor's price shows no clear effect on our units" in f.text
    with open_workspace(_retail(tmp_path / "unmapped", cross=0.8, mapped=False)) as ws:
        r = fc.price_response(ws, freq="D")
    assert (
        r is not None
        and not r.cross
        and "cross_elasticity" not in fc.price_response_finding(r).evidence
    )
    with pytest.raises(OpsaiError, match="col_cross_price"):
        r.model.effect(-0.1, cross=True)
    assert fc.price_response_finding(None) is None


def test_the_global_model_reads_the_competitors_price_held_at_its_last_value() -> None:
    """20 items whose units follow a competitor price switching between 0.7, 1.0 and 1.4 of
    its level; its last switch 3 days before the cut-off holds over the 14 test days."""
    from opsai.forecast.metrics import wape

    rng = np.random.default_rng(0)
    days, h = pd.date_range("2024-01-01", periods=240), 14
    frames = []
    for i in range(20):
        lv, k = np.empty(len(days)), 0
        while k < len(days):
            n = int(rng.integers(8, 30))
            lv[k : k + n], k = rng.choice([0.7, 1.0, 1.4]), k + n
        lv[-h - 3 :] = rng.choice([0.7, 1.4])
        y = rng.poisson(40 * lv**2).astype(float)
        frames.append(pd.DataFrame({ITEM_ID: f"i{i}", TIMESTAMP: days, QUANTITY: y,
                                    COMPETITOR_PRICE: 10 * lv}))  # fmt: skip
    df = pd.concat(frames, ignore_index=True)
    train, test = df.groupby(ITEM_ID).head(-h), df.groupby(ITEM_ID).tail(h)
    scores = {}
    for cols in ([], [COMPETITOR_PRICE]):
        m = fc.GlobalGBM(season_length=7, max_iter=100, seed=0)
        m.fit(train[[ITEM_ID, TIMESTAMP, QUANTITY, *cols]])
        f = m.predict(h, X_future=test).merge(test, on=[ITEM_ID, TIMESTAMP])
        scores[tuple(cols)] = wape(f[QUANTITY].to_numpy(), f["GlobalGBM"].to_numpy())
    assert scores[()] == pytest.approx(0.128, abs=0.002)
    assert scores[(COMPETITOR_PRICE,)] == pytest.approx(0.104, abs=0.002)
    # its future is the last price known, whatever X_future says (a backtest's test rows)
    held = m.predict(h)["GlobalGBM"].to_numpy()
    told = m.predict(h, X_future=test.assign(**{COMPETITOR_PRICE: 1.0}))["GlobalGBM"].to_numpy()
    assert m.exog_ == [COMPETITOR_PRICE] and np.allclose(held, told)
