"""Does a credential (or one person's award of it) satisfy a requirement on a date?

The answer has four values (`Answer.value`):

* ``yes``: it does;
* ``conditional``: it does on conditions (an induction, a language test, …) that the
  recognition or the requirement sets, listed with their kinds and texts;
* ``no``: it does not, with the reason;
* ``unknown``: the data cannot tell without more input (the issue date, the award's
  identity verification, or the route it was issued through), listed in `Answer.missing`
  with the bounds that would make it yes.

Ways to yes, in order of precedence (docs/decisions/0009-recognition-before-equivalence.md):

1. **direct**: the requirement asks for this credential (qa:requiresCredential), or for a
   minimum level (qa:requiresMinimumLevel, compared by qa:rank) that its route reaches.
2. **recognition**: a recognition of the credential by the requirement's jurisdiction (for
   the requirement, or by its setter or an organisation of its country) decides, with its
   dates, its window of issue dates and its conditions. Where such a decision exists, no
   equivalence mapping is consulted: an equivalence has no dates and no conditions and
   cannot override what the jurisdiction decided.
3. **equivalence**: only where the jurisdiction has not decided on the credential, an
   accepted exactMatch chain leads to a credential that satisfies the requirement
   directly, or that the jurisdiction recognises (the path then names both).

On every path the holder's side is checked too: the award must not have expired (its
qa:expires, or the issue date plus the credential's validity, in the requirement's country
where that differs), must not be older than the requirement's qa:maximumAge, and its
identity verification must be at least as strong (qa:strength) as the requirement's
minimum; for a credential asked about without an award, the identity verification its
routes require is compared instead. Both methods are named in the answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import isodate
import pyoxigraph as ox

from . import queries
from .derived import PerState
from .equivalence import EXACT, Mapping, Reasoning, Step
from .errors import InputError
from .namespaces import CND, IDV
from .store import Store
from .terms import literal_date as _date
from .terms import value_of as _value

YES, CONDITIONAL, UNKNOWN, NO = "yes", "conditional", "unknown", "no"
# from worst to best: an answer is as good as its weakest part
ORDER = {NO: 0, UNKNOWN: 1, CONDITIONAL: 2, YES: 3}

# The deprecated boolean qa:requiresIdentityAssurance reads as this minimum: the weakest
# method in which someone other than the holder checks the identity (docs/model.md).
LEGACY_IDENTITY_MINIMUM = IDV + "NameCheck"
OTHER_CONDITION = CND + "Other"


@dataclass(frozen=True)
class Reason:
    """One step of an explanation: a kind and the IRIs and dates it concerns.

    `kind` names its sentence, the message `step_<kind>` (direct-credential, recognition,
    equivalence, identity-weaker, …); `detail` holds dates as ISO text where the kind has
    them ("2023-06-30", or a window "2021-01-01..2023-06-30")."""

    kind: str
    subject: str = ""
    object: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Condition:
    """A condition that a recognition or the requirement sets: its kind (a concept of
    cnd:ConditionKinds) and its text by language."""

    kind: str
    texts: tuple[tuple[str, str], ...]
    source: str  # the recognition or requirement that sets it
    iri: str = ""  # the qa:Condition node ("" for the deprecated free text)

    def text(self, lang: str) -> str:
        by_lang = dict(self.texts)
        for key in (lang, "sv", "en", ""):
            if key in by_lang:
                return by_lang[key]
        return next(iter(by_lang.values()), "")


@dataclass(frozen=True)
class Missing:
    """An input without which the answer cannot be given.

    `name` is "issued" (the award's issue date; `earliest`/`latest` bound the dates that
    would count), "identity" (how the holder's identity was verified), or "route" (which
    issuance route the award came through; `options` lists the routes that would count)."""

    name: str
    earliest: date | None = None
    latest: date | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class IdentityCheck:
    """The requirement's minimum identity verification against the holder's."""

    required: str
    required_strength: int
    held: str | None  # None: not known
    held_strength: int | None
    held_from: str  # "award", "route" (what the route requires) or "" (unknown)

    @property
    def met(self) -> bool | None:
        if self.held_strength is None:
            return None
        return self.held_strength >= self.required_strength


@dataclass(frozen=True)
class RecognitionFacts:
    """A recognition as the answer uses it."""

    iri: str
    credential: str
    by: str
    by_country: str
    recognised_for: str
    recognised_as: str
    valid_from: date | None
    valid_until: date | None
    issued_from: date | None
    issued_until: date | None
    conditions: tuple[Condition, ...] = ()


@dataclass
class Answer:
    """The answer to one question, with everything a page or a command shows of it."""

    value: str
    credential: str  # the subject asked about: a credential or an award
    requirement: str
    on: date
    issued: date | None = None
    expires: date | None = None
    valid_until: date | None = None  # until when a yes holds (expiry, recognition end, age)
    via: str = ""  # "direct", "recognition", "equivalence" or "" (no way found)
    path: list[Reason] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)  # the mapping records of an equivalence
    notes: list[Reason] = field(default_factory=list)  # what was considered and did not count
    conditions: list[Condition] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    identity: IdentityCheck | None = None
    recognitions: list[RecognitionFacts] = field(default_factory=list)
    awarded_credential: str = ""
    country: str = ""  # the requirement's country
    setters: list[str] = field(default_factory=list)

    @property
    def satisfied(self) -> bool:
        """Yes, with or without conditions."""
        return self.value in (YES, CONDITIONAL)

    def iris(self) -> set[str]:
        """Every IRI the answer mentions (to fetch labels for)."""
        out = {self.credential, self.requirement, self.awarded_credential, *self.setters}
        for r in [*self.path, *self.notes]:
            out |= {r.subject, r.object}
        for s in self.steps:
            out |= {s.subject, s.object, s.record}
        for rec in self.recognitions:
            out |= {rec.iri, rec.credential, rec.by, rec.recognised_for, rec.recognised_as}
        for c in self.conditions:
            out |= {c.kind, c.source}
        for m in self.missing:
            out |= set(m.options)
        if self.identity:
            out |= {self.identity.required, self.identity.held or ""}
        return {i for i in out if i}

    def as_json(self) -> dict[str, Any]:
        iso = _iso
        return {
            "value": self.value,
            "satisfied": self.satisfied,
            "credential": self.credential,
            "awarded_credential": self.awarded_credential or None,
            "requirement": self.requirement,
            "country": self.country or None,
            "setters": self.setters,
            "on": iso(self.on),
            "issued": iso(self.issued),
            "expires": iso(self.expires),
            "valid_until": iso(self.valid_until),
            "via": self.via or None,
            "path": [r.__dict__ for r in self.path],
            "mappings": [s.__dict__ | {"kind": s.kind} for s in self.steps],
            "notes": [r.__dict__ for r in self.notes],
            "conditions": [{"kind": c.kind, "text": dict(c.texts), "source": c.source,
                            "condition": c.iri or None} for c in self.conditions],
            "missing": [{"input": m.name, "earliest": iso(m.earliest), "latest": iso(m.latest),
                         "options": list(m.options)} for m in self.missing],
            "identity": None if self.identity is None else {
                "required": self.identity.required,
                "required_strength": self.identity.required_strength,
                "held": self.identity.held,
                "held_strength": self.identity.held_strength,
                "held_from": self.identity.held_from or None,
                "met": self.identity.met,
            },
            "recognitions": [{
                "recognition": r.iri, "credential": r.credential, "by": r.by,
                "for": r.recognised_for or None, "as": r.recognised_as or None,
                "valid_from": iso(r.valid_from), "valid_until": iso(r.valid_until),
                "covers_issued_from": iso(r.issued_from), "covers_issued_until": iso(r.issued_until),
                "conditions": [{"kind": c.kind, "text": dict(c.texts)} for c in r.conditions],
            } for r in self.recognitions],
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def parse_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError("bad_date", value=value) from None


def _int(term: object) -> int | None:
    if isinstance(term, ox.Literal):
        try:
            return int(term.value)
        except ValueError:
            return None
    return None


def _duration(term: object) -> Any:
    if isinstance(term, ox.Literal):
        try:
            return isodate.parse_duration(term.value)
        except (isodate.ISO8601Error, ValueError):
            return None
    return None


@functools.lru_cache(maxsize=4096)
def _add(day: date, duration: Any) -> date | None:
    """`day` plus an ISO 8601 duration; kept, as an award's page asks the same sum for
    each of two dozen requirements."""
    try:
        result = day + duration
    except (TypeError, OverflowError):
        return None
    return result if isinstance(result, date) else None


def _subtract(day: date, duration: Any) -> date | None:
    try:
        result = day - duration
    except (TypeError, OverflowError):
        return None
    return result if isinstance(result, date) else None


def _rows(store: Store, name: str, var: str, iri: str) -> list[ox.QuerySolution]:
    result = store.query(queries.load(name).text, bindings={var: ox.NamedNode(iri)})
    return list(result)  # type: ignore[arg-type]


@dataclass
class _Requirement:
    iri: str
    credentials: set[str] = field(default_factory=set)
    rank: int | None = None
    identity: str = ""  # minimum identity verification method
    identity_strength: int = 0
    legacy_identity: bool = False
    maximum_age: Any = None
    max_age_text: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    country: str = ""
    setters: set[str] = field(default_factory=set)
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class _Route:
    iri: str
    level: str
    rank: int
    identity: str  # the stronger of the route's own demand and its level's minimum
    identity_strength: int


@dataclass
class _Subject:
    iri: str
    credential: str
    is_award: bool
    route: str | None = None
    issued: date | None = None
    expires: date | None = None
    period: Any = None
    identity: str | None = None
    identity_strength: int | None = None


@dataclass
class _Outcome:
    """One way the question may be answered, before the holder's side is checked."""

    value: str
    via: str
    path: list[Reason] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    recognitions: list[RecognitionFacts] = field(default_factory=list)
    routes: tuple[str, ...] | None = None  # the routes this outcome holds for (None: all)
    valid_until: date | None = None


class Checker:
    """Answers satisfaction questions; reasoning over mappings is done once and reused."""

    def __init__(self, store: Store, reasoning: Reasoning | None = None) -> None:
        """With `reasoning` (over all accepted mappings) every question reuses it; without,
        each question reads only the exactMatch component of its own credential, so that
        one question costs the same however many mappings the store holds."""
        self.store = store
        self._shared = reasoning
        self.reasoning = reasoning if reasoning is not None else Reasoning.build([])
        self._strengths: dict[str, int] | None = None

    # -- reading ----------------------------------------------------------------------

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

    def _kept(self, key: tuple[str, ...], compute: Callable[[], Any]) -> Any:
        """What the store says of a requirement or a credential, read once per state of the
        store and shared by every checker: a credential page asks two dozen questions of
        one credential, and many pages ask about the same requirements."""
        return _READ.get(self.store, key, compute)

    def routes(self, credential: str) -> list[_Route]:
        value: list[_Route] = self._kept(("routes", credential), lambda: self._routes(credential))
        return value

    def _routes(self, credential: str) -> list[_Route]:
        """The issuance routes of `credential`, each with its level, rank and the identity
        verification an award along it has at least: the stronger of what the route
        requires and what its level needs."""
        found: dict[str, _Route] = {}
        for row in _rows(self.store, "credential-routes", "c", credential):
            route, level, rank = row["route"].value, row["level"].value, int(row["rank"].value)
            candidates = [(_int(row["routeStrength"]), _value(row, "routeIdentity")),
                          (_int(row["levelStrength"]), _value(row, "levelIdentity"))]
            strength, method = max(((s, m) for s, m in candidates if s is not None and m),
                                    default=(0, ""))
            old = found.get(route)
            if old is None or strength > old.identity_strength:
                found[route] = _Route(route, level, rank, method, strength)
        return sorted(found.values(), key=lambda r: r.iri)

    def _subject(self, iri: str, issued: date | None) -> _Subject:
        value: _Subject = self._kept(("subject", iri, str(issued)), lambda: self._read_subject(iri, issued))
        return value

    def _read_subject(self, iri: str, issued: date | None) -> _Subject:
        rows = _rows(self.store, "satisfaction-subject", "subject", iri)
        if not rows:
            raise InputError("unknown_credential", name=iri)
        row = rows[0]
        subject = _Subject(iri, row["credential"].value, row["kind"].value == "award")
        subject.period = _duration(row["period"])
        if subject.is_award:
            subject.route = _value(row, "route") or None
            subject.issued = _date(row["issued"]) or issued
            subject.expires = _date(row["expires"])
            subject.identity = _value(row, "identity") or None
            subject.identity_strength = _int(row["strength"])
        else:
            subject.issued = issued
        return subject

    def _requirement(self, iri: str) -> _Requirement:
        value: _Requirement = self._kept(("requirement", iri), lambda: self._read_requirement(iri))
        return value

    def _read_requirement(self, iri: str) -> _Requirement:
        rows = _rows(self.store, "satisfaction-requirement", "requirement", iri)
        if not rows:
            raise InputError("unknown_requirement", name=iri)
        req = _Requirement(iri)
        for row in rows:
            if row["credential"] is not None:
                req.credentials.add(row["credential"].value)
            rank = _int(row["rank"])
            if rank is not None:
                req.rank = rank if req.rank is None else min(req.rank, rank)
            strength = _int(row["minimumStrength"])
            if strength is not None and (not req.identity or strength > req.identity_strength):
                req.identity, req.identity_strength = row["minimumIdentity"].value, strength
            if row["identity"] is not None and row["identity"].value in ("true", "1"):
                req.legacy_identity = True
            if row["maximumAge"] is not None and req.maximum_age is None:
                req.maximum_age = _duration(row["maximumAge"])
                req.max_age_text = row["maximumAge"].value
            req.valid_from = _date(row["from"]) or req.valid_from
            req.valid_until = _date(row["until"]) or req.valid_until
            req.country = _value(row, "country") or req.country
            if row["setter"] is not None:
                req.setters.add(row["setter"].value)
        if req.legacy_identity and not req.identity:
            req.identity = LEGACY_IDENTITY_MINIMUM
            req.identity_strength = self._strength(LEGACY_IDENTITY_MINIMUM)
        req.conditions = self._conditions(iri)
        return req

    def _strength(self, method: str) -> int:
        if self._strengths is None:
            result = self.store.query(
                "PREFIX qa: <https://w3id.org/qagraph/ontology#> "
                "SELECT ?m ?s WHERE { ?m a qa:IdentityVerificationMethod ; qa:strength ?s }")
            self._strengths = {r["m"].value: int(r["s"].value) for r in result}  # type: ignore[union-attr]
        return self._strengths.get(method, 0)

    def _conditions(self, node: str) -> tuple[Condition, ...]:
        texts: dict[str, dict[str, str]] = {}
        kinds: dict[str, str] = {}
        for row in _rows(self.store, "satisfaction-conditions", "node", node):
            key = _value(row, "condition")
            if row["kind"] is not None:
                kinds[key] = row["kind"].value
            text = row["text"]
            if isinstance(text, ox.Literal):
                texts.setdefault(key, {}).setdefault(text.language or "", text.value)
            else:
                texts.setdefault(key, {})
        return tuple(
            Condition(kinds.get(key, OTHER_CONDITION), tuple(sorted(texts[key].items())), node, key)
            for key in sorted(texts)
        )

    def _validity_in(self, credential: str, country: str) -> Any:
        if not country:
            return None
        return self._kept(("validity", credential, country), lambda: self._read_validity(credential, country))

    def _read_validity(self, credential: str, country: str) -> Any:
        for row in _rows(self.store, "credential-country-validity", "c", credential):
            if row["country"].value.upper() == country.upper():
                return _duration(row["period"])
        return None

    def _recognitions(self, credential: str) -> list[RecognitionFacts]:
        value: list[RecognitionFacts] = self._kept(("recognitions", credential),
                                                   lambda: self._read_recognitions(credential))
        return value

    def _read_recognitions(self, credential: str) -> list[RecognitionFacts]:
        out = []
        for row in _rows(self.store, "satisfaction-recognitions", "credential", credential):
            iri = row["recognition"].value
            out.append(RecognitionFacts(
                iri, credential, _value(row, "by"), _value(row, "byCountry"), _value(row, "for"),
                _value(row, "as"), _date(row["from"]), _date(row["until"]),
                _date(row["issuedFrom"]), _date(row["issuedUntil"]), self._conditions(iri)))
        return sorted(out, key=lambda r: r.iri)

    # -- the question -----------------------------------------------------------------

    def check(self, subject: str, requirement: str, on: date | str | None = None,
              issued: date | str | None = None) -> Answer:
        on_date = parse_date(on) or date.today()
        subj = self._subject(subject, parse_date(issued))
        req = self._requirement(requirement)
        credential = subj.credential
        self.reasoning = self._component(credential)
        answer = Answer(NO, subject, requirement, on_date, subj.issued,
                        awarded_credential=credential if subj.is_award else "",
                        country=req.country, setters=sorted(req.setters))
        period = self._validity_in(credential, req.country) or subj.period
        answer.expires = self._expiry(subj, period)
        if req.valid_from and on_date < req.valid_from or req.valid_until and on_date > req.valid_until:
            answer.notes.append(Reason("requirement-not-in-force", requirement, "",
                                       f"{req.valid_from or ''}..{req.valid_until or ''}"))
            return answer
        if answer.expires is not None and on_date > answer.expires:
            answer.notes.append(Reason("expired", subject, "", answer.expires.isoformat()))
            return answer
        routes = self.routes(credential)
        if subj.route is not None:
            routes = [r for r in routes if r.iri == subj.route] or routes
        outcome = self._best_way(credential, req, subj, routes, on_date)
        self._holder(outcome, req, subj, routes, on_date, period)
        answer.value, answer.via = outcome.value, outcome.via if outcome.value != NO else ""
        answer.path, answer.steps = outcome.path, outcome.steps
        answer.notes = list(dict.fromkeys(answer.notes + outcome.notes))
        answer.conditions, answer.recognitions = outcome.conditions, outcome.recognitions
        answer.missing = outcome.missing
        answer.identity = self._identity_check(req, subj, routes, outcome.routes)
        answer.valid_until = outcome.valid_until
        if answer.expires and answer.value in (YES, CONDITIONAL):
            answer.valid_until = min(d for d in (answer.valid_until, answer.expires) if d)
        if answer.value == NO and not answer.path and not answer.notes:
            answer.notes.append(Reason("no-path", credential, requirement))
        return answer

    def _expiry(self, subj: _Subject, period: Any) -> date | None:
        """When the award stops being valid: its own expiry date, or the issue date plus the
        validity (in the requirement's country where that differs), whichever is first."""
        candidates = []
        if subj.expires is not None:
            candidates.append(subj.expires)
        if subj.issued is not None and period is not None:
            computed = _add(subj.issued, period)
            if computed is not None:
                candidates.append(computed)
        return min(candidates) if candidates else None

    # -- ways to yes ------------------------------------------------------------------

    def _best_way(self, credential: str, req: _Requirement, subj: _Subject, routes: list[_Route],
                  on: date) -> _Outcome:
        direct = self._direct(credential, req, routes)
        if direct is not None and direct.value != NO:
            return direct
        recognitions = self._recognitions(credential)
        decided = [r for r in recognitions if self._governs(r, req)]
        others = [r for r in recognitions if not self._governs(r, req)]
        notes = [Reason("recognition-other-jurisdiction", r.iri, r.by) for r in others
                 if r.recognised_for == req.iri or r.recognised_as in req.credentials]
        if decided:
            outcomes = [self._by_recognition(r, req, subj, on) for r in decided]
            best = self._pick(outcomes)
            if self.reasoning.exact_equivalents(credential):
                best.path.append(Reason("equivalence-not-consulted", credential, req.iri))
            best.notes = notes + best.notes
            return best
        candidates: list[_Outcome] = []
        for other in self.reasoning.exact_equivalents(credential):
            found = self._direct(other, req, self.routes(other), by_name_only=True)
            if found is not None and found.value == YES:
                found.via, found.steps = "equivalence", self.reasoning._exact_path(credential, other)
                found.path = [Reason("equivalence", credential, other), *found.path]
                candidates.append(found)
        if not candidates:
            for other in self.reasoning.exact_equivalents(credential):
                for rec in self._recognitions(other):
                    if not self._governs(rec, req):
                        continue
                    found = self._by_recognition(rec, req, subj, on)
                    found.via = "equivalence"
                    found.steps = self.reasoning._exact_path(credential, other)
                    found.path = [Reason("equivalence", credential, other), *found.path]
                    candidates.append(found)
        if candidates:
            best = self._pick(candidates)
            best.notes = notes + best.notes
            return best
        if direct is not None:
            direct.notes = notes + direct.notes
            return direct
        return _Outcome(NO, "", notes=notes)

    @staticmethod
    def _pick(outcomes: list[_Outcome]) -> _Outcome:
        """The best outcome; the notes of the others stay, so that the answer says what was
        considered."""
        best = max(outcomes, key=lambda o: ORDER[o.value])
        for other in outcomes:
            if other is not best:
                best.notes.extend(other.notes + other.path)
        return best

    def _direct(self, credential: str, req: _Requirement, routes: list[_Route],
                by_name_only: bool = False) -> _Outcome | None:
        """The requirement asks for this credential, or for a level its routes reach."""
        if credential in req.credentials:
            return _Outcome(YES, "direct", [Reason("direct-credential", credential, req.iri)])
        if req.rank is None or by_name_only:
            return None
        reaching = [r for r in routes if r.rank <= req.rank]
        if not reaching:
            weakest = min(routes, key=lambda r: r.rank, default=None)
            return _Outcome(NO, "", notes=[Reason("level-too-weak", credential,
                                                  weakest.level if weakest else "")])
        path = [Reason("direct-level", credential, r.level, r.iri) for r in reaching]
        if len(reaching) == len(routes):
            return _Outcome(YES, "direct", path[:1])
        return _Outcome(UNKNOWN, "direct", path, missing=[
            Missing("route", options=tuple(r.iri for r in reaching))],
            routes=tuple(r.iri for r in reaching))

    def _governs(self, rec: RecognitionFacts, req: _Requirement) -> bool:
        """Whether the recognition is a decision of the requirement's jurisdiction about
        this requirement: made for it, or (as an equal of a credential it asks for) by its
        setter or an organisation of its country."""
        if rec.recognised_for:
            return rec.recognised_for == req.iri
        if rec.recognised_as not in req.credentials:
            return False
        if rec.by in req.setters:
            return True
        return bool(req.country) and rec.by_country.upper() == req.country.upper() or not req.country

    def _by_recognition(self, rec: RecognitionFacts, req: _Requirement, subj: _Subject,
                        on: date) -> _Outcome:
        """What one recognition by the jurisdiction says on `on` about an award issued on
        `subj.issued` (or about any award, when that date is not known)."""
        target = Reason("recognition", rec.iri, rec.by, "for" if rec.recognised_for else "as")
        window = f"{rec.issued_from or ''}..{rec.issued_until or ''}"
        out = _Outcome(NO, "recognition", [target], recognitions=[rec])
        if rec.valid_from and on < rec.valid_from:
            out.path.append(Reason("recognition-not-yet-valid", rec.iri, "", rec.valid_from.isoformat()))
            return out
        if rec.issued_from or rec.issued_until:
            # Awards issued in the window stay recognised until they expire, even after the
            # recognition's own qa:validUntil.
            if subj.issued is None:
                out.value = UNKNOWN
                out.missing = [Missing("issued", rec.issued_from, rec.issued_until)]
                out.path.append(Reason("issue-date-needed", rec.iri, "", window))
            elif (rec.issued_from and subj.issued < rec.issued_from) or (
                    rec.issued_until and subj.issued > rec.issued_until):
                out.path.append(Reason("issued-outside-window", rec.iri, "", window))
                return out
            else:
                out.value = YES
                out.path.append(Reason("issued-in-window", rec.iri, "", window))
        elif rec.valid_until and on > rec.valid_until:
            out.path.append(Reason("recognition-ended", rec.iri, "", rec.valid_until.isoformat()))
            return out
        else:
            out.value = YES
            out.valid_until = rec.valid_until
        if rec.recognised_as:
            inner = self._direct(rec.recognised_as, req, self.routes(rec.recognised_as), by_name_only=True)
            if inner is None or inner.value != YES:
                out.value = NO
                out.path.append(Reason("recognised-as-does-not-satisfy", rec.iri, rec.recognised_as))
                return out
            out.path += inner.path
        if rec.conditions:
            out.conditions = list(rec.conditions)
            if out.value == YES:
                out.value = CONDITIONAL
        return out

    # -- the holder's side ------------------------------------------------------------

    def _identity_check(self, req: _Requirement, subj: _Subject, routes: list[_Route],
                        holding: tuple[str, ...] | None) -> IdentityCheck | None:
        if not req.identity:
            return None
        if subj.is_award and subj.identity is not None:
            return IdentityCheck(req.identity, req.identity_strength, subj.identity,
                                 subj.identity_strength if subj.identity_strength is not None else 0,
                                 "award")
        considered = [r for r in routes if holding is None or r.iri in holding]
        if not considered:
            return IdentityCheck(req.identity, req.identity_strength, None, None, "")
        weakest = min(considered, key=lambda r: r.identity_strength)
        return IdentityCheck(req.identity, req.identity_strength, weakest.identity or None,
                             weakest.identity_strength, "route")

    def _holder(self, out: _Outcome, req: _Requirement, subj: _Subject, routes: list[_Route],
                on: date, period: Any) -> None:
        """Check the holder's side of a way to yes: identity, age and the requirement's own
        conditions; lower the outcome's value where they fail or are not known."""
        if out.value == NO:
            return
        self._check_identity(out, req, subj, routes)
        if out.value == NO:
            return
        self._check_age(out, req, subj, on, period)
        if out.value == NO:
            return
        if req.conditions:
            out.conditions = [*out.conditions, *req.conditions]
            out.path.append(Reason("requirement-conditions", req.iri))
            if out.value == YES:
                out.value = CONDITIONAL

    def _check_identity(self, out: _Outcome, req: _Requirement, subj: _Subject,
                        routes: list[_Route]) -> None:
        if not req.identity:
            return
        need = req.identity_strength
        if subj.is_award and subj.identity is not None:
            held = subj.identity_strength or 0
            if held < need:
                self._fail(out, Reason("identity-weaker", subj.identity, req.identity))
            else:
                out.path.append(Reason("identity-met", subj.identity, req.identity))
            return
        considered = [r for r in routes if out.routes is None or r.iri in out.routes]
        good = [r for r in considered if r.identity_strength >= need]
        if not considered:
            out.missing.append(Missing("identity"))
            out.value = _worse(out.value, UNKNOWN)
            return
        if not good:
            weakest = min(considered, key=lambda r: r.identity_strength, default=None)
            self._fail(out, Reason("identity-weaker", weakest.identity if weakest else "", req.identity,
                                   weakest.iri if weakest else ""))
            return
        if len(good) == len(considered):
            out.path.append(Reason("identity-met-by-route", min(good, key=lambda r: r.identity_strength).identity,
                                   req.identity))
            if subj.is_award:  # the route is known to require it; the award does not say
                out.path.append(Reason("identity-from-route", subj.iri))
            return
        out.routes = tuple(r.iri for r in good)
        out.missing = [m for m in out.missing if m.name != "route"] + [
            Missing("route", options=out.routes)]
        out.value = _worse(out.value, UNKNOWN)

    def _check_age(self, out: _Outcome, req: _Requirement, subj: _Subject, on: date,
                   period: Any) -> None:
        """The requirement's maximum age and, for a question without an issue date, whether
        any award in the window could still be valid."""
        earliest = _subtract(on, req.maximum_age) if req.maximum_age is not None else None
        if subj.issued is not None:
            if earliest is not None and subj.issued < earliest:
                self._fail(out, Reason("too-old", subj.iri, req.iri, req.max_age_text))
            elif earliest is not None:
                limit = _add(subj.issued, req.maximum_age)
                out.valid_until = min(d for d in (out.valid_until, limit) if d)
                out.path.append(Reason("age-met", subj.iri, req.iri, req.max_age_text))
            return
        window = next((m for m in out.missing if m.name == "issued"), None)
        if earliest is not None:
            if window is None:
                window = Missing("issued")
                out.value = _worse(out.value, UNKNOWN)
            window = replace(window, earliest=max(d for d in (window.earliest, earliest) if d))
            out.path.append(Reason("age-limit", subj.iri, req.iri, req.max_age_text))
        if window is None:
            return
        latest = min(d for d in (window.latest, on) if d) if window.latest or on else None
        # an award issued before on - validity has expired on the date
        if period is not None:
            still_valid_from = _subtract(on, period)
            if latest is not None and still_valid_from is not None and latest < still_valid_from:
                self._fail(out, Reason("all-covered-expired", subj.iri, "", latest.isoformat()))
                return
        if window.earliest and latest and window.earliest > latest:
            self._fail(out, Reason("no-issue-date-fits", subj.iri, req.iri,
                                   f"{window.earliest}..{latest}"))
            return
        out.missing = [m for m in out.missing if m.name != "issued"] + [window]

    @staticmethod
    def _fail(out: _Outcome, reason: Reason) -> None:
        out.value = NO
        out.path.append(reason)
        out.missing = []
        out.conditions = []


def _worse(a: str, b: str) -> str:
    return a if ORDER[a] <= ORDER[b] else b


def satisfies(store: Store, subject: str, requirement: str, on: date | str | None = None,
              issued: date | str | None = None) -> Answer:
    """One question; reads only the exactMatch component of the credential."""
    return Checker(store).check(subject, requirement, on, issued)


def _requirements(result: object) -> dict[str, str]:
    """Requirement -> its country ("" when it names none), from ?requirement ?country rows
    (the smallest country when a requirement names several)."""
    found: dict[str, str] = {}
    for row in result:  # type: ignore[attr-defined]
        country = row["country"].value if row["country"] is not None else ""
        old = found.get(row["requirement"].value)
        found[row["requirement"].value] = min(c for c in (old, country) if c) if old or country else ""
    return found


def _minimum_level_requirements(store: Store) -> dict[str, str]:
    """The requirements of a minimum level with their countries (once per store state)."""
    value: dict[str, str] = _READ.get(store, ("minimum-level",), lambda: _requirements(
        store.query(queries.load("minimum-level-requirements").text)))
    return value


def _asked_against(store: Store, checker: Checker, own: str) -> dict[str, str]:
    """The requirements a credential may be asked against, with their countries: those
    that name it or an exact equivalent or that a recognition of one is for, and (when it
    has a route) those of a minimum level. The same for every award of the credential."""
    component = [ox.NamedNode(c) for c in [own, *checker._component(own).exact_equivalents(own)]]
    text = queries.with_values(queries.load("credential-requirements").text, "c", component)
    requirements = _requirements(store.query(text))
    has_route = queries.with_values("ASK { ?c <https://w3id.org/qagraph/ontology#hasRoute> ?route }",
                                    "c", component)
    if store.query(has_route):
        requirements = {**_minimum_level_requirements(store), **requirements}
    return requirements


def answers_for(store: Store, credential: str, on: date | str | None = None,
                issued: date | str | None = None, checker: Checker | None = None,
                limit: int | None = None) -> list[Answer]:
    """For one credential (or award), the answer for every requirement the data knows of
    that it may be asked against: the requirements that name it or an exact equivalent,
    that a recognition of one of them is for, or (when it has a route) that ask for a
    minimum level. Sorted by the requirement's country and IRI. This is what a credential
    page's "where it is accepted" lists: the first `limit` answers only, when given (each
    answer takes a few queries, and a store may hold hundreds of requirements of a
    minimum level)."""
    checker = checker or Checker(store)
    # the subject as the checks read it (kept per state: an award's page reads it once)
    own = checker._subject(credential, None).credential
    requirements: dict[str, str] = _READ.get(store, ("asked-against", own),
                                             lambda: _asked_against(store, checker, own))
    chosen = sorted(requirements, key=lambda r: (requirements[r] or "~", r))
    if limit is not None:
        chosen = chosen[:limit]
    answers = [checker.check(credential, r, on, issued) for r in chosen]
    return sorted(answers, key=lambda a: (a.country or "~", a.requirement))


# What the store says of requirements and credentials, per state of the store (Checker._kept).
_READ = PerState(20000)


__all__ = ["Answer", "Checker", "Condition", "EXACT", "IdentityCheck", "Missing", "Reason",
           "RecognitionFacts", "answers_for", "satisfies"]
