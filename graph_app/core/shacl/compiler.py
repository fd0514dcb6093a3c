"""Shapes compiled into SPARQL 1.1 queries that return violations.

Each shape becomes a few `Check`s, one per constraint component instance. A check has
two forms of the same query:

- **scan**: over every focus node of the shape, for a whole-store validation. Written
  for Oxigraph's optimiser, which plans by the shape of a query, not by statistics: an
  anti-join is a MINUS (a hash anti-join) rather than FILTER NOT EXISTS (one index lookup
  per row), and the violations are computed first in a subquery and then joined with the
  focus nodes (a hash join), never one lookup per focus node.
- **focused**: restricted to given focus nodes (`VALUES ?this { … }`, or ?this bound by
  substitution), for a load that can only affect those. Everything there is anchored on
  ?this: no pattern is evaluated over the whole store.

Nested shapes (sh:node, sh:not, sh:and, sh:or, sh:xone, qualified value shapes) become
boolean SPARQL expressions over a bound node (`Compiler.conforms`). The queries are plain
SPARQL 1.1, so they can run on any SPARQL engine.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD

from .model import Constraint, Path, Shape, ShapesModel, SparqlConstraint, nested_shapes
from .sparql_terms import Unsupported, escape_iri, regex_flags, term

FOCUS = "#FOCUS#"  # where a focused query takes its VALUES clause (or nothing)
MAX_COUNT_EXPANSION = 6  # counts up to this are written as distinct variables in expressions

# XSD datatypes whose lexical forms Oxigraph can check by casting (SPARQL §17.1).
CASTABLE = {str(XSD[n]) for n in ("boolean", "integer", "decimal", "float", "double",
                                  "dateTime", "date", "time", "duration",
                                  "dayTimeDuration", "yearMonthDuration")}
RDF_LANGSTRING = str(RDF.langString)
# Integer datatypes derived from xsd:integer, with their value ranges (XSD 1.1 §3.4).
INTEGER_RANGES: dict[str, tuple[int | None, int | None]] = {
    str(XSD[n]): r for n, r in {
        "long": (-2**63, 2**63 - 1), "int": (-2**31, 2**31 - 1), "short": (-2**15, 2**15 - 1),
        "byte": (-128, 127), "unsignedLong": (0, 2**64 - 1), "unsignedInt": (0, 2**32 - 1),
        "unsignedShort": (0, 65535), "unsignedByte": (0, 255), "nonNegativeInteger": (0, None),
        "positiveInteger": (1, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    }.items()}
NODE_KIND_TESTS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}


@dataclass
class Check:
    """One constraint of one shape as SPARQL.

    kind tells how a row becomes a result:
      "value"  – ?this and the offending ?value
      "focus"  – ?this only (counts, hasValue, qualified counts)
      "lang"   – ?this, one per duplicated language (uniqueLang)
      "closed" – ?this, ?path (a predicate) and ?value
      "sparql" – the rows of a SPARQL-based constraint
    """

    shape: Shape
    component: str
    kind: str
    scan: str
    focused: str
    sparql: SparqlConstraint | None = None
    per_node: bool = False  # a SPARQL constraint run once per focus node ($this bound)
    label: str = ""
    # The violations regardless of focus nodes (or candidates for them), and which
    # candidates are focus nodes in violation (a focused query, #FOCUS# replaced by VALUES):
    # when violations are few, this is cheaper than joining with every focus node.
    free: str = ""
    targets: str = ""
    root: Shape | None = None  # the shape with targets this check belongs to
    sparql_query: str = ""
    substitute: bool = False
    batchable: bool = False  # focus nodes may go in one VALUES clause (joinable, no `*`)
    # The scan as written, joined with the focus nodes (a SPARQL constraint's `scan` is
    # rewritten for Oxigraph's planner): for an engine that plans by statistics.
    plain_scan: str = ""
    # sh:datatype of a type whose lexical forms the query checks by casting: the engine
    # confirms each reported value (a server may cast differently, engine.py).
    datatype: str = ""
    # The predicate of the shape's path when it is one IRI and the check's focus nodes are
    # its root's ("" otherwise): a whole run may then ask the focused form from every focus
    # node (one lookup each) when the predicate has many more triples than there are focus
    # nodes (engine.Runner).
    predicate: str = ""
    # The pattern binding ?this to the focus nodes of the root shape (for counting them).
    root_focus: str = ""

    def focused_text(self, values: str) -> str:
        return self.focused.replace(FOCUS, values)


@dataclass
class Plan:
    """The checks of every shape, and the shapes left to pySHACL (with the reason)."""

    checks: list[Check] = field(default_factory=list)
    classes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    fallback: dict[Shape, list[str]] = field(default_factory=dict)
    refused: dict[Shape, str] = field(default_factory=dict)

    def shapes(self) -> list[Shape]:
        seen: dict[int, Shape] = {}
        for c in self.checks:
            seen.setdefault(id(c.shape), c.shape)
        return list(seen.values())


# -- the compiler ------------------------------------------------------------------------


class Compiler:
    """Writes the checks of a shapes model; `subclasses` maps each class the shapes name
    to itself and its subclasses in the data (SHACL instances: rdf:type/rdfs:subClassOf*)."""

    def __init__(self, model: ShapesModel, subclasses: Mapping[str, Sequence[str]]) -> None:
        self.model = model
        self.subclasses = subclasses
        self._fresh = itertools.count(1)

    def var(self, stem: str = "v") -> str:
        return f"?_{stem}{next(self._fresh)}"

    # -- focus nodes -------------------------------------------------------------------

    def targets(self, shape: Shape, var: str = "?this") -> str:
        """The group pattern that binds `var` to each focus node of `shape` (SHACL §2.1.3)."""
        t = shape.targets
        parts: list[str] = []
        if t.nodes:
            parts.append(f"VALUES {var} {{ {' '.join(term(n) for n in t.nodes if not isinstance(n, BNode))} }}")
        for cls in t.classes:
            parts.append(self.instance_pattern(var, str(cls)))
        for p in t.subjects_of:
            parts.append(f"{var} {term(p)} {self.var('t')} .")
        for p in t.objects_of:
            parts.append(f"{self.var('t')} {term(p)} {var} .")
        if not parts:
            return "FILTER(false)"
        if len(parts) == 1:
            return parts[0]
        return " UNION ".join("{ " + p + " }" for p in parts)

    def instance_pattern(self, var: str, cls: str) -> str:
        classes = self.subclasses.get(cls) or [cls]
        if len(classes) == 1:
            return f"{var} a <{escape_iri(classes[0])}> ."
        c = self.var("c")
        values = " ".join(f"<{escape_iri(c2)}>" for c2 in classes)
        return f"{var} a {c} . VALUES {c} {{ {values} }}"

    def class_test(self, var: str, cls: str) -> str:
        """A group pattern true when `var` is a SHACL instance of `cls`."""
        classes = self.subclasses.get(cls) or [cls]
        c = self.var("c")
        values = " ".join(f"<{escape_iri(c2)}>" for c2 in classes)
        return f"{var} a {c} . VALUES {c} {{ {values} }}"

    # -- plans -------------------------------------------------------------------------

    def plan(self) -> Plan:
        # rdflib's SPARQL parser (pyparsing) is imported only to compile: a run that
        # takes its plan as compiled before (core/compiled_cache.py) never loads it
        from .sparql_check import UnsupportedQuery

        plan = Plan(classes=self.subclasses)
        for root in self.model.roots:
            if root.deactivated:
                continue
            reasons = root.all_unsupported()
            if reasons:
                plan.fallback[root] = reasons
                continue
            try:
                focus = self.targets(root)
                checks = list(self._unit(root, focus, []))
                for check in checks:
                    check.root = root
                    check.root_focus = focus
            except Unsupported as err:
                plan.fallback[root] = [str(err)]
                continue
            except UnsupportedQuery as err:
                plan.refused[root] = str(err)
                continue
            plan.checks.extend(checks)
        return plan

    def _unit(self, shape: Shape, focus: str, chain: list[Path]) -> list[Check]:
        """The checks of `shape` with focus nodes bound by `focus` (on ?this), and of the
        property shapes inside it (their focus nodes are the same nodes)."""
        if shape.deactivated:
            return []
        checks: list[Check] = []
        for constraint in shape.constraints:
            checks.extend(self._constraint(shape, constraint, focus))
        for sparql in shape.sparql:
            checks.append(self._sparql(shape, sparql, focus))
        for prop in shape.properties:
            if shape.path is None:
                checks.extend(self._unit(prop, focus, chain))
            else:
                # sh:property of a property shape: each value node of each focus node is a
                # focus node of it (one result per parent, as SHACL §4.8.2 reads)
                parent = self.var("f")
                inner = "{ SELECT ?this " + parent + " WHERE { " + focus.replace("?this", parent) + \
                    f" {parent} {shape.path.sparql()} ?this . }} }}"
                for check in self._unit(prop, inner, [*chain, shape.path]):
                    keep = f"SELECT DISTINCT ?this {parent}"
                    check.scan = check.scan.replace("SELECT DISTINCT ?this", keep)
                    check.focused = check.focused.replace("SELECT DISTINCT ?this", keep)
                    check.free = check.targets = ""  # the parent must be in every row
                    check.predicate = ""
                    checks.append(check)
        return checks

    # -- one constraint ----------------------------------------------------------------

    def _constraint(self, shape: Shape, c: Constraint, focus: str) -> list[Check]:
        comp = c.component
        path = shape.path
        if comp == "MinCountConstraintComponent" and path is not None:
            return [self._min_count(shape, c, focus, path)]
        if comp == "MaxCountConstraintComponent" and path is not None:
            return [self._max_count(shape, c, focus, path)]
        if comp in ("QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent"):
            if path is None:
                raise Unsupported("qualified value shape on a node shape")
            return [self._qualified(shape, c, focus, path)]
        if comp == "UniqueLangConstraintComponent" and path is not None:
            return [self._unique_lang(shape, focus, path)]
        if comp in ("EqualsConstraintComponent", "DisjointConstraintComponent",
                    "LessThanConstraintComponent", "LessThanOrEqualsConstraintComponent"):
            return [self._pair(shape, c, focus, path)]
        if comp == "HasValueConstraintComponent":
            return [self._has_value(shape, c, focus, path)]
        if comp == "ClosedConstraintComponent":
            return [self._closed(shape, c, focus, path)]
        if comp in ("MinCountConstraintComponent", "MaxCountConstraintComponent",
                    "UniqueLangConstraintComponent"):
            raise Unsupported(f"sh:{comp} on a node shape")
        return [self._value(shape, c, focus, path)]

    def _check(self, shape: Shape, comp: str, kind: str, scan: str, focused: str,
               free: str = "", focus: str = "") -> Check:
        targets = f"SELECT DISTINCT ?this WHERE {{ {FOCUS} {focus} }}" if free else ""
        path = shape.path
        predicate = path.iri if path is not None and path.kind == "iri" else ""
        return Check(shape, comp, kind, scan, focused, label=f"{shape.source} {comp}",
                     free=free, targets=targets, predicate=predicate)

    @staticmethod
    def _joined(variables: str, body: str, focus: str) -> tuple[str, str]:
        """The scan query (violations hash-joined with the focus nodes) and the free one."""
        free = f"SELECT DISTINCT {variables} WHERE {{ {body} }}"
        scan = (f"SELECT DISTINCT {variables} WHERE {{ {{ {free} }} "
                f"{{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} }}")
        return scan, free

    def _value(self, shape: Shape, c: Constraint, focus: str, path: Path | None) -> Check:
        """A constraint on each value node: ?value is reported."""
        v = "?value"
        free = ""
        if path is None:
            values = "BIND(?this AS ?value)"
        else:
            values = f"?this {path.sparql()} ?value ."
        if c.component == "ClassConstraintComponent":
            test = self.class_test(v, str(c.value))
            scan_body = f"{values} MINUS {{ {test} }}"
            focused_body = f"{values} FILTER NOT EXISTS {{ {test} }}"
            if path is None:
                scan = (f"SELECT DISTINCT ?this ?value WHERE {{ {{ {focus} }} BIND(?this AS ?value) "
                        f"MINUS {{ {test} }} }}")
            else:
                scan, free = self._joined("?this ?value", scan_body, focus)
        else:
            ok = self.value_test(c, v, shape)
            focused_body = f"{values} FILTER(!({ok}))"
            excluded = _only_class(c.value) if c.component == "NotConstraintComponent" else None
            if path is None and excluded is not None:
                # sh:not [ sh:class C ]: the focus nodes that are instances of C, hash-joined
                # (one EXISTS per focus node took 13 s for 400,000 persons)
                scan = (f"SELECT DISTINCT ?this ?value WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {focus} }} }} "
                        f"{{ SELECT DISTINCT ?this WHERE {{ {self.class_test('?this', excluded)} }} }} "
                        f"BIND(?this AS ?value) }}")
            elif path is None:
                scan = f"SELECT DISTINCT ?this ?value WHERE {{ {{ {focus} }} BIND(?this AS ?value) FILTER(!({ok})) }}"
            else:
                scan, free = self._joined("?this ?value", f"{values} FILTER(!({ok}))", focus)
        focused = f"SELECT DISTINCT ?this ?value WHERE {{ {FOCUS} {focus} {focused_body} }}"
        check = self._check(shape, c.component, "value", scan, focused, free, focus)
        if c.component == "DatatypeConstraintComponent" and str(c.value) in CASTABLE:
            check.datatype = str(c.value)
        return check

    def _min_count(self, shape: Shape, c: Constraint, focus: str, path: Path) -> Check:
        n = _count(c.value)
        v = self.var()
        p = path.sparql()
        if n <= 0:
            never = "SELECT DISTINCT ?this WHERE { FILTER(false) }"
            return self._check(shape, c.component, "focus", never, never)
        if n == 1:
            scan = f"SELECT DISTINCT ?this WHERE {{ {{ {focus} }} MINUS {{ ?this {p} {v} }} }}"
            focused = f"SELECT DISTINCT ?this WHERE {{ {FOCUS} {focus} FILTER NOT EXISTS {{ ?this {p} {v} }} }}"
        else:
            scan = (f"SELECT DISTINCT ?this WHERE {{ {{ {focus} }} MINUS {{ SELECT ?this WHERE "
                    f"{{ ?this {p} {v} }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) >= {n}) }} }}")
            focused = (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?_n) "
                       f"WHERE {{ {FOCUS} {focus} OPTIONAL {{ ?this {p} {v} }} }} GROUP BY ?this }} "
                       f"FILTER(?_n < {n}) }}")
        return self._check(shape, c.component, "focus", scan, focused)

    def _max_count(self, shape: Shape, c: Constraint, focus: str, path: Path) -> Check:
        n = _count(c.value)
        v = self.var()
        p = path.sparql()
        body = (f"{{ SELECT ?this WHERE {{ ?this {p} {v} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT {v}) > {n}) }}")
        scan, _free = self._joined("?this", body, focus)
        focused = (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?_n) "
                   f"WHERE {{ {FOCUS} {focus} ?this {p} {v} }} GROUP BY ?this }} FILTER(?_n > {n}) }}")
        # The candidates regardless of focus nodes by counting rows, not distinct values (a
        # counter per node, not a set: three times faster); at least as many rows as values,
        # so no violation is missed, and the focused form decides.
        free = (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this WHERE {{ ?this {p} {v} }} "
                f"GROUP BY ?this HAVING (COUNT(*) > {n}) }} }}")
        check = self._check(shape, c.component, "focus", scan, focused, free, focus)
        check.targets = focused
        return check

    def _qualified(self, shape: Shape, c: Constraint, focus: str, path: Path) -> Check:
        inner = c.value
        assert isinstance(inner, Shape)
        n = int(c.extra["count"])  # type: ignore[call-overload]
        v = self.var()
        test = self.conforms(inner, v)
        siblings = c.extra.get("siblings") or []
        for sibling in siblings:  # type: ignore[attr-defined]
            test = f"({test}) && !({self.conforms(sibling, v)})"
        op = "<" if c.component == "QualifiedMinCountConstraintComponent" else ">"
        body = (f"SELECT DISTINCT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT {v}) AS ?_n) WHERE "
                f"{{ {{focus}} OPTIONAL {{ ?this {path.sparql()} {v} FILTER({test}) }} }} GROUP BY ?this }} "
                f"FILTER(?_n {op} {n}) }}")
        scan = body.replace("{focus}", "{ " + focus + " }")
        focused = body.replace("{focus}", f"{FOCUS} {focus}")
        return self._check(shape, c.component, "focus", scan, focused)

    def _unique_lang(self, shape: Shape, focus: str, path: Path) -> Check:
        a, b = self.var("a"), self.var("b")
        p = path.sparql()
        test = (f"?this {p} {a} . ?this {p} {b} . FILTER(!sameTerm({a}, {b}) && lang({a}) != \"\" "
                f"&& lang({a}) = lang({b})) BIND(lang({a}) AS ?lang)")
        scan, free = self._joined("?this ?lang", test, focus)
        focused = f"SELECT DISTINCT ?this ?lang WHERE {{ {FOCUS} {focus} {test} }}"
        return self._check(shape, "UniqueLangConstraintComponent", "lang", scan, focused, free, focus)

    def _pair(self, shape: Shape, c: Constraint, focus: str, path: Path | None) -> Check:
        other = term(c.value)  # type: ignore[arg-type]
        comp = c.component
        if path is None:
            values = "BIND(?this AS ?value)"
        else:
            values = f"?this {path.sparql()} ?value ."
        if comp == "EqualsConstraintComponent":
            if path is None:
                def branches(f: str) -> str:
                    return (f"{{ {f} ?this {other} ?value . FILTER(!sameTerm(?value, ?this)) }} UNION "
                            f"{{ {f} BIND(?this AS ?value) FILTER NOT EXISTS {{ ?this {other} ?this }} }}")
                scan = f"SELECT DISTINCT ?this ?value WHERE {{ {branches('{ ' + focus + ' }')} }}"
                focused = f"SELECT DISTINCT ?this ?value WHERE {{ {branches(FOCUS + ' ' + focus)} }}"
                return self._check(shape, comp, "value", scan, focused)
            p = path.sparql()
            scan_body = (f"{{ ?this {p} ?value MINUS {{ ?this {other} ?value }} }} UNION "
                         f"{{ ?this {other} ?value MINUS {{ ?this {p} ?value }} }}")
            focused_body = (f"{{ ?this {p} ?value FILTER NOT EXISTS {{ ?this {other} ?value }} }} UNION "
                            f"{{ ?this {other} ?value FILTER NOT EXISTS {{ ?this {p} ?value }} }}")
        elif comp == "DisjointConstraintComponent":
            focused_body = f"{values} ?this {other} ?value ."
            # the second pattern as a subquery: a hash join, not one lookup per value
            scan_body = (f"{values} {{ SELECT ?this ?value WHERE {{ ?this {other} ?value }} }}"
                         if path is not None else focused_body)
        else:
            op = "<" if comp == "LessThanConstraintComponent" else "<="
            # one result per pair of values (SHACL §4.5.3: "for each pair")
            test = f"FILTER(!COALESCE(?value {op} ?_other, false))"
            focused_body = f"{values} ?this {other} ?_other . {test}"
            scan_body = (f"{values} {{ SELECT ?this ?_other WHERE {{ ?this {other} ?_other }} }} {test}"
                         if path is not None else focused_body)
        pair = " ?_other" if comp.startswith("LessThan") else ""
        free = ""
        if path is None:
            scan = f"SELECT DISTINCT ?this ?value{pair} WHERE {{ {{ {focus} }} {scan_body} }}"
        else:
            scan, free = self._joined(f"?this ?value{pair}", scan_body, focus)
        focused = f"SELECT DISTINCT ?this ?value{pair} WHERE {{ {FOCUS} {focus} {focused_body} }}"
        return self._check(shape, comp, "value", scan, focused, free, focus)

    def _has_value(self, shape: Shape, c: Constraint, focus: str, path: Path | None) -> Check:
        value = term(c.value)  # type: ignore[arg-type]
        comp = c.component
        if path is None:
            body = f"FILTER(!sameTerm(?this, {value}))"
            scan = f"SELECT DISTINCT ?this WHERE {{ {{ {focus} }} {body} }}"
            focused = f"SELECT DISTINCT ?this WHERE {{ {FOCUS} {focus} {body} }}"
            return self._check(shape, comp, "focus", scan, focused)
        p = path.sparql()
        scan = f"SELECT DISTINCT ?this WHERE {{ {{ {focus} }} MINUS {{ ?this {p} {value} }} }}"
        focused = f"SELECT DISTINCT ?this WHERE {{ {FOCUS} {focus} FILTER NOT EXISTS {{ ?this {p} {value} }} }}"
        return self._check(shape, comp, "focus", scan, focused)

    def _closed(self, shape: Shape, c: Constraint, focus: str, path: Path | None) -> Check:
        allowed = {p.path.iri for p in shape.properties if p.path is not None and p.path.kind == "iri"}
        allowed.update(str(i) for i in c.extra.get("ignored") or [] if isinstance(i, URIRef))  # type: ignore[attr-defined]
        node = "?this" if path is None else self.var("n")
        reach = "" if path is None else f"?this {path.sparql()} {node} ."
        test = f"{reach} {node} ?path ?value ."
        if allowed:
            test += " FILTER(?path NOT IN (" + ", ".join(f"<{escape_iri(a)}>" for a in sorted(allowed)) + "))"
        scan = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {{ {focus} }} {test} }}"
        focused = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {FOCUS} {focus} {test} }}"
        return self._check(shape, c.component, "closed", scan, focused)

    # -- SPARQL-based constraints (SHACL §5) --------------------------------------------

    def _sparql(self, shape: Shape, sc: SparqlConstraint, focus: str) -> Check:
        from .rewrite import for_free, for_scan
        from .sparql_check import NeedsShapesGraph, analyse, with_focus

        text = sparql_text(sc, shape.path)
        try:
            info = analyse(sc.prologue + text)
        except NeedsShapesGraph as err:
            raise Unsupported(str(err)) from err
        if not info.this_projected:
            raise Unsupported("a SPARQL-based constraint whose query does not return $this")
        plain = free = ""
        if info.joinable:
            plain = sc.prologue + with_focus(text, focus)
            rewritten = for_scan(sc.prologue + text, focus)
            scan = rewritten if rewritten is not None else plain
            free = (for_free(sc.prologue + text) or "") if rewritten is not None else ""
        else:
            # $this is read where only pre-binding proper binds it: once per focus node,
            # with $this substituted (see sparql_check.prebind)
            scan = ""
        per_node = not info.joinable
        targets = f"SELECT DISTINCT ?this WHERE {{ {FOCUS} {focus} }}"
        check = Check(shape, "SPARQLConstraintComponent", "sparql", scan, targets, sparql=sc,
                      per_node=per_node, label=f"{shape.source} SPARQL", free=free,
                      targets=targets if free else "")
        check.sparql_query = sc.prologue + text
        check.plain_scan = plain
        check.substitute = not info.joinable
        check.batchable = info.joinable and not info.repeats
        return check

    # -- conformance of a node to a shape, as an expression -----------------------------

    def conforms(self, shape: Shape, node: str, stack: tuple[int, ...] = ()) -> str:
        """A SPARQL boolean expression: true when `node` (a bound variable) conforms to
        `shape` (SHACL §3.4), for nested shapes."""
        if shape.deactivated:
            return "true"
        if id(shape) in stack:
            raise Unsupported("recursive shapes")
        if shape.unsupported:
            raise Unsupported("; ".join(shape.unsupported))
        if shape.sparql:
            raise Unsupported("SPARQL-based constraint inside a nested shape")
        stack = (*stack, id(shape))
        parts: list[str] = []
        path = shape.path
        for c in shape.constraints:
            parts.append(self._conforms_constraint(shape, c, node, path, stack))
        for prop in shape.properties:
            if path is None:
                parts.append(self.conforms(prop, node, stack))
            else:
                v = self.var()
                parts.append(f"NOT EXISTS {{ {node} {path.sparql()} {v} FILTER(!({self.conforms(prop, v, stack)})) }}")
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def _conforms_constraint(self, shape: Shape, c: Constraint, node: str, path: Path | None,
                             stack: tuple[int, ...]) -> str:
        comp = c.component
        if path is None:
            return self._node_expression(shape, c, node, stack)
        p = path.sparql()
        if comp == "MinCountConstraintComponent":
            n = _count(c.value)
            return "true" if n <= 0 else f"EXISTS {{ {self._distinct_values(node, p, n)} }}"
        if comp == "MaxCountConstraintComponent":
            return f"NOT EXISTS {{ {self._distinct_values(node, p, _count(c.value) + 1)} }}"
        if comp in ("QualifiedMinCountConstraintComponent", "QualifiedMaxCountConstraintComponent"):
            inner = c.value
            assert isinstance(inner, Shape)
            n = int(c.extra["count"])  # type: ignore[call-overload]
            if comp.startswith("QualifiedMin"):
                if n <= 0:
                    return "true"
                vs, pattern = self._distinct_pattern(node, p, n)
            else:
                vs, pattern = self._distinct_pattern(node, p, n + 1)
            tests = []
            for v in vs:
                t = self.conforms(inner, v, stack)
                for sibling in c.extra.get("siblings") or []:  # type: ignore[attr-defined]
                    t = f"({t}) && !({self.conforms(sibling, v, stack)})"
                tests.append(t)
            exists = f"EXISTS {{ {pattern} FILTER({' && '.join(tests)}) }}"
            return exists if comp.startswith("QualifiedMin") else f"!{exists}"
        if comp == "UniqueLangConstraintComponent":
            a, b = self.var("a"), self.var("b")
            return (f"NOT EXISTS {{ {node} {p} {a} . {node} {p} {b} . FILTER(!sameTerm({a}, {b}) "
                    f"&& lang({a}) != \"\" && lang({a}) = lang({b})) }}")
        if comp == "HasValueConstraintComponent":
            return f"EXISTS {{ {node} {p} {term(c.value)} }}"  # type: ignore[arg-type]
        if comp in ("EqualsConstraintComponent", "DisjointConstraintComponent",
                    "LessThanConstraintComponent", "LessThanOrEqualsConstraintComponent"):
            other = term(c.value)  # type: ignore[arg-type]
            v, w = self.var(), self.var("w")
            if comp == "EqualsConstraintComponent":
                return (f"(NOT EXISTS {{ {node} {p} {v} FILTER NOT EXISTS {{ {node} {other} {v} }} }} && "
                        f"NOT EXISTS {{ {node} {other} {w} FILTER NOT EXISTS {{ {node} {p} {w} }} }})")
            if comp == "DisjointConstraintComponent":
                return f"NOT EXISTS {{ {node} {p} {v} . {node} {other} {v} }}"
            op = "<" if comp == "LessThanConstraintComponent" else "<="
            return f"NOT EXISTS {{ {node} {p} {v} . {node} {other} {w} FILTER(!COALESCE({v} {op} {w}, false)) }}"
        if comp == "ClosedConstraintComponent":
            v = self.var("n")
            return f"NOT EXISTS {{ {node} {p} {v} FILTER(!({self._closed_expression(shape, c, v)})) }}"
        v = self.var()
        return f"NOT EXISTS {{ {node} {p} {v} FILTER(!({self._value_expression(shape, c, v, stack)})) }}"

    def _node_expression(self, shape: Shape, c: Constraint, node: str, stack: tuple[int, ...]) -> str:
        comp = c.component
        if comp in ("MinCountConstraintComponent", "MaxCountConstraintComponent",
                    "UniqueLangConstraintComponent", "QualifiedMinCountConstraintComponent",
                    "QualifiedMaxCountConstraintComponent"):
            raise Unsupported(f"sh:{comp} on a node shape")
        if comp == "HasValueConstraintComponent":
            return f"sameTerm({node}, {term(c.value)})"  # type: ignore[arg-type]
        if comp in ("EqualsConstraintComponent", "DisjointConstraintComponent",
                    "LessThanConstraintComponent", "LessThanOrEqualsConstraintComponent"):
            other = term(c.value)  # type: ignore[arg-type]
            w = self.var("w")
            if comp == "EqualsConstraintComponent":
                return (f"(NOT EXISTS {{ {node} {other} {w} FILTER(!sameTerm({w}, {node})) }} && "
                        f"EXISTS {{ {node} {other} {node} }})")
            if comp == "DisjointConstraintComponent":
                return f"NOT EXISTS {{ {node} {other} {node} }}"
            op = "<" if comp == "LessThanConstraintComponent" else "<="
            return f"NOT EXISTS {{ {node} {other} {w} FILTER(!COALESCE({node} {op} {w}, false)) }}"
        if comp == "ClosedConstraintComponent":
            return self._closed_expression(shape, c, node)
        return self._value_expression(shape, c, node, stack)

    def _closed_expression(self, shape: Shape, c: Constraint, node: str) -> str:
        allowed = {p.path.iri for p in shape.properties if p.path is not None and p.path.kind == "iri"}
        allowed.update(str(i) for i in c.extra.get("ignored") or [] if isinstance(i, URIRef))  # type: ignore[attr-defined]
        q, o = self.var("p"), self.var("o")
        test = f"FILTER({q} NOT IN (" + ", ".join(f"<{escape_iri(a)}>" for a in sorted(allowed)) + "))" if allowed else ""
        return f"NOT EXISTS {{ {node} {q} {o} {test} }}"

    def _distinct_values(self, node: str, p: str, n: int) -> str:
        return self._distinct_pattern(node, p, n)[1]

    def _distinct_pattern(self, node: str, p: str, n: int) -> tuple[list[str], str]:
        if n > MAX_COUNT_EXPANSION:
            raise Unsupported(f"a count of {n} inside a nested shape")
        vs = [self.var() for _ in range(n)]
        pattern = " ".join(f"{node} {p} {v} ." for v in vs)
        pairs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
        if pairs:
            pattern += f" FILTER({' && '.join(pairs)})"
        return vs, pattern

    def value_test(self, c: Constraint, v: str, shape: Shape) -> str:
        return self._value_expression(shape, c, v, ())

    def _value_expression(self, shape: Shape, c: Constraint, v: str, stack: tuple[int, ...]) -> str:
        """A SPARQL expression true when the value node `v` satisfies `c` (SHACL §4)."""
        comp, value = c.component, c.value
        if comp == "ClassConstraintComponent":
            return f"EXISTS {{ {self.class_test(v, str(value))} }}"
        if comp == "DatatypeConstraintComponent":
            return datatype_test(v, str(value))
        if comp == "NodeKindConstraintComponent":
            kind = str(value).rsplit("#", 1)[-1]
            if kind not in NODE_KIND_TESTS:
                raise Unsupported(f"sh:nodeKind {value}")
            return NODE_KIND_TESTS[kind].format(v=v)
        if comp in ("MinExclusiveConstraintComponent", "MinInclusiveConstraintComponent",
                    "MaxExclusiveConstraintComponent", "MaxInclusiveConstraintComponent"):
            op = {"MinExclusive": ">", "MinInclusive": ">=", "MaxExclusive": "<",
                  "MaxInclusive": "<="}[comp[: -len("ConstraintComponent")]]
            return f"COALESCE({v} {op} {term(value)}, false)"  # type: ignore[arg-type]
        if comp in ("MinLengthConstraintComponent", "MaxLengthConstraintComponent"):
            op = ">=" if comp.startswith("Min") else "<="
            return f"(!isBlank({v}) && STRLEN(STR({v})) {op} {_count(value)})"
        if comp == "PatternConstraintComponent":
            flags = regex_flags(str(c.extra.get("flags") or ""))
            pattern = term(Literal(str(value)))
            extra = f", {term(Literal(flags))}" if flags else ""
            return f"(!isBlank({v}) && COALESCE(REGEX(STR({v}), {pattern}{extra}), false))"
        if comp == "LanguageInConstraintComponent":
            tags = [str(t) for t in value]  # type: ignore[attr-defined]
            if not tags:
                return "false"
            tests = " || ".join(f"langMatches(lang({v}), {term(Literal(t))})" for t in tags)
            return f"(isLiteral({v}) && ({tests}))"
        if comp == "InConstraintComponent":
            members = [m for m in value if not isinstance(m, BNode)]  # type: ignore[attr-defined]
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {term(m)})" for m in members) + ")"
        if comp == "NodeConstraintComponent":
            return self.conforms(value, v, stack)  # type: ignore[arg-type]
        if comp == "NotConstraintComponent":
            return f"!({self.conforms(value, v, stack)})"  # type: ignore[arg-type]
        if comp == "AndConstraintComponent":
            return "(" + " && ".join(self.conforms(s, v, stack) for s in value) + ")" if value else "true"  # type: ignore[attr-defined]
        if comp == "OrConstraintComponent":
            return "(" + " || ".join(self.conforms(s, v, stack) for s in value) + ")" if value else "false"  # type: ignore[attr-defined]
        if comp == "XoneConstraintComponent":
            ones = " + ".join(f"IF({self.conforms(s, v, stack)}, 1, 0)" for s in value)  # type: ignore[attr-defined]
            return f"(({ones}) = 1)" if value else "false"
        if comp == "HasValueConstraintComponent":
            return f"sameTerm({v}, {term(value)})"  # type: ignore[arg-type]
        raise Unsupported(f"sh:{comp}")


def datatype_test(v: str, datatype: str) -> str:
    """True when `v` is a literal of `datatype` with a well-formed lexical form."""
    if datatype == RDF_LANGSTRING:
        return f"(isLiteral({v}) && lang({v}) != \"\")"
    same = f"(isLiteral({v}) && datatype({v}) = <{escape_iri(datatype)}>)"
    bounds = INTEGER_RANGES.get(datatype)
    if bounds is not None:
        low, high = bounds
        number = f"<{XSD}integer>(STR({v}))"
        tests = [f"{number} >= {low}" if low is not None else "", f"{number} <= {high}" if high is not None else ""]
        check = " && ".join(t for t in tests if t)
        return f"({same} && COALESCE({check}, false))"
    if datatype in CASTABLE:
        cast = f"<{escape_iri(datatype)}>(STR({v}))"
        return f"({same} && COALESCE(sameTerm({cast}, {v}) || {cast} = {v}, false))"
    return same


def _only_class(shape: object) -> str | None:
    """The class of a shape that says only `sh:class C` of its focus node, else None."""
    if not isinstance(shape, Shape) or shape.path is not None or shape.deactivated:
        return None
    if shape.properties or shape.sparql or shape.unsupported or len(shape.constraints) != 1:
        return None
    constraint = shape.constraints[0]
    if constraint.component != "ClassConstraintComponent" or not isinstance(constraint.value, URIRef):
        return None
    return str(constraint.value)


def _count(value: object) -> int:
    if isinstance(value, Literal):
        number = value.toPython()
        if isinstance(number, int):
            return number
    raise Unsupported(f"count {value!r} is not an integer")


_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)+", re.IGNORECASE)


def sparql_text(sc: SparqlConstraint, path: Path | None) -> str:
    """The constraint's query with $PATH replaced by the shape's path (SHACL §5.3.2)."""
    text = sc.query
    if path is not None:
        text = re.sub(r"\$PATH\b", lambda _m: path.sparql(), text)
    return text


def _without_prologue(text: str) -> str:
    return _PROLOGUE.sub("", text, count=1)


def shapes_needing(checks: Sequence[Check], predicate: Callable[[Check], bool]) -> list[Shape]:
    return list({id(c.shape): c.shape for c in checks if predicate(c)}.values())


def nested_of(shape: Shape) -> list[Shape]:
    return [s for c in shape.constraints for s in nested_shapes(c)]
