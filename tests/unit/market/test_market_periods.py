"""Calendar periods, gaps in the companies present, and the scenario period (scrape-shaped data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from opsai import market as mk
from opsai.data import schema as S
from opsai.errors import ChapterError
from opsai.market import chapter as ch
from opsai.market import findings as fd

pytestmark = pytest.mark.unit

NOTEBOOK = Path(__file__).resolve().parents[3] / "notebooks" / "06_market_competition.ipynb"


def _scrape() -> pd.DataFrame:
    """Two retailers x two products, each row stamped at its own minute; A scraped twice on
    the first day (10 at 2.0 then 30 at 4.0 for p)."""
    rows = [
        ("2024-01-01 05:04", "A", "p", 10.0, 2.0),
        ("2024-01-01 06:10", "A", "p", 30.0, 4.0),
        ("2024-01-01 05:07", "A", "q", 5.0, 1.0),
        ("2024-01-01 06:43", "B", "p", 20.0, 3.0),
        ("2024-01-01 06:44", "B", "q", 8.0, 1.5),
        ("2024-01-02 04:59", "A", "p", 12.0, 2.0),
        ("2024-01-02 05:01", "A", "q", 6.0, 1.0),
        ("2024-01-02 06:32", "B", "p", 18.0, 3.0),
        ("2024-01-02 06:33", "B", "q", 9.0, 1.5),
    ]
    df = pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, "product", S.SALES, S.PRICE])
    return df.assign(**{S.PERIOD: pd.to_datetime(df[S.PERIOD])})


def test_scrape_timestamps_are_put_into_days_with_a_finding() -> None:
    out, note = ch.calendar_periods(_scrape(), "", product="product")
    assert note is not None and "calendar days" in note.text
    assert note.evidence["periods_as_given"] == 9 and note.evidence["single_company"] == 1.0
    assert len(out) == 8 and out[S.PERIOD].nunique() == 2
    first = out[(out[S.PERIOD] == "2024-01-01") & (out[S.COMPANY] == "A") & (out["product"] == "p")]
    assert first[S.SALES].item() == 40.0
    assert first[S.PRICE].item() == pytest.approx((10 * 2 + 30 * 4) / 40)  # sales-weighted
    shares = mk.market_shares(out)
    day1 = shares[shares[S.PERIOD] == "2024-01-01"].set_index(S.COMPANY)[S.SHARE]
    assert day1["A"] == pytest.approx(45 / 73)


def test_irregular_snapshots_are_put_into_weeks_when_days_lack_companies() -> None:
    """byod8 N2: Keepa-style snapshots (each company seen every few days at its own minute) were
    put into days, 30% of which lacked a company: the share headline compared a partial day.
    Days with more than 10% of them lacking an active company give way to weeks."""
    start = pd.Timestamp("2024-01-01 00:00")
    rows = []
    for c, every in (("A", 2), ("B", 3), ("C", 3)):
        for k in range(0, 70, every):  # ten weeks, A every 2nd day, B and C every 3rd
            rows.append((start + pd.Timedelta(days=k, minutes=7 * ord(c)), c, 10.0, 2.0))
    df = pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, S.SALES, S.PRICE])
    out, note = ch.calendar_periods(df, "")
    assert note is not None and "calendar weeks" in note.text
    assert note.evidence["period"] == "week" and note.evidence["gaps_week"] == 0.0
    # 47 days hold a row; all three companies are seen on the 12 multiples of 6 and on day 69
    # (A's last day is 68, so it is not active then): 34 of 47 days lack a company
    assert note.evidence["gaps_day"] == pytest.approx(34 / 47)
    assert out[S.PERIOD].nunique() == 10 and len(out) == 30
    assert (out[S.PERIOD].dt.dayofweek == 0).all()  # weeks start on Monday
    a1 = out[(out[S.COMPANY] == "A") & (out[S.PERIOD] == start)][S.SALES].item()
    assert a1 == 40.0  # days 0, 2, 4, 6
    week, note = ch.calendar_periods(df, "day")  # the user's PERIOD is kept
    assert note is None and week[S.PERIOD].nunique() == 47


def test_calendar_periods_floor_to_weeks_and_months() -> None:
    out, note = ch.calendar_periods(_scrape(), "month", product="product")
    assert note is None and len(out) == 4  # two companies x two products in January
    assert (out[S.PERIOD] == pd.Timestamp("2024-01-01")).all()
    assert out.set_index([S.COMPANY, "product"]).loc[("A", "p"), S.SALES] == 52.0
    week, _ = ch.calendar_periods(
        _scrape().assign(**{S.PERIOD: pd.Timestamp("2024-01-04")}), "week"
    )
    assert (week[S.PERIOD] == pd.Timestamp("2024-01-01")).all()  # weeks start on Monday
    assert week.set_index(S.COMPANY).loc["A", S.SALES] == 63.0  # no product key: summed


def test_period_errors_name_the_parameter() -> None:
    dates = _scrape().assign(**{S.PERIOD: lambda d: d[S.PERIOD].dt.normalize()})
    dates[S.PERIOD] += pd.to_timedelta(np.arange(len(dates)), unit="D")  # one company a day
    with pytest.raises(ChapterError, match="Set the PERIOD parameter"):
        ch.calendar_periods(dates, "")
    with pytest.raises(ChapterError, match="PERIOD='fortnight'"):
        ch.calendar_periods(_scrape(), "fortnight")
    labels = _scrape().assign(**{S.PERIOD: "2024H1"})
    with pytest.raises(ChapterError, match=r"needs dates in market\.period"):
        ch.calendar_periods(labels, "month")
    same, note = ch.calendar_periods(labels, "")  # labels shared by both companies: as given
    assert note is None and len(same) == len(labels)


def _gappy(seed: int = 0) -> pd.DataFrame:
    """Three retailers x two products over 30 days, C missing on days 5 and 20 (failed
    scrapes); B cuts its price by 20% from day 15 and its units rise."""
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.date_range("2024-01-01", periods=30, freq="D"):
        for co, base in (("A", 100.0), ("B", 90.0), ("C", 110.0)):
            if co == "C" and day.day in (5, 20):
                continue
            for prod in ("p", "q"):
                cut = co == "B" and day.day >= 15
                price = base * (0.8 if cut else 1.0) * (1 + rng.normal(0, 0.01))
                rows.append((day, co, prod, 40.0 * (1.5 if cut else 1.0), price))
    return pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, "product", S.SALES, S.PRICE])


def test_gaps_are_counted_and_move_shares_are_real_shares() -> None:
    m = _gappy()
    assert len(ch.complete_periods(m)) == 28
    f = ch.coverage_finding(m)
    assert f is not None and f.evidence["incomplete_periods"] == 2
    assert f.evidence["missing.C"] == 2 and "2 of 30 periods (7%)" in f.text
    assert "2024-01-05" in f.text and f.severity == "medium"
    assert ch.coverage_finding(m[m[S.COMPANY] != "C"]) is None
    moves = mk.detect_moves(m)
    events, found = ch.competitor_events(m, moves, "A")
    row = events.iloc[0]
    assert row[S.COMPANY] == "B" and row[S.PERIOD] == pd.Timestamp("2024-01-15")
    # units 80 of 240 before, 120 of 280 after: shares, not the sum over product rows
    assert row["share_before"] == pytest.approx(1 / 3)
    assert row["share_after"] == pytest.approx(120 / 280)
    assert "from 33.3% to 42.9%" in found[0].text and "2024-01-15" in found[0].text


def test_scenarios_start_from_our_latest_period() -> None:
    from tests.unit.market.conftest import make_logit_market

    m = make_logit_market(seed=2)
    last = m[S.PERIOD].max()
    m = m[~((m[S.COMPANY] == "co0") & (m[S.PERIOD] == last))]  # our last scrape failed
    demand = ch.fit_demand(m)
    cross = ch.cross_exposure(demand, "co0")
    assert cross.sum() > 0  # read in a period that holds us
    scen = ch.standard_scenarios(demand, "co0", "co4", n_draws=20, seed=0)
    assert all(t.attrs["period"] == last - 1 for t in scen.values())
    assert "co4 price -10%" in scen
    f = ch.scenario_finding(scen, demand, "co0")
    assert f is not None and f.evidence == {"period": str(last - 1), "last": str(last)}
    full = ch.fit_demand(make_logit_market(seed=2))
    assert (
        ch.scenario_finding(ch.standard_scenarios(full, "co0", None, n_draws=0), full, "co0")
        is None
    )


def test_no_negative_zero_in_market_text() -> None:
    f = fd.elasticity_finding(-0.001, 0.004, company="us", share=0.2)
    assert "elasticity 0.00 ± 0.01" in f.text and "-0.00" not in f.text
    assert fd._num(-0.0001, "+") == "-0.0001" and fd._num(-1e-9) == "-0.00000000100"
    ev = {"company": "b", "metric": "share", "event": 3, "before": 0.2, "after": 0.2}
    ev |= {"change": -1e-5, "lo": -0.02, "hi": 0.02, "n_after": 3}
    text = fd.move_finding({"change": -0.1, "metric": "price"}, ev).text
    assert "(+0.0 pp," in text and "-0.0" not in text


def _weekly(weeks: int = 120) -> pd.DataFrame:
    """Two companies over ``weeks`` Monday weeks; sales have a yearly cycle and grow 10% a
    year, so 52 weeks back is the same season a year earlier."""
    t = np.arange(weeks)
    base = 100 * 1.1 ** (t / 52) * (1 + 0.3 * np.sin(2 * np.pi * t / 52))
    periods = pd.date_range("2022-01-03", periods=weeks, freq="W-MON")
    rows = [
        (p, c, b * k)
        for c, k in (("A", 1.0), ("B", 2.0))
        for p, b in zip(periods, base, strict=True)
    ]
    return pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, S.SALES])


def test_season_follows_the_periods_when_left_at_its_default() -> None:
    """Weekly data used SEASON=12: growth 'year on year' compared with 12 weeks earlier
    (+19.3% on this market, part of its yearly swing) instead of the 10% a year it grows;
    the notebook now takes SEASON from the periods unless the user sets it."""
    weekly = _weekly()
    season, year, note = ch.season_for(weekly, 0)
    assert (season, year) == (52, 52) and note is not None
    assert note.text.startswith("The market periods are weeks, so SEASON is 52, a year of weeks")
    assert "chapters.06_market_competition.parameters" in note.text
    assert note.evidence == {"season": 52, "step": "week", "year": 52}
    growth = mk.market_size(weekly, season=year)["growth_yoy"].iloc[-1]
    assert growth == pytest.approx(0.10)
    assert mk.market_size(weekly, season=12)["growth_yoy"].iloc[-1] == pytest.approx(
        0.193, abs=1e-3
    )
    days, _ = ch.calendar_periods(_scrape(), "", product="product")
    assert ch.season_for(days, 0)[:2] == (7, 365)
    assert "SEASON is 7, the weekly pattern" in str(ch.season_for(days, 0)[2].text)  # type: ignore[union-attr]
    monthly = weekly.assign(**{S.PERIOD: weekly[S.PERIOD].dt.to_period("M").dt.start_time})
    assert ch.season_for(monthly.drop_duplicates([S.PERIOD, S.COMPANY]), 0) == (12, 12, None)
    assert ch.season_for(weekly, 13) == (13, 52, None)  # the user's SEASON is kept
    labels = pd.DataFrame({S.PERIOD: ["2024H1", "2024H2"], S.COMPANY: "A", S.SALES: 1.0})
    assert ch.season_for(labels, 0) == (12, 12, None) and ch.season_for(labels, 1) == (1, 1, None)
    with pytest.raises(ChapterError, match=r"SEASON=-1 is negative"):
        ch.season_for(weekly, -1)
    cells = json.loads(NOTEBOOK.read_text("utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    assert "\nSEASON: int = 0  # periods per season; 0: from the periods" in "\n" + code[1]
    assert "SEASON, YEAR, season = ch.season_for(market, SEASON)" in code[2]
    assert any("mk.market_size(market, season=YEAR)" in c for c in code)


def test_a_move_is_dated_as_a_sentence_says_it() -> None:
    from opsai.market._frame import period_phrase

    day = pd.Timestamp("2024-06-01")
    assert period_phrase(day, "day") == "on 2024-06-01"
    assert period_phrase(day, "week") == "in the week of 2024-06-01"
    assert period_phrase(day, "month") == "in 2024-06"
    assert period_phrase(day, "quarter") == "in 2024-Q2"
    assert period_phrase(7, "day") == "in 7"  # a period number, not a date
    move = {"change": -0.15, "metric": "price"}
    event = {
        "event": day,
        "metric": "share",
        "company": "SnapGear",
        "before": 0.288,
        "after": 0.33,
        "change": 0.042,
        "lo": -0.05,
        "hi": 0.134,
        "n_after": 3,
    }
    text = fd.move_finding(move, event, step="day").text
    assert text.startswith("SnapGear cut its price by 15% on 2024-06-01; its share went")


def test_the_scorecard_says_what_a_share_change_compares(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from opsai import executive as ex

    days = pd.date_range("2024-01-01", periods=28, freq="D")
    m = pd.DataFrame(
        [(d, c, 10.0 + i * (c == "A")) for i, d in enumerate(days) for c in ("A", "B")],
        columns=[S.PERIOD, S.COMPANY, S.SALES],
    )
    changes = mk.share_changes(m, periods=7, window=7)
    f = fd.share_finding(changes, "A")
    assert f.evidence["compared"] == "last 7 days vs the 7 before"
    assert "over the 7 periods to 2024-01-28" in f.text
    results = tmp_path / "results"
    results.mkdir()
    record = {
        "chapter": "06_market_competition",
        "status": "ok",
        "metrics": {"share.latest": 0.6, "share.change_12m": 2.0},
        "findings": [
            {"name": "share", "text": f.text, "severity": f.severity, "evidence": f.evidence}
        ],
        "tables": {},
        "kpis": [],
    }
    (results / "06_market_competition.json").write_text(json.dumps(record))
    sc = ex.kpi_scorecard(ex.load_run(tmp_path)).set_index("key")
    # the tile pairs the finding's 7-day mean share with its change of means, and says so
    assert sc.loc["share", "period"] == "mean of the last 7 days vs the 7 before"
    assert sc.loc["share", "value"] == pytest.approx(f.evidence["share_now"])
    assert sc.loc["share", "change"] == pytest.approx(f.evidence["change_pp"])
    assert sc.loc["share", "value"] != pytest.approx(0.6)  # not the latest day's share


def test_shares_by_segment_say_where_we_win_and_lose() -> None:
    """byod9b D18: market.segment (Food / Drug / Mass) was accepted but never read: one
    share per brand and week, no word on channels. Shares and their change now come per
    segment too, with a finding naming where we lose most."""
    rows = []
    for w, week in enumerate(pd.date_range("2024-01-01", periods=4, freq="W-MON")):
        for seg, ours in (("Food", [40, 40, 20, 20]), ("Drug", [30, 30, 30, 30])):
            rows += [(week, "us", seg, float(ours[w])), (week, "them", seg, 60.0)]
    m = pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, S.SEGMENT, S.SALES])
    seg = mk.segment_changes(m, "us", periods=2, window=1)
    assert seg["segment"].tolist() == ["Food", "Drug"]  # largest loss first
    food = seg.iloc[0]
    assert food["share_before"] == pytest.approx(0.4) and food["share_now"] == pytest.approx(0.25)
    assert food["change_pp"] == pytest.approx(-15.0) and food["top_gainer"] == "them"
    assert seg.iloc[1]["change_pp"] == pytest.approx(0.0)
    f = fd.segment_finding(seg, "us")
    assert f is not None and f.severity == "high"
    assert f.text == (
        "By segment: us holds 25.0% in Food (-15.0 pp), 33.3% in Drug (+0.0 pp). It loses most "
        "in Food (-15.0 pp; them gains +15.0 pp there) and does best in Drug (+0.0 pp)."
    )
    assert mk.segment_changes(m[m[S.SEGMENT] == "Food"], "us", periods=2).empty


def _annual_shares() -> pd.DataFrame:
    """A Euromonitor company-shares sheet unpivoted on its year headers: percentages per
    company and year, the years as integers (byod11b D7); we gain 2 pp a year."""
    shares = {
        "Us": [8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0],
        "Gevalia": [25.0, 23.5, 22.0, 20.5, 19.0, 17.5, 16.0],
        "Nestle": [22.0, 21.5, 21.0, 21.2, 20.8, 21.0, 21.1],
    }
    rows = [(2018 + i, co, v) for co, vs in shares.items() for i, v in enumerate(vs)]
    df = pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, S.SALES])
    rest = 100 - df.groupby(S.PERIOD)[S.SALES].sum()
    others = pd.DataFrame({S.PERIOD: rest.index, S.COMPANY: "Others", S.SALES: rest.to_numpy()})
    return pd.concat([df, others], ignore_index=True)


def test_year_numbers_are_years_and_shares_move_on_the_year_before() -> None:
    """Years as integers read as 12 periods a season: the share change looked 6 years back
    (+12.0 pp, 2024 vs 2018) although the README promises the period before (byod11b D7)."""
    market, note = ch.calendar_periods(_annual_shares(), "")
    assert note is None and pd.api.types.is_datetime64_any_dtype(market[S.PERIOD])
    assert market[S.PERIOD].min() == pd.Timestamp("2018-01-01")
    season, year, found = ch.season_for(market, 0)
    assert (season, year) == (1, 1) and found is not None and "years" in found.text
    changes = mk.share_changes(market, periods=season)
    f = fd.share_finding(changes, "Us")
    assert f.evidence["change_pp"] == pytest.approx(2.0)
    assert f.evidence["compared"] == "2024 vs 2023"
    assert "holds 20.0% of the market in 2024, +2.0 pp on 2023 (18.0%)" in f.text
    for given in (2024.0, "2024"):  # whole floats and text are years too
        one = _annual_shares().assign(**{S.PERIOD: lambda d, g=given: d[S.PERIOD].astype(type(g))})
        assert ch.year_periods(one)[S.PERIOD].max() == pd.Timestamp("2024-01-01")
    index = _annual_shares().assign(**{S.PERIOD: lambda d: d[S.PERIOD] - 2017})  # 1 ... 7
    assert ch.year_periods(index)[S.PERIOD].max() == 7  # period numbers are not years


def test_the_rest_of_the_market_is_no_company_and_losers_are_named() -> None:
    """'Others' (the residual row of a share sheet) was ranked and counted as one firm of the
    HHI, and no finding named the competitor losing the most share (byod11b D8)."""
    raw = _annual_shares()
    total = raw.groupby(S.PERIOD, as_index=False)[S.SALES].sum().assign(**{S.COMPANY: "Total"})
    market, _ = ch.calendar_periods(pd.concat([raw, total], ignore_index=True), "")
    market, rest, note = ch.aggregate_rows(market)
    assert rest == ["Others"] and "Total" not in set(market[S.COMPANY])
    assert note is not None and note.evidence["totals_dropped"] == ["Total"]
    assert note.text.startswith("'Others' is the rest of the market, not one company (")
    conc = mk.concentration(market, exclude=rest)
    shares = {"Us": 20.0, "Gevalia": 16.0, "Nestle": 21.1, "Others": 42.9}
    assert conc["hhi"].iloc[-1] == pytest.approx(20.0**2 + 16.0**2 + 21.1**2)
    assert conc["hhi_with_rest"].iloc[-1] == pytest.approx(sum(v**2 for v in shares.values()))
    assert conc["companies"].iloc[-1] == 3 and conc["rest"].iloc[-1] == pytest.approx(0.429)
    text = fd.concentration_finding(conc).text
    assert "HHI 1,101 among the named companies" in text and "2,942 if the rest" in text
    changes = mk.share_changes(market, periods=1)
    since = mk.share_changes(market, periods=6)
    f = fd.competitor_finding(changes, "Us", exclude=rest, since=since)
    assert f is not None and f.text == (
        "Among competitors in 2024, against 2023: Gevalia -1.5 pp (17.5% -> 16.0%) lost the "
        "most share; Nestle +0.1 pp (21.0% -> 21.1%) gained the most. Since 2018: Gevalia "
        "-9.0 pp (25.0% -> 16.0%) lost the most."  # no competitor gained since 2018
    )
    assert f.evidence["loser"] == "Gevalia" and f.evidence["loser_since"] == "Gevalia"
    assert f.evidence["loser_since_pp"] == pytest.approx(-9.0)
    assert "Others" not in f.text
    sw = mk.strengths_weaknesses(market, "Us", periods=1, exclude=rest)
    assert set(sw["companies"]) == {3} and sw.attrs["compared"] == "in 2024 against 2023"
    wins = fd.strategy(sw, pd.DataFrame(), pd.Series(dtype=float), pd.DataFrame(), "", company="Us")
    assert wins[0].text.endswith(", in 2024 against 2023.")


def test_integer_periods_read_as_written_in_findings() -> None:
    """A concentration finding on integer periods read 'moderately concentrated in 2024.0'
    (the last row's period went through a float row) (byod11b D14)."""
    from opsai.market._frame import period_label

    conc = mk.concentration(_annual_shares())  # periods as given: integers
    text = fd.concentration_finding(conc).text
    assert " in 2024: HHI " in text and "2024.0" not in text
    assert period_label(2024.0) == "2024" and period_label(np.float64(7.0)) == "7"
    assert period_label(2.5) == "2.5"


def test_forecasts_reach_no_further_than_half_the_history() -> None:
    """HORIZON=12 on 7 years forecast our share to 2036 (byod11b D19): the forecast now
    reaches 3 years, and a finding says why; two years of months keep 12."""
    market, _ = ch.calendar_periods(_annual_shares(), "")
    h, note = ch.forecast_horizon(market, 12)
    assert h == 3 and note is not None
    assert note.text.startswith("The forecasts reach 3 years ahead, not HORIZON=12: the market ")
    assert note.evidence == {"horizon": 3, "asked": 12, "periods": 7}
    ours = market[market[S.COMPANY] == "Us"].set_index(S.PERIOD)[S.SALES] / 100
    share_fc = mk.trend_forecast(ours, horizon=h, season=1, seasonal="test", upper=1.0)
    table = ch.forecast_table(pd.DataFrame({"step": []}), share_fc)  # shares: no size forecast
    assert table["step"].tolist() == [1, 2, 3] and "forecast_share" in table
    first = table["forecast_share"].iloc[0]  # Theta: half the drift of +2 pp a year
    assert first == pytest.approx(0.21, abs=0.005)
    months = pd.DataFrame({S.PERIOD: pd.date_range("2023-01-01", periods=24, freq="MS")})
    assert ch.forecast_horizon(months.assign(**{S.COMPANY: "a"}), 12) == (12, None)
    with pytest.raises(ChapterError, match=r"HORIZON=0 must be 1 or more"):
        ch.forecast_horizon(market, 0)


def test_a_market_size_turns_shares_into_sales() -> None:
    """A shares sheet had no way to take the market size printed beside it, so growth and
    the decomposition were skipped (byod11b D9): MARKET_SIZE gives it, and the market grows
    5% a year, our sales 960 -> 3,216."""
    market, _ = ch.calendar_periods(_annual_shares(), "")
    text = ", ".join(f"{2018 + i}={12000 * 1.05**i:.1f}" for i in range(7))
    sized, note = ch.sized_market(market, text)
    assert note is not None and "(12,000.0 in 2018 to 16,081.1 in 2024)" in note.text
    assert ch.size_skip_reason(sized) is None
    size = mk.market_size(sized, season=1)
    assert size["growth_yoy"].iloc[-1] == pytest.approx(0.05, abs=1e-4)
    ours = sized[sized[S.COMPANY] == "Us"].set_index(S.PERIOD)[S.SALES]
    assert (ours.iloc[0], ours.iloc[-1]) == (pytest.approx(960.0), pytest.approx(3216.2, abs=0.1))
    assert ch.sized_market(market, "")[1] is None
    with pytest.raises(
        ChapterError, match=r"no size for 1 period\(s\) of the market table \(2024\)"
    ):
        ch.sized_market(market, text.rsplit(",", 1)[0])
    with pytest.raises(ChapterError, match="already holds sales"):
        ch.sized_market(sized, text)
    with pytest.raises(ChapterError, match="one period=size pair"):
        ch.sized_market(market, "2018 12000")


def _daily_market(first: str, last: str) -> pd.DataFrame:
    """Two companies with one sale each per hour of every day from ``first`` to ``last``:
    A 30.0 and B 10.0 a day."""
    stamps = pd.date_range(first, f"{last} 23:00", freq="12h")
    rows = [(t, c, v / 2, 2.0) for t in stamps for c, v in (("A", 30.0), ("B", 10.0))]
    return pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, S.SALES, S.PRICE])


def test_partial_first_and_last_weeks_are_left_out_and_named() -> None:
    """byod11a D12: REES46 purchases by week (2019-10-01, a Tuesday, to 2019-12-31) gave a
    first week of 6 days and a last of 2: 'market 43,307 -> 8,746' and samsung at 6.1% on 4
    purchases. The two are left out, as the overview and chapter 04 leave them out."""
    df = _daily_market("2019-10-01", "2019-12-31")
    out, note = ch.calendar_periods(df, "week")
    assert out[S.PERIOD].min() == pd.Timestamp("2019-10-07")
    assert out[S.PERIOD].max() == pd.Timestamp("2019-12-23") and out[S.PERIOD].nunique() == 12
    assert note is not None and note.severity == "medium"
    assert note.evidence["partial_periods"] == ["2019-09-30", "2019-12-30"]
    last = note.evidence["partial_last"]
    assert (last["days"], last["of"], last["units"], last["units_before"]) == (2, 7, 80.0, 280.0)
    assert note.evidence["partial_first"]["days"] == 6
    assert "the last week, 2019-12-30, holds 2 of its 7 days" in note.text
    assert "the 12 whole weeks from 2019-10-07 to 2019-12-23" in note.text
    growth = mk.growth_decomposition(out, "A", periods=1)  # a flat market, not one down 71%
    assert growth.set_index(growth.columns[0])["value"].abs().max() == pytest.approx(0.0)


def test_whole_periods_and_period_totals_are_kept() -> None:
    """Whole months are kept; monthly totals dated on the 1st keep their last month unless it
    holds under half the months before it (the month so far)."""
    out, note = ch.calendar_periods(_daily_market("2019-10-01", "2019-12-31"), "month")
    assert note is None and out[S.PERIOD].nunique() == 3
    months = pd.date_range("2023-01-01", periods=12, freq="MS")
    rows = [(m, c, s) for m in months for c, s in (("A", 30.0), ("B", 10.0))]
    totals = pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, S.SALES])
    out, note = ch.calendar_periods(totals, "month")
    assert note is None and out[S.PERIOD].nunique() == 12
    totals.loc[totals[S.PERIOD] == months[-1], S.SALES] /= 4  # December so far
    out, note = ch.calendar_periods(totals, "month")
    assert out[S.PERIOD].max() == months[-2] and note is not None
    assert note.evidence["partial_periods"] == ["2023-12-01"]
    assert note.text.startswith("The last month, 2023-12, holds 10 sales against 40 in the month")
    years = totals.assign(**{S.PERIOD: pd.to_datetime(totals[S.PERIOD].dt.year.map(str))})
    years = pd.concat([years.assign(**{S.PERIOD: years[S.PERIOD] + pd.DateOffset(years=k)})
                       for k in range(3)])  # fmt: skip
    out, note = ch.calendar_periods(years.drop_duplicates([S.PERIOD, S.COMPANY]), "year")
    assert note is None and out[S.PERIOD].nunique() == 3  # one row a year: whole years


def test_several_prices_per_company_without_product_are_called_a_mix_average() -> None:
    """byod11a D13: REES46 purchases by brand without PRODUCT read "xiaomi cut its price by
    22%" where no xiaomi product ever changed price: the mix of products sold moved. Several
    prices per company and week are said to be a mix average, and the product key is named."""
    rows = []
    for w, day in enumerate(pd.date_range("2024-01-01", periods=8, freq="7D")):
        for company, items in (("A", {"a1": 10.0, "a2": 50.0}), ("B", {"b1": 20.0, "b2": 30.0})):
            for item, price in items.items():  # A sells more of its cheap item from week 4
                for k in range(2 if (company, item, w >= 4) == ("A", "a1", True) else 1):
                    rows.append((day + pd.Timedelta(hours=k + 1), company, item, price, price))
    df = pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, "sku", S.SALES, S.PRICE])
    out, note = ch.calendar_periods(df, "week")
    assert note is not None and note.evidence["product_key"] == "sku"
    assert note.evidence["mixed_price_share"] == 1.0
    assert "In 100% of the company-weeks the rows hold several prices (median 2)" in note.text
    assert "Set PRODUCT: sku in chapters.06_market_competition.parameters" in note.text
    assert "a company's price here is a fixed basket" in note.text
    # the mix moved from (10*10 + 50*50) / 60 = 43.3 to (2*10*10 + 50*50) / 70 = 38.6 in week
    # 4, an 11% "cut"; the basket (a1 120 of A's 520 sales, a2 400) holds still
    a = out[out[S.COMPANY] == "A"].set_index(S.PERIOD)[S.PRICE]
    assert a.to_numpy() == pytest.approx([(10 * 120 + 50 * 400) / 520] * 8)
    moves = mk.detect_moves(out, metrics=(S.PRICE,))
    assert moves.empty or "A" not in set(moves[S.COMPANY])
    same, note = ch.calendar_periods(df, "week", product="sku")
    assert note is None and len(same) == 32  # each product's own price: nothing to say


def test_a_partial_period_that_alone_holds_us_is_kept() -> None:
    """byod13b D2: Google Play apps by their last update year; ours was updated only in 2018,
    a partial year, which was left out, so the chapter said our app "is not in
    market.company" and took the largest rival as us. The partial year holding us is kept
    and said to be; the partial first year is still left out, and a company with rows in
    the whole years changes nothing."""
    df = _daily_market("2019-10-01", "2019-12-31")
    late = pd.DataFrame(
        [(pd.Timestamp("2019-12-31 10:00"), "Our App", 5.0, 2.0)], columns=df.columns
    )
    out, note = ch.calendar_periods(pd.concat([df, late]), "week", company="our app")
    assert out[S.PERIOD].min() == pd.Timestamp("2019-10-07")
    assert out[S.PERIOD].max() == pd.Timestamp("2019-12-30") and out[S.PERIOD].nunique() == 13
    assert note is not None
    assert note.evidence["partial_periods"] == ["2019-09-30"]
    assert note.evidence["kept_for_us"] == ["2019-12-30"]
    assert (
        "but Our App has rows only in 2019-12-30, so it is kept (without it the chapter "
        "would have no 'us')" in note.text
    )
    assert "2019-09-30 is left out: shares, growth, moves" in note.text
    assert "use the 13 weeks from 2019-10-07 to 2019-12-30." in note.text
    assert ch.choose_company(out, "", fallback="Our App") == ("Our App", None)
    same, note = ch.calendar_periods(df, "week", company="A")
    assert same[S.PERIOD].nunique() == 12 and "kept_for_us" not in note.evidence


def test_market_growth_is_read_on_whole_periods_only() -> None:
    """byod13b D2: with Google Play's half year 2018 kept for our app, 07 read "Market
    growth, year on year: 275.6%" from 2017 against part of 2018. The growth is the latest
    among whole periods; without a kept period it is the last one's."""
    df = _daily_market("2019-10-01", "2019-12-31")
    late = pd.DataFrame(
        [(pd.Timestamp("2019-12-31 10:00"), "Our App", 5.0, 2.0)], columns=df.columns
    )
    out, note = ch.calendar_periods(pd.concat([df, late]), "week", company="our app")
    size = mk.market_size(out, season=1)
    by = size.set_index(S.PERIOD)["growth_yoy"]
    assert by.index[-1] == pd.Timestamp("2019-12-30") and by.iloc[-1] < -0.5  # 2 days of 7
    assert ch.whole_growth(size, note) == pytest.approx(by.loc["2019-12-23"])
    assert ch.whole_growth(size, None) == pytest.approx(by.iloc[-1])
    assert ch.whole_growth(size.iloc[:1], note) is None  # the first period has no growth
