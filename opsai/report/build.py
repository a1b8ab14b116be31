"""The whole ``opsai report`` pipeline, written atomically.

validate config -> open the workspace once (which tables, time span, warnings) -> run the
chapters (:mod:`opsai.report.runner`) -> render chapter pages and ``index.html``
(:mod:`opsai.report.render`) -> optional PDFs (:mod:`opsai.report.pdf`) -> publish.

The run is built in ``<reports>/.opsai-tmp-<pid>-<random>/`` (same file system as the
reports, so the rename is atomic), renamed to ``<reports>/<YYYYmmdd-HHMMSS>/`` when
complete, and ``<reports>/latest`` is then swapped to it with ``os.replace`` on a fresh
symlink. Killing the process at any moment leaves the previous run and ``latest`` intact; a
left-over temporary folder is removed by the next run. A run folder holds::

    index.html  <stem>.html ...    the pages to open or send
    pdf/        index.pdf <stem>.pdf ...  (with --pdf)
    results/    <stem>.json        recorded results (shape in opsai.report.results)
    notebooks/  <stem>.ipynb       the executed notebooks
    logs/       <stem>.log         kernel output
    models/     <stem>/...         trained models + manifest.json (SHA-256), see opsai.models
    run.json                       run metadata, chapter states and phase timings
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opsai import __version__
from opsai.config import (
    NOTEBOOKS_DIR,
    REPORTS_DIR,
    Config,
    DataConfig,
    TableSpec,
    dump_config,
    load_config,
)
from opsai.data.schema import CHURNED
from opsai.errors import ConfigError
from opsai.overview.measures import activity_span
from opsai.report import render, runner
from opsai.report.results import jsonable, load_result, results_path, write_result

TMP_PREFIX = ".opsai-tmp-"
LATEST = "latest"


@dataclass
class ReportRun:
    """A finished report run."""

    path: Path
    """The published run folder ``<reports>/<timestamp>``."""
    latest: Path
    runs: list[runner.ChapterRun]
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def index(self) -> Path:
        return self.latest / "index.html"

    @property
    def failed(self) -> list[str]:
        return [r.chapter.stem for r in self.runs if r.state == "failed"]


def reports_dir(cfg: Config, out: str | os.PathLike[str] | None) -> Path:
    """``out`` (relative to the cwd), else ``report.out`` if the config sets it (relative to
    the config's folder), else the project's ``reports/``."""
    if out is not None:
        return Path(out).expanduser().resolve()
    if "out" in cfg.report.model_fields_set:
        return cfg.resolve(cfg.report.out)
    return REPORTS_DIR


def sweep_stale(reports: Path) -> None:
    """Remove temporary run folders whose process is gone (a killed run's leftovers)."""
    for d in reports.glob(f"{TMP_PREFIX}*"):
        try:
            pid = int(d.name[len(TMP_PREFIX) :].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            if d.is_dir() and not d.is_symlink():
                shutil.rmtree(d, ignore_errors=True)
            else:
                d.unlink(missing_ok=True)
        except (ValueError, PermissionError):
            continue


def publish(tmp: Path, reports: Path, started: dt.datetime) -> Path:
    """Rename ``tmp`` to ``<reports>/<timestamp>`` and point ``latest`` at it, atomically."""
    stamp = started.strftime("%Y%m%d-%H%M%S")
    final = reports / stamp
    n = 1
    while final.exists():
        final = reports / f"{stamp}-{n}"
        n += 1
    os.rename(tmp, final)
    link = reports / LATEST
    if link.exists() and not link.is_symlink():
        raise ConfigError(
            f"{link} exists and is not a symlink; move it away so opsai can point it at the "
            f"newest run (this run is in {final})"
        )
    tmp_link = reports / f"{TMP_PREFIX}{os.getpid()}-link"
    if tmp_link.is_symlink():
        tmp_link.unlink()
    os.symlink(final.name, tmp_link)
    os.replace(tmp_link, link)
    return final


def _config_file(cfg: Config, tmp: Path) -> Path:
    """The config as a file the kernels can read (a Config built in memory is written out)."""
    if cfg.path is not None:
        return cfg.path
    fixed = cfg.model_copy(deep=True)
    if "://" not in fixed.data.source:
        fixed.data.source = str(cfg.resolve(cfg.data.source))
    path = tmp / "config.yaml"
    dump_config(fixed, path)
    return path


def _export(ws: Any, db: Path, present: list[str]) -> None:
    """Copy the validated tables into the DuckDB file ``db`` (natively when possible), with
    the warnings about reading them (rows dropped or left out) and the columns they were read
    from (``item_id: Store``) for the chapters."""
    from opsai.data.workspace import STOCK_HISTORY

    con = getattr(ws.backend, "con", None)
    try:
        con.execute(f"ATTACH '{db}' AS opsai_attach")  # type: ignore[union-attr]
        try:
            for name in present:
                con.execute(f'CREATE TABLE opsai_attach."{name}" AS SELECT * FROM "{name}"')  # type: ignore[union-attr]
            if getattr(ws, "_history", None) is not None:  # dated stock snapshots (byod12a D10)
                con.execute(  # type: ignore[union-attr]
                    f'CREATE TABLE opsai_attach."{STOCK_HISTORY}" AS SELECT * FROM "{STOCK_HISTORY}"'
                )
            ws.save_load_warnings(con, "opsai_attach")
            ws.save_source_columns(con, "opsai_attach")  # item_id: Store (byod9a D16)
        finally:
            con.execute("DETACH opsai_attach")  # type: ignore[union-attr]
    except Exception:  # not a plain DuckDB connection: the portable (slower) way
        db.unlink(missing_ok=True)
        ws.export(db)
        import duckdb

        with duckdb.connect(str(db)) as copy:
            ws.save_load_warnings(copy)
            ws.save_source_columns(copy)


def _attached_config(cfg: Config, db: Path, present: list[str], tmp: Path) -> Path:
    """A copy of the config whose data is the validated DuckDB file ``db`` (one read of the
    user's files for the whole run; every chapter's kernel opens ``db`` read-only)."""
    fixed = cfg.model_copy(deep=True)
    keep = {
        n: TableSpec(
            non_items=cfg.data.tables[n].non_items, sentiment_by=cfg.data.tables[n].sentiment_by
        )
        for n in present
    }  # read by the chapters: non_items, and whose the tickets' sentiment is
    fixed.data = DataConfig(source=str(db), tables=keep)
    fixed.report.out = str(cfg.resolve(cfg.report.out))
    path = tmp / "config.yaml"
    dump_config(fixed, path)
    return path


def _check_parameters(cfg: Config, chapters: Sequence[runner.Chapter]) -> None:
    for c in chapters:
        extra = {k.upper() for k in cfg.chapter(c.stem).parameters}
        if not extra:
            continue
        declared = set(runner.notebook_parameters(c.path))
        unknown = sorted(extra - declared)
        if unknown:
            raise ConfigError(
                f"chapters.{c.stem}.parameters: {', '.join(unknown)} not a parameter of "
                f"{c.path.name} (it has: {', '.join(sorted(declared))})"
            )


def build_report(
    config: Config | str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    chapters: Sequence[str] | None = None,
    fast: bool = False,
    jobs: int | None = None,
    pdf: bool | None = None,
    show_code: bool = False,
    seed: int = 0,
    notebooks_dir: str | os.PathLike[str] = NOTEBOOKS_DIR,
    on_update: Callable[[runner.ChapterRun], None] | None = None,
) -> ReportRun:
    """Run the chapters and publish a complete report folder.

    Args:
        config: a config file or :class:`~opsai.config.Config`.
        out: the reports folder (default: see :func:`reports_dir`).
        chapters: chapter stems to run (default ``report.chapters`` or every notebook).
        fast: pass ``FAST=True`` (tiny budgets) to every chapter.
        jobs: chapters run at once (default ``report.jobs``).
        pdf: also print PDFs (default ``report.pdf``); needs Chromium.
        show_code: keep code cells on the chapter pages.
        seed: passed to every chapter as ``SEED``.
        notebooks_dir: where the chapter notebooks are.
        on_update: progress callback, called when a chapter changes state.

    Raises:
        ConfigError, SchemaError: before any chapter runs. A failing chapter does not raise:
            see :attr:`ReportRun.failed`.
    """
    from opsai.data.workspace import open_workspace

    t0 = time.perf_counter()
    started = dt.datetime.now()
    phases: dict[str, float] = {}
    cfg = load_config(config)
    want_pdf = cfg.report.pdf if pdf is None else pdf
    n_jobs = max(1, cfg.report.jobs if jobs is None else jobs)
    if want_pdf:
        from opsai.report.pdf import find_chromium

        find_chromium()  # fail before the long part
    todo = runner.discover(chapters or cfg.report.chapters, notebooks_dir=notebooks_dir)
    _check_parameters(cfg, todo)
    reports = reports_dir(cfg, out)
    reports.mkdir(parents=True, exist_ok=True)
    sweep_stale(reports)
    tmp = reports / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    attached = tmp.with_suffix(".duckdb")  # beside the run, never inside it
    tmp.mkdir()
    try:
        with open_workspace(cfg) as ws:
            present = list(ws.present)
            absent = ws.absent | unmapped_requirements(ws, todo)  # 03a, 03b skipped
            summary = ws.summary()
            warnings = [str(w) for w in ws.warnings]
            alerts = [str(w) for w in ws.warnings if w.major]  # shown above the summary
            if cfg.source_kind in ("folder", "sqlite"):  # load once; chapters attach read-only
                _export(ws, attached, present)
        phases["validate"] = time.perf_counter() - t0
        cfg_file = (
            _attached_config(cfg, attached, present, tmp)
            if attached.exists()
            else _config_file(cfg, tmp)
        )

        def params(c: runner.Chapter) -> dict[str, Any]:
            base = {"CONFIG": str(cfg_file), "OUTPUT_DIR": str(tmp), "SEED": seed, "FAST": fast}
            market = cfg.data.tables.get("market")
            if c.stem == "06_market_competition" and market is not None and market.na_values:
                base["NA_VALUES"] = ",".join(market.na_values)  # the attached copy lacks them
            users = cfg.data.tables.get("users")
            if c.stem == "03a_user_behavior" and users is not None and CHURNED in users.columns:
                base["LABEL_COLUMN"] = users.columns[CHURNED]  # is_canceled: words the label
            return base | {k.upper(): v for k, v in cfg.chapter(c.stem).parameters.items()}

        def limit(c: runner.Chapter) -> float | None:
            return float(cfg.chapter(c.stem).timeout or cfg.report.timeout) or None

        disabled = {
            c.stem: f"disabled in the config (chapters.{c.stem}.enabled)"
            for c in todo
            if not cfg.chapter(c.stem).enabled
        }
        t = time.perf_counter()
        runs = runner.run_chapters(
            todo,
            tmp,
            present=present,
            parameters=params,
            timeout=limit,
            skip=disabled,
            absent=absent,
            jobs=n_jobs,
            on_update=on_update,
        )
        phases["chapters"] = time.perf_counter() - t

        t = time.perf_counter()
        title = cfg.report.title
        pages: dict[str, str] = {}
        for r in runs:
            if r.notebook is None:
                continue
            try:
                render.render_chapter(
                    r.notebook,
                    tmp / f"{r.chapter.stem}.html",
                    show_code=show_code,
                    run_title=title,
                    status=r.state,
                    reason=r.reason,
                    mask=cfg.report.mask_emails,
                )
                pages[r.chapter.stem] = f"{r.chapter.stem}.html"
            except Exception as e:  # a page that cannot render must not lose the others
                r.state = "failed"
                r.reason = f"rendering failed: {type(e).__name__}: {e}"
                _mark_failed(tmp, r)
        results = [load_result(results_path(tmp, r.chapter.stem)) for r in runs]
        privacy = _masked_note(tmp) + _privacy_check(tmp)
        span = activity_span(summary) if len(summary) else None
        meta = {
            "title": title,
            "company": cfg.company,
            "currency": cfg.currency,
            "config": str(cfg.path or cfg_file),
            "source": cfg.data.source
            if "://" in cfg.data.source
            else str(cfg.resolve(cfg.data.source)),
            "span": f"{span[0]} .. {span[1]}" if span else "",
            "timezone": cfg.data.timezone or "UTC (data.timezone is not set)",
            "tables": jsonable(summary[["table", "rows"]]) if len(summary) else [],
            "parameters": {"FAST": fast, "SEED": seed, "jobs": n_jobs, "show_code": show_code},
            "warnings": warnings + privacy,
            "alerts": alerts,
            "started": started.isoformat(timespec="seconds"),
            "version": __version__,
            "run": started.strftime("%Y%m%d-%H%M%S"),
        }
        _write_index(tmp, results, meta, pages, t0, mask=cfg.report.mask_emails)
        phases["render"] = time.perf_counter() - t

        if want_pdf:
            from opsai.report.pdf import print_pdfs

            t = time.perf_counter()
            names = ["index", *pages]
            for p in print_pdfs([tmp / f"{n}.html" for n in names], tmp / "pdf", jobs=n_jobs):
                pages[f"{p.stem}.pdf"] = f"pdf/{p.name}"
            _write_index(tmp, results, meta, pages, t0, mask=cfg.report.mask_emails)  # + PDFs
            phases["pdf"] = time.perf_counter() - t

        seconds = time.perf_counter() - t0
        (tmp / "run.json").write_text(
            json.dumps(
                jsonable(
                    {
                        **meta,
                        "seconds": seconds,
                        "phases": phases,
                        "chapters": [
                            {
                                "chapter": r.chapter.stem,
                                "status": r.state,
                                "reason": r.reason,
                                "seconds": r.seconds,
                                "code_seconds": r.code_seconds,
                            }
                            for r in runs
                        ],
                    }
                ),
                indent=1,
            ),
            "utf-8",
        )
        final = publish(tmp, reports, started)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        attached.unlink(missing_ok=True)
    return ReportRun(final, reports / LATEST, runs, time.perf_counter() - t0, phases)


def _privacy_check(run_dir: Path) -> list[str]:
    """Warnings for PII-looking strings in the rendered pages (the independent check on the
    customer-service chapter's redaction); empty when the pages are clean."""
    from opsai.executive.privacy import scan_run

    hits = scan_run(run_dir, pages=True, outputs=False)
    if hits.empty:
        return []
    per = hits.groupby("file")["count"].sum()
    where = ", ".join(f"{f} ({n})" for f, n in per.items())
    return [
        f"Privacy: {int(per.sum())} PII-looking string(s) ({', '.join(sorted(set(hits['kind'])))}) "
        f"on the pages {where}. Check them before sharing: customer-service texts follow "
        "05_customer_service's ORDER_PATTERN and ORDER_MODE; ids that are phone numbers "
        "show as they are (map an id column that is not a phone number)."
    ]


def _masked_note(run_dir: Path) -> list[str]:
    """A line saying how many e-mail addresses the pages show as tokens, and where."""
    per = {
        p.name: n
        for p in sorted(run_dir.glob("*.html"))
        if (n := len(render.MASKED_EMAIL.findall(p.read_text("utf-8"))))
    }
    if not per:
        return []
    where = ", ".join(f"{f} ({n})" for f, n in per.items())
    return [
        f"Privacy: {sum(per.values())} e-mail address(es) on the pages ({where}) are shown as "
        "[EMAIL …] tokens, one per address: user ids that are e-mails, say. The result files "
        "in results/ keep them for the operations team; report.mask_emails: false shows them."
    ]


def _write_index(
    tmp: Path,
    results: list[dict[str, Any]],
    meta: dict[str, Any],
    pages: dict[str, str],
    t0: float,
    *,
    mask: bool = True,
) -> None:
    meta["seconds"] = time.perf_counter() - t0
    meta["finished"] = dt.datetime.now().isoformat(sep=" ", timespec="seconds")
    render.render_index(tmp / "index.html", results, meta=meta, pages=pages, mask=mask)


def _mark_failed(run_dir: Path, run: runner.ChapterRun) -> None:
    path = results_path(run_dir, run.chapter.stem)
    result = load_result(path)
    result["status"], result["reason"] = "failed", run.reason
    write_result(path, result)


def unmapped_requirements(ws: Any, chapters: Sequence[runner.Chapter]) -> dict[str, str]:
    """The chapters' required ``table.column`` alternatives whose table the data has but
    whose (optional) column it does not map, ``"table.column"`` -> why: a requirement the
    runner then counts as unmet, as it does a column the data lacks (``Workspace.absent``).
    03a runs on ``users.churned`` alone (byod11a D10); a users table without a churn label
    gives it nothing, so it is skipped before running as without orders or timed events."""
    have = set(ws.present)
    out: dict[str, str] = {}
    for c in chapters:
        for alt in (a.strip() for r in c.requires for a in r.split("|")):
            table, _, column = alt.partition(".")
            if column and table in have and column not in ws.columns(table):
                out[alt] = f"{table} maps no {column} column (data.tables.{table}.columns.{column})"
    return out
