"""Churn from a label: a customers snapshot (IBM Telco) with a yes/no churn column (byod11a D10)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from opsai.behavior.label_churn import has_churn_label, label_churn
from opsai.data import open_workspace

pytestmark = pytest.mark.unit


def _telco(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Month-to-month + electronic check customers churn at 60%, everyone else at 15%."""
    rng = np.random.default_rng(seed)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.5, 0.25, 0.25])
    pay = rng.choice(["Electronic check", "Mailed check", "Credit card"], n)
    risky = (contract == "Month-to-month") & (pay == "Electronic check")
    churn = rng.random(n) < np.where(risky, 0.6, 0.15)
    return pd.DataFrame({
        "customerID": [f"{i:04d}-X" for i in range(n)],
        "first_name": rng.choice(["Mary", "John", "Ana", "Wei", "Olga"], n),
        "gender": rng.choice(["Female", "Male"], n), "Contract": contract, "PaymentMethod": pay,
        "tenure": rng.integers(0, 72, n), "MonthlyCharges": rng.uniform(20, 110, n).round(2),
        "Churn": np.where(churn, "Yes", "No"),
    })  # fmt: skip


def test_a_churn_label_gives_rate_drivers_model_and_at_risk(tmp_path: Path) -> None:
    """The Telco file alone gave "No business figures were recorded". Mapped as
    users.churned (Yes/No read as 1/0), the label gives the churn rate, the rate by value with
    intervals, a cross-validated model and the current customers most at risk."""
    raw = _telco()
    raw.to_csv(tmp_path / "telco.csv", index=False)
    cols = {"user_id": "customerID", "churned": "Churn"}
    spec = {"data": {"source": str(tmp_path), "tables": {"users": {"file": "telco.csv",
                                                                   "columns": cols}}}}  # fmt: skip
    (tmp_path / "opsai.yaml").write_text(yaml.safe_dump(spec))
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        users = ws.to_pandas("users")
        assert has_churn_label(ws.table("users"))  # 03a reads the label when users alone
    assert users["churned"].tolist() == (raw["Churn"] == "Yes").astype(int).tolist()
    assert has_churn_label(users) and not has_churn_label(raw.rename(columns={"Churn": "churned"}))
    r = label_churn(users, seed=0, fast=True)
    truth = (raw["Churn"] == "Yes").mean()
    assert r.customers == 1500 and r.rate == pytest.approx(truth)
    assert r.left_out == {"first_name": "personal data: a person's name"}
    rates = r.rates.set_index(["attribute", "value"])
    m2m = raw["Contract"] == "Month-to-month"
    row = rates.loc[("Contract", "Month-to-month")]
    assert row["churn_rate"] == pytest.approx((raw["Churn"][m2m] == "Yes").mean())
    assert row["low"] < row["churn_rate"] < row["high"] and row["ratio"] > 1.5
    assert r.rates.iloc[0]["attribute"] in {"Contract", "PaymentMethod"}
    assert "first_name" not in set(r.rates["attribute"])
    drivers = next(f for f in r.findings if f.name == "churn_label.drivers")
    assert drivers.text.startswith("Churn is highest for ")
    assert r.auc is not None and 0.65 < r.auc < 0.8  # the planted segment: about 0.70
    assert set(r.importances["attribute"].head(2)) == {"Contract", "PaymentMethod"}
    model = next(f for f in r.findings if f.name == "churn_label.model")
    assert model.evidence["usable"] and model.evidence["top_decile_lift"] > 1.5
    stayers = set(raw.loc[raw["Churn"] == "No", "customerID"])
    assert len(r.at_risk) == 100 and set(r.at_risk["user_id"]) <= stayers
    top = raw.set_index("customerID").loc[r.at_risk["user_id"].head(20)]
    assert (
        (top["Contract"] == "Month-to-month") & (top["PaymentMethod"] == "Electronic check")
    ).mean() > 0.8


@pytest.mark.parametrize("name", ["Churn", "Exited", "Attrition"])
def test_init_maps_a_churn_label(tmp_path: Path, name: str) -> None:
    """`opsai init` maps Telco's Churn (Yes/No), a bank's Exited (1/0) and an HR Attrition as
    users.churned; a 'Churn Score' of 0..100 is no label."""
    from opsai.data.init import plan_folder

    raw = _telco(200).rename(columns={"Churn": name})
    if name == "Exited":
        raw[name] = (raw[name] == "Yes").astype(int)
    raw.to_csv(tmp_path / "customers.csv", index=False)
    (g,) = plan_folder(tmp_path).guesses
    assert g.table == "users" and {m.contract: m.source for m in g.matches}["churned"] == name
    raw.rename(columns={name: "Churn Score"}).assign(**{"Churn Score": range(200)}).to_csv(
        tmp_path / "customers.csv", index=False
    )
    (g,) = plan_folder(tmp_path).guesses
    assert "churned" not in {m.contract for m in g.matches}


def _telco3(n: int = 5000, seed: int = 1) -> pd.DataFrame:
    """byod11a's Telco: month-to-month + fiber optic + electronic check churn at 60%, everyone
    else at 20%; monthly charges follow the internet service (a proxy of fiber), gender is noise."""
    rng = np.random.default_rng(seed)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.25, 0.2])
    net = rng.choice(["DSL", "Fiber optic", "No"], n, p=[0.35, 0.45, 0.2])
    pay = rng.choice(["Electronic check", "Mailed check", "Bank transfer", "Credit card"], n,
                     p=[0.33, 0.23, 0.22, 0.22])  # fmt: skip
    charges = np.where(net == "Fiber optic", 85.0, np.where(net == "DSL", 55.0, 22.0))
    risky = (contract == "Month-to-month") & (net == "Fiber optic") & (pay == "Electronic check")
    churn = rng.random(n) < np.where(risky, 0.6, 0.2)
    return pd.DataFrame({
        "user_id": [f"c{i:05d}" for i in range(n)], "gender": rng.choice(["Female", "Male"], n),
        "Contract": contract, "InternetService": net, "PaymentMethod": pay,
        "MonthlyCharges": (charges + rng.normal(0, 8, n)).round(2),
        "churned": churn.astype(int),
    })  # fmt: skip


def test_a_combination_of_three_values_is_named() -> None:
    """byod11a D10: the Telco file's planted segment (month-to-month + fiber optic +
    electronic check: 60.3% churn against 20.3%, 368 customers) was invisible, 03a named only
    single values (electronic check 29% against 20%). The search over two- and three-value
    combinations names it with its rate, size and interval, and nothing beside it: its parts
    and the price band standing for fiber churn at that segment's excess only."""
    raw = _telco3()
    r = label_churn(raw, seed=0, fast=True)
    risky = (
        (raw["Contract"] == "Month-to-month")
        & (raw["InternetService"] == "Fiber optic")
        & (raw["PaymentMethod"] == "Electronic check")
    )
    seg = next(f for f in r.findings if f.name == "churn_label.segments")
    e = seg.evidence
    assert e["values"] == {"Contract": "Month-to-month", "InternetService": "Fiber optic",
                           "PaymentMethod": "Electronic check"}  # fmt: skip
    assert e["customers"] == risky.sum() and e["churners"] == raw["churned"][risky].sum()
    assert e["churn_rate"] == pytest.approx(raw["churned"][risky].mean())
    assert e["rest_rate"] == pytest.approx(raw["churned"][~risky].mean())
    assert e["low"] < e["churn_rate"] < e["high"] and e["ratio"] > 2.5
    assert e["current"] == risky.sum() - raw["churned"][risky].sum()
    assert [s["segment"] for s in e["segments"]] == [
        "Contract=Month-to-month, InternetService=Fiber optic, PaymentMethod=Electronic check"
    ]
    assert seg.severity == "high" and e["tested"] > 300  # singles, pairs and triples
    assert r.segments["named"].sum() == 1 and r.segments["named"].iloc[0]
    assert (r.segments["p_value"] < 0.05).all() and (r.segments["order"] >= 2).all()
    assert e["at_risk_in_segment"] >= 80  # the model's at-risk list is mostly this segment
    # noise alone (churn independent of everything) names no segment among thousands tested
    flat = raw.assign(churned=(np.random.default_rng(5).random(len(raw)) < 0.23).astype(int))
    r0 = label_churn(flat, seed=0, fast=True)
    assert "churn_label.segments" not in {f.name for f in r0.findings} and r0.segments.empty


def _bookings(n: int = 2000, seed: int = 1) -> pd.DataFrame:
    """hotel_bookings.csv: no booking id; Non Refund deposits cancel at 95%, others at 25%;
    reservation_status is written with the outcome (Canceled on every cancelled booking)."""
    rng = np.random.default_rng(seed)
    deposit = rng.choice(["No Deposit", "Non Refund"], n, p=[0.8, 0.2])
    cancel = rng.random(n) < np.where(deposit == "Non Refund", 0.95, 0.25)
    return pd.DataFrame({
        "hotel": rng.choice(["City Hotel", "Resort Hotel"], n), "is_canceled": cancel.astype(int),
        "lead_time": rng.integers(0, 300, n), "deposit_type": deposit,
        "agent": np.where(rng.random(n) < 0.2, "NULL", rng.choice(["9", "240"], n)),
        "reservation_status": np.where(cancel, "Canceled", "Check-Out"),
    })  # fmt: skip


def test_bookings_without_an_id_give_a_cancellation_analysis(tmp_path: Path) -> None:
    """byod12a D15: users.user_id had to be mapped and unique, so a bookings file without a
    booking id could not map is_canceled as users.churned, and nothing reported cancellations.
    Rows are now numbered (u000001, ...), the label is worded as the outcome its column names
    ('canceled', not churn), and reservation_status (written with the outcome) is no driver."""
    raw = _bookings()
    raw.to_csv(tmp_path / "hotel_bookings.csv", index=False)
    table = {"file": "hotel_bookings.csv", "columns": {"churned": "is_canceled"}}
    spec = {"data": {"source": str(tmp_path), "tables": {"users": table}}}
    (tmp_path / "opsai.yaml").write_text(yaml.safe_dump(spec))
    with open_workspace(tmp_path / "opsai.yaml") as ws:
        users = ws.to_pandas("users")
    assert users["user_id"].tolist()[:2] == ["u000001", "u000002"] and users["user_id"].is_unique
    r = label_churn(users, seed=0, fast=True, source="is_canceled")
    k = int(raw["is_canceled"].sum())
    assert (r.customers, r.churners) == (2000, k)
    rate = next(f for f in r.findings if f.name == "churn_label.rate")
    assert rate.text.startswith(
        f"users.churned maps 'is_canceled', an outcome, not churn: {k:,} of 2,000 rows "
        f"({k / 2000:.1%}) are canceled."
    )
    assert "reservation_status (written with the outcome: ROC-AUC 1.00 by itself)" in rate.text
    assert "reservation_status" not in set(r.rates["attribute"])
    nonref = raw["deposit_type"] == "Non Refund"
    row = r.rates.set_index(["attribute", "value"]).loc[("deposit_type", "Non Refund")]
    assert row["churn_rate"] == pytest.approx(raw.loc[nonref, "is_canceled"].mean())
    drivers = next(f for f in r.findings if f.name == "churn_label.drivers")
    assert drivers.text.startswith(
        f"The share canceled is highest for deposit_type=Non Refund: {row['churn_rate']:.0%}"
    )
    assert "churn" not in " ".join(f.text for f in r.findings if f.name != "churn_label.rate")
    telco = label_churn(users, seed=0, fast=True, source="Churn")  # a churn label reads so
    assert next(f for f in telco.findings if f.name == "churn_label.drivers").text.startswith(
        "Churn is highest for deposit_type=Non Refund"
    )
