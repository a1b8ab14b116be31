"""opsai.service._features.reuse_analysis: texts cut once per setting, the same features."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from opsai.service import _features
from opsai.service._features import reuse_analysis, text_features
from opsai.service.sentiment import SentimentEnsemble, cross_val_accuracy

pytestmark = pytest.mark.unit

TEXTS = [
    "退款什么时候到账",
    "Where is my refund? 2 weeks now",
    "我的小米手环坏了 😡",
    "ＩＴＥＭ arrived broken",
    "great service, thanks",
    "质量太差了，要退货",
] * 3


def _matrix(texts: list[str], **kw: object) -> tuple[np.ndarray, list[str]]:
    f = text_features(min_df=2, **kw).fit(texts[:12])  # type: ignore[arg-type]
    return f.transform(texts).toarray(), list(f.get_feature_names_out())


@pytest.mark.parametrize("kw", [{}, {"char_ngrams": (2, 5), "user_words": ["小米手环"]}])
def test_the_same_features_with_and_without_reuse(kw: dict) -> None:
    plain = _matrix(TEXTS, **kw)
    with reuse_analysis():
        first, again = _matrix(TEXTS, **kw), _matrix(TEXTS, **kw)
    for got in (first, again):
        assert got[1] == plain[1]
        np.testing.assert_array_equal(got[0], plain[0])


def test_each_text_is_cut_once_per_setting(monkeypatch) -> None:
    calls: list[str] = []
    real = _features.Preprocess.__call__

    def spy(self, text: str) -> str:
        calls.append(text)
        return real(self, text)

    monkeypatch.setattr(_features.Preprocess, "__call__", spy)
    with reuse_analysis():
        for _ in range(3):
            text_features(words=False).fit_transform(TEXTS)
        assert len(calls) == len(set(TEXTS))
        text_features(words=False, char_ngrams=(1, 2)).fit_transform(TEXTS)  # another setting
        assert len(calls) == 2 * len(set(TEXTS))
    calls.clear()
    text_features(words=False).fit_transform(TEXTS)  # the block is over: nothing kept
    assert len(calls) == len(TEXTS)


def test_a_fitted_model_pickles_and_predicts_the_same_outside_the_block() -> None:
    y = ["neg", "pos", "neg", "neg", "pos", "neg"] * 3
    with reuse_analysis():
        m = SentimentEnsemble(encoder="none", cv=2, seed=0).fit(TEXTS, y)
        inside = m.predict_proba(TEXTS)
    back = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(back.predict_proba(TEXTS), inside)
    plain = SentimentEnsemble(encoder="none", cv=2, seed=0).fit(TEXTS, y)
    np.testing.assert_array_equal(plain.predict_proba(TEXTS), inside)


def test_cross_validation_scores_do_not_change() -> None:
    y = ["neg", "pos", "neg", "neg", "pos", "neg"] * 3
    texts = [f"{t} {i}" for i, t in enumerate(TEXTS)]  # distinct, so none is deduplicated
    m = SentimentEnsemble(encoder="none", cv=2, seed=0)
    plain = cross_val_accuracy(m, texts, y, folds=3, seed=0)
    with reuse_analysis():
        assert cross_val_accuracy(m, texts, y, folds=3, seed=0) == plain


def test_a_block_without_terms_adds_no_column_and_no_block_is_an_error() -> None:
    """byod6 D2: six Korean reviews share no word twice (min_df=2): the word block raised
    'After pruning, no terms remain' and took the chapter down; the characters still work."""
    from opsai.errors import OpsaiError

    texts = ["좋은 앱이에요", "최악입니다", "훌륭해요", "별로예요"]
    f = text_features(char_ngrams=(1, 2), min_df=2).fit(texts)
    word = dict(f.transformer_list)["word"]
    assert word.empty_ and list(word.get_feature_names_out()) == []
    X = f.transform([*texts, "새 글"])
    assert X.shape == (5, len(f.get_feature_names_out())) and X.shape[1] > 0
    with pytest.raises(OpsaiError, match="no character or word features in 2 texts"):
        text_features(char_ngrams=None, min_df=2).fit(["가나", "다라"])
