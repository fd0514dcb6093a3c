"""CTDL JSON-LD export: only known CTDL terms once expanded, stable CTIDs, classes by kind
and the quality-assurance relations."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from rdflib import RDF, Graph, URIRef

from graph_app.core.interchange import ctdl
from graph_app.core.namespaces import CETERMS, DEFAULT_BASE
from graph_app.core.store import OxigraphStore

ID = DEFAULT_BASE


def _expanded(document: dict) -> Graph:  # type: ignore[type-arg]
    return Graph().parse(data=json.dumps(document), format="json-ld")


def test_the_expanded_export_uses_only_known_ctdl_terms(sample_store: OxigraphStore) -> None:
    doc = ctdl.export(sample_store)
    assert set(doc) == {"@context", "@graph"} and len(doc["@graph"]) > 50
    g = _expanded(doc)
    used = {str(p) for p in g.predicates()} | {str(o) for o in g.objects(None, RDF.type)}
    unknown = {t for t in used if t != str(RDF.type) and t not in ctdl.known_terms()}
    assert unknown == set()
    assert {str(p) for p in g.predicates()} - {str(RDF.type)} <= ctdl.known_terms()


def test_every_property_describes_a_class_ctdl_allows_it_on(sample_store: OxigraphStore) -> None:
    g = _expanded(ctdl.export(sample_store))
    allowed = ctdl.domains()
    misplaced = set()
    for s, p, _o in g:
        if p == RDF.type:
            continue
        for cls in g.objects(s, RDF.type):
            if str(cls) not in allowed[str(p)]:
                misplaced.add((str(cls), str(p)))
    assert misplaced == set()
    # the check can fail: CTDL has no language of an organisation
    assert CETERMS + "CredentialOrganization" not in allowed[CETERMS + "inLanguage"]


def test_the_term_list_names_its_source_and_the_date_it_was_checked() -> None:
    text = (ctdl.CTDL_DIR / "terms.txt").read_text(encoding="utf-8")
    assert "https://credreg.net/ctdl/terms" in text
    assert re.search(r"checked on \d{4}-\d{2}-\d{2}", text)
    classes = {t for t, d in ctdl.domains().items() if not d}
    assert {CETERMS + c for c in ("Certificate", "Certification", "License", "CredentialOrganization",
                                  "QACredentialOrganization")} == classes


def test_the_term_check_catches_a_term_outside_ctdl(sample_store: OxigraphStore) -> None:
    doc = ctdl.export(sample_store)
    doc["@graph"][0]["ceterms:assuranceLevel"] = "B"
    used = {str(p) for p in _expanded(doc).predicates()}
    assert CETERMS + "assuranceLevel" in used - ctdl.known_terms()


def test_ctids_are_stable_and_derived_from_the_iri(sample_store: OxigraphStore) -> None:
    first, second = ctdl.export(sample_store), ctdl.export(sample_store)
    ids = {n["@id"]: n["ceterms:ctid"] for n in first["@graph"]}
    assert ids == {n["@id"]: n["ceterms:ctid"] for n in second["@graph"]}
    assert all(re.fullmatch(r"ce-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", c)
               for c in ids.values())
    assert len(set(ids.values())) == len(ids)
    assert ids[ID + "credential/heta-arbeten"] == ctdl.ctid(ID + "credential/heta-arbeten")


def test_classes_by_kind_and_the_quality_assurance_relations(sample_store: OxigraphStore) -> None:
    g = _expanded(ctdl.export(sample_store))
    c = URIRef(CETERMS)
    def node(path: str) -> URIRef:
        return URIRef(ID + path)
    assert (node("credential/adr-forarintyg"), RDF.type, URIRef(c + "License")) in g
    assert (node("credential/heta-arbeten"), RDF.type, URIRef(c + "Certification")) in g
    assert (node("credential/fallskyddsutbildning"), RDF.type, URIRef(c + "Certificate")) in g
    assert (node("organisation/swedac"), RDF.type, URIRef(c + "QACredentialOrganization")) in g
    assert (node("organisation/brandskyddsforeningen"), RDF.type, URIRef(c + "CredentialOrganization")) in g
    heta = node("credential/heta-arbeten")
    assert (heta, URIRef(c + "ownedBy"), node("organisation/brandskyddsforeningen")) in g
    assert (heta, URIRef(c + "offeredBy"), node("organisation/instruktorer-heta-arbeten")) in g
    assert (node("credential/varmt-arbejde"), URIRef(c + "recognizedBy"), node("organisation/svensk-forsakring")) in g
    assert (node("credential/adr-forarintyg"), URIRef(c + "regulatedBy"), node("organisation/msb")) in g
    assert (node("organisation/dekra"), URIRef(c + "accreditedBy"), node("organisation/swedac")) in g


def test_cli_export_ctdl(qagraph: Callable[..., Result], tmp_path: Path) -> None:
    assert qagraph("init").exit_code == 0
    out = tmp_path / "ctdl.jsonld"
    result = qagraph("export", "--profile", "ctdl", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["@graph"]
    bad = qagraph("export", "--profile", "ctdl", "-o", str(tmp_path / "ctdl.ttl"))
    assert bad.exit_code == 2 and "cannot be written as turtle" in bad.output
