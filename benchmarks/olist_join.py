"""Order lines joined to their header and customer map (``join``) against pandas merges.

A synthetic Olist-shaped folder (``order_items.csv``, ``orders.csv``, ``customers.csv``) is
read with the two joins and ``where: order_status = 'delivered'``; the report's data overview
(chapter 00) then states the last 28 days' revenue and the top items' revenue, which must equal
the same figures from pandas left merges. Also times the load.

    python benchmarks/olist_join.py [--lines 50000] [--no-report]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    from opsai.data import open_workspace
    from tests.olist_shape import COLUMNS, JOIN, pandas_truth, write_olist

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lines", type=int, default=50_000)
    p.add_argument("--no-report", action="store_true", help="only load and compare the tables")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="opsai-olist-") as tmp:
        folder = Path(tmp) / "olist"
        frames = write_olist(folder, lines=args.lines, seed=11, missing=args.lines // 500)
        table = {"file": "order_items.csv", "join": JOIN, "where": "order_status = 'delivered'",
                 "columns": COLUMNS}  # fmt: skip
        cfg = folder / "opsai.yaml"
        cfg.write_text(yaml.safe_dump({"data": {"source": ".", "tables": {"orders": table}}}))
        t = time.perf_counter()
        with open_workspace(cfg) as ws:
            o = ws.to_pandas("orders")
            said = [w.message for w in ws.warnings if "have no row" in w.message]
        load = time.perf_counter() - t
        truth = pandas_truth(frames)
        print(f"lines {len(frames['order_items']):,}, orders {len(frames['orders']):,}, "
              f"load {load:.2f} s")  # fmt: skip
        print(f"lines kept: opsai {len(o):,}, pandas {len(truth):,}")
        print(f"revenue: opsai {o['amount'].sum():,.2f}, pandas {truth['price'].sum():,.2f}")
        per_o = o.groupby("user_id")["order_id"].nunique()
        per_p = truth.groupby("customer_unique_id")["order_id"].nunique()
        print(f"people: opsai {len(per_o):,}, pandas {len(per_p):,}; orders per person equal: "
              f"{per_o.sort_index().to_dict() == per_p.sort_index().to_dict()}")  # fmt: skip
        print("warnings:", *said, sep="\n  ")
        if args.no_report:
            return 0
        from opsai.report.build import build_report
        from opsai.report.results import load_result, results_path

        run = build_report(cfg, out=Path(tmp) / "reports", chapters=["00_data_overview"], fast=True)
        res = load_result(results_path(run.latest, "00_data_overview"))
        print(f"00 status: {res['status']} {res.get('reason') or ''}")
        day = truth["order_purchase_timestamp"].str[:10]
        days = sorted(day.unique())
        last28 = truth[day.isin(days[-28:])]["price"].sum()
        print(f"00 revenue_28d: report {res['metrics'].get('revenue_28d')}, pandas {last28:,.2f}")
        top = truth.groupby("product_id")["price"].sum().sort_values(ascending=False).head(3)
        shown = {r["item_id"]: r["revenue"] for r in res["tables"].get("top_items", [])[:3]}
        print(f"00 top items: report {shown}")
        print(f"              pandas {top.round(2).to_dict()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
