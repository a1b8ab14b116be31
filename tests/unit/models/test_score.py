"""``opsai score``'s chapter functions on small workspaces with stub models (values checked)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from opsai.data.workspace import open_workspace
from opsai.models.behavior import UserBehaviorModels
from opsai.models.score import churn_risk, recommendations

pytestmark = pytest.mark.unit


class _Echo:
    """A stand-in churn classifier: the probability is the feature ``column`` itself."""

    def __init__(self, column: str) -> None:
        self.column = column

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        p = x[self.column].to_numpy(dtype=float)
        return np.c_[1 - p, p]


def _config(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    spec = {}
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
        spec[name] = {"file": f"{name}.csv"}
    cfg = folder / "opsai.yaml"
    cfg.write_text(yaml.safe_dump({"data": {"source": str(folder), "tables": spec}}))
    return cfg


def _saved(features: list[str], column: str) -> UserBehaviorModels:
    return UserBehaviorModels(
        churn=_Echo(column),  # type: ignore[arg-type]
        features=features,
        horizon_days=30,
        uses_events=False,
        uses_users=True,
        bg=None,
        gg=None,
        clv_weeks=52.0,
        manifest={},
    )


def test_user_levels_are_the_trained_ones_however_rare_in_the_new_users(tmp_path: Path) -> None:
    # the model learnt u_region=Zhejiang; in the new users table one user of 30 holds it
    # (under the 2-user floor the chapter uses to choose levels): it must still be 1 for them
    n = 30
    users = pd.DataFrame({"user_id": [f"u{i:02d}" for i in range(n)],
                          "region": ["Zhejiang"] + ["US"] * (n - 1)})  # fmt: skip
    orders = pd.DataFrame({"user_id": users["user_id"], "amount": 10.0,
                           "timestamp": pd.date_range("2024-01-01", periods=n, freq="D")})  # fmt: skip
    cfg = _config(tmp_path, {"users": users, "orders": orders})
    notes: list[str] = []
    with open_workspace(cfg) as ws:
        risk = churn_risk(ws, _saved(["recency_days", "u_region=Zhejiang"], "u_region=Zhejiang"),
                          notes)  # fmt: skip
    p = risk.set_index("user_id")["churn_probability"]
    assert p["u00"] == 1.0 and (p.drop("u00") == 0.0).all()
    assert not [x for x in notes if "absent" in x]


def test_a_model_trained_on_an_orders_country_scores_with_it(tmp_path: Path) -> None:
    """03a took Country from the order lines (no users table) and the model learnt
    u_Country=EIRE: scoring new orders derives it the same way, not 0 for everyone."""
    rows = []
    for i in range(12):
        for d in (1, 20):
            rows.append({"user_id": f"c{i:02d}", "order_id": f"{i}-{d}", "amount": 5.0,
                         "timestamp": pd.Timestamp("2024-01-01") + pd.Timedelta(days=d + i),
                         "Country": "EIRE" if i % 3 == 0 else "France"})  # fmt: skip
    notes: list[str] = []
    with open_workspace(_config(tmp_path, {"orders": pd.DataFrame(rows)})) as ws:
        risk = churn_risk(ws, _saved(["recency_days", "u_Country=EIRE"], "u_Country=EIRE"), notes)
    p = risk.set_index("user_id")["churn_probability"]
    assert p[["c00", "c03", "c06", "c09"]].tolist() == [1.0] * 4 and p["c01"] == 0.0
    assert not [x for x in notes if "no users" in x or "absent" in x]


def test_guest_orders_are_scored_as_no_one(tmp_path: Path) -> None:
    """Walk-in bills (no customer id) load as guest orders: churn_risk lists the members only,
    not a customer with an empty id whose 'orders' are every walk-in's."""
    orders = pd.DataFrame({"user_id": ["m1", None, None, "m2", None],
                           "timestamp": pd.date_range("2024-01-01", periods=5, freq="D"),
                           "amount": 10.0})  # fmt: skip
    saved = _saved(["recency_days", "frequency"], "frequency")
    saved.uses_users = False
    with open_workspace(_config(tmp_path, {"orders": orders})) as ws:
        risk = churn_risk(ws, saved, [])
    assert sorted(risk["user_id"]) == ["m1", "m2"]
    assert risk.set_index("user_id")["churn_probability"].tolist() == [1.0, 1.0]


def test_items_the_model_never_saw_are_named_not_silently_dropped(tmp_path: Path) -> None:
    from opsai.models.recommend import load_recommender, save_recommender
    from opsai.recommend import InteractionMatrix, make_model

    train = pd.DataFrame({"user_id": ["a", "a", "b", "c"], "item_id": ["x", "y", "x", "z"]})
    model = make_model("popularity").fit(InteractionMatrix.from_frame(train, binary=True))
    save_recommender(tmp_path / "run", model=model, name="popularity", k=2,
                     weights={"view": 1.0})  # fmt: skip
    saved = load_recommender(tmp_path / "run")
    # the new period: 'new1' and 'new2' were added to the catalogue after the run; 'd' only
    # viewed 'new1', 'a' viewed it and 'z'; 'new3' is in the catalogue, untouched
    events = pd.DataFrame({"user_id": ["d", "a", "a", "d"], "event": "view",
                           "item_id": ["new1", "new1", "z", "new2"],
                           "timestamp": pd.date_range("2025-01-01", periods=4, freq="D")})  # fmt: skip
    items = pd.DataFrame({"item_id": ["x", "y", "z", "new1", "new2", "new3"]})
    notes: list[str] = []
    with open_workspace(_config(tmp_path, {"events": events, "items": items})) as ws:
        recs = recommendations(ws, saved, notes=notes)
    assert not set(recs["item_id"]) & {"new1", "new2", "new3"}
    assert recs.loc[recs["user_id"] == "d", "source"].eq("fallback").all()
    assert notes == [
        "recommendations: 3 item(s) are not in the run's model (added since it was trained, "
        "e.g. new1, new2, new3): they are never recommended, and their 3 user-item "
        "interaction(s) of 2 user(s) are left out of the histories (a user with only these "
        "gets the bestsellers). A new report run learns them"
    ]


def test_event_types_the_run_did_not_weigh_are_named(tmp_path: Path) -> None:
    from opsai.models.recommend import load_recommender, save_recommender
    from opsai.recommend import InteractionMatrix, make_model

    train = pd.DataFrame({"user_id": ["a", "a", "b"], "item_id": ["x", "y", "x"]})
    train.attrs["unweighted_events"] = ["checkout"]  # the training data had it too
    model = make_model("popularity").fit(InteractionMatrix.from_frame(train, binary=True))
    save_recommender(tmp_path / "run", model=model, name="popularity", k=2, pairs=train,
                     weights={"view": 1.0, "purchase": 5.0})  # fmt: skip
    saved = load_recommender(tmp_path / "run")
    assert saved.unweighted == ["checkout"]
    # the new export writes its views as 'product_view': b's view of y is not read, so y is
    # recommended to b
    events = pd.DataFrame({"user_id": ["a", "b", "b", "b"],
                           "event": ["purchase", "purchase", "product_view", "checkout"],
                           "item_id": ["x", "x", "y", "y"],
                           "timestamp": pd.date_range("2025-01-01", periods=4, freq="D")})  # fmt: skip
    notes: list[str] = []
    with open_workspace(_config(tmp_path, {"events": events})) as ws:
        recs = recommendations(ws, saved, notes=notes)
    assert recs.loc[recs["user_id"] == "b", "item_id"].tolist() == ["y"]
    assert notes == [
        "recommendations: events of type 'product_view' are not read: the run's EVENT_WEIGHTS "
        "(view, purchase) give them no weight. If one is a new name for a weighted type (an "
        "export that now writes 'product_view' for 'view'), rename it back, or run the report "
        "again with EVENT_WEIGHTS naming it"
    ]


def test_event_types_the_model_counted_and_the_new_events_lack_are_named(tmp_path: Path) -> None:
    from opsai.behavior import ChurnModel
    from opsai.models.behavior import load_user_behavior, save_user_behavior

    rng = np.random.default_rng(0)
    x = pd.DataFrame({"recency_days": rng.normal(size=60), "ev_n_view": rng.normal(size=60),
                      "ev_n_visit": rng.normal(size=60)})  # fmt: skip
    model = ChurnModel(model="gbm", n_trials=1, fast=True, seed=0).fit(x, (x.index % 2).to_numpy())
    when = pd.date_range("2024-01-01", periods=4, freq="D")
    trained = pd.DataFrame({"user_id": ["a", "a", "b", "b"], "timestamp": when,
                            "event": ["view", "purchase", "view", "search"]})  # fmt: skip
    orders = pd.DataFrame({"user_id": ["a", "b"], "timestamp": when[:2], "amount": 5.0})
    save_user_behavior(tmp_path / "run", model=model, features=list(x.columns), horizon_days=30,
                       orders=orders, uses_events=True, uses_users=False, events=trained)  # fmt: skip
    saved = load_user_behavior(tmp_path / "run")
    assert saved.event_types == ["view"]  # counted and held ('visit' was counted, never held)
    # the new export writes 'product_view': every user's ev_n_view is 0
    new = trained.assign(event=["product_view", "purchase", "product_view", "search"])
    notes: list[str] = []
    with open_workspace(_config(tmp_path, {"events": new, "orders": orders})) as ws:
        churn_risk(ws, saved, notes)
    assert notes == [
        "churn: the new events have no 'view' events, which the model counted in training "
        "(ev_n_<type> is 0 for every user, so they look less active). If the export renamed "
        "them, rename them back"
    ]
    notes.clear()
    with open_workspace(_config(tmp_path, {"events": trained, "orders": orders})) as ws:
        churn_risk(ws, saved, notes)
    assert notes == []


def _window(saved: UserBehaviorModels, start: str, end: str) -> UserBehaviorModels:
    saved.manifest = {"data_window": {"start": start, "end": end}}
    return saved


def test_an_export_of_the_new_months_only_is_named_as_short_history(tmp_path: Path) -> None:
    # trained on two years of orders; the new export holds only the last 60 days, so every
    # user's tenure starts at the export's first day: the note says so and names the spans
    n = 20
    orders = pd.DataFrame({"user_id": [f"u{i:02d}" for i in range(n)] * 2, "amount": 10.0,
                           "timestamp": list(pd.date_range("2024-05-01", periods=n, freq="D"))
                           + list(pd.date_range("2024-05-25", periods=n, freq="D"))})  # fmt: skip
    cfg = _config(tmp_path, {"orders": orders})
    saved = _window(_saved(["tenure_days", "frequency", "recency_days"], "recency_days"),
                    "2022-05-01T00:00:00", "2024-04-30T00:00:00")  # fmt: skip
    saved.uses_users = False
    notes: list[str] = []
    with open_workspace(cfg) as ws:
        churn_risk(ws, saved, notes)
    (note,) = [x for x in notes if "history" in x]
    assert "cover 43 days (2024-05-01 to 2024-06-13)" in note
    assert "up to 700 days of history (2022-05-01 on)" in note
    assert note.count("tenure_days, frequency count only") == 1

    # the same export against a run trained on 60 days: comparable, nothing to say
    notes = []
    saved = _window(saved, "2024-03-01T00:00:00", "2024-04-30T00:00:00")
    with open_workspace(cfg) as ws:
        churn_risk(ws, saved, notes)
    assert not [x for x in notes if "history" in x]


def test_short_history_is_silent_without_a_recorded_window_or_history_features() -> None:
    from opsai.models.score import short_history

    a, b = pd.Timestamp("2024-05-01"), pd.Timestamp("2024-06-01")
    assert short_history(a, b, _saved(["tenure_days"], "tenure_days")) is None  # no window
    saved = _window(_saved(["recency_days"], "recency_days"), "2020-01-01", "2024-04-30")
    assert short_history(a, b, saved) is None  # recency alone does not depend on the span
    saved.features = ["recency_days", "monetary"]
    assert "monetary count only" in (short_history(a, b, saved) or "")


def test_integer_dates_of_the_users_score_as_the_chapter_learnt_them(tmp_path: Path) -> None:
    """byod10a D15: 03a reads a users column of YYYYMMDD integers as a date, so the model
    learns u_<col>_days; scoring must read it the same way, not as u_<col> (absent: 0)."""
    n = 10
    users = pd.DataFrame({"user_id": [f"u{i}" for i in range(n)],
                          "first_paid": [20240101 + i for i in range(n)]})  # fmt: skip
    orders = pd.DataFrame({"user_id": users["user_id"], "amount": 10.0,
                           "timestamp": pd.Timestamp("2024-01-31")})  # fmt: skip
    notes: list[str] = []
    with open_workspace(_config(tmp_path, {"users": users, "orders": orders})) as ws:
        risk = churn_risk(ws, _saved(["u_first_paid_days"], "u_first_paid_days"), notes)
    p = risk.set_index("user_id")["churn_probability"]
    assert p["u0"] == pytest.approx(30.0, abs=0.01) and p["u9"] == pytest.approx(21.0, abs=0.01)
    assert not [x for x in notes if "absent" in x]
