"""The executive summary in words, from the numbers, by a Jinja2 template.

:func:`summary` fills ``templates/executive/summary.md.j2`` from the scorecard and the action
plan. :func:`rephrase` may pass the text through the customer-service chapter's LLM client (off
by default); the rewrite is kept only when every number in it appears in the original, so the
model can change wording but never add or alter a figure.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from opsai.config import TEMPLATES_DIR
from opsai.executive.scorecard import MONEY_KPIS, format_change
from opsai.report.wording import money

_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?")
REPHRASE_PROMPT = (
    "Rewrite this operations summary for a busy executive: clearer and shorter, same "
    "structure (Markdown). Do not add, remove or change any number, and do not add facts."
)


@functools.cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _md_text(value: Any) -> Any:
    """A value written into Markdown: ``<`` and ``>`` as entities, so no HTML gets through;
    quotes and ``&`` stay as they are (``users' top`` rather than ``users&#39; top``, which
    the recorded Markdown and the LLM prompt would otherwise carry)."""
    if isinstance(value, str):
        return value.replace("<", "&lt;").replace(">", "&gt;")
    return value


@functools.cache
def _md_env() -> Any:
    """The environment of the Markdown summary: not HTML-autoescaped, :func:`_md_text` instead."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=False,
        finalize=_md_text,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def format_value(v: Any, key: str = "", *, currency: str = "") -> str:
    """A scorecard value for text: shares and rates as %, money and counts with separators.

    Money figures (:data:`~opsai.executive.scorecard.MONEY_KPIS`) carry ``currency``
    (``11,738 USD``); an empty ``currency`` leaves them bare.
    """
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    x = float(v)
    if key in (
        "share",
        "funnel_conversion",
        "fill_rate",
        "market_growth",
        "negative_share",
        "churn_label_rate",
    ):
        return f"{x:.1%}"
    if key == "reco_lift":
        return f"{x:.1f}x"
    decimals = 0 if abs(x) >= 100 or x.is_integer() else 2
    return money(x, currency if key in MONEY_KPIS else "", decimals=decimals)


def summary(
    scorecard: pd.DataFrame,
    actions: pd.DataFrame,
    *,
    company: str,
    span: str = "",
    missing: Sequence[str] = (),
    top: int = 3,
    headline: int = 6,
    currency: str = "",
) -> str:
    """The summary as Markdown.

    Args:
        scorecard: :func:`~opsai.executive.scorecard.kpi_scorecard`.
        actions: :func:`~opsai.executive.actions.action_plan`.
        company: whose report it is.
        span: the data's time span, shown in the title line.
        missing: sentences saying which chapters did not contribute and why.
        top: actions listed.
        headline: scorecard figures listed (those with a change first).
        currency: the config's currency code, written after money figures ("" for none).
    """
    sc = scorecard.copy()
    if not sc.empty:
        sc["_has"] = sc["change"].notna()
        sc = sc.sort_values("_has", ascending=False, kind="stable").head(headline)
    rows = [
        {
            "kpi": r["kpi"],
            "value_text": format_value(r["value"], r["key"], currency=currency) + _base(r),
            "change_text": format_change(r["change"], r["change_unit"]),
            "period": r["period"],
            "assessment": r["assessment"],
        }
        for _, r in sc.iterrows()
    ]
    acts = [
        {"area": a["area"], "action": a["action"], "expected_effect": a["expected_effect"]}
        for _, a in actions.head(top).iterrows()
    ]
    text = (
        _md_env()
        .get_template("executive/summary.md.j2")
        .render(
            company=company,
            span=span,
            headline=rows,
            n_actions=len(actions),
            top=acts,
            missing=list(missing),
        )
    )
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _base(r: pd.Series) -> str:
    """What a dateless figure is a share of (" of 3,000 rated", byod12b D16): its period has
    no change to carry it, so it follows the value."""
    head = "all tickets (no timestamps) of "
    period = str(r["period"])
    return f" of {period[len(head) :]}" if period.startswith(head) else ""


def numbers(text: str) -> set[str]:
    """The numbers in a text, normalised (``1,234.0`` -> ``1234``; signs dropped)."""
    out = set()
    for m in _NUMBER.findall(text):
        s = m.replace(",", "").lstrip("+-")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        out.add(s)
    return out


def rephrase(text: str, client: Any) -> tuple[str, str]:
    """Ask ``client`` (an :class:`opsai.service.llm.LLMClient`) to rephrase ``text``.

    Returns:
        ``(text, note)``: the rewrite when it kept to the original's numbers, else the
        original with a note saying why (disabled, failed, or numbers changed).
    """
    from opsai.errors import OpsaiError

    if client is None or not getattr(client.config, "enabled", False):
        return text, "template text (no language model configured)"
    messages = [
        {"role": "system", "content": REPHRASE_PROMPT},
        {"role": "user", "content": text},
    ]
    try:
        out = client.complete(messages)
    except OpsaiError as e:
        return text, f"template text (the language model failed: {e})"
    if not out:
        return text, "template text (the language model answered nothing)"
    added = numbers(out) - numbers(text)
    if added:
        shown = ", ".join(sorted(added)[:5])
        return text, f"template text (the rephrased version added numbers: {shown})"
    return out.strip() + "\n", "rephrased by the language model; numbers checked"
