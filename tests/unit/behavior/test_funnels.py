"""Funnels and paths on a hand-made event log whose answers can be counted by eye."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.behavior.attributes import model_attributes
from opsai.behavior.funnels import (
    breakdown_candidates,
    funnel,
    overall_conversion,
    path_links,
    top_paths,
)
from opsai.errors import ConfigError, SchemaError

pytestmark = pytest.mark.unit

STEPS = ["visit", "view", "add_to_cart", "purchase"]
T0 = pd.Timestamp("2024-01-01")
ROWS = [  # user, session, hours after T0, event, device
    ("u1", "s1", 0, "visit", "mobile"), ("u1", "s1", 1, "view", "mobile"),
    ("u1", "s1", 2, "add_to_cart", "mobile"), ("u1", "s1", 3, "purchase", "mobile"),
    ("u2", "s2", 0, "visit", "desktop"), ("u2", "s2", 1, "view", "desktop"),
    ("u2", "s2", 3, "view", "desktop"),
    ("u3", "s3", 0, "view", "desktop"), ("u3", "s3", 1, "visit", "desktop"),  # out of order
    ("u4", "s4", 0, "visit", "mobile"), ("u4", "s5", 200, "view", "mobile"),  # after 7 days
]  # fmt: skip


@pytest.fixture
def events() -> pd.DataFrame:
    return pd.DataFrame(
        [(u, s, T0 + pd.Timedelta(hours=h), e, d) for u, s, h, e, d in ROWS],
        columns=["user_id", "session_id", "timestamp", "event", "device"],
    )


@pytest.fixture
def users() -> pd.DataFrame:
    return pd.DataFrame(
        {"user_id": ["u1", "u2", "u3", "u4"], "channel": ["ads", "ads", "seo", None]}
    )


def test_ordered_funnel_counts_and_window(events: pd.DataFrame) -> None:
    f = funnel(events, steps=STEPS, window="7D")
    assert f["units"].tolist() == [4, 2, 1, 1]
    assert f["conversion"].tolist() == pytest.approx([1, 0.5, 0.25, 0.25])
    assert f["step_conversion"].tolist() == pytest.approx([1, 0.5, 0.5, 1])
    assert f["drop_off"].tolist() == pytest.approx([0, 0.5, 0.5, 0])
    assert f["median_hours_from_previous"].tolist() == pytest.approx([0, 1, 1, 1])
    assert f["median_hours_from_start"].iloc[-1] == pytest.approx(3)
    assert overall_conversion(f) == pytest.approx(0.25)
    # without a window u4's view 200 hours later counts
    assert funnel(events, steps=STEPS, window=None)["units"].tolist() == [4, 3, 1, 1]
    # a window of 90 minutes keeps u1 only to the view (cart is 2 h after entry)
    assert funnel(events, steps=STEPS, window="90min")["units"].tolist() == [4, 2, 0, 0]


def test_funnel_per_session_and_breakdowns(events: pd.DataFrame, users: pd.DataFrame) -> None:
    s = funnel(events, steps=["visit", "view"], unit="session", window=None)
    assert s["units"].tolist() == [4, 2]  # s5 has no visit, s4 no view
    by = funnel(events, steps=STEPS, users=users, breakdown="channel")
    got = {k: g["units"].tolist() for k, g in by.groupby("channel")}
    assert got == {"ads": [2, 2, 1, 1], "seo": [1, 0, 0, 0], "(missing)": [1, 0, 0, 0]}
    dev = funnel(events, steps=STEPS, unit="session", breakdown="device")
    got = {k: g["units"].tolist() for k, g in dev.groupby("device")}
    assert got == {"mobile": [2, 1, 1, 1], "desktop": [2, 1, 0, 0]}


def test_breakdowns_leave_out_what_the_churn_model_does(events: pd.DataFrame) -> None:
    """A users export's status (active/cancelled) says who left: no funnel split by it, as
    chapter 03a passes model_attributes' left-out columns; channel stays a split."""
    users = pd.DataFrame({
        "user_id": ["u1", "u2", "u3", "u4"], "channel": ["ads", "ads", "seo", "seo"],
        "status": ["active", "cancelled", "cancelled", "active"],
    })  # fmt: skip
    orders = pd.DataFrame({
        "order_id": ["o1", "o2"], "user_id": ["u1", "u4"], "amount": [10.0, 20.0],
        "timestamp": [T0 + pd.Timedelta(hours=3), T0 + pd.Timedelta(days=3)],
    })  # fmt: skip
    _, _, left = model_attributes(orders, events, users, horizon_days=30)
    assert list(left) == ["status"]
    assert breakdown_candidates(events, users) == [
        ("device", "events"), ("channel", "users"), ("status", "users"),
    ]  # fmt: skip  # what the funnel used to split by
    got = breakdown_candidates(events, users, left_out=left)
    assert got == [("device", "events"), ("channel", "users")]
    # an event property of that name is the event's own (not the users export's): kept
    ev = events.assign(status=["new", "new", "new", "new", "old", "old", "old", "new", "new",
                               "old", "old"])  # fmt: skip  # one value per session
    assert ("status", "events") in breakdown_candidates(ev, users, left_out=left)


def test_top_paths_and_links(events: pd.DataFrame) -> None:
    p = top_paths(events, unit="session")
    assert set(p["path"]) == {
        "visit > view > add_to_cart > purchase", "visit > view", "view > visit", "visit", "view",
    }  # fmt: skip
    assert p["units"].sum() == 5 and p["share"].sum() == pytest.approx(1)
    raw = top_paths(events, unit="session", collapse_repeats=False)
    assert "visit > view > view" in set(raw["path"])
    short = top_paths(events, unit="session", max_steps=2, top=1)
    assert short.iloc[0].to_dict() == {"path": "visit > view", "units": 2, "share": 0.4}
    links = path_links(events, unit="session", max_steps=3)
    assert links.loc[links["position"] == 0, "units"].sum() == 5
    row = links[(links.position == 0) & (links.source == "visit") & (links.target == "view")]
    assert row["units"].item() == 2
    # a sequence cut at max_steps ends in "(exit)", never in a hidden next step
    assert set(links.loc[links.position == 2, "target"]) == {"(exit)"}


def test_top_paths_duckdb_single_pass_equals_window_path(events: pd.DataFrame) -> None:
    import ibis

    from opsai.behavior import funnels

    extra = pd.DataFrame(  # ties on the timestamp, repeats after a gap, a quote in a name
        [("u5", "s6", T0, "view", "x"), ("u5", "s6", T0, "visit", "x"),
         ("u5", "s6", T0 + pd.Timedelta(hours=1), "view", "x"),
         ("u5", "s6", T0 + pd.Timedelta(hours=2), "it's", "x"),
         ("u5", "s6", T0 + pd.Timedelta(hours=3), "view", "x")],
        columns=events.columns,
    )  # fmt: skip
    ev = pd.concat([events, extra], ignore_index=True)
    con = ibis.duckdb.connect()
    t = con.create_table("events", ev)
    assert funnels._paths_duckdb(t, ["user_id"], "timestamp", "event", 5, " > ", True) is not None
    assert funnels._paths_duckdb(ev, ["user_id"], "timestamp", "event", 5, " > ", True) is None
    for unit in ("session", "user"):
        for collapse in (True, False):
            for steps in (1, 2, 5):
                kw = {"unit": unit, "collapse_repeats": collapse, "max_steps": steps, "top": 50}
                want = top_paths(ev, **kw)  # a pandas frame takes the window-function path
                pd.testing.assert_frame_equal(top_paths(t, **kw), want)
    got = top_paths(t, unit="session", sep=" ' ")
    assert "view ' visit ' view ' it's ' view" in set(got["path"])


def test_funnel_errors_name_the_fix(events: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match="at least two"):
        funnel(events, steps=["visit"])
    with pytest.raises(ConfigError, match="window"):
        funnel(events, steps=STEPS, window="soon")
    with pytest.raises(SchemaError, match="session_id"):
        funnel(events.drop(columns="session_id"), steps=STEPS, unit="session")
    with pytest.raises(ConfigError, match="users"):
        funnel(events, steps=STEPS, breakdown="channel")


def test_match_steps_reads_other_shops_event_names() -> None:
    """RetailRocket: view, addtocart, transaction; no visit or checkout."""
    from opsai.behavior import match_steps

    ev = pd.DataFrame(
        {
            "user_id": ["1", "1", "1"],
            "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "event": ["view", "addtocart", "transaction"],
        }
    )
    found, missing = match_steps(ev, ["visit", "view", "add_to_cart", "checkout", "purchase"])
    assert found == ["view", "addtocart", "transaction"] and missing == ["visit", "checkout"]
    assert match_steps(ev, ["view", "transaction"]) == (["view", "transaction"], [])


def test_match_steps_reads_segment_event_names() -> None:
    """Segment's e-commerce spec (what many startups track): Product Viewed, Product Added,
    Checkout Started, Order Completed; Order Completed was not found as the purchase, so the
    funnel ended at checkout and purchases from events read none."""
    from opsai.behavior import match_steps

    names = [
        "Page Viewed",
        "Product Viewed",
        "Product Added",
        "Checkout Started",
        "Order Completed",
    ]
    ev = pd.DataFrame(
        {"user_id": ["1"] * 5, "timestamp": pd.date_range("2024-01-01", periods=5), "event": names}
    )
    found, missing = match_steps(ev, ["visit", "view", "add_to_cart", "checkout", "purchase"])
    assert found == ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"]
    assert missing == ["visit"]
    shopify = ev.assign(event=["page_viewed", "product_viewed", "product_added_to_cart",
                               "checkout_started", "checkout_completed"])  # fmt: skip
    found, _ = match_steps(shopify, ["view", "add_to_cart", "checkout", "purchase"])
    assert found == [
        "product_viewed",
        "product_added_to_cart",
        "checkout_started",
        "checkout_completed",
    ]


def test_a_skipped_funnel_names_the_events_and_the_parameter() -> None:
    """A SaaS product's events hold no shop funnel: the reason read "fewer than two
    FUNNEL_STEPS are in the events" without the names there or the key to set."""
    from opsai.behavior import funnel_skip_reason

    ev = pd.DataFrame({"user_id": ["1"] * 6, "timestamp": pd.date_range("2024-01-01", periods=6),
                       "event": ["Page Viewed"] * 3 + ["Report Created"] * 2 + ["Export CSV"]})  # fmt: skip
    assert funnel_skip_reason(ev, ["visit", "purchase"]) == (
        "fewer than two of the FUNNEL_STEPS (visit, purchase) are in the events, whose most "
        "common names are Page Viewed (3), Report Created (2), Export CSV (1). Set "
        "chapters.03a_user_behavior.parameters.FUNNEL_STEPS to your steps in order (e.g. "
        "'Page Viewed, Report Created, Export CSV')"
    )
    assert funnel_skip_reason(None, ["visit"]) == "the data has no events table"


def test_funnel_without_session_ids_counts_users_and_says_so(events: pd.DataFrame) -> None:
    """D18: without a session_id the notebook silently counted users although FUNNEL_UNIT is
    'session' (the default), and the table said 'units'. Now the unit comes with the
    sentence saying so, and the chart's title names it."""
    from opsai.behavior.funnels import funnel_unit
    from opsai.behavior.plots import funnel_figure

    assert funnel_unit("session", events) == ("session", None)
    assert funnel_unit("user", events.drop(columns="session_id")) == ("user", None)
    unit, note = funnel_unit("session", events.drop(columns="session_id"))
    assert unit == "user"
    assert note == (
        "FUNNEL_UNIT is 'session' but the events have no session_id column: the funnel, its "
        "splits and the paths count users (each user's journey from their first step) "
        "instead. Map data.tables.events.columns.session_id to count sessions."
    )
    f = funnel(events.drop(columns="session_id"), steps=STEPS, unit=unit, window="7D")
    assert f["units"].tolist() == [4, 2, 1, 1]  # per user: u4's two sessions are one journey
    title = funnel_figure(f, unit=unit).layout.title.text
    assert title == "Funnel: share of users reaching each step"
    assert funnel_figure(f).layout.title.text == "Funnel: share of entrants reaching each step"
    with pytest.raises(ConfigError, match="FUNNEL_UNIT='visit': use 'session' or 'user'"):
        funnel_unit("visit", events)


def test_optional_middle_steps_reach_and_rates() -> None:
    """byod9a D17: Taobao's pv -> fav -> cart -> buy headlined 5.4% conversion where 34% of
    viewers bought: fav and cart are optional. The reach by any path and the rate after each
    middle step are now given; users who favourite buy more (planted)."""
    from opsai.behavior.findings import optional_steps_finding
    from opsai.behavior.funnels import optional_steps

    rows = []
    for i in range(300):  # 300 viewers; 100 favourite, 60 of them buy; 200 don't, 40 buy
        u, t = f"u{i}", T0 + pd.Timedelta(minutes=i)
        rows.append((u, t, "pv"))
        fav = i < 100
        if fav:
            rows.append((u, t + pd.Timedelta(hours=1), "fav"))
        if (fav and i < 60) or (not fav and i >= 260):
            if i % 2:
                rows.append((u, t + pd.Timedelta(hours=2), "cart"))
            rows.append((u, t + pd.Timedelta(hours=3), "buy"))
    ev = pd.DataFrame(rows, columns=["user_id", "timestamp", "event"])
    steps = ["pv", "fav", "cart", "buy"]
    strict = overall_conversion(funnel(ev, steps=steps))
    assert strict == pytest.approx(30 / 300)  # odd i < 60: fav, cart and buy in order
    t = optional_steps(ev, steps=steps)
    assert t["event"].tolist() == ["fav", "cart"]
    assert t["reached"].tolist() == [100, 100] and t["reach"].iloc[0] == pytest.approx(1 / 3)
    fav = t.set_index("event").loc["fav"]
    assert (fav["took"], fav["took_reached"]) == (100, 60)
    assert fav["rate_took"] == pytest.approx(0.6) and fav["rate_not"] == pytest.approx(0.2)
    cart = t.set_index("event").loc["cart"]
    assert (cart["took"], cart["took_reached"]) == (50, 50)
    f = optional_steps_finding(t, strict, steps)
    assert f is not None and f.text.startswith(
        "33.3% of users who pv reach buy within the funnel's window, whatever steps come "
        "between; the funnel above (pv -> fav -> cart -> buy) counts 10.0%"
    )
    assert (
        "Users who fav on the way buy 60% of the time, against 20% of those who do not "
        "(100 and 200 users)" in f.text
    )
    assert f.evidence["rate_fav"] == pytest.approx(0.6)
    assert optional_steps(ev, steps=["pv", "buy"]).empty
    assert optional_steps_finding(t, 1 / 3, steps) is None  # strict = reach: nothing to say


def test_orders_are_the_purchase_step_of_a_click_log() -> None:
    """byod9a D12: YOOCHOOSE's clicks in events and buys in orders gave 'the funnel was
    skipped ... (e.g. 'view')', a one-step FUNNEL_STEPS. The orders are now the purchase
    step, each in its customer's session that began last before it, and a log of one event
    kind is told a funnel needs two steps."""
    from opsai.behavior.funnels import funnel_skip_reason, with_order_purchases

    hours = pd.to_timedelta
    ev = pd.DataFrame({
        "user_id": ["a", "a", "b", "c", "d", "a"],
        "session_id": ["s1", "s1", "s2", "s3", "s4", "s5"],
        "timestamp": T0 + hours([0, 1, 0, 0, 0, 100], unit="h"),
        "event": ["view"] * 6,
        "category": ["S", "S", "1", "2", "S", "3"],
    })  # fmt: skip
    orders = pd.DataFrame({
        "user_id": ["a", "a", "b", None],
        "order_id": ["o1", "o1", "o2", "o3"],
        "timestamp": T0 + hours([2, 2.5, 1, 1], unit="h"),
        "amount": [10.0, 5.0, 0.0, 3.0],
    })  # fmt: skip
    assert funnel_skip_reason(ev, ["view", "purchase"]) == (
        "the events hold one kind only (view (6)), and a funnel needs two steps or more in "
        "order: map an orders table (its orders are then the funnel's purchase step) or events "
        "of other kinds (add to cart, checkout)"
    )
    steps = "visit,view,add_to_cart,checkout,purchase"
    both, note = with_order_purchases(ev, orders, steps, unit="session")
    assert note == (
        "The events hold no 'purchase' step: the 2 orders are the funnel's 'purchase' step "
        "(each in its customer's session that began last before it)."
    )
    table = funnel(both, steps=["view", "purchase"], unit="session", window="7D")
    assert table["units"].tolist() == [5, 2]  # s1 and s2 bought, s3, s4, s5 did not
    assert overall_conversion(table) == pytest.approx(0.4)
    same, none = with_order_purchases(ev.assign(event="purchase"), orders, steps, unit="user")
    assert none is None and same is not None
    sess = ev.assign(session_id=ev["user_id"])  # YOOCHOOSE: the ids are visits (visit_ids)
    again, said = with_order_purchases(sess, orders, steps, unit="session", visits=True)
    assert said == (
        "The events hold no 'purchase' step: the 2 orders are the funnel's 'purchase' step "
        "(each in the session that placed it: the ids are sessions, not customers)."
    )  # was "each in its customer's session that began last before it"
    assert funnel(again, steps=["view", "purchase"], unit="session", window="7D")[
        "units"
    ].tolist() == [4, 2]


def test_item_properties_are_no_funnel_split() -> None:
    """byod11a D1: REES46 events carry the viewed product's category on every row. A session
    labelled by the smallest category it viewed put every long (carting) session under
    "apparel.shoes" and one-view bounces under "sport.bicycle": a false 73% vs 26% view ->
    cart gap. An item's property varies within a session and is no split; a session's
    device is; a unit's label is its first entry event's own value, by time."""
    rows = []
    for i in range(40):  # long sessions: a bicycle viewed first, then shoes, then a cart
        s = f"L{i}"
        rows += [(s, 0, "view", "sport.bicycle", "mobile"), (s, 1, "view", "apparel.shoes",
                 "mobile"), (s, 2, "cart", "apparel.shoes", "mobile")]  # fmt: skip
    for i in range(40):  # bounces: one view of a bicycle
        rows.append((f"B{i}", 0, "view", "sport.bicycle", "desktop"))
    ev = pd.DataFrame(
        [(s, s, T0 + pd.Timedelta(minutes=m), e, c, d) for s, m, e, c, d in rows],
        columns=["user_id", "session_id", "timestamp", "event", "category", "device"],
    )
    assert breakdown_candidates(ev) == [("device", "events")]
    assert breakdown_candidates(ev, unit="user") == [("device", "events")]
    # loosened to any share: the category comes back (what the chapter used to split by)
    assert breakdown_candidates(ev, constant_share=0.0) == [
        ("category", "events"), ("device", "events"),
    ]  # fmt: skip
    by = funnel(ev, steps=["view", "cart"], unit="session", breakdown="category")
    got = {k: g["units"].tolist() for k, g in by.groupby("category")}
    assert got == {"sport.bicycle": [80, 40]}  # each session's first view, not min()


def test_breakdowns_leave_out_attributes_named_like_an_outcome(events: pd.DataFrame) -> None:
    """byod13a D13: Cookie Cats' retention_7 (the player came back on day 7) was a funnel
    split, and 07 proposed to "fix the visit -> purchase step for retention_7=False"; an
    outcome is no group to act on. The platform stays a split."""
    users = pd.DataFrame({
        "user_id": ["u1", "u2", "u3", "u4"], "platform": ["ios", "ios", "android", "android"],
        "retention_7": [True, False, False, True], "is_churned": ["no", "yes", "no", "yes"],
    })  # fmt: skip
    assert breakdown_candidates(events, users) == [("device", "events"), ("platform", "users")]
