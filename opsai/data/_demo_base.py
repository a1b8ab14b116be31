"""Shared pieces of the demo company: its calendar, its scales and small id helpers.

The demo covers two calendar years (2023-01-01 .. 2024-12-31); the inventory snapshot and
every "as of" fact are taken on :data:`AS_OF` (2025-01-01), the first day after the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

COMPANY = "Northwind Goods"
START = np.datetime64("2023-01-01", "D")
AS_OF = np.datetime64("2025-01-01", "D")
N_DAYS = int((AS_OF - START).astype(int))  # 731: 2024 is a leap year
DAY_S = 86_400


@dataclass(frozen=True)
class Scale:
    """Sizes of one demo scale."""

    users: int
    items: int
    tickets: int
    session_rate: float
    """Mean sessions per active day of an ordinary user."""
    parquet: bool
    """Write events and demand as Parquet (else CSV)."""


SCALES: dict[str, Scale] = {
    "tiny": Scale(users=600, items=24, tickets=700, session_rate=0.04, parquet=False),
    "default": Scale(users=40_000, items=200, tickets=8_000, session_rate=0.05, parquet=True),
    "large": Scale(users=170_000, items=1_000, tickets=30_000, session_rate=0.05, parquet=True),
}


def ids(prefix: str, n: int, width: int, *, start: int = 1) -> np.ndarray:
    """``prefix`` + zero-padded numbers, e.g. ``u000001``; a numpy array of ``str``."""
    nums = np.arange(start, start + n).astype(str)
    return np.char.add(prefix, np.char.zfill(nums, width)).astype(object)


def dict_ids(labels: np.ndarray, codes: np.ndarray) -> pa.DictionaryArray:
    """A dictionary-encoded string column: ``labels[codes]`` without materialising it."""
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(labels, pa.string())
    )


def seconds_to_ts(sec: np.ndarray) -> np.ndarray:
    """Seconds since :data:`START` -> ``datetime64[s]``."""
    return START.astype("datetime64[s]") + sec.astype("timedelta64[s]")


def month_index(sec: np.ndarray) -> np.ndarray:
    """Seconds since :data:`START` -> month number (0 = 2023-01)."""
    ts = seconds_to_ts(sec).astype("datetime64[M]")
    return (ts - START.astype("datetime64[M]")).astype(int)


def month_label(m: int) -> str:
    """Month number -> ``'YYYY-MM'``."""
    return str(START.astype("datetime64[M]") + np.timedelta64(m, "M"))


def choice(rng: np.random.Generator, p: np.ndarray | Sequence[float], size: int) -> np.ndarray:
    """Indices drawn with probabilities ``p`` (normalised)."""
    q = np.asarray(p, dtype=float)
    return rng.choice(len(q), size=size, p=q / q.sum())


def row_choice(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One index per row of a (n, k) probability matrix, vectorised."""
    cdf = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > cdf).sum(axis=1), probs.shape[1] - 1)
