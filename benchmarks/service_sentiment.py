"""Sentiment benchmark for opsai.service.sentiment on real Chinese and English reviews.

One run, the same folds for every model, peers side by side, ratios to the best peer printed.

* Chinese: SnowNLP's product reviews (``zh-reviews``: 35,123 lines, 17,363 distinct once
  deduplicated, 47 texts in both classes dropped). Peers: SnowNLP's own naive-Bayes
  classifier retrained on each training fold, TF-IDF + logistic regression on characters
  1-3 (0.857 measured here before) and on jieba words (0.848).
* English: Hutto & Gilbert's Amazon review snippets (``amazon-snippets``: label = mean
  rating > 0, |mean| < 0.5 dropped, 2,985 left). Peers: VADER's compound score (0.742) and
  TF-IDF + logistic regression on words (0.809).

Texts are deduplicated (after normalisation) before the folds are drawn, by
:func:`opsai.service.sentiment.cross_val_accuracy`. opsai's settings were fixed before this
run (no tuning on these folds). Peers need ``snownlp==0.12.3`` and ``vaderSentiment==3.3.2``
installed (benchmark-only); a missing peer is reported and skipped.

Run: ``.venv/bin/python benchmarks/service_sentiment.py [--folds 5] [--lang zh en]
[--limit N] [--no-snownlp]`` (fetches both datasets into the opsai cache on first use).
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
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from opsai.config import load_config
from opsai.data import schema as S
from opsai.data.public import fetch
from opsai.data.workspace import open_workspace
from opsai.service.sentiment import LexiconSentiment, SentimentClassifier, cross_val_accuracy

GOAL = {"zh": 0.88, "en": 0.85}


class LexiconBinary:
    """opsai's lexicon: positive when the score is >= 0."""

    def fit(self, X: list[str], y: Any) -> LexiconBinary:
        return self

    def predict(self, X: list[str]) -> np.ndarray:
        return np.where(LexiconSentiment().score(X) >= 0, "pos", "neg")


class SnowNLPPeer:
    """SnowNLP's naive Bayes, retrained on the training fold (its shipped model saw all)."""

    def fit(self, X: list[str], y: Any) -> SnowNLPPeer:
        from snownlp.sentiment import Sentiment

        y = np.asarray(y)
        self.s = Sentiment()
        self.s.train(
            [x for x, v in zip(X, y, strict=True) if v == "neg"],
            [x for x, v in zip(X, y, strict=True) if v == "pos"],
        )
        return self

    def predict(self, X: list[str]) -> np.ndarray:
        return np.array(["pos" if self.s.classify(x) >= 0.5 else "neg" for x in X])


class VaderPeer:
    """VADER compound score > 0 means positive (no training)."""

    def fit(self, X: list[str], y: Any) -> VaderPeer:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.a = SentimentIntensityAnalyzer()
        return self

    def predict(self, X: list[str]) -> np.ndarray:
        return np.array(["pos" if self.a.polarity_scores(x)["compound"] > 0 else "neg" for x in X])


def _jieba_cut(text: str) -> list[str]:
    import jieba

    return jieba.lcut(text)


def models(lang: str, snownlp: bool) -> dict[str, tuple[Callable[[], Any], bool]]:
    """name -> (factory, is_peer)."""
    lr = lambda: LogisticRegression(max_iter=3000)  # noqa: E731
    out: dict[str, tuple[Callable[[], Any], bool]] = {
        "opsai SentimentClassifier (NB-LR chars+words)": (
            lambda: SentimentClassifier(seed=0),
            False,
        ),
        "opsai LexiconSentiment (no training)": (LexiconBinary, False),
    }
    if lang == "zh":
        out["TF-IDF chars 1-3 + LR"] = (
            lambda: make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), lr()),
            True,
        )
        out["TF-IDF jieba words + LR"] = (
            lambda: make_pipeline(TfidfVectorizer(tokenizer=_jieba_cut, token_pattern=None), lr()),
            True,
        )
        if snownlp:
            out["SnowNLP Bayes (retrained per fold)"] = (SnowNLPPeer, True)
    else:
        out["TF-IDF words + LR"] = (lambda: make_pipeline(TfidfVectorizer(), lr()), True)
        out["VADER compound > 0"] = (VaderPeer, True)
    return out


def load(name: str, root: Path) -> pd.DataFrame:
    folder = fetch(name, root / name)
    ws = open_workspace(load_config(folder / "opsai.yaml"))
    return ws.to_pandas("tickets")


def run(lang: str, df: pd.DataFrame, folds: int, snownlp: bool) -> pd.DataFrame:
    texts, y = df[S.TEXT].astype(str).tolist(), df[S.SENTIMENT].astype(str).tolist()
    rows = []
    for name, (make, peer) in models(lang, snownlp).items():
        t0 = time.perf_counter()
        try:
            res = cross_val_accuracy(_Fresh(make), texts, y, folds=folds, seed=0)
        except ImportError as e:
            print(f"  {name}: skipped ({e})")
            continue
        rows.append({"model": name, "peer": peer, **res, "seconds": time.perf_counter() - t0})
        print(
            f"  {name:50s} {res['accuracy']:.4f} ± {res['std']:.4f}  n={int(res['n'])}  {rows[-1]['seconds']:.0f}s",
            flush=True,
        )
    out = pd.DataFrame(rows)
    best_peer = out.loc[out["peer"], "accuracy"].max() if out["peer"].any() else np.nan
    out["ratio_to_best_peer"] = out["accuracy"] / best_peer
    return out


class _Fresh:
    """A new model per fold (fit returns the fitted one)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def fit(self, X: list[str], y: Any) -> Any:
        return self.make().fit(X, y)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="folder for the fetched datasets")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--lang", nargs="+", default=["zh", "en"], choices=["zh", "en"])
    ap.add_argument(
        "--limit", type=int, default=None, help="random subset per language (smoke runs)"
    )
    ap.add_argument("--no-snownlp", action="store_true", help="skip the slow SnowNLP peer")
    args = ap.parse_args()
    root = args.data or Path(tempfile.mkdtemp(prefix="opsai-sentiment-"))
    for lang in args.lang:
        df = load("zh-reviews" if lang == "zh" else "amazon-snippets", root)
        if args.limit:
            df = df.sample(min(args.limit, len(df)), random_state=0)
        print(
            f"\n== {lang}: {len(df):,} texts, {args.folds}-fold, deduplicated before splitting =="
        )
        res = run(lang, df, args.folds, snownlp=not args.no_snownlp)
        print(res.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        ours = res.loc[res["model"].str.startswith("opsai SentimentClassifier"), "accuracy"].iloc[0]
        peers = res.loc[res["peer"], "accuracy"]
        print(
            f"goal >= {GOAL[lang]}: {'met' if ours >= GOAL[lang] else 'NOT met'} ({ours:.4f}); "
            f"beats every peer: {bool((ours > peers).all())}"
        )


if __name__ == "__main__":
    main()
