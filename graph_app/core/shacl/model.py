"""The shapes as a small model: targets, property paths, constraint components, SPARQL
constraints, messages and severities, read from an rdflib shapes graph (SHACL §2-§5).

Whatever the compiler cannot turn into SPARQL is named in `Shape.unsupported`; such a
shape is validated by pySHACL instead (see `fallback`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.term import Node

# Parameters of the SHACL Core constraint components the compiler turns into SPARQL,
# with the component each belongs to (SHACL §4).
COMPONENTS: dict[URIRef, str] = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.equals: "EqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH.lessThan: "LessThanConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.closed: "ClosedConstraintComponent",
    SH.qualifiedValueShape: "QualifiedValueShape",  # Min/Max decided by the counts
}
# Parameters that only qualify another one.
QUALIFIERS = {SH.flags, SH.ignoredProperties, SH.qualifiedMinCount, SH.qualifiedMaxCount,
              SH.qualifiedValueShapesDisjoint}
# Parameters known to SHACL (or SHACL-AF) that the compiler does not handle.
UNSUPPORTED = {SH.target: "sh:target (SPARQL-based target)", SH.js: "sh:js",
               SH.expression: "sh:expression", SH.rule: "sh:rule"}
SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
NODE_KINDS = {SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral,
              SH.IRIOrLiteral}


def is_true(value: object) -> bool:
    """The boolean parameter value true ("true"^^xsd:boolean; "1" does not count, as the
    W3C tests read SHACL)."""
    return isinstance(value, Literal) and str(value) == "true" and value.datatype in (None, XSD.boolean)


class ShapeError(ValueError):
    """The shapes graph is malformed (a broken path or list)."""


# -- property paths (SHACL §2.3.1) --------------------------------------------------------


@dataclass(frozen=True)
class Path:
    """A SHACL property path: an IRI, or an inverse, sequence, alternative or repetition."""

    kind: str  # "iri" | "inv" | "seq" | "alt" | "zeroOrMore" | "oneOrMore" | "zeroOrOne"
    iri: str = ""
    parts: tuple[Path, ...] = ()

    def sparql(self) -> str:
        """The path in SPARQL 1.1 property-path syntax, with full IRIs."""
        if self.kind == "iri":
            return f"<{self.iri}>"
        if self.kind == "inv":
            return f"^{self.parts[0].sparql()}"
        if self.kind == "seq":
            return "(" + "/".join(p.sparql() for p in self.parts) + ")"
        if self.kind == "alt":
            return "(" + "|".join(p.sparql() for p in self.parts) + ")"
        suffix = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[self.kind]
        return f"({self.parts[0].sparql()}){suffix}"

    def text(self) -> str:
        """How a result names its path: the IRI of a plain predicate, else the SPARQL path."""
        return self.iri if self.kind == "iri" else self.sparql()

    def predicates(self) -> set[str]:
        if self.kind == "iri":
            return {self.iri}
        return set().union(*(p.predicates() for p in self.parts))

    def inverse(self) -> Path:
        """The path walked backwards: from a value node to its focus nodes."""
        if self.kind == "iri":
            return Path("inv", parts=(self,))
        if self.kind == "inv":
            return self.parts[0]
        if self.kind == "seq":
            return Path("seq", parts=tuple(p.inverse() for p in reversed(self.parts)))
        return Path(self.kind, parts=tuple(p.inverse() for p in self.parts))


def parse_path(graph: Graph, node: Node, depth: int = 0) -> Path:
    """Read a SHACL path node (SHACL §2.3.1)."""
    if depth > 50:
        raise ShapeError("property path nested too deeply")
    if isinstance(node, URIRef):
        return Path("iri", iri=str(node))
    if not isinstance(node, BNode):
        raise ShapeError(f"not a property path: {node}")
    if graph.value(node, RDF.first) is not None:
        items = [parse_path(graph, n, depth + 1) for n in _list(graph, node)]
        if len(items) < 2:
            raise ShapeError("a sequence path needs at least two members")
        return Path("seq", parts=tuple(items))
    for prop, kind in ((SH.inversePath, "inv"), (SH.zeroOrMorePath, "zeroOrMore"),
                       (SH.oneOrMorePath, "oneOrMore"), (SH.zeroOrOnePath, "zeroOrOne")):
        inner = graph.value(node, prop)
        if inner is not None:
            return Path(kind, parts=(parse_path(graph, inner, depth + 1),))
    alt = graph.value(node, SH.alternativePath)
    if alt is not None:
        items = [parse_path(graph, n, depth + 1) for n in _list(graph, alt)]
        if len(items) < 2:
            raise ShapeError("an alternative path needs at least two members")
        return Path("alt", parts=tuple(items))
    raise ShapeError(f"not a property path: {node}")


def path_text(graph: Graph, node: Node | None) -> str:
    """The text of a result path as given in a results or shapes graph ("" when none)."""
    if node is None:
        return ""
    try:
        return parse_path(graph, node).text()
    except ShapeError:
        return str(node)


def _list(graph: Graph, node: Node) -> list[Node]:
    if node == RDF.nil:
        return []
    items = list(Collection(graph, node))
    if any(i is None for i in items):
        raise ShapeError(f"broken RDF list at {node}")
    return items


# -- shapes --------------------------------------------------------------------------------


@dataclass
class Targets:
    """Focus nodes of a shape (SHACL §2.1.3): nodes, instances of classes (with their
    subclasses in the data), subjects and objects of predicates."""

    nodes: list[Node] = field(default_factory=list)
    classes: list[URIRef] = field(default_factory=list)
    subjects_of: list[URIRef] = field(default_factory=list)
    objects_of: list[URIRef] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.classes or self.subjects_of or self.objects_of)


@dataclass
class Constraint:
    """One constraint component instance: its component (local name) and parameters."""

    component: str
    value: object  # the main parameter's value (a term, a number, a list, a shape)
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class SparqlConstraint:
    """A SPARQL-based constraint (SHACL §5): its SELECT query with the prefixes declared
    through sh:prefixes, and its own messages."""

    node: Node
    query: str
    prologue: str
    messages: tuple[Literal, ...] = ()


@dataclass(eq=False)
class Shape:
    node: Node
    id: str
    source: str
    path: Path | None = None
    severity: str = "Violation"
    severity_iri: str = str(SH.Violation)
    messages: tuple[Literal, ...] = ()
    deactivated: bool = False
    targets: Targets = field(default_factory=Targets)
    constraints: list[Constraint] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    @property
    def is_property_shape(self) -> bool:
        return self.path is not None

    def walk(self) -> Iterator[Shape]:
        """This shape and every shape it refers to (sh:property, sh:node, sh:not, ...)."""
        seen: set[int] = set()
        todo: list[Shape] = [self]
        while todo:
            shape = todo.pop()
            if id(shape) in seen:
                continue
            seen.add(id(shape))
            yield shape
            todo.extend(shape.properties)
            for c in shape.constraints:
                todo.extend(nested_shapes(c))

    def all_unsupported(self) -> list[str]:
        return sorted({reason for s in self.walk() for reason in s.unsupported})


def nested_shapes(constraint: Constraint) -> list[Shape]:
    value = constraint.value
    if isinstance(value, Shape):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, Shape) for v in value):
        return list(value)
    return []


@dataclass
class ShapesModel:
    """Every shape that has targets (the shapes a validation starts from), and all shapes
    by node."""

    graph: Graph
    roots: list[Shape]
    by_node: dict[Node, Shape]
    plans: dict[object, object] = field(default_factory=dict)  # compiled plans, by hierarchy
    lock: threading.Lock = field(default_factory=threading.Lock)
    extra: dict[str, object] = field(default_factory=dict)  # what the caller keeps with it

    def __getstate__(self) -> dict[str, object]:
        """Everything but the lock and the shapes graph (kept on disk, see
        core/compiled_cache.py; the graph is read again when a fallback needs it)."""
        state = dict(self.__dict__)
        state.pop("lock", None)
        state["graph"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.lock = threading.Lock()

    def classes(self) -> set[str]:
        """Every class the shapes name (targets and sh:class), whose subclasses matter."""
        found: set[str] = set()
        for shape in self.by_node.values():
            found.update(str(c) for c in shape.targets.classes)
            found.update(str(c.value) for c in shape.constraints if c.component == "ClassConstraintComponent")
        return found


class _Reader:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.by_node: dict[Node, Shape] = {}
        self.custom_parameters = self._custom_parameters()

    def _custom_parameters(self) -> set[Node]:
        """Parameters of constraint components declared in the shapes graph (SHACL §6)."""
        params: set[Node] = set()
        for component in set(self.graph.subjects(SH.parameter, None)):
            for param in self.graph.objects(component, SH.parameter):
                path = self.graph.value(param, SH.path)
                if path is not None:
                    params.add(path)
        return params

    def shape_id(self, node: Node, owner: Shape | None) -> str:
        if isinstance(node, URIRef):
            return self.graph.namespace_manager.normalizeUri(node)
        if owner is not None:
            return owner.id
        return str(node)

    def read(self, node: Node, owner: Shape | None = None, depth: int = 0) -> Shape:
        existing = self.by_node.get(node)
        if existing is not None:
            return existing
        g = self.graph
        ident = self.shape_id(node, owner)
        path_node = g.value(node, SH.path)
        shape = Shape(node=node, id=ident, source=ident)
        self.by_node[node] = shape
        if depth > 40:
            shape.unsupported.append("shapes nested too deeply")
            return shape
        try:
            shape.path = parse_path(g, path_node) if path_node is not None else None
        except ShapeError as err:
            shape.unsupported.append(str(err))
        if shape.path is not None and not isinstance(node, URIRef):
            shape.source = f"{ident} {shape.path.text()}"
        severity = g.value(node, SH.severity)
        if isinstance(severity, URIRef):
            shape.severity_iri = str(severity)
            shape.severity = SEVERITIES.get(severity, severity.split("#")[-1].split("/")[-1])
        shape.messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
        shape.deactivated = is_true(g.value(node, SH.deactivated))
        self._targets(shape)
        self._constraints(shape, depth)
        return shape

    def _targets(self, shape: Shape) -> None:
        g, node, t = self.graph, shape.node, shape.targets
        t.nodes = sorted(g.objects(node, SH.targetNode), key=str)
        t.classes = sorted(c for c in g.objects(node, SH.targetClass) if isinstance(c, URIRef))
        if (node, RDF.type, RDFS.Class) in g and isinstance(node, URIRef):
            # implicit class target (SHACL §2.1.3.3)
            t.classes.append(node)
        t.subjects_of = sorted(p for p in g.objects(node, SH.targetSubjectsOf) if isinstance(p, URIRef))
        t.objects_of = sorted(p for p in g.objects(node, SH.targetObjectsOf) if isinstance(p, URIRef))

    def _constraints(self, shape: Shape, depth: int) -> None:
        g, node = self.graph, shape.node
        for param, reason in UNSUPPORTED.items():
            if (node, param, None) in g:
                shape.unsupported.append(reason)
        for custom in self.custom_parameters:
            if (node, custom, None) in g and custom not in COMPONENTS and custom not in QUALIFIERS:
                shape.unsupported.append(f"constraint component with parameter {custom}")
        try:
            self._core(shape, depth)
        except ShapeError as err:
            shape.unsupported.append(str(err))
        for prop in g.objects(node, SH.property):
            shape.properties.append(self.read(prop, shape, depth + 1))
        for sparql in g.objects(node, SH.sparql):
            self._sparql(shape, sparql)

    def _core(self, shape: Shape, depth: int) -> None:
        g, node = self.graph, shape.node
        add = shape.constraints.append

        def nested(n: Node) -> Shape:
            return self.read(n, None, depth + 1)

        for param, component in COMPONENTS.items():
            values = list(g.objects(node, param))
            if not values:
                continue
            if param in (SH["class"], SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals,
                         SH.hasValue):
                for v in values:
                    add(Constraint(component, v))
            elif param in (SH["not"], SH.node):
                for v in values:
                    add(Constraint(component, nested(v)))
            elif param in (SH["and"], SH["or"], SH.xone):
                for v in values:
                    add(Constraint(component, [nested(m) for m in _list(g, v)]))
            elif param in (SH.languageIn, SH["in"]):
                for v in values:
                    add(Constraint(component, _list(g, v)))
            elif param == SH.pattern:
                flags = g.value(node, SH.flags)
                for v in values:
                    add(Constraint(component, v, {"flags": str(flags) if flags is not None else ""}))
            elif param == SH.closed:
                if any(is_true(v) for v in values):
                    ignored = [i for lst in g.objects(node, SH.ignoredProperties) for i in _list(g, lst)]
                    add(Constraint(component, True, {"ignored": ignored}))
            elif param == SH.uniqueLang:
                if any(is_true(v) for v in values):
                    add(Constraint(component, True))
            elif param == SH.qualifiedValueShape:
                self._qualified(shape, values, nested)
            else:
                for v in values:
                    add(Constraint(component, v))

    def _qualified(self, shape: Shape, values: list[Node], nested: object) -> None:
        g, node = self.graph, shape.node
        low = g.value(node, SH.qualifiedMinCount)
        high = g.value(node, SH.qualifiedMaxCount)
        disjoint = g.value(node, SH.qualifiedValueShapesDisjoint)
        for v in values:
            inner = nested(v)  # type: ignore[operator]
            extra = {"disjoint": is_true(disjoint),
                     "siblings": self._siblings(shape, v) if is_true(disjoint) else []}
            if isinstance(low, Literal):
                shape.constraints.append(Constraint("QualifiedMinCountConstraintComponent", inner,
                                                    {**extra, "count": int(low.toPython())}))
            if isinstance(high, Literal):
                shape.constraints.append(Constraint("QualifiedMaxCountConstraintComponent", inner,
                                                    {**extra, "count": int(high.toPython())}))

    def _siblings(self, shape: Shape, own: Node) -> list[Shape]:
        """The qualified value shapes of the other property shapes of the same parents
        (sh:qualifiedValueShapesDisjoint, SHACL §4.7.3)."""
        g = self.graph
        found: list[Shape] = []
        for parent in g.subjects(SH.property, shape.node):
            for sibling in g.objects(parent, SH.property):
                if sibling == shape.node:
                    continue
                for q in g.objects(sibling, SH.qualifiedValueShape):
                    if q != own:
                        found.append(self.read(q, None, 1))
        return found

    def _sparql(self, shape: Shape, node: Node) -> None:
        g = self.graph
        if is_true(g.value(node, SH.deactivated)):
            return
        select = g.value(node, SH.select)
        if not isinstance(select, Literal):
            shape.unsupported.append("sh:sparql without sh:select")
            return
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self._prefixes(node).items()))
        messages = tuple(m for m in g.objects(node, SH.message) if isinstance(m, Literal))
        shape.sparql.append(SparqlConstraint(node, str(select), prologue, messages))

    def _prefixes(self, node: Node) -> dict[str, str]:
        """sh:prefixes of a SPARQL-based constraint: the sh:declare of the named nodes,
        and of the nodes they import with owl:imports (SHACL §5.2.1)."""
        g = self.graph
        found: dict[str, str] = {}
        todo = list(g.objects(node, SH.prefixes))
        seen: set[Node] = set()
        while todo:
            holder = todo.pop()
            if holder in seen:
                continue
            seen.add(holder)
            for decl in g.objects(holder, SH.declare):
                prefix, ns = g.value(decl, SH.prefix), g.value(decl, SH.namespace)
                if prefix is not None and ns is not None:
                    found[str(prefix)] = str(ns)
            todo.extend(g.objects(holder, URIRef("http://www.w3.org/2002/07/owl#imports")))
        return found


def _shape_nodes(graph: Graph) -> Iterable[Node]:
    """Nodes that are shapes with targets: the shapes a validation starts from."""
    found: set[Node] = set()
    for param in (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        found.update(graph.subjects(param, None))
    for kind in (SH.NodeShape, SH.PropertyShape):
        for node in graph.subjects(RDF.type, kind):
            if (node, RDF.type, RDFS.Class) in graph:
                found.add(node)
    return sorted(found, key=lambda n: (isinstance(n, BNode), str(n)))


def read_shapes(graph: Graph) -> ShapesModel:
    """The shapes of `graph`, from the shapes that have targets."""
    reader = _Reader(graph)
    roots = [reader.read(node) for node in _shape_nodes(graph)]
    return ShapesModel(graph, roots, reader.by_node)


_VAR = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def template_variables(text: str) -> set[str]:
    """Names of the {?var}/{$var} placeholders in a message template."""
    return {m.group(1) for m in re.finditer(r"\{" + _VAR.pattern + r"\}", text)}
