"""Record a chapter's results (metrics, tables, findings) to a JSON sidecar in the run folder.

Notebooks call :func:`record`; the runner, the index page, the tests and ``07_integration``
read the sidecar, never the notebook. One file per chapter, ``<run>/results/<stem>.json``::

    {
      "chapter": "00_data_overview",          # notebook stem
      "title": "Data overview",               # optional, from start_chapter(title=...)
      "status": "ok" | "skipped" | "failed",  # set by the runner after the notebook ran
      "reason": null | "why it was skipped or how it failed",
      "parameters": {"CONFIG": "...", "SEED": 0, ...},
      "metrics": {"orders": 1234, "revenue": 5.6e4, "top_table": "events"},
      "kpis": ["orders", "revenue"],          # metrics shown as cards on the index page
      "tables": {"table_summary": [{"table": "orders", "rows": 1234}, ...]},
      "findings": [{"name": "...", "text": "a sentence with numbers", "severity": "medium",
                    "evidence": {"share": 0.12}}],
      "timings": {"started": "2025-01-01T10:00:00", "seconds": 12.3, "code_seconds": 10.9}
    }

Where the file goes: :func:`start_chapter` (or the first :func:`record`) picks the run folder
from its ``output_dir`` argument (the notebook's ``OUTPUT_DIR`` parameter), else the
``OPSAI_OUTPUT_DIR`` environment variable, else ``reports/scratch``; and the chapter stem
from its ``chapter`` argument, else ``OPSAI_CHAPTER`` (set by the runner for each kernel),
else the notebook JupyterLab opened (``JPY_SESSION_NAME``), else ``scratch``. So a notebook
opened by hand writes to ``reports/scratch/results/<its name>.json``.

Example:
    >>> from opsai import report
    >>> report.start_chapter(output_dir=OUTPUT_DIR, title="Data overview")  # doctest: +SKIP
    >>> report.record("orders", 1234, kpi=True)                             # doctest: +SKIP
    >>> report.record("drop", "Revenue fell 12% in May.", kind="finding",
    ...               severity="medium", evidence={"change": -0.12})          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from opsai.errors import ChapterError

Kind = Literal["metric", "table", "finding"]
Severity = Literal["high", "medium", "low", "info"]
Status = Literal["ok", "skipped", "failed"]
SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")
"""Most to least severe; the index page sorts findings in this order."""
MAX_TABLE_ROWS = 500
"""Tables longer than this are cut (the notebook page still shows what it displays)."""

ENV_CHAPTER = "OPSAI_CHAPTER"
ENV_OUTPUT_DIR = "OPSAI_OUTPUT_DIR"

_JSON_VALUE: dict[str, Any] = {"type": ["number", "string", "boolean", "null"]}
RESULT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["chapter", "status", "parameters", "metrics", "tables", "findings", "timings"],
    "additionalProperties": False,
    "properties": {
        "chapter": {"type": "string", "minLength": 1},
        "title": {"type": ["string", "null"]},
        "status": {"enum": ["ok", "skipped", "failed"]},
        "reason": {"type": ["string", "null"]},
        "parameters": {"type": "object"},
        "metrics": {"type": "object", "additionalProperties": _JSON_VALUE},
        "kpis": {"type": "array", "items": {"type": "string"}},
        "tables": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "object"}},
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["text", "severity", "evidence"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "text": {"type": "string", "minLength": 1},
                    "severity": {"enum": list(SEVERITIES)},
                    "evidence": {"type": "object"},
                },
            },
        },
        "timings": {"type": "object"},
    },
}
"""JSON Schema of a results file (checked by :func:`validate_result`)."""


def empty_result(chapter: str, *, title: str | None = None) -> dict[str, Any]:
    """A results mapping with nothing recorded yet (status ``ok``)."""
    return {
        "chapter": chapter,
        "title": title,
        "status": "ok",
        "reason": None,
        "parameters": {},
        "metrics": {},
        "kpis": [],
        "tables": {},
        "findings": [],
        "timings": {},
    }


def results_path(output_dir: str | os.PathLike[str], chapter: str) -> Path:
    """``<output_dir>/results/<chapter>.json``."""
    return Path(output_dir) / "results" / f"{chapter}.json"


def write_result(path: str | os.PathLike[str], result: Mapping[str, Any]) -> None:
    """Write a results file atomically (a reader never sees half a file)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(jsonable(result), indent=1, ensure_ascii=False), "utf-8")
    os.replace(tmp, p)


def load_result(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a results file.

    Raises:
        ChapterError: the file is missing or not JSON.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text("utf-8"))
    except FileNotFoundError:
        raise ChapterError(f"results file {p} not found (did the chapter run?)") from None
    except json.JSONDecodeError as e:
        raise ChapterError(f"results file {p} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ChapterError(f"results file {p}: expected a JSON object")
    return data


def validate_result(result: Mapping[str, Any]) -> None:
    """Check a results mapping against :data:`RESULT_SCHEMA`.

    Raises:
        ChapterError: naming the first offending key.
    """
    import jsonschema

    try:
        jsonschema.validate(dict(result), RESULT_SCHEMA)
    except jsonschema.ValidationError as e:
        where = "/".join(str(p) for p in e.absolute_path) or "(top level)"
        raise ChapterError(
            f"results of {result.get('chapter')!r} at {where}: {e.message}"
        ) from None


def jsonable(v: Any, *, strict: bool = False) -> Any:
    """``v`` as plain JSON values: numpy scalars unwrapped, NaN -> null, dates -> ISO text.

    Anything else becomes a number if it converts (``Decimal``) or its text; with
    ``strict=True`` it raises ``TypeError`` instead (model files must not hold a repr).
    """
    return _jsonable(v, strict)


def _jsonable(v: Any, strict: bool) -> Any:
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, Mapping):
        return {str(k): _jsonable(x, strict) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_jsonable(x, strict) for x in v]
    if type(v).__name__ in ("NaTType", "NAType"):  # pandas' missing markers
        return None
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if hasattr(v, "to_dict") and hasattr(v, "columns"):  # a DataFrame
        return _records(v)
    if hasattr(v, "isoformat"):  # pandas Timestamp
        return None if str(v) == "NaT" else v.isoformat()
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:  # numpy scalar
        return _jsonable(v.item(), strict)
    if hasattr(v, "tolist"):  # numpy array, pandas Series
        return _jsonable(v.tolist(), strict)
    if isinstance(v, os.PathLike):
        return os.fspath(v)
    if strict:
        raise TypeError(f"cannot write a {type(v).__name__} to JSON; convert it first")
    try:
        return _jsonable(float(v), strict)  # Decimal and friends
    except (TypeError, ValueError):
        return str(v)


def _records(df: Any) -> list[dict[str, Any]]:
    return [jsonable(r) for r in df.to_dict(orient="records")]


class ChapterRecorder:
    """Collects one chapter's results and rewrites its JSON file after every call."""

    def __init__(
        self,
        chapter: str,
        output_dir: Path,
        *,
        title: str | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        self.chapter = chapter
        self.output_dir = output_dir
        self.path = results_path(output_dir, chapter)
        self.result = empty_result(chapter, title=title)
        self.result["parameters"] = jsonable(dict(parameters or {}))
        self.result["timings"] = {"started": dt.datetime.now().isoformat(timespec="seconds")}
        self.flush()

    def flush(self) -> None:
        write_result(self.path, self.result)

    def record(
        self,
        name: str,
        value: Any,
        *,
        kind: Kind = "metric",
        severity: Severity = "info",
        evidence: Mapping[str, Any] | None = None,
        kpi: bool = False,
        max_rows: int = MAX_TABLE_ROWS,
    ) -> None:
        """See :func:`record`."""
        if not name or not isinstance(name, str):
            raise ChapterError(f"record: name must be a non-empty string, got {name!r}")
        if kind == "metric":
            v = jsonable(value)
            if isinstance(v, (list, dict)):
                raise ChapterError(
                    f"record({name!r}): a metric is one number or string, got "
                    f"{type(value).__name__}; use kind='table' for rows"
                )
            self.result["metrics"][name] = v
            if kpi and name not in self.result["kpis"]:
                self.result["kpis"].append(name)
        elif kind == "table":
            rows = _records(value) if hasattr(value, "to_dict") else jsonable(list(value))
            if not all(isinstance(r, dict) for r in rows):
                raise ChapterError(
                    f"record({name!r}, kind='table'): expected a DataFrame or a list of dicts"
                )
            if max_rows < 1:
                raise ChapterError(f"record({name!r}): max_rows must be >= 1, got {max_rows}")
            self.result["tables"][name] = rows[:max_rows]
        elif kind == "finding":
            if severity not in SEVERITIES:
                raise ChapterError(
                    f"record({name!r}): severity {severity!r} unknown; use one of "
                    f"{', '.join(SEVERITIES)}"
                )
            text = str(value).strip()
            if not text:
                raise ChapterError(f"record({name!r}, kind='finding'): the text is empty")
            self.result["findings"] = [f for f in self.result["findings"] if f.get("name") != name]
            self.result["findings"].append(
                {
                    "name": name,
                    "text": text,
                    "severity": severity,
                    "evidence": jsonable(dict(evidence or {})),
                }
            )
            _show_finding(text, severity, name)
        else:
            raise ChapterError(
                f"record({name!r}): kind {kind!r} unknown; use metric, table or finding"
            )
        self.flush()


_current: ChapterRecorder | None = None


def _default_chapter() -> str:
    if os.environ.get(ENV_CHAPTER):
        return os.environ[ENV_CHAPTER]
    session = os.environ.get("JPY_SESSION_NAME", "")  # set by jupyter-server for a notebook
    if session.endswith(".ipynb"):
        return Path(session).stem
    return "scratch"


def _default_output_dir() -> Path:
    if os.environ.get(ENV_OUTPUT_DIR):
        return Path(os.environ[ENV_OUTPUT_DIR])
    from opsai.config import REPORTS_DIR

    return REPORTS_DIR / "scratch"


def start_chapter(
    chapter: str | None = None,
    *,
    output_dir: str | os.PathLike[str] | None = None,
    title: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> ChapterRecorder:
    """Begin recording a chapter (clears what an earlier run of it recorded).

    Args:
        chapter: the notebook stem; default ``$OPSAI_CHAPTER``, the notebook JupyterLab has
            open, or ``scratch``.
        output_dir: the run folder (pass the notebook's ``OUTPUT_DIR``); empty or ``None``
            means ``$OPSAI_OUTPUT_DIR``, else ``reports/scratch``.
        title: the chapter's title for the index page.
        parameters: the notebook's parameters, kept with the results.

    Returns:
        The recorder; :func:`record` writes to it from now on.
    """
    global _current
    out = Path(output_dir) if output_dir else _default_output_dir()
    _current = ChapterRecorder(
        chapter or _default_chapter(),
        out.expanduser().resolve(),
        title=title,
        parameters=parameters,
    )
    return _current


def current() -> ChapterRecorder:
    """The chapter being recorded, started with defaults if :func:`start_chapter` was not called."""
    return _current if _current is not None else start_chapter()


def record(
    name: str,
    value: Any,
    *,
    kind: Kind = "metric",
    severity: Severity = "info",
    evidence: Mapping[str, Any] | None = None,
    kpi: bool = False,
    max_rows: int = MAX_TABLE_ROWS,
) -> None:
    """Record one result of the current chapter and rewrite its JSON file.

    Args:
        name: a short snake_case key, unique within the chapter and kind.
        value: a number or string (metric), a DataFrame or list of dicts (table, at most
            :data:`MAX_TABLE_ROWS` rows kept), or a plain-language sentence (finding).
        kind: ``"metric"``, ``"table"`` or ``"finding"``.
        severity: for findings: ``"high"``, ``"medium"``, ``"low"`` or ``"info"``.
        evidence: for findings: the numbers that back the sentence.
        kpi: for metrics: show it as a card on the index page.
        max_rows: for tables: rows kept (default :data:`MAX_TABLE_ROWS`); raise it for id lists
            that ``07_integration`` joins across chapters.

    A finding is also shown in the notebook (HTML-escaped); nothing is returned, so a
    ``record`` call at the end of a cell prints nothing.
    """
    current().record(
        name, value, kind=kind, severity=severity, evidence=evidence, kpi=kpi, max_rows=max_rows
    )


def finding_anchor(name: str) -> str:
    """The HTML id of a finding on its chapter page (``07_integration`` links to it)."""
    return "finding-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


def _show_finding(text: str, severity: str, name: str = "") -> None:
    """Display a finding in the notebook, escaped: data may hold markup."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    if get_ipython() is None:
        return
    label = "Finding" if severity == "info" else f"Finding ({severity})"
    anchor = f' id="{finding_anchor(name)}"' if name else ""
    bundle = {
        "text/plain": f"{label}: {text}",
        "text/html": (
            f'<div class="opsai-finding opsai-sev-{severity}"{anchor}><strong>{label}:</strong> '
            f"{html.escape(text)}</div>"
        ),
    }
    display(bundle, raw=True)
