"""Competitive position: price indices, a positioning map and a strengths/weaknesses table.

Example:
    >>> price_index(market, "Northwind Goods").tail()                  # doctest: +SKIP
    >>> strengths_weaknesses(market, "Northwind Goods")                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.errors import OpsaiError
from opsai.market._frame import as_frame, check_choice, period_label, period_step, priced
from opsai.market.share import market_shares

__all__ = ["positioning_map", "price_index", "strengths_weaknesses"]

MARKET = "(market)"
"""The pseudo-competitor label of the market-average row in :func:`price_index`."""


def price_index(
    market: Any,
    company: str,
    *,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_price: str = S.PRICE,
    col_weight: str | None = S.SALES,
    col_product: str | None = None,
) -> pd.DataFrame:
    """Our price as an index (100 = parity) against each competitor and the market average.

    Args:
        company: the company whose price is indexed ("us").
        col_weight: weights of the market average (sales by default); None for a plain mean.
        col_product: the product column of a table with several products per company and
            period. Prices are then compared product for product, over the products both
            sell in the period (geometric means), so a rival missing its dearest product
            from a scrape does not read as a cheaper rival. Without it, each company's mean
            price.

    Returns:
        Long frame: period, competitor (a company or ``"(market)"``), price (ours),
        competitor_price, index (``100 * ours / theirs``; above 100 = we are dearer). A
        missing or non-positive price (an out-of-stock week) leaves that company out of the
        period's comparisons and the market average; a period without our price has no index.
    """
    cols = [col_period, col_company, col_price] + ([col_weight] if col_weight else [])
    if col_product:
        return _matched_index(market, company, [*cols, col_product], col_product, col_weight)
    df = as_frame(market, cols)
    df = df.assign(**{col_price: df[col_price].where(priced(df[col_price]))})
    wide = df.pivot_table(index=col_period, columns=col_company, values=col_price, aggfunc="mean")
    if company not in wide.columns:
        if company in set(df[col_company]):
            raise OpsaiError(
                f"company {company!r} has no price above 0 in column {col_price!r} in any "
                "period, so there is no price of ours to index: map our price column "
                "(data.tables.market.columns.price), or pick a company with prices"
            )
        raise OpsaiError(f"company {company!r} not in column {col_company!r}")
    if col_weight:
        w = df.pivot_table(index=col_period, columns=col_company, values=col_weight, aggfunc="sum")
        avg = (wide * w).sum(axis=1) / w.where(wide.notna()).sum(axis=1)
    else:
        avg = wide.mean(axis=1)
    theirs = wide.drop(columns=company).assign(**{MARKET: avg})
    out = theirs.stack().rename("competitor_price").reset_index()
    out.columns = pd.Index([col_period, "competitor", "competitor_price"])
    out["price"] = out[col_period].map(wide[company])
    out["index"] = 100 * out["price"] / out["competitor_price"]
    return out[[col_period, "competitor", "price", "competitor_price", "index"]]


def _matched_index(
    market: Any, company: str, cols: list[str], product: str, weight: str | None
) -> pd.DataFrame:
    """:func:`price_index` product for product (columns ``cols``: period, company, price,
    weight, product)."""
    period, firm, price = cols[0], cols[1], cols[2]
    df = as_frame(market, cols)
    df = df[df[price] > 0]
    if company not in set(df[firm]):
        raise OpsaiError(f"company {company!r} not in column {firm!r}")
    keys = [period, product]
    by = df.groupby([*keys, firm], as_index=False).agg(
        **{price: (price, "mean"), "_w": (weight, "sum") if weight else (price, "size")}
    )
    ours = by[by[firm] == company][[*keys, price]].rename(columns={price: "_ours"})
    logp = np.log(by[price]).mul(by["_w"])
    market_p = np.exp(logp.groupby([by[period], by[product]]).sum() / by.groupby(keys)["_w"].sum())
    mkt = market_p.rename(price).reset_index().assign(**{firm: MARKET})
    rivals = pd.concat([by[by[firm] != company][[*keys, firm, price]], mkt], ignore_index=True)
    pairs = rivals.merge(ours, on=keys)  # the products both sell in the period
    pairs["_lo"], pairs["_lt"] = np.log(pairs["_ours"]), np.log(pairs[price])
    g = pairs.groupby([period, firm], as_index=False)[["_lo", "_lt"]].mean()
    out = pd.DataFrame(
        {
            period: g[period],
            "competitor": g[firm],
            "price": np.exp(g["_lo"]),
            "competitor_price": np.exp(g["_lt"]),
        }
    )
    out["index"] = 100 * out["price"] / out["competitor_price"]
    return out.sort_values([period, "competitor"], ignore_index=True)


def positioning_map(
    frame: Any,
    features: Sequence[str],
    *,
    col_label: str = S.COMPANY,
    highlight: Sequence[str] = (),
    method: Literal["auto", "pca", "raw"] = "auto",
) -> pd.DataFrame:
    """Two-dimensional map of competitors (or products) from their attributes.

    With two features and ``method="auto"`` (or ``"raw"``) the axes are the features
    themselves (e.g. price vs quality score); with more, the first two principal components
    of the standardised features (``explained`` and ``loadings`` in ``.attrs``).

    Args:
        frame: one or more rows per label; features are averaged per label.
        features: numeric attribute columns.
        col_label: the column naming each point.
        highlight: labels to mark (our products).

    Returns:
        One row per label: label, x, y, highlight, plus the averaged features. Labels missing
        a feature throughout (a company without any price) or with one that is infinite are
        left off the map and named in ``.attrs["left_out"]``.
    """
    check_choice(method, "method", ("auto", "pca", "raw"))
    if len(features) < 2:
        raise OpsaiError(f"features: need at least two columns for a map, got {list(features)}")
    df = as_frame(frame, [col_label, *features])
    means = df.groupby(col_label)[list(features)].mean()
    # a company without any price in the window; a ratio over zero users (inf): no point
    unknown = ~np.isfinite(means.to_numpy(float)).all(axis=1)
    left_out = [str(c) for c in means.index[unknown]]
    means = means[~unknown]
    if means.empty:
        raise OpsaiError(f"features {list(features)}: no {col_label} has all of them")
    if method == "raw" or (method == "auto" and len(features) == 2):
        xy = means.iloc[:, :2].to_numpy(float)
        axes = list(features[:2])
        explained = None
        loadings = None
    else:
        z = means.to_numpy(float)
        sd = z.std(axis=0)
        z = (z - z.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
        _, sing, vt = np.linalg.svd(z, full_matrices=False)
        # fix the sign so that each component's largest loading is positive (deterministic)
        flip = np.sign(vt[np.arange(vt.shape[0]), np.abs(vt).argmax(axis=1)])
        vt = vt * flip[:, None]
        xy = z @ vt[:2].T
        axes = ["PC1", "PC2"]
        explained = (sing**2 / (sing**2).sum())[:2]
        loadings = pd.DataFrame(vt[:2].T, index=list(features), columns=axes)
    out = means.reset_index()
    out.insert(1, "x", xy[:, 0])
    out.insert(2, "y", xy[:, 1])
    out.insert(3, "highlight", out[col_label].isin(list(highlight)))
    out.attrs.update(axes=axes, explained=explained, loadings=loadings, left_out=left_out)
    return out


def _metrics(
    market: pd.DataFrame,
    periods: int,
    col_period: str,
    col_company: str,
    col_sales: str,
) -> pd.DataFrame:
    """Per-company metrics over the last ``periods`` periods (and the ``periods`` before)."""
    order = np.sort(market[col_period].unique())
    if len(order) < 2:
        raise OpsaiError("market: need at least two periods to compare companies")
    periods = min(periods, len(order) // 2)
    last, prev = order[-periods:], order[-2 * periods : -periods]
    sh = market_shares(market, col_period=col_period, col_company=col_company, col_sales=col_sales)
    recent = market[market[col_period].isin(last)]
    before = market[market[col_period].isin(prev)]
    out = pd.DataFrame(
        {"sales_share": sh[sh[col_period].isin(last)].groupby(col_company)[S.SHARE].mean()}
    )
    out["sales_share_change_pp"] = 100 * (
        out["sales_share"] - sh[sh[col_period].isin(prev)].groupby(col_company)[S.SHARE].mean()
    )
    s_now, s_before = (f.groupby(col_company)[col_sales].sum() for f in (recent, before))
    out["sales_growth"] = s_now / s_before.where(s_before > 0) - 1
    for col, ratio in ((S.USERS, "sales_per_user"), (S.MARKETING_SPEND, "sales_per_spend")):
        if col in market.columns:  # none without users or spend (not infinite)
            per = recent.groupby(col_company)[col].sum()
            out[ratio] = s_now / per.where(per > 0)
    if S.PRICE in market.columns:
        p = recent.groupby(col_company)[S.PRICE].mean()
        out["price_vs_market"] = p / p.mean() - 1
    return out


def strengths_weaknesses(
    market: Any,
    company: str,
    *,
    periods: int = 12,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_sales: str = S.SALES,
    exclude: Sequence[str] = (),
) -> pd.DataFrame:
    """Where a company leads and lags its competitors, each cell with its number.

    ``exclude``: rows that are the rest of the market (``Others``), left out of the ranks and
    the company count (their sales still count in the shares' total).

    Metrics over the last ``periods`` periods: sales share, its change (pp vs the ``periods``
    before), sales growth, and where the columns exist sales per user, sales per unit of
    marketing spend, and price relative to the market mean (reported, not judged: cheap is
    neither good nor bad by itself). A metric is a strength when the company ranks in the
    top third of companies, a weakness in the bottom third.

    Returns:
        One row per metric: metric, value, market_median, best_company, best_value, rank,
        companies, verdict (``strength``/``weakness``/``parity``/``position``).
    """
    df = as_frame(market, [col_period, col_company, col_sales])
    table = _metrics(df, periods, col_period, col_company, col_sales)
    table = table[~table.index.astype(str).isin([str(e) for e in exclude])]
    if company not in table.index:
        raise OpsaiError(f"company {company!r} not in column {col_company!r}")
    n = len(table)
    rows = []
    for metric in table.columns:
        col = table[metric].dropna()
        if company not in col.index:
            continue
        rank = int(col.rank(ascending=False, method="min")[company])
        if metric == "price_vs_market":
            verdict = "position"
        elif rank <= max(1, round(len(col) / 3)):
            verdict = "strength"
        elif rank > len(col) - max(1, round(len(col) / 3)):
            verdict = "weakness"
        else:
            verdict = "parity"
        best = col.drop(index=company).idxmax() if len(col) > 1 else company
        rows.append(
            {
                "metric": metric,
                "value": float(col[company]),
                "market_median": float(col.median()),
                "best_company": best,
                "best_value": float(col[best]),
                "rank": rank,
                "companies": n,
                "verdict": verdict,
            }
        )
    out = pd.DataFrame(rows)
    order = np.sort(df[col_period].unique())
    k, step = min(periods, len(order) // 2), period_step(order)
    now, before = period_label(order[-1], step), period_label(order[-1 - k], step)
    recent = f"in {now}" if k == 1 else f"over the {k} periods to {now}"
    out.attrs["recent"] = recent  # the window of the levels (shares), without a comparison
    out.attrs["compared"] = (  # the window of every figure, as the strategy finding says it
        f"{recent} against {before}" if k == 1 else f"{recent} against the {k} before"
    )
    return out
