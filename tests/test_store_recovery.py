"""Killed loads leave nothing behind: opening the store removes the bulk loader's files and
old logs, and drops pending graphs in bounded batches, whatever their quads hold."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import loaders
from graph_app.cli import main
from graph_app.core import store as store_module
from graph_app.core.loading import LoadInput, load
from graph_app.core.namespaces import DEFAULT_BASE, META_GRAPH
from graph_app.core.store import OxigraphStore

from .conftest import ROOT
from .hostile import EX, store_digest

SEED = f'<{EX}seed> <http://www.w3.org/2000/01/rdf-schema#label> "seed"@en .\n'


def seeded(path: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed.nt"
    seed.write_text(SEED, encoding="utf-8")
    s = OxigraphStore(path)
    load(s, [LoadInput(seed, "seed", loaders.get("ntriples"))], base_iri=DEFAULT_BASE, validate=False)
    s.close()


def visible(path: Path) -> set[str]:
    s = OxigraphStore(path, read_only=True)
    try:
        return {str(t) for t in s.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")}
    finally:
        s.close()


def big_ntriples(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(f'<{EX}s{i}> <{EX}p{i % 7}> "a value for row {i}, long enough to make the file big" .\n')
    return path


def test_a_load_killed_during_its_bulk_load_leaves_nothing_after_the_next_open(tmp_path: Path) -> None:
    store = tmp_path / "store"
    seeded(store, tmp_path)
    before = visible(store)
    data = big_ntriples(tmp_path / "big.nt", 600_000)
    proc = subprocess.Popen([sys.executable, "-m", "graph_app.cli", "--store", str(store), "load", "--no-validate",
                             str(data)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while not list(store.glob("bulk-*.sst")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    leftovers = list(store.glob("bulk-*.sst"))
    assert leftovers, "the load was not killed while it wrote its files"
    reopened = CliRunner().invoke(main, ["--lang", "en", "--store", str(store), "sources"])
    assert reopened.exit_code == 0, reopened.output
    assert (f"cleaned up after interrupted loads: removed 0 triples in 0 graph(s) and {len(leftovers)} "
            "leftover files") in reopened.output
    assert not list(store.glob("bulk-*.sst")) and len(list(store.glob("LOG.old*"))) <= 1
    assert visible(store) == before


def test_old_rocksdb_logs_are_removed_on_open(tmp_path: Path) -> None:
    store = tmp_path / "store"
    for _ in range(4):
        OxigraphStore(store).close()
    assert len(list(store.glob("LOG.old*"))) <= 1


TRICKY = [
    ox.Literal('a "quote"'), ox.Literal("new\nline\r"), ox.Literal("nul \x00 and bell \x07"),
    ox.Literal("back\\slash } ."), ox.Literal("å ä ö 🙂"), ox.Literal("x", language="sv-se"),
    ox.Literal("1.50", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
    ox.Literal("not a date", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    ox.NamedNode("http://example.org/o?q=1&r=2#f"),
]


def test_a_pending_graph_of_every_kind_of_quad_is_dropped_on_open(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "DROP_BATCH", 7)  # many batches, some of mixed quads
    path = tmp_path / "store"
    seeded(path, tmp_path)
    before = store_digest(path)
    s = OxigraphStore(path)
    staged = s.stage("killed", "killed.nt", "0" * 64)
    subject, predicate, blank = ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p"), ox.BlankNode()
    triples = [ox.Triple(subject, predicate, o) for o in TRICKY]
    triples += [ox.Triple(blank, predicate, ox.Literal("from a blank node")),
                ox.Triple(subject, predicate, blank),
                ox.Triple(subject, predicate, ox.Triple(subject, predicate, ox.Literal("a triple term")))]
    triples += [ox.Triple(ox.NamedNode(f"{EX}n{i}"), predicate, ox.Literal(str(i))) for i in range(40)]
    s.write_staged(staged, triples)
    s.close()  # as a kill after the staged data was written: the graph stays pending
    reopened = OxigraphStore(path)
    try:
        assert reopened.last_recovery.graphs == 1
        assert reopened.last_recovery.triples == len(triples)
        assert reopened.graph_names() == {META_GRAPH} | {g.value for g in reopened.current_graphs().values()}
    finally:
        reopened.close()
    assert store_digest(path) == before


def test_replacing_a_large_source_drops_the_old_version_in_bounded_batches(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "DROP_BATCH", 1000)
    batches: list[int] = []
    original = OxigraphStore._remove_batch

    def counted(self: OxigraphStore, batch: list[ox.Quad]) -> int:
        batches.append(len(batch))
        return original(self, batch)

    monkeypatch.setattr(OxigraphStore, "_remove_batch", counted)
    s = OxigraphStore(tmp_path / "store")
    try:
        first = big_ntriples(tmp_path / "big.nt", 12_000)
        load(s, [LoadInput(first, "big", loaders.get("ntriples"))], base_iri=DEFAULT_BASE, validate=False)
        second = tmp_path / "big2.nt"
        second.write_text(SEED, encoding="utf-8")
        load(s, [LoadInput(second, "big", loaders.get("ntriples"))], base_iri=DEFAULT_BASE, validate=False)
        assert sum(batches) == 12_000 and max(batches) == 1000
        assert s.triple_count() == 1
        assert s.graph_names() == {META_GRAPH, s.current_graphs()["big"].value}
    finally:
        s.close()


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def test_after_dropping_a_large_pending_graph_the_folder_shrinks_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "COMPACT_AFTER", 10_000)
    monkeypatch.setattr(store_module, "FLUSH_EVERY", 20_000)
    path = tmp_path / "store"
    seeded(path, tmp_path)
    data = tmp_path / "links.nt"  # few distinct strings: the indexes, not the dictionary, hold the size
    data.write_text("".join(f"<{EX}s{i % 5000}> <{EX}p{i % 7}> <{EX}o{i % 97}> .\n" for i in range(100_000)),
                    encoding="utf-8")
    s = OxigraphStore(path)
    staged = s.stage("killed", "links.nt", "0" * 64)
    s.bulk_write_staged(staged, data, ox.RdfFormat.N_TRIPLES)
    s.close()
    with_pending = folder_size(path)
    OxigraphStore(path).close()
    OxigraphStore(path).close()  # the write-ahead log of the deletions goes at the next open
    assert folder_size(path) < with_pending / 3, (folder_size(path), with_pending)
