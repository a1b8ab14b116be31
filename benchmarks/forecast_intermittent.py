"""Chapter 4 on intermittent items: the seasonal naive copy against an intermittent level.

Protocol: Ta Feng's order lines as daily item series (as ``forecast_backtest.py`` builds them,
``--items`` best sellers kept); the last 28 days are held out and scored once. The chapter's
default candidates and settings (h 28, 3 windows) are fitted on the rest; the items whose fit
period the Syntetos-Boylan classes call intermittent or lumpy are scored. Two selections from
the same backtest: the best candidate per series on MASE (before), and the same with
SeasonalNaive replaced by the best intermittent candidate on those series (``AutoForecaster``
now). Printed per selection, over those items:

1. the error of the 28-day total, ``(sum forecast - sum actual) / (28 * mean daily demand of
   the fit period)``: mean absolute and mean signed (negative: under-forecast);
2. MASE over the 28 days (scale: the fit period's seasonal naive error, m = 7);
3. the share of forecasts with the weekday-copy shape (repeating weekly, zero on some days and
   positive on others).

Then the same on the items whose choice changed, with 95% bootstrap intervals of the paired
differences.

Run: ``python benchmarks/forecast_intermittent.py [--items 1500] [--data folder]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from forecast_backtest import series

from opsai.data.schema import ITEM_ID, QUANTITY, TIMESTAMP
from opsai.forecast import AutoForecaster, demand_pattern, select_best
from opsai.forecast.backtest import overall_best
from opsai.forecast.chapter import DEFAULT_CANDIDATES, candidates
from opsai.forecast.metrics import mase_scale

H, WINDOWS, M = 28, 3, 7


def copy_shape(f: np.ndarray) -> bool:
    """Repeats weekly, zero on some days and positive on others (a seasonal naive copy)."""
    week = f[:M]
    return bool(np.allclose(f[M:], f[:-M]) and week.min() <= 1e-9 and week.max() > 1e-9)


def score(choice: pd.Series, preds: pd.DataFrame, test: pd.Series, ys: dict) -> pd.DataFrame:
    rows = {}
    for sid, name in choice.items():
        y, f = test.loc[sid].to_numpy(float), preds.loc[sid, name].to_numpy(float)
        mean, scale = ys[sid].mean(), mase_scale(ys[sid], M)
        rows[sid] = {"total": (f.sum() - y.sum()) / (H * mean),
                     "mase": np.mean(np.abs(y - f)) / scale, "copy": copy_shape(f)}  # fmt: skip
    return pd.DataFrame.from_dict(rows, orient="index")


def interval(d: np.ndarray, rng: np.random.Generator) -> str:
    means = [np.nanmean(d[rng.integers(0, len(d), len(d))]) for _ in range(2000)]
    lo, hi = np.percentile(means, [2.5, 97.5])
    return f"{np.nanmean(d):+.3f} [{lo:+.3f}, {hi:+.3f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=1500, help="items kept (the chapter's MAX_SERIES)")
    ap.add_argument("--data", type=Path, default=None, help="a folder written by opsai data fetch")
    args = ap.parse_args()
    df = series(args.data, args.items)
    end = df[TIMESTAMP].max() - pd.Timedelta(days=H)
    train, test = df[df[TIMESTAMP] <= end], df[df[TIMESTAMP] > end]
    models = candidates(M, names=DEFAULT_CANDIDATES, horizon=H, seed=0)
    auto = AutoForecaster(models, h=H, n_windows=WINDOWS, season_length=M, level=None)
    auto.fit(train)
    preds = pd.concat(
        [m.fit(train).predict(H).set_index([ITEM_ID, TIMESTAMP])[m.name] for m in models], axis=1
    )
    preds["Ensemble"] = preds[[m.name for m in models]].mean(axis=1)
    ys = {sid: g.to_numpy(float) for sid, g in train.groupby(ITEM_ID)[QUANTITY]}
    items = [s for s in ys if not str(s).startswith(("total", "category:", "other:"))]
    sel = [s for s in items if demand_pattern(ys[s]) in ("intermittent", "lumpy")]
    before = select_best(auto.metrics_).reindex(sel).fillna(overall_best(auto.metrics_))
    after = pd.Series(auto.choice_).reindex(sel)
    actual = test.set_index([ITEM_ID, TIMESTAMP])[QUANTITY]
    start = train[TIMESTAMP].min()
    print(f"{len(sel):,} intermittent or lumpy items of {len(items):,}; fit {start:%Y-%m-%d} to "
          f"{end:%Y-%m-%d}, {H} days held out")  # fmt: skip
    report(before, after, preds, actual, ys)


def report(
    before: pd.Series, after: pd.Series, preds: pd.DataFrame, actual: pd.Series, ys: dict
) -> None:
    """Print the figures of two selections (series id -> model) on the held-out days."""
    naive = "SeasonalNaive"
    print(
        f"  SeasonalNaive chosen before: {(before == naive).sum():,}, now: {(after == naive).sum():,}"
    )
    res = {k: score(c, preds, actual, ys) for k, c in (("before", before), ("after", after))}
    changed = before != after
    for part, rows in (("all", slice(None)), (f"{changed.sum():,} changed", changed.to_numpy())):
        for k, r in res.items():
            r = r[rows]
            print(f"  {part:<12} {k:<6} total: mean |error| {r.total.abs().mean():.3f}, "
                  f"signed {r.total.mean():+.3f}; MASE {r.mase.mean():.3f}; "
                  f"copy shape {r['copy'].mean():.1%}")  # fmt: skip
    rng = np.random.default_rng(0)
    b, a = res["before"][changed.to_numpy()], res["after"][changed.to_numpy()]
    d_abs = (a.total.abs() - b.total.abs()).to_numpy()
    d_signed, d_mase = (a.total - b.total).to_numpy(), (a.mase - b.mase).to_numpy()
    print(
        f"  changed, after - before: |total error| {interval(d_abs, rng)}, signed "
        f"{interval(d_signed, rng)}, MASE {interval(d_mase, rng)}"
    )
    print("  replaced by:", after[changed].value_counts().to_dict())


if __name__ == "__main__":
    main()
