"""Read what the other chapters recorded: the only input of the executive report.

``07_integration`` never recomputes a chapter; it reads ``<run>/results/<stem>.json`` (shape in
:mod:`opsai.report.results`) through :class:`RunResults`, which answers "metric X of chapter
Y", "table Z as a DataFrame" and "every finding" and treats a skipped or failed chapter as
absent, so every cross-chapter view says what it is missing instead of crashing.

Example:
    >>> run = load_run("reports/latest")                      # doctest: +SKIP
    >>> run.metric(BEHAVIOR, "churn.auc")                     # doctest: +SKIP
    0.786
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from opsai.errors import ChapterError
from opsai.overview.measures import activity_span

OVERVIEW = "00_data_overview"
BEHAVIOR = "03a_user_behavior"
RECOMMEND = "03b_recommendation"
DEMAND = "04_demand_inventory"
SERVICE = "05_customer_service"
MARKET = "06_market_competition"
INTEGRATION = "07_integration"
CHAPTERS: tuple[str, ...] = (OVERVIEW, BEHAVIOR, RECOMMEND, DEMAND, SERVICE, MARKET)
"""The chapters the executive report knows how to read, in report order."""

FINDING_COLUMNS = ["chapter", "title", "name", "severity", "text", "evidence", "href"]


def chapter_href(chapter: str, finding: str | None = None) -> str:
    """The link to a chapter page (and to one finding on it) inside a run folder."""
    from opsai.report.results import finding_anchor

    return f"{chapter}.html" + (f"#{finding_anchor(finding)}" if finding else "")


@dataclass
class RunResults:
    """Every chapter's recorded results of one run, keyed by notebook stem."""

    chapters: dict[str, dict[str, Any]] = field(default_factory=dict)
    path: Path | None = None

    def ok(self, chapter: str) -> bool:
        """Whether ``chapter`` ran and finished (its results can be used)."""
        r = self.chapters.get(chapter)
        return r is not None and r.get("status") == "ok"

    def why_missing(self, chapter: str) -> str:
        """A sentence saying why a chapter's results cannot be used ("" when they can)."""
        r = self.chapters.get(chapter)
        if r is None:
            return f"{chapter} did not run in this report"
        if r.get("status") != "ok":
            reason = r.get("reason") or "no reason recorded"
            status = r.get("status")
            verb = "failed" if status == "failed" else f"was {status}"  # not "was failed"
            return f"{chapter} {verb}: {reason}"
        return ""

    def usable(self, *chapters: str) -> bool:
        """Whether every one of ``chapters`` ran and recorded results (a join needs them all)."""
        return not any(self.why_missing(c) for c in chapters)

    def churn_unusable(self) -> str:
        """Why the behaviour chapter's churn model is too weak to act on ("" when it is not,
        or when no model ran): the chapter's own rule
        (:func:`~opsai.report.quality.churn_unusable`), read from its recorded metrics."""
        from opsai.report.quality import churn_unusable

        if self.metric(BEHAVIOR, "churn.auc") is None:
            return ""
        return churn_unusable(
            self.metric(BEHAVIOR, "churn.auc"), self.metric(BEHAVIOR, "churn.top_decile_lift")
        )

    def title(self, chapter: str) -> str:
        r = self.chapters.get(chapter) or {}
        return str(r.get("title") or chapter)

    def metric(self, chapter: str, name: str, default: Any = None) -> Any:
        """A recorded metric, or ``default`` when the chapter or the metric is absent."""
        if not self.ok(chapter):
            return default
        v = self.chapters[chapter].get("metrics", {}).get(name)
        return default if v is None else v

    def table(self, chapter: str, name: str) -> pd.DataFrame:
        """A recorded table as a DataFrame (empty when absent)."""
        if not self.ok(chapter):
            return pd.DataFrame()
        return pd.DataFrame(self.chapters[chapter].get("tables", {}).get(name, []))

    def tables(self, chapter: str) -> list[str]:
        return list(self.chapters[chapter].get("tables", {})) if self.ok(chapter) else []

    def metrics(self, chapter: str) -> dict[str, Any]:
        return dict(self.chapters[chapter].get("metrics", {})) if self.ok(chapter) else {}

    def finding(self, chapter: str, name: str) -> dict[str, Any] | None:
        """One finding by name (``None`` when absent)."""
        if not self.ok(chapter):
            return None
        for f in self.chapters[chapter].get("findings", []):
            if f.get("name") == name:
                return dict(f)
        return None

    def findings(self) -> pd.DataFrame:
        """Every finding of every usable chapter, with a link to it on its page."""
        rows = []
        for stem, r in self.chapters.items():
            if not self.ok(stem):
                continue
            for f in r.get("findings", []):
                name = str(f.get("name") or "")
                rows.append(
                    {
                        "chapter": stem,
                        "title": self.title(stem),
                        "name": name,
                        "severity": f.get("severity", "info"),
                        "text": f.get("text", ""),
                        "evidence": dict(f.get("evidence") or {}),
                        "href": chapter_href(stem, name or None),
                    }
                )
        return pd.DataFrame(rows, columns=FINDING_COLUMNS)

    def span(self) -> str:
        """The data's time span (from the data overview), e.g. ``2023-01-01 to 2024-12-31``."""
        t = self.table(OVERVIEW, "table_overview")
        if t.empty or not {"start", "end"} <= set(t):
            return ""
        span = activity_span(t)
        return f"{span[0]:%Y-%m-%d} to {span[1]:%Y-%m-%d}" if span else ""

    def status_table(self) -> pd.DataFrame:
        """Chapter, title, status, reason and seconds of every chapter in the run."""
        return pd.DataFrame(
            [
                {
                    "chapter": stem,
                    "title": self.title(stem),
                    "status": r.get("status"),
                    "reason": r.get("reason"),
                    "seconds": (r.get("timings") or {}).get("seconds"),
                }
                for stem, r in self.chapters.items()
            ],
            columns=["chapter", "title", "status", "reason", "seconds"],
        )


def load_run(
    output_dir: str | os.PathLike[str], *, exclude: tuple[str, ...] = (INTEGRATION, "scratch")
) -> RunResults:
    """Read every ``<output_dir>/results/*.json`` except ``exclude``.

    Raises:
        ChapterError: the folder has no ``results/`` (point ``output_dir`` at a run folder).
    """
    base = Path(output_dir).expanduser()
    folder = base / "results"
    if not folder.is_dir():
        raise ChapterError(
            f"{base} has no results/ folder: OUTPUT_DIR must be a report run folder "
            "(run `opsai report`, or open reports/latest)"
        )
    chapters: dict[str, dict[str, Any]] = {}
    for p in sorted(folder.glob("*.json")):
        if p.stem in exclude:
            continue
        try:
            data = json.loads(p.read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ChapterError(f"results file {p} cannot be read ({e})") from None
        if isinstance(data, dict):
            chapters[p.stem] = data
    return RunResults(chapters, base.resolve())


def previous_run(output_dir: str | os.PathLike[str], previous: str = "") -> RunResults | None:
    """The run to compare with: ``previous`` if given, else the reports folder's ``latest``
    when it is a different run than ``output_dir`` (during ``opsai report``, ``latest`` still
    points at the last published run). ``None`` when there is none."""
    here = Path(output_dir).expanduser().resolve()
    cand = Path(previous).expanduser() if previous else here.parent / "latest"
    try:
        cand = cand.resolve(strict=True)
    except OSError:
        return None
    if cand == here or not (cand / "results").is_dir():
        return None
    return load_run(cand)


def context(config: str | os.PathLike[str] | None) -> tuple[str, str, Any]:
    """The company name, the currency code and the LLM client (``None`` when off) from a
    config file; without one, ``("Our company", "", None)``: money is then shown bare."""
    if not config or not Path(config).exists():
        return "Our company", "", None
    from opsai.config import load_config
    from opsai.service.chat import llm_client

    cfg = load_config(config)
    return cfg.company, cfg.currency, llm_client(cfg)
