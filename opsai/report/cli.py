"""``opsai report`` and ``opsai lab``, added to the ``opsai`` command by :func:`register`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from opsai.errors import OpsaiError

_STATE_STYLE = {
    "pending": "[dim]waiting[/]",
    "running": "[cyan]running[/]",
    "ok": "[green]ok[/]",
    "failed": "[red]failed[/]",
    "skipped": "[yellow]skipped[/]",
}


def _chapter_list(text: str) -> list[str]:
    names = [n.strip().removesuffix(".ipynb") for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected chapter names separated by commas")
    return names


def _positive(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


class _Progress:
    """A live table: one row per chapter with its state and elapsed time (rich)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(finished_text=" "),
            TextColumn("{task.description:<24}"),
            TextColumn("{task.fields[state]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )
        self.tasks: dict[str, Any] = {}

    def update(self, run: Any) -> None:
        from rich.markup import escape

        stem = run.chapter.stem
        p = self.progress
        if stem not in self.tasks:
            self.tasks[stem] = p.add_task(stem, total=1, start=False, state=_STATE_STYLE["pending"])
        task = self.tasks[stem]
        if run.state == "running":
            p.start_task(task)
            p.update(task, state=_STATE_STYLE["running"])
        elif run.state in ("ok", "failed", "skipped"):
            note = f" [dim]{escape(run.reason)}[/]" if run.reason else ""
            p.update(task, completed=1, state=_STATE_STYLE[run.state] + note)
            p.stop_task(task)


def _cmd_report(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from opsai.config import load_config
    from opsai.report import runner
    from opsai.report.build import build_report

    cfg = load_config(args.config)
    show = _Progress() if not args.quiet else None
    if show:
        names = args.chapters or cfg.report.chapters
        for c in runner.discover(names):
            show.update(runner.ChapterRun(c))
        show.progress.start()
    try:
        result = build_report(
            cfg,
            out=args.out,
            chapters=args.chapters,
            fast=args.fast,
            jobs=args.jobs,
            pdf=True if args.pdf else None,
            show_code=args.show_code,
            seed=args.seed,
            on_update=show.update if show else None,
        )
    finally:
        if show:
            show.progress.stop()
    failed = result.failed
    if failed:
        print(
            f"opsai: {len(failed)} chapter(s) failed: {', '.join(failed)} (see their pages)",
            file=sys.stderr,
        )
    if show:
        show.progress.console.print(
            f"report written in {result.seconds:.1f} s: {escape(str(result.path))}"
        )
    print(result.index)
    return 1 if failed else 0


def _cmd_lab(args: argparse.Namespace) -> int:
    from opsai.config import NOTEBOOKS_DIR

    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        raise OpsaiError(
            "JupyterLab is not installed. Install it with: pip install -e '.[lab]'"
        ) from None
    cmd = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={NOTEBOOKS_DIR}"]
    if args.no_browser:
        cmd.append("--no-browser")
    if args.port:
        cmd.append(f"--port={args.port}")
    sys.stdout.flush()
    os.execv(sys.executable, cmd)  # replaces this process; returns only on failure
    return 1  # pragma: no cover


def register(sub: Any) -> None:
    """Add ``report`` and ``lab`` to the ``opsai`` sub-command parsers."""
    r = sub.add_parser(
        "report",
        help="run the chapter notebooks and write reports/<run>/index.html (+ PDF)",
        description=(
            "Run every chapter notebook with papermill, render self-contained HTML pages and "
            "an index, and publish them atomically to <out>/<YYYYmmdd-HHMMSS>/ with <out>/latest "
            "pointing at it. Exits 1 if any chapter failed (after everything else is written)."
        ),
    )
    r.add_argument(
        "--config", required=True, help="YAML config mapping your data onto the contract"
    )
    r.add_argument(
        "--out",
        default=None,
        help="reports folder (default: report.out in the config, else ./reports of the project)",
    )
    r.add_argument(
        "--chapters",
        type=_chapter_list,
        default=None,
        metavar="A,B",
        help="chapter notebook stems to run, e.g. 00_data_overview (default: all)",
    )
    r.add_argument(
        "--fast", action="store_true", help="tiny budgets (FAST=True): for tests and previews"
    )
    r.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="chapters run in parallel (default: report.jobs, 1)",
    )
    r.add_argument(
        "--pdf", action="store_true", help="also print every page to PDF (needs chromium)"
    )
    r.add_argument("--show-code", action="store_true", help="keep the code cells on chapter pages")
    r.add_argument("--seed", type=int, default=0, help="SEED passed to every chapter (default 0)")
    r.add_argument(
        "--quiet", action="store_true", help="no progress display; print only the index path"
    )
    r.set_defaults(func=_cmd_report)

    lab = sub.add_parser("lab", help="open the chapter notebooks in JupyterLab")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.add_argument("--port", type=int, default=None, help="port (default: JupyterLab's, 8888)")
    lab.set_defaults(func=_cmd_lab)
