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
    assert p.iloc[0]["over_index"] == "channel=ads (2.0x)"
    bare = personas(r, labels, users=users[["user_id"]])  # users without attributes
    assert (bare["over_index"] == "").all()


def test_name_segment_and_over_index() -> None:
    assert name_segment(3.0, 2.0, 0.5, 1.0) == "Active high-value loyalists"
    assert name_segment(0.4, 0.8, 2.0, 0.6) == "Lapsed low-value bargain hunters"
    assert name_segment(2.0, 1.6, 2.0, 1.0) == "At-risk high-value loyalists"
    users = pd.DataFrame({"user_id": list("abcdefgh"), "age": [20, 21, 22, 23, 50, 51, 52, 53]})
    labels = pd.Series([0, 0, 0, 0, 1, 1, 1, 1], index=list("abcdefgh"))
    ov = over_index(users, labels, attributes=["age"])
    assert ov[0].startswith("age=") or ov[0].startswith("age ")
