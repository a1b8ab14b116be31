"""Figures of the executive report (plotly, fixed sizes so they survive nbconvert)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from opsai.executive.joins import _months

WIDTH, HEIGHT = 860, 380


def intent_share_figure(volume: pd.DataFrame, move: pd.Series) -> go.Figure:
    """Monthly share of tickets of ``move['intent']`` with the competitor's move marked."""
    v = volume.assign(month=_months(volume["period"])).dropna(subset=["month"])
    per = v.pivot_table(index="month", columns="intent", values="tickets", aggfunc="sum").fillna(0)
    share = per.div(per.sum(axis=1), axis=0)[move["intent"]]
    x = share.index.to_timestamp()
    fig = go.Figure(go.Scatter(x=x, y=share.values, mode="lines+markers", name=str(move["intent"])))
    at = pd.Period(str(move["period"]), "M").to_timestamp()
    fig.add_vline(x=at, line_dash="dash", line_color="#cf222e")
    fig.add_annotation(x=at, y=float(share.max()), text=f"{move['company']} {move['move']}",
                       showarrow=False, xanchor="left", yanchor="bottom")  # fmt: skip
    fig.update_layout(
        width=WIDTH, height=HEIGHT, yaxis_tickformat=".0%", margin={"t": 50},
        title=f"Share of tickets about '{move['intent']}' per month",
    )  # fmt: skip
    return fig


def optuna_figures(study: Any, name: str) -> list[go.Figure]:
    """Optuna's optimisation history and (with 2+ parameters) parameter importances."""
    import optuna.visualization as ov

    figs = [ov.plot_optimization_history(study)]
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    if len(complete) >= 2 and len(study.best_params) >= 2:
        figs.append(ov.plot_param_importances(study))
    for f, what in zip(figs, ("optimisation history", "parameter importances"), strict=False):
        f.update_layout(width=WIDTH, height=HEIGHT, title=f"{name}: {what}")
    return figs
