"""A booking calendar exported ahead: its days are on the books, not falling demand (byod13b D15)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai import forecast as fc
from opsai.data.forward import as_of
from opsai.data.workspace import open_workspace
from opsai.errors import NothingToAnalyse
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _calendar(tmp_path: Path, *, past_days: int = 0) -> Path:
    """Four listings (two per borough) with a calendar from 2025-01-01 (the export: reviews end
    2024-12-31) to 2025-03-31; listing x1 is booked every day, the others every day in January,
    every other day in February and never in March: a book thinning ahead. ``past_days``
    adds that many booked days before the export for every listing."""
    days = pd.date_range("2025-01-01", "2025-03-31")
    rows = []
    for item, boro in (("x1", "A"), ("x2", "A"), ("y1", "B"), ("y2", "B")):
        for d in days:
            booked = item == "x1" or d.month == 1 or (d.month == 2 and d.day % 2 == 0)
            if booked:
                rows.append((item, d.date(), boro))
        for d in pd.date_range(end="2024-12-31", periods=past_days):
            rows.append((item, d.date(), boro))
    cal = pd.DataFrame(rows, columns=["listing", "date", "boro"]).assign(n=1)
    items = "id,kind\nx1,home\nx2,room\ny1,home\ny2,room\n"
    reviews = "id,date,text\n1,2024-06-01,nice\n2,2024-12-31,noisy\n"
    spec = {
        "demand": {"file": "cal.csv", "columns": {"item_id": "listing", "timestamp": "date",
                                                  "quantity": "n", "store": "boro"}},
        "items": {"file": "items.csv", "columns": {"item_id": "id", "category": "kind"}},
        "tickets": {"file": "reviews.csv",
                    "columns": {"ticket_id": "id", "timestamp": "date", "text": "text"}},
    }  # fmt: skip
    files = {"cal.csv": cal.to_csv(index=False), "items.csv": items, "reviews.csv": reviews}
    return write_dataset(tmp_path, files, spec)


def test_a_calendar_after_the_other_tables_is_a_forward_book(tmp_path: Path) -> None:
    """04 read the thinning book as "store B's sales fell"; now the rows after the reviews'
    last day are the book: occupancy per month, store and category, and no forecast."""
    with open_workspace(_calendar(tmp_path)) as ws:
        book = fc.forward_book(ws)
    assert book is not None
    assert (book["as_of"], book["source"], book["cut"]) == ("2024-12-31", "tickets", "2025-01-01")
    assert book["forward"] == book["rows"] == 31 * 4 + 28 + 14 * 3 + 31
    rate = book["months"]["rate"]
    assert rate[pd.Period("2025-01")] == 1.0
    assert rate[pd.Period("2025-02")] == pytest.approx((28 + 14 * 3) / (28 * 4))
    assert rate[pd.Period("2025-03")] == pytest.approx(0.25)
    assert book["stores"]["A"] == pytest.approx((90 + 31 + 14) / 180)
    assert book["categories"]["home"] == pytest.approx((90 + 31 + 14) / 180)
    f = fc.forward_book_finding(book)
    assert f is not None and "2025-01 is already 100.0% booked, the highest month ahead" in f.text
    assert "all the demand the data holds" in f.text and f.evidence["store_rate"]["B"] == 0.5
    with pytest.raises(NothingToAnalyse, match="forward booking calendar"):
        fc.require_history(book, f)


def test_data_as_of_sets_the_date_and_history_before_it_is_kept(tmp_path: Path) -> None:
    """A set ``data.as_of`` wins over the detection; rows up to it stay history."""
    cfg = _calendar(tmp_path, past_days=10)
    with open_workspace(cfg) as ws:  # past days beside the book: its start says nothing
        assert as_of(ws, "demand") is None
    spec = yaml.safe_load(cfg.read_text())
    spec["data"]["as_of"] = "2025-01-31"
    cfg.write_text(yaml.safe_dump(spec))
    with open_workspace(cfg) as ws:
        book = fc.forward_book(ws)
    assert book is not None and book["source"] == "data.as_of" and book["cut"] == "2025-02-01"
    assert book["forward"] == 28 + 14 * 3 + 31 and book["rows"] == 40 + 31 * 4 + 28 + 14 * 3 + 31
    f = fc.forward_book_finding(book)
    assert f is not None and "all the demand" not in f.text
    fc.require_history(book, f)  # history to forecast from: no skip


def test_a_demand_table_ending_with_the_others_has_no_book(tmp_path: Path) -> None:
    cal = "listing,date,n\nx1,2024-06-01,1\nx1,2024-12-30,1\n"
    reviews = "id,date,text\n1,2024-06-01,nice\n2,2024-12-31,noisy\n"
    spec = {
        "demand": {"file": "cal.csv", "columns": {"item_id": "listing", "timestamp": "date",
                                                  "quantity": "n"}},
        "tickets": {"file": "reviews.csv",
                    "columns": {"ticket_id": "id", "timestamp": "date", "text": "text"}},
    }  # fmt: skip
    with open_workspace(
        write_dataset(tmp_path, {"cal.csv": cal, "reviews.csv": reviews}, spec)
    ) as ws:
        assert fc.forward_book(ws) is None


def test_the_price_response_is_read_across_items_not_over_the_calendar() -> None:
    """byod13b D19: December's and the weekends' rates read as price moves; the price
    decision is an item's price against its peers'. 6 items at 300 in a store of 100s are
    booked 2 of 10 days, the 6 others every other day."""
    from opsai.forecast.book import priced_above

    rows = []
    for i in range(12):
        high = i < 6
        for d in pd.date_range("2025-01-01", periods=10)[: 2 if high else 5]:
            rows.append(
                {
                    "item_id": f"i{i}",
                    "timestamp": d,
                    "store": "s",
                    "price": 300.0 if high else 100.0,
                }
            )
    rows.append(
        {"item_id": "i6", "timestamp": pd.Timestamp("2025-01-10"), "store": "s", "price": 100.0}
    )
    p = priced_above(pd.DataFrame(rows))
    assert p is not None and (p["high"], p["rest"], p["peers"]) == (6, 6, ["store"])
    assert p["high_rate"] == pytest.approx(0.2) and p["rest_rate"] == pytest.approx(
        (5 * 6 + 1) / 60
    )
    listed = pd.DataFrame({"item_id": [f"i{i}" for i in range(12)], "price": [100.0] * 12})
    assert priced_above(pd.DataFrame(rows), listed) is None  # the listed prices are all alike


def test_a_group_fully_booked_for_days_is_a_sell_out() -> None:
    """byod13b D20: Williamsburg's listings were all booked 2025-12-26..2026-01-02 and no
    finding said so. 6 items in area W booked every other day but all of them on days 20-27;
    6 in area V booked every other day (never all at once): W's stretch alone is a sell-out."""
    from opsai.forecast.book import sold_out

    days = pd.date_range("2025-01-01", periods=60)
    rows = [
        {"item_id": f"{area}{i}", "timestamp": d, "area": area, "price": 1.0}
        for area in "WV" for i in range(6) for k, d in enumerate(days)
        if (k + i) % 2 == 0 or (area == "W" and 20 <= k <= 27)
    ]  # fmt: skip
    out = sold_out(pd.DataFrame(rows))
    assert out.to_dict("records") == [{"column": "area", "group": "W", "items": 6,
        "start": days[20], "end": days[27], "days": 8}]  # fmt: skip


def test_the_overview_reads_no_sales_trend_from_a_book(tmp_path: Path) -> None:
    """00 said 'Bronx fell most (-19.3% in the last 28 days)' of a calendar all ahead: its
    daily activity now counts no units from it and the store summary is empty."""
    from opsai.overview import measures

    with open_workspace(_calendar(tmp_path)) as ws:
        daily, stores = measures.daily_activity(ws), measures.store_summary(ws)
    assert "units" not in daily and stores.empty
    with open_workspace(
        _calendar(tmp_path / "past", past_days=10)
    ) as ws:  # history: read as before
        assert "units" in measures.daily_activity(ws) and len(measures.store_summary(ws)) == 2
