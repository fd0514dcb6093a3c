"""Graph -> rows of the templates, and rows -> CSV files or an Excel workbook.

`assign` decides, from the spec alone, which column each triple of an entity goes to;
the exporter writes what it assigns and `covered` returns exactly those triples, so the
round-trip claim (export, load: an isomorphic graph) is made for a subset that the spec
defines and that tests can list.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from graph_app.core.messages import message

from . import cells, concepts
from .spec import SEPARATOR, SHEETS, SHEETS_BY_NAME, Column, Sheet

Rows = dict[str, list[dict[str, str]]]
OWL_NS = "http://www.w3.org/2002/07/owl#"


def _typed(graph: Graph, node: Node, sheet_names: Iterable[str]) -> Sheet | None:
    for name in sheet_names:
        sheet = SHEETS_BY_NAME[name]
        if sheet.rdf_class and (node, RDF.type, URIRef(sheet.rdf_class)) in graph:
            return sheet
    return None


def _sort_key(term: Node) -> tuple[str, str, str]:
    if isinstance(term, Literal):
        return (str(term), term.language or "", str(term.datatype or ""))
    return (str(term), "", "")


def assign(graph: Graph, sheet: Sheet, subject: Node) -> dict[str, list[Node]]:
    """The values of each column of `subject`'s row; what fits no column is left out."""
    out: dict[str, list[Node]] = {}
    by_predicate: dict[str, list[Column]] = {}
    for col in sheet.columns:
        if col.predicate:
            by_predicate.setdefault(col.predicate, []).append(col)
    for predicate, columns in by_predicate.items():
        p = URIRef(predicate)
        inverse = columns[0].inverse
        values = graph.subjects(p, subject) if inverse else graph.objects(subject, p)
        for term in sorted(set(values), key=_sort_key):
            for col in columns:
                taken = out.setdefault(col.name, [])
                if not col.multiple and taken:
                    continue
                if _fits(graph, col, term):
                    taken.append(term)
                    break
    return {k: v for k, v in out.items() if v}


def _fits(graph: Graph, column: Column, term: Node) -> bool:
    if column.type == "reference":
        return isinstance(term, URIRef) and _typed(graph, term, column.targets) is not None
    return cells.accepts(column, term)


def _ref_text(column: Column, term: Node, base_iri: str, graph: Graph) -> str:
    target = _typed(graph, term, column.targets)
    iri = str(term)
    if target is not None:
        prefix = f"{base_iri}{target.kind}/"
        slug = iri[len(prefix):]
        if iri.startswith(prefix) and cells.SLUG_RE.match(slug):
            return slug if len(column.targets) == 1 else f"{target.kind}/{slug}"
    return iri


def _id_text(sheet: Sheet, subject: Node, base_iri: str) -> str:
    prefix = f"{base_iri}{sheet.kind}/"
    iri = str(subject)
    slug = iri[len(prefix):]
    return slug if iri.startswith(prefix) and cells.SLUG_RE.match(slug) else iri


def _links(graph: Graph, sheet: Sheet) -> list[tuple[Node, Node, Node]]:
    relation = sheet.column("relation")
    found = []
    for choice in relation.choices:
        for s, o in graph.subject_objects(URIRef(choice.iri)):
            if _typed(graph, s, ["organisations"]) and _typed(graph, o, ["organisations"]):
                found.append((s, URIRef(choice.iri), o))
    return sorted(found)


def _asserted(graph: Graph, subject: Node) -> tuple[Node, Node, Node] | None:
    src = graph.value(subject, URIRef(OWL_NS + "annotatedSource"))
    prop = graph.value(subject, URIRef(OWL_NS + "annotatedProperty"))
    dst = graph.value(subject, URIRef(OWL_NS + "annotatedTarget"))
    negated = (subject, URIRef("https://w3id.org/sssom/predicate_modifier"), Literal("Not")) in graph
    if src is None or prop is None or dst is None or negated:
        return None
    return (src, prop, dst)


def _subjects(graph: Graph, sheet: Sheet) -> list[Node]:
    assert sheet.rdf_class
    return sorted((s for s in graph.subjects(RDF.type, URIRef(sheet.rdf_class))
                   if isinstance(s, URIRef)), key=str)


def export_rows(graph: Graph, base_iri: str) -> Rows:
    """Every sheet's rows for the entities in `graph`."""
    rows: Rows = {}
    for sheet in SHEETS:
        out = rows.setdefault(sheet.name, [])
        if sheet.is_links:
            org = sheet.column("organisation")
            for s, p, o in _links(graph, sheet):
                out.append({"organisation": _ref_text(org, s, base_iri, graph),
                            "relation": cells.render(sheet.column("relation"), p),
                            "target": _ref_text(org, o, base_iri, graph)})
            continue
        for subject in _subjects(graph, sheet):
            row = {"id": _id_text(sheet, subject, base_iri)}
            for name, terms in assign(graph, sheet, subject).items():
                col = sheet.column(name)
                texts = [_ref_text(col, t, base_iri, graph) if col.type == "reference"
                         else cells.render(col, t) for t in terms]
                row[name] = f" {SEPARATOR} ".join(texts)
            out.append(row)
    return rows


def covered(graph: Graph) -> Graph:
    """The triples of `graph` that the templates carry (what export then load gives back)."""
    out = Graph()
    for sheet in SHEETS:
        if sheet.is_links:
            for triple in _links(graph, sheet):
                out.add(triple)
            continue
        for subject in _subjects(graph, sheet):
            out.add((subject, RDF.type, URIRef(sheet.rdf_class or "")))
            for name, terms in assign(graph, sheet, subject).items():
                col = sheet.column(name)
                p = URIRef(col.predicate or "")
                for term in terms:
                    out.add((term, p, subject) if col.inverse else (subject, p, term))
            if sheet.name == "mappings":
                asserted = _asserted(out, subject)
                if asserted and asserted in graph:
                    out.add(asserted)
    return out


# -- files ------------------------------------------------------------------------------


def write_csv_folder(rows: Rows, folder: Path) -> None:
    """One CSV file per sheet, header first (an empty template when there are no rows)."""
    folder.mkdir(parents=True, exist_ok=True)
    for sheet in SHEETS:
        path = folder / f"{sheet.name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            names = [c.name for c in sheet.columns]
            writer.writerow(names)
            for row in rows.get(sheet.name, []):
                writer.writerow([row.get(n, "") for n in names])


def column_help(column: Column, lang: str) -> str:
    """The header help of a column: meaning, required, type, allowed values."""
    lines = [column.sv if lang == "sv" else column.en]
    lines.append(message("column_required" if column.required else "column_optional", lang))
    kind = column.type + (f" ({column.lang})" if column.lang else "")
    if column.type == "reference":
        kind += " → " + ", ".join(column.targets)
    if column.multiple:
        kind += "; " + message("column_several", lang, separator=SEPARATOR)
    lines.append(kind)
    allowed = allowed_values(column)
    if allowed:
        lines.append(message("column_allowed", lang, values=", ".join(allowed)))
    return "\n".join(lines)


def allowed_values(column: Column) -> list[str]:
    if column.type == "concept" and column.scheme:
        return [c.notation for c in concepts.concepts(column.scheme)]
    if column.type == "choice":
        return [c.value for c in column.choices]
    if column.type == "boolean":
        return ["true", "false"]
    if column.type == "eqf":
        return [str(n) for n in range(1, 9)]
    return []


def write_workbook(rows: Rows, path: Path) -> None:
    """One workbook: a sheet per kind with header comments and drop-down lists for the
    controlled values, a help sheet, and a hidden sheet holding the lists."""
    book = Workbook()
    help_ws = book.active
    assert help_ws is not None
    help_ws.title = "help"
    help_ws.append(["sheet", "column", "required", "type", "betydelse (sv)", "meaning (en)", "allowed"])
    lists = book.create_sheet("lists")
    lists.sheet_state = "hidden"
    list_col = 0
    bold = Font(bold=True)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        names = [c.name for c in sheet.columns]
        ws.append(names)
        for index, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=index)
            cell.font = bold
            cell.comment = Comment(column_help(col, "sv") + "\n\n" + column_help(col, "en"), "qagraph",
                                   height=200, width=320)
            ws.column_dimensions[get_column_letter(index)].width = max(12, len(col.name) + 2)
            allowed = allowed_values(col)
            help_ws.append([sheet.name, col.name, "yes" if col.required else "no", col.type, col.sv,
                            col.en, ", ".join(allowed)])
            if allowed:
                list_col += 1
                letter = get_column_letter(list_col)
                lists.cell(row=1, column=list_col, value=f"{sheet.name}.{col.name}")
                for r, value in enumerate(allowed, start=2):
                    lists.cell(row=r, column=list_col, value=value)
                check = DataValidation(type="list", formula1=f"lists!${letter}$2:${letter}${len(allowed) + 1}",
                                       allow_blank=True, showErrorMessage=not col.multiple,
                                       errorStyle="warning")
                check.promptTitle = col.name[:32]
                check.prompt = (col.sv + " / " + col.en)[:255]
                check.showInputMessage = True
                target = get_column_letter(index)
                check.add(f"{target}2:{target}1048576")
                ws.add_data_validation(check)
        for row in rows.get(sheet.name, []):
            ws.append([row.get(n, "") or None for n in names])
        ws.freeze_panes = "A2"
    for cell in help_ws[1]:
        cell.font = bold
    for name in ("help", "lists"):  # after the data sheets
        book.move_sheet(name, offset=len(book.sheetnames) - 1 - book.sheetnames.index(name))
    book.active = 0
    tmp = path.with_name(path.name + ".part")
    book.save(tmp)
    tmp.replace(path)


def write_tables(rows: Rows, path: Path) -> None:
    """An .xlsx workbook when `path` ends in .xlsx, else a folder of CSV files."""
    if path.suffix.lower() == ".xlsx":
        write_workbook(rows, path)
    else:
        write_csv_folder(rows, path)
