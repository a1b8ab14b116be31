"""Optional large-language-model step: draft a reply from retrieved kb answers.

Off by default: the retrieval reply of :mod:`opsai.service.reply` is what the chapter uses.
When enabled, :class:`LLMClient` posts to any OpenAI-compatible ``/chat/completions``
endpoint (configured by URL and model name, key read from an environment variable) using
only the standard library. The ticket and the answers are redacted before they leave the
process, and the request body is checked once more: if a second redaction pass would still
change it, nothing is sent.

Example:
    >>> cfg = LLMConfig(enabled=True, base_url="http://localhost:8000/v1", model="qwen2")
    >>> LLMClient(cfg).draft("Where is order o00001234?", ["You can track it ..."])  # doctest: +SKIP
    'Hi! You can follow order o****1234 under My Orders > Track ...'
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opsai.errors import ConfigError, OpsaiError
from opsai.service.pii import Redactor, find_order_ids

__all__ = ["LLMClient", "LLMConfig"]

SYSTEM_PROMPT = (
    "You are a customer-service agent. Write a short, friendly reply to the customer in the "
    "language of their message, using only the facts in the knowledge-base answers. "
    "Placeholders such as [EMAIL] or o****1234 stand for redacted data: keep them as they are."
)


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
            OpsaiError: the endpoint failed or answered in an unexpected shape, or the draft
                holds personal data or an order id the request did not.
        """
        messages = self.messages(ticket, answers)
        text = self._send(messages)
        if text is None:
            return None
        red = self._red()
        others = Redactor(
            kinds=[k for k in red.kinds if k != "order_id"], extra_patterns=red.extra_patterns
        )
        if others(text) != text:
            raise OpsaiError("llm: the draft holds personal data the request did not; not used")
        sent = "\n".join(m["content"] for m in messages)
        invented = [
            o for o in find_order_ids(text, pattern=red.order_pattern) if red(o) not in sent
        ]
        if invented:
            raise OpsaiError(
                f"llm: the draft names order {red(invented[0])}, which the ticket does not; not used"
            )
        return red(text)

    def complete(self, messages: Sequence[dict[str, str]]) -> str | None:
        """Send chat ``messages`` (redaction-checked) and return the answer, redacted.

        ``None`` when the step is disabled. Used by :meth:`draft` and by the executive
        report's optional rephrasing.

        Raises:
            ConfigError: enabled without ``base_url`` or ``model``.
            OpsaiError: personal data in a message, or the endpoint failed or answered in
                an unexpected shape.
        """
        text = self._send(messages)
        return None if text is None else self._red()(text)

    def _send(self, messages: Sequence[dict[str, str]]) -> str | None:
        """The endpoint's answer to ``messages``, stripped but not redacted."""
        cfg = self.config
        if not cfg.enabled:
            return None
        if not cfg.base_url or not cfg.model:
            raise ConfigError("llm: set base_url and model (or enabled: false to use retrieval)")
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
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(cfg.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        url = cfg.base_url.rstrip("/") + "/chat/completions"
        try:
            req = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
            with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:
                data = json.loads(resp.read().decode("utf-8"))
        # OSError: refused, timed out, HTTP error status; HTTPException: the connection closed
        # without an answer; ValueError: not JSON, not UTF-8, not a URL
        except (OSError, http.client.HTTPException, ValueError) as e:
            raise OpsaiError(f"llm: request to {url} failed ({e!r}); check llm.base_url") from e
        try:
            text = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as e:
            raise OpsaiError(f"llm: {url} answered without choices[0].message.content") from e
        if not isinstance(text, str):
            raise OpsaiError(
                f"llm: {url} answered {text!r} as choices[0].message.content, not text"
            )
        return text.strip()
