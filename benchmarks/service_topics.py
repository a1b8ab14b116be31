"""Topic discovery benchmark: do discovered topics recover the demo's hidden intents?

The demo's tickets carry intent labels; here they are hidden from the model and used only to
score the clusters: adjusted Rand index (ARI) and normalised mutual information (NMI), for
TF-IDF over jieba/English words reduced by truncated SVD against multilingual sentence
embeddings (USE) and English-only MiniLM, each with k-means at the true number of intents and
with k chosen by silhouette (``"auto"``). Product names (the demo's item titles) are passed as
stop words / masked (the catalogue's product nouns), as the chapter does with ``USER_WORDS``.

Measured on the tiny demo (755 messy tickets, 11 intents incl. off-topic; load ~16): at k=11
TF-IDF+SVD ARI 0.074 / NMI 0.193, USE 0.229 / 0.401 (3.1x the ARI), MiniLM 0.098 / 0.247;
with k by silhouette TF-IDF 0.082 / 0.234 (16 topics), USE 0.204 / 0.383 (13), MiniLM
0.123 / 0.324 (15). The default scale was not run in that session (CPU).

Run: ``.venv/bin/python benchmarks/service_topics.py [--scale tiny|default] [--seed 0]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from opsai.data import schema as S
from opsai.data._demo_catalog import CATEGORIES
from opsai.service.pii import Redactor
from opsai.service.topics import TopicModel


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="default", choices=["tiny", "default"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-tickets", type=int, default=4000, help="seeded sample (run time)")
    args = ap.parse_args()
    from opsai.data.demo import make_demo

    folder = Path(tempfile.mkdtemp(prefix="opsai-topics-")) / "demo"
    make_demo(folder, scale=args.scale, seed=args.seed)
    t = pd.read_csv(folder / "tickets.csv", dtype=str)
    if len(t) > args.max_tickets:
        t = t.sample(args.max_tickets, random_state=args.seed)
    texts = Redactor().transform(t[S.TEXT])
    truth = t[S.INTENT].to_numpy()
    names = sorted({w for c in CATEGORIES for pair in c.nouns for w in pair})  # the product words
    k_true = int(t[S.INTENT].nunique())
    print(f"{len(t):,} tickets, {k_true} hidden intents, {len(names)} product names masked")
    rows = []
    for enc in ("tfidf", "use", "minilm"):
        for k in (k_true, "auto"):
            t0 = time.perf_counter()
            tm = TopicModel(
                n_topics=k, k_range=(6, 16), encoder=enc, stop_words=names, seed=args.seed
            ).fit(texts)
            rows.append(
                {
                    "embedding": enc,
                    "k": k,
                    "topics": tm.n_topics_,
                    "ARI": adjusted_rand_score(truth, tm.labels_),
                    "NMI": normalized_mutual_info_score(truth, tm.labels_),
                    "seconds": time.perf_counter() - t0,
                }
            )
            print(rows[-1], flush=True)
            if enc != "tfidf" and k == k_true:
                print(tm.topic_table()[["name", "size"]].head(12).to_string(index=False))
    res = pd.DataFrame(rows)
    base = res[res["embedding"] == "tfidf"].set_index("k")
    res["ARI_ratio_to_tfidf"] = [r.ARI / base.loc[r.k, "ARI"] for r in res.itertuples()]
    print(res.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
