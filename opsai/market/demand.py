"""Logit and nested-logit demand on market shares (Berry 1994 inversion, OLS or 2SLS).

Mean utilities are recovered from shares, ``ln(s_j) - ln(s_0) = x_j b + a p_j + rho ln(s_j|g)
+ xi_j``, and the linear model is estimated by OLS or, with instruments for the endogenous
price (and within-nest share), by 2SLS. Own and cross elasticities follow in closed form.
When the data has no outside good (shares of a closed market summing to one per period),
period fixed effects absorb ``ln(s_0)`` and elasticities are those of the inside shares.

Checked against ``pyblp`` on the BLP automobile data in ``benchmarks/market_blp.py``.

Example:
    >>> model = LogitDemand(characteristics=["hpwt", "air", "mpd", "space"],
    ...                     instruments="blp", col_firm="company").fit(cars)  # doctest: +SKIP
    >>> round(model.mean_own_elasticity_, 2)                              # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.errors import OpsaiError, SchemaError
from opsai.market._frame import as_frame, check_choice, positive
from opsai.market._linear import SEType, fit_linear
from opsai.market.pricing import _check_fitted, _summary, blp_instruments

__all__ = ["SHARE_SLACK", "LogitDemand", "nested_shares"]

SHARE_SLACK = 0.01
"""How far a period's shares may add up above one (rounded shares of an export) before the
demand model refuses them."""


def nested_shares(delta: np.ndarray, rho: float, nests: np.ndarray, *, outside: bool) -> np.ndarray:
    """Shares of one market from mean utilities ``delta`` under a nested logit with ``rho``.

    ``rho = 0`` with one nest per product is the plain logit. With ``outside=False`` the
    shares are those of a closed market (they sum to one).
    """
    codes = np.unique(nests, return_inverse=True)[1]
    scaled = delta / (1.0 - rho)
    top = scaled.max()
    ev = np.exp(scaled - top)
    d = np.bincount(codes, weights=ev)
    within = ev / d[codes]
    # D_g^(1-rho), rescaled by exp(-top (1-rho)) so the outside good's 1 must be rescaled too
    dg = d ** (1.0 - rho)
    denom = dg.sum() + (np.exp(-top * (1.0 - rho)) if outside else 0.0)
    return within * (dg / denom)[codes]


class LogitDemand:
    """Plain or nested logit demand on market shares.

    Args:
        col_period: the market (period) column.
        col_product: the product column; the company when each company is one product.
        col_share: share of the product in its market (of all potential buyers when there is
            an outside good, else of the market's sales).
        col_price: price column.
        characteristics: exogenous product characteristics entered as they are.
        log_characteristics: positive characteristics entered in logs (e.g. marketing spend).
        price: ``"level"`` (``a * p``, as BLP) or ``"log"`` (``a * ln p``).
        instruments: ``None`` for OLS, ``"blp"`` for :func:`blp_instruments` of the
            characteristics, or a list of excluded-instrument columns.
        col_firm: owner of each product, for the BLP instruments (default ``col_product``).
        nest: a column grouping products into nests for the nested logit, or None.
        fixed_effects: columns whose levels are absorbed (e.g. the product).
        outside: ``"share"`` (``s_0 = 1 - sum of shares``), ``"none"`` (period fixed effects)
            or ``"auto"`` (``"share"`` when every period's shares sum below one).
        se_type: ``"robust"`` (HC0, as pyblp), ``"unadjusted"`` or ``"clustered"``.
        cluster: cluster column for ``se_type="clustered"``.
        level: confidence level of the intervals.

    Rows with a missing value in a column the model uses (a company-period without a price)
    are left out of the fit; ``left_out_`` lists their period and product. With period fixed
    effects (``outside="none"``) this leaves the others' share ratios, and so the estimates,
    as they are.
    """

    def __init__(
        self,
        *,
        col_period: str = S.PERIOD,
        col_product: str = S.COMPANY,
        col_share: str = S.SHARE,
        col_price: str = S.PRICE,
        characteristics: Sequence[str] = (),
        log_characteristics: Sequence[str] = (),
        price: Literal["level", "log"] = "level",
        instruments: Sequence[str] | Literal["blp"] | None = None,
        col_firm: str | None = None,
        nest: str | None = None,
        fixed_effects: Sequence[str] = (),
        outside: Literal["auto", "share", "none"] = "auto",
        se_type: SEType = "robust",
        cluster: str | None = None,
        level: float = 0.95,
    ) -> None:
        self.col_period = col_period
        self.col_product = col_product
        self.col_share = col_share
        self.col_price = col_price
        self.characteristics = characteristics
        self.log_characteristics = log_characteristics
        self.price = price
        self.instruments = instruments
        self.col_firm = col_firm
        self.nest = nest
        self.fixed_effects = fixed_effects
        self.outside = outside
        self.se_type = se_type
        self.cluster = cluster
        self.level = level

    # ---- fitting ---------------------------------------------------------------------------
    def fit(self, frame: Any, *, table: str = "market") -> LogitDemand:
        """Invert shares and estimate the linear model on ``frame`` (DataFrame or Ibis)."""
        check_choice(self.price, "price", ("level", "log"))
        check_choice(self.outside, "outside", ("auto", "share", "none"))
        firm = self.col_firm or self.col_product
        iv = self.instruments
        extra = [] if iv is None or iv == "blp" else list(iv)
        used = [self.col_period, self.col_product, self.col_share, self.col_price, firm]
        used += [*self.characteristics, *self.log_characteristics, *self.fixed_effects, *extra]
        used += [c for c in (self.nest, self.cluster) if c]
        used = list(dict.fromkeys(used))
        df = as_frame(frame, used, table=table)
        missing = df[used].isna().any(axis=1)
        self.left_out_ = df.loc[missing, [self.col_period, self.col_product]].reset_index(drop=True)
        df = df.loc[~missing, used].reset_index(drop=True)
        self._check_one_row_each(df, table)
        share = positive(df[self.col_share], column=self.col_share, table=table)
        price = positive(df[self.col_price], column=self.col_price, table=table)
        period = df[self.col_period].to_numpy()
        total = pd.Series(share).groupby(period).transform("sum").to_numpy()
        outside = self.outside
        if outside == "auto":
            outside = "share" if total.max() < 1.0 - 1e-6 else "none"
        if outside == "share":
            s0 = 1.0 - total
            if (s0 <= 0).any():
                raise SchemaError(
                    f"{table}: shares in column {self.col_share!r} sum to >= 1 in some period, so "
                    "there is no outside good; pass outside='none' (period fixed effects)"
                )
            y = np.log(share) - np.log(s0)
        else:
            if total.max() > 1.0 + SHARE_SLACK:
                at = period[int(np.argmax(total))]
                raise SchemaError(
                    f"{table}: shares in column {self.col_share!r} add up to {total.max():.1%} in "
                    f"period {at} (at most 100% of a market can be sold). Give shares of the "
                    "period's whole market, or leave the share column unmapped so that shares "
                    "are computed from sales"
                )
            y = np.log(share)
        nests = df[self.nest].to_numpy() if self.nest else df.index.to_numpy()
        within = share / pd.Series(share).groupby([period, nests]).transform("sum").to_numpy()
        x_price = price if self.price == "level" else np.log(price)
        endog = [x_price] + ([np.log(within)] if self.nest else [])
        names = [f"log({self.col_price})" if self.price == "log" else self.col_price]
        names += ["rho"] if self.nest else []
        ex_names = [*self.characteristics, *(f"log({c})" for c in self.log_characteristics)]
        ex_cols = [df[c].to_numpy(float) for c in self.characteristics]
        ex_cols += [
            np.log(positive(df[c], column=c, table=table)) for c in self.log_characteristics
        ]
        fe = list(self.fixed_effects)
        if outside == "none" and self.col_period not in fe:
            fe.append(self.col_period)
        groups = [df[c].to_numpy() for c in fe]
        if not groups:
            ex_names, ex_cols = ["const", *ex_names], [np.ones(len(df)), *ex_cols]
        exog = np.column_stack(ex_cols) if ex_cols else np.zeros((len(df), 0))
        z = self._instruments(df, firm, extra)
        fit = fit_linear(
            y,
            exog,
            np.column_stack(endog),
            z,
            groups=groups,
            se_type=self.se_type,
            clusters=df[self.cluster].to_numpy() if self.cluster else None,
        )
        self.fit_ = fit
        self.outside_ = outside
        self.coef_ = pd.Series(fit.coef, index=[*names, *ex_names])
        self.se_ = pd.Series(fit.se, index=self.coef_.index)
        self.alpha_ = float(fit.coef[0])
        self.alpha_se_ = float(fit.se[0])
        self.rho_ = float(fit.coef[1]) if self.nest else 0.0
        self.rho_se_ = float(fit.se[1]) if self.nest else 0.0
        if self.nest and not 0.0 <= self.rho_ < 1.0:
            self.warning_ = f"rho = {self.rho_:.3f} is outside [0, 1): not a valid nested logit"
        self.first_stage_f_ = fit.first_stage_f
        self.data_ = pd.DataFrame(
            {
                "period": period,
                "product": df[self.col_product].to_numpy(),
                "firm": df[firm].to_numpy(),
                "nest": nests,
                "share": share,
                "within": within,
                "price": price,
                "y": y,
            }
        )
        for c in (*self.characteristics, *self.log_characteristics):
            self.data_[f"x:{c}"] = df[c].to_numpy(float)
        self.own_elasticities_ = self._own(self.alpha_, self.rho_)
        self.mean_own_elasticity_ = float(self.own_elasticities_.mean())
        self.n_inelastic_ = int((self.own_elasticities_.abs() < 1).sum())
        return self

    def _check_one_row_each(self, df: pd.DataFrame, table: str) -> None:
        """Raise when a product has several rows in one period (regions, channels, stores):
        the logit reads each row as a product of its own, so its share would count twice."""
        dup = df.duplicated([self.col_period, self.col_product], keep=False)
        if not dup.any():
            return
        first = df.loc[dup].iloc[0]
        same = (df[self.col_period] == first[self.col_period]) & (
            df[self.col_product] == first[self.col_product]
        )
        n = int(same.sum())
        raise SchemaError(
            f"{table}: {self.col_product!r} {first[self.col_product]!r} has {n} rows in "
            f"{self.col_period!r} {first[self.col_period]} (and {int(dup.sum())} such rows in "
            "all): the demand model needs one row per product and period. Combine them first "
            "(opsai.market.chapter.aggregate_companies sums sales and shares and weights the "
            "price by units) or name a product column that tells the rows apart"
        )

    def _instruments(self, df: pd.DataFrame, firm: str, extra: list[str]) -> np.ndarray | None:
        if self.instruments is None:
            return None
        if self.instruments == "blp":
            chars = [*self.characteristics, *self.log_characteristics]
            if not chars:
                raise OpsaiError(
                    "instruments='blp' needs characteristics to sum over rivals' products: "
                    "pass characteristics=[...] or a list of instrument columns"
                )
            z = blp_instruments(
                df, chars, col_period=self.col_period, col_firm=firm, col_nest=self.nest
            )
            return z.to_numpy(float)
        return df[extra].to_numpy(float)

    # ---- results ---------------------------------------------------------------------------
    def _own(self, alpha: float, rho: float) -> pd.Series:
        d = self.data_
        scale = alpha * (d["price"] if self.price == "level" else 1.0)
        own = scale * (1 / (1 - rho) - rho / (1 - rho) * d["within"] - d["share"])
        return pd.Series(own.to_numpy(), name="own_elasticity")

    def summary(self) -> pd.DataFrame:
        """One row per term: coefficient, standard error and interval."""
        _check_fitted(self, "fit_")
        return _summary(self.fit_, list(self.coef_.index), self.level)

    def elasticities(self) -> pd.DataFrame:
        """Per product and period: price, share and own-price elasticity."""
        _check_fitted(self, "fit_")
        d = self.data_[["period", "product", "price", "share"]].copy()
        d["own_elasticity"] = self.own_elasticities_.to_numpy()
        return d

    def elasticity_matrix(self, period: Any = None) -> pd.DataFrame:
        """Matrix of ``d ln s_j / d ln p_k`` for one period (default the last).

        Rows are the product whose share responds (j), columns the product whose price
        changes (k).
        """
        _check_fitted(self, "fit_")
        d = self.data_
        period = d["period"].max() if period is None else period
        m = d[d["period"] == period]
        if m.empty:
            raise OpsaiError(f"period {period!r} not in the fitted data")
        a, r = self.alpha_, self.rho_
        scale = a * (m["price"].to_numpy() if self.price == "level" else np.ones(len(m)))
        s, w, g = m["share"].to_numpy(), m["within"].to_numpy(), m["nest"].to_numpy()
        same = g[:, None] == g[None, :]
        cross = -scale[None, :] * (s[None, :] + same * (r / (1 - r)) * w[None, :])
        own = scale * (1 / (1 - r) - r / (1 - r) * w - s)
        np.fill_diagonal(cross, own)
        names = m["product"].astype(str).to_numpy()
        return pd.DataFrame(cross, index=pd.Index(names, name="share_of"), columns=names)
