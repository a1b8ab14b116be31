"""Chapter helpers: splits, model comparison table, findings with their numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ChapterError, ConfigError, SchemaError
from opsai.service.chapter import (
    best_on_validation,
    chosen_model,
    compare_intent_models,
    fill_unlabelled,
    intent_finding,
    language_fallback_findings,
    pii_finding,
    reply_finding,
    sentiment_by_language,
    sentiment_finding,
    spike_findings,
    split_labelled,
)
from opsai.service.intent import IntentClassifier, choose_threshold, tickets_to_show

pytestmark = pytest.mark.unit


def test_split_keeps_rare_labels_in_training(tickets: pd.DataFrame) -> None:
    t = pd.concat([tickets, tickets.iloc[:1].assign(intent="once")])
    train, test = split_labelled(t, test_size=0.25, seed=0)
    assert len(train) + len(test) == len(t)
    assert "once" in set(train["intent"]) and "once" not in set(test["intent"])
    with pytest.raises(SchemaError, match=r"data\.tables\.tickets\.columns\.intent"):
        split_labelled(t.drop(columns="intent"))
    # a mapped column that is not intents: one constant value, or an id (no value twice)
    with pytest.raises(SchemaError, match=r"1 intent\(s\) \('banking'\).*columns\.intent"):
        split_labelled(t.assign(intent="banking"))
    with pytest.raises(SchemaError, match=r"no value of column 'intent' occurs twice"):
        split_labelled(t.assign(intent=[f"t{i}" for i in range(len(t))]))


def test_compare_intent_models_table(tickets: pd.DataFrame) -> None:
    train, test = split_labelled(tickets, seed=0)
    table, models = compare_intent_models(
        train, test, models=("tfidf", "embedding"), threshold=None, folds=3, seed=0
    )
    assert list(models) == ["tfidf", "embedding"]
    assert list(table.columns) == [
        "model",
        "cv_accuracy",
        "cv_macro_f1",
        "cv_macro_f1_sd",
        "folds",
        "cv_tickets",
        "threshold",
        "accuracy",
        "macro_f1",
        "answered",
        "accuracy_answered",
        "ms_per_ticket",
        "size_kb",
        "fit_s",
        "cv_s",
        "out_of_scope_cv",
        "test_tickets",
        "target_precision",
        "out_of_scope_test",
        "out_of_scope_routed",
        "in_scope_accuracy",
        "repeated_texts",
    ]
    assert (table["test_tickets"] == len(test)).all() and (table["target_precision"] == 0.95).all()
    assert (table["out_of_scope_cv"] == 0).all()  # the fixture has no 'other' tickets
    assert (table["accuracy"] >= 0.9).all() and (table["answered"] == 1.0).all()
    assert (table["cv_accuracy"] >= 0.85).all() and (table["folds"] == 3).all()
    assert (table["cv_macro_f1_sd"] >= 0).all()
    assert best_on_validation(table) in {"tfidf", "embedding"}
    with pytest.raises(ConfigError, match="'bert' is unknown"):
        compare_intent_models(train, test, models=("bert",))


def test_models_are_picked_and_thresholds_set_by_cross_validation(tickets: pd.DataFrame) -> None:
    """The pick and the threshold rested on one carved-off fifth of the training tickets
    (106 tickets on the tiny demo picked the model 2 points worse on test): they now come from
    k-fold cross-validation on all training tickets, and the model is then fitted on all."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict

    from opsai.service.chapter import text_keys

    train, test = split_labelled(tickets, seed=0)
    table, models = compare_intent_models(
        train, test, models=("tfidf",), folds=3, target_precision=0.99, seed=0
    )
    r = table.iloc[0]
    X, y = train["text"], train["intent"].to_numpy()
    clf = IntentClassifier(model="tfidf", threshold=None, seed=0)
    cv = StratifiedGroupKFold(3, shuffle=True, random_state=0)  # a text's copies on one side
    groups = pd.factorize(text_keys(X.reset_index(drop=True)))[0]
    oof = cross_val_predict(clf, X, y, cv=cv, groups=groups, method="predict_proba")
    m = models["tfidf"]
    pred = m.classes_[oof.argmax(axis=1)]
    f1 = [f1_score(y[te], pred[te], average="macro") for _, te in cv.split(X, y, groups)]
    assert r["folds"] == 3
    assert r["cv_macro_f1"] == pytest.approx(np.mean(f1))
    assert r["cv_macro_f1_sd"] == pytest.approx(np.std(f1, ddof=1))
    assert m.threshold_ == choose_threshold(
        oof, y, m.classes_, target_precision=0.99, min_answered=tickets_to_show(0.99)
    )
    full = IntentClassifier(model="tfidf", seed=0).fit(X, y)  # fitted on every training ticket
    assert np.allclose(m.predict_proba(test["text"]), full.predict_proba(test["text"]))


def test_out_of_scope_recall_and_in_scope_accuracy_on_held_out_tickets(
    tickets: pd.DataFrame,
) -> None:
    """byod9b D12: on a CLINC150-style set the finding gave one accuracy over in-scope and
    out-of-scope tickets together, so nobody could tell how many out-of-scope questions the
    bot would answer anyway. The table and the finding now give out-of-scope recall (held-out
    'oos' tickets sent to an agent) and the in-scope accuracy."""
    oos_intent = tickets["intent"].value_counts().index[-1]
    data = tickets.assign(intent=tickets["intent"].replace(oos_intent, "oos"))
    train, test = split_labelled(data, seed=0)
    table, models = compare_intent_models(train, test, models=("tfidf",), folds=3, seed=0)
    r, m = table.iloc[0], models["tfidf"]
    y = test["intent"].astype(str).to_numpy()
    oos = y == "oos"
    proba = m.predict_proba(test["text"])
    top = m.classes_[proba.argmax(axis=1)]
    routed = m._to_human(proba)[oos]
    assert r["out_of_scope_test"] == oos.sum() > 0
    assert r["out_of_scope_routed"] == pytest.approx(routed.mean())
    assert r["in_scope_accuracy"] == pytest.approx((top[~oos] == y[~oos]).mean())
    f = intent_finding(table, "tfidf")
    k = int(routed.sum())
    assert f"Of the {oos.sum()} held-out tickets labelled out of scope, {k} (" in f.text
    assert f"and {oos.sum() - k} got an intent; the other {len(y) - oos.sum()} held-out" in f.text
    assert f.evidence["out_of_scope_routed"] == pytest.approx(routed.mean())
    plain, _ = compare_intent_models(*split_labelled(tickets, seed=0), models=("tfidf",), folds=3)
    assert plain.iloc[0]["out_of_scope_test"] == 0
    assert "labelled out of scope, " not in intent_finding(plain, "tfidf").text


def test_folds_shrink_to_the_rarest_intent(tickets: pd.DataFrame) -> None:
    """Three tickets of an intent allow three folds; an intent seen once stays in every
    training part; with no intent seen twice, or fewer than 2 folds, the error says why."""
    from opsai.service._intent_cv import intent_folds

    labels = np.array(["a"] * 10 + ["b"] * 3 + ["c"], dtype=object)
    splits = intent_folds(labels, folds=5, seed=0, what="train['intent']")
    assert len(splits) == 3
    for tr, te in splits:
        assert 13 in tr and 13 not in te and (labels[te] == "b").sum() == 1
    assert sorted(np.concatenate([te for _, te in splits]).tolist()) == list(range(13))
    train, test = split_labelled(tickets, seed=0)
    rare = pd.concat([train, train[train["intent"] == "refund"].iloc[:3].assign(intent="vip")])
    table, _ = compare_intent_models(rare, test, models=("tfidf",), seed=0)
    assert table["folds"].tolist() == [3]
    once = train.groupby("intent").head(1)
    with pytest.raises(SchemaError, match=r"train\['intent'\]: no intent has two labelled"):
        compare_intent_models(once, test, models=("tfidf",))
    with pytest.raises(ConfigError, match=r"folds=1: .*parameters\.INTENT_FOLDS"):
        compare_intent_models(train, test, models=("tfidf",), folds=1)
    with pytest.raises(SchemaError, match=r"train: column 'utterance' not found; pass col_text="):
        compare_intent_models(train, test, col_text="utterance")


def test_large_ticket_sets_are_cross_validated_on_a_stratified_sample(
    tickets: pd.DataFrame,
) -> None:
    """Beyond cv_max training tickets the folds come from a sample that keeps each intent's
    share (and two of a rare one); the models are still fitted on every training ticket."""
    from opsai.service._intent_cv import cv_sample

    labels = np.array(["a"] * 900 + ["b"] * 97 + ["c"] * 3, dtype=object)
    rows = cv_sample(labels, max_rows=100, seed=0)
    assert len(set(rows)) == len(rows) and list(rows) == sorted(rows)
    assert [(labels[rows] == c).sum() for c in "abc"] == [90, 10, 2]
    assert (cv_sample(labels, max_rows=100, seed=0) == rows).all()
    assert len(cv_sample(labels, max_rows=None, seed=0)) == 1000
    assert len(cv_sample(labels, max_rows=5000, seed=0)) == 1000
    train, test = split_labelled(tickets, seed=0)
    table, _ = compare_intent_models(train, test, models=("tfidf",), cv_max=60, seed=0)
    n_cv = len(cv_sample(train["intent"].to_numpy(), max_rows=60, seed=0))
    assert table["cv_tickets"].tolist() == [n_cv] and 55 <= n_cv <= 60
    assert table["folds"].tolist() == [5]
    full, _ = compare_intent_models(train, test, models=("tfidf",), cv_max=None, seed=0)
    assert full["cv_tickets"].tolist() == [len(train)]
    # fitted on all of train either way: the same model, the same test accuracy
    assert table["accuracy"].tolist() == full["accuracy"].tolist()
    with pytest.raises(ConfigError, match=r"cv_max=8: .* at least 2 x folds \(10\)"):
        compare_intent_models(train, test, models=("tfidf",), cv_max=8)


def test_thresholds_are_set_out_of_fold_and_torch_is_quantised(
    tickets: pd.DataFrame,
) -> None:
    train, test = split_labelled(tickets, seed=0)
    table, models = compare_intent_models(
        train, test, models=("torch",), target_precision=0.9, folds=2, epochs=4, seed=0
    )
    assert list(table["model"]) == ["torch", "torch-int8"]
    assert set(models) == {"torch", "torch-int8"}
    t = table.set_index("model")
    assert t.loc["torch-int8", "size_kb"] < t.loc["torch", "size_kb"]
    assert (t["threshold"] > 0).all() and (t["folds"] == 2).all()
    assert (t["cv_accuracy"] > 0.5).all()


def test_best_on_validation_prefers_f1_then_size() -> None:
    table = pd.DataFrame(
        {
            "model": ["a", "b", "c"],
            "cv_macro_f1": [0.9, 0.95, 0.95],
            "size_kb": [10.0, 300.0, 20.0],
            "ms_per_ticket": [1.0, 1.0, 9.0],
        }
    )
    assert best_on_validation(table) == "c"
    with pytest.raises(ChapterError):
        best_on_validation(table.iloc[:0])


@pytest.mark.parametrize("model", ["nblr", "stack"])
def test_sentiment_by_language(tickets: pd.DataFrame, model: str) -> None:
    table = sentiment_by_language(tickets, folds=3, model=model, seed=0)
    assert set(table["language"]) == {"en", "zh"}
    assert set(table["model"]) == {"trained", "lexicon"}
    trained = table[table["model"] == "trained"].set_index("language")["accuracy"]
    assert (trained >= 0.9).all()
    majority = table[table["model"] == "trained"].set_index("language")["majority"]
    assert ((majority > 0.3) & (majority < 0.9) & (trained > majority)).all()
    small = sentiment_by_language(tickets, folds=3, model="nblr", max_texts=40, seed=0)
    assert (small["n"] <= 40).all()
    with pytest.raises(ConfigError, match="model='svm'"):
        sentiment_by_language(tickets, model="svm")  # type: ignore[arg-type]


def test_sentiment_by_language_skips_a_language_deduplication_empties() -> None:
    """English texts each rated both good and bad: the chapter failed with 'Found array with
    0 sample(s)'; now English is skipped with the reason, in the table and the finding (D21)."""
    en = [f"where is my order number {i}" for i in range(15)] * 2
    es = [f"el pedido {i} llegó roto" for i in range(6)] + [f"todo bien {i}" for i in range(6)]
    tickets = pd.DataFrame(
        {
            "text": en + es,
            "sentiment": ["positive"] * 15
            + ["negative"] * 15
            + ["negative"] * 6
            + ["positive"] * 6,
            "language": ["en"] * 30 + ["es"] * 12,
        }
    )
    table = sentiment_by_language(tickets, folds=3, model="nblr", seed=0)
    assert set(table["language"]) == {"es"} and table["n"].tolist() == [12.0]  # no lexicon
    reason = (
        "0 usable texts after removing 30 texts whose copies carry conflicting labels "
        "(the 3-fold check needs 6 and two labels)"
    )
    assert table.attrs["skipped"] == {"en": reason}
    f = sentiment_finding(table, folds=3)
    assert (
        f.text.endswith(f" Not checked - en: {reason}.")
        and f.evidence["skipped"] == f"en: {reason}"
    )
    only_en = sentiment_by_language(tickets[tickets["language"] == "en"], folds=3, model="nblr")
    assert (
        only_en.empty
        and f"- en: {reason}. The tickets'" in sentiment_finding(only_en, folds=3).text
    )


def test_sentiment_by_language_uses_the_encoder_given_per_language(
    tickets: pd.DataFrame,
) -> None:

    from opsai.embed import embed

    seen: list[str] = []

    def zh_encoder(texts: list[str]) -> np.ndarray:  # USE, recording what it was asked
        seen.extend(texts)
        return embed(texts, model="use")

    table = sentiment_by_language(tickets, folds=3, encoders={"zh": zh_encoder}, seed=0)
    zh = set(tickets.loc[tickets["language"] == "zh", "text"])
    assert seen and set(seen) <= zh  # only the Chinese stack used it
    trained = table[table["model"] == "trained"].set_index("language")["accuracy"]
    assert (trained >= 0.9).all()


def test_findings_text_and_names() -> None:
    spikes = pd.DataFrame(
        {
            "period": ["2024-07", "2024-07"],
            "intent": ["refund", "音箱 / 蓝牙"],
            "tickets": [30, 5],
            "share": [0.43, 0.1],
            "baseline_share": [0.094, 0.01],
            "ratio": [4.5, 10.0],
            "z": [9.6, 6.0],
        }
    )
    f = spike_findings(spikes)
    assert [x.name for x in f] == ["spike_refund_2024-07", "spike_topic1_2024-07"]
    assert (
        f[0].text
        == "'refund' tickets spiked in 2024-07: 30 tickets, 43% of the month against a usual 9% (4.5x)."
    )
    assert f[0].severity == "high"
    weekly = spike_findings(spikes.assign(period="2024-07-01/2024-07-07"), freq="W")
    assert "43% of the week against a usual 9%" in weekly[0].text
    # an intent flagged month after month has shifted: one finding, not one per month
    shift = pd.DataFrame(
        {
            "period": ["2024-05", "2024-04", "2024-07", "2024-06", "2024-06"],
            "intent": ["coupon", "coupon", "coupon", "coupon", "refund"],
            "tickets": [40, 38, 45, 41, 90],
            "share": [0.21, 0.19, 0.23, 0.2, 0.5],
            "baseline_share": [0.08, 0.08, 0.08, 0.08, 0.09],
            "ratio": [2.6, 2.4, 2.9, 2.5, 5.6],
            "z": [7.0, 6.0, 8.0, 6.5, 40.0],
        }
    )
    g = spike_findings(shift)
    assert [x.name for x in g] == ["spike_refund_2024-06", "shift_coupon"]
    assert g[1].text == (
        "'coupon' tickets stayed above their usual share: 4 periods flagged from 2024-04 to "
        "2024-07, 19-23% of tickets against a usual 8%. A lasting shift rather than a one-off "
        "spike: look for a change that started around 2024-04."
    )
    assert g[1].evidence["periods"] == 4 and g[1].severity == "medium"
    assert [x.name for x in spike_findings(shift, min_run=5, top=2)] == [
        "spike_refund_2024-06",
        "spike_coupon_2024-04-01_2024-07-31",  # four months running: one incident (byod11b D17)
    ]
    p = pii_finding({"phone": 3, "email": 1}, 4, 10)
    assert p.text.startswith("4 of 10 tickets (40%) held personal data; 4 items were masked")
    # one ticket in thousands is not "0%"; nothing found leaves no empty brackets
    one = pii_finding({"email": 1}, 1, 2985).text
    assert one.startswith("1 of 2,985 tickets (under 0.1%) held personal data; 1 item was masked")
    none = pii_finding({}, 0, 2985)
    assert (
        none.text.endswith("were masked before any model output or table.")
        and "()" not in none.text
    )
    assert p.evidence == {"tickets_with_pii": 4, "items": 4, "phone": 3, "email": 1}
    # order ids are not personal data, but the page says what became of them
    o = pii_finding({}, 0, 785, order_ids=43)
    assert o.text.endswith(
        "0 items were masked before any model output or table. 43 order ids were partly "
        "masked (last four digits kept)."
    )
    assert o.evidence["order_ids"] == 43
    kept = pii_finding({}, 0, 785, order_ids=1, order_mode="keep").text
    assert kept.endswith("1 order id was kept as written (ORDER_MODE 'keep').")


def test_intent_finding_says_when_the_bot_answers_nothing() -> None:
    table = pd.DataFrame(
        {
            "model": ["a", "b"],
            "accuracy": [0.96, 0.7],
            "macro_f1": [0.95, 0.6],
            "answered": [0.8, 0.0],
            "accuracy_answered": [0.99, float("nan")],
        }
    )
    everything = table.assign(answered=[1.0, 0.0])
    assert "it answers every ticket itself, at 99.0% accuracy." in (
        intent_finding(everything, "a").text
    )
    a = intent_finding(table, "a")
    assert "answers 80% itself at 99.0% accuracy" in a.text and a.severity == "info"
    b = intent_finding(table, "b")
    assert "nan" not in b.text and "every ticket goes to an agent" in b.text
    assert b.severity == "high"
    # all but a few: never "answers 100% itself ... and routes the rest"
    nearly = table.assign(answered=[0.998, 0.003])
    assert "answers 99.8% itself at 99.0% accuracy and routes the rest" in (
        intent_finding(nearly, "a").text
    )
    assert "answers 0.3% itself" in intent_finding(nearly, "b").text
    assert "answers over 99.9% itself" in intent_finding(table.assign(answered=0.99996), "a").text


def test_intent_finding_says_what_the_threshold_was_set_on() -> None:
    """Without tickets labelled out of scope the threshold only ever saw in-scope tickets;
    the finding did not say so, and read as if off-topic questions were handled too."""
    table = pd.DataFrame(
        {
            "model": ["a"],
            "threshold": [0.6],
            "accuracy": [0.96],
            "macro_f1": [0.95],
            "answered": [0.8],
            "accuracy_answered": [0.99],
            "out_of_scope_cv": [0],
        }
    )
    only_in = intent_finding(table, "a")
    assert only_in.text.endswith(
        "routes the rest to an agent. The confidence below which tickets go to an agent was "
        "set from in-scope tickets only (no ticket is labelled 'other' or similar): answers "
        "to the kinds of questions the model was trained on are that accurate, but a question "
        "about something else entirely can still get a confident, wrong answer. Label such "
        "tickets 'other' to tune it on them too."
    )
    assert only_in.evidence["out_of_scope_cv"] == 0
    seen = intent_finding(table.assign(out_of_scope_cv=7), "a")
    assert seen.text.endswith(
        "routes the rest to an agent. The confidence below which tickets go to an agent was "
        "also tested on 7 training tickets labelled out of scope ('other' or similar), each "
        "predicted by a model that had not learnt it: answering one with an intent counted as "
        "a wrong answer."
    )
    assert seen.evidence["out_of_scope_cv"] == 7
    # no threshold chosen (threshold=None): nothing to say about it
    assert "in-scope" not in intent_finding(table.assign(threshold=None), "a").text


def test_intent_finding_shows_the_cross_validated_scores_behind_the_pick() -> None:
    table = pd.DataFrame(
        {
            "model": ["tfidf", "embedding", "torch"],
            "cv_macro_f1": [0.885, 0.866, 0.801],
            "cv_macro_f1_sd": [0.055, 0.049, 0.029],
            "folds": [5, 5, 5],
            "threshold": [None, None, None],
            "accuracy": [0.87, 0.88, 0.85],
            "macro_f1": [0.85, 0.87, 0.83],
            "answered": [1.0, 1.0, 1.0],
            "accuracy_answered": [0.87, 0.88, 0.85],
        }
    )
    best = intent_finding(table, "tfidf")
    assert best.text.endswith(
        "Its macro-F1 cross-validated on 5 folds of the training tickets (mean ± standard "
        "deviation over the folds) was 0.885 ± 0.055, the best; next came embedding, "
        "0.866 ± 0.049."
    )
    assert best.evidence["cv_macro_f1"] == 0.885 and best.evidence["cv_macro_f1_sd"] == 0.055
    assert intent_finding(table, "torch").text.endswith(
        "was 0.801 ± 0.029; the best was tfidf, 0.885 ± 0.055."
    )
    sampled = intent_finding(table.assign(cv_tickets=2000), "tfidf").text
    assert "cross-validated on 5 folds of 2,000 training tickets (mean" in sampled


def test_compare_uses_other_tickets_as_out_of_scope_examples(tickets: pd.DataFrame) -> None:
    """Tickets labelled 'other' are counted in cross-validation and a confident 'other' is
    not a ticket the bot answers itself."""
    extra = pd.DataFrame(
        {
            "ticket_id": [f"x{k}" for k in range(40)],
            "text": [f"do you sell garden gnomes number {k}?" for k in range(20)]
            + [f"你们招聘吗 {k}" for k in range(20)],
            "intent": ["other"] * 20 + ["其他"] * 20,
        }
    )
    train, test = split_labelled(pd.concat([tickets, extra], ignore_index=True), seed=0)
    table, models = compare_intent_models(train, test, models=("tfidf",), seed=0)
    r = table.iloc[0]
    assert r["out_of_scope_cv"] == 28  # the 14 training tickets of each label, out of fold
    routed = models["tfidf"].predict_frame(test)
    oos = test["intent"].isin(["other", "其他"]).to_numpy()
    assert (routed["route"].to_numpy()[oos] == "human").all()
    assert r["answered"] == pytest.approx((routed["route"] == "bot").mean())
    assert r["answered"] <= 1 - oos.mean()


def test_lexicon_baseline_answers_in_the_data_labels() -> None:
    from opsai.service.chapter import _Lexicon

    plain = "the parcel arrived on tuesday"  # no sentiment word
    binary = _Lexicon().fit(["x", "y", "z"], ["pos", "neg", "pos"])
    assert list(binary.predict(["great, I love it", "terrible, broken", plain])) == [
        "pos",
        "neg",
        "pos",  # the most common label, never a 'neutral' the data does not have
    ]
    three = _Lexicon().fit(["x", "y", "z"], ["positive", "negative", "neutral"])
    assert list(three.predict([plain, "terrible, broken"])) == ["neutral", "negative"]


def test_reply_finding_separates_kb_gaps_from_wrong_answers() -> None:
    """The kb answers 2 of 4 intents: the overall hit rate is capped by that, so the finding
    also gives the rate on the tickets it covers and names the intents it lacks."""
    truth = pd.Series(["refund"] * 4 + ["login"] * 2 + ["delay"] * 3 + ["invoice"])
    replies = pd.DataFrame(
        {
            "reply_intent": ["refund"] * 3 + ["login"] * 3 + ["refund"] * 4,
            "escalate": [False] * 5 + [True] * 5,
        }
    )
    f = reply_finding(replies, truth, ["refund", "login", None])
    assert f.evidence == {
        "hit_rate": 0.5,
        "hit_rate_covered": 5 / 6,
        "covered_share": 0.6,
        "intents_without_answer": 2,
        "escalated": 0.5,
    }
    assert f.severity == "medium"
    assert f.text == (
        "The top suggested reply was written for the ticket's intent for 50.0% of held-out "
        "tickets; 50% go to an agent. It was right for 83.3% of the 60% whose intent the "
        "knowledge base answers. It has no answer for 2 of the 4 intents in the held-out "
        "tickets (40% of them; most common: delay, invoice): adding those answers is what "
        "would raise the hit rate."
    )
    full = reply_finding(replies, truth, ["refund", "login", "delay", "invoice"])
    assert full.severity == "info" and full.evidence["covered_share"] == 1.0
    assert "no answer" not in full.text
    none = reply_finding(replies.assign(reply_intent=None), truth, None)
    assert none.evidence["hit_rate"] is None
    assert "data.tables.kb.columns.intent" in none.text


def test_reply_finding_leaves_out_of_scope_tickets_out() -> None:
    """An out-of-scope ticket has no answer to find: it is neither a miss nor a kb gap."""
    truth = pd.Series(["refund"] * 4 + ["oos"] * 3 + ["其他"])
    replies = pd.DataFrame(
        {
            "reply_intent": ["refund"] * 3 + ["login"] + ["refund"] * 4,
            "escalate": [False] * 4 + [True, True, False, True],
        }
    )
    f = reply_finding(replies, truth, ["refund", "login"])
    assert f.evidence["hit_rate"] == 0.75 and f.evidence["covered_share"] == 1.0
    assert f.evidence["out_of_scope"] == 4 and f.evidence["out_of_scope_escalated"] == 0.75
    assert "no answer" not in f.text and f.severity == "info"
    assert f.text.endswith(
        "The 4 out-of-scope tickets (oos, 其他) are not counted: 75% of them went to an "
        "agent, as they should."
    )
    only = reply_finding(replies[4:], truth[4:], ["refund"])
    assert only.evidence["hit_rate"] is None


def test_fill_unlabelled_keeps_labels_and_predicts_the_rest(tickets: pd.DataFrame) -> None:
    """A labelled export with unlabelled rows: the analytics counted those under 'unknown'
    (a fifth of the volume); they get the chosen model's intent, labels stay as they are."""
    model = IntentClassifier(seed=0).fit(tickets["text"].iloc[:160], tickets["intent"].iloc[:160])
    t = tickets.copy()
    t.loc[t.index[160:], "intent"] = None
    out, n = fill_unlabelled(t, model)
    assert n == len(t) - 160 and out["intent"].notna().all()
    assert out["intent"].iloc[:160].tolist() == tickets["intent"].iloc[:160].tolist()
    pred = model.predict(tickets["text"].iloc[160:])
    assert out["intent"].iloc[160:].tolist() == pred.tolist()
    assert (pred == tickets["intent"].iloc[160:].to_numpy()).mean() >= 0.9
    assert t["intent"].iloc[160:].isna().all()  # the input is not changed
    assert fill_unlabelled(tickets, model)[1] == 0


def test_bad_parameters_name_the_chapter_parameter(tickets: pd.DataFrame) -> None:
    """A typo in INTENT_MODEL quietly used the best model and printed 'set by INTENT_MODEL';
    TARGET_PRECISION=95 sent every ticket to an agent; FREQ='month' and TEST_SIZE=1.5 failed
    with pandas and scikit-learn errors that did not name the parameter."""
    from opsai.service.analytics import volume_by_intent

    table = pd.DataFrame(
        {"model": ["tfidf", "torch"], "cv_macro_f1": [0.9, 0.8], "size_kb": [1.0, 1.0],
         "ms_per_ticket": [1.0, 1.0]}
    )  # fmt: skip
    assert chosen_model(table, "auto") == "tfidf" and chosen_model(table, "torch") == "torch"
    with pytest.raises(ConfigError, match=r"INTENT_MODEL='bert': use 'auto' or one of"):
        chosen_model(table, "bert")
    with pytest.raises(ConfigError, match="its package is missing"):
        chosen_model(table, "embedding")
    with pytest.raises(ConfigError, match=r"parameters\.TEST_SIZE"):
        split_labelled(tickets, test_size=1.5)
    train, test = split_labelled(tickets, seed=0)
    with pytest.raises(ConfigError, match=r"0\.95, not 95.*parameters\.TARGET_PRECISION"):
        compare_intent_models(train, test, models=("tfidf",), target_precision=95)
    with pytest.raises(ConfigError, match=r"freq='month'.*parameters\.FREQ"):
        volume_by_intent(tickets.assign(timestamp=pd.Timestamp("2024-01-02")), freq="month")


def test_many_intents_with_few_tickets_each_can_be_split_and_learnt() -> None:
    """150 intents (CLINC150-shaped) with 9 tickets each: a stratified 10% (135 rows) or 20%
    cannot hold every intent, and scikit-learn raised 'The test_size = 138 should be greater
    or equal to the number of classes = 150'; the held-out part now holds one of each."""
    from opsai.service._torch_head import MLPHead

    rng = np.random.default_rng(0)
    y = np.repeat([f"intent_{i:03d}" for i in range(150)], 9)
    X = rng.normal(size=(len(y), 8)).astype(np.float32) + (np.arange(len(y)) // 9 % 8)[:, None]
    t = pd.DataFrame({"text": [f"t{i}" for i in range(len(y))], "intent": y})
    train, val = split_labelled(t, test_size=0.1, seed=0)
    assert len(val) == 150 and set(val["intent"]) == set(y) == set(train["intent"])
    same = split_labelled(t, test_size=0.3, seed=0)[1]  # 405 rows: the usual split
    assert len(same) == 405
    head = MLPHead(epochs=2, seed=0).fit(X, y)
    assert len(head.classes_) == 150


def test_no_spike_text_says_when_there_are_too_few_periods() -> None:
    from opsai.service.chapter import no_spike_text

    one = pd.DataFrame({"period": ["2024-03"] * 2, "intent": ["a", "b"], "tickets": [5, 6]})
    assert no_spike_text(one, 4.0).startswith("The tickets fall in 1 period: too few")
    many = pd.DataFrame({"period": ["2024-01", "2024-02", "2024-03"], "intent": "a"})
    assert no_spike_text(many, 4.0) == (
        "No intent rose above its usual share by 4.0 standard deviations in any period."
    )
    # byod11b D13: "... in any period." then the Billing week's spike read as a contradiction
    assert no_spike_text(many, 4.0, freq="M", weeks=1) == (
        "No intent rose above its usual share by 4.0 standard deviations in any month; one "
        "week did:"
    )
    assert no_spike_text(many, 4.0, freq="M").endswith("in any month.")
    assert no_spike_text(many, 4.0, freq="M", weeks=2).endswith("any month; 2 weeks did:")


def test_sentiment_finding_says_why_no_accuracy() -> None:
    from opsai.service.chapter import sentiment_finding

    table = pd.DataFrame(
        {"language": ["en", "en"], "model": ["trained", "lexicon"], "accuracy": [0.9, 0.7],
         "std": [0.01, 0.01], "n": [100, 100]}
    )  # fmt: skip
    f = sentiment_finding(table)
    assert f.text == (
        "Sentiment accuracy by language - en: 90.0% trained (95% CI 82-95%, 100 texts) vs "
        "70.0% lexicon."
    )
    assert f.evidence == {"accuracy_en": 0.9, "n_en": 100} and f.severity == "info"
    # labels of one kind only (4 and 5 stars): the table is empty; it read "... by language - ."
    empty = sentiment_finding(table.iloc[:0], folds=3)
    assert (
        empty.severity == "medium" and "at least 6 labelled tickets and two classes" in empty.text
    )


def test_tickets_answered_in_another_language_are_a_finding() -> None:
    """Chinese tickets answered from English kb articles were not mentioned anywhere."""
    replies = pd.DataFrame(
        {
            "reply_language": ["en", "en", "en", "en", "en"],
            "language_fallback": [True, True, False, False, False],
        },
        index=[10, 11, 12, 13, 14],
    )
    (f,) = language_fallback_findings(replies, ["zh", "zh-CN", "zh", "en", "en"])
    assert f.name == "reply_language_zh" and f.severity == "medium"
    assert f.text == (
        "2 of 3 held-out Chinese tickets were answered from English kb articles: the knowledge "
        "base has no Chinese answers. Add Chinese answers to the kb (with language 'zh') so "
        "these customers are answered in their own language."
    )
    assert f.evidence == {
        "language": "zh",
        "tickets": 3,
        "answered_in_other_language": 2,
        "answered_in_en": 2,
    }
    assert language_fallback_findings(replies.assign(language_fallback=False), ["zh"] * 5) == []
    assert language_fallback_findings(replies.drop(columns="language_fallback"), ["zh"] * 5) == []


def test_the_comparisons_fit_on_one_blas_thread_and_reuse_tokens(
    tickets: pd.DataFrame, monkeypatch
) -> None:
    from threadpoolctl import threadpool_info

    from opsai.service import _features, sentiment

    seen: list[tuple[set[int], bool]] = []
    real = sentiment.SentimentClassifier.fit

    def spy(self, *args, **kw):
        blas = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
        seen.append((blas, _features._MEMO.get() is not None))
        return real(self, *args, **kw)

    monkeypatch.setattr(sentiment.SentimentClassifier, "fit", spy)
    sentiment_by_language(tickets, folds=2, model="nblr", seed=0)
    assert seen and all(blas == {1} and memo for blas, memo in seen)
    assert _features._MEMO.get() is None  # nothing kept after the comparison


def test_a_few_labelled_tickets_cannot_let_the_bot_answer(tickets: pd.DataFrame) -> None:
    """30 tickets (21 to train, 9 held out) read "it answers every ticket itself, at 100.0%
    accuracy": 9 of 9 right is 66-100% at 95%, so the 95% target was never shown. A threshold
    now needs at least tickets_to_show(target) answered cross-validated tickets (72 for 95%):
    with fewer the bot answers none, and the finding says why, with n and the interval."""
    small = tickets.groupby("intent").head(6)
    train, test = split_labelled(small, seed=0)
    assert len(train) < 72
    table, models = compare_intent_models(train, test, models=("tfidf",), folds=3, seed=0)
    r = table.iloc[0]
    assert math.isinf(models["tfidf"].threshold_) and r["answered"] == 0.0
    f = intent_finding(table, "tfidf")
    k = round(r["accuracy"] * len(test))
    assert f"labels {k} of {len(test)} held-out tickets correctly" in f.text
    assert (
        "fewer than the 72 it takes for answers that are all right to show 95% precision" in f.text
    )
    assert "answers no ticket itself" in f.text and f.evidence["test_tickets"] == len(test)
    # the same tickets with enough of them: the threshold is a real one
    train, test = split_labelled(tickets, seed=0)
    table, models = compare_intent_models(train, test, models=("tfidf",), folds=3, seed=0)
    assert math.isfinite(models["tfidf"].threshold_) and table["answered"].iloc[0] > 0.5


def test_intent_finding_gives_n_and_an_interval() -> None:
    table = pd.DataFrame(
        {
            "model": ["a"],
            "threshold": [0.4],
            "accuracy": [1.0],
            "macro_f1": [1.0],
            "answered": [1.0],
            "accuracy_answered": [1.0],
            "test_tickets": [9],
        }
    )
    f = intent_finding(table, "a")
    assert f.text.startswith(
        "The a intent model labels 9 of 9 held-out tickets correctly (100.0%, 95% CI 66-100%; "
        "macro-F1 1.00); it answers every ticket itself, at 100.0% accuracy (95% CI 66-100%)."
    )
    assert f.severity == "medium"  # 66% at the low end is no "info"
    assert f.evidence["accuracy_ci_low"] == pytest.approx(0.025 ** (1 / 9))


def test_sentiment_at_or_below_chance_is_flagged() -> None:
    """3 classes, csat labels: 29% trained read as a plain accuracy, below what always
    answering the most common label scores."""
    table = pd.DataFrame(
        {
            "language": ["en", "en", "zh", "zh"],
            "model": ["trained", "lexicon", "trained", "lexicon"],
            "accuracy": [0.29, 0.25, 0.9, 0.7],
            "std": [0.1, 0.1, 0.02, 0.02],
            "n": [30.0, 30.0, 400.0, 400.0],
            "majority": [0.4, 0.4, 0.5, 0.5],
        }
    )
    f = sentiment_finding(table, folds=3)
    assert f.severity == "medium" and f.evidence["no_signal"] == "en"
    assert (
        "en: 29.0% trained (95% CI 15-49%, 30 texts) vs 25.0% lexicon, no better than always "
        "answering the most common label (40.0%): no usable signal; zh: 90.0% trained "
        "(95% CI 87-93%, 400 texts) vs 70.0% lexicon." in f.text
    )
    assert sentiment_finding(table[table["language"] == "zh"]).severity == "info"


def test_a_language_that_cannot_be_evaluated_is_skipped_not_a_failure() -> None:
    """byod6 D2/D5: Korean reviews took chapter 05 down; Spanish tickets were scored with the
    English lexicon. Now each language is evaluated on its own: one the lexicon has no words
    for has no lexicon row, one that cannot be evaluated is skipped with the reason."""
    from opsai.service.chapter import unscored_languages_finding

    es = ["Mi pedido nunca llegó, quiero un reembolso", "El paquete llegó roto y dañado",
          "Muchas gracias, todo perfecto", "Excelente servicio, llegó rápido"]  # fmt: skip
    ko = ["앱이 자꾸 꺼져요", "최고의 앱이에요"]
    fr = ["c'est nul", "pas reçu", "colis abîmé", "très lent", "super", "parfait"]
    tickets = pd.DataFrame(
        {
            "text": [f"{t} {i}" for i in range(5) for t in es] + ko * 2 + fr,
            "sentiment": ["negative", "negative", "positive", "positive"] * 5
            + ["negative", "positive"] * 2
            + ["negative", "negative", "neutral", "neutral", "positive", "positive"],  # 3 folds?
            "language": ["es"] * 20 + ["ko"] * 4 + ["fr"] * 6,
        }
    )
    table = sentiment_by_language(tickets, folds=3, model="nblr", seed=0)
    assert table[["language", "model"]].values.tolist() == [["es", "trained"]]
    assert table["accuracy"].iloc[0] >= 0.5
    assert set(table.attrs["skipped"]) == {"ko", "fr"}
    assert table.attrs["skipped"]["ko"].startswith("4 labelled texts, 2 label(s)")
    assert table.attrs["skipped"]["fr"] == (
        "too few distinct labelled texts for the 3-fold check once repeated texts are counted "
        "once (each label needs 3)"
    )
    f = sentiment_finding(table, folds=3)
    assert f.evidence["no_lexicon"] == "es" and "es: " in f.text
    assert "The lexicon baseline has English and Chinese words only: Spanish tickets" in f.text
    assert "Not checked - fr: too few distinct" in f.text and "; ko: 4 labelled texts" in f.text
    assert unscored_languages_finding(["en", "zh"], ["positive", "negative"]) is None
    u = unscored_languages_finding(["en", "es", "es", "ko"], ["negative", None, None, np.nan])
    assert u is not None and u.evidence == {"unscored_es": 2, "unscored_ko": 1, "unscored": 3}
    assert u.text.startswith(
        "No lexicon or model for Spanish (2 tickets, 50%) and Korean (1 ticket, 25%)"
    )


def test_unrated_tickets_get_a_predicted_sentiment_and_reach_the_queue(
    tickets: pd.DataFrame,
) -> None:
    """CSAT answered by 30%: the unrated complaints had no sentiment, so the escalation
    queue was only the customers who clicked "bad" (D9)."""
    from opsai.service import escalation_queue
    from opsai.service.chapter import (
        SENTIMENT_SOURCE,
        escalation_text,
        fill_sentiment,
        sentiment_models,
    )

    rng = np.random.default_rng(1)
    rated = rng.random(len(tickets)) < 0.3
    partial = tickets.assign(sentiment=tickets["sentiment"].where(rated))
    before = escalation_queue(partial)
    hidden_neg = (~rated) & (tickets["sentiment"] == "negative").to_numpy()
    assert not before["ticket_id"].isin(tickets.loc[hidden_neg, "ticket_id"]).any()

    table = sentiment_by_language(partial, folds=3, model="nblr", seed=0)
    filled, f = fill_sentiment(partial, table, model="nblr", seed=0)
    assert (filled.loc[rated, "sentiment"] == tickets.loc[rated, "sentiment"]).all()
    # en: the lexicon scored 83.3% against the trained model's 80.0% on the same folds
    assert sentiment_models(table) == {"en": "lexicon", "zh": "trained"}
    source = np.where(rated, "label", tickets["language"].map({"en": "lexicon", "zh": "trained"}))
    assert (filled[SENTIMENT_SOURCE] == source).all()
    right = filled.loc[~rated, "sentiment"] == tickets.loc[~rated, "sentiment"]
    assert right.mean() >= 0.7  # 0.76 measured: 72 labelled tickets only
    queue = escalation_queue(filled)
    reached = int(queue["ticket_id"].isin(tickets.loc[hidden_neg, "ticket_id"]).sum())
    assert reached >= 0.75 * hidden_neg.sum()  # 56 of 66 measured; 0 before
    n_rated = int((rated & (tickets["sentiment"] == "negative").to_numpy()).sum())
    n_pred = int((queue[SENTIMENT_SOURCE] != "label").sum())
    assert escalation_text(queue, valued=False, open_known=False) == (
        f"{len(queue):,} tickets (no resolution column: all count as open) need a senior agent "
        f"(angry customers: {n_rated} rated negative + {n_pred} predicted negative; no spend to "
        "rank them by: that needs orders and user ids on tickets)."
    )
    assert f.evidence == {
        "rated": int(rated.sum()),
        "predicted": int((~rated).sum()),
        "predicted_negative": int((filled.loc[~rated, "sentiment"] == "negative").sum()),
        "rated_negative": n_rated,
    }
    assert f.text.startswith(f"{(~rated).sum()} of 240 tickets ({(~rated).mean():.0%}) carry no")
    n_zh, n_en = (int((~rated & (tickets["language"] == lg)).sum()) for lg in ("zh", "en"))
    assert f"({n_zh} by the model trained on the labels, {n_en} by the lexicon)" in f.text


def test_sentiment_models_fall_back_to_the_lexicon_without_usable_signal() -> None:
    from opsai.service.chapter import SENTIMENT_SOURCE, fill_sentiment, sentiment_models

    table = pd.DataFrame(
        {"language": ["en", "en", "zh", "zh", "es", "es"],
         "model": ["trained", "lexicon"] * 3,
         "accuracy": [0.69, 0.89, 0.90, 0.70, 0.80, 0.85],
         "majority": [0.70, 0.70, 0.60, 0.60, 0.50, 0.50]}
    )  # fmt: skip
    # en: no better than always 'negative'; es: the lexicon did better
    assert sentiment_models(table) == {"en": "lexicon", "zh": "trained", "es": "lexicon"}
    assert sentiment_models(pd.DataFrame()) == {}
    t = pd.DataFrame(
        {"text": ["This is terrible, very angry", "Thanks, great service", "ok"],
         "language": ["en", "en", "en"], "sentiment": [None, None, "positive"]}
    )  # fmt: skip
    out, f = fill_sentiment(t, table)
    assert out["sentiment"].tolist() == ["negative", "positive", "positive"]
    assert out[SENTIMENT_SOURCE].tolist() == ["lexicon", "lexicon", "label"]
    assert f.evidence["predicted_negative"] == 1 and "(2 by the lexicon)" in f.text


def test_no_guess_where_neither_model_beats_the_majority_label() -> None:
    """byod9b D3: on JDDC-style chats whose ratings do not follow the text, the lexicon (29.5%)
    and the trained model (41.6%) both scored below always answering '满意' (49.9%), yet the
    lexicon labelled the 1,158 unrated tickets and they fed the negative-share KPI. Now such a
    language's unrated tickets get no sentiment, and the finding says the share counts the
    rated tickets only."""
    from opsai.service.chapter import SENTIMENT_SOURCE, fill_sentiment, sentiment_models

    table = pd.DataFrame(
        {"language": ["zh", "zh", "en", "en"], "model": ["trained", "lexicon"] * 2,
         "accuracy": [0.416, 0.295, 0.60, 0.75], "majority": [0.499, 0.499, 0.70, 0.70]}
    )  # fmt: skip
    assert sentiment_models(table) == {"zh": "none", "en": "lexicon"}
    t = pd.DataFrame(
        {"text": ["快递太慢了，很生气", "谢谢，很满意", "物流查询", "Terrible, angry"],
         "language": ["zh", "zh", "zh", "en"],
         "sentiment": [None, None, "negative", None]}
    )  # fmt: skip
    out, f = fill_sentiment(t, table)
    assert out["sentiment"].tolist()[:3] == [None, None, "negative"]
    assert out[SENTIMENT_SOURCE].tolist() == ["no_signal", "no_signal", "label", "lexicon"]
    assert "2 get none: neither the trained model nor the lexicon beat" in f.text
    zh, _ = fill_sentiment(t.iloc[:3], table)
    _, f = fill_sentiment(t.iloc[:3], table)
    assert f.text.startswith("2 of 3 tickets (67%) carry no sentiment label and get no prediction")
    assert "count the 1 rated tickets only (1 of them negative)" in f.text
    assert zh["sentiment"].notna().sum() == 1
    from opsai.service.findings import unscored_languages_finding

    skip = out[SENTIMENT_SOURCE] == "no_signal"  # not 'no lexicon for Chinese': said above
    assert unscored_languages_finding(out["language"], out["sentiment"], skip=skip) is None
    assert unscored_languages_finding(out["language"], out["sentiment"]) is not None


def test_unrated_tickets_in_a_language_without_lexicon_get_none_not_neutral() -> None:
    """byod6 D5: unrated Spanish tickets went to the English lexicon, which called every
    complaint neutral. A language with its own labels uses its trained model (no lexicon row
    to beat); one without gets no sentiment, and a finding names it."""
    from opsai.service.chapter import (
        SENTIMENT_SOURCE,
        fill_sentiment,
        sentiment_models,
        unscored_languages_finding,
    )

    table = pd.DataFrame(
        {"language": ["en", "en", "es"], "model": ["trained", "lexicon", "trained"],
         "accuracy": [0.9, 0.8, 0.85], "majority": [0.5, 0.5, 0.5]}
    )  # fmt: skip
    assert sentiment_models(table) == {"en": "trained", "es": "trained"}
    t = pd.DataFrame(
        {"text": ["This is terrible", "El paquete llegó roto", "届いていません"],
         "language": ["en", "es", "ja"], "sentiment": [None, None, None]}
    )  # fmt: skip
    out, f = fill_sentiment(t, pd.DataFrame())
    assert out["sentiment"].tolist() == ["negative", None, None]
    assert out[SENTIMENT_SOURCE].tolist() == ["lexicon", "none", "none"]
    assert "(1 by the lexicon, 2 get none: their language has no model)" in f.text
    u = unscored_languages_finding(out["language"], out["sentiment"])
    assert u is not None and u.evidence["unscored"] == 2


def test_held_out_tickets_are_wordings_the_model_has_not_learnt() -> None:
    """byod9b D17: a random row split left 92% of held-out texts (FAQ-like repeats) in
    training too, and the chapter read 88% where new wordings got 30%. The split and the
    folds now keep a text's copies (normalised: case, width, spaces) on one side, and the
    finding says how many tickets repeat another's text."""
    from opsai.service._intent_cv import intent_folds
    from opsai.service.chapter import text_keys

    intents = [f"i{k}" for k in range(6)]
    rows = []
    for k, intent in enumerate(intents):
        for w in range(8):  # 8 wordings per intent, repeated 1-20 times (Zipf-like)
            text = f"question {k} wording {w} please"
            for c in range(int(20 / (w + 1))):
                rows.append((text.upper() if c % 3 == 0 else f" {text} ", intent))
    d = pd.DataFrame(rows, columns=["text", "intent"]).sample(frac=1, random_state=1)
    train, test = split_labelled(d, seed=0)
    seen = set(text_keys(train["text"]))
    assert len(test) > 0 and not text_keys(test["text"]).isin(seen).any()
    assert set(test["intent"]) == set(intents)  # stratified by the texts' intents
    labels = d["intent"].to_numpy()
    keys = text_keys(d["text"]).tolist()
    for tr, te in intent_folds(labels, folds=4, seed=0, what="x", groups=keys):
        assert not {keys[i] for i in te} & {keys[i] for i in tr}
    table, _ = compare_intent_models(train, test, models=("tfidf",), folds=3, seed=0)
    every = text_keys(pd.concat([train["text"], test["text"]]))
    assert table.iloc[0]["repeated_texts"] == pytest.approx(every.duplicated(keep=False).mean())
    f = intent_finding(table, "tfidf")
    assert "of the labelled tickets repeat another's text" in f.text
    assert f.evidence["repeated_texts"] > 0.9
