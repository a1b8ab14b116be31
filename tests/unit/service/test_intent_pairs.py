"""Intent labels that are translations of each other, paired automatically (byod11b D15):
HubSpot's 'Envío', 'Envio', 'Versand', 'Shipping' and '配送' were five intents until the user
wrote INTENT_MAP by hand. Each label used in one language only is now its tickets' centroid
less its language's mean; mutual nearest labels across languages pair, and INTENT_MAP="auto"
merges them when every label paired, one per language."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pytest

from opsai.embed import available
from opsai.service.chapter import language_split_intents_finding, map_kb_intents
from opsai.service.intent_pairs import pair_intent_labels

pytestmark = pytest.mark.unit

CONCEPTS = ["shipping", "returns", "billing"]
NAMES = {
    "en": ["Shipping", "Returns", "Billing"],
    "es": ["Envío", "Devoluciones", "Facturación"],
    "de": ["Versand", "Rücksendung", "Rechnung"],
}
_RNG = np.random.default_rng(0)
_VEC = {
    k: _RNG.normal(size=16) for k in [*CONCEPTS, "coupon", "warranty", "account", "other", *NAMES]
}


def _encoder(texts: list[str]) -> np.ndarray:
    """'shipping|es|3': the concept's vector + a strong language vector + noise."""
    out = []
    for t in texts:
        concept, lang, _ = t.split("|")
        noise = np.random.default_rng(zlib.crc32(t.encode())).normal(scale=0.3, size=16)
        out.append(_VEC[concept] + 3 * _VEC[lang] + noise)
    return np.array(out)


def _tickets(
    names: dict[str, list[str]], concepts: dict[str, list[str]] | None = None
) -> pd.DataFrame:
    rows = [
        (lab, lg, f"{(concepts or {}).get(lg, CONCEPTS)[k]}|{lg}|{i}")
        for lg, labs in names.items()
        for k, lab in enumerate(labs)
        for i in range(12 + 3 * k)
    ]
    return pd.DataFrame(rows, columns=["intent", "language", "text"])


def test_translations_pair_across_languages_and_english_names_them() -> None:
    t = _tickets(NAMES)
    p = pair_intent_labels(t["intent"], t["language"], t["text"], encoder=_encoder)
    assert p.groups == [
        ["Billing", "Facturación", "Rechnung"],
        ["Returns", "Devoluciones", "Rücksendung"],
        ["Shipping", "Envío", "Versand"],
    ]
    assert p.unambiguous and not p.unpaired and not p.ambiguous
    assert p.intent_map == (
        "Facturación=Billing, Rechnung=Billing, Devoluciones=Returns, Rücksendung=Returns, "
        "Envío=Shipping, Versand=Shipping"
    )
    assert min(p.similarity.values()) > 0.9


def test_distinct_intents_and_small_label_sets_are_not_merged_without_asking() -> None:
    # Spanish labels of other concepts than the English ones: nothing pairs with them
    other = {"es": ["coupon", "warranty", "account"]}
    t = _tickets({"en": NAMES["en"], "es": ["Cupón", "Garantía", "Cuenta"]}, concepts=other)
    p = pair_intent_labels(t["intent"], t["language"], t["text"], encoder=_encoder)
    assert p.groups == [] and len(p.unpaired) == 6 and not p.unambiguous
    # two labels a language: centred, they are opposite and would pair anything; proposed only
    two = {lg: v[:2] for lg, v in NAMES.items()}
    t = _tickets(two)
    p = pair_intent_labels(t["intent"], t["language"], t["text"], encoder=_encoder)
    assert p.groups == [
        ["Returns", "Devoluciones", "Rücksendung"],
        ["Shipping", "Envío", "Versand"],
    ]
    assert not p.unambiguous
    # one language: nothing to pair
    t = _tickets({"en": NAMES["en"]})
    p = pair_intent_labels(t["intent"], t["language"], t["text"], encoder=_encoder)
    assert p.groups == [] and p.reason.startswith("fewer than two languages")


def test_finding_merges_with_auto_and_prints_the_map_otherwise() -> None:
    t = _tickets(NAMES)
    f = language_split_intents_finding(t, apply=True, encoder=_encoder)
    assert f is not None and f.evidence["applied"] is True
    assert (
        "paired by the multilingual sentence encoder: 3 intents (Billing: Facturación, " in f.text
    )
    assert (
        "Merged (INTENT_MAP='auto', every label paired, one per language): the 9 labels " in f.text
    )
    assert f.text.endswith(
        'this pairing, to pin it: "Facturación=Billing, Rechnung=Billing, Devoluciones=Returns, '
        'Rücksendung=Returns, Envío=Shipping, Versand=Shipping".'
    )
    f = language_split_intents_finding(t, apply=False, encoder=_encoder)
    assert f is not None and f.evidence["applied"] is False
    assert f.text.endswith(
        "Not merged (INTENT_MAP is not 'auto'): check the groups and paste into the 05 "
        'parameter INTENT_MAP: "Facturación=Billing, Rechnung=Billing, Devoluciones=Returns, '
        'Rücksendung=Returns, Envío=Shipping, Versand=Shipping".'
    )
    extra = pd.concat([t, _tickets({"en": ["Feedback"]}, concepts={"en": ["other"]})])
    f = language_split_intents_finding(extra, apply=True, encoder=_encoder)
    assert f is not None and f.evidence["applied"] is False
    assert "Not merged ('Feedback' paired with no other label): check the groups" in f.text
    kb = pd.DataFrame({"intent": ["Envío", "Billing"], "answer": ["a", "b"]})
    mapped = map_kb_intents(kb, f.evidence["intent_map"])
    assert mapped is not None and mapped["intent"].tolist() == [
        "Shipping",
        "Billing",
    ]


@pytest.mark.skipif(not available("use"), reason="needs the multilingual sentence encoder")
def test_the_multilingual_encoder_pairs_real_translations() -> None:
    texts = {
        ("en", "Shipping"): ["My parcel has not arrived yet", "Where is my package? It is late",
                             "The delivery is delayed and tracking does not update",
                             "My order still has not been shipped"],
        ("es", "Envío"): ["Mi paquete todavía no ha llegado", "¿Dónde está mi pedido? Va con retraso",
                          "La entrega está retrasada y el seguimiento no se actualiza",
                          "Mi pedido aún no ha sido enviado"],
        ("de", "Versand"): ["Mein Paket ist noch nicht angekommen", "Wo ist meine Bestellung? Sie ist spät",
                            "Die Lieferung ist verspätet und die Sendungsverfolgung aktualisiert nicht",
                            "Meine Bestellung wurde noch nicht verschickt"],
        ("en", "Billing"): ["I was charged twice for my order", "My invoice shows the wrong amount",
                            "Please refund the duplicate payment on my card", "The bill has an extra fee"],
        ("es", "Facturación"): ["Me cobraron dos veces por mi pedido", "Mi factura muestra un importe incorrecto",
                                "Por favor devuelvan el pago duplicado de mi tarjeta", "La factura tiene un cargo extra"],
        ("de", "Rechnung"): ["Mir wurde die Bestellung doppelt berechnet", "Meine Rechnung zeigt den falschen Betrag",
                             "Bitte erstatten Sie die doppelte Zahlung auf meiner Karte", "Die Rechnung hat eine Zusatzgebühr"],
        ("en", "Account"): ["I cannot log in to my account", "How do I reset my password?",
                            "My account is locked", "I want to change the e-mail of my account"],
        ("es", "Cuenta"): ["No puedo iniciar sesión en mi cuenta", "¿Cómo restablezco mi contraseña?",
                           "Mi cuenta está bloqueada", "Quiero cambiar el correo de mi cuenta"],
        ("de", "Konto"): ["Ich kann mich nicht in mein Konto einloggen", "Wie setze ich mein Passwort zurück?",
                          "Mein Konto ist gesperrt", "Ich möchte die E-Mail meines Kontos ändern"],
    }  # fmt: skip
    t = pd.DataFrame(
        [(lab, lg, x) for (lg, lab), xs in texts.items() for x in xs],
        columns=["intent", "language", "text"],
    )
    p = pair_intent_labels(t["intent"], t["language"], t["text"], min_tickets=4)
    assert sorted(p.groups) == [
        ["Account", "Cuenta", "Konto"],
        ["Billing", "Facturación", "Rechnung"],
        ["Shipping", "Envío", "Versand"],
    ]
    assert p.unambiguous
