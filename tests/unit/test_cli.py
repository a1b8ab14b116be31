"""The CLI prints results, and errors as one line with exit status 1."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.cli import main

pytestmark = pytest.mark.unit


def test_validate_ok(small_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--config", str(small_config)]) == 0
    out = capsys.readouterr().out
    assert "3 table(s) valid" in out and "orders.user_id: 1 distinct id(s) not in users" in out


def test_validate_bad_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "orders.csv").write_text("user_id,timestamp\n1,2024-01-01\n", encoding="utf-8")
    (tmp_path / "opsai.yaml").write_text("data: {tables: {orders: {}}}", encoding="utf-8")
    assert main(["validate", "--config", str(tmp_path / "opsai.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("opsai: error:") and "data.tables.orders.columns.amount" in err


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for cmd in ("demo", "validate", "data"):
        assert cmd in out
