"""The chapter glue and findings on synthetic data and on the demo's planted truths."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from opsai import market as mk
from opsai.data import schema as S
from opsai.errors import ChapterError, OpsaiError, SchemaError
from opsai.market import chapter as ch
from opsai.market import findings as fd

pytestmark = pytest.mark.unit
NOTEBOOK = Path(__file__).resolve().parents[3] / "notebooks" / "06_market_competition.ipynb"


def test_resolve_company(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market()
    assert ch.resolve_company(m, "co3") == "co3"
    assert ch.resolve_company(m, "", fallback="co1") == "co1"
    last = m[m[S.PERIOD] == m[S.PERIOD].max()]
    assert (
        ch.resolve_company(m, "", fallback="nobody") == last.loc[last[S.SALES].idxmax(), S.COMPANY]
    )
    with pytest.raises(ChapterError, match="COMPANY='zz'"):
        ch.resolve_company(m, "zz")


def test_chapter_chain_on_a_synthetic_market(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market(seed=2)
    demand = ch.fit_demand(m)
    assert demand.alpha_ == pytest.approx(-2.0, abs=0.1)
    own = ch.company_elasticity(demand, "co0")
    assert own["elasticity"] == pytest.approx(-2.0 * (1 - own["share"]), rel=0.05)
    cross = ch.cross_exposure(demand, "co0")
    assert "co0" not in cross.index and (cross > 0).all()
    mat = demand.elasticity_matrix()
    assert cross["co4"] == pytest.approx(mat.loc["co0", "co4"])
    spend = ch.spend_response(demand, "co0")
    assert spend is not None and spend["gamma"] == pytest.approx(0.25, abs=0.05)
    scen = ch.standard_scenarios(demand, "co0", "co4", n_draws=50, seed=0)
    assert set(scen) == {"our price -5%", "our price +5%", "our spend +10%", "co4 price -10%"}
    best, effects = fd.best_move(scen, "co0")
    assert best == effects.loc[effects["revenue_change"].idxmax(), "scenario"]
    moves = mk.detect_moves(m)
    events, found = ch.competitor_events(m, moves, "co0")
    assert events.iloc[0][S.COMPANY] == "co2" and events.iloc[0]["share_change"] > 0
    assert "co2 cut its price" in found[0].text and found[0].severity == "high"
    sw = mk.strengths_weaknesses(m, "co0")
    claims = fd.strategy(sw, effects, cross, moves, best, company="co0")
    assert claims[-1].text.startswith(f"Best expected move of those tried: {best}")
    assert ch.loglog_check(m, "co0") is not None


def test_product_rows_without_a_product_column_are_summed(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market(noise=0.0)
    halves = pd.concat([m.assign(**{S.SHARE: m[S.SHARE] / 2, S.SALES: m[S.SALES] / 2})] * 2)
    agg = ch.aggregate_companies(halves)
    assert len(agg) == len(m)
    assert agg[S.PRICE].to_numpy() == pytest.approx(
        m.sort_values([S.PERIOD, S.COMPANY])[S.PRICE].to_numpy()
    )
    assert ch.fit_demand(halves).alpha_ == pytest.approx(-2.0, abs=1e-8)
    assert ch.split_names(" a, b ,,c") == ["a", "b", "c"]


def test_findings_read_the_numbers() -> None:
    conc = pd.DataFrame(
        {
            "hhi": [3000.0, 1800.0],
            "equivalent_companies": [3.33, 5.56],
            "top1": [0.4, 0.3],
            "top3": [0.9, 0.7],
        }
    )
    f = fd.concentration_finding(conc)
    assert f.text.startswith("The market is moderately concentrated: HHI 1,800")
    e = fd.elasticity_finding(-2.0, 0.1, company="us", share=0.2)
    assert "a 10% price cut raises units by about 23%" in e.text


def test_growth_finding_keeps_small_sales_readable() -> None:
    """Sales in small units (shares, or millions of cars): not '-0 from market growth'."""
    decomp = pd.DataFrame(
        {
            "component": ["market_growth", "share_change", "interaction", "total"],
            "value": [-0.000194, -0.001433, 0.0000557, -0.001572],
        }
    )
    decomp.attrs = {
        "company": "GM",
        "period_before": 1989,
        "period_now": 1990,
        "market_before": 0.0991,
        "market_now": 0.0922,
        "share_before": 0.0531,
        "share_now": 0.0378,
    }
    f = fd.growth_finding(decomp)
    assert f.text == (
        "GM's sales changed by -0.00157 between 1989 and 1990: -0.000194 from market growth "
        "(market 0.0991 -> 0.0922), -0.00143 from share (5.3% -> 3.8%) and +0.0000557 from both."
    )
    decomp["value"] *= 1e6
    decomp.attrs |= {"market_before": 99_100.0, "market_now": 92_200.0}
    assert "changed by -1,572 between" in fd.growth_finding(decomp).text


def test_shares_of_all_potential_buyers_are_named_so(logit_market) -> None:  # type: ignore[no-untyped-def]
    """Shares that count non-buyers (BLP cars: 0.3% of households) are not the structure
    section's share of sales (3.8%): the demand findings say which share they quote."""
    m = logit_market(seed=2)
    m[S.SHARE] = m[S.SHARE] * 0.1  # 90% of households buy from no one
    demand = ch.fit_demand(m)
    assert demand.outside_ == "share"
    own = ch.company_elasticity(demand, "co0")
    e = fd.elasticity_finding(-2.0, 0.1, company="co0", share=own["share"], potential=True)
    assert f"at a {own['share']:.1%} share of all potential buyers; demand is elastic" in e.text
    best, effects = fd.best_move(ch.standard_scenarios(demand, "co0", "co4", n_draws=20), "co0")
    b = effects.set_index("scenario").loc[best]
    moves = mk.detect_moves(m)
    sw = mk.strengths_weaknesses(m, "co0")
    cross = ch.cross_exposure(demand, "co0")
    last = fd.strategy(sw, effects, cross, moves, best, company="co0", potential=True)[-1]
    assert f"share of all potential buyers {b['share']:.1%} -> {b['share_new']:.1%}," in last.text
    plain = fd.strategy(sw, effects, cross, moves, best, company="co0")[-1]
    assert f", share {b['share']:.1%} -> " in plain.text


def test_demo_planted_competitor_cut_and_elasticity(tmp_path: Path) -> None:
    demo = pytest.importorskip("opsai.data.demo")
    folder = demo.make_demo(tmp_path / "demo", scale="tiny", seed=0)
    truth = demo.load_ground_truth(folder)
    market = pd.read_csv(folder / "market.csv", parse_dates=[S.PERIOD])
    moves = mk.detect_moves(market)
    events, _ = ch.competitor_events(market, moves, "Northwind Goods")
    cut = truth["competitor_price_cut"]
    top = events.iloc[0]
    assert top[S.COMPANY] == cut["company"]
    assert top[S.PERIOD].strftime("%Y-%m") == cut["month"]
    assert top["share_before"] == pytest.approx(cut["share_before_3m"], abs=5e-4)
    assert top["share_after"] == pytest.approx(cut["share_after_3m"], abs=5e-4)
    own = ch.company_elasticity(ch.fit_demand(market), "Northwind Goods")
    planted = truth["own_price_elasticity"]
    assert own["elasticity"] == pytest.approx(planted["value"], abs=planted["tolerance"] / 4)


def test_notebook_follows_the_template() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert nb.metadata["opsai"]["requires"] == ["market"]
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    for name in ("CONFIG", "OUTPUT_DIR", "SEED", "FAST"):
        assert f"\n{name}: " in "\n" + params[0].source
    for c in nb.cells:
        if c.cell_type == "code":
            assert not c.get("outputs") and c.get("execution_count") is None
            assert "def " not in c.source and "class " not in c.source
            assert len(c.source.splitlines()) <= 15
    text = "\n".join(c.source for c in nb.cells)
    for key in (
        "share.latest",
        "share.change_12m",
        "hhi.latest",
        "elasticity.own_price",
        "elasticity.identified",
        '"competitor_moves"',
        '"scenario"',
    ):
        assert key in text


def test_upward_sloping_demand_is_flagged_not_acted_on() -> None:
    f = fd.elasticity_finding(0.45, 0.26, company="us", share=0.04)
    assert f.severity == "high" and "no downward-sloping" in f.text
    assert ch.price_identified({"elasticity": -1.5, "se": 0.1})
    assert not ch.price_identified({"elasticity": -0.1, "se": 0.1})
    sw = pd.DataFrame(columns=["metric", "value", "verdict", "rank", "companies"])
    claims = fd.strategy(
        sw,
        pd.DataFrame(),
        pd.Series(dtype=float),
        pd.DataFrame(),
        "x",
        company="us",
        price_identified=False,
    )
    assert claims[-1].text.startswith("No price move is recommended")


def test_move_finding_reads_shares_as_percent_and_points() -> None:
    move = {"change": -0.16, "metric": "price"}
    event = {
        "company": "BlueHarbor",
        "event": pd.Period("2024-04", "M"),
        "metric": "share",
        "before": 0.1239,
        "after": 0.1682,
        "n_after": 3,
        "change": 0.0443,
        "lo": 0.0263,
        "hi": 0.0622,
    }
    f = fd.move_finding(move, event)
    assert f.text == (
        "BlueHarbor cut its price by 16% in 2024-04; its share went from 12.4% to 16.8% over "
        "the next 3 periods (+4.4 pp, 95% interval +2.6 to +6.2 pp)."
    )
    assert f.severity == "high" and f.evidence["change"] == 0.0443
    units = event | {"metric": "units", "before": 1200.0, "after": 1500.0}
    units |= {"change": 300.0, "lo": -20.5, "hi": 1610.0}
    g = fd.move_finding(move, units)
    assert "its units went from 1,200 to 1,500 over" in g.text
    assert g.text.endswith("(+300, 95% interval -20.5 to +1,610).") and g.severity == "low"


def test_strengths_and_weaknesses_read_in_words_and_units() -> None:
    sw = pd.DataFrame(
        {
            "metric": ["sales_share", "sales_share_change_pp", "sales_growth", "sales_per_user"],
            "value": [0.162, -0.728, 0.077, 1234.5],
            "best_company": ["us", "BlueHarbor", "BlueHarbor", "Oak"],
            "best_value": [0.162, 1.85, 0.287, 2500.0],
            "rank": [1, 7, 7, 6],
            "companies": [7, 7, 7, 7],
            "verdict": ["strength", "weakness", "weakness", "weakness"],
        }
    )
    empty = pd.DataFrame(columns=["company", "change", "metric"])
    claims = fd.strategy(
        sw, pd.DataFrame(), pd.Series(dtype=float), empty, "", company="us", price_identified=False
    )
    assert claims[0].text == "Where us wins: share of sales 16.2% (rank 1 of 7)."
    assert claims[1].text == (
        "Where us lags: change in share of sales -0.7 pp against +1.9 pp at BlueHarbor "
        "(rank 7 of 7); sales growth +7.7% against +28.7% at BlueHarbor (rank 7 of 7); "
        "sales per user 1,234 against 2,500 at Oak (rank 6 of 7)."
    )


@pytest.mark.parametrize(
    ("freq", "now", "before"),
    [
        ("YS", "1993", "1992"),
        ("QS", "1990-Q4", "1990-Q3"),
        ("MS", "1990-04", "1990-03"),
        ("W-MON", "1990-01-22", "1990-01-15"),
    ],
)
def test_findings_name_periods_at_the_data_s_step(
    three_firms: pd.DataFrame, freq: str, now: str, before: str
) -> None:
    """Yearly data read '1993-01'; weekly data named two weeks of one month alike."""
    dates = pd.date_range("1990-01-01", periods=4, freq=freq)[-2:]
    m = three_firms.assign(**{S.PERIOD: three_firms[S.PERIOD].map({1: dates[0], 2: dates[1]})})
    m = pd.concat([m.assign(**{S.PERIOD: m[S.PERIOD] - (dates[1] - dates[0]) * 2}), m])
    changes = mk.share_changes(m, periods=1)
    week = "the week of " if freq == "W-MON" else ""
    assert f"of the market in {week}{now}, " in fd.share_finding(changes, "a").text
    assert f" pp on {week}{before} (" in fd.share_finding(changes, "a").text
    assert fd.share_finding(changes, "a").evidence["compared"] == f"{now} vs {before}"
    growth = fd.growth_finding(mk.growth_decomposition(m, "a", periods=1))
    assert f"between {before} and {now}:" in growth.text
    move = {"change": -0.1, "metric": "price"}
    event = {"company": "b", "event": dates[1], "metric": "sales", "n_after": 2}
    event |= {"before": 1.0, "after": 2.0, "change": 1.0, "lo": 0.5, "hi": 1.5}
    step = ch.period_step(m[S.PERIOD])
    when = f"in the week of {now}" if freq == "W-MON" else f"in {now}"
    assert f"by 10% {when}; its sales" in fd.move_finding(move, event, step=step).text


def _scrape_panel(*, alpha: float = -3.0, periods: int = 60, seed: int = 0) -> pd.DataFrame:
    """Four retailers selling the same four products, daily: logit sales on log price, with
    dearer products better enough that across products price and sales are unrelated."""
    rng = np.random.default_rng(seed)
    rows = []
    base = {"cam": 200.0, "gimbal": 90.0, "tripod": 40.0, "light": 25.0}
    cos = ("PixelPeak", "SnapGear", "Lumo", "Orbit")
    brand = dict(zip(cos, rng.normal(0, 0.3, len(cos)), strict=True))
    for t in range(periods):
        for co in cos:
            for prod, p0 in base.items():
                price = p0 * np.exp(rng.normal(0, 0.08))
                quality = brand[co] - alpha * np.log(p0)  # cancels the price level
                delta = quality + alpha * np.log(price) + rng.normal(0, 0.05)
                rows.append((t, co, prod, price, 1000 * np.exp(delta)))
    return pd.DataFrame(rows, columns=[S.PERIOD, S.COMPANY, "product", S.PRICE, S.SALES])


def test_a_product_panel_gets_product_fixed_effects() -> None:
    m = _scrape_panel()
    demand = ch.fit_demand(m, product="product", sales_is="units")
    # within-product price moves identify the slope; across products it would read ~0
    assert demand.price == "log" and demand.fixed_effects == ["product"]
    assert demand.alpha_ == pytest.approx(-3.0, abs=0.1)
    assert "PixelPeak · cam" in set(demand.data_["product"])  # each retailer's offer
    own = ch.company_elasticity(demand, "PixelPeak", periods=7)
    assert own["elasticity"] == pytest.approx(-3.0 * (1 - own["share"] / 4), abs=0.15)
    # a cross-section (each product once) has no within-product moves: no fixed effects
    once = m[m[S.PERIOD] == 0]
    assert not ch.fit_demand(once, product="product", sales_is="units").fixed_effects


def test_a_price_cut_is_dated_by_a_basket_index_despite_missing_products() -> None:
    m = _scrape_panel(periods=80, seed=3)
    cut = (m[S.COMPANY] == "SnapGear") & (m[S.PERIOD] >= 40)
    m.loc[cut, S.PRICE] *= 0.85
    rng = np.random.default_rng(4)
    gappy = m[rng.random(len(m)) > 0.25].reset_index(drop=True)  # a quarter of rows missing
    moves = mk.detect_moves(gappy, metrics=[S.PRICE], col_product="product")
    top = moves.iloc[0]
    assert (top[S.COMPANY], top[S.PERIOD]) == ("SnapGear", 40)
    assert top["change"] == pytest.approx(-0.15, abs=0.02)
    prices = mk.company_prices(gappy, "product")
    snap = prices[prices[S.COMPANY] == "SnapGear"].set_index(S.PERIOD)[S.PRICE]
    # the basket's mean median price (88.75) before the cut, 15% less after
    assert snap.loc[:39].median() == pytest.approx(88.75, rel=0.03)
    assert snap.loc[40:].median() == pytest.approx(88.75 * 0.85, rel=0.03)
    # averaging the rows' prices, a missing camera ($200) reads as a price cut
    plain = mk.company_prices(gappy)
    assert plain[S.PRICE].std() > 2 * prices[S.PRICE].std()


def test_demand_without_shares_is_fitted_on_unit_shares(logit_market) -> None:  # type: ignore[no-untyped-def]
    """Revenue shares are unit shares times price: they add one to the log-price slope."""
    m = logit_market(seed=2).drop(columns=[S.SHARE])  # sales are revenue
    assert ch.fit_demand(m).alpha_ == pytest.approx(-2.0, abs=0.1)
    as_units = m.assign(**{S.SALES: m[S.SALES] / m[S.PRICE]})
    assert ch.fit_demand(as_units, sales_is="units").alpha_ == pytest.approx(-2.0, abs=0.1)
    # revenue read as units: the slope a revenue share gives
    assert ch.fit_demand(m, sales_is="units").alpha_ == pytest.approx(-1.0, abs=0.1)
    with pytest.raises(OpsaiError, match="SALES_IS"):
        ch.fit_demand(m, sales_is="money")


def test_spend_findings_share_one_spend_base(logit_market) -> None:  # type: ignore[no-untyped-def]
    """The spend elasticity's '10% more spend' and the marginal return's 'current spend' are
    of one base, our mean spend over the last 12 periods, and say so (not the latest period's
    spend in one sentence and the 12-period mean in the other)."""
    m = logit_market(seed=2)
    ours = m[m[S.COMPANY] == "co0"].sort_values(S.PERIOD)
    mean12 = float(ours[S.MARKETING_SPEND].tail(12).mean())
    assert float(ours[S.MARKETING_SPEND].iloc[-1]) != pytest.approx(mean12, rel=0.01)
    spend = ch.spend_response(ch.fit_demand(m), "co0")
    assert spend is not None and spend["spend"] == pytest.approx(mean12)
    assert spend["spend_periods"] == 12
    text = fd.spend_finding(spend, "co0", currency="USD").text
    assert (
        f"10% more spend ({0.1 * mean12:,.0f} USD a period on its current {mean12:,.0f} USD, "
        "the mean of its last 12 periods) brings about" in text
    )
    curves = ch.fit_spend_response(m, season=12, n_boot=10, seed=0)
    assert curves is not None
    table = curves.marginal_return()
    assert table.set_index("group").loc["co0", "spend"] == pytest.approx(mean12)
    text = fd.marginal_return_finding(table, "co0", decay=curves.decay_, currency="USD").text
    assert text.startswith(
        f"At co0's current spend ({mean12:,.0f} USD a period, the mean of its last 12 periods) "
    )


def test_two_notions_of_share_are_named(logit_market) -> None:  # type: ignore[no-untyped-def]
    """With the data's share column, concentration uses it and the wins and lags rank shares of
    the sales column: each sentence says which (a rank-1 company at 16% beside a largest at
    21% reads as a contradiction otherwise)."""
    conc = pd.DataFrame(
        {"hhi": [1555.0], "equivalent_companies": [6.4], "top1": [0.212], "top3": [0.5]}
    )
    f = fd.concentration_finding(conc, basis=S.SHARE)
    assert f.text.endswith(
        "the largest company holds 21.2% and the top three 50.0% (market shares from the "
        "data's share column)."
    )
    assert fd.concentration_finding(conc).text.endswith("and the top three 50.0%.")
    m = logit_market(seed=2)
    demand = ch.fit_demand(m)
    best, effects = fd.best_move(ch.standard_scenarios(demand, "co0", "co4", n_draws=20), "co0")
    sw = mk.strengths_weaknesses(m, "co0").assign(metric="sales_share", verdict="strength")
    args = (sw.head(1), effects, ch.cross_exposure(demand, "co0"), mk.detect_moves(m), best)
    wins = fd.strategy(*args, company="co0", share_column=True)[0].text
    assert wins.startswith("Where co0 wins: share of sales ")
    assert wins.endswith(  # the window the figures compare is named (byod11b D8)
        "), over the 12 periods to 23 against the 12 before. Shares here are of the sales "
        "column; the market share and concentration findings "
        "use the data's share column."
    )
    assert "sales column" not in fd.strategy(*args, company="co0")[0].text


def _unpriced(m: pd.DataFrame, company: str, periods: list[int] | None = None) -> pd.DataFrame:
    """``m`` with ``company``'s price missing in ``periods`` (all periods when None)."""
    hit = m[S.COMPANY] == company
    if periods is not None:
        hit &= m[S.PERIOD].isin(periods)
    return m.assign(**{S.PRICE: m[S.PRICE].mask(hit)})


def test_company_periods_without_a_price_are_left_out_of_the_price_fits(logit_market) -> None:  # type: ignore[no-untyped-def]
    """A rival out of stock for two periods (Keepa's -1 read as missing): the log-log check
    crashed the chapter; now those periods are left out of the price fits, counted in a
    finding, while shares still count the rival's sales."""
    full = logit_market(seed=2).drop(columns=[S.SHARE])
    gap = _unpriced(full, "co3", [5, 6])
    check = ch.loglog_check(gap, "co0")
    assert check is not None and check.n_obs_ == 22
    without = full[~full[S.PERIOD].isin([5, 6])]
    assert check.elasticity_ == pytest.approx(ch.loglog_check(without, "co0").elasticity_)
    demand = ch.fit_demand(gap)
    assert demand.left_out_.values.tolist() == [[5, "co3"], [6, "co3"]]
    assert len(demand.data_) == 142 and demand.outside_ == "none"
    # period fixed effects: leaving the two rows out moves nothing else
    rows_out = full[~(full[S.PERIOD].isin([5, 6]) & (full[S.COMPANY] == "co3"))]
    assert demand.alpha_ == pytest.approx(ch.fit_demand(rows_out).alpha_, abs=1e-10)
    units = gap.assign(**{S.SALES: full[S.SALES] / full[S.PRICE]})
    fit = ch.fit_demand(units, sales_is="units").data_
    got = fit.loc[(fit["period"] == 5) & (fit["firm"] == "co0"), "share"].item()
    p5 = units[units[S.PERIOD] == 5]
    assert got == pytest.approx(p5.loc[p5[S.COMPANY] == "co0", S.SALES].item() / p5[S.SALES].sum())
    f = ch.price_gap_finding(gap)
    assert f is not None and f.evidence["unpriced"] == 2 and f.severity == "low"
    assert f.text.startswith(
        "No price for co3 in 2 of its 24 periods (5, 6) (a missing price, as when an "
        "out-of-stock -1 is read as missing, or one of 0 or below). Those 2 company-periods "
        "are left out of the price index, the demand model, the log-log check and the "
        "scenarios; market shares still count their sales."
    )
    assert ch.price_gap_finding(full) is None
    index = mk.price_index(gap, "co0").set_index([S.PERIOD, "competitor"])["competitor_price"]
    assert np.isnan(index[(5, "co3")])
    p5 = gap[(gap[S.PERIOD] == 5) & (gap[S.COMPANY] != "co3")]
    mean5 = (p5[S.PRICE] * p5[S.SALES]).sum() / p5[S.SALES].sum()
    assert index[(5, "(market)")] == pytest.approx(mean5)


def test_scenarios_start_from_the_latest_period_with_every_price(logit_market) -> None:  # type: ignore[no-untyped-def]
    full = logit_market(seed=2).drop(columns=[S.SHARE])
    gap = _unpriced(full, "co3", [23])
    demand = ch.fit_demand(gap)
    scen = ch.standard_scenarios(demand, "co0", "co2", n_draws=0)
    assert {s.attrs["period"] for s in scen.values()} == {22}
    ours = scen["our price -5%"].set_index("product")
    assert ours.loc["co3", "share"] > 0  # co3 wins and loses customers in the scenario
    f = ch.scenario_finding(scen, demand, "co0")
    assert f is not None and f.text == (
        "co3 has no price in the last period (23), so the scenarios below start from 22, the "
        "latest period in which every company has one."
    )


def test_a_company_without_any_price(logit_market) -> None:  # type: ignore[no-untyped-def]
    """A rival never priced: the unit shares stay a closed market with period effects (it
    was taken for the outside good), it is left off the positioning map (the map crashed),
    and the finding says so; our own company without a price is named as such."""
    full = logit_market(seed=2).drop(columns=[S.SHARE])
    full = full.assign(**{S.SALES: full[S.SALES] / full[S.PRICE]})
    never = _unpriced(full, "co3")
    demand = ch.fit_demand(never, sales_is="units")
    assert demand.outside_ == "none" and len(demand.left_out_) == 24
    rest = full[full[S.COMPANY] != "co3"]
    assert demand.alpha_ == pytest.approx(ch.fit_demand(rest, sales_is="units").alpha_)
    rows, features = ch.positioning_frame(never, "co0", periods=6)
    points = mk.positioning_map(rows, features, highlight=["co0"])
    assert len(features) == 4 and points.attrs["left_out"] == ["co3"]
    assert sorted(points[S.COMPANY]) == ["co0", "co1", "co2", "co4", "co5"]
    f = ch.price_gap_finding(never, sales_is="units")
    assert f is not None and f.severity == "medium"
    assert f.text.startswith("No price at all for co3 (a missing price")
    assert "Those 24 company-periods are left out" in f.text
    check = ch.loglog_check(never, "co0", sales_is="units")
    assert check is not None and check.n_obs_ == 24
    with pytest.raises(OpsaiError, match="'co3' has no price above 0 in column 'price'"):
        mk.price_index(never, "co3")
    assert ch.loglog_check(never, "co3") is None


def test_a_product_without_a_price_weighs_nothing_in_the_company_price() -> None:
    rows = pd.DataFrame(
        {
            S.PERIOD: [1, 1, 1],
            S.COMPANY: ["a", "a", "b"],
            S.SALES: [10.0, 30.0, 5.0],
            S.PRICE: [4.0, np.nan, 2.0],
        }
    )
    agg = ch.aggregate_companies(rows).set_index(S.COMPANY)
    assert agg.loc["a", S.PRICE] == pytest.approx(4.0)
    assert agg.loc["a", S.SALES] == pytest.approx(40.0)


def test_scenarios_name_a_company_they_leave_out(logit_market) -> None:  # type: ignore[no-untyped-def]
    full = logit_market(seed=2).drop(columns=[S.SHARE])
    demand = ch.fit_demand(_unpriced(full, "co3"))
    scen = ch.standard_scenarios(demand, "co0", "co2", n_draws=0)
    assert {s.attrs["period"] for s in scen.values()} == {23}
    assert "co3" not in set(scen["our price -5%"]["product"])
    f = ch.scenario_finding(scen, demand, "co0")
    assert f is not None and f.text == (
        "co3 has no price in 23, the period the scenarios start from, so they leave it out: "
        "their shares are shares of the priced companies' sales."
    )
    assert (
        ch.scenario_finding(
            ch.standard_scenarios(ch.fit_demand(full), "co0", "co2", n_draws=0),
            ch.fit_demand(full),
            "co0",
        )
        is None
    )


def _split_rows(m: pd.DataFrame, parts: list[float], col: str = "region") -> pd.DataFrame:
    """``m`` with each row split into ``len(parts)`` rows (regions, channels) holding those
    fractions of its sales and spend, at the row's own price."""
    rows = [
        m.assign(
            **{col: f"r{i}", S.SALES: m[S.SALES] * w, S.MARKETING_SPEND: m[S.MARKETING_SPEND] * w}
        )
        for i, w in enumerate(parts)
    ]
    return pd.concat(rows, ignore_index=True)


def test_several_rows_per_company_and_period_are_combined_before_shares(logit_market) -> None:  # type: ignore[no-untyped-def]
    """byod9b D5: 24 rows per company-week (region x channel x UPC) read a share of 630% and
    an own elasticity of +11.81 from a log-price slope of -2.81."""
    m = logit_market(noise=0.0).drop(columns=[S.SHARE, S.USERS])
    whole = ch.company_elasticity(ch.fit_demand(m), "co0")
    regions = _split_rows(m, [0.1, 0.2, 0.3, 0.4])
    demand = ch.fit_demand(regions)
    assert demand.alpha_ == pytest.approx(-2.0, abs=1e-8)
    assert len(demand.data_) == len(m)
    assert demand.data_.groupby("period")["share"].sum().to_numpy() == pytest.approx(1.0)
    own = ch.company_elasticity(demand, "co0")
    assert own["share"] == pytest.approx(whole["share"]) and own["share"] < 0.5
    assert own["elasticity"] == pytest.approx(whole["elasticity"]) and own["elasticity"] < -1


def test_a_company_price_over_rows_is_weighted_by_units() -> None:
    rows = pd.DataFrame(
        {
            S.PERIOD: [1, 1, 1],
            S.COMPANY: ["a", "a", "b"],
            S.SALES: [100.0, 100.0, 50.0],  # revenue: 10 units at 10, 20 units at 5
            S.PRICE: [10.0, 5.0, 2.0],
            "region": ["north", "south", "north"],
        }
    )
    by_revenue = ch.aggregate_companies(rows, sales_is="revenue").set_index(S.COMPANY)
    assert by_revenue.loc["a", S.PRICE] == pytest.approx(200 / 30)  # not 7.5
    assert by_revenue.loc["a", S.SALES] == pytest.approx(200.0)
    assert by_revenue.loc["a", "region"] == "north"
    by_units = ch.aggregate_companies(rows, sales_is="units").set_index(S.COMPANY)
    assert by_units.loc["a", S.PRICE] == pytest.approx(7.5)


def test_the_demand_model_refuses_shares_above_the_whole_market(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market(noise=0.0)
    with pytest.raises(SchemaError, match=r"'share' add up to 400\.0% in period 0"):
        mk.LogitDemand(price="log", fixed_effects=[S.COMPANY], outside="none").fit(
            m.assign(**{S.SHARE: m[S.SHARE] * 4})
        )


def test_product_rows_sold_in_several_markets_are_combined_per_product(logit_market) -> None:  # type: ignore[no-untyped-def]
    """byod9b D11: with PRODUCT: UPC and each UPC in 12 markets a week, the model read a
    260.2% share and an inelastic -0.56 (planted -2.0), and recommended a price rise."""
    m = logit_market(noise=0.0).drop(columns=[S.SHARE, S.USERS])
    products = _split_rows(m, [0.3, 0.7], col="upc")
    products["upc"] = products[S.COMPANY] + "-" + products["upc"]
    whole = ch.fit_demand(products, product="upc")
    demand = ch.fit_demand(_split_rows(products, [0.2, 0.3, 0.5], col="market"), product="upc")
    assert demand.alpha_ == pytest.approx(whole.alpha_) and demand.alpha_ < -1.9
    assert len(demand.data_) == len(products)
    assert set(demand.data_["product"]) == set(products["upc"])  # no "co0 · co0-r0"
    assert demand.data_.groupby("period")["share"].sum().to_numpy() == pytest.approx(1.0)
    own, own_whole = ch.company_elasticity(demand, "co0"), ch.company_elasticity(whole, "co0")
    assert own["share"] == pytest.approx(own_whole["share"]) and own["share"] < 0.5
    assert own["elasticity"] == pytest.approx(own_whole["elasticity"]) and own["elasticity"] < -1
    scen = ch.standard_scenarios(demand, "co0", None, n_draws=0)
    best, _ = fd.best_move(scen, "co0")
    assert best == "our price -5%"  # elastic demand: a cut, not a rise, raises revenue


def test_the_demand_model_refuses_a_product_with_several_rows_in_a_period(logit_market) -> None:  # type: ignore[no-untyped-def]
    markets = _split_rows(logit_market(noise=0.0), [0.5, 0.5], col="market")
    with pytest.raises(SchemaError, match="'company' 'co0' has 2 rows in 'period' 0"):
        mk.LogitDemand(price="log", fixed_effects=[S.COMPANY], outside="none").fit(markets)


def test_our_own_price_move_is_named_as_ours(logit_market) -> None:  # type: ignore[no-untyped-def]
    """byod9b: Aurora's planted price rise (4.99 -> 5.29) was not named; only competitors'
    moves were listed."""
    m = logit_market(seed=2, cut_company=1, cut=0.15, cut_at=12)  # co1 is us: +15% from 12
    moves = mk.detect_moves(m)
    events, found = ch.own_moves(m, moves, "co1")
    assert len(found) == 1 and events.iloc[0][S.PERIOD] == 12
    assert found[0].text.startswith("Our own move: co1 raised its price by 15% in 12; its share")
    assert found[0].evidence["change"] < 0  # our share fell after the rise
    rivals, _ = ch.competitor_events(m, moves, "co1")
    assert "co1" not in set(rivals.get(S.COMPANY, []))


def test_a_shift_of_our_share_alone_is_no_move_of_ours(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market(seed=2, cut_company=1, cut=0.15, cut_at=12)
    moves = mk.detect_moves(m)
    shares_only = moves[moves["metric"] != S.PRICE]
    assert len(shares_only) and ch.own_moves(m, shares_only, "co1")[1] == []


def test_share_only_table_skips_map_and_demand_with_reasons() -> None:
    """A share-only table (period, company, share: README's example shape) gives one feature
    and no price: the map and the demand model are skipped with a reason, and the strategy
    keeps the wins and lags without a price claim (byod10b D9)."""
    from opsai.market import findings as fd
    from opsai.market import strengths_weaknesses

    market = pd.DataFrame(
        {
            S.PERIOD: np.repeat(np.arange(6), 3),
            S.COMPANY: np.tile(["us", "a", "b"], 6),
            S.SALES: np.tile([0.5, 0.3, 0.2], 6),
        }
    )
    _, feats = ch.positioning_frame(market, "us", periods=3)
    assert feats == [S.SHARE]
    assert "gives only share per company" in str(ch.map_skip_reason(feats))
    assert ch.map_skip_reason([S.PRICE, S.SHARE]) is None
    assert "no price column" in str(ch.demand_skip_reason(market))
    assert "no price above 0" in str(ch.demand_skip_reason(market.assign(price=0.0)))
    assert ch.demand_skip_reason(market.assign(price=2.0 + np.arange(18) % 2)) is None
    # byod13b D2: every company at one price, the company effects absorb it (the fit
    # stopped the chapter: 'regressors are collinear'); a product model reads it otherwise
    assert (
        "no company's price changes between periods (each of the 3 with a price holds one)"
        in str(ch.demand_skip_reason(market.assign(price=2.0)))
    )
    assert ch.demand_skip_reason(market.assign(price=2.0), product="sku") is None
    best, effects = fd.best_move({}, "us")
    assert best == "" and effects.empty and "revenue_change" in effects
    sw = strengths_weaknesses(market, "us", periods=3)
    claims = fd.strategy(sw, effects, pd.Series(dtype=float), pd.DataFrame(), best,
                         company="us", price_identified=ch.price_identified(None))  # fmt: skip
    assert [c.text.split(":")[0] for c in claims] == ["Where us wins"]
    assert ch.skipped_finding("the map", "why").text == "Skipped the map: why."


def test_config_company_found_by_word_prefix_or_named_loudly() -> None:
    """Google Trends writes 'NordicBrew: (Sweden)', SimilarWeb 'nordicbrew.se': the config's
    'NordicBrew' is either, never 'NordicBrewery'; a company not in the table is no longer
    replaced by the largest without a word (byod10b D10)."""
    names = ["NordicBrew: (Sweden)", "BrewBox: (Sweden)", "KaffeKompaniet: (Sweden)"]
    market = pd.DataFrame({S.PERIOD: [0, 0, 0], S.COMPANY: names, S.SALES: [20.0, 50.0, 30.0]})
    us, f = ch.choose_company(market, "", fallback="NordicBrew")
    assert us == "NordicBrew: (Sweden)"
    assert f is not None and f.severity == "info" and "'NordicBrew' is read as" in f.text
    assert ch.choose_company(market, "brewbox", fallback="NordicBrew")[0] == "BrewBox: (Sweden)"
    assert ch.choose_company(market, "BrewBox: (Sweden)")[1] is None
    sw = market.assign(company=["nordicbrew.se", "brewbox.se", "nordicbrewery.se"])
    assert ch.choose_company(sw, "", fallback="NordicBrew")[0] == "nordicbrew.se"
    us, f = ch.choose_company(market, "", fallback="Acme")
    assert us == "BrewBox: (Sweden)"  # the largest, now named in a high finding
    assert f is not None and f.severity == "high"
    assert f.text.startswith("The config's company 'Acme' is not in market.company (have: ")
    assert "took BrewBox: (Sweden), the largest in the last period" in f.text
    assert "COMPANY" in f.text
    assert ch.choose_company(market, "", fallback=ch.DEFAULT_COMPANY)[1].severity == "medium"  # type: ignore[union-attr]
    with pytest.raises(ChapterError, match="matches several"):
        ch.choose_company(market.assign(company=["Brew A", "Brew B", "x"]), "brew")


def test_constant_sales_is_price_monitoring_not_shares() -> None:
    """A price scrape mapped with constants: {sales: 1} (the rows of a day summed into counts
    by calendar_periods): no share, demand model or scenario is read from row counts, and a
    competitor's price cut is followed by its price, not its row count (byod10b D12)."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-06-01", periods=60, freq="D")
    rows = []
    for d in days:
        for i, (company, base) in enumerate([("us", 500.0), ("rival", 900.0), ("other", 700.0)]):
            price = base * (0.9 if company == "rival" and d >= days[30] else 1.0)
            for k in range(int(rng.integers(1, 4))):  # scrape hits vary: row counts move
                rows.append({S.PERIOD: d + pd.Timedelta(hours=3 + 4 * i + k), S.COMPANY: company,
                             S.SALES: 1, S.PRICE: price, "product": f"{company}-p"})  # fmt: skip
    market, _ = ch.calendar_periods(pd.DataFrame(rows))
    assert market[S.SALES].nunique() > 1  # summed into counts per day
    why = ch.sales_skip_reason(market)
    assert why is not None and why.startswith("market.sales holds 1 in every row")
    assert "a count of rows" in str(ch.demand_skip_reason(market))
    assert ch.sales_skip_reason(market.assign(share=0.3)) is None  # shares stand in
    assert ch.sales_skip_reason(make_sales_table()) is None
    moves = mk.detect_moves(market, metrics=(S.PRICE,))
    events, found = ch.competitor_events(market, moves, "us", follow=S.PRICE)
    assert events["company"].tolist()[0] == "rival"
    assert events["price_before"].iloc[0] == pytest.approx(900.0)
    assert events["price_after"].iloc[0] == pytest.approx(810.0)
    assert "its price went from 900 to 810" in found[0].text


def test_constant_sales_without_price_skips_the_price_studies() -> None:
    """Mentions mapped with constants: {sales: 1} and only period and company (no price):
    the competitor and own price studies find nothing instead of raising "column 'price'
    not found", and the skip line says there is neither sales nor price (byod12b D6)."""
    rows = [{S.PERIOD: pd.Timestamp("2024-01-01") + pd.Timedelta(hours=7 * i),
             S.COMPANY: ["us", "rival", "other"][i % 3], S.SALES: 1} for i in range(300)]  # fmt: skip
    market, _ = ch.calendar_periods(pd.DataFrame(rows), "day")
    moves = mk.detect_moves(market, metrics=(S.PRICE,))
    assert moves.empty
    events, found = ch.competitor_events(market, moves, "us", follow=S.PRICE)
    assert events.empty and found == []
    ours, own = ch.own_moves(market, moves, "us", follow=S.PRICE)
    assert ours.empty and own == []
    why = str(ch.sales_skip_reason(market))
    assert why.startswith("market.sales holds 1 in every row")
    assert "nothing to read: neither sales nor prices" in why
    assert "read from the prices" not in why
    assert "a count of rows" in str(ch.demand_skip_reason(market))


def make_sales_table() -> pd.DataFrame:
    return pd.DataFrame({S.PERIOD: [0, 0, 1, 1], S.COMPANY: ["a", "b"] * 2, S.SALES: [1, 2, 1, 3]})


def test_coverage_gaps_from_na_values_are_not_failed_loads() -> None:
    """Google Trends' '<1' read as missing through na_values leaves a company's cells without
    rows: the finding names the marker as a small value, not failed loads (byod10b D14)."""
    market = pd.DataFrame(
        {
            S.PERIOD: [0, 0, 1, 2, 2, 3, 3],
            S.COMPANY: ["a", "b", "a", "a", "b", "a", "b"],
            S.SALES: [50.0, 1.0, 55.0, 52.0, 30.0, 50.0, 40.0],
        }
    )
    plain = ch.coverage_finding(market)
    assert plain is not None and plain.severity == "medium"
    assert plain.text.startswith("1 of 4 periods (25%) lack at least one company")
    assert plain.text.endswith("Check the extract for failed loads or scrapes.")
    bound = ch.coverage_finding(market, na_values=["<1"])
    assert bound is not None and bound.severity == "low"
    assert "na_values read '<1' as missing, though it is a value" in bound.text
    assert "failed loads or scrapes" not in bound.text
    assert bound.evidence["na_values"] == ["<1"]
    marker = ch.coverage_finding(market, na_values=["k.A."])
    assert marker is not None and "na_values ('k.A.') read cells as missing" in marker.text
    assert marker.severity == "medium"


def test_floating_point_noise_reads_unchanged_and_concentration_names_its_period() -> None:
    """16 x 37.5% - 18 x 33.3% is 0, not '+0.000000000000000333'; and the concentration
    finding names the period its largest company's share is of (byod10b D13)."""
    decomp = pd.DataFrame(
        {
            "component": ["market_growth", "share_change", "interaction", "total"],
            "value": [-2 / 3, 0.75, -1 / 12, 3.33e-16],  # as the tester's run summed them
        }
    )
    decomp.attrs = {
        "company": "NordicBrew",
        "period_before": pd.Timestamp("2024-09-23"),
        "period_now": pd.Timestamp("2024-09-30"),
        "market_before": 18.0,
        "market_now": 16.0,
        "share_before": 1 / 3,
        "share_now": 0.375,
        "step": "day",
    }
    f = fd.growth_finding(decomp)
    assert f.text == (
        "NordicBrew's sales were unchanged between 2024-09-23 and 2024-09-30: -0.667 from market "
        "growth (market 18 -> 16), +0.75 from share (33.3% -> 37.5%) and -0.0833 from both."
    )
    conc = pd.DataFrame(
        {
            S.PERIOD: pd.to_datetime(["2024-09-29", "2024-09-30"]),
            "hhi": [2800.0, 2812.5],
            "equivalent_companies": [3.6, 3.6],
            "top1": [0.33, 0.375],
            "top3": [0.85, 0.875],
        }
    )
    c = fd.concentration_finding(conc)
    assert c.text.startswith("The market is highly concentrated on 2024-09-30: HHI 2,812")


def test_share_moves_read_as_won_or_lost_and_dated_where_they_began() -> None:
    """A launch ramping up over months (1.8% -> 7.9% -> 14.1% -> 20.1% -> 25%) is dated
    where it began, not where the split is best; a share is lost, not 'cut'; and shares
    given as sales get no growth decomposition (market 1 -> 1) (byod10b D11)."""
    periods = pd.date_range("2024-01-01", periods=12, freq="MS")
    launch = [2.3, 1.8, 7.9, 14.1, 20.1, 25.1, 25.0, 24.9, 24.9, 25.4, 25.1, 24.5]
    rows = []
    for i, p in enumerate(periods):
        other = 100 - launch[i]
        for company, part in [("launch", launch[i]), ("a", other * 0.6), ("b", other * 0.4)]:
            rows.append({S.PERIOD: p, S.COMPANY: company, S.SALES: part / 100, S.SHARE: part / 100})
    market = pd.DataFrame(rows)
    moves = mk.detect_moves(market, metrics=(S.SHARE,))
    mv = moves[moves[S.COMPANY] == "launch"].iloc[0]
    assert mv["began"] == pd.Timestamp("2024-03-01")
    assert mv[S.PERIOD] > mv["began"]  # the best split is later, in the ramp
    _, found = ch.competitor_events(market, moves[moves[S.COMPANY] == "launch"], "a", top=1)
    assert found[0].text.startswith("launch grew its share by ")
    assert ", starting in 2024-03; its share went from " in found[0].text
    assert found[0].evidence["began"] == "2024-03"
    lost = fd.move_finding(
        {"change": -0.36, "metric": S.SHARE, "began": pd.Timestamp("2024-03-01")},
        {"company": "k", "metric": "share", "event": pd.Timestamp("2024-04-01"), "before": 0.363,
         "after": 0.256, "change": -0.107, "lo": -0.185, "hi": -0.03, "n_before": 3, "n_after": 3},
    )  # fmt: skip
    assert lost.text == (
        "k lost 36% of its share, starting in 2024-03; its share went from 36.3% in the 3 "
        "periods before 2024-04 to 25.6% in the 3 from it (-10.7 pp, 95% interval -18.5 to "
        "-3.0 pp)."
    )
    assert ch.sales_are_shares(market)
    assert not ch.sales_are_shares(market.assign(sales=market[S.SALES] * 191))


def _mention_rows() -> pd.DataFrame:
    """One row per mention: per week us 36, rival 34 and newco 5 until newco's launch on
    2024-04-01, then 27, 26 and 24 (constants: {sales: 1})."""
    rows = []
    for week in pd.date_range("2024-01-01", "2024-06-24", freq="7D"):
        late = week >= pd.Timestamp("2024-04-01")
        for company, (a, b) in {"us": (36, 27), "rival": (34, 26), "newco": (5, 24)}.items():
            rows += [{S.PERIOD: week + pd.Timedelta(minutes=61 * i), S.COMPANY: company,
                      S.SALES: 1} for i in range(b if late else a)]  # fmt: skip
    return pd.DataFrame(rows)


def test_mentions_are_the_measure_with_sales_is_mentions() -> None:
    """SALES_IS: mentions reads rows counted per company and week as the measure: shares of
    mentions (share of voice), share moves and the leader and loser findings, worded so; the
    market size and the demand model are skipped with a reason. Before, the rows were refused
    as 'a count of rows, not sales' (byod12b D7)."""
    market, _ = ch.calendar_periods(_mention_rows(), "week")
    assert "SALES_IS: mentions" in str(ch.sales_skip_reason(market))  # the way out, named
    assert ch.sales_skip_reason(market, sales_is="mentions") is None
    assert "counts mentions" in str(ch.size_skip_reason(market, sales_is="mentions"))
    assert "counts mentions" in str(ch.demand_skip_reason(market, sales_is="mentions"))
    with pytest.raises(OpsaiError, match="SALES_IS"):
        ch.sales_skip_reason(market, sales_is="rows")
    changes = mk.share_changes(market, periods=market[S.PERIOD].nunique() - 1)
    by = changes.set_index(S.COMPANY)
    assert by.loc["us", "share_before"] == pytest.approx(36 / 75)
    assert by.loc["us", "share_now"] == pytest.approx(27 / 77)
    share = fd.share_finding(changes, "us", mentions=True)
    assert share.text.startswith("us holds 35.1% of the mentions (share of voice) in the week")
    assert share.evidence["measure"] == "mentions"
    rivals = fd.competitor_finding(changes, "us", mentions=True)
    assert rivals is not None and "newco +24.5 pp (6.7% -> 31.2%) gained the most" in rivals.text
    assert "rival -11.6 pp (45.3% -> 33.8%) lost the most share of voice" in rivals.text
    conc = fd.concentration_finding(mk.concentration(market), mentions=True)
    assert conc.text.startswith("The mentions are ") and "most mentioned company" in conc.text
    moves = ch.market_moves(market, sales_is="mentions")
    first = moves.iloc[0]
    assert (first[S.COMPANY], first["metric"]) == ("newco", S.SHARE)
    assert first[S.PERIOD] == pd.Timestamp("2024-04-01")
    events, found = ch.competitor_events(market, moves, "us")
    assert events[S.COMPANY].iloc[0] == "newco"
    assert events["share_before"].iloc[0] == pytest.approx(5 / 75)
    assert events["share_after"].iloc[0] == pytest.approx(24 / 77)
    assert found[0].text.startswith("newco grew its share by ")
    assert ch.market_moves(market).empty  # row counts without SALES_IS: prices only, none


def _product_scrape(cut: bool, seed: int = 0) -> pd.DataFrame:
    """A weekly price scrape of 20 products, ours and a rival's (constants: {sales: 1}): the
    rival prices each product at ours x 1.00 +- 3%; with ``cut`` it prices P12 at 0.80x ours
    from 2023-06-05 (week 22 of 52)."""
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2023-01-02", periods=52, freq="7D")
    rows = []
    for j in range(20):
        base = 10.0 + 3 * j
        for w in weeks:
            ours = base * (1 + 0.02 * np.sin(w.day_of_year / 20))  # our prices drift a little
            ratio = 0.80 if cut and j == 12 and w >= pd.Timestamp("2023-06-05") else 1.0
            theirs = ours * ratio * float(np.exp(rng.normal(0, 0.03)))
            rows += [{S.PERIOD: w, S.COMPANY: c, "product": f"P{j:02d}", S.PRICE: p, S.SALES: 1}
                     for c, p in (("us", ours), ("rival", theirs))]  # fmt: skip
    return pd.DataFrame(rows)


def test_a_cut_on_one_product_of_twenty_is_a_move_with_product_set() -> None:
    """A rival's 20% cut on one product of twenty moves the basket index about 1%: no move
    was found and competitor_moves stayed empty. With PRODUCT set each product's price is
    read against ours: the cut is found, dated and sized, while the other 19 products and 52
    weeks make no false move (Bonferroni over the product-company series; byod12a D16)."""
    market = _product_scrape(cut=True)
    assert ch.market_moves(market, product="product").empty  # the basket index: no move
    moves, index, found = ch.product_moves(market, "us", "product")
    assert len(index) == 20 * 52 and set(index[S.COMPANY]) == {"rival"}
    p12 = index[index["product"] == "P12"].set_index(S.PERIOD)["index"]
    assert p12.loc["2023-06-05":].mean() == pytest.approx(80.0, abs=1.5)
    assert moves["product"].tolist() == ["P12"] and moves.attrs["tested"] == 20
    mv = moves.iloc[0]
    assert mv[S.COMPANY] == "rival" and mv["began"] == pd.Timestamp("2023-06-05")
    assert mv["their_change"] == pytest.approx(-0.20, abs=0.02)
    assert mv["our_change"] == pytest.approx(0.0, abs=0.01)
    assert mv["p_adjusted"] < 0.001
    assert found[0].severity == "high"
    assert found[0].text.startswith("rival cut P12 by 2")
    assert "from the week of 2023-06-05: its price went from 1.00x ours to 0.80x" in found[0].text
    for seed in range(5):  # no cut anywhere: 20 products x 52 weeks make no move
        assert ch.product_moves(_product_scrape(cut=False, seed=seed), "us", "product")[0].empty
    assert ch.product_moves(market, "us", "")[0].empty  # PRODUCT not set: nothing per product


def test_our_own_price_move_on_a_product_is_named_as_ours() -> None:
    """When our price of a product moves and the rival's does not, the index moves too: the
    finding names the move as ours, not as the rival's (byod12a D16)."""
    market = _product_scrape(cut=False)
    ours = (market[S.COMPANY] == "us") & (market["product"] == "P03")
    later = market[S.PERIOD] >= pd.Timestamp("2023-09-04")
    market.loc[ours & later, S.PRICE] *= 1.25
    moves, _, found = ch.product_moves(market, "us", "product")
    assert moves["product"].tolist() == ["P03"]
    assert found[0].text.startswith("Our own move: our price of P03 moved +25% from the week of")


def test_a_share_step_without_a_share_column_is_a_move() -> None:
    """byod12b D9: weekly mentions per brand counted as units (SALES_IS units, no share
    column): Roastly went from 5% to 25% of them in the week of 2024-04-01 and
    competitor_moves was empty; the shares of the sales are scanned too."""
    from opsai.market.chapter import market_moves

    weeks = pd.date_range("2024-01-01", periods=26, freq="W-MON")
    rng = np.random.default_rng(4)
    rows = []
    for w in weeks:
        launched = w >= pd.Timestamp("2024-04-01")
        for brand, base in (
            ("NordBrew", 380),
            ("Roastly", 300 if launched else 50),
            ("Bean & Co", 300),
            ("Kaffa", 270),
        ):
            rows.append({"period": w, "company": brand, "sales": float(rng.poisson(base))})
    moves = market_moves(pd.DataFrame(rows), sales_is="units")
    share = moves[moves["metric"] == "share"]
    assert share.iloc[0]["company"] == "Roastly"
    assert pd.Timestamp(share.iloc[0]["period"]) == pd.Timestamp("2024-04-01")
    assert share.iloc[0]["before"] == pytest.approx(0.05, abs=0.01)
    assert share.iloc[0]["after"] == pytest.approx(300 / 1250, abs=0.02)


def test_one_a_row_is_a_unit_with_sales_is_units() -> None:
    """byod13b D16: Inside Airbnb's booked nights mapped with constants: {sales: 1} and
    SALES_IS: units were refused as 'market.sales holds 1 in every row ... (a price
    scrape's entries)'; each row is one unit sold, so shares and the demand model read
    them (a revenue reading still refuses the rows)."""
    market, _ = ch.calendar_periods(_mention_rows(), "week")
    assert ch.sales_skip_reason(market) is not None
    assert ch.sales_skip_reason(market, sales_is="units") is None
    # each company's price moves between periods, so only the reading of sales can refuse
    priced = market.assign(price=100.0 + np.arange(len(market)) % 7)
    assert ch.demand_skip_reason(priced, sales_is="units") is None
    assert "a count of rows" in str(ch.demand_skip_reason(priced))
    # a constant price is still refused, for its own reason
    assert "price changes" in str(
        ch.demand_skip_reason(market.assign(price=100.0), sales_is="units")
    )
