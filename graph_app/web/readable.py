"""Values as people read them: dates in the interface's locale, durations and booleans in
words, country codes as country names, labels instead of IRIs, and a node's texts in the
interface language first with the other languages kept apart (behind a toggle)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyoxigraph as ox
from babel import Locale
from flask import Flask
from flask_babel import gettext as _

from ..core import words
from ..core.labels import FALLBACK
from ..core.namespaces import QA
from .browse import base_iri, cat, label, lang

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = {XSD + "date", XSD + "dateTime"}
COUNTRY_PROPERTIES = {QA + "country"}


def format_day(value: date | str | None) -> str:
    """A date in the interface's locale: 2023-06-30 in Swedish, 30 June 2023 in English."""
    return words.day(value, lang())


def duration_words(text: str) -> str:
    """An ISO 8601 duration in words: P5Y -> "5 år" / "5 years"."""
    return words.duration(text, lang())


def country_name(code: str) -> str:
    """ISO 3166 code -> the country's name in the interface language (Babel's CLDR data)."""
    return _country_name(code, lang()) if code else code


@functools.lru_cache(maxsize=1024)
def _country_name(code: str, language: str) -> str:
    name = Locale(language).territories.get(code.upper())
    return str(name) if name else code


def boolean_words(value: str) -> str:
    return _("yes") if value in ("true", "1") else _("no")


def literal_text(lit: ox.Literal, prop: str = "") -> str:
    """A literal as words: dates, durations, booleans and country codes made readable."""
    dt = lit.datatype.value if lit.datatype is not None else ""
    if prop in COUNTRY_PROPERTIES:
        return country_name(lit.value)
    if dt in DATE_TYPES:
        return format_day(lit.value)
    if dt == XSD + "duration":
        return duration_words(lit.value)
    if dt == XSD + "boolean":
        return boolean_words(lit.value)
    return lit.value


@dataclass
class Value:
    """One value of a statement, ready to show."""

    text: str
    href: str = ""  # a page of this app, or an outside link
    external: bool = False
    lang: str = ""
    iri: str = ""
    sources: tuple[str, ...] = ()


@dataclass
class Group:
    """The values of one property: those in the interface language (or the best
    fallback) first, the others apart."""

    prop: str
    name: str
    values: list[Value] = field(default_factory=list)
    other_languages: list[Value] = field(default_factory=list)


def is_node_of_ours(iri: str) -> bool:
    """An IRI this app can show a page for (data, ontology, vocabularies)."""
    return iri.startswith(base_iri()) or iri.startswith("https://w3id.org/qagraph/") or cat().has_labels(iri)


def value_of(term: Any, prop: str, sources: tuple[str, ...] = ()) -> Value:
    from .browse import href, label_lang

    if isinstance(term, ox.Literal):
        return Value(literal_text(term, prop), lang=term.language or "", sources=sources)
    iri = term.value
    if isinstance(term, ox.NamedNode) and not is_node_of_ours(iri):
        return Value(iri, href=iri, external=True, iri=iri, sources=sources)
    if isinstance(term, ox.BlankNode):
        return Value("[…]", sources=sources)
    return Value(label(iri), href=href(iri), lang=label_lang(iri), iri=iri, sources=sources)


def best_language(tags: Iterable[str]) -> str | None:
    """The language to show first among `tags`: the interface's, then sv, en, none."""
    present = set(tags)
    for key in (lang(), *FALLBACK, ""):
        if key in present:
            return key
    return None


def grouped(statements: Iterable[Any], skip: set[str] | None = None) -> list[Group]:
    """Statements (core.entity.Statement) grouped by property, readable, with texts in
    other languages set apart."""
    groups: dict[str, Group] = {}
    for st in statements:
        if skip and st.predicate in skip:
            continue
        grp = groups.get(st.predicate)
        if grp is None:
            grp = groups[st.predicate] = Group(st.predicate, label(st.predicate))
        grp.values.append(value_of(st.value, st.predicate, st.sources))
    for grp in groups.values():
        tags = {v.lang for v in grp.values if v.lang}
        if len(tags) > 0 and any(v.lang for v in grp.values):
            first = best_language(v.lang for v in grp.values if not v.href)
            if first is not None:
                keep = [v for v in grp.values if v.href or v.lang == first or not v.lang]
                grp.other_languages = [v for v in grp.values if not (v.href or v.lang == first or not v.lang)]
                grp.values = keep
        grp.values.sort(key=lambda v: v.text.casefold())
    return sorted(groups.values(), key=lambda g: g.name.casefold())


def init_app(app: Flask) -> None:
    @app.context_processor
    def readable_context() -> dict[str, Any]:
        return {"format_day": format_day, "country_name": country_name}
