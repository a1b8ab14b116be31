"""SentimentEnsemble and the lexicon features it stacks: values, weights, no leak, errors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service.sentiment import LexiconSentiment, SentimentClassifier, SentimentEnsemble

pytestmark = pytest.mark.unit


class Lookup:
    """A picklable toy encoder: texts with a positive lexicon word near +e0, others near -e0."""

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            v = np.random.default_rng(list(t.encode())).normal(0, 0.5, 6)
            v[0] += 1.0 if any(w in t for w in ("great", "love", "excellent", "happy")) else -1.0
            out.append(v)
        return np.asarray(out)


def test_lexicon_features_split_positive_and_negative_words() -> None:
    f = LexiconSentiment().features(["good but broken", "not good", "nothing here"])
    sq = lambda v: v / np.sqrt(v * v + 15.0)  # noqa: E731
    # good +2, broken -2.5; a negated positive word counts -0.75x in the positive column
    np.testing.assert_allclose(f[0], [sq(-0.5), sq(2.0), sq(-2.5)], atol=1e-12)
    np.testing.assert_allclose(f[1], [sq(-1.5), sq(-1.5), 0.0], atol=1e-12)
    np.testing.assert_allclose(f[2], [0.0, 0.0, 0.0])
    np.testing.assert_allclose(LexiconSentiment().score(["good but broken"]), f[:1, 0])
    zh = LexiconSentiment().features(["很满意", "太差了"])
    assert zh[0, 1] > 0 == zh[0, 2] and zh[1, 2] < 0 == zh[1, 1]


def test_ensemble_stacks_nblr_embeddings_and_lexicon(reviews: tuple[list[str], list[str]]) -> None:
    X, y = reviews
    clf = SentimentEnsemble(language="en", encoder=Lookup(), cv=3, seed=0).fit(X, y)
    assert not clf.fallback_ and list(clf.classes_) == ["neg", "pos"]
    w = clf.weights()
    assert list(w) == ["nblr", "emb_lr", "lexicon", "lexicon_pos", "lexicon_neg"]
    assert w["nblr"] > 0 and w["emb_lr"] > 0
    assert list(clf.predict(["love it, excellent", "terrible, broke"])) == ["pos", "neg"]
    np.testing.assert_allclose(clf.predict_proba(X[:5]).sum(axis=1), 1.0, atol=1e-9)
    again = SentimentEnsemble(language="en", encoder=Lookup(), cv=3, seed=0).fit(X, y)
    np.testing.assert_allclose(again.predict_proba(X[:5]), clf.predict_proba(X[:5]))


def test_lexicon_carries_words_never_seen_in_training() -> None:
    X = [f"{w} {i}" for i in range(20) for w in ("good", "bad")]
    y = ["pos", "neg"] * 20
    clf = SentimentEnsemble(encoder="none", cv=3, seed=0).fit(X, y)
    assert not clf.fallback_ and clf.weights()["lexicon"] > 0
    assert list(clf.predict(["superb, wonderful", "horrible garbage"])) == ["pos", "neg"]
    bare = SentimentEnsemble(encoder="none", lexicon=False, cv=3, seed=0).fit(X, y)
    assert list(bare.weights()) == ["nblr"]


def test_final_weights_come_from_out_of_fold_scores() -> None:
    # unique texts, random labels: in-sample NB-LR log-odds would fit them perfectly and
    # get a large weight; out-of-fold log-odds carry nothing, so the weight stays small
    rng = np.random.default_rng(0)
    vocab = [f"w{k}x" for k in range(300)]
    X = [" ".join(rng.choice(vocab, 6)) for _ in range(120)]
    y = list(rng.permutation(["pos", "neg"] * 60))
    clf = SentimentEnsemble(encoder="none", lexicon=False, cv=5, seed=0).fit(X, y)
    base = SentimentClassifier(per_language=False, seed=0).fit(X, y)
    p = base.predict_proba(X)[:, 1]
    in_sample = LogisticRegression().fit(np.log(p / (1 - p))[:, None], y).coef_[0, 0]
    assert in_sample > 2.0 > 0.6 > abs(clf.weights()["nblr"])


def test_ensemble_multiclass_and_fallback(
    reviews: tuple[list[str], list[str]], monkeypatch
) -> None:
    from opsai.embed import EmbeddingUnavailableError

    X, y = reviews
    X3, y3 = X + [f"the parcel arrived {i}" for i in range(12)], y + ["neutral"] * 12
    clf = SentimentEnsemble(encoder="none", cv=3, seed=0).fit(X3, y3)
    assert list(clf.classes_) == ["neg", "neutral", "pos"] and clf.weights() == {}
    assert clf.predict_proba(["the parcel arrived 99"]).shape == (1, 3)

    def missing(*a, **k):
        raise EmbeddingUnavailableError("no package")

    monkeypatch.setattr("opsai.service.embedding.embed_texts", missing)
    fb = SentimentEnsemble(language="zh", cv=3, seed=0).fit(X, y)
    assert fb.fallback_ and next(iter(fb.weights())) == "nblr" and "emb_lr" not in fb.weights()
    assert list(fb.predict(["terrible quality 99"])) == ["neg"]
    # an encoder asked for by name does not fall back silently
    with pytest.raises(EmbeddingUnavailableError, match="no package"):
        SentimentEnsemble(encoder=("use", "e5"), cv=3, seed=0).fit(X, y)


def test_ensemble_errors() -> None:
    with pytest.raises(NotFittedError):
        SentimentEnsemble().predict(["x"])
    with pytest.raises(ConfigError, match="cv=1"):
        SentimentEnsemble(cv=1).fit(["a", "b"], ["x", "y"])
    with pytest.raises(OpsaiError, match="two sentiment classes"):
        SentimentEnsemble(encoder="none").fit(["a", "b"], ["x", "x"])
    with pytest.raises(OpsaiError, match="at least 2 texts"):
        SentimentEnsemble(encoder="none").fit(["a", "b", "c"], ["x", "x", "y"])
