"""Sentences of the customer-service chapter."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.service.findings import escalation_text

pytestmark = pytest.mark.unit


def test_escalation_text_counts_with_separators_and_says_why() -> None:
    queue = pd.DataFrame({"priority": [2] * 3 + [1] * 1232})
    assert escalation_text(queue, valued=True, open_known=True) == (
        "1,235 open tickets need a senior agent (3 of them angry and from a high-value customer)."
    )
    assert escalation_text(queue, valued=False, open_known=False) == (
        "1,235 tickets (no resolution column: all count as open) need a senior agent (angry "
        "customers; no spend to rank them by: that needs orders and user ids on tickets)."
    )
    empty = escalation_text(queue.iloc[:0], valued=True, open_known=True)
    assert empty == "No open tickets need a senior agent: none is angry or high-value."


def test_reply_finding_without_intent_labels_says_the_replies_are_unscored() -> None:
    from opsai.service.findings import reply_finding

    replies = pd.DataFrame(
        {"reply_intent": ["a", "b", "a", "b"], "escalate": [True, False, False, False]}
    )
    f = reply_finding(replies, None, ["a", "b"])
    assert f.evidence == {"hit_rate": None, "escalated": 0.25, "scored": False}
    assert f.text.startswith(
        "Tickets carry no intent labels, so the 4 suggested replies below come"
    )
    assert "25% go to an agent" in f.text and "data.tables.tickets.columns.intent" in f.text
    scored = reply_finding(replies, pd.Series(["a", "a", "a", "b"]), ["a", "b"])
    assert scored.evidence["hit_rate"] == 0.75


def test_a_language_whose_tickets_wait_longer_is_a_finding() -> None:
    """A US shop's Spanish tickets waited 2.6x as long as its English ones (median 48.6 h vs
    18.5 h) and no page said so; a small gap, or one within noise, is no finding."""
    from opsai.service.chapter import resolution_language_finding

    rng = np.random.default_rng(0)
    n_en, n_es = 120, 40
    hours = np.r_[rng.gamma(2.0, 9.0, n_en), rng.gamma(2.0, 24.0, n_es)]
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n_en + n_es), unit="h")
    t = pd.DataFrame({"language": ["en"] * n_en + ["es"] * n_es, "timestamp": start,
                      "resolved_at": start + pd.to_timedelta(hours, unit="h")})  # fmt: skip
    f = resolution_language_finding(t)
    med_es, med_en = np.median(hours[n_en:]), np.median(hours[:n_en])
    assert f is not None and f.name == "resolution_language" and f.evidence["language"] == "es"
    assert f.evidence["ratio"] == pytest.approx(med_es / med_en, abs=1e-3)
    assert f.text.startswith(f"Spanish tickets take {med_es / med_en:.1f}x as long to resolve")
    assert f.severity == ("high" if med_es / med_en >= 2 else "medium")
    same = t.assign(resolved_at=start + pd.to_timedelta(rng.gamma(2.0, 9.0, n_en + n_es), unit="h"))
    assert resolution_language_finding(same) is None
    assert resolution_language_finding(t.head(n_en + 10)) is None  # 10 Spanish: too few


def test_one_incident_split_into_two_topics_is_one_spike() -> None:
    """Intercom: one double-charge incident gave two spikes and two actions in 07 ('charged /
    now / same' 107 and 'card / charge / double' 104, both 2024-09)."""
    from opsai.service.findings import spike_findings

    cols = ["period", "intent", "tickets", "share", "baseline_share", "ratio", "z"]
    spikes = pd.DataFrame(
        [
            ["2024-09", "charged / now / same", 107, 107 / 374, 0.0013, 214.0, 90.0],
            ["2024-09", "card / charge / double", 104, 104 / 374, 0.0013, 208.0, 88.0],
            ["2024-09", "app / help / keeps", 60, 60 / 374, 0.05, 3.2, 8.0],  # another cause
            ["2024-05", "card / charge / double", 20, 0.05, 0.0013, 40.0, 20.0],  # another month
        ],
        columns=cols,
    )
    named = spike_findings(spikes, top=5)  # labelled intents: the owner's, never grouped
    assert [x.evidence["tickets"] for x in named] == [107, 104, 20, 60]
    assert not any("intents" in x.evidence for x in named)
    f = spike_findings(spikes, top=5, topics=True)
    assert [x.name for x in f] == [
        "spike_charged_now_same_2024-09",
        "spike_card_charge_double_2024-05",
        "spike_app_help_keeps_2024-09",
    ]
    one = f[0]
    assert one.text == (
        "'charged / now / same' and 'card / charge / double' tickets spiked in 2024-09: 211 "
        "tickets, 56% of the month against a usual 0% (217.0x). One incident: the 2 topics "
        "spiked in the same month and their names share words."
    )
    assert one.evidence["intents"] == ["charged / now / same", "card / charge / double"]
    assert one.evidence["tickets"] == 211 and one.severity == "high"
    assert "intents" not in f[2].evidence and f[2].evidence["tickets"] == 60


def test_a_channel_whose_tickets_wait_longer_is_a_finding() -> None:
    """byod10b D3: Delta's first replies took 4.2 hours against 43-47 minutes for the three
    other companies (5.7x) and only the resolution table showed it; its topic ('delta /
    flight / all', all Delta tickets) is the same gap and gets no second finding."""
    from opsai.service.chapter import resolution_gap_findings

    rng = np.random.default_rng(2)
    channels = np.repeat(["Delta", "AppleSupport", "AmazonHelp", "SpotifyCares"], 150)
    hours = np.where(channels == "Delta", rng.gamma(2.0, 2.1, 600), rng.gamma(2.0, 0.37, 600))
    start = pd.Timestamp("2017-10-01") + pd.to_timedelta(np.arange(600), unit="h")
    intent = np.where(channels == "Delta", "delta / flight / all", rng.choice(["a", "b"], 600))
    t = pd.DataFrame({"channel": channels, "intent": intent, "timestamp": start,
                      "resolved_at": start + pd.to_timedelta(hours, unit="h")})  # fmt: skip
    (f,) = resolution_gap_findings(t)
    slow, rest = np.median(hours[channels == "Delta"]), np.median(hours[channels != "Delta"])
    assert f.name == "resolution_channel" and f.severity == "high"
    assert f.evidence["value"] == "Delta" and f.evidence["tickets"] == 150
    assert f.evidence["ratio"] == pytest.approx(slow / rest, abs=1e-3)
    assert f.text.startswith(
        f"Tickets from channel 'Delta' take {slow / rest:.1f}x as long to resolve as the other "
        f"channels': median {slow:.1f} hours against {60 * rest:.0f} minutes (150 resolved"
    )
    (g,) = resolution_gap_findings(t.assign(channel="web"))  # one channel: the intent then
    assert g.name == "resolution_intent" and g.evidence["value"] == "delta / flight / all"
    same = t.assign(resolved_at=start + pd.to_timedelta(rng.gamma(2.0, 0.4, 600), unit="h"))
    assert resolution_gap_findings(same) == []


def test_a_slow_channel_is_a_service_action() -> None:
    """byod10b D3: the slow channel reached no action ("No action could be derived")."""
    from types import SimpleNamespace

    from opsai import executive as ex
    from opsai.executive.actions import _service

    ev = {"column": "channel", "value": "Delta", "ratio": 5.764, "median_hours": 4.21,
          "others_median_hours": 0.73, "tickets": 729, "p_value": 0.0}  # fmt: skip
    findings = pd.DataFrame([{"chapter": "05_customer_service", "name": "resolution_channel",
                              "severity": "high", "text": "...", "evidence": ev}])  # fmt: skip
    (a,) = _service(SimpleNamespace(findings=lambda: findings), {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Check staffing and routing for channel 'Delta': tickets wait 5.8x as long to be "
        "resolved (median 4.2 hours against 0.7)."
    )
    assert (a["low"], a["high"]) == pytest.approx((0.25 * 3.48, 3.48))
    assert a["unit"] == "hours less a ticket" and a["severity"] == "high"
    # byod11b D12: a call's talk time read "median 0.1 hours against 0.1": minutes under an hour
    ev = ev | {"column": "intent", "value": "Technical", "ratio": 1.7, "median_hours": 0.15,
               "others_median_hours": 0.08}  # fmt: skip
    (m,) = _service(
        SimpleNamespace(findings=lambda: findings.assign(evidence=[ev])),
        {},
        ex.Assumptions(),
        "USD",
    )  # type: ignore[arg-type]
    assert m["action"] == (
        "Check staffing and routing for 'Technical' tickets: tickets wait 1.7x as long to be "
        "resolved (median 9 minutes against 5 minutes)."
    )
    assert m["unit"] == "minutes less a ticket" and m["high"] == pytest.approx(0.07 * 60)


def _weekly_envio() -> pd.DataFrame:
    """The HubSpot 'Envío' delay as detect_spikes flagged it on weekly volume (byod11b D17):
    152 and 167 tickets in two adjacent weeks, and a lone week in June."""
    cols = ["period", "intent", "tickets", "share", "baseline_share", "ratio", "z"]
    return pd.DataFrame(
        [
            ["2024-10-21/2024-10-27", "Envío", 167, 167 / 244, 0.086, 7.956, 33.3],
            ["2024-10-14/2024-10-20", "Envío", 152, 152 / 242, 0.086, 7.302, 30.1],
            ["2024-06-03/2024-06-09", "Envío", 40, 0.3, 0.086, 3.5, 8.0],
        ],
        columns=cols,
    )


def test_adjacent_spike_periods_of_one_intent_are_one_incident() -> None:
    """byod11b D17: the 'Envío' spike of 2024-10-14..27 was two findings (and two of 07's
    actions, about 146 and 131 extra tickets); it is one incident of 319 tickets, about 277
    extra, peaking in the week of the 21st. A week apart in June stays its own spike."""
    from opsai.service.analytics import spike_incidents
    from opsai.service.findings import spike_findings

    table = spike_incidents(_weekly_envio())
    assert table["incident_start"].tolist() == ["2024-10-14", "2024-10-14", "2024-06-03"]
    assert table["incident_end"].tolist() == ["2024-10-27", "2024-10-27", "2024-06-09"]
    assert table["incident_periods"].tolist() == [2, 2, 1]
    assert table["extra_tickets"].round(0).tolist() == [146, 131, 29]
    one, june = spike_findings(_weekly_envio(), freq="W", min_run=4)
    assert one.name == "spike_env_o_2024-10-14_2024-10-27"
    assert one.text == (
        "'Envío' tickets spiked from 2024-10-14 to 2024-10-27 (2 weeks running): 319 tickets, "
        "about 277 more than its usual 9% share would give (66% of the tickets, 7.6x). The "
        "peak week, 2024-10-21/2024-10-27, had 167 tickets, 68% of the week (8.0x)."
    )
    ev = one.evidence
    assert (ev["start"], ev["end"], ev["periods"], ev["tickets"]) == (
        "2024-10-14",
        "2024-10-27",
        2,
        319,
    )
    assert (
        ev["extra_tickets"] == pytest.approx(277.2, abs=0.1)
        and ev["period"] == "2024-10-21/2024-10-27"
    )
    assert one.severity == "high" and june.evidence["period"] == "2024-06-03/2024-06-09"
    assert "start" not in june.evidence and june.name == "spike_env_o_2024-06-03/2024-06-09"


def test_adjacent_months_and_days_merge_and_gaps_do_not() -> None:
    """Monthly and daily volume merge adjacent periods the same way; a month between two
    spikes keeps them apart."""
    from opsai.service.findings import spike_findings

    cols = ["period", "intent", "tickets", "share", "baseline_share", "ratio", "z"]
    months = pd.DataFrame([["2024-09", "refund", 300, 0.3, 0.05, 6.0, 30.0],
                           ["2024-10", "refund", 200, 0.2, 0.05, 4.0, 20.0],
                           ["2024-12", "refund", 100, 0.15, 0.05, 3.0, 10.0]], columns=cols)  # fmt: skip
    names = [f.name for f in spike_findings(months, freq="M", min_run=4)]
    assert names == ["spike_refund_2024-09-01_2024-10-31", "spike_refund_2024-12"]
    days = months.assign(period=["2024-10-01", "2024-10-02", "2024-10-04"])
    f = spike_findings(days, freq="D", min_run=4)
    assert [x.name for x in f] == ["spike_refund_2024-10-01_2024-10-02", "spike_refund_2024-10-04"]
    assert f[0].evidence["tickets"] == 500 and f[0].evidence["extra_tickets"] == pytest.approx(400)


def test_adjacent_negative_share_rises_are_one_finding() -> None:
    """byod11b D17: 'Negative tickets rose' twice, for the two weeks of the Envío delay."""
    from opsai.service.findings import negative_shift_findings

    shifts = pd.DataFrame({"period": ["2024-10-21/2024-10-27", "2024-10-14/2024-10-20"],
                           "tickets": [241, 241], "negative": [183, 163],
                           "share": [183 / 241, 163 / 241], "baseline_share": [0.32, 0.32],
                           "p_value": [1e-30, 1e-20], "periods": [53, 53],
                           "intent": ["Envío", "Envío"], "intent_negative": [164, 147]})  # fmt: skip
    (f,) = negative_shift_findings(shifts, freq="W")
    assert f.name == "negative_share_2024-10-14_2024-10-27"
    assert f.text.startswith(
        "Negative tickets rose to 72% from 2024-10-14 to 2024-10-27 (2 weeks running, 346 of "
        "482; 68%, 76% by week) from a usual 32% in the other weeks"
    )
    assert "Most are 'Envío' tickets (311)." in f.text
    assert (f.evidence["negative"], f.evidence["tickets"], f.evidence["p_value"]) == (
        346,
        482,
        1e-20,
    )
    apart = shifts.assign(period=["2024-10-21/2024-10-27", "2024-09-30/2024-10-06"])
    assert len(negative_shift_findings(apart, freq="W")) == 2


def test_topics_spiking_together_with_the_same_own_words_are_one_incident() -> None:
    """byod12b D8: one recall (week 2024-05-13) spread over two mixed-language topics,
    '口味 / nordbrew / recall' (its own words: recall, disgrace, found, fragments) and '喝过 /
    有人 / drank' (drank, kids, recall, shocked), whose names share no word: two findings and
    two 07 actions. Spikes of one period whose own words share one are one incident."""
    from opsai.service.findings import spike_findings

    cols = ["period", "intent", "tickets", "share", "baseline_share", "ratio", "z", "terms"]
    wk = "2024-05-13/2024-05-19"
    spikes = pd.DataFrame(
        [
            [wk, "口味 · recall / disgrace", 206, 206 / 307, 0.12, 5.6, 30.0,
             "recall, disgrace, found, fragments"],
            [wk, "喝过 / 有人 · drank / kids", 80, 80 / 307, 0.06, 4.3, 12.0,
             "drank, kids, recall, shocked"],
            [wk, "order / waiting", 40, 40 / 307, 0.05, 2.6, 5.0, "waiting, late"],
        ],
        columns=cols,
    )  # fmt: skip
    f = spike_findings(spikes, freq="W", topics=True)
    assert [x.evidence.get("intents") for x in f] == [
        ["口味 · recall / disgrace", "喝过 / 有人 · drank / kids"],
        None,
    ]
    one = f[0]
    assert one.evidence["tickets"] == 286
    assert one.evidence["terms"] == [
        "recall",
        "disgrace",
        "found",
        "fragments",
        "drank",
        "kids",
        "shocked",
    ]
    assert one.text.startswith(
        "'口味 · recall / disgrace' and '喝过 / 有人 · drank / kids' tickets spiked in "
        f"{wk}: 286 tickets, 93% of the week against a usual 18% (5.2x). One incident: the 2 "
        "topics spiked in the same week and their own words share 'recall'."
    )
    assert one.text.endswith(
        " Words that set them apart from the topics' other weeks: recall, disgrace, found, "
        "fragments, drank, kids, shocked."
    )
    assert f[1].evidence["intent"] == "order / waiting" and f[1].evidence["terms"] == [
        "waiting",
        "late",
    ]
    alone = spike_findings(spikes.assign(terms=["recall", "drank", "late"]), freq="W", topics=True)
    assert len(alone) == 3  # no shared word: three incidents
    labelled = spike_findings(spikes, freq="W")  # the data owner's intents: never grouped
    assert len(labelled) == 3
