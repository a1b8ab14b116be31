"""Fixtures for the papermill tests: the tiny demo company and one report built on it."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny demo company's config (400 users, two years)."""
    from opsai.data.demo import make_demo

    return (
        make_demo(tmp_path_factory.mktemp("demo") / "northwind", scale="tiny", seed=0)
        / "opsai.yaml"
    )


@pytest.fixture(scope="session")
def tiny_report(tiny_demo: Path, tmp_path_factory: pytest.TempPathFactory):
    """Every chapter on the tiny demo, FAST, two at a time: a published report run."""
    from opsai.report.build import build_report

    return build_report(tiny_demo, out=tmp_path_factory.mktemp("reports"), fast=True, jobs=2)
