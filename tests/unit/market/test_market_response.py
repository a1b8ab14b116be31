"""Adstock, Hill saturation, the spend-response fit and budget reallocation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import NotFittedError, OpsaiError
from opsai.market.response import SpendResponse, adstock, hill, reallocate

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
