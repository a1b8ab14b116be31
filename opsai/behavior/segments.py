"""RFM scores, behavioural features, clustering segmentation and personas.

Aggregation happens in the engine (one row per user comes back); scoring and clustering run
on that modelling-sized frame.

Example:
    >>> feats = rfm(ws.table("orders"))                                   # doctest: +SKIP
    >>> seg = Segmenter(k_range=(2, 6), seed=0).fit(feats)
    >>> table = personas(feats, seg.labels_, users=ws.to_pandas("users"))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import ibis
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

from opsai.behavior._engine import TableLike, as_table, require, to_frame
from opsai.data.schema import (
    AMOUNT,
    DEFAULT_FUNNEL,
    EVENT,
    ORDER_ID,
    SESSION_ID,
    TIMESTAMP,
    USER_ID,
)
from opsai.errors import ConfigError, NotFittedError

RECENCY, FREQUENCY, MONETARY = "recency_days", "frequency", "monetary"


def rfm(
    orders: TableLike,
    *,
    asof: str | pd.Timestamp | None = None,
    bins: int = 5,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_amount: str = AMOUNT,
    col_order: str = ORDER_ID,
) -> pd.DataFrame:
    """Recency, frequency and monetary value per user, with quantile scores 1..``bins``.

    Frequency counts distinct ``order_id`` when the column exists, else distinct purchase
    timestamps. Scores rank users (ties broken by order of appearance are avoided by ranking
    first), so every score level holds about ``1/bins`` of the users; a recent, frequent,
    big spender scores ``bins`` on all three. A row with a negative amount is a return or
    refund: it is netted in ``monetary`` but is no purchase (frequency, recency and the first
    order ignore it), and a user with nothing but returns in the window is left out.

    Args:
        orders: the orders table.
        asof: the reference date for recency (default: the day after the last order).
        bins: number of score levels.
        col_user, col_time, col_amount, col_order: column overrides.

    Returns:
        Indexed by user: ``recency_days``, ``frequency``, ``monetary``, ``aov``,
        ``first_days`` (days since first order), ``r_score``, ``f_score``, ``m_score``,
        ``rfm_segment`` (e.g. ``'545'``) and ``rfm_total``.
    """
    if bins < 2:
        raise ConfigError(f"rfm: bins must be >= 2, got {bins}")
    t = as_table(orders, name="orders")
    require(t, [col_user, col_time, col_amount], table="orders")
    if asof is not None:
        t = t.filter(t[col_time] < pd.Timestamp(asof).to_pydatetime())
    key = t[col_order] if col_order in t.columns else t[col_time]
    buy = t[col_amount] >= 0  # negative lines are returns, not purchases
    agg = t.group_by(_u=t[col_user]).aggregate(
        _last=t[col_time].max(where=buy), _first=t[col_time].min(where=buy),
        frequency=key.nunique(where=buy), monetary=t[col_amount].sum(),
    )  # fmt: skip
    df = to_frame(agg).set_index("_u")
    df = df[df[FREQUENCY] > 0]
    df.index.name = col_user
    ref = (
        pd.Timestamp(asof)
        if asof is not None
        else (df["_last"].max().normalize() + pd.Timedelta(days=1))
    )
    df[RECENCY] = (ref - df.pop("_last")).dt.total_seconds() / 86400
    df["first_days"] = (ref - df.pop("_first")).dt.total_seconds() / 86400
    df[FREQUENCY] = df[FREQUENCY].astype(float)
    df["aov"] = df[MONETARY] / df[FREQUENCY].clip(lower=1)
    df["r_score"] = score(-df[RECENCY], bins=bins)
    df["f_score"] = score(df[FREQUENCY], bins=bins)
    df["m_score"] = score(df[MONETARY], bins=bins)
    df["rfm_segment"] = (
        df["r_score"].astype(str) + df["f_score"].astype(str) + df["m_score"].astype(str)
    )
    df["rfm_total"] = df[["r_score", "f_score", "m_score"]].sum(axis=1)
    return df.sort_index()


def score(values: pd.Series, *, bins: int = 5) -> pd.Series:
    """Quantile score 1..bins of ``values`` (higher value, higher score; ties share a score)."""
    pct = values.rank(method="average", pct=True)
    return np.ceil(pct * bins).clip(1, bins).astype(int)


def behaviour_features(
    events: TableLike,
    *,
    event_names: Sequence[str] = DEFAULT_FUNNEL,
    asof: str | pd.Timestamp | None = None,
    col_user: str = USER_ID,
    col_time: str = TIMESTAMP,
    col_event: str = EVENT,
    col_session: str = SESSION_ID,
) -> pd.DataFrame:
    """Per-user activity from events: counts per event name, sessions, active days, recency.

    Returns:
        Indexed by user: ``events``, ``sessions`` (distinct ``session_id``, or active days
        without it), ``active_days``, ``days_since_event`` and ``n_<event>`` per name.
    """
    t = as_table(events, name="events")
    require(t, [col_user, col_time, col_event], table="events")
    if asof is not None:
        t = t.filter(t[col_time] < pd.Timestamp(asof).to_pydatetime())
    day = t[col_time].date()
    sess = t[col_session].nunique() if col_session in t.columns else day.nunique()
    counts = {f"n_{e}": ibis.ifelse(t[col_event] == e, 1, 0).sum() for e in event_names}
    agg = t.group_by(_u=t[col_user]).aggregate(
        events=t.count(), sessions=sess, active_days=day.nunique(), _last=t[col_time].max(),
        **counts,
    )  # fmt: skip
    df = to_frame(agg).set_index("_u")
    df.index.name = col_user
    ref = pd.Timestamp(asof) if asof is not None else df["_last"].max()
    df["days_since_event"] = (ref - df.pop("_last")).dt.total_seconds() / 86400
    return df.astype(float).sort_index()


Criterion = Literal["silhouette", "bic"]


class Segmenter(BaseEstimator):
    """Cluster users on scaled features; k chosen within ``k_range`` by a stated criterion.

    Counts and money are ``log1p``-transformed, then standardised. ``'silhouette'`` runs
    k-means and keeps the k with the highest silhouette (on a sample of at most
    ``sample_size`` users); ``'bic'`` fits Gaussian mixtures and keeps the lowest BIC.

    Args:
        k_range: smallest and largest k tried (inclusive).
        criterion: ``'silhouette'`` or ``'bic'``.
        features: columns used (default: every numeric column not ending in ``_score``).
        sample_size: users used to score each k.
        seed: random state of the clustering and the sample.

    Attributes:
        k_: chosen k. labels_: segment per training row. scores_: criterion per k.
        features_: columns used. centers_: median of each feature per segment, in the
        original units. scaler_, model_: the fitted scaler and clustering model.
    """

    def __init__(
        self,
        *,
        k_range: tuple[int, int] = (2, 8),
        criterion: Criterion = "silhouette",
        features: Sequence[str] | None = None,
        sample_size: int = 5000,
        seed: int = 0,
    ) -> None:
        self.k_range = k_range
        self.criterion = criterion
        self.features = features
        self.sample_size = sample_size
        self.seed = seed

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        M = X[self.features_].to_numpy(dtype=float)
        M = np.where(np.isfinite(M), M, 0.0)
        return np.sign(M) * np.log1p(np.abs(M))

    def fit(self, X: pd.DataFrame) -> Segmenter:
        lo, hi = self.k_range
        if not 2 <= lo <= hi:
            raise ConfigError(
                f"Segmenter: k_range must satisfy 2 <= low <= high, got {self.k_range}"
            )
        if self.criterion not in ("silhouette", "bic"):
            raise ConfigError(
                f"Segmenter: criterion must be 'silhouette' or 'bic', got {self.criterion!r}"
            )
        cols = self.features or [
            c for c in X.columns
            if pd.api.types.is_numeric_dtype(X[c]) and not c.endswith(("_score", "_total"))
        ]  # fmt: skip
        missing = [c for c in cols if c not in X.columns]
        if missing or not cols:
            raise ConfigError(
                f"Segmenter: features {missing or cols} not usable (have: {list(X.columns)})"
            )
        self.features_ = list(cols)
        hi = min(hi, len(X) - 1)
        if hi < lo:
            raise ConfigError(f"Segmenter: {len(X)} rows are too few for k_range={self.k_range}")
        self.scaler_ = StandardScaler().fit(self._matrix(X))
        Z = self.scaler_.transform(self._matrix(X))
        rng = np.random.default_rng(self.seed)
        idx = rng.choice(len(Z), size=min(self.sample_size, len(Z)), replace=False)
        scores, models = {}, {}
        for k in range(lo, hi + 1):
            if self.criterion == "silhouette":
                m = KMeans(n_clusters=k, n_init=4, random_state=self.seed).fit(Z)
                lab = m.labels_[idx]
                scores[k] = silhouette_score(Z[idx], lab) if len(set(lab)) > 1 else -1.0
            else:
                m = GaussianMixture(n_components=k, covariance_type="full", random_state=self.seed)
                m.fit(Z)
                scores[k] = m.bic(Z)
            models[k] = m
        best = (max if self.criterion == "silhouette" else min)(scores, key=scores.__getitem__)
        self.k_ = int(best)
        self.model_ = models[best]
        self.scores_ = pd.Series(scores, name=self.criterion).rename_axis("k")
        self.labels_ = self.model_.predict(Z)
        self.centers_ = X[self.features_].groupby(self.labels_).median()
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment of each row of ``X``."""
        if not hasattr(self, "model_"):
            raise NotFittedError("Segmenter is not fitted yet: call fit(features) first")
        return self.model_.predict(self.scaler_.transform(self._matrix(X)))

    def fit_predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.fit(X).labels_
