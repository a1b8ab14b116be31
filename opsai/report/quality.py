"""Quality bars a model must clear before the chapters (and the executive summary) act on it.

One rule, read by the chapter that fits the model and by the executive summary that turns its
results into actions, so the two never disagree.
"""

from __future__ import annotations

import math
from typing import Any

MIN_CHURN_AUC = 0.6
"""Lowest test ROC-AUC of a churn model whose at-risk list is reported (0.5 is chance)."""
MIN_CHURN_LIFT = 1.0
"""Top-decile lift a churn model must exceed: the 10% it flags first must churn more often
than average. Not a higher bar: lift cannot exceed 1 / base rate, so where most users churn
(72% on the tiny demo: at most 1.39) a good model's lift is small; ROC-AUC, which does not
depend on the base rate, carries the bar."""
CHURN_RULE = f"ROC-AUC at least {MIN_CHURN_AUC} and top-decile lift above {MIN_CHURN_LIFT}"


def finite(v: Any) -> float | None:
    """``v`` as a float, or ``None`` when it is missing, not a number or not finite (a
    recorded figure read back from a chapter's results)."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def near_bar(x: float, bar: float) -> str:
    """``x`` with two decimals, or three when two would round it onto ``bar`` (0.597
    against 0.6 must not read 'ROC-AUC 0.60, below the bar of 0.6')."""
    return f"{x:.3f}" if f"{x:.2f}" == f"{bar:.2f}" and x != bar else f"{x:.2f}"


def churn_unusable(auc: Any, lift: Any) -> str:
    """Why a churn model with test ``auc`` and top-decile ``lift`` is too weak to act on.

    ``""`` when it clears both bars (:data:`CHURN_RULE`); a missing figure (``None``) is not
    held against the model.

    Example:
        >>> churn_unusable(0.46, 0.92)
        'ROC-AUC 0.46 and top-decile lift 0.92, below the bar (ROC-AUC at least 0.6 and top-decile lift above 1.0)'
        >>> churn_unusable(0.59, 1.89)
        'ROC-AUC 0.59, below the bar (ROC-AUC at least 0.6 and top-decile lift above 1.0; its top-decile lift 1.89 clears that part)'
        >>> churn_unusable(0.5974, 1.07)
        'ROC-AUC 0.597, below the bar (ROC-AUC at least 0.6 and top-decile lift above 1.0; its top-decile lift 1.07 clears that part)'
        >>> churn_unusable(0.8, 2.1)
        ''
    """
    a, lf = finite(auc), finite(lift)
    low_auc = a is not None and a < MIN_CHURN_AUC
    low_lift = lf is not None and lf <= MIN_CHURN_LIFT
    if not (low_auc or low_lift):
        return ""
    failed = [
        f"ROC-AUC {near_bar(a, MIN_CHURN_AUC)}" if low_auc and a is not None else "",
        f"top-decile lift {near_bar(lf, MIN_CHURN_LIFT)}" if low_lift and lf is not None else "",
    ]
    said = " and ".join(p for p in failed if p)
    passed = (
        f"; its top-decile lift {near_bar(lf, MIN_CHURN_LIFT)} clears that part"
        if lf is not None and not low_lift
        else f"; its ROC-AUC {near_bar(a, MIN_CHURN_AUC)} clears that part"
        if a is not None and not low_auc
        else ""
    )
    return f"{said}, below the bar ({CHURN_RULE}{passed})"
