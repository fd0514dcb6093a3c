"""Does a credential (or one person's award of it) satisfy a requirement on a date?

The answer is yes or no with the path that explains it. Three ways lead to yes:

1. **direct**: the requirement asks for this credential (qa:requiresCredential), or for a
   minimum level (qa:requiresMinimumLevel) that one of the credential's routes reaches,
   compared by qa:rank (1 = strongest). For an award that names its route
   (qa:viaRoute) only that route counts. When the requirement needs identity assurance
   (qa:requiresIdentityAssurance true), routes at level F do not count: F is the level
   without identity verification.
2. **equivalence**: an accepted exactMatch chain leads to a credential that satisfies the
   requirement directly.
3. **recognition**: a qa:Recognition of the credential (or of an exact equivalent) is
   for this requirement (qa:recognisedFor) or treats it as a credential that satisfies the
   requirement directly (qa:recognisedAs), and is valid on the date: the date lies in
   [qa:validFrom, qa:validUntil]. A recognition with a window of issue dates
   (qa:coversAwardsIssuedFrom / Until) covers only awards issued in the window, and a
   covered award stays recognised until it expires, even after qa:validUntil; so such a
   recognition needs the award's issue date (an award IRI, or `issued`).

An award that has expired on the date satisfies nothing; its expiry is qa:expires, or the
issue date plus the credential's qa:validityPeriod.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import isodate
import pyoxigraph as ox

from . import queries
from .equivalence import EXACT, Mapping, Reasoning, Step
from .errors import InputError
from .messages import CATALOGUE
from .store import OxigraphStore

CATALOGUE.update({
    "unknown_credential": {
        "sv": "'{name}' är varken ett kompetensbevis eller ett utfärdat bevis i lagret",
        "en": "'{name}' is neither a credential nor an award in the store",
    },
    "unknown_requirement": {
        "sv": "'{name}' är inget krav i lagret",
        "en": "'{name}' is not a requirement in the store",
    },
    "bad_date": {
        "sv": "'{value}' är inget datum (ÅÅÅÅ-MM-DD)",
        "en": "'{value}' is not a date (YYYY-MM-DD)",
    },
})

REASON_TEXTS = {
    "direct": ("direkt", "direct"),
    "direct-credential": ("kravet gäller just detta kompetensbevis", "the requirement asks for this credential"),
    "direct-level": ("en utfärdandeväg når den krävda nivån", "a route reaches the required level"),
    "equivalence": ("genom en godkänd exakt likvärdighet", "through an accepted exact equivalence"),
    "recognition": ("genom ett erkännande som gäller vid datumet", "through a recognition valid on the date"),
    "requirement-not-in-force": ("kravet gäller inte vid datumet", "the requirement is not in force on the date"),
    "expired": ("beviset har upphört att gälla vid datumet", "the award has expired on the date"),
    "issue-date-needed": ("erkännandet omfattar bevis efter utfärdandedatum; ange utfärdandedatumet",
                          "the recognition covers awards by issue date; give the issue date"),
    "issued-outside-window": ("beviset utfärdades utanför de datum som erkännandet omfattar",
                              "the award was issued outside the dates the recognition covers"),
    "recognition-ended": ("erkännandet hade upphört vid datumet", "the recognition had ended on the date"),
    "recognition-not-yet-valid": ("erkännandet gällde ännu inte vid datumet",
                                  "the recognition was not yet valid on the date"),
    "no-path": ("ingen direkt träff, likvärdighet eller erkännande", "no direct match, equivalence or recognition"),
}
CATALOGUE.update({f"reason_{k}": {"sv": sv, "en": en} for k, (sv, en) in REASON_TEXTS.items()})

F_LEVEL = "https://w3id.org/qagraph/vocab/level/F"


@dataclass(frozen=True)
class Reason:
    """One line of an explanation: a kind and the IRIs it concerns."""

    kind: str  # direct-credential, direct-level, equivalence, recognition, and the "no" kinds
    subject: str = ""
    object: str = ""
    detail: str = ""


@dataclass
class Answer:
    satisfied: bool
    credential: str
    requirement: str
    on: date
    issued: date | None = None
    via: str = ""  # "direct", "equivalence" or "recognition" when satisfied
    path: list[Reason] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "satisfied": self.satisfied,
            "credential": self.credential,
            "requirement": self.requirement,
            "on": self.on.isoformat(),
            "issued": self.issued.isoformat() if self.issued else None,
            "via": self.via or None,
            "path": [r.__dict__ for r in self.path],
            "mappings": [s.__dict__ | {"kind": s.kind} for s in self.steps],
            "notes": [r.__dict__ for r in self.notes],
        }


def parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("bad_date", value=value) from None


def _date(term: object) -> date | None:
    if isinstance(term, ox.Literal):
        try:
            return date.fromisoformat(term.value[:10])
        except ValueError:
            return None
    return None


def _rows(store: OxigraphStore, name: str, var: str, iri: str) -> list[ox.QuerySolution]:
    result = store.query(queries.load(name).text, bindings={var: ox.NamedNode(iri)})
    return list(result)  # type: ignore[arg-type]


@dataclass
class _Requirement:
    iri: str
    credentials: set[str]
    rank: int | None
    identity: bool
    valid_from: date | None
    valid_until: date | None


def _requirement(store: OxigraphStore, iri: str) -> _Requirement:
    rows = _rows(store, "satisfaction-requirement", "requirement", iri)
    if not rows:
        raise InputError("unknown_requirement", name=iri)
    req = _Requirement(iri, set(), None, False, None, None)
    for row in rows:
        if row["credential"] is not None:
            req.credentials.add(row["credential"].value)
        if row["rank"] is not None:
            rank = int(row["rank"].value)
            req.rank = rank if req.rank is None else min(req.rank, rank)
        if row["identity"] is not None and row["identity"].value == "true":
            req.identity = True
        req.valid_from = _date(row["from"]) or req.valid_from
        req.valid_until = _date(row["until"]) or req.valid_until
    return req


class Checker:
    """Answers satisfaction questions; reasoning over mappings is done once and reused."""

    def __init__(self, store: OxigraphStore, reasoning: Reasoning | None = None) -> None:
        """With `reasoning` (over all accepted mappings) every question reuses it; without,
        each question reads only the exactMatch component of its own credential, so that
        one question costs the same however many mappings the store holds."""
        self.store = store
        self._shared = reasoning
        self.reasoning = reasoning if reasoning is not None else Reasoning.build([])

    def _component(self, credential: str) -> Reasoning:
        if self._shared is not None:
            return self._shared
        nodes = [row["node"] for row in _rows(self.store, "exact-component", "c", credential)]
        if len(nodes) < 2:
            return Reasoning.build([])
        mappings = [
            Mapping(row["subject"].value, EXACT, row["object"].value, row["record"].value)
            for node in nodes
            for row in _rows(self.store, "exact-records", "subject", node.value)
        ]
        return Reasoning.build(mappings)

    def routes(self, credential: str) -> list[tuple[str, str, int]]:
        """(route, level, rank) of each route of `credential`."""
        rows = _rows(self.store, "credential-routes", "c", credential)
        return [(r["route"].value, r["level"].value, int(r["rank"].value)) for r in rows]

    def _direct(self, credential: str, req: _Requirement, route: str | None) -> Reason | None:
        if credential in req.credentials:
            return Reason("direct-credential", credential, req.iri)
        if req.rank is not None:
            for r, level, rank in self.routes(credential):
                if route is not None and r != route:
                    continue
                if req.identity and level == F_LEVEL:
                    continue
                if rank <= req.rank:
                    return Reason("direct-level", credential, level, r)
        return None

    def check(self, subject: str, requirement: str, on: date | str | None = None,
              issued: date | str | None = None) -> Answer:
        on_date = parse_date(on) or date.today()
        issued_date = parse_date(issued)
        rows = _rows(self.store, "satisfaction-subject", "subject", subject)
        if not rows:
            raise InputError("unknown_credential", name=subject)
        row = rows[0]
        credential = row["credential"].value
        route = row["route"].value if row["route"] is not None else None
        expires = None
        if row["kind"].value == "award":
            issued_date = _date(row["issued"]) or issued_date
            expires = _date(row["expires"])
        if expires is None and issued_date is not None and row["period"] is not None:
            try:
                expires = issued_date + isodate.parse_duration(row["period"].value)
            except (isodate.ISO8601Error, TypeError):
                expires = None
        req = _requirement(self.store, requirement)
        self.reasoning = self._component(credential)
        answer = Answer(False, subject, requirement, on_date, issued_date)
        if req.valid_from and on_date < req.valid_from or req.valid_until and on_date > req.valid_until:
            answer.notes.append(Reason("requirement-not-in-force", requirement, "",
                                       f"{req.valid_from or ''}..{req.valid_until or ''}"))
            return answer
        if expires is not None and on_date > expires:
            answer.notes.append(Reason("expired", subject, "", expires.isoformat()))
            return answer
        found = self._direct(credential, req, route)
        if found:
            answer.satisfied, answer.via, answer.path = True, "direct", [found]
            return answer
        for other in self.reasoning.exact_equivalents(credential):
            found = self._direct(other, req, None)
            if found:
                answer.satisfied, answer.via = True, "equivalence"
                answer.steps = self.reasoning._exact_path(credential, other)
                answer.path = [Reason("equivalence", credential, other), found]
                return answer
        for candidate in [credential, *self.reasoning.exact_equivalents(credential)]:
            result = self._recognition(candidate, req, on_date, issued_date, answer)
            if result:
                answer.satisfied, answer.via = True, "recognition"
                if candidate != credential:
                    answer.steps = self.reasoning._exact_path(credential, candidate)
                    answer.path = [Reason("equivalence", credential, candidate)]
                answer.path += result
                return answer
        if not answer.notes:
            answer.notes.append(Reason("no-path", credential, requirement))
        return answer

    def _recognition(self, credential: str, req: _Requirement, on: date, issued: date | None,
                     answer: Answer) -> list[Reason] | None:
        for row in _rows(self.store, "satisfaction-recognitions", "credential", credential):
            rec = row["recognition"].value
            target = None
            if row["for"] is not None and row["for"].value == req.iri:
                target = Reason("recognition", credential, rec, "for")
                inner = None
            elif row["as"] is not None:
                inner = self._direct(row["as"].value, req, None)
                if inner is None:
                    continue
                target = Reason("recognition", credential, rec, "as")
            else:
                continue
            vfrom, vuntil = _date(row["from"]), _date(row["until"])
            ifrom, iuntil = _date(row["issuedFrom"]), _date(row["issuedUntil"])
            if vfrom and on < vfrom:
                answer.notes.append(Reason("recognition-not-yet-valid", rec, "", vfrom.isoformat()))
                continue
            if ifrom or iuntil:
                if issued is None:
                    answer.notes.append(Reason("issue-date-needed", rec, "",
                                               f"{ifrom or ''}..{iuntil or ''}"))
                    continue
                if (ifrom and issued < ifrom) or (iuntil and issued > iuntil):
                    answer.notes.append(Reason("issued-outside-window", rec, "",
                                               f"{ifrom or ''}..{iuntil or ''}"))
                    continue
            elif vuntil and on > vuntil:
                answer.notes.append(Reason("recognition-ended", rec, "", vuntil.isoformat()))
                continue
            return [target] + ([inner] if inner else [])
        return None


def satisfies(store: OxigraphStore, subject: str, requirement: str, on: date | str | None = None,
              issued: date | str | None = None) -> Answer:
    """One question; reads only the exactMatch component of the credential."""
    return Checker(store).check(subject, requirement, on, issued)


__all__ = ["Answer", "Checker", "EXACT", "Reason", "satisfies"]
