"""The report in a real headless Chromium, offline: no errors, charts drawn, data escaped."""

from __future__ import annotations

import shutil

import pytest

from opsai.report.build import ReportRun

pytestmark = [
    pytest.mark.browser,
    pytest.mark.notebooks,
    pytest.mark.skipif(
        not (shutil.which("chromium") or shutil.which("google-chrome")),
        reason="needs chromium (make test installs it with apt)",
    ),
]
XSS = '<script>alert("xss")</script>'


def test_index_in_a_browser(tiny_report: ReportRun) -> None:
    from opsai.report.browser import inspect_page

    page = inspect_page(tiny_report.index)
    assert page.console_errors == []
    assert page.dialogs == []  # the planted alert() never ran
    assert page.external_requests == []
    assert XSS in page.text  # shown as text
    assert "Data overview" in page.text and "Findings" in page.text
    assert page.screenshot and len(page.screenshot) > 30_000  # a blank page is a few kB


def test_overview_chapter_in_a_browser(tiny_report: ReportRun) -> None:
    from opsai.report.browser import inspect_page

    page = inspect_page(tiny_report.path / "00_data_overview.html")
    assert page.console_errors == []
    assert page.dialogs == []
    assert page.external_requests == []
    assert page.plots >= 3  # plotly drew its SVGs offline
    assert XSS in page.text
    assert page.screenshot and len(page.screenshot) > 30_000


def test_pdf_has_the_charts(tiny_report: ReportRun, tmp_path) -> None:
    from opsai.report.pdf import print_pdfs

    out = print_pdfs([tiny_report.index, tiny_report.path / "00_data_overview.html"], tmp_path)
    assert [p.name for p in out] == ["index.pdf", "00_data_overview.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in out)
    assert out[1].stat().st_size > 150_000  # vector charts (text-only pages print far smaller)
