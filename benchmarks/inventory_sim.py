"""Inventory benchmark: simulated fill rate of the chosen policy against its target, and speed.

Protocol: the demo company's items (``--scale``, daily demand); Theta forecasts 60 days with a
95% conformal interval; :func:`opsai.inventory.policy_table` sets an (s, Q) policy per item
for a *fill-rate* target equal to the item's ``service_level`` (s from the textbook loss-function
formula, Q = EOQ). Each policy is then simulated (every run starts from the same generous stock, 365 days,
60 warm-up days, lost sales, gamma demand with the forecast's mean and s.d.), and again after
:func:`opsai.inventory.calibrate_reorder_point` tuned s on seed 0, scored on fresh seed 1.
Goal: simulated fill rate within 1 point of target.

Run: ``python benchmarks/inventory_sim.py [--scale tiny|default] [--paths 200]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from opsai.data.demo import make_demo
from opsai.data.schema import ORDER_COST, SERVICE_LEVEL
from opsai.data.workspace import open_workspace
from opsai.forecast import Theta, build_series
from opsai.inventory import calibrate_reorder_point, policy_table, simulate_policy
from opsai.inventory.policy import PERIODS_PER_YEAR


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="tiny", choices=["tiny", "default", "large"])
    ap.add_argument("--paths", type=int, default=200)
    ap.add_argument("--horizon", type=int, default=365)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_demo(Path(tmp) / "demo", scale=args.scale, seed=0)
        with open_workspace(folder / "opsai.yaml") as ws:
            items = build_series(ws, freq="D", levels=("item",)).bottom
            inventory = ws.to_pandas("inventory")
    t = time.perf_counter()
    fc = Theta(season_length=7).fit(items).predict(60, level=[95])
    t_fc = time.perf_counter() - t
    pol = policy_table(fc, inventory, model="Theta", service="fill_rate")
    pol = pol[pol["mean_per_period"] > 0].reset_index(drop=True)
    target = pol[SERVICE_LEVEL].to_numpy()
    q = np.maximum(pol["eoq"].to_numpy(), 1.0)
    sim = dict(
        mean=pol["mean_per_period"].to_numpy(),
        sd=pol["sd_per_period"].to_numpy(),
        lead_time=np.maximum(np.rint(pol["lead_periods"].to_numpy()), 1),
        order_qty=q,
        horizon=args.horizon,
        n_paths=args.paths,
        warmup=60,
        holding_cost=pol["holding_cost"].to_numpy() / PERIODS_PER_YEAR["D"],
        order_cost=pol[ORDER_COST].to_numpy(),
    )
    s0 = pol["reorder_point"].to_numpy()
    hi = s0 + 3 * pol["lt_sd"].to_numpy() + pol["mean_per_period"].to_numpy() * 3
    t = time.perf_counter()
    textbook = simulate_policy(reorder_point=s0, on_hand=hi + q, seed=1, **sim).summary  # type: ignore[arg-type]
    t_sim = time.perf_counter() - t
    t = time.perf_counter()
    s1 = calibrate_reorder_point(
        target, low=np.zeros(len(pol)), high=hi, seed=0, on_hand=hi + q, **sim
    )  # type: ignore[arg-type]
    t_cal = time.perf_counter() - t
    tuned = simulate_policy(reorder_point=s1, on_hand=hi + q, seed=1, **sim).summary  # type: ignore[arg-type]

    rows = []
    for name, res, s in (
        ("textbook s (loss function)", textbook, s0),
        ("simulation-calibrated s", tuned, s1),
    ):
        gap = res["fill_rate"].to_numpy() - target
        rows.append(
            {
                "policy": name,
                "items": len(pol),
                "mean target": target.mean(),
                "mean fill rate": res["fill_rate"].mean(),
                "mean |gap| (points)": 100 * np.abs(gap).mean(),
                "within 1 point": np.mean(np.abs(gap) <= 0.01),
                "mean safety stock": float(np.mean(s - pol["lt_mean"].to_numpy())),
                "avg stock": res["avg_stock"].mean(),
                "cost / item-year": res["total_cost"].mean() * 365 / (args.horizon - 60),
            }
        )
    print(f"demo scale {args.scale}: {len(pol)} items, {args.paths} paths x {args.horizon} days")
    print(pd.DataFrame(rows).round(4).to_string(index=False))
    cells = len(pol) * args.paths * args.horizon
    print(f"\nforecast {t_fc:.1f} s; one simulation {t_sim:.2f} s = {cells / t_sim / 1e6:.1f} M item-path-days/s;"
          f" calibration (14 bisection steps) {t_cal:.1f} s")  # fmt: skip


if __name__ == "__main__":
    main()
