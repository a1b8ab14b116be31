"""``opsai score``, added to the ``opsai`` command by :func:`register`."""

from __future__ import annotations

import argparse
from typing import Any


def _cmd_score(args: argparse.Namespace) -> int:
    from opsai.models.score import score

    result = score(args.run, args.config, out=args.out, k=args.top_k)
    if not result.written:
        print(f"opsai score: nothing written ({len(result.skipped)} chapter(s) skipped)")
        return 1
    print(f"written to {result.out}")
    return 0


def _positive(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def register(sub: Any) -> None:
    """Add ``score`` to the ``opsai`` sub-command parsers."""
    s = sub.add_parser(
        "score",
        help="apply a report run's saved models to new data: churn risk, recommendations, forecasts",
        description=(
            "Load the models a report run saved (every file's SHA-256 checked against its "
            "manifest), apply them to the data of --config and write churn_risk.csv, "
            "recommendations.csv and forecasts.csv. Chapters the run did not save, or whose "
            "tables the data lacks, are skipped with the reason. Exits 1 if nothing was written."
        ),
    )
    s.add_argument(
        "--run", required=True, help="report run folder (reports/<run>, or reports/ for latest)"
    )
    s.add_argument("--config", required=True, help="YAML config of the new data")
    s.add_argument("--out", default=None, help="folder for the CSVs (default: <run>/scores)")
    s.add_argument(
        "--top-k", type=_positive, default=None, metavar="K",
        help="recommendations per user (default: the chapter's TOP_K)",
    )  # fmt: skip
    s.set_defaults(func=_cmd_score)
