"""A hybrid recommender: a weighted blend of models with a cold-start fallback.

Each component's scores are rescaled per user (divided by the user's largest absolute score,
so every model speaks on a 0..1 scale) and summed with the given weights. Users the models have
never seen get the fallback list (the most popular items); items nobody has touched get
their score from the content component, so new catalogue items can still be recommended.

Example:
    >>> import pandas as pd
    >>> from opsai.recommend.models import EASE, Popularity
    >>> pairs = pd.DataFrame({"user_id": list("aabbc"), "item_id": list("xyxzz")})
    >>> hy = Hybrid(models=[("ease", EASE(l2=1.0)), ("pop", Popularity())], weights=[0.8, 0.2])
    >>> reco = hy.fit(pairs).recommend(["a", "new"], k=1)
    >>> reco["source"].tolist()
    ['blend', 'fallback']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp

from opsai.data.schema import ITEM_ID
from opsai.errors import ConfigError
from opsai.recommend.content import ContentRecommender
from opsai.recommend.interactions import InteractionMatrix
from opsai.recommend.models import (
    Popularity,
    Recommender,
    as_matrix,
    bestseller_lists,
    in_user_order,
)

SOURCE = "source"
"""Column telling whether a row came from the blend or the cold-start fallback."""


class Hybrid(Recommender):
    """Weighted blend of fitted-together recommenders, with popularity for unknown users.

    Args:
        models: ``(name, model)`` pairs; all are fitted on the same interactions (a
            :class:`~opsai.recommend.content.ContentRecommender` also gets ``items``).
        weights: one non-negative weight per model (default: equal).
        fallback: ``"popularity"`` recommends the most popular items to unknown users;
            ``"none"`` gives them no rows.
    """

    def __init__(
        self,
        *,
        models: Sequence[tuple[str, Recommender]] = (),
        weights: Sequence[float] | None = None,
        fallback: Literal["popularity", "none"] = "popularity",
    ) -> None:
        self.models = models
        self.weights = weights
        self.fallback = fallback

    def fit(
        self,
        interactions: InteractionMatrix | pd.DataFrame,
        *,
        items: pd.DataFrame | None = None,
    ) -> Hybrid:
        """Fit every component (and the fallback) on the same interactions.

        Args:
            interactions: training interactions.
            items: the catalogue, passed to content components.
        """
        if not self.models:
            raise ConfigError("Hybrid: models is empty; give [(name, model), ...]")
        names = [name for name, _ in self.models]
        if len(set(names)) != len(names):
            raise ConfigError(f"Hybrid: model names must be unique, got {names}")
        w = np.ones(len(self.models)) if self.weights is None else np.asarray(self.weights, float)
        if len(w) != len(self.models) or (w < 0).any() or w.sum() <= 0:
            raise ConfigError(
                f"Hybrid: weights must be {len(self.models)} non-negative numbers with a "
                f"positive sum, got {self.weights}"
            )
        if self.fallback not in ("popularity", "none"):
            raise ConfigError(
                f"Hybrid: fallback must be 'popularity' or 'none', got {self.fallback!r}"
            )
        self.interactions_ = as_matrix(
            interactions, None if items is None else items[ITEM_ID].astype(str)
        )
        self.weights_ = w / w.sum()
        self.models_: list[tuple[str, Recommender]] = []
        for name, model in self.models:
            if isinstance(model, ContentRecommender | Hybrid):
                model.fit(self.interactions_, items=items)
            else:
                model.fit(self.interactions_)
            self.models_.append((name, model))
        self.fallback_ = Popularity()
        self.fallback_.fit(self.interactions_)
        return self

    def reweight(self, weights: Sequence[float]) -> Hybrid:
        """Change the blend weights of a fitted hybrid without refitting its components.

        Used to tune the weights on validation data; ``weights`` follows ``models``.
        """
        self._check_fitted()
        w = np.asarray(weights, dtype=float)
        if len(w) != len(self.models_) or (w < 0).any() or w.sum() <= 0:
            raise ConfigError(
                f"Hybrid.reweight: need {len(self.models_)} non-negative weights with a "
                f"positive sum, got {list(weights)}"
            )
        self.weights = list(weights)
        self.weights_ = w / w.sum()
        return self

    def _fit(self, X: sp.csr_matrix) -> None:  # pragma: no cover - fit is overridden
        raise NotImplementedError

    def _score(self, rows: np.ndarray) -> np.ndarray:
        total = np.zeros((len(rows), self.interactions_.matrix.shape[1]), dtype=np.float64)
        for weight, (_, model) in zip(self.weights_, self.models_, strict=True):
            if weight == 0:
                continue
            s = np.nan_to_num(model._score(rows).astype(np.float64), neginf=0.0, posinf=0.0)
            scale = np.abs(s).max(axis=1, keepdims=True)
            total += weight * s / np.where(scale > 0, scale, 1.0)
        return total

    def recommend(
        self,
        user_ids: Iterable[str] | None = None,
        k: int = 10,
        *,
        exclude_seen: bool = True,
    ) -> pd.DataFrame:
        """Blended top-``k`` for known users, the fallback list for unknown ones.

        Returns:
            ``user_id, item_id, score, rank, source`` with source ``"blend"`` or
            ``"fallback"``; users in the order given.
        """
        self._check_fitted()
        users = (
            self.interactions_.user_ids if user_ids is None else np.asarray(list(user_ids), object)
        )
        known = self.interactions_.user_index(users) >= 0
        out = super().recommend(users[known], k, exclude_seen=exclude_seen)
        out[SOURCE] = "blend"
        cold = users[~known]
        if len(cold) and self.fallback == "popularity":
            rep = bestseller_lists(self.fallback_, cold, k).assign(**{SOURCE: "fallback"})
            out = pd.concat([out, rep], ignore_index=True)
        return in_user_order(out, users)
