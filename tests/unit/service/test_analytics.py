"""Support analytics: a planted spike is found, tables have the promised columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import SchemaError
from opsai.service.analytics import (
    complaint_terms,
    detect_spikes,
    escalation_queue,
    level_shifts,
    resolution_time,
    sentiment_trend,
    volume_by_intent,
)

pytestmark = pytest.mark.unit


def _month_tickets(seed: int = 0) -> pd.DataFrame:
    """12 months x 40 tickets over 4 intents; month 7 gets 30 extra refund tickets."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(1, 13):
        n_extra = 30 if m == 7 else 0
        intents = (
            list(rng.choice(["refund", "login", "invoice", "delay"], 40)) + ["refund"] * n_extra
        )
        for k, it in enumerate(intents):
            rows.append(
                {
                    "ticket_id": f"{m}-{k}",
                    "timestamp": pd.Timestamp(2024, m, 1 + k % 28),
                    "intent": it,
                }
            )
    return pd.DataFrame(rows)


def test_volume_and_planted_spike() -> None:
    vol = volume_by_intent(_month_tickets())
    assert list(vol.columns) == ["period", "intent", "tickets", "period_total", "share"]
    assert len(vol) == 12 * 4
    np.testing.assert_allclose(vol.groupby("period")["share"].sum(), 1.0)
    spikes = detect_spikes(vol)
    assert spikes[["period", "intent"]].values.tolist() == [["2024-07", "refund"]]
    assert spikes["ratio"].iloc[0] > 2


def test_volume_without_timestamps_is_one_period() -> None:
    t = _month_tickets().drop(columns="timestamp")
    vol = volume_by_intent(t, freq=None)
    assert vol["period"].unique().tolist() == ["all"]
    assert vol.set_index("intent")["tickets"].to_dict() == t["intent"].value_counts().to_dict()
    assert vol["period_total"].iloc[0] == len(t) and vol["share"].sum() == pytest.approx(1.0)
    assert detect_spikes(vol).empty


def test_no_spike_in_flat_data() -> None:
    t = _month_tickets()
    t = t[~((t["timestamp"].dt.month == 7) & (t.index % 2 == 0))]
    flat = t[t["timestamp"].dt.month != 7]
    assert detect_spikes(volume_by_intent(flat)).empty


def test_sentiment_trend_and_resolution() -> None:
    t = pd.DataFrame(
        {
            "ticket_id": ["a", "b", "c", "d"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-02-01", "2024-02-02"]),
            "resolved_at": pd.to_datetime(
                ["2024-01-01 02:00", "2024-01-02 04:00", None, "2024-02-02 10:00"]
            ),
            "sentiment": ["negative", "positive", "negative", "negative"],
            "intent": ["refund", "refund", "login", "refund"],
            "channel": ["chat", "chat", "email", "email"],
            "language": ["en", "zh", "en", "en"],
        }
    )
    tr = sentiment_trend(t)
    assert tr["negative_share"].tolist() == [0.5, 1.0]
    rt = resolution_time(t)
    assert rt.to_dict("records")[0] == {
        "intent": "refund",
        "channel": "email",
        "tickets": 1,
        "open": 0,
        "median_hours": 10.0,
        "p90_hours": 10.0,
    }
    login = rt[rt["intent"] == "login"].iloc[0]
    assert login["open"] == 1 and np.isnan(login["median_hours"])


def test_complaint_terms_redact_and_rank() -> None:
    texts = ["refund late again, terrible o00001234"] * 4 + ["refund please thanks"] * 4
    t = pd.DataFrame(
        {"text": texts, "intent": "refund", "sentiment": ["negative"] * 4 + ["positive"] * 4}
    )
    texts = [t + " awful broken cold damaged" for t in texts[:4]] + texts[4:]
    t["text"] = texts
    terms = complaint_terms(t, top=6)
    # six words tie on the log-odds: alphabetical, the same in every process (they once
    # came in set order, which PYTHONHASHSEED shuffles)
    assert terms["term"].tolist() == ["awful", "broken", "cold", "damaged", "late", "terrible"]
    assert not terms["term"].str.contains("0000").any()


def test_escalation_queue_orders_priority() -> None:
    t = pd.DataFrame(
        {
            "ticket_id": ["t1", "t2", "t3", "t4"],
            "user_id": ["u1", "u2", "u3", "u2"],
            "sentiment": ["negative", "neutral", "negative", "negative"],
            "resolved_at": [None, None, None, "2024-01-01"],
        }
    )
    orders = pd.DataFrame({"user_id": ["u1", "u2", "u3"], "amount": [10.0, 500.0, 20.0]})
    q = escalation_queue(t, orders=orders, value_quantile=0.9)
    assert q["ticket_id"].tolist() == ["t2", "t3", "t1"]
    assert q["priority"].tolist() == [1, 1, 1]


def test_missing_column_names_the_fix() -> None:
    with pytest.raises(SchemaError, match=r"intent.*data\.tables\.tickets\.columns"):
        volume_by_intent(pd.DataFrame({"timestamp": []}))


def _many_intents_volume(seed: int = 0) -> pd.DataFrame:
    """77 intents of very different sizes (BANKING77-like), 12 months of 275 tickets, no spike."""
    rng = np.random.default_rng(seed)
    p = rng.lognormal(0, 1.0, 77)
    p /= p.sum()
    rows = [
        {"timestamp": pd.Timestamp(2024, m, 1 + k % 28), "intent": f"intent_{i:02d}"}
        for m in range(1, 13)
        for i, c in enumerate(rng.multinomial(275, p))
        for k in range(c)
    ]
    return volume_by_intent(pd.DataFrame(rows))


def test_rare_intents_raise_no_false_spikes() -> None:
    """Counts drawn from one fixed mix: the normal approximation flagged rare intents
    (5 tickets against an expected 0.5 read as z 6.4); the exact binomial tail does not."""
    vol = _many_intents_volume()
    assert detect_spikes(vol).empty
    rare = vol.groupby("intent")["tickets"].sum().idxmin()
    spiked = vol.copy()
    hit = (spiked["intent"] == rare) & (spiked["period"] == "2024-05")
    spiked.loc[hit, "tickets"] += 12
    spiked["period_total"] = spiked.groupby("period")["tickets"].transform("sum")
    spiked["share"] = spiked["tickets"] / spiked["period_total"]
    found = detect_spikes(spiked)
    assert found[["period", "intent"]].values.tolist() == [["2024-05", rare]]


def test_complaint_terms_with_unlabelled_tickets() -> None:
    """Unlabelled tickets (no intent) among labelled ones: counted under 'unknown'; the
    sort of the intents raised TypeError (float NaN against str)."""
    t = pd.DataFrame(
        {
            "text": ["card late again, terrible"] * 4 + ["where is my card, terrible wait"] * 3,
            "intent": ["card_arrival"] * 4 + [np.nan] * 3,
            "sentiment": "negative",
        }
    )
    terms = complaint_terms(t, top=2)
    assert sorted(set(terms["intent"])) == ["card_arrival", "unknown"]
    assert terms[terms["intent"] == "card_arrival"]["term"].tolist()[0] == "late"


def _incident(months: int = 12, spike: str = "2024-09") -> pd.DataFrame:
    """The Intercom double-charge month: no negative ticket but in one month, where 211 of
    374 are negative, nearly all about the double charge."""
    rows = []
    for p in pd.period_range("2024-01", periods=months, freq="M"):
        n, neg = (374, 211) if str(p) == spike else (350, 0)
        for i in range(n):
            bad = i < neg
            rows.append({
                "timestamp": p.to_timestamp() + pd.Timedelta(hours=i),
                "sentiment": "negative" if bad else "neutral",
                "intent": ("card / charge / double" if i % 2 else "charged / now / same") if bad
                else ("card / charge / double" if i == neg else "been / week / order"),
            })  # fmt: skip
    return pd.DataFrame(rows)


def test_negative_share_rise_is_found_and_said() -> None:
    from opsai.service.analytics import negative_shifts
    from opsai.service.findings import negative_shift_findings

    s = negative_shifts(_incident())
    assert s["period"].tolist() == ["2024-09"]
    r = s.iloc[0]
    assert (r["negative"], r["tickets"], r["baseline_share"]) == (211, 374, 0.0)
    assert r["share"] == pytest.approx(0.5642, abs=1e-4) and r["p_value"] < 1e-10
    assert (r["intent"], r["intent_negative"]) == ("charged / now / same", 106)
    f = negative_shift_findings(s)
    assert len(f) == 1 and f[0].name == "negative_share_2024-09" and f[0].severity == "high"
    assert f[0].text.startswith(
        "Negative tickets rose to 56% in 2024-09 (211 of 374) from a usual 0% in the other 11 "
        "months (binomial test, p < 1e-10, Bonferroni over 12 months). Most are 'charged / now / "
        "same' tickets (106)."
    )


def test_negative_share_noise_is_no_rise() -> None:
    """A steady 20% negative share with binomial noise, and a rise too small to matter (12%
    to 19%, significant on 5,000 tickets but under 10 points) flag nothing."""
    from opsai.service.analytics import negative_shifts

    rng = np.random.default_rng(0)
    rows = []
    for p in pd.period_range("2024-01", periods=12, freq="M"):
        for i in range(300):
            rows.append({"timestamp": p.to_timestamp() + pd.Timedelta(hours=i),
                         "sentiment": "negative" if rng.random() < 0.2 else "positive"})  # fmt: skip
    assert negative_shifts(pd.DataFrame(rows)).empty
    big = []
    for p in pd.period_range("2024-01", periods=6, freq="M"):
        share = 0.19 if str(p) == "2024-06" else 0.12
        big += [{"timestamp": p.to_timestamp(), "sentiment": "negative" if i < 5000 * share else "neutral"}
                for i in range(5000)]  # fmt: skip
    assert negative_shifts(pd.DataFrame(big)).empty
    assert negative_shifts(pd.DataFrame(big), min_rise=0.04)["period"].tolist() == ["2024-06"]
    assert negative_shifts(_incident(months=2)).empty  # two periods: too few to tell


def test_tickets_resolved_before_opened_are_left_out_and_counted() -> None:
    """D17: with the created time taken as resolved_at, chapter 05 printed median -0.4 and
    -2.8 hours. A ticket resolved before it was opened now has no resolution time, open
    tickets are still the unresolved ones, and the finding counts the early ones."""
    from opsai.service.chapter import resolved_before_opened_finding

    t = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(["2024-01-01 10:00"] * 5),
            "resolved_at": pd.to_datetime(
                [
                    "2024-01-01 20:00",
                    "2024-01-02 06:00",
                    "2024-01-01 08:00",
                    None,
                    "2024-01-01 09:30",
                ]
            ),
            "intent": ["refund"] * 5,
            "channel": ["email"] * 5,
        }
    )
    rt = resolution_time(t).to_dict("records")
    assert rt == [{"intent": "refund", "channel": "email", "tickets": 5, "open": 1,
                   "median_hours": 15.0, "p90_hours": 19.0}]  # fmt: skip
    f = resolved_before_opened_finding(t)
    assert f is not None and f.evidence == {"tickets": 2, "resolved": 4, "share": 0.5}
    assert f.severity == "low"
    assert f.text.startswith("2 of 4 resolved tickets (50%) were resolved before they were opened")
    swapped = t.rename(columns={"timestamp": "resolved_at", "resolved_at": "timestamp"})
    f = resolved_before_opened_finding(swapped)
    assert f is not None and f.evidence["tickets"] == 2 and "swapped" not in f.text
    assert resolved_before_opened_finding(t.iloc[[0, 1, 3]]) is None
    flipped = t.iloc[[2, 4]]
    f = resolved_before_opened_finding(flipped)
    assert f is not None and f.severity == "high" and "columns swapped" in f.text
    assert resolution_time(flipped)["median_hours"].isna().all()


def test_a_one_week_incident_a_month_dilutes_is_found_weekly() -> None:
    """byod9b D16: at the default FREQ 'M' a week in which logistics tickets doubled (34% of
    the week against a usual 18%) was invisible in its month (21%), and the page did not say
    spikes were looked for per month only. Weeks are now scanned too, at a stricter z."""
    from opsai.service.analytics import detect_spikes, volume_by_intent, weekly_spikes

    def tickets(planted: bool) -> pd.DataFrame:
        rng = np.random.default_rng(3)
        rows = []
        for d in pd.date_range("2025-01-06", periods=26 * 7, freq="D"):
            spike = planted and pd.Timestamp("2025-06-16") <= d <= pd.Timestamp("2025-06-22")
            for _ in range(20):
                p = 0.45 if spike else 0.18
                rows.append((d, "logistics" if rng.random() < p else f"other{rng.integers(4)}"))
        return pd.DataFrame(rows, columns=["timestamp", "intent"])

    t = tickets(planted=True)
    monthly = detect_spikes(volume_by_intent(t, freq="M"), z=4.0)
    assert monthly.empty  # the month dilutes it
    weekly = weekly_spikes(t, freq="M", z=4.0, found=monthly)
    assert weekly.attrs["checked"] is True
    assert weekly[["period", "intent"]].values.tolist() == [["2025-06-16/2025-06-22", "logistics"]]
    assert weekly_spikes(t, freq="W", z=4.0).empty  # weekly already: nothing more to scan
    short = t[t["timestamp"] < "2025-03-01"]
    assert not weekly_spikes(short, freq="M", z=4.0).attrs.get("checked")  # under 12 weeks
    calm = weekly_spikes(tickets(planted=False), freq="M", z=4.0)
    assert calm.empty and calm.attrs["checked"] is True  # 26 weeks x 5 intents: no false one


def test_a_product_whose_reviews_turn_negative_is_named() -> None:
    """byod9b D9: product reviews could not carry their product (tickets had no item_id), so
    a product whose ratings collapsed after a date showed nowhere. Tickets now take an
    item_id, and a split of each product's rated tickets in time is tested (Bonferroni over
    every split of every product)."""
    from opsai.service.analytics import item_sentiment_shifts
    from opsai.service.findings import item_shift_findings

    rng = np.random.default_rng(5)
    rows = []
    for k in range(12):  # 12 products, 60 reviews each over two years, 15% negative
        times = pd.Timestamp("2023-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 730, 60)), "D")
        for ts in times:
            p = 0.7 if k == 3 and ts >= pd.Timestamp("2024-06-01") else 0.15
            rows.append((f"B00{k}", ts, "negative" if rng.random() < p else "positive"))
    t = pd.DataFrame(rows, columns=["item_id", "timestamp", "sentiment"])
    out = item_sentiment_shifts(t)
    assert len(out) == 12 and out["shifted"].sum() == 1
    top = out.iloc[0]
    assert top["item_id"] == "B003" and top["shifted"]
    after = t[(t["item_id"] == "B003") & (t["timestamp"] >= top["since"])]
    assert top["after"] == len(after)
    assert top["share_after"] == pytest.approx((after["sentiment"] == "negative").mean())
    assert abs(top["since"] - pd.Timestamp("2024-06-01")) < pd.Timedelta(days=60)
    (f,) = item_shift_findings(out, titles=pd.DataFrame({"item_id": ["B003"], "title": ["Kettle"]}))
    assert f.text.startswith("Reviews of Kettle (B003) turned negative: ")
    assert f.severity == "high" and f.evidence["item_id"] == "B003"
    calm = t.assign(sentiment=np.where(rng.random(len(t)) < 0.15, "negative", "positive"))
    assert not item_sentiment_shifts(calm)["shifted"].any()
    assert item_shift_findings(item_sentiment_shifts(calm)) == []


def test_a_review_collapse_is_dated_on_its_day_not_at_a_tenth() -> None:
    """byod12b D12: a product's reviews went from 0% to 100% negative on 2024-07-01, 455
    reviews in (not a tenth of its 600); the split was tested only at each tenth, so the
    collapse was dated at the 7th tenth ("since 2024-05-18", 81% of 180 negative). The tenths
    still detect; the date is refined over every split between the neighbouring tenths."""
    from opsai.service.analytics import item_sentiment_shifts
    from opsai.service.findings import item_shift_findings

    day = pd.Timestamp("2023-06-01") + pd.to_timedelta(np.arange(455) * 395 // 455, "D")
    late = pd.Timestamp("2024-07-01") + pd.to_timedelta(np.arange(145) // 3, "D")
    t = pd.DataFrame(
        {
            "item_id": "P1",
            "timestamp": np.concatenate([day.to_numpy(), late.to_numpy()]),
            "sentiment": ["positive"] * 455 + ["negative"] * 145,
        }
    )
    (r,) = item_sentiment_shifts(t).itertuples()
    assert r.shifted and r.since == pd.Timestamp("2024-07-01")
    assert (r.before, r.after, r.share_before, r.share_after) == (455, 145, 0.0, 1.0)
    (f,) = item_shift_findings(item_sentiment_shifts(t))
    assert "100% of its 145 rated tickets since 2024-07-01" in f.text
    assert "against 0% of the 455 before" in f.text and f.evidence["since"] == "2024-07-01"


def test_no_spike_table_gives_no_spike_finding() -> None:
    """A data set without timestamps scans no weeks: the empty frame (no columns) has no
    findings, it stopped the chapter with KeyError: 'intent'."""
    from opsai.service.findings import spike_findings

    assert spike_findings(pd.DataFrame(), freq="W") == []


def _step_volume(seed: int = 0, step: bool = True) -> pd.DataFrame:
    """12 months x 600 tickets over 5 intents; with ``step`` 'queue' goes from 1.5% of tickets
    to 7.5% in month 7 and stays there (byod10b D17)."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(1, 13):
        p_queue = 0.075 if step and m >= 7 else 0.015
        rest = (1 - p_queue) / 4
        counts = rng.multinomial(600, [p_queue, rest, rest, rest, rest])
        for intent, n in zip(["queue", "refund", "login", "invoice", "delay"], counts, strict=True):
            rows += [{"timestamp": pd.Timestamp(2023, m, 1 + k % 28), "intent": intent}
                     for k in range(n)]  # fmt: skip
    return volume_by_intent(pd.DataFrame(rows))


def test_a_lasting_step_is_one_shift_not_spikes_against_an_inflated_baseline() -> None:
    """byod10b D17: the median over both halves made 'usual' 4%, so the step read as two
    'low' 1.9x spikes. Now one step from 2023-07, and no spikes on either side of it."""
    vol = _step_volume()
    assert detect_spikes(vol)["intent"].eq("queue").any()  # the old reading: spikes
    shifts = level_shifts(vol)
    assert shifts["intent"].tolist() == ["queue"]
    r = shifts.iloc[0]
    assert str(r["since"]) == "2023-07"
    assert (r["periods_before"], r["periods_after"]) == (6, 6)
    assert 0.01 < r["share_before"] < 0.02 and 0.06 < r["share_after"] < 0.09
    assert r["ratio"] > 3 and r["p_value"] < 1e-10
    assert detect_spikes(vol, shifts=shifts).empty

    from opsai.service.findings import level_shift_findings

    (f,) = level_shift_findings(shifts)
    assert f.name == "shift_queue" and f.severity == "high"
    assert f.text.startswith("'queue' tickets rose from about 1.")
    assert (
        "from 2023-07 and stayed there: each of the 6 months since is above each of the 6" in f.text
    )


def test_no_step_in_a_steady_mix_or_a_one_month_spike() -> None:
    """A noisy but steady mix, and a planted one-month spike, are no lasting step."""
    for seed in range(5):
        assert level_shifts(_step_volume(seed, step=False)).empty
    assert level_shifts(volume_by_intent(_month_tickets())).empty
    # a spike in the last period is no step either (one period after it)
    vol = _step_volume(1, step=False)
    last = (vol["period"] == vol["period"].max()) & (vol["intent"] == "queue")
    vol.loc[last, "tickets"] += 60
    vol["period_total"] = vol.groupby("period")["tickets"].transform("sum")
    vol["share"] = vol["tickets"] / vol["period_total"]
    assert level_shifts(vol).empty
    assert detect_spikes(vol)[["intent"]].values.tolist() == [["queue"]]


def test_the_intent_where_bad_ratings_come_from_is_named() -> None:
    """byod10b D8: a Zendesk export's 'refund' tickets were rated bad 58% of the time against
    9% for the others (264 of 440 bad ratings) and no finding said so."""
    from opsai.service.analytics import sentiment_drivers
    from opsai.service.findings import driver_findings

    rng = np.random.default_rng(3)
    rows = []
    for intent in ["refund", "billing", "login", "shipping", "product"]:
        for i in range(400):
            p = 0.58 if intent == "refund" else 0.09
            channel = ["email", "web", "chat"][i % 3]
            rows.append((intent, channel, "negative" if rng.random() < p else "positive"))
    t = pd.DataFrame(rows, columns=["intent", "channel", "sentiment"])
    t.loc[::7, "sentiment"] = None  # unrated tickets are left out
    out = sentiment_drivers(t)
    assert list(zip(out["column"], out["value"], strict=True)) == [("intent", "refund")]
    r, rated = out.iloc[0], t[t["sentiment"].notna()]
    refund = rated[rated["intent"] == "refund"]
    assert r["tickets"] == len(refund) and r["tested"] == 8  # 5 intents + 3 channels
    assert r["negative"] == (refund["sentiment"] == "negative").sum()
    assert r["negative_total"] == (rated["sentiment"] == "negative").sum()
    others = rated[rated["intent"] != "refund"]
    assert r["others_share"] == pytest.approx((others["sentiment"] == "negative").mean())
    assert 0.5 < r["share"] < 0.66 and 0.06 < r["others_share"] < 0.12
    (f,) = driver_findings(out)
    assert f.name == "sentiment_driver_intent_refund" and f.severity == "high"
    assert f.text.startswith(
        f"'refund' tickets were rated negative {100 * r['share']:.0f}% of the time "
        f"({r['negative']} of {r['tickets']}) against {100 * r['others_share']:.0f}% for the "
        f"other intents; they hold {r['negative']} of the {r['negative_total']} negative ratings"
    )
    calm = t.assign(sentiment=np.where(rng.random(len(t)) < 0.1, "negative", "positive"))
    assert sentiment_drivers(calm).empty  # one share everywhere: no driver


def test_a_spike_names_its_own_words_and_its_week() -> None:
    """byod10b D2: an iCloud outage that topic discovery put into 'apple / store / pay' read
    "'apple / store / pay' tickets spiked in 2017-11" - no outage words, no week (264 of the
    month's 268 outage tickets fell in 2017-11-13..19)."""
    from opsai.service.analytics import spike_context
    from opsai.service.findings import spike_findings

    rng = np.random.default_rng(1)
    usual = ["apple pay card declined", "app store refund please", "pay with apple wallet fails"]
    rows = []
    for day in pd.date_range("2017-07-01", "2017-12-31", freq="D"):
        for k in range(10):
            intent = "apple / store / pay" if k == 0 else f"other{k}"
            rows.append((day + pd.Timedelta(hours=k), intent, str(rng.choice(usual))))
    for k in range(60):  # the outage: one week of November
        ts = pd.Timestamp("2017-11-13") + pd.Timedelta(hours=k)
        rows.append((ts, "apple / store / pay", "icloud is down, outage again, cannot sign in"))
    t = pd.DataFrame(rows, columns=["timestamp", "intent", "text"])
    spikes = detect_spikes(volume_by_intent(t))
    out = spike_context(t, spikes)
    r = out.iloc[0]
    assert (r["period"], r["intent"]) == ("2017-11", "apple / store / pay")
    assert set(r["terms"].split(", ")) >= {"icloud", "down", "outage"}
    assert not {"apple", "pay", "store"} & set(r["terms"].split(", "))  # the topic's usual words
    assert r["week"] == "2017-11-13..2017-11-19"
    week = t[(t["timestamp"] >= "2017-11-13") & (t["timestamp"] < "2017-11-20")]
    assert r["week_tickets"] == (week["intent"] == "apple / store / pay").sum()
    usual_share = r["share"] / r["ratio"]
    expected = (week["intent"] == "apple / store / pay").mean() / usual_share
    assert r["week_ratio"] == pytest.approx(expected)
    (f,) = spike_findings(out, topics=True)
    assert "Words that set them apart from the topic's other months: " in f.text
    assert "Most of the rise fell in the week 2017-11-13..2017-11-19" in f.text
    assert f.evidence["week"] == "2017-11-13..2017-11-19" and "outage" in f.evidence["terms"]
    assert r["ratio"] < 3 <= r["week_ratio"] and f.severity == "high"  # sized on its week
    spread = spike_context(
        t.assign(
            timestamp=t["timestamp"].where(  # the outage over the month
                t["text"].str.startswith("icloud").eq(False),
                pd.Timestamp("2017-11-01") + pd.to_timedelta(np.arange(len(t)) % 29, "D"),
            )
        ),
        spikes,
    )
    assert spread.iloc[0]["week"] == ""


def test_a_driver_read_by_the_lexicon_is_never_high() -> None:
    """byod10b D8 follow-up: on TWCS (no ratings) the lexicon read the 'arrived / order /
    want' topic 100% negative - a topic named by its words read by words - and 07 made it an
    action; unrated drivers stay medium, say so, and make no action."""
    from opsai.service.findings import driver_findings

    drivers = pd.DataFrame([{"column": "intent", "value": "arrived / order / want",
                             "tickets": 466, "negative": 466, "share": 1.0, "others_tickets": 5014,
                             "others_share": 0.03, "negative_total": 641, "p_value": 0.0,
                             "tested": 16}])  # fmt: skip
    (rated,) = driver_findings(drivers)
    (read,) = driver_findings(drivers, rated=False)
    assert rated.severity == "high" and read.severity == "medium"
    assert "were read as negative 100% of the time (466 of 466)" in read.text
    assert read.text.endswith("read a sample of these tickets before acting on it.")
    assert read.evidence["rated"] is False


def test_a_product_shift_names_the_aspect_that_fell() -> None:
    """byod10b D18 (4): Dianping's restaurant 1007 turned negative from July because its
    service collapsed (rating_service 3.97 -> 1.81, flavour and setting unchanged), and the
    finding could not say which aspect moved."""
    from opsai.service.analytics import aspect_columns, item_aspects, item_sentiment_shifts
    from opsai.service.findings import item_shift_findings

    rng = np.random.default_rng(4)
    rows = []
    for k in range(4):
        for ts in pd.date_range("2023-01-01", "2023-12-31", periods=120):
            bad = k == 1 and ts >= pd.Timestamp("2023-07-01")
            rows.append((f"R{k}", ts, "negative" if rng.random() < (0.5 if bad else 0.03) else "positive",
                         int(rng.integers(1, 3)) if bad else int(rng.integers(3, 6)),
                         int(rng.integers(3, 6)), int(rng.integers(1, 500))))  # fmt: skip
    t = pd.DataFrame(rows, columns=["item_id", "timestamp", "sentiment", "rating_service",
                                    "flavor_score", "review_count"])  # fmt: skip
    assert aspect_columns(t) == {"rating_service": "service", "flavor_score": "flavor"}
    shifts = item_sentiment_shifts(t)
    out = item_aspects(t, shifts)
    assert set(out["item_id"]) == {"R1"} and list(out["aspect"]) == ["service", "flavor"]
    r1 = t[t["item_id"] == "R1"]
    since = shifts.loc[shifts["item_id"] == "R1", "since"].iloc[0]
    svc = out.iloc[0]
    assert svc["before"] == pytest.approx(r1.loc[r1["timestamp"] < since, "rating_service"].mean())
    assert svc["after"] == pytest.approx(r1.loc[r1["timestamp"] >= since, "rating_service"].mean())
    (f,) = item_shift_findings(shifts, aspects=out)
    assert (
        f"Aspect scores before and since: service {svc['before']:.2f} -> {svc['after']:.2f}"
        in f.text
    )
    assert "service fell most." in f.text and f.evidence["aspect"] == "service"
