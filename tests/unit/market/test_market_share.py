"""Market size, shares, concentration, share shifts and the growth decomposition."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pytest

from opsai.data import schema as S
from opsai.errors import OpsaiError, SchemaError
from opsai.market import (
    concentration,
    growth_decomposition,
    market_shares,
    market_size,
    share_changes,
)

pytestmark = pytest.mark.unit


def test_shares_sum_to_one_and_rank(three_firms: pd.DataFrame) -> None:
    sh = market_shares(three_firms)
    assert sh.groupby(S.PERIOD)[S.SHARE].sum().tolist() == pytest.approx([1.0, 1.0])
    first = sh[sh[S.PERIOD] == 1].set_index(S.COMPANY)
    assert first[S.SHARE].to_dict() == pytest.approx({"a": 0.5, "b": 0.3, "c": 0.2})
    assert first["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}
    assert first["total"].iloc[0] == 100.0


def test_shares_within_segment() -> None:
    df = pd.DataFrame(
        {
            S.PERIOD: [1, 1, 1, 1],
            S.COMPANY: ["a", "b", "c", "d"],
            S.SALES: [30.0, 10.0, 20.0, 40.0],
            S.SEGMENT: ["x", "x", "y", "y"],
        }
    )
    sh = market_shares(df, col_segment=S.SEGMENT).set_index(S.COMPANY)[S.SHARE]
    assert sh.to_dict() == pytest.approx({"a": 0.75, "b": 0.25, "c": 1 / 3, "d": 2 / 3})


def test_hhi_of_a_known_market(three_firms: pd.DataFrame) -> None:
    c = concentration(three_firms).set_index(S.PERIOD)
    assert c.loc[1, "hhi"] == pytest.approx(50**2 + 30**2 + 20**2)  # 3,800
    assert c.loc[1, "equivalent_companies"] == pytest.approx(10_000 / 3_800)
    assert c.loc[1, "top1"] == pytest.approx(0.5)
    assert c.loc[1, "top3"] == pytest.approx(1.0)
    assert c.loc[2, "hhi"] == pytest.approx(40**2 + 35**2 + 25**2)
    assert c.loc[1, "companies"] == 3


def test_monopoly_and_equal_firms() -> None:
    df = pd.DataFrame(
        {S.PERIOD: [1, 2, 2, 2, 2], S.COMPANY: ["a", "a", "b", "c", "d"], S.SALES: [5.0] * 5}
    )
    c = concentration(df).set_index(S.PERIOD)
    assert c.loc[1, "hhi"] == pytest.approx(10_000)
    assert c.loc[2, "hhi"] == pytest.approx(2_500)
    assert c.loc[2, "equivalent_companies"] == pytest.approx(4.0)


def test_share_changes(three_firms: pd.DataFrame) -> None:
    ch = share_changes(three_firms, periods=1).set_index(S.COMPANY)
    assert ch.loc["b", "change_pp"] == pytest.approx(5.0)
    assert ch.loc["a", "change_pp"] == pytest.approx(-10.0)
    assert ch.loc["c", "change_rel"] == pytest.approx(0.25)
    assert ch.loc["b", "sales_growth"] == pytest.approx(0.4)
    assert ch.index[0] == "b"  # largest gain first
    with pytest.raises(OpsaiError, match="periods="):
        share_changes(three_firms, periods=2)


def test_growth_decomposition_is_exact() -> None:
    # market 100 -> 120, our share 0.20 -> 0.25: sales 20 -> 30
    df = pd.DataFrame(
        {
            S.PERIOD: [1, 1, 2, 2],
            S.COMPANY: ["us", "them", "us", "them"],
            S.SALES: [20.0, 80.0, 30.0, 90.0],
        }
    )
    out = growth_decomposition(df, "us", periods=1).set_index("component")["value"]
    assert out.to_dict() == pytest.approx(
        {"market_growth": 4.0, "share_change": 5.0, "interaction": 1.0, "total": 10.0}
    )
    with pytest.raises(OpsaiError, match="'nobody'"):
        growth_decomposition(df, "nobody", periods=1)


def test_market_size_growth(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market()
    size = market_size(m)
    total = m.groupby(S.PERIOD)[S.SALES].sum()
    assert size[S.SALES].to_numpy() == pytest.approx(total.to_numpy())
    assert size["growth_yoy"].iloc[12] == pytest.approx(total.iloc[12] / total.iloc[0] - 1)
    assert np.isnan(size["growth_yoy"].iloc[11])
    assert size["sales_per_user"].iloc[0] == pytest.approx(total.iloc[0] / m[S.USERS][::24].sum())


def test_accepts_an_ibis_table(three_firms: pd.DataFrame) -> None:
    c = concentration(ibis.memtable(three_firms))
    assert c["hhi"].iloc[0] == pytest.approx(3_800)


def test_missing_column_names_the_fix(three_firms: pd.DataFrame) -> None:
    with pytest.raises(
        SchemaError, match=r"'sales' not found.*data\.tables\.market\.columns\.sales"
    ):
        market_shares(three_firms.drop(columns=S.SALES))
