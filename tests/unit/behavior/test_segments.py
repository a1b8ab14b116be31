"""RFM scores, behaviour features, the segmenter and persona rows on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.behavior.personas import name_segment, over_index, personas
from opsai.behavior.segments import Segmenter, behaviour_features, rfm, score
from opsai.errors import ConfigError, NotFittedError

pytestmark = pytest.mark.unit


@pytest.fixture
def orders() -> pd.DataFrame:
    rows = [  # user, day, amount, order id
        ("a", "2024-03-30", 100.0, "o1"), ("a", "2024-03-20", 50.0, "o2"),
        ("a", "2024-03-20", 10.0, "o2"),  # second line of the same order
        ("b", "2024-03-01", 20.0, "o3"),
        ("c", "2024-01-01", 5.0, "o4"), ("c", "2024-02-01", 5.0, "o5"), ("c", "2024-03-01", 5.0, "o6"),
        ("d", "2023-12-01", 300.0, "o7"),
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["user_id", "timestamp", "amount", "order_id"])
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    return df


def test_rfm_values_and_quantile_scores(orders: pd.DataFrame) -> None:
    r = rfm(orders, bins=4)
    assert r.loc["a", ["frequency", "monetary", "recency_days"]].tolist() == [2, 160, 1]
    assert r.loc["c", "frequency"] == 3 and r.loc["d", "recency_days"] == 121  # 2024-03-31 ref
    # 4 users, 4 bins: one user per level; b and c last bought the same day and tie
    assert r["r_score"].to_dict() == {"a": 4, "b": 3, "c": 3, "d": 1}
    assert r["m_score"].to_dict() == {"a": 3, "b": 2, "c": 1, "d": 4}
    assert r.loc["a", "rfm_segment"] == "433" and r.loc["a", "rfm_total"] == 10
    assert r.loc["a", "aov"] == pytest.approx(80)
    # with asof, later orders are ignored and recency is measured from asof
    early = rfm(orders, asof="2024-03-15")
    assert "a" not in early.index and early.loc["c", "recency_days"] == 14
    # ties share a score
    assert score(pd.Series([1, 1, 1, 1]), bins=4).nunique() == 1
    with pytest.raises(ConfigError, match="bins"):
        rfm(orders, bins=1)


def test_rfm_returns_are_money_not_purchases(orders: pd.DataFrame) -> None:
    refunds = pd.DataFrame({
        "user_id": ["a", "b", "e"], "amount": [-50.0, -20.0, -9.0], "order_id": ["R1", "R2", "R3"],
        "timestamp": pd.to_datetime(["2024-03-31", "2024-03-05", "2024-02-01"]),
    })  # fmt: skip
    r = rfm(pd.concat([orders, refunds]))
    assert list(r.index) == ["a", "b", "c", "d"]  # e has only a return: no buyer
    # a: 2 orders, the last on 03-30 (its 03-31 refund is no purchase; recency from 03-31)
    a = r.loc["a", ["frequency", "monetary", "recency_days", "first_days"]]
    assert a.tolist() == [2, 110, 1, 11]
    assert r.loc["b", ["frequency", "monetary", "recency_days"]].tolist() == [1, 0, 30]


def test_behaviour_features_counts() -> None:
    ev = pd.DataFrame(
        {"user_id": ["a", "a", "a", "b"], "session_id": ["s1", "s1", "s2", "s3"],
         "timestamp": pd.to_datetime(["2024-01-01", "2024-01-01 01:00:00", "2024-01-03", "2024-01-02"], format="ISO8601"),
         "event": ["visit", "view", "view", "visit"]}
    )  # fmt: skip
    f = behaviour_features(ev, event_names=["visit", "view"])
    assert f.loc["a", ["events", "sessions", "active_days", "n_visit", "n_view"]].tolist() == [
        3,
        2,
        2,
        1,
        2,
    ]
    assert f.loc["b", "days_since_event"] == 1 and f.loc["a", "days_since_event"] == 0


def _blobs(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for freq, money in [(1, 20), (6, 400), (20, 3000)]:
        parts.append(pd.DataFrame({"frequency": rng.normal(freq, freq * 0.1, 60).clip(0.5),
                                   "monetary": rng.normal(money, money * 0.1, 60).clip(1)}))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("criterion", ["silhouette", "bic"])
def test_segmenter_finds_three_groups(criterion: str) -> None:
    X = _blobs()
    seg = Segmenter(k_range=(2, 5), criterion=criterion, seed=0).fit(X)  # type: ignore[arg-type]
    assert seg.k_ == 3 and list(seg.scores_.index) == [2, 3, 4, 5]
    assert len(set(seg.labels_[:60])) == 1 and len(set(seg.labels_)) == 3
    assert (seg.predict(X) == seg.labels_).all()


def test_segmenter_contract_and_errors() -> None:
    seg = Segmenter(k_range=(1, 3))  # no validation in __init__
    with pytest.raises(NotFittedError):
        seg.predict(_blobs())
    with pytest.raises(ConfigError, match="k_range"):
        seg.fit(_blobs())
    with pytest.raises(ConfigError, match="criterion"):
        Segmenter(criterion="aic").fit(_blobs())  # type: ignore[arg-type]


def test_personas_rows_and_names(orders: pd.DataFrame) -> None:
    r = rfm(orders)
    labels = np.array([0, 1, 1, 0])  # a, d vs b, c
    users = pd.DataFrame({"user_id": ["a", "b", "c", "d"], "channel": ["ads", "seo", "seo", "ads"]})
    p = personas(r, labels, users=users)
    assert p["users"].tolist() == [2, 2] and p["share"].sum() == pytest.approx(1)
    assert p.iloc[0]["segment"] == 0  # most revenue first: 460 of 495
    assert p.iloc[0]["revenue_share"] == pytest.approx(460 / 495)
    assert p.iloc[0]["aov"] == pytest.approx(460 / 3)
    assert p["name"].is_unique and "high-value" in p.iloc[0]["name"].lower()
    # 2 of 2 users against 2 of 4 is what chance gives one time in six: not a trait
    assert p.iloc[0]["over_index"] == ""
    bare = personas(r, labels, users=users[["user_id"]])  # users without attributes
    assert (bare["over_index"] == "").all()


def test_name_segment_and_over_index() -> None:
    assert name_segment(3.0, 2.0, 0.5, 1.0) == "Active high-value loyalists"
    assert name_segment(0.4, 0.8, 2.0, 0.6) == "Lapsed low-value bargain hunters"
    assert name_segment(2.0, 1.6, 2.0, 1.0) == "At-risk high-value loyalists"
    # most buy once: 1.03 orders against an average of 1.19 is a ratio of 0.87, "regulars"
    assert name_segment(1.0, 0.87, 1.05, 1.0) == "Mid-value regulars"
    assert name_segment(1.0, 0.87, 1.05, 1.0, orders=1.03) == "Mid-value one-timers"
    assert name_segment(1.0, 0.87, 1.05, 1.0, orders=2.5) == "Mid-value regulars"
    feats = pd.DataFrame(
        {"recency_days": 100.0, "monetary": 50.0, "frequency": [1.0] * 90 + [3.0] * 10}
    )
    feats.loc[89, "frequency"] = 2.0
    feats.loc[90:, "monetary"] = 150.0
    p = personas(feats, np.r_[np.zeros(90), np.ones(10)].astype(int))
    assert p["name"].tolist() == ["Mid-value one-timers", "High-value loyalists"]  # 1.01 orders
    users = pd.DataFrame({"user_id": list("abcdefgh"), "age": [20, 21, 22, 23, 50, 51, 52, 53]})
    labels = pd.Series([0, 0, 0, 0, 1, 1, 1, 1], index=list("abcdefgh"))
    ov = over_index(users, labels, attributes=["age"], alpha=1.0)  # 8 users: no test passes
    assert ov == {0: "age 22-23 (2.0x), age 20-21 (2.0x)", 1: "age 52-53 (2.0x), age 50-51 (2.0x)"}


def test_repeat_buyers_who_buy_rarely_are_no_one_timers() -> None:
    """byod10a D21: KKBox subscribers who paid 5.2 times each (the average 14.1) and lapsed
    were named 'Lapsed low-value one-timers' from the relative frequency alone (0.37x). A
    segment is one-timers only with under 1.5 orders each."""
    feats = pd.DataFrame(
        {
            "recency_days": [17.0] * 60 + [393.0] * 30 + [20.0] * 10,
            "monetary": [2500.0] * 60 + [720.0] * 30 + [210.0] * 10,
            "frequency": [18.0] * 60 + [5.0] * 15 + [5.4] * 15 + [1.0] * 5 + [2.0] * 5,
        }
    )
    labels = np.r_[np.zeros(60), np.ones(30), np.full(10, 2)].astype(int)
    p = personas(feats, labels).set_index("segment")
    assert p.loc[1, "frequency"] == pytest.approx(5.2)
    assert p["name"].to_dict() == {
        0: "Mid-value regulars",
        1: "Low-value former regulars",  # was 'Lapsed low-value one-timers'
        2: "Low-value occasional buyers",  # 1.5 orders each, not lapsed
    }
    assert name_segment(0.4, 0.3, 2.0, 1.0, orders=1.4) == "Lapsed low-value one-timers"
    assert name_segment(0.4, 0.3, 2.0, 1.0) == "Lapsed low-value one-timers"  # orders unknown


def test_over_index_skips_tiny_groups_and_names_bins_by_their_values() -> None:
    # 400 users, segment 1 is 40 of them. Planted: 30 of its 40 came from ads (25% of the
    # rest) and it holds the top quarter of a 0-1 score. Noise: 2 of the 3 users of a town.
    n = 400
    ids = [f"u{i:03d}" for i in range(n)]
    labels = pd.Series([1] * 40 + [0] * 360, index=ids)
    channel = ["ads"] * 30 + ["seo"] * 10 + (["ads", "seo", "seo", "seo"] * 90)
    city = ["Tinyville"] * 2 + ["Big"] * 38 + ["Tinyville"] + ["Big"] * 359
    score = np.r_[np.linspace(0.76, 1.0, 40), np.linspace(0.0, 0.75, 360)].round(2)
    users = pd.DataFrame({"user_id": ids, "channel": channel, "city": city, "score": score})
    ov = over_index(users, labels, top=3)
    # town: 2 of 40 against 3 of 400 is 6.7x but likely by chance (p 0.03, 16 tests)
    assert ov[1] == "score 0.63-1 (4.0x), channel=ads (2.5x)"
    assert ov[0] == ""
    feats = pd.DataFrame({"recency_days": 1.0, "frequency": 1.0, "monetary": 1.0}, index=ids)
    assert personas(feats, labels.to_numpy(), users=users)["over_index"].tolist() == [ov[0], ov[1]]
    assert "Tinyville" in over_index(users, labels, top=3, alpha=1.0)[1]
    # integer bins: the values in each bin, not qcut's edges (-0.001-0, 0-4, 4-8)
    kids = pd.DataFrame({"user_id": ids, "kids": [0] * 200 + [1, 2, 3, 4, 5, 6, 7, 8] * 25})
    kid_labels = pd.Series([1] * 100 + [0] * 100 + [1] * 100 + [0] * 100, index=ids)
    assert over_index(kids, kid_labels) == {1: "", 0: ""}
    ov = over_index(kids, kid_labels, alpha=1.0, min_ratio=0.9, top=3)
    assert ov[1] == "kids 1-4 (1.0x), kids 0 (1.0x), kids 5-8 (1.0x)"
