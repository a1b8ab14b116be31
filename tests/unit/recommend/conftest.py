"""Small synthetic interaction data with a planted taste structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import CATEGORY, ITEM_ID, TIMESTAMP, TITLE, USER_ID


@pytest.fixture(scope="session")
def planted() -> pd.DataFrame:
    """40 users in two taste groups; group g mostly picks items of group g (20 items each)."""
    rng = np.random.default_rng(0)
    rows = []
    for u in range(40):
        g = u % 2
        for it in rng.choice(20, size=8, replace=False):
            rows.append((f"u{u:02d}", f"i{g * 20 + it:02d}"))
        rows.append((f"u{u:02d}", f"i{(1 - g) * 20 + rng.integers(20):02d}"))  # one off-taste
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID]).drop_duplicates().reset_index(drop=True)


@pytest.fixture(scope="session")
def catalog() -> pd.DataFrame:
    """Titles and categories for the 40 planted items plus one new item nobody touched."""
    ids = [f"i{i:02d}" for i in range(40)] + ["new"]
    cat = ["tea"] * 20 + ["mugs"] * 20 + ["tea"]
    title = [f"green tea blend {i}" for i in range(20)] + [f"steel mug {i}" for i in range(20)]
    return pd.DataFrame({ITEM_ID: ids, TITLE: [*title, "green tea sampler"], CATEGORY: cat})


@pytest.fixture(scope="session")
def walks() -> pd.DataFrame:
    """200 users with a sequential signal: 6 taste items of their group (2 groups of 20, in any
    order), then a walk along one chain c00 -> c01 -> ... of 2 to 11 links, hour by hour; their
    latest items are always the next links of the chain."""
    rng = np.random.default_rng(0)
    rows, t0 = [], pd.Timestamp("2024-01-01")
    for u in range(200):
        its = [f"i{u % 2 * 20 + i:02d}" for i in rng.choice(20, size=6, replace=False)]
        its += [f"c{j:02d}" for j in range(int(rng.integers(2, 12)))]
        rows += [(f"u{u:03d}", it, t0 + pd.Timedelta(hours=h)) for h, it in enumerate(its)]
    return pd.DataFrame(rows, columns=[USER_ID, ITEM_ID, TIMESTAMP]).assign(weight=1.0)
