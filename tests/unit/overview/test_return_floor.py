"""N5: the return-rate finding needs a practical effect besides significance, and negative
lines of codes that are no product (bad debt, manual adjustments) are adjustments, not refunds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsai import overview as ov
from opsai.data import open_workspace

pytestmark = pytest.mark.unit

COLS = {
    "order_id": "Invoice",
    "user_id": "Customer",
    "timestamp": "Date",
    "item_id": "StockCode",
    "quantity": "Quantity",
    "price": "Price",
}


def _workspace_config(folder: Path, lines: list[str]) -> Path:
    (folder / "lines.csv").write_text(
        "Invoice,Customer,Date,StockCode,Quantity,Price\n" + "\n".join(lines) + "\n"
    )
    cfg = folder / "opsai.yaml"
    tables = {"orders": {"file": "lines.csv", "columns": COLS}}
    cfg.write_text(yaml.safe_dump({"currency": "GBP", "data": {"source": ".", "tables": tables}}))
    return cfg


def _sales(item: str, sales: int, returns: int) -> list[str]:
    """``sales`` lines of 100 units and ``returns`` lines of 10 units back, at 1.00 each."""
    out = [f"{item}-{i},c{i % 9},2024-01-{1 + i % 28:02d},{item},100,1.0" for i in range(sales)]
    out += [f"C{item}-{i},c{i % 9},2024-02-{1 + i % 28:02d},{item},-10,1.0" for i in range(returns)]
    return out


def test_a_significant_but_small_difference_is_no_finding(tmp_path: Path) -> None:
    """UCI's 22720 was flagged at 4.2% vs 3.3% (1.27x) only because it sold 5,070 units. Now
    an item needs 1.5x the overall rate and 5 points above it too: X (4.2% of 20,000 units,
    p far below 0.05 over 22 items) is not flagged; Y (12.0%) still is."""
    lines = _sales("X", 200, 84) + _sales("Y", 50, 60)
    for k in range(20):
        lines += _sales(f"I{k:02d}", 50, 16)
    with open_workspace(_workspace_config(tmp_path, lines)) as ws:
        rates = ov.return_rates(ws)
        summary = ov.returns_summary(ws)
    p0 = (840 + 600 + 20 * 160) / (20_000 + 5_000 + 20 * 5_000)
    assert rates.attrs["overall_rate"] == pytest.approx(p0)
    assert rates.attrs["tested"] == 22
    x = rates.set_index("item_id").loc["X"]
    assert x["rate"] == pytest.approx(0.042)
    assert x["p_value"] * 22 < 0.01  # significant: the binomial test alone flagged it
    assert not x["stands_out"]
    assert rates.loc[rates["stands_out"], "item_id"].tolist() == ["Y"]
    found = dict(ov.returns_findings(summary, rates, currency="GBP"))
    text = found["return_rates"].text
    assert text.startswith("1 item(s) are returned far more often than the 3.7% overall")
    assert "Y 12.0% of 5,000" in text and "X 4.2%" not in text
    assert "a rate at least 1.5x the overall and 5 points above it" in text


def test_negative_lines_of_non_product_codes_are_adjustments(tmp_path: Path) -> None:
    """UCI's 40,856 GBP of 'refunds' held 15,005.00 of bad debt (B) and 5,719.73 of manual
    adjustments (M, whose 40 units counted as returned). Now those lines are adjustments."""
    lines = [
        "1,c1,2024-01-02,TEE,10,20.0",  # 200 gross
        "2,c2,2024-01-03,MUG,5,10.0",  # 50 gross
        "3,c3,2024-01-04,POST,1,18.0",  # postage sold: gross, no units
        "C1,c1,2024-01-05,TEE,-2,20.0",  # a refund: 40, 2 units back
        "A1,,2024-01-06,B,1,-15005.0",  # bad debt
        "C2,c2,2024-01-07,M,-40,142.99325",  # a manual adjustment of 5,719.73
        "C3,c3,2024-01-08, m ,-1,1.0",  # the code read trimmed, in any case
    ]
    with open_workspace(_workspace_config(tmp_path, lines)) as ws:
        s = ov.returns_summary(ws)
        rates = ov.return_rates(ws)
    assert s["gross"] == pytest.approx(268.0)
    assert s["refunds"] == pytest.approx(40.0)
    assert s["refund_lines"] == 1
    assert s["adjustments"] == pytest.approx(15005.0 + 5719.73 + 1.0)
    assert s["adjustment_lines"] == 3
    assert s["adjusted"] == {
        "B": {"money": pytest.approx(15005.0), "lines": 1},
        "M": {"money": pytest.approx(5720.73), "lines": 2},
    }
    assert s["net"] == pytest.approx(268.0 - 40.0 - 20725.73)
    assert (s["units_sold"], s["units_returned"]) == (15.0, 2.0)  # M's 41 units: no returns
    assert s["refund_share"] == pytest.approx(40.0 / 268.0)
    assert set(rates["item_id"]) == {"TEE", "MUG"}  # no return rate of a code
    (_, f), *_ = ov.returns_findings(s, rates, currency="GBP")
    assert "refunds 40 GBP (14.9% of gross) over 1 refund line(s)" in f.text
    assert (
        "adjustments 20,726 GBP over 3 line(s) of codes that are no product, not refunds "
        "(B 15,005 GBP, M 5,721 GBP)" in f.text
    )
    assert "2 of 15 units sold were returned (13.3%)" in f.text
    assert f.text.endswith("net of refunds and adjustments.")


def test_lines_without_a_quantity_count_one_unit_each(tmp_path: Path) -> None:
    """Olist's order lines have a price and no quantity: each line is one unit, sold or (with
    a negative amount) returned; the overview's return rates used to stop with an
    AttributeError ('IntegerScalar' object has no attribute 'sum')."""
    rows = [f"o{i},c{i % 7},2024-01-{1 + i % 28:02d},tee,5.0" for i in range(30)]
    rows += [f"o{i},c{i % 7},2024-01-{1 + i % 28:02d},cap,5.0" for i in range(30, 50)]
    rows += [f"r{i},c{i % 7},2024-02-{1 + i % 28:02d},tee,-5.0" for i in range(6)]
    (tmp_path / "lines.csv").write_text("id,cust,at,sku,price\n" + "\n".join(rows) + "\n")
    cols = {"order_id": "id", "user_id": "cust", "timestamp": "at", "item_id": "sku",
            "amount": "price"}  # fmt: skip
    cfg = tmp_path / "opsai.yaml"
    tables = {"orders": {"file": "lines.csv", "columns": cols}}
    cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": tables}}))
    with open_workspace(cfg) as ws:
        rates = ov.return_rates(ws).set_index("item_id")
    assert rates.loc["tee", ["sold", "returned"]].tolist() == [30, 6]
    assert rates.loc["cap", ["sold", "returned"]].tolist() == [20, 0]
    assert rates.loc["tee", "rate"] == pytest.approx(0.2)
