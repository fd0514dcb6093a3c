"""What a SPARQL request may do, decided on a real parser's reading of its text.

The endpoint never decides with a tokenizer of its own. It makes one *canonical* text,
reads it with rdflib's SPARQL parser, inspects the parse tree, and hands exactly that
canonical text to Oxigraph, so the text that was checked is the text that runs.

The canonical text removes the two places where rdflib and Oxigraph read the same
characters differently:

- Line ends. Oxigraph ends a ``#`` comment at CR or LF, rdflib's grammar at LF only, so
  ``#x<CR>SERVICE <…>`` is a comment to one and a service call to the other. CRLF and CR
  become LF (inside a long string literal this turns a raw CR into LF, as XML does).
- Codepoint escapes. SPARQL 1.1 Query §19.2 processes ``\\uXXXX`` and ``\\UXXXXXXXX``
  before parsing, anywhere in the text; rdflib does so (and also reads ``\\u`` with eight
  digits), Oxigraph 0.5 only inside strings and IRIs. The escapes are expanded here, once,
  as §19.2 says; a text in which an escape spells a further escape is refused, so that
  neither parser has anything left to expand.

A query or update with ``SERVICE`` anywhere, or an update with ``LOAD``, is refused. The
query workers are also shut off from the network (``sparql_sandbox``), so a check that
were wrong would still fetch nothing.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import LoadRefused, QagraphError, QuerySyntaxError, ServiceRefused

# Deep nesting is read with a high recursion limit in a thread with a large stack (the
# parser recurses once per nested group and per triple of a block).
_STACK = 256 * 1024 * 1024
_RECURSION = 60_000

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LEFT_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]")


@dataclass
class Checked:
    """A query or update as the parser read it."""

    text: str  # the canonical text: what the engine runs
    kind: str  # SelectQuery, ConstructQuery, AskQuery, DescribeQuery or Update
    from_default: list[str] = field(default_factory=list)
    from_named: list[str] = field(default_factory=list)
    dataset_clause: bool = False
    graph_patterns: list[str | None] = field(default_factory=list)  # IRI, or None for a variable
    using: bool = False  # USING, USING NAMED or WITH in an update


def canonical(text: str) -> str:
    """The text both parsers read alike: §19.2 escapes expanded once, line ends as LF."""

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise QagraphError("sparql_escape", detail=match.group(0))
        return chr(code)

    if "\\u" in text or "\\U" in text:
        text = _ESCAPE.sub(expand, text)
        left = _LEFT_ESCAPE.search(text)
        if left is not None:
            raise QagraphError("sparql_escape", detail=text[left.start():left.start() + 10])
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_query(text: str, base_iri: str | None = None) -> Checked:
    """Parse a query; refuse SERVICE; return what the dataset rules need."""
    from rdflib.plugins.sparql.parser import parseQuery

    text = canonical(text)
    tree = _parse(parseQuery, text)
    prologue = _prologue(tree[0], base_iri)
    body = tree[1]
    found = Checked(text=text, kind=body.name)
    for node in _nodes(tree):
        if node.name == "ServiceGraphPattern":
            raise ServiceRefused()
        if node.name == "GraphGraphPattern":
            term = node["term"]
            found.graph_patterns.append(None if _is_variable(term) else str(prologue.absolutize(term)))
    for clause in body["datasetClause"] if "datasetClause" in body else []:
        found.dataset_clause = True
        if "named" in clause:
            found.from_named.append(str(prologue.absolutize(clause["named"])))
        else:
            found.from_default.append(str(prologue.absolutize(clause["default"])))
    return found


def check_update(text: str) -> Checked:
    """Parse an update; refuse LOAD and SERVICE."""
    from rdflib.plugins.sparql.parser import parseUpdate

    text = canonical(text)
    tree = _parse(parseUpdate, text)
    found = Checked(text=text, kind="Update")
    for node in _nodes(tree):
        if node.name == "Load":
            raise LoadRefused()
        if node.name == "ServiceGraphPattern":
            raise ServiceRefused()
        if node.name == "UsingClause" or (node.name == "Modify" and "withClause" in node):
            found.using = True
    return found


def _parse(parser: Any, text: str) -> Any:
    """Run the parser in a thread with a deep stack; its errors as QagraphErrors."""
    from pyparsing import ParseBaseException

    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["tree"] = parser(text)
        except ParseBaseException as err:
            outcome["error"] = QuerySyntaxError(f"{err.lineno}:{err.col}: {err.msg}")
        except RecursionError:
            outcome["error"] = QagraphError("sparql_too_deep")
        except (ValueError, TypeError) as err:
            outcome["error"] = QuerySyntaxError(str(err))

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    with _parse_lock:
        sys.setrecursionlimit(max(old_limit, _RECURSION))
        threading.stack_size(_STACK)
        try:
            worker = threading.Thread(target=run, name="sparql-parse")
            worker.start()
        finally:
            threading.stack_size(old_stack)
        worker.join()
        sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["tree"]


_parse_lock = threading.Lock()


def _prologue(tree: Any, base_iri: str | None) -> Any:
    from rdflib.plugins.sparql.algebra import translatePrologue

    return translatePrologue(tree, base_iri)


def _is_variable(term: Any) -> bool:
    from rdflib.term import Variable

    return isinstance(term, Variable)


def _nodes(value: Any) -> Iterator[Any]:
    """Every node (CompValue) of an rdflib parse tree, in document order."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(reversed(list(item)))
