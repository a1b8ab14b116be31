"""The market chapter's forecaster: :class:`~opsai.forecast.Theta` that always uses the season.

Imported lazily by :func:`opsai.market.trends.trend_forecast` (``opsai.forecast`` pulls in
Ibis), so ``import opsai.market`` stays light.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from opsai.forecast.models import Theta, seasonal_indices

__all__ = ["SeasonalTheta"]


class SeasonalTheta(Theta):
    """:class:`~opsai.forecast.Theta` whose seasonal step runs whenever the series holds two
    full seasons of positive values, not only when it passes Theta's autocorrelation test.

    The test looks at the raw autocorrelation at lag ``m``, which a trend swamps: two or three
    years of a growing monthly market with a clear December peak rarely pass it, and Theta
    then forecasts the average month. Market size is seasonal by construction (the same
    calendar drives every company), so the chapter uses this for it; intervals stay
    :class:`~opsai.forecast.LocalForecaster`'s conformal ones, each origin refitting its own
    seasonal indices (no look-ahead).
    """

    def _fit_one(self, y: np.ndarray) -> Any:
        y = np.asarray(y, dtype=float)
        m = int(self.season_length)
        if m > 1 and len(y) >= 2 * m and bool(np.all(y > 0)):
            index = seasonal_indices(y, m)
            level, b, alpha, n, _ = Theta(season_length=1)._fit_one(y / np.resize(index, len(y)))
            return level, b, alpha, n, index
        return super()._fit_one(y)
