"""EDA text augmentation, embedding synonyms, rebalancing and their measured effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError, OpsaiError, SchemaError
from opsai.optimize import (
    TextAugmenter,
    embedding_synonyms,
    evaluate_augmentation,
    evaluate_rebalancing,
    rebalance,
    vocabulary,
)
from opsai.optimize.augment import split_words

pytestmark = pytest.mark.unit

EN = [
    "please refund my order, the lamp is broken",
    "where is my parcel, the order is late",
    "i want a refund for the broken cup",
    "my parcel has not arrived after ten days",
]
ZH = [
    "我要退款，台灯坏了",
    "我的快递到哪里了，订单还没到",
    "请帮我退款，杯子破了",
    "物流十天没更新了",
]
LABELS = ["refund", "shipping", "refund", "shipping"]
LEXICON = {"refund": ["reimbursement"], "parcel": ["package"], "退款": ["退钱"], "快递": ["包裹"]}


def test_seeded_and_label_preserving() -> None:
    aug = TextAugmenter(synonyms=LEXICON, n_aug=4, alpha=0.2, seed=3)
    a = aug.augment_frame(EN + ZH, LABELS * 2)
    b = TextAugmenter(synonyms=LEXICON, n_aug=4, alpha=0.2, seed=3).augment_frame(
        EN + ZH, LABELS * 2
    )
    c = TextAugmenter(synonyms=LEXICON, n_aug=4, alpha=0.2, seed=4).augment_frame(
        EN + ZH, LABELS * 2
    )
    pd.testing.assert_frame_equal(a, b)
    assert not a["text"].equals(c["text"])
    src_labels = np.asarray(LABELS * 2, dtype=object)[a["source"].to_numpy()]
    assert (a["label"].to_numpy() == src_labels).all()
    texts, labels = aug.fit_resample(EN + ZH, LABELS * 2)
    assert texts[:8] == EN + ZH and len(texts) == 8 + len(a)
    assert list(labels[8:]) == a["label"].tolist()


@pytest.mark.parametrize("texts", [EN, ZH], ids=["en", "zh"])
@pytest.mark.parametrize("op", ["synonym", "insert", "swap", "delete"])
def test_each_op_changes_en_and_zh(texts: list[str], op: str) -> None:
    aug = TextAugmenter(ops=(op,), synonyms=LEXICON, n_aug=1, alpha=0.3, seed=0)
    out = aug.augment_frame(texts, LABELS)
    assert len(out) >= 2  # at least half of the texts changed
    for r in out.itertuples():
        assert r.text != texts[r.source] and r.op == op
    if op == "synonym":
        joined = " ".join(out["text"])
        assert any(s in joined for s in ("reimbursement", "package", "退钱", "包裹"))


def test_swap_keeps_the_words_and_chinese_has_no_spaces() -> None:
    aug = TextAugmenter(ops=("swap",), n_aug=1, alpha=0.3, seed=1)
    out = aug.augment_frame(ZH[:1], ["refund"])
    assert " " not in out["text"].iloc[0]
    assert sorted(split_words(out["text"].iloc[0])) == sorted(split_words(ZH[0]))
    en = aug.augment_frame(EN[:1], ["refund"])["text"].iloc[0]
    assert sorted(en.split()) == sorted(EN[0].split())


def test_deletion_never_empties_a_text() -> None:
    aug = TextAugmenter(ops=("delete",), n_aug=3, alpha=1.0, seed=0)
    texts = ["refund", "refund now", "退款", "我要退款", "a b c d e f"]
    rng = np.random.default_rng(0)
    for t in texts:
        for _ in range(20):
            assert aug.augment_one(t, "delete", rng).strip()


def test_synonyms_skip_stopwords_and_keep_punctuation() -> None:
    aug = TextAugmenter(ops=("synonym",), synonyms={"the": ["a"], "order": ["purchase"]},
                        n_aug=1, alpha=1.0, seed=0)  # fmt: skip
    out = aug.augment_one("Cancel the order.", "synonym", np.random.default_rng(0))
    assert out == "Cancel the purchase."


def test_embedding_synonyms_same_script_and_threshold() -> None:
    words = ["refund", "reimbursement", "parcel", "package", "退款", "退钱"]
    base = {"refund": [1, 0, 0], "reimbursement": [0.9, 0.1, 0], "parcel": [0, 1, 0],
            "package": [0, 0.95, 0.2], "退款": [1, 0, 0.05], "退钱": [0.95, 0, 0.1]}  # fmt: skip

    def fake(ws: list[str]) -> np.ndarray:
        V = np.asarray([base[w] for w in ws], float)
        return V / np.linalg.norm(V, axis=1, keepdims=True)

    syn = embedding_synonyms(words, k=2, min_similarity=0.8, embed_fn=fake)
    assert syn["refund"] == ["reimbursement"]  # 退款 is as close but Chinese
    assert syn["退款"] == ["退钱"]
    assert syn["parcel"] == ["package"]
    assert embedding_synonyms(words, k=2, min_similarity=0.999, embed_fn=fake) == {}
    with pytest.raises(ConfigError, match="min_similarity"):
        embedding_synonyms(words, min_similarity=2.0, embed_fn=fake)
    with pytest.raises(ConfigError, match="k must"):
        embedding_synonyms(words, k=0, embed_fn=fake)


def test_vocabulary_drops_stopwords_digits_and_rare_words() -> None:
    v = vocabulary(EN + ZH + ["order 123 order"], min_count=2)
    assert "refund" in v and "parcel" in v and "退款" in v
    assert "the" not in v and "my" not in v and "123" not in v and "lamp" not in v


def test_bad_parameters_name_the_parameter() -> None:
    with pytest.raises(ConfigError, match="alpha"):
        TextAugmenter(alpha=0, ops=("swap",)).augment_frame(EN, LABELS)
    with pytest.raises(ConfigError, match="ops"):
        TextAugmenter(ops=("shuffle",)).augment_frame(EN, LABELS)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="synonyms"):
        TextAugmenter(ops=("synonym",)).augment_frame(EN, LABELS)
    with pytest.raises(ConfigError, match="n_aug"):
        TextAugmenter(ops=("swap",), n_aug=-1).augment_frame(EN, LABELS)
    with pytest.raises(SchemaError, match="labels"):
        TextAugmenter(ops=("swap",)).augment_frame(EN, LABELS[:2])


def _imbalanced(n: int = 200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    X = pd.DataFrame({"a": rng.normal(y * 2.0, 1.0), "b": rng.normal(-y * 1.5, 1.0)})
    return X, y


@pytest.mark.parametrize("method", ["random", "smote"])
def test_rebalance_balances_and_keeps_originals_first(method: str) -> None:
    X, y = _imbalanced()
    Xr, yr = rebalance(X, y, method=method, seed=0)  # type: ignore[arg-type]
    counts = np.bincount(yr)
    assert counts[0] == counts[1] == (y == 0).sum()
    pd.testing.assert_frame_equal(Xr.iloc[: len(X)].reset_index(drop=True), X)
    new = Xr.iloc[len(X) :].to_numpy()
    assert (yr[len(X) :] == 1).all()
    minority = X[y == 1].to_numpy()
    if method == "random":  # copies of minority rows
        assert all((np.abs(minority - r).sum(axis=1) < 1e-12).any() for r in new)
    else:  # interpolated inside the minority rows' range
        assert (new >= minority.min(axis=0) - 1e-9).all() and (
            new <= minority.max(axis=0) + 1e-9
        ).all()
    _, yh = rebalance(X, y, method=method, ratio=0.5, seed=0)  # type: ignore[arg-type]
    assert np.bincount(yh)[1] == int(0.5 * (y == 0).sum())


def test_rebalance_errors() -> None:
    X, y = _imbalanced()
    with pytest.raises(ConfigError, match="ratio"):
        rebalance(X, y, ratio=1.5)
    with pytest.raises(ConfigError, match="method"):
        rebalance(X, y, method="adasyn")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="one class"):
        rebalance(X, np.zeros(len(X)))
    with pytest.raises(SchemaError, match="missing"):
        rebalance(X.assign(a=np.nan), y, method="smote")
    assert issubclass(SchemaError, OpsaiError)


def test_evaluate_rebalancing_resamples_training_rows_only() -> None:
    X, y = _imbalanced(400, seed=1)
    frame = X.assign(churned=y)
    train, test = frame.iloc[:300], frame.iloc[300:]
    before = test.copy()
    out = evaluate_rebalancing(train, test, model="gbm", seed=0)
    pd.testing.assert_frame_equal(test, before)
    assert out["method"].tolist() == ["none", "random", "smote"]
    n0 = int((train["churned"] == 0).sum())
    assert out["n_train"].tolist() == [300, 2 * n0, 2 * n0]
    assert out.loc[0, "minority_share"] == pytest.approx(train["churned"].mean())
    assert out.loc[1, "minority_share"] == pytest.approx(0.5)
    assert (out["roc_auc"] > 0.75).all()  # the classes are separable
    # oversampling moves the 0.5 cut-off towards the minority class
    assert out.loc[2, "minority_recall"] >= out.loc[0, "minority_recall"]
    with pytest.raises(SchemaError, match="label"):
        evaluate_rebalancing(train.drop(columns="churned"), test)


def test_evaluate_augmentation_scores_originals_only() -> None:
    rng = np.random.default_rng(0)
    words = {"refund": ["refund", "money", "back", "return"], "ship": ["parcel", "where", "late", "track"],
             "login": ["password", "login", "account", "locked"]}  # fmt: skip
    rows = []
    for label, ws in words.items():
        for _ in range(30):
            rows.append((" ".join(rng.choice([*ws, "please", "my", "the", "now"], 6)), label))
    tickets = pd.DataFrame(rows, columns=["text", "intent"])
    out = evaluate_augmentation(tickets, per_class=(3, None), repeats=2, n_aug=2, seed=0)
    assert out["variant"].tolist() == ["original", "eda", "original", "eda"]
    assert (out["n_test"] == 27).all()  # 30 % of 90, never grown by augmentation
    orig, eda = out.iloc[0], out.iloc[1]
    assert orig["n_train"] == 9 and eda["n_train"] > 9
    assert eda["gain"] == pytest.approx(eda["accuracy"] - orig["accuracy"])
    assert out["accuracy"].between(0.3, 1.0).all()
    seen: list[int] = []

    def lexicon(texts: list[str]) -> dict[str, list[str]]:
        seen.append(len(texts))
        return {"refund": ["return"], "parcel": ["track"]}

    out = evaluate_augmentation(tickets, per_class=(3,), repeats=1, synonyms=lexicon, seed=0)
    assert seen == [63]  # built once, from the training split only
    assert len(out) == 2
    with pytest.raises(ConfigError, match="per_class"):
        evaluate_augmentation(tickets, per_class=(1,))
    with pytest.raises(SchemaError, match="col_text"):
        evaluate_augmentation(tickets.rename(columns={"text": "body"}))
