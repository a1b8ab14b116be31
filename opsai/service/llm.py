"""Optional large-language-model step: draft a reply from retrieved kb answers.

Off by default: the retrieval reply of :mod:`opsai.service.reply` is what the chapter uses.
When enabled, :class:`LLMClient` posts to any OpenAI-compatible ``/chat/completions``
endpoint (configured by URL and model name, key read from an environment variable) using
only the standard library. The ticket and the answers are redacted before they leave the
process, and the request body is checked once more: if a second redaction pass would still
change it, nothing is sent. An endpoint that cannot be used (down, key refused, model
unknown) raises :class:`LLMUnavailableError` naming the ``llm:`` key to fix, a failure that may
pass (a timeout, a dropped connection, a 5xx answer) its subclass :class:`LLMTransientError`;
:meth:`LLMClient.check` finds that out before the first ticket.

Example:
    >>> cfg = LLMConfig(enabled=True, base_url="http://localhost:8000/v1", model="qwen2")
    >>> LLMClient(cfg).draft("Where is order o00001234?", ["You can track it ..."])  # doctest: +SKIP
    'Hi! You can follow order o****1234 under My Orders > Track ...'
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opsai.errors import ConfigError, OpsaiError
from opsai.service.pii import Redactor, find_order_ids

__all__ = [
    "DraftRefusedError",
    "LLMClient",
    "LLMConfig",
    "LLMTransientError",
    "LLMUnavailableError",
]

SYSTEM_PROMPT = (
    "You are a customer-service agent. Write a short, friendly reply to the customer in the "
    "language of their message, using only the facts in the knowledge-base answers. "
    "Placeholders such as [EMAIL] or o****1234 stand for redacted data: keep them as they are."
)


class LLMUnavailableError(OpsaiError):
    """The endpoint cannot be used: nothing answers, it refuses the key, it does not know
    the model, or it does not answer like an OpenAI-compatible server."""


class LLMTransientError(LLMUnavailableError):
    """The endpoint failed in a way that may pass: it did not answer in time, the connection
    was refused or dropped, or it answered 408, 429 or 5xx. ``what`` says which in a few
    words (``"HTTP 503"``, ``"no answer within 20 s"``); the next request may succeed."""

    def __init__(self, message: str, *, what: str) -> None:
        super().__init__(message)
        self.what = what


class DraftRefusedError(OpsaiError):
    """A drafted reply was not used: it holds personal data or an order id the request did
    not. ``reason`` says which, without the ``llm:`` prefix; the next draft is tried as usual."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"llm: {reason}; not used")
        self.reason = reason


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to call the model; ``enabled=False`` (the default) never calls it."""

    enabled: bool = False
    base_url: str | None = None
    """e.g. ``http://localhost:8000/v1``; ``/chat/completions`` is appended."""
    model: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    """Name of the environment variable holding the key (may be unset for local servers)."""
    timeout: float = 20.0
    temperature: float = 0.2
    max_tokens: int = 300


class LLMClient:
    """Drafts replies through an OpenAI-compatible chat endpoint.

    Args:
        config: the endpoint settings.
        redactor: how personal data is removed (default: every kind, order ids partial).
    """

    def __init__(self, config: LLMConfig, *, redactor: Redactor | None = None) -> None:
        self.config = config
        self.redactor = redactor

    def _red(self) -> Redactor:
        return self.redactor if self.redactor is not None else Redactor()

    def messages(self, ticket: str, answers: Sequence[str]) -> list[dict[str, str]]:
        """The chat messages that would be sent (already redacted)."""
        red = self._red()
        kb = "\n".join(f"- {red(a)}" for a in answers)
        return [
            {"role": "system", "content": SYSTEM_PROMPT},
            {
                "role": "user",
                "content": f"Knowledge-base answers:\n{kb}\n\nCustomer: {red(ticket)}",
            },
        ]

    def draft(self, ticket: str, answers: Sequence[str]) -> str | None:
        """A drafted reply, or ``None`` when the step is disabled.

        A draft may hold only facts it was given: personal data (a phone number, an e-mail
        address, ...) or an order id that was not in the request is the model's invention,
        and the draft is refused.

        Raises:
            ConfigError: enabled without ``base_url`` or ``model``.
            LLMUnavailableError: the endpoint failed or answered in an unexpected shape.
            DraftRefusedError: the draft holds personal data or an order id the request did
                not.
            OpsaiError: personal data in the request.
        """
        messages = self.messages(ticket, answers)
        text = self._send(messages)
        if text is None:
            return None
        red = self._red()
        # order ids are kept here (an all-digit one after 订单号 is no card or number): they
        # are checked against the request below
        others = Redactor(
            kinds=red.kinds,
            order_pattern=red.order_pattern,
            order_keywords=red.order_keywords,
            order_mode="keep",
            extra_patterns=red.extra_patterns,
        )
        if others(text) != text:
            raise DraftRefusedError("the draft holds personal data the request did not")
        sent = "\n".join(m["content"] for m in messages)
        ids = find_order_ids(text, pattern=red.order_pattern, keywords=red.order_keywords)
        invented = [red.mask_order_id(o) for o in ids if red.mask_order_id(o) not in sent]
        if invented:
            raise DraftRefusedError(
                f"the draft names order {invented[0]}, which the ticket does not"
            )
        return red(text)

    def complete(self, messages: Sequence[dict[str, str]]) -> str | None:
        """Send chat ``messages`` (redaction-checked) and return the answer, redacted.

        ``None`` when the step is disabled. Used by :meth:`draft` and by the executive
        report's optional rephrasing.

        Raises:
            ConfigError: enabled without ``base_url`` or ``model``.
            LLMUnavailableError: the endpoint failed or answered in an unexpected shape.
            OpsaiError: personal data in a message.
        """
        text = self._send(messages)
        return None if text is None else self._red()(text)

    def check(self) -> str | None:
        """Ask the endpoint which models it serves (``GET /models``; nothing about a ticket
        is sent) and fail early when it cannot be used. A server without that route passes.

        Returns:
            A warning when the models it lists do not include ``model`` (some servers take
            names they do not list, e.g. Azure deployments or aliases, so drafting is not
            stopped on that alone: a draft refused for its model stops it), else ``None``.

        Raises:
            ConfigError: enabled without ``base_url`` or ``model``.
            LLMUnavailableError: nothing answers or the key is refused; the message names the
                ``llm:`` key to fix.
        """
        cfg = self.config
        if not self._ready():
            return None
        assert cfg.base_url is not None
        url = cfg.base_url.rstrip("/") + "/models"
        try:
            req = urllib.request.Request(url, headers=self._headers(), method="GET")
            with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:
                data = json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            if e.code in (401, 403):
                raise self._unavailable(url, e) from e
            return None  # no /models route (or another answer): the first draft will tell
        except (OSError, http.client.HTTPException, ValueError) as e:
            raise self._unavailable(url, e) from e
        served = [m.get("id") for m in data.get("data", [])] if isinstance(data, dict) else []
        served = [m for m in served if isinstance(m, str)]
        # Ollama lists 'llama3:latest' and takes 'llama3'
        if served and not any(cfg.model in (m, m.split(":")[0]) for m in served):
            return (
                f"llm.model: {cfg.base_url} does not list model {cfg.model!r} (it lists "
                f"{', '.join(map(repr, served[:5]))}{' ...' if len(served) > 5 else ''}); "
                "if drafts fail, set llm.model to one of them"
            )
        return None

    def _ready(self) -> bool:
        cfg = self.config
        if not cfg.enabled:
            return False
        if not cfg.base_url or not cfg.model:
            raise ConfigError(
                "llm: enabled without base_url or model; set llm.base_url and llm.model "
                "(or llm.enabled: false to use retrieval replies)"
            )
        return True

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.config.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    def _unavailable(self, url: str, e: BaseException) -> LLMUnavailableError:
        """What went wrong with ``url``, as the ``llm:`` key to fix and how."""
        cfg = self.config
        if not isinstance(e, urllib.error.HTTPError):
            # refused, timed out, no such host; the connection closed without an answer
            cause = e.reason if isinstance(e, urllib.error.URLError) else e
            if isinstance(cause, TimeoutError):
                return LLMTransientError(
                    f"llm.timeout: {url} did not answer within {cfg.timeout:g} s; raise "
                    "llm.timeout if the model is slow, or check the server at llm.base_url",
                    what=f"no answer within {cfg.timeout:g} s",
                )
            message = (
                f"llm.base_url: no usable answer from {url} ({e!r}); start the server or "
                "fix llm.base_url"
            )
            if isinstance(cause, ConnectionError | http.client.HTTPException):
                refused = isinstance(cause, ConnectionRefusedError)
                what = "connection refused" if refused else "connection dropped"
                return LLMTransientError(message, what=what)
            return LLMUnavailableError(message)  # no such host, not a URL: a setting to fix
        try:
            said = e.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            said = ""
        with_msg = json_message(said)
        detail = f"HTTP {e.code}" + (f": {self._red()(with_msg)[:160]}" if with_msg else "")
        var = cfg.api_key_env
        if e.code in (401, 403):
            fix = (
                f"the environment variable {var} is not set: export {var}=<key>, or set "
                "llm.api_key_env to the variable that holds it"
                if not os.environ.get(var)
                else f"check the key in {var} (llm.api_key_env)"
            )
            return LLMUnavailableError(
                f"llm.api_key_env: {url} refused the request ({detail}); {fix}"
            )
        # busy or failing: it may pass ("Rate limit reached for model x" is not a bad model)
        if e.code in (408, 429) or e.code >= 500:
            return LLMTransientError(
                f"llm.base_url: {url} answered {detail}; the server is busy or failing: check "
                "the server at llm.base_url",
                what=f"HTTP {e.code}",
            )
        # OpenAI and vLLM: "The model `x` does not exist"; Ollama: 'model "x" not found'
        if 400 <= e.code < 500 and "model" in with_msg.casefold():
            return LLMUnavailableError(
                f"llm.model: {url} does not take model {cfg.model!r} ({detail}); set llm.model "
                "to a model the server serves"
            )
        return LLMUnavailableError(
            f"llm.base_url: {url} answered {detail}; fix llm.base_url (the API root, e.g. "
            "http://localhost:8000/v1)"
        )

    def _send(self, messages: Sequence[dict[str, str]]) -> str | None:
        """The endpoint's answer to ``messages``, stripped but not redacted."""
        cfg = self.config
        if not self._ready():
            return None
        assert cfg.base_url is not None
        body: dict[str, Any] = {
            "model": cfg.model,
            "messages": [dict(m) for m in messages],
            "temperature": cfg.temperature,
            "max_tokens": cfg.max_tokens,
        }
        red = self._red()
        for m in body["messages"]:
            if red(m["content"]) != m["content"]:
                raise OpsaiError("llm: personal data survived redaction; the request was not sent")
        url = cfg.base_url.rstrip("/") + "/chat/completions"
        try:
            req = urllib.request.Request(
                url, json.dumps(body).encode(), self._headers(), method="POST"
            )
            with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:
                data = json.loads(resp.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:  # before ValueError
            raise LLMUnavailableError(
                f"llm.base_url: {url} answered what is not UTF-8 JSON ({e!r}); point "
                "llm.base_url at an OpenAI-compatible API root"
            ) from e
        # OSError: refused, timed out, HTTP error status; HTTPException: the connection closed
        # without an answer; ValueError: not a URL
        except (OSError, http.client.HTTPException, ValueError) as e:
            raise self._unavailable(url, e) from e
        try:
            text = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as e:
            raise LLMUnavailableError(
                f"llm.base_url: {url} answered without choices[0].message.content; point "
                "llm.base_url at an OpenAI-compatible API root"
            ) from e
        if not isinstance(text, str):
            raise LLMUnavailableError(
                f"llm.model: {url} answered {text!r} as choices[0].message.content, not text; "
                "set llm.model to a chat model"
            )
        return text.strip()


def json_message(text: str) -> str:
    """The error message in an error body (``{"error": {"message": ...}}``, ``{"detail":
    ...}``, ``{"error": "..."}``), else the body's first line."""
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip().splitlines()[0] if text.strip() else ""
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data.get("message")))
        if isinstance(err, dict):
            err = err.get("message", err)
        if err is not None:
            return str(err)
    return text.strip()[:200]
