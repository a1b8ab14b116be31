"""The demo company: Northwind Goods, a fictional bilingual e-commerce startup.

:func:`make_demo` writes one coherent company into a folder: users and their sessions of
events, the orders those sessions end in, the catalogue with two years of daily demand, an
inventory snapshot, support tickets in English and Chinese with a knowledge base,
monthly market figures for us and six competitors, and a quarter of ad spend whose campaigns
the orders' UTM tags name. Planted facts that a good report must
find are written to ``ground_truth.json``, and ``opsai.yaml`` maps the folder onto the
data contract. Same seed, same bytes.

Example:
    >>> from opsai.data.demo import make_demo
    >>> folder = make_demo("/tmp/northwind", scale="tiny", seed=0)   # doctest: +SKIP
    >>> open_workspace(folder / "opsai.yaml").present                # doctest: +SKIP
    ('users', 'events', 'orders', 'demand', 'items', 'inventory', 'tickets', 'kb', 'market', 'ad_spend')
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from opsai.config import config_from_dict, dump_config
from opsai.data import schema as S
from opsai.data._demo_ads import make_ads
from opsai.data._demo_base import AS_OF, COMPANY, SCALES
from opsai.data._demo_catalog import make_catalog
from opsai.data._demo_market import COMPANIES, CUT_COMPANY, CUT_MONTH, make_market
from opsai.data._demo_people import make_people
from opsai.data._demo_tickets import make_tickets
from opsai.errors import ConfigError

__all__ = ["GROUND_TRUTH", "SCALES", "load_ground_truth", "make_demo"]

GROUND_TRUTH = "ground_truth.json"
CONFIG = "opsai.yaml"
_TS_FORMAT = "%Y-%m-%d %H:%M:%S"


def make_demo(
    out_dir: str | os.PathLike[str],
    *,
    scale: Literal["tiny", "default", "large"] = "default",
    seed: int = 0,
) -> Path:
    """Write the demo company into ``out_dir`` and return that folder.

    The folder is built next to ``out_dir`` and moved into place at the end (its
    ``opsai.yaml`` is written last), so a crash never leaves a config pointing at half-written
    data. An existing demo folder is replaced; any other non-empty folder is left alone.

    Args:
        out_dir: the folder to write (created if missing).
        scale: ``tiny`` (about a second, for tests: 600 users, ~35k events, 24 items),
            ``default`` (what ``make report`` uses: 40k users, ~2.8M events, 200 items) or
            ``large`` (170k users, ~12M events, 1,000 items, for benchmarks).
        seed: seed of every random draw; the same seed writes the same bytes.

    Returns:
        The folder holding the tables, ``ground_truth.json`` and ``opsai.yaml``.

    Raises:
        ConfigError: an unknown ``scale``, a negative ``seed``, or an ``out_dir`` that exists and
            is not a demo folder.
    """
    if scale not in SCALES:
        raise ConfigError(
            f"scale must be one of {', '.join(map(repr, SCALES))}, got {scale!r}. "
            "Pass scale='tiny' for tests, 'default' for reports or 'large' for benchmarks"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}. Pass e.g. seed=0")
    out = Path(out_dir).expanduser().resolve()
    _check_target(out)
    size = SCALES[scale]

    r_cat, r_people, r_tickets, r_market, r_ads = np.random.default_rng(int(seed)).spawn(5)
    cat = make_catalog(r_cat, size.items)
    market, market_facts = make_market(r_market)
    people = make_people(r_people, size.users, size.session_rate, cat)
    tickets, kb, ticket_facts = make_tickets(
        r_tickets,
        size.tickets,
        cat,
        people,
        competitors=tuple(c[0] for c in COMPANIES[1:]),
        competitor=CUT_COMPANY,
        cut_month=CUT_MONTH,
    )
    market[S.PERIOD] = market[S.PERIOD].dt.strftime("%Y-%m-%d")
    ad_spend, orders, ad_facts = make_ads(r_ads, people.orders)  # tags from 2024-10 on
    facts = people.facts + cat.facts + ticket_facts + market_facts + ad_facts

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        big = "parquet" if size.parquet else "csv"
        tables: dict[str, pa.Table | pd.DataFrame] = {
            "users": people.users,
            "events": people.events,
            "orders": orders,
            "demand": cat.demand,
            "items": cat.items,
            "inventory": cat.inventory,
            "tickets": tickets,
            "kb": kb,
            "market": market,
            "ad_spend": ad_spend,
        }
        files: dict[str, str] = {}
        rows: dict[str, int] = {}
        for name, data in tables.items():
            fmt = big if name in ("events", "demand") else "csv"
            files[name] = f"{name}.{fmt}"
            rows[name] = _write(data, tmp / files[name], fmt)
        truth = {
            "company": COMPANY,
            "scale": scale,
            "seed": int(seed),
            "as_of": str(AS_OF),
            "rows": rows,
            "facts": facts,
        }
        (tmp / GROUND_TRUTH).write_text(
            json.dumps(truth, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        cfg = config_from_dict(
            {
                "name": "northwind-demo",
                "company": COMPANY,
                "currency": "USD",
                "data": {"source": ".", "tables": {n: {"file": f} for n, f in files.items()}},
                "report": {"title": f"{COMPANY}: operations report (demo, {scale})"},
            }
        )
        dump_config(cfg, tmp / CONFIG)  # last: a config only ever points at complete data
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def load_ground_truth(folder: str | os.PathLike[str]) -> dict[str, dict[str, Any]]:
    """The planted facts of a demo folder, by fact id."""
    path = Path(folder) / GROUND_TRUTH
    if not path.is_file():
        raise ConfigError(
            f"{path} not found: pass the folder written by make_demo (opsai demo --out)"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return {f["id"]: f for f in data["facts"]}


def _is_demo(folder: Path) -> bool:
    return (folder / GROUND_TRUTH).is_file() or not any(folder.iterdir())


def _check_target(out: Path) -> None:
    if out.exists() and (not out.is_dir() or not _is_demo(out)):
        raise ConfigError(
            f"out_dir {out} exists and is not an earlier demo folder (no {GROUND_TRUTH}); "
            "pass a new or empty folder (opsai demo --out NEW_DIR) so nothing is overwritten"
        )


def _swap(tmp: Path, out: Path) -> None:
    """Move the finished folder into place, replacing an earlier demo."""
    if not out.exists():
        tmp.rename(out)
        return
    _check_target(out)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    old.rmdir()
    out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _write(data: pa.Table | pd.DataFrame, path: Path, fmt: str) -> int:
    """Write one table deterministically; returns its row count."""
    if fmt == "parquet":
        table = (
            data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
        )
        pq.write_table(table, path, compression="zstd", store_schema=False)
        return table.num_rows
    frame = data.to_pandas() if isinstance(data, pa.Table) else data
    frame.to_csv(path, index=False, lineterminator="\n", date_format=_TS_FORMAT)
    return len(frame)
