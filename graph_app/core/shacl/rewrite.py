"""A SPARQL-based constraint rewritten for a whole-store validation.

Oxigraph plans a query by its shape, without statistics: it joins triple patterns one
index lookup per row (a for-loop join), and evaluates FILTER NOT EXISTS once per row. Over
every focus node of a big store that is millions of lookups (measured at 1M triples: a
chain of four patterns over 100,000 awards took 1.5 s of CPU; the same patterns as
subqueries, which Oxigraph hash-joins, 0.07 s). So for a scan the query is written again
from its algebra (rdflib's parser), with the same answers:

- each triple pattern with a plain predicate becomes a subquery `{ SELECT ?s ?o WHERE
  { ?s <p> ?o } }`, which Oxigraph joins by hashing instead of one lookup per row; paths
  with repetition stay patterns, to be evaluated from bound nodes;
- `FILTER NOT EXISTS { P }` becomes `MINUS { P }` (a hash anti-join) where the two mean the
  same: P reads no variable of the outer pattern in a filter, and shares with it at least
  one variable that the outer pattern always binds (SPARQL §8.3.3);
- the focus nodes join the top-level group, as a subquery (`for_scan`), or are left out
  (`for_free`: the violations of any node, of which the caller keeps the focus nodes').

Anything the rewriter does not know (aggregates, SERVICE, ...) makes it give up; the
caller then runs the query as written, joined with the focus nodes.
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from .sparql_check import algebra_nodes, bound_by, parsed, part_of, variables_in
from .sparql_terms import term


class CannotRewrite(ValueError):
    pass


def _term(node: object) -> str:
    if isinstance(node, Variable):
        return "?" + str(node)
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return term(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Path):
        return _path(node)
    raise CannotRewrite(f"term {node!r}")


def _path(path: object) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if isinstance(path, InvPath):
        return f"^({_path(path.arg)})"
    if isinstance(path, SequencePath):
        return "(" + "/".join(_path(a) for a in path.args) + ")"
    if isinstance(path, AlternativePath):
        return "(" + "|".join(_path(a) for a in path.args) + ")"
    if isinstance(path, MulPath):
        return f"({_path(path.path)}){path.mod}"
    if isinstance(path, NegatedPath):
        return "!(" + "|".join(_path(a) for a in path.args) + ")"
    raise CannotRewrite(f"path {path!r}")


# -- expressions --------------------------------------------------------------------------

_ARGS = {
    "Builtin_REGEX": ("text", "pattern", "flags"),
    "Builtin_SUBSTR": ("arg", "start", "length"),
    "Builtin_REPLACE": ("arg", "pattern", "replacement", "flags"),
}
_NAMES = {"Builtin_sameTerm": "sameTerm", "Builtin_isBLANK": "isBLANK",
          "Builtin_isIRI": "isIRI", "Builtin_isURI": "isURI", "Builtin_isLITERAL": "isLITERAL",
          "Builtin_isNUMERIC": "isNUMERIC"}


def expression(e: object) -> str:
    """An rdflib expression in SPARQL syntax."""
    if not isinstance(e, CompValue):
        return _term(e)
    name = e.name
    if name == "ConditionalOrExpression":
        return "(" + " || ".join(expression(x) for x in [part_of(e, "expr"), *(part_of(e, "other") or [])]) + ")"
    if name == "ConditionalAndExpression":
        return "(" + " && ".join(expression(x) for x in [part_of(e, "expr"), *(part_of(e, "other") or [])]) + ")"
    if name == "RelationalExpression":
        left, op, right = part_of(e, "expr"), part_of(e, "op"), part_of(e, "other")
        if op is None:
            return expression(left)
        if op in ("IN", "NOT IN"):
            return f"({expression(left)} {op} ({', '.join(expression(x) for x in right or [])}))"
        return f"({expression(left)} {op} {expression(right)})"
    if name in ("AdditiveExpression", "MultiplicativeExpression"):
        text = expression(part_of(e, "expr"))
        for op, other in zip(part_of(e, "op") or [], part_of(e, "other") or [], strict=True):
            text += f" {op} {expression(other)}"
        return f"({text})"
    if name == "UnaryNot":
        return f"(!{expression(part_of(e, 'expr'))})"
    if name == "UnaryMinus":
        return f"(-{expression(part_of(e, 'expr'))})"
    if name == "UnaryPlus":
        return f"(+{expression(part_of(e, 'expr'))})"
    if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
        keyword = "EXISTS" if name == "Builtin_EXISTS" else "NOT EXISTS"
        return f"{keyword} {{ {pattern(part_of(e, 'graph'), rewrite=False)} }}"
    if name == "Function":
        arguments = ", ".join(expression(a) for a in part_of(e, "expr") or [])
        distinct = "DISTINCT " if part_of(e, "distinct") else ""
        return f"{_term(part_of(e, 'iri'))}({distinct}{arguments})"
    if name.startswith("Builtin_"):
        keyword = _NAMES.get(name, name[len("Builtin_"):])
        keys = _ARGS.get(name) or ("arg", "arg1", "arg2", "arg3")
        args: list[str] = []
        for key in keys:
            value = part_of(e, key)
            if value is None:
                continue
            if isinstance(value, list):
                args.extend(expression(v) for v in value)
            else:
                args.append(expression(value))
        return f"{keyword}({', '.join(args)})"
    raise CannotRewrite(f"expression {name}")


def _conjuncts(e: object) -> list[object]:
    if isinstance(e, CompValue) and e.name == "ConditionalAndExpression":
        return [part_of(e, "expr"), *(part_of(e, "other") or [])]
    return [e]


# -- graph patterns -----------------------------------------------------------------------


def _triple(t: tuple[Any, Any, Any], rewrite: bool) -> str:
    text = f"{_term(t[0])} {_term(t[1])} {_term(t[2])} ."
    variables = [x for x in t if isinstance(x, Variable)]
    if rewrite and variables and isinstance(t[1], URIRef):
        names = " ".join(dict.fromkeys("?" + str(v) for v in variables))
        return f"{{ SELECT {names} WHERE {{ {text} }} }}"
    return text


def _uncorrelated(graph: object) -> bool:
    """True when no filter, BIND or OPTIONAL condition inside reads a variable that the
    pattern does not bind itself."""
    for node in algebra_nodes(graph):
        name = getattr(node, "name", "")
        if name in ("Filter", "Extend"):
            if not variables_in(part_of(node, "expr")) <= bound_by(part_of(node, "p")):
                return False
        elif name == "LeftJoin":
            inner = bound_by(part_of(node, "p1")) | bound_by(part_of(node, "p2"))
            if not variables_in(part_of(node, "expr")) <= inner:
                return False
    return True


def _pattern_variables(graph: object) -> set[Variable]:
    found: set[Variable] = set()
    for node in algebra_nodes(graph):
        if getattr(node, "name", "") == "BGP":
            for t in part_of(node, "triples") or []:
                found |= {x for x in t if isinstance(x, Variable)}
    return found


# Whether a correlated NOT EXISTS is asked as a MINUS over a small table (see
# `_correlated_anti_join`). Off: at 10M triples that form saved about 15 s of a whole
# validation (44.6 s against 60.8 s) but its MINUS side held about 2 million rows, and the
# run's peak grew from 1.87 to 2.6 GiB, over the 2 GiB a nightly run may take
# (docs/performance.md); the NOT EXISTS as written is well within the time. The form is
# kept, with the tests that prove it gives the same answers, for a store where memory is
# not the limit.
CORRELATED_AS_MINUS = False


def _anti_join(part: CompValue, inner: object, bound: set[Variable]) -> str | None:
    """`FILTER NOT EXISTS { P }` over the group `inner` as a MINUS with the same answers,
    or None. When P reads a variable of the group in its filter (?needed in `FILTER(?strength
    >= ?needed)`), see `_correlated_anti_join`."""
    graph = part_of(part, "graph")
    shared = _pattern_variables(graph) & variables_in(inner)
    if not shared or not shared <= bound:
        return None
    if _uncorrelated(graph):
        return f"MINUS {{ {pattern(graph, rewrite=True)} }}"
    if not CORRELATED_AS_MINUS:
        return None
    return _correlated_anti_join(graph, inner, shared, bound)


# Functions that may answer differently each time they are called
_VOLATILE = {"Builtin_RAND", "Builtin_BNODE", "Builtin_UUID", "Builtin_STRUUID",
             "Builtin_EXISTS", "Builtin_NOTEXISTS"}


def _variables_of(triples: list[tuple[Any, Any, Any]]) -> set[Variable]:
    return {x for t in triples for x in t if isinstance(x, Variable)}


def _correlated_anti_join(graph: object, inner: object, shared: set[Variable],
                          bound: set[Variable]) -> str | None:
    """`FILTER NOT EXISTS { F FILTER(c) N }` whose condition c reads variables X that only
    the group binds, as a MINUS with the same answers, or None. F are the triples that
    share a variable with the group (the award's `?this qa:identityVerification ?method`),
    N the others (`?method qa:strength ?strength`), which must bind every variable of c but
    X. The pairs of N's values and of the values X can take in the group (the few distinct
    strengths the levels need, from the group's own triples) that meet c are computed
    first: a small table, which the MINUS side joins with F by hashing. A row of the group
    is removed exactly when some row of F, N and its own X meets c, as NOT EXISTS says.
    Written as one lookup per row (as NOT EXISTS is evaluated), the awards' identity check
    took 16 s of CPU at 10M triples; pairing every row of F with every value of X, before
    the condition, took 2.4 GiB."""
    if not (isinstance(graph, CompValue) and graph.name == "Filter"):
        return None
    condition = part_of(graph, "expr")
    if any(getattr(node, "name", "") in _VOLATILE for node in algebra_nodes(condition)):
        return None
    triples = _basic_triples(part_of(graph, "p"))
    if not triples or any(not isinstance(t[1], URIRef) for t in triples):
        return None
    own = _variables_of(triples)
    correlated = variables_in(condition) - own
    if not correlated or not correlated <= bound:
        return None
    near = [t for t in triples if not shared & set(t)]
    far = [t for t in triples if shared & set(t)]
    near_variables = _variables_of(near)
    joins = near_variables & _variables_of(far)
    if not near or not joins or not (variables_in(condition) & own) <= near_variables:
        return None
    values = _values_in_group(correlated, inner, shared)
    if values is None:
        return None
    projected = " ".join(f"?{v}" for v in sorted(joins | correlated, key=str))
    small = (f"SELECT DISTINCT {projected} WHERE {{ "
             + " ".join(_triple(t, rewrite=True) for t in near)
             + f" {values} FILTER({expression(condition)}) }}")
    return "MINUS { " + " ".join(_triple(t, rewrite=True) for t in far) + f" {{ {small} }} }}"


def _basic_triples(group: object) -> list[tuple[Any, Any, Any]] | None:
    """The triple patterns of a group made only of them (joined BGPs), else None."""
    if isinstance(group, CompValue) and group.name == "BGP":
        return [tuple(t) for t in part_of(group, "triples") or []]
    if isinstance(group, CompValue) and group.name == "Join":
        left, right = _basic_triples(part_of(group, "p1")), _basic_triples(part_of(group, "p2"))
        return None if left is None or right is None else left + right
    return None


def _defining_triples(group: object) -> list[tuple[Any, Any, Any]]:
    """Triple patterns (plain predicates) that every solution of the group matches."""
    if not isinstance(group, CompValue):
        return []
    if group.name == "BGP":
        return [tuple(t) for t in part_of(group, "triples") or [] if isinstance(t[1], URIRef)]
    if group.name == "Join":
        return _defining_triples(part_of(group, "p1")) + _defining_triples(part_of(group, "p2"))
    if group.name in ("Filter", "Extend"):
        return _defining_triples(part_of(group, "p"))
    if group.name in ("LeftJoin", "Minus"):
        return _defining_triples(part_of(group, "p1"))
    return []


def _values_in_group(correlated: set[Variable], inner: object, shared: set[Variable]) -> str | None:
    """A subquery giving every value the group can bind to the `correlated` variables (and
    maybe more): the group's triples connected to them, without those on the variables the
    NOT EXISTS shares with it (the focus nodes' own triples: many); None when a variable
    is in no such triple."""
    candidates = [t for t in _defining_triples(inner) if not shared & set(t)]
    chosen: list[tuple[Any, Any, Any]] = []
    reached = set(correlated)
    grown = True
    while grown:
        grown = False
        for t in candidates:
            if t not in chosen and reached & set(t):
                chosen.append(t)
                reached |= _variables_of([t])
                grown = True
    if not correlated <= _variables_of(chosen):
        return None
    projected = " ".join(f"?{v}" for v in sorted(correlated, key=str))
    return ("{ SELECT DISTINCT " + projected + " WHERE { "
            + " ".join(_triple(t, rewrite=True) for t in chosen) + " } }")


def _filter(node: CompValue, rewrite: bool) -> str:
    inner = part_of(node, "p")
    kept: list[str] = []
    minus: list[str] = []
    bound = bound_by(inner)
    for part in _conjuncts(part_of(node, "expr")):
        if rewrite and isinstance(part, CompValue) and part.name == "Builtin_NOTEXISTS":
            anti = _anti_join(part, inner, bound)
            if anti is not None:
                minus.append(anti)
                continue
        kept.append(expression(part))
    text = "{ " + pattern(inner, rewrite) + " } " + " ".join(minus)
    if kept:
        text += " FILTER(" + " && ".join(kept) + ")"
    return text


def pattern(node: object, rewrite: bool) -> str:
    """A graph pattern as the inside of a group; `rewrite` turns on the scan rewrites."""
    if not isinstance(node, CompValue):
        raise CannotRewrite(f"pattern {node!r}")
    name = node.name
    if name == "BGP":
        return " ".join(_triple(t, rewrite) for t in part_of(node, "triples") or [])
    if name == "Join":
        return "{ " + pattern(part_of(node, "p1"), rewrite) + " } { " + pattern(part_of(node, "p2"), rewrite) + " }"
    if name == "LeftJoin":
        expr = part_of(node, "expr")
        condition = ""
        if isinstance(expr, CompValue) and expr.name != "TrueFilter":
            condition = f" FILTER({expression(expr)})"
        return ("{ " + pattern(part_of(node, "p1"), rewrite) + " } OPTIONAL { { "
                + pattern(part_of(node, "p2"), rewrite) + " }" + condition + " }")
    if name == "Filter":
        return _filter(node, rewrite)
    if name == "Union":
        return "{ " + pattern(part_of(node, "p1"), rewrite) + " } UNION { " + pattern(part_of(node, "p2"), rewrite) + " }"
    if name == "Minus":
        return "{ " + pattern(part_of(node, "p1"), rewrite) + " } MINUS { " + pattern(part_of(node, "p2"), rewrite) + " }"
    if name == "Extend":
        return ("{ " + pattern(part_of(node, "p"), rewrite) + " } BIND(" + expression(part_of(node, "expr"))
                + " AS " + _term(part_of(node, "var")) + ")")
    if name == "Graph":
        return f"GRAPH {_term(part_of(node, 'term'))} {{ {pattern(part_of(node, 'p'), rewrite)} }}"
    if name == "ToMultiSet":
        return "{ " + select(part_of(node, "p"), rewrite) + " }"
    raise CannotRewrite(f"pattern {name}")


def select(node: object, rewrite: bool, first: str = "") -> str:
    """A (sub)query: projection, DISTINCT/REDUCED, ORDER BY, LIMIT/OFFSET; `first` is a
    group pattern joined into its WHERE clause."""
    modifier, limit, order = "", "", ""
    while isinstance(node, CompValue) and node.name in ("Slice", "Distinct", "Reduced"):
        if node.name == "Slice":
            start, length = part_of(node, "start"), part_of(node, "length")
            limit = (f" LIMIT {int(length)}" if length is not None else "") + (
                f" OFFSET {int(start)}" if start else "")
        else:
            modifier = node.name.upper() + " "
        node = part_of(node, "p")
    if not isinstance(node, CompValue) or node.name != "Project":
        raise CannotRewrite("a query without a projection")
    variables = " ".join("?" + str(v) for v in part_of(node, "PV") or []) or "*"
    inner = part_of(node, "p")
    if isinstance(inner, CompValue) and inner.name == "OrderBy":
        conditions = []
        for c in part_of(inner, "expr") or []:
            if isinstance(c, CompValue) and c.name == "OrderCondition":
                order_ = part_of(c, "order")
                conditions.append(f"{order_ or 'ASC'}({expression(part_of(c, 'expr'))})")
            else:
                conditions.append(f"ASC({expression(c)})")
        order = " ORDER BY " + " ".join(conditions)
        inner = part_of(inner, "p")
    body = pattern(inner, rewrite)
    if first:
        body = f"{first} {{ {body} }}"
    return f"SELECT {modifier}{variables} WHERE {{ {body} }}{order}{limit}"


def for_free(text: str) -> str | None:
    """The query rewritten for a scan, with $this left free (joinable queries only, see
    sparql_check.analyse), or None when the rewriter does not know something in it."""
    try:
        return select(part_of(parsed(text).algebra, "p"), rewrite=True)
    except CannotRewrite:
        return None


def for_scan(text: str, focus: str) -> str | None:
    """The query rewritten for a scan over the focus nodes bound by `focus` (on ?this), or
    None when the rewriter does not know something in it."""
    try:
        algebra = parsed(text).algebra
        top = part_of(algebra, "p")
        return select(top, rewrite=True, first="{ SELECT DISTINCT ?this WHERE { " + focus + " } }")
    except CannotRewrite:
        return None
