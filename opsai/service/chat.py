"""A terminal assistant over the trained pipeline: one line in, one answer out.

:class:`Assistant` redacts the line, predicts its intent and sentiment, suggests the best kb
reply and says whether to escalate. :func:`run_chat` reads lines from a stream (a terminal
or a pipe) and writes one answer per line; :func:`main` is the ``opsai chat --config FILE``
entry point (trains on the config's tickets and kb at start-up). When the config's ``llm:``
endpoint cannot be used (down at start-up, key unset or refused, model unknown) the chat says
so once on stderr, naming the key to fix, and answers with retrieval replies. A failure that
may pass (a timeout, a dropped connection, a 5xx answer) costs only that line's draft, noted on
its answer line; after three in a row drafting is turned off the same way.

Example:
    $ echo "where is my order o00001234?" | opsai chat --config build/demo/opsai.yaml
    [order_status 0.93 | neutral] You can follow order o****1234 under My Orders > Track. ...
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from opsai.data import schema as S
from opsai.errors import ConfigError, OpsaiError, SchemaError
from opsai.service.chapter import kb_intents_like
from opsai.service.intent import IntentClassifier, canonical_intent
from opsai.service.llm import DraftRefusedError, LLMTransientError, LLMUnavailableError
from opsai.service.pii import DEFAULT_ORDER_PATTERN, Redactor
from opsai.service.reply import ReplySuggester
from opsai.service.sentiment import LexiconSentiment, SentimentClassifier, canonical_sentiment

__all__ = ["Answer", "Assistant", "main", "run_chat"]

CHAPTER = "05_customer_service"
"""The chapter whose ``ORDER_PATTERN`` and ``ORDER_MODE`` parameters the chat follows."""


@dataclass
class Answer:
    """The assistant's answer to one line."""

    reply: str
    intent: str | None
    """The intent of the kb answer given as the reply (the out-of-scope label when the line
    goes to an agent as out of scope)."""
    confidence: float
    """The reply's retrieval score (the intent model's probability for an out-of-scope line)."""
    sentiment: str
    escalate: bool
    reason: str
    note: str = ""
    """What the agent should know: the kb had no answer in the line's language, several
    orders were named, the drafted reply was refused (it held personal data or an order id
    the line did not), the llm endpoint failed on this line (a timeout, a 5xx answer)."""
    model_intent: str | None = None
    """The intent model's own label for the line (``None`` without an intent model)."""
    model_confidence: float | None = None
    """The intent model's probability of :attr:`model_intent`."""

    def line(self) -> str:
        """One printable line: ``[intent confidence | sentiment] reply (NOTE: ...) (ESCALATE:
        why)``; the intent and confidence are the intent model's where there is one."""
        intent, conf = self.intent, self.confidence
        if self.model_intent is not None and self.model_confidence is not None:
            intent, conf = self.model_intent, self.model_confidence
        head = f"[{intent or '-'} {conf:.2f} | {self.sentiment}]"
        note = f"  (NOTE: {self.note})" if self.note else ""
        tail = f"  (ESCALATE: {self.reason})" if self.escalate else ""
        return f"{head} {self.reply}{note}{tail}"


class Assistant:
    """Intent, sentiment, reply and escalation for one line of customer text.

    Args:
        suggester: a fitted :class:`ReplySuggester` (its intent model is used for intents).
        sentiment: a fitted model with ``predict`` (default: the lexicon baseline).
        redactor: applied to the line before anything else.
        llm: an :class:`~opsai.service.llm.LLMClient` drafting the replies, or ``None``.
        warn: called once with one line when the ``llm`` cannot be used and drafting is
            turned off (default: written to stderr).
        max_llm_failures: failures that may pass (:class:`~opsai.service.llm.LLMTransientError`:
            timeouts, dropped connections, 5xx answers) in a row after which drafting is
            turned off; each before that costs only its own line's draft. A refused key, an
            unknown model or a missing setting turns it off at once.
    """

    def __init__(
        self,
        suggester: ReplySuggester,
        *,
        sentiment: Any = None,
        redactor: Redactor | None = None,
        llm: Any = None,
        warn: Callable[[str], None] | None = None,
        max_llm_failures: int = 3,
    ) -> None:
        self.suggester = suggester
        self.sentiment = sentiment if sentiment is not None else LexiconSentiment()
        self.redactor = redactor if redactor is not None else Redactor()
        self.llm = llm
        self.warn = warn if warn is not None else _to_stderr
        self.llm_off: str | None = None
        """Why drafting was turned off (the endpoint's error), ``None`` while it is on."""
        self.max_llm_failures = max_llm_failures
        self.llm_failures: list[str] = []
        """The failures that may pass since the last answer from the endpoint (``what``)."""

    def check_llm(self) -> None:
        """Ask the ``llm`` endpoint whether it can be used before the first line; if not,
        say so once and answer with retrieval replies (a model it does not list is warned of,
        and drafting stays on)."""
        if self.llm is not None and hasattr(self.llm, "check"):
            try:
                note = self.llm.check()
            except (LLMUnavailableError, ConfigError) as e:
                self._drafting_off(e)
            else:
                if note:  # it may still take the name: drafting stays on
                    self.warn(f"opsai chat: {note}. Drafting stays on until a draft fails.")

    def _drafting_off(self, e: OpsaiError) -> None:
        self.llm, self.llm_off = None, str(e)
        self.warn(f"opsai chat: {e}. Drafting is off: every answer is the kb's retrieval reply.")

    def _failed(self, e: LLMTransientError) -> None:
        """One more failure that may pass; at ``max_llm_failures`` in a row, drafting goes off."""
        self.llm_failures.append(e.what)
        if len(self.llm_failures) < self.max_llm_failures:
            return
        self.llm, self.llm_off = None, str(e)
        self.warn(
            f"opsai chat: the llm endpoint failed {len(self.llm_failures)} times in a row "
            f"({', '.join(self.llm_failures)}); the last: {e}. Drafting is off: every answer is "
            "the kb's retrieval reply."
        )

    @classmethod
    def from_workspace(cls, ws: Any, *, seed: int = 0) -> Assistant:
        """Train on the workspace's labelled tickets (redacted) and index its kb; order ids
        follow the config's ``chapters.05_customer_service.parameters`` ``ORDER_PATTERN`` and
        ``ORDER_MODE``, as in the chapter."""
        if not ws.has("kb"):
            raise SchemaError(
                "kb: opsai chat needs a kb table of answers; map it in config: data.tables.kb"
            )
        config = getattr(ws, "config", None)
        chapter = getattr(config, "chapters", {}).get(CHAPTER)
        params = chapter.parameters if chapter is not None else {}
        pattern = params.get("ORDER_PATTERN", DEFAULT_ORDER_PATTERN) or None
        mode = params.get("ORDER_MODE", "partial")
        redactor = Redactor(order_pattern=pattern, order_mode=mode)
        tickets = ws.to_pandas("tickets")  # redacted first, as in the chapter
        tickets[S.TEXT] = redactor.transform(tickets[S.TEXT])
        kb = ws.to_pandas("kb")
        intent = None
        if S.INTENT in tickets.columns:  # one spelling per intent, the kb's like the tickets'
            tickets[S.INTENT] = canonical_intent(tickets[S.INTENT])[0]
            kb = kb_intents_like(kb, tickets[S.INTENT])
        if S.INTENT in tickets.columns and tickets[S.INTENT].notna().sum() >= 20:
            lab = tickets[tickets[S.INTENT].notna()]
            intent = IntentClassifier(threshold="auto", seed=seed).fit(lab[S.TEXT], lab[S.INTENT])
        sentiment: Any = None
        if S.SENTIMENT in tickets.columns:
            chosen = ChosenSentiment.from_tickets(tickets, seed=seed)
            sentiment = chosen if chosen.choice else None  # too few labels: the lexicon
        suggester = ReplySuggester(intent_model=intent, order_pattern=pattern, order_mode=mode)
        # the endpoint never gets a whole order id, even where outputs keep them
        sent = Redactor(order_pattern=pattern, order_mode="token" if mode == "token" else "partial")
        out = cls(
            suggester.fit(kb),
            sentiment=sentiment,
            redactor=redactor,
            llm=llm_client(config, redactor=sent),
        )
        if isinstance(sentiment, ChosenSentiment) and sentiment.note:
            out.warn(f"opsai chat: sentiment {sentiment.note}")
        return out

    def answer(self, text: str) -> Answer:
        """Answer one line."""
        clean = self.redactor(text)
        mood = str(self.sentiment.predict([clean])[0])
        s = self.suggester.suggest(text, sentiment=mood)
        reply, note = s.answer, s.note
        if self.llm is not None and not s.escalate and reply:
            try:
                reply = self.llm.draft(clean, [s.answer]) or reply
            except LLMTransientError as e:  # may pass: this line gets the retrieval reply
                note = _and(note, f"the reply was not drafted (the llm endpoint failed: {e.what})")
                self._failed(e)
            except (LLMUnavailableError, ConfigError) as e:  # refused or misconfigured: say so once
                self._drafting_off(e)
            except DraftRefusedError as e:  # it held personal data: retrieval reply
                self.llm_failures = []
                note = _and(note, f"the drafted reply was not used ({e.reason})")
            except OpsaiError as e:  # any other failure of this one draft
                note = _and(note, f"the drafted reply was not used ({e})")
            else:
                self.llm_failures = []
        return Answer(
            reply, s.intent, s.confidence, mood, s.escalate, s.reason, note,
            model_intent=s.model_intent, model_confidence=s.model_confidence,
        )  # fmt: skip


class ChosenSentiment:
    """Per language, the sentiment model the chapter would use (its choice rule,
    :func:`~opsai.service.chapter.sentiment_models`): the model trained on the tickets'
    labels where it beat both always answering the most common label and the lexicon in
    3-fold cross-validation, the lexicon where that did better, else none: a line then gets
    ``"unknown"`` and is not escalated for its sentiment. Languages with too few labels use
    the lexicon."""

    def __init__(self, models: dict[str, Any], choice: dict[str, str]) -> None:
        self.models, self.choice = models, choice
        self.lexicon = LexiconSentiment()

    @classmethod
    def from_tickets(cls, tickets: Any, *, seed: int = 0) -> ChosenSentiment:
        from opsai.service.chapter import sentiment_by_language, sentiment_models
        from opsai.service.text import detect_language

        lab = tickets[tickets[S.SENTIMENT].notna()]
        lab = lab.assign(**{S.SENTIMENT: canonical_sentiment(lab[S.SENTIMENT])[0]})
        if S.LANGUAGE not in lab.columns:
            lab = lab.assign(**{S.LANGUAGE: [detect_language(str(t)) for t in lab[S.TEXT]]})
        table = sentiment_by_language(lab, folds=3, model="nblr", seed=seed)
        choice = sentiment_models(table)
        models = {}
        for lg, how in choice.items():
            if how == "trained":
                g = lab[lab[S.LANGUAGE] == lg]
                models[lg] = SentimentClassifier(seed=seed).fit(g[S.TEXT], g[S.SENTIMENT])
        return cls(models, choice)

    @property
    def note(self) -> str:
        """Which model reads each language, for stderr ("" when the labels' model does)."""
        said = {
            "lexicon": "the lexicon (it read the labels better than the trained model)",
            "none": "no model: neither the trained model nor the lexicon beat always "
            "answering the most common label, so lines are not escalated for their sentiment",
        }
        parts = [f"{lg}: {said[how]}" for lg, how in sorted(self.choice.items()) if how in said]
        return "; ".join(parts)

    def predict(self, texts: Sequence[str]) -> list[str]:
        from opsai.service.text import detect_language

        out = []
        for t in texts:
            lg = detect_language(str(t))
            how = self.choice.get(lg, "lexicon")
            if how == "trained":
                out.append(str(self.models[lg].predict([t])[0]))
            elif how == "none":
                out.append("unknown")
            else:
                got = self.lexicon.predict([t])[0]
                out.append("unknown" if got is None else str(got))
        return out


def _and(note: str, more: str) -> str:
    return "; ".join(filter(None, [note, more]))


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def llm_client(config: Any, *, redactor: Redactor | None = None) -> Any:
    """The LLM client of a config's ``llm:`` section, or ``None`` when it is off."""
    spec = getattr(config, "llm", None)
    if spec is None or not spec.enabled:
        return None
    from opsai.service.llm import LLMClient, LLMConfig

    return LLMClient(
        LLMConfig(
            enabled=True,
            base_url=spec.base_url,
            model=spec.model,
            api_key_env=spec.api_key_env,
            timeout=spec.timeout,
        ),
        redactor=redactor,
    )


def run_chat(assistant: Assistant, stdin: TextIO, stdout: TextIO, *, as_json: bool = False) -> int:
    """Answer each non-empty line of ``stdin`` on ``stdout``; ``quit`` or end of input stops.

    Returns:
        The number of lines answered.
    """
    interactive = stdin.isatty()
    if interactive:
        stdout.write("opsai chat: type a customer message (quit to stop)\n> ")
        stdout.flush()
    n = 0
    for raw in stdin:
        line = raw.strip()
        if line.lower() in ("quit", "exit", "退出"):
            break
        if line:
            a = assistant.answer(line)
            stdout.write(
                (json.dumps(asdict(a), ensure_ascii=False) if as_json else a.line()) + "\n"
            )
            n += 1
        if interactive:
            stdout.write("> ")
        stdout.flush()
    return n


def main(argv: Sequence[str] | None = None) -> int:
    """``opsai chat --config FILE [--json] [--seed N]``."""
    from opsai.data.workspace import open_workspace

    ap = argparse.ArgumentParser(
        prog="opsai chat", description="Answer customer messages, one per line."
    )
    ap.add_argument("--config", required=True, help="YAML config with tickets and kb tables")
    ap.add_argument("--json", action="store_true", help="one JSON object per answer")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        ws = open_workspace(args.config)
        assistant = Assistant.from_workspace(ws, seed=args.seed)
        assistant.check_llm()  # a misconfigured llm: is told once, before the first line
    except OpsaiError as e:
        sys.stderr.write(f"opsai chat: {e}\n")
        return 2
    try:
        run_chat(assistant, sys.stdin, sys.stdout, as_json=args.json)
    except BrokenPipeError:  # the reader left (| head -1): stop quietly, as cat does
        with contextlib.suppress(AttributeError, OSError, ValueError):  # no more writes
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
