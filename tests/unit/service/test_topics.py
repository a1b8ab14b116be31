"""Topic discovery recovers planted intents and names them by their words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError, NotFittedError, OpsaiError
from opsai.service.topics import TopicModel

pytestmark = pytest.mark.unit


def _purity(labels: np.ndarray, truth: np.ndarray) -> float:
    t = pd.crosstab(labels, truth)
    return float(t.max(axis=1).sum() / t.values.sum())


TOPICS = {
    "refund": ["refund", "money", "back", "reimburse"],
    "login": ["password", "login", "account", "locked"],
    "invoice": ["invoice", "vat", "receipt", "company"],
}
FILLER = ["kettle", "lamp", "backpack", "today", "hello", "really", "great", "sad"]


def _planted(n: int = 30, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    texts, truth = [], []
    for topic, words in TOPICS.items():
        for _ in range(n):
            w = list(rng.choice(words, 3)) + list(rng.choice(FILLER, 3))
            texts.append(" ".join(rng.permutation(w)))
            truth.append(topic)
    return texts, np.array(truth)


def test_recovers_planted_topics_and_names_them() -> None:
    texts, truth = _planted()
    tm = TopicModel(k_range=(2, 6), encoder="tfidf", seed=0).fit(texts)
    assert tm.n_topics_ == 3 and tm.encoder_ is None
    assert _purity(tm.labels_, truth) >= 0.95
    table = tm.topic_table()
    assert list(table.columns) == ["topic", "name", "size", "share", "terms"]
    assert table["size"].sum() == 90 and table["size"].min() >= 25
    for topic, words in TOPICS.items():
        name = table.loc[pd.crosstab(tm.labels_, truth)[topic].idxmax(), "name"]
        assert set(name.split(" / ")) <= set(words), (topic, name)
    assert (tm.predict(texts) == tm.labels_).mean() >= 0.95


@pytest.mark.parametrize("encoder", ["tfidf", "use"])
def test_demo_like_tickets_in_both_languages(tickets: pd.DataFrame, encoder: str) -> None:
    for lang in ("en", "zh"):
        d = tickets[tickets["language"] == lang]
        tm = TopicModel(n_topics=4, encoder=encoder, seed=0).fit(d["text"])
        assert tm.n_topics_ == 4
        assert _purity(tm.labels_, d["intent"].to_numpy()) >= 0.45  # chance is about 0.27


def test_sentence_embeddings_group_paraphrases_across_languages() -> None:
    refund = [
        "I want my money back",
        "please refund me",
        "退款什么时候到账",
        "我要退款",
        "钱还没退回来",
    ]
    login = [
        "I can't log in",
        "password reset never arrives",
        "账号登录不了",
        "密码错误登不上",
        "账户被锁了",
    ]
    texts = refund + login
    truth = np.array(["refund"] * 5 + ["login"] * 5)
    tm = TopicModel(n_topics=2, encoder="use", seed=0).fit(texts)
    assert tm.encoder_ is not None and _purity(tm.labels_, truth) == 1.0
    assert TopicModel(encoder="auto").fit(texts).encoder_ is not None  # USE is installed


def test_product_names_are_masked() -> None:
    tm = TopicModel(stop_words=["Bluetooth Speaker", "蓝牙音箱"], encoder="tfidf")
    assert tm._mask(["my bluetooth speaker broke", "蓝牙音箱坏了"]) == [
        "my product broke",
        "product坏了",
    ]
    with pytest.raises(ConfigError, match="encoder='bert'"):
        TopicModel(encoder="bert").fit(["a b c"] * 20)


def test_errors() -> None:
    with pytest.raises(NotFittedError):
        TopicModel().predict(["x"])
    with pytest.raises(ConfigError, match="n_topics"):
        TopicModel(n_topics=1).fit(["a b"] * 20)
    with pytest.raises(OpsaiError, match="too few"):
        TopicModel().fit(["a", "b"])


def test_topics_are_named_only_by_words_they_hold_and_names_are_unique() -> None:
    """A cluster of greetings ("在吗", 400 of them in a Taobao chat) holds no topic word: it
    was named by the words least common overall ("麦当劳 / 归宿 / 不乏", negative lift), and
    three clusters shared that name. Now a name's words are in the cluster and more common
    there than overall; a cluster without such words is named by its most common text, and
    clashing names are told apart."""
    texts, truth = _planted()
    copies = [f"{t} !" for t in texts[:30]]  # the refund tickets again: the same words
    texts += ["在吗"] * 40 + ["好的谢谢"] * 30 + ["好的谢谢 "] + copies
    group = [*truth, *["hello"] * 40, *["thanks"] * 31, *["refund_a"] * 30]
    order = sorted(set(group))
    vec = {t: np.eye(len(order))[order.index(g)] for t, g in zip(texts, group, strict=True)}

    def encoder(xs: list[str]) -> np.ndarray:
        return np.array([vec[x] for x in xs])

    tm = TopicModel(n_topics=len(order), encoder=encoder, seed=0).fit(texts)
    table = tm.topic_table().set_index("topic")
    named = {g: table.loc[tm.labels_[group.index(g)], "name"] for g in order}
    assert named["hello"] == "在吗" and named["thanks"] == "好的谢谢"
    assert table["name"].is_unique, table["name"].tolist()
    # the same words as the refund tickets: one topic (MERGE_COSINE's rule), not two names
    assert named["refund_a"] == named["refund"] and tm.n_topics_ == len(order) - 1
    assert (tm.predict(texts) == tm.labels_).all()  # predict maps clusters to merged topics
    words = np.array([set(t.split()) for t in texts], dtype=object)
    for topic, terms in tm.terms_.items():
        inside = words[tm.labels_ == topic]
        for w in terms:
            share_in = np.mean([w in s for s in inside])
            assert share_in >= 0.05 and share_in > np.mean([w in s for s in words]), (topic, w)


KO = {
    "dark": [
        "다크 모드가 필요해요",
        "다크 모드가 있으면 좋겠어요",
        "밤에는 다크 모드가 꼭 필요해요",
    ],
    "crash": ["업데이트 후 앱이 꺼져요", "앱을 열 때마다 꺼져요", "실행하면 바로 꺼져요"],
    "sync": ["기기 간 동기화가 안 돼요", "동기화가 너무 느려요", "동기화가 계속 실패해요"],
}


def test_korean_topics_are_named_by_korean_words_not_emoji() -> None:
    """byod6 D2/D16: Hangul gave no word, so TopicModel raised 'empty vocabulary' without an
    encoder, and with one the topics were named after 🙏 ("folded / hands / person")."""
    rng = np.random.default_rng(0)
    texts, truth = [], []
    for topic, bank in KO.items():
        for _ in range(30):
            texts.append(str(rng.choice(bank)) + (" 🙏" if rng.random() < 0.5 else ""))
            truth.append(topic)
    tm = TopicModel(n_topics=3, encoder="tfidf", seed=0).fit(texts)
    assert _purity(tm.labels_, np.array(truth)) == 1.0
    names = " / ".join(tm.topic_table()["name"])
    assert "모드" in names and "꺼져요" in names and "동기화가" in names
    assert not any(w in names for w in ("folded", "hands", "person", "🙏"))


def test_texts_that_share_no_word_still_get_topics() -> None:
    """Thai is written without spaces: a phrase is one 'word', and when no phrase repeats the
    word vocabulary is empty; the TF-IDF embedding then falls back to character n-grams."""
    heads = {"crash": "แอปค้างหลังอัปเดต", "easy": "ใช้งานง่ายมาก", "ads": "โฆษณาเยอะเกินไป"}
    ends = ["ครับ", "ค่ะ", "จริงๆ", "เลย", "มากๆ"]
    tails = [a + b for a in ("วันนี้", "ตลอด", "อีกแล้ว", "ทุกวัน") for b in ends]  # 20
    texts = [h + t for h in heads.values() for t in tails]  # 60: a word must occur twice
    truth = np.repeat(list(heads), len(tails))
    tm = TopicModel(n_topics=3, encoder="tfidf", seed=0).fit(texts)
    assert tm.words_.empty_ and _purity(tm.labels_, truth) == 1.0
    assert tm.topic_table()["name"].is_unique


def test_near_identical_topics_are_merged() -> None:
    """Intercom: each request type came as two topics, with and without an "ok thanks"
    follow-up, whose embeddings are near-identical; silhouette chose k=12 for 5 types."""
    base = {"order": [1.0, 0, 0, 0], "address": [0, 1.0, 0, 0], "invoice": [0, 0, 1.0, 0]}
    texts, vec = [], {}
    for k, v in base.items():
        for i in range(20):
            t = f"{k} question {i}"
            texts.append(t)
            vec[t] = np.array(v)
            texts.append(t + " now")  # cosine 0.98 to the plain text
            vec[t + " now"] = np.array(v) + np.array([0, 0, 0, 0.2])
    tm = TopicModel(n_topics=6, encoder=lambda xs: np.array([vec[x] for x in xs]), seed=0)
    tm.fit(texts)
    assert tm.n_topics_ == 3 and tm.kmeans_.n_clusters == 6
    truth = np.repeat([0, 1, 2], 40)
    assert _purity(tm.labels_, truth) == 1.0
    assert sorted(tm.topic_table()["size"]) == [40, 40, 40]
    assert (tm.predict(texts) == tm.labels_).all()


def test_a_mixed_language_topic_is_named_per_language() -> None:
    """byod12b D8: a multilingual embedding put English recall mentions and Chinese ones
    about a new flavour ("很喜欢NordBrew的新口味") in one cluster; its words ranked together, it
    was named '口味 / nordbrew / recall' (flavour, the brand every mention holds). Now each
    language holding a tenth of a topic's tickets names a part of it from its own tickets'
    words, against that language's tickets, the largest language first."""
    recall = ["NordBrew recall: glass fragments found in jars", "NordBrew recall, glass fragments"]
    flavour = ["很喜欢NordBrew的新口味", "NordBrew的新口味不错"]
    other = {
        "en": ["NordBrew opening a store downtown", "Saw an ad for NordBrew on the train"],
        "zh": ["NordBrew在上海开店了", "有人喝过NordBrew吗"],
    }
    texts = [recall[k % 2] + f" #{k}" for k in range(60)] + [flavour[k % 2] for k in range(30)]
    group = ["mixed"] * 90
    for lang, bank in other.items():
        for j, t in enumerate(bank):
            texts += [f"{t} #{k}" for k in range(40)]
            group += [f"{lang}{j}"] * 40
    order = sorted(set(group))
    vec = {t: np.eye(len(order))[order.index(g)] for t, g in zip(texts, group, strict=True)}
    tm = TopicModel(n_topics=len(order), encoder=lambda xs: np.array([vec[x] for x in xs]))
    tm.fit(texts)
    en, zh = tm.names_[int(tm.labels_[0])].split(" · ")  # English holds 60 of 90: first
    assert set(en.split(" / ")) == {"recall", "glass", "fragments"} and zh == "口味"
    assert [set(p) for p in tm.parts_[int(tm.labels_[0])]] == [
        {"recall", "glass", "fragments"},
        {"口味"},
    ]
    assert (
        tm.names_[int(tm.labels_[group.index("zh0")])] == "上海 / 开店"
    )  # one language: as before
    assert not any("nordbrew" in n.lower() for n in tm.names_.values())


def test_a_word_every_ticket_holds_names_no_topic() -> None:
    """byod12b D8: the brand every mention holds named four topics ('anyone / tried /
    nordbrew'): its share in a topic's 939 tickets summed to 1.0000000000000004, above its
    1.0 over all tickets."""
    bank = {
        "Anyone tried NordBrew?": 939,
        "NordBrew is opening a store downtown": 864,
        "Saw an ad for NordBrew on the train": 900,
    }
    texts = [f"{t} #{k}" for t, n in bank.items() for k in range(n)]
    group = [t for t, n in bank.items() for _ in range(n)]
    vec = {t: np.eye(3)[list(bank).index(g)] for t, g in zip(texts, group, strict=True)}
    tm = TopicModel(n_topics=3, encoder=lambda xs: np.array([vec[x] for x in xs])).fit(texts)
    names = {tm.names_[int(tm.labels_[group.index(g)])] for g in bank}
    assert names == {"anyone / tried", "downtown / opening / store", "ad / saw / train"}, names


REVIEWS = {
    ("recall", "en"): [
        "NordBrew recall: glass fragments found in jars",
        "Is my jar part of the NordBrew recall?",
        "Recall notice says the jars may contain glass",
        "Found glass in the jar, is this the recall batch?",
        "How do I return a recalled jar for a refund of the recall?",
    ],
    ("recall", "zh"): [
        "NordBrew召回：罐子里发现玻璃碎片",
        "我的这罐在召回范围内吗？",
        "召回通知说罐子里可能有玻璃",
        "罐子里吃出玻璃了，是召回批次吗？",
        "召回的罐子怎么退？",
    ],
    ("late", "en"): [
        "My parcel has not arrived after two weeks",
        "Delivery is late again, where is my package?",
        "The tracking has not updated for days",
        "Still waiting for my order to be delivered",
        "Courier says delivered but I got nothing",
    ],
    ("late", "zh"): [
        "包裹两周了还没到",
        "快递又延误了，我的包裹在哪？",
        "物流好几天没更新了",
        "还在等我的订单送到",
        "快递说已签收但我没收到",
    ],
    ("login", "en"): [
        "I can't log in to my account",
        "Password reset email never arrives",
        "My account is locked after three tries",
        "The app keeps logging me out",
        "Verification code does not work",
    ],
    ("login", "zh"): [
        "我登录不了账号",
        "重置密码的邮件一直收不到",
        "输错三次账号被锁了",
        "应用老是把我退出登录",
        "验证码没用",
    ],
    ("flavour", "zh"): [
        "很喜欢NordBrew的新口味",
        "新口味太好喝了",
        "这个口味有点甜",
        "希望多出几种口味",
        "新口味比原味好",
    ],
    ("store", "zh"): [
        "NordBrew在上海开店了",
        "新店什么时候开业？",
        "门店的营业时间是几点？",
        "附近有没有门店？",
        "店里排队的人好多",
    ],
    ("price", "zh"): [
        "价格又涨了",
        "太贵了，能便宜点吗？",
        "会员价是多少？",
        "为什么比别家贵？",
        "打折活动什么时候开始？",
    ],
}
ENDINGS = {"en": ["", " today", " please help", " thanks"], "zh": ["", "，急", "，谢谢", "！"]}


def _reviews(keys: list[tuple[str, str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    rows = [
        (t + e, topic, lg) for topic, lg in keys for t in REVIEWS[topic, lg] for e in ENDINGS[lg]
    ]
    texts, topic, lang = zip(*rows, strict=True)
    return list(texts), np.array(topic), np.array(lang)


def _mixed(labels: np.ndarray, lang: np.ndarray) -> int:
    """Topics holding a tenth of their tickets or more in each of two languages."""
    x = pd.crosstab(labels, lang)
    return int((x.min(axis=1) / x.sum(axis=1) >= 0.1).sum())


def test_unrelated_topics_of_two_languages_stay_apart() -> None:
    """byod13: English recall mentions were clustered with unrelated Chinese reviews. Three
    English topics and three unrelated Chinese ones, clustered into three: one topic held
    English and Chinese tickets (purity 0.5). Now each language's mean embedding is taken
    off, and a topic whose language parts do not pair (as intent_pairs pairs labels) is
    split: six topics, none mixing the languages."""
    keys = [("recall", "en"), ("late", "en"), ("login", "en")]
    texts, topic, lang = _reviews([*keys, ("flavour", "zh"), ("store", "zh"), ("price", "zh")])
    before = TopicModel(n_topics=3, encoder="use", centre_languages=False, seed=0).fit(texts)
    assert _mixed(before.labels_, lang) == 1 and _purity(before.labels_, topic) == 0.5
    tm = TopicModel(n_topics=3, encoder="use", seed=0).fit(texts)
    assert set(tm.language_means_) == {"en", "zh"}
    assert tm.n_topics_ == 6 and _mixed(tm.labels_, lang) == 0
    assert _purity(tm.labels_, topic) >= 0.95
    assert (tm.predict(texts) == tm.labels_).all()  # a split topic: the text's language part


def test_one_topic_in_two_languages_stays_one_topic() -> None:
    """The same three topics written in English and in Chinese: centring and the language
    pairing keep each one topic holding both languages (a per-language split cut them in
    half)."""
    texts, topic, lang = _reviews(
        [(t, lg) for t in ("recall", "late", "login") for lg in ("en", "zh")]
    )
    tm = TopicModel(n_topics=3, encoder="use", seed=0).fit(texts)
    assert tm.n_topics_ == 3 and _purity(tm.labels_, topic) == 1.0
    assert _mixed(tm.labels_, lang) == 3
    assert "recall" in tm.names_[int(tm.labels_[0])] and "召回" in tm.names_[int(tm.labels_[0])]
