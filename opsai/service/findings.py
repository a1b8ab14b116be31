"""The customer-service chapter's findings: plain-language sentences with the numbers behind
them and a severity (:class:`~opsai.report.finding.Finding`), built from the tables that
:mod:`opsai.service.chapter` and :mod:`opsai.service.analytics` compute. The chapter module
re-exports them, so the notebook calls them as ``ch.spike_findings(...)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.languages import language_name as _language_name
from opsai.report.finding import Finding
from opsai.report.wording import share_pct
from opsai.service.analytics import resolution_hours, spike_incidents
from opsai.service.intent import out_of_scope, tickets_to_show
from opsai.service.text import language_code

__all__ = [
    "driver_findings",
    "intent_finding",
    "item_rank_findings",
    "language_fallback_findings",
    "negative_shift_findings",
    "no_spike_text",
    "pii_finding",
    "reply_finding",
    "resolution_gap_findings",
    "sentiment_finding",
    "spike_findings",
    "unscored_languages_finding",
]


def proportion_ci(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Two-sided Clopper-Pearson (exact) interval of a share of ``k`` in ``n``: 9 of 9 is
    0.66-1.00 at 95%."""
    from scipy.stats import binomtest

    if n <= 0:
        return (0.0, 1.0)
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="exact")
    return float(ci.low), float(ci.high)


def _ci_text(k: int, n: int) -> str:
    lo, hi = proportion_ci(k, n)
    return f"95% CI {100 * lo:.0f}-{100 * hi:.0f}%"


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def sentiment_finding(table: pd.DataFrame, *, folds: int = 5) -> Finding:
    """The :func:`sentiment_by_language` table in one sentence, or why it is empty.

    Languages the table skipped (``attrs["skipped"]``) are named with the reason, and so are
    languages without a lexicon row (the lexicon has English and Chinese words only), so a
    Korean or Spanish queue is not silently left out or scored with English words."""
    rows = table[table["model"] == "trained"] if "model" in table.columns else table.iloc[:0]
    skipped: dict[str, str] = dict(table.attrs.get("skipped", {}))
    why = "; ".join(f"{lg}: {r}" for lg, r in skipped.items())
    if rows.empty:
        return Finding(
            "No language has sentiment labels the models can be checked on: each needs at "
            f"least {2 * folds} labelled tickets and two classes (labels of one kind "
            "only, such as 4- and 5-star reviews that all read positive, cannot train a model)"
            + (f" - {why}" if why else "")
            + ". The tickets' own labels are used as they are.",
            "medium",
            {"skipped": why} if why else {},
            name="sentiment_quality",
        )
    r = rows.set_index("language")
    trained = r["accuracy"]
    lex = table[table["model"] == "lexicon"].set_index("language")
    ev: dict[str, Any] = {f"accuracy_{lg}": float(v) for lg, v in trained.items()}
    parts, no_signal, no_lexicon = [], [], []
    for lg in trained.index:
        part = f"{lg}: {trained[lg]:.1%} trained"
        if "n" in r.columns and pd.notna(r.loc[lg, "n"]):
            n = int(r.loc[lg, "n"])
            part += f" ({_ci_text(round(trained[lg] * n), n)}, {n:,} texts)"
            ev[f"n_{lg}"] = n
        if lg in lex.index and pd.notna(lex.loc[lg, "accuracy"]):
            part += f" vs {lex.loc[lg, 'accuracy']:.1%} lexicon"
        else:
            no_lexicon.append(str(lg))
            part += ", no lexicon baseline"
        if "majority" in r.columns and pd.notna(r.loc[lg, "majority"]):
            chance = float(r.loc[lg, "majority"])
            ev[f"majority_{lg}"] = chance
            if trained[lg] <= chance + 1e-9:
                no_signal.append(str(lg))
                part += (
                    f", no better than always answering the most common label ({chance:.1%}): "
                    "no usable signal"
                )
        parts.append(part)
    text = f"Sentiment accuracy by language - {'; '.join(parts)}."
    if no_lexicon:
        ev["no_lexicon"] = ", ".join(no_lexicon)
        names = _and([_language_name(x) for x in no_lexicon])
        text += (
            f" The lexicon baseline has English and Chinese words only: {names} tickets are "
            "never scored with it (its English words would call their complaints neutral)."
        )
    if why:
        ev["skipped"] = why
        text += f" Not checked - {why}."
    if no_signal:
        ev["no_signal"] = ", ".join(no_signal)
        text += (
            f" The trained model's {', '.join(no_signal)} sentiment is no better than chance: "
            "do not act on it; check that the labels are sentiment (not, say, satisfaction "
            "scores of another question) and label more tickets."
        )
    return Finding(text, "medium" if no_signal else "info", ev, name="sentiment_quality")


def unscored_languages_finding(
    languages: Iterable[object],
    sentiment: Iterable[object],
    *,
    source: str = "the lexicon",
    skip: Iterable[bool] | None = None,
) -> Finding | None:
    """Which languages' tickets got no sentiment from ``source`` (the lexicon has English and
    Chinese words only), or ``None`` when every ticket got one.

    Args:
        languages: each ticket's language code.
        sentiment: each ticket's sentiment after labelling (missing where not scored).
        source: what labelled the tickets, as the sentence names it.
        skip: tickets left unscored on purpose, not counted (``sentiment_source`` is
            ``no_signal``: no model read that language's labels better than the majority).
    """
    lang = pd.Series([str(x) for x in languages], dtype=object)
    missing = pd.Series(list(sentiment), dtype=object).isna().to_numpy()
    if skip is not None:
        missing = missing & ~np.asarray(list(skip), dtype=bool)
    if not missing.any():
        return None
    counts = lang[missing].value_counts()
    total = len(lang)
    parts = [
        f"{_language_name(str(lg))} ({n:,} ticket{'s' if n != 1 else ''}, {share_pct(n / total)})"
        for lg, n in counts.items()
    ]
    return Finding(
        f"No lexicon or model for {_and(parts)}: {source} has no words for "
        f"{'this language' if len(counts) == 1 else 'these languages'}, so their sentiment is "
        "unknown and they are left out of the negative share and the escalation queue (they "
        "are not called neutral). Ratings of tickets in that language (a sentiment column) "
        "let the chapter learn it.",
        "medium",
        {f"unscored_{lg}": int(n) for lg, n in counts.items()} | {"unscored": int(missing.sum())},
        name="sentiment_unscored_languages",
    )


def item_rank_findings(
    ranking: pd.DataFrame, *, titles: pd.DataFrame | None = None, top: int = 3
) -> list[Finding]:
    """Findings from :func:`~opsai.service.analytics.item_negative_ranking` (reviews without
    dates, byod12b D16): a finding per product rated negative well above the others, at most
    ``top``; without one, an info finding on the products tested, so the page says that a
    per-product view was made and what it shows."""
    if ranking.empty:
        return []
    names = {}
    if titles is not None and len(titles):
        names = dict(zip(titles["item_id"].astype(str), titles["title"].astype(str), strict=True))
    tested, n_min = len(ranking), int(ranking["min_tickets"].iloc[0])

    def _name(item: str) -> str:
        return f"{names[item]} ({item})" if item in names else item

    def _one(r: Any) -> str:
        return (
            f"{_name(str(r.item_id))}: {int(r.negative):,} of {int(r.tickets):,} negative, "
            f"{r.share:.1%} (95% interval {r.low:.1%}-{r.high:.1%})"
        )

    out = []
    for r in ranking[ranking["above"]].head(top).itertuples():
        item, p = str(r.item_id), float(r.p_value)
        ptext = "p < 1e-10" if p < 1e-10 else f"p = {p:.1g}"
        text = (
            f"Reviews of {_one(r)}, against {r.others_share:.1%} for the other products' "
            f"{int(r.others_tickets):,} rated tickets (binomial test, {ptext}, Bonferroni over "
            f"the {tested:,} products with {n_min}+ ratings). The reviews have no dates, so "
            "when it went wrong cannot be told: read its negative reviews."
        )
        ev = {"item_id": item, **({"title": names[item]} if item in names else {}),
              "tickets": int(r.tickets), "negative": int(r.negative),
              "share": round(float(r.share), 4), "low": round(float(r.low), 4),
              "high": round(float(r.high), 4), "others_share": round(float(r.others_share), 4),
              "p_value": p, "tested": tested}  # fmt: skip
        slug = re.sub(r"[^0-9a-z]+", "_", item.lower()).strip("_") or "item"
        out.append(Finding(text, "medium", ev, name=f"item_negative_{slug}"))
    if out:
        return out
    shown = "; ".join(_one(r) for r in ranking.head(top).itertuples())
    r0 = ranking.iloc[0]
    overall = (r0["negative"] + r0["others_share"] * r0["others_tickets"]) / (
        r0["tickets"] + r0["others_tickets"]
    )
    text = (
        f"No product is rated negative significantly more often than the others: "
        f"{tested:,} product{'s' if tested > 1 else ''} with {n_min}+ rated tickets tested "
        f"({shown}) against {overall:.1%} over all rated tickets with a product (binomial "
        "test, Bonferroni). The reviews have no dates, so a product's fall cannot be dated."
    )
    ev = {"tested": tested, "min_tickets": n_min, "overall": round(float(overall), 4)}
    return [Finding(text, "info", ev, name="item_negative_none")]


def item_shift_findings(
    shifts: pd.DataFrame,
    *,
    titles: pd.DataFrame | None = None,
    top: int = 3,
    aspects: pd.DataFrame | None = None,
) -> list[Finding]:
    """A finding per product whose reviews turned negative
    (:func:`~opsai.service.analytics.item_sentiment_shifts`), at most ``top``, named by
    their title when ``titles`` (``item_id``, ``title``) has one. With ``aspects``
    (:func:`~opsai.service.analytics.item_aspects`: aspect scores before and since) the
    text says which aspect fell most ("service 3.94 -> 1.81; env 4.00 -> 3.81")."""
    if shifts.empty or not shifts["shifted"].any():
        return []
    names = {}
    if titles is not None and len(titles):
        names = dict(zip(titles["item_id"].astype(str), titles["title"].astype(str), strict=True))
    tested = len(shifts)
    out = []
    for r in shifts[shifts["shifted"]].head(top).itertuples():
        item = str(r.item_id)
        name = f"{names[item]} ({item})" if item in names else item
        since = pd.Timestamp(r.since).strftime("%Y-%m-%d")
        mine = (
            aspects[aspects["item_id"].astype(str) == item].sort_values("change")
            if aspects is not None and len(aspects)
            else pd.DataFrame()
        )
        by_aspect, aspect_ev = "", {}
        if len(mine) and float(mine["change"].iloc[0]) < 0:
            a = mine.iloc[0]
            scores = "; ".join(
                f"{x.aspect} {x.before:.2f} -> {x.after:.2f}" for x in mine.itertuples()
            )
            by_aspect = f" Aspect scores before and since: {scores}; {a['aspect']} fell most."
            aspect_ev = {"aspect": str(a["aspect"]), "aspect_before": round(float(a["before"]), 3),
                         "aspect_after": round(float(a["after"]), 3)}  # fmt: skip
        out.append(
            Finding(
                f"Reviews of {name} turned negative: {r.share_after:.0%} of its {r.after:,} "
                f"rated tickets since {since} are negative, against {r.share_before:.0%} of the "
                f"{r.before:,} before (Fisher's exact p = {r.p_value:.1e}, Bonferroni over the "
                f"splits tested of the {tested:,} products with enough ratings).{by_aspect} Check "
                "what changed then: a new batch, a supplier, a listing.",
                "high",
                {
                    **aspect_ev,
                    "item_id": item,
                    **({"title": names[item]} if item in names else {}),
                    "since": since,
                    "share_before": round(r.share_before, 4),
                    "share_after": round(r.share_after, 4),
                    "before": int(r.before),
                    "after": int(r.after),
                    "p_value": float(r.p_value),
                },
                name=f"item_sentiment_{item}",
            )
        )
    return out


def no_spike_text(
    volume: pd.DataFrame, z: float, *, min_periods: int = 3, freq: str | None = None, weeks: int = 0
) -> str:
    """What to say when :func:`~opsai.service.analytics.detect_spikes` found nothing: either
    nothing rose, or there are too few periods to tell a spike from the usual mix. ``freq``
    names the period ("in any month"); ``weeks``, the single weeks
    (:func:`~opsai.service.analytics.weekly_spikes`) that did spike, are announced rather
    than denied: "No intent rose ... in any period" followed by the Billing week's spike read
    as a contradiction (byod11b D13)."""
    n = int(volume["period"].nunique()) if "period" in volume.columns else 0
    if n < min_periods:
        return (
            f"The tickets fall in {n} period{'s' if n != 1 else ''}: too few to tell a spike "
            f"from the usual mix of intents (spikes need {min_periods} or more)."
        )
    grains = {"M": "month", "W": "week", "D": "day", "Q": "quarter", "Y": "year", "A": "year"}
    grain = grains.get(str(freq)[:1].upper(), "period") if freq else "period"
    text = f"No intent rose above its usual share by {z} standard deviations in any {grain}"
    if weeks:
        return text + f"; {'one week' if weeks == 1 else f'{weeks} weeks'} did:"
    return text + "."


def spike_findings(
    spikes: pd.DataFrame,
    *,
    top: int = 3,
    min_run: int = 3,
    freq: str | None = "M",
    topics: bool = False,
) -> list[Finding]:
    """Findings from :func:`~opsai.service.analytics.detect_spikes`, strongest first.

    ``freq`` is the volume's period (``"M"``, ``"W"``, ``"D"``, ...), named in the text
    ("30% of the week's tickets" on weekly volume).

    An intent flagged in ``min_run`` or more periods has not spiked, it has moved: it gets one
    ``shift_<intent>`` finding (first and last flagged period, the range of its share) instead
    of one ``spike_<intent>_<period>`` finding per month, which would read as repeated
    one-off events. Intents with fewer flagged periods get a spike finding per period.

    ``topics``: the intents are discovered topics, named by their words. Then spikes of the
    same period whose names share a word (stemmed: "charged" is "charge") are one incident
    and one finding (their tickets and shares added up, ``intents`` in the evidence), as topic
    discovery can split one complaint into two topics. Labelled intents are never grouped:
    ``card_arrival`` and ``card_linking`` are two requests the data's owner told apart.
    """
    unit = {"M": "month", "W": "week", "D": "day", "Q": "quarter", "Y": "year", "A": "year"}
    noun = unit.get((freq or "").upper()[:1], "period")
    if spikes.empty or "intent" not in spikes.columns:  # none found (or none looked for)
        return []
    out: list[tuple[float, Finding]] = []
    single = []
    for k, (intent, g) in enumerate(spikes.groupby("intent", sort=False)):
        slug = re.sub(r"[^0-9a-z]+", "_", str(intent).lower()).strip("_") or f"topic{k}"
        if len(g) >= min_run:
            g = g.sort_values("period")
            first, last = str(g["period"].iloc[0]), str(g["period"].iloc[-1])
            out.append(
                (
                    float(g["z"].max()),
                    Finding(
                        f"'{intent}' tickets stayed above their usual share: {len(g)} periods "
                        f"flagged from {first} to {last}, {100 * g['share'].min():.0f}-"
                        f"{100 * g['share'].max():.0f}% of tickets against a usual "
                        f"{100 * g['baseline_share'].iloc[0]:.0f}%. A lasting shift rather than "
                        f"a one-off spike: look for a change that started around {first}.",
                        "medium",
                        {
                            "intent": intent,
                            "first_period": first,
                            "last_period": last,
                            "periods": len(g),
                            "share_min": float(g["share"].min()),
                            "share_max": float(g["share"].max()),
                            "baseline_share": float(g["baseline_share"].iloc[0]),
                            "tickets": int(g["tickets"].sum()),  # in the flagged periods
                            "share_after": float(g["share"].mean()),
                        },
                        name=f"shift_{slug}",
                    ),
                )
            )
            continue
        single.append(g.assign(_slug=slug))
    rest = pd.concat(single) if single else spikes.iloc[:0]
    if "incident_start" not in rest.columns:
        rest = spike_incidents(rest)
    runs = rest[rest["incident_periods"] > 1]  # adjacent periods of one intent: one incident
    for _, g in runs.groupby([runs["intent"].astype(str), runs["incident_start"]], sort=False):
        out.append(_run_finding(g.sort_values("z", ascending=False), noun, topics))
    rest = rest[rest["incident_periods"] <= 1]
    groups = _incidents(rest) if topics else [rest.loc[[i]] for i in rest.index]
    for g in groups:
        r = g.iloc[0]  # the strongest
        tickets, share, base = int(g["tickets"].sum()), g["share"].sum(), g["baseline_share"].sum()
        ratio = float(r.ratio) if len(g) == 1 or base <= 0 else share / base
        names = " and ".join(f"'{i}'" for i in g["intent"])
        text = (
            f"{names} tickets spiked in {r.period}: {tickets} tickets, {100 * share:.0f}% of the "
            f"{noun} against a usual {100 * base:.0f}% ({ratio:.1f}x)."
        )
        if len(g) > 1:
            shared = str(r.get("_shared", "") or "")
            why = f"their own words share '{shared}'" if shared else "their names share words"
            text += f" One incident: the {len(g)} topics spiked in the same {noun} and {why}."
        if len(g) > 1 and "terms" in g.columns:  # the incident's words: each topic's
            r = r.copy()
            r["terms"] = ", ".join(_own_words(g["terms"]))
        context, week_ratio = _spike_context(r, noun, topics, many=len(g) > 1)
        text += context
        top_ratio = max(ratio, week_ratio)  # a one-week outage is as severe as its week
        sev = "high" if top_ratio >= 3 else "medium" if top_ratio >= 2 else "low"
        ev: dict[str, Any] = {
            "period": r.period,
            "intent": r.intent,
            "tickets": tickets,
            "share": float(share),
            "baseline_share": float(base),
            "ratio": float(ratio),
            "z": float(r.z),
        }
        if len(g) > 1:
            ev["intents"] = [str(i) for i in g["intent"]]
        if "terms" in g.columns and (words := _own_words(g["terms"])):
            ev["terms"] = words  # the incident's: the shared ones first
        if str(getattr(r, "week", "") or ""):
            ev |= {"week": str(r.week), "week_tickets": int(r.week_tickets),
                   "week_ratio": round(week_ratio, 3)}  # fmt: skip
        out.append((float(r.z), Finding(text, sev, ev, name=f"spike_{r._slug}_{r.period}")))
    out.sort(key=lambda zf: -zf[0])
    return [f for _, f in out[:top]]


def _run_finding(g: pd.DataFrame, noun: str, topics: bool) -> tuple[float, Finding]:
    """One finding for the adjacent spike periods ``g`` of one intent (strongest first, with
    :func:`~opsai.service.analytics.spike_incidents`' columns): its days, tickets and extra
    tickets added up, its peak period named (byod11b D17)."""
    r = g.iloc[0]  # the peak
    start, end, n = str(r.incident_start), str(r.incident_end), len(g)
    tickets, extra = int(g["tickets"].sum()), float(g["extra_tickets"].sum())
    total = float((g["tickets"] / g["share"].where(g["share"] > 0)).sum())
    share = tickets / total if total > 0 else float(r.share)
    base = float(r.baseline_share)
    ratio = share / base if base > 0 else float(r.ratio)
    text = (
        f"'{r.intent}' tickets spiked from {start} to {end} ({n} {noun}s running): {tickets:,} "
        f"tickets, about {extra:,.0f} more than its usual {100 * base:.0f}% share would give "
        f"({100 * share:.0f}% of the tickets, {ratio:.1f}x). The peak {noun}, {r.period}, had "
        f"{int(r.tickets):,} tickets, {100 * r.share:.0f}% of the {noun} ({float(r.ratio):.1f}x)."
    )
    context, week_ratio = _spike_context(r, noun, topics)
    text += context
    top_ratio = max(float(r.ratio), week_ratio)
    sev = "high" if top_ratio >= 3 else "medium" if top_ratio >= 2 else "low"
    ev: dict[str, Any] = {
        "period": r.period,  # the peak
        "intent": r.intent,
        "start": start,
        "end": end,
        "periods": n,
        "tickets": tickets,
        "extra_tickets": round(extra, 1),
        "share": float(share),
        "baseline_share": base,
        "ratio": float(ratio),
        "peak_tickets": int(r.tickets),
        "peak_ratio": float(r.ratio),
        "z": float(r.z),
    }
    if str(getattr(r, "terms", "") or ""):
        ev["terms"] = str(r.terms).split(", ")
    slug = r["_slug"] if "_slug" in r.index else re.sub(r"[^0-9a-z]+", "_", str(r.intent).lower())
    return float(g["z"].max()), Finding(text, sev, ev, name=f"spike_{slug}_{start}_{end}")


def level_shift_findings(
    shifts: pd.DataFrame, *, freq: str | None = "M", top: int = 3
) -> list[Finding]:
    """One ``shift_<intent>`` finding per step of
    :func:`~opsai.service.analytics.level_shifts` (the strongest ``top``): the intent's share
    before and since, and when it began (byod10b D17: a queue complaint rising from 1% of
    reviews to 7-8% in July and staying there was two 'low' spikes)."""
    unit = {"M": "month", "W": "week", "D": "day", "Q": "quarter", "Y": "year", "A": "year"}
    noun = unit.get((freq or "").upper()[:1], "period")
    out = []
    for k, r in enumerate(shifts.head(top).itertuples(index=False)):
        slug = re.sub(r"[^0-9a-z]+", "_", str(r.intent).lower()).strip("_") or f"topic{k}"
        ratio = float(r.ratio)
        text = (
            f"'{r.intent}' tickets rose from about {100 * r.share_before:.1f}% of tickets to "
            f"{100 * r.share_after:.1f}% from {r.since} and stayed there: each of the "
            f"{r.periods_after} {noun}s since is above each of the {r.periods_before} before "
            f"({ratio:.1f}x, {r.tickets_after:,} tickets; Fisher's exact p = {r.p_value:.1g}). "
            f"A lasting change rather than a one-off spike: look for what changed around "
            f"{r.since}."
        )
        ev = {
            "intent": r.intent,
            "first_period": str(r.since),
            "periods": int(r.periods_after),
            "share_before": float(r.share_before),
            "share_after": float(r.share_after),
            "ratio": ratio,
            "tickets": int(r.tickets_after),
            "p_value": float(r.p_value),
        }
        sev = "high" if ratio >= 3 else "medium"
        out.append(Finding(text, sev, ev, name=f"shift_{slug}"))
    return out


def _spike_context(r: Any, noun: str, topics: bool, *, many: bool = False) -> tuple[str, float]:
    """The sentences on a spike's own words and its week
    (:func:`~opsai.service.analytics.spike_context`), and the week's ratio (0 without).
    ``many``: the spike is an incident of several topics."""
    text, week_ratio = "", 0.0
    terms = getattr(r, "terms", "")
    terms = terms if isinstance(terms, str) else ""
    if terms:
        what = ("topics'" if many else "topic's") if topics else "intent's"
        text += f" Words that set them apart from the {what} other {noun}s: {terms}."
    week = str(getattr(r, "week", "") or "")
    if week and pd.notna(getattr(r, "week_tickets", None)):
        week_ratio = float(r.week_ratio) if pd.notna(r.week_ratio) else 0.0
        text += (
            f" Most of the rise fell in the week {week}: {int(r.week_tickets):,} tickets, "
            f"{week_ratio:.1f}x the usual share."
        )
    return text, week_ratio


def _own_words(terms: pd.Series) -> list[str]:
    """The spike words of an incident's topics (strongest first), each once: those two or
    more topics share first."""
    lists = [[w for w in t.split(", ") if w] if isinstance(t, str) else [] for t in terms]
    seen = pd.Series([w for ws in lists for w in dict.fromkeys(ws)], dtype=object)
    counts = seen.value_counts(sort=False)
    order = {w: k for k, w in enumerate(dict.fromkeys(seen))}
    return sorted(order, key=lambda w: (-int(counts[w] > 1), order[w]))


def _stem(word: str) -> str:
    """A word crudely stemmed ("charged" and "charge" are one)."""
    return re.sub(r"(ing|ed|es|s|e)$", "", word.lower())


def _stems(name: object) -> set[str]:
    """The words of a topic's name, crudely stemmed ("charged" and "charge" are one)."""
    words = re.findall(r"\w+", re.sub(r"\(e\.g\..*", "", str(name)).lower())
    return {_stem(w) for w in words if len(w) >= 3 and not w.isdigit()}


def _incidents(spikes: pd.DataFrame) -> list[pd.DataFrame]:
    """Spikes of one period whose intents' names share a word (stemmed) are one incident:
    one complaint that topic discovery split in two ('charged / now / same' and 'card /
    charge / double' in the same month). So are those whose own words in the period
    (``terms``, :func:`~opsai.service.analytics.spike_context`) share one: a recall whose
    English tickets a multilingual embedding spread over two mixed-language topics, both
    spiking the same week with "recall" their own word (byod12b D8). Each group strongest
    first, with ``_shared`` (the shared words, ", "-joined; empty when the names share)."""
    out = []
    for _, g in spikes.sort_values("z", ascending=False).groupby("period", sort=False):
        stems = dict(zip(g.index, map(_stems, g["intent"]), strict=True))
        terms = g["terms"] if "terms" in g.columns else pd.Series("", index=g.index)
        terms = terms.where(terms.map(lambda t: isinstance(t, str)), "")
        own = {i: {_stem(w) for w in t.split(", ") if w} for i, t in terms.items()}
        groups: list[list[int]] = []
        for i in g.index:
            hit = [k for k in groups if any(stems[i] & stems[j] or own[i] & own[j] for j in k)]
            merged = [i] + [j for k in hit for j in k]
            groups = [k for k in groups if k not in hit] + [merged]
        for k in groups:
            k = sorted(k, key=lambda j: -g.loc[j, "z"])
            named = any(stems[a] & stems[b] for a in k for b in k if a != b)
            shared = [w for w in terms[k[0]].split(", ")
                      if w and any(_stem(w) in own[j] for j in k[1:])]  # fmt: skip
            out.append(g.loc[k].assign(_shared="" if named else ", ".join(shared)))
    return out


def negative_shift_findings(
    shifts: pd.DataFrame, *, top: int = 3, freq: str | None = "M"
) -> list[Finding]:
    """Findings from :func:`~opsai.service.analytics.negative_shifts`, most significant first:
    "Negative tickets rose to 56% in 2024-09 (211 of 374) from a usual 0%"."""
    unit = {"M": "month", "W": "week", "D": "day", "Q": "quarter", "Y": "year", "A": "year"}
    noun = unit.get((freq or "").upper()[:1], "period")
    out = []
    for r in _negative_runs(shifts).head(top).itertuples():
        p = float(r.p_value)
        ptext = "p < 1e-10" if p < 1e-10 else f"p = {p:.1g}"
        if r.start:  # adjacent periods: one incident (byod11b D17)
            each = "p < 1e-10 each" if p < 1e-10 else f"p = {p:.1g} or less each"
            text = (
                f"Negative tickets rose to {100 * r.share:.0f}% from {r.start} to {r.end} "
                f"({int(r.runs)} {noun}s running, {int(r.negative):,} of {int(r.tickets):,}; "
                f"{r.shares} by {noun}) from a usual {100 * r.baseline_share:.0f}% in the other "
                f"{noun}s (binomial test per {noun}, {each}, Bonferroni over "
                f"{int(r.periods)} {noun}s)."
            )
        else:
            text = (
                f"Negative tickets rose to {100 * r.share:.0f}% in {r.period} "
                f"({int(r.negative):,} of {int(r.tickets):,}) from a usual "
                f"{100 * r.baseline_share:.0f}% in the other {int(r.periods) - 1} {noun}s "
                f"(binomial test, {ptext}, Bonferroni over {int(r.periods)} {noun}s)."
            )
        ev = {
            k: getattr(r, k) if k == "period" else float(getattr(r, k))
            for k in ("period", "tickets", "negative", "share", "baseline_share", "p_value")
        }
        if r.start:
            ev |= {"start": r.start, "end": r.end, "periods": int(r.runs)}
        if "intent" in shifts.columns and pd.notna(r.intent):
            text += f" Most are '{r.intent}' tickets ({int(r.intent_negative):,})."
            ev |= {"intent": r.intent, "intent_negative": int(r.intent_negative)}
        when = f"from {r.start} to {r.end}" if r.start else f"in {r.period}"
        text += f" Look for what went wrong for customers {when}."
        rise = float(r.share - r.baseline_share)
        sev = "high" if rise >= 0.25 else "medium"
        name = f"negative_share_{r.start}_{r.end}" if r.start else f"negative_share_{r.period}"
        out.append(Finding(text, sev, ev, name=name))
    return out


def _negative_runs(shifts: pd.DataFrame) -> pd.DataFrame:
    """:func:`~opsai.service.analytics.negative_shifts`' rows with adjacent periods merged
    into one (byod11b D17: two weeks of one shipping incident were two findings): tickets and
    negative tickets added up, the usual share weighted by the tickets, the largest (least
    significant) probability, the intent with the most negative tickets over the run.
    ``start``/``end`` (days) and ``runs`` (periods) name a merged row; ``start`` is "" for a
    lone period. Most significant first."""
    from opsai.service.analytics import period_bounds

    if shifts.empty:
        return shifts.assign(start="", end="", runs=1, shares="")
    rows = shifts.reset_index(drop=True)
    bounds = [period_bounds(p) for p in rows["period"]]
    order = sorted((b[0], i) for i, b in enumerate(bounds) if b is not None)
    groups: list[list[int]] = []
    for _, i in order:
        prev = groups[-1][-1] if groups else None
        if prev is not None and (bounds[i][0] - bounds[prev][1]).days == 1:  # type: ignore[index]
            groups[-1].append(i)
        else:
            groups.append([i])
    groups += [[i] for i, b in enumerate(bounds) if b is None]
    out = []
    for k in groups:
        g = rows.loc[k]
        r = g.sort_values("p_value").iloc[0].to_dict()
        r |= {"start": "", "end": "", "runs": 1, "shares": ""}
        if len(k) > 1:
            n, neg = float(g["tickets"].sum()), float(g["negative"].sum())
            r |= {"tickets": n, "negative": neg, "share": neg / n,
                  "baseline_share": float((g["tickets"] * g["baseline_share"]).sum() / n),
                  "p_value": float(g["p_value"].max()), "runs": len(k),
                  "start": f"{bounds[k[0]][0]:%Y-%m-%d}", "end": f"{bounds[k[-1]][1]:%Y-%m-%d}",  # type: ignore[index]
                  "shares": ", ".join(f"{100 * x:.0f}%" for x in g["share"])}  # fmt: skip
            if "intent" in g.columns and g["intent"].notna().any():
                by = g.groupby("intent")["intent_negative"].sum().sort_values(ascending=False)
                r |= {"intent": by.index[0], "intent_negative": int(by.iloc[0])}
        out.append(r)
    return pd.DataFrame(out).sort_values(["p_value", "period"], ignore_index=True)


def driver_findings(
    drivers: pd.DataFrame, *, rated: bool = True, tool: bool = False, top: int = 3
) -> list[Finding]:
    """Findings from :func:`~opsai.service.analytics.sentiment_drivers`, most significant
    first: "'refund' tickets were rated negative 58% of the time (264 of 458) against 9% for
    the other intents; they hold 264 of the 440 negative ratings (60%)".

    ``rated``: the sentiment is the data's own label (else a model's or the lexicon's
    reading, and the text says so); ``tool``: that label is a listening tool's, not the
    customers' rating ("labelled negative by the listening tool")."""
    out = []
    rated = rated and not tool  # a listening tool's labels are a model's reading too
    how = "rated" if rated else "labelled by the listening tool as" if tool else "read as"
    what = (
        "negative ratings"
        if rated
        else "tickets the listening tool labels negative"
        if tool
        else "tickets read as negative"
    )
    for k, r in enumerate(drivers.head(top).itertuples()):
        col, val = str(r.column), str(r.value)
        name = f"'{val}' tickets" if col == "intent" else f"{col} '{val}' tickets"
        others = "the other intents" if col == "intent" else f"the other {col}s"
        p = float(r.p_value)
        ptext = "p < 1e-10" if p < 1e-10 else f"p = {p:.1g}"
        held = int(r.negative) / max(int(r.negative_total), 1)
        text = (
            f"{name[0].upper()}{name[1:]} were {how} negative {100 * r.share:.0f}% of the time "
            f"({int(r.negative):,} of {int(r.tickets):,}) against {100 * r.others_share:.0f}% "
            f"for {others}; they hold {int(r.negative):,} of the {int(r.negative_total):,} "
            f"{what} ({share_pct(held)}) (binomial test, {ptext}, Bonferroni over "
            f"{int(r.tested)} intents and channels). Find what goes wrong for customers in "
            f"{name}: it is where the bad experiences come from."
        )
        if tool:  # the tool's label: no customer said so
            text += (
                " The sentiment is the listening tool's, computed from the texts, not rated by "
                "customers: read a sample of these tickets before acting on it."
            )
        elif not rated:  # a topic named by its words, read by words: check before acting
            text += (
                " The sentiment was read from the texts by a model or the lexicon, not rated "
                "by customers: read a sample of these tickets before acting on it."
            )
        ev = {"column": col, "value": val, "tickets": int(r.tickets),
              "negative": int(r.negative), "share": round(float(r.share), 4),
              "others_share": round(float(r.others_share), 4),
              "negative_total": int(r.negative_total), "p_value": p, "rated": rated,
              "by": "tool" if tool else "customer" if rated else "text"}  # fmt: skip
        big = r.share - r.others_share >= 0.25 or held >= 0.4
        sev = "high" if big and rated else "medium"
        slug = re.sub(r"[^0-9a-z]+", "_", val.lower()).strip("_") or f"value{k}"  # 上菜: value0
        out.append(Finding(text, sev, ev, name=f"sentiment_driver_{col}_{slug}"))
    return out


def intent_finding(table: pd.DataFrame, best: str) -> Finding:
    """How well the chosen intent model does, how it compared in cross-validation, and how
    much it hands to people."""
    r = table.set_index("model").loc[best]
    sev = "info" if r["accuracy"] >= 0.9 else "medium" if r["accuracy"] >= 0.75 else "high"
    ev: dict[str, Any] = {
        k: float(r[k]) for k in ("accuracy", "macro_f1", "answered", "accuracy_answered")
    }
    # with the number of held-out tickets, each share gets its 95% interval: 9 of 9 right
    # is 66-100%, not a certainty
    n = int(r["test_tickets"]) if "test_tickets" in r.index and pd.notna(r["test_tickets"]) else 0
    held = f"{100 * r['accuracy']:.1f}% of held-out tickets correctly (macro-F1"
    ci_answered = ""
    if n:
        k = round(r["accuracy"] * n)
        lo, hi = proportion_ci(k, n)
        held = (
            f"{k:,} of {n:,} held-out tickets correctly ({100 * r['accuracy']:.1f}%, "
            f"95% CI {100 * lo:.0f}-{100 * hi:.0f}%; macro-F1"
        )
        ev |= {"test_tickets": n, "accuracy_ci_low": lo, "accuracy_ci_high": hi}
        sev = "medium" if sev == "info" and lo < 0.75 else sev
        n_ans = round(r["answered"] * n)
        if n_ans:
            ci_answered = f" ({_ci_text(round(r['accuracy_answered'] * n_ans), n_ans)})"
    acc_answered = f"{100 * r['accuracy_answered']:.1f}% accuracy{ci_answered}"
    need = (
        tickets_to_show(float(r["target_precision"]))
        if "target_precision" in r.index and pd.notna(r["target_precision"])
        else 0
    )
    cv_n = int(r["cv_tickets"]) if "cv_tickets" in r.index and pd.notna(r["cv_tickets"]) else 0
    if r["answered"] >= 1:
        answers = f"it answers every ticket itself, at {acc_answered}"
    elif r["answered"] > 0:
        answers = (  # 99.8% must not read "100% ... and routes the rest"
            f"it answers {share_pct(r['answered'])} itself at {acc_answered} and routes "
            "the rest to an agent"
        )
    elif need and cv_n and cv_n < need and not np.isfinite(r["threshold"]):
        answers = (
            f"its confidence threshold was tuned on {cv_n:,} training tickets, fewer than the "
            f"{need:,} it takes for answers that are all right to show "
            f"{share_pct(float(r['target_precision']))} precision (95% confidence), so it "
            "answers no ticket itself: every ticket goes to an agent until more are labelled"
        )
        ev["tickets_to_show_target"] = need
    else:
        answers = (
            "no confidence level reached the wanted precision in cross-validation, so it "
            "answers no ticket itself: every ticket goes to an agent"
        )
    cv = ""
    if "cv_macro_f1" in r.index:
        ev |= {"cv_macro_f1": float(r["cv_macro_f1"]), "cv_macro_f1_sd": float(r["cv_macro_f1_sd"])}
        cv = _cv_comparison(table, best)
    scope = ""
    # no caveat about what the threshold saw when there is none, or it answers nothing
    if "out_of_scope_cv" in r.index and pd.notna(r["threshold"]) and r["threshold"] < np.inf:
        n = ev["out_of_scope_cv"] = int(r["out_of_scope_cv"])
        scope = " The confidence below which tickets go to an agent was " + (
            f"also tested on {n} training ticket{'s' if n != 1 else ''} labelled out of scope "
            "('other' or similar), each predicted by a model that had not learnt it: answering "
            "one with an intent counted as a wrong answer."
            if n
            else "set from in-scope tickets only (no ticket is labelled 'other' or similar): "
            "answers to the kinds of questions the model was trained on are that accurate, but "
            "a question about something else entirely can still get a confident, wrong answer. "
            "Label such tickets 'other' to tune it on them too."
        )
    rep = float(r["repeated_texts"]) if pd.notna(r.get("repeated_texts")) else 0.0
    if rep >= 0.1:  # a row split would have put most held-out texts in training too
        ev["repeated_texts"] = rep
        scope += (
            f" {share_pct(rep)} of the labelled tickets repeat another's text (FAQ buttons, "
            "canned phrases, copies): the held-out tickets share no text with the training "
            "ones, so these figures are for wordings the model has not learnt; repeats of "
            "known texts are answered at least as well."
        )
    n_test = int(ev.get("test_tickets", 0))
    n_oos = int(r["out_of_scope_test"]) if pd.notna(r.get("out_of_scope_test")) else 0
    if (
        n_oos and n_test
    ):  # what decides whether a bot may go live: out-of-scope questions it answers
        routed = float(r["out_of_scope_routed"])
        k = round(routed * n_oos)
        ev |= {
            "out_of_scope_test": n_oos,
            "out_of_scope_routed": routed,
            "in_scope_accuracy": float(r["in_scope_accuracy"]),
        }
        scope += (
            f" Of the {n_oos:,} held-out tickets labelled out of scope, {k:,} "
            f"({share_pct(routed)}, {_ci_text(k, n_oos)}) went to an agent and {n_oos - k:,} "
            f"got an intent; the other {n_test - n_oos:,} held-out tickets were labelled right "
            f"{100 * float(r['in_scope_accuracy']):.1f}% of the time."
        )
        if routed < 0.9:
            sev = "medium" if sev == "info" else sev
    return Finding(
        f"The {best} intent model labels {held} {r['macro_f1']:.2f}); {answers}.{cv}{scope}",
        sev,
        ev,
        name="intent_quality",
    )


def _cv_comparison(table: pd.DataFrame, best: str) -> str:
    """One sentence: ``best``'s cross-validated macro-F1 beside the best other model's."""

    def score(x: pd.Series) -> str:
        return f"{x['cv_macro_f1']:.3f} ± {x['cv_macro_f1_sd']:.3f}"

    r = table.set_index("model").loc[best]
    n = int(r["cv_tickets"]) if "cv_tickets" in r else 0
    of = f"{n:,} training tickets" if n else "the training tickets"
    text = (
        f" Its macro-F1 cross-validated on {int(r['folds'])} folds of {of} "
        f"(mean ± standard deviation over the folds) was {score(r)}"
    )
    others = table[table["model"] != best].sort_values("cv_macro_f1", ascending=False)
    if others.empty:
        return text + "."
    o = others.iloc[0]
    if r["cv_macro_f1"] >= o["cv_macro_f1"]:
        return text + f", the best; next came {o['model']}, {score(o)}."
    return text + f"; the best was {o['model']}, {score(o)}."


def reply_finding(
    replies: pd.DataFrame, truth: pd.Series | None, kb_intents: Iterable[object] | None
) -> Finding:
    """How often the top suggested reply was written for the ticket's true intent.

    A ticket whose intent has no knowledge-base answer can never get a right one, so the hit
    rate is also given on the tickets the knowledge base covers and the missing intents are
    named: with answers for 50 of 77 intents the overall rate read 61% while the suggester
    was right for 99.5% of the tickets it could answer. Without an intent column in the kb
    a hit cannot be told and the rate is ``None``.

    Args:
        replies: :meth:`~opsai.service.reply.ReplySuggester.suggest_frame` output
            (``reply_intent``, ``escalate``), row for row with ``truth``.
        truth: the tickets' true intents; ``None`` when tickets carry no intent labels (the
            suggestions then come from text similarity alone and are not scored).
        kb_intents: the kb's intent column, or ``None`` when it has none.
    """
    escalated = float(replies["escalate"].mean()) if len(replies) else 0.0
    if truth is None:
        return Finding(
            f"Tickets carry no intent labels, so the {len(replies):,} suggested replies below "
            "come from the texts' similarity to the knowledge base alone and whether they fit "
            f"cannot be measured; {100 * escalated:.0f}% go to an agent. Label some tickets' "
            "intents (data.tables.tickets.columns.intent) to measure and sharpen them.",
            "info",
            {"hit_rate": None, "escalated": escalated, "scored": False},
            name="reply_quality",
        )
    y = truth.astype(str).to_numpy()
    if kb_intents is None:
        return Finding(
            "The knowledge base has no intent column, so whether a suggested reply fits the "
            f"ticket cannot be measured; {100 * escalated:.0f}% of suggestions go to an agent. "
            "Map data.tables.kb.columns.intent to measure it.",
            "info",
            {"hit_rate": None, "escalated": escalated},
            name="reply_quality",
        )
    # out-of-scope tickets have no answer to find: going to an agent is their right outcome
    oos = out_of_scope(y)
    oos_note, oos_ev = "", {}
    if oos.any():
        routed = float(replies["escalate"].to_numpy(bool)[oos].mean())
        oos_ev = {"out_of_scope": int(oos.sum()), "out_of_scope_escalated": routed}
        oos_note = (
            f" The {int(oos.sum()):,} out-of-scope tickets ({', '.join(sorted(set(y[oos])))}) "
            f"are not counted: {100 * routed:.0f}% of them went to an agent, as they should."
        )
        replies, y = replies[~oos], y[~oos]
    if not len(y):
        return Finding(
            "Every held-out ticket is labelled out of scope, so no reply can be scored." + oos_note,
            "info",
            {"hit_rate": None, "escalated": escalated, **oos_ev},
            name="reply_quality",
        )
    hit = replies["reply_intent"].astype(str).to_numpy() == y
    known = {str(x) for x in kb_intents if pd.notna(x)}
    covered = np.isin(y, list(known))
    missing = pd.Series(y[~covered]).value_counts()
    ev: dict[str, Any] = {
        "hit_rate": float(hit.mean()),
        "hit_rate_covered": float(hit[covered].mean()) if covered.any() else None,
        "covered_share": float(covered.mean()),
        "intents_without_answer": len(missing),
        "escalated": escalated,
        **oos_ev,
    }
    text = (
        f"The top suggested reply was written for the ticket's intent for "
        f"{100 * ev['hit_rate']:.1f}% of held-out tickets; {100 * escalated:.0f}% go to an agent."
    )
    if missing.empty:
        return Finding(text + oos_note, "info", ev, name="reply_quality")
    largest = ", ".join(map(str, missing.index[:3]))
    on_covered = (
        f"It was right for {100 * ev['hit_rate_covered']:.1f}% of the "
        f"{100 * ev['covered_share']:.0f}% whose intent the knowledge base answers"
        if covered.any()
        else "The knowledge base answers none of their intents"
    )
    text += (
        f" {on_covered}. It has no answer for {len(missing)} of the "
        f"{len(set(y))} intents in the held-out tickets ({100 * (1 - ev['covered_share']):.0f}% "
        f"of them; most common: {largest}): adding those answers is what would raise the "
        "hit rate." + oos_note
    )
    sev = "medium" if ev["covered_share"] < 0.9 else "info"
    return Finding(text, sev, ev, name="reply_quality")


def language_fallback_findings(replies: pd.DataFrame, languages: Iterable[object]) -> list[Finding]:
    """One finding per ticket language the kb has no answers in, whose tickets therefore got
    a reply in another language (``language_fallback`` of
    :meth:`~opsai.service.reply.ReplySuggester.suggest_frame`); none when every ticket was
    answered in its own language.

    Args:
        replies: :meth:`~opsai.service.reply.ReplySuggester.suggest_frame` output.
        languages: the tickets' languages, row for row with ``replies``.
    """
    if "language_fallback" not in replies.columns or not len(replies):
        return []
    lang = pd.Series([language_code(x) or "und" for x in languages], index=replies.index)
    fell = replies["language_fallback"].astype(bool)
    out = []
    for lg in sorted(lang[fell].unique()):
        mine = lang == lg
        n, m = int((fell & mine).sum()), int(mine.sum())
        used = replies.loc[fell & mine, "reply_language"].astype(str).value_counts()
        name, other = _language_name(lg), " and ".join(_language_name(x) for x in used.index)
        out.append(
            Finding(
                f"{n} of {m} held-out {name} tickets were answered from {other} kb articles: the "
                f"knowledge base has no {name} answers. Add {name} answers to the kb (with "
                f"language '{lg}') so these customers are answered in their own language.",
                "medium",
                {
                    "language": lg,
                    "tickets": m,
                    "answered_in_other_language": n,
                    **{f"answered_in_{k}": int(v) for k, v in used.items()},
                },
                name=f"reply_language_{lg}",
            )
        )
    return out


ORDER_MODES = {
    "partial": "partly masked (last four digits kept)",
    "token": "replaced by [ORDER]",
    "keep": "kept as written (ORDER_MODE 'keep')",
}
"""What ORDER_MODE does to the order ids found, as the privacy finding says it."""


def pii_finding(
    counts: Mapping[str, int],
    tickets_with_pii: int,
    n_tickets: int,
    *,
    order_ids: int = 0,
    order_mode: str = "partial",
    unread: str = "",
) -> Finding:
    """How much personal data was redacted before anything was shown, and what became of
    the ``order_ids`` found (not personal data: ORDER_MODE says how they are shown).

    ``unread``: why the text column was not read (:func:`~opsai.service.chapter.readable_text`):
    then no text was scanned, and the finding says so rather than "0 of 24,000 tickets held
    personal data" (byod12b D5)."""
    total = int(sum(counts.values()))
    if unread and not total:
        return Finding(
            f"No ticket text was scanned for personal data: {unread}. None of it is shown or "
            "read by a model.",
            "info",
            {"tickets_with_pii": None, "items": 0, "scanned": False},
            name="pii_redacted",
        )
    parts = ", ".join(
        f"{v} {k.replace('_', ' ')}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])
    )
    orders = ""
    if order_ids:
        s = "" if order_ids == 1 else "s"
        orders = f" {order_ids:,} order id{s} {'was' if order_ids == 1 else 'were'} "
        orders += f"{ORDER_MODES.get(order_mode, order_mode)}."
    return Finding(
        f"{tickets_with_pii:,} of {n_tickets:,} tickets ({share_pct(tickets_with_pii / max(n_tickets, 1))}) "
        f"held personal data; {total:,} {'item was' if total == 1 else 'items were'} masked "
        "before any model output or table" + (f" ({parts})." if parts else ".") + orders,
        "medium" if tickets_with_pii else "info",
        {
            "tickets_with_pii": tickets_with_pii,
            "items": total,
            **{k: int(v) for k, v in counts.items()},
            **({"order_ids": order_ids} if order_ids else {}),
        },
        name="pii_redacted",
    )


def resolved_before_opened_finding(
    tickets: pd.DataFrame, *, col_time: str = "timestamp", col_resolved: str = "resolved_at"
) -> Finding | None:
    """Tickets whose ``resolved_at`` is earlier than their timestamp: no resolution time can
    be read from them (they are left out of the resolution table), and when most are, the
    two columns are likely swapped or the timestamp is another time (a Japanese export's
    作成日時 taken as the resolution). ``None`` when every resolved ticket was resolved after
    it was opened.

    Example:
        >>> t = pd.DataFrame({"timestamp": pd.to_datetime(["2024-01-02"] * 4),
        ...     "resolved_at": pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-01", None])})
        >>> resolved_before_opened_finding(t).evidence["tickets"]
        2
    """
    if col_time not in tickets or col_resolved not in tickets:
        return None
    start, end = pd.to_datetime(tickets[col_time]), pd.to_datetime(tickets[col_resolved])
    resolved = int((start.notna() & end.notna()).sum())
    n = int((end < start).sum())
    if not n:
        return None
    share = n / resolved
    swapped = (
        " Most are: are the columns swapped, or is timestamp another time than the ticket's "
        "creation? Check data.tables.tickets.columns.timestamp and resolved_at."
        if share > 0.5
        else " Check those tickets' times."
    )
    text = (
        f"{n:,} of {resolved:,} resolved tickets ({share_pct(share)}) were resolved before they "
        f"were opened (resolved_at earlier than timestamp): they are left out of the resolution "
        f"times.{swapped}"
    )
    evidence = {"tickets": n, "resolved": resolved, "share": round(share, 4)}
    return Finding(text, "high" if share > 0.5 else "low", evidence, name="resolved_before_opened")


def slowest_group(
    groups: pd.Series, values: pd.Series, *, min_n: int, min_ratio: float, alpha: float
) -> dict[str, Any] | None:
    """The group whose ``values`` (hours to resolve, seconds waited) run longest against all
    the other groups', when its median is ``min_ratio`` times theirs or more and a one-sided
    Mann-Whitney U test, Bonferroni-corrected for the groups with ``min_n`` values, says it is
    more than noise; ``None`` otherwise (or with fewer than two such groups)."""
    from scipy.stats import mannwhitneyu

    d = pd.DataFrame({"v": groups, "h": values}).dropna()
    counts = d["v"].value_counts()
    kept = list(counts[counts >= min_n].index)
    if len(kept) < 2:
        return None
    med = d[d["v"].isin(kept)].groupby("v")["h"].median().sort_values(ascending=False)
    slow = str(med.index[0])
    a, b = d.loc[d["v"] == slow, "h"], d.loc[d["v"] != slow, "h"]
    ratio = float(med.iloc[0] / b.median()) if b.median() > 0 else float("inf")
    p_value = float(mannwhitneyu(a, b, alternative="greater").pvalue)
    if ratio < min_ratio or p_value > alpha / len(kept):
        return None
    return {"value": slow, "ratio": ratio, "median": float(med.iloc[0]),
            "others": float(b.median()), "tickets": len(a), "p_value": p_value,
            "tested": len(kept)}  # fmt: skip


def _slowest(
    tickets: pd.DataFrame, col: str, col_time: str, col_resolved: str, min_tickets: int,
    alpha: float,
) -> dict[str, Any] | None:  # fmt: skip
    """The value of ``col`` whose tickets wait longest to be resolved against all the others
    (:func:`slowest_group`, at 1.5x the others' median or more)."""
    if col not in tickets or col_resolved not in tickets:
        return None
    hours = resolution_hours(tickets, col_time=col_time, col_resolved=col_resolved)
    groups = tickets[col].astype("string")
    return slowest_group(groups, hours, min_n=min_tickets, min_ratio=1.5, alpha=alpha)


def _p(p: float) -> str:
    return "p < 1e-10" if p < 1e-10 else f"p = {p:.1g}"


def _hours(h: float) -> str:
    """``4.2 hours``; under an hour in minutes (``43 minutes``)."""
    return f"{h:.1f} hours" if h >= 1 else f"{60 * h:.0f} minutes"


def resolution_language_finding(
    tickets: pd.DataFrame,
    *,
    col_language: str = "language",
    col_time: str = "timestamp",
    col_resolved: str = "resolved_at",
    min_tickets: int = 20,
    alpha: float = 0.05,
) -> Finding | None:
    """The language whose tickets wait longest to be resolved, against all the others, when
    the gap is large (1.5x the others' median or more) and more than noise (a Mann-Whitney U
    test, Bonferroni-corrected for the languages with ``min_tickets`` resolved tickets). A US
    shop's Spanish tickets waited 2.6x as long as its English ones, and no page said so.
    ``None`` with fewer than two such languages or no such gap."""
    s = _slowest(tickets, col_language, col_time, col_resolved, min_tickets, alpha)
    if s is None:
        return None
    ratio, name = s["ratio"], _language_name(s["value"])
    text = (
        f"{name} tickets take {ratio:.1f}x as long to resolve as the others: median "
        f"{s['median']:.1f} hours against {s['others']:.1f} ({s['tickets']:,} resolved {name} "
        f"tickets). Check staffing for {name}."
    )
    evidence = {"language": s["value"], "ratio": round(ratio, 3), "median_hours": round(s["median"], 2),
                "others_median_hours": round(s["others"], 2), "tickets": s["tickets"],
                "p_value": s["p_value"]}  # fmt: skip
    return Finding(text, "medium" if ratio < 2 else "high", evidence, name="resolution_language")


def resolution_gap_findings(
    tickets: pd.DataFrame,
    *,
    by: Iterable[str] = ("channel", "intent"),
    col_time: str = "timestamp",
    col_resolved: str = "resolved_at",
    min_tickets: int = 20,
    alpha: float = 0.05,
) -> list[Finding]:
    """:func:`resolution_language_finding` per channel and per intent: the channel (or
    intent) whose tickets wait longest, against all the others, when the gap is 1.5x or more
    and more than noise. A support-tweet export's Delta replies took 4.2 hours against 43-47
    minutes for the three other companies (5.7x) and only a table showed it. One finding per
    column at most, named ``resolution_<column>``; a slow value whose tickets are mostly (80%)
    those of an earlier column's slow value (the 'delta / flight' topic of the Delta
    channel) is that gap again and gets none."""
    out: list[Finding] = []
    slow: list[pd.Series] = []  # the tickets of the slow values found so far
    for col in by:
        s = _slowest(tickets, col, col_time, col_resolved, min_tickets, alpha)
        if s is None:
            continue
        mine = tickets[col].astype("string") == s["value"]
        if any((mine & other).sum() >= 0.8 * mine.sum() for other in slow):
            continue
        slow.append(mine.fillna(False))
        ratio, val = s["ratio"], s["value"]
        what = f"'{val}' tickets" if col == "intent" else f"Tickets from {col} '{val}'"
        text = (
            f"{what} take {ratio:.1f}x as long to resolve as the other {col}s': median "
            f"{_hours(s['median'])} against {_hours(s['others'])} ({s['tickets']:,} resolved "
            f"tickets; Mann-Whitney U, {_p(s['p_value'])}, Bonferroni over {s['tested']} "
            f"{col}s). Check staffing and routing for {val}."
        )
        evidence = {"column": col, "value": val, "ratio": round(ratio, 3),
                    "median_hours": round(s["median"], 2), "others_median_hours": round(s["others"], 2),
                    "tickets": s["tickets"], "p_value": s["p_value"]}  # fmt: skip
        sev = "medium" if ratio < 2 else "high"
        out.append(Finding(text, sev, evidence, name=f"resolution_{col}"))
    return out


def escalation_text(queue: pd.DataFrame, *, valued: bool, open_known: bool) -> str:
    """The line over the escalation queue (:func:`~opsai.service.analytics.escalation_queue`).

    Args:
        queue: the queue, with ``priority`` (2 = angry and high-value).
        valued: tickets name users and the run has their orders, so high-value customers can
            be told apart.
        open_known: tickets have a resolution column (else every ticket counts as open).

    With ``angry`` and ``sentiment_source`` (:func:`~opsai.service.chapter.fill_sentiment`)
    in the queue, the angry tickets are told apart: "172 rated negative + 85 predicted
    negative".
    """
    noun = "open tickets" if open_known else "tickets"
    if len(queue) == 0:
        return f"No {noun} need a senior agent: none is angry or high-value."
    what = noun if open_known else f"{noun} (no resolution column: all count as open)"
    angry = ""
    if "sentiment_source" in queue.columns and "angry" in queue.columns:
        src = queue["sentiment_source"]
        rated = queue["angry"] & src.isin(("label", "tool"))
        guessed = queue["angry"] & ~src.isin(("label", "tool"))
        how = (
            "labelled negative by the listening tool" if (src == "tool").any() else "rated negative"
        )
        angry = f"{int(rated.sum()):,} {how} + {int(guessed.sum()):,} predicted negative"
    if valued:
        both = int((queue["priority"] == 2).sum())
        why = f"{both:,} of them angry and from a high-value customer"
        why += f"; angry: {angry}" if angry else ""
    else:
        why = f"angry customers{': ' + angry if angry else ''}; no spend to rank them by: that "
        why += "needs orders and user ids on tickets"
    return f"{len(queue):,} {what} need a senior agent ({why})."
