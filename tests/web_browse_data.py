"""A store with the ontology, the concept schemes and the sample data, shared by the
browsing tests of one module (loading it once keeps them fast), plus fixtures built on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import loaders
from graph_app import create_app
from graph_app.cli import bundled_inputs
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE

from .conftest import store_settings_for

HERE = Path(__file__).resolve().parent
ID = DEFAULT_BASE
HETA = ID + "credential/heta-arbeten"
BRANDSKYDD = ID + "organisation/brandskyddsforeningen"
BIG_ORG = ID + "organisation/paging-test"
AWARDS = 45


def extra_inputs(tmp: Path) -> list[LoadInput]:
    """An organisation with AWARDS awards (paging) and a mapping with SSSOM metadata."""
    awards = tmp / "awards.ttl"
    lines = ["@prefix qa: <https://w3id.org/qagraph/ontology#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             f'<{BIG_ORG}> a qa:Organisation ; rdfs:label "Sidningsprov AB"@sv, "Paging Test Ltd"@en .']
    for i in range(AWARDS):
        lines.append(f"<{ID}example/award/p{i:03d}> a qa:Award ; qa:awardedBy <{BIG_ORG}> ; "
                     f"qa:awardedCredential <{HETA}> .")
    awards.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = tmp / "mapping.ttl"
    mapping.write_text(f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix semapv: <https://w3id.org/semapv/vocab/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{HETA}> skos:closeMatch <{ID}credential/tulityokortti> .
[] a owl:Axiom ; owl:annotatedSource <{HETA}> ; owl:annotatedProperty skos:closeMatch ;
   owl:annotatedTarget <{ID}credential/tulityokortti> ;
   sssom:mapping_justification semapv:ManualMappingCuration ;
   sssom:author_label "Test Curator" ; sssom:mapping_date "2025-05-01"^^xsd:date .
[] a owl:Axiom ; owl:annotatedSource <{HETA}> ; owl:annotatedProperty skos:exactMatch ;
   owl:annotatedTarget <{ID}credential/bas-p> ;
   sssom:predicate_modifier sssom:NegatedPredicate ;
   sssom:mapping_justification semapv:ManualMappingCuration .
[] a owl:Axiom ; owl:annotatedSource <{HETA}> ; owl:annotatedProperty skos:exactMatch ;
   owl:annotatedTarget <{ID}credential/fse> ;
   <https://w3id.org/qagraph/ontology#curationStatus> <https://w3id.org/qagraph/vocab/curation/proposed> ;
   sssom:mapping_justification semapv:ManualMappingCuration .
""", encoding="utf-8")
    turtle = loaders.get("turtle")
    return [LoadInput(awards, "paging-awards", turtle), LoadInput(mapping, "test-mapping", turtle),
            LoadInput(HERE / "data" / "browse-xss.ttl", "xss", turtle)]


@pytest.fixture(scope="module")
def browse_app(tmp_path_factory: pytest.TempPathFactory, store_kind: str,
               request: pytest.FixtureRequest) -> Iterator[object]:
    tmp = tmp_path_factory.mktemp("browse")
    settings = store_settings_for(store_kind, tmp, request)
    # a slow machine must not turn the validation panel into "still running"
    app = create_app({**settings, "TESTING": True, "VALIDATION_WAIT": 120})
    store = app.extensions["qagraph.store"]
    load(store, bundled_inputs() + extra_inputs(tmp), base_iri=DEFAULT_BASE, validate=False)
    yield app
    store.close()


@pytest.fixture
def bclient(browse_app):  # type: ignore[no-untyped-def]
    return browse_app.test_client()
