"""Contact-centre figures: abandon rate, service level and speed of answer per queue, and the
weekday whose waits stand out (byod11b D12).

A call centre's export carries what a ticket system's does not: whether the caller hung up in
the queue (``abandoned``) and how long they waited (``wait_seconds``). Without these figures
a support lead could not see that 7.8% of calls were abandoned, that 27-29% were answered
within 20 seconds, or that Monday's median wait (82 s) was twice the other days' (40 s).
Outbound calls (a ``channel`` named outbound or outgoing) have no caller waiting and are left
out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.report.finding import Finding

__all__ = [
    "OUTBOUND",
    "contact_centre",
    "contact_finding",
    "wait_by_weekday",
    "weekday_wait_finding",
]

OUTBOUND = ("outbound", "outgoing", "out", "外呼", "呼出")
"""Channel values (case-insensitive) of calls the centre placed: no caller waited in a queue."""


def _inbound(tickets: pd.DataFrame, col_channel: str) -> pd.DataFrame:
    if col_channel not in tickets.columns:
        return tickets
    out = tickets[col_channel].astype("string").str.strip().str.lower().isin(OUTBOUND)
    return tickets[~out.fillna(False).to_numpy(bool)]


def contact_centre(
    tickets: pd.DataFrame,
    *,
    answer_seconds: float = 20,
    by: Sequence[str] = (S.INTENT,),
    col_abandoned: str = S.ABANDONED,
    col_wait: str = S.WAIT_SECONDS,
    col_channel: str = S.CHANNEL,
) -> pd.DataFrame:
    """Abandon rate, service level and speed of answer of the customers' calls, overall (the
    first row, ``all``) and per value of the ``by`` columns (a queue mapped as intent).

    Args:
        answer_seconds: the service level's threshold: the share of offered calls answered
            within this many seconds (abandoned calls count as offered, not as answered).

    Returns:
        ``column``, ``value``, ``calls`` (offered: answered and abandoned), and with an
        ``abandoned`` column ``abandoned`` and ``abandon_rate``; with ``wait_seconds``
        ``service_level`` and ``median_wait_seconds`` / ``p90_wait_seconds`` (the speed of
        answer: answered calls' waits). Empty when the tickets have neither column.
    """
    has_ab, has_wait = col_abandoned in tickets.columns, col_wait in tickets.columns
    if not (has_ab or has_wait):
        return pd.DataFrame()
    t = _inbound(tickets, col_channel)
    gone = (
        t[col_abandoned].fillna(0).astype(float).to_numpy() > 0
        if has_ab
        else np.zeros(len(t), bool)
    )
    wait = t[col_wait].astype(float).to_numpy() if has_wait else np.full(len(t), np.nan)
    d = pd.DataFrame({"gone": gone, "wait": wait, "fast": ~gone & (wait <= answer_seconds)})
    groups: list[tuple[str, str, pd.Series]] = [("all", "all", pd.Series(True, index=d.index))]
    for col in [c for c in by if c in t.columns]:
        v = t[col].astype("string").fillna("unknown").to_numpy()
        groups += [(col, str(x), pd.Series(v == x, index=d.index)) for x in sorted(set(v))]
    rows = []
    for col, value, sel in groups:
        g = d[sel.to_numpy()]
        answered = g.loc[~g["gone"], "wait"].dropna()
        row: dict[str, object] = {"column": col, "value": value, "calls": len(g)}
        if has_ab:
            row |= {"abandoned": int(g["gone"].sum()), "abandon_rate": float(g["gone"].mean())}
        if has_wait:
            row |= {
                "service_level": float(g["fast"].mean()),
                "median_wait_seconds": float(answered.median()) if len(answered) else np.nan,
                "p90_wait_seconds": float(answered.quantile(0.9)) if len(answered) else np.nan,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def wait_by_weekday(
    tickets: pd.DataFrame,
    *,
    col_time: str = S.TIMESTAMP,
    col_wait: str = S.WAIT_SECONDS,
    col_abandoned: str = S.ABANDONED,
    col_channel: str = S.CHANNEL,
) -> pd.DataFrame:
    """The callers' waits per weekday: ``weekday`` (Monday first), ``calls``,
    ``median_wait_seconds``; with ``abandoned``, ``abandon_rate``. Every inbound call's wait
    counts, an abandoned one's too (the time the caller held on). Empty without times or
    waits."""
    if col_wait not in tickets.columns or col_time not in tickets.columns:
        return pd.DataFrame()
    t = _inbound(tickets, col_channel)
    ts = pd.to_datetime(t[col_time], errors="coerce")
    d = pd.DataFrame({"day": ts.dt.day_of_week, "wait": t[col_wait].astype(float)})
    if col_abandoned in t.columns:
        d["gone"] = t[col_abandoned].fillna(0).astype(float) > 0
    d = d.dropna(subset=["day", "wait"])
    agg: dict[str, tuple[str, str]] = {
        "calls": ("wait", "size"),
        "median_wait_seconds": ("wait", "median"),
    }
    if "gone" in d:
        agg["abandon_rate"] = ("gone", "mean")
    out = d.groupby("day").agg(**agg).reset_index()
    names = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    out.insert(0, "weekday", [names[int(x)] for x in out.pop("day")])
    return out


def weekday_wait_finding(
    tickets: pd.DataFrame,
    *,
    min_ratio: float = 1.5,
    min_calls: int = 20,
    alpha: float = 0.01,
    col_time: str = S.TIMESTAMP,
    col_wait: str = S.WAIT_SECONDS,
    col_channel: str = S.CHANNEL,
) -> Finding | None:
    """The weekday whose callers wait longest, when its median wait is ``min_ratio`` times
    the other days' and a one-sided Mann-Whitney U test (Bonferroni over the weekdays with
    ``min_calls`` calls) says it is more than noise; ``None`` otherwise. A call centre's
    Monday waits (median 82 s against 40 s) were in no page."""
    from opsai.service.findings import slowest_group

    if col_wait not in tickets.columns or col_time not in tickets.columns:
        return None
    t = _inbound(tickets, col_channel)
    day = pd.to_datetime(t[col_time], errors="coerce").dt.day_name()
    wait = t[col_wait].astype(float)
    s = slowest_group(day, wait, min_n=min_calls, min_ratio=min_ratio, alpha=alpha)
    if s is None:
        return None
    slow, others, ratio, p_value = s["value"], s["others"], s["ratio"], s["p_value"]
    med0, n, tested = s["median"], s["tickets"], s["tested"]
    p = "p < 1e-10" if p_value < 1e-10 else f"p = {p_value:.1g}"
    text = (
        f"Callers wait longest on {slow}s: median {med0:.0f} s against {others:.0f} s on "
        f"the other days ({ratio:.1f}x; {n:,} calls; Mann-Whitney U, {p}, Bonferroni over "
        f"{tested} weekdays). Add agents on {slow}s or move work off them."
    )
    ev = {"weekday": slow, "median_wait_seconds": med0, "others_median_wait_seconds": others,
          "ratio": round(ratio, 3), "calls": n, "p_value": p_value}  # fmt: skip
    return Finding(text, "medium" if ratio < 2 else "high", ev, name="wait_weekday")


def contact_finding(table: pd.DataFrame, *, answer_seconds: float = 20) -> Finding | None:
    """One sentence of :func:`contact_centre`'s table: "7.8% of 16,853 customer calls were
    abandoned (most in 'Cancellations': 8.2%); 28% were answered within 20 seconds; answered
    calls waited a median 41 s." ``None`` for an empty table."""
    if table.empty:
        return None
    top = table.iloc[0]
    parts: list[str] = []
    ev: dict[str, object] = {"calls": int(top["calls"])}
    rest = table.iloc[1:]
    if "abandon_rate" in table.columns:
        text = f"{top['abandon_rate']:.1%} of {int(top['calls']):,} customer calls were abandoned"
        if len(rest) > 1:
            worst = rest.sort_values("abandon_rate", ascending=False).iloc[0]
            text += f" (most in '{worst['value']}': {worst['abandon_rate']:.1%})"
        parts.append(text)
        ev |= {"abandoned": int(top["abandoned"]), "abandon_rate": float(top["abandon_rate"])}
    if "service_level" in table.columns:
        lead = "" if parts else f"Of {int(top['calls']):,} customer calls, "
        parts.append(
            f"{lead}{top['service_level']:.0%} were answered within {answer_seconds:g} seconds"
        )
        if pd.notna(top["median_wait_seconds"]):
            parts.append(f"answered calls waited a median {top['median_wait_seconds']:.0f} s")
        ev |= {"service_level": float(top["service_level"]), "answer_seconds": answer_seconds,
               "median_wait_seconds": float(top["median_wait_seconds"])}  # fmt: skip
    return Finding("; ".join(parts) + ".", "info", ev, name="contact_centre")
