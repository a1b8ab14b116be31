"""Compression benchmark: int8, pruning and distillation of the chapters' three torch models.

On the demo company (real training, real measurements, one process):

* intent — the customer-service chapter's torch intent classifier, stratified 70/30 split of
  the tickets, metric accuracy;
* forecast — the demand chapter's GlobalMLP on the daily item series, the last ``--horizon``
  days held out, metric WAPE of the recursive forecast;
* churn — the behaviour chapter's MLP (default parameters) on the time-based snapshots,
  metric test ROC-AUC.

Each gets dynamic int8 quantisation, 50 % magnitude pruning and a distilled student; the table
prints size (serialised state_dict, and zlib of it), sparsity, median latency per item over
repeated batches (torch on one thread), the metric before/after, the relative loss, and
size/latency ratios to the original; then the variant ``choose`` deploys at ``--tolerance``.

Run: ``.venv/bin/python benchmarks/compress.py [--scale tiny|default] [--tolerance 0.01]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from opsai import behavior as bh
from opsai import forecast as fc
from opsai.data import open_workspace
from opsai.optimize import (
    choose,
    churn_target,
    compression_table,
    forecast_target,
    intent_target,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="tiny", choices=["tiny", "default"])
    ap.add_argument("--horizon", type=int, default=28)
    ap.add_argument("--tolerance", type=float, default=0.01)
    ap.add_argument("--prune", type=float, default=0.5)
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from opsai.data.demo import make_demo

    demo = make_demo(Path(tempfile.mkdtemp(prefix="opsai-compress-")) / "demo", scale=args.scale,
                     seed=args.seed)  # fmt: skip
    ws = open_workspace(demo / "opsai.yaml")
    targets = []

    t0 = time.perf_counter()
    tickets = ws.to_pandas("tickets").dropna(subset=["intent"])
    tr, te = train_test_split(tickets, test_size=0.3, random_state=args.seed,
                              stratify=tickets["intent"])  # fmt: skip
    targets.append(intent_target(tr["text"], tr["intent"], te["text"], te["intent"],
                                 seed=args.seed))  # fmt: skip
    print(
        f"intent: {len(tr):,} train / {len(te):,} test tickets ({time.perf_counter() - t0:.1f} s)"
    )

    t0 = time.perf_counter()
    series = fc.build_series(ws, freq="D", levels=("item",)).df
    targets.append(forecast_target(series, h=args.horizon, season_length=7, seed=args.seed))
    print(f"forecast: {series['item_id'].nunique()} item series, {len(series):,} rows "
          f"({time.perf_counter() - t0:.1f} s)")  # fmt: skip

    t0 = time.perf_counter()
    train, test = bh.snapshots(ws.table("orders"), horizon_days=90, events=ws.table("events"),
                               users=ws.to_pandas("users"))  # fmt: skip
    targets.append(churn_target(train, test, seed=args.seed))
    print(f"churn: {len(train):,} train / {len(test):,} test users "
          f"({time.perf_counter() - t0:.1f} s)", flush=True)  # fmt: skip

    t0 = time.perf_counter()
    table = compression_table(targets, prune_amount=args.prune, repeats=args.repeats,
                              seed=args.seed)  # fmt: skip
    print(f"compressed and measured in {time.perf_counter() - t0:.1f} s\n")
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.drop(columns=["metric_before"]).to_string(
            index=False, float_format=lambda v: f"{v:.4g}"))  # fmt: skip
        picked = choose(table, tolerance=args.tolerance)
        print(f"\nchosen at tolerance {args.tolerance:.1%} (smallest within it, else original):")
        print(picked[["model", "variant", "size_ratio", "speedup", "metric", "metric_before",
                      "metric_after", "loss"]].to_string(index=False,
                                                         float_format=lambda v: f"{v:.4g}"))  # fmt: skip


if __name__ == "__main__":
    main()
