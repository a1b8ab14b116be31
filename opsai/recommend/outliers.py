"""Users whose histories are far beyond everyone else's: bots, crawlers, staff, test accounts.

A handful of accounts that touched most of the catalogue co-occur with every item and distort
item-item similarities (three such users among 800 took item-kNN's nDCG@10 from 0.391 to 0.374
under a stratified split; under a time split the same accounts helped it slightly, 0.221 ->
0.231). :func:`heavy_users` flags them by a stated rule; nothing is dropped unless the analyst
names the accounts (:func:`exclude_users`, notebook 03b's ``EXCLUDE_USERS``).

The rule: a user is flagged when the number of items in their history is above the upper
Tukey fence of the *log* history lengths, ``log n > Q3 + k * IQR`` (``n > Q3 * (Q3 / Q1) ** k``
in items; ``k = 1.5``), the history covers at least ``min_coverage`` (20%) of the items
anyone interacted with, and the flagged group stands apart from everyone else: its shortest
history is at least ``gap`` (2) times the longest history that is not flagged. History lengths
are heavily skewed, so the fence is taken on the log scale; the coverage condition keeps real
enthusiasts of a large catalogue out (MovieLens-100K's heaviest rater has 737 films, 44% of the
catalogue, under a fence of 1,406). The gap condition keeps the heaviest ordinary users of a
small catalogue out: among 600 shoppers of 150 items the two longest histories (63 and 48
items, 42% and 32% of the catalogue) are above the fence of 46 items and the coverage floor of
30, but they continue the spread of the others (40, 33, 32 items), whereas accounts that walked
the catalogue are several times longer than any customer.

Example:
    >>> flagged = heavy_users(pairs)                      # doctest: +SKIP
    >>> flagged.attrs["fence"], flagged["user_id"].tolist()  # doctest: +SKIP
    (56.0, ['bot000', 'bot001', 'bot002'])
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, USER_ID
from opsai.errors import ConfigError

FENCE_K = 1.5
"""Tukey's multiplier of the inter-quartile range (of log history lengths)."""
MIN_COVERAGE = 0.2
"""Least share of the interacted catalogue a flagged user's history covers."""
GAP = 2.0
"""Least ratio of a flagged group's shortest history to the longest history left unflagged."""
MIN_LOG_IQR = float(np.log(2.0))
"""Floor of the log inter-quartile range: when most users have the same few items, a user with
one more is not an outlier (the fence is then at least Q3 * 2 ** k items)."""


def heavy_users(
    pairs: pd.DataFrame,
    *,
    k: float = FENCE_K,
    min_coverage: float = MIN_COVERAGE,
    gap: float = GAP,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> pd.DataFrame:
    """The users whose histories are far beyond everyone else's (see the module's rule).

    Args:
        pairs: one row per user-item pair.
        k: fence multiplier of the log inter-quartile range.
        min_coverage: least share of the interacted catalogue a flagged history covers.
        gap: least ratio of the shortest flagged history to the longest unflagged one.
        col_user: user column.
        col_item: item column.

    Returns:
        One row per flagged user, longest first: ``user_id``, ``items`` (history length),
        ``share`` (of all pairs) and ``coverage`` (of the interacted catalogue). ``attrs``
        holds ``fence`` (items), ``median``, ``q1``, ``q3``, ``users``, ``pairs``,
        ``catalog``, ``longest`` and ``next`` (the longest history not flagged), also when nobody
        is flagged, and ``beyond``: the lengths of the histories above the fence and the coverage
        floor that were not flagged because they continue the spread of the others (no gap).
    """
    n = pairs.groupby(col_user, sort=False)[col_item].nunique()
    catalog = int(pairs[col_item].nunique())
    cols = [col_user, "items", "share", "coverage"]
    if n.empty:
        out = pd.DataFrame(columns=cols)
        out.attrs |= {"fence": float("nan"), "median": float("nan"), "users": 0, "pairs": 0,
                      "next": 0, "beyond": []}  # fmt: skip
        return out
    q1, q3 = np.quantile(np.log(n.to_numpy(dtype=float)), [0.25, 0.75])
    fence = float(np.exp(q3 + k * max(q3 - q1, MIN_LOG_IQR)))
    total = int(n.sum())
    ranked = n.sort_values(ascending=False, kind="stable")
    length = ranked.to_numpy(dtype=float)
    # both conditions are thresholds on the length: the candidates are the longest histories
    m = int(((length > fence) & (length >= min_coverage * catalog)).sum())
    below = np.r_[length[1:], 0.0][:m]  # the next-longest history after each candidate
    cuts = np.flatnonzero(length[:m] >= gap * below)
    j = int(cuts[-1]) + 1 if cuts.size else 0  # the deepest cut with a gap: all above it
    hit = ranked.iloc[:j]
    out = pd.DataFrame({
        col_user: hit.index.astype(str),
        "items": hit.to_numpy(dtype=int),
        "share": hit.to_numpy() / total,
        "coverage": hit.to_numpy() / catalog,
    })  # fmt: skip
    out.attrs |= {
        "fence": round(fence, 1), "median": float(n.median()), "q1": float(np.exp(q1)),
        "q3": float(np.exp(q3)), "users": len(n), "pairs": total, "catalog": catalog,
        "longest": int(n.max()), "next": int(length[j]) if j < len(length) else 0,
        "beyond": [int(x) for x in length[j:m]],
    }  # fmt: skip
    return out


def parse_user_ids(text: str | Iterable[str]) -> list[str]:
    """User ids from a comma-separated string (``EXCLUDE_USERS``) or an iterable, stripped."""
    parts = text.split(",") if isinstance(text, str) else list(text)
    return [str(p).strip() for p in parts if str(p).strip()]


def exclude_users(
    pairs: pd.DataFrame, users: str | Iterable[str], *, col_user: str = USER_ID
) -> pd.DataFrame:
    """``pairs`` without the named users (bots, staff or test accounts), for training and scoring.

    Args:
        pairs: one row per user-item pair.
        users: ids, or a comma-separated string of them (notebook 03b's ``EXCLUDE_USERS``).
        col_user: user column.

    Raises:
        ConfigError: an id is not in the interactions (a typo would silently keep the account).
    """
    ids = parse_user_ids(users)
    if not ids:
        return pairs
    have = set(pairs[col_user].astype(str))
    missing = [u for u in ids if u not in have]
    if missing:
        shown = ", ".join(map(repr, missing[:5])) + (" …" if len(missing) > 5 else "")
        raise ConfigError(
            f"EXCLUDE_USERS: {len(missing)} user id(s) not in the interactions: {shown}. "
            "Fix or remove them in chapters.03b_recommendation.parameters.EXCLUDE_USERS "
            "(comma-separated user ids, exactly as in the data)"
        )
    out = pairs[~pairs[col_user].astype(str).isin(set(ids))]
    out.attrs = dict(pairs.attrs) | {"excluded_users": ids, "excluded_pairs": len(pairs) - len(out)}
    return out
