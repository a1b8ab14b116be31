"""The demo's support tickets (English and Chinese) and its knowledge base.

Ticket volume follows the user base; a defective batch of one item causes a refund spike in
:data:`SPIKE_MONTH`; after a competitor's price cut more customers ask for a price match.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.data._demo_base import DAY_S, N_DAYS, START, choice, ids, month_index, month_label
from opsai.data._demo_catalog import XSS, Catalog
from opsai.data._demo_people import N_CHINA, People
from opsai.data._demo_text import (
    ALSO,
    CHANNEL_SPEED,
    CITIES,
    CODE_SWITCH,
    COUPONS,
    DOMAINS,
    ENDINGS,
    FIRST,
    HOMOPHONES,
    INTENT_P,
    INTENTS,
    KB,
    LAST,
    OFF_TOPIC,
    OPENERS,
    P_CODE_SWITCH,
    P_MULTI,
    P_NEGATIVE,
    P_OFF_TOPIC,
    P_VAGUE,
    PARAPHRASES,
    PII,
    PII_KINDS,
    PII_REGEX,
    RESOLVE_HOURS,
    TEMPLATES,
    TICKET_CHANNELS,
    VAGUE,
)

SPIKE_MONTH = 18  # 2024-07: the month after a defective batch shipped
PRICE_MATCH_BOOST = 3.0
OTHER = "other"  # off-topic tickets: no knowledge-base answer but a hand-over


def _pii(rng: np.random.Generator, kind: str) -> str:
    if kind == "email":
        f, last, d = (
            rng.integers(0, len(FIRST)),
            rng.integers(0, len(LAST)),
            rng.integers(0, len(DOMAINS)),
        )
        return f"{FIRST[f]}.{LAST[last]}{rng.integers(1, 99)}@{DOMAINS[d]}"
    if kind == "mobile":
        return f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}"
    if kind == "phone":
        return f"+1 {rng.integers(200, 999)}-555-{rng.integers(0, 10**4):04d}"
    digits = f"{rng.choice([4, 5, 6])}{rng.integers(0, 10**15):015d}"
    sep = " " if rng.random() < 0.6 else ""
    return sep.join(digits[i : i + 4] for i in range(0, 16, 4))


def _typo(rng: np.random.Generator, text: str) -> str:
    if len(text) < 8:
        return text
    i = int(rng.integers(1, len(text) - 2))
    if rng.random() < 0.5:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def _zh_slips(rng: np.random.Generator, text: str) -> str:
    """English words for some Chinese terms, or a homophone slip of a pinyin keyboard."""
    if rng.random() < P_CODE_SWITCH:
        for zh in rng.permutation(list(CODE_SWITCH))[:2]:
            text = text.replace(str(zh), f" {CODE_SWITCH[str(zh)]} ", 1)
    if rng.random() < 0.1:
        at = [i for i, c in enumerate(text) if c in HOMOPHONES]
        if at:
            i = int(rng.choice(at))
            text = text[:i] + HOMOPHONES[text[i]] + text[i + 1 :]
    return text


def _body(
    rng: np.random.Generator, intent: str, lg: str, slots: dict[str, object], *, messy: bool
) -> str:
    """One request: a template, half the time a paraphrase, or (messy) a vague follow-up."""
    if messy and rng.random() < P_VAGUE / (1 - P_OFF_TOPIC):
        tpl = VAGUE[lg]
    elif rng.random() < 0.5:
        tpl = PARAPHRASES[intent][lg]
    else:
        tpl = TEMPLATES[intent][lg]
    return tpl[rng.integers(0, len(tpl))].format(**slots)


def make_tickets(
    rng: np.random.Generator,
    n: int,
    cat: Catalog,
    people: People,
    *,
    competitors: tuple[str, ...],
    competitor: str,
    cut_month: int,
) -> tuple[pd.DataFrame, pd.DataFrame, list[dict[str, Any]]]:
    """Tickets, the knowledge base and the ticket facts."""
    # when: volume follows the number of signed-up users
    signed = np.searchsorted(people.signup, np.arange(N_DAYS) * DAY_S) / len(people.signup)
    weight = 0.1 + signed
    day = choice(rng, weight, n)
    month = month_index(day * DAY_S)
    p = np.tile(np.array(INTENT_P), (n, 1))
    p[month >= cut_month, INTENTS.index("promo_coupon")] *= PRICE_MATCH_BOOST
    intent = (rng.random(n)[:, None] > np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)).sum(axis=1)  # fmt: skip
    # the defective batch: extra refund and defect tickets about one item
    in_spike = np.flatnonzero(month_index(np.arange(N_DAYS) * DAY_S) == SPIKE_MONTH)
    n_spike = max(30, round(1.2 * n * weight[in_spike].sum() / weight.sum()))
    s_day = rng.choice(in_spike, n_spike)
    s_intent = np.where(rng.random(n_spike) < 0.8, INTENTS.index("refund"), INTENTS.index("product_defect"))  # fmt: skip
    day = np.r_[day, s_day]
    intent = np.r_[intent, s_intent]
    spike = np.r_[np.zeros(n, bool), np.ones(n_spike, bool)]
    sec = day * DAY_S + rng.integers(8 * 3600, 23 * 3600, len(day))
    order = np.argsort(sec, kind="stable")
    sec, intent, spike = sec[order], intent[order], spike[order]
    m = len(sec)

    # who and in which language
    known = np.searchsorted(people.signup, sec)
    guest = (known == 0) | (rng.random(m) < 0.08)
    user = np.where(guest, -1, np.floor(rng.random(m) * np.maximum(known, 1)).astype(int))
    china = np.where(guest, rng.random(m) < 0.5, people.region[np.maximum(user, 0)] < N_CHINA)
    zh = np.where(china, rng.random(m) < 0.93, rng.random(m) < 0.03)
    lang = np.where(zh, "zh", "en")
    sent_u = rng.random(m)
    p_neg = np.where(spike, 0.85, np.array(P_NEGATIVE)[intent])
    sentiment = np.where(sent_u < p_neg, "negative", np.where(sent_u > 0.85, "positive", "neutral"))

    order_ids = people.orders[S.ORDER_ID].to_numpy()
    order_sec = (people.orders[S.TIMESTAMP].to_numpy() - START.astype("datetime64[s]")).astype(int)
    n_before = np.searchsorted(order_sec, sec)
    order_pick = np.floor(rng.random(m) * n_before).astype(int)
    rival = np.array(competitors, dtype=object)[rng.integers(0, len(competitors), m)]
    rival[(month_index(sec) >= cut_month) & (rng.random(m) < 0.8)] = competitor
    item_pick = choice(rng, cat.level, m)
    item_pick[spike] = cat.roles["defective"]
    pii_kind = np.where(rng.random(m) < 0.2, rng.integers(0, len(PII_KINDS), m), -1)
    off_topic = ~spike & (rng.random(m) < P_OFF_TOPIC)
    texts: list[str] = []
    for k in range(m):  # a few thousand tickets: string formatting, not a loop over events
        lg, it = str(lang[k]), int(item_pick[k])
        slots: dict[str, object] = {
            "item": cat.noun_zh[it] if lg == "zh" else cat.noun_en[it],
            "order": str(order_ids[order_pick[k]]) if n_before[k] else "o00000001",
            "days": int(rng.integers(2, 15)),
            "amount": f"{rng.uniform(9, 400):.2f}" + ("元" if lg == "zh" else ""),
            "coupon": COUPONS[rng.integers(0, len(COUPONS))],
            "competitor": rival[k],
            "city": CITIES[rng.integers(0, len(CITIES))],
        }
        if off_topic[k]:
            body = OFF_TOPIC[lg][rng.integers(0, len(OFF_TOPIC[lg]))].format(**slots)
        else:
            body = _body(rng, INTENTS[intent[k]], lg, slots, messy=not spike[k])
            if rng.random() < P_MULTI:  # a second request in the same message
                j = (intent[k] + rng.integers(1, len(INTENTS))) % len(INTENTS)
                second = _body(rng, INTENTS[j], lg, slots, messy=False)
                body += ALSO[lg] + (second[0].lower() + second[1:] if lg == "en" else second)
        if spike[k]:
            body += (
                "（6月买的这批）" if lg == "zh" else " (bought in June, same batch as my friend's)"
            )
        opener = OPENERS[lg][rng.integers(0, len(OPENERS[lg]))]
        ends = ENDINGS[str(sentiment[k])][lg]
        text = opener + body + ends[rng.integers(0, len(ends))]
        if pii_kind[k] >= 0:
            kind = PII_KINDS[pii_kind[k]]
            if lg == "zh" and kind == "phone":
                kind = "mobile"
            pii_tpl = next(t for t in PII[lg] if "{" + kind + "}" in t)
            text += pii_tpl.format(**{kind: _pii(rng, kind)})
        u = rng.random()
        if lg == "en":
            text = _typo(rng, text) if u < 0.12 else text.lower() if u < 0.27 else text
            text = _typo(rng, _typo(rng, text)) if rng.random() < 0.1 else text
        else:
            text = _zh_slips(rng, text)
            if u < 0.2:
                text = text.replace("，", ",").replace("？", "?").replace("！", "!")
        texts.append(text)
    plain = np.flatnonzero((lang == "en") & ~spike)
    xss_at = int(plain[len(plain) // 2])
    texts[xss_at] = f"The search box shows this when I type my order: {XSS} please fix"
    intent_names = np.array((*INTENTS, OTHER))[np.where(off_topic, len(INTENTS), intent)]
    intent_names[xss_at] = "account_login"

    ch_code = np.zeros(m, dtype=object)
    for lg, (names, probs) in TICKET_CHANNELS.items():
        sel = lang == lg
        ch_code[sel] = np.array(names, dtype=object)[choice(rng, probs, int(sel.sum()))]
    speed = np.array([CHANNEL_SPEED[c] for c in ch_code])
    hours = np.exp(rng.normal(np.log(np.array(RESOLVE_HOURS)[intent]), 0.6)) * speed
    resolved = sec + np.round(hours * 3600)
    open_ = (rng.random(m) < 0.04) | (resolved >= N_DAYS * DAY_S)
    start_s = START.astype("datetime64[s]")
    tickets = pd.DataFrame(
        {
            S.TICKET_ID: ids("t", m, 6),
            S.TIMESTAMP: start_s + sec.astype("timedelta64[s]"),
            S.TEXT: texts,
            S.USER_ID: pd.Series(people.user_ids[np.maximum(user, 0)]).where(user >= 0),
            S.CHANNEL: ch_code,
            S.LANGUAGE: lang,
            S.INTENT: intent_names,
            S.SENTIMENT: sentiment,
            S.RESOLVED_AT: pd.Series(start_s + resolved.astype("timedelta64[s]")).where(~open_),
        }
    )
    kb = pd.DataFrame(
        [
            {S.INTENT: i, S.LANGUAGE: lg, S.QUESTION: q, S.ANSWER: a}
            for i, by_lang in KB.items()
            for lg, (q, a) in by_lang.items()
        ]
    )
    facts = _facts(tickets, cat, competitor, cut_month, xss_at)
    return tickets, kb, facts


def _facts(
    tickets: pd.DataFrame, cat: Catalog, competitor: str, cut_month: int, xss_at: int
) -> list[dict[str, Any]]:
    ts = tickets[S.TIMESTAMP].to_numpy()
    month = month_index((ts - START.astype("datetime64[s]")).astype(int))
    share = pd.crosstab(month, tickets[S.INTENT], normalize="index")
    refund = share["refund"]
    promo = share["promo_coupon"]
    before = float(promo[(promo.index >= cut_month - 6) & (promo.index < cut_month)].mean())
    after = float(promo[(promo.index >= cut_month) & (promo.index < cut_month + 6)].mean())
    d = cat.roles["defective"]
    counts = {k: int(tickets[S.TEXT].str.contains(rx, regex=True).sum()) for k, rx in PII_REGEX.items()}  # fmt: skip
    any_pii = tickets[S.TEXT].str.contains("|".join(f"(?:{r})" for r in PII_REGEX.values()))
    return [
        {
            "id": "refund_spike",
            "chapter": "05_customer_service",
            "text": (
                f"Refund requests spiked in {month_label(SPIKE_MONTH)} to "
                f"{100 * refund[SPIKE_MONTH]:.0f}% of tickets (median month "
                f"{100 * refund.median():.0f}%), driven by a defective June batch of item "
                f"{cat.item_ids[d]} ({cat.noun_en[d]})."
            ),
            "month": month_label(SPIKE_MONTH),
            "intent": "refund",
            "refund_tickets": int(((month == SPIKE_MONTH) & (tickets[S.INTENT] == "refund")).sum()),
            "refund_share": round(float(refund[SPIKE_MONTH]), 4),
            "median_refund_share": round(float(refund.median()), 4),
            "item_id": str(cat.item_ids[d]),
            "item_keywords": [str(cat.noun_en[d]), str(cat.noun_zh[d])],
        },
        {
            "id": "price_match_tickets",
            "chapter": "07_integration",
            "text": (
                f"After {competitor}'s price cut in {month_label(cut_month)}, promo/price-match "
                f"tickets rose from {100 * before:.0f}% to {100 * after:.0f}% of volume."
            ),
            "intent": "promo_coupon",
            "company": competitor,
            "month": month_label(cut_month),
            "share_before_6m": round(before, 4),
            "share_after_6m": round(after, 4),
        },
        {
            "id": "pii_in_tickets",
            "chapter": "05_customer_service",
            "text": (
                f"{int(any_pii.sum())} ticket texts contain personal data (e-mails, Chinese "
                "mobile numbers, phone and card-like numbers) that must be redacted."
            ),
            "tickets_with_pii": int(any_pii.sum()),
            "counts": counts,
            "regex": PII_REGEX,
        },
        {
            "id": "xss_probe",
            "chapter": "report",
            "text": "One ticket text and one item title carry a <script> tag: the report must escape them.",
            "ticket_id": str(tickets[S.TICKET_ID].iloc[xss_at]),
            "item_id": str(cat.item_ids[cat.roles["xss"]]),
            "payload": XSS,
        },
    ]
