"""Tickets without free text (a call centre's export: queue, wait and talk seconds, CSAT;
byod11b D10/D11): ``text`` need not be mapped, it loads all-missing and validation says so
once; a text column holding a few labels (the queue, a disposition) is no text either; and
an unrated ticket without text gets no sentiment (before, the lexicon read "Resolved" as
neutral and diluted a 17.6% negative share to 2.5%)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data import open_workspace
from opsai.data.schema import NO_TEXT_COLUMN
from opsai.service.chapter import fill_sentiment, negative_trend, negative_trend_text, readable_text
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

CALLS = (
    "call_id,started_at,queue,wait_seconds,csat,disposition\n"
    "C1,2025-11-03 09:00:00,Billing,40,,Resolved\n"
    "C2,2025-11-03 09:05:00,Technical,82,1,Escalated\n"
    "C3,2025-11-04 10:00:00,Billing,12,5,\n"
)


def test_a_tickets_table_without_text_validates_and_says_so_once(tmp_path: Path) -> None:
    cols = {
        "ticket_id": "call_id",
        "timestamp": "started_at",
        "intent": "queue",
        "sentiment": "csat",
    }
    cfg = write_dataset(
        tmp_path, {"calls.csv": CALLS}, {"tickets": {"file": "calls.csv", "columns": cols}}
    )
    with open_workspace(cfg) as ws:
        said = [str(w) for w in ws.warnings if w.column == "text"]
        assert said == [f"tickets.text: {NO_TEXT_COLUMN}"]
        assert ws.absent == {"tickets.text": NO_TEXT_COLUMN}
        t = ws.to_pandas("tickets").sort_values("ticket_id")
    assert t["text"].isna().all() and len(t) == 3  # the call without a disposition is kept
    assert t["intent"].tolist() == ["Billing", "Technical", "Billing"]


def test_a_few_labels_mapped_as_text_are_no_text() -> None:
    calls = pd.DataFrame({"text": ["Resolved"] * 30 + ["Callback"] * 20 + ["Escalated"] * 10})
    texts, why = readable_text(calls)
    assert texts.isna().all()
    assert why == (
        "the text column holds 3 distinct values for 60 tickets (Resolved, Callback, "
        "Escalated): labels, not what customers wrote"
    )
    words = pd.DataFrame({"text": [f"my parcel {i} never came" for i in range(25)]})
    texts, why = readable_text(words)
    assert why == "" and texts.tolist() == words["text"].tolist()
    repeated = pd.DataFrame({"text": [f"question {i % 20}" for i in range(1001)]})  # 50x each
    assert readable_text(repeated)[1].startswith("the text column holds 20 distinct values")
    assert readable_text(pd.DataFrame({"text": [None, " "]}))[1] == "the tickets carry no text"


def test_templated_sentences_are_text_and_unread_labels_are_not_called_clean() -> None:
    """byod12b D5: 104 distinct review sentences over 24,000 reviews were read as labels
    (230 repeats each), and the privacy finding then said "0 of 24,000 tickets (0%) held
    personal data" of texts it never scanned, 40 of which held an e-mail or a phone."""
    from opsai.service.findings import pii_finding

    sentences = [f"the blender number {i} broke after two weeks of use" for i in range(25)]
    reviews = pd.DataFrame({"text": sentences * 80})  # 25 texts x 80: past max_repeat=50
    texts, why = readable_text(reviews)
    assert why == "" and texts.tolist() == reviews["text"].tolist()
    chinese = pd.DataFrame({"text": [f"第{i}个快递太慢了客服也不回复" for i in range(25)] * 80})
    assert readable_text(chinese)[1] == ""  # 14 characters: about 7 words
    short = pd.DataFrame({"text": [f"queue {i}" for i in range(25)] * 80})
    texts, why = readable_text(short)
    assert texts.isna().all() and why.startswith("the text column holds 25 distinct values")
    f = pii_finding({}, 0, 2000, unread=why)
    assert f.text == (
        f"No ticket text was scanned for personal data: {why}. None of it is shown or read by "
        "a model."
    )
    assert f.evidence["scanned"] is False and f.evidence["tickets_with_pii"] is None
    assert pii_finding({}, 0, 2000).text.startswith("0 of 2,000 tickets (0%) held personal data")


def test_unrated_tickets_without_text_get_no_sentiment() -> None:
    t = pd.DataFrame({"text": ["", "", "terrible, never again", ""],
                      "sentiment": ["negative", "positive", None, None], "language": "en"})  # fmt: skip
    out, f = fill_sentiment(t, pd.DataFrame())
    assert out["sentiment_source"].tolist() == ["label", "label", "lexicon", "no_text"]
    assert out["sentiment"].tolist()[:3] == ["negative", "positive", "negative"]
    assert pd.isna(out["sentiment"].iloc[3])  # not "neutral"
    assert "1 get none: they have no text to read" in f.text


def test_the_headline_negative_share_is_over_the_ratings() -> None:
    """byod11b D11: 66 of 381 rated November calls were negative (17.6%); the 2,252 unrated
    ones read neutral by the lexicon made it 2.5%. With 20+ ratings, the ratings are the base
    and the predictions are given beside."""
    n_rated, n_guess = 381, 2252
    t = pd.DataFrame(
        {
            "timestamp": pd.Timestamp("2025-11-03"),
            "sentiment": ["negative"] * 66 + ["positive"] * (n_rated - 66) + ["neutral"] * n_guess,
            "sentiment_source": ["label"] * n_rated + ["lexicon"] * n_guess,
        }
    )
    trend = negative_trend(t)
    row = trend.iloc[0]
    assert (row["tickets"], row["negative"], row["base"]) == (381, 66, "rated")
    assert row["negative_share"] == pytest.approx(0.1732, abs=1e-4)
    assert (row["predicted"], row["predicted_negative"]) == (2252, 0)
    assert negative_trend_text(trend) == (
        "Negative share, 2025-11: 17.3% of 381 rated tickets; 2,252 unrated tickets have a "
        "predicted sentiment, 0.0% of them negative, not counted.\n"
    )
    few = negative_trend(t.iloc[-30:].assign(sentiment_source=["label"] * 5 + ["lexicon"] * 25))
    assert few["base"].tolist() == ["rated and predicted"] and few["tickets"].tolist() == [30]
