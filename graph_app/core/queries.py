"""Canned SPARQL queries, kept as `*.rq` files with a comment header.

The header holds `# title:`, `# description:` (continued on indented comment lines) and
`# param: name type — text` lines, in English, and the same with `@sv` for Swedish
(`# title@sv:`, `# description@sv:`, `# param@sv: name — text`). Parameters are bound
as RDF terms by the store (substitution: each term written by Oxigraph in place of its
variable, `substitute`), or, for lists of nodes, by a VALUES block placed first in the query's
WHERE group and made of terms that Oxigraph serialises itself; user text is never pasted
into a query. (A VALUES clause after the whole query is standard too, but Virtuoso 7
accepts it only after a SELECT.)

The lexer below reads only qagraph's own query texts (to place that VALUES block, and to
substitute bindings for a SPARQL server); what a stranger's query may do is decided by a
real parser elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox

QUERY_DIR = Path(__file__).with_name("queries")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    text: str
    texts: Mapping[str, str] = field(default_factory=dict)

    def text_in(self, lang: str) -> str:
        return self.texts.get(lang, self.text)


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default=())
    titles: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang, self.title)

    def description_in(self, lang: str) -> str:
        return self.descriptions.get(lang, self.description)


def parse_header(name: str, text: str) -> CannedQuery:
    """Read the comment header. `title`, `description` and `param` are in English;
    `title@sv`, `description@sv` and `param@sv: name — text` give another language."""
    titles: dict[str, str] = {}
    descriptions: dict[str, list[str]] = {}
    params: list[Param] = []
    param_texts: dict[str, dict[str, str]] = {}
    last: tuple[str, str] | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        key, colon, rest = body.partition(":")
        field_name, _, lang = key.partition("@")
        lang = lang or "en"
        if line.startswith("#   ") and last is not None and last[0] == "description":
            descriptions[last[1]].append(body)
            continue
        if not colon or field_name not in {"title", "description", "param"} or " " in key:
            continue
        rest = rest.strip()
        if field_name == "title":
            titles[lang] = rest
        elif field_name == "description":
            descriptions.setdefault(lang, []).append(rest)
        elif lang == "en":
            parts = rest.split(None, 2)
            pname = parts[0] if parts else ""
            kind = parts[1] if len(parts) > 1 else "iri"
            ptext = parts[2].lstrip("—- ").strip() if len(parts) > 2 else ""
            params.append(Param(pname, kind, ptext))
        else:
            pname, _, ptext = rest.partition(" ")
            param_texts.setdefault(pname, {})[lang] = ptext.lstrip("—- ").strip()
        last = (field_name, lang)
    texts = {lang: " ".join(lines) for lang, lines in descriptions.items()}
    return CannedQuery(
        name,
        titles.get("en", name),
        texts.get("en", ""),
        text,
        tuple(Param(p.name, p.kind, p.text, {"en": p.text, **param_texts.get(p.name, {})})
              for p in params),
        titles,
        texts,
    )


@cache
def load(name: str, directory: Path = QUERY_DIR) -> CannedQuery:
    """The canned query `name` (file `name.rq`)."""
    path = directory / f"{name}.rq"
    return parse_header(name, path.read_text(encoding="utf-8"))


_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                 |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
    | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00c0-\uffff]*)?:(?:[\w\-:%.\u00c0-\uffff]|\\.)*)
    | (?P<word>[A-Za-z_][\w\-]*)
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


def tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of each token of a query of qagraph's own."""
    for match in _TOKEN.finditer(text):
        yield match.lastgroup or "other", match.group(), match.start()


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first form keyword after the prologue."""
    for kind, value, _ in tokens(text):
        if kind == "word" and value.upper() in FORMS:
            return value.upper()
    return "SELECT"


@lru_cache(maxsize=1024)
def where_start(text: str) -> int:
    """The offset just inside the opening brace of the query's WHERE group."""
    form, depth, groups = "", 0, 0
    for kind, value, offset in tokens(text):
        if kind == "word" and not form and value.upper() in FORMS:
            form = value.upper()
        elif kind == "word" and value.upper() == "WHERE" and depth == 0:
            groups = -1  # the next group is the WHERE group
        elif value == "{":
            if depth == 0 and form and (groups == -1 or form != "CONSTRUCT" or groups == 1):
                return offset + 1
            depth += 1
        elif value == "}":
            depth -= 1
            if depth == 0 and groups >= 0:
                groups += 1
    raise ValueError("no WHERE group in the query")


def substitute(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """`text` with each bound variable replaced by its term (SEP-0007's substitution): in
    a SELECT list ``?v`` becomes ``(term AS ?v)``, in GROUP BY and ORDER BY ``(term)``,
    elsewhere the term. Terms are written by pyoxigraph in N-Triples syntax, so no text of
    a value ever becomes query syntax; only queries of qagraph's own (canned queries,
    example queries) are ever given bindings. The places of the variables are found once
    per query text and set of names."""
    if not bindings:
        return text
    parts, slots = _substitution_places(text, frozenset(bindings))
    out = [parts[0]]
    for (name, place), part in zip(slots, parts[1:], strict=True):
        term = str(bindings[name])
        out.append(f"({term} AS ?{name})" if place == "select" else f"({term})" if place == "modifier" else term)
        out.append(part)
    return "".join(out)


@lru_cache(maxsize=1024)
def _substitution_places(text: str, names: frozenset[str]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The text between the bound variables, and each variable with its place: "select"
    (the projection), "modifier" (GROUP BY, ORDER BY) or "" (elsewhere)."""
    parts: list[str] = []
    slots: list[tuple[str, str]] = []
    current: list[str] = []
    region = ""
    depth = 0
    previous = ""
    for kind, value, _offset in tokens(text):
        upper = value.upper() if kind == "word" else ""
        if kind == "word":
            if upper == "SELECT":
                region, depth = "select", 0
            elif upper in {"WHERE", "FROM"} or (upper == "BY" and previous in {"GROUP", "ORDER"}):
                region, depth = ("modifier", 0) if upper == "BY" else ("", 0)
            elif upper in {"HAVING", "LIMIT", "OFFSET", "VALUES", "GROUP", "ORDER"}:
                region = ""
        elif value == "{":
            region = ""
        elif value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
        if kind == "var" and value[1:] in names and previous != "AS":
            parts.append("".join(current))
            current = []
            slots.append((value[1:], region if region in ("select", "modifier") and depth == 0 else ""))
        else:
            current.append(value)
        if kind not in {"space", "comment"}:
            previous = upper or value
    parts.append("".join(current))
    return tuple(parts), tuple(slots)


def with_values(text: str, var: str, terms: Iterable[ox.NamedNode | ox.BlankNode | ox.Literal]) -> str:
    """`text` with a VALUES block binding `var` to `terms`, first in its WHERE group."""
    body = " ".join(str(t) for t in terms)
    at = where_start(text)
    return f"{text[:at]} VALUES ?{var} {{ {body} }} {text[at:]}"


def with_rows(text: str, variables: Sequence[str],
              rows: Iterable[Sequence[ox.NamedNode | ox.BlankNode | ox.Literal]]) -> str:
    """`text` with a VALUES block binding several variables row by row, first in its WHERE
    group."""
    names = " ".join(f"?{v}" for v in variables)
    body = " ".join("(" + " ".join(str(t) for t in row) + ")" for row in rows)
    at = where_start(text)
    return f"{text[:at]} VALUES ({names}) {{ {body} }} {text[at:]}"
