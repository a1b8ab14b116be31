"""Churn frames (no leakage across the cut-off), metrics and the tuned, calibrated models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.behavior.churn import (
    at_risk,
    at_risk_summary,
    churn_frame,
    feature_columns,
    lapsed,
    snapshots,
    usable_horizon,
)
from opsai.behavior.churn_model import (
    ChurnModel,
    calibration_table,
    churn_model_problem,
    evaluate,
    lift_at,
)
from opsai.behavior.findings import lapsed_customers
from opsai.errors import ConfigError, NotFittedError

pytestmark = pytest.mark.unit

CUT = pd.Timestamp("2024-03-01")


@pytest.fixture
def orders() -> pd.DataFrame:
    rows = [  # user, timestamp, amount
        ("a", "2024-01-10", 10.0), ("a", "2024-02-20", 30.0), ("a", "2024-03-05", 99.0),
        ("b", "2024-02-01", 50.0), ("b", "2024-06-15", 5.0),  # buys again, after the horizon
        ("c", "2024-02-29 23:59:59", 8.0), ("c", "2024-03-30 23:59:59", 1.0),
        ("d", "2024-03-10", 70.0),  # new after the cut-off: not in the frame
    ]  # fmt: skip
    df = pd.DataFrame(rows, columns=["user_id", "timestamp", "amount"])
    df["timestamp"] = pd.to_datetime(df["timestamp"], format="ISO8601")
    return df


def test_frame_features_before_label_after(orders: pd.DataFrame) -> None:
    f = churn_frame(orders, cutoff=CUT, horizon_days=30)
    assert list(f.index) == ["a", "b", "c"]
    assert f["churned"].to_dict() == {"a": 0, "b": 1, "c": 0}
    assert f.loc["a", ["frequency", "monetary", "recency_days", "tenure_days"]].tolist() == [
        2,
        40,
        10,
        51,
    ]
    assert f.loc["c", "future_value"] == 1.0 and f.loc["b", "future_value"] == 0
    assert f.loc["a", "mean_gap_days"] == 41 and f.loc["a", "orders_30d"] == 1
    assert "churned" not in feature_columns(f) and "future_value" not in feature_columns(f)


def test_no_leakage_rows_after_cutoff_never_change_features(orders: pd.DataFrame) -> None:
    base = churn_frame(orders, cutoff=CUT, horizon_days=30)
    later = orders.copy()
    after = later["timestamp"] >= CUT
    later.loc[after, "amount"] *= 100  # rewrite the future
    extra = pd.DataFrame({"user_id": ["a", "b"], "timestamp": pd.to_datetime(["2024-03-02", "2024-03-03"]),
                          "amount": [1.0, 1.0]})  # fmt: skip
    changed = churn_frame(pd.concat([later, extra]), cutoff=CUT, horizon_days=30)
    cols = feature_columns(base)
    pd.testing.assert_frame_equal(base[cols], changed[cols])
    assert changed.loc["b", "churned"] == 0  # only the label saw the new order


def test_snapshots_train_label_window_ends_at_test_cutoff(orders: pd.DataFrame) -> None:
    train, test = snapshots(orders, horizon_days=30, cutoff=CUT)
    assert list(train.columns) == list(test.columns)
    # train cut-off is 2024-01-31: a is the only customer; its label window ends at CUT
    assert list(train.index) == ["a"] and train.loc["a", "churned"] == 0
    assert train.loc["a", "monetary"] == 10.0
    with pytest.raises(ConfigError, match="cutoff"):
        churn_frame(orders, cutoff="2023-01-01", horizon_days=30)


def test_metrics_by_hand() -> None:
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    s = np.arange(10, 0, -1) / 10  # the first row scores highest
    assert lift_at(y, s, top=0.1) == pytest.approx(5.0)  # 1/1 over 2/10
    m = evaluate(y, s)
    assert m["roc_auc"] == pytest.approx(0.8125) and m["base_rate"] == 0.2
    assert m["pr_auc"] == pytest.approx((1 + 2 / 5) / 2)
    t = calibration_table(y, s, bins=2)
    assert t["users"].tolist() == [4, 6] and t["observed"].tolist() == pytest.approx([0.0, 1 / 3])


def _synthetic(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"recency_days": rng.exponential(60, n), "frequency": rng.poisson(3, n) + 1.0,
                      "noise": rng.normal(size=n)})  # fmt: skip
    logit = 0.03 * (X["recency_days"] - 60) - 0.4 * (X["frequency"] - 4)
    return X, (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)


@pytest.mark.parametrize(("kind", "trials"), [("gbm", 2), ("mlp", 1), ("logistic", 3)])
def test_models_learn_and_calibrate(kind: str, trials: int) -> None:
    X, y = _synthetic(600, seed=0)
    Xt, yt = _synthetic(400, seed=1)
    m = ChurnModel(model=kind, n_trials=trials, fast=True, seed=0).fit(X, y)  # type: ignore[arg-type]
    p = m.predict_proba(Xt)[:, 1]
    scores = evaluate(yt, p)
    assert scores["roc_auc"] > 0.75 and scores["top_decile_lift"] > 1.3
    assert abs(p.mean() - yt.mean()) < 0.08  # calibrated on validation rows
    assert set(m.best_params_) and len(m.study_.trials) == trials
    imp = m.importances(Xt, yt, n_repeats=2, seed=0)
    assert imp.iloc[-1]["feature"] == "noise"


def test_logistic_handles_missing_values_and_skewed_money() -> None:
    X, y = _synthetic(800, seed=2)
    X["monetary"] = np.exp(np.random.default_rng(0).normal(4, 2, len(X)))  # lognormal noise
    X.loc[X.index[::7], "recency_days"] = np.nan  # a tenth of the users lack a value
    m = ChurnModel(model="logistic", n_trials=1, calibration="none", seed=0).fit(X, y)
    p = m.predict_proba(X)[:, 1]
    assert np.isfinite(p).all() and evaluate(y, p)["roc_auc"] > 0.75
    assert m.best_params_ == {"C": 1.0}  # the first trial is the library default
    lr = m.estimator_[-1]
    coef = dict(zip(["recency_days", "frequency", "noise", "monetary", "recency_missing"],
                    lr.coef_[0], strict=True))  # fmt: skip
    assert coef["recency_days"] > 0.5 and coef["frequency"] < -0.5  # the planted signs
    assert abs(coef["noise"]) < 0.2 and abs(coef["monetary"]) < 0.2


def test_model_contract() -> None:
    X, y = _synthetic(50, seed=0)
    with pytest.raises(NotFittedError):
        ChurnModel().predict_proba(X)
    with pytest.raises(ConfigError, match="model"):
        ChurnModel(model="svm", n_trials=1).fit(X, y)  # type: ignore[arg-type]
    # nobody churned (a shop where everyone buys weekly): a shorter horizon finds churners
    with pytest.raises(ConfigError, match=r"all 50 users stayed .* Use a shorter horizon_days"):
        ChurnModel(n_trials=1).fit(X, np.zeros(50))
    with pytest.raises(ConfigError, match=r"all 50 users churned .* Use a longer horizon_days"):
        ChurnModel(n_trials=1).fit(X, np.ones(50))


def test_at_risk_orders_by_value_at_risk() -> None:
    f = pd.DataFrame({"monetary": [100.0, 900.0, 1000.0, 5.0, 800.0], "recency_days": 1.0,
                      "frequency": 1.0}, index=list("abcde"))  # fmt: skip
    out = at_risk(f, [0.9, 0.6, 0.3, 0.99, 0.9], value_quantile=0.4, min_probability=0.5)
    assert list(out.index) == ["e", "b"]  # c is unlikely to churn, a and d are low value
    assert out["value_at_risk"].tolist() == pytest.approx([720, 540])


def test_at_risk_lists_customers_still_ordering_and_values_their_next_spend() -> None:
    """A SaaS export: the at-risk list held 29 customers who had stopped paying 36 to 471
    days before, valued at their lifetime spend. With the horizon, one whose last order is
    older than it has lapsed (a win-back list, not "at risk"), and the value at risk is the
    next horizon's spend at the last 90 days' rate, times the probability."""
    f = pd.DataFrame(
        {"monetary": [4485.0, 3000.0, 3500.0, 50.0], "recency_days": [400.0, 20.0, 95.0, 5.0],
         "amount_90d": [0.0, 897.0, 0.0, 50.0], "frequency": [15.0, 10.0, 10.0, 1.0]},
        index=["gone", "active", "just_lapsed", "small"],
    )  # fmt: skip
    p = [0.95, 0.6, 0.9, 0.9]
    out = at_risk(f, p, value_quantile=0.25, horizon_days=60)
    assert list(out.index) == ["active"]
    assert out.loc["active", "spend_next"] == pytest.approx(897.0 * 60 / 90)
    assert out.loc["active", "value_at_risk"] == pytest.approx(0.6 * 598.0)
    assert list(at_risk(f, p, value_quantile=0.25).index) == ["gone", "just_lapsed", "active"]
    gone = lapsed(f, horizon_days=60, value_quantile=0.25)
    assert list(gone.index) == ["gone", "just_lapsed"]
    fd = lapsed_customers(gone, horizon_days=60, valued=True, currency="USD")
    assert fd is not None and fd.name == "churn_lapsed" and fd.severity == "medium"
    assert fd.text == (
        "2 high-value customers have already lapsed: no order in the last 60 days (median 248 "
        "days since the last); they spent 7,985 USD in all. They are a win-back list, not part "
        "of the spend at risk."
    )
    assert lapsed_customers(gone.iloc[:0], horizon_days=60, valued=True) is None
    _, text = at_risk_summary(out, valued=True, currency="USD", horizon_days=60)
    assert text == (
        "1 high-value user still ordering (within 60 days) is more likely than not to churn; "
        "they spent 3,000 USD in all, and at the rate of their last 90 days would spend 598 USD "
        "over the next 60 days: 359 USD once weighted by their churn probability (the spend "
        "at risk)."
    )


def test_usable_horizon_fits_three_windows_in_the_history() -> None:
    days = pd.date_range("2000-11-01", "2001-02-28", freq="D")  # 120 days, like Ta Feng
    o = pd.DataFrame({"user_id": "u", "timestamp": days, "amount": 1.0})
    assert usable_horizon(o, 90) == 40 and usable_horizon(o, 30) == 30
    train, test = snapshots(o, horizon_days=usable_horizon(o, 90))
    assert len(train) == len(test) == 1  # the training cut-off still has history
    with pytest.raises(ConfigError, match="no orders before cutoff"):
        snapshots(o, horizon_days=90)
    with pytest.raises(ConfigError, match="at least 3"):
        usable_horizon(o.head(2), 90)
    with pytest.raises(ConfigError, match="horizon_days"):
        usable_horizon(o, 0)


def test_returns_count_as_money_not_as_orders(orders: pd.DataFrame) -> None:
    # refund rows with their own ids, as an ERP exports credit notes
    o = orders.assign(order_id=[f"o{i}" for i in range(len(orders))])
    refunds = pd.DataFrame({
        "user_id": ["a", "e", "c", "c"], "amount": [-30.0, -20.0, -50.0, 2.0],
        "timestamp": pd.to_datetime(["2024-02-25", "2024-02-10", "2024-03-20", "2024-03-21"]),
        "order_id": ["R1", "R2", "R3", "o9"],
    })  # fmt: skip
    f = churn_frame(pd.concat([o, refunds]), cutoff=CUT, horizon_days=30)
    assert list(f.index) == ["a", "b", "c"]  # e returned something, and bought nothing
    # a: orders on 01-10 and 02-20 (its 02-25 refund is no order), spend 10 + 30 - 30
    assert f.loc["a", ["frequency", "monetary", "recency_days", "orders_30d"]].tolist() == [
        2,
        10,
        10,
        1,
    ]
    # c bought in the window and got a refund bigger than the purchase: still not churned
    assert f.loc["c", "future_value"] == 1.0 - 50.0 + 2.0 and f.loc["c", "churned"] == 0


def test_churn_gaps_read_boolean_attributes() -> None:
    from opsai.behavior.findings import churn_gaps

    # 60 users from 2023-01-01; the 30 non-members and 6 members stop after January
    ids = [f"u{i:02d}" for i in range(60)]
    member = np.arange(60) < 30
    last = np.where(member & (np.arange(60) >= 6), "2024-06-30", "2023-01-31")
    orders = pd.DataFrame({"user_id": ids * 2, "amount": 1.0,
                           "timestamp": pd.to_datetime(["2023-01-01"] * 60 + list(last))})  # fmt: skip
    users = pd.DataFrame({"user_id": ids, "member": member})  # a Parquet boolean column
    found = churn_gaps(orders, users, inactive_days=90, min_tenure_days=180)
    assert [f.evidence["value"] for f in found] == ["False"]
    assert found[0].text.startswith("Users with member=False churn")
    assert found[0].evidence["churn_rate"] == 1.0 and found[0].evidence["others"] == 0.2
    assert found[0].evidence["ratio"] == 5.0
    # only non-members churn (perfect separation): said so, not left out for an infinite ratio
    last = np.where(member, "2024-06-30", "2023-01-31")
    orders["timestamp"] = pd.to_datetime(["2023-01-01"] * 60 + list(last))
    found = churn_gaps(orders, users, inactive_days=90, min_tenure_days=180)
    assert [(f.evidence["value"], f.severity) for f in found] == [("False", "high")]
    assert found[0].text == (
        "Users with member=False are the only ones who churn: 100% of them have been inactive "
        "for 90+ days, and none of the others."
    )


def test_a_churn_gap_within_noise_is_no_finding() -> None:
    """A SaaS export read "Users with plan=starter churn 1.2x as often as the others (47% vs
    39%)" on 246 against 154 users (Fisher p = 0.12 here, 0.48 in the tester's own churn
    flag): no finding; the same rates on ten times the users are one, with its p-value."""
    from opsai.behavior.findings import churn_gap

    rates = pd.DataFrame({"plan": ["starter", "pro"], "users": [246, 154],
                          "churned": [116.0, 60.0]})  # fmt: skip
    rates["churn_rate"] = rates["churned"] / rates["users"]
    rates["ratio_to_others"] = rates["churn_rate"] / (60 / 154)
    assert churn_gap(rates, attribute="plan") is None
    big = rates.assign(users=rates["users"] * 10, churned=rates["churned"] * 10)
    f = churn_gap(big, attribute="plan")
    assert f is not None and f.evidence["value"] == "starter"
    assert f.evidence["p_value"] < 0.05 / 2 and f.evidence["ratio"] == pytest.approx(1.21, abs=0.01)


def test_at_risk_summary_wording() -> None:
    from opsai.behavior import at_risk_summary

    risk = pd.DataFrame(
        {"churn_probability": [0.9, 0.6], "value": [100.0, 50.0], "value_at_risk": [90.0, 30.0]},
        index=pd.Index(["u1", "u2"], name="user_id"),
    )
    out, text = at_risk_summary(risk, valued=True)
    assert out.equals(risk)
    assert text == (
        "2 high-value users are more likely than not to churn; they spent 150, 120 once "
        "weighted by their churn probability (the spend at risk)."
    )
    out, text = at_risk_summary(risk.head(1), valued=False)
    assert list(out.columns) == ["churn_probability", "purchases", "purchases_at_risk"]
    assert text == "1 frequent buyer is more likely than not to churn; they made 100 purchases."
    # nobody at risk: a sentence, not "0 ... they spent 0, 0 once weighted"
    assert at_risk_summary(risk.head(0), valued=True)[1] == (
        "No high-value users are more likely than not to churn."
    )
    assert at_risk_summary(risk, valued=True, currency="CNY")[1] == (
        "2 high-value users are more likely than not to churn; they spent 150 CNY, 120 CNY "
        "once weighted by their churn probability (the spend at risk)."
    )
    # purchases counted instead of money: no currency
    assert "CNY" not in at_risk_summary(risk, valued=False, currency="CNY")[1]


def test_user_attributes_as_features() -> None:
    """Identifiers are no attribute, dates become days before the cut-off, and text levels held
    by fewer than 1% of users (one postcode of hundreds) are not one-hot columns."""
    n = 300
    users = pd.DataFrame(
        {
            "user_id": [f"u{i}" for i in range(n)],
            "crm_id": range(1000, 1000 + n),
            "age": [20 + i % 40 for i in range(n)],
            "birthday": pd.to_datetime("1990-01-01") + pd.to_timedelta(range(n), unit="D"),
            "zip": [f"z{i}" for i in range(n - 10)] + ["z0"] * 10,  # z0: 11 users; the rest 1
            "channel": ["ads", "seo", "referral"] * (n // 3),
        }
    )
    orders = pd.DataFrame(
        {"user_id": users["user_id"], "timestamp": pd.Timestamp("2024-01-10"), "amount": 5.0}
    )
    f = churn_frame(orders, cutoff="2024-02-01", horizon_days=30, users=users)
    cols = [c for c in f.columns if c.startswith("u_")]
    assert "u_crm_id" not in cols and "u_age" in cols
    assert sorted(c for c in cols if c.startswith("u_zip")) == ["u_zip=z0"]
    assert {"u_channel=ads", "u_channel=seo", "u_channel=referral"} <= set(cols)
    days = (pd.Timestamp("2024-02-01") - pd.Timestamp("1990-01-01")).days
    assert f.loc["u0", "u_birthday_days"] == pytest.approx(days)


def test_empty_attributes_are_no_features() -> None:
    """A warehouse's deleted_at, empty once `where: deleted_at IS NULL` left deleted users out,
    is no feature: an all-missing column stopped the gradient-boosting model in 03a ('window
    shape cannot be larger than input array shape')."""
    users = pd.DataFrame(
        {
            "user_id": ["a", "b", "c"],
            "deleted_at": pd.Series([pd.NaT] * 3, dtype="datetime64[us]"),
            "score": [np.nan] * 3,
            "age": [30.0, 40.0, 50.0],
        }
    )
    orders = pd.DataFrame(
        {"user_id": ["a", "b", "c"], "timestamp": pd.Timestamp("2024-01-10"), "amount": 5.0}
    )
    f = churn_frame(orders, cutoff="2024-02-01", horizon_days=30, users=users)
    assert [c for c in f.columns if c.startswith("u_")] == ["u_age"]


@pytest.mark.parametrize(
    ("users", "churners", "folds"), [(20, 8, 2), (16, 3, 0), (80, 7, 2), (80, 40, 5)]
)
def test_calibration_folds_shrink_with_a_rare_class(users: int, churners: int, folds: int) -> None:
    # 20 or 16 users leave 5 or 4 validation rows (2 or 1 churners): 2 folds or none, where 5
    # folds raised "n_splits=5 cannot be greater than the number of members in each class"
    X, _ = _synthetic(users, seed=3)
    y = np.zeros(users, dtype=int)
    y[:churners] = 1
    m = ChurnModel(model="logistic", n_trials=1, seed=0).fit(X, y)
    assert m.calibration_folds_ == folds
    assert (m.calibrated_ is m.estimator_) == (folds == 0)
    p = m.predict_proba(X)[:, 1]
    assert np.isfinite(p).all() and ((p >= 0) & (p <= 1)).all()


def test_churn_model_problem_names_the_count() -> None:
    train = np.r_[np.ones(3), np.zeros(16)]  # the tiny startup: 3 churners of 19
    test = np.r_[np.ones(10), np.zeros(36)]
    assert churn_model_problem(train, test) == (
        "only 3 of the 19 training users churned, fewer than the 10 a churn model needs to "
        "learn from"
    )
    assert churn_model_problem(1 - train, test).startswith("only 3 of the 19 training users stayed")
    assert churn_model_problem(np.r_[np.ones(10), np.zeros(10)], test) == ""
    assert churn_model_problem(np.r_[np.ones(10), np.zeros(10)], np.zeros(46)) == (
        "all 46 test users stayed, so a churn ranking cannot be checked"
    )


def test_comeback_rate_follows_lapsed_high_value_customers_over_the_next_window() -> None:
    """The win-back action's rate is the data's own: of the high-value customers lapsed at
    each labelled cut-off, how many ordered again within the horizon, and what they spent."""
    from opsai.behavior.churn import comeback_rate

    idx = [f"u{i}" for i in range(10)]
    frame = pd.DataFrame(
        {
            "monetary": [100.0] * 5 + [1.0] * 5,  # u0-u4 are the top 20%+ by value
            "recency_days": [200.0, 150.0, 120.0, 100.0, 10.0] + [300.0] * 5,
            "frequency": 2.0,
            "churned": [0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
            "future_value": [60.0, 0.0, 0.0, 40.0, 80.0] + [5.0] * 5,
        },
        index=pd.Index(idx, name="user_id"),
    )
    c = comeback_rate([frame, frame], horizon_days=90)
    # u0-u3 lapsed (recency > 90) and high-value; u0, u3 ordered again: 4 of 8 over two frames
    assert (c["lapsed"], c["came_back"], c["rate"]) == (8, 4, 0.5)
    assert c["rate_low"] == pytest.approx(0.2152, abs=1e-3) and c["rate_high"] == pytest.approx(
        0.7848, abs=1e-3
    )
    assert c["spend_per_returner"] == pytest.approx(50.0)
    f = lapsed_customers(
        lapsed(frame, horizon_days=90), horizon_days=90, valued=True, currency="GBP", comeback=c
    )
    assert (
        "4 of the 8 high-value customers who had lapsed at an earlier cut-off ordered again"
        in f.text
    )
    assert f.evidence["comeback_rate"] == 0.5 and f.evidence["comeback_spend_per_returner"] == 50.0


def test_export_time_lifecycle_states_are_left_out_of_user_attributes() -> None:
    """subbox: users.status (active/paused/cancelled, written at export) entered the churn
    features (ROC-AUC 0.96) and read "Users with status=cancelled churn 1.6x as often"."""
    from opsai.behavior import findings
    from opsai.behavior.churn import leaky_attributes

    users = pd.DataFrame(
        {
            "user_id": ["a", "b", "c", "d"],
            "signup_at": pd.to_datetime(["2024-01-01"] * 4),
            "plan": ["Premium", "Basic", "Basic", "Premium"],
            "status": ["active", "paused", "cancelled", "active"],
            "cancelled_on": [None, None, "2024-05-01", None],
            "isActive": [True, True, False, True],
            "subscription_end": [None, None, "2024-05-01", None],
            "state": ["CA", "NY", "TX", "CA"],  # a region: kept
            "account_phase": ["Active", "Canceled", "past-due", "Active"],  # values give it away
            "age": [30, 40, 50, 60],
        }
    )
    left = leaky_attributes(users)
    assert list(left) == ["status", "cancelled_on", "isActive", "subscription_end", "account_phase"]
    assert left["status"] == "its name denotes a lifecycle state"
    assert left["account_phase"] == "its values are lifecycle states (active, canceled, past_due)"
    f = findings.leaky_attributes(left)
    assert f.severity == "medium" and f.evidence["columns"] == left
    assert f.text.startswith(
        "Left out of segments, churn findings and the churn model: users.status (its name"
    )
    assert leaky_attributes(users[["user_id", "plan", "state", "age"]]) == {}


def test_the_churn_population_is_customers_still_ordering() -> None:
    """byod10a D6: KKBox's payers since 2015 read 'ROC-AUC 0.99, base rate 35% over 60 days'
    because every payer who stopped a year before the cut-off is a churner recency alone
    'predicts'; among subscribers who paid in the 60 days before it, 5% stopped. A monthly
    service: 40 live subscribers (2 stop at the cut-off) and 30 who stopped paying in 2023."""
    from opsai.behavior import still_active
    from opsai.behavior.churn import population_note
    from opsai.behavior.findings import model_quality

    rows = []
    for i in range(40):  # monthly from 2023-01 to 2024-05 (38 of them) or to 2024-02 (2)
        end = "2024-02-15" if i < 2 else "2024-05-15"
        rows += [(f"live{i}", t) for t in pd.date_range("2023-01-15", end, freq="MS")]
    for i in range(30):  # paid Jan to Jun 2023, then stopped for good
        rows += [(f"gone{i}", t) for t in pd.date_range("2023-01-10", "2023-06-10", freq="MS")]
    o = pd.DataFrame(rows, columns=["user_id", "timestamp"]).assign(amount=149.0)
    f = churn_frame(o, cutoff="2024-02-20", horizon_days=60)
    assert len(f) == 70 and f["churned"].mean() == pytest.approx(32 / 70)  # 46%: the old figure
    live = f[still_active(f, horizon_days=60)]
    assert len(live) == 40 and live.index.str.startswith("live").all()
    assert live["churned"].mean() == pytest.approx(2 / 40)  # 5.0%: the live subscribers' churn
    assert population_note(40, 70, horizon_days=60) == (
        "the 40 customers still ordering (an order in the 60 days before the cut-off; 30 of "
        "the 70 who had ordered before it had lapsed already and are left to the win-back list)"
    )
    m = {"roc_auc": 0.72, "top_decile_lift": 3.0, "base_rate": 0.05, "pr_auc": 0.2}
    q = model_quality(m, model="gbm", horizon_days=60, customers=40, everyone=70)
    assert q.text.startswith("The gbm churn model ranks the 40 customers still ordering (an ")
    assert q.text.endswith("as often as average (base rate 5.0% over 60 days).")
    assert (q.evidence["customers"], q.evidence["lapsed_left_out"]) == (40, 30)


def test_a_status_that_is_a_demographic_is_kept() -> None:
    """byod10a D4: Dunnhumby's MARITAL_STATUS_CODE (A/B/U) was left out as "a lifecycle state"
    for the word status. A status or end word needs values that agree (lifecycle values,
    dates) and no word of another property (marital, employment, vip ...)."""
    from opsai.behavior.churn import leaky_attributes

    users = pd.DataFrame(
        {
            "user_id": list("abcdef"),
            "MARITAL_STATUS_CODE": ["A", "B", "U", "A", "B", "A"],
            "employment_status": ["employed", "retired", "student", "employed", "retired", "x"],
            "vip_status": ["active", "active", "none", "none", "none", "none"],  # a VIP tier
            "end_station": ["Main St", "5th Ave", "Main St", "Pier", "Pier", "Main St"],
            "status": ["ok", "ok", "ok", "ok", "cancelled", "ok"],  # one cancelled: 17%
            "contract_end": ["2025-01-01", None, "2024-06-30", None, None, None],  # dates
            "status_flag": [True, True, False, True, True, True],
        }
    )
    left = leaky_attributes(users)
    assert list(left) == ["status", "contract_end", "status_flag"]
    kept = users.drop(columns="status").assign(status=["ok", "new", "ok", "ok", "new", "ok"])
    assert "status" not in leaky_attributes(kept)  # no value of a lifecycle state
