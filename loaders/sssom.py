"""SSSOM mapping sets in and out (SSSOM/TSV with its YAML metadata block).

Parsing and the conversion to and from the SSSOM RDF form are the reference
implementation's (the `sssom` package); this module adds what qagraph needs around it:

* a check of every row first, so that a bad file is reported cell by cell
  (``file:row:column: message``) before anything reaches the store;
* a record id for every mapping that has none, so that each mapping is an IRI that pages
  and curation can name (sssom-py turns mappings without one into blank nodes);
* the published SKOS triple of every mapping that is not negated (``predicate_modifier
  Not`` publishes nothing: it records a decision *against* equivalence);
* a ``void:Linkset`` description of the set and the set's CURIE map, kept as SHACL prefix
  declarations (``sh:declare``) so that an export writes the same prefixes back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import pyoxigraph as ox
import yaml
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from graph_app.core import limits as limits_
from graph_app.core import queries
from graph_app.core.errors import CellProblem, InputError, TableErrors
from graph_app.core.interchange import registers
from graph_app.core.limits import SETTING, Limits, format_size
from graph_app.core.namespaces import (
    DEFAULT_BASE,
    SEMAPV,
    SH,
    SKOS,
    SSSOM,
    VOID,
    converter_for,
    expand,
)
from graph_app.core.store import StagedSource, Store
from graph_app.core.terms import to_rdflib, triples_from_graph

from . import scanning
from .rdf import mapped
from .registry import register

SSSOM_NS = Namespace(SSSOM)
VOID_NS = Namespace(VOID)
SH_NS = Namespace(SH)
OWL_NS = Namespace("http://www.w3.org/2002/07/owl#")

MAPPING_PREDICATES = {
    f"{SKOS}{name}" for name in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")
}
JUSTIFICATIONS = {
    f"{SEMAPV}{name}"
    for name in (
        "ManualMappingCuration", "MappingReview", "LexicalMatching",
        "LexicalSimilarityThresholdMatching", "SemanticSimilarityThresholdMatching",
        "LogicalReasoning", "MappingChaining", "MappingInversion", "CompositeMatching",
        "StructuralMatching", "InstanceBasedMatching", "BackgroundKnowledgeBasedMatching",
        "UnspecifiedMatching",
    )
}
PREFIX_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What sssom-py (pandas, LinkML, curies, rdflib) may raise on a set the checks let through.
SSSOM_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, TypeError, AttributeError,
                                                 IndexError, LookupError)
REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
IRI_COLUMNS = ("see_also", "subject_source", "object_source", "mapping_provider", "issue_tracker_item")
ENTITY_COLUMNS = ("subject_id", "object_id", "author_id", "reviewer_id", "record_id")
MAPPING_PREFIX = "qamapping"  # CURIE prefix of minted record ids
STANDARD_PREFIXES = {
    "skos": SKOS, "semapv": SEMAPV, "sssom": SSSOM,
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


class SssomProblem(CellProblem):
    """A bad cell of an SSSOM/TSV file: file:row:column: message (no sheet)."""

    def place(self) -> str:
        return f"{self.file}:{self.row}:{self.column}"


class SssomErrors(TableErrors):
    def __init__(self, problems: list[CellProblem]) -> None:
        super().__init__(problems)
        self.key = "sssom_errors"


@dataclass
class ParsedSet:
    """A checked SSSOM/TSV file: its metadata, CURIE map and rows (cells as text)."""

    metadata: dict[str, Any]
    prefixes: dict[str, str]
    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int] = field(default_factory=list)  # the file's line of each row
    file: str = ""
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # warnings, nothing lost

    @property
    def set_id(self) -> str:
        return str(self.metadata["mapping_set_id"])


def set_slug(set_id: str) -> str:
    """The last path segment of a mapping set id, used for its source name and URLs."""
    tail = re.split(r"[/#]", set_id.rstrip("/#"))[-1]
    return re.sub(r"[^A-Za-z0-9._-]", "-", tail).strip("-.") or "set"


def source_for_set(set_id: str) -> str:
    return f"mappings-{set_slug(set_id)}"[:100]


def _problem(problems: list[CellProblem], file: str, row: int, column: str, key: str, /,
             **values: object) -> None:
    """Add the problem of catalogue message `key` at file:row:column."""
    problems.append(SssomProblem.of(file, "", row, column, key, **values))


def read(text: str, file: str, limits: Limits | None = None) -> ParsedSet:
    """Split and check an SSSOM/TSV text; raise SssomErrors naming every bad cell."""
    limits = limits or Limits()
    lines = text.splitlines()
    header_lines = 0
    while header_lines < len(lines) and lines[header_lines].startswith("#"):
        header_lines += 1
    problems: list[CellProblem] = []
    yaml_text = "\n".join(line[1:] for line in lines[:header_lines])
    try:
        metadata = yaml.safe_load(yaml_text) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = (mark.line + 1) if mark is not None else 1
        detail = getattr(err, "problem", None) or str(err).splitlines()[0]
        _problem(problems, file, row, "metadata", "sssom_yaml_unreadable", detail=detail)
        raise SssomErrors(problems) from None
    except RecursionError:
        _problem(problems, file, 1, "metadata", "sssom_yaml_too_deep")
        raise SssomErrors(problems) from None
    if not isinstance(metadata, dict):
        _problem(problems, file, 1, "metadata", "sssom_metadata_not_mapping")
        raise SssomErrors(problems)
    prefixes, rejected = _curie_map(metadata, lines[:header_lines], file, problems)
    merged = {**STANDARD_PREFIXES, **prefixes}
    for key in ("mapping_set_id", "license"):
        if not metadata.get(key):
            _problem(problems, file, 1, key, "sssom_metadata_missing", name=key)
        elif not _is_iri(str(metadata[key])):
            _problem(problems, file, _meta_line(lines[:header_lines], key), key,
                     "sssom_bad_iri", value=metadata[key])
    table = _table(lines, header_lines, file, limits, problems)
    if not table:
        _problem(problems, file, header_lines + 1, "header", "sssom_no_header")
        raise SssomErrors(problems)
    columns = table[0][1]
    notes = _check_header(columns, table, metadata, file, header_lines + 1, problems)
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            _problem(problems, file, header_lines + 1, name, "sssom_column_missing", name=name)
    rows: list[dict[str, str]] = []
    row_lines: list[int] = []
    for line, cells in table[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            _problem(problems, file, line, str(len(cells)), "sssom_row_width", cells=len(cells),
                     columns=len(columns))
            continue
        row = {c: v.strip() for c, v in zip(columns, cells, strict=True)}
        _check_row(row, merged, file, line, problems, rejected)
        rows.append(row)
        row_lines.append(line)
    if problems:
        raise SssomErrors(problems)
    return ParsedSet(metadata, prefixes, columns, rows, row_lines, file, notes)


@cache
def mapping_slots() -> frozenset[str]:
    """The column names the SSSOM schema defines for a mapping (sssom-py's schema view)."""
    from sssom.constants import SSSOMSchemaView

    return frozenset(SSSOMSchemaView().mapping_slots)


def _check_header(columns: list[str], table: list[tuple[int, list[str]]], metadata: dict[str, Any], file: str,
                  line: int, problems: list[CellProblem]) -> list[tuple[str, dict[str, str]]]:
    """Problems for values under a blank header and for a repeated column (sssom-py would
    drop them without a word); a warning note for columns that are neither SSSOM slots nor
    declared extensions, which the SSSOM standard lets a reader ignore."""
    first: dict[str, int] = {}
    for index, name in enumerate(columns):
        if not name.strip():
            filled = next(((at, cells[index]) for at, cells in table[1:]
                           if index < len(cells) and cells[index].strip()), None)
            if filled is not None:
                _problem(problems, file, filled[0], str(index + 1), "sssom_unnamed_column",
                         value=filled[1].strip()[:80])
        elif name in first:
            _problem(problems, file, line, name, "sssom_duplicate_column", name=name, other=first[name] + 1)
        else:
            first[name] = index
    declared = metadata.get("extension_definitions")
    extensions = {str(e.get("slot_name")) for e in declared if isinstance(e, dict)} if isinstance(declared, list) else set()
    unknown = [n for n in first if n not in mapping_slots() and n not in extensions]
    if not unknown:
        return []
    return [("sssom_unknown_columns", {"file": file, "names": "', '".join(unknown)})]


def _table(lines: list[str], header_lines: int, file: str, limits: Limits,
           problems: list[CellProblem]) -> list[tuple[int, list[str]]]:
    """The rows of the table with their line numbers; a problem (and the rows so far) at
    a cell over the size limit, a quote left open, or too many rows."""
    csv.field_size_limit(limits.literal_size)
    reader = csv.reader(io.StringIO("\n".join(lines[header_lines:])), delimiter="\t", strict=True)
    table: list[tuple[int, list[str]]] = []
    while True:
        line = header_lines + reader.line_num + 1
        try:
            cells = next(reader, None)
        except csv.Error as err:
            if "field limit" in str(err):
                _problem(problems, file, line, "-", "sssom_cell_too_long",
                         size=format_size(limits.literal_size), setting=SETTING["literal_size"])
            else:
                _problem(problems, file, line, "-", "sssom_unreadable", detail=err)
            raise SssomErrors(problems) from None
        if cells is None:
            return table
        if len(table) > limits.rows:
            _problem(problems, file, line, "-", "sssom_too_many_rows", rows=limits.rows, setting=SETTING["rows"])
            raise SssomErrors(problems)
        for column, cell in enumerate(cells):
            if _CONTROL.search(cell):
                name = table[0][1][column] if table and column < len(table[0][1]) else str(column + 1)
                _problem(problems, file, line, name, "sssom_control_character")
        table.append((line, cells))


def _curie_map(metadata: dict[str, Any], header: list[str], file: str,
               problems: list[CellProblem]) -> tuple[dict[str, str], set[str]]:
    """The set's CURIE map, and the prefixes refused with a problem (an entry that is not
    prefix: IRI), so that the cells that use them are not reported once more."""
    given = metadata.get("curie_map") or {}
    if not isinstance(given, dict):
        _problem(problems, file, _meta_line(header, "curie_map"), "curie_map", "sssom_curie_map_not_mapping")
        return {}, set()
    prefixes: dict[str, str] = {}
    rejected: set[str] = set()
    for prefix, namespace in given.items():
        line = _meta_line(header, str(prefix))
        if not isinstance(prefix, str) or not PREFIX_RE.match(prefix):
            _problem(problems, file, line, "curie_map", "sssom_bad_prefix", prefix=prefix)
        elif not isinstance(namespace, str) or not _is_iri(namespace):
            _problem(problems, file, line, "curie_map", "sssom_bad_namespace", prefix=prefix, namespace=namespace)
        else:
            prefixes[prefix] = namespace
            continue
        rejected.add(str(prefix))
    return prefixes, rejected


def _meta_line(header: list[str], key: str) -> int:
    """The line of the metadata block where `key` is written (1 when it is not found)."""
    pattern = re.compile(rf"^#\s*[\"']?{re.escape(key)}[\"']?\s*:")
    return next((number for number, line in enumerate(header, start=1) if pattern.match(line)), 1)


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return bool(re.match(r"^[a-z][a-z0-9+.-]*:", text, re.I))


def _expand(value: str, prefixes: dict[str, str]) -> str | None:
    if re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        return value
    return expand(value, converter_for(prefixes))


def _check_row(row: dict[str, str], prefixes: dict[str, str], file: str, line: int,
               problems: list[CellProblem], rejected: AbstractSet[str] = frozenset()) -> None:
    for name in REQUIRED_COLUMNS:
        if name in row and not row[name]:
            _problem(problems, file, line, name, "sssom_cell_required")
    for name in ENTITY_COLUMNS + IRI_COLUMNS + ("predicate_id", "mapping_justification"):
        value = row.get(name, "")
        if not value:
            continue
        for part in value.split("|"):
            expanded = _expand(part, prefixes)
            if part.partition(":")[0] in rejected:
                continue  # its prefix is reported already
            if expanded is None:
                _problem(problems, file, line, name, "sssom_not_curie", value=part)
            elif not _is_iri(expanded):
                _problem(problems, file, line, name, "sssom_bad_iri", value=part)
    predicate = _expand(row.get("predicate_id", ""), prefixes)
    if row.get("predicate_id") and predicate is not None and predicate not in MAPPING_PREDICATES:
        _problem(problems, file, line, "predicate_id", "sssom_bad_predicate", value=row["predicate_id"])
    justification = _expand(row.get("mapping_justification", ""), prefixes)
    if row.get("mapping_justification") and justification is not None and justification not in JUSTIFICATIONS:
        _problem(problems, file, line, "mapping_justification", "sssom_bad_justification",
                 value=row["mapping_justification"])
    if row.get("predicate_modifier") not in (None, "", "Not"):
        _problem(problems, file, line, "predicate_modifier", "sssom_bad_modifier", value=row["predicate_modifier"])
    if row.get("confidence"):
        try:
            confidence = float(row["confidence"])
            if not 0.0 <= confidence <= 1.0:
                raise ValueError
        except ValueError:
            _problem(problems, file, line, "confidence", "sssom_bad_confidence", value=row["confidence"])
    for name in ("mapping_date", "publication_date"):
        if row.get(name):
            try:
                date.fromisoformat(row[name])
            except ValueError:
                _problem(problems, file, line, name, "cell_bad_date", value=row[name])


def record_iri(set_id: str, row: dict[str, str]) -> str:
    """A stable IRI for a mapping without a record id: from its set and its statement."""
    key = "|".join((set_id, row.get("subject_id", ""), row.get("predicate_id", ""),
                    row.get("predicate_modifier", ""), row.get("object_id", "")))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"{DEFAULT_BASE}mapping/{set_slug(set_id)}-{digest}"


def _with_record_ids(parsed: ParsedSet) -> tuple[list[str], list[dict[str, str]], dict[str, str]]:
    prefixes = dict(parsed.prefixes)
    columns = list(parsed.columns)
    if "record_id" not in columns:
        columns.append("record_id")
    if any(not r.get("record_id") for r in parsed.rows):
        prefixes.setdefault(MAPPING_PREFIX, f"{DEFAULT_BASE}mapping/")
    rows = []
    for row in parsed.rows:
        row = dict(row)
        if not row.get("record_id"):
            iri = record_iri(parsed.set_id, row)
            row["record_id"] = f"{MAPPING_PREFIX}:{iri.rsplit('/', 1)[1]}"
        rows.append(row)
    return columns, rows, prefixes


def to_graph(parsed: ParsedSet) -> Graph:
    """The SSSOM RDF form of a checked set, plus SKOS triples and the Linkset description."""
    from sssom.parsers import parse_sssom_table

    columns, rows, prefixes = _with_record_ids(parsed)
    metadata = dict(parsed.metadata)
    metadata["curie_map"] = prefixes
    text = _table_text(metadata, columns, rows)
    msdf = parse_sssom_table(io.StringIO(text))
    from sssom.writers import to_rdf_graph

    graph = to_rdf_graph(msdf)
    _check_every_mapping(parsed, rows, prefixes, graph)
    set_node = URIRef(parsed.set_id)
    graph.add((set_node, RDF.type, VOID_NS.Linkset))
    for axiom in graph.subjects(RDF.type, OWL_NS.Axiom):
        if (axiom, SSSOM_NS.predicate_modifier, None) in graph:
            continue
        s = graph.value(axiom, OWL_NS.annotatedSource)
        p = graph.value(axiom, OWL_NS.annotatedProperty)
        o = graph.value(axiom, OWL_NS.annotatedTarget)
        if s is not None and p is not None and o is not None:
            graph.add((s, p, o))
            graph.add((set_node, VOID_NS.linkPredicate, p))
    for prefix, namespace in sorted(prefixes.items()):
        node = URIRef(f"{parsed.set_id}#prefix-{prefix}")
        graph.add((set_node, SH_NS.declare, node))
        graph.add((node, SH_NS.prefix, Literal(prefix)))
        graph.add((node, SH_NS.namespace, Literal(namespace, datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI"))))
    return graph


def _check_every_mapping(parsed: ParsedSet, rows: list[dict[str, str]], prefixes: dict[str, str],
                         graph: Graph) -> None:
    """Every row is a mapping of the graph: sssom-py leaves out a mapping with a value it
    cannot turn into RDF, without a word, so that is an error naming the row."""
    axioms = set(graph.subjects(RDF.type, OWL_NS.Axiom))
    problems: list[CellProblem] = []
    merged = {**STANDARD_PREFIXES, **prefixes}
    for number, row in enumerate(rows):
        iri = _expand(row["record_id"], merged)
        if iri is not None and URIRef(iri) not in axioms:
            line = parsed.lines[number] if number < len(parsed.lines) else 0
            _problem(problems, parsed.file, line, "-", "sssom_not_convertible_row")
    if problems:
        raise SssomErrors(problems)


def _table_text(metadata: dict[str, Any], columns: list[str], rows: list[dict[str, str]]) -> str:
    head = yaml.safe_dump(metadata, sort_keys=True, allow_unicode=True)
    out = io.StringIO()
    for line in head.splitlines():
        out.write(f"# {line}\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return out.getvalue()


def read_file(path: Path, limits: Limits | None = None) -> ParsedSet:
    limits = limits or limits_.current()
    limits_.check_file_size(path, limits)
    with mapped(path) as buf:
        problem = scanning.utf8_problem(buf, path.name)
        if problem is not None:
            raise problem
        text = bytes(buf).decode("utf-8")
    return read(text, path.name, limits)


@dataclass
class SssomLoader:
    """`qagraph load x.sssom.tsv`: one mapping set as one source."""

    name: str = "sssom"
    extensions: tuple[str, ...] = (".sssom.tsv",)
    media_types: tuple[str, ...] = ("text/tab-separated-values",)

    def write(self, store: Store, staged: StagedSource, path: Path, base_iri: str) -> None:
        parsed = read_file(path)
        staged.notes.extend(parsed.notes)
        try:
            triples = triples_from_graph(to_graph(parsed))
        except SSSOM_ERRORS as err:  # what the checks above did not foresee, with its place
            raise SssomErrors([SssomProblem.of(path.name, "", 1, "-", "sssom_not_convertible",
                                               detail=err)]) from None
        store.write_staged(staged, triples)


register(SssomLoader())


# -- export ---------------------------------------------------------------------------



def find_set(store: Store, name: str) -> str:
    """The IRI of the mapping set called `name` (its id, or the last segment of it)."""
    result = store.query(queries.load("mapping-sets").text)
    sets = [row["set"].value for row in result]  # type: ignore[union-attr]
    for candidate in sets:
        if candidate == name or set_slug(candidate) == name:
            return candidate
    raise InputError("unknown_mapping_set", name=name)


def set_graph(store: Store, set_id: str) -> Graph:
    """The set's description and mappings, as they are in the store."""
    result = store.query(queries.load("mapping-set-triples").text, bindings={"set": ox.NamedNode(set_id)})
    graph = Graph()
    for t in result:  # type: ignore[union-attr]
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def export(store: Store, name: str, output: TextIO, base_iri: str = DEFAULT_BASE) -> int:
    """Write mapping set `name` as SSSOM/TSV; return the number of mappings. Entities that
    came from a register (an ELM import, the Credential Registry) are named by CURIEs whose
    prefixes the curie_map declares (graph_app.core.interchange.registers)."""
    from sssom.parsers import from_sssom_rdf
    from sssom.writers import write_table

    set_id = find_set(store, name)
    full = set_graph(store, set_id)
    set_node = URIRef(set_id)
    prefixes = dict(STANDARD_PREFIXES)
    for decl in full.objects(set_node, SH_NS.declare):
        prefix, namespace = full.value(decl, SH_NS.prefix), full.value(decl, SH_NS.namespace)
        if prefix is not None and namespace is not None:
            prefixes[str(prefix)] = str(namespace)
    pure = Graph()
    axioms = set(full.objects(set_node, SSSOM_NS.mappings))
    for s, p, o in full:
        if s == set_node and p in (SH_NS.declare, VOID_NS.linkPredicate):
            continue
        if s == set_node and p == RDF.type and o != SSSOM_NS.MappingSet:
            continue
        if s != set_node and s not in axioms:
            continue
        if str(p).startswith("https://w3id.org/qagraph/"):
            continue
        pure.add((s, p, o))
    ends = {o for s in axioms for p in (OWL_NS.annotatedSource, OWL_NS.annotatedTarget)
            for o in full.objects(s, p) if isinstance(o, URIRef)}
    prefixes.update(registers.curie_map(store, (str(e) for e in ends), prefixes, base_iri))
    msdf = from_sssom_rdf(pure, prefix_map=converter_for(prefixes))
    write_table(msdf, output)
    return len(msdf.df)
