"""Render executed chapters to self-contained HTML pages, and the run's ``index.html``.

Chapter pages go through nbconvert's ``HTMLExporter`` in-process with the template folder
``templates/opsai_report`` (the lab template minus everything fetched from the network).
Before export the notebook is cleaned: code hidden (kept with ``show_code``; a failing cell
always shows its code), parameter cells and empty cells dropped, stderr streams dropped,
external ``<script src=…>`` tags (plotly's MathJax CDN tag) removed, and plotly.js — which
the ``notebook`` renderer inlines into the first figure's output — moved into the page head
exactly once. The index page comes from the Jinja2 template ``templates/index.html.j2`` with
autoescape on: every string from the data is shown as text.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import math
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat

from opsai.config import TEMPLATES_DIR
from opsai.report.results import SEVERITIES

TEMPLATE_NAME = "opsai_report"
_EXTERNAL_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>", re.IGNORECASE
)
_PLOTLY_BUNDLE = re.compile(r"\*\s*plotly\.js v\d")
_RESOURCE_URL = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?((?:https?:)?//[^"'\s>]+)"""
    r"""|@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s]+)"""
    r"""|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)
_HIDDEN_TAGS = {"parameters", "injected-parameters", "remove_cell", "remove-cell"}


def external_resources(page: str) -> list[str]:
    """URLs a page would fetch from the network (scripts, styles, images, fonts, frames)."""
    return [next(g for g in m.groups() if g) for m in _RESOURCE_URL.finditer(page)]


@functools.cache
def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def _is_plotly_bundle(html: str) -> bool:
    return len(html) > 100_000 and bool(_PLOTLY_BUNDLE.search(html[:5000]))


def clean_notebook(
    nb: nbformat.NotebookNode, *, show_code: bool = False, mask: bool = False
) -> tuple[Any, bool]:
    """A copy of an executed notebook ready for the report, and whether it has plotly charts;
    ``mask`` shows e-mail addresses in outputs as tokens (:func:`mask_emails`)."""
    nb = copy.deepcopy(nb)
    has_plotly = False
    cells = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code":
            if not tags & _HIDDEN_TAGS:
                cells.append(cell)
            continue
        failed = bool(cell.get("metadata", {}).get("papermill", {}).get("exception"))
        if tags & _HIDDEN_TAGS and not (show_code and tags & {"parameters", "injected-parameters"}):
            continue
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr" and not show_code:
                continue
            data = out.get("data", {})
            html = data.get("text/html")
            if isinstance(html, list):
                html = "".join(html)
            if isinstance(html, str):
                if _is_plotly_bundle(html):
                    continue  # moved into the page head, once
                if "Plotly.newPlot" in html:
                    has_plotly = True
                data["text/html"] = _EXTERNAL_SCRIPT.sub("", html)
            outputs.append(_masked(out) if mask else out)
        cell.outputs = outputs
        if not (show_code or failed):
            if not outputs:
                continue
            cell.metadata.setdefault("transient", {})["remove_source"] = True
        cells.append(cell)
    nb.cells = cells
    return nb, has_plotly


@functools.cache
def _exporter(show_code: bool) -> Any:
    from nbconvert import HTMLExporter

    ex = HTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input_prompt=not show_code,
        exclude_output_prompt=True,
        embed_images=True,
    )
    ex.anchor_link_text = ""
    return ex


MASKED_EMAIL = re.compile(r"\[EMAIL [0-9a-f]{6}\]")
"""How :func:`mask_emails` shows an address (what counts them on a page)."""


def mask_emails(text: str) -> str:
    """Every e-mail address in ``text`` as ``[EMAIL`` and 6 hex digits of its hash``]``: the
    same address always reads the same, two addresses differently, and nothing of the
    address is left to read. Safe inside HTML, attributes and JSON strings."""
    from opsai.service.pii import EMAIL_PATTERN

    def token(m: re.Match[str]) -> str:
        digest = hashlib.sha256(m.group(0).lower().encode()).hexdigest()[:6]
        return f"[EMAIL {digest}]"

    return EMAIL_PATTERN.sub(token, text)


def _masked(value: Any) -> Any:
    """``value`` (a notebook output, or any part of one: text, HTML, a chart's JSON) with
    every e-mail address in its strings as a token; the plotly bundle, which credits its
    authors by address, is not an output here."""
    if isinstance(value, str):
        return mask_emails(value)
    if isinstance(value, list):
        return [_masked(v) for v in value]
    if isinstance(value, dict):
        return type(value)({k: _masked(v) for k, v in value.items()})
    return value


def render_chapter(
    notebook: str | os.PathLike[str],
    html_path: str | os.PathLike[str],
    *,
    show_code: bool = False,
    run_title: str = "Report",
    index_href: str = "index.html",
    status: str = "ok",
    reason: str | None = None,
    mask: bool = True,
) -> Path:
    """Render an executed chapter notebook to one self-contained HTML page.

    Args:
        notebook: the executed ``.ipynb``.
        html_path: the page to write.
        show_code: keep code cells' source (hidden by default).
        run_title: the report title, shown in the link back to the index.
        index_href: that link's target.
        status: ``"failed"`` adds a banner with ``reason`` at the top.
        reason: why the chapter failed.
        mask: show e-mail addresses as tokens (:func:`mask_emails`).
    """
    nb = nbformat.read(notebook, as_version=4)
    clean, has_plotly = clean_notebook(nb, show_code=show_code, mask=mask)
    resources = {
        "opsai": {
            "plotly_js": _plotly_js() if has_plotly else "",
            "run_title": run_title,
            "index_href": index_href,
            "status": status,
            "reason": reason,
        },
        "metadata": {"name": nb.metadata.get("opsai", {}).get("title") or Path(notebook).stem},
    }
    body, _ = _exporter(show_code).from_notebook_node(clean, resources=resources)
    out = Path(html_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, "utf-8")
    return out


# ---- index page ---------------------------------------------------------------------------
_PERCENT_WORDS = {"share", "rate", "accuracy", "conversion", "coverage", "hit"}
"""A fraction in [0, 1] whose name has one of these words is shown as a percentage."""
MONEY_METRICS = frozenset({"revenue_28d", "outreach.value_at_risk"})
"""Recorded metrics that are money: their cards carry the config's currency code."""


def _fmt(v: Any, name: str = "", currency: str = "") -> str:
    """A metric for a card: thousands separators, 3 significant digits for fractions, and
    percentages for names ending in ``_share``, ``_rate`` or ``_change`` (signed) and for
    fractions named as shares, rates, accuracies, conversions, coverage or hit rates. A
    money metric (:data:`MONEY_METRICS`) gets ``currency`` after it (``11,738 USD``)."""
    text = _fmt_number(v, name)
    money = currency and name in MONEY_METRICS and isinstance(v, (int, float))
    return f"{text} {currency}" if money and not isinstance(v, bool) else text


def _fmt_number(v: Any, name: str) -> str:
    if isinstance(v, (int, float)) and not isinstance(v, bool):  # a run-off fit, not a figure
        if not math.isfinite(v):
            return "—"
        if abs(v) >= 1e15:
            return f"{float(v):.3g}"
    if (isinstance(v, float) and name.endswith(("_share", "_rate", "_change"))) or (
        isinstance(v, float) and "_change_" in name
    ):
        return f"{v:+.1%}" if "change" in name else f"{v:.1%}"
    words = set(re.split(r"[._]", name.lower()))
    if (
        isinstance(v, float)
        and 0.0 <= v <= 1.0
        and words & _PERCENT_WORDS
        and "change" not in words
    ):
        return f"{v:.1%}"
    if isinstance(v, bool) or v is None:
        return "—" if v is None else str(v)
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return f"{int(v):,}"
        a = abs(v)
        if a >= 1e6:
            return f"{v / 1e6:,.2f}M"
        if a >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3g}"
    return str(v)


_ACRONYMS = {
    "auc": "AUC",
    "ndcg": "nDCG",
    "mape": "MAPE",
    "wape": "WAPE",
    "mase": "MASE",
    "smape": "sMAPE",
    "pr": "PR",
    "pii": "PII",
    "f1": "F1",
    "clv": "CLV",
    "hhi": "HHI",
    "zh": "(zh)",
    "en": "(en)",
}


def _label(name: str) -> str:
    """A recorded name as a card caption: ``best.ndcg_at_10`` -> ``Best nDCG at 10``."""
    words = name.replace(".", " ").replace("_", " ").split()
    words = [_ACRONYMS.get(w.lower(), w) for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


@functools.cache
def _jinja() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = _fmt
    env.filters["label"] = _label
    return env


def index_context(
    results: Sequence[Mapping[str, Any]], *, meta: Mapping[str, Any], pages: Mapping[str, str]
) -> dict[str, Any]:
    """What ``index.html.j2`` shows: run metadata, KPI cards, sorted findings, chapters."""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    currency = str(meta.get("currency") or "")
    findings = []
    kpis = []
    for r in results:
        for f in r.get("findings", []):
            findings.append({**f, "chapter": r["chapter"], "title": r.get("title") or r["chapter"]})
        for name in r.get("kpis", []):
            # a figure the data cannot give (no revenue column: revenue_28d is None) gets no card
            if r.get("metrics", {}).get(name) is not None:
                kpis.append({"name": name, "value": r["metrics"][name], "chapter": r["chapter"]})
    findings.sort(key=lambda f: rank.get(f.get("severity", "info"), len(rank)))
    findings = group_findings(findings)
    counts = {
        s: sum(1 for r in results if r.get("status") == s) for s in ("ok", "failed", "skipped")
    }
    return {
        "executive": _executive(results, currency),
        "meta": dict(meta),
        "kpis": kpis,
        "findings": findings,
        "chapters": [dict(r) for r in results],
        "pages": dict(pages),
        "counts": counts,
        "currency": currency,
    }


SHOWN_PER_KIND = 3
"""Findings of one kind (``overstock.SKU-03``, ``overstock.SKU-09`` …) the index lists before
folding the rest of that kind into one line."""


def group_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings with each kind past its first :data:`SHOWN_PER_KIND` folded into one entry.

    A kind is the chapter, the severity and the name up to its first dot: 27 overstocked
    items of a wholesaler are three findings and "24 more overstock findings" whose texts sit
    under it (``rest``), so they do not push every other finding down the page. Order kept.
    """
    kind = [
        (f["chapter"], f.get("severity"), str(f.get("name", "")).split(".")[0]) for f in findings
    ]
    size = Counter(kind)
    out: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    folded: dict[tuple[Any, ...], dict[str, Any]] = {}
    for f, k in zip(findings, kind, strict=True):
        seen[k] = seen.get(k, 0) + 1
        if size[k] <= SHOWN_PER_KIND + 1 or seen[k] <= SHOWN_PER_KIND:
            out.append(f)
            continue
        if k not in folded:
            n = size[k] - SHOWN_PER_KIND
            label = k[2].replace("_", " ") or "other"
            folded[k] = {
                "severity": f.get("severity"),
                "chapter": f["chapter"],
                "title": f["title"],
                "text": f"{n} more {label} findings like these",
                "evidence": {},
                "rest": [],
            }
            out.append(folded[k])
        folded[k]["rest"].append(f)
    return out


EXECUTIVE = "07_integration"


def _executive(results: Sequence[Mapping[str, Any]], currency: str = "") -> dict[str, Any] | None:
    """The executive report's scorecard and action plan for the index's first screen."""
    r = next((r for r in results if r.get("chapter") == EXECUTIVE), None)
    if r is None or r.get("status") != "ok":
        return None
    from opsai.executive.narrative import format_value
    from opsai.executive.scorecard import format_change

    tables = r.get("tables", {})
    scorecard = [
        {
            **k,
            "value_text": format_value(k.get("value"), str(k.get("key", "")), currency=currency),
            "change_text": format_change(k.get("change"), str(k.get("change_unit", ""))),
        }
        for k in tables.get("scorecard", [])
    ]
    actions = [a for a in tables.get("actions", []) if isinstance(a.get("evidence"), list)]
    return {"chapter": EXECUTIVE, "scorecard": scorecard, "actions": actions[:8]}


def render_index(
    path: str | os.PathLike[str],
    results: Sequence[Mapping[str, Any]],
    *,
    meta: Mapping[str, Any],
    pages: Mapping[str, str],
    mask: bool = True,
) -> Path:
    """Write ``index.html`` (template ``templates/index.html.j2``, autoescaped); ``mask``
    shows e-mail addresses as tokens (:func:`mask_emails`).

    Args:
        path: the page to write.
        results: every chapter's results mapping, in report order.
        meta: run metadata: title, company, currency, source, span, parameters, duration...
        pages: chapter stem -> relative link of its page (and ``<stem>.pdf`` -> PDF link).
    """
    html = (
        _jinja()
        .get_template("index.html.j2")
        .render(**index_context(results, meta=meta, pages=pages))
    )
    if mask:
        html = mask_emails(html)
    out = Path(path)
    out.write_text(html, "utf-8")
    return out
