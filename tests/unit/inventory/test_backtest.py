"""The reorder policy replayed on the forecast backtest: lead-time errors and the spread factor."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from opsai.data.schema import ITEM_ID, LEAD_TIME_DAYS, ON_HAND, QUANTITY, SERVICE_LEVEL, TIMESTAMP
from opsai.errors import ConfigError
from opsai.forecast.backtest import CUTOFF
from opsai.inventory import lead_time_errors, policy_table, reorder_check, spread_factor
from opsai.inventory.chapter import lead_time_finding

pytestmark = pytest.mark.unit

Z95 = norm.ppf(0.975)


def _cv(actuals: dict[tuple[str, str], list[float]], sd: float = 2.0) -> pd.DataFrame:
    """Backtest rows: forecast 10 a day with a 95% band of +-Z95 * sd, the given actuals."""
    rows = []
    for (sid, cut), ys in actuals.items():
        for k, y in enumerate(ys):
            rows.append(
                {
                    ITEM_ID: sid,
                    CUTOFF: pd.Timestamp(cut),
                    TIMESTAMP: pd.Timestamp(cut) + pd.Timedelta(days=k + 1),
                    QUANTITY: y,
                    "m": 10.0,
                    "m-lo-95": 10.0 - Z95 * sd,
                    "m-hi-95": 10.0 + Z95 * sd,
                }
            )
    return pd.DataFrame(rows)


def _errors(values: list[float], cuts: list[str], level: float = 0.95) -> pd.DataFrame:
    return pd.DataFrame(
        {
            ITEM_ID: [f"i{k}" for k in range(len(values))],
            CUTOFF: pd.to_datetime(cuts),
            SERVICE_LEVEL: level,
            "error": values,
        }
    )


def test_lead_time_errors_replay_the_policys_lead_time_sums() -> None:
    cv = _cv(
        {
            ("a", "2024-01-01"): [12, 14, 10, 99],  # lead 3 days: 36 against 30
            ("b", "2024-01-01"): [10, 10, 4, 99],  # lead 2.5 days: 10 + 10 + 0.5 * 4 = 22 vs 25
            ("c", "2024-01-01"): [10, 10],  # lead 5 days > the 2-day window: left out
        }
    )
    inv = pd.DataFrame(
        {ITEM_ID: ["a", "b", "c"], ON_HAND: 1.0, LEAD_TIME_DAYS: [3.0, 2.5, 5.0],
         SERVICE_LEVEL: [0.9, np.nan, 0.95]}
    )  # fmt: skip
    e = lead_time_errors(cv, inv, model="m").set_index(ITEM_ID)
    assert list(e.index) == ["a", "b"]
    assert e.loc["a", "actual"] == 36 and e.loc["a", "lt_mean"] == pytest.approx(30)
    assert e.loc["a", "lt_sd"] == pytest.approx(2 * np.sqrt(3))  # sigma * sqrt(L)
    assert e.loc["a", "error"] == pytest.approx(6 / (2 * np.sqrt(3)))
    assert e.loc["b", "actual"] == 22 and e.loc["b", "lt_mean"] == pytest.approx(25)
    assert e.loc["b", "lt_sd"] == pytest.approx(2 * np.sqrt(2.5))
    assert e.loc["a", SERVICE_LEVEL] == 0.9 and e.loc["b", SERVICE_LEVEL] == 0.95  # default
    flat = _cv({("a", "2024-01-01"): [10, 10, 10]}, sd=0.0)  # no spread: cannot standardise
    assert lead_time_errors(flat, inv, model="m").empty
    assert lead_time_errors(cv.iloc[:0], inv, model="m").empty


def test_spread_factor_is_the_conformal_quantile_over_z_and_never_below_one() -> None:
    values = [0.1 * k for k in range(1, 20)] + [5.0]  # 20 errors
    e = _errors(values, ["2024-01-01"] * 20)
    # rank ceil(21 * 0.95) = 20: the largest error, 5.0, over z(0.95)
    assert spread_factor(e) == pytest.approx(5.0 / norm.ppf(0.95))
    # at 0.9: rank ceil(21 * 0.9) = 19 -> 1.9, below z(0.9) = 1.28 * ... -> 1.9 / 1.2816
    assert spread_factor(e, service_level=0.9) == pytest.approx(1.9 / norm.ppf(0.9))
    calm = _errors([0.1] * 20, ["2024-01-01"] * 20)
    assert spread_factor(calm) == 1.0  # would narrow: kept at 1
    assert spread_factor(_errors([9.0] * 5, ["2024-01-01"] * 5)) == 1.0  # too few for the rank
    assert spread_factor(calm.iloc[:0]) == 1.0
    assert spread_factor(e, service_level=0.5) == 1.0  # z = 0: no factor to speak of


def test_reorder_check_learns_each_windows_factor_on_the_others() -> None:
    wild = [0.05 * k for k in range(1, 20)] + [5.0]  # one error far past z
    tame = [0.0] * 19 + [3.0]  # one error past z
    e = _errors(wild + tame, ["2024-01-01"] * 20 + ["2024-02-01"] * 20)
    check = reorder_check(e)
    z = norm.ppf(0.95)
    assert check["windows"] == 40 and check["target"] == 0.95
    assert check["held"] == pytest.approx(38 / 40)  # 5.0 and 3.0 are past z
    # the tame window gets the wild one's factor (its 20th of 20 errors, 5.0, over z): its
    # 3.0 is held; the wild window gets the tame one's (3.0 / z): its 5.0 is not
    assert check["held_widened"] == pytest.approx(39 / 40)
    assert check["factor"] == pytest.approx(3.0 / z, abs=1e-4)  # all 40: rank ceil(41 * 0.95) = 39
    assert check["by_window"] == {"2024-01-01": 0.95, "2024-02-01": 0.95}
    assert check["short_windows"] == 0 and not check["widen"] and check["apply"] == 1.0
    assert reorder_check(e.iloc[:0])["held"] is None


def test_reorder_check_widens_only_when_two_windows_fall_short() -> None:
    calm = [0.0] * 20  # every lead time held
    spiky = [0.0] * 14 + [9.0] * 6  # a promotion: 6 of 20 far past z
    one = _errors(
        calm + calm + spiky, ["2024-01-01"] * 20 + ["2024-02-01"] * 20 + ["2024-03-01"] * 20
    )
    check = reorder_check(one)
    assert check["by_window"] == {"2024-01-01": 1.0, "2024-02-01": 1.0, "2024-03-01": 0.7}
    # all 60: rank ceil(61 * 0.95) = 58 is a 9.0, so the pooled factor is 9 / z ...
    assert check["factor"] == pytest.approx(9.0 / norm.ppf(0.95), abs=1e-4)
    # ... but the two calm windows give the spiky one a factor of 1: it stays at 70%
    assert check["by_window_widened"]["2024-03-01"] == 0.7
    assert check["short_windows"] == 1 and not check["widen"] and check["apply"] == 1.0
    two = _errors(
        calm + spiky + spiky, ["2024-01-01"] * 20 + ["2024-02-01"] * 20 + ["2024-03-01"] * 20
    )
    check = reorder_check(two)
    assert check["short_windows"] == 2 and check["widen"]
    assert check["apply"] == check["factor"] == pytest.approx(9.0 / norm.ppf(0.95), abs=1e-4)
    assert check["by_window_widened"]["2024-03-01"] == 1.0  # learnt on the other spiky window
    single = reorder_check(_errors(spiky, ["2024-03-01"] * 20))  # one window: nothing confirms
    assert single["factor"] > 1 and not single["widen"] and single["apply"] == 1.0


def test_policy_table_widens_the_spread() -> None:
    fc = _cv({("a", "2024-01-01"): [10.0] * 7})
    inv = pd.DataFrame({ITEM_ID: ["a"], ON_HAND: [50.0], LEAD_TIME_DAYS: [4.0]})
    base = policy_table(fc, inv, model="m").iloc[0]
    wide = policy_table(fc, inv, model="m", spread=2.0).iloc[0]
    assert wide["lt_sd"] == pytest.approx(2 * base["lt_sd"]) == pytest.approx(8.0)
    assert wide["safety_stock"] == pytest.approx(2 * base["safety_stock"])
    assert wide["lt_mean"] == base["lt_mean"]
    # single days keep the forecast's spread; the simulation widens lead-time demand with one
    # shock per path: c^2 = (2^2 - 1) * 4^2 / (4^2 + 40^2)
    assert wide["sd_per_period"] == base["sd_per_period"] == pytest.approx(2.0)
    assert base["level_sd"] == 0.0 and wide["level_sd"] ** 2 == pytest.approx(3 * 16 / 1616)
    with pytest.raises(ConfigError, match="spread"):
        policy_table(fc, inv, model="m", spread=0.0)


def test_lead_time_finding() -> None:
    check = {"windows": 40, "target": 0.95, "held": 0.86, "held_widened": 0.93, "factor": 1.97}
    f = lead_time_finding(check, widened=True)
    assert "held the lead-time demand 86% of the time against a 95% target" in f.text
    assert "a spread 1.97 times wider" in f.text and "held 93% out of sample" in f.text
    assert f.severity == "info" and f.evidence["widened"] is True
    f = lead_time_finding(check, widened=False)
    assert "LEAD_TIME_CHECK is off" in f.text and f.severity == "medium"
    ok = dict(check, held=0.96, held_widened=0.96, factor=1.0)
    assert "wider" not in lead_time_finding(ok, widened=True).text
    one = dict(check, by_window={"2024-01-01": 0.96, "2024-02-01": 0.98, "2024-03-01": 0.70},
               by_window_widened={"2024-01-01": 1.0, "2024-02-01": 0.99, "2024-03-01": 0.70},
               held=0.88, held_widened=0.90, factor=5.32, widen=False, apply=1.0)  # fmt: skip
    f = lead_time_finding(one, widened=True)
    assert "(by backtest window: 96%, 98%, 70%)" in f.text
    assert "window after 2024-03-01, the only one that fell short" in f.text
    assert "5.32 times wider" in f.text and "hold that window 70% out of sample" in f.text
    assert (
        "keep the forecast's spread" in f.text
        and "safety stocks and the simulation below use" not in f.text
    )
    assert f.severity == "medium" and f.evidence["widened"] is False
    none = {"windows": 0, "target": None, "held": None, "held_widened": None, "factor": 1.0}
    assert "could not be checked" in lead_time_finding(none, widened=True).text


def test_a_window_short_by_chance_does_not_count() -> None:
    """20 item windows at 95% hold 19 on average: 18 is chance, 16 is short (one-sided 5%)."""
    dates = ["2024-01-01"] * 20 + ["2024-02-01"] * 20 + ["2024-03-01"] * 20
    near = [0.0] * 18 + [9.0] * 2  # 90% held in each window
    check = reorder_check(_errors(near * 3, dates))
    assert check["by_window"] == {d: 0.9 for d in ("2024-01-01", "2024-02-01", "2024-03-01")}
    assert check["factor"] > 1 and check["short_windows"] == 0 and check["apply"] == 1.0
    text = lead_time_finding(check, widened=True).text
    assert "No backtest window held fewer lead times than chance allows" in text
    assert "the only one that fell short" not in text
    short = [0.0] * 16 + [9.0] * 4  # 80% held
    assert reorder_check(_errors(short * 3, dates))["short_windows"] == 3
