"""Accuracy metrics against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from opsai.forecast.metrics import bias, coverage, mase, mase_scale, smape, wape

pytestmark = pytest.mark.unit


def test_smape_m3_definition() -> None:
    # 200*|10-8|/18 = 22.222..., 200*|5-5|/10 = 0, 200*|0-0| -> 0, 200*|4-6|/10 = 40
    assert smape([10, 5, 0, 4], [8, 5, 0, 6]) == pytest.approx((200 * 2 / 18 + 0 + 0 + 40) / 4)


def test_smape_bounded_by_200() -> None:
    assert smape([0, 0], [1, 3]) == pytest.approx(200.0)


def test_mase_against_seasonal_naive_scale() -> None:
    x = np.array([1, 2, 3, 4, 2, 3, 4, 5.0])  # m=4: |2-1|,|3-2|,|4-3|,|5-4| -> scale 1
    assert mase_scale(x, 4) == pytest.approx(1.0)
    assert mase([6, 7], [5, 5], x, 4) == pytest.approx(1.5)
    # m=1: mean |diff| = (1+1+1+2+1+1+1)/7
    assert mase_scale(x, 1) == pytest.approx(8 / 7)


def test_mase_constant_training_series_is_nan() -> None:
    assert np.isnan(mase([1], [2], np.ones(10), 1))


def test_wape_bias_coverage() -> None:
    y, f = np.array([10, 0, 30.0]), np.array([12, 1, 24.0])
    assert wape(y, f) == pytest.approx((2 + 1 + 6) / 40)
    assert bias(y, f) == pytest.approx((2 + 1 - 6) / 40)
    assert coverage(y, f - 3, f + 2) == pytest.approx(2 / 3)  # [9,14] [-2,3] in, [21,26] out
    assert np.isnan(wape([0, 0], [1, 1]))
