"""Model cards: one per trained model of the run, from what its chapter recorded.

After Mitchell et al. (2019), "Model Cards for Model Reporting", cut to what an operations
team needs: what the model does, the data window it saw, how it was evaluated and how well,
what drives it, and its known limits. Nothing is recomputed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsai.executive.results import (
    BEHAVIOR,
    DEMAND,
    MARKET,
    OVERVIEW,
    RECOMMEND,
    SERVICE,
    RunResults,
    chapter_href,
)

CARD_COLUMNS = [
    "model",
    "task",
    "chapter",
    "data",
    "evaluation",
    "metrics",
    "drivers",
    "limits",
    "href",
]
_TABLES = {
    BEHAVIOR: ("orders", "events"),
    RECOMMEND: ("orders", "events"),
    DEMAND: ("demand", "orders"),
    SERVICE: ("tickets",),
    MARKET: ("market",),
}


def _window(run: RunResults, chapter: str) -> str:
    t = run.table(OVERVIEW, "table_overview")
    if t.empty or "table" not in t:
        return ""
    parts = []
    for name in _TABLES.get(chapter, ()):
        r = t[t["table"] == name]
        if r.empty:
            continue
        r = r.iloc[0]
        span = f", {str(r['start'])[:10]} to {str(r['end'])[:10]}" if r.get("start") else ""
        parts.append(f"{name} ({int(r['rows']):,} rows{span})")
    return "; ".join(parts)


def _fmt_metrics(values: dict[str, Any]) -> str:
    out = []
    for k, v in values.items():
        if isinstance(v, float):
            out.append(f"{k} {v:.3g}")
        elif v is not None:
            out.append(f"{k} {v}")
    return ", ".join(out)


def _churn(run: RunResults) -> dict[str, Any] | None:
    model = run.metric(BEHAVIOR, "churn.model")
    if model is None:
        return None
    horizon = run.chapters[BEHAVIOR].get("parameters", {}).get("HORIZON_DAYS")
    comp = run.table(BEHAVIOR, "churn.table")
    row = comp[comp["model"] == model].iloc[0] if not comp.empty and "model" in comp else None
    base = float(row["base_rate"]) if row is not None and "base_rate" in row else None
    imp = run.table(BEHAVIOR, "churn.importances")
    drivers = ", ".join(imp["feature"].head(5)) if "feature" in imp else ""
    limits = [
        f"Scores customers still ordering (an order in the {horizon or '?'} days before the "
        "cut-off); the lapsed are a win-back list, and new users have no score.",
        "Behaviour shifts (a promotion, a price change) age it: retrain monthly.",
    ]
    if base is not None:
        limits.append(f"Base rate {base:.0%}: judge it by lift, not accuracy.")
    return {
        "model": f"Churn ({model})",
        "task": f"Will a user buy nothing in the next {horizon or '?'} days",
        "chapter": BEHAVIOR,
        "evaluation": "time-based split: features up to a cut-off, label after it; model chosen on validation",
        "metrics": _fmt_metrics(
            {
                "ROC-AUC": run.metric(BEHAVIOR, "churn.auc"),
                "PR-AUC": run.metric(BEHAVIOR, "churn.pr_auc"),
                "top-decile lift": run.metric(BEHAVIOR, "churn.top_decile_lift"),
            }
        ),
        "drivers": drivers,
        "limits": limits,
    }


def _clv(run: RunResults) -> dict[str, Any] | None:
    err = run.metric(BEHAVIOR, "clv.holdout_total_error_pct")
    if err is None:
        return None
    money = run.metric(BEHAVIOR, "orders.valued") is not False  # False: orders without values
    limits = ["Assumes customers buy at a steady personal rate until they leave for good."]
    return {
        "model": "Lifetime value (BG/NBD + Gamma-Gamma)" if money else "Repeat purchases (BG/NBD)",
        "task": "Expected repeat purchases and spend per customer"
        if money
        else "Expected repeat purchases per customer (the orders carry no values)",
        "chapter": BEHAVIOR,
        "evaluation": "fit on a calibration period, checked on the following holdout period",
        "metrics": f"holdout repeat purchases {err:+.1f}% against actual",
        "drivers": "frequency, recency, customer age" + (", average spend" if money else ""),
        "limits": limits
        + (["Spend model assumes order value independent of frequency."] if money else []),
    }


def _recommender(run: RunResults) -> dict[str, Any] | None:
    model = run.metric(RECOMMEND, "best.model")
    if model is None:
        return None
    m = run.metrics(RECOMMEND)
    cold = run.finding(RECOMMEND, "cold_start")
    limits = ["Measured on held-out interactions, not on revenue: confirm with an A/B test."]
    if cold:
        n = cold["evidence"].get("cold_test_users")
        limits.append(f"{n} held-out users had no history: they get content/popular fallbacks.")
    return {
        "model": f"Recommender ({model})",
        "task": "Top-10 items per user",
        "chapter": RECOMMEND,
        "evaluation": "held-out interactions per user; hyper-parameters on a validation split",
        "metrics": _fmt_metrics(
            {
                k: m.get(k)
                for k in ("best.ndcg_at_10", "best.precision_at_10", "best.map_at_10", "coverage")
            }
        ),
        "drivers": "the user's history and item similarity",
        "limits": limits,
    }


def _forecaster(run: RunResults) -> dict[str, Any] | None:
    model = run.metric(DEMAND, "best.model")
    if model is None:
        return None
    pat = run.finding(DEMAND, "demand_patterns")
    limits = ["Intervals assume the future looks like the backtest windows."]
    if pat:
        n = pat["evidence"].get("intermittent")
        limits.append(f"{n} items sell intermittently: their forecasts are rates, not day counts.")
    levels = [
        (f.get("evidence") or {}).get("level", "item")
        for f in run.chapters[DEMAND].get("findings", [])
        if str(f.get("name", "")).startswith("drift.")
    ]
    if levels:
        what = [f"{levels.count('item')} items"] if "item" in levels else []
        what += [f"{levels.count('category')} categories"] if "category" in levels else []
        what += ["total demand"] if "total" in levels else []
        limits.append(f"Accuracy drifted for {' and '.join(what)} in the latest window.")
    zeros = run.metric(DEMAND, "best.zero_share")  # sMAPE is ~200% on periods without a sale
    sparse = isinstance(zeros, (int, float)) and zeros >= 0.5  # forecast.chapter.ZERO_SHARE_SMAPE
    if sparse:
        limits.append(
            f"sMAPE left out: {zeros:.0%} of the item backtest periods sold nothing, and sMAPE "
            "scores each as a 200% error."
        )
    return {
        "model": f"Demand forecast ({model})",
        "task": "Daily demand per item with 80% and 95% intervals",
        "chapter": DEMAND,
        "evaluation": "rolling-origin backtest; best model per level chosen on the backtest",
        "metrics": _fmt_metrics(
            {
                "MASE": run.metric(DEMAND, "best.mase"),
                "sMAPE": None if sparse else run.metric(DEMAND, "best.smape"),
                "95% coverage": run.metric(DEMAND, "interval.coverage_95"),
            }
        ),
        "drivers": "recent level, seasonality, promotions, calendar",
        "limits": limits,
    }


_INTENT_DRIVERS = {
    "tfidf": "words and character n-grams of the redacted text",
    "embedding": "multilingual sentence embeddings (USE) of the redacted text",
    "embedding-mlp": "multilingual sentence embeddings (USE) of the redacted text",
    "torch": "words and character n-grams of the redacted text, learnt by a fastText-style net",
    "topics": "the distinctive words of each discovered topic",
}
"""What the intent model reads, by the chapter's ``intent.model`` (``-int8``: quantised)."""


def _pct(v: Any) -> str:
    return f"{v:.0%}" if isinstance(v, (int, float)) else "an unmeasured share"


def _service(run: RunResults) -> dict[str, Any] | None:
    model = run.metric(SERVICE, "intent.model")
    if model is None:
        return None
    sent = run.table(SERVICE, "sentiment.table")
    langs = ", ".join(sorted(sent["language"].astype(str).unique())) if "language" in sent else ""
    if model == "topics":
        evaluation = "no intent labels: intents are discovered topics, not scored"
    else:
        evaluation = (
            "intent model and its confidence threshold chosen by cross-validation on the "
            "training tickets, then scored once on held-out labelled tickets"
        )
    tool = run.metric(SERVICE, "sentiment.labels_by") == "tool"  # a listening tool's labels
    sentiment = (
        "sentiment: the listening tool's labels (not customers' ratings), learnt by "
        "cross-validation per language; opsai's own model agrees with the tool on "
        f"{_pct(run.metric(SERVICE, 'sentiment.tool_agreement'))} of tickets"
        if tool
        else "sentiment by cross-validation per language"
    )
    vs = " (vs listening tool)" if tool else ""
    return {
        "model": f"Intent + sentiment ({model})",
        "task": "Route tickets by intent; flag negative ones",
        "chapter": SERVICE,
        "evaluation": f"{evaluation}; {sentiment}",
        "metrics": _fmt_metrics(
            {
                "intent accuracy": run.metric(SERVICE, "intent.accuracy"),
                "macro-F1": run.metric(SERVICE, "intent.macro_f1"),
                f"sentiment zh{vs}": run.metric(SERVICE, "sentiment.accuracy_zh"),
                f"sentiment en{vs}": run.metric(SERVICE, "sentiment.accuracy_en"),
                **(
                    {"agreement with the tool": run.metric(SERVICE, "sentiment.tool_agreement")}
                    if tool
                    else {}
                ),
            }
        ),
        "drivers": _INTENT_DRIVERS.get(str(model).removesuffix("-int8"), _INTENT_DRIVERS["tfidf"]),
        "limits": [
            f"Languages seen: {langs or 'as labelled'}; others go to a person.",
            "Personal data is masked before training: the model never sees it.",
        ],
    }


def _market(run: RunResults) -> dict[str, Any] | None:
    e = run.metric(MARKET, "elasticity.own_price")
    if e is None:
        return None
    se = run.metric(MARKET, "elasticity.own_price_se")
    return {
        "model": "Market demand (logit on shares)",
        "task": "Price elasticities and what-if scenarios",
        "chapter": MARKET,
        "evaluation": "coefficients with standard errors; scenario bands from coefficient draws",
        "metrics": f"own-price elasticity {e:.2f}" + (f" ± {1.96 * se:.2f} (95%)" if se else ""),
        "drivers": "price, marketing spend, company and period effects",
        "limits": ["Aggregate data: elasticities are averages over customers and periods."],
    }


CARDS = (_churn, _clv, _recommender, _forecaster, _service, _market)


def model_cards(run: RunResults) -> pd.DataFrame:
    """One card per model the run trained (see :data:`CARD_COLUMNS`)."""
    rows = []
    for make in CARDS:
        card = make(run)
        if card is None:
            continue
        card["data"] = _window(run, card["chapter"])
        card["href"] = chapter_href(card["chapter"])
        rows.append(card)
    return pd.DataFrame(rows, columns=CARD_COLUMNS)
