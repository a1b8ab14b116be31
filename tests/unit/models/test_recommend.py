"""Chapter 3b's saved recommender: every model type round-trips; new histories are scored."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.models.recommend import load_recommender, recommend_for, save_recommender
from opsai.models.store import ModelStoreError
from opsai.recommend import Hybrid, InteractionMatrix, make_model

pytestmark = pytest.mark.unit

FAST = {"als": {"factors": 8, "iterations": 3, "num_threads": 1},
        "bpr": {"factors": 8, "iterations": 5, "num_threads": 1}}  # fmt: skip


@pytest.fixture(scope="module")
def world() -> tuple[pd.DataFrame, pd.DataFrame, InteractionMatrix]:
    rng = np.random.default_rng(0)
    pairs = pd.DataFrame(
        {"user_id": [f"u{rng.integers(50)}" for _ in range(500)],
         "item_id": [f"i{rng.integers(25)}" for _ in range(500)]}
    ).drop_duplicates()  # fmt: skip
    ids = [f"i{j}" for j in range(28)]  # three catalogue items nobody touched
    items = pd.DataFrame(
        {"item_id": ids, "title": [f"tea {j % 5} mug {j % 3}" for j in range(28)],
         "category": [f"c{j % 4}" for j in range(28)]}
    )  # fmt: skip
    return pairs, items, InteractionMatrix.from_frame(pairs, items=items["item_id"], binary=True)


def _fit(name: str, im: InteractionMatrix, items: pd.DataFrame):
    if name == "hybrid":
        comps = [("ease", make_model("ease", l2=10.0)), ("als", make_model("als", **FAST["als"])),
                 ("content", make_model("content"))]  # fmt: skip
        return Hybrid(models=comps, weights=[0.5, 0.3, 0.2]).fit(im, items=items)
    model = make_model(name, **FAST.get(name, {}))
    return model.fit(im, items=items) if name == "content" else model.fit(im)


@pytest.mark.parametrize(
    "name",
    ["popularity", "itemknn", "ease", "seqease", "rp3beta", "als", "bpr", "content", "hybrid"],
)
def test_round_trip_identical_recommendations(tmp_path: Path, world, name: str) -> None:
    pairs, items, im = world
    model = _fit(name, im, items)
    save_recommender(tmp_path, model=model, name=name, k=5, weights={"view": 1.0}, pairs=pairs)
    saved = load_recommender(tmp_path)
    users = [*im.user_ids[:15], "stranger"]
    pd.testing.assert_frame_equal(saved.model.recommend(users, k=5), model.recommend(users, k=5))
    assert type(saved.model) is type(model) and saved.k == 5 and saved.name == name
    assert saved.weights == {"view": 1.0} and saved.binary


def test_new_history_is_scored_and_excluded(tmp_path: Path, world) -> None:
    pairs, items, im = world
    ease = _fit("ease", im, items)
    save_recommender(tmp_path, model=ease, name="ease", k=4)
    saved = load_recommender(tmp_path)
    old = im.user_ids[0]
    seen_old = set(pairs.loc[pairs["user_id"] == old, "item_id"])
    unseen = sorted(set(im.item_ids) - seen_old)
    new = pd.DataFrame({"user_id": ["newbie", "newbie", old, "ghost"],
                        "item_id": ["i1", "i2", unseen[0], "not-in-catalogue"]})  # fmt: skip
    out = recommend_for(saved, new, ["newbie", old, "ghost"], k=4)
    by = {u: g for u, g in out.groupby("user_id")}
    assert by["newbie"]["source"].eq("model").all() and by["ghost"]["source"].eq("fallback").all()
    assert not {"i1", "i2"} & set(by["newbie"]["item_id"])
    assert not (seen_old | {unseen[0]}) & set(by[old]["item_id"])
    # the newcomer's scores are EASE's x_u B over the saved matrix
    b = ease.similarity_
    x = np.zeros(len(im.item_ids), dtype=np.float32)
    x[im.item_index(["i1", "i2"])] = 1.0
    s = x[ease.items_] @ b
    s[im.item_index(["i1", "i2"])] = -np.inf
    top = ease.items_[np.argmax(s)]
    assert by["newbie"].iloc[0]["item_id"] == im.item_ids[top]
    assert by["newbie"].iloc[0]["score"] == pytest.approx(float(s.max()), rel=1e-5)
    # the fallback is the chapter's: distinct users per item
    pop = pairs.groupby("item_id")["user_id"].nunique().sort_values(ascending=False, kind="stable")
    assert by["ghost"]["item_id"].iloc[0] == pop.index[0]
    assert list(out["user_id"].drop_duplicates()) == ["newbie", old, "ghost"]
    # pairs returned in full (attrs of load_data's frame) are never offered; lists stay 4 long
    gone = pd.concat([by["newbie"].head(2), by["ghost"].head(1)])[["user_id", "item_id"]]
    bad = set(zip(gone["user_id"], gone["item_id"], strict=True))
    longer = recommend_for(saved, new, ["newbie", "ghost"], k=6)
    marked = new.copy()
    marked.attrs["returned"] = gone.reset_index(drop=True)
    kept = recommend_for(saved, marked, ["newbie", "ghost"], k=4)
    for u in ("newbie", "ghost"):
        want = [i for i in longer.loc[longer["user_id"] == u, "item_id"] if (u, i) not in bad]
        assert kept.loc[kept["user_id"] == u, "item_id"].tolist() == want[:4]
        assert kept.loc[kept["user_id"] == u, "rank"].tolist() == [1, 2, 3, 4]


def test_factor_models_score_training_users_only(tmp_path: Path, world) -> None:
    _, items, im = world
    als = _fit("als", im, items)
    save_recommender(tmp_path, model=als, name="als", k=3)
    saved = load_recommender(tmp_path)
    old = im.user_ids[3]
    new = pd.DataFrame({"user_id": ["newbie"], "item_id": ["i1"]})
    out = recommend_for(saved, new, [old, "newbie"], k=3)
    mine = out[out["user_id"] == old].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        mine.drop(columns="source"), als.recommend([old], k=3), check_dtype=False
    )
    assert out.loc[out["user_id"] == "newbie", "source"].eq("fallback").all()
    # in a hybrid the item-based part still scores the newcomer
    hy = _fit("hybrid", im, items)
    save_recommender(tmp_path, model=hy, name="hybrid", k=3)
    out = recommend_for(load_recommender(tmp_path), new, ["newbie"], k=3)
    assert out["source"].eq("model").all() and len(out) == 3


def test_fallback_leaves_out_what_a_new_user_already_has(tmp_path: Path, world) -> None:
    # ALS has no factors for a user first seen in the new data: they get the bestsellers,
    # but not the bestseller they have just bought
    pairs, items, im = world
    save_recommender(tmp_path, model=_fit("als", im, items), name="als", k=3)
    saved = load_recommender(tmp_path)
    pop = pairs.groupby("item_id")["user_id"].nunique().sort_values(ascending=False, kind="stable")
    new = pd.DataFrame({"user_id": ["newbie"], "item_id": [pop.index[0]]})
    out = recommend_for(saved, new, ["newbie", "ghost"], k=3).set_index("user_id")
    assert out["source"].eq("fallback").all()
    assert list(out.loc["ghost", "score"]) == list(pop.iloc[:3].astype(float))  # 23, 22, 21
    assert list(out.loc["newbie", "score"]) == list(pop.iloc[1:4].astype(float))  # 22, 21, 21
    assert set(out.loc["newbie", "item_id"]) == set(pop.index[1:4])  # the 21s: i17 and i19
    assert list(out.loc["newbie", "rank"]) == [1, 2, 3]


def test_unknown_model_type_is_refused(tmp_path: Path, world) -> None:
    import json

    from opsai.models.store import MANIFEST, sha256

    _, items, im = world
    folder = save_recommender(tmp_path, model=_fit("ease", im, items), name="ease", k=3)
    spec = folder / "recommender.json"
    spec.write_text(spec.read_text().replace('"ease"', '"os.system"'))
    m = json.loads((folder / MANIFEST).read_text())
    m["files"]["recommender.json"]["sha256"] = sha256(spec)
    (folder / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(ModelStoreError, match=r"unknown model type 'os\.system'"):
        load_recommender(tmp_path)


def test_can_save_recommender_says_which_models_have_a_saved_form(tmp_path: Path, world) -> None:
    from opsai.models.recommend import can_save_recommender
    from opsai.recommend import Reranker

    _, items, im = world
    assert can_save_recommender(_fit("ease", im, items))
    assert can_save_recommender(_fit("hybrid", im, items))
    rr = Reranker(models=[("ease", make_model("ease", l2=10.0))])
    assert not can_save_recommender(rr)
    assert not can_save_recommender(Hybrid(models=[("rr", rr)], weights=[1.0]))
    with pytest.raises(ModelStoreError, match="Reranker is not a model opsai can save"):
        save_recommender(tmp_path, model=_fit_stub(im), name="rr", k=5)
    assert not any(tmp_path.iterdir())


def _fit_stub(im: InteractionMatrix):
    from opsai.recommend import Reranker

    rr = Reranker(models=[("ease", make_model("ease", l2=10.0))])
    rr.interactions_ = im  # only what save_recommender checks before the type
    return rr
