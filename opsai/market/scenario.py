"""What-if scenarios on a fitted logit demand: price, spend and competitor moves.

:func:`simulate` changes prices (or any characteristic in the model, such as marketing spend)
of chosen products in one period, recomputes every product's share from the model's mean
utilities, and returns the expected shares, units and revenue with a band drawn from the
coefficients' sampling distribution (seeded). The market size is held fixed: the scenario
answers "who wins which customers", not "does the market grow".

Example:
    >>> demand = LogitDemand(price="log", fixed_effects=["company"]).fit(market)  # doctest: +SKIP
    >>> simulate(demand, {"BlueHarbor": {"price": -0.10}}, seed=0)                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.errors import OpsaiError
from opsai.market.demand import LogitDemand, nested_shares
from opsai.market.pricing import _check_fitted

__all__ = ["simulate"]


def _utility_shift(
    model: LogitDemand, rows: pd.DataFrame, changes: Mapping[str, Mapping[str, float]]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Per-row changes of each model term (price term, characteristics) and the new prices."""
    terms: dict[str, np.ndarray] = {}
    n = len(rows)
    price_new = rows["price"].to_numpy(float).copy()
    known = {model.col_price, *model.characteristics, *model.log_characteristics}
    products = rows["product"].astype(str).to_numpy()
    for product, change in changes.items():
        hit = products == str(product)
        if not hit.any():
            raise OpsaiError(
                f"changes: product {product!r} not in the scenario period; choose from "
                f"{', '.join(sorted(set(products))[:12])}"
            )
        for column, rel in change.items():
            if column not in known:
                raise OpsaiError(
                    f"changes[{product!r}]: {column!r} is not in the model; use one of "
                    f"{', '.join(sorted(known))}"
                )
            if rel <= -1:
                raise OpsaiError(f"changes[{product!r}][{column!r}] must be > -1, got {rel}")
            if column == model.col_price:
                name = model.coef_.index[0]
                old = rows["price"].to_numpy(float)
                delta = np.log1p(rel) if model.price == "log" else old * rel
                price_new[hit] = old[hit] * (1 + rel)
            elif column in model.log_characteristics:
                name, delta = f"log({column})", np.full(n, np.log1p(rel))
            else:
                name, delta = column, rows[f"x:{column}"].to_numpy(float) * rel
            terms.setdefault(name, np.zeros(n))[hit] += np.broadcast_to(delta, (n,))[hit]
    return price_new, terms


def simulate(
    model: LogitDemand,
    changes: Mapping[str, Mapping[str, float]],
    *,
    period: Any = None,
    units: Mapping[str, float] | None = None,
    n_draws: int = 500,
    level: float = 0.9,
    seed: int = 0,
    by: Literal["product", "firm"] = "product",
) -> pd.DataFrame:
    """Expected shares (and units, revenue) after relative changes to prices or spend.

    Args:
        model: a fitted :class:`LogitDemand`.
        changes: ``{product: {column: relative change}}``, e.g. ``{"us": {"price": -0.05},
            "rival": {"marketing_spend": 0.2}}``; columns are the model's price column or
            characteristics. With ``by="firm"`` the keys are firms (``col_firm``) and the
            change applies to all their products.
        period: the period to start from (default the last fitted one).
        units: current units per product (e.g. the period's sales volume); adds units and
            revenue columns. Without it the changes are relative only.
        n_draws: coefficient draws for the band (0 = no band).
        level: width of the band.
        seed: seed of the coefficient draws.
        by: ``"firm"`` sums shares, units and revenue over each firm's products (the price
            columns are then share-weighted means).

    Returns:
        One row per product of the period: price, price_new, share, share_new, share_lo,
        share_hi, change_pp, units_change, revenue_change (relative, with _lo/_hi) and, with
        ``units``, units_new and revenue_new.
    """
    _check_fitted(model, "fit_")
    d = model.data_
    period = d["period"].max() if period is None else period
    rows = d[d["period"] == period].reset_index(drop=True)
    if rows.empty:
        raise OpsaiError(f"period {period!r} not in the fitted data")
    key = "firm" if by == "firm" else "product"
    price_new, terms = _utility_shift(model, rows.assign(product=rows[key]), changes)
    names = list(model.coef_.index)
    pos = {name: names.index(name) for name in terms}
    nests = rows["nest"].to_numpy()
    outside = model.outside_ == "share"
    y, logw = rows["y"].to_numpy(), np.log(rows["within"].to_numpy())
    codes, labels = pd.factorize(rows[key])
    price = rows["price"].to_numpy(float)

    def group(v: np.ndarray) -> np.ndarray:
        return np.bincount(codes, weights=v, minlength=len(labels))

    def shares(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rho = float(np.clip(theta[1], 0.0, 0.99)) if model.nest else 0.0
        delta = y - rho * logw
        base = nested_shares(delta, rho, nests, outside=outside)
        shift = sum((theta[pos[k]] * v for k, v in terms.items()), np.zeros(len(rows)))
        return base, nested_shares(delta + shift, rho, nests, outside=outside)

    def summed(theta: np.ndarray) -> tuple[np.ndarray, ...]:
        base, new = shares(theta)
        return group(base), group(new), group(base * price), group(new * price_new)

    s0, s1, r0, r1 = summed(model.fit_.coef)
    out = pd.DataFrame(
        {
            "product": np.asarray(labels),
            "price": r0 / s0,
            "price_new": r1 / s1,
            "share": s0,
            "share_new": s1,
        }
    )
    out["change_pp"] = 100 * (s1 - s0)
    out["units_change"] = s1 / s0 - 1
    out["revenue_change"] = r1 / r0 - 1
    if n_draws > 0:
        rng = np.random.default_rng(seed)
        draws = rng.multivariate_normal(model.fit_.coef, model.fit_.cov, size=n_draws)
        sims = [summed(t) for t in draws]
        unit_ratio = np.array([d[1] / d[0] for d in sims])
        revenue_ratio = np.array([d[3] / d[2] for d in sims])
        a = (1 - level) / 2
        lo, hi = np.quantile(unit_ratio, [a, 1 - a], axis=0)
        out["share_lo"], out["share_hi"] = lo * s0, hi * s0
        out["units_change_lo"], out["units_change_hi"] = lo - 1, hi - 1
        rlo, rhi = np.quantile(revenue_ratio, [a, 1 - a], axis=0)
        out["revenue_change_lo"], out["revenue_change_hi"] = rlo - 1, rhi - 1
    if units is not None:
        u = out["product"].astype(str).map({str(k): float(v) for k, v in units.items()})
        out["units_new"] = u * (1 + out["units_change"])
        out["revenue_new"] = out["units_new"] * out["price_new"]
    out.attrs.update(period=period, changes=dict(changes), level=level)
    return out
