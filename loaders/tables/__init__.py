"""Spreadsheet templates for data stewards: CSV files and Excel workbooks.

The loaders "csv" and "xlsx" register here like any other loader, so a table load goes
through the same stage -> validate -> commit pipeline as an RDF load. The templates, the
exporter and docs/tables.md all come from the one specification in `spec.py`.
"""

from __future__ import annotations

import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from graph_app.core import limits as limits_
from graph_app.core import queries
from graph_app.core.errors import InputProblem, Position
from graph_app.core.limits import Limits
from graph_app.core.store import StagedSource, Store
from graph_app.core.terms import graph_from_triples, to_ox

from ..registry import register
from .reader import Triple, read_csv, read_xlsx, rows_to_triples, store_lookup
from .spec import SHEETS
from .writer import Rows, covered, export_rows, write_tables

BULK_TRIPLES = 100_000  # more triples than this are bulk-loaded into the staged graph

__all__ = ["TableLoader", "covered", "export_graph", "export_store", "read_graph", "write_template"]


def read_triples(path: Path, base_iri: str, store: Store | None = None,
                 exclude: tuple[str, ...] = (), limits: Limits | None = None,
                 notices: list[tuple[str, dict[str, str]]] | None = None) -> list[Triple]:
    """The triples of a CSV file or workbook; TableErrors lists every bad cell, and
    `notices` receives the warnings (sheets of the template that the workbook lacks)."""
    limits = limits or limits_.current()
    lookup = store_lookup(store, exclude) if store is not None else None
    try:
        with ExitStack() as stack:
            if path.suffix.lower() == ".xlsx":
                raw, problems, warnings = read_xlsx(path, limits, stack)
                if notices is not None:
                    notices.extend(warnings)
            else:
                raw, problems = read_csv(path, limits)
            return rows_to_triples(raw, base_iri, lookup, problems, limits)
    except OSError as err:
        raise InputProblem(Position(path.name), "file_unreadable", detail=err.strerror or str(err)) from None


def read_graph(path: Path, base_iri: str, store: Store | None = None,
               exclude: tuple[str, ...] = ()) -> Graph:
    """The RDF of a CSV file or workbook as an rdflib graph."""
    graph = Graph()
    for triple in read_triples(path, base_iri, store, exclude):
        graph.add(triple)
    return graph


@dataclass
class TableLoader:
    name: str
    extensions: tuple[str, ...]
    media_types: tuple[str, ...]

    def write(self, store: Store, staged: StagedSource, path: Path, base_iri: str) -> None:
        notices: list[tuple[str, dict[str, str]]] = []
        triples = read_triples(path, base_iri, store, exclude=(staged.name,), notices=notices)
        staged.notes.extend(notices)
        converted = (ox.Triple(to_ox(s), to_ox(p), to_ox(o))  # type: ignore[arg-type]
                     for s, p, o in triples)
        if len(triples) < BULK_TRIPLES:
            store.write_staged(staged, converted)
            return
        # Many triples: bulk-load them into the pending graph, as the RDF loader does with
        # big files (one transaction of them all would hold the whole batch in memory;
        # transactions of 50,000 took 3 to 4 times as long). The file has no name, so a
        # killed load leaves nothing in the temporary folder.
        with tempfile.TemporaryFile() as dump:
            ox.serialize(converted, dump, ox.RdfFormat.N_TRIPLES)
            del triples
            dump.flush()
            dump.seek(0)
            store.bulk_write_staged(staged, unnamed_path(dump.fileno(), dump.name), ox.RdfFormat.N_TRIPLES)


def unnamed_path(fd: int, name: str | int) -> Path:
    """A path that opens the file of `fd`, also when it has no name (as a TemporaryFile
    on Linux, which leaves nothing behind when the process is killed)."""
    if isinstance(name, str) and Path(name).is_file():
        return Path(name)
    return Path(f"/dev/fd/{fd}")


def store_graph(store: Store) -> Graph:
    """What the templates can hold: every triple about an entity of a template class."""
    text = queries.load("tables-entity-triples").text
    graph = Graph()
    for sheet in SHEETS:
        if sheet.rdf_class:
            result = store.query(text, bindings={"c": ox.NamedNode(sheet.rdf_class)})
            assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
            graph_from_triples(result, into=graph)
    return graph


def export_graph(graph: Graph, path: Path, base_iri: str) -> Rows:
    rows = export_rows(graph, base_iri)
    write_tables(rows, path)
    return rows


def export_store(store: Store, path: Path, base_iri: str) -> Rows:
    """Write the store out in the templates: a workbook (.xlsx) or a folder of CSV files."""
    return export_graph(store_graph(store), path, base_iri)


def write_template(path: Path) -> Rows:
    """Empty templates: a workbook (.xlsx) or a folder of CSV files."""
    rows: Rows = {s.name: [] for s in SHEETS}
    write_tables(rows, path)
    return rows


register(TableLoader("csv", (".csv",), ("text/csv",)))
register(TableLoader("xlsx", (".xlsx",),
                     ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)))

