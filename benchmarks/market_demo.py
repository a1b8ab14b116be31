"""Planted truths of the demo market, recovered over many seeds.

For each seed, ``make_demo(scale="tiny", seed=s)`` plants a competitor's price cut (company and
month) and our own-price elasticity; this checks how often ``detect_moves`` + ``event_study``
name the right competitor and month, how close the event study's share before/after is to the
planted 3-month means, and the error of the logit and log-log elasticities.

Run: ``.venv/bin/python benchmarks/market_demo.py [--seeds 20]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.data.demo import load_ground_truth, make_demo
from opsai.market import chapter as ch
from opsai.market import detect_moves


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args(argv)
    rows = []
    root = Path(tempfile.mkdtemp())
    for seed in range(args.seeds):
        folder = make_demo(root / f"d{seed}", scale="tiny", seed=seed)
        truth = load_ground_truth(folder)
        cut, el = truth["competitor_price_cut"], truth["own_price_elasticity"]
        us = truth["our_share"]["company"]
        market = pd.read_csv(folder / "market.csv", parse_dates=[S.PERIOD])
        t0 = time.perf_counter()
        events, _ = ch.competitor_events(market, detect_moves(market), us)
        demand = ch.fit_demand(market)
        own = ch.company_elasticity(demand, us)
        loglog = ch.loglog_check(market, us)
        secs = time.perf_counter() - t0
        top = events.iloc[0]
        rows.append(
            {
                "seed": seed,
                "right_company": top[S.COMPANY] == cut["company"],
                "right_month": top[S.PERIOD].strftime("%Y-%m") == cut["month"],
                "share_before_err": top["share_before"] - cut["share_before_3m"],
                "share_after_err": top["share_after"] - cut["share_after_3m"],
                "logit_elasticity_err": own["elasticity"] - el["value"],
                "logit_covers": abs(own["elasticity"] - el["value"]) <= 1.96 * own["se"],
                "loglog_elasticity_err": (loglog.elasticity_ - el["value"]) if loglog else np.nan,
                "seconds": secs,
            }
        )
    t = pd.DataFrame(rows)
    print(t.round(4).to_string(index=False))
    print(
        f"\n{len(t)} seeds: right competitor {t.right_company.mean():.0%}, right month "
        f"{t.right_month.mean():.0%}; share before/after max |error| "
        f"{t.share_before_err.abs().max():.4f}/{t.share_after_err.abs().max():.4f}; elasticity "
        f"error logit mean {t.logit_elasticity_err.mean():+.3f} (sd "
        f"{t.logit_elasticity_err.std():.3f}, 95% CI covers truth in "
        f"{t.logit_covers.mean():.0%}), log-log mean {t.loglog_elasticity_err.mean():+.3f} "
        f"(sd {t.loglog_elasticity_err.std():.3f}); {t.seconds.mean():.2f} s per seed."
    )


if __name__ == "__main__":
    main()
