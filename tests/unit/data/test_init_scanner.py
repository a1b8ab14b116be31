"""``opsai init`` on a Nielsen/IRI scanner export (byod9b D4): weekly brand x market x UPC rows
with a ``1 w/e 01/06/24`` time and ``CATEGORY TOTAL`` rows per market and week."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data import _sniff
from opsai.data.init import init_config
from opsai.data.workspace import open_workspace

pytestmark = pytest.mark.unit

BRANDS = ("Aurora", "Brightly", "ALL OTHER")
MARKETS = ("Central Drug", "West Food")


def _scanner(folder: Path, *, iso: bool = False) -> Path:
    """8 weeks x 2 markets x (3 brands x 2 UPCs + a CATEGORY TOTAL row)."""
    head = "Week Ending" if iso else "Time"
    rows = [f"{head},Market,Channel,Brand,UPC,Units,Dollars,Avg Unit Price,%ACV"]
    for w, day in enumerate(pd.date_range("2024-01-06", periods=8, freq="7D")):
        when = f"{day:%Y-%m-%d}" if iso else f"1 w/e {day:%m/%d/%y}"
        for market in MARKETS:
            units_total = dollars_total = 0.0
            for b, brand in enumerate(BRANDS):
                for u in range(2):
                    units, price = 100 + 10 * b + w + u, 4.99 + b - 0.2 * (w % 3)
                    units_total, dollars_total = units_total + units, dollars_total + units * price
                    rows.append(f"{when},{market},{market.split()[1]},{brand},0710000{b}{u},"
                                f"{units},{units * price:.2f},{price:.2f},80.5")  # fmt: skip
            rows.append(f"{when},{market},{market.split()[1]},CATEGORY TOTAL,,{units_total},"
                        f"{dollars_total:.2f},{dollars_total / units_total:.2f},100")  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scantrack_weekly.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_a_labelled_week_is_a_date_with_its_label_in_the_format() -> None:
    assert _sniff.timestamp_format(["1 w/e 01/06/24", "1 w/e 12/28/24"]) == (1.0, "1 w/e %m/%d/%y")
    assert _sniff.timestamp_format(["Week Ending 2024-01-06"]) == (1.0, "Week Ending %Y-%m-%d")
    assert _sniff.timestamp_format(["W/E 13.01.2024"]) == (1.0, "W/E %d.%m.%Y")
    assert _sniff.timestamp_format(["1 w/e 01/06/24", "4 w/e 01/27/24"])[0] < 0.9  # two labels
    assert _sniff.timestamp_format(["Order 12/3/4"])[0] < 0.9  # no year


@pytest.mark.parametrize("iso", [False, True])
def test_a_scanner_export_is_the_market_without_its_category_totals(
    tmp_path: Path, iso: bool
) -> None:
    """D4: 'fits no table (columns: Time, Market, Channel, ...)' for Nielsen's time; the
    CATEGORY TOTAL rows were a company holding half the market. ALL OTHER is a company."""
    path, plan = init_config(_scanner(tmp_path / "nielsen", iso=iso))
    market = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["market"]
    assert market["columns"]["period"] == ("Week Ending" if iso else "Time")
    assert market["columns"]["company"] == "Brand"
    assert market.get("timestamp_format") == (None if iso else "1 w/e %m/%d/%y")
    assert market["where"] == "company <> 'CATEGORY TOTAL'"
    assert any("'CATEGORY TOTAL' is the market's total" in n for n in plan.guesses[0].notes)
    with open_workspace(path) as ws:
        got = ws.to_pandas("market")
    assert len(got) == 8 * 2 * 3 * 2  # the 16 total rows left out
    assert set(got["company"]) == set(BRANDS)
    assert got["period"].min() == pd.Timestamp("2024-01-06")
    assert got["period"].max() == pd.Timestamp("2024-02-24")
