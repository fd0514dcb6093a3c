"""Curation of mappings with review: proposed -> accepted | rejected, accepted -> deprecated.

All curated records live in one source, ``curation``: each record is an SSSOM mapping
(owl:Axiom) in the mapping set ``mappingset/curated`` with a ``qa:curationStatus``; only
an accepted record publishes its SKOS triple (and only accepted records count in
reasoning, see mappings-accepted.rq). Every change is a ``prov:Activity``: who
(prov:wasAssociatedWith), when (prov:endedAtTime), what (qa:curationAction, the status it
left, rdfs:comment). Statuses and actions are concepts of the schemes in
ontology/schemes/curation-status.ttl (cst:accepted, cst:accept, ...); the code names them
by their notation ("accepted", "accept") and stores the concept IRIs. A change rewrites the source through stage -> validate -> commit, so
it is atomic and the store is unchanged when it fails.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef

from . import queries
from .errors import CurationRefused, InputError, ViolationsFound
from .namespaces import CST, DCTERMS, DEFAULT_BASE, PAV, PROV, QA, SEMAPV, SKOS, SSSOM, VOID
from .resources import vocabulary_graph
from .store import Store
from .terms import graph_from_triples, triples_from_graph
from .validation import validate_staged

SOURCE = "curation"
SET_IRI = DEFAULT_BASE + "mappingset/curated"
RECORD_BASE = DEFAULT_BASE + "mapping/"
CURATOR_BASE = DEFAULT_BASE + "curator/"
STATES = ("proposed", "accepted", "rejected", "deprecated")
TRANSITIONS = {"accept": ("proposed", "accepted"), "reject": ("proposed", "rejected"),
               "deprecate": ("accepted", "deprecated")}
PREDICATES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")

QA_NS, SSSOM_NS, PROV_NS, CST_NS = Namespace(QA), Namespace(SSSOM), Namespace(PROV), Namespace(CST)
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS_NS = Namespace(SKOS)
DCT, PAV_NS, VOID_NS = Namespace(DCTERMS), Namespace(PAV), Namespace(VOID)

_lock = threading.Lock()


@dataclass
class Change:
    action: str
    curator: str
    at: str
    status: str
    comment: str


@dataclass
class Record:
    iri: str
    subject: str
    predicate: str
    object: str
    negated: bool
    status: str
    author: str
    reviewer: str
    justification: str
    comment: str
    created: str
    history: list[Change] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return self.iri.rsplit("/", 1)[-1]

    @property
    def kind(self) -> str:
        return self.predicate.rsplit("#", 1)[-1]


def concept(name: str) -> URIRef:
    """The concept IRI of a status or action named by its notation ("accepted" -> cst:accepted)."""
    return CST_NS[name]


def notation(value: object) -> str:
    """The notation of a stored status or action concept ("" when absent).

    A value outside the curation namespace (for example a plain string left by an older
    version) is returned as "?" + its text, so it never passes for a known status."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, URIRef) and text.startswith(CST):
        return text[len(CST):]
    return "?" + text


def concept_label(name: str, lang: str) -> str:
    """The skos:prefLabel of a status or action concept in `lang` (then sv, en), or `name`."""
    labels = {o.language: str(o) for o in vocabulary_graph().objects(concept(name), SKOS_NS.prefLabel)
              if isinstance(o, Literal)}
    for key in (lang, "sv", "en"):
        if labels.get(key):
            return labels[key]
    return name


def curator_iri(name: str) -> URIRef:
    return URIRef(CURATOR_BASE + name)


def _now() -> Literal:
    return Literal(datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
                   datatype=XSD.dateTime)


def _current(store: Store) -> Graph:
    graph = Graph()
    current = store.current_graphs().get(SOURCE)
    if current is not None:
        result = store.query(queries.load("graph-contents").text, bindings={"g": current})
        graph_from_triples(result, into=graph)  # type: ignore[arg-type]
    else:
        s = URIRef(SET_IRI)
        graph.add((s, RDF.type, SSSOM_NS.MappingSet))
        graph.add((s, RDF.type, VOID_NS.Linkset))
        graph.add((s, DCT.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
        graph.add((s, DCT.creator, URIRef(CURATOR_BASE)))
        graph.add((s, DCT.title, Literal("Kuraterade mappningar", lang="sv")))
        graph.add((s, DCT.title, Literal("Curated mappings", lang="en")))
    return graph


def _save(store: Store, graph: Graph, agent: str) -> None:
    staged = store.stage(SOURCE, "curation", "")
    try:
        store.write_staged(staged, triples_from_graph(graph))
        report = validate_staged(store, [staged], replacing=[SOURCE])
        if report.violations:
            raise ViolationsFound(report)
        store.commit([staged], agent=agent)
    except BaseException:
        store.discard([staged])
        raise


def _is_credential(store: Store, iri: str) -> bool:
    result = store.query(queries.load("credential-exists").text, bindings={"c": ox.NamedNode(iri)})
    return bool(result)


def _log(graph: Graph, record: URIRef, action: str, curator: str, status: str, comment: str) -> None:
    activity = URIRef(f"{record}/change-{uuid.uuid4().hex[:12]}")
    graph.add((activity, RDF.type, PROV_NS.Activity))
    graph.add((activity, PROV_NS.wasAssociatedWith, curator_iri(curator)))
    graph.add((activity, PROV_NS.endedAtTime, _now()))
    graph.add((activity, PROV_NS.used, record))
    graph.add((activity, QA_NS.curationAction, concept(action)))
    graph.add((activity, QA_NS.curationStatus, concept(status)))
    if comment:
        graph.add((activity, RDFS.comment, Literal(comment)))
    graph.add((curator_iri(curator), RDF.type, PROV_NS.Agent))
    graph.add((curator_iri(curator), RDFS.label, Literal(curator)))


def propose(store: Store, curator: str, subject: str, predicate: str, obj: str,
            justification: str, *, negated: bool = False, comment: str = "",
            see_also: str = "") -> str:
    """Record a proposed mapping; returns its IRI."""
    predicate = predicate.removeprefix("skos:")
    if predicate in PREDICATES:
        predicate = SKOS + predicate
    if predicate not in {SKOS + p for p in PREDICATES}:
        raise InputError("curation_bad_predicate", name=predicate)
    for iri in (subject, obj):
        if not _is_credential(store, iri):
            raise InputError("curation_not_credential", name=iri)
    if subject == obj:
        raise InputError("curation_same")
    if not justification.strip():
        raise InputError("curation_justification")
    with _lock:
        graph = _current(store)
        record = URIRef(f"{RECORD_BASE}curated-{uuid.uuid4().hex[:12]}")
        graph.add((URIRef(SET_IRI), SSSOM_NS.mappings, record))
        graph.add((record, RDF.type, OWL.Axiom))
        graph.add((record, OWL.annotatedSource, URIRef(subject)))
        graph.add((record, OWL.annotatedProperty, URIRef(predicate)))
        graph.add((record, OWL.annotatedTarget, URIRef(obj)))
        graph.add((record, SSSOM_NS.mapping_justification, URIRef(SEMAPV + "ManualMappingCuration")))
        graph.add((record, SSSOM_NS.record_id, record))
        graph.add((record, PAV_NS.authoredBy, curator_iri(curator)))
        graph.add((record, DCT.created, Literal(datetime.now(UTC).date().isoformat(), datatype=XSD.date)))
        graph.add((record, QA_NS.curationStatus, concept("proposed")))
        graph.add((record, QA_NS.justificationText, Literal(justification.strip())))
        if comment.strip():
            graph.add((record, RDFS.comment, Literal(comment.strip())))
        if see_also.strip():
            graph.add((record, RDFS.seeAlso, URIRef(see_also.strip())))
        if negated:
            graph.add((record, SSSOM_NS.predicate_modifier, SSSOM_NS.NegatedPredicate))
        _log(graph, record, "propose", curator, "proposed", justification.strip())
        _save(store, graph, f"curator {curator}")
    return str(record)


def _resolve(graph: Graph, name: str) -> URIRef:
    record = URIRef(name if name.startswith("http") else RECORD_BASE + name)
    if (record, RDF.type, OWL.Axiom) not in graph:
        raise InputError("curation_unknown", name=name)
    return record


def transition(store: Store, curator: str, name: str, action: str, comment: str) -> str:
    """Accept, reject or deprecate a curated record; returns the new status."""
    if action not in TRANSITIONS:
        raise InputError("curation_bad_transition", state="?", action=action)
    if not comment.strip():
        raise InputError("curation_comment")
    before, after = TRANSITIONS[action]
    with _lock:
        graph = _current(store)
        record = _resolve(graph, name)
        state = notation(graph.value(record, QA_NS.curationStatus))
        if state != before:
            raise InputError("curation_bad_transition", state=state, action=action)
        if action in ("accept", "reject") and graph.value(record, PAV_NS.authoredBy) == curator_iri(curator):
            raise CurationRefused("curation_own_review")
        graph.set((record, QA_NS.curationStatus, concept(after)))
        if action in ("accept", "reject"):
            graph.set((record, SSSOM_NS.reviewer_id, curator_iri(curator)))
        triple = (graph.value(record, OWL.annotatedSource), graph.value(record, OWL.annotatedProperty),
                  graph.value(record, OWL.annotatedTarget))
        negated = (record, SSSOM_NS.predicate_modifier, None) in graph
        if after == "accepted" and not negated:
            graph.add(triple)  # type: ignore[arg-type]
        if after == "deprecated" and not _other_accepted(graph, record, triple):
            graph.remove(triple)
        _log(graph, record, action, curator, after, comment.strip())
        _save(store, graph, f"curator {curator}")
    return after


def _other_accepted(graph: Graph, record: URIRef, triple: tuple[object, object, object]) -> bool:
    for other in graph.subjects(QA_NS.curationStatus, concept("accepted")):
        if other != record and (graph.value(other, OWL.annotatedSource), graph.value(other, OWL.annotatedProperty),
                                graph.value(other, OWL.annotatedTarget)) == triple:
            return True
    return False


def records(store: Store) -> list[Record]:
    """Every curated record with its history, newest first."""
    graph = _current(store)
    out = []
    for record in graph.subjects(RDF.type, OWL.Axiom):
        out.append(_record(graph, record))  # type: ignore[arg-type]
    return sorted(out, key=lambda r: (r.created, r.iri), reverse=True)


def record(store: Store, name: str) -> Record:
    graph = _current(store)
    return _record(graph, _resolve(graph, name))


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _record(graph: Graph, node: URIRef) -> Record:
    def v(p: URIRef) -> str:
        return _text(graph.value(node, p))

    history = []
    for activity in graph.subjects(PROV_NS.used, node):
        who = _text(graph.value(activity, PROV_NS.wasAssociatedWith))
        history.append(Change(
            notation(graph.value(activity, QA_NS.curationAction)), who.rsplit("/", 1)[-1],
            _text(graph.value(activity, PROV_NS.endedAtTime)),
            notation(graph.value(activity, QA_NS.curationStatus)),
            _text(graph.value(activity, RDFS.comment))))
    history.sort(key=lambda c: (c.at, STATES.index(c.status) if c.status in STATES else 9))
    return Record(
        iri=str(node), subject=v(OWL.annotatedSource), predicate=v(OWL.annotatedProperty),
        object=v(OWL.annotatedTarget),
        negated=(node, SSSOM_NS.predicate_modifier, None) in graph,
        status=notation(graph.value(node, QA_NS.curationStatus)), author=v(PAV_NS.authoredBy).rsplit("/", 1)[-1],
        reviewer=v(SSSOM_NS.reviewer_id).rsplit("/", 1)[-1],
        justification=v(QA_NS.justificationText), comment=v(RDFS.comment),
        created=v(DCT.created), history=history,
    )


def parse_curators(text: str) -> dict[str, str]:
    """The CURATORS setting: "name:password-hash;name2:hash2" -> {name: hash}."""
    out = {}
    for item in text.split(";"):
        name, sep, secret = item.strip().partition(":")
        if sep and name.strip() and secret:
            out[name.strip()] = secret
    return out
