"""One intent written in several languages (byod11b D15): a HubSpot export's Category is in
the customer's language, so 'Envío', 'Envio', 'Versand', 'Shipping' and '配送' were five
intents, each compared against the others' shipping tickets. A finding now says the labels
are each used in one language, and INTENT_MAP merges them."""

from __future__ import annotations

import pandas as pd
import pytest

from opsai.errors import ConfigError
from opsai.service.chapter import language_split_intents_finding, map_intents

pytestmark = pytest.mark.unit

LABELS = {
    "es": ["Envío", "Devoluciones"],
    "de": ["Versand", "Rücksendung"],
    "en": ["Shipping", "Returns"],
}


def _tickets() -> pd.DataFrame:
    rows = [
        (lab, lg)
        for lg, labs in LABELS.items()
        for i, lab in enumerate(labs)
        for _ in range(30 - 10 * i)
    ]
    return pd.DataFrame(rows, columns=["intent", "language"])


def test_labels_each_in_one_language_are_named() -> None:
    f = language_split_intents_finding(_tickets())
    assert f is not None and f.name == "intent_languages"
    assert f.text.startswith(
        "6 of the 6 intent labels are each used in one language only (de: Versand, Rücksendung; "
        "en: Shipping, Returns; es: Envío, Devoluciones)."
    )
    assert (
        'INTENT_MAP, one label=intent pair each ("Shipping=<intent>, Versand=<intent>, ...")'
        in f.text
    )
    shared = _tickets().assign(language=["en", "es"] * 75)  # every label in both languages
    assert language_split_intents_finding(shared) is None


def test_intent_map_merges_labels_as_spelt_or_not() -> None:
    t = _tickets()
    out, note = map_intents(
        t["intent"], "envío=Shipping, VERSAND=Shipping, Devoluciones=Returns, Nada=X"
    )
    assert out.value_counts().to_dict() == {"Shipping": 90, "Returns": 40, "Rücksendung": 20}
    assert note == (
        "INTENT_MAP: 6 intent labels read as 3 intents (80 tickets relabelled). No ticket is "
        "labelled 'Nada': check the spelling."
    )
    assert map_intents(t["intent"], " ")[0].equals(t["intent"])
    with pytest.raises(ConfigError, match="'Envío' is not 'label=intent'"):
        map_intents(t["intent"], "Envío")
