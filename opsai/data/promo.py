"""How a ``demand`` table's ``promo`` column reads: a flag (or share of days) above 0 on
promotion, or a discount written as a negative amount.

A scanner panel writes its promotions as the money taken off the line (Dunnhumby's
``RETAIL_DISC`` -0.60, 0 at full price): every value is 0 or below, so "above 0 is a
promotion" would read the whole table as never on promotion (byod10a D18). A promo column
with negative values and none above 0 is read as such a discount: a promotion wherever it
is not 0. Validation, chapter 04's uplift and the forecasting models' promo feature all read
it through :func:`promo_flags`.

Example:
    >>> t = promo_flags(ws.table("demand"))        # doctest: +SKIP
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from opsai.data.schema import PROMO


def is_discount(neg: int, top: float | None) -> bool:
    """Whether a promo column with ``neg`` negative values and ``top`` its largest value is a
    discount written as a negative amount (none above 0)."""
    return neg > 0 and top is not None and top <= 0


def discount_rows(t: ir.Table) -> int:
    """The rows with a negative promo when ``t``'s promo is a discount (negative values and
    none above 0), else 0."""
    if PROMO not in t.columns:
        return 0
    r = t.aggregate(neg=ibis.ifelse(t[PROMO] < 0, 1, 0).sum(), top=t[PROMO].max()).to_pandas()
    neg, top = int(r["neg"].iloc[0] or 0), r["top"].iloc[0]
    return neg if is_discount(neg, None if top is None else float(top)) else 0


def promo_flags(t: ir.Table, discount: int | None = None) -> ir.Table:
    """``t`` with a discount promo (:func:`discount_rows`, or ``discount`` when already
    counted) read as a 0/1 flag: 1 where it is below 0, 0 where it is 0, empty where empty;
    any other promo as it is."""
    if not (discount_rows(t) if discount is None else discount):
        return t
    p = t[PROMO]
    flag = ibis.ifelse(p < 0, 1.0, 0.0)
    return t.mutate(**{PROMO: ibis.ifelse(p.isnull(), ibis.null("float64"), flag)})
