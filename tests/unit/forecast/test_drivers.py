"""An hourly bike-sharing export (UCI Bike Sharing's shape, byod13a D9-D11): weather codes and
temperatures beside the rentals, a 0/1 holiday flag, two rider series moving opposite ways on
holidays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai.data.schema import TIMESTAMP


def _bikes(tmp_path: Path, days: int = 182) -> Path:
    """Hourly rentals of casual and registered riders: weathersit 3 rents 0.6x a clear day's,
    each standard deviation of warmer weather than usual 1.2x, holidays casual 5x and
    registered 0.5x; yr, mnth and hr are calendar; cnt the day's total."""
    from tests.conftest import write_dataset

    rng = np.random.default_rng(3)
    lines = []
    for k, d in enumerate(pd.date_range("2024-01-01", periods=days)):
        ws = int(rng.choice([1, 1, 1, 2, 2, 3]))
        temp = 0.3 + 0.2 * np.sin(k / 58) + rng.normal(0, 0.05)
        hol = int(k % 14 == 3)
        wk = 1.3 if d.day_of_week >= 5 else 1.0
        f = wk * (0.6 if ws == 3 else 1.0) * (1.2 ** ((temp - 0.3 - 0.2 * np.sin(k / 58)) / 0.05))
        for h in range(24):
            shape = 1 + np.sin(np.pi * h / 24)
            c = round(4 * f * shape * (5 if hol else 1) * rng.uniform(0.9, 1.1))
            r = round(20 * f * shape * (0.5 if hol else 1) * rng.uniform(0.9, 1.1))
            w = ws if h % 6 else 1  # a clear hour now and then: the day's code is its mode
            at = f"{d:%Y-%m-%d} {h:02d}:00:00"
            common = f"{at},{d.year - 2024},{d.month},{h},{hol},{w},{temp:.3f},{c + r}"
            lines += [f"casual,{common},{c}", f"registered,{common},{r}"]
    head = "rider,dteday,yr,mnth,hr,holiday,weathersit,temp,cnt,rentals\n"
    cols = {"item_id": "rider", "timestamp": "dteday", "quantity": "rentals",
            "event_day": "holiday"}  # fmt: skip
    return write_dataset(tmp_path, {"hour.csv": head + "\n".join(lines) + "\n"},
                         {"demand": {"file": "hour.csv", "columns": cols}})  # fmt: skip


def test_weather_codes_and_temperature_are_measured_against_demand(tmp_path: Path) -> None:
    """D9: weathersit 3 (-47% in the tester's data) and temp were never named; the finding
    measures each attribute with month and weekday held fixed, leaves the calendar and the
    total column out, and says the forecasts do not take them."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import event_days
    from opsai.forecast.drivers import daily_attributes, driver_effects, driver_finding

    with open_workspace(_bikes(tmp_path)) as ws:
        daily, kinds = daily_attributes(ws)
        days = event_days(ws)
    # yr: one value, hr: the hour of the day, both left out
    assert kinds == {
        "mnth": "code",
        "weathersit": "code",
        "temp": "continuous",
        "cnt": "continuous",
    }
    assert len(daily) == 182 and set(daily["weathersit"]) == {1, 2, 3}
    assert days is not None
    eff = driver_effects(daily, kinds, events=days)
    assert eff.attrs["calendar"] == ["mnth"] and eff.attrs["totals"] == ["cnt"]
    three = eff[(eff["attribute"] == "weathersit") & (eff["level"] == "3")].iloc[0]
    assert three["reference"] == "1" and three["effect"] == pytest.approx(-0.4, abs=0.03)
    assert three["low"] < three["effect"] < three["high"] < 0
    two = eff[(eff["attribute"] == "weathersit") & (eff["level"] == "2")].iloc[0]
    assert two["low"] < 0 < two["high"]  # no effect planted
    temp = eff[eff["attribute"] == "temp"].iloc[0]
    sd = daily.loc[~daily.index.isin(days.index), "temp"].std()
    assert temp["step"] == pytest.approx(sd, rel=0.01) and temp["low"] > 0  # per sd: 1.2x a 0.05
    # the slow season left inside a month dilutes it a little
    assert temp["effect"] == pytest.approx(1.2 ** (sd / 0.05) - 1, abs=0.08)
    f = driver_finding(eff, noun="rentals")
    assert f is not None and f.severity == "medium" and f.name == "demand_drivers"
    assert f.text.startswith(
        "Attributes of the demand rows move daily demand, the same month and weekday compared "
        "(event days left out): weathersit 3 -38% against weathersit 1 (95% interval -43% to "
        "-32%; 25 days, 665.5 rentals a day against 1,031); temp +30% per standard deviation"
    )
    assert "temp +" in f.text and "The forecasts do not take these attributes" in f.text
    assert "Left out as the calendar (month and weekday tell them): mnth." in f.text
    assert f.evidence["used_by_forecast"] is False
    assert [e["level"] for e in f.evidence["effects"] if e["attribute"] == "weathersit"] == ["3"]


def test_hourly_rows_summed_to_days_are_said_so(tmp_path: Path) -> None:
    """D10: 17,462 hours were summed into 731 days without a word."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import resolve_freq

    with open_workspace(_bikes(tmp_path, days=30)) as ws:
        freq, f = resolve_freq(ws, "auto")
        assert resolve_freq(ws, "D")[1] == f
    assert freq == "D" and f is not None and f.name == "frequency"
    assert f.evidence == {"freq": "D", "hours": 720, "days": 30, "hours_of_day": 24}
    assert f.text.startswith(
        "The demand table is hourly (720 hours over 30 days, 24.0 a day, 24 hours of the day): "
        "the chapter sums each day's hours"
    )


def test_a_flag_event_day_is_named_after_its_column_and_items_moving_apart_are_shown(
    tmp_path: Path,
) -> None:
    """D11: 'Largest: 1 (1.24x)' named the 0/1 flag's value, and the total's 1.24x averaged
    casual riders x9.8 and registered -54%."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import event_days, event_finding

    with open_workspace(_bikes(tmp_path)) as ws:
        days = event_days(ws)
        hs = build_series(ws, freq="D")
    assert days is not None and set(days) == {"holiday"} and len(days) == 13
    f = event_finding(hs, days)
    assert f is not None and f.evidence["largest"] == "holiday"
    assert "Largest: holiday (" in f.text and "Largest: 1 " not in f.text
    assert f.evidence["items_opposite"] is True
    assert f.evidence["items"]["casual"] == pytest.approx(5, rel=0.1)
    assert f.evidence["items"]["registered"] == pytest.approx(0.5, rel=0.1)
    assert "Items move opposite ways on them, so the total's ratio averages them: casual 5" in (
        f.text
    )
    assert hs.df[TIMESTAMP].dt.hour.eq(0).all()  # summed into days


def test_demand_without_attributes_has_no_driver_finding(tmp_path: Path) -> None:
    """A demand table with no attribute beside the contract's columns (the demo's): nothing
    to measure, no finding, and no error (the merged chapter 04 failed on KeyError '__y')."""
    from opsai.forecast.drivers import daily_attributes, driver_effects, driver_finding
    from tests.conftest import write_dataset

    rows = [f"A,2024-01-{d:02d},{d % 5 + 1}" for d in range(1, 29)]
    cfg = write_dataset(tmp_path, {"demand.csv": "item_id,timestamp,quantity\n" + "\n".join(rows)},
                        {"demand": {"file": "demand.csv"}})  # fmt: skip
    from opsai.data import open_workspace

    with open_workspace(cfg) as ws:
        daily, kinds = daily_attributes(ws)
    assert daily.empty and kinds == {}
    effects = driver_effects(daily, kinds)
    assert effects.empty and effects.attrs == {"calendar": [], "totals": []}
    assert driver_finding(effects) is None
