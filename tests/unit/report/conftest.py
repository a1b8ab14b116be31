"""Fixtures for the report unit tests: a results folder and a tiny executed notebook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opsai.report import results as rec


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty run folder, with the recorder reset and no runner environment."""
    monkeypatch.delenv(rec.ENV_CHAPTER, raising=False)
    monkeypatch.delenv(rec.ENV_OUTPUT_DIR, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.setattr(rec, "_current", None)
    yield tmp_path / "run"
