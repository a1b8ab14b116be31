"""``opsai init`` on Dianping-style reviews (byod10b D18): the shop key beside a file of shops
is the reviews' item_id, that file the items (its '￥85' the price), and Chinese texts with
Unix-epoch times set the business's zone."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest
import yaml

from opsai.data import open_workspace
from opsai.data.init import init_config, plan_folder

pytestmark = pytest.mark.unit

_COMMENTS = [
    "装修很有特色，拍照好看",
    "一般般吧，没有想象中好。",
    "服务太差了，等了一个小时",
    "味道不错，下次再来",
]
_FIRST_MS = 1672502598744  # 2022-12-31 16:03:18.744 UTC, 2023-01-01 00:03 in Shanghai


def _dianping(folder: Path, n: int = 300) -> None:
    rng = random.Random(7)
    rows = [
        {
            "userId": f"u{rng.randrange(1000, 1200)}",
            "restId": 1001 + rng.randrange(6),
            "rating": rng.randint(1, 5),
            "timestamp": _FIRST_MS + i * 3_600_000,
            "comment": rng.choice(_COMMENTS),
        }
        for i in range(n)
    ]
    pd.DataFrame(rows).to_csv(folder / "reviews.csv", index=False)
    shops = pd.DataFrame(
        {
            "restId": range(1001, 1007),
            "name": ["外婆家", "海底捞火锅", "绿茶餐厅", "新白鹿餐厅", "弄堂里", "老北京涮肉坊"],
            "district": ["West Lake", "CBD", "Wulin", "Hubin", "Hubin", "Wulin"],
            "avg_spend": ["￥65", "￥120", "￥70", "￥60", "￥55", "￥110"],
        }
    )
    shops.to_csv(folder / "restaurants.csv", index=False)


def test_a_shop_key_beside_a_file_of_shops_is_the_reviews_item(tmp_path: Path) -> None:
    """byod10b D18 (1)-(3): restId was left an attribute of the reviews and restaurants.csv
    was read as users by its key's values (before that: not placed), and the epoch times
    stayed UTC (the first review read 2022-12-31 16:03); now restId is the tickets' item_id,
    restaurants.csv the items (name as title, '￥65' as the price 65.0), and data.timezone is
    Asia/Shanghai because the texts are Chinese and the times epochs."""
    _dianping(tmp_path)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    text = path.read_text("utf-8")
    conf = yaml.safe_load(text)
    tables = conf["data"]["tables"]
    assert sorted(tables) == ["items", "tickets"]
    assert tables["tickets"]["columns"]["item_id"] == "restId"
    assert tables["items"]["columns"] == {
        "item_id": "restId",
        "title": "name",
        "price": "avg_spend",
    }
    assert conf["data"]["timezone"] == "Asia/Shanghai"
    assert "texts are mostly Chinese and their times are Unix epochs" in text
    assert not plan.unplaced
    with open_workspace(path) as ws:
        items = ws.to_pandas("items").sort_values("item_id")
        tickets = ws.to_pandas("tickets")
    assert items["price"].tolist() == [65.0, 120.0, 70.0, 60.0, 55.0, 110.0]
    assert str(tickets["timestamp"].min()) == "2023-01-01 00:03:18.744000"
    assert set(tickets["item_id"]) <= set(items["item_id"])


def test_keys_of_people_and_orders_stay_as_they_were(tmp_path: Path) -> None:
    """An order's or a person's key beside a file keyed by it is no reviewed product, and an
    English review export with ISO times gets no zone from its texts."""
    rows = [
        {
            "orderId": f"o{i}",
            "memberId": f"m{i % 7}",
            "rating": 1 + i % 5,
            "created": f"2024-03-{1 + i % 28:02d} 10:00:00",
            "comment": f"The parcel number {i} came late and the box was damaged",
        }
        for i in range(40)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "reviews.csv", index=False)
    members = pd.DataFrame({"memberId": [f"m{i}" for i in range(7)], "tier": ["gold"] * 7})
    members.to_csv(tmp_path / "members.csv", index=False)
    plan = plan_folder(tmp_path)
    got = {g.table: {m.contract: m.source for m in g.matches} for g in plan.guesses}
    assert "item_id" not in got["tickets"] and "items" not in got
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert "# timezone:" in path.read_text("utf-8")


def test_a_reviewed_products_category_is_no_intent(tmp_path: Path) -> None:
    """byod12b D13: on amazon_reviews_multi-style reviews init mapped product_category as the
    tickets' intent, so 05 trained a support bot to predict product categories ("every ticket
    goes to an agent"); the category stays an attribute and 05 finds the topics itself."""
    rng = random.Random(3)
    bodies = ["Terrible, broke on day one.", "Great value, works well.", "Okay for the price.",
              "Arrived late and scratched.", "Love it, would buy again."]  # fmt: skip
    rows = [
        {
            "review_id": f"en_{i:07d}",
            "product_id": f"product_en_{rng.randrange(50):07d}",
            "reviewer_id": f"reviewer_en_{rng.randrange(400):07d}",
            "review_date": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "stars": rng.randint(1, 5),
            "review_body": f"{rng.choice(bodies)} Used it for {rng.randrange(2, 90)} days.",
            "product_category": rng.choice(["wireless", "home", "kitchen", "apparel"]),
        }
        for i in range(300)
    ]
    pd.DataFrame(rows).to_csv(tmp_path / "reviews.csv", index=False)
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    cfg = yaml.safe_load(path.read_text("utf-8"))
    tickets = cfg["data"]["tables"]["tickets"]["columns"]
    assert tickets["sentiment"] == "stars" and tickets["text"] == "review_body"
    assert "intent" not in tickets
    assert "'product_category' is kept as an attribute, not the intent" in path.read_text("utf-8")


def _reviews_multi(folder: Path, *, dated: bool, n: int = 300) -> None:
    """amazon_reviews_multi as published: no date; ``dated`` adds a review_date."""
    rng = random.Random(3)
    rows = [
        {
            "review_id": f"en_{i:07d}",
            "product_id": f"product_en_{rng.randrange(40):07d}",
            "reviewer_id": f"reviewer_en_{rng.randrange(120):07d}",
            "stars": rng.randint(1, 5),
            "review_body": rng.choice(["Broke on day one, waste of money.", "Great, works well!"]),
            "review_title": rng.choice(["Bad", "Great"]),
            "language": "en",
            "product_category": rng.choice(["wireless", "home"]),
        }
        for i in range(n)
    ]
    df = pd.DataFrame(rows)
    if dated:
        df.insert(4, "review_date", pd.date_range("2023-01-01", periods=n).strftime("%Y-%m-%d"))
    df.to_csv(folder / "train.csv", index=False)


@pytest.mark.parametrize("dated", [True, False])
def test_dateless_reviews_are_rating_events_too(tmp_path: Path, dated: bool) -> None:
    """byod12b D3: without a date, init proposed only tickets (03b skipped, "needs events");
    the same file with a date also got rating events. Both now get the events (timeless
    without a date) with RATING: stars, and they load: 300 rate events over the reviewers."""
    _reviews_multi(tmp_path, dated=dated)
    by = {g.table: g for g in plan_folder(tmp_path).guesses}
    assert set(by) == {"events", "tickets"}
    spec = by["events"].spec()
    assert spec["constants"] == {"event": "rate"}
    want = {"user_id": "reviewer_id", "item_id": "product_id"}
    assert spec["columns"] == want | ({"timestamp": "review_date"} if dated else {})
    assert by["events"].parameters == {"03b_recommendation": {"RATING": "stars"}}
    (tmp_path / "opsai.yaml").write_text(
        yaml.safe_dump({"data": {"source": str(tmp_path), "tables": {"events": spec}}})
    )
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        ev = ws.to_pandas("events")
        assert ws.timed("events") == dated
    assert len(ev) == 300 and set(ev["event"]) == {"rate"}
    assert ev["stars"].between(1, 5).all()


def _airbnb(folder: Path, n: int = 300) -> None:
    """Inside Airbnb's listings.csv and reviews.csv (their columns as exported)."""
    rng = random.Random(3)
    ids = [2539 + 97 * i for i in range(30)]
    groups = ["Brooklyn", "Manhattan", "Queens"]
    listings = pd.DataFrame(
        {
            "id": ids,
            "name": [f"Sunny room {i}" for i in range(30)],
            "host_id": [rng.choice([107434423, 2787, 7490]) for _ in ids],
            "host_name": [rng.choice(["UrbanNest", "David", "Wei"]) for _ in ids],
            "neighbourhood_group": [rng.choice(groups) for _ in ids],
            "neighbourhood": [rng.choice(["Midtown", "Williamsburg", "Astoria"]) for _ in ids],
            "latitude": [round(40.6 + rng.random() / 5, 5) for _ in ids],
            "longitude": [round(-73.9 + rng.random() / 5, 5) for _ in ids],
            "room_type": [rng.choice(["Private room", "Entire home/apt"]) for _ in ids],
            "price": [f"${rng.randrange(50, 1500):,}.00" for _ in ids],
            "minimum_nights": [rng.randrange(1, 30) for _ in ids],
            "number_of_reviews": [rng.randrange(0, 90) for _ in ids],
            "last_review": ["2025-04-15"] * 30,
            "reviews_per_month": [round(rng.random() * 3, 2) for _ in ids],
            "calculated_host_listings_count": [rng.randrange(1, 300) for _ in ids],
            "availability_365": [rng.randrange(0, 365) for _ in ids],
        }
    )
    listings.to_csv(folder / "listings.csv", index=False)
    texts = ["Lovely flat, would stay again!", "Too noisy at night.", "Dirty sheets.", "很吵"]
    reviews = pd.DataFrame(
        {
            "listing_id": [rng.choice(ids) for _ in range(n)],
            "id": [rng.randrange(10**7, 10**9) for _ in range(n)],
            "date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "reviewer_id": [rng.randrange(400_000_000, 400_000_090) for _ in range(n)],
            "reviewer_name": [rng.choice(["Marco", "Wei", "Sofia"]) for _ in range(n)],
            "comments": [f"{rng.choice(texts)} ({i})" for i in range(n)],
        }
    )
    reviews.to_csv(folder / "reviews.csv", index=False)


def test_a_things_key_is_the_plain_id_of_a_file_named_after_it(tmp_path: Path) -> None:
    """byod13b D9: Inside Airbnb's reviews.csv keys the listing reviewed as listing_id,
    listings.csv holds it as its plain id: listing_id was kept as an attribute of the
    reviews; now it is the tickets' item_id, the items' key listings.csv's id."""
    _airbnb(tmp_path)
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert tables["tickets"]["columns"]["item_id"] == "listing_id"
    assert tables["items"]["file"] == "listings.csv"
    assert tables["items"]["columns"]["item_id"] == "id"
    with open_workspace(path) as ws:
        tickets = ws.to_pandas("tickets")
        items = ws.to_pandas("items")
    assert len(tickets) == 300
    assert set(tickets["item_id"].astype(str)) <= set(items["item_id"].astype(str))


def test_an_availability_calendar_is_the_booked_nights(tmp_path: Path) -> None:
    """byod13b D10: Inside Airbnb's calendar.csv (a listing's days, available t/f) 'fits no
    table'; now it is the demand: the days not available are booked nights, one unit each
    (where available = 'f'), listing_id the item_id, date the timestamp, '$1,200.00' the
    price 1200.0."""
    _airbnb(tmp_path)
    rng = random.Random(5)
    ids = pd.read_csv(tmp_path / "listings.csv")["id"].tolist()
    days = pd.date_range("2025-06-15", periods=60, freq="D").strftime("%Y-%m-%d")
    cal = pd.DataFrame(
        [
            {
                "listing_id": i,
                "date": d,
                "available": rng.choice("tf"),
                "price": "$1,200.00" if i == ids[0] else "$104.40",
                "adjusted_price": "",
                "minimum_nights": 1,
                "maximum_nights": 1125,
            }
            for i in ids
            for d in days
        ]
    )
    cal.to_csv(tmp_path / "calendar.csv", index=False)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    demand = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["demand"]
    assert demand["file"] == "calendar.csv"
    assert demand["where"] == "available = 'f'"
    assert demand["constants"] == {"quantity": 1}
    assert demand["columns"] == {"item_id": "listing_id", "timestamp": "date"}  # price: by name
    assert not plan.unplaced
    with open_workspace(path) as ws:
        got = ws.to_pandas("demand")
    booked = cal[cal["available"] == "f"]
    assert len(got) == len(booked)
    assert got["quantity"].sum() == len(booked)
    assert got.loc[got["item_id"].astype(str) == str(ids[0]), "price"].unique().tolist() == [1200.0]
