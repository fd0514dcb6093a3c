"""What a SPARQL-based constraint's query may contain, and whether joining it with the
focus nodes gives the same answers as pre-binding $this one focus node at a time.

SHACL §5.3.1 pre-binds $this: the query runs once per focus node with $this already
bound. Running it once for all focus nodes, joined with them, is equivalent when every
filter, BIND and EXISTS that reads $this sits in a group that binds $this itself; that is
checked here on the query's algebra (rdflib's parser), not on its text. The syntax rules
of §5.3.1 (no MINUS, VALUES, SERVICE, no `AS $this`, subqueries return $this) are
checked too: a query that breaks them is refused, as the specification demands.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rdflib.paths import MulPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Variable

THIS = Variable("this")
PRE_BOUND = {Variable("this"), Variable("shapesGraph"), Variable("currentShape")}


class UnsupportedQuery(ValueError):
    """The query breaks a syntax rule of SHACL-SPARQL (§5.3.1): the shape is refused."""


class NeedsShapesGraph(ValueError):
    """The query reads $shapesGraph or $currentShape, which the store cannot answer: the
    shape is left to pySHACL."""


@dataclass(frozen=True)
class QueryShape:
    """What the compiler needs to know of a constraint's SELECT query."""

    projected: tuple[str, ...]
    joinable: bool  # joining with the focus nodes equals pre-binding $this
    this_projected: bool
    repeats: bool = False  # has a `*` or `+` path: evaluate from one bound node at a time


@lru_cache(maxsize=256)
def _parse(text: str) -> tuple[Query, str]:
    """rdflib's algebra of a query, and what breaks the rule on subqueries ("" if
    nothing), from one parse per text (pyparsing is slow: about a tenth of a second a
    query). The rule is checked on the parse tree, which translation changes."""
    tree = parseQuery(text)
    try:
        _check_subqueries(tree)
        problem = ""
    except UnsupportedQuery as err:
        problem = str(err)
    return translateQuery(tree), problem


def parsed(text: str) -> Query:
    """rdflib's algebra of a query, for reading it (never evaluated)."""
    return _parse(text)[0]


def analyse(text: str) -> QueryShape:
    """Check a SPARQL-based constraint's query; raise UnsupportedQuery when SHACL forbids it."""
    try:
        query = parsed(text)
    except Exception as err:  # pyparsing raises several kinds
        raise UnsupportedQuery(f"SPARQL syntax error: {err}") from err
    algebra = query.algebra
    if algebra.name != "SelectQuery":
        raise UnsupportedQuery("a SPARQL-based constraint must be a SELECT query")
    projected = tuple(str(v) for v in part_of(algebra, "PV") or [])
    for node in algebra_nodes(algebra):
        name = getattr(node, "name", "")
        if name == "Minus":
            raise UnsupportedQuery("MINUS is not allowed in SHACL-SPARQL queries (§5.3.1)")
        if name in ("values", "ToMultiSet") and _is_values(node):
            raise UnsupportedQuery("VALUES is not allowed in SHACL-SPARQL queries (§5.3.1)")
        if name == "ServiceGraphPattern":
            raise UnsupportedQuery("SERVICE is not allowed in SHACL-SPARQL queries (§5.3.1)")
        if name == "Extend" and part_of(node, "var") in PRE_BOUND:
            raise UnsupportedQuery(f"AS ?{part_of(node, 'var')} is not allowed for a pre-bound variable")
    used_all = variables_in(algebra)
    for var in ("shapesGraph", "currentShape"):
        if Variable(var) in used_all:
            raise NeedsShapesGraph(f"${var} needs the shapes graph in the store")
    inner = part_of(algebra, "p")
    problem = _parse(text)[1]
    if problem:
        raise UnsupportedQuery(problem)
    joinable = _joinable(inner)
    repeats = any(isinstance(p, MulPath) and p.mod in ("*", "+")
                  for node in algebra_nodes(algebra) if getattr(node, "name", "") == "BGP"
                  for triple in part_of(node, "triples") or [] for p in _path_parts(triple[1]))
    return QueryShape(projected, joinable, "this" in projected, repeats)


def _path_parts(path: object) -> Iterator[object]:
    yield path
    for attr in ("args", "path", "arg"):
        inner = getattr(path, attr, None)
        if inner is None:
            continue
        for part in inner if isinstance(inner, (list, tuple)) else [inner]:
            yield from _path_parts(part)


def part_of(node: object, key: str) -> Any:
    """A part of a parsed query (CompValue.get answers the key's name when it is missing;
    rdflib keeps the translated pattern of an EXISTS as an attribute, not an item)."""
    if isinstance(node, CompValue):
        if key in vars(node):
            return vars(node)[key]
        if key in node:
            return node[key]
    return None


def _is_values(node: CompValue) -> bool:
    if node.name == "values":
        return True
    inner = part_of(node, "p")
    return getattr(inner, "name", "") == "values"


def algebra_nodes(node: object) -> Iterator[CompValue]:
    """Every algebra node under `node`, including the patterns inside EXISTS."""
    todo = [node]
    seen: set[int] = set()
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, CompValue):
            yield current
            todo.extend(v for k, v in current.items() if k != "_vars")
        elif isinstance(current, (list, tuple)):
            todo.extend(current)


def variables_in(node: object) -> set[Variable]:
    """Every variable named anywhere under `node`."""
    found: set[Variable] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, Variable):
            found.add(current)
        elif isinstance(current, CompValue):
            todo.extend(v for k, v in current.items() if k != "_vars")
        elif isinstance(current, (list, tuple)):
            todo.extend(current)
    return found


def bound_by(node: object) -> set[Variable]:
    """Variables that every solution of the pattern binds."""
    if not isinstance(node, CompValue):
        return set()
    name = node.name
    if name == "BGP":
        return {t for triple in part_of(node, "triples") or [] for t in triple if isinstance(t, Variable)}
    if name == "Join":
        return bound_by(part_of(node, "p1")) | bound_by(part_of(node, "p2"))
    if name in ("LeftJoin", "Minus"):
        return bound_by(part_of(node, "p1"))
    if name == "Union":
        return bound_by(part_of(node, "p1")) & bound_by(part_of(node, "p2"))
    if name == "Extend":
        return bound_by(part_of(node, "p")) | {part_of(node, "var")}
    if name == "Graph":
        term = part_of(node, "term")
        return bound_by(part_of(node, "p")) | ({term} if isinstance(term, Variable) else set())
    if name == "Project":
        return bound_by(part_of(node, "p")) & set(part_of(node, "PV") or [])
    if name == "Group":
        exprs = part_of(node, "expr") or []
        return {e for e in exprs if isinstance(e, Variable)} & bound_by(part_of(node, "p"))
    if name == "AggregateJoin":
        return bound_by(part_of(node, "p"))
    return bound_by(part_of(node, "p"))


def _check_subqueries(tree: Any) -> None:
    """Every subquery returns $this (§5.3.1): in its projection, or for SELECT * among the
    variables its patterns bind (a FILTER does not bind)."""
    for node in algebra_nodes(part_of(tree[1], "where")):
        if getattr(node, "name", "") != "SubSelect":
            continue
        projection = part_of(node, "projection")
        if projection:
            returned: set[Variable] = {part_of(p, "var") or part_of(p, "evar") for p in projection}
        else:
            returned = _pattern_variables(part_of(node, "where"))
        if THIS not in returned:
            raise UnsupportedQuery("a subquery must return the pre-bound variable $this (§5.3.1)")


def _pattern_variables(node: object) -> set[Variable]:
    """Variables of the patterns of a parsed group, leaving out those only filters read."""
    if isinstance(node, CompValue):
        if node.name == "Filter":
            return set()
        found: set[Variable] = set()
        for key, value in node.items():
            if key != "_vars":
                found |= _pattern_variables(value)
        return found
    if isinstance(node, Variable):
        return {node}
    if isinstance(node, (list, tuple)):
        return set().union(*(_pattern_variables(v) for v in node)) if node else set()
    return set()


def _in_scope(node: object) -> set[Variable]:
    """Variables a pattern may bind (SPARQL §18.2.1): those of its triple patterns, BINDs,
    VALUES and subquery projections, not those that only a FILTER reads."""
    found: set[Variable] = set()
    for current in algebra_nodes(node):
        name = getattr(current, "name", "")
        if name == "BGP":
            found |= {t for triple in part_of(current, "triples") or [] for t in triple if isinstance(t, Variable)}
        elif name == "Extend":
            found.add(part_of(current, "var"))
        elif name == "Project":
            found |= set(part_of(current, "PV") or [])
    return found


def _joinable(node: object) -> bool:
    """True when no filter, BIND or OPTIONAL condition reads $this in a group that does
    not bind it itself."""
    for current in algebra_nodes(node):
        name = getattr(current, "name", "")
        if name in ("Filter", "Extend") and THIS in variables_in(part_of(current, "expr")):
            if THIS not in bound_by(part_of(current, "p")):
                return False
        if name == "LeftJoin" and THIS in variables_in(part_of(current, "expr")):
            if THIS not in bound_by(part_of(current, "p1")) | bound_by(part_of(current, "p2")):
                return False
        if name == "Project" and current is not node and THIS in variables_in(part_of(current, "p")):
            if THIS not in bound_by(current):
                return False
    return True


# Tokens of SPARQL text in which "$this" is not the variable (strings, IRIs, comments),
# the variable itself, and the keywords that open and close a SELECT clause (SPARQL §19.8).
_TOKENS = re.compile(
    r"(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|"(?:[^"\\\n]|\\.)*")'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<comment>\#[^\n]*)"
    r"|(?P<bound>\bBOUND\s*\(\s*[?$]this\s*\))"
    r"|(?P<var>[?$]this\b)"
    r"|(?P<select>\bSELECT\b)|(?P<where>\bWHERE\b|\{)",
    re.IGNORECASE,
)


def prebind(text: str, value: str) -> str:
    """The query with $this pre-bound to `value` (a term in SPARQL syntax) by substitution
    (SHACL §5.3.1 and its appendix on pre-binding): each occurrence of the variable becomes
    the term; the query's own SELECT clause returns it as `(term AS ?this)`, a subquery's
    under a name of its own (nothing outside reads it once substituted)."""
    out: list[str] = []
    last = 0
    selects = 0
    in_projection = False
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "select":
            in_projection = True
            selects += 1
        elif kind == "where":
            in_projection = False
        elif kind == "bound":  # a pre-bound variable is bound
            out.append(text[last:match.start()] + "(true)")
            last = match.end()
        elif kind == "var":
            out.append(text[last:match.start()])
            if not in_projection:
                out.append(value)
            elif selects == 1:
                out.append(f"({value} AS ?this)")
            else:
                out.append(f"({value} AS ?_this{selects})")
            last = match.end()
    out.append(text[last:])
    return "".join(out)


def with_focus(text: str, focus: str) -> str:
    """The query with `focus` (a group pattern binding ?this) joined into its top-level
    WHERE group: the same answers as pre-binding $this to each focus node, when the query
    is joinable (see `analyse`), for all focus nodes in one query."""
    selected = False
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "select":
            selected = True
        elif kind == "where" and selected and match.group(0) == "{":
            at = match.end()
            return text[:at] + " { " + focus + " } " + text[at:]
    raise UnsupportedQuery("no WHERE clause")
