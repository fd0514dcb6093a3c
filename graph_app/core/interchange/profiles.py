"""The profiles a node's description can be had in: qagraph's own model, ELM (the EU's
European Learning Model, as its LOQ and AMS application profiles describe it) and CTDL
(Credential Engine's CTDL JSON-LD).

The web negotiates among them (graph_app/web/profiles.py, docs/interchange.md); this module
says which profiles a node has, why a node has no ELM form when the export leaves it out,
and writes the node's description in one of them. Which forms a node has is remembered
per store generation, so a page asks the ELM mapping once per node and commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from rdflib import RDF, Graph, URIRef

from ..derived import PerGeneration, PerState
from ..entity import FORMATS
from ..namespaces import QA
from ..store import Store
from . import ctdl, elm, typed

QAGRAPH = "https://w3id.org/qagraph/ontology"
LOQ = "http://data.europa.eu/snb/model/ap/loq-constraints"
AMS = "http://data.europa.eu/snb/model/ap/ams-constraints"
RDF_MEDIA = tuple(mime for _fmt, mime in FORMATS.values())  # those of the entity pages' twins
RDFLIB_FORMAT = {"text/turtle": "turtle", "application/ld+json": "json-ld",
                 "application/n-triples": "nt", "application/rdf+xml": "xml"}


@dataclass(frozen=True)
class Profile:
    token: str  # the short name in ?_profile=
    uri: str  # the profile's IRI (Accept-Profile, Content-Profile)
    media: tuple[str, ...]  # the media types it is written in, the first by default
    narrower: tuple[str, ...] = ()  # application profiles of it a client may name instead

    def names(self) -> set[str]:
        return {self.token, self.uri, *self.narrower}


PROFILES: dict[str, Profile] = {p.token: p for p in (
    Profile("qagraph", QAGRAPH, RDF_MEDIA),
    Profile("elm", str(elm.ELM), RDF_MEDIA, (LOQ, AMS)),
    Profile("ctdl", "https://purl.org/ctdl/terms/", ("application/ld+json",)),
)}
# The application profiles an ELM description of a class conforms to (tested).
ELM_APPLICATION_PROFILES: dict[URIRef, tuple[str, ...]] = {
    elm.ELM.Qualification: (LOQ,), elm.ELM.LearningAchievementSpecification: (LOQ,),
    elm.ELM.Organisation: (LOQ, AMS), elm.ELM.Agent: (LOQ, AMS), elm.ELM.Accreditation: (AMS,),
}
ELM_KINDS = (QA + "Credential", QA + "Organisation", QA + "Accreditation")
CTDL_KINDS = (QA + "Credential", QA + "Organisation")


def find(name: str) -> Profile | None:
    """The profile a token or IRI names (a narrower application profile names its profile)."""
    for profile in PROFILES.values():
        if name in profile.names():
            return profile
    return None


@dataclass(frozen=True)
class Forms:
    """The register profiles a node has, with what each representation conforms to, and
    the ELM fields that keep a credential or an accreditation out of ELM."""

    conforms: dict[str, tuple[str, ...]]  # token -> profile IRIs (qagraph is always there)
    elm_lacks: tuple[str, ...] = ()  # message keys elm_field_*


# ELM descriptions per node (an rdflib graph each: the most recently used few hundred), and
# the forms of every node a page was asked for (small: each page view asks for its node's
# forms, so they must outlast the descriptions), for one store generation.
_MEMO = PerState(512)
_FORMS = PerState(100_000)
_KINDS = PerState(1)


def elm_description(store: Store, iri: str) -> elm.ElmExport:
    """The node's ELM export (with the organisations it refers to), remembered."""
    value = _MEMO.get(store, ("elm", iri), lambda: elm.export(store, nodes=[iri]))
    assert isinstance(value, elm.ElmExport)
    return value


def forms(store: Store, iri: str) -> Forms:
    """The profiles the node can be had in."""
    value = _FORMS.get(store, iri, lambda: _forms(store, iri))
    assert isinstance(value, Forms)
    return value


OWN_ONLY = Forms({"qagraph": (QAGRAPH,)})


def _forms(store: Store, iri: str) -> Forms:
    every = _EVERY.current(store, start=False)
    if every is not None:  # the committed state's, made in one export
        return every.get(iri, OWN_ONLY)
    kinds = {cls for cls, nodes in _instances(store).items() if iri in nodes}
    if not kinds:
        return OWN_ONLY
    exported = elm_description(store, iri)
    return _judged(iri, kinds, exported.graph, _left_out(exported))


def _instances(store: Store) -> dict[str, frozenset[str]]:
    """The nodes of each kind a register profile describes, read once per state of the
    store (a few thousand at 1M triples): a page's forms then need no query of their own."""
    value: dict[str, frozenset[str]] = _KINDS.get(store, "instances", lambda: {
        cls: frozenset(nodes) for cls, nodes in typed(store, ELM_KINDS).items()})
    return value


def _left_out(exported: elm.ElmExport) -> dict[str, tuple[str, ...]]:
    """The nodes an ELM export left out, with the fields they lack."""
    found: dict[str, tuple[str, ...]] = {}
    for omission in exported.omissions:
        if omission.kind == "left_out":
            found.setdefault(omission.node, omission.fields)
    return found


def _judged(iri: str, kinds: set[str], graph: Graph, left_out: dict[str, tuple[str, ...]]) -> Forms:
    """The forms of a node of `kinds`, from an ELM export's graph (which holds the node
    unless the export left it out, for lack of the fields it gives)."""
    conforms: dict[str, tuple[str, ...]] = {"qagraph": (QAGRAPH,)}
    lacks: tuple[str, ...] = ()
    if kinds:
        node = URIRef(iri)
        classes = {c for c in graph.objects(node, RDF.type) if isinstance(c, URIRef)
                   and c in ELM_APPLICATION_PROFILES}
        if classes:
            aps = sorted({ap for cls in classes for ap in ELM_APPLICATION_PROFILES[cls]})
            conforms["elm"] = (PROFILES["elm"].uri, *aps)
        else:
            lacks = left_out.get(iri, ())
    if kinds & set(CTDL_KINDS):
        conforms["ctdl"] = (PROFILES["ctdl"].uri,)
    return Forms(conforms, lacks)


def _every_form(store: Store) -> dict[str, Forms]:
    """The forms of every node a register profile describes, from one ELM export of them
    all (3 s at 1M triples, for 3,300 nodes, against some 4 ms per node one by one: a
    credential page's first view spent a quarter of its time there). A node's export is
    the same alone or among all: each is described by the same mappings, with the
    organisations it refers to (tests/test_entity_known.py compares them)."""
    kinds = typed(store, ELM_KINDS)
    nodes = sorted(set().union(*kinds.values()))
    if not nodes:
        return {}
    exported = elm.export(store, nodes=nodes)
    left_out = _left_out(exported)
    by_node: dict[str, set[str]] = {}
    for cls, members in kinds.items():
        for node in members:
            by_node.setdefault(node, set()).add(cls)
    return {node: _judged(node, its, exported.graph, left_out) for node, its in by_node.items()}


# The forms of every node of the committed state, kept beside the store, remade after each
# commit (in the background when slow, as the catalogue is: pages judge their own node
# meanwhile) and read by page readers.
_EVERY: PerGeneration[dict[str, Forms]] = PerGeneration(_every_form, "register-forms")


def keep_up_to_date(store: Store) -> None:
    """Remake the forms of every node after each commit (a server's)."""
    _EVERY.keep_up_to_date(store)


def adopt(store: Store) -> None:
    """When a server starts: the forms of the committed state when they are kept, else
    made in the background (pages judge their own node meanwhile)."""
    if _EVERY.kept(store):
        _EVERY.current(store, start=False)
    else:
        _EVERY.current(store, start=True)


def write(store: Store, iri: str, token: str, media: str) -> bytes:
    """The node's description in a register profile (elm or ctdl) and a media type it has."""
    if token == "ctdl":
        return ctdl.serialise(ctdl.export(store, nodes=[iri]))
    body, _dropped = elm.serialise(elm_description(store, iri), RDFLIB_FORMAT[media], "none")
    return body


# -- dumps of the whole store ----------------------------------------------------------

DUMPS = {"elm": ("text/turtle", "ttl"), "ctdl": ("application/ld+json", "jsonld")}


def dump(store: Store, token: str, out: BinaryIO) -> None:
    """The whole store in a register profile: ELM (what the EU's shapes describe, in Turtle)
    or CTDL (JSON-LD)."""
    if token == "ctdl":
        out.write(ctdl.serialise(ctdl.export(store)))
        return
    body, _left_out = elm.serialise(elm.export(store), "turtle", "none")
    out.write(body)

