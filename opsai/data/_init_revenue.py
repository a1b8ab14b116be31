"""``opsai init``: what an order line's revenue is, when the export holds several candidates.

DataCo's supply-chain order lines (byod11a D15) carry the gross ``Sales`` (price x quantity,
an exact synonym of the amount) beside ``Order Item Total`` (after the line's ``Order Item
Discount``), and an ``Order Status`` whose states mix sold (``COMPLETE``, ``PROCESSING``), void
(``CANCELED``, ``SUSPECTED_FRAUD``) and unsettled ones (``PENDING_PAYMENT``, ``ON_HOLD``, ...):
mapped as they came, revenue was 13% above the net of the void lines. The amount becomes the net
total when gross - discount = net on the sampled rows, and a ``where`` leaves out the void states
when the payment-status rule of :mod:`opsai.data.init` finds the column too mixed to read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from opsai.data._synonyms import name_score, name_words
from opsai.data.schema import ORDER_STATUS, TABLES

if TYPE_CHECKING:
    from opsai.data._sniff import Sample
    from opsai.data.init import Guess, Match, _Values

DISCOUNT_WORDS = {
    "discount",
    "discounts",
    "rabatt",
    "descuento",
    "remise",
    "sconto",
    "折扣",
    "优惠",
}
"""Words of a line's discount in money (``Order Item Discount``)."""
RATE_WORDS = {"rate", "ratio", "pct", "percent", "percentage", "share"}
"""Words of a rate (``Order Item Discount Rate``): no money to subtract."""
NET_WORDS = {"total", "net", "netto"}
"""Words that name a net total first among equal candidates (``Order Item Total`` before
``Sales per customer``)."""
VOID_WORDS = {"cancel", "canceled", "cancelled", "canceling", "cancellation", "fraud",
              "fraudulent", "refunded", "refund", "void", "voided", "failed", "declined",
              "rejected", "chargeback", "storniert", "storno", "cancelado", "cancelada",
              "anulado", "annulé", "annule"}  # fmt: skip
"""Words of an order state that is no sale (``CANCELED``, ``SUSPECTED_FRAUD``, ``Refunded``)."""
PARTIAL_WORDS = {"partially", "partial", "partly"}
"""``partially_refunded``: paid, part of it returned; still a sale."""
MAX_STATES = 20
"""Most distinct states of a status column read for void states."""
NET_SHARE = 0.95
"""Share of the sampled rows where gross - discount must equal the net total."""


def _numbers(sample: Sample, col: str) -> list[float | None]:
    from opsai.data.init import _line_numbers

    return _line_numbers(sample, col)


def _is_discount(name: str) -> bool:
    words = set(name_words(name))
    return bool(words & DISCOUNT_WORDS) and not words & RATE_WORDS


def net_amount(sample: Sample, matches: dict[str, Match], cols: dict[str, _Values]) -> str | None:
    """A gross amount (``Sales``) beside a discount column and a net total equal to gross -
    discount on the sampled rows (``Order Item Total``): the amount becomes the net total, what
    the customer was charged for the line. Changes ``matches``; returns the note saying so."""
    from opsai.data.init import Match

    gross = matches.get("amount")
    if gross is None:
        return None
    used = {m.source for m in matches.values()}
    g = _numbers(sample, gross.source)
    orders = TABLES["orders"]
    discounts = [
        c for c, v in cols.items() if c not in used and _is_discount(c) and v.numeric >= 0.9
    ]
    nets = [
        c
        for c, v in cols.items()
        if c not in used
        and c not in discounts
        and v.numeric >= 0.9
        and name_score(c, "amount", orders) >= 0.6
    ]
    nets.sort(key=lambda c: not set(name_words(c)) & NET_WORDS)  # stable: else file order
    for d in discounts:
        off = _numbers(sample, d)
        for c in nets:
            net = _numbers(sample, c)
            rows = [
                (a, b, n)
                for a, b, n in zip(g, off, net, strict=False)
                if a is not None and b is not None and n is not None
            ]
            same = sum(abs(a - b - n) <= 0.011 for a, b, n in rows)
            cut = [(a, n) for a, b, n in rows if b > 0.005]
            if not cut or same < NET_SHARE * len(rows):
                continue
            below = sum(a for a, _ in cut) and 1 - sum(n for _, n in cut) / sum(a for a, _ in cut)
            matches["amount"] = Match("amount", c, name_score(c, "amount", orders))
            return (
                f"amount is {c!r}, each line's value after its discount ({d!r}): "
                f"{gross.source!r} (before the discount) is kept as an attribute; on the "
                f"{len(cut)} sampled line(s) with a discount the net is {below:.1%} below it"
            )
    return None


def void_states(values: list[str]) -> list[str]:
    """The states of a status column that are no sale (``CANCELED``, ``SUSPECTED_FRAUD``)."""
    out = []
    for x in sorted(set(values)):
        words = set(name_words(x))
        if words & VOID_WORDS and not words & PARTIAL_WORDS:
            out.append(x)
    return out


def void_where(
    guess: Guess,
    cols: dict[str, _Values],
    status_column: Callable[[str], bool],
    sold: Callable[[str], bool],
    sql_name: Callable[[str], str],
    share: Callable[[Guess, str, list[str]], str],
) -> None:
    """A status column holding sold states beside void ones and many unsettled ones (DataCo's
    ``Order Status``: COMPLETE, PROCESSING; CANCELED, SUSPECTED_FRAUD; PENDING_PAYMENT,
    ON_HOLD, PAYMENT_REVIEW, ...), too mixed for :func:`opsai.data.init._payment_status`:
    ``where`` leaves out the void states only, and the note names the others, kept."""
    if "where" in guess.options:
        return
    used = {m.source for m in guess.matches if m.contract != ORDER_STATUS}  # still read
    for c, v in cols.items():
        states = set(v.values)
        if c in used or not status_column(c) or not 2 < len(states) <= MAX_STATES:
            continue
        dropped = void_states(v.values)
        done = sorted(x for x in states if sold(x))
        if not dropped or not done:
            continue  # Delivery Status 'Shipping canceled' beside 'Late delivery': no sale state
        other = sorted(states - set(dropped) - set(done))
        col = sql_name(c)
        listed = ", ".join(f"'{x}'" for x in dropped)
        guess.options["where"] = f"{col} NOT IN ({listed})"
        counts = ", ".join(f"{x} {v.values.count(x)}" for x in dropped)
        only = (
            f"{col} = '{done[0]}'" if len(done) == 1 else f"{col} IN ({', '.join(map(repr, done))})"
        )
        rest = (
            f"; it keeps {', '.join(map(repr, other))} (neither sold nor void yet: check them)"
            if other
            else ""
        )
        guess.notes.append(
            f"where leaves out the orders {c!r} says are void ({counts} of {len(v.values)} "
            f"sampled rows), which are no revenue{share(guess, c, dropped)}{rest}; for "
            f"{'/'.join(done)} orders only, set where to {only}"
        )
        return


NOT_CHARGE_WORDS = {"days", "day", "hours", "hour", "minutes", "weeks", "time", "times", "risk",
                    "flag", "late", "delay", "delayed", "status", "mode", "type", "date", "id",
                    "code", "no", "nr", "scheduled", "real", "estimated", "lead"}  # fmt: skip
"""Words of a shipping column that is no charge: a duration (``Days for shipping (real)``),
a flag (``Late_delivery_risk``), a state, a mode or a date."""


def charge(name: str, numbers: list[float]) -> bool:
    """Whether a shipping-named number column can be a charge in money (``freight_value``,
    ``Shipping Cost``): not a duration, a flag or a code by name, nor 0/1 values only."""
    if set(name_words(name)) & NOT_CHARGE_WORDS:
        return False
    return not numbers or not set(numbers) <= {0.0, 1.0}
