"""Market structure: size, shares, concentration, share shifts and growth decomposition.

All functions take the ``market`` table (a DataFrame or an Ibis table; one row per period and
company, or per period and product) and return long pandas frames. Shares are recomputed from
``sales`` so they sum to one within each period (and segment, when asked), whatever a ``share``
column holds; use :func:`market_shares` with ``col_sales=schema.USERS`` for user shares.

Example:
    >>> shares = market_shares(market)                      # doctest: +SKIP
    >>> concentration(market).tail(1)[["period", "hhi"]]    # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.errors import OpsaiError
from opsai.market._frame import as_frame, period_step

__all__ = [
    "concentration",
    "growth_decomposition",
    "market_shares",
    "market_size",
    "segment_changes",
    "share_changes",
]


def _company_period(
    market: Any, col_period: str, col_company: str, col_sales: str, extra: Sequence[str] = ()
) -> pd.DataFrame:
    """Sum ``col_sales`` (and ``extra``) to one row per period and company."""
    cols = [col_period, col_company, col_sales, *extra]
    df = as_frame(market, cols)
    out = df.groupby([col_period, col_company], as_index=False, sort=True)[[col_sales, *extra]].sum(
        min_count=1
    )
    if (out[col_sales] < 0).any():
        raise OpsaiError(f"market: column {col_sales!r} has negative values; shares need >= 0")
    return out


def market_shares(
    market: Any,
    *,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_sales: str = S.SALES,
    col_segment: str | None = None,
) -> pd.DataFrame:
    """Each company's share of the period's total ``col_sales`` (of its segment's, if given).

    Returns:
        Columns period, (segment,) company, sales, total, share, rank (1 = largest), sorted by
        period and descending share. Shares sum to one per period (and segment).
    """
    keys = [col_period] + ([col_segment] if col_segment else [])
    df = as_frame(market, [*keys, col_company, col_sales])
    df = df.groupby([*keys, col_company], as_index=False)[col_sales].sum()
    df["total"] = df.groupby(keys)[col_sales].transform("sum")
    df[S.SHARE] = np.where(df["total"] > 0, df[col_sales] / df["total"].where(df["total"] > 0), 0.0)
    df = df.sort_values([*keys, S.SHARE], ascending=[True] * len(keys) + [False])
    df["rank"] = df.groupby(keys).cumcount() + 1
    return df.reset_index(drop=True)


def market_size(
    market: Any,
    *,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_sales: str = S.SALES,
    season: int = 12,
) -> pd.DataFrame:
    """Market size per period with period-on-period and year-on-year growth.

    Args:
        season: periods per year (12 for months, 4 for quarters, 1 for years).

    Returns:
        Columns period, sales, companies, growth (vs the previous period), growth_yoy (vs
        ``season`` periods before; NaN for the first year), and users / sales_per_user when
        the table has a ``users`` column.
    """
    df = as_frame(market, [col_period, col_company, col_sales])
    agg: dict[str, tuple[str, str]] = {
        col_sales: (col_sales, "sum"),
        "companies": (col_company, "nunique"),
    }
    if S.USERS in df.columns:
        agg[S.USERS] = (S.USERS, "sum")
    out = df.groupby(col_period, sort=True).agg(**agg).reset_index()
    out["growth"] = out[col_sales].pct_change()
    out["growth_yoy"] = out[col_sales].pct_change(periods=season) if season else np.nan
    if S.USERS in out.columns:
        out["sales_per_user"] = out[col_sales] / out[S.USERS].where(out[S.USERS] > 0)
    return out


def concentration(
    market: Any,
    *,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_sales: str = S.SALES,
    top: Sequence[int] = (1, 3, 4),
    exclude: Sequence[str] = (),
) -> pd.DataFrame:
    """Herfindahl-Hirschman index and top-k shares per period.

    Args:
        exclude: rows that are the rest of the market, not a company (``Others``): their
            sales stay in the total the shares are of, but they are no firm of the HHI, the
            company count or the top-k.

    Returns:
        Columns period, companies, hhi (sum of squared percentage shares, 0-10,000 as in the
        US merger guidelines), equivalent_companies (``10,000 / hhi``: how many equal-sized
        firms would give the same HHI) and ``top{k}`` (combined share of the k largest); with
        ``exclude``, also ``rest`` (their combined share) and ``hhi_with_rest`` (the HHI
        counting each of them as one firm).
    """
    sh = market_shares(market, col_period=col_period, col_company=col_company, col_sales=col_sales)
    out_rows = sh[col_company].astype(str).isin([str(e) for e in exclude])
    everyone = sh.groupby(col_period, sort=True)
    sh = sh[~out_rows]
    g = sh.groupby(col_period, sort=True)
    out = pd.DataFrame(
        {
            "companies": g[col_company].nunique(),
            "hhi": g[S.SHARE].apply(lambda s: float(((100 * s) ** 2).sum())),
        }
    )
    out["equivalent_companies"] = 10_000 / out["hhi"].where(out["hhi"] > 0)
    for k in top:
        out[f"top{k}"] = g[S.SHARE].apply(lambda s, k=k: float(s.nlargest(k).sum()))
    if len(exclude):
        out["rest"] = (1 - g[S.SHARE].sum()).reindex(out.index).fillna(1.0)
        out["hhi_with_rest"] = everyone[S.SHARE].apply(lambda s: float(((100 * s) ** 2).sum()))
    return out.reset_index()


def _period_at(periods: pd.Index, offset: int) -> Any:
    """The period ``offset`` steps before the last one (``offset=0`` is the last)."""
    if offset >= len(periods):
        raise OpsaiError(
            f"periods={offset} reaches before the first period: the market has only "
            f"{len(periods)} period(s). Pass a smaller periods="
        )
    return periods[len(periods) - 1 - offset]


def share_changes(
    market: Any,
    *,
    periods: int = 12,
    window: int = 1,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_sales: str = S.SALES,
) -> pd.DataFrame:
    """Share gains and losses between the last period and ``periods`` before it.

    Args:
        periods: how far back to compare (12 = twelve months for monthly data).
        window: average the share over this many periods ending at each end point (smooths
            seasonality and noise; 1 = the single periods).

    Returns:
        One row per company: share_before, share_now, change_pp (percentage points),
        change_rel, sales_before, sales_now, sales_growth; sorted by change_pp, largest gain
        first. Companies absent at one end count as share 0 there.
    """
    sh = market_shares(market, col_period=col_period, col_company=col_company, col_sales=col_sales)
    wide = sh.pivot_table(index=col_period, columns=col_company, values=S.SHARE, fill_value=0.0)
    sales = sh.pivot_table(index=col_period, columns=col_company, values=col_sales, fill_value=0.0)
    wide, sales = wide.sort_index(), sales.sort_index()
    idx = wide.index
    now_p, before_p = _period_at(idx, 0), _period_at(idx, periods)
    if window < 1 or window > len(idx) - periods:
        raise OpsaiError(f"window must be in 1..{len(idx) - periods}, got {window}")

    def ending(frame: pd.DataFrame, end: Any) -> pd.Series:
        pos = idx.get_loc(end)
        return frame.iloc[pos - window + 1 : pos + 1].mean()

    out = pd.DataFrame(
        {
            "share_before": ending(wide, before_p),
            "share_now": ending(wide, now_p),
            "sales_before": ending(sales, before_p),
            "sales_now": ending(sales, now_p),
        }
    )
    out["change_pp"] = 100 * (out["share_now"] - out["share_before"])
    out["change_rel"] = out["share_now"] / out["share_before"].where(out["share_before"] > 0) - 1
    out["sales_growth"] = out["sales_now"] / out["sales_before"].where(out["sales_before"] > 0) - 1
    out.attrs.update(period_before=before_p, period_now=now_p, window=window, step=period_step(idx))
    out = out.sort_values("change_pp", ascending=False).rename_axis(col_company).reset_index()
    return out


def segment_changes(
    market: Any,
    company: str,
    *,
    periods: int = 12,
    window: int = 1,
    col_sales: str = S.SALES,
    col_segment: str = S.SEGMENT,
) -> pd.DataFrame:
    """:func:`share_changes` within each segment (channel, region) for ``company``: its
    share of the segment now and before, the change, and the segment's largest gainer.
    Empty without a segment column or with one segment; a segment too short for the
    comparison is left out.

    Returns:
        One row per segment, largest loss first: ``segment``, ``share_before``,
        ``share_now``, ``change_pp``, ``top_gainer``, ``top_gain_pp``, ``sales_now``.
    """
    df = as_frame(market, [S.PERIOD, S.COMPANY, col_segment])
    cols = ["segment", "share_before", "share_now", "change_pp", "top_gainer", "top_gain_pp",
            "sales_now"]  # fmt: skip
    if df[col_segment].nunique() < 2:
        return pd.DataFrame(columns=cols)
    rows = []
    for seg, g in df.groupby(df[col_segment].astype(str), sort=True):
        try:
            ch = share_changes(g, periods=periods, window=window, col_sales=col_sales)
        except (OpsaiError, IndexError, KeyError):
            continue  # too few periods in this segment
        ours = ch[ch[S.COMPANY].astype(str) == str(company)]
        if ours.empty:
            continue
        r, top = ours.iloc[0], ch.iloc[0]
        rows.append(
            {
                "segment": seg,
                "share_before": float(r["share_before"]),
                "share_now": float(r["share_now"]),
                "change_pp": float(r["change_pp"]),
                "top_gainer": str(top[S.COMPANY]),
                "top_gain_pp": float(top["change_pp"]),
                "sales_now": float(r["sales_now"]),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["change_pp", "segment"], ignore_index=True)


def growth_decomposition(
    market: Any,
    company: str,
    *,
    periods: int = 12,
    window: int = 1,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
    col_sales: str = S.SALES,
) -> pd.DataFrame:
    """Split a company's sales growth into market growth, share gain and their interaction.

    With market size ``M`` and share ``s`` (sales ``= s M``), the change between the two end
    points is exactly ``s0 dM + M0 ds + dM ds``.

    Returns:
        Rows market_growth, share_change, interaction, total with columns value (sales units)
        and fraction (of the total change).
    """
    sh = market_shares(market, col_period=col_period, col_company=col_company, col_sales=col_sales)
    if company not in set(sh[col_company]):
        raise OpsaiError(f"company {company!r} not in column {col_company!r} of the market table")
    tot = sh.groupby(col_period)["total"].first().sort_index()
    mine = (
        sh[sh[col_company] == company].set_index(col_period)[S.SHARE].reindex(tot.index).fillna(0)
    )
    idx = tot.index
    now_p, before_p = _period_at(idx, 0), _period_at(idx, periods)

    def ending(series: pd.Series, end: Any) -> float:
        pos = idx.get_loc(end)
        return float(series.iloc[pos - window + 1 : pos + 1].mean())

    m0, m1 = ending(tot, before_p), ending(tot, now_p)
    s0, s1 = ending(mine, before_p), ending(mine, now_p)
    parts = {
        "market_growth": s0 * (m1 - m0),
        "share_change": m0 * (s1 - s0),
        "interaction": (m1 - m0) * (s1 - s0),
    }
    parts["total"] = sum(parts.values())
    out = pd.DataFrame({"component": list(parts), "value": list(parts.values())})
    out["fraction"] = out["value"] / parts["total"] if parts["total"] else np.nan
    out.attrs.update(
        company=company,
        period_before=before_p,
        period_now=now_p,
        step=period_step(idx),
        market_before=m0,
        market_now=m1,
        share_before=s0,
        share_now=s1,
    )
    return out
