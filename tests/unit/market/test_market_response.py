"""Adstock, Hill saturation, the spend-response fit and budget reallocation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import NotFittedError, OpsaiError
from opsai.market.findings import what_if_finding
from opsai.market.response import (
    SpendResponse,
    adstock,
    hill,
    reallocate,
    response_curve,
    spend_what_if,
)

pytestmark = pytest.mark.unit
BETAS = {"a": 100.0, "b": 300.0, "c": 50.0}


def _channels(seed: int = 0, decay: float = 0.4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for g, b in BETAS.items():
        sp = 100 * np.exp(rng.normal(0, 0.5, 48))
        y = 500 + b * hill(adstock(sp, decay), float(np.median(sp)), 1.0)
        y += 20 * np.sin(np.arange(48) * 2 * np.pi / 12) + rng.normal(0, 5, 48)
        frames.append(
            pd.DataFrame({"period": np.arange(48), "company": g, "marketing_spend": sp, "sales": y})
        )
    return pd.concat(frames, ignore_index=True)


def test_adstock_and_hill_closed_forms() -> None:
    assert adstock(np.array([1.0, 0.0, 0.0]), 0.5) == pytest.approx([1.0, 0.5, 0.25])
    assert adstock(np.full(5, 3.0), 0.7) == pytest.approx(np.full(5, 3.0))  # steady state
    assert adstock(np.array([2.0, 4.0]), 0.0) == pytest.approx([2.0, 4.0])
    assert hill(np.array([0.0, 2.0, 6.0]), 2.0, 1.0) == pytest.approx([0.0, 0.5, 0.75])
    assert hill(np.array([2.0]), 2.0, 3.0) == pytest.approx([0.5])


def test_recovers_carry_over_and_marginal_returns() -> None:
    m = SpendResponse(n_boot=100, seed=0).fit(_channels())
    assert m.decay_ == pytest.approx(0.4)
    mr = m.marginal_return().set_index("group")
    for g, b in BETAS.items():
        spend, half = (
            mr.loc[g, "spend"],
            float(np.median(_channels()[lambda d, g=g: d.company == g].marketing_spend)),
        )
        truth = b * half / (spend + half) ** 2  # derivative of b * hill(x, half, 1)
        assert mr.loc[g, "marginal_return"] == pytest.approx(truth, rel=0.3)
    assert (mr["lo"] <= mr["marginal_return"]).all() and (mr["marginal_return"] <= mr["hi"]).all()
    assert mr["marginal_return"].idxmax() == "b"


def test_reallocation_keeps_the_budget_and_gains() -> None:
    m = SpendResponse(n_boot=0).fit(_channels())
    out = reallocate(m, ["a", "b", "c"])
    assert out["spend_new"].sum() == pytest.approx(out["spend_now"].sum())
    assert out.attrs["gain"] >= 0
    moved = out.set_index("group")
    assert moved.loc["b", "spend_new"] > moved.loc["b", "spend_now"]  # highest marginal return
    for g in ("a", "b", "c"):
        lo, hi = m.spend_range_[g]
        assert lo - 1e-6 <= moved.loc[g, "spend_new"] <= hi + 1e-6
    banded = reallocate(SpendResponse(n_boot=50).fit(_channels()), ["a", "b", "c"])
    assert banded.attrs["gain_lo"] <= banded.attrs["gain"] <= banded.attrs["gain_hi"]
    with pytest.raises(OpsaiError, match="outside what the observed"):
        reallocate(m, ["a", "b"], budget=1e9)
    with pytest.raises(OpsaiError, match="not in the fitted groups"):
        reallocate(m, ["zz"])


def test_seeded_and_contract() -> None:
    with pytest.raises(NotFittedError):
        SpendResponse().marginal_return()
    a = SpendResponse(n_boot=20, seed=1).fit(_channels()).marginal_return()
    b = SpendResponse(n_boot=20, seed=1).fit(_channels()).marginal_return()
    assert a.equals(b)


def test_spend_what_if_matches_the_curve_and_brackets() -> None:
    data = _channels()
    m = SpendResponse(n_boot=100, seed=0).fit(data)
    out = spend_what_if(m, "b", changes=(-0.1, 0.1, 3.0)).set_index("change")
    now = float(m.current_spend_["b"])
    half = float(np.median(data[data.company == "b"].marketing_spend))
    truth = BETAS["b"] * (hill(np.array([1.1 * now]), half, 1.0) - hill(np.array([now]), half, 1.0))
    up = out.loc[0.1]
    assert up["extra_target"] == pytest.approx(float(truth[0]), rel=0.3)
    assert up["lo"] <= up["extra_target"] <= up["hi"]
    assert up["return_per_unit"] == pytest.approx(up["extra_target"] / up["extra_spend"])
    assert up["return_lo"] <= up["return_per_unit"] <= up["return_hi"]
    assert out.loc[-0.1, "extra_target"] < 0 < up["extra_target"]
    assert bool(up["observed"]) and not bool(out.loc[3.0, "observed"])  # 4x spend: extrapolated
    with pytest.raises(OpsaiError, match="not in the fitted groups"):
        spend_what_if(m, "zz")
    with pytest.raises(NotFittedError):
        spend_what_if(SpendResponse(), "b")


def test_response_curve_rises_within_its_band() -> None:
    m = SpendResponse(n_boot=50, seed=0).fit(_channels())
    c = response_curve(m, "a", points=21)
    assert c["response"].iloc[0] == 0.0 and c["response"].is_monotonic_increasing
    assert ((c["lo"] <= c["response"] + 1e-9) & (c["response"] <= c["hi"] + 1e-9)).all()
    assert c["observed"].any() and not c["observed"].all()
    assert c.attrs["current"] == pytest.approx(float(m.current_spend_["a"]))
    point = response_curve(SpendResponse(n_boot=0).fit(_channels()), "a", points=5)
    assert point["lo"].equals(point["response"])


def test_what_if_finding_suggests_a_direction() -> None:
    table = pd.DataFrame(
        {
            "change": [-0.1, 0.1],
            "extra_spend": [-10.0, 10.0],
            "extra_target": [-30.0, 25.0],
            "lo": [-40.0, 15.0],
            "hi": [-20.0, 35.0],
            "return_per_unit": [3.0, 2.5],
            "return_lo": [2.0, 1.5],
            "return_hi": [4.0, 3.5],
            "observed": [True, True],
        }
    )
    f = what_if_finding(table, "us")
    assert "by 10% (10 a period)" in f.text and "add 25 of sales" in f.text
    assert "into marketing" in f.text and f.severity == "medium"
    assert f.evidence["return_lo"] == 1.5
    weak = table.assign(return_lo=[0.5, 0.4], observed=[True, False])
    g = what_if_finding(weak, "us")
    assert "keep the budget" in g.text and "extrapolated" in g.text and g.severity == "info"
    poor = table.assign(return_lo=[0.1, 0.1], return_hi=[0.5, 0.6])
    assert "out of marketing" in what_if_finding(poor, "us").text
    assert "margin per unit" in what_if_finding(table, "us", sales_is="units").text
    assert f.text.startswith(
        "Raising us's marketing spend by 10% (10 a period) is expected to add 25 of sales a "
        "period (90% band 15 to 35), 2.50 per unit spent; cutting it by 10% saves 10 and loses "
        "30 (band 20 to 40). "
    )


def test_what_if_finding_writes_spend_and_revenue_with_the_currency() -> None:
    table = pd.DataFrame(
        {"change": [-0.1, 0.1], "extra_spend": [-1000.0, 1000.0], "extra_target": [-3000.0, 2500.0],
         "lo": [-4000.0, 1500.0], "hi": [-2000.0, 3500.0], "return_per_unit": [3.0, 2.5],
         "return_lo": [2.0, 1.5], "return_hi": [4.0, 3.5], "observed": [True, True]}
    )  # fmt: skip
    f = what_if_finding(table, "us", currency="USD")
    assert f.text.startswith(
        "Raising us's marketing spend by 10% (1,000 USD a period) is expected to add 2,500 USD "
        "of sales a period (90% band 1,500 to 3,500 USD), 2.50 per unit spent; cutting it by 10% "
        "saves 1,000 USD and loses 3,000 USD (band 2,000 to 4,000 USD). "
    )
    units = what_if_finding(table, "us", sales_is="units", currency="USD").text
    assert (
        "(1,000 USD a period) is expected to add 2,500 units a period (90% band 1,500 to 3,500)"
        in units
    )
    assert "loses 3,000 (band 2,000 to 4,000)" in units  # units, not money
    assert f.evidence["sales_is"] == "revenue"  # the executive action reads the unit from it
    assert what_if_finding(table, "us", sales_is="units").evidence["sales_is"] == "units"
