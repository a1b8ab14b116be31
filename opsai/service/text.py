"""Text pipeline for support tickets: normalisation, language detection and tokenisation.

Tickets in any language go through the same steps:

* :func:`normalize` folds full-width forms to half width (Unicode NFKC: ``ＡＢＣ１２３，`` ->
  ``ABC123,``), lower-cases, collapses whitespace and keeps, removes or names emoji;
* :func:`detect_language` names the language from the script of the letters (``zh``, ``ja``,
  ``ko``, ``ru``, ``el``, ``ar``, ``th``, ...), which works on strings of two or three
  characters where n-gram detectors guess, and for Latin letters from a vote of function words
  (``en``, ``es``, ``pt``, ``fr``, ``de``, ``it``, ``nl``) and letters (``vi``, ``tr``, ...);
* :class:`Tokenizer` splits Chinese with jieba (plus a user dictionary of product names),
  kana into runs of one script, Korean on spaces and every other script into letter runs; it
  is a picklable callable for scikit-learn vectorizers;
* :func:`ticket_languages` reads a language column (ISO 639 codes, tags or names; country
  codes are no language) and detects the rest.

Example:
    >>> normalize("ＨＥＬＬＯ，  World 👍")
    'hello, world 👍'
    >>> detect_language("退款")
    'zh'
    >>> Tokenizer(user_words=["小米手环"])("我的小米手环坏了")
    ['我', '的', '小米手环', '坏', '了']
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, Literal

import pandas as pd

from opsai.data.languages import HAN as _HAN_CHARS
from opsai.data.languages import HANGUL as _HANGUL_CHARS
from opsai.data.languages import KANA, read_language, read_languages
from opsai.errors import ConfigError

__all__ = [
    "EMOJI_RE",
    "LATIN_LANGUAGES",
    "OTHER_STOP_WORDS",
    "STOP_WORDS",
    "Language",
    "Tokenizer",
    "detect_language",
    "language_code",
    "normalize",
    "strip_markup",
    "text_keys",
    "ticket_languages",
    "tokenize",
]

Language = str
"""A language as the chapter names it: an ISO 639-1 code (``"zh"``, ``"en"``, ``"es"``,
``"ko"``, ...) or ``"und"`` (undetermined: no letters)."""
EmojiMode = Literal["keep", "remove", "name"]

EMOJI_RE = re.compile(
    "(?:["
    "\U0001f1e6-\U0001f1ff"  # regional indicators (flags)
    "\U0001f300-\U0001f5ff"  # symbols and pictographs
    "\U0001f600-\U0001f64f"  # emoticons
    "\U0001f680-\U0001f6ff"  # transport and map
    "\U0001f700-\U0001faff"  # extended pictographs
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2b00-\u2bff"  # arrows, stars
    "][\U0001f3fb-\U0001f3ff\ufe0f\u200d]*)+"
)
"""One emoji or an emoji sequence (skin tones, variation selectors, zero-width joiners)."""

_PICTO = (
    "\U0001f300-\U0001f5ff\U0001f600-\U0001f64f\U0001f680-\U0001f6ff\U0001f700-\U0001faff"
    "\u2600-\u27bf\u2b00-\u2bff"
)
_EMOJI_MOD = "[\U0001f3fb-\U0001f3ff\ufe0f]*"
_EMOJI_ONE = (
    f"[\U0001f1e6-\U0001f1ff]{{2}}"  # a flag
    f"|[{_PICTO}]{_EMOJI_MOD}(?:\u200d[{_PICTO}]{_EMOJI_MOD})*"  # one emoji, ZWJ sequences whole
)
_EMOJI_STRIP = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")

_HIRAGANA = "\u3041-\u309f"
_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HAN = re.compile(f"[{_HAN_CHARS}]")
_KANA = re.compile(f"[{KANA}]")
_HANGUL = re.compile(f"[{_HANGUL_CHARS}]")
_SPACE = re.compile(r"\s+")


def _marks() -> str:
    """Combining marks (Unicode M*) as a character class body: the vowel signs of Devanagari,
    Thai or Arabic are part of a word, though ``\\w`` does not match them."""
    ranges, start, prev = [], -1, -1
    for cp in range(0x0300, 0x20000):
        if unicodedata.category(chr(cp)).startswith("M") and not (
            0xFE00 <= cp <= 0xFE0F or 0x20D0 <= cp <= 0x20FF  # variation selectors, keycaps
        ):
            if start < 0:
                start = cp
            prev = cp
        elif start >= 0:
            ranges.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
            start = -1
    return "".join(ranges)


_BASE = f"[^\\W_{_HAN_CHARS}{_HIRAGANA}{_KATAKANA}{_HANGUL_CHARS}]"
"""A letter or digit of any script but Han, kana and Hangul."""
_LETTER = f"(?:{_BASE}|[{_marks()}])"
"""The same, or a combining mark (after a letter: a lone variation selector is no word)."""

_TOKEN = re.compile(
    f"(?P<han>[a-z0-9]*[{_HAN_CHARS}][{_HAN_CHARS}a-z0-9]*)"  # jieba's part, with iPhone坏了
    f"|(?P<hira>[{_HIRAGANA}\u30fc]+)"  # kana: a run of one script is a word
    f"|(?P<kata>[{_KATAKANA}]+)"
    f"|(?P<hangul>[{_HANGUL_CHARS}]+)"  # Korean words (eojeol) are written between spaces
    f"|(?P<word>{_BASE}{_LETTER}*(?:['\u2019]{_BASE}{_LETTER}*)?)"  # any other script
    f"|(?P<emoji>{_EMOJI_ONE})",  # each emoji one token (skin tone and variation dropped)
    re.IGNORECASE,
)
_ELIDED = frozenset(
    ["l", "d", "j", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu",
     "un", "dell", "all", "nell", "sull", "dall", "coll", "quest", "quell"]
)  # fmt: skip
"""French and Italian elided words: l'école is école, dell'app is app."""
_CONTRACTION = frozenset(["s", "t", "m", "re", "ve", "ll", "d"])


def _word(tok: str) -> str:
    """A word with an apostrophe: English contractions stay (``i'm``), a French or Italian
    elided article goes (``l'application`` -> ``application``)."""
    if "'" not in tok and "\u2019" not in tok:
        return tok
    head, _, tail = tok.replace("\u2019", "'").partition("'")
    if head.lower() in _ELIDED and len(tail) > 1 and tail.lower() not in _CONTRACTION:
        return tail
    return tok


def _emoji_name(m: re.Match[str]) -> str:
    names = [unicodedata.name(c, "") for c in m.group(0)]
    words = [n.lower() for n in names if n and not n.startswith(("VARIATION", "ZERO WIDTH"))]
    words = [w for w in words if not w.startswith("emoji modifier")]
    return " " + " ".join(words) + " " if words else " "


def normalize(
    text: str,
    *,
    entities: bool = True,
    width: bool = True,
    lower: bool = True,
    whitespace: bool = True,
    emoji: EmojiMode = "keep",
) -> str:
    """Normalise one ticket text.

    Args:
        text: the raw text; ``None`` and NaN become ``""``.
        entities: decode HTML character references that web forms and exports leave in
            (``&#32431;&#20013;`` -> ``纯中``, ``&amp;`` -> ``&``).
        width: fold full-width letters, digits and punctuation to half width (NFKC).
        lower: lower-case (Chinese is unaffected).
        whitespace: collapse runs of whitespace (including ideographic spaces) to one space
            and strip both ends.
        emoji: ``"keep"`` them, ``"remove"`` them, or replace each by its Unicode ``"name"``
            (``👍`` -> ``thumbs up sign``) so word-based models can use them.

    Returns:
        The normalised text.

    Example:
        >>> normalize("Ｉ　ＬＯＶＥ  it😀", emoji="name")
        'i love it grinning face'
    """
    if not isinstance(text, str):
        return ""
    if emoji not in ("keep", "remove", "name"):
        raise ConfigError(f"emoji={emoji!r} is not one of 'keep', 'remove', 'name'")
    if entities and "&" in text:
        text = html.unescape(text)
    if width:
        text = unicodedata.normalize("NFKC", text)
    if emoji == "remove":
        text = EMOJI_RE.sub(" ", text)
    elif emoji == "name":
        text = EMOJI_RE.sub(_emoji_name, text)
    if lower:
        text = text.lower()
    if whitespace:
        text = _SPACE.sub(" ", text).strip()
    return text


_MARKUP = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?|/[A-Za-z][A-Za-z0-9]*\s*)/?>")
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_BREAK = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?tr|/?h[1-6]|/?blockquote)\b[^>]*>", re.IGNORECASE)
_CELL = re.compile(r"</?t[dh]\b[^>]*>", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"^[ \t]*(?:sent from my [\w ]+|get outlook for \w+|发自我的\s*\w+)[ \t.!]*$", re.I | re.M
)


def text_keys(texts: pd.Series) -> pd.Series:
    """Each text normalised (width, case, spaces; emoji kept) as repeats are counted: the key
    that keeps a text's copies on one side of a split or a fold."""
    return texts.astype(str).map(lambda t: normalize(t, emoji="keep"))


def strip_markup(texts: Iterable[Any]) -> tuple[pd.Series, int]:
    """Ticket texts as a reader sees them: HTML bodies (e-mail and help-desk exports) lose their
    tags, ``<script>``/``<style>`` blocks and entities (``&nbsp;``), block tags become line
    breaks and table cells spaces (inline tags join their text: ``<b>包裹</b>`` is 包裹), and mail-app signature lines ("Sent from my iPhone", "发自我的iPhone") go.

    Text without markup is returned as it is (a ``<`` in "price < 10" is not a tag).

    Returns:
        The texts (same index; missing stay missing) and how many had markup.

    Example:
        >>> strip_markup(["<p>Where is my order?</p><p>&nbsp;</p><p>Sent from my iPhone</p>"])[0][0]
        'Where is my order?'
    """
    s = pd.Series(texts) if not isinstance(texts, pd.Series) else texts
    text = s.where(s.notna(), "").astype(str)
    marked = text.str.contains(_MARKUP)

    def clean(t: str) -> str:
        t = _BREAK.sub("\n", _SCRIPT.sub(" ", t))
        t = html.unescape(_MARKUP.sub("", _CELL.sub(" ", t))).replace("\xa0", " ")
        t = _SIGNATURE.sub("", t)
        return "\n".join(ln for ln in (" ".join(x.split()) for x in t.splitlines()) if ln)

    out = s.copy()
    out[marked] = text[marked].map(clean)
    return out, int(marked.sum())


_SCRIPTS = re.compile(
    f"(?P<han>[{_HAN_CHARS}]+)"
    r"|(?P<latin>[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+)"
    r"|(?P<cyrillic>[\u0400-\u052f]+)"
    r"|(?P<el>[\u0370-\u03ff\u1f00-\u1fff]+)"
    r"|(?P<hy>[\u0531-\u058a]+)"
    r"|(?P<he>[\u0591-\u05f4]+)"
    r"|(?P<arabic>[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]+)"
    r"|(?P<hi>[\u0900-\u097f]+)"
    r"|(?P<bn>[\u0980-\u09ff]+)"
    r"|(?P<pa>[\u0a00-\u0a7f]+)"
    r"|(?P<gu>[\u0a80-\u0aff]+)"
    r"|(?P<or>[\u0b00-\u0b7f]+)"
    r"|(?P<ta>[\u0b80-\u0bff]+)"
    r"|(?P<te>[\u0c00-\u0c7f]+)"
    r"|(?P<kn>[\u0c80-\u0cff]+)"
    r"|(?P<ml>[\u0d00-\u0d7f]+)"
    r"|(?P<si>[\u0d80-\u0dff]+)"
    r"|(?P<th>[\u0e00-\u0e7f]+)"
    r"|(?P<lo>[\u0e80-\u0eff]+)"
    r"|(?P<bo>[\u0f00-\u0fff]+)"
    r"|(?P<my>[\u1000-\u109f]+)"
    r"|(?P<ka>[\u10a0-\u10ff]+)"
    r"|(?P<am>[\u1200-\u139f]+)"
    r"|(?P<km>[\u1780-\u17ff]+)"
    r"|(?P<mn>[\u1800-\u18af]+)"
)
"""Runs of one script; a group named by a language code is that script's one language here."""

_FUNCTION_WORDS = {
    "en": """the and is are was were to of in on at for with my your our this that it it's its
        i'm i you we they he she his her their them not don't doesn't didn't can't won't isn't
        have has had been be do does did please what where when why how who which would could
        should will can from but just an a me no as so or if all by up out about there than
        then very also get got like any some one only still been after before again because
        into over here now hi hello thanks thank""",
    "es": """el la los las un una unos unas de del al y que en es son está están estaba estoy fue
        ha han he hay por para con sin mi mis tu su sus se lo le les me te nos no muy pero ya
        más como cuando dónde donde qué cómo porque también todavía nunca este esta esto ese
        eso hola gracias o a""",
    "pt": """o os a as um uma uns umas de do da dos das ao e que em no na nos nas é são está
        estão estava foi tem por para com sem meu minha meus seu sua se não muito mas já mais
        como quando onde porque também ainda nunca este esta isso isto você olá obrigado
        obrigada""",
    "fr": """le la les un une des de du au aux et que qui est sont était été a ai en dans pour
        par avec sans sur mon ma mes ton votre vos son sa ses ce cette ces je tu il elle nous
        vous ils ne pas plus très mais ou où comment pourquoi quand aussi toujours jamais
        bonjour merci me""",
    "de": """der die das den dem des ein eine einen einem einer und ist sind war wurde wurden
        hat habe haben ich du er sie es wir ihr nicht kein keine mit von zu zum zur im in auf
        für aus bei nach mein meine dein ihre aber sehr auch noch nie schon wie wo warum wann
        bitte danke hallo""",
    "it": """il lo la i gli le un una uno di del della dei delle e è che non per con su mio mia
        miei mie tuo suo sua sono ho hai ha abbiamo ma molto più come quando dove perché
        anche ancora mai questo questa ciao grazie a in""",
    "nl": """de het een en is zijn was waren niet geen ik je jij u we wij ze van op te in voor
        met aan bij uit mijn jouw uw maar heel erg ook nog nooit al wel hoe waar waarom wanneer
        dank bedankt hallo alstublieft""",
}
"""Function words (and greetings) of the Latin-script languages told apart by a vote."""

_REVIEW_WORDS = {
    "en": """product order delivery package parcel arrived received refund account great good bad
        late fast item recommend love price quality money broken damaged wrong never""",
    "es": """producto productos pedido envío entrega llegó llego recibido recibí recomiendo
        excelente bueno buena malo mala vendedor rápido rápida tarde dinero cuenta aplicación
        compra calidad todo bien perfecto pésima pésimo atención defectuoso buen funciona""",
    "pt": """produto produtos pedido entrega entregue chegou chegaram recebi recebido prazo
        recomendo ótimo ótima gostei vendedor atendimento atraso atrasada atrasado péssimo
        péssima decepcionado decepcionada excelente bom boa compra comprei loja veio tudo certo
        qualidade rápida rápido antes dentro ainda até nada nem eu estou sim bem mesmo pelo
        pela demorou perfeito parabéns veio errado demais""",
    "fr": """produit produits commande livraison livré reçu colis remboursement rembourser compte
        application génial serait bien problème aucun encore déjà rien depuis c'est j'ai
        n'est je rapide qualité cassé recommande satisfait arrivée retard médiocre déçu""",
    "de": """produkt bestellung lieferung paket geliefert erhalten konto rechnung gut schlecht
        leider funktioniert geht kann schnell qualität alles kaputt storniert gerne wieder
        fehlt""",
}
"""Words that reviews and support tickets use all the time (product, delivery, arrived, great,
"produto", "entrega", "chegou", "ótimo"): a short review has no function word to vote with."""

_VOTE: dict[str, dict[str, float]] = {}
for _lists in (_FUNCTION_WORDS, _REVIEW_WORDS):
    for _lg, _words in _lists.items():
        for _w in set(_words.split()):
            _VOTE.setdefault(_w, {})[_lg] = 1.0
_GREETINGS = frozenset(
    ["hola", "gracias", "bonjour", "merci", "danke", "bitte", "olá", "obrigado", "obrigada",
     "grazie", "ciao", "bedankt", "alstublieft"]
)  # fmt: skip
for _w, _langs in _VOTE.items():  # a word of k languages is worth 1/k to each
    for _lg in _langs:  # a greeting or thanks of one language alone says it ("Gracias")
        _langs[_lg] = (1.5 if _w in _GREETINGS else 1.0) / len(_langs)

_LETTER_VOTES = {
    "ñ": ("es",), "¿": ("es",), "¡": ("es",), "ß": ("de",), "ä": ("de",), "ö": ("de",),
    "ü": ("de",), "ã": ("pt",), "õ": ("pt",), "ç": ("fr", "pt"), "ê": ("fr", "pt"),
    "ô": ("fr", "pt"), "â": ("fr", "pt"), "à": ("fr", "it", "pt"), "è": ("fr", "it"),
    "ù": ("fr", "it"), "ì": ("it",), "ò": ("it",), "œ": ("fr",), "î": ("fr",), "û": ("fr",),
    "ë": ("fr", "nl"), "ï": ("fr", "nl"), "á": ("es", "pt"), "í": ("es", "pt"),
    "ó": ("es", "pt"), "ú": ("es", "pt"), "é": ("fr", "es", "pt", "it"),
    "ğ": ("tr",), "ı": ("tr",), "ş": ("tr",), "ł": ("pl",), "ą": ("pl",), "ę": ("pl",),
    "ż": ("pl",), "ź": ("pl",), "ś": ("pl",), "ř": ("cs",), "ě": ("cs",), "ů": ("cs",),
    "ș": ("ro",), "ț": ("ro",), "ő": ("hu",), "ű": ("hu",),
}  # fmt: skip
"""Letters that only some Latin-script languages use: each distinct one is a vote."""

_VI = re.compile(r"[\u1ea0-\u1ef9ơưđăƠƯĐĂ]")
_VOTE_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")
LATIN_LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "nl", "vi", "tr", "pl", "cs", "ro", "hu")
"""The Latin-script languages :func:`detect_language` tells apart; others read as ``en``."""


def _latin_language(text: str, letters: int) -> str:
    """English, Spanish, Portuguese, French, German, Italian or Dutch by a vote of their
    function words and of the words reviews use most (and letters such as ñ, ß, ã);
    Vietnamese, Turkish, Polish, Czech, Romanian and Hungarian by their letters. English
    unless another language wins by more than one word's worth ("come quick" is not Italian,
    "Gracias" alone stays English)."""
    low = text.lower()
    if len(_VI.findall(low)) >= max(2, 0.03 * letters):
        return "vi"
    score = dict(_latin_scores(low))
    en = score.pop("en", 0.0)
    if not score:
        return "en"
    best = max(score, key=lambda lg: (score[lg], lg == "pt"))  # á/ó/í/ú: pt before es on a tie
    if score[best] >= 1.5 and score[best] > en:
        return best
    # never English by default for accented words no English word backs ("Produit cassé")
    second = max((v for lg, v in score.items() if lg != best), default=0.0)
    return best if not en and not low.isascii() and score[best] > second else "en"


@lru_cache(maxsize=100_000)
def _latin_scores(low: str) -> tuple[tuple[str, float], ...]:
    """The votes of a lower-cased text's words and letters, language by language."""
    score: dict[str, float] = {}
    for w in _VOTE_WORD.findall(low):  # "o00018698" is an order id, not Portuguese "o"
        for lg, v in _VOTE.get(w.replace("\u2019", "'"), {}).items():
            score[lg] = score.get(lg, 0.0) + v
    for ch in set(low) & _LETTER_VOTES.keys():
        for lg in _LETTER_VOTES[ch]:
            score[lg] = score.get(lg, 0.0) + 1.5 / len(_LETTER_VOTES[ch])
    return tuple(score.items())


def _decisive(text: str, lang: str) -> bool:
    """Whether a Latin-script text's own words chose ``lang``: it leads every other language by
    at least one word's worth (1.0) with at least 1.5 votes. "Gostei muito" (one Portuguese
    word) or "ok" are not decisive; "Where is my order?" is."""
    score = dict(_latin_scores(text.lower()))
    won = score.pop(lang, 0.0)
    return won >= 1.5 and won >= max(score.values(), default=0.0) + 1.0


def _cyrillic_language(text: str) -> str:
    low = text.lower()
    if any(c in low for c in "іїєґ"):
        return "uk"
    if any(c in low for c in "ђћџљњј"):
        return "sr"
    if any(c in low for c in "ыэё"):
        return "ru"
    return "bg" if "ъ" in low else "ru"


def _arabic_language(text: str) -> str:
    if any(c in text for c in "ٹڈڑںے"):
        return "ur"
    return "fa" if any(c in text for c in "پچژگکی") else "ar"


@lru_cache(maxsize=100_000)
def _detect(text: str, han_weight: float) -> str | None:
    if text.isascii():  # the common case: English, or Latin letters without accents
        letters = sum(c.isalpha() for c in text)
        return _latin_language(text, letters) if letters else None
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    counts: dict[str, float] = {}
    for m in _SCRIPTS.finditer(text):
        key = m.lastgroup or ""
        counts[key] = counts.get(key, 0.0) + len(m.group()) * (han_weight if key == "han" else 1)
    if not counts:
        return None
    han = counts.get("han", 0.0)
    script = max(counts, key=lambda k: (counts[k], k == "han"))
    if han and han >= counts[script]:  # Chinese when Han outweighs the other letters
        return "zh"
    if script == "latin":
        return _latin_language(text, int(counts[script]))
    if script == "cyrillic":
        return _cyrillic_language(text)
    if script == "arabic":
        return _arabic_language(text)
    return script


def detect_language(text: str, *, han_weight: float = 3.0, default: Language = "und") -> Language:
    """The language of a text from the script of its letters, and for Latin letters from its
    function words.

    Kana means Japanese and Hangul Korean; otherwise Han characters mean Chinese when they
    outweigh the letters of other scripts, each Han character counting as ``han_weight``
    letters (a Chinese ticket that names an "iPhone" stays Chinese, an English one that names
    "小米" stays English). Other scripts name their language (Cyrillic ``ru``, ``uk``, ``bg``
    or ``sr`` by their letters; Greek ``el``; Arabic script ``ar``, ``fa`` or ``ur``; Hebrew,
    Thai, Devanagari, ...). Latin letters are English unless the function words of Spanish,
    Portuguese, French, German, Italian or Dutch outvote it (``"Mi pedido nunca llegó"`` is
    ``es``), or letters only they use say Vietnamese, Turkish, Polish, Czech, Romanian or
    Hungarian (:data:`LATIN_LANGUAGES`). Text without letters gets ``default``.

    Args:
        text: the text (raw or normalised).
        han_weight: how many other letters one Han character is worth.
        default: the answer for text without letters, e.g. ``"12345"`` or ``"👍"``.

    Returns:
        An ISO 639-1 code (``"zh"``, ``"en"``, ``"es"``, ``"ja"``, ``"ko"``, ``"ru"``, ...) or
        ``default``.

    Example:
        >>> detect_language("iPhone 15 屏幕坏了"), detect_language("ok"), detect_language("!!")
        ('zh', 'en', 'und')
        >>> detect_language("El paquete llegó dañado"), detect_language("Приложение вылетает")
        ('es', 'ru')
    """
    if not isinstance(text, str) or not text:
        return default
    return _detect(text, float(han_weight)) or default


@lru_cache(maxsize=1)
def _jieba_base() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk


@lru_cache(maxsize=16)
def _jieba(user_words: tuple[str, ...]) -> Any:
    import jieba

    base = _jieba_base()
    if not user_words:
        return base
    tk = jieba.Tokenizer()  # a copy of the loaded dictionary, not a second load from disk
    tk.FREQ, tk.total, tk.initialized = dict(base.FREQ), base.total, True
    for w in user_words:
        tk.add_word(w, freq=None)
    return tk


@lru_cache(maxsize=200_000)
def _cut(user_words: tuple[str, ...], text: str) -> tuple[str, ...]:
    """jieba's segmentation, memoised: cross-validation cuts the same texts many times."""
    return tuple(_jieba(user_words).lcut(text))


class Tokenizer:
    """Split text into words, script by script: jieba for Chinese (Han characters, with the
    Latin letters and digits written against them, as in "iPhone坏了"), a run of hiragana or
    of katakana for Japanese kana, a run of Hangul (the eojeol between spaces) for Korean, and
    a run of letters, digits and combining marks for every other script (English, Spanish
    "dañado", German "Müller", Russian, Greek, Arabic, Hindi; Thai, written without spaces,
    gives phrases). Apostrophes keep English contractions (``i'm``) and drop French and
    Italian elided articles (``l'application`` -> ``application``). Each emoji is one token
    (👍🏽 is 👍): text that :func:`normalize` gave emoji names instead (``emoji="name"``) gets
    their words ("thumbs up sign"), which then mix with the words people wrote.

    A picklable callable (the jieba dictionary is rebuilt lazily after unpickling), so it
    can be given to ``TfidfVectorizer(tokenizer=Tokenizer(...))``.

    Args:
        user_words: extra words jieba must keep whole, e.g. product names from the config.
        language: ``"auto"`` splits each script its own way; ``"zh"`` gives the whole text to
            jieba (one token per character outside Han and Latin letters); ``"en"`` never uses
            jieba (a run of Han characters is one token).
        normalise: apply :func:`normalize` (defaults) first.
        drop_punct: drop tokens made only of punctuation and spaces (jieba's; the other
            scripts' tokens hold none).
    """

    def __init__(
        self,
        *,
        user_words: Sequence[str] = (),
        language: Literal["auto", "zh", "en"] = "auto",
        normalise: bool = True,
        drop_punct: bool = True,
    ) -> None:
        self.user_words = user_words
        self.language = language
        self.normalise = normalise
        self.drop_punct = drop_punct

    def _jieba(self, text: str) -> list[str]:
        words = [w.strip() for w in _cut(tuple(self.user_words), text)]
        if self.normalise:
            words = [w.lower() for w in words]
        if self.drop_punct:
            return [w for w in words if w and any(c.isalnum() for c in w)]
        return words

    def __call__(self, text: str) -> list[str]:
        if self.normalise:
            text = normalize(text)
        if not text:
            return []
        if self.language == "zh":
            return self._jieba(text)
        out: list[str] = []
        for m in _TOKEN.finditer(text):
            kind, tok = m.lastgroup, m.group()
            if kind == "han" and self.language != "en":
                out += [w for w in self._jieba(tok) if w]
            elif kind == "word":
                out.append(_word(tok))
            elif kind == "emoji":
                out.append(_EMOJI_STRIP.sub("", tok))
            else:
                out.append(tok)
        return out

    def __repr__(self) -> str:
        return f"Tokenizer(user_words={list(self.user_words)!r}, language={self.language!r})"


def tokenize(
    text: str, *, user_words: Iterable[str] = (), language: Literal["auto", "zh", "en"] = "auto"
) -> list[str]:
    """Tokenise one text; see :class:`Tokenizer`.

    Example:
        >>> tokenize("Where is my ORDER?")
        ['where', 'is', 'my', 'order']
    """
    return Tokenizer(user_words=tuple(user_words), language=language)(text)


_STOP_JA = """の は が を に で と も へ や か ね よ な です ます でした ました ません した して
    います いる ある ない この その あの これ それ あれ から まで より ので のに けど でも とても
    すごく ちょっと もう まだ また ください"""
_STOP_KO = """그리고 그런데 하지만 그래서 너무 정말 진짜 아주 매우 좀 조금 더 잘 안 못 다 또 이 그 저
    것 수 때 후 중 및 등 제 저는 나는 제가 내가 우리 있어요 없어요 있습니다 없습니다 입니다 이에요
    예요 해요 합니다 했어요 했습니다 있는 없는 하는 같아요 같습니다"""
_STOP_RU = """и в во не что он на я с со как а то все всё она так его но да ты к у же вы за бы
    по только ее её мне было вот от меня еще ещё нет о из ему теперь когда даже ну ли если уже
    или ни быть был него до вас опять уж вам ведь там потом себя ничего ей может они тут где
    есть надо ней для мы тебя их чем была сам без будет тогда кто этот того потому этого какой
    здесь этом мой тем чтобы сейчас были можно при после над больше тот через эти нас про всего
    них много эту моя этой перед очень это"""
_NOT_STOP = frozenset(["son", "sin", "plus", "die", "war", "hat", "come", "dove", "van", "met"])
"""Function words of one language that are content words in English ("the battery will
die", "a hat"): not stop words of a mixed queue."""

STOP_WORDS: dict[str, frozenset[str]] = {
    **{lg: frozenset(ws.split()) - _NOT_STOP for lg, ws in _FUNCTION_WORDS.items() if lg != "en"},
    "ja": frozenset(_STOP_JA.split()),
    "ko": frozenset(_STOP_KO.split()),
    "ru": frozenset(_STOP_RU.split()),
}
"""Stop words of the languages besides English and Chinese (whose lists are
:data:`opsai.service.analytics.STOPWORDS`): function words that would otherwise name the
topics of a Spanish, Japanese or Russian queue ("el / en / ha")."""

OTHER_STOP_WORDS = frozenset().union(*STOP_WORDS.values())


def language_code(value: object) -> str | None:
    """A language column's value as the chapter's models name it: an ISO 639-1 code.

    ``zh-CN``, ``zh_Hans``, ``ZH``, ``zho`` and ``中文`` are ``zh``; ``Spanish``, ``Español``,
    ``spa`` and ``es-MX`` are ``es`` (ISO 639-1/-2/-3 codes and the languages' English and
    own names, :mod:`opsai.data.languages`). A country code that is no language (``USA``,
    ``GB``) and an empty value give ``None`` (detect it from the text); other values their
    first subtag, lower case.

    Example:
        >>> [language_code(x) for x in ("zh-CN", "en_US", "English", "中文", "", None)]
        ['zh', 'en', 'en', 'zh', None, None]
        >>> [language_code(x) for x in ("Español", "deu", "JPN", "USA")]
        ['es', 'de', 'ja', None]
    """
    return read_language(value)[0]


def ticket_languages(
    texts: Iterable[object], languages: Iterable[object] | None = None
) -> list[str]:
    """Each text's language: the given one as :func:`language_code` reads it, else detected
    from the text by :func:`detect_language`, with the set's own language for a short text
    that says too little (:func:`read_ticket_languages`).

    A column of country codes (App Store Connect's territory: ``USA``, ``JPN``, ``KOR``) is no
    language column: when any value is only a country code, those that are both (``JPN``)
    are detected from the text too (:func:`opsai.data.languages.read_languages`); validation
    warns about such a column.

    Example:
        >>> ticket_languages(["Where is it?", "届いていません"], ["USA", "JPN"])
        ['en', 'ja']
    """
    return read_ticket_languages(texts, languages)[0]


def read_ticket_languages(
    texts: Iterable[object], languages: Iterable[object] | None = None
) -> tuple[list[str], str]:
    """:func:`ticket_languages`, and a sentence saying how many texts took the set's language.

    A Latin-script text whose words do not decide its language (no language leads by one
    word's worth with 1.5 votes: "Gostei muito", "ok", "Top!") takes the language most of the
    set's decided Latin-script texts have, when its own votes do not favour another one: a
    two-word Portuguese review among Portuguese reviews is Portuguese, not English by default.
    Texts in other scripts (Chinese, Japanese, Cyrillic, ...) are decided by their letters.

    Returns:
        The languages, and a sentence naming how many were decided by their words and how
        many took the set's language (empty when none did).

    Example:
        >>> read_ticket_languages(["Não chegou o meu pedido", "Gostei", "Where is it?"])[0]
        ['pt', 'pt', 'en']
    """
    texts = list(texts)
    given = list(languages) if languages is not None else [None] * len(texts)
    read = read_languages(g if isinstance(g, str) else None for g in given)
    out: list[str] = []
    weak: list[int] = []
    decided: dict[str, int] = {}
    for i, (t, g) in enumerate(zip(texts, given, strict=True)):
        code = read[g if isinstance(g, str) else None][0]
        text = t if isinstance(t, str) else ""
        lang = code or detect_language(text)
        out.append(lang)
        if code or lang not in _VOTED:
            continue
        if _decisive(text, lang):
            decided[lang] = decided.get(lang, 0) + 1
        else:
            weak.append(i)
    if not decided or not weak:
        return out, ""
    prior = max(decided, key=lambda lg: decided[lg])
    moved = 0
    for i in weak:
        score = dict(_latin_scores(str(texts[i]).lower()))
        if score.get(prior, 0.0) >= max(score.values(), default=0.0) and out[i] != prior:
            out[i], moved = prior, moved + 1
    note = (
        f"Languages: {sum(decided.values()):,} Latin-script texts decided by their own words; "
        f"{moved:,} short text{'s' if moved != 1 else ''} whose words said too little read as "
        f"{prior!r}, the language of most of them."
        if moved
        else ""
    )
    return out, note


_VOTED = frozenset(_FUNCTION_WORDS)
"""The languages :func:`_latin_language` tells apart by a vote (not by letters alone)."""
