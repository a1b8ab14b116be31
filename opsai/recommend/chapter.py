"""What notebook 03b calls: data loading, the tuned model comparison, segments, examples.

Everything here composes the rest of :mod:`opsai.recommend`; the notebook only narrates.
Hyper-parameters and the best model are chosen on a validation split carved from the
training part the way the test was held out (a random share of each user's training pairs,
or each user's latest training pair under a time split); the held-out test split only
measures.

Example:
    >>> pairs, items = load_data(ws)                                        # doctest: +SKIP
    >>> train, test = split(pairs, method="stratified", seed=0)             # doctest: +SKIP
    >>> cmp = compare_models(train, test, items=items, n_trials=10, split_method="stratified",
    ...                      seed=0)                                        # doctest: +SKIP
    >>> cmp.table                                                           # doctest: +SKIP
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.schema import ITEM_ID, TIMESTAMP, TITLE, USER_ID
from opsai.errors import ConfigError
from opsai.recommend.content import DEFAULT_FIELDS, ContentRecommender
from opsai.recommend.explain import explain
from opsai.recommend.hybrid import Hybrid
from opsai.recommend.interactions import (
    InteractionMatrix,
    drop_pairs,
    interactions_from_workspace,
    most_per_user,
)
from opsai.recommend.metrics import evaluate, per_user
from opsai.recommend.models import (
    ItemSimilarity,
    Popularity,
    Recommender,
    bestseller_lists,
    in_user_order,
)
from opsai.recommend.outliers import exclude_users as exclude_users  # for the notebook
from opsai.recommend.rerank import Reranker
from opsai.recommend.split import (
    SplitMethod,
    leave_last_out,
    parse_split_method,
    stratified_split,
    validation_split,
)
from opsai.recommend.tuning import (
    MODELS,
    SPACES,
    _valid_users,
    make_model,
    params_from_trial,
    tune_hybrid,
    tune_model,
)

RATING = "rating"
"""Column name taken as an explicit rating when ``load_data(rating="auto")``."""
DEFAULT_MODELS: tuple[str, ...] = (
    "popularity", "itemknn", "ease", "seqease", "rp3beta", "als", "bpr", "content", "hybrid",
)  # fmt: skip
VALID_RATIO = 0.9
"""Share of each user's training pairs the validation models are fitted on. High, so that
validation users keep a history close to the one the final models see (75% of their pairs
under the stratified split): with a 75/25 carve they keep only 56%, which on data with few
pairs per user understates every personalised model against popularity."""
HYBRID_PARTS: tuple[str, ...] = ("seqease", "als", "rp3beta", "content")
"""Components of the hybrid, those tuned; plain EASE stands in when ``seqease`` is not run."""
RERANK_PARTS: tuple[str, ...] = ("seqease", "als", "rp3beta")
"""Base models of the learning-to-rank reranker (``"rerank"``), those tuned; EASE stands in
for ``seqease`` as in the hybrid. Not in :data:`DEFAULT_MODELS`: it fits its bases twice."""


@dataclass
class Comparison:
    """The tuned models, fitted on the training part, and their held-out scores."""

    table: pd.DataFrame
    models: dict[str, Recommender]
    params: dict[str, dict[str, Any]]
    best: str
    k: int
    notes: list[str] = field(default_factory=list)
    studies: dict[str, Any] = field(default_factory=dict)
    """The Optuna study of each tuned model (``opsai.optimize.summarize_study`` reads it)."""


def load_data(
    workspace: Any,
    *,
    weights: Mapping[str, float] | None = None,
    rating: str | None = "auto",
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Interactions (aggregated in the engine) and the catalogue, if the workspace has one.

    Args:
        workspace: the workspace.
        weights: weight per event type (default view 1, add_to_cart 3, purchase 5).
        rating: an explicit-rating column of ``events``; ``"auto"`` uses a column named
            ``rating`` when events have one (MovieLens), else the event weights.
    """
    if rating == "auto":
        has = workspace.has("events") and RATING in workspace.columns("events")
        rating = RATING if has else None
    pairs = interactions_from_workspace(workspace, weights=weights, rating=rating)
    items = (  # postage, fees (non_items) are no catalogue item either
        workspace.item_lines("items").to_pandas() if workspace.has("items") else None
    )
    return pairs, items


def split(
    pairs: pd.DataFrame, *, method: SplitMethod = "stratified", seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train/test: per-user random 75/25, or each user's latest pair held out.

    ``method`` is the notebook's ``SPLIT``; its case does not matter ("Time" is "time"), any
    other value is a :class:`~opsai.errors.ConfigError` naming ``SPLIT`` and its values.
    """
    if parse_split_method(method) == "stratified":
        return stratified_split(pairs, ratio=0.75, seed=seed)
    if TIMESTAMP not in pairs.columns or not pairs[TIMESTAMP].notna().any():
        raise ConfigError(
            f"03b_recommendation: SPLIT {method!r} holds out each user's latest item, but the "
            "interactions have no times (events without a timestamp column). Set "
            "chapters.03b_recommendation.parameters.SPLIT: stratified (the default), or map "
            "data.tables.events.columns.timestamp"
        )
    return leave_last_out(pairs, n=1)


def _has_text(items: pd.DataFrame | None) -> bool:
    return items is not None and any(f in items.columns for f in DEFAULT_FIELDS)


def _implicit_available() -> bool:
    try:
        import implicit  # noqa: F401
    except ImportError:
        return False
    return True


def compare_models(
    train: pd.DataFrame,
    test: pd.DataFrame,
    *,
    items: pd.DataFrame | None = None,
    models: Sequence[str] = DEFAULT_MODELS,
    k: int = 10,
    n_trials: int = 20,
    timeout: float | None = None,
    binary: bool = True,
    encoders: Sequence[str] | None = None,
    eval_users: int | None = None,
    max_items: int | None = None,
    valid_ratio: float = VALID_RATIO,
    split_method: SplitMethod = "stratified",
    seed: int = 0,
) -> Comparison:
    """Tune each model on validation carved from ``train``, refit on ``train``, score ``test``.

    The hybrid blends the tuned sequence-aware EASE (or EASE), ALS (when ``implicit`` is
    installed), RP3beta and content models (when the catalogue has text; its encoder, TF-IDF
    or a sentence embedding, is the one that won on validation) with weights chosen on
    validation. The best model is the one with the best *validation* nDCG@k.

    Args:
        train: training pairs.
        test: held-out pairs.
        items: the catalogue (content model, coverage, cold items).
        models: registry names and/or ``"hybrid"``.
        k: list length.
        n_trials: Optuna trials per model.
        timeout: seconds of tuning per model at most (large data sets: fewer trials run).
        binary: fit on 0/1 interactions instead of weights.
        encoders: text encoders the content model chooses from (default: TF-IDF and every
            installed embedding model).
        eval_users: validation and test users scored (a seeded sample; ``None``: validation
            5,000, test all) — large data sets evaluate on a sample.
        max_items: catalogue cap of EASE and sequence-aware EASE (their fit grows with its
            cube; default their own, 5,000).
        valid_ratio: share of each user's training pairs the validation fits keep (see
            :data:`VALID_RATIO`); stratified only.
        split_method: how ``test`` was held out (:func:`split`'s ``method``); validation is
            carved from ``train`` the same way, so a time split chooses the model that best
            predicts each user's next item (:func:`~opsai.recommend.split.validation_split`).
        seed: seeds the carving split, the samplers and the models.

    Returns:
        A :class:`Comparison`; its table has one row per model with ``valid_ndcg``, the
        test metrics of :func:`~opsai.recommend.metrics.evaluate`, ``fit_s`` and ``params``.
    """
    unknown = [m for m in models if m not in MODELS and m not in ("hybrid", "rerank")]
    if unknown:
        raise ConfigError(
            f"compare_models: unknown {unknown}; choose from {list(MODELS)}, 'hybrid' or 'rerank'"
        )
    split_method = parse_split_method(split_method)
    notes: list[str] = []
    todo = list(models)
    if not _has_text(items) and "content" in todo:
        todo.remove("content")
        notes.append("content model skipped: the catalogue has no title/category/description")
    if not _implicit_available():
        todo = [m for m in todo if m not in ("als", "bpr")]
        notes.append("ALS/BPR skipped: the 'implicit' package is not installed")
    fit_part, valid = validation_split(train, method=split_method, ratio=valid_ratio, seed=seed + 1)
    if split_method == "time":
        notes.append(
            f"validation: the latest training pair of each of {valid[USER_ID].nunique():,} users "
            "(as the test holds out their latest pair); users with one training pair only fit"
        )
    catalog = items[ITEM_ID].astype(str) if items is not None else None
    n_valid = 5000 if eval_users is None else int(eval_users)
    params: dict[str, dict[str, Any]] = {}
    valid_score: dict[str, float] = {}
    studies: dict[str, Any] = {}
    for name in [m for m in todo if m not in ("hybrid", "rerank")]:
        extra = {"seed": seed} if name in ("als", "bpr") else {}
        if max_items is not None and name in ("ease", "seqease"):
            extra["max_items"] = int(max_items)
        if name in SPACES:
            study = tune_model(
                name, fit_part, valid=valid, items=items, n_trials=n_trials, timeout=timeout,
                k=k, binary=binary, seed=seed, encoders=encoders, max_users=n_valid, fixed=extra,
            )  # fmt: skip
            params[name] = params_from_trial(name, study.best_params) | extra
            valid_score[name] = float(study.best_value)
            studies[name] = study
        else:
            params[name] = extra
            valid_score[name] = _valid_score(name, fit_part, valid, items, k, binary, n_valid)
    if "hybrid" in todo:
        parts = [n for n in HYBRID_PARTS if n in params]
        if "seqease" not in parts and "ease" in params:
            parts.insert(0, "ease")
        if not parts:
            raise ConfigError(
                "compare_models: the hybrid needs one of 'seqease', 'ease', 'als', 'rp3beta' "
                "or 'content' in models"
            )
        comps: list[tuple[str, Recommender]] = [(n, make_model(n, **params[n])) for n in parts]
        w, valid_score["hybrid"] = tune_hybrid(
            comps, fit_part, valid, items=items, n_trials=n_trials, k=k, binary=binary,
            timeout=timeout, seed=seed, max_users=n_valid,
        )  # fmt: skip
        params["hybrid"] = {"components": parts, "weights": [round(x, 4) for x in w]}
    if "rerank" in todo:
        parts = _parts(RERANK_PARTS, params, "rerank")
        params["rerank"] = {"components": parts, "seed": seed}
        valid_score["rerank"] = _valid_model(
            _build("rerank", params), fit_part, valid, items, k, binary, n_valid, seed
        )
    im = InteractionMatrix.from_frame(train, items=catalog, binary=binary)
    users = test[USER_ID].unique()
    if eval_users is not None and len(users) > eval_users:
        users = np.random.default_rng(seed).choice(users, size=int(eval_users), replace=False)
        test = test[test[USER_ID].isin(set(users))]
        notes.append(f"test scored on a random sample of {len(users):,} users")
    rows, fitted = [], {}
    for name in todo:
        model = _build(name, params)
        t0 = time.perf_counter()
        _fit(model, im, items)
        fit_s = time.perf_counter() - t0
        reco = held_out_lists(model, users, k)
        scores = evaluate(reco, test, k=k, train=train, catalog=im.item_ids)
        fitted[name] = model
        rows.append({"model": name, "valid_ndcg": valid_score[name]} | scores | {"fit_s": fit_s})
    table = pd.DataFrame(rows)
    table["params"] = [_short(params[n]) for n in table["model"]]
    best = str(table.loc[table["valid_ndcg"].idxmax(), "model"])
    return Comparison(table, fitted, params, best, k, notes, studies)


def refit(
    cmp: Comparison,
    pairs: pd.DataFrame,
    *,
    items: pd.DataFrame | None = None,
    binary: bool = True,
) -> Recommender:
    """The chosen model, with its tuned settings, fitted on every interaction.

    ``cmp.models`` were fitted on the training part so the held-out part could score them;
    the lists the operations team gets (and ``opsai score``) must also know the held-out
    quarter of each history: a model fitted without it recommends items the user already
    has, and has no list at all for a user whose only interaction was held out.
    """
    catalog = items[ITEM_ID].astype(str) if items is not None else None
    model = _build(cmp.best, cmp.params)
    _fit(model, InteractionMatrix.from_frame(pairs, items=catalog, binary=binary), items)
    return model


def _parts(wanted: Sequence[str], params: dict[str, Any], name: str) -> list[str]:
    parts = [n for n in wanted if n in params]
    if "seqease" not in parts and "ease" in params:
        parts.insert(0, "ease")
    if not parts:
        raise ConfigError(
            f"compare_models: {name!r} needs one of {', '.join(('ease', *wanted))} in models"
        )
    return parts


def _build(name: str, params: dict[str, dict[str, Any]]) -> Recommender:
    if name not in ("hybrid", "rerank"):
        return make_model(name, **params[name])
    comps = [(n, make_model(n, **params[n])) for n in params[name]["components"]]
    if name == "rerank":
        return Reranker(models=comps, seed=int(params[name]["seed"]))
    return Hybrid(models=comps, weights=params["hybrid"]["weights"])


def _valid_model(
    model: Recommender,
    fit_part: pd.DataFrame,
    valid: pd.DataFrame,
    items: pd.DataFrame | None,
    k: int,
    binary: bool,
    max_users: int,
    seed: int,
) -> float:
    """Validation nDCG@k of a configured model fitted on the fit part."""
    catalog = items[ITEM_ID].astype(str) if items is not None else None
    im = InteractionMatrix.from_frame(fit_part, items=catalog, binary=binary)
    _fit(model, im, items)
    valid, users = _valid_users(valid, im, max_users, seed)
    return evaluate(model.recommend(users, k), valid, k=k)[f"ndcg_at_{k}"]


def held_out_lists(model: Recommender, users: Sequence[str], k: int) -> pd.DataFrame:
    """``model``'s top-``k`` lists; a user it cannot score (no history in its training data)
    gets that data's bestsellers, as the hybrid and ``opsai score`` give them, so every model
    in the held-out comparison is measured on the same users (the bestseller list itself scored
    0 on them, and any model that is not a hybrid looked worse than it is deployed)."""
    given = np.asarray(list(users), dtype=object)
    reco = model.recommend(given, k)
    unknown = model.interactions_.user_index(given) < 0
    # hashed lookup: np.isin on object ids compares every pair (40k users: ~25 s a call)
    listed = pd.Index(given).isin(reco[USER_ID].unique())
    cold = given[unknown & ~listed]
    if not len(cold):
        return reco
    pop = Popularity()
    pop.fit(model.interactions_)
    top = bestseller_lists(pop, cold, k)
    return in_user_order(pd.concat([reco, top], ignore_index=True), given)


def _fit(model: Recommender, im: InteractionMatrix, items: pd.DataFrame | None) -> None:
    if isinstance(model, Hybrid | ContentRecommender | Reranker):
        model.fit(im, items=items)
    else:
        model.fit(im)


def _valid_score(
    name: str,
    fit_part: pd.DataFrame,
    valid: pd.DataFrame,
    items: Any,
    k: int,
    binary: bool,
    max_users: int = 5000,
) -> float:
    catalog = items[ITEM_ID].astype(str) if items is not None else None
    im = InteractionMatrix.from_frame(fit_part, items=catalog, binary=binary)
    model = make_model(name)
    _fit(model, im, items)
    valid, users = _valid_users(valid, im, max_users, 0)
    return evaluate(model.recommend(users, k), valid, k=k)[f"ndcg_at_{k}"]


def _short(params: dict[str, Any]) -> str:
    def fmt(v: Any) -> str:
        return f"{v:.3g}" if isinstance(v, float) else str(v)

    return ", ".join(f"{key}={fmt(v)}" for key, v in params.items() if key != "seed")


def segment_quality(
    model: Recommender, train: pd.DataFrame, test: pd.DataFrame, *, k: int = 10
) -> pd.DataFrame:
    """Held-out quality by user history length: light, medium and heavy thirds of users.

    Users with no training history at all (whose whole history was held out) are their own
    ``new`` group when there are at least 10 of them and 2% of the users: in a shop where most
    buy once they are most of the held-out users, and the thirds of the rest would collapse.
    """
    hist = train.groupby(USER_ID).size().rename("history")
    users = test[USER_ID].unique()
    pu = per_user(held_out_lists(model, users, k), test, k=k).join(hist, how="left")
    pu["history"] = pu["history"].fillna(0).astype(int)
    new = pu["history"] == 0
    if new.sum() < max(10, 0.02 * len(pu)):
        new[:] = False
    segment = pd.Series("new", index=pu.index, dtype=object)
    if (~new).any():
        segment[~new] = _thirds(pu.loc[~new, "history"])
    order = ["new", "light", "medium", "heavy", "all"]
    pu["segment"] = pd.Categorical(segment, categories=order, ordered=True)
    out = pu.groupby("segment", observed=True).agg(
        users=("actual", "size"),
        history_min=("history", "min"),
        history_max=("history", "max"),
        ndcg=("ndcg", "mean"),
        precision=("precision", "mean"),
        hit_rate=("hit", "mean"),
    )
    return out.reset_index()


def _thirds(history: pd.Series) -> pd.Series:
    """light / medium / heavy thirds by history length (tied quantiles merge groups: two groups
    are light and heavy, one is everybody)."""
    cuts = np.unique(np.quantile(history, [0, 1 / 3, 2 / 3, 1]))
    labels = {2: ["light", "medium", "heavy"], 1: ["light", "heavy"]}.get(len(cuts) - 2, ["all"])
    if len(cuts) < 2:
        return pd.Series("all", index=history.index, dtype=object)
    return pd.cut(history, cuts, labels=labels, include_lowest=True).astype(object)


def recommendation_table(
    model: Recommender,
    user_ids: Sequence[str],
    *,
    k: int = 10,
    items: pd.DataFrame | None = None,
    explain_top: bool = True,
    exclude: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The per-user list for the operations team: rank, item, title, score, why.

    ``exclude`` holds user-item pairs never to recommend: the pairs the user returned in full
    (``pairs.attrs["returned"]`` of :func:`load_data`), which are no interaction of theirs.
    """
    extra = most_per_user(exclude, user_ids)
    reco = drop_pairs(model.recommend(user_ids, k + extra), exclude, k)
    if items is not None and TITLE in items.columns:
        titles = items.drop_duplicates(ITEM_ID).set_index(ITEM_ID)[TITLE].astype(str)
        reco[TITLE] = reco[ITEM_ID].map(titles)
    if explain_top and isinstance(model, ItemSimilarity | Hybrid):
        why = []
        names = dict(zip(titles.index, titles, strict=True)) if TITLE in reco.columns else None
        for user, grp in reco.groupby(USER_ID, sort=False):
            try:
                ex = explain(model, str(user), grp[ITEM_ID].tolist(), n=1, titles=names)
            except ConfigError:
                break
            why.append(ex[[USER_ID, ITEM_ID, "reason"]])
        if why:
            reco = reco.merge(pd.concat(why), on=[USER_ID, ITEM_ID], how="left")
    return reco


def examples(
    model: Recommender,
    train: pd.DataFrame,
    *,
    items: pd.DataFrame | None = None,
    n_users: int = 3,
    k: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """A few users' recent history beside their recommendations and the reason for each."""
    hist = train.groupby(USER_ID).size()
    rng = np.random.default_rng(seed)
    picks = rng.choice(hist.index.to_numpy(), size=min(n_users, len(hist)), replace=False)
    reco = recommendation_table(model, list(picks), k=k, items=items)
    reco.insert(1, "kind", "recommended")
    had = train[train[USER_ID].isin(picks)]
    if TIMESTAMP in had.columns:
        had = had.sort_values(TIMESTAMP, ascending=False, kind="stable")
    had = had.groupby(USER_ID, sort=False).head(k).assign(kind="history")
    if items is not None and TITLE in items.columns:
        titles = items.drop_duplicates(ITEM_ID).set_index(ITEM_ID)[TITLE]
        had = had.assign(**{TITLE: had[ITEM_ID].map(titles)})
    keep = [c for c in (USER_ID, "kind", ITEM_ID, TITLE, TIMESTAMP) if c in had.columns]
    out = pd.concat([had[keep], reco], ignore_index=True)
    order = {u: i for i, u in enumerate(picks.tolist())}
    out["_o"] = out[USER_ID].map(order)
    out = out.sort_values(["_o", "kind"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)
