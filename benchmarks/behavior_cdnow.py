"""CDNOW benchmark for opsai.behavior.clv (Fader, Hardie & Lee 2005), one run, ratios printed.

The 2,357-customer cohort, calibration 1997-01-01..1997-09-30 (weeks 1-39), holdout to
1998-06-30 (weeks 40-78). Prints BG/NBD parameters and log-likelihood against the paper, fit
time against ``lifetimes`` when it is importable, the holdout total, and the 5-fold ROC-AUC of
"any repeat purchase in the holdout" for: logistic regression on RFM, BG/NBD expected purchases,
and opsai's gradient boosting on RFM + BG/NBD features.

Run: ``.venv/bin/python benchmarks/behavior_cdnow.py [--data DIR]`` (fetches CDNOW into the
opsai cache on first use).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from opsai.behavior import clv
from opsai.data import open_workspace
from opsai.data.public import fetch

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "LL": -9582.43, "holdout": 1882}


def _cv_auc(X: np.ndarray, y: np.ndarray, make, seed: int = 0) -> float:
    p = np.zeros(len(y))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        p[te] = make().fit(X[tr], y[tr]).predict_proba(X[te])[:, 1]
    return float(roc_auc_score(y, p))


def _cv_bgnbd(s: pd.DataFrame, y: np.ndarray, seed: int = 0) -> float:
    p = np.zeros(len(y))
    for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(s, y):
        bg = clv.BetaGeo().fit(s.iloc[tr])
        p[te] = bg.expected_purchases(s.iloc[te], t=39)
    return float(roc_auc_score(y, p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=None, help="an existing `opsai data fetch cdnow` folder"
    )
    args = ap.parse_args()
    folder = args.data or fetch("cdnow", Path(tempfile.mkdtemp()) / "cdnow")
    with open_workspace(folder / "opsai.yaml") as ws:
        users = ws.to_pandas("users")
        o = ws.table("orders")
        ids = users.loc[users["in_sample"] == 1, "user_id"].tolist()
        s = clv.summary(o.filter(o.user_id.isin(ids)), calibration_end="1997-09-30",
                        holdout_end="1998-06-30")  # fmt: skip
    t0 = time.perf_counter()
    bg = clv.BetaGeo().fit(s)
    t_ops = time.perf_counter() - t0
    print(f"customers {len(s)}; opsai BG/NBD fit {t_ops:.3f} s, LL {bg.log_likelihood_:.2f} "
          f"(paper {PAPER['LL']})")  # fmt: skip
    for k, v in bg.params_.items():
        print(f"  {k:5s} {v:.4f}  paper {PAPER[k]}  ratio {v / PAPER[k]:.4f}")
    try:
        from lifetimes import BetaGeoFitter

        t0 = time.perf_counter()
        BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
        t_lt = time.perf_counter() - t0
        print(f"lifetimes fit {t_lt:.3f} s; opsai/lifetimes time ratio {t_ops / t_lt:.2f}")
    except Exception as e:  # not installed, or broken on this pandas/numpy
        print(f"lifetimes unavailable here ({type(e).__name__}: {e}); no time ratio")
    pred = bg.expected_purchases(s, t=39)
    err = clv.total_error_pct(s, pred)
    print(f"holdout repeat purchases: predicted {pred.sum():.0f}, actual "
          f"{s['frequency_holdout'].sum():.0f} ({err:+.1f}%)")  # fmt: skip
    y = (s["frequency_holdout"] > 0).to_numpy(int)
    rfm = s[["frequency", "recency", "T", "monetary_value"]].to_numpy(float)
    lr = _cv_auc(rfm, y, lambda: make_pipeline(StandardScaler(), LogisticRegression()))
    bgauc = _cv_bgnbd(s, y)
    extra = np.column_stack([rfm, bg.probability_alive(s), pred])  # in-sample BG/NBD features
    gbm = _cv_auc(
        extra, y, lambda: HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05)
    )
    print(f"any repeat in holdout, 5-fold ROC-AUC: logistic RFM {lr:.3f}, BG/NBD {bgauc:.3f}, "
          f"GBM on RFM+BG/NBD {gbm:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
