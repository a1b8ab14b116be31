"""A mean over a quantised ``EmbeddingBag``'s rows (torch imported with this module).

torch's quantised ``EmbeddingBag`` keeps ``mode="mean"`` from the float module but always
sums (its forward passes mode 0 to ``quantized::embedding_bag_byte``, torch 2.13): the int8
fastText intent network then scaled every ticket's vector by its length, so its
probabilities saturated, and a 56,000-n-gram ticket in a batch pushed the dynamic ``Linear``'s
activation scale so far that the whole batch was misread (accuracy 0.03 against 0.85).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class MeanBag(nn.Module):
    """Wraps a quantised ``EmbeddingBag`` (which sums) and divides by each bag's length."""

    def __init__(self, bag: Any) -> None:
        super().__init__()
        self.bag = bag

    def forward(
        self, indices: torch.Tensor, offsets: torch.Tensor | None = None, **kw: Any
    ) -> torch.Tensor:
        out = self.bag(indices, offsets, **kw)
        if offsets is None:  # 2-D input: every bag has the same length
            return out / max(int(indices.shape[1]), 1)
        ends = (
            offsets[1:]
            if self.bag.include_last_offset
            else offsets.new_tensor([*offsets[1:].tolist(), len(indices)])
        )
        starts = offsets[:-1] if self.bag.include_last_offset else offsets
        return out / (ends - starts).clamp(min=1).to(out.dtype).unsqueeze(1)


def mean_bags(net: Any, modes: dict[str, str]) -> Any:
    """``net`` with each quantised bag that was ``mode="mean"`` (by module name) wrapped."""
    for name, mode in modes.items():
        if mode != "mean":
            continue
        parent, _, leaf = name.rpartition(".")
        owner = net.get_submodule(parent) if parent else net
        setattr(owner, leaf, MeanBag(getattr(owner, leaf)))
    return net
