"""The library of example research queries (``queries/examples/*.rq``).

Each example has a title, a description and parameters in its comment header (see
core.queries). Parameters given by a client are turned into RDF terms here (an IRI, a
literal of the declared datatype) and bound by substitution; their text never becomes
part of the query.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from .errors import InputError
from .namespaces import XSD, expand
from .queries import QUERY_DIR, CannedQuery, Param, parse_header

EXAMPLE_DIR = QUERY_DIR / "examples"


# Request parameters that are not query parameters.
RESERVED = {"lang", "format"}

Term = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class Example:
    """An example query, with its title, description and parameter texts in `lang`
    (English where the header gives no text in that language)."""

    query: CannedQuery
    lang: str = "en"

    @property
    def name(self) -> str:
        return self.query.name

    @property
    def title(self) -> str:
        return self.query.title_in(self.lang)

    @property
    def description(self) -> str:
        return self.query.description_in(self.lang)

    @property
    def params(self) -> tuple[Param, ...]:
        return tuple(Param(p.name, p.kind, p.text_in(self.lang), p.texts) for p in self.query.params)

    @property
    def text(self) -> str:
        return self.query.text

    def text_with_prologue(self) -> str:
        return self.query.text

    def bind(self, values: Mapping[str, str]) -> dict[str, Term]:
        """Turn request parameters into RDF terms for the declared parameters."""
        declared = {p.name: p for p in self.params}
        out: dict[str, Term] = {}
        for key in values:
            if key in RESERVED:
                continue
            if key not in declared:
                raise InputError("sparql_unknown_param", name=key,
                                 params=", ".join(declared) or "-")
            raw = values[key]
            if raw == "":
                continue
            out[key] = to_term(key, declared[key].kind, raw)
        return out


def to_term(name: str, kind: str, raw: str) -> Term:
    """`raw` as an RDF term of `kind` (iri, string, integer, date, boolean)."""
    try:
        if kind == "iri":
            iri = expand(raw)
            if iri is not None:
                return ox.NamedNode(iri)
            if "://" not in raw and not raw.startswith("urn:"):
                raise ValueError("expected an absolute IRI or prefix:name")
            return ox.NamedNode(raw)
        if kind == "integer":
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
        if kind == "date":
            return ox.Literal(date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date"))
        if kind == "boolean":
            if raw not in {"true", "false"}:
                raise ValueError("expected true or false")
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "boolean"))
        return ox.Literal(raw)
    except ValueError as err:
        raise InputError("sparql_bad_param", name=name, kind=kind, value=raw, detail=str(err)) from None


def all_examples(lang: str = "en") -> list[Example]:
    return [Example(_load(p.stem), lang) for p in sorted(EXAMPLE_DIR.glob("*.rq"))]


def get(name: str, lang: str = "en") -> Example | None:
    """The example called `name`, or None; a name that is not a plain file name (a slash,
    a dot first, a NUL, too long for the file system) names no example."""
    if not name or len(name) > 100 or "/" in name or "\x00" in name or name.startswith("."):
        return None
    path = EXAMPLE_DIR / f"{name}.rq"
    if not path.is_file():
        return None
    return Example(_load(name), lang)


def _load(name: str) -> CannedQuery:
    return parse_header(name, (EXAMPLE_DIR / f"{name}.rq").read_text(encoding="utf-8"))
