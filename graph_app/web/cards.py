"""The first screen of a credential, an organisation and a requirement: the answers people
come for, in words, each with the facts behind it one click away.

A credential's "where it is accepted" rows come from the satisfaction reasoning
(`core.satisfaction.Checker`), asked about every requirement the credential may meet;
nothing here decides an answer of its own. `acceptance.py` turns an answer into words.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyoxigraph as ox
from flask import Flask
from flask_babel import gettext as _

from ..core import entity as core
from ..core import level_check, queries
from ..core.derived import PerGeneration, PerState
from ..core.labels import local_name
from ..core.namespaces import DCTERMS, LVL, QA, RDFS
from ..core.store import Store
from . import acceptance
from .browse import cat, href, label, lang, per_language, reasoning, store
from .readable import country_name, duration_words, format_day

ROLE_PROPS = {
    "issuer": QA + "issuer",
    "trainer": QA + "trainingProvider",
    "examiner": QA + "examinationProvider",
    "assurer": QA + "sectorQualityAssurer",
    "accreditor": QA + "accreditationBody",
    "council": QA + "qualificationCouncil",
}
FLAGS = ("requiresSectorQualityAssurer", "requiresIndependentIssuer", "requiresDeclaredTrainingRelation",
         "requiresLearningOutcomeExamination", "requiresAttendanceControl")
MAX_ACCEPTANCE_ROWS = 24


@per_language
def role_names() -> dict[str, str]:
    return {
        "issuer": _("Issues"),
        "trainer": _("Trains"),
        "examiner": _("Examines"),
        "assurer": _("Assures quality"),
        "accreditor": _("Accredits"),
        "council": _("Qualification council"),
        "owner": _("Owns the scheme"),
        "regulator": _("Regulates"),
    }


# -- what each level asks for, and identity strengths (once per store generation) ----


@dataclass(frozen=True)
class LevelRules:
    flags: dict[str, dict[str, bool]]
    minimum_identity: dict[str, str]
    strength: dict[str, int]


def _level_rules(s: Store) -> LevelRules:
    result = s.query(queries.load("levels-ladder").text)
    assert isinstance(result, ox.QuerySolutions)
    flags: dict[str, dict[str, bool]] = defaultdict(dict)
    minimum: dict[str, str] = {}
    for row in result:
        level, prop, value = row["level"].value, row["p"].value, row["v"]
        name = local_name(prop)
        if prop == QA + "minimumIdentityVerification":
            minimum[level] = value.value
        elif name in FLAGS:
            flags[level][name] = value.value == "true"
    strength: dict[str, int] = {}
    found = s.query(f"SELECT ?m ?s WHERE {{ ?m <{QA}strength> ?s }}")
    assert isinstance(found, ox.QuerySolutions)
    for row in found:
        try:
            strength[row["m"].value] = int(row["s"].value)
        except ValueError:
            continue
    return LevelRules(dict(flags), minimum, strength)


_rules: PerGeneration[LevelRules] = PerGeneration(_level_rules)


class Memo:
    """Cards already made, per store and its generation (so a commit forgets them), by
    key (node, interface language, today's date); the least recently used go first."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._by_store: weakref.WeakKeyDictionary[Store, tuple[int, OrderedDict[tuple[str, ...], Any]]] = (
            weakref.WeakKeyDictionary())

    def get(self, s: Store, key: tuple[str, ...], make: Callable[[], Any]) -> Any:
        with self._lock:
            generation, cached = self._by_store.get(s, (-1, OrderedDict()))
            if generation != s.generation:
                cached = OrderedDict()
                self._by_store[s] = (s.generation, cached)
            if key in cached:
                cached.move_to_end(key)
                return cached[key]
        value = make()
        with self._lock:
            generation, cached = self._by_store.get(s, (-1, OrderedDict()))
            if generation == s.generation:
                cached[key] = value
                while len(cached) > self.size:
                    cached.popitem(last=False)
        return value


_cards = Memo()


# -- helpers ---------------------------------------------------------------------------


def _by_property(statements: list[core.Statement]) -> dict[str, list[Any]]:
    """A node's outgoing values, grouped by property."""
    out: dict[str, list[Any]] = defaultdict(list)
    for st in statements:
        out[st.predicate].append(st.value)
    return out


def _props(iri: str) -> dict[str, list[Any]]:
    return _by_property(core.outgoing(store(), iri))


def _iris(values: list[Any]) -> list[str]:
    return [v.value for v in values if isinstance(v, ox.NamedNode)]


def _text(values: list[Any]) -> str:
    """The literal in the interface language (then sv, en, any)."""
    texts = {v.language or "": v.value for v in values if isinstance(v, ox.Literal)}
    for key in (lang(), "sv", "en", ""):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


def _bool(values: list[Any]) -> bool | None:
    for v in values:
        if isinstance(v, ox.Literal):
            return v.value in ("true", "1")
    return None


def _date(values: list[Any]) -> str:
    for v in values:
        if isinstance(v, ox.Literal):
            return v.value[:10]
    return ""


def _select(text: str, var: str, iris: list[str]) -> list[ox.QuerySolution]:
    if not iris:
        return []
    result = store().query(queries.with_values(text, var, [ox.NamedNode(i) for i in iris]))
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def accreditations(orgs: list[str]) -> list[dict[str, str]]:
    rows = _select(queries.load("card-accreditations").text, "org", sorted(set(orgs)))
    out: dict[str, dict[str, str]] = {}
    for row in rows:
        acc = out.setdefault(row["acc"].value, {"iri": row["acc"].value, "org": row["org"].value,
                                                "body": "", "standard": "", "from": "", "until": ""})
        for key in ("body", "standard"):
            if row[key] is not None and not acc[key]:
                acc[key] = row[key].value
        for key in ("from", "until"):
            if row[key] is not None and not acc[key]:
                acc[key] = row[key].value[:10]
    return sorted(out.values(), key=lambda a: (label(a["org"]), label(a["iri"])))


# -- the credential --------------------------------------------------------------------


@dataclass
class Check:
    ok: bool
    text: str
    path: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, property, object)


@dataclass
class RouteCard:
    route: str
    level: str
    notation: str
    meaning: str
    roles: dict[str, list[str]]
    checks: list[Check]
    claimed: str = ""

    @property
    def supported(self) -> bool:
        return all(c.ok for c in self.checks)


def _route_card(route: str, rules: LevelRules, basis: level_check.RouteCheck | None) -> RouteCard:
    """A route's level and why: what the level rests on and, at C1, the independence
    verdict with its path (core.level_check), then the level's other rules against the
    route's facts (examination, attendance, training relation, identity check)."""
    p = _props(route)
    catalogue = cat()
    level = next(iter(_iris(p.get(QA + "assuranceLevel", []))), "")
    roles = {name: sorted(_iris(p.get(prop, [])), key=label) for name, prop in ROLE_PROPS.items()}
    roles = {k: v for k, v in roles.items() if v}
    needs = rules.flags.get(level, {})
    checks: list[Check] = []
    if basis is not None:
        texts = level_check.texts(basis, lang(), label)
        independence_lines = max(1, len(basis.dependences)) if basis.level == LVL + "C1" else 0
        split = len(texts) - independence_lines
        checks += [Check(basis.case in ("sector", "accredited", "authority"), t) for t in texts[:split]]
        checks += [Check(not basis.dependences, t) for t in texts[split:]]
    elif needs.get("requiresSectorQualityAssurer"):
        checks.append(Check(False, _("No sector body quality-assures it.")))
    if needs.get("requiresDeclaredTrainingRelation"):
        text = _text(p.get(QA + "issuerTrainingRelation", []))
        checks.append(Check(bool(text), _("The issuer declares its relation to training: %(text)s", text=text)
                            if text else _("The issuer does not declare its relation to training.")))
    if needs.get("requiresLearningOutcomeExamination"):
        ok = _bool(p.get(QA + "examinesLearningOutcomes", [])) is True
        checks.append(Check(ok, _("The learning outcomes are examined.") if ok
                            else _("No examination of the learning outcomes is recorded.")))
    if needs.get("requiresAttendanceControl"):
        ok = _bool(p.get(QA + "attendanceControl", [])) is True
        checks.append(Check(ok, _("Attendance is controlled.") if ok else _("No attendance control is recorded.")))
    minimum = rules.minimum_identity.get(level)
    method = next(iter(_iris(p.get(QA + "requiredIdentityVerification", []))), "")
    if minimum:
        have = rules.strength.get(method, -1) if method else -1
        ok = have >= rules.strength.get(minimum, 0)
        if method:
            checks.append(Check(ok, _("Identity is checked by %(method)s.", method=label(method)) if ok else
                                _("Identity is checked by %(method)s; the level asks at least %(minimum)s.",
                                  method=label(method), minimum=label(minimum))))
        elif rules.strength.get(minimum, 0) > 0:
            checks.append(Check(False, _("No identity check is recorded; the level asks at least %(minimum)s.",
                                         minimum=label(minimum))))
    return RouteCard(route, level, catalogue.notations.get(level, local_name(level)) if level else "",
                     catalogue.full_label(level, lang()) if level else "", roles, checks)


@dataclass
class Equivalence:
    other: str
    strength: str  # exact, close, broad, narrow, related
    implied: bool = False
    justification: str = ""
    author: str = ""
    day: str = ""
    confidence: str = ""
    comment: str = ""
    path: list[Any] = field(default_factory=list)


INVERSE = {"broad": "narrow", "narrow": "broad"}
SEMAPV = "https://w3id.org/semapv/vocab/"


def justification_words(iri: str) -> str:
    names = {
        "ManualMappingCuration": _("curated by hand by an expert"),
        "LexicalMatching": _("matched by their names"),
        "LogicalReasoning": _("derived by logical reasoning"),
        "CompositeMatching": _("matched by several methods"),
        "UnspecifiedMatching": _("matched by an unstated method"),
        "SemanticSimilarityThresholdMatching": _("matched by semantic similarity"),
        "MappingReview": _("reviewed by a curator"),
        "MappingChaining": _("derived by chaining mappings"),
    }
    local = local_name(iri)
    return names.get(local, local)


def strength_words(kind: str) -> str:
    return {
        "exact": _("exactly equivalent"), "close": _("closely equivalent"),
        "broad": _("broader"), "narrow": _("narrower"), "related": _("related"),
    }.get(kind, kind)


def equivalences(iri: str) -> list[Equivalence]:

    out: dict[str, Equivalence] = {}
    for e in core.equivalents(store(), iri):
        kind = local_name(e.predicate).removesuffix("Match")
        if e.direction == "in":
            kind = INVERSE.get(kind, kind)
        conf = ""
        if e.confidence:
            try:
                conf = f"{round(float(e.confidence) * 100)} %"
            except ValueError:
                conf = e.confidence
        out.setdefault(e.other, Equivalence(
            e.other, kind, False, justification_words(e.justification) if e.justification else "",
            ", ".join(label(a) if "://" in a else a for a in e.author), format_day(e.date), conf, e.comment))
    for eq in reasoning().equivalents(iri):
        if eq.credential not in out:
            out[eq.credential] = Equivalence(eq.credential, eq.kind, eq.implied, path=list(eq.path))
    order = {"exact": 0, "close": 1, "broad": 2, "narrow": 3, "related": 4}
    return sorted(out.values(), key=lambda e: (e.implied, order.get(e.strength, 9), label(e.other)))


def credential_card(iri: str, statements: list[core.Statement],
                    incoming: list[core.Incoming]) -> dict[str, Any]:
    """What the credential's answer card shows, made once per store generation, language
    and day."""
    return _cards.get(store(), ("credential", iri, lang(), date.today().isoformat()),
                      lambda: _credential_card(iri, statements, incoming))


def _credential_card(iri: str, statements: list[core.Statement],
                     incoming: list[core.Incoming]) -> dict[str, Any]:
    rules = _rules.get(store())
    by_prop = _by_property(statements)
    bases = {c.route: c for c in level_check.route_checks(store(), iri)}
    routes = [_route_card(r, rules, bases.get(r)) for r in sorted(_iris(by_prop.get(QA + "hasRoute", [])))]
    catalogue = cat()
    routes.sort(key=lambda rc: catalogue.ranks.get(rc.level, 99))
    claimed = next(iter(_iris(by_prop.get(QA + "claimedLevel", []))), "")
    claim_note = ""
    if claimed and routes:
        best = min((catalogue.ranks.get(rc.level, 99) for rc in routes), default=99)
        if catalogue.ranks.get(claimed, 99) < best:
            claim_note = _("It claims level %(claimed)s, but its routes reach at most %(best)s.",
                           claimed=catalogue.notations.get(claimed, claimed),
                           best=next((rc.notation for rc in routes), ""))
    roles: dict[str, list[str]] = defaultdict(list)
    for rc in routes:
        for name, orgs in rc.roles.items():
            roles[name] += [o for o in orgs if o not in roles[name]]
    scheme_owner: list[str] = []
    for scheme in _iris(by_prop.get(QA + "inScheme", [])):
        scheme_owner += _iris(_props(scheme).get(QA + "schemeOwner", []))
    if scheme_owner:
        roles["owner"] = sorted(set(scheme_owner), key=label)
    regulators = _iris(by_prop.get(QA + "regulatedBy", []))
    if regulators:
        roles["regulator"] = regulators
    accs = accreditations(roles.get("issuer", []) + roles.get("examiner", []))
    in_by = {grp.predicate: grp for grp in incoming}
    controls = list(in_by[QA + "appliesTo"].subjects) if QA + "appliesTo" in in_by else []
    validity = next((v.value for v in by_prop.get(QA + "validityPeriod", []) if isinstance(v, ox.Literal)), "")
    country = [v.value for v in by_prop.get(QA + "country", []) if isinstance(v, ox.Literal)]
    return {
        "routes": routes,
        "claim_note": claim_note,
        "roles": [(name, role_names()[name], roles[name]) for name in
                  ("issuer", "trainer", "examiner", "assurer", "accreditor", "council", "owner", "regulator")
                  if roles.get(name)],
        "accreditations": accs,
        "standards": sorted(_iris(by_prop.get(QA + "basedOnStandard", [])), key=label),
        "validity": duration_words(validity) if validity else "",
        "regulated": _bool(by_prop.get(QA + "regulated", [])),
        "controls": controls,
        "countries": [country_name(c) for c in country],
        "description": _text(by_prop.get(DCTERMS + "description", [])) or _text(by_prop.get(RDFS + "comment", [])),
        "equivalents": equivalences(iri),
        "accepted": acceptance.rows_for_credential(iri),
    }


# -- the issuance route ------------------------------------------------------------------


def route_profile(iri: str, statements: list[core.Statement],
                  incoming: list[core.Incoming]) -> dict[str, Any]:
    """What the route's card shows (its level and why, who does what, which credential it
    leads to), made once per store generation, language and day (the independence
    verdict and the accreditations in force are those of today)."""
    return _cards.get(store(), ("route", iri, lang(), date.today().isoformat()),
                      lambda: _route_profile(iri, statements, incoming))


def _route_profile(iri: str, statements: list[core.Statement],
                   incoming: list[core.Incoming]) -> dict[str, Any]:
    by_prop = _by_property(statements)
    in_by = {grp.predicate: grp for grp in incoming}
    credentials = sorted(in_by[QA + "hasRoute"].subjects, key=label) if QA + "hasRoute" in in_by else []
    basis = None
    for credential in credentials:  # the same level check as on the credential's card
        basis = next((c for c in level_check.route_checks(store(), credential) if c.route == iri), None)
        if basis is not None:
            break
    rc = _route_card(iri, _rules.get(store()), basis)
    return {
        "route": rc,
        "credentials": credentials,
        "roles": [(name, role_names()[name], rc.roles[name]) for name in ROLE_PROPS if rc.roles.get(name)],
        "accreditations": accreditations(rc.roles.get("issuer", []) + rc.roles.get("examiner", [])),
        "examination": _iris(by_prop.get(QA + "examinationMethod", [])),
        "about": _text(by_prop.get(DCTERMS + "description", [])) or _text(by_prop.get(RDFS + "comment", [])),
    }


# -- one person's award ------------------------------------------------------------------


def award_profile(iri: str, statements: list[core.Statement]) -> dict[str, Any]:
    """What an award's card shows: whether it is valid today, the credential and the
    level of the route it came by, and where this award (with its own issue date, expiry
    and identity check) is accepted today.

    Not kept apart from the page (web/page_cache.py keeps the page): awards are many and
    each is seen seldom, and the last 2,048 cards, of two dozen answers each, held some
    460,000 objects that every full garbage collection went through (at 1M triples, 1,500
    first views made 7 full collections, 1.25 s in all, and make 2, 0.21 s)."""
    return _award_profile(iri, statements)


def _route_level(route: str) -> str:
    """The assurance level of an issuance route ("" when it has none), per state of the
    store (many awards came by the same route)."""
    return _levels.get(store(), route, lambda: next(iter(_iris(_props(route).get(QA + "assuranceLevel", []))), ""))


_levels: PerState = PerState(4096)


def _award_profile(iri: str, statements: list[core.Statement]) -> dict[str, Any]:
    by_prop = _by_property(statements)
    today = date.today()
    issued, expires = _date(by_prop.get(QA + "issued", [])), _date(by_prop.get(QA + "expires", []))
    status = _validity(issued, expires, today)
    route = next(iter(_iris(by_prop.get(QA + "viaRoute", []))), "")
    level = _route_level(route) if route else ""
    catalogue = cat()
    return {
        "status": status,
        "issued": format_day(issued),
        "expires": format_day(expires),
        "credentials": _iris(by_prop.get(QA + "awardedCredential", [])),
        "route": route,
        "notation": catalogue.notations.get(level, local_name(level)) if level else "",
        "meaning": catalogue.full_label(level, lang()) if level else "",
        "awarded_by": _iris(by_prop.get(QA + "awardedBy", [])),
        "holders": _iris(by_prop.get(QA + "awardee", [])),
        "identity": _iris(by_prop.get(QA + "identityVerification", [])),
        "accepted": acceptance.rows_for_credential(iri, today),
        "today": format_day(today),
    }


def _validity(issued: str, expires: str, today: date) -> str:
    """Whether an award is valid today by its own dates: future, expired, valid or open
    (no expiry recorded: each requirement's answer says what applies)."""
    if issued and issued > today.isoformat():
        return "future"
    if expires and expires < today.isoformat():
        return "expired"
    return "valid" if expires else "open"


MAX_AWARDS = 200


def person_profile(iri: str) -> dict[str, Any]:
    """A person's awards, each with its credential, level and whether it is valid today;
    made once per store generation, language and day."""
    return _cards.get(store(), ("person", iri, lang(), date.today().isoformat()), lambda: _person_profile(iri))


def _person_profile(iri: str) -> dict[str, Any]:
    result = store().query(queries.load("card-person-awards").text, bindings={"person": ox.NamedNode(iri)})
    assert isinstance(result, ox.QuerySolutions)
    today = date.today()
    catalogue = cat()
    awards: dict[str, dict[str, Any]] = {}
    for row in result:
        award = awards.setdefault(row["award"].value, {"iri": row["award"].value, "credential": "",
                                                       "notations": [], "issued": "", "expires": ""})
        if row["credential"] is not None and not award["credential"]:
            award["credential"] = row["credential"].value
        if row["level"] is not None:
            notation = catalogue.notations.get(row["level"].value, local_name(row["level"].value))
            if notation not in award["notations"]:
                award["notations"].append(notation)
        for key in ("issued", "expires"):
            if row[key] is not None and not award[key]:
                award[key] = row[key].value[:10]
    rows = []
    for award in list(awards.values())[:MAX_AWARDS]:
        award["status"] = _validity(award["issued"], award["expires"], today)
        award["issued_text"], award["expires_text"] = format_day(award["issued"]), format_day(award["expires"])
        rows.append(award)
    order = {"valid": 0, "open": 1, "future": 2, "expired": 3}
    rows.sort(key=lambda a: (order[a["status"]], label(a["credential"] or a["iri"]).casefold()))
    return {"awards": rows, "more": len(awards) > MAX_AWARDS, "today": format_day(today)}


# -- the organisation --------------------------------------------------------------------


def organisation_profile(iri: str, statements: list[core.Statement]) -> dict[str, Any]:
    """What the organisation's card shows, made once per store generation and language."""
    return _cards.get(store(), ("organisation", iri, lang()), lambda: _organisation_profile(iri, statements))


def _organisation_profile(iri: str, statements: list[core.Statement]) -> dict[str, Any]:
    result = store().query(queries.load("card-organisation-roles").text, bindings={"node": ox.NamedNode(iri)})
    assert isinstance(result, ox.QuerySolutions)
    does: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    by_level: dict[str, set[str]] = defaultdict(set)
    for row in result:
        role = local_name(row["role"].value)
        thing = row["thing"].value
        credential = row["credential"].value if row["credential"] is not None else ""
        level = row["level"].value if row["level"] is not None else ""
        target = credential or thing
        entry = does[role].setdefault(target, {"iri": target, "levels": set()})
        if level:
            entry["levels"].add(level)
        if credential and role in ("issuer", "trainingProvider", "examinationProvider", "sectorQualityAssurer"):
            by_level[level].add(credential)
    catalogue = cat()
    names = {
        "issuer": _("Issues"), "trainingProvider": _("Trains for"), "examinationProvider": _("Examines for"),
        "sectorQualityAssurer": _("Assures the quality of"), "accreditationBody": _("Accredits routes of"),
        "accreditingBody": _("Accredits"), "qualificationCouncil": _("Qualification council for"),
        "schemeOwner": _("Owns the schemes"), "publisher": _("Publishes"), "setBy": _("Sets the requirements"),
        "recognisedBy": _("Recognises"), "appliedBy": _("Applies the control functions"),
        "regulatedBy": _("Regulates"),
    }
    activities = []
    for role, name in names.items():
        items = sorted(does.get(role, {}).values(), key=lambda e: label(e["iri"]).casefold())
        if items:
            for item in items:
                item["badges"] = sorted((catalogue.notations.get(lv, lv) for lv in item["levels"]),
                                        key=lambda n: [lv.notation for lv in catalogue.levels()].index(n)
                                        if n in [lv.notation for lv in catalogue.levels()] else 99)
            activities.append({"role": role, "name": name, "items": items})
    levels = []
    for lv in catalogue.levels():
        creds = sorted(by_level.get(lv.iri, ()), key=label)
        if creds:
            levels.append({"notation": lv.notation, "meaning": catalogue.full_label(lv.iri, lang()), "credentials": creds})
    result = store().query(queries.load("card-dependencies").text, bindings={"node": ox.NamedNode(iri)})
    assert isinstance(result, ox.QuerySolutions)
    deps = []
    kind_prop = {"Ownership": "ownedBy", "Control": "controlledBy", "SubOrganisation": "subOrganisationOf",
                 "SharedManagement": "sharesManagementWith"}
    for row in result:
        dep = row["dep"].value
        if row["kind"] is not None:  # a dependency of its own: named by its kind
            dep = QA + kind_prop.get(local_name(row["kind"].value), "dependsOn")
        details = []
        if row["share"] is not None:
            details.append(f"{row['share'].value} %")
        if row["from"] is not None or row["to"] is not None:
            details.append(f"{format_day(row['from'].value) if row['from'] is not None else '…'}–"
                           f"{format_day(row['to'].value) if row['to'] is not None else '…'}")
        deps.append({"direction": row["direction"].value, "dep": dep, "other": row["other"].value,
                     "detail": ", ".join(details)})
    dep_names_out = {
        "ownedBy": _("Owned by"), "controlledBy": _("Controlled by"), "subOrganisationOf": _("Part of"),
        "memberOf": _("Member of"), "sharesManagementWith": _("Shares management with"),
        "dependsOn": _("Depends on"),
    }
    dep_names_in = {
        "ownedBy": _("Owns"), "controlledBy": _("Controls"), "subOrganisationOf": _("Has as part"),
        "memberOf": _("Has as member"), "sharesManagementWith": _("Shares management with"),
        "dependsOn": _("Is depended on by"),
    }
    tree: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for d in sorted(deps, key=lambda d: label(d["other"])):
        local = local_name(d["dep"])
        name = (dep_names_out if d["direction"] == "out" else dep_names_in).get(local, local)
        if (d["other"], d["detail"]) not in tree[name]:
            tree[name].append((d["other"], d["detail"]))
    by_prop = _by_property(statements)
    country = [v.value for v in by_prop.get(QA + "country", []) if isinstance(v, ox.Literal)]
    return {
        "activities": activities,
        "levels": levels,
        "dependencies": list(tree.items()),
        "accreditations": accreditations([iri]),
        "countries": [country_name(c) for c in country],
        "description": _text(by_prop.get(DCTERMS + "description", [])) or _text(by_prop.get(RDFS + "comment", [])),
        "homepage": next((v.value for v in by_prop.get("http://xmlns.com/foaf/0.1/homepage", [])), ""),
    }


# -- the requirement ----------------------------------------------------------------------


def requirement_profile(iri: str, statements: list[core.Statement]) -> dict[str, Any]:
    """What the requirement's card shows, made once per store generation, language and day."""
    return _cards.get(store(), ("requirement", iri, lang(), date.today().isoformat()),
                      lambda: _requirement_profile(iri, statements))


def _requirement_profile(iri: str, statements: list[core.Statement]) -> dict[str, Any]:
    by_prop = _by_property(statements)
    catalogue = cat()
    asks = []
    for c in sorted(_iris(by_prop.get(QA + "requiresCredential", [])), key=label):
        asks.append(("credential", c))
    for lv in _iris(by_prop.get(QA + "requiresMinimumLevel", [])):
        asks.append(("level", lv))
    identity = _bool(by_prop.get(QA + "requiresIdentityAssurance", []))
    country = [v.value for v in by_prop.get(QA + "country", []) if isinstance(v, ox.Literal)]
    today = date.today()
    return {
        "asks": asks,
        "identity": identity,
        "setters": _iris(by_prop.get(QA + "setBy", [])),
        "basis": _iris(by_prop.get(QA + "requirementBasis", [])),
        "valid_from": format_day(_date(by_prop.get(QA + "validFrom", []))),
        "valid_until": format_day(_date(by_prop.get(QA + "validUntil", []))),
        "countries": [country_name(c) for c in country],
        "conditions": [_text([v]) for v in by_prop.get(QA + "condition", []) if isinstance(v, ox.Literal)
                       and (v.language or "") in (lang(), "")] or
                      ([_text(by_prop.get(QA + "condition", []))] if by_prop.get(QA + "condition") else []),
        "description": _text(by_prop.get(DCTERMS + "description", [])),
        "satisfied_by": acceptance.rows_for_requirement(iri, today),
        "today": format_day(today),
        "level_notation": {lv.iri: lv.notation for lv in catalogue.levels()},
    }


__all__ = ["credential_card", "organisation_profile", "requirement_profile", "route_profile", "award_profile", "person_profile", "href"]


def init_app(app: Flask) -> None:
    @app.context_processor
    def cards_context() -> dict[str, Any]:
        return {"strength_words": strength_words, "justification_words": justification_words,
                "grouped_rows": acceptance.grouped}
