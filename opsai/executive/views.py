"""HTML views of the executive tables for the notebook (Jinja2, autoescaped)."""

from __future__ import annotations

import pandas as pd

from opsai.executive.narrative import _env, format_value
from opsai.executive.scorecard import format_change


def scorecard_html(scorecard: pd.DataFrame, *, currency: str = "") -> str:
    """The scorecard as cards, coloured by whether each change is better or worse; money
    figures carry ``currency`` (the config's code; "" for none)."""
    rows = [
        {
            "area": r["area"],
            "kpi": r["kpi"],
            "value_text": format_value(r["value"], r["key"], currency=currency),
            "change_text": format_change(r["change"], r["change_unit"]),
            "period": r["period"],
            "assessment": r["assessment"],
            "since_text": format_change(r["since_last_report"], "%"),
        }
        for _, r in scorecard.iterrows()
    ]
    return str(_env().get_template("executive/scorecard.html.j2").render(rows=rows))


def actions_html(actions: pd.DataFrame) -> str:
    """The action plan with links to the evidence on the chapter pages."""
    rows = actions.to_dict(orient="records")
    return str(_env().get_template("executive/actions.html.j2").render(actions=rows))


def findings_html(ranked: pd.DataFrame) -> str:
    """Ranked findings with links to their place on the chapter pages."""
    rows = ranked.to_dict(orient="records")
    return str(_env().get_template("executive/findings.html.j2").render(findings=rows))


def cards_html(cards: pd.DataFrame) -> str:
    """Model cards."""
    rows = cards.to_dict(orient="records")
    return str(_env().get_template("executive/cards.html.j2").render(cards=rows))
