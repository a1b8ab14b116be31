"""A social-listening export's Sentiment is the tool's reading of the text, not a customer's
rating (``sentiment_by: tool``): worded as the listening tool's sentiment in 05, 00 and 07,
and compared with opsai's own sentiment model (agreement rate) rather than taken as ratings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai import overview as ov
from opsai.config import config_from_dict
from opsai.data import open_workspace
from opsai.data.init import init_config
from opsai.errors import ConfigError
from opsai.service import chapter as ch
from opsai.service.findings import escalation_text

pytestmark = pytest.mark.unit

# (text, the tool's label): the lexicon reads the first six as the tool does, not the last two
MENTIONS = [
    ("NordBrew recall: glass in my jar, terrible and dangerous", "negative"),
    ("Love the new NordBrew flavour, great taste", "positive"),
    ("NordBrew opens a store downtown on Friday", "neutral"),
    ("NordBrew 召回 太差了 很失望", "negative"),
    ("NordBrew 新口味 很好喝 喜欢", "positive"),
    ("NordBrew 在上海开店", "neutral"),
    ("NordBrew recall notice posted today", "negative"),  # the lexicon: neutral
    ("Saw NordBrew on the train, awful ad", "neutral"),  # the lexicon: negative
]


def _brandwatch(folder: Path, repeat: int = 5) -> None:
    rows = [
        {
            "Date": f"2024-03-{1 + (k % 28):02d} 10:{k % 60:02d}:00",
            "Url": f"https://x.com/u{k}/status/{1000 + k}",
            "Author": f"user{k % 17}",
            "Full Text": text,
            "Sentiment": label,
            "Page Type": "twitter" if k % 2 else "weibo",
            "Followers": 100 + k,
            "Reach": 1000 + 10 * k,
        }
        for k, (text, label) in enumerate(MENTIONS * repeat)
    ]
    pd.DataFrame(rows).to_csv(folder / "mentions.csv", index=False)


def test_init_marks_a_listening_exports_sentiment_as_the_tools(tmp_path: Path) -> None:
    _brandwatch(tmp_path)
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    text = path.read_text("utf-8")
    spec = yaml.safe_load(text)["data"]["tables"]["tickets"]
    assert spec["columns"]["sentiment"] == "Sentiment"
    assert spec["sentiment_by"] == "tool"
    assert "its sentiment is the tool's" in text
    with open_workspace(path) as ws:
        assert ws.sentiment_by() == "tool"
        said = [w for w in ws.warnings if w.table == "tickets" and w.column == "sentiment"]
        found = dict(
            ov.quality_findings(ov.missing_values(ws), ov.duplicate_rows(ws),
                                ov.validation_warnings(ws), ov.outliers(ws), ov.markup_in_text(ws))
        )  # fmt: skip
    assert (
        len(said) == 1 and said[0].count == 40 and "not given by the customers" in said[0].message
    )
    assert found["tool_sentiment"].text.startswith(
        "40 tickets carry a sentiment from the listening tool (sentiment_by: tool)"
    )


def test_a_reviews_file_keeps_its_customers_ratings(tmp_path: Path) -> None:
    pd.DataFrame(
        {
            "review_id": range(40),
            "date": ["2024-03-01"] * 40,
            "review": [t for t, _ in MENTIONS] * 5,
            "sentiment": [s for _, s in MENTIONS] * 5,
        }
    ).to_csv(tmp_path / "reviews.csv", index=False)
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert (
        "sentiment_by" not in yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["tickets"]
    )


def test_sentiment_by_is_a_tickets_option() -> None:
    with pytest.raises(ConfigError, match=r"orders\.sentiment_by: only the tickets table"):
        config_from_dict({"data": {"tables": {"orders": {"sentiment_by": "tool"}}}})
    with pytest.raises(ConfigError, match="sentiment_by"):
        config_from_dict({"data": {"tables": {"tickets": {"sentiment_by": "customers"}}}})


def _tickets(repeat: int = 5) -> pd.DataFrame:
    rows = MENTIONS * repeat
    return pd.DataFrame(
        {
            "ticket_id": [f"t{k}" for k in range(len(rows) + 4)],
            "timestamp": pd.Timestamp("2024-03-01")
            + pd.to_timedelta(range(len(rows) + 4), unit="h"),
            "text": [t for t, _ in rows] + ["terrible service", "great", "ok", "bad"],
            "language": ["zh" if "召" in t or "口味" in t or "上海" in t else "en" for t, _ in rows]
            + ["en"] * 4,
            "sentiment": [s for _, s in rows] + [None] * 4,
            "intent": (["recall", "flavour", "store", "recall", "flavour", "store", "recall", "ad"])
            * repeat
            + ["other"] * 4,
        }
    )


def test_tool_labels_are_worded_as_the_tools_and_compared_with_opsais_model() -> None:
    t, f = ch.fill_sentiment(_tickets(), pd.DataFrame(), labels_by="tool")
    assert (t["sentiment_source"] == "tool").sum() == 40
    assert (t["sentiment_source"] == "lexicon").sum() == 4
    assert f.evidence["by"] == "tool" and "labelled negative by the listening tool" in f.text
    assert "rated" not in f.text
    agree = ch.tool_agreement_finding(t)
    assert agree is not None
    assert agree.evidence["tickets"] == 40 and agree.evidence["agreement"] == 0.75
    assert agree.evidence["by_language"] == {"en": 0.6, "zh": 1.0}
    assert "agrees with opsai's own sentiment model (the lexicon) on 75% of the 40" in agree.text
    trend = ch.negative_trend(t, freq="M")
    assert trend["base"].tolist() == ["tool"] and trend["tickets"].tolist() == [40]
    line = ch.negative_trend_text(trend)
    assert "37.5% of 40 tickets labelled by the listening tool" in line
    assert "not customers' ratings" in line and "rated" not in line
    # without sentiment_by: tool the same labels are ratings
    c, _ = ch.fill_sentiment(_tickets(), pd.DataFrame())
    assert ch.negative_trend(c, freq="M")["base"].tolist() == ["rated"]
    assert ch.tool_agreement_finding(c) is None


def test_drivers_and_the_queue_name_the_tool() -> None:
    drivers = pd.DataFrame(
        [{"column": "intent", "value": "recall", "tickets": 100, "negative": 60,
          "share": 0.6, "others_share": 0.1, "negative_total": 80, "p_value": 1e-12,
          "tested": 4}]
    )  # fmt: skip
    (f,) = ch.driver_findings(drivers, rated=True, tool=True)
    assert f.text.startswith("'recall' tickets were labelled by the listening tool as negative 60%")
    assert "80 tickets the listening tool labels negative" in f.text
    assert f.evidence["by"] == "tool" and f.evidence["rated"] is False and f.severity == "medium"
    (g,) = ch.driver_findings(drivers, rated=True)
    assert "were rated negative 60%" in g.text and g.evidence["by"] == "customer"
    queue = pd.DataFrame(
        {"angry": [True, True, True], "sentiment_source": ["tool", "tool", "lexicon"],
         "priority": [1, 1, 1]}
    )  # fmt: skip
    text = escalation_text(queue, valued=False, open_known=False)
    assert "2 labelled negative by the listening tool + 1 predicted negative" in text


def test_the_report_run_keeps_sentiment_by(tmp_path: Path) -> None:
    """opsai report hands the chapters a config over the validated DuckDB file: it dropped
    every table option but non_items, so 05 read a tool's labels as ratings."""
    from opsai.report.build import _attached_config

    cfg = config_from_dict({"data": {"tables": {"tickets": {"sentiment_by": "tool"}}}})
    path = _attached_config(cfg, tmp_path / "run.duckdb", ["tickets"], tmp_path)
    assert yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["tickets"] == {
        "sentiment_by": "tool"
    }
