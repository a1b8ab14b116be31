"""``opsai init`` on export shapes of BYOD round 8: H&M transactions, Olist order lines,
Olist's per-order customer id, a Keepa price history, Favorita's holiday calendar and a
Chinese delivery platform's order export."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data._synonyms import name_score
from opsai.data.init import _split_pattern, init_config, plan_folder
from opsai.data.schema import TABLES
from opsai.data.workspace import open_workspace
from tests.olist_shape import JOIN, pandas_truth, write_olist

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
    # byod8 N4: the freight is left out of revenue, and the note says by how much (sample:
    # prices 13,050.00, freight 1,189.50: +9%)
    (note,) = [n for n in g.notes if "shipping charge" in n]
    assert "'freight_value' (a shipping charge, +9% on the sample's revenue)" in note
    rows = ["Name,Email,Created at,Subtotal,Shipping,Total"]  # Shopify: subtotal + shipping
    rows += [f"#{1001 + i},c{i % 9}@x.io,2024-03-{1 + i % 28:02d} 10:00,{20 + i},5.00,{25 + i}"
             for i in range(60)]  # fmt: skip
    (g,) = plan_folder(_write(tmp_path / "shop", "orders_export.csv", rows)).guesses
    assert {m.contract: m.source for m in g.matches}["amount"] == "Subtotal"
    assert [n for n in g.notes if "'Shipping' (a shipping charge, +10%" in n]  # 300 on 2,970
    total = [rows[0].replace("Subtotal,", "")]
    total += [",".join(ln.split(",")[:3] + ln.split(",")[4:]) for ln in rows[1:]]
    (g,) = plan_folder(_write(tmp_path / "total", "orders_export.csv", total)).guesses
    assert {m.contract: m.source for m in g.matches}["amount"] == "Total"
    assert not [n for n in g.notes if "shipping charge" in n]  # the total holds its shipping


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


def _olist_with_line_times(folder: Path, lines: int = 300) -> dict[str, pd.DataFrame]:
    """Olist's three files, the lines with their own ``shipping_limit_date`` as the real
    export has (a few days after the order's purchase)."""
    frames = write_olist(folder, lines=lines)
    items, orders = frames["order_items"], frames["orders"]
    bought = items["order_id"].map(
        dict(zip(orders["order_id"], orders["order_purchase_timestamp"], strict=True))
    )
    limit = pd.to_datetime(bought.fillna("2024-06-01 00:00:00")) + pd.Timedelta(days=6)
    items.insert(4, "shipping_limit_date", limit.dt.strftime("%Y-%m-%d %H:%M:%S"))
    items.to_csv(folder / "order_items.csv", index=False)
    return frames


def test_olist_lines_with_their_own_time_join_the_header_and_the_person(tmp_path: Path) -> None:
    """D8: the real order_items has a time (shipping_limit_date), so init did not join it to
    the header: orders without a customer (every order a guest's) timed by the shipping limit.
    Now the lines join orders and customers; the person is customer_unique_id and the time
    the order's purchase."""
    frames = _olist_with_line_times(tmp_path)
    path, _ = init_config(tmp_path)
    o = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["orders"]
    assert o["join"] == JOIN
    assert o["columns"]["user_id"] == "customer_unique_id"
    assert o["columns"]["timestamp"] == "order_purchase_timestamp"
    assert o["columns"]["amount"] == "price"
    with open_workspace(path) as ws:
        got = ws.to_pandas("orders")
    truth = pandas_truth(frames, status=None)
    truth = truth[truth["order_status"].isin(["delivered", "shipped"])]
    assert got["user_id"].nunique() == truth["customer_unique_id"].nunique()
    repeat = truth.groupby("customer_unique_id")["order_id"].nunique().gt(1).sum()
    assert got.groupby("user_id")["order_id"].nunique().gt(1).sum() == repeat > 0


def _naive(folder: Path, person: bool) -> Path:
    """Olist's lines joined by hand, mapped by the per-order customer_id (1,083 orders)."""
    frames = write_olist(folder / "raw", lines=1300, missing=0)
    joined = pandas_truth(frames, status=None)
    if not person:
        joined = joined.drop(columns="customer_unique_id")
    joined.to_csv(folder / "lines.csv", index=False)
    columns = {"user_id": "customer_id", "timestamp": "order_purchase_timestamp",
               "item_id": "product_id", "amount": "price"}  # fmt: skip
    cfg = folder / "opsai.yaml"
    table = {"file": "lines.csv", "columns": columns}
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"orders": table}}}))
    return cfg


@pytest.mark.parametrize("person", [True, False])
def test_a_customer_id_with_one_order_each_is_warned(tmp_path: Path, person: bool) -> None:
    """D8: mapped by Olist's per-order customer_id, every customer had one order and the
    report found 0% repeat buyers without a word. Validation now says so, with the share,
    and names customer_unique_id when the table has it."""
    with open_workspace(_naive(tmp_path, person)) as ws:
        warned = [w for w in ws.warnings if w.table == "orders" and w.column == "user_id"]
    (w,) = warned
    assert w.message.startswith(
        "100.0% of the 1,083 customer ids have exactly one order (over 1,083"
    )
    assert w.count == 1083 and w.major  # shown above the executive summary, not in a footer
    assert ("'customer_unique_id' in the same table repeats" in w.message) is person


def test_a_person_id_is_not_warned(tmp_path: Path) -> None:
    cfg = _naive(tmp_path, person=True)
    cfg.write_text(cfg.read_text().replace("customer_id\n", "customer_unique_id\n"))
    assert "customer_unique_id" in cfg.read_text()
    with open_workspace(cfg) as ws:
        assert not [w for w in ws.warnings if w.column == "user_id"]


def _keepa(folder: Path) -> Path:
    """A Keepa price history: minutes since 2011-01-01, prices in cents (-1: no offer), a
    best-seller rank and Amazon's 'bought in past month' units."""
    rows = ["ASIN,Brand,keepa_minutes,NEW_price_cents,SALES_rank,bought_past_month"]
    for i in range(150):
        price = -1 if i % 10 == 3 else 2999 - i % 5 * 100
        rows.append(f"B0C{i % 3:07d},{('Lumina', 'BrightCo', 'Glowtek')[i % 3]},"
                    f"{7099845 + i * 1440},{price},{5000 + i * 7 % 900},{20 + i % 40 * 13}")  # fmt: skip
    return _write(folder, "keepa_price_history.csv", rows)


def test_keepa_rank_is_no_sales_and_a_count_is_no_period(tmp_path: Path) -> None:
    """D13: init mapped period = 'bought_past_month' (a count) and sales = 'SALES_rank' (a rank,
    lower is better), and suggested a where that dropped out-of-stock rows. Now the period is
    keepa_minutes read as minutes since 2011-01-01, the sales bought_past_month, the rank an
    attribute, and the -1 prices missing (na_values)."""
    path, _ = init_config(_keepa(tmp_path))
    m = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["market"]
    assert m["columns"]["period"] == "keepa_minutes"
    assert m["columns"]["sales"] == "bought_past_month"
    assert "SALES_rank" not in m["columns"].values()
    assert m["timestamp_format"] == "minutes since 2011-01-01"
    assert m["na_values"] == ["-1"]
    with open_workspace(path) as ws:
        got = ws.to_pandas("market")
    assert len(got) == 150  # no row left out
    assert got["period"].min() == pd.Timestamp("2024-07-01 10:45")
    assert got["sales"].sum() == sum(20 + i % 40 * 13 for i in range(150))
    assert got["price"].isna().sum() == 15


def test_a_market_count_of_units_is_read_as_units_by_chapter_06(tmp_path: Path) -> None:
    """byod8 N2: init's Keepa config ran 06 with SALES_IS 'revenue' (the default) on a count
    of units, so shares and the elasticity were fitted on the wrong quantity. Now init writes
    chapters.06_market_competition.parameters.SALES_IS: units, with a note; a money column
    (revenue) gets no such section."""
    path, plan = init_config(_keepa(tmp_path))
    cfg = yaml.safe_load(path.read_text("utf-8"))
    assert cfg["chapters"] == {"06_market_competition": {"parameters": {"SALES_IS": "units"}}}
    assert any("'bought_past_month' counts units" in n for n in plan.guesses[0].notes)
    money = tmp_path / "money"
    _write(money, "market.csv", ["week,company,revenue,price"]
           + [f"2024-01-{1 + i // 3:02d},{'ABC'[i % 3]},{100 + i},{9.5 + i % 3}" for i in range(27)])  # fmt: skip
    path, _ = init_config(money)
    cfg = yaml.safe_load(path.read_text("utf-8"))
    assert cfg["data"]["tables"]["market"]["columns"]["sales"] == "revenue"
    assert "chapters" not in cfg


@pytest.mark.parametrize(
    ("column", "contract"),
    [("SALES_rank", "sales"), ("bestseller_rank", "sales"), ("bought_past_month", "period"),
     ("units_sold_last_month", "period")],
)  # fmt: skip
def test_ranks_and_counts_over_a_time(column: str, contract: str) -> None:
    assert name_score(column, contract, TABLES["market"]) == 0.0


_HOLIDAYS = ("Dia de Difuntos", "Independencia de Cuenca", "Navidad", "Primer dia del ano",
             "Carnaval", "Carnaval", "Viernes Santo", "Dia del Trabajo", "Batalla de Pichincha",
             "Primer Grito de Independencia")  # fmt: skip


def _favorita(folder: Path) -> Path:
    """Favorita's holiday calendar and its stock per store (6 stores x 35 items)."""
    rows = ["date,type,locale,locale_name,description,transferred"]
    rows += [f"2017-0{1 + i % 8}-{10 + i},Holiday,National,Ecuador,{d},False"
             for i, d in enumerate(_HOLIDAYS)]  # fmt: skip
    _write(folder, "holidays_events.csv", rows)
    stock = ["store_nbr,item_nbr,on_hand,lead_time_days,unit_cost"]
    stock += [f"{s},{219913 + i * 7},{10 + s * i % 90},7,{3 + i % 4}.56"
              for s in range(1, 7) for i in range(35)]  # fmt: skip
    return _write(folder, "stock_by_store.csv", stock)


def test_a_holiday_calendar_is_no_tickets_and_stock_per_store_is_inventory(tmp_path: Path) -> None:
    """D4: holidays_events.csv was tickets with high confidence (description the text, locale
    'National' the language) and stock_by_store.csv fitted no table. Now the calendar is not
    placed and the stock is inventory, summed over the stores when loaded."""
    plan = plan_folder(_favorita(tmp_path))
    assert [g.table for g in plan.guesses] == ["inventory"]
    (inv,) = plan.guesses
    got = {m.contract: m.source for m in inv.matches}
    assert got == {"item_id": "item_nbr", "on_hand": "on_hand",
                   "lead_time_days": "lead_time_days", "unit_cost": "unit_cost"}  # fmt: skip
    assert any("one row per item and 'store_nbr'" in n for n in inv.notes)
    assert [label for label, _ in plan.unplaced] == ["holidays_events.csv"]
    path, _ = init_config(tmp_path)
    with open_workspace(path) as ws:
        on_hand = ws.to_pandas("inventory").set_index("item_id")["on_hand"]
    assert len(on_hand) == 35
    assert on_hand.sum() == sum(10 + s * i % 90 for s in range(1, 7) for i in range(35))


def test_short_reviews_with_a_rating_and_language_codes_stay_tickets(tmp_path: Path) -> None:
    """The calendar rule keeps short reviews that carry a rating, and a locale of language
    codes is still the language (a locale of 'National' is not)."""
    texts = ("Gostei muito", "Produto excelente", "Entrega atrasada", "Tudo certo")
    rows = ["date,locale,comment,rating"]
    rows += [f"2024-01-{1 + i % 28:02d},{('pt', 'en')[i % 2]},{texts[i % 4]},{1 + i % 5}"
             for i in range(40)]  # fmt: skip
    (g,) = plan_folder(_write(tmp_path, "feedback.csv", rows)).guesses
    got = {m.contract: m.source for m in g.matches}
    assert g.table == "tickets"
    assert got["text"] == "comment"
    assert got["sentiment"] == "rating"
    assert got["language"] == "locale"


_DISHES = (
    "招牌牛肉面x1,卤蛋x2",
    "凉拌黄瓜x1,红烧牛肉面x1,酸梅汤x1",
    "可乐x1",
    "卤蛋x1,招牌牛肉面x2",
)
_REVIEWS = ("配送太慢，汤都洒了", "味道很好，送得也快", "", "", "面有点坨了，下次不点了")


def _meituan(folder: Path) -> Path:
    """A Meituan order export: the dishes in one cell without blanks (名称x数量), the
    customer's review and rating on the order (most orders have no review text)."""
    rows = ["订单号,下单时间,顾客ID,商品明细,实付金额,顾客评价,评分"]
    for i in range(60):
        review = _REVIEWS[i % 5]
        rows.append(f"30000000{i:08d},2025/03/{1 + i % 28:02d} 11:{i % 60:02d},1380000{i % 13:04d},"
                    f'"{_DISHES[i % 4]}",{20 + i}.50,{review},{(1, 5, 4, "", 2)[i % 5]}')  # fmt: skip
    return _write(folder, "美团外卖订单导出_2025.csv", rows)


def test_meituan_dishes_are_exploded_and_reviews_are_tickets(tmp_path: Path) -> None:
    """D11: '招牌牛肉面x1,卤蛋x2' (no blank before x) got no explode, and the review columns
    were attributes of orders: no item ids, no tickets. Now explode splits the dishes and
    the same file is also tickets (review text, rating), orders without a review left out."""
    path, _ = init_config(_meituan(tmp_path))
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    o, t = spec["orders"], spec["tickets"]
    assert o["explode"]["column"] == "商品明细"
    assert o["explode"]["sep"] == ","
    assert t["file"] == o["file"]
    assert t["columns"] == {"ticket_id": "订单号", "timestamp": "下单时间", "text": "顾客评价",
                            "user_id": "顾客ID", "sentiment": "评分"}  # fmt: skip
    assert t["drop_incomplete"] is True
    with open_workspace(path) as ws:
        lines, tickets = ws.to_pandas("orders"), ws.to_pandas("tickets")
    assert lines["amount"].sum() == pytest.approx(sum(20 + i + 0.5 for i in range(60)))
    assert len(lines) == sum(len(_DISHES[i % 4].split(",")) for i in range(60))
    eggs = lines[lines["item_id"] == "卤蛋"]["quantity"].sum()
    assert eggs == 15 * 2 + 15 * 1
    assert len(tickets) == 36  # 3 of every 5 orders carry a review text


@pytest.mark.parametrize(
    "cell", ["招牌牛肉面×1,卤蛋×2", "招牌牛肉面*1,卤蛋*2", "招牌牛肉面 x1,卤蛋 x2"]
)
def test_unspaced_multipliers_split(cell: str) -> None:
    found = _split_pattern([cell, cell, cell])
    assert found is not None
    sep, pattern, _ = found
    got = [re.fullmatch(pattern, x.strip()) for x in cell.split(sep)]
    assert [(m["item_id"], m["quantity"]) for m in got if m] == [("招牌牛肉面", "1"), ("卤蛋", "2")]


def _flat_olist(folder: Path, repeat: bool) -> Path:
    """Olist's orders, customers and items merged into one file: customer_id is one per order,
    customer_unique_id the person (who orders again only when ``repeat``)."""
    rows = ["order_id,customer_id,customer_unique_id,order_purchase_timestamp,product_id,price"]
    for i in range(120):
        person = i % 45 if repeat else i
        rows.append(f"o{i:05d},c{i:05d},u{person:05d},2018-0{1 + i % 9}-1{i % 10} 10:00:00,"
                    f"x{i % 13},{10 + i % 50}.90")  # fmt: skip
    return _write(folder, "orders_flat.csv", rows)


@pytest.mark.parametrize("repeat", [True, False])
def test_the_person_beside_a_per_order_customer_id_is_the_user(
    tmp_path: Path, repeat: bool
) -> None:
    """byod8, left open: one file holding both customer_id (one per order) and
    customer_unique_id (the person) got user_id = customer_id, so every customer had one order
    ('0% of a cohort active again'). The person is the user_id now, by its repeats over orders
    or, when the sample shows none, by its name."""
    (g,) = plan_folder(_flat_olist(tmp_path, repeat)).guesses
    assert {m.contract: m.source for m in g.matches}["user_id"] == "customer_unique_id"
    (note,) = [n for n in g.notes if n.startswith("user_id is")]
    assert ("a customer_unique_id has several" in note) is repeat
    cells = [ln.split(",") for ln in (tmp_path / "orders_flat.csv").read_text().splitlines()]
    plain = [",".join(c[:2] + c[3:]) for c in cells]  # without customer_unique_id
    (g,) = plan_folder(_write(tmp_path / "plain", "orders.csv", plain)).guesses
    assert {m.contract: m.source for m in g.matches}["user_id"] == "customer_id"  # nothing else
