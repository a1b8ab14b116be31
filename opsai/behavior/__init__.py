"""Chapter 3a, user behaviour: segments and personas, funnels and paths, retention, churn, CLV.

Engine-heavy steps (funnels, paths, retention, per-user aggregates) take Ibis tables or pandas
frames and run in the engine; models take the per-user frames that come back. torch is only
imported when an MLP is fitted.
"""

from __future__ import annotations

from opsai.behavior.attributes import (
    lifted_attributes,
    model_attributes,
    order_attributes,
    outcome_attributes,
    restated_attributes,
)
from opsai.behavior.churn import (
    at_risk,
    at_risk_summary,
    churn_frame,
    comeback_rate,
    feature_columns,
    lapsed,
    leaky_attributes,
    snapshots,
    still_active,
    usable_horizon,
)
from opsai.behavior.churn_model import (
    ChurnModel,
    calibration_table,
    churn_model_problem,
    evaluate,
    lift_at,
)
from opsai.behavior.clv import BetaGeo, GammaGamma, customer_value, holdout_check, summary
from opsai.behavior.experiment import (
    compare_arms,
    experiment_column,
    experiment_finding,
    per_user_outcomes,
    sample_ratio,
)
from opsai.behavior.funnels import (
    funnel,
    funnel_by_user,
    funnel_skip_reason,
    match_steps,
    overall_conversion,
    path_links,
    top_paths,
)
from opsai.behavior.item_rates import item_rate_findings, item_rates
from opsai.behavior.label_churn import SNAPSHOT_REASON, LabelChurn, has_churn_label, label_churn
from opsai.behavior.mlp import MLPClassifier
from opsai.behavior.pareto import ParetoNBD
from opsai.behavior.personas import name_segment, personas
from opsai.behavior.purchases import orders_from_events, without_returns
from opsai.behavior.retention import (
    activity_of,
    cohort_basis,
    cohort_matrix,
    lifecycle,
    retention_curve,
    signup_coverage,
)
from opsai.behavior.segments import Segmenter, behaviour_features, rfm

__all__ = [
    "SNAPSHOT_REASON",
    "BetaGeo",
    "ChurnModel",
    "GammaGamma",
    "LabelChurn",
    "MLPClassifier",
    "ParetoNBD",
    "Segmenter",
    "activity_of",
    "at_risk",
    "at_risk_summary",
    "behaviour_features",
    "calibration_table",
    "churn_frame",
    "churn_model_problem",
    "cohort_basis",
    "cohort_matrix",
    "comeback_rate",
    "compare_arms",
    "customer_value",
    "evaluate",
    "experiment_column",
    "experiment_finding",
    "feature_columns",
    "funnel",
    "funnel_by_user",
    "funnel_skip_reason",
    "has_churn_label",
    "holdout_check",
    "item_rate_findings",
    "item_rates",
    "label_churn",
    "lapsed",
    "leaky_attributes",
    "lifecycle",
    "lift_at",
    "lifted_attributes",
    "match_steps",
    "model_attributes",
    "name_segment",
    "order_attributes",
    "orders_from_events",
    "outcome_attributes",
    "overall_conversion",
    "path_links",
    "per_user_outcomes",
    "personas",
    "restated_attributes",
    "retention_curve",
    "rfm",
    "sample_ratio",
    "signup_coverage",
    "snapshots",
    "still_active",
    "summary",
    "top_paths",
    "usable_horizon",
    "without_returns",
]
