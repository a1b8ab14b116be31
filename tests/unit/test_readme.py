"""The README documents every chapter parameter (so it cannot drift from the notebooks)."""

from __future__ import annotations

from pathlib import Path

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
    from papermill.inspection import inspect_notebook

    for nb in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = nbformat.read(nb, as_version=4).cells
        cell = next(c for c in cells if "parameters" in c.metadata.get("tags", []))
        declared = re.findall(r"^([A-Za-z_]\w*)\s*:", cell.source, flags=re.M)
        assert declared, f"{nb.name}: no parameters declared"
        assert list(inspect_notebook(str(nb))) == declared, nb.name
        assert list(notebook_parameters(nb)) == declared, nb.name


def test_each_chapter_parameter_row_shows_the_notebooks_default() -> None:
    """Each row of a chapter's table (``#### Title (`stem`)``) shows the default its notebook
    declares, character for character; a row for a name the notebook lacks is stale."""
    import re

    readme = (PROJ_ROOT / "README.md").read_text("utf-8")
    parts = re.split(r"^#### .*\(`(\w+)`\)\s*$", readme, flags=re.M)
    assert len(parts) > 2, "README.md: no chapter parameter sections found"
    wrong = []
    for stem, body in zip(parts[1::2], parts[2::2], strict=True):
        body = body.split("\n### ")[0]
        rows = dict(re.findall(r"^\| `(\w+)` \| `(.*?)` \|", body, flags=re.M))
        declared = notebook_parameters(NOTEBOOKS_DIR / f"{stem}.ipynb")
        wrong += [f"{stem}: {k} has no parameter" for k in rows if k not in declared]
        wrong += [
            f"{stem}: {k} reads {rows[k]}, the notebook {p['default']}"
            for k, p in declared.items()
            if k in rows and rows[k] != p["default"]
        ]
    assert not wrong, "README.md chapter parameters: " + "; ".join(wrong)


def test_a_hash_inside_a_default_stays_in_the_default(tmp_path: Path) -> None:
    """papermill's pattern ends a default at its first ``#``; ours reads the Python."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    src = 'PAT: str = r"[-#]?\\d+"  # order ids\nN = 3\nK: int = 2'
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": ["parameters"]})]
    path = tmp_path / "p.ipynb"
    nbformat.write(nb, path)
    got = notebook_parameters(path)
    assert list(got) == ["PAT", "N", "K"]
    assert got["PAT"] == {
        "name": "PAT",
        "inferred_type_name": "str",
        "default": 'r"[-#]?\\d+"',
        "help": "order ids",
    }
    assert (got["N"]["default"], got["N"]["help"], got["K"]["inferred_type_name"]) == (
        "3",
        "",
        "int",
    )


def test_every_table_mapping_key_is_in_the_readme() -> None:
    """A user mapping their own files learns the keys from the README's "Bring your own data"
    (``decimal`` was missing: European '1.234,50' could not be mapped from the README)."""
    import re

    from opsai.config import TableSpec

    readme = (PROJ_ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Bring your own data", 1)[1].split("\n## ", 1)[0]
    missing = [k for k in TableSpec.model_fields if not re.search(rf"(?<!\w){k}:|`{k}`", section)]
    assert not missing, "document these keys in README.md (Bring your own data): " + ", ".join(
        missing
    )
