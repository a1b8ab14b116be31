"""Model optimisation: tuning (Optuna); augmentation, compression and explanation to come."""

from __future__ import annotations

from opsai.optimize.tuning import make_storage, tune

__all__ = ["make_storage", "tune"]
