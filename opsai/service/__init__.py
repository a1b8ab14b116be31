"""Chapter 5, customer service: text pipeline, PII redaction, intent, sentiment, replies.

Everything works on Chinese and English tickets. Torch is imported only when a torch model
is fitted (``IntentClassifier(model="torch")``), never at ``import opsai.service``.

Example:
    >>> from opsai.service import Redactor, detect_language
    >>> Redactor()("call 13812345678"), detect_language("退款")
    ('call [PHONE]', 'zh')
"""

from __future__ import annotations

from opsai.service.analytics import (
    aspect_columns,
    complaint_terms,
    detect_spikes,
    escalation_queue,
    item_aspects,
    item_negative_ranking,
    item_sentiment_shifts,
    last_periods_days,
    level_shifts,
    negative_shifts,
    negative_users,
    resolution_time,
    sentiment_drivers,
    sentiment_trend,
    spike_context,
    spike_incidents,
    volume_by_intent,
    weekly_spikes,
)
from opsai.service.chat import Assistant, run_chat
from opsai.service.embedding import EmbeddingClassifier
from opsai.service.intent import IntentClassifier, canonical_intent, choose_threshold
from opsai.service.llm import LLMClient, LLMConfig
from opsai.service.pii import Redactor, find_order_ids, luhn_valid, mask_ids, redact
from opsai.service.pretrained import pretrained_sentiment
from opsai.service.reply import ReplySuggester, Suggestion, fill_slots
from opsai.service.sentiment import (
    LexiconSentiment,
    SentimentClassifier,
    SentimentEnsemble,
    canonical_sentiment,
    cross_val_accuracy,
)
from opsai.service.text import (
    Tokenizer,
    detect_language,
    language_code,
    normalize,
    read_ticket_languages,
    strip_markup,
    ticket_languages,
    tokenize,
)
from opsai.service.topics import TopicModel

__all__ = [
    "Assistant",
    "EmbeddingClassifier",
    "IntentClassifier",
    "LLMClient",
    "LLMConfig",
    "LexiconSentiment",
    "Redactor",
    "ReplySuggester",
    "SentimentClassifier",
    "SentimentEnsemble",
    "Suggestion",
    "Tokenizer",
    "TopicModel",
    "aspect_columns",
    "canonical_intent",
    "canonical_sentiment",
    "choose_threshold",
    "complaint_terms",
    "cross_val_accuracy",
    "detect_language",
    "detect_spikes",
    "escalation_queue",
    "fill_slots",
    "find_order_ids",
    "item_aspects",
    "item_negative_ranking",
    "item_sentiment_shifts",
    "language_code",
    "last_periods_days",
    "level_shifts",
    "luhn_valid",
    "mask_ids",
    "negative_shifts",
    "negative_users",
    "normalize",
    "pretrained_sentiment",
    "read_ticket_languages",
    "redact",
    "resolution_time",
    "run_chat",
    "sentiment_drivers",
    "sentiment_trend",
    "spike_context",
    "spike_incidents",
    "strip_markup",
    "ticket_languages",
    "tokenize",
    "volume_by_intent",
    "weekly_spikes",
]
