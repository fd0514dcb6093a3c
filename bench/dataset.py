#!/usr/bin/env python3
"""What the SPARQL dataset rules cost (docs/decisions/0003-sparql-dataset.md), measured in
one run, the two sides of each comparison taking turns:

- a query without GRAPH on the *plain* snapshot with Oxigraph's union (the fast path we
  keep) against the same query with the committed graphs named explicitly (what leaving
  the metadata graph out would cost without the plain copy);
- a `GRAPH ?g` query as rewritten for stable names against the same query unrewritten;
- reading a query with rdflib's parser (the check of decision 2);
- making a snapshot: one checkpoint against the two (full and plain).

    python bench/dataset.py [--triples 100000] [--runs 7] [--workdir bench/out/dataset]

With --triples 0 only the ontology and the sample data are loaded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import loaders  # noqa: E402
from graph_app.cli import bundled_inputs  # noqa: E402
from graph_app.core import sparql_examples  # noqa: E402
from graph_app.core.loading import LoadInput, load  # noqa: E402
from graph_app.core.namespaces import DEFAULT_BASE  # noqa: E402
from graph_app.core.sparql_dataset import prepare  # noqa: E402
from graph_app.core.sparql_guard import check_query  # noqa: E402
from graph_app.core.store import OxigraphStore  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from sparql import paired_medians  # noqa: E402

QA = "PREFIX qa: <https://w3id.org/qagraph/ontology#> "
PLAIN_QUERIES = {
    "entities per class": "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "labels of issuers": QA + "SELECT ?o ?label WHERE { ?r qa:issuer ?o . ?o <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
    "count all triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}
GRAPH_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g"


def rows(result: object) -> int:
    return sum(1 for _ in result)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "dataset")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    store = OxigraphStore(args.workdir / "store")
    inputs = bundled_inputs()
    if args.triples:
        data = args.workdir / "synthetic.nt"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--triples", str(args.triples),
                        "-o", str(data)], check=True, stderr=subprocess.DEVNULL)
        inputs = [*inputs, LoadInput(data, "synthetic", loaders.for_path(data))]
    load(store, inputs, base_iri=DEFAULT_BASE, validate=False)
    print(f"{store.triple_count():,} triples in {len(store.current_graphs())} sources; "
          f"load average {os.getloadavg()[0]:.2f}")

    started = time.perf_counter()
    store.backup(args.workdir / "one")
    one = time.perf_counter() - started
    started = time.perf_counter()
    store.backup(args.workdir / "full")
    store.backup(args.workdir / "plain", metadata=False)
    two = time.perf_counter() - started
    print(f"snapshot: one checkpoint {one * 1000:.0f} ms, full and plain {two * 1000:.0f} ms")
    store.close()
    full = OxigraphStore(args.workdir / "full", read_only=True)
    plain = OxigraphStore(args.workdir / "plain", read_only=True)
    current = full.current_graphs()
    committed = list(current.values())

    print(f"\n{'query':<22} {'union, plain':>13} {'explicit list':>14} {'ratio':>6}")
    for name, text in PLAIN_QUERIES.items():
        fast, listed = paired_medians(
            lambda t=text: rows(plain.query_dataset(t, use_default_graph_as_union=True)),  # type: ignore[misc]
            lambda t=text: rows(full.query_dataset(t, default_graph=committed, named_graphs=committed)),  # type: ignore[misc]
            args.runs)
        print(f"{name:<22} {fast * 1000:>10.1f} ms {listed * 1000:>11.1f} ms {listed / fast:>6.2f}")

    checked = check_query(GRAPH_QUERY)
    prepared = prepare(checked, current, pending=False, default_graphs=None, named_graphs=None,
                       base_iri=None, have_plain=True)
    store_for = full if prepared.use_full else plain
    rewritten, raw = paired_medians(
        lambda: rows(store_for.query_dataset(prepared.text, **prepared.options)),
        lambda: rows(full.query_dataset(GRAPH_QUERY)),
        args.runs)
    print(f"\nGRAPH ?g query: rewritten for stable names {rewritten * 1000:.1f} ms, "
          f"physical names {raw * 1000:.1f} ms, ratio {rewritten / raw:.2f}")

    parse = []
    for example in sparql_examples.all_examples():
        started = time.perf_counter()
        check_query(example.text)
        parse.append(time.perf_counter() - started)
    print(f"rdflib parse of the {len(parse)} example queries: median {statistics.median(parse) * 1000:.1f} ms, "
          f"slowest {max(parse) * 1000:.1f} ms")
    print(f"load average {os.getloadavg()[0]:.2f}")
    full.close()
    plain.close()


if __name__ == "__main__":
    main()
