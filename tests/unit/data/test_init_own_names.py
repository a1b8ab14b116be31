"""A column already named as the contract's is mapped without a line in the written YAML:
the table's comment names it, so the config does not look as if it were left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsai.data import open_workspace
from opsai.data.init import init_config

pytestmark = pytest.mark.unit


def test_columns_read_under_their_own_names_are_named(tmp_path: Path) -> None:
    """Inside Airbnb's listings.csv: ``price`` (``$1,200.00``) is items.price by its own name
    (byod13b D8: init printed ``price = 'price'`` and the YAML showed no price)."""
    rows = [
        f'{1000 + i},Sunny room {i},Brooklyn,Private room,"${50 + 25 * i:,}.00",{i % 3 + 1}'
        for i in range(60)
    ]
    (tmp_path / "listings.csv").write_text(
        "id,name,neighbourhood_group,room_type,price,minimum_nights\n" + "\n".join(rows) + "\n"
    )
    path, plan = init_config(tmp_path)
    text = path.read_text()
    items = next(g for g in plan.guesses if g.table == "items")
    assert {m.contract: m.source for m in items.matches}["price"] == "price"
    assert "    # read under their own names: price\n    items:\n" in text
    assert "price: price" not in text  # no mapping line of its own: the comment says it
    with open_workspace(path) as ws:
        prices = ws.to_pandas("items").sort_values("item_id")["price"].tolist()
    assert prices[:2] == [50.0, 75.0] and prices[-1] == 50.0 + 25 * 59
