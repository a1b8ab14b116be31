"""``opsai init`` on Kaggle's Google Play exports: the reviews' ``nan`` rows (byod13b D5) and
the catalogue the reviews are keyed by their ``App`` (byod13b D6)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsai.data import open_workspace
from opsai.data._sniff import SAMPLE_ROWS
from opsai.data.init import init_config

pytestmark = pytest.mark.unit

TEXTS = ("Full screen ads are annoying", "Crashes on export, lost my edits",
         "Great filters and easy to use", "Love it, best photo editor")  # fmt: skip
SENTIMENT = ("Negative", "Negative", "Positive", "Positive")


def _reviews(apps: list[str], per_app: int = 6) -> str:
    """Each app's reviews, every third row written as the published file writes a review
    without a text: ``App,nan,nan,nan,nan``."""
    rows = ["App,Translated_Review,Sentiment,Sentiment_Polarity,Sentiment_Subjectivity"]
    for a in apps:
        for k in range(per_app):
            if k % 3 == 2:
                rows.append(f"{a},nan,nan,nan,nan")
            else:
                i = k % 4
                rows.append(f'{a},"{TEXTS[i]}",{SENTIMENT[i]},{0.5 - i / 4:.2f},0.5')
    return "\n".join(rows) + "\n"


def _catalogue(apps: list[str], repeat: int = 0) -> str:
    rows = ["App,Category,Rating,Reviews,Installs,Type,Price"]
    for i, a in enumerate(apps):
        row = f'{a},PHOTOGRAPHY,4.{i % 10},{10 * i},"10,000+",Free,0'
        rows += [row] * (2 if i < repeat else 1)
    return "\n".join(rows) + "\n"


def test_init_reads_nan_reviews_as_missing(tmp_path: Path) -> None:
    """'nan' in every review column is no text, no sentiment class and no polarity: init
    proposes na_values and drop_incomplete, and the config counts 20 reviews of 30 rows
    (it counted 30, 'nan' a text and a sentiment)."""
    apps = [f"Photo App {i}" for i in range(5)]
    (tmp_path / "googleplaystore_user_reviews.csv").write_text(_reviews(apps), encoding="utf-8")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    (g,) = plan.guesses
    assert g.options["na_values"] == ["nan"] and g.options["drop_incomplete"] is True
    assert any(n.startswith("'nan' in 4 column(s) (10 of 30 sampled rows of") for n in g.notes)
    with open_workspace(path) as ws:
        t = ws.to_pandas("tickets")
    assert len(t) == 20 and set(t["sentiment"]) == {"Negative", "Positive"}
    assert t["Sentiment_Polarity"].dtype.kind == "f"


@pytest.mark.parametrize("n_apps", [40, SAMPLE_ROWS + 500])
def test_reviews_keyed_by_app_beside_the_catalogue(tmp_path: Path, n_apps: int) -> None:
    """The reviews' App names what is reviewed, and googleplaystore.csv lists each App once
    (but for a few repeats): it is the items, and App the tickets' item_id (it was left
    'not placed', and App an attribute). A catalogue longer than init's sample holds only
    some of the reviewed apps in its first rows, yet is the catalogue all the same."""
    apps = [f"Photo App {i}" for i in range(n_apps)]
    reviewed = apps[-8:] if n_apps > SAMPLE_ROWS else apps[:8]  # past the sampled rows
    (tmp_path / "googleplaystore_user_reviews.csv").write_text(_reviews(reviewed), "utf-8")
    (tmp_path / "googleplaystore.csv").write_text(_catalogue(apps, repeat=3), "utf-8")
    if n_apps > SAMPLE_ROWS:  # three of the reviewed apps early in the file too
        text = (tmp_path / "googleplaystore.csv").read_text("utf-8")
        head, rest = text.split("\n", 1)
        early = "".join(f'{a},PHOTOGRAPHY,4.1,9,"100+",Free,0\n' for a in reviewed[:3])
        (tmp_path / "googleplaystore.csv").write_text(f"{head}\n{early}{rest}", "utf-8")
    path, plan = init_config(tmp_path, tmp_path / "opsai.yaml")
    assert sorted(g.table for g in plan.guesses) == ["items", "tickets"] and not plan.unplaced
    tables = yaml.safe_load(path.read_text("utf-8"))["data"]["tables"]
    assert tables["tickets"]["columns"]["item_id"] == "App"
    assert tables["items"]["file"] == "googleplaystore.csv"
    assert tables["items"]["columns"]["item_id"] == "App"
    assert tables["items"]["drop_duplicates"] == ["App"]
    with open_workspace(path) as ws:
        assert ws.to_pandas("items")["item_id"].nunique() == len(ws.to_pandas("items"))
        assert set(ws.to_pandas("tickets")["item_id"]) == set(reviewed)
