"""Reading and writing single cells by column type (see spec.ColumnType).

`parse` turns the text of one cell into RDF terms or a problem (a message key with its
values); `render` does the reverse for the exporter. References are resolved elsewhere
(reader.py), because they need every row of the load.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from urllib.parse import urlsplit

import isodate
import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from . import concepts
from .spec import EQF_BASE, SEPARATOR, Column

SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
TAGGED_RE = re.compile(r"^(.*\S)\s*@([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)$", re.DOTALL)
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE = {"true", "ja", "yes", "sant", "1", "j", "y"}
FALSE = {"false", "nej", "no", "falskt", "0", "n"}


class Problem(Exception):
    """A bad cell: a message key of graph_app.core.messages and its values."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def cell_text(value: object) -> str:
    """The text of a cell value as openpyxl or csv gives it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def split(column: Column, text: str) -> list[str]:
    """The values of a cell: several for a `multiple` column, else the one text."""
    if not text:
        return []
    if not column.multiple:
        return [text]
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def slugify(text: str) -> str:
    """A stable slug: ASCII letters and digits joined by '-' (å -> a, ö -> o)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_iri(text: str) -> bool:
    """An http(s) IRI that the store accepts (Oxigraph checks it against RFC 3987)."""
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. "Invalid IPv6 URL" for a stray bracket
        return False
    if parts.scheme not in {"http", "https"} or not parts.netloc or re.search(r"\s|[<>\"{}^`\\]", text):
        return False
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _valid_language(tag: str) -> bool:
    """A BCP 47 tag that the store accepts (Oxigraph checks it)."""
    try:
        ox.Literal("", language=tag)
    except ValueError:
        return False
    return True


def _allowed(names: list[str]) -> str:
    return ", ".join(names)


def parse(column: Column, text: str) -> Node:
    """One value of a non-reference column as an RDF term; raise Problem when bad."""
    kind = column.type
    if kind == "text":
        return Literal(text)
    if kind == "langtext":
        return Literal(text, lang=column.lang)
    if kind == "tagged":
        match = TAGGED_RE.match(text)
        if not match or not _valid_language(match.group(2)):
            raise Problem("cell_bad_tagged", value=text)
        return Literal(match.group(1), lang=match.group(2).lower())
    if kind == "date":
        if not DATE_RE.match(text):
            raise Problem("cell_bad_date", value=text)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise Problem("cell_bad_date", value=text) from None
        return Literal(day.isoformat(), datatype=XSD.date)
    if kind == "duration":
        try:
            if not text.startswith("P"):
                raise ValueError(text)
            isodate.parse_duration(text)
        except (ValueError, isodate.ISO8601Error):
            raise Problem("cell_bad_duration", value=text) from None
        return Literal(text, datatype=XSD.duration)
    if kind == "boolean":
        low = text.casefold()
        if low in TRUE:
            return Literal("true", datatype=XSD.boolean)
        if low in FALSE:
            return Literal("false", datatype=XSD.boolean)
        raise Problem("cell_bad_boolean", value=text)
    if kind in {"integer", "eqf"}:
        try:
            number = int(text)
        except ValueError:
            raise Problem("cell_bad_integer", value=text) from None
        _check_range(column, number)
        if kind == "eqf":
            return URIRef(f"{EQF_BASE}{number}")
        return Literal(str(number), datatype=XSD.integer)
    if kind == "decimal":
        try:
            real = float(text)
        except ValueError:
            raise Problem("cell_bad_decimal", value=text) from None
        _check_range(column, real)
        return Literal(repr(real), datatype=XSD.double)
    if kind == "url":
        if not is_iri(text):
            raise Problem("cell_bad_url", value=text)
        return URIRef(text)
    if kind == "country":
        if not COUNTRY_RE.match(text):
            raise Problem("cell_bad_country", value=text)
        return Literal(text)
    if kind == "concept":
        assert column.scheme
        iri = concepts.resolve(column.scheme, text)
        if iri is None:
            raise Problem("cell_unknown_concept", value=text,
                          scheme=concepts.scheme_label(column.scheme, "en"),
                          allowed=_allowed([c.notation for c in concepts.concepts(column.scheme)]))
        return URIRef(iri)
    if kind == "choice":
        low = text.casefold()
        for choice in column.choices:
            if low in {choice.value.casefold(), choice.sv.casefold(), choice.en.casefold(),
                       choice.iri.casefold()}:
                return URIRef(choice.iri) if is_iri(choice.iri) else Literal(choice.iri)
        raise Problem("cell_bad_choice", value=text, allowed=_allowed([c.value for c in column.choices]))
    raise ValueError(f"no parser for column type {kind}")


def _check_range(column: Column, number: float) -> None:
    low, high = column.minimum, column.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        raise Problem("cell_out_of_range", value=number, minimum=low, maximum=high)


def accepts(column: Column, term: Node) -> bool:
    """Whether the exporter writes `term` in `column` (so the round trip keeps it)."""
    kind = column.type
    if isinstance(term, Literal):
        lexical, lang, dtype = str(term), term.language, term.datatype
        plain = lang is None and dtype in (None, XSD.string)
        if kind in {"text", "country"}:
            return plain and (kind == "text" or bool(COUNTRY_RE.match(lexical)))
        if kind == "langtext":
            return lang == column.lang
        if kind == "tagged":
            return lang is not None
        if kind == "date":
            return dtype == XSD.date and bool(DATE_RE.match(lexical))
        if kind == "duration":
            return dtype == XSD.duration
        if kind == "boolean":
            return dtype == XSD.boolean and lexical in {"true", "false"}
        if kind == "integer":
            return dtype == XSD.integer
        if kind == "decimal":
            return dtype == XSD.double
        if kind == "choice":
            return any(c.iri == lexical for c in column.choices)
        return False
    if not isinstance(term, URIRef):
        return False
    iri = str(term)
    if kind == "url":
        return is_iri(iri)
    if kind == "concept":
        return column.scheme is not None and concepts.notation(column.scheme, iri) is not None
    if kind == "choice":
        return any(c.iri == iri for c in column.choices)
    if kind == "eqf":
        return iri.startswith(EQF_BASE) and iri[len(EQF_BASE):] in {str(n) for n in range(1, 9)}
    return False


def render(column: Column, term: Node) -> str:
    """How the exporter writes one value of a non-reference column."""
    kind = column.type
    if kind == "tagged":
        assert isinstance(term, Literal)
        return f"{term}@{term.language}"
    if kind == "concept":
        assert column.scheme
        return concepts.notation(column.scheme, str(term)) or str(term)
    if kind == "choice":
        for choice in column.choices:
            if choice.iri == str(term):
                return choice.value
    if kind == "eqf":
        return str(term)[len(EQF_BASE):]
    return str(term)
