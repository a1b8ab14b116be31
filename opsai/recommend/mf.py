"""Matrix factorisation for implicit feedback through the ``implicit`` library (ALS and BPR).

``implicit`` (Ben Frederickson) is the maintained CPU implementation of both: ALS of Hu,
Koren & Volinsky (2008) with confidence ``1 + alpha * x``, and BPR of Rendle et al. (2009).
opsai wraps it in the common :class:`~opsai.recommend.models.Recommender` contract; it is
imported only when a model is fitted.

Example:
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"user_id": list("aabbc"), "item_id": list("xyxzz")})
    >>> ALS(factors=4, iterations=2, seed=0).fit(pairs).recommend(["a"], k=1).shape  # doctest: +SKIP
    (1, 4)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from opsai.errors import ConfigError
from opsai.recommend.models import Recommender


def _implicit() -> Any:
    try:
        import implicit.cpu.als
        import implicit.cpu.bpr
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ConfigError("ALS/BPR need the 'implicit' package: pip install implicit==0.7.3") from e
    return implicit


def _fit_quietly(factory: Any, X: sp.csr_matrix, **options: Any) -> Any:
    """Build and fit with BLAS single-threaded (implicit parallelises itself), no progress bar."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):
        model = factory(**options)
        model.fit(X, show_progress=False)
    return model


class _Factors(Recommender):
    user_factors_: np.ndarray
    item_factors_: np.ndarray

    def _store(self, model: Any) -> None:
        self.user_factors_ = np.asarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.asarray(model.item_factors, dtype=np.float32)

    def _score(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors_[rows] @ self.item_factors_.T


class ALS(_Factors):
    """Alternating least squares for implicit feedback (``implicit.cpu.als``).

    Args:
        factors: latent dimensions.
        regularization: L2 penalty on the factors.
        alpha: confidence scale; an observed weight ``x`` counts ``1 + alpha * x``.
        iterations: ALS sweeps.
        num_threads: 0 uses every core.
        seed: initialises the factors.
    """

    def __init__(
        self,
        *,
        factors: int = 128,
        regularization: float = 30.0,
        alpha: float = 5.0,
        iterations: int = 15,
        num_threads: int = 0,
        seed: int = 0,
    ) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.num_threads = num_threads
        self.seed = seed

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.factors < 1 or self.iterations < 1:
            raise ConfigError(
                f"ALS: factors and iterations must be >= 1, got {self.factors}, {self.iterations}"
            )
        lib = _implicit()
        model = _fit_quietly(
            lib.cpu.als.AlternatingLeastSquares,
            X,
            factors=int(self.factors),
            regularization=float(self.regularization),
            alpha=float(self.alpha),
            iterations=int(self.iterations),
            num_threads=int(self.num_threads),
            random_state=int(self.seed),
            calculate_training_loss=False,
        )
        self._store(model)


class BPR(_Factors):
    """Bayesian personalised ranking by SGD on sampled triples (``implicit.cpu.bpr``).

    Args:
        factors: latent dimensions.
        learning_rate: SGD step.
        regularization: L2 penalty.
        iterations: epochs over the observed pairs.
        num_threads: 0 uses every core (results then vary slightly between runs).
        seed: initialises the factors and the sampling.
    """

    def __init__(
        self,
        *,
        factors: int = 128,
        learning_rate: float = 0.01,
        regularization: float = 0.01,
        iterations: int = 100,
        num_threads: int = 0,
        seed: int = 0,
    ) -> None:
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.num_threads = num_threads
        self.seed = seed

    def _fit(self, X: sp.csr_matrix) -> None:
        if self.factors < 1 or self.iterations < 1:
            raise ConfigError(
                f"BPR: factors and iterations must be >= 1, got {self.factors}, {self.iterations}"
            )
        lib = _implicit()
        model = _fit_quietly(
            lib.cpu.bpr.BayesianPersonalizedRanking,
            X,
            factors=int(self.factors),
            learning_rate=float(self.learning_rate),
            regularization=float(self.regularization),
            iterations=int(self.iterations),
            num_threads=int(self.num_threads),
            random_state=int(self.seed),
            verify_negative_samples=True,
        )
        self._store(model)
