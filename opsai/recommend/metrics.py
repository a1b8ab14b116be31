"""Top-K metrics with the definitions of ``recommenders.evaluation.python_evaluation``.

``reco`` is a long frame of recommendations (``user_id, item_id`` and ``rank`` or ``score``),
``truth`` the held-out pairs (every one relevant). For each user, hits are the recommended
items among the first ``k`` that are in ``truth``; ``actual`` is the user's number of truth
items. As in Recommenders:

- precision@k = mean over users of hits / k; recall@k = mean of hits / actual;
- MAP@k = mean of (sum over hits of hit-ordinal / rank) / min(actual, k);
- nDCG@k = mean of DCG / IDCG, binary gains, DCG = sum over hits of 1 / ln(1 + rank),
  IDCG over the first min(actual, k) positions;
- precision, recall, MAP and hit rate average over the users present in both frames; nDCG
  averages over every user in ``truth`` (one without recommendations scores 0).

Beyond accuracy: catalogue coverage (share of the catalogue recommended to anyone), novelty
(mean self-information ``-log2(share of training users who had the item)`` of the recommended
items, as Recommenders' ``novelty``) and the mean popularity of the recommended items.

Example:
    >>> import pandas as pd
    >>> reco = pd.DataFrame({"user_id": ["u"] * 3, "item_id": ["a", "b", "c"], "rank": [1, 2, 3]})
    >>> truth = pd.DataFrame({"user_id": ["u", "u"], "item_id": ["b", "z"]})
    >>> round(precision_at_k(reco, truth, k=3), 4), recall_at_k(reco, truth, k=3)
    (0.3333, 0.5)
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, USER_ID
from opsai.errors import ConfigError, SchemaError

RANK = "rank"
SCORE = "score"


def _order(reco: pd.DataFrame, k: int, col_user: str, col_item: str) -> np.ndarray:
    """Row positions of ``reco`` sorted by user then rank (or score), duplicates dropped."""
    if k < 1:
        raise ConfigError(f"metrics: k must be >= 1, got {k}")
    for c in (col_user, col_item):
        if c not in reco.columns:
            raise SchemaError(f"reco: column {c!r} not found (have: {', '.join(reco.columns)})")
    if RANK in reco.columns:
        key = reco[RANK].to_numpy(dtype="float64")
    elif SCORE in reco.columns:
        key = -reco[SCORE].to_numpy(dtype="float64")
    else:
        raise SchemaError("reco: needs a 'rank' or a 'score' column to order the items")
    users, _ = pd.factorize(reco[col_user])
    items, uniq = pd.factorize(reco[col_item])
    order = np.lexsort((np.arange(len(reco)), key, users))  # stable within equal keys
    pair = users[order].astype(np.int64) * max(len(uniq), 1) + items[order]
    by_pair = np.argsort(pair, kind="stable")
    sp = pair[by_pair]
    first = by_pair[np.r_[True, sp[1:] != sp[:-1]]] if len(sp) else by_pair
    return order[np.sort(first)]


def _positions(users: np.ndarray) -> np.ndarray:
    """1-based position of each row within its run of equal (contiguous) users."""
    if not len(users):
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(users[1:] != users[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(users)])
    return np.arange(len(users)) - np.repeat(starts, sizes) + 1


def _ranked(reco: pd.DataFrame, k: int, col_user: str, col_item: str) -> pd.DataFrame:
    """The first ``k`` recommendations per user with a 1-based ``rank``."""
    order = _order(reco, k, col_user, col_item)
    r = reco.iloc[order][[col_user, col_item]]
    pos = _positions(pd.factorize(r[col_user])[0])
    return r.assign(**{RANK: pos})[pos <= k]


def per_user(
    reco: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> pd.DataFrame:
    """One row per user of ``truth``: the per-user terms every accuracy metric averages.

    Returns:
        Indexed by user (sorted): ``actual``, ``hits``, ``in_reco`` (the user got
        recommendations), ``precision``, ``recall``, ``ap`` (average precision@k), ``ndcg``,
        ``hit``.
    """
    r = _ranked(reco, k, col_user, col_item)
    nt = len(truth)
    ucode, uniq = pd.factorize(pd.concat([truth[col_user], r[col_user]], ignore_index=True))
    icode, items = pd.factorize(pd.concat([truth[col_item], r[col_item]], ignore_index=True))
    m = np.int64(max(len(items), 1))
    tkey = np.sort(ucode[:nt].astype(np.int64) * m + icode[:nt])
    tkey = tkey[np.r_[True, tkey[1:] != tkey[:-1]]] if nt else tkey
    ru, rank = ucode[nt:], r[RANK].to_numpy()
    rkey = ru.astype(np.int64) * m + icode[nt:]
    at = np.minimum(np.searchsorted(tkey, rkey), max(len(tkey) - 1, 0))
    hit = (tkey[at] == rkey) if len(tkey) else np.zeros(len(rkey), dtype=bool)
    n = len(uniq)
    actual = np.bincount((tkey // m).astype(np.int64), minlength=n)
    hits = np.bincount(ru[hit], minlength=n)
    # hit ordinal within the user: r is grouped by user in rank order
    cum = np.cumsum(hit)
    start = np.r_[0, np.flatnonzero(ru[1:] != ru[:-1]) + 1] if len(ru) else np.zeros(0, int)
    before = np.repeat(np.r_[0, cum][start], np.diff(np.r_[start, len(ru)]))
    ordinal = cum - before
    rr = np.bincount(ru[hit], weights=ordinal[hit] / rank[hit], minlength=n)
    dcg = np.bincount(ru[hit], weights=1.0 / np.log1p(rank[hit].astype(float)), minlength=n)
    in_reco = np.bincount(ru, minlength=n) > 0
    keep = actual > 0
    ideal = np.cumsum(1.0 / np.log1p(np.arange(1, k + 1, dtype="float64")))
    n_ideal = np.minimum(actual[keep], k)
    out = pd.DataFrame(
        {
            "actual": actual[keep].astype("int64"),
            "hits": hits[keep].astype("int64"),
            "in_reco": in_reco[keep],
            "precision": hits[keep] / k,
            "recall": hits[keep] / actual[keep],
            "ap": rr[keep] / n_ideal,
            "ndcg": dcg[keep] / ideal[n_ideal - 1],
            "hit": (hits[keep] > 0).astype("float64"),
        },
        index=pd.Index(np.asarray(uniq)[keep], name=col_user),
    )
    return out.sort_index()


def _mean_common(pu: pd.DataFrame, col: str) -> float:
    common = pu[pu["in_reco"]]
    return float(common[col].mean()) if len(common) else 0.0


def precision_at_k(reco: pd.DataFrame, truth: pd.DataFrame, *, k: int = 10, **cols: str) -> float:
    """Precision@k (hits / k, averaged over users in both frames)."""
    return _mean_common(per_user(reco, truth, k=k, **cols), "precision")


def recall_at_k(reco: pd.DataFrame, truth: pd.DataFrame, *, k: int = 10, **cols: str) -> float:
    """Recall@k (hits / relevant, averaged over users in both frames)."""
    return _mean_common(per_user(reco, truth, k=k, **cols), "recall")


def map_at_k(reco: pd.DataFrame, truth: pd.DataFrame, *, k: int = 10, **cols: str) -> float:
    """MAP@k (average precision normalised by min(relevant, k))."""
    return _mean_common(per_user(reco, truth, k=k, **cols), "ap")


def ndcg_at_k(reco: pd.DataFrame, truth: pd.DataFrame, *, k: int = 10, **cols: str) -> float:
    """nDCG@k with binary gains, averaged over every user in ``truth``."""
    pu = per_user(reco, truth, k=k, **cols)
    return float(pu["ndcg"].mean()) if len(pu) else 0.0


def hit_rate_at_k(reco: pd.DataFrame, truth: pd.DataFrame, *, k: int = 10, **cols: str) -> float:
    """Share of users (in both frames) with at least one hit in the first ``k``."""
    return _mean_common(per_user(reco, truth, k=k, **cols), "hit")


def catalog_coverage(
    reco: pd.DataFrame,
    catalog: Iterable[str],
    *,
    k: int = 10,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> float:
    """Share of the catalogue recommended (in someone's first ``k``) to at least one user."""
    cat = set(map(str, catalog))
    if not cat:
        raise ConfigError("catalog_coverage: the catalogue is empty")
    r = _ranked(reco, k, col_user, col_item)
    return len(set(map(str, pd.unique(r[col_item]))) & cat) / len(cat)


def item_popularity(
    train: pd.DataFrame, *, col_user: str = USER_ID, col_item: str = ITEM_ID
) -> pd.Series:
    """Share of training users who interacted with each item."""
    n_users = train[col_user].nunique()
    return train.drop_duplicates([col_user, col_item]).groupby(col_item).size() / max(n_users, 1)


def novelty(
    reco: pd.DataFrame,
    train: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> float:
    """Mean self-information ``-log2(popularity)`` of the recommended items (bits).

    Items absent from training (cold items) are left out, as in Recommenders.
    """
    pop = item_popularity(train, col_user=col_user, col_item=col_item)
    r = _ranked(reco, k, col_user, col_item)
    p = r[col_item].map(pop).dropna()
    return float((-np.log2(p)).mean()) if len(p) else 0.0


def mean_popularity(
    reco: pd.DataFrame,
    train: pd.DataFrame,
    *,
    k: int = 10,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> float:
    """Average share of training users who had each recommended item (popularity bias)."""
    pop = item_popularity(train, col_user=col_user, col_item=col_item)
    r = _ranked(reco, k, col_user, col_item)
    return float(r[col_item].map(pop).fillna(0.0).mean()) if len(r) else 0.0


def evaluate(
    reco: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    k: int = 10,
    train: pd.DataFrame | None = None,
    catalog: Iterable[str] | None = None,
    col_user: str = USER_ID,
    col_item: str = ITEM_ID,
) -> dict[str, float]:
    """Every metric at once (one ranking pass).

    Args:
        reco: recommendations.
        truth: held-out pairs.
        k: cut-off.
        train: training pairs, for novelty and popularity bias (skipped without it).
        catalog: item ids for coverage (default: the items of ``train``, else skipped).
        col_user: user column.
        col_item: item column.

    Returns:
        ``{"map_at_k", "ndcg_at_k", "precision_at_k", "recall_at_k", "hit_rate_at_k",
        "coverage", "novelty", "mean_popularity", "users"}`` with ``k`` spelled out
        (``ndcg_at_10``); the beyond-accuracy ones only when their input is given.
    """
    pu = per_user(reco, truth, k=k, col_user=col_user, col_item=col_item)
    out = {
        f"map_at_{k}": _mean_common(pu, "ap"),
        f"ndcg_at_{k}": float(pu["ndcg"].mean()) if len(pu) else 0.0,
        f"precision_at_{k}": _mean_common(pu, "precision"),
        f"recall_at_{k}": _mean_common(pu, "recall"),
        f"hit_rate_at_{k}": _mean_common(pu, "hit"),
    }
    if catalog is None and train is not None:
        catalog = train[col_item].unique()
    if catalog is not None:
        out["coverage"] = catalog_coverage(reco, catalog, k=k, col_user=col_user, col_item=col_item)
    if train is not None:
        out["novelty"] = novelty(reco, train, k=k, col_user=col_user, col_item=col_item)
        out["mean_popularity"] = mean_popularity(
            reco, train, k=k, col_user=col_user, col_item=col_item
        )
    out["users"] = float(int(pu["in_reco"].sum()))
    return out
