"""A market built from a booking calendar exported ahead: our share of the book, no moves (byod13b)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from opsai.data.workspace import open_workspace
from opsai.market import chapter as ch
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _book(tmp_path: Path, *, past: bool = False) -> Path:
    """Booked nights of hosts h1 (ours) and h2 from 2025-01-01 to 2025-03-31 (reviews end
    2024-12-31): h1 books 3 nights a day in segment A and 1 in B, h2 1 in A and 3 in B, both
    fewer each month (the book thinning); ``past`` adds a night each before the export."""
    rows = []
    for d in pd.date_range("2025-01-01", "2025-03-31"):
        n = 4 - d.month  # 3, 2, 1 nights a listing-day ahead
        rows += [("h1", d.date(), "A")] * (3 * n) + [("h1", d.date(), "B")] * n
        rows += [("h2", d.date(), "A")] * n + [("h2", d.date(), "B")] * (3 * n)
    if past:
        rows += [
            ("h1", pd.Timestamp("2024-12-01").date(), "A"),
            ("h2", pd.Timestamp("2024-12-01").date(), "B"),
        ]
    cal = pd.DataFrame(rows, columns=["host", "date", "area"]).assign(n=1, price=100.0)
    reviews = "id,date,text\n1,2024-06-01,nice\n2,2024-12-31,noisy\n"
    spec = {
        "market": {"file": "cal.csv", "columns": {"period": "date", "company": "host",
                                                  "sales": "n", "segment": "area", "price": "price"}},
        "tickets": {"file": "reviews.csv",
                    "columns": {"ticket_id": "id", "timestamp": "date", "text": "text"}},
    }  # fmt: skip
    return write_dataset(
        tmp_path, {"cal.csv": cal.to_csv(index=False), "reviews.csv": reviews}, spec
    )


def test_a_market_lying_after_the_other_tables_is_shown_as_the_book(tmp_path: Path) -> None:
    """06 read the thinning book as our sales falling 25%; now it says our share of the book
    (half, flat) and per segment (A 75%, B 25%), and leaves growth and moves out."""
    with open_workspace(_book(tmp_path)) as ws:
        at, rows = ch.forward_rows(ws, ws.to_pandas("market"))
    assert at is not None and at.all_forward and len(rows) == at.rows
    assert ch.forward_skip_reason(at) is not None
    market, _ = ch.calendar_periods(rows, "month", company="h1")
    f = ch.forward_finding(market, "h1", at, rows=rows)
    assert f is not None
    assert f.evidence["share"] == pytest.approx(0.5)
    assert f.evidence["period_min"] == pytest.approx(0.5) == f.evidence["period_max"]
    assert f.evidence["segment_share"] == pytest.approx({"A": 0.75, "B": 0.25})
    assert "h1 holds 50.0% of the bookings on the books" in f.text and "A 75.0%, B 25.0%" in f.text


def test_history_before_a_set_as_of_is_kept(tmp_path: Path) -> None:
    """With ``data.as_of`` and rows before it, only those rows are history; no book finding."""
    import yaml

    cfg = _book(tmp_path, past=True)
    spec = yaml.safe_load(cfg.read_text())
    spec["data"]["as_of"] = "2024-12-31"
    cfg.write_text(yaml.safe_dump(spec))
    with open_workspace(cfg) as ws:
        at, rows = ch.forward_rows(ws, ws.to_pandas("market"))
    assert at is not None and not at.all_forward and len(rows) == 2
    assert ch.forward_skip_reason(at) is None and ch.forward_finding(rows, "h1", at) is None


def _keyed(tmp_path: Path, rows: str) -> pd.DataFrame:
    """The market of ``rows`` (date, host_name, host_id, n) with its company keyed."""
    spec = {
        "market": {
            "file": "m.csv",
            "columns": {"period": "date", "company": "host_name", "sales": "n"},
        }
    }
    with open_workspace(write_dataset(tmp_path, {"m.csv": rows}, spec)) as ws:
        return ch.company_key(ws, ws.to_pandas("market"))


def test_a_first_name_shared_by_several_hosts_is_keyed_by_the_host_id(tmp_path: Path) -> None:
    """market.company: host_name summed three hosts called David into one competitor
    (byod13b D17); with host_id beside it they are told apart, a lone name kept."""
    rows = "date,host_name,host_id,n\n" + "".join(
        f"2025-01-0{d},{name},{hid},{n}\n"
        for d in (1, 2)
        for name, hid, n in (("Urban", 9, 5), ("David", 1, 1), ("David", 2, 2), ("David", 3, 3))
    )
    keyed = _keyed(tmp_path, rows)
    assert sorted(keyed["company"].unique()) == ["David (1)", "David (2)", "David (3)", "Urban"]
    f = ch.company_key_finding(keyed)
    assert f is not None and f.evidence["largest"] == {"David": {"keys": 3, "sales": 12.0}}
    assert "1 of its 2 names stand for several host_id values" in f.text


def test_names_with_one_key_each_are_left_as_they_are(tmp_path: Path) -> None:
    rows = "date,host_name,host_id,n\n2025-01-01,Urban,9,5\n2025-01-01,David,1,1\n"
    keyed = _keyed(tmp_path, rows)
    assert sorted(keyed["company"]) == ["David", "Urban"] and ch.company_key_finding(keyed) is None


def test_a_books_partial_months_feed_its_shares_and_its_concentration_is_dated() -> None:
    """On the Airbnb book 06 said "shares, growth, moves, the demand model and the forecasts
    use the 11 whole months" (none but the shares are made from a book), compared the HHI
    with "the start", and the wins "against the 5 before" (byod13b)."""
    from opsai.market import concentration, strengths_weaknesses
    from opsai.market import findings as fd

    days = pd.date_range("2025-01-15", "2025-05-14")
    rows = pd.DataFrame(
        [(d, c, 1.0, 100.0 + 20 * (d.day % 2)) for d in days
         for c, n in (("h1", 3), ("h2", 1), ("h3", 1)) for _ in range(n)],
        columns=["period", "company", "sales", "price"],
    )  # fmt: skip
    market, note = ch.calendar_periods(rows, "month", company="h1", book=True)
    assert note is not None and sorted(market["period"].dt.month.unique()) == [2, 3, 4]
    assert (
        "Compared as whole months they would read as bookings thinning at the ends of the "
        "book, so they are left out: the shares of the book use the 3 whole months from "
        "2025-02 to 2025-04."
    ) in note.text
    assert "several prices" not in note.text  # no price moves are read from a book
    assert "holds 17 of its 31 days (the data start on 2025-01-15; 85 bookings against" in (
        note.text
    )
    _, history = ch.calendar_periods(rows, "month", company="h1")
    assert history is not None and "the demand model and the forecasts use the 3 whole" in (
        history.text
    )
    assert "the rows hold several prices" in history.text
    conc = concentration(market)
    f = fd.concentration_finding(conc, book=True)
    assert f.text.startswith("The bookings on the books are highly concentrated in 2025-04: ")
    assert "equal-sized companies; 4,400 in 2025-02)" in f.text
    assert "at the start" in fd.concentration_finding(conc).text
    sw = strengths_weaknesses(market, "h1", periods=2)
    book = ch.book_positions(sw)
    assert not book["metric"].str.contains("change|growth").any() and len(book) < len(sw)
    assert book.attrs["compared"] == "in 2025-04 on the books"
    assert sw.attrs["compared"] == "in 2025-04 against 2025-03"
