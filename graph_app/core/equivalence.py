"""Reasoning over accepted equivalence mappings between credentials (networkx).

Rules (SKOS mapping properties, as the SSSOM chaining rules read them):

* exactMatch is symmetric and transitive: its connected components are classes of
  equivalent credentials; exact∘exact = exact.
* ``a broadMatch b`` says b is broader than a; ``a narrowMatch b`` is ``b broadMatch a``.
  exact∘broad = broad and broad∘broad = broad: broader-than runs between exact
  components, and every member of a component reached by broader-than steps is broader.
* closeMatch and relatedMatch do not chain: they are kept as direct mappings only.

Conflicts, each with the path of mappings that shows it:

* ``level``: an exact chain joins credentials whose assurance levels differ. A
  credential's level is the *set* of its routes' levels (qa:hasRoute / qa:assuranceLevel);
  two credentials are level-equal only when the sets are equal, because an exact match
  says a holder of either has the same assurance, whichever route they took. Credentials
  with no route level are not compared.
* ``negation``: the accepted mappings entail a statement that a ``Not`` mapping denies
  (exact for Not exactMatch; exact or a direct closeMatch for Not closeMatch; a broader
  chain for Not broadMatch / narrowMatch; a direct relatedMatch for Not relatedMatch).
* ``cycle``: broader-than steps lead back to where they started (also through exact
  matches), so a credential would be strictly broader than itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import networkx as nx
import pyoxigraph as ox

from . import queries
from .namespaces import CST, SKOS
from .store import Store

EXACT = SKOS + "exactMatch"
CLOSE = SKOS + "closeMatch"
BROAD = SKOS + "broadMatch"
NARROW = SKOS + "narrowMatch"
RELATED = SKOS + "relatedMatch"
# the curation status under which a curated record counts (other statuses never do)
ACCEPTED = ox.NamedNode(CST + "accepted")
KINDS = {EXACT: "exact", CLOSE: "close", BROAD: "broad", NARROW: "narrow", RELATED: "related"}
INVERSE = {EXACT: EXACT, CLOSE: CLOSE, BROAD: NARROW, NARROW: BROAD, RELATED: RELATED}


@dataclass(frozen=True)
class Mapping:
    """One accepted mapping record: subject predicate object, maybe negated."""

    subject: str
    predicate: str
    object: str
    record: str = ""
    negated: bool = False

    @property
    def kind(self) -> str:
        return KINDS[self.predicate]


@dataclass(frozen=True)
class Step:
    """One step of an explanation path: `subject` `predicate` `object`, from `record`."""

    subject: str
    predicate: str
    object: str
    record: str

    @property
    def kind(self) -> str:
        return KINDS.get(self.predicate, self.predicate)


@dataclass(frozen=True)
class Equivalent:
    """A credential related to another, directly or implied through a chain."""

    credential: str
    predicate: str
    implied: bool
    path: tuple[Step, ...]

    @property
    def kind(self) -> str:
        return KINDS[self.predicate]


@dataclass(frozen=True)
class Conflict:
    rule: str  # "level", "negation" or "cycle"
    credentials: tuple[str, ...]
    path: tuple[Step, ...]
    detail: str = ""


@dataclass
class Reasoning:
    """The result of reasoning over one set of accepted mappings."""

    mappings: list[Mapping]
    levels: dict[str, frozenset[str]]
    exact: nx.Graph = field(default_factory=nx.Graph)
    broader: nx.DiGraph = field(default_factory=nx.DiGraph)
    component_of: dict[str, int] = field(default_factory=dict)
    components: list[set[str]] = field(default_factory=list)
    condensed: nx.DiGraph = field(default_factory=nx.DiGraph)
    direct: dict[str, list[Mapping]] = field(default_factory=lambda: defaultdict(list))
    conflicts: list[Conflict] = field(default_factory=list)

    # -- building ------------------------------------------------------------------

    @classmethod
    def build(cls, mappings: Iterable[Mapping], levels: dict[str, frozenset[str]] | None = None) -> Reasoning:
        r = cls(mappings=list(mappings), levels=levels or {})
        negations: list[Mapping] = []
        exact_edges = []
        broad_edges = []
        direct = r.direct
        for m in r.mappings:
            if m.negated:
                negations.append(m)
                continue
            direct[m.subject].append(m)
            direct[m.object].append(m)
            if m.predicate == EXACT:
                exact_edges.append((m.subject, m.object, {"record": m.record, "s": m.subject}))
            elif m.predicate == BROAD:
                broad_edges.append((m.subject, m.object, {"m": m}))
            elif m.predicate == NARROW:
                broad_edges.append((m.object, m.subject, {"m": m}))
        # bulk insertion: networkx adds edges from a list much faster than one by one
        r.exact.add_edges_from(exact_edges)
        r.broader.add_edges_from(broad_edges)
        r.exact.add_nodes_from(r.broader.nodes)
        component_of = r.component_of
        for index, members in enumerate(nx.connected_components(r.exact)):
            r.components.append(members)
            component_of.update(dict.fromkeys(members, index))
        r.condensed.add_nodes_from(range(len(r.components)))
        r.condensed.add_edges_from(
            (component_of[low], component_of[high], {"edge": (low, high)}) for low, high in r.broader.edges
        )
        r.conflicts = r._level_conflicts() + r._cycle_conflicts() + r._negation_conflicts(negations)
        return r

    # -- paths ---------------------------------------------------------------------

    def _exact_path(self, a: str, b: str) -> list[Step]:
        nodes = nx.shortest_path(self.exact, a, b)
        steps = []
        for x, y in zip(nodes, nodes[1:], strict=False):
            data = self.exact.edges[x, y]
            s, o = (x, y) if data["s"] == x else (y, x)
            steps.append(Step(s, EXACT, o, data["record"]))
        return steps

    def _broad_step(self, low: str, high: str) -> Step:
        m: Mapping = self.broader.edges[low, high]["m"]
        return Step(m.subject, m.predicate, m.object, m.record)

    def _broader_path(self, a: str, b: str) -> list[Step] | None:
        """Steps showing that b is broader than a (exact steps inside components)."""
        ca, cb = self.component_of.get(a), self.component_of.get(b)
        if ca is None or cb is None:
            return None
        try:
            comps = nx.shortest_path(self.condensed, ca, cb) if ca != cb else None
        except nx.NetworkXNoPath:
            return None
        if comps is None:
            return None
        steps: list[Step] = []
        here = a
        for x, y in zip(comps, comps[1:], strict=False):
            low, high = self.condensed.edges[x, y]["edge"]
            if here != low:
                steps += self._exact_path(here, low)
            steps.append(self._broad_step(low, high))
            here = high
        if here != b:
            steps += self._exact_path(here, b)
        return steps

    # -- conflicts -----------------------------------------------------------------

    def _level_conflicts(self) -> list[Conflict]:
        out = []
        for members in self.components:
            if len(members) < 2:
                continue
            by_levels: dict[frozenset[str], str] = {}
            for node in sorted(members):
                lv = self.levels.get(node)
                if lv:
                    by_levels.setdefault(lv, node)
            if len(by_levels) < 2:
                continue
            groups = sorted(by_levels.items(), key=lambda kv: sorted(kv[0]))
            # every pair of different levels, not only against the first: in a chain
            # B = C2 = D, C2 = D is a conflict of its own
            for (levels_a, a), (levels_b, b) in combinations(groups, 2):
                detail = f"{'/'.join(sorted(levels_a))} ≠ {'/'.join(sorted(levels_b))}"
                out.append(Conflict("level", (a, b), tuple(self._exact_path(a, b)), detail))
        return out

    def _cycle_conflicts(self) -> list[Conflict]:
        out = []
        for scc in nx.strongly_connected_components(self.condensed):
            comp = next(iter(scc))
            if len(scc) == 1 and not self.condensed.has_edge(comp, comp):
                continue
            cycle = nx.find_cycle(self.condensed.subgraph(scc), source=comp)
            steps: list[Step] = []
            start = self.condensed.edges[cycle[0][0], cycle[0][1]]["edge"][0]
            here = start
            for x, y in cycle:
                low, high = self.condensed.edges[x, y]["edge"]
                if here != low:
                    steps += self._exact_path(here, low)
                steps.append(self._broad_step(low, high))
                here = high
            if here != start:
                steps += self._exact_path(here, start)
            creds = tuple(sorted({s.subject for s in steps} | {s.object for s in steps}))
            out.append(Conflict("cycle", creds, tuple(steps)))
        return out

    def _negation_conflicts(self, negations: Sequence[Mapping]) -> list[Conflict]:
        out = []
        for n in negations:
            path = self.entailment(n.subject, n.predicate, n.object)
            if path is not None:
                denial = Step(n.subject, n.predicate, n.object, n.record)
                out.append(Conflict("negation", (n.subject, n.object), (denial, *path)))
        return out

    # -- questions -----------------------------------------------------------------

    def same_component(self, a: str, b: str) -> bool:
        ca = self.component_of.get(a)
        return ca is not None and ca == self.component_of.get(b)

    def entailment(self, a: str, predicate: str, b: str) -> list[Step] | None:
        """The path of accepted mappings that entails `a predicate b`, or None."""
        if predicate == EXACT or predicate == CLOSE:
            if a != b and self.same_component(a, b):
                return self._exact_path(a, b)
            if predicate == CLOSE:
                for m in self.direct.get(a, ()):
                    if m.predicate == CLOSE and {m.subject, m.object} == {a, b}:
                        return [Step(m.subject, m.predicate, m.object, m.record)]
            return None
        if predicate == BROAD:
            return self._broader_path(a, b)
        if predicate == NARROW:
            return self._broader_path(b, a)
        for m in self.direct.get(a, ()):
            if m.predicate == RELATED and {m.subject, m.object} == {a, b}:
                return [Step(m.subject, m.predicate, m.object, m.record)]
        return None

    def exact_equivalents(self, credential: str) -> list[str]:
        comp = self.component_of.get(credential)
        if comp is None:
            return []
        return sorted(self.components[comp] - {credential})

    def equivalents(self, credential: str) -> list[Equivalent]:
        """Direct mappings of `credential` (seen from it) and the mappings chains imply."""
        out: list[Equivalent] = []
        seen: set[tuple[str, str]] = set()
        for m in self.direct.get(credential, ()):
            if m.subject == credential:
                other, pred = m.object, m.predicate
            else:
                other, pred = m.subject, INVERSE[m.predicate]
            seen.add((other, pred))
            out.append(Equivalent(other, pred, False, (Step(m.subject, m.predicate, m.object, m.record),)))
        for other in self.exact_equivalents(credential):
            if (other, EXACT) not in seen:
                seen.add((other, EXACT))
                out.append(Equivalent(other, EXACT, True, tuple(self._exact_path(credential, other))))
        comp = self.component_of.get(credential)
        if comp is not None:
            for pred, reach in ((BROAD, nx.descendants), (NARROW, nx.ancestors)):
                for target in sorted(reach(self.condensed, comp)):
                    for other in sorted(self.components[target]):
                        if (other, pred) in seen or other == credential:
                            continue
                        seen.add((other, pred))
                        path = self.entailment(credential, pred, other) or []
                        out.append(Equivalent(other, pred, True, tuple(path)))
        return sorted(out, key=lambda e: (e.implied, e.kind, e.credential))

    def implied_count(self) -> int:
        """How many mappings the chains imply beyond the direct ones (both directions
        of broad/narrow counted once, as broad)."""
        exact_pairs = sum(len(c) * (len(c) - 1) // 2 for c in self.components)
        direct_exact = self.exact.number_of_edges()
        sizes = [len(c) for c in self.components]
        broad_pairs = 0
        for comp in self.condensed.nodes:
            above = nx.descendants(self.condensed, comp)
            broad_pairs += sizes[comp] * sum(sizes[c] for c in above)
        return (exact_pairs - direct_exact) + max(0, broad_pairs - self.broader.number_of_edges())

    def conflicts_for(self, credential: str) -> list[Conflict]:
        return [
            c for c in self.conflicts
            if credential in c.credentials
            or any(credential in (s.subject, s.object) for s in c.path)
        ]


# -- reading from the store -----------------------------------------------------------


def accepted_mappings(store: Store) -> list[Mapping]:
    """Every accepted mapping record in the store (imported sets and accepted curation)."""
    negated: set[str] = set()
    not_accepted: set[str] = set()
    for record, modifier, status in store.query(queries.load("mappings-qualifiers").text):  # type: ignore[union-attr]
        if modifier is not None:
            negated.add(record.value)
        if status is not None and status != ACCEPTED:
            not_accepted.add(record.value)
    out = []
    for record, s, p, o in store.query(queries.load("mappings-accepted").text):  # type: ignore[union-attr]
        if p.value not in KINDS or record.value in not_accepted:
            continue
        if not isinstance(s, ox.NamedNode) or not isinstance(o, ox.NamedNode):
            continue
        out.append(Mapping(s.value, p.value, o.value, record.value, record.value in negated))
    return out


def unmanaged_mappings(store: Store) -> list[Mapping]:
    """SKOS mapping triples between credentials that no SSSOM record annotates (loaded as
    plain RDF). Their record is "" ."""
    result = store.query(queries.load("mappings-unmanaged").text)
    assert isinstance(result, ox.QuerySolutions)
    return [Mapping(row["s"].value, row["p"].value, row["o"].value, "")
            for row in result if row["p"].value in KINDS]


def credential_levels(store: Store) -> dict[str, frozenset[str]]:
    """Credential IRI -> the notations (or IRIs) of its routes' assurance levels."""
    levels: dict[str, set[str]] = defaultdict(set)
    for row in store.query(queries.load("credential-levels").text):  # type: ignore[union-attr]
        notation = row["notation"]
        levels[row["credential"].value].add(notation.value if notation is not None else row["level"].value)
    return {k: frozenset(v) for k, v in levels.items()}


def reason(store: Store, include_unmanaged: bool = False) -> Reasoning:
    """Reason over the accepted mappings in `store`; with `include_unmanaged`, also over
    plain SKOS mapping triples that have no SSSOM record (what `qagraph map check` checks,
    while answers count only recorded, accepted mappings)."""
    mappings = accepted_mappings(store)
    if include_unmanaged:
        mappings += unmanaged_mappings(store)
    return Reasoning.build(mappings, credential_levels(store))


# -- crosswalk ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell of a crosswalk: the mapping kind from the row credential to the column
    credential (empty when none), whether chains imply it, and whether it is a Not."""

    kind: str = ""
    implied: bool = False
    negated: bool = False


def side_credentials(store: Store, side: str) -> list[str]:
    """The credentials of one side: a two-letter country code, or a scheme (IRI or the
    last segment of its IRI)."""
    out: set[str] = set()
    for row in store.query(queries.load("crosswalk-credentials").text):  # type: ignore[union-attr]
        credential, scheme, country = row["credential"], row["scheme"], row["country"]
        if len(side) == 2 and country is not None and country.value.upper() == side.upper():
            out.add(credential.value)
        elif scheme is not None and side and (scheme.value == side or scheme.value.rsplit("/", 1)[-1] == side):
            out.add(credential.value)
    return sorted(out)


def crosswalk_cell(reasoning: Reasoning, a: str, b: str) -> Cell:
    for m in reasoning.direct.get(a, ()):
        if {m.subject, m.object} == {a, b}:
            pred = m.predicate if m.subject == a else INVERSE[m.predicate]
            return Cell(KINDS[pred])
    for pred in (EXACT, BROAD, NARROW):
        if a != b and reasoning.entailment(a, pred, b) is not None:
            return Cell(KINDS[pred], implied=True)
    for m in reasoning.mappings:
        if m.negated and {m.subject, m.object} == {a, b}:
            pred = m.predicate if m.subject == a else INVERSE[m.predicate]
            return Cell(KINDS[pred], negated=True)
    return Cell()


def crosswalk(store: Store, reasoning: Reasoning, a: str, b: str) -> tuple[list[str], list[str], list[list[Cell]]]:
    """Rows (side a), columns (side b) and the matrix of cells between them."""
    rows, cols = side_credentials(store, a), side_credentials(store, b)
    return rows, cols, [[crosswalk_cell(reasoning, r, c) for c in cols] for r in rows]
