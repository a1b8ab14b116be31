"""A/B test: the users attribute that assigns each user a variant, its arms compared.

:func:`experiment_column` finds the users attribute that splits users into the arms of an
experiment (Cookie Cats' ``version``, gate_30 / gate_40): a column named like one
(``version``, ``variant``, ``group``, ``arm``, ``test_group``, ``experiment``, ...) with 2 to
:data:`MAX_ARMS` values of at least :data:`MIN_ARM_USERS` users each, roughly balanced
(the smallest arm at least :data:`MIN_BALANCE` of the largest); or the column a chapter
parameter names. :func:`compare_arms` compares every arm with the control on what the data
records per user: its outcome flags (``retention_1``, ``retention_7``, a churn label), whether
the user bought (conversion), revenue per user and active days. A share's difference gets a
95% Wald interval and a z-test, a mean's a Welch t-test and its interval (scipy); the p-values
are adjusted for the number of outcomes tested (Benjamini-Hochberg). :func:`sample_ratio`
tests the split against an equal one (a sample ratio mismatch: the assignment or the logging
lost users of one arm). :func:`experiment_finding` says it in one sentence (byod13a D12).

Example:
    >>> col = experiment_column(users)  # doctest: +SKIP
    >>> table = compare_arms(users, col, orders=orders, activity=activity)  # doctest: +SKIP
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from opsai.behavior._engine import TableLike, as_table, to_frame
from opsai.behavior.attributes import outcome_name
from opsai.data._synonyms import name_words
from opsai.data.schema import AMOUNT, TIMESTAMP, USER_ID
from opsai.errors import ConfigError
from opsai.report.finding import Finding

MAX_ARMS = 4
"""Most values of an experiment column (A/B, A/B/C, A/B/C/D)."""
MIN_ARM_USERS = 100
"""Fewest users in each arm of a detected experiment."""
MIN_BALANCE = 0.5
"""Least size of the smallest arm against the largest for a column to be read as an
experiment's assignment without being named by the parameter (a 50/50 or 40/60 split; a
``customer_group`` of 80% retail and 20% wholesale is no experiment)."""
SRM_P = 0.001
"""p-value of the chi-square test of the split against an equal one under which the arms'
sizes are a sample ratio mismatch (the usual threshold of online experiments)."""
ALPHA = 0.05
"""Adjusted p-value under which an arm's difference on an outcome is clear."""

_ARM_WORDS = frozenset({
    "version", "variant", "variants", "variation", "arm", "treatment", "experiment", "ab",
    "bucket",
})  # fmt: skip
_PLAIN_ARM_WORDS = frozenset({"group", "test", "cell", "condition", "split"})
"""Words that name an arm only alone or together (``group``, ``test_group``), not with
another (``age_group``, ``customer_group`` are segments)."""
_CONTROL = re.compile(r"^(control|ctrl|baseline|base|a|old|current|default|holdout)$", re.I)
_LOWER_BETTER = frozenset({"churn", "churned", "churner", "attrition", "cancelled", "canceled"})

COLUMNS = [
    "outcome", "kind", "arm", "control", "users", "control_users", "value", "control_value",
    "diff", "low", "high", "p_value", "p_adjusted", "clear", "higher_is_better",
]  # fmt: skip
""":func:`compare_arms`'s columns: ``kind`` "share" (``value`` a fraction, ``diff`` in
fraction points) or "mean"."""


def _arm_name(name: str) -> bool:
    words = set(name_words(name))
    return bool(words & _ARM_WORDS) or (bool(words) and words <= _PLAIN_ARM_WORDS)


def experiment_column(
    users: pd.DataFrame | None, *, column: str = "", col_user: str = USER_ID
) -> str | None:
    """The users column holding each user's experiment arm, or ``None``.

    ``column`` (a chapter's ``EXPERIMENT_COLUMN``) is taken as it is, after checking it exists
    and has 2 to :data:`MAX_ARMS` values; else the first column named like an arm that has
    2..:data:`MAX_ARMS` values, each of :data:`MIN_ARM_USERS` users or more, the smallest at
    least :data:`MIN_BALANCE` of the largest.

    Raises:
        ConfigError: ``column`` is not a users column or has too few or too many values.
    """
    if column:
        if users is None or column not in users:
            have = ", ".join(map(str, users.columns)) if users is not None else "no users table"
            raise ConfigError(
                f"EXPERIMENT_COLUMN: {column!r} is not a column of the users table ({have}); "
                "name the users attribute that holds each user's variant, or leave it empty"
            )
        n = users[column].nunique()
        if not 2 <= n <= MAX_ARMS:
            raise ConfigError(
                f"EXPERIMENT_COLUMN: users.{column} has {n} distinct values; an experiment's "
                f"arms are 2 to {MAX_ARMS} values (gate_30 / gate_40, control / treatment)"
            )
        return column
    if users is None:
        return None
    for col in users.columns:
        if col == col_user or not _arm_name(str(col)) or outcome_name(col):
            continue
        v = users[col]
        if pd.api.types.is_float_dtype(v) or pd.api.types.is_datetime64_any_dtype(v):
            continue
        sizes = v.value_counts()
        if not 2 <= len(sizes) <= MAX_ARMS or int(sizes.min()) < MIN_ARM_USERS:
            continue
        if sizes.min() >= MIN_BALANCE * sizes.max():
            return str(col)
    return None


def _arms(values: pd.Series) -> list[Any]:
    """The arms, the control first: a value named control/baseline/A/..., else the first in
    sort order (gate_30 before gate_40)."""
    arms = sorted(values.dropna().unique(), key=str)
    control = next((a for a in arms if _CONTROL.match(str(a))), arms[0])
    return [control, *[a for a in arms if a != control]]


def _flag(v: pd.Series) -> pd.Series | None:
    """A yes/no column as 0.0/1.0 (missing stays missing), else ``None``."""
    if pd.api.types.is_bool_dtype(v):
        return v.astype("float")
    x = v.dropna()
    if x.empty:
        return None
    text = x.astype(str).str.strip().str.lower()
    yes, no = {"true", "1", "1.0", "yes", "y"}, {"false", "0", "0.0", "no", "n"}
    if not set(text.unique()) <= yes | no or text.nunique() != 2:
        return None
    return (
        v.astype(str)
        .str.strip()
        .str.lower()
        .map(lambda s: 1.0 if s in yes else 0.0)
        .where(v.notna())
    )


def _align(per: pd.DataFrame, out: pd.DataFrame) -> pd.DataFrame:
    """``per`` on ``out``'s users (ids compared as text when their types differ)."""
    if per.index.dtype == out.index.dtype:
        return per.reindex(out.index)
    per = per.set_axis(per.index.astype(str))
    return per.reindex(out.index.astype(str)).set_axis(out.index)


def per_user_outcomes(
    users: pd.DataFrame,
    column: str,
    *,
    orders: TableLike | None = None,
    activity: TableLike | None = None,
    col_user: str = USER_ID,
) -> pd.DataFrame:
    """One row per user with an arm: ``arm`` and the outcomes the data records.

    The users' flags named like an outcome (:func:`~opsai.behavior.attributes.outcome_name`:
    ``retention_7``, ``churned``); with orders ``converted`` (bought at least once) and
    ``revenue_per_user`` (0 for those who did not buy; with an ``amount``); with activity
    ``active_days`` (distinct days active)."""
    u = users.loc[users[column].notna(), [col_user, column]].drop_duplicates(col_user)
    out = u.rename(columns={column: "arm"}).set_index(col_user)
    for col in users.columns:
        if col in (col_user, column) or not outcome_name(col):
            continue
        flag = _flag(users.drop_duplicates(col_user).set_index(col_user)[col])
        if flag is not None:
            out[str(col)] = flag.reindex(out.index)
    if orders is not None:
        t = as_table(orders, name="orders")
        agg: dict[str, Any] = {"n": t.count()}
        if AMOUNT in t.columns:
            agg["revenue"] = t[AMOUNT].sum()
        per = _align(to_frame(t.group_by(t[col_user]).aggregate(**agg)).set_index(col_user), out)
        out["converted"] = (per["n"].fillna(0) > 0).astype(float)
        if "revenue" in per:
            out["revenue_per_user"] = per["revenue"].fillna(0.0).astype(float)
    if activity is not None:
        t = as_table(activity, name="activity")
        days = t.select(u=t[col_user], d=t[TIMESTAMP].date()).distinct()
        per = _align(
            to_frame(days.group_by("u").aggregate(active_days=days.count())).set_index("u"), out
        )
        out["active_days"] = per["active_days"].fillna(0).astype(float)
    return out


def _share_test(a: pd.Series, b: pd.Series) -> tuple[float, float, float, float]:
    """``diff, low, high, p`` of ``b``'s share less ``a``'s: Wald 95% interval, z-test."""
    pa, pb, na, nb = a.mean(), b.mean(), len(a), len(b)
    se = float(np.sqrt(pa * (1 - pa) / na + pb * (1 - pb) / nb))
    diff = float(pb - pa)
    z = stats.norm.ppf(0.975)
    p = float(2 * stats.norm.sf(abs(diff) / se)) if se > 0 else (1.0 if diff == 0 else 0.0)
    return diff, diff - z * se, diff + z * se, p


def _mean_test(a: pd.Series, b: pd.Series) -> tuple[float, float, float, float]:
    """``diff, low, high, p`` of ``b``'s mean less ``a``'s: Welch's t-test and its interval."""
    res = stats.ttest_ind(b, a, equal_var=False)
    ci = res.confidence_interval(0.95)
    diff = float(b.mean() - a.mean())
    p = float(res.pvalue) if np.isfinite(res.pvalue) else 1.0
    low, high = (float(ci.low), float(ci.high)) if np.isfinite(ci.low) else (diff, diff)
    return diff, low, high, p


def compare_arms(per_user: pd.DataFrame) -> pd.DataFrame:
    """Every arm against the control on every outcome of :func:`per_user_outcomes`.

    Returns:
        :data:`COLUMNS`, one row per outcome and non-control arm; ``clear`` where the
        Benjamini-Hochberg adjusted p-value is under :data:`ALPHA`.
    """
    arms = _arms(per_user["arm"])
    control = arms[0]
    rows = []
    for col in [c for c in per_user.columns if c != "arm"]:
        v = per_user[col]
        share = bool(v.dropna().isin([0.0, 1.0]).all()) and col != "active_days"
        a = v[per_user["arm"] == control].dropna()
        for arm in arms[1:]:
            b = v[per_user["arm"] == arm].dropna()
            if len(a) < 2 or len(b) < 2:
                continue
            diff, low, high, p = (_share_test if share else _mean_test)(a, b)
            rows.append({
                "outcome": col, "kind": "share" if share else "mean", "arm": arm,
                "control": control, "users": len(b), "control_users": len(a),
                "value": float(b.mean()), "control_value": float(a.mean()), "diff": diff,
                "low": low, "high": high, "p_value": p,
                "higher_is_better": not set(name_words(col)) & _LOWER_BETTER,
            })  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c not in ("p_adjusted", "clear")])
    if out.empty:
        return pd.DataFrame(columns=COLUMNS)
    out["p_adjusted"] = stats.false_discovery_control(out["p_value"].to_numpy(float))
    out["clear"] = out["p_adjusted"] < ALPHA
    return out[COLUMNS]


def sample_ratio(per_user: pd.DataFrame) -> dict[str, Any]:
    """The arms' sizes and shares and the chi-square test against an equal split:
    ``{"sizes", "shares", "p_value", "mismatch"}`` (``mismatch`` under :data:`SRM_P`)."""
    arms = _arms(per_user["arm"])
    sizes = per_user["arm"].value_counts().reindex(arms)
    p = float(stats.chisquare(sizes.to_numpy(float)).pvalue)
    return {
        "sizes": {str(k): int(v) for k, v in sizes.items()},
        "shares": {str(k): float(v / sizes.sum()) for k, v in sizes.items()},
        "p_value": p,
        "mismatch": p < SRM_P,
    }


def _value(r: pd.Series, key: str, currency: str) -> str:
    v = float(r[key])
    if r["kind"] == "share":
        return f"{v:.2%}"
    unit = f" {currency}" if r["outcome"] == "revenue_per_user" and currency else ""
    return f"{v:,.2f}{unit}" if abs(v) < 100 else f"{v:,.0f}{unit}"


def _diff(r: pd.Series, key: str) -> str:
    v = float(r[key])
    return f"{100 * v:+.2f} pp" if r["kind"] == "share" else f"{v:+,.2f}"


def experiment_finding(
    column: str, table: pd.DataFrame, ratio: dict[str, Any], *, currency: str = ""
) -> Finding:
    """The experiment in one finding (``name="experiment"``): its arms and sizes, each
    outcome's difference with its interval and p-value, which are clear, and a sample ratio
    mismatch. High when a difference is clear and the split matches; medium with a clear
    difference but a mismatched split (the result may be biased); info without a clear one."""
    sizes = ", ".join(f"{k} {v:,} ({ratio['shares'][k]:.1%})" for k, v in ratio["sizes"].items())
    parts = []
    for _, r in table.iterrows():
        verdict = "clear" if r["clear"] else "not clear"
        parts.append(
            f"{r['outcome']} {_value(r, 'value', currency)} for {r['arm']} against "
            f"{_value(r, 'control_value', currency)} for {r['control']}, {_diff(r, 'diff')} "
            f"(95% interval {_diff(r, 'low')} to {_diff(r, 'high')}, p = {r['p_value']:.2g}: "
            f"{verdict})"
        )
    clear = table[table["clear"]] if len(table) else table
    text = (
        f"Experiment by users' {column}: {sizes}. " + "; ".join(parts) + "."
        if parts
        else f"Experiment by users' {column}: {sizes}. The data records no outcome to compare "
        "the arms on (no outcome flag, orders or activity)."
    )
    if len(clear):
        text += (
            f" {len(clear)} of the {len(table)} differences "
            f"{'is' if len(clear) == 1 else 'are'} beyond chance (p adjusted for the "
            f"{len(table)} tested)."
        )
    else:
        text += " No difference is beyond chance: the arms perform alike on what was measured."
    if ratio["mismatch"]:
        text += (
            f" The split differs from an equal one beyond chance (chi-square p = "
            f"{ratio['p_value']:.2g}): a sample ratio mismatch, which can bias every difference; "
            "check how users were assigned and logged before acting on it."
        )
    severity = "info" if clear.empty else "medium" if ratio["mismatch"] else "high"
    evidence = {
        "column": column,
        "control": str(table["control"].iloc[0]) if len(table) else next(iter(ratio["sizes"])),
        "sizes": ratio["sizes"],
        "srm_p": ratio["p_value"],
        "mismatch": bool(ratio["mismatch"]),
        "clear": [
            {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
            for r in clear.astype({"arm": str, "control": str}).to_dict("records")
        ],
    }
    return Finding(text, severity, evidence, name="experiment")
