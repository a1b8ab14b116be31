"""Run chapter notebooks with papermill: in order, in parallel, with timeouts and skips.

A chapter is a notebook in ``notebooks/``. It declares what it needs in its notebook
metadata (JupyterLab: Property Inspector -> Advanced Tools -> Notebook metadata)::

    "opsai": {
      "title": "Data overview",           # shown on the index page
      "requires": ["orders|demand", "items"],  # tables; "a|b" means a or b;
                                          # "orders.user_id": a column the data may lack
      "after_all": false,                 # true: runs after every other chapter (07_integration)
      "timeout_hint": "or lower ..."      # what else helps when it times out (its slow part)
    }

A chapter whose required tables are absent from the config is skipped with the reason, and so
is one that raises :class:`~opsai.errors.NothingToAnalyse` (events without any purchase, say).
Each chapter runs in a fresh ``python3`` kernel whose environment carries
``OPSAI_CHAPTER`` (its stem) and ``OPSAI_OUTPUT_DIR`` (the run folder), so
:func:`opsai.report.results` knows where to write; the kernel's own stdout/stderr go to
``<run>/logs/<stem>.log``. ``jobs > 1`` runs independent chapters in threads (each drives its
own kernel process); chapters marked ``after_all`` (and ``07_integration``) run last, alone.
A chapter that fails or exceeds its timeout is marked failed; the others still run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat

from opsai.config import NOTEBOOKS_DIR
from opsai.errors import ChapterError, ConfigError, NothingToAnalyse
from opsai.report.results import (
    ENV_CHAPTER,
    ENV_OUTPUT_DIR,
    empty_result,
    load_result,
    results_path,
    write_result,
)

INTEGRATION = "07_integration"
KERNEL = "python3"
State = Literal["pending", "running", "ok", "failed", "skipped"]


@dataclass(frozen=True)
class Chapter:
    """A chapter notebook and what it declares in its ``opsai`` metadata."""

    stem: str
    path: Path
    title: str
    requires: tuple[str, ...] = ()
    after_all: bool = False
    timeout_hint: str = ""
    """Added to the timeout message after "raise chapters.<stem>.timeout", e.g. the parameter
    that bounds the chapter's run time."""

    def missing(self, present: Iterable[str], absent: Iterable[str] = ()) -> list[str]:
        """The requirements (``"a|b"`` alternatives kept together) that ``present`` lacks.

        A requirement ``table.column`` (``orders.user_id``) is met when the table is present
        and the column is not in ``absent`` (columns the data lacks, loaded all-missing).
        """
        have, lack = set(present), set(absent)

        def met(a: str) -> bool:
            return a not in lack and a.split(".")[0] in have

        return [r for r in self.requires if not any(met(a.strip()) for a in r.split("|"))]


@dataclass
class ChapterRun:
    """What happened to one chapter."""

    chapter: Chapter
    state: State = "pending"
    reason: str | None = None
    seconds: float = 0.0
    code_seconds: float = 0.0
    notebook: Path | None = None
    """The executed notebook (absent when skipped)."""
    parameters: dict[str, Any] = field(default_factory=dict)


def read_chapter(path: str | os.PathLike[str]) -> Chapter:
    """A :class:`Chapter` from a notebook file's metadata (title defaults to its H1)."""
    p = Path(path)
    nb = nbformat.read(p, as_version=4)
    meta = nb.metadata.get("opsai", {})
    title = meta.get("title")
    if not title:
        first = next((c.source for c in nb.cells if c.cell_type == "markdown"), "")
        h1 = next((ln[2:].strip() for ln in first.splitlines() if ln.startswith("# ")), "")
        title = h1 or p.stem.replace("_", " ")
    requires = meta.get("requires", [])
    if isinstance(requires, str) or not all(isinstance(r, str) for r in requires):
        raise ConfigError(f"{p}: metadata opsai.requires must be a list of table names")
    return Chapter(
        stem=p.stem,
        path=p.resolve(),
        title=str(title),
        requires=tuple(requires),
        after_all=bool(meta.get("after_all", p.stem == INTEGRATION)),
        timeout_hint=str(meta.get("timeout_hint") or ""),
    )


def discover(
    names: Sequence[str] | None = None, *, notebooks_dir: str | os.PathLike[str] = NOTEBOOKS_DIR
) -> list[Chapter]:
    """The chapters to run, in order: ``names`` (stems) or every notebook in the folder.

    ``after_all`` chapters are moved to the end.

    Raises:
        ConfigError: a name has no notebook (the message lists the ones there are).
    """
    folder = Path(notebooks_dir)
    have = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
    wanted = list(names) if names is not None else list(have)
    unknown = [n for n in wanted if n not in have]
    if unknown:
        raise ConfigError(
            f"no chapter notebook named {', '.join(unknown)} in {folder} (have: "
            f"{', '.join(have) or 'none'}). Fix report.chapters in the config or --chapters"
        )
    chapters = [read_chapter(have[n]) for n in dict.fromkeys(wanted)]
    return [c for c in chapters if not c.after_all] + [c for c in chapters if c.after_all]


def _kernel_manager_class(env: Mapping[str, str], log: Path, started: list[Any]) -> type:
    """An AsyncKernelManager that starts its kernel with ``env`` and logs to ``log``."""
    from jupyter_client.manager import AsyncKernelManager

    class _ChapterKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            kw["env"] = {**os.environ, **kw.get("env", {}), **env}
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "ab") as fh:  # the child keeps its own copy of the descriptor
                kw["stdout"] = kw["stderr"] = fh
                await super().start_kernel(**kw)
            started.append(self)

    return _ChapterKernelManager


def _kill(kms: list[Any]) -> None:
    for km in kms:
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            # kernels run in their own session: take their children down too
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)


def _code_seconds(nb_path: Path) -> float:
    try:
        nb = nbformat.read(nb_path, as_version=4)
    except (OSError, ValueError):
        return 0.0
    total = 0.0
    for c in nb.cells:
        d = c.get("metadata", {}).get("papermill", {}).get("duration")
        if isinstance(d, (int, float)):
            total += float(d)
    return total


def run_chapter(
    chapter: Chapter,
    run_dir: Path,
    *,
    parameters: Mapping[str, Any],
    timeout: float | None = None,
    on_start: Callable[[Chapter], None] | None = None,
) -> ChapterRun:
    """Execute one chapter into ``run_dir/notebooks/<stem>.ipynb`` and finalise its results.

    Never raises for a chapter's own failure: the returned run says ``failed`` and why.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    run = ChapterRun(chapter, state="running", parameters=dict(parameters))
    out_nb = run_dir / "notebooks" / f"{chapter.stem}.ipynb"
    out_nb.parent.mkdir(parents=True, exist_ok=True)
    run.notebook = out_nb
    kms: list[Any] = []
    env = {ENV_CHAPTER: chapter.stem, ENV_OUTPUT_DIR: str(run_dir), "PYTHONUNBUFFERED": "1"}
    km_class = _kernel_manager_class(env, run_dir / "logs" / f"{chapter.stem}.log", kms)
    timed_out = threading.Event()

    def _expire() -> None:
        timed_out.set()
        _kill(kms)

    timer = threading.Timer(timeout, _expire) if timeout else None
    if on_start:
        on_start(chapter)
    t0 = time.perf_counter()
    started = dt.datetime.now().isoformat(timespec="seconds")
    try:
        if timer:
            timer.daemon = True
            timer.start()
        pm.execute_notebook(
            str(chapter.path),
            str(out_nb),
            parameters=dict(parameters),
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            cwd=str(chapter.path.parent),
            execution_timeout=int(timeout) if timeout else None,
            kernel_manager_class=km_class,
        )
        run.state = "ok"
    except PapermillExecutionError as e:
        run.state = "skipped" if e.ename == NothingToAnalyse.__name__ else "failed"
        if run.state == "skipped":  # nothing in the data for it: no page, the reason on the index
            run.reason = str(e.evalue).strip()
        else:
            run.reason = f"{e.ename}: {e.evalue}".strip() if not timed_out.is_set() else None
    except Exception as e:  # a dead kernel, a timeout, a broken notebook
        run.state = "failed"
        run.reason = (
            f"{type(e).__name__}: {str(e).strip().splitlines()[0][:300] if str(e).strip() else ''}"
        )
    finally:
        if timer:
            timer.cancel()
        _kill(kms)  # normally already shut down; a no-op then
    if timed_out.is_set() or (run.reason and "Timeout" in run.reason.split(":")[0]):
        run.state = "failed"
        hint = f" {chapter.timeout_hint}" if chapter.timeout_hint else ""
        run.reason = f"timed out after {timeout:g} s (raise chapters.{chapter.stem}.timeout{hint})"
    run.seconds = time.perf_counter() - t0
    run.code_seconds = _code_seconds(out_nb) if out_nb.exists() else 0.0
    if not out_nb.exists() or run.state == "skipped":
        run.notebook = None
    finalize_result(run, run_dir, started=started)
    return run


def skip_chapter(chapter: Chapter, run_dir: Path, reason: str) -> ChapterRun:
    """Mark a chapter skipped and write its results file."""
    run = ChapterRun(chapter, state="skipped", reason=reason)
    finalize_result(run, run_dir, started=dt.datetime.now().isoformat(timespec="seconds"))
    return run


def finalize_result(run: ChapterRun, run_dir: Path, *, started: str) -> dict[str, Any]:
    """Merge the runner's view (status, reason, parameters, timings) into the results file."""
    path = results_path(run_dir, run.chapter.stem)
    try:
        result = load_result(path) if path.exists() else empty_result(run.chapter.stem)
    except ChapterError:
        result = empty_result(run.chapter.stem)
    result["chapter"] = run.chapter.stem
    result["title"] = result.get("title") or run.chapter.title
    result["status"] = run.state if run.state in ("ok", "failed", "skipped") else "failed"
    result["reason"] = run.reason
    params = {**result.get("parameters", {}), **run.parameters}
    params.pop("OUTPUT_DIR", None)  # a temporary path, meaningless once the run is published
    result["parameters"] = params
    result["timings"] = {
        **result.get("timings", {}),
        "started": started,
        "seconds": round(run.seconds, 3),
        "code_seconds": round(run.code_seconds, 3),
    }
    write_result(path, result)
    return result


def _missing_reason(missing: Sequence[str], absent: Mapping[str, str]) -> str:
    """Why a chapter is skipped: what a column the data lacks means, else the tables it needs."""
    alts = [a.strip() for m in missing for a in m.split("|")]
    said = [absent[a] for a in alts if a in absent]
    if said:
        return said[0]
    need = " and ".join(" or ".join(a.split(".")[0].strip() for a in m.split("|")) for m in missing)
    return f"needs table {need}, absent from the data"


def run_chapters(
    chapters: Sequence[Chapter],
    run_dir: Path,
    *,
    present: Iterable[str],
    parameters: Callable[[Chapter], Mapping[str, Any]],
    timeout: Callable[[Chapter], float | None],
    skip: Mapping[str, str] | None = None,
    absent: Mapping[str, str] | None = None,
    jobs: int = 1,
    on_update: Callable[[ChapterRun], None] | None = None,
) -> list[ChapterRun]:
    """Run chapters (``after_all`` ones last, alone); results are in the input order.

    Args:
        chapters: from :func:`discover`.
        run_dir: the run folder (notebooks/, results/, logs/ are written under it).
        present: the tables the workspace has (for the ``requires`` check).
        parameters: a chapter's papermill parameters.
        timeout: a chapter's time limit in seconds (``None``: none).
        skip: stem -> reason, chapters to skip without running (e.g. disabled ones).
        absent: ``"table.column"`` -> why, columns the data lacks (``Workspace.absent``): a
            chapter requiring one (and none of its alternatives) is skipped with that reason.
        jobs: how many chapters run at once.
        on_update: called whenever a chapter changes state (from worker threads).
    """
    have = set(present)
    skip = dict(skip or {})
    runs: dict[str, ChapterRun] = {c.stem: ChapterRun(c) for c in chapters}

    def _notify(run: ChapterRun) -> None:
        if on_update:
            on_update(run)

    def _one(c: Chapter) -> ChapterRun:
        missing = c.missing(have, absent or {})
        if c.stem in skip:
            run = skip_chapter(c, run_dir, skip[c.stem])
        elif missing:
            run = skip_chapter(c, run_dir, _missing_reason(missing, absent or {}))
        else:
            pending = runs[c.stem]
            pending.state = "running"
            run = run_chapter(
                c,
                run_dir,
                parameters=parameters(c),
                timeout=timeout(c),
                on_start=lambda _c: _notify(pending),
            )
        runs[c.stem] = run
        _notify(run)
        return run

    first = [c for c in chapters if not c.after_all]
    last = [c for c in chapters if c.after_all]
    if jobs > 1 and len(first) > 1:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="opsai-chapter") as pool:
            list(pool.map(_one, first))
    else:
        for c in first:
            _one(c)
    for c in last:
        _one(c)
    return [runs[c.stem] for c in chapters]


def notebook_parameters(path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """The parameters a notebook declares, in order: name -> ``{"name", "inferred_type_name",
    "default", "help"}`` (the keys of papermill's ``inspect_notebook``), each the source text.

    Read with Python's own parser rather than papermill's line pattern, which ends a default at
    its first ``#`` (``r"[-#]?\\d+"`` would read as ``r"[-`` with the rest as help).
    """
    import ast
    import io
    import tokenize

    import nbformat

    cells = nbformat.read(os.fspath(path), as_version=4).cells
    cell = next((c for c in cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        return {}
    src = cell.source
    comments = {
        t.start[0]: t.string.lstrip("#").strip()
        for t in tokenize.generate_tokens(io.StringIO(src).readline)
        if t.type == tokenize.COMMENT
    }
    out: dict[str, dict[str, str]] = {}
    for node in ast.parse(src).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            name, ann, value = (
                node.target.id,
                ast.get_source_segment(src, node.annotation),
                node.value,
            )
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, ann, value = node.targets[0].id, None, node.value
        else:
            continue
        out[name] = {
            "name": name,
            "inferred_type_name": ann or "None",
            "default": ast.get_source_segment(src, value) or "",
            "help": comments.get(node.end_lineno or node.lineno, ""),
        }
    return out
