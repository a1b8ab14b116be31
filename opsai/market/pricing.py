"""Price response from aggregate sales: log-log elasticity regressions and BLP instruments.

* :class:`LogLogElasticity` regresses log quantity on log price with controls and fixed
  effects: the price coefficient *is* the elasticity. Use it on our own sales series (the
  ``demand`` table, or :func:`company_panel` of the ``market`` table) when only aggregate
  sales exist. It follows the scikit-learn contract (``fit`` returns ``self``, results end
  in ``_``) and accepts excluded instruments for price.
* :func:`blp_instruments` builds BLP (1995) instruments for the discrete-choice model in
  :mod:`opsai.market.demand`.

Example:
    >>> weekly = demand_table.groupby(["item_id", "week"], as_index=False).agg(...)  # doctest: +SKIP
    >>> m = LogLogElasticity(controls=["promo"], fixed_effects=["item_id"]).fit(weekly)  # doctest: +SKIP
    >>> m.reading()                                                    # doctest: +SKIP
    'A 10% price cut raises units sold by 19.6% (95% interval +17.9% to +21.3%); ...'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.errors import NotFittedError, OpsaiError
from opsai.market._frame import as_frame, check_choice, positive, priced
from opsai.market._linear import LinearFit, SEType, fit_linear

__all__ = ["LogLogElasticity", "blp_instruments", "company_panel", "percent_effect"]


def percent_effect(elasticity: float, price_change: float) -> float:
    """Relative quantity change implied by a constant elasticity: ``(1 + dp)^e - 1``."""
    return float((1.0 + price_change) ** elasticity - 1.0)


def _check_fitted(model: Any, attr: str) -> None:
    if not hasattr(model, attr):
        raise NotFittedError(
            f"This {type(model).__name__} is not fitted yet: call fit(...) before using it"
        )


def _summary(fit: LinearFit, names: list[str], level: float) -> pd.DataFrame:
    ci = fit.conf_int(level)
    return pd.DataFrame(
        {"term": names, "coef": fit.coef, "se": fit.se, "lo": ci[:, 0], "hi": ci[:, 1]}
    )


class LogLogElasticity:
    """Constant-elasticity demand: ``ln q = e ln p + c ln p_c + controls + fixed effects + u``.

    Args:
        col_quantity: quantity column (units; see ``quantity_is``).
        col_price: price column.
        col_cross_price: a competitor's price of the same good (the demand table's
            ``competitor_price``), entered in logs: its coefficient ``c`` is the cross-price
            elasticity (``cross_elasticity_``; positive: they are substitutes, our units fall
            when the competitor cuts). ``None``: no cross term.
        controls: columns entered as they are (promo flags, trend, temperature, ...).
        log_controls: positive columns entered in logs (marketing spend, competitor price).
        fixed_effects: columns whose levels are absorbed (item, store, month of year, ...).
        instruments: excluded instruments for price (cost shifters); empty means OLS.
        quantity_is: ``"revenue"`` when the column is money, so ``ln q = ln R - ln p``.
        se_type: ``"robust"`` (HC0), ``"unadjusted"`` or ``"clustered"`` (by ``cluster``).
        cluster: the cluster column for ``se_type="clustered"``.
        level: confidence level of the intervals.

    Rows with a missing value or a quantity <= 0 are dropped (counted in ``n_dropped_``): the
    elasticity is conditional on selling. Aggregate sparse daily series to weeks first.
    """

    def __init__(
        self,
        *,
        col_quantity: str = S.QUANTITY,
        col_price: str = S.PRICE,
        col_cross_price: str | None = None,
        controls: Sequence[str] = (),
        log_controls: Sequence[str] = (),
        fixed_effects: Sequence[str] = (),
        instruments: Sequence[str] = (),
        quantity_is: Literal["units", "revenue"] = "units",
        se_type: SEType = "robust",
        cluster: str | None = None,
        level: float = 0.95,
    ) -> None:
        self.col_quantity = col_quantity
        self.col_price = col_price
        self.col_cross_price = col_cross_price
        self.controls = controls
        self.log_controls = log_controls
        self.fixed_effects = fixed_effects
        self.instruments = instruments
        self.quantity_is = quantity_is
        self.se_type = se_type
        self.cluster = cluster
        self.level = level

    def fit(self, frame: Any, *, table: str = "demand") -> LogLogElasticity:
        """Estimate the elasticity from ``frame`` (a DataFrame or an Ibis table)."""
        check_choice(self.quantity_is, "quantity_is", ("units", "revenue"))
        cross = [self.col_cross_price] if self.col_cross_price else []
        logs = [*cross, *self.log_controls]
        used = [self.col_quantity, self.col_price, *self.controls, *logs]
        used += [*self.fixed_effects, *self.instruments]
        used += [self.cluster] if self.cluster else []
        used = list(dict.fromkeys(used))
        df = as_frame(frame, used, table=table)
        keep = df[used].notna().all(axis=1) & (df[self.col_quantity] > 0)
        self.n_dropped_ = int((~keep).sum())
        df = df.loc[keep].reset_index(drop=True)
        if len(df) < 3:
            raise OpsaiError(
                f"{table}: only {len(df)} usable row(s) with {self.col_quantity!r} > 0 and no "
                "missing values; need more observations to estimate an elasticity"
            )
        lp = np.log(positive(df[self.col_price], column=self.col_price, table=table))
        lq = np.log(df[self.col_quantity].to_numpy(float))
        if self.quantity_is == "revenue":
            lq = lq - lp
        names = [*self.controls, *(f"log({c})" for c in logs)]
        cols = [df[c].to_numpy(float) for c in self.controls]
        cols += [np.log(positive(df[c], column=c, table=table)) for c in logs]
        groups = [df[c].to_numpy() for c in self.fixed_effects]
        if not groups:
            names, cols = ["const", *names], [np.ones(len(df)), *cols]
        exog = np.column_stack(cols) if cols else np.zeros((len(df), 0))
        z = df[list(self.instruments)].to_numpy(float) if self.instruments else None
        fit = fit_linear(
            lq,
            exog,
            lp[:, None],
            z,
            groups=groups,
            se_type=self.se_type,
            clusters=df[self.cluster].to_numpy() if self.cluster else None,
        )
        self.fit_ = fit
        self.coef_ = pd.Series(fit.coef, index=[f"log({self.col_price})", *names])
        self.se_ = pd.Series(fit.se, index=self.coef_.index)
        self.elasticity_ = float(fit.coef[0])
        self.elasticity_se_ = float(fit.se[0])
        lo, hi = fit.conf_int(self.level)[0]
        self.conf_int_ = (float(lo), float(hi))
        self.n_obs_ = fit.n_obs
        if cross:  # the competitor's price: its coefficient, error and interval
            at = list(self.coef_.index).index(f"log({cross[0]})")
            self.cross_elasticity_ = float(fit.coef[at])
            self.cross_elasticity_se_ = float(fit.se[at])
            lo, hi = fit.conf_int(self.level)[at]
            self.cross_conf_int_ = (float(lo), float(hi))
        return self

    def summary(self) -> pd.DataFrame:
        """One row per term: coefficient, standard error and interval."""
        _check_fitted(self, "fit_")
        return _summary(self.fit_, list(self.coef_.index), self.level)

    def effect(self, price_change: float, *, cross: bool = False) -> dict[str, float]:
        """Expected relative quantity change (and interval) for a relative price change: of
        our price, or with ``cross`` of the competitor's (``col_cross_price``)."""
        _check_fitted(self, "fit_")
        if cross and not hasattr(self, "cross_elasticity_"):
            raise OpsaiError(
                f"{type(self).__name__}: fitted without a cross-price term; set "
                "col_cross_price (e.g. 'competitor_price') and fit again"
            )
        e, ci = (
            (self.cross_elasticity_, self.cross_conf_int_)
            if cross
            else (self.elasticity_, self.conf_int_)
        )
        vals = sorted(percent_effect(b, price_change) for b in ci)
        return {
            "price_change": price_change,
            "quantity_change": percent_effect(e, price_change),
            "lo": vals[0],
            "hi": vals[1],
        }

    def cross_reading(
        self, price_change: float = -0.10, *, what: str = "our units", who: str = "the competitor"
    ) -> str:
        """'When the competitor cuts its price by 10%, our units fall about 4.1% (...)'."""
        eff = self.effect(price_change, cross=True)
        verb = "cuts" if price_change < 0 else "raises"
        move = "rise" if eff["quantity_change"] >= 0 else "fall"
        return (
            f"When {who} {verb} its price by {abs(100 * price_change):.0f}%, {what} {move} about "
            f"{abs(100 * eff['quantity_change']):.1f}% ({100 * self.level:.0f}% interval "
            f"{100 * eff['lo']:+.1f}% to {100 * eff['hi']:+.1f}%); cross-price elasticity "
            f"{self.cross_elasticity_:.2f} ± {self.cross_elasticity_se_:.2f} (n={self.n_obs_:,})."
        )

    def reading(self, price_change: float = -0.10, *, what: str = "units sold") -> str:
        """A plain-language sentence, e.g. 'a 10% price cut raises units sold by 21% (...)'."""
        eff = self.effect(price_change)
        verb = "cut" if price_change < 0 else "rise"
        move = "raises" if eff["quantity_change"] >= 0 else "lowers"
        return (
            f"A {abs(100 * price_change):.0f}% price {verb} {move} {what} by "
            f"{abs(100 * eff['quantity_change']):.1f}% ({100 * self.level:.0f}% interval "
            f"{100 * eff['lo']:+.1f}% to {100 * eff['hi']:+.1f}%); elasticity "
            f"{self.elasticity_:.2f} ± {self.elasticity_se_:.2f} (n={self.n_obs_:,})."
        )


def blp_instruments(
    frame: Any,
    characteristics: Sequence[str],
    *,
    col_period: str = S.PERIOD,
    col_firm: str = S.COMPANY,
    col_nest: str | None = None,
) -> pd.DataFrame:
    """BLP (1995) instruments: sums of characteristics over the firm's other products and over
    rivals' products in the same market (``pyblp.build_blp_instruments`` does the same).

    A count of products (the constant's sum) comes first in each group. With ``col_nest`` the
    sums over other products of the same nest are added (the usual nested-logit instruments).
    Columns that are zero or constant throughout are dropped.

    Returns:
        A frame aligned with ``frame``'s rows, columns ``own_*``, ``rival_*`` (and ``nest_*``).
    """
    used = [col_period, col_firm, *characteristics] + ([col_nest] if col_nest else [])
    df = as_frame(frame, used)
    x = df[list(characteristics)].astype(float)
    x.insert(0, "count", 1.0)
    market = x.groupby(df[col_period]).transform("sum")
    firm = x.groupby([df[col_period], df[col_firm]]).transform("sum")
    parts = {"own": firm - x, "rival": market - firm}
    if col_nest:
        nest = x.groupby([df[col_period], df[col_nest]]).transform("sum")
        parts["nest"] = nest - x
    out = pd.concat([p.add_prefix(f"{k}_") for k, p in parts.items()], axis=1)
    keep = [c for c in out.columns if out[c].std() > 1e-12 * max(1.0, float(out[c].abs().max()))]
    return out[keep].reset_index(drop=True)


def company_panel(
    market: Any,
    company: str,
    *,
    sales_is: Literal["revenue", "units"] = "revenue",
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_sales: str = S.SALES,
    col_price: str = S.PRICE,
) -> pd.DataFrame:
    """One company's rows of the market table with the controls a log-log regression needs.

    Adds ``units`` (``sales / price`` when ``sales_is="revenue"``), ``market_units`` (all
    companies' units in the period: market growth and seasonality) and ``rival_price`` (the
    unit-weighted mean price of the other companies: their price moves). Regress ``units`` on
    ``price`` with ``log_controls=["market_units", "rival_price", ...]`` in
    :class:`LogLogElasticity`.

    A missing or non-positive price (an out-of-stock week) is left missing, so the fit drops
    that row; the rival price averages the priced rivals. A period in which a company priced
    in other periods has no price gets no ``market_units`` and ``rival_price`` (both would
    move for a reason that is not the market's), so it is left out as well. A company never
    priced is left out of ``rival_price`` and, from revenue, of ``market_units``.
    """
    check_choice(sales_is, "sales_is", ("revenue", "units"))
    df = as_frame(market, [col_period, col_company, col_sales, col_price]).copy()
    ok = priced(df[col_price])
    price = df[col_price].astype(float).where(ok)
    df[col_price] = price
    sales = df[col_sales].astype(float)
    units = sales / price if sales_is == "revenue" else sales
    df["units"] = units
    df["_spend"] = units * price
    g = df.groupby(col_period)
    df["market_units"] = g["units"].transform("sum")
    known = units.where(ok)
    rival_units = known.groupby(df[col_period]).transform("sum") - known.fillna(0)
    rival_spend = g["_spend"].transform("sum") - df["_spend"].fillna(0)
    df["rival_price"] = rival_spend / rival_units.where(rival_units > 0)
    # a company priced in other periods but not in this one: the period's rival price and
    # (from revenue) its market units would miss it, so the period is left out
    sometimes = ok.groupby(df[col_company]).transform("any")
    gap = (sometimes & ~ok & sales.gt(0)).groupby(df[col_period]).transform("any")
    df.loc[gap, ["market_units", "rival_price"]] = np.nan
    mine = df[df[col_company] == company].drop(columns="_spend")
    if mine.empty:
        raise OpsaiError(
            f"company {company!r} not in column {col_company!r}: pass one of "
            f"{', '.join(map(str, sorted(df[col_company].unique())[:10]))}"
        )
    return mine.sort_values(col_period).reset_index(drop=True)
