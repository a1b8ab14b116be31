"""Intent benchmark for opsai.service.intent on the demo's tickets, one run, side by side.

Each model is fitted on a stratified 70 % of the labelled tickets and scored on the rest:
accuracy, macro-F1, the share answered above the automatic confidence threshold, latency per
ticket (one batch, and one ticket at a time), fitted size, and fit time. The torch model is
also scored after dynamic int8 quantisation (embedding rows and the linear layer).

Run: ``.venv/bin/python benchmarks/service_intent.py [--scale default] [--tickets PATH]``
(``--tickets`` takes any contract ``tickets`` CSV with ``text`` and ``intent``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score

from opsai.data import schema as S
from opsai.service.chapter import split_labelled
from opsai.service.intent import IntentClassifier


def _score(
    name: str,
    predict_proba: Any,
    classes: np.ndarray,
    thr: float | None,
    test: pd.DataFrame,
    size: int,
    fit_s: float,
) -> dict[str, Any]:
    texts, truth = test[S.TEXT].tolist(), test[S.INTENT].astype(str).to_numpy()
    t0 = time.perf_counter()
    proba = predict_proba(texts)
    batch_ms = 1000 * (time.perf_counter() - t0) / len(texts)
    t0 = time.perf_counter()
    for t in texts[:100]:
        predict_proba([t])
    single_ms = 1000 * (time.perf_counter() - t0) / min(100, len(texts))
    pred = classes[proba.argmax(axis=1)]
    kept = proba.max(axis=1) >= (thr or 0.0)
    return {
        "model": name,
        "accuracy": accuracy_score(truth, pred),
        "macro_f1": f1_score(truth, pred, average="macro"),
        "answered": kept.mean(),
        "acc_answered": (pred[kept] == truth[kept]).mean() if kept.any() else np.nan,
        "ms_batch": batch_ms,
        "ms_single": single_ms,
        "size_kb": size / 1024,
        "fit_s": fit_s,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="default", choices=["tiny", "default", "large"])
    ap.add_argument("--tickets", type=Path, default=None)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.tickets is None:
        from opsai.data.demo import make_demo

        folder = Path(tempfile.mkdtemp(prefix="opsai-intent-")) / "demo"
        make_demo(folder, scale=args.scale, seed=args.seed)
        args.tickets = folder / "tickets.csv"
    tickets = pd.read_csv(args.tickets, dtype=str)
    train, test = split_labelled(tickets, test_size=0.3, seed=args.seed)
    print(
        f"{len(train):,} training and {len(test):,} test tickets, {tickets[S.INTENT].nunique()} intents"
    )
    rows = []
    for name, kw in [
        ("tfidf + linear SVM (Platt)", {"model": "tfidf"}),
        ("tfidf + logistic regression", {"model": "tfidf", "calibration": "none"}),
        ("torch fastText-style", {"model": "torch"}),
    ]:
        t0 = time.perf_counter()
        clf = IntentClassifier(threshold="auto", seed=args.seed, **kw).fit(
            train[S.TEXT], train[S.INTENT]
        )
        fit_s = time.perf_counter() - t0
        rows.append(
            _score(
                name, clf.predict_proba, clf.classes_, clf.threshold_, test, clf.size_bytes(), fit_s
            )
        )
        print(rows[-1], flush=True)
        if kw["model"] == "torch":
            q = clf.pipeline_.quantized()
            rows.append(
                _score(
                    name + " int8",
                    q.predict_proba,
                    clf.classes_,
                    clf.threshold_,
                    test,
                    q.size_bytes(),
                    fit_s,
                )
            )
    res = pd.DataFrame(rows)
    res["accuracy_ratio_to_first"] = res["accuracy"] / res["accuracy"].iloc[0]
    print(res.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


if __name__ == "__main__":
    main()
