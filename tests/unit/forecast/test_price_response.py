"""04's price response with period fixed effects: a season that lifts demand and prices together
is not read as demand rising with price."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai import forecast as fc
from opsai.data.workspace import open_workspace
from opsai.market import LogLogElasticity
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

TRUE = -1.5


def _seasonal(tmp_path: Path, *, together: bool) -> Path:
    """20 items x 364 days: a yearly season and busy weekends lift every item's demand
    (x0.5 to x1.5) and its price with it (season^0.6); each item's price also moves on its own
    about 10% a day (``together``: one shared move a day). Units Poisson around
    ``level x season x (price/base)^-1.5``."""
    rng = np.random.default_rng(1)
    days = pd.date_range("2024-01-01", periods=364)
    t = np.arange(len(days))
    season = (1 + 0.4 * np.sin(2 * np.pi * t / 364)) * np.where(days.day_of_week >= 5, 1.25, 0.9)
    shared = rng.normal(0, 0.1, len(days))
    frames = []
    for i in range(20):
        base, level = rng.uniform(5, 50), rng.uniform(40, 120)
        own = shared if together else rng.normal(0, 0.1, len(days))
        price = base * season**0.6 * np.exp(own)
        mu = level * season * (price / base) ** TRUE
        frames.append(
            pd.DataFrame({"day": days.date, "sku": f"S{i:02d}", "units": rng.poisson(mu),
                          "price": price.round(3)})
        )  # fmt: skip
    spec = {"demand": {"file": "sales.csv", "columns": {
        "item_id": "sku", "timestamp": "day", "quantity": "units", "price": "price"}}}  # fmt: skip
    return write_dataset(tmp_path, {"sales.csv": pd.concat(frames).to_csv(index=False)}, spec)


@pytest.mark.parametrize(
    ("together", "says"),
    [
        (False, "(20 items, each item at its own level and each day at the level all items share, "
                "so the season's and the weekdays' swings are not read as price effects)"),
        (True, "(20 items, each at its own level; our prices move together across items, so the "
               "days' common swings (season, holidays) are not separated from them)"),
    ],
)  # fmt: skip
def test_period_effects_enter_when_item_prices_move_apart(
    tmp_path: Path, together: bool, says: str
) -> None:
    """Each item's own price moves: the season is absorbed and the planted -1.5 recovered. A
    chain-wide price a day (``together``): the day effects would absorb every price move, so
    the items keep their own levels only and the finding says the season is not separated."""
    with open_workspace(_seasonal(tmp_path, together=together)) as ws:
        r = fc.price_response(ws, freq="D")
    assert r is not None and r.periods is not together and r.series == 20 and r.unit == "day"
    if not together:
        assert r.model.elasticity_ == pytest.approx(TRUE, abs=0.05)
        lo, hi = r.model.conf_int_
        assert lo < TRUE < hi
    f = fc.price_response_finding(r)
    assert f is not None and f.evidence["period_effects"] is not together
    assert says in f.text


def test_without_the_period_effects_the_season_biases_the_estimate(tmp_path: Path) -> None:
    """What the period effects correct: the same rows with item effects only read about
    -0.2 (the season lifts demand and price together), far from the planted -1.5."""
    df = pd.read_csv(_seasonal(tmp_path, together=False).parent / "sales.csv")
    df = df[df["units"] > 0]
    alone = LogLogElasticity(col_quantity="units", fixed_effects=["sku"]).fit(df)
    both = LogLogElasticity(col_quantity="units", fixed_effects=["sku", "day"]).fit(df)
    assert alone.elasticity_ > TRUE + 0.8
    assert both.elasticity_ == pytest.approx(TRUE, abs=0.05)


def test_a_price_that_moves_only_in_promotions_is_not_also_a_control(tmp_path: Path) -> None:
    """The demo's promotions: 20% off and x1.7 units in each item's promotion windows, the
    price never moving otherwise. With the flag as a control beside the price neither was
    identified (elasticity -668, interval -2,123 to 787 on the tiny demo)."""
    rng = np.random.default_rng(2)
    days = pd.date_range("2024-01-01", periods=200)
    frames = []
    for i in range(12):
        promo = np.zeros(len(days), bool)
        for start in rng.integers(0, 190, 5):
            promo[start : start + int(rng.integers(3, 8))] = True
        base = rng.uniform(5, 50)
        frames.append(
            pd.DataFrame({"day": days.date, "sku": f"S{i:02d}", "promo": promo.astype(int),
                          "units": rng.poisson(rng.uniform(30, 90) * np.where(promo, 1.7, 1.0)),
                          "price": np.where(promo, 0.8 * base, base).round(2)})
        )  # fmt: skip
    spec = {"demand": {"file": "sales.csv", "columns": {
        "item_id": "sku", "timestamp": "day", "quantity": "units", "price": "price",
        "promo": "promo"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"sales.csv": pd.concat(frames).to_csv(index=False)}, spec)
    with open_workspace(cfg) as ws:
        r = fc.price_response(ws, freq="D")
    assert r is not None and r.in_promos and r.periods
    assert r.model.elasticity_ == pytest.approx(np.log(1.7) / np.log(0.8), abs=0.1)
    assert "promo" not in r.model.coef_.index
    f = fc.price_response_finding(r)
    assert f is not None and f.evidence["price_moves_only_in_promotions"] is True
    assert f.text.endswith(
        " Our price moves only in promotions here, so this holds the promotions' whole lift "
        "(the display and the advertising that come with the cut), not the price's alone."
    )


def test_one_unit_on_every_booked_day_is_read_as_nights_per_week(tmp_path: Path) -> None:
    """A booking calendar (Inside Airbnb, byod13b): each booked night is one unit, so the
    regression on the days with a sale read 0.00 (interval 0.00 to 0.00) from nothing. Nights
    booked per week do respond: 30 listings, a weekly rate from 80 to 200, each night booked
    with chance 0.5 x (rate/140)^-1.5."""
    rng = np.random.default_rng(3)
    weeks = pd.date_range("2024-01-01", periods=26, freq="W-MON")
    rows = []
    for i in range(30):
        for w, rate in zip(weeks, rng.uniform(80, 200, len(weeks)), strict=True):
            for d in pd.date_range(w, periods=7):
                if rng.random() < min(0.5 * (rate / 140) ** -1.5, 1.0):
                    rows.append({"day": d.date(), "sku": f"L{i}", "units": 1, "price": rate})
    spec = {"demand": {"file": "cal.csv", "columns": {
        "item_id": "sku", "timestamp": "day", "quantity": "units", "price": "price"}}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"cal.csv": pd.DataFrame(rows).to_csv(index=False)}, spec)
    with open_workspace(cfg) as ws:
        r = fc.price_response(ws, freq="D")
    assert r is not None and r.unit == "week" and r.series == 30
    assert r.model.elasticity_ == pytest.approx(-1.5, abs=0.15)  # read -1.51 (-1.60 to -1.42)
    assert "item-weeks with a sale (30 items" in fc.price_response_finding(r).text
