"""Chapter 3a's saved churn model (gradient boosting and torch MLP) and CLV parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.behavior import BetaGeo, ChurnModel, GammaGamma, customer_value
from opsai.errors import NotFittedError
from opsai.models.behavior import CHAPTER, load_user_behavior, save_user_behavior
from opsai.models.store import ModelStoreError

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(240, 4)), columns=["recency_days", "frequency", "u", "v"])
    y = (X["recency_days"] + rng.normal(size=240) > 0).astype(int).to_numpy()
    n = 120
    orders = pd.DataFrame(
        {
            "user_id": [f"u{i % 40}" for i in range(n)],
            "timestamp": pd.Timestamp("2024-01-01")
            + pd.to_timedelta(rng.integers(0, 300, n), unit="D"),
            "amount": rng.gamma(2.0, 20.0, n),
        }
    )
    return X, y, orders


@pytest.mark.parametrize(
    ("kind", "calibration"), [("gbm", "sigmoid"), ("mlp", "isotonic"), ("mlp", "none")]
)
def test_churn_round_trip_identical(tmp_path: Path, data, kind: str, calibration: str) -> None:
    X, y, orders = data
    model = ChurnModel(model=kind, n_trials=1, fast=True, calibration=calibration, seed=0).fit(X, y)
    folder = save_user_behavior(
        tmp_path, model=model, features=list(X.columns), horizon_days=60, orders=orders,
        uses_events=False, uses_users=True, metrics={"roc_auc": 0.8},
    )  # fmt: skip
    assert folder == tmp_path / "models" / CHAPTER
    kinds = {f.suffix for f in folder.iterdir()}
    assert kinds <= {".json", ".skops", ".safetensors"}
    assert (".safetensors" in kinds) == (kind == "mlp")  # torch weights never go to skops
    saved = load_user_behavior(tmp_path)
    np.testing.assert_array_equal(saved.churn.predict_proba(X), model.predict_proba(X))
    assert saved.features == list(X.columns) and saved.horizon_days == 60
    assert (saved.uses_events, saved.uses_users) == (False, True)
    assert saved.manifest["metrics"]["churn_model"] == kind
    assert saved.manifest["data_window"]["start"] == str(orders["timestamp"].min().isoformat())
    assert saved.bg is None
    assert hasattr(model.calibrated_, "predict_proba")  # saving left the live model intact
    np.testing.assert_array_equal(saved.churn.predict_proba(X), model.predict_proba(X))


def test_clv_parameters_round_trip(tmp_path: Path, data) -> None:
    from opsai.behavior import summary

    X, y, orders = data
    s = summary(orders, calibration_end="2024-10-26")
    bg, gg = BetaGeo().fit(s), GammaGamma().fit(s)
    model = ChurnModel(model="gbm", n_trials=1, fast=True).fit(X, y)
    save_user_behavior(
        tmp_path, model=model, features=list(X.columns), horizon_days=30, orders=orders,
        uses_events=False, uses_users=False, bg=bg, gg=gg, clv_weeks=26,
    )  # fmt: skip
    saved = load_user_behavior(tmp_path)
    assert saved.bg is not None and saved.gg is not None and saved.clv_weeks == 26
    pd.testing.assert_frame_equal(
        customer_value(s, saved.bg, saved.gg, t=26), customer_value(s, bg, gg, t=26)
    )


def test_unfitted_and_absent(tmp_path: Path, data) -> None:
    _, _, orders = data
    with pytest.raises(NotFittedError):
        save_user_behavior(tmp_path, model=ChurnModel(), features=[], horizon_days=30,
                           orders=orders, uses_events=False, uses_users=False)  # fmt: skip
    with pytest.raises(ModelStoreError, match="not a saved model bundle"):
        load_user_behavior(tmp_path / "elsewhere")
