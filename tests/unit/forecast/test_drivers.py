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


def test_hourly_rows_are_forecast_by_the_hour_and_summed_to_days_at_d(tmp_path: Path) -> None:
    """D10: 17,462 hours were summed into 731 days without a word, and FREQ had no hourly
    option. 'auto' now picks H on days that hold most hours and says from what; at D the
    finding says the hours are summed into days."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series, event_calendar
    from opsai.forecast.chapter import resolve_freq

    with open_workspace(_bikes(tmp_path, days=30)) as ws:
        freq, f = resolve_freq(ws, "auto")
        set_h, by_day = resolve_freq(ws, "H"), resolve_freq(ws, "D")
        hs = build_series(ws, freq="H")
        events = event_calendar(ws, freq="H")
    assert freq == "H" and f is not None and f.name == "frequency" and f.severity == "info"
    assert f.evidence == {"freq": "H", "hours": 720, "days": 30, "median_hours": 24.0,
                          "full_days": 1.0}  # fmt: skip
    assert f.text.startswith(
        "FREQ 'auto' forecasts by the hour: the demand table's timestamps hold 24 hours a day "
        "on 100% of days (720 hours over 30 days, 24 on the median day). HORIZON counts hours "
        "(left at 0 it is 48)"
    )
    assert set_h[0] == "H" and set_h[1] is not None and set_h[1].text.startswith("FREQ 'H' fore")
    assert by_day[0] == "D" and by_day[1] is not None
    assert by_day[1].text.startswith("The chapter sums each day's hours: the demand table's")
    assert "so its series and forecasts are daily (FREQ 'D'; set FREQ: H" in by_day[1].text
    total = hs.df[hs.df["item_id"] == "total"]
    assert len(total) == 720 and total[TIMESTAMP].dt.hour.nunique() == 24
    assert hs.season_length == 24
    assert events is not None and len(events) == 2 * 24  # holidays on days 3 and 17, hourly
    assert events.index.hour.nunique() == 24 and set(events.index.normalize().day) == {4, 18}


def test_h_on_dates_is_kept_and_named(tmp_path: Path) -> None:
    """FREQ 'H' on daily dates: every hour would read as one without a sale; said, high."""
    from opsai.data import open_workspace
    from opsai.forecast.chapter import resolve_freq
    from tests.conftest import write_dataset

    rows = "item_id,timestamp,quantity\n" + "".join(
        f"a,{d:%Y-%m-%d},5\n" for d in pd.date_range("2024-01-01", periods=20)
    )
    cfg = write_dataset(tmp_path, {"demand.csv": rows}, {"demand": {}})
    with open_workspace(cfg) as ws:
        freq, f = resolve_freq(ws, "H")
        assert resolve_freq(ws, "auto") == ("D", None)
    assert freq == "H" and f is not None and f.severity == "high"
    assert f.text.startswith("FREQ is 'H', but the demand table's times are not hourly counts")


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


def test_by_the_hour_event_days_are_days_and_empty_hours_name_their_hour(tmp_path: Path) -> None:
    """D10 at FREQ H: the event-day lift compares event days with usual days as at D (not
    each event hour with the 4 hours beside it, '0.15x'); an empty hour is named with its hour;
    an inventory's stock policy is left to FREQ D, and said so."""
    from opsai.data import open_workspace
    from opsai.forecast import build_series
    from opsai.forecast.chapter import empty_periods_finding, event_days, event_finding
    from opsai.inventory.chapter import hourly_stock

    with open_workspace(_bikes(tmp_path, days=60)) as ws:
        days = event_days(ws, {})
        hourly, daily = build_series(ws, freq="H"), build_series(ws, freq="D")
    at_h, at_d = event_finding(hourly, days), event_finding(daily, days)
    assert at_h is not None and at_d is not None and at_h.text == at_d.text
    assert at_h.text.startswith("Event days (holiday, 5 days with a label)")
    bottom = hourly.bottom
    bottom.loc[bottom[TIMESTAMP] == pd.Timestamp("2024-01-02 03:00"), "quantity"] = 0.0
    f = empty_periods_finding(bottom, freq="H")
    assert f is not None and f.text.startswith(
        "1 of 1440 hours inside the data's span have no sales of any item (2024-01-02 03:00)"
    )
    stock = pd.DataFrame({"item_id": ["casual", "registered"], "on_hand": [5.0, 9.0]})
    kept, note = hourly_stock(stock, "H")
    assert kept.empty and note is not None and note.name == "stock_by_day"
    assert "stock policy for the 2 stocked items" in note.text and "FREQ: D" in note.text
    assert hourly_stock(stock, "D") == (stock, None)
