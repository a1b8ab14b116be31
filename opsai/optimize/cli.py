"""``opsai tune``: run or resume a chapter's tuning studies, added by :func:`register`."""

from __future__ import annotations

import argparse
from typing import Any


def _positive_int(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _positive_float(text: str) -> float:
    x = float(text)
    if x <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return x


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return "n/a" if v is None else str(v)


def _cmd_tune(args: argparse.Namespace) -> int:
    from opsai.config import load_config
    from opsai.optimize.studies import default_storage, resolve_chapter, run_chapter

    spec = resolve_chapter(args.chapter)
    cfg = load_config(args.config)
    storage = args.storage or str(default_storage(cfg))
    if args.trials is None and args.timeout is None:
        args.trials = 20
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    results = run_chapter(
        cfg,
        spec.stem,
        n_trials=args.trials,
        timeout=args.timeout,
        models=models,
        storage=storage,
        seed=args.seed,
        fast=args.fast,
    )
    print(f"{spec.stem}: studies in {storage}")
    for r in results:
        m = r.summary["metrics"]
        direction = r.summary["direction"]
        print(f"\n{r.name} ({r.metric}, {direction}):")
        print(f"  trials: {m['n_trials']} finished ({m['n_pruned']} pruned), {r.ran} run now")
        print(f"  best:    {_fmt(m['best'])}  {r.summary['best_params']}")
        print(f"  default: {_fmt(m['default'])}")
        gain = m["gain"]
        if gain is not None and m["default"]:
            pct = 100.0 * gain / abs(m["default"])
            print(f"  gain over default: {_fmt(gain)} ({pct:+.1f}%, positive is better)")
        else:
            print("  gain over default: n/a (the default trial has not finished)")
    return 0


def register(sub: Any) -> None:
    """Add ``tune`` to the ``opsai`` command's sub-parsers."""
    t = sub.add_parser(
        "tune",
        help="run or resume a chapter's hyper-parameter studies (Optuna) outside the report",
        description=(
            "Tune a chapter's models on the config's data with the chapter's own objective. "
            "Studies live in a journal file beside the config (or --storage), so a later run "
            "or several processes resume the same study; trial 0 is the default parameters."
        ),
    )
    t.add_argument("--config", required=True, help="YAML config mapping your data to the contract")
    t.add_argument(
        "--chapter",
        required=True,
        help="behavior (03a_user_behavior), recommend (03b_recommendation) or "
        "forecast (04_demand_inventory)",
    )
    t.add_argument(
        "--trials",
        type=_positive_int,
        default=None,
        help="finished trials each study should have (default 20 without --timeout)",
    )
    t.add_argument(
        "--timeout", type=_positive_float, default=None, help="seconds for this run, all models"
    )
    t.add_argument(
        "--storage",
        default=None,
        help="journal file or RDB URL (postgresql://...); default <config dir>/.opsai/studies.log",
    )
    t.add_argument("--models", default=None, help="comma-separated subset of the chapter's models")
    t.add_argument("--seed", type=int, default=0, help="seeds split, sampler and models")
    t.add_argument("--fast", action="store_true", help="the chapter's FAST search ranges")
    t.set_defaults(func=_cmd_tune)
