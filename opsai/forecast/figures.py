"""Forecast-chapter charts: plotly figures of a fixed size (they print and export the same)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP

WIDTH = 760
"""Figure width in pixels: fits an A4 page printed by Chromium."""
HEIGHT = 380


def demand_figure(df: pd.DataFrame, ids: Sequence[str], *, title: str, smooth: int = 1) -> Any:
    """One line per series id over time, optionally as a trailing ``smooth``-period mean."""
    import plotly.express as px

    part = df[df[ITEM_ID].isin(list(ids))].sort_values([ITEM_ID, TIMESTAMP])
    if smooth > 1:
        part = part.assign(
            **{
                QUANTITY: part.groupby(ITEM_ID)[QUANTITY].transform(
                    lambda s: s.rolling(smooth, 1).mean()
                )
            }
        )
    fig = px.line(
        part, x=TIMESTAMP, y=QUANTITY, color=ITEM_ID, width=WIDTH, height=HEIGHT, title=title
    )
    fig.update_layout(margin={"l": 60, "r": 20, "t": 60}, legend_title_text="")
    return fig


def forecast_figure(
    history: pd.DataFrame,
    fc: pd.DataFrame,
    sid: str,
    *,
    model: str,
    level: int = 95,
    last: int = 120,
) -> Any:
    """The last ``last`` periods of one series, its forecast and the ``level`` interval band."""
    import plotly.graph_objects as go

    h = history[history[ITEM_ID] == sid].sort_values(TIMESTAMP).tail(last)
    f = fc[fc[ITEM_ID] == sid].sort_values(TIMESTAMP)
    fig = go.Figure()
    lo, hi = f"{model}-lo-{level}", f"{model}-hi-{level}"
    if lo in f:
        fig.add_scatter(
            x=f[TIMESTAMP], y=f[hi], line={"width": 0}, showlegend=False, hoverinfo="skip"
        )
        fig.add_scatter(
            x=f[TIMESTAMP], y=f[lo], fill="tonexty", line={"width": 0}, name=f"{level}% interval",
            fillcolor="rgba(99,110,250,0.2)",
        )  # fmt: skip
    fig.add_scatter(
        x=h[TIMESTAMP], y=h[QUANTITY], name="actual", line={"color": "black", "width": 1}
    )
    fig.add_scatter(x=f[TIMESTAMP], y=f[model], name=model, line={"color": "rgb(99,110,250)"})
    fig.update_layout(
        title=f"{sid}: forecast with its {level}% interval", width=WIDTH, height=HEIGHT,
        margin={"l": 60, "r": 20, "t": 60}, yaxis_title=QUANTITY,
    )  # fmt: skip
    return fig
