"""Building blocks of the demand chapter: the candidate models and the plain-language findings.

Findings are dicts ``{"name", "text", "severity", "evidence"}`` the notebook records.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from opsai.forecast.base import Forecaster
from opsai.forecast.intermittent import AutoPattern
from opsai.forecast.ml import GlobalGBM
from opsai.forecast.models import SeasonalNaive, Theta, WindowAverage
from opsai.forecast.neural import GlobalMLP

Finding = dict[str, Any]


def candidates(
    season_length: int,
    *,
    fast: bool = False,
    neural: bool = False,
    tune_trials: int = 0,
    seed: int = 0,
) -> list[Forecaster]:
    """The chapter's candidate models: baselines, Theta, the pattern-chosen model, global GBM
    (and the global torch MLP with ``neural``).

    Args:
        season_length: ``m`` (7 daily, 52 weekly, 12 monthly).
        fast: smaller budgets (fewer trees, epochs and conformal windows) for tests.
        neural: add :class:`~opsai.forecast.neural.GlobalMLP`.
        tune_trials: Optuna trials for the global models (0 keeps their defaults).
        seed: random seed.
    """
    m = int(season_length)
    cw = 8 if fast else 20
    window = 8 * m if fast else 52 * m if m < 20 else None
    mlp = GlobalMLP(
        season_length=m,
        epochs=30 if fast else 20,
        train_window=window,
        tune_trials=tune_trials,
        seed=seed,
    )
    return [
        SeasonalNaive(season_length=m, conformal_windows=cw),
        WindowAverage(window=4 * m if m < 20 else m, conformal_windows=cw),
        Theta(season_length=m, conformal_windows=cw),
        AutoPattern(season_length=m, conformal_windows=cw),
        GlobalGBM(
            season_length=m,
            max_iter=40 if fast else 150,
            train_window=window,
            tune_trials=tune_trials,
            seed=seed,
        ),
        *([mlp] if neural else []),
    ]


def pattern_finding(patterns: pd.DataFrame) -> Finding:
    """How many items are smooth, erratic, intermittent or lumpy."""
    counts = patterns["pattern"].value_counts().to_dict()
    n = len(patterns)
    sparse = counts.get("intermittent", 0) + counts.get("lumpy", 0)
    text = (
        f"{sparse} of {n} items ({sparse / max(n, 1):.0%}) sell intermittently (many periods "
        "without a sale); they get Croston-type forecasts, the others Theta, when the pattern "
        "model is chosen."
    )
    return {
        "name": "demand_patterns",
        "text": text,
        "severity": "info",
        "evidence": {k: int(v) for k, v in counts.items()},
    }


def accuracy_finding(
    board: pd.DataFrame, *, h: int, n_windows: int, level: str = "item"
) -> Finding:
    """The best model on the backtest at one hierarchy level, against the seasonal naive."""
    b = board[board["level"] == level] if "level" in board else board
    best = b.iloc[0]
    base = b[b["model"] == "SeasonalNaive"]
    gain = ""
    if len(base):
        g = 1 - best["mase"] / float(base["mase"].iloc[0])
        gain = f", {g:.0%} lower MASE than the seasonal naive"
    text = (
        f"On a backtest of {n_windows} windows of {h} periods, {best['model']} forecast "
        f"{level}-level demand best: MASE {best['mase']:.2f}, sMAPE {best['smape']:.1f}%, "
        f"WAPE {best['wape']:.0%}{gain}."
    )
    ev = {k: round(float(best[k]), 4) for k in ("mase", "smape", "wape", "bias") if k in best}
    return {
        "name": f"accuracy_{level}",
        "text": text,
        "severity": "info",
        "evidence": {"model": str(best["model"]), **ev},
    }


def coverage_finding(coverage_95: float, *, model: str) -> Finding:
    """Whether the 95% intervals held about 95% of the backtest actuals."""
    off = abs(coverage_95 - 0.95)
    sev = "info" if off <= 0.05 else "medium"
    verdict = (
        "as they should"
        if off <= 0.05
        else ("too narrow" if coverage_95 < 0.95 else "wider than needed")
    )
    text = (
        f"{model}'s 95% prediction intervals held {coverage_95:.0%} of the actual demand in the "
        f"backtest ({verdict}); safety stocks are sized from them."
    )
    return {
        "name": "interval_coverage",
        "text": text,
        "severity": sev,
        "evidence": {"coverage_95": round(coverage_95, 4)},
    }
