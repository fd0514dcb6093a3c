"""Running the compiled checks where the data is, and turning their rows into results.

The engine needs one thing of the data: a `View` that answers SPARQL SELECT queries over
its default graph, optionally with variables bound (pre-binding, SHACL §5.3.1). The store
(all committed sources, or those of a pending load) and an in-memory Oxigraph store both
provide one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
from rdflib import Literal, URIRef

from ..messages import LANGUAGES, message
from .compiler import FOCUS, Check, Compiler, Plan
from .model import Shape, ShapesModel
from .report import Report, Result

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]
Progress = Callable[[str, int, int], None]  # (what, done, total)

RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
BATCH = 400  # focus nodes per focused query
PER_NODE = 0  # up to this many focus nodes, a SPARQL constraint runs once per node
FREE_LIMIT = 20000  # rows of violations regardless of focus nodes kept and checked in batches
# Oxigraph evaluates a pattern from a bound node with about one index lookup, some 15-30 µs
# here, and scans or hashes about twenty triples in that time. A whole run therefore asks a
# check from every focus node when the path's predicate has at least LOOKUP_COST triples per
# focus node (the labels of 1,200 credentials among 250,000 labels: 0.04 s, not 0.22 s), and
# skips the checks of a shape with no focus node at all.
LOOKUP_COST = 20
FEW_FOCUS_NODES = 50000  # above this, the focus nodes are not counted exactly


class View(Protocol):
    """SPARQL SELECT over the data to validate. `plans_by_statistics`: the engine behind
    it plans a query from its data (a SPARQL server), so a whole run asks each check in
    its plain form, not in the forms written for Oxigraph's planner (see compiler.py)."""

    plans_by_statistics: bool

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> list[Row]: ...


def rows(result: object) -> list[Row]:
    """The solutions of a pyoxigraph SELECT as dicts of the bound variables."""
    return list(iter_rows(result))


def iter_rows(result: object) -> Iterator[Row]:
    """The solutions of a pyoxigraph SELECT, one at a time, as the store computes them."""
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    for solution in result:
        row: Row = {}
        for name in names:
            value = solution[name]
            if value is not None:
                row[name] = value
        yield row


def stream(view: View, text: str) -> Iterator[Row]:
    """The rows of a SELECT over the view as the store computes them (views that answer
    only with lists give theirs)."""
    query = getattr(view, "query", None)
    if query is None:
        yield from view.select(text)
    else:
        yield from iter_rows(query(text))


class MemoryView:
    """A view over a pyoxigraph store's default graph (or the union of its graphs)."""

    plans_by_statistics = False

    def __init__(self, store: ox.Store, union: bool = False) -> None:
        self.store = store
        self.union = union

    def query(self, text: str, bindings: Mapping[str, Term] | None = None) -> object:
        """pyoxigraph's own answer (for code that reads a store directly)."""
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = {
            ox.Variable(k): v for k, v in (bindings or {}).items()} or None
        return self.store.query(text, substitutions=subs, use_default_graph_as_union=self.union)

    def select(self, text: str, bindings: Mapping[str, Term] | None = None) -> list[Row]:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = {
            ox.Variable(k): v for k, v in (bindings or {}).items()} or None
        return rows(self.store.query(text, substitutions=subs,
                                     use_default_graph_as_union=self.union))


# -- plans, once per shapes model and class hierarchy -------------------------------------


EDGE_LIMIT = 20000  # rdfs:subClassOf triples read at once to find the class hierarchy


def subclasses(view: View, classes: Iterable[str]) -> dict[str, list[str]]:
    """Each class with its subclasses in the data (what `?c rdfs:subClassOf* <class>`
    gives). The view's rdfs:subClassOf triples (a few hundred, the ontology's) are read in
    one query and followed here: a load asked one query per class of the shapes before
    (26). With more than EDGE_LIMIT such triples, each class is asked with the path,
    anchored on it."""
    wanted = sorted(set(classes))
    edges = view.select(f"SELECT ?c ?super WHERE {{ ?c <{RDFS_SUBCLASS}> ?super }} LIMIT {EDGE_LIMIT + 1}")
    if len(edges) > EDGE_LIMIT:
        return {cls: subclasses_of(view, cls) for cls in wanted}
    below: dict[Term, set[Term]] = {}
    for edge in edges:
        below.setdefault(edge["super"], set()).add(edge["c"])
    found: dict[str, list[str]] = {}
    for cls in wanted:
        seen: set[Term] = set()
        todo: list[Term] = [ox.NamedNode(cls)]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        subs = {n.value for n in seen if isinstance(n, ox.NamedNode)}
        found[cls] = [cls, *sorted(subs - {cls})]
    return found


def subclasses_of(view: View, cls: str) -> list[str]:
    """The class and its subclasses in the data, asked of the store with the path."""
    text = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS}>* <{cls}> }}"
    subs = {r["c"].value for r in view.select(text) if isinstance(r.get("c"), ox.NamedNode)}
    return [cls, *sorted(subs - {cls})]


def plan_for(model: ShapesModel, classes: Mapping[str, Sequence[str]]) -> Plan:
    """The compiled checks of `model` for this class hierarchy (compiled once per model
    and hierarchy, and kept on the model)."""
    key = tuple(sorted((k, tuple(v)) for k, v in classes.items()))
    with model.lock:
        plan = model.plans.get(key)
        if plan is None:
            plan = Compiler(model, classes).plan()
            if len(model.plans) > 16:
                model.plans.clear()
            model.plans[key] = plan
        assert isinstance(plan, Plan)
        return plan


# -- results ------------------------------------------------------------------------------


def generic_messages(component: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((lang, message("shacl_generic", lang, component=f"sh:{component}"))
                        for lang in LANGUAGES))


def shape_messages(shape: Shape, component: str) -> tuple[tuple[str, str], ...]:
    texts: dict[str, str] = {}
    for m in shape.messages:
        texts.setdefault(m.language or "", str(m))
    return tuple(sorted(texts.items())) if texts else generic_messages(component)


def _text(value: Term | None) -> str:
    return "" if value is None else value.value


def _nt(value: Term | None) -> str:
    return "" if value is None else str(value)


@dataclass
class _Builder:
    """Turns rows of a check into results (SHACL §3.6, and §5.3.2 for SPARQL rows)."""

    check: Check

    def results(self, found: list[Row], focus: Term | None = None) -> list[Result]:
        if self.check.kind == "sparql":
            return self._sparql(found, focus)
        shape = self.check.shape
        path = shape.path.text() if shape.path is not None else ""
        messages = shape_messages(shape, self.check.component)
        out = []
        for row in found:
            this = row.get("this")
            if this is None:
                continue
            value: Term | None = None
            result_path = path
            if self.check.kind in ("value", "closed"):
                value = row.get("value")
            if self.check.datatype and _well_formed(value, self.check.datatype):
                continue
            if self.check.kind == "closed":
                result_path = _text(row.get("path"))
            out.append(Result(focus=this.value, shape=shape.id, severity=shape.severity,
                              messages=messages, path=result_path, value=_text(value),
                              component="sh:" + self.check.component, source_shape=shape.source,
                              value_term=_nt(value), focus_term=_nt(this),
                              source_node=shape.node))
        return out

    def _sparql(self, found: list[Row], focus: Term | None) -> list[Result]:
        """pySHACL's reading of SPARQL rows: ?this, ?path, ?value and the other variables
        (for the message templates); rows that bind none of the three are not results;
        duplicates are dropped; a node shape's result has the focus node as its value."""
        shape = self.check.shape
        sc = self.check.sparql
        assert sc is not None
        out: list[Result] = []
        seen: set[tuple[object, ...]] = set()
        failed = False
        for row in found:
            row = dict(row)
            if "failure" in row:
                if failed:
                    continue
                failed = True
                row = {"this": focus} if focus is not None else {}
                t, p, v = row.get("this"), None, None
            else:
                p, v, t = row.pop("path", None), row.pop("value", None), row.pop("this", None)
                if p is None and v is None and t is None:
                    continue
            key = (t, p, v, tuple(sorted((k, str(x)) for k, x in row.items())))
            if key in seen:
                continue
            seen.add(key)
            this = t or focus
            if this is None:
                continue
            if v is None and shape.path is None:
                v = this
            path = p.value if isinstance(p, ox.NamedNode) else (shape.path.text() if shape.path else "")
            bound: dict[str, Term] = dict(row)
            for name, term_ in (("this", t), ("path", p), ("value", v)):
                if term_ is not None:
                    bound[name] = term_
            out.append(Result(focus=this.value, shape=shape.id, severity=shape.severity,
                              messages=sparql_messages(sc.messages, shape.messages, bound,
                                                       self.check.component),
                              path=path, value=_text(v), component="sh:SPARQLConstraintComponent",
                              source_shape=shape.source, value_term=_nt(v), focus_term=_nt(this),
                              source_node=shape.node))
        return out


def _well_formed(value: Term | None, datatype: str) -> bool:
    """True when `value` is a literal of `datatype` whose lexical form rdflib (pySHACL's
    reference) reads. The compiled query checks that by casting, which SPARQL defines but
    servers do not all follow (Virtuoso 7 casts "false" to true, and answers a duration's
    STR as a number of months or seconds): a value it reports is confirmed here."""
    if not isinstance(value, ox.Literal) or value.language or value.datatype.value != datatype:
        return False
    literal = Literal(value.value, datatype=URIRef(datatype), normalize=False)
    return literal.ill_typed is False


def fill(template: str, bound: Mapping[str, Term]) -> str:
    """A message template with {?var} and {$var} replaced by the bound values (SHACL §5.3.2)."""
    for name, value in bound.items():
        pattern = re.compile(r"\{[?$]" + re.escape(name) + r"\}")
        template = pattern.sub(value.value.replace("\\", "\\\\"), template)
    return template


def sparql_messages(own: Sequence[Literal], of_shape: Sequence[Literal], bound: Mapping[str, Term],
                    component: str) -> tuple[tuple[str, str], ...]:
    texts: dict[str, str] = {}
    for m in (*own, *of_shape):
        texts.setdefault(m.language or "", fill(str(m), bound))
    return tuple(sorted(texts.items())) if texts else generic_messages(component)


# -- running ------------------------------------------------------------------------------


def _values(nodes: Sequence[Term]) -> str:
    return "VALUES ?this { " + " ".join(str(n) for n in nodes) + " }"


class Runner:
    """Runs a plan's checks over a view: all focus nodes, or only the given ones."""

    def __init__(self, view: View, plan: Plan, focus: Sequence[Term] | None = None) -> None:
        self.view = view
        self.plan = plan
        self.focus = list(focus) if focus is not None else None
        self.types: set[str] | None = None
        self._counts: dict[str, tuple[int, int]] = {}  # query -> (rows counted, up to)
        self._counts_lock = threading.Lock()
        if self.focus is not None:
            self.types = set()
            for row in self._focused("SELECT DISTINCT ?this ?t WHERE { " + FOCUS + " ?this a ?t }"):
                if isinstance(row.get("t"), ox.NamedNode):
                    self.types.add(row["t"].value)

    def can_apply(self, check: Check) -> bool:
        """False when no focus node can be a target of the check's shape: every target of
        the shape is a class, and no focus node is an instance of it (SHACL §2.1.3.2)."""
        root = check.root
        if self.types is None or root is None:
            return True
        t = root.targets
        if t.nodes or t.subjects_of or t.objects_of or not t.classes:
            return True
        return any(c in self.types for cls in t.classes for c in self.plan.classes.get(str(cls), [str(cls)]))

    def run_check(self, check: Check) -> list[Result]:
        if not self.can_apply(check):
            return []
        builder = _Builder(check)
        if check.kind == "sparql":
            return self._sparql(check, builder)
        if self.focus is None:
            if self.view.plans_by_statistics:
                # The check as written, over every focus node: a server plans it, and may
                # answer the hash-join forms for Oxigraph wrongly (Virtuoso 7, depending
                # on its plan) or not compile them.
                return builder.results(self.view.select(check.focused.replace(FOCUS, "")))
            if check.root_focus:
                focus_nodes = self._count(f"SELECT DISTINCT ?this WHERE {{ {check.root_focus} }}",
                                          FEW_FOCUS_NODES)
                if focus_nodes == 0:
                    return []
                if check.predicate and focus_nodes < FEW_FOCUS_NODES and self._count(
                        f"SELECT ?s WHERE {{ ?s <{check.predicate}> ?o }}",
                        LOOKUP_COST * focus_nodes) >= LOOKUP_COST * focus_nodes:
                    return builder.results(self.view.select(check.focused.replace(FOCUS, "")))
            if check.free:
                found = self._free(check)
                if found is not None:
                    return builder.results(found)
            return builder.results(self.view.select(check.scan))
        return builder.results(self._focused(check.focused))

    def _count(self, select: str, cap: int) -> int:
        """The number of rows of `select`, counted up to `cap` (kept for the run: a count
        that stopped at a lower cap is counted again)."""
        with self._counts_lock:
            number, counted_to = self._counts.get(select, (0, 0))
        if number < counted_to or number >= cap:  # exact, or already known to reach cap
            return number
        found = self.view.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {select} LIMIT {cap} }}")
        value = found[0].get("n") if found else None
        number = int(value.value) if isinstance(value, ox.Literal) else 0
        with self._counts_lock:
            self._counts[select] = (number, cap)
        return number

    def run_together(self, checks: Sequence[Check]) -> list[Result]:
        """The checks that apply to the focus nodes, the core ones in one query (a UNION
        of their focused forms, told apart by ?_k): a load asks few queries, not one per
        constraint of every shape."""
        applicable = [c for c in checks if self.can_apply(c)]
        core = [c for c in applicable if c.kind != "sparql"]
        out: list[Result] = []
        if core and self.focus:
            values = _values(self.focus)
            branches = " UNION ".join(
                f"{{ {{ {c.focused_text(values)} }} BIND({i} AS ?_k) }}" for i, c in enumerate(core))
            by_check: dict[int, list[Row]] = {}
            for row in self.view.select(f"SELECT * WHERE {{ {branches} }}"):
                k = row.pop("_k", None)
                if isinstance(k, ox.Literal):
                    by_check.setdefault(int(k.value), []).append(row)
            for i, c in enumerate(core):
                out.extend(_Builder(c).results(by_check.get(i, [])))
        for c in applicable:
            if c.kind == "sparql":
                out.extend(self.run_check(c))
        return out

    def _free(self, check: Check) -> list[Row] | None:
        """The violations found regardless of focus nodes, kept for the candidates that are
        focus nodes; None when there are too many of them for that to pay off (read up to
        FREE_LIMIT rows: memory stays bounded whatever the store holds)."""
        found = self.view.select(f"SELECT * WHERE {{ {{ {check.free} }} }} LIMIT {FREE_LIMIT + 1}")
        if len(found) > FREE_LIMIT:
            return None
        candidates = sorted({r["this"] for r in found if "this" in r}, key=str)
        if not candidates:
            return []
        keep = {r["this"] for r in self._focused(check.targets, candidates)}
        return [r for r in found if r.get("this") in keep]

    def _focused(self, template: str, nodes: Sequence[Term] | None = None) -> list[Row]:
        focus = nodes if nodes is not None else self.focus
        assert focus is not None
        found: list[Row] = []
        named = [n for n in focus if not isinstance(n, ox.BlankNode)]
        blank = [n for n in focus if isinstance(n, ox.BlankNode)]
        for start in range(0, len(named), BATCH):
            found.extend(self.view.select(template.replace(FOCUS, _values(named[start:start + BATCH]))))
        for node in blank:  # a blank node cannot be written in VALUES: bind it instead
            found.extend(self.view.select(template.replace(FOCUS, ""), {"this": node}))
        return found

    def _sparql(self, check: Check, builder: _Builder) -> list[Result]:
        if self.focus is None and not check.per_node:
            planned = self.view.plans_by_statistics and check.plain_scan
            if check.free and not planned:
                found = self._free(check)
                if found is not None:
                    return builder.results(found)
            return builder.results(self.view.select(check.plain_scan if planned else check.scan))
        if self.focus is None:
            # every focus node, read as the store finds them, a batch at a time
            targets: Iterable[Row] = stream(self.view, check.focused.replace(FOCUS, ""))
        else:
            targets = self._focused(check.focused)
        out: list[Result] = []
        batch: list[Term] = []
        for row in targets:
            node = row.get("this")
            if node is None:
                continue
            batch.append(node)
            if len(batch) >= BATCH:
                out.extend(self._sparql_batch(check, builder, batch))
                batch = []
        out.extend(self._sparql_batch(check, builder, batch))
        return out

    def _sparql_batch(self, check: Check, builder: _Builder, nodes: Sequence[Term]) -> list[Result]:
        """A SPARQL constraint's results for some of its focus nodes."""
        from .sparql_check import prebind, with_focus  # imports the SPARQL parser: only when needed

        query = check.sparql_query
        nodes = sorted(set(nodes), key=str)
        named = [n for n in nodes if not isinstance(n, ox.BlankNode)]
        out: list[Result] = []
        if check.batchable and len(named) > PER_NODE:
            # Joined with the focus nodes in one VALUES clause (the answers of pre-binding,
            # see sparql_check.analyse).
            out.extend(builder.results(self.view.select(with_focus(query, _values(named)))))
            nodes = [n for n in nodes if isinstance(n, ox.BlankNode)]
        # Pre-binding proper (SHACL §5.3.1): once per focus node with $this substituted,
        # so that the query is planned from that node.
        for node in nodes:
            if isinstance(node, ox.BlankNode):
                found = self.view.select(query, {"this": node})
            else:
                found = self.view.select(prebind(query, str(node)))
            out.extend(builder.results(found, focus=node))
        return out


def run(view: View, plan: Plan, focus: Sequence[Term] | None = None, *,
        progress: Progress | None = None, threads: int = 1) -> list[Result]:
    """The results of every check of the plan (in the order of the checks)."""
    runner = Runner(view, plan, focus)
    checks = plan.checks
    if focus is not None and all(not isinstance(n, ox.BlankNode) for n in focus):
        return runner.run_together(checks)
    total = len(checks)
    results: list[list[Result]] = [[] for _ in checks]
    done = 0
    lock = threading.Lock()

    def one(i: int) -> None:
        nonlocal done
        results[i] = runner.run_check(checks[i])
        with lock:
            done += 1
            if progress:
                progress(checks[i].shape.id, done, total)

    if threads > 1 and total > 1:
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="qagraph-shacl") as pool:
            list(pool.map(one, range(total)))
    else:
        for i in range(total):
            one(i)
    return [r for group in results for r in group]


def validate(view: View, model: ShapesModel, *, focus: Sequence[Term] | None = None,
             progress: Progress | None = None, threads: int = 1,
             classes: Mapping[str, Sequence[str]] | None = None) -> Report:
    """Validate the view's data against the shapes model; the shapes the compiler does
    not support are left to the caller's fallback (listed in the report). `classes` is
    the class hierarchy when the caller knows it (else read from the view)."""
    if classes is None:
        classes = subclasses(view, model.classes())
    plan = plan_for(model, classes)
    report = Report()
    report.results = run(view, plan, focus, progress=progress, threads=threads)
    for shape in plan.shapes():
        report.methods[shape.id] = "compiled"
    for shape, reasons in plan.fallback.items():
        report.methods[shape.id] = "pyshacl"
        report.fallback_reasons[shape.id] = reasons
    for shape, reason in plan.refused.items():
        report.failures.append(f"{shape.id}: {reason}")
    return report
