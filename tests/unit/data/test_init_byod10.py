"""byod10b: export shapes ``opsai init`` and the loader missed: Zendesk's ticket_metrics.json
(one row per ticket, joined, never users), Kaggle's TWCS support tweets, analyst market exports
(Google Trends, SimilarWeb, a price scrape) and prices written with a letter currency."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import yaml

from opsai.data import _sniff, open_workspace
from opsai.data.init import init_config, plan_folder
from opsai.errors import SchemaError
from tests.conftest import write_dataset

pytestmark = pytest.mark.unit


def _zendesk(folder: Path, n: int = 60) -> None:
    """tickets.json in no id order, ticket_metrics.json (its own id, ticket_id once each)."""
    rng = random.Random(3)
    ids = list(range(10000, 10000 + n))
    rng.shuffle(ids)
    tickets = [
        {
            "id": t,
            "created_at": f"2024-03-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
            "description": f"My order number {t} did not arrive, please help me with it",
            "requester_id": 3000000 + i % 20,
            "via": {"channel": "email" if i % 2 else "web"},
        }
        for i, t in enumerate(ids)
    ]
    metrics = [
        {
            "id": 500000 + i,
            "ticket_id": 10000 + i,
            "reply_time_in_minutes": {"calendar": 30 + i, "business": 20},
            "solved_at": f"2024-04-{1 + i % 28:02d}T12:00:00Z",
        }
        for i in range(n)
    ]
    (folder / "tickets.json").write_text(json.dumps({"tickets": tickets, "count": n}), "utf-8")
    doc = {"ticket_metrics": metrics, "next_page": None}
    (folder / "ticket_metrics.json").write_text(json.dumps(doc), "utf-8")


def test_ticket_metrics_are_joined_to_tickets_not_read_as_users(tmp_path: Path) -> None:
    """byod10b D4: ticket_metrics.json was placed as users (metric ids as customers, solved_at
    as sign-up) and the tickets got no resolved_at; it is now joined on ticket_id, solved_at
    mapped as resolved_at, and no users table is proposed from a file without a person."""
    _zendesk(tmp_path)
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert [g.table for g in plan.guesses] == ["tickets"]
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["tickets"]
    assert spec["join"] == [
        {"file": "ticket_metrics.json", "on": {"id": "ticket_id"}, "records": "ticket_metrics"}
    ]
    assert spec["columns"]["resolved_at"] == "solved_at"
    with open_workspace(path) as ws:
        df = ws.to_pandas("tickets")
    assert len(df) == 60 and df["resolved_at"].notna().sum() == 60
    row = df[df["ticket_id"] == "10007"].iloc[0]
    assert str(row["resolved_at"]).startswith("2024-04-08 12:00")


def test_a_users_file_needs_a_person(tmp_path: Path) -> None:
    """A plain id beside a ticket id and a time is no customer table; a plain id beside an
    e-mail (or in customers.csv) still is."""
    rows = "\n".join(f"{i},{100 + i},2024-01-{1 + i:02d}T10:00:00Z" for i in range(20))
    (tmp_path / "ticket_stats.csv").write_text("id,ticket_id,solved_at\n" + rows, "utf-8")
    assert "users" not in [g.table for g in plan_folder(tmp_path).guesses]
    mails = "\n".join(f"{i},u{i}@x.com,2024-01-{1 + i:02d}" for i in range(20))
    (tmp_path / "ticket_stats.csv").write_text("id,email,signup_date\n" + mails, "utf-8")
    assert [g.table for g in plan_folder(tmp_path).guesses] == ["users"]


def _twcs(folder: Path, threads: int = 30) -> None:
    """TWCS-shaped twcs.csv: each thread a customer tweet, the company's reply and a thank-you
    (thread 0's opener answered twice: response_tweet_id '1001,1002'), rows shuffled."""
    rows = []
    for t in range(threads):
        a, r, c = 1000 + 3 * t, 1001 + 3 * t, 1002 + 3 * t
        day = f"{1 + t % 28:02d}"
        company = "AppleSupport" if t % 2 else "Delta"
        reply_min = 5 if t % 2 else 50
        both = f"{r},{r + 1}" if t == 0 else str(r)
        rows += [
            [a, 500 + t, "True", f"Tue Oct {day} 10:00:00 +0000 2017",
             f"@{company} my phone number {t} keeps failing, please help me", both, ""],
            [r, company, "False", f"Tue Oct {day} 10:{reply_min:02d}:00 +0000 2017",
             f"@{500 + t} We'd like to help. Send us a DM and we'll get started.", c, f"{a}.0"],
            [c, 500 + t, "True", f"Tue Oct {day} 11:00:00 +0000 2017",
             f"@{company} thanks, DMed you", "", f"{r}.0"],
        ]  # fmt: skip
    random.Random(1).shuffle(rows)
    head = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"
    lines = [",".join(f'"{x}"' if "," in str(x) else str(x) for x in r) for r in rows]
    (folder / "twcs.csv").write_text("\n".join([head, *lines]) + "\n", "utf-8")


def test_twcs_tweets_are_placed_as_tickets_with_their_first_reply(tmp_path: Path) -> None:
    """byod10b D1: twcs.csv fitted no table; now a ticket is a thread's opening inbound tweet
    (where), Twitter's time format is read, and the file joined to itself on response_tweet_id
    gives the first reply's time (resolved_at) and company (channel); a comma list of replies
    joins by its first id, with a warning saying so."""
    _twcs(tmp_path)
    path, _ = init_config(tmp_path, tmp_path / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["tickets"]
    assert spec["where"] == "inbound AND in_response_to_tweet_id IS NULL"
    assert spec["timestamp_format"] == "%a %b %d %H:%M:%S %z %Y"
    assert spec["join"] == [{"file": "twcs.csv", "on": {"response_tweet_id": "tweet_id"}}]
    assert spec["columns"] == {
        "ticket_id": "tweet_id", "timestamp": "created_at", "user_id": "author_id",
        "channel": "author_id_twcs", "resolved_at": "created_at_twcs",
    }  # fmt: skip
    with open_workspace(path) as ws:
        df = ws.to_pandas("tickets")
        said = [w.message for w in ws.warnings]
    assert len(df) == 30 and df["resolved_at"].notna().sum() == 30
    minutes = (df["resolved_at"] - df["timestamp"]).dt.total_seconds() / 60
    assert minutes.groupby(df["channel"]).median().to_dict() == {"AppleSupport": 5, "Delta": 50}
    assert any("1 row(s) hold a list of keys in response_tweet_id (e.g. '1001,1002')" in m
               for m in said)  # fmt: skip


def test_currencies_written_in_letters_are_read(tmp_path: Path) -> None:
    """byod10b D6: '1 299,00 kr' (no-break spaces) did not parse even with decimal and
    thousands set; currencies in letters before or after the number are now read like
    symbols, and a word that is no currency is named in the error."""
    nb = "\u00a0"
    prices = [f"1{nb}299,00{nb}kr", "SEK 1 299,50", "12,50 zł", "100 Kč", "CHF 12,00", "7 NOK"]
    rows = "\n".join(f'2024-0{i + 1}-01,Brand{i},"{p}"' for i, p in enumerate(prices))
    spec = {"file": "p.csv", "decimal": ",", "thousands": " ", "constants": {"sales": 1},
            "columns": {"period": "day", "company": "brand"}}  # fmt: skip
    files = {"p.csv": "day,brand,price\n" + rows.replace(nb, " ") + "\n"}
    cfg = write_dataset(tmp_path, files, {"market": spec})
    with open_workspace(cfg) as ws:
        got = ws.to_pandas("market")["price"].tolist()
    assert got == [1299.0, 1299.5, 12.5, 100.0, 12.0, 7.0]
    files = {"p.csv": "day,brand,price\n2024-01-01,A,12 kronor\n2024-02-01,B,13 kr\n"}
    cfg = write_dataset(tmp_path / "bad", files, {"market": spec})
    with pytest.raises(SchemaError, match=r"'12 kronor' holds letters beside the number that "
                       r"are no currency.*kr, SEK.*set data.tables.market.na_values$"):  # fmt: skip
        open_workspace(cfg).close()
    assert _sniff.numeric_share([f"1{nb}299,00{nb}kr", "SEK 12"], {"decimal": ","}) == 1.0


def test_thousands_grouped_by_spaces_need_no_option(tmp_path: Path) -> None:
    """byod10b D6: '1 299 000,50 kr' (no-break spaces) reads with decimal: ',' alone, as
    init's sniffing (which drops spaces) proposes it: a space is never a decimal mark."""
    nb = "\u00a0"
    rows = f'2024-01-01,A,"1{nb}299{nb}000,50{nb}kr"\n2024-02-01,B,"12 345,00 SEK"\n'
    spec = {"file": "p.csv", "decimal": ",", "constants": {"sales": 1},
            "columns": {"period": "day", "company": "brand"}}  # fmt: skip
    cfg = write_dataset(tmp_path, {"p.csv": "day,brand,price\n" + rows}, {"market": spec})
    with open_workspace(cfg) as ws:
        assert ws.to_pandas("market")["price"].tolist() == [1299000.5, 12345.0]


def test_wide_market_exports_are_unpivoted(tmp_path: Path) -> None:
    """byod10b D5: Google Trends' multiTimeline.csv (a week column and one column per term,
    '<1' below one) and a SimilarWeb sheet (a domain column and one column per month, 'Jan
    2024') fitted no table; both are now market, unpivoted, and validate."""
    import pandas as pd

    trends = tmp_path / "trends"
    trends.mkdir()
    weeks = pd.date_range("2024-01-07", periods=20, freq="7D").strftime("%Y-%m-%d")
    rows = [f"{w},{50 + i},{30 + i % 5},{'<1' if i < 4 else i}" for i, w in enumerate(weeks)]
    head = "Week,NordicBrew: (Sweden),KaffeKompaniet: (Sweden),BrewBox: (Sweden)"
    text = "\n".join(["Category: All categories", "", head, *rows]) + "\n"
    (trends / "multiTimeline.csv").write_text(text, "utf-8")
    path, plan = init_config(trends, trends / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["market"]
    assert spec["unpivot"] == {"keep": ["Week"], "names_to": "company", "values_to": "interest"}
    assert spec["na_values"] == ["<1"] and spec["columns"] == {
        "period": "Week",
        "sales": "interest",
    }
    assert "COMPANY: 'NordicBrew: (Sweden)'" in " ".join(plan.guesses[0].notes)
    with open_workspace(path) as ws:
        df = ws.to_pandas("market")
    assert len(df) == 56  # the 4 cells of "<1" read as missing
    assert df.loc[df["company"] == "NordicBrew: (Sweden)", "sales"].sum() == sum(range(50, 70))

    web = tmp_path / "web"
    web.mkdir()
    months = pd.date_range("2024-01-01", periods=12, freq="MS").strftime("%b %Y")
    shares = {
        "a.se": [f"{30 - i}.0%" for i in range(12)],
        "b.se": [f"{10 + i}.5%" for i in range(12)],
    }
    frame = pd.DataFrame([[d, *v] for d, v in shares.items()], columns=["Domain", *months])
    frame.to_excel(web / "traffic_share.xlsx", sheet_name="Traffic Share", index=False)
    path, _ = init_config(web, web / "opsai.yaml")
    spec = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]["market"]
    assert spec["unpivot"] == {"keep": ["Domain"], "names_to": "period", "values_to": "share"}
    assert spec["timestamp_format"] == "%b %Y"
    assert spec["columns"] == {"company": "Domain", "sales": "share"}
    with open_workspace(path) as ws:
        df = ws.to_pandas("market").sort_values(["company", "period"])
    assert len(df) == 24 and str(df["period"].iloc[-1])[:10] == "2024-12-01"
    assert df.loc[df["company"] == "b.se", "share"].round(3).tolist()[-1] == 0.215


def test_a_price_scrape_says_how_to_map_it(tmp_path: Path) -> None:
    """byod10b D5: a price scrape (product, brand, retailer, price, time; no sales) is named
    as one, with the mapping that reads it and what it cannot give."""
    rows = "\n".join(
        f'P{i % 3},Brand{i % 2},Shop{i % 4},"1 2{i % 10}9,00 kr",2024-03-{1 + i % 28:02d} 06:00:00'
        for i in range(40)
    )
    (tmp_path / "price_scrape.csv").write_text(
        "product,brand,retailer,price,scraped_at\n" + rows + "\n", "utf-8"
    )
    plan = plan_folder(tmp_path)
    assert plan.guesses == []
    why = dict(plan.unplaced)["price_scrape.csv"]
    assert "looks like a price scrape" in why
    assert "constants: {sales: 1} and columns: {period: scraped_at, company: brand, " in why
    assert "decimal: ','" in why and "as price monitoring" in why
