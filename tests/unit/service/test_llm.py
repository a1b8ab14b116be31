"""Optional LLM step: off by default, talks to a local OpenAI-compatible test server, never
sends personal data."""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from opsai.errors import ConfigError, OpsaiError
from opsai.service.llm import (
    DraftRefusedError,
    LLMClient,
    LLMConfig,
    LLMTransientError,
    LLMUnavailableError,
)
from opsai.service.pii import Redactor

pytestmark = pytest.mark.unit


class _Handler(BaseHTTPRequestHandler):
    """A quiet handler with one way to answer a body."""

    def answer(self, data: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A local server in a thread; yields its OpenAI-style base URL."""
    httpd = HTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/v1"
    finally:
        httpd.shutdown()


@pytest.fixture()
def server() -> Iterator[tuple[str, list[dict]]]:
    seen: list[dict] = []

    class Handler(_Handler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            user = body["messages"][-1]["content"]
            reply = {
                "choices": [
                    {
                        "message": {
                            "role": "assistant",
                            "content": f"Draft for: {user[-40:]} call 13812345678",
                        }
                    }
                ]
            }
            self.answer(json.dumps(reply).encode())

    with _serving(Handler) as url:
        yield url, seen


def test_disabled_by_default_sends_nothing() -> None:
    assert LLMClient(LLMConfig()).draft("hi", ["answer"]) is None


def test_round_trip_redacts_request_and_reply(
    server: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = server
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test")
    cfg = LLMConfig(enabled=True, base_url=url, model="tiny", api_key_env="TEST_LLM_KEY")
    client = LLMClient(cfg)
    out = client.complete(
        client.messages(
            "Refund order o00001234 please, mail a.b@example.com, card 4111 1111 1111 1111",
            ["Refunds take 3-5 days."],
        )
    )
    assert len(seen) == 1
    req = seen[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["auth"] == "Bearer sk-test"
    assert req["body"]["model"] == "tiny"
    sent = json.dumps(req["body"], ensure_ascii=False)
    for secret in ("a.b@example.com", "4111", "o00001234"):
        assert secret not in sent
    assert "[EMAIL]" in sent and "[CARD]" in sent and "o****1234" in sent
    assert out is not None and "13812345678" not in out and "[PHONE]" in out


def test_errors_name_the_setting() -> None:
    with pytest.raises(ConfigError, match="base_url"):
        LLMClient(LLMConfig(enabled=True)).draft("x", [])
    cfg = LLMConfig(enabled=True, base_url="http://127.0.0.1:9/v1", model="m", timeout=2)
    with pytest.raises(OpsaiError, match=r"llm\.base_url") as e:
        LLMClient(cfg).draft("x", [])
    assert isinstance(e.value, LLMTransientError) and e.value.what == "connection refused"


@pytest.fixture()
def raw_server() -> Iterator[tuple[str, dict]]:
    """A server answering ``state["body"]`` (bytes) to every request, or closing the
    connection without an answer when it is ``None``."""
    state: dict = {"body": None}

    class Handler(_Handler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            if state["body"] is None:
                self.close_connection = True
                return
            self.answer(state["body"])

    with _serving(Handler) as url:
        yield url, state


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"choices": [{"message": {"content": None}}]}).encode(),  # null content
        '{"choices": [{"message": {"content": "café"}}]}'.encode("latin-1"),  # not UTF-8
        None,  # the connection closes without an answer
    ],
    ids=["null-content", "latin-1", "closed"],
)
def test_an_unusable_answer_is_an_opsai_error(raw_server: tuple, body: bytes | None) -> None:
    """The chat keeps its retrieval reply on an OpsaiError; anything else stopped it (a
    closed connection, a body in Latin-1), and a null content became the reply 'None'."""
    url, state = raw_server
    state["body"] = body
    cfg = LLMConfig(enabled=True, base_url=url, model="m", timeout=5)
    with pytest.raises(LLMUnavailableError, match=r"^llm\.(base_url|model): .*127\.0\.0\.1"):
        LLMClient(cfg).draft("where is my parcel?", ["It ships in 2 days."])


def _answer(content: str) -> bytes:
    return json.dumps({"choices": [{"message": {"content": content}}]}).encode()


def test_a_draft_with_invented_personal_data_or_order_ids_is_refused(raw_server: tuple) -> None:
    """A model that makes up a hotline or an order id must not reach the customer: the draft
    is refused (the chat keeps its retrieval reply); the order id the ticket gave is fine."""
    url, state = raw_server
    client = LLMClient(LLMConfig(enabled=True, base_url=url, model="m", timeout=5))
    ticket, kb = "where is order o00001234? mail me at a@b.com", ["Track it under My Orders."]
    state["body"] = _answer("Order o00001234 ships today; we will mail [EMAIL].")
    assert client.draft(ticket, kb) == "Order o****1234 ships today; we will mail [EMAIL]."
    state["body"] = _answer("Order o****1234 ships today.")
    assert client.draft(ticket, kb) == "Order o****1234 ships today."
    pii = "the draft holds personal data the request did not"
    for made_up, why in [
        ("Call us on 13812345678 about order o****1234.", pii),
        ("Write to help@shop.example.com.", pii),
        (
            "Order o99998888 has shipped.",
            "the draft names order o****8888, which the ticket does not",
        ),
    ]:
        state["body"] = _answer(made_up)
        with pytest.raises(DraftRefusedError) as refused:
            client.draft(ticket, kb)
        # the chat notes the reason; it was cut out of the message with removeprefix/removesuffix
        assert refused.value.reason == why and str(refused.value) == f"llm: {why}; not used"


def test_a_draft_naming_the_tickets_all_digit_order_id_is_used(raw_server: tuple) -> None:
    """A Taobao-style order id after 订单号 is the ticket's order, not personal data: a draft
    that repeats it is used (it was refused as personal data); one that makes up another
    all-digit order id is refused, and a phone number still is."""
    url, state = raw_server
    ticket, kb = "订单号 3712849901234567 没收到，手机13812345678", ["请耐心等待。"]
    for mode, shown in [("partial", "************4567"), ("keep", "3712849901234567")]:
        red = Redactor(order_mode=mode)  # type: ignore[arg-type]
        client = LLMClient(
            LLMConfig(enabled=True, base_url=url, model="m", timeout=5), redactor=red
        )
        state["body"] = _answer("您的订单号 3712849901234567 已发货。")
        assert client.draft(ticket, kb) == f"您的订单号 {shown} 已发货。"
        state["body"] = _answer("订单号 9999999999998888 已发货。")
        with pytest.raises(DraftRefusedError) as refused:
            client.draft(ticket, kb)
        made_up = red.mask_order_id("9999999999998888")
        assert refused.value.reason == f"the draft names order {made_up}, which the ticket does not"
        state["body"] = _answer("订单号 3712849901234567 已发货，请致电13900001111。")
        with pytest.raises(DraftRefusedError, match="personal data the request did not"):
            client.draft(ticket, kb)


def _status(code: int, data: dict) -> type[_Handler]:
    """A handler answering every GET and POST with ``code`` and ``data`` as JSON."""

    class Handler(_Handler):
        def reply(self) -> None:
            if self.command == "POST":
                self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps(data).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = reply

    return Handler


@pytest.mark.parametrize(
    ("code", "data", "key", "cause"),
    [
        (
            401,
            {"error": {"message": "Incorrect API key provided"}},
            "llm.api_key_env",
            r"HTTP 401: Incorrect API key.*OPSAI_TEST_LLM_KEY is not set: export OPSAI_TEST_LLM_KEY=",
        ),
        (
            404,
            {"error": {"message": "The model `gpt-x` does not exist", "code": "model_not_found"}},
            "llm.model",
            r"does not take model 'gpt-x' \(HTTP 404: The model `gpt-x` does not exist",
        ),
        (404, {"detail": "Not Found"}, "llm.base_url", r"HTTP 404: Not Found; fix llm\.base_url"),
    ],
    ids=["key-unset", "model-unknown", "wrong-path"],
)
def test_an_unusable_endpoint_names_the_key_to_fix(
    monkeypatch: pytest.MonkeyPatch, code: int, data: dict, key: str, cause: str
) -> None:
    """A refused key, an unknown model and a wrong path each name the llm: key and the fix;
    all three read 'request failed (HTTPError ...); check llm.base_url', even for the key."""
    monkeypatch.delenv("OPSAI_TEST_LLM_KEY", raising=False)
    with _serving(_status(code, data)) as url:
        cfg = LLMConfig(
            enabled=True, base_url=url, model="gpt-x", api_key_env="OPSAI_TEST_LLM_KEY", timeout=5
        )
        with pytest.raises(LLMUnavailableError, match=rf"^{re.escape(key)}: .*{cause}") as e:
            LLMClient(cfg).draft("where is my parcel?", ["It ships in 2 days."])
    assert not isinstance(e.value, LLMTransientError)  # a setting to fix: it will not pass


def _scripted(actions: list[str]) -> type[_Handler]:
    """A handler answering each POST with the next action: ``"ok"`` (a draft), ``"drop"``
    (the connection closes without an answer), ``"slow"`` (an answer once ``Handler.release``
    is set, at most 5 s later) or an HTTP status such as ``"503"``; the actions taken are in
    ``Handler.done``."""

    class Handler(_Handler):
        done: ClassVar[list[str]] = []
        release: ClassVar[threading.Event] = threading.Event()

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            act = actions[len(self.done)] if len(self.done) < len(actions) else "ok"
            self.done.append(act)
            if act == "drop":
                self.close_connection = True
                return
            if act == "slow":
                self.release.wait(5)
                act = "ok"
            with contextlib.suppress(OSError):  # the client may have given up
                if act == "ok":
                    self.answer(_answer("Drafted: we are on it."))
                    return
                body = json.dumps({"error": {"message": f"Rate limit reached for model m ({act})"}})
                self.send_response(int(act))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

    return Handler


@pytest.mark.parametrize(
    ("action", "what", "key"),
    [
        ("503", "HTTP 503", "llm.base_url"),
        ("500", "HTTP 500", "llm.base_url"),
        ("429", "HTTP 429", "llm.base_url"),  # its message names the model: still a busy server
        ("drop", "connection dropped", "llm.base_url"),
        ("slow", "no answer within 1 s", "llm.timeout"),
    ],
)
def test_failures_that_may_pass_are_told_apart(action: str, what: str, key: str) -> None:
    """A timeout, a dropped connection or a 5xx/429 answer may pass: LLMTransientError,
    with what went wrong in ``what`` (the chat keeps drafting); a refused key or an unknown
    model will not (see above)."""
    handler = _scripted([action])
    with _serving(handler) as url:
        cfg = LLMConfig(enabled=True, base_url=url, model="m", timeout=1)
        with pytest.raises(LLMTransientError, match=rf"^{re.escape(key)}: ") as e:
            LLMClient(cfg).draft("where is my parcel?", ["It ships in 2 days."])
        handler.release.set()
    assert e.value.what == what


def test_check_finds_an_unusable_endpoint_before_the_first_ticket(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPSAI_TEST_LLM_KEY", raising=False)
    models = {"object": "list", "data": [{"id": "qwen2.5:7b"}, {"id": "llama3:latest"}]}
    with _serving(_status(200, models)) as url:
        for model in ("qwen2.5:7b", "llama3"):  # Ollama takes 'llama3' for 'llama3:latest'
            assert LLMClient(LLMConfig(enabled=True, base_url=url, model=model)).check() is None
        # a name it does not list is a warning, not a failure (Azure deployments, aliases)
        note = LLMClient(LLMConfig(enabled=True, base_url=url, model="qwen2")).check()
        assert re.fullmatch(
            r"llm\.model: .* does not list model 'qwen2' \(it lists 'qwen2\.5:7b', "
            r"'llama3:latest'\); if drafts fail, set llm\.model to one of them",
            note or "",
        )
    with _serving(_status(401, {"error": "unauthorized"})) as url:
        cfg = LLMConfig(enabled=True, base_url=url, model="m", api_key_env="OPSAI_TEST_LLM_KEY")
        with pytest.raises(LLMUnavailableError, match=r"^llm\.api_key_env: .*is not set"):
            LLMClient(cfg).check()
    with _serving(_status(404, {"detail": "Not Found"})) as url:  # no /models route: passes
        LLMClient(LLMConfig(enabled=True, base_url=url, model="m")).check()
    down = LLMConfig(enabled=True, base_url="http://127.0.0.1:9/v1", model="m", timeout=2)
    with pytest.raises(LLMUnavailableError, match=r"^llm\.base_url: .*start the server"):
        LLMClient(down).check()
    LLMClient(LLMConfig()).check()  # off: nothing to check
