"""Every opsai.behavior model follows the scikit-learn estimator contract."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from opsai.behavior import BetaGeo, ChurnModel, GammaGamma, MLPClassifier, Segmenter
from opsai.errors import NotFittedError

pytestmark = pytest.mark.unit

X = pd.DataFrame({"frequency": [0.0, 1, 2, 3], "recency": [0.0, 2, 5, 9], "T": [10.0] * 4,
                  "monetary_value": [0.0, 5, 6, 7]})  # fmt: skip

CASES: list[tuple[Any, str, dict[str, Any]]] = [
    (Segmenter(k_range=(2, 3), seed=1), "predict", {}),
    (ChurnModel(model="mlp", n_trials=1, seed=1), "predict_proba", {}),
    (BetaGeo(penalizer=0.1), "expected_purchases", {"t": 5}),
    (GammaGamma(penalizer=0.1), "expected_spend", {}),
    (MLPClassifier(hidden=4, seed=1), "predict_proba", {}),
]


@pytest.mark.parametrize(("est", "method", "kw"), CASES, ids=lambda c: type(c).__name__)
def test_estimator_contract(est: Any, method: str, kw: dict[str, Any]) -> None:
    params = est.get_params()
    twin = clone(est)  # __init__ only stores its keyword-only arguments
    assert twin.get_params() == params and twin is not est
    assert not [k for k in vars(twin) if k.endswith("_")]  # nothing learned before fit
    with pytest.raises(NotFittedError, match="fit"):
        getattr(twin, method)(X, **kw)


def test_fit_returns_self() -> None:
    assert BetaGeo().fit(X).params_["r"] > 0
    seg = Segmenter(k_range=(2, 2), seed=0)
    assert seg.fit(X) is seg and seg.k_ == 2
    y = np.array([0, 1, 0, 1])
    mlp = MLPClassifier(hidden=4, epochs=1)
    assert mlp.fit(X, y) is mlp and mlp.predict(X).shape == (4,)
