"""Plotly figures of the customer-service chapter (fixed sizes for the rendered report)."""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = [
    "WIDTH",
    "intent_models_figure",
    "sentiment_figure",
    "volume_figure",
    "wait_heatmap",
]

WIDTH = 760
"""Figure width in pixels: fits an A4 page printed by Chromium."""


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def volume_figure(volume: pd.DataFrame, spikes: pd.DataFrame | None = None, *, top: int = 9) -> Any:
    """Tickets per period by intent (stacked bars), spikes marked.

    The ``top`` intents with the most tickets and every spiked intent get a bar of their
    own; the rest are stacked as one "other intents" bar. One bar per intent on 77 intents
    (BANKING77) cycled plotly's ten colours eight times and needed a legend of 77 rows that
    scrolled (and was cut in the PDF).
    """
    go = _go()
    fig = go.Figure()
    spiked = set() if spikes is None or spikes.empty else set(spikes["intent"])
    totals = volume.groupby("intent")["tickets"].sum().sort_values(ascending=False, kind="stable")
    shown = set(totals.index[:top]) | spiked
    rest = volume[~volume["intent"].isin(shown)]
    for intent, g in volume[volume["intent"].isin(shown)].groupby("intent", sort=True):
        fig.add_bar(x=g["period"], y=g["tickets"], name=str(intent))
    if len(rest):
        n = rest["intent"].nunique()
        g = rest.groupby("period", sort=True)["tickets"].sum()
        fig.add_bar(x=g.index, y=g.to_numpy(), name=f"{n} other intents", marker_color="lightgray")
    if spikes is not None and len(spikes):
        tops = volume.groupby("period")["tickets"].sum()
        fig.add_scatter(
            x=spikes["period"],
            y=[tops.get(p, 0) * 1.05 for p in spikes["period"]],
            mode="markers+text",
            text=[f"{i} spike" for i in spikes["intent"]],
            textposition="top center",
            marker={"symbol": "triangle-down", "size": 12, "color": "crimson"},
            name="spike",
        )
    fig.update_layout(
        barmode="stack",
        width=WIDTH,
        height=440,
        title="Tickets by intent",
        xaxis_title="period",
        yaxis_title="tickets",
    )
    return fig


def sentiment_figure(trend: pd.DataFrame, *, by: str | None = None) -> Any:
    """Share of negative tickets per period (one line per ``by`` value)."""
    go = _go()
    fig = go.Figure()
    groups = trend.groupby(by) if by else [("all", trend)]
    for name, g in groups:
        fig.add_scatter(x=g["period"], y=g["negative_share"], mode="lines+markers", name=str(name))
    fig.update_layout(
        width=WIDTH,
        height=360,
        title="Negative tickets",
        yaxis_tickformat=".0%",
        xaxis_title="period",
    )
    return fig


def intent_models_figure(table: pd.DataFrame) -> Any:
    """Accuracy and macro-F1 of each intent model."""
    go = _go()
    fig = go.Figure()
    for metric in ("accuracy", "macro_f1"):
        fig.add_bar(x=table["model"], y=table[metric], name=metric)
    fig.update_layout(
        barmode="group",
        width=WIDTH,
        height=340,
        title="Intent models on held-out tickets",
        yaxis_range=[0, 1],
    )
    return fig


def wait_heatmap(profile: pd.DataFrame) -> Any:
    """Median wait per weekday (rows, Monday first) and hour of the day (columns) of
    :func:`~opsai.service.contact.wait_by_hour`: when callers wait."""
    from opsai.service.contact import WEEKDAYS

    go = _go()
    grid = profile.pivot(index="weekday", columns="hour", values="median_wait_seconds")
    grid = grid.reindex([d for d in WEEKDAYS if d in grid.index])
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy(),
            x=[f"{int(h):02d}:00" for h in grid.columns],
            y=list(grid.index),
            colorscale="Reds",
            colorbar={"title": "seconds"},
            hovertemplate="%{y} %{x}: median wait %{z:.0f} s<extra></extra>",
        )
    )
    fig.update_layout(
        width=WIDTH,
        height=340,
        title="Median wait by weekday and hour",
        yaxis_autorange="reversed",
        xaxis_title="hour the call started",
    )
    return fig
