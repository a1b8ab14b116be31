"""Augmentation benchmark: EDA for intents (zh, en) and rebalancing for churn, measured honestly.

Intent: per language, the demo's tickets are split once (stratified 70/30); for each training
size (tickets per intent) and repeat, the customer-service chapter's intent model is fitted on
the original sample, on it plus EDA copies made with swap/deletion only, and on it plus full
EDA copies whose synonyms come from the multilingual USE embedding of the training split's
words (no labels, no test text). Every model is scored on the same held-out original tickets.

Churn: the behaviour chapter's time-based snapshots (train at ``cutoff - horizon``, test at
``cutoff``) of the demo and, with ``--cdnow``, of CDNOW; the chapter's MLP and gradient
boosting with their default parameters, trained on the original rows, on randomly
oversampled rows and on SMOTE rows; scored on the untouched test rows.

Run: ``.venv/bin/python benchmarks/augment.py [--scale tiny|default] [--cdnow] [--repeats 3]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from opsai import behavior as bh
from opsai.data import open_workspace
from opsai.optimize import embedding_synonyms, evaluate_augmentation, evaluate_rebalancing
from opsai.optimize.augment import vocabulary

FMT = {"float_format": lambda v: f"{v:.3f}", "index": False}


def _lexicon(texts: list[str]) -> dict[str, list[str]]:
    syn = embedding_synonyms(vocabulary(texts, min_count=2), k=3, min_similarity=0.7, model="use")
    print(f"  embedding lexicon: {len(syn)} words with neighbours, e.g. "
          + ", ".join(f"{w}->{'/'.join(v)}" for w, v in list(syn.items())[:: max(1, len(syn) // 6)][:6]))  # fmt: skip
    return syn


def intents(tickets: pd.DataFrame, sizes: list[int], repeats: int, seed: int) -> pd.DataFrame:
    out = []
    for lang in ("en", "zh"):
        d = tickets[tickets["language"] == lang]
        print(f"\n[intent, {lang}] {len(d):,} tickets, {d['intent'].nunique()} intents", flush=True)
        for label, kw in [("swap+delete", {"ops": ("swap", "delete")}),
                          ("eda+use-synonyms", {"synonyms": _lexicon})]:  # fmt: skip
            t0 = time.perf_counter()
            r = evaluate_augmentation(d, per_class=sizes, repeats=repeats, seed=seed, **kw)  # type: ignore[arg-type]
            r.insert(0, "augmentation", label)
            r.insert(0, "language", lang)
            print(r.to_string(**FMT), f"\n  ({time.perf_counter() - t0:.1f} s)", flush=True)
            out.append(r)
    res = pd.concat(out, ignore_index=True)
    eda = res[res["variant"] == "eda"]
    print("\nEDA gain in accuracy (mean over repeats), by language, training size, augmentation:")
    print(eda.pivot_table(index=["language", "per_class"], columns="augmentation", values="gain")
          .to_string(float_format=lambda v: f"{v:+.3f}"))  # fmt: skip
    return res


def churn(cfg: Path, name: str, horizon: int, seed: int) -> None:
    ws = open_workspace(cfg)
    events = ws.table("events") if ws.has("events") else None
    users = ws.to_pandas("users") if ws.has("users") else None
    train, test = bh.snapshots(ws.table("orders"), horizon_days=horizon, events=events, users=users)
    print(f"\n[churn, {name}] train {len(train):,} users ({train['churned'].mean():.0%} churned), "
          f"test {len(test):,} ({test['churned'].mean():.0%})", flush=True)  # fmt: skip
    for model in ("mlp", "gbm"):
        t0 = time.perf_counter()
        r = evaluate_rebalancing(train, test, model=model, seed=seed)  # type: ignore[arg-type]
        r.insert(0, "model", model)
        base = r.iloc[0]
        r["recall_ratio"] = r["minority_recall"] / max(base["minority_recall"], 1e-9)
        r["auc_ratio"] = r["roc_auc"] / base["roc_auc"]
        print(r.to_string(**FMT), f"\n  ({time.perf_counter() - t0:.1f} s)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="tiny", choices=["tiny", "default"])
    ap.add_argument("--sizes", default="4,8,16", help="training tickets per intent")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cdnow", action="store_true", help="also rebalance CDNOW churn")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from opsai.data.demo import make_demo

    root = Path(tempfile.mkdtemp(prefix="opsai-augment-"))
    demo = make_demo(root / "demo", scale=args.scale, seed=args.seed)
    tickets = pd.read_csv(demo / "tickets.csv", dtype=str)
    intents(tickets, [int(s) for s in args.sizes.split(",")], args.repeats, args.seed)
    churn(demo / "opsai.yaml", f"demo {args.scale}", 90, args.seed)
    if args.cdnow:
        from opsai.data.public import fetch

        churn(fetch("cdnow", root / "cdnow") / "opsai.yaml", "CDNOW", 180, args.seed)


if __name__ == "__main__":
    main()
