"""Reading a language column: ISO 639 codes and names, and country codes that are no language."""

from __future__ import annotations

import pytest

from opsai.data.languages import (
    CJK,
    HAN,
    KANA,
    SCRIPT_ZONES,
    language_name,
    read_language,
    read_languages,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("zh-CN", ("zh", "code")),
        ("zh_Hans", ("zh", "code")),
        ("ZH", ("zh", "code")),
        ("zho", ("zh", "code")),
        ("cmn", ("zh", "code")),
        ("中文", ("zh", "name")),
        ("Simplified Chinese", ("zh", "name")),
        ("Chinese (Traditional)", ("zh", "name")),
        ("English", ("en", "name")),
        ("eng", ("en", "code")),
        ("Spanish", ("es", "name")),
        ("Español", ("es", "name")),
        ("spa", ("es", "code")),
        ("es-MX", ("es", "code")),
        ("Deutsch", ("de", "name")),
        ("ger", ("de", "code")),
        ("Portuguese (Brazil)", ("pt", "name")),
        ("pt_BR", ("pt", "code")),
        ("русский", ("ru", "name")),
        ("日本語", ("ja", "name")),
        ("한국어", ("ko", "name")),
        ("iw", ("he", "code")),  # Java's old code for Hebrew
        ("JPN", ("ja", "both")),  # Japanese (ISO 639-3) and Japan (ISO 3166)
        ("CA", ("ca", "both")),  # Catalan, or Canada
        ("USA", (None, "country")),
        ("GB", (None, "country")),
        ("Klingon", ("klingon", "unknown")),
        ("", (None, "empty")),
        (None, (None, "empty")),
        (float("nan"), (None, "empty")),
    ],
)
def test_read_language(value: object, expected: tuple) -> None:
    assert read_language(value) == expected


def test_a_column_with_a_country_reads_ambiguous_codes_as_countries() -> None:
    assert read_languages(["USA", "JPN", "KOR"]) == {
        "USA": (None, "country"),
        "JPN": (None, "country"),
        "KOR": (None, "country"),
    }
    assert read_languages(["JPN", "KOR", "en"])["JPN"] == ("ja", "both")


def test_language_names() -> None:
    assert [language_name(c) for c in ("es", "ko", "el", "xx")] == [
        "Spanish",
        "Korean",
        "Greek",
        "'xx'",
    ]


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("ご注文ありがとうございます", "Asia/Tokyo"),  # kana (with Han): Japanese
        ("배송이 늦어요", "Asia/Seoul"),
        ("快递太慢了", "Asia/Shanghai"),
        ("「𠮷野家」の牛丼", "Asia/Tokyo"),  # an extension-B character beside kana
        ("Where is my parcel?", None),
    ],
)
def test_one_script_table_for_every_zone_guess(text: str, zone: str | None) -> None:
    """The script -> time zone table was written twice (opsai init's column names, the
    reviews' texts) and the Han class a third time (service.text): one definition now."""
    from opsai.data import _init_reviews, init
    from opsai.service import text as service_text

    assert next((z for pat, z, _ in SCRIPT_ZONES if pat.search(text)), None) == zone
    assert init.SCRIPT_ZONES is _init_reviews.SCRIPT_ZONES is SCRIPT_ZONES
    assert service_text._HAN.pattern == f"[{HAN}]" and service_text._KANA.pattern == f"[{KANA}]"
    assert bool(CJK.search(text)) == (zone is not None)
