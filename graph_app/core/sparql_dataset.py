"""The RDF dataset a SPARQL client sees (SPARQL 1.1 Query §13, Protocol §2.1.4).

- The default graph is the union of the committed sources. The metadata graph is not in it.
- The named graphs are the sources, each under its stable IRI ``{GRAPH_BASE}source/{name}``,
  and the metadata graph under ``{GRAPH_BASE}meta``. The versioned graphs a load writes
  (decision 0001) are internal: they are no graph names of this dataset.
- ``FROM``/``FROM NAMED``, or ``default-graph-uri``/``named-graph-uri`` (which win), make
  the dataset of a query; an IRI that names no graph of the dataset is an empty graph.

Physically each source lives in its current versioned graph, so a query that uses
``GRAPH`` is rewritten before it runs: ``GRAPH <stable>`` becomes ``GRAPH <versioned>``,
and ``GRAPH ?g { P }`` becomes ``GRAPH ?h { VALUES (?h ?g) { (<versioned> <stable>) … } { P } }``,
so ``?g`` is bound to the stable IRI everywhere in the query and ``?h`` is left out of the
results. The rewrite touches only the GRAPH keyword's term and braces, found by a lexer
over the canonical text, and is proved by the parser: rdflib reads the rewritten text
again (with every check of ``sparql_guard``) and must find the expected graph terms.

Snapshots come in two copies (see ``OxigraphStore.backup``): *full*, and *plain* without
the metadata graph. Queries that do not touch the metadata graph run on *plain* with
Oxigraph's union default graph, the fast path; the others on *full* with the committed
graphs named explicitly. See docs/decisions/0003-sparql-dataset.md.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from . import queries
from .errors import QagraphError
from .namespaces import GRAPH_BASE, META_GRAPH
from .remote import RemoteStore
from .sparql import SOURCE_GRAPH_BASE, SolutionsDocument
from .sparql_guard import Checked, check_query
from .store import META, OxigraphStore, QueryResult, Store

EMPTY = ox.NamedNode(GRAPH_BASE + "empty")

_LEX = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
    | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00c0-\uffff]*)?:(?:[\w\-:%.\u00c0-\uffff]|\\.)*)
    | (?P<word>[A-Za-z_][\w\-]*)
    | (?P<open>\{)
    | (?P<close>\})
    | (?P<other>\S)
    """,
    re.VERBOSE,
)


@dataclass
class Prepared:
    """What to run on which copy of the snapshot."""

    text: str
    options: dict[str, Any]
    use_full: bool
    hidden: frozenset[str]


def prepare(
    checked: Checked,
    current: Mapping[str, ox.NamedNode],
    *,
    pending: bool,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    base_iri: str | None,
    have_plain: bool,
) -> Prepared:
    """Decide the dataset, the copy and the text of a checked query."""

    def physical(name: str) -> ox.NamedNode | None:
        if name == META_GRAPH:
            return META
        if name.startswith(SOURCE_GRAPH_BASE):
            return current.get(name[len(SOURCE_GRAPH_BASE):])
        return None

    committed = list(current.values())
    given = default_graphs is not None or named_graphs is not None
    if given:
        spec_default, spec_named = list(default_graphs or []), list(named_graphs or [])
    elif checked.dataset_clause:
        spec_default, spec_named = checked.from_default, checked.from_named
    if given or checked.dataset_clause:
        default: list[ox.NamedNode] | None = [p for p in map(physical, spec_default) if p is not None]
        pairs = [(p, ox.NamedNode(n)) for n in dict.fromkeys(spec_named) if (p := physical(n)) is not None]
    else:
        default = None
        pairs = [(graph, ox.NamedNode(SOURCE_GRAPH_BASE + name)) for name, graph in sorted(current.items())]
        pairs.append((META, META))
    named_physical = [p for p, _ in pairs]
    meta_patterns = any(t is None or t == META_GRAPH for t in checked.graph_patterns)
    use_full = (default is not None and META in default) or (META in named_physical and meta_patterns)
    use_full = use_full or not have_plain
    options: dict[str, Any] = {}
    if default is None and not use_full and not pending:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = (committed if default is None else default) or [EMPTY]
        options["named_graphs"] = named_physical or [EMPTY]
    text, hidden = checked.text, frozenset[str]()
    if checked.graph_patterns:
        text, hidden = _rewrite(checked, physical, pairs, base_iri)
    return Prepared(text, options, use_full, hidden)


def run(
    full: Store,
    plain: OxigraphStore | None,
    checked: Checked,
    *,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    base_iri: str | None,
    bindings: Mapping[str, ox.NamedNode | ox.BlankNode | ox.Literal],
    timeout: float | None = None,
    row_limit: int | None = None,
) -> tuple[QueryResult | SolutionsDocument, frozenset[str]]:
    """Evaluate a checked query over the client's dataset of a snapshot (or, for a store
    that has no snapshots, of the store itself, within `timeout` seconds). A store on a
    server answers a SELECT query of at most `row_limit` solutions with the server's
    document (see RemoteStore.select_document)."""
    current = full.current_graphs()
    prepared = prepare(
        checked, current, pending=full.has_pending(),
        default_graphs=default_graphs, named_graphs=named_graphs, base_iri=base_iri,
        have_plain=plain is not None,
    )
    if isinstance(full, OxigraphStore):
        store = full if prepared.use_full or plain is None else plain
        result = store.query_dataset(prepared.text, base_iri=base_iri, bindings=bindings,
                                     **prepared.options)
        return result, prepared.hidden
    # Another store (a remote SPARQL server): the same dataset, named explicitly.
    # Its metadata graph may have another IRI (the store's graph prefix).
    committed = list(current.values())
    default = prepared.options.get("default_graph") or committed
    named = prepared.options.get("named_graphs") or [*committed, META]

    def physical(graphs: Sequence[ox.NamedNode]) -> list[str]:
        return [full.meta_graph if g == META else g.value for g in graphs]

    if row_limit is not None and isinstance(full, RemoteStore) and checked.kind in {"SelectQuery", ""} \
            and queries.query_form(prepared.text) == "SELECT":
        document = full.select_document(prepared.text, row_limit=row_limit, bindings=bindings,
                                        base_iri=base_iri, timeout=timeout,
                                        default_graphs=physical(default), named_graphs=physical(named))
        return document, prepared.hidden
    result = full.query(prepared.text, bindings=bindings, base_iri=base_iri, timeout=timeout,
                        default_graphs=physical(default), named_graphs=physical(named))
    return result, prepared.hidden


def _rewrite(
    checked: Checked,
    physical: Any,
    pairs: list[tuple[ox.NamedNode, ox.NamedNode]],
    base_iri: str | None,
) -> tuple[str, frozenset[str]]:
    """Rewrite each GRAPH pattern of the canonical text (see the module text)."""
    text = checked.text
    tokens = [(m.lastgroup, m.start(), m.end()) for m in _LEX.finditer(text)]
    tokens = [t for t in tokens if t[0] != "comment"]
    found = [i for i, t in enumerate(tokens) if t[0] == "word" and text[t[1]:t[2]].upper() == "GRAPH"
             and i + 2 < len(tokens) and tokens[i + 2][0] == "open"]
    if len(found) != len(checked.graph_patterns):
        raise QagraphError("sparql_graph_rewrite")
    values = " ".join(f"({p} {s})" for p, s in pairs)
    edits: list[tuple[int, int, str]] = []
    hidden: list[str] = []
    expected: list[str | None] = []
    for index, term in zip(found, checked.graph_patterns, strict=True):
        kind, start, end = tokens[index + 1]
        if (term is None) != (kind == "var"):
            raise QagraphError("sparql_graph_rewrite")
        if term is not None:
            target = physical(term)
            target_iri = (target if target in {p for p, _ in pairs} else EMPTY).value
            edits.append((start, end, f"<{target_iri}>"))
            expected.append(target_iri)
            continue
        fresh = _fresh(text, hidden)
        hidden.append(fresh)
        expected.append(None)
        close = _matching_close(tokens, index + 2)
        open_end = tokens[index + 2][2]
        edits.append((start, end, f"?{fresh}"))
        edits.append((open_end, open_end, f" VALUES (?{fresh} {text[start:end]}) {{ {values} }} {{"))
        edits.append((tokens[close][1], tokens[close][1], "} "))
    out = text
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + replacement + out[end:]
    again = check_query(out, base_iri)
    if again.graph_patterns[: len(expected)] != expected or len(again.graph_patterns) != len(expected):
        raise QagraphError("sparql_graph_rewrite")
    return again.text, frozenset(hidden)


def _matching_close(tokens: list[tuple[str | None, int, int]], open_index: int) -> int:
    depth = 0
    for i in range(open_index, len(tokens)):
        if tokens[i][0] == "open":
            depth += 1
        elif tokens[i][0] == "close":
            depth -= 1
            if depth == 0:
                return i
    raise QagraphError("sparql_graph_rewrite")


def _fresh(text: str, taken: list[str]) -> str:
    while True:
        name = f"qagraph_graph_{secrets.token_hex(4)}"
        if name not in text and name not in taken:
            return name
