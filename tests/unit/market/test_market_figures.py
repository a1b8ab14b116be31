"""The chapter's figures build with fixed sizes from the functions' outputs."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai import market as mk
from opsai.data import schema as S
from opsai.market import figures as fg

pytestmark = pytest.mark.unit


def test_figures_build(logit_market) -> None:  # type: ignore[no-untyped-def]
    m = logit_market()
    moves = mk.detect_moves(m)
    figs = [
        fg.series_figure(
            mk.market_shares(m),
            S.SHARE,
            title="s",
            highlight="co0",
            marks=moves.head(1),
            percent=True,
        ),
        fg.price_index_figure(mk.price_index(m, "co0"), company="co0"),
        fg.positioning_figure(
            mk.positioning_map(m, [S.PRICE, S.SHARE, S.USERS], highlight=["co0"])
        ),
    ]
    total = m.groupby(S.PERIOD)[S.SALES].sum()
    figs.append(fg.forecast_figure(total, mk.trend_forecast(total, horizon=3), title="f"))
    demand = mk.LogitDemand(price="log", fixed_effects=[S.COMPANY]).fit(m)
    scen = {"cut": mk.simulate(demand, {"co0": {S.PRICE: -0.05}}, n_draws=20)}
    from opsai.market.findings import best_move

    figs.append(fg.scenario_figure(best_move(scen, "co0")[1]))
    curves = mk.SpendResponse(n_boot=5, season=1).fit(m)
    figs.append(fg.response_figure(mk.response_curve(curves, "co0", points=9), title="r"))
    for f in figs:
        assert f.layout.width == fg.WIDTH
        assert len(f.data) >= 1
    dated = total.set_axis(pd.date_range("2023-01-01", periods=len(total), freq="MS"))
    fc = fg.forecast_figure(dated, mk.trend_forecast(dated, horizon=2), title="d")
    assert pd.Timestamp(fc.data[-1].x[0]) == pd.Timestamp("2025-01-01")
