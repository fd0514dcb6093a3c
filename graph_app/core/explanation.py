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
from .messages import known, message, normalise_language
from .satisfaction import CONDITIONAL, NO, YES, Answer, Missing, Reason

Label = Callable[[str], str]


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
    if not known(key):
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
