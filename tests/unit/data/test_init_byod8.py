"""``opsai init`` on export shapes of BYOD round 8: H&M transactions, Olist order lines,
Olist's per-order customer id, a Keepa price history, Favorita's holiday calendar and a
Chinese delivery platform's order export."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data._synonyms import name_score
from opsai.data.init import init_config, plan_folder
from opsai.data.schema import TABLES
from opsai.data.workspace import open_workspace

pytestmark = pytest.mark.unit


def _write(folder: Path, name: str, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def _hm(folder: Path) -> Path:
    """H&M's transactions_train.csv: one row per article bought, a tiny price, a channel code."""
    rows = ["t_dat,customer_id,article_id,price,sales_channel_id"]
    for i in range(120):
        rows.append(
            f"2020-{1 + i % 9:02d}-{1 + i % 28:02d},{i % 17:064x},0{108775015 + i % 31},"
            f"0.0{10 + i % 80},{1 + i % 2}"
        )
    return _write(folder, "transactions_train.csv", rows)


def test_hm_amount_is_the_price_not_the_sales_channel_code(tmp_path: Path) -> None:
    """D2: 'sales_channel_id' (1/2) was the amount by part of its name ('sales'), beside an
    exact 'price'; revenue summed channel codes. Now the amount is the price, one unit a line."""
    (g,) = plan_folder(_hm(tmp_path)).guesses
    got = {m.contract: m.source for m in g.matches}
    assert g.table == "orders"
    assert got["amount"] == "price"
    assert "sales_channel_id" not in got.values()
    assert any("each line is one unit at its price" in n for n in g.notes)
    path, _ = init_config(tmp_path)
    with open_workspace(path) as ws:
        amount = ws.to_pandas("orders")["amount"].sum()
    truth = sum(float(r.split(",")[3]) for r in (tmp_path / "transactions_train.csv")
                .read_text().splitlines()[1:])  # fmt: skip
    assert amount == pytest.approx(truth)


def test_olist_lines_amount_is_the_price_not_the_freight(tmp_path: Path) -> None:
    """D2: Olist's order_items (price, freight_value, no quantity) had amount = freight_value
    (by part of the name: 'value'); the report's revenue was the freight only."""
    rows = ["order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value"]
    for i in range(90):
        rows.append(f"o{i // 2:05d},{1 + i % 2},p{i % 13:03d},s{i % 5},2017-01-{1 + i % 28:02d} "
                    f"09:27:01,{100 + i}.50,{10 + i % 7}.25")  # fmt: skip
    (g,) = plan_folder(_write(tmp_path, "olist_order_items_dataset.csv", rows)).guesses
    got = {m.contract: m.source for m in g.matches}
    assert got["amount"] == "price"
    assert "freight_value" not in got.values()


@pytest.mark.parametrize(
    ("column", "contract"),
    [
        ("sales_channel_id", "amount"),
        ("freight_value", "amount"),
        ("shipping_price", "price"),
        ("tax_amount", "amount"),
        ("payment_installments", "amount"),
        ("product_type_no", "quantity"),
        ("StockCode", "on_hand"),
    ],
)
def test_codes_and_parts_of_the_value_are_no_measure(column: str, contract: str) -> None:
    table = next(t for t in TABLES.values() if t.has(contract))
    assert name_score(column, contract, table) == 0.0


def test_whole_value_names_still_match_by_part() -> None:
    orders = TABLES["orders"]
    assert name_score("dollar_value", "amount", orders) == 0.6
    assert name_score("payment_value", "amount", orders) == 0.6
    assert name_score("OnHandDollars", "on_hand", TABLES["inventory"]) == 0.6
