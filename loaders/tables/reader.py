"""Rows of the templates -> RDF, with every bad cell collected before anything is written.

Two passes: the first gives every row its IRI (from the id column, else a slug of its
name) and indexes ids and names, so that rows may refer to each other in any order; the
second turns cells into triples. Problems are gathered and raised together as
TableErrors (file:sheet:row:column: message, in sv and en).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter
from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph_app.core import queries
from graph_app.core.errors import CellProblem, TableErrors
from graph_app.core.limits import SETTING, Limits, format_size
from graph_app.core.store import Store

from .. import scanning
from . import cells, workbook
from .cells import Problem
from .spec import SHEETS, SHEETS_BY_NAME, Column, Sheet

Triple = tuple[Node, Node, Node]
HELP_SHEETS = {"help", "hjälp", "lists", "listor"}


@dataclass
class RawSheet:
    """One sheet as read: its spec, the header, and (row number, cell values) pairs."""

    file: str
    sheet: Sheet
    header: list[object]
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
    limits: Limits = field(default_factory=Limits)
    problems: list[CellProblem] = field(default_factory=list)
    rows: dict[str, list[_Row]] = field(default_factory=dict)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # sheet -> (file, title)
    ids: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> iri -> row
    labels: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # sheet -> name -> iris
    terms: dict[tuple[int, str], Node | Problem] = field(default_factory=dict)  # (column, cell) -> term

    def problem(self, sheet: str, row: int, column: str, key: str, /, **values: object) -> None:
        file, title = self.files[sheet]
        self.problems.append(CellProblem.of(file, title, row, column, key, **values))


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

CELLS_PER_ROW = 100  # a sheet may hold LOAD_MAX_ROWS * CELLS_PER_ROW cells, empty ones too
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _too_many(file: str, title: str, row: int, key: str, limit: int) -> TableErrors:
    return TableErrors([CellProblem.of(file, title, row, "-", key, limit=limit, setting=SETTING["rows"])])


def _counted(file: str, title: str, rows: Iterator[tuple[object, ...]], limits: Limits,
             marked: Callable[[tuple[object, ...]], tuple[object, ...]] | None = None,
             ) -> Iterator[tuple[int, tuple[object, ...]]]:
    """Number the rows from 1 and stop with a message at a row or cell over the limits, or
    where the library cannot read on (a damaged sheet, a field over the csv limit)."""
    number = filled = cells = 0
    while True:
        try:
            values = next(rows, None)
        except csv.Error as err:
            if "field limit" in str(err):
                raise TableErrors([CellProblem.of(file, title, number + 1, "-", "cell_too_long",
                                                  limit=format_size(limits.literal_size),
                                                  setting=SETTING["literal_size"])]) from None
            raise TableErrors([CellProblem.of(file, title, number + 1, "-", "sheet_unreadable",
                                              detail=workbook.describe(err))]) from None
        except workbook.LIBRARY_ERRORS as err:
            raise TableErrors([CellProblem.of(file, title, number + 1, "-", "sheet_unreadable",
                                              detail=workbook.describe(err))]) from None
        if values is None:
            return
        number += 1
        cells += len(values)
        if any(v is not None and v != "" for v in values):
            filled += 1
            if filled > limits.rows + 1:  # the header and LOAD_MAX_ROWS rows
                raise _too_many(file, title, number, "cell_too_many_rows", limits.rows)
        if cells > limits.rows * CELLS_PER_ROW:
            raise _too_many(file, title, number, "cell_too_many_cells", limits.rows * CELLS_PER_ROW)
        yield number, marked(values) if marked else values


def read_csv(path: Path, limits: Limits) -> tuple[list[RawSheet], list[CellProblem]]:
    sheet = sheet_for_name(path.stem)
    if sheet is None:
        return [], [_sheet_problem(path.name, path.stem)]
    _check_utf8(path)
    csv.field_size_limit(limits.literal_size)
    handle = path.open(encoding="utf-8-sig", newline="")
    # strict: a quote left open is an error, not a cell that swallows the rest of the file
    rows = _counted(path.name, path.stem, (tuple(r) for r in csv.reader(handle, strict=True)), limits)
    try:
        first = next(rows, None)
    except BaseException:
        handle.close()
        raise
    header = list(first[1]) if first else []

    def rest() -> Iterator[tuple[int, tuple[object, ...]]]:
        try:
            yield from rows
        finally:
            handle.close()

    return [RawSheet(path.name, sheet, header, rest(), path.stem)], []


def _check_utf8(path: Path) -> None:
    from ..rdf import mapped

    with mapped(path) as buf:
        problem = scanning.utf8_problem(buf, path.name)
    if problem is not None:
        raise problem


def read_xlsx(path: Path, limits: Limits, stack: ExitStack
              ) -> tuple[list[RawSheet], list[CellProblem], list[tuple[str, dict[str, str]]]]:
    """The sheets of a workbook, its problems and its warnings; the workbook stays open
    (in `stack`) while the rows are read."""
    workbook.check_declared_sizes(path, limits)
    package = workbook.check_parts(path)
    workbook.check_listed_sheets(path)
    book = stack.enter_context(workbook.opened(path, data_only=True))
    sheets = list(book.worksheets)
    found: list[RawSheet] = []
    problems: list[CellProblem] = []
    formula_book = None
    for ws in sheets:
        if ws.title.casefold() in HELP_SHEETS:
            continue
        sheet = sheet_for_name(ws.title)
        if sheet is None:
            problems.append(_sheet_problem(path.name, ws.title))
            continue
        formulas = None
        if getattr(ws, "_worksheet_path", None) in package.formulas:
            formula_book = formula_book or stack.enter_context(workbook.opened(path, data_only=False))
            formulas = formula_book[ws.title]
        values, marked = _sheet_rows(ws, formulas)
        rows = _counted(path.name, ws.title, values, limits, marked)
        first = next(rows, None)
        header = list(first[1]) if first else []
        found.append(RawSheet(path.name, sheet, header, rows, ws.title))
    return found, problems, _missing_sheets(path.name, found)


def _sheet_rows(ws: Any, formulas: Any
                ) -> tuple[Iterator[tuple[object, ...]], Callable[[tuple[object, ...]], tuple[object, ...]]]:
    """The rows of a sheet (every one: openpyxl's read-only mode would stop at the range the
    sheet declares, which may be stale) and how to mark cells that hold no usable value."""
    ws.reset_dimensions()
    if formulas is None:
        return ws.iter_rows(values_only=True), _mark_errors
    formulas.reset_dimensions()
    pairs = zip(ws.iter_rows(), formulas.iter_rows(values_only=True), strict=False)
    return ((tuple(_with_formula(c, f) for c, f in zip_longest(row, texts)) for row, texts in pairs),
            lambda values: values)


def _mark_errors(values: tuple[object, ...]) -> tuple[object, ...]:
    if not any(isinstance(v, str) and v in ERROR_CODES for v in values):
        return values
    return tuple(cells.Problem("cell_error_value", value=v) if isinstance(v, str) and v in ERROR_CODES
                 else v for v in values)


def _with_formula(cell: Any, formula: object) -> object:
    """A cell's saved value, or a Problem for a formula saved without one (openpyxl and some
    other writers save formulas uncalculated; Excel marks an empty text result `str`)."""
    if cell is None:
        return None
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "e" or (isinstance(value, str) and value in ERROR_CODES):
        return cells.Problem("cell_error_value", value=value)
    text = formula if isinstance(formula, str) else getattr(formula, "text", None)
    if value is None and isinstance(text, str) and text.startswith("=") \
            and getattr(cell, "data_type", "n") not in {"str", "s", "inlineStr"}:
        return cells.Problem("cell_formula_no_value", formula=text[:60])
    return value


def _missing_sheets(file: str, found: list[RawSheet]) -> list[tuple[str, dict[str, str]]]:
    """A warning (message key and values) naming the template's sheets the workbook lacks."""
    present = {raw.sheet.name for raw in found}
    missing = [s.name for s in SHEETS if s.name not in present]
    if not found or not missing:
        return []
    return [("sheet_missing", {"file": file, "names": "', '".join(missing)})]


def _sheet_problem(file: str, name: str) -> CellProblem:
    return CellProblem.of(file, name, 1, "-", "cell_unknown_sheet", value=name, allowed=_allowed_sheets())


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
    positions = _columns(tables, sheet, raw.header)
    named = {pos for pos, _name in positions}
    blank_reported = {pos for pos, cell in enumerate(raw.header) if cells.cell_text(cell)}  # reported
    ids = tables.ids.setdefault(sheet.name, {})
    labels = tables.labels.setdefault(sheet.name, {})
    rows = tables.rows.setdefault(sheet.name, [])
    for number, values in raw.rows:
        for pos, value in enumerate(values):  # values no column stands for are never dropped
            if pos not in named and pos not in blank_reported and cells.cell_text(value):
                blank_reported.add(pos)
                tables.problem(sheet.name, number, get_column_letter(pos + 1), "cell_unnamed_column",
                               value=cells.cell_text(value)[:60])
        texts = {name: _cell(tables, sheet, number, name, values[pos]) if pos < len(values) else ""
                 for pos, name in positions}
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


def _columns(tables: Tables, sheet: Sheet, header: list[object]) -> list[tuple[int, str]]:
    """The position of each known column of the header; problems for unknown, missing and
    repeated ones (a repeated column would hide the values of the first)."""
    known = {c.name for c in sheet.columns}
    positions: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for pos, cell in enumerate(header):
        if isinstance(cell, Problem):
            tables.problem(sheet.name, 1, get_column_letter(pos + 1), cell.key, **cell.values)
            continue
        name = cells.cell_text(cell)
        if not name:
            continue
        if name not in known:
            tables.problem(sheet.name, 1, name, "cell_unknown_column", value=name[:60])
            continue
        if name in seen:
            tables.problem(sheet.name, 1, name, "cell_duplicate_column", value=name,
                           other=get_column_letter(seen[name] + 1))
            continue
        seen[name] = pos
        positions.append((pos, name))
    for col in sheet.columns:
        if col.required and col.name not in seen:
            tables.problem(sheet.name, 1, col.name, "cell_missing_column", value=col.name)
    return positions


def _cell(tables: Tables, sheet: Sheet, number: int, column: str, value: object) -> str:
    """The text of one cell, or "" and a problem when it holds nothing usable."""
    if isinstance(value, Problem):
        tables.problem(sheet.name, number, column, value.key, **value.values)
        return ""
    text = cells.cell_text(value)
    if len(text.encode("utf-8")) > tables.limits.literal_size:
        tables.problem(sheet.name, number, column, "cell_too_long",
                       limit=format_size(tables.limits.literal_size), setting=SETTING["literal_size"])
        return ""
    control = _CONTROL.search(text)
    if control:
        tables.problem(sheet.name, number, column, "cell_control_char", code=f"{ord(control.group()):04X}")
        return ""
    return text


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
                    problems: list[CellProblem] | None = None, limits: Limits | None = None) -> list[Triple]:
    """All triples of the rows; raise TableErrors with every bad cell when any is bad."""
    tables = Tables(base_iri, limits=limits or Limits(), problems=list(problems or []))
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
