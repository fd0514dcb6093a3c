"""Whether a node is in the data is answered from the catalogue of the committed state
when it is ready, and by the store otherwise: a node that a commit removed is not found,
one that a commit added is found, and the profiles a node has follow the commits. The
register forms of every node, made in one export per state, are those of each node alone."""

from __future__ import annotations

from pathlib import Path

from graph_app.cli import bundled_inputs
from graph_app.core import catalogue
from graph_app.core.interchange import profiles
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE
from graph_app.core.store import OxigraphStore
from graph_app.web.app import create_app
from loaders import registry as loaders

PREFIXES = """@prefix qa: <https://w3id.org/qagraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix id: <https://w3id.org/qagraph/id/> .
"""


def _commit(store: OxigraphStore, folder: Path, turtle: str) -> None:
    data = folder / "data.ttl"
    data.write_text(PREFIXES + turtle, encoding="utf-8")
    load(store, [LoadInput(data, "data", loaders.get("turtle"))], base_iri=DEFAULT_BASE, validate=False)


def test_nodes_come_and_go_with_the_commits(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        _commit(store, tmp_path, '<https://w3id.org/qagraph/id/organisation/first> a qa:Organisation ; rdfs:label "First"@en .')
        app = create_app({"STORE_OBJECT": store, "TESTING": True, "BACKGROUND_VALIDATION": False,
                          "VALIDATION_WAIT": 60})
        client = app.test_client()
        page = client.get("/id/organisation/first?lang=en")
        assert page.status_code == 200 and "First" in page.text
        assert "profile=elm" in page.headers["Link"]  # an organisation has an ELM form
        ready = catalogue.current(store)
        assert ready is not None and "https://w3id.org/qagraph/id/organisation/first" in ready.entries

        _commit(store, tmp_path, '<https://w3id.org/qagraph/id/organisation/second> a qa:Organisation ; rdfs:label "Second"@en .')
        assert client.get("/id/organisation/first?lang=en").status_code == 404
        assert client.get("/id/organisation/first.ttl").status_code == 404
        second = client.get("/id/organisation/second?lang=en")
        assert second.status_code == 200 and "profile=elm" in second.headers["Link"]

        _commit(store, tmp_path, '<https://w3id.org/qagraph/id/thing/second> rdfs:label "Not an organisation"@en .')
        third = client.get("/id/thing/second?lang=en")
        assert third.status_code == 200 and "profile=elm" not in third.headers["Link"]
        assert client.get("/id/organisation/second?lang=en").status_code == 404
    finally:
        store.close()


def test_an_older_catalogue_is_not_asked(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        _commit(store, tmp_path, '<https://w3id.org/qagraph/id/organisation/first> a qa:Organisation ; rdfs:label "First"@en .')
        before = catalogue.catalogue(store)
        assert "https://w3id.org/qagraph/id/organisation/first" in before.entries
        data = tmp_path / "data.ttl"
        data.write_text(PREFIXES + '<https://w3id.org/qagraph/id/organisation/second> a qa:Organisation .', encoding="utf-8")
        staged = store.stage("data", str(data), "x")
        store.write_staged(staged, [])
        store.commit([staged])  # a commit whose catalogue nobody has built yet
        assert catalogue.current(store) is None or \
            "https://w3id.org/qagraph/id/organisation/first" not in catalogue.current(store).entries
    finally:
        store.close()


def test_the_forms_of_every_node_at_once_are_those_of_each_alone(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        load(store, bundled_inputs(), base_iri=DEFAULT_BASE)
        every = profiles._every_form(store)
        kinds = profiles._instances(store)
        nodes = set().union(*kinds.values())
        assert set(every) == nodes and len(nodes) > 50
        alone = {iri: profiles._judged(iri, {c for c, n in kinds.items() if iri in n},
                                       profiles.elm_description(store, iri).graph,
                                       profiles._left_out(profiles.elm_description(store, iri)))
                 for iri in nodes}
        assert every == alone
        # both ways are met in the sample: nodes with an ELM form, and nodes left out of ELM
        assert any("elm" in f.conforms for f in every.values())
        assert any(f.elm_lacks for f in every.values())
    finally:
        store.close()
