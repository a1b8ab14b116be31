"""Model registry and tuning on a validation split carved from training."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.recommend import EASE, make_model, tune_model
from opsai.recommend.tuning import content_encoders

pytestmark = pytest.mark.unit


def test_tune_ease_on_validation(planted: pd.DataFrame) -> None:
    study = tune_model("ease", planted, n_trials=4, k=5, seed=0)
    assert len(study.trials) == 4
    assert set(study.best_params) == {"l2"}
    assert 0.0 < study.best_value <= 1.0
    again = tune_model("ease", planted, n_trials=4, k=5, seed=0)
    assert [t.params for t in again.trials] == [t.params for t in study.trials]
    model = make_model("ease", **study.best_params)
    assert isinstance(model, EASE) and model.l2 == study.best_params["l2"]


def test_tune_content_and_registry_errors(planted: pd.DataFrame, catalog: pd.DataFrame) -> None:
    study = tune_model(
        "content", planted, n_trials=2, k=5, items=catalog, seed=0, encoders=["tfidf"]
    )
    model = make_model("content", **study.best_params)
    assert model.ngram_range[0] == 1 and model.encoder == "tfidf"
    assert content_encoders(["tfidf"]) == ["tfidf"]
    with pytest.raises(ConfigError, match="subset of tfidf, minilm, use"):
        content_encoders(["bert"])
    with pytest.raises(ConfigError, match="unknown model"):
        make_model("svd")
    with pytest.raises(ConfigError, match="no search space"):
        tune_model("popularity", planted)


def test_tune_model_carves_the_latest_pairs_for_a_time_split(walks: pd.DataFrame) -> None:
    from opsai.recommend import InteractionMatrix, ItemKNN, evaluate, leave_last_out
    from opsai.recommend.tuning import DEFAULTS

    study = tune_model("itemknn", walks, n_trials=1, k=5, split_method="time", seed=0)
    fit, valid = leave_last_out(walks)  # each user's latest pair validates
    model = ItemKNN(**DEFAULTS["itemknn"]).fit(InteractionMatrix.from_frame(fit, binary=True))
    want = evaluate(model.recommend(valid["user_id"].unique(), 5), valid, k=5)["ndcg_at_5"]
    assert study.best_value == pytest.approx(want) and want > 0.8
    random = tune_model("itemknn", walks, n_trials=1, k=5, seed=0)
    assert random.best_value < 0.7  # a random quarter validates mostly on taste items
