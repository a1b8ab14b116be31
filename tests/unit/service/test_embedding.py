"""Embedding classifiers and the stack: values on small cases, errors, no leakage by design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service.embedding import EmbeddingClassifier, embed_texts
from opsai.service.sentiment import SentimentEnsemble

pytestmark = pytest.mark.unit


class Lookup:
    """A picklable toy encoder: 'a…' texts near +e0, 'b…' near -e0, noise in other axes."""

    def __init__(self, noise: float = 0.3, seed: int = 0) -> None:
        self.noise, self.seed = noise, seed

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = []
        for t in texts:
            rng = np.random.default_rng([self.seed, *t.encode()])
            v = rng.normal(0, self.noise, 8)
            v[0] += 1.0 if t.startswith("a") else -1.0
            out.append(v)
        return np.asarray(out)


def _toy(n: int = 200) -> tuple[list[str], np.ndarray]:
    texts = [("a" if i % 2 else "b") + f"-{i}" for i in range(n)]
    return texts, np.array(["pos" if t.startswith("a") else "neg" for t in texts])


@pytest.mark.parametrize("head", ["logreg", "mlp"])
def test_heads_learn_a_separable_problem(head: str) -> None:
    X, y = _toy()
    clf = EmbeddingClassifier(encoder=Lookup(), head=head, seed=0).fit(X[:150], y[:150])
    assert list(clf.classes_) == ["neg", "pos"] and clf.dim_ == 8
    assert (clf.predict(X[150:]) == y[150:]).mean() >= 0.95
    p = clf.predict_proba(X[150:])
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-6)
    assert np.all(clf.decision_function(["a-x1", "a-x2"]) > 0)


def test_mlp_head_is_seeded() -> None:
    X, y = _toy(120)
    a = EmbeddingClassifier(encoder=Lookup(), head="mlp", seed=3).fit(X, y).predict_proba(X[:5])
    b = EmbeddingClassifier(encoder=Lookup(), head="mlp", seed=3).fit(X, y).predict_proba(X[:5])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_use_embeddings_carry_intent_across_languages(tmp_path) -> None:
    train = pd.DataFrame(
        {
            "text": [
                "I want a refund",
                "please give me my money back",
                "refund my order",
                "I can't log in",
                "my password does not work",
                "account locked, cannot sign in",
            ],
            "y": ["refund"] * 3 + ["login"] * 3,
        }
    )
    clf = EmbeddingClassifier(encoder="use", C=10.0, cache=False).fit(train["text"], train["y"])
    assert list(clf.predict(["我要退款", "账号登录不了", "return the money please"])) == [
        "refund",
        "login",
        "refund",
    ]


def test_embed_texts_concatenates_unit_blocks() -> None:
    E = embed_texts(["refund please", "hello"], ("minilm", "use"), cache=False)
    assert E.shape == (2, 384 + 512)
    np.testing.assert_allclose(np.linalg.norm(E[:, :384], axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(E[:, 384:], axis=1), 1.0, atol=1e-5)


def test_errors_name_the_parameter() -> None:
    X, y = _toy(20)
    with pytest.raises(ConfigError, match="encoder='bert'"):
        EmbeddingClassifier(encoder="bert").fit(X, y)
    with pytest.raises(ConfigError, match="head='svm'"):
        EmbeddingClassifier(encoder=Lookup(), head="svm").fit(X, y)  # type: ignore[arg-type]
    with pytest.raises(OpsaiError, match="two classes"):
        EmbeddingClassifier(encoder=Lookup()).fit(X, ["pos"] * 20)
    with pytest.raises(NotFittedError):
        EmbeddingClassifier(encoder=Lookup()).predict(X)
    with pytest.raises(OpsaiError, match="one row per text"):
        EmbeddingClassifier(encoder=lambda t: np.zeros((1, 3))).fit(X, y)


def test_ensemble_without_lexicon_learns_weights_inside_fit(
    reviews: tuple[list[str], list[str]],
) -> None:
    X, y = reviews
    clf = SentimentEnsemble(language="en", encoder=Lookup(), lexicon=False, cv=3, seed=0).fit(X, y)
    assert not clf.fallback_ and list(clf.classes_) == ["neg", "pos"]
    assert set(clf.weights()) == {"nblr", "emb_lr"}
    assert list(clf.predict(["love it, excellent", "terrible, broke"])) == ["pos", "neg"]
    p = clf.predict_proba(X[:4])
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    with_mlp = SentimentEnsemble(encoder=Lookup(), mlp=True, lexicon=False, cv=3, seed=0).fit(X, y)
    assert set(with_mlp.weights()) == {"nblr", "emb_lr", "emb_mlp"}
