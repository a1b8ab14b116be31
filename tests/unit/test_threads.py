"""opsai.threads.torch_threads: sets torch's thread count for a block and always restores it."""

from __future__ import annotations

import pytest
import torch

from opsai.threads import torch_threads

pytestmark = pytest.mark.unit


def test_sets_and_restores_even_after_an_error() -> None:
    before = torch.get_num_threads()
    other = 1 if before != 1 else 2
    with torch_threads(other):
        assert torch.get_num_threads() == other
    assert torch.get_num_threads() == before
    with pytest.raises(RuntimeError, match="boom"), torch_threads(other):
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before


def test_none_leaves_the_count_alone_and_zero_means_one() -> None:
    before = torch.get_num_threads()
    with torch_threads(None):
        assert torch.get_num_threads() == before
    with torch_threads(0):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before


def test_the_service_heads_train_on_one_thread(monkeypatch) -> None:
    import numpy as np

    from opsai.service import _torch_head

    seen: list[int] = []
    real = _torch_head.MLPHead._fit

    def spy(self, torch_mod, X, y):
        seen.append(torch_mod.get_num_threads())
        return real(self, torch_mod, X, y)

    monkeypatch.setattr(_torch_head.MLPHead, "_fit", spy)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    _torch_head.MLPHead(hidden=8, epochs=2, seed=0).fit(X, (X[:, 0] > 0).astype(int))
    assert seen == [1]
