"""Sentiment: lexicon baseline, trained classifier per language, leak-free CV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service.sentiment import (
    LexiconSentiment,
    NBWeighting,
    SentimentClassifier,
    TooFewTexts,
    cross_val_accuracy,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("great service, thanks", "positive"),
        ("not good", "negative"),
        ("I am very angry about this", "negative"),
        ("The item arrived", "neutral"),
        ("非常满意，谢谢！", "positive"),
        ("质量太差了", "negative"),
        ("不好用", "negative"),
        ("没有问题", "positive"),
        ("客服很耐心，点赞👍", "positive"),
        # 卡 is a card and 麻烦 a polite "please" in support tickets: neither is a complaint
        ("收到的卡在哪里激活", "neutral"),
        ("信用卡怎么还款，麻烦尽快处理", "neutral"),
        ("手机很卡", "negative"),
        ("玩游戏卡顿", "negative"),
        ("太麻烦了", "negative"),
    ],
)
def test_lexicon(text: str, label: str) -> None:
    assert LexiconSentiment().predict([text])[0] == label


def test_lexicon_negation_flips_sign() -> None:
    s = LexiconSentiment().score(["good", "not good", "满意", "不满意"])
    assert s[0] > 0 > s[1]
    assert s[2] > 0 > s[3]


def test_classifier_per_language(tickets: pd.DataFrame) -> None:
    train, test = tickets.iloc[:180], tickets.iloc[180:]
    clf = SentimentClassifier(seed=0).fit(
        train["text"], train["sentiment"], language=train["language"]
    )
    assert set(clf.models_) == {"*", "en", "zh"}
    pred = clf.predict(test["text"], language=test["language"])
    assert (pred == test["sentiment"].to_numpy()).mean() >= 0.9
    p = clf.predict_proba(test["text"])  # languages detected
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)


def test_binary_nb_weighting_exact() -> None:
    import scipy.sparse as sp

    X = sp.csr_matrix(np.array([[1, 0], [1, 1], [0, 1]], dtype=float))
    nb = NBWeighting(alpha=1.0).fit(X, np.array([0, 1, 1]))
    # positives: counts (1, 2) + 1 = (2, 3), negatives (1, 0) + 1 = (2, 1)
    np.testing.assert_allclose(nb.r_, np.log(np.array([2 / 5, 3 / 5]) / np.array([2 / 3, 1 / 3])))
    assert NBWeighting().fit(X, np.array([0, 1, 2])).r_ is None  # identity for 3 classes


def test_cross_val_dedupes_before_splitting() -> None:
    # 40 distinct texts each repeated 5 times: with duplicates a memoriser is perfect
    rng = np.random.default_rng(0)
    base = [f"review {i} {rng.integers(10**6)}" for i in range(40)]
    y = list(rng.permutation(["pos", "neg"] * 20))  # labels carry no signal
    texts, labels = base * 5, y * 5
    texts += ["same text"] * 2
    labels += ["pos", "neg"]  # ambiguous: dropped
    model = SentimentClassifier(per_language=False, seed=0)
    honest = cross_val_accuracy(model, texts, labels, folds=5, seed=0)
    leaky = cross_val_accuracy(model, texts, labels, folds=5, dedupe="keep", seed=0)
    assert honest["n"] == 40 and honest["majority"] == 0.5  # always 'pos' scores 50%
    assert leaky["n"] == 202
    assert leaky["accuracy"] > 0.95 > 0.75 > honest["accuracy"]


def test_cross_val_says_what_deduplication_left() -> None:
    """Every text repeated with conflicting labels: 'Found array with 0 sample(s)' (D21)."""
    texts = [f"ticket {i}" for i in range(30)] * 2
    labels = ["good"] * 30 + ["bad"] * 30
    model = SentimentClassifier(per_language=False, seed=0)
    with pytest.raises(TooFewTexts) as e:
        cross_val_accuracy(model, texts, labels, folds=5, seed=0)
    assert str(e.value) == (
        "0 usable texts after removing 60 texts whose copies carry conflicting labels "
        "(the 5-fold check needs 10 and two labels)"
    )
    assert e.value.usable == 0
    texts, labels = texts + [f"fine {i}" for i in range(12)], labels + ["good"] * 12
    with pytest.raises(TooFewTexts, match=r"^12 usable texts of one label \(good\) after"):
        cross_val_accuracy(model, texts, labels, folds=5, seed=0)


def test_errors() -> None:
    with pytest.raises(NotFittedError):
        SentimentClassifier().predict(["x"])
    with pytest.raises(ConfigError, match="char_ngrams"):
        SentimentClassifier(char_ngrams=None, words=False).fit(["a", "b"], ["x", "y"])
    with pytest.raises(OpsaiError, match="two sentiment classes"):
        SentimentClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(ConfigError, match="dedupe"):
        cross_val_accuracy(SentimentClassifier(), ["a"], ["x"], dedupe="maybe")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("labels", "expected", "note"),
    [
        (
            [5, 1, 3, 4, 2],
            ["positive", "negative", "neutral", "positive", "negative"],
            "1-5 (stars)",
        ),
        (["5", "1", "4.0"], ["positive", "negative", "positive"], "1-5 (stars)"),  # read from text
        ([0, 1, 1], ["negative", "positive", "positive"], "0/1 read as negative/positive"),
        ([1, 2], ["negative", "positive"], "1/2 read as negative/positive"),
        ([-1, 0, 1], ["negative", "neutral", "positive"], "-1/0/1"),
        (["pos", "NEG ", None], ["positive", "negative", None], "'pos' = positive"),
        (["负面", "好评", "中性"], ["negative", "positive", "neutral"], "'负面' = negative"),
        (["negative", "positive"], ["negative", "positive"], None),  # already canonical
        (  # not recognised: the data's own classes, and the page says none counts as negative
            ["angry", "happy"],
            ["angry", "happy"],
            "Sentiment labels used as they are: angry, happy. None of them reads as negative, so "
            "the negative shares (the scorecard's 'Negative tickets') count none of these "
            "labelled tickets",
        ),
        ([7, 8, 10], [7, 8, 10], "used as they are: 7, 8, 10. None of them"),  # 0-10: no guess
        ([1.5, 2.0], [1.5, 2.0], "None of them reads as negative"),
        (["negative", "angry"], ["negative", "angry"], None),  # a negative class is there
        (["positive", "neutral"], ["positive", "neutral"], None),  # canonical, none negative
        # Zendesk's satisfaction score: a survey with no answer is no rating (D21)
        (
            ["offered", "bad", "unoffered", "good", "Offered"],
            [None, "negative", None, "positive", None],
            "'Offered', 'offered' and 'unoffered' (a survey without an answer) read as no "
            "rating: 3 tickets.",
        ),
        (["offered", "unoffered"], [None, None], "read as no rating: 2 tickets"),
        (["offered", "angry"], [None, "angry"], "Used as they are: angry. None of them reads"),
        (
            ["Positive", "Negative", "Mixed", "Neutral"],
            ["positive", "negative", "neutral", "neutral"],
            "'Mixed' = neutral",
        ),
        (["1 star", "5 stars", "2 Stars"], ["negative", "positive", "negative"], "1-5 (stars)"),
        (["1 star", "2 stars"], ["negative", "negative"], "1-5 (stars)"),  # not 1/2 polarity
        (["★★★★★", "★", "★★★☆☆", "4/5"], ["positive", "negative", "neutral", "positive"], "1-5"),
        # satisfaction surveys (byod8 D10: Freshdesk's Unhappy was not negative)
        (
            ["Happy", "Neutral", "Unhappy", None],
            ["positive", "neutral", "negative", None],
            "'Unhappy' = negative, 'Neutral' = neutral, 'Happy' = positive.",
        ),
        (
            [
                "Very satisfied",
                "Satisfied",
                "Neither satisfied nor dissatisfied",
                "Dissatisfied",
                "Very Dissatisfied",
                "Unsatisfied",
            ],
            ["positive", "positive", "neutral", "negative", "negative", "negative"],
            "'Very Dissatisfied' = negative",
        ),
        (["Good", "Bad", "offered"], ["positive", "negative", None], "'Bad' = negative"),
        (
            ["thumbs_up", "Thumbs down", "👍", "👎🏽"],
            ["positive", "negative", "positive", "negative"],
            "'👎🏽' = negative",
        ),
        (
            ["满意", "一般", "不满意", "非常满意", "很不满意"],
            ["positive", "neutral", "negative", "positive", "negative"],
            "'一般' = neutral",
        ),
        (
            ["zufrieden", "unzufrieden", "sehr zufrieden", "eher unzufrieden"],
            ["positive", "negative", "positive", "negative"],
            "'unzufrieden' = negative",
        ),
        (
            ["Extremely Happy", "great", "okay", "not good", "Extremely unhappy"],
            ["positive", "positive", "neutral", "negative", "negative"],
            "'okay' = neutral",
        ),
        (
            ["happy", "angry"],
            ["happy", "angry"],
            "None of them reads as negative",
        ),  # one unknown label: all kept as they are
    ],
)
def test_canonical_sentiment(labels: list, expected: list, note: str | None) -> None:
    from opsai.service import canonical_sentiment

    out, said = canonical_sentiment(labels)
    assert [None if pd.isna(v) else v for v in out] == expected
    assert (said is None) if note is None else (note in said)


def test_korean_and_russian_reviews_are_learnt() -> None:
    """byod6 D2's minimal repro: 'After pruning, no terms remain' on six Korean reviews."""
    X = ["지금까지 써본 메모 앱 중 최고예요 🙏", "업데이트 후 앱을 열 때마다 꺼져요",
         "광고가 너무 많고 구독료도 비싸요", "기기 간 동기화가 매끄럽고 훌륭해요", "좋은 앱이에요",
         "최악입니다"]  # fmt: skip
    y = ["pos", "neg", "neg", "pos", "pos", "neg"]
    assert (SentimentClassifier(seed=0).fit(X, y).predict(X) == np.array(y)).mean() >= 0.8
    ru = ["Отличное приложение", "Приложение постоянно вылетает", "Очень удобно", "Всё тормозит"]
    assert list(SentimentClassifier(seed=0).fit(ru * 3, ["pos", "neg"] * 6).predict(ru)) == [
        "pos", "neg", "pos", "neg"
    ]  # fmt: skip


def test_lexicon_does_not_score_languages_it_has_no_words_for() -> None:
    """byod6 D5: the English lexicon called every Spanish complaint 'neutral'."""
    texts = ["El paquete llegó dañado y el artículo está roto.", "最悪です", "terrible", "👍"]
    lex = LexiconSentiment()
    assert lex.covers(texts).tolist() == [False, False, True, True]
    assert lex.predict(texts).tolist() == [None, None, "negative", "neutral"]
    assert LexiconSentiment(unknown="neutral").predict(texts[:1]).tolist() == ["neutral"]
    assert lex.score(texts[:2]).tolist() == [0.0, 0.0]
