"""Normalisation, language detection and tokenisation."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.service.text import Tokenizer, detect_language, normalize, strip_markup, tokenize

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("raw", "kw", "expected"),
    [
        ("ＨＥＬＬＯ，  World", {}, "hello, world"),
        ("订单１２３４５６７８", {}, "订单12345678"),
        ("Ｉ　ＬＯＶＥ\t\n it", {}, "i love it"),  # ideographic space and tabs
        ("CaSe", {"lower": False}, "CaSe"),
        ("ＡＢ", {"width": False}, "ａｂ"),
        ("great 👍🏽!", {"emoji": "remove"}, "great !"),
        ("great 👍!", {"emoji": "name"}, "great thumbs up sign !"),
        ("great 👍", {}, "great 👍"),
        ("&#32431;&#20013;&#26041;&#31649;&#29702;&amp;ok", {}, "纯中方管理&ok"),  # zh-reviews
        ("a&nbsp;b", {}, "a b"),
        ("&amp;", {"entities": False}, "&amp;"),
        ("  ", {}, ""),
        (None, {}, ""),
    ],
)
def test_normalize(raw: str, kw: dict, expected: str) -> None:
    assert normalize(raw, **kw) == expected


def test_normalize_rejects_unknown_emoji_mode() -> None:
    with pytest.raises(ConfigError, match="emoji="):
        normalize("x", emoji="drop")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("退款", "zh"),
        ("好", "zh"),
        ("ok", "en"),
        ("Hi", "en"),
        ("iPhone 15 屏幕坏了", "zh"),
        ("I bought a 小米 phone and it broke", "en"),
        ("订单o00001234", "zh"),
        ("ありがとう", "ja"),
        ("감사합니다", "ko"),
        ("12345", "und"),
        ("👍", "und"),
        ("", "und"),
    ],
)
def test_detect_language_short_strings(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_default() -> None:
    assert detect_language("!!!", default="en") == "en"


def test_tokenizer_user_dictionary_keeps_product_names() -> None:
    plain = Tokenizer()("我的小米手环坏了")
    custom = Tokenizer(user_words=["小米手环"])("我的小米手环坏了")
    assert "小米手环" not in plain
    assert custom == ["我", "的", "小米手环", "坏", "了"]


def test_tokenize_english_and_mixed() -> None:
    assert tokenize("Where is my ORDER? I'm angry!") == [
        "where",
        "is",
        "my",
        "order",
        "i'm",
        "angry",
    ]
    assert tokenize("退款，iPhone坏了") == ["退款", "iphone", "坏", "了"]
    assert tokenize("") == []


def test_tokenizer_pickles() -> None:
    tk = pickle.loads(pickle.dumps(Tokenizer(user_words=("小米手环",))))
    assert tk("小米手环") == ["小米手环"]


def test_strip_markup_reads_html_bodies_as_their_text() -> None:
    """A Zendesk export's bodies: the discovered topics were 'br / div / sent' before."""
    raw = pd.Series(
        [
            '<p>Where is my order?</p><p>&nbsp;</p><div class="signature">Sent from my iPhone</div>',
            "price < 10 and > 5, <3",
            "<br>你好，<b>包裹</b>到哪了？<br>发自我的iPhone",
            None,
            "<table><tr><td>size</td><td>M</td></tr></table><script>x()</script>",
            "Sent from my iPhone",  # no markup: left as it is
        ],
        index=[5, 6, 7, 8, 9, 10],
    )
    out, n = strip_markup(raw)
    assert n == 3 and list(out.index) == [5, 6, 7, 8, 9, 10]
    assert out.tolist()[:3] == [
        "Where is my order?",
        "price < 10 and > 5, <3",
        "你好，包裹到哪了？",
    ]
    assert pd.isna(out[8]) and out[9] == "size M" and out[10] == "Sent from my iPhone"
