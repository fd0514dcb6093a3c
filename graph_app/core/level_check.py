"""What the level of each issuance route rests on, as a certification expert reads it.

* **B** (sector certificate): a sector body other than the issuer quality-assures the
  scheme; an issuer that is its own only assurer is "self-assured" (a warning,
  qash:BSelfAssuredShape).
* **C1** (independent, third-party): which of three cases holds, on a date:
  "accredited" (the issuer holds an accreditation by an accreditation body, to ISO/IEC
  17024 where the standard is recorded), "authority" (the issuer is a public authority,
  or an authority's licence or decision mandates it, qa:mandatedBy), or "neither" (a
  warning, qash:C1AccreditationOrAuthorityShape); and whether the issuer and examiners
  are independent of the trainers on that date, with the path when they are not.

Used by entity pages and `qagraph independence`; the words come in Swedish and English.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from . import independence, queries, store_rules
from .messages import message, normalise_language
from .namespaces import LVL, compact
from .store import Store
from .terms import literal_date as _date
from .terms import value_of as _value


@dataclass(frozen=True)
class Accreditation:
    record: str
    body: str
    standard: str = ""
    standard_id: str = ""
    start: date | None = None
    end: date | None = None


@dataclass
class RouteCheck:
    """The facts behind one route's level."""

    route: str
    level: str
    issuers: list[str] = field(default_factory=list)
    case: str = ""  # C1: accredited, authority, neither; B: sector, self-assured
    accreditations: list[Accreditation] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)
    assurers: list[str] = field(default_factory=list)
    dependences: list[independence.Dependence] = field(default_factory=list)
    on: date | None = None


def route_checks(store: Store, credential: str, on: date | None = None) -> list[RouteCheck]:
    """For each route of `credential`: its level, what the level rests on, and (at C1)
    whether issuer and examiners are independent of the trainers on `on` (today)."""
    day = on or date.today()
    checks: dict[str, RouteCheck] = {}
    result = store.query(queries.load("route-basis").text, bindings={"c": ox.NamedNode(credential)})
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        route = row["route"].value
        check = checks.setdefault(route, RouteCheck(route, row["level"].value, on=day))
        issuer = row["issuer"].value
        if issuer not in check.issuers:
            check.issuers.append(issuer)
        if _value(row, "authority") == "true" and issuer not in check.authorities:
            check.authorities.append(issuer)
        if _value(row, "mandateAuthority") == "true" and row["mandate"].value not in check.authorities:
            check.authorities.append(row["mandate"].value)
        if row["accreditation"] is not None:
            acc = Accreditation(row["accreditation"].value, row["body"].value, _value(row, "standard"),
                                _value(row, "standardId"), _date(row["start"]), _date(row["end"]))
            in_force = (acc.start is None or acc.start <= day) and (acc.end is None or day <= acc.end)
            if in_force and acc not in check.accreditations:
                check.accreditations.append(acc)
        for name in ("accreditedBy", "routeBody"):
            body = _value(row, name)
            if body and not any(a.body == body for a in check.accreditations):
                check.accreditations.append(Accreditation("", body))
        assurer = _value(row, "assurer")
        if assurer and assurer not in check.assurers:
            check.assurers.append(assurer)
    for check in checks.values():
        if check.level == LVL + "B":
            check.case = "self-assured" if check.assurers and set(check.assurers) <= set(check.issuers) else "sector"
        elif check.level == LVL + "C1":
            check.case = "accredited" if check.accreditations else "authority" if check.authorities else "neither"
            # the route's own part of the dependency graph, not the whole of it per page
            check.dependences = store_rules.dependences(store, [check.route], day)
    return sorted(checks.values(), key=lambda c: c.route)


def texts(check: RouteCheck, lang: str | None = None, label: Callable[[str], str] = compact) -> list[str]:
    """What one route's level rests on, in words."""
    lang = normalise_language(lang)
    out = []
    if check.case == "accredited":
        for acc in check.accreditations:
            standard = acc.standard_id or (label(acc.standard) if acc.standard else "")
            out.append(message("basis_accredited", lang, issuer=", ".join(label(i) for i in check.issuers),
                               body=label(acc.body),
                               standard=message("basis_standard", lang, standard=standard) if standard else ""))
    elif check.case == "authority":
        out.append(message("basis_authority", lang, authority=", ".join(label(a) for a in check.authorities)))
    elif check.case == "neither":
        out.append(message("basis_neither", lang, issuer=", ".join(label(i) for i in check.issuers)))
    elif check.case == "sector":
        out.append(message("basis_sector", lang, assurers=", ".join(label(a) for a in check.assurers)))
    elif check.case == "self-assured":
        out.append(message("basis_self_assured", lang, issuer=", ".join(label(i) for i in check.issuers)))
    if check.level == LVL + "C1":
        day = check.on.isoformat() if check.on else ""
        if not check.dependences:
            out.append(message("independent", lang, date=day))
        for dep in check.dependences:
            out.append(message("dependent", lang, date=day, party=label(dep.party), trainer=label(dep.trainer),
                               path=independence.path_text(dep.path, lang, label)))
    return out


__all__ = ["Accreditation", "RouteCheck", "route_checks", "texts"]
