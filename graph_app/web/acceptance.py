"""Answers of the satisfaction reasoning, as the pages show them: "Sverige: godtas om det
utfärdades senast 2023-06-30, till giltighetens slut".

Every answer comes from `core.satisfaction` (`Checker.check`, `answers_for`) and is said
in words by `core.explanation` (headline, summary, the path's sentences) in the interface
language; this module only chooses the questions a requirement's page asks (which
credentials may meet it) and gathers what a page links to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import pyoxigraph as ox
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core import explanation, queries
from ..core.errors import QagraphError
from ..core.satisfaction import CONDITIONAL, NO, UNKNOWN, YES, Answer, Checker, answers_for
from .browse import cat, label, lang, names_now, per_language, reasoning, store
from .readable import country_name

MAX_ROWS = 24
ORDER = {YES: 0, CONDITIONAL: 1, UNKNOWN: 2, NO: 3}


@per_language
def verdict_names() -> dict[str, str]:
    """The short verdicts of the badges; "depends" is an unknown whose only missing input
    is the issue date (a credential's page asks without one)."""
    return {YES: _("Yes"), CONDITIONAL: _("Yes, on conditions"), NO: _("No"), UNKNOWN: _("Unknown"),
            "depends": _("It depends")}


@dataclass
class Worded:
    """An answer in words: its value, the badge to wear, the core's headline and
    one-sentence summary, who recognises, the recognitions and mapping records to link to,
    and (said when first asked for, in the answer's language: the rows of a credential's
    card show only the summary) the path's sentences and the conditions."""

    status: str
    badge: str
    headline: str
    text: str
    who: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    answer: Answer | None = field(default=None, repr=False, compare=False)
    language: str = "sv"
    recognised: str = ""  # the names of who recognises, when the text does not say them

    @property
    def shown(self) -> str:
        """The text as a row shows it, which adds its own full stop."""
        return self.text.rstrip(".")

    @cached_property
    def lines(self) -> list[str]:
        if self.answer is None:
            return []
        return list(dict.fromkeys(explanation.lines(self.answer, self.language, label)))

    @cached_property
    def conditions(self) -> list[str]:
        if self.answer is None:
            return []
        return explanation.condition_texts(self.answer, self.language, label)


def word(answer: Answer, language: str | None = None, name: Callable[[str], str] | None = None) -> Worded:
    """The answer in words, in `language` (the interface's), naming things by `name`."""
    language = language or lang()
    name = name or label
    badge = answer.value
    if answer.value == UNKNOWN and answer.missing and all(m.name == "issued" for m in answer.missing):
        badge = "depends"
    links = [r.iri for r in answer.recognitions] + [s.record for s in answer.steps if s.record]
    text = explanation.summary(answer, language, name)
    who = list(dict.fromkeys(r.by for r in answer.recognitions if r.by))
    return Worded(
        status=answer.value,
        badge=badge,
        headline=explanation.headline(answer, language),
        text=text,
        who=who,
        links=list(dict.fromkeys(links)),
        answer=answer,
        language=language,
        recognised=", ".join(name(w) for w in who) if who and text.find(name(who[0])) < 0 else "",
    )


@dataclass
class Row:
    where: str
    requirement: str
    subject: str
    worded: Worded
    answer: Answer

    @property
    def status(self) -> str:
        return self.worded.status


GROUP_FROM = 3  # rows with the same verdict and the same words: said once from this many


@dataclass
class Group:
    """Rows whose answers say the same thing (the same verdict, words and recogniser), said
    once: "No: the award expired on 19 July 2024" for 24 requirements is one line with the
    24 requirements one click away, not 24 lines."""

    worded: Worded
    members: list[Row]

    @property
    def status(self) -> str:
        return self.worded.status

    @property
    def where(self) -> str:
        """The countries the requirements are of, or how many requirements there are."""
        places = list(dict.fromkeys(r.where for r in self.members if r.answer.country))
        if places and len(places) == len({r.answer.country for r in self.members}) and \
                all(r.answer.country for r in self.members):
            return ", ".join(places)
        return ngettext("%(num)d requirement", "%(num)d requirements", len(self.members))


def grouped(rows: list[Row]) -> list[Row | Group]:
    """The rows, with those that say the same thing (at least GROUP_FROM of them) said
    once, where the first of them stood."""
    same: dict[tuple[str, str, tuple[str, ...]], list[Row]] = {}
    for row in rows:
        same.setdefault((row.worded.badge, row.worded.text, tuple(row.worded.who)), []).append(row)
    out: list[Row | Group] = []
    for row in rows:
        members = same[(row.worded.badge, row.worded.text, tuple(row.worded.who))]
        if len(members) < GROUP_FROM:
            out.append(row)
        elif members[0] is row:
            out.append(Group(row.worded, members))
    return out


def _checker() -> Checker:

    return Checker(store(), reasoning())


def _where(answer: Answer, name: Callable[[str], str] = label) -> str:
    return country_name(answer.country) if answer.country else name(answer.requirement)


def rows_for_credential(iri: str, on: date | None = None) -> list[Row]:
    """One row per requirement the credential may be asked against (core's
    `answers_for`), answered on `on` (today)."""
    try:
        answers = answers_for(store(), iri, on or date.today(), None, checker=_checker(), limit=MAX_ROWS)
    except QagraphError:
        return []
    language, name = lang(), names_now().label  # looked up once for the two dozen rows
    rows = [Row(_where(a, name), a.requirement, iri, word(a, language, name), a) for a in answers[:MAX_ROWS]]
    return sorted(rows, key=lambda r: (ORDER[r.status], r.where.casefold(), name(r.requirement)))


def rows_for_requirement(iri: str, on: date) -> list[Row]:
    """The credentials that may satisfy the requirement (named, recognised for it, exact
    equivalents of those, or of the level it asks), each answered on `on`."""
    checker = _checker()
    result = store().query(queries.load("card-requirement-candidates").text, bindings={"node": ox.NamedNode(iri)})
    assert isinstance(result, ox.QuerySolutions)
    named = [row["c"].value for row in result]
    family = list(named)
    for c in named:
        family += checker.reasoning.exact_equivalents(c)
    catalogue = cat()
    entry = catalogue.entries.get(iri)
    wanted = [catalogue.ranks.get(lv, 99) for lv in (entry.facets.get("level", ()) if entry else ())]
    if wanted:
        rank = min(wanted)
        family += [c.iri for c in catalogue.of_kind("credential")
                   if min((catalogue.ranks.get(lv, 99) for lv in c.facets.get("level", ())), default=99) <= rank]
    rows = []
    for cred in list(dict.fromkeys(family))[:MAX_ROWS * 2]:
        try:
            answer = checker.check(cred, iri, on, None)
        except QagraphError:
            continue
        if answer.value == NO and [n.kind for n in answer.notes + answer.path] in (["no-path"], []):
            continue
        rows.append(Row(", ".join(country_name(c) for c in sorted(catalogue.entries[cred].facets.get("country", ())))
                        if cred in catalogue.entries else "", iri, cred, word(answer), answer))
    return sorted(rows, key=lambda r: (ORDER[r.status], label(r.subject).casefold()))


def check(subject: str, requirement: str, on: date, issued: date | None) -> tuple[Answer, Worded]:
    """One question, answered by the reasoning and put in words."""
    answer = _checker().check(subject, requirement, on, issued)
    return answer, word(answer)


__all__ = ["Row", "Worded", "check", "rows_for_credential", "rows_for_requirement", "verdict_names"]
