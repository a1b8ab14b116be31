"""Chapter 3a's saved models: the churn classifier with its feature settings, and BG/NBD + Gamma-Gamma.

The churn model is a :class:`~opsai.behavior.ChurnModel`; what it scores is a
:func:`~opsai.behavior.churn_frame` built as of the data's last order (cut-off one second
after it), with the same horizon and inputs (events, users) and the saved feature names.
Gradient boosting is written with skops; the torch MLP's weights go to safetensors and the
rest of it (scaler, calibration) to skops, without the network.

Example:
    >>> save_user_behavior(run_dir, model=models[best], features=cols, horizon_days=90,
    ...                    orders=orders, uses_events=True, uses_users=True,
    ...                    bg=bg_all, gg=gg_all, metrics=scores[best])   # doctest: +SKIP
    >>> saved = load_user_behavior(run_dir)                              # doctest: +SKIP
    >>> saved.churn.predict_proba(frame[saved.features])                 # doctest: +SKIP
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from opsai.behavior.churn_model import ChurnModel
from opsai.behavior.clv import BetaGeo, GammaGamma
from opsai.behavior.mlp import MLPClassifier
from opsai.errors import NotFittedError
from opsai.models.store import BundleWriter, ModelStoreError, models_dir, open_bundle

CHAPTER = "03a_user_behavior"
CUTOFF_RULE = "last_order_plus_1s"
"""Features are computed from every order before one second after the data's last order."""


@dataclass
class UserBehaviorModels:
    """What :func:`load_user_behavior` returns."""

    churn: ChurnModel
    features: list[str]
    horizon_days: int
    uses_events: bool
    uses_users: bool
    bg: BetaGeo | None
    gg: GammaGamma | None
    clv_weeks: float
    manifest: dict[str, Any]
    purchases: dict[str, Any] | None = None
    """How orders were read from events (``event``, ``value``) when the data had no orders."""
    event_types: list[str] | None = None
    """The event types counted in ``ev_n_<type>`` features that the training events held
    (None: not recorded)."""


def _mlps(obj: Any, depth: int = 0) -> list[MLPClassifier]:
    """Every MLPClassifier inside a (calibrated, frozen) classifier, each once."""
    if isinstance(obj, MLPClassifier):
        return [obj]
    if depth > 4:
        return []
    found: list[MLPClassifier] = []
    for child in [getattr(obj, "estimator", None), *getattr(obj, "calibrated_classifiers_", [])]:
        if child is not None:
            found += [m for m in _mlps(child, depth + 1) if all(m is not f for f in found)]
    return found


def _mlp_net(mlp: MLPClassifier, state: Mapping[str, Any]) -> Any:
    """The network :meth:`MLPClassifier.fit` builds, with the saved weights."""
    import torch
    from torch import nn

    blocks: list[Any] = []
    width = int(mlp.scaler_.n_features_in_)
    for _ in range(int(mlp.layers)):
        blocks += [nn.Linear(width, int(mlp.hidden)), nn.ReLU(), nn.Dropout(float(mlp.dropout))]
        width = int(mlp.hidden)
    net = nn.Sequential(*blocks, nn.Linear(width, 1))
    net.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()})
    return net.eval()


def save_user_behavior(
    output_dir: str | os.PathLike[str],
    *,
    model: ChurnModel,
    features: list[str],
    horizon_days: int,
    orders: Any,
    uses_events: bool,
    uses_users: bool,
    bg: BetaGeo | None = None,
    gg: GammaGamma | None = None,
    clv_weeks: float = 52.0,
    metrics: Mapping[str, Any] | None = None,
    purchases: Mapping[str, Any] | None = None,
    events: Any = None,
) -> Path:
    """Save the chosen churn model and the CLV parameters into ``<output_dir>/models/03a_user_behavior``.

    Args:
        output_dir: the run folder (the notebook's ``report.current().output_dir``).
        model: the fitted churn model chosen in the chapter.
        features: the feature columns it was trained on, in order.
        horizon_days: the churn horizon (label window) in days.
        orders: the orders table (Ibis or pandas), for the data window.
        uses_events, uses_users: whether its features came with events / users attributes.
        bg, gg: fitted BG/NBD and Gamma-Gamma models (optional).
        clv_weeks: the CLV horizon in weeks.
        metrics: the model's test metrics, kept in the manifest.
        purchases: the ``info`` of :func:`opsai.behavior.purchases.orders_from_events` when
            the orders were read from events (scoring new data reads them the same way).
        events: the events table the features came from; the event types its ``ev_n_<type>``
            features counted are recorded, so scoring can say when new data lacks one.

    Returns:
        The bundle folder.
    """
    from opsai.behavior._engine import as_table, to_frame
    from opsai.data.schema import EVENT, TIMESTAMP

    if not hasattr(model, "calibrated_"):
        raise NotFittedError("save_user_behavior: the churn model is not fitted")
    w = BundleWriter(models_dir(output_dir) / CHAPTER)
    cal = copy.deepcopy(model.calibrated_)
    mlps = _mlps(cal)
    if mlps:
        w.arrays("churn_mlp", mlps[0].net_.state_dict())
        for m in mlps:
            del m.net_
    w.sklearn("churn_classifier", cal)
    counted = [f.removeprefix("ev_n_") for f in features if f.startswith("ev_n_")]
    types = None
    if events is not None and counted:
        ev = as_table(events, name="events")
        held = ev.filter(ev[EVENT].isin(counted)).select(EVENT).distinct()
        types = sorted(map(str, to_frame(held)[EVENT]))
    w.json(
        "churn",
        {
            "model": model.model,
            "calibration": model.calibration,
            "seed": model.seed,
            "features": list(features),
            "horizon_days": int(horizon_days),
            "cutoff_rule": CUTOFF_RULE,
            "uses_events": bool(uses_events),
            "uses_users": bool(uses_users),
            "best_params": getattr(model, "best_params_", {}),
            "validation_auc": getattr(model, "validation_auc_", None),
            "purchases": (
                {"event": purchases["event"], "value": purchases["value"]} if purchases else None
            ),
            "event_types": types,
        },
    )
    if bg is not None and gg is not None:
        w.json(
            "clv",
            {
                "bgnbd": bg.params_,
                "gamma_gamma": gg.params_,
                "unit_days": 7.0,
                "clv_weeks": float(clv_weeks),
            },
        )
    t = as_table(orders, name="orders")
    span = to_frame(t.aggregate(lo=t[TIMESTAMP].min(), hi=t[TIMESTAMP].max())).iloc[0]
    return w.finish(
        chapter=CHAPTER,
        metrics={"churn_model": model.model, **dict(metrics or {})},
        data_window=(span["lo"], span["hi"]),
        info={"horizon_days": int(horizon_days), "features": len(features)},
    )


def load_user_behavior(run_dir: str | os.PathLike[str]) -> UserBehaviorModels:
    """Load (and verify) chapter 3a's models from a run folder.

    Raises:
        ModelStoreError: the bundle is missing, changed, or holds untrusted types.
    """
    b = open_bundle(models_dir(run_dir) / CHAPTER)
    spec = b.json("churn")
    cal = b.sklearn("churn_classifier")
    mlps = _mlps(cal)
    if mlps:
        if not b.has("churn_mlp", "arrays"):
            raise ModelStoreError(
                f"{b.folder}: the MLP's weights (churn_mlp.safetensors) are missing"
            )
        net = _mlp_net(mlps[0], b.arrays("churn_mlp"))
        for m in mlps:
            m.net_ = net
    model = ChurnModel(model=spec["model"], calibration=spec["calibration"], seed=spec["seed"])
    model.features_ = list(spec["features"])
    model.calibrated_ = cal
    inner = cal
    while hasattr(inner, "estimator") and not isinstance(inner, MLPClassifier):
        inner = inner.estimator
    model.estimator_ = inner
    model.best_params_ = dict(spec.get("best_params") or {})
    model.validation_auc_ = spec.get("validation_auc")
    bg = gg = None
    weeks = 52.0
    if b.has("clv", "json"):
        clv = b.json("clv")
        bg, gg = BetaGeo(), GammaGamma()
        bg.params_ = {k: float(v) for k, v in clv["bgnbd"].items()}
        gg.params_ = {k: float(v) for k, v in clv["gamma_gamma"].items()}
        weeks = float(clv.get("clv_weeks", 52.0))
    return UserBehaviorModels(
        churn=model,
        features=list(spec["features"]),
        horizon_days=int(spec["horizon_days"]),
        uses_events=bool(spec["uses_events"]),
        uses_users=bool(spec["uses_users"]),
        bg=bg,
        gg=gg,
        clv_weeks=weeks,
        manifest=b.manifest,
        purchases=spec.get("purchases"),
        event_types=spec.get("event_types"),
    )
