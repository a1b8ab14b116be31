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
