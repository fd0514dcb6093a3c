"""Answers of the satisfaction reasoning, in words: "Sverige: godtas om det utfärdades
senast 2023-06-30, till giltighetens slut".

Every answer comes from `core.satisfaction.Checker`; this module only chooses the
questions (which requirements a credential may meet, which credentials may meet a
requirement), gathers what the page names (who recognises, dates, conditions) and words
the answer in four values: yes, yes on conditions, no, unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyoxigraph as ox
from flask_babel import gettext as _

from ..core import queries
from ..core.errors import QagraphError
from ..core.satisfaction import Answer, Checker, Reason
from .browse import cat, label, lang, store
from .readable import country_name, format_day

YES, CONDITIONAL, NO, UNKNOWN = "yes", "conditional", "no", "unknown"
MAX_ROWS = 24


def verdict_names() -> dict[str, str]:
    return {YES: _("Yes"), CONDITIONAL: _("Yes, on conditions"), NO: _("No"), UNKNOWN: _("Unknown")}


@dataclass
class Recognition:
    iri: str
    by: list[str] = field(default_factory=list)
    valid_from: str = ""
    valid_until: str = ""
    issued_from: str = ""
    issued_until: str = ""
    conditions: dict[str, str] = field(default_factory=dict)

    def condition(self) -> str:
        for key in (lang(), "sv", "en", ""):
            if key in self.conditions:
                return self.conditions[key]
        return next(iter(self.conditions.values()), "")


def recognitions(iris: list[str]) -> dict[str, Recognition]:
    if not iris:
        return {}
    text = queries.with_values(queries.load("card-recognitions").text, "rec",
                               [ox.NamedNode(i) for i in sorted(set(iris))])
    result = store().query(text)
    assert isinstance(result, ox.QuerySolutions)
    out: dict[str, Recognition] = {}
    for row in result:
        rec = out.setdefault(row["rec"].value, Recognition(row["rec"].value))
        if row["by"] is not None and row["by"].value not in rec.by:
            rec.by.append(row["by"].value)
        for key, var in (("valid_from", "from"), ("valid_until", "until"),
                         ("issued_from", "issuedFrom"), ("issued_until", "issuedUntil")):
            if row[var] is not None and not getattr(rec, key):
                setattr(rec, key, row[var].value[:10])
        if row["condition"] is not None:
            rec.conditions.setdefault(row["condition"].language or "", row["condition"].value)
    return out


def _recognition_iris(answer: Answer) -> list[str]:
    found = [r.object for r in answer.path if r.kind == "recognition"]
    found += [r.subject for r in answer.notes if r.kind.startswith("recognition-") or r.kind in
              ("issue-date-needed", "issued-outside-window")]
    return found


def _names(iris: list[str]) -> str:
    return ", ".join(label(i) for i in iris)


def _window(note: Reason) -> tuple[str, str]:
    start, _sep, end = note.detail.partition("..")
    return start, end


@dataclass
class Worded:
    """An answer in words: its value, a headline, the sentences that explain it, and the
    nodes of its path (each a link on the page)."""

    status: str
    text: str
    reasons: list[str] = field(default_factory=list)
    path: list[tuple[str, str, str]] = field(default_factory=list)  # (text, subject, object)
    who: list[str] = field(default_factory=list)
    valid_from: str = ""
    valid_until: str = ""
    conditions: list[str] = field(default_factory=list)


def word(answer: Answer, recs: dict[str, Recognition] | None = None, *, is_check: bool = False) -> Worded:
    """The answer in words. `is_check`: the question gave an issue date (a check), so a
    recognition bounded by issue dates is decided; without one (a credential's page) such
    a recognition makes the answer "yes if issued …"."""
    recs = recs if recs is not None else recognitions(_recognition_iris(answer))
    worded = _word_yes(answer, recs) if answer.satisfied else _word_no(answer, recs, is_check)
    worded.reasons = list(dict.fromkeys(worded.reasons))  # one sentence once
    return worded


def _word_yes(answer: Answer, recs: dict[str, Recognition]) -> Worded:
    out = Worded(YES, "")
    for r in answer.path:
        if r.kind == "direct-credential":
            out.reasons.append(_("The requirement names this credential."))
        elif r.kind == "direct-level":
            notation = cat().notations.get(r.object, label(r.object))
            out.reasons.append(_("A route of %(credential)s reaches level %(level)s, which the requirement accepts.",
                                 credential=label(r.subject), level=notation))
            out.path.append((_("route"), r.detail, ""))
        elif r.kind == "equivalence":
            out.reasons.append(_("It is exactly equivalent to %(other)s (an accepted mapping).", other=label(r.object)))
            out.path.append((_("equivalent"), r.object, ""))
        elif r.kind == "recognition":
            rec = recs.get(r.object, Recognition(r.object))
            out.who = rec.by
            out.valid_from, out.valid_until = rec.valid_from, rec.valid_until
            sentence = _("%(who)s recognises it.", who=_names(rec.by)) if rec.by else _("A recognition covers it.")
            if rec.valid_from or rec.valid_until:
                sentence += " " + _period(rec.valid_from, rec.valid_until)
            if rec.issued_until or rec.issued_from:
                sentence += " " + _issue_window(rec.issued_from, rec.issued_until)
            out.reasons.append(sentence)
            out.path.append((_("recognition"), r.object, ""))
            if rec.condition():
                out.status = CONDITIONAL
                out.conditions.append(rec.condition())
    for s in answer.steps:
        out.path.append((_("mapping"), s.subject, s.object))
    out.text = _accepted_text(out, answer)
    return out


def _period(start: str, end: str) -> str:
    if start and end:
        return _("Valid from %(start)s to %(end)s.", start=format_day(start), end=format_day(end))
    if start:
        return _("Valid from %(start)s.", start=format_day(start))
    return _("Valid until %(end)s.", end=format_day(end))


def _issue_window(start: str, end: str) -> str:
    if start and end:
        return _("It covers certificates issued from %(start)s to %(end)s, until they expire.",
                 start=format_day(start), end=format_day(end))
    if end:
        return _("It covers certificates issued on or before %(end)s, until they expire.", end=format_day(end))
    return _("It covers certificates issued on or after %(start)s, until they expire.", start=format_day(start))


def _accepted_text(out: Worded, answer: Answer) -> str:
    if out.status == CONDITIONAL:
        return _("accepted on condition: %(conditions)s", conditions="; ".join(out.conditions))
    if out.who:
        text = _("accepted, recognised by %(who)s", who=_names(out.who))
        if out.valid_until:
            text += " " + _("until %(date)s", date=format_day(out.valid_until))
        return text
    kinds = [r.kind for r in answer.path]
    if "equivalence" in kinds:
        other = next(r.object for r in answer.path if r.kind == "equivalence")
        return _("accepted through its exact equivalent %(other)s", other=label(other))
    if "direct-level" in kinds:
        return _("accepted: its assurance level meets the minimum")
    return _("accepted: the requirement names this credential")


def _word_no(answer: Answer, recs: dict[str, Recognition], is_check: bool) -> Worded:
    out = Worded(NO, _("not accepted"))
    issued = format_day(answer.issued) if answer.issued else ""
    for note in answer.notes:
        rec = recs.get(note.subject)
        who = _names(rec.by) if rec and rec.by else _("the recognising body")
        if rec is not None:
            out.who = rec.by
            out.path.append((_("recognition"), rec.iri, ""))
        if note.kind == "issue-date-needed":
            start, end = _window(note)
            if end and start:
                out.text = _("accepted if it was issued from %(start)s to %(end)s, until it expires",
                             start=format_day(start), end=format_day(end))
            elif end:
                out.text = _("accepted if it was issued on or before %(end)s, until it expires", end=format_day(end))
            else:
                out.text = _("accepted if it was issued on or after %(start)s, until it expires", start=format_day(start))
            out.status = UNKNOWN if is_check else CONDITIONAL
            out.reasons.append(_("%(who)s recognises it only by its issue date: %(window)s Give the issue date to decide.",
                                 who=who, window=_issue_window(start, end)))
            if rec is not None and rec.condition():
                out.conditions.append(rec.condition())
        elif note.kind == "issued-outside-window":
            start, end = _window(note)
            out.status = NO
            if end and (not start or (answer.issued and answer.issued.isoformat() > end)):
                out.text = _("not accepted: issued after %(end)s", end=format_day(end))
                out.reasons.append(_("%(who)s's recognition ends with certificates issued on %(end)s; this one was issued on %(issued)s.",
                                     who=who, end=format_day(end), issued=issued))
            else:
                out.text = _("not accepted: issued before %(start)s", start=format_day(start))
                out.reasons.append(_("%(who)s's recognition begins with certificates issued on %(start)s; this one was issued on %(issued)s.",
                                     who=who, start=format_day(start), issued=issued))
        elif note.kind == "recognition-ended":
            out.text = _("not accepted since %(date)s: the recognition has ended", date=format_day(note.detail))
            out.reasons.append(_("The recognition by %(who)s ended on %(date)s.", who=who, date=format_day(note.detail)))
        elif note.kind == "recognition-not-yet-valid":
            out.text = _("accepted from %(date)s", date=format_day(note.detail))
            out.reasons.append(_("The recognition by %(who)s applies from %(date)s.", who=who, date=format_day(note.detail)))
        elif note.kind == "expired":
            out.text = _("not accepted: expired on %(date)s", date=format_day(note.detail))
            out.reasons.append(_("It expired on %(date)s.", date=format_day(note.detail)))
        elif note.kind == "requirement-not-in-force":
            start, end = _window(note)
            out.status = UNKNOWN
            out.text = _("the requirement is not in force on this date")
            out.reasons.append(_("The requirement applies %(period)s", period=_period(start, end)))
        elif note.kind == "no-path":
            out.reasons.append(_("Neither the credential itself, an accepted exact equivalent nor a recognition meets the requirement."))
    return out


# -- the questions a page asks -----------------------------------------------------------


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


def _checker() -> Checker:
    from .mappings import _reasoning

    return Checker(store(), _reasoning())


def _country(iri: str) -> str:
    entry = cat().entries.get(iri)
    codes = sorted(entry.facets.get("country", ())) if entry else []
    return ", ".join(country_name(c) for c in codes)


def _min_level_requirements(credential: str) -> list[str]:
    catalogue = cat()
    entry = catalogue.entries.get(credential)
    if entry is None:
        return []
    best = min((catalogue.ranks.get(lv, 99) for lv in entry.facets.get("level", ())), default=99)
    found = []
    for req in catalogue.of_kind("requirement"):
        for lv in req.facets.get("level", ()):
            if catalogue.ranks.get(lv, -1) >= best:
                found.append(req.iri)
                break
    return found


def rows_for_credential(iri: str, on: date | None = None) -> list[Row]:
    """One row per requirement the credential may meet, answered today by the reasoning;
    requirements it plainly does not meet (no path at all) are left out."""
    checker = _checker()
    family = [iri, *checker.reasoning.exact_equivalents(iri)]
    result = store().query(queries.with_values(queries.load("card-requirements").text, "c",
                                               [ox.NamedNode(c) for c in family]))
    assert isinstance(result, ox.QuerySolutions)
    candidates = list(dict.fromkeys([row["req"].value for row in result] + _min_level_requirements(iri)))
    answers: list[Answer] = []
    for req in candidates[:MAX_ROWS]:
        try:
            answer = checker.check(iri, req, on or date.today(), None)
        except QagraphError:
            continue
        if not answer.satisfied and [n.kind for n in answer.notes] == ["no-path"]:
            continue
        answers.append(answer)
    recs = recognitions([i for a in answers for i in _recognition_iris(a)])
    rows = [Row(_country(a.requirement) or label(a.requirement), a.requirement, iri, word(a, recs), a)
            for a in answers]
    order = {YES: 0, CONDITIONAL: 1, UNKNOWN: 2, NO: 3}
    return sorted(rows, key=lambda r: (order[r.status], r.where.casefold(), label(r.requirement)))


def rows_for_requirement(iri: str, on: date) -> list[Row]:
    """The credentials that may satisfy the requirement, each answered on `on`."""
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
    answers: list[Answer] = []
    for cred in list(dict.fromkeys(family))[:MAX_ROWS * 2]:
        try:
            answer = checker.check(cred, iri, on, None)
        except QagraphError:
            continue
        if not answer.satisfied and [n.kind for n in answer.notes] == ["no-path"]:
            continue
        answers.append(answer)
    recs = recognitions([i for a in answers for i in _recognition_iris(a)])
    rows = [Row(_country(a.credential), iri, a.credential, word(a, recs), a) for a in answers]
    order = {YES: 0, CONDITIONAL: 1, UNKNOWN: 2, NO: 3}
    return sorted(rows, key=lambda r: (order[r.status], label(r.subject).casefold()))


def check(subject: str, requirement: str, on: date, issued: date | None) -> tuple[Answer, Worded]:
    """One question, answered by the reasoning and put in words."""
    answer = _checker().check(subject, requirement, on, issued)
    return answer, word(answer, is_check=True)


__all__ = ["Row", "Worded", "check", "rows_for_credential", "rows_for_requirement", "verdict_names", "Any"]
