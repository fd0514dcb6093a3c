"""RDF terms written in SPARQL syntax, for the queries the compiler and the rewriter write."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node


class Unsupported(ValueError):
    """The compiler cannot write this constraint in SPARQL."""


def term(node: Node) -> str:
    """An rdflib term in SPARQL syntax."""
    if isinstance(node, URIRef):
        return "<" + escape_iri(str(node)) + ">"
    if isinstance(node, Literal):
        text = '"' + _escape_string(str(node)) + '"'
        if node.language:
            return text + "@" + node.language
        if node.datatype is not None:
            return text + "^^<" + escape_iri(str(node.datatype)) + ">"
        return text
    raise Unsupported(f"blank node {node} as a constant in a query")


def escape_iri(iri: str) -> str:
    return "".join(f"\\u{ord(c):04X}" if c in '<>"{}|^`\\' or ord(c) <= 0x20 else c for c in iri)


def _escape_string(text: str) -> str:
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r"))


def regex_flags(flags: str) -> str:
    return "".join(c for c in flags if c in "smixq")


