"""Language codes and names as a data export writes them in a language column, and the country
codes that end up there by mistake (App Store Connect's ``territory``: USA, JPN, KOR).

:func:`read_language` reads one value: ``zh-CN``, ``ZH``, ``zho``, ``Chinese`` and ``中文`` are
``zh``; ``Spanish``, ``Español``, ``spa`` and ``es-MX`` are ``es``. A value that is only a
country code (``USA``, ``GB``) is no language; one that is both (``JPN``, ``FR``, ``CA``:
Canada or Catalan) is read as a language unless the column holds country codes
(:func:`read_languages`). The tables are ISO 639-1/-2 and ISO 3166-1 (as Debian's iso-codes
ship them), with each language's own name from CLDR.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

__all__ = [
    "CJK",
    "COUNTRIES_2",
    "COUNTRIES_3",
    "ENGLISH_NAMES",
    "HAN",
    "HANGUL",
    "ISO639_1",
    "KANA",
    "SCRIPT_ZONES",
    "language_name",
    "read_language",
    "read_languages",
]

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3007\U00020000-\U0002a6df"
"""Han characters, as the body of a regex character class: the CJK unified ideographs with
extensions A and B, the compatibility ideographs, 々 and 〇."""
KANA = "\u3040-\u30ff"
"""Hiragana and katakana: Japanese (Han alone may be Chinese or Japanese)."""
HANGUL = "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff"
"""Hangul syllables and jamo: Korean."""
CJK = re.compile(f"[{KANA}{HAN}{HANGUL}]")
"""One Chinese, Japanese or Korean character (a text written without spaces)."""
SCRIPT_ZONES = (
    (re.compile(f"[{KANA}]"), "Asia/Tokyo", "Japanese"),
    (re.compile(f"[{HANGUL}]"), "Asia/Seoul", "Korean"),
    (re.compile(f"[{HAN}]"), "Asia/Shanghai", "Chinese"),  # Han without kana
)
"""(a script, the time zone its writers' business is usually in, the language), checked in
this order: kana before Han, which Japanese writes too. ``opsai init`` reads a Chinese
export's times as Beijing's."""

Kind = Literal["code", "name", "both", "country", "unknown", "empty"]


def _pairs(text: str) -> dict[str, str]:
    sep = "|" if "|" in text else None
    items = (p.strip() for p in text.split(sep))
    return dict(p.rsplit(":", 1) for p in items if p)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ISO639_1 = _words(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu
    cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi
    ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks
    ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl
    nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl
    sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve
    vi vo wa wo xh yi yo za zh zu
    """
)
"""The two-letter language codes (ISO 639-1)."""


_ISO639_3 = _pairs(
    """
    aar:aa abk:ab afr:af aka:ak alb:sq amh:am ara:ar arb:ar arg:an arm:hy asm:as ava:av
    ave:ae aym:ay aze:az bak:ba bam:bm baq:eu bel:be ben:bn bih:bh bis:bi bod:bo bos:bs
    bre:br bul:bg bur:my cat:ca ces:cs cha:ch che:ce chi:zh chu:cu chv:cv cmn:zh cor:kw
    cos:co cre:cr cym:cy cze:cs dan:da deu:de div:dv dut:nl dzo:dz ekk:et ell:el eng:en
    epo:eo est:et eus:eu ewe:ee fao:fo fas:fa fij:fj fil:tl fin:fi fra:fr fre:fr fry:fy
    ful:ff geo:ka ger:de gla:gd gle:ga glg:gl glv:gv gre:el grn:gn guj:gu hat:ht hau:ha
    heb:he her:hz hin:hi hmo:ho hrv:hr hun:hu hye:hy ibo:ig ice:is ido:io iii:ii iku:iu
    ile:ie ina:ia ind:id ipk:ik isl:is ita:it jav:jv jpn:ja kal:kl kan:kn kas:ks kat:ka
    kau:kr kaz:kk khm:km kik:ki kin:rw kir:ky kom:kv kon:kg kor:ko kua:kj kur:ku lao:lo
    lat:la lav:lv lim:li lin:ln lit:lt ltz:lb lub:lu lug:lg lvs:lv mac:mk mah:mh mal:ml
    mao:mi mar:mr may:ms mkd:mk mlg:mg mlt:mt mon:mn mri:mi msa:ms mya:my nau:na nav:nv
    nbl:nr nde:nd ndo:ng nep:ne nld:nl nno:nn nob:nb nor:no nya:ny oci:oc oji:oj ori:or
    orm:om oss:os pan:pa per:fa pes:fa pli:pi pol:pl por:pt pus:ps que:qu roh:rm ron:ro
    rum:ro run:rn rus:ru sag:sg san:sa sin:si slk:sk slo:sk slv:sl sme:se smo:sm sna:sn
    snd:sd som:so sot:st spa:es sqi:sq srd:sc srp:sr ssw:ss sun:su swa:sw swe:sv swh:sw
    tah:ty tam:ta tat:tt tel:te tgk:tg tgl:tl tha:th tib:bo tir:ti ton:to tsn:tn tso:ts
    tuk:tk tur:tr twi:tw uig:ug ukr:uk urd:ur uzb:uz ven:ve vie:vi vol:vo wel:cy wln:wa
    wol:wo wuu:zh xho:xh yid:yi yor:yo yue:zh zha:za zho:zh zsm:ms zul:zu
    """
)
"""Three-letter codes (ISO 639-2 T and B, and a few ISO 639-3 ones: cmn, yue, fil) of the languages that have a two-letter one."""


ENGLISH_NAMES = _pairs(
    """
    aa:Afar|ab:Abkhazian|ae:Avestan|af:Afrikaans|ak:Akan|am:Amharic|an:Aragonese|ar:Arabic|
    as:Assamese|av:Avaric|ay:Aymara|az:Azerbaijani|ba:Bashkir|be:Belarusian|bg:Bulgarian|
    bh:Bihari|bi:Bislama|bm:Bambara|bn:Bengali|bo:Tibetan|br:Breton|bs:Bosnian|ca:Catalan|
    ce:Chechen|ch:Chamorro|co:Corsican|cr:Cree|cs:Czech|cu:Church Slavonic|cv:Chuvash|
    cy:Welsh|da:Danish|de:German|dv:Dhivehi|dz:Dzongkha|ee:Ewe|el:Greek|en:English|
    eo:Esperanto|es:Spanish|et:Estonian|eu:Basque|fa:Persian|ff:Fulah|fi:Finnish|fj:Fijian|
    fo:Faroese|fr:French|fy:Western Frisian|ga:Irish|gd:Gaelic|gl:Galician|gn:Guarani|
    gu:Gujarati|gv:Manx|ha:Hausa|he:Hebrew|hi:Hindi|ho:Hiri Motu|hr:Croatian|
    ht:Haitian Creole|hu:Hungarian|hy:Armenian|hz:Herero|ia:Interlingua|id:Indonesian|
    ie:Interlingue|ig:Igbo|ii:Nuosu|ik:Inupiaq|io:Ido|is:Icelandic|it:Italian|iu:Inuktitut|
    ja:Japanese|jv:Javanese|ka:Georgian|kg:Kongo|ki:Kikuyu|kj:Kwanyama|kk:Kazakh|
    kl:Greenlandic|km:Khmer|kn:Kannada|ko:Korean|kr:Kanuri|ks:Kashmiri|ku:Kurdish|kv:Komi|
    kw:Cornish|ky:Kyrgyz|la:Latin|lb:Luxembourgish|lg:Ganda|li:Limburgish|ln:Lingala|lo:Lao|
    lt:Lithuanian|lu:Luba-Katanga|lv:Latvian|mg:Malagasy|mh:Marshallese|mi:Maori|
    mk:Macedonian|ml:Malayalam|mn:Mongolian|mr:Marathi|ms:Malay|mt:Maltese|my:Burmese|
    na:Nauru|nb:Norwegian Bokmål|nd:North Ndebele|ne:Nepali|ng:Ndonga|nl:Dutch|
    nn:Norwegian Nynorsk|no:Norwegian|nr:South Ndebele|nv:Navajo|ny:Chichewa|oc:Occitan|
    oj:Ojibwa|om:Oromo|or:Oriya|os:Ossetian|pa:Punjabi|pi:Pali|pl:Polish|ps:Pashto|
    pt:Portuguese|qu:Quechua|rm:Romansh|rn:Rundi|ro:Romanian|ru:Russian|rw:Kinyarwanda|
    sa:Sanskrit|sc:Sardinian|sd:Sindhi|se:Northern Sami|sg:Sango|si:Sinhala|sk:Slovak|
    sl:Slovenian|sm:Samoan|sn:Shona|so:Somali|sq:Albanian|sr:Serbian|ss:Swati|
    st:Southern Sotho|su:Sundanese|sv:Swedish|sw:Swahili|ta:Tamil|te:Telugu|tg:Tajik|
    th:Thai|ti:Tigrinya|tk:Turkmen|tl:Tagalog|tn:Tswana|to:Tongan|tr:Turkish|ts:Tsonga|
    tt:Tatar|tw:Twi|ty:Tahitian|ug:Uyghur|uk:Ukrainian|ur:Urdu|uz:Uzbek|ve:Venda|
    vi:Vietnamese|vo:Volapük|wa:Walloon|wo:Wolof|xh:Xhosa|yi:Yiddish|yo:Yoruba|za:Zhuang|
    zh:Chinese|zu:Zulu|
    """
)
"""Each two-letter code's English name, as findings name a language."""


_NAMES = _pairs(
    """
    abkhazian:ab|afar:aa|afrikaans:af|akan:ak|albanian:sq|american english:en|amharic:am|
    arabic:ar|aragonese:an|aragonés:an|armenian:hy|assamese:as|asụsụ igbo:ig|avaric:av|
    avañe’ẽ:gn|avestan:ae|aymara:ay|azerbaijani:az|azərbaycan:az|bahasa indonesia:id|
    bahasa melayu:ms|bamanakan:bm|bambara:bm|basa sunda:su|bashkir:ba|basque:eu|
    belarusian:be|bengali:bn|bihari languages:bh|bislama:bi|bosanski:bs|bosnian:bs|
    brazilian portuguese:pt|breton:br|brezhoneg:br|british english:en|bulgarian:bg|
    burmese:my|cantonese:zh|castellano:es|castilian:es|catalan:ca|català:ca|
    central khmer:km|chamorro:ch|chechen:ce|chewa:ny|chichewa:ny|chinese:zh|
    chinese simplified:zh|chinese traditional:zh|chishona:sn|chuang:za|church slavic:cu|
    church slavonic:cu|chuvash:cv|cornish:kw|corsican:co|corsu:co|cree:cr|croatian:hr|
    cymraeg:cy|czech:cs|danish:da|dansk:da|davvisámegiella:se|deutsch:de|dhivehi:dv|
    diné bizaad:nv|divehi:dv|dutch:nl|dzongkha:dz|eesti:et|english:en|español:es|
    esperanto:eo|estonian:et|euskara:eu|ewe:ee|eʋegbe:ee|faroese:fo|farsi:fa|fijian:fj|
    filipino:tl|finnish:fi|flemish:nl|français:fr|french:fr|frysk:fy|fulah:ff|føroyskt:fo|
    gaeilge:ga|gaelg:gv|gaelic:gd|galego:gl|galician:gl|ganda:lg|georgian:ka|german:de|
    gikuyu:ki|greek:el|greenlandic:kl|guarani:gn|gujarati:gu|gàidhlig:gd|gĩgĩkũyũ:ki|
    haitian:ht|haitian creole:ht|hausa:ha|hebrew:he|herero:hz|hindi:hi|hiri motu:ho|
    hrvatski:hr|hungarian:hu|icelandic:is|ido:io|igbo:ig|ikinyarwanda:rw|ikirundi:rn|
    indonesia:id|indonesian:id|interlingua:ia|interlingue:ie|inuktitut:iu|inupiaq:ik|
    irish:ga|isindebele:nr|isixhosa:xh|isizulu:zu|italian:it|italiano:it|japanese:ja|
    javanese:jv|jawa:jv|kalaallisut:kl|kannada:kn|kanuri:kr|kashmiri:ks|kazakh:kk|
    kernewek:kw|kikuyu:ki|kinyarwanda:rw|kirghiz:ky|kiswahili:sw|komi:kv|kongo:kg|korean:ko|
    kreyòl ayisyen:ht|kuanyama:kj|kurdish:ku|kurdî:ku|kwanyama:kj|kyrgyz:ky|lao:lo|latin:la|
    latina:la|latvian:lv|latviešu:lv|lea fakatonga:to|letzeburgesch:lb|lietuvių:lt|
    limburgan:li|limburger:li|limburgish:li|lingala:ln|lingála:ln|lithuanian:lt|
    luba-katanga:lu|luganda:lg|luxembourgish:lb|lëtzebuergesch:lb|macedonian:mk|magyar:hu|
    malagasy:mg|malay:ms|malayalam:ml|maldivian:dv|maltese:mt|malti:mt|mandarin:zh|manx:gv|
    maori:mi|marathi:mr|marshallese:mh|melayu:ms|modern greek:el|moldavian:ro|moldovan:ro|
    mongolian:mn|māori:mi|nauru:na|navaho:nv|navajo:nv|ndonga:ng|nederlands:nl|nepali:ne|
    norsk:no|norsk bokmål:nb|norsk nynorsk:nn|north ndebele:nd|northern sami:se|
    norwegian:no|norwegian bokmål:nb|norwegian nynorsk:nn|nuosu:ii|nyanja:ny|occidental:ie|
    occitan:oc|ojibwa:oj|old bulgarian:cu|old church slavonic:cu|old slavonic:cu|oriya:or|
    oromo:om|oromoo:om|ossetian:os|ossetic:os|o‘zbek:uz|pali:pi|panjabi:pa|pashto:ps|
    persian:fa|polish:pl|polski:pl|portuguese:pt|português:pt|provençal:oc|pulaar:ff|
    punjabi:pa|pushto:ps|qafar:aa|quechua:qu|romanian:ro|romansh:rm|română:ro|rumantsch:rm|
    runasimi:qu|rundi:rn|russian:ru|samoan:sm|sango:sg|sanskrit:sa|sardinian:sc|sardu:sc|
    scottish gaelic:gd|serbian:sr|sesotho:st|setswana:tn|shona:sn|shqip:sq|sichuan yi:ii|
    simplified chinese:zh|sindhi:sd|sinhala:si|sinhalese:si|siswati:ss|slovak:sk|
    slovenian:sl|slovenčina:sk|slovenščina:sl|somali:so|soomaali:so|south ndebele:nr|
    southern sotho:st|spanish:es|sundanese:su|suomi:fi|svenska:sv|swahili:sw|swati:ss|
    swedish:sv|sängö:sg|tagalog:tl|tahitian:ty|tajik:tg|tamil:ta|tatar:tt|telugu:te|thai:th|
    tibetan:bo|tigrinya:ti|tiếng việt:vi|tonga:to|traditional chinese:zh|tshiluba:lu|
    tshivenḓa:ve|tsonga:ts|tswana:tn|turkish:tr|turkmen:tk|twi:tw|türkmen dili:tk|türkçe:tr|
    uighur:ug|ukrainian:uk|urdu:ur|uyghur:ug|uzbek:uz|vahcuengh:za|valencian:ca|venda:ve|
    vietnamese:vi|volapük:vo|walloon:wa|walon:wa|welsh:cy|western frisian:fy|wolof:wo|
    xhosa:xh|xitsonga:ts|yiddish:yi|yoruba:yo|zhuang:za|zulu:zu|èdè yorùbá:yo|íslenska:is|
    čeština:cs|ελληνικά:el|аԥсшәа:ab|башҡорт:ba|беларуская:be|български:bg|ирон:os|
    кыргызча:ky|македонски:mk|монгол:mn|нохчийн:ce|русский:ru|српски:sr|татар:tt|тоҷикӣ:tg|
    українська:uk|церковнослове́нскїй:cu|чӑваш чӗлхи:cv|қазақ тілі:kk|հայերեն:hy|ייִדיש:yi|
    עברית:he|ئۇيغۇرچە:ug|اردو:ur|العربية:ar|سنڌي:sd|فارسی:fa|پښتو:ps|کٲشُر:ks|ދިވެހިބަސް:dv|
    नेपाली:ne|भोजपुरी:bh|मराठी:mr|संस्कृत भाषा:sa|हिन्दी:hi|অসমীয়া:as|বাংলা:bn|ਪੰਜਾਬੀ:pa|
    ગુજરાતી:gu|ଓଡ଼ିଆ:or|தமிழ்:ta|తెలుగు:te|ಕನ್ನಡ:kn|മലയാളം:ml|සිංහල:si|ไทย:th|ລາວ:lo|
    བོད་སྐད་:bo|རྫོང་ཁ:dz|မြန်မာ:my|ქართული:ka|ትግርኛ:ti|አማርኛ:am|ᐃᓄᒃᑎᑐᑦ:iu|ខ្មែរ:km|スペイン語:es|
    ドイツ語:de|フランス語:fr|ロシア語:ru|中国語:zh|中文:zh|俄語:ru|俄语:ru|华语:zh|印尼语:id|國語:zh|德語:de|德语:de|
    意大利语:it|日文:ja|日本語:ja|日語:ja|日语:ja|普通话:zh|汉语:zh|法語:fr|法语:fr|泰語:th|泰语:th|漢語:zh|简体中文:zh|
    繁体中文:zh|繁體中文:zh|義大利語:it|英文:en|英語:en|英语:en|葡萄牙語:pt|葡萄牙语:pt|西班牙語:es|西班牙语:es|越南語:vi|越南语:vi|
    阿拉伯語:ar|阿拉伯语:ar|韓国語:ko|韓國語:ko|韓文:ko|韓語:ko|韩国语:ko|韩文:ko|韩语:ko|ꆈꌠꉙ:ii|독일어:de|스페인어:es|
    영어:en|일본어:ja|조선어:ko|중국어:zh|프랑스어:fr|한국말:ko|한국어:ko|
    """
)
"""Language names as people write them (English names, each language's own name, a few Chinese, Japanese and Korean ones), case-folded."""


COUNTRIES_2 = _words(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """
)
"""ISO 3166-1 alpha-2 country codes."""


COUNTRIES_3 = _words(
    """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA
    BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN
    CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU
    EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB
    GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL
    ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO
    LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR
    MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER
    PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM
    SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
    TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM
    VUT WLF WSM YEM ZAF ZMB ZWE
    """
)
"""ISO 3166-1 alpha-3 country codes (App Store Connect's territories: USA, JPN, KOR)."""


_LEGACY = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
"""Withdrawn two-letter codes some systems still write (Java's locales: iw for Hebrew)."""

_SUBTAG = re.compile(r"[-_\s]")
_PAREN = re.compile(r"\s*[(（].*?[)）]\s*|\s+-\s+.*$")


def read_language(value: object) -> tuple[str | None, Kind]:
    """One language column value as a two-letter code, and what kind of value it was.

    Returns:
        ``(code, kind)``: ``kind`` is ``"code"`` (an ISO 639 code or a tag such as
        ``zh-CN``), ``"name"`` (``Spanish``, ``中文``), ``"both"`` (a bare code that is also a
        country code: ``JPN``, ``FR``, ``CA``), ``"country"`` (only a country code: ``USA``,
        ``GB``; code ``None``), ``"unknown"`` (code: the value's first subtag, lower case) or
        ``"empty"`` (code ``None``).

    Example:
        >>> [read_language(v) for v in ("es-MX", "Español", "JPN", "USA")]
        [('es', 'code'), ('es', 'name'), ('ja', 'both'), (None, 'country')]
    """
    if value is None or (isinstance(value, float) and value != value):
        return None, "empty"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None, "empty"
    low = " ".join(text.casefold().split())
    for key in (low, _PAREN.sub("", low).strip()):
        if key in _NAMES:
            return _NAMES[key], "name"
    parts = [p for p in _SUBTAG.split(low) if p]
    head, tagged = parts[0], len(parts) > 1
    if head in _NAMES:  # "English US", "Portuguese_Brazil"
        return _NAMES[head], "name"
    if len(head) == 2 and head.isascii() and head.isalpha():
        code = _LEGACY.get(head, head)
        if code in ISO639_1:
            return code, "both" if head.upper() in COUNTRIES_2 and not tagged else "code"
        if head.upper() in COUNTRIES_2:
            return None, "country"
    if len(head) == 3 and head.isascii() and head.isalpha():
        if head in _ISO639_3:
            code = _ISO639_3[head]
            return code, "both" if head.upper() in COUNTRIES_3 and not tagged else "code"
        if head.upper() in COUNTRIES_3:
            return None, "country"
    return head, "unknown"


def read_languages(values: Iterable[object]) -> dict[object, tuple[str | None, Kind]]:
    """:func:`read_language` of each distinct value, read as a column: when any value is
    only a country code (``USA``), the column holds countries, and values that are both
    (``JPN``, ``CA``) are read as countries too (code ``None``, kind ``"country"``).

    Example:
        >>> read_languages(["USA", "JPN", "KOR"])["JPN"]
        (None, 'country')
        >>> read_languages(["ja", "JPN"])["JPN"]
        ('ja', 'both')
    """
    out = {v: read_language(v) for v in dict.fromkeys(values)}
    if any(kind == "country" for _, kind in out.values()):
        out = {v: (None, "country") if k == "both" else (c, k) for v, (c, k) in out.items()}
    return out


def language_name(code: str) -> str:
    """A code's English name (``es`` -> ``Spanish``); the code in quotes when unknown."""
    return ENGLISH_NAMES.get(code, f"'{code}'")
