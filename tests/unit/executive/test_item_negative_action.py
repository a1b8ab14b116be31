"""A product whose reviews are negative well above the others' is a service action (byod13b
D7: Google Play reviews of our own app 48.9% negative against 21.9%, and 07 said "No action
could be derived from the recorded results")."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from opsai import executive as ex
from opsai.executive.actions import _service
from opsai.executive.results import SERVICE

pytestmark = pytest.mark.unit

EV = {"item_id": "PhotoMagic Editor - Collage Maker", "title": "PhotoMagic Editor - Collage Maker",
      "tickets": 311, "negative": 152, "share": 0.4887, "low": 0.4337, "high": 0.5441,
      "others_share": 0.2192, "p_value": 1.3e-25, "tested": 599}  # fmt: skip


def _run(rows: list[tuple[str, str, dict[str, object]]]) -> SimpleNamespace:
    findings = pd.DataFrame(
        [{"chapter": SERVICE, "name": n, "severity": s, "text": "Reviews of ...", "evidence": e}
         for n, s, e in rows]
    )  # fmt: skip
    return SimpleNamespace(findings=lambda: findings)


def test_a_product_reviewed_negative_above_the_rest_is_an_action() -> None:
    run = _run([("item_negative_photomagic_editor_collage_maker", "medium", EV)])
    (a,) = _service(run, {}, ex.Assumptions(), "USD")  # type: ignore[arg-type]
    assert a["action"] == (
        "Find and fix what reviewers of PhotoMagic Editor - Collage Maker complain of (read "
        "its 152 negative reviews): 49% of its 311 are negative against 22% for the other "
        "products."
    )
    excess = 152 - 311 * 0.2192  # the negative reviews above the others' share
    assert (a["low"], a["mid"], a["high"]) == pytest.approx((0.25 * excess, 0.625 * excess, excess))
    assert (a["unit"], a["severity"], a["rule"]) == ("fewer negative ratings", "medium",
                                                     "item_negative")  # fmt: skip
    assert a["evidence"][0]["href"] == (
        "05_customer_service.html#finding-item_negative_photomagic_editor_collage_maker"
    )


def test_no_product_above_the_rest_is_no_action() -> None:
    none = {"tested": 599, "min_tickets": 20, "overall": 0.222}
    run = _run([("item_negative_none", "info", none), ("item_negative_x", "medium", {})])
    assert _service(run, {}, ex.Assumptions(), "USD") == []  # type: ignore[arg-type]
