#!/usr/bin/env python3
"""Deterministic synthetic qagraph data, at any size, for benchmarks and tests.

    python bench/generate.py --triples 1000000 -o out.nt [--violations 0.01]
        [--format nt|ttl] [--awards-per-org 50] [--big-org-awards N] [--seed 1]

The data follows docs/model.md: organisations in small dependency trees, standards,
quality schemes, credentials with one or two issuance routes (one assurance level each,
with the roles the level rules ask for), requirements, recognitions, and - most of the
volume, as in reality - invented persons and their awards, in the example namespace only.

The same arguments give byte-identical output (one seeded `random.Random`, no clock, no
set iteration). The file is written as it is generated, so memory stays small at any size:
only the catalogue (organisations, credentials, routes) is kept, never the awards.

A fraction `--violations` of the routes and of the awards carry a known violation of one
shape each; `OUT.violations.json` lists the focus node and the expected shape id of each,
so a test can check that SHACL validation finds exactly those. The triple count lands
within a few triples of `--triples` (awards fill what the catalogue leaves) and is
printed on standard error.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import IO

GENERATOR_VERSION = 1

QA = "https://w3id.org/qagraph/ontology#"
ID = "https://w3id.org/qagraph/id/"
EXAMPLE = ID + "example/"
SHAPES = "https://w3id.org/qagraph/shapes#"

# Prefixes used in Turtle output (and to expand terms for N-Triples). One prefix per data
# kind keeps local names free of "/", which Turtle would need escaped.
PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "qa": QA,
    "lvl": "https://w3id.org/qagraph/vocab/level/",
    "idv": "https://w3id.org/qagraph/vocab/identity/",
    "rqb": "https://w3id.org/qagraph/vocab/basis/",
    "exm": "https://w3id.org/qagraph/vocab/examination/",
    "sec": "https://w3id.org/qagraph/vocab/sector/",
    "organisation": ID + "organisation/",
    "credential": ID + "credential/",
    "route": ID + "route/",
    "standard": ID + "standard/",
    "scheme": ID + "scheme/",
    "requirement": ID + "requirement/",
    "recognition": ID + "recognition/",
    "person": EXAMPLE + "person/",
    "award": EXAMPLE + "award/",
}

BIG_ORG = ("organisation", "synthetic-big-issuer")
BIG_ORG_IRI = PREFIXES[BIG_ORG[0]] + BIG_ORG[1]

COUNTRIES = ("SE", "SE", "SE", "NO", "DK", "FI", "IS")  # weighted: mostly Swedish
SECTORS = ("FireSafety", "ElectricalSafety", "Construction", "Transport", "Refrigeration",
           "Welding", "WaterInstallation", "Machinery", "Accreditation")
SECTOR_NAMES = {
    "FireSafety": ("brandskydd", "fire safety"),
    "ElectricalSafety": ("elsäkerhet", "electrical safety"),
    "Construction": ("bygg", "construction"),
    "Transport": ("transport", "transport"),
    "Refrigeration": ("kyla", "refrigeration"),
    "Welding": ("svetsning", "welding"),
    "WaterInstallation": ("vatteninstallation", "water installation"),
    "Machinery": ("maskiner", "machinery"),
    "Accreditation": ("ackreditering", "accreditation"),
}
DEPENDENCIES = ("ownedBy", "controlledBy", "subOrganisationOf", "memberOf")
BASES = ("Law", "InsuranceCondition", "Contract", "IndustryPractice", "Purchaser", "LenderCondition")
EXAMINED = ("WrittenTest", "DigitalTest", "PracticalTest", "TheoryAndPractical")
NOT_EXAMINED = ("DocumentReview", "NoExamination")

LEVELS = ("B", "C1", "C2", "D", "E", "F")
LEVEL_WEIGHTS = (10, 20, 20, 20, 20, 10)
# Identity verification methods and their strength (the identity scheme's qa:strength).
IDV = (("None", 0), ("SelfDeclared", 1), ("NameCheck", 2), ("PhotoId", 3), ("ElectronicId", 4))
# The strength an award at each level needs (qa:minimumIdentityVerification); 0 = none.
MIN_IDV = {"B": 3, "C1": 3, "C2": 3, "D": 2, "E": 0, "F": 0}

# Known violations: kind -> expected shape id (shapes/levels.ttl, shapes/structure.ttl).
SHAPE_OF = {
    "b_without_sector_assurer": "qash:BSectorQualityAssurerShape",
    "c1_issuer_depends_on_trainer": "qash:C1IssuerIndependenceShape",
    "c1_without_examiner": "qash:C1ExaminationProviderShape",
    "c2_without_training_relation": "qash:C2IssuerTrainingRelationShape",
    "d_outcomes_not_examined": "qash:ExaminesLearningOutcomesShape",
    "e_without_attendance_control": "qash:AttendanceControlShape",
    "route_identity_too_weak": "qash:RouteIdentityVerificationShape",
    "route_without_issuer": "qash:IssuanceRouteShape",
    "award_expires_before_issue": "qash:AwardExpiryAfterIssueShape",
    "award_identity_too_weak": "qash:AwardIdentityVerificationShape",
    "award_route_of_other_credential": "qash:AwardRouteOfCredentialShape",
    "award_without_awardee": "qash:AwardShape",
}
ROUTE_VIOLATIONS = {
    "B": ("b_without_sector_assurer", "route_identity_too_weak"),
    "C1": ("c1_issuer_depends_on_trainer", "c1_without_examiner", "route_identity_too_weak"),
    "C2": ("c2_without_training_relation", "route_identity_too_weak"),
    "D": ("d_outcomes_not_examined", "route_identity_too_weak"),
    "E": ("e_without_attendance_control",),
    "F": ("route_without_issuer",),
}

MIN_ORGS = 12          # enough dependency trees (of at most 4) for independent C1 roles
AWARD_TRIPLES = 9.5    # an award with its share of a person, for the first estimate
CATALOGUE_PER_ORG = 24.0  # catalogue triples per organisation, for the first estimate
FIRST_DAY = dt.date(2014, 1, 1).toordinal()
LAST_DAY = dt.date(2025, 6, 30).toordinal()


# -- writing ------------------------------------------------------------------------------


class Syntax:
    """Renders terms and subject blocks as N-Triples or as Turtle."""

    def __init__(self, fmt: str) -> None:
        self.turtle = fmt == "ttl"

    def iri(self, prefix: str, local: str) -> str:
        return f"{prefix}:{local}" if self.turtle else f"<{PREFIXES[prefix]}{local}>"

    @staticmethod
    def _quote(text: str) -> str:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    def text(self, value: str, lang: str | None = None) -> str:
        return self._quote(value) + (f"@{lang}" if lang else "")

    def typed(self, value: str, datatype: str) -> str:
        if self.turtle:
            if datatype == "boolean":
                return value
            return f"{self._quote(value)}^^xsd:{datatype}"
        return f"{self._quote(value)}^^<{PREFIXES['xsd']}{datatype}>"

    def prologue(self) -> str:
        if not self.turtle:
            return ""
        lines = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items()]
        return "\n".join(lines) + "\n\n"

    def block(self, subject: str, pairs: Sequence[tuple[str, str]]) -> str:
        if self.turtle:
            body = " ;\n    ".join(f"{p} {o}" for p, o in pairs)
            return f"{subject} {body} .\n\n"
        return "".join(f"{subject} {p} {o} .\n" for p, o in pairs)


class Writer:
    """Streams subject blocks to a file and counts triples."""

    def __init__(self, out: IO[str], syntax: Syntax) -> None:
        self.out = out
        self.syntax = syntax
        self.count = 0
        out.write(syntax.prologue())

    def node(self, subject: str, pairs: Sequence[tuple[str, str]]) -> None:
        if pairs:
            self.out.write(self.syntax.block(subject, pairs))
            self.count += len(pairs)


# -- the catalogue kept in memory ---------------------------------------------------------


@dataclass
class Org:
    index: int
    iri: str
    component: int
    country: str


@dataclass
class Route:
    iri: str
    level: str
    credential: int
    issuer: Org
    big: bool


@dataclass
class Credential:
    index: int
    iri: str
    routes: list[Route] = field(default_factory=list)

    @property
    def needed_strength(self) -> int:
        return max(MIN_IDV[r.level] for r in self.routes)


class Violations:
    """Picks a fixed fraction of items (evenly spread) and records what they violate."""

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction
        self._acc = {"route": 0.5, "award": 0.5}
        self._turn: dict[str, int] = {}
        self.items: list[dict[str, str]] = []

    def due(self, what: str) -> bool:
        if self.fraction <= 0:
            return False
        self._acc[what] += self.fraction
        if self._acc[what] >= 1.0:
            self._acc[what] -= 1.0
            return True
        return False

    def next_kind(self, level: str) -> str:
        """The route violations of a level, taken in turn, so that each kind occurs."""
        kinds = ROUTE_VIOLATIONS[level]
        turn = self._turn.get(level, 0)
        self._turn[level] = turn + 1
        return kinds[turn % len(kinds)]

    def record(self, focus: str, kind: str) -> None:
        self.items.append({"focus": focus, "shape": SHAPE_OF[kind], "kind": kind})


class Generator:
    def __init__(self, args: argparse.Namespace, out: IO[str]) -> None:
        self.args = args
        self.rng = Random(args.seed)
        self.s = Syntax(args.format)
        self.w = Writer(out, self.s)
        self.violations = Violations(args.violations)
        self.orgs: list[Org] = []
        self.components: list[list[Org]] = []
        self.depends: dict[int, int] = {}  # an organisation's root by dependencies other than membership
        self.standards: list[str] = []
        self.schemes: list[str] = []
        self.credentials: list[Credential] = []
        self.requirements: list[str] = []
        self.routes: list[Route] = []
        self.awards = 0
        self.big_awards = 0
        self.persons = 0
        s = self.s
        # Pre-rendered constant terms.
        self.TYPE = "a" if s.turtle else s.iri("rdf", "type")
        self.LABEL = s.iri("rdfs", "label")
        self.COMMENT = s.iri("rdfs", "comment")
        self.q = {name: s.iri("qa", name) for name in _QA_TERMS}
        self.lvl = {name: s.iri("lvl", name) for name in LEVELS}
        self.idv = {name: s.iri("idv", name) for name, _ in IDV}
        self.sec = {name: s.iri("sec", name) for name in SECTORS}
        self.TRUE = s.typed("true", "boolean")
        self.FALSE = s.typed("false", "boolean")
        self.P5Y = s.typed("P5Y", "duration")

    # -- helpers --------------------------------------------------------------------------

    def date(self, ordinal: int) -> str:
        return self.s.typed(dt.date.fromordinal(ordinal).isoformat(), "date")

    def labels(self, sv: str, en: str) -> list[tuple[str, str]]:
        return [(self.LABEL, self.s.text(sv, "sv")), (self.LABEL, self.s.text(en, "en"))]

    def other_component_org(self, *avoid: int) -> Org:
        """A random organisation outside the dependency trees `avoid` (not the big one)."""
        while True:
            org = self.orgs[self.rng.randrange(self.n_regular_orgs)]
            if org.component not in avoid:
                return org

    def same_component_other(self, org: Org) -> Org:
        """Another organisation in `org`'s dependency tree, or `org` itself when alone."""
        members = self.components[org.component]
        others = [m for m in members if m is not org]
        return self.rng.choice(others) if others else org

    def dependent_other(self, org: Org) -> Org:
        """An organisation that `org` is joined to by dependencies (membership is not one):
        drawn like `same_component_other`, else the first such one of its tree, else `org`."""
        chosen = self.same_component_other(org)
        root = self.depends.get(org.index, org.index)
        joined = [m for m in self.components[org.component]
                  if m is not org and self.depends.get(m.index, m.index) == root]
        return chosen if chosen in joined else (joined[0] if joined else org)

    def any_org(self) -> Org:
        return self.orgs[self.rng.randrange(self.n_regular_orgs)]

    # -- catalogue ------------------------------------------------------------------------

    def plan(self) -> int:
        a = self.args
        awards = a.triples / (AWARD_TRIPLES + CATALOGUE_PER_ORG / a.awards_per_org)
        return max(MIN_ORGS, round(awards / a.awards_per_org))

    def organisations(self, n: int) -> None:
        rng, s, q = self.rng, self.s, self.q
        edges: list[tuple[int, str, int]] = []
        i = 0
        while i < n:
            size = min(rng.choice((1, 1, 2, 2, 3, 4)), n - i)
            comp = len(self.components)
            members = []
            for j in range(size):
                org = Org(i + j, s.iri("organisation", f"synthetic-{i + j}"), comp,
                          rng.choice(COUNTRIES))
                members.append(org)
                if j:
                    edges.append((i + j, rng.choice(DEPENDENCIES), i + rng.randrange(j)))
            self.components.append(members)
            self.orgs.extend(members)
            i += size
        self.n_regular_orgs = n
        if self.args.big_org_awards:
            big = Org(n, s.iri(*BIG_ORG), len(self.components), "SE")
            self.components.append([big])
            self.orgs.append(big)
        deps: dict[int, list[tuple[str, str]]] = {}
        for child, prop, parent in edges:
            deps.setdefault(child, []).append((q[prop], self.orgs[parent].iri))
            if prop != "memberOf":  # membership of an association is not a dependency
                self.depends[child] = self.depends.get(parent, parent)
        for org in self.orgs:
            sector = rng.choice(SECTORS)
            if org.iri == s.iri(*BIG_ORG):
                names = ("Syntetisk stor utfärdare", "Synthetic big issuer")
            else:
                names = (f"Syntetisk organisation {org.index}", f"Synthetic organisation {org.index}")
            pairs = [(self.TYPE, q["Organisation"]), *self.labels(*names),
                     (q["country"], s.text(org.country)), (q["sector"], self.sec[sector])]
            pairs.extend(deps.get(org.index, ()))
            self.w.node(org.iri, pairs)

    def standards_and_schemes(self, n_orgs: int) -> None:
        rng, s, q = self.rng, self.s, self.q
        for i in range(max(3, n_orgs // 10)):
            iri = s.iri("standard", f"synthetic-{i}")
            self.standards.append(iri)
            self.w.node(iri, [
                (self.TYPE, q["Standard"]),
                *self.labels(f"Syntetisk standard {i}", f"Synthetic standard {i}"),
                (q["standardId"], s.text(f"SYN {1000 + i}-{rng.randint(1, 3)}")),
                (q["publisher"], self.any_org().iri),
            ])
        for i in range(max(2, n_orgs // 8)):
            iri = s.iri("scheme", f"synthetic-{i}")
            pairs = [
                (self.TYPE, q["QualityScheme"]),
                *self.labels(f"Syntetiskt kvalitetssystem {i}", f"Synthetic quality scheme {i}"),
                (q["schemeOwner"], self.any_org().iri),
                (q["schemeStandard"], rng.choice(self.standards)),
            ]
            if self.schemes and rng.random() < 0.3:
                pairs.append((q["partnerScheme"], rng.choice(self.schemes)))
            self.schemes.append(iri)
            self.w.node(iri, pairs)

    def credential(self, index: int, issuer: Org, big: bool, levels: Sequence[str]) -> None:
        rng, s, q = self.rng, self.s, self.q
        cred = Credential(index, s.iri("credential", f"synthetic-{index}"))
        sector = rng.choice(SECTORS)
        sv, en = SECTOR_NAMES[sector]
        route_pairs: list[tuple[str, list[tuple[str, str]]]] = []
        for n, level in enumerate(levels):
            # A second route is often run by another issuer (e.g. a partner body).
            route_issuer = issuer if n == 0 or big or rng.random() < 0.5 else self.any_org()
            route = Route(s.iri("route", f"synthetic-{len(self.routes)}"), level, index,
                          route_issuer, big)
            self.routes.append(route)
            cred.routes.append(route)
            route_pairs.append((route.iri, self.route_description(route)))
        self.credentials.append(cred)
        self.w.node(cred.iri, [
            (self.TYPE, q["Credential"]),
            *self.labels(f"Syntetiskt certifikat {index} ({sv})",
                         f"Synthetic certificate {index} ({en})"),
            (q["validityPeriod"], self.P5Y),
            (q["basedOnStandard"], rng.choice(self.standards)),
            (q["inScheme"], rng.choice(self.schemes)),
            (q["country"], s.text(issuer.country)),
            (q["sector"], self.sec[sector]),
            *[(q["hasRoute"], r.iri) for r in cred.routes],
        ])
        for iri, pairs in route_pairs:
            self.w.node(iri, pairs)

    def route_description(self, route: Route) -> list[tuple[str, str]]:
        """The route's triples: valid for its level, or with one known violation."""
        rng, s, q = self.rng, self.s, self.q
        level, issuer = route.level, route.issuer
        kind = self.violations.next_kind(level) if self.violations.due("route") else None
        if kind:
            self.violations.record(_expand(route.iri), kind)
        pairs = [(self.TYPE, q["IssuanceRoute"]), (q["assuranceLevel"], self.lvl[level])]
        if kind != "route_without_issuer":
            pairs.append((q["issuer"], issuer.iri))
        if level == "B":
            pairs.append((q["trainingProvider"], self.any_org().iri))
            if kind != "b_without_sector_assurer":
                pairs.append((q["sectorQualityAssurer"], self.any_org().iri))
        elif level == "C1":
            # Issuer, examiner and trainer from three different dependency trees, so no
            # dependency path joins issuer or examiner to the trainer.
            examiner = self.other_component_org(issuer.component)
            if kind == "c1_issuer_depends_on_trainer":
                trainer = self.dependent_other(issuer)
            else:
                trainer = self.other_component_org(issuer.component, examiner.component)
            pairs.append((q["trainingProvider"], trainer.iri))
            if kind != "c1_without_examiner":
                pairs.append((q["examinationProvider"], examiner.iri))
            if rng.random() < 0.5:
                pairs.append((q["accreditationBody"], self.any_org().iri))
        elif level == "C2":
            trainer = issuer if rng.random() < 0.5 else self.same_component_other(issuer)
            pairs.append((q["trainingProvider"], trainer.iri))
            if kind != "c2_without_training_relation":
                pairs.append((q["issuerTrainingRelation"], s.text(
                    "Utfärdaren äger utbildningsanordnaren.", "sv")))
                pairs.append((q["issuerTrainingRelation"], s.text(
                    "The issuer owns the training provider.", "en")))
        elif level == "D":
            pairs.append((q["trainingProvider"], self.any_org().iri))
        elif level == "E":
            pairs.append((q["trainingProvider"], issuer.iri))
        examined = level in ("B", "C1", "C2", "D") and kind != "d_outcomes_not_examined"
        method = rng.choice(EXAMINED if examined else NOT_EXAMINED)
        pairs.append((q["examinationMethod"], s.iri("exm", method)))
        pairs.append((q["examinesLearningOutcomes"], self.TRUE if examined else self.FALSE))
        controlled = level != "F" and kind != "e_without_attendance_control"
        pairs.append((q["attendanceControl"], self.TRUE if controlled else self.FALSE))
        needed = MIN_IDV[level]
        if kind == "route_identity_too_weak":
            required = rng.choice([n for n, strength in IDV if strength < needed])
        else:
            required = rng.choice([n for n, strength in IDV if strength >= needed])
        pairs.append((q["requiredIdentityVerification"], self.idv[required]))
        return pairs

    def credentials_and_routes(self, n_orgs: int) -> None:
        rng = self.rng
        for i in range(max(6, round(0.6 * n_orgs))):
            first = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
            levels = [first]
            if rng.random() < 0.3:
                second = rng.choices(LEVELS, LEVEL_WEIGHTS)[0]
                if second != first:
                    levels.append(second)
            self.credential(i, self.any_org(), False, levels)
        self.n_regular_credentials = len(self.credentials)
        if self.args.big_org_awards:
            big = self.orgs[-1]
            for levels in (("C1",), ("D", "E"), ("E",)):
                self.credential(len(self.credentials), big, True, levels)

    def requirements_and_recognitions(self, n_orgs: int) -> None:
        rng, s, q = self.rng, self.s, self.q
        creds = self.credentials
        for i in range(max(2, n_orgs // 4)):
            iri = s.iri("requirement", f"synthetic-{i}")
            self.requirements.append(iri)
            pairs = [
                (self.TYPE, q["Requirement"]),
                *self.labels(f"Syntetiskt krav {i}", f"Synthetic requirement {i}"),
                (q["requirementBasis"], s.iri("rqb", rng.choice(BASES))),
                (q["setBy"], self.any_org().iri),
            ]
            if rng.random() < 0.6:
                pairs.append((q["requiresCredential"], rng.choice(creds).iri))
            else:
                pairs.append((q["requiresMinimumLevel"], self.lvl[rng.choice(LEVELS[:5])]))
            if rng.random() < 0.3:
                pairs.append((q["requiresIdentityAssurance"], self.TRUE))
            self.w.node(iri, pairs)
        for i in range(max(2, n_orgs // 4)):
            iri = s.iri("recognition", f"synthetic-{i}")
            cred = rng.choice(creds)
            start = rng.randint(FIRST_DAY, LAST_DAY - 800)
            pairs = [
                (self.TYPE, q["Recognition"]),
                (q["recognisedBy"], self.any_org().iri),
                (q["recognisedCredential"], cred.iri),
            ]
            if rng.random() < 0.5:
                pairs.append((q["recognisedFor"], rng.choice(self.requirements)))
            else:
                other = rng.choice(creds)
                while other is cred:
                    other = rng.choice(creds)
                pairs.append((q["recognisedAs"], other.iri))
            pairs += [
                (q["validFrom"], self.date(start)),
                (q["validUntil"], self.date(start + rng.randint(365, 3 * 365))),
                (q["coversAwardsIssuedFrom"], self.date(start - rng.randint(0, 5 * 365))),
                (q["coversAwardsIssuedUntil"], self.date(start + rng.randint(0, 365))),
            ]
            if rng.random() < 0.2:
                pairs.append((q["condition"], s.text("Bevis i bestyrkt översättning.", "sv")))
                pairs.append((q["condition"], s.text("Award shown in a certified translation.", "en")))
            self.w.node(iri, pairs)

    # -- persons and awards ---------------------------------------------------------------

    def award_routes(self) -> tuple[list[Route], list[float], list[Route]]:
        """Regular routes with skewed cumulative weights (some credentials are popular),
        and the big organisation's routes."""
        regular = [r for r in self.routes if not r.big]
        order = list(range(len(regular)))
        self.rng.shuffle(order)
        weights = [0.0] * len(regular)
        for rank, pos in enumerate(order):
            weights[pos] = 1.0 / (rank + 1) ** 0.8
        cumulative, total = [], 0.0
        for w in weights:
            total += w
            cumulative.append(total)
        return regular, cumulative, [r for r in self.routes if r.big]

    def person(self, index: int) -> str:
        iri = self.s.iri("person", f"synthetic-{index}")
        self.w.node(iri, [
            (self.TYPE, self.q["Person"]),
            (self.LABEL, self.s.text(f"Exempelperson {index}")),
            (self.COMMENT, self.s.text("Påhittad exempelperson", "sv")),
            (self.COMMENT, self.s.text("Invented example person", "en")),
        ])
        return iri

    def award(self, person: str, route: Route) -> None:
        rng, s, q = self.rng, self.s, self.q
        iri = s.iri("award", f"synthetic-{self.awards}")
        self.awards += 1
        cred = self.credentials[route.credential]
        kind = None
        if self.violations.due("award"):
            kinds = ["award_expires_before_issue", "award_route_of_other_credential",
                     "award_without_awardee"]
            if MIN_IDV[route.level] > 0:
                kinds.append("award_identity_too_weak")
            kind = rng.choice(kinds)
            self.violations.record(_expand(iri), kind)
        issued = rng.randint(FIRST_DAY, LAST_DAY)
        via: Route | None = route if kind or rng.random() < 0.9 else None
        if kind == "award_route_of_other_credential":
            via = self.routes[rng.randrange(len(self.routes))]
            while via.credential == route.credential:
                via = self.routes[rng.randrange(len(self.routes))]
        needed = MIN_IDV[route.level] if via is not None else cred.needed_strength
        if kind == "award_route_of_other_credential":
            method = "ElectronicId"  # strong enough for whatever level the foreign route has
        elif kind == "award_identity_too_weak":
            method = rng.choice([n for n, strength in IDV if strength < needed])
        else:
            method = rng.choice([n for n, strength in IDV if strength >= needed])
        if kind == "award_expires_before_issue":
            expires = dt.date.fromordinal(issued - rng.randint(1, 365))
        else:
            expires = _plus_years(dt.date.fromordinal(issued), 5)
        pairs = [(self.TYPE, q["Award"])]
        if kind != "award_without_awardee":
            pairs.append((q["awardee"], person))
        pairs.append((q["awardedCredential"], cred.iri))
        if via is not None:
            pairs.append((q["viaRoute"], via.iri))
        pairs += [
            (q["awardedBy"], route.issuer.iri),
            (q["issued"], self.date(issued)),
            (q["expires"], s.typed(expires.isoformat(), "date")),
            (q["identityVerification"], self.idv[method]),
        ]
        self.w.node(iri, pairs)

    def persons_and_awards(self) -> None:
        rng, w = self.rng, self.w
        target = self.args.triples
        big_left = self.args.big_org_awards
        regular, cumulative, big_routes = self.award_routes()
        total_weight = cumulative[-1]
        while True:
            if not big_left and w.count + 4 + 4 > target:
                break  # a person and one award would overshoot by more than half an award
            person = self.person(self.persons)
            self.persons += 1
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3, 3, 4, 5))):
                if big_left:
                    route = big_routes[rng.randrange(len(big_routes))]
                    big_left -= 1
                    self.big_awards += 1
                else:
                    if w.count + 4 > target:
                        break
                    pick = bisect.bisect_left(cumulative, rng.random() * total_weight)
                    route = regular[min(pick, len(regular) - 1)]
                self.award(person, route)

    def run(self) -> None:
        n_orgs = self.plan()
        self.organisations(n_orgs)
        self.standards_and_schemes(n_orgs)
        self.credentials_and_routes(n_orgs)
        self.requirements_and_recognitions(n_orgs)
        self.catalogue_triples = self.w.count
        self.persons_and_awards()


_QA_TERMS = (
    "Organisation", "Credential", "IssuanceRoute", "QualityScheme", "Standard", "Requirement",
    "Recognition", "Person", "Award", "country", "sector", "ownedBy", "controlledBy",
    "subOrganisationOf", "memberOf", "standardId", "publisher", "schemeOwner", "schemeStandard",
    "partnerScheme", "validityPeriod", "basedOnStandard", "inScheme", "hasRoute",
    "assuranceLevel", "issuer", "trainingProvider", "examinationProvider",
    "sectorQualityAssurer", "accreditationBody", "issuerTrainingRelation", "examinationMethod",
    "examinesLearningOutcomes", "attendanceControl", "requiredIdentityVerification",
    "requirementBasis", "setBy", "requiresCredential", "requiresMinimumLevel",
    "requiresIdentityAssurance", "recognisedBy", "recognisedCredential", "recognisedFor",
    "recognisedAs", "validFrom", "validUntil", "coversAwardsIssuedFrom",
    "coversAwardsIssuedUntil", "condition", "awardee", "awardedCredential", "viaRoute",
    "awardedBy", "issued", "expires", "identityVerification",
)


def _expand(term: str) -> str:
    """The full IRI of a rendered IRI term (prefixed name or <iri>)."""
    if term.startswith("<"):
        return term[1:-1]
    prefix, local = term.split(":", 1)
    return PREFIXES[prefix] + local


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def sidecar_path(output: Path) -> Path:
    return output.with_name(output.name + ".violations.json")


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write deterministic synthetic qagraph data (same arguments, same bytes).")
    parser.add_argument("--triples", type=int, default=1_000_000,
                        help="approximate number of triples (default 1000000)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    parser.add_argument("--format", choices=("nt", "ttl"), default=None,
                        help="nt or ttl (default: from the file extension, else nt)")
    parser.add_argument("--violations", type=float, default=0.0,
                        help="fraction of routes and of awards with a known violation (default 0)")
    parser.add_argument("--awards-per-org", type=int, default=50,
                        help="awards per organisation: sets the size of the catalogue (default 50)")
    parser.add_argument("--big-org-awards", type=int, default=0,
                        help=f"make one organisation ({BIG_ORG_IRI}) the awarding body of "
                             "exactly this many awards")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    if args.format is None:
        args.format = "ttl" if args.output.suffix == ".ttl" else "nt"
    if not 0.0 <= args.violations <= 1.0:
        parser.error("--violations must be between 0 and 1")
    if args.triples < 1 or args.awards_per_org < 1 or args.big_org_awards < 0:
        parser.error("--triples and --awards-per-org must be positive, --big-org-awards >= 0")
    return args


def generate(args: argparse.Namespace) -> Generator:
    """Write the data file and its violations sidecar; return the finished generator."""
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        gen = Generator(args, out)
        gen.run()
    sidecar = {
        "generator": "bench/generate.py",
        "version": GENERATOR_VERSION,
        "arguments": {
            "triples": args.triples, "format": args.format, "violations": args.violations,
            "awards_per_org": args.awards_per_org, "big_org_awards": args.big_org_awards,
            "seed": args.seed,
        },
        "triples": gen.w.count,
        "big_organisation": BIG_ORG_IRI if args.big_org_awards else None,
        "counts": {
            "organisations": len(gen.orgs), "credentials": len(gen.credentials),
            "routes": len(gen.routes), "persons": gen.persons, "awards": gen.awards,
        },
        "violations": gen.violations.items,
    }
    with sidecar_path(args.output).open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(sidecar, handle, indent=1, ensure_ascii=False)
        handle.write("\n")
    return gen


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    gen = generate(args)
    err = sys.stderr
    print(f"triples: {gen.w.count} (target {args.triples}, "
          f"{100.0 * (gen.w.count - args.triples) / args.triples:+.2f}%)", file=err)
    print(f"organisations {len(gen.orgs)}, credentials {len(gen.credentials)}, "
          f"routes {len(gen.routes)}, persons {gen.persons}, awards {gen.awards}", file=err)
    print(f"violations: {len(gen.violations.items)} -> {sidecar_path(args.output)}", file=err)
    if args.big_org_awards:
        print(f"big organisation: {BIG_ORG_IRI} awards {gen.big_awards}", file=err)
    if abs(gen.w.count - args.triples) > 0.01 * args.triples:
        print("warning: more than 1% off the target (the catalogue or the big "
              "organisation's awards alone exceed it)", file=err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
