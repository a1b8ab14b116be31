"""Model compression: dynamic int8 quantisation, magnitude pruning and distillation.

Works on the torch networks the chapters train (intent classifier, neural forecaster, churn
MLP; :mod:`opsai.optimize.compress_targets` wraps each one as a :class:`Target`):

* :func:`quantize` — ``torch.ao.quantization.quantize_dynamic``: int8 ``Linear`` weights with
  activations quantised on the fly, int8 ``EmbeddingBag`` rows with float scale/offset;
* :func:`prune` — L1 (magnitude) unstructured pruning of each layer's weights with
  ``torch.nn.utils.prune``, made permanent; :func:`sparsity` reports the zero share;
* :func:`distill` — trains a smaller student on the teacher's outputs: softened probabilities
  with temperature ``T`` (Hinton et al. 2015; softmax or, for one logit, sigmoid) mixed with
  the hard labels, or the mean squared error on the teacher's outputs for a regressor.

:func:`compression_table` measures every variant (serialised ``state_dict`` size, median
latency per item over repeated batches, the task metric before and after) and :func:`choose`
picks the smallest one whose relative metric loss is within a tolerance, else the original.

Example:
    >>> nets = {}
    >>> table = compression_table([churn_target(train, test)], keep=nets)  # doctest: +SKIP
    >>> pick = choose(table, tolerance=0.01).iloc[0]                       # doctest: +SKIP
    >>> deployed = nets[pick.model, pick.variant]                          # doctest: +SKIP
"""

from __future__ import annotations

import copy
import io
import statistics
import time
import warnings
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from opsai.errors import ConfigError

__all__ = [
    "Target",
    "choose",
    "compression_table",
    "distill",
    "latency_ms",
    "prune",
    "quantize",
    "size_bytes",
    "sparsity",
    "subnormal",
]

DistillKind = Literal["softmax", "sigmoid", "mse"]
Variant = Literal["int8", "pruned", "distilled"]
_PRUNABLE = ("Linear", "EmbeddingBag", "Embedding", "Conv1d", "Conv2d")


@dataclass
class Target:
    """One trained network with what is needed to measure and shrink it.

    Attributes:
        name: the model's name in the table (``"intent"``, ``"forecast"``, ``"churn"``).
        net: the trained teacher ``torch.nn.Module`` (in eval mode).
        evaluate: the task metric on held-out data with a given network in the model's place.
        metric: the metric's name (``"accuracy"``, ``"wape"``, ``"roc_auc"``).
        higher_is_better: direction of ``metric``.
        forward: runs a given network on a fixed held-out batch (timed for latency).
        n_items: items in that batch.
        student: trains and returns a smaller network for a seed (``None``: no distillation).
    """

    name: str
    net: Any
    evaluate: Callable[[Any], float]
    metric: str
    higher_is_better: bool
    forward: Callable[[Any], Any]
    n_items: int
    student: Callable[[int], Any] | None = None


def quantize(net: Any) -> Any:
    """A copy of ``net`` with dynamic int8 ``Linear`` and weight-only int8 ``EmbeddingBag``
    (a ``mode="mean"`` bag still averages: see :mod:`opsai.optimize._mean_bag`)."""
    import torch
    from torch import nn
    from torch.ao.quantization import (
        default_dynamic_qconfig,
        float_qparams_weight_only_qconfig,
        quantize_dynamic,
    )

    from opsai.optimize._mean_bag import mean_bags

    spec: dict[Any, Any] = {nn.Linear: default_dynamic_qconfig}
    modes = {n: m.mode for n, m in net.named_modules() if isinstance(m, nn.EmbeddingBag)}
    if modes:
        spec[nn.EmbeddingBag] = float_qparams_weight_only_qconfig
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated in favour of torchao
        warnings.simplefilter("ignore")
        q = quantize_dynamic(copy.deepcopy(net).eval(), spec, dtype=torch.qint8)
    return mean_bags(q, modes)  # torch's int8 EmbeddingBag sums whatever its mode


def _weights(net: Any) -> list[Any]:
    return [m for m in net.modules() if type(m).__name__ in _PRUNABLE and hasattr(m, "weight")]


def prune(net: Any, amount: float) -> Any:
    """A copy of ``net`` with the ``amount`` share of smallest-magnitude weights of every
    layer set to zero (``torch.nn.utils.prune.l1_unstructured``, then ``prune.remove``)."""
    from torch.nn.utils import prune as tprune

    if not 0.0 <= float(amount) < 1.0:
        raise ConfigError(f"prune: amount must be in [0, 1), got {amount}")
    out = copy.deepcopy(net).eval()
    for m in _weights(out):
        tprune.l1_unstructured(m, name="weight", amount=float(amount))
        tprune.remove(m, "weight")  # permanent: a plain weight tensor with zeros, no mask
    return out


def _bits(t: Any) -> Any:
    """The float32 tensor's bit patterns without sign: read as integers, so the answer does
    not depend on ``torch.set_flush_denormal`` (which makes subnormals compare equal to 0)."""
    import torch

    return t.detach().float().contiguous().view(torch.int32) & 0x7FFFFFFF


def sparsity(net: Any) -> float:
    """Share of exactly-zero entries among the prunable layers' weights."""
    ws = [m.weight for m in _weights(net)]
    if not ws:
        return 0.0
    total = sum(int(w.numel()) for w in ws)
    return float(sum(int((_bits(w) == 0).sum()) for w in ws) / total)


def subnormal(net: Any) -> int:
    """Number of float32 values in ``net``'s state that are subnormal (non-zero, < ~1.18e-38)."""
    import torch

    out = 0
    for t in net.state_dict().values():
        if isinstance(t, torch.Tensor) and t.dtype == torch.float32:
            b = _bits(t)
            out += int(((b > 0) & (b < 0x00800000)).sum())
    return out


def size_bytes(net: Any, *, zipped: bool = False) -> int:
    """Bytes of ``torch.save(net.state_dict())`` (``zipped``: after zlib level 6, which is
    where pruning's zeros pay off)."""
    import torch

    buf = io.BytesIO()
    torch.save(net.state_dict(), buf)
    raw = buf.getvalue()
    return len(zlib.compress(raw, 6)) if zipped else len(raw)


def latency_ms(
    forward: Callable[[Any], Any],
    nets: Mapping[str, Any],
    n_items: int,
    *,
    repeats: int = 30,
    warmup: int = 3,
) -> dict[str, float]:
    """Median milliseconds per item over ``repeats`` timed calls of ``forward(net)``, per net.

    The nets take turns within each round, so a busy machine slows every variant alike
    rather than whichever happened to be timed during a spike.
    """
    import torch

    if repeats < 1 or n_items < 1:
        raise ConfigError(f"latency_ms: repeats and n_items must be >= 1, got {repeats}, {n_items}")
    times: dict[str, list[float]] = {k: [] for k in nets}
    with torch.inference_mode():
        for i in range(warmup + repeats):
            for name, net in nets.items():
                t0 = time.perf_counter()
                forward(net)
                if i >= warmup:
                    times[name].append(time.perf_counter() - t0)
    return {k: 1000.0 * statistics.median(v) / n_items for k, v in times.items()}


def distill(
    student: Any,
    make_batch: Callable[[np.ndarray], tuple[Any, ...]],
    teacher_out: Any,
    *,
    kind: DistillKind = "softmax",
    hard: Any | None = None,
    temperature: float = 2.0,
    alpha: float = 0.5,
    epochs: int = 30,
    lr: float = 1e-2,
    batch_size: int = 128,
    forward: Callable[..., Any] | None = None,
    seed: int = 0,
) -> Any:
    """Train ``student`` to imitate a teacher; returns the student in eval mode.

    Args:
        student: a fresh ``nn.Module``.
        make_batch: rows (indices) -> the student's forward arguments for those rows.
        teacher_out: the teacher's raw outputs (logits, or predictions for ``"mse"``) for
            every training row, a tensor of shape ``(n, k)`` or ``(n,)``.
        kind: ``"softmax"`` (multi-class logits), ``"sigmoid"`` (one logit) or ``"mse"``.
        hard: the true labels (class indices, or 0/1 for sigmoid); mixed in with weight
            ``1 - alpha`` (``None``: soft targets only).
        temperature: softening of both distributions (``T**2`` rescales the soft loss).
        alpha: weight of the soft-target loss.
        epochs, lr, batch_size: Adam training settings.
        forward: ``forward(student, *batch)`` if the student is not called as
            ``student(*batch)``.
        seed: seeds the initial batch order.
    """
    import torch
    from torch.nn import functional as F

    if kind not in ("softmax", "sigmoid", "mse"):
        raise ConfigError(f"distill: kind must be 'softmax', 'sigmoid' or 'mse', got {kind!r}")
    if temperature <= 0:
        raise ConfigError(f"distill: temperature must be > 0, got {temperature}")
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"distill: alpha must be in [0, 1], got {alpha}")
    T = float(temperature)
    n = int(teacher_out.shape[0])
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    run = forward or (lambda net, *a: net(*a))
    student.train()
    for _ in range(int(epochs)):
        order = rng.permutation(n)
        for b in range(0, n, batch_size):
            idx = order[b : b + batch_size]
            out = run(student, *make_batch(idx))
            t = teacher_out[idx]
            if kind == "mse":
                loss = F.mse_loss(out.reshape(t.shape), t)
            elif kind == "softmax":
                soft = F.kl_div(F.log_softmax(out / T, 1), F.softmax(t / T, 1),
                                reduction="batchmean") * T * T  # fmt: skip
                loss = alpha * soft
                if hard is not None:
                    loss = loss + (1 - alpha) * F.cross_entropy(out, hard[idx])
            else:
                o = out.reshape(t.shape)
                loss = (
                    alpha * F.binary_cross_entropy_with_logits(o / T, torch.sigmoid(t / T)) * T * T
                )
                if hard is not None:
                    loss = loss + (1 - alpha) * F.binary_cross_entropy_with_logits(o, hard[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return student.eval()


def _loss(before: float, after: float, higher_is_better: bool) -> float:
    drop = (before - after) if higher_is_better else (after - before)
    return float(drop / max(abs(before), 1e-12))


def compression_table(
    targets: Sequence[Target],
    *,
    variants: Sequence[Variant] = ("int8", "pruned", "distilled"),
    prune_amount: float = 0.5,
    repeats: int = 30,
    threads: int | None = 1,
    keep: dict[tuple[str, str], Any] | None = None,
    flush_denormal: bool = True,
    seed: int = 0,
) -> pd.DataFrame:
    """Size, latency and task metric of each target's original and compressed variants.

    Args:
        targets: the trained models (see :mod:`opsai.optimize.compress_targets`).
        variants: which compressed variants to build.
        prune_amount: share of each layer's weights pruned.
        repeats: timed batches per variant, the variants taking turns (the median is
            reported).
        threads: torch threads while timing (``None``: leave as is); 1 is fair on a shared box.
        flush_denormal: time with subnormal floats flushed to zero
            (``torch.set_flush_denormal``). Weight decay can leave weights of dead units
            subnormal, and CPUs compute with those many times slower (the demo's GlobalMLP
            had 110 and ran 47x slower); without the flush a pruned copy looks fast only
            because pruning zeroed them. ``subnormal`` counts them per variant either way.
        keep: a dict to fill with every network by ``(model, variant)``, so the variant
            :func:`choose` picks can be put in the model's place.
        seed: seeds the students.

    Returns:
        One row per model and variant: ``model``, ``variant``, ``size_kb`` (serialised
        ``state_dict``), ``size_kb_zip`` (zlib of it), ``sparsity``, ``latency_ms_per_item``,
        ``metric``, ``metric_before``, ``metric_after``, ``loss`` (relative degradation of the
        metric, positive = worse), ``subnormal`` (weights below float32's normal range) and
        ``speedup`` / ``size_ratio`` against the original.
    """
    import torch

    bad = [v for v in variants if v not in ("int8", "pruned", "distilled")]
    if bad:
        raise ConfigError(f"compression_table: unknown variants {bad}; use int8, pruned, distilled")
    if not 0.0 < prune_amount < 1.0:
        raise ConfigError(f"compression_table: prune_amount must be in (0, 1), got {prune_amount}")
    old = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(int(threads))
    if flush_denormal:
        torch.set_flush_denormal(True)
    rows: list[dict[str, Any]] = []
    try:
        for tg in targets:
            nets: dict[str, Any] = {"original": tg.net}
            if "int8" in variants:
                nets["int8"] = quantize(tg.net)
            if "pruned" in variants:
                nets[f"pruned_{round(100 * prune_amount)}"] = prune(tg.net, prune_amount)
            if "distilled" in variants and tg.student is not None:
                nets["distilled"] = tg.student(seed)
            before = float(tg.evaluate(tg.net))
            if keep is not None:
                keep.update({(tg.name, k): v for k, v in nets.items()})
            lat = latency_ms(tg.forward, nets, tg.n_items, repeats=repeats)
            for name, net in nets.items():
                after = before if name == "original" else float(tg.evaluate(net))
                rows.append({
                    "model": tg.name, "variant": name,
                    "size_kb": size_bytes(net) / 1024,
                    "size_kb_zip": size_bytes(net, zipped=True) / 1024,
                    "sparsity": sparsity(net) if name != "int8" else float("nan"),
                    "latency_ms_per_item": lat[name],
                    "metric": tg.metric, "metric_before": before, "metric_after": after,
                    "loss": _loss(before, after, tg.higher_is_better),
                    "subnormal": subnormal(net),
                })  # fmt: skip
    finally:
        torch.set_num_threads(old)
        if flush_denormal:
            torch.set_flush_denormal(False)  # torch's default
    out = pd.DataFrame(rows)
    orig = out[out["variant"] == "original"].set_index("model")
    out["size_ratio"] = out["size_kb"] / out["model"].map(orig["size_kb"])
    out["speedup"] = out["model"].map(orig["latency_ms_per_item"]) / out["latency_ms_per_item"]
    return out


def choose(
    table: pd.DataFrame,
    *,
    tolerance: float = 0.01,
    prefer: Literal["size", "latency"] = "size",
) -> pd.DataFrame:
    """The variant to deploy per model: the smallest (or fastest) whose ``loss`` is at most
    ``tolerance`` (relative, e.g. 0.01 = 1 % worse), else ``"original"``.

    Args:
        table: a :func:`compression_table` (columns ``model``, ``variant``, ``size_kb``,
            ``latency_ms_per_item``, ``loss``).
        tolerance: the largest acceptable relative metric loss, >= 0.
        prefer: rank the acceptable variants by ``"size"`` (then latency) or ``"latency"``
            (then size).

    Returns:
        One row per model, the chosen row of ``table`` (index reset).
    """
    if tolerance < 0 or not np.isfinite(tolerance):
        raise ConfigError(f"choose: tolerance must be a number >= 0, got {tolerance}")
    if prefer not in ("size", "latency"):
        raise ConfigError(f"choose: prefer must be 'size' or 'latency', got {prefer!r}")
    need = {"model", "variant", "size_kb", "latency_ms_per_item", "loss"}
    missing = sorted(need - set(table.columns))
    if missing:
        raise ConfigError(f"choose: table lacks columns {missing}; pass compression_table(...)")
    keys = ["size_kb", "latency_ms_per_item"]
    if prefer == "latency":
        keys.reverse()
    picked = []
    for _, g in table.groupby("model", sort=False):
        if not (g["variant"] == "original").any():
            raise ConfigError(f"choose: model {g['model'].iloc[0]!r} has no 'original' row")
        ok = g[(g["loss"] <= tolerance) | (g["variant"] == "original")]
        picked.append(ok.sort_values(keys, kind="stable").iloc[0])
    return pd.DataFrame(picked).reset_index(drop=True)
