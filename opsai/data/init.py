"""``opsai init``: guess a starting config from a folder of exports.

Each file (each sheet of a workbook) is sampled (:mod:`opsai.data._sniff`), then scored
against every contract table:

1. **names**: each column's name, folded (case, spaces and punctuation ignored), is looked up in
   :data:`~opsai.data._synonyms.SYNONYMS` (English and Chinese): an exact synonym scores 1.0, a plain ``id`` on a
   table's key 0.8, a synonym that is one word of a longer name (``dollar_value`` -> amount,
   ``支付时间`` -> timestamp) 0.6;
2. **values** gate every name match: an id must be short (and unique when it is the table's
   key), a timestamp must parse (the ``timestamp_format`` that makes it parse is detected), a
   number must be numeric with the file's decimal mark, a text long enough. Columns whose
   values alone are unmistakable (ISO timestamps, the longest free text) match at 0.3;
3. within a table each column and each contract name is used once, best score first (among
   equals, a column named exactly as the contract's: ``intent`` over ``category``); a table
   fits when its required columns are matched, and scores 2x each required plus each optional
   match (+1 when the file is named like the table);
4. each file goes to the table it fits best, and each table keeps its best file; the others
   are listed in the config as comments, with the reason. A labelled intent set (text, intent,
   response) is both ``tickets`` and ``kb``, unless another file has the other table.

Example:
    >>> plan = plan_folder(Path("exports"))                      # doctest: +SKIP
    >>> [(g.table, g.sample.label) for g in plan.guesses]  # doctest: +SKIP
    [('orders', 'orders.csv'), ('users', 'shop.xlsx [Kunden]')]
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from opsai.config import PARTS_SEP, join_label
from opsai.data import (
    _derive,
    _excel,
    _init_across,
    _init_ads,
    _init_calendar,
    _init_counts,
    _init_demand,
    _init_items,
    _init_kb,
    _init_keys,
    _init_parts,
    _init_revenue,
    _init_reviews,
    _init_stays,
    _init_template,
    _init_thread,
    _init_values,
    _init_wide,
    _sniff,
)
from opsai.data._init_campaigns import place as place_campaigns
from opsai.data._init_pivot import KEYED_TABLES, key_values, on_hand_flag, with_id_keys
from opsai.data._rows import BOT_SENDERS
from opsai.data._synonyms import (
    CONVERSATION_WORDS,
    CUSTOMER_SENDERS,
    FILE_NAMES,
    NON_PRODUCTS,
    PRODUCT_KEY,
    SENDER_WORDS,
    STAFF_SENDERS,
    STAND_IN,
    bookkeeping,
    file_stem,
    fold,
    name_score,
    name_words,
)
from opsai.data.languages import CJK, SCRIPT_ZONES, read_languages
from opsai.data.schema import FLAG_FALSE, FLAG_TRUE, ORDER_STATUS, TABLES, Column, Table
from opsai.errors import ConfigError

_TEXTS = ("text", "answer", "question", "description")
_WORDY = re.compile(rf"\s\S|{CJK.pattern}")
_FEW_VALUES = {"event": 100, "sentiment": 20, "language": 50, "channel": 100}
"""Columns that hold a few distinct values (at most this many in the sample)."""


class _Values:
    """One sampled column's non-empty values and their shapes (computed when asked)."""

    def __init__(self, values: list[str | None], options: dict[str, Any]) -> None:
        self.values = [v.strip() for v in values if v is not None and v.strip()]
        self.options = options

    @cached_property
    def numeric(self) -> float:
        return _sniff.numeric_share(self.values, self.options)

    @cached_property
    def timestamp(self) -> tuple[float, str | None]:
        return _sniff.timestamp_format(self.values)

    @cached_property
    def native_timestamp(self) -> float:
        """Share of values DuckDB reads as timestamps as they are."""
        return _sniff.timestamp_format(self.values, search=False)[0]

    @cached_property
    def mean_length(self) -> float:
        return _sniff.mean_length(self.values)

    @cached_property
    def wordy(self) -> float:
        """Share of values that read as words: a space, or Chinese/Japanese/Korean script."""
        return sum(bool(_WORDY.search(v)) for v in self.values) / max(len(self.values), 1)

    @cached_property
    def cjk(self) -> float:
        """Share of values in Chinese/Japanese/Korean script (a word is 1 to 3 characters)."""
        return sum(bool(CJK.search(v)) for v in self.values) / max(len(self.values), 1)

    @cached_property
    def distinct(self) -> int:
        return len(set(self.values))

    def numbers(self) -> list[float]:
        dec, th = self.options.get("decimal", "."), self.options.get("thousands")
        out = []
        for v in self.values:
            s = _sniff.strip_money(v).replace(th or "\0", "").replace(dec, ".")
            pct = s.endswith("%")  # read as the loader does: '29,3 %' is 0.293
            try:
                out.append(float(s.removesuffix("%")) / (100 if pct else 1))
            except ValueError:
                continue
        return out


def values_fit(v: _Values, col: Column, table: Table) -> tuple[bool, str | None]:
    """Whether a column's values can be ``col``; and the timestamp format they need."""
    if not v.values:
        return False, None
    if col.dtype == "id":
        unique = col.name != table.key or v.distinct == len(v.values)
        return v.mean_length <= 64 and unique, None
    if col.flag and all(x.lower() in (*FLAG_TRUE, *FLAG_FALSE) for x in v.values):
        return True, None  # True/False, yes/no: read as 1/0
    if col.dtype in ("float", "int"):
        if v.numeric < 0.9:
            return False, None
        lo, hi = col.bounds or (float("-inf"), float("inf"))
        return all(lo <= x <= hi for x in v.numbers()), None
    if col.dtype == "string":
        if col.name in _TEXTS:  # free text: words, not codes or timestamps
            return v.mean_length >= (4 if v.cjk >= 0.5 else 8) and v.wordy >= 0.5, None
        if col.name == "language" and not _languages(v):
            return False, None  # Favorita's locale (National, Regional): no language
        return v.distinct <= _FEW_VALUES.get(col.name, len(v.values)), None
    if col.dtype == "period" and all(re.fullmatch(r"-?\d{1,6}", x) for x in v.values):
        return True, None
    share, fmt = v.timestamp
    return share >= 0.9, fmt


KEEPA_TIME = "minutes since 2011-01-01"
"""Keepa's time: whole minutes since 2011-01-01 (``keepa_minutes``, ``keepaTime``)."""


def _not_available(guess: Guess, cols: dict[str, _Values]) -> None:
    """Numbers negative only at exactly -1 (Keepa's 'no offer', an ERP's 'unknown'): read as
    missing with ``na_values``, not left out with a ``where`` that drops the row's other
    figures (an out-of-stock week's sales)."""
    table = TABLES[guess.table]
    flagged = []
    for m in guess.matches:
        if table.column(m.contract).dtype != "float" or m.source not in cols:
            continue
        neg = [x for x in cols[m.source].numbers() if x < 0]
        if neg and all(x == -1 for x in neg):
            flagged.append(f"{m.source!r} ({len(neg)} of {len(cols[m.source].values)} sampled)")
    if flagged and "na_values" not in guess.options:
        guess.options["na_values"] = ["-1"]
        guess.notes.append(
            f"-1 is the only negative value of {', '.join(flagged)}: read as 'not available' "
            "(na_values), so those rows keep their other figures; delete na_values if -1 is "
            "a real value"
        )


def _keepa_time(src: str, v: _Values) -> bool:
    """A column named as Keepa's time (``keepa``, and ``minutes`` or ``time``) holding whole
    numbers that read, as :data:`KEEPA_TIME`, as times from 2011 to about 2068."""
    words = set(name_words(src))
    if "keepa" not in words or not words & {"minutes", "minute", "time", "ts", "timestamp"}:
        return False
    if not v.values or v.numeric < 0.9:
        return False
    return all(x.is_integer() and 0 <= x < 30_000_000 for x in v.numbers())


def _languages(v: _Values) -> bool:
    """Whether most of a column's distinct values are language codes or names (``en``,
    ``pt-BR``, ``English``), not countries or other words."""
    read = read_languages(set(v.values))
    known = sum(kind not in ("unknown", "country") for _, kind in read.values())
    return known >= 0.8 * len(read)


_TICKET_SIGNS = {"ticket_id", "user_id", "channel", "intent", "sentiment", "resolved_at"}
"""Columns that make a file with a text column a ticket or review export."""


def _messages(guess_file: str, matches: dict[str, Match], cols: dict[str, _Values]) -> bool:
    """Whether a tickets fit holds customer messages: a column only tickets have (an id, a
    customer, a channel, an intent, a rating, a resolution time), a file named so, or texts
    that read as messages (at least 20 characters on average, 8 in CJK, most of them
    different). Favorita's holidays_events (date, locale, description: 'Navidad') is a
    calendar: short labels, no sign of a ticket."""
    if _TICKET_SIGNS & {c for c, m in matches.items() if m.score >= 0.6}:
        return True
    if any(file_stem(guess_file) == fold(n) for n in FILE_NAMES["tickets"]):
        return True
    v = cols[matches["text"].source]
    long = v.mean_length >= (8 if v.cjk >= 0.5 else 20)
    if long and "intent" in matches:  # questions under repeated labels: a labelled set
        labels = cols[matches["intent"].source]
        if labels.distinct * LABEL_REPEATS <= len(labels.values):
            return True
    return long and v.distinct >= 0.8 * len(v.values)


def _located(cols: dict[str, _Values]) -> str | None:
    """A store or location column (``store_nbr``, ``Location Code``): stock per location."""
    demand = TABLES["demand"]
    return next(
        (c for c in cols if name_score(c, "store", demand) >= 0.6
         or set(name_words(c)) & {"location", "warehouse", "branch", "site"}),
        None,
    )  # fmt: skip


ORDER_NUMBERS = 0.9
"""The score of a column whose values are order numbers like Shopify's ``#1001`` (its
``Name``): above the plain ``Id`` beside it, which is filled on an order's first line only."""
_ORDER_NUMBER = re.compile(r"#[A-Za-z]{0,4}\d{3,}[A-Za-z0-9-]*")


def _order_numbers(v: _Values) -> bool:
    return bool(v.values) and sum(bool(_ORDER_NUMBER.fullmatch(x)) for x in v.values) >= 0.9 * len(
        v.values
    )


@dataclass
class Match:
    """One contract column matched to a source column."""

    contract: str
    source: str
    score: float
    timestamp_format: str | None = None

    @property
    def how(self) -> str:
        return {
            1.0: "name",
            ORDER_NUMBERS: "values, order numbers like '#1001'",
            0.8: "name, an id form",
            STAND_IN: "name, a stand-in",
            PRODUCT_KEY: "name, a product's key",
            0.6: "part of the name",
            _init_keys.SHARED_KEY: "values, the customer key the files share",
        }.get(self.score, "values")


@dataclass
class Guess:
    """A file (or sheet) read as a contract table."""

    table: str
    sample: _sniff.Sample
    matches: list[Match]
    score: float
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    runner_up: tuple[str, float] | None = None
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Chapter parameters the data calls for, ``{notebook stem: {NAME: value}}``."""
    pattern: str | None = None
    """A glob naming every file of a split export (``orders_*.csv``), when there are several."""

    @property
    def label(self) -> str:
        return self.pattern or self.sample.label

    @property
    def confidence(self) -> str:
        """high: every required column by its name and no close second table; low: a required
        column matched only by its values, or another table scores within 10%."""
        req = [m.score for m in self.matches if m.contract in TABLES[self.table].required]
        close = self.runner_up[1] if self.runner_up else 0.0
        if min(req, default=1.0) < 0.6 or close >= 0.9 * self.score:
            return "low"
        if min(req, default=1.0) >= 0.8 and close <= 0.75 * self.score:
            return "high"
        return "medium"

    def sample_values(self, column: str) -> list[str]:
        """A sampled column's (or nested field's) non-empty values, as text."""
        vals = self.sample.values.get(column) or self.sample.fields.get(column, [])
        if not vals and PARTS_SEP in column:  # a date and a time of day, joined
            parts = column.split(PARTS_SEP)
            if all(p in self.sample.values for p in parts):
                vals = _init_parts.joined(self.sample.values, parts)
        return [v.strip() for v in vals if v and v.strip()]

    def _listed(self, source: str) -> str | list[str]:
        """A mapped source as the config writes it: several columns joined as one time
        (``'transaction_date + transaction_time'``) as their list."""
        if PARTS_SEP in source and source not in self.sample.values:
            return source.split(PARTS_SEP)
        return source

    def spec(self) -> dict[str, Any]:
        """The table's entry in the config."""
        where = (
            {"table": self.sample.table}
            if self.sample.table
            else {"file": self.pattern or self.sample.pattern or self.sample.path.name}
        )
        out: dict[str, Any] = {**where, **self.options}
        cols: dict[str, str | list[str]] = {
            m.contract: self._listed(m.source) for m in self.matches if m.contract != m.source
        }
        if cols:
            out["columns"] = cols
        return out


def profile(sample: _sniff.Sample) -> dict[str, _Values]:
    """A sample's columns and its structs' plain fields (``properties.time``), ready for
    :func:`fit_table` (shapes are computed once)."""
    return {c: _Values(v, sample.options) for c, v in {**sample.values, **sample.fields}.items()}


_REFUND_WORDS = ("return", "refund", "retour", "erstattung", "退货", "退款")


def _refunds(sample: _sniff.Sample, matches: dict[str, Match]) -> bool:
    """Whether a file (its name, or its amount column's) is about returns or refunds
    (``returns.csv`` with ``refund_amount``), so the returns table may place it."""
    amount = matches.get("amount")
    if amount is None:  # a list of returned orders (Superstore's Returns: Order ID, Returned)
        small = len(sample.values) <= 3
        return small and any(w in fold(sample.sheet or sample.path.name) for w in _REFUND_WORDS)
    names = [sample.sheet or sample.path.name, amount.source]
    return any(w in fold(n) for n in names for w in _REFUND_WORDS)


_YES = ("yes", "y", "true", "1", "ja", "oui", "是")


def _returned_flag(guess: Guess, cols: dict[str, _Values]) -> None:
    """A returns list without an amount: each listed order is returned in full (a note says
    so); a yes/no column beside the order id (Superstore's ``Returned``) gets a ``where``
    keeping its yes rows."""
    used = {m.source for m in guess.matches}
    guess.notes.append(
        "no amount column: each order listed is read as returned in full, its lines "
        "becoming the refund (map returns' amount if the file holds the money refunded)"
    )
    for c, v in cols.items():
        states = {x.strip() for x in v.values if x and x.strip()}
        yes = [x for x in states if fold(x) in _YES]
        if c in used or len(yes) != 1 or len(states) > 2:
            continue
        guess.options["where"] = f"{_sql_name(c)} = '{yes[0]}'"
        return


def fit_table(
    sample: _sniff.Sample,
    name: str,
    cols: dict[str, _Values] | None = None,
    *,
    customer: str | None = None,
) -> Guess | None:
    """The best mapping of a sample onto one contract table, or None if it cannot fit.
    ``customer``: the folder's shared customer key (:func:`_init_keys.shared_customer`)."""
    if name in ("calendar", "ad_spend"):  # _init_calendar, _init_ads.place place them
        return None
    table = TABLES[name]
    cols = cols or profile(sample)
    cands: list[tuple[float, bool, Match]] = []
    headerless = _headerless(sample)
    for col in table.columns:
        for src, v in cols.items():
            if src in sample.structs:
                continue  # nested objects ({'session_id': ...}): no id, time or text
            score = name_score(src, col.name, table)
            if src in sample.fields:  # properties.distinct_id: by its field's name or its path
                score = max(score, name_score(src.split(".", 1)[1], col.name, table))
            if col.name == "order_id" and score < ORDER_NUMBERS and _order_numbers(v):
                score = ORDER_NUMBERS
            if name == "returns" and col.name == "order_id" and fold(src).startswith("order"):
                score = max(score, STAND_IN)  # a refund's order_ref/order_no is its order's
            if col.dtype == "timestamp" and bookkeeping(src):
                continue  # deleted_at, _loaded_at: the warehouse's history, not the customer's
            if col.name == "user_id" and _init_template.bare_row_number(src, v.values, sample):
                continue  # Kaggle's Id: 1, 2, 3, ... in row order numbers rows, not customers
            if name == "tickets" and _refused_on_tickets(col.name, src, score, v):
                continue  # 作成日時 (created) as resolved_at; a 'score' that is no star rating
            if col.dtype in ("timestamp", "period") and _keepa_time(src, v):
                cands.append((0.6, col.required, Match(col.name, src, 0.6, KEEPA_TIME)))
                continue
            if col.name == "timestamp" and _init_keys.day_numbers(src, v.values):
                day = Match(col.name, src, 0.5, _init_keys.DAY_ORIGIN)  # Dunnhumby's DAY
                cands.append((0.5, col.required, day))
                continue
            if col.name == "user_id" and src == customer:
                score = max(score, _init_keys.SHARED_KEY)  # KKBox's msno: every file has it
            unnamed = headerless and _label_column(col, src, cols)  # labels of no header
            if not score and not _value_only(col, src, cols) and not unnamed:
                continue
            ok, fmt = values_fit(v, col, table)
            if ok and score < 0.8 and _init_counts.not_as_named(col.name, src, v.values):
                continue  # is_repeated_guest (0/1), total_of_special_requests (0-2): byod12a D7
            if not ok and name == "inventory" and col.name == "item_id" and _located(cols):
                ok = v.mean_length <= 64  # one row per item and store: summed when loaded
            if ok:
                cands.append((score or 0.3, col.required, Match(col.name, src, score or 0.3, fmt)))
    used: set[str] = set()
    matches: dict[str, Match] = {}
    # best score first; among equals a top-level column before a nested field, the column
    # named exactly as the contract's (a source column 'intent' is the intent, not 'category',
    # its synonym), then required columns
    for _, _, m in sorted(
        cands,
        key=lambda c: (
            -c[0],
            c[2].source in sample.fields,
            fold(c[2].source) != fold(c[2].contract),
            not c[1],
        ),
    ):
        if m.source not in used and m.contract not in matches:
            matches[m.contract] = m
            used.add(m.source)
    parts, replaced = _time_parts(sample, table, matches, used, cols)
    person = _person_over_order_customer(sample, matches, cands) if name == "orders" else None
    firsts = _first_line_only(sample, matches.get("order_id")) if name == "orders" else []
    if name == "demand" and "quantity" in matches:  # units: a sales value stays an attribute
        matches.pop("amount", None)
    amount = matches.get("amount")
    if amount and amount.source in firsts and {"quantity", "price"} <= set(matches):
        del matches["amount"]  # the order's total on its first line: each line is qty x price
    by_price = _amount_from_price(matches) if name == "orders" else None
    grouped = _category_items(matches, used, cols) if name == "orders" else None
    whole = _order_total_on_lines(sample, matches, cols) if name == "orders" else None
    net = _init_revenue.net_amount(sample, matches, cols) if name == "orders" else None
    if name == "events" and _type_not_event(matches.get("event"), cols):
        del matches["event"]  # room_type beside a price and a status: a booking's attribute
    constants = _rating_event(name, matches, cols)
    usage = _init_keys.usage_event(name, matches, customer)
    if name == "market" and "sales" not in matches and "share" in matches:
        shares = matches["share"]  # market research gives shares: they stand in for sales
        matches["sales"] = Match("sales", shares.source, 0.6, shares.timestamp_format)
    chat = _chat_log(sample, cols) if name == "tickets" else None
    if chat:  # one row per message: the conversation is the ticket, the sender no attribute
        matches = {c: m for c, m in matches.items() if m.source not in (chat.by, chat.sender)}
        matches["ticket_id"] = Match("ticket_id", chat.by, 1.0)
    derivable = {t for t, a, b in table.derived if a in matches and b in matches}
    derivable |= set(constants) | set(usage)
    needed = [c for c in table.required if c not in derivable and c != table.generated_key and not
              (c == table.key and table.generated_key and name != "users")]  # fmt: skip
    # a till or payout export has no customer column: orders still, when a bill number is there
    lacking = [c for c in needed if table.column(c).absent and c not in matches]
    if lacking and "order_id" in matches:
        needed = [c for c in needed if c not in lacking]
    if lacking and constants.get("event") == "rate":  # ratings without a date: a timeless
        needed = [c for c in needed if c not in lacking]  # interaction matrix (byod12b D3)
    stores = name == "demand" and "item_id" not in matches and "store" in matches
    if stores:  # sales per store and day, no item column (Rossmann): each store is a series
        matches["item_id"] = dataclasses.replace(matches.pop("store"), contract="item_id")
    if any(c not in matches for c in needed):
        return None
    if name == "returns" and not _refunds(sample, matches):
        return None  # order ids and money: orders or payments unless named as refunds
    if not headerless and all(m.score < 0.6 for m in matches.values()):
        return None  # a header naming nothing of the table: values alone are too weak a hint
    if name == "users" and not (
        matches["user_id"].source == customer or _person_file(sample, matches["user_id"])
    ):  # the folder's shared customer key (KKBox's msno, repeated over payments) is a person
        return None  # ticket_metrics.json (id, ticket_id, solved_at): ids, but of no person
    if name == "demand" and _RETURNS.search(f"{sample.label} {matches['quantity'].source}"):
        return None  # returned quantities are no demand to forecast
    if name == "kb" and headerless and _training_labels(matches, cols):
        return None  # unnamed texts under labels each repeated: questions to learn, no answers
    if name == "tickets" and _order_shaped(matches["text"], cols):
        return None  # an order export's line-items cell ('Mug x 2, Tee x 1') is no message
    if (
        name == "tickets"
        and not chat
        and not _messages(sample.sheet or sample.path.name, matches, cols)
    ):
        return None  # a calendar's holiday names, a catalogue's labels: no customer message
    order = [c.name for c in table.columns]
    found = sorted(matches.values(), key=lambda m: order.index(m.contract))
    score = sum(m.score * (2 if m.contract in table.required else 1) for m in found)
    stem = file_stem(sample.sheet or sample.path.name)
    score += any(stem == fold(n) for n in FILE_NAMES.get(name, ()))
    score += 2 * (name == "returns")  # named as refunds (_refunds): not demand, not orders
    score += 0.6 * len(constants)  # a missing required column: as sure as a value-only match
    if name == "events" and fold(matches.get("event", Match("", "", 0)).source) == "event":
        score += 1  # a column named 'event' beside a time and a user: an event log
    score += CHAT_BONUS * bool(chat)
    guess = Guess(name, sample, found, round(score, 2), dict(sample.options))
    if name == "returns" and "amount" not in matches:
        _returned_flag(guess, cols)
    if chat:
        guess.options["messages"] = chat.option()
        guess.notes.append(chat.note())
    if (
        name == "market"
        and "share" in matches
        and matches["sales"].source == matches["share"].source
    ):
        guess.notes.append("no sales column: the shares stand in for sales (sizes, not money)")
    if name == "market":
        _market_units(guess)
        _market_totals(guess, cols)
    dated = [m.source for m in found if table.column(m.contract).dtype in ("timestamp", "period")]
    _init_ads.totals_rows(guess.options, guess.notes, dated, sample.values)  # a footer row
    if isinstance(lists := sample.options.get("records"), list):
        guess.notes.append(
            f"one object holding its rows in {len(lists)} lists of one shape "
            f"({', '.join(lists)}): read one after another, the column 'records' naming each "
            "row's list (a train/test split stays visible)"
        )
    if "encoding" in sample.options:
        guess.notes.append(_encoding_note(sample))
    if constants:
        guess.options["constants"] = constants
        rated = _rated_column(matches, cols)
        if rated and fold(rated) != "rating":  # 3b's "auto" reads a column named 'rating' only
            guess.parameters.setdefault("03b_recommendation", {})["RATING"] = rated
        guess.notes.append("no event column: every row is a 'rate' event (a ratings file)")
    if parts:  # a date and a time of day, or a year, a month and a day
        guess.notes.append(
            parts.note + (f", not {replaced!r} (kept as an attribute)" if replaced else "")
        )
    _timestamp_option(guess)
    _init_keys.notes(guess.options, guess.notes, found, usage)
    _not_available(guess, cols)
    _minor_units(guess)
    _processor_cents(guess, cols)
    _kb_without_answers(guess, cols)
    _nan_cells(guess, cols)
    _tickets_without_text(guess, cols)
    if firsts:
        _first_line_note(guess, firsts, amount)
    if name == "inventory" and (where := _located(cols)):
        key = matches["item_id"]
        if cols[key.source].distinct < len(cols[key.source].values):
            guess.notes.append(
                f"one row per item and {where!r}: the stock of each item is summed over them "
                f"when loaded (a warning names them); for one location only, set where: "
                f'"{where} = <its value>"'
            )
    if person:
        guess.notes.append(person)
    if whole:
        _order_total_note(guess, *whole)
    if by_price:
        guess.notes.append(by_price)
    if net:
        guess.notes.append(net)
    _partly_empty_key(guess)
    if name == "demand":  # Walmart's Weekly_Sales in dollars, its IsHoliday (byod11b D3)
        _init_demand.money_and_events(guess, cols)
    _negative_demand(guess, cols)
    if stores:
        _store_series(guess, cols)
    if name == "demand":  # a POS or UCI export read as demand: postage is no demand either
        _non_products(guess)
    if sample.structs:
        _struct_note(guess, table)
    _no_rating(guess, cols)
    if name == "orders":
        if lacking and "order_id" in matches:
            guess.notes.append(
                "no customer id column: every order is a guest order (counted in revenue, "
                "orders and demand); segments, churn, lifetime value and recommendations need "
                "customer ids (events, if any, still give funnels and recommendations). Map "
                "columns.user_id if another file or column holds a member or customer id"
            )
        title = next((m.source for m in found if m.contract == "item_id"), None)
        if title and name_score(title, "title", TABLES["items"]) == 1.0:
            guess.notes.append(f"item_id is the item's title ({title!r}): no item code is there")
        if grouped:
            guess.notes.append(grouped)
        _order_status(guess, cols)
        _payment_status(guess, cols)
        _init_revenue.void_where(guess, cols, _status_column, _sold, _sql_name, _revenue_share)
        _non_products(guess)
        _created_or_paid(guess)
        _line_items(guess)
        _postage_left_out(guess, cols)
    if name == "tickets" and not chat and "ticket_id" in matches:
        _thread_tickets(guess, matches["ticket_id"].source)
    if TABLES[name].extra_columns:
        _address_region(guess)
    return guess


ADDRESS_SHARE = 0.8
"""Share of a column's sampled values that start with a Chinese province for it to be read as
an address whose province is the region (at least :data:`ADDRESS_LEAST` values)."""
ADDRESS_LEAST = 10


def _address_region(guess: Guess) -> None:
    """An unmapped column whose values start with a Chinese province (Taobao's ``收货地址``,
    ``四川省 成都市 武侯区 …``): ``derive`` gives the table a ``region`` column holding the
    province, and the full address (personal data) is no attribute (byod13b D13)."""
    mapped = {m.source for m in guess.matches}
    for c in guess.sample.columns:
        vals = guess.sample_values(c)
        if c in mapped or len(vals) < ADDRESS_LEAST:
            continue
        found = [_derive.province(v) for v in vals]
        if sum(p is not None for p in found) < ADDRESS_SHARE * len(vals):
            continue
        taken = set(guess.sample.columns) | set(TABLES[guess.table].names)
        col = next(n for n in ("region", "province", "省份", "region_1") if n not in taken)
        derive = guess.options.setdefault("derive", {})
        derive[col] = {"from": c, "take": "province"}
        top = Counter(p for p in found if p).most_common(3)
        guess.notes.append(
            f"{col} is the province {c!r} starts with ({', '.join(p for p, _ in top)} …; derive "
            f"{col}: {{from: {c}, take: province}}): sales by region without the full address, "
            f"which is left out as personal data (map it in columns to keep it)"
        )
        return


def _time_parts(
    sample: _sniff.Sample,
    table: Table,
    matches: dict[str, Match],
    used: set[str],
    cols: dict[str, _Values],
) -> tuple[_init_parts.Parts | None, str | None]:
    """The timestamp from several columns (:func:`_init_parts.propose`) put in ``matches``,
    its parts in ``used`` and its joined values in ``cols``; and the column it replaces."""
    if not table.has("timestamp"):
        return None, None
    col = table.column("timestamp")
    old = matches.get("timestamp")

    def fit(text: list[str | None]) -> tuple[bool, str | None]:
        return values_fit(_Values(text, sample.options), col, table)

    parts = _init_parts.propose(sample.values, old, used, fit)
    if parts is None:
        return None, None
    score = max(old.score, 0.6) if old else 0.6
    matches["timestamp"] = Match("timestamp", parts.source, score, parts.timestamp_format)
    used |= set(parts.columns)
    cols[parts.source] = _Values(_init_parts.joined(sample.values, parts.columns), sample.options)
    return parts, (old.source if old and old.source not in parts.columns else None)


def _thread_tickets(guess: Guess, key: str) -> None:
    """A file of threaded messages (Kaggle's TWCS tweets, :mod:`opsai.data._init_thread`):
    a ticket is a thread's opening customer message (``where``), and the file joined to itself
    on the reply's id gives the first reply's time (``resolved_at``) and author (``channel``)."""
    t = _init_thread.thread(guess.sample, key)
    if t is None:
        return
    guess.options["where"] = t.where
    keeps = f"rows that are {t.inbound!r} and " if t.inbound else "rows "
    note = f"messages in threads: a ticket is a thread's first message ({keeps}answer nothing: "
    note += f"{t.reply_to!r} empty)"
    got = {m.contract: m for m in guess.matches}
    if "user_id" not in got and t.author:  # a tweet's author_id: the customer on inbound rows
        got["user_id"] = Match("user_id", t.author, 0.6)
        guess.matches.append(got["user_id"])
    if t.response:
        s = guess.sample
        guess.options["join"] = [*guess.options.get("join", []), _join_entry(s, {t.response: key})]
        label = join_label(None if s.table else s.path.name, s.table)
        adds = []
        if (ts := got.get("timestamp")) and "resolved_at" not in got:
            adds.append(Match("resolved_at", f"{ts.source}_{label}", ts.score, ts.timestamp_format))
        if (user := got.get("user_id")) and "channel" not in got:
            adds.append(Match("channel", f"{user.source}_{label}", user.score))
        guess.matches += adds
        said = ", ".join(f"{m.source!r} as {m.contract}" for m in adds)
        note += f"; the file is joined to itself on {t.response!r} = {key!r}, the first reply" + (
            f": {said} (the time of the first response and who gave it)" if adds else ""
        )
    order = [c.name for c in TABLES["tickets"].columns]
    guess.matches.sort(key=lambda m: order.index(m.contract))
    guess.notes.append(note)


_PERSON_COLUMN = {"email", "mail", "name", "username", "nickname", "gender", "sex", "age",
                  "birth", "birthday", "dob", "country", "city", "zip", "postcode", "phone",
                  "mobile", "address", "signup", "registered", "registration", "joined", "member",
                  "customer", "user", "client", "account", "subscriber", "person", "profile",
                  "plan"}  # fmt: skip
_PERSON_CJK = re.compile(r"姓名|性别|年龄|城市|会员|用户|客户|手机|生日|地区|省份|注册|昵称")


def _person_file(sample: _sniff.Sample, key: Match) -> bool:
    """Whether a users guess reads people: its key is named as a customer (``customer_id``,
    ``email``), the file as users (``customers.csv``), or a column says something only a person
    has (``email``, ``gender``, ``country``, ``signup``). A plain ``id`` beside ``ticket_id`` and
    ``solved_at`` (Zendesk's ``ticket_metrics.json``) is no customer."""
    if key.score >= 1.0:
        return True
    stem = file_stem(sample.table or sample.sheet or sample.path.name)
    if any(fold(n) in stem for n in FILE_NAMES["users"]):
        return True
    return any(
        _PERSON_COLUMN & set(name_words(c)) or _PERSON_CJK.search(c)
        for c in sample.values
        if c != key.source
    )


_POSTAGE_WORDS = {"freight", "shipping", "shipment", "postage", "delivery", "carriage", "porto",
                  "versand", "运费", "邮费", "配送费", "送料"}  # fmt: skip


def _postage_left_out(guess: Guess, cols: dict[str, _Values]) -> None:
    """A shipping charge beside the mapped revenue (Olist's ``freight_value`` beside ``price``)
    stays an attribute: the note says revenue is what the goods sold for, and by how much the
    charge would add to it in the sample."""
    amount = next((m.source for m in guess.matches if m.contract == "amount"), "")
    if _words_of(amount) & {"total", "paid", "grand", "payment", "gross", "charged", "实付"}:
        return  # Shopify's Total beside its Shipping: the charge is in it already
    money = _row_money(guess)
    total = sum(money) if money else 0.0
    mapped = {m.source for m in guess.matches}
    for c, v in cols.items():
        if c in mapped or not _words_of(c) & _POSTAGE_WORDS or v.numeric < 0.9 or total <= 0:
            continue
        if not _init_revenue.charge(c, v.numbers()):
            continue  # Days for shipping (real), Late_delivery_risk: days and a flag, no money
        extra = sum(v.numbers())
        if extra > 0:
            guess.notes.append(
                f"revenue is what the goods sold for: {c!r} (a shipping charge, "
                f"{extra / total:+.0%} on the sample's revenue) is kept as an attribute, not "
                "added, so revenue is not what customers paid in all"
            )


def _person_over_order_customer(
    sample: _sniff.Sample, matches: dict[str, Match], cands: list[tuple[float, bool, Match]]
) -> str | None:
    """Olist's ``customer_id`` is one per order; ``customer_unique_id`` beside it is the
    person. When the mapped user_id never repeats over the sample's orders while another
    user_id candidate does, the other is the user_id. Changes ``matches``; returns the note."""
    user, order = matches.get("user_id"), matches.get("order_id")
    if user is None or order is None:
        return None

    def orders_per_value(col: str) -> int:
        seen: dict[str, set[str | None]] = {}
        for u, o in zip(sample.values[col], sample.values[order.source], strict=True):
            if u not in (None, ""):
                seen.setdefault(u, set()).add(o)
        return max((len(v) for v in seen.values()), default=0)

    if user.source not in sample.values or orders_per_value(user.source) != 1:
        return None
    used = {m.source for m in matches.values()}
    for _, _, m in sorted(cands, key=lambda c: -c[0]):
        if m.contract == "user_id" and m.source not in used and m.source in sample.values:
            words = set(name_words(m.source))  # an id of a person, not a nickname
            several = orders_per_value(m.source) > 1 and bool(_PERSON_WORDS & words)
            if several or {"unique", "person"} & words:
                matches["user_id"] = m
                why = f"a {m.source} has several" if several else f"{m.source} names the person"
                return (
                    f"user_id is {m.source!r}, not {user.source!r}: each {user.source} has "
                    f"one order only in the sample (one id per order), while {why}"
                )
    return None


_UNIT_WORDS = {"units", "unit", "qty", "quantity", "volume", "bought", "sold", "pieces", "pcs",
               "count", "menge", "absatz", "stuck", "stueck", "销量", "数量", "件数"}  # fmt: skip
"""Words of a market ``sales`` column that counts units, not money (``bought_past_month``,
``units_sold``, ``Absatz``)."""
_MONEY_WORDS = {"revenue", "value", "dollars", "usd", "eur", "amount", "price", "umsatz", "销售额"}


def _market_units(guess: Guess) -> None:
    """A market ``sales`` column that counts units is read so by 06 (``SALES_IS: units``):
    shares of units, and a price elasticity fitted on quantities, not on revenue."""
    sales = next((m.source for m in guess.matches if m.contract == "sales"), "")
    if _named(sales, tuple(_MONEY_WORDS)) is not None or _named(sales, tuple(_UNIT_WORDS)) is None:
        return
    guess.parameters.setdefault("06_market_competition", {})["SALES_IS"] = "units"
    guess.notes.append(
        f"sales = {sales!r} counts units, so chapter 06 reads it with SALES_IS: units "
        "(the chapters section below); remove it if the column holds money"
    )


_TOTAL_ROW = re.compile(
    r"\b(?:total|totals|gesamt|gesamtmarkt)\b|合计|总计|合計|総計", re.IGNORECASE
)
"""A market ``company`` value that is the market's total, not a company: Nielsen's and IRI's
``CATEGORY TOTAL``, ``Total US xAOC``, a pivot's ``Grand Total``, ``合计``. (``ALL OTHER`` is
the rest of the market, a company group that belongs in it.)"""


def _market_totals(guess: Guess, cols: dict[str, _Values]) -> None:
    """Rows whose company is the market's total (:data:`_TOTAL_ROW`) are left out with a
    ``where``: counted as a company they would hold half of every period's sales."""
    src = next((m.source for m in guess.matches if m.contract == "company"), None)
    if src is None or src not in cols or "where" in guess.options:
        return
    totals = sorted({x.strip() for x in cols[src].values if x and _TOTAL_ROW.search(x)})
    if not totals:
        return
    quoted = ", ".join("'" + t.replace("'", "''") + "'" for t in totals)
    guess.options["where"] = (
        f"company <> {quoted}" if len(totals) == 1 else f"company NOT IN ({quoted})"
    )
    guess.notes.append(
        f"company {', '.join(repr(t) for t in totals)} is the market's total, not a company: "
        "its rows are left out (where), or it would hold half of every period's sales"
    )


def _amount_from_price(matches: dict[str, Match]) -> str | None:
    """An exact ``price`` beside an amount matched by part of its name only (``dollar_value``)
    or none: the line's value is the price (x quantity when there is one), not the other
    column. Changes ``matches``; returns the note saying so, or None."""
    price, amount = matches.get("price"), matches.get("amount")
    if price is None or price.score < 1.0 or (amount is not None and amount.score >= 0.8):
        return None
    if amount is not None:
        del matches["amount"]
    other = f", not {amount.source!r} (named by part of its name only)" if amount else ""
    if "quantity" in matches:
        return f"amount is quantity x {price.source!r}{other}" if amount else None
    del matches["price"]
    matches["amount"] = Match("amount", price.source, price.score)
    return f"amount is {price.source!r}: each line is one unit at its price (no quantity column){other}"


CATEGORY_ITEMS = 50
"""A category column of at most this many values stands in for the item of order lines."""


def _category_items(
    matches: dict[str, Match], used: set[str], cols: dict[str, _Values]
) -> str | None:
    """A product category (the Istanbul malls' ``category``: Clothing, Shoes, Technology, ...)
    as the item of order lines naming no item: put in ``matches``; returns the note saying
    so, or None (byod13a D5: the one product dimension was left an attribute)."""
    if "item_id" in matches:
        return None
    for src, v in cols.items():
        if src in used or name_score(src, "category", TABLES["items"]) < 0.6:
            continue
        if not 2 <= v.distinct <= min(CATEGORY_ITEMS, len(v.values) / 2) or v.mean_length > 64:
            continue
        matches["item_id"] = Match("item_id", src, STAND_IN)
        used.add(src)
        return (
            f"item_id is the product category {src!r} ({v.distinct} values in the sample): no "
            "item column is there, so chapter 04 forecasts each category and 03b recommends "
            "categories; map item_id to a product column if the export has one"
        )
    return None


CHAT_BONUS = 3.0
"""Added to a chat log's tickets score: a conversation column whose values repeat beside a
sender column with a customer's and a staff's (or bot's) values is a message log, not events."""
_SENDERS_AT_MOST = 20
"""A sender column holds at most this many distinct values in the sample."""


def _sender_kind(value: str) -> str | None:
    """customer, staff or bot for a chat log's sender value (``end-user``, ``Admin``, ``客服``,
    ``Chatbot``), None for any other."""
    f = fold(value)
    if f in {fold(v) for v in CUSTOMER_SENDERS}:
        return "customer"
    if f in {fold(v) for v in STAFF_SENDERS}:
        return "staff"
    if f in {fold(v) for v in BOT_SENDERS} or f.endswith("bot") or "机器人" in f:
        return "bot"
    return None


ROLE_PAIRS = (("q", "a"), ("question", "answer"), ("user", "assistant"), ("human", "assistant"),
              ("buyer", "seller"), ("customer", "agent"), ("买家", "卖家"), ("客户", "客服"),
              ("问", "答"))  # fmt: skip
"""Two-valued sender columns, (customer, staff): JDDC's ``Q``/``A``, a chat model's
``user``/``assistant``."""


def _paired_roles(values: list[str]) -> dict[str, str | None] | None:
    """customer and staff for the two values of a sender column that are a known pair."""
    folded = {fold(v): v for v in values}
    for cust, staff in ROLE_PAIRS:
        if set(folded) == {cust, staff}:
            return {folded[cust]: "customer", folded[staff]: "staff"}
    return None


def _words_of(name: str) -> set[str]:
    return {fold(w) for w in re.split(r"[\W_.]+|(?<=[a-z0-9])(?=[A-Z])", name) if w}


def _named(name: str, words: tuple[str, ...]) -> int | None:
    """The index in ``words`` of the first word ``name`` holds (a CJK word as a part), or None:
    ``conversation_id`` -> 0, ``会话ID`` -> the index of ``会话``."""
    have, f = _words_of(name), fold(name)
    return next(
        (i for i, w in enumerate(words) if fold(w) in have or (not w.isascii() and w in f)),
        None,
    )


@dataclass
class ChatLog:
    """A message log's ``messages`` option, found by :func:`_chat_log`."""

    by: str
    sender: str
    counts: dict[str, int]
    kinds: dict[str, str | None]

    @property
    def customer(self) -> list[str]:
        return [v for v in self.counts if self.kinds[v] == "customer"]

    @property
    def staff(self) -> list[str] | None:
        """The human staff values, written only when some other value (a bot, or one not
        known) would otherwise count as staff, or be left out by its name."""
        staff = [v for v in self.counts if self.kinds[v] == "staff"]
        others = [v for v in self.counts if self.kinds[v] not in ("customer", "staff")]
        return staff if staff and others else None

    def option(self) -> dict[str, Any]:
        cust = self.customer
        out: dict[str, Any] = {"by": self.by, "sender": self.sender}
        out["customer"] = cust[0] if len(cust) == 1 else cust
        if self.staff:
            out["staff"] = self.staff
        return out

    def note(self) -> str:
        seen = ", ".join(f"{v} {n}" for v, n in self.counts.items())
        staff = self.staff
        left = [v for v in self.counts if self.kinds[v] not in ("customer", "staff")]
        who = (
            f"; staff is {' / '.join(staff)} only: {', '.join(left)} is no reply (a bot's "
            "auto-close would be every ticket's resolution)"
            if staff
            else ""
        )
        paired = _paired_roles(list(self.counts))
        if paired and all(_sender_kind(v) is None for v in self.counts):
            who += (
                f"; {' / '.join(paired)} read as customer / staff (a two-valued "
                f"{self.sender!r} column): check it"
            )
        return (
            f"a chat log, one row per message ({self.sender!r} in the sample: {seen}): "
            f"messages makes one ticket per {self.by!r}, its text the customer's messages "
            f"({' / '.join(self.customer)}) in time order, its resolved_at the last staff "
            f"reply's time{who}; check the sender values"
        )


def _chat_log(sample: _sniff.Sample, cols: dict[str, _Values]) -> ChatLog | None:
    """A chat or comment export with one row per message (Intercom's conversation parts,
    Zendesk's ticket comments, Qianniu's 聊天记录): a conversation column (named so:
    :data:`CONVERSATION_WORDS`) whose values repeat in the sample, and a sender column with
    a few values, one the customer's and one a staff's or a bot's. None otherwise."""
    convs: list[tuple[int, str]] = []
    for src, v in cols.items():
        leaf = src.rsplit(".", 1)[-1] if src in sample.fields else src
        i = None if src in sample.structs else _named(leaf, CONVERSATION_WORDS)
        if i is not None and v.values and v.mean_length <= 64 and v.distinct < len(v.values):
            convs.append((i, src))  # an id that repeats: one row per message
    convs.sort()
    if not convs:
        return None
    by = convs[0][1]
    best: tuple[tuple[bool, int], ChatLog] | None = None
    for src, v in cols.items():
        if src in sample.structs or src == by or not v.values:
            continue
        counts: dict[str, int] = {}
        for x in v.values:
            counts[x] = counts.get(x, 0) + 1
        if len(counts) > _SENDERS_AT_MOST:
            continue
        kinds = {x: _sender_kind(x) for x in counts}
        if _named(src, SENDER_WORDS) is not None and len(counts) == 2:
            kinds = _paired_roles(list(counts)) or kinds  # Q / A, user / assistant
        if "customer" not in kinds.values() or not {"staff", "bot"} & set(kinds.values()):
            continue
        counts = dict(sorted(counts.items(), key=lambda kv: -kv[1]))
        rank = (_named(src, SENDER_WORDS) is not None, sum(k is not None for k in kinds.values()))
        if best is None or rank > best[0]:
            best = (rank, ChatLog(by, src, counts, kinds))
    return best[1] if best else None


_RETURNS = re.compile(r"(?i)return|refund|retour")
"""A returns file (``returns.csv``, ``returned_qty``): its quantities are no demand."""
_LINE_ITEMS = re.compile(r"[^,]+?\s?[x×*]\s?\d+(\s*,\s*[^,]+?\s?[x×*]\s?\d+)*")
"""A cell listing an order's lines, WooCommerce's ``Order Items``: ``Logo Tee x 2, Cap x 1``."""


_ITEM_PATTERNS = (
    r"(?P<item_id>.+) x (?P<quantity>\d+)",
    r"(?P<item_id>.+) × (?P<quantity>\d+)",
    r"(?P<quantity>\d+) x (?P<item_id>.+)",
    r"(?P<quantity>\d+) × (?P<item_id>.+)",
    r"(?P<item_id>.+) \((?P<quantity>\d+)\)",
    r"(?P<item_id>.+?)\s*[x×*]\s*(?P<quantity>\d+)",
)
"""The ``explode`` patterns init tries on a cell listing an order's lines: ``Logo Tee x 2``,
``Logo Tee × 2``, ``2 x Logo Tee``, ``Logo Tee (2)``; then the delivery platforms' (Meituan,
Eleme) ``招牌牛肉面x1``, ``卤蛋×2``, ``可乐*1`` without blanks."""
_LINE_SEPS = (",", ";", "|", "\n")


def _split_pattern(cells: list[str]) -> tuple[str, str, int] | None:
    """The ``sep`` and ``pattern`` reading every cell as lines of ``name x qty`` (each item
    name holding a letter, some cell listing two lines or more), and the number of lines;
    None if none does. A separator always followed by a blank is written with it (``", "``)."""
    for sep in _LINE_SEPS:
        split = [[ln.strip() for ln in c.split(sep) if ln.strip()] for c in cells]
        if not any(len(x) > 1 for x in split):
            continue  # a list: some order has two lines
        lines = [ln for x in split for ln in x]
        for pattern in _ITEM_PATTERNS:
            got = [re.fullmatch(pattern, ln) for ln in lines]
            if all(m and re.search(r"[^\W\d_]", m["item_id"]) for m in got):
                spaced = all(c.count(sep) == c.count(sep + " ") for c in cells)
                return (sep + " " if spaced and sep != "\n" else sep), pattern, len(lines)
    return None


def _line_items(guess: Guess) -> None:
    """An order export listing its lines in one cell (WooCommerce's ``Order Items``: ``Logo
    Tee x 2, Cap x 1``) gets ``explode``: one row per line, item_id and quantity from the
    pattern's groups, the order total split among the lines by quantity."""
    mapped = {m.contract for m in guess.matches}
    if "item_id" in mapped or guess.sample.table or "explode" in guess.options:
        return  # lines already, or a database table (proposed for files; set it by hand there)
    names = {fold(c) for c in guess.sample.columns}
    if {"item_id", "quantity"} & names:
        return  # the pattern's groups would clash with the data's own columns
    used = {m.source for m in guess.matches}
    for col in guess.sample.columns:
        cells = guess.sample_values(col)
        found = None if col in used or len(cells) < 3 else _split_pattern(cells)
        if found is None:
            continue
        sep, pattern, lines = found
        shown = next((c for c in cells if sep.strip() and sep.strip() in c), cells[0])
        guess.options["explode"] = {"column": col, "sep": sep, "pattern": pattern}
        if "quantity" in mapped:  # the order's unit count: each line's quantity replaces it
            guess.matches = [m for m in guess.matches if m.contract != "quantity"]
        guess.notes.append(
            f"{col!r} lists each order's lines ({shown!r}): explode splits it into one row "
            f"per line ({lines} lines in {len(cells)} sampled orders), item_id and quantity "
            "from the pattern's groups. The order total is split across its lines in "
            "proportion to their quantity, so revenue is unchanged (an item's share is an "
            "estimate when prices differ). Delete explode to keep one row per order"
        )
        return


def _order_shaped(text: Match, cols: dict[str, _Values]) -> bool:
    """Whether a tickets guess's text is an order export's: its cells list order lines
    (``Mug x 2, Tee x 1``), or it was found by its values only in a file with an order number
    and an order total (``Order Number``, ``Order Total Amount``)."""
    vals = cols[text.source].values
    if vals and sum(bool(_LINE_ITEMS.fullmatch(x)) for x in vals) >= 0.8 * len(vals):
        return True
    orders = TABLES["orders"]
    numbered = any(name_score(c, "order_id", orders) >= 0.8 for c in cols)
    total = any(name_score(c, "amount", orders) >= 0.6 and cols[c].numeric >= 0.9 for c in cols)
    return text.score < 0.6 and numbered and total


_PAID_TOTAL = re.compile(r"实付|实收|paid|net_total|total_paid", re.IGNORECASE)
"""An order's paid total (有赞's ``订单实付金额``, Taobao's ``买家实际支付金额``): after
coupons and points, what the customer paid."""


def _line_numbers(sample: _sniff.Sample, col: str) -> list[float | None]:
    """A sampled column's values as numbers, row by row (None: empty or not a number)."""
    out: list[float | None] = []
    for v in sample.values.get(col, []):
        nums = _Values([v], sample.options).numbers()
        out.append(nums[0] if nums else None)
    return out


def _per_order(keys: list[str], vals: list[float | None]) -> list[list[int]] | None:
    """The rows of orders of several lines, when ``vals`` holds one value per order (the same
    on each of its lines, in 95% of at least 3 such orders); else None."""
    lines: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        lines.setdefault(k, []).append(i)
    multi = [rows for k, rows in lines.items() if k and len(rows) > 1]
    same = sum(len({vals[i] for i in rows}) == 1 and vals[rows[0]] is not None for rows in multi)
    return multi if len(multi) >= 3 and same >= 0.95 * len(multi) else None


def _order_total_on_lines(
    sample: _sniff.Sample, matches: dict[str, Match], cols: dict[str, _Values]
) -> tuple[str, str | None] | None:
    """An export with one row per goods line whose mapped amount is the order's total written
    on each line (有赞's ``商品总价``: the same on every line of an order, not quantity x
    price): summed per line it counts an order once per line. Reads the order's paid total
    (``订单实付金额``) instead when there is one, split over the order's lines by
    ``amount_per_order``, else each line's quantity x price. Returns
    (the order total column, the paid column or None), or None when the amount is a line's."""
    if not {"amount", "order_id", "quantity", "price"} <= set(matches):
        return None
    keys = [(k or "").strip() for k in sample.values.get(matches["order_id"].source, [])]
    amount = _line_numbers(sample, matches["amount"].source)
    multi = _per_order(keys, amount)
    if not multi:
        return None
    qty, price = (_line_numbers(sample, matches[c].source) for c in ("quantity", "price"))
    rows = [i for r in multi for i in r if None not in (amount[i], qty[i], price[i])]
    differ = sum(abs(amount[i] - qty[i] * price[i]) > 0.01 for i in rows)  # type: ignore[operator]
    if differ < 0.5 * max(len(rows), 1):
        return None
    total = matches.pop("amount").source
    used = {m.source for m in matches.values()}
    paid = next(
        (
            c
            for c in cols
            if c not in used
            and c != total
            and _PAID_TOTAL.search(c)
            and cols[c].numeric >= 0.9
            and _per_order(keys, _line_numbers(sample, c))
        ),
        None,
    )
    if paid:
        matches["amount"] = Match("amount", paid, 0.6)
    return total, paid


def _order_total_note(guess: Guess, total: str, paid: str | None) -> None:
    head = (
        f"{total!r} is the order's total, the same on each of its lines (not quantity x "
        "price): summed per line it counts an order once per line"
    )
    if paid is None:
        guess.notes.append(f"{head}; amount is each line's quantity x price instead")
        return
    guess.options["amount_per_order"] = True
    guess.notes.append(
        f"{head}. amount is {paid!r}, what the customer paid for the order (after coupons and "
        f"points), also repeated on each line: amount_per_order splits it over the order's "
        f"lines by quantity x price, so revenue counts each order once and the goods lines "
        f"stay for recommendations and demand"
    )


_COMPLETED = ("交易成功", "已完成", "完成")
_NOT_SOLD = ("等待买家付款", "交易关闭", "等待付款", "已取消", "交易取消", "订单取消", "退款成功",
             "已退款", "退款中")  # fmt: skip
"""Order states of a Chinese marketplace export (Taobao/Tmall ``订单状态``, JD): completed,
and never paid or closed (cancelled, fully refunded). Paid orders still on their way
(``卖家已发货，等待买家确认``) are sales."""


def _order_status(guess: Guess, cols: dict[str, _Values]) -> None:
    """A status column holding 交易成功 beside unpaid or closed orders: ``where`` keeps the
    sold ones (completed or paid and on their way), with a note naming what it drops and the
    stricter completed-only condition. Leaving unpaid and closed orders in counts revenue the
    shop never had."""
    used = {m.source for m in guess.matches if m.contract != ORDER_STATUS}  # still read
    for c, v in cols.items():
        states = set(v.values)
        if c in used or not states & set(_COMPLETED) or not states & set(_NOT_SOLD):
            continue
        dropped = [x for x in _NOT_SOLD if x in states]
        done = next(x for x in _COMPLETED if x in states)
        col = c if re.fullmatch(r"[^\W\d]\w*", c) else '"' + c.replace('"', '""') + '"'
        listed = ", ".join(f"'{x}'" for x in dropped)
        guess.options["where"] = f"{col} NOT IN ({listed})"
        counts = ", ".join(f"{x} {v.values.count(x)}" for x in dropped)
        guess.notes.append(
            f"where keeps the sold orders: it leaves out those {c!r} says are unpaid or closed "
            f"({counts} of {len(v.values)} sampled rows); for completed orders only, set where: "
            f"\"{col} = '{done}'\""
        )
        return


_NON_PRODUCT_NAMES = re.compile(
    r"(shipping|postage|carriage|delivery|tip|deposit|bank charges?|(service|handling) fee)",
    re.IGNORECASE,
)
"""Item values that are a whole line of no product (Shopify's ``Shipping`` and ``Tip`` lines,
a ``Deposit``): matched on the whole value."""
_GIFT_CARD = re.compile(r"gift ?card", re.IGNORECASE)
"""A gift card's line, whatever its amount (``$25 Gift Card``): proposed as a glob."""
_UCI_ONLY = ("POST", "DOT", "BANK CHARGES", "AMAZONFEE", "C2", "CRUK")
"""Codes of :data:`NON_PRODUCTS` no shop uses for a product: with one of them sampled, the
export is UCI's and its other codes (``M``, ``B``, ``D``, ``S``) are proposed too."""


def _non_products(guess: Guess) -> None:
    """Item codes that are no product (UCI's POST postage, M manual, B bad debt; a Shopify
    export's Shipping, Tip and gift card lines) become ``non_items``: postage is revenue, so
    they stay in every total and are left out of the analyses per item. A note names each
    sampled one with its lines and share of the sampled revenue."""
    src = next((m.source for m in guess.matches if m.contract == "item_id"), None)
    if src is None or src not in guess.sample.values:
        return
    codes = [(v or "").strip() for v in guess.sample.values[src]]
    seen = list(dict.fromkeys(c for c in codes if c))
    found = [c for c in NON_PRODUCTS if c in seen]
    found += [c for c in seen if _NON_PRODUCT_NAMES.fullmatch(c) and c not in found]
    gifts = [c for c in seen if _GIFT_CARD.search(c)]
    found += gifts
    if not found:
        return
    money = _row_money(guess)
    total = sum(money) if money else 0.0
    parts = []
    for c in found:
        share = ""
        if money and total:
            got = sum(x for x, code in zip(money, codes, strict=False) if code == c)
            share = f", {got / total:.1%} of the sampled revenue"
        parts.append(f"{c} {codes.count(c)} lines{share}")
    listed = [c for c in found if c not in gifts]
    if set(found) & set(_UCI_ONLY):  # UCI's export: its codes not sampled are proposed too
        listed += [c for c in NON_PRODUCTS if c not in listed]
    if gifts:  # any amount's card: '$25 Gift Card', '$50 Gift Card'
        listed.append("*" + _GIFT_CARD.search(gifts[0]).group(0) + "*")  # type: ignore[union-attr]
    guess.options["non_items"] = listed
    guess.notes.append(
        f"{src!r} holds codes that are no product ({'; '.join(parts)}; of {len(codes)} sampled "
        "lines): postage, fees, adjustments or gift cards. non_items keeps them in revenue and "
        "out of the analyses per item (recommendations, demand, top items); remove any that is "
        "a product"
    )


_CREATED = re.compile(r"创建|下单|created|placed", re.IGNORECASE)
_PAID = re.compile(r"付款|支付|paid|payment", re.IGNORECASE)


def _created_or_paid(guess: Guess) -> None:
    """Say which of an order's two times is its timestamp: the creation time (every order has
    one; an unpaid order has no payment time)."""
    ts = next((m.source for m in guess.matches if m.contract == "timestamp"), None)
    if ts is None or not _CREATED.search(ts):
        return
    used = {m.source for m in guess.matches}
    paid = [c for c in guess.sample.columns if c not in used and _PAID.search(c) and
            _sniff.timestamp_format(guess.sample_values(c))[0] >= 0.9]  # fmt: skip
    if paid:
        guess.notes.append(
            f"timestamp is when the order was created ({ts!r}), not paid ({paid[0]!r}, kept "
            "as an attribute; empty for unpaid orders): map timestamp to it to date sales by "
            "payment"
        )


def _struct_note(guess: Guess, table: Table) -> None:
    """Nested columns (JSON's ``params: {session_id, level, revenue}``) are kept as they are;
    their plain fields are scored like columns and mapped with dotted paths
    (``user_id: properties.distinct_id``). The note says which were mapped, names the other
    fields that are contract columns of the table (``session_id: params.session_id``) and
    lists the rest."""
    mapped = {m.contract for m in guess.matches}
    for col, fields in guess.sample.structs.items():
        done = [f"{m.contract}: {m.source}" for m in guess.matches if m.source in guess.sample.fields
                and m.source.startswith(col + ".")]  # fmt: skip
        cands = [
            f"{c.name}: {col}.{f}"
            for c in table.columns
            if c.name not in mapped
            for f in fields
            if name_score(f, c.name, table) == 1.0
        ]
        shown = ", ".join(fields[:12]) + (", ..." if len(fields) > 12 else "")
        maps = (
            f"mapped {'; '.join(done)}; "
            if done
            else f"candidate mappings (add under columns): {'; '.join(cands)}; "
            if cands
            else "none is a column of the table; to map one write a dotted path under columns "
            f"(<contract column>: {col}.{fields[0]}); "
            if fields
            else ""
        )
        guess.notes.append(
            f"{col!r} holds nested fields ({shown}): {maps}the rest stay inside {col!r}"
        )


_NO_RATING = ("offered", "unoffered", "not_offered", "unrated", "none", "n/a")
"""Zendesk's satisfaction scores that mean no rating was given: ``offered`` (asked, no
answer) and ``unoffered``."""


def _no_rating(guess: Guess, cols: dict[str, _Values]) -> None:
    """A sentiment column holding Zendesk's ``offered``/``unoffered`` beside real ratings
    (good/bad): those are no sentiment class, so ``na_values`` reads them as missing."""
    src = next((m.source for m in guess.matches if m.contract == "sentiment"), None)
    if src is None:
        return
    seen = set(cols[src].values)
    empty = [x for x in sorted(seen) if x.lower() in _NO_RATING]
    if empty and len(empty) < len(seen):
        have = list(guess.options.get("na_values") or [])  # with nan (:func:`_nan_cells`)
        guess.options["na_values"] = have + [x for x in empty if x not in have]
        guess.notes.append(
            f"{src!r}: {', '.join(empty)} mean no rating was given: na_values reads them as "
            "missing, not as sentiment classes"
        )


def _first_line_only(sample: _sniff.Sample, key: Match | None) -> list[str]:
    """Columns filled on one line only of each order: a line-item export (Shopify's
    ``orders_export.csv``) writes the order's fields (Email, Created at, Total) on its first
    line and leaves them empty on the others. Needs the key filled on every line and at least
    3 orders of several lines in the sample; a column qualifies when 95% of those orders have
    it on exactly one line."""
    if key is None or key.source not in sample.values:
        return []
    keys = [(k or "").strip() for k in sample.values[key.source]]
    lines: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        lines.setdefault(k, []).append(i)
    multi = [rows for rows in lines.values() if len(rows) > 1]
    if not all(keys) or len(multi) < 3:
        return []
    out = []
    for c, vals in sample.values.items():
        filled = [bool(v and v.strip()) for v in vals]
        once = sum(sum(filled[i] for i in rows) == 1 for rows in multi)
        if c != key.source and once >= 0.95 * len(multi):
            out.append(c)
    return out


def _first_line_note(guess: Guess, firsts: list[str], amount: Match | None) -> None:
    """Say that the order's fields are on its first line only, what that breaks and the fix."""
    key = next(m.source for m in guess.matches if m.contract == "order_id")
    mapped = {m.source: m.contract for m in guess.matches}
    needed = [f"{mapped[c]} ({c!r})" for c in firsts if mapped.get(c) in TABLES["orders"].required]
    rows = len(guess.sample.values[key])
    empty = sum(
        any(not (guess.sample.values[c][i] or "").strip() for c in firsts if c in mapped)
        for i in range(rows)
    )
    names = ", ".join(repr(c) for c in firsts[:6]) + (", ..." if len(firsts) > 6 else "")
    guess.notes.append(
        f"one row per order line: {key!r} repeats on each line, but {names} are filled on the "
        f"order's first line only ({empty} of {rows} sampled lines lack them)"
    )
    # carry the order's fields down: the mapped ones and its words (status, currency, paid
    # at, for a where); its numbers (Total, Shipping) stay on one line, not summed per line
    fill = [
        c
        for c in firsts
        if c in mapped or _Values(guess.sample.values[c], guess.options).numeric < 0.9
    ]
    kept = [c for c in firsts if c not in fill]
    if fill:
        guess.options["fill_down"] = {"by": key, "columns": fill}
        stay = (
            f"; {', '.join(map(repr, kept))} (the order's numbers) stay on its first line, so "
            "they are not counted once per line"
            if kept
            else ""
        )
        guess.notes.append(
            f"fill_down by {key!r} carries {', '.join(needed) or 'them'} and the order's other "
            f"fields to its other lines{stay}; drop_incomplete would drop those lines and their "
            "revenue"
        )
    if amount and amount.source in firsts:
        guess.notes.append(
            f"amount is quantity x price per line: {amount.source!r} is the order's, on its "
            "first line only"
        )


def _partly_empty_key(guess: Guess) -> None:
    """A customer column empty on some rows: for orders, guest orders (a restaurant's walk-in
    bills without a member card, guest checkouts), which load as orders without a customer;
    for events, rows that do not validate. Say how many sampled rows, and what follows."""
    if guess.table not in ("orders", "events") or "fill_down" in guess.options:
        return
    src = next((m.source for m in guess.matches if m.contract == "user_id"), None)
    if src is None or src not in guess.sample.values:
        return
    vals = guess.sample.values[src]
    empty = sum(not (v or "").strip() for v in vals)
    if not empty:
        return
    found = f"{src!r} (user_id) is empty on {empty} of {len(vals)} sampled rows ({empty / len(vals):.0%}"
    if guess.table == "orders":
        guess.notes.append(
            f"{found}): guest orders (walk-ins, guest checkout). They count in revenue, orders "
            "and demand, and are left out of the per-customer analyses (segments, churn, "
            "lifetime value, recommendations), which say how many; if another column names "
            "the customer, map it instead"
        )
    else:
        guess.notes.append(
            f"{found}; anonymous visitors?): validation stops on them; drop_incomplete: true "
            "would leave those rows out of every figure; or map another user column"
        )


def _negative_demand(guess: Guess, cols: dict[str, _Values]) -> None:
    """Demand lines with a negative quantity (a POS export's voided dishes, returns) stop
    validation: ``where`` keeps the sales, with a note."""
    measure = next((m for m in guess.matches if m.contract in ("quantity", "amount")), None)
    if guess.table != "demand" or measure is None or "where" in guess.options:
        return
    src, what = measure.source, measure.contract
    neg = sum(x < 0 for x in cols[src].numbers())
    if neg:
        guess.options["where"] = f"{what} >= 0"  # mapped columns go by their contract names
        guess.notes.append(
            f"{src!r} ({what}) is negative on {neg} of {len(cols[src].values)} sampled rows "
            "(voids or returns): where leaves them out, so the sales they cancel still count"
        )
    elif neg := _init_demand.negatives_in_file(guess.sample, src):  # beyond the sample
        guess.options["where"] = f"{what} >= 0"
        guess.notes.append(
            f"{src!r} ({what}) is negative on {neg:,} rows of the file (voids or returns): "
            "where leaves them out, so the sales they cancel still count"
        )


_TURNOVER_WORDS = {"turnover", "revenue", "umsatz", "amount", "value", "营业额", "销售额"}
STORE_MONEY_MEDIAN = 1000.0
"""A store's daily ``Sales`` with a median at least this is read as money (turnover)."""
_OPEN_WORDS = {"open", "opened", "geöffnet", "geoeffnet", "营业"}


def _store_series(guess: Guess, cols: dict[str, _Values]) -> None:
    """Daily sales per store without an item column (Rossmann's ``train.csv``: Store, Date,
    Sales, Promo, Open): each store is one demand series (byod9a D4: init placed nothing).
    Sales named as money, or a store's daily ``Sales`` with a median of 1,000 or more, are the
    demand's ``amount`` (turnover, in the currency: byod9a D3); an ``Open`` 0/1 column whose 0
    rows sold nothing becomes ``where: "Open = 1"`` (closed days are no demand: D15)."""
    store = next(m for m in guess.matches if m.contract == "item_id").source
    qty = next((m for m in guess.matches if m.contract == "quantity"), None)
    notes = [f"one row per store and day, no item column: each {store!r} is one demand series"]
    if qty is not None:
        nums = sorted(cols[qty.source].numbers())
        median = nums[len(nums) // 2] if nums else 0.0
        money = bool(set(name_words(qty.source)) & _TURNOVER_WORDS) or median >= STORE_MONEY_MEDIAN
        if money:
            k = guess.matches.index(qty)
            guess.matches[k] = dataclasses.replace(qty, contract="amount")
            notes.append(
                f"{qty.source!r} is read as sales in money (amount; median {median:,.0f} a store "
                "and day in the sample): forecasts and headlines are in the currency; if it "
                "counts units, map it as quantity"
            )
    sales = next(m.source for m in guess.matches if m.contract in ("amount", "quantity"))
    rows = guess.sample.values
    for c in cols:
        if not set(name_words(c)) & _OPEN_WORDS or c not in rows:
            continue
        flags = {(v or "").strip() for v in rows[c]}
        if flags != {"0", "1"}:
            continue
        shut = [_number(rows[sales][i]) for i, v in enumerate(rows[c]) if (v or "").strip() == "0"]
        if all(x == 0 for x in shut):
            guess.options["where"] = f"{_sql_name(c)} = 1"
            notes.append(
                f"{c!r} = 0 rows sold nothing (closed days): where leaves them out, so they count "
                "neither as zero demand nor as days without a promotion"
            )
        break
    guess.notes.extend(notes)


_TYPE_WORDS = {"type", "category", "format", "class", "kind", "typ", "segment"}


def _store_attributes(
    demand: Guess, unfit: list[tuple[_sniff.Sample, dict[str, _Values]]]
) -> Guess | None:
    """A file with one row per store (Rossmann's ``store.csv``) beside demand whose series are
    stores (:func:`_store_series`): the ``items`` of those series, keyed by the store column,
    with a store-type column as the category (byod9a D4); ``None`` when there is none."""
    if not any(n.startswith("one row per store and day") for n in demand.notes):
        return None
    key = next(m.source for m in demand.matches if m.contract == "item_id")
    for s, cols in unfit:
        v = cols.get(key)
        if v is None or not v.values or v.distinct < len(v.values):
            continue
        matches = [Match("item_id", key, 1.0)]
        kind = next(
            (c for c, w in cols.items() if c != key and set(name_words(c)) & _TYPE_WORDS
             and 1 < w.distinct <= max(2, len(w.values) // 2)),
            None,
        )  # fmt: skip
        if kind:
            matches.append(Match("category", kind, 0.6))
        g = Guess("items", s, matches, round(2.0 + 0.6 * bool(kind), 2), dict(s.options))
        g.notes.append(
            f"one row per {key!r}, the demand's series: each store's attributes"
            + (f" ({kind!r} as its category, so chapter 04 sums stores per {kind})" if kind else "")
        )
        return g
    return None


def _number(text: str | None) -> float | None:
    """A sampled cell as a number (``None`` when it is empty or no number)."""
    try:
        return float((text or "").strip())
    except ValueError:
        return None


def _kb_without_answers(guess: Guess, cols: dict[str, _Values]) -> None:
    """kb rows without an answer (a labelled set's out-of-scope examples) cannot be replied
    with: ``drop_incomplete`` leaves them out, with a note (else validation stops on them)."""
    answer = next((m.source for m in guess.matches if m.contract == "answer"), None)
    if guess.table != "kb" or answer is None or answer not in guess.sample.values:
        return
    total = len(guess.sample.values[answer])
    empty = total - len(cols[answer].values)
    if empty:
        guess.options["drop_incomplete"] = True
        guess.notes.append(
            f"{empty} of {total} sampled rows have no answer ({answer!r} empty): "
            "drop_incomplete leaves them out of the kb"
        )


PANDAS_NAN = ("nan", "NaN")
"""A missing value as Python and pandas write it when they print it as text (Kaggle's Google
Play reviews: 14,488 of 41,307 rows ``App,nan,nan,nan,nan``; byod13b D5). No text, label or
number is the word alone."""


def _nan_cells(guess: Guess, cols: dict[str, _Values]) -> None:
    """Cells written :data:`PANDAS_NAN` in any sampled column: ``na_values`` reads them as
    missing (not as a review text or a sentiment class ``nan``), and the mapped columns'
    sampled values lose them, so a ticket whose text is ``nan`` counts as one without text."""
    found: dict[str, int] = {}
    marks: set[str] = set()
    for c, vals in guess.sample.values.items():
        hit = [v.strip() for v in vals if v is not None and v.strip() in PANDAS_NAN]
        if hit:
            found[c], marks = len(hit), marks | set(hit)
    if not found:
        return
    have = list(guess.options.get("na_values") or [])
    guess.options["na_values"] = have + sorted(marks - set(have))
    for c in found.keys() & cols.keys():
        kept = [v for v in guess.sample.values[c] if v is None or v.strip() not in marks]
        cols[c] = _Values(kept, guess.sample.options)
    c, n = max(found.items(), key=lambda x: x[1])
    shown = ", ".join(map(repr, sorted(marks)))
    guess.notes.append(
        f"{shown} in {len(found)} column(s) ({n} of {len(guess.sample.values[c])} sampled rows "
        f"of {c!r}) is how Python and pandas write a missing value: na_values reads it as "
        "missing"
    )


def _tickets_without_text(guess: Guess, cols: dict[str, _Values]) -> None:
    """Tickets without a text (Olist's reviews that hold only a star rating) have nothing for
    the text analyses: ``drop_incomplete`` leaves them out, with a note (else validation stops
    on them)."""
    text = next((m.source for m in guess.matches if m.contract == "text"), None)
    if guess.table != "tickets" or text is None or text not in guess.sample.values:
        return
    total = len(guess.sample.values[text])
    empty = total - len(cols[text].values)
    if empty and "drop_incomplete" not in guess.options:
        guess.options["drop_incomplete"] = True
        guess.notes.append(
            f"{empty} of {total} sampled rows have no text ({text!r} empty, e.g. a rating "
            "without a comment): drop_incomplete leaves them out of the tickets"
        )


LABEL_REPEATS = 3
"""A labelled text set repeats each intent on this many rows or more, on average (an FAQ has
one question per intent)."""


def _companion(fits: list[Guess]) -> Guess | None:
    """A labelled intent set (text, intent, response: Bitext's flags/instruction/category/
    intent/response) is both tables: its texts and intents are the tickets the intent model
    learns from, its responses the kb. Returns the second table's guess (with a note) when the
    best fit is one of them, the other fits too, and intents repeat as training labels do."""
    if fits and fits[0].table == "orders":
        return _order_reviews(fits)
    if fits and fits[0].table in ("events", "tickets"):
        return _rated_reviews(fits)
    if not fits or fits[0].table not in ("tickets", "kb"):
        return None
    other = "kb" if fits[0].table == "tickets" else "tickets"
    second = next((g for g in fits if g.table == other), None)
    if second is None:
        return None
    tickets, kb = (fits[0], second) if other == "kb" else (second, fits[0])
    t = {m.contract: m.source for m in tickets.matches}
    k = {m.contract: m.source for m in kb.matches}
    if "text" not in t or "intent" not in t or k.get("answer") in (None, t["text"]):
        return None
    labels = tickets.sample_values(t["intent"])
    if not labels or len(labels) < LABEL_REPEATS * len(set(labels)):
        return None
    second.notes.append(
        f"read from the same file as {fits[0].table}: a labelled set ({len(set(labels))} intents "
        f"over {len(labels)} sampled rows): its texts ({t['text']!r}) train the intent "
        f"model, its {k['answer']!r} are the kb's answers"
    )
    return second


_PRODUCT_CATEGORY = re.compile(r"categor|product|genre|department|类目|品类|分类|商品", re.I)
"""A review file's column naming the product's kind (amazon_reviews_multi's product_category):
no intent, though ``category`` is one of the intent's names in a ticket export."""


def _rated_reviews(fits: list[Guess]) -> Guess | None:
    """Product reviews (Amazon's reviewerID, asin, reviewText, overall, unixReviewTime) are
    both tables: rating events (user x item, ``constants: {event: rate}``) for
    recommendations, and tickets whose text is the review and whose sentiment the stars.
    Returns the second table's guess (with a note) when the best fit is one of them."""
    events = next((g for g in fits if g.table == "events" and "constants" in g.options), None)
    tickets = next((g for g in fits if g.table == "tickets"), None)
    if events is None or tickets is None:
        return None
    t = {m.contract: m.source for m in tickets.matches}
    if "sentiment" not in t or "text" not in t:
        return None
    if (cat := t.get("intent")) and _PRODUCT_CATEGORY.search(cat):  # byod12b D13
        tickets.matches = [m for m in tickets.matches if m.contract != "intent"]
        tickets.notes.append(
            f"{cat!r} is kept as an attribute, not the intent: a reviewed product's category "
            "is no reason for contact (chapter 05 finds the reviews' topics itself)"
        )
    second = tickets if fits[0] is events else events
    second.notes.append(
        f"read from the same file as {fits[0].table}: reviews are rating events (user x item, "
        f"for recommendations) and tickets (the review {t['text']!r}, its stars "
        f"{t['sentiment']!r} as the sentiment)"
    )
    return second


def _order_reviews(fits: list[Guess]) -> Guess | None:
    """An order export with the customer's review on the order (Meituan's 顾客评价 and 评分,
    a shop's review_text and rating) is also tickets: the review text named so, beside a
    rating. Orders without a review are dropped from tickets (``drop_incomplete``); the order
    number is the ticket's id when it is one per row. Returns the tickets guess, or None."""
    orders, tickets = fits[0], next((g for g in fits if g.table == "tickets"), None)
    if tickets is None:
        return None
    t = {m.contract: m for m in tickets.matches}
    if "text" not in t or t["text"].score < 1.0 or "sentiment" not in t:
        return None
    order_id = next((m.source for m in orders.matches if m.contract == "order_id"), None)
    if "ticket_id" not in t and order_id and _unique(orders.sample.values[order_id]):
        tickets.matches.insert(0, Match("ticket_id", order_id, 1.0))
    tickets.matches = [m for m in tickets.matches if m.contract != "resolved_at"]
    cells = orders.sample.values[t["text"].source]
    empty = sum(not (v or "").strip() for v in cells)
    note = (
        f"read from the same file as orders: {t['text'].source!r} is the customer's review of "
        f"the order and {t['sentiment'].source!r} its rating"
    )
    if empty:
        tickets.options["drop_incomplete"] = True
        note += (
            f"; {empty} of {len(cells)} sampled orders have no review text, left out of "
            "tickets by drop_incomplete"
        )
    tickets.notes.append(note)
    return tickets


def _encoding_note(sample: _sniff.Sample) -> str:
    """The guessed encoding and how the file's non-ASCII text reads in it, so that a wrong
    guess shows ('M黮ler' for 'Müller')."""
    enc = sample.options["encoding"]
    seen: list[str] = []
    for text in [*sample.values, *(v for vs in sample.values.values() for v in vs if v)]:
        if not text.isascii() and text not in seen:
            seen.append(text if len(text) <= 30 else text[:29] + "…")
        if len(seen) == 4:
            break
    reads = (
        f"its text reads {', '.join(repr(t) for t in seen)}"
        if seen
        else "the sampled rows hold no non-ASCII text"
    )
    return (
        f"encoding {enc} is a guess: {reads}; if that is garbled, set encoding to the file's "
        "real one (gbk, big5, shift_jis, cp1252, ...)"
    )


MONEY = ("amount", "price", "unit_cost", "order_cost", "sales", "marketing_spend")
"""Contract columns that hold money."""
_MINOR_UNITS = re.compile(
    r"(?i:(^|[^a-z])(in_?)?(cents|minor(_?units?)?))$|[a-z](In)?(Cents|Minor)$"
)
"""A money column's name saying it is in minor units: ``order_total_cents``, ``price_in_cents``,
``amount_minor``, ``totalCents``."""


def _minor_units(guess: Guess) -> None:
    """Money in minor units (``order_total_cents``) is read in major ones: ``scale`` 0.01."""
    found = [m for m in guess.matches if m.contract in MONEY and _MINOR_UNITS.search(m.source)]
    if not found:
        return
    guess.options["scale"] = {m.contract: 0.01 for m in found}
    names = ", ".join(repr(m.source) for m in found)
    guess.notes.append(
        f"{names}: money in cents, so scale 0.01 reads whole units (a currency with three "
        "decimals, such as KWD: 0.001)"
    )


ZERO_DECIMAL = frozenset(("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx",
                          "vnd", "vuv", "xaf", "xof", "xpf"))  # fmt: skip
"""Currencies without minor units (Stripe's zero-decimal list): their amounts are whole units."""
_PROCESSOR_IDS = re.compile(r"(ch|py|pi|in|txn|re)_[A-Za-z0-9]{6,}")
"""Stripe's object ids: charges, payments, payment intents, invoices, balance transactions,
refunds."""
_STRIPE_COLUMNS = {"amountrefunded", "amountcaptured", "balancetransaction", "failurecode",
                   "paymentintent", "applicationfee"}  # fmt: skip


def _processor_cents(guess: Guess, cols: dict[str, _Values]) -> None:
    """A payment processor's export (Stripe, Adyen, Braintree) gives amounts in the currency's
    smallest unit: ``amount`` 2900 is 29.00 USD. Recognised by a lowercase ISO ``currency``
    column (``usd``: processors write it so, shops and ledgers ``USD``), Stripe ids (``ch_``,
    ``pi_``, ``in_``) or Stripe's own column names; then a money column of whole numbers gets
    ``scale`` 0.01 with a note. Zero-decimal currencies (``jpy``, ``krw``) are left as they are."""
    if "scale" in guess.options:
        return
    money = [
        m
        for m in guess.matches
        if m.contract in MONEY
        and cols[m.source].values
        and all(re.fullmatch(r"-?\d+", x) for x in cols[m.source].values)
    ]
    if not money:
        return
    codes = {x for c, v in cols.items() if fold(c) == "currency" for x in v.values}
    lower_iso = bool(codes) and all(re.fullmatch(r"[a-z]{3}", x) for x in codes)
    ids = next(
        (
            c
            for c, v in cols.items()
            if v.values and all(_PROCESSOR_IDS.fullmatch(x) for x in v.values)
        ),
        None,
    )
    stripe = {fold(c) for c in cols} & _STRIPE_COLUMNS
    if not (lower_iso or ids or stripe):
        return
    names = ", ".join(repr(m.source) for m in money)
    zero = sorted(codes & ZERO_DECIMAL)
    if zero:
        guess.notes.append(
            f"{names}: a payment processor's amounts are in the currency's smallest unit, but "
            f"{', '.join(zero)} has none: no scale set (for cents add scale: {{amount: 0.01}})"
        )
        return
    why = (
        f"currency written {sorted(codes)[0]!r}"
        if lower_iso
        else f"ids like {cols[ids].values[0]!r}"
        if ids
        else f"Stripe's columns ({', '.join(sorted(stripe))})"
    )
    guess.options["scale"] = {m.contract: 0.01 for m in money}
    guess.notes.append(
        f"{names}: whole numbers in a payment processor's export ({why}), which gives amounts "
        "in cents: scale 0.01 reads whole units (remove it if they are whole units already)"
    )


_SUCCEEDED = ("succeeded", "success", "successful", "paid", "captured", "settled", "completed",
              "complete", "partially_refunded", "processing", "shipped", "delivered",
              "check-out", "checked-out", "checked_out")  # fmt: skip
"""Paid states: a processor's, a shop's (WooCommerce's ``completed``, and ``processing``: paid,
not yet shipped), a subscription box's shipment, a hotel stay's (``Check-Out``)."""
_FAILED = ("failed", "failure", "declined", "refunded", "voided", "void", "pending",
           "canceled", "cancelled", "expired", "authorized", "requires_payment_method",
           "disputed", "unpaid", "error", "skipped")  # fmt: skip
_STATUS_NAMES = {"status", "paid", "financialstatus", "paymentstatus", "chargestatus", "state",
                 "outcome"}  # fmt: skip
_STATUS_NAME = re.compile(r"(?i:(^|[\W_])(status|state))$|[a-z](Status|State)$")
"""A status column by its last word: WooCommerce's ``Order Status``, ``reservation_status``."""


def _status_column(c: str) -> bool:
    return fold(c) in _STATUS_NAMES or bool(_STATUS_NAME.search(c))


def _sold(state: str) -> bool:
    return state.lower() in _SUCCEEDED


def _sql_name(c: str) -> str:
    return c if re.fullmatch(r"[^\W\d]\w*", c) else '"' + c.replace('"', '""') + '"'


def _row_money(guess: Guess) -> list[float] | None:
    """Each sampled row's revenue (amount, or quantity x price), None without them."""
    src = {m.contract: m.source for m in guess.matches}
    raw = guess.sample.values

    def num(col: str, i: int) -> float:
        got = _Values([raw[col][i]], guess.options).numbers()
        return got[0] if got else 0.0

    rows = range(len(next(iter(raw.values()), [])))
    if "amount" in src and src["amount"] in raw:
        return [num(src["amount"], i) for i in rows]
    if {"quantity", "price"} <= set(src) and {src["quantity"], src["price"]} <= set(raw):
        return [num(src["quantity"], i) * num(src["price"], i) for i in rows]
    return None


def _revenue_share(guess: Guess, status: str, dropped: list[str]) -> str:
    """The share of the sampled rows' revenue (amount, or quantity x price) on ``dropped``
    states: what the ``where`` leaves out."""
    raw = guess.sample.values
    money = _row_money(guess)
    if money is None:
        return ""
    total = sum(money)
    out = sum(x for x, st in zip(money, raw[status], strict=False) if (st or "").strip() in dropped)
    if not total:
        return ""
    return f": {out / total:.1%} of the sampled revenue ({out:,.2f} of {total:,.2f})"


def _payment_status(guess: Guess, cols: dict[str, _Values]) -> None:
    """A payment or order status beside the amount (Stripe's ``status`` succeeded/failed,
    Shopify's ``financial_status`` paid/refunded/pending, WooCommerce's ``Order Status``
    completed/processing/cancelled): ``where`` keeps the successful ones, with a note naming
    what it drops and the share of the sampled revenue that is. A failed charge is no
    revenue. When the column also holds states of neither kind (a hotel's ``No-Show``),
    ``where`` leaves out only the failed ones and the note names the others, kept."""
    if "where" in guess.options:
        return
    used = {m.source for m in guess.matches if m.contract != ORDER_STATUS}  # still read
    for c, v in cols.items():
        if c in used or (fold(c) not in _STATUS_NAMES and not _STATUS_NAME.search(c)):
            continue
        states = set(v.values)
        ok = [x for x in sorted(states) if x.lower() in _SUCCEEDED]
        dropped = sorted(x for x in states if x.lower() in _FAILED)
        other = sorted(states - set(ok) - set(dropped))
        if not ok or not dropped or len(other) > len(ok) + len(dropped):
            continue
        col = _sql_name(c)
        listed = ", ".join(f"'{x}'" for x in (dropped if other else ok))
        guess.options["where"] = (
            f"{col} NOT IN ({listed})"
            if other
            else f"{col} = '{ok[0]}'"
            if len(ok) == 1
            else f"{col} IN ({listed})"
        )
        counts = ", ".join(f"{x} {v.values.count(x)}" for x in dropped)
        rest = (
            f"; it keeps {', '.join(map(repr, other))} (neither paid nor failed: check them)"
            if other
            else f"; for {ok[0]} only, set where to {col} = '{ok[0]}'"
            if len(ok) > 1
            else ""
        )
        guess.notes.append(
            f"where keeps the {'/'.join(ok)} payments: it leaves out those {c!r} says are not "
            f"({counts} of {len(v.values)} sampled rows), which are no revenue"
            f"{_revenue_share(guess, c, dropped)}{rest}"
        )
        return


_RATINGS = ("rating", "ratings", "stars", "score", "overall", "评分", "星级")


def _rating_event(name: str, matches: dict[str, Match], cols: dict[str, _Values]) -> dict[str, str]:
    """A ratings export (user, item, stars, time) has no event column: it is one event type,
    ``constants: {event: rate}``, when the rest of the events table is there."""
    if name != "events" or "event" in matches or not {"user_id", "item_id"} <= set(matches):
        return {}
    return {"event": "rate"} if _rated_column(matches, cols) else {}


def _rated_column(matches: dict[str, Match], cols: dict[str, _Values]) -> str | None:
    """A ratings export's stars: an unmapped number column named as ratings (``overall``)."""
    used = {m.source for m in matches.values()}
    rated = [c for c in cols if c not in used and fold(c) in _RATINGS and cols[c].numeric >= 0.9]
    return rated[0] if rated else None


def _type_not_event(event: Match | None, cols: dict[str, _Values]) -> bool:
    """An event found by part of its name (``room_type``: ``type``) in a file with a money
    column and a status column is a booking's or an order's attribute (Standard, Deluxe,
    Suite), not what a user did."""
    if event is None or event.score > 0.6:
        return False
    orders = TABLES["orders"]
    money = any(
        name_score(c, "amount", orders) >= 0.6 and v.numeric >= 0.9 for c, v in cols.items()
    )
    status = any(fold(c) in _STATUS_NAMES or _STATUS_NAME.search(c) for c in cols)
    return money and status


_CREATED_LIKE = re.compile(
    r"创建|建立|下单|作成|受付|생성|접수|created|opened|placed|submitted", re.I
)
_PLAIN_TICKETS = dataclasses.replace(TABLES["tickets"], name="")
"""The tickets table without its own synonyms (``STAR_NAMES``), to score a name without them."""


def _refused_on_tickets(contract: str, src: str, score: float, v: _Values) -> bool:
    """A tickets column that must not be ``contract``: a resolution time by its values alone
    (any time column fits) or named as the creation (``作成日時``, ``created_at``), and a
    score named only by :data:`STAR_NAMES` (``review_score``, ``nota``) whose values are not
    whole stars 1-5."""
    if contract == "resolved_at":
        return not score or bool(_CREATED_LIKE.search(src))
    if contract == "sentiment" and score and not _whole_stars(v):
        return not name_score(src, contract, _PLAIN_TICKETS)
    return False


def _whole_stars(v: _Values) -> bool:
    """Star ratings: every value a whole number from 1 to 5, and more than 1 and 2 seen."""
    nums = v.numbers()
    return (
        len(nums) == len(v.values)
        and all(x in (1, 2, 3, 4, 5) for x in nums)
        and max(nums, default=0) >= 3
    )


_REPLY_WORDS = {"reply", "replied", "response", "responded", "respond", "answer", "answered"}


def _value_only(col: Column, src: str, cols: dict[str, _Values]) -> bool:
    """Columns whose values alone say what they are: a timestamp DuckDB parses as it is, a
    market period written as a syndicated-data time (Nielsen's ``1 w/e 01/06/24`` in a
    column named ``Time``), and the longest free text of the file (headerless exports have
    nothing else)."""
    v = cols[src]
    if col.name == "first_reply_at" and not set(name_words(src)) & _REPLY_WORDS:
        return False  # a reply's time needs its name: HubSpot's Close date is none (D16)
    if col.name in ("delivered_at", "promised_at"):
        return False  # a delivery's times need their names: a payment time is none
    if col.dtype == "timestamp":
        return v.native_timestamp >= 0.95 or _year_months(v)
    if col.dtype == "period":
        share, fmt = v.timestamp
        return share >= 0.95 and bool(fmt and re.search(r"w/e|week", fmt, re.IGNORECASE))
    if col.name in ("text", "answer"):
        longest = max(cols, key=lambda c: cols[c].mean_length)
        return src == longest and v.mean_length >= 20
    return False


def _year_months(v: _Values) -> bool:
    """A month without a day (a telco's billing ``month`` ``2024-01``, ``01.2024``): the
    loader reads it as the month's first day (byod11a D5), so its values say it is a time."""
    share, fmt = v.timestamp
    years = all(re.search(r"(?<!\d)(19|20)\d\d(?!\d)", x) for x in v.values)
    return share >= 0.95 and fmt in _sniff.MONTHS and years


_POSITIONAL = re.compile(r"column\d+")


def _headerless(sample: _sniff.Sample) -> bool:
    """A file without column names: a CSV read with ``header: false``, or JSON rows that are
    arrays (``[["text", "intent"], ...]``), whose columns are ``column0``, ``column1``, ..."""
    if sample.options.get("header") is False:
        return True
    return bool(sample.columns) and any(_POSITIONAL.fullmatch(c) for c in sample.columns)


def _label_column(col: Column, src: str, cols: dict[str, _Values]) -> bool:
    """An unnamed intent: short codes without spaces (``play_music``), each repeated on
    :data:`LABEL_REPEATS` rows or more, beside the file's longest free text."""
    if col.name != "intent":
        return False
    v = cols[src]
    longest = max(cols, key=lambda c: cols[c].mean_length)
    return (
        src != longest
        and cols[longest].mean_length >= 12
        and v.wordy < 0.2
        and v.numeric < 0.5
        and v.distinct * LABEL_REPEATS <= len(v.values)
    )


def _training_labels(matches: dict[str, Match], cols: dict[str, _Values]) -> bool:
    """An unnamed kb's answers under an unnamed intent that repeats on
    :data:`LABEL_REPEATS` rows or more: a labelled set of questions (CLINC150), not answers."""
    answer, intent = matches.get("answer"), matches.get("intent")
    if answer is None or intent is None or max(answer.score, intent.score) >= 0.6:
        return False
    v = cols[intent.source]
    return v.distinct * LABEL_REPEATS <= len(v.values)


def _timestamp_option(guess: Guess) -> None:
    """One ``timestamp_format`` serves every time column of a table: take the first mapped
    column's, and drop the others that it does not parse (with a note)."""
    times = [m for m in guess.matches if TABLES[guess.table].column(m.contract).dtype in
             ("timestamp", "period")]  # fmt: skip
    if not times or all(m.timestamp_format is None for m in times):
        return
    fmt = times[0].timestamp_format or next(m.timestamp_format for m in times if m.timestamp_format)
    for m in times:
        if m.timestamp_format != fmt and m.contract not in TABLES[guess.table].required:
            guess.matches.remove(m)
            guess.notes.append(f"{m.source!r} ({m.contract}) left out: not in format {fmt}")
    src = next(m.source for m in times if m.timestamp_format == fmt)
    if _sniff.ambiguous_day_month(guess.sample_values(src), fmt):
        other = _sniff.day_month_swap(fmt)
        part, date_fmt, tail = src, fmt, ""
        if PARTS_SEP in src and " " in fmt:  # a date and a time joined: read the date column
            part, (date_fmt, tail) = src.split(PARTS_SEP)[0], fmt.split(" ", 1)
            tail = " " + tail
        whole = _init_demand.spread_in_file(guess.sample, part)  # a date-sorted head?
        if whole and not _sniff.ambiguous_day_month(whole, date_fmt):
            old, fmt = fmt, _day_month_reading(whole, date_fmt) + tail
            guess.notes = [n.replace(f"read as {old!r}", f"read as {fmt!r}") for n in guess.notes]
            for m in times:
                if m.timestamp_format in (old, fmt, other):
                    m.timestamp_format = fmt
            guess.notes.append(
                f"{part!r}: every day in the first rows is 12 or less, but the whole file has "
                f"dates only {fmt.removesuffix(tail)} reads "
                f"(e.g. {_day_month_example(whole, fmt.removesuffix(tail))!r})"
            )
        else:
            where = "the file" if whole else "the sample"
            guess.notes.append(
                f"{src!r}: every day in {where} is 12 or less, so {fmt} and {other} both read "
                f"it; {fmt} was assumed: check a date you know"
            )
    guess.options["timestamp_format"] = fmt


def _day_month_reading(values: list[str], fmt: str) -> str:
    """``fmt`` or its day/month swap, whichever reads more of ``values``."""
    other = _sniff.day_month_swap(fmt) or fmt
    return other if _sniff.parsed_share(values, other) > _sniff.parsed_share(values, fmt) else fmt


def _day_month_example(values: list[str], fmt: str) -> str:
    """One of ``values`` that ``fmt`` reads and its day/month swap does not (``'1/13/2023'``)."""
    other = _sniff.day_month_swap(fmt) or fmt
    return next(
        (
            v
            for v in values
            if _sniff.parsed_share([v], fmt) and not _sniff.parsed_share([v], other)
        ),
        values[0],
    )


@dataclass
class Plan:
    """What ``opsai init`` decided: one guess per table, and the files left out."""

    folder: Path
    guesses: list[Guess]
    unplaced: list[tuple[str, str]]
    """(file label, why)."""
    database: str | None = None
    """The database read (a file name or a URL), when it is not a folder of files."""

    @property
    def origin(self) -> str:
        return self.database or str(self.folder)


def plan_folder(folder: Path) -> Plan:
    """Sample every data file in ``folder`` and place each on its best-fitting table.

    Raises:
        ConfigError: the folder does not exist or holds no data file.
    """
    if not folder.is_dir():
        raise ConfigError(f"{folder} is not a folder. Pass the folder holding your exports")
    files = _sniff.data_files(folder)
    parts = _sniff.partitioned(folder)  # events/year=2024/month=01/part-0.parquet
    if not files and not parts:
        nested = _sniff.nested_files(folder)
        where = ""
        if nested:
            subs = sorted({p.relative_to(folder).parts[0] for p in nested})
            where = (
                f"; found {len(nested)} in sub-folders ({', '.join(subs[:5])}): pass the "
                "sub-folder, or name the files with a glob in file: (events/**/*.parquet)"
            )
        raise ConfigError(
            f"{folder} holds no data file ({', '.join(_sniff.DATA_SUFFIXES)}){where}. Pass the "
            "folder holding your exports"
        )
    unplaced: list[tuple[str, str]] = []
    samples: list[_sniff.Sample] = []
    for path, pattern in [*((f, None) for f in files), *((f, g) for g, f in parts)]:
        try:
            read = _sniff.read_samples(path)
        except Exception as e:  # any unreadable file is listed, not fatal
            label = pattern or path.name
            unplaced.append((label, "cannot be read: " + " ".join(str(e).split())[:160]))
            continue
        for s in read:
            s.pattern = pattern
        samples += read
    return _place(folder, samples, unplaced)


def plan_database(source: str, base: Path) -> Plan:
    """Sample every table of a database (a SQLite or DuckDB file, relative to ``base``, or a
    database URL) and place each on its best-fitting contract table.

    Raises:
        ConfigError: the database file does not exist, or it holds no table.
    """
    path = None if "://" in source else (base / source).resolve()
    if path is not None and not path.is_file():
        raise ConfigError(f"{path} not found. Pass a folder of exports, a database file or a URL")
    samples, unplaced = _sniff.database_samples(source, path)
    if not samples and not unplaced:
        raise ConfigError(f"{source} holds no table. Pass the database holding your data")
    plan = _place(path.parent if path else base, samples, unplaced)
    plan.database = path.name if path else _hide_password(source)
    return plan


def _hide_password(url: str) -> str:
    """A URL as it may be shown: ``postgres://me:secret@db/shop`` as ``postgres://me:***@db/shop``."""
    return re.sub(r"(://[^:/@]+:)[^/]*@", r"\1***@", url)


def _place(folder: Path, samples: list[_sniff.Sample], unplaced: list[tuple[str, str]]) -> Plan:
    """Each sample on the table it fits best, each table's best sample kept."""
    best: list[Guess] = []
    companions: list[Guess] = []
    for t, why in _init_template.templates(samples):  # test.csv, sample_submission.csv
        samples = [x for x in samples if x is not t]
        unplaced.append((t.label, why))
    loose: list[_sniff.Sample] = []  # fitting no table: maybe a chat log's session labels
    every = list(samples)  # a calendar may be a file the wide sales' join reads too
    samples, wide = _wide_tables(samples)
    samples = _init_across.place(samples, wide, unplaced)  # dates down, products across
    unfit: list[tuple[_sniff.Sample, dict[str, _Values]]] = []  # for _store_attributes
    samples, headed = _order_headers(samples)
    shared: list[str | None] | None = None  # the shared customer key, found when needed
    for s in samples:
        cols = profile(s)
        if id(s) in wide:  # one column per period: demand once unpivoted, never users
            g = fit_table(s, "demand", cols)
            if g is None:
                unplaced.append((s.label, wide[id(s)][1]))
                continue
            g.notes.insert(0, wide[id(s)][0])
            best.append(g)
            continue
        if id(s) in headed:  # order lines read with their header: orders only
            g = fit_table(s, "orders", cols)
            assert g is not None
            person, when, note = headed[id(s)]
            user = next(m for m in g.matches if m.contract == "user_id")
            g.matches[g.matches.index(user)] = Match("user_id", person, max(user.score, 0.8))
            _header_time(g, when, cols)
            g.notes.insert(0, note)
            _line_price(g)
            best.append(g)
            continue
        pivoted = _pivoted(s, cols)
        if pivoted is not None:  # (item, property, value[, time]) rows: items once pivoted
            best.append(pivoted)
            continue
        if (kb := _init_kb.articles(s, cols)) is not None:  # a help center's (byod10b D20)
            best.append(kb)
            continue
        if (ads := _init_ads.place(s, cols)) is not None:  # Google Ads', Meta's spend report
            best.append(ads)
            continue
        fits = sorted((g for t in TABLES if (g := fit_table(s, t, cols))), key=lambda g: -g.score)
        fits = _orders_over_demand(fits)
        till = next((g for g in fits if _guests_only(g)), None)
        fits = [g for g in fits if not _guests_only(g)] or fits  # a till export: a last resort
        if not fits and _init_values.headerless(s):  # column0, column1, ...: by values alone
            fits = _by_values(s, cols)
        if not fits and (market := _wide_market(s, cols)) is not None:
            fits = [market]  # Google Trends, SimilarWeb: companies or periods as columns
        if not fits and (stays := _stays(s, cols)) is not None:
            fits = [stays]  # hotel_bookings.csv: adr x nights, no guest id (byod12a D7)
        if not fits and (booked := _booked_days(s, cols)) is not None:
            fits = [booked]  # Inside Airbnb's calendar.csv: a listing's days, available t/f
        if not fits:  # KKBox's msno: a customer key named by no synonym, shared by the files
            if shared is None:
                shared = [  # the files as written: an unpivot repeats its kept columns
                    _init_keys.shared_customer(every, [_has_time(profile(x)) for x in every])
                ]
            if shared[0] in cols:
                again = (fit_table(s, t, cols, customer=shared[0]) for t in TABLES)
                fits = _orders_over_demand(sorted((g for g in again if g), key=lambda g: -g.score))
        if not fits and (named := _init_keys.named_customer(s)) is not None:
            usage = fit_table(s, "events", cols, customer=named)  # userid, session_date, rounds
            fits = [usage] if usage else []
        if not fits:
            loose.append(s)
            have = ", ".join(s.columns[:8]) + (", ..." if len(s.columns) > 8 else "")
            read = f"; {_encoding_note(s)}" if "encoding" in s.options else ""
            why = _NO_TIME if _keyed(cols) and not _has_time(cols) else ""
            why = why or _price_scrape(s, cols)
            why = why or _one_short(cols)
            unplaced.append((s.label, f"fits no table{why} (columns: {have or 'none'}){read}"))
            unfit.append((s, cols))
            continue
        if len(fits) > 1:
            fits[0].runner_up = (fits[1].table, fits[1].score)
        best.append(fits[0])
        _store_by_name(fits[0])
        if (second := _companion(fits)) is not None:
            companions.append(second)
        elif fits[0].table == "demand" and till is not None and _receipts(till):
            companions.append(till)  # a till's lines: its receipts are orders too (byod12a D17)
    kept: dict[str, Guess] = {}
    joined: list[Guess] = []  # sheets a kept guess reads with its own (one per month)
    best.sort(key=lambda g: -g.score)
    for g in best:
        if g.table in kept and kept[g.table].pattern and _same_shape(kept[g.table], g):
            continue  # one part of a split export the kept guess already reads
        if any(g is j for j in joined):
            continue
        if g.table in kept:
            k = kept[g.table]
            hint = _init_ads.second_report(g) or _init_keys.join_hint(g, k)
            unplaced.append(
                (g.sample.label, f"also looks like {g.table} (score {g.score}); kept "
                 f"{k.sample.label} (score {k.score}){hint}")
            )  # fmt: skip
        else:
            kept[g.table] = g
            _join_parts(g, [o for o in best if o.table == g.table and o is not g], folder)
            joined += _join_sheets(g, [o for o in best if o.table == g.table and o is not g])
    for g in companions:  # a labelled set's other table, unless a file of its own has it
        kept.setdefault(g.table, g)
    if "kb" in kept:
        _init_kb.label_intent(kept["kb"], kept.get("tickets"))
    ids = [m.contract for m in kept["orders"].matches] if "orders" in kept else []
    if "returns" in kept and "order_id" not in ids:  # refunds are netted against orders
        unplaced.append((kept.pop("returns").sample.label, "looks like returns (refunds), "
                         "which are matched to orders by order_id, and no orders with an "
                         "order_id were found: map orders' order_id, then add "
                         "data.tables.returns (see the README)"))  # fmt: skip
    if "tickets" in kept and (labels := _session_labels(kept["tickets"], loose)) is not None:
        unplaced[:] = [u for u in unplaced if u[0] != labels.label]
    if "demand" in kept and "items" not in kept and (g := _store_attributes(kept["demand"], unfit)):
        kept["items"] = g
        unplaced[:] = [u for u in unplaced if u[0] != g.sample.label]
    _key_joins(kept, loose, unplaced)
    if "demand" in kept:  # Walmart's features.csv (Store, Date) and stores.csv (Store)
        _init_demand.side_joins(kept["demand"], unfit, unplaced, _join_entry)
    place_campaigns(kept, loose, unplaced)  # byod10a D5: targeting + campaign windows
    _init_calendar.place(every, profile, kept, unplaced)  # a file of days with events
    _init_reviews.reviewed_items(kept, loose, unplaced)  # restId: the reviewed shop, items
    _init_reviews.listening_sentiment(kept)  # Brandwatch's Sentiment: the tool's, no rating
    if "items" not in kept and (g := _items_from_lines(kept)) is not None:
        kept["items"] = g
    guesses = [kept[t] for t in TABLES if t in kept]
    _shared_key(guesses)
    _headerless_siblings(guesses)
    return Plan(folder, guesses, unplaced)


_AVAILABLE = ("available", "availability", "is_available")
"""Folded names of a column saying whether a day of a thing is still free to book."""


def _booked_days(s: _sniff.Sample, cols: dict[str, _Values]) -> Guess | None:
    """An availability calendar (Inside Airbnb's ``calendar.csv``: ``listing_id, date,
    available, price``, one row per listing and day, ``available`` t/f): its days not
    available are booked (or blocked) nights, the host's demand: ``where available = 'f'``,
    one unit each, the thing's key the item_id (byod13b D10)."""
    flag = next((c for c in s.columns if fold(c) in _AVAILABLE), None)
    key = next((c for c in s.columns if _init_reviews.thing_key(c) is not None), None)
    day = next((c for c in s.columns if c in cols and cols[c].timestamp[0] > 0.9), None)
    if flag is None or key is None or day is None:
        return None
    states = {x.strip().lower() for x in cols[flag].values if x and x.strip()}
    no = [x for x in cols[flag].values if x and x.strip().lower() in FLAG_FALSE]
    if not states <= {*FLAG_TRUE, *FLAG_FALSE} or not no:
        return None
    matches = [Match("item_id", key, 0.75), Match("timestamp", day, 1.0)]
    options: dict[str, Any] = {"where": f"{_sql_name(flag)} = '{no[0].strip()}'"}
    options["constants"] = {"quantity": 1}
    price = next((c for c in s.columns if fold(c) == "price"), None)
    if price is not None:
        matches.append(Match("price", price, 1.0))
        options["thousands"] = ","  # $1,200.00
    guess = Guess("demand", s, matches, 3.0, {**s.options, **options})
    guess.notes.append(
        f"one row per {key!r} and day, {flag!r} saying whether it is still free: the days "
        f"not available ({flag} = '{no[0].strip()}') are booked or blocked, one unit each "
        "(dates past the export are bookings made ahead, a book that thins into the future)"
    )
    return guess


def _stays(s: _sniff.Sample, cols: dict[str, _Values]) -> Guess | None:
    """A hotel's bookings without a guest id or a booking total, as demand (room nights at
    the daily rate: :mod:`opsai.data._init_stays`); None for any other file."""
    demand = TABLES["demand"]
    time = next(
        (c for c in s.columns if name_score(c, "timestamp", demand) >= 0.6
         and not bookkeeping(c) and cols[c].timestamp[0] >= 0.9),
        None,
    )  # fmt: skip
    fmt = cols[time].timestamp[1] if time else None
    arrival = _init_parts.year_month_day(s.values, set())  # hotel_bookings' arrival_date_*
    first = time
    if arrival is not None:  # stays by their arrival, not a check-out or cancellation day
        time, fmt = arrival.source, arrival.timestamp_format
    values = {c: cols[c].values for c in s.columns}
    rate = _init_stays.rate_column(s.columns)
    negative = _init_demand.negatives_in_file(s, rate) if rate else 0
    said = (
        f"{arrival.note}, not {first!r} (kept as an attribute)" if arrival and first else
        arrival.note if arrival else ""
    )  # fmt: skip
    found = _init_stays.bookings(s.columns, values, time, fmt, negative, arrival=said)
    if found is None:
        return None
    matches = [Match(c, src, 0.6, fmt if c == "timestamp" else None)
               for c, src in found.columns.items()]  # fmt: skip
    g = Guess("demand", s, matches, round(0.6 * (2 * 3 + 1), 2), {**s.options, **found.options})
    g.notes += found.notes
    return g


_RESHAPED = ("explode", "unpivot", "pivot", "join", "fill_down", "messages")
"""Options that make a table's rows or columns from the file's: its lines are not the file's."""


def _items_from_lines(kept: dict[str, Guess]) -> Guess | None:
    """The ``items`` read from the order (else demand) lines' own file, one row per item id,
    when the lines carry each item's name or category (Maven Roasters' ``product_detail``
    and ``product_category`` beside ``product_id``: byod12a D4); None when they do not."""
    for table in ("orders", "demand"):
        g = kept.get(table)
        key = next((m.source for m in g.matches if m.contract == "item_id"), None) if g else None
        if g is None or key is None or g.sample.table or g.pattern or g.sample.pattern:
            continue
        if any(n.startswith("one row per store and day") for n in g.notes):
            continue  # the series are stores (Rossmann): no products
        if key not in g.sample.values or any(k in g.options for k in _RESHAPED):
            continue  # the key is made when the file is read (explode, unpivot): not in it
        mapped = {m.source for m in g.matches}
        found = _init_items.catalogue_columns(g.sample.values, key, mapped)
        if not found:
            continue
        matches = [Match("item_id", key, 1.0)]
        matches += [Match(c, found[c], 0.6) for c in ("title", "category") if c in found]
        options = {k: v for k, v in g.sample.options.items() if k not in ("where",)}
        options["drop_duplicates"] = [key]
        items = Guess("items", g.sample, matches, round(2.0 + 0.4 * len(found), 2), options)
        named = " and ".join(f"{found[c]!r} ({c})" for c in ("title", "category") if c in found)
        items.notes.append(
            f"the {table.removesuffix('s')} lines carry {named}, one value per {key!r}: items "
            f"are read from the same file, one row per {key!r} (drop_duplicates keeps its "
            "first line), so the report names the products, not only their ids"
        )
        return items
    return None


def _key_joins(
    kept: dict[str, Guess], loose: list[_sniff.Sample], unplaced: list[tuple[str, str]]
) -> None:
    """A file with one row per row of a placed table, keyed by a column named as that table's
    key (Zendesk's ``ticket_metrics.json``: ``ticket_id`` once each, the tickets' ``id``) and
    not placed on a table by that key, is joined to it: its columns that name a column the
    table lacks are mapped (``solved_at`` as resolved_at), and it is no table of its own."""
    for k in list(kept.values()):
        table = TABLES[k.table]
        key = next((m for m in k.matches if m.contract == table.key), None)
        if key is None or table.key is None or k.table not in kept or kept[k.table] is not k:
            continue
        have = {v for v in k.sample.values.get(key.source, []) if v not in (None, "")}
        others = [(g.sample, g) for t, g in kept.items() if t != k.table]
        for s, g in [*others, *((x, None) for x in loose)]:
            mapped = {m.source for m in g.matches} if g else set()
            col = next(
                (
                    c
                    for c, v in s.values.items()
                    if c not in mapped
                    and name_score(c, table.key, table) >= 1.0
                    and _unique(v)
                    and len(have & {x for x in v if x}) >= max(1, 0.05 * len(v))
                ),
                None,
            )
            if col is None:
                continue
            entry = _join_entry(s, col if col == key.source else {key.source: col})
            k.options["join"] = [*k.options.get("join", []), entry]
            label = join_label(None if s.table else s.path.name, s.table)
            got, adds = {m.contract for m in k.matches}, []
            for c in table.columns:
                for src, v in s.values.items():
                    score = name_score(src, c.name, table)
                    if c.name in got or src == col or score < 0.6 or src in s.structs:
                        continue
                    ok, fmt = values_fit(_Values(v, s.options), c, table)
                    if ok:
                        name = src if src not in k.sample.values else f"{src}_{label}"
                        adds.append(Match(c.name, name, score, fmt))
                        got.add(c.name)
            order = [c.name for c in table.columns]
            k.matches = sorted([*k.matches, *adds], key=lambda m: order.index(m.contract))
            mapped_s = ", ".join(f"{m.source!r} as {m.contract}" for m in adds)
            was = f" (it had looked like {g.table})" if g else ""
            k.notes.append(
                f"{s.label} holds one row per {k.table} row ({col!r} once each, the "
                f"{k.table}' {key.source!r}){was}: joined on it" + (f", {mapped_s}" if adds else "")
            )
            if g is not None:
                del kept[g.table]
            unplaced[:] = [u for u in unplaced if u[0] != s.label]


def _session_labels(g: Guess, loose: list[_sniff.Sample]) -> _sniff.Sample | None:
    """A file of labels per conversation beside a chat log (JDDC's ``会话标注.csv``: 会话ID,
    意图, 评价), one row per conversation, keyed by the log's ``messages.by`` column and holding
    an intent or a sentiment the log lacks: joined to the log on that key, its columns mapped
    (the sample is returned; the guess gets the join, the matches and a note)."""
    chat = g.options.get("messages")
    if not chat:
        return None
    by = chat["by"]
    mapped = {m.contract for m in g.matches}
    tickets = TABLES["tickets"]
    for s in loose:
        if by not in s.values or not _unique(s.values[by]):
            continue
        logged = {v for v in g.sample.values.get(by, []) if v}
        if not logged & {v for v in s.values[by] if v}:
            continue  # another key space: no conversation of the log is labelled there
        adds: list[Match] = []
        for contract in ("intent", "sentiment"):
            scored = [(name_score(c, contract, tickets), c) for c in s.columns if c != by]
            score, col = max(scored, default=(0.0, ""))
            if score >= 0.6 and contract not in mapped and col not in {a.source for a in adds}:
                adds.append(Match(contract, col, score))
        if not adds:
            continue
        g.options["join"] = [*g.options.get("join", []), _join_entry(s, by)]
        g.matches += adds
        order = [c.name for c in tickets.columns]
        g.matches.sort(key=lambda m: order.index(m.contract) if m.contract in order else 99)
        n = len(s.values[by])
        g.notes.append(
            f"{s.label} labels conversations by {by!r} (one row each, {n:,} in the sample): "
            f"joined on {by}, "
            f"{' and '.join(f'{m.source!r} as {m.contract}' for m in adds)}; unlabelled "
            "conversations get none"
        )
        return s
    return None


def _wide_tables(
    samples: list[_sniff.Sample],
) -> tuple[list[_sniff.Sample], dict[int, tuple[str, str]]]:
    """Wide sales (M5's ``id, item_id, store_id, d_1 .. d_1913``, or dates as headers) read as
    the long table ``unpivot`` gives, with the calendar naming the periods' dates (``d`` ->
    ``date``) and a price file keyed by the series and a calendar column joined: the wide
    sample is replaced by the long one, the joined files are not placed on their own. Also
    returns, per long sample (by ``id``), the note saying so and the reason to give when it
    fits no demand table."""
    demand = TABLES["demand"]
    used: set[int] = set()
    out: dict[int, _sniff.Sample] = {}
    said: dict[int, tuple[str, str]] = {}
    for s in samples:
        w = _init_wide.wide_periods(s) if id(s) not in used else None
        if w is None:
            continue
        others = [o for o in samples if o is not s and id(o) not in used]
        joined: list[tuple[_sniff.Sample, list[str], list[str]]] = []
        joins: list[dict[str, Any]] = []
        names_to = "date" if w.dated else "period"
        cal = None if w.dated else _init_wide.calendar_for(w, others)
        have = list(w.keep)
        said_cal = ""
        if cal is not None:
            days, names_to = cal
            joined.append((days, [names_to], [names_to]))
            joins.append(_join_entry(days, names_to))
            have += days.columns
            others.remove(days)
            said_cal = f"; {days.label} gives each {names_to!r} its date (join on {names_to})"
        prices = {
            id(o): p
            for o in others
            if (p := next((x for x in o.columns if name_score(x, "price", demand) >= 0.6), ""))
        }
        pf = _init_wide.price_file(have, others, prices)
        said_price = ""
        if pf is not None:
            price_s, key = pf
            joined.append((price_s, key, key))
            joins.append(_join_entry(price_s, key))
            said_price = f"; {price_s.label} gives the price (join on {', '.join(key)})"
        long = _init_wide.long_sample(w, names_to, joined)
        unpivot = {"keep": w.keep, "names_to": names_to, "values_to": _init_wide.VALUES_TO}
        long.options = {**s.options, "unpivot": unpivot, **({"join": joins} if joins else {})}
        used |= {id(s)} | {id(o) for o, _, _ in joined}
        out[id(s)] = long
        first, last = w.periods[0], w.periods[-1]
        note = (
            f"wide sales: {len(w.periods)} period columns ({first} .. {last}) beside "
            f"{', '.join(w.keep[:6])}: unpivoted to one row per series and period "
            f"({names_to}, {_init_wide.VALUES_TO}){said_cal}{said_price}"
        )
        why = (
            f"looks like wide sales ({len(w.periods)} period columns {first} .. {last}) but no "
            f"file gives their dates: map it as demand with unpivot: {{keep: [{', '.join(w.keep)}"
            f"], names_to: {names_to}, values_to: {_init_wide.VALUES_TO}}} and join a calendar "
            f"holding {names_to} and its date (see the README on unpivot and join)"
        )
        said[id(long)] = (note, why)
    kept = [out.get(id(s), s) for s in samples if id(s) not in used or id(s) in out]
    return kept, said


def _price_scrape(s: _sniff.Sample, cols: dict[str, _Values]) -> str:
    """Why a price scrape (product, brand, retailer, price, scraped_at: no sales) is not
    placed, with the mapping that reads it as market, or "" when the file is none."""
    n = len(next(iter(s.values.values()), []))
    g = fit_table(dataclasses.replace(s, values={**s.values, "sales": ["1"] * n}), "market")
    got = {m.contract: m.source for m in g.matches} if g else {}
    if "price" not in got or got.get("sales") != "sales":
        return ""
    cols_ = ", ".join(f"{c}: {src}" for c, src in got.items() if c != "sales")
    fmt = g.options.get("timestamp_format") if g else None
    keys = (*_JOIN_READ, "decimal", "thousands")
    read = ", ".join(f"{k}: {v!r}" for k, v in g.options.items() if k in keys) if g else ""
    opts = "; ".join(x for x in (f"timestamp_format: {fmt!r}" if fmt else "", read) if x)
    return (
        f": looks like a price scrape (market {cols_}) but holds no sales, which market needs. "
        f"To follow competitors' prices map it as market with constants: {{sales: 1}} and "
        f"columns: {{{cols_}}}{'; ' + opts if opts else ''}: chapter 06 reads the one sales "
        "value as price monitoring (competitor price moves; no shares, elasticity or price "
        "scenarios, which would count scraped rows)"
    )


def _wide_market(s: _sniff.Sample, cols: dict[str, _Values]) -> Guess | None:
    """A market table written wide (:func:`opsai.data._init_wide.wide_market`) read as the
    long table ``unpivot`` gives: period, company and the figure (sales, or shares standing in
    for sales)."""
    w = _init_wide.wide_market(s, {c: _has_time({c: v}) for c, v in cols.items()})
    if w is None:
        return None
    long = _init_wide.long_market(w, s)
    period, company = (w.keep, w.names_to) if w.names_to == "company" else (w.names_to, w.keep)
    shape = 0.3  # by the table's shape (values), not by the columns' names
    matches = [Match("period", period, shape, w.timestamp_format), Match("company", company, shape)]
    matches.append(Match("sales", w.values_to, shape))
    if w.values_to == "share":
        matches.append(Match("share", w.values_to, shape))
    unpivot = {"keep": [w.keep], "names_to": w.names_to, "values_to": w.values_to}
    if w.left_out:  # Euromonitor's Brand owner and 2025F: the years alone become rows
        unpivot = {"columns": w.wide, "names_to": w.names_to, "values_to": w.values_to}
    options: dict[str, Any] = {**s.options, "unpivot": unpivot}
    if w.timestamp_format:
        options["timestamp_format"] = w.timestamp_format
    if w.na_values:
        options["na_values"] = w.na_values
    notes = [w.note]
    if w.values_to == "share":
        notes.append("no sales column: the shares stand in for sales (sizes, not money)")
    g = Guess("market", long, matches, 4.8, options, notes=notes)
    if w.names_to == "period":  # a Total row beside the companies (Euromonitor: byod11b D21)
        _market_totals(g, {w.keep: _Values(s.values[w.keep], s.options)})
    return g


def _by_values(s: _sniff.Sample, cols: dict[str, _Values]) -> list[Guess]:
    """A header-less file read by its values alone (:mod:`opsai.data._init_values`): its
    guess, every column matched at the value-only score (so its confidence is low), with a
    note saying what each column was taken for; empty when the values do not say."""
    table = TABLES["orders"]
    ts = table.column("timestamp")
    times = {c: values_fit(v, ts, table) for c, v in cols.items()}
    read = _init_values.read_roles(s, cols, times)
    if read is None:
        return []
    order = [c.name for c in TABLES[read.table].columns]
    matches = [
        Match(c, src, 0.3, read.timestamp_format if c == "timestamp" else None)
        for c, src in sorted(read.columns.items(), key=lambda kv: order.index(kv[0]))
    ]
    req = TABLES[read.table].required
    score = sum(0.3 * (2 if m.contract in req else 1) for m in matches)
    score += 0.6 * len(read.constants)
    stem = file_stem(s.path.name)
    score += any(n in stem for n in map(fold, FILE_NAMES.get(read.table, ())))
    guess = Guess(read.table, s, matches, round(score, 2), dict(s.options), notes=read.notes)
    if read.constants:
        guess.options["constants"] = read.constants
    _timestamp_option(guess)
    return [guess]


def _headerless_siblings(guesses: list[Guess]) -> None:
    """Header-less files whose first id shares values with another's (YOOCHOOSE's buys and
    clicks, both keyed by the session): said in a note, and when the other's are sessions
    (``session_id``), the orders' are too: each session's lines are one order."""
    read = [g for g in guesses if _init_values.headerless(g.sample)]
    for g in read:
        got = {m.contract: m.source for m in g.matches}
        if "user_id" not in got:
            continue
        mine = set(g.sample_values(got["user_id"]))
        for o in read:
            theirs = {m.contract: m.source for m in o.matches}
            if o is g or "user_id" not in theirs:
                continue
            both = mine & set(o.sample_values(theirs["user_id"]))
            if len(both) < _init_values.SHARED_AT_LEAST:
                continue
            g.notes.append(
                f"{got['user_id']!r} shares {len(both)} of its {len(mine)} sampled values with "
                f"{o.label}'s {theirs['user_id']!r}: the same customers (or sessions) in both"
            )
            if g.table == "orders" and "session_id" in theirs and "order_id" not in got:
                g.matches.append(Match("order_id", got["user_id"], 0.3))
                g.notes.append(
                    f"{o.label}'s {theirs['user_id']!r} reads as sessions: so does "
                    f"{got['user_id']!r}, read as order_id too (each session's lines one order)"
                )
            break


def _pivoted(s: _sniff.Sample, cols: dict[str, _Values]) -> Guess | None:
    """A key-value file (Retail Rocket's ``item_properties``) read as the table it becomes
    with ``pivot``: the keys matched to the table's columns are listed in ``pivot.keys``."""
    ts, orders = TABLES["orders"].column("timestamp"), TABLES["orders"]
    kv = key_values(s, {c: values_fit(v, ts, orders)[0] for c, v in cols.items()})
    if kv is None:
        return None
    wide = profile(kv.wide)
    fits = [g for t in KEYED_TABLES if (g := fit_table(kv.wide, t, wide))]
    fits = [with_id_keys(g, kv, Match) for g in fits if not on_hand_flag(g, kv)]
    keyed = [g for g in fits if (kv.ident, TABLES[g.table].key) in _pairs(g)]
    fits = sorted(keyed, key=lambda g: -g.score)  # the id column is the table's key
    if not fits:
        return None
    g = fits[0]
    if len(fits) > 1:
        g.runner_up = (fits[1].table, fits[1].score)
    found = kv.wide.columns[1:]
    keys = [m.source for m in g.matches if m.source != kv.ident]
    if not keys:
        keys = found[:10]
    n = " (numbers written behind an 'n')"
    others = [k + (n if k in kv.numbers_with_n else "") for k in found if k not in keys]
    g.sample = s
    g.options["pivot"] = kv.option(keys)
    by = f" by {kv.latest_by!r}" if kv.latest_by else " (the last row)"
    note = (
        f"key-value rows ({kv.ident}, {kv.key}, {kv.value}): pivoted to one row per "
        f"{kv.ident} holding each key's latest value{by}; keys kept: {', '.join(keys)}"
    )
    if others:
        shown = ", ".join(others[:12])
        note += f"; other keys in the sample: {shown}: add to pivot.keys those you need"
    g.notes.insert(0, note)
    return g


def _pairs(g: Guess) -> set[tuple[str, str | None]]:
    return {(m.source, m.contract) for m in g.matches}


_JOIN_READ = ("format", "sheet", "records", "skip_rows", "sep", "encoding", "header")
"""A sample's reading options a ``join`` entry carries (its own, not the lines' file's)."""
_PERSON_WORDS = {"id", "unique", "email", "key", "uuid", "person", "member"}


def _column(cols: dict[str, _Values], contract: str, at_least: float) -> str | None:
    """The column named best as ``contract`` of orders (at least ``at_least``), or None."""
    orders = TABLES["orders"]
    scored = [(name_score(c, contract, orders), c) for c in cols]
    best = max(scored, default=(0.0, ""), key=lambda x: x[0])
    return best[1] if best[0] >= at_least else None


def _unique(values: list[str | None]) -> bool:
    got = [v for v in values if v not in (None, "")]
    return bool(got) and len(set(got)) == len(got)


def _join_entry(s: _sniff.Sample, on: str | list[str] | dict[str, str]) -> dict[str, Any]:
    where = {"table": s.table} if s.table else {"file": s.pattern or s.path.name}
    return {**where, "on": on, **{k: v for k, v in s.options.items() if k in _JOIN_READ}}


def _cycled(values: list[str | None], n: int) -> list[str | None]:
    """``values`` repeated or cut to ``n`` (columns of a joined file, for scoring only)."""
    return [values[i % len(values)] for i in range(n)] if values else [None] * n


def _header_time_column(header: _sniff.Sample, cols: dict[str, _Values]) -> str | None:
    """An order header's time: its column named best as a timestamp that reads as one (the
    first among equals: Olist's ``order_purchase_timestamp`` before ``order_approved_at``)."""
    table = TABLES["orders"]
    ts = table.column("timestamp")
    scored = [
        (name_score(c, "timestamp", table), -i, c)
        for i, (c, v) in enumerate(cols.items())
        if values_fit(v, ts, table)[0]
    ]
    best = max(scored, default=None)
    return best[2] if best and best[0] > 0 else None


def _order_headers(
    samples: list[_sniff.Sample],
) -> tuple[list[_sniff.Sample], dict[int, tuple[str, str | None, str]]]:
    """Order lines without a customer and a time (Olist's ``order_items.csv``, a dbt
    ``fct_order_lines``) read with their order header (a sample with the same order id column,
    one row per order, a customer and a time) and, when the header's customer id is one per
    order (Olist's ``customer_id``), a customer map naming the person (``customers.csv``:
    ``customer_unique_id``): the lines' sample gets the others' columns and a ``join`` option;
    the header and the map are not placed on their own. Also returns, per merged sample (by
    ``id``), the column that is the person and a note saying what was joined."""
    profiles = {id(s): profile(s) for s in samples}
    used: set[int] = set()
    out: dict[int, _sniff.Sample] = {}
    said: dict[int, tuple[str, str | None, str]] = {}
    for lines in samples:
        cols = profiles[id(lines)]
        key = _column(cols, "order_id", 0.8)
        if key is None or _column(cols, "user_id", 0.8) or id(lines) in used:
            continue
        if _has_time(cols) and _unique(lines.values[key]):
            continue  # with a time of its own, a file is lines when its order ids repeat
            # (Olist's items with shipping_limit_date), not a table of its own (customers.csv)
        header = next(
            (
                h
                for h in samples
                if h is not lines
                and id(h) not in used
                and key in h.values
                and _unique(h.values[key])
                and _column(profiles[id(h)], "user_id", 0.8)
                and _has_time(profiles[id(h)])
            ),
            None,
        )
        if header is None:
            continue
        hcols = profiles[id(header)]
        cust = _column(hcols, "user_id", 0.8)
        assert cust is not None
        person, cmap = cust, None
        if _unique(header.values[cust]):  # one customer id per order: a map may name the person
            for m in samples:
                if m is lines or m is header or id(m) in used or cust not in m.values:
                    continue
                if not _unique(m.values[cust]):
                    continue
                named = [
                    c
                    for c in m.values
                    if c != cust
                    and c not in header.values
                    and name_score(c, "user_id", TABLES["orders"]) >= 0.6
                    and _PERSON_WORDS & set(name_words(c))
                ]
                if named:
                    person, cmap = named[0], m
                    break
        n = len(next(iter(lines.values.values()), []))
        merged = dict(lines.values)
        joins = [_join_entry(header, key)]
        for other in (header, cmap):
            if other is None:
                continue
            for c, v in other.values.items():
                if c in (key, cust) and (other is header or c == cust):
                    continue
                label = join_label(None if other.table else other.path.name, other.table)
                name = c if c not in merged else f"{c}_{label}"
                merged[name] = _cycled(v, n)
        if cmap is None:
            merged[cust] = _cycled(header.values[cust], n)
        else:
            joins.append(_join_entry(cmap, cust))
        sample = dataclasses.replace(lines, values=merged, options={**lines.options, "join": joins})
        when = _header_time_column(header, profiles[id(header)])
        when = (
            when
            if when is None or when not in lines.values
            else f"{when}_{join_label(None if header.table else header.path.name, header.table)}"
        )
        if fit_table(sample, "orders") is None:
            continue
        used |= {id(lines), id(header)} | ({id(cmap)} if cmap else set())
        out[id(lines)] = sample
        via = f" and {cmap.label} by {cust} ({person} is the person)" if cmap else ""
        what = "" if _has_time(cols) else " or a time"
        said[id(sample)] = (
            person,
            when,
            f"{lines.label} holds order lines without a customer{what}: joined to "
            f"{header.label} by {key} (one row per order){via}",
        )
    kept = [out.get(id(s), s) for s in samples if id(s) not in used or id(s) in out]
    return kept, said


def _header_time(g: Guess, when: str | None, cols: dict[str, _Values]) -> None:
    """The order's time is its header's (Olist's ``order_purchase_timestamp``), not a time of
    the line's own (``shipping_limit_date``, kept as an attribute)."""
    ts = next((m for m in g.matches if m.contract == "timestamp"), None)
    if when is None or ts is None or ts.source == when or when not in cols:
        return
    table = TABLES["orders"]
    ok, fmt = values_fit(cols[when], table.column("timestamp"), table)
    if not ok or (fmt or None) != (g.options.get("timestamp_format") or None):
        return
    g.matches[g.matches.index(ts)] = Match("timestamp", when, max(ts.score, 0.6), fmt)
    g.notes.append(f"timestamp is the order's {when!r}, not the line's {ts.source!r}")


def _line_price(g: Guess) -> None:
    """Order lines with a price and no quantity (Olist's: one unit per line) are worth their
    price: ``amount`` is the price, not another money column (``freight_value``)."""
    got = {m.contract: m for m in g.matches}
    price, amount = got.get("price"), got.get("amount")
    if price is None or "quantity" in got or (amount and amount.score >= 1.0):
        return
    g.matches = [m for m in g.matches if m.contract not in ("price", "amount")]
    order = [c.name for c in TABLES["orders"].columns]
    g.matches.append(Match("amount", price.source, price.score))
    g.matches.sort(key=lambda m: order.index(m.contract))
    g.notes.append(
        f"amount is {price.source!r}: each line is one unit at its price (no quantity column)"
    )


def _shared_key(guesses: list[Guess]) -> None:
    """Key users by the customer column the other tables use: a users file with ``email`` and
    ``subscription_id`` whose shipments carry ``subscription_id`` joins on the latter (keyed by
    the e-mail, every shipment would be an orphan). Said in a note either way."""
    users = next((g for g in guesses if g.table == "users"), None)
    key = next((m for m in users.matches if m.contract == "user_id"), None) if users else None
    if users is None or key is None:
        return
    for g in guesses:
        other = next((m for m in g.matches if m.contract == "user_id"), None)
        if g is users or other is None:
            continue
        if other.source == key.source:
            users.notes.append(
                f"user_id {key.source!r} is also {g.label}'s ({g.table}): the tables join on it"
            )
            return
        vals = _Values(users.sample.values.get(other.source, []), users.options)
        table = TABLES["users"]
        if values_fit(vals, table.column("user_id"), table)[0]:
            users.matches[users.matches.index(key)] = Match("user_id", other.source, other.score)
            users.notes.append(
                f"user_id is {other.source!r}, the customer column {g.label} ({g.table}) shares, "
                f"not {key.source!r} (kept as an attribute): the tables join on it"
            )
            return


_STORE_WORDS = {"store", "shop", "location", "branch", "outlet", "门店", "店铺"}


def _store_by_name(g: Guess) -> None:
    """A store mapped to a numeric code (Maven Roasters' ``store_id`` 3, 5, 8) beside a column
    naming the same stores (``store_location``: Astoria, Hell's Kitchen, ...) one to one: the
    names are the store, so pages say "Astoria", not "3 at 8" (byod12a D17)."""
    got = next((m for m in g.matches if m.contract == "store"), None)
    if got is None:
        return
    vals = g.sample.values
    codes = vals.get(got.source, [])
    if not codes or not all(v is None or str(v).strip().isdigit() for v in codes):
        return
    for c in g.sample.columns:
        if c == got.source or not set(name_words(c)) & _STORE_WORDS:
            continue
        names = vals.get(c, [])
        pairs = {(a, b) for a, b in zip(codes, names, strict=False) if a and b}
        if not pairs or any(str(b).strip().isdigit() for _, b in pairs):
            continue
        if len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs}):
            g.notes.append(f"store = {c!r} (the stores' names), not the code {got.source!r}")
            got.source = c
            return


def _receipts(g: Guess) -> bool:
    """Whether a till export's guest orders (:func:`_guests_only`) hold receipts of several
    lines: an order id repeating over the sampled lines, with an amount or a quantity and a
    price (Maven Roasters' transaction_id: a quarter of its tickets have two lines). Then the
    file is orders too, beside its demand, and the report counts orders and the average
    ticket; a note says so."""
    got = {m.contract: m.source for m in g.matches}
    key = got.get("order_id")
    if key is None or not ("amount" in got or {"quantity", "price"} <= set(got)):
        return False
    ids = [v for v in g.sample.values.get(key, []) if v not in (None, "")]
    if not ids or len(set(ids)) == len(ids):
        return False
    g.notes.append(
        f"read from the same file as demand: {key!r} repeats over lines ({len(ids) - len(set(ids)):,} "
        f"of {len(ids):,} sampled lines share a receipt), so the receipts are orders too, every one "
        "a guest's (no customer column): orders and the average ticket are counted"
    )
    return True


def _guests_only(g: Guess) -> bool:
    """Orders without a customer column (a till or payout export): every order a guest's. Such
    a file is orders only when it fits no other table (a POS's dish lines are demand)."""
    return g.table == "orders" and not any(m.contract == "user_id" for m in g.matches)


def _orders_over_demand(fits: list[Guess]) -> list[Guess]:
    """Order lines with a customer column are orders, never demand (pre-aggregated sales for
    data without order lines, which the customer chapters cannot use): demand is struck from
    the file's fits, with a note when it had scored higher."""
    orders = next((g for g in fits if g.table == "orders"), None)
    user = next((m for m in orders.matches if m.contract == "user_id"), None) if orders else None
    demand = next((g for g in fits if g.table == "demand"), None)
    if orders is None or user is None or user.score < 0.8 or demand is None:
        return fits
    if demand.score > orders.score:
        orders.notes.append(
            f"orders, not demand (score {demand.score}): {user.source!r} is a customer column, "
            "so these are order lines"
        )
    return [orders, *(g for g in fits if g is not orders and g is not demand)]


_NO_TIME = (
    ": no timestamp column (orders need user_id, timestamp, amount; events user_id, "
    "timestamp, event; demand item_id, timestamp, quantity)"
)


_NEEDS = {"orders": ("user_id", "timestamp", "amount"), "events": ("user_id", "timestamp", "event"),
          "demand": ("item_id", "timestamp", "quantity")}  # fmt: skip
_OR = {"amount": "amount (or quantity and price)"}


def _one_short(cols: dict[str, _Values]) -> str:
    """``": found user_id 'userid', ..., but no column is named as amount (...) for orders"``:
    the columns found by name for the tables one required column short, and that column
    (byod13a D3: a ``price_usd`` hid a purchase log without a word why), else ``""``."""
    found: dict[str, str] = {}
    short: list[str] = []
    for t, need in _NEEDS.items():
        got = {c: next((x for x in cols if name_score(x, c, TABLES[t]) >= 0.6), None) for c in need}
        missing = [c for c, x in got.items() if x is None]
        if len(missing) == 1:
            found |= {c: x for c, x in got.items() if x is not None}
            short.append(f"{_OR.get(missing[0], missing[0])} for {t}")
    if not short:
        return ""
    have = ", ".join(f"{c} {x!r}" for c, x in found.items())
    return f": found {have}, but no column is named as {', '.join(short)}"


def _keyed(cols: dict[str, _Values]) -> bool:
    """Whether a column is named as a customer, order or item id (``user_id``, ``order_id``)."""
    orders = TABLES["orders"]
    ids = ("user_id", "order_id", "item_id")
    return any(name_score(c, k, orders) >= 0.8 for c in cols for k in ids)


def _has_time(cols: dict[str, _Values]) -> bool:
    """Whether a column of the file reads as timestamps (by name or values): without one,
    only users, items, inventory, tickets and kb can fit (Instacart's orders have
    ``order_number`` and ``days_since_prior_order``, no date)."""
    ts = TABLES["orders"].column("timestamp")
    return any(
        (
            name_score(c, "timestamp", TABLES["orders"])
            or v.native_timestamp >= 0.95
            or _year_months(v)
        )
        and values_fit(v, ts, TABLES["orders"])[0]
        for c, v in cols.items()
    )


def _same_shape(a: Guess, b: Guess) -> bool:
    """Two files read alike: same kind, no sheets, the same columns in order, same options."""
    sa, sb = a.sample, b.sample
    return (
        sa.sheet is None
        and sb.sheet is None
        and sa.pattern is None
        and sb.pattern is None
        and sa.table is None
        and sb.table is None
        and "".join(sa.path.suffixes) == "".join(sb.path.suffixes)
        and sa.columns == sb.columns
        and sa.options == sb.options
    )


def _common_start(texts: list[str]) -> str:
    first, last = min(texts), max(texts)
    n = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b), None)
    return first[: len(first) if n is None else n]


def _join_parts(g: Guess, others: list[Guess], folder: Path) -> None:
    """Read a split export (``orders_2023.csv``, ``orders_2024.csv``) as one table: when other
    files placed on ``g``'s table have its shape, set ``g.pattern`` to a glob matching exactly
    them, preferring one cut at a separator (``orders_*.csv`` also takes next year's file)."""
    parts = [g, *(o for o in others if _same_shape(g, o))]
    if len(parts) < 2:
        return
    names = sorted(p.sample.path.name for p in parts)
    head = _common_start(names)
    tail = _common_start([n[len(head) :][::-1] for n in names])[::-1]
    cut = max(head.rfind(c) for c in "_-. ") + 1
    for pattern in (f"{head[:cut]}*{tail}", f"{head}*{tail}"):
        if pattern.startswith("*") or any(c in pattern for c in "[]?"):
            continue
        if sorted(p.name for p in folder.glob(pattern)) == names:
            g.pattern = pattern
            g.notes.append(
                f"{len(names)} files with the same columns read as one: {', '.join(names)}"
            )
            return


def _join_sheets(g: Guess, others: list[Guess]) -> list[Guess]:
    """Read a workbook's sheets with one header (one per month: ``Jan 2024`` … ``Dec 2024``) as
    one table: set ``g``'s ``sheet`` to a glob matching exactly them (``* 2024``), else ``all``
    when they are every sheet, else their list; returns the other sheets' guesses."""
    s = g.sample
    if s.sheet is None:
        return []
    rest = {k: v for k, v in s.options.items() if k != "sheet"}

    def alike(o: Guess) -> bool:
        t = o.sample
        same = {k: v for k, v in t.options.items() if k != "sheet"} == rest
        return t.path == s.path and t.sheet is not None and t.columns == s.columns and same

    parts = [o for o in others if alike(o)]
    if not parts:
        return []
    every = _excel.sheet_names(s.path)  # the workbook's other sheets too (a price list)
    order = {n: i for i, n in enumerate(every)}
    names = sorted([s.sheet, *(str(o.sample.sheet) for o in parts)], key=lambda n: order[n])
    head = _common_start(names)
    tail = _common_start([n[len(head) :][::-1] for n in names])[::-1]
    pattern = f"{head}*{tail}"
    sheet: str | list[str] = names
    if pattern != "*" and [n for n in every if fnmatch.fnmatchcase(n, pattern)] == names:
        sheet = pattern
    elif len(names) == len(every):
        sheet = "all"
    g.options["sheet"] = sheet
    g.notes.append(
        f"{len(names)} sheets with the same columns read as one: {', '.join(names)} "
        f"(sheet: {sheet!r})"
    )
    return parts


def _zone_line(plan: Plan) -> str:
    """The ``data.timezone`` line: set to the zone the column names' script points to (a
    Chinese export's days are Beijing's), else a commented example to fill in."""
    if (by_text := _init_reviews.text_zone(plan.guesses)) is not None:
        return f"  timezone: {by_text[0]}  # {by_text[1]}"
    names = " ".join(c for g in plan.guesses for c in g.sample.columns)
    zone = next((z for pat, z, _ in SCRIPT_ZONES if pat.search(names)), None)
    if zone:
        return f"  timezone: {zone}  # the business's time zone (from the column names): check it"
    return "  # timezone: Europe/Berlin  # the business's time zone; without it days are UTC's"


def render(plan: Plan, *, source: str, company: str, currency: str) -> str:
    """The config as YAML, a comment above each table saying where it came from."""
    head = {"company": company, "currency": currency}
    out = [
        f"# Written by `opsai init` from {plan.origin}. Each table says which file it was",
        "# guessed from and how sure the guess is: check the mappings, then run",
        "#   opsai validate --config <this file>",
        yaml.safe_dump(head, allow_unicode=True, sort_keys=False).rstrip(),
        "data:",
        f"  source: {yaml.safe_dump(source).splitlines()[0]}",
        _zone_line(plan),
        "  tables:" + ("" if plan.guesses else " {}"),
    ]
    for g in plan.guesses:
        second = f"; next best: {g.runner_up[0]} ({g.runner_up[1]})" if g.runner_up else ""
        out.append(f"    # {g.table} <- {g.label}: {g.confidence} (score {g.score}{second})")
        out += [f"    # {n}" for n in g.notes]
        if same := [m.contract for m in g.matches if m.contract == m.source]:
            # a column named as the contract's is read without a mapping line: say so, or
            # the YAML looks as if it were not mapped (byod13b D8)
            out.append(f"    # read under their own names: {', '.join(same)}")
        block = yaml.safe_dump({g.table: g.spec()}, allow_unicode=True, sort_keys=False)
        out += ["    " + ln for ln in block.splitlines()]
    params: dict[str, dict[str, Any]] = {}
    for g in plan.guesses:
        for stem, values in g.parameters.items():
            params.setdefault(stem, {}).update(values)
    if params:
        out.append("# chapter parameters the data calls for (the notes above say why)")
        chapters = {stem: {"parameters": values} for stem, values in params.items()}
        out += yaml.safe_dump({"chapters": chapters}, allow_unicode=True).splitlines()
    if plan.unplaced:
        out.append("# Not placed:")
        out += [f"#   {label}: {why}" for label, why in plan.unplaced]
    return "\n".join(out) + "\n"


def describe(plan: Plan) -> list[str]:
    """Every mapping made, one line each, for the terminal."""
    lines = []
    for g in plan.guesses:
        opts = ", ".join(f"{k}={v!r}" for k, v in g.options.items())
        lines.append(f"{g.table} <- {g.label} ({g.confidence}, score {g.score})")
        if opts:
            lines.append(f"    options: {opts}")
        for m in g.matches:
            lines.append(f"    {m.contract:<15} = {m.source!r} (by {m.how})")
        mapped = {m.source for m in g.matches} | {g.options.get("messages", {}).get("sender")}
        mapped |= {d["from"] for d in g.options.get("derive", {}).values()}  # an address
        mapped |= {p for m in g.matches if PARTS_SEP in m.source for p in m.source.split(PARTS_SEP)}
        pivot = g.options.get("pivot", {})  # its key, value and time: pivoted, no attributes
        mapped |= {pivot.get(k) for k in ("key", "value", "latest_by")}
        split = g.options.get("explode", {}).get("column")
        if split:
            mapped.add(split)
            lines.append(f"    item_id, quantity = groups of explode's pattern on {split!r}")
        rest = [c for c in g.sample.columns if c not in mapped]
        if rest:
            lines.append(f"    kept as attributes: {', '.join(rest)}")
        lines += [f"    note: {n}" for n in g.notes]
    lines += [f"not placed: {label}: {why}" for label, why in plan.unplaced]
    return lines


def init_config(
    data_dir: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    *,
    company: str = "Our company",
    currency: str = "USD",
    force: bool = False,
) -> tuple[Path, Plan]:
    """Guess a config for the exports in ``data_dir`` and write it to ``out``.

    Args:
        data_dir: the folder of exports; or a database: a SQLite or DuckDB file, or a URL
            (``postgres://user@host/db``), whose tables are read as files are.
        out: the config to write (default ``<data_dir>/opsai.yaml``; next to a database file;
            in the current folder for a URL).
        company: the company's name, written to the config.
        currency: ISO code of the money columns.
        force: overwrite ``out`` when it exists.

    Returns:
        The config's path and the :class:`Plan` it was written from.

    Raises:
        ConfigError: ``out`` exists (without ``force``), or the folder holds no data file.
    """
    given = str(data_dir)
    url = "://" in given
    folder = Path.cwd() if url else Path(given).resolve()
    is_db = url or folder.is_file()
    path = Path(out) if out else (folder.parent if is_db and not url else folder) / "opsai.yaml"
    if path.exists() and not force:
        raise ConfigError(
            f"{path} already exists; pass --force to overwrite it, or --out another file"
        )
    if url:
        plan, source = plan_database(given, folder), given
    else:
        plan = plan_database(folder.name, folder.parent) if is_db else plan_folder(folder)
        source = Path(os.path.relpath(folder, path.resolve().parent)).as_posix()
    text = render(plan, source=source, company=company, currency=currency)
    path.write_text(text, encoding="utf-8")
    return path, plan
