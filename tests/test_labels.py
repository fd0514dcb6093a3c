"""The label helper and the folding that search uses."""

from __future__ import annotations

from graph_app.core.labels import fold, local_name, pick, pick_lang


def test_pick_prefers_the_requested_language_then_sv_then_en_then_local_name():
    labels = {"sv": "Heta arbeten", "en": "Hot work", "fi": "Tulityö"}
    assert pick(labels, "fi") == "Tulityö"
    assert pick(labels, "da") == "Heta arbeten"
    assert pick({"en": "Hot work", "nb": "Varme arbeider"}, "da") == "Hot work"
    assert pick({"nb": "Varme arbeider"}, "sv") == "Varme arbeider"
    assert pick({"": "untagged", "nb": "x"}, "sv") == "untagged"
    assert pick({}, "sv", "https://w3id.org/qagraph/id/credential/heta-arbeten") == "heta-arbeten"
    assert pick(None, "sv", "https://w3id.org/qagraph/ontology#issuer") == "issuer"
    assert pick_lang(labels, "da") == "sv" and pick_lang(None, "sv") == ""


def test_local_name():
    assert local_name("https://example.org/a/b/") == "b"
    assert local_name("urn:x:y") == "y"


def test_fold_ignores_case_and_diacritics():
    assert fold("Tulityökortti") == "tulityokortti"
    assert fold("HETA ARBETEN®") == fold("heta arbeten®")
    assert fold("Brannvernforening Ø Æ Å") == "brannvernforening o ae a"
