"""Stray times: a few rows dated far from all the others (an epoch 0, a 2037 placeholder) would
make the data's latest day, the report's "now", a day with no activity; they are left out
when the table is read, with a warning that counts them and names the ``where`` to choose
the rows instead."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from opsai.data._mapping import ValidationWarning
from opsai.data.schema import TIMESTAMP

BULK = (0.01, 0.99)
"""The quantiles of a table's times that bound where its rows are."""
REACH = 3.0
"""A time is a stray when it lies more than ``REACH`` times the bulk's width (at least a day)
before or after the bulk."""
MAX_SHARE = 0.01
"""Never more than this share of a table's rows is left out as strays."""


def stray_times(t: ir.Table, name: str) -> tuple[ir.Table, ValidationWarning] | None:
    """``t`` less the rows whose timestamp lies far outside the bulk of its times, and the
    warning saying so; None when there are none (or the engine cannot take quantiles)."""
    if TIMESTAMP not in t.columns:
        return None
    sec = t[TIMESTAMP].epoch_seconds()
    try:
        b = t.aggregate(lo=sec.quantile(BULK[0]), hi=sec.quantile(BULK[1])).to_pandas().iloc[0]
    except Exception:  # an engine without quantiles: no check rather than no report
        return None
    if pd.isna(b["lo"]) or pd.isna(b["hi"]):
        return None
    reach = REACH * max(float(b["hi"]) - float(b["lo"]), 86400.0)
    out = (sec < float(b["lo"]) - reach) | (sec > float(b["hi"]) + reach)
    total, n = (
        t.aggregate(total=t.count(), n=ibis.ifelse(out, 1, 0).sum()).to_pandas().iloc[0].tolist()
    )
    total, n = int(total), int(n or 0)
    if not n or n > MAX_SHARE * total:
        return None
    kept = t.filter(~out.fill_null(False))
    span = kept.aggregate(a=kept[TIMESTAMP].min(), b=kept[TIMESTAMP].max()).to_pandas().iloc[0]
    day = t.filter(out)[TIMESTAMP].date().name("day")
    days = day.value_counts().to_pandas().sort_values("day")
    shown = ", ".join(
        f"{int(r.iloc[1]):,} on {pd.Timestamp(r.iloc[0]).date()}"
        for _, r in days.head(6).iterrows()
    )
    first, last = pd.Timestamp(span["a"]).date(), pd.Timestamp(span["b"]).date()
    after = (last + pd.Timedelta(days=1)).isoformat()
    text = (
        f"{n:,} of {total:,} row(s) ({n / total:.2%}) are dated far outside the rest ({first} to {last}): "
        f"{shown}{', ...' if len(days) > 6 else ''}. They were left out, so the report's latest "
        f"day is {last}. To choose the rows yourself set data.tables.{name}.where "
        f"(e.g. where: \"timestamp >= '{first}' AND timestamp < '{after}'\"); with a where "
        "this check is off"
    )
    return kept, ValidationWarning(name, TIMESTAMP, text, n, major=True)
