"""Columns computed from another when read (``data.tables.<name>.derive``): the province a
Chinese shipping address starts with, or a regular expression's group.

Taobao's and JD's order exports write ``收货地址`` as ``四川省 成都市 武侯区 中山路225号…``: its
province is the region a seller reports sales by, and the full address is personal data no
chapter should carry (byod13b D13). :func:`derive_sql` gives the SQL of each derived column,
:func:`province` reads one address in Python (``opsai init`` uses it to find such a column).

Example:
    >>> province("上海 上海市 浦东新区 中山路279号"), province("广西南宁市青秀区")
    ('上海市', '广西壮族自治区')
"""

from __future__ import annotations

import re

from opsai.config import TableSpec
from opsai.data._load import lit, q
from opsai.data.schema import Table
from opsai.errors import SchemaError

PROVINCES: dict[str, str] = {
    **{p: p + "市" for p in ("北京", "天津", "上海", "重庆")},
    **{p: p + "省" for p in (
        "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东",
        "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾",
    )},
    "内蒙古": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
    "香港": "香港特别行政区",
    "澳门": "澳门特别行政区",
}  # fmt: skip
"""China's 34 provincial-level regions: the short name an address may start with -> the full
name a derived column holds (``上海`` and ``上海市`` are one region)."""

_START = "^\\s*(" + "|".join(PROVINCES) + ")"
_PROVINCE = re.compile(_START)


def province(address: str | None) -> str | None:
    """The full name of the province ``address`` starts with; ``None`` when it starts with
    none."""
    m = _PROVINCE.match(address or "")
    return PROVINCES[m.group(1)] if m else None


def derive_sql(
    name: str, table: Table, spec: TableSpec, rawtypes: dict[str, str], mapped: set[str]
) -> dict[str, str]:
    """The SQL of each column of ``spec.derive``, text, empty (NULL) where nothing is found;
    ``mapped`` are the contract columns the table maps from the data.

    Raises:
        SchemaError: a ``from`` column that is not in the data, or a derived contract column
            that is mapped too or holds no text, naming the key and the fix.
    """
    out = {}
    for col, d in spec.derive.items():
        key = f"data.tables.{name}.derive.{col}"
        if col in mapped or col in spec.constants:
            where = "columns" if col in mapped else "constants"
            raise SchemaError(
                f"{name}: column {col!r} is both in data.tables.{name}.{where} and in {key}; "
                "keep one of the two"
            )
        if table.has(col) and table.column(col).dtype not in ("id", "string"):
            raise SchemaError(
                f"{name}: {key}: {col} is a {table.column(col).dtype} column; derive gives "
                f"text. Map {col} from the data (data.tables.{name}.columns.{col}) or give the "
                "derived column another name (an attribute)"
            )
        src = d.from_
        if src not in rawtypes:
            close = [c for c in rawtypes if src.lower() in c.lower() or c.lower() in src.lower()]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise SchemaError(
                f"{name}: {key}.from names {src!r}, which is not a "
                f"column of the data{hint}. Its columns: {', '.join(rawtypes)}. Fix the name"
            )
        text = f"trim(CAST({q(src)} AS VARCHAR))"
        if d.take == "province":
            short = f"regexp_extract({text}, {lit(_START)}, 1)"
            cases = " ".join(f"WHEN {lit(s)} THEN {lit(full)}" for s, full in PROVINCES.items())
            out[col] = f"(CASE {short} {cases} END)"
        else:
            out[col] = f"NULLIF(regexp_extract({text}, {lit(d.pattern or '')}, 1), '')"
    return out
