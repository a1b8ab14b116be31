"""Save and load a chapter's trained models in safe formats, with a SHA-256 manifest.

A *bundle* is one folder, ``<run>/models/<chapter>/``, holding only three kinds of files:

- ``*.json`` — id maps, parameters, feature lists (plain JSON, never executed);
- ``*.safetensors`` — numeric arrays: torch weights, EASE's item-item matrix, ALS factors,
  sparse matrices as their CSR arrays (no code can hide in them);
- ``*.skops`` — scikit-learn estimators (``skops.io``). They are loaded with an explicit list
  of trusted types: every type the file needs beyond skops' own defaults must be in
  :data:`TRUSTED_TYPES`, or loading stops.

``manifest.json`` lists every file with its SHA-256 and size, the opsai version, the chapter,
the data window and the model metrics. :func:`open_bundle` checks every hash before anything
is read, so a changed, swapped or truncated file is refused.

Example:
    >>> w = BundleWriter(run / "models" / "03a_user_behavior")     # doctest: +SKIP
    >>> w.json("churn", {"features": cols})                         # doctest: +SKIP
    >>> w.sklearn("churn_model", calibrated)                        # doctest: +SKIP
    >>> w.finish(chapter="03a_user_behavior", metrics={"auc": 0.8})  # doctest: +SKIP
    >>> b = open_bundle(run / "models" / "03a_user_behavior")       # doctest: +SKIP
    >>> b.sklearn("churn_model")                                    # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from opsai import __version__
from opsai.errors import OpsaiError
from opsai.report.results import jsonable as _jsonable

MANIFEST = "manifest.json"
MODELS_DIR = "models"
FORMAT_VERSION = 1
KINDS = {".json": "json", ".safetensors": "arrays", ".skops": "sklearn"}

TRUSTED_TYPES: frozenset[str] = frozenset(
    {
        # calibrated classifiers (opsai.behavior.ChurnModel)
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.isotonic.IsotonicRegression",
        "sklearn.frozen._frozen.FrozenEstimator",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        # opsai's torch MLP, saved without its network (the weights go to safetensors)
        "opsai.behavior.mlp.MLPClassifier",
    }
)
"""Types a ``.skops`` file may need beyond skops' defaults; anything else is refused."""


class ModelStoreError(OpsaiError):
    """A saved model bundle is missing, changed since it was written, or holds unknown types."""


def models_dir(run_dir: str | os.PathLike[str]) -> Path:
    """``<run>/models``: where a run's chapter bundles live (beside ``results/``)."""
    return Path(run_dir) / MODELS_DIR


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def jsonable(v: Any) -> Any:
    """``v`` as plain JSON values (``opsai.report.results.jsonable``, strict): an unknown type
    is an error, never its text in a model file."""
    try:
        return _jsonable(v, strict=True)
    except TypeError as e:
        raise ModelStoreError(str(e)) from None


def _check_name(name: str) -> None:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ModelStoreError(f"bundle file name {name!r}: use a plain name without '/' or '.'")


class BundleWriter:
    """Writes one chapter's bundle into ``folder`` (emptied first), then its manifest.

    Args:
        folder: ``<run>/models/<chapter>``; created, and cleared of an earlier bundle.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        self.files: dict[str, dict[str, Any]] = {}

    def _add(self, name: str, suffix: str) -> Path:
        _check_name(name)
        fname = f"{name}{suffix}"
        if fname in self.files:
            raise ModelStoreError(f"bundle {self.folder}: {fname} written twice")
        self.files[fname] = {"kind": KINDS[suffix]}
        return self.folder / fname

    def json(self, name: str, value: Any) -> None:
        """Write ``value`` (plain JSON values; numpy scalars and dates are converted)."""
        path = self._add(name, ".json")
        path.write_text(json.dumps(jsonable(value), indent=1, ensure_ascii=False), "utf-8")

    def arrays(self, name: str, arrays: Mapping[str, Any]) -> None:
        """Write numeric arrays (numpy or torch tensors; sparse matrices become CSR parts)."""
        from safetensors.numpy import save_file

        flat: dict[str, np.ndarray] = {}
        for key, a in arrays.items():
            if sp.issparse(a):
                m = sp.csr_matrix(a)
                flat[f"{key}.data"] = np.ascontiguousarray(m.data)
                flat[f"{key}.indices"] = np.ascontiguousarray(m.indices.astype(np.int64))
                flat[f"{key}.indptr"] = np.ascontiguousarray(m.indptr.astype(np.int64))
                flat[f"{key}.shape"] = np.asarray(m.shape, dtype=np.int64)
                continue
            if hasattr(a, "detach"):  # a torch tensor
                a = a.detach().cpu().numpy()
            arr = np.asarray(a)
            if arr.dtype == object or arr.dtype.kind in "USO":
                raise ModelStoreError(
                    f"{name}.safetensors: array {key!r} holds {arr.dtype} values; write ids "
                    "with BundleWriter.json"
                )
            flat[key] = np.ascontiguousarray(arr)
        save_file(flat, str(self._add(name, ".safetensors")))

    def sklearn(self, name: str, estimator: Any) -> None:
        """Write a scikit-learn estimator with ``skops.io.dump`` (checked against the trust list)."""
        import skops.io as sio

        path = self._add(name, ".skops")
        sio.dump(estimator, path)
        unknown = sorted(set(sio.get_untrusted_types(file=path)) - TRUSTED_TYPES)
        if unknown:
            path.unlink()
            raise ModelStoreError(
                f"{name}.skops: types {', '.join(unknown)} are not in "
                "opsai.models.store.TRUSTED_TYPES, so the file could not be loaded safely; "
                "save their arrays with BundleWriter.arrays instead"
            )

    def finish(
        self,
        *,
        chapter: str,
        metrics: Mapping[str, Any] | None = None,
        data_window: tuple[Any, Any] | None = None,
        info: Mapping[str, Any] | None = None,
    ) -> Path:
        """Hash every file and write ``manifest.json``; returns the bundle folder."""
        import safetensors
        import skops

        for fname, entry in self.files.items():
            path = self.folder / fname
            entry.update(sha256=sha256(path), bytes=path.stat().st_size)
        start, end = data_window if data_window is not None else (None, None)
        manifest = {
            "format": FORMAT_VERSION,
            "chapter": chapter,
            "opsai_version": __version__,
            "created": dt.datetime.now().isoformat(timespec="seconds"),
            "data_window": {"start": start, "end": end},
            "metrics": dict(metrics or {}),
            "info": dict(info or {}),
            "libraries": {"skops": skops.__version__, "safetensors": safetensors.__version__},
            "files": self.files,
        }
        (self.folder / MANIFEST).write_text(
            json.dumps(jsonable(manifest), indent=1, ensure_ascii=False), "utf-8"
        )
        return self.folder


class Bundle:
    """A verified bundle: read its files by name. Build it with :func:`open_bundle`."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder = folder
        self.manifest = manifest

    @property
    def chapter(self) -> str:
        return str(self.manifest.get("chapter"))

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.manifest.get("metrics") or {})

    def has(self, name: str, kind: str) -> bool:
        suffix = {v: k for k, v in KINDS.items()}[kind]
        return f"{name}{suffix}" in self.manifest["files"]

    def _path(self, name: str, suffix: str) -> Path:
        fname = f"{name}{suffix}"
        if fname not in self.manifest["files"]:
            raise ModelStoreError(
                f"bundle {self.folder}: no {fname} in its manifest (has: "
                f"{', '.join(sorted(self.manifest['files']))})"
            )
        path = self.folder / fname
        _verify(path, self.manifest["files"][fname])  # again: the file may change after opening
        return path

    def json(self, name: str) -> Any:
        return json.loads(self._path(name, ".json").read_text("utf-8"))

    def arrays(self, name: str) -> dict[str, Any]:
        """The arrays of ``name.safetensors``; CSR parts are put back together as matrices."""
        from safetensors.numpy import load_file

        flat = load_file(str(self._path(name, ".safetensors")))
        out: dict[str, Any] = {}
        sparse = {k[: -len(".indptr")] for k in flat if k.endswith(".indptr")}
        for key in sparse:
            shape = tuple(int(x) for x in flat[f"{key}.shape"])
            out[key] = sp.csr_matrix(
                (flat[f"{key}.data"], flat[f"{key}.indices"], flat[f"{key}.indptr"]), shape=shape
            )
        parts = {f"{k}.{p}" for k in sparse for p in ("data", "indices", "indptr", "shape")}
        out.update({k: v for k, v in flat.items() if k not in parts})
        return out

    def sklearn(self, name: str) -> Any:
        """Load ``name.skops`` trusting only the types in :data:`TRUSTED_TYPES`."""
        import skops.io as sio

        path = self._path(name, ".skops")
        needed = sio.get_untrusted_types(file=path)
        unknown = sorted(set(needed) - TRUSTED_TYPES)
        if unknown:
            raise ModelStoreError(
                f"{path}: refusing to load types not on opsai's trust list: "
                f"{', '.join(unknown)}. Only load model files you produced yourself"
            )
        return sio.load(path, trusted=list(needed))


def _verify(path: Path, entry: Mapping[str, Any]) -> None:
    if not path.is_file():
        raise ModelStoreError(f"{path}: listed in the manifest but missing; re-run opsai report")
    got = sha256(path)
    if got != entry.get("sha256"):
        raise ModelStoreError(
            f"{path}: SHA-256 {got[:12]}… does not match the manifest "
            f"({str(entry.get('sha256'))[:12]}…); the file changed after it was saved. "
            "Re-run opsai report to save the models again"
        )


def open_bundle(folder: str | os.PathLike[str]) -> Bundle:
    """Read a bundle's manifest and verify every file's SHA-256 and kind.

    Raises:
        ModelStoreError: no manifest, an unreadable manifest, an unknown file kind, a
            missing file or a hash mismatch.
    """
    f = Path(folder)
    mpath = f / MANIFEST
    if not mpath.is_file():
        raise ModelStoreError(
            f"{f}: no {MANIFEST}; this is not a saved model bundle (models are saved by "
            "opsai report into <run>/models/<chapter>/)"
        )
    try:
        manifest = json.loads(mpath.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ModelStoreError(f"{mpath}: not valid JSON ({e})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or manifest.get("format") != FORMAT_VERSION:
        raise ModelStoreError(
            f"{mpath}: not an opsai model manifest of format {FORMAT_VERSION}; re-run opsai report"
        )
    for fname, entry in files.items():
        _check_name(str(fname))
        if Path(fname).suffix not in KINDS or entry.get("kind") != KINDS[Path(fname).suffix]:
            raise ModelStoreError(
                f"{mpath}: file {fname!r} is of an unknown kind; a bundle holds only "
                f"{', '.join(KINDS)} files"
            )
        _verify(f / fname, entry)
    return Bundle(f, manifest)
