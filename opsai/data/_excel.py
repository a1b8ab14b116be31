"""Excel workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) read as text tables, like a CSV export.

python-calamine reads the cells with their types; each cell is written back as the text a CSV
export of the sheet would hold, so the one parsing path (`_load.typed_expr`) serves both and
every config option (``timestamp_format``, ``timezone``, ``thousands`` …) means the same thing.
Numbers that are whole are written without ``.0`` (an id cell 17850 stays ``17850``), dates
without a time of day stay dates (so ``timezone`` keeps their calendar day) unless the column
also holds times, and empty cells are NULL.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from opsai.config import TableSpec
from opsai.errors import ConfigError, SchemaError

SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


def _key(table: str, field: str) -> str:
    return f"data.tables.{table}.{field}"


_JOIN_ENTRY = re.compile(r"^(?P<table>\w+)\.join\[\d+\]$")
"""How :func:`opsai.data._join.join_file` names a join entry's file to the reader
(``orders.join[1]``)."""


def _pick_sheet(names: list[str], table: str, path: Path, spec: TableSpec) -> str:
    """The configured sheet; else the only one; else the one named like the table (for a join
    entry, :func:`_join_sheet`)."""
    listed = ", ".join(repr(n) for n in names)
    if spec.sheet is not None:
        if isinstance(spec.sheet, int):
            if 0 <= spec.sheet < len(names):
                return names[spec.sheet]
            raise SchemaError(
                f"{table}: {path.name} has {len(names)} sheet(s) ({listed}), so there is no "
                f"sheet {spec.sheet} (0 is the first). Fix {_key(table, 'sheet')}"
            )
        if spec.sheet in names:
            return spec.sheet
        raise SchemaError(
            f"{table}: {path.name} has no sheet {spec.sheet!r} (it has {listed}). "
            f"Fix {_key(table, 'sheet')}"
        )
    if (joined := _JOIN_ENTRY.match(table)) is not None:
        return _join_sheet(names, table, joined["table"], path)
    if len(names) == 1:
        return names[0]
    same = [n for n in names if n.strip().lower() == table]
    if len(same) == 1:
        return same[0]
    raise SchemaError(
        f"{table}: {path.name} has {len(names)} sheets ({listed}) and none is named "
        f"{table!r}. Name the one to read in config: {_key(table, 'sheet')}"
    )


def _join_sheet(names: list[str], entry: str, table: str, path: Path) -> str:
    """A join entry's sheet without ``sheet:``: the one named like the file's stem (a
    workbook ``orders.xlsx`` with sheets ``orders`` and ``notes``), else the only one."""
    same = [n for n in names if n.strip().lower() == path.stem.strip().lower()]
    if len(same) == 1:
        return same[0]
    if len(names) == 1:
        return names[0]
    listed = ", ".join(repr(n) for n in names)
    where = f"data.tables.{entry}"
    raise SchemaError(
        f"{table}: {where}: {path.name} has {len(names)} sheets ({listed}) and none is named "
        f"like the file ({path.stem!r}). Set sheet: on the entry ({where}.sheet) to the one "
        "to join"
    )


def _pick_sheets(names: list[str], table: str, path: Path, spec: TableSpec) -> list[str]:
    """The configured sheets (a list of names, a glob such as ``* 2024``, or ``all``, read as
    one table), else :func:`_pick_sheet`'s one."""
    want = spec.sheet
    if isinstance(want, list):
        missing = [n for n in want if n not in names]
        if missing:
            raise SchemaError(
                f"{table}: {path.name} has no sheet {', '.join(map(repr, missing))} (it has "
                f"{', '.join(map(repr, names))}). Fix {_key(table, 'sheet')}"
            )
        return list(want)
    if isinstance(want, str) and want not in names and is_sheet_pattern(want):
        every = want.strip().lower() == "all"
        picked = names if every else [n for n in names if fnmatch.fnmatchcase(n, want)]
        if not picked:
            raise SchemaError(
                f"{table}: no sheet of {path.name} matches {want!r} (it has "
                f"{', '.join(map(repr, names))}). Fix {_key(table, 'sheet')}"
            )
        return picked
    return [_pick_sheet(names, table, path, spec)]


def sheet_names(path: Path) -> list[str]:
    """A workbook's sheet names, in order."""
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as wb:
        return [str(n) for n in wb.sheet_names]


def is_sheet_pattern(sheet: str) -> bool:
    """``all``, or a glob (``* 2024``, ``Q?``): several sheets read as one table."""
    return sheet.strip().lower() == "all" or any(c in sheet for c in "*?[")


def _text(v: Any, dates_as_times: bool) -> str | None:
    """One cell as a CSV export would write it."""
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return f"{v.isoformat()} 00:00:00" if dates_as_times else v.isoformat()
    return str(v)


def _header(row: list[Any], header: bool, width: int) -> list[str]:
    """Column names: the header row's text (blank or repeated ones numbered), or column0…"""
    if not header:
        return [f"column{i}" for i in range(width)]
    names: list[str] = []
    for i, v in enumerate(row):
        name = (_text(v, False) or "").strip() or f"column{i}"
        base, k = name, 1
        while name in names:  # as DuckDB's CSV reader: a repeated name gets _1, _2, …
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def read_frame(path: Path, table: str, spec: TableSpec) -> pd.DataFrame:
    """The sheet (or sheets, one after another) of one workbook as a frame of text (None for
    empty cells).

    Raises:
        ConfigError: sheets read as one table have different headers.
    """
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            sheets = _pick_sheets(list(wb.sheet_names), table, path, spec)
            grids = {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in sheets}
    except (CalamineError, OSError, ValueError) as e:
        msg = " ".join(str(e).split())[:200] or type(e).__name__
        raise SchemaError(
            f"{table}: cannot read {path.name} as a workbook: {msg}. Fix: save it again as "
            f".xlsx (or export the sheet to CSV), or set {_key(table, 'format')}"
        ) from None
    frames = {n: _frame(rows, table, path, n, spec) for n, rows in grids.items()}
    kept = {n: f for n, f in frames.items() if f is not None}
    if not kept:
        raise SchemaError(
            f"{table}: sheet {', '.join(map(repr, sheets))} of {path.name} has no rows"
            + (f" after skipping {spec.skip_rows}" if spec.skip_rows else "")
            + f". Check {_key(table, 'sheet')} and {_key(table, 'skip_rows')}"
        )
    first, *rest = kept
    for n in rest:
        if list(kept[n].columns) != list(kept[first].columns):
            raise ConfigError(
                f"{table}: sheet {n!r} of {path.name} has columns {', '.join(kept[n].columns)} "
                f"but sheet {first!r} has {', '.join(kept[first].columns)}; sheets read as one "
                f"table need the same header. Leave {n!r} out of {_key(table, 'sheet')} (a "
                "list of names or a narrower pattern)"
            )
    if not rest:
        return kept[first]
    return pd.concat(list(kept.values()), ignore_index=True)


def _frame(
    rows: list[list[Any]], table: str, path: Path, sheet: str, spec: TableSpec
) -> pd.DataFrame | None:
    """One sheet's cells as a frame of text; None when it has no rows."""
    rows = rows[spec.skip_rows :]
    rows = [r for r in rows if any(v not in (None, "") for v in r)]  # blank lines
    if not rows:
        return None
    width = max(len(r) for r in rows)
    grid: list[list[Any]] = [list(r) + [None] * (width - len(r)) for r in rows]
    names = _header(grid[0], spec.header, width)
    body = grid[1:] if spec.header else grid
    cols: dict[str, list[str | None]] = {}
    for j, name in enumerate(names):
        cells = [r[j] for r in body]
        if name == f"column{j}" and spec.header and all(v in (None, "") for v in cells):
            continue  # an unnamed empty column: formatting left over right of the data
        times = any(isinstance(v, dt.datetime) for v in cells)
        cols[name] = [_text(v, times) for v in cells]
    return pd.DataFrame(cols, dtype=object)


def read_raw(
    con: duckdb.DuckDBPyConnection, table: str, raw: str, paths: list[Path], spec: TableSpec
) -> None:
    """Create the text table ``raw`` from the sheet of every workbook in ``paths``."""
    frames = [read_frame(p, table, spec) for p in paths]
    for p, f in zip(paths[1:], frames[1:], strict=True):
        if list(f.columns) != list(frames[0].columns):
            raise SchemaError(
                f"{table}: {p.name} has columns {', '.join(f.columns)} but {paths[0].name} has "
                f"{', '.join(frames[0].columns)}; every file of a table needs the same header. "
                f"Fix the files, or narrow {_key(table, 'file')}"
            )
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    con.register("_opsai_sheet", frame)
    try:
        cols = ", ".join(
            f'CAST("{c}" AS VARCHAR) AS "{c}"'
            for c in (s.replace('"', '""') for s in frame.columns)
        )
        con.execute(f'CREATE OR REPLACE TEMP TABLE "{raw}" AS SELECT {cols} FROM _opsai_sheet')
    finally:
        con.unregister("_opsai_sheet")
