"""Reviews without dates (amazon_reviews_multi as published, byod12b D16): the scorecard's
negative share of every review, and a per-product ranking in place of the dated shifts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from opsai import service as sv
from opsai.executive.narrative import summary
from opsai.executive.scorecard import KPIS, _negative_share
from opsai.service import chapter as ch

pytestmark = pytest.mark.unit


def _reviews() -> pd.DataFrame:
    """3,000 reviews without dates, 651 negative (21.7%): 'bad' has 40 of 60 negative, 'ok'
    has 12 of 76 (15.8%, below the rest), 'thin' 5 of 10 (too few to rank); the other 2,854
    reviews (594 negative) are on products with one review each."""
    rows = [("bad", i < 40) for i in range(60)] + [("ok", i < 12) for i in range(76)]
    rows += [("thin", i < 5) for i in range(10)]
    rows += [(f"p{i}", i < 594) for i in range(2854)]
    t = pd.DataFrame(rows, columns=["item_id", "neg"])
    t["sentiment"] = np.where(t.pop("neg"), "negative", "positive")
    t["sentiment_source"] = "label"
    return t


def test_dateless_reviews_get_a_negative_share_card() -> None:
    # before: 05 recorded an empty sentiment.trend without dates, and the 07 scorecard had no
    # negative-share card at all, only "Support tickets (no dates in the data): 3,000"
    trend = ch.negative_trend(_reviews(), freq=None)
    assert trend[["period", "tickets", "negative", "base"]].to_dict("records") == [
        {"period": "all", "tickets": 3000, "negative": 651, "base": "rated"}
    ]
    assert ch.negative_trend_text(trend) == (
        "Negative share (no dates in the data): 21.7% of 3,000 rated tickets.\n"
    )
    run = SimpleNamespace(table=lambda chapter, name: trend, metric=lambda chapter, name: None)
    value, change, unit, period = _negative_share(run)  # type: ignore[arg-type]
    assert value == pytest.approx(0.217) and change is None and unit == ""
    assert period == "all tickets (no timestamps) of 3,000 rated"
    (kpi,) = [k for k in KPIS if k.key == "negative_share"]
    assert kpi.label_of is not None
    assert kpi.label_of(run) == "Negative tickets (no dates in the data)"  # type: ignore[arg-type]
    card = pd.DataFrame([{"kpi": kpi.label_of(run), "value": value, "change": None,  # type: ignore[arg-type]
                          "change_unit": "", "period": period, "assessment": "",
                          "key": "negative_share"}])  # fmt: skip
    text = summary(card, pd.DataFrame(columns=["area", "action", "expected_effect"]), company="Us")
    assert "- **Negative tickets (no dates in the data)**: 21.7% of 3,000 rated.\n" in text


def test_products_are_ranked_by_negative_share_without_dates() -> None:
    # before: sentiment.by_item was empty without dates: no product was ranked at all
    r = sv.item_negative_ranking(_reviews())
    assert r["item_id"].tolist() == ["bad", "ok"]  # 20+ ratings; above the rest first
    bad = r.iloc[0]
    assert (bad["tickets"], bad["negative"], bool(bad["above"])) == (60, 40, True)
    assert bad["others_share"] == pytest.approx(611 / 2940)
    assert bad["p_value"] == pytest.approx(binomtest(40, 60, 611 / 2940, "greater").pvalue)
    ci = binomtest(40, 60).proportion_ci(method="wilson")
    assert (bad["low"], bad["high"]) == pytest.approx((ci.low, ci.high))
    assert not r.iloc[1]["above"] and r.iloc[1]["share"] == pytest.approx(12 / 76)
    (f,) = ch.item_rank_findings(r, titles=pd.DataFrame({"item_id": ["bad"], "title": ["Lamp"]}))
    assert f.name == "item_negative_bad" and f.evidence["tested"] == 2
    assert f.text.startswith(
        "Reviews of Lamp (bad): 40 of 60 negative, 66.7% (95% interval 54.1%-77.3%), against "
        "20.8% for the other products' 2,940 rated tickets (binomial test, p < 1e-10, "
        "Bonferroni over the 2 products with 20+ ratings)."
    )


def test_no_product_above_the_rest_is_said() -> None:
    t = _reviews()
    t = t[t["item_id"] != "bad"]  # 'ok' alone: 15.8%, below the others' 20.9%
    r = sv.item_negative_ranking(t)
    assert r["item_id"].tolist() == ["ok"] and not r["above"].any()
    (f,) = ch.item_rank_findings(r)
    assert f.severity == "info" and f.name == "item_negative_none"
    assert f.text.startswith(
        "No product is rated negative significantly more often than the others: 1 product "
        "with 20+ rated tickets tested (ok: 12 of 76 negative, 15.8% (95% interval "
    )
    assert "against 20.8% over all rated tickets with a product" in f.text  # 611 of 2,940
