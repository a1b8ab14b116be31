"""Interactions: event weights, orders, ratings, the sparse matrix and its id maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.data.workspace import open_workspace
from opsai.errors import ConfigError, NothingToAnalyse, SchemaError
from opsai.recommend.interactions import (
    InteractionMatrix,
    build_interactions,
    drop_pairs,
    interactions_from_workspace,
    most_per_user,
)
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

EVENTS = pd.DataFrame(
    {
        "user_id": ["1", "1", "1", "2", "2", "3"],
        "item_id": ["a", "a", "b", "a", None, "c"],
        "event": ["view", "purchase", "add_to_cart", "view", "view", "login"],
        "timestamp": pd.to_datetime(
            ["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-04", "2024-01-05", "2024-01-06"]
        ),
    }
)


def test_event_weights_are_summed_per_pair() -> None:
    out = build_interactions(EVENTS)
    got = {(u, i): w for u, i, w in out[["user_id", "item_id", "weight"]].values}
    assert got == {("1", "a"): 6.0, ("1", "b"): 3.0, ("2", "a"): 1.0}  # login, no-item dropped
    assert out.loc[0, "timestamp"] == pd.Timestamp("2024-01-03")
    assert out["n_events"].tolist() == [2, 1, 1]
    custom = build_interactions(EVENTS, weights={"login": 2.0})
    assert custom[["user_id", "item_id", "weight"]].values.tolist() == [["3", "c", 2.0]]


def test_orders_ratings_and_errors() -> None:
    orders = pd.DataFrame({"user_id": ["1", "1"], "item_id": ["a", "b"], "quantity": [3, -1]})
    out = build_interactions(EVENTS, orders, order_weight=5.0)
    got = dict(zip(out["item_id"] + out["user_id"], out["weight"], strict=True))
    assert got["a1"] == 6.0 + 15.0 and got["b1"] == 3.0  # a return is no purchase
    ratings = EVENTS.assign(rating=[1.0, 4.0, 2.0, 5.0, 3.0, 2.0])
    rated = build_interactions(ratings, rating="rating")
    assert rated.set_index(["user_id", "item_id"]).loc[("1", "a"), "weight"] == 4.0  # latest
    with pytest.raises(ConfigError, match="no event type has a weight"):
        build_interactions(EVENTS, weights={"click": 1.0})
    with pytest.raises(SchemaError, match="item_id"):
        build_interactions(EVENTS.drop(columns="item_id"))
    with pytest.raises(ConfigError, match="events, orders"):
        build_interactions()


def test_matrix_id_maps_and_catalogue_items() -> None:
    pairs = build_interactions(EVENTS)
    im = InteractionMatrix.from_frame(pairs, items=["a", "b", "z"])
    assert im.shape == (2, 3)
    assert im.item_ids.tolist() == ["a", "b", "z"]
    assert im.user_index(["2", "9"]).tolist() == [1, -1]
    assert im.item_index(["z", "q"]).tolist() == [2, -1]
    assert im.matrix[0].toarray().tolist() == [[6.0, 3.0, 0.0]]
    assert InteractionMatrix.from_frame(pairs, binary=True).matrix.max() == 1.0
    assert im.history("1").index.tolist() == ["a", "b"]
    assert im.history("nobody").empty
    back = im.to_frame()
    assert np.isclose(back["weight"].sum(), 10.0)


def test_from_workspace_aggregates_in_the_engine(small_config: Path) -> None:
    with open_workspace(small_config) as ws:
        out = interactions_from_workspace(ws)
    # orders: 001 bought A1 (qty 1) and B2 (qty 2); 002 and 009 bought A1
    got = {(u, i): w for u, i, w in out[["user_id", "item_id", "weight"]].values}
    assert got == {("001", "A1"): 5.0, ("001", "B2"): 10.0, ("002", "A1"): 5.0, ("009", "A1"): 5.0}
    assert out["n_events"].tolist() == [1, 2, 1, 1]


RETURNS = (
    "user_id,timestamp,item_id,quantity,amount\n"
    "u1,2024-01-01,a,2,20\n"  # u1 bought 2 a, returned 1: 1 unit left
    "u1,2024-01-05,a,-1,-10\n"
    "u1,2024-01-02,b,1,8\n"  # u1 returned b in full (a refund line: positive qty, money back)
    "u1,2024-01-06,b,1,-8\n"
    "u2,2024-01-03,b,1,8\n"
    "u2,2024-01-04,c,3,9\n"  # u2 returned all 3 c in two lines
    "u2,2024-01-07,c,-2,-6\n"
    "u2,2024-01-08,c,-1,-3\n"
)


def test_returns_net_out_of_order_interactions(tmp_path: Path) -> None:
    """A return (negative quantity or amount) takes its units back: a pair returned in full is
    no interaction and is listed in attrs['returned']; a pair's time is its last purchase.
    The engine path and the pandas path agree."""
    cfg = write_dataset(tmp_path, {"orders.csv": RETURNS}, {"orders": {}})
    with open_workspace(cfg) as ws:
        engine = interactions_from_workspace(ws)
        lines = ws.to_pandas("orders")
    frame = build_interactions(orders=lines, order_weight=5.0)
    for out in (engine, frame):
        assert out[["user_id", "item_id", "weight", "n_events"]].values.tolist() == [
            ["u1", "a", 5.0, 1], ["u2", "b", 5.0, 1]]  # fmt: skip
        assert out["timestamp"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-03")]
        assert out.attrs["returned"].values.tolist() == [["u1", "b"], ["u2", "c"]]
    viewed = pd.DataFrame({"user_id": ["u2"], "item_id": ["c"], "event": ["view"]})
    both = build_interactions(viewed, lines)  # the view keeps the pair: not listed as returned
    assert both.set_index(["user_id", "item_id"]).loc[("u2", "c"), "weight"] == 1.0
    assert both.attrs["returned"].values.tolist() == [["u1", "b"]]


def test_drop_pairs_keeps_lists_k_long() -> None:
    reco = pd.DataFrame({"user_id": ["u1"] * 4 + ["u2"] * 4, "item_id": list("abcdabcd"),
                         "score": [4.0, 3, 2, 1] * 2, "rank": [1, 2, 3, 4] * 2})  # fmt: skip
    gone = pd.DataFrame({"user_id": ["u1", "u1", "u3"], "item_id": ["a", "c", "a"]})
    assert most_per_user(gone, ["u1", "u2"]) == 2 and most_per_user(gone, ["u2"]) == 0
    out = drop_pairs(reco, gone, k=2)
    assert out[["user_id", "item_id", "rank"]].values.tolist() == [
        ["u1", "b", 1], ["u1", "d", 2], ["u2", "a", 1], ["u2", "b", 2]]  # fmt: skip
    assert drop_pairs(reco, None, k=3)["rank"].max() == 3


def test_chapter_load_data_uses_ratings_when_present(tmp_path: Path) -> None:
    import yaml

    from opsai.recommend.chapter import load_data

    (tmp_path / "events.csv").write_text(
        "user_id,timestamp,event,item_id,rating\n"
        "1,2024-01-01,rate,a,4\n1,2024-01-02,rate,b,2\n2,2024-01-03,rate,a,5\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"events": {}}}}), "utf-8")
    with open_workspace(cfg) as ws:
        pairs, items = load_data(ws)
        assert items is None
        assert pairs["weight"].tolist() == [4.0, 2.0, 5.0]
        # 'rate' has no event weight: the message names the parameters a report run sets
        with pytest.raises(ConfigError, match="no interaction left") as e:
            load_data(ws, rating=None)
        assert "events' types (rate) have no weight in EVENT_WEIGHTS" in str(e.value)
        assert "RATING (numeric columns of events: rating)" in str(e.value)


def test_a_rating_column_events_lack_is_a_clear_error(tmp_path: Path) -> None:
    """RATING names a column (a run trained on 'stars'; opsai score on an export without it):
    an error naming the column and the fix, not ibis's 'Column ... is not found in table'."""
    (tmp_path / "events.csv").write_text(
        "user_id,timestamp,event,item_id,score\n1,2024-01-01,rate,a,4\n2,2024-01-03,rate,a,5\n",
        encoding="utf-8",
    )
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text("data: {source: ., tables: {events: {}}}", encoding="utf-8")
    with open_workspace(cfg) as ws:
        with pytest.raises(ConfigError, match="events have no rating column 'stars'") as e:
            interactions_from_workspace(ws, rating="stars")
        assert "events have: user_id, timestamp, event, item_id, score" in str(e.value)
        assert "to 'stars' in data.tables.events.columns" in str(e.value)
        assert interactions_from_workspace(ws, rating="score")["weight"].tolist() == [4.0, 5.0]


def test_data_without_item_ids_has_nothing_to_recommend(tmp_path: Path) -> None:
    """A subscription app: app events and invoices, neither naming an item. The chapter is
    skipped with the reason (NothingToAnalyse), not failed with a SchemaError."""
    (tmp_path / "events.csv").write_text(
        "user_id,timestamp,event\n1,2024-01-01,login\n2,2024-01-03,feature_used\n",
        encoding="utf-8",
    )
    (tmp_path / "orders.csv").write_text(
        "user_id,timestamp,amount\n1,2024-01-01,29\n2,2024-01-03,99\n", encoding="utf-8"
    )
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text("data: {source: ., tables: {events: {}, orders: {}}}", encoding="utf-8")
    with (
        open_workspace(cfg) as ws,
        pytest.raises(NothingToAnalyse, match="no events or orders table with an item_id") as e,
    ):
        interactions_from_workspace(ws)
    assert "present: events, orders" in str(e.value)
    assert "data.tables.<table>.columns.item_id" in str(e.value)


def test_event_names_of_other_shops_are_matched(tmp_path: Path) -> None:
    """RetailRocket writes 'addtocart' and 'transaction': they get the cart and purchase
    weights (case, spaces and punctuation ignored); the types left out are reported."""
    from opsai.recommend import resolve_weights

    w = {"view": 1.0, "add_to_cart": 3.0, "purchase": 5.0}
    used, left = resolve_weights(w, ["View", "addtocart", "Add to cart", "transaction", "hover"])
    assert used == {"View": 1.0, "addtocart": 3.0, "Add to cart": 3.0, "transaction": 5.0}
    assert left == ["hover"]
    assert resolve_weights({"transaction": 9.0}, ["transaction"])[0] == {"transaction": 9.0}
    rr = EVENTS.assign(event=["view", "transaction", "addtocart", "view", "view", "hover"])
    got = build_interactions(rr).set_index(["user_id", "item_id"])["weight"].to_dict()
    assert got == {("1", "a"): 6.0, ("1", "b"): 3.0, ("2", "a"): 1.0}
    rr.to_csv(tmp_path / "events.csv", index=False)
    cfg = tmp_path / "opsai.yaml"
    cfg.write_text("data: {source: ., tables: {events: {}}}", encoding="utf-8")
    with open_workspace(cfg) as ws:
        out = interactions_from_workspace(ws)
        assert out.set_index(["user_id", "item_id"])["weight"].to_dict() == got
        assert out.attrs["event_weights"] == {"addtocart": 3.0, "transaction": 5.0, "view": 1.0}
        assert out.attrs["unweighted_events"] == ["hover"]
