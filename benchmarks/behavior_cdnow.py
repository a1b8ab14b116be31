"""CDNOW benchmark for opsai.behavior (Fader, Hardie & Lee 2005), one run, ratios printed.

The 2,357-customer cohort, calibration 1997-01-01..1997-09-30 (weeks 1-39), holdout to
1998-06-30 (weeks 40-78). Prints:

1. BG/NBD parameters and log-likelihood against the paper; fit time against ``lifetimes``
   (best of ``--repeats`` fits each, same frame, same process) when it is importable
   (``pip install -e '.[bench]'``).
2. Holdout repeat transactions in total: BG/NBD alone, and BG/NBD scaled by the correction an
   inner time split of the calibration period suggests (calibration weeks 1-19.5 -> 19.5-39,
   the same 1:1 proportion as the real split; the holdout never chooses), with the spread of
   that factor over nearby inner cut-offs.
3. "Any repeat purchase in the holdout", 5-fold ROC-AUC (the same folds for every row):
   logistic regression on RFM, BG/NBD expected purchases (fitted per fold), and opsai's
   ``ChurnModel`` (signed-log logistic and gradient boosting, tuned on validation rows inside
   each training fold) on ``churn_frame`` features plus BG/NBD P(alive) and expected purchases.
   Rows marked "+ rest of cohort" also train on the other 21,213 customers of the same
   first-quarter cohort (never scored), the peer as well as opsai.

Run: ``.venv/bin/python benchmarks/behavior_cdnow.py [--data DIR]`` (fetches CDNOW into a
temporary folder unless ``--data`` names an `opsai data fetch cdnow` folder).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from opsai.behavior import ChurnModel, churn_frame, clv, feature_columns
from opsai.behavior.churn import LABEL
from opsai.data import open_workspace
from opsai.data.public import fetch

PAPER = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "LL": -9582.43}
CAL, HOLD = pd.Timestamp("1997-09-30"), pd.Timestamp("1998-06-30")
START = pd.Timestamp("1997-01-01")
RFM = ["recency_days", "frequency", "monetary", "tenure_days"]


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def inner_factor(orders: Any, frac: float) -> float:
    """Actual / BG/NBD-predicted repeat purchases on an inner split of the calibration period."""
    cut = START + pd.Timedelta(days=round(((CAL - START).days + 1) * frac) - 1)
    s = clv.summary(orders, calibration_end=cut, holdout_end=CAL)
    p = clv.BetaGeo().fit(s).expected_purchases(s, t=float(s["T_holdout"].iloc[0]))
    return float(s["frequency_holdout"].sum() / p.sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="an `opsai data fetch cdnow` folder")
    ap.add_argument("--repeats", type=int, default=5, help="fits timed per library (best kept)")
    ap.add_argument("--trials", type=int, default=10, help="Optuna trials per opsai model")
    args = ap.parse_args()
    folder = args.data or fetch("cdnow", Path(tempfile.mkdtemp()) / "cdnow")
    with open_workspace(folder / "opsai.yaml") as ws:
        users = ws.to_pandas("users")
        o = ws.table("orders")
        ids = users.loc[users["in_sample"] == 1, "user_id"].tolist()
        sample = o.filter(o.user_id.isin(ids))
        s = clv.summary(sample, calibration_end=CAL, holdout_end=HOLD)
        factors = {f: inner_factor(sample, f) for f in (0.4, 0.45, 0.5, 0.55, 0.6)}
        cut = CAL + pd.Timedelta(days=1)
        horizon = (HOLD - CAL).days
        frame = churn_frame(o, cutoff=cut, horizon_days=horizon)  # the whole cohort
        bgf = clv.bgnbd_features(sample, cutoff=cut, horizon_days=horizon)

    # 1. parameters and fit time
    bg = clv.BetaGeo().fit(s)
    t_ops = best_of(lambda: clv.BetaGeo().fit(s), args.repeats)
    print(f"customers {len(s)}; opsai BG/NBD LL {bg.log_likelihood_:.2f} (paper {PAPER['LL']})")
    for k, v in bg.params_.items():
        print(f"  {k:5s} {v:.4f}  paper {PAPER[k]}  ratio {v / PAPER[k]:.4f}")
    try:
        from lifetimes import BetaGeoFitter

        f, r, T = s["frequency"], s["recency"], s["T"]
        lt = BetaGeoFitter().fit(f, r, T)
        t_lt = best_of(lambda: BetaGeoFitter().fit(f, r, T), args.repeats)
        print(f"fit time, best of {args.repeats}: opsai {t_ops:.3f} s, lifetimes {t_lt:.3f} s "
              f"(opsai/lifetimes {t_ops / t_lt:.2f}); lifetimes params "
              + ", ".join(f"{k} {v:.4f}" for k, v in lt.params_.items()))  # fmt: skip
    except ImportError as e:
        print(f"fit time, best of {args.repeats}: opsai {t_ops:.3f} s; lifetimes not installed "
              f"({e}); pip install -e '.[bench]' for the ratio")  # fmt: skip

    # 2. holdout total
    pred = bg.expected_purchases(s, t=39)
    actual = s["frequency_holdout"].sum()
    print(f"holdout repeat purchases, actual {actual:.0f}:")
    print(
        f"  BG/NBD                                {pred.sum():7.0f} ({(pred.sum() / actual - 1) * 100:+.1f}%)"
    )
    k = factors[0.5]
    print(f"  BG/NBD x inner-split factor {k:.3f}     {pred.sum() * k:7.0f} "
          f"({(pred.sum() * k / actual - 1) * 100:+.1f}%)")  # fmt: skip
    print(
        "  inner-split factor by inner cut-off (share of the calibration period): "
        + ", ".join(f"{f:.2f}: {v:.3f}" for f, v in factors.items())
    )

    # 3. any repeat purchase in the holdout, 5-fold
    frame = frame.join(bgf)
    y_all = 1 - frame[LABEL].to_numpy()
    in_s = frame.index.isin(s.index)
    X_s, y = frame[in_s], y_all[in_s]
    rest, y_rest = frame[~in_s], y_all[~in_s]
    cols = feature_columns(frame)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(X_s, y))

    def cv(fit_predict: Callable[[pd.DataFrame, np.ndarray, pd.DataFrame], np.ndarray],
           extra: bool = False) -> float:  # fmt: skip
        p = np.zeros(len(y))
        for tr, te in folds:
            Xt, yt = X_s.iloc[tr], y[tr]
            if extra:  # the rest of the cohort has no BG/NBD scores: the sample's model is used
                Xt, yt = pd.concat([Xt, rest]), np.concatenate([yt, y_rest])
            p[te] = fit_predict(Xt, yt, X_s.iloc[te])
        return float(roc_auc_score(y, p))

    def lr_rfm(Xt: pd.DataFrame, yt: np.ndarray, Xe: pd.DataFrame) -> np.ndarray:
        m = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        return m.fit(Xt[RFM].to_numpy(float), yt).predict_proba(Xe[RFM].to_numpy(float))[:, 1]

    def bgnbd(Xt: pd.DataFrame, yt: np.ndarray, Xe: pd.DataFrame) -> np.ndarray:
        return clv.BetaGeo().fit(s.loc[Xt.index]).expected_purchases(s.loc[Xe.index], t=39)

    def ours(kind: str, use: list[str]) -> Callable[..., np.ndarray]:
        def fp(Xt: pd.DataFrame, yt: np.ndarray, Xe: pd.DataFrame) -> np.ndarray:
            m = ChurnModel(model=kind, n_trials=args.trials, seed=0)  # type: ignore[arg-type]
            return m.fit(Xt[use], yt).predict_proba(Xe[use])[:, 1]

        return fp

    base = [c for c in cols if not c.startswith("bg_")]
    rows = [
        ("logistic regression on RFM", cv(lr_rfm)),
        ("BG/NBD expected purchases", cv(bgnbd)),
        ("opsai logistic, churn_frame features", cv(ours("logistic", base))),
        ("opsai logistic, + BG/NBD features", cv(ours("logistic", cols))),
        ("opsai gbm, + BG/NBD features", cv(ours("gbm", cols))),
        ("logistic regression on RFM + rest of cohort", cv(lr_rfm, extra=True)),
        ("opsai logistic, churn_frame + rest of cohort", cv(ours("logistic", base), extra=True)),
        ("opsai gbm, churn_frame + rest of cohort", cv(ours("gbm", base), extra=True)),
    ]
    print("any repeat purchase in the holdout, 5-fold ROC-AUC (goal >= 0.80):")
    for name, auc in rows:
        print(f"  {name:48s} {auc:.4f}")


if __name__ == "__main__":
    main()
