"""The chapter helpers behind notebook 03b: comparison, segments, examples, findings."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.recommend import EASE, ContentRecommender, Hybrid, story, tune_hybrid
from opsai.recommend import chapter as ch
from opsai.recommend.split import stratified_split, validation_split

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def comparison(planted: pd.DataFrame, catalog: pd.DataFrame) -> tuple:
    train, test = ch.split(planted, method="stratified", seed=0)
    cmp = ch.compare_models(
        train, test, items=catalog, models=("popularity", "ease", "content", "hybrid"),
        k=5, n_trials=2, encoders=("tfidf",), seed=0,
    )  # fmt: skip
    return cmp, train, test


def test_compare_models_tunes_on_validation(comparison: tuple) -> None:
    cmp, _, _ = comparison
    t = cmp.table.set_index("model")
    assert list(t.index) == ["popularity", "ease", "content", "hybrid"]
    assert cmp.best == t["valid_ndcg"].idxmax()  # chosen on validation, not on test
    assert t.loc["ease", "ndcg_at_5"] > t.loc["popularity", "ndcg_at_5"]
    assert cmp.params["hybrid"]["components"] == ["ease", "content"]
    assert set(cmp.models) == set(t.index)
    assert "l2=" in t.loc["ease", "params"]


def test_segments_examples_and_export(comparison: tuple, catalog: pd.DataFrame) -> None:
    cmp, train, test = comparison
    seg = ch.segment_quality(cmp.models["ease"], train, test, k=5)
    assert seg["users"].sum() == test["user_id"].nunique()
    assert {"segment", "ndcg", "precision", "hit_rate"} <= set(seg.columns)
    ex = ch.examples(cmp.models["ease"], train, items=catalog, n_users=2, k=3, seed=0)
    assert set(ex["kind"]) == {"history", "recommended"}
    assert ex["user_id"].nunique() == 2
    recs = ch.recommendation_table(cmp.models["ease"], ["u00", "u01"], k=3, items=catalog)
    assert {"title", "reason"} <= set(recs.columns)
    assert recs["reason"].str.startswith("because of").all()
    # what a user returned in full is never offered back; the list stays 3 long
    gone = recs[recs["rank"] <= 2][["user_id", "item_id"]]
    kept = ch.recommendation_table(cmp.models["ease"], ["u00", "u01"], k=3, exclude=gone)
    assert kept.groupby("user_id").size().tolist() == [3, 3]
    assert (
        kept[kept["rank"] == 1]["item_id"].tolist() == recs[recs["rank"] == 3]["item_id"].tolist()
    )
    assert not set(zip(kept["user_id"], kept["item_id"], strict=True)) & set(
        zip(gone["user_id"], gone["item_id"], strict=True)
    )


def test_refit_lists_know_the_held_out_history(
    comparison: tuple, planted: pd.DataFrame, catalog: pd.DataFrame
) -> None:
    cmp, _, test = comparison
    # a shopper whose only purchase is the held-out one (as most in a buy-once shop)
    once = pd.DataFrame({"user_id": ["once"], "item_id": [test["item_id"].iloc[0]], "weight": 1.0})
    pairs = pd.concat([planted, once], ignore_index=True)
    final = ch.refit(cmp, pairs, items=catalog)
    assert final is not cmp.models[cmp.best] and type(final) is type(cmp.models[cmp.best])
    users = sorted(test["user_id"].unique())
    recs = ch.recommendation_table(final, [*users, "once"], k=5, items=catalog)
    shown = set(zip(recs["user_id"], recs["item_id"], strict=True))
    assert not shown & set(zip(pairs["user_id"], pairs["item_id"], strict=True))  # none they had
    assert (recs["user_id"] == "once").sum() == 5
    # the training-part model shows held-out items back to their users
    old = ch.recommendation_table(cmp.models[cmp.best], users, k=5, items=catalog)
    assert set(zip(old["user_id"], old["item_id"], strict=True)) & set(
        zip(test["user_id"], test["item_id"], strict=True)
    )


def test_findings_and_figures(comparison: tuple, catalog: pd.DataFrame) -> None:
    cmp, train, test = comparison
    f = story.comparison_finding(cmp)
    assert cmp.best in f.text and "nDCG@5" in f.text and f.evidence["model"] == cmp.best
    assert "%" in story.coverage_finding(cmp).text
    seg = ch.segment_quality(cmp.models["ease"], train, test, k=5)
    assert "similar history" in story.segment_finding(seg).text  # every planted user has 9
    two = pd.DataFrame({"segment": ["light", "heavy"], "history_min": [1, 9],
                        "history_max": [3, 20], "ndcg": [0.1, 0.4]})  # fmt: skip
    f = story.segment_finding(two)
    assert "nDCG 0.100" in f.text and f.severity == "medium"
    cold = story.cold_start_finding(train, test, catalog)
    assert cold.evidence["untouched_items"] >= 1  # the 'new' catalogue item
    assert "can only be recommended through their content" in cold.text
    seen = catalog[catalog["item_id"].isin(set(train["item_id"]))]
    warm = story.cold_start_finding(train, test, seen)
    assert warm.evidence["untouched_items"] == 0
    assert f"every one of the {len(seen)} catalogue items has training interactions" in warm.text
    gone = test.assign(user_id="nobody-" + test["user_id"].astype(str))
    cold_all = story.cold_start_finding(train, gone, catalog)
    n = gone["user_id"].nunique()
    assert cold_all.text.startswith(f"{n:,} held-out users (100.0%) have no training history")
    assert story.comparison_figure(cmp).layout.width == 820


def test_split_and_model_errors(planted: pd.DataFrame, walks: pd.DataFrame) -> None:
    for bad in ("random", "leave-last-out", ""):
        with pytest.raises(ConfigError) as err:
            ch.split(planted, method=bad)  # type: ignore[arg-type]
        said = str(err.value)
        assert said.startswith("SPLIT must be one of 'stratified' (a random 25% of each user's")
        assert "'time' (each user's latest pair held out)" in said and f"got {bad!r}" in said
        assert "chapters.03b_recommendation.parameters" in said
    # the case of a valid name does not matter: "Time" is the time split
    for name in ("Time", " TIME "):
        _, test = ch.split(walks, method=name)  # type: ignore[arg-type]
        assert test.index.equals(ch.split(walks, method="time")[1].index)
    with pytest.raises(ConfigError, match=r"^SPLIT must be one of"):
        ch.compare_models(planted, planted, models=("popularity",), split_method="random")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown"):
        ch.compare_models(planted, planted, models=("svd",))


def test_tune_hybrid_and_reweight(planted: pd.DataFrame, catalog: pd.DataFrame) -> None:
    fit, valid = stratified_split(planted, seed=1)
    comps = [("ease", EASE(l2=5.0)), ("content", ContentRecommender())]
    w, best = tune_hybrid(comps, fit, valid, items=catalog, n_trials=3, k=5, seed=0)
    assert len(w) == 2 and 0 < best <= 1
    hy = Hybrid(models=comps).fit(fit, items=catalog)
    assert hy.reweight([1, 0]).weights_.tolist() == [1.0, 0.0]
    with pytest.raises(ConfigError, match="reweight"):
        hy.reweight([0, 0])


def test_compare_models_sampled_users_and_item_cap(planted: pd.DataFrame) -> None:
    train, test = ch.split(planted, method="stratified", seed=0)
    cmp = ch.compare_models(
        train, test, models=("popularity", "seqease", "rp3beta", "hybrid"), k=5, n_trials=2,
        eval_users=10, max_items=30, seed=0,
    )  # fmt: skip
    t = cmp.table.set_index("model")
    assert cmp.params["hybrid"]["components"] == ["seqease", "rp3beta"]
    assert cmp.params["seqease"]["max_items"] == 30 and "max_items" not in cmp.params["rp3beta"]
    assert len(cmp.models["seqease"].items_) == 30
    assert "test scored on a random sample of 10 users" in cmp.notes
    assert (t["users"] == 10).all()  # the test metrics average over the sampled users only
    assert t.loc["seqease", "ndcg_at_5"] > t.loc["popularity", "ndcg_at_5"]


@pytest.fixture(scope="module")
def tiny_pairs(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, pd.DataFrame]:
    from opsai.data.demo import make_demo
    from opsai.data.workspace import open_workspace

    folder = tmp_path_factory.mktemp("tiny")
    make_demo(folder, scale="tiny", seed=0)
    with open_workspace(folder / "opsai.yaml") as ws:
        return ch.load_data(ws)


def test_validation_keeps_enough_history_to_see_taste(tiny_pairs: tuple) -> None:
    # the tiny demo has ~7 pairs per user over 24 items: carving 25% of the training part
    # left validation users 56% of their pairs (final models see 75%), too little for any
    # personalised model to beat popularity there, so validation chose popularity although
    # every personalised model beats it on the held-out part
    pairs, items = tiny_pairs
    train, test = ch.split(pairs, method="stratified", seed=0)
    models = ("popularity", "itemknn", "ease", "rp3beta")

    def run(ratio: float) -> pd.DataFrame:
        cmp = ch.compare_models(train, test, items=items, models=models, k=10, n_trials=1,
                                valid_ratio=ratio, seed=0)  # fmt: skip
        return cmp.table.set_index("model")

    old, new = run(0.75), run(ch.VALID_RATIO)
    assert old["valid_ndcg"].idxmax() == "popularity"
    assert new["valid_ndcg"].idxmax() != "popularity"
    gap = new["valid_ndcg"].drop("popularity").max() - new.loc["popularity", "valid_ndcg"]
    assert gap > 0.008
    best = new["valid_ndcg"].idxmax()
    assert new.loc[best, "ndcg_at_10"] > new.loc["popularity", "ndcg_at_10"] + 0.015


def test_compare_models_runs_the_reranker(planted: pd.DataFrame) -> None:
    train, test = ch.split(planted, method="stratified", seed=0)
    cmp = ch.compare_models(
        train, test, models=("popularity", "ease", "rerank"), k=5, n_trials=1, seed=0
    )
    t = cmp.table.set_index("model")
    assert cmp.params["rerank"]["components"] == ["ease"]
    assert t.loc["rerank", "ndcg_at_5"] > t.loc["popularity", "ndcg_at_5"]
    with pytest.raises(ConfigError, match="'rerank' needs one of"):
        ch.compare_models(train, test, models=("popularity", "rerank"), k=5, n_trials=1)


def test_segment_quality_names_merged_groups() -> None:
    """Most users with one item: the tied thirds merge, and the two groups are light and
    heavy (not 'medium' and 'heavy')."""
    from opsai.recommend import Popularity

    rows = [(f"u{u}", f"i{i}") for u in range(4) for i in range(1)]
    rows += [(f"u{u}", f"i{i}") for u in range(4, 6) for i in range(5)]
    train = pd.DataFrame(rows, columns=["user_id", "item_id"])
    test = pd.DataFrame({"user_id": [f"u{u}" for u in range(6)], "item_id": "i7"})
    train = pd.concat([train, pd.DataFrame({"user_id": ["x"], "item_id": ["i7"]})])
    seg = ch.segment_quality(Popularity().fit(train), train, test, k=3)
    assert seg["segment"].tolist() == ["light", "heavy"]
    assert seg["users"].tolist() == [4, 2] and seg["history_max"].tolist() == [1, 5]


def test_segment_quality_puts_users_without_history_in_their_own_group() -> None:
    """A buy-once shop: most held-out users have no training history at all. They are the
    'new' group (the quantile thirds of everybody collapsed into one 'all' group, and the
    finding said 'similar history lengths'); a handful of them stays inside the thirds."""
    from opsai.recommend import Popularity

    rows = [(f"h{u}", f"i{i}") for u in range(6) for i in range(1 + u % 3)]
    train = pd.DataFrame(rows, columns=["user_id", "item_id"])
    new = [f"n{u}" for u in range(30)]
    test = pd.DataFrame({"user_id": new + [f"h{u}" for u in range(6)], "item_id": "i0"})
    seg = ch.segment_quality(Popularity().fit(train), train, test, k=3)
    assert seg["segment"].tolist() == ["new", "light", "medium", "heavy"]
    assert seg["users"].tolist() == [30, 2, 2, 2] and seg["history_max"].tolist() == [0, 1, 2, 3]
    text = story.segment_finding(seg).text
    assert text.startswith("Users with no history (30 held-out users, new) get nDCG")
    few = test[~test["user_id"].isin(new[5:])]  # 5 new users: too few for a group of their own
    assert (
        ch.segment_quality(Popularity().fit(train), train, few, k=3)["segment"].tolist()[0]
        == "light"
    )


def test_held_out_lists_give_every_model_the_bestseller_fallback() -> None:
    """Held-out users with no training history get the training part's bestsellers from every
    model, as the hybrid and `opsai score` give them: the bestseller list scored 0 on them and
    every model but the hybrid was understated."""
    from opsai.recommend import EASE, Hybrid, InteractionMatrix, Popularity
    from opsai.recommend.chapter import held_out_lists

    rows = [(f"u{u}", f"i{i}") for u in range(6) for i in range(u % 3 + 1)]
    im = InteractionMatrix.from_frame(pd.DataFrame(rows, columns=["user_id", "item_id"]))
    users = ["new1", "u0", "new2"]
    for model in (Popularity(), EASE(l2=1.0)):
        model.fit(im)
        reco = held_out_lists(model, users, 2)
        assert reco["user_id"].drop_duplicates().tolist() == users  # in the order given
        for u in ("new1", "new2"):  # the bestsellers: i0 (6 users), then i1 (4)
            assert reco.loc[reco["user_id"] == u, "item_id"].tolist() == ["i0", "i1"]
        assert "i0" not in set(reco.loc[reco["user_id"] == "u0", "item_id"])  # u0 has i0
    hybrid = Hybrid(models=[("ease", EASE(l2=1.0))], weights=[1.0]).fit(im)
    reco = held_out_lists(hybrid, users, 2)
    assert len(reco) == 6 and reco["source"].tolist().count("fallback") == 4  # no double rows


def test_time_split_chooses_the_model_on_the_next_item(
    walks: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # each user's latest items are the next links of a chain, the task a time split scores;
    # a random carve of the training part validates mostly on taste items instead
    train, test = ch.split(walks, method="time")
    carved: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def spy(*args: object, **kwargs: object) -> tuple[pd.DataFrame, pd.DataFrame]:
        carved.append(validation_split(*args, **kwargs))  # type: ignore[arg-type]
        return carved[-1]

    monkeypatch.setattr(ch, "validation_split", spy)
    models = ("popularity", "itemknn", "ease", "seqease", "rp3beta")

    def run(method: str) -> tuple[ch.Comparison, pd.DataFrame]:
        cmp = ch.compare_models(train, test, models=models, k=5, n_trials=2,
                                split_method=method, seed=0)  # type: ignore[arg-type]  # fmt: skip
        return cmp, cmp.table.set_index("model")

    old, t_old = run("stratified")
    new, t_new = run("time")
    fit, valid = carved[-1]
    last_fit = fit.groupby("user_id")["timestamp"].max()
    assert (last_fit[valid["user_id"]].to_numpy() <= valid["timestamp"].to_numpy()).all()
    assert valid["user_id"].is_unique and len(valid) == train["user_id"].nunique()
    assert (old.best, new.best) == ("seqease", "itemknn")
    assert t_new["ndcg_at_5"].idxmax() == "itemknn"  # the held-out next item agrees
    assert t_new.loc["itemknn", "ndcg_at_5"] == pytest.approx(0.85, abs=1e-4)
    assert t_old.loc["seqease", "ndcg_at_5"] == pytest.approx(0.8327, abs=1e-4)
    spearman = {m: t["valid_ndcg"].corr(t["ndcg_at_5"], method="spearman")
                for m, t in (("stratified", t_old), ("time", t_new))}  # fmt: skip
    assert spearman["time"] > 0.85 > 0.5 > spearman["stratified"]
    assert any(n.startswith("validation: the latest training pair of each of") for n in new.notes)
