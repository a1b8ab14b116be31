"""Market-chapter charts: plotly figures of a fixed size (they print and export the same)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsai.data import schema as S

__all__ = [
    "forecast_figure",
    "positioning_figure",
    "price_index_figure",
    "response_figure",
    "scenario_figure",
    "series_figure",
]

WIDTH = 760
"""Figure width in pixels: fits an A4 page printed by Chromium."""
HEIGHT = 380


def series_figure(
    frame: pd.DataFrame,
    value: str,
    *,
    title: str,
    highlight: str | None = None,
    marks: pd.DataFrame | None = None,
    percent: bool = False,
    col_period: str = S.PERIOD,
    col_company: str = S.COMPANY,
) -> Any:
    """One line per company of ``value`` over time; ``highlight`` drawn thick, ``marks``
    (rows of :func:`detect_moves`) as dotted vertical lines labelled with the company."""
    import plotly.express as px

    fig = px.line(
        frame, x=col_period, y=value, color=col_company, width=WIDTH, height=HEIGHT, title=title
    )
    if highlight is not None:
        fig.for_each_trace(lambda t: t.update(line={"width": 4 if t.name == highlight else 1.5}))
    for row in (marks if marks is not None else pd.DataFrame()).itertuples():
        x = getattr(row, col_period)
        fig.add_vline(x=x, line_dash="dot", line_color="grey")
        fig.add_annotation(
            x=x,
            y=1,
            yref="paper",
            text=str(getattr(row, col_company)),
            showarrow=False,
            yanchor="bottom",
        )
    if percent:
        fig.update_layout(yaxis_tickformat=".0%")
    fig.update_layout(margin={"l": 60, "r": 20, "t": 60}, legend_title_text="")
    return fig


def price_index_figure(index: pd.DataFrame, *, company: str, col_period: str = S.PERIOD) -> Any:
    """Our price index (100 = parity) against each competitor and the market, over time."""
    import plotly.express as px

    fig = px.line(
        index,
        x=col_period,
        y="index",
        color="competitor",
        width=WIDTH,
        height=HEIGHT,
        title=f"{company}'s price index (100 = same price; above = dearer)",
    )
    fig.add_hline(y=100, line_dash="dot", line_color="grey")
    fig.update_layout(margin={"l": 60, "r": 20, "t": 60}, legend_title_text="")
    return fig


def positioning_figure(points: pd.DataFrame, *, label: str = S.COMPANY, title: str = "") -> Any:
    """Scatter of :func:`positioning_map` with highlighted labels in a second colour."""
    import plotly.express as px

    axes = points.attrs.get("axes", ["x", "y"])
    explained = points.attrs.get("explained")
    names = list(axes)
    if explained is not None:
        names = [f"{a} ({e:.0%} of variance)" for a, e in zip(axes, explained, strict=True)]
    fig = px.scatter(
        points.assign(group=points["highlight"].map({True: "us", False: "competitors"})),
        x="x",
        y="y",
        text=label,
        color="group",
        width=WIDTH,
        height=HEIGHT + 60,
        title=title or "Positioning map",
        labels={"x": names[0], "y": names[1]},
    )
    fig.update_traces(textposition="top center", marker_size=11)
    fig.update_layout(margin={"l": 60, "r": 20, "t": 60}, legend_title_text="")
    return fig


def forecast_figure(history: pd.Series, forecast: pd.DataFrame, *, title: str) -> Any:
    """History and a :func:`trend_forecast` with its band (steps continue the index)."""
    import plotly.graph_objects as go

    idx = history.index
    if isinstance(idx, pd.DatetimeIndex) and len(idx) > 1:
        a, b = idx[-2], idx[-1]
        months = (b.year - a.year) * 12 + b.month - a.month
        step = pd.DateOffset(months=months) if months >= 1 and a.day == b.day else b - a
        future: Any = [b + step * (k + 1) for k in range(len(forecast))]
    else:
        future = list(range(len(idx), len(idx) + len(forecast)))
    fig = go.Figure()
    fig.add_scatter(x=list(idx), y=history.to_numpy(), name="history", mode="lines")
    fig.add_scatter(x=list(future), y=forecast["hi"], line={"width": 0}, showlegend=False)
    fig.add_scatter(
        x=list(future),
        y=forecast["lo"],
        fill="tonexty",
        line={"width": 0},
        name="band",
        fillcolor="rgba(99,110,250,0.2)",
    )
    fig.add_scatter(
        x=list(future), y=forecast["forecast"], name="forecast", mode="lines", line={"dash": "dash"}
    )
    fig.update_layout(width=WIDTH, height=HEIGHT, title=title, margin={"l": 60, "r": 20, "t": 60})
    return fig


def scenario_figure(moves: pd.DataFrame) -> Any:
    """Revenue change for us per scenario, with its band (the :func:`best_move` table)."""
    import plotly.graph_objects as go

    err = None
    if "revenue_change_hi" in moves and moves["revenue_change_hi"].notna().all():
        err = {
            "type": "data",
            "array": moves["revenue_change_hi"] - moves["revenue_change"],
            "arrayminus": moves["revenue_change"] - moves["revenue_change_lo"],
        }
    fig = go.Figure(
        go.Bar(x=moves["revenue_change"], y=moves["scenario"], orientation="h", error_x=err)
    )
    fig.update_layout(
        width=WIDTH,
        height=140 + 40 * len(moves),
        xaxis_tickformat="+.0%",
        title="Our revenue change by scenario (90% band)",
        margin={"l": 200, "r": 20, "t": 60},
    )
    return fig


def response_figure(curve: pd.DataFrame, *, title: str) -> Any:
    """A :func:`~opsai.market.response.response_curve` with its band; the dotted line marks
    the current spend, the solid part of the curve the observed spend range."""
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_scatter(x=curve["spend"], y=curve["hi"], line={"width": 0}, showlegend=False)
    fig.add_scatter(
        x=curve["spend"],
        y=curve["lo"],
        fill="tonexty",
        line={"width": 0},
        name="90% band",
        fillcolor="rgba(99,110,250,0.2)",
    )
    seen = curve["response"].where(curve["observed"])
    fig.add_scatter(
        x=curve["spend"], y=curve["response"], name="extrapolated", line={"dash": "dash"}
    )
    fig.add_scatter(x=curve["spend"], y=seen, name="observed range", line={"width": 3})
    fig.add_vline(x=curve.attrs.get("current", 0.0), line_dash="dot", line_color="grey")
    fig.update_layout(
        width=WIDTH,
        height=HEIGHT,
        title=title,
        xaxis_title="marketing spend per period",
        yaxis_title="extra sales per period",
        margin={"l": 60, "r": 20, "t": 60},
    )
    return fig
