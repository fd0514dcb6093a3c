"""IRIs of the vocabularies that qagraph defines and reuses, and the one routine that
expands CURIEs (prefix:local) and compacts IRIs: a `curies.Converter` over a prefix table,
the project's own by default (the library sssom-py uses for the same job)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Final

import curies

QA: Final = "https://w3id.org/qagraph/ontology#"
ONTOLOGY_IRI: Final = "https://w3id.org/qagraph/ontology"
SHAPES: Final = "https://w3id.org/qagraph/shapes#"
VOCAB: Final = "https://w3id.org/qagraph/vocab/"
LVL: Final = VOCAB + "level/"
IDV: Final = VOCAB + "identity/"
CFK: Final = VOCAB + "control/"
CFA: Final = VOCAB + "applier/"
RQB: Final = VOCAB + "basis/"
CLK: Final = VOCAB + "collaboration/"
EXM: Final = VOCAB + "examination/"
SEC: Final = VOCAB + "sector/"
CST: Final = VOCAB + "curation/"
CND: Final = VOCAB + "condition/"
DPK: Final = VOCAB + "dependency/"
DEFAULT_BASE: Final = "https://w3id.org/qagraph/id/"
GRAPH_BASE: Final = "https://w3id.org/qagraph/graph/"
META_GRAPH: Final = GRAPH_BASE + "meta"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
ORG: Final = "http://www.w3.org/ns/org#"
SH: Final = "http://www.w3.org/ns/shacl#"
VOID: Final = "http://rdfs.org/ns/void#"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
SCHEMA: Final = "https://schema.org/"
CETERMS: Final = "https://purl.org/ctdl/terms/"
ELM: Final = "http://data.europa.eu/snb/model/elm/"
SSSOM: Final = "https://w3id.org/sssom/"
SEMAPV: Final = "https://w3id.org/semapv/vocab/"
PAV: Final = "http://purl.org/pav/"

PREFIXES: Final[dict[str, str]] = {
    "qa": QA,
    "qash": SHAPES,
    "lvl": LVL,
    "idv": IDV,
    "cfk": CFK,
    "cfa": CFA,
    "rqb": RQB,
    "clk": CLK,
    "exm": EXM,
    "sec": SEC,
    "cst": CST,
    "cnd": CND,
    "dpk": DPK,
    "id": DEFAULT_BASE,
    "ex": DEFAULT_BASE + "example/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "org": ORG,
    "sh": SH,
    "void": VOID,
    "foaf": FOAF,
    "schema": SCHEMA,
    "ceterms": CETERMS,
    "elm": ELM,
    "sssom": SSSOM,
    "semapv": SEMAPV,
    "pav": PAV,
}


def sparql_prologue(names: list[str] | None = None) -> str:
    """PREFIX declarations for SPARQL text, for all or the named prefixes."""
    chosen = names or list(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)


def converter_for(prefixes: Mapping[str, str]) -> curies.Converter:
    """A converter over a prefix table (prefix -> namespace). Two prefixes may name the
    same namespace (an SSSOM set's curie_map may); compacting then takes the last."""
    return _converter(tuple(prefixes.items()))


@functools.lru_cache(maxsize=16)
def _converter(items: tuple[tuple[str, str], ...]) -> curies.Converter:
    return curies.Converter.from_prefix_map(dict(items), strict=False)


def converter(base: str = DEFAULT_BASE) -> curies.Converter:
    """The project's prefixes, with `id:` (and `ex:` for examples) under the data's base
    IRI `base` (the BASE_IRI setting)."""
    return converter_for({**PREFIXES, "id": base, "ex": base + "example/"})


CONVERTER: Final = converter()

# An IRI with an authority (https://…) is never read as a CURIE, whatever its scheme.
_IRI_WITH_AUTHORITY = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def expand(text: str, converter: curies.Converter = CONVERTER) -> str | None:
    """The IRI that the CURIE `text` stands for, or None when `text` is no CURIE of the
    converter's prefixes (an IRI such as https://… is none)."""
    if ":" not in text or _IRI_WITH_AUTHORITY.match(text):
        return None
    return converter.expand(text)


def compact(iri: str, converter: curies.Converter = CONVERTER) -> str:
    """`iri` as prefix:local when a known namespace covers it (the longest that does),
    else unchanged. Local names with characters other than letters, digits, `-_./` stay
    full IRIs."""
    curie = converter.compress(iri)
    if curie is None:
        return iri
    local = curie.partition(":")[2]
    if local and all(c.isalnum() or c in "-_./" for c in local):  # readable, copied back as is
        return curie
    return iri
