"""Rows of the templates -> RDF, with every bad cell collected before anything is written.

Two passes: the first gives every row its IRI (from the id column, else a slug of its
name) and indexes ids and names, so that rows may refer to each other in any order; the
second turns cells into triples. Problems are gathered and raised together as
TableErrors (file:sheet:row:column: message, in sv and en).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from openpyxl import load_workbook
from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph_app.core import queries
from graph_app.core.errors import CellProblem, TableErrors
from graph_app.core.messages import message
from graph_app.core.store import Store

from . import cells
from .cells import Problem
from .spec import SHEETS, SHEETS_BY_NAME, Column, Sheet

Triple = tuple[Node, Node, Node]
HELP_SHEETS = {"help", "hjälp", "lists", "listor"}


@dataclass
class RawSheet:
    """One sheet as read: its spec, the header, and (row number, cell values) pairs."""

    file: str
    sheet: Sheet
    header: list[str]
    rows: Iterable[tuple[int, tuple[object, ...]]]
    title: str = ""


@dataclass
class _Row:
    number: int
    iri: str
    cells: dict[str, str]


@dataclass
class Tables:
    """What a load found: the rows of each sheet, ready for the second pass."""

    base_iri: str
    problems: list[CellProblem] = field(default_factory=list)
    rows: dict[str, list[_Row]] = field(default_factory=dict)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # sheet -> (file, title)
    ids: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> iri -> row
    labels: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # sheet -> name -> iris
    terms: dict[tuple[int, str], Node | Problem] = field(default_factory=dict)  # (column, cell) -> term

    def problem(self, sheet: str, row: int, column: str, key: str, /, **values: object) -> None:
        file, title = self.files[sheet]
        self.problems.append(CellProblem(file, title, row, column, message(key, "en", **values),
                                         message(key, "sv", **values)))


def sheet_for_name(name: str) -> Sheet | None:
    """The sheet a workbook sheet or CSV file stands for: its name, or name-something."""
    low = name.strip().casefold()
    if low in SHEETS_BY_NAME:
        return SHEETS_BY_NAME[low]
    for sheet in SHEETS:
        if low.startswith(sheet.name + "-") or low.startswith(sheet.name + "_"):
            return sheet
        if low in {sheet.sv.casefold(), sheet.en.casefold()}:
            return sheet
    return None


def _allowed_sheets() -> str:
    return ", ".join(s.name for s in SHEETS)


# -- reading files -----------------------------------------------------------------------


def read_csv(path: Path) -> tuple[list[RawSheet], list[CellProblem]]:
    sheet = sheet_for_name(path.stem)
    if sheet is None:
        return [], [_sheet_problem(path.name, path.stem)]
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(handle)
    header = [h.strip() for h in next(reader, [])]

    def rows() -> Iterator[tuple[int, tuple[object, ...]]]:
        try:
            for number, values in enumerate(reader, start=2):
                yield number, tuple(values)
        finally:
            handle.close()

    return [RawSheet(path.name, sheet, header, rows(), path.stem)], []


def read_xlsx(path: Path) -> tuple[list[RawSheet], list[CellProblem]]:
    book = load_workbook(path, read_only=True, data_only=True)
    found, problems = [], []
    for ws in book.worksheets:
        if ws.title.casefold() in HELP_SHEETS:
            continue
        sheet = sheet_for_name(ws.title)
        if sheet is None:
            problems.append(_sheet_problem(path.name, ws.title))
            continue
        iterator = ws.iter_rows(values_only=True)
        first = next(iterator, ())
        header = [cells.cell_text(h) for h in first]
        rows = ((number, values) for number, values in enumerate(iterator, start=2))
        found.append(RawSheet(path.name, sheet, header, rows, ws.title))
    return found, problems


def _sheet_problem(file: str, name: str) -> CellProblem:
    values = {"value": name, "allowed": _allowed_sheets()}
    return CellProblem(file, name, 1, "-", message("cell_unknown_sheet", "en", **values),
                       message("cell_unknown_sheet", "sv", **values))


# -- first pass: ids and names -------------------------------------------------------------


def _row_slug(sheet: Sheet, values: dict[str, str]) -> str:
    for name in ("label_sv", "label_en"):
        if values.get(name):
            return cells.slugify(values[name])
    if sheet.name != "dependencies":
        required = [values.get(c.name, "") for c in sheet.columns
                    if c.required and c.type in {"reference", "date", "choice", "concept"}]
        if all(required) and required:
            return cells.slugify("-".join(required))
    return ""


def _index(tables: Tables, raw: RawSheet) -> None:
    sheet = raw.sheet
    tables.files[sheet.name] = (raw.file, raw.title or sheet.name)
    known = {c.name for c in sheet.columns}
    positions: list[tuple[int, str]] = []
    for pos, name in enumerate(raw.header):
        if not name:
            continue
        if name not in known:
            tables.problem(sheet.name, 1, name, "cell_unknown_column", value=name)
            continue
        positions.append((pos, name))
    present = {name for _pos, name in positions}
    for col in sheet.columns:
        if col.required and col.name not in present:
            tables.problem(sheet.name, 1, col.name, "cell_missing_column", value=col.name)
    ids = tables.ids.setdefault(sheet.name, {})
    labels = tables.labels.setdefault(sheet.name, {})
    rows = tables.rows.setdefault(sheet.name, [])
    for number, values in raw.rows:
        texts = {name: cells.cell_text(values[pos]) if pos < len(values) else "" for pos, name in positions}
        if not any(texts.values()):
            continue
        iri = ""
        if not sheet.is_links:
            iri = _row_iri(tables, sheet, number, texts)
            if iri:
                if iri in ids:
                    tables.problem(sheet.name, number, "id", "cell_duplicate_id",
                                   value=texts.get("id") or iri, row=ids[iri])
                ids.setdefault(iri, number)
                for col in sheet.columns:
                    if col.predicate and col.predicate.endswith("#label") and texts.get(col.name):
                        for value in cells.split(col, texts[col.name]):
                            labels.setdefault(_name_key(col, value), set()).add(iri)
        rows.append(_Row(number, iri, texts))


def _name_key(column: Column, value: str) -> str:
    match = cells.TAGGED_RE.match(value) if column.type == "tagged" else None
    return (match.group(1) if match else value).casefold()


def _row_iri(tables: Tables, sheet: Sheet, number: int, texts: dict[str, str]) -> str:
    given = texts.get("id", "")
    if given:
        if cells.is_iri(given):
            return given
        if cells.SLUG_RE.match(given):
            return f"{tables.base_iri}{sheet.kind}/{given}"
        tables.problem(sheet.name, number, "id", "cell_bad_id", value=given)
        return ""
    slug = _row_slug(sheet, texts)
    if not slug:
        tables.problem(sheet.name, number, "id", "cell_no_id")
        return ""
    return f"{tables.base_iri}{sheet.kind}/{slug}"


# -- second pass: cells to triples ---------------------------------------------------------

StoreLookup = Callable[[str, str], str | None]  # (value, rdf class) -> IRI in the store


def _resolve(tables: Tables, column: Column, value: str, lookup: StoreLookup | None) -> str:
    targets = [SHEETS_BY_NAME[t] for t in column.targets]
    for target in targets:  # kind/slug, then slug
        ids = tables.ids.get(target.name, {})
        if value.startswith(target.kind + "/"):
            candidate = tables.base_iri + value
            if candidate in ids or (lookup and lookup(candidate, target.rdf_class or "")):
                return candidate
    if cells.is_iri(value):
        for target in targets:
            if value in tables.ids.get(target.name, {}) or (lookup and lookup(value, target.rdf_class or "")):
                return value
        raise Problem("cell_dangling", value=value, sheets=", ".join(column.targets))
    for target in targets:
        candidate = f"{tables.base_iri}{target.kind}/{value}"
        if candidate in tables.ids.get(target.name, {}):
            return candidate
    matches: set[str] = set()
    for target in targets:
        matches |= tables.labels.get(target.name, {}).get(value.casefold(), set())
    if len(matches) == 1:
        return next(iter(matches))
    if len(matches) > 1:
        raise Problem("cell_ambiguous", value=value, sheets=", ".join(column.targets))
    if lookup:
        for target in targets:
            if cells.SLUG_RE.match(value):
                candidate = f"{tables.base_iri}{target.kind}/{value}"
                if lookup(candidate, target.rdf_class or ""):
                    return candidate
            found = lookup(value, target.rdf_class or "")
            if found:
                return found
    raise Problem("cell_dangling", value=value, sheets=", ".join(column.targets))


CACHED = {"reference", "concept", "choice", "date", "boolean", "country", "duration", "integer", "eqf", "url"}


def _term(tables: Tables, col: Column, value: str, lookup: StoreLookup | None) -> Node | Problem:
    """One cell value as a term (or its problem); repeated values are looked up once."""
    key = (id(col), value)
    if col.type in CACHED and key in tables.terms:
        return tables.terms[key]
    try:
        term: Node | Problem = (URIRef(_resolve(tables, col, value, lookup)) if col.type == "reference"
                                else cells.parse(col, value))
    except Problem as bad:
        term = bad
    if col.type in CACHED:
        tables.terms[key] = term
    return term


def _triples(tables: Tables, sheet: Sheet, row: _Row, lookup: StoreLookup | None) -> list[Triple]:
    out: list[Triple] = []
    subject = URIRef(row.iri) if row.iri else None
    if subject is not None and sheet.rdf_class:
        out.append((subject, RDF.type, URIRef(sheet.rdf_class)))
    link: dict[str, Node] = {}
    for col in sheet.columns:
        if col.type == "id":
            continue
        values = cells.split(col, row.cells.get(col.name, ""))
        if not values:
            if col.required:
                tables.problem(sheet.name, row.number, col.name, "cell_required")
            continue
        for value in values:
            term = _term(tables, col, value, lookup)
            if isinstance(term, Problem):
                tables.problem(sheet.name, row.number, col.name, term.key, **term.values)
                continue
            if sheet.is_links:
                link[col.name] = term
            elif subject is not None and col.predicate:
                out.append((term, URIRef(col.predicate), subject) if col.inverse
                           else (subject, URIRef(col.predicate), term))
    if sheet.needs_name and not any(row.cells.get(n) for n in ("label_sv", "label_en", "label_other")):
        tables.problem(sheet.name, row.number, "label_sv", "cell_no_name")
    if sheet.is_links and len(link) == 3:
        out.append((link["organisation"], link["relation"], link["target"]))
    if sheet.name == "mappings" and subject is not None:
        out.extend(_asserted_match(out, subject))
    return out


def _asserted_match(triples: list[Triple], subject: Node) -> list[Triple]:
    """SSSOM's RDF form: the mapping also stands as a plain SKOS triple, unless negated."""
    slots = {str(p): o for s, p, o in triples if s == subject}
    src = slots.get("http://www.w3.org/2002/07/owl#annotatedSource")
    prop = slots.get("http://www.w3.org/2002/07/owl#annotatedProperty")
    dst = slots.get("http://www.w3.org/2002/07/owl#annotatedTarget")
    negated = slots.get("https://w3id.org/sssom/predicate_modifier") == Literal("Not")
    if src is None or prop is None or dst is None or negated:
        return []
    return [(src, prop, dst)]


def rows_to_triples(raw_sheets: list[RawSheet], base_iri: str, lookup: StoreLookup | None = None,
                    problems: list[CellProblem] | None = None) -> list[Triple]:
    """All triples of the rows; raise TableErrors with every bad cell when any is bad."""
    tables = Tables(base_iri, problems=list(problems or []))
    for raw in raw_sheets:
        _index(tables, raw)
    out: list[Triple] = []
    for name, rows in tables.rows.items():
        sheet = SHEETS_BY_NAME[name]
        for row in rows:
            out.extend(_triples(tables, sheet, row, lookup))
    if tables.problems:
        raise TableErrors(sorted(tables.problems, key=lambda p: (p.file, _sheet_order(p.sheet), p.row)))
    return out


def _sheet_order(title: str) -> int:
    sheet = sheet_for_name(title)
    return SHEETS.index(sheet) if sheet else len(SHEETS)


def store_lookup(store: Store, exclude: tuple[str, ...] = ()) -> StoreLookup:
    """Find references among the entities already in the store: by IRI or by name."""
    exists = queries.load("tables-entity-exists").text
    by_name = queries.load("tables-entity-by-name").text

    def lookup(value: str, rdf_class: str) -> str | None:
        if not rdf_class:
            return None
        cls = ox.NamedNode(rdf_class)
        if cells.is_iri(value):
            found = store.query(exists, bindings={"s": ox.NamedNode(value), "c": cls}, exclude_sources=exclude)
            return value if bool(found) else None
        result = store.query(by_name, bindings={"c": cls, "name": ox.Literal(value)}, exclude_sources=exclude)
        assert isinstance(result, ox.QuerySolutions)
        hits = [row["s"].value for row in result]
        return hits[0] if len(hits) == 1 else None

    return lookup
