"""Canned SPARQL queries, kept as `*.rq` files with a comment header.

The header holds `# title:`, `# description:` (continued on indented comment lines) and
`# param: name type — text` lines. Parameters are bound as RDF terms by the store
(substitution), or, for lists of nodes, by a VALUES clause appended after the query and
made of terms that Oxigraph serialises itself; user text is never pasted into a query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

QUERY_DIR = Path(__file__).with_name("queries")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    text: str


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default=())


def _parse_header(name: str, text: str) -> CannedQuery:
    title, description, params = name, [], []
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if body.startswith("title:"):
            title, last = body[6:].strip(), "title"
        elif body.startswith("description:"):
            description.append(body[12:].strip())
            last = "description"
        elif body.startswith("param:"):
            parts = body[6:].strip().split(None, 2)
            pname = parts[0] if parts else ""
            kind = parts[1] if len(parts) > 1 else "iri"
            ptext = parts[2].lstrip("—- ").strip() if len(parts) > 2 else ""
            params.append(Param(pname, kind, ptext))
            last = "param"
        elif line.startswith("#   ") and last == "description":
            description.append(body)
    return CannedQuery(name, title, " ".join(description), text, tuple(params))


@cache
def load(name: str, directory: Path = QUERY_DIR) -> CannedQuery:
    """The canned query `name` (file `name.rq`)."""
    path = directory / f"{name}.rq"
    return _parse_header(name, path.read_text(encoding="utf-8"))


def with_values(text: str, var: str, terms: Iterable[ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """`text` with a trailing VALUES clause binding `var` to `terms`."""
    body = " ".join(str(t) for t in terms)
    return f"{text}\nVALUES ?{var} {{ {body} }}"
