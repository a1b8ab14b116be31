"""Churn from a label: a customers snapshot whose ``churned`` column says who has left.

The IBM Telco churn file, a bank's ``Exited`` or an HR ``Attrition`` export has one row per
customer, their attributes and a yes/no outcome, and no orders or dates. There is no history to
predict churn over time from, but the label says who left: :func:`label_churn` gives the churn
rate, the rate by attribute value with 95% intervals, a gradient-boosting model's
cross-validated ROC-AUC on the attributes, permutation importances on a held-out quarter, and
the current customers (label 0) the model ranks most like the churners.

Example:
    >>> result = label_churn(ws.to_pandas("users"), seed=0)  # doctest: +SKIP
    >>> [f.text for f in result.findings]  # doctest: +SKIP
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from opsai.behavior.attributes import MAX_VALUES, integer_codes, personal_field
from opsai.data.schema import CHURNED, SIGNUP_AT, USER_ID
from opsai.errors import SchemaError
from opsai.report.finding import Finding

MIN_CLASS = 20
"""Fewest churners and fewest stayers to fit and judge a model on."""
MIN_GROUP = 30
"""Fewest customers holding an attribute value for its churn rate to be reported."""
AT_RISK = 100
"""Most current customers listed as at risk."""
MIN_LIFT = 1.5
"""Least churn rate of the model's top tenth, over the average, for an at-risk list."""
MIN_SHARE = 0.02
"""Least share of the customers a combination of values must hold to be tested (and at least
:data:`MIN_GROUP` customers)."""
MAX_ORDER = 3
"""Most attribute values combined into one segment."""
SEGMENT_COLUMNS = ["segment", "values", "order", "customers", "churners", "churn_rate", "low",
                   "high", "rest_rate", "ratio", "z", "p_value", "named"]  # fmt: skip
"""The columns of :attr:`LabelChurn.segments`."""
MAX_SEGMENT_ATTRIBUTES = 24
"""Most attributes combined (those whose single values differ most): 2,024 triples at most."""
SEGMENTS = 3
"""Most segments named in the finding."""


@dataclass
class LabelChurn:
    """What :func:`label_churn` found."""

    customers: int
    churners: int
    rates: pd.DataFrame
    """``attribute``, ``value``, ``customers``, ``churn_rate``, ``low``, ``high`` (95% Wilson
    interval), ``rest_rate`` (everyone else) and ``ratio``, highest ratio first."""
    auc: float | None = None
    auc_sd: float | None = None
    importances: pd.DataFrame = field(default_factory=pd.DataFrame)
    """``attribute``, ``importance`` (ROC-AUC lost when it is shuffled on the held-out quarter)."""
    at_risk: pd.DataFrame = field(default_factory=pd.DataFrame)
    """``user_id``, ``risk`` (out-of-fold probability): current customers, most at risk first."""
    segments: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SEGMENT_COLUMNS))
    """Combinations of two or three attribute values whose churn rate stands out (see
    :func:`churn_segments`), the named ones first."""
    left_out: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.churners / self.customers


def has_churn_label(users: Any, label: str = CHURNED) -> bool:
    """Whether a users table (an Ibis table or a DataFrame) maps a churn label: a numeric
    ``churned`` column (the contract's flag, yes/no read as 1/0)."""
    if users is None or label not in users.columns:
        return False
    if isinstance(users, pd.DataFrame):
        return bool(pd.api.types.is_numeric_dtype(users[label]))
    return bool(users[label].type().is_numeric())


CHURN_WORDS = ("churn", "churned", "exited", "exit", "attrition", "left", "leaver", "lost",
               "cancelled_subscription", "unsubscribed", "inactive")  # fmt: skip
"""Source column names (their words) that make ``users.churned`` a churn label."""


@dataclass(frozen=True)
class Outcome:
    """How the label reads: churn (Telco's ``Churn``) or another outcome named by its source
    column (hotel_bookings' ``is_canceled``: "canceled", byod12a D15)."""

    word: str = ""
    """The outcome as a participle (``canceled``); empty: churn."""
    rows: str = "customers"
    """What a row is (``customers``; ``rows`` for another outcome)."""
    source: str = ""
    """The source column mapped as ``users.churned``."""

    @property
    def churn(self) -> bool:
        return not self.word


def outcome_of(source: str | None) -> Outcome:
    """The wording of a label mapped from the column ``source``: churn when its name says so
    (or is unknown), else the name's words without an ``is``/``has``/``was`` in front
    (``is_canceled`` -> ``canceled``, ``Converted`` -> ``converted``).

    Example:
        >>> outcome_of("is_canceled").word, outcome_of("Churn").churn, outcome_of(None).churn
        ('canceled', True, True)
    """
    from opsai.data._synonyms import name_words

    words = name_words(source or "")
    if len(words) > 1 and words[-1] in ("flag", "label", "yn"):
        words = words[:-1]
    if not words or set(words) & set(CHURN_WORDS) or "_".join(words) in CHURN_WORDS:
        return Outcome()
    if words[0] in ("is", "has", "was", "were", "got", "did") and len(words) > 1:
        words = words[1:]
    return Outcome(" ".join(words), "rows", str(source))


SNAPSHOT_REASON = (
    "the data has a users table but no orders or events, and no churn label: map a billing or "
    "usage history as orders or events, or the customers' yes/no churn column as "
    "data.tables.users.columns.churned (Telco's Churn, a bank's Exited)"
)
"""Why chapter 03a has nothing to do on a users table alone without ``churned``."""


def _wilson(
    k: np.ndarray, n: np.ndarray, z: float = float(norm.ppf(0.975))
) -> tuple[np.ndarray, np.ndarray]:
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def _features(users: pd.DataFrame, skip: set[str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """The attributes as model inputs (numbers as numbers, text and codes as text) and the
    columns left out with why."""
    cols: dict[str, pd.Series] = {}
    left: dict[str, str] = {}
    for c in users.columns:
        if c in skip:
            continue
        v = users[c]
        if (why := personal_field(c, v)) is not None:
            left[str(c)] = why
            continue
        codes = integer_codes(v, c)
        if codes is not None:
            cols[str(c)] = codes.astype("string")
        elif pd.api.types.is_bool_dtype(v):
            cols[str(c)] = v.astype("string")
        elif pd.api.types.is_numeric_dtype(v):
            cols[str(c)] = v.astype(float)
        elif 2 <= v.nunique() <= MAX_VALUES:
            cols[str(c)] = v.astype("string")
        else:
            left[str(c)] = f"text with {v.nunique():,} values (2 to {MAX_VALUES} are a category)"
    for c, v in cols.items():  # a code or a word missing is a value of its own, as in _binned
        if not pd.api.types.is_float_dtype(v):  # (the encoder takes no <NA>: agent's NULL)
            cols[c] = v.fillna("(missing)")
    return pd.DataFrame(cols, index=users.index), left


def _gives_away(x: pd.DataFrame, y: pd.Series) -> dict[str, str]:
    """Attributes that alone rank the label at ROC-AUC >= 0.95 (either way): written with the
    outcome (hotel_bookings' ``reservation_status`` of Canceled beside ``is_canceled``), so
    as drivers they name the outcome as its own cause and as model inputs they make it
    perfect. Text by its values' rates, as :func:`~opsai.behavior.attributes.outcome_attributes`
    judges the churn model's inputs."""
    from sklearn.metrics import roc_auc_score

    from opsai.behavior.attributes import OUTCOME_AUC, _scores

    out: dict[str, str] = {}
    if y.nunique() < 2:
        return out
    for c in x.columns:
        score = _scores(x[c], y, pd.Timestamp.max)
        if score is None:
            continue
        auc = float(roc_auc_score(y, score))
        if max(auc, 1 - auc) >= OUTCOME_AUC:
            out[c] = f"written with the outcome: ROC-AUC {max(auc, 1 - auc):.2f} by itself"
    return out


def _binned(x: pd.DataFrame) -> pd.DataFrame:
    """Each attribute as text values: numbers by quartile (fewer than 4 values: left out),
    missing as ``(missing)``."""
    cols: dict[str, pd.Series] = {}
    for c in x.columns:
        v = x[c]
        if pd.api.types.is_float_dtype(v):
            if v.nunique() < 4:
                continue
            bins = pd.qcut(v, 4, duplicates="drop")
            v = bins.map(lambda b: f"{b.left:,.4g} to {b.right:,.4g}", na_action="ignore")
            v = v.astype("string")
        cols[str(c)] = v.astype("string").fillna("(missing)")
    return pd.DataFrame(cols, index=x.index)


def _rates(x: pd.DataFrame, y: pd.Series) -> pd.DataFrame:
    """Churn rate by value of each attribute (numbers by quartile), with Wilson intervals."""
    rows = []
    b = _binned(x)
    for c in b.columns:
        g = y.groupby(b[c]).agg(["sum", "count"])
        for value, r in g.iterrows():
            if r["count"] < MIN_GROUP or len(y) - r["count"] < MIN_GROUP:
                continue
            rest = (y.sum() - r["sum"]) / (len(y) - r["count"])
            rows.append((c, str(value), int(r["count"]), int(r["sum"]), float(rest)))
    out = pd.DataFrame(rows, columns=["attribute", "value", "customers", "churners", "rest_rate"])
    if out.empty:
        return out.assign(churn_rate=[], low=[], high=[], ratio=[])
    k, n = out["churners"].to_numpy(float), out["customers"].to_numpy(float)
    out["churn_rate"] = k / n
    out["low"], out["high"] = _wilson(k, n)
    out["ratio"] = out["churn_rate"] / out["rest_rate"].where(out["rest_rate"] > 0)
    return out.sort_values("ratio", ascending=False, ignore_index=True)


def churn_segments(
    x: pd.DataFrame,
    y: pd.Series,
    *,
    min_share: float = MIN_SHARE,
    min_customers: int = MIN_GROUP,
    max_order: int = MAX_ORDER,
    alpha: float = 0.05,
    top: int = SEGMENTS,
) -> tuple[pd.DataFrame, int]:
    """Single values and combinations of two and three attribute values whose churn rate
    stands out, and how many were tested.

    Every value and every combination of values of up to ``max_order`` attributes (numbers by
    quartile) held by at least ``min_customers`` and ``min_share`` of the customers (and not
    by all but that many) is tested against everyone else: a one-sided two-proportion z-test,
    Bonferroni over everything tested. A combination is kept when it is significant, churns
    at least 1.2x the rest and its 95% Wilson interval lies above the churn rate of each of
    its parts (a combination one value adds nothing to is its part's). The ``top`` named ones
    (``named``) are the most significant (largest z), each neither a part nor a widening of
    one named before it, and still significant (and 1.2x) with the customers of those left out
    on both sides: a proxy of a named segment (a price band standing for the fiber service it
    pays for) or a wider group whose excess is the named one's is not named beside it.

    Returns:
        The kept combinations of two or more values (:data:`SEGMENT_COLUMNS`; ``values`` maps
        attribute to value, ``z`` the test statistic, ``p_value`` Bonferroni-adjusted), named
        first, then by ``z``, and the number
        of values and combinations tested.
    """
    from scipy.stats import norm

    b = _binned(x)
    if b.shape[1] > MAX_SEGMENT_ATTRIBUTES:  # the attributes whose values differ most
        spread = {c: y.groupby(b[c]).mean().agg(np.ptp) for c in b.columns}
        b = b[sorted(spread, key=lambda c: -spread[c])[:MAX_SEGMENT_ATTRIBUTES]]
    n, yv = len(y), y.to_numpy(int)
    need = max(min_customers, math.ceil(min_share * n))
    codes = {c: pd.factorize(b[c]) for c in b.columns}
    found: list[tuple[tuple[tuple[str, str], ...], int, int]] = []
    for order in range(1, max_order + 1):
        for combo in itertools.combinations(b.columns, order):
            key = np.zeros(n, dtype=np.int64)
            for c in combo:
                key = key * len(codes[c][1]) + codes[c][0]
            size = np.bincount(key)
            churned = np.bincount(key, weights=yv)
            for cell in np.flatnonzero((size >= need) & (n - size >= need)):
                held, rem = [], int(cell)
                for c in reversed(combo):
                    rem, pos = divmod(rem, len(codes[c][1]))
                    held.append((str(c), str(codes[c][1][pos])))
                found.append((tuple(reversed(held)), int(size[cell]), int(churned[cell])))
    tests = len(found)
    empty = pd.DataFrame(columns=SEGMENT_COLUMNS)
    if not tests:
        return empty, 0
    cnt = np.array([f[1] for f in found], float)
    k = np.array([f[2] for f in found], float)
    total = float(yv.sum())
    rate, rest = k / cnt, (total - k) / (n - cnt)
    pooled = total / n
    se = np.sqrt(pooled * (1 - pooled) * (1 / cnt + 1 / (n - cnt)))
    z = np.divide(rate - rest, se, out=np.zeros_like(rate), where=se > 0)
    p = np.minimum(1.0, tests * norm.sf(z))
    low, high = _wilson(k, cnt)
    rate_of = {frozenset(f[0]): r for f, r in zip(found, rate, strict=True)}
    rows = []
    for i, (values, held_by, churners) in enumerate(found):
        if len(values) < 2 or p[i] >= alpha or rest[i] <= 0 or rate[i] < 1.2 * rest[i]:
            continue
        parts = [frozenset(s) for s in itertools.combinations(values, len(values) - 1)]
        if any(low[i] <= rate_of.get(s, 0.0) for s in parts):
            continue  # a value that adds nothing to its part
        text = ", ".join(f"{a}={v}" for a, v in values)
        rows.append((text, dict(values), len(values), held_by, churners, rate[i], low[i],
                     high[i], rest[i], rate[i] / rest[i], z[i], p[i], False))  # fmt: skip
    if not rows:
        return empty, tests
    out = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
    out = out.sort_values("z", ascending=False, kind="stable")
    chosen: list[frozenset[tuple[str, str]]] = []
    taken = np.zeros(n, dtype=bool)  # customers of the segments named so far
    z_crit = float(norm.isf(alpha / tests))
    for idx, r in out.iterrows():
        if len(chosen) >= top:
            break
        items = frozenset(r["values"].items())
        if any(items <= c or c <= items for c in chosen):
            continue
        member = np.logical_and.reduce([b[a].to_numpy() == v for a, v in items])
        m_in, m_out = member & ~taken, ~member & ~taken
        if m_in.sum() < need:  # mostly the customers of a segment named before
            continue
        r_in, r_out = yv[m_in].mean(), yv[m_out].mean()
        q = yv[~taken].mean()
        se_in = np.sqrt(q * (1 - q) * (1 / m_in.sum() + 1 / m_out.sum()))
        if r_in < 1.2 * r_out or (r_in - r_out) / se_in < z_crit:
            continue  # its churn is that of a segment named before
        chosen.append(items)
        taken |= member
        out.loc[idx, "named"] = True
    out = out.sort_values("named", ascending=False, kind="stable", ignore_index=True)
    return out, tests


def _segments_finding(
    segments: pd.DataFrame, tested: int, customers: int, words: Outcome = Outcome()
) -> Finding | None:
    """The named combinations of values, strongest first; ``None`` when none stands out."""
    named = segments[segments["named"]] if len(segments) else segments
    if named.empty:
        return None
    did, still = (("have left", "still customers") if words.churn
                  else (words.word, f"not {words.word}"))  # fmt: skip
    parts = [
        f"{' + '.join(f'{a}={v}' for a, v in r.values.items())}: {r.churn_rate:.0%} {did} "
        f"(95% interval {r.low:.0%} to {r.high:.0%}; {r.customers:,} {words.rows}, "
        f"{r.customers - r.churners:,} of them {still}) against {r.rest_rate:.0%} for "
        f"everyone else ({r.ratio:.1f}x)"
        for r in named.itertuples()
    ]
    need = max(MIN_GROUP, math.ceil(MIN_SHARE * customers))
    head = "Churn is highest" if words.churn else f"The share {words.word} is highest"
    more = "churns more" if words.churn else f"is {words.word} more often"
    text = (
        f"{head} where attribute values meet: " + "; ".join(parts) + f". Tested: "
        f"{tested:,} single values and combinations of two and three held by at least {need:,} "
        f"{words.rows}; each named one {more} than everyone else after a Bonferroni "
        f"correction over all {tested:,}, more than each of its parts alone and more than "
        f"everyone else without the {words.rows} of those named before it."
    )
    top = named.iloc[0]
    evidence = {
        "segment": top["segment"], "values": dict(top["values"]),
        "customers": int(top["customers"]), "churners": int(top["churners"]),
        "current": int(top["customers"] - top["churners"]),
        "churn_rate": float(top["churn_rate"]), "low": float(top["low"]),
        "high": float(top["high"]), "rest_rate": float(top["rest_rate"]),
        "ratio": float(top["ratio"]), "p_value": float(top["p_value"]), "tested": tested,
        "outcome": words.word, "rows": words.rows,
        "segments": [{"segment": r.segment, "customers": int(r.customers),
                      "churn_rate": float(r.churn_rate), "ratio": float(r.ratio)}
                     for r in named.itertuples()],
    }  # fmt: skip
    sev = "high" if float(top["ratio"]) >= 2 else "medium"
    return Finding(text, sev, evidence, name="churn_label.segments")


def _pipeline(x: pd.DataFrame, seed: int, fast: bool) -> Any:
    """One-hot text (values under 30 customers pooled) and numbers as they are (a missing
    one as -1e9), then gradient boosting: single-threaded, so it runs as fast on a busy box."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    text = [c for c in x.columns if not pd.api.types.is_float_dtype(x[c])]
    nums = [c for c in x.columns if c not in text]
    enc = OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=MIN_GROUP)
    fill = SimpleImputer(strategy="constant", fill_value=-1e9, keep_empty_features=True)
    cols = ColumnTransformer([("text", enc, text), ("num", fill, nums)], sparse_threshold=0)
    gbm = GradientBoostingClassifier(n_estimators=50 if fast else 150, max_depth=3,
                                     learning_rate=0.1, subsample=0.8, random_state=seed)  # fmt: skip
    return make_pipeline(cols, gbm)


def label_churn(
    users: pd.DataFrame,
    *,
    col_user: str = USER_ID,
    label: str = CHURNED,
    seed: int = 0,
    folds: int = 5,
    fast: bool = False,
    source: str | None = None,
) -> LabelChurn:
    """Churn rate, drivers, a cross-validated model and an at-risk list from a churn label.

    Attributes: every users column but the id, the label and ``signup_at``; personal data
    (:func:`~opsai.behavior.attributes.personal_field`) and text with more than 50 values are
    left out. Rates: by value (numbers by quartile), values held by at least 30 customers, with
    a 95% Wilson interval, against everyone else. Model: gradient boosting on the attributes,
    ROC-AUC over ``folds`` stratified folds (out-of-fold probabilities also rank the current
    customers), permutation importances on a stratified held-out quarter. ``source``: the
    column mapped as the label, for the wording (:func:`outcome_of`: ``is_canceled`` is an
    outcome, "canceled", not churn).

    Raises:
        SchemaError: the users table has no ``label`` column or no labelled customer.
    """
    from sklearn.inspection import permutation_importance
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict, train_test_split

    if label not in users.columns:
        raise SchemaError(
            f"users: no {label!r} column. Map data.tables.users.columns.{label} to the yes/no "
            "column saying who has left (Churn, Exited, Attrition)"
        )
    u = users[users[label].notna()].reset_index(drop=True)
    if u.empty:
        raise SchemaError(f"users: column {label!r} is empty on every row; map the churn label")
    y = u[label].astype(float).astype(int)
    x, left = _features(u, {col_user, label, SIGNUP_AT})
    away = _gives_away(x, y)  # reservation_status=Canceled: the outcome, not a driver
    x = x.drop(columns=list(away))
    out = LabelChurn(len(y), int(y.sum()), _rates(x, y), left_out=left | away)
    words = outcome_of(source)
    share = f"{out.churners:,} of {out.customers:,} {words.rows} ({out.rate:.1%})"
    text = (
        f"users.{label} is a churn label: {share} have left. It is a snapshot written when the "
        "data was exported, not churn followed over time: the rates below say who has left, by "
        "attribute, and the model ranks the current customers by how much they look like those "
        "who left; it does not say when they will. Add a billing or usage history as orders or "
        "events to predict churn over time."
    ) if words.churn else (
        f"users.{label} maps {words.source!r}, an outcome, not churn: {share} are {words.word}. "
        f"The rates below say which {words.rows} are {words.word}, by attribute, and the model "
        f"ranks the others by how much they look like them."
    )  # fmt: skip
    if away:
        text += (
            " Left out, as no driver of it: "
            f"{', '.join(f'{c} ({why})' for c, why in away.items())}."
        )
    out.findings.append(Finding(
        text, "info", {"customers": out.customers, "churners": out.churners, "rate": out.rate,
                       "outcome": words.word, "rows": words.rows, "left_out": away},
        name="churn_label.rate",
    ))  # fmt: skip
    sure = out.rates[(out.rates["low"] > out.rates["rest_rate"]) & (out.rates["ratio"] >= 1.2)]
    if len(sure):
        parts = [
            f"{r.attribute}={r.value}: {r.churn_rate:.0%} (95% interval {r.low:.0%} to "
            f"{r.high:.0%}, {r.customers:,} {words.rows}) against {r.rest_rate:.0%} for the rest "
            f"({r.ratio:.1f}x)"
            for r in sure.head(3).itertuples()
        ]
        worst = float(sure["ratio"].iloc[0])
        head = "Churn is highest" if words.churn else f"The share {words.word} is highest"
        out.findings.append(Finding(
            f"{head} for " + "; ".join(parts) + ".",
            "high" if worst >= 2 else "medium",
            {"drivers": sure.head(3).to_dict("records")}, name="churn_label.drivers",
        ))  # fmt: skip
    out.segments, tested = churn_segments(x, y)
    if (seg := _segments_finding(out.segments, tested, len(y), words)) is not None:
        out.findings.append(seg)
    if min(out.churners, out.customers - out.churners) < MIN_CLASS or x.empty:
        both = "churners or stayers" if words.churn else f"{words.rows} {words.word} or not"
        why = "no attribute" if x.empty else f"fewer than {MIN_CLASS} {both}"
        out.findings.append(Finding(
            f"No {'churn ' * words.churn}model was trained on the label: {why}.", "info", {},
            name="churn_label.model",
        ))  # fmt: skip
        return out
    k = min(folds, out.churners, out.customers - out.churners)
    cv = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    proba = cross_val_predict(_pipeline(x, seed, fast), x, y, cv=cv, method="predict_proba")[:, 1]
    aucs = [roc_auc_score(y.iloc[te], proba[te]) for _, te in cv.split(x, y)]
    out.auc, out.auc_sd = float(np.mean(aucs)), float(np.std(aucs))
    xa, xb, ya, yb = train_test_split(x, y, test_size=0.25, stratify=y, random_state=seed)
    model = _pipeline(x, seed, fast).fit(xa, ya)
    imp = permutation_importance(model, xb, yb, scoring="roc_auc", n_repeats=3 if fast else 10,
                                 random_state=seed)  # fmt: skip
    out.importances = pd.DataFrame(
        {"attribute": list(x.columns), "importance": imp.importances_mean}
    ).sort_values("importance", ascending=False, ignore_index=True)
    stay = y == 0
    out.at_risk = (
        pd.DataFrame({col_user: u.loc[stay, col_user].to_numpy(), "risk": proba[stay.to_numpy()]})
        .sort_values("risk", ascending=False, ignore_index=True)
        .head(AT_RISK)
    )
    if seg is not None and len(out.at_risk):  # how many of the at-risk list the segment holds
        b = _binned(x).set_axis(u[col_user].to_numpy())
        listed = b.loc[out.at_risk[col_user].to_numpy()]
        inside = np.logical_and.reduce([listed[a].to_numpy() == v
                                        for a, v in seg.evidence["values"].items()])  # fmt: skip
        seg.evidence["at_risk_in_segment"] = int(inside.sum())
    imp3 = out.importances.head(3)
    top = ", ".join(
        f"{a} ({v:.3f})" for a, v in zip(imp3["attribute"], imp3["importance"], strict=True)
    )
    decile = proba >= np.quantile(proba, 0.9)
    lift = float(y[decile].mean()) / out.rate
    usable = lift >= MIN_LIFT
    who, did = (("churners from stayers", "churned") if words.churn
                else (f"{words.rows} {words.word} from the others", f"were {words.word}"))  # fmt: skip
    text = (
        f"A gradient-boosting model on the attributes tells {who} with ROC-AUC "
        f"{out.auc:.2f} (± {out.auc_sd:.2f} over {k} cross-validation folds); the tenth it ranks "
        f"highest {did} at {y[decile].mean():.0%}, {lift:.1f}x the {out.rate:.0%} average"
    )
    if usable:
        risk = out.at_risk["risk"]
        text += (
            f". The attributes that matter most (ROC-AUC lost when shuffled on a held-out "
            f"quarter): {top}. "
        ) + (
            f"The {len(risk):,} current customers it ranks highest look most "
            f"like those who left (predicted risk {risk.min():.0%} to {risk.max():.0%}): a "
            "retention list to contact first."
            if words.churn else
            f"The {len(risk):,} {words.rows} not {words.word} it ranks highest look most like "
            f"those {words.word} (predicted {risk.min():.0%} to {risk.max():.0%}): a list to "
            "look at first."
        )  # fmt: skip
    else:
        text += (
            ": the attributes do not tell who leaves, so there is no at-risk list."
            if words.churn
            else f": the attributes do not tell which {words.rows} are {words.word}, so there "
            "is no list."
        )
        out.at_risk = out.at_risk.head(0)
    ev = {"roc_auc": out.auc, "roc_auc_sd": out.auc_sd, "folds": k, "top_decile_lift": lift}
    sev = "medium" if usable else "info"
    out.findings.append(Finding(text, sev, {**ev, "usable": usable}, name="churn_label.model"))
    return out
