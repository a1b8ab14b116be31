"""Support analytics: volume by intent and spikes, sentiment trend, resolution times,
complaint terms and an escalation queue. Plain long-format DataFrames in and out.

Example:
    >>> vol = volume_by_intent(tickets)                          # doctest: +SKIP
    >>> detect_spikes(vol).head(1)[["period", "intent"]]         # doctest: +SKIP
         period  intent
    0  2024-07  refund
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from opsai.data import schema as S
from opsai.errors import ConfigError, SchemaError
from opsai.service.pii import Redactor
from opsai.service.text import OTHER_STOP_WORDS, Tokenizer

__all__ = [
    "aspect_columns",
    "complaint_terms",
    "detect_spikes",
    "escalation_queue",
    "item_aspects",
    "item_negative_ranking",
    "item_sentiment_shifts",
    "negative_shifts",
    "resolution_hours",
    "resolution_time",
    "sentiment_drivers",
    "sentiment_trend",
    "spike_context",
    "spike_incidents",
    "volume_by_intent",
    "weekly_spikes",
]

NEGATIVE = ("negative", "neg")
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "is",
        "it",
        "my",
        "i",
        "me",
        "you",
        "your",
        "we",
        "our",
        "this",
        "that",
        "be",
        "was",
        "with",
        "have",
        "has",
        "had",
        "not",
        "no",
        "can",
        "do",
        "does",
        "did",
        "are",
        "am",
        "please",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "there",
        "from",
        "by",
        "so",
        "as",
        "but",
        "if",
        "its",
        "it's",
        "i'm",
        "just",
        "still",
        "again",
        "what",
        "how",
        "when",
        "where",
        "why",
        "will",
        "would",
        "的",
        "了",
        "是",
        "我",
        "你",
        "在",
        "吗",
        "呢",
        "吧",
        "啊",
        "也",
        "都",
        "就",
        "和",
        "还",
        "有",
        "一个",
        "这个",
        "那",
        "个",
        "怎么",
        "什么",
        "请",
        "谢谢",
        "你好",
        "客服",
        "帮",
        "一下",
        "能",
        "给",
        "要",
        "让",
        "被",
        "把",
        "对",
        "不",
        "没",
        "很",
        "太",
        "亲",
    ]
)
STOPWORDS |= OTHER_STOP_WORDS  # Spanish, French, German, ..., Japanese and Korean function words


def _need(df: pd.DataFrame, table: str, cols: Iterable[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{table}: column(s) {', '.join(missing)} not found (have: "
            f"{', '.join(map(str, df.columns))}). Map them in config: "
            f"data.tables.{table}.columns.<name>, or pass col_*=..."
        )


def _period(ts: pd.Series, freq: str) -> pd.Series:
    try:
        return pd.to_datetime(ts).dt.to_period(freq).astype(str)
    except ValueError as e:
        if "frequency" not in str(e).lower():
            raise
        raise ConfigError(
            f"freq={freq!r} is not a period pandas knows; use 'M' (month), 'W' (week) or 'D' "
            "(day): in a report, chapters.05_customer_service.parameters.FREQ"
        ) from e


def last_periods_days(
    tickets: pd.DataFrame, *, freq: str = "M", col_time: str = S.TIMESTAMP
) -> dict[str, int]:
    """The days the tickets cover of their last period (its start to the last ticket's day) and
    the length in days of that period and of the one before, so that a partial last period (a
    month whose export ends on the 19th) is compared per day; empty without times."""
    ts = pd.to_datetime(tickets[col_time]).dropna() if col_time in tickets else pd.Series()
    if ts.empty:
        return {}
    last = ts.max()
    p = last.to_period(freq)
    return {
        "days": int((last.normalize() - p.start_time.normalize()).days) + 1,
        "length": int((p.end_time.normalize() - p.start_time.normalize()).days) + 1,
        "before_length": int(((p - 1).end_time.normalize() - (p - 1).start_time).days) + 1,
    }


def volume_by_intent(
    tickets: pd.DataFrame,
    *,
    freq: str | None = "M",
    col_time: str = S.TIMESTAMP,
    col_intent: str = S.INTENT,
) -> pd.DataFrame:
    """Tickets per period and intent, with each intent's share of the period.

    Args:
        tickets: the tickets table (or predictions with an intent column).
        freq: pandas period frequency (``"M"`` month, ``"W"`` week, ``"D"`` day); ``None``
            counts every ticket in one period, ``"all"`` (tickets without timestamps).
        col_time: timestamp column.
        col_intent: intent column (labels or predictions).

    Returns:
        Columns ``period``, ``intent``, ``tickets``, ``period_total``, ``share``; every
        intent appears in every period (zero counts included).
    """
    if freq is None:
        _need(tickets, "tickets", [col_intent])
        p = pd.Series("all", index=tickets.index, name=col_time)
    else:
        _need(tickets, "tickets", [col_time, col_intent])
        p = _period(tickets[col_time], freq)
    counts = pd.crosstab(p, tickets[col_intent].fillna("unknown"))
    long = counts.stack().rename("tickets").reset_index()
    long.columns = ["period", "intent", "tickets"]
    long["period_total"] = long.groupby("period")["tickets"].transform("sum")
    long["share"] = long["tickets"] / long["period_total"]
    return long.sort_values(["period", "intent"], ignore_index=True)


def weekly_spikes(
    tickets: pd.DataFrame,
    *,
    freq: str,
    z: float = 4.0,
    found: pd.DataFrame | None = None,
    shifts: pd.DataFrame | None = None,
    min_weeks: int = 12,
    col_time: str = S.TIMESTAMP,
    col_intent: str = S.INTENT,
) -> pd.DataFrame:
    """Spikes of one week that a coarser ``freq`` (a month, a quarter) dilutes: the weekly
    volume scanned as :func:`detect_spikes` does, at a stricter ``z`` (the tail divided by
    the weeks per period, a Bonferroni step for the extra tests), leaving out intents that
    ``found`` (the spikes at ``freq``) already names in the week's period, each intent of
    ``shifts`` (:func:`level_shifts` at ``freq``) against its level on its side of the step. Empty when
    ``freq`` is a week or finer, or the tickets span fewer than ``min_weeks`` weeks."""
    if str(freq)[:1].upper() not in ("M", "Q", "Y", "A"):  # a week or finer already
        return pd.DataFrame()
    t = pd.to_datetime(tickets[col_time], errors="coerce").dropna()
    if t.empty or (t.max() - t.min()) < pd.Timedelta(weeks=min_weeks):
        return pd.DataFrame()
    per = {"M": 4.35, "Q": 13.0, "Y": 52.0, "A": 52.0}.get(str(freq)[:1].upper(), 4.35)
    strict = float(stats.norm.isf(stats.norm.sf(z) / per))
    weekly = detect_spikes(volume_by_intent(tickets, freq="W", col_time=col_time,
                                            col_intent=col_intent), z=strict,
                           shifts=shifts)  # fmt: skip
    if not weekly.empty and found is not None and not found.empty:
        start = pd.to_datetime(weekly["period"].astype(str).str[:10], errors="coerce")
        coarse = _period(pd.Series(start), freq).astype(str).to_numpy()
        seen = set(zip(found["period"].astype(str), found["intent"].astype(str), strict=True))
        intents = weekly["intent"].astype(str)
        keep = [(c, i) not in seen for c, i in zip(coarse, intents, strict=True)]
        weekly = weekly[keep].reset_index(drop=True)
    weekly.attrs["checked"] = True  # weeks were scanned (empty: nothing spiked in one)
    return weekly


def level_shifts(
    volume: pd.DataFrame,
    *,
    alpha: float = 0.05,
    min_ratio: float = 2.0,
    min_side: int = 3,
    min_tickets: int = 20,
) -> pd.DataFrame:
    """Intents whose share stepped up at some period and stayed there (byod10b D17: a queue
    complaint at 1-2% of reviews for six months, then 7-8% for six, read as two one-off
    spikes against a 'usual' 4%, the median of both halves).

    Per intent, each split of its periods in time order with ``min_side`` or more periods on
    each side is a step when every later period's share is above every earlier one's (a
    clean separation, which a noisy month-to-month mix does not give), the later periods'
    median share is ``min_ratio`` times the earlier periods', the later periods hold
    ``min_tickets`` tickets of the intent, and the pooled counts differ beyond chance
    (one-sided Fisher's exact test, Bonferroni over every split tested). Of an intent's steps
    the one with the smallest probability is kept.

    Args:
        volume: output of :func:`volume_by_intent` (periods in time order).

    Returns:
        One row per intent that stepped up: ``intent``, ``since`` (the first later period),
        ``periods_before``, ``periods_after``, ``share_before``, ``share_after`` (median
        shares), ``ratio``, ``tickets_after``, ``p_value``.
    """
    _need(volume, "volume", ["period", "intent", "tickets", "period_total", "share"])
    cols = ["intent", "since", "periods_before", "periods_after", "share_before",
            "share_after", "ratio", "tickets_after", "p_value"]  # fmt: skip
    periods = list(dict.fromkeys(volume.sort_values("period")["period"]))
    n = len(periods)
    if n < 2 * min_side:
        return pd.DataFrame(columns=cols)
    rows, tests = [], 0
    for intent, g in volume.groupby("intent", sort=True):
        g = g.set_index("period").reindex(periods)
        k = g["tickets"].fillna(0).to_numpy(float)
        tot = g["period_total"].fillna(0).to_numpy(float)
        share = g["share"].fillna(0).to_numpy(float)
        best = None
        for s in range(min_side, n - min_side + 1):
            tests += 1
            before, after = share[:s], share[s:]
            med_b, med_a = float(np.median(before)), float(np.median(after))
            if after.min() <= before.max() or med_a < min_ratio * max(med_b, 1e-12):
                continue
            if k[s:].sum() < min_tickets:
                continue
            kb, ka, nb, na = k[:s].sum(), k[s:].sum(), tot[:s].sum(), tot[s:].sum()
            p = float(stats.hypergeom.sf(ka - 1, nb + na, kb + ka, na))
            if best is None or p < best[0]:
                best = (p, s, med_b, med_a, int(ka))
        if best is not None:
            p, s, med_b, med_a, ka = best
            rows.append({"intent": intent, "since": periods[s], "periods_before": s,
                         "periods_after": n - s, "share_before": med_b, "share_after": med_a,
                         "ratio": med_a / med_b if med_b > 0 else float("inf"),
                         "tickets_after": ka, "p_value": p})  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    out = out[out["p_value"] <= alpha / max(tests, 1)]
    return out.sort_values("p_value", ignore_index=True)


def detect_spikes(
    volume: pd.DataFrame,
    *,
    z: float = 4.0,
    min_ratio: float = 1.5,
    min_tickets: int = 5,
    shifts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Periods where an intent's share jumps above its usual level.

    The baseline of an intent is its median share over all periods; a period is a spike
    when its count exceeds the binomial expectation by ``z`` standard deviations, the exact
    binomial probability of at least that many tickets is no larger than a normal tail
    beyond ``z``, its share is at least ``min_ratio`` times the baseline and it has
    ``min_tickets`` tickets. The binomial test stays sensible for small monthly counts where
    a MAD would be zero; the exact tail keeps rare intents (an expected 0.5 tickets a month,
    5 observed: z 6.4 by the normal approximation, but a 1-in-6,000 event) from flagging:
    with 77 intents over 12 months the normal approximation alone found about three spikes
    in data that had none.

    Args:
        volume: output of :func:`volume_by_intent`.
        z: standard deviations above the expected count.
        min_ratio: share over baseline.
        min_tickets: fewest tickets of that intent in the period.
        shifts: :func:`level_shifts`' steps: an intent that stepped up is compared with its
            own level on the same side of the step (its median share before, or since),
            so the step's periods are no spikes and the earlier ones are not judged against
            a baseline the step has raised.

    Returns:
        The spikes, strongest first: ``period``, ``intent``, ``tickets``, ``share``,
        ``baseline_share``, ``ratio``, ``z``.
    """
    _need(volume, "volume", ["period", "intent", "tickets", "period_total", "share"])
    v = volume.copy()
    regime = pd.Series(0, index=v.index)
    if shifts is not None and len(shifts):
        since = dict(zip(shifts["intent"], shifts["since"], strict=True))
        start = v["intent"].map(since)
        regime = (start.notna() & (v["period"].astype(str) >= start.astype(str))).astype(int)
    v["baseline_share"] = v.groupby([v["intent"], regime])["share"].transform("median")
    p0 = v["baseline_share"].clip(lower=0.5 / v["period_total"].clip(lower=1))
    expected = v["period_total"] * p0
    v["z"] = (v["tickets"] - expected) / np.sqrt(expected * (1 - p0)).clip(lower=1e-9)
    v["ratio"] = v["share"] / p0
    tail = stats.binom.sf(v["tickets"] - 1, v["period_total"], p0)  # P(count >= tickets)
    hit = (v["z"] >= z) & (tail <= stats.norm.sf(z))
    hit &= (v["ratio"] >= min_ratio) & (v["tickets"] >= min_tickets)
    cols = ["period", "intent", "tickets", "share", "baseline_share", "ratio", "z"]
    return v.loc[hit, cols].sort_values("z", ascending=False, ignore_index=True)


def sentiment_trend(
    tickets: pd.DataFrame,
    *,
    freq: str | None = "M",
    by: Sequence[str] = (),
    negative: Sequence[str] = NEGATIVE,
    col_time: str = S.TIMESTAMP,
    col_sentiment: str = S.SENTIMENT,
) -> pd.DataFrame:
    """Share of negative tickets per period (and per ``by`` columns, e.g. language).

    Tickets without sentiment (a language the lexicon has no words for) are left out.
    ``freq=None`` counts every ticket in one period, ``"all"`` (tickets without timestamps).

    Returns:
        ``period``, the ``by`` columns, ``tickets``, ``negative``, ``negative_share``.
    """
    _need(tickets, "tickets", [col_sentiment, *by, *([col_time] if freq is not None else [])])
    tickets = tickets[tickets[col_sentiment].notna()]
    period = _period(tickets[col_time], freq) if freq is not None else "all"
    d = tickets.assign(period=period)
    d["_neg"] = d[col_sentiment].astype(str).isin(negative)
    g = d.groupby(["period", *by], observed=True)["_neg"].agg(tickets="size", negative="sum")
    g = g.reset_index()
    g["negative_share"] = g["negative"] / g["tickets"]
    return g


def negative_shifts(
    tickets: pd.DataFrame,
    *,
    freq: str = "M",
    alpha: float = 0.01,
    min_rise: float = 0.10,
    min_ratio: float = 1.5,
    min_tickets: int = 5,
    negative: Sequence[str] = NEGATIVE,
    col_time: str = S.TIMESTAMP,
    col_sentiment: str = S.SENTIMENT,
    col_intent: str = S.INTENT,
) -> pd.DataFrame:
    """Periods whose share of negative tickets rose well above the other periods'.

    Each period is tested against the pooled share of all the other periods (its usual
    share): the exact binomial probability of at least its count of negative tickets, were
    the usual share true, must be at most ``alpha`` divided by the number of periods
    (Bonferroni: one test per period), and the rise must matter: at least ``min_rise``
    (10 percentage points) and ``min_ratio`` times the usual share, with ``min_tickets``
    negative tickets. A usual share of 0 is read as half a ticket in the other periods, so
    the test stays finite. With an intent column, the intent with most negative tickets in
    the period is named (where to look).

    Returns:
        The rises, most significant first: ``period``, ``tickets``, ``negative``, ``share``,
        ``baseline_share``, ``p_value``, ``periods`` and, with intents, ``intent`` and
        ``intent_negative``.
    """
    trend = sentiment_trend(
        tickets, freq=freq, negative=negative, col_time=col_time, col_sentiment=col_sentiment
    )
    cols = ["period", "tickets", "negative", "share", "baseline_share", "p_value", "periods"]
    if len(trend) < 3:  # too few periods to tell a rise from the usual share
        return pd.DataFrame(columns=cols)
    n, k = trend["tickets"].to_numpy(float), trend["negative"].to_numpy(float)
    n_other, k_other = n.sum() - n, k.sum() - k
    usual = k_other / n_other.clip(min=1)
    p0 = np.maximum(usual, 0.5 / n_other.clip(min=1))
    v = trend.assign(
        share=trend["negative_share"],
        baseline_share=usual,
        p_value=stats.binom.sf(k - 1, n, p0),  # P(at least k negative | usual share)
        periods=len(trend),
    )
    hit = (v["p_value"] <= alpha / len(v)) & (v["negative"] >= min_tickets)
    hit &= (v["share"] - v["baseline_share"] >= min_rise) & (v["share"] >= min_ratio * p0)
    out = v.loc[hit, cols].sort_values(["p_value", "period"], ignore_index=True)
    if col_intent in tickets.columns and len(out):
        neg = tickets[tickets[col_sentiment].astype(str).isin(negative)]
        neg = neg.assign(period=_period(neg[col_time], freq))
        top = neg.groupby(["period", col_intent]).size().rename("intent_negative").reset_index()
        top = top.sort_values(["intent_negative", col_intent], ascending=[False, True])
        top = top.drop_duplicates("period").rename(columns={col_intent: "intent"})
        out = out.merge(top, on="period", how="left")
    return out


def sentiment_drivers(
    tickets: pd.DataFrame,
    *,
    by: Sequence[str] = (S.INTENT, S.CHANNEL),
    alpha: float = 0.01,
    min_tickets: int = 20,
    min_rise: float = 0.10,
    min_ratio: float = 1.5,
    negative: Sequence[str] = NEGATIVE,
    col_sentiment: str = S.SENTIMENT,
) -> pd.DataFrame:
    """Groups of tickets (an intent, a channel) whose share of negative tickets is well above
    the rest's: where the bad ratings come from. A Zendesk export's 'refund' tickets were
    rated bad 58% of the time against 9% for the others, and held 264 of its 440 bad
    ratings; no page said so.

    Each value of each ``by`` column with ``min_tickets`` tickets with a sentiment is tested
    as :func:`negative_shifts` tests a period: the exact binomial probability of at least its
    count of negative tickets, were the other tickets' pooled share true, must be at most
    ``alpha`` divided by the number of values tested over all columns (Bonferroni), and the
    gap must matter: ``min_rise`` (10 points) and ``min_ratio`` times the others' share. A
    column with one value (or missing) is skipped: there is nothing to compare.

    Returns:
        The drivers, most significant first: ``column``, ``value``, ``tickets``,
        ``negative``, ``share``, ``others_tickets``, ``others_share``, ``negative_total``
        (all negative tickets), ``p_value``, ``tested`` (values tested).
    """
    cols = ["column", "value", "tickets", "negative", "share", "others_tickets",
            "others_share", "negative_total", "p_value", "tested"]  # fmt: skip
    v = _group_tests(tickets, by, alpha, min_tickets, min_rise, min_ratio, negative, col_sentiment)
    if v.empty:
        return pd.DataFrame(columns=cols)
    v = v[v["above"]]
    return v[cols].sort_values(["p_value", "column", "value"], ignore_index=True)


def _group_tests(
    tickets: pd.DataFrame,
    by: Sequence[str],
    alpha: float,
    min_tickets: int,
    min_rise: float,
    min_ratio: float,
    negative: Sequence[str],
    col_sentiment: str,
) -> pd.DataFrame:
    """:func:`sentiment_drivers`' test of every value with ``min_tickets`` tickets with a
    sentiment, the drivers flagged ``above`` (empty without any value to test)."""
    _need(tickets, "tickets", [col_sentiment])
    t = tickets[tickets[col_sentiment].notna()]
    neg = t[col_sentiment].astype(str).isin(negative)
    rows = []
    for col in [c for c in by if c in t.columns]:
        g = pd.DataFrame({"v": t[col].astype("string"), "neg": neg}).dropna()
        if g["v"].nunique() < 2:
            continue
        agg = g.groupby("v")["neg"].agg(tickets="size", negative="sum").reset_index()
        agg = agg[agg["tickets"] >= min_tickets]
        n_all, k_all = len(g), int(g["neg"].sum())
        for r in agg.itertuples():
            rows.append({"column": col, "value": str(r.v), "tickets": int(r.tickets),
                         "negative": int(r.negative), "others_tickets": n_all - int(r.tickets),
                         "others_negative": k_all - int(r.negative), "negative_total": k_all})  # fmt: skip
    if not rows:
        return pd.DataFrame()
    v = pd.DataFrame(rows)
    n, k = v["tickets"].to_numpy(float), v["negative"].to_numpy(float)
    n_o = v["others_tickets"].to_numpy(float).clip(min=1)
    v["share"] = k / n
    v["others_share"] = v["others_negative"] / n_o
    p0 = np.maximum(v["others_share"].to_numpy(float), 0.5 / n_o)  # none: half a ticket
    v["p_value"] = stats.binom.sf(k - 1, n, p0)  # P(at least k negative | the others' share)
    v["tested"] = len(v)
    hit = (v["p_value"] <= alpha / len(v)) & (v["negative"] >= 5)
    hit &= (v["share"] - v["others_share"] >= min_rise) & (v["share"] >= min_ratio * p0)
    v["above"] = hit
    return v


def item_negative_ranking(
    tickets: pd.DataFrame,
    *,
    alpha: float = 0.01,
    min_tickets: int = 20,
    min_rise: float = 0.10,
    min_ratio: float = 1.5,
    negative: Sequence[str] = NEGATIVE,
    col_item: str = S.ITEM_ID,
    col_sentiment: str = S.SENTIMENT,
) -> pd.DataFrame:
    """Products (tickets' ``item_id``) ranked by their share of negative reviews, for reviews
    without dates, where :func:`item_sentiment_shifts` cannot date a fall (byod12b D16).

    Each item with ``min_tickets`` tickets with a sentiment is tested as
    :func:`sentiment_drivers` tests an intent: the exact binomial probability of at least its
    negative count were the other items' pooled share true, at most ``alpha`` divided by the
    items tested (Bonferroni), with a gap of ``min_rise`` and ``min_ratio`` times the others'
    share. The pooled share counts every ticket with a sentiment and an item.

    Returns:
        One row per item tested, those above the rest first, then by share:
        ``item_id``, ``tickets``, ``negative``, ``share``, ``low``, ``high`` (its 95% Wilson
        interval), ``others_tickets``, ``others_share``, ``p_value``, ``tested``,
        ``min_tickets``, ``above``.
    """
    cols = [col_item, "tickets", "negative", "share", "low", "high", "others_tickets",
            "others_share", "p_value", "tested", "min_tickets", "above"]  # fmt: skip
    _need(tickets, "tickets", [col_item, col_sentiment])
    v = _group_tests(
        tickets, [col_item], alpha, min_tickets, min_rise, min_ratio, negative, col_sentiment
    )
    if v.empty:
        return pd.DataFrame(columns=cols)
    v = v.rename(columns={"value": col_item})
    ci = [
        stats.binomtest(int(k), int(n)).proportion_ci(method="wilson")
        for k, n in zip(v["negative"], v["tickets"], strict=True)
    ]
    v["low"], v["high"] = [c.low for c in ci], [c.high for c in ci]
    v["min_tickets"] = min_tickets
    v = v.sort_values(["above", "share", col_item], ascending=[False, False, True])
    return v[cols].reset_index(drop=True)


def _refine_split(
    ts: np.ndarray, cum: np.ndarray, s: np.ndarray, b: int, *, min_side: int, min_rise: float
) -> int:
    """The date of a shift found at the tenth ``s[b]`` of an item's tickets (times ``ts`` in
    order, ``cum`` their running count of negatives): every split between the neighbouring
    tenths where the time moves on (so that all tickets since the date are on one side) is
    scored by the same one-sided Fisher test and the most extreme kept; the tenth itself when
    none is. A clean step 55 tickets past a tenth is dated on its day, not at the tenth
    (byod12b D12: "since 2024-05-18, 81% negative" for a 0% -> 100% step on 2024-07-01)."""
    n, side = len(ts), max(min_side, 1)
    lo = int(s[b - 1]) if b > 0 else side
    hi = int(s[b + 1]) if b + 1 < len(s) else n - side
    c = np.arange(max(lo, side), min(hi, n - side) + 1)
    c = c[ts[c - 1] < ts[c]]
    if not len(c):
        return int(s[b])
    k_before = cum[c - 1]
    k_after = cum[-1] - k_before
    p = stats.hypergeom.sf(k_after - 1, n, cum[-1], n - c)
    p = np.where(k_after / (n - c) - k_before / c >= min_rise, p, np.inf)
    return int(c[int(np.argmin(p))]) if np.isfinite(p).any() else int(s[b])


def item_sentiment_shifts(
    tickets: pd.DataFrame,
    *,
    alpha: float = 0.05,
    min_tickets: int = 20,
    min_side: int = 5,
    min_rise: float = 0.15,
    negative: Sequence[str] = NEGATIVE,
    col_item: str = S.ITEM_ID,
    col_time: str = S.TIMESTAMP,
    col_sentiment: str = S.SENTIMENT,
) -> pd.DataFrame:
    """Products whose reviews (tickets with an ``item_id``) turned negative at some date.

    Per item with ``min_tickets`` rated tickets, the splits of its tickets in time order at
    each tenth of them (``min_side`` or more on each side) are tested by Fisher's exact test (one-sided: the
    probability of at least the later tickets' negatives were the item's negatives spread
    at random over its tickets). The split with the smallest probability is the item's; it is a shift when that
    probability is at most ``alpha`` divided by the number of splits tested over all items
    (Bonferroni) and the share rose by ``min_rise`` or more. The tenths only detect; the
    date is then refined over every split between the neighbouring tenths
    (:func:`_refine_split`), and ``since`` and the counts and shares are those of that
    date; ``p_value`` stays the tenth's, the one the Bonferroni step counted.

    Returns:
        One row per item tested, shifts first (``shifted``), then by probability:
        ``item_id``, ``tickets``, ``since`` (the first later ticket's time), ``before``,
        ``after`` (ticket counts), ``share_before``, ``share_after``, ``p_value``,
        ``shifted``.
    """
    _need(tickets, "tickets", [col_item, col_time, col_sentiment])
    t = tickets[tickets[col_sentiment].notna() & tickets[col_item].notna()]
    t = t.assign(_ts=pd.to_datetime(t[col_time], errors="coerce")).dropna(subset=["_ts"])
    t = t.sort_values(["_ts"], kind="stable")
    rows, tests = [], 0
    for item, g in t.groupby(col_item, sort=True):
        n = len(g)
        if n < max(min_tickets, 2 * min_side):
            continue
        y = g[col_sentiment].astype(str).isin(negative).to_numpy(int)
        cum = np.cumsum(y)
        # tickets before the split: at each tenth of the item's tickets (nine candidate
        # dates, not every ticket: the Bonferroni step counts the splits tested)
        s = np.unique(np.clip(np.round(n * np.arange(1, 10) / 10).astype(int), min_side,
                              n - min_side))  # fmt: skip
        k_before = cum[s - 1]
        k_after = cum[-1] - k_before
        n_after = n - s
        share_before = k_before / s
        # Fisher's exact test, one-sided: as many negatives among the later tickets if the
        # item's negatives fell at random over its tickets
        p = stats.hypergeom.sf(k_after - 1, n, cum[-1], n_after)
        rise = k_after / n_after - share_before
        p = np.where(rise >= min_rise, p, 1.0)
        tests += len(s)
        b = int(np.argmin(p))
        cut = _refine_split(g["_ts"].to_numpy(), cum, s, b, min_side=min_side, min_rise=min_rise)
        k_b = int(cum[cut - 1])
        rows.append(
            {
                col_item: item,
                "tickets": n,
                "since": g["_ts"].iloc[cut],
                "before": cut,
                "after": n - cut,
                "share_before": k_b / cut,
                "share_after": (int(cum[-1]) - k_b) / (n - cut),
                "p_value": float(p[b]),
            }
        )
    cols = [col_item, "tickets", "since", "before", "after", "share_before", "share_after",
            "p_value", "shifted"]  # fmt: skip
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows)
    out["shifted"] = out["p_value"] <= alpha / max(tests, 1)
    return out.sort_values(["shifted", "p_value"], ascending=[False, True], ignore_index=True)[cols]


_ASPECT = re.compile(
    r"(?i)^(?:rating|score|stars?|note|bewertung|评分)[ _.-]?(?P<a>.+)$"
    r"|^(?P<b>.+?)[ _.-]?(?:rating|score|stars?|评分)$"
)


def aspect_columns(tickets: pd.DataFrame, *, exclude: Sequence[str] = ()) -> dict[str, str]:
    """Aspect scores beside a review's overall rating: numeric columns named
    ``rating_service``, ``flavor_score``, ``stars_env`` ... whose values lie in 0-10 (the
    contract's own columns and ``exclude`` left out). Returns ``{column: aspect name}``
    (``{"rating_service": "service"}``)."""
    contract = {S.SENTIMENT, S.TICKET_ID, S.USER_ID, S.ITEM_ID, S.TIMESTAMP, S.INTENT}
    out = {}
    for c in tickets.columns:
        m = _ASPECT.match(str(c))
        if m is None or c in contract or c in exclude:
            continue
        v = pd.to_numeric(tickets[c], errors="coerce")
        given = tickets[c].notna()
        bad = v[given].isna().mean() > 0.05 or not v.dropna().between(0, 10).all()
        if not given.any() or bad:  # words, or a count / a price
            continue
        out[str(c)] = (m.group("a") or m.group("b") or str(c)).strip(" _.-")
    return out


def item_aspects(
    tickets: pd.DataFrame,
    shifts: pd.DataFrame,
    *,
    aspects: Mapping[str, str] | None = None,
    col_item: str = S.ITEM_ID,
    col_time: str = S.TIMESTAMP,
) -> pd.DataFrame:
    """For each product whose reviews turned negative (:func:`item_sentiment_shifts`, the
    ``shifted`` rows), the mean of each aspect score (:func:`aspect_columns`) before and
    since the shift, largest fall first: which aspect collapsed (a restaurant's service
    3.97 -> 1.81 while flavour and setting held).

    Returns:
        ``item_id``, ``aspect``, ``column``, ``before``, ``after``, ``change``.
    """
    cols = ["item_id", "aspect", "column", "before", "after", "change"]
    aspects = aspect_columns(tickets) if aspects is None else dict(aspects)
    if shifts.empty or not aspects or col_item not in tickets or col_time not in tickets:
        return pd.DataFrame(columns=cols)
    ts = pd.to_datetime(tickets[col_time], errors="coerce")
    item = tickets[col_item].astype(str)
    rows = []
    for r in shifts[shifts["shifted"]].itertuples():
        mine = item == str(getattr(r, col_item))
        after = ts >= pd.Timestamp(r.since)
        for col, name in aspects.items():
            v = pd.to_numeric(tickets[col], errors="coerce")
            b, a = v[mine & ~after].mean(), v[mine & after].mean()
            if pd.notna(b) and pd.notna(a):
                rows.append({"item_id": str(getattr(r, col_item)), "aspect": name, "column": col,
                             "before": float(b), "after": float(a), "change": float(a - b)})  # fmt: skip
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["item_id", "change"], ignore_index=True)


def resolution_hours(
    tickets: pd.DataFrame,
    *,
    col_time: str = S.TIMESTAMP,
    col_resolved: str = S.RESOLVED_AT,
) -> pd.Series:
    """Hours from each ticket's timestamp to its ``resolved_at``: missing for open tickets,
    for tickets resolved before they were opened (no negative durations) and for calls the
    caller abandoned in the queue (``abandoned``: never handled, their 0 seconds of talk time
    are no resolution).

    Example:
        >>> t = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-01 00:00"] * 3),
        ...     "resolved_at": pd.to_datetime(["2024-01-01 06:00", None, "2023-12-31 22:00"])})
        >>> resolution_hours(t).tolist()
        [6.0, nan, nan]
    """
    hours = (
        pd.to_datetime(tickets[col_resolved]) - pd.to_datetime(tickets[col_time])
    ).dt.total_seconds() / 3600
    if S.ABANDONED in tickets.columns:
        hours = hours.where(~(pd.to_numeric(tickets[S.ABANDONED], errors="coerce") > 0))
    return hours.where(~(hours < 0))


def resolution_time(
    tickets: pd.DataFrame,
    *,
    by: Sequence[str] = (S.INTENT, S.CHANNEL),
    col_time: str = S.TIMESTAMP,
    col_resolved: str = S.RESOLVED_AT,
    col_first_reply: str = S.FIRST_REPLY_AT,
) -> pd.DataFrame:
    """Hours from opening to resolution by intent and channel (open tickets counted apart),
    and to the first reply when the tickets have a ``first_reply_at``.

    A ticket resolved (or answered) before it was opened (the two columns swapped, or the
    timestamp another time) has no such time: it is left out of the hours, never shown as a
    negative duration (:func:`resolution_hours`). Either of ``resolved_at`` and
    ``first_reply_at`` is enough.

    Returns:
        the ``by`` columns, ``tickets``; with a ``resolved_at``: ``open``, ``median_hours``,
        ``p90_hours``; with a ``first_reply_at``: ``median_first_reply_hours`` (of the
        tickets answered) and ``unanswered``. Sorted by median hours to resolution (else
        to the first reply), slowest first.
    """
    by = [c for c in by if c in tickets.columns]
    have = [c for c in (col_resolved, col_first_reply) if c in tickets.columns]
    _need(tickets, "tickets", [col_time, *(have or [col_resolved])])
    d = tickets[by].copy()
    agg: dict[str, tuple[str, object]] = {"tickets": (col_time, "size")}
    if col_resolved in tickets.columns:
        hours = resolution_hours(tickets, col_time=col_time, col_resolved=col_resolved)
        d["hours"], d["open"] = hours.to_numpy(), tickets[col_resolved].isna().to_numpy(int)
        agg |= {"open": ("open", "sum"), "median_hours": ("hours", "median"),
                "p90_hours": ("hours", lambda h: h.quantile(0.9))}  # fmt: skip
    if col_first_reply in tickets.columns:
        reply = resolution_hours(tickets, col_time=col_time, col_resolved=col_first_reply)
        d["reply"], d["unanswered"] = (
            reply.to_numpy(),
            tickets[col_first_reply].isna().to_numpy(int),
        )
        agg |= {
            "median_first_reply_hours": ("reply", "median"),
            "unanswered": ("unanswered", "sum"),
        }
    d[col_time] = tickets[col_time].to_numpy()
    g = d.groupby(by, observed=True) if by else d.groupby(lambda _: "all")
    out = g.agg(**agg).reset_index()
    key = "median_hours" if "median_hours" in out.columns else "median_first_reply_hours"
    return out.sort_values(key, ascending=False, ignore_index=True)


def complaint_terms(
    tickets: pd.DataFrame,
    *,
    top: int = 8,
    min_count: int = 3,
    negative: Sequence[str] = NEGATIVE,
    user_words: Sequence[str] = (),
    col_text: str = S.TEXT,
    col_intent: str = S.INTENT,
    col_sentiment: str = S.SENTIMENT,
) -> pd.DataFrame:
    """The words most typical of negative tickets of each intent (PII redacted first).

    Terms are ranked by the smoothed log-odds of appearing in the intent's negative tickets
    against all other tickets (Monroe et al. 2008, informative Dirichlet prior simplified
    to add-one smoothing); stop words, digits and one-letter tokens are skipped.

    Returns:
        ``intent``, ``term``, ``count`` (negative tickets of the intent containing it),
        ``log_odds``; ``top`` rows per intent.
    """
    _need(tickets, "tickets", [col_text, col_intent, col_sentiment])
    docs = _term_docs(tickets[col_text], user_words)
    neg = tickets[col_sentiment].astype(str).isin(negative).to_numpy()
    intents = tickets[col_intent].fillna("unknown").astype(str).to_numpy(dtype=object)
    rows = []
    for it in sorted(set(intents)):
        sel = neg & (intents == it)
        if not sel.any():
            continue
        rows += [
            {"intent": it, "term": w, "count": c, "log_odds": round(float(lo), 3)}
            for w, c, lo in _log_odds(docs, sel, min_count)[:top]
        ]
    return pd.DataFrame(rows, columns=["intent", "term", "count", "log_odds"])


def _term_docs(texts: pd.Series, user_words: Sequence[str] = ()) -> list[set[str]]:
    """Each text's set of words (PII redacted first; stop words, digits, one-letter tokens
    and placeholders such as ``[ORDER]`` skipped)."""
    red = Redactor(order_mode="token")
    tok = Tokenizer(user_words=tuple(user_words))
    return [
        {
            w
            for w in tok(red(t))
            if w not in STOPWORDS and len(w) > 1 and not w.isdigit() and w.isalnum()
        }
        for t in texts.map(lambda x: _PLACEHOLDER.sub(" ", red(x)))
    ]


def _log_odds(
    docs: Sequence[set[str]], sel: np.ndarray, min_count: int
) -> list[tuple[str, int, float]]:
    """The words of the selected documents with their count there and the smoothed log-odds
    of appearing in a selected document against an unselected one (Monroe et al. 2008,
    add-one smoothing), most typical first; words in fewer than ``min_count`` selected
    documents are skipped."""
    a = Counter(w for d, s in zip(docs, sel, strict=True) if s for w in d)
    b = Counter(w for d, s in zip(docs, sel, strict=True) if not s for w in d)
    na, nb = int(sel.sum()), int((~sel).sum())
    scored = [
        (w, c, float(np.log((c + 1) / (na - c + 1)) - np.log((b[w] + 1) / (nb - b[w] + 1))))
        for w, c in a.items()
        if c >= min_count
    ]
    scored.sort(key=lambda x: (-x[2], x[0]))  # ties by the term: sets iterate by hash
    return scored


def spike_context(
    tickets: pd.DataFrame,
    spikes: pd.DataFrame,
    *,
    freq: str | None = "M",
    top: int = 5,
    min_log_odds: float = 1.0,
    concentrated: float = 0.5,
    user_words: Sequence[str] = (),
    col_time: str = S.TIMESTAMP,
    col_text: str = S.TEXT,
    col_intent: str = S.INTENT,
) -> pd.DataFrame:
    """The spikes of :func:`detect_spikes` with what they were about and when.

    A spike is named after its intent, and a discovered topic's name holds its usual words:
    an iCloud outage that k-means put into the 'apple / store / pay' topic read as an Apple
    Pay spike. ``terms`` holds the spike period's own words: those most typical of the
    intent's tickets in that period against the same intent's tickets in the other periods
    (smoothed log-odds of at least ``min_log_odds``, in 5% of the period's tickets or 3,
    whichever is more; at most ``top``), so "down, outage, icloud" shows what spiked. For a
    period coarser than a week, ``week`` names the week (``2017-11-13..2017-11-19``) that
    holds ``concentrated`` (half) or more of the rise above the usual share, with its
    ``week_tickets`` and ``week_ratio`` (its share against the usual); empty when the rise
    is spread over the period.

    Returns:
        ``spikes`` with ``terms`` (comma-separated, "" when none), ``week``,
        ``week_tickets`` and ``week_ratio``.
    """
    out = spikes.copy()
    out["terms"], out["week"] = "", ""
    out["week_tickets"], out["week_ratio"] = np.nan, np.nan
    if out.empty or freq is None or col_time not in tickets or col_intent not in tickets:
        return out
    period = _period(tickets[col_time], freq)
    intents = tickets[col_intent].fillna("unknown").astype(str)
    weekly = str(freq)[:1].upper() in ("M", "Q", "Y", "A")
    ts = pd.to_datetime(tickets[col_time], errors="coerce")
    for i, r in out.iterrows():
        mine = (intents == str(r["intent"])).to_numpy()
        now = (period == str(r["period"])).to_numpy()
        if col_text in tickets:
            docs = _term_docs(tickets.loc[mine, col_text], user_words)
            n_now = int(now[mine].sum())
            scored = _log_odds(docs, now[mine], max(3, int(np.ceil(0.05 * n_now))))
            out.at[i, "terms"] = ", ".join(w for w, _, lo in scored[:top] if lo >= min_log_odds)
        if not weekly:
            continue
        base = float(r["share"] / r["ratio"])  # the usual share as tested (never 0)
        week = ts[now].dt.to_period("W")
        g = pd.DataFrame({"week": week, "mine": mine[now]}).groupby("week")["mine"]
        per = g.agg(tickets="sum", total="size")
        excess = per["tickets"] - base * per["total"]
        rise = float(excess.clip(lower=0).sum())
        if per.empty or rise <= 0 or excess.max() < concentrated * rise:
            continue
        w = excess.idxmax()
        out.at[i, "week"] = f"{w.start_time:%Y-%m-%d}..{w.end_time:%Y-%m-%d}"
        out.at[i, "week_tickets"] = int(per.loc[w, "tickets"])
        out.at[i, "week_ratio"] = float(per.loc[w, "tickets"] / per.loc[w, "total"] / base)
    return out


def period_bounds(period: object) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last day of a period label as :func:`volume_by_intent` writes it
    (``2024-10``, ``2024-10-14/2024-10-20``, ``2024-10-14``, ``2024Q3``); ``None`` for one
    that names no dates (``all``)."""
    s = str(period)
    try:
        if "/" in s:
            a, b = s.split("/", 1)
            return pd.Timestamp(a).normalize(), pd.Timestamp(b).normalize()
        p = pd.Period(s)
    except (ValueError, TypeError):
        return None
    return p.start_time.normalize(), p.end_time.normalize()


def spike_incidents(spikes: pd.DataFrame) -> pd.DataFrame:
    """Consecutive spike periods of one intent are one incident (byod11b D17: a shipping
    delay spiking two weeks running, 152 and 167 tickets, was two findings and two actions).

    Adds ``extra_tickets`` (the period's tickets above the intent's usual share:
    ``tickets * (1 - baseline_share / share)``) and ``incident_start`` / ``incident_end``
    (the first and last day of the run of adjacent flagged periods the row belongs to; a
    lone period's own bounds), and ``incident_periods`` (how many periods the run holds).
    A period label that names no dates is an incident of its own."""
    out = spikes.copy()
    share = out["share"].astype(float) if len(out) else pd.Series(dtype=float)
    base = out["baseline_share"].astype(float) if len(out) else pd.Series(dtype=float)
    ratio = (base / share.where(share > 0)).fillna(1.0)
    out["extra_tickets"] = (out["tickets"].astype(float) * (1 - ratio)).clip(lower=0)
    out["incident_start"], out["incident_end"] = "", ""
    out["incident_periods"] = 1
    for _, g in out.groupby(out["intent"].astype(str), sort=False):
        bounds = {i: period_bounds(p) for i, p in g["period"].items()}
        dated = sorted((b, i) for i, b in bounds.items() if b is not None)
        runs: list[list[tuple[tuple[pd.Timestamp, pd.Timestamp], int]]] = []
        for b, i in dated:
            if runs and (b[0] - runs[-1][-1][0][1]).days == 1:  # starts the day after
                runs[-1].append((b, i))
            else:
                runs.append([(b, i)])
        for run in runs:
            first, last = run[0][0][0], run[-1][0][1]
            for _, i in run:
                out.at[i, "incident_start"] = f"{first:%Y-%m-%d}"
                out.at[i, "incident_end"] = f"{last:%Y-%m-%d}"
                out.at[i, "incident_periods"] = len(run)
        for i in [i for i, b in bounds.items() if b is None]:
            out.at[i, "incident_start"] = out.at[i, "incident_end"] = str(out.at[i, "period"])
    return out


def escalation_queue(
    tickets: pd.DataFrame,
    *,
    orders: pd.DataFrame | None = None,
    value_quantile: float = 0.9,
    negative: Sequence[str] = NEGATIVE,
    open_only: bool = True,
    col_key: str = S.TICKET_ID,
    col_user: str = S.USER_ID,
    col_sentiment: str = S.SENTIMENT,
    col_resolved: str = S.RESOLVED_AT,
    col_amount: str = S.AMOUNT,
) -> pd.DataFrame:
    """Tickets to hand to a senior agent: angry customers and high-value users first.

    Args:
        tickets: tickets with sentiment (labels or predictions).
        orders: the orders table; users whose total spend is in the top
            ``1 - value_quantile`` are high-value.
        value_quantile: spend quantile that makes a user high-value.
        negative: sentiment labels counted as angry.
        open_only: keep only unresolved tickets (when ``resolved_at`` exists).

    Returns:
        The tickets with ``angry``, ``high_value``, ``user_value`` and ``priority``
        (2 = both, 1 = either), highest priority and value first.
    """
    _need(tickets, "tickets", [col_key, col_sentiment])
    d = tickets.copy()
    if open_only and col_resolved in d.columns:
        d = d[d[col_resolved].isna()]
    d["angry"] = d[col_sentiment].astype(str).isin(negative)
    d["user_value"] = 0.0
    d["high_value"] = False
    if orders is not None and col_user in d.columns:
        _need(orders, "orders", [col_user, col_amount])
        spend = orders.groupby(col_user)[col_amount].sum()
        d["user_value"] = d[col_user].map(spend).fillna(0.0).astype(float)
        d["high_value"] = d["user_value"] >= spend.quantile(value_quantile) if len(spend) else False
    d["priority"] = d["angry"].astype(int) + d["high_value"].astype(int)
    d = d[d["priority"] > 0]
    return d.sort_values(["priority", "user_value"], ascending=False, ignore_index=True)


def negative_users(
    tickets: pd.DataFrame,
    *,
    negative: Sequence[str] = NEGATIVE,
    col_key: str = S.TICKET_ID,
    col_user: str = S.USER_ID,
    col_time: str = S.TIMESTAMP,
    col_intent: str = S.INTENT,
    col_sentiment: str = S.SENTIMENT,
) -> pd.DataFrame:
    """Users who filed negative tickets: how many, of how many, the last one and its intent.

    The integration chapter joins this with the churn chapter's at-risk list. Empty (with the
    columns) when the tickets carry no user ids. Without a time column "last" means last in
    the table's order and ``last_negative`` is empty.

    Returns:
        ``user_id, negative_tickets, tickets, last_negative, last_intent``; most negative first.
    """
    cols = [col_user, "negative_tickets", "tickets", "last_negative", "last_intent"]
    if col_user not in tickets.columns:
        return pd.DataFrame(columns=cols)
    _need(tickets, "tickets", [col_key, col_sentiment])
    d = tickets[tickets[col_user].notna()]
    if col_time not in d.columns:
        d = d.assign(**{col_time: pd.NaT})
    total = d.groupby(col_user)[col_key].size()
    neg = d[d[col_sentiment].astype(str).isin(negative)].sort_values(col_time, kind="stable")
    if neg.empty:
        return pd.DataFrame(columns=cols)
    last = neg.groupby(col_user).tail(1).set_index(col_user)
    out = pd.DataFrame(
        {
            "negative_tickets": neg.groupby(col_user)[col_key].size(),
            "tickets": total,
            "last_negative": last[col_time],
            "last_intent": last[col_intent] if col_intent in last.columns else None,
        }
    ).dropna(subset=["negative_tickets"])
    out["negative_tickets"] = out["negative_tickets"].astype(int)
    out = out.rename_axis(col_user).reset_index()
    return out.sort_values(
        ["negative_tickets", "last_negative"], ascending=False, ignore_index=True
    )[cols]
