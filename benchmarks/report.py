"""The demo report at default scale: wall time, each chapter's time, and the overhead share.

"Chapter code" is the time the notebooks' cells ran (papermill's per-cell durations).
Everything else — config and data validation, kernel starts, papermill, rendering, the index,
PDFs — is overhead. Goal: under 15% of the wall time.

    python benchmarks/report.py [--scale default] [--jobs 1] [--pdf] [--demo DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from opsai.data.demo import make_demo
    from opsai.report.build import build_report

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default="default", choices=["tiny", "default", "large"])
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--pdf", action="store_true", help="include PDF printing in the run")
    p.add_argument("--demo", default=None, help="an existing demo folder (skips generating one)")
    p.add_argument("--chapters", default=None, help="chapter stems, comma-separated (default: all)")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="opsai-bench-") as tmp:
        if args.demo:
            demo = Path(args.demo)
        else:
            t = time.perf_counter()
            demo = make_demo(Path(tmp) / "demo", scale=args.scale, seed=0)
            print(f"demo company ({args.scale}) generated in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        chapters = args.chapters.split(",") if args.chapters else None
        run = build_report(
            demo / "opsai.yaml",
            out=Path(tmp) / "reports",
            chapters=chapters,
            jobs=args.jobs,
            pdf=args.pdf,
        )
        wall = time.perf_counter() - t

    code = sum(r.code_seconds for r in run.runs)
    print(f"\nreport ({args.scale}, jobs={args.jobs}, pdf={args.pdf}): {wall:.1f} s wall")
    print(f"{'chapter':<24}{'state':>8}{'total s':>9}{'code s':>8}{'outside s':>10}")
    for r in run.runs:
        print(
            f"{r.chapter.stem:<24}{r.state:>8}{r.seconds:>9.1f}{r.code_seconds:>8.1f}"
            f"{r.seconds - r.code_seconds:>10.1f}"
        )
    for name, s in run.phases.items():
        print(f"phase {name:<18}{s:>9.1f}")
    # with jobs > 1 chapters overlap: compare the wall time with the critical path of code
    busy = code / max(args.jobs, 1) if args.jobs > 1 else code
    share = max(0.0, wall - busy) / wall if wall else 0.0
    print(
        f"\nchapter code {code:.1f} s; outside chapter code {wall - busy:.1f} s = {share:.0%} of wall"
    )
    print("goal: under 15%" + (" (met)" if share < 0.15 else " (NOT met)"))
    return 0 if not run.failed else 1


if __name__ == "__main__":
    sys.exit(main())
