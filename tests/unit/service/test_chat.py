"""The chat assistant: one line in, one answer out, from a pipe."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.service.chat import Assistant, main, run_chat
from opsai.service.intent import IntentClassifier
from opsai.service.reply import ReplySuggester
from opsai.service.sentiment import LexiconSentiment
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _chat_data(folder: Path, tickets: pd.DataFrame, kb: pd.DataFrame) -> Path:
    """A config mapping ``tickets`` and ``kb`` (CSV files in ``folder``): what the chat reads."""
    return write_dataset(
        folder,
        {"tickets.csv": tickets.to_csv(index=False), "kb.csv": kb.to_csv(index=False)},
        {"tickets": {"file": "tickets.csv"}, "kb": {"file": "kb.csv"}},
    )


@pytest.fixture(scope="module")
def assistant(tickets: pd.DataFrame, kb: pd.DataFrame) -> Assistant:
    clf = IntentClassifier(seed=0).fit(tickets["text"], tickets["intent"])
    return Assistant(ReplySuggester(intent_model=clf).fit(kb))


def test_one_answer_per_line_from_a_pipe(assistant: Assistant) -> None:
    out = io.StringIO()
    lines = "please refund order o00001234\n\n我要退款，太失望了！\nquit\nnever read\n"
    assert run_chat(assistant, io.StringIO(lines), out) == 2
    first, second = out.getvalue().splitlines()
    assert first.startswith("[refund ") and "o****1234" in first and "o00001234" not in first
    assert second.startswith("[refund ") and "| negative]" in second and "ESCALATE" in second


def test_json_output(assistant: Assistant) -> None:
    out = io.StringIO()
    run_chat(assistant, io.StringIO("my account got locked, mail a@b.com\n"), out, as_json=True)
    a = json.loads(out.getvalue())
    assert a["intent"] == "account_login"
    assert set(a) == {"reply", "intent", "confidence", "sentiment", "escalate", "reason", "note",
                      "model_intent", "model_confidence"}  # fmt: skip


def test_the_intent_model_s_own_label_beside_the_reply_s(assistant: Assistant) -> None:
    """byod9b D2: `--json` gave the kb answer's intent and blended score, so an escalated
    line read intent 'tire_pressure' 0.26 while its reason quoted the model's 'definition'
    at 0.15. The model's label and probability now come beside them, and the printed line
    shows the model's."""
    lines = ["my account got locked", "what are the rules of chess", "please refund my order"]
    clf = assistant.suggester.intent_model
    proba = clf.predict_proba(lines)
    for text, p in zip(lines, proba, strict=True):
        a = assistant.answer(text)
        assert a.model_intent == str(clf.classes_[p.argmax()])
        assert a.model_confidence == pytest.approx(p.max(), abs=1e-4)
        assert a.line().startswith(f"[{a.model_intent} {a.model_confidence:.2f} | ")
        if "unsure" in a.reason:
            assert f"'{a.model_intent}' at {a.model_confidence:.2f}" in a.reason


def test_a_line_in_a_language_the_kb_lacks_says_so(kb: pd.DataFrame, tickets: pd.DataFrame) -> None:
    """A Chinese line answered from an English-only kb: the answer line says so; it printed
    the English answer without a word."""
    clf = IntentClassifier(seed=0).fit(tickets["text"], tickets["intent"])
    a = Assistant(ReplySuggester(intent_model=clf).fit(kb[kb["language"] == "en"]))
    out = io.StringIO()
    run_chat(a, io.StringIO("发票抬头写错了\nI need an invoice\n"), out)
    zh, en = out.getvalue().splitlines()
    assert (
        zh.startswith("[invoice ")
        and "(NOTE: the kb has no zh answers: reply from its en ones)" in zh
    )
    assert "NOTE" not in en


def test_main_trains_from_config(
    tmp_path: Path,
    tickets: pd.DataFrame,
    kb: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cfg = _chat_data(tmp_path, tickets.iloc[:100], kb)
    monkeypatch.setattr("sys.stdin", io.StringIO("发票抬头写错了\n"))
    assert main(["--config", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith("[invoice ")
    (tmp_path / "kb.csv").unlink()
    cfg.write_text("data:\n  source: .\n  tables:\n    tickets: {file: tickets.csv}\n")
    assert main(["--config", str(cfg)]) == 2
    assert "kb" in capsys.readouterr().err


class _DraftingLLM:
    def __init__(self, fail: bool = False) -> None:
        self.fail, self.seen = fail, []

    def draft(self, ticket: str, answers: list[str]) -> str:
        from opsai.errors import OpsaiError

        self.seen.append(ticket)
        if self.fail:
            raise OpsaiError("endpoint down")
        return "Drafted: " + answers[0][:20]


def test_llm_drafts_the_reply_from_the_redacted_line(assistant: Assistant) -> None:
    llm = _DraftingLLM()
    with_llm = Assistant(assistant.suggester, llm=llm)
    a = with_llm.answer("my account got locked, mail a@b.com")
    assert a.reply.startswith("Drafted: ") and llm.seen == ["my account got locked, mail [EMAIL]"]
    down = Assistant(assistant.suggester, llm=_DraftingLLM(fail=True))
    b = down.answer("my account got locked, mail a@b.com")
    assert b.reply == assistant.answer("my account got locked, mail a@b.com").reply
    assert b.note == "the drafted reply was not used (endpoint down)"  # the agent is told
    assert b.line().endswith("(NOTE: the drafted reply was not used (endpoint down))")


class _DownLLM:
    def __init__(self) -> None:
        self.calls = 0

    def draft(self, ticket: str, answers: list[str]) -> str:
        from opsai.service.llm import LLMUnavailableError

        self.calls += 1
        raise LLMUnavailableError("llm.base_url: no usable answer from http://x/v1; start it")


def test_an_endpoint_that_fails_is_told_once_and_drafting_stops(assistant: Assistant) -> None:
    """An llm: endpoint that is down was tried, and silently skipped, on every line."""
    said: list[str] = []
    llm = _DownLLM()
    a = Assistant(assistant.suggester, llm=llm, warn=said.append)
    out = io.StringIO()
    lines = "how do I get a refund\nmy account got locked\nI need an invoice\n"
    assert run_chat(a, io.StringIO(lines), out) == 3
    assert llm.calls == 1 and a.llm is None and a.llm_off is not None
    assert said == [
        "opsai chat: llm.base_url: no usable answer from http://x/v1; start it. "
        "Drafting is off: every answer is the kb's retrieval reply."
    ]
    assert out.getvalue().splitlines() == [assistant.answer(x).line() for x in lines.splitlines()]


def test_main_says_once_on_stderr_that_the_llm_key_is_unset(
    tmp_path: Path,
    tickets: pd.DataFrame,
    kb: pd.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`opsai chat` with an llm: section whose key variable is unset: one stderr line names
    llm.api_key_env, the variable and the fix; every answer is the retrieval reply and the
    endpoint is asked once (GET /models), not once per line."""
    import yaml

    from tests.unit.service.test_llm import _serving, _status

    monkeypatch.delenv("OPSAI_TEST_LLM_KEY", raising=False)
    cfg = _chat_data(tmp_path, tickets.iloc[:100], kb)
    handler = _status(401, {"error": {"message": "Missing bearer token"}})
    seen: list[str] = []
    handler.log_request = lambda self, *a: seen.append(f"{self.command} {self.path}")  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", io.StringIO("how do I get a refund\n发票抬头写错了\n"))
    with _serving(handler) as url:
        spec = yaml.safe_load(cfg.read_text())
        spec["llm"] = {
            "enabled": True,
            "base_url": url,
            "model": "m",
            "api_key_env": "OPSAI_TEST_LLM_KEY",
        }
        cfg.write_text(yaml.safe_dump(spec))
        assert main(["--config", str(cfg)]) == 0
    got = capsys.readouterr()
    assert seen == ["GET /v1/models"]
    assert got.err.splitlines() == [
        f"opsai chat: llm.api_key_env: {url}/models refused the request (HTTP 401: Missing "
        "bearer token); the environment variable OPSAI_TEST_LLM_KEY is not set: export "
        "OPSAI_TEST_LLM_KEY=<key>, or set llm.api_key_env to the variable that holds it. "
        "Drafting is off: every answer is the kb's retrieval reply."
    ]
    first, second = got.out.splitlines()
    assert first.startswith("[refund ") and "Refunds for your order reach your card" in first
    assert second.startswith("[invoice ")


def test_llm_client_comes_from_the_config_llm_section() -> None:
    from opsai.config import Config
    from opsai.service.chat import llm_client

    assert llm_client(Config()) is None
    on = Config.model_validate({"llm": {"enabled": True, "base_url": "http://x/v1", "model": "m"}})
    client = llm_client(on)
    assert client.config.enabled and client.config.base_url == "http://x/v1"


def test_kb_intents_spelt_unlike_the_tickets_still_count(
    tmp_path: Path, tickets: pd.DataFrame, kb: pd.DataFrame
) -> None:
    """'Account Login' kb answers serve 'account_login' tickets (the chapter already merged
    the spellings; the chat gave every answer an intent probability of 0 and escalated it
    for low confidence)."""
    from opsai.data.workspace import open_workspace

    t = tickets.iloc[:120].copy()
    t["intent"] = [
        {0: x, 1: x, 2: x.upper(), 3: x.replace("_", "-") + " "}[i // 4 % 4]
        for i, x in enumerate(t["intent"])
    ]
    k = kb.assign(intent=kb["intent"].str.replace("_", " ").str.title())
    cfg = _chat_data(tmp_path, t, k)
    with open_workspace(cfg) as ws:
        a = Assistant.from_workspace(ws).answer("The password reset email never arrives")
    assert a.intent == "account_login"
    assert a.confidence > 0.5 and not a.escalate


def test_sentiment_labels_of_one_class_leave_the_lexicon(
    tmp_path: Path, tickets: pd.DataFrame, kb: pd.DataFrame
) -> None:
    """Reviews rated 4 and 5 stars are all positive: the chat answers with the lexicon's
    sentiment; it stopped with 'y: need at least two sentiment classes' (exit 2)."""
    from opsai.data.workspace import open_workspace

    t = tickets.iloc[:100].assign(sentiment=[4 + i % 2 for i in range(100)])
    cfg = _chat_data(tmp_path, t, kb)
    with open_workspace(cfg) as ws:
        a = Assistant.from_workspace(ws)
    assert isinstance(a.sentiment, LexiconSentiment)
    angry = a.answer("Refund order o00001234 now, terrible service, really disappointed!")
    assert angry.sentiment == "negative" and angry.escalate


def test_order_ids_follow_the_chapter_parameters(
    tmp_path: Path, tickets: pd.DataFrame, kb: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chat masks and fills order ids as the config tells chapter 5 (ORDER_PATTERN,
    ORDER_MODE) and trains on redacted tickets; it printed 'o****1234' where the config
    says 'token', never found '#12345'-style ids, and fitted its models on raw e-mails."""
    import yaml

    from opsai.data.workspace import open_workspace

    seen: list[str] = []
    fit = IntentClassifier.fit

    def spy(self: IntentClassifier, X: pd.Series, y: pd.Series) -> IntentClassifier:
        seen.extend(X)
        return fit(self, X, y)

    monkeypatch.setattr(IntentClassifier, "fit", spy)
    t = tickets.iloc[:100].copy()
    t.loc[t.index[0], "text"] = "refund please, mail me at jane.doe@example.com"
    cfg = _chat_data(tmp_path, t, kb)
    spec = yaml.safe_load(cfg.read_text())
    for mode, pattern, line, shown in [
        ("token", None, "please refund order o00001234", "[ORDER]"),
        ("partial", r"(?<![A-Za-z0-9])X\d{5}(?!\d)", "please refund order X12345", "X*2345"),
        ("partial", None, "please refund order #12345", "order *2345"),  # keyword + 5 digits
    ]:
        params = {"ORDER_MODE": mode} | ({"ORDER_PATTERN": pattern} if pattern else {})
        spec["chapters"] = {"05_customer_service": {"parameters": params}}
        cfg.write_text(yaml.safe_dump(spec))
        with open_workspace(cfg) as ws:
            a = Assistant.from_workspace(ws).answer(line)
        assert a.intent == "refund" and shown in a.reply
        assert "1234" not in a.reply and "12345" not in a.reply
    assert seen and not any("jane.doe@example.com" in x for x in seen)
    assert any("[EMAIL]" in x for x in seen)


class _ClosedPipe(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_leaves_ends_the_chat_quietly(
    tmp_path: Path, tickets: pd.DataFrame, kb: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`opsai chat ... | head -1`: the chat stops with status 0 when its reader goes away;
    it ended with a BrokenPipeError traceback and status 1."""
    cfg = _chat_data(tmp_path, tickets.iloc[:60], kb)
    monkeypatch.setattr("sys.stdin", io.StringIO("refund please\nwhere is my parcel\n"))
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    assert main(["--config", str(cfg)]) == 0


class _UnlistedLLM(_DraftingLLM):
    """Serves drafts but does not list its model (an Azure deployment name, an alias)."""

    def check(self) -> str | None:
        return "llm.model: http://x/v1 does not list model 'm' (it lists 'n')"


def test_a_model_the_endpoint_does_not_list_is_warned_of_and_drafting_stays_on(
    assistant: Assistant,
) -> None:
    said: list[str] = []
    a = Assistant(assistant.suggester, llm=_UnlistedLLM(), warn=said.append)
    a.check_llm()
    assert said == [
        "opsai chat: llm.model: http://x/v1 does not list model 'm' (it lists 'n'). "
        "Drafting stays on until a draft fails."
    ]
    assert a.llm is not None and a.llm_off is None
    assert a.answer("my account got locked").reply.startswith("Drafted: ")


class _InventingLLM(_DraftingLLM):
    def draft(self, ticket: str, answers: list[str]) -> str:
        from opsai.service.llm import DraftRefusedError

        raise DraftRefusedError("the draft names order o****9999, which the ticket does not")


def test_a_refused_draft_is_noted_on_the_answer_line(assistant: Assistant) -> None:
    """A draft refused for an invented order id kept the retrieval reply without a word."""
    a = Assistant(assistant.suggester, llm=_InventingLLM())
    got = a.answer("my account got locked")
    assert got.reply == assistant.answer("my account got locked").reply
    assert got.note == (
        "the drafted reply was not used (the draft names order o****9999, which the ticket "
        "does not)"
    )
    assert a.llm is not None  # one refused draft does not stop drafting


LINES = [
    "I can't log in to my account",
    "my account got locked",
    "I need an invoice",
    "where is my package",
    "The password reset email never arrives",
    "Please send a VAT invoice",
]


def test_a_failure_that_may_pass_costs_one_draft_and_three_in_a_row_turn_drafting_off(
    assistant: Assistant,
) -> None:
    """One timeout turned drafting off for the whole chat: now a timeout, a dropped connection
    or a 5xx answer costs that line's draft (noted on its line), a good answer resets the
    count, and only the third failure in a row turns drafting off, said once."""
    from opsai.service.llm import LLMClient, LLMConfig
    from tests.unit.service.test_llm import _scripted, _serving

    handler = _scripted(["503", "ok", "drop", "502", "slow"])
    said: list[str] = []
    with _serving(handler) as url:
        llm = LLMClient(LLMConfig(enabled=True, base_url=url, model="m", timeout=1))
        a = Assistant(assistant.suggester, llm=llm, warn=said.append)
        got = [a.answer(x) for x in LINES]
        handler.release.set()
    plain = [assistant.answer(x) for x in LINES]
    assert not any(p.escalate for p in plain)  # every line would be drafted
    assert handler.done == ["503", "ok", "drop", "502", "slow"]  # the last line: not sent
    assert [g.reply for g in got] == [
        plain[0].reply,
        "Drafted: we are on it.",
        *[p.reply for p in plain[2:]],
    ]
    failed = "the reply was not drafted (the llm endpoint failed: {})"
    assert [g.note for g in got] == [
        failed.format("HTTP 503"),
        "",
        failed.format("connection dropped"),
        failed.format("HTTP 502"),
        failed.format("no answer within 1 s"),
        "",
    ]
    assert got[0].line().endswith(f"(NOTE: {failed.format('HTTP 503')})")
    assert a.llm is None and a.llm_off is not None
    assert said == [
        "opsai chat: the llm endpoint failed 3 times in a row (connection dropped, HTTP 502, "
        f"no answer within 1 s); the last: llm.timeout: {url}/chat/completions did not answer "
        "within 1 s; raise llm.timeout if the model is slow, or check the server at "
        "llm.base_url. Drafting is off: every answer is the kb's retrieval reply."
    ]


def test_a_refused_key_mid_chat_turns_drafting_off_at_once(
    assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opsai.service.llm import LLMClient, LLMConfig
    from tests.unit.service.test_llm import _scripted, _serving

    monkeypatch.setenv("OPSAI_TEST_LLM_KEY", "sk-revoked")
    handler = _scripted(["401"])
    said: list[str] = []
    with _serving(handler) as url:
        cfg = LLMConfig(enabled=True, base_url=url, model="m", api_key_env="OPSAI_TEST_LLM_KEY")
        a = Assistant(assistant.suggester, llm=LLMClient(cfg), warn=said.append)
        got = [a.answer(x) for x in LINES[:2]]
    assert handler.done == ["401"] and a.llm is None
    assert [g.note for g in got] == ["", ""]
    assert len(said) == 1 and said[0].startswith("opsai chat: llm.api_key_env: ")
    assert "check the key in OPSAI_TEST_LLM_KEY" in said[0]


def test_the_chat_uses_no_sentiment_model_that_reads_the_labels_no_better_than_chance(
    tickets: pd.DataFrame, kb: pd.DataFrame
) -> None:
    """byod9b D15: the chat trained a sentiment model on any two-class labels and escalated
    on it, where the report rated it 'no better than chance' (ratings drawn apart from the
    text). It now follows the chapter's choice per language: labels that the model reads
    are used; labels it cannot read leave lines 'unknown', never escalated for sentiment."""
    from opsai.service.chat import ChosenSentiment

    rng = np.random.default_rng(0)
    good = tickets.assign(sentiment=np.where(tickets["text"].str.contains(
        "refund|broken|angry|terrible|失望|退款", case=False), "negative", "positive"))  # fmt: skip
    chosen = ChosenSentiment.from_tickets(good, seed=0)
    assert "trained" in chosen.choice.values() and "none" not in chosen.choice.values()
    noise = tickets.assign(sentiment=rng.choice(["negative", "positive"], len(tickets)))
    chosen = ChosenSentiment.from_tickets(noise, seed=0)
    assert chosen.choice == {"en": "none", "zh": "none"}
    assert chosen.predict(["please refund my order, terrible", "我要退款，太失望了"]) == [
        "unknown", "unknown"
    ]  # fmt: skip
    assert "zh: no model: neither the trained model nor the lexicon beat" in chosen.note
    warned: list[str] = []
    a = Assistant(ReplySuggester().fit(kb), sentiment=chosen, warn=warned.append)
    got = a.answer("please refund my order, terrible, I am angry")
    assert got.sentiment == "unknown" and "sentiment" not in got.reason
