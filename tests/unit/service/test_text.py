"""Normalisation, language detection and tokenisation."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.service.text import (
    Tokenizer,
    detect_language,
    language_code,
    normalize,
    read_ticket_languages,
    strip_markup,
    ticket_languages,
    tokenize,
)

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
        ("ㅋㅋㅋ", "ko"),
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


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Mi pedido nunca llegó. Quiero un reembolso.", "es"),
        ("El paquete llegó dañado, la caja estaba aplastada y el artículo está roto.", "es"),
        ("¿Puedo devolver un artículo después de 30 días?", "es"),
        ("Muchas gracias, el reemplazo llegó rápido.", "es"),
        ("Meine Bestellung ist nicht angekommen, bitte um Rückerstattung", "de"),
        ("Ma commande n'est jamais arrivée et le colis est abîmé", "fr"),
        ("O meu pedido não chegou e a caixa está danificada", "pt"),
        ("Il mio ordine non è mai arrivato, la scatola era rotta", "it"),
        ("Mijn bestelling is niet aangekomen en de doos was kapot", "nl"),
        ("Ứng dụng bị treo sau khi cập nhật", "vi"),
        ("The package arrived damaged, the box was crushed and the item is broken.", "en"),
        ("Do you ship to Canada?", "en"),
        ("I live on Calle de la Paz and my order is late", "en"),
        ("Hi, I'm Łukasz, my order never arrived", "en"),  # a name is not a language
        ("come quick!", "en"),  # one Italian-looking word is not Italian
        ("Gracias", "es"),  # but thanks in one language is that language
        ("Hola, no funciona", "es"),
        ("Merci beaucoup", "fr"),
        ("El paquete llegó roto", "es"),
        ("José called about order 123", "en"),
        ("The discount wasn't applied to my order o00018698.", "en"),
        ("Приложение постоянно вылетает после обновления", "ru"),
        ("Застосунок постійно вилітає після оновлення", "uk"),
        ("Η εφαρμογή κολλάει μετά την ενημέρωση", "el"),
        ("التطبيق يتوقف بعد التحديث", "ar"),
        ("แอปค้างหลังอัปเดต", "th"),
        ("ऐप अपडेट के बाद क्रैश हो रहा है", "hi"),
        ("האפליקציה קורסת", "he"),
    ],
)
def test_detect_language_beyond_zh_and_en(text: str, lang: str) -> None:
    """byod6 D5: Spanish tickets (27% of a US shop's) were all 'en'; Russian, Thai, Arabic and
    Greek were 'und'."""
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        # Korean: the words between spaces (eojeol); once nothing at all
        (
            "지금까지 써본 메모 앱 중 최고예요. 빠르고 간단해요!",
            ["지금까지", "써본", "메모", "앱", "중", "최고예요", "빠르고", "간단해요"],
        ),
        ("버전 3.2.0 이후 앱이 꺼져요", ["버전", "3", "2", "0", "이후", "앱이", "꺼져요"]),
        # kana: a run of one script, not one kana at a time
        ("アップデート後起動しなくなりました", ["アップデート", "後", "起動", "しなくなりました"]),
        # accented letters belong to their word (D6: da / ñ / ado)
        (
            "El paquete llegó dañado, la caja estaba aplastada",
            ["el", "paquete", "llegó", "dañado", "la", "caja", "estaba", "aplastada"],
        ),
        ("Müller Straße café naïve", ["müller", "straße", "café", "naïve"]),
        ("l'application ne marche plus", ["application", "ne", "marche", "plus"]),
        ("dell'app, I'm sure it's fine", ["app", "i'm", "sure", "it's", "fine"]),
        # other alphabets: letter runs, combining marks included
        ("Приложение вылетает", ["приложение", "вылетает"]),
        ("Η εφαρμογή κολλάει", ["η", "εφαρμογή", "κολλάει"]),
        ("ऐप अपडेट के बाद", ["ऐप", "अपडेट", "के", "बाद"]),
        ("Ứng dụng bị treo", ["ứng", "dụng", "bị", "treo"]),
        # each emoji one token, its skin tone and variation selector dropped
        ("❤️❤️ love it 👍🏽", ["❤", "❤", "love", "it", "👍"]),
        ("I bought a 小米 phone", ["i", "bought", "a", "小米", "phone"]),
    ],
)
def test_tokenizer_gives_words_in_every_script(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_tokenizer_languages() -> None:
    assert Tokenizer(language="en")("我的小米手环坏了") == ["我的小米手环坏了"]  # no jieba
    assert Tokenizer(language="zh", drop_punct=False)("坏了！") == ["坏", "了", "!"]  # NFKC


def test_language_code_reads_names_codes_and_countries() -> None:
    """byod6 D20: 'USA', 'JPN', 'KOR' were the languages 'usa', 'jpn', 'kor'."""
    values = ["zh-CN", "English", "Español", "Spanish", "Deutsch", "spa", "KOR", "USA", "xx-YY"]
    assert [language_code(v) for v in values] == [
        "zh",
        "en",
        "es",
        "es",
        "de",
        "es",
        "ko",
        None,
        "xx",
    ]
    texts = ["Crashes on launch", "起動しない", "실행이 안 돼요", "hola, la app no funciona"]
    assert ticket_languages(texts, ["USA", "JPN", "KOR", None]) == ["en", "ja", "ko", "es"]
    assert ticket_languages(texts, ["en", "JPN", "ko", "es-MX"]) == ["en", "ja", "ko", "es"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [  # byod8 D5: Olist's short Portuguese reviews read as en/es, a French ticket as en
        ("Entrega atrasada, muito decepcionado", "pt"),
        ("péssimo atendimento, atraso na entrega", "pt"),
        ("Chegou antes do prazo, recomendo", "pt"),
        ("Produto excelente, muito bom", "pt"),
        ("Ótimo vendedor, entrega rápida", "pt"),
        ("Gostei muito", "pt"),
        ("Tudo certo, obrigado", "pt"),
        ("Super produit, un mode sombre serait génial.", "fr"),
        ("Producto excelente, llegó muy rápido", "es"),
        ("Lieferung kam schnell, Produkt gut", "de"),
        ("Great product, fast delivery", "en"),
        ("Produit cassé", "fr"),  # accented words no English word backs are not English
        ("Pésima atención", "es"),
        ("José called about order 123", "en"),
    ],
)
def test_detect_language_short_reviews(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_short_texts_take_the_language_of_their_set() -> None:
    """A text whose words decide nothing ("Amei!", "Top demais") takes the language of the
    set's decided texts; one whose words lean elsewhere ("Thanks") keeps its own."""
    pt = ["Não recebi o produto", "Chegou antes do prazo, recomendo", "Produto excelente"]
    langs, note = read_ticket_languages([*pt, "Amei!", "Top demais", "Thanks", "很好"])
    assert langs == ["pt", "pt", "pt", "pt", "pt", "en", "zh"]
    assert note == (
        "Languages: 3 Latin-script texts decided by their own words; 2 short texts whose words "
        "said too little read as 'pt', the language of most of them."
    )
    assert detect_language("Amei!") == "en"  # alone, the default is unchanged
    # a given language is kept; an English set leaves its short texts English, and says nothing
    assert ticket_languages(["Amei!", "Where is my order?"], ["pt-BR", None]) == ["pt", "en"]
    assert read_ticket_languages(["ok", "Where is my order?", "It never arrived"]) == (
        ["en", "en", "en"],
        "",
    )


def test_olist_and_freshdesk_language_counts() -> None:
    """The tester's sets in miniature: every Portuguese review pt, every French ticket fr."""
    reviews = (
        ["Entrega atrasada, muito decepcionado"] * 166
        + ["Gostei muito"] * 665
        + ["Ótimo vendedor, entrega rápida"] * 698
        + ["Top"] * 10
    )
    assert pd.Series(ticket_languages(reviews)).value_counts().to_dict() == {"pt": 1539}
