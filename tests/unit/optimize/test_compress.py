"""Quantisation, pruning, distillation, the compression table and the choice of a variant."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.optimize import (
    Target,
    choose,
    churn_target,
    compression_table,
    distill,
    intent_target,
    prune,
    quantize,
    sparsity,
)
from opsai.optimize.compress import size_bytes, subnormal

torch = pytest.importorskip("torch")
nn = torch.nn

pytestmark = pytest.mark.unit


def _blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    centres = np.random.default_rng(42).normal(0, 2.5, size=(3, 10))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return (centres[y] + rng.normal(0, 1.0, (n, 10))).astype(np.float32), y


def _teacher(X: np.ndarray, y: np.ndarray, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(10, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                        nn.Linear(128, 3))  # fmt: skip
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(60):
        opt.zero_grad()
        nn.functional.cross_entropy(net(xt), yt).backward()
        opt.step()
    return net.eval()


@pytest.fixture(scope="module")
def task() -> dict[str, object]:
    Xtr, ytr = _blobs(600, 0)
    Xte, yte = _blobs(400, 1)
    return {"Xtr": Xtr, "ytr": ytr, "Xte": Xte, "yte": yte, "net": _teacher(Xtr, ytr)}


def _acc(net: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        return float((net(torch.from_numpy(X)).argmax(1).numpy() == y).mean())


def test_quantized_output_close_and_smaller(task: dict) -> None:
    net, X = task["net"], torch.from_numpy(task["Xte"])
    q = quantize(net)
    with torch.no_grad():
        a, b = net(X), q(X)
    assert torch.allclose(a, b, atol=0.05 * float(a.abs().max()))
    assert (a.argmax(1) == b.argmax(1)).float().mean() > 0.98
    assert size_bytes(q) < 0.4 * size_bytes(net)
    assert type(net[0]).__name__ == "Linear"  # the original is untouched


def test_quantized_mean_bag_still_averages() -> None:
    """torch's int8 EmbeddingBag sums whatever its mode: a mean bag of 5,000 n-grams came
    out 5,000 times too large, and one such ticket made the dynamic Linear misread the
    whole batch (fastText intent network: accuracy 0.03 against 0.85)."""
    torch.manual_seed(0)
    net = nn.Sequential()
    net.add_module("emb", nn.EmbeddingBag(300, 16, mode="mean"))
    net.add_module("out", nn.Linear(16, 4))
    ids = torch.randint(0, 300, (5_030,))
    offs = torch.tensor([0, 10, 20, 30])  # three short bags, then one of 5,000
    q = quantize(net)
    with torch.no_grad():
        a = net.emb(ids, offs)
        b = q.emb(ids, offs)
        short = q.out(q.emb(ids[:30], offs[:3]))
        mixed = q.out(q.emb(ids, offs))[:3]
    assert torch.allclose(a, b, atol=0.02)
    assert torch.allclose(short, mixed, atol=0.05)  # a long neighbour changes nothing
    square = torch.randint(0, 300, (3, 7))  # 2-D input: bags of equal length
    with torch.no_grad():
        assert torch.allclose(net.emb(square), q.emb(square), atol=0.02)
    summed = nn.Sequential()
    summed.add_module("emb", nn.EmbeddingBag(300, 16, mode="sum"))
    with torch.no_grad():
        s, qs = summed.emb(ids[:30], offs[:3]), quantize(summed).emb(ids[:30], offs[:3])
    assert torch.allclose(s, qs, atol=0.1)  # a sum bag stays a sum


@pytest.mark.parametrize("amount", [0.3, 0.8])
def test_pruning_reaches_the_requested_sparsity(task: dict, amount: float) -> None:
    net = task["net"]
    p = prune(net, amount)
    assert sparsity(p) == pytest.approx(amount, abs=0.01)
    for layer in (m for m in p.modules() if isinstance(m, nn.Linear)):
        share = float((layer.weight == 0).float().mean())
        assert share == pytest.approx(amount, abs=0.01)
        assert not hasattr(layer, "weight_orig")  # made permanent
    assert sparsity(net) == 0.0
    assert size_bytes(p, zipped=True) < size_bytes(net, zipped=True)
    with pytest.raises(ConfigError, match="amount"):
        prune(net, 1.0)


def test_subnormal_weights_are_counted_and_pruned_away() -> None:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    with torch.no_grad():
        net[0].weight[:2, :5] = 1e-40  # what weight decay leaves on dead units
    assert subnormal(net) == 10 and sparsity(net) == 0
    torch.set_flush_denormal(True)  # subnormals then compare equal to zero; counts must not
    try:
        assert subnormal(net) == 10 and sparsity(net) == 0
    finally:
        torch.set_flush_denormal(False)
    assert subnormal(prune(net, 0.2)) == 0
    assert subnormal(quantize(net)) == 0


def test_distilled_student_is_smaller_and_nearly_as_accurate(task: dict) -> None:
    net, Xtr, ytr = task["net"], task["Xtr"], task["ytr"]
    xt = torch.from_numpy(Xtr)
    with torch.no_grad():
        logits = net(xt)
    torch.manual_seed(0)
    student = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3))
    student = distill(student, lambda idx: (xt[idx],), logits, kind="softmax",
                      hard=torch.from_numpy(ytr), epochs=40, seed=0)  # fmt: skip
    n_t = sum(p.numel() for p in net.parameters())
    n_s = sum(p.numel() for p in student.parameters())
    assert n_s < n_t / 10
    teacher_acc = _acc(net, task["Xte"], task["yte"])
    assert teacher_acc > 0.9
    assert _acc(student, task["Xte"], task["yte"]) >= teacher_acc - 0.03
    with pytest.raises(ConfigError, match="temperature"):
        distill(student, lambda idx: (xt[idx],), logits, temperature=0)
    with pytest.raises(ConfigError, match="kind"):
        distill(student, lambda idx: (xt[idx],), logits, kind="kl")  # type: ignore[arg-type]


def test_mse_distillation_fits_a_regressor() -> None:
    torch.manual_seed(0)
    X = torch.randn(500, 4)
    teacher_out = (X @ torch.tensor([1.0, -2.0, 0.5, 0.0])).detach()
    student = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    student = distill(student, lambda idx: (X[idx],), teacher_out, kind="mse", epochs=60, seed=0)
    with torch.no_grad():
        err = float(((student(X).squeeze(1) - teacher_out) ** 2).mean())
    assert err < 0.05 * float(teacher_out.var())


def test_compression_table_rows_and_choice(task: dict) -> None:
    net, Xte, yte = task["net"], task["Xte"], task["yte"]
    xte = torch.from_numpy(Xte)
    xt = torch.from_numpy(task["Xtr"])

    def student(seed: int) -> nn.Module:
        torch.manual_seed(seed)
        with torch.no_grad():
            logits = net(xt)
        s = nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 3))
        return distill(s, lambda idx: (xt[idx],), logits, epochs=30, seed=seed)

    tg = Target(name="blobs", net=net, evaluate=lambda m: _acc(m, Xte, yte), metric="accuracy",
                higher_is_better=True, forward=lambda m: m(xte), n_items=len(Xte),
                student=student)  # fmt: skip
    nets: dict[tuple[str, str], nn.Module] = {}
    tab = compression_table([tg], repeats=5, keep=nets, seed=0)
    assert set(nets) == {("blobs", v) for v in tab["variant"]} and nets["blobs", "original"] is net
    assert tab["variant"].tolist() == ["original", "int8", "pruned_50", "distilled"]
    orig = tab.iloc[0]
    assert orig["loss"] == 0 and orig["size_ratio"] == 1 and orig["speedup"] == 1
    assert (tab["metric_before"] == orig["metric_after"]).all()
    assert tab.loc[tab.variant == "pruned_50", "sparsity"].iloc[0] == pytest.approx(0.5, abs=0.01)
    assert tab.loc[tab.variant == "distilled", "size_kb"].iloc[0] < orig["size_kb"] / 10
    assert (tab["latency_ms_per_item"] > 0).all() and (tab["subnormal"] == 0).all()
    picked = choose(tab, tolerance=1.0)  # every variant is acceptable: the smallest wins
    assert picked["variant"].iloc[0] == tab.sort_values("size_kb")["variant"].iloc[0]
    with pytest.raises(ConfigError, match="variants"):
        compression_table([tg], variants=("fp16",))  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="prune_amount"):
        compression_table([tg], prune_amount=1.5)


def test_choose_from_a_hand_written_table() -> None:
    tab = pd.DataFrame(
        [
            ("a", "original", 100.0, 1.0, 0.0),
            ("a", "int8", 30.0, 0.8, 0.004),
            ("a", "distilled", 20.0, 0.5, 0.03),
            ("a", "pruned_50", 100.0, 0.9, -0.001),
            ("b", "original", 10.0, 1.0, 0.0),
            ("b", "int8", 7.0, 2.0, 0.05),
        ],
        columns=["model", "variant", "size_kb", "latency_ms_per_item", "loss"],
    )
    got = choose(tab, tolerance=0.01).set_index("model")["variant"].to_dict()
    assert got == {"a": "int8", "b": "original"}
    got = choose(tab, tolerance=0.05).set_index("model")["variant"].to_dict()
    assert got == {"a": "distilled", "b": "int8"}
    fast = choose(tab, tolerance=0.01, prefer="latency").set_index("model")["variant"]
    assert fast.to_dict() == {"a": "int8", "b": "original"}
    assert choose(tab, tolerance=0.0).set_index("model")["variant"]["a"] == "pruned_50"
    with pytest.raises(ConfigError, match="tolerance"):
        choose(tab, tolerance=-0.1)
    with pytest.raises(ConfigError, match="prefer"):
        choose(tab, prefer="speed")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="original"):
        choose(tab[tab.variant != "original"])


def test_chapter_targets_build_and_compress() -> None:
    rng = np.random.default_rng(0)
    vocab = {"refund": ["refund", "money", "back", "return"], "ship": ["parcel", "where", "late"]}
    texts, labels = [], []
    for label, ws in vocab.items():
        for _ in range(60):
            texts.append(" ".join(rng.choice([*ws, "please", "my"], 4)))
            labels.append(label)
    order = rng.permutation(len(texts))
    tr, te = order[:80], order[80:]
    it = intent_target([texts[i] for i in tr], [labels[i] for i in tr],
                       [texts[i] for i in te], [labels[i] for i in te],
                       epochs=5, distill_epochs=5, seed=0)  # fmt: skip
    n = 300
    y = (rng.random(n) < 0.3).astype(int)
    frame = pd.DataFrame({"recency": rng.exponential(30 + 60 * y), "frequency": rng.poisson(3 - 2 * y),
                          "churned": y})  # fmt: skip
    ct = churn_target(frame.iloc[:200], frame.iloc[200:], distill_epochs=10, seed=0)
    tab = compression_table([it, ct], repeats=3, seed=0)
    assert set(tab["model"]) == {"intent", "churn"} and len(tab) == 8
    assert (
        tab.loc[(tab.model == "intent") & (tab.variant == "original"), "metric_before"].iloc[0]
        > 0.9
    )
    assert (
        tab.loc[(tab.model == "churn") & (tab.variant == "original"), "metric_before"].iloc[0] > 0.7
    )
    q = tab[tab.variant == "int8"].set_index("model")["size_ratio"]
    assert q["intent"] < 0.5 and q["churn"] < 1.0  # a 2-feature MLP is mostly overhead
    with pytest.raises(ConfigError, match="student_dim"):
        intent_target(texts, labels, texts, labels, student_dim=0)
