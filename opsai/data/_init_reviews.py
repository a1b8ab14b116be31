"""``opsai init`` on review exports keyed by the thing reviewed (Dianping's ``reviews.csv``:
``userId, restId, rating, comment, timestamp`` beside ``restaurants.csv``: ``restId, name,
商圈, 人均``; byod10b D18).

* A key of the tickets named as some thing's id (``restId``, ``shopId``, ``hotel_id``) that
  another file of the folder holds once per row is the reviewed thing: the tickets'
  ``item_id``, and that file (however it was placed by its values: the shop key looks like a
  customer key shared by two files) is the ``items`` catalogue, its name column the title and
  a column of money (``￥85``) the price.
* Texts in Chinese (Japanese, Korean) with times written as Unix epochs (which are UTC) give
  the business's zone: Beijing's (Tokyo's, Seoul's), so the first review of 2023 reads
  2023-01-01 00:03 and not 2022-12-31 16:03.

Example:
    >>> thing_key("restId"), thing_key("shop_id"), thing_key("userId"), thing_key("order_id")
    ('rest', 'shop', None, None)
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import TYPE_CHECKING, Any

from opsai.data import _sniff
from opsai.data._synonyms import name_score, name_words
from opsai.data.languages import SCRIPT_ZONES
from opsai.data.schema import TABLES

if TYPE_CHECKING:
    from opsai.data._sniff import Sample
    from opsai.data.init import Guess

_NOT_THINGS = frozenset(
    {
        "user", "customer", "cust", "member", "client", "buyer", "reviewer", "author",
        "account", "agent", "assignee", "submitter", "requester", "organization",
        "organisation", "org", "group", "team", "staff", "employee", "person", "people",
        "visitor", "guest", "device", "session", "visit", "order", "invoice", "basket",
        "transaction", "ticket", "case", "review", "comment", "message", "thread",
        "conversation", "reply", "parent", "brand", "category", "cat", "dept",
        "department", "section", "channel", "language", "lang", "source", "campaign",
        "request", "event", "row", "record", "external", "tenant", "household", "hh",
    }
)  # fmt: skip
"""Things whose id is no product reviewed: people, orders, messages, groupings."""
BY_KEY = 0.75
"""The score of the reviewed thing's key as the tickets' ``item_id`` (by the files' values)."""
OVERLAP = 0.5
"""Share of the tickets' sampled keys the other file must hold."""
_EPOCHS = ("epoch", "epoch_ms")


def thing_key(name: str) -> str | None:
    """The thing a column's name says it is the id of (``restId`` -> ``rest``), or None when
    it names no id, or the id of a person, an order, a message or a grouping."""
    words = name_words(name)
    if len(words) < 2 or words[-1] != "id" or set(words[:-1]) & _NOT_THINGS:
        return None
    return "_".join(words[:-1])


def _filled(values: list[str | None]) -> list[str]:
    return [v.strip() for v in values if v is not None and v.strip()]


REPEATS = 0.2
"""Most share of a catalogue's rows that repeat an earlier row's key (Google Play's
``googleplaystore.csv`` lists 903 of its 10,509 apps twice or more): read with
``drop_duplicates`` on the key."""


FEW_FOUND = 3
"""Keys of the tickets a catalogue sampled in part (its first :data:`~opsai.data._sniff.
SAMPLE_ROWS` rows: Google Play's 10,509 apps) must hold: its other rows may hold the rest."""


def _keyed_by(s: Sample, col: str, want: set[str]) -> bool:
    """Whether ``s`` holds ``col`` in every row, once per row but for at most
    :data:`REPEATS` of them, and most of ``want`` among its values (:data:`FEW_FOUND` of
    them when ``s`` is only the file's first rows)."""
    got = s.values.get(col) or []
    vals = _filled(got)
    if not vals or len(vals) < len(got):
        return False
    unique = len(set(vals)) >= (1 - REPEATS) * len(vals)
    found = len(want & set(vals))
    if len(got) >= _sniff.SAMPLE_ROWS:  # the first rows of a longer file
        return unique and found >= min(FEW_FOUND, len(want))
    return unique and found >= OVERLAP * len(want)


def _named_thing(name: str) -> bool:
    """A column named as a thing, not as an id (Google Play's ``App``, a ``Product`` or
    ``Hotel``): one word that names no person, order, message or grouping."""
    words = name_words(name)
    return len(words) == 1 and words[0] not in _NOT_THINGS and words[0] != "id"


def _money(values: list[str]) -> bool:
    """Whether most values carry a currency symbol (``￥85``, ``$12.50``) around a number."""
    marked = [v for v in values if any(unicodedata.category(ch) == "Sc" for ch in v)]
    if not values or len(marked) < 0.9 * len(values):
        return False
    return _sniff.numeric_share([_sniff.strip_money(v) for v in marked], {}) >= 0.9


def _key_in(s: Sample, col: str, thing: str) -> str:
    """The column of ``s`` that holds the thing ``col`` keys: ``col`` itself, or a plain
    ``id`` when the file is named after the thing (Inside Airbnb's ``listing_id`` of
    ``reviews.csv`` is the ``id`` of ``listings.csv``; byod13b D9)."""
    if col in s.values:
        return col
    stem = "_".join(name_words(s.path.stem))
    plain = next((c for c in s.columns if name_words(c) == ["id"]), None)
    return plain if plain is not None and stem in (thing, f"{thing}s", f"{thing}es") else col


def reviewed_items(
    kept: dict[str, Guess], loose: list[Sample], unplaced: list[tuple[str, str]]
) -> None:
    """The tickets' reviewed thing (module doc): its key mapped as the tickets' ``item_id``
    and the file keyed by it placed as ``items`` (taken from where it was placed by its
    values, or from the files not placed)."""
    from opsai.data.init import Guess, Match, fit_table

    t = kept.get("tickets")
    if t is None or any(m.contract == "item_id" for m in t.matches):
        return
    mapped = {m.source for m in t.matches}
    for col in t.sample.columns:
        if col in mapped or (thing_key(col) is None and not _named_thing(col)):
            continue
        thing = thing_key(col) or "_".join(name_words(col))  # Google Play's App: "app"
        tickets = TABLES["tickets"]
        if any(name_score(col, c.name, tickets) >= 0.6 for c in tickets.columns):
            continue
        want = set(_filled(t.sample.values[col]))
        if len(want) < 2:
            continue
        placed = [(s, g) for g in kept.values() if g is not t for s in [g.sample]]
        found = next(
            (
                (s, g, key)
                for s, g in [*placed, *((x, None) for x in loose)]
                for key in [_key_in(s, col, thing)]
                if _keyed_by(s, key, want)
            ),
            None,
        )
        if found is None:
            continue
        s, was, key = found
        if was is not None and was.table not in ("users", "items"):
            continue  # a file of its own kind (orders, demand): not the catalogue
        if "items" in kept and was is not kept["items"]:
            continue  # a catalogue of its own is placed: leave the guesses as they are
        if (
            was is not None
            and {m.contract: m.source for m in was.matches}.get(
                "user_id" if was.table == "users" else "item_id"
            )
            != key
        ):
            continue
        t.matches.append(Match("item_id", col, BY_KEY))
        order = [c.name for c in tickets.columns]
        t.matches.sort(key=lambda m: order.index(m.contract) if m.contract in order else 99)
        t.notes.append(
            f"{col!r} keys what is reviewed ({s.label} holds one row per {key!r}): mapped as "
            f"item_id: chapter 05's findings per product are per {col!r}"
        )
        if was is not None and was.table == "items":
            return  # the catalogue is placed by its own names already
        items = _items(s, key, Guess, Match, fit_table)
        if was is not None:
            del kept[was.table]
            items.notes.append(f"it had looked like {was.table} by its key's values")
        kept["items"] = items
        unplaced[:] = [u for u in unplaced if u[0] != s.label]
        return


def _items(s: Sample, key: str, guess: Any, match: Any, fit_table: Any) -> Guess:
    """``s`` as the items keyed by ``key``: its other columns mapped by their names (the
    name as the title), a column of money as the price."""
    renamed = dataclasses.replace(
        s, values={("item_id" if c == key else c): v for c, v in s.values.items()}
    )
    fit = fit_table(renamed, "items")
    matches = [match("item_id", key, 1.0)]
    if fit is not None:
        matches += [m for m in fit.matches if m.contract != "item_id"]
    notes = [f"one row per {key!r}, the key of the tickets' item_id: the catalogue"]
    options = dict(s.options)
    keys = _filled(s.values[key])
    if len(set(keys)) < len(keys):  # an app listed twice: its first row
        options["drop_duplicates"] = [key]
        notes.append(
            f"{len(keys) - len(set(keys))} of {len(keys)} sampled rows repeat an earlier "
            f"{key!r}: drop_duplicates keeps the first row of each"
        )
    got = {m.contract for m in matches}
    used = {m.source for m in matches}
    if "price" not in got:
        money = next((c for c in s.columns if c not in used and _money(_filled(s.values[c]))), None)
        if money is not None:
            matches.append(match("price", money, 0.3))
            example = _filled(s.values[money])[0]
            notes.append(f"{money!r} holds money ({example!r}): read as the price, a number")
    order = [c.name for c in TABLES["items"].columns]
    matches.sort(key=lambda m: order.index(m.contract))
    g: Guess = guess("items", s, matches, round(2.0 + 0.4 * len(matches), 2), options)
    g.notes += notes
    return g


def text_zone(guesses: list[Guess]) -> tuple[str, str] | None:
    """The business's zone from texts (tickets, reviews) mostly in Chinese (Japanese,
    Korean) whose times are Unix epochs, which are UTC: the zone and why; None otherwise."""
    for g in guesses:
        text = next((m.source for m in g.matches if m.contract == "text"), None)
        if text is None or g.options.get("timestamp_format") not in _EPOCHS:
            continue
        vals = _filled(g.sample.values.get(text, []))
        for pat, zone, language in SCRIPT_ZONES:
            if vals and sum(bool(pat.search(v)) for v in vals) >= 0.5 * len(vals):
                return zone, (
                    f"the {g.table}' texts are mostly {language} and their times are Unix "
                    f"epochs, which are UTC: read in {zone} time; check it"
                )
    return None


_LISTENING = (
    ("author", "authorname", "username", "screenname"),
    ("mentions", "reach", "impressions", "potentialreach", "engagement", "engagements"),
    ("source", "platform", "pagetype", "sitetype", "mediatype", "network"),
    ("url", "link", "permalink"),
    ("followers", "authorfollowers", "followerscount", "twitterfollowers"),
)
"""Column kinds a social-listening export (Brandwatch, Talkwalker, Meltwater) carries beside
its ``Sentiment``, by folded name: who posted, how far it went, where, its link, the
author's audience."""


def listening_sentiment(kept: dict[str, Guess]) -> None:
    """The tickets' ``sentiment`` set as a listening tool's (``sentiment_by: tool``) when the
    file is a social-listening export: three or more of :data:`_LISTENING`'s kinds of column
    beside it. The tool computed it from the text; no customer gave it."""
    from opsai.data.schema import fold_name

    t = kept.get("tickets")
    if t is None or not any(m.contract == "sentiment" for m in t.matches):
        return
    names = {fold_name(c) for c in t.sample.columns}
    kinds = [k for k in _LISTENING if names & set(k)]
    if len(kinds) >= 3:
        t.options["sentiment_by"] = "tool"
        t.notes.append(
            "a social-listening export (" + ", ".join(c for c in t.sample.columns
            if fold_name(c) in {w for k in kinds for w in k}) + "): its sentiment is the "
            "tool's, computed from the text, not the customers' rating (sentiment_by: tool)"
        )  # fmt: skip
