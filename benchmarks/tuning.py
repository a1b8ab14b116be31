"""Tuning benchmark: Optuna TPE (as ``opsai.optimize.tune`` seeds it) against random search.

Part 1 — best validation score against the number of trials, for two chapters' own tuning
objectives (built by :mod:`opsai.optimize.studies`, so the search spaces, data splits and
metrics are exactly the chapters'):

- churn gradient boosting (03a) on CDNOW: validation ROC-AUC of "no order in the next 90
  days", users as of 90 days before the last order date; the chapter's FAST search space
  (``--full``: the full one, up to 400 trees);
- implicit ALS (03b) on MovieLens-100K: validation nDCG@10 on a split carved from the
  training part of the per-user 75/25 split.

For each seed both samplers get ``--trials`` trials on the same problem (no pruning, no
enqueued defaults); the goal is that TPE reaches random search's best-of-``--trials`` in
fewer than half as many trials.

Part 2 — trials per second on one journal-file study with 1 and 2 worker processes (each
process calls ``tune`` with a time budget), for an objective that costs nothing (storage and
sampler overhead) and one that burns ~20 ms of CPU.

Run: ``.venv/bin/python benchmarks/tuning.py [--seeds 3] [--trials 100] [--full]``
(``--cdnow DIR`` / ``--movielens DIR``: folders from ``opsai data fetch``; default the cache).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from opsai.config import cache_dir, load_config
from opsai.data.workspace import open_workspace
from opsai.optimize import tune
from opsai.optimize.studies import CHAPTERS, StudySpec

CHECKPOINTS = (10, 25, 50, 100)


def dataset(name: str, folder: Path | None) -> Path:
    """The config of a fetched public data set (fetched into the cache when missing)."""
    from opsai.data.public import fetch

    folder = folder or cache_dir() / "datasets" / name
    if not (folder / "opsai.yaml").is_file():
        fetch(name, folder)
    return folder / "opsai.yaml"


def build(config: Path, stem: str, model: str, *, fast: bool) -> StudySpec:
    cfg = load_config(config)
    with open_workspace(cfg) as ws:
        return CHAPTERS[stem].builder(ws, cfg.chapter(stem).parameters, [model], 0, fast)[model]


def best_so_far(
    spec: StudySpec,
    sampler: optuna.samplers.BaseSampler,
    n: int,
    stop_at: float | None = None,
) -> np.ndarray:
    """Best value after each trial; with ``stop_at``, stops once the best reaches it."""
    maximize = spec.direction == "maximize"
    study = optuna.create_study(
        direction=spec.direction, sampler=sampler, pruner=optuna.pruners.NopPruner()
    )

    def stop(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        if stop_at is not None and (
            study.best_value >= stop_at if maximize else study.best_value <= stop_at
        ):
            study.stop()

    study.optimize(spec.objective, n_trials=n, callbacks=[stop])
    v = np.array([t.value for t in study.trials], dtype=float)
    return np.maximum.accumulate(v) if maximize else np.minimum.accumulate(v)


def reached(curve: np.ndarray, target: float, maximize: bool) -> int | None:
    ok = curve >= target if maximize else curve <= target
    hits = np.flatnonzero(ok)
    return int(hits[0]) + 1 if len(hits) else None


def compare(label: str, spec: StudySpec, seeds: int, n: int) -> dict[str, Any]:
    maximize = spec.direction == "maximize"
    checks = [c for c in CHECKPOINTS if c <= n]
    print(f"\n{label}: {spec.metric} ({spec.direction}), {n} trials per sampler and seed")
    head = " ".join(f"{'@' + str(c):>7}" for c in checks)
    print(f"  {'seed':>4} {'sampler':<7} {head}  TPE reaches random's best at")
    ks, secs = [], {"random": 0.0, "tpe": 0.0}
    for seed in range(seeds):
        t0 = time.perf_counter()
        rnd = best_so_far(spec, optuna.samplers.RandomSampler(seed=seed), n)
        t1 = time.perf_counter()
        # TPE runs until it reaches random search's best (the trial count is what is compared)
        tpe = best_so_far(spec, optuna.samplers.TPESampler(seed=seed), n, float(rnd[-1]))
        t2 = time.perf_counter()
        secs["random"] += t1 - t0
        secs["tpe"] += t2 - t1
        k = reached(tpe, float(rnd[-1]), maximize)
        ks.append(k)
        for name, curve in (("random", rnd), ("tpe", tpe)):
            vals = " ".join(
                f"{curve[c - 1]:7.4f}" if c <= len(curve) else f"{'reached':>7}" for c in checks
            )
            tail = (f"trial {k}" if k else f"not within {n}") if name == "tpe" else ""
            print(f"  {seed:>4} {name:<7} {vals}  {tail}")
    got = [k if k is not None else n + 1 for k in ks]
    med = statistics.median(got)
    under = sum(k is not None and k < n / 2 for k in ks)
    print(
        f"  median trial at which TPE reaches random's {n}-trial best: "
        f"{med if med <= n else f'> {n}'} (goal < {n // 2}); under {n // 2} in {under}/{seeds} "
        f"seeds; wall time: random {secs['random']:.0f} s, TPE {secs['tpe']:.0f} s"
    )
    return {"label": label, "median": med, "under": under, "seeds": seeds}


# ---- part 2: throughput of one journal study ----------------------------------------------


def _free(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return (x - 2) ** 2


def _cpu(trial: optuna.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    end = time.process_time() + 0.02
    s = 0.0
    while time.process_time() < end:
        s += float(np.sum(np.arange(2000.0) * x))
    return (x - 2) ** 2 + 0 * s


def _worker(objective: str, log: str, name: str, seconds: float, seed: int) -> None:
    fn = _free if objective == "free" else _cpu
    tune(fn, n_trials=None, timeout=seconds, direction="minimize", study_name=name,
         storage=log, seed=seed)  # fmt: skip


def throughput(objective: str, workers: int, seconds: float, folder: Path) -> tuple[int, float]:
    log = str(folder / f"{objective}-{workers}.log")
    name = f"{objective}-{workers}"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_worker, args=(objective, log, name, seconds, i))
             for i in range(workers)]  # fmt: skip
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    from opsai.optimize import make_storage

    study = optuna.load_study(study_name=name, storage=make_storage(log))
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    start = min(t.datetime_start for t in done if t.datetime_start)
    end = max(t.datetime_complete for t in done if t.datetime_complete)
    return len(done), len(done) / max((end - start).total_seconds(), 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--full", action="store_true", help="the churn model's full search space")
    ap.add_argument("--cdnow", type=Path, default=None)
    ap.add_argument("--movielens", type=Path, default=None)
    ap.add_argument("--seconds", type=float, default=8.0, help="per throughput run")
    ap.add_argument(
        "--reco", default="als", choices=["als", "ease", "itemknn", "bpr"], help="03b model"
    )
    ap.add_argument(
        "--parts",
        default="churn,reco,throughput",
        help="comma-separated subset of churn, reco, throughput",
    )
    args = ap.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    t0 = time.perf_counter()
    results = []
    parts = {p.strip() for p in args.parts.split(",")}
    if "churn" in parts:
        churn = build(dataset("cdnow", args.cdnow), "03a_user_behavior", "churn_gbm",
                      fast=not args.full)  # fmt: skip
        results.append(compare("churn GBM on CDNOW (03a)", churn, args.seeds, args.trials))
    if "reco" in parts:
        reco = build(dataset("movielens-100k", args.movielens), "03b_recommendation", args.reco,
                     fast=False)  # fmt: skip
        label = f"{args.reco} on MovieLens-100K (03b)"
        results.append(compare(label, reco, args.seeds, args.trials))
    if "throughput" in parts:
        run_throughput(args.seconds)
    for r in results:
        ok = "met" if r["median"] < args.trials / 2 else "NOT met"
        print(f"goal {ok}: {r['label']}: TPE median {r['median']} trials to random's best")
    print(f"total {time.perf_counter() - t0:.0f} s")


def run_throughput(seconds: float) -> None:
    print(f"\none journal-file study, {seconds:.0f} s per run (trials per second):")
    print(f"  {'objective':<10} {'1 worker':>10} {'2 workers':>10} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for objective in ("free", "cpu 20 ms"):
            key = "free" if objective == "free" else "cpu"
            _, one = throughput(key, 1, seconds, Path(tmp))
            _, two = throughput(key, 2, seconds, Path(tmp))
            print(f"  {objective:<10} {one:10.1f} {two:10.1f} {two / one:6.2f}")


if __name__ == "__main__":
    main()
