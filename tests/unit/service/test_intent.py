"""Intent classifier: accuracy on synthetic tickets, calibration, the "other" route."""

from __future__ import annotations

import math
import sys

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service.chapter import kb_intents_like
from opsai.service.intent import (
    IntentClassifier,
    canonical_intent,
    choose_threshold,
    tickets_to_show,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def split(tickets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return tickets.iloc[:160], tickets.iloc[160:]


@pytest.fixture(scope="module")
def fitted(split: tuple[pd.DataFrame, pd.DataFrame]) -> IntentClassifier:
    train, _ = split
    return IntentClassifier(seed=0).fit(train["text"], train["intent"])


def test_accuracy_and_probabilities(fitted: IntentClassifier, split: tuple) -> None:
    _, test = split
    pred = fitted.predict(test["text"])
    assert (pred == test["intent"].to_numpy()).mean() >= 0.95
    proba = fitted.predict_proba(test["text"])
    assert proba.shape == (len(test), 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert list(fitted.classes_) == ["account_login", "invoice", "refund", "shipping_delay"]


def test_unseen_phrasing_in_both_languages(fitted: IntentClassifier) -> None:
    assert list(fitted.predict(["please refund me", "我要退款", "发票抬头错了"])) == [
        "refund",
        "refund",
        "invoice",
    ]


def test_threshold_routes_to_human(split: tuple) -> None:
    train, test = split
    clf = IntentClassifier(threshold=0.99, seed=0).fit(train["text"], train["intent"])
    frame = clf.predict_frame(test)
    assert set(frame.columns) == {"ticket_id", "intent_pred", "confidence", "route"}
    human = frame["route"] == "human"
    assert human.any()
    assert (frame.loc[human, "intent_pred"] == "other").all()
    assert (frame.loc[human, "confidence"] < 0.99).all()


def test_auto_threshold(split: tuple) -> None:
    train, _ = split
    clf = IntentClassifier(threshold="auto", target_precision=0.9, seed=0)
    clf.fit(train["text"].iloc[:80], train["intent"].iloc[:80])
    assert clf.threshold_ is not None and 0.0 <= clf.threshold_ < 1.0


def test_choose_threshold_exact() -> None:
    classes = np.array(["a", "b"], dtype=object)
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6], [0.55, 0.45]])
    y = np.array(["a", "a", "b", "b"], dtype=object)
    # sorted by confidence 0.9 (ok), 0.8 (ok), 0.6 (ok), 0.55 (wrong): keep down to 0.6
    assert choose_threshold(proba, y, classes, target_precision=1.0) == 0.6
    assert choose_threshold(proba, y, classes, target_precision=0.75) == 0.55


def test_out_of_scope_tickets_set_the_threshold_and_go_to_a_human() -> None:
    """Tickets labelled 'other' are what the bot must not answer: one it answers with an
    intent is wrong, one it predicts 'other' goes to a human and is no answer. Before, a
    confident 'other' prediction counted as a right answer by the bot and was routed to it."""
    classes = np.array(["a", "b", "other"], dtype=object)
    proba = np.array(
        [
            [0.95, 0.03, 0.02],  # a, right
            [0.02, 0.03, 0.95],  # predicted other: routed, not an answer
            [0.85, 0.10, 0.05],  # labelled other, answered 'a': wrong
            [0.10, 0.80, 0.10],  # b, right
            [0.10, 0.70, 0.20],  # b, right
        ]
    )
    y = np.array(["a", "other", "Other", "b", "b"], dtype=object)
    # kept in order 0.95 (ok), 0.85 (wrong), 0.8 (ok), 0.7 (ok): 1.0 needs 0.95 and up;
    # counting the confident 'other' as a right answer, 0.8 was reached at 0.7 (4 of 5)
    assert choose_threshold(proba, y, classes, target_precision=1.0) == 0.95
    assert choose_threshold(proba, y, classes, target_precision=0.8) == 0.95
    assert choose_threshold(proba, y, classes, target_precision=0.75) == 0.7
    clf = IntentClassifier(unknown_label="unknown")
    clf.classes_, clf.threshold_ = classes, 0.9
    assert clf._to_human(proba).tolist() == [False, True, True, True, True]
    assert clf._below(proba).tolist() == [False, False, True, True, True]


def test_out_of_scope_labels() -> None:
    from opsai.service.intent import out_of_scope

    labels = ["other", "OOS", "Out of scope", "unknown", "其他", "其它", "refund", None, np.nan]
    assert out_of_scope(labels).tolist() == [True] * 6 + [False] * 3


def test_contract_and_errors(tickets: pd.DataFrame) -> None:
    clf = IntentClassifier(C=2.0)
    assert clf.get_params()["C"] == 2.0
    with pytest.raises(NotFittedError):
        clf.predict(["x"])
    with pytest.raises(OpsaiError, match="two intents"):
        IntentClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(OpsaiError, match="not one string"):
        IntentClassifier().fit("text", ["x"])
    with pytest.raises(ConfigError, match="model="):
        IntentClassifier(model="bert").fit(tickets["text"], tickets["intent"])  # type: ignore[arg-type]
    with pytest.raises(OpsaiError, match="missing labels"):
        IntentClassifier().fit(["a", "b", "c"], ["x", None, "y"])


def test_import_does_not_load_torch() -> None:
    import subprocess

    code = "import opsai.service, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_torch_model_small(split: tuple) -> None:
    pytest.importorskip("torch")
    train, test = split
    # the default 12 epochs: at 5 the model is still moving and its test accuracy swung from
    # 0.84 to 0.98 with the seed and the machine's float kernels (CI once read 0.8375)
    clf = IntentClassifier(model="torch", threshold="auto", seed=0)
    clf.fit(train["text"], train["intent"])
    assert clf.pipeline_.holdout_ is not None  # threshold from the hold-out, no refits
    assert clf.threshold_ is not None and 0.0 <= clf.threshold_ <= 1.0
    top = clf.classes_[clf.predict_proba(test["text"]).argmax(axis=1)]
    # 1.0 on seeds 0-9 here
    assert (top == test["intent"].to_numpy()).mean() >= 0.95
    pred = clf.predict(test["text"])
    assert set(pred) <= {*clf.classes_, "other"}
    q = clf.pipeline_.quantized()
    assert (q.predict(test["text"]) == test["intent"].to_numpy()).mean() >= 0.95
    # int8 keeps the calibration: torch's int8 EmbeddingBag summed instead of averaging,
    # so the longer the ticket the surer the int8 model (thresholds 0.93 against 0.26)
    p, pq = clf.pipeline_.predict_proba(test["text"]), q.predict_proba(test["text"])
    assert np.abs(p - pq).max() < 0.05
    assert q.size_bytes() < clf.pipeline_.size_bytes()


def test_embedding_model_and_its_torch_head(split: tuple) -> None:
    train, test = split
    lr = IntentClassifier(model="embedding", threshold="auto", target_precision=0.9, seed=0)
    lr.fit(train["text"], train["intent"])
    assert lr.threshold_ is not None and 0.0 < lr.threshold_ < 1.0
    assert (lr.predict_proba(test["text"]).argmax(axis=1) >= 0).all()
    top = lr.classes_[lr.predict_proba(test["text"]).argmax(axis=1)]
    assert (top == test["intent"].to_numpy()).mean() >= 0.9
    # one multilingual space: unseen phrasings in either language
    assert list(lr.predict(["money back please", "钱什么时候退给我"])) == ["refund", "refund"]
    mlp = IntentClassifier(model="embedding", head="mlp", threshold="auto", seed=0)
    mlp.fit(train["text"], train["intent"])
    assert mlp.pipeline_.holdout_ is not None  # threshold from the torch head's hold-out
    top = mlp.classes_[mlp.predict_proba(test["text"]).argmax(axis=1)]
    assert (top == test["intent"].to_numpy()).mean() >= 0.9
    q = mlp.pipeline_.quantized()
    assert q.size_bytes() < mlp.pipeline_.size_bytes()
    assert (q.predict(test["text"]) == mlp.pipeline_.predict(test["text"])).mean() >= 0.95


def test_threshold_of_one_answers_saturated_tickets_and_inf_routes_everything() -> None:
    clf = IntentClassifier()
    proba = np.array([[1.0, 0.0], [0.2, 0.8]])
    clf.classes_ = np.array(["a", "b"], dtype=object)
    clf.threshold_ = 1.0  # a real threshold when probabilities saturate
    assert clf._to_human(proba).tolist() == [False, True]
    clf.threshold_ = math.inf  # no level reached the target on validation
    assert clf._to_human(proba).all()


def test_choose_threshold_ties_saturation_and_unreachable() -> None:
    classes = np.array(["a", "b"], dtype=object)
    # every confidence is exactly 1 (a saturated softmax), one of 1,000 wrong: answer all
    proba = np.tile([1.0, 0.0], (1000, 1))
    y = np.array(["a"] * 999 + ["b"], dtype=object)
    assert choose_threshold(proba, y, classes, target_precision=0.95) == 1.0
    # a tie is kept or cut as a whole: 0.8 keeps all three 0.8s (1 right, 2 wrong)
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.8, 0.2], [0.8, 0.2]])
    y = np.array(["a", "a", "b", "b"], dtype=object)
    assert choose_threshold(proba, y, classes, target_precision=1.0) == 0.9
    assert choose_threshold(proba, y, classes, target_precision=0.5) == 0.8
    # nothing reaches the target: inf, which routes every ticket to people
    wrong = np.array(["b", "b", "a", "a"], dtype=object)
    assert choose_threshold(proba, wrong, classes, target_precision=0.9) == math.inf


def test_canonical_intent_merges_spellings_of_one_intent() -> None:
    """An export mixing 'card_arrival', 'CARD_ARRIVAL', 'Card Arrival' and 'card_arrival '
    held 285 classes for 77 intents (accuracy 36%): one spelling each, the most common."""
    labels = ["card_arrival"] * 3 + ["CARD_ARRIVAL", "Card Arrival", "card_arrival ", None]
    labels += ["lost-card", "Lost Card", "Lost Card"]
    out, note = canonical_intent(labels)
    assert out.tolist() == ["card_arrival"] * 6 + [None] + ["Lost Card"] * 3
    assert note is not None and note.startswith("Intent labels: 6 spellings read as 2 intents")
    codes, note = canonical_intent([17.0, 3.0, np.nan, "17"])
    assert codes.iloc[[0, 1, 3]].tolist() == ["17", "3", "17"] and codes.isna().iloc[2]
    assert canonical_intent(["refund", "login"])[1] is None
    kb = pd.DataFrame({"intent": ["Card Arrival", "new_intent "], "answer": ["a", "b"]})
    like = kb_intents_like(kb, out)
    assert like is not None and like["intent"].tolist() == ["card_arrival", "new_intent"]
    assert kb_intents_like(None, out) is None
    bare = kb_intents_like(kb.drop(columns="intent"), out)
    assert bare is not None and list(bare.columns) == ["answer"]


def test_calibration_keeps_accuracy_on_many_intents_with_few_tickets() -> None:
    """100 intents with 3 tickets each (each intent is a pair of words): averaging three
    calibrated SVMs fitted on two tickets per intent labelled 93.4% right; one SVM on all
    tickets calibrated on out-of-fold scores labels 97.2%."""
    a = ["card", "transfer", "refund", "pin", "atm", "topup", "account", "phone", "cash", "fee"]
    b = ["lost", "pending", "failed", "blocked", "charged", "declined", "missing", "wrong",
         "late", "cancel"]  # fmt: skip
    filler = ["hi", "please", "help", "my", "the", "asap", "today", "again", "thanks", "why"]

    def make(n: int, seed: int) -> tuple[list[str], list[str]]:
        rng = np.random.default_rng(seed)
        texts, labels = [], []
        for i in range(100):
            for _ in range(n):
                words = [a[i // 10], b[i % 10], *rng.choice(filler, 4)]
                rng.shuffle(words)
                texts.append(" ".join(words))
                labels.append(f"intent_{i:02d}")
        return texts, labels

    (X, y), (Xt, yt) = make(3, 0), make(5, 1)
    clf = IntentClassifier(seed=0).fit(X, y)
    assert (clf.predict(Xt) == np.asarray(yt)).mean() >= 0.96
    proba = clf.predict_proba(Xt)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_tickets_to_show_and_min_answered() -> None:
    """n of n right answers show a precision only from tickets_to_show(target) on: the lower
    end of the 95% Clopper-Pearson interval of n of n is 0.025 ** (1 / n)."""
    assert tickets_to_show(0.95) == 72 and tickets_to_show(0.8) == 17
    assert 0.025 ** (1 / 72) >= 0.95 > 0.025 ** (1 / 71)
    assert math.isinf(tickets_to_show(1.0))
    classes = np.array(["a", "b"])
    proba = np.array([[0.9, 0.1]] * 20 + [[0.6, 0.4]] * 10)
    y = np.array(["a"] * 20 + ["b"] * 10)
    assert choose_threshold(proba, y, classes, target_precision=0.95) == 0.9
    assert choose_threshold(proba, y, classes, target_precision=0.95, min_answered=20) == 0.9
    assert math.isinf(choose_threshold(proba, y, classes, target_precision=0.95, min_answered=21))


def test_torch_model_same_in_every_process() -> None:
    """The vocabulary's ids (and so the seeded initial weights) once followed set order, which
    PYTHONHASHSEED shuffles: seed=0 gave 0.90-0.95 accuracy from one run to the next."""
    import subprocess

    pytest.importorskip("torch")
    code = (
        "from opsai.service._torch_text import FastTextClassifier as F\n"
        "t = ['refund please', 'where is my parcel', 'login fails', 'my invoice',"
        " '我要退款', '快递没到', '登录不了', '发票抬头'] * 3\n"
        "y = ['r', 's', 'a', 'i'] * 6\n"
        "m = F(epochs=2, seed=0).fit(t, y)\n"
        "print(sorted(m.vocab_.items())[:40], m.predict_proba(['refund my parcel']).round(6))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": str(h)},
        ).stdout
        for h in (1, 2)
    }
    assert len(outs) == 1, outs
