"""Corpus sentiment models: trained once from the fetched corpus, then loaded from cache."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.service.pretrained import pretrained_sentiment
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

POS = ["质量很好，物流也快", "非常满意，推荐购买", "做工不错，很喜欢", "性价比高，好评"]
NEG = ["用了两天就坏了", "质量太差，退货", "物流太慢，很失望", "客服态度差，差评"]


def test_trains_once_then_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake_fetch(name: str, out: Path, *, cache: Path | None = None) -> Path:
        calls.append(name)
        texts = [f"{t}{i}" for i in range(10) for t in POS + NEG]
        labels = [("pos" if t in POS else "neg") for i in range(10) for t in POS + NEG]
        df = pd.DataFrame(
            {
                "ticket_id": [f"r{i}" for i in range(len(texts))],
                "timestamp": "2024-01-01",
                "text": texts,
                "sentiment": labels,
            }
        )
        write_dataset(
            out, {"tickets.csv": df.to_csv(index=False)}, {"tickets": {"file": "tickets.csv"}}
        )
        return out

    monkeypatch.setattr("opsai.data.public.fetch", fake_fetch)
    model = pretrained_sentiment("zh", cache=tmp_path)
    assert calls == ["zh-reviews"]
    assert list(model.classes_) == ["negative", "positive"]
    assert list(model.predict(["非常满意，好评", "太差了，坏了"])) == ["positive", "negative"]
    again = pretrained_sentiment("zh", cache=tmp_path)
    assert calls == ["zh-reviews"]  # loaded from the cache, not fetched again
    assert list(again.predict(["非常满意"])) == list(model.predict(["非常满意"]))
    assert list((tmp_path / "models").glob("*.tmp")) == []


def test_unknown_language() -> None:
    with pytest.raises(ConfigError, match="language"):
        pretrained_sentiment("fr")  # type: ignore[arg-type]
