"""The chapter glue and findings on synthetic data and on the demo's planted truths."""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from opsai import market as mk
from opsai.data import schema as S
from opsai.errors import ChapterError, OpsaiError
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
    assert f"of the market in {now}, " in fd.share_finding(changes, "a").text
    assert f"period {before} (" in fd.share_finding(changes, "a").text
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
    assert wins.endswith(
        "). Shares here are of the sales column; the market share and concentration findings "
        "use the data's share column."
    )
    assert "sales column" not in fd.strategy(*args, company="co0")[0].text
