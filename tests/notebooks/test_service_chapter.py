"""Chapter 5 end to end on the tiny demo: records what the issue lists, finds the planted
refund spike, and no personal data reaches the executed notebook or the recorded results."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.notebooks

# the demo's own PII patterns (opsai.data._demo_text.PII_REGEX)
DEMO_PII = {
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}",
    "mobile": r"(?<!\d)1[3-9]\d{9}(?!\d)",
    "card": r"(?<!\d)(?:\d{4}[ -]?){3}\d{4}(?!\d)",
    "phone": r"\+1 \d{3}-\d{3}-\d{4}",
}


@pytest.fixture(scope="module")
def executed(tiny_report, tiny_demo: Path) -> tuple[Path, dict, dict]:
    """Chapter 5 as run in the shared tiny report (tests/notebooks/conftest.py)."""
    from opsai.data.demo import load_ground_truth

    stem = "05_customer_service"
    result = json.loads((tiny_report.path / "results" / f"{stem}.json").read_text("utf-8"))
    assert result["status"] == "ok", result.get("reason")
    return (
        tiny_report.path / "notebooks" / f"{stem}.ipynb",
        result,
        load_ground_truth(tiny_demo.parent),
    )


def _strings(v: object) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, dict):
        return [s for x in v.values() for s in _strings(x)]
    if isinstance(v, list):
        return [s for x in v for s in _strings(x)]
    return []


def _join(v: str | list[str]) -> str:
    return "".join(v) if isinstance(v, list) else v


def test_records_what_the_issue_lists(executed: tuple[Path, dict, dict]) -> None:
    _, result, _ = executed
    m = result["metrics"]
    for key in (
        "intent.accuracy",
        "intent.macro_f1",
        "intent.model",
        "sentiment.accuracy_zh",
        "sentiment.accuracy_en",
        "reply.top1_hit",
        "pii.redacted",
    ):
        assert m.get(key) is not None, key
    # the demo's tickets are messy on purpose (paraphrases, vague follow-ups, two requests in
    # one message, off-topic, typos, code-switching): the best model scores about 0.88 on tiny
    assert m["intent.accuracy"] >= 0.8 and m["reply.top1_hit"] >= 0.75
    assert m["pii.redacted"] > 0
    assert result["tables"]["volume.table"]


def test_planted_refund_spike_is_found(executed: tuple[Path, dict, dict]) -> None:
    _, result, truth = executed
    fact = truth["refund_spike"]
    spikes = [f for f in result["findings"] if f["name"].startswith("spike_refund_")]
    assert spikes and spikes[0]["evidence"]["period"] == fact["month"]


def test_no_personal_data_in_outputs(executed: tuple[Path, dict, dict]) -> None:
    nb_path, result, _ = executed
    texts = []
    for cell in json.loads(nb_path.read_text())["cells"]:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            texts += [_join(o.get("text", "")), _join(data.get("text/plain", ""))]
            texts.append(re.sub(r"(?s)<script.*?</script>", "", _join(data.get("text/html", ""))))
    outputs = "\n".join(texts)  # what the rendered page shows (plotly.js itself is skipped)
    assert "[PHONE]" in outputs or "[EMAIL]" in outputs or "o****" in outputs
    recorded = "\n".join(_strings(result))  # numbers are not text (0.9955947136563876)
    page = (nb_path.parent.parent / "05_customer_service.html").read_text("utf-8")
    page = re.sub(r"(?s)<script.*?</script>", "", page)  # the rendered page, plotly.js aside
    for kind, rx in DEMO_PII.items():
        assert not re.search(rx, outputs), f"{kind} in notebook outputs"
        assert not re.search(rx, recorded), f"{kind} in recorded results"
        assert not re.search(rx, page), f"{kind} in the rendered chapter page"
