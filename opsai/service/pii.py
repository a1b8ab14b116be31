"""Personal data redaction, applied to ticket text before it reaches a model output or report.

What is found, in this order (each step sees the text the previous steps left):

============  ==================================================================  ============
kind          what                                                                replaced by
============  ==================================================================  ============
``email``     ``name+tag@sub.example.com``                                        ``[EMAIL]``
``id_card``   Chinese resident ID (17 digits + check digit/X, ISO 7064 checked)   ``[ID]``
``card``      13-19 digits, optionally in groups split by spaces or dashes, that   ``[CARD]``
              pass the Luhn check
``address``   street addresses: Chinese, a road, street or lane and its number    ``[ADDRESS]``
              (``建国路88号``), with the province, city and district before it and
              the building, unit and room after it (``北京市朝阳区建国路88号3号楼
              1单元502室``); a housing estate's building (``阳光小区5栋2单元501``);
              English, German and French, a house number and a capitalised
              street name with its kind (``221B Baker Street``, ``5 W 42nd St.
              Apt 4B, New York, NY 10036``, ``Berliner Str. 12a``, ``12 rue de
              la Paix``), and PO boxes
``phone``     Chinese mobiles (``13812345678``, ``+86 138 1234 5678``),            ``[PHONE]``
              landlines (``010-12345678``), ``+`` international and North
              American numbers (``(212) 555-0100``)
``number``    any other run of 12+ digits (card-like numbers failing Luhn,         ``[NUMBER]``
              account numbers): masked because it might be personal
``order_id``  the configured order-id pattern; kept, masked or tokenised           see below
============  ==================================================================  ============

A run of 5+ digits (dashes allowed) right after an order keyword (``订单号``, ``订单编号``,
``单号``, ``订单``, ``order no.``, ``order number``, ``order #``, ``order id``, German
``Bestellung``/``Bestellnr.``/``Auftrag``, French ``commande``, Spanish ``pedido``, see
:data:`DEFAULT_ORDER_KEYWORDS`), or of 5+ digits right after a ``#`` (``refund for
#758062``: shop systems write order numbers so), is an order id too, found before the other kinds: Taobao,
JD and Pinduoduo order numbers are all digits (``订单号 3500089504990469503``) and would
otherwise be masked as ``[NUMBER]``, or as ``[CARD]`` when they pass the Luhn check by chance.
Digits right before a currency or a percent sign (``订单12345元``) are a price, not an id.
The same digits without the keyword are still masked as a card or a number. A bare English
``order`` (``order 100234``, ``order is 100234``) introduces one of 6+ digits too, unless they are a
card number, a phone number or a date (``order 4111111111111111`` stays a card).

Order ids are useful to an agent, so by default they are kept with their last four digits
(``o00001234`` -> ``o****1234``); ``order_mode="token"`` replaces them by ``[ORDER]``
and ``"keep"`` leaves them. Replacement tokens hold no digits, so redaction is idempotent.
Digits are matched with look-arounds, not ``\\b``, because Chinese characters count as word
characters (``手机13812345678谢谢``). Dates, times, prices and short numbers are left alone.

Matching runs on a folded view of the text, so personal data typed with a Chinese input
method's full-width characters (``１３８　００１３　８０００``, ``ｊａｎｅ＠ｅｘａｍｐｌｅ．ｃｏｍ``) or
left as HTML character references by a web form (``jane&#64;example.com``) is found too.
Only the matched spans are replaced; the rest of the text keeps its own characters.

Example:
    >>> redact("Mail john.doe+1@mail.example.com or call 138 1234 5678, order o00001234")
    'Mail [EMAIL] or call [PHONE], order o****1234'
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from opsai.errors import ConfigError

__all__ = [
    "DEFAULT_ORDER_KEYWORDS",
    "DEFAULT_ORDER_PATTERN",
    "KINDS",
    "Redactor",
    "find_order_ids",
    "luhn_valid",
    "mask_ids",
    "redact",
]

Kind = Literal["email", "address", "id_card", "card", "phone", "number", "order_id"]
KINDS: tuple[Kind, ...] = ("email", "address", "id_card", "card", "phone", "number", "order_id")
TOKENS: dict[str, str] = {
    "email": "[EMAIL]",
    "address": "[ADDRESS]",
    "card": "[CARD]",
    "id_card": "[ID]",
    "phone": "[PHONE]",
    "number": "[NUMBER]",
    "order_id": "[ORDER]",
}
DEFAULT_ORDER_PATTERN = r"(?<![A-Za-z0-9])[A-Za-z]{1,4}[-#]?\d{6,}(?![0-9])"
"""Letters then 6+ digits: ``o00001234``, ``ORD-20240701``, ``SO#1234567``."""

DEFAULT_ORDER_KEYWORDS = (
    r"订单编号|订单号码|订单号|订单|单号|注文番号|주문번호"
    r"|(?i:order[ ]?(?:no|nr|num|number|id|ref)\b\.?|order[ ]?#)"
    r"|(?i:(?<![A-Za-z])(?:bestellnummer|bestell-?nr|bestellung|auftragsnummer|auftragsnr|auftrag"
    r"|num[ée]ro de commande|commande|n[úu]mero de pedido|pedido|encomenda|numero d'ordine"
    r"|ordine|bestelnummer|bestelling)(?:[ ]?(?:(?:nr|no)\b|n[°º]))?\.?)"
)
"""Words that introduce an all-digit order id (matched on the folded text: ``订单号：`` too):
Chinese, Japanese, Korean, English, German (``Bestellung``, ``Bestellnr.``, ``Auftrag``),
French (``commande``), Spanish and Portuguese (``pedido``, ``encomenda``), Italian
(``ordine``) and Dutch (``bestelling``)."""

_EMAIL = re.compile(
    # the local part starts with a letter, digit or underscore, so a sentence's full stop
    # before an address ("回复.jane@example.com") stays
    r"(?<![A-Za-z0-9_%+])[A-Za-z0-9_][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
    r"\.[A-Za-z]{2,}"
)
EMAIL_PATTERN = _EMAIL
"""What counts as an e-mail address (the report masks these on every page)."""
_DIGIT_RUN = re.compile(r"(?<![\dA-Za-z.,+])\d(?:[ -]?\d){11,18}(?![\dA-Za-z]|[.,]\d)")
"""12-19 digits (spaces or dashes between them allowed), never part of a longer ASCII letter
and digit token: the digit run ``9259282436206`` inside the hex id
``d3a06af2b96c6a44d9259282436206e7`` (an MD5, Olist's ids) is no card and no number. Chinese
characters may touch it (``卡号6222021234567897``)."""
_HAN = r"(?:(?![的是在到址住寄送请我你他她把改和及或这那哪条第])[\u4e00-\u9fff])"
"""A Chinese character of a place name: not one of the little words that come before an
address in a sentence (``改成公司地址北京市…``, ``我住在建国路…``), so they stay, nor of a
road that is no name (``这条路3号封路``: this road, on the 3rd)."""
_CN_NUM = r"(?:\d+|[〇零一二三四五六七八九十百千]+)"
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_DIVISIONS = (
    rf"(?:(?:{_PROVINCES})(?:省|市|自治区|特别行政区)?|{_HAN}{{2,7}}?(?:省|自治区))?"
    rf"(?:{_HAN}{{1,6}}?(?:市|州|盟|地区))?"
    rf"(?:{_HAN}{{1,6}}?(?:区|县|旗))?"
    rf"(?:{_HAN}{{1,6}}?(?:镇|乡|街道))?"
)
_UNITS = (
    rf"(?:\s?(?:{_CN_NUM}(?:号楼|号院|号|栋|幢|座|单元|层|楼|室|户)|[A-Za-z]座|-\d{{1,4}}(?!\d)))*"
)
_CN_ADDRESS = re.compile(
    # (divisions) road|street|lane + number + 号 (building, unit, room): 北京市朝阳区建国路88号
    rf"{_DIVISIONS}{_HAN}{{1,10}}?(?:路|大街|街|大道|巷|弄|胡同|里)(?:{_CN_NUM}段)?\s?{_CN_NUM}号(?!线)"
    rf"{_UNITS}(?:\d{{3,4}}(?!\d))?"
    # divisions, then any road (道 too: 中山道): 上海市徐汇区中山道5号
    rf"|(?:(?:{_PROVINCES})(?:省|市)|{_HAN}{{1,6}}?(?:市|区|县))+{_HAN}{{1,10}}?道\s?{_CN_NUM}号(?!线)"
    rf"{_UNITS}(?:\d{{3,4}}(?!\d))?"
    # (divisions) an estate's building and more: 阳光小区5栋2单元501
    rf"|{_DIVISIONS}{_HAN}{{1,10}}?(?:小区|花园|公寓|大厦|家园|苑|新村)\s?{_CN_NUM}"
    rf"(?:号楼|栋|幢|座){_UNITS}(?:\d{{3,4}}(?!\d))?"
)
"""A Chinese street address (matched on the folded text: full-width digits are digits). A
city named alone (``我在北京市买的``) is none: a road, street or lane with its number, or an
estate's building, is needed."""
_EN_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl"
    r"|Terrace|Parkway|Pkwy|Circle|Highway|Hwy|Crescent)\.?(?![A-Za-z])"
)
_EN_WORD = r"(?:[A-Z][A-Za-z'’-]*|\d{1,3}(?:st|nd|rd|th))"
_EN_UNIT = r"(?:,?\s(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm)\.?\s?#?[A-Za-z0-9-]{1,6}|\s?#\d{1,5})"
_EN_TOWN = (
    r"(?:,\s[A-Z][A-Za-z.'-]*(?:\s[A-Z][A-Za-z.'-]*){0,2}"
    r"(?:,?\s[A-Z]{2})?(?:,?\s(?:\d{5}(?:-\d{4})?|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}))"
    r"|,?\s[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
)
_DE_STREET = (
    r"(?:[A-ZÄÖÜ][a-zäöüß]*(?:straße|strasse|str\.|weg|allee|gasse|platz|ufer)"
    r"|Straße|Strasse|Str\.)"
)
_EU_ADDRESS = (
    # German: Hauptstraße 5, Berliner Str. 12a, Am Rotweg 3 (, 10115 Berlin)
    rf"(?:[A-ZÄÖÜ][a-zäöüß]+\s)?{_DE_STREET}\s?\d{{1,4}}[a-z]?(?![\w])"
    r"(?:,\s\d{5}\s[A-ZÄÖÜ][a-zäöüß]+)?"
    # French: 12 rue de la Paix, 3 bis avenue Victor Hugo (, 75002 Paris)
    r"|(?<![\w#$£€.,])\d{1,4}(?:\s?(?:bis|ter))?,?\s(?:rue|avenue|boulevard|bd|chemin|allée"
    r"|impasse|quai)\s(?:(?:de|du|des|la|le|l'|d')\s?)*[A-ZÉÈ][\w'-]+(?:\s[A-ZÉÈ][\w'-]+){0,3}"
    r"(?:,\s\d{5}\s[A-ZÉÈ][\w-]+)?"
)
_EN_ADDRESS = re.compile(
    # a house number, a capitalised street name and its kind: 1600 Pennsylvania Avenue NW,
    # 221B Baker Street, 5 W 42nd St. Apt 4B, New York, NY 10036; then a PO box; then Europe
    r"(?<![\w#$£€.,:/-])\d{1,6}[A-Za-z]?(?:-\d{1,5})?\s"
    r"(?:(?:N|S|E|W|North|South|East|West)\.?\s)?"
    rf"(?:{_EN_WORD}\s){{1,3}}{_EN_SUFFIX}"
    r"(?:\s(?:NE|NW|SE|SW|N|S|E|W)(?![A-Za-z]))?"
    rf"{_EN_UNIT}?{_EN_TOWN}?"
    r"|(?<![A-Za-z])(?i:P\.?\s?O\.?\s?Box)\s\d{1,6}"
    rf"|{_EU_ADDRESS}"
)
"""An English, German or French street address: a house number and a capitalised street
name with its kind (``Street``, ``Ave``, ``Straße``, ``rue``), the flat and the town or
postcode after it when there; a PO box. A number before words without a street kind
(``2 Apple Watch``, ``3 Days``) is none."""
_ID_CARD = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_CN_MOBILE_RX = r"(?<![\dA-Za-z+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![\dA-Za-z])"
_CN_MOBILE = re.compile(_CN_MOBILE_RX)
_PHONES = [
    # Chinese mobile, optional +86/0086, optional 3-4-4 grouping
    _CN_MOBILE_RX,
    # Chinese landline with area code
    r"(?<![\d+])\(?0\d{2,3}\)?[ -]\d{7,8}(?!\d)",
    # + international: +44 20 7946 0958, +1 415-555-0100 (country codes never start with 0,
    # so a signed decimal such as +0.000871 is not a phone)
    r"(?<![\d\w])\+[1-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?!\d)",
    # North American without country code: (212) 555-0100, 212-555-0100, 212.555.0100
    r"(?<![\d\w])(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)",
]
_PHONE = re.compile("|".join(f"(?:{p})" for p in _PHONES))
_TOKEN = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|.", re.DOTALL)

# A text as (folded, original) pieces: runs of characters that fold to themselves form one
# piece (both sides equal, so it can be cut anywhere); a character that folds differently
# (full width, an HTML character reference) is a piece of its own and is never cut. A
# replacement becomes a piece whose two sides are its token.
_Pieces = list[tuple[str, str]]


def _pieces(text: str) -> _Pieces:
    if "&" not in text and unicodedata.is_normalized("NFKC", text):
        return [(text, text)]
    out: _Pieces = []
    run: list[str] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        folded = unicodedata.normalize("NFKC", html.unescape(raw) if len(raw) > 1 else raw)
        if folded == raw:
            run.append(raw)
            continue
        if run:
            out.append(("".join(run), "".join(run)))
            run = []
        out.append((folded, raw))
    if run:
        out.append(("".join(run), "".join(run)))
    return out


def _span(text: _Pieces, starts: list[int], a: int, b: int) -> _Pieces:
    """The pieces covering folded offsets ``[a, b)``; same-sided pieces are cut to fit."""
    out: _Pieces = []
    i = bisect_right(starts, a) - 1
    while i < len(text) and starts[i] < b:
        f, raw = text[i]
        if f == raw:
            f = f[max(a - starts[i], 0) : b - starts[i]]
            raw = f
        if f:
            out.append((f, raw))
        i += 1
    return out


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def luhn_valid(number: str) -> bool:
    """Whether a card number (separators allowed) passes the Luhn check.

    Example:
        >>> luhn_valid("4111 1111 1111 1111"), luhn_valid("4111 1111 1111 1112")
        (True, False)
    """
    digits = [int(c) for c in number if c.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _card(m: re.Match[str]) -> str | None:
    s = m.group(0)
    return "[CARD]" if luhn_valid(s) and not _CN_MOBILE.fullmatch(s) else None


def _n_digits(s: str) -> int:
    return sum(c.isdigit() for c in s)


def _id_card_valid(s: str) -> bool:
    body = s[:17]
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return s[17].upper() == check


_WEAK_ORDER_KEYWORD = r"(?<![A-Za-z])(?i:order)|(?P<order_hash>(?<![\w&#])(?<!(?i:order) )#(?=\d))"
"""A bare English ``order``, or a ``#`` right before the digits (Shopify, Zendesk and
WooCommerce write order numbers ``#1001``: ``refund for #758062``, ``Rechnung für
#123456``): the digits after it are an order id unless they are a card number, a phone
number or a date (``order 4111111111111111`` is still a card). After a ``#`` five digits are
enough; a ``#`` inside a word (``issue#123456``) introduces none."""
_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def _keyword_order_rx(keywords: str) -> re.Pattern[str]:
    """An order keyword, separators (``: # = 是 为``, an English ``is``), then the id (group
    ``order_digits``); group ``order_weak`` is set when the keyword was a bare ``order``."""
    return re.compile(
        rf"(?:{keywords}|(?P<order_weak>{_WEAK_ORDER_KEYWORD}))[\s:#=是为]{{0,3}}(?i:is\s+)?"
        r"(?P<order_digits>(?(order_weak)(?(order_hash)\d{5,}|(?<!\d)\d(?:-?\d){5,})"
        r"|(?<!\d)\d(?:-?\d){4,}))(?![\dA-Za-z元块円원%€$£¥￥])"
    )


def _keyword_order_id(m: re.Match[str]) -> str | None:
    """The all-digit order id a keyword match found, ``None`` where a bare ``order`` is
    followed by a card number, a phone number or a date (those are masked as such)."""
    digits = m.group("order_digits")
    if m.group("order_weak") is not None and (
        luhn_valid(digits) or _PHONE.fullmatch(digits) or _DATE.fullmatch(digits)
    ):
        return None
    return digits


def _mask_order(m: re.Match[str], mode: str) -> str | None:
    if "order_digits" not in m.re.groupindex:
        return _mask_order_id(m.group(0), mode)
    digits = _keyword_order_id(m)
    return None if digits is None else _mask_order_id(digits, mode)


def _mask_order_id(s: str, mode: str) -> str:
    if mode == "keep":
        return s
    if mode == "token":
        return TOKENS["order_id"]
    digits = [i for i, c in enumerate(s) if c.isdigit()]
    keep = set(digits[-4:])
    return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(s))


@dataclass
class Redactor:
    """Finds and replaces personal data; counts what it replaced.

    Args:
        kinds: which kinds to redact (default all, see the module docstring).
        order_pattern: regular expression of the business's order ids; ``None`` disables
            order-id handling (``order_keywords`` included).
        order_keywords: regular expression of the words that introduce an all-digit order
            id (:data:`DEFAULT_ORDER_KEYWORDS`); the digits after one are an order id, never
            a card or a number. ``None``: only ``order_pattern`` finds order ids.
        order_mode: ``"partial"`` keeps the last four digits, ``"token"`` writes
            ``[ORDER]``, ``"keep"`` leaves the id (it is still counted).
        extra_patterns: more ``{kind: regex}`` to replace by ``[KIND]``, applied first.

    Example:
        >>> r = Redactor(order_mode="token")
        >>> r("卡号6222 0212 3456 7897，手机13812345678")
        '卡号[NUMBER]，手机[PHONE]'
        >>> sorted(r.counts_.items())
        [('number', 1), ('phone', 1)]
    """

    kinds: Iterable[str] = KINDS
    order_pattern: str | None = DEFAULT_ORDER_PATTERN
    order_mode: Literal["partial", "token", "keep"] = "partial"
    order_keywords: str | None = DEFAULT_ORDER_KEYWORDS
    extra_patterns: dict[str, str] = field(default_factory=dict)
    counts_: Counter[str] = field(default_factory=Counter, init=False, repr=False)

    def __post_init__(self) -> None:
        self.kinds = tuple(self.kinds)
        unknown = sorted(set(self.kinds) - set(KINDS))
        if unknown:
            raise ConfigError(f"kinds: unknown {unknown}; choose from {list(KINDS)}")
        if self.order_mode not in ("partial", "token", "keep"):
            raise ConfigError(f"order_mode={self.order_mode!r}: use 'partial', 'token' or 'keep'")
        try:
            self._order = re.compile(self.order_pattern) if self.order_pattern else None
            self._order_kw = (
                _keyword_order_rx(self.order_keywords)
                if self._order is not None and self.order_keywords
                else None
            )
            self._extra = {k: re.compile(p) for k, p in self.extra_patterns.items()}
        except re.error as e:
            raise ConfigError(
                f"order_pattern/order_keywords/extra_patterns: invalid regex ({e})"
            ) from e

    def _sub(
        self,
        kind: str,
        rx: re.Pattern[str],
        text: _Pieces,
        repl: object = None,
        *,
        protect: bool = False,
    ) -> _Pieces:
        """Replace ``rx``'s matches; with ``protect`` the replacements are hidden from the
        later steps (a kept order id is not then masked as a number)."""
        folded = "".join(f for f, _ in text)
        starts = [0]
        for f, _ in text:
            starts.append(starts[-1] + len(f))
        out: _Pieces = []
        pos = 0  # folded offset settled so far
        for m in rx.finditer(folded):
            new = repl(m) if callable(repl) else TOKENS.get(kind, f"[{kind.upper()}]")
            if new is None or m.end() == m.start():
                continue
            # a pattern with an ``order_digits`` group replaces only it (the keyword before it stays)
            a, b = m.span("order_digits") if "order_digits" in rx.groupindex else m.span()
            i = bisect_right(starts, a) - 1  # a piece that folds differently is never cut
            if text[i][0] != text[i][1]:
                a = starts[i]
            j = bisect_left(starts, b) - 1
            if text[j][0] != text[j][1]:
                b = starts[j + 1]
            if a < pos:
                continue
            self.counts_[kind] += 1
            out += _span(text, starts, pos, a)
            out.append(("\0" * len(str(new)) if protect else str(new), str(new)))
            pos = b
        return out + _span(text, starts, pos, starts[-1])

    def __call__(self, text: str) -> str:
        """Redact one text (``None``/NaN -> ``""``)."""
        if not isinstance(text, str):
            return ""
        pieces = _pieces(text)
        for kind, rx in self._extra.items():
            pieces = self._sub(kind, rx, pieces)
        k = self.kinds
        mode = self.order_mode
        if "email" in k:
            pieces = self._sub("email", _EMAIL, pieces)
        if "order_id" in k and self._order_kw is not None:  # before cards: 订单号 + digits
            pieces = self._sub(
                "order_id", self._order_kw, pieces, lambda m: _mask_order(m, mode), protect=True
            )
        if "address" in k:  # before phones and numbers: 建国路88号 is no number
            pieces = self._sub("address", _CN_ADDRESS, pieces)
            pieces = self._sub("address", _EN_ADDRESS, pieces)
        if "id_card" in k:
            pieces = self._sub(
                "id_card",
                _ID_CARD,
                pieces,
                lambda m: "[ID]" if _id_card_valid(m.group(0)) else None,
            )
        if "card" in k:
            pieces = self._sub("card", _DIGIT_RUN, pieces, _card)
        if "phone" in k:
            pieces = self._sub(
                "phone", _PHONE, pieces, lambda m: "[PHONE]" if _n_digits(m.group(0)) >= 7 else None
            )
        if "number" in k:
            pieces = self._sub("number", _DIGIT_RUN, pieces)
        if "order_id" in k and self._order is not None:
            pieces = self._sub("order_id", self._order, pieces, lambda m: _mask_order(m, mode))
        return "".join(raw for _, raw in pieces)

    def mask_order_id(self, order_id: str) -> str:
        """An order id as this redactor shows it (``order_mode``), all-digit ids included
        (``self("3712849901234567")`` alone would mask it as a number).

        Example:
            >>> Redactor().mask_order_id("3712849901234567")
            '************4567'
        """
        return _mask_order_id(order_id, self.order_mode)

    def transform(self, texts: Iterable[str]) -> list[str]:
        """Redact many texts; ``counts_`` accumulates over calls."""
        return [self(t) for t in texts]

    def redact_frame(self, df: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
        """A copy of ``df`` with the text ``columns`` redacted."""
        out = df.copy()
        for c in columns:
            if c not in out.columns:
                raise ConfigError(
                    f"redact_frame: column {c!r} not in the frame ({list(out.columns)})"
                )
            out[c] = self.transform(out[c].tolist())
        return out


def redact(text: str, **options: object) -> str:
    """Redact one text with a :class:`Redactor` built from ``options``.

    Example:
        >>> redact("Order o00001234", order_mode="token")
        'Order [ORDER]'
    """
    return Redactor(**options)(text)  # type: ignore[arg-type]


def find_order_ids(
    text: str,
    *,
    pattern: str | None = DEFAULT_ORDER_PATTERN,
    keywords: str | None = DEFAULT_ORDER_KEYWORDS,
) -> list[str]:
    """The order ids in a raw text, in order of appearance (for slot filling).

    Ids matching ``pattern`` and, as :class:`Redactor` finds them, all-digit ids after an
    order keyword (``订单号 3712849901234567``, ``order no. 100234``, ``order 100234``; a
    phone or card number elsewhere in the text is not one). Full-width ids are found too and
    returned in ASCII (``ｏ００００１２３４`` -> ``o00001234``).

    Example:
        >>> find_order_ids("orders o00001234 and ORD-123456")
        ['o00001234', 'ORD-123456']
        >>> find_order_ids("订单号 3712849901234567，手机13812345678")
        ['3712849901234567']
    """
    if not pattern or not isinstance(text, str):
        return []
    folded = "".join(f for f, _ in _pieces(text))
    found: list[tuple[int, int, str]] = []
    if keywords:
        for m in _keyword_order_rx(keywords).finditer(folded):
            digits = _keyword_order_id(m)
            if digits is not None:
                found.append((*m.span("order_digits"), digits))
    for m in re.finditer(pattern, folded):
        if not any(a < m.end() and m.start() < b for a, b, _ in found):
            found.append((m.start(), m.end(), m.group(0)))
    return [s for _, _, s in sorted(found)]


def mask_ids(values: Iterable[object]) -> list[object]:
    """Customer ids as a page may show them: an id that is personal data (a phone number or
    e-mail address mapped as ``user_id``, as a call centre's export keys callers by phone)
    becomes ``[PHONE`` and 6 hex digits of its hash``]`` (``[EMAIL ...]``, ...), the same id
    always the same token; other ids stay as they are (byod11b D10: a call centre's escalation
    queue printed 15 callers' numbers on the chapter page).

    Example:
        >>> mask_ids(["+12824881413", "C-1001", None])
        ['[PHONE c66467]', 'C-1001', None]
    """
    import hashlib

    out: list[object] = []
    for v in values:
        r = Redactor(kinds=("email", "phone", "card", "id_card"), order_pattern=None)
        if not isinstance(v, str) or r(v) == v:
            out.append(v)
            continue
        kind = max(r.counts_, key=lambda k: r.counts_[k]).upper()
        out.append(f"[{kind} {hashlib.sha256(v.strip().lower().encode()).hexdigest()[:6]}]")
    return out
