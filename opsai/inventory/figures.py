"""Inventory-chapter charts: plotly figures of a fixed size."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

WIDTH = 760
HEIGHT = 380


def projection_figure(
    band: np.ndarray,
    start: pd.Timestamp,
    *,
    freq: str = "D",
    title: str,
    reorder_point: float | None = None,
) -> Any:
    """Projected stock of one item: the simulated median and its 5–95% band.

    Args:
        band: ``(3, horizon)`` 5th, 50th and 95th percentiles (a row of
            :attr:`~opsai.inventory.simulate.SimulationResult.band`).
        start: the first simulated period.
        freq: ``D``, ``W`` or ``M``.
        title: the chart title.
        reorder_point: drawn as a dashed line when given.
    """
    import plotly.graph_objects as go

    off = {"H": "h", "D": "D", "W": "W-MON", "M": "MS"}[freq]
    x = pd.date_range(start, periods=band.shape[1], freq=off)
    fig = go.Figure()
    fig.add_scatter(x=x, y=band[2], line={"width": 0}, showlegend=False, hoverinfo="skip")
    fig.add_scatter(
        x=x, y=band[0], fill="tonexty", line={"width": 0}, name="5–95% of simulated paths",
        fillcolor="rgba(0,160,120,0.2)",
    )  # fmt: skip
    fig.add_scatter(x=x, y=band[1], name="median stock", line={"color": "rgb(0,120,90)"})
    if reorder_point is not None:
        fig.add_hline(
            y=reorder_point, line_dash="dash", line_color="grey", annotation_text="reorder point"
        )
    fig.update_layout(
        title=title,
        width=WIDTH,
        height=HEIGHT,
        margin={"l": 60, "r": 20, "t": 60},
        yaxis_title="units on hand",
    )
    return fig
