"""M3 monthly benchmark: opsai's forecasters on the official train/test split.

Protocol: the 1,428 monthly M3 series, horizon 18, the official holdout (``split == 'test'``)
scored once; sMAPE as in M3 (percent, mean over series of the mean over the horizon) and MASE
with m = 12. Choices (the per-series model of ``Auto``) are made on rolling-origin backtests
inside the training part only. Every model runs in this process on the same split.

statsforecast, the peer the issue names, cannot be installed beside pandas 3 (it requires
pandas < 3), so its figures are printed as measured earlier on this machine (DESIGN.md) and
marked as such; the published M3 Theta monthly sMAPE is 13.85 (Makridakis & Hibon 2000).

Run: ``python benchmarks/forecast_m3.py [--limit 200] [--data folder]``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import (
    AutoForecaster,
    Forecaster,
    Naive,
    SeasonalNaive,
    Theta,
    WindowAverage,
    mase,
    smape,
)

H = 18
M = 12
REFERENCE = {  # monthly sMAPE measured with statsforecast 2.1.1 on this machine (DESIGN.md)
    "statsforecast Theta": 13.83,
    "statsforecast AutoETS": 14.16,
    "statsforecast AutoTheta": 14.97,
    "statsforecast SeasonalNaive": 17.23,
    "statsforecast mean(ETS, AutoTheta)": 13.91,
    "published Theta (M3, 2000)": 13.85,
}


def load(data: Path | None, limit: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly train and test frames."""
    if data is None:
        from opsai.config import cache_dir
        from opsai.data.public import fetch

        data = cache_dir() / "m3"
        if not (data / "opsai.yaml").exists():
            fetch("m3", data)
    from opsai.data.workspace import open_workspace

    with open_workspace(data / "opsai.yaml") as ws:
        items = ws.to_pandas("items")
        demand = ws.to_pandas("demand")
    monthly = items.loc[items["frequency"] == "monthly", ITEM_ID]
    ids = sorted(monthly)[:limit] if limit else sorted(monthly)
    d = demand[demand[ITEM_ID].isin(ids)].sort_values([ITEM_ID, TIMESTAMP])
    train = d[d["split"] == "train"][[ITEM_ID, TIMESTAMP, QUANTITY]].reset_index(drop=True)
    test = d[d["split"] == "test"][[ITEM_ID, TIMESTAMP, QUANTITY]].reset_index(drop=True)
    return train, test


def score(
    train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, col: str
) -> tuple[float, float]:
    got = test.merge(fc[[ITEM_ID, TIMESTAMP, col]], on=[ITEM_ID, TIMESTAMP], how="left")
    hist = {sid: g[QUANTITY].to_numpy() for sid, g in train.groupby(ITEM_ID)}
    sm, ms = [], []
    for sid, g in got.groupby(ITEM_ID):
        y, f = g[QUANTITY].to_numpy(), g[col].to_numpy()
        sm.append(smape(y, f))
        ms.append(mase(y, f, hist[sid], M))
    return float(np.mean(sm)), float(np.nanmean(ms))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="first N monthly series only")
    ap.add_argument("--data", type=Path, default=None, help="a fetched m3 folder")
    ap.add_argument("--windows", type=int, default=2, help="backtest windows for Auto")
    ap.add_argument(
        "--margin", type=float, default=0.1, help="Auto's shrinkage to the overall best"
    )
    args = ap.parse_args()
    train, test = load(args.data, args.limit)
    print(f"M3 monthly: {train[ITEM_ID].nunique()} series, h={H}")

    def base() -> list[Forecaster]:
        return [
            Naive(),
            SeasonalNaive(season_length=M),
            WindowAverage(window=M),
            Theta(season_length=M),
        ]

    rows = []
    fcs = {}
    for model in base():
        t = time.perf_counter()
        fcs[model.name] = model.fit(train, freq="MS").predict(H)
        rows.append(
            (model.name, *score(train, test, fcs[model.name], model.name), time.perf_counter() - t)
        )
    comb = fcs["Theta"].merge(fcs["SeasonalNaive"], on=[ITEM_ID, TIMESTAMP])
    comb["mean(Theta, SeasonalNaive)"] = comb[["Theta", "SeasonalNaive"]].mean(axis=1)
    rows.append(
        ("mean(Theta, SeasonalNaive)", *score(train, test, comb, "mean(Theta, SeasonalNaive)"), 0.0)
    )
    for margin in (0.0, args.margin):
        t = time.perf_counter()
        auto = AutoForecaster(
            base(), h=H, n_windows=args.windows, season_length=M, metric="smape", level=None,
            margin=margin,
        )  # fmt: skip
        fc = auto.fit(train, freq="MS").predict(H)
        label = f"opsai Auto (per-series choice, margin {margin:g})"
        rows.append((label, *score(train, test, fc, "Auto"), time.perf_counter() - t))

    table = pd.DataFrame(rows, columns=["model", "smape", "mase", "seconds"])
    theta = float(table.loc[table["model"] == "Theta", "smape"].iloc[0])
    table["smape / opsai Theta"] = table["smape"] / theta
    print(table.round(3).to_string(index=False))
    print("\nchoices of Auto:", pd.Series(auto.choice_).value_counts().to_dict())
    print(
        "\nreference figures, not from this run (statsforecast cannot be installed with pandas 3):"
    )
    for name, v in REFERENCE.items():
        print(f"  {name:40s} sMAPE {v:6.2f}   opsai Theta / it = {theta / v:.3f}")


if __name__ == "__main__":
    main()
