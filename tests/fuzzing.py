"""Fuzzing the loaders: mutations of valid files, a worker process that loads them, and the
invariants every load must keep.

The mutations are plain functions of a `random.Random` and the bytes of a valid file, so
that hypothesis (tests/test_fuzz_loaders.py, through `st.randoms()`) and the longer run in
bench/fuzz.py draw from the same space: byte flips, truncation, deleted and duplicated
lines, other encodings, huge cells, deep nesting, control characters, wrong headers, and
for workbooks the same inside a part of the zip package or on the package itself.

Each input is loaded by `qagraph load --no-validate` (the parsing and writing path; SHACL
is not what is fuzzed) inside a long-lived worker process, so that a crash (a segfault,
a hang) costs the worker, not the test run: the worker is restarted and the input counts
as a crash. The worker reports, for each load, what the invariants need:

* the exit code (0, 1 or 2; anything else, or a dead or hung worker, is a crash);
* whether a Python traceback was printed or raised;
* whether the store changed (a digest of every quad, metadata included) although the load
  did not commit: a partial write;
* for a committed load, whether the source graph holds every row of the input, checked
  against an independent reading (Oxigraph's parser for RDF, csv and openpyxl's full
  mode for tables, the table part of an SSSOM file): otherwise a silent drop;
* for a refused load, whether the message names the file (`file:…`): otherwise a message
  without a place.

Run the worker with `python -m tests.fuzzing` (it reads one JSON job per line).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import select
import subprocess
import sys
import traceback
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EX = "http://example.org/"
KINDS = ("turtle", "ntriples", "jsonld", "csv", "xlsx", "sssom")  # the test suite's; bench/fuzz.py adds rdfxml
RDF_KINDS = ("turtle", "ntriples", "jsonld", "rdfxml")
FILE_NAMES = {"turtle": "fuzz.ttl", "ntriples": "fuzz.nt", "jsonld": "fuzz.jsonld", "rdfxml": "fuzz.rdf",
              "csv": "organisations.csv", "xlsx": "fuzz.xlsx", "sssom": "fuzz.sssom.tsv"}

# -- valid seeds ----------------------------------------------------------------------------


def seed_turtle() -> bytes:
    return f"""@prefix e: <{EX}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
# a comment with ( brackets [ and "quotes"
e:a a e:Thing ; rdfs:label "Alfa"@sv, "Alpha"@en ;
    e:list ( 1 2 ( 3 4 ) ) ;
    e:node [ e:p "inner" ; e:q [ e:r 1.5 ] ] ;
    e:date "2024-01-31"^^xsd:date ;
    e:text \"\"\"many
lines (with brackets) and "quotes\"\"\" .
e:b e:see e:a ; e:count 42 ; e:flag true .
<{EX}c> <{EX}p> 'single' , "x\\"y" .
""".encode()


def seed_ntriples() -> bytes:
    lines = [f'<{EX}s{i}> <{EX}p{i % 3}> "value {i} (é)"@sv .' for i in range(12)]
    lines += [f"<{EX}s{i}> <{EX}link> <{EX}s{(i + 1) % 12}> ." for i in range(12)]
    lines += [f'_:b{i} <{EX}q> "{i}"^^<http://www.w3.org/2001/XMLSchema#integer> .' for i in range(4)]
    return ("\n".join(lines) + "\n").encode()


def seed_jsonld() -> bytes:
    doc = {
        "@context": {"e": EX, "label": {"@id": "http://www.w3.org/2000/01/rdf-schema#label", "@language": "sv"},
                     "knows": {"@id": f"{EX}knows", "@type": "@id"}},
        "@graph": [
            {"@id": "e:a", "@type": "e:Thing", "label": "Alfa", "knows": ["e:b", "e:c"],
             "e:nested": {"e:deeper": {"e:value": [1, 2.5, True, None, "text [with] {brackets}"]}}},
            {"@id": "e:b", "label": "Beta", "e:list": {"@list": [1, 2, 3]}},
            {"@id": "e:c", "e:name": {"@value": "Gamma", "@language": "en"}},
        ],
    }
    return json.dumps(doc, indent=1, ensure_ascii=False).encode()


def seed_rdfxml() -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rdf:RDF [ <!ENTITY e "{EX}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#" xmlns:e="{EX}">
  <!-- a comment with <tags> and & -->
  <rdf:Description rdf:about="&e;a">
    <rdfs:label xml:lang="sv">Alfa &amp; "Beta"</rdfs:label>
    <e:knows rdf:resource="&e;b"/>
    <e:node rdf:parseType="Resource"><e:value>1</e:value><e:deeper><rdf:Description>
      <e:value><![CDATA[text with <brackets>]]></e:value></rdf:Description></e:deeper></e:node>
    <e:list rdf:parseType="Collection"><rdf:Description rdf:about="&e;c"/></e:list>
  </rdf:Description>
</rdf:RDF>
""".encode()


def seed_csv() -> bytes:
    rows = [["id", "label_sv", "label_en", "country", "homepage", "description_en"]]
    rows += [[f"org-{i}", f"Organisation {i}", f"Organisation {i} (en)", "SE", f"https://org{i}.example/",
              f"Issues, trains; \"quoted\" {i}"] for i in range(8)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def seed_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    orgs = book.create_sheet("organisations")
    orgs.append(["id", "label_sv", "label_en", "country", "homepage"])
    for i in range(6):
        orgs.append([f"org-{i}", f"Organisation {i}", f"Org {i}", "SE", f"https://org{i}.example/"])
    creds = book.create_sheet("credentials")
    creds.append(["id", "label_sv", "validity_period", "regulated"])
    for i in range(4):
        creds.append([f"cred-{i}", f"Merit {i}", "P5Y", "nej"])
    routes = book.create_sheet("routes")
    routes.append(["id", "label_sv", "credential", "assurance_level", "issuer"])
    for i in range(4):
        routes.append([f"route-{i}", f"Väg {i}", f"cred-{i}", "C2", f"org-{i}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def seed_sssom() -> bytes:
    return (ROOT / "data" / "mappings" / "nordic-hot-work.sssom.tsv").read_bytes()


SEEDS: dict[str, Callable[[], bytes]] = {
    "turtle": seed_turtle, "ntriples": seed_ntriples, "jsonld": seed_jsonld, "rdfxml": seed_rdfxml,
    "csv": seed_csv, "xlsx": seed_xlsx, "sssom": seed_sssom,
}

# -- mutations ------------------------------------------------------------------------------


def flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def delete_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 3)):
        if len(lines) > 1:
            del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[at])
    return b"\n".join(lines)


def wrong_encoding(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    encoding = rng.choice(["latin-1", "cp1252", "utf-16", "utf-16-le", "utf-32"])
    return text.encode(encoding, "replace")


def huge_cell(rng: random.Random, data: bytes) -> bytes:
    size = rng.choice([140_000, 1_100_000, 2_500_000])
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.choice([b"x", b"\xc3\xa5", b"(", b"\\"]) * size + data[at:]


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([150, 2_000, 20_000])
    opener = rng.choice([b"(", b"[", b"{", b'{"a":', b"[ <http://e/p> ", b"<<( <http://e/a> <http://e/p> ",
                         b"<e:p><rdf:Description>"])
    closer = {b"(": b")", b"[": b"]", b"{": b"}", b'{"a":': b"}", b"[ <http://e/p> ": b"]",
              b"<<( <http://e/a> <http://e/p> ": b")>>", b"<e:p><rdf:Description>": b""}[opener]
    at = rng.randrange(len(data) + 1)
    middle = opener * depth + b"1" + closer * (depth if rng.random() < 0.7 else 0)
    return data[:at] + middle + data[at:]


def control_chars(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        out.insert(rng.randrange(len(out) + 1), rng.choice([0, 1, 8, 11, 12, 27, 127]))
    return bytes(out)


def splice(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    junk = rng.choice([b'"', b"'", b'"""', b"<", b">", b"#", b"@", b"\\", b"\t", b",", b"|", b"=", b"&x;",
                       b"\xef\xbb\xbf", b"\r", b"\n\n", b"_:", b"^^", b"]]>", b"<!--", rng.randbytes(4)])
    return data[:at] + junk * rng.randint(1, 3) + data[at:]


def wrong_header(rng: random.Random, data: bytes) -> bytes:
    """For tables and SSSOM: rename, blank, repeat or drop a cell of the header line."""
    lines = _lines(data)
    index = next((i for i, line in enumerate(lines) if line and not line.startswith(b"#")), 0)
    sep = b"\t" if b"\t" in lines[index] else b","
    cells = lines[index].split(sep)
    at = rng.randrange(len(cells))
    choice = rng.randrange(4)
    if choice == 0:
        cells[at] = rng.choice([b"", b"unknown", b"label_sv", b"subject_id", b" id "])
    elif choice == 1:
        cells.insert(rng.randrange(len(cells) + 1), cells[at])
    elif choice == 2 and len(cells) > 1:
        del cells[at]
    else:
        cells.append(b"")
    lines[index] = sep.join(cells)
    return b"\n".join(lines)


TEXT_MUTATIONS: list[Callable[[random.Random, bytes], bytes]] = [
    flip, truncate, delete_lines, duplicate_lines, wrong_encoding, huge_cell, deep_nesting,
    control_chars, splice, wrong_header,
]


def _rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            changed = change(info.filename, source.read(info.filename))
            if changed is not None:
                target.writestr(info.filename, changed)
    return out.getvalue()


def xlsx_part(rng: random.Random, data: bytes) -> bytes:
    """A mutation inside one part of the package (a sheet most of the time), re-zipped."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
    if not names:  # a damaged central directory lists no parts: nothing to mutate inside
        return data
    sheets = [n for n in names if n.startswith("xl/worksheets/")]
    part = rng.choice(sheets) if sheets and rng.random() < 0.8 else rng.choice(names)
    special = rng.randrange(8)

    def change(name: str, content: bytes) -> bytes | None:
        if name != part:
            return content
        if special == 0:
            return None  # the part is missing
        if special == 1:  # a stale declared range
            return content.replace(b'<dimension ref="', b'<dimension ref="A1:AB2" x="', 1)
        if special == 2:  # a formula without its value in some cell of the sheet
            return content.replace(b"</row>", b'<c r="Z9"><f>A1&amp;"x"</f><v></v></c></row>', 1)
        if special == 3:  # a value under no header
            return content.replace(b"</row>", b'<c r="J2" t="inlineStr"><is><t>lost</t></is></c></row>', 2)
        return rng.choice(TEXT_MUTATIONS)(rng, content)

    return _rezip(data, change)


def xlsx_package(rng: random.Random, data: bytes) -> bytes:
    """A mutation of the zip package's own bytes."""
    return rng.choice([flip, truncate, splice])(rng, data)


def mutate(kind: str, rng: random.Random, data: bytes) -> bytes:
    """One to three mutations of `data`, a valid file of `kind`."""
    for _ in range(rng.choice([1, 1, 2, 3])):
        if kind == "xlsx":
            if rng.random() < 0.25:
                data = xlsx_package(rng, data)
                continue
            try:
                data = xlsx_part(rng, data)
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, OSError):
                break  # the package is no longer readable: its parts cannot be mutated
        else:
            data = rng.choice(TEXT_MUTATIONS)(rng, data)
    return data


# -- outcomes and invariants -----------------------------------------------------------------


@dataclass
class Outcome:
    code: int
    output: str = ""
    traceback: bool = False
    changed: bool = False
    silent_drop: str = ""
    placed: bool = True
    hung: bool = False

    @property
    def crashed(self) -> bool:
        return self.hung or self.code not in (0, 1, 2)

    @property
    def partial_write(self) -> bool:
        return self.changed and self.code != 0

    def broken(self) -> list[str]:
        """The invariants this load broke (empty: none)."""
        found = []
        if self.crashed:
            found.append("crash" if not self.hung else "hang")
        if self.traceback:
            found.append("traceback")
        if self.partial_write:
            found.append("partial write")
        if self.silent_drop:
            found.append(f"silent drop ({self.silent_drop})")
        if self.code == 2 and not self.placed:
            found.append("message without a place")
        return found


@dataclass
class Counts:
    inputs: int = 0
    committed: int = 0
    refused: int = 0
    crashes: int = 0
    tracebacks: int = 0
    partial_writes: int = 0
    silent_drops: int = 0
    unplaced: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome, label: str) -> None:
        self.inputs += 1
        self.committed += outcome.code == 0
        self.refused += outcome.code in (1, 2)
        self.crashes += outcome.crashed
        self.tracebacks += outcome.traceback
        self.partial_writes += outcome.partial_write
        self.silent_drops += bool(outcome.silent_drop)
        self.unplaced += outcome.code == 2 and not outcome.placed
        if outcome.broken() and len(self.examples) < 5:
            self.examples.append(f"{label}: {', '.join(outcome.broken())}: {outcome.output[-400:]}")


class Worker:
    """A `python -m tests.fuzzing` process that loads one file per job."""

    def __init__(self, folder: Path, timeout: float = 120) -> None:
        self.folder = folder
        self.timeout = timeout
        self.proc: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.fuzzing", str(self.folder)], cwd=ROOT, text=True,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONFAULTHANDLER": ""})
        return self.proc

    def run(self, kind: str, data: bytes) -> Outcome:
        proc = self._start()
        path = self.folder / "inputs" / FILE_NAMES[kind]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(json.dumps({"kind": kind, "path": str(path)}) + "\n")
            proc.stdin.flush()
        except BrokenPipeError:
            return self._dead(proc)
        ready, _, _ = select.select([proc.stdout], [], [], self.timeout)
        if not ready:
            proc.kill()
            proc.wait()
            return Outcome(code=-9, hung=True, output="no answer within the time limit")
        line = proc.stdout.readline()
        if not line:
            return self._dead(proc)
        return Outcome(**json.loads(line))

    def _dead(self, proc: subprocess.Popen[str]) -> Outcome:
        code = proc.wait()
        return Outcome(code=code if code < 0 else 128 + code, output=f"the worker died ({code})")

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


# -- the worker's side ------------------------------------------------------------------------


def _digest(store: Path) -> str:
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    digest = hashlib.sha256()
    for line in sorted(str(q) for q in db):
        digest.update(line.encode("utf-8"))
    del db
    return digest.hexdigest()


def _source_triples(store: Path, source: str) -> list[Any]:
    from graph_app.core.store import OxigraphStore

    s = OxigraphStore(store, read_only=True)
    try:
        graph = s.current_graphs().get(source)
        if graph is None:
            return []
        return list(s.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": graph}))
    finally:
        s.close()


def _rdf_drop(kind: str, path: Path, triples: list[Any]) -> str:
    import pyoxigraph as ox

    fmt = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
           "rdfxml": ox.RdfFormat.RDF_XML}[kind]
    expected = {(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=fmt)}
    blank = sum(1 for t in expected if any(isinstance(x, ox.BlankNode) for x in t))
    named = {t for t in expected if not any(isinstance(x, ox.BlankNode) for x in t)}
    have = {(t.subject, t.predicate, t.object) for t in triples}
    missing = named - have
    have_blank = sum(1 for t in have if any(isinstance(x, ox.BlankNode) for x in t))
    if missing or have_blank != blank:
        return f"{len(missing)} of {len(expected)} triples missing"
    return ""


def _table_rows(kind: str, path: Path) -> list[tuple[str, list[Any], list[list[Any]]]]:
    """(sheet name, header, data rows) of a table file, read independently of the loader:
    csv's own dialect, or openpyxl's full (not read-only) mode, formulas as written."""
    if kind == "csv":
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        return [(path.stem, rows[0] if rows else [], rows[1:])]
    from openpyxl import load_workbook

    book = load_workbook(path, data_only=False)
    found = []
    for ws in book.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        found.append((ws.title, rows[0] if rows else [], rows[1:]))
    return found


def _table_drop(kind: str, path: Path, triples: list[Any]) -> str:
    """Every non-empty row's subject is in the graph, with a triple of each filled column;
    no value sits in a column without a header."""
    from graph_app.core.namespaces import DEFAULT_BASE
    from loaders.tables import cells
    from loaders.tables.reader import HELP_SHEETS, sheet_for_name

    subjects = {t.subject.value for t in triples if hasattr(t.subject, "value")}
    facts = {(t.subject.value, t.predicate.value) for t in triples if hasattr(t.subject, "value")}
    inverse = {(t.object.value, t.predicate.value) for t in triples if hasattr(t.object, "value")}
    for title, header, rows in _table_rows(kind, path):
        sheet = sheet_for_name(title)
        if title.casefold() in HELP_SHEETS or sheet is None or sheet.is_links:
            continue
        names = [cells.cell_text(h) for h in header]
        columns = {c.name: c for c in sheet.columns}
        for number, row in enumerate(rows, start=2):
            texts = [cells.cell_text(v) for v in row]
            if not any(texts):
                continue
            for pos, text in enumerate(texts):
                if text and (pos >= len(names) or not names[pos]):
                    return f"{title}:{number}: a value under no header was committed"
            values = {names[p]: t for p, t in enumerate(texts) if t and p < len(names)}
            given = values.get("id", "")
            iri = given if cells.is_iri(given) else (f"{DEFAULT_BASE}{sheet.kind}/{given}" if given else "")
            if not iri:
                label = values.get("label_sv") or values.get("label_en") or ""
                iri = f"{DEFAULT_BASE}{sheet.kind}/{cells.slugify(label)}" if label else ""
            if iri and iri not in subjects:
                return f"{title}:{number}: the row's subject {iri} is missing"
            for name, _text in values.items():
                column = columns.get(name)
                if column is None or not column.predicate or not iri:
                    continue
                held = (iri, column.predicate) in (inverse if column.inverse else facts)
                if not held:
                    return f"{title}:{number}:{name}: the value is missing"
    return ""


def _sssom_drop(path: Path, triples: list[Any]) -> str:
    text = path.read_bytes().decode("utf-8")
    table = [line for line in text.splitlines() if not line.startswith("#")]
    rows = list(csv.reader(io.StringIO("\n".join(table)), delimiter="\t"))
    if not rows:
        return ""
    header = rows[0]
    keys = set()
    for row in rows[1:]:
        if any(c.strip() for c in row):
            values = dict(zip(header, (c.strip() for c in row), strict=False))
            keys.add(values.get("record_id") or tuple(values.get(k, "") for k in (
                "subject_id", "predicate_id", "predicate_modifier", "object_id")))
    axioms = {t.subject.value for t in triples
              if t.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
              and t.object.value == "http://www.w3.org/2002/07/owl#Axiom"}
    if len(axioms) < len(keys):
        return f"{len(keys) - len(axioms)} of {len(keys)} mappings missing"
    return ""


def check(kind: str, path: Path, store: Path) -> dict[str, Any]:
    """Load `path` into `store` in-process and report what the invariants need."""
    from click.testing import CliRunner

    from graph_app.cli import main
    from graph_app.core.loading import source_name_for

    before = _digest(store)
    result = CliRunner().invoke(main, ["--lang", "en", "--store", str(store), "load", "--no-validate", str(path)])
    output = result.output
    raised = result.exception is not None and not isinstance(result.exception, SystemExit)
    if raised and result.exc_info is not None:
        output += "".join(traceback.format_exception(*result.exc_info))
    code = 3 if raised else result.exit_code
    outcome: dict[str, Any] = {
        "code": code, "output": output[-4000:],
        "traceback": raised or "Traceback (most recent call last)" in output,
        "changed": _digest(store) != before,
        "placed": f"{path.name}:" in output or f"{path.stem}:" in output,
    }
    if code == 0:
        source = source_name_for(path)
        try:
            triples = _source_triples(store, source)
            if kind in RDF_KINDS:
                outcome["silent_drop"] = _rdf_drop(kind, path, triples)
            elif kind == "sssom":
                outcome["silent_drop"] = _sssom_drop(path, triples)
            else:
                outcome["silent_drop"] = _table_drop(kind, path, triples)
        except Exception as err:  # the independent reading failed where the loader did not
            outcome["silent_drop"] = f"cannot be checked: {type(err).__name__}: {err}"[:300]
    return outcome


def serve(folder: Path) -> None:
    """Answer one JSON job per line of stdin: load the file, report its outcome."""
    import loaders
    from graph_app.core.loading import LoadInput, load
    from graph_app.core.namespaces import DEFAULT_BASE
    from graph_app.core.store import OxigraphStore

    stores: dict[str, Path] = {}
    for line in sys.stdin:
        job = json.loads(line)
        kind = job["kind"]
        if kind not in stores:
            stores[kind] = folder / "stores" / kind
            seed = folder / "seed.nt"
            seed.write_text(f'<{EX}seed> <{EX}p> "seed" .\n', encoding="utf-8")
            s = OxigraphStore(stores[kind])
            load(s, [LoadInput(seed, "seed", loaders.get("ntriples"))], base_iri=DEFAULT_BASE, validate=False)
            s.close()
        print(json.dumps(check(kind, Path(job["path"]), stores[kind])), flush=True)


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
