"""Loaders for RDF files: Turtle, TriG, N-Triples, N-Quads, JSON-LD and RDF/XML.

Parsing is Oxigraph's own. Before the parser sees a file, its size, nesting depth and token
sizes are checked against the limits (see scanning.py), so that no input crashes the
process or exhausts the machine. Every error of the parser becomes a message with its place
(`file:line:column: …`). Large files of triples go through `bulk_load` into the staged
graph (fast, and invisible to queries until the commit); smaller ones are parsed in memory
and written in one transaction. Quads are folded into the source's graph: a source is one
named graph.
"""

from __future__ import annotations

import mmap
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph_app.core import limits as limits_
from graph_app.core.errors import InputError, InputProblem, ParseError, Position
from graph_app.core.limits import PARSER_BUFFER, Limits
from graph_app.core.store import StagedSource, Store

from . import scanning
from .registry import register
from .scanning import Buffer

BULK_THRESHOLD = 4 * 1024 * 1024  # bytes; larger files of triples are bulk-loaded

_POSITION_PREFIX = re.compile(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ")
_FILE_SUFFIX = re.compile(r" \([^()]*line \d+\)$")


def check(buf: Buffer, name: str, fmt: ox.RdfFormat, limits: Limits) -> None:
    """Depth and token sizes of `buf` in format `fmt`; InputProblem at the first excess."""
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N3):
        scanning.check_turtle(buf, name, limits)
    elif fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        scanning.check_turtle(buf, name, limits, line_based=True)
    elif fmt == ox.RdfFormat.JSON_LD:
        scanning.check_json(buf, name, limits)
    elif fmt == ox.RdfFormat.RDF_XML:
        scanning.check_xml(buf, name, limits)


def parser_error(buf: Buffer, name: str, fmt: ox.RdfFormat,
                 err: SyntaxError | ValueError | MemoryError) -> InputError:
    """The message for an error of Oxigraph's parser on `buf`, with its place."""
    text = str(err.msg if isinstance(err, SyntaxError) else err)
    if isinstance(err, MemoryError):
        if "buffer maximal size" not in text:
            raise err
        # Oxigraph's own limit (our limit is set higher than it): find the token's place
        try:
            check(buf, name, fmt, Limits(literal_size=PARSER_BUFFER, depth=2**31))
        except InputProblem as found:
            return found
        return InputProblem(Position(name), "parser_buffer_full", limit=limits_.format_size(PARSER_BUFFER))
    if "LoadDocumentCallback" in text:
        return scanning.remote_context(buf, name) or InputProblem(Position(name), "remote_context", url="?")
    if "UTF-8" in text:
        problem = scanning.utf8_problem(buf, name)
        if problem is not None:
            return problem
    detail = _FILE_SUFFIX.sub("", _POSITION_PREFIX.sub("", text))
    line = getattr(err, "lineno", None) if isinstance(err, SyntaxError) else None
    column = getattr(err, "offset", None) if isinstance(err, SyntaxError) else None
    return ParseError(Position(name, line, column if line is not None else None), detail)


@contextmanager
def mapped(path: Path) -> Iterator[Buffer]:
    """The file's bytes, mapped into memory (the page cache, not the heap)."""
    try:
        handle = path.open("rb")
        buf: Buffer = b"" if path.stat().st_size == 0 else mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as err:
        raise InputProblem(Position(path.name), "file_unreadable", detail=err.strerror or str(err)) from None
    try:
        yield buf
    finally:
        if isinstance(buf, mmap.mmap):
            buf.close()
        handle.close()


def parse_checked(data: bytes, fmt: ox.RdfFormat, base_iri: str | None, name: str,
                  limits: Limits | None = None) -> list[ox.Quad]:
    """The quads of `data`, checked against the limits first; InputError with the place of
    any problem. For request bodies, which are bounded in size before they are read."""
    check(data, name, fmt, limits or limits_.current())
    try:
        return list(ox.parse(data, fmt, base_iri=base_iri))
    except (SyntaxError, ValueError, MemoryError) as err:
        raise parser_error(data, name, fmt, err) from None


@dataclass(frozen=True)
class RdfLoader:
    name: str
    fmt: ox.RdfFormat
    extensions: tuple[str, ...]
    media_types: tuple[str, ...]

    def write(self, store: Store, staged: StagedSource, path: Path, base_iri: str) -> None:
        limits = limits_.current()
        with mapped(path) as buf:
            size = len(buf)
            check(buf, path.name, self.fmt, limits)
            try:
                if not self.fmt.supports_datasets and size > BULK_THRESHOLD:
                    store.bulk_write_staged(staged, path, self.fmt)
                    return
                parsed = ox.parse(path=str(path), format=self.fmt, base_iri=base_iri)
                store.write_staged(staged, (ox.Triple(q.subject, q.predicate, q.object) for q in parsed))
            except (SyntaxError, ValueError, MemoryError) as err:
                raise parser_error(buf, path.name, self.fmt, err) from None


for _loader in (
    RdfLoader("turtle", ox.RdfFormat.TURTLE, (".ttl",), ("text/turtle",)),
    RdfLoader("trig", ox.RdfFormat.TRIG, (".trig",), ("application/trig",)),
    RdfLoader("ntriples", ox.RdfFormat.N_TRIPLES, (".nt",), ("application/n-triples",)),
    RdfLoader("nquads", ox.RdfFormat.N_QUADS, (".nq",), ("application/n-quads",)),
    RdfLoader("jsonld", ox.RdfFormat.JSON_LD, (".jsonld", ".json"), ("application/ld+json",)),
    RdfLoader("rdfxml", ox.RdfFormat.RDF_XML, (".rdf", ".owl", ".xml"), ("application/rdf+xml",)),
):
    register(_loader)
