"""The company's own forecast, scored beside opsai's on the same backtest windows.

A demand export often carries the forecast the business planned with (the Kaggle retail
inventory file's ``Demand Forecast``): mapped as ``demand.forecast``, chapter 04 answers "is
yours better than ours?" on the windows its own models were scored on (byod12a D12).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import FORECAST, ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast.backtest import CUTOFF, MODEL, evaluate
from opsai.report.finding import Finding

OWN = "your forecast"
"""The model name the demand table's own forecast is scored under."""


def own_forecast(
    ws: Any,
    cv: pd.DataFrame,
    df: pd.DataFrame,
    *,
    freq: str,
    ids: Sequence[str],
    model: str = "Auto",
    season_length: int = 1,
    where: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame | None:
    """The demand table's ``forecast`` column and ``model``'s backtest, scored on the same
    item-level backtest rows (each item and period the own forecast covers).

    The own forecast is summed per item and period like the demand (stores together). MASE,
    sMAPE and WAPE are averaged over items as in the backtest table; ``pooled_wape`` is the
    absolute error over all rows against all demand. ``None`` without a ``forecast`` column
    or without a backtest row it covers.

    Args:
        ws: the workspace.
        cv: the backtest (``AutoForecaster.backtest_``: ``[ITEM_ID, TIMESTAMP, cutoff,
            QUANTITY, <model>]``).
        df: the series the backtest ran on (MASE's scale).
        freq: ``D``, ``W`` or ``M``.
        ids: the item-level series.
        model: the backtest's model column.
        season_length: MASE's seasonal period.
        where: the chapter's SERIES_FILTER.

    Returns:
        One row per model (``your forecast`` and ``model``): ``model, mase, smape, wape,
        pooled_wape, series, rows``.
    """
    from opsai.forecast.series import _IBIS_UNIT, _filtered

    if not ws.has("demand") or FORECAST not in ws.columns("demand"):
        return None
    rows = {k: v for k, v in (where or {}).items() if not k.startswith("items.")}
    t = _filtered(ws.item_lines("demand"), rows, "demand")
    t = t.filter(t[FORECAST].notnull())
    bucket = t[TIMESTAMP].truncate(_IBIS_UNIT[freq]).cast("timestamp").name(TIMESTAMP)
    own = (
        t.group_by([t[ITEM_ID].cast("string").name(ITEM_ID), bucket])
        .aggregate(**{OWN: t[FORECAST].cast("float64").sum()})
        .to_pandas()
    )
    part = cv[cv[ITEM_ID].astype(str).isin(set(map(str, ids)))]
    part = part[[ITEM_ID, TIMESTAMP, CUTOFF, QUANTITY, model]].copy()
    part[ITEM_ID] = part[ITEM_ID].astype(str)
    own[TIMESTAMP] = pd.to_datetime(own[TIMESTAMP])
    both = part.merge(own, on=[ITEM_ID, TIMESTAMP], how="inner").dropna(subset=[model, OWN])
    if both.empty:
        return None
    scores = evaluate(both, df, season_length=season_length, models=[OWN, model], level=None)
    out = scores.groupby(MODEL, sort=False)[["mase", "smape", "wape"]].mean()
    y = both[QUANTITY].abs().sum()
    out["pooled_wape"] = [
        float(np.abs(both[m] - both[QUANTITY]).sum() / y) if y else np.nan for m in out.index
    ]
    out["series"] = both[ITEM_ID].nunique()
    out["rows"] = len(both)
    return out.reset_index().rename(columns={MODEL: "model"})


def own_forecast_finding(table: pd.DataFrame | None, *, windows: int) -> Finding | None:
    """Whether opsai's forecast beat the demand table's own, on WAPE over the same rows
    (``None`` without an own forecast)."""
    if table is None or table.empty:
        return None
    yours, ours = table.iloc[0], table.iloc[1]
    name = "per-series choice (Auto)" if ours["model"] == "Auto" else str(ours["model"])
    better = float(ours["wape"]) < float(yours["wape"])
    ratio = float(ours["wape"]) / float(yours["wape"]) if yours["wape"] else float("nan")
    verdict = (
        f"opsai's {name} is more accurate ({ratio:.2f}x your error)"
        if better
        else f"your forecast is as accurate or more ({ratio:.2f}x its error): keep it, or blend"
    )
    text = (
        f"Your own forecast (demand.forecast), scored on the same {int(yours['rows']):,} "
        f"item-periods of the {windows} backtest window(s) ({int(yours['series'])} items): WAPE "
        f"{yours['wape']:.1%} per item on average ({yours['pooled_wape']:.1%} pooled), MASE "
        f"{yours['mase']:.2f}; opsai's {name}: WAPE {ours['wape']:.1%} "
        f"({ours['pooled_wape']:.1%} pooled), MASE {ours['mase']:.2f}. {verdict}."
    )
    evidence = {
        "yours_wape": round(float(yours["wape"]), 4),
        "yours_pooled_wape": round(float(yours["pooled_wape"]), 4),
        "yours_mase": round(float(yours["mase"]), 4),
        "ours_wape": round(float(ours["wape"]), 4),
        "ours_pooled_wape": round(float(ours["pooled_wape"]), 4),
        "ours_mase": round(float(ours["mase"]), 4),
        "model": str(ours["model"]),
        "rows": int(yours["rows"]),
        "items": int(yours["series"]),
    }
    return Finding(text, "info" if better else "medium", evidence, name="own_forecast")
