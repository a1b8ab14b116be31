"""The executive report (``07_integration``): joins what the chapters recorded.

Reads only recorded results (:mod:`opsai.executive.results`) and builds the KPI scorecard, the
ranked findings, the cross-chapter views, the action plan, the summary text, the model cards
and the privacy check.
"""

from opsai.executive.actions import Assumptions, action_plan, describe_effect, rank_findings
from opsai.executive.cards import model_cards
from opsai.executive.joins import (
    intents_after_competitor_moves,
    outreach_list,
    stockout_recommendations,
)
from opsai.executive.narrative import rephrase, summary
from opsai.executive.optimisation import Studies, optimisation_tables, tuning_studies
from opsai.executive.privacy import scan_run, scan_text
from opsai.executive.results import CHAPTERS, RunResults, context, load_run, previous_run
from opsai.executive.scorecard import kpi_scorecard, store_scorecard
from opsai.executive.views import actions_html, cards_html, findings_html, scorecard_html

__all__ = [
    "CHAPTERS",
    "Assumptions",
    "RunResults",
    "Studies",
    "action_plan",
    "actions_html",
    "cards_html",
    "context",
    "describe_effect",
    "findings_html",
    "intents_after_competitor_moves",
    "kpi_scorecard",
    "load_run",
    "model_cards",
    "optimisation_tables",
    "outreach_list",
    "previous_run",
    "rank_findings",
    "rephrase",
    "scan_run",
    "scan_text",
    "scorecard_html",
    "stockout_recommendations",
    "store_scorecard",
    "summary",
    "tuning_studies",
]
