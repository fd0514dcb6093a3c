"""CTDL JSON-LD export (Credential Engine's Credential Transparency Description Language),
in the shape the Credential Registry publishes: an `@context` and an `@graph`.

The mapping is `ctdl/export.rq`; the context we ship is `ctdl/context.jsonld` (remote
contexts are never fetched). Every node gets a CTID derived from its IRI: "ce-" and the
UUID version 5 of the IRI in the URL namespace, so an export gives the same CTIDs every time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from rdflib import RDF, Graph, Literal, URIRef

from ..namespaces import CETERMS, QA
from ..store import Store
from . import CTDL_DIR, construct, typed


def ctid(iri: str) -> str:
    """The CTID of one of our IRIs: stable, and unique as the IRI is."""
    return "ce-" + str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


@cache
def context() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((CTDL_DIR / "context.jsonld").read_text(encoding="utf-8"))
    return loaded


@cache
def domains() -> dict[str, frozenset[str]]:
    """The CTDL terms the project keeps (ctdl/terms.txt), as full IRIs, each property with
    the classes it may describe (a class has none)."""
    out: dict[str, frozenset[str]] = {}
    for line in (CTDL_DIR / "terms.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            term, *classes = line.split()
            out[CETERMS + term] = frozenset(CETERMS + c for c in classes)
    return out


def known_terms() -> frozenset[str]:
    return frozenset(domains())


def graph(store: Store, graph_iri: str | None = None, nodes: Iterable[str] | None = None) -> Graph:
    """The CTDL triples of the store (or of the nodes one source describes, or of the given
    nodes), with CTIDs."""
    if graph_iri is not None or nodes is not None:
        found = typed(store, [QA + "Credential", QA + "Organisation"], nodes, graph_iri)
        nodes = set().union(*found.values())
    out = construct(store, CTDL_DIR, "export", nodes)
    for node in set(out.subjects(RDF.type, None)):
        out.add((node, URIRef(CETERMS + "ctid"), Literal(ctid(str(node)))))
    return out


def export(store: Store, graph_iri: str | None = None, nodes: Iterable[str] | None = None) -> dict[str, Any]:
    """The CTDL JSON-LD document: the shipped @context and an @graph of nodes."""
    data = graph(store, graph_iri, nodes)
    compacted = json.loads(data.serialize(format="json-ld", context=context()["@context"], auto_compact=True))
    found = compacted.get("@graph", [compacted] if "@id" in compacted else [])
    described = sorted((_ordered(n) for n in found if isinstance(n, dict) and "@id" in n), key=lambda n: n["@id"])
    return {"@context": context()["@context"], "@graph": described}


def _ordered(value: Any) -> Any:
    """The value with every array in one order (JSON-LD lists a property's values in the
    order the store answered, which differs between engines and loads; the context has no
    ordered lists): the same data gives the same document, and the same checksum."""
    if isinstance(value, dict):
        return {key: _ordered(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((_ordered(item) for item in value),
                      key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def serialise(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
