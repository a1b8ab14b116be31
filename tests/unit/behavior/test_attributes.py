"""Attributes taken from the orders (a Country on every order line) and attributes that give
the churn label away."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.behavior import findings
from opsai.behavior.attributes import lifted_attributes, order_attributes, outcome_attributes
from opsai.behavior.churn import inactivity_by
from tests.conftest import shopify_export

pytestmark = pytest.mark.unit

COUNTRIES = ["United Kingdom", "Germany", "France", "EIRE"]


def _retail(seed: int = 0) -> pd.DataFrame:
    """Order lines of 240 customers over 2024; every EIRE customer stops after June."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(240):
        country = COUNTRIES[i % 4]
        end = pd.Timestamp("2024-06-30" if country == "EIRE" else "2024-12-31")
        days = rng.integers(0, (end - pd.Timestamp("2024-01-01")).days, size=rng.integers(2, 8))
        if country != "EIRE" and i % 8 < 6:  # three in four of the others still buy
            days = np.append(days, 350)
        for j, d in enumerate(sorted(set(days.tolist()))):
            when = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(d))
            for line in range(2):  # two lines per order, each with its own description
                rows.append({"user_id": f"C{i:03d}", "timestamp": when, "order_id": f"{i}-{j}",
                             "amount": 10.0 + line, "Country": country,
                             "Description": f"item {rng.integers(0, 50)}",
                             "channel": "web" if j or i % 3 else "app",  # varies for a third
                             "batch_code": f"B{i % 5}"})  # fmt: skip
    return pd.DataFrame(rows)


def test_a_column_constant_per_customer_on_the_orders_becomes_a_user_attribute() -> None:
    """Country is the same on every line of a customer: it is lifted (from orders) and the
    churn gap finds the EIRE customers who all lapsed; a per-line description, a channel that
    differs between a third of the customers' orders and an id-like code are not lifted."""
    orders = _retail()
    users, lifted = order_attributes(orders)
    assert lifted == {"Country": "orders"}
    assert users is not None and list(users.columns) == ["user_id", "Country"]
    assert len(users) == 240 and users.set_index("user_id").loc["C003", "Country"] == "EIRE"
    rates = inactivity_by(orders, users, attribute="Country", inactive_days=90,
                          min_tenure_days=0, asof="2025-01-01").set_index("Country")  # fmt: skip
    assert rates.loc["EIRE", "churn_rate"] == 1.0
    f = findings.churn_gaps(orders, users, inactive_days=90, min_tenure_days=0)[0]
    assert f.evidence["attribute"] == "Country" and f.evidence["value"] == "EIRE"
    note = lifted_attributes(lifted)
    assert note.text.startswith("User attributes taken from the activity: orders.Country (")
    given = pd.DataFrame({"user_id": ["C000", "C003", "X9"], "plan": ["a", "b", "a"]})
    merged, again = order_attributes(orders, users=given)
    assert again == {"Country": "orders"} and merged["plan"].tolist() == ["a", "b", "a"]
    assert merged["Country"].tolist()[:2] == ["United Kingdom", "EIRE"]
    assert pd.isna(merged["Country"].iloc[2])  # no orders: no value
    kept, none = order_attributes(orders, users=given.assign(Country="UK"))
    assert none == {} and kept["Country"].tolist() == ["UK"] * 3  # the users table's own wins


def test_a_column_that_varies_for_more_than_one_percent_of_customers_stays_on_the_orders() -> None:
    orders = _retail()
    repeat = orders.groupby("user_id")["order_id"].nunique() >= 2
    moved = repeat[repeat].index[:3]  # 3 of ~240 repeat customers (over 1%) change country
    first = orders[orders["user_id"].isin(moved)].groupby("user_id").head(1).index
    orders.loc[first, "Country"] = "Netherlands"
    assert order_attributes(orders) == (None, {})


def _labelled(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Orders of 400 users in the year before and a churn window of 90 days; users carry an
    honest channel (social churns about twice as often) and a segment written from the
    outcome (whether they bought in the training label window)."""
    rng = np.random.default_rng(seed)
    start, cut = pd.Timestamp("2023-01-01"), pd.Timestamp("2023-12-01")
    rows, users = [], []
    for i in range(400):
        social = i % 4 == 0
        stays = rng.random() > (0.6 if social else 0.3)
        days = rng.integers(0, (cut - start).days, size=3)
        when = [start + pd.Timedelta(days=int(d)) for d in days]
        if stays:
            when.append(cut + pd.Timedelta(days=int(rng.integers(1, 80))))
        when.append(cut + pd.Timedelta(days=179))  # everyone is seen later: the data runs on
        rows += [{"user_id": f"u{i}", "timestamp": w, "amount": 5.0} for w in when]
        users.append({"user_id": f"u{i}", "channel": "social" if social else "search",
                      "segment": "regular" if stays else "gone", "age": int(rng.integers(18, 70))})  # fmt: skip
    orders = pd.DataFrame(rows)
    orders["order_id"] = [f"o{k}" for k in range(len(orders))]
    return orders, pd.DataFrame(users)


def test_an_attribute_that_nearly_determines_the_training_label_is_left_out() -> None:
    """The label window of training ends 90 days before the data's last day, so with the data
    ending 2024-05-28 the training cut-off is 2023-12-01: the segment written from who bought
    after it reads ROC-AUC 1.00 and is left out; the channel with its 2x churn gap and the
    age are kept."""
    orders, users = _labelled()
    assert orders["timestamp"].max() == pd.Timestamp("2024-05-28")
    got = outcome_attributes(orders, users, horizon_days=90)
    assert got == {"segment": "its values nearly determine the outcome (ROC-AUC 1.00)"}
    rates = users.assign(gone=users["segment"] == "gone").groupby("channel")["gone"].mean()
    assert rates["social"] / rates["search"] > 1.7  # an honest strong driver, kept
    assert outcome_attributes(orders, users.drop(columns="segment"), horizon_days=90) == {}
    f = findings.leaky_attributes(got)
    assert "users.segment (its values nearly determine the outcome (ROC-AUC 1.00))" in f.text


def _churn_auc(orders: pd.DataFrame, users: pd.DataFrame, horizon: int) -> tuple[float, list[str]]:
    """Test ROC-AUC of a default gradient-boosting churn model and its top 3 features."""
    from opsai.behavior import ChurnModel, evaluate, feature_columns, snapshots

    train, test = snapshots(orders, horizon_days=horizon, users=users)
    cols = feature_columns(train)
    m = ChurnModel(model="gbm", n_trials=1, seed=0).fit(train[cols], train["churned"])
    auc = evaluate(test["churned"], m.predict_proba(test[cols])[:, 1])["roc_auc"]
    top = m.importances(test[cols], test["churned"], n_repeats=3)["feature"].head(3).tolist()
    return auc, top


def test_totals_written_at_export_over_the_whole_history_are_left_out() -> None:
    """Shopify's Total Spent / Total Orders / Last Order Date count the orders after the
    churn model's cut-off. Before: only Last Order Date was left out (its ROC-AUC alone 0.96),
    Total Orders and Total Spent gave the model a test ROC-AUC of 0.97 (0.80 from the orders
    alone), were its top features and the personas' traits. Now all three are left out with
    their rank correlations (1.00 with the whole data, 0.87-0.90 before the cut-off), the
    model reads what the orders and the region honestly give (0.82), and region=North is found."""
    from opsai.behavior.attributes import restated_attributes
    from opsai.behavior.churn import usable_horizon
    from opsai.behavior.personas import over_index
    from opsai.behavior.segments import Segmenter, rfm

    orders, users = shopify_export()
    horizon = usable_horizon(orders, 90)
    got = restated_attributes(orders, users, horizon_days=horizon)
    assert list(got) == ["Total Spent", "Total Orders", "Last Order Date"]
    assert got["Total Orders"] == (
        "it restates the order history as of the export: rank correlation 1.00 with each "
        "user's orders over the whole data, 0.87 with it before the model's cut-off 2024-07-04"
    )
    assert "1.00 with each user's revenue over the whole data, 0.90" in got["Total Spent"]
    assert "1.00 with each user's last order over the whole data, 0.87" in got["Last Order Date"]
    last = users["Last Order Date"]  # as a CSV export writes it: text, a day or a month
    text = users.assign(**{"Last Order Date": last.dt.strftime("%m/%d/%Y")},
                        last_month=last.dt.strftime("%Y-%m"))  # fmt: skip
    read = restated_attributes(orders, text, horizon_days=horizon)
    assert list(read) == ["Total Spent", "Total Orders", "Last Order Date", "last_month"]
    assert "1.00 with each user's last order over the whole data" in read["Last Order Date"]
    today = list(outcome_attributes(orders, users, horizon_days=horizon))
    assert today == ["Last Order Date"]  # the AUC rule alone missed the totals
    before, top_before = _churn_auc(orders, users.drop(columns=today), horizon)
    clean = users.drop(columns=list(got))
    assert outcome_attributes(orders, clean, horizon_days=horizon) == {}
    after, top_after = _churn_auc(orders, clean, horizon)
    orders_only, _ = _churn_auc(orders, users[["user_id"]], horizon)
    assert before > 0.95 and top_before[0] == "u_Total Orders"
    assert (
        after == pytest.approx(0.82, abs=0.02) and orders_only - 0.01 < after < orders_only + 0.05
    )
    assert "u_region=North" in top_after  # the planted driver is kept and found
    gap = findings.churn_gaps(orders, clean, inactive_days=horizon, min_tenure_days=2 * horizon)
    assert (gap[0].evidence["attribute"], gap[0].evidence["value"]) == ("region", "North")
    feats = rfm(orders)
    seg = Segmenter(k_range=(2, 4), seed=0).fit(
        feats[["recency_days", "frequency", "monetary", "aov"]]
    )
    labels = pd.Series(seg.labels_, index=feats.index)
    traits = " ".join(over_index(users, labels).values())
    assert "Total Orders" in traits and "Total Spent" in traits  # before: personas' traits
    assert "Total" not in " ".join(over_index(clean, labels).values())
    f = findings.leaky_attributes(got)
    assert f.text.startswith(
        "Left out of segments, churn findings and the churn model: users.Total Spent (it "
        "restates the order history as of the export: rank correlation 1.00 with each user's "
        "revenue over the whole data, 0.90 with it before the model's cut-off 2024-07-04); "
    )


def test_attributes_known_before_the_cut_off_are_not_restated_history() -> None:
    """A count kept as of the cut-off, the first order date (also as text), signup date, age,
    plan price, region and a zip code are kept; a total held by under 30 users is not judged."""
    from opsai.behavior.attributes import restated_attributes, training_cutoff
    from opsai.behavior.churn import usable_horizon

    orders, users = shopify_export(n=600, seed=1)
    horizon = usable_horizon(orders, 90)
    cut = training_cutoff(orders, horizon)
    before = orders[orders["timestamp"] < cut].groupby("user_id")
    kept = users.drop(columns=["Total Spent", "Total Orders", "Last Order Date"]).assign(
        orders_at_cut=users["user_id"].map(before.size()),
        first_order=users["user_id"].map(orders.groupby("user_id")["timestamp"].min()),
        sparse=users["Total Orders"].where(users.index < 25),
        first_text=users["user_id"].map(orders.groupby("user_id")["timestamp"].min().astype(str)),
        zip=(10000 + users["age"] * 37).astype(str),  # digits, no date
    )
    assert restated_attributes(orders, kept, horizon_days=horizon) == {}
    assert restated_attributes(orders, None, horizon_days=horizon) == {}


def test_a_crms_running_totals_and_days_since_last_order_are_restated() -> None:
    """A CRM's lifetime_value, orders_count, last_seen (text) and days_since_last_order
    (counted back from the export day: a rank correlation of -1.00 with the last order) are
    left out; the same counts taken as of an earlier export day are not."""
    from opsai.behavior.attributes import restated_attributes, training_cutoff
    from opsai.behavior.churn import usable_horizon

    orders, users = shopify_export(n=800, seed=2)
    horizon = usable_horizon(orders, 90)
    export = orders["timestamp"].max().normalize() + pd.Timedelta(days=1)
    last = users["Last Order Date"]
    crm = users[["user_id", "region", "age"]].assign(
        lifetime_value=users["Total Spent"], orders_count=users["Total Orders"],
        last_seen=last.dt.strftime("%Y-%m-%dT%H:%M:%S"),
        days_since_last_order=(export - last).dt.days,
    )  # fmt: skip
    got = restated_attributes(orders, crm, horizon_days=horizon)
    assert list(got) == ["lifetime_value", "orders_count", "last_seen", "days_since_last_order"]
    assert "1.00 with each user's last order over the whole data" in got["days_since_last_order"]
    early = orders[orders["timestamp"] < training_cutoff(orders, horizon) - pd.Timedelta(days=30)]
    old = crm[["user_id", "region", "age"]].assign(
        orders_count=crm["user_id"].map(early.groupby("user_id").size()),
        lifetime_value=crm["user_id"].map(early.groupby("user_id")["amount"].sum()),
    )
    assert restated_attributes(orders, old, horizon_days=horizon) == {}


def test_integer_flags_and_codes_are_lifted_and_split_by_value() -> None:
    """byod10a D7: KKBox's is_auto_renew (0/1 on every payment, constant per member) was never
    lifted, and as a users column (like city 1/4/5/13/22) churn_gaps skipped it as a number:
    auto-renew off churns 4x as often. Now a few-valued integer is a flag or a code, unless
    named like a count or an amount (payment_plan_days 7/30, num_items)."""
    rows = []
    for i in range(120):  # auto-renew off for 40: they stop paying after March
        off = i < 40
        end = "2024-03-31" if off and i % 8 else "2024-12-31"
        for j, t in enumerate(pd.date_range("2024-01-05", end, freq="MS")):
            rows.append({"user_id": f"m{i:03d}", "timestamp": t + pd.Timedelta(days=4),
                         "order_id": f"{i}-{j}", "amount": 149.0, "is_auto_renew": int(not off),
                         "city": [1, 4, 5, 13, 22][i % 5], "payment_plan_days": [7, 30][j % 2],
                         "num_items": j % 3})  # fmt: skip
    orders = pd.DataFrame(rows)
    users, lifted = order_attributes(orders)
    assert lifted == {"is_auto_renew": "orders", "city": "orders"}
    assert users is not None and users.set_index("user_id").loc["m000", "is_auto_renew"] == 0
    found = findings.churn_gaps(orders, users, inactive_days=90, min_tenure_days=0)
    f = found[0]
    assert (f.evidence["attribute"], f.evidence["value"]) == ("is_auto_renew", "0")
    assert f.evidence["churn_rate"] == pytest.approx(35 / 40)
    assert f.evidence["others"] == 0.0 and f.evidence["ratio"] is None  # only they churn
    assert f.text.startswith("Users with is_auto_renew=0 are the only ones who churn: 88%")
    # a users table writing the codes with a gap (floats 1.0, 4.0, NaN) reads them the same
    coded = users.assign(city=users["city"].astype(float).where(users.index % 7 > 0))
    rates = findings.churn_gaps(orders, coded, inactive_days=90, min_tenure_days=0)
    assert [g.evidence["attribute"] for g in rates][:1] == ["is_auto_renew"]
    from opsai.behavior.attributes import integer_codes

    assert sorted(integer_codes(coded["city"], "city").dropna().unique()) == [1, 4, 5, 13, 22]
    assert integer_codes(pd.Series([7, 30, 7]), "payment_plan_days") is None  # a measure
    assert integer_codes(pd.Series([0.5, 1.0, 0.5]), "ratio") is None  # not integers
    assert integer_codes(pd.Series(range(40)), "bd") is None  # too many values: a number


def test_integer_yyyymmdd_attributes_are_read_as_dates() -> None:
    """byod10a D15: a users table from KKBox's transactions (timestamp_format '%Y%m%d' reads
    only the mapped timestamp) read "they over-index on transaction_date 20,150,101-20,151,028
    (1.6x)". Its 8-digit integer dates are dates: the over-index names days, the churn
    features count days before the cut-off."""
    from opsai.behavior.attributes import integer_dates
    from opsai.behavior.personas import over_index

    n = 40
    users = pd.DataFrame({
        "user_id": [f"u{i}" for i in range(n)],
        "transaction_date": [20150101 + 100 * (i % 10) for i in range(n)],  # Jan..Oct 2015
        "is_auto_renew": [i % 2 for i in range(n)],
        "actual_amount_paid": [19990101 + i for i in range(n)],  # 1999-01-01.. then 19990132: no
        "plan_list_price": [149.0] * (n - 1) + [None],
    })  # fmt: skip
    got = integer_dates(users)
    assert got["transaction_date"].dtype.kind == "M"
    assert got["transaction_date"].min() == pd.Timestamp("2015-01-01")
    assert got["transaction_date"].max() == pd.Timestamp("2015-10-01")
    for col in ("is_auto_renew", "actual_amount_paid", "plan_list_price"):  # not dates
        assert got[col].equals(users[col]), col
    labels = pd.Series([int(i % 10 < 3) for i in range(n)], index=users["user_id"])
    said = over_index(got, labels, alpha=1.0, top=1)[1]
    assert said == "transaction_date 2015-01-01 to 2015-03-01 (3.3x)"
    assert "20,150" not in over_index(got, labels, alpha=1.0, top=5)[1]


def test_personal_fields_are_never_attributes() -> None:
    """byod11a D8: DataCo's order lines carry `Customer Fname` on every line of a customer;
    it was lifted as an attribute and the churn importances listed `Customer Fname=Mary`
    beside `Market=LATAM`. A name, e-mail, phone, street or zip code is never an attribute,
    by its name or by its values; `PhoneService` (Telco's yes/no) and `Product Name` stay."""
    from opsai.behavior.attributes import model_attributes, personal_field

    names = ["Mary", "John", "Ana", "Wei", "Olga", "Sam", "Lee", "Kim", "Raj", "Eve"]
    orders = _retail()
    orders["Customer Fname"] = orders["user_id"].map(lambda u: names[int(u[1:]) % 10])
    orders["Customer Zipcode"] = orders["user_id"].map(lambda u: f"Z{int(u[1:]) % 7}")
    _, lifted = order_attributes(orders)
    assert lifted == {"Country": "orders"}  # the name and the zip code stay on the orders
    given = pd.DataFrame({
        "user_id": [f"C{i:03d}" for i in range(240)],
        "first_name": [names[i % 10] for i in range(240)],
        "contact": [f"p{i}@mail.example.com" for i in range(240)],
        "notes": [f"called on day {i}" for i in range(240)],
        "PhoneService": ["Yes", "No"] * 120, "plan": ["basic", "pro", "max"] * 80,
    })  # fmt: skip
    kept, _, left = model_attributes(orders, None, given, horizon_days=90)
    assert kept is not None and list(kept.columns) == ["user_id", "PhoneService", "plan", "Country"]
    assert left == {
        "first_name": "personal data: a person's name",
        "contact": "personal data: its values are e-mail addresses",
        "notes": "personal data: free text, 240 distinct values in 240 rows",
    }
    f = findings.leaky_attributes(left)
    assert f.severity == "info" and f.text.startswith(
        "Personal data is never an attribute, so these are left out of segments, churn "
        "findings and the churn model: users.first_name (a person's name); users.contact"
    )
    assert personal_field("Product Name") is None and personal_field("Phone Number") is not None
