"""The README documents every chapter parameter (so it cannot drift from the notebooks)."""

from __future__ import annotations

import pytest

from opsai.config import NOTEBOOKS_DIR, PROJ_ROOT
from opsai.report.runner import notebook_parameters

pytestmark = pytest.mark.unit


def test_every_chapter_parameter_is_in_the_readme() -> None:
    readme = (PROJ_ROOT / "README.md").read_text("utf-8")
    missing = [
        f"{nb.stem}: {name}"
        for nb in sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
        for name in notebook_parameters(nb)
        if f"`{name}`" not in readme
    ]
    assert not missing, "document these in README.md (Chapter parameters): " + ", ".join(missing)


def test_papermill_reads_every_line_of_each_parameters_cell() -> None:
    """papermill skips a line it cannot parse (e.g. an ``=`` inside the comment) with only a
    log message: that parameter would then be missing from the CLI, the README and reports."""
    import re

    import nbformat

    for nb in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = nbformat.read(nb, as_version=4).cells
        cell = next(c for c in cells if "parameters" in c.metadata.get("tags", []))
        declared = re.findall(r"^([A-Za-z_]\w*)\s*:", cell.source, flags=re.M)
        assert declared, f"{nb.name}: no parameters declared"
        assert list(notebook_parameters(nb)) == declared, nb.name
