"""Splits: Recommenders-identical stratified rows, time-based leave-last-out, no leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError, SchemaError
from opsai.recommend.split import (
    leaked_pairs,
    leave_last_out,
    stratified_split,
    validation_split,
)

pytestmark = pytest.mark.unit


def _reference_stratified(data: pd.DataFrame, ratio: float, seed: int) -> pd.DataFrame:
    """Recommenders' _do_stratification (is_random=True), written out for comparison."""
    data = data.copy()
    np.random.seed(seed)
    data["random"] = np.random.rand(data.shape[0])
    data = data.sort_values(["user_id", "random"])
    groups = data.groupby("user_id")
    data["rank"] = (groups.cumcount() + 1) / groups["user_id"].transform("count")
    return data[data["rank"] <= ratio].drop(columns=["rank", "random"])


def test_stratified_matches_recommenders_rows(planted: pd.DataFrame) -> None:
    train, test = stratified_split(planted, ratio=0.75, seed=42)
    ref = _reference_stratified(planted, 0.75, 42)
    assert sorted(train.index) == sorted(ref.index)
    assert len(train) + len(test) == len(planted)
    assert leaked_pairs(train, test).empty
    per_user = train.groupby("user_id").size() / planted.groupby("user_id").size()
    assert per_user.between(0.6, 0.8).all()


def test_stratified_is_seeded(planted: pd.DataFrame) -> None:
    a, _ = stratified_split(planted, seed=1)
    b, _ = stratified_split(planted, seed=1)
    c, _ = stratified_split(planted, seed=2)
    assert a.index.equals(b.index)
    assert not a.index.equals(c.index)


def test_leave_last_out_holds_out_latest() -> None:
    t = pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-05", "2024-01-01"])
    pairs = pd.DataFrame(
        {"user_id": ["a", "a", "a", "b", "c"], "item_id": ["x", "y", "z", "x", "y"], "timestamp": t}
    )
    train, test = leave_last_out(pairs)
    assert test[["user_id", "item_id"]].values.tolist() == [["a", "y"]]
    # b and c have a single pair: kept for training, no test for them
    assert set(train["user_id"]) == {"a", "b", "c"}
    assert leaked_pairs(train, test).empty
    train2, test2 = leave_last_out(pairs, n=2)
    assert sorted(test2["item_id"]) == ["y", "z"]
    assert len(train2) == 3


def test_repeated_pairs_refused_and_bad_ratio() -> None:
    dup = pd.DataFrame({"user_id": ["a", "a"], "item_id": ["x", "x"]})
    with pytest.raises(SchemaError, match="build_interactions"):
        stratified_split(dup)
    with pytest.raises(ConfigError, match="ratio"):
        stratified_split(dup.iloc[:1], ratio=1.0)
    with pytest.raises(SchemaError, match="col_timestamp"):
        leave_last_out(dup.iloc[:1])


def test_time_validation_carve_never_trains_on_a_later_pair() -> None:
    rng = np.random.default_rng(3)
    n = 400
    pairs = pd.DataFrame({
        "user_id": rng.choice([f"u{i}" for i in range(40)], n),
        "item_id": [f"i{i}" for i in range(n)],
        "timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30, n), "D"),
    })  # fmt: skip
    train, test = leave_last_out(pairs)
    fit, valid = validation_split(train, method="time")
    assert len(fit) + len(valid) == len(train) and leaked_pairs(fit, valid).empty
    sizes = train.groupby("user_id").size()
    assert sorted(valid["user_id"]) == sorted(sizes[sizes >= 2].index)  # one pair each
    assert set(sizes[sizes == 1].index) <= set(fit["user_id"])  # kept to fit, not validated
    last_fit = fit.groupby("user_id")["timestamp"].max()
    v = valid.set_index("user_id")["timestamp"]
    assert (last_fit[v.index] <= v).all()  # no fit pair later than its user's validation pair
    first_test = test.groupby("user_id")["timestamp"].min()
    assert (v[first_test.index.intersection(v.index)] <= first_test).all()
    # ties in time: the later row is the later interaction, as in the test split
    tied = pd.DataFrame({"user_id": ["a"] * 3, "item_id": list("xyz"),
                         "timestamp": pd.to_datetime(["2024-01-01"] * 3)})  # fmt: skip
    assert validation_split(tied, method="time")[1]["item_id"].tolist() == ["z"]
    # stratified carving is the stratified split with the given ratio and seed
    a, _ = validation_split(train, method="stratified", ratio=0.8, seed=5)
    assert a.index.equals(stratified_split(train, ratio=0.8, seed=5)[0].index)
