"""The chapter helpers behind notebook 03b: comparison, segments, examples, findings."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.recommend import EASE, ContentRecommender, Hybrid, story, tune_hybrid
from opsai.recommend import chapter as ch
from opsai.recommend.split import stratified_split

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
    assert story.comparison_figure(cmp).layout.width == 820


def test_split_and_model_errors(planted: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="method"):
        ch.split(planted, method="random")  # type: ignore[arg-type]
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
