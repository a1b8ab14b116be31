"""A sample of each data file in a folder, and the read options the loader needs for it.

Used by ``opsai init`` (:mod:`opsai.data.init`): every file (each sheet of a workbook) becomes
a :class:`Sample`, its values as text the way the loader first reads them, with the
:class:`~opsai.config.TableSpec` options (``sep``, ``encoding``, ``header``, ``skip_rows``,
``sheet``, ``decimal``/``thousands``) that read the whole file the same way. DuckDB's
``sniff_csv`` finds the delimiter, the header and the lines above it; the loader's own
helpers detect encodings and read workbooks.

Example:
    >>> samples = read_samples(Path("exports/orders.csv"))      # doctest: +SKIP
    >>> samples[0].options
    {'sep': ';', 'decimal': ',', 'thousands': '.'}
"""

from __future__ import annotations

import codecs
import csv
import gzip
import itertools
import re
import statistics
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from opsai.config import TableSpec
from opsai.data import _excel, _load

SAMPLE_ROWS = 2000
"""Rows read from each file to guess from."""
TEXT_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".dat", ".csv.gz", ".tsv.gz", ".txt.gz")
DATA_SUFFIXES = (*TEXT_SUFFIXES, *_excel.SUFFIXES, ".parquet", *_load.JSON_SUFFIXES)


@dataclass
class Sample:
    """The first rows of one file (or sheet) as text, and the options that read it."""

    path: Path
    sheet: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    """``TableSpec`` keys that differ from the loader's defaults for this file."""
    values: dict[str, list[str | None]] = field(default_factory=dict)
    """Column name -> its sampled values as text (None: empty)."""
    typed: bool = False
    """Parquet/JSON: values keep their stored types, so decimal marks are not an issue."""
    structs: dict[str, list[str]] = field(default_factory=dict)
    """Parquet/JSON: nested (struct) column name -> its field names (``params`` ->
    ``[session_id, level, ...]``); its values are objects, never an id, a time or a text."""
    fields: dict[str, list[str | None]] = field(default_factory=dict)
    """Parquet/JSON: each struct's plain fields (not objects or lists themselves) sampled as
    text under their dotted path (``properties.distinct_id``), scored like columns."""
    table: str | None = None
    """A table of a database (``path`` is the database file, or a stand-in for a URL)."""
    pattern: str | None = None
    """A glob naming every file of a partitioned folder (``events/**/*.parquet``), when the
    sample is one of them."""

    @property
    def label(self) -> str:
        if self.pattern:
            return self.pattern
        part = self.sheet or self.table
        return f"{self.path.name} [{part}]" if part else self.path.name

    @property
    def columns(self) -> list[str]:
        return list(self.values)

    @property
    def spec(self) -> TableSpec:
        return TableSpec(**{k: v for k, v in self.options.items() if k in TableSpec.model_fields})


def data_files(folder: Path) -> list[Path]:
    """The data files directly inside ``folder`` (hidden files and configs left out)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(DATA_SUFFIXES)
    )


def partitioned(folder: Path) -> list[tuple[str, Path]]:
    """Each sub-folder of ``folder`` holding its data in partition folders
    (``events/year=2024/month=01/part-0.parquet``, as Spark, Hive and pyarrow write them), all
    of one kind: a glob reading every file of it (``events/**/*.parquet``) and its first file."""
    out = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(
            p
            for p in sub.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(DATA_SUFFIXES)
        )
        kinds = {"".join(p.suffixes[-1:]).lower() for p in files}
        dirs = {d for p in files for d in p.relative_to(sub).parts[:-1]}
        if files and len(kinds) == 1 and dirs and all("=" in d for d in dirs):
            out.append((f"{sub.name}/**/*{kinds.pop()}", files[0]))
    return out


def nested_files(folder: Path) -> list[Path]:
    """The data files in ``folder``'s sub-folders (for a message when it has none itself)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(DATA_SUFFIXES)
    )


def read_samples(path: Path) -> list[Sample]:
    """One :class:`Sample` per table-like part of a file: each sheet of a workbook, else one.

    Raises:
        duckdb.Error, OSError, OpsaiError: the file cannot be read (the caller lists it as not
            placed, with the message).
    """
    name = path.name.lower()
    if name.endswith(_excel.SUFFIXES):
        return _excel_samples(path)
    if name.endswith((".parquet", *_load.JSON_SUFFIXES)):
        reader = "read_parquet" if name.endswith(".parquet") else "read_json_auto"
        src = path
        if reader != "read_parquet" and _load.python_literals(path):  # Python dicts: as JSON
            import tempfile

            tmp = Path(tempfile.mkdtemp(prefix="opsai-sniff-"))
            src = _load.json_lines_copy(path, tmp, limit=SAMPLE_ROWS)
        con = duckdb.connect()
        sql = f"SELECT * FROM {reader}({_load.lit(str(src))}) LIMIT {SAMPLE_ROWS}"
        options: dict[str, Any] = {}
        if (field := _records_field(con, sql)) is not None:  # {"data": [...]}: the records
            from opsai.data._files import rows_sql

            options["records"] = field
            con.execute(f"CREATE VIEW _whole AS SELECT * FROM {reader}({_load.lit(str(src))})")
            kinds = dict(
                con.execute("SELECT column_name, column_type FROM (DESCRIBE _whole)").fetchall()
            )
            lists = [field] if isinstance(field, str) else field
            parts = [rows_sql(con, "_whole", f, kinds[f], len(lists) > 1) for f in lists]
            union = " UNION ALL BY NAME ".join(f"({p})" for p in parts)
            sql = f"SELECT * FROM ({union}) LIMIT {SAMPLE_ROWS}"
        structs, fields = _struct_fields(con, sql)
        values = _text_columns(con, sql)
        con.close()
        if src is not path:  # the sample's JSON copy
            import shutil

            shutil.rmtree(src.parent, ignore_errors=True)
        return [
            Sample(path, options=options, values=values, typed=True, structs=structs, fields=fields)
        ]
    return [_csv_sample(path)]


def database_samples(source: str, path: Path | None) -> tuple[list[Sample], list[tuple[str, str]]]:
    """One :class:`Sample` per table (and view) of a database: a SQLite or DuckDB file at
    ``path``, else the Ibis URL ``source``; and the tables that could not be read, with why.

    SQLite keeps times as text, so its values are sampled untyped (formats are detected, as in a
    CSV); DuckDB and server databases keep their types.
    """
    from opsai.config import is_sqlite_file

    samples: list[Sample] = []
    failed: list[tuple[str, str]] = []
    stand_in = path or Path(source.split("://", 1)[0] + "-database")

    def read(tables: list[str], one: Any) -> None:
        for t in tables:
            try:
                samples.append(one(t))
            except Exception as e:  # a table that cannot be read is listed, not fatal
                failed.append((f"{stand_in.name} [{t}]", "cannot be read: " + str(e)[:160]))

    if path is not None and (
        path.suffix.lower() in (".sqlite", ".sqlite3") or is_sqlite_file(path)
    ):
        from opsai.data._sqlite import _connect, _tables

        db = _connect(path)
        try:

            def sqlite_one(t: str) -> Sample:
                cur = db.execute(f"SELECT * FROM {_load.q(t)} LIMIT {SAMPLE_ROWS}")
                names = [d[0] for d in cur.description]
                rows = cur.fetchall()
                text = {
                    c: [None if r[i] is None else str(r[i]) for r in rows]
                    for i, c in enumerate(names)
                }
                return Sample(path, values=text, table=t)

            read(_tables(db), sqlite_one)
        finally:
            db.close()
    elif path is not None:
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                    "ORDER BY table_name"
                ).fetchall()
            ]

            def duckdb_one(t: str) -> Sample:
                sql = f"SELECT * FROM {_load.q(t)} LIMIT {SAMPLE_ROWS}"
                structs, fields = _struct_fields(con, sql)
                return Sample(
                    path,
                    values=_text_columns(con, sql),
                    typed=True,
                    structs=structs,
                    fields=fields,
                    table=t,
                )

            read(tables, duckdb_one)
        finally:
            con.close()
    else:
        import ibis

        backend = ibis.connect(source)
        try:

            def url_one(t: str) -> Sample:
                frame = backend.table(t).limit(SAMPLE_ROWS).to_pandas()
                text = {
                    str(c): [None if v is None or v != v else str(v) for v in frame[c].tolist()]
                    for c in frame.columns
                }
                return Sample(stand_in, values=text, typed=True, table=t)

            read(sorted(backend.list_tables()), url_one)
        finally:
            backend.disconnect()
    return samples, failed


_NOT_PLAIN = ("struct", "list", "map", "array", "union")
MAX_FIELDS = 60
"""Nested fields sampled per file, at most (an event's properties can hold hundreds)."""


def _records_field(con: duckdb.DuckDBPyConnection, sql: str) -> str | list[str] | None:
    """The field of a JSON file that is a single object holding its rows in a list of objects
    (an API export: Intercom's ``{"type": ..., "data": [...], "pages": ...}``) or of arrays,
    as the loader's ``records`` reads it; several lists of rows of one shape (CLINC150's
    ``{"train": [[text, intent], ...], "val": [...], "oos_test": [...]}``) are all named;
    None for records one per line or in a top-level array."""
    from opsai.data._files import is_rows

    rel = con.sql(sql)
    if len(con.execute(f"SELECT 1 FROM ({sql}) LIMIT 2").fetchall()) != 1:
        return None
    kinds = {str(c): str(t) for c, t in zip(rel.columns, rel.types, strict=True)}
    lists = [c for c, t in kinds.items() if is_rows(t)]
    if len(lists) == 1:
        return lists[0]
    shapes = {kinds[c] for c in lists}
    if len(lists) > 1 and len(shapes) == 1 and len(lists) == len(kinds):
        return lists  # equally shaped lists and nothing else: one table, split in parts
    return None


def _struct_fields(
    con: duckdb.DuckDBPyConnection, sql: str
) -> tuple[dict[str, list[str]], dict[str, list[str | None]]]:
    """A query's struct columns (name -> field names) and their plain fields' values as text,
    keyed by dotted path (``properties.time``), one level deep."""
    rel = con.sql(sql)
    structs: dict[str, list[str]] = {}
    plain: list[tuple[str, str]] = []
    for c, t in zip(rel.columns, rel.types, strict=True):
        if t.id != "struct":
            continue
        structs[c] = [str(f) for f, _ in t.children]
        plain += [
            (c, str(f)) for f, ft in t.children if getattr(ft, "id", "struct") not in _NOT_PLAIN
        ]
    plain = plain[:MAX_FIELDS]
    if not plain:
        return structs, {}
    cols = ", ".join(
        f"CAST(struct_extract({_load.q(c)}, {_load.lit(f)}) AS VARCHAR)" for c, f in plain
    )
    rows = con.execute(f"SELECT {cols} FROM ({sql})").fetchall()
    return structs, {f"{c}.{f}": [r[i] for r in rows] for i, (c, f) in enumerate(plain)}


def _text_columns(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[str | None]]:
    """Each column of a query's rows as text (as the loader's all-VARCHAR read gives)."""
    rel = con.sql(sql)
    names = list(rel.columns)
    cols = ", ".join(f"CAST({_load.q(c)} AS VARCHAR)" for c in names)
    rows = con.execute(f"SELECT {cols} FROM ({sql})").fetchall()
    return {c: [r[i] for r in rows] for i, c in enumerate(names)}


def _head_text(path: Path, limit: int = 1 << 20) -> tuple[str, str]:
    """The first ``limit`` bytes of a (possibly gzipped) text file, decoded; and the encoding."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as f:
        raw: bytes = f.read(limit)
        more = bool(f.read(1))
    enc = _load.detect_encoding(raw) or "latin-1"
    text = codecs.getincrementaldecoder(enc)(errors="replace").decode(raw, final=not more)
    if more:  # the last line may be cut: leave it out
        text = text[: text.rfind("\n") + 1] or text
    return text, enc


def _csv_sample(path: Path) -> Sample:
    text, enc = _head_text(path)
    lines = text.splitlines(keepends=True)[: SAMPLE_ROWS + 50]
    options: dict[str, Any] = {} if enc == "utf-8" else {"encoding": enc}
    with tempfile.TemporaryDirectory(prefix="opsai-init-") as tmp:
        head = Path(tmp) / "head.csv"
        head.write_text("".join(lines), encoding="utf-8")
        con = duckdb.connect()
        src = _load.lit(str(head))
        row = con.execute(
            f"SELECT Delimiter, SkipRows, HasHeader FROM sniff_csv({src}, sample_size = -1)"
        ).fetchall()[0]
        sep, skip, header = str(row[0]), int(row[1]), bool(row[2])
        title = _title_lines(lines[skip:], sep)
        if title:  # 'Marktbericht DACH;;;;' above the header: the sniffer takes it as the header
            skip += title
            row = con.execute(
                f"SELECT HasHeader FROM sniff_csv({src}, sample_size = -1, skip = {skip}, "
                f"delim = {_load.lit(sep)})"
            ).fetchall()[0]
            header = bool(row[0])
        if not header and skip < len(lines) and year_header(_cells(lines[skip], sep)):
            header = True  # 'Company,2018,2019,...': the sniffer took the years for data
        if _whitespace_separated(lines[skip:], sep):
            options["sep"] = r"\s+"
            values = _whitespace_columns(lines[skip:], header)
        else:
            default = "\t" if path.name.lower().endswith((".tsv", ".tab", ".tsv.gz")) else ","
            if sep != default:
                options["sep"] = sep
            sql = (
                f"SELECT * FROM read_csv({src}, all_varchar = true, delim = {_load.lit(sep)}, "
                f"skip = {skip}, header = {str(header).lower()})"
            )
            values = _text_columns(con, sql)
    if skip:
        options["skip_rows"] = skip
    if not header:
        options["header"] = False
    options.update(number_format(values))
    return Sample(path, options=options, values=values)


def _title_lines(lines: list[str], sep: str) -> int:
    """Title lines above a CSV's header that the sniffer kept (a report title followed by
    empty fields, ``Marktbericht DACH;;;;``): :func:`header_row` on the first 30 lines, as for
    a workbook's sheets."""
    if len(sep) != 1:
        return 0
    rows = list(csv.reader(lines[:30], delimiter=sep))
    skip = header_row(rows) if len(rows) > 1 else 0
    # lines with at most half the header's cells filled are titles: a report title in the
    # first cell, or a spreadsheet's merged-cell group header ('Order details,,,,Customer,'
    # above 'Order #,Date,Qty,Total,Name,Email'); pandas' index header ',a,b' is no title: it
    # has an empty first cell and names after it
    if skip >= len(rows):
        return 0
    names = sum(bool(c.strip()) for c in rows[skip])
    titles = all(sum(bool(c.strip()) for c in r) <= names / 2 for r in rows[:skip])
    return skip if titles else 0


def _whitespace_separated(lines: list[str], sep: str) -> bool:
    """Columns aligned by runs of spaces (CDNOW_master.txt): the sniffer then finds one column
    or a single space, while splitting on whitespace gives the same width on every line."""
    body = [ln for ln in lines[:200] if ln.strip()]
    if sep not in (",", " ") or not body or (sep == "," and any("," in ln for ln in body)):
        return False
    widths = {len(ln.split()) for ln in body}
    runs = any("  " in ln.strip() or ln.startswith(" ") for ln in body)
    return len(widths) == 1 and widths.pop() > 1 and runs


def _whitespace_columns(lines: list[str], header: bool) -> dict[str, list[str | None]]:
    rows = [ln.split() for ln in lines if ln.strip()]
    names = rows[0] if header else [f"column{i}" for i in range(len(rows[0]))]
    body = rows[1:] if header else rows
    return {n: [r[i] if i < len(r) else None for r in body] for i, n in enumerate(names)}


_YEAR_HEAD = re.compile(r"(?:FY\s*)?((?:19|20)\d\d)\s*[FEPfep]?")
"""A year as a column name: ``2018``, ``FY2018``, a forecast's ``2025F`` or estimate's ``2025E``."""
_NUMBERISH = re.compile(r"[-+]?\d[\d.,\s]*%?")


def year_header(cells: list[str]) -> bool:
    """Whether a first line is a header of years beside text (Euromonitor's and Statista's
    ``Company,2018,2019,...``): at least two cells, consecutive years, and a text cell that is
    no number."""
    years = [int(m.group(1)) for c in cells if (m := _YEAR_HEAD.fullmatch(c.strip()))]
    text = [c for c in cells if c.strip() and not _YEAR_HEAD.fullmatch(c.strip())]
    if len(years) < 2 or not text or any(_NUMBERISH.fullmatch(c.strip()) for c in text):
        return False
    return all(b - a == 1 for a, b in itertools.pairwise(years))


def _cells(line: str, sep: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")], delimiter=sep), []) if len(sep) == 1 else []


def header_row(rows: list[list[Any]]) -> int:
    """Index of the header among a sheet's first rows: the first row with at least two filled
    cells and nearly as many as the widest row (a report title or blank lines come before)."""
    filled = [sum(v not in (None, "") for v in r) for r in rows[:30]]
    widest = max(filled, default=0)
    for i, n in enumerate(filled):
        if n >= 2 and n >= 0.8 * widest:
            return i
    return 0


def _excel_samples(path: Path) -> list[Sample]:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as wb:
        sheets = list(wb.sheet_names)
        heads = {s: wb.get_sheet_by_name(s).to_python(skip_empty_area=False)[:30] for s in sheets}
    out = []
    for sheet in sheets:
        if not any(any(v not in (None, "") for v in r) for r in heads[sheet]):
            continue  # an empty sheet
        skip = header_row(heads[sheet])
        options: dict[str, Any] = {"sheet": sheet} if len(sheets) > 1 else {}
        if skip:
            options["skip_rows"] = skip
        spec = TableSpec(sheet=sheet, skip_rows=skip)
        frame = _excel.read_frame(path, sheet, spec).head(SAMPLE_ROWS)
        values = {str(c): [None if v is None else str(v) for v in frame[c]] for c in frame.columns}
        options.update(number_format(values))
        out.append(Sample(path, sheet=sheet, options=options, values=values))
    return out


# ---- value shapes --------------------------------------------------------------------------
_EU = re.compile(r"-?\d{1,3}(\.\d{3})+,\d+|-?\d+,\d{1,2}")
"""'1.234,50', '12,00': a comma decimal mark."""
_US_GROUPS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")
_EU_GROUPS = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")


_LETTER_MONEY = "|".join(re.escape(x) for x in _load.LETTER_MONEY) + "|[A-Z]{3}"
_LETTERS_AROUND = re.compile(
    rf"^\s*(?:{_LETTER_MONEY})\s*(?=[-+]?\d)|(?<=\d)\s*(?:{_LETTER_MONEY})\s*$"
)


def strip_money(v: str) -> str:
    """A value without spaces and currency symbols ('¥1,234.50' gives '1,234.50'), also one
    written in letters ('1 299,00 kr', 'SEK 1 299')."""
    v = _LETTERS_AROUND.sub("", v)
    return "".join(ch for ch in v if not ch.isspace() and unicodedata.category(ch) != "Sc").lstrip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    )


def number_format(values: dict[str, list[str | None]]) -> dict[str, str]:
    """``decimal``/``thousands`` options when numbers are written '1.234,50' or '1,234.50'.

    Votes over every value that looks like a number with separators: a comma followed by one
    or two digits (or after dot groups) is a decimal comma; comma groups of three are US
    thousands. Nothing is returned for plain numbers.
    """
    eu = us = eu_groups = 0
    for col in values.values():
        for v in col[:500]:
            s = strip_money(v or "").removesuffix("%")
            if not s or not s[-1].isdigit():
                continue
            if _EU.fullmatch(s):
                eu += 1
                eu_groups += "." in s
            elif _US_GROUPS.fullmatch(s):
                us += 1
    if eu > us:
        return {"decimal": ",", "thousands": "."} if eu_groups else {"decimal": ","}
    return {"thousands": ","} if us else {}


def numeric_share(values: list[str], options: dict[str, Any]) -> float:
    """Share of non-empty values that read as numbers with the file's decimal/thousands."""
    thousands, decimal = options.get("thousands"), options.get("decimal", ".")
    ok = 0
    for v in values:
        s = strip_money(v).removesuffix("%")  # '29,3 %' is a number (0.293)
        if thousands:
            s = s.replace(thousands, "")
        if decimal != ".":
            s = s.replace(decimal, ".")
        try:
            float(s)
        except ValueError:
            continue
        ok += 1
    return ok / len(values) if values else 0.0


_FORMATS = ("%Y%m%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%Y年%m月%d日", "%d-%m-%Y")
_TIMES = ("", " %H:%M", " %H:%M:%S")
MONTHS = ("%m.%Y", "%m/%Y", "%Y-%m", "%Y/%m")
"""Months without a day, as monthly reports write them ('01.2021')."""
_WORDED = ("%a %b %d %H:%M:%S %z %Y", "%a, %d %b %Y %H:%M:%S %z")
"""Times with English day and month names: Twitter's ``Tue Oct 31 22:10:47 +0000 2017``, an
e-mail's (RFC 2822) ``Tue, 31 Oct 2017 22:10:47 +0000``."""


def timestamp_format(values: list[str], *, search: bool = True) -> tuple[float, str | None]:
    """How many values parse as timestamps (share), and the ``timestamp_format`` they need.

    ``None`` when DuckDB reads them as they are (ISO dates, with or without a UTC offset);
    else (with ``search``) the strptime format, or ``epoch``/``epoch_ms``, that parses the
    most of them.
    """
    if not any(c.isdigit() for c in "".join(values)):  # every format reads digits
        return 0.0, None
    zoned = f"TRY_CAST({_load.attach_offset('v')} AS TIMESTAMPTZ)"  # as the loader reads them
    native = f"coalesce(TRY_CAST(v AS TIMESTAMP), CAST({zoned} AS TIMESTAMP))"
    # a bare number is not a native timestamp (DuckDB would read '2024' as a year)
    tests = [f"NOT regexp_full_match(v, '\\d+(\\.\\d+)?') AND {native} IS NOT NULL"]
    formats = [d + t for d in _FORMATS for t in _TIMES] + [*MONTHS, *_WORDED] if search else []
    seen = set("".join(values))  # a format whose separators no value holds reads none of them
    formats = [f for f in formats if set(re.sub("%.", "", f)) - {" "} <= seen]
    tests += [f"try_strptime(v, {_load.lit(f)}) IS NOT NULL" for f in formats]
    counts = ", ".join(f"count(*) FILTER (WHERE {t})" for t in tests)
    sql = f"SELECT count(*), {counts} FROM (SELECT trim(unnest($1)) AS v)"
    n, *ok = _load.scratch().execute(sql, [values]).fetchall()[0]
    shares = [k / n for k in ok]
    if shares[0] >= 0.9 or not search:
        return shares[0], None
    if all(re.fullmatch(r"\d{9,13}(\.\d+)?", v) for v in values):  # Unix times, 1990-2040
        low, high = min(map(float, values)), max(map(float, values))
        for unit, k in (("epoch", 1), ("epoch_ms", 1000)):
            if 631_152_000 * k <= low and high <= 2_208_988_800 * k:
                return 1.0, unit
    i = max(range(len(shares)), key=lambda j: shares[j])  # the first of equals: shortest format
    if shares[i] < 0.9 and (labelled := _labelled_dates(values)) is not None:
        return labelled
    return shares[i], (None if i == 0 else formats[i - 1])


_LABELLED = re.compile(
    r"(.*?\D)(\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{4}[/.-]\d{1,2}[/.-]\d{1,2})"
)
"""A date behind a label: Nielsen's and IRI's ``1 w/e 01/06/24`` (one week ending 6 January
2024), ``Week Ending 2024-01-06``."""
_SHORT_YEARS = ("%m/%d/%y", "%d/%m/%y", "%d.%m.%y")


def _labelled_dates(values: list[str]) -> tuple[float, str] | None:
    """The share and format of dates that all carry the same label in front (``1 w/e
    %m/%d/%y``), the label kept as literal text of the format; None when the values differ
    in their label or hold no date behind one."""
    found = [_LABELLED.fullmatch(v.strip()) for v in values if v.strip()]
    if not found or not all(found):
        return None
    labels = {m.group(1) for m in found if m}
    label = labels.pop()
    if labels or not re.search(r"[^\W\d_]", label):  # one label, with a letter in it
        return None
    dates = [m.group(2) for m in found if m]
    short = all(re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", d) for d in dates)
    formats = _SHORT_YEARS if short else ("%Y-%m-%d", *_FORMATS)
    tests = ", ".join(
        f"count(*) FILTER (WHERE try_strptime(v, {_load.lit(f)}) IS NOT NULL)" for f in formats
    )
    sql = f"SELECT count(*), {tests} FROM (SELECT trim(unnest($1)) AS v)"
    n, *ok = _load.scratch().execute(sql, [dates]).fetchall()[0]
    i = max(range(len(ok)), key=lambda j: ok[j])
    if not ok[i]:
        return None
    return ok[i] / n, label.replace("%", "%%") + formats[i]


def day_month_swap(fmt: str) -> str | None:
    """The format with day and month swapped (``%d/%m/%Y`` <-> ``%m/%d/%Y``), if it has both."""
    if "%d" not in fmt or "%m" not in fmt:
        return None
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def ambiguous_day_month(values: list[str], fmt: str | None) -> bool:
    """Whether ``fmt`` and its day/month swap parse the same share of ``values`` (every day in
    the sample is 12 or less), so which one is right cannot be told from the data."""
    other = day_month_swap(fmt) if fmt else None
    if not other or not values:
        return False
    sql = (
        "SELECT count(*) FILTER (WHERE try_strptime(v, $2) IS NOT NULL), "
        "count(*) FILTER (WHERE try_strptime(v, $3) IS NOT NULL) FROM (SELECT trim(unnest($1)) AS v)"
    )
    a, b = _load.scratch().execute(sql, [values, fmt, other]).fetchall()[0]
    return bool(a) and a == b


def parsed_share(values: list[str], fmt: str) -> float:
    """The share of ``values`` that ``fmt`` parses (strptime, after trimming)."""
    if not values:
        return 0.0
    sql = (
        "SELECT count(*) FILTER (WHERE try_strptime(v, $2) IS NOT NULL) / count(*) "
        "FROM (SELECT trim(unnest($1)) AS v)"
    )
    row = _load.scratch().execute(sql, [values, fmt]).fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


def mean_length(values: list[str]) -> float:
    return statistics.fmean(len(v) for v in values) if values else 0.0
