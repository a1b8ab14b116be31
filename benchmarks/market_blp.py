"""BLP automobile data: opsai's logit and nested logit beside pyblp's, in the same run.

Data: ``opsai data fetch blp-cars`` (the market table converted from pyblp 1.3.0's
``blp_products.csv``: period = year, company = firm, product = model) for opsai; pyblp reads
its own copy of the same file. Specification as in BLP (1995) Table III and the pyblp
documentation: ``1 + prices + hpwt + air + mpd + space``, robust (HC0) standard errors,
excluded instruments = the data's eight ``demand_instruments`` (or, in the last row, BLP
instruments built from the characteristics by each package); the nested logit nests cars by
region (US / EU / JP). The goal is agreement to 3 significant digits.

Run: ``.venv/bin/python benchmarks/market_blp.py [--data DIR]`` (needs ``pip install
pyblp==1.3.0``; prints a table and writes nothing).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opsai.data.public import fetch
from opsai.data.workspace import open_workspace
from opsai.market import LogitDemand

CHARS = ["hpwt", "air", "mpd", "space"]
IVS = [f"demand_instruments{i}" for i in range(8)]


def _opsai(market: pd.DataFrame, *, iv: Any, nest: str | None) -> tuple[dict[str, float], float]:
    t0 = time.perf_counter()
    m = LogitDemand(
        col_product="car_id", characteristics=CHARS, instruments=iv, nest=nest, col_firm="company"
    ).fit(market)
    secs = time.perf_counter() - t0
    out = {
        "price": m.alpha_,
        "price_se": m.alpha_se_,
        "rho": m.rho_,
        "rho_se": m.rho_se_,
        "mean_own_elasticity": m.mean_own_elasticity_,
        "inelastic": m.n_inelastic_,
    }
    return out, secs


def _pyblp(products: pd.DataFrame, *, iv: str, nest: bool) -> tuple[dict[str, float], float]:
    import pyblp

    pyblp.options.verbose = False
    data = products.copy()
    if iv == "none":  # OLS: price instruments itself
        data = data.drop(columns=IVS).assign(demand_instruments0=data["prices"])
    elif iv == "blp":
        built = pyblp.build_blp_instruments(pyblp.Formulation("1 + hpwt + air + mpd + space"), data)
        data = data.drop(columns=IVS)
        for k in range(built.shape[1]):
            data[f"demand_instruments{k}"] = built[:, k]
    if nest:
        data["nesting_ids"] = data["region"]
    t0 = time.perf_counter()
    problem = pyblp.Problem(pyblp.Formulation("1 + prices + hpwt + air + mpd + space"), data)
    res = problem.solve(rho=0.5, method="1s") if nest else problem.solve(method="1s")
    secs = time.perf_counter() - t0
    price_pos = 1  # beta order: 1, prices, hpwt, air, mpd, space
    own = res.extract_diagonals(res.compute_elasticities())
    out = {
        "price": float(res.beta[price_pos, 0]),
        "price_se": float(res.beta_se[price_pos, 0]),
        "rho": float(res.rho[0, 0]) if nest else 0.0,
        "rho_se": float(res.rho_se[0, 0]) if nest else 0.0,
        "mean_own_elasticity": float(own.mean()),
        "inelastic": int((np.abs(own) < 1).sum()),
    }
    return out, secs


def _load_market(folder: Path, products: pd.DataFrame) -> pd.DataFrame:
    """The market table through the workspace, checked value by value against the carrier."""
    ws = open_workspace(folder / "opsai.yaml")
    market = ws.to_pandas("market")
    ws.close()
    assert len(market) == len(products) == 2217
    a = market.sort_values(["period", "car_id"]).reset_index(drop=True)
    b = products.sort_values(["market_ids", "car_ids"]).reset_index(drop=True)
    bad = [c for c in [*CHARS, *IVS] if not np.allclose(a[c].astype(float), b[c], rtol=1e-9)]
    if bad:
        print(
            f"WARNING: the workspace changed the values of {', '.join(bad)} (dtypes "
            f"{a[bad].dtypes.astype(str).unique().tolist()}): opsai.data._load.infer_extra "
            "types decimal text columns as BIGINT because DuckDB 2.0's TRY_CAST('0.53' AS "
            "BIGINT) rounds instead of failing. Comparing on the CSV written by fetch instead.\n"
        )
        market = pd.read_csv(folder / "market.csv")
    return market


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="an earlier `opsai data fetch` folder")
    args = ap.parse_args(argv)
    import pyblp

    folder = args.data or fetch("blp-cars", Path(tempfile.mkdtemp()) / "blp-cars")
    products = pd.read_csv(pyblp.data.BLP_PRODUCTS_LOCATION)
    market = _load_market(folder, products)
    cases = [
        ("logit OLS", None, "none", None),
        ("logit 2SLS", IVS, "given", None),
        ("nested logit 2SLS (region)", IVS, "given", "region"),
        ("logit 2SLS, BLP instruments built", "blp", "blp", None),
    ]
    rows = []
    for label, iv, pyblp_iv, nest in cases:
        mine, t_mine = _opsai(market, iv=iv, nest=nest)
        theirs, t_theirs = _pyblp(products, iv=pyblp_iv, nest=nest is not None)
        for key in mine:
            if key.startswith("rho") and nest is None:
                continue
            a, b = float(mine[key]), float(theirs[key])
            rows.append(
                {
                    "model": label,
                    "estimate": key,
                    "opsai": a,
                    "pyblp": b,
                    "rel_diff": abs(a - b) / abs(b) if b else abs(a - b),
                    "same_3_sig": f"{a:.3g}" == f"{b:.3g}",
                }
            )
        rows.append(
            {
                "model": label,
                "estimate": "fit_seconds",
                "opsai": t_mine,
                "pyblp": t_theirs,
                "rel_diff": np.nan,
                "same_3_sig": None,
            }
        )
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 160, "display.max_rows", 100):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.6g}"))
    est = table[table["estimate"] != "fit_seconds"]
    print(
        f"\nall estimates equal to 3 significant digits: {bool(est['same_3_sig'].all())}; "
        f"largest relative difference {est['rel_diff'].max():.2e}"
    )


if __name__ == "__main__":
    main()
