"""Bot-like users: flagged by a stated rule, named in a finding, dropped only when named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.recommend import story
from opsai.recommend.outliers import exclude_users, heavy_users

pytestmark = pytest.mark.unit


def _shop(n_users: int, lengths: np.ndarray, n_items: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pop = 1.0 / np.arange(1, n_items + 1)
    rows = [
        (f"c{u:04d}", f"p{i:04d}")
        for u in range(n_users)
        for i in rng.choice(n_items, size=int(lengths[u]), replace=False, p=pop / pop.sum())
    ]
    return pd.DataFrame(rows, columns=["user_id", "item_id"])


@pytest.fixture(scope="module")
def with_bots() -> pd.DataFrame:
    """800 shoppers with 1-30 items of 400 (median 3, as the probe shop), and 3 bots that
    walked nearly the whole catalogue."""
    rng = np.random.default_rng(1)
    shop = _shop(800, np.clip(rng.geometric(0.25, 800), 1, 30), 400)
    bots = [(f"bot{b}", f"p{i:04d}") for b in range(3) for i in range(400) if (i + b) % 100]
    return pd.concat([shop, pd.DataFrame(bots, columns=shop.columns)], ignore_index=True)


def test_bots_are_flagged_named_and_kept(with_bots: pd.DataFrame) -> None:
    flagged = heavy_users(with_bots)
    assert flagged["user_id"].tolist() == ["bot0", "bot1", "bot2"]
    assert flagged["items"].tolist() == [396, 396, 396]
    assert flagged["coverage"].tolist() == pytest.approx([0.99] * 3)
    share = 3 * 396 / len(with_bots)
    assert flagged["share"].sum() == pytest.approx(share)
    a = flagged.attrs
    assert a["fence"] == pytest.approx(a["q3"] * (a["q3"] / a["q1"]) ** 1.5, abs=0.1)
    assert a["fence"] < 100 and a["users"] == 803
    f = story.heavy_users_finding(with_bots)
    assert f.severity == "medium" and f.evidence["users"] == 3
    assert f.text.startswith(f"3 of 803 users (bot0, bot1, bot2) hold {share:.0%} of the inter")
    assert "396-396" not in f.text and "396 items each, 99% of the catalogue" in f.text
    assert 'EXCLUDE_USERS: "bot0,bot1,bot2" in chapters.03b_recommendation.parameters' in f.text
    assert "They are kept" in f.text
    assert with_bots["user_id"].str.startswith("bot").sum() == 3 * 396  # the frame is untouched


def test_real_heavy_users_are_not_bots() -> None:
    # MovieLens-like: 943 raters, lognormal history lengths (median 65, 20 to 737), 1,682 films;
    # the heaviest rate 44% of the films but are within the spread of everyone else
    rng = np.random.default_rng(2)
    lengths = np.clip(np.round(np.exp(rng.normal(np.log(65), 0.95, 943))), 20, 737)
    lengths[:3] = [737, 685, 636]
    pairs = _shop(943, lengths, 1682)
    flagged = heavy_users(pairs)
    assert flagged.empty and flagged.attrs["fence"] > 737
    f = story.heavy_users_finding(pairs)
    assert f.severity == "info" and f.text.startswith("No user's history is far beyond the other")
    assert "longest 737 items" in f.text
    # long histories over a small catalogue (the tiny demo: 24 items) are not flagged either
    small = _shop(600, np.clip(rng.geometric(0.15, 600), 2, 18), 24)
    assert heavy_users(small).empty
    # most users with 2 items and a few with 4 are no outliers (the IQR has a floor)
    flat = _shop(100, np.r_[[4] * 5, [2] * 95], 6)
    assert heavy_users(flat).empty


def test_exclude_users_only_the_named_ones(with_bots: pd.DataFrame) -> None:
    assert exclude_users(with_bots, "") is with_bots  # nothing is dropped by default
    clean = exclude_users(with_bots, " bot0, bot1 ,bot2 ")
    assert not clean["user_id"].str.startswith("bot").any()
    assert len(clean) == len(with_bots) - 3 * 396
    assert clean.attrs["excluded_pairs"] == 3 * 396
    f = story.heavy_users_finding(clean)
    assert f.severity == "info" and f.evidence["excluded_users"] == 3
    assert f.text.startswith("3 account(s) named in EXCLUDE_USERS were left out (1,188 inter")
    with pytest.raises(ConfigError) as err:
        exclude_users(with_bots, "bot0,bot9")
    said = str(err.value)
    assert said.startswith("EXCLUDE_USERS: 1 user id(s) not in the interactions: 'bot9'")
    assert "chapters.03b_recommendation.parameters.EXCLUDE_USERS" in said


def _small_shop(seed: int = 0) -> pd.DataFrame:
    """600 shoppers of a 150-item catalogue, lognormal history lengths (median 4): the two
    longest (63 and 48 items) pass the fence (46) and the coverage floor (30 items)."""
    rng = np.random.default_rng(seed)
    lengths = np.clip(np.round(np.exp(rng.normal(np.log(4), 0.9, 600))), 1, 150)
    return _shop(600, lengths, 150, seed)


def test_heavy_customers_of_a_small_catalogue_are_not_bots() -> None:
    shop = _small_shop()
    assert shop["item_id"].nunique() == 150
    flagged = heavy_users(shop)
    a = flagged.attrs
    assert flagged.empty  # before: c0219 and c0270 (63 and 48 items) were flagged as bots
    assert a["fence"] == pytest.approx(45.8) and a["beyond"] == [63, 48] and a["next"] == 63
    f = story.heavy_users_finding(shop)
    assert f.severity == "info" and f.evidence["beyond_fence"] == 2
    assert "2 user(s) pass the fence and the catalogue share (63, 48 items of 150)" in f.text
    assert "no 2x gap" in f.text and "not bots by their history alone" in f.text


def test_bots_of_a_small_catalogue_are_still_flagged() -> None:
    shop = _small_shop()
    walked = [(f"bot{b}", f"p{i:04d}") for b in range(2) for i in range(150) if (i + b) % 50]
    pairs = pd.concat([shop, pd.DataFrame(walked, columns=shop.columns)], ignore_index=True)
    flagged = heavy_users(pairs)
    assert flagged["user_id"].tolist() == ["bot0", "bot1"]
    assert flagged["items"].tolist() == [147, 147] and flagged.attrs["next"] == 63
    f = story.heavy_users_finding(pairs)
    assert f.severity == "medium" and f.evidence["users"] == 2
    assert f.text.startswith("2 of 602 users (bot0, bot1) hold")
    # the deepest gap decides: 147 items against the longest customer's 63
    assert "at least 2x the longest history not flagged" in f.text
