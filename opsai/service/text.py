"""Text pipeline for support tickets: normalisation, language detection and tokenisation.

Chinese and English tickets go through the same steps:

* :func:`normalize` folds full-width forms to half width (Unicode NFKC: ``ＡＢＣ１２３，`` ->
  ``ABC123,``), lower-cases, collapses whitespace and keeps, removes or names emoji;
* :func:`detect_language` tells ``zh`` from ``en`` (and ``ja``/``ko``) from the script of the
  letters, which works on strings of two or three characters where n-gram detectors guess;
* :class:`Tokenizer` splits Chinese with jieba (plus a user dictionary of product names) and
  English on word characters; it is a picklable callable for scikit-learn vectorizers.

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

from opsai.errors import ConfigError

__all__ = [
    "EMOJI_RE",
    "Language",
    "Tokenizer",
    "detect_language",
    "normalize",
    "strip_markup",
    "tokenize",
]

Language = Literal["zh", "en", "ja", "ko", "und"]
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

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"\s+")
_WORD_EN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?|[\u00c0-\u024f]+", re.IGNORECASE)


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


def detect_language(text: str, *, han_weight: float = 3.0, default: Language = "und") -> Language:
    """The language of a text from the script of its letters.

    Kana means Japanese and Hangul Korean; otherwise Han characters mean Chinese when they
    outweigh the Latin letters, each Han character counting as ``han_weight`` letters
    (a Chinese ticket that names an "iPhone" stays Chinese, an English one that names
    "小米" stays English). Text without letters gets ``default``.

    Args:
        text: the text (raw or normalised).
        han_weight: how many Latin letters one Han character is worth.
        default: the answer for text without letters, e.g. ``"12345"`` or ``"👍"``.

    Returns:
        ``"zh"``, ``"en"``, ``"ja"``, ``"ko"`` or ``default``.

    Example:
        >>> detect_language("iPhone 15 屏幕坏了"), detect_language("ok"), detect_language("!!")
        ('zh', 'en', 'und')
    """
    if not isinstance(text, str) or not text:
        return default
    if _KANA.search(text):
        return "ja"
    if _HANGUL.search(text):
        return "ko"
    han = len(_HAN.findall(text))
    latin = len(_LATIN.findall(text))
    if han == 0 and latin == 0:
        return default
    return "zh" if han * han_weight >= latin else "en"


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
    """Split text into words: jieba for Chinese, word characters for English.

    A picklable callable (the jieba dictionary is rebuilt lazily after unpickling), so it
    can be given to ``TfidfVectorizer(tokenizer=Tokenizer(...))``.

    Args:
        user_words: extra words jieba must keep whole, e.g. product names from the config.
        language: ``"auto"`` detects the language of each text; ``"zh"`` always uses jieba,
            ``"en"`` never does.
        normalise: apply :func:`normalize` (defaults) first.
        drop_punct: drop tokens made only of punctuation and spaces.
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

    def __call__(self, text: str) -> list[str]:
        if self.normalise:
            text = normalize(text)
        if not text:
            return []
        lang = self.language if self.language != "auto" else detect_language(text)
        if lang in ("zh", "ja"):
            words = [w.strip() for w in _cut(tuple(self.user_words), text)]
            if self.normalise:
                words = [w.lower() for w in words]
        else:
            return _WORD_EN.findall(text)
        if self.drop_punct:
            words = [w for w in words if w and any(c.isalnum() for c in w)]
        return words

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


_LANGUAGE_NAMES = {
    "chinese": "zh", "mandarin": "zh", "中文": "zh", "汉语": "zh", "漢語": "zh", "普通话": "zh",
    "english": "en", "英文": "en", "英语": "en", "英語": "en",
    "japanese": "ja", "日本語": "ja", "korean": "ko", "한국어": "ko",
}  # fmt: skip


def language_code(value: object) -> str | None:
    """A language as the chapter's models name it: the primary subtag of a tag, lower case.

    ``zh-CN``, ``zh_Hans`` and ``ZH`` are ``zh``, ``en-US`` is ``en``; a few common names
    (``Chinese``, ``中文``, ``English``) map to their code. Empty or missing gives ``None``.

    Example:
        >>> [language_code(x) for x in ("zh-CN", "en_US", "English", "中文", "", None)]
        ['zh', 'en', 'en', 'zh', None, None]
    """
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    if not text:
        return None
    named = _LANGUAGE_NAMES.get(text.casefold())
    return named or re.split(r"[-_\s]", text, maxsplit=1)[0].lower()


def ticket_languages(
    texts: Iterable[object], languages: Iterable[object] | None = None
) -> list[str]:
    """Each text's language: the given one as :func:`language_code` reads it, else detected
    from the text by :func:`detect_language`."""
    texts = list(texts)
    given = list(languages) if languages is not None else [None] * len(texts)
    return [
        language_code(g) or detect_language(t if isinstance(t, str) else "")
        for t, g in zip(texts, given, strict=True)
    ]
