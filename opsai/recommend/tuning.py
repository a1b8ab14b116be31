"""Model registry and honest hyper-parameter tuning on a validation split carved from training.

:func:`make_model` builds a recommender by name; :func:`tune_model` splits the *training*
pairs again (per-user stratified with its own seed, or each user's latest pair for a
time-based split), searches the model's space with
:func:`opsai.optimize.tune` (seeded TPE) on validation nDCG@k, and returns the best
parameters — the test split is never looked at.

Example:
    >>> study = tune_model("ease", train, n_trials=10, seed=0)         # doctest: +SKIP
    >>> make_model("ease", **study.best_params).fit(train_matrix)      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import optuna
import pandas as pd

from opsai.data.schema import ITEM_ID, USER_ID
from opsai.errors import ConfigError
from opsai.optimize import tune
from opsai.recommend.content import ENCODERS, ContentRecommender
from opsai.recommend.interactions import InteractionMatrix
from opsai.recommend.linear import RP3beta, SeqEASE
from opsai.recommend.metrics import evaluate
from opsai.recommend.mf import ALS, BPR
from opsai.recommend.models import EASE, ItemKNN, Popularity, Recommender
from opsai.recommend.split import SplitMethod, validation_split

ModelName = Literal["popularity", "itemknn", "ease", "seqease", "rp3beta", "als", "bpr", "content"]
MODELS: dict[str, type[Recommender]] = {
    "popularity": Popularity,
    "itemknn": ItemKNN,
    "ease": EASE,
    "seqease": SeqEASE,
    "rp3beta": RP3beta,
    "als": ALS,
    "bpr": BPR,
    "content": ContentRecommender,
}


def _space_ease(t: optuna.Trial) -> dict[str, Any]:
    return {"l2": t.suggest_float("l2", 1.0, 5000.0, log=True)}


def _space_seqease(t: optuna.Trial) -> dict[str, Any]:
    return {
        "l2": t.suggest_float("l2", 1.0, 30.0, log=True),
        "emphasis": t.suggest_float("emphasis", 0.0, 0.7),
        "seq_weight": t.suggest_float("seq_weight", 0.0, 8.0),
        "seq_scale": t.suggest_float("seq_scale", 1.0, 30.0, log=True),
        "user_norm": t.suggest_float("user_norm", 0.0, 0.5),
    }


def _space_rp3beta(t: optuna.Trial) -> dict[str, Any]:
    return {
        "alpha": t.suggest_float("alpha", 0.3, 1.5),
        "beta": t.suggest_float("beta", 0.0, 0.8),
        "neighbors": t.suggest_int("neighbors", 20, 500, log=True),
    }


def _space_itemknn(t: optuna.Trial) -> dict[str, Any]:
    return {
        "neighbors": t.suggest_int("neighbors", 10, 500, log=True),
        "shrink": t.suggest_float("shrink", 0.0, 200.0),
    }


def _space_als(t: optuna.Trial) -> dict[str, Any]:
    return {
        "factors": t.suggest_categorical("factors", [64, 128, 200]),
        "regularization": t.suggest_float("regularization", 0.1, 100.0, log=True),
        "alpha": t.suggest_float("alpha", 0.5, 50.0, log=True),
    }


def _space_bpr(t: optuna.Trial) -> dict[str, Any]:
    return {
        "factors": t.suggest_categorical("factors", [64, 128, 200]),
        "learning_rate": t.suggest_float("learning_rate", 1e-3, 0.1, log=True),
        "regularization": t.suggest_float("regularization", 1e-4, 0.1, log=True),
        "iterations": t.suggest_int("iterations", 30, 150, log=True),
    }


def content_encoders(wanted: Sequence[str] | None = None) -> list[str]:
    """Content encoders to try: TF-IDF and the embedding models whose packages are installed.

    Args:
        wanted: restrict to these (default: every one of :data:`ENCODERS`).
    """
    from opsai.embed import available

    names = list(ENCODERS if wanted is None else wanted)
    bad = [n for n in names if n not in ENCODERS]
    if bad or not names:
        raise ConfigError(
            f"content encoders must be a non-empty subset of {', '.join(ENCODERS)}, got {names}"
        )
    return [n for n in names if n == "tfidf" or available(n)]  # type: ignore[arg-type]


def _space_content(t: optuna.Trial, encoders: Sequence[str] | None = None) -> dict[str, Any]:
    choices = content_encoders(encoders)
    enc = t.suggest_categorical("encoder", choices)
    if enc == "tfidf":
        return {"encoder": enc, "ngram_range": (1, t.suggest_int("max_ngram", 1, 2))}
    return {"encoder": enc}


SPACES: dict[str, Callable[[optuna.Trial], dict[str, Any]]] = {
    "ease": _space_ease,
    "seqease": _space_seqease,
    "rp3beta": _space_rp3beta,
    "itemknn": _space_itemknn,
    "als": _space_als,
    "bpr": _space_bpr,
    "content": _space_content,
}
"""Search space per model name (popularity has nothing to tune)."""
DEFAULTS: dict[str, dict[str, Any]] = {
    "ease": {"l2": 500.0},
    "seqease": {
        "l2": 5.0,
        "emphasis": 0.25,
        "seq_weight": 2.0,
        "seq_scale": 3.0,
        "user_norm": 0.15,
    },
    "rp3beta": {"alpha": 0.8, "beta": 0.4, "neighbors": 200},
    "content": {"encoder": "tfidf", "max_ngram": 1},
    "itemknn": {"neighbors": 100, "shrink": 10.0},
    "als": {"factors": 128, "regularization": 30.0, "alpha": 5.0},
    "bpr": {"factors": 128, "learning_rate": 0.01, "regularization": 0.01, "iterations": 100},
}
"""The models' own defaults in their search space, tried first so the gain is measured."""


def make_model(name: str, **params: Any) -> Recommender:
    """A recommender by registry name with the given options."""
    if name not in MODELS:
        raise ConfigError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name](**params_from_trial(name, params))


def params_from_trial(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Constructor options from an Optuna ``best_params`` dict."""
    out = dict(params)
    if "max_ngram" in out:
        out["ngram_range"] = (1, int(out.pop("max_ngram")))
    return out


def _valid_users(
    valid: pd.DataFrame, im: InteractionMatrix, max_users: int | None, seed: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Validation pairs of users the fit part knows, capped at a seeded sample of users."""
    users = pd.unique(valid.loc[valid[USER_ID].isin(set(im.user_ids)), USER_ID])
    if max_users is not None and len(users) > max_users:
        users = np.random.default_rng(seed).choice(users, size=max_users, replace=False)
    return valid[valid[USER_ID].isin(set(users))], np.asarray(users)


def _has_default(name: str, encoders: Sequence[str] | None) -> bool:
    if name == "content":
        return "tfidf" in content_encoders(encoders)
    return name in DEFAULTS


def tune_model(
    name: str,
    train: pd.DataFrame,
    *,
    n_trials: int = 20,
    timeout: float | None = None,
    k: int = 10,
    ratio: float = 0.75,
    items: pd.DataFrame | None = None,
    binary: bool = True,
    fixed: dict[str, Any] | None = None,
    encoders: Sequence[str] | None = None,
    valid: pd.DataFrame | None = None,
    max_users: int | None = 5000,
    split_method: SplitMethod = "stratified",
    seed: int = 0,
) -> optuna.Study:
    """Tune one model on a validation split carved from ``train``.

    Args:
        name: a key of :data:`SPACES`.
        train: training pairs (``user_id, item_id`` and optional ``weight``).
        n_trials: Optuna trials.
        timeout: seconds for the study (optional).
        k: the cut-off of the nDCG that is maximised.
        ratio: share of each user's training pairs kept to fit on; the rest is validation
            (stratified carving only).
        items: the catalogue (for the content model).
        binary: fit on 0/1 interactions instead of weights.
        fixed: options held fixed in every trial (e.g. ``{"num_threads": 1}``).
        encoders: content model only: the text encoders to choose from (default: TF-IDF
            and every installed embedding model).
        valid: a validation split made beforehand; ``train`` is then fitted on as it is
            (so several models can share one carving).
        max_users: validation users scored per trial (a seeded sample; ``None``: all).
        split_method: how the carving is made when ``valid`` is not given: ``"stratified"``
            or ``"time"`` (each user's latest pair; see
            :func:`~opsai.recommend.split.validation_split`).
        seed: seeds the carving split, the sampler and the models.

    Returns:
        The study; ``study.best_params`` (pass through :func:`params_from_trial`) and
        ``study.best_value`` (validation nDCG@k).
    """
    if name not in SPACES:
        raise ConfigError(f"tune_model: no search space for {name!r}; have {', '.join(SPACES)}")
    if valid is None:
        fit_part, valid = validation_split(train, method=split_method, ratio=ratio, seed=seed + 1)
    else:
        fit_part = train
    catalog = items[ITEM_ID].astype(str) if items is not None else None
    im = InteractionMatrix.from_frame(fit_part, items=catalog, binary=binary)
    valid, users = _valid_users(valid, im, max_users, seed)
    seeded = {"seed": seed} if name in ("als", "bpr") else {}

    def objective(trial: optuna.Trial) -> float:
        space = SPACES[name](trial) if name != "content" else _space_content(trial, encoders)
        params = params_from_trial(name, space) | seeded | dict(fixed or {})
        model = MODELS[name](**params)
        if isinstance(model, ContentRecommender):
            model.fit(im, items=items)
        else:
            model.fit(im)
        reco = model.recommend(users, k)
        return evaluate(reco, valid, k=k)[f"ndcg_at_{k}"]

    return tune(objective, n_trials=n_trials, timeout=timeout, direction="maximize", seed=seed,
                enqueue=[DEFAULTS[name]] if _has_default(name, encoders) else None)  # fmt: skip


def tune_hybrid(
    components: list[tuple[str, Recommender]],
    fit_part: pd.DataFrame,
    valid: pd.DataFrame,
    *,
    items: pd.DataFrame | None = None,
    n_trials: int = 20,
    k: int = 10,
    binary: bool = True,
    max_users: int | None = 5000,
    timeout: float | None = None,
    seed: int = 0,
) -> tuple[list[float], float]:
    """Blend weights of a :class:`~opsai.recommend.hybrid.Hybrid` chosen on validation.

    The components (already configured, e.g. with tuned options) are fitted once on
    ``fit_part``; each trial only re-weights them. Equal weights are tried first. The
    options are those of :func:`tune_model`.

    Returns:
        ``(weights, validation nDCG@k)``, weights in the order of ``components``.
    """
    from opsai.recommend.hybrid import Hybrid

    catalog = items[ITEM_ID].astype(str) if items is not None else None
    im = InteractionMatrix.from_frame(fit_part, items=catalog, binary=binary)
    hy = Hybrid(models=components).fit(im, items=items)
    valid, users = _valid_users(valid, im, max_users, seed)
    names = [f"w_{name}" for name, _ in components]

    def objective(trial: optuna.Trial) -> float:
        w = [trial.suggest_float(n, 0.0, 1.0) for n in names]
        if sum(w) <= 0:
            return 0.0
        return evaluate(hy.reweight(w).recommend(users, k), valid, k=k)[f"ndcg_at_{k}"]

    study = tune(
        objective,
        n_trials=n_trials,
        timeout=timeout,
        seed=seed,
        enqueue=[dict.fromkeys(names, 1.0)],
    )
    return [float(study.best_params[n]) for n in names], float(study.best_value)
