"""Personal data redaction, applied to ticket text before it reaches a model output or report.

What is found, in this order (each step sees the text the previous steps left):

============  ==================================================================  ============
kind          what                                                                replaced by
============  ==================================================================  ============
``email``     ``name+tag@sub.example.com``                                        ``[EMAIL]``
``id_card``   Chinese resident ID (17 digits + check digit/X, ISO 7064 checked)   ``[ID]``
``card``      13-19 digits, optionally in groups split by spaces or dashes, that   ``[CARD]``
              pass the Luhn check
``phone``     Chinese mobiles (``13812345678``, ``+86 138 1234 5678``),            ``[PHONE]``
              landlines (``010-12345678``), ``+`` international and North
              American numbers (``(212) 555-0100``)
``number``    any other run of 12+ digits (card-like numbers failing Luhn,         ``[NUMBER]``
              account numbers): masked because it might be personal
``order_id``  the configured order-id pattern; kept, masked or tokenised           see below
============  ==================================================================  ============

Order ids are useful to an agent, so by default they are kept with their last four digits
(``o00001234`` -> ``o****1234``); ``order_mode="token"`` replaces them by ``[ORDER]``
and ``"keep"`` leaves them. Replacement tokens hold no digits, so redaction is idempotent.
Digits are matched with look-arounds, not ``\\b``, because Chinese characters count as word
characters (``手机13812345678谢谢``). Dates, times, prices and short numbers are left alone.

Example:
    >>> redact("Mail john.doe+1@mail.example.com or call 138 1234 5678, order o00001234")
    'Mail [EMAIL] or call [PHONE], order o****1234'
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from opsai.errors import ConfigError

__all__ = [
    "DEFAULT_ORDER_PATTERN",
    "KINDS",
    "Redactor",
    "find_order_ids",
    "luhn_valid",
    "redact",
]

Kind = Literal["email", "id_card", "card", "phone", "number", "order_id"]
KINDS: tuple[Kind, ...] = ("email", "id_card", "card", "phone", "number", "order_id")
TOKENS: dict[str, str] = {
    "email": "[EMAIL]",
    "card": "[CARD]",
    "id_card": "[ID]",
    "phone": "[PHONE]",
    "number": "[NUMBER]",
    "order_id": "[ORDER]",
}
DEFAULT_ORDER_PATTERN = r"(?<![A-Za-z0-9])[A-Za-z]{1,4}[-#]?\d{6,}(?![0-9])"
"""Letters then 6+ digits: ``o00001234``, ``ORD-20240701``, ``SO#1234567``."""

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_DIGIT_RUN = re.compile(r"(?<![\d.,+])\d(?:[ -]?\d){11,18}(?![\d]|[.,]\d)")
_ID_CARD = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_CN_MOBILE_RX = r"(?<![\d+])(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)"
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


def _mask_order(m: re.Match[str], mode: str) -> str:
    s = m.group(0)
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
            order-id handling.
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
            self._extra = {k: re.compile(p) for k, p in self.extra_patterns.items()}
        except re.error as e:
            raise ConfigError(f"order_pattern/extra_patterns: invalid regex ({e})") from e

    def _sub(self, kind: str, rx: re.Pattern[str], text: str, repl: object = None) -> str:
        def one(m: re.Match[str]) -> str:
            out = repl(m) if callable(repl) else TOKENS.get(kind, f"[{kind.upper()}]")
            if out is None:
                return m.group(0)
            self.counts_[kind] += 1
            return str(out)

        return rx.sub(one, text)

    def __call__(self, text: str) -> str:
        """Redact one text (``None``/NaN -> ``""``)."""
        if not isinstance(text, str):
            return ""
        for kind, rx in self._extra.items():
            text = self._sub(kind, rx, text)
        k = self.kinds
        if "email" in k:
            text = self._sub("email", _EMAIL, text)
        if "id_card" in k:
            text = self._sub(
                "id_card", _ID_CARD, text, lambda m: "[ID]" if _id_card_valid(m.group(0)) else None
            )
        if "card" in k:
            text = self._sub("card", _DIGIT_RUN, text, _card)
        if "phone" in k:
            text = self._sub(
                "phone", _PHONE, text, lambda m: "[PHONE]" if _n_digits(m.group(0)) >= 7 else None
            )
        if "number" in k:
            text = self._sub("number", _DIGIT_RUN, text)
        if "order_id" in k and self._order is not None:
            mode = self.order_mode
            text = self._sub("order_id", self._order, text, lambda m: _mask_order(m, mode))
        return text

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


def find_order_ids(text: str, *, pattern: str | None = DEFAULT_ORDER_PATTERN) -> list[str]:
    """The order ids in a raw text, in order of appearance (for slot filling).

    Example:
        >>> find_order_ids("orders o00001234 and ORD-123456")
        ['o00001234', 'ORD-123456']
    """
    if not pattern or not isinstance(text, str):
        return []
    return re.findall(pattern, text)
