"""Small synthetic interaction data with a planted taste structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import CATEGORY, ITEM_ID, TITLE, USER_ID


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
