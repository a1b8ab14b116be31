"""A finding: the plain-language sentence a chapter reports, its severity and its evidence.

Every chapter's finding functions return this one type; the notebook records it with
``report.record(name, f.text, kind="finding", severity=f.severity, evidence=f.evidence)``
(``f.name`` where the function names its finding).

Example:
    >>> f = Finding("Refund tickets spiked in 2024-03.", "high", {"tickets": 41}, name="spike")
    >>> f.name, f.severity, f.evidence["tickets"]
    ('spike', 'high', 41)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Finding:
    """A plain-language sentence, its severity and the numbers behind it.

    Attributes:
        text: the sentence, as the report shows it.
        severity: one of ``opsai.report.SEVERITIES`` ("info", "low", "medium", "high").
        evidence: the numbers behind the sentence (JSON-able).
        name: the record name, where the function that built it names it (else the notebook
            gives one).
    """

    text: str
    severity: str = "info"
    evidence: dict[str, Any] = field(default_factory=dict)
    name: str = field(default="", kw_only=True)
