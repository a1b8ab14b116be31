"""The bundle store: safe formats, a SHA-256 per file, refusal of changed files and unknown types."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

from opsai.errors import OpsaiError
from opsai.models.store import MANIFEST, BundleWriter, ModelStoreError, open_bundle, sha256

pytestmark = pytest.mark.unit


def _bundle(folder: Path) -> tuple[Path, LogisticRegression]:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 3)), (rng.random(60) > 0.5).astype(int)
    clf = LogisticRegression().fit(X, y)
    w = BundleWriter(folder)
    w.json("settings", {"features": ["a", "b", "c"], "when": np.datetime64("2024-01-02")})
    w.arrays(
        "arrays",
        {"dense": np.arange(6, dtype=np.float32).reshape(2, 3), "sparse": sp.eye(4, format="csr")},
    )
    w.sklearn("clf", clf)
    w.finish(chapter="x", metrics={"auc": np.float64(0.75)}, data_window=("2024-01-01", None))
    return folder, clf


def test_round_trip_and_manifest(tmp_path: Path) -> None:
    folder, clf = _bundle(tmp_path / "b")
    b = open_bundle(folder)
    assert b.chapter == "x" and b.metrics == {"auc": 0.75}
    files = b.manifest["files"]
    assert set(files) == {"settings.json", "arrays.safetensors", "clf.skops"}
    assert all(files[f]["sha256"] == sha256(folder / f) for f in files)
    assert b.manifest["opsai_version"] and b.manifest["data_window"]["start"] == "2024-01-01"
    assert b.json("settings")["features"] == ["a", "b", "c"]
    arrays = b.arrays("arrays")
    np.testing.assert_array_equal(arrays["dense"], np.arange(6).reshape(2, 3))
    assert sp.issparse(arrays["sparse"]) and (arrays["sparse"] != sp.eye(4)).nnz == 0
    X = np.random.default_rng(1).normal(size=(10, 3))
    np.testing.assert_array_equal(b.sklearn("clf").predict_proba(X), clf.predict_proba(X))


def test_tampered_file_fails_the_hash_check(tmp_path: Path) -> None:
    folder, _ = _bundle(tmp_path / "b")
    p = folder / "settings.json"
    p.write_text(p.read_text().replace('"a"', '"z"'))
    with pytest.raises(ModelStoreError, match=r"settings\.json: SHA-256 .* does not match"):
        open_bundle(folder)
    assert issubclass(ModelStoreError, OpsaiError)


def test_missing_file_and_missing_manifest(tmp_path: Path) -> None:
    folder, _ = _bundle(tmp_path / "b")
    (folder / "clf.skops").unlink()
    with pytest.raises(ModelStoreError, match="missing"):
        open_bundle(folder)
    with pytest.raises(ModelStoreError, match="not a saved model bundle"):
        open_bundle(tmp_path)


def test_unknown_file_kind_in_manifest_is_refused(tmp_path: Path) -> None:
    folder, _ = _bundle(tmp_path / "b")
    (folder / "evil.pkl").write_bytes(b"\x80\x04N.")
    m = json.loads((folder / MANIFEST).read_text())
    m["files"]["evil.pkl"] = {"kind": "pickle", "sha256": sha256(folder / "evil.pkl")}
    (folder / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(ModelStoreError, match="unknown kind"):
        open_bundle(folder)


def test_untrusted_types_are_refused_on_save_and_on_load(tmp_path: Path) -> None:
    odd = FunctionTransformer(func=print)  # a skops file that would need builtins.print
    with pytest.raises(ModelStoreError, match=r"not in opsai\.models\.store\.TRUSTED_TYPES"):
        BundleWriter(tmp_path / "c").sklearn("odd", odd)
    # a file swapped *and* re-hashed in the manifest still meets the trust list
    import skops.io as sio

    folder, _ = _bundle(tmp_path / "b")
    sio.dump(odd, folder / "clf.skops")
    m = json.loads((folder / MANIFEST).read_text())
    m["files"]["clf.skops"]["sha256"] = sha256(folder / "clf.skops")
    (folder / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(ModelStoreError, match="refusing to load types"):
        open_bundle(folder).sklearn("clf")


def test_bad_names_and_text_arrays(tmp_path: Path) -> None:
    w = BundleWriter(tmp_path / "b")
    with pytest.raises(ModelStoreError, match="plain name"):
        w.json("../escape", {})
    with pytest.raises(ModelStoreError, match="write ids"):
        w.arrays("ids", {"users": np.array(["a", "b"], dtype=object)})


def test_json_refuses_unknown_types_instead_of_writing_their_text(tmp_path: Path) -> None:
    w = BundleWriter(tmp_path / "b")
    w.json("ok", {"a": np.float32(0.5), "n": np.nan, "when": dt.date(2024, 1, 2)})
    assert json.loads((tmp_path / "b" / "ok.json").read_text()) == {
        "a": 0.5,
        "n": None,
        "when": "2024-01-02",
    }
    with pytest.raises(ModelStoreError, match="cannot write a Decimal to JSON"):
        w.json("bad", {"price": decimal.Decimal("1.5")})
    assert not (tmp_path / "b" / "bad.json").exists()
