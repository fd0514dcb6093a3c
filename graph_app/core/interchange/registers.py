"""Register identifiers in mapping sets. When a mapping names an entity that came from a
register, the SSSOM export names it by a CURIE whose prefix the set's curie_map declares:

* an entity read by the ELM import keeps its IRI, which the register (a national
  qualification register publishing to Europass) minted. The import records that its input
  file was ELM (`<urn:sha256:…> dcterms:conformsTo elm:` in the source's graph, beside the
  store's `prov:wasDerivedFrom` of that graph); the prefix is the source's name and the
  namespace the IRI's up to its last `/` or `#`;
* a resource of Credential Engine's Credential Registry (CTDL) is named `ce:` + its CTID.

IRIs under the base IRI are qagraph's own, never a register's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from .. import queries
from ..namespaces import DCTERMS
from ..store import Store
from . import ELM_DIR, elm

# Credential Engine's Credential Registry: a resource's IRI is this and its CTID.
REGISTRIES: dict[str, str] = {"ce": "https://credentialengineregistry.org/resources/"}
CONFORMS_TO = ox.NamedNode(DCTERMS + "conformsTo")
PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def provenance(checksum: str) -> list[ox.Triple]:
    """What the ELM import says of its input file (the store's `urn:sha256:` entity)."""
    return [ox.Triple(ox.NamedNode(f"urn:sha256:{checksum}"), CONFORMS_TO, ox.NamedNode(str(elm.ELM)))]


def namespace(iri: str) -> str:
    """The IRI up to and including its last `/` or `#` (the whole IRI when it has neither
    after its scheme)."""
    cut = max(iri.rfind("/"), iri.rfind("#"))
    return iri[: cut + 1] if cut > iri.find(":") + 2 else iri


def _elm_sources(store: Store, iris: list[str]) -> dict[str, str]:
    """The source name that read each IRI from ELM, for those an ELM import read."""
    if not iris:
        return {}
    text = queries.with_values(queries.load("imported-from", ELM_DIR).text, "node", map(ox.NamedNode, iris))
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    return {row["node"].value: row["source"].value for row in result}


def _prefix_for(name: str, taken: Mapping[str, str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "-", name)
    if not PREFIX.match(base):
        base = "elm-" + base
    prefix, n = base, 2
    while prefix in taken:
        prefix, n = f"{base}{n}", n + 1
    return prefix


def curie_map(store: Store, iris: Iterable[str], prefixes: Mapping[str, str],
              base_iri: str) -> dict[str, str]:
    """Prefixes to add to a set's curie_map so that the register entities among `iris`
    are named by CURIEs; IRIs that `prefixes` already cover are left as they are."""
    taken = dict(prefixes)
    added: dict[str, str] = {}

    def covered(iri: str) -> bool:
        return any(iri.startswith(ns) and len(iri) > len(ns) for ns in taken.values())

    left = sorted({i for i in iris if not i.startswith(base_iri) and not covered(i)})
    for iri in left:
        for prefix, ns in REGISTRIES.items():
            if iri.startswith(ns) and not covered(iri):
                name = prefix if prefix not in taken else _prefix_for(prefix, taken)
                taken[name] = added[name] = ns
    for iri, source in sorted(_elm_sources(store, [i for i in left if not covered(i)]).items()):
        ns = namespace(iri)
        if not covered(iri) and ns != iri:
            name = _prefix_for(source, taken)
            taken[name] = added[name] = ns
    return added
