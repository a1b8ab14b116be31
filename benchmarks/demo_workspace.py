"""Benchmark: build the demo, then count events per user and event type, engine vs pandas.

Three phases, each in its own process so that its peak memory is its own:

1. ``build``: ``make_demo(scale=...)``;
2. ``engine``: ``open_workspace`` (validation + load into in-process DuckDB) and the group-by
   ``events.group_by([user_id, event]).count()`` through Ibis, fetched as pandas;
3. ``pandas``: the same file(s) read with pandas and the same group-by.

Both results are checked equal, then the wall times, their ratio and each phase's peak
resident memory are printed.

Usage:
    .venv/bin/python benchmarks/demo_workspace.py                 # large (10M+ events)
    .venv/bin/python benchmarks/demo_workspace.py --scale default --out /tmp/northwind
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

KEYS = ["user_id", "event"]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def phase_build(out: Path, scale: str, seed: int) -> dict[str, Any]:
    from opsai.data.demo import make_demo

    t0 = time.perf_counter()
    folder = make_demo(out, scale=scale, seed=seed)  # type: ignore[arg-type]
    secs = time.perf_counter() - t0
    rows = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))["rows"]
    return {"seconds": secs, "peak_mib": _peak_mib(), "rows": rows}


def phase_engine(out: Path) -> dict[str, Any]:
    from opsai.data.workspace import open_workspace

    t0 = time.perf_counter()
    ws = open_workspace(out / "opsai.yaml")
    t_open = time.perf_counter() - t0
    ev = ws.table("events")
    t1 = time.perf_counter()
    res = ev.group_by(KEYS).aggregate(n=ev.count()).to_pandas()
    t_query = time.perf_counter() - t1
    ws.close()
    return {
        "open_seconds": t_open,
        "query_seconds": t_query,
        "peak_mib": _peak_mib(),
        "groups": len(res),
        "total": int(res["n"].sum()),
        "checksum": _checksum(res),
    }


def phase_pandas(out: Path) -> dict[str, Any]:
    import pandas as pd

    files = sorted(out.glob("events.*"))
    t0 = time.perf_counter()
    if files[0].suffix == ".parquet":
        df = pd.read_parquet(files[0], columns=KEYS)
    else:
        df = pd.read_csv(files[0], usecols=KEYS, dtype=str)
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    res = df.groupby(KEYS, observed=True, sort=False).size().reset_index(name="n")
    t_query = time.perf_counter() - t1
    return {
        "read_seconds": t_read,
        "query_seconds": t_query,
        "peak_mib": _peak_mib(),
        "groups": len(res),
        "total": int(res["n"].sum()),
        "checksum": _checksum(res),
    }


def _checksum(res: Any) -> int:
    """Order-free fingerprint of (user, event, n) rows."""
    import pandas as pd

    h = pd.util.hash_pandas_object(res[[*KEYS, "n"]].astype(str), index=False)
    return int(h.sum() % (2**61 - 1))


def _run(phase: str, args: argparse.Namespace, out: Path) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--out", str(out), "--scale", args.scale,
           "--seed", str(args.seed)]  # fmt: skip
    proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default="large", choices=["tiny", "default", "large"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="demo folder (default: a temporary folder, removed at the end)")
    p.add_argument("--phase", choices=["build", "engine", "pandas"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase:
        out = Path(args.out)
        fn = {"build": lambda: phase_build(out, args.scale, args.seed),
              "engine": lambda: phase_engine(out), "pandas": lambda: phase_pandas(out)}  # fmt: skip
        print(json.dumps(fn[args.phase]()))
        return

    with tempfile.TemporaryDirectory(prefix="opsai-bench-") as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "northwind"
        build = _run("build", args, out)
        engine = _run("engine", args, out)
        pdres = _run("pandas", args, out)
    assert engine["groups"] == pdres["groups"] and engine["total"] == pdres["total"]
    assert engine["checksum"] == pdres["checksum"], "engine and pandas results differ"
    rows = build["rows"]
    e_total = engine["open_seconds"] + engine["query_seconds"]
    p_total = pdres["read_seconds"] + pdres["query_seconds"]
    print(
        f"demo scale={args.scale} seed={args.seed}: "
        + ", ".join(f"{k} {v:,}" for k, v in rows.items())
    )
    print(f"{'phase':<34}{'seconds':>10}{'peak MiB':>12}")
    print(f"{'make_demo':<34}{build['seconds']:>10.2f}{build['peak_mib']:>12.0f}")
    print(f"{'open_workspace (validate + load)':<34}{engine['open_seconds']:>10.2f}{'':>12}")
    print(
        f"{'group-by on DuckDB via Ibis':<34}{engine['query_seconds']:>10.2f}{engine['peak_mib']:>12.0f}"
    )
    print(f"{'pandas read':<34}{pdres['read_seconds']:>10.2f}{'':>12}")
    print(f"{'group-by in pandas':<34}{pdres['query_seconds']:>10.2f}{pdres['peak_mib']:>12.0f}")
    print(f"groups: {engine['groups']:,} (results equal)")
    print(
        f"group-by only: pandas / engine = {pdres['query_seconds'] / engine['query_seconds']:.2f}x"
    )
    print(f"load + group-by: pandas / engine = {p_total / e_total:.2f}x")
    print(f"peak memory: engine {engine['peak_mib']:.0f} MiB, pandas {pdres['peak_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
