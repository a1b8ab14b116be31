"""Behaviour findings written from hand-built tables."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.behavior import findings

pytestmark = pytest.mark.unit

PERSONAS = pd.DataFrame(
    {"name": ["Loyal big spenders", "Occasional buyers"], "share": [0.2, 0.8],
     "revenue_share": [0.6, 0.4], "aov": [1234.5, 40.0], "frequency": [5.0, 1.2]}
)  # fmt: skip


def test_top_segment_quotes_the_average_order_in_the_currency() -> None:
    f = findings.top_segment(PERSONAS, currency="TWD")
    assert f.text == (
        "'Loyal big spenders' are 20% of buyers but bring 60% of revenue (average order "
        "1,234.50 TWD, 5.0 orders each)."
    )
    assert "(average order 1,234.50, 5.0" in findings.top_segment(PERSONAS).text


def test_top_segment_without_order_values_names_no_currency() -> None:
    f = findings.top_segment(PERSONAS, money=False, currency="TWD")
    assert f.text == (
        "'Loyal big spenders' are 20% of buyers but bring 60% of purchases (5.0 orders each)."
    )


def _split(rates: dict[str, tuple[int, int]]) -> pd.DataFrame:
    rows = []
    for value, (prev, n) in rates.items():
        rows += [{"country": value, "step": 1, "event": "level_complete", "units": prev,
                  "step_conversion": 1.0},
                 {"country": value, "step": 2, "event": "iap_purchase", "units": n,
                  "step_conversion": n / prev}]  # fmt: skip
    return pd.DataFrame(rows)


def test_funnel_gap_from_noise_is_no_finding() -> None:
    """The game: DE 1.82% (80/4,407 sessions) against BR 2.18% (162/7,428) read as a gap to
    fix ("2% against 2% (1.3x)"); purchases were drawn independently of country."""
    split = _split({"DE": (4407, 80), "BR": (7428, 162), "US": (9000, 180)})
    assert findings.funnel_gap(split, breakdown="country") is None


def test_funnel_gap_counts_users_not_sessions_and_prints_the_interval() -> None:
    split = _split({"DE": (2000, 20), "BR": (2000, 60)})
    gap = findings.funnel_gap(split, breakdown="country")  # sessions taken as independent
    assert gap is not None and gap.evidence["ci"] == pytest.approx([0.0113, 0.0287], abs=1e-4)
    assert (
        "1.0% of those reaching level_complete go on to iap_purchase, against 3.0% for BR"
        in gap.text
    )
    assert (
        "(3.0x; 2.0 pp lower, 95% interval 1.1 to 2.9 pp with sessions as independent units)"
        in gap.text
    )
    # the same sessions, but BR's purchases all come from two whales: no evidence about BR's players
    by_user = pd.DataFrame(
        [{"country": "DE", "user_id": f"d{i}", "n0": 20, "n1": 1 if i < 20 else 0} for i in range(100)]
        + [{"country": "BR", "user_id": f"b{i}", "n0": 20, "n1": 30 if i < 2 else 0} for i in range(100)]
    )  # fmt: skip
    assert findings.funnel_gap(split, breakdown="country", by_user=by_user) is None
    spread = by_user.assign(n1=lambda d: [1 if i < 20 else 0 for i in range(100)] + [1 if i < 60 else 0 for i in range(100)])  # fmt: skip
    gap = findings.funnel_gap(split, breakdown="country", by_user=spread)
    assert gap is not None and gap.evidence["independent_units"] == "users"


def test_clv_unfit_says_why_and_reports_no_figure() -> None:
    f = findings.clv_unfit("BG/NBD: 30 of 30 predictions are negative", customers=30)
    assert f.name == "clv_holdout" and f.severity == "medium"
    assert f.evidence == {"reason": "BG/NBD: 30 of 30 predictions are negative", "customers": 30}
    assert f.text.startswith("The lifetime-value model did not fit these 30 buyers (BG/NBD: 30")
    assert "no purchase forecast or customer value is reported" in f.text


def test_a_figure_just_below_the_bar_is_not_rounded_onto_it() -> None:
    """byod9a D18: 'ROC-AUC 0.60, below the bar (ROC-AUC at least 0.6 ...)' for 0.5974."""
    m = {"roc_auc": 0.5974, "top_decile_lift": 1.07, "base_rate": 0.4, "pr_auc": 0.5}
    f = findings.model_quality(m, model="mlp", horizon_days=30)
    assert "ranks users with ROC-AUC 0.597; the 10%" in f.text
    assert "That is ROC-AUC 0.597, below the bar" in f.text
    assert "its top-decile lift 1.07 clears that part" in f.text
    f = findings.model_quality({**m, "roc_auc": 0.55}, model="mlp", horizon_days=30)
    assert "That is ROC-AUC 0.55, below the bar" in f.text  # far from it: two decimals


def test_a_churn_model_worse_than_chance_says_churn_could_not_be_predicted() -> None:
    """woo_hand: ROC-AUC 0.46, top-decile lift 0.92 read as an ordinary low-severity model
    and the chapter still listed users "likely to churn"."""
    weak = {"roc_auc": 0.46, "top_decile_lift": 0.92, "base_rate": 0.69, "pr_auc": 0.66}
    f = findings.model_quality(weak, model="gbm", horizon_days=90)
    assert f.evidence["usable"] is False and f.severity == "medium"
    assert f.text.startswith("Churn could not be predicted from this data: the gbm churn model")
    assert "ROC-AUC 0.46 and top-decile lift 0.92, below the bar" in f.text
    good = findings.model_quality(
        {**weak, "roc_auc": 0.75, "top_decile_lift": 2.0}, model="gbm", horizon_days=90
    )
    assert good.evidence["usable"] is True and good.severity == "info"
    assert good.text.startswith("The gbm churn model ranks users with ROC-AUC 0.75")
    lift_only = findings.model_quality(
        {**weak, "roc_auc": 0.65, "top_decile_lift": 0.95}, model="mlp", horizon_days=90
    )
    # it ranks above chance, but the 10% it flags first churn less often than average
    assert lift_only.evidence["usable"] is False
