"""Shared fixtures: small contract datasets and a throw-away PostgreSQL server."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml


def write_dataset(folder: Path, files: dict[str, str | bytes], tables: dict[str, Any]) -> Path:
    """Write files and an opsai.yaml mapping them; returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        p = folder / name
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    cfg = folder / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": tables}}), encoding="utf-8")
    return cfg


USERS_CSV = "user_id,signup_at,channel,age\n001,2024-01-01,ads,31\n002,2024-01-02,seo,45\n003,2024-01-05,ads,\n"
ORDERS_CSV = (
    "user_id,timestamp,amount,item_id,quantity\n"
    "001,2024-01-03 10:00:00,12.5,A1,1\n"
    "001,2024-02-01 09:30:00,30,B2,2\n"
    "002,2024-01-10 18:00:00,7.25,A1,1\n"
    "009,2024-01-11 12:00:00,5,A1,1\n"
)
ITEMS_CSV = "item_id,title,category,price\nA1,Tea,drinks,7.25\nB2,Mug,kitchen,15\n"


def shopify_export(n: int = 1500, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders of ``n`` customers over 2023-2024 and a Shopify-style customers export whose
    Total Spent, Total Orders and Last Order Date are computed over ALL their orders (after
    the churn model's cut-off too). Customers in region North leave about 3x sooner (an
    honest driver); age and plan price are noise."""
    rng = np.random.default_rng(seed)
    start, span = pd.Timestamp("2023-01-01"), 730
    region = rng.choice(["North", "South", "East", "West"], size=n)
    first = rng.integers(0, span - 120, size=n)
    rate = rng.gamma(1.5, 1 / 120, size=n)  # orders per day, one per 80 days on average
    stop = np.minimum(span, first + rng.exponential(np.where(region == "North", 120, 400)))
    k = rng.poisson(rate * (stop - first)) + 1  # the first order, then the rest
    user = np.repeat(np.arange(n), k)
    day = np.where(
        np.r_[True, user[1:] != user[:-1]], first[user], rng.uniform(first[user], stop[user])
    )
    orders = pd.DataFrame({"user_id": [f"u{i}" for i in user],
                           "timestamp": (start + pd.to_timedelta(day, unit="D")).floor("s"),
                           "amount": rng.gamma(2.0, 25.0, size=len(user)).round(2)})  # fmt: skip
    orders["order_id"] = [f"o{j}" for j in range(len(orders))]
    g = orders.groupby("user_id")
    users = pd.DataFrame({"user_id": [f"u{i}" for i in range(n)], "region": region,
                          "age": rng.integers(18, 70, size=n),
                          "signup_at": start + pd.to_timedelta(first - rng.integers(0, 30, size=n), unit="D"),
                          "plan_price": rng.choice([9.0, 19.0, 29.0], size=n)})  # fmt: skip
    users["Total Spent"] = users["user_id"].map(g["amount"].sum()).round(2)
    users["Total Orders"] = users["user_id"].map(g.size())
    users["Last Order Date"] = users["user_id"].map(g["timestamp"].max())
    return orders, users


@pytest.fixture
def small_config(tmp_path: Path) -> Path:
    """users + orders + items, with one orphan user id in orders."""
    return write_dataset(
        tmp_path,
        {"users.csv": USERS_CSV, "orders.csv": ORDERS_CSV, "items.csv": ITEMS_CSV},
        {"users": {}, "orders": {}, "items": {}},
    )


def _pg_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    exe = shutil.which("initdb")
    return Path(exe).parent if exe else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Start a private PostgreSQL on 127.0.0.1 for the session; stop and delete it after."""
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (make test installs the Debian package)")
    root = os.geteuid() == 0
    data = Path(tempfile.mkdtemp(prefix="opsai-pg-"))
    run_as: list[str] = []
    if root:
        shutil.chown(data, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    log = data / "server.log"

    def pg(*args: str) -> None:
        subprocess.run([*run_as, *args], check=True, capture_output=True, timeout=120)

    pg(
        str(bindir / "initdb"),
        "-D",
        str(data / "db"),
        "-A",
        "trust",
        "-U",
        "postgres",
        "-E",
        "UTF8",
    )
    pg(
        str(bindir / "pg_ctl"), "-D", str(data / "db"), "-l", str(log), "-w", "-t", "60",
        "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off", "start",
    )  # fmt: skip
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "fast", "stop"],
            capture_output=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(data, ignore_errors=True)


TOGETHER = frozenset(
    f"tests/notebooks/{name}.py"
    for name in ("test_browser", "test_chapters", "test_integration_chapter", "test_pipeline",
                 "test_score", "test_service_chapter")
) | {  # one test of a SPREAD file compares its report with the tiny one
    "tests/notebooks/test_missing_tables.py::test_purchase_events_with_values_stand_in_for_orders"
}  # fmt: skip
"""Files and tests that read the tiny demo's published report (a session fixture, ~4 minutes):
one worker builds it once. ``pytest_itemcollected`` fails a test that reads it from elsewhere."""
SPREAD = frozenset(
    f"tests/notebooks/{name}.py" for name in ("test_missing_tables", "test_no_customers")
)
"""Files whose tests each build a report of their own."""


def _scope(nodeid: str) -> str:
    path = nodeid.split("::")[0]
    if path in TOGETHER or nodeid in TOGETHER:
        return "tiny_report"
    return nodeid if path in SPREAD else path


def pytest_itemcollected(item: pytest.Item) -> None:
    """A test reading the tiny report must be in :data:`TOGETHER`, or a second worker would
    build the report again."""
    if "tiny_report" in getattr(item, "fixturenames", ()) and _scope(item.nodeid) != "tiny_report":
        raise pytest.UsageError(
            f"{item.nodeid} reads the tiny_report fixture: add it (or its file) to TOGETHER in "
            "tests/conftest.py so one worker builds the report once"
        )


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``make test`` runs the suite on two pytest-xdist workers. A module's tests stay on one
    worker (its module fixtures are built once), the files of :data:`TOGETHER` share one
    worker (the report is built once), the tests of :data:`SPREAD` are sent one by one, and
    the work goes out in collection order: the notebook runs, the longest, first."""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    config.option.loadscopereorder = False  # largest scopes first would send the notebook runs last
    return Scheduling(config, log)
