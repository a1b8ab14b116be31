"""Price index, positioning map and the strengths/weaknesses table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data import schema as S
from opsai.errors import OpsaiError
from opsai.market import positioning_map, price_index, strengths_weaknesses

pytestmark = pytest.mark.unit


def test_price_index(three_firms: pd.DataFrame) -> None:
    pi = price_index(three_firms, "a").set_index([S.PERIOD, "competitor"])["index"]
    assert pi[(1, "b")] == pytest.approx(100 * 10 / 12)
    assert pi[(1, "c")] == pytest.approx(100 * 10 / 8)
    avg = (50 * 10 + 30 * 12 + 20 * 8) / 100  # sales-weighted
    assert pi[(1, "(market)")] == pytest.approx(100 * 10 / avg)
    plain = price_index(three_firms, "a", col_weight=None).set_index([S.PERIOD, "competitor"])
    assert plain.loc[(1, "(market)"), "index"] == pytest.approx(100 * 10 / 10)
    with pytest.raises(OpsaiError, match="'z'"):
        price_index(three_firms, "z")


def test_positioning_map_raw_and_pca() -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            S.COMPANY: np.repeat(list("abcde"), 3),
            S.PRICE: rng.uniform(10, 50, 15),
            "quality": rng.uniform(0, 1, 15),
            "speed": rng.uniform(0, 1, 15),
        }
    )
    raw = positioning_map(df, [S.PRICE, "quality"], highlight=["a"])
    means = df.groupby(S.COMPANY)[[S.PRICE, "quality"]].mean()
    assert raw["x"].to_numpy() == pytest.approx(means[S.PRICE].to_numpy())
    assert raw["highlight"].tolist() == [True, False, False, False, False]
    pca = positioning_map(df, [S.PRICE, "quality", "speed"])
    assert pca.attrs["axes"] == ["PC1", "PC2"]
    assert 0 < pca.attrs["explained"].sum() <= 1
    assert pca["x"].mean() == pytest.approx(0, abs=1e-12)
    assert (pca.attrs["loadings"].abs().idxmax() == pca.attrs["loadings"].idxmax()).all()
    with pytest.raises(OpsaiError, match="at least two"):
        positioning_map(df, [S.PRICE])


def test_strengths_weaknesses(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market()
    sw = strengths_weaknesses(m, "co5").set_index("metric")
    assert sw.loc["sales_share", "verdict"] == "strength"  # co5 has the best quality
    shares = m.assign(s=m[S.SALES] / m.groupby(S.PERIOD)[S.SALES].transform("sum"))
    recent = shares[shares[S.PERIOD] >= 12].groupby(S.COMPANY)["s"].mean()
    assert sw.loc["sales_share", "value"] == pytest.approx(recent["co5"])
    assert sw.loc["sales_share", "rank"] == int(recent.rank(ascending=False)["co5"])
    assert sw.loc["price_vs_market", "verdict"] == "position"
    assert set(sw.index) >= {
        "sales_share_change_pp",
        "sales_growth",
        "sales_per_user",
        "sales_per_spend",
    }
    weakest = strengths_weaknesses(m, recent.idxmin()).set_index("metric")
    assert weakest.loc["sales_share", "verdict"] == "weakness"


def test_price_index_compares_product_for_product() -> None:
    """We are 10% dearer on each product; the rival's camera is missing from odd periods.
    Mean prices read us 2.6x dearer there; matched products read 110 throughout."""
    rows = []
    for t in range(4):
        for prod, p in (("cam", 200.0), ("strap", 10.0)):
            rows.append((t, "us", prod, 1.1 * p, 5.0))
            if not (prod == "cam" and t % 2):
                rows.append((t, "rival", prod, p, 5.0))
    m = pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, "product", S.PRICE, S.SALES])
    plain = price_index(m, "us").set_index([S.PERIOD, "competitor"])["index"]
    assert plain[(1, "rival")] == pytest.approx(100 * 115.5 / 10)
    pi = price_index(m, "us", col_product="product").set_index([S.PERIOD, "competitor"])
    assert pi.loc[(slice(None), "rival"), "index"].to_numpy() == pytest.approx([110.0] * 4)
    # the market: equal-weighted products, us and the rival at equal sales
    assert pi.loc[(0, "(market)"), "index"] == pytest.approx(100 * 1.1 / 1.1**0.5)
    assert pi.loc[(1, "(market)"), "index"] == pytest.approx(100 * (1.1 / 1.1**0.5) ** 0.5)
    assert pi.loc[(1, "rival"), "price"] == pytest.approx(11.0)  # over the strap only
    with pytest.raises(OpsaiError, match="'zz'"):
        price_index(m, "zz", col_product="product")


def test_positioning_without_users_or_spend_is_no_infinite_ratio() -> None:
    """Google Play's apps without a review (users 0): sales per user was inf, and the map's
    SVD stopped the whole chapter (byod13b D1). The ratio is missing there: a company with
    users in another period keeps its mean of the periods with users, one never with users
    is left off the map, and the strengths table reads no infinite ratio."""
    from opsai.market import chapter as ch

    m = pd.DataFrame(
        {
            S.PERIOD: np.repeat([1, 2], 4),
            S.COMPANY: list("abcd") * 2,
            S.SALES: [100.0, 50, 20, 10, 120, 60, 20, 10],
            S.PRICE: [0.0, 2.99, 0, 0, 0, 2.99, 0, 0],
            S.USERS: [10.0, 5, 0, 2, 12, 0, 0, 2],
        }
    )
    rows, feats = ch.positioning_frame(m, "a", periods=2)
    assert feats == [S.PRICE, S.SHARE, "sales_per_user"]
    points = positioning_map(rows, feats, highlight=["a"]).set_index(S.COMPANY)
    assert points.attrs["left_out"] == ["c"]
    assert points.loc["b", "sales_per_user"] == pytest.approx(10.0)  # period 1 only
    assert np.isfinite(points[["x", "y"]].to_numpy()).all()
    inf = pd.DataFrame({S.COMPANY: list("abc"), "p": [1.0, 2, 3], "q": [1.0, np.inf, 3]})
    assert positioning_map(inf, ["p", "q"]).attrs["left_out"] == ["b"]
    assert "sales_per_user" not in set(strengths_weaknesses(m, "c", periods=1)["metric"])
    sw = strengths_weaknesses(m, "a", periods=1).set_index("metric")
    assert sw.loc["sales_per_user", ["value", "best_company", "best_value"]].tolist() == [
        10.0,
        "d",
        5.0,
    ]
