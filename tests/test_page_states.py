"""What entity pages keep per state of the store is read again after a commit: the next
view of a page shows what the commit changed (equivalents, recognitions, the validation
panel's class hierarchy), on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import loaders
from graph_app import create_app
from graph_app.core import entity, queries
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE

from .conftest import store_settings_for

STORE_KINDS = ("embedded", "remote")

ID = DEFAULT_BASE
PREFIXES = """@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""
ONE = ID + "credential/state-one"
TWO = ID + "credential/state-two"
THREE = ID + "credential/state-three"
BODY = ID + "organisation/state-body"


@pytest.fixture
def app(tmp_path: Path, store_kind: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    settings = store_settings_for(store_kind, tmp_path, request)
    app = create_app({**settings, "TESTING": True, "VALIDATION_WAIT": 120})
    store = app.extensions["qagraph.store"]
    base = tmp_path / "base.ttl"
    base.write_text(PREFIXES + "".join(
        f'<{c}> a qa:Credential ; rdfs:label "{name}"@sv .\n'
        for c, name in ((ONE, "Första"), (TWO, "Andra"), (THREE, "Tredje")))
        + f'<{BODY}> a qa:Organisation ; rdfs:label "Tillståndsorganet"@sv .\n', encoding="utf-8")
    load(store, [LoadInput(base, "base", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)
    yield app
    store.close()


def _commit(app: Any, tmp: Path, name: str, turtle: str) -> None:
    path = tmp / f"{name}.ttl"
    path.write_text(PREFIXES + turtle, encoding="utf-8")
    load(app.extensions["qagraph.store"], [LoadInput(path, name, loaders.get("turtle"))],
         base_iri=DEFAULT_BASE, validate=False)


def _page(app: Any, iri: str) -> str:
    response = app.test_client().get("/id/" + iri[len(ID):] + "?lang=en")
    assert response.status_code == 200
    return str(response.text)


def _equivalents(page: str) -> str:
    return page.split("Equivalents", 1)[-1].split("Validation", 1)[0] if "Equivalents" in page else ""


def test_a_mapping_committed_later_is_on_the_next_view(app: Any, tmp_path: Path) -> None:
    store = app.extensions["qagraph.store"]
    assert "/id/credential/state-two" not in _equivalents(_page(app, ONE))
    assert ONE not in entity.mapped(store)  # kept for this state
    _commit(app, tmp_path, "mapping", f"<{ONE}> skos:closeMatch <{TWO}> .\n")
    assert ONE in entity.mapped(store) and TWO in entity.mapped(store)
    assert "/id/credential/state-two" in _equivalents(_page(app, ONE))
    assert "/id/credential/state-one" in _equivalents(_page(app, TWO))
    # a record of its own (an SSSOM mapping without the statement) counts too
    _commit(app, tmp_path, "record", f"[] a owl:Axiom ; owl:annotatedSource <{THREE}> ; "
                                     f"owl:annotatedProperty skos:exactMatch ; owl:annotatedTarget <{ONE}> .\n")
    assert "/id/credential/state-one" in _equivalents(_page(app, THREE))
    # and a source dropped takes its mappings along
    store.drop("mapping")
    assert TWO not in entity.mapped(store)
    assert "/id/credential/state-two" not in _equivalents(_page(app, ONE))


def test_the_set_of_mapped_nodes_holds_every_node_with_equivalents(app: Any, tmp_path: Path) -> None:
    """Nodes outside the set are answered without the query: the set must hold every node
    the query finds equivalents for, in both directions and by records alone."""
    _commit(app, tmp_path, "mapping", f"<{ONE}> skos:broadMatch <{TWO}> .\n"
                                      f"[] a owl:Axiom ; owl:annotatedSource <{TWO}> ; "
                                      f"owl:annotatedProperty skos:relatedMatch ; owl:annotatedTarget <{THREE}> .\n")
    store = app.extensions["qagraph.store"]
    text = queries.load("entity-equivalents").text
    with_equivalents = {node for node in (ONE, TWO, THREE, BODY)
                        if list(store.query(text, bindings={"node": ox.NamedNode(node)}))}
    assert with_equivalents == {ONE, TWO, THREE}
    assert with_equivalents <= entity.mapped(store)
    assert entity.equivalents(store, BODY) == []


def test_equivalents_implied_by_a_later_commit_are_on_the_next_view(app: Any, tmp_path: Path) -> None:
    """The reasoning over exact mappings is kept per state: a chain completed by a commit
    shows the implied equivalent on the next view."""
    def record(subject: str, target: str) -> str:
        return (f"<{subject}> skos:exactMatch <{target}> .\n[] a owl:Axiom ; owl:annotatedSource <{subject}> ; "
                f"owl:annotatedProperty skos:exactMatch ; owl:annotatedTarget <{target}> .\n")

    _commit(app, tmp_path, "first", record(ONE, TWO))
    assert "/id/credential/state-three" not in _equivalents(_page(app, ONE))
    _commit(app, tmp_path, "second", record(TWO, THREE))
    assert "/id/credential/state-three" in _equivalents(_page(app, ONE))


def test_the_current_graphs_are_read_again_after_a_commit_and_a_drop(app: Any, tmp_path: Path) -> None:
    store = app.extensions["qagraph.store"]
    before = store.current_graphs()
    before.clear()  # the caller's copy: what the store keeps is untouched
    assert set(store.current_graphs()) == {"base"}
    _commit(app, tmp_path, "more", f"<{ONE}> rdfs:comment \"x\" .\n")
    assert set(store.current_graphs()) == {"base", "more"}
    replaced = store.current_graphs()["more"]
    _commit(app, tmp_path, "more", f"<{ONE}> rdfs:comment \"y\" .\n")
    assert store.current_graphs()["more"] != replaced
    store.drop("more")
    assert set(store.current_graphs()) == {"base"}
