"""The embedded and the remote store give the same answers on the sample data: every
canned query and every example query returns the same rows from both.

Both stores hold the ontology, the concept schemes, the sample data and the mapping sets,
loaded the same way. Rows are compared as multisets; blank nodes, which each store names
in its own way, are compared as "a blank node". Parameters are bound to real things of
the sample data (a credential, an organisation, a requirement, a mapping set).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import BNode, Dataset, Graph, URIRef

from graph_app.cli import bundled_inputs, main
from graph_app.core import queries, sparql_examples
from graph_app.core.interchange import CTDL_DIR, ELM_DIR, construct, ctdl, elm
from graph_app.core.loading import load
from graph_app.core.namespaces import DEFAULT_BASE, GRAPH_BASE
from graph_app.core.remote import RemoteStore
from graph_app.core.settings import load_settings
from graph_app.core.store import OxigraphStore, Store
from graph_app.core.stores import open_configured

from .virtuoso import Virtuoso

ID = DEFAULT_BASE
NODES = [ox.NamedNode(ID + n) for n in (
    "credential/heta-arbeten", "organisation/swedac", "organisation/brandskyddsforeningen",
    "requirement/elinstallator-auktorisation", "organisation/trafikverket")]

REMOTE_BASE = f"{GRAPH_BASE}test-agreement/"

# Canned queries that need a list of nodes in an appended VALUES block (?node).
NODE_LISTS = {"entity-labels"}


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, virtuoso: Virtuoso) -> Iterator[tuple[Store, Store]]:
    embedded = OxigraphStore(tmp_path_factory.mktemp("agreement") / "store")
    remote = open_configured(load_settings(virtuoso.settings(REMOTE_BASE)))
    assert isinstance(remote, RemoteStore)
    for store in (embedded, remote):
        load(store, bundled_inputs(), base_iri=DEFAULT_BASE, validate=False)
    yield embedded, remote
    embedded.close()
    remote.close()


def rows(result: Any, store: Store) -> Counter[tuple[str, ...]] | bool:
    """The answer as a multiset of rows; a store's own graph names become source names."""
    graphs = {g.value: f"graph of {name}" for name, g in store.current_graphs().items()}

    def term(t: Any) -> str:
        if t is None:
            return "UNBOUND"
        if isinstance(t, ox.BlankNode):
            return "_:blank"
        return graphs.get(getattr(t, "value", ""), str(t))

    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return Counter(tuple(term(row[n]) for n in names) for row in result)
    return Counter((term(t.subject), term(t.predicate), term(t.object)) for t in result)


# For each parameter, a query that finds a value with something to show in the sample
# data (run on the embedded store; the same term is then bound on both stores).
FINDERS = {
    "c": ["{ ?x qa:countryValidity ?v }", "{ ?r owl:annotatedSource ?x ; owl:annotatedProperty skos:exactMatch }"],
    "credential": ["{ ?r qa:recognisedCredential ?x }"],
    "node": ["{ ?x qa:hasCondition ?c }", "{ ?x qa:condition ?c }",
             "{ ?r owl:annotatedTarget ?x ; owl:annotatedProperty skos:exactMatch . ?x qa:hasRoute ?o }"],
    "subject": ["{ ?r owl:annotatedSource ?x ; owl:annotatedProperty skos:exactMatch }"],
    "start": ["{ ?x skos:exactMatch ?y }", "{ ?r owl:annotatedSource ?x ; owl:annotatedProperty skos:exactMatch }"],
    "requirement": ["{ ?x a qa:Requirement ; qa:requiresMinimumLevel ?l }", "{ ?x a qa:Requirement }"],
    "organisation": ["{ ?r qa:issuer ?x }"],
    "person": ["{ ?a qa:awardee ?x }"],
    "set": ["{ ?x a <https://w3id.org/sssom/MappingSet> }"],
}
PROLOGUE = ("PREFIX qa: <https://w3id.org/qagraph/ontology#> "
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX owl: <http://www.w3.org/2002/07/owl#> ")


def find(embedded: Store, name: str) -> ox.NamedNode:
    """The first value the finders of ?name find (the sample data grows; the first
    finder that has an answer decides)."""
    for pattern in FINDERS[name]:
        result = embedded.query(f"{PROLOGUE} SELECT ?x WHERE {pattern} ORDER BY ?x LIMIT 1")
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            return row["x"]  # type: ignore[no-any-return]
    raise AssertionError(f"nothing in the sample data for ?{name}")


def bindings_for(stores: tuple[Store, Store], store: Store, query: queries.CannedQuery) -> dict[str, Any]:
    embedded = stores[0]
    out: dict[str, Any] = {}
    for param in query.params:
        name = param.name
        if name == "g":
            out[name] = store.current_graphs()["hot-work"]
        elif name == "p":
            out[name] = ox.NamedNode("https://w3id.org/qagraph/ontology#issuer")
            out["node"] = find(embedded, "organisation")
        elif name == "name":
            out[name] = ox.Literal("BRANDSKYDDSFÖRENINGEN")  # not ASCII, and not as written
        elif name == "today":
            out[name] = ox.Literal("2025-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
        elif name == "until":
            out[name] = ox.Literal("2027-12-31", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
        elif param.kind == "iri" and "class" in param.text:
            out[name] = ox.NamedNode("https://w3id.org/qagraph/ontology#Organisation")
        elif query.name.startswith("tables-"):
            out[name] = find(embedded, "organisation")
            if name == "c":
                out[name] = ox.NamedNode("https://w3id.org/qagraph/ontology#Organisation")
        elif name == "org" or (name == "node" and "organisation" in param.text):
            out[name] = find(embedded, "organisation")
        elif name == "node" and "requirement" in param.text:
            out[name] = find(embedded, "requirement")
        elif name == "class":
            out[name] = ox.NamedNode("https://w3id.org/qagraph/ontology#Organisation")
        elif query.name == "entity-levels":
            out[name] = find(embedded, "c")
        elif name not in out:
            out[name] = find(embedded, name)
    return out


# Every canned query but "sources": the metadata of loads (graph names, times) differs
# between two stores by design.
CANNED = sorted(p.stem for p in queries.QUERY_DIR.glob("*.rq") if p.stem != "sources")
ANSWERED: dict[str, bool] = {}
EXAMPLES = [e.name for e in sparql_examples.all_examples()]


def _ask(stores: tuple[Store, Store], store: Store, name: str) -> Any:
    query = queries.load(name)
    text = query.text
    if name in NODE_LISTS:
        text = queries.with_values(text, "node", NODES)
    return rows(store.query(text, bindings=bindings_for(stores, store, query)), store)


@pytest.mark.parametrize("name", CANNED)
def test_every_canned_query_answers_the_same_on_both_stores(stores: tuple[Store, Store], name: str) -> None:
    embedded, remote = stores
    expected = _ask(stores, embedded, name)
    assert _ask(stores, remote, name) == expected
    ANSWERED[name] = bool(expected)


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_query_answers_the_same_on_both_stores(stores: tuple[Store, Store], name: str) -> None:
    embedded, remote = stores
    example = sparql_examples.get(name)
    assert example is not None
    found = []
    for store in stores:
        binding = bindings_for(stores, store, example.query)
        found.append(rows(store.query(example.text, bindings=binding), store))
    assert found[1] == found[0]
    ANSWERED[name] = bool(found[0])


def test_most_queries_have_answers_to_compare() -> None:
    """A comparison of two empty answers proves little: most queries must find rows."""
    assert len(ANSWERED) == len(CANNED) + len(EXAMPLES)  # all ran
    empty = sorted(name for name, answered in ANSWERED.items() if not answered)
    assert len(empty) <= len(ANSWERED) // 5, empty


def test_the_level_chart_counted_by_the_engine_equals_the_catalogue_s(stores: tuple[Store, Store]) -> None:
    """The levels overview counts on the server where aggregates are fast, over the
    catalogue on the embedded store: both ways give the same chart."""
    from graph_app.core import aggregates

    embedded, remote = stores
    expected = aggregates.chart_by_catalogue(embedded)
    assert expected["sector"] and expected["country"]
    assert aggregates.chart_by_query(embedded) == expected
    assert aggregates.chart_by_query(remote) == expected
    assert aggregates.chart_by_catalogue(remote) == expected
    assert aggregates.level_chart(remote) == expected and remote.fast_aggregates


# -- the register profiles' mappings (core/interchange) ---------------------------------------

MAPPINGS = [("elm", p.stem) for p in sorted(ELM_DIR.glob("export-*.rq"))] + [("ctdl", "export")]
# The nodes a page's forms describe: those above and an accreditation.
MAPPED_NODES = [n.value for n in NODES] + [ID + "accreditation/swedac-incert"]
# Mappings that only make sense for given nodes (the extension lists every statement of
# its ?node, which unbound would include the store's own records).
NODES_ONLY = {"export-extension"}


def _triples(graph: Graph) -> Counter[tuple[str, ...]]:
    def term(t: Any) -> str:
        return "_:blank" if isinstance(t, BNode) else t.n3()

    return Counter((term(s), term(p), term(o)) for s, p, o in graph)


def _mapped(store: Store, profile: str, name: str, nodes: list[str] | None) -> Counter[tuple[str, ...]]:
    directory = ELM_DIR if profile == "elm" else CTDL_DIR
    rows = (("period", "duration"), elm.validity_periods(store)) if name == "export-validity" else None
    return _triples(construct(store, directory, name, nodes, rows=rows))


@pytest.mark.parametrize(("profile", "name"), MAPPINGS)
def test_every_interchange_mapping_answers_the_same_on_both_stores(stores: tuple[Store, Store], profile: str,
                                                                    name: str) -> None:
    """The ELM and CTDL mappings, over everything and over a few nodes (the entity pages'
    forms), give the same triples on both stores."""
    embedded, remote = stores
    for nodes in ([MAPPED_NODES] if name in NODES_ONLY else [None, MAPPED_NODES]):
        expected = _mapped(embedded, profile, name, nodes)
        assert expected, (name, nodes)
        assert _mapped(remote, profile, name, nodes) == expected


def _elm(store: Store, nodes: list[str] | None = None) -> tuple[Any, ...]:
    found = elm.export(store, nodes=nodes)
    return _triples(found.graph), _triples(found.extension), found.omissions


def test_the_elm_and_ctdl_exports_are_the_same_on_both_stores(stores: tuple[Store, Store]) -> None:
    embedded, remote = stores
    whole = _elm(embedded)
    assert whole[0] and whole[1] and whole[2]
    assert _elm(remote) == whole
    one = [ID + "credential/heta-arbeten"]
    assert _elm(remote, one) == _elm(embedded, one)
    document = ctdl.export(embedded)
    assert document["@graph"] and ctdl.export(remote) == document


def test_cli_export_in_the_registers_models_works_on_a_server(stores: tuple[Store, Store], virtuoso: Virtuoso,
                                                              tmp_path: Path) -> None:
    """`qagraph export --profile elm|ctdl` against Virtuoso writes what it writes from the
    embedded store."""
    embedded, _remote = stores
    runner = CliRunner(env={f"QAGRAPH_{k}": str(v) for k, v in virtuoso.settings(REMOTE_BASE).items()})
    out = tmp_path / "elm.trig"
    result = runner.invoke(main, ["--lang", "en", "export", "--profile", "elm", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = Dataset()
    data.parse(out, format="trig")
    expected = elm.export(embedded)
    assert _triples(data.default_context) == _triples(expected.graph)
    assert _triples(data.graph(URIRef(elm.EXTENSION_GRAPH))) == _triples(expected.extension)
    out = tmp_path / "ctdl.jsonld"
    result = runner.invoke(main, ["--lang", "en", "export", "--profile", "ctdl", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == ctdl.export(embedded)
