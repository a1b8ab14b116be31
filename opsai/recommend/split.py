"""Train/test splits of user-item interactions that never leak a test pair into training.

Both splitters take the long frame of :func:`~opsai.recommend.interactions.build_interactions`
(one row per user-item pair) and return ``(train, test)``:

- :func:`stratified_split` — per user, a random ``ratio`` of the pairs to train; the same
  rows as Microsoft Recommenders' ``python_stratified_split`` for the same frame and seed.
- :func:`leave_last_out` — per user, the latest ``n`` pairs to test (time-based).

:func:`validation_split` carves validation out of a training part with the same kind of split
as the test, so models are chosen on the task they are scored on.

Example:
    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"user_id": list("aaaabbbb"), "item_id": list("wxyzwxyz")})
    >>> train, test = stratified_split(pairs, ratio=0.75, seed=42)
    >>> len(train), len(test)
    (6, 2)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, TIMESTAMP, USER_ID
from opsai.errors import ConfigError, SchemaError

SplitMethod = Literal["stratified", "time"]
SPLIT_METHODS: dict[str, str] = {
    "stratified": "a random 25% of each user's pairs held out",
    "time": "each user's latest pair held out",
}
"""The split methods (notebook 03b's ``SPLIT`` parameter) and what each holds out."""


def parse_split_method(method: object) -> SplitMethod:
    """``method`` as a :data:`SplitMethod`; case and surrounding spaces do not matter.

    Raises:
        ConfigError: naming the ``SPLIT`` parameter, the allowed values and where to set it.
    """
    name = str(method).strip().lower()
    if name in SPLIT_METHODS:
        return name  # type: ignore[return-value]
    allowed = "; ".join(f"{k!r} ({v})" for k, v in SPLIT_METHODS.items())
    raise ConfigError(
        f"SPLIT must be one of {allowed}, got {method!r}. Set SPLIT to one of them in the "
        "config under chapters.03b_recommendation.parameters (or in the notebook's "
        "parameters cell)"
    )


def _check(pairs: pd.DataFrame, col_user: str, col_item: str) -> None:
    missing = [c for c in (col_user, col_item) if c not in pairs.columns]
    if missing:
        raise SchemaError(
            f"interactions: column(s) {', '.join(missing)} not found "
            f"(have: {', '.join(map(str, pairs.columns))}); pass col_user/col_item"
        )
    dup = int(pairs.duplicated([col_user, col_item]).sum())
    if dup:
        raise SchemaError(
            f"interactions: {dup} repeated user-item pairs; a split would leak them into both "
            "parts. Fold them first with opsai.recommend.build_interactions"
        )


def stratified_split(
    pairs: pd.DataFrame,
    *,
    ratio: float = 0.75,
    seed: int = 42,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-user random split: each user keeps about ``ratio`` of their pairs in training.

    Reproduces ``recommenders.datasets.python_splitters.python_stratified_split``: one uniform
    number per row from ``numpy.random.RandomState(seed)`` in the frame's row order, rows
    ranked within their user by it, and a row goes to train when ``rank / n_user <= ratio``.
    As there, a user with a single pair lands in test only (a cold user there).

    Args:
        pairs: one row per user-item pair.
        ratio: share of each user's pairs kept for training, in (0, 1).
        seed: random seed (42 is the Recommenders default).
        col_user: user column.
        col_item: item column.

    Returns:
        ``(train, test)``, each with the input's columns and index.
    """
    if not 0.0 < ratio < 1.0:
        raise ConfigError(f"stratified_split: ratio must be in (0, 1), got {ratio}")
    _check(pairs, col_user, col_item)
    rand = np.random.RandomState(seed).rand(len(pairs))
    order = np.lexsort((rand, pairs[col_user].to_numpy()))
    users = pairs[col_user].to_numpy()[order]
    # position within the user (1-based) over the user's size, in the sorted order
    starts = np.r_[0, np.flatnonzero(users[1:] != users[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(users)])
    pos = np.arange(len(users)) - np.repeat(starts, sizes) + 1
    frac = pos / np.repeat(sizes, sizes)
    in_train = np.empty(len(pairs), dtype=bool)
    in_train[order] = frac <= ratio
    return pairs[in_train], pairs[~in_train]


def leave_last_out(
    pairs: pd.DataFrame,
    *,
    n: int = 1,
    min_train: int = 1,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
    col_timestamp: str = TIMESTAMP,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Time-based split: each user's latest ``n`` pairs are the test set.

    Ties in time are broken by row order (the later row is the later interaction). Users
    with fewer than ``n + min_train`` pairs stay wholly in training, so every test user has a
    history to recommend from.

    Args:
        pairs: one row per user-item pair with a time column (the pair's latest time).
        n: pairs per user held out.
        min_train: pairs a user must keep in training to get a test set.
        col_user: user column.
        col_item: item column.
        col_timestamp: time column.

    Returns:
        ``(train, test)``.
    """
    if n < 1 or min_train < 1:
        raise ConfigError(f"leave_last_out: n and min_train must be >= 1, got {n=}, {min_train=}")
    _check(pairs, col_user, col_item)
    if col_timestamp not in pairs.columns:
        raise SchemaError(
            f"leave_last_out: time column {col_timestamp!r} not found; pass col_timestamp or "
            "use stratified_split for data without times"
        )
    tie = np.arange(len(pairs))
    order = np.lexsort((tie, pairs[col_timestamp].to_numpy(), pairs[col_user].to_numpy()))
    users = pairs[col_user].to_numpy()[order]
    starts = np.r_[0, np.flatnonzero(users[1:] != users[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(users)])
    from_end = np.repeat(starts + sizes, sizes) - np.arange(len(users))  # 1 = the latest
    eligible = np.repeat(sizes >= n + min_train, sizes)
    in_test = np.empty(len(pairs), dtype=bool)
    in_test[order] = eligible & (from_end <= n)
    return pairs[~in_test], pairs[in_test]


def validation_split(
    train: pd.DataFrame,
    *,
    method: SplitMethod = "stratified",
    ratio: float = 0.9,
    seed: int = 0,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
    col_timestamp: str = TIMESTAMP,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(fit, valid)`` carved from a training part the way its test part was held out.

    ``"stratified"``: :func:`stratified_split` with ``ratio`` (and ``seed``). ``"time"``:
    :func:`leave_last_out` of one pair, so validation is each user's latest *training* pair
    (the next-item task the time-based test measures) and no fit pair is later than its
    user's validation pair; users with a single training pair stay wholly in the fit part.

    Args:
        train: the training part.
        method: how the test part was held out (:func:`parse_split_method`).
        ratio: stratified only: share of each user's pairs kept to fit on.
        seed: stratified only: random seed.
        col_user: user column.
        col_item: item column.
        col_timestamp: time only: time column.
    """
    if parse_split_method(method) == "time":
        return leave_last_out(
            train, n=1, col_user=col_user, col_item=col_item, col_timestamp=col_timestamp
        )
    return stratified_split(train, ratio=ratio, seed=seed, col_user=col_user, col_item=col_item)


def leaked_pairs(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> pd.DataFrame:
    """The user-item pairs found in both parts (empty for a sound split)."""
    keys = [col_user, col_item]
    return train[keys].drop_duplicates().merge(test[keys].drop_duplicates(), on=keys)
