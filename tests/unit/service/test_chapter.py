"""Chapter helpers: splits, model comparison table, findings with their numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.errors import SchemaError
from opsai.service.chapter import (
    compare_intent_models,
    pii_finding,
    sentiment_by_language,
    spike_findings,
    split_labelled,
)

pytestmark = pytest.mark.unit


def test_split_keeps_rare_labels_in_training(tickets: pd.DataFrame) -> None:
    t = pd.concat([tickets, tickets.iloc[:1].assign(intent="once")])
    train, test = split_labelled(t, test_size=0.25, seed=0)
    assert len(train) + len(test) == len(t)
    assert "once" in set(train["intent"]) and "once" not in set(test["intent"])
    with pytest.raises(SchemaError, match=r"data\.tables\.tickets\.columns\.intent"):
        split_labelled(t.drop(columns="intent"))


def test_compare_intent_models_table(tickets: pd.DataFrame) -> None:
    train, test = split_labelled(tickets, seed=0)
    table, models = compare_intent_models(train, test, models=("tfidf",), threshold=None, seed=0)
    assert list(models) == ["tfidf"]
    assert list(table.columns) == [
        "model",
        "accuracy",
        "macro_f1",
        "answered",
        "accuracy_answered",
        "ms_per_ticket",
        "size_kb",
        "fit_s",
    ]
    assert table.loc[0, "accuracy"] >= 0.95 and table.loc[0, "answered"] == 1.0


def test_sentiment_by_language(tickets: pd.DataFrame) -> None:
    table = sentiment_by_language(tickets, folds=3, seed=0)
    assert set(table["language"]) == {"en", "zh"}
    assert set(table["model"]) == {"trained", "lexicon"}
    trained = table[table["model"] == "trained"].set_index("language")["accuracy"]
    assert (trained >= 0.9).all()


def test_findings_text_and_names() -> None:
    spikes = pd.DataFrame(
        {
            "period": ["2024-07", "2024-07"],
            "intent": ["refund", "音箱 / 蓝牙"],
            "tickets": [30, 5],
            "share": [0.43, 0.1],
            "baseline_share": [0.094, 0.01],
            "ratio": [4.5, 10.0],
            "z": [9.6, 6.0],
        }
    )
    f = spike_findings(spikes)
    assert [x.name for x in f] == ["spike_refund_2024-07", "spike_topic1_2024-07"]
    assert (
        f[0].text
        == "'refund' tickets spiked in 2024-07: 30 tickets, 43% of the month against a usual 9% (4.5x)."
    )
    assert f[0].severity == "high"
    p = pii_finding({"phone": 3, "email": 1}, 4, 10)
    assert p.text.startswith("4 of 10 tickets (40%) held personal data; 4 items were masked")
    assert p.evidence == {"tickets_with_pii": 4, "items": 4, "phone": 3, "email": 1}
