"""A/B test of Cookie Cats (byod13a D12): the published counts, arms compared with intervals."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from opsai.behavior.experiment import (
    compare_arms,
    experiment_column,
    experiment_finding,
    per_user_outcomes,
    sample_ratio,
)
from opsai.errors import ConfigError
from opsai.executive.actions import Assumptions, _experiment

pytestmark = pytest.mark.unit

# the published Cookie Cats test: players, day-1 and day-7 retained per version
PUBLISHED = {"gate_30": (44700, 20034, 8502), "gate_40": (45489, 20119, 8279)}


def _flags(n: int, k: int, seed: int) -> np.ndarray:
    x = np.zeros(n, dtype=bool)
    x[np.random.default_rng(seed).choice(n, k, replace=False)] = True
    return x


@pytest.fixture(scope="module")
def users() -> pd.DataFrame:
    parts = []
    for i, (arm, (n, r1, r7)) in enumerate(PUBLISHED.items()):
        parts.append(pd.DataFrame({
            "version": arm, "retention_1": _flags(n, r1, i), "retention_7": _flags(n, r7, 10 + i),
            "platform": np.where(np.arange(n) % 5 < 2, "ios", "android"),
        }))  # fmt: skip
    u = pd.concat(parts, ignore_index=True)
    return u.assign(
        user_id=np.arange(len(u)),
        customer_group=np.where(u.index % 5, "a", "b"),
        age_group=np.where(u.index % 2, "18-34", "35+"),
    )


def test_published_cookie_cats_retention_by_version(users: pd.DataFrame) -> None:
    assert experiment_column(users) == "version"  # not the 80/20 customer_group
    assert experiment_column(users.drop(columns="version")) is None  # age_group: a segment
    assert experiment_column(users.rename(columns={"version": "test_group"})) == "test_group"
    per = per_user_outcomes(users, "version")
    assert list(per.columns) == ["arm", "retention_1", "retention_7"]
    t = compare_arms(per).set_index("outcome")
    r1, r7 = t.loc["retention_1"], t.loc["retention_7"]
    assert (r1["control"], r1["arm"]) == ("gate_30", "gate_40")
    assert (round(r1["control_value"], 4), round(r1["value"], 4)) == (0.4482, 0.4423)
    assert (round(r7["control_value"], 4), round(r7["value"], 4)) == (0.1902, 0.1820)
    # day 7: -0.82 pp, Wald interval -1.33 to -0.31 pp, z = -3.16
    assert 100 * r7["diff"] == pytest.approx(-0.820, abs=0.001)
    assert (100 * r7["low"], 100 * r7["high"]) == pytest.approx((-1.328, -0.312), abs=0.002)
    assert r7["p_value"] == pytest.approx(0.0016, abs=0.0001) and r7["clear"]
    assert r1["p_value"] == pytest.approx(0.074, abs=0.001) and not r1["clear"]
    # the interval agrees with a bootstrap of the players (percentile, 2,000 resamples)
    rng = np.random.default_rng(0)
    a = users.loc[users.version == "gate_30", "retention_7"].to_numpy()
    b = users.loc[users.version == "gate_40", "retention_7"].to_numpy()
    boot = [rng.choice(b, b.size).mean() - rng.choice(a, a.size).mean() for _ in range(2000)]
    lo, hi = np.percentile(boot, [2.5, 97.5])
    assert (r7["low"], r7["high"]) == pytest.approx((lo, hi), abs=0.0005)
    ratio = sample_ratio(per)
    assert ratio["sizes"] == {"gate_30": 44700, "gate_40": 45489}
    assert ratio["p_value"] == pytest.approx(0.0086, abs=0.0002) and not ratio["mismatch"]
    f = experiment_finding("version", compare_arms(per), ratio)
    assert f.severity == "high" and f.name == "experiment"
    assert (
        "retention_7 18.20% for gate_40 against 19.02% for gate_30, -0.82 pp (95% interval "
        "-1.33 pp to -0.31 pp, p = 0.0016: clear)"
    ) in f.text
    assert "1 of the 2 differences is beyond chance" in f.text
    # 07: keep the control, the arm did worse on day-7 retention
    run = SimpleNamespace(finding=lambda ch, name: {"severity": f.severity, "evidence": f.evidence})
    (act,) = _experiment(run, {}, Assumptions(), "")  # type: ignore[arg-type]
    assert act["action"] == "Keep version=gate_30: gate_40 did worse on retention_7."
    assert (act["low"], act["mid"], act["high"]) == pytest.approx((0.31, 0.82, 1.33), abs=0.01)
    assert act["severity"] == "high" and act["unit"] == "pp"
    # a mismatched split (the tester's 44,575 / 45,614, p = 0.0005): check the assignment first
    ev = {**f.evidence, "mismatch": True, "srm_p": 0.00054}
    run = SimpleNamespace(finding=lambda ch, name: {"severity": "medium", "evidence": ev})
    (act,) = _experiment(run, {}, Assumptions(), "")  # type: ignore[arg-type]
    assert act["action"] == (
        "Check how users were assigned to version, then: keep version=gate_30: gate_40 did "
        "worse on retention_7."
    )
    assert "sample ratio mismatch" in act["why"]


def test_conversion_revenue_and_activity_per_arm_and_a_mismatched_split() -> None:
    users = pd.DataFrame({"user_id": range(400), "test_group": ["A"] * 100 + ["B"] * 300})
    orders = pd.DataFrame({
        "user_id": [0, 1, 100, 101, 102, 103], "amount": [10.0, 5.0, 1.0, 1.0, 1.0, 1.0],
        "timestamp": pd.to_datetime(["2024-01-01"] * 6),
    })  # fmt: skip
    activity = pd.DataFrame({
        "user_id": [0, 0, 0, 100], "timestamp": pd.to_datetime(
            ["2024-01-01 08:00", "2024-01-01 09:00", "2024-01-02 00:00", "2024-01-05 00:00"]),
    })  # fmt: skip
    assert experiment_column(users) is None  # 100 against 300: not balanced enough to guess
    assert experiment_column(users, column="test_group") == "test_group"
    per = per_user_outcomes(users, "test_group", orders=orders, activity=activity)
    got = per.groupby("arm")[["converted", "revenue_per_user", "active_days"]].sum()
    assert got.loc["A"].tolist() == [2.0, 15.0, 2.0] and got.loc["B"].tolist() == [4.0, 4.0, 1.0]
    t = compare_arms(per).set_index("outcome")
    assert t.loc["revenue_per_user", "kind"] == "mean"
    assert t.loc["revenue_per_user", "diff"] == pytest.approx(4 / 300 - 15 / 100)
    ratio = sample_ratio(per)
    assert ratio["mismatch"] and ratio["shares"] == {"A": 0.25, "B": 0.75}
    f = experiment_finding("test_group", t.reset_index(), ratio)
    assert "sample ratio mismatch" in f.text


def test_a_wrong_experiment_column_says_how_to_fix_it(users: pd.DataFrame) -> None:
    with pytest.raises(ConfigError, match=r"EXPERIMENT_COLUMN: 'arm' is not a column of the users"):
        experiment_column(users, column="arm")
    with pytest.raises(ConfigError, match=r"users\.user_id has 90189 distinct values"):
        experiment_column(users, column="user_id")
