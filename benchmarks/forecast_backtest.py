"""Chapter 4 backtest speed: CPU seconds per series, and the batched paths against one by one.

Protocol: Ta Feng's order lines (fetched once by ``opsai data fetch tafeng``) become daily item
series for the whole catalogue (the orders, not the 500-item demand table); the ``--items``
best sellers are kept as the chapter keeps them (the others summed per category), and the
chapter's default candidates run with the Ta Feng case study's settings (h 14, 2 windows, 5
conformal windows). Printed, all as CPU time (``time.process_time``: the machine is shared):

1. each candidate's rolling-origin backtest and the whole ``AutoForecaster`` fit + predict,
   per series (the figure the chapter's ``MAX_SERIES`` cap trades against its timeout);
2. two ratios from one process on the same input, each with its largest difference: Theta's
   fits of every series and conformal origin batched (:mod:`opsai.forecast.smoothing`)
   against one scipy search per series, and the global GBM's recursive forecast of every
   series at once against one series at a time (the code before the batching).

Run: ``python benchmarks/forecast_backtest.py [--items 300] [--data folder]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.data.workspace import open_workspace
from opsai.forecast import AutoForecaster, GlobalGBM, build_series, cross_validation
from opsai.forecast.chapter import candidates
from opsai.forecast.models import deseasonalise, ses_fit, theta_states

H, WINDOWS, CONFORMAL, M = 14, 2, 5, 7


def series(data: Path | None, items: int) -> pd.DataFrame:
    """The chapter's series frame (items, 'other' buckets, categories, total) from the orders."""
    if data is None:
        from opsai.config import cache_dir
        from opsai.data.public import fetch

        data = cache_dir() / "tafeng"
        if not (data / "opsai.yaml").exists():
            fetch("tafeng", data)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "opsai.yaml"
        cfg.write_text(
            "name: tafeng-orders\ncompany: Ta Feng\ncurrency: TWD\ndata:\n"
            f"  source: {Path(data).resolve()}\n  tables:\n"
            "    orders:\n      file: orders.parquet\n    items:\n      file: items.csv\n"
        )
        with open_workspace(cfg) as ws:
            return build_series(ws, freq="D", max_items=items).df


def cpu(fn: Any) -> tuple[Any, float]:
    t = time.process_time()
    out = fn()
    return out, time.process_time() - t


def theta_one_by_one(ys: list[np.ndarray]) -> list[tuple]:
    """Theta's states as fitted before: one bounded scipy search per series."""
    out: list[tuple] = []
    for y in ys:
        z, _ = deseasonalise(np.asarray(y, dtype=float), M)
        alpha, level = ses_fit(z)
        out.append((level, float(np.polyfit(np.arange(len(z)), z, 1)[0]) / 2.0, alpha))
    return out


def recursive_one_by_one(model: GlobalGBM, h: int) -> dict[Any, np.ndarray]:
    """The global model's recursion as it ran before: features one series at a time."""
    fut = model.future_index(h)
    cal = {
        sid: model._calendar(pd.DatetimeIndex(g[TIMESTAMP]))
        for sid, g in fut.groupby(ITEM_ID, sort=False)
    }
    ext = {sid: np.r_[model.y_[sid], np.zeros(h)] for sid in model.ids_}
    for j in range(h):
        rows = []
        for sid in model.ids_:
            at = np.array([len(model.y_[sid]) + j])
            block = model._block(ext[sid][: at[0]], at, model.scale_[sid])
            rows.append(np.hstack([block, cal[sid][j : j + 1]]))
        pred = np.clip(model.model_.predict(np.vstack(rows)[:, model.keep_]), 0.0, model.ymax_)
        for sid, p in zip(model.ids_, pred, strict=True):
            ext[sid][len(model.y_[sid]) + j] = p * model.scale_[sid]
    return {sid: ext[sid][len(model.y_[sid]) :] for sid in model.ids_}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=300, help="items kept (the chapter's MAX_SERIES)")
    ap.add_argument("--data", type=Path, default=None, help="a folder written by opsai data fetch")
    args = ap.parse_args()
    df = series(args.data, args.items)
    n = df[ITEM_ID].nunique()
    print(f"{n:,} series ({args.items:,} items kept), {df[TIMESTAMP].nunique()} days")

    models = candidates(M, horizon=H, conformal_windows=CONFORMAL, seed=0, neural=True)
    print("\n1. CPU seconds (per series) of each candidate's backtest, then of the chapter's fit")
    for m in models:
        _, secs = cpu(lambda m=m: cross_validation([m], df, h=H, n_windows=WINDOWS))
        print(f"  {m.name:<14} {secs:7.1f} s  {secs / n:.4f} s/series")
    auto = AutoForecaster(models, h=H, n_windows=WINDOWS, season_length=M)
    _, secs = cpu(lambda: auto.fit(df).predict(H, level=[80, 95]))
    print(f"  {'Auto fit+predict':<14} {secs:7.1f} s  {secs / n:.4f} s/series")

    print("\n2. batched / one by one (CPU, same process, same input)")
    ys = [g.to_numpy(float) for _, g in df.groupby(ITEM_ID, sort=False)[QUANTITY]]
    fits = [y[: len(y) - H - i] for y in ys for i in range(CONFORMAL) if len(y) - H - i >= 3]
    fits += ys
    new, t_new = cpu(lambda: theta_states(fits, M))
    old, t_old = cpu(lambda: theta_one_by_one(fits))
    diff = max(
        abs(a - b) for s, o in zip(new, old, strict=True) for a, b in zip(s[:3], o, strict=True)
    )
    print(f"  Theta, {len(fits):,} fits: {t_new:.2f} s / {t_old:.2f} s = {t_new / t_old:.3f} "
          f"(largest difference {diff:.3g})")  # fmt: skip
    gbm = GlobalGBM(season_length=M, max_iter=150, train_window=52 * M, seed=0).fit(df)
    with threadpool_limits(limits=1):  # as GlobalGBM.predict runs it (no idle OpenMP spinning)
        new_f, t_new = cpu(lambda: gbm._recursive(H, None))
        old_f, t_old = cpu(lambda: recursive_one_by_one(gbm, H))
    diff = max(float(np.max(np.abs(new_f[s] - old_f[s]))) for s in gbm.ids_)
    print(f"  GlobalGBM recursion, {n:,} series x {H} steps: {t_new:.2f} s / {t_old:.2f} s = "
          f"{t_new / t_old:.3f} (largest difference {diff:.3g})")  # fmt: skip


if __name__ == "__main__":
    main()
