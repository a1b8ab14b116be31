"""Why an item was recommended: the history items that pushed it up.

For the item-item models (item-kNN, EASE, content) a user's score for item ``i`` is a sum
over their history ``j`` of ``x_uj * W[j, i]``; the largest terms are the explanation ("because
you bought X"). A hybrid is explained through its item-item components, each term scaled as
in the blend.

Example:
    >>> import pandas as pd
    >>> from opsai.recommend.models import ItemKNN
    >>> pairs = pd.DataFrame({"user_id": list("aabbc"), "item_id": list("xyxyx")})
    >>> knn = ItemKNN(shrink=0.0).fit(pairs)
    >>> explain(knn, "c", ["y"])["because_item_id"].tolist()
    ['x']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, USER_ID
from opsai.errors import ConfigError
from opsai.recommend.hybrid import Hybrid
from opsai.recommend.models import ItemSimilarity, Recommender

BECAUSE = "because_item_id"
CONTRIBUTION = "contribution"
SHARE = "share"


def _components(model: Recommender) -> list[tuple[float, ItemSimilarity]]:
    """(blend weight, model) for the explainable parts of ``model``."""
    if isinstance(model, ItemSimilarity):
        return [(1.0, model)]
    if isinstance(model, Hybrid):
        parts: list[tuple[float, ItemSimilarity]] = []
        for w, (_, m) in zip(model.weights_, model.models_, strict=True):
            if isinstance(m, ItemSimilarity) and w > 0:
                parts.append((float(w), m))
        if parts:
            return parts
    raise ConfigError(
        f"explain: {type(model).__name__} has no item-item weights; explain an ItemKNN, EASE, "
        "ContentRecommender or a Hybrid that contains one"
    )


def explain(
    model: Recommender,
    user_id: str,
    item_ids: Iterable[str] | None = None,
    *,
    n: int = 3,
    k: int = 10,
    titles: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The history items that contributed most to each recommended item.

    Args:
        model: a fitted item-item model or a hybrid with one.
        user_id: the user.
        item_ids: items to explain (default: the user's top ``k`` recommendations).
        n: history items per recommended item.
        k: list length when ``item_ids`` is not given.
        titles: item id -> title, for a readable ``reason``.

    Returns:
        ``user_id, item_id, because_item_id, contribution, share, reason`` — ``share`` is the
        contribution over the sum of positive contributions to that item; only positive
        contributions are listed. Empty for a user without history.
    """
    parts = _components(model)
    model._check_fitted()
    im = model.interactions_
    if item_ids is None:
        item_ids = model.recommend([user_id], k)[ITEM_ID].tolist()
    targets = [str(t) for t in item_ids]
    t_idx = im.item_index(targets)
    row = im.user_index([user_id])[0]
    cols = [USER_ID, ITEM_ID, BECAUSE, CONTRIBUTION, SHARE, "reason"]
    if row < 0 or not len(targets):
        return pd.DataFrame(columns=cols)
    hist = im.matrix.getrow(row)
    h_idx, h_w = hist.indices, hist.data.astype(np.float64)
    if not len(h_idx):
        return pd.DataFrame(columns=cols)
    contrib = np.zeros((len(h_idx), len(targets)))
    ok = t_idx >= 0
    for w, m in parts:
        W = m.pair_weights(h_idx, t_idx[ok])
        scale = float(np.abs(m._score(np.array([row]))).max()) or 1.0  # as the blend scales
        contrib[:, ok] += w * h_w[:, None] * W / scale
    rows = []
    for j, target in enumerate(targets):
        c = contrib[:, j]
        pos = c > 0
        total = c[pos].sum()
        for i in np.argsort(-c, kind="stable")[:n]:
            if c[i] <= 0:
                break
            because = str(im.item_ids[h_idx[i]])
            name = titles.get(because, because) if titles else because
            rows.append(
                (
                    str(user_id),
                    target,
                    because,
                    float(c[i]),
                    float(c[i] / total),
                    f"because of {name}",
                )
            )
    return pd.DataFrame(rows, columns=cols)
