"""A global gradient-boosting forecaster: one model across all series, lag/calendar/promo features.

Each series is divided by its mean (so one model serves slow and fast movers); features are
lags, rolling means, the series' log mean, the calendar fields whose whole cycle the history
covers (no month or week of the year on less than a year of data) and, when the data has them,
the promotion share, the price and a competitor's price (``competitor_price``) each relative to
the series' median of it and the event days of the period (the demand table's ``event_day``, a
calendar known in advance). The competitor's price is no plan of ours: its future values are its
last one known, held, whatever ``X_future`` says. A regressor the data
records only with a sale (see :func:`known_in_advance`) enters as its last value observed before
each period, and is carried forward from the cut-off whatever ``X_future`` says: its future
values would reveal the sales. Multi-step forecasts are recursive. Intervals are split-conformal
on errors pooled across series and steps: the model is refitted once with the last ``h`` periods
held out and the quantile of its scaled absolute errors, times each series' scale, gives the
(constant) half-width.

Example:
    >>> m = GlobalGBM(season_length=7, seed=0).fit(df)                   # doctest: +SKIP
    >>> m.predict(28, level=[80, 95], X_future=promo_calendar)           # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from opsai.data.schema import (
    COMPETITOR_PRICE,
    EVENT_DAY,
    ITEM_ID,
    PRICE,
    PROMO,
    QUANTITY,
    TIMESTAMP,
)
from opsai.errors import SchemaError
from opsai.forecast.base import Forecaster, conformal_halfwidths, positions

EXOG = (PROMO, PRICE, EVENT_DAY, COMPETITOR_PRICE)
"""Regressors read when the frame has them; ``EVENT_DAY`` (the event days of each period,
:func:`opsai.forecast.event_calendar`) is known in advance: a period ``X_future`` does not
give it counts as an ordinary one. ``COMPETITOR_PRICE`` is held at its last value known over the
forecast (and over each backtest window): nobody knows a competitor's coming prices."""
PRICES = (PRICE, COMPETITOR_PRICE)
"""Regressors read relative to each series' median of them (a price index, 1 at the usual)."""
CALENDAR = {"hour": (1, 24), "day_of_week": (7, 7), "day": (31, 31), "month": (365, 12),
            "week": (364, 53)}  # fmt: skip
"""Calendar features: ``name -> (days of history needed to see every value, cycle length)``;
the hour of the day only for series finer than days (hourly demand)."""


def known_in_advance(df: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """The regressors among ``columns`` that ``df`` records on periods without a sale too.

    Only such a regressor (a promotion calendar, a list price) can be planned for the future. One
    recorded only with a sale (the price of the day's transactions, missing otherwise) reveals
    whether a sale happened: fed its future values, a backtest would see that, and a forecast
    cannot. Only series that record the regressor at all are checked (an aggregate series has
    none); with no zero-sale periods there is nothing to reveal, and the regressor counts.
    """
    zero = df[QUANTITY].to_numpy(dtype=float) == 0
    out = []
    for c in columns:
        seen = df[c].notna()
        rows = zero & seen.groupby(df[ITEM_ID]).transform("any").to_numpy(dtype=bool)
        if bool(seen[rows].all()):
            out.append(c)
    return out


def _calendar_field(ts: pd.DatetimeIndex, name: str) -> np.ndarray:
    """One calendar field of :data:`CALENDAR` (only those used: ``isocalendar`` is slow)."""
    if name == "hour":
        return np.asarray(ts.hour.to_numpy())
    if name == "day_of_week":
        return np.asarray(ts.day_of_week.to_numpy())
    if name == "day":
        return np.asarray(ts.day.to_numpy())
    if name == "month":
        return np.asarray(ts.month.to_numpy())
    return np.asarray(ts.isocalendar().week.to_numpy(dtype=int))


def default_lags(season_length: int) -> list[int]:
    m = max(1, int(season_length))
    return sorted({1, 2, 3, m, 2 * m} - {0})


class GlobalModel(Forecaster):
    """Shared machinery of the global models: features, recursion, conformal bands, tuning.

    Subclasses set their parameters in ``__init__`` (at least ``season_length``, ``lags``,
    ``windows``, ``train_window``, ``tune_trials``, ``n_jobs``, ``alias``, ``seed``) and
    implement ``_estimator(params)`` (an object with ``fit(X, y)``/``predict(X)`` on scaled
    targets) and ``_space(trial)`` (the tuning search space).
    """

    season_length: int
    lags: Sequence[int] | None
    windows: Sequence[int] | None
    train_window: int | None
    tune_trials: int
    n_jobs: int | None
    seed: int

    def _estimator(self, params: dict[str, Any]) -> Any:
        raise NotImplementedError

    def _space(self, trial: Any) -> dict[str, Any]:
        raise NotImplementedError

    # ---- features ----------------------------------------------------------------------
    def _spec(self) -> tuple[list[int], list[int]]:
        m = max(1, int(self.season_length))
        lags = sorted({int(k) for k in (self.lags or default_lags(m))})
        windows = sorted({int(w) for w in (self.windows or (m, 4 * m))})
        return lags, windows

    def _block(self, y: np.ndarray, at: np.ndarray, scale: float) -> np.ndarray:
        """Lag and rolling features of positions ``at`` (predicting ``y[at]`` from ``y[:at]``)."""
        lags, windows = self._spec()
        z = y / scale
        cs = np.r_[0.0, np.cumsum(z)]
        cols = []
        for k in lags:
            idx = at - k
            cols.append(np.where(idx >= 0, z[np.clip(idx, 0, None)], np.nan))
        for w in windows:
            lo = np.clip(at - w, 0, None)
            n = at - lo
            with np.errstate(invalid="ignore", divide="ignore"):
                cols.append(np.where(n > 0, (cs[at] - cs[lo]) / n, np.nan))
        cols.append(np.full(len(at), np.log1p(scale)))
        return np.column_stack(cols)

    cyclic_calendar = False
    """Encode calendar fields as sine/cosine pairs (for models that cannot cut, e.g. networks)."""

    def _calendar_fields(self, ts: pd.Series) -> list[str]:
        """The calendar fields whose whole cycle the history covers (see :data:`CALENDAR`).

        A field seen over less than one cycle (month or week of the year on a few months of
        daily data) takes values at forecast time that training never showed: it acts as a
        time index, and a network extrapolates it (through its log link, exponentially).
        """
        u = pd.DatetimeIndex(np.sort(pd.to_datetime(ts).unique()))
        step = (u[1] - u[0]) if len(u) > 1 else pd.Timedelta(days=1)
        covered = (u[-1] - u[0] + step) / pd.Timedelta(days=1) if len(u) else 0.0
        finer = step < pd.Timedelta(days=1)
        return [
            n for n, (days, _) in CALENDAR.items() if covered >= days and (finer or n != "hour")
        ]

    def _calendar(self, ts: pd.DatetimeIndex) -> np.ndarray:
        fields = [(_calendar_field(ts, k), CALENDAR[k][1]) for k in self.calendar_]
        if not fields:
            return np.empty((len(ts), 0))
        if not self.cyclic_calendar:
            return np.column_stack([v for v, _ in fields]).astype(float)
        ang = [2 * np.pi * v / p for v, p in fields]
        return np.column_stack([f(a) for a in ang for f in (np.sin, np.cos)])

    def _past_exog(self, df: pd.DataFrame) -> np.ndarray:
        """Regressors of the history rows of ``df`` (every series at once): a known-in-advance
        one as recorded, one the data records only with a sale as its last value observed
        *before* each period (carried within each series only)."""
        ids = df[ITEM_ID]
        cols = []
        for c in self.exog_:
            v = df[c].astype(float)
            if c not in self.known_:
                v = v.groupby(ids, sort=False).ffill().groupby(ids, sort=False).shift(1)
            elif c in PRICES:
                v = v.groupby(ids, sort=False).ffill().groupby(ids, sort=False).bfill()
            cols.append(self._scaled(ids, c, v.to_numpy(dtype=float)))
        return np.column_stack(cols) if cols else np.empty((len(df), 0))

    def _future_exog(self, frame: pd.DataFrame) -> np.ndarray:
        """Regressors of the future rows ``frame`` (every series at once): a known-in-advance
        one from ``X_future`` (its price, where missing, carried forward from the history; its
        promotion 0), a competitor's price and any other as last observed up to the cut-off,
        whatever ``X_future`` says."""
        ids = frame[ITEM_ID]
        cols = []
        for c in self.exog_:
            if c in PRICES or c not in self.known_:
                last = {sid: v.get(c, np.nan) for sid, v in self.last_exog_.items()}
                carried = ids.map(last).to_numpy(dtype=float, na_value=np.nan)
            else:
                carried = np.full(len(frame), np.nan)
            if c in self.known_ and c in frame and c != COMPETITOR_PRICE:
                given = frame[c].to_numpy(dtype=float)
                carried = np.where(np.isnan(given), carried, given)
            cols.append(self._scaled(ids, c, carried))
        return np.column_stack(cols) if cols else np.empty((len(frame), 0))

    def _scaled(self, ids: pd.Series, c: str, v: np.ndarray) -> np.ndarray:
        """``v`` of the rows of series ``ids``: a price over the series' reference price."""
        if c in PRICES:
            ref = self.price_ref_ if c == PRICE else self.competitor_price_ref_
            v = v / ids.map(ref).to_numpy(dtype=float, na_value=1.0)
        return np.nan_to_num(v, nan=0.0 if c in (PROMO, EVENT_DAY) else 1.0)

    def _design(self, df: pd.DataFrame, skip: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        # calendar and regressors of every row at once (per series they cost more than the fit)
        cal = self._calendar(pd.DatetimeIndex(df[TIMESTAMP].to_numpy()))
        exog = self._past_exog(df)
        xs, ys, ws = [], [], []
        for sid, pos in positions(df[ITEM_ID]):
            y = self.y_[sid]
            first = (
                skip if self.train_window is None else max(skip, len(y) - int(self.train_window))
            )
            at = np.arange(first, len(y))
            if len(at) == 0:
                continue
            sc = self.scale_[sid]
            x = np.hstack([self._block(y, at, sc), cal[pos[at]], exog[pos[at]]])
            xs.append(x)
            ys.append(y[at] / sc)
            ws.append(np.full(len(at), sc))
        return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)

    # ---- fit / predict -------------------------------------------------------------------
    def _fit(self, df: pd.DataFrame) -> None:
        if (df[QUANTITY] < 0).any():  # a net return is no negative demand (and stops Poisson)
            df = df.assign(**{QUANTITY: df[QUANTITY].clip(lower=0.0)})
            self.y_ = {sid: np.clip(y, 0.0, None) for sid, y in self.y_.items()}
        with threadpool_limits(limits=self.n_jobs):
            self._fit_limited(df)

    def _fit_limited(self, df: pd.DataFrame) -> None:
        self.exog_ = [c for c in EXOG if c in df.columns]
        self.known_ = known_in_advance(df, self.exog_)
        last = df[self.exog_].astype(float).groupby(df[ITEM_ID], sort=False).last()
        self.last_exog_ = {
            sid: {c: float(last.at[sid, c]) for c in self.exog_} for sid in self.ids_
        }
        self.calendar_ = self._calendar_fields(df[TIMESTAMP])
        self.history_ = df
        self.price_ref_, self.competitor_price_ref_ = (  # medians per series: price indices
            df.groupby(ITEM_ID)[c].median().replace(0, np.nan).fillna(1.0).to_dict()
            if c in df
            else {}
            for c in PRICES
        )
        self.scale_ = {sid: max(float(np.mean(y)), 1e-3) for sid, y in self.y_.items()}
        self.best_params_: dict[str, Any] = {}
        if self.tune_trials > 0:
            self.best_params_ = self._tune(df)
        X, y, _ = self._design(df, skip=1)
        # a lag longer than the history is all missing: drop such columns (here and in predict)
        self.keep_ = ~np.all(np.isnan(X), axis=0)
        self.ymax_ = 2.0 * float(np.max(y)) if len(y) else 1.0
        self.model_ = self._estimator(self.best_params_).fit(X[:, self.keep_], y)
        self._calib: dict[int, np.ndarray] = {}
        self._calib_ids: dict[int, list[Any]] = {}  # the series of each row of _calib[h]

    def _tune(self, df: pd.DataFrame) -> dict[str, Any]:
        from opsai.forecast.metrics import wape
        from opsai.optimize import tune

        hold = 2 * max(1, int(self.season_length))
        train = df.groupby(ITEM_ID, sort=False).head(-hold) if hold else df
        test = df.groupby(ITEM_ID, sort=False).tail(hold)

        def objective(trial: Any) -> float:
            params = self._space(trial)
            m = self._clone(params).fit(train, freq=self.freq_)
            f = m.predict(hold, X_future=test)
            return wape(test[QUANTITY].to_numpy(), f[m.name].to_numpy())

        study = tune(objective, n_trials=self.tune_trials, direction="minimize", seed=self.seed)
        return dict(study.best_params)

    def _clone(self, params: dict[str, Any]) -> GlobalModel:
        kw = {k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")}
        kw.update(params)
        kw["tune_trials"] = 0
        return type(self)(**kw)

    def _recursive(self, h: int, X_future: pd.DataFrame | None) -> dict[Any, np.ndarray]:
        """Forecast every series ``h`` steps ahead, one step at a time, all series at once.

        The histories sit right-aligned in one zero-padded matrix (a padded zero adds nothing
        to the running sums), so each step's lags and rolling means are a few array operations
        whatever the number of series; their values are those of :meth:`_block`.
        """
        fut = self.future_index(h)
        if X_future is not None and self.known_:
            keep = [c for c in self.known_ if c in X_future]
            xf = X_future.assign(**{ITEM_ID: X_future[ITEM_ID].astype(str)})
            xf = xf.assign(**{TIMESTAMP: pd.to_datetime(xf[TIMESTAMP])})
            fut = fut.merge(xf[[ITEM_ID, TIMESTAMP, *keep]], on=[ITEM_ID, TIMESTAMP], how="left")
        n_series = len(self.ids_)
        if len(fut) != n_series * h:
            raise SchemaError(
                f"{self.name}: X_future holds a series' period more than once; give one row per "
                f"{ITEM_ID} and {TIMESTAMP}"
            )
        cal = self._calendar(pd.DatetimeIndex(fut[TIMESTAMP].to_numpy()))
        ex = self._future_exog(fut)
        known = np.hstack([cal, ex]).reshape(n_series, h, cal.shape[1] + ex.shape[1])
        lags, windows = self._spec()
        n = np.array([len(self.y_[sid]) for sid in self.ids_])
        scale = np.array([self.scale_[sid] for sid in self.ids_])
        size = np.array([np.log1p(self.scale_[sid]) for sid in self.ids_])
        width = int(n.max())
        start = width - n  # column of each series' first value
        ext = np.zeros((n_series, width + h))
        for i, sid in enumerate(self.ids_):
            ext[i, start[i] : width] = self.y_[sid]
        rows = np.arange(n_series)
        for j in range(h):
            col, at = width + j, n + j  # the step's column; its position in each series
            z = ext[:, :col] / scale[:, None]
            cs = np.zeros((n_series, col + 1))
            np.cumsum(z, axis=1, out=cs[:, 1:])
            feats = []
            for k in lags:
                feats.append(np.where(at - k >= 0, z[:, max(col - k, 0)], np.nan))
            for w in windows:
                lo = np.clip(at - w, 0, None)
                cnt = at - lo
                with np.errstate(invalid="ignore", divide="ignore"):
                    feats.append(
                        np.where(cnt > 0, (cs[:, col] - cs[rows, start + lo]) / cnt, np.nan)
                    )
            X = np.hstack([np.column_stack([*feats, size]), known[:, j]])
            # clipped to twice the largest scaled value seen: recursion cannot run away
            pred = np.clip(self.model_.predict(X[:, self.keep_]), 0.0, self.ymax_)
            ext[:, col] = pred * scale
        return {sid: ext[i, width:] for i, sid in enumerate(self.ids_)}

    def _predict(
        self, h: int, level: list[int], X_future: pd.DataFrame | None
    ) -> tuple[dict[Any, np.ndarray], dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]]]:
        with threadpool_limits(limits=self.n_jobs):
            point = self._recursive(h, X_future)
            scores = self._scores(h) if level else None
        bands: dict[Any, dict[int, tuple[np.ndarray, np.ndarray]]] = {}
        if scores is not None:
            w = self._halfwidths(h, scores, level)
            for sid in self.ids_:
                bands[sid] = {
                    lv: (point[sid] - w[sid][lv], point[sid] + w[sid][lv]) for lv in level
                }
        return point, bands

    def _halfwidths(
        self, h: int, scores: np.ndarray, level: list[int]
    ) -> dict[Any, dict[int, float]]:
        """Each series' half-width per level: the pooled conformal quantile of errors
        normalised by their own series' error size, times that size (normalised conformal).

        Errors are pooled over series and steps, each divided by the mean absolute error of
        its series' other held-out periods (leave one out, so a score is out of sample as a
        future error is), and the band of a series is that quantile times its own mean absolute
        error. Pooling errors scaled by the series' mean demand instead gave every series the
        relative error of the worst ones: a closed department's misses (116% of its mean)
        filled the top 5% of 273 scores, and the chain total, forecast within 2%, got a 95%
        band of +-126% of its level. A series without held-out errors (too short) or with none
        above 0 takes the median error size of the others.
        """
        ids = self._calib_ids.get(h)
        if ids is None:  # in-sample one-step errors only: one pool, scaled by each series' mean
            pooled = conformal_halfwidths(scores.reshape(-1, 1), level)
            return {
                sid: {lv: float(pooled[lv][0]) * self.scale_[sid] for lv in level}
                for sid in self.ids_
            }
        n = np.sum(~np.isnan(scores), axis=1)
        total = np.nansum(scores, axis=1)
        own = np.where(n > 0, total / np.maximum(n, 1), np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            rest = (total[:, None] - scores) / (n[:, None] - 1)
            u = np.where(rest > 0, scores / rest, np.nan)
        u = u[np.isfinite(u)]
        if u.size == 0:  # every held-out error 0: nothing to normalise by
            pooled = conformal_halfwidths(
                scores.reshape(-1, 1)[~np.isnan(scores).reshape(-1)], level
            )
            return {
                sid: {lv: float(pooled[lv][0]) * self.scale_[sid] for lv in level}
                for sid in self.ids_
            }
        q = {lv: float(v[0]) for lv, v in conformal_halfwidths(u.reshape(-1, 1), level).items()}
        size = dict(zip(ids, own, strict=True))
        typical = float(np.nanmedian(own[own > 0])) if np.any(own > 0) else 0.0
        out = {}
        for sid in self.ids_:
            d = size.get(sid, np.nan)
            d = d if np.isfinite(d) and d > 0 else typical
            out[sid] = {lv: q[lv] * d * self.scale_[sid] for lv in level}
        return out

    def _scores(self, h: int) -> np.ndarray:
        """Scaled absolute errors ``(n_series, h)`` of a refit with the last ``h`` held out
        (in-sample one-step errors when no series is long enough to hold ``h`` out)."""
        if h not in self._calib:
            df = self.history_
            train = df.groupby(ITEM_ID, sort=False).head(-h)
            test = df.groupby(ITEM_ID, sort=False).tail(h)
            ok = train.groupby(ITEM_ID).size() >= max(8, h)
            train = train[train[ITEM_ID].isin(ok[ok].index)]
            if train.empty:
                X, y, _ = self._design(df, skip=1)
                err = np.abs(y - self.model_.predict(X[:, self.keep_]))
                self._calib[h] = err.reshape(-1, 1)
                self._calib_ids.pop(h, None)
                return self._calib[h]
            m = self._clone(self.best_params_).fit(train, freq=self.freq_)
            f = m.predict(h, X_future=test).merge(test, on=[ITEM_ID, TIMESTAMP])
            f["e"] = (f[QUANTITY] - f[m.name]).abs() / f[ITEM_ID].map(self.scale_)
            f["step"] = f.groupby(ITEM_ID).cumcount()
            wide = f.pivot(index=ITEM_ID, columns="step", values="e")
            self._calib[h], self._calib_ids[h] = wide.to_numpy(), list(wide.index)
        return self._calib[h]


class GlobalGBM(GlobalModel):
    """scikit-learn ``HistGradientBoostingRegressor`` over all series at once.

    Args:
        season_length: ``m``; sets the default lags ``1, 2, 3, m, 2m`` and rolling windows.
        lags: lags to use instead of the default.
        windows: rolling-mean windows (default ``m`` and ``4m``).
        loss: ``poisson`` (counts; default) or ``squared_error``.
        learning_rate: boosting step.
        max_iter: number of trees.
        max_leaf_nodes: tree size.
        min_samples_leaf: smallest leaf.
        l2_regularization: leaf-weight penalty.
        train_window: train on the last ``train_window`` periods of each series only (faster
            on long daily histories); ``None`` uses all.
        tune_trials: when > 0, tune the four hyper-parameters above with
            :func:`opsai.optimize.tune` on the last ``2m`` periods before fitting.
        n_jobs: OpenMP threads for the trees (1 avoids oversubscribing shared cores).
        alias: column name in predictions.
        seed: random seed (tuning sampler and the estimator).
    """

    def __init__(
        self,
        *,
        season_length: int = 7,
        lags: Sequence[int] | None = None,
        windows: Sequence[int] | None = None,
        loss: Literal["poisson", "squared_error"] = "poisson",
        learning_rate: float = 0.05,
        max_iter: int = 200,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        train_window: int | None = None,
        tune_trials: int = 0,
        n_jobs: int | None = 1,
        alias: str | None = None,
        seed: int = 0,
    ) -> None:
        self.season_length = season_length
        self.lags = lags
        self.windows = windows
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.train_window = train_window
        self.tune_trials = tune_trials
        self.n_jobs = n_jobs
        self.alias = alias
        self.seed = seed

    def _estimator(self, params: dict[str, Any]) -> Any:
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(
            loss=self.loss,
            learning_rate=params.get("learning_rate", self.learning_rate),
            max_iter=int(params.get("max_iter", self.max_iter)),
            max_leaf_nodes=int(params.get("max_leaf_nodes", self.max_leaf_nodes)),
            min_samples_leaf=int(params.get("min_samples_leaf", self.min_samples_leaf)),
            l2_regularization=params.get("l2_regularization", self.l2_regularization),
            early_stopping=False,
            random_state=self.seed,
        )

    def _space(self, trial: Any) -> dict[str, Any]:
        return {
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
            "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 7, 63, log=True),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 5, 100, log=True),
            "l2_regularization": trial.suggest_float("l2_regularization", 1e-4, 10, log=True),
        }
