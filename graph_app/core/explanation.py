"""Answers in words, in Swedish and English, for the command line and the web alike.

`headline` gives the verdict ("Ja, på villkor"), `summary` one sentence for a row of a
credential's "where it is accepted" ("godtas om det utfärdades senast 2023-06-30, till
giltighetens slut"), and `lines` the path behind the answer, one sentence per step. Names
of things come from a `label` function (IRI -> text in the wanted language), so that the
core stays free of the store's label lookups and the web can pass its own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from . import words
from .labels import local_name
from .messages import CATALOGUE, message, normalise_language
from .satisfaction import CONDITIONAL, NO, UNKNOWN, YES, Answer, Missing, Reason

Label = Callable[[str], str]

HEADLINES = {
    YES: ("Ja", "Yes"),
    CONDITIONAL: ("Ja, på villkor", "Yes, on conditions"),
    NO: ("Nej", "No"),
    UNKNOWN: ("Kan inte avgöras utan mer uppgifter", "Cannot tell without more input"),
}

VIA = {
    "direct": ("direkt", "direct"),
    "recognition": ("genom ett erkännande", "through a recognition"),
    "equivalence": ("genom en godkänd exakt likvärdighet", "through an accepted exact equivalence"),
}

# One sentence per kind of step. Placeholders: {subject} and {object} are labels of the
# step's IRIs, {detail} its dates or duration as written in the data.
STEP_TEXTS = {
    "direct-credential": ("kravet {object} gäller just {subject}",
                          "the requirement {object} asks for {subject} itself"),
    "direct-level": ("{subject} når nivån {object} (utfärdandeväg: {detail})",
                     "{subject} reaches level {object} (issuance route: {detail})"),
    "level-too-weak": ("{subject} når som starkast nivån {object}, svagare än kravets",
                       "{subject} reaches level {object} at best, weaker than the requirement's"),
    "recognition": ("{object} erkänner beviset: {subject}", "{object} recognises it: {subject}"),
    "issue-date-needed": ("erkännandet omfattar bara bevis utfärdade {window}; ange utfärdandedatumet",
                          "the recognition covers only awards issued {window}; give the issue date"),
    "issued-in-window": ("beviset utfärdades {window}, som erkännandet omfattar, och räknas till giltighetens slut",
                         "the award was issued {window}, which the recognition covers, and counts until it expires"),
    "issued-outside-window": ("erkännandet omfattar bara bevis utfärdade {window}, och detta utfärdades inte då",
                              "the recognition covers only awards issued {window}, and this one was not"),
    "recognition-ended": ("erkännandet upphörde {detail}", "the recognition ended on {detail}"),
    "recognition-not-yet-valid": ("erkännandet gäller först från {detail}",
                                  "the recognition applies only from {detail}"),
    "recognised-as-does-not-satisfy": ("erkännandet {subject} likställer beviset med {object}, som inte uppfyller kravet",
                                       "the recognition {subject} treats the credential as {object}, which does not meet the requirement"),
    "recognition-other-jurisdiction": ("erkännandet {subject} av {object} hör inte till kravets jurisdiktion och räknas inte",
                                       "the recognition {subject} by {object} is not of the requirement's jurisdiction and does not count"),
    "equivalence": ("{subject} är exakt likvärdigt med {object} enligt en godkänd mappning",
                    "{subject} is an exact equivalent of {object} by an accepted mapping"),
    "equivalence-not-consulted": ("kravets jurisdiktion har själv beslutat om {subject}; likvärdighetsmappningar används inte",
                                  "the requirement's jurisdiction has decided on {subject} itself; equivalence mappings are not used"),
    "identity-met": ("identiteten kontrollerades med {subject}, som räcker för kravets lägsta, {object}",
                     "identity was verified by {subject}, which meets the requirement's minimum, {object}"),
    "identity-met-by-route": ("utfärdandevägen kräver {subject}, som räcker för kravets lägsta, {object}",
                              "the issuance route requires {subject}, which meets the requirement's minimum, {object}"),
    "identity-from-route": ("beviset anger inte sin identitetskontroll; den utfärdandeväg det kom genom kräver den",
                            "the award does not record its identity verification; the route it came through requires it"),
    "identity-weaker": ("identitetskontrollen {subject} är svagare än kravets lägsta, {object}",
                        "the identity verification {subject} is weaker than the requirement's minimum, {object}"),
    "too-old": ("beviset är äldre än kravet tillåter ({detail})",
                "the award is older than the requirement allows ({detail})"),
    "age-met": ("beviset är inte äldre än kravet tillåter ({detail})",
                "the award is no older than the requirement allows ({detail})"),
    "age-limit": ("kravet godtar bara bevis som inte är äldre än {detail}",
                  "the requirement accepts only awards no older than {detail}"),
    "all-covered-expired": ("alla bevis som kan räknas, utfärdade senast {detail}, har upphört att gälla vid datumet",
                            "every award that could count, issued by {detail}, has expired on the date"),
    "no-issue-date-fits": ("inget utfärdandedatum uppfyller både erkännandet och kravet ({window})",
                           "no issue date meets both the recognition and the requirement ({window})"),
    "requirement-conditions": ("kravet {subject} ställer egna villkor", "the requirement {subject} sets conditions of its own"),
    "requirement-not-in-force": ("kravet {subject} gäller inte vid datumet ({window})",
                                 "the requirement {subject} is not in force on the date ({window})"),
    "expired": ("beviset {subject} upphörde att gälla {detail}", "the award {subject} expired on {detail}"),
    "no-path": ("ingen direkt träff, inget erkännande och ingen likvärdighet leder till kravet",
                "no direct match, recognition or equivalence leads to the requirement"),
}

CATALOGUE.update({f"answer_{k}": {"sv": sv, "en": en} for k, (sv, en) in HEADLINES.items()})
CATALOGUE.update({f"via_{k}": {"sv": sv, "en": en} for k, (sv, en) in VIA.items()})
CATALOGUE.update({f"step_{k}": {"sv": sv, "en": en} for k, (sv, en) in STEP_TEXTS.items()})
CATALOGUE.update({
    "summary_yes": {"sv": "godtas", "en": "accepted"},
    "summary_until": {"sv": "till {date}", "en": "until {date}"},
    "summary_to_expiry": {"sv": "till giltighetens slut", "en": "until it expires"},
    "summary_on_conditions": {"sv": "godtas på villkor: {conditions}",
                              "en": "accepted on conditions: {conditions}"},
    "summary_no": {"sv": "godtas inte", "en": "not accepted"},
    "summary_if": {"sv": "godtas om {what}", "en": "accepted if {what}"},
    "summary_unknown": {"sv": "kan inte avgöras utan {what}", "en": "cannot tell without {what}"},
    "summary_by": {"sv": "erkänt av {who}", "en": "recognised by {who}"},
    "if_issued_until": {"sv": "det utfärdades senast {date}", "en": "it was issued by {date}"},
    "if_issued_from": {"sv": "det utfärdades tidigast {date}", "en": "it was issued on or after {date}"},
    "if_issued_between": {"sv": "det utfärdades mellan {start} och {end}",
                          "en": "it was issued between {start} and {end}"},
    "if_identity": {"sv": "identiteten kontrollerades med minst {method}",
                    "en": "identity was verified by at least {method}"},
    "if_route": {"sv": "det utfärdades genom {routes}", "en": "it was issued through {routes}"},
    "missing_issued": {"sv": "utfärdandedatumet", "en": "the issue date"},
    "missing_identity": {"sv": "uppgift om hur identiteten kontrollerades",
                         "en": "how identity was verified"},
    "missing_route": {"sv": "uppgift om utfärdandevägen", "en": "the issuance route"},
    "window_between": {"sv": "mellan {start} och {end}", "en": "between {start} and {end}"},
    "window_until": {"sv": "senast {end}", "en": "by {end}"},
    "window_from": {"sv": "tidigast {start}", "en": "on or after {start}"},
    "and": {"sv": " och ", "en": " and "},
    "or": {"sv": " eller ", "en": " or "},
    "identity_compared": {"sv": "identitetskontroll: kravet kräver minst {required}; {held}",
                          "en": "identity verification: the requirement needs at least {required}; {held}"},
    "identity_held_award": {"sv": "beviset anger {method}", "en": "the award records {method}"},
    "identity_held_route": {"sv": "utfärdandevägen kräver {method}", "en": "the issuance route requires {method}"},
    "identity_held_unknown": {"sv": "hur identiteten kontrollerades är inte känt",
                              "en": "how identity was verified is not known"},
})


def _window(detail: str, lang: str) -> str:
    """"2021-01-01..2023-06-30" in words."""
    start, _, end = (words.day(part, lang) for part in detail.partition(".."))
    if start and end:
        return message("window_between", lang, start=start, end=end)
    if end:
        return message("window_until", lang, end=end)
    if start:
        return message("window_from", lang, start=start)
    return ""


def _default_label(iri: str) -> str:
    return local_name(iri)


# Steps whose detail is a duration (the requirement's maximum age); other details are
# dates or date windows, written in the language's form.
DURATION_STEPS = {"too-old", "age-met", "age-limit"}


def headline(answer: Answer, lang: str | None = None) -> str:
    """The verdict, with how it was reached: "Ja (genom ett erkännande)"."""
    lang = normalise_language(lang)
    text = message(f"answer_{answer.value}", lang)
    if answer.via and answer.value in (YES, CONDITIONAL):
        text += f" ({message('via_' + answer.via, lang)})"
    return text


def step(reason: Reason, lang: str | None = None, label: Label = _default_label) -> str:
    """One step of the path as a sentence."""
    lang = normalise_language(lang)
    key = f"step_{reason.kind}"
    if key not in CATALOGUE:
        return " ".join(p for p in (reason.kind, label(reason.subject) if reason.subject else "",
                                    label(reason.object) if reason.object else "", reason.detail) if p)
    detail = reason.detail
    if reason.kind == "direct-level":
        detail = label(reason.detail) if reason.detail else ""
    elif reason.kind in DURATION_STEPS:
        detail = words.duration(detail, lang)
    else:
        detail = words.day(detail, lang)
    return message(key, lang,
                   subject=label(reason.subject) if reason.subject else "",
                   object=label(reason.object) if reason.object else "",
                   detail=detail, window=_window(reason.detail, lang))


def _join(items: list[str], lang: str, word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + message(word, lang) + items[-1]


def condition_texts(answer: Answer, lang: str | None = None, label: Label = _default_label) -> list[str]:
    """Each condition as "kind: text"."""
    lang = normalise_language(lang)
    out = []
    for c in answer.conditions:
        kind, text = label(c.kind), c.text(lang)
        out.append(f"{kind}: {text}" if text and text.rstrip(".").lower() != kind.lower() else kind)
    return out


def _if_missing(missing: Missing, lang: str, label: Label) -> str:
    if missing.name == "issued":
        if missing.earliest and missing.latest:
            return message("if_issued_between", lang, start=words.day(missing.earliest, lang),
                           end=words.day(missing.latest, lang))
        if missing.latest:
            return message("if_issued_until", lang, date=words.day(missing.latest, lang))
        if missing.earliest:
            return message("if_issued_from", lang, date=words.day(missing.earliest, lang))
        return ""
    if missing.name == "route":
        return message("if_route", lang, routes=_join([label(r) for r in missing.options], lang, "or"))
    return ""


def summary(answer: Answer, lang: str | None = None, label: Label = _default_label) -> str:
    """One sentence for the answer: what a row of "where it is accepted" says."""
    lang = normalise_language(lang)
    by = [r.by for r in answer.recognitions if r.by]
    until: date | None = answer.valid_until
    if answer.value == YES:
        parts = [message("summary_yes", lang)]
        if by and answer.via == "recognition":
            parts.append(message("summary_by", lang, who=_join([label(b) for b in by], lang)))
        if until:
            parts.append(message("summary_until", lang, date=words.day(until, lang)))
        return ", ".join(parts)
    if answer.value == CONDITIONAL:
        return message("summary_on_conditions", lang,
                       conditions="; ".join(condition_texts(answer, lang, label)))
    if answer.value == NO:
        reasons = [step(r, lang, label) for r in answer.path if r.kind not in (
            "recognition", "direct-credential", "equivalence", "equivalence-not-consulted")]
        tail = reasons[-1] if reasons else (step(answer.notes[-1], lang, label) if answer.notes else "")
        return message("summary_no", lang) + (f": {tail}" if tail else "")
    conditions = [t for t in (_if_missing(m, lang, label) for m in answer.missing) if t]
    identity = next((m for m in answer.missing if m.name == "identity"), None)
    if identity is not None and answer.identity is not None:
        conditions.append(message("if_identity", lang, method=label(answer.identity.required)))
    if conditions:
        text = message("summary_if", lang, what=_join(conditions, lang))
        if any(m.name == "issued" for m in answer.missing) and answer.via == "recognition":
            text += ", " + message("summary_to_expiry", lang)
        return text
    what = _join([message(f"missing_{m.name}", lang) for m in answer.missing], lang)
    return message("summary_unknown", lang, what=what)


def identity_text(answer: Answer, lang: str | None = None, label: Label = _default_label) -> str:
    """The two identity-verification methods compared, in a sentence ("" when the
    requirement sets no minimum)."""
    lang = normalise_language(lang)
    check = answer.identity
    if check is None:
        return ""
    if check.held is None:
        held = message("identity_held_unknown", lang)
    else:
        held = message(f"identity_held_{check.held_from}", lang, method=label(check.held))
    return message("identity_compared", lang, required=label(check.required), held=held)


def lines(answer: Answer, lang: str | None = None, label: Label = _default_label) -> list[str]:
    """The path behind the answer, then what was considered and did not count."""
    lang = normalise_language(lang)
    out = [step(r, lang, label) for r in answer.path]
    identity = identity_text(answer, lang, label)
    if identity:
        out.append(identity)
    out += [step(r, lang, label) for r in answer.notes]
    # each line a sentence of its own (the conditions are in the summary)
    return [line[:1].upper() + line[1:] for line in out]
