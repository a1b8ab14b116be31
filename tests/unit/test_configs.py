"""Every shipped case-study config is valid and names a dataset `opsai data fetch` knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.config import CONFIGS_DIR, load_config
from opsai.data.public import DATASETS

pytestmark = pytest.mark.unit
CONFIGS = sorted(CONFIGS_DIR.glob("*.yaml"))


def test_there_is_a_config_per_public_dataset() -> None:
    assert sorted(p.stem for p in CONFIGS) == sorted(DATASETS)


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_config_is_valid(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.data.source == f"../data/{path.stem}"
    assert cfg.data.tables, "a case study maps at least one table"
