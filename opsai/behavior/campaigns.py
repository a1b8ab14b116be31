"""Campaign uplift: did the customers a campaign targeted spend more than they would have?

Each campaign of the ``campaigns`` table (one row per targeted customer and campaign) is
measured by difference-in-differences on spend per customer-day: the targeted customers' spend
during the campaign against an equally long window just before it, divided by the same ratio
for a control group, so a season that lifts everyone's spend is not credited to the campaign.

The control group is every buyer in ``orders`` who was targeted by no campaign whose window
overlaps this one's (its before-window included): a customer in a concurrent campaign has a
lift of their own, which would blur the comparison. Buyers are every customer with an order
anywhere in the data, with zero spend in a window where they bought nothing (a targeted
customer who bought nothing during the campaign is part of its result). The 95% interval
resamples customers within each group (a seeded bootstrap). Orders and visit days (days with an
order) per customer-day get the same ratio, without an interval.

A list of a campaign's redeemers (the customers whose orders carry its discount code: what a
shop's order export holds) is no targeting list: its customers are chosen by having ordered
during the campaign, so their spend then is high by construction (byod12b D14). When (nearly)
every listed customer ordered during the campaign (:data:`REDEEMER_SHARE`) while the control's
share is far lower (:data:`REDEEMER_GAP`), the during-window lift is not reported; instead
orders per customer in the days after the campaign (:data:`AFTER_DAYS` at most) are set against
those of the control customers who also ordered during it, with the same kind of interval.

Per-customer window totals are computed in the engine (Ibis: DuckDB, PostgreSQL); only one row
per buyer comes back to pandas for the bootstrap.

Example:
    >>> import ibis, pandas as pd
    >>> days = pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-02", "2024-01-03"])
    >>> orders = ibis.memtable(pd.DataFrame({"user_id": ["a", "a", "b", "b"],
    ...     "timestamp": days, "amount": [2.0, 6.0, 2.0, 3.0]}))
    >>> targets = ibis.memtable(pd.DataFrame({"user_id": ["a"], "campaign": ["c1"],
    ...     "start": pd.to_datetime(["2024-01-03"]), "end": pd.to_datetime(["2024-01-03"])}))
    >>> r = uplift(orders, targets, min_users=1, n_boot=50).iloc[0]
    >>> float(r["ratio"]), float(r["extra_per_user"])  # a day's campaign: (6/2) / (3/2), 6 - 2 x 1.5
    (2.0, 3.0)
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from opsai.data.schema import AMOUNT, CAMPAIGN, END, ORDER_ID, START, TIMESTAMP, TYPE, USER_ID
from opsai.report.finding import Finding
from opsai.report.wording import money

MIN_USERS = 30
"""Fewest targeted customers (and control customers) a campaign is measured with: below it
one household's big week moves the ratio more than any campaign."""
N_BOOT = 1000
"""Bootstrap resamples of customers for the 95% interval."""
REDEEMER_SHARE = 0.95
"""Share of the listed customers with an order during the campaign from which the list looks
like its redeemers (selected on the outcome) rather than its targets ..."""
REDEEMER_GAP = 0.25
"""... when the control's share is lower by at least this much (a targeting list of loyal
customers against loyal controls stays a targeting list)."""
AFTER_DAYS = 90
"""Most days after a redeemers' campaign over which later orders are compared."""
MIN_AFTER_DAYS = 7
"""Fewest days after a redeemers' campaign the data must hold for the after comparison."""

COLUMNS = [
    "campaign", "type", "start", "end", "days", "targeted", "control", "spend_before",
    "spend_during", "control_before", "control_during", "ratio", "low", "high",
    "extra_per_user", "extra_total", "orders_ratio", "visits_ratio", "bought_during",
    "control_bought_during", "redeemers", "after_days", "after_orders", "matched_control",
    "matched_after_orders", "control_after_orders", "after_ratio", "after_low", "after_high",
    "skipped",
]  # fmt: skip
"""``uplift``'s columns: spend per customer-day in each window and group, the ratio with its
interval, the extra spend per targeted customer over the campaign (and for all of them), the
shares of targeted and control customers with an order during the campaign, whether the list
looks like its redeemers and, for such a list, orders per customer in the ``after_days`` after
the campaign (``after_orders``) against the ``matched_control`` customers in no campaign who
ordered during it (``matched_after_orders``; ``control_after_orders`` for all control
customers) with the ratio's interval, and the reason when a campaign is not measured (empty
otherwise)."""


def _windows(campaigns: ir.Table) -> pd.DataFrame:
    """One row per campaign: its type, start and end days and its number of targeted ids."""
    t = campaigns
    agg: dict[str, Any] = {
        "start": t[START].min(),
        "end": t[END].max(),
        "targeted": t[USER_ID].nunique(),
    }
    if TYPE in t.columns:
        agg["type"] = t[TYPE].cast("string").max()
    w = t.group_by(CAMPAIGN).aggregate(**agg).to_pandas()
    if "type" not in w:
        w["type"] = ""
    w["start"] = pd.to_datetime(w["start"]).dt.normalize()
    w["end"] = pd.to_datetime(w["end"]).dt.normalize()
    w[CAMPAIGN] = w[CAMPAIGN].astype(str)
    return w.sort_values("start", kind="stable", ignore_index=True)


def _per_user(
    orders: ir.Table, lo: pd.Timestamp, mid: pd.Timestamp, hi: pd.Timestamp
) -> pd.DataFrame:
    """Each buyer's spend, orders and visit days in ``[lo, mid)`` (before) and ``[mid, hi)``
    (during), computed in the engine; buyers without an order in either window are absent."""
    o = orders.filter((orders[TIMESTAMP] >= lo) & (orders[TIMESTAMP] < hi))
    before = o[TIMESTAMP] < mid
    day = o[TIMESTAMP].date()
    order = o[ORDER_ID].cast("string") if ORDER_ID in o.columns else None
    agg: dict[str, Any] = {
        "spend_b": ibis.ifelse(before, o[AMOUNT], 0.0).sum(),
        "spend_d": ibis.ifelse(before, 0.0, o[AMOUNT]).sum(),
        "visits_b": ibis.ifelse(before, day, ibis.null()).nunique(),
        "visits_d": ibis.ifelse(before, ibis.null(), day).nunique(),
    }
    if order is not None:  # an order's lines count once
        agg["orders_b"] = ibis.ifelse(before & order.notnull(), order, ibis.null()).nunique()
        agg["orders_d"] = ibis.ifelse(~before & order.notnull(), order, ibis.null()).nunique()
    else:  # each row is an order
        agg["orders_b"] = ibis.ifelse(before, 1, 0).sum()
        agg["orders_d"] = ibis.ifelse(before, 0, 1).sum()
    got = o.group_by(USER_ID).aggregate(**agg).to_pandas()
    got[USER_ID] = got[USER_ID].astype(str)
    return got.set_index(USER_ID).astype(float)


def _ratio(tb: float, td: float, cb: float, cd: float) -> float:
    """(targeted during / before) / (control during / before); NaN where a part is 0."""
    if min(tb, cb, cd) <= 0:
        return float("nan")
    return (td / tb) / (cd / cb)


def _boot(t: np.ndarray, c: np.ndarray, n_boot: int, seed: int) -> tuple[float, float]:
    """The 2.5% and 97.5% quantiles of the ratio over customer resamples: ``t`` and ``c`` are
    (customers, 2) arrays of spend before and during, resampled within each group."""
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    chunk = max(1, int(2e7 // max(len(t) + len(c), 1)))  # bounded memory for big panels
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        ti = rng.integers(0, len(t), (b, len(t)))
        ci = rng.integers(0, len(c), (b, len(c)))
        tm, cm = t[ti].mean(axis=1), c[ci].mean(axis=1)  # (b, 2): before, during
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append((tm[:, 1] / tm[:, 0]) / (cm[:, 1] / cm[:, 0]))
    r = np.concatenate(out)
    r = r[np.isfinite(r)]
    if not len(r):
        return float("nan"), float("nan")
    return float(np.quantile(r, 0.025)), float(np.quantile(r, 0.975))


def uplift(
    orders: ir.Table,
    campaigns: ir.Table,
    *,
    min_users: int = MIN_USERS,
    n_boot: int = N_BOOT,
    seed: int = 0,
) -> pd.DataFrame:
    """Difference-in-differences of spend per customer-day for each campaign.

    Args:
        orders: order lines with ``user_id``, ``timestamp`` and ``amount`` (an ``order_id``
            counts orders once; without it each row is an order). Rows without a customer id
            are left out.
        campaigns: the ``campaigns`` table: ``user_id``, ``campaign``, ``start``, ``end``
            (both days included), optionally ``type``.
        min_users: fewest targeted (and control) customers a campaign is measured with.
        n_boot: bootstrap resamples of customers for the 95% interval.
        seed: the bootstrap's random seed.

    Returns:
        One row per campaign (:data:`COLUMNS`), in start order. A campaign whose window
        starts within its own length of the data's first day (no before-window), ends after
        the data's last day, or has fewer than ``min_users`` targeted or control customers
        is not measured: ``skipped`` says why.
    """
    orders = orders.filter(orders[USER_ID].notnull())
    span = orders.aggregate(lo=orders[TIMESTAMP].min(), hi=orders[TIMESTAMP].max()).to_pandas()
    first = pd.Timestamp(span["lo"].iloc[0]).normalize()
    last = pd.Timestamp(span["hi"].iloc[0]).normalize()
    buyers = orders.select(USER_ID).distinct().to_pandas()[USER_ID].astype(str)
    everyone = pd.Index(buyers.unique())
    targets = campaigns.select(USER_ID, CAMPAIGN).distinct().to_pandas().astype(str)
    wins = _windows(campaigns)
    rows = []
    for w in wins.itertuples(index=False):
        days = int((w.end - w.start).days) + 1
        before = w.start - pd.Timedelta(days=days)
        row: dict[str, Any] = {
            "campaign": w.campaign, "type": w.type or "", "start": w.start, "end": w.end,
            "days": days, "skipped": "",
        }  # fmt: skip
        overlapping = wins[(wins["start"] <= w.end) & (wins["end"] >= before)][CAMPAIGN]
        mine = pd.Index(targets.loc[targets[CAMPAIGN] == w.campaign, USER_ID].unique())
        touched = pd.Index(targets.loc[targets[CAMPAIGN].isin(overlapping), USER_ID].unique())
        # sorted: the engine returns ids in no fixed order, and the seeded bootstrap
        # resamples by position
        treated = mine.intersection(everyone).sort_values()
        control = everyone.difference(touched).sort_values()
        row["targeted"], row["control"] = len(treated), len(control)
        if before < first:
            row["skipped"] = (
                f"no before-period: the data starts {first.date()}, and the {days} days before "
                f"the campaign's start ({w.start.date()}) reach back to {before.date()}"
            )
        elif w.end > last:
            row["skipped"] = f"it ends {w.end.date()}, after the data's last day ({last.date()})"
        elif len(treated) < min_users or len(control) < min_users:
            row["skipped"] = (
                f"{len(treated)} targeted and {len(control)} control customers with orders: "
                f"too few (at least {min_users} each)"
            )
        if row["skipped"]:
            rows.append(row)
            continue
        got = _per_user(orders, before, w.start, w.end + pd.Timedelta(days=1))
        t = got.reindex(treated, fill_value=0.0)
        c = got.reindex(control, fill_value=0.0)
        tb, td = t["spend_b"].mean() / days, t["spend_d"].mean() / days
        cb, cd = c["spend_b"].mean() / days, c["spend_d"].mean() / days
        ratio = _ratio(tb, td, cb, cd)
        low, high = _boot(
            t[["spend_b", "spend_d"]].to_numpy(), c[["spend_b", "spend_d"]].to_numpy(), n_boot, seed
        )
        extra = (td - tb * cd / cb) * days if cb > 0 else float("nan")
        row.update(
            spend_before=tb, spend_during=td, control_before=cb, control_during=cd,
            ratio=ratio, low=low, high=high, extra_per_user=extra, extra_total=extra * len(t),
            orders_ratio=_ratio(*(g[f"orders_{k}"].mean() for g in (t, c) for k in "bd")),
            visits_ratio=_ratio(*(g[f"visits_{k}"].mean() for g in (t, c) for k in "bd")),
        )  # fmt: skip
        share_t, share_c = _bought(t), _bought(c)
        row.update(bought_during=share_t, control_bought_during=share_c)
        row["redeemers"] = bool(share_t >= REDEEMER_SHARE and share_c <= share_t - REDEEMER_GAP)
        if row["redeemers"]:
            row.update(_after(orders, w.end, last, treated, control, got, n_boot, seed))
        rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["redeemers"] = out["redeemers"].eq(True)  # skipped campaigns: False
    return out


def _bought(g: pd.DataFrame) -> float:
    """Share of a group's customers with an order during the campaign."""
    return float((g["orders_d"] > 0).mean()) if len(g) else float("nan")


def _after(
    orders: ir.Table,
    end: pd.Timestamp,
    last: pd.Timestamp,
    treated: pd.Index,
    control: pd.Index,
    during: pd.DataFrame,
    n_boot: int,
    seed: int,
) -> dict[str, Any]:
    """Orders per customer in the days after a campaign (to the data's last day, at most
    :data:`AFTER_DAYS`): the listed customers against the control customers who also ordered
    during the campaign (a matched control: a redeemer ordered then by construction), with a
    bootstrap interval of the ratio; empty when fewer than :data:`MIN_AFTER_DAYS` follow."""
    lo = end + pd.Timedelta(days=1)
    days = min(int((last - end).days), AFTER_DAYS)
    if days < MIN_AFTER_DAYS:
        return {"after_days": max(days, 0)}
    got = _per_user(orders, lo, lo + pd.Timedelta(days=days), lo + pd.Timedelta(days=days))
    matched = control.intersection(during.index[during["orders_d"] > 0])
    t = got.reindex(treated, fill_value=0.0)["orders_b"].to_numpy()
    m = got.reindex(matched, fill_value=0.0)["orders_b"].to_numpy()
    c = got.reindex(control, fill_value=0.0)["orders_b"].to_numpy()
    out: dict[str, Any] = {
        "after_days": days, "after_orders": float(t.mean()), "matched_control": len(matched),
        "matched_after_orders": float(m.mean()) if len(m) else float("nan"),
        "control_after_orders": float(c.mean()) if len(c) else float("nan"),
    }  # fmt: skip
    if len(m) and m.mean() > 0:  # a column of ones: _boot's ratio is then mean(t) / mean(m)
        out["after_ratio"] = float(t.mean() / m.mean())
        ones_t, ones_m = np.ones_like(t), np.ones_like(m)
        out["after_low"], out["after_high"] = _boot(
            np.column_stack([ones_t, t]), np.column_stack([ones_m, m]), n_boot, seed
        )
    return out


def _name(r: Any) -> str:
    kind = f"{r.type}, " if r.type else ""
    return f"Campaign {r.campaign} ({kind}{r.start.date()} to {r.end.date()}, {r.days} days)"


def findings(table: pd.DataFrame, *, currency: str = "") -> list[Finding]:
    """A finding for each measured campaign whose 95% interval excludes 1 (a lift, or a fall);
    named ``campaign_<id>``, evidence ``direction`` ``"up"``/``"down"`` and the row's numbers."""
    out = []
    for r in table[table["skipped"] == ""].itertuples(index=False):
        if r.redeemers:
            out.append(_redeemers(r, currency))
            continue
        if not (r.low > 1 or r.high < 1):
            continue
        up = r.low > 1
        extra = (
            f"about {money(r.extra_per_user, currency, decimals=2)} "
            f"{'more' if up else 'less'} per targeted customer over the campaign "
            f"({money(r.extra_total, currency)} in all)"
        )
        text = (
            f"{_name(r)}: targeted customers spent {r.ratio:.2f}x what their trend predicts "
            f"(95% interval {r.low:.2f}-{r.high:.2f}): {r.spend_before:.3f} -> "
            f"{r.spend_during:.3f} {currency + ' ' if currency else ''}per customer-day for "
            f"the {r.targeted:,} targeted, against {r.control_before:.3f} -> "
            f"{r.control_during:.3f} for the {r.control:,} customers in no campaign then; "
            f"{extra}. Orders per customer-day: {r.orders_ratio:.2f}x, visit days "
            f"{r.visits_ratio:.2f}x."
        )
        if not up:
            text += " Review the campaign: its customers bought less than the others did."
        ev = {
            "campaign": str(r.campaign),
            "type": str(r.type),
            "start": str(r.start.date()),
            "end": str(r.end.date()),
            "direction": "up" if up else "down",
            **{
                k: float(getattr(r, k))
                for k in ("ratio", "low", "high", "extra_per_user", "extra_total")
            },
            "targeted": int(r.targeted),
            "control": int(r.control),
        }
        out.append(Finding(text, "medium", ev, name=f"campaign_{r.campaign}"))
    return out


def _redeemers(r: Any, currency: str) -> Finding:
    """A list that looks like the campaign's redeemers: no lift is reported; the orders per
    customer after it, against control customers who also ordered during it, are."""
    text = (
        f"{_name(r)}: {r.bought_during:.0%} of its {r.targeted:,} listed customers ordered during "
        f"it, against {r.control_bought_during:.0%} of the {r.control:,} customers in no "
        "campaign then: the list looks like the campaign's redeemers (customers listed because "
        "they used it), not the customers it targeted, so their spend during it is high by "
        "construction and is not reported as its effect."
    )
    solid = False
    if pd.notna(r.after_ratio):
        solid = bool(r.after_low > 1 or r.after_high < 1)
        text += (
            f" After it, in the {int(r.after_days)} days to "
            f"{(r.end + pd.Timedelta(days=r.after_days)).date()}: {r.after_orders:.2f} orders "
            f"per listed customer against {r.matched_after_orders:.2f} for the "
            f"{int(r.matched_control):,} customers in no campaign who also ordered during it "
            f"({r.after_ratio:.2f}x, 95% interval {r.after_low:.2f}-{r.after_high:.2f}; "
            f"{r.control_after_orders:.2f} for all {r.control:,} customers in no campaign)"
            + (
                ": its users came back more often than customers who ordered then without it "
                "(an association: its users may be keener customers to begin with)."
                if r.after_low > 1
                else (
                    ": its users came back less often."
                    if solid
                    else ": no difference beyond chance."
                )
            )
        )
    elif r.after_days < MIN_AFTER_DAYS:
        text += (
            f" The data holds {int(r.after_days)} days after it: too few to compare later orders."
        )
    text += (
        " To measure the campaign itself, map who it was sent to (those who did not use it "
        "included) or hold out a random part of them."
    )
    ev = {
        "campaign": str(r.campaign),
        "type": str(r.type),
        "start": str(r.start.date()),
        "end": str(r.end.date()),
        "direction": "redeemers",
        "bought_during": float(r.bought_during),
        "control_bought_during": float(r.control_bought_during),
        "targeted": int(r.targeted),
        "control": int(r.control),
        **{
            k: float(getattr(r, k))
            for k in (
                "after_orders",
                "matched_after_orders",
                "after_ratio",
                "after_low",
                "after_high",
            )
        },
        "after_days": int(r.after_days),
    }
    return Finding(text, "medium" if solid else "low", ev, name=f"campaign_{r.campaign}")


def skipped_note(table: pd.DataFrame) -> str:
    """The campaigns not measured and why ("" when every one was)."""
    s = table[table["skipped"] != ""]
    return "; ".join(f"campaign {r.campaign}: {r.skipped}" for r in s.itertuples(index=False))
