"""Churn classifiers (gradient boosting, a torch MLP or logistic regression), tuned, calibrated.

Example:
    >>> m = ChurnModel(model="gbm", n_trials=10, seed=0).fit(train[cols], train["churned"])  # doctest: +SKIP
    >>> evaluate(test["churned"], m.predict_proba(test[cols])[:, 1])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import optuna
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from opsai.behavior.mlp import MLPClassifier
from opsai.errors import ConfigError, NotFittedError
from opsai.optimize import tune
from opsai.threads import torch_threads

CALIBRATION_FOLDS = 5
"""Stratified folds of the probability calibration (fewer when the rarer class is smaller)."""
MIN_CLASS = 10
"""Fewest training users of the rarer class (churned or stayed) a churn model is trained on:
with fewer, a validation split holds two or three of them and tuning, calibration and the
ranking it reports are noise (the usual ten-events-per-model rule of thumb)."""

ModelKind = Literal["gbm", "mlp", "logistic"]
Calibration = Literal["sigmoid", "isotonic", "none"]


def signed_log1p(X: np.ndarray) -> np.ndarray:
    """``sign(x) * log(1 + |x|)``: tames counts and money before a linear model."""
    X = np.asarray(X, dtype=float)
    return np.sign(X) * np.log1p(np.abs(X))


def _build(kind: ModelKind, params: dict[str, Any], seed: int) -> Any:
    if kind == "gbm":
        return HistGradientBoostingClassifier(random_state=seed, **params)
    if kind == "mlp":
        return MLPClassifier(seed=seed, **params)
    if kind == "logistic":  # missing values: the median plus a was-missing flag
        return make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            FunctionTransformer(signed_log1p), StandardScaler(),
            LogisticRegression(C=params["C"], max_iter=2000, random_state=seed),
        )  # fmt: skip
    raise ConfigError(f"ChurnModel: model must be 'gbm', 'mlp' or 'logistic', got {kind!r}")


def _suggest(kind: ModelKind, trial: optuna.Trial, fast: bool) -> dict[str, Any]:
    if kind == "gbm":
        return {
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
            "max_leaf_nodes": trial.suggest_int("max_leaf_nodes", 4, 48, log=True),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 5, 100, log=True),
            "l2_regularization": trial.suggest_float("l2_regularization", 1e-4, 10.0, log=True),
            "max_iter": trial.suggest_int("max_iter", 50, 150 if fast else 400, log=True),
        }
    if kind == "logistic":
        return {"C": trial.suggest_float("C", 1e-3, 10.0, log=True)}
    return {
        "hidden": trial.suggest_categorical("hidden", [16, 32, 64]),
        "layers": trial.suggest_int("layers", 1, 2),
        "dropout": trial.suggest_float("dropout", 0.0, 0.4),
        "lr": trial.suggest_float("lr", 1e-3, 1e-2, log=True),
        "weight_decay": trial.suggest_float("weight_decay", 1e-6, 1e-2, log=True),
        "epochs": trial.suggest_int("epochs", 10, 25 if fast else 60),
    }


DEFAULTS: dict[str, dict[str, Any]] = {
    "gbm": {"learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 20,
            "l2_regularization": 1e-4, "max_iter": 100},
    "mlp": {"hidden": 32, "layers": 2, "dropout": 0.1, "lr": 3e-3, "weight_decay": 1e-4,
            "epochs": 20},
    "logistic": {"C": 1.0},
}  # fmt: skip


def make_objective(
    kind: ModelKind,
    Xt: np.ndarray,
    yt: np.ndarray,
    Xv: np.ndarray,
    yv: np.ndarray,
    *,
    fast: bool = False,
    seed: int = 0,
    keep: Callable[[optuna.Trial, Any, float], None] | None = None,
) -> Callable[[optuna.Trial], float]:
    """The tuning objective: validation ROC-AUC of the trial's model (fitted on ``Xt, yt``).

    The score is reported while the model trains, so a pruner can stop a bad trial: after
    each quarter of the trees (gradient boosting grown with ``warm_start``: the same trees as
    one fit) or each fifth of the epochs (MLP). ``keep(trial, model, auc)`` sees every
    finished model (e.g. to keep the best one instead of refitting it).
    """

    def auc(est: Any) -> float:
        return float(roc_auc_score(yv, est.predict_proba(Xv)[:, 1]))

    def check(trial: optuna.Trial, score: float, step: int, last: int) -> None:
        trial.report(score, step)
        if step < last and trial.should_prune():  # a finished model is not thrown away
            raise optuna.TrialPruned()

    def objective(trial: optuna.Trial) -> float:
        params = _suggest(kind, trial, fast)
        if kind == "gbm":
            total = int(params["max_iter"])
            est = _build(kind, params, seed).set_params(warm_start=True)
            for n in sorted({max(1, round(total * q / 4)) for q in (1, 2, 3, 4)}):
                score = auc(est.set_params(max_iter=n).fit(Xt, yt))
                stopped = est.n_iter_ < n  # its own early stopping ended it, as in one fit
                check(trial, score, n, n if stopped else total)
                if stopped:
                    break
            est.set_params(max_iter=total, warm_start=False)
        elif kind == "logistic":  # one quick fit: nothing to prune
            est = _build(kind, params, seed).fit(Xt, yt)
            score = auc(est)
        else:
            epochs = int(params["epochs"])
            every = max(1, epochs // 5)
            seen: list[float] = []

            def on_epoch(epoch: int, model: Any) -> None:
                if (epoch + 1) % every == 0 or epoch + 1 == epochs:
                    seen.append(auc(model))
                    check(trial, seen[-1], epoch + 1, epochs)

            est = _build(kind, params, seed).fit(Xt, yt, on_epoch=on_epoch)
            score = seen[-1]
        if keep is not None:
            keep(trial, est, score)
        return score

    return objective


class ChurnModel(BaseEstimator):
    """A tuned, calibrated binary classifier for churn (or repeat purchase).

    ``fit`` carves a stratified validation set from the training rows, tunes the model's
    hyper-parameters on validation ROC-AUC with :func:`opsai.optimize.tune` (the library
    defaults are tried first), refits the best on the training part and calibrates its
    probabilities on the validation part.

    Args:
        model: ``'gbm'`` (scikit-learn histogram gradient boosting), ``'mlp'`` (torch) or
            ``'logistic'`` (L2 logistic regression on signed-log, standardised features,
            missing values imputed with a flag; strong when the signal is mostly monotone).
        n_trials: Optuna trials (1: the defaults only).
        calibration: ``'sigmoid'`` (Platt), ``'isotonic'`` or ``'none'``.
        val_size: share of the training rows held out for tuning and calibration.
        fast: smaller search ranges (tests and ``FAST`` runs).
        threads: OpenMP/BLAS/torch threads while fitting (small models run fastest, and
            share a busy machine best, on one; ``None``: the library default).
        seed: seeds the split, the sampler and the model.

    Attributes:
        best_params_, study_, estimator_ (uncalibrated), calibrated_, features_,
        validation_auc_, calibration_folds_ (``CALIBRATION_FOLDS``, fewer when the validation
        rows hold fewer of the rarer class, 0: not calibrated).
    """

    def __init__(
        self,
        *,
        model: ModelKind = "gbm",
        n_trials: int = 20,
        calibration: Calibration = "sigmoid",
        val_size: float = 0.25,
        fast: bool = False,
        threads: int | None = 1,
        seed: int = 0,
    ) -> None:
        self.model = model
        self.threads = threads
        self.n_trials = n_trials
        self.calibration = calibration
        self.val_size = val_size
        self.fast = fast
        self.seed = seed

    def fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> ChurnModel:
        with threadpool_limits(self.threads), torch_threads(self.threads):
            return self._fit(X, y)

    def _fit(self, X: pd.DataFrame, y: pd.Series | np.ndarray) -> ChurnModel:
        if self.model not in DEFAULTS:
            raise ConfigError(
                f"ChurnModel: model must be 'gbm', 'mlp' or 'logistic', got {self.model!r}"
            )
        if self.calibration not in ("sigmoid", "isotonic", "none"):
            raise ConfigError(
                f"ChurnModel: calibration must be 'sigmoid', 'isotonic' or 'none', got {self.calibration!r}"
            )
        y = np.asarray(y).astype(int)
        if len(np.unique(y)) < 2:  # which way the horizon should move depends on the class
            who, fix = ("churned", "longer") if y[:1].sum() else ("stayed", "shorter")
            raise ConfigError(
                f"ChurnModel: all {len(y):,} users {who} (the label has one class only), so "
                f"there is nothing to learn. Use a {fix} horizon_days (HORIZON_DAYS in chapter "
                "3a) or more data"
            )
        self.features_ = list(X.columns)
        Xa = X.to_numpy(dtype=float)
        Xt, Xv, yt, yv = train_test_split(
            Xa, y, test_size=self.val_size, stratify=y, random_state=self.seed
        )

        kept: dict[str, Any] = {}  # the best trial's model, so it is not fitted twice

        def keep(trial: optuna.Trial, est: Any, auc: float) -> None:
            if not kept or auc > kept["auc"]:
                kept.update(auc=auc, number=trial.number, est=est)

        objective = make_objective(self.model, Xt, yt, Xv, yv, fast=self.fast, seed=self.seed,
                                   keep=keep)  # fmt: skip
        self.study_ = tune(objective, n_trials=self.n_trials, direction="maximize",
                           seed=self.seed, enqueue=[DEFAULTS[self.model]])  # fmt: skip
        self.best_params_ = dict(self.study_.best_params)
        self.validation_auc_ = float(self.study_.best_value)
        if kept and kept["number"] == self.study_.best_trial.number:
            self.estimator_ = kept["est"]
        else:
            self.estimator_ = _build(self.model, self.best_params_, self.seed).fit(Xt, yt)
        # calibration folds need members of each class: fewer folds for a rare class, and
        # none (the uncalibrated model) when the validation rows hold a single one
        folds = min(CALIBRATION_FOLDS, int(np.bincount(yv, minlength=2).min()))
        self.calibration_folds_ = folds if self.calibration != "none" and folds >= 2 else 0
        if not self.calibration_folds_:
            self.calibrated_ = self.estimator_
        else:
            cal = CalibratedClassifierCV(
                FrozenEstimator(self.estimator_), method=self.calibration, cv=folds
            )
            self.calibrated_ = cal.fit(Xv, yv)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated ``[P(0), P(1)]`` per row."""
        if not hasattr(self, "calibrated_"):
            raise NotFittedError("ChurnModel is not fitted yet: call fit(X, y) first")
        return self.calibrated_.predict_proba(X[self.features_].to_numpy(dtype=float))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def importances(
        self, X: pd.DataFrame, y: pd.Series | np.ndarray, *, n_repeats: int = 5, seed: int = 0
    ) -> pd.DataFrame:
        """Permutation importance (drop in ROC-AUC) of each feature on held-out rows."""
        if not hasattr(self, "calibrated_"):
            raise NotFittedError("ChurnModel is not fitted yet: call fit(X, y) first")
        with threadpool_limits(self.threads), torch_threads(self.threads):
            r = permutation_importance(
                self.calibrated_, X[self.features_].to_numpy(dtype=float), np.asarray(y).astype(int),
                scoring="roc_auc", n_repeats=n_repeats, random_state=seed,
            )  # fmt: skip
        out = pd.DataFrame(
            {"feature": self.features_, "importance": r.importances_mean, "std": r.importances_std}
        )
        return out.sort_values("importance", ascending=False, ignore_index=True)


def churn_model_problem(
    train_label: pd.Series | np.ndarray,
    test_label: pd.Series | np.ndarray,
    *,
    min_class: int = MIN_CLASS,
) -> str:
    """Why no churn model should be trained on these labels ("" when one can be): fewer than
    ``min_class`` training users churned (or stayed), or the test users hold one class only
    (nothing to score a ranking on)."""
    y, t = np.asarray(train_label).astype(int), np.asarray(test_label).astype(int)
    churned, stayed = int(y.sum()), int(len(y) - y.sum())
    if min(churned, stayed) < min_class:
        who = "churned" if churned <= stayed else "stayed"
        return (
            f"only {min(churned, stayed):,} of the {len(y):,} training users {who}, fewer than "
            f"the {min_class} a churn model needs to learn from"
        )
    if len(np.unique(t)) < 2:
        who = "churned" if t[:1].sum() else "stayed"
        return f"all {len(t):,} test users {who}, so a churn ranking cannot be checked"
    return ""


def lift_at(y: np.ndarray | pd.Series, score: np.ndarray, *, top: float = 0.1) -> float:
    """Positive rate among the top ``top`` share of scores, over the overall positive rate."""
    y = np.asarray(y).astype(float)
    n = max(1, int(np.ceil(len(y) * top)))
    order = np.argsort(-np.asarray(score, float), kind="stable")[:n]
    base = y.mean()
    return float(y[order].mean() / base) if base > 0 else float("nan")


def evaluate(y: np.ndarray | pd.Series, score: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC, lift at the top decile, Brier score and the base rate."""
    y = np.asarray(y).astype(int)
    p = np.asarray(score, float)
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "top_decile_lift": lift_at(y, p, top=0.1),
        "brier": float(brier_score_loss(y, np.clip(p, 0, 1))),
        "base_rate": float(y.mean()),
    }


def calibration_table(
    y: np.ndarray | pd.Series, proba: np.ndarray, *, bins: int = 10
) -> pd.DataFrame:
    """Mean predicted vs observed rate per probability bin (for the calibration plot)."""
    df = pd.DataFrame({"y": np.asarray(y).astype(float), "p": np.asarray(proba, float)})
    df["bin"] = np.minimum((df["p"] * bins).astype(int), bins - 1)
    g = df.groupby("bin").agg(predicted=("p", "mean"), observed=("y", "mean"), users=("y", "size"))
    return g.reset_index()
