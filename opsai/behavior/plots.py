"""Plotly figures for the user-behaviour chapter (fixed sizes, so printed pages fit).

Each function takes a result of :mod:`opsai.behavior` and returns a ``plotly`` figure;
plotly is imported when a figure is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

WIDTH = 760
"""Figure width in pixels: fits an A4 page printed by Chromium."""


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def segments_figure(personas: pd.DataFrame) -> Any:
    """Share of users against share of revenue, per persona."""
    go = _go()
    fig = go.Figure()
    fig.add_bar(y=personas["name"], x=personas["share"], name="users", orientation="h")
    fig.add_bar(y=personas["name"], x=personas["revenue_share"], name="revenue", orientation="h")
    fig.update_layout(barmode="group", width=WIDTH, height=160 + 45 * len(personas),
                      title="Segment size vs revenue share", xaxis_tickformat=".0%",
                      yaxis_autorange="reversed")  # fmt: skip
    return fig


def profile_figure(features: pd.DataFrame, labels: Any, names: Mapping[int, str]) -> Any:
    """Feature profile per segment: mean of each standardised feature (0 = all users)."""
    go = _go()
    num = features.select_dtypes("number")
    z = (num - num.mean()) / num.std(ddof=0).replace(0, 1)
    prof = z.groupby(np.asarray(labels)).mean()
    fig = go.Figure(
        go.Heatmap(z=prof.to_numpy(), x=list(prof.columns), y=[names.get(int(i), str(i)) for i in prof.index],
                   colorscale="RdBu", zmid=0, text=np.round(prof.to_numpy(), 1), texttemplate="%{text}")
    )  # fmt: skip
    fig.update_layout(width=WIDTH, height=160 + 45 * len(prof), title="Segment profiles (z-scores)")
    return fig


def funnel_figure(table: pd.DataFrame, *, breakdown: str | None = None, unit: str = "") -> Any:
    """Units reaching each step (one trace per breakdown value); ``unit`` (``'user'``,
    ``'session'``) names what was counted in the title."""
    go = _go()
    fig = go.Figure()
    groups = table.groupby(breakdown) if breakdown else [("all", table)]
    for name, g in groups:
        fig.add_trace(go.Funnel(y=g["event"], x=g["conversion"], name=str(name),
                                texttemplate="%{x:.0%}"))  # fmt: skip
    what = f"{unit}s" if unit else "entrants"
    fig.update_layout(width=WIDTH, height=420, title=f"Funnel: share of {what} reaching each step")
    return fig


def sankey_figure(links: pd.DataFrame) -> Any:
    """A Sankey diagram of :func:`~opsai.behavior.funnels.path_links`."""
    go = _go()
    src = links["position"].astype(str) + ": " + links["source"]
    tgt = (links["position"] + 1).astype(str) + ": " + links["target"]
    labels = list(dict.fromkeys([*src, *tgt]))
    index = {n: i for i, n in enumerate(labels)}
    fig = go.Figure(
        go.Sankey(node={"label": labels, "pad": 12},
                  link={"source": src.map(index), "target": tgt.map(index), "value": links["units"]})
    )  # fmt: skip
    fig.update_layout(width=WIDTH, height=460, title="Paths through the first steps")
    return fig


def retention_heatmap(matrix: pd.DataFrame) -> Any:
    """The cohort retention matrix as a heatmap."""
    go = _go()
    ages = [c for c in matrix.columns if c != "size"]
    rows = [
        f"{pd.Timestamp(c).date()} (n={n})"
        for c, n in zip(matrix.index, matrix["size"], strict=True)
    ]
    vals = matrix[ages].to_numpy(dtype=float)
    fig = go.Figure(
        go.Heatmap(z=vals, x=[str(a) for a in ages], y=rows, colorscale="Blues", zmin=0,
                   text=np.round(vals * 100), texttemplate="%{text:.0f}%")
    )  # fmt: skip
    fig.update_layout(width=WIDTH, height=200 + 22 * len(rows), title="Cohort retention",
                      xaxis_title="periods since cohort start", yaxis_autorange="reversed")  # fmt: skip
    return fig


def curve_figure(curve: pd.DataFrame) -> Any:
    """The N-day retention curve."""
    go = _go()
    fig = go.Figure(go.Scatter(x=curve["day"], y=curve["retention"], mode="lines+markers"))
    fig.update_layout(width=WIDTH, height=360, title="N-day retention", xaxis_title="day",
                      yaxis_tickformat=".0%")  # fmt: skip
    return fig


def lifecycle_figure(lc: pd.DataFrame) -> Any:
    """New, returning and resurrected users up; dormant down."""
    go = _go()
    fig = go.Figure()
    for col in ("new", "returning", "resurrected"):
        fig.add_bar(x=lc["period"], y=lc[col], name=col)
    fig.add_bar(x=lc["period"], y=-lc["dormant"], name="dormant")
    fig.update_layout(barmode="relative", width=WIDTH, height=400, title="User lifecycle")
    return fig


def calibration_figure(tables: Mapping[str, pd.DataFrame]) -> Any:
    """Observed against predicted rate per probability bin, one line per model."""
    go = _go()
    fig = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect",
                               line={"dash": "dot", "color": "grey"}))  # fmt: skip
    for name, t in tables.items():
        fig.add_scatter(x=t["predicted"], y=t["observed"], mode="lines+markers", name=name)
    fig.update_layout(width=WIDTH, height=420, title="Calibration", xaxis_title="predicted",
                      yaxis_title="observed")  # fmt: skip
    return fig


def importance_figure(imp: pd.DataFrame, *, top: int = 12) -> Any:
    """Permutation importances (drop in ROC-AUC), largest first."""
    go = _go()
    t = imp.head(top)
    fig = go.Figure(go.Bar(x=t["importance"], y=t["feature"], orientation="h",
                           error_x={"type": "data", "array": t["std"]}))  # fmt: skip
    fig.update_layout(width=WIDTH, height=160 + 26 * len(t), title="What drives churn",
                      yaxis_autorange="reversed")  # fmt: skip
    return fig


def holdout_figure(check: pd.DataFrame) -> Any:
    """Mean holdout purchases by calibration frequency, actual vs predicted (the classic figure)."""
    go = _go()
    t = check[check["frequency"] != "total"]
    fig = go.Figure()
    fig.add_scatter(x=t["frequency"], y=t["actual"], mode="lines+markers", name="actual")
    fig.add_scatter(x=t["frequency"], y=t["predicted"], mode="lines+markers", name="BG/NBD")
    fig.update_layout(width=WIDTH, height=380, title="Holdout purchases by calibration frequency",
                      xaxis_title="repeat purchases in calibration",
                      yaxis_title="mean purchases in holdout")  # fmt: skip
    return fig


def ads_weekly_figure(weekly: pd.DataFrame, *, currency: str = "") -> Any:
    """Ad spend per week (bars) against the revenue of the orders tagged with its campaigns."""
    go = _go()
    unit = f" ({currency})" if currency else ""
    fig = go.Figure()
    fig.add_bar(x=weekly["week"], y=weekly["spend"], name=f"ad spend{unit}")
    fig.add_scatter(x=weekly["week"], y=weekly["revenue"], name=f"attributed revenue{unit}",
                    mode="lines+markers")  # fmt: skip
    fig.update_layout(title="Ad spend and the revenue its campaigns brought, per week",
                      width=WIDTH, height=380, xaxis_title="week")  # fmt: skip
    return fig


def ads_roas_figure(table: pd.DataFrame, *, col: str = "roas_shop") -> Any:
    """ROAS per campaign (horizontal bars), the break-even line at 1."""
    go = _go()
    t = table.dropna(subset=[col]).sort_values(col)
    fig = go.Figure(go.Bar(y=t["campaign"], x=t[col], orientation="h", name="ROAS"))
    fig.add_vline(x=1, line_dash="dot")
    basis = "attributed revenue" if col == "roas_shop" else "platform conversion value"
    fig.update_layout(title=f"Return on ad spend per campaign ({basis} / spend)", width=WIDTH,
                      height=160 + 28 * len(t), xaxis_title="ROAS")  # fmt: skip
    return fig
