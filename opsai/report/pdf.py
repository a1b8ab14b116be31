"""Print report pages to PDF with headless Chromium (plotly and matplotlib charts included).

Chromium runs offline and throw-away: no sandbox (containers), no GPU, no background
networking, a fresh temporary profile, and a virtual-time budget so charts finish drawing
before the page is printed. Install it with ``apt-get install chromium`` or point
``OPSAI_CHROMIUM`` at a Chrome/Chromium binary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from opsai.errors import OpsaiError

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class ChromiumNotFoundError(OpsaiError):
    """No headless Chromium/Chrome binary was found for PDF output."""


class PdfError(OpsaiError):
    """Chromium ran but did not produce a PDF."""


def find_chromium() -> str:
    """The Chromium binary: ``$OPSAI_CHROMIUM`` or the first of chromium/chrome on ``PATH``.

    Raises:
        ChromiumNotFoundError: naming how to install one.
    """
    env = os.environ.get("OPSAI_CHROMIUM")
    if env:
        if shutil.which(env):
            return str(shutil.which(env))
        raise ChromiumNotFoundError(
            f"OPSAI_CHROMIUM={env!r} is not an executable. Point it at chromium or google-chrome"
        )
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFoundError(
        "PDF output needs headless Chromium, and none was found on PATH. Install it "
        "(Debian/Ubuntu: sudo apt-get install chromium), set OPSAI_CHROMIUM to a Chrome binary, "
        "or run without --pdf"
    )


def chromium_flags(profile: str | os.PathLike[str]) -> list[str]:
    """Flags for an offline, throw-away headless Chromium."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--mute-audio",
        f"--user-data-dir={os.fspath(profile)}",
    ]


def print_pdf(
    page: str | os.PathLike[str],
    pdf: str | os.PathLike[str],
    *,
    budget_ms: int = 10_000,
    timeout: float = 120.0,
    chromium: str | None = None,
) -> Path:
    """Print one HTML file to PDF.

    Args:
        page: the HTML file.
        pdf: the PDF to write.
        budget_ms: Chromium's virtual-time budget (scripts and charts finish within it).
        timeout: seconds before Chromium is stopped.
        chromium: the binary (default :func:`find_chromium`).

    Raises:
        PdfError: Chromium failed or wrote nothing.
    """
    exe = chromium or find_chromium()
    src = Path(page).resolve()
    out = Path(pdf).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="opsai-chromium-") as profile:
        cmd = [
            exe,
            *chromium_flags(profile),
            "--no-pdf-header-footer",
            f"--virtual-time-budget={budget_ms}",
            f"--print-to-pdf={out}",
            src.as_uri(),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise PdfError(f"Chromium took over {timeout:g} s printing {src.name}") from None
    if not out.is_file() or out.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise PdfError(
            f"Chromium did not write {out.name} (exit {proc.returncode}): {' | '.join(tail)}"
        )
    return out


def print_pdfs(
    pages: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    jobs: int = 2,
    budget_ms: int = 10_000,
) -> list[Path]:
    """Print several pages to ``out_dir/<page stem>.pdf``, ``jobs`` browsers at a time."""
    exe = find_chromium()
    folder = Path(out_dir)

    def _one(p: str | os.PathLike[str]) -> Path:
        return print_pdf(p, folder / f"{Path(p).stem}.pdf", budget_ms=budget_ms, chromium=exe)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(_one, pages))
