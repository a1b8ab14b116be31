"""Glue for the chapter notebook: pick our company, choose and fit the demand model.

These turn the notebook's string parameters into calls of the estimators, so the notebook
holds no logic and the same defaults serve Python users.

Example:
    >>> us = resolve_company(market, "", fallback=cfg.company)              # doctest: +SKIP
    >>> demand = fit_demand(market, product="", characteristics="")         # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.data.years import year_dates
from opsai.errors import ChapterError, OpsaiError
from opsai.market._frame import as_frame, check_choice, period_label, period_step, priced
from opsai.market.demand import LogitDemand
from opsai.market.findings import Finding, move_finding, product_move_finding
from opsai.market.pricing import LogLogElasticity, company_panel
from opsai.market.response import SpendResponse
from opsai.market.scenario import simulate
from opsai.market.share import market_shares
from opsai.market.trends import (
    company_prices,
    detect_moves,
    event_study,
    product_price_index,
    product_price_moves,
)

__all__ = [
    "PERIOD_STEPS",
    "RESIDUAL",
    "TOTAL",
    "aggregate_companies",
    "aggregate_rows",
    "calendar_periods",
    "choose_company",
    "company_elasticity",
    "competitor_events",
    "complete_periods",
    "coverage_finding",
    "cross_exposure",
    "demand_skip_reason",
    "fit_demand",
    "fit_spend_response",
    "forecast_horizon",
    "forecast_table",
    "loglog_check",
    "map_skip_reason",
    "market_moves",
    "own_moves",
    "positioning_frame",
    "price_gap_finding",
    "price_identified",
    "product_moves",
    "resolve_company",
    "sales_are_shares",
    "sales_skip_reason",
    "scenario_finding",
    "season_for",
    "size_skip_reason",
    "sized_market",
    "skipped_finding",
    "spend_response",
    "split_names",
    "standard_scenarios",
    "whole_growth",
    "year_periods",
]


PERIOD_STEPS: dict[str, str] = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
"""The chapter's PERIOD values and the pandas period each floors market.period to."""


SEASONS: dict[str, tuple[int, int]] = {
    "day": (7, 365), "week": (52, 52), "month": (12, 12), "quarter": (4, 4), "year": (1, 1),
}  # fmt: skip
"""Per period step: the periods of its season (days: the week) and of a year."""


def season_for(market: Any, season: int = 0) -> tuple[int, int, Finding | None]:
    """SEASON for the market's periods, the periods in a year, and a finding when derived.

    ``season`` 0 (the notebook's default) takes the season from how far apart the periods are
    (:func:`~opsai.market._frame.period_step`): 7 for days (the weekly pattern), 52 for weeks,
    12 for months, 4 for quarters, 1 for years; a positive ``season`` is kept. The periods in a
    year (365 days, 52 weeks ...) are what growth year on year looks back; with periods that
    are not dates both are ``season``, or 12.

    Raises:
        ChapterError: ``season`` is negative.
    """
    if season < 0:
        raise ChapterError(
            f"SEASON={season} is negative; set the periods per season (12 for months, 52 for "
            "weeks, 7 for days with a weekly pattern), or 0 to take it from the periods"
        )
    periods = as_frame(market, [S.PERIOD])[S.PERIOD]
    if not pd.api.types.is_datetime64_any_dtype(periods):
        return season or 12, season or 12, None
    step = period_step(periods)
    derived, year = SEASONS[step]
    if season or step == "month":
        return season or derived, year, None
    what = {
        "day": "7, the weekly pattern: the forecasts repeat the week, and shares are compared "
        "with the week before (growth year on year needs 365 days of data)",
        "week": "52, a year of weeks: the forecasts repeat the year, and shares and growth are "
        "compared with a year earlier when the data span one",
        "quarter": "4, a year of quarters: the forecasts repeat the year, and shares and growth "
        "are compared with a year earlier when the data span one",
        "year": "1: no seasonal pattern, and shares and growth are compared with the year before",
    }[step]
    text = (
        f"The market periods are {step}s, so SEASON is {what}. Set SEASON in "
        "chapters.06_market_competition.parameters to use another season."
    )
    return derived, year, Finding(text, "info", {"season": derived, "step": step, "year": year})


def forecast_horizon(market: Any, horizon: int) -> tuple[int, Finding | None]:
    """How far the forecasts reach: ``horizon`` (the HORIZON parameter), or half the
    market's periods when that is shorter, with a finding saying so (byod11b D19: on 7 years
    the default 12 forecast to 2036). The demo's two years of months keep their 12.

    Raises:
        ChapterError: ``horizon`` is below 1.
    """
    if horizon < 1:
        raise ChapterError(f"HORIZON={horizon} must be 1 or more (the periods to forecast)")
    periods = as_frame(market, [S.PERIOD])[S.PERIOD]
    n = int(periods.nunique())
    most = max(1, n // 2)
    if horizon <= most:
        return horizon, None
    dated = pd.api.types.is_datetime64_any_dtype(periods)
    unit = f"{period_step(periods)}s" if dated else "periods"
    text = (
        f"The forecasts reach {most} {unit} ahead, not HORIZON={horizon}: the market table "
        f"holds {n} {unit}, and a forecast is taken no further than half its history. Set "
        f"chapters.06_market_competition.parameters.HORIZON to {most} or less to forecast "
        "another span."
    )
    return most, Finding(text, "info", {"horizon": most, "asked": horizon, "periods": n})


def whole_growth(size: pd.DataFrame, periods: Finding | None = None) -> float | None:
    """The market's latest year-on-year growth (:func:`~opsai.market.share.market_size`'s
    ``growth_yoy``) among whole periods: a partial period kept only because our company has
    rows in no other (``periods``' evidence ``kept_for_us``, :func:`calendar_periods`) is no
    year's growth: Google Play's 2018 of half a year read as "Market growth, year on year:
    275.6%" (byod13b D2). ``None`` when no whole period has one."""
    if size.empty or "growth_yoy" not in size:
        return None
    kept = (periods.evidence.get("kept_for_us") if periods is not None else None) or []
    whole = size[~pd.to_datetime(size[S.PERIOD]).isin(pd.to_datetime(pd.Series(kept)))]
    g = whole["growth_yoy"].dropna()
    return None if g.empty else float(g.iloc[-1])


def forecast_table(size: pd.DataFrame, share: pd.DataFrame) -> pd.DataFrame:
    """The market-size and share forecasts (:func:`~opsai.market.trends.trend_forecast`)
    side by side per step, columns suffixed ``_size`` and ``_share``; either may be empty
    (no size when market.sales holds shares), and the other is kept."""

    def tagged(frame: pd.DataFrame, tag: str) -> pd.DataFrame:
        return frame.rename(columns={c: f"{c}_{tag}" for c in frame.columns if c != "step"})

    both = tagged(size, "size").merge(tagged(share, "share"), on="step", how="outer")
    return both.sort_values("step", ignore_index=True)


def _lone_fraction(df: pd.DataFrame) -> float:
    """Fraction of periods that hold a single company (0 when the table has one company)."""
    if df[S.COMPANY].nunique() < 2:
        return 0.0
    per = df.groupby(S.PERIOD)[S.COMPANY].nunique()
    return float((per == 1).mean())


SCRAPE_GAPS = 0.1
"""Largest share of periods lacking an active company that scraped data is put into: days
first, then weeks, then months."""


def _scrape_period(df: pd.DataFrame) -> tuple[str, dict[str, float]]:
    """The finest of day, week and month in which at most :data:`SCRAPE_GAPS` of the
    periods lack a company active then (between its first and last period), with the share
    per step tried; month when none is that full."""
    gaps: dict[str, float] = {}
    for step in ("day", "week", "month"):
        floored = df[S.PERIOD].dt.to_period(PERIOD_STEPS[step]).dt.start_time
        seen = df.groupby([floored, df[S.COMPANY]]).size().unstack(fill_value=0) > 0
        idx = seen.index.to_numpy()[:, None]
        first = seen.idxmax().to_numpy()[None, :]
        last = seen[::-1].idxmax().to_numpy()[None, :]
        active = (idx >= first) & (idx <= last)
        gaps[step] = float((active & ~seen.to_numpy()).any(axis=1).mean())
        if gaps[step] <= SCRAPE_GAPS:
            return step, gaps
    return "month", gaps


CONSTANT_SALES = "constant_sales"
"""``attrs`` key of :func:`calendar_periods`' result: the one value market.sales held in
every row before rows were combined (``constants: {sales: 1}`` on a price scrape), else
absent; :func:`sales_skip_reason` reads it."""


def _constant_sales(df: pd.DataFrame) -> float | None:
    """The one value ``sales`` holds in every row (of two or more), else None."""
    if S.SALES not in df.columns:
        return None
    values = pd.to_numeric(df[S.SALES], errors="coerce").dropna()
    if len(values) < 2 or values.nunique() != 1:
        return None
    return float(values.iloc[0])


RESIDUAL = re.compile(
    r"^(?:all\s+)?others?(?:\s+(?:brands?|companies|manufacturers|players|firms|labels?|"
    r"retailers|vendors|suppliers|products))?$|^(?:the\s+)?rest(?:\s+of\s+(?:the\s+)?"
    r"(?:market|category|industry))?$|^(?:remaining|misc|miscellaneous|sonstige|andere|"
    r"autres|otros|outros|altri|övriga|andra|overige)$",
    re.IGNORECASE,
)
"""A company name that is the rest of the market, not a company (``Others``, ``All other``,
``Other brands``, ``Rest of market``, ``Sonstige``): kept in the market's total, left out of
the HHI, the ranks and the largest gains and losses. ``Private label`` is a competitor (the
retailers' brands) and stays."""

TOTAL = re.compile(
    r"^(?:(?:grand|market|category|overall)\s+)?totals?(?:\s+(?:market|category))?$|"
    r"^(?:gesamt|insgesamt|totalt|summe|sum|all\s+companies|all\s+brands)$",
    re.IGNORECASE,
)
"""A company name that may be the market's total (``Total``, ``Category total``): left out
of the table when it holds the sum of the other rows in every period."""


def _bare(name: str) -> str:
    """A company name without a trailing note in brackets and edge punctuation:
    ``Others (incl. private label)`` -> ``others``."""
    return re.sub(r"\s*[(\[].*$", "", str(name)).strip(" .:*-_").lower()


def aggregate_rows(market: Any) -> tuple[pd.DataFrame, list[str], Finding | None]:
    """``market`` without its total rows, the names of its rest-of-market rows, and a
    finding saying what was done (None when the table has neither) (byod11b D8).

    A company named like a total (:data:`TOTAL`) whose sales (or shares) equal the sum of the
    other companies' within 2% in every period it appears is the market total and is dropped
    (it would halve every share); one that does not add up is kept as a rest-of-market row.
    Rows named like the rest of the market (:data:`RESIDUAL`: ``Others``, ``All other``)
    stay in the data, so shares remain shares of the whole market, and the caller leaves
    them out of concentration, ranks, moves and the largest gains and losses."""
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    names = [str(n) for n in df[S.COMPANY].dropna().unique()]
    rest = [n for n in names if RESIDUAL.match(_bare(n))]
    basis = next((c for c in (S.SHARE, S.SALES) if c in df.columns and df[c].notna().any()), None)
    dropped: list[str] = []
    for name in (n for n in names if TOTAL.match(_bare(n))):
        mine = df[S.COMPANY].astype(str) == name
        if basis is None:
            rest.append(name)
            continue
        value = (
            pd.to_numeric(df.loc[mine, basis], errors="coerce")
            .groupby(df.loc[mine, S.PERIOD])
            .sum()
        )
        others = (
            pd.to_numeric(df.loc[~mine, basis], errors="coerce")
            .groupby(df.loc[~mine, S.PERIOD])
            .sum()
        )
        others = others.reindex(value.index)
        adds_up = bool(len(value)) and bool(np.allclose(value, others, rtol=0.02, atol=0.0))
        (dropped if adds_up else rest).append(name)
    if dropped:
        df = df[~df[S.COMPANY].astype(str).isin(dropped)].reset_index(drop=True)
    if not rest and not dropped:
        return df, [], None
    parts = []
    if rest:
        sh = market_shares(df, col_sales=basis) if basis else None
        share = ""
        if sh is not None:
            last = sh[sh[S.PERIOD] == sh[S.PERIOD].max()]
            got = float(last.loc[last[S.COMPANY].astype(str).isin(rest), S.SHARE].sum())
            when = period_label(last[S.PERIOD].iloc[0], period_step(sh[S.PERIOD]))
            share = f" ({got:z.1%} of the market in {when})"
        listed = " and ".join(f"'{n}'" for n in rest)
        parts.append(
            f"{listed} {'is' if len(rest) == 1 else 'are'} the rest of the market, not one "
            f"company{share}: counted in the market's total, left out of the concentration "
            "(HHI), the ranks, the competitor moves and the largest gains and losses"
        )
    if dropped:
        listed = " and ".join(f"'{n}'" for n in dropped)
        parts.append(
            f"{listed} holds the sum of the other companies in every period and was left out"
        )
    text = "; ".join(parts) + "."
    evidence = {"rest_of_market": rest, "totals_dropped": dropped}
    return (
        df,
        rest,
        Finding(text[0].upper() + text[1:] if not text.startswith("'") else text, "info", evidence),
    )


def sales_are_shares(market: Any) -> bool:
    """Whether market.sales are shares: every period's sales add up to 1 (or 100), within
    the rounding of percentages written to one decimal (a SimilarWeb or Marktanteile sheet
    mapped as sales). A decomposition of our sales growth into market growth and share is
    then empty (the market is 1 in every period), and is left out."""
    df = as_frame(market, [S.PERIOD, S.SALES])
    totals = df.groupby(S.PERIOD)[S.SALES].sum().to_numpy(float)
    if len(totals) < 2:
        return False
    return bool(np.allclose(totals, 1.0, atol=0.02) or np.allclose(totals, 100.0, atol=2.0))


def size_skip_reason(market: Any, *, sales_is: str = "revenue") -> str | None:
    """Why the market has no size, or None when it has one: market.sales holds shares
    (:func:`sales_are_shares`: every period adds up to 100, or 1), so the "market size" would
    read 100 in every period with 0% growth, and our "sales growth" and its split into market
    growth and share gain would be share changes under another name (byod11b D6). The
    chapter then leaves out the size table, its growth and forecast, the decomposition and
    the sales-growth ranking, and says so once. So it does when ``sales_is="mentions"``: a
    count of mentions is no market size in money or units (byod12b D7)."""
    check_choice(sales_is, "SALES_IS", SALES_MEASURES)
    if sales_is == "mentions":
        return (
            "SALES_IS is mentions, so market.sales counts mentions, not money or units: "
            "there is no market size in sales. Left out: the market size, its growth and "
            "forecast, our sales growth and its split into market growth and share gain"
        )
    if not sales_are_shares(market):
        return None
    totals = as_frame(market, [S.PERIOD, S.SALES]).groupby(S.PERIOD)[S.SALES].sum()
    whole = "100" if float(totals.mean()) > 2 else "1"
    return (
        f"market.sales holds shares, not sales: in each of the {len(totals)} periods its "
        f"values add up to {whole}, so the market's size would read {whole} every period "
        "with no growth. Left out: the market size, its growth and forecast, our sales growth "
        "and its split into market growth and share gain. Map a sales column (money or "
        "units) to market.sales, or give the market's size per period in "
        "chapters.06_market_competition.parameters.MARKET_SIZE, to get them"
    )


def sized_market(market: Any, size: str) -> tuple[pd.DataFrame, Finding | None]:
    """``market`` with shares turned into sales by the market's size per period (the
    MARKET_SIZE parameter: ``"2018=12000, 2019=12600, ..."``, a Euromonitor "Market Size" row
    beside its "Company Shares" sheet; byod11b D9): each company's sales become its share of
    the period times the size, so market size, growth and the growth decomposition read as
    money. ``""`` returns ``market`` as given and no finding.

    Raises:
        ChapterError: a pair is not ``period=number``; market.sales does not hold shares
            (they would be scaled twice); or a period of the table has no size (the message
            lists them).
    """
    df = as_frame(market, [S.PERIOD, S.COMPANY, S.SALES])
    if not size.strip():
        return df, None
    pairs = [p.strip() for p in size.replace(";", ",").split(",") if p.strip()]
    if any(p.count("=") != 1 for p in pairs):
        raise ChapterError(
            f"MARKET_SIZE={size!r}: write one period=size pair per period, comma-separated, "
            "as the market table's periods read (e.g. '2023=15315.4, 2024=16081.1')"
        )
    keys, values = zip(*(p.split("=") for p in pairs), strict=True)
    try:
        numbers = [float(v.strip().replace("_", "")) for v in values]
    except ValueError as exc:
        raise ChapterError(f"MARKET_SIZE={size!r}: a size is not a number ({exc})") from exc
    table = year_periods(pd.DataFrame({S.PERIOD: [k.strip() for k in keys]}))[S.PERIOD]
    if pd.api.types.is_datetime64_any_dtype(
        df[S.PERIOD]
    ) and not pd.api.types.is_datetime64_any_dtype(table):
        table = pd.to_datetime(table, errors="coerce")
    lookup = pd.Series(numbers, index=pd.Index(table))
    if not sales_are_shares(df):
        raise ChapterError(
            "MARKET_SIZE is for a table of shares (every period adding up to 100 or 1); "
            "market.sales already holds sales, so leave MARKET_SIZE empty"
        )
    missing = sorted({p for p in df[S.PERIOD].unique() if p not in lookup.index})
    if missing:
        step = period_step(df[S.PERIOD])
        shown = ", ".join(period_label(p, step) for p in missing[:6])
        raise ChapterError(
            f"MARKET_SIZE has no size for {len(missing)} period(s) of the market table "
            f"({shown}); give one period=size pair for each"
        )
    totals = df.groupby(S.PERIOD)[S.SALES].transform("sum")
    df = df.copy()
    df[S.SALES] = df[S.SALES] / totals * df[S.PERIOD].map(lookup)
    used = lookup[lookup.index.isin(df[S.PERIOD].unique())].sort_index()
    step = period_step(df[S.PERIOD])
    first, last = used.index[0], used.index[-1]
    text = (
        f"market.sales holds shares; MARKET_SIZE gives the market's size per period "
        f"({used.iloc[0]:z,.1f} in {period_label(first, step)} to {used.iloc[-1]:z,.1f} in "
        f"{period_label(last, step)}), so each company's sales are its share times the size."
    )
    return df, Finding(
        text,
        "info",
        {
            "periods": len(used),
            "size_first": float(used.iloc[0]),
            "size_last": float(used.iloc[-1]),
        },
    )


SALES_MEASURES = ("revenue", "units", "mentions")
"""What market.sales may measure (the SALES_IS parameter): money, units, or mentions (rows
that are the measure themselves: a listening export's posts, one per row with
``constants: {sales: 1}``, whose shares are shares of voice; byod12b D7)."""

VOICE_HINT = (
    "; or, when each row is itself what to count (a listening export's mentions), set "
    "chapters.06_market_competition.parameters.SALES_IS: mentions to read shares of mentions "
    "(share of voice)"
)


def sales_skip_reason(market: Any, *, brief: bool = False, sales_is: str = "revenue") -> str | None:
    """Why market.sales cannot be read as sales, or None when it can: it holds one value in
    every row (as ``constants: {sales: 1}`` gives a price scrape, which has no sales), so
    shares, concentration, growth, the demand model and the price scenarios would count the
    table's rows. A ``share`` column with values stands in for sales (None then), and so do
    counts when ``sales_is="mentions"`` says the rows are the measure (None then), and so
    does 1 a row when ``sales_is="units"`` says each row is a unit sold (Inside Airbnb's
    booked nights, ``constants: {sales: 1}``; byod13b D16). Reads
    :data:`CONSTANT_SALES` from the ``attrs`` :func:`calendar_periods` set (it sums a day's
    rows into counts), else the column itself. ``brief``: one clause, for the sections
    skipped after the share finding has said it in full."""
    check_choice(sales_is, "SALES_IS", SALES_MEASURES)
    df = market if isinstance(market, pd.DataFrame) else as_frame(market, [S.PERIOD])
    if sales_is == "mentions" or (S.SHARE in df.columns and df[S.SHARE].notna().any()):
        return None
    value = df.attrs[CONSTANT_SALES] if CONSTANT_SALES in df.attrs else _constant_sales(df)
    if value is None or (sales_is == "units" and value == 1):
        return None  # SALES_IS: units with 1 a row: each row is a unit sold (a booked night)
    if brief:
        return f"market.sales holds {value:g} in every row, a count of rows, not sales (see above)"
    text = (
        f"market.sales holds {value:g} in every row, so it counts the table's rows (a price "
        "scrape's entries), not sales; market shares, concentration, growth, strengths and "
        "weaknesses, the share forecast, the demand model and the price scenarios would all "
        "be row counts. "
    )
    if S.PRICE not in df.columns or not priced(df[S.PRICE]).any():  # byod12b D6
        return text + (
            "The table has no price either (no market.price above 0), so there is nothing "
            "to read: neither sales nor prices. Map a sales or units column to market.sales, "
            "or a price column to market.price" + VOICE_HINT
        )
    return text + (
        "Competitor price moves and our price position are read from the prices; map a "
        "sales or units column to market.sales to get the rest" + VOICE_HINT
    )


def calendar_periods(
    market: Any, period: str = "", *, product: str = "", company: str = "", book: bool = False
) -> tuple[pd.DataFrame, Finding | None]:
    """:func:`_calendar_periods`, with :data:`CONSTANT_SALES` in the result's ``attrs`` when
    market.sales held one value in every row before rows were combined into periods, without
    a first or last period the data cover only in part (:func:`_drop_partial_periods`), and
    with the note saying so, and when a company's price is a mix average of several products
    (:func:`_mix_price_note`). A partial period that is the only one holding ``company`` (our
    name, as :func:`choose_company` finds it: an app updated only this year) is kept, and the
    note says so: without it the chapter would have no "us" (byod13b D2).

    Periods that are year numbers (``2018`` ... ``2024``, as integers, whole floats or text:
    an annual Euromonitor or Statista sheet unpivoted on its year headers) become calendar
    years first (1 January of each), so the season, the comparison with the period before
    and the labels (``2024``) are those of yearly data (byod11b D7). ``book``: every row is
    a forward booking (:func:`forward_rows`), whose partial ends feed only the shares of the
    book (growth, moves, the demand model and the forecasts are not made from a book)."""
    market = year_periods(market)
    df, note = _calendar_periods(market, period, product=product)
    step = period or (str(note.evidence.get("period", "")) if note is not None else "")
    ours = _matches(company, sorted(set(df[S.COMPANY].astype(str)))) if company else []
    stamps = as_frame(market, [S.PERIOD])[S.PERIOD]
    df, partial = _drop_partial_periods(stamps, df, step, ours, book=book)
    # a book makes no price moves, elasticity or scenarios: no note on what its prices mix
    mix = None if book else _mix_price_note(as_frame(market, [S.PERIOD, S.COMPANY]), step, product)
    if mix is not None and mix.evidence.get("product_key"):  # each product's own price
        df = _basket_prices(as_frame(market, [S.PERIOD, S.COMPANY]), df, step, mix)
    note = _joined(note, partial, mix)  # periods left out, prices that are mix averages
    constant = _constant_sales(as_frame(market, [S.PERIOD]))
    if constant is not None:
        df = df.copy()
        df.attrs[CONSTANT_SALES] = constant
    return df, note


def year_periods(market: Any) -> pd.DataFrame:
    """``market`` with ``period`` as dates (1 January) when every period is a year, by the
    loader's rule (:func:`opsai.data.years.year_dates`: a whole number of four digits between
    :data:`~opsai.data.years.YEARS`, ``2024``, ``2024.0`` or ``"2024"``), else as given. Other
    numbers (period indices 1, 2, 3 ...) and labels (``2024H1``) are left alone."""
    df = as_frame(market, [S.PERIOD])
    dates = year_dates(df[S.PERIOD])
    if dates is None:
        return df
    df = df.copy()
    df[S.PERIOD] = dates
    return df


def _joined(*notes: Finding | None) -> Finding | None:
    """The notes that are there as one finding (medium when there are several)."""
    have = [n for n in notes if n is not None]
    if len(have) < 2:
        return have[0] if have else None
    evidence: dict[str, Any] = {}
    for n in have:
        evidence |= n.evidence
    return Finding(" ".join(n.text for n in have), "medium", evidence)


MIXED_PRICES = 0.5
"""Above this share of company-periods holding several prices (no PRODUCT), the company's
price is a mix average and the chapter says so (byod11a D13)."""


def _mix_price_note(raw: pd.DataFrame, step: str, product: str) -> Finding | None:
    """A finding when rows put into ``step`` periods without a ``product`` key hold several
    prices per company and period, so the company's price is the sales-weighted mean of what
    sold and a shift in the mix reads as a price move (REES46 by brand: "xiaomi cut its price
    by 22%", where no xiaomi product ever changed price, byod11a D13); it names a column that
    looks like the product key: each value with one company, recurring over periods at one
    price."""
    if product or S.PRICE not in raw or step not in PERIOD_STEPS or step == "day":
        return None
    if not pd.api.types.is_datetime64_any_dtype(raw[S.PERIOD]):
        return None
    df = raw[priced(raw[S.PRICE])].copy()
    df["_p"] = df[S.PERIOD].dt.to_period(PERIOD_STEPS[step]).dt.start_time
    n = df.groupby(["_p", S.COMPANY])[S.PRICE].nunique()
    mixed = float((n > 1).mean()) if len(n) else 0.0
    if mixed <= MIXED_PRICES:
        return None
    key, best = None, 0.0
    skip = {S.PERIOD, S.COMPANY, S.SALES, S.PRICE, S.SHARE, S.MARKETING_SPEND, S.USERS, "_p"}
    for c in [c for c in df.columns if c not in skip]:
        k = df[c]
        if k.isna().mean() > 0.1 or not df[S.COMPANY].nunique() < k.nunique() < len(df) / 2:
            continue
        nests = float((df.groupby(c)[S.COMPANY].nunique() <= 1).mean())
        one = float((df.groupby([c, "_p"])[S.PRICE].nunique() <= 1).mean())
        recurs = float(k.map(df.groupby(c)["_p"].nunique() >= 2).mean())
        if nests >= 0.95 and one >= 0.9 and recurs >= 0.5 and one > best:
            key, best = c, one
    text = (
        f"In {mixed:.0%} of the company-{step}s the rows hold several prices (median "
        f"{float(n.median()):,.0f}): without a PRODUCT parameter a company's price would be "
        "the sales-weighted mean of what it sold, and a shift in which products sold would "
        "read as a price move."
    )
    if key:
        text += (
            f" Column {key!r} looks like the product key ({df[key].nunique():,} values, each "
            f"with one company and one price in {best:.0%} of its {step}s), so a company's "
            f"price here is a fixed basket instead: each {key}'s own price (carried over the "
            f"{step}s it did not sell in) weighted by its share of the company's sales over "
            f"all the data. Set PRODUCT: {key} in chapters.06_market_competition.parameters "
            "to model each product."
        )
    else:
        text += (
            " The price moves, the elasticity and the price scenarios below rest on that mix "
            "average; map a product column and set PRODUCT to compare each product's own price."
        )
    return Finding(text, "medium", {"mixed_price_share": mixed, "product_key": key})


def _basket_prices(raw: pd.DataFrame, df: pd.DataFrame, step: str, mix: Finding) -> pd.DataFrame:
    """``df`` (one row per company and period) with each company's price a fixed basket of
    its products (``mix.evidence["product_key"]``): every product's own price per period (the
    sales-weighted mean of its rows, carried forward, then back, over periods without a
    sale), weighted by the product's share of the company's sales over all periods, so a
    shift in which products sold moves no price. ``mix.evidence["basket_prices"]`` is set."""
    key = str(mix.evidence["product_key"])
    rows = raw[priced(raw[S.PRICE])].copy()
    rows["_p"] = rows[S.PERIOD].dt.to_period(PERIOD_STEPS[step]).dt.start_time
    w = rows[S.SALES] if S.SALES in rows else pd.Series(1.0, index=rows.index)
    rows = rows.assign(_w=w.fillna(0.0), _wp=w.fillna(0.0) * rows[S.PRICE])
    g = rows.groupby([S.COMPANY, key, "_p"])[["_w", "_wp", S.PRICE]]
    per = g.agg({"_w": "sum", "_wp": "sum", S.PRICE: "mean"})
    per["_price"] = (per["_wp"] / per["_w"].where(per["_w"] > 0)).fillna(per[S.PRICE])
    basket = []
    for company, part in per.groupby(level=0):
        wide = part["_price"].droplevel(0).unstack(key).sort_index().ffill().bfill()
        share = part["_w"].groupby(level=1).sum()
        share = share / share.sum() if share.sum() > 0 else share * 0 + 1 / len(share)
        value = wide[share.index].mul(share, axis=1).sum(axis=1)
        basket.append(pd.DataFrame({S.PERIOD: value.index, S.COMPANY: company, "_b": value}))
    prices = pd.concat(basket, ignore_index=True)
    out = df.merge(prices, on=[S.PERIOD, S.COMPANY], how="left")
    out[S.PRICE] = out["_b"].fillna(out[S.PRICE])
    out = out.drop(columns="_b")
    out.attrs = dict(df.attrs)
    mix.evidence["basket_prices"] = True
    return out


def _drop_partial_periods(
    stamps: pd.Series,
    df: pd.DataFrame,
    step: str,
    ours: list[str] | None = None,
    *,
    book: bool = False,
) -> tuple[pd.DataFrame, Finding | None]:
    """``df`` (rows put into calendar ``step`` periods from the time ``stamps``) without a first
    or last period the data cover only partly, as the overview and chapter 04 leave them out
    (:func:`~opsai.forecast.periods.partial_last`, :func:`~opsai.forecast.periods.partial_first`):
    an export from a Tuesday to a Tuesday gives a first week of 6 days and a last of 2, whose
    sales read as the market collapsing 80% (REES46 by week: 43,307 -> 8,746, byod11a D12).
    Rows that are already one date per period (period totals) cannot say which days they
    cover: a last one under half the periods before it (their median) is the period so far.
    At least two periods are kept, and so are partial ones when the companies ``ours`` (our
    name as the table writes it) have rows in no other. The finding names what was left out
    and what was kept for us; on a forward ``book`` only the shares of the book use them
    (byod13b: "moves and the forecasts use the 11 whole months" on a booking calendar)."""
    from opsai.forecast.periods import partial_first, partial_last, small_last

    freq = PERIOD_STEPS.get(step, "D")
    if freq == "D" or not pd.api.types.is_datetime64_any_dtype(stamps) or df.empty:
        return df, None
    sales = S.SALES in df and bool(df[S.SALES].notna().any())
    by = df.groupby(S.PERIOD)
    total = (by[S.SALES].sum() if sales else by.size().astype(float)).sort_index()
    days = stamps.dropna().dt.normalize()
    per = days.groupby(days.dt.to_period(freq).dt.start_time).nunique().sort_index()
    inner = per.iloc[1:-1] if len(per) > 2 else per
    if float(inner.median()) > 1:  # rows finer than the period: the days tell
        ends = [partial_first(total, freq, days), partial_last(total, freq, days)]
    else:  # one date per period: only the size can tell
        last = small_last(total, pd.Timestamp(total.index.max()))
        ends = [None, last and last | {"unit": step}]
    cut = [e for e in ends if e]
    if not cut or len(total) - len(cut) < 2:
        return df, None
    gone = [pd.Timestamp(e["period"]) for e in cut]
    mine = set(df.loc[df[S.COMPANY].astype(str).isin(ours or []), S.PERIOD])
    if mine and mine <= set(gone):  # we are only in a partial period: keep it, or lose "us"
        gone = [g for g in gone if g not in mine]
    kept = total.index[~total.index.isin(gone)]
    measure = "bookings" if book else "sales" if sales else "rows"
    parts = []
    for e, side in zip(ends, ("first", "last"), strict=True):
        if not e:
            continue
        name = period_label(pd.Timestamp(e["period"]), step)
        other = e.get("units_after" if side == "first" else "units_before")
        had = f"{e['units']:,.0f} {measure}" + (
            f" against {other:,.0f} in the {step} {'after' if side == 'first' else 'before'}"
            if other is not None
            else ""
        )
        if e.get("days"):
            edge = f"start on {e['first_day']}" if side == "first" else f"stop on {e['last_day']}"
            parts.append(f"the {side} {step}, {name}, holds {e['days']} of its {e['of']} days "
                         f"(the data {edge}; {had})")  # fmt: skip
        else:
            parts.append(f"the {side} {step}, {name}, holds {had}: most likely the {step} so far")
    left = [e for e in cut if pd.Timestamp(e["period"]) in gone]
    reading = (
        "bookings thinning at the ends of the book"
        if book
        else "the market shrinking or growing and as every share moving"
    )
    text = (
        f"{'; '.join(parts)[0].upper()}{'; '.join(parts)[1:]}. Compared as whole {step}s they "
        f"would read as {reading}"
    )
    if len(left) < len(cut):
        saved = [period_label(pd.Timestamp(e["period"]), step) for e in cut if e not in left]
        it, named = ("it", saved[0]) if len(saved) == 1 else ("them", " and ".join(saved))
        text += (
            f"; but {', '.join(ours or [])} has rows only in {named}, so {it} "
            f"{'is' if it == 'it' else 'are'} kept (without {it} the chapter would have no "
            f"'us'): the figures of {named} cover part of the {step}, and a change into "
            f"{it} compares a part {step} with a whole one"
        )
    if left and len(left) < len(cut):
        gone_names = " and ".join(period_label(pd.Timestamp(e["period"]), step) for e in left)
        text += f". {gone_names} {'are' if len(left) > 1 else 'is'} left out"
    elif left:
        text += f", so {'they are' if len(left) > 1 else 'it is'} left out"
    users = (
        "the shares of the book use"
        if book
        else "shares, growth, moves, the demand model and the forecasts use"
    )
    text += (
        f": {users} the {len(kept)} "
        f"{'whole ' * (len(left) == len(cut))}{step}s from {period_label(kept[0], step)} to "
        f"{period_label(kept[-1], step)}."
    )
    evidence = {"partial_periods": [e["period"] for e in left], "whole_periods": len(kept)}
    if len(left) < len(cut):
        evidence["kept_for_us"] = [e["period"] for e in cut if e not in left]
    evidence |= {f"partial_{side}": e for e, side in zip(ends, ("first", "last"), strict=True) if e}
    out = df[~df[S.PERIOD].isin(gone)].reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out, Finding(text, "medium", evidence)


def _calendar_periods(
    market: Any, period: str = "", *, product: str = ""
) -> tuple[pd.DataFrame, Finding | None]:
    """``market`` with ``period`` floored to calendar periods, one row per company (and
    ``product``) per period.

    ``period`` is ``""`` (periods as given), ``"day"``, ``"week"`` (weeks start on Monday),
    ``"month"``, ``"quarter"`` or ``"year"``. Rows falling in the same period are combined:
    sales and marketing spend summed, price the sales-weighted mean (the plain mean where the
    period has no sales), share and users the mean, other numeric columns the mean and text
    columns the first value.

    With ``period=""`` the periods are checked: when most hold a single company (each
    company's rows stamped at its own time, as a scrape gives), timestamps with a time of day
    are put into days, or weeks or months when more than :data:`SCRAPE_GAPS` of the days
    lack a company active then (irregular snapshots, as Keepa's), and the returned finding
    says so.

    Raises:
        ChapterError: ``period`` is unknown; a calendar period is asked of a period column
            that holds no dates; or most periods hold a single company and the periods carry
            no time of day (the message names PERIOD).
    """
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    if period not in ("", *PERIOD_STEPS):
        raise ChapterError(
            f"PERIOD={period!r} is not a calendar period; use one of "
            f"{', '.join(repr(k) for k in ('', *PERIOD_STEPS))} ('' keeps market.period as given)"
        )
    dated = pd.api.types.is_datetime64_any_dtype(df[S.PERIOD])
    note = None
    if not period:
        lone = _lone_fraction(df)
        if lone <= 0.5:
            return df, None
        n = int(df[S.PERIOD].nunique())
        timed = dated and bool((df[S.PERIOD] != df[S.PERIOD].dt.normalize()).any())
        if not timed:
            raise ChapterError(
                f"market.period: {lone:.0%} of the {n:,} periods hold a single company, so "
                "shares, concentration and moves would compare nothing. Set the PERIOD "
                "parameter ('day', 'week', 'month', 'quarter' or 'year') to put the rows into "
                "calendar periods"
            )
        period, gaps = _scrape_period(df)
        why = (
            "calendar days"
            if period == "day"
            else f"calendar {period}s, as {gaps['day']:.0%} of days lack a company that is "
            f"active then (in {period}s: {gaps[period]:.0%})"
        )
        note = Finding(
            f"market.period holds times of day and {lone:.0%} of its {n:,} time stamps hold a "
            f"single company, so the rows were put into {why}. Set the PERIOD parameter "
            "('day', 'week', 'month') to choose the period yourself.",
            "medium",
            {"periods_as_given": n, "single_company": lone, "period": period}
            | {f"gaps_{k}": v for k, v in gaps.items()},
        )
    if not dated:
        raise ChapterError(
            f"PERIOD={period!r} needs dates in market.period, which holds "
            f"{df[S.PERIOD].dtype} values such as {df[S.PERIOD].iloc[0]!r}. Map a date "
            "column to period, or leave PERIOD empty"
        )
    df = df.copy()
    df[S.PERIOD] = df[S.PERIOD].dt.to_period(PERIOD_STEPS[period]).dt.start_time
    keys = [S.PERIOD, S.COMPANY] + ([product] if product and product in df.columns else [])
    if not df.duplicated(keys).any():
        return df, note
    return _combine(df, keys), note


def _combine(
    df: pd.DataFrame,
    keys: list[str],
    *,
    flows: tuple[str, ...] = (S.SALES, S.MARKETING_SPEND),
    weight: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per ``keys``: the ``flows`` summed, price the ``weight``-weighted mean (default
    sales) over the rows with a price, the plain mean where they weigh nothing, other numeric
    columns the mean and text columns the first value."""
    sums = [c for c in flows if c in df.columns]
    rest = [c for c in df.columns if c not in (*keys, *sums, S.PRICE)]
    numeric = [c for c in rest if pd.api.types.is_numeric_dtype(df[c])]
    text = [c for c in rest if c not in numeric]
    g = df.groupby(keys, sort=True, dropna=False)
    parts = [g[sums].sum(min_count=1)] if sums else []
    parts += [g[numeric].mean()] if numeric else []
    parts += [g[text].first()] if text else []
    if S.PRICE in df.columns:
        if weight is None and S.SALES in df.columns:
            weight = df[S.SALES]
        plain = g[S.PRICE].mean()
        if weight is not None:
            w = weight.where(priced(df[S.PRICE]))
            tmp = df.assign(_w=w, _wp=w * df[S.PRICE]).groupby(keys, sort=True, dropna=False)
            wsum = tmp["_w"].sum()
            weighted = tmp["_wp"].sum() / wsum.where(wsum > 0)
            plain = weighted.fillna(plain)
        parts.append(plain.rename(S.PRICE))
    out = pd.concat(parts, axis=1).reset_index()
    return out[[c for c in df.columns if c in out.columns]]


def complete_periods(market: Any) -> pd.Index:
    """Periods in which every company active then is present: a company counts as active
    from its first to its last period in the table, so a missing day inside that span (a
    failed scrape) makes the period incomplete, while a late entrant or an exit does not."""
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    seen = df.groupby([S.PERIOD, S.COMPANY]).size().unstack(fill_value=0) > 0
    seen = seen.sort_index()
    started = seen.cummax()
    going = seen[::-1].cummax()[::-1]
    missing = (started & going & ~seen).any(axis=1)
    return seen.index[~missing.to_numpy()]


BOUND = re.compile(r"^\s*<\s*(\d+(?:[.,]\d+)?)\s*$")
"""An na_values marker that is an upper bound, ``<1`` (Google Trends: above 0, below 1)."""


def coverage_finding(market: Any, *, na_values: Sequence[str] = ()) -> Finding | None:
    """A data-quality finding when some periods lack a company that is there before and after
    (gaps inflate the others' shares that period); None when every period is complete.

    ``na_values``: the market table's markers read as missing (config ``na_values``). An
    unpivoted cell read as missing gives no row, so the finding then names them as a likely
    cause instead of failed loads, and a bound such as ``<1`` as a small value, not a gap."""
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    periods = np.sort(df[S.PERIOD].unique())
    complete = complete_periods(df)
    gaps = len(periods) - len(complete)
    if gaps == 0:
        return None
    seen = df.groupby([S.PERIOD, S.COMPANY]).size().unstack(fill_value=0) > 0
    active = seen.cummax() & seen[::-1].cummax()[::-1]
    absent = (active & ~seen).sum().sort_values(ascending=False)
    absent = absent[absent > 0]
    step = period_step(periods)
    worst = ", ".join(f"{c} {int(n)}" for c, n in absent.head(3).items())
    text = (
        f"{gaps} of {len(periods)} periods ({gaps / len(periods):.0%}) lack at least one "
        f"company that has rows before and after ({worst} periods missing), e.g. "
        f"{period_label(_first_gap(active, seen), step)}. In those periods the others' "
        "shares read high and concentration reads high; the competitor-move shares below use "
        "only the complete periods. "
    )
    bounds = [str(v) for v in na_values if BOUND.match(str(v))]
    if bounds:
        text += (
            f"The table's na_values read {', '.join(repr(b) for b in bounds)} as missing, "
            "though it is a value: a small one below the bound (Google Trends writes '<1' for "
            "interest above 0 and below 1). These gaps are most likely those cells, not "
            "failed loads; the company's true share there is small, under the bound against "
            "the period's total."
        )
    elif na_values:
        text += (
            f"The table's na_values ({', '.join(repr(str(v)) for v in na_values)}) read "
            "cells as missing, and a missing cell gives no row: if those markers are the "
            "gaps, nothing failed to load. Otherwise check the extract for failed loads or "
            "scrapes."
        )
    else:
        text += "Check the extract for failed loads or scrapes."
    severity = "medium" if gaps / len(periods) >= 0.05 else "low"
    return Finding(
        text,
        "low" if bounds else severity,
        {
            "incomplete_periods": gaps,
            "periods": len(periods),
            "na_values": list(map(str, na_values)),
        }
        | {f"missing.{c}": int(n) for c, n in absent.items()},
    )


def price_gap_finding(market: Any, *, sales_is: str = "revenue") -> Finding | None:
    """A finding counting the company-periods without a usable price (missing, such as an
    out-of-stock ``-1`` read through ``na_values``, or 0 and below), which the price-based
    fits leave out while shares count their sales; None when every row has a price or the
    table has no price column."""
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    if S.PRICE not in df.columns:
        return None
    ok = priced(df[S.PRICE]).groupby([df[S.PERIOD], df[S.COMPANY].astype(str)]).any()
    if ok.all():
        return None
    seen = ok.groupby(level=1).size()
    bad = (~ok).groupby(level=1).sum()
    bad = bad[bad > 0].sort_values(ascending=False)
    dated = pd.api.types.is_datetime64_any_dtype(df[S.PERIOD])
    step = period_step(df[S.PERIOD])
    unit = f"{step}s" if dated else "periods"
    never = [str(c) for c in bad.index if bad[c] == seen[c]]
    parts = []
    for c in [c for c in bad.index if c not in never][:3]:
        when = sorted(ok[~ok].xs(c, level=1).index)
        shown = ", ".join(period_label(p, step) for p in when[:3]) + (
            ", ..." if len(when) > 3 else ""
        )
        parts.append(f"{c} in {int(bad[c])} of its {int(seen[c])} {unit} ({shown})")
    text = f"No price for {'; '.join(parts)}" if parts else ""
    if never:
        joined = ", ".join(never[:5]) + (" ..." if len(never) > 5 else "")
        text += ("; " if text else "") + f"no price at all for {joined}"
    text += (
        " (a missing price, as when an out-of-stock -1 is read as missing, or one of 0 or "
        f"below). Those {int(bad.sum())} company-{unit} are left out of the price index, the "
        "demand model, the log-log check and the scenarios; market shares still count their "
        "sales."
    )
    if never and sales_is == "revenue":
        text += (
            " Without a price their units are unknown, so the demand model's unit shares are "
            "those of the priced companies."
        )
    text = text[0].upper() + text[1:]
    severity = "medium" if never or bad.sum() >= 0.1 * len(ok) else "low"
    evidence = {"unpriced": int(bad.sum()), "company_periods": len(ok)}
    return Finding(text, severity, evidence | {f"unpriced.{c}": int(n) for c, n in bad.items()})


def _first_gap(active: pd.DataFrame, seen: pd.DataFrame) -> Any:
    """The first period in which an active company is missing."""
    gap = (active & ~seen).any(axis=1)
    return gap[gap].index[0]


def split_names(text: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """``"a, b"`` or ``["a", "b"]`` -> ``["a", "b"]``; empty -> ``[]``."""
    if not text:
        return []
    items = text.split(",") if isinstance(text, str) else list(text)
    return [s.strip() for s in items if s.strip()]


def _matches(name: str, have: list[str]) -> list[str]:
    """The names in ``have`` that are ``name`` as written, else ignoring case, else with
    ``name`` as a word prefix of theirs or theirs of ``name``, ignoring case: ``NordicBrew``
    finds ``NordicBrew: (Sweden)`` (Google Trends' geo suffix) and ``nordicbrew.se``, not
    ``NordicBrewery``."""
    if name in have:
        return [name]
    key = name.casefold().strip()
    same = [h for h in have if h.casefold().strip() == key]
    if same or not key:
        return same

    def prefix(a: str, b: str) -> bool:  # a starts b, ending at a word boundary of b
        return b.startswith(a) and (len(b) == len(a) or not b[len(a)].isalnum())

    return [h for h in have if prefix(key, h.casefold()) or prefix(h.casefold().strip(), key)]


DEFAULT_COMPANY = "Our company"
"""The config's company when it sets none (:class:`opsai.config.Config`)."""


def choose_company(
    market: Any, name: str, *, fallback: str | None = None, col_company: str = S.COMPANY
) -> tuple[str, Finding | None]:
    """Our company and, when it is not the name asked for as written, a finding saying so.

    ``name`` (the COMPANY parameter) if given, else ``fallback`` (the config's company); each
    is found as written, else ignoring case, else as a word prefix (:func:`_matches`:
    ``NordicBrew`` is ``NordicBrew: (Sweden)``), which an info finding names. When the
    config's company is not in the table, the company with the largest sales in the last
    period is taken, and a high finding names it, the names the table has and how to set
    COMPANY (medium when the config names no company).

    Raises:
        ChapterError: ``name`` is given but matches no company, or several (the message
            lists some).
    """
    df = as_frame(market, [col_company])
    have = sorted(set(df[col_company].astype(str)))
    shown = ", ".join(have[:12]) + (" ..." if len(have) > 12 else "")
    if name:
        found = _matches(name, have)
        if len(found) != 1:
            raise ChapterError(
                f"COMPANY={name!r} {'matches several' if found else 'is not in'} "
                f"market.{col_company} (have: {', '.join(found) or shown}). Set the COMPANY "
                "parameter to one of them as written"
            )
        return found[0], _read_as("COMPANY", name, found[0], col_company)
    found = _matches(fallback, have) if fallback else []
    if len(found) == 1:
        return found[0], _read_as("The config's company", str(fallback), found[0], col_company)
    sh = market_shares(df if S.SALES in df.columns else market, col_company=col_company)
    last = sh[sh[S.PERIOD] == sh[S.PERIOD].max()]
    us = str(last.iloc[0][col_company])
    named = bool(fallback) and fallback != DEFAULT_COMPANY
    why = (
        f"The config's company {fallback!r} "
        + (
            f"matches several names in market.{col_company}"
            if found
            else f"is not in market.{col_company}"
        )
        if named
        else "The config names no company"
    )
    text = (
        f"{why} (have: {', '.join(found) or shown}), so the chapter took {us}, the largest in "
        f"the last period, as us: every 'our share' and 'our price' below is {us}'s. Set "
        "chapters.06_market_competition.parameters.COMPANY to our name as market."
        f"{col_company} writes it (or the config's company)."
    )
    evidence = {"company": us, "asked": str(fallback or ""), "have": shown}
    return us, Finding(text, "high" if named else "medium", evidence)


def _read_as(who: str, name: str, found: str, col: str) -> Finding | None:
    """An info finding when ``name`` was found as ``found``, not as written."""
    if found == name:
        return None
    text = f"{who} {name!r} is read as {found!r}, its name in market.{col}."
    return Finding(text, "info", {"company": found, "asked": name})


def resolve_company(
    market: Any, name: str, *, fallback: str | None = None, col_company: str = S.COMPANY
) -> str:
    """Our company (:func:`choose_company`, without its finding): ``name`` if given, else
    ``fallback`` (the config's company) when it is in the table, else the company with the
    largest sales in the last period.

    Raises:
        ChapterError: ``name`` is given but not in the table (the message lists some).
    """
    return choose_company(market, name, fallback=fallback, col_company=col_company)[0]


def fit_demand(
    market: Any,
    *,
    product: str = "",
    characteristics: str | list[str] = "",
    instruments: str = "auto",
    nest: str = "",
    sales_is: str = "revenue",
) -> LogitDemand:
    """Fit the chapter's demand model with sensible defaults for the table at hand.

    Shares come from the ``share`` column, else from sales; with ``sales_is="revenue"``
    from units (sales / price), since a revenue share is the unit share times the price and
    would add one to the log-price slope (a true elasticity of -1.8 read -0.28).

    * One row per company and period (``product`` empty): a logit on log price with company
      fixed effects (brand quality) and log marketing spend when present; shares from the
      ``share`` column, else sales shares. Prices are taken as exogenous: month-to-month
      price moves within a company identify the slope.
    * One row per product (``product`` names its column): a logit on price level with the
      ``characteristics``; ``instruments="auto"`` uses BLP instruments built from them
      (sums over the firm's other products and over rivals'), ``"none"`` OLS, or a comma
      list of instrument columns; ``nest`` adds the nested logit.
    * Product rows without ``characteristics`` that recur over periods with moving prices
      (a price scrape, a product sales panel): a logit on log price with product fixed
      effects, as with company rows. Without them the slope would come from comparing the
      prices of different products, where dearer products also sell for their quality,
      and reads close to zero (a scrape with a true elasticity of -3 read -0.07).

    Several rows per company (or per ``product``) and period, as a scanner export's regions,
    channels or stores give, are first combined (:func:`aggregate_companies`: sales summed,
    the units-weighted price), so each period's shares add up to one; merged back onto every
    row they would be counted once per row (24 rows per company read a share of 630%, and an
    elasticity of +11.8 for a price slope of -2.8; a UPC sold in 12 markets a share of 260%).
    A product is renamed ``company · product`` only when several companies sell it in one
    period.

    Company-periods without a price (missing, 0 or negative: an out-of-stock week) are left
    out of the fit (``left_out_``), while the shares of the others still count their sales:
    with shares computed from sales the model has period fixed effects (``outside="none"``),
    so leaving a row out does not move the others' estimates (:func:`price_gap_finding`
    says how many).

    Raises:
        ChapterError: the table lacks a price column.
    """
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    if S.PRICE not in df.columns:
        raise ChapterError("market has no price column: price response needs it")
    if product and product not in df.columns:
        raise ChapterError(f"market has no column {product!r} (the PRODUCT parameter)")
    if product and df.groupby([S.PERIOD, product])[S.COMPANY].nunique().gt(1).any():
        # one product sold by several companies (a retailers' scrape): each company's offer
        # is a product of its own
        offer = df[S.COMPANY].astype(str) + " · " + df[product].astype(str)
        df = df.assign(**{product: offer})
    check_choice(sales_is, "SALES_IS", ("revenue", "units"))
    df = df.assign(**{S.PRICE: df[S.PRICE].where(priced(df[S.PRICE]))})  # 0, -1: no price
    keys = [S.PERIOD, product, S.COMPANY] if product else [S.PERIOD, S.COMPANY]
    if df.duplicated(keys).any():  # regions, channels, stores: one row per product and period
        df = aggregate_companies(df, keys, sales_is=sales_is)
    outside: Any = "auto"
    if S.SHARE not in df.columns or df[S.SHARE].isna().all():
        outside = "none"  # shares of what is sold, among the companies of the period
        units = df[S.SALES] / df[S.PRICE] if sales_is == "revenue" else df[S.SALES]
        basis = df.assign(**{S.SALES: units})
        sh = market_shares(basis, col_company=product or S.COMPANY)
        key = [S.PERIOD, product or S.COMPANY]
        df = df.merge(sh[[*key, S.SHARE]], on=key, how="left", suffixes=("_drop", ""))
    chars = split_names(characteristics)
    nest_col = nest or None
    if not product:
        logs = [S.MARKETING_SPEND] if S.MARKETING_SPEND in df.columns else []
        model = LogitDemand(
            price="log",
            characteristics=chars,
            log_characteristics=logs,
            fixed_effects=[S.COMPANY],
            nest=nest_col,
            outside=outside,
        )
        return model.fit(df)  # rows missing a price, share or spend are left out (left_out_)
    if not chars and _is_panel(df, product):
        extra = [] if instruments in ("auto", "none") else split_names(instruments)
        model = LogitDemand(
            col_product=product,
            price="log",
            instruments=extra or None,
            col_firm=S.COMPANY,
            nest=nest_col,
            fixed_effects=[product],
            outside=outside,
        )
        return model.fit(df)
    iv: Any
    if instruments == "none":
        iv = None
    elif instruments == "auto":
        iv = "blp" if chars else None
    else:
        iv = split_names(instruments)
    model = LogitDemand(
        col_product=product,
        characteristics=chars,
        instruments=iv,
        col_firm=S.COMPANY,
        nest=nest_col,
        outside=outside,
    )
    return model.fit(df)


def latest_units(market: Any, *, sales_is: str = "revenue", product: str = "") -> pd.Series:
    """Units per product in the last period (sales / price when sales is revenue)."""
    col = product or S.COMPANY
    df = as_frame(market, [S.PERIOD, col, S.SALES, S.PRICE])
    last = df[df[S.PERIOD] == df[S.PERIOD].max()]
    units = last[S.SALES] / (last[S.PRICE] if sales_is == "revenue" else 1.0)
    return pd.Series(units.to_numpy(), index=last[col].astype(str).to_numpy())


def market_moves(market: Any, *, product: str = "", sales_is: str = "revenue") -> pd.DataFrame:
    """The moves (:func:`detect_moves`) the chapter follows: prices only when market.sales
    counts a scrape's rows (:func:`sales_skip_reason`); the companies' shares of mentions
    (share of voice) with ``sales_is="mentions"`` (byod12b D7: a launch that takes a fifth of
    the mentions is a share move); else price, a ``share`` column and marketing spend, and
    without a ``share`` column the companies' shares of the sales (byod12b D9: a launch
    taking Roastly from 5% to 25% of weekly mentions counted as units was no move).
    ``product``: the product column of product rows (a basket price index per company)."""
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    if sales_is == "mentions":
        voice = market_shares(df)[[S.PERIOD, S.COMPANY, S.SHARE]]
        moves = detect_moves(voice, metrics=(S.SHARE,))
    elif sales_skip_reason(df, sales_is=sales_is) is not None:
        moves = detect_moves(df, col_product=product or None, metrics=(S.PRICE,))
    else:
        metrics = (S.PRICE, S.SHARE, S.MARKETING_SPEND)
        moves = detect_moves(df, col_product=product or None, metrics=metrics)
        has_share = S.SHARE in df.columns and df[S.SHARE].notna().any()
        if not has_share and S.SALES in df.columns:  # shares of the sales (byod12b D9)
            shares = market_shares(df)[[S.PERIOD, S.COMPANY, S.SHARE]]
            found = detect_moves(shares, metrics=(S.SHARE,))
            if len(found):
                moves = pd.concat([moves, found], ignore_index=True) if len(moves) else found
                moves = moves.loc[moves["t"].abs().sort_values(ascending=False).index]
                moves = moves.reset_index(drop=True)
    return moves


def product_moves(
    market: Any, company: str, product: str, *, top: int = 5, alpha: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame, list[Finding]]:
    """With PRODUCT set, each company's price of each product against ours: the per-product
    price index (:func:`product_price_index`), the moves in it that survive a family-wise
    test over all products and companies (:func:`product_price_moves`, at ``alpha``), and a
    finding for each of the ``top`` strongest (byod12b D16: a competitor's 20% cut on one
    product of twenty moved the basket index 1% and was no move). Empty without
    ``product``, a price, or a price of ours."""
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    empty = pd.DataFrame()
    if not product or S.PRICE not in df.columns or product not in df.columns:
        return empty, empty, []
    ours = df[df[S.COMPANY].astype(str) == str(company)]
    if not priced(ours[S.PRICE]).any():
        return empty, empty, []
    index = product_price_index(df, company, product)
    moves = product_price_moves(index, product, alpha=alpha)
    step, tested = moves.attrs.get("step", "period"), moves.attrs.get("tested", 0)
    found = [
        product_move_finding(mv | {"tested": tested}, product=product, step=step)
        for mv in moves.head(top).to_dict("records")
    ]
    return moves, index, found


def competitor_events(
    market: Any,
    moves: pd.DataFrame,
    company: str,
    *,
    top: int = 3,
    window: int = 3,
    min_share: float = 0.02,
    follow: str = S.SHARE,
    product: str | None = None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Event studies of the ``top`` strongest competitor moves in price (else any metric).

    Only competitors holding at least ``min_share`` of sales on average are considered (a
    fringe firm's "price move" is mostly a change in its product mix). Each move is followed
    by the mover's share (sales share when there is no share column; a product table's shares
    summed per company) over ``window`` periods before and after, counting only the periods
    in which no company active then is missing (:func:`complete_periods`: on a day a
    competitor's rows failed to load, the others' shares read high). A move whose window
    holds no complete period is left out.

    Returns:
        The moves with before/after/change/lo/hi of the share, and one finding per move.
    """
    df = as_frame(market, [S.PERIOD, S.COMPANY, S.SALES])
    theirs = moves[moves[S.COMPANY] != company]
    if follow == S.SHARE:  # without sales (a price scrape) every company counts
        sales = market_shares(df).groupby(S.COMPANY)[S.SHARE].mean()
        big = set(sales[sales >= min_share].index.astype(str))
        theirs = theirs[theirs[S.COMPANY].astype(str).isin(big)]
    priced = theirs[theirs["metric"] == S.PRICE]
    chosen = (priced if len(priced) else theirs).head(top)
    return _move_studies(df, chosen, window, follow=follow, product=product)


def own_moves(
    market: Any,
    moves: pd.DataFrame,
    company: str,
    *,
    top: int = 1,
    window: int = 3,
    follow: str = S.SHARE,
    product: str | None = None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """Event studies of our own ``top`` strongest price moves, as :func:`competitor_events`
    does for rivals: a price rise of ours is named with what our share did after it, beside
    the rivals' moves. The findings start "Our own move:". A shift of our share alone is no
    move of ours (it is what the moves did), so only price moves count."""
    df = as_frame(market, [S.PERIOD, S.COMPANY, S.SALES])
    ours = moves[(moves[S.COMPANY].astype(str) == company) & (moves["metric"] == S.PRICE)]
    events, found = _move_studies(df, ours.head(top), window, follow=follow, product=product)
    return events, [Finding(f"Our own move: {f.text}", f.severity, f.evidence) for f in found]


def _move_studies(
    df: pd.DataFrame,
    chosen: pd.DataFrame,
    window: int,
    *,
    follow: str = S.SHARE,
    product: str | None = None,
) -> tuple[pd.DataFrame, list[Finding]]:
    """The mover's share (``follow="price"``: its price, the basket index over ``product``
    rows) ``window`` periods before and after each of the ``chosen`` moves, over the
    complete periods only, with a finding each; a move outside them is left out."""
    if follow == S.PRICE and (S.PRICE not in df.columns or chosen.empty):
        return pd.DataFrame(), []  # no price, no price move (byod12b D6)
    if follow == S.PRICE:  # no sales to share (a price scrape): what the price did
        firms = company_prices(df, product)
    elif S.SHARE in df.columns and df[S.SHARE].notna().any():  # product rows: sum to companies
        firms = df.groupby([S.PERIOD, S.COMPANY], as_index=False)[S.SHARE].sum(min_count=1)
    else:
        firms = market_shares(df)[[S.PERIOD, S.COMPANY, S.SHARE]]
    complete = complete_periods(df)
    if len(complete) >= 2:  # a missing company would inflate the others' shares that period
        firms = firms[firms[S.PERIOD].isin(complete)]
    step = period_step(df[S.PERIOD])
    rows, found = [], []
    for mv in chosen.to_dict("records"):
        try:
            ev = event_study(firms, mv[S.COMPANY], mv[S.PERIOD], metric=follow, window=window)
        except OpsaiError:  # the move falls outside the complete periods
            continue
        rows.append(
            mv | {f"{follow}_{k}": ev[k] for k in ("before", "after", "change", "lo", "hi")}
        )
        found.append(move_finding(mv, ev, step=step))
    return pd.DataFrame(rows), found


def positioning_frame(
    market: Any, company: str, *, characteristics: str | list[str] = "", periods: int = 12
) -> tuple[pd.DataFrame, list[str]]:
    """Rows and features for :func:`positioning_map` over the last ``periods`` periods.

    Product characteristics (with price) when given; else price against share and, when
    the columns exist, sales per user and sales per unit of marketing spend (missing where
    there are no users or no spend: Google Play's apps without a review, byod13b D1).
    """
    df = as_frame(market, [S.PERIOD, S.COMPANY, S.SALES]).copy()
    last = np.sort(df[S.PERIOD].unique())[-periods:]
    df = df[df[S.PERIOD].isin(last)]
    feats = [c for c in [S.PRICE, *split_names(characteristics)] if c in df.columns]
    if len(feats) < 2:
        df[S.SHARE] = df[S.SALES] / df.groupby(S.PERIOD)[S.SALES].transform("sum")
        feats = [c for c in (S.PRICE,) if c in df.columns] + [S.SHARE]
        if S.USERS in df.columns:  # per user only where there are users (an app never rated)
            df["sales_per_user"] = df[S.SALES] / df[S.USERS].where(df[S.USERS] > 0)
            feats.append("sales_per_user")
        if S.MARKETING_SPEND in df.columns:
            df["sales_per_spend"] = df[S.SALES] / df[S.MARKETING_SPEND].where(
                df[S.MARKETING_SPEND] > 0
            )
            feats.append("sales_per_spend")
    return df, feats


def map_skip_reason(features: list[str]) -> str | None:
    """Why the positioning map is left out (fewer than two features, as a share-only table
    gives: no price, users or marketing spend), or None when it can be drawn."""
    if len(features) >= 2:
        return None
    have = ", ".join(features) or "none"
    return (
        f"the market table gives only {have} per company, and a map needs two features (map "
        "market.price, users or marketing_spend to get one)"
    )


def index_skip_reason(market: Any, company: str) -> str | None:
    """Why our price index is left out: the table has no price column, or ``company`` has no
    price above 0 in any period (a free app among paid ones, byod13b D2); None when it can
    be drawn."""
    df = as_frame(market, [S.COMPANY])
    if S.PRICE not in df.columns:
        return "the market table has no price column"
    if not priced(df.loc[df[S.COMPANY].astype(str) == company, S.PRICE]).any():
        return (
            f"{company} has no price above 0 in any period (free, or its price not given), so "
            "there is no price of ours to set against the rivals'"
        )
    return None


def demand_skip_reason(market: Any, *, sales_is: str = "revenue", product: str = "") -> str | None:
    """Why the demand model (and the elasticity, log-log check, price exposure and price
    scenarios read off it) cannot be fitted, or None when it can: market.sales is no sales
    (:func:`sales_skip_reason`), the table has no price column, or no row with a price
    above 0, or (one row per company, no ``product``) no company's price changes, so the
    company effects leave no price move to read (Google Play's apps, each seen once at its
    price, byod13b D2); with ``sales_is="mentions"`` always: mentions are no purchases at a
    price."""
    if sales_is == "mentions":
        return (
            "SALES_IS is mentions, so market.sales counts mentions, not purchases at a "
            "price: there is no price response or money to read"
        )
    if (why := sales_skip_reason(market, brief=True, sales_is=sales_is)) is not None:
        return why
    df = as_frame(market, [S.PERIOD, S.COMPANY])
    if S.PRICE not in df.columns:
        return (
            "the market table has no price column, and price response needs one (map "
            "data.tables.market.columns.price to a price column to get it)"
        )
    if not priced(df[S.PRICE]).any():
        return "market.price holds no price above 0 in any row"
    prices = df[priced(df[S.PRICE])].groupby(S.COMPANY)[S.PRICE].nunique()
    if not product and not prices.gt(1).any():
        return (
            f"no company's price changes between periods (each of the {len(prices):,} with a "
            "price holds one), and the demand model reads the price response from a "
            "company's own price moves"
        )
    return None


def skipped_finding(what: str, reason: str, severity: str = "info") -> Finding:
    """A one-line finding that the sections ``what`` (``"the positioning map"``) were left
    out, and why: "Skipped the positioning map: ..."."""
    evidence = {"skipped": what, "reason": reason}
    return Finding(f"Skipped {what}: {reason}.", severity, evidence)


def _is_panel(df: pd.DataFrame, product: str) -> bool:
    """Whether products recur over periods with moving prices, so that product fixed effects
    leave price changes within a product to identify the slope: most rows belong to products
    seen in two or more periods, and some product's price moves."""
    rows = df.dropna(subset=[product, S.PRICE])
    if rows.empty:
        return False
    seen = rows.groupby(product)[S.PERIOD].transform("nunique")
    moves = rows.groupby(product)[S.PRICE].nunique().gt(1).any()
    return bool((seen >= 2).mean() > 0.5 and moves)


def company_elasticity(demand: LogitDemand, company: str, *, periods: int = 12) -> dict[str, float]:
    """Our own-price elasticity from the demand model: the mean over our products in the last
    ``periods`` periods, with its delta-method standard error (linear in the price
    coefficient) and our mean share."""
    e = demand.elasticities().assign(firm=demand.data_["firm"].astype(str).to_numpy())
    recent = np.sort(e["period"].unique())[-periods:]
    mine = e[(e["firm"] == company) & e["period"].isin(recent)]
    if mine.empty:
        raise ChapterError(f"company {company!r} has no rows in the demand model's data")
    value = float(mine["own_elasticity"].mean())
    se = abs(value / demand.alpha_) * demand.alpha_se_ if demand.alpha_ else float("nan")
    share = float(mine.groupby("period")["share"].sum().mean())
    return {"elasticity": value, "se": se, "share": share}


def cross_exposure(demand: LogitDemand, company: str, period: Any = None) -> pd.Series:
    """Per competitor firm: % of our total share lost when it cuts all its prices by 1%, in
    ``period`` (default the latest period with our rows)."""
    d = demand.data_
    if period is None:  # the latest period with our rows (a failed scrape can miss the last)
        mine = d.loc[d["firm"].astype(str) == company, "period"]
        period = mine.max() if len(mine) else d["period"].max()
    mat = demand.elasticity_matrix(period)
    rows = d[d["period"] == period]
    firm = rows["firm"].astype(str).to_numpy()
    share = rows["share"].to_numpy()
    ours = firm == company
    weights = share[ours] / share[ours].sum()
    effect = weights @ mat.to_numpy()[ours]  # d ln S_us / d ln p_k for every product k
    out = pd.Series(effect).groupby(firm).sum().drop(index=company, errors="ignore")
    return out.sort_values(ascending=False).rename("cross_elasticity")


def spend_response(demand: LogitDemand, company: str) -> dict[str, float] | None:
    """Elasticity of our units to our marketing spend from the logit, ``gamma (1 - s)`` at the
    last period's share, and our current spend: the mean of our last
    :data:`~opsai.market.response.CURRENT_PERIODS` periods (``spend_periods`` of them), the
    base the marginal return and the what-if use too (None without a spend term)."""
    from opsai.market.response import CURRENT_PERIODS

    name = f"log({S.MARKETING_SPEND})"
    if name not in demand.coef_.index:
        return None
    d = demand.data_
    ours = d[d["firm"].astype(str) == company]
    share = float(ours.loc[ours["period"] == d["period"].max(), "share"].sum())
    gamma, se = float(demand.coef_[name]), float(demand.se_[name])
    per_period = ours.groupby("period")[f"x:{S.MARKETING_SPEND}"].sum().sort_index()
    recent = per_period.tail(CURRENT_PERIODS)
    return {
        "gamma": gamma,
        "gamma_se": se,
        "elasticity": gamma * (1 - share),
        "share": share,
        "spend": float(recent.mean()),
        "spend_periods": len(recent),
    }


def loglog_check(
    market: Any, company: str, *, sales_is: str = "revenue"
) -> LogLogElasticity | None:
    """A log-log regression of our units on our price with market size, rivals' price and (if
    present) spend as controls; None when the table has several rows per company and period,
    or fewer than three periods with our price.

    Periods in which we, or a rival priced in other periods, have no price are left out
    (:func:`~opsai.market.pricing.company_panel`); ``n_dropped_`` counts our rows left out.
    """
    df = as_frame(market, [S.PERIOD, S.COMPANY, S.SALES])
    if S.PRICE not in df.columns or df.duplicated([S.PERIOD, S.COMPANY]).any():
        return None
    if int((priced(df[S.PRICE]) & (df[S.COMPANY].astype(str) == company)).sum()) < 3:
        return None
    panel = company_panel(df, company, sales_is="units" if sales_is == "units" else "revenue")
    logs = ["market_units", "rival_price"]
    logs += [S.MARKETING_SPEND] if S.MARKETING_SPEND in panel.columns else []
    return LogLogElasticity(col_quantity="units", log_controls=logs).fit(panel, table="market")


def _scenario_period(demand: LogitDemand, company: str, rival: str | None) -> tuple[Any, bool]:
    """The latest fitted period holding ``company`` (and ``rival`` when one such period has
    it), preferring periods in which no company was left out of the fit for want of a price,
    and whether the rival is in it."""
    d = demand.data_
    firm = d["firm"].astype(str)
    ours = set(d.loc[firm == company, "period"])
    if not ours:
        raise ChapterError(
            f"COMPANY={company!r} has no rows in the demand model's data (rows with a price and "
            "a share); set COMPANY to a company with prices"
        )
    both = ours & set(d.loc[firm == rival, "period"]) if rival else set()
    gaps = set(demand.left_out_.iloc[:, 0])
    pool = both or ours
    return max(pool - gaps or pool), bool(both)


def standard_scenarios(
    demand: LogitDemand, company: str, rival: str | None, *, n_draws: int = 500, seed: int = 0
) -> dict[str, pd.DataFrame]:
    """Our price -5% / +5%, our spend +10% (when modelled) and a 10% price cut by ``rival``,
    summed per firm, each with a band.

    They start from the latest fitted period in which ``company`` (and the rival, when some
    period holds both) has rows, and every company of the period has a price when such a
    period exists (a company left out would neither win nor lose customers in the scenario);
    the rival's cut is left out when no period holds both.
    :func:`scenario_finding` says when that is not the last period.
    """
    period, with_rival = _scenario_period(demand, company, rival)
    plans: dict[str, dict[str, dict[str, float]]] = {
        "our price -5%": {company: {demand.col_price: -0.05}},
        "our price +5%": {company: {demand.col_price: 0.05}},
    }
    if S.MARKETING_SPEND in demand.log_characteristics:
        plans["our spend +10%"] = {company: {S.MARKETING_SPEND: 0.10}}
    if rival and with_rival:
        plans[f"{rival} price -10%"] = {rival: {demand.col_price: -0.10}}
    return {
        name: simulate(demand, ch, period=period, n_draws=n_draws, seed=seed, by="firm")
        for name, ch in plans.items()
    }


def scenario_finding(
    scenarios: dict[str, pd.DataFrame], demand: LogitDemand, company: str
) -> Finding | None:
    """Says which period the scenarios start from when it is not the model's last (``company``
    has no priced rows there, or another company has none), and which companies the start
    period leaves out for want of a price (a company never priced); None otherwise."""
    if not scenarios:
        return None
    period = next(iter(scenarios.values())).attrs.get("period")
    if period is None:
        return None
    d, left = demand.data_, demand.left_out_
    last = d["period"].max()
    step = period_step(d["period"])
    at, then = period_label(last, step), period_label(period, step)
    texts = []
    if period != last and (d.loc[d["period"] == last, "firm"].astype(str) == company).any():
        who = sorted(map(str, left.loc[left.iloc[:, 0] == last].iloc[:, 1]))
        texts.append(
            f"{', '.join(who)} {'has' if len(who) == 1 else 'have'} no price in the last "
            f"period ({at}), so the scenarios below start from {then}, the latest period in "
            "which every company has one."
        )
    elif period != last:
        texts.append(
            f"{company} has no priced rows in the last period ({at}), so the scenarios below "
            f"start from {then}, the latest period with them."
        )
    out = sorted(map(str, left.loc[left.iloc[:, 0] == period].iloc[:, 1]))
    if out:
        texts.append(
            f"{', '.join(out)} {'has' if len(out) == 1 else 'have'} no price in {then}, the "
            f"period the scenarios start from, so they leave {'it' if len(out) == 1 else 'them'} "
            "out: their shares are shares of the priced companies' sales."
        )
    if not texts:
        return None
    evidence = {"period": then, "last": at} | ({"left_out": ", ".join(out)} if out else {})
    return Finding(" ".join(texts), "low", evidence)


def fit_spend_response(
    market: Any, *, season: int = 12, n_boot: int = 200, seed: int = 0
) -> SpendResponse | None:
    """Adstock + saturation curves of each company's sales on its marketing spend, with its
    own price and the market's total sales as controls; None without a spend column or with
    several rows per company and period."""
    df = as_frame(market, [S.PERIOD, S.COMPANY, S.SALES]).copy()
    if S.MARKETING_SPEND not in df.columns or df.duplicated([S.PERIOD, S.COMPANY]).any():
        return None
    df["market_sales"] = df.groupby(S.PERIOD)[S.SALES].transform("sum")
    controls = [S.PRICE, "market_sales"] if S.PRICE in df.columns else ["market_sales"]
    model = SpendResponse(season=season, controls=controls, n_boot=n_boot, seed=seed)
    return model.fit(df)


def aggregate_companies(
    frame: pd.DataFrame, keys: list[str] | None = None, *, sales_is: str = "units"
) -> pd.DataFrame:
    """One row per ``keys`` (default period and company), for tables with several rows per
    company and period (products, regions, channels, UPCs): sales, share, users and spend
    summed, price the units-weighted mean (by share when the table has one, else by units:
    sales, or sales / price with ``sales_is="revenue"``, so a revenue-weighted price is not
    mistaken for the unit price), other numeric columns the mean and text the first value.

    A product without a price weighs nothing in its company's price.
    """
    keys = keys or [S.PERIOD, S.COMPANY]
    check_choice(sales_is, "SALES_IS", ("revenue", "units"))
    df = as_frame(frame, keys)
    weight = None
    if S.SHARE in df.columns and df[S.SHARE].notna().any():
        weight = df[S.SHARE]
    elif S.SALES in df.columns and S.PRICE in df.columns:
        price = df[S.PRICE].where(priced(df[S.PRICE]))
        weight = df[S.SALES] / price if sales_is == "revenue" else df[S.SALES]
    flows = (S.SALES, S.SHARE, S.USERS, S.MARKETING_SPEND)
    return _combine(df, keys, flows=flows, weight=weight)


def price_identified(own: dict[str, float] | None) -> bool:
    """Whether our own-price elasticity (from :func:`company_elasticity`) is significantly
    negative, i.e. the demand model found a downward-sloping price response (False without
    a demand model, ``own`` None)."""
    return own is not None and bool(own["elasticity"] + 1.96 * own["se"] < 0)


def forward_rows(ws: Any, market: pd.DataFrame) -> tuple[Any, pd.DataFrame]:
    """The market table's as-of date (:func:`opsai.data.forward.as_of`: rows after it are
    bookings on the books, not sales) and the rows to read as history: those up to it, or all
    of them when every row lies after it (a booking calendar with no past: the chapter shows
    it as the book, :func:`forward_finding`). ``(None, market)`` without a forward book."""
    from opsai.data.forward import as_of, history

    at = as_of(ws, "market")
    if at is None or at.all_forward:
        return at, market
    return at, history(market, at, S.PERIOD)


def forward_skip_reason(at: Any) -> str | None:
    """Why growth, share moves, price moves, the demand model and the forecasts are left out:
    every market row lies after the as-of date (None otherwise)."""
    if at is None or not at.all_forward:
        return None
    return (
        f"every market row lies after {at.date:%Y-%m-%d}, the data's as-of date: bookings on the "
        "books, which thin the further ahead they lie, not sales that happened. Their changes "
        "over time are the book filling in, not demand or share moving"
    )


def book_positions(sw: pd.DataFrame) -> pd.DataFrame:
    """:func:`~opsai.market.positioning.strengths_weaknesses` on a forward book: its levels
    only (share changes and growth are bookings not made yet), said to be of the periods on
    the books, not "against the 5 before" (byod13b)."""
    out = sw[~sw["metric"].astype(str).str.contains("change|growth")].reset_index(drop=True)
    out.attrs = dict(sw.attrs)
    if sw.attrs.get("recent"):
        out.attrs["compared"] = f"{sw.attrs['recent']} on the books"
    return out


def forward_finding(
    market: pd.DataFrame, company: str, at: Any, *, rows: pd.DataFrame | None = None
) -> Finding | None:
    """Our share of what is on the books (``market`` all after the as-of date): over the
    book, its range period by period and, from the table's own ``rows`` (before
    :func:`calendar_periods` sums them per company and period), per segment; None unless every
    row is ahead."""
    if at is None or not at.all_forward:
        return None

    def share(df: pd.DataFrame, by: str) -> pd.Series:
        df = df.assign(_ours=df[S.SALES].where(df[S.COMPANY].astype(str) == str(company), 0))
        g = df.groupby(by)[["_ours", S.SALES]].sum()
        return g["_ours"] / g[S.SALES]

    df = as_frame(market, [S.PERIOD, S.COMPANY, S.SALES])
    periods = share(df, S.PERIOD)
    whole = float(share(df.assign(_all=""), "_all").iloc[0])
    rows = df if rows is None else rows
    segments = S.SEGMENT in rows and rows[S.SEGMENT].nunique() > 1
    since = "data.as_of" if at.source == "data.as_of" else f"the latest date of {at.source}"
    text = (
        f"The market table is a forward booking calendar: all of its rows lie after "
        f"{at.date:%Y-%m-%d} ({since}): bookings on the books, not sales. {company} holds "
        f"{whole:.1%} of the bookings on the books ({periods.min():.1%} to {periods.max():.1%} "
        "in every period ahead)"
    )
    evidence: dict[str, Any] = {
        "as_of": f"{at.date:%Y-%m-%d}", "source": at.source, "share": whole,
        "period_min": float(periods.min()), "period_max": float(periods.max()),
    }  # fmt: skip
    if segments:
        seg = share(rows, S.SEGMENT).sort_values(ascending=False)
        text += "; by segment: " + ", ".join(f"{k} {v:.1%}" for k, v in seg.items())
        evidence["segment_share"] = {str(k): float(v) for k, v in seg.items()}
    text += (
        ". Market growth, share moves, price moves, the demand model and the forecasts are "
        "left out: the book thins into the future, which would read as falling sales but is "
        "bookings not made yet."
    )
    return Finding(text, "medium", evidence)


_NAME_COLUMN = re.compile(r"(?i)(.+?)[ _-]?name$")


def company_key(ws: Any, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` with ``company`` told apart by its key when market.company was read from a
    name column (``host_name``) beside a key column of the same stem (``host_id``) and one
    name stands for several keys: Inside Airbnb's host names are first names, so "David" is
    many hosts (byod13b D17). A name with one key keeps its name; a shared one reads
    ``David (2787)``. ``attrs["company_key"]`` says what was done (:func:`company_key_finding`)."""
    src = ws.source_columns("market").get(S.COMPANY, "")
    m = _NAME_COLUMN.fullmatch(src)
    stem = m.group(1) if m else ""
    key = next((c for c in (f"{stem}_id", f"{stem}id", f"{stem} id") if stem and c in rows), None)
    if key is None or rows.empty:
        return rows
    ids = rows[key].astype(str)
    per_name = ids.groupby(rows[S.COMPANY].astype(str)).nunique()
    shared = per_name[per_name > 1]
    if shared.empty:
        return rows
    named = rows[S.COMPANY].astype(str)
    label = named.where(~named.isin(shared.index), named + " (" + ids + ")")
    out = rows.assign(**{S.COMPANY: label})
    sales = rows[S.SALES] if S.SALES in rows else pd.Series(1.0, index=rows.index)
    biggest = sales.groupby(named).sum()[shared.index].sort_values(ascending=False)
    out.attrs = {
        **rows.attrs,
        "company_key": {
            "name_column": src, "key_column": key, "shared_names": len(shared),
            "names": len(per_name), "companies": int(ids.nunique()),
            "largest": {str(k): {"keys": int(shared[k]), "sales": float(v)}
                        for k, v in biggest.head(3).items()},
        },
    }  # fmt: skip
    return out


def company_key_finding(rows: pd.DataFrame) -> Finding | None:
    """What :func:`company_key` did, or None when it did nothing."""
    said = rows.attrs.get("company_key")
    if not said:
        return None
    top = ", ".join(
        f"{k}: {v['keys']} {said['key_column']} values, {v['sales']:,.0f} sales"
        for k, v in said["largest"].items()
    )
    text = (
        f"market.company is read from {said['name_column']}, and {said['shared_names']} of its "
        f"{said['names']} names stand for several {said['key_column']} values ({top}): summed "
        f"by name they would read as one large competitor. Companies are told apart by "
        f"{said['key_column']} ({said['companies']:,} of them), a shared name shown with its "
        f"key; map market.company to {said['key_column']} in the config to key them so from "
        "the start."
    )
    return Finding(text, "medium", dict(said))
