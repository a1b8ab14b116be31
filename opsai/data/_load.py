"""Reading a user's files into typed contract tables inside an in-process DuckDB.

Everything is read as text first (ids keep their leading zeros), then cast per the contract
with ``TRY_CAST``/``try_strptime`` so that a value that does not parse is counted and shown
in a :class:`~opsai.errors.SchemaError` instead of crashing with an engine traceback.
"""

from __future__ import annotations

import codecs
import functools
import glob
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from opsai.config import TableSpec
from opsai.data import _excel
from opsai.data.schema import FLAG_FALSE, FLAG_TRUE, Column
from opsai.data.years import YEARS, year_dates
from opsai.errors import SchemaError

EPOCH_UNITS = {
    "epoch": 1_000_000,
    "epoch_s": 1_000_000,
    "epoch_ms": 1_000,
    "epoch_us": 1,
    "epoch_ns": 0.001,
}
"""``timestamp_format`` values for numeric Unix times, and their factor to microseconds."""
EPOCH_DIGITS = {"epoch": (9, 10), "epoch_ms": (12, 13), "epoch_us": (15, 16), "epoch_ns": (18, 19)}
"""The digits of a Unix time since about 1973 (until 2286) in each unit."""
SINCE_RE = re.compile(
    r"^\s*(seconds|minutes|hours|days|weeks)\s+since\s+"
    r"(\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?)\s*$",
    re.IGNORECASE,
)
"""``timestamp_format`` of numbers counting units from an origin: ``'days since 2023-01-01'``
(a day number, 0 on the origin), ``'minutes since 2011-01-01'`` (Keepa's time),
``'days since 1899-12-30'`` (a spreadsheet's serial dates)."""
_SINCE_MICROS = {
    "seconds": 1_000_000,
    "minutes": 60_000_000,
    "hours": 3_600_000_000,
    "days": 86_400_000_000,
    "weeks": 604_800_000_000,
}


def since(fmt: str | None) -> tuple[int, str, bool] | None:
    """``(microseconds per unit, origin, whether the values are dates)`` of a ``'<unit> since
    <origin>'`` format, else ``None``. Whole days or weeks from a midnight origin are calendar
    dates (they keep their day, like any date); smaller units are times of day."""
    m = SINCE_RE.match(fmt or "")
    if not m:
        return None
    unit, origin = m.group(1).lower(), m.group(2).replace("T", " ")
    dates = unit in ("days", "weeks") and origin[10:].strip("0: ") == ""
    return _SINCE_MICROS[unit], origin, dates


_EPOCH_WORDS = {
    "epoch": "Unix seconds",
    "epoch_ms": "Unix milliseconds",
    "epoch_us": "Unix microseconds",
    "epoch_ns": "Unix nanoseconds",
}
_NATIVE_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "latin-1", "latin1", "iso-8859-1"}
OFFSET_RE = r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|UTC|[+-]\d{2}(:?\d{2})?)$"
SPACED_OFFSET_RE = r"\s+([+-]\d{2}(:?\d{2})?)$"
"""A numeric UTC offset after a space, as the end of a timestamp with a time of day."""
_CURRENCY_RE = r"\s*(?:[A-Z]{1,3})?\p{Sc}\s*"
"""A currency symbol written with a number ('¥1,234.50', '12,00 €', 'NT$ 1,200'), with an
optional code letters before it; dropped before a number is parsed."""
LETTER_MONEY = ("kr", "kr.", "Kr", "Kr.", "kn", "zł", "Kč", "Fr.", "CHF", "Ft", "lei", "RM", "Rp",
                "Rs", "Rs.", "R", "TL")  # fmt: skip
"""Currencies written in letters (Nordic ``kr``, Polish ``zł``, Czech ``Kč``, Swiss ``Fr.``,
Hungarian ``Ft``, ...); any ISO code (``SEK``, ``NOK``, ``DKK``) is one too."""
_LETTERS = "|".join(re.escape(x) for x in LETTER_MONEY) + "|[A-Z]{3}"
_SP = r"[\s\x{00A0}\x{202F}]*"
LETTER_BEFORE_RE = rf"^{_SP}(?:{_LETTERS}){_SP}([-+]?[0-9])"
"""A currency in letters before the number ('SEK 1 299'): the number kept (group 1 on)."""
LETTER_AFTER_RE = rf"([0-9]){_SP}(?:{_LETTERS}){_SP}$"
"""A currency in letters after the number ('1 299,00 kr', '12,50 zł')."""
_SPACE_GROUP_RE = r"([0-9])[\s\x{00A0}\x{202F}]([0-9]{3})"
"""Digits grouped in thousands by a space or a no-break space ('1 299,00'): a space is never
a decimal mark, so it is dropped (group 1 and 2 kept)."""
_SYMBOL_RE = r"\p{Sc}"
_GROUPED_RE = r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$"
"""A number grouped in thousands by commas ('1,234.50', '-12,345'): with a currency symbol
it is money written the English way (a European '12,00 €' has two digits after its comma)."""
SCALES = {"K": 1e3, "k": 1e3, "M": 1e6, "Mio": 1e6, "B": 1e9, "Mrd": 1e9, "万": 1e4, "亿": 1e8}
"""Abbreviated counts and their multipliers: a social-listening or video export's reach
``12.3K`` and ``1.2M`` (byod12b D2), German ``1,5 Mio``, Chinese ``3.2万``. A lower-case ``m``
(metres, minutes) is no multiplier."""
_SCALED_RE = r"^([+-]?[0-9]+(?:[.,][0-9]+)?)[\s\x{00A0}]*(" + "|".join(SCALES) + r")\.?$"
_AT_LEAST_RE = r"([0-9])[\s\x{00A0}]*\+$"
"""A count written as its lower bound ('10,000+', '500 +': Google Play's installs, byod13b
D3): read as its number."""
_PERCENT_RE = r"[\s\x{00A0}\x{202F}]*%$"
"""A percent sign after a number ('29,3 %', with a space or a no-break space before it): the
number is divided by 100."""


def q(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


_SCRATCH = threading.local()


def scratch() -> duckdb.DuckDBPyConnection:
    """This thread's in-memory DuckDB connection for small questions asked of sampled values
    (does this format parse them?): init asks hundreds of them, and a new connection costs
    about 40 ms each time. Nothing is created in it, so one connection serves them all."""
    con = getattr(_SCRATCH, "con", None)
    if con is None:
        con = _SCRATCH.con = duckdb.connect()
    return con


def lit(value: str) -> str:
    """Quote an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


TOTALS_LABEL = re.compile(r"^\s*(?:grand\s+)?totals?\b|^\s*(?:合计|总计|合計|総計)", re.IGNORECASE)
"""A totals row's label where a value belongs: a Google Ads report's ``Total: Account``
footer in its Day column, a pivot's ``Grand Total``, ``合计``."""


def totals_where(column: str, values: Iterable[Any]) -> str | None:
    """The ``where`` leaving out the rows whose ``column`` holds a totals label (``Total:
    Account``) among its ``values``, or None when none does: ``Day NOT LIKE 'Total%'`` when
    the labels share a first word, else ``NOT IN`` the labels (byod12b D11).

    >>> totals_where("Day", ["2024-06-30", "Total: Account"])
    "Day NOT LIKE 'Total%'"
    >>> print(totals_where("Conv. date", ["合计"]))
    "Conv. date" NOT IN ('合计')
    >>> totals_where("Day", ["2024-06-30"]) is None
    True
    """
    labels = sorted({str(v).strip() for v in values if v and TOTALS_LABEL.match(str(v))})
    if not labels:
        return None
    name = column if re.fullmatch(r"[^\W\d]\w*", column) else q(column)
    words = {x.split()[0].rstrip(":") for x in labels}
    if len(words) == 1 and next(iter(words)).isascii():
        return f"{name} NOT LIKE {lit(next(iter(words)) + '%')}"
    return f"{name} NOT IN ({', '.join(lit(x) for x in labels)})"


def _key(table: str, field: str) -> str:
    return f"data.tables.{table}.{field}"


def resolve_file(base: Path, table: str, spec: TableSpec) -> list[Path]:
    """The file(s) of a table inside a source folder."""
    if spec.file:
        pattern = spec.file if Path(spec.file).is_absolute() else str(base / spec.file)
        matched = [Path(p) for p in glob.glob(pattern, recursive=True)]
        found = sorted(p for p in matched if p.is_file())
        if not found and matched:
            raise SchemaError(
                f"{table}: {pattern} is a folder, not a file. Name its files with a glob in "
                f"config: {_key(table, 'file')}: {spec.file.rstrip('/')}/**/*.parquet (or .csv)"
            )
        if not found:
            raise SchemaError(
                f"{table}: file {pattern} not found (folder has: {_listing(base)}). "
                f"Fix the file name in config: {_key(table, 'file')}"
            )
        return found
    for suffix in (".csv", ".parquet", ".csv.gz", ".tsv", ".json", ".jsonl", ".xlsx"):
        p = base / f"{table}{suffix}"
        if p.exists():
            return [p]
    raise SchemaError(
        f"{table}: no file {table}.csv, .parquet or .xlsx in {base} (folder has: "
        f"{_listing(base)}). Name the file in config: {_key(table, 'file')}"
    )


def _listing(base: Path) -> str:
    if not base.is_dir():
        return "nothing, the folder does not exist"
    names = sorted(p.name for p in base.iterdir())[:12]
    return ", ".join(names) or "nothing"


JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
"""JSON files, gzipped ones too (the Amazon review dumps' ``reviews_Electronics_5.json.gz``):
DuckDB reads both."""


def python_literals(path: Path) -> bool:
    """Whether a (possibly gzipped) file's first line is a Python dict literal, not JSON (the
    2014 Amazon meta dumps: ``{'asin': 'B00...', 'categories': [['Electronics']]}``)."""
    import ast
    import gzip
    import json

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            line = fh.readline(1 << 20).strip()
    except OSError:
        return False
    try:
        json.loads(line)
        return False
    except ValueError:
        pass
    try:
        return isinstance(ast.literal_eval(line), dict)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False


def json_lines_copy(path: Path, tmp: Path, *, limit: int | None = None) -> Path:
    """A JSON-lines copy in ``tmp`` of a file of Python dict literals (the first ``limit``
    lines, or all), each line read with :func:`ast.literal_eval`: what DuckDB then reads."""
    import ast
    import gzip
    import json

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    out = tmp / f"{path.name.split('.')[0]}.literals.jsonl"
    with (
        opener(path, "rt", encoding="utf-8", errors="replace") as src,
        out.open("w", encoding="utf-8") as dst,
    ):
        for n, line in enumerate(src, start=1):
            if limit is not None and n > limit:
                break
            if not line.strip():
                continue
            try:
                row = ast.literal_eval(line.strip())
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                raise SchemaError(
                    f"{path.name}: line {n} is neither JSON nor a Python dict literal: export "
                    "it again, or remove that line"
                ) from None
            dst.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    return out


PYTHON_LITERALS = (
    "its lines are Python dicts ({{'asin': ...}}, single quotes), not JSON: convert each line "
    "with ast.literal_eval + json.dumps to {stem}.jsonl"
)
"""How a file of Python dict literals is named (``{name}``, ``{stem}``: the file's)."""


def literals_message(path: Path) -> str:
    """What to do with a file of Python dict literals."""
    stem = path.name.split(".")[0]
    return PYTHON_LITERALS.format(name=path.name, stem=stem)


def file_format(paths: list[Path], spec: TableSpec) -> str:
    if spec.format:
        return spec.format
    name = paths[0].name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(JSON_SUFFIXES):
        return "json"
    if name.endswith(_excel.SUFFIXES):
        return "excel"
    return "csv"


def is_text(fmt: str) -> bool:
    """Formats read as text (every column VARCHAR) into a table, so types are inferred."""
    return fmt in ("csv", "excel")


def _transcode(path: Path, encoding: str, table: str, tmp: Path) -> Path:
    """Copy a file in a non-native encoding to UTF-8 (DuckDB reads only a few natively)."""
    out = tmp / f"{table}-{path.name}.utf8"
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with path.open("rb") as src, out.open("w", encoding="utf-8", newline="") as dst:
            while chunk := src.read(1 << 20):
                dst.write(dec.decode(chunk))
            dst.write(dec.decode(b"", final=True))
    except UnicodeDecodeError as e:
        raise SchemaError(
            f"{table}: {path.name} is not valid {encoding} ({e.reason} at byte {e.start}). "
            f"Set the file's real encoding in config: {_key(table, 'encoding')}"
        ) from None
    return out


def read_raw(
    con: duckdb.DuckDBPyConnection, table: str, paths: list[Path], spec: TableSpec, tmp: Path
) -> str:
    """Create ``raw_<table>`` from the files (a table for CSV, a view otherwise); returns its name."""
    for p in paths:
        if p.stat().st_size == 0:
            raise SchemaError(
                f"{table}: {p} is empty (0 bytes). Export the data again, or remove "
                f"data.tables.{table} from the config to run without it"
            )
    fmt = file_format(paths, spec)
    raw = f"raw_{table}"
    enc = spec.encoding.lower().replace("_", "-")
    if fmt == "csv" and enc not in _NATIVE_ENCODINGS:
        paths = [_transcode(p, spec.encoding, table, tmp) for p in paths]
        enc = "utf-8"
    if fmt == "json":  # the 2014 Amazon meta dumps: Python dicts, one per line
        paths = [json_lines_copy(p, tmp) if python_literals(p) else p for p in paths]
    files = "[" + ", ".join(lit(str(p)) for p in paths) + "]"
    if fmt == "csv" and spec.sep == r"\s+":  # runs of spaces, as in CDNOW_master.txt
        sql = _whitespace_csv(files, spec.skip_rows)
    elif fmt == "csv":
        sep = spec.sep or ("\t" if paths[0].name.lower().endswith((".tsv", ".tab")) else ",")
        sep = "\t" if sep in ("\\t", "tab") else sep  # a literal backslash-t in YAML
        opts = [
            "all_varchar = true",
            f"skip = {spec.skip_rows}",
            f"header = {str(spec.header).lower()}",
            f"encoding = {lit('latin-1' if enc in ('latin1', 'iso-8859-1') else enc)}",
            f"delim = {lit(sep)}",
            "comment = ''",  # DuckDB may sniff '#' as one: Shopify's order names ('#1001')
        ]
        sql = f"SELECT * FROM read_csv({files}, {', '.join(opts)})"
    elif fmt == "excel":
        sql = ""
    elif fmt == "parquet":
        sql = f"SELECT * FROM read_parquet({files})"
    else:
        sql = f"SELECT * FROM read_json_auto({files})"
    try:
        # Text (CSV, workbooks) is parsed once into a table; typed Parquet/JSON is scanned in place.
        if fmt == "excel":
            _excel.read_raw(con, table, raw, paths, spec)
        else:
            kind = "TABLE" if fmt == "csv" else "VIEW"
            con.execute(f"CREATE OR REPLACE TEMP {kind} {q(raw)} AS {sql}")
        if fmt == "csv" and spec.sep == r"\s+":
            expand_whitespace(con, raw, spec.header)
    except duckdb.Error as e:
        bad = next((m for p in paths if fmt == "csv" and (m := _not_utf8(p, enc))), None)
        if bad:
            raise SchemaError(
                f"{table}: {bad}: the file is not UTF-8. Set its encoding in config: "
                f"{_key(table, 'encoding')} ({_guess_encoding(paths[0])})"
            ) from None
        msg = " ".join(str(e).split()).split(" LINE 1:")[0][:200].rstrip(". ")  # not our SQL
        ragged = _ragged_line(paths[0], spec) if fmt == "csv" else None
        if ragged:
            msg = ragged
        hint = f"check {_key(table, 'sep')} and {_key(table, 'encoding')}"
        if ragged and "skip_rows" in ragged:
            hint = f"set {_key(table, 'skip_rows')} to the number of lines above the header"
        line = _bad_json_line(paths[0]) if fmt == "json" else None
        if line:  # DuckDB's own line number is off by one
            msg = f"line {line} is not complete JSON (an export cut off while downloading?)"
            hint = "export it again, or remove that line"
        elif fmt == "json" and python_literals(paths[0]):
            msg, hint = "it is not JSON", literals_message(paths[0])
        raise SchemaError(
            f"{table}: cannot read {paths[0].name} as {fmt}: {msg}. Fix: {hint}"
        ) from None
    return raw


def _bad_json_line(path: Path) -> int | None:
    """The first line of a JSON-lines file that is not JSON by itself (DuckDB's own line
    number is off by one), or ``None`` when the file is not JSON lines (one document spread
    over lines) or every line parses."""
    import json

    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            first = True
            for n, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    json.loads(text)
                except ValueError:
                    return None if first else n
                first = False
    except OSError:
        return None
    return None


def _ragged_line(path: Path, spec: TableSpec) -> str | None:
    """The first line (of the first 100,000) whose field count differs from the header's."""
    import csv
    import itertools

    sep = spec.sep or ","
    if sep in (r"\s+", " ") or len(sep) != 1:
        return None
    try:
        with path.open(encoding=spec.encoding, newline="") as f:
            lines = itertools.islice(f, spec.skip_rows, spec.skip_rows + 100_000)
            rows = csv.reader(lines, delimiter=sep)
            width = len(next(rows, []))
            for i, row in enumerate(rows, start=spec.skip_rows + 2):
                if row and len(row) != width:
                    title = " (is it a title above the table? set skip_rows)" if width == 1 else ""
                    return f"line {i} has {len(row)} fields but the header has {width}{title}"
    except (UnicodeDecodeError, csv.Error):
        return None
    return None


def _not_utf8(path: Path, enc: str) -> str | None:
    """Where a file declared UTF-8 is not, or None."""
    if enc not in ("utf-8", "utf8"):
        return None
    dec = codecs.getincrementaldecoder("utf-8")(errors="strict")
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            try:
                dec.decode(chunk)
            except UnicodeDecodeError as e:
                return f"{path.name} byte {offset + e.start} ({e.reason})"
            offset += len(chunk)
    return None


GUESSED_ENCODINGS = ("gb18030", "big5", "shift_jis", "cp1252")
"""Encodings weighed, in this order of preference, for a file that is not UTF-8."""
_ENCODING_WORDS = {
    "gb18030": "Chinese GBK",
    "big5": "Traditional Chinese Big5",
    "shift_jis": "Japanese Shift-JIS",
    "cp1252": "Western European Windows-1252",
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _is_cjk(ch: str) -> bool:
    """Han, kana, Hangul, CJK punctuation and full-width forms."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF01 <= o <= 0xFF60
        or 0xFFE0 <= o <= 0xFFE6
        or 0x20000 <= o <= 0x2FFFF
    )


@functools.lru_cache(maxsize=65536)
def _plausible(ch: str, enc: str) -> bool:
    """Whether one decoded character is a common one of ``enc``'s script: a CJK character of
    the codec's basic set (GB2312 for gb18030, Big5's frequent characters, JIS level 1), or for
    cp1252 a Latin letter, digit, symbol or punctuation mark."""
    if enc == "cp1252":
        cat = unicodedata.category(ch)
        return "LATIN" in unicodedata.name(ch, "") or (cat[0] in "SPNZ" and cat != "Co")
    if ch.isspace():
        return True
    if not _is_cjk(ch):
        return False
    kana = 0x3040 <= ord(ch) <= 0x30FF
    try:
        if enc == "gb18030":  # Chinese files hold GB2312's characters, but no kana
            return not kana and len(ch.encode("gb2312")) == 2
        b = ch.encode(enc)
    except UnicodeEncodeError:
        return False
    if enc == "big5":  # symbols and the 5,401 frequent characters (lead bytes A1-C6)
        return len(b) == 2 and 0xA1 <= b[0] <= 0xC6 and not kana
    return len(b) == 2 and 0x81 <= b[0] <= 0x98  # shift_jis: symbols, kana, level-1 kanji


def _suspect(text: str, enc: str) -> tuple[int, int]:
    """(characters unlikely in a file really in ``enc``, non-ASCII characters) of a decoding.

    Western text read as a CJK codec pairs an accented letter's byte with the next letter's
    into one ideograph wedged inside a Latin word ('M黮ler' for 'Müller') or yields rare
    characters; CJK text read as cp1252 gives runs of accented letters and symbols ('¿Í»§').
    """
    bad = total = 0
    for m in _NON_ASCII.finditer(text):
        if total >= 5000:  # enough to judge (a 1 MB sample of Chinese holds 400,000)
            break
        run = m.group()
        total += len(run)
        if enc == "cp1252":  # 'ü', 'ß', 'öß' in a word; 3 or more in a row are not Western
            if len(run) > 2 or (len(run) == 2 and not run.isalpha()):
                bad += len(run)
            else:
                bad += sum(not _plausible(c, enc) for c in run)
            continue
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if len(run) == 1 and (before + after).isascii() and (before + after).isalpha():
            bad += 1  # one ideograph between two Latin letters
        else:
            bad += sum(not _plausible(c, enc) for c in run)
    return bad, total


def encoding_scores(sample: bytes) -> dict[str, tuple[int, int]]:
    """(suspect, non-ASCII) characters of each of :data:`GUESSED_ENCODINGS` that decodes
    ``sample``."""
    out: dict[str, tuple[int, int]] = {}
    for enc in GUESSED_ENCODINGS:
        try:
            text = codecs.getincrementaldecoder(enc)(errors="strict").decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        out[enc] = _suspect(text, enc)
    return out


def detect_encoding(sample: bytes) -> str | None:
    """UTF-8 if ``sample`` (the start of a file: a character cut at its end is not an error)
    is UTF-8; else the one of :data:`GUESSED_ENCODINGS` whose decoding has the smallest share
    of unlikely characters (the earlier on a tie); None when none decodes it.

    gb18030 decodes almost any bytes, so the first codec that decodes is not the answer: a
    cp1252 'Müller & Söhne KG' reads 'M黮ler & S鰄ne KG' in it."""
    try:
        codecs.getincrementaldecoder("utf-8")(errors="strict").decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    scores = encoding_scores(sample)
    if not scores:
        return None

    def rank(enc: str) -> tuple[float, int]:
        bad, total = scores[enc]
        return (bad / total if total else 0.0, GUESSED_ENCODINGS.index(enc))

    return min(scores, key=rank)


def _guess_encoding(path: Path) -> str:
    with path.open("rb") as f:
        enc = detect_encoding(f.read(1 << 16))
    if enc and enc != "utf-8":
        return f"it reads best as {enc}, i.e. {_ENCODING_WORDS[enc]}"
    return "e.g. gbk, latin-1"


def _whitespace_csv(files: str, skip: int = 0) -> str:
    """Each non-blank line (after the first ``skip``) split on runs of whitespace into one
    list column ``f``."""
    src = (
        f"read_csv({files}, columns = {{'line': 'VARCHAR'}}, delim = '\\x1f', header = false, "
        f"quote = '', escape = '', skip = {int(skip)})"
    )
    return f"SELECT string_split_regex(trim(line), '\\s+') AS f FROM {src} WHERE trim(line) <> ''"


def expand_whitespace(con: duckdb.DuckDBPyConnection, raw: str, header: bool) -> None:
    """Turn the single list column of a whitespace file into columns ``column0..``."""
    n = con.execute(f"SELECT max(len(f)) FROM {q(raw)}").fetchall()[0][0] or 0
    if header:
        names = con.execute(f"SELECT f FROM {q(raw)} LIMIT 1").fetchall()[0][0]
    else:
        names = [f"column{i}" for i in range(n)]
    cols = ", ".join(f"f[{i + 1}] AS {q(str(names[i]))}" for i in range(n))
    skip = "OFFSET 1" if header else ""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {q(raw)} AS SELECT {cols} FROM {q(raw)} {skip}")


def describe(con: duckdb.DuckDBPyConnection, rel: str) -> dict[str, str]:
    rows = con.execute(f"DESCRIBE {q(rel)}").fetchall()
    return {r[0]: str(r[1]).upper() for r in rows}


def _na(expr: str, spec: TableSpec) -> str:
    if not spec.na_values:
        return expr
    values = ", ".join(lit(v) for v in spec.na_values)
    return f"CASE WHEN CAST({expr} AS VARCHAR) IN ({values}) THEN NULL ELSE {expr} END"


ISO_MONTH_RE = r"\d{4}-\d{1,2}"
"""An ISO 8601 year and month (``2023-01``, Google Trends' monthly ``Month``): read without a
``timestamp_format`` as the month's first day."""


def has_time(fmt: str) -> bool:
    """Whether a strptime format reads a time of day (not only a calendar date)."""
    return re.search(r"%[HIklMSpfXcTRr]", fmt) is not None


def _ts_expr(src: str, raw_type: str, spec: TableSpec, zone: str | None = None) -> str:
    """SQL for a naive TIMESTAMP from one source column: the wall-clock time in the business's
    zone ``zone`` (``data.timezone``; UTC without one).

    Values without an offset are written in the table's ``timezone``, else in ``zone``.
    ``timezone`` shifts times of day only: a date without a time stays on its calendar day
    (an order of 2024-01-01 in Berlin is not one of 2023-12-31 at 23:00). With it, a
    ``TIMESTAMP WITH TIME ZONE`` (or text with a UTC offset) at midnight in that zone is such a
    date too (a database's daily sales stored as timestamps).
    """
    if raw_type.startswith("TIMESTAMP WITH TIME ZONE"):
        return _from_zoned(src, spec, zone)
    numeric_format = spec.timestamp_format in EPOCH_UNITS or since(spec.timestamp_format)
    if raw_type.startswith(("TIMESTAMP", "DATE")) and not numeric_format:
        naive = f"CAST({src} AS TIMESTAMP)"
        return _local(naive, spec, zone) if raw_type.startswith("TIMESTAMP") else naive
    s = f"trim(CAST({src} AS VARCHAR))"
    if counted := since(spec.timestamp_format):
        per_unit, origin, dates = counted
        steps = f"CAST(round(TRY_CAST({s} AS DOUBLE) * {per_unit}) AS BIGINT)"
        naive = f"(CAST({lit(origin)} AS TIMESTAMP) + to_microseconds({steps}))"
        return naive if dates else _local(naive, spec, zone)
    if spec.timestamp_format == "epoch_ns":  # 19 digits: exact as an integer, not as a double
        utc = f"make_timestamp(TRY_CAST(TRY_CAST({s} AS HUGEINT) // 1000 AS BIGINT))"
        return wall_time(f"timezone('UTC', {utc})", zone)
    if spec.timestamp_format in EPOCH_UNITS:
        micros = (
            f"TRY_CAST(TRY_CAST({s} AS DOUBLE) * {EPOCH_UNITS[spec.timestamp_format]} AS BIGINT)"
        )
        return wall_time(f"timezone('UTC', make_timestamp({micros}))", zone)
    fmt = spec.timestamp_format
    if fmt:
        text = s
        if "." not in fmt:  # 2018.0, a spreadsheet's number, is the year 2018 for '%Y'
            s = f"regexp_replace({s}, '^(\\d+)\\.0+$', '\\1')"
        parsed = f"try_strptime({s}, {lit(fmt)})"
        if "%z" in fmt or "%Z" in fmt:
            fixed = _from_zoned(parsed, spec, zone)
        else:
            fixed = _local(parsed, spec, zone) if has_time(fmt) else parsed
        # an ISO 8601 value the format does not read is still read (byod12b D1: a listening
        # export merging '2024-06-20T23:19:44Z' with the forums' '23/04/2024 18:24')
        iso = f"regexp_full_match({text}, {lit(ISO_TIME_RE)})"
        return f"CASE WHEN {parsed} IS NOT NULL THEN {fixed} WHEN {iso} THEN {_auto_ts(text, spec, zone)} END"
    return _auto_ts(s, spec, zone)


ISO_TIME_RE = r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*(Z|UTC|[+-]\d{2}(:?\d{2})?)?)?"
"""An ISO 8601 date or time (with or without a UTC offset): read whatever the table's
``timestamp_format`` says, since no other format writes a year first with dashes."""


def _auto_ts(s: str, spec: TableSpec, zone: str | None) -> str:
    """SQL of a text timestamp read without a format: ISO 8601 with or without a UTC offset,
    an ISO year and month as its first day, and whatever DuckDB's cast reads."""
    month = f"regexp_full_match({s}, {lit(ISO_MONTH_RE)})"  # '2023-01': the month's first day
    naive = f"CASE WHEN {month} THEN try_strptime({s}, '%Y-%m') ELSE TRY_CAST({s} AS TIMESTAMP) END"
    shifted = _local(naive, spec, zone)
    if shifted != naive:
        date_only = f"regexp_full_match({s}, '\\d{{4}}-\\d{{1,2}}(-\\d{{1,2}})?')"
        naive = f"CASE WHEN {date_only} THEN {naive} ELSE {shifted} END"
    aware = _from_zoned(f"TRY_CAST({attach_offset(s)} AS TIMESTAMPTZ)", spec, zone)
    return f"CASE WHEN regexp_matches({s}, {lit(OFFSET_RE)}) THEN {aware} ELSE {naive} END"


def wall_time(tstz: str, zone: str | None) -> str:
    """SQL of the naive wall-clock time in ``zone`` (UTC when ``None``) of an instant (a
    TIMESTAMP WITH TIME ZONE expression; the session runs in UTC)."""
    return f"timezone({lit(zone)}, {tstz})" if zone else f"CAST({tstz} AS TIMESTAMP)"


def _local(naive: str, spec: TableSpec, zone: str | None) -> str:
    """SQL of a naive time written in the table's zone (``timezone``, else the business's) as
    the business's wall-clock time: unchanged when the two are one zone."""
    written = spec.timezone or zone
    if not written or written == zone:
        return naive
    return wall_time(f"timezone({lit(written)}, {naive})", zone)


def attach_offset(text: str) -> str:
    """SQL of the text timestamp ``text`` with a numeric UTC offset written after a space
    moved next to its time: DuckDB reads ``'2024-03-05 14:22:10-0500'`` but not Shopify's
    ``'2024-03-05 14:22:10 -0500'``."""
    return f"regexp_replace({text}, {lit(SPACED_OFFSET_RE)}, '\\1')"


def _from_zoned(tstz: str, spec: TableSpec, zone: str | None = None) -> str:
    """The business's wall-clock time (``zone``; UTC without one) of a TIMESTAMP WITH TIME
    ZONE expression. With the table's ``timezone`` set to another zone, a value at midnight
    there is a date and keeps its calendar day (a Taipei shop's daily sales written
    ``2024-01-05T00:00:00+08:00`` or stored as zoned timestamps)."""
    wall = wall_time(tstz, zone)
    written = spec.timezone or zone
    if not written or written == zone:
        return wall
    local = wall_time(tstz, written)
    return f"CASE WHEN {local} = date_trunc('day', {local}) THEN {local} ELSE {wall} END"


def _plain_re(spec: TableSpec) -> str:
    """A number no rewrite in :func:`typed_expr` changes: digits with an optional sign and,
    where the decimal mark is a point and no point groups thousands, a decimal part."""
    if spec.decimal == "." and spec.thousands != ".":
        return r"[+-]?\d+(\.\d+)?"
    return r"[+-]?\d+"


def _let(bindings: dict[str, str], var: str, body: str) -> str:
    """SQL of ``body`` with ``var`` bound to a struct of ``bindings`` (field: expression), each
    computed once: a one-element ``list_transform``. Written inline, a value used twice is
    computed twice: the number rewrite below, whose steps each use the one before several
    times, came to 17,972 characters a column that way (0.1 s to plan a query)."""
    fields = ", ".join(f"{lit(k)}: {v}" for k, v in bindings.items())
    return f"list_transform([{{{fields}}}], lambda {var}: {body})[1]"


def _number_text(s: str, col: Column, spec: TableSpec, target: str) -> str:
    """SQL reading the text ``s`` as a number of type ``target`` (DOUBLE or BIGINT): scaled
    counts ('12.3K', '3.2万'), currencies before or after ('SEK 1 299', '1 299,00 kr', '¥1,234.50'),
    thousands grouped by (no-break) spaces, percents as fractions for a float ('29,3 %' is
    0.293), '10,000+' as 10,000, the table's ``thousands`` and ``decimal`` marks, and for a
    flag 'True'/'yes'/'Y'/'是' as 1 and their opposites as 0."""
    sc = lit(_SCALED_RE)
    factor = " ".join(f"WHEN {lit(k)} THEN {f:.0f}" for k, f in SCALES.items())
    a, b, c, d, e = (f"_opsai_n{i}" for i in range(5))
    # e: the number, with the stripped text (flags) and whether it was a percent
    if col.flag:  # 'True'/'False', 'yes'/'no', 'Y'/'N', '是'/'否': 1/0
        word = f"lower(trim(CAST({e}.s1 AS VARCHAR)))"
        yes, no = (", ".join(lit(w) for w in ws) for ws in (FLAG_TRUE, FLAG_FALSE))
        last = f"CASE WHEN {word} IN ({yes}) THEN 1 WHEN {word} IN ({no}) THEN 0 ELSE {e}.n END"
    elif col.dtype == "float":  # '29,3 %' is 0.293, as a spreadsheet reads it
        last = f"CASE WHEN {e}.pct THEN {e}.n / 100 ELSE {e}.n END"
    else:
        last = f"{e}.n"
    # d: the text in the number's own form, its scale letter
    number = f"TRY_CAST(NULLIF({d}.v, '') AS {target})"
    big = f"TRY_CAST(TRY_CAST(NULLIF({d}.v, '') AS DOUBLE) * CASE {d}.sc {factor} END AS {target})"
    body = _let(
        {
            "s1": f"{d}.s1",
            "pct": f"{d}.pct",
            "n": f"CASE WHEN {d}.sc <> '' THEN {big} ELSE {number} END",
        },
        e,
        last,
    )
    # c: after a percent sign and a trailing '+' are taken off: groupings and decimal marks
    v = f"{c}.v"
    if spec.thousands:
        v = f"replace({v}, {lit(spec.thousands)}, '')"
    elif spec.decimal == ".":  # '¥1,234.50', '10,000+': grouped by commas, read as such
        money = f"({c}.plus OR regexp_matches(CAST({c}.s1 AS VARCHAR), {lit(_SYMBOL_RE)}))"
        grouped = f"regexp_matches({v}, {lit(_GROUPED_RE)})"
        v = f"CASE WHEN {money} AND {grouped} THEN replace({v}, ',', '') ELSE {v} END"
    if spec.decimal != ".":
        v = f"replace({v}, {lit(spec.decimal)}, '.')"
    body = _let({"s1": f"{c}.s1", "sc": f"{c}.sc", "pct": f"{c}.pct", "v": v}, d, body)
    # b: the text without its scale letter and currency, spaces in groups closed up
    at_least = lit(_AT_LEAST_RE)
    pct = f"regexp_matches({b}.v, {lit(_PERCENT_RE)})" if col.dtype == "float" else "false"
    v = f"regexp_replace({b}.v, {lit(_PERCENT_RE)}, '')" if col.dtype == "float" else f"{b}.v"
    body = _let(
        {
            "s1": f"{b}.s1",
            "sc": f"{b}.sc",
            "pct": pct,
            "plus": f"regexp_matches({v}, {at_least})",
            "v": f"regexp_replace({v}, {at_least}, '\\1')",  # '10,000+': 10,000
        },
        c,
        body,
    )
    v = f"regexp_replace({a}.s1, {lit(LETTER_BEFORE_RE)}, '\\1')"  # 'SEK 1 299'
    v = f"regexp_replace({v}, {lit(LETTER_AFTER_RE)}, '\\1')"  # '1 299,00 kr'
    v = f"trim(regexp_replace({v}, {lit(_CURRENCY_RE)}, '', 'g'))"
    for _ in range(2):  # '1 299 000,00': thousands grouped by (no-break) spaces
        v = f"regexp_replace({v}, {lit(_SPACE_GROUP_RE)}, '\\1\\2', 'g')"
    body = _let({"s1": f"{a}.s1", "sc": f"{a}.sc", "v": v}, b, body)
    # a: the text and its scale letter ('12.3K': 'K'), the number without it
    word = f"trim(CAST({s} AS VARCHAR))"
    sc_letter = f"regexp_extract({word}, {sc}, 2)"
    s1 = f"CASE WHEN {sc_letter} <> '' THEN regexp_extract({word}, {sc}, 1) ELSE {s} END"
    return _let({"s1": s1, "sc": sc_letter}, a, body)


def typed_expr(
    col: Column,
    src: str,
    raw_type: str,
    spec: TableSpec,
    period_is_int: bool,
    zone: str | None = None,
    plain: bool = False,
) -> str:
    """SQL casting one source column to its contract type; timestamps to the wall-clock time
    in the business's zone ``zone`` (``data.timezone``). ``plain``: a text number column whose
    every value is a plain number (:func:`plain_numbers`), cast as it is."""
    s = _na(q(src), spec)
    if col.dtype in ("id", "string"):
        if raw_type in ("DOUBLE", "FLOAT") and col.dtype == "id":  # 12.0 -> '12'
            s = f"CASE WHEN {s} = floor({s}) THEN CAST(CAST({s} AS HUGEINT) AS VARCHAR) ELSE CAST({s} AS VARCHAR) END"
        v = f"CAST({s} AS VARCHAR)"
        if col.dtype == "id" and spec.lowercase_ids:  # e-mails typed as customers wrote them
            return f"NULLIF(lower(trim({v})), '')"
        if col.dtype == "id":
            return f"NULLIF(trim({v}), '')"
        return f"CASE WHEN regexp_matches({v}, '^\\s*$') THEN NULL ELSE {v} END"  # blank: missing
    if col.dtype in ("float", "int"):
        target = "DOUBLE" if col.dtype == "float" else "BIGINT"
        if raw_type == "VARCHAR" and plain:  # the same as below, at a fraction of the cost
            return f"TRY_CAST(NULLIF(trim(CAST({s} AS VARCHAR)), '') AS {target})"
        if raw_type == "VARCHAR":
            # a plain number is cast as it is; only the rest go through the rewrites (DuckDB
            # evaluates a CASE branch on its own rows only)
            word = f"trim(CAST({s} AS VARCHAR))"
            as_is = f"regexp_full_match({word}, {lit(_plain_re(spec))})"  # most values: '12.5'
            rewritten = _number_text(s, col, spec, target)
            return f"CASE WHEN {as_is} THEN TRY_CAST({word} AS {target}) ELSE {rewritten} END"
        return f"TRY_CAST({s} AS {target})"  # a BOOLEAN column: true is 1, false 0
    if col.dtype == "period" and period_is_int:
        return f"TRY_CAST(trim(CAST({s} AS VARCHAR)) AS BIGINT)"
    return _ts_expr(s, raw_type, spec, zone)


def plain_numbers(
    con: duckdb.DuckDBPyConnection, raw: str, cols: list[str], spec: TableSpec
) -> set[str]:
    """The text columns among ``cols`` whose every filled value is a plain number (no
    currency, grouping, scale or percent to read): :func:`typed_expr` casts them with
    ``plain``, which gives the same values without planning the full rewrite (the tiny
    demo's workspace opens in 2.9 s with it, 3.6 s without)."""
    if not cols:
        return set()
    pattern = lit(_plain_re(spec))
    word = [f"trim(CAST({_na(q(c), spec)} AS VARCHAR))" for c in cols]
    parts = [
        f"bool_and({w} IS NULL OR {w} = '' OR regexp_full_match({w}, {pattern}))" for w in word
    ]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {q(raw)}").fetchall()[0]
    return {c for c, ok in zip(cols, row, strict=True) if ok is not False}


def currency_symbols(con: duckdb.DuckDBPyConnection, raw: str, src: str) -> list[str]:
    """The distinct currency symbols in a text column (full-width ones read as their
    ordinary form: '￥' is '¥')."""
    sym = f"unnest(regexp_extract_all(CAST({q(src)} AS VARCHAR), '\\p{{Sc}}'))"
    rows = con.execute(f"SELECT DISTINCT {sym} AS s FROM {q(raw)} ORDER BY s").fetchall()
    folded = {unicodedata.normalize("NFKC", r[0]) for r in rows}
    return sorted(folded)


def ts_offset_counts(con: duckdb.DuckDBPyConnection, raw: str, src: str) -> tuple[int, int]:
    """(values with a UTC offset, values without) of a text timestamp column."""
    s = f"trim(CAST({q(src)} AS VARCHAR))"
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE regexp_matches({s}, {lit(OFFSET_RE)})), "
        f"count(*) FILTER (WHERE NOT regexp_matches({s}, {lit(OFFSET_RE)})) "
        f"FROM {q(raw)} WHERE {q(src)} IS NOT NULL AND {s} <> ''"
    ).fetchall()[0]
    return int(row[0]), int(row[1])


def mixed_offsets_error(name: str, src: str, with_off: int, without: int) -> SchemaError:
    """A text timestamp column whose values only partly carry a UTC offset, and the fix."""
    return SchemaError(
        f"{name}: column {src!r} mixes {with_off} timestamps with a UTC offset and "
        f"{without} without one, so their time zone is ambiguous. Set the zone of the ones "
        "without in config: data.timezone (the business's zone, e.g. 'Asia/Shanghai'), or "
        f"data.tables.{name}.timezone if only this table's differ"
    )


def float_ids(con: duckdb.DuckDBPyConnection, raw: str, src: str) -> bool:
    """Whether every non-empty value of a text id column is an integer written ``12.0``
    (a first 1,000 values decide most columns without a full scan)."""
    v = f"trim({q(src)})"
    rows = f"SELECT {v} AS v FROM {q(raw)} WHERE {q(src)} IS NOT NULL AND {v} <> ''"
    for limit in (" LIMIT 1000", ""):
        row = con.execute(
            f"SELECT bool_and(regexp_matches(v, '^-?\\d+\\.0+$')) FROM ({rows}{limit})"
        ).fetchall()[0]
        if not row[0]:
            return False
    return True


_INT_TYPES = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT")


def period_is_int(con: duckdb.DuckDBPyConnection, raw: str, src: str, raw_type: str) -> bool:
    if raw_type in _INT_TYPES:
        return True
    if raw_type != "VARCHAR":
        return False
    row = con.execute(
        f"SELECT bool_and(regexp_matches(trim({q(src)}), '^-?\\d{{1,6}}$')) FROM {q(raw)} "
        f"WHERE {q(src)} IS NOT NULL"
    ).fetchall()[0]
    return bool(row[0])


def all_years(
    con: duckdb.DuckDBPyConnection, raw: str, src: str, raw_type: str, spec: TableSpec
) -> bool:
    """Whether every filled value of a column is a year (``2018``, ``'2018'``, a spreadsheet's
    ``2018.0``): an annual export's periods. The rule is :func:`opsai.data.years.year_dates`,
    chapter 06's too, read on the column's first 100 filled values (most timestamp columns
    fail on them: no full scan) and then on its distinct values."""
    if raw_type not in (*_INT_TYPES, "DOUBLE", "FLOAT", "VARCHAR"):
        return False
    v = f"trim(CAST({_na(q(src), spec)} AS VARCHAR))"
    head = con.execute(f"SELECT {v} FROM {q(raw)} WHERE {v} <> '' LIMIT 100").fetchall()
    if not head or year_dates([r[0] for r in head]) is None:
        return False
    lo, hi = YEARS  # more distinct values than years in the range: not all years
    most = hi - lo + 1
    rows = con.execute(
        f"SELECT DISTINCT {v} FROM {q(raw)} WHERE {v} <> '' LIMIT {most + 1}"
    ).fetchall()
    return len(rows) <= most and year_dates([r[0] for r in rows]) is not None


NUMBER_NA = ("NA", "N/A", "#N/A", "NULL", "<NA>")
"""Missing-value markers of R, pandas and spreadsheets (Kaggle's Walmart MarkDown1 ``NA``,
byod11b D4): in a number column, where no number can be meant, they read as missing without
``na_values`` (a text column keeps them: ``NA`` is North America, or Namibia). An attribute
column of numbers and these markers is a number column (hotel_bookings' ``agent``: ids and
``NULL``, ``children``: counts and ``NA``; byod12a D21)."""
TEXT_NA = ("NULL", "N/A", "#N/A", "<NA>")
"""The markers of :data:`NUMBER_NA` no word or code is written as (``NA`` is one: North
America, Namibia): the overview counts them as missing in text columns and names the
``na_values`` that reads them so (hotel_bookings' ``company``, 94% ``NULL``; byod12a D21)."""


def marker_sql(word: str, markers: tuple[str, ...] = NUMBER_NA) -> str:
    """SQL true when the text ``word`` (an SQL expression) is one of ``markers``, whatever
    its case and surrounding spaces."""
    return f"upper(trim({word})) IN ({', '.join(lit(m) for m in markers)})"


def attribute_na(spec: TableSpec) -> TableSpec:
    """``spec`` with the ``na_values`` that apply to attribute columns: those that are no
    number (``NULL``, ``-``, ``k.A.``). A number marker (``0``, Keepa's ``-1``) marks a
    contract column's value unknown and leaves the attributes' own zeros alone."""
    words = [v for v in spec.na_values if not _is_number(v)]
    return spec if words == spec.na_values else spec.model_copy(update={"na_values": words})


def _is_number(value: str) -> bool:
    try:
        float(str(value).strip())
    except ValueError:
        return False
    return True


def infer_extra(
    con: duckdb.DuckDBPyConnection,
    raw: str,
    cols: list[str],
    spec: TableSpec | None = None,
    *,
    markers: bool = False,
) -> dict[str, str]:
    """Best type for text attribute columns: BIGINT, DOUBLE or VARCHAR.

    Values with leading zeros (zip codes, ids) keep the column as text. ``spec``'s
    ``na_values`` that are no number (:func:`attribute_na`) are missing; with ``markers``, so
    are :data:`NUMBER_NA` (a column of numbers and ``NULL`` is a number column; one of
    markers alone stays text).
    """
    if not cols:
        return {}
    parts: list[str] = []
    for c in cols:
        cell = _na(q(c), attribute_na(spec)) if spec is not None else q(c)
        v = f"NULLIF(trim(CAST({cell} AS VARCHAR)), '')"
        if markers:
            v = f"CASE WHEN {marker_sql(v)} THEN NULL ELSE {v} END"
        parts += [
            # by pattern: DuckDB's TRY_CAST('0.53' AS BIGINT) rounds to 1 instead of failing
            f"count({v}) = count(CASE WHEN regexp_full_match({v}, '-?(0|[1-9]\\d{{0,17}})') "
            "THEN 1 END)",
            f"count({v}) = count(TRY_CAST({v} AS DOUBLE))",
            f"count({v}) > 0 AND NOT bool_or(coalesce(regexp_matches({v}, '^-?0\\d'), false))",
        ]
    row = con.execute(f"SELECT {', '.join(parts)} FROM {q(raw)}").fetchall()[0]
    out: dict[str, str] = {}
    for i, c in enumerate(cols):
        is_int, is_float, any_value = row[3 * i], row[3 * i + 1], row[3 * i + 2]
        out[c] = (
            "BIGINT"
            if (is_int and any_value)
            else "DOUBLE"
            if (is_float and any_value)
            else "VARCHAR"
        )
    return out


def examples(con: duckdb.DuckDBPyConnection, sql: str, n: int = 5) -> list[Any]:
    return [r[0] for r in con.execute(f"{sql} LIMIT {n}").fetchall()]


HINT_SAMPLE = 2000
"""Most distinct unparsed values a ``timestamp_format`` hint is tested on."""


def spread(con: duckdb.DuckDBPyConnection, sql: str, n: int = HINT_SAMPLE) -> list[Any]:
    """Up to ``n`` of the distinct values ``sql`` (one column) selects, spread over all of
    them by a hash, not the file's first ones: a file sorted by date starts with days that
    are all 12 or less (DataCo's ``1/1/2017 0:45``), which read day-first as well as
    month-first (byod11a D11)."""
    rows = con.execute(f"SELECT * FROM ({sql}) AS t(v) ORDER BY hash(v) LIMIT {n}").fetchall()
    return [r[0] for r in rows]


def epoch_unit(values: list[Any]) -> str | None:
    """The ``timestamp_format`` of numbers that are Unix times, by their digits (10 seconds,
    13 milliseconds, 16 microseconds, 19 nanoseconds), or None."""
    units = set()
    for v in values:
        m = re.fullmatch(r"\s*-?(\d+)(\.\d*)?\s*", str(v))
        if not m:
            return None
        n = len(m.group(1))
        units.add(next((u for u, d in EPOCH_DIGITS.items() if n in d), None))
    return units.pop() if len(units) == 1 else None


def counted_fix(values: list[Any], key: str) -> str | None:
    """The fix for small whole numbers where a timestamp belongs (a day number such as
    Dunnhumby's ``DAY`` 1..711): ``'<unit> since <origin>'``, else ``None``."""
    if not values or not all(re.fullmatch(r"\s*\d{1,6}(\.0+)?\s*", str(v)) for v in values):
        return None
    return (
        f"they look like numbers counted from a date (day numbers): set {key}: "
        "'days since 2023-12-31' with the day before day 1 (or minutes/hours/weeks since "
        "a date and time)"
    )


def epoch_fix(unit: str) -> str:
    """``'epoch_us' (Unix microseconds, 16 digits)`` and the other units."""
    others = ", ".join(u for u in EPOCH_DIGITS if u != unit)
    return (
        f"{unit!r} ({_EPOCH_WORDS[unit]}, {EPOCH_DIGITS[unit][1]} digits; {others} read other "
        "units)"
    )


_HINT_DATES = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y", "%d-%m-%Y",
               "%m-%d-%Y", "%Y年%m月%d日")  # fmt: skip
_HINT_TIMES = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M:%S %p", "%H")
"""Times of day a hint tries; ``%H`` alone is a date joined with the hour of the day
(``2011-01-01 7``)."""
_HINT_MONTHS = ("%Y/%m", "%m/%Y", "%m.%Y", "%m-%Y", "%Y年%m月", "%b %Y", "%B %Y", "%b-%y")
"""Months without a day (``2024/03``, ``03.2024``, SimilarWeb's ``Jan 2024``): tried last."""
_HINT_FORMATS = (
    *(
        d + t + z
        for d in _HINT_DATES
        for t in ("", *(sep + t for sep in (" ", "T") for t in _HINT_TIMES))
        for z in (("", " %z", "%z") if t else ("",))
    ),
    "%Y-%m",
    *_HINT_MONTHS,
)
"""strptime formats a hint tries, shortest first: dates, times, UTC offsets (``-0500``)."""


def _swap_day_month(fmt: str) -> str:
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


def timestamp_hint(values: list[Any], configured: str | None = None) -> str:
    """The strptime format that reads every one of ``values`` (unparsed timestamp strings),
    ``'%m/%d/%Y' or '%d/%m/%Y'`` when the day and month cannot be told apart, or an example;
    never ``configured``, the format that did not read them."""
    sample = [str(v).strip() for v in values if v is not None]
    if sample:
        tests = ", ".join(f"bool_and(try_strptime(v, {lit(f)}) IS NOT NULL)" for f in _HINT_FORMATS)
        sql = f"SELECT {tests} FROM (SELECT unnest($1) AS v)"
        ok = scratch().execute(sql, [sample]).fetchall()[0]
        fits = [f for f, good in zip(_HINT_FORMATS, ok, strict=True) if good and f != configured]
        if fits:
            other = _swap_day_month(fits[0])
            also = f" or {other!r}" if other != fits[0] and other in fits else ""
            return f"{fits[0]!r}{also}"
    example = "%Y-%m-%d %H:%M:%S"
    if sample and all(re.search(r"\s?[+-]\d{2}:?\d{2}$", v) for v in sample):
        example += " %z"  # a UTC offset at the end
    if example == configured:
        return f"the configured {configured!r} does not read them: write what their text has"
    return f"e.g. {example!r}"
