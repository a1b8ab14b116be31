"""Contact-centre figures: abandon rate, service level and speed of answer per queue, and the
weekday whose waits stand out (byod11b D12).

A call centre's export carries what a ticket system's does not: whether the caller hung up in
the queue (``abandoned``) and how long they waited (``wait_seconds``). Without these figures
a support lead could not see that 7.8% of calls were abandoned, that 27-29% were answered
within 20 seconds, or that Monday's median wait (82 s) was twice the other days' (40 s).
Outbound calls (a ``channel`` named outbound or outgoing) have no caller waiting and are left
out. With a ``resolved_at`` (the talk time, as a duration after the start) and ``hold_seconds``,
the average handle time per queue counts the talk and the hold; the waits per weekday and hour
show when callers wait, and an hour of the day whose waits stand out is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.report.finding import Finding

__all__ = [
    "OUTBOUND",
    "contact_centre",
    "contact_finding",
    "hour_wait_finding",
    "wait_by_hour",
    "wait_by_weekday",
    "weekday_wait_finding",
]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

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
    col_hold: str = S.HOLD_SECONDS,
    col_time: str = S.TIMESTAMP,
    col_resolved: str = S.RESOLVED_AT,
    col_channel: str = S.CHANNEL,
) -> pd.DataFrame:
    """Abandon rate, service level, speed of answer and handle time of the customers' calls,
    overall (the first row, ``all``) and per value of the ``by`` columns (a queue mapped as
    intent).

    Args:
        answer_seconds: the service level's threshold: the share of offered calls answered
            within this many seconds (abandoned calls count as offered, not as answered).

    Returns:
        ``column``, ``value``, ``calls`` (offered: answered and abandoned), and with an
        ``abandoned`` column ``abandoned`` and ``abandon_rate``; with ``wait_seconds``
        ``service_level`` and ``median_wait_seconds`` / ``p90_wait_seconds`` (the speed of
        answer: answered calls' waits); with a ``resolved_at`` (the talk time: a duration
        after the start, ``TableSpec.durations``) ``handled`` (answered calls with a talk
        time) and ``handle_minutes`` (their mean talk time plus hold: the average handle
        time), with ``hold_seconds`` also ``hold_minutes`` (their mean hold). Empty when the
        tickets have none of ``abandoned``, ``wait_seconds`` and ``hold_seconds``: a ticket
        system's ``resolved_at`` is a closing time, no handle time.
    """
    has_ab, has_wait = col_abandoned in tickets.columns, col_wait in tickets.columns
    has_hold = col_hold in tickets.columns
    if not (has_ab or has_wait or has_hold):
        return pd.DataFrame()
    t = _inbound(tickets, col_channel)
    gone = (
        t[col_abandoned].fillna(0).astype(float).to_numpy() > 0
        if has_ab
        else np.zeros(len(t), bool)
    )
    wait = t[col_wait].astype(float).to_numpy() if has_wait else np.full(len(t), np.nan)
    d = pd.DataFrame({"gone": gone, "wait": wait, "fast": ~gone & (wait <= answer_seconds)})
    has_talk = col_resolved in t.columns and col_time in t.columns
    if has_talk:  # talk minutes: none for an abandoned call (resolution_hours)
        from opsai.service.analytics import resolution_hours

        talk = 60 * resolution_hours(t, col_time=col_time, col_resolved=col_resolved)
        d["talk"] = talk.to_numpy(float)
        d.loc[d["gone"], "talk"] = np.nan
        hold = t[col_hold].astype(float).to_numpy() / 60 if has_hold else np.zeros(len(t))
        d["hold"] = np.where(d["talk"].notna(), np.nan_to_num(hold), np.nan)
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
        if has_talk:
            handled = g.dropna(subset=["talk"])
            row |= {
                "handled": len(handled),
                "handle_minutes": float((handled["talk"] + handled["hold"]).mean())
                if len(handled)
                else np.nan,
            }
            if has_hold:
                row["hold_minutes"] = float(handled["hold"].mean()) if len(handled) else np.nan
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
    out.insert(0, "weekday", [WEEKDAYS[int(x)] for x in out.pop("day")])
    return out


def wait_by_hour(
    tickets: pd.DataFrame,
    *,
    col_time: str = S.TIMESTAMP,
    col_wait: str = S.WAIT_SECONDS,
    col_channel: str = S.CHANNEL,
) -> pd.DataFrame:
    """The callers' waits per weekday and hour of the day (the hour the call started, in the
    data's time zone): ``weekday`` (Monday first), ``hour`` (0-23), ``calls``,
    ``median_wait_seconds``; only the hours with calls. Every inbound call's wait counts, an
    abandoned one's too. Empty without times or waits."""
    if col_wait not in tickets.columns or col_time not in tickets.columns:
        return pd.DataFrame()
    t = _inbound(tickets, col_channel)
    ts = pd.to_datetime(t[col_time], errors="coerce")
    d = pd.DataFrame({"day": ts.dt.day_of_week, "hour": ts.dt.hour,
                      "wait": t[col_wait].astype(float)}).dropna()  # fmt: skip
    out = d.groupby(["day", "hour"]).agg(
        calls=("wait", "size"), median_wait_seconds=("wait", "median")
    )
    out = out.reset_index()
    out.insert(0, "weekday", [WEEKDAYS[int(x)] for x in out.pop("day")])
    out["hour"] = out["hour"].astype(int)
    return out


def _slowest_wait(
    tickets: pd.DataFrame,
    group: str,
    *,
    min_ratio: float,
    min_calls: int,
    alpha: float,
    col_time: str,
    col_wait: str,
    col_channel: str,
) -> dict[str, Any] | None:
    """:func:`~opsai.service.findings.slowest_group` of the inbound calls' waits grouped by
    their ``group`` ("hour": the hour band "12:00-12:59"; "weekday": the day's name), with
    its p-value in words (``p_text``); ``None`` without waits and times, or when no group
    stands out."""
    from opsai.service.findings import slowest_group

    if col_wait not in tickets.columns or col_time not in tickets.columns:
        return None
    t = _inbound(tickets, col_channel)
    when = pd.to_datetime(t[col_time], errors="coerce")
    key = (
        when.dt.hour.map(lambda h: f"{int(h):02d}:00-{int(h):02d}:59", na_action="ignore")
        if group == "hour"
        else when.dt.day_name()
    )
    s = slowest_group(key, t[col_wait].astype(float), min_n=min_calls, min_ratio=min_ratio,
                      alpha=alpha)  # fmt: skip
    if s is None:
        return None
    p_value = s["p_value"]
    return s | {"p_text": "p < 1e-10" if p_value < 1e-10 else f"p = {p_value:.1g}"}


def _wait_evidence(s: dict[str, Any]) -> dict[str, Any]:
    return {"median_wait_seconds": s["median"], "others_median_wait_seconds": s["others"],
            "ratio": round(s["ratio"], 3), "calls": s["tickets"], "p_value": s["p_value"]}  # fmt: skip


def hour_wait_finding(
    tickets: pd.DataFrame,
    *,
    min_ratio: float = 1.5,
    min_calls: int = 20,
    alpha: float = 0.01,
    col_time: str = S.TIMESTAMP,
    col_wait: str = S.WAIT_SECONDS,
    col_channel: str = S.CHANNEL,
) -> Finding | None:
    """The hour of the day (every weekday together) whose callers wait longest, when its
    median wait is ``min_ratio`` times the other hours' and a one-sided Mann-Whitney U test
    (Bonferroni over the hours with ``min_calls`` calls) says it is more than noise; ``None``
    otherwise, as :func:`weekday_wait_finding` for the weekdays."""
    s = _slowest_wait(tickets, "hour", min_ratio=min_ratio, min_calls=min_calls, alpha=alpha,
                      col_time=col_time, col_wait=col_wait, col_channel=col_channel)  # fmt: skip
    if s is None:
        return None
    slow, ratio = s["value"], s["ratio"]
    text = (
        f"Callers wait longest between {slow[:5]} and {slow[6:]}: median {s['median']:.0f} s "
        f"against {s['others']:.0f} s at the other hours ({ratio:.1f}x; {s['tickets']:,} calls; "
        f"Mann-Whitney U, {s['p_text']}, Bonferroni over {s['tested']} hours). Add agents then "
        "or move breaks and callbacks out of that hour."
    )
    ev = {"hours": slow, "hour": int(slow[:2]), **_wait_evidence(s)}
    return Finding(text, "medium" if ratio < 2 else "high", ev, name="wait_hour")


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
    s = _slowest_wait(tickets, "weekday", min_ratio=min_ratio, min_calls=min_calls,
                      alpha=alpha, col_time=col_time, col_wait=col_wait,
                      col_channel=col_channel)  # fmt: skip
    if s is None:
        return None
    slow, ratio = s["value"], s["ratio"]
    text = (
        f"Callers wait longest on {slow}s: median {s['median']:.0f} s against "
        f"{s['others']:.0f} s on the other days ({ratio:.1f}x; {s['tickets']:,} calls; "
        f"Mann-Whitney U, {s['p_text']}, Bonferroni over {s['tested']} weekdays). Add agents on "
        f"{slow}s or move work off them."
    )
    ev = {"weekday": slow, **_wait_evidence(s)}
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
    if "handle_minutes" in table.columns and pd.notna(top["handle_minutes"]):
        lead = "" if parts else f"Of {int(top['calls']):,} customer calls, "
        text = f"{lead}answered calls took {top['handle_minutes']:.1f} min on average"
        if "hold_minutes" in table.columns:
            text += f" including {top['hold_minutes']:.1f} min on hold"
            ev["hold_minutes"] = float(top["hold_minutes"])
        text += " (handle time"
        known = rest.dropna(subset=["handle_minutes"])
        if len(known) > 1:
            worst = known.sort_values("handle_minutes", ascending=False).iloc[0]
            text += f"; longest in '{worst['value']}': {worst['handle_minutes']:.1f} min"
        parts.append(text + ")")
        ev |= {"handle_minutes": float(top["handle_minutes"]), "handled": int(top["handled"])}
    return Finding("; ".join(parts) + ".", "info", ev, name="contact_centre")
