"""Chapter results and the report pipeline.

Notebooks use :func:`record` (and optionally :func:`start_chapter`); ``opsai report`` uses
:func:`build_report`, which runs the chapters with papermill, renders HTML (and PDF) and
publishes ``reports/<timestamp>`` atomically. Only the light recording part is imported
eagerly, so a notebook's ``from opsai import report`` costs nothing.

Example:
    >>> from opsai import report
    >>> report.record("orders", 1234, kpi=True)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from opsai.report.results import (
    RESULT_SCHEMA,
    SEVERITIES,
    current,
    load_result,
    record,
    start_chapter,
    validate_result,
)

if TYPE_CHECKING:
    from opsai.report.build import ReportRun, build_report

__all__ = [
    "RESULT_SCHEMA",
    "SEVERITIES",
    "ReportRun",
    "build_report",
    "current",
    "load_result",
    "record",
    "start_chapter",
    "validate_result",
]


def __getattr__(name: str) -> Any:
    if name in ("build_report", "ReportRun"):
        from opsai.report import build

        return getattr(build, name)
    raise AttributeError(f"module 'opsai.report' has no attribute {name!r}")
