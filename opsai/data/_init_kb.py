"""``opsai init`` on a help center's articles (byod10b D20): Zendesk Guide's ``articles.json``
(``{"articles": [{"title", "body", "locale", "label_names", "section_id", "html_url", ...}]}``),
Freshdesk's solution articles, an FAQ page export: a title and an HTML body per article.

Scored by names alone such a file is a ticket (``body`` is a ticket text's synonym, ``id`` a
key, ``locale`` a language) and the kb lost it: it was listed as "also looks like tickets".
An article is recognised by its title and a longer body beside what only articles carry
(:data:`_MARKS`: a section, labels, a locale, a draft or promoted flag, an ``/articles/`` URL)
or a file or list named so (:data:`_NAMES`), and nothing a ticket carries (a requester, an
assignee, a priority, a satisfaction rating). It is then the kb: the body its answer (HTML is
read as text by the reply suggester), the title its question, the locale its language. Its
labels (``label_names``) are proposed as the intent only when they are the tickets' intents
(:func:`label_intent`); otherwise a note names them.

Example:
    >>> g = articles(sample, cols)                      # doctest: +SKIP
    >>> {m.contract: m.source for m in g.matches}        # doctest: +SKIP
    {'answer': 'body', 'question': 'title', 'language': 'locale'}
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from opsai.data._synonyms import file_stem, fold, name_words

if TYPE_CHECKING:
    from opsai.data import _sniff
    from opsai.data.init import Guess, _Values

_TITLES = {"title", "question", "name", "heading", "subject"}
_BODIES = {"body", "content", "answer", "html", "article_body", "body_html", "description"}
_MARKS = {"section_id", "section", "label_names", "labels", "locale", "source_locale", "draft",
          "promoted", "vote_sum", "vote_count", "outdated", "folder_id",
          "category_id", "permission_group_id", "user_segment_id", "content_tag_ids"}  # fmt: skip
"""Columns only a help center's articles carry (Zendesk Guide, Freshdesk solutions)."""
_NAMES = {"articles", "article", "faq", "faqs", "kb", "knowledgebase", "helpcenter",
          "solutions", "solutionarticles", "guide"}  # fmt: skip
"""Names of a file (or of its list of records) of articles."""
_TICKET_WORDS = {"requester", "assignee", "priority", "satisfaction", "via", "ticket", "ticket_id",
                 "customer", "customer_id", "requester_id", "assignee_id"}  # fmt: skip
"""Words of a column only a ticket carries: a file with one is no article export."""
_LABELS = ("label_names", "labels", "tags")
_LOCALES = ("locale", "language", "lang", "source_locale")


def _column(cols: dict[str, _Values], names: set[str] | tuple[str, ...]) -> str | None:
    for c in cols:
        if fold(c) in {fold(n) for n in names}:
            return c
    return None


def _listed(value: str) -> list[str]:
    """The items of a sampled list cell (``[refund, billing]``, ``["refund"]``)."""
    inner = value.strip().removeprefix("[").removesuffix("]")
    return [x.strip().strip("'\"") for x in inner.split(",") if x.strip().strip("'\"")]


def _marks(sample: _sniff.Sample, cols: dict[str, _Values]) -> int:
    """How many article marks the sample has (a file or list named so counts as two)."""
    marks = sum(fold(c) in {fold(m) for m in _MARKS} for c in cols)
    url = _column(cols, ("html_url", "url"))
    if url and any(re.search(r"/(?:articles|solutions)/", v or "") for v in cols[url].values):
        marks += 1  # Zendesk's .../hc/en-us/articles/360..., Freshdesk's /support/solutions/
    records = sample.options.get("records")
    named = {file_stem(sample.sheet or sample.path.name)} | (
        {fold(records)} if isinstance(records, str) else set()
    )
    return marks + 2 * bool(named & _NAMES)


def articles(sample: _sniff.Sample, cols: dict[str, _Values]) -> Guess | None:
    """The kb guess of a help center's article export (see the module), else None."""
    from opsai.data.init import Guess, Match

    if any(set(name_words(c)) & _TICKET_WORDS or fold(c) in _TICKET_WORDS for c in cols):
        return None
    title, body = _column(cols, _TITLES), _column(cols, _BODIES)
    if title is None or body is None or title == body or _marks(sample, cols) < 2:
        return None
    if not cols[body].values or cols[body].mean_length <= cols[title].mean_length:
        return None  # the answer is the longer text
    matches = [Match("answer", body, 1.0), Match("question", title, 1.0)]
    locale = _column(cols, _LOCALES)
    if locale is not None:
        matches.append(Match("language", locale, 1.0))
    g = Guess("kb", sample, matches, round(2 + 1 + (locale is not None) + _marks(sample, cols), 2))
    g.options = dict(sample.options)
    g.notes.append(
        f"a help center's articles ({title!r} and {body!r} beside "
        f"{', '.join(c for c in cols if fold(c) in {fold(m) for m in _MARKS}) or 'its name'}): "
        f"the kb, {body!r} its answers (HTML read as text), {title!r} its questions"
    )
    return g


def label_intent(kb: Guess, tickets: Guess | None) -> None:
    """Map the articles' first label as the kb's intent when at least half of the distinct
    labels are the tickets' intents (case aside); else name the labels in a note."""
    labels_col = next((c for c in kb.sample.values if fold(c) in {fold(n) for n in _LABELS}), None)
    if labels_col is None or any(m.contract == "intent" for m in kb.matches):
        return
    cells = kb.sample_values(labels_col)
    if not cells or not all(v.startswith("[") for v in cells):
        return  # a list per article (Zendesk's label_names): its first item is read
    labels = {x for v in cells for x in _listed(v)[:1]}
    if not labels:
        return
    intent = (
        next((m.source for m in tickets.matches if m.contract == "intent"), None)
        if tickets
        else None
    )
    known = {fold(v) for v in tickets.sample_values(intent)} if tickets and intent else set()
    shown = ", ".join(sorted(labels)[:6])
    path = f"{labels_col}[1]"
    if known and sum(fold(x) in known for x in labels) >= len(labels) / 2:
        from opsai.data.init import Match

        kb.matches.append(Match("intent", path, 0.6))
        kb.notes.append(
            f"intent: the first of each article's {labels_col!r} ({shown}), the tickets' "
            f"intents ({intent!r})"
        )
        return
    why = (
        f"they are not the tickets' intents ({intent!r})"
        if intent
        else "the tickets have no intent column to compare them with"
    )
    kb.notes.append(
        f"{labels_col!r} holds labels ({shown}); no intent was mapped since {why}: when they "
        f"are the tickets' intents, map intent: {path!r} (the first label)"
    )
