"""``derive``: a column computed from another when read, the province of a Chinese shipping
address (Taobao's ``收货地址``, byod13b D13) or a regular expression's group; ``opsai init``
derives the region of such an address and keeps the address out of the attributes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from opsai.config import config_from_dict
from opsai.data import open_workspace
from opsai.data._derive import province
from opsai.data.init import describe, plan_folder
from opsai.errors import ConfigError, SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit

ADDRESSES = [
    "四川省 成都市 武侯区 中山路225号(503944)",
    "上海 上海市 浦东新区 文一路93号",
    "北京市朝阳区人民路166号",
    "广西壮族自治区 南宁市 青秀区",
    "内蒙古 呼和浩特市",
    "香港特别行政区 九龙",
    "Somewhere 1",
]


def _orders(n: int = 40) -> str:
    rng = random.Random(0)
    rows = ["订单编号,买家会员名,订单创建时间,买家实际支付金额,收货地址"]
    for i in range(n):
        addr = ADDRESSES[i % 6] if i % 10 else ADDRESSES[6]
        rows.append(f"{1000 + i},b{rng.randint(1, 9)},2024-01-{1 + i % 28:02d} 10:00:00,9.5,{addr}")
    return "\n".join(rows) + "\n"


COLUMNS = {"order_id": "订单编号", "user_id": "买家会员名", "timestamp": "订单创建时间",
           "amount": "买家实际支付金额"}  # fmt: skip


def test_province_reads_short_and_full_names() -> None:
    got = [province(a) for a in ADDRESSES]
    assert got == [
        "四川省",
        "上海市",
        "北京市",
        "广西壮族自治区",
        "内蒙古自治区",
        "香港特别行政区",
        None,
    ]


def test_derive_gives_the_province_and_leaves_the_address_out(tmp_path: Path) -> None:
    spec = {"columns": COLUMNS, "derive": {"region": {"from": "收货地址", "take": "province"}}}
    cfg = write_dataset(tmp_path, {"orders.csv": _orders()}, {"orders": spec})
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
    assert "收货地址" not in o.columns
    assert o["region"].fillna("-").tolist()[:7] == ["-", "上海市", "北京市", "广西壮族自治区", "内蒙古自治区",
                                        "香港特别行政区", "四川省"]  # fmt: skip
    assert o["region"].value_counts()["四川省"] == 5


def test_derive_by_pattern_and_where_sees_it(tmp_path: Path) -> None:
    spec = {
        "columns": COLUMNS,
        "derive": {"city": {"from": "收货地址", "pattern": r"^\S+ (\S+市)"}},
        "where": "city = '成都市'",
    }
    cfg = write_dataset(tmp_path, {"orders.csv": _orders()}, {"orders": spec})
    with open_workspace(cfg) as ws:
        o = ws.to_pandas("orders")
    assert set(o["city"]) == {"成都市"} and len(o) == 5


def test_derive_errors_name_the_key_and_the_fix(tmp_path: Path) -> None:
    spec = {"columns": COLUMNS, "derive": {"region": {"from": "地址", "take": "province"}}}
    cfg = write_dataset(tmp_path, {"orders.csv": _orders()}, {"orders": spec})
    with pytest.raises(SchemaError, match=r"derive\.region\.from names '地址'.*收货地址"):
        open_workspace(cfg)
    with pytest.raises(ConfigError, match="exactly one"):
        config_from_dict({"data": {"tables": {"orders": {
            "derive": {"r": {"from": "a", "pattern": "[A-Z]+"}}}}}})  # fmt: skip
    with pytest.raises(ConfigError, match="set one of take"):
        config_from_dict({"data": {"tables": {"orders": {"derive": {"r": {"from": "a"}}}}}})
    spec = {"columns": COLUMNS, "derive": {"amount": {"from": "收货地址", "take": "province"}}}
    cfg = write_dataset(tmp_path / "b", {"orders.csv": _orders()}, {"orders": spec})
    with pytest.raises(SchemaError, match=r"both in data\.tables\.orders\.columns"):
        open_workspace(cfg)


def test_init_derives_the_region_of_a_chinese_address(tmp_path: Path) -> None:
    (tmp_path / "订单报表.csv").write_text(_orders(60), encoding="utf-8")
    plan = plan_folder(tmp_path)
    (g,) = plan.guesses
    assert g.options["derive"] == {"region": {"from": "收货地址", "take": "province"}}
    lines = describe(plan)
    assert not any("kept as attributes" in x and "收货地址" in x for x in lines)
    assert any(n.startswith("region is the province '收货地址' starts with") for n in g.notes)
