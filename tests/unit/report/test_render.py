from __future__ import annotations

from pathlib import Path

import nbformat as nbf
import pytest

from opsai.report import render
from opsai.report.results import empty_result

pytestmark = pytest.mark.unit

XSS = '<script>alert("xss")</script>'
BUNDLE = "<script>/**\n* plotly.js v9.9.9\n*/ var Plotly = {};" + " " * 200_000 + "</script>"
FIGURE = (
    '<div><script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/3.2.2/es5/tex-svg.min.js">'
    '</script><div id="f1" class="plotly-graph-div"></div><script>Plotly.newPlot("f1", [], {})</script></div>'
)


def _html(data: str) -> nbf.NotebookNode:
    return nbf.v4.new_output("display_data", data={"text/html": data, "text/plain": "fig"})


def executed_notebook() -> nbf.NotebookNode:
    cells = [
        nbf.v4.new_markdown_cell("# Title\n\nText"),
        nbf.v4.new_code_cell("CONFIG: str = ''  # c", metadata={"tags": ["parameters"]}),
        nbf.v4.new_code_cell("import x  # SECRET_SOURCE"),
        nbf.v4.new_code_cell("fig.show()", outputs=[_html(BUNDLE), _html(FIGURE)]),
        nbf.v4.new_code_cell(
            "fig2.show()",
            outputs=[
                _html(FIGURE.replace("f1", "f2")),
                nbf.v4.new_output("stream", name="stderr", text="WARNING noise"),
            ],
        ),
        nbf.v4.new_code_cell(
            "1/0  # FAILING_SOURCE",
            metadata={"papermill": {"exception": True}},
            outputs=[
                nbf.v4.new_output(
                    "error", ename="ZeroDivisionError", evalue="division by zero", traceback=[]
                )
            ],
        ),
    ]
    nb = nbf.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def test_clean_notebook_hides_code_moves_plotly_and_strips_cdn() -> None:
    clean, has_plotly = render.clean_notebook(executed_notebook())
    assert has_plotly
    srcs = [c.source for c in clean.cells]
    assert not any("CONFIG" in s for s in srcs)  # parameters cell dropped
    assert not any("import x" in s for s in srcs)  # no output, hidden source: dropped
    htmls = [o.data["text/html"] for c in clean.cells for o in c.get("outputs", []) if "data" in o]
    assert all("plotly.js v9" not in h and "cdnjs" not in h for h in htmls)
    streams = [o for c in clean.cells for o in c.get("outputs", []) if o.output_type == "stream"]
    assert streams == []
    shown = [c for c in clean.cells if c.cell_type == "code"]
    hidden = [c.metadata.get("transient", {}).get("remove_source") for c in shown]
    assert hidden == [True, True, None]  # the failing cell keeps its code


def test_render_chapter_self_contained(tmp_path: Path) -> None:
    nbf.write(executed_notebook(), tmp_path / "ch.ipynb")
    page = render.render_chapter(
        tmp_path / "ch.ipynb",
        tmp_path / "ch.html",
        run_title=XSS,
        status="failed",
        reason="ValueError: <b>bad</b>",
    )
    html = page.read_text("utf-8")
    assert render.external_resources(html) == []
    assert html.count("* plotly.js v") == 1  # the real bundle, once, in the head
    assert "SECRET_SOURCE" not in html and "FAILING_SOURCE" in html
    assert "This chapter failed" in html and "&lt;b&gt;bad&lt;/b&gt;" in html
    assert XSS not in html and "&lt;script&gt;alert" in html


def test_show_code_keeps_sources(tmp_path: Path) -> None:
    nbf.write(executed_notebook(), tmp_path / "ch.ipynb")
    html = render.render_chapter(
        tmp_path / "ch.ipynb", tmp_path / "ch.html", show_code=True
    ).read_text("utf-8")
    assert "SECRET_SOURCE" in html and "CONFIG" in html


def test_external_resources_finds_loads_not_links() -> None:
    page = (
        '<script src="https://cdn.x/a.js"></script><link rel="stylesheet" href="//fonts.x/b.css">'
        '<img src="http://i.x/c.png"><style>@import url("https://f.x/d.css");</style>'
        '<a href="https://example.com">a link is not a load</a><script src="local.js"></script>'
    )
    assert render.external_resources(page) == [
        "https://cdn.x/a.js",
        "//fonts.x/b.css",
        "http://i.x/c.png",
        "https://f.x/d.css",
    ]


def test_index_escapes_data_and_sorts_findings(tmp_path: Path) -> None:
    a = empty_result("00_a", title=f"A {XSS}")
    a["metrics"] = {"revenue_28d": 1234.5, "revenue_28d_change": -0.123, "top": XSS}
    a["metrics"]["margin_28d"] = None
    a["kpis"] = ["revenue_28d", "revenue_28d_change", "top", "margin_28d"]
    a["findings"] = [
        {"name": "i", "text": f"info {XSS}", "severity": "info", "evidence": {"x": XSS}},
        {"name": "h", "text": "high one", "severity": "high", "evidence": {}},
    ]
    a["timings"] = {"seconds": 1.5}
    b = empty_result("01_b")
    b["status"], b["reason"] = "skipped", "needs table tickets, absent from the data"
    meta = {
        "title": XSS,
        "company": "C",
        "config": "c.yaml",
        "source": XSS,
        "span": "",
        "timezone": "Asia/Shanghai",
        "tables": [],
        "parameters": {"FAST": False},
        "warnings": [XSS],
        "alerts": [f"orders: 85% of rows dropped {XSS}"],
        "started": "s",
        "finished": "f",
        "seconds": 2.0,
        "version": "0",
        "run": "r",
    }
    html = render.render_index(
        tmp_path / "index.html", [a, b], meta=meta, pages={"00_a": "00_a.html"}
    ).read_text("utf-8")
    assert "<script" not in html
    assert html.count("&lt;script&gt;") >= 6
    assert html.index("high one") < html.index("info &lt;script")
    assert html.index("Read this first") < html.index("orders: 85% of rows dropped &lt;script")
    assert html.index("orders: 85% of rows dropped") < html.index("Key figures")
    assert "1,234" in html and "-12.3%" in html and 'href="00_a.html"' in html
    assert "needs table tickets" in html and "skipped" in html
    assert "Margin 28d" not in html  # a None KPI gets no card
    assert "Times in</dt><dd>Asia/Shanghai: days, weeks and months start at midnight" in html
    assert render.external_resources(html) == []


@pytest.mark.parametrize(
    ("value", "name", "shown"),
    [
        (1234, "n", "1,234"),
        (1234.0, "n", "1,234"),
        (0.1234, "n", "0.123"),
        (2_512_345.6, "n", "2.51M"),
        (0.05, "buyer_share", "5.0%"),
        (-0.05, "x_change", "-5.0%"),
        (0.0664, "funnel.overall_conversion", "6.6%"),
        (1.0, "intent.accuracy", "100.0%"),
        (0.75, "coverage", "75.0%"),
        (0.153, "share.latest", "15.3%"),
        (-1.31, "share.change_12m", "-1.31"),  # percentage points, not a fraction
        (0.786, "churn.auc", "0.786"),
        (0.255, "best.precision_at_10", "0.255"),
        (None, "n", "—"),
        ("a", "n", "a"),
        (-1.3537e66, "clv.holdout_total_error_pct", "-1.35e+66"),  # not 70 digits
        (10**20, "n", "1e+20"),
        (float("nan"), "n", "—"),
        (float("inf"), "buyer_share", "—"),
    ],
)
def test_fmt(value: object, name: str, shown: str) -> None:
    assert render._fmt(value, name) == shown


def test_fmt_writes_the_currency_after_money_metrics_only() -> None:
    assert render._fmt(11_738.4, "revenue_28d", "CNY") == "11,738 CNY"
    assert render._fmt(2_512_345.6, "revenue_28d", "CNY") == "2.51M CNY"
    assert render._fmt(0.1, "revenue_28d_change", "CNY") == "+10.0%"  # a change, not money
    assert render._fmt(1234, "rows", "CNY") == "1,234"
    assert render._fmt(None, "revenue_28d", "CNY") == "—"
    assert render._fmt(11_738.4, "revenue_28d") == "11,738"  # no currency known


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("days_covered", "Days covered"),
        ("best.ndcg_at_10", "Best nDCG at 10"),
        ("churn.pr_auc", "Churn PR AUC"),
        ("sentiment.accuracy_zh", "Sentiment accuracy (zh)"),
        ("best.model", "Best model"),
        ("hhi.latest", "HHI latest"),
        ("clv.holdout_total_error_pct", "CLV holdout total error pct"),
    ],
)
def test_label(name: str, shown: str) -> None:
    assert render._label(name) == shown


def test_pages_show_e_mail_addresses_as_tokens(tmp_path: Path) -> None:
    """User ids that are e-mails (a Shopify export's key) reached the 03a page as written."""
    from opsai.executive.privacy import scan_text
    from opsai.report.build import _masked_note

    table = (
        "<table><tr><td>cust2132396@example.com</td><td>cust2132397@example.com</td></tr></table>"
    )
    nb = nbf.v4.new_notebook(
        cells=[nbf.v4.new_code_cell("at_risk", outputs=[_html(table + table)])]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbf.write(nb, tmp_path / "ch.ipynb")
    html = render.render_chapter(tmp_path / "ch.ipynb", tmp_path / "ch.html").read_text("utf-8")
    tokens = render.MASKED_EMAIL.findall(html)
    assert len(tokens) == 4 and len(set(tokens)) == 2  # one token per address
    assert "example.com" not in html and not scan_text(html)
    assert render.mask_emails("Mail A.B@Example.com or a.b@example.com.") == (
        f"Mail {render.mask_emails('a.b@example.com')} or {render.mask_emails('a.b@example.com')}."
    )
    assert _masked_note(tmp_path) == [
        "Privacy: 4 e-mail address(es) on the pages (ch.html (4)) are shown as [EMAIL …] "
        "tokens, one per address: user ids that are e-mails, say. The result files in results/ "
        "keep them for the operations team; report.mask_emails: false shows them."
    ]
    kept = render.render_chapter(tmp_path / "ch.ipynb", tmp_path / "k.html", mask=False)
    assert kept.read_text("utf-8").count("cust2132396@example.com") == 2
    # the plotly bundle in the head credits its authors by address: left as it is, uncounted
    nbf.write(executed_notebook(), tmp_path / "fig.ipynb")
    page = render.render_chapter(tmp_path / "fig.ipynb", tmp_path / "fig" / "fig.html")
    assert "* plotly.js v" in page.read_text("utf-8")
    assert _masked_note(page.parent) == [] and "@" in render._plotly_js()


def test_index_folds_many_findings_of_one_kind(tmp_path: Path) -> None:
    """A wholesaler's 27 overstocked items were 27 lines above every other finding; the index
    shows the first three and folds the other 24 into one line, whose texts stay one click
    away. Four of a kind are all shown (folding one would save nothing)."""
    r = empty_result("04_demand_inventory", title="Demand")
    over = [
        {"name": f"overstock.SKU-{i:02d}", "text": f"Item SKU-{i:02d} is overstocked",
         "severity": "medium", "evidence": {}}
        for i in range(27)
    ]  # fmt: skip
    drift = [
        {"name": f"drift.{c}", "text": f"drift in {c}", "severity": "medium", "evidence": {}}
        for c in "abcd"
    ]
    high = {"name": "purchase_plan", "text": "order now", "severity": "high", "evidence": {}}
    r["findings"] = [*over, *drift, high]
    ctx = render.index_context([r], meta={}, pages={})
    texts = [f["text"] for f in ctx["findings"]]
    assert texts == [
        "order now", "Item SKU-00 is overstocked", "Item SKU-01 is overstocked",
        "Item SKU-02 is overstocked", "24 more overstock findings like these",
        "drift in a", "drift in b", "drift in c", "drift in d"]  # fmt: skip
    folded = ctx["findings"][4]
    assert [g["text"] for g in folded["rest"]] == [
        f"Item SKU-{i:02d} is overstocked" for i in range(3, 27)
    ]
    meta = {"title": "t", "company": "C", "config": "c", "source": "s", "span": "", "tables": [],
            "parameters": {}, "warnings": [], "alerts": [], "started": "s", "finished": "f",
            "seconds": 1.0, "version": "0", "run": "r"}  # fmt: skip
    html = render.render_index(tmp_path / "index.html", [r], meta=meta, pages={}).read_text("utf-8")
    assert html.count("is overstocked") == 27
    assert html.index("24 more overstock findings") < html.index("Item SKU-26 is overstocked")
