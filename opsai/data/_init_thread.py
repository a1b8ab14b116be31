"""``opsai init`` on a thread of messages in one file (Kaggle's TWCS support tweets:
``tweet_id, author_id, inbound, created_at, text, response_tweet_id,
in_response_to_tweet_id``): customers' tweets and the companies' replies, each reply naming
the tweet it answers.

A ticket is a thread's opening customer message: the table keeps the rows that are inbound
and answer nothing (``where: inbound AND in_response_to_tweet_id IS NULL``), and joins the file
to itself on the reply's id (``response_tweet_id``) for the first reply: its time is the
ticket's ``resolved_at`` (the first response), its author the ``channel`` (the company
answering).

Example:
    >>> t = thread(sample, "tweet_id")                     # doctest: +SKIP
    >>> t.where, t.response                                # doctest: +SKIP
    ('inbound AND in_response_to_tweet_id IS NULL', 'response_tweet_id')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from opsai.data import _sniff
from opsai.data._synonyms import name_words

_INBOUND = {"inbound", "incoming", "from_customer", "fromcustomer", "is_customer"}
"""Words of a flag saying a message came from the customer (TWCS' ``inbound``)."""
_TRUE_FALSE = {"true", "false"}


@dataclass
class Thread:
    """How a file of threaded messages reads as tickets."""

    reply_to: str
    """The column naming the message a row answers (empty on a thread's first message)."""
    inbound: str | None
    """The flag that is true on the customer's messages, when there is one."""
    response: str | None
    """The column naming the message that answers a row (its first reply)."""
    author: str | None = None
    """Who wrote the message (TWCS' ``author_id``): the customer on the opening rows."""

    @property
    def where(self) -> str:
        first = f"{_sql(self.reply_to)} IS NULL"
        return f"{_sql(self.inbound)} AND {first}" if self.inbound else first


def _sql(c: str) -> str:
    return c if re.fullmatch(r"[^\W\d]\w*", c) else '"' + c.replace('"', '""') + '"'


def _answers(words: list[str]) -> bool:
    """``in_response_to_tweet_id``, ``reply_to_id``, ``in_reply_to_status_id``, ``parent_id``."""
    w = set(words)
    return bool(w & {"response", "reply", "replying"} and "to" in w) or "parent" in w


def _answered_by(words: list[str]) -> bool:
    """``response_tweet_id``, ``reply_id``, ``response_id``: the message answering the row."""
    w = set(words)
    return bool(w & {"response", "reply", "replies", "responses"}) and "to" not in w


def thread(sample: _sniff.Sample, key: str) -> Thread | None:
    """The thread columns of a sample whose messages are keyed by ``key``, or None when no
    column names the message a row answers (or that column is never empty: no opener)."""
    reply_to = inbound = response = author = None
    for c, vals in sample.values.items():
        if c == key:
            continue
        words = name_words(c)
        got = {(v or "").strip().lower() for v in vals} - {""}
        if reply_to is None and _answers(words) and any(not (v or "").strip() for v in vals):
            reply_to = c
        elif response is None and _answered_by(words) and "id" in words:
            response = c
        elif inbound is None and _INBOUND & {*words, "_".join(words)} and got <= _TRUE_FALSE:
            inbound = c
        elif author is None and {"author", "sender", "from"} & set(words):
            author = c
    if reply_to is None:
        return None
    return Thread(reply_to, inbound, response, author)
