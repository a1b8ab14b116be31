"""Check that nothing personal reaches what a report shows.

The customer-service chapter redacts texts before any model output or table; this is the
independent check on the result: every string a reader can see - recorded results, notebook
outputs, rendered pages (visible text, scripts and styles removed) - is scanned with the same
detectors (e-mail addresses, Chinese, English, German and French street addresses, phone
numbers, Luhn-valid card numbers, Chinese ID numbers).
Masked forms (``[EMAIL]``, ``o****1234``) do not match, so a clean report scans to zero.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

SCAN_KINDS = ("email", "address", "id_card", "card", "phone")
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
"""Dates and times are not personal data, but a printed ``2024-12-31 12:07`` is a digit run
that can pass the card checksum; they are blanked before the scan."""
_GTIN13 = re.compile(r"(?<![\d-])\d{13}(?![\d-])")
"""Product barcodes (EAN-13/GTIN-13, the item ids of many retailers, e.g. Ta Feng's
``4710088410139``) are not personal data, but one in ten also passes the card checksum. A run
of exactly 13 digits with a valid GS1 check digit is blanked before the scan; card numbers
are 14-19 digits today (13-digit Visa numbers are no longer issued)."""


def _gtin13_valid(s: str) -> bool:
    d = [int(c) for c in s]
    return (10 - sum(x * (3 if i % 2 else 1) for i, x in enumerate(d[:12])) % 10) % 10 == d[12]


def _blank_barcodes(text: str) -> str:
    return _GTIN13.sub(lambda m: " " if _gtin13_valid(m.group(0)) else m.group(0), text)


def visible_text(page: str) -> str:
    """The text a browser shows for an HTML page (scripts, styles and tags removed)."""
    return html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", page)))


def scan_text(text: str) -> Counter[str]:
    """How many PII-looking strings of each kind ``text`` holds."""
    from opsai.service.pii import Redactor

    r = Redactor(kinds=SCAN_KINDS, order_pattern=None)
    r(_blank_barcodes(_DATETIME.sub(" ", text)))
    return Counter(r.counts_)


def _strings(v: Any) -> Iterator[str]:
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def _notebook_texts(path: Path) -> Iterator[str]:
    nb = json.loads(path.read_text("utf-8"))
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            if "text" in out:
                yield "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
            data = out.get("data", {})
            for mime in ("text/plain", "text/markdown"):
                if mime in data:
                    v = data[mime]
                    yield "".join(v) if isinstance(v, list) else str(v)
            if "text/html" in data:
                v = data["text/html"]
                yield visible_text("".join(v) if isinstance(v, list) else str(v))


def _sources(run_dir: Path, pages: bool, outputs: bool) -> Iterable[tuple[str, Iterable[str]]]:
    if outputs:
        for p in sorted((run_dir / "results").glob("*.json")):
            yield f"results/{p.name}", _strings(json.loads(p.read_text("utf-8")))
        for p in sorted((run_dir / "notebooks").glob("*.ipynb")):
            yield f"notebooks/{p.name}", _notebook_texts(p)
    if pages:
        for p in sorted(run_dir.glob("*.html")):
            yield p.name, [visible_text(p.read_text("utf-8"))]


def scan_run(
    run_dir: str | os.PathLike[str], *, pages: bool = True, outputs: bool = True
) -> pd.DataFrame:
    """PII-looking strings per file of a run folder.

    Args:
        run_dir: a report run folder (or the one being built).
        pages: scan the rendered ``*.html`` pages (absent while chapters still run).
        outputs: scan ``results/*.json`` and the executed ``notebooks/*.ipynb``.

    Returns:
        ``file, kind, count`` for every hit (empty when the run is clean).
    """
    rows = []
    for name, texts in _sources(Path(run_dir), pages, outputs):
        total: Counter[str] = Counter()
        for t in texts:
            total.update(scan_text(t))
        rows += [{"file": name, "kind": k, "count": n} for k, n in sorted(total.items())]
    return pd.DataFrame(rows, columns=["file", "kind", "count"])
