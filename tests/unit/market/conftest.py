"""Synthetic markets with known truths for the market tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from opsai.data import schema as S


def make_logit_market(
    *,
    seed: int = 0,
    n_periods: int = 24,
    n_companies: int = 6,
    beta: float = -2.0,
    gamma: float = 0.25,
    cut_company: int | None = 2,
    cut_at: int = 15,
    cut: float = -0.18,
    noise: float = 0.03,
) -> pd.DataFrame:
    """A closed market (shares sum to one): utility = quality + beta ln p + gamma ln spend."""
    rng = np.random.default_rng(seed)
    names = [f"co{i}" for i in range(n_companies)]
    quality = np.linspace(-0.5, 0.8, n_companies)[:, None]
    base = np.linspace(30, 60, n_companies)[:, None]
    price = base * np.exp(rng.normal(0, 0.02, (n_companies, n_periods)))
    price[0] = base[0] * np.exp(rng.normal(0, 0.08, n_periods))  # "us": promotional pricing
    if cut_company is not None:
        price[cut_company, cut_at:] *= 1 + cut
    spend = 100 * np.exp(rng.normal(0, 0.1, (n_companies, n_periods)))
    util = quality + beta * np.log(price) + gamma * np.log(spend)
    util += rng.normal(0, noise, util.shape)
    share = np.exp(util - util.max(axis=0))
    share /= share.sum(axis=0)
    size = 1000.0 * np.exp(0.01 * np.arange(n_periods))
    units = share * size
    return pd.DataFrame(
        {
            S.PERIOD: np.tile(np.arange(n_periods), n_companies),
            S.COMPANY: np.repeat(names, n_periods),
            S.SALES: (units * price).ravel(),
            S.PRICE: price.ravel(),
            S.SHARE: share.ravel(),
            S.MARKETING_SPEND: spend.ravel(),
            S.USERS: (units / 2).ravel(),
        }
    )


@pytest.fixture
def logit_market() -> Callable[..., pd.DataFrame]:
    return make_logit_market


@pytest.fixture
def three_firms() -> pd.DataFrame:
    """Two periods, shares 50/30/20 then 40/35/25; market 100 then 120."""
    return pd.DataFrame(
        {
            S.PERIOD: [1, 1, 1, 2, 2, 2],
            S.COMPANY: ["a", "b", "c", "a", "b", "c"],
            S.SALES: [50.0, 30.0, 20.0, 48.0, 42.0, 30.0],
            S.PRICE: [10.0, 12.0, 8.0, 10.0, 11.0, 8.0],
            S.USERS: [5.0, 6.0, 4.0, 5.0, 7.0, 5.0],
            S.MARKETING_SPEND: [10.0, 10.0, 10.0, 10.0, 6.0, 20.0],
        }
    )
