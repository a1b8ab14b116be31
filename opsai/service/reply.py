"""Reply suggestion: retrieve the best knowledge-base answer, fill its slots, flag escalation.

:class:`ReplySuggester` scores every ``kb`` answer (in the ticket's language when the kb has
one) by a hybrid of

* keyword similarity: cosine of TF-IDF character n-grams between the ticket and the kb
  question + answer;
* optional dense similarity: cosine of sentence embeddings from any ``encoder`` callable
  (e.g. a sentence-transformers model's ``encode``), averaged with the keyword score;
* optional intent evidence: the calibrated probability an :class:`IntentClassifier`
  gives the kb row's intent, weighted by ``intent_weight``.

It fills ``{order_id}`` from the order ids in the ticket (masked as configured; several
distinct ids are all named, "o****1234 and o****5678", "o****1234、o****5678", and the
suggestion's ``note`` says so) and ``{name}`` from the caller's slots, flags
``language_fallback`` when the kb has no answer in the ticket's language (the answer is
then in another one, and the note says which), and sets ``escalate`` when the confidence is below
``min_confidence`` or the ticket's sentiment is in ``escalate_sentiments``.

Example:
    >>> rs = ReplySuggester().fit(kb)                                   # doctest: +SKIP
    >>> rs.suggest("Where is order o00001234?").answer                  # doctest: +SKIP
    'You can follow order o****1234 under My Orders > Track. ...'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer

from opsai.data import schema as S
from opsai.errors import NotFittedError, SchemaError
from opsai.service._features import Preprocess, as_texts
from opsai.service.intent import out_of_scope
from opsai.service.pii import DEFAULT_ORDER_PATTERN, Redactor, find_order_ids
from opsai.service.text import detect_language, language_code, strip_markup

__all__ = ["ReplySuggester", "Suggestion", "fill_slots", "join_ids"]

# {order_id}; {{Order Number}} (the Bitext/Jinja style); <ORDER> (known slot names only, so
# HTML such as <b> stays)
_SLOT = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}|\{(\w+)\}|<([^<>/\s=]+)>")
_EN_ORDER = re.compile(r"(?i)\border\s+$")
_ALIASES = {
    "order_id": {"orderid", "order", "ordernumber", "orderno", "ordernum", "订单号", "订单编号"},
    "name": {"name", "customername", "firstname", "fullname", "客户姓名", "姓名"},
}


def _slot(m: re.Match[str]) -> str | None:
    """The slot a placeholder names (``{{Order Number}}`` is ``order_id``), ``None`` for an
    angle-bracketed word that is no slot (``<b>``)."""
    raw = next(g for g in m.groups() if g is not None)
    key = re.sub(r"[\W_]+", "", raw.casefold())
    known = next((slot for slot, keys in _ALIASES.items() if key in keys or raw == slot), None)
    return known or (None if m.group(3) is not None else raw)


def join_ids(ids: Sequence[str], language: str | None = "en") -> str:
    """Ids joined as the reply's language lists them: ``"a, b and c"``, ``"a、b、c"``.

    Example:
        >>> join_ids(["o****1234", "o****5678"]), join_ids(["o****1234", "o****5678"], "zh")
        ('o****1234 and o****5678', 'o****1234、o****5678')
    """
    ids = [str(i) for i in ids]
    if language in ("zh", "ja"):
        return "、".join(ids)
    return ids[0] if len(ids) < 2 else f"{', '.join(ids[:-1])} and {ids[-1]}"


def fill_slots(
    template: str, slots: Mapping[str, str | Sequence[str]], *, language: str | None = None
) -> str:
    """Fill ``{slot}``, ``{{Slot Name}}`` and ``<SLOT>`` placeholders; a missing order id
    reads "your order", others vanish.

    An order id slot may hold several ids: they are joined in the template's ``language``
    (detected when not given) and "order" before them becomes "orders".

    Example:
        >>> fill_slots("Track order {order_id} here.", {})
        'Track your order here.'
        >>> fill_slots("查看订单{order_id}的状态", {"order_id": "o****1234"})
        '查看订单o****1234的状态'
        >>> fill_slots("Dear {{Customer Name}}, order <ORDER> ships <b>today</b>.", {"name": "Li"})
        'Dear Li, your order ships <b>today</b>.'
        >>> fill_slots("Track order {order_id} here.", {"order_id": ["o****1234", "o****5678"]})
        'Track orders o****1234 and o****5678 here.'
    """
    out, pos = "", 0
    for m in _SLOT.finditer(template):
        name = _slot(m)
        got = None if name is None else slots.get(name)
        many = [] if got is None or isinstance(got, str) else [str(x) for x in got if x]
        if many:
            lang = language or detect_language(template, default="en")
            got = join_ids(many, lang)
        value = m.group(0) if name is None else str(got or "")
        before = template[pos : m.start()]
        e = _EN_ORDER.search(before) if name == "order_id" else None
        if e and not value:
            before, value = before[: e.start()], "your order"
        elif e and len(many) > 1:
            before = before[: e.start() + len("order")] + "s "  # orders, as the template spells it
        out, pos = out + before + value, m.end()
    out += template[pos:]
    return re.sub(r" {2,}", " ", out).replace(" .", ".").replace(" ,", ",").strip()


@dataclass
class Suggestion:
    """One suggested reply."""

    answer: str
    intent: str | None
    confidence: float
    escalate: bool
    reason: str
    candidates: list[tuple[int, float]] = field(default_factory=list)
    """(kb row position, score) of the best ``top_k`` answers."""
    order_ids: list[str] = field(default_factory=list)
    """The distinct order ids in the ticket, in order, masked as configured."""
    language: str = ""
    """The ticket's language code."""
    answer_language: str = ""
    """The language of the kb answer ("" when the kb row has none and none is detected)."""
    language_fallback: bool = False
    """The kb has no answer in the ticket's language: the answer is in another one."""
    note: str = ""
    """What the agent should know about the suggestion (another language, several orders)."""
    model_intent: str | None = None
    """The intent model's own top label for the ticket (``None`` without an intent model);
    ``intent`` is the chosen kb answer's, which a keyword match may have picked."""
    model_confidence: float | None = None
    """The intent model's probability of :attr:`model_intent`; ``confidence`` is the kb
    answer's blended retrieval score (the model's probability for an out-of-scope ticket)."""


class ReplySuggester(BaseEstimator):
    """Retrieval-based reply suggestion over the ``kb`` table.

    Args:
        intent_model: a fitted classifier with ``predict_proba`` and ``classes_`` (e.g.
            :class:`~opsai.service.intent.IntentClassifier`); used when the kb has intents.
        intent_weight: weight of the intent probability against the similarity.
        encoder: optional callable, list of texts -> 2-D array of embeddings.
        top_k: how many candidates to keep.
        min_confidence: escalate below this score.
        escalate_sentiments: sentiment labels that always escalate.
        order_pattern: regular expression of order ids (see :mod:`opsai.service.pii`).
        order_mode: how the order id appears in the reply: ``"partial"``, ``"token"`` or
            ``"keep"``.
    """

    def __init__(
        self,
        *,
        intent_model: Any = None,
        intent_weight: float = 0.6,
        encoder: Callable[[list[str]], Any] | None = None,
        top_k: int = 3,
        min_confidence: float = 0.35,
        escalate_sentiments: tuple[str, ...] = ("negative", "neg", "angry"),
        order_pattern: str | None = DEFAULT_ORDER_PATTERN,
        order_mode: Literal["partial", "token", "keep"] = "partial",
    ) -> None:
        self.intent_model = intent_model
        self.intent_weight = intent_weight
        self.encoder = encoder
        self.top_k = top_k
        self.min_confidence = min_confidence
        self.escalate_sentiments = escalate_sentiments
        self.order_pattern = order_pattern
        self.order_mode = order_mode

    def fit(
        self,
        kb: pd.DataFrame,
        *,
        col_answer: str = S.ANSWER,
        col_question: str = S.QUESTION,
        col_intent: str = S.INTENT,
        col_language: str = S.LANGUAGE,
    ) -> ReplySuggester:
        """Index the knowledge base (``answer`` required; ``question``, ``intent``,
        ``language`` used when present)."""
        if col_answer not in kb.columns:
            raise SchemaError(
                f"kb: column {col_answer!r} not found (have: {', '.join(map(str, kb.columns))}). "
                "Map it in config: data.tables.kb.columns.answer, or pass col_answer=..."
            )
        kb = kb[kb[col_answer].notna()].reset_index(drop=True)
        if kb.empty:
            raise SchemaError("kb: no answers; the reply suggester needs at least one")
        # a help centre's article bodies are HTML: a customer reads their text (byod10b D19)
        kb = kb.assign(**{col_answer: strip_markup(kb[col_answer].astype(str))[0]})
        if col_question in kb.columns:
            kb[col_question] = strip_markup(kb[col_question])[0]
        q = (
            kb[col_question].fillna("")
            if col_question in kb.columns
            else pd.Series("", index=kb.index)
        )
        docs = [f"{a} {b}" for a, b in zip(q, kb[col_answer].astype(str), strict=True)]
        self.answers_ = kb[col_answer].astype(str).tolist()
        self.intents_ = (
            kb[col_intent].astype(str).to_numpy(dtype=object) if col_intent in kb.columns else None
        )
        langs = (
            kb[col_language]
            if col_language in kb.columns
            else pd.Series([detect_language(d) for d in docs])
        )
        # 'zh-CN' and 'en-US' in a kb are the tickets' 'zh' and 'en'
        self.languages_ = np.array([language_code(x) or "" for x in langs], dtype=object)
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), preprocessor=Preprocess(), sublinear_tf=True
        ).fit(docs + [str(x) for x in q])
        self.doc_vecs_ = self.vectorizer_.transform(docs)
        self.q_vecs_ = self.vectorizer_.transform([str(x) for x in q])
        self.dense_ = None
        if self.encoder is not None:
            self.dense_ = _unit(np.asarray(self.encoder(docs), dtype=float))
        self.redactor_ = Redactor(order_pattern=self.order_pattern, order_mode=self.order_mode)
        return self

    def _scores(
        self, texts: list[str], languages: list[str]
    ) -> tuple[
        np.ndarray, list[tuple[str, str, float] | None], list[tuple[str | None, float | None]]
    ]:
        """Scores of every kb answer per text; per text the out-of-scope label the intent
        model reads ("" when it is only unsure) with why it routes the text to a person
        (``None`` where it does not, or there is no intent model); and per text the intent
        model's top label and probability (``(None, None)`` without a model)."""
        v = self.vectorizer_.transform(texts)
        sim = np.maximum((v @ self.doc_vecs_.T).toarray(), (v @ self.q_vecs_.T).toarray())
        if self.dense_ is not None and self.encoder is not None:
            dense = _unit(np.asarray(self.encoder(texts), dtype=float)) @ self.dense_.T
            sim = (sim + np.clip(dense, 0, 1)) / 2
        score = sim
        model = self.intent_model
        human: list[tuple[str, str, float] | None] = [None] * len(texts)
        top: list[tuple[str | None, float | None]] = [(None, None)] * len(texts)
        if model is not None and self.intents_ is not None and hasattr(model, "classes_"):
            proba = np.asarray(model.predict_proba(texts))
            best = proba.argmax(axis=1)
            top = [
                (str(model.classes_[b]), round(float(proba[r, b]), 4)) for r, b in enumerate(best)
            ]
            col = {str(c): i for i, c in enumerate(model.classes_)}
            idx = np.array([col.get(str(i), -1) for i in self.intents_])
            p_kb = np.where(idx >= 0, proba[:, np.maximum(idx, 0)], 0.0)
            w = self.intent_weight
            score = (1 - w) * sim + w * p_kb
            human = _routed(model, proba)
        for r, lg in enumerate(languages):
            same = self.languages_ == lg
            if lg and same.any():
                score[r, ~same] = -1.0
        return score, human, top

    def suggest_many(
        self,
        texts: Iterable[str],
        *,
        languages: Iterable[object] | None = None,
        sentiments: Iterable[object] | None = None,
        names: Iterable[object] | None = None,
    ) -> list[Suggestion]:
        """One :class:`Suggestion` per text (PII redacted before anything is returned)."""
        if not hasattr(self, "vectorizer_"):
            raise NotFittedError("ReplySuggester is not fitted yet: call fit(kb) first")
        raw = as_texts(texts)
        n = len(raw)
        langs = [
            language_code(x) or detect_language(t, default="en")
            for x, t in zip(languages or [None] * n, raw, strict=True)
        ]
        sents = list(sentiments) if sentiments is not None else [None] * n
        who = list(names) if names is not None else [None] * n
        clean = [self.redactor_(t) for t in raw]
        score, human, top = self._scores(clean, langs)
        out = []
        for r in range(n):
            order = np.argsort(-score[r], kind="stable")[: self.top_k]
            best = int(order[0])
            conf = float(max(score[r, best], 0.0))
            ids = list(dict.fromkeys(find_order_ids(raw[r], pattern=self.order_pattern)))
            shown = [self.redactor_.mask_order_id(i) for i in ids]
            slots = {"order_id": shown, "name": str(who[r] or "")}
            answer_lang = str(self.languages_[best]) or detect_language(self.answers_[best])
            # the kb has no answer in the ticket's language, so _scores did not filter
            fallback = bool(
                langs[r] not in ("", "und")
                and answer_lang not in ("", "und", langs[r])
                and not (self.languages_ == langs[r]).any()
            )
            notes = []
            if fallback:
                notes.append(f"the kb has no {langs[r]} answers: reply from its {answer_lang} ones")
            if len(shown) > 1:
                notes.append(f"{len(shown)} orders named: {join_ids(shown)}")
            routed = human[r]
            reasons = [routed[1]] if routed else []
            if routed and routed[0]:  # out of scope: no kb answer fits it
                out.append(
                    Suggestion(
                        answer="",
                        intent=routed[0],
                        confidence=round(routed[2], 4),  # the intent model's
                        escalate=True,
                        reason=routed[1],
                        order_ids=shown,
                        language=langs[r],
                        note="; ".join(n for n in notes if not n.startswith("the kb has no")),
                        model_intent=top[r][0],
                        model_confidence=top[r][1],
                    )
                )
                continue
            if conf < self.min_confidence:
                reasons.append(f"low confidence {conf:.2f} < {self.min_confidence}")
            if sents[r] is not None and str(sents[r]) in self.escalate_sentiments:
                reasons.append(f"sentiment {sents[r]}")
            out.append(
                Suggestion(
                    answer=fill_slots(self.answers_[best], slots, language=answer_lang),
                    intent=None if self.intents_ is None else str(self.intents_[best]),
                    confidence=round(conf, 4),
                    escalate=bool(reasons),
                    reason="; ".join(reasons),
                    candidates=[(int(i), round(float(score[r, i]), 4)) for i in order],
                    order_ids=shown,
                    language=langs[r],
                    answer_language=answer_lang,
                    language_fallback=fallback,
                    note="; ".join(notes),
                    model_intent=top[r][0],
                    model_confidence=top[r][1],
                )
            )
        return out

    def suggest(
        self,
        text: str,
        *,
        language: str | None = None,
        sentiment: str | None = None,
        name: str | None = None,
    ) -> Suggestion:
        """Suggest a reply to one ticket text."""
        return self.suggest_many(
            [text], languages=[language], sentiments=[sentiment], names=[name]
        )[0]

    def suggest_frame(
        self,
        tickets: pd.DataFrame,
        *,
        col_text: str = S.TEXT,
        col_key: str = S.TICKET_ID,
        col_language: str = S.LANGUAGE,
        col_sentiment: str = S.SENTIMENT,
    ) -> pd.DataFrame:
        """Long-format suggestions: key, ``reply``, ``reply_intent``, ``confidence``,
        ``escalate``, ``reason``, ``reply_language``, ``language_fallback`` (no kb answer in
        the ticket's language), ``note``."""
        if col_text not in tickets.columns:
            raise SchemaError(f"tickets: column {col_text!r} not found; pass col_text=...")
        get = lambda c: tickets[c].tolist() if c in tickets.columns else None  # noqa: E731
        sug = self.suggest_many(
            tickets[col_text], languages=get(col_language), sentiments=get(col_sentiment)
        )
        out = pd.DataFrame(
            {
                "reply": [s.answer for s in sug],
                "reply_intent": [s.intent for s in sug],
                "confidence": [s.confidence for s in sug],
                "escalate": [s.escalate for s in sug],
                "reason": [s.reason for s in sug],
                "reply_language": [s.answer_language for s in sug],
                "language_fallback": [s.language_fallback for s in sug],
                "note": [s.note for s in sug],
            },
            index=tickets.index,
        )
        if col_key in tickets.columns:
            out.insert(0, col_key, tickets[col_key].to_numpy())
        return out


def _routed(model: Any, proba: np.ndarray) -> list[tuple[str, str, float] | None]:
    """Per row, why an intent model with a threshold (:class:`IntentClassifier`) sends the
    text to a person: ``(label, why, probability)`` when it predicts an out-of-scope label,
    ``("", why, probability)`` when its confidence is below the threshold, ``None`` where it
    answers."""
    top = proba.argmax(axis=1)
    best = np.asarray(model.classes_)[top]
    p = proba[np.arange(len(proba)), top]
    thr = getattr(model, "threshold_", None)
    oos = out_of_scope(best)
    out: list[tuple[str, str, float] | None] = []
    for b, q, o in zip(best, p, oos, strict=True):
        if o:
            out.append((str(b), f"out of scope: the intent model reads '{b}' ({q:.2f})", q))
        elif thr is not None and q < thr:
            out.append(("", f"the intent model is unsure: '{b}' at {q:.2f} < {thr:.2f}", q))
        else:
            out.append(None)
    return out


def _unit(m: np.ndarray) -> np.ndarray:
    if m.ndim != 2:
        raise SchemaError(f"encoder: expected a 2-D array of embeddings, got shape {m.shape}")
    return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
